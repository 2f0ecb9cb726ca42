package account

import (
	"errors"
	"fmt"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// scanner walks the outer structure of a JSON file without building it:
// the page objects of get-account-authorization-details output and their
// entity lists. Each entity (one user, one managed policy) is then parsed
// on its own by policy.ParseJSON, so that memory follows the largest entity
// rather than the whole file, and policy.MaxValues and policy.MaxDepth
// apply per entity (a file of a large account holds millions of values).
//
// The scanner only finds where values start and end; policy.ParseJSON
// checks every byte of every value it hands over, so the file as a whole is
// strict JSON. Lines are counted as policy.ParseJSON counts them ("\n",
// "\r\n" or a lone "\r"), columns in bytes, a leading byte order mark
// skipped.
type scanner struct {
	file      string
	data      []byte
	i         int
	line      int
	lineStart int
}

func newScanner(file string, data []byte) *scanner {
	s := &scanner{file: file, data: data, line: 1}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		s.i, s.lineStart = 3, 3
	}
	return s
}

func (s *scanner) pos() policy.Pos { return policy.Pos{Line: s.line, Column: s.i - s.lineStart + 1} }

func (s *scanner) eof() bool { return s.i >= len(s.data) }

// peek returns the byte at the scanner, or 0 at the end.
func (s *scanner) peek() byte {
	if s.i >= len(s.data) {
		return 0
	}
	return s.data[s.i]
}

// newline counts the line break at s.i (s.data[s.i] is '\n' or '\r') and
// moves past it.
func (s *scanner) newline() {
	if s.data[s.i] == '\r' && s.i+1 < len(s.data) && s.data[s.i+1] == '\n' {
		s.i++
	}
	s.i++
	s.line++
	s.lineStart = s.i
}

// skipSpace skips JSON white space.
func (s *scanner) skipSpace() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t':
			s.i++
		case '\n', '\r':
			s.newline()
		default:
			return
		}
	}
}

// describe names the byte at the scanner for messages.
func (s *scanner) describe() string {
	if s.eof() {
		return "end of file"
	}
	c := s.data[s.i]
	if c >= 0x20 && c < 0x7f {
		return "'" + string(c) + "'"
	}
	return "byte " + strconvQuoteByte(c)
}

func strconvQuoteByte(c byte) string {
	const hex = "0123456789abcdef"
	return "0x" + string([]byte{hex[c>>4], hex[c&15]})
}

// expect consumes c or fails.
func (s *scanner) expect(c byte, what string) error {
	if s.peek() != c || s.eof() {
		return s.errorf(s.pos(), "invalid JSON: expected %s, found %s", what, s.describe())
	}
	s.i++
	return nil
}

func (s *scanner) errorf(p policy.Pos, format string, args ...any) error {
	return policy.ErrorList{{File: s.file, Pos: p, Msg: fmt.Sprintf(format, args...)}}
}

// skipString moves past the string literal starting at s.i (a '"').
func (s *scanner) skipString() error {
	start := s.pos()
	s.i++
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case '"':
			s.i++
			return nil
		case '\\':
			s.i += 2
		case '\n', '\r':
			// Invalid in a JSON string; policy.ParseJSON reports it.
			// Count the line so later positions stay right.
			s.newline()
		default:
			s.i++
		}
	}
	s.i = len(s.data)
	return s.errorf(start, "invalid JSON: unterminated string")
}

// skipValue moves past one JSON value starting at s.i and returns its
// bytes. Nesting is counted, not recursed into, so no depth is too deep
// for it (policy.ParseJSON then refuses anything beyond policy.MaxDepth).
func (s *scanner) skipValue() ([]byte, error) {
	start := s.i
	startPos := s.pos()
	switch s.peek() {
	case '"':
		if err := s.skipString(); err != nil {
			return nil, err
		}
		return s.data[start:s.i], nil
	case '{', '[':
	default:
		for s.i < len(s.data) {
			switch s.data[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r', '{', '[', '"', ':':
				if s.i == start {
					return nil, s.errorf(startPos, "invalid JSON: expected a value, found %s", s.describe())
				}
				return s.data[start:s.i], nil
			}
			s.i++
		}
		if s.i == start {
			return nil, s.errorf(startPos, "invalid JSON: expected a value, found end of file")
		}
		return s.data[start:s.i], nil
	}
	depth := 0
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case '"':
			if err := s.skipString(); err != nil {
				return nil, err
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.i++
				return s.data[start:s.i], nil
			}
		case '\n', '\r':
			s.newline()
			continue
		}
		s.i++
	}
	return nil, s.errorf(startPos, "invalid JSON: unterminated %s", map[bool]string{true: "object", false: "array"}[s.data[start] == '{'])
}

// key reads an object key (a string literal) and the ':' after it.
func (s *scanner) key() (string, policy.Pos, error) {
	p := s.pos()
	if s.peek() != '"' || s.eof() {
		return "", p, s.errorf(p, "invalid JSON: expected an object key (a string), found %s", s.describe())
	}
	start := s.i
	if err := s.skipString(); err != nil {
		return "", p, err
	}
	lit := s.data[start:s.i]
	n, err := policy.ParseJSON(s.file, lit)
	if err != nil {
		var list policy.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			return "", p, s.errorf(p, "%s (in an object key)", list[0].Msg)
		}
		return "", p, err
	}
	k := n.Str
	s.skipSpace()
	if err := s.expect(':', "':' after an object key"); err != nil {
		return "", p, err
	}
	s.skipSpace()
	return k, p, nil
}

// truncateForMessage shortens s for an error message.
func truncateForMessage(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
