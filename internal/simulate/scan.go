package simulate

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// A fast, strict decoder for the Input JSON, for --batch: it fills a
// reusable eval.Context directly and leaves policies as raw byte slices of
// the line, so decoding a line allocates little. Its rules are ParseInput's
// (field names exactly as written in fields.go, no unknown or duplicate
// fields, a request with a well-formed action, valid UTF-8, nesting up to
// policy.MaxDepth, the request limits of fields.go); where both accept a
// line, the result is what json.Unmarshal into Input gives. The tests
// compare the two on generated and fuzzed inputs.

// inputError is a problem in an input, at a byte offset of it.
type inputError struct {
	off int
	msg string
}

func (e *inputError) Error() string { return e.msg }

type scanner struct {
	b   []byte
	i   int
	err *inputError
	// known, when set, tells whether a policy's exact bytes were accepted
	// before (policy).
	known func(raw []byte) bool
	// recent, when set, holds the policies of the last accepted line and
	// collects this line's.
	recent *recentPolicies
	// direct, when set, parses the policies (directPolicies.parse).
	direct *directPolicies
}

// recentPolicies keeps copies of the policies of the last line the decoder
// accepted, with the nesting level each was checked at: a batch that asks
// many questions of one policy set repeats them line after line, and
// comparing bytes is cheaper than finding a policy's end.
type recentPolicies struct {
	raws   [][]byte
	depths []int
	// spans of the policies of the line being decoded.
	spans []policySpan
}

type policySpan struct{ start, end, depth int }

// maxRecent bounds the policies remembered from one line.
const maxRecent = 16

// match returns the length of a remembered policy that b starts with,
// checked at depth or deeper, or 0.
func (r *recentPolicies) match(b []byte, depth int) int {
	for k, raw := range r.raws {
		if r.depths[k] >= depth && len(raw) <= len(b) && string(b[:len(raw)]) == string(raw) {
			return len(raw)
		}
	}
	return 0
}

// remember keeps the policies of an accepted line.
func (r *recentPolicies) remember(line []byte) {
	n := min(len(r.spans), maxRecent)
	for len(r.raws) < n {
		r.raws = append(r.raws, nil)
		r.depths = append(r.depths, 0)
	}
	r.raws, r.depths = r.raws[:n], r.depths[:n]
	for k, sp := range r.spans[:n] {
		r.raws[k] = append(r.raws[k][:0], line[sp.start:sp.end]...)
		r.depths[k] = sp.depth
	}
}

func (s *scanner) fail(format string, args ...any) {
	s.failAt(s.i, fmt.Sprintf(format, args...))
}

func (s *scanner) failAt(off int, msg string) {
	if s.err == nil {
		s.err = &inputError{off: off, msg: msg}
	}
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) consume(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

// literal consumes true, false or null.
func (s *scanner) literal(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	s.fail("invalid literal (expected %s)", word)
	return false
}

// rawString consumes a string token and returns its raw bytes (quotes
// included) and whether it is plain: ASCII without escapes, so its content
// is b[1:len-1]. Invalid UTF-8 is an error, as in policy.ParseJSON.
func (s *scanner) rawString() (tok []byte, plain bool) {
	start := s.i
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		s.fail("expected a string")
		return nil, false
	}
	s.i++
	plain = true
	for s.i < len(s.b) {
		// Skip eight ordinary bytes at a time: no quote, backslash,
		// control character or non-ASCII byte.
		for s.i+8 <= len(s.b) && plainWord(binary.LittleEndian.Uint64(s.b[s.i:])) {
			s.i += 8
		}
		if s.i >= len(s.b) {
			break
		}
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return s.b[start:s.i], plain
		case c == '\\':
			plain = false
			s.i++
			if s.i >= len(s.b) {
				s.fail("unterminated string")
				return nil, false
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				if s.i+5 > len(s.b) {
					s.fail("invalid \\u escape")
					return nil, false
				}
				for k := 1; k <= 4; k++ {
					if !isHex(s.b[s.i+k]) {
						s.fail("invalid \\u escape")
						return nil, false
					}
				}
				s.i += 5
			default:
				s.fail("invalid escape")
				return nil, false
			}
		case c < 0x20:
			s.fail("control character U+%04X in string (write it escaped)", c)
			return nil, false
		case c >= utf8.RuneSelf:
			plain = false
			r, size := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && size <= 1 {
				s.fail("invalid UTF-8 byte 0x%02x in string", c)
				return nil, false
			}
			s.i += size
		default:
			s.i++
		}
	}
	s.fail("unterminated string")
	return nil, false
}

