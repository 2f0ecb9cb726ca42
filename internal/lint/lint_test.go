package lint

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// doc wraps statements in a policy with Version 2012-10-17.
func doc(stmts ...string) string {
	return `{"Version": "2012-10-17", "Statement": [` + strings.Join(stmts, ",\n") + `]}`
}

// selfService is a NotAction list that exempts everything the MFA
// self-service rules look for, so that cases about other rules stay
// focused.
const selfService = `"NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"]`

func denyCond(cond string) string {
	return `{"Sid": "D", "Effect": "Deny", ` + selfService + `, "Resource": "*", "Condition": ` + cond + `}`
}

func allowCond(cond string) string {
	return `{"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": ` + cond + `}`
}

func trustStmt(principal, cond string) string {
	s := `{"Effect": "Allow", "Principal": ` + principal + `, "Action": "sts:AssumeRole"`
	if cond != "" {
		s += `, "Condition": ` + cond
	}
	return s + `}`
}

func rulesOf(fs []Finding) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Rule
	}
	slices.Sort(out)
	return out
}

func lintString(t *testing.T, src string, opts Options) []Finding {
	t.Helper()
	fs, err := LintFile("p.json", []byte(src), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Rule == RuleInvalidPolicy {
			t.Fatalf("policy does not parse: %s at %d:%d", f.Message, f.Line, f.Column)
		}
	}
	return fs
}

