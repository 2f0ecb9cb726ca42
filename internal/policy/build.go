package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind is the kind of policy a document is used as. It decides which
// elements are required or forbidden; the rest of the grammar is shared.
//
//   - KindIdentity, KindBoundary, KindSession: no Principal/NotPrincipal
//     (IAM: "Has prohibited field Principal",
//     https://github.com/arithmetric/aws-lambda-ses-forwarder/issues/31);
//     Resource or NotResource required.
//   - KindSCP: no Principal/NotPrincipal; Resource or NotResource required.
//   - KindTrust: Principal or NotPrincipal required, but NotPrincipal is not
//     allowed ("You cannot use the NotPrincipal element in an IAM
//     identity-based policy nor in an IAM role trust policy",
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html);
//     Resource/NotResource are prohibited (IAM CreateRole: "Has prohibited
//     field Resource", https://github.com/hashicorp/terraform/issues/34231).
//   - KindResource: Principal or NotPrincipal required; Resource optional
//     (some services imply it).
//   - KindRCP: Principal required and must be "*"; no NotPrincipal and no
//     NotAction; Version "2012-10-17" required; Resource or NotResource
//     required
//     (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html).
//   - KindUnknown: only the shared grammar; Principal and Resource may be
//     present or absent.
//
// Sid values must be unique within IAM-managed policies ("Statement IDs
// (SID) in a single policy must be unique") and alphanumeric ("Statement IDs
// (SID) must be alpha-numeric. Check that your input satisfies the regular
// expression [0-9A-Za-z]*"; "For IAM policies, basic alphanumeric characters
// (A-Z,a-z,0-9) are the only allowed characters in the Sid value",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
// Other services differ (S3 and KMS accept spaces; S3 accepts duplicates),
// so KindResource and KindUnknown check neither.
type Kind int

const (
	KindUnknown Kind = iota
	KindIdentity
	KindResource
	KindTrust
	KindBoundary
	KindSCP
	KindRCP
	KindSession
)

var kindNames = [...]string{
	KindUnknown:  "unknown",
	KindIdentity: "identity",
	KindResource: "resource",
	KindTrust:    "trust",
	KindBoundary: "boundary",
	KindSCP:      "scp",
	KindRCP:      "rcp",
	KindSession:  "session",
}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// ParseKindName returns the Kind named by s ("identity", "resource",
// "trust", "boundary", "scp", "rcp", "session" or "unknown"; case-insensitive).
func ParseKindName(s string) (Kind, bool) {
	for k, name := range kindNames {
		if strings.EqualFold(s, name) {
			return Kind(k), true
		}
	}
	return KindUnknown, false
}

func (k Kind) forbidsPrincipal() bool {
	switch k {
	case KindIdentity, KindBoundary, KindSession, KindSCP:
		return true
	}
	return false
}

func (k Kind) requiresPrincipal() bool {
	switch k {
	case KindResource, KindTrust, KindRCP:
		return true
	}
	return false
}

func (k Kind) requiresResource() bool {
	switch k {
	case KindIdentity, KindBoundary, KindSession, KindSCP, KindRCP:
		return true
	}
	return false
}

// iamSid reports whether Sids follow IAM's rules (unique, alphanumeric).
func (k Kind) iamSid() bool {
	switch k {
	case KindIdentity, KindBoundary, KindSession, KindTrust, KindSCP, KindRCP:
		return true
	}
	return false
}

// Policy language versions
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html).
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Parse parses a policy document of unknown kind: ParseJSON followed by
// FromNode.
func Parse(file string, data []byte) (*Document, error) {
	return ParseKind(file, data, KindUnknown)
}

// ParseKind parses a policy document used as the given kind.
func ParseKind(file string, data []byte, kind Kind) (*Document, error) {
	return ParseKindString(file, string(data), kind)
}

// ParseKindString is ParseKind for a document held in a string: its
// strings are substrings of src.
func ParseKindString(file string, src string, kind Kind) (*Document, error) {
	// The Document keeps no Node, so the tree lives in a reused arena.
	n, done, err := parseTemp(file, src)
	defer done()
	if err != nil {
		return nil, err
	}
	return FromNodeKind(file, n, kind)
}

