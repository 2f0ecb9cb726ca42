package simulate

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
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
	// Jobs is the number of goroutines answering lines; 0 or 1 answers
	// them one by one. The output is the same, in input order.
	Jobs int
	// OnChurn, when set, is called once if the batch turns out to compile
	// new policies for most lines (every line its own policies): such a
	// batch allocates much short-lived garbage, and the caller may give
	// the garbage collector more headroom (debug.SetGCPercent). A batch
	// that repeats its policies allocates little, and a larger heap would
	// only cost page faults.
	OnChurn func()
}

// churnWindow is how many lines RunBatch looks at before deciding whether
// the batch churns; churnCompiles how many policies compiled per line
// (times 100) is churn.
const (
	churnWindow   = 2048
	churnCompiles = 50
)

// churnWatch calls OnChurn once when a window of lines compiled policies
// at the churn rate.
type churnWatch struct {
	on       func()
	lines    int
	compiled *atomic.Int64
}

func (w *churnWatch) line() {
	if w.on == nil {
		return
	}
	w.lines++
	if w.lines < churnWindow {
		return
	}
	if 100*w.compiled.Load() >= churnCompiles*int64(w.lines) {
		w.on()
		w.on = nil
	}
	w.lines = 0
	w.compiled.Store(0)
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

// policyCache memoizes parsed and compiled policies by raw bytes, layer
// kind and name: batches usually repeat the same policies on every line.
type policyCache struct {
	// m holds, by a policy's bytes, its entries by kind and name. The
	// bytes passed the input decoder, so the decoder need not check them
	// again (scanner.known).
	m   map[string][]cacheEntry
	n   int
	max int
	// compiled, when set, counts the policies compiled (RunBatch's
	// churnWatch).
	compiled *atomic.Int64
	// hits and misses count look-ups (directPolicies).
	hits, misses int
}

type cacheEntry struct {
	kind policy.Kind
	name string
	src  string // the bytes, shared by the key and the parsed policy
	pol  *eval.Policy
	err  error
}

func newPolicyCache(max int) *policyCache {
	if max <= 0 {
		max = 4096
	}
	return &policyCache{m: map[string][]cacheEntry{}, max: max}
}

// has reports whether raw is the text of a cached policy.
func (c *policyCache) has(raw []byte) bool {
	_, ok := c.m[string(raw)]
	return ok
}

func (c *policyCache) get(ec *eval.Compiler, name string, raw []byte, kind policy.Kind) (*eval.Policy, error) {
	es := c.m[string(raw)]
	for i := range es {
		if e := &es[i]; e.kind == kind && e.name == name {
			c.hits++
			return e.pol, e.err
		}
	}
	c.misses++
	if c.n >= c.max {
		clear(c.m)
		c.n = 0
		es = nil
	}
	// One copy of the bytes serves as the key and as the parsed policy's
	// text.
	var src string
	if len(es) > 0 {
		src = es[0].src
	} else {
		src = string(raw)
	}
	doc, err := policy.ParseKindString(name, src, kind)
	var p *eval.Policy
	if err == nil {
		p, err = compileDoc(ec, name, doc)
	}
	c.m[src] = append(es, cacheEntry{kind: kind, name: name, src: src, pol: p, err: err})
	c.n++
	if c.compiled != nil {
		c.compiled.Add(1)
	}
	return p, err
}

// RunBatch answers JSON Lines: each input line is an Input and each answer
// line an Output, in order. Blank lines are skipped, not answered. A line
// that cannot be simulated is answered {"error": "NAME:LINE[:COLUMN]: ...",
// "line": LINE} and the batch goes on. A line longer than the limit stops
// the batch with a *LineTooLongError (reading stops there: an endless line
// costs at most the limit in memory); read and write failures stop it too.
// With opts.Jobs above 1, lines are answered by that many goroutines and
// written in input order; the output is the same.
func RunBatch(r io.Reader, w io.Writer, opts BatchOptions) error {
	lr := newLineReader(r, opts.MaxLineBytes)
	name := opts.Name
	if name == "" {
		name = "<stdin>"
	}
	if opts.Jobs > 1 {
		return runParallel(lr, w, name, opts)
	}
	churn := churnWatch{on: opts.OnChurn, compiled: new(atomic.Int64)}
	b := newBatcher(opts.CacheEntries)
	b.name = name
	b.comp.cache.compiled = churn.compiled
	bw := bufio.NewWriterSize(w, 64<<10)
	for {
		line, lineNo, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ferr := bw.Flush(); ferr != nil {
				return ferr
			}
			return lr.describe(err, name)
		}
		if _, werr := bw.Write(b.line(line, lineNo)); werr != nil {
			return werr
		}
		churn.line()
	}
	return bw.Flush()
}

