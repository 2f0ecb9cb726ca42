package audit

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// Documentation the findings cite.
const (
	docMFAPresent = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent"
	docSelfManage = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_mfa-selfmanage.html"
	docSCP        = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html"
	docSTSMFA     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html"
	docRoot       = "https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html"
)

// report builds the matrix and the findings from the decisions.
func (a *auditor) report() *Report {
	rep := &Report{
		Account:     a.acct.ID,
		Source:      a.acct.Source,
		Credentials: append([]Credential(nil), a.opts.Credentials...),
		Users:       make([]UserResult, 0, len(a.users)),
		Findings:    []Finding{},
	}
	rep.Notes = append(rep.Notes, a.acct.Notes...)
	if a.acct.Report == nil && !containsFold(rep.Notes, "no credential report") {
		rep.Notes = append(rep.Notes, NoReportNote)
	}
	rep.Notes = append(rep.Notes, a.reg.notes...)
	want := [numCreds]bool{}
	for _, c := range a.opts.Credentials {
		i, _ := credIndex(c)
		want[i] = true
	}
	for _, us := range a.users {
		rep.Users = append(rep.Users, a.userResult(us))
		rep.Findings = append(rep.Findings, a.userFindings(us, want)...)
	}
	rep.Findings = append(rep.Findings, a.roleTrustFindings(want)...)
	rep.Findings = append(rep.Findings, a.rootFindings()...)
	rep.Findings = append(rep.Findings, a.policyBoolFindings()...)
	rep.Findings = append(rep.Findings, a.scpManagementFindings()...)
	sortFindings(rep.Findings)
	rep.Stats = Stats{
		Users:       len(a.users),
		Credentials: len(a.opts.Credentials),
		Actions:     len(a.actions),
		Decisions:   int(a.decisions.Load()),
	}
	return rep
}

func containsFold(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(strings.ToLower(s), sub) {
			return true
		}
	}
	return false
}

var severityRank = map[Severity]int{SeverityError: 0, SeverityWarning: 1, SeverityInfo: 2}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if severityRank[a.Severity] != severityRank[b.Severity] {
			return severityRank[a.Severity] < severityRank[b.Severity]
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		return a.Credential < b.Credential
	})
}

// verdict is the matrix cell for us and c.
func (a *auditor) verdict(us *userState, c credIdx) Verdict {
	if !us.facts.applies(c) {
		return NotApplicable
	}
	withMFA := a.count(us, cSessionMFA) > 0
	switch {
	case c.mfa() && withMFA:
		// The comparison column: access beyond self-service needs (and
		// has) MFA.
		return MFARequired
	case c.mfa():
		return NoAccess
	case a.count(us, c) > 0:
		return ActsWithoutMFA
	case withMFA:
		return MFARequired
	}
	return NoAccess
}

func (a *auditor) userResult(us *userState) UserResult {
	ur := UserResult{
		ARN:        us.u.ARN,
		Name:       us.u.Name,
		MFADevices: []string{},
		Creds:      make(map[Credential]Verdict, len(a.opts.Credentials)),
		Assumed:    us.facts.assumed,
	}
	for _, d := range us.u.MFADevices {
		ur.MFADevices = append(ur.MFADevices, d.Serial)
	}
	switch {
	case us.u.MFAKnown:
		ur.MFA = MFADevicesListed
	case us.facts.deviceKnown && us.facts.hasDevice:
		ur.MFA = MFAActiveReport
	case us.facts.deviceKnown:
		ur.MFA = MFANone
	default:
		ur.MFA = MFAUnknown
	}
	for _, c := range a.opts.Credentials {
		i, _ := credIndex(c)
		ur.Creds[c] = a.verdict(us, i)
	}
	return ur
}

// userFindings applies the per-user rules.
func (a *auditor) userFindings(us *userState, want [numCreds]bool) []Finding {
	var out []Finding
	for _, c := range []credIdx{cKeys, cSessionNoMFA, cConsole} {
		if want[c] && a.verdict(us, c) == ActsWithoutMFA {
			out = append(out, a.actsWithoutMFA(us, c))
		}
	}
	if f, ok := a.noMFADevice(us); ok {
		out = append(out, f)
	}
	if f, ok := a.mfaLockout(us); ok {
		out = append(out, f)
	}
	out = append(out, a.staleKeys(us)...)
	return out
}

