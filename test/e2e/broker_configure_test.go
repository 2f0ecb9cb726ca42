package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// realisticConfig is a hand-maintained ~/.aws/config: comments of both
// kinds, a default section, sub-properties, an sso-session and a services
// section, odd spacing, tabs, a blank line with a tab, and no newline at
// the end. (A property line may not start with a blank: that is a
// continuation line, an error in the SDKs' parser conformance suite.)
const realisticConfig = `# ~/.aws/config, maintained by hand: keep the comments!
; semicolon comments are comments too

[default]
region = eu-west-1
output = json
cli_pager =

# Personal account: the access keys are in ~/.aws/credentials.
[profile me]
region=eu-west-1
mfa_serial = arn:aws:iam::123456789012:mfa/me
s3 =
  max_concurrent_requests = 20
  multipart_threshold = 64MB

[profile work]
# The admin role; its trust policy requires MFA.
role_arn = arn:aws:iam::123456789012:role/OldAdmin
source_profile = me
region = us-west-2
duration_seconds = 3600

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile sso-dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer

[services local]
sts =
  endpoint_url = http://127.0.0.1:4566
	
[profile tabs]
region	=	ap-south-1
[profile last]
region = us-east-2`

// splitLines splits data into lines that keep their line ending.
func splitLines(data string) []string {
	var out []string
	for data != "" {
		i := strings.IndexByte(data, '\n')
		if i < 0 {
			out = append(out, data)
			break
		}
		out = append(out, data[:i+1])
		data = data[i+1:]
	}
	return out
}

// sectionSpan returns the line range [from, to) of the section whose
// header line is header (without line ending).
func sectionSpan(t *testing.T, lines []string, header string) (int, int) {
	t.Helper()
	from := -1
	for i, l := range lines {
		trimmed := strings.TrimRight(l, "\r\n")
		if from < 0 && trimmed == header {
			from = i
			continue
		}
		if from >= 0 && strings.HasPrefix(trimmed, "[") {
			return from, i
		}
	}
	if from < 0 {
		t.Fatalf("no section %s", header)
	}
	return from, len(lines)
}

