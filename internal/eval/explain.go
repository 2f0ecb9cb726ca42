package eval

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// Result is a decision with its explanation.
type Result struct {
	Decision Decision
	// Reason explains the decision in one sentence.
	Reason string
	// Deciding holds the statements that decided: the Deny statements that
	// applied for ExplicitDeny, the Allow statements that granted for
	// Allowed, none for ImplicitDeny.
	Deciding []Match
	// NearMisses holds statements whose action, resource and principal
	// matched but whose conditions did not: the statements a reader
	// expected to apply.
	NearMisses []Match
	// Layers is each layer's own verdict, in evaluation order.
	Layers []LayerVerdict
	// Principal is the parsed caller.
	Principal Principal
	// ResourceAccount is the account taken to own the resource, and
	// SameAccount whether it is the caller's.
	ResourceAccount string
	SameAccount     bool
}

// Match identifies a statement and explains its conditions.
type Match struct {
	Layer Layer
	// Level is the organization level of an SCP or RCP (0 = root).
	Level int
	// PolicyIndex is the index of the policy within its layer (level).
	PolicyIndex int
	// PolicyName is Policy.Name.
	PolicyName string
	// StatementIndex is the statement's index in its document.
	StatementIndex int
	Sid            string
	Effect         policy.Effect
	// Pos is the statement's position in its source file.
	Pos policy.Pos
	// PrincipalMatch is how a resource-based statement names the caller.
	PrincipalMatch Strength
	// Conditions explains each condition in document order.
	Conditions []ConditionTrace
}

// ConditionTrace explains one condition.
type ConditionTrace struct {
	// Operator is written as in the policy.
	Operator string
	Key      string
	// Values are the policy values, with variables resolved where they
	// resolve.
	Values []string
	// RequestValues are the request's values for the key.
	RequestValues []string
	Present       bool
	Matched       bool
	Why           string
	Pos           policy.Pos
}

// LayerVerdict is one layer's own verdict.
type LayerVerdict struct {
	Layer Layer
	// Level is the organization level for SCPs and RCPs, -1 for the
	// combined verdict of all levels and for other layers.
	Level    int
	Decision Decision
	// Note qualifies the verdict ("does not apply to service principals").
	Note string
}

// Evaluate evaluates req against set and explains the decision. It
// allocates; use Decide where only the decision matters.
func Evaluate(set *PolicySet, req *Request) Result {
	return evaluate(set, req, &recorder{})
}

// Evaluator is Evaluate with scratch space kept from one call to the next,
// for callers that explain many requests in a row (a batch). The zero
// value is ready; an Evaluator is not safe for concurrent use.
type Evaluator struct {
	rec recorder
}

// Evaluate is the package's Evaluate.
func (ev *Evaluator) Evaluate(set *PolicySet, req *Request) Result {
	ev.rec.reuse = false
	ev.rec.reset()
	return evaluate(set, req, &ev.rec)
}

// EvaluateScratch is Evaluate with the Result's lists (Deciding,
// NearMisses, Layers, each Match's Conditions and their Values and
// RequestValues) in memory the Evaluator reuses: they are valid until its
// next call. Empty lists may be empty rather than nil.
func (ev *Evaluator) EvaluateScratch(set *PolicySet, req *Request) Result {
	ev.rec.reuse = true
	ev.rec.reset()
	return evaluate(set, req, &ev.rec)
}

func evaluate(set *PolicySet, req *Request, rec *recorder) Result {
	e := evaluator{set: set, req: req, p: ParsePrincipal(req.Principal), rec: rec}
	d, why := e.run()
	r := Result{
		Decision:        d,
		Principal:       e.p,
		ResourceAccount: req.resourceAccount(&e.p),
		SameAccount:     e.same,
	}
	r.Deciding = e.deciding(d, why)
	if rec.reuse {
		r.NearMisses = rec.near[:0]
	}
	for i := range e.rec.hits {
		h := &e.rec.hits[i]
		if h.near {
			r.NearMisses = append(r.NearMisses, e.match(h))
		}
	}
	r.Layers = e.layerVerdicts()
	if rec.reuse {
		// Keep the lists' memory for the next evaluation.
		rec.deciding, rec.near, rec.layers = r.Deciding, r.NearMisses, r.Layers
	}
	r.Reason = e.reason(d, why, &r)
	return r
}