// plainWord reports whether none of the eight bytes of x is '"', '\\', a
// control character (< 0x20) or a non-ASCII byte (>= 0x80), using the
// "has zero byte" bit trick.
func plainWord(x uint64) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	hasZero := func(v uint64) uint64 { return (v - ones) &^ v & highs }
	special := x&highs | hasZero(x^(ones*'"')) | hasZero(x^(ones*'\\')) | (x-ones*0x20)&^x&highs
	return special == 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// decodeString decodes a string token that is not plain.
func (s *scanner) decodeString(tok []byte, off int) (string, bool) {
	var v string
	if err := json.Unmarshal(tok, &v); err != nil {
		s.failAt(off, err.Error())
		return "", false
	}
	return v, true
}

// key consumes an object key and the colon; plain keys are returned without
// copying (valid until the buffer changes).
func (s *scanner) key() []byte {
	k, _ := s.keyPlain()
	return k
}

// keyPlain is key, also reporting whether the key was plain (ASCII
// without escapes): then it is a slice of s.b.
func (s *scanner) keyPlain() ([]byte, bool) {
	s.ws()
	off := s.i
	tok, plain := s.rawString()
	if s.err != nil {
		return nil, false
	}
	if !s.consume(':') {
		s.fail("expected ':'")
		return nil, false
	}
	if plain {
		return tok[1 : len(tok)-1], true
	}
	v, ok := s.decodeString(tok, off)
	if !ok {
		return nil, false
	}
	return []byte(v), false
}

func (s *scanner) number() {
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if digits() == 0 {
		s.i = start
		s.fail("invalid number")
		return
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			s.fail("invalid number")
			return
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			s.fail("invalid number")
		}
	}
}

// skip consumes any value at nesting level depth (the line's object is
// level 1), validating it, and returns its bytes.
func (s *scanner) skip(depth int) []byte {
	c := s.peek()
	start := s.i
	if (c == '{' || c == '[') && depth > policy.MaxDepth {
		s.fail("nesting deeper than %d levels, the limit for JSON input", policy.MaxDepth)
		return nil
	}
	switch {
	case c == '{':
		s.i++
		if s.consume('}') {
			break
		}
		for s.err == nil {
			s.ws()
			if _, _ = s.rawString(); s.err != nil {
				break
			}
			if !s.consume(':') {
				s.fail("expected ':'")
				break
			}
			s.skip(depth + 1)
			if s.consume(',') {
				continue
			}
			if !s.consume('}') {
				s.fail("expected ',' or '}'")
			}
			break
		}
	case c == '[':
		s.i++
		if s.consume(']') {
			break
		}
		for s.err == nil {
			s.skip(depth + 1)
			if s.consume(',') {
				continue
			}
			if !s.consume(']') {
				s.fail("expected ',' or ']'")
			}
			break
		}
	case c == '"':
		s.rawString()
	case c == 't':
		s.literal("true")
	case c == 'f':
		s.literal("false")
	case c == 'n':
		s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		s.number()
	case s.i >= len(s.b):
		s.fail("unexpected end of input: expected a value")
	default:
		s.fail("unexpected character %s: expected a value", describeByte(c))
	}
	if s.err != nil {
		return nil
	}
	return s.b[start:s.i]
}

