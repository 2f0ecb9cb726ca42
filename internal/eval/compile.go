package eval

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// Policy is a compiled policy document, ready for repeated evaluation.
type Policy struct {
	// Name identifies the policy in results ("identityPolicies[0]", a file
	// name, a policy name).
	Name string
	// Doc is the source document.
	Doc   *policy.Document
	stmts []cstmt
	// prins keeps compiled principals for CompileInto to reuse.
	prins []*cprincipal
}

type cstmt struct {
	src  *policy.Statement
	deny bool

	notAction bool
	actions   []pattern

	// resource: absent (resource policies may omit it), Resource or
	// NotResource.
	hasResource bool
	notResource bool
	resources   []resPattern

	principal    *cprincipal
	notPrincipal bool

	conds []ccond
}

// Compile compiles doc. The name is taken from doc.File; set Policy.Name to
// change it. Compile fails only for documents that cannot be evaluated: an
// Effect other than Allow or Deny, or an unknown condition operator.
func Compile(doc *policy.Document) (*Policy, error) {
	return (*Compiler)(nil).Compile(doc)
}

// Compiler compiles policies and memoises the compiled Action and Resource
// patterns by their text, for callers that compile many policies sharing
// the same strings (a --batch of generated or similar policies). Compiled
// patterns are immutable, so policies may share them. A Compiler is not
// safe for concurrent use; the zero value is ready, and a nil *Compiler
// compiles without memoising.
type Compiler struct {
	// MaxEntries bounds each memo; zero means 1<<14. A full memo is
	// cleared.
	MaxEntries int

	actions   map[string]pattern
	resources [2]map[string]resPattern // by vars
	// values by operator and vars (index valueMemo): one map each, keyed
	// by the value's text, which hashes faster than a struct key.
	values [2 * numOpcodes]map[string]*cval
	keys   map[string]string // condition keys, lower-cased
}

func (c *Compiler) max() int {
	if c.MaxEntries > 0 {
		return c.MaxEntries
	}
	return 1 << 14
}

func (c *Compiler) action(s string) pattern {
	if c == nil {
		return compilePattern(s, true, false)
	}
	if p, ok := c.actions[s]; ok {
		return p
	}
	if c.actions == nil || len(c.actions) >= c.max() {
		c.actions = make(map[string]pattern, 256)
	}
	// A copy of the key: s is usually a substring of a whole policy's text.
	s = strings.Clone(s)
	p := compilePattern(s, true, false)
	c.actions[s] = p
	return p
}

func (c *Compiler) resource(s string, vars bool) resPattern {
	if c == nil {
		return compileResource(s, vars)
	}
	v := 0
	if vars {
		v = 1
	}
	m := c.resources[v]
	if rp, ok := m[s]; ok {
		return rp
	}
	if m == nil || len(m) >= c.max() {
		m = make(map[string]resPattern, 256)
		c.resources[v] = m
	}
	s = strings.Clone(s)
	rp := compileResource(s, vars)
	m[s] = rp
	return rp
}

// valueMemo returns the index in Compiler.values of an operator's values.
func valueMemo(code opcode, vars bool) int {
	if vars {
		return 2*int(code) + 1
	}
	return 2 * int(code)
}

// value compiles a condition value into dst.
func (c *Compiler) value(dst *cval, code opcode, raw string, vars bool) {
	if c == nil {
		*dst = compileValue(code, raw, vars)
		return
	}
	m := c.values[valueMemo(code, vars)]
	if v, ok := m[raw]; ok {
		*dst = *v
		return
	}
	if m == nil || len(m) >= c.max() {
		m = make(map[string]*cval, 64)
		c.values[valueMemo(code, vars)] = m
	}
	raw = strings.Clone(raw)
	*dst = compileValue(code, raw, vars)
	v := new(cval)
	*v = *dst
	m[raw] = v
}