func TestRules(t *testing.T) {
	tests := []struct {
		name   string
		kind   policy.Kind
		policy string
		want   []string // rule IDs, in any order
		// sev, when set, is the severity wanted for every finding.
		sev    Severity
		enable []string
	}{
		// The seed bug and its correct forms.
		{name: "deny Bool false", kind: policy.KindIdentity, policy: doc(denyCond(`{"Bool": {"aws:MultiFactorAuthPresent": "false"}}`)), want: []string{RuleDenyMissesKeys}},
		{name: "deny Bool JSON false", kind: policy.KindIdentity, policy: doc(denyCond(`{"Bool": {"aws:MultiFactorAuthPresent": false}}`)), want: []string{RuleDenyMissesKeys}},
		{name: "deny Bool false list", kind: policy.KindIdentity, policy: doc(denyCond(`{"Bool": {"aws:MultiFactorAuthPresent": ["false"]}}`)), want: []string{RuleDenyMissesKeys}},
		{name: "deny Bool false with ViaAWSService", kind: policy.KindIdentity, policy: doc(denyCond(`{"Bool": {"aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": "false"}}`)), want: []string{RuleDenyMissesKeys}},
		{name: "deny StringEquals false", kind: policy.KindIdentity, policy: doc(denyCond(`{"StringEquals": {"aws:MultiFactorAuthPresent": "false"}}`)), want: []string{RuleDenyMissesKeys, RuleConditionOperatorKeyType}},
		{name: "deny ForAnyValue Bool false", kind: policy.KindIdentity, policy: doc(denyCond(`{"ForAnyValue:Bool": {"aws:MultiFactorAuthPresent": "false"}}`)), want: []string{RuleDenyMissesKeys, RuleMFASetOperator}},
		{name: "deny BoolIfExists false", kind: policy.KindIdentity, policy: doc(denyCond(`{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}`))},
		{name: "deny BoolIfExists False capitalised", kind: policy.KindIdentity, policy: doc(denyCond(`{"BoolIfExists": {"aws:multifactorauthpresent": "False"}}`))},
		{name: "deny BoolIfExists with ViaAWSService", kind: policy.KindIdentity, policy: doc(denyCond(`{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": "false"}}`))},
		{name: "deny Null true", kind: policy.KindIdentity, policy: doc(denyCond(`{"Null": {"aws:MultiFactorAuthPresent": "true"}}`))},
		{name: "deny Null true all actions", kind: policy.KindIdentity, policy: doc(`{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Null": {"aws:MultiFactorAuthPresent": "true"}}}`)},
		{name: "deny Null true opt-in rule", kind: policy.KindIdentity, policy: doc(denyCond(`{"Null": {"aws:MultiFactorAuthPresent": "true"}}`)), want: []string{RuleDenyKeysOnly}, enable: []string{RuleDenyKeysOnly}},
		{name: "deny Null true with Bool false", kind: policy.KindIdentity, policy: doc(denyCond(`{"Null": {"aws:MultiFactorAuthPresent": "true"}}`), strings.Replace(denyCond(`{"Bool": {"aws:MultiFactorAuthPresent": "false"}}`), `"D"`, `"D2"`, 1)), enable: []string{RuleDenyKeysOnly}},
		{name: "deny ForAllValues Bool false", kind: policy.KindIdentity, policy: doc(denyCond(`{"ForAllValues:Bool": {"aws:MultiFactorAuthPresent": "false"}}`)), want: []string{RuleMFASetOperator}},
		{name: "deny StringNotEquals true", kind: policy.KindIdentity, policy: doc(denyCond(`{"StringNotEquals": {"aws:MultiFactorAuthPresent": "true"}}`)), want: []string{RuleConditionOperatorKeyType}, sev: SeverityWarning},

		// Allow with IfExists.
		{name: "allow BoolIfExists true", kind: policy.KindIdentity, policy: doc(allowCond(`{"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}`)), want: []string{RuleAllowAdmitsKeys}},
		{name: "allow NumericLessThanIfExists", kind: policy.KindIdentity, policy: doc(allowCond(`{"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}`)), want: []string{RuleAllowAdmitsKeys}},
		{name: "allow StringNotEquals false", kind: policy.KindIdentity, policy: doc(allowCond(`{"StringNotEquals": {"aws:MultiFactorAuthPresent": "false"}}`)), want: []string{RuleAllowAdmitsKeys, RuleConditionOperatorKeyType}},
		{name: "allow ForAllValues Bool true", kind: policy.KindIdentity, policy: doc(allowCond(`{"ForAllValues:Bool": {"aws:MultiFactorAuthPresent": "true"}}`)), want: []string{RuleAllowAdmitsKeys, RuleMFASetOperator}},
		{name: "allow Bool true", kind: policy.KindIdentity, policy: doc(allowCond(`{"Bool": {"aws:MultiFactorAuthPresent": "true"}}`))},
		{name: "allow Bool JSON true", kind: policy.KindIdentity, policy: doc(allowCond(`{"Bool": {"aws:MultiFactorAuthPresent": true}}`))},
		{name: "allow NumericLessThan", kind: policy.KindIdentity, policy: doc(allowCond(`{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}`))},
		{name: "allow NumericLessThan number", kind: policy.KindIdentity, policy: doc(allowCond(`{"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}`))},
		{name: "allow Bool true and age", kind: policy.KindIdentity, policy: doc(allowCond(`{"Bool": {"aws:MultiFactorAuthPresent": "true"}, "NumericLessThan": {"aws:MultiFactorAuthAge": "900"}}`))},
		{name: "allow Null false", kind: policy.KindIdentity, policy: doc(allowCond(`{"Null": {"aws:MultiFactorAuthPresent": "false"}}`))},

		// MFA age in a Deny.
		{name: "deny age without IfExists", kind: policy.KindIdentity, policy: doc(denyCond(`{"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}`)), want: []string{RuleAgeDenyMissesNoMFA}},
		{name: "deny age with IfExists", kind: policy.KindIdentity, policy: doc(denyCond(`{"NumericGreaterThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}`))},
		{name: "deny age paired with BoolIfExists", kind: policy.KindIdentity, policy: doc(denyCond(`{"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}`), strings.Replace(denyCond(`{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}`), `"D"`, `"D2"`, 1))},

		// Contradictions and inversions.
		{name: "deny age and Bool false", kind: policy.KindIdentity, policy: doc(denyCond(`{"NumericGreaterThan": {"aws:MultiFactorAuthAge": "21600"}, "Bool": {"aws:MultiFactorAuthPresent": "false"}}`)), want: []string{RuleMFANeverMatches}, sev: SeverityError},
		{name: "allow Bool false and age", kind: policy.KindIdentity, policy: doc(allowCond(`{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}, "Bool": {"aws:MultiFactorAuthPresent": "false"}}`)), want: []string{RuleMFANeverMatches}, sev: SeverityWarning},
		{name: "deny BoolIfExists true", kind: policy.KindIdentity, policy: doc(denyCond(`{"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}`)), want: []string{RuleMFAInverted}},
		{name: "deny Bool true", kind: policy.KindIdentity, policy: doc(denyCond(`{"Bool": {"aws:MultiFactorAuthPresent": "true"}}`)), want: []string{RuleMFAInverted}},
		{name: "allow Bool false", kind: policy.KindIdentity, policy: doc(allowCond(`{"Bool": {"aws:MultiFactorAuthPresent": "false"}}`)), want: []string{RuleMFAInverted}},

		// Enrollment and self-service.
		{name: "deny all actions", kind: policy.KindIdentity, policy: doc(`{"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}`), want: []string{RuleDenyBlocksEnrollment, RuleDenyBlocksSelfService}},
		{name: "deny iam star", kind: policy.KindIdentity, policy: doc(`{"Effect": "Deny", "Action": ["s3:*", "iam:*"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}`), want: []string{RuleDenyBlocksEnrollment, RuleDenyBlocksSelfService}},
		{name: "deny NotAction without EnableMFADevice", kind: policy.KindIdentity, policy: doc(`{"Effect": "Deny", "NotAction": ["iam:CreateVirtualMFADevice", "iam:GetUser", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}`), want: []string{RuleDenyBlocksEnrollment}},
		{name: "deny NotAction without ListMFADevices", kind: policy.KindIdentity, policy: doc(`{"Effect": "Deny", "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}`), want: []string{RuleDenyBlocksSelfService}},
		{name: "deny NotAction wildcards", kind: policy.KindIdentity, policy: doc(`{"Effect": "Deny", "NotAction": ["iam:*MFA*", "iam:GetUser"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}`)},
		{name: "deny NotAction iam", kind: policy.KindIdentity, policy: doc(`{"Effect": "Deny", "NotAction": "iam:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}`)},
		{name: "deny all on S3 resources only", kind: policy.KindIdentity, policy: doc(`{"Effect": "Deny", "Action": "*", "Resource": "arn:aws:s3:::secrets/*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}`)},
		{name: "deny all but NotResource own user", kind: policy.KindIdentity, policy: doc(`{"Effect": "Deny", "Action": "*", "NotResource": ["arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:mfa/*"], "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}`), want: []string{RuleDenyBlocksSelfService}},
		{name: "deny s3 only", kind: policy.KindIdentity, policy: doc(`{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}`)},
		{name: "no GetSessionToken exemption needed", kind: policy.KindIdentity, policy: doc(`{"Effect": "Deny", "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}`)},
		{name: "resource policy deny all", kind: policy.KindResource, policy: doc(`{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}`)},

		// Trust policies.
		{name: "trust user without MFA", kind: policy.KindTrust, policy: doc(trustStmt(`{"AWS": "arn:aws:iam::123456789012:user/anika"}`, "")), want: []string{RuleTrustWithoutMFA}},
		{name: "trust account id without MFA", kind: policy.KindTrust, policy: doc(trustStmt(`{"AWS": "123456789012"}`, "")), want: []string{RuleTrustWithoutMFA}},
		{name: "trust root without MFA", kind: policy.KindTrust, policy: doc(trustStmt(`{"AWS": ["arn:aws:iam::111122223333:role/ci", "arn:aws:iam::123456789012:root"]}`, "")), want: []string{RuleTrustWithoutMFA}},
		{name: "trust with MFA", kind: policy.KindTrust, policy: doc(trustStmt(`{"AWS": "arn:aws:iam::123456789012:user/anika"}`, `{"Bool": {"aws:MultiFactorAuthPresent": "true"}}`))},
		{name: "trust with MFA age", kind: policy.KindTrust, policy: doc(trustStmt(`{"AWS": "arn:aws:iam::123456789012:root"}`, `{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}`))},
		{name: "trust BoolIfExists true", kind: policy.KindTrust, policy: doc(trustStmt(`{"AWS": "arn:aws:iam::123456789012:user/anika"}`, `{"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}`)), want: []string{RuleAllowAdmitsKeys}},
		{name: "trust role principal", kind: policy.KindTrust, policy: doc(trustStmt(`{"AWS": "arn:aws:iam::123456789012:role/ci"}`, ""))},
		{name: "trust service", kind: policy.KindTrust, policy: doc(trustStmt(`{"Service": "ec2.amazonaws.com"}`, ""))},
		{name: "trust third party external id", kind: policy.KindTrust, policy: doc(trustStmt(`{"AWS": "arn:aws:iam::999999999999:root"}`, `{"StringEquals": {"sts:ExternalId": "x-1"}}`))},
		{name: "trust web identity", kind: policy.KindTrust, policy: doc(`{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}`)},
		{name: "identity allow AssumeRole is not a trust policy", kind: policy.KindIdentity, policy: doc(`{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::123456789012:role/admin"}`)},

		// SCPs.
		{name: "scp unscoped NotAction", kind: policy.KindSCP, policy: doc(denyCond(`{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}`)), want: []string{RuleSCPUnscoped}, sev: SeverityError},
		{name: "scp unscoped narrow", kind: policy.KindSCP, policy: doc(`{"Effect": "Deny", "Action": ["ec2:TerminateInstances"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}`), want: []string{RuleSCPUnscoped}, sev: SeverityWarning},
		{name: "scp scoped to users", kind: policy.KindSCP, policy: doc(denyCond(`{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}, "StringEquals": {"aws:PrincipalType": "User"}}`))},
		{name: "scp excluding roles", kind: policy.KindSCP, policy: doc(denyCond(`{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}, "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}`))},
		{name: "scp keys only", kind: policy.KindSCP, policy: doc(denyCond(`{"Null": {"aws:MultiFactorAuthPresent": "true"}}`))},
		{name: "scp seed bug", kind: policy.KindSCP, policy: doc(denyCond(`{"Bool": {"aws:MultiFactorAuthPresent": "false"}}`)), want: []string{RuleDenyMissesKeys, RuleSCPUnscoped}},
		{name: "identity same statement", kind: policy.KindIdentity, policy: doc(denyCond(`{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}`))},

		// Set operators on other keys.
		{name: "ForAllValues on PrincipalType", kind: policy.KindIdentity, policy: doc(allowCond(`{"ForAllValues:StringEquals": {"aws:PrincipalType": "User"}}`)), want: []string{RuleSetOperatorSingleValued}},
		{name: "ForAnyValue on TagKeys", kind: policy.KindIdentity, policy: doc(allowCond(`{"ForAnyValue:StringLike": {"aws:TagKeys": "team*"}}`))},
		{name: "ForAllValues on a service key", kind: policy.KindIdentity, policy: doc(allowCond(`{"ForAllValues:StringEquals": {"dynamodb:Attributes": ["id"]}}`))},

		// Condition values.
		{name: "Bool yes", kind: policy.KindIdentity, policy: doc(allowCond(`{"Bool": {"aws:SecureTransport": "yes"}}`)), want: []string{RuleConditionValue}},
		{name: "Bool number", kind: policy.KindIdentity, policy: doc(allowCond(`{"Bool": {"aws:SecureTransport": 1}}`)), want: []string{RuleConditionValue}},
		{name: "Bool trailing space", kind: policy.KindIdentity, policy: doc(allowCond(`{"Bool": {"aws:SecureTransport": "True "}}`)), want: []string{RuleConditionValue}},
		{name: "Bool True", kind: policy.KindIdentity, policy: doc(allowCond(`{"Bool": {"aws:SecureTransport": "True"}}`))},
		{name: "Null yes", kind: policy.KindIdentity, policy: doc(allowCond(`{"Null": {"aws:TokenIssueTime": "yes"}}`)), want: []string{RuleConditionValue}},
		{name: "Numeric words", kind: policy.KindIdentity, policy: doc(allowCond(`{"NumericLessThan": {"aws:MultiFactorAuthAge": "one hour"}}`)), want: []string{RuleConditionValue, RuleMFANeverMatches}},
		{name: "Numeric with unit", kind: policy.KindIdentity, policy: doc(allowCond(`{"NumericLessThan": {"s3:max-keys": "10s"}}`)), want: []string{RuleConditionValue}},

		// Operators that do not fit the key.
		{name: "Bool on age", kind: policy.KindIdentity, policy: doc(allowCond(`{"Bool": {"aws:MultiFactorAuthAge": "true"}}`)), want: []string{RuleConditionOperatorKeyType}, sev: SeverityError},
		{name: "Date on present", kind: policy.KindIdentity, policy: doc(allowCond(`{"DateGreaterThan": {"aws:MultiFactorAuthPresent": "2020-01-01T00:00:00Z"}}`)), want: []string{RuleConditionOperatorKeyType}, sev: SeverityError},
		{name: "String on SecureTransport", kind: policy.KindIdentity, policy: doc(allowCond(`{"StringEquals": {"aws:SecureTransport": "true"}}`)), want: []string{RuleConditionOperatorKeyType}, sev: SeverityWarning},
		{name: "Numeric on EpochTime", kind: policy.KindIdentity, policy: doc(allowCond(`{"NumericGreaterThan": {"aws:EpochTime": "1700000000"}}`))},
		{name: "Date on CurrentTime", kind: policy.KindIdentity, policy: doc(allowCond(`{"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}`))},

		// Version and variables.
		{name: "no version", kind: policy.KindIdentity, policy: `{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}`, want: []string{RuleVersionMissing}, sev: SeverityInfo},
		{name: "no version with variable", kind: policy.KindIdentity, policy: `{"Statement": {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${aws:username}"}}`, want: []string{RuleVariablesWithoutVersion}},
		{name: "old version with variable", kind: policy.KindIdentity, policy: `{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}}}`, want: []string{RuleVariablesWithoutVersion}},
		{name: "old version", kind: policy.KindIdentity, policy: `{"Version": "2008-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}`},
		{name: "current version with variable", kind: policy.KindIdentity, policy: doc(`{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${aws:username}"}`)},

		// Actions and resources.
		{name: "action without prefix", kind: policy.KindIdentity, policy: doc(`{"Effect": "Allow", "Action": ["CreateUser", "iam:GetUser"], "Resource": "*"}`), want: []string{RuleActionInvalid}},
		{name: "action with space", kind: policy.KindIdentity, policy: doc(`{"Effect": "Allow", "Action": "iam: GetUser", "Resource": "*"}`), want: []string{RuleActionNeverMatches}},
		{name: "action empty name", kind: policy.KindIdentity, policy: doc(`{"Effect": "Allow", "NotAction": "iam:", "Resource": "*"}`), want: []string{RuleActionNeverMatches}},
		{name: "action trailing space in a Deny", kind: policy.KindIdentity, policy: doc(`{"Effect": "Deny", "Action": "s3:DeleteBucket ", "Resource": "*"}`), want: []string{RuleActionNeverMatches}},
		{name: "empty action", kind: policy.KindIdentity, policy: doc(`{"Effect": "Deny", "Action": ["", "s3:DeleteBucket"], "Resource": "*"}`), want: []string{RuleActionNeverMatches}},
		{name: "ForAnyValue on PrincipalType", kind: policy.KindIdentity, policy: doc(allowCond(`{"ForAnyValue:StringNotEquals": {"aws:PrincipalType": "User"}}`)), want: []string{RuleSetOperatorSingleValued}},
		{name: "actions with wildcards", kind: policy.KindIdentity, policy: doc(`{"Effect": "Allow", "Action": ["iam:Get*", "s3:?etObject", "*", "ec2-instance-connect:SendSSHPublicKey"], "Resource": "*"}`)},
		{name: "resource not an arn", kind: policy.KindIdentity, policy: doc(`{"Effect": "Allow", "Action": "s3:*", "Resource": "my-bucket"}`), want: []string{RuleResourceInvalid}},
		{name: "resource incomplete arn", kind: policy.KindIdentity, policy: doc(`{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:bucket"}`), want: []string{RuleResourceInvalid}},
		{name: "resources valid", kind: policy.KindIdentity, policy: doc(`{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*", "arn:aws:iam::*:user/${aws:username}", "arn:*"]}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := lintString(t, tt.policy, Options{Kind: tt.kind, Enable: tt.enable})
			got := rulesOf(fs)
			want := append([]string{}, tt.want...)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				for _, f := range fs {
					t.Logf("%d:%d %s %s: %s", f.Line, f.Column, f.Severity, f.Rule, f.Message)
				}
				t.Fatalf("rules %v, want %v", got, want)
			}
			for _, f := range fs {
				if tt.sev != 0 && f.Severity != tt.sev {
					t.Errorf("%s: severity %v, want %v", f.Rule, f.Severity, tt.sev)
				}
				if f.Message == "" || f.Fix == "" || f.Line < 1 || f.Column < 1 || f.File != "p.json" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
		})
	}
}

// TestPositions checks that findings point at the element to change.
func TestPositions(t *testing.T) {
	src := doc(`{"Sid": "S0", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}`,
		`{"Sid": "S1",
  "Effect": "Deny",
  `+selfService+`,
  "Resource": "*",
  "Condition": {
    "Bool": {"aws:MultiFactorAuthPresent": "false"}
  }}`,
		`{"Effect": "Allow", "Action": ["s3:GetObject",
  "GetUser"], "Resource": "*"}`)
	fs := lintString(t, src, Options{Kind: policy.KindIdentity})
	want := []Finding{
		{Rule: RuleDenyMissesKeys, Line: 7, Column: 5, Statement: "S1"},
		{Rule: RuleActionInvalid, Line: 10, Column: 3, Statement: "#2"},
	}
	if len(fs) != len(want) {
		t.Fatalf("findings %+v", fs)
	}
	for i, w := range want {
		f := fs[i]
		if f.Rule != w.Rule || f.Line != w.Line || f.Column != w.Column || f.Statement != w.Statement {
			t.Errorf("finding %d = %s %d:%d %s, want %s %d:%d %s", i, f.Rule, f.Line, f.Column, f.Statement, w.Rule, w.Line, w.Column, w.Statement)
		}
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// lineOf returns the 1-based line and byte column of the n-th occurrence of
// needle.
func lineOf(t *testing.T, data []byte, needle string, n int) (int, int) {
	t.Helper()
	off, from := -1, 0
	for i := 0; i <= n; i++ {
		j := strings.Index(string(data[from:]), needle)
		if j < 0 {
			t.Fatalf("%q #%d not found", needle, n)
		}
		off = from + j
		from = off + 1
	}
	line := 1 + strings.Count(string(data[:off]), "\n")
	col := off - (strings.LastIndex(string(data[:off]), "\n") + 1) + 1
	return line, col
}

type wantAt struct {
	rule   string
	needle string
	n      int
	path   string
}

func TestFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []wantAt
	}{
		{"seed000_deny_bool.json", []wantAt{
			{RuleDenyBlocksSelfService, `"NotAction"`, 0, ""},
			{RuleDenyMissesKeys, `"Bool"`, 0, ""},
		}},
		{"seed000_fixed_boolifexists.json", nil},
		{"seed002_trust_mfa.json", nil},
		{"seed004_group_boolifexists.json", nil},
		{"aws_selfmanage_example.json", nil},
		{"deny_null_keys.json", nil},
		{"cfn_template.yaml", []wantAt{
			{RuleDenyMissesKeys, "Bool:", 0, "Resources.CliUsers.Properties.Policies[0].PolicyDocument"},
			{RuleAllowAdmitsKeys, "BoolIfExists:", 1, "Resources.AdminRole.Properties.AssumeRolePolicyDocument"},
			{RuleAllowAdmitsKeys, `"NumericLessThanIfExists"`, 0, "Resources.AdminRole.Properties.Policies[0].PolicyDocument"},
		}},
		{"cfn_template.json", []wantAt{
			{RuleDenyBlocksEnrollment, `"Action": "*"`, 0, "Resources.RequireMfa.Properties.PolicyDocument"},
			{RuleDenyBlocksSelfService, `"Action": "*"`, 0, "Resources.RequireMfa.Properties.PolicyDocument"},
			{RuleDenyMissesKeys, `\"Bool\"`, 0, "Resources.Key.Properties.KeyPolicy"},
		}},
		{"tf_plan.json", []wantAt{
			{RuleDenyMissesKeys, `\"Bool\"`, 0, "planned_values.root_module.resources[0].values.policy"},
			{RuleTrustWithoutMFA, `\"Principal\"`, 0, "planned_values.root_module.resources[1].values.assume_role_policy"},
			{RuleSCPUnscoped, `\"BoolIfExists\"`, 0, "planned_values.root_module.resources[2].values.content"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readFixture(t, tt.file)
			fs, err := LintFile(tt.file, data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != len(tt.want) {
				for _, f := range fs {
					t.Logf("%d:%d %s %s %s", f.Line, f.Column, f.Rule, f.Path, f.Message)
				}
				t.Fatalf("%d findings, want %d", len(fs), len(tt.want))
			}
			for i, w := range tt.want {
				f := fs[i]
				line, col := lineOf(t, data, w.needle, w.n)
				if f.Rule != w.rule || f.Line != line || f.Column != col || f.Path != w.path || f.File != tt.file {
					t.Errorf("finding %d = %s at %d:%d in %q, want %s at %d:%d in %q", i, f.Rule, f.Line, f.Column, f.Path, w.rule, line, col, w.path)
				}
			}
		})
	}
}

func TestInvalidPolicyFindings(t *testing.T) {
	tests := []struct {
		name, file, src string
		line, col       int
		msg             string
	}{
		{"bad json", "p.json", "{\n  \"Statement\": [}\n", 2, 17, "invalid JSON"},
		{"bad yaml", "t.yaml", "Resources:\n  X: [1,\n  Y: 2\n", 2, 3, "invalid YAML"},
		{"bad effect", "p.json", `{"Version": "2012-10-17", "Statement": {"Effect": "allow", "Action": "s3:*", "Resource": "*"}}`, 1, 51, "Effect"},
		{"embedded string", "t.json", `{"Resources": {"P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": "{\"Statement\": [}"}}}}`, 1, 1 + strings.Index(`{"Resources": {"P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyDocument": "{\"Statement\": [}"}}}}`, "[}") + 1, "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := LintFile(tt.file, []byte(tt.src), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) == 0 || fs[0].Rule != RuleInvalidPolicy || fs[0].Severity != SeverityError {
				t.Fatalf("findings %+v", fs)
			}
			f := fs[0]
			if f.Line != tt.line || f.Column != tt.col || !strings.Contains(f.Message, tt.msg) || f.File != tt.file {
				t.Errorf("got %s:%d:%d %q, want %d:%d containing %q", f.File, f.Line, f.Column, f.Message, tt.line, tt.col, tt.msg)
			}
		})
	}
	// Disabled, the rule reports nothing.
	fs, err := LintFile("p.json", []byte("{"), Options{Disable: []string{RuleInvalidPolicy}})
	if err != nil || len(fs) != 0 {
		t.Errorf("disabled invalid-policy: %+v %v", fs, err)
	}
}

