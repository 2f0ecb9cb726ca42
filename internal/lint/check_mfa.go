package lint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/awsmfa/awsmfa/internal/policy"
	"github.com/awsmfa/awsmfa/internal/policysource"
)

// quoteJSON quotes s as a JSON string.
func quoteJSON(s string) string { return strconv.Quote(s) }

// condValues renders a condition's values as JSON, as written.
func condValues(c *policy.Condition) string {
	parts := make([]string, len(c.Values))
	for i, v := range c.Values {
		if v.Kind == policy.KindString {
			parts[i] = quoteJSON(v.Raw)
		} else {
			parts[i] = v.Raw
		}
	}
	if len(parts) == 1 && c.ValuesSingle {
		return parts[0]
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// condText renders one condition as a JSON fragment.
func condText(op string, c *policy.Condition) string {
	return fmt.Sprintf("%s: {%s: %s}", quoteJSON(op), quoteJSON(c.Key), condValues(c))
}

// otherKeysInBlock returns the other keys under the same operator block as c.
func otherKeysInBlock(s *policy.Statement, c *policy.Condition) []string {
	var keys []string
	for i := range s.Conditions {
		o := &s.Conditions[i]
		if o != c && o.Operator == c.Operator && o.OperatorPos == c.OperatorPos {
			keys = append(keys, o.Key)
		}
	}
	return keys
}

// alwaysPresentKeys are global keys present in every authenticated request,
// for which IfExists changes nothing.
var alwaysPresentKeys = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"aws:viaawsservice": true, "aws:securetransport": true, "aws:currenttime": true, "aws:epochtime": true,
		"aws:principalarn": true, "aws:principalaccount": true, "aws:principaltype": true, "aws:userid": true,
		"aws:principalisawsservice": true, "aws:requestedregion": true,
	}
})

// blockNote explains what to do with other keys of an operator block whose
// operator must change.
func blockNote(s *policy.Statement, c *policy.Condition) string {
	others := otherKeysInBlock(s, c)
	if len(others) == 0 {
		return ""
	}
	safe := true
	for _, k := range others {
		if !alwaysPresentKeys()[strings.ToLower(k)] {
			safe = false
		}
	}
	if safe {
		return fmt.Sprintf(" The same block also tests %s, which is present in every request, so renaming the whole block to the IfExists form changes nothing for it.", strings.Join(others, ", "))
	}
	return fmt.Sprintf(" Move %s into its own block: the block also tests %s, whose behaviour when absent would change too.", c.Key, strings.Join(others, ", "))
}

// ifExistsName returns the operator with IfExists added and any set
// qualifier removed.
func ifExistsName(op policy.Operator) string {
	return policy.Operator{Base: op.Base, IfExists: true}.String()
}

func plainName(op policy.Operator) string {
	return policy.Operator{Base: op.Base}.String()
}

// firstCond returns the first MFA condition matching pred.
func firstCond(a *mfaAnalysis, pred func(mfaCond) bool) *policy.Condition {
	for _, c := range a.conds {
		if pred(c) {
			return c.c
		}
	}
	if len(a.conds) > 0 {
		return a.conds[0].c
	}
	return nil
}

// denyUnionExcept is the union of the request kinds denied (by their MFA
// conditions) by the document's Deny statements other than statement skip
// that deny at least everything statement skip denies (same or wider
// actions and resources), so that two statements can share the work: one
// on Null for access keys, one on Bool for sessions without MFA.
//
// Only the first maxDenyPeers MFA Deny statements are considered: the check
// is pairwise, and a policy AWS stores has a few dozen statements (a
// 10,240-character role policy fits about 200 of the shortest), while a
// hostile document could otherwise cost the square of a million.
func (l *linter) denyUnionExcept(skip int) reqSet {
	var u reqSet
	for _, i := range l.denyPeers() {
		if i == skip {
			continue
		}
		if !coversAtLeast(l.doc.Statements[i], l.doc.Statements[skip]) {
			continue
		}
		u |= l.mfa[i].matches
	}
	return u
}

const maxDenyPeers = 256

