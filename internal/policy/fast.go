package policy

import "unsafe"

// A single-pass parser for the common case: a valid policy document, read
// from its JSON bytes straight into a Document, without the Node tree and
// with memory reused from one document to the next. It knows the policy
// grammar, so it stops at the first thing it does not expect (any error,
// any unusual shape) and reports that it could not parse; the caller then
// parses with ParseKind, which gives the exact error. Where ParseFast
// succeeds, its Document is the one ParseKind builds (TestParseFastMatches,
// FuzzParseFast).

// Scratch holds the memory ParseFast reuses. The zero value is ready. A
// Scratch is not safe for concurrent use.
type Scratch struct {
	doc     Document
	stmts   []Statement
	ptrs    []*Statement
	strs    []string
	poss    []Pos
	princs  []Principal
	entries []PrincipalEntry
	conds   []Condition
	vals    []Value
	// keys of the condition block being read, for duplicates.
	keys []string
	// p is the tokenizer, kept here so that it is not allocated per call.
	p jsonParser
}

// maxFastKeys bounds the keys of one condition block ParseFast checks for
// duplicates one by one; larger blocks go to ParseKind.
const maxFastKeys = 32

// ParseFast parses a policy document used as kind, as ParseKind would, or
// reports false when it cannot: whenever ParseKind would report an error,
// and for some valid documents too. The Document, its strings (substrings
// of data, which must not change) and its lists live in sc: they are valid
// until the next call with sc.
func ParseFast(file string, data []byte, kind Kind, sc *Scratch) (*Document, bool) {
	d, end, ok := ParseFastPrefix(file, data, kind, sc)
	if !ok {
		return nil, false
	}
	sc.p.i = end
	sc.p.skipSpace()
	if sc.p.i != len(data) {
		return nil, false
	}
	return d, true
}

// ParseFastPrefix is ParseFast for a document that data starts with
// (data[0] is its '{'); it returns the document's end in data. Positions
// count from data[0], as if the document were alone.
func ParseFastPrefix(file string, data []byte, kind Kind, sc *Scratch) (*Document, int, bool) {
	if len(data) == 0 || data[0] != '{' {
		return nil, 0, false
	}
	src := unsafe.String(&data[0], len(data))
	sc.reset()
	sc.p = jsonParser{file: file, data: data, src: src, line: 1}
	p := &sc.p
	f := fastParser{p: p, sc: sc, kind: kind}
	d, ok := f.document()
	if !ok || p.err != nil {
		return nil, 0, false
	}
	return d, p.i, true
}

func (sc *Scratch) reset() {
	// Clear what the last document referred to, so that the Scratch keeps
	// no old text alive.
	clear(sc.stmts)
	clear(sc.ptrs)
	clear(sc.strs)
	clear(sc.princs)
	clear(sc.entries)
	clear(sc.conds)
	clear(sc.vals)
	clear(sc.keys)
	sc.doc = Document{}
	sc.stmts, sc.ptrs, sc.strs, sc.poss = sc.stmts[:0], sc.ptrs[:0], sc.strs[:0], sc.poss[:0]
	sc.princs, sc.entries, sc.conds, sc.vals, sc.keys = sc.princs[:0], sc.entries[:0], sc.conds[:0], sc.vals[:0], sc.keys[:0]
}

type fastParser struct {
	p    *jsonParser
	sc   *Scratch
	kind Kind
}

// ws skips white space and reports whether input remains.
func (f *fastParser) ws() bool {
	f.p.skipSpace()
	return f.p.i < len(f.p.data)
}

// next returns the next byte after white space, or 0 at the end.
func (f *fastParser) next() byte {
	if !f.ws() {
		return 0
	}
	return f.p.data[f.p.i]
}

// value counts one value against MaxValues.
func (f *fastParser) value() bool {
	f.p.values++
	return f.p.values <= MaxValues
}

// str reads a string value at p.i.
func (f *fastParser) str() (string, Pos, bool) {
	p := f.p
	if p.i >= len(p.data) || p.data[p.i] != '"' || !f.value() {
		return "", Pos{}, false
	}
	pos := p.pos()
	s, ok := p.str()
	return s, pos, ok && p.err == nil
}

// key reads an object key and its colon; the next value follows.
func (f *fastParser) key() (string, Pos, bool) {
	p := f.p
	if f.next() != '"' {
		return "", Pos{}, false
	}
	pos := p.pos()
	k, ok := p.str()
	if !ok || p.err != nil || f.next() != ':' {
		return "", Pos{}, false
	}
	p.i++
	if !f.ws() {
		return "", Pos{}, false
	}
	return k, pos, true
}

