package e2e

// Broker faults through the awsmfa binary and real processes: a failed MFA
// attempt shared with the processes waiting for it, an unusable cache
// directory, unusable cache entries reported once, exec --server's signals
// reaching the command's process group, mfa_process's messages on the
// terminal, duplicate profile sections, and the new-user fixes
// (configure --cli-profile's region, login PROFILE).

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/testutil"

	"golang.org/x/sys/unix"
)

// wrongCode is a 6-digit code the user's device gives neither now nor in
// the next minute.
func (b *brokerLab) wrongCode(user string) string {
	b.t.Helper()
	valid := map[string]bool{}
	for step := -1; step <= 2; step++ {
		valid[b.code(user, time.Duration(step)*30*time.Second)] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333", "444444"} {
		if !valid[c] {
			return c
		}
	}
	b.t.Fatal("no wrong code")
	return ""
}

// finalKey is the cache key of a profile's own credentials.
func (b *brokerLab) finalKey(profile string) string {
	b.t.Helper()
	env := map[string]string{}
	for _, kv := range b.env() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	cfg, err := awsconfig.Load(awsconfig.MapEnv(env, "linux"))
	if err != nil {
		b.t.Fatal(err)
	}
	ch, err := cfg.Resolve(profile)
	if err != nil {
		b.t.Fatal(err)
	}
	return broker.KeysFor(ch).Final()
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestBrokerFiftyProcessesWrongCode: 50 `awsmfa credential-process` started
// at once with a wrong code cost one mfa_process run and one
// GetSessionToken: the process holding the lock fails, and the 49 that
// waited for it fail at once with the same error instead of each asking
// and calling STS. A run started after the failure (the user fixed the
// code) is not refused.
func TestBrokerFiftyProcessesWrongCode(t *testing.T) {
	const n = 50
	b := startBrokerLab(t, lab.Lifetimes{})
	anika := b.newCounter("anika")
	codeFile := filepath.Join(t.TempDir(), "code")
	if err := os.WriteFile(codeFile, []byte(b.wrongCode("anika")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The wrong code is printed once every process runs (a loaded machine
	// may take seconds to start 50), so that all were waiting when the
	// attempt failed: a process started after a failure tries again.
	goFile := filepath.Join(t.TempDir(), "go")
	b.configure("role-with-mfa", "--mfa-process", strings.Replace(b.mfaProcess(anika, "", "cat "+codeFile), ".sh ", ".sh -g "+goFile+" ", 1))

	env := b.env()
	var wg sync.WaitGroup
	results := make([]cliResult, n)
	errs := make([]error, n)
	took := make([]time.Duration, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			t0 := time.Now()
			_, results[i], errs[i] = b.credentialProcessE(env, "role-with-mfa")
			took[i] = time.Since(t0)
		}(i)
	}
	gst := len(b.records("sts:GetSessionToken"))
	close(start)
	waitRunning(t, "AWS_CONFIG_FILE="+b.Config, "credential-process", n, time.Minute)
	time.Sleep(time.Second) // from exec to the start of their Get
	if err := os.WriteFile(goFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	first := ""
	shared := 0
	for i, r := range results {
		if errs[i] != nil {
			t.Errorf("process %d: %v", i, errs[i])
			continue
		}
		if r.exit != 2 || r.stdout != "" {
			t.Errorf("process %d: exit %d, stdout %q\n%s", i, r.exit, r.stdout, r.stderr)
			continue
		}
		line := lastLine(r.stderr)
		if first == "" {
			first = line
		}
		if line != first {
			t.Errorf("process %d ended with another error:\n%s\nwant\n%s", i, line, first)
		}
		if strings.Contains(r.stderr, "while this one waited for it") {
			shared++
		}
		if took[i] > 30*time.Second {
			t.Errorf("process %d took %s", i, took[i])
		}
	}
	if !strings.Contains(first, "AWS refused the MFA code for "+b.user("anika").MFASerial) {
		t.Errorf("error %q", first)
	}
	if shared != n-1 {
		t.Errorf("%d processes said they did not try themselves, want %d", shared, n-1)
	}
	if got := anika.count(); got > 1 {
		t.Errorf("mfa_process ran %d times, want at most 1: %q", got, anika.lines())
	}
	if got := len(b.records("sts:GetSessionToken")) - gst; got > 1 {
		t.Errorf("the lab got %d GetSessionToken calls, want at most 1", got)
	}

	// The user fixes the code and tries again at once: not refused.
	if err := os.WriteFile(codeFile, []byte(b.code("anika", 30*time.Second)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, r := b.credentialProcess(env, "role-with-mfa")
	if r.exit != 0 || out.AccessKeyID == "" {
		t.Fatalf("retry with the right code: exit %d\n%s", r.exit, r.stderr)
	}
	if got := anika.count(); got != 2 {
		t.Errorf("mfa_process ran %d times in all, want 2", got)
	}
}

// TestBrokerUnusableCacheDir: a cache directory that is a file, lies under
// a file, or is read-only is reported once, and credential-process and
// exec work without the cache (exit 0), instead of failing.
func TestBrokerUnusableCacheDir(t *testing.T) {
	b := startBrokerLab(t, lab.Lifetimes{})
	tmp := t.TempDir()
	notADir := filepath.Join(tmp, "not-a-dir")
	if err := os.WriteFile(notADir, []byte("a file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dirs := []struct{ name, dir, want string }{
		{"a file", notADir, "not a directory"},
		{"under a file", filepath.Join(notADir, "cache"), "not a directory"},
	}
	if ro := unwritableDir(t, tmp); ro != "" {
		dirs = append(dirs, struct{ name, dir, want string }{"read-only", ro, ro})
	}
	// Each case gets an MFA session of its own user (a device's code is
	// accepted once).
	users := []string{"alice", "bob", "anika"}
	for i, d := range dirs {
		t.Run(d.name, func(t *testing.T) {
			user := users[i]
			b.configure(user, "--mfa-serial", b.user(user).MFASerial, "--mfa-process", b.totpCmd(user))
			out, r := b.credentialProcess(b.env("AWSMFA_CACHE_DIR="+d.dir), user)
			if r.exit != 0 || !strings.HasPrefix(out.AccessKeyID, "ASIA") {
				t.Fatalf("exit %d\n%s", r.exit, r.stderr)
			}
			if n := strings.Count(r.stderr, "warning"); n != 1 || !strings.Contains(r.stderr, d.dir) || !strings.Contains(r.stderr, d.want) || !strings.Contains(r.stderr, "going on without it") {
				t.Errorf("want one warning naming %s, got %d:\n%s", d.dir, n, r.stderr)
			}
		})
	}
}

// TestBrokerUnusableEntriesReportedOnce: cache entries that do not
// decrypt with the passphrase, or are garbage (here also 10 MB, and JSON
// nested a million deep), are reported once each, saying they will be
// replaced, and replaced; the command succeeds.
func TestBrokerUnusableEntriesReportedOnce(t *testing.T) {
	b := startBrokerLab(t, lab.Lifetimes{})
	anika := b.newCounter("anika")
	codeFile := filepath.Join(t.TempDir(), "code")
	b.configure("role-with-mfa", "--mfa-process", b.mfaProcess(anika, "", "cat "+codeFile))
	writeCode := func(offset time.Duration) {
		if err := os.WriteFile(codeFile, []byte(b.code("anika", offset)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(extra ...string) cliResult {
		t.Helper()
		_, r := b.credentialProcess(b.env(extra...), "role-with-mfa")
		if r.exit != 0 {
			t.Fatalf("exit %d\n%s", r.exit, r.stderr)
		}
		return r
	}
	writeCode(0)
	run("AWSMFA_CACHE_PASSPHRASE=first passphrase")
	entries := cacheEntries(t, b.Cache)
	if len(entries) != 2 {
		t.Fatalf("cache entries %+v, want the MFA session and the role", entries)
	}
	writeCode(30 * time.Second)
	pass := "AWSMFA_CACHE_PASSPHRASE=another passphrase"
	r := run(pass)
	if n := strings.Count(r.stderr, "cannot be decrypted"); n != 2 || !strings.Contains(r.stderr, "overwrite it") {
		t.Errorf("2 undecryptable entries reported %d times, want once each:\n%s", n, r.stderr)
	}
	for _, e := range entries {
		key := strings.TrimSuffix(filepath.Base(e.Path), ".json")
		if n := strings.Count(r.stderr, key); n != 1 {
			t.Errorf("entry %s reported %d times, want once:\n%s", key, n, r.stderr)
		}
	}
	// Garbage in the role's entry: reported once, and the role assumed
	// again from the MFA session, without a code.
	role := filepath.Join(b.Cache, b.finalKey("role-with-mfa")+".json")
	if data, err := os.ReadFile(role); err != nil || !strings.Contains(string(data), "sealed") {
		t.Fatalf("role entry %s: %v", role, err)
	}
	for _, g := range []struct {
		name string
		data []byte
		want string
	}{
		{"garbage", []byte("}{"), "not a JSON cache entry"},
		{"10 MB", []byte(strings.Repeat("a", 10<<20)), "larger than the 1 MiB limit of a cache entry"},
		{"1M-deep nesting", []byte(strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000)), "larger than the 1 MiB limit"},
		{"1M-deep nesting within the limit", []byte(strings.Repeat("[", 1_000_000)), "not a JSON cache entry"},
	} {
		if err := os.WriteFile(role, g.data, 0o600); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		r := run(pass)
		if n := strings.Count(r.stderr, role); n != 1 || !strings.Contains(r.stderr, g.want) || !strings.Contains(r.stderr, "replace it") {
			t.Errorf("%s entry reported %d times, want once with %q:\n%s", g.name, n, g.want, r.stderr)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s entry: took %s", g.name, d)
		}
		if data, _ := os.ReadFile(role); !strings.Contains(string(data), "sealed") {
			t.Errorf("%s entry not replaced", g.name)
		}
	}
	if anika.count() != 2 {
		t.Errorf("codes asked %d, want 2 (the garbage role entries are re-assumed from the session)", anika.count())
	}
}

// TestBrokerExecServerSignalsGroup: SIGTERM to `awsmfa exec --server`
// outside a terminal (CI, a supervisor) reaches every process the command
// started, not only the command, and awsmfa exits 128+15; the refused
// requests of a stray client are logged only with --verbose.
func TestBrokerExecServerSignalsGroup(t *testing.T) {
	b := startBrokerLab(t, lab.Lifetimes{})
	b.seedProfiles()
	requireTool(t, "curl")
	for _, verbose := range []bool{false, true} {
		t.Run(fmt.Sprintf("verbose=%v", verbose), func(t *testing.T) {
			dir := t.TempDir()
			pidFile := filepath.Join(dir, "pid")
			script := `curl -s -o /dev/null -H "Authorization: wrong" "$AWS_CONTAINER_CREDENTIALS_FULL_URI"; sleep 300 & echo $! > ` + pidFile + `; echo ready; wait`
			args := []string{"exec", "--profile", "bob", "--server"}
			if verbose {
				args = append(args, "--verbose")
			}
			cmd := exec.Command(b.Bin, append(args, "--", "sh", "-c", script)...)
			cmd.Env = b.env()
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			stdout, stderr := &testutil.SyncBuffer{}, &testutil.SyncBuffer{}
			cmd.Stdout, cmd.Stderr = stdout, stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
			deadline := time.Now().Add(30 * time.Second)
			for {
				if _, err := os.Stat(pidFile); err == nil && strings.Contains(stdout.String(), "ready") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the command never started\n%s", stderr.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			data, _ := os.ReadFile(pidFile)
			sleeper, err := strconv.Atoi(strings.TrimSpace(string(data)))
			if err != nil {
				t.Fatal(err)
			}
			sent := time.Now()
			_ = cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("awsmfa still runs 10 s after SIGTERM")
			}
			if code := cmd.ProcessState.ExitCode(); code != -1 && code != 128+int(syscall.SIGTERM) {
				t.Errorf("exit %d, want %d", code, 128+int(syscall.SIGTERM))
			}
			if took := time.Since(sent); took > 3*time.Second {
				t.Errorf("took %s to end", took)
			}
			testutil.WaitProcessGone(t, sleeper, "started by the command, after SIGTERM to awsmfa")
			logged := strings.Contains(stderr.String(), "InvalidToken")
			if logged != verbose {
				t.Errorf("refused request logged %v with --verbose=%v:\n%s", logged, verbose, stderr.String())
			}
		})
	}
}

// TestBrokerDuplicateProfileSections: a profile written twice is merged as
// the SDKs do (credential-process works, quietly: the SDKs would show a
// warning on every call), `awsmfa status` and exec warn that the AWS CLI
// refuses the file, and the AWS CLI does refuse it.
func TestBrokerDuplicateProfileSections(t *testing.T) {
	b := startBrokerLab(t, lab.Lifetimes{})
	bob := b.user("bob")
	cfg := filepath.Join(t.TempDir(), "config")
	text := fmt.Sprintf("[profile dup]\nregion = us-east-1\nendpoint_url = %s\naws_access_key_id = %s\n\n[profile dup]\naws_secret_access_key = %s\n",
		b.URL, bob.AccessKeys[0].ID, bob.AccessKeys[0].Secret)
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	env := b.env("AWS_CONFIG_FILE=" + cfg)
	out, r := b.credentialProcess(env, "dup")
	if r.exit != 0 || out.AccessKeyID != bob.AccessKeys[0].ID || strings.Contains(r.stderr, "warning") {
		t.Fatalf("credential-process: exit %d, key %s\n%s", r.exit, out.AccessKeyID, r.stderr)
	}
	want := cfg + ":6: section [profile dup] is written again here (first at line 1)"
	for _, args := range [][]string{{"status"}, {"exec", "--profile", "dup", "--", "true"}} {
		r := b.run(env, false, b.Bin, args...)
		if r.exit != 0 || strings.Count(r.stderr, want) != 1 || !strings.Contains(r.stderr, "the AWS CLI refuses the whole file") {
			t.Errorf("%v: exit %d, want one warning %q:\n%s", args, r.exit, want, r.stderr)
		}
	}
	requireTool(t, awsCLI)
	if r := b.run(env, false, awsCLI, "--profile", "dup", "configure", "list"); r.exit == 0 || !strings.Contains(r.stderr, "Unable to parse config file") {
		t.Errorf("the AWS CLI accepted the file: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
}

// TestBrokerReadmeCLIProfile: the README's configure example followed by
// `aws --profile work` works as shown: the profile --cli-profile writes
// carries the region (from the configured profile's chain), since the AWS
// CLI takes the region of the profile it is given.
func TestBrokerReadmeCLIProfile(t *testing.T) {
	requireTool(t, awsCLI)
	b := startBrokerLab(t, lab.Lifetimes{})
	anika := b.newCounter("anika")
	u := b.user("anika")
	r := b.configure("anika-admin", "--source-profile", "anika", "--role-arn", "arn:aws:iam::123456789012:role/cli-role",
		"--mfa-serial", u.MFASerial, "--mfa-process", b.mfaProcess(anika, "", b.totpCmd("anika")), "--cli-profile", "work")
	if !strings.Contains(r.stdout, "[profile work] in ") || !strings.Contains(r.stdout, "+ region = us-east-1") {
		t.Errorf("configure summary:\n%s", r.stdout)
	}
	var id struct{ Arn string }
	b.awsOK([]string{"AWS_ENDPOINT_URL=" + b.URL}, &id, "--profile", "work", "sts", "get-caller-identity")
	if !strings.Contains(id.Arn, "assumed-role/cli-role/") || anika.count() != 1 {
		t.Errorf("arn %q, codes %d", id.Arn, anika.count())
	}
}

// TestBrokerLoginProfileArgument: `awsmfa login PROFILE` takes the profile
// as its argument.
func TestBrokerLoginProfileArgument(t *testing.T) {
	b := startBrokerLab(t, lab.Lifetimes{})
	b.seedProfiles()
	fed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"SigninToken":"TOKEN"}`)
	}))
	t.Cleanup(fed.Close)
	r := b.awsmfa(nil, "login", "role-with-mfa", "--federation-url", fed.URL+"/federation")
	if r.exit != 0 || !strings.HasPrefix(r.stdout, fed.URL+"/federation?Action=login") {
		t.Fatalf("login role-with-mfa: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	r = b.awsmfa(nil, "login", "bob")
	if r.exit != 2 || !strings.Contains(r.stderr, `profile "bob" has no role_arn`) {
		t.Errorf("login bob: exit %d\n%s", r.exit, r.stderr)
	}
	r = b.awsmfa(nil, "login", "bob", "--profile", "alice")
	if r.exit != 2 || !strings.Contains(r.stderr, "given twice") {
		t.Errorf("login bob --profile alice: exit %d\n%s", r.exit, r.stderr)
	}
}

// openPTY opens a pseudo-terminal pair: the master, read by the test, and
// the slave, the terminal of the process under test.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open the slave: %v", err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

// TestBrokerMFAProcessMessagesOnTheTerminal: the AWS CLI captures a
// credential_process's standard error (and shows it only on failure), so
// mfa_process's "touch your security key" goes to the terminal: the user
// sees it while the AWS CLI waits.
func TestBrokerMFAProcessMessagesOnTheTerminal(t *testing.T) {
	requireTool(t, awsCLI)
	b := startBrokerLab(t, lab.Lifetimes{})
	b.configure("bob", "--mfa-serial", b.user("bob").MFASerial, "--region", "us-east-1", "--cli-profile", "bob-mfa",
		"--mfa-process", `sh -c "echo 'Touch your security key' >&2; `+b.totpCmd("bob")+`"`)
	master, slave := openPTY(t)
	terminal := &testutil.SyncBuffer{}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			_, _ = terminal.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), brokerCmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, awsCLI, "--profile", "bob-mfa", "sts", "get-caller-identity")
	cmd.Env = b.env()
	cmd.Stdin = slave
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// The terminal is the controlling terminal of a new session, as a
	// login shell's.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	err := cmd.Run()
	b.keep(cliResult{stdout: stdout.String(), stderr: stderr.String()}, false)
	if err != nil || !strings.Contains(stdout.String(), "user/bob") {
		t.Fatalf("aws: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(terminal.String(), "Touch your security key") {
		if time.Now().After(deadline) {
			t.Fatalf("the terminal never showed mfa_process's message; it got %q", terminal.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if strings.Contains(stderr.String(), "Touch your security key") {
		t.Errorf("the message went to standard error too: %q", stderr.String())
	}
}

// waitRunning waits until n processes whose environment holds env and whose
// command line holds arg run (or timeout passes: the test then goes on and
// its own checks say what happened).
func waitRunning(t *testing.T, env, arg string, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		count := 0
		procs, _ := filepath.Glob("/proc/[0-9]*")
		for _, p := range procs {
			cmdline, err1 := os.ReadFile(p + "/cmdline")
			environ, err2 := os.ReadFile(p + "/environ")
			if err1 == nil && err2 == nil && strings.Contains(string(cmdline), arg) &&
				strings.Contains("\x00"+string(environ)+"\x00", "\x00"+env+"\x00") {
				count++
			}
		}
		if count >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("only some of the %d processes ran after %s", n, timeout)
}
