package policy

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// MaxDepth is the deepest nesting of arrays and objects ParseJSON accepts.
// A policy needs five levels (document, Statement list, statement,
// Condition, operator block, value list); the limit only exists so that
// hostile input cannot exhaust the stack.
const MaxDepth = 256

// MaxValues is the most values (objects, arrays, strings, numbers,
// literals) ParseJSON accepts in one document. The largest IAM policy holds
// a few thousand; a 64 MiB Terraform plan about two million (its values
// average about 30 bytes). The limit bounds memory for hostile input such
// as 64 MiB of "[0,0,0,...", which would otherwise build 33 million
// nodes.
const MaxValues = 1 << 21

// ParseJSON parses data as strict RFC 8259 JSON and returns its tree, with
// the line and column of every value and object key. file names the input in
// error messages.
//
// Accepted beyond the RFC: a leading UTF-8 byte order mark, which is skipped
// and not counted in columns (editors on Windows write one, and RFC 8259
// section 8.1 allows parsers to ignore it). Rejected: comments, trailing commas, single quotes, NaN and
// Infinity, invalid escapes, unescaped control characters in strings,
// invalid UTF-8 anywhere, nesting deeper than MaxDepth, more than MaxValues
// values, and anything after the top-level value. Escaped lone UTF-16 surrogates (\ud800) are decoded
// as U+FFFD, as encoding/json does.
//
// On error the result is nil and the error is an ErrorList holding one
// *Error.
func ParseJSON(file string, data []byte) (*Node, error) {
	p := jsonParser{file: file, data: data, src: string(data), line: 1}
	return p.parse()
}

// parse parses p.data; see ParseJSON.
func (p *jsonParser) parse() (*Node, error) {
	data := p.data
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		p.i = 3
		p.lineStart = 3
	}
	p.skipSpace()
	if p.i >= len(p.data) {
		return nil, p.fail(p.pos(), "empty document: expected a JSON value")
	}
	n := p.value(0)
	if p.err != nil {
		return nil, p.err
	}
	p.skipSpace()
	if p.i < len(p.data) {
		return nil, p.fail(p.pos(), "unexpected "+p.describe()+" after the top-level value")
	}
	return n, nil
}

type jsonParser struct {
	file string
	data []byte
	// src is data as one string: unescaped strings and literals become
	// substrings of it, so they cost no allocation.
	src       string
	i         int
	line      int
	lineStart int
	err       error
	// values counts the values parsed so far (MaxValues).
	values int

	// slab hands out Nodes in blocks to save one allocation per value.
	slab []Node
	// Scratch stacks for building member and item lists; finished lists
	// are copied out at their exact size.
	members []Member
	items   []*Node

	// arena, when set, supplies Nodes and lists for a tree that is thrown
	// away after use (ParseKind).
	arena *arena
	// What the tree asked of the arena: nodes, members, items.
	wantN, wantM, wantI int
}

// An arena holds the Nodes and lists of one parsed tree, reused for the
// next tree once the previous one is no longer referenced: ParseKind builds
// a Document, which keeps no Node, so its tree need not be garbage.
type arena struct {
	nodes   []Node
	members []Member
	items   []*Node
	// Used counts; an arena that was too small grows to what the last tree
	// needed, up to the max* limits.
	nn, nm, ni int
	// members, parser scratch stacks reused too.
	scratchMembers []Member
	scratchItems   []*Node
}

const (
	maxArenaNodes = 1 << 14
	maxArenaLists = 1 << 14
)

var arenas = sync.Pool{New: func() any { return new(arena) }}

// release clears what the last tree used (so that the pool keeps no
// strings alive) and sizes the arena for the next one.
func (a *arena) release(want, wantM, wantI int) {
	clear(a.nodes[:a.nn])
	clear(a.members[:a.nm])
	clear(a.items[:a.ni])
	a.nn, a.nm, a.ni = 0, 0, 0
	if want > len(a.nodes) && want <= maxArenaNodes {
		a.nodes = make([]Node, want+want/4)
	}
	if wantM > len(a.members) && wantM <= maxArenaLists {
		a.members = make([]Member, wantM+wantM/4)
	}
	if wantI > len(a.items) && wantI <= maxArenaLists {
		a.items = make([]*Node, wantI+wantI/4)
	}
	arenas.Put(a)
}