// denyPeers lists (once) the Deny statements with MFA conditions that
// denyUnionExcept considers.
func (l *linter) denyPeers() []int {
	if l.peersDone {
		return l.peers
	}
	l.peersDone = true
	for i, s := range l.doc.Statements {
		a := &l.mfa[i]
		if s == nil || s.Effect != policy.Deny || !a.tests() || !a.known {
			continue
		}
		if len(l.peers) == maxDenyPeers {
			break
		}
		l.peers = append(l.peers, i)
	}
	return l.peers
}

// coversAtLeast reports whether statement a's actions and resources
// include statement b's, as far as can be told from their text.
func coversAtLeast(a, b *policy.Statement) bool {
	if a == nil || b == nil {
		return false
	}
	actions := false
	switch {
	case a.Action.Present && slices.Contains(a.Action.Values, "*"):
		actions = true
	case a.NotAction.Present && b.NotAction.Present:
		// a excludes fewer actions than b: a's exclusions are among b's.
		actions = subset(a.NotAction.Values, b.NotAction.Values)
	case a.Action.Present && b.Action.Present:
		actions = subset(b.Action.Values, a.Action.Values)
	}
	if !actions {
		return false
	}
	switch {
	case !a.Resource.Present && !a.NotResource.Present:
		return true
	case a.Resource.Present && slices.Contains(a.Resource.Values, "*"):
		return true
	case a.Resource.Present && b.Resource.Present:
		return subset(b.Resource.Values, a.Resource.Values)
	case a.NotResource.Present && b.NotResource.Present:
		return subset(a.NotResource.Values, b.NotResource.Values)
	}
	return false
}

// subset reports whether every element of x is in y (actions compared
// case-insensitively).
func subset(x, y []string) bool {
	if len(x)*len(y) > 1024 {
		// Long lists: a set of y's values, so the check stays linear.
		set := make(map[string]bool, len(y))
		for _, w := range y {
			set[strings.ToLower(w)] = true
		}
		for _, v := range x {
			if !set[strings.ToLower(v)] {
				return false
			}
		}
		return true
	}
	for _, v := range x {
		if !slices.ContainsFunc(y, func(w string) bool { return strings.EqualFold(v, w) }) {
			return false
		}
	}
	return true
}

func (l *linter) checkMFA() {
	for i, s := range l.doc.Statements {
		if s == nil {
			continue
		}
		a := &l.mfa[i]
		if !a.tests() || !a.known {
			continue
		}
		m := a.matches
		if m == 0 {
			c := a.conds[0].c
			var parts []string
			for _, mc := range a.conds {
				parts = append(parts, fmt.Sprintf("%s on %s holds only for %s", mc.c.Operator, mc.c.Key, mc.matches.describe()))
			}
			msg := "The MFA conditions of this statement can never hold together (" + strings.Join(parts, "; ") + "), so the statement never applies"
			var sev Severity
			switch s.Effect {
			case policy.Deny:
				msg += ": this Deny denies nothing."
			case policy.Allow:
				msg += ": this Allow grants nothing."
				sev = SeverityWarning
			default:
				msg += "."
			}
			l.report(RuleMFANeverMatches, sev, c.OperatorPos, s, msg,
				"Split the conditions into separate Deny statements, one per condition, for example "+
					`{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}} in one and {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}} in another.`)
			continue
		}
		switch s.Effect {
		case policy.Deny:
			l.checkMFADeny(i, s, a)
		case policy.Allow:
			l.checkMFAAllow(s, a)
		}
	}
}