// FromNode builds a Document of unknown kind from a JSON tree; see
// FromNodeKind.
func FromNode(file string, n *Node) (*Document, error) {
	return FromNodeKind(file, n, KindUnknown)
}

// FromNodeKind validates a JSON tree as a policy of the given kind and
// builds its Document. Every problem is reported, each with its position, in
// an ErrorList. When there are errors, the returned Document holds whatever
// could be built (it may be nil when n is not an object); callers that need
// a valid document must check the error.
//
// Element names, Effect values, principal types and condition operator names
// are case-sensitive, as in AWS: IAM answers "Unknown field statement" for a
// lowercase element (https://github.com/pulumi/pulumi-hugo/issues/3333) and
// "MalformedPolicyDocument: The policy failed legacy parsing" for
// "Effect": "allow" (https://github.com/hashicorp/terraform/issues/10057).
// Each object must not repeat a key:
// "Individual elements must not contain multiple instances of the same key"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
func FromNodeKind(file string, n *Node, kind Kind) (*Document, error) {
	b := builder{file: file, kind: kind}
	d := b.document(n)
	return d, b.errs.Err()
}

type builder struct {
	file string
	kind Kind
	errs ErrorList

	// Slabs that the document's string lists are cut from (they live as
	// long as the Document does).
	strSlab []string
	posSlab []Pos
	slabs   int // size of the last slab
	// stmtSlab holds the statements not yet built.
	stmtSlab []Statement

	// The statement being built, to name it in messages.
	inStmt  bool
	stmtIdx int
	stmtSid string
}

// MaxErrors is the most errors FromNodeKind reports for one document; a
// last error says that the rest were left out. A real policy has a handful;
// a hostile one could otherwise produce one per value.
const MaxErrors = 100

func (b *builder) errorf(pos Pos, format string, args ...any) {
	b.add(pos, fmt.Sprintf(format, args...))
}

// add records an error, up to MaxErrors.
func (b *builder) add(pos Pos, msg string) {
	switch {
	case len(b.errs) < MaxErrors:
		b.errs.add(b.file, pos, msg)
	case len(b.errs) == MaxErrors:
		b.errs.add(b.file, pos, fmt.Sprintf("more than %d errors: the rest of the document is not reported", MaxErrors))
	}
}

// serrorf reports an error inside the current statement, prefixing the
// message with the statement's index and Sid, such as
// `statement 2 ("DenyNoMFA"): `.
func (b *builder) serrorf(pos Pos, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if b.inStmt {
		if b.stmtSid != "" {
			msg = fmt.Sprintf("statement %d (%s): %s", b.stmtIdx, quote(b.stmtSid), msg)
		} else {
			msg = fmt.Sprintf("statement %d: %s", b.stmtIdx, msg)
		}
	}
	b.add(pos, msg)
}

func quote(s string) string { return strconv.Quote(s) }

// article returns "a string", "an object", ... for a node kind.
func article(k NodeKind) string {
	switch k {
	case NodeObject, NodeArray:
		return "an " + k.String()
	case NodeNull:
		return "null"
	}
	return "a " + k.String()
}

var (
	documentElements  = []string{"Version", "Id", "Statement"}
	statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
	principalTypes    = []string{"AWS", "Service", "Federated", "CanonicalUser"}
)

// unknownElement describes an unknown key, suggesting the right spelling
// when only its case differs.
func unknownElement(what, key string, allowed []string) string {
	for _, a := range allowed {
		if strings.EqualFold(a, key) {
			return fmt.Sprintf("unknown %s %s (names are case-sensitive: did you mean %s?)", what, quote(key), quote(a))
		}
	}
	return fmt.Sprintf("unknown %s %s (allowed: %s)", what, quote(key), strings.Join(allowed, ", "))
}

// dupOf returns the index of an earlier member of ms with the same key as
// ms[i], or -1. It must be called for i = 0, 1, ... in order; idx is a
// lazily built index for large objects, so hostile input with many keys
// stays linear.
func dupOf(ms []Member, i int, idx *map[string]int) int {
	if len(ms) <= 16 {
		for j := 0; j < i; j++ {
			if ms[j].Key == ms[i].Key {
				return j
			}
		}
		return -1
	}
	if *idx == nil {
		*idx = make(map[string]int, len(ms))
	}
	if j, ok := (*idx)[ms[i].Key]; ok {
		return j
	}
	(*idx)[ms[i].Key] = i
	return -1
}

