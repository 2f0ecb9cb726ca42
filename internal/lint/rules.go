package lint

// Rule describes one check.
type Rule struct {
	// ID is the short kebab-case name used in findings and Options.
	ID string `json:"id"`
	// Severity is the default severity; a finding may be more or less
	// severe than its rule's default when the message says why.
	Severity Severity `json:"severity"`
	// Summary is one line.
	Summary string `json:"summary"`
	// Help explains the rule: what AWS does, which requests are affected,
	// and how to fix it.
	Help string `json:"help"`
	// HelpURI points at the AWS documentation behind the rule.
	HelpURI string `json:"helpUri"`
	// Optional rules run only when named in Options.Enable.
	Optional bool `json:"optional,omitempty"`
}

// Documentation the rules rely on.
const (
	uriMFAPresent = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent"
	uriMFAAge     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthage"
	uriIfExists   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists"
	uriSelfManage = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_iam_mfa-selfmanage.html"
	uriGetSession = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html"
	uriTrustMFA   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html"
	uriSCP        = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html"
	uriMultiValue = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html"
	uriOperators  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
	uriVersion    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"
	uriAction     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"
	uriResource   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"
	uriGrammar    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
	uriQuotas     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length"
)

// Rule IDs.
const (
	RuleInvalidPolicy            = "invalid-policy"
	RuleDenyMissesKeys           = "mfa-deny-misses-long-term-keys"
	RuleAllowAdmitsKeys          = "mfa-allow-admits-long-term-keys"
	RuleAgeDenyMissesNoMFA       = "mfa-age-deny-misses-no-mfa"
	RuleMFANeverMatches          = "mfa-condition-never-matches"
	RuleMFAInverted              = "mfa-condition-inverted"
	RuleDenyBlocksEnrollment     = "mfa-deny-blocks-enrollment"
	RuleDenyBlocksSelfService    = "mfa-deny-blocks-self-service"
	RuleDenyKeysOnly             = "mfa-deny-long-term-keys-only"
	RuleTrustWithoutMFA          = "trust-assume-role-without-mfa"
	RuleSCPUnscoped              = "scp-mfa-deny-not-scoped-to-users"
	RuleMFASetOperator           = "mfa-set-operator"
	RuleSetOperatorSingleValued  = "set-operator-on-single-valued-key"
	RuleConditionValue           = "condition-value-type"
	RuleConditionOperatorKeyType = "condition-operator-key-type"
	RuleVersionMissing           = "version-missing"
	RuleVariablesWithoutVersion  = "policy-variables-need-version"
	RuleActionInvalid            = "action-invalid"
	RuleResourceInvalid          = "resource-arn-invalid"
	RulePolicySize               = "policy-size-quota"
	RuleActionNeverMatches       = "action-matches-nothing"
)