func (l *linter) checkMFADeny(i int, s *policy.Statement, a *mfaAnalysis) {
	m := a.matches
	switch {
	case m.has(reqNoMFA) && !m.has(reqKeys) && !m.has(reqFreshMFA):
		// The seed bug: the deny is meant for requests without MFA but
		// does not match when the key is absent (unless another Deny,
		// such as one on Null, takes care of access keys).
		if l.denyUnionExcept(i).has(reqKeys) {
			return
		}
		c := firstCond(a, func(mc mfaCond) bool { return !mc.matches.has(reqKeys) })
		fixOp := ifExistsName(c.Op)
		fix := fmt.Sprintf("Use %q, which also matches when the key is absent: %s.", fixOp, condText(fixOp, c))
		if c.Op.Base != "Bool" && strings.EqualFold(c.Key, keyMFAPresent) {
			fixOp = "BoolIfExists"
			fix = fmt.Sprintf(`Use "BoolIfExists": {%s: "false"}, which also matches when the key is absent.`, quoteJSON(c.Key))
		}
		fix += blockNote(s, c)
		msg := fmt.Sprintf("%q does not match when %s is absent, and it is absent from every request signed with long-term access keys "+
			"(the AWS CLI or an SDK with an IAM user's access key): this Deny denies only %s, and access-key requests without MFA are not denied.",
			c.Operator, c.Key, m.describe())
		if c.Op.Set == policy.ForAnyValue {
			msg = fmt.Sprintf("%q is false when %s is absent, and it is absent from every request signed with long-term access keys: this Deny denies only %s, and access-key requests without MFA are not denied.",
				c.Operator, c.Key, m.describe())
		}
		l.report(RuleDenyMissesKeys, 0, c.OperatorPos, s, msg, fix)
	case m.has(reqStaleMFA) && !m.has(reqKeys) && !m.has(reqNoMFA) && !m.has(reqFreshMFA):
		others := l.denyUnionExcept(i)
		if others.has(reqKeys) {
			return
		}
		c := firstCond(a, func(mc mfaCond) bool { return strings.EqualFold(mc.c.Key, keyMFAAge) && !mc.matches.has(reqKeys) })
		fixOp := ifExistsName(c.Op)
		l.report(RuleAgeDenyMissesNoMFA, 0, c.OperatorPos, s,
			fmt.Sprintf("%q does not match when %s is absent, and it is absent whenever no MFA was used (long-term access keys, temporary credentials obtained without MFA): "+
				"this Deny only limits how old an MFA sign-in may be, and no statement of this policy denies requests without MFA.", c.Operator, c.Key),
			fmt.Sprintf("Use %s so that requests without MFA are denied too, or add a Deny statement with {\"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\"}}.%s",
				condText(fixOp, c), blockNote(s, c)))
	case m == setOf(reqKeys):
		if l.denyUnionExcept(i).has(reqNoMFA) {
			return
		}
		c := a.conds[0].c
		l.report(RuleDenyKeysOnly, 0, c.OperatorPos, s,
			fmt.Sprintf("This Deny matches only %s. Temporary credentials obtained with `aws sts get-session-token` without an MFA code (which no policy can prevent) carry aws:MultiFactorAuthPresent \"false\" and are not denied, so it does not require MFA.", m.describe()),
			`If MFA is required, deny on {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}} instead (it matches access keys and sessions without MFA).`)
	}
	if m.has(reqFreshMFA) && !m.has(reqNoMFA) {
		c := firstCond(a, func(mc mfaCond) bool { return mc.matches.has(reqFreshMFA) })
		l.report(RuleMFAInverted, 0, c.OperatorPos, s,
			fmt.Sprintf("This Deny applies to %s but not to temporary credentials obtained without MFA: it punishes MFA users and lets sessions without MFA through; the true/false value or the operator looks inverted.", m.describe()),
			`To deny requests without MFA, use {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}.`)
	}
}