func TestOptions(t *testing.T) {
	src := doc(denyCond(`{"Bool": {"aws:MultiFactorAuthPresent": "false"}}`))
	if fs := lintString(t, src, Options{Disable: []string{RuleDenyMissesKeys}}); len(fs) != 0 {
		t.Errorf("disabled rule reported: %+v", fs)
	}
	// The kind override turns an identity policy into an SCP.
	src = doc(denyCond(`{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}`))
	if got := rulesOf(lintString(t, src, Options{})); len(got) != 0 {
		t.Errorf("as identity: %v", got)
	}
	if got := rulesOf(lintString(t, src, Options{Kind: policy.KindSCP})); !slices.Equal(got, []string{RuleSCPUnscoped}) {
		t.Errorf("as SCP: %v", got)
	}
}

func TestRulesRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] {
			t.Errorf("duplicate rule %s", r.ID)
		}
		seen[r.ID] = true
		if r.Summary == "" || r.Help == "" || !strings.HasPrefix(r.HelpURI, "https://") || r.Severity < SeverityInfo || r.Severity > SeverityError {
			t.Errorf("incomplete rule %+v", r)
		}
		for _, c := range r.ID {
			if !(c >= 'a' && c <= 'z' || c == '-') {
				t.Errorf("rule ID %q is not kebab-case", r.ID)
				break
			}
		}
	}
}

