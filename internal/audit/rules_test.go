package audit

import (
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/account"
)

// TestRules checks every rule with accounts that must and must not raise
// it.
func TestRules(t *testing.T) {
	type check func(t *testing.T, rep *Report, fs []Finding)
	tests := []struct {
		name      string
		rule      string
		principal string // "" for any
		build     func(b *acctBuilder)
		opts      Options
		want      int // findings of the rule about principal
		check     check
	}{
		// keys-act-without-mfa
		{
			name: "keys with an Allow and no MFA control", rule: RuleKeysActWithoutMFA, principal: userARN("carol"), want: 2,
			build: func(b *acctBuilder) {
				b.user("carol", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"all": docAllowAll}})
			},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				f := fs[0]
				if f.Severity != SeverityError || f.Credential != CredAccessKeys || f.Deciding == nil || f.Deciding.Statement != "AllowAll" || f.Deciding.Policy != "user/carol/all" {
					t.Errorf("finding %+v", f)
				}
				if f.ActionCount < 200 || len(f.Actions) != DefaultSample || !strings.Contains(f.Fix, "self-manage-mfa") {
					t.Errorf("count %d, sample %v, fix %q", f.ActionCount, f.Actions, f.Fix)
				}
				if fs[1].Credential != CredSessionNoMFA {
					t.Errorf("second finding %+v, want the session token without MFA", fs[1])
				}
			},
		},
		{
			name: "keys under a Bool deny: the deny that did not apply decides", rule: RuleKeysActWithoutMFA, principal: userARN("carol"), want: 1,
			build: func(b *acctBuilder) {
				b.user("carol", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"s3": docAllowS3, "mfa": docBoolDeny}})
			},
			opts: Options{Credentials: []Credential{CredAccessKeys, CredSessionNoMFA}},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				f := fs[0]
				if f.Deciding == nil || f.Deciding.Policy != "user/carol/mfa" || f.Deciding.Statement != "DenyNoMFA" || !strings.Contains(f.Message, "did not apply") || !strings.Contains(f.Fix, `"BoolIfExists" instead of "Bool"`) {
					t.Errorf("finding %+v", f)
				}
				if v := userResult(t, rep, "carol").Creds[CredSessionNoMFA]; v != MFARequired {
					t.Errorf("session without MFA: %s", v)
				}
			},
		},
		{
			name: "an Allow with BoolIfExists true admits keys", rule: RuleKeysActWithoutMFA, principal: userARN("carol"), want: 1,
			build: func(b *acctBuilder) {
				b.user("carol", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"ec2": docAllowIfExistsTrue}})
			},
			opts: Options{Credentials: []Credential{CredAccessKeys}},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				f := fs[0]
				if f.Deciding == nil || f.Deciding.Statement != "AllowWithMFAIfExists" || !strings.Contains(f.Message, "BoolIfExists") || !strings.Contains(f.Fix, `"Bool"`) {
					t.Errorf("finding %+v", f)
				}
			},
		},
		{
			name: "keys under BoolIfExists deny", rule: RuleKeysActWithoutMFA, principal: userARN("carol"), want: 0,
			build: func(b *acctBuilder) {
				b.user("carol", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"all": docAllowAll, "mfa": docIfExists}})
			},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				u := userResult(t, rep, "carol")
				if u.Creds[CredAccessKeys] != MFARequired || u.Creds[CredSessionMFA] != MFARequired || u.Creds[CredSessionNoMFA] != MFARequired {
					t.Errorf("verdicts %v", u.Creds)
				}
			},
		},
		{
			name: "an Allow with Bool true does not admit keys", rule: RuleKeysActWithoutMFA, principal: userARN("carol"), want: 0,
			build: func(b *acctBuilder) {
				b.user("carol", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"ec2": docAllowMFATrue}})
			},
		},
		{
			name: "no active access key", rule: RuleKeysActWithoutMFA, principal: userARN("carol"), want: 0,
			build: func(b *acctBuilder) {
				b.user("carol", userSpec{devices: mfaTOTP, inline: map[string]string{"all": docAllowAll}})
			},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				if v := userResult(t, rep, "carol").Creds[CredAccessKeys]; v != NotApplicable {
					t.Errorf("keys: %s", v)
				}
			},
		},
		// console-without-mfa
		{
			name: "password, no MFA device, allowed", rule: RuleConsoleWithoutMFA, principal: userARN("dave"), want: 1,
			build: func(b *acctBuilder) {
				b.user("dave", userSpec{password: true, inline: map[string]string{"all": docAllowAll}})
			},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				if fs[0].Credential != CredConsolePassword || fs[0].Severity != SeverityError || !strings.Contains(fs[0].Fix, "MFA device") {
					t.Errorf("finding %+v", fs[0])
				}
			},
		},
		{
			name: "password with an MFA device", rule: RuleConsoleWithoutMFA, principal: userARN("dave"), want: 0,
			build: func(b *acctBuilder) {
				b.user("dave", userSpec{password: true, devices: mfaTOTP, inline: map[string]string{"all": docAllowAll}})
			},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				if v := userResult(t, rep, "dave").Creds[CredConsolePassword]; v != NotApplicable {
					t.Errorf("console: %s", v)
				}
			},
		},
		{
			name: "password, no device, deny unless MFA", rule: RuleConsoleWithoutMFA, principal: userARN("dave"), want: 0,
			build: func(b *acctBuilder) {
				b.user("dave", userSpec{password: true, inline: map[string]string{"all": docAllowAll, "mfa": docIfExists}})
			},
		},
		// no-mfa-device
		{
			name: "keys and no device", rule: RuleNoMFADevice, principal: userARN("erin"), want: 1,
			build: func(b *acctBuilder) { b.user("erin", userSpec{keys: true}) },
			check: func(t *testing.T, rep *Report, fs []Finding) {
				if fs[0].Severity != SeverityWarning || !strings.Contains(fs[0].Message, "active access keys") {
					t.Errorf("finding %+v", fs[0])
				}
			},
		},
		{
			name: "keys and a device", rule: RuleNoMFADevice, principal: userARN("erin"), want: 0,
			build: func(b *acctBuilder) { b.user("erin", userSpec{keys: true, devices: mfaTOTP}) },
		},
		{
			name: "no credentials", rule: RuleNoMFADevice, principal: userARN("erin"), want: 0,
			build: func(b *acctBuilder) { b.user("erin", userSpec{}) },
		},
		{
			name: "device unknown without a credential report", rule: RuleNoMFADevice, principal: userARN("erin"), want: 0,
			build: func(b *acctBuilder) {
				u := b.user("erin", userSpec{keys: true})
				u.MFAKnown = false
				b.acct.Report = nil
			},
		},
		// role-trust-without-mfa
		{
			name: "trust names the account, user may assume", rule: RuleRoleTrustWithoutMFA, principal: "arn:aws:iam::" + testAcct + ":role/deploy", want: 1,
			build: func(b *acctBuilder) {
				b.user("frank", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"assume": docAssumeAny}})
				b.role("deploy", trustAccount)
			},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				f := fs[0]
				if f.Deciding == nil || f.Deciding.Policy != "role/deploy/trust" || f.Deciding.Statement != "TrustAccount" || len(f.Users) != 1 || f.Users[0] != userARN("frank") {
					t.Errorf("finding %+v", f)
				}
				if v := userResult(t, rep, "frank").Creds[CredAccessKeys]; v != ActsWithoutMFA {
					t.Errorf("frank's keys: %s", v)
				}
			},
		},
		{
			name: "trust names the user directly", rule: RuleRoleTrustWithoutMFA, principal: "arn:aws:iam::" + testAcct + ":role/direct", want: 1,
			build: func(b *acctBuilder) {
				b.user("frank", userSpec{keys: true, devices: mfaTOTP})
				b.role("direct", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/frank"}, "Action": "sts:AssumeRole"}]}`)
			},
		},
		{
			name: "trust requires MFA", rule: RuleRoleTrustWithoutMFA, principal: "", want: 0,
			build: func(b *acctBuilder) {
				b.user("frank", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"assume": docAssumeAny}})
				b.role("admin", trustAccountMFA)
			},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				u := userResult(t, rep, "frank")
				if u.Creds[CredAccessKeys] != MFARequired || u.Creds[CredSessionMFA] != MFARequired {
					t.Errorf("verdicts %v", u.Creds)
				}
			},
		},
		{
			name: "trust names the account, no user may assume", rule: RuleRoleTrustWithoutMFA, principal: "", want: 0,
			build: func(b *acctBuilder) {
				b.user("frank", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"s3": docAllowS3}})
				b.role("deploy", trustAccount)
			},
		},
		{
			name: "service role, service-linked role", rule: RuleRoleTrustWithoutMFA, principal: "", want: 0,
			build: func(b *acctBuilder) {
				b.user("frank", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"assume": docAssumeAny}})
				b.role("ec2", trustService)
				b.role("AWSServiceRoleForSupport", trustAccount, "/aws-service-role/support.amazonaws.com/")
			},
		},
		// root-without-mfa, root-access-keys
		{
			name: "root without MFA", rule: RuleRootWithoutMFA, principal: "arn:aws:iam::" + testAcct + ":root", want: 1,
			build: func(b *acctBuilder) { b.acct.Report.Rows[0].MFAActive = false },
		},
		{
			name: "root with MFA", rule: RuleRootWithoutMFA, want: 0,
			build: func(b *acctBuilder) {},
		},
		{
			name: "root without MFA from the account summary", rule: RuleRootWithoutMFA, want: 1,
			build: func(b *acctBuilder) {
				b.acct.Report = nil
				b.acct.Summary = map[string]int{"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0}
			},
		},
		{
			name: "root access keys", rule: RuleRootAccessKeys, principal: "arn:aws:iam::" + testAcct + ":root", want: 1,
			build: func(b *acctBuilder) { b.acct.Report.Rows[0].AccessKeys[1].Active = true },
		},
		{
			name: "no root access keys", rule: RuleRootAccessKeys, want: 0,
			build: func(b *acctBuilder) {},
		},
		{
			name: "root access keys from the account summary", rule: RuleRootAccessKeys, want: 1,
			build: func(b *acctBuilder) {
				b.acct.Report = nil
				b.acct.Summary = map[string]int{"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 1}
			},
		},
		// mfa-policy-bool
		{
			name: "Bool deny in a managed policy", rule: RuleMFAPolicyBool, principal: "arn:aws:iam::" + testAcct + ":policy/RequireMFA", want: 1,
			build: func(b *acctBuilder) {
				p := b.policy("RequireMFA", docBoolDeny)
				b.group("devs", nil, p)
				b.user("gina", userSpec{keys: true, devices: mfaTOTP, groups: []string{"devs"}})
				b.user("hank", userSpec{keys: true, devices: mfaTOTP, groups: []string{"devs"}})
			},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				f := fs[0]
				if f.Deciding == nil || f.Deciding.Statement != "DenyNoMFA" || f.Deciding.File == "" || len(f.Users) != 2 || !strings.Contains(f.Fix, "BoolIfExists") {
					t.Errorf("finding %+v", f)
				}
			},
		},
		{
			name: "BoolIfExists deny", rule: RuleMFAPolicyBool, want: 0,
			build: func(b *acctBuilder) {
				b.group("devs", nil, b.policy("RequireMFA", docIfExists))
				b.user("gina", userSpec{keys: true, devices: mfaTOTP, groups: []string{"devs"}})
			},
		},
		{
			name: "deny without an MFA condition", rule: RuleMFAPolicyBool, want: 0,
			build: func(b *acctBuilder) {
				b.user("gina", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"deny": docDenyNoCond}})
			},
		},
		{
			name: "Bool deny in an SCP of a member account", rule: RuleMFAPolicyBool, want: 1,
			build: func(b *acctBuilder) {
				b.user("gina", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"all": docAllowAll}})
				b.scps(false, scpFullAccess, docBoolDeny)
			},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				if !strings.HasPrefix(fs[0].Principal, "arn:aws:organizations::") || len(fs[0].Users) != 1 {
					t.Errorf("finding %+v", fs[0])
				}
			},
		},
		// mfa-lockout
		{
			name: "gated, no device, may not enroll", rule: RuleMFALockout, principal: userARN("ivan"), want: 1,
			build: func(b *acctBuilder) {
				b.user("ivan", userSpec{keys: true, inline: map[string]string{"all": docAllowAll, "mfa": docDenyAllNoMFA}})
			},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				f := fs[0]
				if f.Deciding == nil || f.Deciding.Statement != "DenyAllButSessionNoMFA" || !strings.Contains(f.Message, "enrolling") {
					t.Errorf("finding %+v", f)
				}
			},
		},
		{
			name: "gated, no device, may enroll", rule: RuleMFALockout, principal: userARN("ivan"), want: 0,
			build: func(b *acctBuilder) {
				b.user("ivan", userSpec{keys: true, inline: map[string]string{"all": docAllowAll, "mfa": docIfExists}})
			},
		},
		{
			name: "gated, only a FIDO security key", rule: RuleMFALockout, principal: userARN("ivan"), want: 1,
			build: func(b *acctBuilder) {
				b.user("ivan", userSpec{keys: true, devices: []account.MFAType{account.MFAFIDO}, inline: map[string]string{"all": docAllowAll, "mfa": docIfExists}})
			},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				if !strings.Contains(fs[0].Message, "FIDO") || fs[0].Credential != CredAccessKeys {
					t.Errorf("finding %+v", fs[0])
				}
				if v := userResult(t, rep, "ivan").Creds[CredSessionMFA]; v != NotApplicable {
					t.Errorf("MFA session with a FIDO key only: %s", v)
				}
			},
		},
		{
			name: "FIDO key and a virtual device", rule: RuleMFALockout, principal: userARN("ivan"), want: 0,
			build: func(b *acctBuilder) {
				b.user("ivan", userSpec{keys: true, devices: []account.MFAType{account.MFAFIDO, account.MFAVirtual}, inline: map[string]string{"all": docAllowAll, "mfa": docIfExists}})
			},
		},
		{
			name: "FIDO key, not gated", rule: RuleMFALockout, principal: userARN("ivan"), want: 0,
			build: func(b *acctBuilder) {
				b.user("ivan", userSpec{keys: true, devices: []account.MFAType{account.MFAFIDO}, inline: map[string]string{"all": docAllowAll}})
			},
		},
		// scp-management-account
		{
			name: "MFA SCP in the management account", rule: RuleSCPManagementAccount, want: 1,
			build: func(b *acctBuilder) {
				b.user("judy", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"all": docAllowAll}})
				b.scps(true, scpFullAccess, scpMFADeny)
			},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				if fs[0].Deciding == nil || fs[0].Deciding.Statement != "DenyNoMFA" || !strings.HasSuffix(fs[0].Principal, "/p-b") {
					t.Errorf("finding %+v", fs[0])
				}
				if v := userResult(t, rep, "judy").Creds[CredAccessKeys]; v != ActsWithoutMFA {
					t.Errorf("SCPs do not apply in the management account: keys %s", v)
				}
			},
		},
		{
			name: "MFA SCP in a member account", rule: RuleSCPManagementAccount, want: 0,
			build: func(b *acctBuilder) {
				b.user("judy", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"all": docAllowAll}})
				b.scps(false, scpFullAccess, scpMFADeny)
			},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				if v := userResult(t, rep, "judy").Creds[CredAccessKeys]; v != MFARequired {
					t.Errorf("the SCP applies in a member account: keys %s", v)
				}
			},
		},
		{
			name: "SCP without MFA in the management account", rule: RuleSCPManagementAccount, want: 0,
			build: func(b *acctBuilder) {
				b.user("judy", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"all": docAllowAll}})
				b.scps(true, scpFullAccess, scpDenyRegion)
			},
		},
		// stale-access-key
		{
			name: "key unused for 200 days", rule: RuleStaleAccessKey, principal: userARN("kim"), want: 1,
			build: func(b *acctBuilder) { b.user("kim", userSpec{keys: true, devices: mfaTOTP, lastUsed: 200}) },
			check: func(t *testing.T, rep *Report, fs []Finding) {
				if fs[0].Severity != SeverityInfo || !strings.Contains(fs[0].Message, "200 days ago") {
					t.Errorf("finding %+v", fs[0])
				}
			},
		},
		{
			name: "key used 10 days ago", rule: RuleStaleAccessKey, want: 0,
			build: func(b *acctBuilder) { b.user("kim", userSpec{keys: true, devices: mfaTOTP, lastUsed: 10}) },
		},
		{
			name: "key unused for 200 days, --stale-days 365", rule: RuleStaleAccessKey, want: 0, opts: Options{StaleDays: 365},
			build: func(b *acctBuilder) { b.user("kim", userSpec{keys: true, devices: mfaTOTP, lastUsed: 200}) },
		},
		{
			name: "key never used, created two years ago", rule: RuleStaleAccessKey, want: 1,
			build: func(b *acctBuilder) {
				b.user("kim", userSpec{keys: true, devices: mfaTOTP})
				b.acct.Report.Rows[1].AccessKeys[0].LastUsed = time.Time{}
			},
			check: func(t *testing.T, rep *Report, fs []Finding) {
				if !strings.Contains(fs[0].Message, "never used") {
					t.Errorf("finding %+v", fs[0])
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			b := newAccount(t)
			tc.build(b)
			rep := b.run(tc.opts)
			fs := findings(rep, tc.rule, tc.principal)
			if len(fs) != tc.want {
				t.Fatalf("%d %s findings about %q, want %d; all findings:\n%s", len(fs), tc.rule, tc.principal, tc.want, dumpFindings(rep))
			}
			for _, f := range fs {
				if f.Message == "" || f.Fix == "" || f.Severity == "" {
					t.Errorf("finding without message, fix or severity: %+v", f)
				}
			}
			if tc.check != nil {
				tc.check(t, rep, fs)
			}
		})
	}
}

var mfaTOTP = []account.MFAType{account.MFAVirtual}

func dumpFindings(rep *Report) string {
	var b strings.Builder
	for _, f := range rep.Findings {
		b.WriteString("  " + f.Rule + " " + f.Principal + " " + string(f.Credential) + ": " + f.Message + "\n")
	}
	return b.String()
}