func (l *linter) checkMFAAllow(s *policy.Statement, a *mfaAnalysis) {
	m := a.matches
	if m.has(reqKeys) && (m.has(reqFreshMFA) || m.has(reqStaleMFA)) && (!m.has(reqNoMFA) || !m.has(reqStaleMFA)) {
		c := firstCond(a, func(mc mfaCond) bool { return mc.matches.has(reqKeys) })
		why := "matches when the key is absent"
		switch {
		case c.Op.Set == policy.ForAllValues && !c.Op.IfExists:
			why = "is true when the key is absent (an empty set satisfies ForAllValues)"
		case isNegated(c.Op.Base) && !c.Op.IfExists:
			why = "is true when the key is absent (a negated operator matches a missing key)"
		}
		admitted := "requests signed with long-term access keys, with no MFA"
		if m.has(reqNoMFA) {
			admitted = "requests signed with long-term access keys and temporary credentials obtained without MFA"
		}
		where := ""
		if l.kind == policy.KindTrust {
			where = " In a trust policy this means AssumeRole called with an IAM user's access keys and no --serial-number/--token-code succeeds."
		}
		var fix string
		switch {
		case strings.EqualFold(c.Key, keyMFAPresent):
			fix = fmt.Sprintf(`Use "Bool" without IfExists, which does not match an absent key: {"Bool": {%s: "true"}}.`, quoteJSON(c.Key))
		case strings.HasPrefix(c.Op.Base, "Numeric"):
			fix = fmt.Sprintf("Use %q without IfExists, which does not match an absent key: {%s}.", plainName(c.Op), condText(plainName(c.Op), c))
		default:
			fix = fmt.Sprintf(`Require MFA explicitly: {"Bool": {"aws:MultiFactorAuthPresent": "true"}} (and a Numeric operator without IfExists for %s).`, c.Key)
		}
		l.report(RuleAllowAdmitsKeys, 0, c.OperatorPos, s,
			fmt.Sprintf("%q %s, and %s is absent from %s: this Allow grants access to %s.%s",
				c.Operator, why, c.Key, absentFrom(c.Key), admitted, where),
			fix+blockNote(s, c))
	}
	if m.has(reqNoMFA) && !m.has(reqFreshMFA) {
		c := firstCond(a, func(mc mfaCond) bool { return !mc.matches.has(reqFreshMFA) })
		l.report(RuleMFAInverted, 0, c.OperatorPos, s,
			fmt.Sprintf("This Allow applies to %s but not to requests with MFA: the true/false value or the operator looks inverted.", m.describe()),
			`To allow only requests with MFA, use {"Bool": {"aws:MultiFactorAuthPresent": "true"}}.`)
	}
}

// absentFrom says which requests lack an MFA key.
func absentFrom(key string) string {
	if strings.EqualFold(key, keyMFAAge) {
		return "requests signed with long-term access keys and from temporary credentials obtained without MFA"
	}
	return "every request signed with long-term access keys"
}

// selfService lists what a user without an MFA session needs, with the ARN
// of the resource each action is authorized against (from the AWS example
// "IAM: Allows IAM users to self-manage an MFA device"; the service
// authorization reference gives the resource types).
type selfServiceAction struct {
	action string
	// resource is a sample of the resource the action is authorized
	// against ("*" for actions without resource-level permissions).
	resource string
	// enroll is true for the actions without which a user cannot enroll a
	// device at all.
	enroll bool
	// why says what users cannot do without the action.
	why string
}

var selfServiceActions = []selfServiceAction{
	{"iam:CreateVirtualMFADevice", "arn:aws:iam::123456789012:mfa/alice", true, ""},
	{"iam:EnableMFADevice", "arn:aws:iam::123456789012:user/alice", true, ""},
	{"iam:ListMFADevices", "arn:aws:iam::123456789012:user/alice", false,
		"look up their device ARN for `aws sts get-session-token --serial-number` (iam:ListMFADevices)"},
	{"iam:ResyncMFADevice", "arn:aws:iam::123456789012:user/alice", false,
		"resynchronize a device whose codes drifted (iam:ResyncMFADevice)"},
	{"iam:GetUser", "arn:aws:iam::123456789012:user/alice", false,
		"read their own user, as the console's security credentials page does (iam:GetUser)"},
	{"iam:ListVirtualMFADevices", "*", false,
		"list virtual MFA devices while assigning one in the console (iam:ListVirtualMFADevices)"},
}

const selfServiceNotAction = `"NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"]`

// coversAction reports whether the statement's Action/NotAction applies to
// action. Placeholders (unknown values) count as matching in NotAction and
// as not matching in Action, so that an unknown value never causes a
// finding.
func coversAction(s *policy.Statement, action string) bool {
	switch {
	case s.Action.Present:
		for _, p := range s.Action.Values {
			if !policysource.IsPlaceholder(p) && globMatch(p, action, true) {
				return true
			}
		}
		return false
	case s.NotAction.Present:
		for _, p := range s.NotAction.Values {
			if policysource.IsPlaceholder(p) || globMatch(p, action, true) {
				return false
			}
		}
		return true
	}
	return false
}

