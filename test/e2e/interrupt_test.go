package e2e

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// hungEndpoint accepts connections on loopback and never answers: an STS
// endpoint that hangs. accepted gets a value per connection.
func hungEndpoint(t *testing.T, accepted chan<- struct{}) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			select {
			case accepted <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// TestInterruptEndsCallAtOnce: SIGINT or SIGTERM while awsmfa waits on a
// hung STS endpoint or a hung mfa_process ends the command within a second,
// exit 2 with "interrupted", and leaves the cache without an entry.
func TestInterruptEndsCallAtOnce(t *testing.T) {
	bin := awsmfaBinary(t)
	accepted := make(chan struct{}, 16)
	hung := hungEndpoint(t, accepted)
	cases := []struct {
		name    string
		sig     syscall.Signal
		profile string
		// group sends the signal to the process group, as a terminal's
		// Ctrl-C does (mfa_process and its children get it too).
		group bool
	}{
		{"sts hangs, SIGINT", syscall.SIGINT, "mfa_process = echo 123456\n", false},
		{"sts hangs, SIGTERM", syscall.SIGTERM, "mfa_process = echo 123456\n", false},
		{"mfa_process hangs, Ctrl-C", syscall.SIGINT, "mfa_process = touch MARKER; sleep 60\n", true},
		{"mfa_process hangs, SIGTERM to awsmfa", syscall.SIGTERM, "mfa_process = touch MARKER; sleep 60\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			cfg := filepath.Join(tmp, "config")
			marker := filepath.Join(tmp, "mfa-process-started")
			c.profile = strings.ReplaceAll(c.profile, "MARKER", marker)
			for len(accepted) > 0 {
				<-accepted
			}
			text := fmt.Sprintf("[profile p]\nregion = us-east-1\nendpoint_url = %s\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nmfa_serial = arn:aws:iam::123456789012:mfa/p\n%s", hung, c.profile)
			if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			cache := filepath.Join(tmp, "cache")
			cmd := exec.Command(bin, "credential-process", "--profile", "p")
			cmd.Env = append(append([]string{}, noEgressEnv...),
				"PATH=/usr/bin:/bin", "HOME="+tmp, "AWS_CONFIG_FILE="+cfg,
				"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(tmp, "credentials"),
				"AWSMFA_CACHE_DIR="+cache, "AWSMFA_CACHE_BACKEND=file", "AWS_MAX_ATTEMPTS=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Signal once the call is in progress: STS has the request, or
			// mfa_process runs (however slow the machine is to start them).
			ready := time.After(30 * time.Second)
			for inCall := false; !inCall; {
				select {
				case <-accepted:
					inCall = true
				case err := <-done:
					t.Fatalf("ended before the signal: %v\n%s", err, stderr.String())
				case <-ready:
					t.Fatalf("the call did not start within 30 s\n%s", stderr.String())
				case <-time.After(20 * time.Millisecond):
					if _, err := os.Stat(marker); err == nil {
						inCall = true
					}
				}
			}
			sent := time.Now()
			if c.group {
				_ = syscall.Kill(-cmd.Process.Pid, c.sig)
			} else {
				_ = cmd.Process.Signal(c.sig)
			}
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-done
				t.Fatalf("still running 5 s after %v\n%s", c.sig, stderr.String())
			}
			if took := time.Since(sent); took > time.Second {
				t.Errorf("took %v to end after %v", took, c.sig)
			}
			if code := cmd.ProcessState.ExitCode(); code != 2 {
				t.Errorf("exit %d, want 2\n%s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr does not say interrupted:\n%s", stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout: %q", stdout.String())
			}
			entries, _ := os.ReadDir(cache)
			for _, e := range entries {
				if !e.IsDir() && !strings.HasSuffix(e.Name(), ".lock") {
					t.Errorf("cache holds %s after the interrupt", e.Name())
				}
			}
		})
	}
}