// errLineTooLong is lineReader's signal for a line over the limit.
var errLineTooLong = errors.New("line too long")

// lineReader splits input into non-blank lines without their line breaks.
type lineReader struct {
	br     *bufio.Reader
	max    int
	long   []byte
	lineNo int
	done   bool
}

func newLineReader(r io.Reader, max int) *lineReader {
	if max <= 0 {
		max = MaxLineBytes
	}
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next non-blank line (valid until the next call) and its
// number; io.EOF at the end, errLineTooLong for a line over the limit (its
// number in lr.lineNo), or a read error.
func (lr *lineReader) next() ([]byte, int, error) {
	for !lr.done {
		line, err := lr.br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// Assemble a long line, up to the limit and its line break.
			lr.long = append(lr.long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) && len(lr.long) <= lr.max+2 {
				line, err = lr.br.ReadSlice('\n')
				lr.long = append(lr.long, line...)
			}
			line = lr.long
		}
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			lr.done = true
			return nil, 0, err
		}
		eof := errors.Is(err, io.EOF)
		if eof {
			lr.done = true
			if len(line) == 0 {
				break
			}
		}
		lr.lineNo++
		line = bytes.TrimRight(line, "\r\n")
		if len(line) > lr.max {
			lr.done = true
			return nil, 0, errLineTooLong
		}
		if len(bytes.TrimSpace(line)) > 0 {
			return line, lr.lineNo, nil
		}
	}
	return nil, 0, io.EOF
}

// describe turns next's errors into RunBatch's.
func (lr *lineReader) describe(err error, name string) error {
	if err == errLineTooLong {
		return &LineTooLongError{Name: name, Line: lr.lineNo, Limit: lr.max}
	}
	return err
}

// A chunk is a run of consecutive lines handed to one worker.
type chunk struct {
	data  []byte // the lines' bytes
	ends  []int  // end offset of each line in data
	nums  []int  // line numbers
	out   []byte // the answers
	ready chan struct{}
}

// chunkBytes and chunkLines bound a chunk: large enough that handing it
// over costs little, small enough to keep the workers busy.
const (
	chunkBytes = 256 << 10
	chunkLines = 512
)

// runParallel is RunBatch with opts.Jobs workers. The reader fills chunks,
// queues them in order for the writer and hands them to the workers; the
// writer waits for each in turn. At most 2*Jobs+1 chunks are in flight.
func runParallel(lr *lineReader, w io.Writer, name string, opts BatchOptions) error {
	jobs := opts.Jobs
	churn := churnWatch{on: opts.OnChurn, compiled: new(atomic.Int64)}
	free := make(chan *chunk, 2*jobs+1)
	for i := 0; i < cap(free); i++ {
		free <- &chunk{ready: make(chan struct{}, 1)}
	}
	work := make(chan *chunk, cap(free))
	order := make(chan *chunk, cap(free))
	stop := make(chan struct{}) // closed by the writer on a write error
	var wg sync.WaitGroup
	for i := 0; i < jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newBatcher(opts.CacheEntries)
			b.name = name
			b.comp.cache.compiled = churn.compiled
			for c := range work {
				c.out = c.out[:0]
				start := 0
				for i, end := range c.ends {
					c.out = append(c.out, b.line(c.data[start:end], c.nums[i])...)
					start = end
				}
				c.ready <- struct{}{}
			}
		}()
	}
	var werr error
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		bw := bufio.NewWriterSize(w, 64<<10)
		for c := range order {
			<-c.ready
			if werr == nil {
				if _, err := bw.Write(c.out); err != nil {
					werr = err
					close(stop)
				}
			}
			free <- c
		}
		if werr == nil {
			if err := bw.Flush(); err != nil {
				werr = err
			}
		}
	}()
	var rerr error
	c := <-free
	c.data, c.ends, c.nums = c.data[:0], c.ends[:0], c.nums[:0]
	submit := func() bool {
		if len(c.ends) == 0 {
			return true
		}
		order <- c
		work <- c
		select {
		case c = <-free:
		case <-stop:
			return false
		}
		c.data, c.ends, c.nums = c.data[:0], c.ends[:0], c.nums[:0]
		return true
	}
	for {
		line, lineNo, err := lr.next()
		if err != nil {
			if err != io.EOF {
				rerr = lr.describe(err, name)
			}
			submit()
			break
		}
		c.data = append(c.data, line...)
		c.ends = append(c.ends, len(c.data))
		c.nums = append(c.nums, lineNo)
		// The workers' counts lag the reader by the chunks in flight; the
		// window is large enough not to mind.
		churn.line()
		if (len(c.data) >= chunkBytes || len(c.ends) >= chunkLines) && !submit() {
			break
		}
	}
	close(order)
	close(work)
	wg.Wait()
	<-writerDone
	if werr != nil {
		return werr
	}
	return rerr
}