// deciding selects the hits that decided.
func (e *evaluator) deciding(d Decision, why path) []Match {
	var out []Match
	if e.rec.reuse {
		out = e.rec.deciding[:0]
	}
	add := func(pred func(h *hit) bool) {
		for i := range e.rec.hits {
			h := &e.rec.hits[i]
			if !h.near && pred(h) {
				out = append(out, e.match(h))
			}
		}
	}
	switch d {
	case ExplicitDeny:
		add(func(h *hit) bool { return h.deny })
	case Allowed:
		allowIn := func(l Layer) func(h *hit) bool {
			return func(h *hit) bool { return !h.deny && h.layer == l }
		}
		switch why {
		case pathResourceDirect:
			add(func(h *hit) bool { return !h.deny && h.layer == LayerResource && h.strength == StrengthDirect })
		case pathResourceRole:
			add(func(h *hit) bool { return !h.deny && h.layer == LayerResource && h.strength == StrengthRole })
		case pathIdentity:
			add(allowIn(LayerIdentity))
		case pathKMSAccount, pathTrustAccount:
			add(func(h *hit) bool {
				return !h.deny && h.layer == LayerResource && h.strength == StrengthAccount
			})
			add(allowIn(LayerIdentity))
		case pathCrossAccount:
			add(allowIn(LayerResource))
			add(allowIn(LayerIdentity))
		}
	}
	return out
}

func (e *evaluator) match(h *hit) Match {
	pol, st := e.set.stmtOf(h)
	m := Match{
		Layer:          h.layer,
		Level:          h.level,
		PolicyIndex:    h.pol,
		PolicyName:     pol.Name,
		StatementIndex: st.src.Index,
		Sid:            st.src.Sid,
		Effect:         st.src.Effect,
		Pos:            st.src.Pos,
		PrincipalMatch: h.strength,
	}
	if len(st.conds) > 0 {
		m.Conditions = e.rec.traceList(len(st.conds))
		for i := range st.conds {
			m.Conditions[i] = traceCond(&st.conds[i], e.req.Context, e.rec)
		}
	}
	return m
}

// traceCond evaluates a condition and explains the outcome; its lists come
// from rec.
func traceCond(c *ccond, ctx *Context, rec *recorder) ConditionTrace {
	o := evalCond(c, ctx)
	t := ConditionTrace{
		Operator: c.src.Operator,
		Key:      c.src.Key,
		Present:  o.present,
		Matched:  o.matched,
		Pos:      c.src.OperatorPos,
	}
	if t.Operator == "" {
		t.Operator = c.src.Op.String()
	}
	if len(c.vals) > 0 {
		t.Values = rec.strList(len(c.vals))
	}
	for i := range c.vals {
		v := &c.vals[i]
		s := v.raw
		if v.pat.hasVar {
			if r, ok := v.pat.resolve(ctx); ok {
				s = r
			}
		}
		t.Values = append(t.Values, s)
	}
	if vals, ok := ctx.lookupLower(c.key); ok {
		t.RequestValues = append(rec.strList(len(vals)), vals...)
	}
	t.Why = explainCond(c, o, t.RequestValues, ctx, rec)
	return t
}

// mfaHint explains why MFA keys are missing, for the keys the seed lesson
// is about.
func mfaHint(key string) string {
	return mfaHintLower(strings.ToLower(key))
}

// mfaHintLower is mfaHint for a lower-cased key.
func mfaHintLower(key string) string {
	switch key {
	case "aws:multifactorauthpresent", "aws:multifactorauthage":
		return " (long-term access keys carry no MFA keys: the key is present only in requests signed with temporary credentials)"
	case "aws:tokenissuetime":
		return " (present only in requests signed with temporary credentials)"
	}
	return ""
}