// lower lower-cases a condition key.
func (c *Compiler) lower(key string) string {
	if c == nil {
		return strings.ToLower(key)
	}
	if l, ok := c.keys[key]; ok {
		return l
	}
	if c.keys == nil || len(c.keys) >= c.max() {
		c.keys = make(map[string]string, 256)
	}
	key = strings.Clone(key)
	l := strings.ToLower(key)
	c.keys[key] = l
	return l
}

// Compile is the package's Compile, through c's memos.
func (c *Compiler) Compile(doc *policy.Document) (*Policy, error) {
	if doc == nil {
		return nil, fmt.Errorf("no policy document")
	}
	p := &Policy{}
	if err := c.compileInto(p, doc); err != nil {
		return nil, err
	}
	return p, nil
}

// CompileInto is Compile into p, reusing its memory: p's earlier contents
// are replaced, and must no longer be in use. On error p is not usable.
func (c *Compiler) CompileInto(p *Policy, doc *policy.Document) error {
	if doc == nil {
		return fmt.Errorf("no policy document")
	}
	return c.compileInto(p, doc)
}

func (c *Compiler) compileInto(p *Policy, doc *policy.Document) error {
	vars := doc.Version == policy.Version2012
	old := p.stmts[:cap(p.stmts)]
	*p = Policy{Name: doc.File, Doc: doc, stmts: old[:0], prins: p.prins}
	// Principals come from p.prins, in order.
	np := 0
	principal := func(pr *policy.Principal) *cprincipal {
		if np == len(p.prins) {
			p.prins = append(p.prins, nil)
		}
		c := compilePrincipalInto(p.prins[np], pr)
		p.prins[np] = c
		np++
		return c
	}
	if cap(old) < len(doc.Statements) {
		p.stmts = make([]cstmt, 0, len(doc.Statements))
	}
	for i, s := range doc.Statements {
		if s == nil {
			continue
		}
		cs := cstmt{src: s}
		if k := len(p.stmts); k < len(old) {
			// Reuse the lists of the statement compiled here before.
			cs.actions, cs.resources, cs.conds = old[k].actions[:0], old[k].resources[:0], old[k].conds[:0]
		}
		switch s.Effect {
		case policy.Allow:
		case policy.Deny:
			cs.deny = true
		default:
			return fmt.Errorf("statement %d: Effect %q is neither Allow nor Deny", i, string(s.Effect))
		}
		acts := s.Action
		if s.NotAction.Present {
			acts = s.NotAction
			cs.notAction = true
		}
		if len(acts.Values) > 0 && cs.actions == nil {
			cs.actions = make([]pattern, 0, len(acts.Values))
		}
		for _, a := range acts.Values {
			// Action names are case-insensitive; variables are not
			// supported in Action.
			cs.actions = append(cs.actions, c.action(a))
		}
		res := s.Resource
		switch {
		case s.NotResource.Present:
			cs.hasResource, cs.notResource = true, true
			res = s.NotResource
		case s.Resource.Present:
			cs.hasResource = true
		}
		if cs.hasResource && len(res.Values) > 0 {
			if cs.resources == nil {
				cs.resources = make([]resPattern, 0, len(res.Values))
			}
			for _, r := range res.Values {
				cs.resources = append(cs.resources, c.resource(r, vars))
			}
		}
		switch {
		case s.NotPrincipal != nil:
			cs.principal, cs.notPrincipal = principal(s.NotPrincipal), true
		case s.Principal != nil:
			cs.principal = principal(s.Principal)
		}
		for ci := range s.Conditions {
			var vals []cval
			if k := len(cs.conds); k < cap(cs.conds) {
				vals = cs.conds[:k+1][k].vals
			}
			cc, err := c.conditionInto(&s.Conditions[ci], vars, vals)
			if err != nil {
				return fmt.Errorf("statement %d: %w", i, err)
			}
			cs.conds = append(cs.conds, cc)
		}
		p.stmts = append(p.stmts, cs)
	}
	return nil
}

// MustCompile is Compile for documents known to be valid; it panics on
// error. Intended for tests and package-level tables.
func MustCompile(doc *policy.Document) *Policy {
	p, err := Compile(doc)
	if err != nil {
		panic(err)
	}
	return p
}

