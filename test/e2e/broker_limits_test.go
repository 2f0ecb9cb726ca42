package e2e

// Input limits of the credential broker, through the awsmfa binary: every
// untrusted input (config and credentials files, credential_process and
// mfa_process output, the credentials endpoint's requests) is read up to
// its limit and answered within seconds, exit 2 with an error naming the
// input and the limit, in bounded memory.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/lab"
)

// maxRSS is the memory bound asserted for a process reading a limited
// input (the limits are 16 MiB at most; the Go runtime and the SDK add
// some tens of MiB).
const maxRSS = 150 << 20

// limitedRun runs awsmfa and returns its result, how long it took and its
// peak resident memory.
func (b *brokerLab) limitedRun(env []string, args ...string) (cliResult, time.Duration, int64) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.Bin, args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	res := cliResult{stdout: out.String(), stderr: errb.String(), exit: cmd.ProcessState.ExitCode()}
	b.keep(res, false)
	if ctx.Err() != nil {
		b.t.Fatalf("awsmfa %v: no answer within 60 s (%v)", args, err)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = int64(ru.Maxrss) << 10 // kilobytes on Linux
	}
	return res, took, rss
}

func TestBrokerInputLimits(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	b := startBrokerLab(t, lab.Lifetimes{})
	b.seedProfiles()
	tmp := t.TempDir()
	endless := filepath.Join(tmp, "endless-line")
	if err := os.WriteFile(endless, append([]byte("[default]\nregion = "), bytes.Repeat([]byte("x"), 20<<20)...), 0o600); err != nil {
		t.Fatal(err)
	}
	procs := filepath.Join(tmp, "config-procs")
	bob := b.user("bob")
	keys := fmt.Sprintf("aws_access_key_id = %s\naws_secret_access_key = %s\n", bob.AccessKeys[0].ID, bob.AccessKeys[0].Secret)
	if err := os.WriteFile(procs, []byte(`[profile endless]
credential_process = yes
[profile ten-mb]
credential_process = sh -c "head -c 10485760 /dev/zero | tr '\000' x"
[profile deep]
credential_process = sh -c "head -c 1000000 /dev/zero | tr '\000' '['"
[profile chatty-mfa]
region = us-east-1
endpoint_url = `+b.URL+`
mfa_serial = `+bob.MFASerial+`
mfa_process = yes 123456
`+keys), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  []string
		args []string
		want []string
	}{
		{"config file /dev/zero", []string{"AWS_CONFIG_FILE=/dev/zero"}, []string{"credential-process", "--profile", "bob"},
			[]string{"/dev/zero: the config file is larger than the 16 MiB limit of AWS config and credentials files"}},
		{"credentials file /dev/zero", []string{"AWS_SHARED_CREDENTIALS_FILE=/dev/zero"}, []string{"status"},
			[]string{"/dev/zero: the credentials file is larger than the 16 MiB limit"}},
		{"config file /dev/zero, configure", []string{"AWS_CONFIG_FILE=/dev/zero"}, []string{"configure", "x", "--region", "us-east-1"},
			[]string{"/dev/zero: the config file is larger than the 16 MiB limit"}},
		{"an endless line", []string{"AWS_CONFIG_FILE=" + endless}, []string{"exec", "--profile", "bob", "--", "true"},
			[]string{endless + ": the config file is larger than the 16 MiB limit"}},
		{"credential_process printing forever", []string{"AWS_CONFIG_FILE=" + procs}, []string{"credential-process", "--profile", "endless"},
			[]string{`profile "endless"`, procs, "printed more than the 1 MiB limit of credential_process output"}},
		{"credential_process printing 10 MB", []string{"AWS_CONFIG_FILE=" + procs}, []string{"credential-process", "--profile", "ten-mb"},
			[]string{procs, "1 MiB limit of credential_process output"}},
		{"credential_process printing JSON nested 1M deep", []string{"AWS_CONFIG_FILE=" + procs}, []string{"credential-process", "--profile", "deep"},
			[]string{procs, "printed unusable credentials: the output is not a JSON object"}},
		{"mfa_process printing forever", []string{"AWS_CONFIG_FILE=" + procs}, []string{"credential-process", "--profile", "chatty-mfa"},
			[]string{bob.MFASerial, "mfa_process printed more than the 4096-byte limit of its output"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, took, rss := b.limitedRun(b.env(c.env...), c.args...)
			if r.exit != 2 || r.stdout != "" {
				t.Errorf("exit %d, stdout %.100q", r.exit, r.stdout)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%.2000s", w, r.stderr)
				}
			}
			if took > 10*time.Second {
				t.Errorf("took %s", took)
			}
			if rss > maxRSS {
				t.Errorf("peak memory %d MiB, want under %d MiB", rss>>20, maxRSS>>20)
			}
			t.Logf("%s, peak memory %d MiB", took.Round(time.Millisecond), rss>>20)
		})
	}
}

// TestBrokerEndpointRequestBody: a 10 MB request body sent to `awsmfa
// serve` is refused (413) unread within seconds, the server's memory stays
// bounded, and it goes on serving.
func TestBrokerEndpointRequestBody(t *testing.T) {
	b := startBrokerLab(t, lab.Lifetimes{})
	b.seedProfiles()
	cmd := exec.Command(b.Bin, "serve", "--profile", "bob", "-o", "json")
	cmd.Env = b.env()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var res struct{ URL, Token string }
	if err := json.NewDecoder(stdout).Decode(&res); err != nil {
		t.Fatalf("serve: %v\n%s", err, stderr.String())
	}
	b.mu.Lock()
	b.secrets[res.Token] = true
	b.mu.Unlock()
	host := strings.TrimSuffix(strings.TrimPrefix(res.URL, "http://"), "/")
	for _, header := range []string{"Content-Length: 10485760", "Transfer-Encoding: chunked"} {
		conn, err := net.DialTimeout("tcp", host, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\n%s\r\n\r\n", host, res.Token, header)
		go func(c net.Conn) {
			chunk := bytes.Repeat([]byte("a"), 64<<10)
			for i := 0; i < 160; i++ { // 10 MB
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		}(conn)
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: %v", header, err)
		}
		resp.Body.Close()
		conn.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: status %d, want 413", header, resp.StatusCode)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("%s: took %s", header, took)
		}
	}
	if rss := vmRSS(t, cmd.Process.Pid); rss > maxRSS {
		t.Errorf("serve uses %d MiB after the 10 MB bodies", rss>>20)
	}
	req, _ := http.NewRequest(http.MethodGet, res.URL, nil)
	req.Header.Set("Authorization", res.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("after the bodies: status %d", resp.StatusCode)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v\n%s", err, stderr.String())
	}
	b.keep(cliResult{stderr: stderr.String()}, false)
}

// vmRSS is a running process's resident memory (Linux /proc).
func vmRSS(t *testing.T, pid int) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
