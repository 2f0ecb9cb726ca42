package simulate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// Run simulates one input. Policies are parsed with the rules of their layer
// (policy.ParseKind) and named after their place in the input, such as
// "identityPolicies[0]" or "serviceControlPolicies[1][0]", so parse errors
// point at the right document. The request context is exactly the input's
// Context: no key is added (AWS would add aws:PrincipalArn, aws:CurrentTime
// and others; give them when a policy tests them).
//
// The resource-based policy is evaluated as a role trust policy when the
// action is an STS role-assumption action (sts:AssumeRole,
// sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity, sts:TagSession,
// sts:SetSourceIdentity, sts:SetContext) on a role ARN, and as a KMS key
// policy when a kms: action targets a key ARN; both must allow explicitly.
func Run(in *Input) (*Output, error) {
	var c compiler
	set, err := c.policySet(in)
	if err != nil {
		return nil, err
	}
	ctx := &eval.Context{}
	if err := fillContext(ctx, in.Request.Context); err != nil {
		return nil, err
	}
	return runSet(set, &in.Request, ctx)
}

// MaxMatchWork bounds the wildcard-matching work of one simulation (see
// eval.Context.SetMatchBudget): a step costs a few nanoseconds, so an input
// is answered within a second or two whatever its patterns. A real policy
// set needs a few thousand steps: wildcards give back characters only
// while a pattern's tail fails to fit the request's strings.
const MaxMatchWork = 200_000_000

// runSet evaluates and converts the result.
func runSet(set *eval.PolicySet, r *Request, ctx *eval.Context) (*Output, error) {
	res, err := evalSet(set, r, ctx, &evalScratch{})
	if err != nil {
		return nil, err
	}
	return convert(&res), nil
}

// evalScratch is what evalSet reuses from one request to the next.
type evalScratch struct {
	ev  eval.Evaluator
	req eval.Request
	// reuse evaluates with EvaluateScratch: the result is valid until the
	// next evaluation (a batch writes it out first).
	reuse bool
}

// evalSet evaluates r against set.
func evalSet(set *eval.PolicySet, r *Request, ctx *eval.Context, sc *evalScratch) (eval.Result, error) {
	sc.req = eval.Request{
		Principal:       r.Principal,
		Action:          r.Action,
		Resource:        r.Resource,
		ResourceAccount: r.ResourceAccount,
		Context:         ctx,
	}
	set.ResourceKind = resourceKind(r.Action, r.Resource)
	ctx.SetMatchBudget(MaxMatchWork)
	var res eval.Result
	if sc.reuse {
		res = sc.ev.EvaluateScratch(set, &sc.req)
	} else {
		res = sc.ev.Evaluate(set, &sc.req)
	}
	if ctx.MatchBudgetExceeded() {
		return eval.Result{}, fmt.Errorf("matching the policies' wildcards against the request takes more than %d steps, the limit for one simulation", MaxMatchWork)
	}
	return res, nil
}

// resourceKind picks the service rule for the resource-based policy.
func resourceKind(action, resource string) eval.ResourceKind {
	svc, name, ok := strings.Cut(action, ":")
	if !ok {
		return eval.ResourceGeneric
	}
	switch {
	case strings.EqualFold(svc, "sts") && isRoleARN(resource):
		for _, a := range []string{"AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "TagSession", "SetSourceIdentity", "SetContext"} {
			if strings.EqualFold(name, a) {
				return eval.ResourceRoleTrust
			}
		}
	case strings.EqualFold(svc, "kms") && isKMSKeyARN(resource):
		return eval.ResourceKMSKey
	}
	return eval.ResourceGeneric
}

func isRoleARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && strings.HasPrefix(parts[5], "role/")
}

func isKMSKeyARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "kms" && strings.HasPrefix(parts[5], "key/")
}

// compiler parses and compiles the policies of inputs, optionally through a
// cache shared across inputs.
type compiler struct {
	cache *policyCache
	// ec memoises compiled patterns across policies (batches).
	ec *eval.Compiler
	// direct, when set, compiles without the cache while the cache does
	// not pay (batches whose lines bring new policies).
	direct *directPolicies
}