// batcher holds the state reused across lines.
type batcher struct {
	name string
	comp compiler
	in   batchInput
	set  eval.PolicySet
	// scratch is reused by every line's evaluation.
	scratch evalScratch
	out     []byte
	enc     outputEncoder
	recent  recentPolicies
}

func newBatcher(cacheEntries int) *batcher {
	b := &batcher{name: "<stdin>", comp: compiler{cache: newPolicyCache(cacheEntries), ec: &eval.Compiler{}, direct: &directPolicies{}}}
	b.in.ctx = &eval.Context{}
	b.scratch.reuse = true
	return b
}

// line answers one input line; the returned slice is valid until the next
// call.
func (b *batcher) line(line []byte, lineNo int) []byte {
	// The decoder need not look for known policies when the batch does
	// not use the cache.
	// Nor, then, remember the policies of the last line: the cache
	// misses because they are not repeated.
	// When it compiles directly, the decoder parses the policies as it
	// meets them.
	b.comp.direct.next()
	if b.comp.direct.active() {
		b.in.known, b.in.recent, b.in.direct = nil, nil, b.comp.direct
	} else {
		b.in.known, b.in.recent, b.in.direct = b.comp.cache.has, &b.recent, nil
	}
	if err := b.in.decode(line); err != nil {
		return b.errorLine(lineNo, err.off+1, err.msg)
	}
	if err := b.comp.fill(&b.set, &b.in.in); err != nil {
		return b.errorLine(lineNo, 0, err.Error())
	}
	res, err := evalSet(&b.set, &b.in.in.Request, b.in.ctx, &b.scratch)
	if err != nil {
		return b.errorLine(lineNo, 0, err.Error())
	}
	// Written straight from the result: the same bytes as convert and
	// appendOutput (TestAppendResultMatchesOutput).
	b.out = appendResult(b.out[:0], &res)
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
			b = appendLayer(b, l.Layer, l.Decision, l.Note)
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

// appendLayer writes one layer's decision.
func appendLayer(b []byte, layer, decision, note string) []byte {
	b = append(b, `{"layer":`...)
	b = appendString(b, layer)
	b = append(b, `,"decision":`...)
	b = appendString(b, decision)
	if note != "" {
		b = append(b, `,"note":`...)
		b = appendString(b, note)
	}
	return append(b, '}')
}

// appendResult writes convert(r) as appendOutput would.
func appendResult(b []byte, r *eval.Result) []byte {
	b = append(b, `{"decision":`...)
	b = appendString(b, r.Decision.String())
	b = append(b, `,"matchedStatements":`...)
	b = appendMatches(b, r.Deciding)
	b = append(b, `,"reason":`...)
	b = appendString(b, r.Reason)
	if len(r.Layers) > 0 {
		b = append(b, `,"layers":[`...)
		for i := range r.Layers {
			l := &r.Layers[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = appendLayer(b, l.Layer.String(), l.Decision.String(), l.Note)
		}
		b = append(b, ']')
	}
	if len(r.NearMisses) > 0 {
		b = append(b, `,"nearMisses":`...)
		b = appendMatches(b, r.NearMisses)
	}
	return append(b, '}')
}

// appendMatches writes matched statements as appendStatements writes
// their conversion; ms nil is an empty list.
func appendMatches(b []byte, ms []eval.Match) []byte {
	b = append(b, '[')
	for i := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		m := &ms[i]
		b = append(b, `{"layer":`...)
		b = appendString(b, m.Layer.String())
		b = append(b, `,"policy":"`...)
		if m.Layer == eval.LayerSCP || m.Layer == eval.LayerRCP {
			b = strconv.AppendInt(b, int64(m.Level), 10)
			b = append(b, '/')
		}
		b = strconv.AppendInt(b, int64(m.PolicyIndex), 10)
		b = append(b, '"')
		b = appendStatementTail(b, m.Sid, m.StatementIndex, string(m.Effect), m.Pos.Line, m.Pos.Column, len(m.Conditions))
		for j := range m.Conditions {
			c := &m.Conditions[j]
			b = appendCondition(b, j, c.Operator, c.Key, c.Values, false, c.Present, c.Matched, c.Why)
		}
		b = appendStatementEnd(b, len(m.Conditions))
	}
	return append(b, ']')
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
		b = appendStatementTail(b, m.Sid, m.Statement, m.Effect, m.Line, m.Column, len(m.Conditions))
		for j := range m.Conditions {
			c := &m.Conditions[j]
			b = appendCondition(b, j, c.Operator, c.Key, c.Values, true, c.Present, c.Matched, c.Why)
		}
		b = appendStatementEnd(b, len(m.Conditions))
	}
	return append(b, ']')
}