// parseTemp parses data into a tree valid until done is called.
func parseTemp(file string, src string) (n *Node, done func(), err error) {
	a := arenas.Get().(*arena)
	// The parser only reads data.
	data := unsafe.Slice(unsafe.StringData(src), len(src))
	p := jsonParser{file: file, data: data, src: src, line: 1, arena: a,
		members: a.scratchMembers[:0], items: a.scratchItems[:0]}
	n, err = p.parse()
	return n, func() {
		clear(p.members[:cap(p.members)])
		clear(p.items[:cap(p.items)])
		a.scratchMembers, a.scratchItems = p.members[:0], p.items[:0]
		a.release(p.wantN, p.wantM, p.wantI)
	}, err
}

func (p *jsonParser) pos() Pos { return Pos{Line: p.line, Column: p.i - p.lineStart + 1} }

func (p *jsonParser) fail(pos Pos, msg string) error {
	if p.err == nil {
		p.err = ErrorList{{File: p.file, Pos: pos, Msg: "invalid JSON: " + msg}}
	}
	return p.err
}

// failLimit records an error about a limit (see Error.Limit).
func (p *jsonParser) failLimit(pos Pos, msg string) {
	if p.err == nil {
		p.err = ErrorList{{File: p.file, Pos: pos, Msg: msg, Limit: true}}
	}
}

func (p *jsonParser) newNode(kind NodeKind, pos Pos) *Node {
	if a := p.arena; a != nil {
		p.wantN++
		if a.nn < len(a.nodes) {
			n := &a.nodes[a.nn]
			a.nn++
			n.Kind = kind
			n.Pos = pos
			return n
		}
	}
	if len(p.slab) == 0 {
		size := 16
		if rem := len(p.data) - p.i; rem > 256 {
			size = 64
		}
		p.slab = make([]Node, size)
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	n.Kind = kind
	n.Pos = pos
	return n
}

// memberList returns a list for k members, from the arena when there is
// one with room.
func (p *jsonParser) memberList(k int) []Member {
	if a := p.arena; a != nil {
		p.wantM += k
		if a.nm+k <= len(a.members) {
			l := a.members[a.nm : a.nm+k : a.nm+k]
			a.nm += k
			return l
		}
	}
	return make([]Member, k)
}

// itemList is memberList for array items.
func (p *jsonParser) itemList(k int) []*Node {
	if a := p.arena; a != nil {
		p.wantI += k
		if a.ni+k <= len(a.items) {
			l := a.items[a.ni : a.ni+k : a.ni+k]
			a.ni += k
			return l
		}
	}
	return make([]*Node, k)
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t':
			p.i++
		case '\n':
			p.i++
			p.line++
			p.lineStart = p.i
		case '\r':
			p.i++
			if p.i < len(p.data) && p.data[p.i] == '\n' {
				p.i++
			}
			p.line++
			p.lineStart = p.i
		default:
			return
		}
	}
}

// describe names the input at p.i for an error message.
func (p *jsonParser) describe() string {
	if p.i >= len(p.data) {
		return "end of input"
	}
	c := p.data[p.i]
	if c < utf8.RuneSelf {
		if c < 0x20 || c == 0x7f {
			return fmt.Sprintf("control character U+%04X", c)
		}
		return fmt.Sprintf("character %q", rune(c))
	}
	r, size := utf8.DecodeRune(p.data[p.i:])
	if r == utf8.RuneError && size <= 1 {
		return fmt.Sprintf("invalid UTF-8 byte 0x%02x", c)
	}
	if r == 0xFEFF {
		return "byte order mark U+FEFF"
	}
	return fmt.Sprintf("character %q (U+%04X)", r, r)
}