// more consumes the ',' or the closing byte after a member or item and
// reports whether another follows; ok is false for anything else.
func (f *fastParser) more(close byte) (more, ok bool) {
	switch f.next() {
	case ',':
		f.p.i++
		return true, true
	case close:
		f.p.i++
		return false, true
	}
	return false, false
}

// open consumes '{' or '[' (kind) and reports whether the object or array
// is non-empty; empty ones are consumed whole.
func (f *fastParser) open(c byte) (nonEmpty, ok bool) {
	p := f.p
	if p.i >= len(p.data) || p.data[p.i] != c || !f.value() {
		return false, false
	}
	p.i++
	close := byte('}')
	if c == '[' {
		close = ']'
	}
	if f.next() == close {
		p.i++
		return false, true
	}
	return true, true
}

// scalar reads a condition value: a string, true, false or a number.
func (f *fastParser) scalar() (Value, bool) {
	p := f.p
	if p.i >= len(p.data) {
		return Value{}, false
	}
	switch c := p.data[p.i]; {
	case c == '"':
		s, pos, ok := f.str()
		return Value{Raw: s, Kind: KindString, Pos: pos}, ok
	case c == 't' || c == 'f':
		if !f.value() {
			return Value{}, false
		}
		word := "true"
		if c == 'f' {
			word = "false"
		}
		if len(p.src)-p.i < len(word) || p.src[p.i:p.i+len(word)] != word {
			return Value{}, false
		}
		pos := p.pos()
		v := Value{Raw: p.src[p.i : p.i+len(word)], Kind: KindBool, Pos: pos}
		p.i += len(word)
		if p.i < len(p.data) && (isLetter(p.data[p.i]) || isDigit(p.data[p.i]) || p.data[p.i] == '_') {
			return Value{}, false
		}
		return v, true
	case c == '-' || isDigit(c):
		if !f.value() {
			return Value{}, false
		}
		pos := p.pos()
		end, ok := numberEnd(p.data, p.i)
		if !ok {
			return Value{}, false
		}
		v := Value{Raw: p.src[p.i:end], Kind: KindNumber, Pos: pos}
		p.i = end
		return v, true
	}
	return Value{}, false
}

// numberEnd returns the end of the JSON number at d[i], as number accepts
// it, or false.
func numberEnd(d []byte, i int) (int, bool) {
	end, bad := scanNumber(d, i)
	return end, bad == numberOK
}

func (f *fastParser) document() (*Document, bool) {
	p := f.p
	if f.next() != '{' {
		return nil, false
	}
	pos := p.pos()
	nonEmpty, ok := f.open('{')
	if !ok || !nonEmpty {
		return nil, false
	}
	d := &f.sc.doc
	*d = Document{File: p.file, Pos: pos}
	var seen [3]bool
	stmts := false
	for {
		k, kpos, ok := f.key()
		if !ok {
			return nil, false
		}
		switch k {
		case "Version":
			if seen[0] {
				return nil, false
			}
			seen[0] = true
			d.VersionPos = kpos
			v, _, ok := f.str()
			if !ok || v != Version2012 && v != Version2008 {
				return nil, false
			}
			d.Version = v
		case "Id":
			if seen[1] {
				return nil, false
			}
			seen[1] = true
			d.IDPos, d.HasID = kpos, true
			v, _, ok := f.str()
			if !ok {
				return nil, false
			}
			d.ID = v
		case "Statement":
			if seen[2] {
				return nil, false
			}
			seen[2] = true
			d.StatementPos = kpos
			if !f.statements(d) {
				return nil, false
			}
			stmts = true
		default:
			return nil, false
		}
		more, ok := f.more('}')
		if !ok {
			return nil, false
		}
		if !more {
			break
		}
	}
	if !stmts {
		return nil, false
	}
	if f.kind == KindRCP && (!seen[0] || d.Version == Version2008) {
		return nil, false
	}
	if f.kind.iamSid() {
		// Sids must be unique (checked pair by pair: many statements go
		// to ParseKind).
		if len(d.Statements) > 64 {
			return nil, false
		}
		for i, s := range d.Statements {
			if s.Sid == "" {
				continue
			}
			for _, t := range d.Statements[:i] {
				if t.Sid == s.Sid {
					return nil, false
				}
			}
		}
	}
	return d, true
}

