// Package cmdutil holds what every command shares: exit codes, the
// --output flag, and reading inputs named on the command line.
package cmdutil

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/awsmfa/awsmfa/internal/bytesize"
	"github.com/spf13/cobra"
)

// Exit codes, documented in README.md.
const (
	ExitOK       = 0 // success: allowed, no findings at or above --fail-on
	ExitFindings = 1 // the answer is "no": findings, a denied request
	ExitError    = 2 // usage error, bad input, or an operation that failed
)

// AnnotationDetailedExitcode marks a command with terraform's
// --detailed-exitcode (0 no changes, 2 changes, 1 errors): when the flag is
// on the command line, the root maps even a command line it cannot parse
// to 1, so that 2 keeps meaning "changes".
const AnnotationDetailedExitcode = "detailed-exitcode"

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

// WriteJSON writes v as the commands' --output json: indented by two
// spaces, one value per write, ending in a newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// DefaultInputLimit bounds ReadInput: no input a command reads whole is
// larger than this, and reading stops one byte past it.
const DefaultInputLimit = 64 << 20

// ReadInput reads a named file, or standard input for "-" or "", up to
// DefaultInputLimit bytes (see ReadInputLimit).
func ReadInput(name string, stdin io.Reader) ([]byte, string, error) {
	return ReadInputLimit(name, stdin, DefaultInputLimit, "input")
}

// InputTooLargeError reports an input longer than its limit.
type InputTooLargeError struct {
	// Name is the file name, or "<stdin>".
	Name string
	// Limit is the limit in bytes.
	Limit int64
	// What names the kind of input, such as "policy lint input".
	What string
}

func (e *InputTooLargeError) Error() string {
	return fmt.Sprintf("%s: input is larger than the %s limit for %s", e.Name, bytesize.Format(e.Limit), e.What)
}

// ReadInputLimit reads a named file, or standard input for "-" or "", and
// fails with an *InputTooLargeError when it holds more than limit bytes.
// Reading stops at limit+1 bytes, so an endless input (/dev/zero, a pipe
// that never closes its end after writing too much) costs at most limit+1
// bytes of memory; a regular file larger than limit is refused from its
// size without reading it. what names the input in the error ("policy lint
// input").
func ReadInputLimit(name string, stdin io.Reader, limit int64, what string) ([]byte, string, error) {
	if name == "" || name == "-" {
		b, err := readLimited(stdin, limit, 0)
		if err != nil {
			return nil, "<stdin>", fmt.Errorf("reading standard input: %w", err)
		}
		if int64(len(b)) > limit {
			return nil, "<stdin>", &InputTooLargeError{Name: "<stdin>", Limit: limit, What: what}
		}
		return b, "<stdin>", nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, name, err
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
		if size > limit {
			return nil, name, &InputTooLargeError{Name: name, Limit: limit, What: what}
		}
	}
	b, err := readLimited(f, limit, size)
	if err != nil {
		return nil, name, fmt.Errorf("reading %s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, name, &InputTooLargeError{Name: name, Limit: limit, What: what}
	}
	return b, name, nil
}

// readLimited reads r to its end or to limit+1 bytes, whichever comes
// first. sizeHint (a regular file's size) sizes the buffer up front.
func readLimited(r io.Reader, limit, sizeHint int64) ([]byte, error) {
	lr := io.LimitReader(r, limit+1)
	if sizeHint <= 0 {
		return io.ReadAll(lr)
	}
	buf := bytes.NewBuffer(make([]byte, 0, sizeHint+1))
	_, err := buf.ReadFrom(lr)
	return buf.Bytes(), err
}

// Context returns ctx, or context.Background() when ctx is nil (a command's
// Run called directly, as tests do).
func Context(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// Failed makes err exit 2 (ExitError): an operation that failed. An err
// that already carries an exit code keeps it.
func Failed(err error) error {
	var ec *ExitCodeError
	if errors.As(err, &ec) {
		return err
	}
	return &ExitCodeError{Code: ExitError, Err: err}
}