func TestSortFindings(t *testing.T) {
	fs := []Finding{
		{File: "b", Line: 1, Column: 1, Rule: "a"},
		{File: "a", Line: 2, Column: 1, Rule: "a"},
		{File: "a", Line: 1, Column: 5, Rule: "b", Message: "first"},
		{File: "a", Line: 1, Column: 5, Rule: "a"},
		{File: "a", Line: 1, Column: 5, Rule: "b", Message: "second"},
	}
	SortFindings(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.File+f.Rule+f.Message)
	}
	want := []string{"aa", "abfirst", "absecond", "aa", "ba"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func FuzzLintFile(f *testing.F) {
	for _, name := range []string{"seed000_deny_bool.json", "seed002_trust_mfa.json", "cfn_template.yaml", "cfn_template.json", "tf_plan.json"} {
		f.Add(name, readFixture(f, name))
	}
	f.Add("p.json", []byte(doc(denyCond(`{"ForAnyValue:NumericGreaterThan": {"aws:MultiFactorAuthAge": ["1", "x"]}, "Null": {"aws:MultiFactorAuthPresent": ["true", "false"]}}`))))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		fs, err := LintFile(name, data, Options{Enable: []string{RuleDenyKeysOnly}})
		if err != nil {
			t.Fatalf("error %v", err)
		}
		lines := 1 + strings.Count(string(data), "\n") + strings.Count(string(data), "\r")
		for _, x := range fs {
			if _, ok := LookupRule(x.Rule); !ok || x.Severity < SeverityInfo || x.Severity > SeverityError || x.Message == "" {
				t.Fatalf("bad finding %+v", x)
			}
			if x.Line > lines || x.Line < 0 {
				t.Fatalf("line %d beyond %d lines", x.Line, lines)
			}
		}
	})
}

