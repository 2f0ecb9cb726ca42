// Package credctx says which MFA-related condition keys AWS puts in the
// request context for each kind of credentials, as data: one Row per
// credential type, each with the documentation it rests on.
//
// The keys are aws:MultiFactorAuthPresent, aws:MultiFactorAuthAge,
// aws:TokenIssueTime and aws:PrincipalType. Whether a key is present at all
// matters as much as its value: a condition on a missing key is false
// ("Bool") but true with "...IfExists", which is why a Deny on
// {"Bool": {"aws:MultiFactorAuthPresent": "false"}} never stops requests
// signed with long-term access keys.
package credctx

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Condition keys the table controls.
const (
	KeyMFAPresent     = "aws:MultiFactorAuthPresent"
	KeyMFAAge         = "aws:MultiFactorAuthAge"
	KeyTokenIssueTime = "aws:TokenIssueTime"
	KeyPrincipalType  = "aws:PrincipalType"
)

// Key says whether a condition key is in the request context and, when its
// value is fixed by the credential type, which value.
type Key struct {
	Name    string `json:"name"`
	Present bool   `json:"present"`
	// Value is the value when fixed by the credential type ("true",
	// "false", "User"); empty when the value depends on the request (a time,
	// an age), in which case Apply keeps the caller's value or fills a
	// default.
	Value string `json:"value,omitempty"`
}

// Source is the documentation a row rests on.
type Source struct {
	URL   string `json:"url"`
	Quote string `json:"quote"`
}

// Row describes one credential type.
type Row struct {
	// Name is the value of --credential.
	Name        string `json:"name"`
	Description string `json:"description"`
	// Keys says, for requests signed with these credentials, whether each
	// key is present and its value.
	Keys []Key `json:"keys"`
	// AssumeRoleCall, when set, is the context STS evaluates for the
	// sts:AssumeRole call that creates these credentials, where it differs
	// from Keys: AssumeRole with MFA parameters is evaluated with MFA
	// present, while the session it returns carries no MFA context. nil
	// means the same as Keys.
	AssumeRoleCall []Key `json:"assumeRoleCall,omitempty"`
	// Notes adds what the keys do not say (restrictions of the credential
	// type).
	Notes   string   `json:"notes,omitempty"`
	Sources []Source `json:"sources"`
}

// Documentation pages the rows cite.
const (
	urlGlobalKeys = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent"
	urlMFAAge     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthage"
	urlMFAAPI     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html"
	urlGST        = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html"
	urlVariables  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable"
	urlGFT        = "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html"
	urlKC         = "https://repost.aws/knowledge-center/mfa-iam-user-aws-cli"
	urlSDKIssue   = "https://github.com/aws/aws-sdk-java-v2/issues/2554"
	urlVaulted    = "https://github.com/miquella/vaulted/pull/43"
)

var (
	srcLongTerm = Source{urlGlobalKeys, "The aws:MultiFactorAuthPresent key is not present when an API or CLI command is called with long-term credentials, such as user access key pairs. Therefore we recommend that when you check for this key that you use the ...IfExists versions of the condition operators."}
	srcKC       = Source{urlKC, "The MultiFactorAuthPresent key doesn't exist in requests made using long-term credentials. With the Boolean condition operator, if the key in the policy isn't present, then the values don't match."}
	srcTemp     = Source{urlGlobalKeys, "Temporary credentials are used to authenticate IAM roles and IAM users with temporary tokens from AssumeRole or GetSessionToken, and users of the AWS Management Console."}
	srcNoMFA    = Source{urlMFAAPI, "AssumeRole and GetSessionToken can also be called without MFA information. In that case, the caller gets back temporary security credentials, but the session information for those temporary credentials does not indicate that the user authenticated with MFA."}
	srcGSTMFA   = Source{urlGST, "If the user is successfully authenticated with an MFA device, the credentials returned by the GetSessionToken API operation include the MFA context."}
	srcAge      = Source{urlMFAAge, "Use this key to compare the number of seconds since the requesting principal was authorized using MFA with the number that you specify in the policy."}
	srcAgeAbs   = Source{urlMFAAPI, "Note that the aws:MultiFactorAuthAge key is not present if MFA was not used."}
	srcConsole  = Source{urlGlobalKeys, "In these cases, the aws:MultiFactorAuthPresent key is present in the request and set to a value of false. ... IAM users in the AWS Management Console unknowingly use temporary credentials."}
	srcARNoMFA  = Source{urlMFAAPI, "The temporary credentials returned by AssumeRole do not include MFA information in the context, so you cannot check individual API operations for MFA."}
	srcARCheck  = Source{urlMFAAPI, "It is important to understand that the MFA authentication is used only to determine whether a user can assume the role. Once the user has assumed the role, no further MFA checks are made."}
	srcSDK      = Source{urlSDKIssue, "AWS SDK maintainer reproduction: AssumeRole called with the MFA serial number and token code; calls made with the returned role credentials were denied by a policy requiring aws:MultiFactorAuthPresent true, with both Bool and BoolIfExists."}
	srcChain    = Source{urlVaulted, "When performing an AssumeRole, the aws:MultiFactorAuthPresent value doesn't appear to be set unless a session token is first acquired with GetSessionToken. Now we call GetSessionToken, then use the acquired credentials to call AssumeRole."}
	srcFed      = Source{urlGlobalKeys, "This condition key is not present for federated identities or requests made using access keys to sign AWS CLI, AWS API, or AWS SDK requests."}
	srcGFTNoPol = Source{urlGFT, "if you do not pass any session policies, then the resulting federated user session has no permissions."}
	srcPType    = Source{urlVariables, "The values for aws:username, aws:userid, and aws:PrincipalType depend on what type of principal initiated the request."}
	srcGSTNoIAM = Source{urlGST, "You cannot call any IAM API operations unless MFA information is included with the request. You cannot call any AWS STS API except AssumeRole or GetCallerIdentity."}
)

