package mfa

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const serial = "arn:aws:iam::111122223333:mfa/alice"

var req = Request{Serial: serial, Profile: "role-with-mfa", Reason: "for profile role-with-mfa"}

func noLookPath(string) (string, error) { return "", errors.New("not found") }

func TestToken(t *testing.T) {
	s := New(Options{Token: " 123456 ", Process: "echo 999999", TTY: "", LookPath: noLookPath})
	code, err := s.Code(t.Context(), req)
	if err != nil || code != "123456" {
		t.Fatalf("first Code = %q, %v", code, err)
	}
	_, err = s.Code(t.Context(), req)
	if !errors.Is(err, ErrTokenUsed) || !strings.Contains(err.Error(), "the code given with --mfa-token was already used") {
		t.Fatalf("second Code = %v, want ErrTokenUsed", err)
	}
	bad := New(Options{Token: "12345"})
	if _, err := bad.Code(t.Context(), req); err == nil || !strings.Contains(err.Error(), "--mfa-token: MFA code must be 6 digits, got 5") {
		t.Errorf("bad token: %v", err)
	}
}

func TestProcess(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	tests := []struct {
		name      string
		cmd       string
		timeout   time.Duration
		want      string
		wantErr   []string
		notInErr  []string
		maxTime   time.Duration
		stderrHas string
	}{
		{name: "printf", cmd: "printf 123456", want: "123456"},
		{name: "echo with newline", cmd: "echo 654321", want: "654321"},
		{name: "padded", cmd: "printf '  012345 \\r\\n'", want: "012345"},
		{name: "env", cmd: `printf '%s|%s' "$AWSMFA_MFA_SERIAL" "$AWSMFA_MFA_PROFILE" > ` + envFile + `; printf 111111`, want: "111111"},
		{name: "stderr passed through", cmd: "echo 'touch your key' >&2; printf 222222", want: "222222", stderrHas: "touch your key\n"},
		{name: "five digits", cmd: "printf 12345", wantErr: []string{"mfa_process did not print an MFA code", "MFA code must be 6 digits, got 5", `"printf"`}, notInErr: []string{"12345"}},
		{name: "not digits", cmd: "printf hunter2pass", wantErr: []string{"not all of them digits"}, notInErr: []string{"hunter2"}},
		{name: "empty output", cmd: "true", wantErr: []string{"MFA code is empty"}},
		{name: "exit status", cmd: "echo 'no such account: aws' >&2; echo second line >&2; exit 3",
			wantErr: []string{"mfa_process failed (exit status 3)", "no such account: aws"}, notInErr: []string{"second line"}},
		{name: "code-like stderr masked", cmd: "echo 'rejected 123456 for 12345678' >&2; exit 1", wantErr: []string{"rejected ****** for ********"}, notInErr: []string{"123456"}},
		{name: "secret arguments not quoted", cmd: "exit 2 JBSWY3DPEHPK3PXP", wantErr: []string{`"exit" ...`}, notInErr: []string{"JBSWY3DPEHPK3PXP"}},
		{name: "missing command", cmd: "awsmfa-no-such-command-xyz", wantErr: []string{"exit status 127", "not found"}},
		{name: "slow", cmd: "sleep 10; printf 123456", timeout: 200 * time.Millisecond, wantErr: []string{"did not print a code within 200ms"}, maxTime: 3 * time.Second},
		{name: "slow grandchild holding the pipe", cmd: "(sleep 10; echo x) & sleep 10", timeout: 200 * time.Millisecond, wantErr: []string{"within 200ms"}, maxTime: 4 * time.Second},
		{name: "endless output", cmd: "yes 123456", wantErr: []string{"printed more than the 4096-byte limit", `"yes" ...`}, maxTime: 3 * time.Second},
		{name: "10 MB on one line", cmd: "head -c 10485760 /dev/zero | tr '\\000' 1", wantErr: []string{"4096-byte limit"}, maxTime: 3 * time.Second},
		{name: "endless output from a grandchild", cmd: "(yes 1) | cat", wantErr: []string{"4096-byte limit"}, maxTime: 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			s := New(Options{Process: tt.cmd, ProcessTimeout: tt.timeout, Stderr: &stderr, TTY: "", LookPath: noLookPath})
			start := time.Now()
			code, err := s.Code(t.Context(), req)
			if tt.maxTime > 0 && time.Since(start) > tt.maxTime {
				t.Errorf("took %v", time.Since(start))
			}
			if len(tt.wantErr) == 0 {
				if err != nil || code != tt.want {
					t.Fatalf("Code = %q, %v; want %q", code, err, tt.want)
				}
			} else {
				if err == nil {
					t.Fatalf("Code = %q, want an error", code)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				for _, w := range tt.notInErr {
					if strings.Contains(err.Error(), w) {
						t.Errorf("error %q shows %q", err, w)
					}
				}
			}
			var pe *ProcessError
			if err != nil && !errors.As(err, &pe) {
				t.Errorf("error %T is not a *ProcessError", err)
			}
			if tt.stderrHas != "" && stderr.String() != tt.stderrHas {
				t.Errorf("stderr = %q, want %q", stderr.String(), tt.stderrHas)
			}
		})
	}
	b, err := os.ReadFile(envFile)
	if err != nil || string(b) != serial+"|role-with-mfa" {
		t.Errorf("process environment: %q %v", b, err)
	}
}

func TestProcessCallerContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	s := New(Options{Process: "sleep 10"})
	start := time.Now()
	_, err := s.Code(ctx, req)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Code = %v, want context.Canceled", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	if _, err := New(Options{Process: "printf 123456"}).Code(ctx, req); !errors.Is(err, context.Canceled) {
		t.Errorf("already canceled: %v", err)
	}
}

func TestProcessTakesPrecedenceAndDoesNotFallThrough(t *testing.T) {
	// A failing process must not fall through to a prompt.
	bin := fakeDialogs(t, map[string]string{"zenity": "printf 333333"})
	t.Setenv("DISPLAY", ":0")
	s := New(Options{Process: "exit 1", Desktop: true, LookPath: bin.lookPath})
	if _, err := s.Code(t.Context(), req); err == nil || !strings.Contains(err.Error(), "mfa_process failed") {
		t.Errorf("Code = %v", err)
	}
	if bin.calls("zenity") != 0 {
		t.Error("desktop dialog used after mfa_process failed")
	}
}

func TestNoSource(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	dir := t.TempDir()
	regular := filepath.Join(dir, "not-a-tty")
	os.WriteFile(regular, nil, 0o600)
	for _, o := range []Options{
		{},
		{TTY: filepath.Join(dir, "missing-tty")},
		{TTY: regular},
		{TTY: regular, Desktop: true, LookPath: noLookPath},
	} {
		_, err := New(o).Code(t.Context(), req)
		if !errors.Is(err, ErrNoSource) {
			t.Errorf("%+v: Code = %v, want ErrNoSource", o, err)
		}
	}
	msg := ErrNoSource.Error()
	for _, w := range []string{"mfa_process", "--mfa-token"} {
		if !strings.Contains(msg, w) {
			t.Errorf("ErrNoSource should mention %s", w)
		}
	}
}