func (b *builder) document(n *Node) *Document {
	if n == nil {
		b.errorf(Pos{}, "policy document is empty")
		return nil
	}
	if n.Kind != NodeObject {
		b.errorf(n.Pos, "policy document must be a JSON object, not %s", article(n.Kind))
		return nil
	}
	d := &Document{File: b.file, Pos: n.Pos}
	var stmtNode *Node
	var idx map[string]int
	for i := range n.Members {
		m := &n.Members[i]
		if j := dupOf(n.Members, i, &idx); j >= 0 {
			b.errorf(m.KeyPos, "duplicate policy element %s (first at %s)", quote(m.Key), n.Members[j].KeyPos)
			continue
		}
		v := m.Value
		switch m.Key {
		case "Version":
			d.VersionPos = m.KeyPos
			if v.Kind != NodeString {
				b.errorf(v.Pos, "Version must be a string, not %s", article(v.Kind))
				continue
			}
			d.Version = v.Str
			if v.Str != Version2012 && v.Str != Version2008 {
				b.errorf(v.Pos, "Version %s is not valid: use %q (or the legacy %q)", quote(v.Str), Version2012, Version2008)
			}
		case "Id":
			d.IDPos = m.KeyPos
			d.HasID = true
			if v.Kind != NodeString {
				b.errorf(v.Pos, "Id must be a string, not %s", article(v.Kind))
				continue
			}
			d.ID = v.Str
		case "Statement":
			d.StatementPos = m.KeyPos
			stmtNode = v
		default:
			b.errorf(m.KeyPos, "%s", unknownElement("policy element", m.Key, documentElements))
		}
	}
	if b.kind == KindRCP {
		switch {
		case !d.VersionPos.IsValid():
			b.errorf(n.Pos, "missing Version: a resource control policy must have \"Version\": %q", Version2012)
		case d.Version == Version2008:
			b.errorf(d.VersionPos, "Version of a resource control policy must be %q", Version2012)
		}
	}
	if stmtNode == nil {
		b.errorf(n.Pos, "missing Statement element")
		return d
	}
	switch stmtNode.Kind {
	case NodeObject:
		d.StatementSingle = true
		d.Statements = []*Statement{b.statement(stmtNode, 0)}
	case NodeArray:
		if len(stmtNode.Items) == 0 {
			b.errorf(stmtNode.Pos, "Statement must not be an empty list")
		}
		d.Statements = make([]*Statement, 0, len(stmtNode.Items))
		// All statements in one allocation.
		b.stmtSlab = make([]Statement, len(stmtNode.Items))
		for i, item := range stmtNode.Items {
			if item.Kind != NodeObject {
				b.errorf(item.Pos, "statement %d must be an object, not %s", i, article(item.Kind))
				continue
			}
			d.Statements = append(d.Statements, b.statement(item, i))
		}
	default:
		b.errorf(stmtNode.Pos, "Statement must be an object or a list of objects, not %s", article(stmtNode.Kind))
	}
	if b.kind.iamSid() {
		b.checkSids(d)
	}
	return d
}