// directPolicies compiles the policies of one input into memory reused
// from input to input: policy.ParseFastPrefix parses each policy while the
// input decoder meets it, straight from the input's bytes into a reused
// Document, and eval.Compiler.CompileInto compiles it into a reused Policy.
// A batch whose lines repeat their policies is better served by the cache;
// one whose lines bring new policies only fills the cache with garbage.
// directPolicies watches the cache's hit rate: after a window of
// directWindow look-ups with fewer than half hits, it compiles the next
// directPause policies itself, then tries the cache again.
type directPolicies struct {
	slots []*directSlot
	used  int // slots used by the current input
	// skip counts the policies still to compile directly.
	skip int
}

type directSlot struct {
	sc policy.Scratch
	// The policy's bytes (in the input) and kind, and its Document.
	raw  []byte
	kind policy.Kind
	doc  *policy.Document
	pol  eval.Policy
}

const (
	directWindow = 512
	directPause  = 64 * 1024
)

// active reports whether policies are compiled directly now.
func (d *directPolicies) active() bool { return d != nil && d.skip > 0 }

// next starts an input: the policies of the last one are no longer in
// use.
func (d *directPolicies) next() {
	if d != nil {
		d.used = 0
	}
}

// observe updates the decision after a cache look-up.
func (d *directPolicies) observe(pc *policyCache) {
	if n := pc.hits + pc.misses; n >= directWindow {
		if 2*pc.hits < n {
			d.skip = directPause
		}
		pc.hits, pc.misses = 0, 0
	}
}

// slot returns the next free slot.
func (d *directPolicies) slot() *directSlot {
	if d.used == len(d.slots) {
		d.slots = append(d.slots, new(directSlot))
	}
	return d.slots[d.used]
}

// parse parses the policy of the given kind that b starts with (at its
// '{'), for compile, and returns its length; 0 when ParseFastPrefix does
// not parse it. The policy refers to b, which must not change until the
// next input. A policy it parses is valid JSON, which the input decoder
// would accept as it is.
func (d *directPolicies) parse(b []byte, kind policy.Kind) int {
	s := d.slot()
	doc, end, ok := policy.ParseFastPrefix("", b, kind, &s.sc)
	if !ok {
		return 0
	}
	d.used++
	s.raw, s.kind, s.doc = b[:end], kind, doc
	return end
}