// TestBrokerConfigureKeepsBytes: `awsmfa configure` on a realistic,
// commented file changes the lines of the profile it sets and appends the
// --cli-profile section; every other byte stays, and the real AWS CLI
// still reads every profile. With CRLF line endings too.
func TestBrokerConfigureKeepsBytes(t *testing.T) {
	bin := awsmfaBinary(t)
	for _, eol := range []string{"\n", "\r\n"} {
		name := map[string]string{"\n": "LF", "\r\n": "CRLF"}[eol]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cfgPath := filepath.Join(dir, "config")
			original := strings.ReplaceAll(realisticConfig, "\n", eol)
			if err := os.WriteFile(cfgPath, []byte(original), 0o644); err != nil {
				t.Fatal(err)
			}
			credsPath := filepath.Join(dir, "credentials")
			if err := os.WriteFile(credsPath, []byte("[me]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			env := append([]string{"PATH=" + filepath.Dir(bin) + ":/usr/bin:/bin", "HOME=" + dir, "AWS_CONFIG_FILE=" + cfgPath,
				"AWS_SHARED_CREDENTIALS_FILE=" + credsPath, "AWSMFA_CACHE_DIR=" + filepath.Join(dir, "cache"), "AWSMFA_CACHE_BACKEND=file"}, noEgressEnv...)
			run := func(args ...string) cliResult {
				t.Helper()
				ctx, cancel := context.WithTimeout(context.Background(), brokerCmdTimeout)
				defer cancel()
				cmd := exec.CommandContext(ctx, bin, args...)
				cmd.Env = env
				var out, errb bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errb
				err := cmd.Run()
				r := cliResult{stdout: out.String(), stderr: errb.String()}
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					r.exit = ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				return r
			}
			read := func() string {
				t.Helper()
				data, err := os.ReadFile(cfgPath)
				if err != nil {
					t.Fatal(err)
				}
				return string(data)
			}

			// 1. Change a role profile and add its credential_process twin.
			r := run("configure", "work", "--role-arn", "arn:aws:iam::123456789012:role/Admin",
				"--mfa-serial", "arn:aws:iam::123456789012:mfa/me", "--mfa-process", "ykman oath accounts code -s aws", "--cli-profile", "work-cli")
			if r.exit != 0 {
				t.Fatalf("configure work: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
			}
			got := read()
			old, cur := splitLines(original), splitLines(got)
			from, to := sectionSpan(t, old, "[profile work]")
			nfrom, nto := sectionSpan(t, cur, "[profile work]")
			if strings.Join(cur[:nfrom], "") != strings.Join(old[:from], "") {
				t.Errorf("bytes before [profile work] changed:\n%q\n%q", strings.Join(old[:from], ""), strings.Join(cur[:nfrom], ""))
			}
			// After the section: the old lines, the last one ended (it had
			// no line ending), then the new section, which ends without
			// one like the file did.
			rest := strings.Join(old[to:], "") + eol
			after := strings.Join(cur[nto:], "")
			if !strings.HasPrefix(after, rest) {
				t.Errorf("bytes after [profile work] changed:\nwant prefix %q\ngot %q", rest, after)
			}
			added := strings.TrimPrefix(after, rest)
			// The twin carries work's region: the AWS CLI takes the region
			// of the profile it is given.
			if added != eol+"[profile work-cli]"+eol+"credential_process = awsmfa credential-process --profile work"+eol+"region = us-west-2" {
				t.Errorf("appended section %q", added)
			}
			// Inside the section: the kept lines are byte-identical, in
			// order; role_arn changed in place; two keys added.
			wantSection := []string{
				"[profile work]" + eol,
				"# The admin role; its trust policy requires MFA." + eol,
				"role_arn = arn:aws:iam::123456789012:role/Admin" + eol,
				"source_profile = me" + eol,
				"region = us-west-2" + eol,
				"duration_seconds = 3600" + eol,
			}
			section := cur[nfrom:nto]
			var kept []string
			var extra []string
			for _, l := range section {
				if strings.HasPrefix(l, "mfa_serial") || strings.HasPrefix(l, "mfa_process") {
					extra = append(extra, l)
				} else if strings.TrimSpace(l) != "" {
					kept = append(kept, l)
				}
			}
			if strings.Join(kept, "") != strings.Join(wantSection, "") {
				t.Errorf("section lines:\n%q\nwant\n%q", kept, wantSection)
			}
			if len(extra) != 2 || extra[0] != "mfa_serial = arn:aws:iam::123456789012:mfa/me"+eol || extra[1] != "mfa_process = ykman oath accounts code -s aws"+eol {
				t.Errorf("added lines %q", extra)
			}
			if fi, err := os.Stat(cfgPath); err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("file mode after configure: %v %v, want 0644 kept", fi.Mode(), err)
			}
			if strings.Contains(r.stdout+r.stderr, "wJalrXUtnFEMI") {
				t.Error("configure printed the secret key")
			}

			// 2. One key of another profile: exactly one line differs, and
			// keeps its spacing.
			before := read()
			if r := run("configure", "me", "--region", "eu-central-1"); r.exit != 0 {
				t.Fatalf("configure me --region: exit %d\n%s", r.exit, r.stderr)
			}
			diffLines(t, before, read(), map[string]string{"region=eu-west-1" + eol: "region=eu-central-1" + eol})

			// 3. An empty value removes the key's line, nothing else.
			before = read()
			if r := run("configure", "work", "--duration-seconds", ""); r.exit != 0 {
				t.Fatalf("configure work --duration-seconds '': exit %d\n%s", r.exit, r.stderr)
			}
			diffLines(t, before, read(), map[string]string{"duration_seconds = 3600" + eol: ""})

			// 4. Refused settings leave the file as it was.
			before = read()
			for _, args := range [][]string{
				{"configure", "work", "--role-arn", "not-an-arn"},
				{"configure", "work", "--mfa-serial", "arn:aws:iam::123456789012:user/me"},
				{"configure", "work", "--source-profile", "nowhere"},
				{"configure", "bad name", "--region", "us-east-1"},
			} {
				r := run(args...)
				if r.exit != 2 || r.stdout != "" || !strings.HasPrefix(r.stderr, "awsmfa: ") {
					t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and a message", args, r.exit, r.stdout, r.stderr)
				}
				if read() != before {
					t.Errorf("%q changed the file", args)
				}
			}

			// The AWS CLI reads every profile of the result.
			if _, err := os.Stat(awsCLI); err != nil {
				if isCI() {
					t.Fatalf("%s is required under CI=true", awsCLI)
				}
				return
			}
			cli := func(args ...string) string {
				t.Helper()
				cmd := exec.Command(awsCLI, args...)
				cmd.Env = env
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return strings.TrimSpace(string(out))
			}
			profiles := strings.Fields(cli("configure", "list-profiles"))
			if strings.Join(profiles, " ") != "default me work sso-dev tabs last work-cli" {
				t.Errorf("aws configure list-profiles: %q", profiles)
			}
			for _, c := range []struct{ profile, key, want string }{
				{"work", "role_arn", "arn:aws:iam::123456789012:role/Admin"},
				{"work", "mfa_serial", "arn:aws:iam::123456789012:mfa/me"},
				{"me", "region", "eu-central-1"},
				{"me", "s3.max_concurrent_requests", "20"},
				{"tabs", "region", "ap-south-1"},
				{"last", "region", "us-east-2"},
				{"work-cli", "credential_process", "awsmfa credential-process --profile work"},
			} {
				if got := cli("configure", "get", c.key, "--profile", c.profile); got != c.want {
					t.Errorf("aws configure get %s --profile %s = %q, want %q", c.key, c.profile, got, c.want)
				}
			}
		})
	}
}

