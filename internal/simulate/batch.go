package simulate

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// MaxInputBytes limits one input of `awsmfa policy simulate` (a FILE or
// standard input), and MaxLineBytes one --batch line. An input holds a
// request and every policy that applies to it. The largest policies AWS
// stores are a few kilobytes (a managed policy 6,144 characters, an inline
// role policy 10,240, a KMS key policy 32 KB); a user with 20 managed
// policies in 10 groups of 10 more is about 1.3 MB of policies without
// white space, so 4 MiB leaves room for pretty-printing and SCPs.
const (
	MaxInputBytes = 4 << 20
	MaxLineBytes  = 4 << 20
)

// BatchOptions tunes RunBatch.
type BatchOptions struct {
	// Name names the input in error messages; "<stdin>" when empty.
	Name string
	// MaxLineBytes limits one input line; zero means MaxLineBytes.
	MaxLineBytes int
	// CacheEntries limits the compiled-policy cache; zero means 4096. The
	// cache is cleared when full.
	CacheEntries int
}

// LineTooLongError stops a batch at a line longer than the limit.
type LineTooLongError struct {
	Name  string
	Line  int
	Limit int
}

func (e *LineTooLongError) Error() string {
	return fmt.Sprintf("%s:%d: line is longer than %s, the limit for one --batch line", e.Name, e.Line, formatLimit(e.Limit))
}

// formatLimit writes a byte count as "4 MiB" when it is a whole number of
// MiB.
func formatLimit(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.Itoa(n>>20) + " MiB"
	}
	return strconv.Itoa(n) + " bytes"
}

// policyCache memoizes parsed and compiled policies by layer kind, name and
// raw bytes: batches usually repeat the same policies on every line.
type policyCache struct {
	m   map[policy.Kind]map[string]map[string]cacheEntry
	n   int
	max int
}

type cacheEntry struct {
	pol *eval.Policy
	err error
}

func newPolicyCache(max int) *policyCache {
	if max <= 0 {
		max = 4096
	}
	return &policyCache{m: map[policy.Kind]map[string]map[string]cacheEntry{}, max: max}
}

func (c *policyCache) get(name string, raw []byte, kind policy.Kind) (*eval.Policy, error) {
	byName := c.m[kind]
	if byName == nil {
		byName = map[string]map[string]cacheEntry{}
		c.m[kind] = byName
	}
	byRaw := byName[name]
	if byRaw == nil {
		byRaw = map[string]cacheEntry{}
		byName[name] = byRaw
	}
	if e, ok := byRaw[string(raw)]; ok {
		return e.pol, e.err
	}
	if c.n >= c.max {
		clear(c.m)
		c.n = 0
		byRaw = map[string]cacheEntry{}
		c.m[kind] = map[string]map[string]cacheEntry{name: byRaw}
	}
	p, err := compileRaw(name, raw, kind)
	byRaw[string(raw)] = cacheEntry{pol: p, err: err}
	c.n++
	return p, err
}

// RunBatch answers JSON Lines: each input line is an Input and each answer
// line an Output, in order. Blank lines are skipped, not answered. A line
// that cannot be simulated is answered {"error": "NAME:LINE[:COLUMN]: ...",
// "line": LINE} and the batch goes on. A line longer than the limit stops
// the batch with a *LineTooLongError (reading stops there: an endless line
// costs at most the limit in memory); read and write failures stop it too.
func RunBatch(r io.Reader, w io.Writer, opts BatchOptions) error {
	max := opts.MaxLineBytes
	if max <= 0 {
		max = MaxLineBytes
	}
	b := newBatcher(opts.CacheEntries)
	b.name = opts.Name
	if b.name == "" {
		b.name = "<stdin>"
	}
	br := bufio.NewReaderSize(r, 64<<10)
	bw := bufio.NewWriterSize(w, 64<<10)
	var long []byte
	lineNo := 0
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// Assemble a long line, up to the limit and its line break.
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) && len(long) <= max+2 {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			bw.Flush()
			return err
		}
		eof := errors.Is(err, io.EOF)
		if eof && len(line) == 0 {
			break
		}
		lineNo++
		line = bytes.TrimRight(line, "\r\n")
		if len(line) > max {
			if ferr := bw.Flush(); ferr != nil {
				return ferr
			}
			return &LineTooLongError{Name: b.name, Line: lineNo, Limit: max}
		}
		if len(bytes.TrimSpace(line)) > 0 {
			if _, werr := bw.Write(b.line(line, lineNo)); werr != nil {
				return werr
			}
		}
		if eof {
			break
		}
	}
	return bw.Flush()
}

// batcher holds the state reused across lines.
type batcher struct {
	name string
	comp compiler
	in   batchInput
	set  eval.PolicySet
	out  []byte
	enc  outputEncoder
}