// resPattern is a compiled Resource value. "You can use wildcard characters
// (* and ?) within the individual segments of an ARN (the parts separated by
// colons) ... If the * wildcard is the last character of a resource ARN
// segment, it can expand to match beyond colon boundaries"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards).
// So a * or ? inside a segment never matches ':', and a * that ends a segment
// matches any run of characters, colons included. Matching is
// case-sensitive ("In the Resource element, the IAM user name is case
// sensitive", same page).
type resPattern struct {
	raw  string
	any  bool
	segs []resSeg
}

type resSeg struct {
	p        pattern
	tailStar bool
}

func compileResource(s string, vars bool) resPattern {
	rp := resPattern{raw: s}
	full := compilePattern(s, true, vars)
	if full.any {
		rp.any = true
		return rp
	}
	for _, part := range splitTokens(full.toks, 0) {
		seg := resSeg{p: tokensPattern(part)}
		if n := len(part); n > 0 && part[n-1].kind == tokStar {
			seg.tailStar = true
		}
		rp.segs = append(rp.segs, seg)
	}
	return rp
}

// match reports whether the request resource s matches. Segment by segment:
// a segment ending in * may be followed by any number of whole subject
// segments. The search is a breadth-first pass over subject segments, so it
// is polynomial whatever the pattern.
func (rp *resPattern) match(s string, r resolver) bool {
	if rp.any {
		return true
	}
	// Subject segment boundaries.
	var startsBuf [65]int
	starts := startsBuf[:1]
	starts[0] = 0
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			starts = append(starts, i+1)
		}
	}
	n := len(starts)
	// The search tries each pattern segment at each subject segment.
	if c, ok := r.(*Context); ok && c != nil && c.budget > 0 && !c.charge(len(rp.segs)*n) {
		return false
	}
	seg := func(j int) string {
		end := len(s)
		if j+1 < n {
			end = starts[j+1] - 1
		}
		return s[starts[j]:end]
	}
	if n <= 64 {
		reach := uint64(1)
		for i := range rp.segs {
			ps := &rp.segs[i]
			last := i == len(rp.segs)-1
			var next uint64
			for j := 0; j < n; j++ {
				if reach&(1<<uint(j)) == 0 {
					continue
				}
				if !ps.p.match(seg(j), false, r) {
					continue
				}
				switch {
				case last && ps.tailStar:
					return true
				case last:
					if j == n-1 {
						return true
					}
				case ps.tailStar:
					// Any later segment may start the next pattern segment.
					if j+1 < n {
						next |= ^uint64(0) << uint(j+1)
					}
				default:
					if j+1 < n {
						next |= 1 << uint(j+1)
					}
				}
			}
			if n < 64 {
				next &= (1 << uint(n)) - 1
			}
			reach = next
			if reach == 0 {
				return false
			}
		}
		return false
	}
	// Long subjects (more than 64 colons): the same search with a slice.
	reach := make([]bool, n)
	reach[0] = true
	for i := range rp.segs {
		ps := &rp.segs[i]
		last := i == len(rp.segs)-1
		next := make([]bool, n)
		any := false
		for j := 0; j < n; j++ {
			if !reach[j] || !ps.p.match(seg(j), false, r) {
				continue
			}
			switch {
			case last && ps.tailStar:
				return true
			case last:
				if j == n-1 {
					return true
				}
			case ps.tailStar:
				for k := j + 1; k < n; k++ {
					next[k] = true
					any = true
				}
			default:
				if j+1 < n {
					next[j+1] = true
					any = true
				}
			}
		}
		if !any {
			return false
		}
		reach = next
	}
	return false
}

// Base condition operators.
type opcode uint8

const (
	opStringEquals opcode = iota
	opStringNotEquals
	opStringEqualsIgnoreCase
	opStringNotEqualsIgnoreCase
	opStringLike
	opStringNotLike
	opNumericEquals
	opNumericNotEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateNotEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinaryEquals
	opIpAddress
	opNotIpAddress
	opArnEquals
	opArnLike
	opArnNotEquals
	opArnNotLike
	opNull

	numOpcodes = int(opNull) + 1
)