// diffLines checks that after is before with the lines of change replaced
// (an empty replacement removes the line) and nothing else changed.
func diffLines(t *testing.T, before, after string, change map[string]string) {
	t.Helper()
	var want strings.Builder
	seen := 0
	for _, l := range splitLines(before) {
		if r, ok := change[l]; ok {
			want.WriteString(r)
			seen++
			continue
		}
		want.WriteString(l)
	}
	if seen != len(change) {
		t.Fatalf("the lines %q are not all in the file", change)
	}
	if after != want.String() {
		t.Errorf("file after the change:\n%q\nwant\n%q", after, want.String())
	}
}

// TestBrokerConfigureKill9: `awsmfa configure` killed with SIGKILL at random
// moments while it rewrites a large config file never leaves a truncated
// or mixed file: each time the file is exactly the old one or exactly the
// new one.
func TestBrokerConfigureKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 loop: skipped with -short")
	}
	bin := awsmfaBinary(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config")
	const profiles = 6000
	var b strings.Builder
	b.WriteString("# a large config file\n[default]\nregion = us-east-1\n\n[profile base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
	for i := 0; i < profiles; i++ {
		fmt.Fprintf(&b, "\n# profile %d\n[profile p%d]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/r%d\nsource_profile = base\n", i, i, i)
	}
	if err := os.WriteFile(cfgPath, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "AWS_CONFIG_FILE=" + cfgPath,
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"), "AWSMFA_CACHE_BACKEND=file", "AWSMFA_CACHE_DIR=" + filepath.Join(dir, "cache")}
	// configure sets region = eu-west-3 in profile pN.
	change := func(data string, n int) string {
		return strings.Replace(data, fmt.Sprintf("[profile p%d]\nregion = us-east-1\n", n), fmt.Sprintf("[profile p%d]\nregion = eu-west-3\n", n), 1)
	}
	start := func(n int) *exec.Cmd {
		cmd := exec.Command(bin, "configure", fmt.Sprintf("p%d", n), "--region", "eu-west-3")
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}

	// Calibrate: a run that is not killed, and the change it makes.
	before, _ := os.ReadFile(cfgPath)
	t0 := time.Now()
	cmd := start(0)
	err := cmd.Wait()
	full := time.Since(t0)
	after, _ := os.ReadFile(cfgPath)
	if err != nil || string(after) != change(string(before), 0) {
		t.Fatalf("calibration run: %v; file changed as expected: %v", err, string(after) == change(string(before), 0))
	}
	t.Logf("configure on a %d-byte file takes %s", len(after), full.Round(time.Millisecond))

	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	const iterations = 40
	deadline := time.Now().Add(60 * time.Second)
	var killedUnchanged, killedChanged, finished, duringWrite int
	var leftovers []string
	for i := 1; i <= iterations && time.Now().Before(deadline); i++ {
		old, err := os.ReadFile(cfgPath)
		if err != nil {
			t.Fatal(err)
		}
		cmd := start(i)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var werr error
		exited := false
		if i%2 == 0 {
			// At a random moment of the run.
			time.Sleep(time.Duration(rng.Int63n(int64(full) * 3 / 2)))
		} else {
			// While the new file is being written: once the temporary
			// file exists, after up to 2 ms.
			for wait := time.Now().Add(2 * full); time.Now().Before(wait) && !exited; {
				if tmps, _ := filepath.Glob(filepath.Join(dir, ".config.tmp-*")); len(tmps) > len(leftovers) {
					time.Sleep(time.Duration(rng.Int63n(int64(2 * time.Millisecond))))
					duringWrite++
					break
				}
				select {
				case werr = <-done:
					exited = true
				case <-time.After(100 * time.Microsecond):
				}
			}
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		if !exited {
			werr = <-done
		}
		leftovers, _ = filepath.Glob(filepath.Join(dir, ".config.tmp-*"))
		cur, err := os.ReadFile(cfgPath)
		if err != nil {
			t.Fatalf("iteration %d: the config file is gone: %v", i, err)
		}
		killed := false
		var ee *exec.ExitError
		if errors.As(werr, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				killed = true
			}
		}
		switch string(cur) {
		case string(old):
			if !killed {
				t.Fatalf("iteration %d: configure exited (%v) without changing the file", i, werr)
			}
			killedUnchanged++
		case change(string(old), i):
			if killed {
				killedChanged++
			} else {
				finished++
			}
		default:
			t.Fatalf("iteration %d (killed %v): the file is neither the old nor the new one (%d bytes, old %d)", i, killed, len(cur), len(old))
		}
	}
	t.Logf("killed before the rename: %d, killed after it: %d, finished: %d; kills aimed at the temporary file's write: %d; temporary files left by killed runs: %d",
		killedUnchanged, killedChanged, finished, duringWrite, len(leftovers))
	if killedUnchanged+killedChanged == 0 || duringWrite == 0 {
		t.Error("no run was killed while it wrote the file: the test tested nothing")
	}
}
