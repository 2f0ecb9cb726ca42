package mfa

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"time"
)

// Request describes the code wanted: the MFA device and why.
type Request struct {
	Serial  string // MFA device ARN or hardware serial (shown in the prompt)
	Profile string // profile being resolved (given to mfa_process)
	Reason  string // e.g. "for profile role-with-mfa": shown on a line before the prompt
}

// Source gives MFA codes.
type Source interface {
	Code(ctx context.Context, req Request) (string, error)
}

// DefaultTTY is the terminal device the TTY source opens (Options.TTY).
const DefaultTTY = defaultTTY

// DefaultProcessTimeout bounds an mfa_process run.
const DefaultProcessTimeout = 60 * time.Second

// MaxPromptAttempts is how many times an interactive prompt (terminal or
// desktop) asks again after an invalid code.
const MaxPromptAttempts = 3

// Options configure New.
type Options struct {
	// Token is the code given with --mfa-token. It is used once; a second
	// request for a code fails (ErrTokenUsed) instead of reusing it (STS
	// refuses a code it has seen).
	Token string
	// Process is the mfa_process command line, run with /bin/sh -c (cmd /c
	// on Windows); its standard output, trimmed, is the code (at most 4096
	// bytes: past them the process is stopped and that is an error). Its
	// standard error goes to ProcessTTY or Stderr; the environment adds
	// AWSMFA_MFA_SERIAL and AWSMFA_MFA_PROFILE. Its failures are
	// *ProcessError values.
	Process string
	// ProcessTimeout bounds the process (default DefaultProcessTimeout).
	ProcessTimeout time.Duration
	// TTY is the terminal to prompt on (DefaultTTY, "/dev/tty" on Unix);
	// "" disables the terminal prompt. When it cannot be opened (no
	// controlling terminal) the next source is tried.
	TTY string
	// Desktop allows a desktop dialog (zenity, kdialog, osascript) when no
	// terminal can be used.
	Desktop bool
	// Stderr receives mfa_process's standard error when ProcessTTY is not
	// used; nil discards it.
	Stderr io.Writer
	// ProcessTTY is the terminal mfa_process's standard error goes to
	// (DefaultTTY), so that its prompts ("touch your security key") are
	// seen even when awsmfa's standard error is captured, as the AWS CLI
	// captures a credential_process's; when it cannot be opened (no
	// controlling terminal) or is "", Stderr is used.
	ProcessTTY string
	// LookPath finds the desktop dialog programs (default exec.LookPath).
	LookPath func(string) (string, error)
}

// ErrNoSource means no configured source could ask for a code.
var ErrNoSource = errors.New("awsmfa cannot ask for an MFA code: there is no terminal to prompt on and no other way is configured; " +
	"set mfa_process in the profile to a command that prints the code (for example \"mfa_process = ykman oath accounts code -s aws\"), " +
	"or pass --mfa-token CODE")

// ErrTokenUsed is returned when a second code is requested and the only
// source is the --mfa-token code, which was already used.
var ErrTokenUsed = errors.New("the code given with --mfa-token was already used (an MFA code is accepted only once); wait for the next code and run again")

// ErrCanceled is returned when the user cancels or interrupts a prompt.
var ErrCanceled = errors.New("MFA code prompt canceled")

// New returns a Source trying, in order: the --mfa-token code (once), the
// mfa_process command, a hidden prompt on the terminal, a desktop dialog.
// Every code is checked with ValidateCode before it is returned; an
// invalid code from a prompt asks again (MaxPromptAttempts in all), from
// the token or the process it is an error. Interactive prompts are
// serialized (one at a time per Source).
func New(o Options) Source {
	if o.LookPath == nil {
		o.LookPath = exec.LookPath
	}
	if o.ProcessTimeout <= 0 {
		o.ProcessTimeout = DefaultProcessTimeout
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	return &chain{o: o}
}

type chain struct {
	o Options

	mu        sync.Mutex // guards tokenUsed
	tokenUsed bool

	promptMu sync.Mutex // one interactive prompt at a time
}

func (c *chain) Code(ctx context.Context, req Request) (string, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if c.o.Token != "" {
		c.mu.Lock()
		used := c.tokenUsed
		c.tokenUsed = true
		c.mu.Unlock()
		if used {
			return "", ErrTokenUsed
		}
		code, err := normalize(c.o.Token)
		if err != nil {
			return "", fmt.Errorf("--mfa-token: %w", err)
		}
		return code, nil
	}
	if c.o.Process != "" {
		return runProcess(ctx, c.o.Process, c.o.ProcessTimeout, req, c.o.Stderr, c.o.ProcessTTY)
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	c.promptMu.Lock()
	defer c.promptMu.Unlock()
	if c.o.TTY != "" {
		code, err := ttyPrompt(ctx, c.o.TTY, req)
		if !errors.Is(err, errNoTTY) {
			return code, err
		}
	}
	if c.o.Desktop {
		code, err := desktopPrompt(ctx, c.o.LookPath, req)
		if !errors.Is(err, errNoDesktop) {
			return code, err
		}
	}
	return "", ErrNoSource
}

// promptText is the AWS CLI's prompt, botocore's
// 'Enter MFA code for %s: ' % mfa_serial (AssumeRoleProvider, read with
// getpass, which also writes to /dev/tty):
// https://github.com/boto/botocore/blob/develop/botocore/credentials.py
func promptText(serial string) string {
	return "Enter MFA code for " + serial + ": "
}

// reasonLine is the optional line shown before the prompt.
func reasonLine(req Request) string {
	if req.Reason == "" {
		return ""
	}
	return "awsmfa: MFA code needed " + req.Reason
}