func describeByte(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("0x%02x", c)
	}
	return strconv.QuoteRune(rune(c))
}

// batchInput is Input decoded for --batch: policies are raw slices of the
// line and the context goes straight into ctx.
type batchInput struct {
	in  Input
	ctx *eval.Context
	// keepContext also records the raw context values in
	// in.Request.Context (ParseInput needs them; --batch does not), and
	// gives the request's strings their own memory (in a batch they are
	// the line's bytes: text, contextKey).
	keepContext bool
	// values interns strings: batches repeat context values, and reusing
	// the strings avoids allocating them per line. ctxKeys does the same
	// for context keys (contextKey).
	values  interner
	ctxKeys map[string]ctxKey
	// lowerBuf holds the lower-case forms of the line's plain context
	// keys (contextKey).
	lowerBuf []byte
	// spellings of the context keys of the current object.
	spellings []string
	// action is set when request.action was given (not null); actionOff
	// is the offset of its value, or of the request object when the
	// action is absent.
	action    bool
	actionOff int
	// known is the scanner's known (nil: none); recent its recent;
	// direct its direct.
	known  func(raw []byte) bool
	recent *recentPolicies
	direct *directPolicies
}

func (bi *batchInput) reset() {
	bi.in.Request = Request{}
	bi.in.IdentityPolicies = bi.in.IdentityPolicies[:0]
	bi.in.ResourcePolicy = nil
	bi.in.PermissionsBoundary = nil
	bi.in.SessionPolicy = nil
	bi.in.ServiceControlPolicies = resetLevels(bi.in.ServiceControlPolicies)
	bi.in.ResourceControlPolicies = resetLevels(bi.in.ResourceControlPolicies)
	bi.ctx.Reset()
	bi.spellings = bi.spellings[:0]
	bi.lowerBuf = bi.lowerBuf[:0]
	bi.action, bi.actionOff = false, 0
}

func resetLevels(l [][]json.RawMessage) [][]json.RawMessage {
	return l[:0]
}

// inputField returns the index of an input field, or -1.
func inputField(k []byte) int {
	switch string(k) {
	case "request":
		return fieldRequest
	case "identityPolicies":
		return fieldIdentityPolicies
	case "resourcePolicy":
		return fieldResourcePolicy
	case "permissionsBoundary":
		return fieldPermissionsBoundary
	case "serviceControlPolicies":
		return fieldServiceControlPolicies
	case "resourceControlPolicies":
		return fieldResourceControlPolicies
	case "sessionPolicy":
		return fieldSessionPolicy
	}
	return -1
}

// requestField returns the index of a request field, or -1.
func requestField(k []byte) int {
	switch string(k) {
	case "principal":
		return fieldPrincipal
	case "action":
		return fieldAction
	case "resource":
		return fieldResource
	case "resourceAccount":
		return fieldResourceAccount
	case "context":
		return fieldContext
	}
	return -1
}

// decode parses one line into bi. The error, if any, is an *inputError
// with the offset of the problem in line.
func (bi *batchInput) decode(line []byte) *inputError {
	bi.reset()
	s := &scanner{b: line, known: bi.known, recent: bi.recent, direct: bi.direct}
	if bi.recent != nil {
		bi.recent.spans = bi.recent.spans[:0]
	}
	if !s.consume('{') {
		s.fail("an input must be a JSON object")
		return s.err
	}
	objOff := s.i - 1
	var seen uint
	if !s.consume('}') {
		for s.err == nil {
			s.ws()
			keyOff := s.i
			k := s.key()
			if s.err != nil {
				break
			}
			f := inputField(k)
			switch {
			case f < 0:
				s.failAt(keyOff, unknownFieldMessage(string(k), false))
			case seen&(1<<f) != 0:
				s.failAt(keyOff, duplicateFieldMessage(string(k), false))
			}
			if s.err != nil {
				break
			}
			seen |= 1 << f
			bi.field(s, f)
			if s.err != nil {
				break
			}
			if s.consume(',') {
				continue
			}
			if !s.consume('}') {
				s.fail("expected ',' or '}'")
			}
			break
		}
	}
	if s.err == nil {
		s.end()
	}
	if s.err == nil && seen&(1<<fieldRequest) == 0 {
		s.failAt(objOff, missingRequestMessage)
	}
	if s.err == nil {
		if p := actionProblem(bi.in.Request.Action, bi.action); p != "" {
			s.failAt(bi.actionOff, p)
		}
	}
	if s.err == nil && bi.recent != nil {
		bi.recent.remember(line)
	}
	return s.err
}

