// Package cmdutil holds what every command shares: exit codes, the
// --output flag, and reading inputs named on the command line.
package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Exit codes, documented in README.md.
const (
	ExitOK       = 0 // success: allowed, no findings at or above --fail-on
	ExitFindings = 1 // the answer is "no": findings, a denied request
	ExitError    = 2 // usage error, bad input, or an operation that failed
)

// ExitCodeError makes a command exit with Code. Err, when set, is printed to
// stderr; a nil Err exits quietly (the command already printed its answer).
type ExitCodeError struct {
	Code int
	Err  error
}

func (e *ExitCodeError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitCodeError) Unwrap() error { return e.Err }

// Findings returns the quiet exit-1 error used when a command's answer is
// negative (lint findings, a denied simulation).
func Findings() error { return &ExitCodeError{Code: ExitFindings} }

// UsageError wraps a bad flag or argument; it exits 2.
func UsageError(format string, args ...any) error {
	return &ExitCodeError{Code: ExitError, Err: fmt.Errorf(format, args...)}
}

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ec *ExitCodeError
	if errors.As(err, &ec) {
		return ec.Code
	}
	return ExitError
}

// Output formats accepted by --output.
const (
	OutputText = "text"
	OutputJSON = "json"
)

// AddOutputFlag registers --output/-o text|json with completion.
func AddOutputFlag(cmd *cobra.Command, target *string) {
	cmd.Flags().StringVarP(target, "output", "o", OutputText, "output format: text or json")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{OutputText, OutputJSON}, cobra.ShellCompDirectiveNoFileComp))
}

// CheckOutput validates an --output value.
func CheckOutput(v string) error {
	if v != OutputText && v != OutputJSON {
		return UsageError("--output: %q is not one of text, json", v)
	}
	return nil
}

// ReadInput reads a named file, or standard input for "-" or "".
func ReadInput(name string, stdin io.Reader) ([]byte, string, error) {
	if name == "" || name == "-" {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, "<stdin>", fmt.Errorf("reading standard input: %w", err)
		}
		return b, "<stdin>", nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, name, err
	}
	return b, name, nil
}

// Context returns ctx, or context.Background() when ctx is nil (a command's
// Run called directly, as tests do).
func Context(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
