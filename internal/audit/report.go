// Package audit decides, for every IAM user of an account and every
// credential type the user can really use, whether anything beyond MFA
// self-service is allowed without MFA, and which statement of which policy
// decides it. It reads an account.Account and uses the evaluator
// (internal/eval) with the request context of each credential type
// (internal/credctx); rendering lives in audit/render.
package audit

// Report is the outcome of an audit. Its JSON form is the command's
// `--output json`.
type Report struct {
	Account string `json:"account"`
	// Source and Notes say what was read and what was assumed (for
	// example "no credential report: every user is assumed to have access
	// keys and a console password").
	Source string   `json:"source,omitempty"`
	Notes  []string `json:"notes,omitempty"`
	// Credentials lists the credential types of the matrix, in column
	// order.
	Credentials []Credential `json:"credentialTypes"`
	Users       []UserResult `json:"users"`
	Findings    []Finding    `json:"findings"`
	// Stats counts the work done (users, credential types, actions,
	// decisions) for progress and benchmarks.
	Stats Stats `json:"stats"`
}

// Credential is a credential type of the matrix.
type Credential string

// The credential types audited for a user (credctx rows by name).
const (
	CredAccessKeys      Credential = "long-term-keys"          // active access key 1 or 2
	CredConsolePassword Credential = "console-password-no-mfa" // password enabled, signed in without MFA
	CredSessionNoMFA    Credential = "session-token-no-mfa"    // GetSessionToken without MFA (needs an access key)
	CredSessionMFA      Credential = "session-token-mfa"       // GetSessionToken with MFA, for comparison
)

// Verdict is the answer for one user and credential type.
type Verdict string

const (
	// MFARequired: nothing beyond MFA self-service is allowed without MFA.
	// In the session-token-mfa column (the comparison) it means that MFA
	// gives access beyond self-service.
	MFARequired Verdict = "mfa-required"
	// ActsWithoutMFA: some action beyond self-service is allowed.
	ActsWithoutMFA Verdict = "acts-without-mfa"
	// NoAccess: nothing at all is allowed with these credentials (with
	// MFA either, for the MFA column).
	NoAccess Verdict = "no-access"
	// NotApplicable: the user does not have this credential type (no
	// active access key, no password).
	NotApplicable Verdict = "n/a"
)

// UserResult is one row of the matrix.
type UserResult struct {
	ARN        string   `json:"arn"`
	Name       string   `json:"name"`
	MFADevices []string `json:"mfaDevices"`
	// MFA says what is known of the user's MFA devices: MFADevicesListed
	// (ListMFADevices was read: MFADevices holds them, maybe none),
	// MFAActiveReport (not listed, but the credential report's mfa_active
	// is true), MFANone (the report says there is none) or MFAUnknown.
	MFA   string                 `json:"mfa"`
	Creds map[Credential]Verdict `json:"credentials"`
	// Assumed is true when the credential report was not read and the
	// user's access keys and password are assumed.
	Assumed bool `json:"assumed,omitempty"`
}

// Values of UserResult.MFA.
const (
	MFADevicesListed = "listed"
	MFAActiveReport  = "active"
	MFANone          = "none"
	MFAUnknown       = "unknown"
)

// Severity of a finding.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Rule IDs.
const (
	RuleKeysActWithoutMFA    = "keys-act-without-mfa"
	RuleConsoleWithoutMFA    = "console-without-mfa"
	RuleNoMFADevice          = "no-mfa-device"
	RuleRoleTrustWithoutMFA  = "role-trust-without-mfa"
	RuleRootWithoutMFA       = "root-without-mfa"
	RuleRootAccessKeys       = "root-access-keys"
	RuleMFAPolicyBool        = "mfa-policy-bool"
	RuleMFALockout           = "mfa-lockout"
	RuleSCPManagementAccount = "scp-management-account"
	RuleStaleAccessKey       = "stale-access-key"
)

// Finding is one problem, with the statement that decides it.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Principal is the ARN the finding is about (a user, a role, the
	// root user, or a policy for mfa-policy-bool).
	Principal  string     `json:"principal"`
	Credential Credential `json:"credential,omitempty"`
	// Actions are the actions allowed without MFA (a sample, sorted), and
	// ActionCount how many there are in all.
	Actions     []string `json:"actions,omitempty"`
	ActionCount int      `json:"actionCount,omitempty"`
	// Deciding is the statement that decides: the Allow that lets the
	// request through, or the Deny that did not apply.
	Deciding *StatementRef `json:"decidingStatement,omitempty"`
	// Users are the users a policy finding concerns (mfa-policy-bool:
	// the users it is attached to).
	Users   []string `json:"users,omitempty"`
	Message string   `json:"message"`
	Fix     string   `json:"fix"`
}

// StatementRef names a statement of a policy and where its document was
// read from.
type StatementRef struct {
	// Policy names the policy: a managed policy's ARN, or
	// "user/alice/InlineName", "group/admins/InlineName", "role/r/trust".
	Policy string `json:"policy"`
	// Statement is the Sid, or "#N" (0-based) without one.
	Statement string `json:"statement"`
	// File, Path and Line locate the document (SARIF); empty when live.
	File string `json:"file,omitempty"`
	Path string `json:"path,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Stats counts the work of an audit.
type Stats struct {
	Users       int `json:"users"`
	Credentials int `json:"credentialTypes"`
	Actions     int `json:"actions"`
	Decisions   int `json:"decisions"`
}
