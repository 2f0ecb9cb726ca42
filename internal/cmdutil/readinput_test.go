package cmdutil

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// endless yields bytes forever and counts how many were read.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '['
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestReadInputLimit(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.json")
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(small, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, []byte("01234567890"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		file    string
		stdin   io.Reader
		want    string
		tooBig  bool
		errName string
	}{
		{name: "file at the limit", file: small, want: "0123456789"},
		{name: "file one byte over", file: big, tooBig: true, errName: big},
		{name: "stdin at the limit", file: "-", stdin: strings.NewReader("0123456789"), want: "0123456789"},
		{name: "stdin over", file: "", stdin: strings.NewReader("0123456789x"), tooBig: true, errName: "<stdin>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, name, err := ReadInputLimit(c.file, c.stdin, 10, "test input")
			if c.tooBig {
				var tl *InputTooLargeError
				if !errors.As(err, &tl) || tl.Limit != 10 || tl.Name != c.errName {
					t.Fatalf("err %v, want InputTooLargeError for %s", err, c.errName)
				}
				if want := c.errName + ": input is larger than the 10 bytes limit for test input"; err.Error() != want {
					t.Errorf("message %q, want %q", err.Error(), want)
				}
				return
			}
			if err != nil || string(b) != c.want {
				t.Fatalf("got %q, %v", b, err)
			}
			if c.file == small && name != small {
				t.Errorf("name %q", name)
			}
		})
	}
}

// An endless reader is read only to limit+1 bytes.
func TestReadInputLimitStopsReading(t *testing.T) {
	e := &endless{}
	_, _, err := ReadInputLimit("-", e, 1<<20, "test input")
	var tl *InputTooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("err %v", err)
	}
	// io.ReadAll reads in chunks of at most 512 bytes at the end, and the
	// LimitReader cuts the last read at limit+1.
	if e.n > 1<<20+1+512 {
		t.Errorf("read %d bytes of an endless input, limit 1 MiB", e.n)
	}
}

func TestReadInputLimitDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, _, err := ReadInputLimit("/dev/zero", nil, 1<<20, "test input")
	if err == nil || err.Error() != "/dev/zero: input is larger than the 1 MiB limit for test input" {
		t.Fatalf("err %v", err)
	}
}
