// Package simulate answers "would AWS allow this request?" for the JSON
// request format of `awsmfa policy simulate`: a request plus every policy
// layer that applies to it.
package simulate

import "encoding/json"

// Input is one simulation: a request and the policies that govern it.
// Policies are raw JSON documents (objects), exactly as a user would paste
// them from the console.
type Input struct {
	Request             Request           `json:"request"`
	IdentityPolicies    []json.RawMessage `json:"identityPolicies,omitempty"`
	ResourcePolicy      json.RawMessage   `json:"resourcePolicy,omitempty"`
	PermissionsBoundary json.RawMessage   `json:"permissionsBoundary,omitempty"`
	// ServiceControlPolicies holds the SCPs of each level of the
	// organization path, root first; every level must allow.
	ServiceControlPolicies [][]json.RawMessage `json:"serviceControlPolicies,omitempty"`
	// ResourceControlPolicies, likewise per level, root first.
	ResourceControlPolicies [][]json.RawMessage `json:"resourceControlPolicies,omitempty"`
	SessionPolicy           json.RawMessage     `json:"sessionPolicy,omitempty"`
}

// Request is the request being simulated.
type Request struct {
	// Principal is the ARN of the caller (IAM user, assumed-role session,
	// role, federated user, root, or a service principal name).
	Principal string `json:"principal"`
	// Action is "service:Name", such as "s3:GetObject".
	Action string `json:"action"`
	// Resource is the resource ARN, or "*".
	Resource string `json:"resource"`
	// ResourceAccount overrides the account that owns the resource when the
	// ARN does not name one (S3 buckets, "*"). Empty: taken from the ARN, else
	// the principal's account.
	ResourceAccount string `json:"resourceAccount,omitempty"`
	// Context holds condition keys; each value is a string, bool, number or a
	// list of them. Keys match case-insensitively.
	Context map[string]json.RawMessage `json:"context,omitempty"`
}

// Decision names, as in IAM's SimulatePrincipalPolicy EvalDecision.
const (
	Allowed      = "allowed"
	ExplicitDeny = "explicitDeny"
	ImplicitDeny = "implicitDeny"
)

// Output is the answer to one Input.
type Output struct {
	Decision string `json:"decision"`
	// MatchedStatements are the statements that decided: the denying
	// statements for explicitDeny, the allowing statements for allowed, and
	// none for implicitDeny.
	MatchedStatements []MatchedStatement `json:"matchedStatements"`
	// Reason explains the decision in one sentence for people.
	Reason string `json:"reason"`
	// Layers reports each policy layer's own verdict.
	Layers []LayerResult `json:"layers,omitempty"`
	// NearMisses are statements whose action, resource and principal
	// matched the request but whose conditions did not: the statements a
	// reader probably expected to apply (such as a Deny on
	// {"Bool": {"aws:MultiFactorAuthPresent": "false"}} for a request signed
	// with long-term access keys).
	NearMisses []MatchedStatement `json:"nearMisses,omitempty"`
	// Error is set (and Decision empty) when the input could not be
	// simulated, in --batch mode where one bad line must not stop the rest.
	Error string `json:"error,omitempty"`
	// Line is the 1-based input line of an error in --batch mode.
	Line int `json:"line,omitempty"`
}

// MatchedStatement identifies one statement and why it applied.
type MatchedStatement struct {
	// Layer is "identity", "resource", "permissionsBoundary", "scp", "rcp"
	// or "session".
	Layer string `json:"layer"`
	// Policy is the index of the policy within its layer (for SCPs and RCPs,
	// "level/index"), or a policy name where one is known.
	Policy     string            `json:"policy"`
	Sid        string            `json:"sid,omitempty"`
	Statement  int               `json:"statement"`
	Effect     string            `json:"effect"`
	Line       int               `json:"line,omitempty"`
	Column     int               `json:"column,omitempty"`
	Conditions []ConditionResult `json:"conditions,omitempty"`
}

// ConditionResult explains one condition of a matched (or nearly matched)
// statement.
type ConditionResult struct {
	Operator string   `json:"operator"`
	Key      string   `json:"key"`
	Values   []string `json:"values"`
	// Present is false when the request carries no value for the key.
	Present bool `json:"present"`
	Matched bool `json:"matched"`
	// Why says in words why it matched or not, such as "matched because the
	// key is missing (IfExists)".
	Why string `json:"why"`
}

// LayerResult is one layer's own verdict.
type LayerResult struct {
	Layer    string `json:"layer"`
	Decision string `json:"decision"`
	// Note qualifies the verdict, such as "does not apply: SCPs limit only
	// IAM users and roles of member accounts".
	Note string `json:"note,omitempty"`
}
