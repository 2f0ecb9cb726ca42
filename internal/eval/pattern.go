package eval

import (
	"strings"
	"unicode/utf8"
)

// A pattern is a compiled policy string: literal text, the wildcards * and ?
// and policy variables. Patterns are matched without building the resolved
// string, so matching does not allocate.
//
// Policy variables ("${aws:username}", "${aws:PrincipalTag/team, 'none'}",
// and the escapes ${*}, ${?}, ${$}) are recognised only in policies whose
// Version is 2012-10-17: "If you don't include the Version element and set it
// to an appropriate version date, variables like ${aws:username} are treated
// as literal strings in the policy"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
// A variable's value and the escapes are literal text: a value containing *
// is not a wildcard.
type pattern struct {
	toks []tok
	// hasWild: a * or ? token is present; hasVar: a variable token is present.
	hasWild, hasVar bool
	// any is true for the bare "*" pattern.
	any bool
	// lit is the whole pattern when it has no wildcard and no variable.
	lit string
}

type tokKind uint8

const (
	tokLit   tokKind = iota // literal text
	tokStar                 // * : any run of characters
	tokQuest                // ? : exactly one character
	tokVar                  // ${key} or ${key, 'default'}
)

type tok struct {
	kind tokKind
	// s is the literal text (tokLit), or the lower-cased key (tokVar).
	s string
	// def is the default of a variable; hasDef tells whether one was given.
	def    string
	hasDef bool
}

// compilePattern compiles s. wild enables * and ? as wildcards; vars enables
// policy variables.
func compilePattern(s string, wild, vars bool) pattern {
	var p pattern
	if wild && s == "*" {
		p.any = true
		p.hasWild = true
		p.toks = []tok{{kind: tokStar}}
		return p
	}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.toks = append(p.toks, tok{kind: tokLit, s: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wild && c == '*':
			flush()
			// Consecutive stars are one star.
			if n := len(p.toks); n == 0 || p.toks[n-1].kind != tokStar {
				p.toks = append(p.toks, tok{kind: tokStar})
			}
			p.hasWild = true
			i++
		case wild && c == '?':
			flush()
			p.toks = append(p.toks, tok{kind: tokQuest})
			p.hasWild = true
			i++
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i+2:], '}')
			if end < 0 {
				lit.WriteByte(c)
				i++
				continue
			}
			body := s[i+2 : i+2+end]
			i += 2 + end + 1
			switch body {
			case "*", "?", "$":
				// "${*}, ${?}, ${$}: use these to write the special
				// characters literally" (IAM policy variables page).
				lit.WriteString(body)
				continue
			}
			key, def, hasDef := parseVariable(body)
			if key == "" {
				lit.WriteString("${" + body + "}")
				continue
			}
			flush()
			p.toks = append(p.toks, tok{kind: tokVar, s: strings.ToLower(key), def: def, hasDef: hasDef})
			p.hasVar = true
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	if !p.hasWild && !p.hasVar {
		switch len(p.toks) {
		case 0:
		case 1:
			p.lit = p.toks[0].s
		default:
			var b strings.Builder
			for _, t := range p.toks {
				b.WriteString(t.s)
			}
			p.lit = b.String()
		}
	}
	return p
}

// parseVariable splits the inside of ${...} into a key and an optional
// default: "aws:PrincipalTag/team, 'company-wide'" ("To add a default value
// to a variable, surround the default value with single quotes (”) and
// separate the variable text and default value with comma and space (, )",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-default-values).
func parseVariable(body string) (key, def string, hasDef bool) {
	comma := strings.IndexByte(body, ',')
	if comma < 0 {
		return strings.TrimSpace(body), "", false
	}
	key = strings.TrimSpace(body[:comma])
	d := strings.TrimSpace(body[comma+1:])
	if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
		return key, d[1 : len(d)-1], true
	}
	// A default that is not quoted is not a valid default; keep the text so
	// the variable still resolves to something predictable.
	return key, d, true
}

// resolver supplies variable values during matching.
type resolver interface {
	// variable returns the single value of a context key (lower-cased), or
	// false when the key is absent or has more than one value ("you can't use
	// multivalued context keys as policy variables",
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
	variable(key string) (string, bool)
}

// varValue resolves a variable token: its value, else its default. ok is
// false when neither exists; such a value "is effectively null. There is no
// equal or like value", so the pattern matches nothing.
func varValue(t *tok, r resolver) (string, bool) {
	if r != nil {
		if v, ok := r.variable(t.s); ok {
			return v, true
		}
	}
	if t.hasDef {
		return t.def, true
	}
	return "", false
}

// resolvable reports whether every variable of p has a value (or default).
func (p *pattern) resolvable(r resolver) bool {
	if !p.hasVar {
		return true
	}
	for i := range p.toks {
		if p.toks[i].kind == tokVar {
			if _, ok := varValue(&p.toks[i], r); !ok {
				return false
			}
		}
	}
	return true
}