var credPhrase = [numCreds]string{
	cKeys:         "long-term access keys",
	cConsole:      "console password (no MFA device)",
	cSessionNoMFA: "session token obtained without MFA",
	cSessionMFA:   "MFA session token",
}

// actsWithoutMFA is keys-act-without-mfa (keys, and session tokens got
// with them without MFA) and console-without-mfa.
func (a *auditor) actsWithoutMFA(us *userState, c credIdx) Finding {
	total := a.count(us, c)
	actions := a.firstActions(us, c, max(a.opts.Sample, maxExplain))
	f := Finding{
		Rule:        RuleKeysActWithoutMFA,
		Severity:    SeverityError,
		Principal:   us.u.ARN,
		Credential:  credNames[c],
		Actions:     sample(actions, a.opts.Sample),
		ActionCount: total,
	}
	if c == cConsole {
		f.Rule = RuleConsoleWithoutMFA
	}
	var e *explanation
	if a.bulkCount(us, c) > 0 {
		e = a.explainBulk(us, c, actions)
	} else if len(us.assume[c]) > 0 {
		e = a.explainAssume(us, c, a.roles[us.assume[c][0]])
	}
	head := fmt.Sprintf("%s's %s can call %d %s beyond MFA self-service without MFA (%s)",
		us.u.Name, credPhrase[c], total, plural(total, "action", "actions"), listOf(actions, total, 3))
	if us.facts.assumed {
		head += " (assumed: the credential report was not read)"
	}
	f.Message, f.Fix = head+".", genericFix(us, c)
	if e != nil {
		f.Deciding = e.ref
		f.Message = head + ": " + e.because() + "."
		f.Fix = e.fix(us, c)
	}
	if len(us.assume[c]) > 0 {
		f.Message += " Roles it can assume without MFA: " + a.roleNames(us.assume[c], 5) + "."
	}
	return f
}

func (a *auditor) roleNames(idx []int, max int) string {
	names := make([]string, 0, len(idx))
	for _, i := range idx {
		names = append(names, a.roles[i].r.Name)
	}
	sort.Strings(names)
	return listOf(names, len(names), max)
}

// because says why the explained action is allowed.
func (e *explanation) because() string {
	switch e.kind {
	case explDenyMissed:
		return fmt.Sprintf("the Deny %q in %s did not apply: its %s condition %s", e.sid, e.policy, e.cond.Operator, e.cond.Why)
	case explAllowMFA:
		return fmt.Sprintf("the Allow %q in %s grants %s: its %s condition %s", e.sid, e.policy, e.action, e.cond.Operator, e.cond.Why)
	}
	if e.ref == nil {
		return "no statement names it"
	}
	return fmt.Sprintf("the Allow %q in %s grants %s and no policy denies it without MFA", e.sid, e.policy, e.action)
}

// fix says what to change.
func (e *explanation) fix(us *userState, c credIdx) string {
	switch e.kind {
	case explDenyMissed:
		op := e.cond.Operator
		if !strings.HasSuffix(op, "IfExists") && strings.Contains(op, "Bool") {
			return fmt.Sprintf("In statement %q of %s use %q instead of %q: requests signed with long-term access keys carry no aws:MultiFactorAuthPresent, and only ...IfExists treats the missing key as \"false\" (%s).",
				e.sid, e.policy, op+"IfExists", op, docMFAPresent)
		}
		return fmt.Sprintf("Make statement %q of %s match requests without MFA: use {\"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\"}} (awsmfa policy generate deny-without-mfa) (%s).", e.sid, e.policy, docMFAPresent)
	case explAllowMFA:
		return fmt.Sprintf("In statement %q of %s require {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}}: without IfExists an absent key does not match, so long-term keys are not admitted (%s).", e.sid, e.policy, docMFAPresent)
	}
	return genericFix(us, c)
}

