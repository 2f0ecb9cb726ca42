package policy

import (
	"errors"
	"strconv"
	"strings"
)

// Error is one problem found in a policy document, with the place where it
// was found. File and Pos may be unknown (empty / zero).
type Error struct {
	File string
	Pos  Pos
	Msg  string
	// Limit is set when the input broke a limit that exists to bound time
	// and memory (MaxDepth, MaxValues, the YAML limits of policysource)
	// rather than being malformed: commands treat it as a failed operation
	// (exit 2), not as a finding about the policy.
	Limit bool
}

// IsLimit reports whether err holds an *Error with Limit set.
func IsLimit(err error) bool {
	var list ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			if e.Limit {
				return true
			}
		}
		return false
	}
	var e *Error
	return errors.As(err, &e) && e.Limit
}

// Error formats the error as FILE:LINE:COL: MSG, leaving out the parts that
// are unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.Grow(len(e.File) + len(e.Msg) + 16)
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Pos.IsValid() {
		b.WriteString(strconv.Itoa(e.Pos.Line))
		b.WriteByte(':')
		if e.Pos.Column > 0 {
			b.WriteString(strconv.Itoa(e.Pos.Column))
			b.WriteByte(':')
		}
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in a document, in the order found. A
// non-nil error returned by this package is always an ErrorList with at
// least one element.
type ErrorList []*Error

// Error lists every error, one per line.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap exposes the individual errors to errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// Err returns l as an error, or nil when l is empty (so that a nil
// ErrorList never becomes a non-nil error interface).
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

func (l *ErrorList) add(file string, pos Pos, msg string) {
	*l = append(*l, &Error{File: file, Pos: pos, Msg: msg})
}
