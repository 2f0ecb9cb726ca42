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

// BatchOptions tunes RunBatch.
type BatchOptions struct {
	// MaxLineBytes limits one input line; a longer line is answered with an
	// error and skipped. Zero means 16 MiB.
	MaxLineBytes int
	// CacheEntries limits the compiled-policy cache; zero means 4096. The
	// cache is cleared when full.
	CacheEntries int
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
// line an Output, in order. A line that cannot be simulated is answered
// {"error": "...", "line": N} and the batch goes on; an empty line is
// answered with an error too, so answers stay aligned with inputs. Only
// read and write failures stop the batch and are returned.
func RunBatch(r io.Reader, w io.Writer, opts BatchOptions) error {
	max := opts.MaxLineBytes
	if max <= 0 {
		max = 16 << 20
	}
	br := bufio.NewReaderSize(r, 64<<10)
	bw := bufio.NewWriterSize(w, 64<<10)
	b := newBatcher(opts.CacheEntries)
	var long []byte
	lineNo := 0
	for {
		line, err := br.ReadSlice('\n')
		tooLong := false
		if errors.Is(err, bufio.ErrBufferFull) {
			// Assemble a long line, up to max.
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				if len(long) <= max {
					long = append(long, line...)
				}
			}
			if len(long) > max {
				tooLong = true
			}
			line = long
		}
		if err != nil && !errors.Is(err, io.EOF) {
			bw.Flush()
			return err
		}
		eof := errors.Is(err, io.EOF)
		if eof && len(line) == 0 {
			break
		}
		lineNo++
		line = bytes.TrimRight(line, "\r\n")
		var out []byte
		switch {
		case tooLong:
			out = b.errorLine(lineNo, fmt.Sprintf("line is longer than %d bytes", max))
		case len(bytes.TrimSpace(line)) == 0:
			out = b.errorLine(lineNo, "empty line")
		default:
			out = b.line(line, lineNo)
		}
		if _, werr := bw.Write(out); werr != nil {
			return werr
		}
		if eof {
			break
		}
	}
	return bw.Flush()
}

// batcher holds the state reused across lines.
type batcher struct {
	comp compiler
	in   batchInput
	set  eval.PolicySet
	out  []byte
	enc  outputEncoder
}

func newBatcher(cacheEntries int) *batcher {
	b := &batcher{comp: compiler{cache: newPolicyCache(cacheEntries)}}
	b.in.ctx = &eval.Context{}
	return b
}

// line answers one input line; the returned slice is valid until the next
// call.
func (b *batcher) line(line []byte, lineNo int) []byte {
	if err := b.in.decode(line); err != nil {
		return b.errorLine(lineNo, "invalid input: "+err.Error())
	}
	if err := b.comp.fill(&b.set, &b.in.in); err != nil {
		return b.errorLine(lineNo, err.Error())
	}
	out := runSet(&b.set, &b.in.in.Request, b.in.ctx)
	b.out = b.enc.appendOutput(b.out[:0], out)
	b.out = append(b.out, '\n')
	return b.out
}

func (b *batcher) errorLine(lineNo int, msg string) []byte {
	out := Output{Error: "line " + strconv.Itoa(lineNo) + ": " + msg, Line: lineNo}
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
