package lint

import (
	"fmt"
	"unicode/utf8"

	"github.com/awsmfa/awsmfa/internal/policy"
	"github.com/awsmfa/awsmfa/internal/policysource"
)

// Size quotas of policy documents, by kind.
//
// IAM (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html,
// "IAM and STS character quotas"): a managed policy holds at most 6,144
// characters; the inline policies of one entity together at most 2,048
// (user), 5,120 (group) or 10,240 (role); "IAM does not count white space
// when calculating the size of a policy against these quotas". A role trust
// policy holds 2,048 characters by default, an adjustable quota ("Role
// trust policy length" in Service Quotas; the page lists 4,096 as the most
// that is granted automatically). A permissions boundary is a managed
// policy.
//
// AWS Organizations (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html,
// "Maximum size of a policy document"): service and resource control
// policies hold at most 5,120 characters, and "If you save the policy using
// an SDK operation or the AWS CLI, then the policy is saved exactly as you
// provided": white space counts unless the console saved the policy.
// (Third-party posts mention a larger SCP quota; every AWS page checked,
// the quotas page and CloudFormation's AWS::Organizations::Policy Content,
// says 5,120, and that is what is enforced here.)
//
// STS (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
// Policy): "The plaintext that you use for both inline and managed session
// policies can't exceed 2,048 characters", counted as passed (white space
// included); a separate packed-size limit cannot be checked offline.

// sizeQuota is the size limit of one kind of policy.
type sizeQuota struct {
	// what names the kind of policy in messages: "a managed policy".
	what string
	// limit is exceeding which is an error; 0 when there is none.
	limit int
	// warnAbove, when set, is a smaller size above which a finding is a
	// warning (an adjustable or recently raised quota).
	warnAbove int
	// asWritten counts white space as written (Organizations, STS)
	// instead of leaving it out (IAM).
	asWritten bool
	// entity is "user", "group" or "role" for inline policies, whose quota
	// applies to all of an entity's inline policies together.
	entity string
	// warnWhat names what warnAbove is the quota of, when not what;
	// warnNote explains why exceeding it is only a warning.
	warnWhat, warnNote string
	// fix is the finding's fix.
	fix string
}

const (
	fixSplitManaged = "Split it into several managed policies (a user or role takes 10 managed policies by default, 20 at most), or shorten it: merge statements with the same Effect, Resource and Condition, and drop Sids."
	fixMinify       = "Save it without white space (minify the JSON: `jq -c`, Terraform's jsonencode()), or split it."
)

var (
	quotaManaged = sizeQuota{what: "a managed policy", limit: 6144, fix: fixSplitManaged}
	quotaUser    = sizeQuota{what: "the inline policies of a user", limit: 2048, entity: "user",
		fix: "Move permissions into managed policies (6,144 characters each) attached to the user or to its groups."}
	quotaGroup = sizeQuota{what: "the inline policies of a group", limit: 5120, entity: "group",
		fix: "Move permissions into managed policies (6,144 characters each, 10 per group)."}
	quotaRole = sizeQuota{what: "the inline policies of a role", limit: 10240, entity: "role",
		fix: "Move permissions into managed policies (6,144 characters each; a role takes 10 by default, 20 at most)."}
	quotaTrust = sizeQuota{what: "a role trust policy (the default quota, adjustable in Service Quotas as \"Role trust policy length\")", warnAbove: 2048,
		fix: "Request a higher \"Role trust policy length\" quota for the account, or shorten the policy: list principals of one type in one statement."}
	quotaSCP = sizeQuota{what: "a service control policy", limit: 5120, asWritten: true,
		fix: "Split it into several SCPs attached to the same target, or shorten it: merge statements, drop Sids, save it without white space."}
	quotaRCP = sizeQuota{what: "a resource control policy", limit: 5120, asWritten: true,
		fix: "Split it into several RCPs attached to the same target, or shorten it: merge statements, drop Sids, save it without white space."}
	quotaSession = sizeQuota{what: "a session policy", limit: 2048, asWritten: true,
		fix: "Pass a shorter policy, without white space, or managed session policies by ARN (up to 10; their ARNs count against the same 2,048 characters)."}
	// An identity-based policy whose store is unknown: larger than a
	// role's inline quota fits nowhere; larger than a managed policy fits
	// only inline in a role.
	quotaIdentity = sizeQuota{what: "any identity-based policy (the inline policies of a role, the largest)", limit: 10240, warnAbove: 6144,
		warnWhat: "a managed policy", warnNote: ": it fits only inline in a role",
		fix: "Split it. To check the exact quota, give its kind: --kind managed, inline-user, inline-group or inline-role."}
)

// quotaFor returns the size quota of a policy of this kind and store.
func quotaFor(kind policy.Kind, store policysource.Store) (sizeQuota, bool) {
	switch kind {
	case policy.KindIdentity:
		switch store {
		case policysource.StoreManaged:
			return quotaManaged, true
		case policysource.StoreInlineUser:
			return quotaUser, true
		case policysource.StoreInlineGroup:
			return quotaGroup, true
		case policysource.StoreInlineRole:
			return quotaRole, true
		}
		return quotaIdentity, true
	case policy.KindBoundary:
		return quotaManaged, true
	case policy.KindTrust:
		return quotaTrust, true
	case policy.KindSCP:
		return quotaSCP, true
	case policy.KindRCP:
		return quotaRCP, true
	case policy.KindSession:
		return quotaSession, true
	}
	return sizeQuota{}, false
}

