package e2e

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/testutil"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// awsmfaBinary builds ./cmd/awsmfa once per test run.
func awsmfaBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "awsmfa-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "awsmfa")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goTool); err != nil {
			goTool = "go"
		}
		cmd := exec.Command(goTool, "build", "-o", binPath, "../../cmd/awsmfa")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as released (make build, make dist)
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("building awsmfa: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// labProcess is `awsmfa lab serve` running as a child process.
type labProcess struct {
	cmd    *exec.Cmd
	stderr *testutil.SyncBuffer
	done   chan error
}

func startServe(t *testing.T, bin string, env []string, args ...string) *labProcess {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"lab", "serve"}, args...)...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &labProcess{cmd: cmd, stderr: &testutil.SyncBuffer{}, done: make(chan error, 1)}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			p.stderr.Write([]byte(line + "\n"))
			if u, ok := strings.CutPrefix(line, "endpoint: "); ok {
				select {
				case ready <- u:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("awsmfa lab serve stderr:\n%s", p.stderr.String())
		}
	})
	select {
	case <-ready:
	case err := <-p.done:
		t.Fatalf("lab serve exited: %v\n%s", err, p.stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("lab serve did not start:\n%s", p.stderr.String())
	}
	return p
}

// stop sends SIGTERM and waits for a clean exit.
func (p *labProcess) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("lab serve exit after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("lab serve did not stop on SIGTERM")
	}
	if !strings.Contains(p.stderr.String(), "shutting down") {
		t.Errorf("no shutdown message:\n%s", p.stderr.String())
	}
}

// TestBinaryInitServe is the user's path: `awsmfa lab init` prints commands,
// `awsmfa lab serve` serves the state, and the printed commands, run by a
// shell with the real AWS CLI v2, behave as their comments say. A restart
// keeps the account.
func TestBinaryInitServe(t *testing.T) {
	requireTool(t, awsCLI)
	requireTool(t, "/bin/sh")
	bin := awsmfaBinary(t)
	tmp := t.TempDir()
	state, dir := filepath.Join(tmp, "lab.sqlite"), filepath.Join(tmp, "aws")
	port := freePort(t)
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	binDir := filepath.Dir(bin)
	env := append([]string{
		"PATH=" + binDir + ":/usr/bin:/bin", "HOME=" + filepath.Join(tmp, "home"), "LANG=C.UTF-8",
		"AWS_PAGER=", "AWS_MAX_ATTEMPTS=1", "AWSMFA_LAB_ADMIN_TOKEN=test-admin-token",
	}, noEgressEnv...)

	initCmd := exec.Command(bin, "lab", "init", "--state", state, "--dir", dir, "--endpoint", endpoint, "-o", "json")
	initCmd.Env = env
	out, err := initCmd.Output()
	if err != nil {
		t.Fatalf("lab init: %v\n%s", err, out)
	}
	var res struct {
		Commands []struct{ Command, Comment string }
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("lab init -o json: %v\n%s", err, out)
	}

	srv := startServe(t, bin, env, "--state", state, "--addr", "127.0.0.1:"+strconv.Itoa(port))
	sh := func(command string) (string, int) {
		t.Helper()
		c := exec.Command("/bin/sh", "-c", ". "+filepath.Join(dir, "env.sh")+" && unset AWS_ENDPOINT_URL && "+command)
		c.Env = env
		b, err := c.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(b), code
	}
	ran := 0
	for _, c := range res.Commands {
		cmd := c.Command
		switch {
		case strings.HasPrefix(cmd, "awsmfa lab serve"), strings.HasPrefix(cmd, "export "):
			continue
		case strings.Contains(cmd, "--profile role-with-mfa"):
			// Interactive: answer the prompt with `awsmfa lab totp`.
			code, _ := sh("awsmfa lab totp --state " + state + " --serial arn:aws:iam::123456789012:mfa/anika")
			a := &awsRunner{t: t, env: append(append([]string{}, env...),
				"AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
				"AWS_DATA_PATH="+filepath.Join(dir, "data"))}
			args := strings.Fields(strings.TrimPrefix(cmd, "aws "))
			o := runWithPrompt(t, a, strings.TrimSpace(code), args...)
			if !strings.Contains(o, `"UserName": "bob"`) {
				t.Errorf("%s:\n%s", cmd, o)
			}
			ran++
			continue
		}
		o, code := sh(cmd)
		wantFail := strings.HasPrefix(c.Comment, "denied") || strings.HasPrefix(c.Comment, "AccessDenied")
		if (code != 0) != wantFail {
			t.Errorf("%s\n  # %s\nexit %d:\n%s", cmd, c.Comment, code, o)
		}
		ran++
	}
	if ran < 6 {
		t.Errorf("ran %d of the printed commands, want at least 6: %+v", ran, res.Commands)
	}

	// The admin stats endpoint.
	req, _ := http.NewRequest("GET", endpoint+"/_lab/stats", nil)
	req.Header.Set("Authorization", "Bearer test-admin-token")
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var stats map[string]int
	err = json.NewDecoder(resp.Body).Decode(&stats)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || stats["sts:AssumeRole"] < 2 || stats["ec2:DescribeRegions"] < 2 {
		t.Errorf("stats: %d %v %v", resp.StatusCode, stats, err)
	}

	// Restart: the state keeps the account and its keys.
	srv.stop(t)
	startServe(t, bin, env, "--state", state, "--addr", "127.0.0.1:"+strconv.Itoa(port))
	if o, code := sh("aws --endpoint-url " + endpoint + " --profile alice sts get-caller-identity"); code != 0 || !strings.Contains(o, "user/alice") {
		t.Errorf("after restart: exit %d\n%s", code, o)
	}
	// A code is accepted at most once, also across a restart: the second
	// use always fails (the first fails too when the printed command above
	// already used this step's code).
	code, _ := sh("awsmfa lab totp --state " + state + " --serial bob")
	gst := "aws --endpoint-url " + endpoint + " --profile bob sts get-session-token --serial-number arn:aws:iam::123456789012:mfa/bob --token-code " + strings.TrimSpace(code)
	sh(gst)
	if o, exit := sh(gst); exit != 254 || !strings.Contains(o, msgInvalidCode) {
		t.Errorf("reused code: exit %d\n%s", exit, o)
	}
}

// TestMain removes the binary built by awsmfaBinary.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}
