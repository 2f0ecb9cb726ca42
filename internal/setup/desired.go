package setup

import (
	"fmt"
	"strconv"

	"github.com/awsmfa/awsmfa/internal/policy"
	"github.com/awsmfa/awsmfa/internal/policygen"
)

// ManagedTag is the tag key on every policy and role awsmfa creates; plan
// and destroy touch nothing without it. IAM groups cannot be tagged (the
// taggable IAM resources are listed in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html), so a group
// awsmfa creates is marked by its path, GroupPath.
const (
	ManagedTag      = "awsmfa:managed"
	ManagedTagValue = "true"
	GroupPath       = "/awsmfa/"
)

// Desired is the IAM configuration a setup file asks for, in one account.
type Desired struct {
	AccountID, Partition string
	// Policies are the customer managed policies awsmfa generates: the
	// require-MFA policy (one per distinct maxMfaAgeSeconds) and one
	// assume-role policy per role.
	Policies []DesiredPolicy
	Groups   []DesiredGroup
	Roles    []DesiredRole
}

// DesiredPolicy is a managed policy awsmfa creates.
type DesiredPolicy struct {
	Name, ARN string
	Document  *policy.Document
	// Text is policy.Format(Document): what is sent and compared.
	Text string
	// Users are the users the policy is attached to directly (the
	// assume-role policies: the role's trusted users).
	Users []string
	// ForRole is the role an assume-role policy lets its users assume ("" for
	// the require-MFA policies); it is created after the role.
	ForRole string
}

// DesiredGroup is a group awsmfa creates, with its members and attached
// managed policies (ARNs).
type DesiredGroup struct {
	Name, ARN string
	Members   []string
	Attached  []string
	Line      int
}

// DesiredRole is a role awsmfa creates.
type DesiredRole struct {
	Name, ARN          string
	Trust              *policy.Document
	TrustText          string
	Attached           []string
	MaxSessionDuration int
	Line               int
}

// RequireMFAPolicyName names the require-MFA policy for a maximum MFA age
// (0: none).
func RequireMFAPolicyName(maxAge int) string {
	if maxAge > 0 {
		return "awsmfa-require-mfa-max-age-" + strconv.Itoa(maxAge)
	}
	return "awsmfa-require-mfa"
}

// AssumeRolePolicyName names the policy that lets a role's trusted users
// call sts:AssumeRole on it (role names are at most 64 characters, so this
// stays within IAM's 128 for policy names).
func AssumeRolePolicyName(role string) string { return "awsmfa-assume-" + role }

// Build computes the desired state of a setup file in an account.
func Build(f *File, accountID, partition string) (*Desired, error) {
	if partition == "" {
		partition = "aws"
	}
	d := &Desired{AccountID: accountID, Partition: partition}
	byName := map[string]int{}
	for _, g := range f.Groups {
		dg := DesiredGroup{Name: g.Name, ARN: d.arn("group", GroupPath+g.Name), Members: g.Users, Line: g.Line}
		if g.RequireMFA {
			arn, err := d.requireMFAPolicy(byName, g.MaxMFAAge)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: group %s: %w", f.Name, g.Line, g.Name, err)
			}
			dg.Attached = []string{arn}
		}
		d.Groups = append(d.Groups, dg)
	}
	for _, r := range f.Roles {
		if err := d.addRole(r); err != nil {
			return nil, fmt.Errorf("%s:%d: role %s: %w", f.Name, r.Line, r.Name, err)
		}
	}
	return d, nil
}

func (d *Desired) arn(kind, pathName string) string {
	if pathName[0] == '/' {
		pathName = pathName[1:]
	}
	return "arn:" + d.Partition + ":iam::" + d.AccountID + ":" + kind + "/" + pathName
}

// requireMFAPolicy adds (once per age) policygen's self-manage-mfa policy:
// the self-service allows a user needs to enroll a device, then the
// BoolIfExists deny of everything else without MFA, and with a maximum age
// the NumericGreaterThanIfExists aws:MultiFactorAuthAge deny.
func (d *Desired) requireMFAPolicy(byName map[string]int, maxAge int) (string, error) {
	name := RequireMFAPolicyName(maxAge)
	if i, ok := byName[name]; ok {
		return d.Policies[i].ARN, nil
	}
	doc, err := policygen.Generate(policygen.Options{Template: policygen.SelfManageMFA, MaxMFAAge: maxAge, Partition: d.Partition})
	if err != nil {
		return "", err
	}
	p := DesiredPolicy{Name: name, ARN: d.arn("policy", name), Document: doc, Text: string(policy.Format(doc))}
	byName[name] = len(d.Policies)
	d.Policies = append(d.Policies, p)
	return p.ARN, nil
}

func (d *Desired) addRole(r Role) error {
	principals := make([]string, len(r.TrustedUsers))
	for i, u := range r.TrustedUsers {
		principals[i] = d.arn("user", u)
	}
	var trust *policy.Document
	if r.RequireMFA {
		var err error
		trust, err = policygen.Generate(policygen.Options{Template: policygen.TrustRequireMFA, Principals: principals, Partition: d.Partition})
		if err != nil {
			return err
		}
	} else {
		trust = trustWithoutMFA(principals)
	}
	role := DesiredRole{
		Name: r.Name, ARN: d.arn("role", r.Name), Trust: trust, TrustText: string(policy.Format(trust)),
		Attached: r.ManagedPolicies, MaxSessionDuration: r.MaxSessionDuration, Line: r.Line,
	}
	d.Roles = append(d.Roles, role)
	assume := assumeRolePolicy(role.ARN)
	name := AssumeRolePolicyName(r.Name)
	d.Policies = append(d.Policies, DesiredPolicy{
		Name: name, ARN: d.arn("policy", name), Document: assume, Text: string(policy.Format(assume)),
		Users: r.TrustedUsers, ForRole: r.Name,
	})
	return nil
}

func list(values ...string) policy.StringList {
	return policy.StringList{Values: values, Present: true, Single: len(values) == 1}
}

// trustWithoutMFA admits the principals to sts:AssumeRole with no MFA
// condition (requireMfa: false).
func trustWithoutMFA(principals []string) *policy.Document {
	return &policy.Document{Version: "2012-10-17", Statements: []*policy.Statement{{
		Sid: "AllowAssumeRole", HasSid: true, Effect: policy.Allow,
		Principal: &policy.Principal{Entries: []policy.PrincipalEntry{{Type: "AWS", Values: list(principals...)}}},
		Action:    list("sts:AssumeRole"),
	}}}
}

// assumeRolePolicy is the identity policy seed 003 gives the role's users:
// sts:AssumeRole on this role only. The role's trust policy is what demands
// MFA; an AssumeRole call needs both to allow it
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html).
func assumeRolePolicy(roleARN string) *policy.Document {
	return &policy.Document{Version: "2012-10-17", Statements: []*policy.Statement{{
		Sid: "AllowAssumeRole", HasSid: true, Effect: policy.Allow,
		Action: list("sts:AssumeRole"), Resource: list(roleARN),
	}}}
}