func genericFix(us *userState, c credIdx) string {
	if c == cConsole {
		return fmt.Sprintf("Assign an MFA device to %s (the console then asks for a code at sign-in), or remove the console password if it is not used; and attach a policy that denies everything but MFA self-service without MFA (awsmfa policy generate self-manage-mfa) to the user or its groups (%s).", us.u.Name, docSelfManage)
	}
	return fmt.Sprintf("Attach a policy that denies everything but MFA self-service without MFA (awsmfa policy generate self-manage-mfa) to %s or its groups, or remove the access keys if they are not needed (%s).", us.u.Name, docSelfManage)
}

// noMFADevice is no-mfa-device: keys or a password and no MFA device (when
// the credential report or the device list says so).
func (a *auditor) noMFADevice(us *userState) (Finding, bool) {
	f := &us.facts
	if !f.deviceKnown || f.hasDevice || !(f.hasKeys || f.hasPassword) {
		return Finding{}, false
	}
	var what []string
	if f.hasKeys {
		what = append(what, "active access keys")
	}
	if f.hasPassword {
		what = append(what, "a console password")
	}
	return Finding{
		Rule:      RuleNoMFADevice,
		Severity:  SeverityWarning,
		Principal: us.u.ARN,
		Message:   fmt.Sprintf("%s has %s and no MFA device.", us.u.Name, strings.Join(what, " and ")),
		Fix:       fmt.Sprintf("Have %s enroll a virtual MFA device (aws iam create-virtual-mfa-device, then aws iam enable-mfa-device), or remove credentials the user does not need (%s).", us.u.Name, docSelfManage),
	}, true
}

// mfaLockout is mfa-lockout: a user whose access needs MFA but who cannot
// produce it for the CLI: no TOTP device and not allowed to enroll one
// without MFA, or only FIDO security keys, which STS does not take
// ("STS ... supports only TOTP MFA devices": GetSessionToken and AssumeRole
// take a TokenCode, https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html).
func (a *auditor) mfaLockout(us *userState) (Finding, bool) {
	f := &us.facts
	if !f.deviceKnown {
		return Finding{}, false
	}
	via := cKeys
	if !f.hasKeys {
		via = cConsole
		if !f.hasPassword {
			return Finding{}, false
		}
	}
	if !a.gated(us, via) {
		return Finding{}, false
	}
	if f.fidoOnly && f.hasKeys {
		return Finding{
			Rule:       RuleMFALockout,
			Severity:   SeverityWarning,
			Principal:  us.u.ARN,
			Credential: CredAccessKeys,
			Message:    fmt.Sprintf("%s's access needs MFA, but the only MFA devices are FIDO security keys: GetSessionToken and AssumeRole take only TOTP codes, so the CLI with these keys gets no MFA session (%s).", us.u.Name, docSTSMFA),
			Fix:        fmt.Sprintf("Have %s also enroll a virtual MFA device (TOTP); IAM allows up to eight MFA devices per user.", us.u.Name),
		}, true
	}
	if f.hasDevice && f.hasTOTP {
		return Finding{}, false
	}
	ok, deny := a.canEnroll(us, via)
	if ok {
		return Finding{}, false
	}
	fd := Finding{
		Rule:       RuleMFALockout,
		Severity:   SeverityWarning,
		Principal:  us.u.ARN,
		Credential: credNames[via],
		Message:    fmt.Sprintf("%s's access needs MFA, %s has no MFA device, and without MFA the policies do not allow enrolling one (iam:CreateVirtualMFADevice and iam:EnableMFADevice on the user's own device and user).", us.u.Name, us.u.Name),
		Fix:        fmt.Sprintf("Allow MFA self-service without MFA (awsmfa policy generate self-manage-mfa, from AWS's example %s), or have an administrator enroll a device for %s.", docSelfManage, us.u.Name),
	}
	if deny != nil {
		fd.Deciding = deny.ref
		fd.Message = strings.TrimSuffix(fd.Message, ".") + fmt.Sprintf(": the Deny %q in %s denies %s.", deny.sid, deny.policy, deny.action)
	}
	return fd, true
}