// field consumes the value of input field f.
func (bi *batchInput) field(s *scanner, f int) {
	switch f {
	case fieldRequest:
		bi.request(s)
	case fieldIdentityPolicies:
		bi.in.IdentityPolicies = rawList(s, bi.in.IdentityPolicies[:0], "identityPolicies", 2, policy.KindIdentity)
	case fieldResourcePolicy:
		bi.in.ResourcePolicy = s.policy(2, policy.KindResource)
	case fieldPermissionsBoundary:
		bi.in.PermissionsBoundary = s.policy(2, policy.KindBoundary)
	case fieldSessionPolicy:
		bi.in.SessionPolicy = s.policy(2, policy.KindSession)
	case fieldServiceControlPolicies:
		bi.in.ServiceControlPolicies = rawLevels(s, bi.in.ServiceControlPolicies, "serviceControlPolicies", policy.KindSCP)
	case fieldResourceControlPolicies:
		bi.in.ResourceControlPolicies = rawLevels(s, bi.in.ResourceControlPolicies, "resourceControlPolicies", policy.KindRCP)
	}
}

func (s *scanner) end() {
	if s.err != nil {
		return
	}
	s.ws()
	if s.i != len(s.b) {
		s.fail("unexpected %s after the input object", describeByte(s.b[s.i]))
	}
}

// policy consumes a policy document, as skip does. A batch repeats its
// policies: an object whose exact bytes were accepted before (s.known) is
// valid again, so only its end is looked for, unless its nesting could now
// go past policy.MaxDepth. When s.direct is set, the policy (of the given
// kind) is parsed here; one that parses is valid JSON, five levels deep
// at most, and needs no other check.
func (s *scanner) policy(depth int, kind policy.Kind) []byte {
	if s.direct != nil && s.peek() == '{' {
		if n := s.direct.parse(s.b[s.i:], kind); n > 0 {
			raw := s.b[s.i : s.i+n]
			s.i += n
			return raw
		}
	}
	raw := s.policyRaw(depth)
	if s.recent != nil && s.err == nil && len(raw) > 0 && raw[0] == '{' {
		s.recent.spans = append(s.recent.spans, policySpan{s.i - len(raw), s.i, depth})
	}
	return raw
}

func (s *scanner) policyRaw(depth int) []byte {
	if s.peek() != '{' {
		return s.skip(depth)
	}
	if s.recent != nil {
		if n := s.recent.match(s.b[s.i:], depth); n > 0 {
			raw := s.b[s.i : s.i+n]
			s.i += n
			return raw
		}
	}
	if s.known != nil {
		if end, nest := rawEnd(s.b, s.i); end > 0 && depth+nest-1 <= policy.MaxDepth && s.known(s.b[s.i:end]) {
			raw := s.b[s.i:end]
			s.i = end
			return raw
		}
	}
	return s.skip(depth)
}

// rawEnd finds the end of the object or array at b[i] by its brackets and
// strings alone, and its deepest nesting (1 for a flat object). It does not
// validate: it is exact for valid JSON and otherwise may return any end, or
// -1 when the brackets do not close.
func rawEnd(b []byte, i int) (end, nest int) {
	d := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '{', '[':
			d++
			if d > nest {
				nest = d
			}
		case '}', ']':
			d--
			if d == 0 {
				return i + 1, nest
			}
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		}
	}
	return -1, 0
}

