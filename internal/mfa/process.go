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

// maxProcessOutput is the most mfa_process may print on standard output
// (a code is 6 digits): reading stops one byte past it and the process is
// stopped. Of its standard error, that much is kept for error messages.
const maxProcessOutput = 4096

// processWaitDelay bounds the wait for mfa_process's output pipes once it
// has ended or been stopped: a grandchild keeping them open must not hold
// awsmfa.
const processWaitDelay = 250 * time.Millisecond

// ProcessError is a failure of mfa_process itself: it could not be run,
// failed, did not answer in time, or printed no usable code. The broker
// shares such failures with the processes waiting for the same MFA
// session (the same mfa_process would fail for them too). Cancellation is
// not a ProcessError.
type ProcessError struct {
	Msg string
	Err error
}

func (e *ProcessError) Error() string { return e.Msg }

func (e *ProcessError) Unwrap() error { return e.Err }

// runProcess runs the mfa_process command and returns its code. Its
// standard error goes to the terminal ttyPath when one can be opened
// there (so that "touch your security key" is seen even when awsmfa's own
// standard error is captured, as the AWS CLI captures a
// credential_process's), else to stderr.
func runProcess(ctx context.Context, command string, timeout time.Duration, req Request, stderr io.Writer, ttyPath string) (string, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errProcessTimeout)
	defer cancel()
	// The process is killed when ctx ends: the timeout, the caller's
	// cancellation, or too much output (stop).
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = exec.CommandContext(ctx, "cmd", "/c", command)
	} else {
		cmd = exec.CommandContext(ctx, "/bin/sh", "-c", command)
	}
	cmd.Env = append(os.Environ(), "AWSMFA_MFA_SERIAL="+req.Serial, "AWSMFA_MFA_PROFILE="+req.Profile)
	cmd.WaitDelay = processWaitDelay
	out := &capWriter{onOverflow: func() { stop(errTooMuchOutput) }}
	errCap := &capWriter{}
	cmd.Stdout = out
	if t := openProcessTTY(ttyPath); t != nil {
		defer t.Close()
		stderr = t.out
	}
	cmd.Stderr = io.MultiWriter(errCap, lockedWriter(stderr))
	err := cmd.Run()
	switch cause := context.Cause(ctx); {
	case cause == errTooMuchOutput:
		return "", &ProcessError{Msg: fmt.Sprintf("mfa_process printed more than the %d-byte limit of its output (an MFA code is 6 digits), so it was stopped: %s", maxProcessOutput, quoteCommand(command))}
	case cause == errProcessTimeout:
		return "", &ProcessError{Msg: fmt.Sprintf("mfa_process did not print a code within %s: %s", timeout, quoteCommand(command))}
	case ctx.Err() != nil:
		return "", fmt.Errorf("mfa_process %s: %w", quoteCommand(command), ctx.Err())
	case err != nil:
		msg := fmt.Sprintf("mfa_process failed (%s): %s", exitDescription(err), quoteCommand(command))
		if line := firstLine(errCap.String()); line != "" {
			msg += ": " + line
		}
		return "", &ProcessError{Msg: msg, Err: err}
	}
	code, verr := normalize(out.String())
	if verr != nil {
		return "", &ProcessError{Msg: fmt.Sprintf("mfa_process did not print an MFA code (%v): %s", verr, quoteCommand(command)), Err: verr}
	}
	return code, nil
}

// openProcessTTY opens the terminal for mfa_process's standard error; nil
// when there is none (no path, no controlling terminal, not a terminal).
func openProcessTTY(path string) *ttyFile {
	if path == "" {
		return nil
	}
	t, err := openTerminal(path)
	if err != nil {
		return nil
	}
	return t
}

var errTooMuchOutput = errors.New("mfa_process printed too much")

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

var codeLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\b[0-9]{6,8}\b`) })

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
		return codeLike().ReplaceAllStringFunc(l, func(m string) string { return strings.Repeat("*", len(m)) })
	}
	return ""
}

// capWriter keeps the first maxProcessOutput bytes written; past them,
// onOverflow (when set) is called once.
type capWriter struct {
	mu         sync.Mutex
	buf        bytes.Buffer
	onOverflow func()
	overflowed bool
}

func (w *capWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	room := maxProcessOutput - w.buf.Len()
	switch {
	case len(p) <= room:
		w.buf.Write(p)
	default:
		w.buf.Write(p[:max(room, 0)])
		if !w.overflowed && w.onOverflow != nil {
			w.overflowed = true
			w.onOverflow()
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