func newBatcher(cacheEntries int) *batcher {
	b := &batcher{name: "<stdin>", comp: compiler{cache: newPolicyCache(cacheEntries)}}
	b.in.ctx = &eval.Context{}
	return b
}

// line answers one input line; the returned slice is valid until the next
// call.
func (b *batcher) line(line []byte, lineNo int) []byte {
	if err := b.in.decode(line); err != nil {
		return b.errorLine(lineNo, err.off+1, err.msg)
	}
	if err := b.comp.fill(&b.set, &b.in.in); err != nil {
		return b.errorLine(lineNo, 0, err.Error())
	}
	out, err := runSet(&b.set, &b.in.in.Request, b.in.ctx)
	if err != nil {
		return b.errorLine(lineNo, 0, err.Error())
	}
	b.out = b.enc.appendOutput(b.out[:0], out)
	b.out = append(b.out, '\n')
	return b.out
}

// errorLine answers a line with an error at NAME:LINE:COLUMN (no column
// when col is 0).
func (b *batcher) errorLine(lineNo, col int, msg string) []byte {
	at := b.name + ":" + strconv.Itoa(lineNo) + ":"
	if col > 0 {
		at += strconv.Itoa(col) + ":"
	}
	out := Output{Error: at + " " + msg, Line: lineNo}
	b.out = b.enc.appendOutput(b.out[:0], &out)
	b.out = append(b.out, '\n')
	return b.out
}

// outputEncoder writes an Output as encoding/json would (same field order,
// omitempty, escaping), without reflection.
type outputEncoder struct{}

func (outputEncoder) appendOutput(b []byte, o *Output) []byte {
	b = append(b, `{"decision":`...)
	b = appendString(b, o.Decision)
	b = append(b, `,"matchedStatements":`...)
	b = appendStatements(b, o.MatchedStatements)
	b = append(b, `,"reason":`...)
	b = appendString(b, o.Reason)
	if len(o.Layers) > 0 {
		b = append(b, `,"layers":[`...)
		for i, l := range o.Layers {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"layer":`...)
			b = appendString(b, l.Layer)
			b = append(b, `,"decision":`...)
			b = appendString(b, l.Decision)
			if l.Note != "" {
				b = append(b, `,"note":`...)
				b = appendString(b, l.Note)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(o.NearMisses) > 0 {
		b = append(b, `,"nearMisses":`...)
		b = appendStatements(b, o.NearMisses)
	}
	if o.Error != "" {
		b = append(b, `,"error":`...)
		b = appendString(b, o.Error)
	}
	if o.Line != 0 {
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(o.Line), 10)
	}
	return append(b, '}')
}

func appendStatements(b []byte, ms []MatchedStatement) []byte {
	if ms == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		m := &ms[i]
		b = append(b, `{"layer":`...)
		b = appendString(b, m.Layer)
		b = append(b, `,"policy":`...)
		b = appendString(b, m.Policy)
		if m.Sid != "" {
			b = append(b, `,"sid":`...)
			b = appendString(b, m.Sid)
		}
		b = append(b, `,"statement":`...)
		b = strconv.AppendInt(b, int64(m.Statement), 10)
		b = append(b, `,"effect":`...)
		b = appendString(b, m.Effect)
		if m.Line != 0 {
			b = append(b, `,"line":`...)
			b = strconv.AppendInt(b, int64(m.Line), 10)
		}
		if m.Column != 0 {
			b = append(b, `,"column":`...)
			b = strconv.AppendInt(b, int64(m.Column), 10)
		}
		if len(m.Conditions) > 0 {
			b = append(b, `,"conditions":[`...)
			for j := range m.Conditions {
				if j > 0 {
					b = append(b, ',')
				}
				c := &m.Conditions[j]
				b = append(b, `{"operator":`...)
				b = appendString(b, c.Operator)
				b = append(b, `,"key":`...)
				b = appendString(b, c.Key)
				b = append(b, `,"values":`...)
				if c.Values == nil {
					b = append(b, "null"...)
				} else {
					b = append(b, '[')
					for k, v := range c.Values {
						if k > 0 {
							b = append(b, ',')
						}
						b = appendString(b, v)
					}
					b = append(b, ']')
				}
				b = append(b, `,"present":`...)
				b = strconv.AppendBool(b, c.Present)
				b = append(b, `,"matched":`...)
				b = strconv.AppendBool(b, c.Matched)
				b = append(b, `,"why":`...)
				b = appendString(b, c.Why)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does by default: invalid UTF-8
// becomes U+FFFD, and <, >, &, U+2028 and U+2029 are escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0xFFFD && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
