package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/lab"
)

// TestBrokerBadInput: what a user gets wrong, through the awsmfa binary.
// Each case fails with exit status 2, a message on standard error that
// says what is wrong and where (file and line, profile, device, endpoint,
// directory), nothing on standard output, and no secret anywhere.
func TestBrokerBadInput(t *testing.T) {
	b := startBrokerLab(t, lab.Lifetimes{})
	anika, bob := b.user("anika"), b.user("bob")
	roleARN := "arn:aws:iam::123456789012:role/cli-role"
	tmp := t.TempDir()

	// A code that is none of those the lab accepts now or in the next
	// minute: the device's codes of the steps from t-1 to t+2.
	valid := map[string]bool{}
	for step := -1; step <= 2; step++ {
		valid[b.code("anika", time.Duration(step)*30*time.Second)] = true
	}
	wrong := ""
	for _, c := range []string{"000000", "111111", "222222", "333333", "444444"} {
		if !valid[c] {
			wrong = c
			break
		}
	}

	// A code bob already used: his first session, through awsmfa with
	// another cache (another machine, a cleared cache).
	used := b.code("bob", 0)
	bobKeys := []string{"aws_access_key_id", bob.AccessKeys[0].ID, "aws_secret_access_key", bob.AccessKeys[0].Secret}
	firstCfg := filepath.Join(tmp, "config-first")
	firstProfile := fmt.Sprintf("[profile first]\nregion = us-east-1\nendpoint_url = %s\naws_access_key_id = %s\naws_secret_access_key = %s\nmfa_serial = %s\nmfa_process = echo %s\n",
		b.URL, bob.AccessKeys[0].ID, bob.AccessKeys[0].Secret, bob.MFASerial, used)
	if err := os.WriteFile(firstCfg, []byte(firstProfile), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, r := b.credentialProcess(b.env("AWS_CONFIG_FILE="+firstCfg, "AWSMFA_CACHE_DIR="+b.useCache(filepath.Join(tmp, "cache-first"))), "first"); r.exit != 0 {
		t.Fatalf("bob's first session: exit %d\n%s", r.exit, r.stderr)
	}

	closed := freePort(t)

	// profile returns a config section pointing at the lab.
	profile := func(name string, kv ...string) string {
		s := fmt.Sprintf("\n[profile %s]\nregion = us-east-1\nendpoint_url = %s\n", name, b.URL)
		for i := 0; i+1 < len(kv); i += 2 {
			s += kv[i] + " = " + kv[i+1] + "\n"
		}
		return s
	}
	labConfig, err := os.ReadFile(b.Config)
	if err != nil {
		t.Fatal(err)
	}
	counter := b.newCounter("bad-input")

	cases := []struct {
		name string
		// config replaces the config file when set; extra is appended to
		// the lab's.
		config, extra string
		env           []string
		args          []string
		want          []string
		// sts is the number of STS requests the case may make.
		sts int
	}{
		{
			name:   "malformed config: section header",
			config: "# my settings\n[default]\nregion = us-east-1\n\n[profile work\nregion = eu-west-1\n",
			args:   []string{"credential-process", "--profile", "work"},
			want:   []string{":5: ", "Profile definition must end with ']'"},
		},
		{
			name:   "malformed config: line without =",
			config: "[default]\nregion = us-east-1\n[profile work]\nrole_arn " + roleARN + "\n",
			args:   []string{"credential-process", "--profile", "work"},
			want:   []string{":4: ", "Expected an '=' sign defining a property"},
		},
		{
			name:   "malformed config: property before any profile",
			config: "region = us-east-1\n[profile work]\nregion = us-east-1\n",
			args:   []string{"exec", "--profile", "work", "--", "true"},
			want:   []string{":1: ", "Expected a profile definition before this property"},
		},
		{
			name: "unknown profile",
			args: []string{"credential-process", "--profile", "role-with-mfx"},
			want: []string{`profile "role-with-mfx": profile not found in`, `did you mean "role-with-mfa"?`},
		},
		{
			name:  "source_profile cycle",
			extra: profile("loop-a", "role_arn", roleARN, "source_profile", "loop-b") + profile("loop-b", "role_arn", roleARN, "source_profile", "loop-a"),
			args:  []string{"credential-process", "--profile", "loop-a"},
			want:  []string{"infinite loop", "loop-a -> loop-b -> loop-a"},
		},
		{
			name:  "credential_process running awsmfa for itself",
			extra: profile("self", "credential_process", "awsmfa credential-process --profile self"),
			args:  []string{"credential-process", "--profile", "self"},
			want:  []string{"credential_process loop", `profile "self"`},
		},
		{
			name: "wrong MFA code",
			extra: profile("wrong-code", "role_arn", roleARN, "source_profile", "anika", "mfa_serial", anika.MFASerial,
				"mfa_process", b.mfaProcess(counter, "", "echo "+wrong)),
			args: []string{"credential-process", "--profile", "wrong-code"},
			want: []string{"AWS refused the MFA code for " + anika.MFASerial + ": it was wrong or already used", "wait for the next code"},
			sts:  1,
		},
		{
			name:  "reused MFA code",
			extra: profile("reused-code", append(bobKeys, "mfa_serial", bob.MFASerial, "mfa_process", "echo "+used)...),
			env:   []string{"AWS_PROFILE=reused-code"},
			args:  []string{"exec", "--", "true"},
			want:  []string{"AWS refused the MFA code for " + bob.MFASerial + ": it was wrong or already used", "a code is accepted only once"},
			sts:   1,
		},
		{
			name:  "MFA code that is not six digits",
			extra: profile("bad-code", append(bobKeys, "mfa_serial", bob.MFASerial, "mfa_process", "echo 12ab56")...),
			args:  []string{"credential-process", "--profile", "bad-code"},
			want:  []string{"could not get an MFA code for " + bob.MFASerial, "mfa_process did not print an MFA code", "must be 6 digits"},
		},
		{
			name:  "mfa_process failing",
			extra: profile("no-code", append(bobKeys, "mfa_serial", bob.MFASerial, "mfa_process", "exit 3")...),
			args:  []string{"credential-process", "--profile", "no-code"},
			want:  []string{"could not get an MFA code for " + bob.MFASerial, "exit status 3"},
		},
		{
			name: "STS unreachable",
			extra: fmt.Sprintf("\n[profile unreachable]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:%d\nrole_arn = %s\nsource_profile = alice\n",
				closed, roleARN),
			args: []string{"credential-process", "--profile", "unreachable"},
			want: []string{fmt.Sprintf("cannot reach STS at http://127.0.0.1:%d", closed), "connection refused"},
		},
		{
			name: "unknown access key",
			extra: profile("stranger-keys", "aws_access_key_id", "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") +
				profile("stranger", "role_arn", roleARN, "source_profile", "stranger-keys"),
			args: []string{"credential-process", "--profile", "stranger"},
			want: []string{"AWS does not know the access key AKIAIOSFODNN7EXAMPLE"},
			sts:  1,
		},
		{
			name: "unknown cache backend",
			env:  []string{"AWSMFA_CACHE_BACKEND=vault"},
			args: []string{"credential-process", "--profile", "role-with-mfa"},
			want: []string{`unknown credential cache backend "vault"`},
		},
	}
	// An unusable cache directory is not an error: TestBrokerUnusableCacheDir.

	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := filepath.Join(tmp, "config-"+strconv.Itoa(i))
			data := c.config
			if data == "" {
				data = string(labConfig) + c.extra
			}
			if err := os.WriteFile(cfg, []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
			cache := b.useCache(filepath.Join(tmp, "cache-"+strconv.Itoa(i)))
			env := append([]string{"AWS_CONFIG_FILE=" + cfg, "AWSMFA_CACHE_DIR=" + cache}, c.env...)
			before := b.stat("requests")
			r := b.awsmfa(env, c.args...)
			if r.exit != 2 {
				t.Errorf("exit %d, want 2", r.exit)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if !strings.HasPrefix(r.stderr, "awsmfa: ") {
				t.Errorf("stderr does not start with awsmfa: %q", r.stderr)
			}
			for _, w := range c.want {
				if w == ":5: " || w == ":4: " || w == ":1: " {
					w = cfg + w
				}
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if got := b.stat("requests") - before; got > c.sts {
				t.Errorf("%d requests to the lab, want at most %d", got, c.sts)
			}
			if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("crash:\n%s", r.stderr)
			}
		})
	}
	if n := counter.count(); n != 1 {
		t.Errorf("the wrong-code mfa_process ran %d times, want 1 (a wrong code is not retried)", n)
	}
	if n := b.stat(statGST); n != 1 {
		t.Errorf("GetSessionToken succeeded %d times, want 1 (bob's first session)", n)
	}
}