// appendStatementTail writes a matched statement's fields after its
// policy, up to its conditions (opened when it has any).
func appendStatementTail(b []byte, sid string, statement int, effect string, line, column, conditions int) []byte {
	if sid != "" {
		b = append(b, `,"sid":`...)
		b = appendString(b, sid)
	}
	b = append(b, `,"statement":`...)
	b = strconv.AppendInt(b, int64(statement), 10)
	b = append(b, `,"effect":`...)
	b = appendString(b, effect)
	if line != 0 {
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(line), 10)
	}
	if column != 0 {
		b = append(b, `,"column":`...)
		b = strconv.AppendInt(b, int64(column), 10)
	}
	if conditions > 0 {
		b = append(b, `,"conditions":[`...)
	}
	return b
}

// appendCondition writes the j-th condition of a matched statement;
// nilNull writes nil values as null instead of an empty list.
func appendCondition(b []byte, j int, operator, key string, values []string, nilNull, present, matched bool, why string) []byte {
	if j > 0 {
		b = append(b, ',')
	}
	b = append(b, `{"operator":`...)
	b = appendString(b, operator)
	b = append(b, `,"key":`...)
	b = appendString(b, key)
	b = append(b, `,"values":`...)
	if values == nil && nilNull {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for k, v := range values {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendString(b, v)
		}
		b = append(b, ']')
	}
	b = append(b, `,"present":`...)
	b = strconv.AppendBool(b, present)
	b = append(b, `,"matched":`...)
	b = strconv.AppendBool(b, matched)
	b = append(b, `,"why":`...)
	b = appendString(b, why)
	return append(b, '}')
}

// appendStatementEnd closes a matched statement (and its conditions).
func appendStatementEnd(b []byte, conditions int) []byte {
	if conditions > 0 {
		b = append(b, ']')
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// Byte-parallel tests on eight bytes in a uint64.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasZero reports whether a byte of x is zero.
func hasZero(x uint64) bool { return (x-ones)&^x&highs != 0 }

// safe8 reports whether the eight bytes of x are all jsonSafe.
func safe8(x uint64) bool {
	return x&highs == 0 && // ASCII
		(x-ones*0x20)&^x&highs == 0 && // no control characters
		!hasZero(x^(ones*'"')) && !hasZero(x^(ones*'\\')) &&
		!hasZero(x^(ones*'<')) && !hasZero(x^(ones*'>')) && !hasZero(x^(ones*'&'))
}

// jsonSafe marks the bytes appendString copies as they are: printable
// ASCII but for ", \\, <, > and &.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString quotes s as encoding/json does by default: invalid UTF-8
// becomes U+FFFD, and <, >, &, U+2028 and U+2029 are escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight safe bytes at a time.
		for i+8 <= len(s) && safe8(uint64(s[i])|uint64(s[i+1])<<8|uint64(s[i+2])<<16|uint64(s[i+3])<<24|
			uint64(s[i+4])<<32|uint64(s[i+5])<<40|uint64(s[i+6])<<48|uint64(s[i+7])<<56) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if jsonSafe[c] {
			i++
			continue
		}
		if c < 0x80 {
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
