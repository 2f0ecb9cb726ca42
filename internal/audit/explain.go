package audit

import (
	"strconv"
	"strings"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/credctx"
	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// explKind classifies why an action is allowed without MFA.
type explKind int

const (
	// explAllow: an Allow with no MFA condition grants it, and no Deny
	// about MFA nearly applied (there is no MFA control).
	explAllow explKind = iota
	// explDenyMissed: a Deny with an MFA condition covers the request but
	// its condition did not match (seed 000: Bool on a key long-term
	// credentials do not carry).
	explDenyMissed
	// explAllowMFA: the granting Allow has an MFA condition that matched
	// anyway (BoolIfExists "true" on an absent key; a Null check).
	explAllowMFA
)

// explanation is the deciding statement of a finding and why.
type explanation struct {
	kind   explKind
	ref    *StatementRef
	sid    string // statement label for messages
	policy string // policy label for messages
	// cond is the MFA condition that decided (explDenyMissed,
	// explAllowMFA), with the evaluator's explanation.
	cond   *eval.ConditionTrace
	action string
}

// maxExplain bounds the actions tried when looking for the statement that
// explains a finding: the first allowed ones in sorted order.
const maxExplain = 16

// explainBulk explains why us may call actions (sorted) with credentials
// c, from its profile's policies. Users who share the profile's decisions
// share the explanation too (cached).
func (a *auditor) explainBulk(us *userState, c credIdx, actions []string) *explanation {
	p := us.prof
	if us.own[c] != nil && us.u != p.rep {
		return a.explainFor(us.u, p, c, actions)
	}
	p.explMu.Lock()
	defer p.explMu.Unlock()
	if p.expl[c] == nil {
		p.expl[c] = a.explainFor(p.rep, p, c, actions)
	}
	return p.expl[c]
}

// explainFor evaluates, with explanations, the first allowed actions for
// u until a Deny about MFA that did not apply turns up, and returns the
// best explanation found.
func (a *auditor) explainFor(u *account.User, p *profile, c credIdx, actions []string) *explanation {
	var ctx eval.Context
	fillContext(&ctx, u, a.acct.ID, a.rows[c], "", a.now)
	req := eval.Request{Principal: u.ARN, Context: &ctx}
	var best *explanation
	var cands []string
	tried := 0
	for _, act := range actions {
		if strings.EqualFold(act, "sts:AssumeRole") {
			continue
		}
		if tried++; tried > maxExplain {
			break
		}
		req.Action = act
		cands = p.candidatesFor(u, a.acct.ID, strings.ToLower(act), cands)
		for _, r := range cands {
			req.Resource = r
			res := eval.Evaluate(&p.set, &req)
			if res.Decision != eval.Allowed {
				continue
			}
			e := a.classify(&p.set, &res, act)
			if best == nil || e.kind > best.kind {
				best = e
			}
			break
		}
		if best != nil && best.kind == explDenyMissed {
			break
		}
	}
	return best
}

// explainAssume explains why us may assume role ri with credentials c:
// the trust statement that admits it.
func (a *auditor) explainAssume(us *userState, c credIdx, ri *roleInfo) *explanation {
	var ctx eval.Context
	fillContext(&ctx, us.u, a.acct.ID, a.rows[c], "sts:AssumeRole", a.now)
	set := a.assumeSet(us.prof, ri)
	req := eval.Request{Principal: us.u.ARN, Action: "sts:AssumeRole", Resource: ri.r.ARN, Context: &ctx}
	res := eval.Evaluate(&set, &req)
	if res.Decision != eval.Allowed {
		return nil
	}
	for i := range res.Deciding {
		m := &res.Deciding[i]
		if m.Layer == eval.LayerResource {
			e := a.fromMatch(&set, m, "sts:AssumeRole")
			e.kind = explAllow
			if t := mfaCond(m, true); t != nil {
				e.kind, e.cond = explAllowMFA, t
			}
			return e
		}
	}
	return a.classify(&set, &res, "sts:AssumeRole")
}

// classify picks the statement that explains an Allowed result: a Deny
// about MFA that did not apply, else an Allow whose MFA condition matched,
// else the first granting Allow.
func (a *auditor) classify(set *eval.PolicySet, res *eval.Result, action string) *explanation {
	for i := range res.NearMisses {
		m := &res.NearMisses[i]
		if m.Effect != policy.Deny {
			continue
		}
		if t := mfaCond(m, false); t != nil {
			e := a.fromMatch(set, m, action)
			e.kind, e.cond = explDenyMissed, t
			return e
		}
	}
	for i := range res.Deciding {
		m := &res.Deciding[i]
		if t := mfaCond(m, true); t != nil {
			e := a.fromMatch(set, m, action)
			e.kind, e.cond = explAllowMFA, t
			return e
		}
	}
	if len(res.Deciding) > 0 {
		return a.fromMatch(set, &res.Deciding[0], action)
	}
	return &explanation{action: action}
}

// mfaCond returns the first condition on an MFA key of m that matched
// (matched true) or did not (matched false).
func mfaCond(m *eval.Match, matched bool) *eval.ConditionTrace {
	for i := range m.Conditions {
		t := &m.Conditions[i]
		if t.Matched == matched && isMFAKey(t.Key) {
			return t
		}
	}
	return nil
}

func isMFAKey(key string) bool {
	return strings.EqualFold(key, credctx.KeyMFAPresent) || strings.EqualFold(key, credctx.KeyMFAAge)
}

// fromMatch names the statement of a match.
func (a *auditor) fromMatch(set *eval.PolicySet, m *eval.Match, action string) *explanation {
	var pol *eval.Policy
	switch m.Layer {
	case eval.LayerIdentity:
		pol = set.Identity[m.PolicyIndex]
	case eval.LayerBoundary:
		pol = set.Boundary
	case eval.LayerSCP:
		pol = set.SCPs[m.Level][m.PolicyIndex]
	case eval.LayerResource:
		pol = set.Resource
	}
	e := &explanation{action: action, sid: stmtLabel(m.Sid, m.StatementIndex)}
	ref := a.reg.byPol[pol]
	if ref == nil {
		e.policy = m.PolicyName
		e.ref = &StatementRef{Policy: m.PolicyName, Statement: e.sid}
		return e
	}
	e.policy = ref.label
	e.ref = stmtRef(ref, m.Sid, m.StatementIndex, m.Pos)
	return e
}

func stmtLabel(sid string, index int) string {
	if sid != "" {
		return sid
	}
	return "#" + strconv.Itoa(index)
}

// stmtRef locates a statement of a document for people and SARIF.
func stmtRef(ref *polRef, sid string, index int, pos policy.Pos) *StatementRef {
	sr := &StatementRef{Policy: ref.label, Statement: stmtLabel(sid, index), File: ref.doc.File, Path: ref.doc.Path}
	if ref.doc.Line > 0 && pos.Line > 0 {
		// A document read from a file (Line known) is parsed in the
		// file's positions (internal/account's loaders), so the
		// statement's line is a line of File.
		sr.Line = pos.Line
	}
	return sr
}