func absent(name string) Key       { return Key{Name: name} }
func fixed(name, value string) Key { return Key{Name: name, Present: true, Value: value} }
func presentVar(name string) Key   { return Key{Name: name, Present: true} }
func mfa(present bool, value string) Key {
	if !present {
		return absent(KeyMFAPresent)
	}
	return fixed(KeyMFAPresent, value)
}

var rows = []Row{
	{
		Name:        "long-term-keys",
		Description: "IAM user access keys (AKIA...) used directly by the AWS CLI or an SDK.",
		Keys:        []Key{mfa(false, ""), absent(KeyMFAAge), absent(KeyTokenIssueTime), fixed(KeyPrincipalType, "User")},
		Sources:     []Source{srcLongTerm, srcKC, srcAgeAbs, srcPType},
	},
	{
		Name:        "session-token",
		Description: "Temporary credentials from sts:GetSessionToken called without SerialNumber and TokenCode.",
		Keys:        []Key{mfa(true, "false"), absent(KeyMFAAge), presentVar(KeyTokenIssueTime), fixed(KeyPrincipalType, "User")},
		Notes:       "GetSessionToken credentials without MFA cannot call IAM API operations, nor STS operations other than AssumeRole and GetCallerIdentity.",
		Sources:     []Source{srcTemp, srcNoMFA, srcAgeAbs, srcGSTNoIAM, srcPType},
	},
	{
		Name:        "session-token-mfa",
		Description: "Temporary credentials from sts:GetSessionToken called with the MFA device's SerialNumber and a TokenCode.",
		Keys:        []Key{mfa(true, "true"), presentVar(KeyMFAAge), presentVar(KeyTokenIssueTime), fixed(KeyPrincipalType, "User")},
		Sources:     []Source{srcTemp, srcGSTMFA, srcAge, srcPType},
	},
	{
		Name:        "assume-role",
		Description: "A role session from sts:AssumeRole called without MFA parameters.",
		Keys:        []Key{mfa(true, "false"), absent(KeyMFAAge), presentVar(KeyTokenIssueTime), fixed(KeyPrincipalType, "AssumedRole")},
		Sources:     []Source{srcTemp, srcNoMFA, srcAgeAbs, srcPType},
	},
	{
		Name: "assume-role-mfa",
		Description: "A role session from sts:AssumeRole called with SerialNumber and TokenCode (an AWS CLI profile with role_arn and mfa_serial). " +
			"The AssumeRole call itself is evaluated with MFA present, so a trust policy requiring MFA is satisfied; the returned session carries no MFA information.",
		Keys:           []Key{mfa(true, "false"), absent(KeyMFAAge), presentVar(KeyTokenIssueTime), fixed(KeyPrincipalType, "AssumedRole")},
		AssumeRoleCall: []Key{mfa(true, "true"), presentVar(KeyMFAAge)},
		Notes:          "MFA is checked only when the role is assumed: policies on the role that require aws:MultiFactorAuthPresent deny this session's requests. Use role-from-mfa-session to keep MFA context.",
		Sources:        []Source{srcARNoMFA, srcARCheck, srcSDK, srcTemp, srcPType},
	},
	{
		Name: "role-from-mfa-session",
		Description: "A role session from sts:AssumeRole called with credentials from GetSessionToken with MFA (role chaining from an MFA session, as aws-vault does). " +
			"The MFA context of the session token carries into the role session.",
		Keys:    []Key{mfa(true, "true"), presentVar(KeyMFAAge), presentVar(KeyTokenIssueTime), fixed(KeyPrincipalType, "AssumedRole")},
		Notes:   "Role chaining limits the role session to one hour.",
		Sources: []Source{srcChain, srcSDK, srcGSTMFA, srcPType},
	},
	{
		Name:        "console",
		Description: "An IAM user signed in to the AWS Management Console with a password and no MFA.",
		Keys:        []Key{mfa(true, "false"), absent(KeyMFAAge), presentVar(KeyTokenIssueTime), fixed(KeyPrincipalType, "User")},
		Sources:     []Source{srcConsole, srcPType},
	},
	{
		Name:        "console-mfa",
		Description: "An IAM user signed in to the AWS Management Console with a password and MFA.",
		Keys:        []Key{mfa(true, "true"), presentVar(KeyMFAAge), presentVar(KeyTokenIssueTime), fixed(KeyPrincipalType, "User")},
		Sources:     []Source{srcConsole, srcTemp, srcAge, srcPType},
	},
	{
		Name:        "federated",
		Description: "A federated user session from sts:GetFederationToken.",
		Keys:        []Key{mfa(false, ""), absent(KeyMFAAge), presentVar(KeyTokenIssueTime), fixed(KeyPrincipalType, "FederatedUser")},
		Notes:       "Without a session policy the session has no permissions except grants to the federated user ARN in resource-based policies.",
		Sources:     []Source{srcFed, srcGFTNoPol, srcPType},
	},
	{
		Name:        "saml",
		Description: "A role session from sts:AssumeRoleWithSAML (an external identity provider).",
		Keys:        []Key{mfa(false, ""), absent(KeyMFAAge), presentVar(KeyTokenIssueTime), fixed(KeyPrincipalType, "AssumedRole")},
		Notes:       "AWS cannot tell whether the identity provider required MFA; pass the authentication method as a session tag to check it.",
		Sources:     []Source{srcFed, srcPType},
	},
	{
		Name:        "web-identity",
		Description: "A role session from sts:AssumeRoleWithWebIdentity (OIDC: GitHub Actions, EKS IRSA, Cognito).",
		Keys:        []Key{mfa(false, ""), absent(KeyMFAAge), presentVar(KeyTokenIssueTime), fixed(KeyPrincipalType, "AssumedRole")},
		Sources:     []Source{srcFed, srcPType},
	},
}