// statements reads the value of Statement.
func (f *fastParser) statements(d *Document) bool {
	sc := f.sc
	start := len(sc.stmts)
	switch f.p.data[f.p.i] {
	case '{':
		d.StatementSingle = true
		if !f.statement(0) {
			return false
		}
	case '[':
		nonEmpty, ok := f.open('[')
		if !ok || !nonEmpty {
			return false
		}
		for i := 0; ; i++ {
			if f.next() != '{' || !f.statement(i) {
				return false
			}
			more, ok := f.more(']')
			if !ok {
				return false
			}
			if !more {
				break
			}
		}
	default:
		return false
	}
	// The statements are final now: point at them.
	ps := len(sc.ptrs)
	for i := start; i < len(sc.stmts); i++ {
		sc.ptrs = append(sc.ptrs, &sc.stmts[i])
	}
	d.Statements = sc.ptrs[ps:len(sc.ptrs):len(sc.ptrs)]
	return true
}

// statement reads one statement object into sc.stmts.
func (f *fastParser) statement(index int) bool {
	p := f.p
	sc := f.sc
	pos := p.pos()
	nonEmpty, ok := f.open('{')
	if !ok || !nonEmpty {
		return false
	}
	sc.stmts = append(sc.stmts, Statement{})
	si := len(sc.stmts) - 1
	var s Statement
	s.Index, s.Pos = index, pos
	var has [numElements]bool
	for {
		k, kpos, ok := f.key()
		if !ok {
			return false
		}
		el := statementElement(k)
		if el < 0 || has[el] {
			return false
		}
		has[el] = true
		switch el {
		case elSid:
			s.SidPos, s.HasSid = kpos, true
			v, _, ok := f.str()
			if !ok || f.kind.iamSid() && !isAlnum(v) {
				return false
			}
			s.Sid = v
		case elEffect:
			s.EffectPos = kpos
			v, _, ok := f.str()
			if !ok || v != string(Allow) && v != string(Deny) {
				return false
			}
			s.Effect = Effect(v)
		case elPrincipal, elNotPrincipal:
			pr, ok := f.principal(kpos)
			if !ok {
				return false
			}
			if el == elPrincipal {
				s.Principal = pr
			} else {
				s.NotPrincipal = pr
			}
		case elAction:
			s.Action, ok = f.stringList(kpos)
		case elNotAction:
			s.NotAction, ok = f.stringList(kpos)
		case elResource:
			s.Resource, ok = f.stringList(kpos)
		case elNotResource:
			s.NotResource, ok = f.stringList(kpos)
		case elCondition:
			s.ConditionPos = kpos
			s.Conditions, ok = f.conditions()
		}
		if !ok {
			return false
		}
		more, ok := f.more('}')
		if !ok {
			return false
		}
		if !more {
			break
		}
	}
	// The rules of statement (build.go): anything it would report fails.
	k := f.kind
	anyPrincipal := has[elPrincipal] || has[elNotPrincipal]
	switch {
	case !has[elEffect],
		has[elPrincipal] && has[elNotPrincipal],
		has[elAction] == has[elNotAction],
		has[elResource] && has[elNotResource],
		k.forbidsPrincipal() && anyPrincipal,
		k.requiresPrincipal() && !anyPrincipal,
		has[elNotPrincipal] && (k == KindTrust || k == KindRCP),
		k == KindRCP && s.Principal != nil && !s.Principal.Wildcard && len(s.Principal.Entries) > 0,
		k == KindRCP && has[elNotAction],
		k.requiresResource() && !has[elResource] && !has[elNotResource],
		k == KindTrust && (has[elResource] || has[elNotResource]):
		return false
	}
	sc.stmts[si] = s
	return true
}

// stringList reads a string or a non-empty list of strings.
func (f *fastParser) stringList(kpos Pos) (StringList, bool) {
	p := f.p
	sc := f.sc
	l := StringList{Present: true, Pos: kpos}
	start := len(sc.strs)
	switch p.data[p.i] {
	case '"':
		v, vpos, ok := f.str()
		if !ok {
			return l, false
		}
		l.Single = true
		sc.strs = append(sc.strs, v)
		sc.poss = append(sc.poss, vpos)
	case '[':
		nonEmpty, ok := f.open('[')
		if !ok || !nonEmpty {
			return l, false
		}
		for {
			if f.next() != '"' {
				return l, false
			}
			v, vpos, ok := f.str()
			if !ok {
				return l, false
			}
			sc.strs = append(sc.strs, v)
			sc.poss = append(sc.poss, vpos)
			more, ok := f.more(']')
			if !ok {
				return l, false
			}
			if !more {
				break
			}
		}
	default:
		return l, false
	}
	end := len(sc.strs)
	l.Values, l.ValuePos = sc.strs[start:end:end], sc.poss[start:end:end]
	return l, true
}