// canEnroll decides whether us may create and enable its own virtual MFA
// device with credentials c; deny names the Deny that stops it, if any.
func (a *auditor) canEnroll(us *userState, c credIdx) (bool, *explanation) {
	var ctx eval.Context
	fillContext(&ctx, us.u, a.acct.ID, a.rows[c], "", a.now)
	steps := []struct{ action, resource string }{
		{"iam:CreateVirtualMFADevice", "arn:" + a.part + ":iam::" + a.acct.ID + ":mfa/" + us.u.Name},
		{"iam:EnableMFADevice", us.u.ARN},
	}
	for _, s := range steps {
		req := eval.Request{Principal: us.u.ARN, Action: s.action, Resource: s.resource, Context: &ctx}
		a.decisions.Add(1)
		if eval.Decide(&us.prof.set, &req) == eval.Allowed {
			continue
		}
		res := eval.Evaluate(&us.prof.set, &req)
		if res.Decision == eval.ExplicitDeny && len(res.Deciding) > 0 {
			return false, a.fromMatch(&us.prof.set, &res.Deciding[0], s.action)
		}
		return false, nil
	}
	return true, nil
}

// staleKeys is stale-access-key: an active key unused (or, never used,
// created) longer ago than --stale-days.
func (a *auditor) staleKeys(us *userState) []Finding {
	row := us.facts.row
	if row == nil {
		return nil
	}
	var out []Finding
	limit := time.Duration(a.opts.StaleDays) * 24 * time.Hour
	for i, k := range row.AccessKeys {
		if !k.Active {
			continue
		}
		t, what := k.LastUsed, "last used"
		if t.IsZero() {
			t, what = k.LastRotated, "never used; created"
		}
		if t.IsZero() || a.now.Sub(t) <= limit {
			continue
		}
		days := int(a.now.Sub(t).Hours() / 24)
		out = append(out, Finding{
			Rule:       RuleStaleAccessKey,
			Severity:   SeverityInfo,
			Principal:  us.u.ARN,
			Credential: CredAccessKeys,
			Message:    fmt.Sprintf("Access key %d of %s is active and was %s %s (%d days ago, more than %d).", i+1, us.u.Name, what, t.UTC().Format("2006-01-02"), days, a.opts.StaleDays),
			Fix:        fmt.Sprintf("Deactivate the key (aws iam update-access-key --user-name %s --access-key-id KEY --status Inactive), then delete it if nothing breaks.", us.u.Name),
		})
	}
	return out
}

// roleTrustFindings is role-trust-without-mfa: a role that IAM users of
// this account can assume without MFA.
func (a *auditor) roleTrustFindings(want [numCreds]bool) []Finding {
	type hit struct {
		users []string
		first *userState
		cred  credIdx
	}
	hits := make([]*hit, len(a.roles))
	for _, us := range a.users {
		for _, c := range []credIdx{cKeys, cConsole, cSessionNoMFA} {
			if !want[c] || !us.facts.applies(c) {
				continue
			}
			for _, ri := range us.assume[c] {
				h := hits[ri]
				if h == nil {
					h = &hit{first: us, cred: c}
					hits[ri] = h
				}
				if n := len(h.users); n == 0 || h.users[n-1] != us.u.ARN {
					h.users = append(h.users, us.u.ARN)
				}
			}
		}
	}
	var out []Finding
	for ri, h := range hits {
		if h == nil {
			continue
		}
		role := a.roles[ri]
		e := a.explainAssume(h.first, h.cred, role)
		names := make([]string, len(h.users))
		for i, arn := range h.users {
			names[i] = arn[strings.LastIndexByte(arn, '/')+1:]
		}
		f := Finding{
			Rule:       RuleRoleTrustWithoutMFA,
			Severity:   SeverityWarning,
			Principal:  role.r.ARN,
			Credential: credNames[h.cred],
			Actions:    []string{"sts:AssumeRole"},
			Users:      h.users,
			Message: fmt.Sprintf("Role %s can be assumed without MFA by %d %s of this account (%s), e.g. with %s's %s.",
				role.r.Name, len(h.users), plural(len(h.users), "user", "users"), listOf(names, len(names), 5), h.first.u.Name, credPhrase[h.cred]),
			Fix: fmt.Sprintf("Add \"Condition\": {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}} to the trust policy's Allow (awsmfa policy generate trust-require-mfa --principal ...), as in %s.", docSTSMFA),
		}
		f.ActionCount = 1
		if e != nil {
			f.Deciding = e.ref
			if e.kind == explAllowMFA {
				f.Message = strings.TrimSuffix(f.Message, ".") + ": " + e.because() + "."
			} else if e.ref != nil {
				f.Message = strings.TrimSuffix(f.Message, ".") + fmt.Sprintf(": statement %q of the trust policy has no MFA condition.", e.sid)
			}
		}
		out = append(out, f)
	}
	return out
}