func (p *jsonParser) value(depth int) *Node {
	if p.i >= len(p.data) {
		p.fail(p.pos(), "unexpected end of input: expected a value")
		return nil
	}
	if p.values++; p.values > MaxValues {
		p.failLimit(p.pos(), fmt.Sprintf("more than %d values, the limit for one JSON document", MaxValues))
		return nil
	}
	switch c := p.data[p.i]; c {
	case '{':
		return p.object(depth + 1)
	case '[':
		return p.array(depth + 1)
	case '"':
		pos := p.pos()
		s, ok := p.str()
		if !ok {
			return nil
		}
		n := p.newNode(NodeString, pos)
		n.Str = s
		return n
	case 't', 'f', 'n':
		return p.literal()
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return p.number()
	case '\'':
		p.fail(p.pos(), "single-quoted strings are not allowed; use double quotes")
	case '/':
		p.fail(p.pos(), "comments are not allowed")
	case ']', '}':
		p.fail(p.pos(), fmt.Sprintf("unexpected %q: expected a value", rune(c)))
	default:
		if isLetter(c) || c == '+' || c == '.' {
			p.badWord()
			return nil
		}
		p.fail(p.pos(), "unexpected "+p.describe()+": expected a value")
	}
	return nil
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// badWord reports an unquoted word such as NaN, Infinity, True or an
// unquoted string.
func (p *jsonParser) badWord() {
	start := p.i
	end := start
	for end < len(p.data) && end-start < 40 && (isLetter(p.data[end]) || p.data[end] == '+' || p.data[end] == '.' ||
		p.data[end] >= '0' && p.data[end] <= '9' || p.data[end] == '_' || p.data[end] == '-') {
		end++
	}
	w := p.src[start:end]
	switch strings.TrimLeft(w, "+-") {
	case "NaN", "Infinity", "inf", "nan", "Inf":
		p.fail(p.pos(), fmt.Sprintf("invalid value %q: JSON has no NaN or Infinity", w))
		return
	}
	switch strings.ToLower(w) {
	case "true", "false", "null":
		p.fail(p.pos(), fmt.Sprintf("invalid literal %q: JSON literals are lowercase (%s)", w, strings.ToLower(w)))
		return
	}
	for _, lit := range []string{"true", "false", "null"} {
		if strings.HasPrefix(lit, w) || strings.HasPrefix(w, lit) {
			p.fail(p.pos(), fmt.Sprintf("invalid literal %q (expected %s)", w, lit))
			return
		}
	}
	if w[0] == '+' || w[0] == '.' {
		p.fail(p.pos(), fmt.Sprintf("invalid number %q", w))
		return
	}
	p.fail(p.pos(), fmt.Sprintf("unexpected word %q: strings must be in double quotes", w))
}

func (p *jsonParser) literal() *Node {
	pos := p.pos()
	start := p.i
	rest := p.src[p.i:]
	var n *Node
	switch {
	case strings.HasPrefix(rest, "true"):
		n = p.newNode(NodeBool, pos)
		n.Str = p.src[p.i : p.i+4]
		p.i += 4
	case strings.HasPrefix(rest, "false"):
		n = p.newNode(NodeBool, pos)
		n.Str = p.src[p.i : p.i+5]
		p.i += 5
	case strings.HasPrefix(rest, "null"):
		n = p.newNode(NodeNull, pos)
		n.Str = ""
		p.i += 4
	default:
		p.badWord()
		return nil
	}
	// "trueish" must not parse as true followed by garbage silently; the
	// caller reports the next character, which is good enough, but a
	// letter directly after a literal reads better as one bad word.
	if p.i < len(p.data) && (isLetter(p.data[p.i]) || p.data[p.i] >= '0' && p.data[p.i] <= '9' || p.data[p.i] == '_') {
		p.i = start
		p.badWord()
		return nil
	}
	return n
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *jsonParser) number() *Node {
	pos := p.pos()
	start := p.i
	i, bad := scanNumber(p.data, p.i)
	p.i = i
	switch bad {
	case numberLeadingZero:
		p.fail(pos, "invalid number: leading zeros are not allowed")
		return nil
	case numberNoDigit:
		if i < len(p.data) && isLetter(p.data[i]) {
			p.i = start
			p.badWord()
			return nil
		}
		p.fail(p.pos(), "invalid number: expected a digit after '-'")
		return nil
	case numberNoFraction:
		p.fail(p.pos(), "invalid number: expected a digit after the decimal point")
		return nil
	case numberNoExponent:
		p.fail(p.pos(), "invalid number: expected a digit in the exponent")
		return nil
	}
	n := p.newNode(NodeNumber, pos)
	n.Str = p.src[start:i]
	return n
}

// numberProblem says why bytes are not a JSON number.
type numberProblem uint8

const (
	numberOK          numberProblem = iota
	numberLeadingZero               // 0 followed by a digit
	numberNoDigit                   // no digit after the optional '-'
	numberNoFraction                // no digit after the decimal point
	numberNoExponent                // no digit in the exponent
)

// scanNumber scans the JSON number at d[i] (RFC 8259 section 6). It
// returns the number's end, or the position of its problem: the byte
// after the leading zero, or the byte where a digit was expected.
func scanNumber(d []byte, i int) (int, numberProblem) {
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
		if i < len(d) && isDigit(d[i]) {
			return i, numberLeadingZero
		}
	case i < len(d) && isDigit(d[i]):
		i = skipDigits(d, i)
	default:
		return i, numberNoDigit
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return i, numberNoFraction
		}
		i = skipDigits(d, i)
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return i, numberNoExponent
		}
		i = skipDigits(d, i)
	}
	return i, numberOK
}