// explainCond words a condition's outcome; the text is rec's (rec.text).
func explainCond(c *ccond, o condOutcome, reqVals []string, ctx *Context, rec *recorder) string {
	key := c.src.Key
	hint := mfaHintLower(c.key)
	op := c.src.Operator
	if op == "" {
		op = c.src.Op.String()
	}
	switch o.why {
	case whyMissingFalse:
		return rec.cat("did not match because ", key, " is absent from the request", hint, "; ", op, " is false for a missing key (use ", op, "IfExists to match when it is absent)")
	case whyMissingNegated:
		return rec.cat("matched because ", key, " is absent from the request", hint, " and ", op, " is a negated operator, which is true for a missing key")
	case whyMissingIfExists:
		return rec.cat("matched because ", key, " is absent from the request", hint, " and the operator ends in IfExists")
	case whyMissingForAll:
		return rec.cat("matched because ", key, " is absent from the request and ForAllValues is true for a missing key")
	case whyMissingForAny:
		return rec.cat("did not match because ", key, " is absent from the request and ForAnyValue is false for a missing key")
	case whyEmptySetForAll:
		return fmt.Sprintf("matched because %s is an empty set and ForAllValues is true for an empty set", key)
	case whyEmptySetForAny:
		return fmt.Sprintf("did not match because %s is an empty set and ForAnyValue is false for an empty set", key)
	case whyMultiNoSet:
		return fmt.Sprintf("did not match because %s has %d values in the request and %s has no ForAllValues/ForAnyValue qualifier (multivalued keys require a set operator)", key, len(reqVals), op)
	case whyUnparsable:
		return fmt.Sprintf("did not match because the request value %q of %s is not a valid %s value", first(reqVals), key, familyName(c.op.family()))
	case whyNullCheck:
		state := "absent"
		if o.present {
			state = "present"
		}
		if o.present {
			hint = ""
		}
		if o.matched {
			return rec.cat("matched because ", key, " is ", state, hint)
		}
		return rec.cat("did not match because ", key, " is ", state, hint)
	}
	// Compared values.
	var unresolved []string
	for i := range c.vals {
		v := &c.vals[i]
		if v.pat.hasVar && !v.pat.resolvable(ctx) {
			unresolved = append(unresolved, v.raw)
		}
	}
	extra := ""
	if len(unresolved) > 0 {
		extra = fmt.Sprintf("; the policy variable in %s has no value in the request and matches nothing", strings.Join(unresolved, ", "))
	}
	qual := ""
	switch c.set {
	case policy.ForAllValues:
		qual = "every request value "
	case policy.ForAnyValue:
		qual = "some request value "
	}
	var buf [256]byte
	b := buf[:0]
	if o.matched {
		b = append(b, "matched: "...)
	} else {
		b = append(b, "did not match: "...)
	}
	b = append(b, qual...)
	b = appendVals(b, reqVals)
	b = append(b, ' ')
	b = appendVerb(b, c.op, o.matched)
	b = append(b, ' ')
	switch len(c.vals) {
	case 0:
		b = append(b, "(none)"...)
	case 1:
		b = strconv.AppendQuote(b, c.vals[0].raw)
	default:
		b = append(b, '[')
		for i := range c.vals {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = strconv.AppendQuote(b, c.vals[i].raw)
		}
		b = append(b, ']')
	}
	b = append(b, extra...)
	return rec.text(b)
}