// Input beyond a limit is an error of LintFile (the command exits 2), not a
// finding: the file was not linted.
func TestLintFileLimits(t *testing.T) {
	for _, c := range []struct{ name, file, data, want string }{
		{"nesting", "p.json", strings.Repeat("[", 1_000_000), "p.json:1:257: nesting deeper than 256 levels, the limit for JSON input"},
		{"embedded nesting", "plan.json", `{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"address":"aws_iam_policy.p","type":"aws_iam_policy","values":{"policy":"` + strings.Repeat("[", 300) + `"}}]}}}`, "plan.json:1:401: nesting deeper than 256 levels, the limit for JSON input"},
		{"YAML nesting", "t.yaml", strings.Repeat("[", 1_000_000), "t.yaml:1:1: nesting deeper than 256 levels, the limit for YAML input"},
	} {
		fs, err := LintFile(c.file, []byte(c.data), Options{})
		if err == nil || err.Error() != c.want || !policy.IsLimit(err) || fs != nil {
			t.Errorf("%s: findings %v, error %v; want %q", c.name, fs, err, c.want)
		}
	}
	// A syntax error stays a finding.
	fs, err := LintFile("p.json", []byte(`{"Statement": [`), Options{})
	if err != nil || len(fs) != 1 || fs[0].Rule != RuleInvalidPolicy {
		t.Errorf("syntax error: %v %v", fs, err)
	}
}