// compile compiles one policy of the current input into a reused slot:
// the one parse parsed from the same bytes, else parsed now. The policy
// is valid until the next input (next). Anything ParseFast does not parse
// goes the ordinary way, which reports the same errors as ever.
func (d *directPolicies) compile(ec *eval.Compiler, name string, raw []byte, kind policy.Kind) (*eval.Policy, error) {
	d.skip--
	var s *directSlot
	for _, t := range d.slots[:d.used] {
		if t.kind == kind && len(t.raw) == len(raw) && len(raw) > 0 && &t.raw[0] == &raw[0] {
			s = t
			break
		}
	}
	if s == nil {
		s = d.slot()
		doc, ok := policy.ParseFast("", raw, kind, &s.sc)
		if !ok {
			return compileRaw(ec, name, raw, kind)
		}
		d.used++
		// Not parsed by the decoder: not to be found by raw again.
		s.raw, s.kind, s.doc = nil, kind, doc
	}
	s.doc.File = name
	if err := ec.CompileInto(&s.pol, s.doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s.pol.Name = name
	return &s.pol, nil
}

func isAbsent(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

func (c *compiler) compile(name string, raw []byte, kind policy.Kind) (*eval.Policy, error) {
	if c.direct.active() {
		if c.cache != nil && c.cache.compiled != nil {
			c.cache.compiled.Add(1)
		}
		return c.direct.compile(c.ec, name, raw, kind)
	}
	if c.cache != nil {
		p, err := c.cache.get(c.ec, name, raw, kind)
		if c.direct != nil {
			c.direct.observe(c.cache)
		}
		return p, err
	}
	return compileRaw(c.ec, name, raw, kind)
}

func compileRaw(ec *eval.Compiler, name string, raw []byte, kind policy.Kind) (*eval.Policy, error) {
	doc, err := policy.ParseKind(name, raw, kind)
	if err != nil {
		return nil, err
	}
	return compileDoc(ec, name, doc)
}

func compileDoc(ec *eval.Compiler, name string, doc *policy.Document) (*eval.Policy, error) {
	p, err := ec.Compile(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p.Name = name
	return p, nil
}

// policySet parses and compiles every policy of in.
func (c *compiler) policySet(in *Input) (*eval.PolicySet, error) {
	set := &eval.PolicySet{}
	if err := c.fill(set, in); err != nil {
		return nil, err
	}
	return set, nil
}

// fill replaces set's policies with in's, reusing set's slices.
func (c *compiler) fill(set *eval.PolicySet, in *Input) error {
	set.Identity = set.Identity[:0]
	// List entries are never skipped, so that policy indexes in the output
	// are the input's; a null entry is reported as an invalid policy.
	for i, raw := range in.IdentityPolicies {
		p, err := c.compile(indexName("identityPolicies", i), raw, policy.KindIdentity)
		if err != nil {
			return err
		}
		set.Identity = append(set.Identity, p)
	}
	set.Resource, set.Boundary, set.Session = nil, nil, nil
	var err error
	if !isAbsent(in.ResourcePolicy) {
		if set.Resource, err = c.compile("resourcePolicy", in.ResourcePolicy, policy.KindResource); err != nil {
			return err
		}
	}
	if !isAbsent(in.PermissionsBoundary) {
		if set.Boundary, err = c.compile("permissionsBoundary", in.PermissionsBoundary, policy.KindBoundary); err != nil {
			return err
		}
	}
	if !isAbsent(in.SessionPolicy) {
		if set.Session, err = c.compile("sessionPolicy", in.SessionPolicy, policy.KindSession); err != nil {
			return err
		}
	}
	if set.SCPs, err = c.levels(set.SCPs, "serviceControlPolicies", in.ServiceControlPolicies, policy.KindSCP); err != nil {
		return err
	}
	if set.RCPs, err = c.levels(set.RCPs, "resourceControlPolicies", in.ResourceControlPolicies, policy.KindRCP); err != nil {
		return err
	}
	return nil
}

func (c *compiler) levels(dst [][]*eval.Policy, field string, levels [][]json.RawMessage, kind policy.Kind) ([][]*eval.Policy, error) {
	dst = dst[:0]
	for l, pols := range levels {
		var level []*eval.Policy
		if l < cap(dst) {
			level = dst[:l+1][l][:0]
		}
		for i, raw := range pols {
			p, err := c.compile(field+"["+strconv.Itoa(l)+"]["+strconv.Itoa(i)+"]", raw, kind)
			if err != nil {
				return dst, err
			}
			level = append(level, p)
		}
		dst = append(dst, level)
	}
	return dst, nil
}

var indexNames = func() map[string][]string {
	m := map[string][]string{}
	for _, f := range []string{"identityPolicies"} {
		for i := 0; i < 16; i++ {
			m[f] = append(m[f], f+"["+strconv.Itoa(i)+"]")
		}
	}
	return m
}()

func indexName(field string, i int) string {
	if names := indexNames[field]; i < len(names) {
		return names[i]
	}
	return field + "[" + strconv.Itoa(i) + "]"
}

// fillContext converts the input context: each value is a string, a
// boolean, a number or a list of them ("true"/"false" and the number's JSON
// text become strings). null and empty lists leave the key absent.
//
// Condition keys are case-insensitive, so two spellings of one key (such as
// "aws:SourceIp" and "aws:sourceip") are an error rather than a guess.
func fillContext(ctx *eval.Context, in map[string]json.RawMessage) error {
	ctx.Reset()
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := make(map[string]string, len(keys))
	for _, k := range keys {
		l := strings.ToLower(k)
		if prev, ok := seen[l]; ok {
			return dupKeyError(prev, k)
		}
		seen[l] = k
	}
	for _, k := range keys {
		if err := addContextValue(ctx, k, in[k]); err != nil {
			return err
		}
	}
	return nil
}

func addContextValue(ctx *eval.Context, key string, raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return fmt.Errorf("context key %q: empty value", key)
	}
	switch raw[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return fmt.Errorf("context key %q: %v", key, err)
		}
		ctx.Set(key)
		for _, it := range items {
			s, null, err := scalar(it)
			if err != nil {
				return fmt.Errorf("context key %q: %v", key, err)
			}
			if !null {
				ctx.Add(key, s)
			}
		}
		return nil
	}
	s, null, err := scalar(raw)
	if err != nil {
		return fmt.Errorf("context key %q: %v", key, err)
	}
	if !null {
		ctx.SetString(key, s)
	}
	return nil
}

func dupKeyError(a, b string) error {
	if b < a {
		a, b = b, a
	}
	return fmt.Errorf("context keys %q and %q name the same condition key (keys are case-insensitive)", a, b)
}

// scalar converts a JSON string, boolean or number to its string value.
func scalar(raw json.RawMessage) (s string, null bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false, fmt.Errorf("empty value")
	}
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, err
		}
		return s, false, nil
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return "", false, err
		}
		return strconv.FormatBool(b), false, nil
	case 'n':
		if string(raw) == "null" {
			return "", true, nil
		}
	case '{':
		return "", false, fmt.Errorf("a value must be a string, boolean, number or a list of them, not an object")
	case '[':
		return "", false, fmt.Errorf("lists cannot be nested")
	default:
		var n json.Number
		if err := json.Unmarshal(raw, &n); err == nil {
			return string(n), false, nil
		}
	}
	return "", false, fmt.Errorf("invalid value %s", raw)
}