var opcodes = map[string]opcode{
	"StringEquals": opStringEquals, "StringNotEquals": opStringNotEquals,
	"StringEqualsIgnoreCase": opStringEqualsIgnoreCase, "StringNotEqualsIgnoreCase": opStringNotEqualsIgnoreCase,
	"StringLike": opStringLike, "StringNotLike": opStringNotLike,
	"NumericEquals": opNumericEquals, "NumericNotEquals": opNumericNotEquals,
	"NumericLessThan": opNumericLessThan, "NumericLessThanEquals": opNumericLessThanEquals,
	"NumericGreaterThan": opNumericGreaterThan, "NumericGreaterThanEquals": opNumericGreaterThanEquals,
	"DateEquals": opDateEquals, "DateNotEquals": opDateNotEquals,
	"DateLessThan": opDateLessThan, "DateLessThanEquals": opDateLessThanEquals,
	"DateGreaterThan": opDateGreaterThan, "DateGreaterThanEquals": opDateGreaterThanEquals,
	"Bool": opBool, "BinaryEquals": opBinaryEquals,
	"IpAddress": opIpAddress, "NotIpAddress": opNotIpAddress,
	"ArnEquals": opArnEquals, "ArnLike": opArnLike, "ArnNotEquals": opArnNotEquals, "ArnNotLike": opArnNotLike,
	"Null": opNull,
}

// opcodeOf is opcodes[base], without hashing: a switch on the name.
func opcodeOf(base string) (opcode, bool) {
	switch base {
	case "StringEquals":
		return opStringEquals, true
	case "StringNotEquals":
		return opStringNotEquals, true
	case "StringEqualsIgnoreCase":
		return opStringEqualsIgnoreCase, true
	case "StringNotEqualsIgnoreCase":
		return opStringNotEqualsIgnoreCase, true
	case "StringLike":
		return opStringLike, true
	case "StringNotLike":
		return opStringNotLike, true
	case "NumericEquals":
		return opNumericEquals, true
	case "NumericNotEquals":
		return opNumericNotEquals, true
	case "NumericLessThan":
		return opNumericLessThan, true
	case "NumericLessThanEquals":
		return opNumericLessThanEquals, true
	case "NumericGreaterThan":
		return opNumericGreaterThan, true
	case "NumericGreaterThanEquals":
		return opNumericGreaterThanEquals, true
	case "DateEquals":
		return opDateEquals, true
	case "DateNotEquals":
		return opDateNotEquals, true
	case "DateLessThan":
		return opDateLessThan, true
	case "DateLessThanEquals":
		return opDateLessThanEquals, true
	case "DateGreaterThan":
		return opDateGreaterThan, true
	case "DateGreaterThanEquals":
		return opDateGreaterThanEquals, true
	case "Bool":
		return opBool, true
	case "BinaryEquals":
		return opBinaryEquals, true
	case "IpAddress":
		return opIpAddress, true
	case "NotIpAddress":
		return opNotIpAddress, true
	case "ArnEquals":
		return opArnEquals, true
	case "ArnLike":
		return opArnLike, true
	case "ArnNotEquals":
		return opArnNotEquals, true
	case "ArnNotLike":
		return opArnNotLike, true
	case "Null":
		return opNull, true
	}
	return 0, false
}

// negated reports whether the operator is a negated matching operator, which
// is true for a missing key: "If the policy condition requires that the key
// is not matched, such as StringNotLike or ArnNotLike, and the right key is
// not present, the condition is true"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
func (o opcode) negated() bool {
	switch o {
	case opStringNotEquals, opStringNotEqualsIgnoreCase, opStringNotLike, opNumericNotEquals,
		opDateNotEquals, opNotIpAddress, opArnNotEquals, opArnNotLike:
		return true
	}
	return false
}

// family groups operators by value type.
type family uint8