// coversResource reports whether the statement's Resource/NotResource
// applies to arn ("*" for actions without resource-level permissions).
// Policy variables and placeholders match anything in Resource and nothing
// in NotResource.
func coversResource(s *policy.Statement, arn string) bool {
	match := func(p string) bool {
		if p == "*" {
			return true
		}
		if arn == "*" {
			return false
		}
		return globMatch(variablesToWildcards(p), arn, false) || globMatch(variablesToWildcards(p), strings.Replace(arn, "arn:aws:", "arn:aws-cn:", 1), false) ||
			globMatch(variablesToWildcards(p), strings.Replace(arn, "arn:aws:", "arn:aws-us-gov:", 1), false)
	}
	switch {
	case s.Resource.Present:
		for _, p := range s.Resource.Values {
			if match(p) {
				return true
			}
		}
		return false
	case s.NotResource.Present:
		for _, p := range s.NotResource.Values {
			if match(p) {
				return false
			}
		}
		return true
	}
	// Resource policies may leave Resource out: the resource is implied.
	return true
}

// variablesToWildcards replaces each ${...} with * for matching.
func variablesToWildcards(p string) string {
	for {
		i := strings.Index(p, "${")
		if i < 0 {
			return p
		}
		j := strings.IndexByte(p[i:], '}')
		if j < 0 {
			return p
		}
		p = p[:i] + "*" + p[i+j+1:]
	}
}

// actionsPos is the position of the statement's Action or NotAction.
func actionsPos(s *policy.Statement) policy.Pos {
	if s.NotAction.Present {
		return s.NotAction.Pos
	}
	return s.Action.Pos
}

