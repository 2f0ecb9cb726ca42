//go:build linux

package mfa

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// pty is a pseudo-terminal pair opened with /dev/ptmx ioctls (no
// dependency beyond golang.org/x/sys). The TTY source opens the slave by
// path, as it opens /dev/tty; the test plays the user on the master.
type pty struct {
	master    *os.File
	slavePath string

	mu  sync.Mutex
	out bytes.Buffer // everything the source wrote to the terminal
}

func openPTY(t *testing.T) *pty {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("ptsname: %v", err)
	}
	p := &pty{master: m, slavePath: "/dev/pts/" + strconv.Itoa(int(n))}
	// Keep the slave open for the whole test so the master never sees a
	// hang-up between prompts (as a real terminal stays open).
	s, err := os.OpenFile(p.slavePath, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open %s: %v", p.slavePath, err)
	}
	go func() {
		buf := make([]byte, 1024)
		for {
			k, err := m.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:k])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { s.Close(); m.Close() })
	return p
}

func (p *pty) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// waitFor waits until the terminal output contains s n times.
func (p *pty) waitFor(t *testing.T, s string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(p.output(), s) < n {
		if time.Now().After(deadline) {
			t.Fatalf("terminal never showed %q %d times; got %q", s, n, p.output())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// echoOff reports whether the slave currently has echo disabled.
func (p *pty) echoOff(t *testing.T) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(p.master.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO == 0
}

func (p *pty) waitEchoOff(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !p.echoOff(t) {
		if time.Now().After(deadline) {
			t.Fatal("echo never turned off")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (p *pty) typeLine(t *testing.T, s string) {
	t.Helper()
	p.waitEchoOff(t)
	if _, err := p.master.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}

const prompt = "Enter MFA code for " + serial + ": "

func TestTTYPrompt(t *testing.T) {
	tests := []struct {
		name    string
		req     Request
		typed   []string
		want    string
		wantErr string
		errIs   error
		shows   []string
	}{
		{name: "code", req: req, typed: []string{"123456\n"}, want: "123456",
			shows: []string{"awsmfa: MFA code needed for profile role-with-mfa\r\n" + prompt}},
		{name: "no reason line", req: Request{Serial: serial}, typed: []string{" 012345 \n"}, want: "012345"},
		{name: "bad then good", req: req, typed: []string{"12345\n", "654321\n"}, want: "654321",
			shows: []string{"MFA code must be 6 digits, got 5; try again.\r\n" + prompt}},
		{name: "three bad", req: req, typed: []string{"1\n", "abcdef\n", "1234567\n"},
			wantErr: "no valid MFA code after 3 attempts: MFA code must be 6 digits, got 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := openPTY(t)
			s := New(Options{TTY: p.slavePath, Desktop: true, LookPath: func(string) (string, error) {
				t.Error("desktop looked up although a terminal is there")
				return "", errors.New("no")
			}})
			type result struct {
				code string
				err  error
			}
			done := make(chan result, 1)
			go func() {
				c, err := s.Code(t.Context(), tt.req)
				done <- result{c, err}
			}()
			for i, line := range tt.typed {
				p.waitFor(t, prompt, i+1)
				p.typeLine(t, line)
			}
			r := <-done
			switch {
			case tt.errIs != nil:
				if !errors.Is(r.err, tt.errIs) {
					t.Fatalf("Code = %q, %v; want %v", r.code, r.err, tt.errIs)
				}
			case tt.wantErr != "":
				if r.err == nil || !strings.Contains(r.err.Error(), tt.wantErr) {
					t.Fatalf("Code = %q, %v; want %q", r.code, r.err, tt.wantErr)
				}
			default:
				if r.err != nil || r.code != tt.want {
					t.Fatalf("Code = %q, %v; want %q", r.code, r.err, tt.want)
				}
			}
			time.Sleep(20 * time.Millisecond)
			out := p.output()
			for _, sh := range tt.shows {
				if !strings.Contains(out, sh) {
					t.Errorf("terminal output %q lacks %q", out, sh)
				}
			}
			// Nothing typed is echoed back.
			for _, line := range tt.typed {
				if l := strings.TrimSpace(line); len(l) > 1 && strings.Contains(out, l) {
					t.Errorf("typed %q was echoed: %q", l, out)
				}
			}
			if p.echoOff(t) {
				t.Error("echo left off")
			}
		})
	}
}

// TestTTYNeverWritesStdout: with stdout captured (as under
// credential_process), the prompt still goes to the terminal only.
func TestTTYNeverWritesStdout(t *testing.T) {
	p := openPTY(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	done := make(chan error, 1)
	go func() {
		_, err := New(Options{TTY: p.slavePath}).Code(t.Context(), req)
		done <- err
	}()
	p.waitFor(t, prompt, 1)
	p.typeLine(t, "123456\n")
	err = <-done
	os.Stdout = saved
	w.Close()
	captured, _ := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(captured) != 0 {
		t.Errorf("stdout got %q", captured)
	}
}

func TestTTYContextCancelRestoresTerminal(t *testing.T) {
	p := openPTY(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := New(Options{TTY: p.slavePath}).Code(ctx, req)
		done <- err
	}()
	p.waitFor(t, prompt, 1)
	p.waitEchoOff(t)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Code = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Code did not return after cancel")
	}
	if p.echoOff(t) {
		t.Error("echo left off after cancel")
	}
	// Unblock the abandoned read.
	p.master.Write([]byte("\n"))
}

// TestTTYPromptsSerialized: concurrent requests prompt one after the other.
func TestTTYPromptsSerialized(t *testing.T) {
	p := openPTY(t)
	s := New(Options{TTY: p.slavePath})
	codes := make(chan string, 2)
	for i := 0; i < 2; i++ {
		go func() {
			c, err := s.Code(t.Context(), Request{Serial: serial})
			if err != nil {
				t.Error(err)
			}
			codes <- c
		}()
	}
	p.waitFor(t, prompt, 1)
	time.Sleep(50 * time.Millisecond)
	if n := strings.Count(p.output(), prompt); n != 1 {
		t.Fatalf("%d prompts shown at once", n)
	}
	p.typeLine(t, "111111\n")
	p.waitFor(t, prompt, 2)
	p.typeLine(t, "222222\n")
	got := []string{<-codes, <-codes}
	if !(got[0] == "111111" && got[1] == "222222" || got[0] == "222222" && got[1] == "111111") {
		t.Errorf("codes %v", got)
	}
}

func TestPTYHelperIsATerminal(t *testing.T) {
	p := openPTY(t)
	f, err := os.OpenFile(p.slavePath, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !term.IsTerminal(int(f.Fd())) {
		t.Fatal("slave is not a terminal")
	}
}

// TestTTYInterrupt: Ctrl-C (SIGINT) during the prompt ends it with
// ErrCanceled and restores the terminal instead of killing the process
// with echo off.
func TestTTYInterrupt(t *testing.T) {
	p := openPTY(t)
	done := make(chan error, 1)
	go func() {
		_, err := New(Options{TTY: p.slavePath}).Code(t.Context(), req)
		done <- err
	}()
	p.waitFor(t, prompt, 1)
	p.waitEchoOff(t) // the signal handler is installed before echo goes off
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrCanceled) {
			t.Errorf("Code = %v, want ErrCanceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Code did not return after SIGINT")
	}
	if p.echoOff(t) {
		t.Error("echo left off after SIGINT")
	}
	p.master.Write([]byte("\n"))
}

// TestProcessStderrToTerminal: mfa_process's standard error ("touch your
// security key") goes to the terminal when there is one, not to awsmfa's
// standard error (which the AWS CLI captures under credential_process);
// without a terminal it goes to standard error. Its first line still
// explains a failure.
func TestProcessStderrToTerminal(t *testing.T) {
	p := openPTY(t)
	var stderr bytes.Buffer
	s := New(Options{Process: "echo 'Touch your security key' >&2; printf 123456", ProcessTTY: p.slavePath, Stderr: &stderr, LookPath: noLookPath})
	code, err := s.Code(t.Context(), req)
	if err != nil || code != "123456" {
		t.Fatalf("Code = %q, %v", code, err)
	}
	p.waitFor(t, "Touch your security key", 1)
	if stderr.Len() != 0 {
		t.Errorf("stderr got %q, want nothing (the terminal got it)", stderr.String())
	}

	failing := New(Options{Process: "echo 'no key inserted' >&2; exit 4", ProcessTTY: p.slavePath, Stderr: &stderr, LookPath: noLookPath})
	if _, err := failing.Code(t.Context(), req); err == nil || !strings.Contains(err.Error(), "no key inserted") {
		t.Errorf("failure = %v, want the first stderr line", err)
	}
	p.waitFor(t, "no key inserted", 1)

	noTTY := New(Options{Process: "echo 'Touch your security key' >&2; printf 123456", ProcessTTY: filepath.Join(t.TempDir(), "no-tty"), Stderr: &stderr, LookPath: noLookPath})
	if _, err := noTTY.Code(t.Context(), req); err != nil || !strings.Contains(stderr.String(), "Touch your security key") {
		t.Errorf("without a terminal: %v, stderr %q", err, stderr.String())
	}
}
