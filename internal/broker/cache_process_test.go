package broker

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/testutil"
)

func TestCorruptedCacheEntryIsReplaced(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	dir := t.TempDir()
	cache, err := credcache.Open(credcache.Options{Backend: credcache.BackendFile, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	b, f, _ := newBroker(l, cache)
	if _, err := b.Get(ctx, "role-with-mfa", GetOptions{}); err != nil {
		t.Fatal(err)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "*"))
	corrupted := 0
	for _, p := range entries {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			if err := os.WriteFile(p, []byte("{\"not\": json at all"), 0o600); err != nil {
				t.Fatal(err)
			}
			corrupted++
		}
	}
	if corrupted < 2 {
		t.Fatalf("expected the session and the role entries in %s, found %d files", dir, corrupted)
	}
	l.Clock.Advance(time.Minute) // a new code
	c, err := b.Get(ctx, "role-with-mfa", GetOptions{})
	if err != nil {
		t.Fatalf("corrupted entries were not ignored: %v", err)
	}
	if f.Calls() != 2 {
		t.Fatalf("prompts %d, want 2 (the corrupted session is gone)", f.Calls())
	}
	// Replaced: another broker on the same directory gets a hit.
	cache2, _ := credcache.Open(credcache.Options{Backend: credcache.BackendFile, Dir: dir})
	b2, f2, _ := newBroker(l, cache2)
	c2, err := b2.Get(ctx, "role-with-mfa", GetOptions{})
	if err != nil || c2.AccessKeyID != c.AccessKeyID || f2.Calls() != 0 {
		t.Fatalf("entry not replaced: %v, prompts %d", err, f2.Calls())
	}
}

