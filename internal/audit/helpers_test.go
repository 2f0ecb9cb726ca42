package audit

import (
	"fmt"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/policy"
)

const testAcct = "111122223333"

// Policy documents the rule tests combine.
const (
	docAllowAll          = `{"Version": "2012-10-17", "Statement": [{"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"}]}`
	docAllowS3           = `{"Version": "2012-10-17", "Statement": [{"Sid": "AllowS3", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`
	docBoolDeny          = `{"Version": "2012-10-17", "Statement": [{"Sid": "DenyNoMFA", "Effect": "Deny", "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "sts:GetSessionToken"], "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]}`
	docIfExists          = `{"Version": "2012-10-17", "Statement": [{"Sid": "DenyNoMFA", "Effect": "Deny", "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "sts:GetSessionToken"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}`
	docDenyAllNoMFA      = `{"Version": "2012-10-17", "Statement": [{"Sid": "DenyAllButSessionNoMFA", "Effect": "Deny", "NotAction": "sts:GetSessionToken", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}`
	docDenyNoCond        = `{"Version": "2012-10-17", "Statement": [{"Sid": "DenyDelete", "Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}`
	docAllowIfExistsTrue = `{"Version": "2012-10-17", "Statement": [{"Sid": "AllowWithMFAIfExists", "Effect": "Allow", "Action": "ec2:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}}]}`
	docAllowMFATrue      = `{"Version": "2012-10-17", "Statement": [{"Sid": "AllowWithMFA", "Effect": "Allow", "Action": "ec2:*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}`
	docAssumeAny         = `{"Version": "2012-10-17", "Statement": [{"Sid": "AssumeAny", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}`
	trustAccount         = `{"Version": "2012-10-17", "Statement": [{"Sid": "TrustAccount", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}]}`
	trustAccountMFA      = `{"Version": "2012-10-17", "Statement": [{"Sid": "TrustAccountMFA", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}`
	trustService         = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`
	scpMFADeny           = `{"Version": "2012-10-17", "Statement": [{"Sid": "DenyNoMFA", "Effect": "Deny", "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "sts:GetSessionToken"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}`
	scpFullAccess        = `{"Version": "2012-10-17", "Statement": [{"Sid": "FullAWSAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}]}`
	scpDenyRegion        = `{"Version": "2012-10-17", "Statement": [{"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}`
)

// acctBuilder builds small accounts for rule tests.
type acctBuilder struct {
	t    testing.TB
	acct *account.Account
	n    int
}

func newAccount(t testing.TB) *acctBuilder {
	acct := &account.Account{ID: testAcct, Partition: "aws", Source: "test"}
	acct.Report = &account.CredentialReport{Generated: testNow, Rows: []account.CredentialRow{
		{User: "<root_account>", ARN: "arn:aws:iam::" + testAcct + ":root", MFAActive: true},
	}}
	return &acctBuilder{t: t, acct: acct}
}

func (b *acctBuilder) doc(text string, kind policy.Kind) *account.Document {
	b.n++
	return mustDoc(b.t, fmt.Sprintf("doc%d.json", b.n), text, kind)
}

// policy adds a customer managed policy and returns its ARN.
func (b *acctBuilder) policy(name, text string) string {
	arn := "arn:aws:iam::" + testAcct + ":policy/" + name
	for _, p := range b.acct.Policies {
		if p.ARN == arn {
			return arn
		}
	}
	{
		b.acct.Policies = append(b.acct.Policies, &account.ManagedPolicy{Name: name, ARN: arn, Document: b.doc(text, policy.KindIdentity)})
	}
	return arn
}

// group adds a group with the given managed policies (name=document).
func (b *acctBuilder) group(name string, inline map[string]string, managed ...string) {
	g := &account.Group{Name: name, ARN: "arn:aws:iam::" + testAcct + ":group/" + name, Attached: managed}
	for n, text := range inline {
		g.Inline = append(g.Inline, account.InlinePolicy{Name: n, Document: b.doc(text, policy.KindIdentity)})
	}
	b.acct.Groups = append(b.acct.Groups, g)
}

// userSpec is a user's credentials and policies.
type userSpec struct {
	keys     bool
	password bool
	devices  []account.MFAType // nil: no device
	// noRow leaves the user out of the credential report.
	noRow    bool
	groups   []string
	managed  []string
	inline   map[string]string
	lastUsed int // days ago the access key was last used (0: yesterday)
	tags     []account.Tag
}

func (b *acctBuilder) user(name string, s userSpec) *account.User {
	u := &account.User{Name: name, ID: "AIDA" + strings.ToUpper(name), Path: "/", ARN: "arn:aws:iam::" + testAcct + ":user/" + name,
		Groups: s.groups, Attached: s.managed, MFAKnown: true, Tags: s.tags}
	for n, text := range s.inline {
		u.Inline = append(u.Inline, account.InlinePolicy{Name: n, Document: b.doc(text, policy.KindIdentity)})
	}
	for i, d := range s.devices {
		u.MFADevices = append(u.MFADevices, account.MFADevice{Serial: "arn:aws:iam::" + testAcct + ":mfa/" + name + strings.Repeat("x", i), Type: d})
	}
	b.acct.Users = append(b.acct.Users, u)
	if !s.noRow {
		row := account.CredentialRow{User: name, ARN: u.ARN, PasswordEnabled: s.password, MFAActive: len(s.devices) > 0}
		if s.keys {
			used := s.lastUsed
			if used == 0 {
				used = 1
			}
			row.AccessKeys[0] = account.AccessKeyState{Active: true, LastRotated: testNow.AddDate(-2, 0, 0), LastUsed: testNow.AddDate(0, 0, -used)}
		}
		b.acct.Report.Rows = append(b.acct.Report.Rows, row)
	}
	return u
}

func (b *acctBuilder) role(name, trust string, path ...string) {
	p := "/"
	if len(path) > 0 {
		p = path[0]
	}
	b.acct.Roles = append(b.acct.Roles, &account.Role{Name: name, Path: p, ARN: "arn:aws:iam::" + testAcct + ":role" + p + name, Trust: b.doc(trust, policy.KindTrust)})
}

// scps places the account under an organization with one level holding
// the given SCPs.
func (b *acctBuilder) scps(management bool, docs ...string) {
	lvl := account.OrgLevel{ID: "r-root", Name: "Root"}
	for i, d := range docs {
		lvl.SCPs = append(lvl.SCPs, account.OrgPolicy{ID: "p-" + string(rune('a'+i)), Name: "scp" + string(rune('a'+i)),
			ARN: "arn:aws:organizations::999999999999:policy/o-x/service_control_policy/p-" + string(rune('a'+i)), Document: b.doc(d, policy.KindSCP)})
	}
	b.acct.Org = &account.Organization{ManagementAccount: management, Levels: []account.OrgLevel{lvl}}
}

func (b *acctBuilder) run(opts Options) *Report {
	b.t.Helper()
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	rep, err := Run(b.acct, opts)
	if err != nil {
		b.t.Fatal(err)
	}
	return rep
}

func userARN(name string) string { return "arn:aws:iam::" + testAcct + ":user/" + name }

// findings returns the findings of a rule about a principal.
func findings(rep *Report, rule, principal string) []Finding {
	var out []Finding
	for _, f := range rep.Findings {
		if f.Rule == rule && (principal == "" || f.Principal == principal) {
			out = append(out, f)
		}
	}
	return out
}

func userResult(t testing.TB, rep *Report, name string) UserResult {
	t.Helper()
	for _, u := range rep.Users {
		if u.Name == name {
			return u
		}
	}
	t.Fatalf("no user %s in the report", name)
	return UserResult{}
}