// rootFindings are root-without-mfa and root-access-keys, from the
// credential report's <root_account> row, else GetAccountSummary.
func (a *auditor) rootFindings() []Finding {
	root := "arn:" + a.part + ":iam::" + a.acct.ID + ":root"
	noMFA, keys := false, false
	known := false
	if rep := a.acct.Report; rep != nil {
		for i := range rep.Rows {
			r := &rep.Rows[i]
			if r.Root() {
				known = true
				noMFA = !r.MFAActive
				keys = r.AccessKeys[0].Active || r.AccessKeys[1].Active
			}
		}
	}
	if !known && a.acct.Summary != nil {
		if v, ok := a.acct.Summary["AccountMFAEnabled"]; ok {
			noMFA = v == 0
		}
		if v, ok := a.acct.Summary["AccountAccessKeysPresent"]; ok {
			keys = v != 0
		}
	}
	var out []Finding
	if noMFA {
		out = append(out, Finding{
			Rule: RuleRootWithoutMFA, Severity: SeverityError, Principal: root,
			Message: "The root user has no MFA device: its password alone signs in with full access to the account.",
			Fix:     "Sign in as the root user and assign an MFA device (Security credentials > Multi-factor authentication) (" + docRoot + ").",
		})
	}
	if keys {
		out = append(out, Finding{
			Rule: RuleRootAccessKeys, Severity: SeverityError, Principal: root, Credential: CredAccessKeys,
			Message: "The root user has active access keys: they act with full access and no policy can require MFA of them.",
			Fix:     "Delete the root user's access keys (Security credentials > Access keys) and use IAM users or roles instead (" + docRoot + ").",
		})
	}
	return out
}

// policyBoolFindings is mfa-policy-bool: a Deny meant to require MFA that
// applies to sessions without MFA but not to long-term access keys.
func (a *auditor) policyBoolFindings() []Finding {
	var out []Finding
	for _, ref := range a.reg.refs {
		if ref.kind == kindTrust {
			continue
		}
		users := a.usersOf(ref)
		if ref.kind != kindSCP && len(users) == 0 && ref.kind != kindManaged {
			continue
		}
		for _, st := range ref.doc.Statements {
			if st == nil || st.Effect != policy.Deny || !hasMFACondition(st) {
				continue
			}
			f, ok := a.probeBoolDeny(ref, st, users)
			if ok {
				out = append(out, f)
			}
		}
	}
	return out
}

// usersOf returns the ARNs of the users a document applies to.
func (a *auditor) usersOf(ref *polRef) []string {
	var out []string
	if ref.kind == kindSCP {
		if a.reg.mgmt {
			return nil
		}
		for _, us := range a.users {
			out = append(out, us.u.ARN)
		}
		return out
	}
	for _, us := range a.attached[ref] {
		out = append(out, us.u.ARN)
	}
	return out
}

func hasMFACondition(st *policy.Statement) bool {
	for i := range st.Conditions {
		if isMFAKey(st.Conditions[i].Key) {
			return true
		}
	}
	return false
}

