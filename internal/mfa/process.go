package mfa

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"
)

// maxProcessOutput caps what is kept of mfa_process's output.
const maxProcessOutput = 4096

// runProcess runs the mfa_process command and returns its code.
func runProcess(ctx context.Context, command string, timeout time.Duration, req Request, stderr io.Writer) (string, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errProcessTimeout)
	defer cancel()
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = exec.CommandContext(ctx, "cmd", "/c", command)
	} else {
		cmd = exec.CommandContext(ctx, "/bin/sh", "-c", command)
	}
	cmd.Env = append(os.Environ(), "AWSMFA_MFA_SERIAL="+req.Serial, "AWSMFA_MFA_PROFILE="+req.Profile)
	// A grandchild keeping the pipes open must not hold us past the
	// deadline.
	cmd.WaitDelay = 250 * time.Millisecond
	var out capWriter
	errCap := &capWriter{}
	cmd.Stdout = &out
	cmd.Stderr = io.MultiWriter(errCap, lockedWriter(stderr))
	err := cmd.Run()
	if ctxErr := ctx.Err(); ctxErr != nil {
		if context.Cause(ctx) == errProcessTimeout {
			return "", fmt.Errorf("mfa_process did not print a code within %s: %s", timeout, quoteCommand(command))
		}
		return "", fmt.Errorf("mfa_process %s: %w", quoteCommand(command), ctxErr)
	}
	if err != nil {
		msg := fmt.Sprintf("mfa_process failed (%s): %s", exitDescription(err), quoteCommand(command))
		if line := firstLine(errCap.String()); line != "" {
			msg += ": " + line
		}
		return "", errors.New(msg)
	}
	code, verr := normalize(out.String())
	if verr != nil {
		return "", fmt.Errorf("mfa_process did not print an MFA code (%w): %s", verr, quoteCommand(command))
	}
	return code, nil
}

var errProcessTimeout = errors.New("mfa_process timed out")

func exitDescription(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String()
	}
	return err.Error()
}

// quoteCommand names the command in messages: only its first word (the
// rest may hold a secret, e.g. a password manager entry name is fine but
// an oathtool base32 key is not).
func quoteCommand(command string) string {
	f := strings.Fields(command)
	if len(f) == 0 {
		return `""`
	}
	if len(f) == 1 {
		return fmt.Sprintf("%q", f[0])
	}
	return fmt.Sprintf("%q ...", f[0])
}

var codeLike = regexp.MustCompile(`\b[0-9]{6,8}\b`)

// firstLine returns the first non-empty line of s, shortened, with
// anything that looks like an MFA code masked.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		l = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return ' '
			}
			return r
		}, l)
		if len(l) > 200 {
			l = l[:200] + "..."
		}
		return codeLike.ReplaceAllStringFunc(l, func(m string) string { return strings.Repeat("*", len(m)) })
	}
	return ""
}

// capWriter keeps the first maxProcessOutput bytes written.
type capWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *capWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := maxProcessOutput - w.buf.Len(); room > 0 {
		if len(p) > room {
			w.buf.Write(p[:room])
		} else {
			w.buf.Write(p)
		}
	}
	return len(p), nil
}

func (w *capWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// lockedWriter ignores write errors of w (a closed stderr must not fail
// the process).
func lockedWriter(w io.Writer) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		_, _ = w.Write(p)
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