// policySize is a policy's size in characters, as IAM and Organizations
// count it.
type policySize struct {
	// compact leaves out all white space (IAM's count).
	compact int
	// written is the size as written, white space included: the text's,
	// or the compact JSON's (with the white space inside strings) for a
	// policy written as an object in a template.
	written int
}

// measure counts the characters of src's policy.
func measure(src policysource.Source) policySize {
	if src.Text != "" {
		n, ws := 0, 0
		for _, r := range src.Text {
			n++
			if isJSONSpace(r) {
				ws++
			}
		}
		return policySize{compact: n - ws, written: n}
	}
	var c sizeCounter
	c.node(src.Node)
	return policySize{compact: c.n - c.ws, written: c.n}
}

func isJSONSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// sizeCounter counts the characters of a node's compact JSON encoding, and
// the white space inside its strings.
type sizeCounter struct{ n, ws int }

func (c *sizeCounter) node(n *policy.Node) {
	if n == nil {
		return
	}
	switch n.Kind {
	case policy.NodeNull:
		c.n += len("null")
	case policy.NodeBool, policy.NodeNumber:
		c.n += utf8.RuneCountInString(n.Str)
	case policy.NodeString:
		c.str(n.Str)
	case policy.NodeObject:
		c.n += 2 + max(len(n.Members)-1, 0) + len(n.Members) // braces, commas, colons
		for _, m := range n.Members {
			c.str(m.Key)
			c.node(m.Value)
		}
	case policy.NodeArray:
		c.n += 2 + max(len(n.Items)-1, 0)
		for _, it := range n.Items {
			c.node(it)
		}
	}
}

// str counts a string as JSON writes it: quotes, escapes for quotes,
// backslashes and control characters.
func (c *sizeCounter) str(s string) {
	c.n += 2
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t' || r == '\b' || r == '\f':
			c.n += 2
		case r < 0x20:
			c.n += 6
		default:
			c.n++
		}
		if r == ' ' {
			c.ws++
		}
	}
}

// checkSize reports a policy larger than the quota of its kind and store.
func (l *linter) checkSize() {
	q, ok := quotaFor(l.kind, l.store())
	if !ok || l.src.Node == nil {
		return
	}
	size := measure(l.src)
	if sev, msg, bad := q.judge(size); bad {
		l.report(RulePolicySize, sev, l.doc.Pos, nil, msg, q.fix)
	}
}

// store is the policy's store: the --kind flag's, else the context's.
func (l *linter) store() policysource.Store {
	if l.opts.Store != policysource.StoreUnknown {
		return l.opts.Store
	}
	return l.src.Store
}

// judge decides whether a policy of this size breaks the quota, and how
// badly.
func (q sizeQuota) judge(s policySize) (Severity, string, bool) {
	counted, how := s.compact, "without white space (IAM does not count it)"
	if q.asWritten {
		counted, how = s.written, "as written, white space included (it counts unless the console saved the policy)"
	}
	subject := "The policy is"
	if q.entity != "" {
		subject = "This inline policy alone is"
	}
	switch {
	case q.limit > 0 && counted > q.limit:
		msg := fmt.Sprintf("%s %s characters long %s; AWS allows at most %s for %s, so saving it fails (LimitExceeded).",
			subject, commas(counted), how, commas(q.limit), q.what)
		if q.asWritten && s.compact <= q.limit {
			return SeverityWarning, msg + fmt.Sprintf(" Without white space it is %s characters and fits.", commas(s.compact)), true
		}
		return SeverityError, msg, true
	case q.warnAbove > 0 && counted > q.warnAbove:
		what := q.what
		if q.warnWhat != "" {
			what = q.warnWhat
		}
		return SeverityWarning, fmt.Sprintf("%s %s characters long %s; %s holds at most %s%s.",
			subject, commas(counted), how, what, commas(q.warnAbove), q.warnNote), true
	}
	return 0, "", false
}

// checkEntitySizes reports entities whose inline policies together break
// their quota, at the policy that crosses it. sizes holds each source's
// size (for sources that were measured).
func checkEntitySizes(srcs []policysource.Source, sizes []policySize, opts Options) []Finding {
	type total struct {
		n, count int
		done     bool
	}
	totals := map[string]*total{}
	var out []Finding
	for i, src := range srcs {
		store := src.Store
		if opts.Store != policysource.StoreUnknown {
			store = opts.Store
		}
		kind := src.Kind
		if opts.Kind != policy.KindUnknown {
			kind = opts.Kind
		}
		q, ok := quotaFor(kind, store)
		if !ok || q.entity == "" || src.Entity == "" || src.Node == nil || sizes[i].compact == 0 {
			continue
		}
		key := src.Entity + "\x00" + q.entity
		t := totals[key]
		if t == nil {
			t = &total{}
			totals[key] = t
		}
		t.n += sizes[i].compact
		t.count++
		if t.done || t.count < 2 || t.n <= q.limit || sizes[i].compact > q.limit {
			continue
		}
		t.done = true
		if !opts.enabled(RulePolicySize) {
			continue
		}
		r, _ := LookupRule(RulePolicySize)
		out = append(out, Finding{
			Rule: RulePolicySize, Severity: r.Severity, File: src.File, Path: src.Path,
			Line: src.Node.Pos.Line, Column: src.Node.Pos.Column,
			Message: fmt.Sprintf("The inline policies of %s total %s characters without white space with this one (the %s); IAM allows at most %s for all the inline policies of a %s, so saving it fails (LimitExceeded).",
				src.Entity, commas(t.n), ordinal(t.count), commas(q.limit), q.entity),
			Fix: q.fix,
		})
	}
	return out
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

// commas writes n with thousands separators, as AWS writes quotas.
func commas(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