// probeBoolDeny decides the statement alone for a request it covers, once
// with long-term keys and once with a session token without MFA: a Deny
// that stops the session but not the keys misses long-term keys.
func (a *auditor) probeBoolDeny(ref *polRef, st *policy.Statement, users []string) (Finding, bool) {
	doc := &policy.Document{Version: ref.doc.Version, Statements: []*policy.Statement{st}}
	pol, err := eval.Compile(doc)
	if err != nil {
		return Finding{}, false
	}
	set := &eval.PolicySet{Identity: []*eval.Policy{pol}}
	u := a.probeUser(ref)
	rs := resStmt{notAction: st.NotAction.Present}
	acts := st.Action
	if rs.notAction {
		acts = st.NotAction
	}
	for _, v := range acts.Values {
		rs.actions = append(rs.actions, strings.ToLower(v))
	}
	action := ""
	for _, ai := range a.bulk {
		if rs.covers(a.lower[ai]) {
			action = a.actions[ai]
			break
		}
	}
	if action == "" {
		return Finding{}, false
	}
	resource := "*"
	if !st.NotResource.Present && len(st.Resource.Values) > 0 && st.Resource.Values[0] != "*" {
		resource = materialise(st.Resource.Values[0], u, a.acct.ID)
	}
	var keysCtx, sessCtx eval.Context
	fillContext(&keysCtx, u, a.acct.ID, a.rows[cKeys], "", a.now)
	fillContext(&sessCtx, u, a.acct.ID, a.rows[cSessionNoMFA], "", a.now)
	req := eval.Request{Principal: u.ARN, Action: action, Resource: resource, Context: &sessCtx}
	if eval.Decide(set, &req) != eval.ExplicitDeny {
		return Finding{}, false
	}
	req.Context = &keysCtx
	res := eval.Evaluate(set, &req)
	if res.Decision == eval.ExplicitDeny {
		return Finding{}, false
	}
	why := ""
	for i := range res.NearMisses {
		if t := mfaCond(&res.NearMisses[i], false); t != nil {
			why = fmt.Sprintf(": its %s condition %s", t.Operator, t.Why)
			break
		}
	}
	sid := stmtLabel(st.Sid, st.Index)
	f := Finding{
		Rule:      RuleMFAPolicyBool,
		Severity:  SeverityError,
		Principal: ref.owner,
		Deciding:  stmtRef(ref, st.Sid, st.Index, st.Pos),
		Users:     users,
		Message: fmt.Sprintf("The Deny %q in %s is meant to require MFA but does not apply to requests signed with long-term access keys (tried %s)%s. It applies to %d %s.",
			sid, ref.label, action, why, len(users), plural(len(users), "user", "users")),
		Fix: fmt.Sprintf("In statement %q of %s use BoolIfExists (or the matching ...IfExists operator) on aws:MultiFactorAuthPresent, so a missing key counts as \"false\" (%s); awsmfa policy generate deny-without-mfa writes such a statement.", sid, ref.label, docMFAPresent),
	}
	if ref.kind == kindSCP && a.reg.mgmt {
		f.Message += " (SCPs do not apply in this management account either.)"
	}
	return f, true
}

// probeUser is the user whose context a policy probe uses: the first user
// the document applies to, else a made-up user of the account.
func (a *auditor) probeUser(ref *polRef) *account.User {
	if us := a.attached[ref]; len(us) > 0 {
		return us[0].u
	}
	if len(a.users) > 0 {
		return a.users[0].u
	}
	return &account.User{Name: "audit-probe", ARN: "arn:" + a.part + ":iam::" + a.acct.ID + ":user/audit-probe"}
}

// scpManagementFindings is scp-management-account: an SCP with an MFA
// condition in an organization's management account, where SCPs do not
// apply ("SCPs don't affect users or roles in the management account",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
func (a *auditor) scpManagementFindings() []Finding {
	if !a.reg.mgmt {
		return nil
	}
	var out []Finding
	for _, ref := range a.reg.scpRefs {
		for _, st := range ref.doc.Statements {
			if st == nil || !hasMFACondition(st) {
				continue
			}
			sid := stmtLabel(st.Sid, st.Index)
			out = append(out, Finding{
				Rule:      RuleSCPManagementAccount,
				Severity:  SeverityWarning,
				Principal: ref.owner,
				Deciding:  stmtRef(ref, st.Sid, st.Index, st.Pos),
				Message:   fmt.Sprintf("Statement %q of SCP %s requires MFA, but this account is the organization's management account, where SCPs do not apply: its users are not held to it.", sid, ref.label),
				Fix:       fmt.Sprintf("Require MFA in this account with an IAM policy attached to its users or groups (awsmfa policy generate self-manage-mfa), and keep workloads out of the management account (%s).", docSCP),
			})
			break
		}
	}
	return out
}

func sample(list []string, n int) []string {
	if len(list) <= n {
		return append([]string(nil), list...)
	}
	return append([]string(nil), list[:n]...)
}

// listOf names the first n of list, a list of total items.
func listOf(list []string, total, n int) string {
	n = min(n, len(list))
	s := strings.Join(list[:n], ", ")
	if total > n {
		s += fmt.Sprintf(" and %d more", total-n)
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