// rawList consumes null or an array of values; the array is at nesting
// level depth.
func rawList(s *scanner, dst []json.RawMessage, name string, depth int, kind policy.Kind) []json.RawMessage {
	switch s.peek() {
	case 'n':
		s.literal("null")
		return nil
	case '[':
	default:
		s.fail("%s must be a list of policies", name)
		return dst
	}
	s.i++
	if s.consume(']') {
		if dst == nil {
			// An empty list, as json.Unmarshal gives it (not null).
			return []json.RawMessage{}
		}
		return dst[:0]
	}
	for s.err == nil {
		dst = append(dst, s.policy(depth+1, kind))
		if s.consume(',') {
			continue
		}
		if !s.consume(']') {
			s.fail("expected ',' or ']'")
		}
		break
	}
	return dst
}

// rawLevels consumes null or an array of (null or arrays of) values.
func rawLevels(s *scanner, dst [][]json.RawMessage, name string, kind policy.Kind) [][]json.RawMessage {
	switch s.peek() {
	case 'n':
		s.literal("null")
		return nil
	case '[':
	default:
		s.fail("%s must be a list of lists of policies (one list per organization level)", name)
		return dst
	}
	s.i++
	dst = dst[:0]
	if s.consume(']') {
		return dst
	}
	for s.err == nil {
		var level []json.RawMessage
		if len(dst) < cap(dst) {
			level = dst[:len(dst)+1][len(dst)][:0]
		}
		level = rawList(s, level, name+"["+strconv.Itoa(len(dst))+"]", 3, kind)
		dst = append(dst, level)
		if s.consume(',') {
			continue
		}
		if !s.consume(']') {
			s.fail("expected ',' or ']'")
		}
		break
	}
	return dst
}

// request consumes the request object.
func (bi *batchInput) request(s *scanner) {
	if s.peek() != '{' {
		s.fail(`"request" must be an object such as {"action": "s3:GetObject"}`)
		return
	}
	bi.actionOff = s.i
	s.i++
	if s.consume('}') {
		return
	}
	r := &bi.in.Request
	var seen uint
	for s.err == nil {
		s.ws()
		keyOff := s.i
		k := s.key()
		if s.err != nil {
			return
		}
		f := requestField(k)
		switch {
		case f < 0:
			s.failAt(keyOff, unknownFieldMessage(string(k), true))
		case seen&(1<<f) != 0:
			s.failAt(keyOff, duplicateFieldMessage(string(k), true))
		}
		if s.err != nil {
			return
		}
		seen |= 1 << f
		switch f {
		case fieldPrincipal:
			bi.optString(s, &r.Principal, "request.principal")
		case fieldAction:
			s.ws()
			bi.actionOff = s.i
			bi.action = bi.optString(s, &r.Action, "request.action")
		case fieldResource:
			bi.optString(s, &r.Resource, "request.resource")
		case fieldResourceAccount:
			bi.optString(s, &r.ResourceAccount, "request.resourceAccount")
		case fieldContext:
			bi.context(s)
		}
		if s.err != nil {
			return
		}
		if s.consume(',') {
			continue
		}
		if !s.consume('}') {
			s.fail("expected ',' or '}'")
		}
		return
	}
}

// optString consumes a string (interned: batches repeat principals,
// actions and resources) or null, which leaves dst unchanged. It reports
// whether a string was given.
func (bi *batchInput) optString(s *scanner, dst *string, name string) bool {
	switch s.peek() {
	case 'n':
		s.literal("null")
		return false
	case '"':
		off := s.i
		tok, plain := s.rawString()
		if s.err != nil {
			return false
		}
		if plain {
			if len(tok)-2 > MaxRequestString {
				s.failAt(off, stringTooLong(name, len(tok)-2))
				return false
			}
			*dst = bi.text(tok[1 : len(tok)-1])
			return true
		}
		v, ok := s.decodeString(tok, off)
		if ok && len(v) > MaxRequestString {
			s.failAt(off, stringTooLong(name, len(v)))
			return false
		}
		*dst = v
		return ok
	}
	s.fail("%s must be a string", name)
	return false
}

