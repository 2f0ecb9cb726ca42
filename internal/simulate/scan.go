package simulate

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/awsmfa/awsmfa/internal/eval"
)

// A fast decoder for the Input JSON, for --batch: it fills a reusable
// eval.Context directly and leaves policies as raw byte slices of the line,
// so decoding a line allocates little. It accepts exactly what
// json.Unmarshal into Input accepts (field names match case-insensitively,
// the last duplicate wins, unknown fields are ignored); the tests compare
// the two on generated and fuzzed inputs.

type scanner struct {
	b   []byte
	i   int
	err error
}

func (s *scanner) fail(format string, args ...any) {
	if s.err == nil {
		s.err = fmt.Errorf("offset %d: %s", s.i, fmt.Sprintf(format, args...))
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
	s.fail("invalid literal")
	return false
}

// rawString consumes a string token and returns its raw bytes (quotes
// included) and whether it is plain: ASCII without escapes, so its content
// is b[1:len-1].
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
			s.fail("control character in string")
			return nil, false
		case c >= utf8.RuneSelf:
			plain = false
			s.i++
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

// key consumes an object key and the colon; plain keys are returned without
// copying (valid until the buffer changes).
func (s *scanner) key() []byte {
	s.ws()
	tok, plain := s.rawString()
	if s.err != nil {
		return nil
	}
	if !s.consume(':') {
		s.fail("expected ':'")
		return nil
	}
	if plain {
		return tok[1 : len(tok)-1]
	}
	var v string
	if err := json.Unmarshal(tok, &v); err != nil {
		s.fail("%v", err)
		return nil
	}
	return []byte(v)
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

// skip consumes any value, validating it, and returns its bytes.
func (s *scanner) skip(depth int) []byte {
	if depth > 10000 {
		s.fail("exceeded max depth")
		return nil
	}
	c := s.peek()
	start := s.i
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
	default:
		s.fail("unexpected character")
	}
	if s.err != nil {
		return nil
	}
	return s.b[start:s.i]
}

// batchInput is Input decoded for --batch: policies are raw slices of the
// line and the context goes straight into ctx.
type batchInput struct {
	in  Input
	ctx *eval.Context
	// keys and values intern strings: batches repeat context keys and
	// values, and reusing the strings avoids allocating them per line.
	keys, values map[string]string
	// spellings of the context keys of the current object.
	spellings []string
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
}

func resetLevels(l [][]json.RawMessage) [][]json.RawMessage {
	return l[:0]
}

// decode parses one line into bi.
func (bi *batchInput) decode(line []byte) error {
	bi.reset()
	s := &scanner{b: line}
	if s.peek() == 'n' {
		// json.Unmarshal of null into a struct is a no-op.
		s.literal("null")
		return s.end()
	}
	if !s.consume('{') {
		return fmt.Errorf("an input must be a JSON object")
	}
	if s.consume('}') {
		return s.end()
	}
	for s.err == nil {
		k := s.key()
		if s.err != nil {
			break
		}
		switch {
		case eqFold(k, "request"):
			bi.request(s)
		case eqFold(k, "identityPolicies"):
			bi.in.IdentityPolicies = rawList(s, bi.in.IdentityPolicies[:0])
		case eqFold(k, "resourcePolicy"):
			bi.in.ResourcePolicy = rawValue(s)
		case eqFold(k, "permissionsBoundary"):
			bi.in.PermissionsBoundary = rawValue(s)
		case eqFold(k, "sessionPolicy"):
			bi.in.SessionPolicy = rawValue(s)
		case eqFold(k, "serviceControlPolicies"):
			bi.in.ServiceControlPolicies = rawLevels(s, bi.in.ServiceControlPolicies)
		case eqFold(k, "resourceControlPolicies"):
			bi.in.ResourceControlPolicies = rawLevels(s, bi.in.ResourceControlPolicies)
		default:
			s.skip(0)
		}
		if s.consume(',') {
			continue
		}
		if !s.consume('}') {
			s.fail("expected ',' or '}'")
		}
		break
	}
	if s.err != nil {
		return s.err
	}
	return s.end()
}

func (s *scanner) end() error {
	if s.err != nil {
		return s.err
	}
	s.ws()
	if s.i != len(s.b) {
		return fmt.Errorf("offset %d: invalid character after top-level value", s.i)
	}
	return nil
}

// eqFold compares an object key with a field name the way encoding/json
// does for ASCII names.
func eqFold(k []byte, name string) bool {
	if len(k) != len(name) {
		// encoding/json also folds the Kelvin sign and long s; such keys
		// are not plain and took the slow path, where they can differ in
		// length. Compare runes for them.
		return len(k) > len(name) && foldRunes(k, name)
	}
	for i := 0; i < len(k); i++ {
		a, b := k[i], name[i]
		if a == b {
			continue
		}
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

func foldRunes(k []byte, name string) bool {
	i := 0
	for _, r := range string(k) {
		if i >= len(name) {
			return false
		}
		c := rune(name[i])
		switch {
		case r == c:
		case r == '\u212a' && (c == 'k' || c == 'K'):
		case r == '\u017f' && (c == 's' || c == 'S'):
		case r < utf8.RuneSelf && ('a' <= r|0x20 && r|0x20 <= 'z') && r|0x20 == c|0x20:
		default:
			return false
		}
		i++
	}
	return i == len(name)
}

// rawValue consumes a value and returns it as a RawMessage (nil for null is
// not used: encoding/json keeps "null" in a RawMessage).
func rawValue(s *scanner) json.RawMessage {
	return s.skip(0)
}

// rawList consumes null or an array of values.
func rawList(s *scanner, dst []json.RawMessage) []json.RawMessage {
	switch s.peek() {
	case 'n':
		s.literal("null")
		return nil
	case '[':
	default:
		s.fail("expected an array of policies")
		return dst
	}
	s.i++
	if s.consume(']') {
		return dst[:0]
	}
	for s.err == nil {
		dst = append(dst, s.skip(1))
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
func rawLevels(s *scanner, dst [][]json.RawMessage) [][]json.RawMessage {
	switch s.peek() {
	case 'n':
		s.literal("null")
		return nil
	case '[':
	default:
		s.fail("expected an array of arrays of policies")
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
		level = rawList(s, level)
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
	switch s.peek() {
	case 'n':
		s.literal("null")
		return
	case '{':
	default:
		s.fail("request must be an object")
		return
	}
	s.i++
	if s.consume('}') {
		return
	}
	r := &bi.in.Request
	for s.err == nil {
		k := s.key()
		if s.err != nil {
			return
		}
		switch {
		case eqFold(k, "principal"):
			bi.optString(s, &r.Principal)
		case eqFold(k, "action"):
			bi.optString(s, &r.Action)
		case eqFold(k, "resource"):
			bi.optString(s, &r.Resource)
		case eqFold(k, "resourceAccount"):
			bi.optString(s, &r.ResourceAccount)
		case eqFold(k, "context"):
			bi.context(s)
		default:
			s.skip(0)
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
// actions and resources) or null, which leaves dst unchanged.
func (bi *batchInput) optString(s *scanner, dst *string) {
	switch s.peek() {
	case 'n':
		s.literal("null")
	case '"':
		tok, plain := s.rawString()
		if s.err != nil {
			return
		}
		if plain {
			*dst = bi.intern(&bi.values, tok[1:len(tok)-1])
			return
		}
		var v string
		if err := json.Unmarshal(tok, &v); err != nil {
			s.fail("%v", err)
			return
		}
		*dst = v
	default:
		s.fail("expected a string")
	}
}

// context consumes the context object into bi.ctx.
func (bi *batchInput) context(s *scanner) {
	switch s.peek() {
	case 'n':
		s.literal("null")
		return
	case '{':
	default:
		s.fail("context must be an object")
		return
	}
	s.i++
	if s.consume('}') {
		return
	}
	for s.err == nil {
		kb := s.key()
		if s.err != nil {
			return
		}
		key := bi.intern(&bi.keys, kb)
		for _, sp := range bi.spellings {
			if sp != key && strings.EqualFold(sp, key) {
				s.err = dupKeyError(sp, key)
				return
			}
		}
		bi.spellings = append(bi.spellings, key)
		bi.contextValue(s, key)
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

// contextValue consumes one context value with the semantics of
// addContextValue.
func (bi *batchInput) contextValue(s *scanner, key string) {
	switch s.peek() {
	case '[':
		s.i++
		bi.ctx.Set(key)
		if s.consume(']') {
			return
		}
		for s.err == nil {
			if v, null, ok := bi.scalar(s); ok && !null {
				bi.ctx.Add(key, v)
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
		v, null, ok := bi.scalar(s)
		if !ok {
			return
		}
		if null {
			// A null value leaves the key as it was, like json.Unmarshal
			// into a map of RawMessage followed by addContextValue: the key
			// holds "null", which is no value.
			bi.ctx.Delete(key)
			return
		}
		bi.ctx.SetString(key, v)
	}
}

func (bi *batchInput) scalar(s *scanner) (v string, null, ok bool) {
	switch c := s.peek(); {
	case c == '"':
		tok, plain := s.rawString()
		if s.err != nil {
			return "", false, false
		}
		if plain {
			return bi.intern(&bi.values, tok[1:len(tok)-1]), false, true
		}
		if err := json.Unmarshal(tok, &v); err != nil {
			s.fail("%v", err)
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
		return bi.intern(&bi.values, s.b[start:s.i]), false, true
	case c == '{':
		s.skip(0)
		s.fail("context value must be a string, boolean, number or a list of them, not an object")
	case c == '[':
		s.skip(0)
		s.fail("context lists cannot be nested")
	default:
		s.fail("unexpected character")
	}
	return "", false, false
}

// intern turns bytes into a string, reusing the string of an earlier equal
// value.
func (bi *batchInput) intern(m *map[string]string, b []byte) string {
	if s, ok := (*m)[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(b) <= 256 {
		if *m == nil {
			*m = make(map[string]string)
		}
		if len(*m) >= 8192 {
			clear(*m)
		}
		(*m)[s] = s
	}
	return s
}