func (l *linter) checkEnrollment() {
	switch l.kind {
	case policy.KindResource, policy.KindTrust, policy.KindRCP:
		// These do not govern a user's own IAM actions.
		return
	}
	for i, s := range l.doc.Statements {
		a := &l.mfa[i]
		if s == nil || s.Effect != policy.Deny || !a.tests() || !a.known {
			continue
		}
		m := a.matches
		// A deny-unless-MFA that reaches users without a device: it
		// applies to sessions without MFA (the console session of a user
		// who has no device yet, from which devices are enrolled) and
		// spares requests with a fresh MFA sign-in. A Deny that matches
		// only long-term access keys (Null) leaves the console open.
		if !m.has(reqNoMFA) || m.has(reqFreshMFA) {
			continue
		}
		var enroll, other, reasons []string
		for _, ss := range selfServiceActions {
			if coversAction(s, ss.action) && coversResource(s, ss.resource) {
				if ss.enroll {
					enroll = append(enroll, ss.action)
				} else {
					other = append(other, ss.action)
					reasons = append(reasons, ss.why)
				}
			}
		}
		what := "also denies"
		allActions := false
		if s.Action.Present {
			for _, p := range s.Action.Values {
				if p == "*" {
					what, allActions = `denies every action (Action "*"), including`, true
				}
			}
		}
		fixStart := "Add the missing actions to NotAction, as in the AWS example policy: "
		if s.Action.Present {
			fixStart = "Deny with NotAction instead of Action and exempt the MFA self-service actions, as in the AWS example policy: "
		}
		if len(enroll) > 0 {
			msg := fmt.Sprintf("This Deny applies to %s and %s %s, which a user needs to enroll an MFA device: users who have no device yet cannot set one up and stay locked out until an administrator enrolls it for them.",
				m.describe(), what, strings.Join(enroll, " and "))
			if allActions {
				msg += " (Users who already have a device can still get an MFA session: policies do not control sts:GetSessionToken.)"
			}
			l.report(RuleDenyBlocksEnrollment, 0, actionsPos(s), s, msg,
				fixStart+selfServiceNotAction+". (sts:GetSessionToken needs no exemption: policies do not control it.)")
		}
		if len(other) > 0 {
			l.report(RuleDenyBlocksSelfService, 0, actionsPos(s), s,
				fmt.Sprintf("This Deny applies to %s and %s %s: without MFA, users cannot %s.",
					m.describe(), what, strings.Join(other, ", "), joinAnd(reasons)),
				fixStart+selfServiceNotAction+".")
		}
	}
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// trustsUsers reports whether a principal includes IAM users: an IAM user
// ARN, an account (ID or root ARN, which delegates to the account's users
// and roles) or everyone.
func trustsUsers(p *policy.Principal) (string, bool) {
	if p == nil {
		return "", false
	}
	if p.Wildcard {
		return `"*" (every AWS account)`, true
	}
	for _, e := range p.Entries {
		if e.Type != "AWS" {
			continue
		}
		for _, v := range e.Values.Values {
			switch {
			case v == "*":
				return `"*" (every AWS account)`, true
			case isAccountID(v):
				return "account " + v, true
			case strings.HasPrefix(v, "arn:") && strings.HasSuffix(v, ":root"):
				return v, true
			case strings.HasPrefix(v, "arn:") && strings.Contains(v, ":user/"):
				return v, true
			}
		}
	}
	return "", false
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func hasConditionKey(s *policy.Statement, keys ...string) bool {
	for _, c := range s.Conditions {
		for _, k := range keys {
			if strings.EqualFold(c.Key, k) || strings.HasSuffix(k, "/") && len(c.Key) >= len(k) && strings.EqualFold(c.Key[:len(k)], k) {
				return true
			}
		}
	}
	return false
}

func (l *linter) checkTrust() {
	if l.kind != policy.KindTrust {
		return
	}
	for i, s := range l.doc.Statements {
		if s == nil || s.Effect != policy.Allow || l.mfa[i].tests() || !coversAction(s, "sts:AssumeRole") {
			continue
		}
		who, ok := trustsUsers(s.Principal)
		if !ok {
			continue
		}
		// Third parties prove themselves with an external ID and cannot
		// use the account's MFA.
		if hasConditionKey(s, "sts:ExternalId") {
			continue
		}
		pos := s.Pos
		if s.Principal != nil && s.Principal.Pos.IsValid() {
			pos = s.Principal.Pos
		}
		l.report(RuleTrustWithoutMFA, 0, pos, s,
			fmt.Sprintf("This statement lets %s call sts:AssumeRole with no condition on aws:MultiFactorAuthPresent: IAM users can assume the role with their long-term access keys alone, without MFA.", who),
			`Add "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}} (Bool, not BoolIfExists) and give users a profile with mfa_serial, or use {"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}} to also limit the MFA age.`)
	}
}

// principalScopeKeys are condition keys that restrict which principals a
// statement applies to.
var principalScopeKeys = []string{"aws:PrincipalType", "aws:PrincipalArn", "aws:userid", "aws:username", "aws:PrincipalTag/", "aws:PrincipalIsAWSService"}

func (l *linter) checkSCP() {
	if l.kind != policy.KindSCP {
		return
	}
	for i, s := range l.doc.Statements {
		a := &l.mfa[i]
		if s == nil || s.Effect != policy.Deny || !a.tests() || !a.known {
			continue
		}
		m := a.matches
		if !m.has(reqNoMFA) || m.has(reqFreshMFA) || hasConditionKey(s, principalScopeKeys...) {
			continue
		}
		sev := SeverityWarning
		scope := "the actions it names"
		if s.NotAction.Present {
			sev, scope = SeverityError, "every action not listed in NotAction"
		}
		for _, p := range s.Action.Values {
			if p == "*" {
				sev, scope = SeverityError, "every action"
			}
		}
		c := firstCond(a, func(mc mfaCond) bool { return mc.matches.has(reqNoMFA) })
		who := "role sessions created without an MFA code (EC2 instance profiles, Lambda and ECS task roles, roles assumed by automation) have aws:MultiFactorAuthPresent \"false\""
		if m.has(reqKeys) {
			who += ", and sessions from SAML or web identity federation (IAM Identity Center, CI/CD OIDC roles) have no such key at all"
		}
		l.report(RuleSCPUnscoped, sev, c.OperatorPos, s,
			fmt.Sprintf("In an SCP this Deny applies to every IAM user and role in the member accounts, not only to people: %s, so they are denied %s. "+
				"Service-linked roles and the management account are not affected by SCPs at all, so the management account's users are not covered either.", who, scope),
			`Scope the statement to IAM users: add {"StringEquals": {"aws:PrincipalType": "User"}} to its Condition (or {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}), and keep an identity policy for the management account.`)
	}
}
