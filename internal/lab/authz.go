package lab

import (
	"net/http"
	"strconv"
	"time"

	"github.com/awsmfa/awsmfa/internal/credctx"
	"github.com/awsmfa/awsmfa/internal/eval"
)

// evaluate decides action on resource for rq's caller with the policy set
// and records the decision on rq.
func (s *Server) evaluate(rq *request, set *eval.PolicySet, action, resource string, keys []credctx.Key, mfaTime time.Time) eval.Result {
	ctx := ctxPool.Get().(*eval.Context)
	ctx.Reset()
	fillContext(ctx, rq, keys, mfaTime)
	res := eval.Evaluate(set, &eval.Request{Principal: rq.caller.arn, Action: action, Resource: resource, Context: ctx})
	ctxPool.Put(ctx)
	rq.authorized = true
	rq.decided = true
	rq.decision = res.Decision
	rq.reason = res.Reason
	rq.policyName, rq.statement = "", ""
	if len(res.Deciding) > 0 {
		m := res.Deciding[0]
		rq.policyName = m.PolicyName
		if m.Sid != "" {
			rq.statement = m.Sid
		} else {
			rq.statement = "#" + strconv.Itoa(m.StatementIndex)
		}
	}
	return res
}

// authorize authorizes action on resource for rq's caller with the
// caller's identity-based policies and session policy.
func (s *Server) authorize(rq *request, action, resource string) error {
	c := rq.caller
	set := eval.PolicySet{Identity: c.identityPolicies(), Session: c.sessPolicy}
	res := s.evaluate(rq, &set, action, resource, c.row.Keys, c.mfaTime())
	if res.Decision == eval.Allowed {
		return nil
	}
	if rq.service == serviceEC2 {
		// EC2 answers UnauthorizedOperation and names no resource.
		return errSender(http.StatusForbidden, "UnauthorizedOperation",
			"You are not authorized to perform this operation. User: "+c.arn+" is not authorized to perform: "+action+" "+denyReason(action, &res))
	}
	return accessDenied("User: " + c.arn + " is not authorized to perform: " + action + " on resource: " + resource + " " + denyReason(action, &res))
}

// denyReason is the end of AWS's AccessDenied message: which kind of
// policy denied explicitly, or which kind did not allow
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
func denyReason(action string, res *eval.Result) string {
	if res.Decision == eval.ExplicitDeny {
		layer := eval.LayerIdentity
		if len(res.Deciding) > 0 {
			layer = res.Deciding[0].Layer
		}
		return "with an explicit deny in " + layerPhrase(layer)
	}
	verdict := map[eval.Layer]eval.Decision{}
	present := map[eval.Layer]bool{}
	for _, lv := range res.Layers {
		if lv.Level > 0 {
			continue
		}
		present[lv.Layer] = true
		verdict[lv.Layer] = lv.Decision
	}
	if verdict[eval.LayerIdentity] == eval.Allowed {
		switch {
		case present[eval.LayerBoundary] && verdict[eval.LayerBoundary] != eval.Allowed:
			return "because no permissions boundary allows the " + action + " action"
		case present[eval.LayerSession] && verdict[eval.LayerSession] != eval.Allowed:
			return "because no session policy allows the " + action + " action"
		}
	}
	return "because no identity-based policy allows the " + action + " action"
}

func layerPhrase(l eval.Layer) string {
	switch l {
	case eval.LayerSession:
		return "a session policy"
	case eval.LayerBoundary:
		return "a permissions boundary"
	case eval.LayerResource:
		return "a resource-based policy"
	case eval.LayerSCP:
		return "a service control policy"
	case eval.LayerRCP:
		return "a resource control policy"
	}
	return "an identity-based policy"
}