// context consumes the context object into bi.ctx.
func (bi *batchInput) context(s *scanner) {
	switch s.peek() {
	case 'n':
		s.literal("null")
		return
	case '{':
	default:
		s.fail(`request.context must be an object of condition keys, such as {"aws:MultiFactorAuthPresent": "true"}`)
		return
	}
	s.i++
	if s.consume('}') {
		return
	}
	for s.err == nil {
		s.ws()
		keyOff := s.i
		kb, plain := s.keyPlain()
		if s.err != nil {
			return
		}
		if len(kb) > MaxRequestString {
			s.failAt(keyOff, stringTooLong("a request.context key", len(kb)))
			return
		}
		if len(bi.spellings) >= MaxContextKeys {
			s.failAt(keyOff, fmt.Sprintf("request.context has more than %d keys, the limit for one request", MaxContextKeys))
			return
		}
		key, lower := bi.contextKey(kb, plain)
		for _, sp := range bi.spellings {
			if len(sp) != len(key) || !strings.EqualFold(sp, key) {
				continue
			}
			if sp == key {
				s.failAt(keyOff, fmt.Sprintf("duplicate context key %s", strconv.Quote(key)))
			} else {
				s.failAt(keyOff, dupKeyError(sp, key).Error())
			}
			return
		}
		bi.spellings = append(bi.spellings, key)
		valOff := s.i
		bi.contextValue(s, key, lower)
		if s.err != nil {
			return
		}
		if bi.keepContext {
			if bi.in.Request.Context == nil {
				bi.in.Request.Context = map[string]json.RawMessage{}
			}
			bi.in.Request.Context[key] = s.b[valOff:s.i]
		}
		if s.consume(',') {
			continue
		}
		if !s.consume('}') {
			s.fail("expected ',' or '}'")
		}
		return
	}
}

// contextValue consumes one context value with the semantics of
// addContextValue; lower is key in lower case.
func (bi *batchInput) contextValue(s *scanner, key, lower string) {
	switch s.peek() {
	case '[':
		s.i++
		bi.ctx.SetLower(lower)
		if s.consume(']') {
			return
		}
		for n := 1; s.err == nil; n++ {
			s.ws()
			if n > MaxContextValues {
				s.fail("context key %s has more than %d values, the limit for one key", strconv.Quote(key), MaxContextValues)
				return
			}
			if v, null, ok := bi.scalar(s, key); ok && !null {
				bi.ctx.AddLower(lower, v)
			}
			if s.err != nil {
				return
			}
			if s.consume(',') {
				continue
			}
			if !s.consume(']') {
				s.fail("expected ',' or ']'")
			}
			return
		}
	default:
		v, null, ok := bi.scalar(s, key)
		if !ok {
			return
		}
		if null {
			// A null value leaves the key absent.
			bi.ctx.DeleteLower(lower)
			return
		}
		bi.ctx.SetStringLower(lower, v)
	}
}