// convert turns an eval.Result into an Output.
func convert(r *eval.Result) *Output {
	out := &Output{
		Decision:          r.Decision.String(),
		Reason:            r.Reason,
		MatchedStatements: make([]MatchedStatement, 0, len(r.Deciding)),
	}
	for i := range r.Deciding {
		out.MatchedStatements = append(out.MatchedStatements, matched(&r.Deciding[i]))
	}
	for i := range r.NearMisses {
		out.NearMisses = append(out.NearMisses, matched(&r.NearMisses[i]))
	}
	for _, l := range r.Layers {
		out.Layers = append(out.Layers, LayerResult{Layer: l.Layer.String(), Decision: l.Decision.String(), Note: l.Note})
	}
	return out
}

func matched(m *eval.Match) MatchedStatement {
	ms := MatchedStatement{
		Layer:     m.Layer.String(),
		Policy:    policyIndex(m),
		Sid:       m.Sid,
		Statement: m.StatementIndex,
		Effect:    string(m.Effect),
		Line:      m.Pos.Line,
		Column:    m.Pos.Column,
	}
	for _, c := range m.Conditions {
		values := c.Values
		if values == nil {
			values = []string{}
		}
		ms.Conditions = append(ms.Conditions, ConditionResult{
			Operator: c.Operator,
			Key:      c.Key,
			Values:   values,
			Present:  c.Present,
			Matched:  c.Matched,
			Why:      c.Why,
		})
	}
	return ms
}

var smallInts = func() []string {
	s := make([]string, 64)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

func itoa(i int) string {
	if i >= 0 && i < len(smallInts) {
		return smallInts[i]
	}
	return strconv.Itoa(i)
}

// policyIndex names a policy as types.go specifies: its index within the
// layer, "level/index" for SCPs and RCPs.
func policyIndex(m *eval.Match) string {
	if m.Layer == eval.LayerSCP || m.Layer == eval.LayerRCP {
		return itoa(m.Level) + "/" + itoa(m.PolicyIndex)
	}
	return itoa(m.PolicyIndex)
}