// All returns every row, in a stable order. The slice is a copy.
func All() []Row {
	out := make([]Row, len(rows))
	copy(out, rows)
	return out
}

// Names returns the row names.
func Names() []string {
	out := make([]string, len(rows))
	for i := range rows {
		out[i] = rows[i].Name
	}
	return out
}

// Lookup returns the row named name (case-insensitive).
func Lookup(name string) (Row, bool) {
	for _, r := range rows {
		if strings.EqualFold(r.Name, name) {
			return r, true
		}
	}
	return Row{}, false
}

// Key returns the row's entry for a condition key.
func (r Row) Key(name string) (Key, bool) {
	for _, k := range r.Keys {
		if strings.EqualFold(k.Name, name) {
			return k, true
		}
	}
	return Key{}, false
}

// DefaultMFAAge is the aws:MultiFactorAuthAge Apply fills in when the
// credential type has MFA and the context does not say: a fresh session.
const DefaultMFAAge = 60

// Apply sets or removes the row's keys in a simulate context (key names
// match case-insensitively; a replaced key keeps no other spelling). Keys
// whose value depends on the request keep the caller's value when present;
// otherwise aws:MultiFactorAuthAge becomes DefaultMFAAge and
// aws:TokenIssueTime the current time.
func (r Row) Apply(ctx map[string]json.RawMessage) {
	r.ApplyAt(ctx, time.Now())
}

// ApplyAt is Apply with the time used for aws:TokenIssueTime.
func (r Row) ApplyAt(ctx map[string]json.RawMessage, now time.Time) {
	applyKeys(ctx, r.Keys, now)
}

// ApplyFor applies the row for a request with the given action: for
// sts:AssumeRole it uses AssumeRoleCall when the row has one.
func (r Row) ApplyFor(ctx map[string]json.RawMessage, action string, now time.Time) {
	applyKeys(ctx, r.KeysFor(action), now)
}

// KeysFor returns the keys in force for a request with the given action.
func (r Row) KeysFor(action string) []Key {
	if r.AssumeRoleCall == nil || !strings.EqualFold(action, "sts:AssumeRole") {
		return r.Keys
	}
	keys := make([]Key, 0, len(r.Keys))
	for _, k := range r.Keys {
		for _, o := range r.AssumeRoleCall {
			if strings.EqualFold(o.Name, k.Name) {
				k = o
				break
			}
		}
		keys = append(keys, k)
	}
	return keys
}

func applyKeys(ctx map[string]json.RawMessage, keys []Key, now time.Time) {
	for _, k := range keys {
		had := hasKey(ctx, k.Name)
		if !k.Present {
			deleteKey(ctx, k.Name)
			continue
		}
		if k.Value != "" {
			deleteKey(ctx, k.Name)
			ctx[k.Name] = jsonString(k.Value)
			continue
		}
		if had {
			continue
		}
		switch k.Name {
		case KeyMFAAge:
			ctx[k.Name] = jsonString(strconv.Itoa(DefaultMFAAge))
		case KeyTokenIssueTime:
			ctx[k.Name] = jsonString(now.UTC().Format(time.RFC3339))
		}
	}
}

func hasKey(ctx map[string]json.RawMessage, name string) bool {
	for k := range ctx {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

func deleteKey(ctx map[string]json.RawMessage, name string) {
	for k := range ctx {
		if strings.EqualFold(k, name) {
			delete(ctx, k)
		}
	}
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}