// resolve returns p's text with variables replaced, for explanations. The
// second result is false when a variable has no value.
func (p *pattern) resolve(r resolver) (string, bool) {
	if !p.hasVar {
		if p.lit != "" || !p.hasWild {
			return p.lit, true
		}
	}
	var b strings.Builder
	ok := true
	for i := range p.toks {
		t := &p.toks[i]
		switch t.kind {
		case tokLit:
			b.WriteString(t.s)
		case tokStar:
			b.WriteByte('*')
		case tokQuest:
			b.WriteByte('?')
		case tokVar:
			v, vok := varValue(t, r)
			if !vok {
				ok = false
				b.WriteString("${" + t.s + "}")
				continue
			}
			b.WriteString(v)
		}
	}
	return b.String(), ok
}

// match reports whether s matches p. fold selects ASCII-case-insensitive
// comparison (actions, StringEqualsIgnoreCase). A pattern with an unresolved
// variable matches nothing.
func (p *pattern) match(s string, fold bool, r resolver) bool {
	if p.any {
		return true
	}
	if !p.hasWild && !p.hasVar {
		if fold {
			return equalFold(p.lit, s)
		}
		return p.lit == s
	}
	return matchToks(p.toks, s, fold, r)
}

// matchToks is the classic greedy wildcard algorithm with a single backtrack
// point, lifted from characters to tokens. It is exact for patterns whose *
// matches any run of characters, and runs in O(len(toks)*len(s)). Each time
// a star has to give back a character, the work is charged to r's match
// budget when r is a *Context with one (Context.SetMatchBudget).
func matchToks(toks []tok, s string, fold bool, r resolver) bool {
	ti, si := 0, 0
	starTi, starSi := -1, 0
	var budget *Context
	budgetChecked := false
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tokStar:
				if ti == len(toks)-1 {
					// A trailing star matches whatever is left.
					return true
				}
				starTi, starSi = ti, si
				ti++
				continue
			case tokQuest:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					ti++
					continue
				}
			case tokLit:
				if hasPrefix(s[si:], t.s, fold) {
					si += len(t.s)
					ti++
					continue
				}
			case tokVar:
				v, ok := varValue(t, r)
				if !ok {
					return false
				}
				if hasPrefix(s[si:], v, fold) {
					si += len(v)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		// Mismatch: let the last star absorb one more character.
		if starTi < 0 || starSi >= len(s) {
			return false
		}
		if !budgetChecked {
			budgetChecked = true
			if c, ok := r.(*Context); ok && c != nil && c.budget > 0 {
				budget = c
			}
		}
		if budget != nil && !budget.charge(len(toks)-starTi) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starSi:])
		starSi += n
		ti, si = starTi+1, starSi
	}
}

func hasPrefix(s, prefix string, fold bool) bool {
	if len(s) < len(prefix) {
		return false
	}
	if fold {
		return equalFold(s[:len(prefix)], prefix)
	}
	return s[:len(prefix)] == prefix
}

// equalFold compares ASCII letters case-insensitively and everything else
// with strings.EqualFold (Unicode simple folding) when non-ASCII bytes occur.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return strings.EqualFold(a, b)
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if ca == cb {
			continue
		}
		if ca >= utf8.RuneSelf || cb >= utf8.RuneSelf {
			return strings.EqualFold(a, b)
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

// splitTokens splits a token list at the colons of its literal text
// (variables are never split). It is used for ARN patterns, whose parts are
// the colon-separated segments. max > 0 limits the number of parts: the last
// part keeps the remaining colons.
func splitTokens(toks []tok, max int) [][]tok {
	parts := [][]tok{nil}
	for _, t := range toks {
		if t.kind != tokLit {
			parts[len(parts)-1] = append(parts[len(parts)-1], t)
			continue
		}
		s := t.s
		for {
			if max > 0 && len(parts) == max {
				if s != "" {
					parts[len(parts)-1] = append(parts[len(parts)-1], tok{kind: tokLit, s: s})
				}
				break
			}
			i := strings.IndexByte(s, ':')
			if i < 0 {
				if s != "" {
					parts[len(parts)-1] = append(parts[len(parts)-1], tok{kind: tokLit, s: s})
				}
				break
			}
			if i > 0 {
				parts[len(parts)-1] = append(parts[len(parts)-1], tok{kind: tokLit, s: s[:i]})
			}
			parts = append(parts, nil)
			s = s[i+1:]
		}
	}
	return parts
}

func tokensPattern(toks []tok) pattern {
	p := pattern{toks: toks}
	for _, t := range toks {
		switch t.kind {
		case tokStar, tokQuest:
			p.hasWild = true
		case tokVar:
			p.hasVar = true
		}
	}
	if len(toks) == 1 && toks[0].kind == tokStar {
		p.any = true
	}
	if !p.hasWild && !p.hasVar {
		var b strings.Builder
		for _, t := range toks {
			b.WriteString(t.s)
		}
		p.lit = b.String()
	}
	return p
}
