package policy

import "unicode/utf8"

// Format prints d as indented JSON (four spaces, as the IAM console does) in
// canonical element order: Version, Id, Statement; and in each statement
// Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource,
// NotResource, Condition. It keeps what the model records of the source's
// shape: a single statement object versus a list, a bare string versus a
// list, a scalar condition value versus a list, and each condition value's
// JSON type (true versus "true"). Conditions are grouped by operator in
// order of first appearance.
//
// For a document produced by Parse, Parse(Format(d)) is structurally equal
// to d (ignoring positions), and Format is idempotent.
func Format(d *Document) []byte {
	if d == nil {
		return []byte("null\n")
	}
	p := printer{buf: make([]byte, 0, 256+128*len(d.Statements))}
	p.document(d)
	p.buf = append(p.buf, '\n')
	return p.buf
}

// MarshalJSON encodes the document as Format does.
func (d *Document) MarshalJSON() ([]byte, error) {
	return Format(d), nil
}

type printer struct {
	buf    []byte
	indent int
	// first is true until the first member or item of the innermost open
	// object or array has been written.
	first bool
}

func (p *printer) newline() {
	p.buf = append(p.buf, '\n')
	for i := 0; i < p.indent; i++ {
		p.buf = append(p.buf, "    "...)
	}
}

func (p *printer) open(c byte) {
	p.buf = append(p.buf, c)
	p.indent++
	p.first = true
}

func (p *printer) close(c byte) {
	p.indent--
	if !p.first {
		p.newline()
	}
	p.buf = append(p.buf, c)
	p.first = false
}

// sep starts the next member or item of the open object or array.
func (p *printer) sep() {
	if !p.first {
		p.buf = append(p.buf, ',')
	}
	p.first = false
	p.newline()
}

func (p *printer) key(k string) {
	p.sep()
	p.str(k)
	p.buf = append(p.buf, ": "...)
}

func (p *printer) document(d *Document) {
	p.open('{')
	if d.Version != "" {
		p.key("Version")
		p.str(d.Version)
	}
	if d.HasID || d.ID != "" {
		p.key("Id")
		p.str(d.ID)
	}
	p.key("Statement")
	if d.StatementSingle && len(d.Statements) == 1 {
		p.statement(d.Statements[0])
	} else {
		p.open('[')
		for _, s := range d.Statements {
			p.sep()
			p.statement(s)
		}
		p.close(']')
	}
	p.close('}')
}

func (p *printer) statement(s *Statement) {
	p.open('{')
	if s.HasSid || s.Sid != "" {
		p.key("Sid")
		p.str(s.Sid)
	}
	if s.Effect != "" {
		p.key("Effect")
		p.str(string(s.Effect))
	}
	p.principal("Principal", s.Principal)
	p.principal("NotPrincipal", s.NotPrincipal)
	p.stringList("Action", &s.Action)
	p.stringList("NotAction", &s.NotAction)
	p.stringList("Resource", &s.Resource)
	p.stringList("NotResource", &s.NotResource)
	if len(s.Conditions) > 0 || s.ConditionPos.IsValid() {
		p.key("Condition")
		p.conditions(s.Conditions)
	}
	p.close('}')
}

func (p *printer) principal(name string, pr *Principal) {
	if pr == nil {
		return
	}
	p.key(name)
	if pr.Wildcard {
		p.str("*")
		return
	}
	p.open('{')
	for i := range pr.Entries {
		e := &pr.Entries[i]
		l := e.Values
		l.Present = true
		p.stringList(e.Type, &l)
	}
	p.close('}')
}

func (p *printer) stringList(name string, l *StringList) {
	if !l.Present && len(l.Values) == 0 {
		return
	}
	p.key(name)
	if l.Single && len(l.Values) == 1 {
		p.str(l.Values[0])
		return
	}
	p.open('[')
	for _, v := range l.Values {
		p.sep()
		p.str(v)
	}
	p.close(']')
}

func (p *printer) conditions(conds []Condition) {
	p.open('{')
	done := make([]bool, len(conds))
	for i := range conds {
		if done[i] {
			continue
		}
		name := conditionOperatorName(&conds[i])
		p.key(name)
		p.open('{')
		for j := i; j < len(conds); j++ {
			if done[j] || conditionOperatorName(&conds[j]) != name {
				continue
			}
			done[j] = true
			c := &conds[j]
			p.key(c.Key)
			if c.ValuesSingle && len(c.Values) == 1 {
				p.value(c.Values[0])
				continue
			}
			p.open('[')
			for _, v := range c.Values {
				p.sep()
				p.value(v)
			}
			p.close(']')
		}
		p.close('}')
	}
	p.close('}')
}

func conditionOperatorName(c *Condition) string {
	if c.Operator != "" {
		return c.Operator
	}
	return c.Op.String()
}

// value prints a condition value with its JSON type. A bool or number whose
// Raw text is not a valid literal of that type (possible only for documents
// built in code) is printed as a string rather than as invalid JSON.
func (p *printer) value(v Value) {
	switch v.Kind {
	case KindBool:
		if v.Raw == "true" || v.Raw == "false" {
			p.buf = append(p.buf, v.Raw...)
			return
		}
	case KindNumber:
		if isJSONNumber(v.Raw) {
			p.buf = append(p.buf, v.Raw...)
			return
		}
	}
	p.str(v.Raw)
}

// isJSONNumber reports whether s is a number in RFC 8259 syntax.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && isDigit(s[i]):
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}

const hexDigits = "0123456789abcdef"

// str appends s as a JSON string. Non-ASCII text is kept as UTF-8; control
// characters, quotes and backslashes are escaped, and invalid UTF-8 (only
// possible in documents built in code) becomes U+FFFD.
func (p *printer) str(s string) {
	p.buf = append(p.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				p.buf = append(p.buf, s[start:i]...)
				p.buf = append(p.buf, "\ufffd"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		p.buf = append(p.buf, s[start:i]...)
		switch c {
		case '"', '\\':
			p.buf = append(p.buf, '\\', c)
		case '\n':
			p.buf = append(p.buf, '\\', 'n')
		case '\r':
			p.buf = append(p.buf, '\\', 'r')
		case '\t':
			p.buf = append(p.buf, '\\', 't')
		case '\b':
			p.buf = append(p.buf, '\\', 'b')
		case '\f':
			p.buf = append(p.buf, '\\', 'f')
		default:
			p.buf = append(p.buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	p.buf = append(p.buf, s[start:]...)
	p.buf = append(p.buf, '"')
}