var rules = []Rule{
	{
		ID: RuleInvalidPolicy, Severity: SeverityError,
		Summary: "The policy cannot be parsed or is not a valid policy of its kind",
		Help:    "The file is not valid JSON/YAML, or the policy breaks the IAM policy grammar for its kind (identity, trust, resource, SCP, RCP...). AWS rejects such a document (MalformedPolicyDocument).",
		HelpURI: uriGrammar,
	},
	{
		ID: RuleDenyMissesKeys, Severity: SeverityError,
		Summary: "Deny-without-MFA does not match requests signed with long-term access keys",
		Help: "aws:MultiFactorAuthPresent is only in the request context of temporary credentials; requests signed with an IAM user's access keys (the AWS CLI with aws_access_key_id) do not have it. " +
			"Bool (without IfExists) and the String operators do not match an absent key, so a Deny on \"Bool\": {\"aws:MultiFactorAuthPresent\": \"false\"} denies console and session-token users without MFA but lets every access-key request through. " +
			"Use BoolIfExists, which matches when the key is absent: \"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\"}.",
		HelpURI: uriMFAPresent,
	},
	{
		ID: RuleAllowAdmitsKeys, Severity: SeverityError,
		Summary: "Allow-with-MFA also matches requests without MFA because of IfExists",
		Help: "IfExists makes a condition true when its key is absent. aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge are absent from requests signed with long-term access keys (and MultiFactorAuthAge also from temporary credentials without MFA), " +
			"so an Allow on \"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"true\"} or \"NumericLessThanIfExists\": {\"aws:MultiFactorAuthAge\": ...} grants access to access-key requests with no MFA (in a trust policy: AssumeRole called with access keys and no --serial-number). " +
			"In an Allow, use \"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"} or \"NumericLessThan\": {\"aws:MultiFactorAuthAge\": ...} without IfExists.",
		HelpURI: uriIfExists,
	},
	{
		ID: RuleAgeDenyMissesNoMFA, Severity: SeverityError,
		Summary: "Deny on aws:MultiFactorAuthAge without IfExists lets requests with no MFA through",
		Help: "aws:MultiFactorAuthAge is present only when MFA was used. NumericGreaterThan does not match an absent key, so a Deny on \"NumericGreaterThan\": {\"aws:MultiFactorAuthAge\": N} only limits how old an MFA sign-in may be: " +
			"requests signed with access keys and temporary credentials obtained without MFA are not denied. Use NumericGreaterThanIfExists, or pair the age check with a Deny on \"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\"}.",
		HelpURI: uriMFAAge,
	},
	{
		ID: RuleMFANeverMatches, Severity: SeverityError,
		Summary: "The statement's MFA conditions contradict each other",
		Help: "All conditions of a statement must match. Combinations such as \"Bool\": {\"aws:MultiFactorAuthPresent\": \"false\"} with \"NumericGreaterThan\": {\"aws:MultiFactorAuthAge\": ...} can never both hold (the age is only present when MFA was used), " +
			"so the statement never applies: a Deny denies nothing, an Allow grants nothing. Split the conditions into separate statements.",
		HelpURI: uriMFAAge,
	},
	{
		ID: RuleMFAInverted, Severity: SeverityWarning,
		Summary: "The MFA condition is inverted: it denies requests with MFA or allows only requests without it",
		Help:    "A Deny that matches MFA-authenticated requests but not temporary credentials without MFA (or an Allow that matches only requests without MFA) is almost always a typo of true/false or of the operator.",
		HelpURI: uriMFAPresent,
	},
	{
		ID: RuleDenyBlocksEnrollment, Severity: SeverityError,
		Summary: "Deny-without-MFA also denies the actions a user needs to enroll an MFA device",
		Help: "A user who has no MFA device yet can only satisfy an MFA requirement after enrolling one, which takes iam:CreateVirtualMFADevice and iam:EnableMFADevice without MFA. " +
			"A deny-unless-MFA statement that also denies these (Action \"*\", or a NotAction list without them) locks such users out until an administrator enrolls a device for them. " +
			"Use NotAction with the enrollment actions, as in the AWS example policy. sts:GetSessionToken needs no exception: policies do not control GetSessionToken (" + uriGetSession + ").",
		HelpURI: uriSelfManage,
	},
	{
		ID: RuleDenyBlocksSelfService, Severity: SeverityWarning,
		Summary: "Deny-without-MFA also denies the MFA self-service actions of the AWS example policy",
		Help: "Besides enrolling, users without an MFA session need iam:ListMFADevices (the AWS CLI needs the device ARN for --serial-number), iam:ResyncMFADevice (a drifted device), iam:GetUser and iam:ListVirtualMFADevices (the console's security credentials page). " +
			"The AWS example policy exempts all of them.",
		HelpURI: uriSelfManage,
	},
	{
		ID: RuleDenyKeysOnly, Severity: SeverityInfo, Optional: true,
		Summary: "Deny on Null aws:MultiFactorAuthPresent denies only long-term access keys, not sessions without MFA",
		Help: "\"Null\": {\"aws:MultiFactorAuthPresent\": \"true\"} matches only requests signed with long-term access keys: it is the right way to deny access keys, but it is not an MFA requirement on its own. " +
			"Anyone holding the access keys can call sts:GetSessionToken without an MFA code (policies cannot prevent it) and use the returned credentials, whose aws:MultiFactorAuthPresent is \"false\", with every service except IAM (and, in STS, all but AssumeRole and GetCallerIdentity). " +
			"To require MFA, deny on \"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\"}. Optional: enable it when these policies are meant to require MFA.",
		HelpURI: uriMFAPresent,
	},
	{
		ID: RuleTrustWithoutMFA, Severity: SeverityWarning,
		Summary: "Role trust policy lets IAM users assume the role without MFA",
		Help: "The statement allows sts:AssumeRole to IAM users or to a whole account (whose users can then assume the role with their long-term access keys) with no condition on aws:MultiFactorAuthPresent. " +
			"Add \"Condition\": {\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}} so that AssumeRole succeeds only when called with --serial-number and --token-code (the AWS CLI's mfa_serial).",
		HelpURI: uriTrustMFA,
	},
	{
		ID: RuleSCPUnscoped, Severity: SeverityError,
		Summary: "SCP denies every principal without MFA, including roles and workloads",
		Help: "An SCP applies to every IAM user and role in the member accounts. Role sessions that were not created with an MFA code (EC2 instance profiles, Lambda and ECS task roles) carry aws:MultiFactorAuthPresent=\"false\", and sessions from SAML or web identity federation (IAM Identity Center, CI/CD OIDC roles) do not carry the key at all, so a deny-unless-MFA SCP denies them all. " +
			"Scope the statement to IAM users with \"StringEquals\": {\"aws:PrincipalType\": \"User\"} (or an aws:PrincipalArn condition). " +
			"Also note that SCPs never apply to the management account, so its users are not covered; attach an identity policy there. The severity is error when the statement denies all actions (Action \"*\" or NotAction), warning otherwise.",
		HelpURI: uriSCP,
	},
	{
		ID: RuleMFASetOperator, Severity: SeverityError,
		Summary: "ForAllValues/ForAnyValue used with a single-valued MFA key",
		Help: "aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge hold one value. ForAllValues is true when the key is absent (an empty set satisfies \"for all\"), so in an Allow it admits long-term access keys; ForAnyValue is false when the key is absent, so in a Deny it lets access keys through. " +
			"Use the plain operator (Bool / NumericLessThan) or its IfExists form.",
		HelpURI: uriMultiValue,
	},
	{
		ID: RuleSetOperatorSingleValued, Severity: SeverityWarning,
		Summary: "ForAllValues/ForAnyValue used with a single-valued condition key",
		Help:    "Set operators are meant for multivalued keys (aws:TagKeys, aws:PrincipalServiceNamesList...). With a single-valued key ForAllValues also matches when the key is absent, which is rarely what is meant. Use the plain operator.",
		HelpURI: uriMultiValue,
	},
	{
		ID: RuleConditionValue, Severity: SeverityError,
		Summary: "Condition value does not fit its operator",
		Help: "Bool and Null take \"true\" or \"false\" (as a string or a JSON boolean, any letter case for Bool), Numeric operators take numbers. Other values never match, " +
			"so a Deny with such a condition denies nothing and an Allow allows nothing.",
		HelpURI: uriOperators,
	},
	{
		ID: RuleConditionOperatorKeyType, Severity: SeverityError,
		Summary: "Condition operator does not fit the type of the condition key",
		Help: "Global condition keys have a type: aws:MultiFactorAuthPresent, aws:SecureTransport and aws:ViaAWSService are booleans (use Bool), aws:MultiFactorAuthAge is a number (use Numeric operators), aws:CurrentTime and aws:TokenIssueTime are dates. " +
			"String operators on a boolean key do not match when the key is absent, and other mismatches never match at all.",
		HelpURI: uriOperators,
	},
	{
		ID: RuleVersionMissing, Severity: SeverityInfo,
		Summary: "The policy has no Version element",
		Help:    "Without \"Version\": \"2012-10-17\" IAM uses the 2008-10-17 policy language, in which policy variables such as ${aws:username} are not replaced. Always state the current version.",
		HelpURI: uriVersion,
	},
	{
		ID: RuleVariablesWithoutVersion, Severity: SeverityWarning,
		Summary: "Policy variables are not replaced without \"Version\": \"2012-10-17\"",
		Help:    "Policy variables such as ${aws:username} are only replaced under Version 2012-10-17; otherwise they are compared as literal text and the statement never matches the intended resources.",
		HelpURI: uriVersion,
	},
	{
		ID: RuleActionInvalid, Severity: SeverityError,
		Summary: "Action is not of the form service:action",
		Help:    "Every action except \"*\" is a service prefix, a colon and an action name (wildcards allowed), such as \"iam:EnableMFADevice\" or \"s3:Get*\". IAM rejects other values.",
		HelpURI: uriAction,
	},
	{
		ID: RuleResourceInvalid, Severity: SeverityError,
		Summary: "Resource is neither \"*\" nor an ARN",
		Help:    "Resource values are \"*\" or ARNs of the form arn:partition:service:region:account:resource (wildcards and policy variables allowed). IAM rejects other values.",
		HelpURI: uriResource,
	},
	{
		ID: RuleActionNeverMatches, Severity: SeverityError,
		Summary: "Action that AWS stores but that matches no action (white space, an empty name)",
		Help: "IAM does not reject an action with white space in it (\" s3:GetObject\", \"s3:Get Object\"), an empty action name (\"s3:\") or an empty string: it stores the policy, and the action simply never matches a request. " +
			"In a Deny that leaves the action allowed, in an Allow it grants nothing, and in NotAction it excludes nothing. Write the action without white space.",
		HelpURI: uriAction,
	},
	{
		ID: RulePolicySize, Severity: SeverityError,
		Summary: "The policy is larger than AWS stores for its kind",
		Help: "IAM stores managed policies (and permissions boundaries) of at most 6,144 characters, and at most 2,048 (user), 5,120 (group) or 10,240 (role) characters of inline policies per entity, not counting white space; a role trust policy holds 2,048 by default (an adjustable quota: a warning). " +
			"AWS Organizations stores SCPs and RCPs of at most 5,120 characters as written, white space included unless the console saved them (SCPs: 10,240 since May 2026 according to reports of AWS's announcement, so an SCP in between is a warning); STS takes session policies of at most 2,048 characters. " +
			"A larger policy fails to save (LimitExceeded) when it is deployed. The kind comes from the policy's context (CloudFormation or Terraform resource type, AWS CLI output) or --kind (managed, inline-user, inline-group, inline-role, trust, scp, rcp, session); an identity-based policy of unknown kind is checked against the largest quota.",
		HelpURI: uriQuotas,
	},
}

// Rules returns every rule, in a fixed order.
func Rules() []Rule {
	return append([]Rule(nil), rules...)
}

var ruleIndex = func() map[string]int {
	m := make(map[string]int, len(rules))
	for i, r := range rules {
		m[r.ID] = i
	}
	return m
}()

// LookupRule returns the rule with the given ID.
func LookupRule(id string) (Rule, bool) {
	i, ok := ruleIndex[id]
	if !ok {
		return Rule{}, false
	}
	return rules[i], true
}
