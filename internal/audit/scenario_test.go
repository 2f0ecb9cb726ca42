package audit

import (
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/lab/scenario"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// awsManaged are the AWS managed policies the lab scenarios attach.
var awsManaged = map[string]string{
	"arn:aws:iam::aws:policy/AdministratorAccess": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`,
}

// testNow is the audit time of the tests.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func mustDoc(t testing.TB, file, text string, kind policy.Kind) *account.Document {
	t.Helper()
	d, err := policy.ParseKind(file, []byte(text), kind)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return &account.Document{Document: d, Text: text, File: file}
}

// scenarioAccount builds the account a lab scenario describes, as the
// live reader would read it from a lab seeded with it: every policy, the
// users' MFA devices (virtual), and a credential report with the access
// keys (active, used a day ago) and no passwords; the root user has MFA.
func scenarioAccount(t testing.TB, name string) *account.Account {
	t.Helper()
	s, err := scenario.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	file := "scenarios/" + name + ".yaml"
	acct := &account.Account{ID: s.Account, Partition: "aws", Source: "lab scenario " + name}
	attached := map[string]bool{}
	for _, p := range s.Policies {
		acct.Policies = append(acct.Policies, &account.ManagedPolicy{
			Name: p.Name, ARN: s.PolicyARN(p.Name), Path: "/",
			Document: mustDoc(t, file, p.Document, policy.KindIdentity),
		})
	}
	need := func(names []string) []string {
		var arns []string
		for _, n := range names {
			arn := s.PolicyARN(n)
			arns = append(arns, arn)
			if text, ok := awsManaged[arn]; ok && !attached[arn] {
				attached[arn] = true
				acct.Policies = append(acct.Policies, &account.ManagedPolicy{Name: arn[len("arn:aws:iam::aws:policy/"):], ARN: arn, Document: mustDoc(t, arn, text, policy.KindIdentity)})
			}
		}
		return arns
	}
	inline := func(ps []scenario.InlinePolicy) []account.InlinePolicy {
		var out []account.InlinePolicy
		for _, p := range ps {
			out = append(out, account.InlinePolicy{Name: p.Name, Document: mustDoc(t, file, p.Document, policy.KindIdentity)})
		}
		return out
	}
	for _, g := range s.Groups {
		acct.Groups = append(acct.Groups, &account.Group{
			Name: g.Name, Path: "/", ARN: "arn:aws:iam::" + s.Account + ":group/" + g.Name,
			Inline: inline(g.InlinePolicies), Attached: need(g.ManagedPolicies),
		})
	}
	rep := &account.CredentialReport{Generated: testNow}
	rep.Rows = append(rep.Rows, account.CredentialRow{User: "<root_account>", ARN: "arn:aws:iam::" + s.Account + ":root", MFAActive: true})
	for _, u := range s.Users {
		au := &account.User{
			Name: u.Name, Path: "/", ARN: s.UserARN(u.Name), ID: "AIDA" + u.Name,
			Groups: u.Groups, Inline: inline(u.InlinePolicies), Attached: need(u.ManagedPolicies),
			MFAKnown: true,
		}
		if u.MFADevice {
			au.MFADevices = []account.MFADevice{{Serial: s.MFASerial(u.Name), Type: account.MFAVirtual}}
		}
		acct.Users = append(acct.Users, au)
		row := account.CredentialRow{User: u.Name, ARN: au.ARN, MFAActive: u.MFADevice}
		for k := 0; k < u.AccessKeys; k++ {
			row.AccessKeys[k] = account.AccessKeyState{Active: true, LastRotated: testNow.AddDate(0, -1, 0), LastUsed: testNow.AddDate(0, 0, -1)}
		}
		rep.Rows = append(rep.Rows, row)
	}
	acct.Report = rep
	for _, r := range s.Roles {
		acct.Roles = append(acct.Roles, &account.Role{
			Name: r.Name, Path: "/", ARN: s.RoleARN(r.Name),
			Trust:    mustDoc(t, file, r.TrustPolicy, policy.KindTrust),
			Inline:   inline(r.InlinePolicies),
			Attached: need(r.ManagedPolicies),
		})
	}
	return acct
}
