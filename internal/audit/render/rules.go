package render

import (
	"slices"

	"github.com/awsmfa/awsmfa/internal/audit"
)

// Rule describes an audit rule for SARIF's rule list and the HTML
// report's help links.
type Rule struct {
	ID       string
	Severity audit.Severity
	Summary  string
	Help     string
	HelpURI  string
}

// Documentation the rules rely on.
const (
	uriMFAPresent = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent"
	uriEnableMFA  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html"
	uriTrustMFA   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html"
	uriRootMFA    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html"
	uriRootKeys   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html"
	uriSelfManage = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_mfa-selfmanage.html"
	// FIDO security keys work only in the console; STS takes TOTP codes.
	uriFIDO   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_fido_supported_configurations.html"
	uriSCP    = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html"
	uriUnused = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html"
)

// Rules are the audit rules, in the order SARIF lists them.
var rules = []Rule{
	{audit.RuleKeysActWithoutMFA, audit.SeverityError,
		"A user's long-term access keys can act without MFA.",
		"Requests signed with long-term access keys carry no aws:MultiFactorAuthPresent key, so a Deny with Bool \"false\" never applies to them and an Allow with BoolIfExists admits them. The actions listed are allowed without MFA beyond MFA self-service. Fix the deciding statement (BoolIfExists in the Deny), or remove the keys.",
		uriMFAPresent},
	{audit.RuleConsoleWithoutMFA, audit.SeverityError,
		"A user who signs in to the console without MFA can act.",
		"A console password without an MFA device gives sessions with aws:MultiFactorAuthPresent false. The actions listed are allowed in such a session beyond MFA self-service.",
		uriMFAPresent},
	{audit.RuleNoMFADevice, audit.SeverityWarning,
		"A user has access keys or a console password and no MFA device.",
		"Without an MFA device the user cannot get MFA sessions at all: every request they make is one without MFA. Assign a virtual MFA device (TOTP), which both the console and STS accept.",
		uriEnableMFA},
	{audit.RuleRoleTrustWithoutMFA, audit.SeverityWarning,
		"IAM users of this account can assume a role without MFA.",
		"The role's trust policy admits principals of this account without an aws:MultiFactorAuthPresent condition, so users can reach the role's permissions with credentials obtained without MFA. Add the condition to the trust policy.",
		uriTrustMFA},
	{audit.RuleRootWithoutMFA, audit.SeverityError,
		"The root user has no MFA device.",
		"The root user can do anything in the account and no policy restricts it. Enable MFA for it.",
		uriRootMFA},
	{audit.RuleRootAccessKeys, audit.SeverityError,
		"The root user has active access keys.",
		"Root access keys act without MFA and no IAM policy restricts them. Delete them.",
		uriRootKeys},
	{audit.RuleMFAPolicyBool, audit.SeverityError,
		"A deny-unless-MFA policy misses long-term access keys.",
		"The policy denies requests when aws:MultiFactorAuthPresent is \"false\" with the Bool operator; requests signed with long-term keys have no such key, so the Deny does not apply to them. Use BoolIfExists. The users the policy is attached to are listed.",
		uriMFAPresent},
	{audit.RuleMFALockout, audit.SeverityWarning,
		"A user under a deny-unless-MFA policy cannot get MFA credentials for the CLI.",
		"The user cannot enroll their own MFA device (the self-service actions are denied or not allowed), or their only MFA devices are FIDO security keys, which work in the console only: GetSessionToken and AssumeRole accept TOTP codes only. Allow MFA self-service (see " + uriSelfManage + "), or add a virtual MFA device.",
		uriFIDO},
	{audit.RuleSCPManagementAccount, audit.SeverityWarning,
		"An SCP-based MFA control is counted on in the management account.",
		"Service control policies do not affect users or roles in the organization's management account, so an MFA requirement written as an SCP does not apply there. Put the control in an IAM policy of the account.",
		uriSCP},
	{audit.RuleStaleAccessKey, audit.SeverityInfo,
		"An active access key has not been used recently.",
		"An unused active key is only risk. Deactivate or delete it.",
		uriUnused},
}

// Rules returns the audit rules' descriptions.
func Rules() []Rule { return slices.Clone(rules) }

// lookupRule returns the description of a rule ID, or one made from the
// finding's own data for a rule this package does not know.
func lookupRule(id string, sev audit.Severity) (Rule, bool) {
	for _, r := range rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{ID: id, Severity: sev, Summary: id, Help: id}, false
}
