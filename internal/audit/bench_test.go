package audit

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// Documents of the large test account: the kinds of policy a real account
// has (AWS-managed-like read-only and power-user policies, team buckets,
// the seeds' MFA denies, AWS's self-manage-MFA example with
// ${aws:username}).
const (
	largeReadOnly = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "ReadOnly", "Effect": "Allow", "Action": ["ec2:Describe*", "s3:Get*", "s3:List*", "iam:Get*", "iam:List*", "logs:Get*", "logs:FilterLogEvents", "cloudwatch:Get*", "cloudtrail:LookupEvents", "rds:Describe*", "lambda:Get*", "lambda:List*"], "Resource": "*"}]}`
	largePowerUser = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "NotIAM", "Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
  {"Sid": "IAMRead", "Effect": "Allow", "Action": ["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization"], "Resource": "*"}]}`
	largeRequireMFA = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "DenyAllExceptListedIfNoMFA", "Effect": "Deny",
   "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
   "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}`
	largeBoolDeny = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "BlockMostAccessUnlessSignedInWithMFA", "Effect": "Deny",
   "NotAction": ["iam:CreateVirtualMFADevice", "iam:ListVirtualMFADevices", "iam:EnableMFADevice", "iam:ListMFADevices", "sts:GetSessionToken"],
   "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]}`
	largeSelfManage = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "AllowListActions", "Effect": "Allow", "Action": ["iam:ListUsers", "iam:ListVirtualMFADevices"], "Resource": "*"},
  {"Sid": "AllowUserToCreateVirtualMFADevice", "Effect": "Allow", "Action": ["iam:CreateVirtualMFADevice"], "Resource": "arn:aws:iam::*:mfa/*"},
  {"Sid": "AllowUserToManageTheirOwnMFA", "Effect": "Allow", "Action": ["iam:EnableMFADevice", "iam:GetMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"], "Resource": "arn:aws:iam::*:user/${aws:username}"},
  {"Sid": "AllowUserToDeactivateTheirOwnMFAOnlyWhenUsingMFA", "Effect": "Allow", "Action": ["iam:DeactivateMFADevice"], "Resource": ["arn:aws:iam::*:user/${aws:username}"], "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
  {"Sid": "BlockMostAccessUnlessSignedInWithMFA", "Effect": "Deny", "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ListUsers", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}`
	largeTeamBucket = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "TeamBucket", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::team-%[1]d-data", "arn:aws:s3:::team-%[1]d-data/*"]},
  {"Sid": "TeamKeys", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "arn:aws:kms:us-east-1:123456789012:key/team-%[1]d"},
  {"Sid": "TeamParams", "Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"], "Resource": "arn:aws:ssm:*:*:parameter/team-%[1]d/*",
   "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}`
	largeGroupInline = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Deploy%[1]d", "Effect": "Allow", "Action": ["cloudformation:*", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "iam:PassRole"], "Resource": ["arn:aws:cloudformation:us-east-1:123456789012:stack/app-%[1]d-*/*", "arn:aws:lambda:us-east-1:123456789012:function:app-%[1]d-*", "arn:aws:iam::123456789012:role/app-%[1]d-*"]},
  {"Sid": "AssumeDeploy", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::123456789012:role/deploy-*"}]}`
	largeUserInline = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Own%[1]d", "Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::home-%[2]s", "arn:aws:s3:::home-%[2]s/*"]},
  {"Sid": "Queue", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"], "Resource": "arn:aws:sqs:us-east-1:123456789012:jobs-%[1]d"}]}`
	largeTrustService = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`
	largeTrustAccount = `{"Version": "2012-10-17", "Statement": [{"Sid": "TrustAccount", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}`
	largeTrustMFA     = `{"Version": "2012-10-17", "Statement": [{"Sid": "TrustAccountWithMFA", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}`
)

// largeAccount builds an account of n users, 40 groups, 20 managed
// policies and 60 roles, with a credential report. Users are spread over
// the groups deterministically; one in ten has its own inline policy, one
// in four a password, three in five an MFA device.
func largeAccount(tb testing.TB, n int) *account.Account {
	tb.Helper()
	const id = "123456789012"
	acct := &account.Account{ID: id, Partition: "aws", Source: "generated"}
	managed := func(name, text string) string {
		arn := "arn:aws:iam::" + id + ":policy/" + name
		acct.Policies = append(acct.Policies, &account.ManagedPolicy{Name: name, ARN: arn, Document: mustDoc(tb, name, text, policy.KindIdentity)})
		return arn
	}
	readOnly := managed("ReadOnly", largeReadOnly)
	power := managed("PowerUser", largePowerUser)
	requireMFA := managed("RequireMFA", largeRequireMFA)
	boolDeny := managed("BoolDeny", largeBoolDeny)
	selfManage := managed("SelfManageMFA", largeSelfManage)
	var teams []string
	for t := 0; t < 15; t++ {
		teams = append(teams, managed(fmt.Sprintf("Team%d", t), fmt.Sprintf(largeTeamBucket, t)))
	}
	const groups = 40
	for g := 0; g < groups; g++ {
		grp := &account.Group{Name: fmt.Sprintf("group-%d", g), ARN: fmt.Sprintf("arn:aws:iam::%s:group/group-%d", id, g), Path: "/"}
		grp.Attached = append(grp.Attached, teams[g%len(teams)])
		switch g % 4 {
		case 0:
			grp.Attached = append(grp.Attached, readOnly, requireMFA)
		case 1:
			grp.Attached = append(grp.Attached, power, selfManage)
		case 2:
			grp.Attached = append(grp.Attached, readOnly, boolDeny)
		case 3:
			grp.Attached = append(grp.Attached, power)
		}
		grp.Inline = []account.InlinePolicy{{Name: "deploy", Document: mustDoc(tb, grp.Name, fmt.Sprintf(largeGroupInline, g), policy.KindIdentity)}}
		acct.Groups = append(acct.Groups, grp)
	}
	rep := &account.CredentialReport{Generated: testNow}
	rep.Rows = append(rep.Rows, account.CredentialRow{User: "<root_account>", ARN: "arn:aws:iam::" + id + ":root", MFAActive: true})
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("user-%05d", i)
		u := &account.User{Name: name, ID: fmt.Sprintf("AIDA%016d", i), Path: "/", ARN: "arn:aws:iam::" + id + ":user/" + name, MFAKnown: true}
		// One to three groups, deterministic.
		h := uint32(i)*2654435761 + 12345
		for k := 0; k < 1+int(h%3); k++ {
			g := fmt.Sprintf("group-%d", (int(h>>8)+k*7)%groups)
			if !containsString(u.Groups, g) {
				u.Groups = append(u.Groups, g)
			}
		}
		if i%10 == 0 {
			u.Inline = []account.InlinePolicy{{Name: "own", Document: mustDoc(tb, name, fmt.Sprintf(largeUserInline, i, name), policy.KindIdentity)}}
		}
		if i%20 == 1 {
			u.Attached = []string{readOnly}
		}
		row := account.CredentialRow{User: name, ARN: u.ARN}
		if i%5 != 4 {
			row.AccessKeys[0] = account.AccessKeyState{Active: true, LastRotated: testNow.AddDate(-1, 0, 0), LastUsed: testNow.AddDate(0, 0, -int(h%200))}
		}
		row.PasswordEnabled = i%4 == 0
		if i%5 < 3 {
			row.MFAActive = true
			u.MFADevices = []account.MFADevice{{Serial: "arn:aws:iam::" + id + ":mfa/" + name, Type: account.MFAVirtual}}
		}
		rep.Rows = append(rep.Rows, row)
		acct.Users = append(acct.Users, u)
	}
	acct.Report = rep
	for r := 0; r < 60; r++ {
		trust := largeTrustService
		name := fmt.Sprintf("service-%d", r)
		switch {
		case r < 5:
			trust, name = largeTrustAccount, fmt.Sprintf("deploy-%d", r)
		case r < 10:
			trust, name = largeTrustMFA, fmt.Sprintf("admin-%d", r)
		}
		acct.Roles = append(acct.Roles, &account.Role{Name: name, Path: "/", ARN: "arn:aws:iam::" + id + ":role/" + name, Trust: mustDoc(tb, name, trust, policy.KindTrust)})
	}
	return acct
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// BenchmarkAudit5000Users audits 5,000 users x every credential type x the
// built-in action set (Scale section of issue 8: under 3 s on 2 cores and
// under 500 MB). Run:
//
//	go test -run '^$' -bench BenchmarkAudit5000Users -benchmem -benchtime 5x ./internal/audit/
func BenchmarkAudit5000Users(b *testing.B) {
	acct := largeAccount(b, 5000)
	b.ReportAllocs()
	b.ResetTimer()
	var rep *Report
	for i := 0; i < b.N; i++ {
		var err error
		rep, err = Run(acct, Options{Now: testNow})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(rep.Stats.Decisions), "decisions/op")
	b.ReportMetric(float64(len(rep.Findings)), "findings/op")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MiB")
	if rep.Stats.Users != 5000 || !strings.Contains(fmt.Sprint(rep.Findings[0].Rule), "-") {
		b.Fatalf("unexpected report: %+v", rep.Stats)
	}
}

// BenchmarkAudit5000UsersOwnPolicies is the harder case: every user also
// has an inline policy of its own, so no two users share a policy set.
func BenchmarkAudit5000UsersOwnPolicies(b *testing.B) {
	acct := largeAccount(b, 5000)
	for i, u := range acct.Users {
		if len(u.Inline) == 0 {
			u.Inline = []account.InlinePolicy{{Name: "own", Document: mustDoc(b, u.Name, fmt.Sprintf(largeUserInline, i, u.Name), policy.KindIdentity)}}
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	var rep *Report
	for i := 0; i < b.N; i++ {
		var err error
		if rep, err = Run(acct, Options{Now: testNow}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(rep.Stats.Decisions), "decisions/op")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MiB")
}
