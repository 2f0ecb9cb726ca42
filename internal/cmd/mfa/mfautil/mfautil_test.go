package mfautil

import (
	"context"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

func TestCodes(t *testing.T) {
	for _, tc := range []struct {
		name, in   string
		tty        bool
		c1, c2     string
		err        string
		promptsOut bool
	}{
		{name: "two lines", in: "123456\n654321\n", c1: "123456", c2: "654321"},
		{name: "blanks and CRLF", in: " 123456 \r\n654321", c1: "123456", c2: "654321"},
		{name: "terminal prompts", in: "123456\n654321\n", tty: true, c1: "123456", c2: "654321", promptsOut: true},
		{name: "one line", in: "123456\n", err: "reading the second code: standard input ended"},
		{name: "empty", in: "", err: "reading the first code: standard input ended"},
		{name: "not digits", in: "12345a\n654321\n", err: "the first code is not 6 digits"},
		{name: "too short", in: "123456\n65432\n", err: "the second code is not 6 digits"},
		{name: "same twice", in: "123456\n123456\n", err: "the two codes are the same"},
		{name: "line too long", in: strings.Repeat("1", 10000) + "\n", err: "line too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, _, errOut := iostreams.Test()
			ios.In = strings.NewReader(tc.in)
			ios.SetStdinTTY(tc.tty)
			c1, c2, err := (&CodeReader{IO: ios}).Codes(context.Background())
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || cmdutil.ExitCode(err) != 2 {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "12345") {
					t.Errorf("the error shows a code: %v", err)
				}
				return
			}
			if err != nil || c1 != tc.c1 || c2 != tc.c2 {
				t.Fatalf("%q %q %v", c1, c2, err)
			}
			if got := strings.Contains(errOut.String(), "code"); got != tc.promptsOut {
				t.Errorf("prompts %q", errOut.String())
			}
		})
	}
}

func FuzzCodes(f *testing.F) {
	for _, s := range []string{"123456\n654321\n", "", "\n\n", "1\r\n2", strings.Repeat("9", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		ios, _, _, _ := iostreams.Test()
		ios.In = strings.NewReader(in)
		c1, c2, err := (&CodeReader{IO: ios}).Codes(context.Background())
		if err == nil && (!isCode(c1) || !isCode(c2) || c1 == c2) {
			t.Fatalf("%q %q from %q", c1, c2, in)
		}
	})
}

func TestConfirm(t *testing.T) {
	for _, tc := range []struct {
		in   string
		tty  bool
		code int
		err  string
	}{
		{in: "y\n", tty: true},
		{in: "YES\n", tty: true},
		{in: "n\n", tty: true, code: 1, err: "not confirmed"},
		{in: "", tty: true, code: 1, err: "not confirmed"},
		{in: "y\n", code: 2, err: "pass --yes to remove it"},
	} {
		ios, _, _, _ := iostreams.Test()
		ios.In = strings.NewReader(tc.in)
		ios.SetStdinTTY(tc.tty)
		err := Confirm(ios, "Remove it?")
		if cmdutil.ExitCode(err) != tc.code || (tc.err != "" && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%q tty %v: %v", tc.in, tc.tty, err)
		}
	}
}

// blockingReader never returns, as a terminal nobody types on.
type blockingReader struct{ stop chan struct{} }

func (b blockingReader) Read([]byte) (int, error) { <-b.stop; return 0, context.Canceled }

// TestCodesCancelled: an interrupt ends the wait for codes.
func TestCodesCancelled(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	r := blockingReader{stop: make(chan struct{})}
	defer close(r.stop)
	ios.In = r
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := (&CodeReader{IO: ios}).Codes(ctx)
	if err == nil || !strings.Contains(err.Error(), "context canceled") || cmdutil.ExitCode(err) != 2 {
		t.Fatalf("err %v", err)
	}
}