func (b *builder) checkSids(d *Document) {
	var first map[string]*Statement
	for _, s := range d.Statements {
		if s.Sid == "" {
			continue
		}
		if first == nil {
			first = make(map[string]*Statement, len(d.Statements))
		}
		if prev, ok := first[s.Sid]; ok {
			b.errorf(s.SidPos, "statement %d: duplicate Sid %s (also used by statement %d at %s): Sids must be unique within a policy",
				s.Index, quote(s.Sid), prev.Index, prev.SidPos)
			continue
		}
		first[s.Sid] = s
	}
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Statement element indexes, for tracking which are present.
const (
	elSid = iota
	elEffect
	elPrincipal
	elNotPrincipal
	elAction
	elNotAction
	elResource
	elNotResource
	elCondition
	numElements
)

func statementElement(key string) int {
	for i, name := range statementElements {
		if key == name {
			return i
		}
	}
	return -1
}

func (b *builder) statement(n *Node, index int) *Statement {
	var s *Statement
	if len(b.stmtSlab) > 0 {
		s = &b.stmtSlab[0]
		b.stmtSlab = b.stmtSlab[1:]
	} else {
		s = new(Statement)
	}
	s.Index, s.Pos = index, n.Pos
	b.inStmt, b.stmtIdx, b.stmtSid = true, index, ""
	defer func() { b.inStmt = false }()
	for _, m := range n.Members {
		if m.Key == "Sid" && m.Value.Kind == NodeString {
			b.stmtSid = m.Value.Str
			break
		}
	}
	if len(n.Members) == 0 {
		b.serrorf(n.Pos, "empty statement: it needs at least Effect and Action")
		return s
	}
	var has [numElements]bool
	var at [numElements]Pos
	var idx map[string]int
	for i := range n.Members {
		m := &n.Members[i]
		if j := dupOf(n.Members, i, &idx); j >= 0 {
			b.serrorf(m.KeyPos, "duplicate element %s (first at %s)", quote(m.Key), n.Members[j].KeyPos)
			continue
		}
		el := statementElement(m.Key)
		if el < 0 {
			b.serrorf(m.KeyPos, "%s", unknownElement("statement element", m.Key, statementElements))
			continue
		}
		has[el], at[el] = true, m.KeyPos
		v := m.Value
		switch el {
		case elSid:
			s.SidPos = m.KeyPos
			s.HasSid = true
			if v.Kind != NodeString {
				b.serrorf(v.Pos, "Sid must be a string, not %s", article(v.Kind))
				continue
			}
			s.Sid = v.Str
			if b.kind.iamSid() && !isAlnum(v.Str) {
				b.serrorf(v.Pos, "Sid %s is not valid in %s: only the letters A-Z, a-z and the digits 0-9 are allowed", quote(v.Str), b.kind.describe())
			}
		case elEffect:
			s.EffectPos = m.KeyPos
			if v.Kind != NodeString {
				b.serrorf(v.Pos, "Effect must be the string \"Allow\" or \"Deny\", not %s", article(v.Kind))
				continue
			}
			switch Effect(v.Str) {
			case Allow, Deny:
				s.Effect = Effect(v.Str)
			default:
				hint := ""
				if strings.EqualFold(v.Str, "allow") || strings.EqualFold(v.Str, "deny") {
					hint = " (Effect is case-sensitive)"
				}
				b.serrorf(v.Pos, "Effect %s is not valid: must be \"Allow\" or \"Deny\"%s", quote(v.Str), hint)
			}
		case elPrincipal:
			s.Principal = b.principal(m)
		case elNotPrincipal:
			s.NotPrincipal = b.principal(m)
		case elAction:
			s.Action = b.stringList(m, "")
		case elNotAction:
			s.NotAction = b.stringList(m, "")
		case elResource:
			s.Resource = b.stringList(m, "")
		case elNotResource:
			s.NotResource = b.stringList(m, "")
		case elCondition:
			s.ConditionPos = m.KeyPos
			s.Conditions = b.conditions(m)
		}
	}
	if !has[elEffect] {
		b.serrorf(n.Pos, "missing Effect (\"Allow\" or \"Deny\")")
	}
	if has[elPrincipal] && has[elNotPrincipal] {
		b.serrorf(at[elNotPrincipal], "has both Principal and NotPrincipal; use only one")
	}
	switch {
	case has[elAction] && has[elNotAction]:
		b.serrorf(at[elNotAction], "has both Action and NotAction; use only one")
	case !has[elAction] && !has[elNotAction]:
		b.serrorf(n.Pos, "missing Action or NotAction")
	}
	if has[elResource] && has[elNotResource] {
		b.serrorf(at[elNotResource], "has both Resource and NotResource; use only one")
	}

	// Kind-specific rules (see Kind).
	k := b.kind
	anyPrincipal := has[elPrincipal] || has[elNotPrincipal]
	switch {
	case k.forbidsPrincipal() && anyPrincipal:
		el := elPrincipal
		if !has[elPrincipal] {
			el = elNotPrincipal
		}
		b.serrorf(at[el], "%s is not allowed in %s (it applies to whoever it is attached to)", statementElements[el], k.describe())
	case k.requiresPrincipal() && !anyPrincipal:
		b.serrorf(n.Pos, "missing Principal: %s must say whom it applies to", k.describe())
	}
	if has[elNotPrincipal] && (k == KindTrust || k == KindRCP) {
		b.serrorf(at[elNotPrincipal], "NotPrincipal is not allowed in %s", k.describe())
	}
	if k == KindRCP && s.Principal != nil && !s.Principal.Wildcard && len(s.Principal.Entries) > 0 {
		b.serrorf(at[elPrincipal], "Principal of a resource control policy must be \"*\"")
	}
	if k == KindRCP && has[elNotAction] {
		b.serrorf(at[elNotAction], "NotAction is not allowed in %s", k.describe())
	}
	if k.requiresResource() && !has[elResource] && !has[elNotResource] {
		b.serrorf(n.Pos, "missing Resource or NotResource (required in %s)", k.describe())
	}
	if k == KindTrust && (has[elResource] || has[elNotResource]) {
		el := elResource
		if !has[elResource] {
			el = elNotResource
		}
		b.serrorf(at[el], "%s is not allowed in a role trust policy (the role is the resource)", statementElements[el])
	}
	return s
}

func (k Kind) describe() string {
	switch k {
	case KindIdentity:
		return "an identity-based policy"
	case KindResource:
		return "a resource-based policy"
	case KindTrust:
		return "a role trust policy"
	case KindBoundary:
		return "a permissions boundary"
	case KindSCP:
		return "a service control policy"
	case KindRCP:
		return "a resource control policy"
	case KindSession:
		return "a session policy"
	}
	return "a policy"
}

// stringList builds an element that takes a string or a list of strings.
// parent names the enclosing element for messages ("Principal" for
// principal types) or is empty.
func (b *builder) stringList(m *Member, parent string) StringList {
	v := m.Value
	l := StringList{Present: true, Pos: m.KeyPos}
	name := func() string {
		if parent != "" {
			return parent + "." + m.Key
		}
		return m.Key
	}
	switch v.Kind {
	case NodeString:
		l.Single = true
		l.Values, l.ValuePos = b.lists(1)
		l.Values = append(l.Values, v.Str)
		l.ValuePos = append(l.ValuePos, v.Pos)
	case NodeArray:
		if len(v.Items) == 0 {
			b.serrorf(v.Pos, "%s must not be an empty list", name())
			return l
		}
		l.Values, l.ValuePos = b.lists(len(v.Items))
		for i, item := range v.Items {
			if item.Kind != NodeString {
				b.serrorf(item.Pos, "%s[%d] must be a string, not %s", name(), i, article(item.Kind))
				continue
			}
			l.Values = append(l.Values, item.Str)
			l.ValuePos = append(l.ValuePos, item.Pos)
		}
	default:
		b.serrorf(v.Pos, "%s must be a string or a list of strings, not %s", name(), article(v.Kind))
	}
	return l
}

// lists returns empty lists of capacity n for a StringList, cut from the
// builder's slabs so that a document's lists cost few allocations.
func (b *builder) lists(n int) ([]string, []Pos) {
	const maxSlab = 32
	if n > maxSlab/2 {
		return make([]string, 0, n), make([]Pos, 0, n)
	}
	if len(b.strSlab) < n {
		// Slabs grow from 8 values: most documents are small.
		size := max(min(max(2*b.slabs, 8), maxSlab), n)
		b.slabs = size
		b.strSlab = make([]string, size)
		b.posSlab = make([]Pos, size)
	}
	vs, ps := b.strSlab[:0:n], b.posSlab[:0:n]
	b.strSlab, b.posSlab = b.strSlab[n:], b.posSlab[n:]
	return vs, ps
}

func (b *builder) principal(m *Member) *Principal {
	v := m.Value
	p := &Principal{Pos: m.KeyPos}
	switch v.Kind {
	case NodeString:
		if v.Str != "*" {
			b.serrorf(v.Pos, "%s %s is not valid: a bare string must be \"*\"; name principals in an object such as {\"AWS\": %s}",
				m.Key, quote(v.Str), quote(v.Str))
			return p
		}
		p.Wildcard = true
	case NodeObject:
		if len(v.Members) == 0 {
			b.serrorf(v.Pos, "%s must not be an empty object", m.Key)
			return p
		}
		p.Entries = make([]PrincipalEntry, 0, len(v.Members))
		var idx map[string]int
		for i := range v.Members {
			e := &v.Members[i]
			if j := dupOf(v.Members, i, &idx); j >= 0 {
				b.serrorf(e.KeyPos, "duplicate principal type %s in %s (first at %s)", quote(e.Key), m.Key, v.Members[j].KeyPos)
				continue
			}
			known := false
			for _, t := range principalTypes {
				if e.Key == t {
					known = true
					break
				}
			}
			if !known {
				b.serrorf(e.KeyPos, "%s", unknownElement("principal type", e.Key, principalTypes))
				continue
			}
			values := b.stringList(e, m.Key)
			p.Entries = append(p.Entries, PrincipalEntry{Type: e.Key, Values: values, Pos: e.KeyPos})
		}
	default:
		b.serrorf(v.Pos, "%s must be \"*\" or an object, not %s", m.Key, article(v.Kind))
	}
	return p
}

func (b *builder) conditions(m *Member) []Condition {
	v := m.Value
	if v.Kind != NodeObject {
		b.serrorf(v.Pos, "Condition must be an object of condition operators, not %s", article(v.Kind))
		return nil
	}
	n := 0
	for _, op := range v.Members {
		if op.Value.Kind == NodeObject {
			n += len(op.Value.Members)
		}
	}
	var conds []Condition
	if n > 0 {
		conds = make([]Condition, 0, n)
	}
	var opIdx map[string]int
	for i := range v.Members {
		om := &v.Members[i]
		if j := dupOf(v.Members, i, &opIdx); j >= 0 {
			b.serrorf(om.KeyPos, "duplicate condition operator %s (first at %s); put all its keys in one block", quote(om.Key), v.Members[j].KeyPos)
			continue
		}
		op, opOK := ParseOperator(om.Key)
		if !opOK {
			b.serrorf(om.KeyPos, "%s", operatorProblem(om.Key))
		}
		block := om.Value
		if block.Kind != NodeObject {
			b.serrorf(block.Pos, "condition operator %s must map to an object of condition keys, not %s", quote(om.Key), article(block.Kind))
			continue
		}
		if len(block.Members) == 0 {
			b.serrorf(block.Pos, "condition operator %s has no condition keys", quote(om.Key))
			continue
		}
		var keyIdx map[string]int
		for j := range block.Members {
			km := &block.Members[j]
			if k := dupOf(block.Members, j, &keyIdx); k >= 0 {
				b.serrorf(km.KeyPos, "duplicate condition key %s under %s (first at %s)", quote(km.Key), quote(om.Key), block.Members[k].KeyPos)
				continue
			}
			c := Condition{
				Operator:    om.Key,
				Op:          op,
				Key:         km.Key,
				OperatorPos: om.KeyPos,
				KeyPos:      km.KeyPos,
			}
			val := km.Value
			valid := true
			if val.Kind == NodeArray {
				if len(val.Items) == 0 {
					b.serrorf(val.Pos, "%s %s: empty list of condition values", om.Key, quote(km.Key))
					continue
				}
				c.Values = make([]Value, 0, len(val.Items))
				for _, item := range val.Items {
					cv, ok := b.conditionValue(om.Key, km.Key, item)
					valid = valid && ok
					c.Values = append(c.Values, cv)
				}
			} else {
				cv, ok := b.conditionValue(om.Key, km.Key, val)
				valid = ok
				c.ValuesSingle = true
				c.Values = []Value{cv}
			}
			if valid && opOK {
				conds = append(conds, c)
			}
		}
	}
	return conds
}

func (b *builder) conditionValue(op, key string, n *Node) (Value, bool) {
	switch n.Kind {
	case NodeString:
		return Value{Raw: n.Str, Kind: KindString, Pos: n.Pos}, true
	case NodeBool:
		return Value{Raw: n.Str, Kind: KindBool, Pos: n.Pos}, true
	case NodeNumber:
		return Value{Raw: n.Str, Kind: KindNumber, Pos: n.Pos}, true
	}
	b.serrorf(n.Pos, "%s %s: condition value must be a string, boolean or number, not %s", op, quote(key), article(n.Kind))
	return Value{}, false
}
