// Package account is the model of one AWS account's IAM configuration that
// audit decides over and setup diffs against: users, groups, roles, managed
// policies and their attachments, MFA devices, the credential report and
// the account's place in its organization. It is read once, from the live
// IAM API (package account/live) or from the files administrators already
// have (this package's loaders: get-account-authorization-details output,
// the credential report, SCP files); the lab is just another IAM endpoint
// for the live reader.
//
// The model holds what AWS returns, named as AWS names it; it decides
// nothing. Policy documents are parsed (internal/policy) with the place
// they came from, so findings can point at the statement that decides.
package account

import (
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// Account is one account's IAM configuration.
type Account struct {
	// ID is the 12-digit account ID.
	ID string
	// Partition is "aws" unless the ARNs say otherwise.
	Partition string

	Users    []*User
	Groups   []*Group
	Roles    []*Role
	Policies []*ManagedPolicy // managed policies, customer and AWS (at least every attached one)

	// Report is the credential report, or nil when it could not be read
	// (offline without --credential-report, or the caller may not read it):
	// then every user is assumed to have active access keys and a password.
	Report *CredentialReport
	// Summary is GetAccountSummary's map (AccountMFAEnabled,
	// AccountAccessKeysPresent, Users, ...), or nil when unknown.
	Summary map[string]int
	// Org is the account's place in its organization, or nil when it is
	// not in one or it could not be read.
	Org *Organization

	// Source says where the model was read from, for messages: "profile
	// admin (live IAM)", "auth.json + report.csv".
	Source string
	// Notes are limitations of what was read ("no credential report: every
	// user is assumed to have access keys and a password"), in order.
	Notes []string

	// idx serves the lookups (UserByName, PolicyByARN, ...), built on
	// first use.
	idx index
}

// User is an IAM user.
type User struct {
	Name, ID, ARN, Path string
	CreateDate          time.Time
	// Groups are the names of the user's groups.
	Groups []string
	// Inline are the user's inline policies; Attached the ARNs of its
	// managed policies.
	Inline   []InlinePolicy
	Attached []string
	// Boundary is the ARN of the permissions boundary, or "".
	Boundary string
	Tags     []Tag
	// MFADevices are the user's MFA devices: from ListMFADevices when read
	// live, else unknown (nil with MFAKnown false; the credential report's
	// mfa_active then says whether there is one).
	MFADevices []MFADevice
	MFAKnown   bool
}

// Group is an IAM group.
type Group struct {
	Name, ID, ARN, Path string
	CreateDate          time.Time
	Inline              []InlinePolicy
	Attached            []string
}

// Role is an IAM role.
type Role struct {
	Name, ID, ARN, Path string
	CreateDate          time.Time
	// Trust is the role's trust policy (AssumeRolePolicyDocument).
	Trust              *Document
	Inline             []InlinePolicy
	Attached           []string
	Boundary           string
	MaxSessionDuration int // seconds
	Tags               []Tag
	Description        string
	// LastUsed is when the role was last assumed (RoleLastUsed), zero
	// when never or unknown; LastUsedRegion where.
	LastUsed       time.Time
	LastUsedRegion string
}

// ServiceLinked reports whether the role is a service-linked role (path
// /aws-service-role/): SCPs do not apply to it and only a service assumes
// it.
func (r *Role) ServiceLinked() bool { return len(r.Path) >= 18 && r.Path[:18] == "/aws-service-role/" }

// ManagedPolicy is a managed policy and its default version's document.
type ManagedPolicy struct {
	Name, ID, ARN, Path string
	DefaultVersion      string // "v3"
	AttachmentCount     int
	// Document is the default version's document.
	Document *Document
	// Versions, when known, are every version's IDs, oldest first
	// (setup deletes the oldest non-default one when five exist).
	Versions []string
	Tags     []Tag

	Description            string
	CreateDate, UpdateDate time.Time
}

// AWSManaged reports whether the policy is AWS managed (arn:...:iam::aws:policy/...).
func (p *ManagedPolicy) AWSManaged() bool { return accountOfARN(p.ARN) == "aws" }

// InlinePolicy is a policy embedded in a user, group or role.
type InlinePolicy struct {
	Name     string
	Document *Document
}

// Document is a parsed policy document and the place it was read from.
type Document struct {
	*policy.Document
	// Text is the document as JSON text (decoded when AWS sent it
	// URL-encoded).
	Text string
	// Where locates it for people and SARIF: the file and a JSON path
	// ("auth.json", "UserDetailList[3].UserPolicyList[0].PolicyDocument"),
	// or the live call ("GetAccountAuthorizationDetails").
	File, Path string
	// Line is the line in File where the document starts (0: unknown).
	Line int
}

// Tag is a resource tag.
type Tag struct{ Key, Value string }

// MFAType is a kind of MFA device.
type MFAType int

const (
	// MFAUnknown: the device's kind cannot be told from what was read.
	MFAUnknown MFAType = iota
	// MFAVirtual: a virtual (TOTP) device, serial arn:aws:iam::ACCOUNT:mfa/NAME.
	MFAVirtual
	// MFAHardware: a hardware TOTP token (serial like GAHT12345678).
	MFAHardware
	// MFAFIDO: a FIDO security key (passkey). STS cannot take it: the
	// GetSessionToken and AssumeRole APIs accept only TOTP codes.
	MFAFIDO
)

// String names the type as the IAM console does.
func (t MFAType) String() string {
	switch t {
	case MFAVirtual:
		return "virtual"
	case MFAHardware:
		return "hardware TOTP"
	case MFAFIDO:
		return "FIDO security key"
	}
	return "unknown"
}

// TOTP reports whether STS can take a code from the device.
func (t MFAType) TOTP() bool { return t == MFAVirtual || t == MFAHardware }

// MFADevice is an MFA device of a user.
type MFADevice struct {
	Serial     string
	Type       MFAType
	EnableDate time.Time
}

// CredentialReport is IAM's credential report.
type CredentialReport struct {
	// Generated is when IAM generated the report (zero when unknown: the
	// CSV alone does not say).
	Generated time.Time
	Rows      []CredentialRow
	// File is the file the report was read from, for messages ("" when
	// read live).
	File string

	// idx serves Row, built on first use.
	idx reportIndex
}

// CredentialRow is one line of the credential report. Times are zero when
// the report says N/A, no_information or not_supported.
type CredentialRow struct {
	User string // "<root_account>" for the root user
	ARN  string
	// Line is the row's line in the report (1 is the header).
	Line int
	// UserCreation is user_creation_time.
	UserCreation time.Time

	PasswordEnabled     bool
	PasswordLastUsed    time.Time
	PasswordLastChanged time.Time
	// PasswordNextRotation is when the password policy makes the user
	// change it (zero: no rotation, or not known).
	PasswordNextRotation time.Time
	MFAActive            bool

	AccessKeys [2]AccessKeyState
	// Certs are cert_1_active and cert_2_active (signing certificates).
	Certs [2]bool
}

// Root reports whether the row is the root user's.
func (r *CredentialRow) Root() bool { return r.User == "<root_account>" }

// AccessKeyState is one access key column group of the credential report.
type AccessKeyState struct {
	Active                bool
	LastRotated, LastUsed time.Time
	LastUsedService       string
	LastUsedRegion        string
}

// Organization is the account's place in its organization.
type Organization struct {
	// ManagementAccount is true when the account is the organization's
	// management account: SCPs and RCPs do not apply to it.
	ManagementAccount bool
	// Levels are the root, then each OU down to the account, then the
	// account itself, each with the SCPs and RCPs attached there.
	Levels []OrgLevel
}

// OrgLevel is one level of the organization path.
type OrgLevel struct {
	ID, Name string // "r-abcd" / "Root", "ou-..." / "Prod", account ID
	SCPs     []OrgPolicy
	RCPs     []OrgPolicy
}

// OrgPolicy is a service or resource control policy.
type OrgPolicy struct {
	ID, Name, ARN string
	Document      *Document
}

// accountOfARN returns the account field of an ARN ("aws" for AWS managed
// policies), or "".
func accountOfARN(arn string) string {
	field := 0
	start := 0
	for i := 0; i < len(arn); i++ {
		if arn[i] == ':' {
			if field == 4 {
				return arn[start:i]
			}
			field++
			start = i + 1
		}
	}
	return ""
}