const (
	famString family = iota
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

func (o opcode) family() family {
	switch {
	case o <= opStringNotLike:
		return famString
	case o <= opNumericGreaterThanEquals:
		return famNumeric
	case o <= opDateGreaterThanEquals:
		return famDate
	case o == opBool:
		return famBool
	case o == opBinaryEquals:
		return famBinary
	case o == opIpAddress || o == opNotIpAddress:
		return famIP
	case o <= opArnNotLike:
		return famArn
	}
	return famNull
}

type ccond struct {
	src      *policy.Condition
	op       opcode
	set      policy.SetOperator
	ifExists bool
	key      string // lower-case
	vals     []cval
}

// cval is one compiled condition value; which fields are set depends on the
// operator family.
type cval struct {
	raw string
	ok  bool // the value parsed (numbers, dates, addresses, base 64, ARNs)

	pat    pattern     // String*, Bool (with variables)
	arn    *[6]pattern // Arn* (set when ok)
	num    float64
	date   time.Time
	prefix netip.Prefix
	bin    []byte
	b      bool // Bool (without variables); Null: true/false
}

func compileCondition(c *policy.Condition, vars bool) (ccond, error) {
	return (*Compiler)(nil).condition(c, vars)
}

// condition compiles c through the memos of cp (none when nil).
func (cp *Compiler) condition(c *policy.Condition, vars bool) (ccond, error) {
	return cp.conditionInto(c, vars, nil)
}

// conditionInto is condition, reusing vals for the values when it is
// large enough.
func (cp *Compiler) conditionInto(c *policy.Condition, vars bool, vals []cval) (ccond, error) {
	op := c.Op
	if op.Base == "" {
		parsed, ok := policy.ParseOperator(c.Operator)
		if !ok {
			return ccond{}, fmt.Errorf("unknown condition operator %q", c.Operator)
		}
		op = parsed
	}
	code, ok := opcodeOf(op.Base)
	if !ok {
		return ccond{}, fmt.Errorf("unknown condition operator %q", c.Operator)
	}
	cc := ccond{src: c, op: code, set: op.Set, ifExists: op.IfExists, key: cp.lower(c.Key)}
	if len(c.Values) > 0 {
		if cap(vals) >= len(c.Values) {
			cc.vals = vals[:len(c.Values)]
		} else {
			cc.vals = make([]cval, len(c.Values))
		}
		for i, v := range c.Values {
			cp.value(&cc.vals[i], code, v.Raw, vars)
		}
	}
	return cc, nil
}

// compileValue compiles one condition value. Policy variables are expanded
// only in string, ARN and Bool values: "You can use a policy variable with the
// String/ARN/Boolean condition operator" and "You can not use a policy
// variable with the Numeric/Date/Binary/IpAddress/Null condition operator"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
// (The variables page omits Boolean from its list; the operators page allows
// it, and we follow the operators page.)
func compileValue(code opcode, raw string, vars bool) cval {
	v := cval{raw: raw}
	switch code.family() {
	case famString:
		like := code == opStringLike || code == opStringNotLike
		v.pat = compilePattern(raw, like, vars)
		v.ok = true
	case famNumeric:
		v.num, v.ok = parseNumber(raw)
	case famDate:
		v.date, v.ok = parseDate(raw)
	case famBool:
		v.pat = compilePattern(raw, false, vars)
		if !v.pat.hasVar {
			v.b, v.ok = parseBool(raw)
		} else {
			v.ok = true
		}
	case famBinary:
		v.bin, v.ok = decodeBinary(raw)
	case famIP:
		v.prefix, v.ok = parsePrefix(raw)
	case famArn:
		// "Each of the six colon-delimited components of the ARN is checked
		// separately and each can include multi-character match wildcards
		// (*) or single-character match wildcards (?). The ArnEquals and
		// ArnLike condition operators behave identically."
		full := compilePattern(raw, true, vars)
		parts := splitTokens(full.toks, 6)
		if len(parts) == 6 {
			v.arn = new([6]pattern)
			for i := range parts {
				v.arn[i] = tokensPattern(parts[i])
			}
			v.ok = true
		}
	case famNull:
		v.b, v.ok = parseBool(raw)
	}
	return v
}