func (bi *batchInput) scalar(s *scanner, key string) (v string, null, ok bool) {
	switch c := s.peek(); {
	case c == '"':
		off := s.i
		tok, plain := s.rawString()
		if s.err != nil {
			return "", false, false
		}
		if plain {
			v = bi.text(tok[1 : len(tok)-1])
		} else if v, ok = s.decodeString(tok, off); !ok {
			return "", false, false
		}
		if len(v) > MaxRequestString {
			s.failAt(off, stringTooLong("the value of context key "+strconv.Quote(key), len(v)))
			return "", false, false
		}
		return v, false, true
	case c == 't':
		return "true", false, s.literal("true")
	case c == 'f':
		return "false", false, s.literal("false")
	case c == 'n':
		return "", true, s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		start := s.i
		s.number()
		if s.err != nil {
			return "", false, false
		}
		if s.i-start > MaxRequestString {
			s.failAt(start, stringTooLong("the value of context key "+strconv.Quote(key), s.i-start))
			return "", false, false
		}
		return bi.text(s.b[start:s.i]), false, true
	case c == '{':
		s.fail("context key %s: a value must be a string, boolean, number or a list of them, not an object", strconv.Quote(key))
	case c == '[':
		s.fail("context key %s: lists cannot be nested", strconv.Quote(key))
	case s.i >= len(s.b):
		s.fail("unexpected end of input: expected a value")
	default:
		s.fail("unexpected character %s: expected a value", describeByte(c))
	}
	return "", false, false
}

// interner turns bytes into strings, reusing the string of an earlier
// equal value. When few values repeat (a batch of random requests), the
// look-ups cost more than the strings they save: after a window of
// internWindow look-ups with fewer than half hits, it only allocates for
// the next internPause values, then tries again.
type interner struct {
	m             map[string]string
	n, hits, skip int
}

const (
	internWindow = 1024
	internPause  = 16 * internWindow
)

func (in *interner) get(b []byte) string {
	if in.skip > 0 {
		in.skip--
		return string(b)
	}
	in.n++
	if in.n >= internWindow {
		if 2*in.hits < in.n {
			in.skip = internPause
		}
		in.n, in.hits = 0, 0
	}
	if s, ok := in.m[string(b)]; ok {
		in.hits++
		return s
	}
	s := string(b)
	if len(b) <= 256 {
		if in.m == nil {
			in.m = make(map[string]string)
		}
		if len(in.m) >= 8192 {
			clear(in.m)
		}
		in.m[s] = s
	}
	return s
}

// contextKey returns a context key's spelling as a string and in lower
// case (as eval.Context keeps it). A plain key (ASCII without escapes, a
// slice of the line) is used in place and lower-cased into lowerBuf: both
// strings are valid while the line is, which is as long as a batch uses
// them (eval.Context and the explanation only live for the line). Other
// keys, and all when the context is kept (ParseInput), get their own
// strings, reused for a spelling seen before.
func (bi *batchInput) contextKey(b []byte, plain bool) (key, lower string) {
	if plain && !bi.keepContext && len(b) > 0 {
		key = unsafe.String(&b[0], len(b))
		upper := false
		for _, c := range b {
			if 'A' <= c && c <= 'Z' {
				upper = true
				break
			}
		}
		if !upper {
			return key, key
		}
		// If the buffer grows, strings already made keep the old one.
		start := len(bi.lowerBuf)
		for _, c := range b {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			bi.lowerBuf = append(bi.lowerBuf, c)
		}
		return key, unsafe.String(&bi.lowerBuf[start], len(b))
	}
	if k, ok := bi.ctxKeys[string(b)]; ok {
		return k.key, k.lower
	}
	key = string(b)
	lower = strings.ToLower(key)
	if len(b) <= 256 {
		if bi.ctxKeys == nil {
			bi.ctxKeys = make(map[string]ctxKey)
		}
		if len(bi.ctxKeys) >= 8192 {
			clear(bi.ctxKeys)
		}
		bi.ctxKeys[key] = ctxKey{key, lower}
	}
	return key, lower
}

type ctxKey struct{ key, lower string }

// text returns the string of a plain request string or number (a slice
// of the line). In a batch it is the line's own bytes, valid while the
// line is, which is as long as the batch uses the request (eval.Context
// and the explanation only live for the line). When the request is kept
// (ParseInput), it is interned.
func (bi *batchInput) text(b []byte) string {
	if bi.keepContext || len(b) == 0 {
		return bi.values.get(b)
	}
	return unsafe.String(&b[0], len(b))
}

// intern is in.get.
func (bi *batchInput) intern(in *interner, b []byte) string { return in.get(b) }
