package mfa

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"golang.org/x/term"
)

// errNoTTY: the terminal cannot be used; try the next source.
var errNoTTY = errors.New("no terminal")

// ttyPrompt asks for the code on the terminal device path: the prompt is
// written to the terminal (never to stdout, which may be captured, e.g. by
// the AWS CLI running credential_process) and the code read with echo off.
// An invalid code asks again, MaxPromptAttempts times in all. The prompt
// ends with ErrCanceled on Ctrl-C (SIGINT) or when ctx ends; the terminal
// settings are restored either way.
func ttyPrompt(ctx context.Context, path string, req Request) (string, error) {
	t, err := openTerminal(path)
	if err != nil {
		return "", err
	}
	defer t.Close()
	if line := reasonLine(req); line != "" {
		fmt.Fprintln(t.out, line)
	}
	var lastErr error
	for attempt := 0; attempt < MaxPromptAttempts; attempt++ {
		if attempt > 0 {
			fmt.Fprintf(t.out, "%v; try again.\n", lastErr)
		}
		fmt.Fprint(t.out, promptText(req.Serial))
		line, err := readHidden(ctx, t)
		fmt.Fprintln(t.out)
		if err != nil {
			return "", err
		}
		code, verr := normalize(line)
		if verr == nil {
			return code, nil
		}
		lastErr = verr
	}
	return "", fmt.Errorf("no valid MFA code after %d attempts: %w", MaxPromptAttempts, lastErr)
}

// readHidden reads one line with echo off. The read runs in a goroutine so
// that ctx or an interrupt can end the prompt; the terminal state is then
// restored and the goroutine is left to finish (its read ends at the next
// line typed or when the process exits).
func readHidden(ctx context.Context, t *ttyFile) (string, error) {
	state, err := term.GetState(t.fd)
	if err != nil {
		return "", errNoTTY
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, interruptSignals...)
	defer signal.Stop(sig)

	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := term.ReadPassword(t.fd)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			if errors.Is(r.err, io.EOF) {
				return "", fmt.Errorf("%w: end of input", ErrCanceled)
			}
			return "", fmt.Errorf("reading the MFA code from the terminal: %w", r.err)
		}
		s := string(r.b)
		clear(r.b)
		if strings.ContainsRune(s, 0x03) {
			return "", ErrCanceled
		}
		return s, nil
	case <-sig:
		t.detach()
		_ = term.Restore(t.fd, state)
		return "", fmt.Errorf("%w (interrupted)", ErrCanceled)
	case <-ctx.Done():
		t.detach()
		_ = term.Restore(t.fd, state)
		return "", fmt.Errorf("MFA code prompt: %w", ctx.Err())
	}
}

// ErrNoTerminal: PromptHidden found no terminal to ask on.
var ErrNoTerminal = errNoTTY

// PromptHidden asks for a secret other than an MFA code (the key store's
// passphrase) on the terminal device path (DefaultTTY when ""), with echo
// off, as the MFA prompt does: the prompt goes to the terminal, never to
// standard output. It fails with ErrNoTerminal when there is none.
func PromptHidden(ctx context.Context, path, prompt string) (string, error) {
	if path == "" {
		path = DefaultTTY
	}
	t, err := openTerminal(path)
	if err != nil {
		return "", err
	}
	defer t.Close()
	fmt.Fprint(t.out, prompt)
	line, err := readHidden(ctx, t)
	fmt.Fprintln(t.out)
	return line, err
}

// openTerminal opens path when it is a terminal, else fails with
// errNoTTY.
func openTerminal(path string) (*ttyFile, error) {
	t, err := openTTY(path)
	if err != nil {
		return nil, errNoTTY
	}
	if !term.IsTerminal(t.fd) {
		t.Close()
		return nil, errNoTTY
	}
	return t, nil
}