// principal reads the value of Principal or NotPrincipal.
func (f *fastParser) principal(kpos Pos) (*Principal, bool) {
	p := f.p
	sc := f.sc
	pr := Principal{Pos: kpos}
	switch p.data[p.i] {
	case '"':
		v, _, ok := f.str()
		if !ok || v != "*" {
			return nil, false
		}
		pr.Wildcard = true
	case '{':
		nonEmpty, ok := f.open('{')
		if !ok || !nonEmpty {
			return nil, false
		}
		start := len(sc.entries)
		var seen [4]bool
		for {
			k, epos, ok := f.key()
			if !ok {
				return nil, false
			}
			t := -1
			for i, name := range principalTypes {
				if k == name {
					t = i
					break
				}
			}
			if t < 0 || seen[t] {
				return nil, false
			}
			seen[t] = true
			values, ok := f.stringList(epos)
			if !ok {
				return nil, false
			}
			sc.entries = append(sc.entries, PrincipalEntry{Type: principalTypes[t], Values: values, Pos: epos})
			more, ok := f.more('}')
			if !ok {
				return nil, false
			}
			if !more {
				break
			}
		}
		end := len(sc.entries)
		pr.Entries = sc.entries[start:end:end]
	default:
		return nil, false
	}
	sc.princs = append(sc.princs, pr)
	return &sc.princs[len(sc.princs)-1], true
}

// conditions reads the value of Condition.
func (f *fastParser) conditions() ([]Condition, bool) {
	p := f.p
	sc := f.sc
	if p.data[p.i] != '{' {
		return nil, false
	}
	nonEmpty, ok := f.open('{')
	if !ok {
		return nil, false
	}
	if !nonEmpty {
		return nil, true
	}
	start := len(sc.conds)
	opStart := len(sc.keys)
	for {
		name, opos, ok := f.key()
		if !ok {
			return nil, false
		}
		for _, prev := range sc.keys[opStart:] {
			if prev == name {
				return nil, false
			}
		}
		sc.keys = append(sc.keys, name)
		op, opOK := ParseOperator(name)
		if !opOK || p.data[p.i] != '{' {
			return nil, false
		}
		nonEmpty, ok := f.open('{')
		if !ok || !nonEmpty {
			return nil, false
		}
		keyStart := len(sc.keys)
		for {
			key, kpos, ok := f.key()
			if !ok || len(sc.keys)-keyStart >= maxFastKeys {
				return nil, false
			}
			for _, prev := range sc.keys[keyStart:] {
				if prev == key {
					return nil, false
				}
			}
			sc.keys = append(sc.keys, key)
			c := Condition{Operator: name, Op: op, Key: key, OperatorPos: opos, KeyPos: kpos}
			vs := len(sc.vals)
			if p.data[p.i] == '[' {
				nonEmpty, ok := f.open('[')
				if !ok || !nonEmpty {
					return nil, false
				}
				for {
					f.ws()
					v, ok := f.scalar()
					if !ok {
						return nil, false
					}
					sc.vals = append(sc.vals, v)
					more, ok := f.more(']')
					if !ok {
						return nil, false
					}
					if !more {
						break
					}
				}
			} else {
				v, ok := f.scalar()
				if !ok {
					return nil, false
				}
				c.ValuesSingle = true
				sc.vals = append(sc.vals, v)
			}
			ve := len(sc.vals)
			c.Values = sc.vals[vs:ve:ve]
			sc.conds = append(sc.conds, c)
			more, ok := f.more('}')
			if !ok {
				return nil, false
			}
			if !more {
				break
			}
		}
		sc.keys = sc.keys[:keyStart]
		more, ok := f.more('}')
		if !ok {
			return nil, false
		}
		if !more {
			break
		}
	}
	sc.keys = sc.keys[:opStart]
	end := len(sc.conds)
	return sc.conds[start:end:end], true
}