func skipDigits(d []byte, i int) int {
	for i < len(d) && isDigit(d[i]) {
		i++
	}
	return i
}

// str parses a string starting at the opening quote.
func (p *jsonParser) str() (string, bool) {
	d := p.data
	start := p.i + 1
	i := start
	// Fast path: no escapes, ASCII or valid UTF-8.
	for i < len(d) {
		// Eight plain ASCII bytes at a time.
		for i+8 <= len(d) && plainASCII8(binary.LittleEndian.Uint64(d[i:])) {
			i += 8
		}
		if i >= len(d) {
			break
		}
		c := d[i]
		if c == '"' {
			p.i = i + 1
			return p.src[start:i], true
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			p.i = i
			p.fail(p.pos(), fmt.Sprintf("control character U+%04X in string (write it escaped, such as \\n or \\u%04x)", c, c))
			return "", false
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(d[i:])
		if r == utf8.RuneError && size <= 1 {
			p.i = i
			p.fail(p.pos(), fmt.Sprintf("invalid UTF-8 byte 0x%02x in string", c))
			return "", false
		}
		i += size
	}
	if i >= len(d) {
		p.i = i
		p.fail(p.pos(), "unexpected end of input in string")
		return "", false
	}
	// Slow path: decode escapes.
	buf := make([]byte, 0, i-start+16)
	buf = append(buf, d[start:i]...)
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			p.i = i + 1
			return string(buf), true
		case c == '\\':
			if i+1 >= len(d) {
				p.i = i + 1
				p.fail(p.pos(), "unexpected end of input in string escape")
				return "", false
			}
			e := d[i+1]
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
				i += 2
			case 'b':
				buf = append(buf, '\b')
				i += 2
			case 'f':
				buf = append(buf, '\f')
				i += 2
			case 'n':
				buf = append(buf, '\n')
				i += 2
			case 'r':
				buf = append(buf, '\r')
				i += 2
			case 't':
				buf = append(buf, '\t')
				i += 2
			case 'u':
				r, ok := hex4(d, i+2)
				if !ok {
					p.i = i
					p.fail(p.pos(), "invalid escape: \\u must be followed by four hex digits")
					return "", false
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2, ok2 := rune(0), false
					if i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' {
						r2, ok2 = hex4(d, i+2)
					}
					if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				p.i = i
				if e < utf8.RuneSelf && e >= 0x20 {
					p.fail(p.pos(), fmt.Sprintf("invalid escape %q in string (valid escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", "\\"+string(rune(e))))
				} else {
					p.fail(p.pos(), "invalid escape in string")
				}
				return "", false
			}
		case c < 0x20:
			p.i = i
			p.fail(p.pos(), fmt.Sprintf("control character U+%04X in string (write it escaped, such as \\n or \\u%04x)", c, c))
			return "", false
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size <= 1 {
				p.i = i
				p.fail(p.pos(), fmt.Sprintf("invalid UTF-8 byte 0x%02x in string", c))
				return "", false
			}
			buf = append(buf, d[i:i+size]...)
			i += size
		}
	}
	p.i = i
	p.fail(p.pos(), "unexpected end of input in string")
	return "", false
}