// TestBrokerCorruptedCache: garbage in the cache directory (a torn file, a
// foreign one, random bytes, an entry for another key) is ignored, never a
// crash, and replaced by valid entries.
func TestBrokerCorruptedCache(t *testing.T) {
	b := startBrokerLab(t, lab.Lifetimes{})
	anika := b.newCounter("anika")
	codeFile := filepath.Join(t.TempDir(), "code")
	writeCode := func(offset time.Duration) {
		if err := os.WriteFile(codeFile, []byte(b.code("anika", offset)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b.configure("role-with-mfa", "--mfa-process", b.mfaProcess(anika, "", "cat "+codeFile))
	env := b.env()
	writeCode(0)
	first, r := b.credentialProcess(env, "role-with-mfa")
	if r.exit != 0 {
		t.Fatalf("first run: exit %d\n%s", r.exit, r.stderr)
	}
	entries := cacheEntries(t, b.Cache)
	kinds := map[string]cacheEntry{}
	for _, e := range entries {
		kinds[e.Kind] = e
	}
	if len(entries) != 2 || kinds["session-token"].Path == "" || kinds["assume-role"].Path == "" {
		t.Fatalf("cache entries %+v, want an MFA session and the role", entries)
	}
	session, role := kinds["session-token"], kinds["assume-role"]
	sessionData, err := os.ReadFile(session.Path)
	if err != nil {
		t.Fatal(err)
	}
	roleData, err := os.ReadFile(role.Path)
	if err != nil {
		t.Fatal(err)
	}
	future := bytes.Replace(roleData, []byte(`"version": 1,`), []byte(`"version": 99,`), 1)
	if bytes.Equal(future, roleData) {
		t.Fatalf("no version field in the entry:\n%.40s", roleData)
	}

	garbage := []struct {
		name string
		data []byte
	}{
		{"torn", roleData[:len(roleData)/2]},
		{"random bytes", []byte("\x00\xff\x13garbage\x89PNG\r\n\x1a\n")},
		{"empty", nil},
		{"json of another shape", []byte(`{"hello": ["world"]}`)},
		{"entry of another key", sessionData},
		{"future version", future},
	}
	for _, g := range garbage {
		// The role's entry is garbage: the role is assumed again from the
		// MFA session, without a code.
		if err := os.WriteFile(role.Path, g.data, 0o600); err != nil {
			t.Fatal(err)
		}
		assumed := b.stat(statAssumeRole)
		out, r := b.credentialProcess(env, "role-with-mfa")
		if r.exit != 0 || strings.Contains(r.stderr, "panic") {
			t.Fatalf("%s role entry: exit %d\n%s", g.name, r.exit, r.stderr)
		}
		if out.AccessKeyID == first.AccessKeyID || b.stat(statAssumeRole) != assumed+1 || anika.count() != 1 {
			t.Errorf("%s role entry: access key reused %v, AssumeRole %d -> %d, codes %d", g.name,
				out.AccessKeyID == first.AccessKeyID, assumed, b.stat(statAssumeRole), anika.count())
		}
		if e := cacheEntries(t, b.Cache); len(e) != 2 || !hasEntry(e, role.Path, "assume-role", out.AccessKeyID) {
			t.Errorf("%s role entry: not replaced: %+v", g.name, e)
		}
	}

	// Everything is garbage, plus stray files: a new MFA session (the
	// next code: the lab accepts a code once).
	for _, e := range cacheEntries(t, b.Cache) {
		if err := os.WriteFile(e.Path, []byte("}{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, stray := range []string{"README", "0123456789abcdef0123456789abcdef.json.tmp-1", ".hidden.json"} {
		if err := os.WriteFile(filepath.Join(b.Cache, stray), []byte("\x00\x01"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(b.Cache, "ffffffffffffffffffffffffffffffff.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeCode(30 * time.Second)
	out, r := b.credentialProcess(env, "role-with-mfa")
	if r.exit != 0 {
		t.Fatalf("all entries garbage: exit %d\n%s", r.exit, r.stderr)
	}
	if anika.count() != 2 || b.stat(statGST) != 2 {
		t.Errorf("all entries garbage: codes %d (want 2), GetSessionToken %d (want 2)", anika.count(), b.stat(statGST))
	}
	valid := 0
	for _, e := range cacheEntries(t, b.Cache) {
		if e.Kind != "" {
			valid++
		}
		if e.Kind == "assume-role" && e.AccessKeyID != out.AccessKeyID {
			t.Errorf("role entry holds %s, credential-process printed %s", e.AccessKeyID, out.AccessKeyID)
		}
	}
	if valid != 2 {
		t.Errorf("%d valid entries after the refresh, want 2: %+v", valid, cacheEntries(t, b.Cache))
	}
	// status and clear cope with the stray files too.
	if r := b.awsmfa(nil, "status"); r.exit != 0 || strings.Contains(r.stderr, "panic") {
		t.Errorf("status with stray files: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	if r := b.awsmfa(nil, "clear"); r.exit != 0 {
		t.Errorf("clear with stray files: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	if e := cacheEntries(t, b.Cache); countKinds(e) != 0 {
		t.Errorf("entries left after clear: %+v", e)
	}
}

func hasEntry(es []cacheEntry, path, kind, keyID string) bool {
	for _, e := range es {
		if e.Path == path && e.Kind == kind && e.AccessKeyID == keyID {
			return true
		}
	}
	return false
}

func countKinds(es []cacheEntry) int {
	n := 0
	for _, e := range es {
		if e.Kind != "" {
			n++
		}
	}
	return n
}

// unwritableDir returns an existing directory this process cannot create
// files in: a 0500 directory, or for root (who writes anywhere) a
// directory of a file system that refuses new files (Linux's /sys); ""
// when there is none.
func unwritableDir(t *testing.T, tmp string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		ro := filepath.Join(tmp, "read-only")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		return ro
	}
	for _, dir := range []string{"/sys/kernel", "/sys"} {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		probe := filepath.Join(dir, "awsmfa-e2e-probe")
		if err := os.Mkdir(probe, 0o700); err == nil {
			os.Remove(probe)
			continue
		} else if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
			return dir
		}
	}
	t.Log("running as root without a read-only directory: the read-only cache case is covered by the file cases only")
	return ""
}

// TestBrokerMFAProcessRunsAwsmfaExec: an mfa_process may itself run
// `awsmfa exec` (the code comes from a tool that needs another profile's
// credentials, e.g. a secret store). It once failed with "already inside
// `awsmfa exec`" because mfa_process's variable and exec's nesting marker
// shared the name AWSMFA_PROFILE; mfa_process now gets AWSMFA_MFA_PROFILE.
func TestBrokerMFAProcessRunsAwsmfaExec(t *testing.T) {
	b := startBrokerLab(t, lab.Lifetimes{})
	bob := b.newCounter("bob")
	b.configure("bob", "--mfa-serial", b.user("bob").MFASerial,
		"--mfa-process", b.mfaProcess(bob, "", "awsmfa exec --profile alice -- "+b.totpCmd("bob")))
	out, r := b.credentialProcess(b.env(), "bob")
	if r.exit != 0 || !strings.HasPrefix(out.AccessKeyID, "ASIA") {
		t.Fatalf("an mfa_process running awsmfa exec: exit %d\n%s", r.exit, r.stderr)
	}
	if bob.count() != 1 || b.stat(statGST) != 1 {
		t.Errorf("codes %d, GetSessionToken %d; want 1 and 1", bob.count(), b.stat(statGST))
	}
}