// appendVals appends request values: (none), one quoted value or a
// bracketed list.
func appendVals(b []byte, v []string) []byte {
	switch len(v) {
	case 0:
		return append(b, "(none)"...)
	case 1:
		return strconv.AppendQuote(b, v[0])
	}
	b = append(b, '[')
	for i, s := range v {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendQuote(b, s)
	}
	return append(b, ']')
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func familyName(f family) string {
	switch f {
	case famNumeric:
		return "number"
	case famDate:
		return "date"
	case famBool:
		return "Boolean (true or false)"
	case famIP:
		return "IP address"
	case famArn:
		return "ARN"
	case famBinary:
		return "binary"
	}
	return "string"
}

// appendVerb appends how the request values compared with the policy
// values under op, for a condition that matched or not.
func appendVerb(b []byte, op opcode, matched bool) []byte {
	var pos string
	switch op.family() {
	case famString:
		switch op {
		case opStringLike, opStringNotLike:
			pos = "is like one of"
		case opStringEqualsIgnoreCase, opStringNotEqualsIgnoreCase:
			pos = "equals (ignoring case) one of"
		default:
			pos = "equals one of"
		}
	case famNumeric:
		switch op {
		case opNumericLessThan:
			pos = "is less than one of"
		case opNumericLessThanEquals:
			pos = "is at most one of"
		case opNumericGreaterThan:
			pos = "is greater than one of"
		case opNumericGreaterThanEquals:
			pos = "is at least one of"
		default:
			pos = "equals one of"
		}
	case famDate:
		switch op {
		case opDateLessThan:
			pos = "is before one of"
		case opDateLessThanEquals:
			pos = "is at or before one of"
		case opDateGreaterThan:
			pos = "is after one of"
		case opDateGreaterThanEquals:
			pos = "is at or after one of"
		default:
			pos = "is the same time as one of"
		}
	case famIP:
		pos = "is in one of"
	case famArn:
		pos = "matches one of"
	default:
		pos = "equals one of"
	}
	// For a negated operator the condition matched when the positive test
	// failed.
	positiveHeld := matched != op.negated()
	if !positiveHeld {
		b = append(b, "is not: "...)
	}
	return append(b, pos...)
}

// layerVerdicts computes each layer's verdict from the recorded hits.
func (e *evaluator) layerVerdicts() []LayerVerdict {
	set := e.set
	var out []LayerVerdict
	if e.rec.reuse {
		out = e.rec.layers[:0]
	}
	verdict := func(l Layer, level int, pred func(h *hit) bool) Decision {
		allow := false
		for i := range e.rec.hits {
			h := &e.rec.hits[i]
			if h.near || h.layer != l || !pred(h) {
				continue
			}
			if h.deny {
				return ExplicitDeny
			}
			allow = true
		}
		if allow {
			return Allowed
		}
		return ImplicitDeny
	}
	all := func(*hit) bool { return true }
	if len(set.RCPs) > 0 {
		lv := LayerVerdict{Layer: LayerRCP, Level: -1}
		if set.RCPExempt {
			lv.Note = "does not apply (exempt)"
		}
		lv.Decision = orgVerdict(len(set.RCPs), func(level int) Decision {
			return verdict(LayerRCP, level, func(h *hit) bool { return h.level == level })
		})
		out = append(out, lv)
	}
	if len(set.SCPs) > 0 {
		lv := LayerVerdict{Layer: LayerSCP, Level: -1}
		switch {
		case set.SCPExempt:
			lv.Note = "does not apply (exempt)"
		case !e.p.IsIAM():
			lv.Note = "does not apply: SCPs limit only IAM users and roles of member accounts"
		}
		lv.Decision = orgVerdict(len(set.SCPs), func(level int) Decision {
			return verdict(LayerSCP, level, func(h *hit) bool { return h.level == level })
		})
		out = append(out, lv)
	}
	if set.Resource != nil {
		lv := LayerVerdict{Layer: LayerResource, Level: -1, Decision: verdict(LayerResource, 0, all)}
		lv.Note = set.ResourceKind.String()
		out = append(out, lv)
	}
	if len(set.Identity) > 0 {
		lv := LayerVerdict{Layer: LayerIdentity, Level: -1, Decision: verdict(LayerIdentity, 0, all)}
		if !e.p.IsIAM() {
			lv.Note = "does not apply: the caller is not an IAM identity"
		}
		out = append(out, lv)
	}
	if set.Boundary != nil {
		out = append(out, LayerVerdict{Layer: LayerBoundary, Level: -1, Decision: verdict(LayerBoundary, 0, all)})
	}
	if set.Session != nil {
		out = append(out, LayerVerdict{Layer: LayerSession, Level: -1, Decision: verdict(LayerSession, 0, all)})
	}
	return out
}

// orgVerdict combines per-level verdicts: a Deny at any level denies, and
// every level must allow.
func orgVerdict(levels int, at func(int) Decision) Decision {
	allAllow := true
	for l := 0; l < levels; l++ {
		switch at(l) {
		case ExplicitDeny:
			return ExplicitDeny
		case ImplicitDeny:
			allAllow = false
		}
	}
	if allAllow {
		return Allowed
	}
	return ImplicitDeny
}

func describe(m *Match) string {
	var buf [128]byte
	return string(appendDescribe(buf[:0], m))
}

// appendDescribe appends describe(m).
func appendDescribe(b []byte, m *Match) []byte {
	b = append(b, m.Layer.String()...)
	b = append(b, " statement "...)
	if m.Sid != "" {
		b = strconv.AppendQuote(b, m.Sid)
	} else {
		b = append(b, '#')
		b = strconv.AppendInt(b, int64(m.StatementIndex), 10)
	}
	b = append(b, " of "...)
	switch {
	case m.PolicyName != "":
		b = append(b, m.PolicyName...)
	case m.Layer == LayerSCP || m.Layer == LayerRCP:
		b = append(b, m.Layer.String()...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(m.Level), 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(m.PolicyIndex), 10)
	default:
		b = append(b, m.Layer.String()...)
		b = append(b, " policy "...)
		b = strconv.AppendInt(b, int64(m.PolicyIndex), 10)
	}
	return b
}

// by writes head, the statements ms as list does, tail and more in one
// string.
func by(head string, ms []Match, tail, more string) string {
	var buf [512]byte
	b := append(buf[:0], head...)
	for i := range ms {
		if i > 0 {
			b = append(b, "; "...)
		}
		b = appendDescribe(b, &ms[i])
	}
	b = append(b, tail...)
	b = append(b, more...)
	return string(b)
}

// reason explains the decision in one sentence.
func (e *evaluator) reason(d Decision, why path, r *Result) string {
	set := e.set
	p := &e.p
	list := func(ms []Match) string {
		if len(ms) == 1 {
			return describe(&ms[0])
		}
		var buf [256]byte
		b := buf[:0]
		for i := range ms {
			if i > 0 {
				b = append(b, "; "...)
			}
			b = appendDescribe(b, &ms[i])
		}
		return string(b)
	}
	nearDeny := ""
	for i := range r.NearMisses {
		m := &r.NearMisses[i]
		if m.Effect == policy.Deny {
			for _, c := range m.Conditions {
				if !c.Matched {
					var buf [256]byte
					b := append(buf[:0], " The Deny in "...)
					b = appendDescribe(b, m)
					b = append(b, " did not apply: "...)
					b = append(b, c.Operator...)
					b = append(b, ' ')
					b = append(b, c.Why...)
					b = append(b, '.')
					nearDeny = string(b)
					break
				}
			}
			if nearDeny != "" {
				break
			}
		}
	}
	switch why {
	case pathSpecialAlways:
		return fmt.Sprintf("%s needs no permission and policies cannot deny it.", e.req.Action)
	case pathSpecialSessionGST:
		return "sts:GetSessionToken must be called with long-term credentials (STS: \"Cannot call GetSessionToken with session credentials\")."
	case pathRootAssumeRole:
		return "The root user cannot assume roles (STS: \"Roles may not be assumed by root accounts\")."
	case pathExplicitDeny:
		return by("Explicitly denied by ", r.Deciding, ".", "")
	case pathRCP:
		s := e.orgFailReason(LayerRCP)
		return s
	case pathSCP:
		return e.orgFailReason(LayerSCP)
	case pathResourceDirect:
		if !p.IsIAM() {
			return "Allowed by " + list(r.Deciding) + ", which names the caller." + nearDeny
		}
		return "Allowed by " + list(r.Deciding) + ", which names the caller directly; within one account such a grant is not limited by identity-based policies, permissions boundaries or session policies." + nearDeny
	case pathResourceRole:
		return "Allowed by " + list(r.Deciding) + ", which names the caller's role; the permissions boundary and session policy (if any) also allow." + nearDeny
	case pathIdentity:
		return by("Allowed by ", r.Deciding, ".", nearDeny)
	case pathRoot:
		return "Allowed: the account root user has full access within its account unless a policy denies." + nearDeny
	case pathKMSAccount:
		return "Allowed: the key policy allows the account and " + list(r.Deciding) + " allow." + nearDeny
	case pathTrustAccount:
		return "Allowed: the trust policy trusts the account and " + list(r.Deciding) + " allow." + nearDeny
	case pathCrossAccount:
		return "Allowed across accounts: both " + list(r.Deciding) + " allow." + nearDeny
	case pathNoResourceGrant:
		return fmt.Sprintf("Implicitly denied: the caller is a %s, which has no identity-based policies, and no resource-based policy statement allows it.", p.Kind) + nearDenyOrMiss(r)
	case pathNoIdentity:
		return "Implicitly denied: no identity-based or resource-based policy statement allows the request." + nearDenyOrMiss(r)
	case pathBoundary:
		return "Implicitly denied: the identity-based policies allow, but the permissions boundary does not." + nearDenyOrMiss(r)
	case pathSessionPolicy:
		return "Implicitly denied: the identity-based policies allow, but the session policy does not." + nearDenyOrMiss(r)
	case pathFederatedNoSession:
		return "Implicitly denied: a federated user session (GetFederationToken) without a session policy has no permissions, except those a resource-based policy grants to the session directly."
	case pathCrossNoResource:
		if set.Resource == nil {
			return fmt.Sprintf("Implicitly denied: the resource belongs to account %s, not the caller's account %s, and cross-account access needs a resource-based policy that allows the caller.", r.ResourceAccount, p.Account)
		}
		return fmt.Sprintf("Implicitly denied: the resource belongs to account %s and its %s does not allow the caller (cross-account access needs both sides to allow).", r.ResourceAccount, set.ResourceKind) + nearDenyOrMiss(r)
	case pathCrossNoIdentity:
		return fmt.Sprintf("Implicitly denied: the %s of account %s allows the caller, but the caller's identity-based policies do not (cross-account access needs both sides to allow).", set.ResourceKind, r.ResourceAccount) + nearDenyOrMiss(r)
	case pathKMSNoKeyPolicy:
		if set.Resource == nil {
			return "Implicitly denied: KMS key access needs the key policy to allow, and no key policy was given."
		}
		return "Implicitly denied: the key policy does not allow the caller or its account; IAM policies alone cannot grant access to a KMS key." + nearDenyOrMiss(r)
	case pathTrustNoTrust:
		if set.Resource == nil {
			return "Implicitly denied: assuming a role needs its trust policy to allow, and no trust policy was given."
		}
		return "Implicitly denied: the role's trust policy does not allow the caller or its account." + nearDenyOrMiss(r)
	case pathKMSAccountNoIdentity:
		return fmt.Sprintf("Implicitly denied: the %s allows the account, so identity-based policies must allow too, and none does.", set.ResourceKind) + nearDenyOrMiss(r)
	}
	return d.String()
}

func nearDenyOrMiss(r *Result) string {
	for i := range r.NearMisses {
		m := &r.NearMisses[i]
		if m.Effect != policy.Allow {
			continue
		}
		for _, c := range m.Conditions {
			if !c.Matched {
				return fmt.Sprintf(" %s would allow, but its condition %s on %s %s.", describe(m), c.Operator, c.Key, c.Why)
			}
		}
	}
	return ""
}

func (e *evaluator) orgFailReason(l Layer) string {
	levels := e.set.SCPs
	lvl := -1
	// Recompute the first failing level from the hits.
	if l == LayerRCP {
		levels = e.set.RCPs
	}
	for level := range levels {
		allow := false
		for i := range e.rec.hits {
			h := &e.rec.hits[i]
			if !h.near && !h.deny && h.layer == l && h.level == level {
				allow = true
				break
			}
		}
		if !allow {
			lvl = level
			break
		}
	}
	what := "service control policies"
	if l == LayerRCP {
		what = "resource control policies"
	}
	return fmt.Sprintf("Implicitly denied: no statement in the %s of organization level %d allows the request (every level must allow).", what, lvl)
}
