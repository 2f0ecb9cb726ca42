package render

import (
	"fmt"

	"github.com/awsmfa/awsmfa/internal/audit"
)

// Hand-made reports in the shape the engine produces: seed 000's Bool deny
// that lets alice's keys through, a console user without a device, a
// group of identical users, a role trusted without MFA (read live: no
// file), a stale key.

const (
	acct       = "123456789012"
	requireMFA = "arn:aws:iam::123456789012:policy/RequireMFA"
)

var allCreds = []audit.Credential{audit.CredAccessKeys, audit.CredConsolePassword, audit.CredSessionNoMFA, audit.CredSessionMFA}

func userARN(name string) string { return "arn:aws:iam::" + acct + ":user/" + name }

func row(name string, devices int, keys, console, session, mfa audit.Verdict) audit.UserResult {
	u := audit.UserResult{ARN: userARN(name), Name: name, Creds: map[audit.Credential]audit.Verdict{
		audit.CredAccessKeys: keys, audit.CredConsolePassword: console,
		audit.CredSessionNoMFA: session, audit.CredSessionMFA: mfa,
	}, MFA: audit.MFADevicesListed}
	for i := range devices {
		u.MFADevices = append(u.MFADevices, fmt.Sprintf("arn:aws:iam::%s:mfa/%s-%d", acct, name, i))
	}
	return u
}

func boolDeny() *audit.StatementRef {
	return &audit.StatementRef{Policy: requireMFA, Statement: "BlockMostAccessUnlessSignedInWithMFA",
		File: "testdata/auth.json", Path: "Policies[1].PolicyVersionList[0].Document", Line: 57}
}

func sampleReport() *audit.Report {
	const (
		acts = audit.ActsWithoutMFA
		req  = audit.MFARequired
		none = audit.NoAccess
		na   = audit.NotApplicable
	)
	users := []audit.UserResult{
		row("zoe", 1, req, req, req, acts),
		row("eve", 0, na, acts, na, none),
		row("alice", 1, acts, req, acts, acts),
		row("bob", 1, req, na, req, acts),
	}
	for i := 1; i <= 12; i++ {
		users = append(users, row(fmt.Sprintf("dev%02d", i), 1, req, req, req, acts))
	}
	actions := []string{"cloudtrail:StopLogging", "ec2:RunInstances", "iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:CreateUser",
		"kms:Decrypt", "lambda:InvokeFunction", "organizations:LeaveOrganization", "s3:DeleteBucket", "s3:GetObject",
		"s3:PutObject", "sts:AssumeRole"}
	return &audit.Report{
		Account:     acct,
		Source:      "testdata/auth.json + testdata/report.csv",
		Notes:       []string{"no SCP files: service control policies were not considered"},
		Credentials: allCreds,
		Users:       users,
		Findings: []audit.Finding{
			{Rule: audit.RuleStaleAccessKey, Severity: audit.SeverityInfo, Principal: userARN("dev03"), Credential: audit.CredAccessKeys,
				Message: "Access key 1 of dev03 was last used 140 days ago.", Fix: "Deactivate or delete the key: aws iam update-access-key --user-name dev03 --access-key-id AKIA... --status Inactive"},
			{Rule: audit.RuleRoleTrustWithoutMFA, Severity: audit.SeverityWarning, Principal: "arn:aws:iam::123456789012:role/deploy",
				Actions: []string{"sts:AssumeRole"}, ActionCount: 1,
				Deciding: &audit.StatementRef{Policy: "role/deploy/trust", Statement: "#0"},
				Message:  "IAM users of account 123456789012 can assume role deploy without MFA.",
				Fix:      `Add "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}} to the trust policy's statement.`},
			{Rule: audit.RuleKeysActWithoutMFA, Severity: audit.SeverityError, Principal: userARN("alice"), Credential: audit.CredAccessKeys,
				Actions: actions, ActionCount: 213, Deciding: boolDeny(),
				Message: "alice's long-term access keys can call 213 actions without MFA: the Deny with Bool aws:MultiFactorAuthPresent \"false\" does not apply to requests signed with access keys.",
				Fix:     "In RequireMFA, use BoolIfExists instead of Bool in statement BlockMostAccessUnlessSignedInWithMFA."},
			{Rule: audit.RuleNoMFADevice, Severity: audit.SeverityWarning, Principal: userARN("eve"), Credential: audit.CredConsolePassword,
				Message: "eve has a console password and no MFA device.", Fix: "Assign a virtual MFA device to eve."},
			{Rule: audit.RuleConsoleWithoutMFA, Severity: audit.SeverityError, Principal: userARN("eve"), Credential: audit.CredConsolePassword,
				Actions: actions[:3], ActionCount: 3,
				Deciding: &audit.StatementRef{Policy: "user/eve/ReadOnlyConsole", Statement: "AllowConsole", File: "testdata/auth.json", Path: "UserDetailList[1].UserPolicyList[0].PolicyDocument", Line: 12},
				Message:  "eve can act in the console without MFA.", Fix: "Assign an MFA device to eve and require MFA for console sessions."},
			{Rule: audit.RuleMFAPolicyBool, Severity: audit.SeverityError, Principal: requireMFA, Deciding: boolDeny(),
				Users:   []string{"alice", "bob", "dev01", "dev02", "dev03", "dev04", "dev05", "dev06", "dev07", "dev08", "dev09", "dev10", "dev11", "dev12"},
				Message: "RequireMFA denies with Bool aws:MultiFactorAuthPresent \"false\": requests signed with long-term keys are not denied.",
				Fix:     "Use BoolIfExists."},
		},
		Stats: audit.Stats{Users: 16, Credentials: 4, Actions: 450, Decisions: 28800},
	}
}

// hostileReport has markup, quotes and control characters in every field
// a reader's account can control (names, policy names, Sids, messages).
func hostileReport() *audit.Report {
	name := `<script>alert("x")</script>`
	u := row(name, 0, audit.ActsWithoutMFA, audit.NotApplicable, audit.ActsWithoutMFA, audit.NoAccess)
	u.ARN = "arn:aws:iam::" + acct + `:user/"><img src=x onerror=alert(1)>`
	return &audit.Report{
		Account:     `<b>1</b>`,
		Source:      "a\nforged line",
		Notes:       []string{"\x1b[31mred\x1b[0m & <i>note</i>"},
		Credentials: allCreds,
		Users:       []audit.UserResult{u},
		Findings: []audit.Finding{{
			Rule: "<rule>", Severity: audit.SeverityError, Principal: u.ARN, Credential: audit.CredAccessKeys,
			Actions: []string{"<a>:b"}, ActionCount: 1,
			Deciding: &audit.StatementRef{Policy: `user/x/</code><script>1</script>`, Statement: `"onmouseover="x`, File: "a b/<c>.json", Line: 3},
			Users:    []string{name},
			Message:  "line one\nline two <b>", Fix: "javascript:alert(1)",
		}},
	}
}