// TestUnwritableCacheDir: a cache directory that cannot be created or
// written degrades to uncached operation with one warning naming it: the
// credentials are obtained, nothing is cached, and later calls need new
// ones (and a new code) without another warning.
func TestUnwritableCacheDir(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dirs := map[string]string{"under a file": filepath.Join(file, "cache"), "a file": file}
	if os.Geteuid() != 0 {
		ro := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		dirs["read-only"] = ro
	}
	for name, dir := range dirs {
		t.Run(name, func(t *testing.T) {
			cache, err := credcache.Open(credcache.Options{Backend: credcache.BackendFile, Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			b, f, stderr := newBroker(l, cache)
			l.Clock.Advance(time.Minute) // codes not used by another case
			c, err := b.Get(ctx, "role-with-mfa", GetOptions{})
			if err != nil || c == nil {
				t.Fatalf("Get with an unusable cache: %v", err)
			}
			l.Clock.Advance(time.Minute) // a new code
			if _, err := b.Get(ctx, "role-with-mfa", GetOptions{}); err != nil {
				t.Fatalf("second Get: %v", err)
			}
			if f.Calls() != 2 {
				t.Errorf("codes asked %d, want 2 (nothing is cached)", f.Calls())
			}
			out := stderr.String()
			if n := strings.Count(out, "warning"); n != 1 || !strings.Contains(out, dir) || !strings.Contains(out, "going on without it") {
				t.Errorf("want one warning naming %s, got %d:\n%s", dir, n, out)
			}
		})
	}
}

func TestCredentialProcessBase(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	dir := t.TempDir()
	key := l.Anika.AccessKeys[0]
	out, _ := json.Marshal(map[string]any{"Version": 1, "AccessKeyId": key.ID, "SecretAccessKey": key.Secret})
	script := filepath.Join(dir, "creds.sh")
	if err := os.WriteFile(filepath.Join(dir, "creds.json"), out, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"stack=$AWSMFA_PROFILE_STACK\" >&2\ncat '"+filepath.Join(dir, "creds.json")+"'\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	l.WriteConfig(fmt.Sprintf(`
[profile proc]
credential_process = %s
[profile proc-role]
region = us-east-1
endpoint_url = %s
role_arn = arn:aws:iam::123456789012:role/open-role
source_profile = proc
[profile proc-fail]
credential_process = sh -c 'echo broken >&2; exit 3'
[profile proc-bad]
credential_process = echo '{"Version": 2}'
`, script, l.URL))
	b, _, stderr := newBroker(l, nil)
	c, err := b.Get(ctx, "proc", GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessKeyID != key.ID || c.Kind != KindProcess {
		t.Fatalf("proc: %v", c)
	}
	if !strings.Contains(stderr.String(), "stack=proc") {
		t.Errorf("the process did not get %s: %q", EnvProfileStack, stderr.String())
	}
	r, err := b.Get(ctx, "proc-role", GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.PrincipalARN, "assumed-role/open-role/") {
		t.Fatalf("proc-role: %v", r)
	}
	_, err = b.Get(ctx, "proc-fail", GetOptions{})
	wantCode(t, err, CodeProcess, "exit status 3", `profile "proc-fail"`, l.ConfigPath)
	if !strings.Contains(stderr.String(), "broken") {
		t.Error("the process's stderr was not passed through")
	}
	_, err = b.Get(ctx, "proc-bad", GetOptions{})
	wantCode(t, err, CodeProcess, "only version 1")
}

func TestParseProcessOutputConformance(t *testing.T) {
	dir := testutil.ConformanceDir(t, "aws-sdk-go/processcreds")
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]string{ // file -> "" (usable) or an error fragment
		"static.json":           "",
		"nonexpire.json":        "",
		"longsessiontoken.json": "",
		"verybad.json":          "",
		"expired.json":          "expired at 2000-01-01T00:00:00Z",
		"malformed.json":        "not a JSON object",
		"missingkey.json":       `no "SecretAccessKey"`,
		"missingsecret.json":    `no "AccessKeyId"`,
		"wrongversion.json":     "only version 1",
	}
	for file, want := range cases {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseProcessOutput(data, now)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", file, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: error %v, want %q", file, err, want)
		case want == "" && (c.AccessKeyID == "" || c.SecretAccessKey == ""):
			t.Errorf("%s: %v", file, c)
		}
	}
	c, err := ParseProcessOutput([]byte(`{"Version":1,"AccessKeyId":"a","SecretAccessKey":"b","SessionToken":"t","Expiration":"2199-01-01T00:00:00+02:00"}`), now)
	if err != nil || c.Expiration != time.Date(2198, 12, 31, 22, 0, 0, 0, time.UTC) || c.SessionToken != "t" {
		t.Fatalf("%v %v", c, err)
	}
	for _, bad := range []string{`{"Version":1,"AccessKeyId":"a","SecretAccessKey":"b","Expiration":"tomorrow"}`, `{"AccessKeyId":"a"}`, `[]`, `{"Version":"1"}`} {
		if _, err := ParseProcessOutput([]byte(bad), now); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestProcessOutputRoundTrip(t *testing.T) {
	exp := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	in := &credcache.Credentials{AccessKeyID: "ASIAX", SecretAccessKey: "s", SessionToken: "t", Expiration: exp, AccountID: "123456789012"}
	data, err := json.Marshal(NewProcessOutput(in))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":1,"AccessKeyId":"ASIAX","SecretAccessKey":"s","SessionToken":"t","Expiration":"2030-05-06T07:08:09Z","AccountId":"123456789012"}`
	if string(data) != want {
		t.Fatalf("%s\nwant %s", data, want)
	}
	out, err := ParseProcessOutput(data, exp.Add(-time.Hour))
	if err != nil || out.AccessKeyID != in.AccessKeyID || !out.Expiration.Equal(exp) {
		t.Fatalf("%v %v", out, err)
	}
	static, _ := json.Marshal(NewProcessOutput(&credcache.Credentials{AccessKeyID: "AKIA", SecretAccessKey: "s"}))
	if string(static) != `{"Version":1,"AccessKeyId":"AKIA","SecretAccessKey":"s"}` {
		t.Fatalf("static: %s", static)
	}
}

func FuzzParseProcessOutput(f *testing.F) {
	f.Add([]byte(`{"Version":1,"AccessKeyId":"a","SecretAccessKey":"b","Expiration":"2199-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"Version":1}`))
	f.Add([]byte(`null`))
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseProcessOutput(data, now)
		if err == nil {
			if c.AccessKeyID == "" || c.SecretAccessKey == "" {
				t.Fatalf("accepted without keys: %q", data)
			}
			if !c.Expiration.IsZero() && !c.Expiration.After(now) {
				t.Fatalf("accepted expired: %q", data)
			}
		}
	})
}

func TestCheckLoop(t *testing.T) {
	text := `
[profile self]
credential_process = awsmfa credential-process --profile self
[profile via-role]
role_arn = arn:aws:iam::123456789012:role/r
source_profile = via-base
[profile via-base]
credential_process = /usr/local/bin/awsmfa credential-process --profile=via-role --mfa-token 123456
[profile ok-base]
credential_process = awsmfa credential-process --profile keys
[profile keys]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = secret
[profile quoted]
credential_process = "awsmfa" 'credential-process' -p quoted
[profile other-sub]
credential_process = awsmfa export --profile other-sub
[profile implicit]
credential_process = awsmfa credential-process
`
	cfg, err := awsconfig.Parse(awsconfig.File{Kind: awsconfig.ConfigFile, Path: "config", Data: []byte(text)})
	if err != nil {
		t.Fatal(err)
	}
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	cases := []struct {
		profile string
		env     map[string]string
		loop    bool
	}{
		{"self", nil, true},
		{"via-role", nil, true},
		{"ok-base", nil, false},
		{"keys", nil, false},
		{"quoted", nil, true},
		{"other-sub", nil, false},
		{"implicit", map[string]string{"AWS_PROFILE": "implicit"}, true},
		{"implicit", nil, false},
		{"keys", map[string]string{EnvProfileStack: "a,keys"}, true},
		{"keys", map[string]string{EnvProfileStack: "a,keys2"}, false},
	}
	for _, c := range cases {
		ch, err := cfg.ResolveChain(c.profile)
		if err != nil {
			t.Fatal(err)
		}
		err = CheckLoop(ch, env(c.env))
		if (err != nil) != c.loop {
			t.Errorf("%s %v: loop error %v, want loop=%v", c.profile, c.env, err, c.loop)
		}
		if err != nil && ErrorCodeOf(err) != CodeLoop {
			t.Errorf("%s: code %s", c.profile, ErrorCodeOf(err))
		}
	}
}

func TestSplitCommand(t *testing.T) {
	cases := map[string][]string{
		`a b  c`:                    {"a", "b", "c"},
		`"a b" c`:                   {"a b", "c"},
		`'a "b"' c`:                 {`a "b"`, "c"},
		`a\ b`:                      {"a b"},
		`"x\"y\\z\n"`:               {`x"y\z\n`},
		`pre"mid"post`:              {"premidpost"},
		`''`:                        {""},
		`'unterminated`:             {"unterminated"},
		"\t":                        nil,
		`awsmfa credential-process`: {"awsmfa", "credential-process"},
		`C:\bin\awsmfa.exe  --x`:    {`C:binawsmfa.exe`, "--x"},
		`"C:\bin\awsmfa.exe" --x`:   {`C:\bin\awsmfa.exe`, "--x"},
		`a "" b`:                    {"a", "", "b"},
		"end\\":                     {"end\\"},
	}
	for in, want := range cases {
		got := SplitCommand(in)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func FuzzSplitCommand(f *testing.F) {
	for _, s := range []string{`a "b c" 'd'`, `\`, `"`, `'`, "a\tb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, w := range SplitCommand(s) {
			if strings.ContainsAny(w, " \t\n") && !strings.ContainsAny(s, `"'\`) {
				t.Fatalf("%q: word %q has a blank without quoting", s, w)
			}
		}
	})
}

func TestKeys(t *testing.T) {
	text := `
[profile base]
aws_access_key_id = AKIAONE
aws_secret_access_key = s
mfa_serial = arn:aws:iam::123456789012:mfa/one
[profile base2]
aws_access_key_id = AKIATWO
aws_secret_access_key = s
mfa_serial = arn:aws:iam::123456789012:mfa/one
[profile r1]
role_arn = arn:aws:iam::123456789012:role/r1
source_profile = base
[profile r1-copy]
role_arn = arn:aws:iam::123456789012:role/r1
source_profile = base
[profile r1-ext]
role_arn = arn:aws:iam::123456789012:role/r1
source_profile = base
external_id = xyz
[profile r1-other-keys]
role_arn = arn:aws:iam::123456789012:role/r1
source_profile = base2
[profile r2]
role_arn = arn:aws:iam::123456789012:role/r2
source_profile = r1
[profile perrole]
role_arn = arn:aws:iam::123456789012:role/r1
source_profile = base
awsmfa_mode = per-role
[profile static]
aws_access_key_id = AKIAS
aws_secret_access_key = s
`
	cfg, err := awsconfig.Parse(awsconfig.File{Kind: awsconfig.ConfigFile, Path: "config", Data: []byte(text)})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]Keys{}
	for _, p := range cfg.ProfileNames() {
		ch, err := cfg.Resolve(p)
		if err != nil {
			t.Fatal(err)
		}
		keys[p] = KeysFor(ch)
	}
	if keys["r1"].Final() != keys["r1-copy"].Final() {
		t.Error("identical chains in two profiles do not share their cache key")
	}
	for _, other := range []string{"r1-ext", "r1-other-keys", "perrole", "r2"} {
		if keys[other].Final() == keys["r1"].Final() {
			t.Errorf("%s shares r1's key", other)
		}
	}
	if keys["r2"].Steps[0] != keys["r1"].Final() {
		t.Error("r2's first step is not r1's entry")
	}
	if keys["base"].Final() != keys["base"].Session || keys["base"].Session == "" || keys["r1"].Session != keys["base"].Session {
		t.Error("session keys")
	}
	if keys["perrole"].Session != "" || keys["static"].Final() != "" {
		t.Error("per-role and static chains have no session / final key")
	}
	if len(keys["r1"].Final()) != 32 {
		t.Errorf("key %q", keys["r1"].Final())
	}
}