// plainASCII8 reports whether the eight bytes of x are ASCII other than
// '"', '\\' and control characters: bytes str passes over as they are.
func plainASCII8(x uint64) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	hasZero := func(v uint64) uint64 { return (v - ones) &^ v & highs }
	return x&highs|hasZero(x^(ones*'"'))|hasZero(x^(ones*'\\'))|(x-ones*0x20)&^x&highs == 0
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

func (p *jsonParser) object(depth int) *Node {
	pos := p.pos()
	if depth > MaxDepth {
		p.failLimit(pos, fmt.Sprintf("nesting deeper than %d levels, the limit for JSON input", MaxDepth))
		return nil
	}
	p.i++ // '{'
	base := len(p.members)
	p.skipSpace()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return p.newNode(NodeObject, pos)
	}
	for {
		if p.i >= len(p.data) {
			p.fail(p.pos(), "unexpected end of input: expected a string key or '}'")
			return nil
		}
		if c := p.data[p.i]; c != '"' {
			switch {
			case c == '}' && len(p.members) > base:
				p.fail(p.pos(), "trailing comma before '}'")
			case c == '\'':
				p.fail(p.pos(), "single-quoted keys are not allowed; use double quotes")
			case c == '/':
				p.fail(p.pos(), "comments are not allowed")
			case isLetter(c) || c == '_' || c == '$':
				p.fail(p.pos(), "object keys must be double-quoted strings")
			default:
				p.fail(p.pos(), "unexpected "+p.describe()+": expected a string key")
			}
			return nil
		}
		keyPos := p.pos()
		key, ok := p.str()
		if !ok {
			return nil
		}
		p.skipSpace()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			p.fail(p.pos(), fmt.Sprintf("unexpected %s after object key %q: expected ':'", p.describe(), key))
			return nil
		}
		p.i++
		p.skipSpace()
		v := p.value(depth)
		if v == nil {
			return nil
		}
		p.members = append(p.members, Member{Key: key, KeyPos: keyPos, Value: v})
		p.skipSpace()
		if p.i >= len(p.data) {
			p.fail(p.pos(), "unexpected end of input: expected ',' or '}'")
			return nil
		}
		switch p.data[p.i] {
		case ',':
			p.i++
			p.skipSpace()
			continue
		case '}':
			p.i++
			n := p.newNode(NodeObject, pos)
			n.Members = p.memberList(len(p.members) - base)
			copy(n.Members, p.members[base:])
			clear(p.members[base:])
			p.members = p.members[:base]
			return n
		case '/':
			p.fail(p.pos(), "comments are not allowed")
		default:
			p.fail(p.pos(), "unexpected "+p.describe()+" in object: expected ',' or '}'")
		}
		return nil
	}
}

func (p *jsonParser) array(depth int) *Node {
	pos := p.pos()
	if depth > MaxDepth {
		p.failLimit(pos, fmt.Sprintf("nesting deeper than %d levels, the limit for JSON input", MaxDepth))
		return nil
	}
	p.i++ // '['
	base := len(p.items)
	p.skipSpace()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return p.newNode(NodeArray, pos)
	}
	for {
		if p.i < len(p.data) && p.data[p.i] == ']' {
			p.fail(p.pos(), "trailing comma before ']'")
			return nil
		}
		if p.i < len(p.data) && p.data[p.i] == ',' {
			p.fail(p.pos(), "unexpected ',': expected a value")
			return nil
		}
		v := p.value(depth)
		if v == nil {
			return nil
		}
		p.items = append(p.items, v)
		p.skipSpace()
		if p.i >= len(p.data) {
			p.fail(p.pos(), "unexpected end of input: expected ',' or ']'")
			return nil
		}
		switch p.data[p.i] {
		case ',':
			p.i++
			p.skipSpace()
			continue
		case ']':
			p.i++
			n := p.newNode(NodeArray, pos)
			n.Items = p.itemList(len(p.items) - base)
			copy(n.Items, p.items[base:])
			clear(p.items[base:])
			p.items = p.items[:base]
			return n
		case '/':
			p.fail(p.pos(), "comments are not allowed")
		default:
			p.fail(p.pos(), "unexpected "+p.describe()+" in array: expected ',' or ']'")
		}
		return nil
	}
}