// A policy reports at most MaxFindingsPerPolicy findings and one more that
// says how many were left out.
func TestFindingsCap(t *testing.T) {
	actions := make([]string, 3*MaxFindingsPerPolicy)
	for i := range actions {
		actions[i] = `"GetObject` + strings.Repeat("x", i%7) + `"`
	}
	fs, err := LintFile("many.json", []byte(doc(`{"Effect": "Allow", "Action": [`+strings.Join(actions, ",")+`], "Resource": "*"}`)), Options{Disable: []string{RulePolicySize}})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != MaxFindingsPerPolicy+1 {
		t.Fatalf("%d findings, want %d", len(fs), MaxFindingsPerPolicy+1)
	}
	var note *Finding
	for i := range fs {
		if strings.Contains(fs[i].Message, "more findings in this policy are not reported") {
			note = &fs[i]
		}
	}
	if note == nil || !strings.HasPrefix(note.Message, "400 more findings in this policy are not reported (at most 200 per policy); the first was: ") {
		t.Fatalf("no note about the left-out findings: %+v", note)
	}
}

// Messages name what was written: the set qualifier actually used, and why
// an action with white space or an empty name never matches.
func TestMessagesNameWhatWasWritten(t *testing.T) {
	cases := []struct {
		policy, rule, want string
	}{
		{doc(allowCond(`{"ForAllValues:StringEquals": {"aws:PrincipalType": "User"}}`)), RuleSetOperatorSingleValued,
			`aws:PrincipalType is a single-valued key, but "ForAllValues:StringEquals" uses the set qualifier ForAllValues, meant for multivalued keys: ForAllValues also matches when the key is absent (an empty set satisfies "for all"), which "StringEquals" does not.`},
		{doc(allowCond(`{"ForAnyValue:StringEquals": {"aws:PrincipalType": "User"}}`)), RuleSetOperatorSingleValued,
			`aws:PrincipalType is a single-valued key, but "ForAnyValue:StringEquals" uses the set qualifier ForAnyValue, meant for multivalued keys: ForAnyValue behaves as "StringEquals" here, so the qualifier only misleads readers.`},
		{doc(allowCond(`{"ForAnyValue:StringNotEquals": {"aws:PrincipalType": "User"}}`)), RuleSetOperatorSingleValued,
			`ForAnyValue does not match when the key is absent, while "StringNotEquals" does.`},
		{doc(denyCond(`{"ForAnyValue:Bool": {"aws:MultiFactorAuthPresent": "false"}}`)), RuleMFASetOperator,
			`"ForAnyValue:Bool" is false when the key is absent`},
		{doc(allowCond(`{"ForAllValues:Bool": {"aws:MultiFactorAuthPresent": "true"}}`)), RuleMFASetOperator,
			`"ForAllValues:Bool" is true when the key is absent`},
		{doc(`{"Effect": "Allow", "Action": "iam: GetUser", "Resource": "*"}`), RuleActionNeverMatches,
			`Action "iam: GetUser" contains white space: AWS accepts and stores it, but it never matches an action (an Allow grants nothing with it).`},
		{doc(`{"Effect": "Deny", "Action": "s3:DeleteBucket ", "Resource": "*"}`), RuleActionNeverMatches,
			`Action "s3:DeleteBucket " has leading or trailing white space: AWS accepts and stores it, but it never matches an action (a Deny denies nothing with it).`},
		{doc(`{"Effect": "Allow", "NotAction": "iam:", "Resource": "*"}`), RuleActionNeverMatches,
			`NotAction "iam:" has an empty action name: AWS accepts and stores it, but it never matches an action (as NotAction it excludes nothing, so the statement applies to every action).`},
		{doc(`{"Effect": "Deny", "Action": "", "Resource": "*"}`), RuleActionNeverMatches,
			`Action "" is empty: AWS accepts and stores it, but it never matches an action (a Deny denies nothing with it).`},
	}
	for _, c := range cases {
		fs := lintString(t, c.policy, Options{Kind: policy.KindIdentity})
		found := false
		for _, f := range fs {
			if f.Rule == c.rule && strings.Contains(f.Message, c.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no %s finding saying %q:\n%+v", c.policy, c.rule, c.want, fs)
		}
	}
}

// A document of many MFA Deny statements is linted in linear time: the
// cross-statement check considers a bounded number of peers, and long
// action lists are compared through a set.
func TestLintManyStatementsIsBounded(t *testing.T) {
	stmts := make([]string, 40000)
	for i := range stmts {
		stmts[i] = fmt.Sprintf(`{"Sid": "S%d", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}`, i)
	}
	actions := make([]string, 5000)
	for i := range actions {
		actions[i] = fmt.Sprintf(`"s3:Get%d"`, i)
	}
	for name, p := range map[string]string{
		"statements": doc(stmts...),
		"long lists": doc(
			`{"Effect": "Deny", "Action": [`+strings.Join(actions, ",")+`], "Resource": "*", "Condition": {"Null": {"aws:MultiFactorAuthPresent": "true"}}}`,
			`{"Effect": "Deny", "Action": [`+strings.Join(actions, ",")+`], "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}`),
	} {
		start := time.Now()
		fs, err := LintFile("many.json", []byte(p), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: %v", name, d)
		}
		if name == "long lists" {
			// The Null deny covers access keys for the Bool deny: no
			// mfa-deny-misses-long-term-keys.
			for _, f := range fs {
				if f.Rule == RuleDenyMissesKeys {
					t.Errorf("long lists: %s", f.Message)
				}
			}
		}
	}
}
