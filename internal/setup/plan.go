package setup

import (
	"fmt"
	"slices"
	"strings"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// Action is what a step does to the account.
type Action string

// Actions, as terraform names them.
const (
	Create   Action = "create"
	Update   Action = "update"
	Delete   Action = "delete"
	NoChange Action = "no-op"
)

// maxPolicyVersions is IAM's limit of versions per managed policy: a sixth
// CreatePolicyVersion fails with LimitExceeded, so the oldest non-default
// version is deleted first.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
const maxPolicyVersions = 5

// Step is one IAM call of a plan (or, with NoChange, a resource that is
// already as the file says).
type Step struct {
	Action Action `json:"action"`
	// Call is the IAM API action that makes the step ("" for NoChange),
	// with the fields it takes:
	//   CreatePolicy: PolicyName, Path, Document (PolicyDocument), Tags
	//   CreatePolicyVersion: PolicyARN, Document, with SetAsDefault true
	//   DeletePolicyVersion: PolicyARN, VersionID
	//   DeletePolicy: PolicyARN
	//   CreateGroup: Group, Path; DeleteGroup: Group
	//   AddUserToGroup, RemoveUserFromGroup: Group, User
	//   Attach/DetachGroupPolicy: Group, PolicyARN
	//   CreateRole: Role, Path, Document (AssumeRolePolicyDocument),
	//     MaxSessionDuration, Tags
	//   UpdateAssumeRolePolicy: Role, Document (PolicyDocument)
	//   UpdateRole: Role, MaxSessionDuration
	//   Attach/DetachRolePolicy: Role, PolicyARN; DeleteRole: Role
	//   Attach/DetachUserPolicy: User, PolicyARN
	//   DeleteRolePolicy, DeleteGroupPolicy: Role or Group, PolicyName
	Call string `json:"call,omitempty"`
	// Summary says what the step does, for people.
	Summary string `json:"summary"`

	PolicyARN          string            `json:"policy_arn,omitempty"`
	PolicyName         string            `json:"policy_name,omitempty"`
	VersionID          string            `json:"version_id,omitempty"`
	Group              string            `json:"group,omitempty"`
	User               string            `json:"user,omitempty"`
	Role               string            `json:"role,omitempty"`
	Path               string            `json:"path,omitempty"`
	MaxSessionDuration int               `json:"max_session_duration,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
	// Document is the policy document the call sends (a managed policy's
	// new version, a role's trust policy).
	Document string `json:"document,omitempty"`
	// Diff is the line diff from the account's document to Document, on
	// updates.
	Diff []string `json:"diff,omitempty"`
}

// Plan is the ordered steps that bring an account to a setup file's
// desired state (or, from Destroy, remove what awsmfa manages).
type Plan struct {
	Steps []Step `json:"steps"`
}

// Counts returns how many steps create, update, delete, and change nothing.
func (p *Plan) Counts() (add, change, destroy, unchanged int) {
	for _, s := range p.Steps {
		switch s.Action {
		case Create:
			add++
		case Update:
			change++
		case Delete:
			destroy++
		case NoChange:
			unchanged++
		}
	}
	return
}

// Changes reports whether the plan changes anything.
func (p *Plan) Changes() bool {
	a, c, d, _ := p.Counts()
	return a+c+d > 0
}

func managedTags() map[string]string { return map[string]string{ManagedTag: ManagedTagValue} }

func hasManagedTag(tags []account.Tag) bool {
	for _, t := range tags {
		if t.Key == ManagedTag {
			return true
		}
	}
	return false
}

// PolicyManaged, RoleManaged and GroupManaged report whether awsmfa created
// the resource.
func PolicyManaged(p *account.ManagedPolicy) bool { return !p.AWSManaged() && hasManagedTag(p.Tags) }

// RoleManaged reports whether awsmfa created the role.
func RoleManaged(r *account.Role) bool { return hasManagedTag(r.Tags) }

// GroupManaged reports whether awsmfa created the group (its path).
func GroupManaged(g *account.Group) bool { return g.Path == GroupPath }

// planner accumulates steps.
type planner struct {
	acct  *account.Account
	steps []Step
	// lower maps lower-cased group and role names to the account's
	// entities: IAM names are unique regardless of case.
	groups map[string]*account.Group
	roles  map[string]*account.Role
	// policies maps lower-cased customer managed policy names to the
	// account's policies; membersOf group names to their users.
	policies  map[string]*account.ManagedPolicy
	membersOf map[string][]string
}

func newPlanner(acct *account.Account) *planner {
	p := &planner{acct: acct, groups: map[string]*account.Group{}, roles: map[string]*account.Role{},
		policies: map[string]*account.ManagedPolicy{}, membersOf: map[string][]string{}}
	for _, ap := range acct.Policies {
		if k := strings.ToLower(ap.Name); !ap.AWSManaged() && p.policies[k] == nil {
			p.policies[k] = ap
		}
	}
	for _, u := range acct.Users {
		for _, g := range u.Groups {
			p.membersOf[g] = append(p.membersOf[g], u.Name)
		}
	}
	for _, g := range acct.Groups {
		p.groups[strings.ToLower(g.Name)] = g
	}
	for _, r := range acct.Roles {
		p.roles[strings.ToLower(r.Name)] = r
	}
	return p
}

func (p *planner) add(s Step) { p.steps = append(p.steps, s) }

// MakePlan diffs the desired state against the account. It fails, changing
// nothing, when a resource of a desired name exists and awsmfa does not
// manage it, or when a user the file names does not exist.
func MakePlan(d *Desired, acct *account.Account) (*Plan, error) {
	p := newPlanner(acct)
	if err := p.check(d); err != nil {
		return nil, err
	}
	for _, dp := range d.Policies {
		if dp.ForRole == "" {
			p.policy(dp)
		}
	}
	for _, g := range d.Groups {
		p.group(g)
	}
	for _, g := range d.Groups {
		p.memberships(g)
	}
	for _, g := range d.Groups {
		p.attachments("group", g.Name, p.attachedOfGroup(g.Name), g.Attached)
	}
	for _, r := range d.Roles {
		p.role(r)
	}
	for _, r := range d.Roles {
		p.attachments("role", r.Name, p.attachedOfRole(r.Name), r.Attached)
	}
	for _, dp := range d.Policies {
		if dp.ForRole != "" {
			p.policy(dp)
		}
	}
	for _, dp := range d.Policies {
		if dp.ForRole != "" {
			p.userAttachments(dp)
		}
	}
	p.teardown(d)
	return &Plan{Steps: p.steps}, nil
}

// check refuses name clashes with unmanaged resources and unknown users.
func (p *planner) check(d *Desired) error {
	var problems []string
	for _, dp := range d.Policies {
		if ap := p.policyNamed(dp.Name); ap != nil && (ap.ARN != dp.ARN || !PolicyManaged(ap)) {
			problems = append(problems, fmt.Sprintf("managed policy %s exists and is not managed by awsmfa (no %s tag, or another path): rename or remove it", ap.ARN, ManagedTag))
		}
	}
	for _, g := range d.Groups {
		if ag := p.groups[strings.ToLower(g.Name)]; ag != nil && !GroupManaged(ag) {
			problems = append(problems, fmt.Sprintf("group %s (line %d) exists with path %s and is not managed by awsmfa (its groups have path %s): rename or remove it", ag.Name, g.Line, ag.Path, GroupPath))
		}
		for _, u := range g.Members {
			if p.acct.UserByName(u) == nil {
				problems = append(problems, fmt.Sprintf("group %s (line %d): user %s does not exist in account %s", g.Name, g.Line, u, p.acct.ID))
			}
		}
	}
	for _, r := range d.Roles {
		if ar := p.roles[strings.ToLower(r.Name)]; ar != nil && !RoleManaged(ar) {
			problems = append(problems, fmt.Sprintf("role %s (line %d) exists and is not managed by awsmfa (no %s tag): rename or remove it", ar.Name, r.Line, ManagedTag))
		}
		for _, arn := range r.Attached {
			switch {
			case strings.Contains(arn, ":iam::aws:"):
			case !strings.Contains(arn, ":iam::"+p.acct.ID+":"):
				problems = append(problems, fmt.Sprintf("role %s (line %d): managed policy %s belongs to another account (only AWS managed policies and account %s's can be attached)", r.Name, r.Line, arn, p.acct.ID))
			case p.acct.PolicyByARN(arn) == nil:
				problems = append(problems, fmt.Sprintf("role %s (line %d): managed policy %s does not exist", r.Name, r.Line, arn))
			}
		}
	}
	for _, dp := range d.Policies {
		for _, u := range dp.Users {
			if p.acct.UserByName(u) == nil {
				problems = append(problems, fmt.Sprintf("role %s: trusted user %s does not exist in account %s", dp.ForRole, u, p.acct.ID))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("cannot plan:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// policyNamed returns the account's customer managed policy of the name,
// whatever its path: IAM refuses a second policy of the same name in an
// account (EntityAlreadyExists), comparing names without case.
func (p *planner) policyNamed(name string) *account.ManagedPolicy {
	return p.policies[strings.ToLower(name)]
}

func docText(d *account.Document) string {
	if d == nil || d.Document == nil {
		return ""
	}
	return string(policy.Format(d.Document))
}

// policy creates a managed policy or gives it a new default version.
func (p *planner) policy(dp DesiredPolicy) {
	ap := p.acct.PolicyByARN(dp.ARN)
	if ap == nil {
		p.add(Step{Action: Create, Call: "CreatePolicy", Summary: "create managed policy " + dp.Name,
			PolicyARN: dp.ARN, PolicyName: dp.Name, Path: "/", Tags: managedTags(), Document: dp.Text})
		return
	}
	old := docText(ap.Document)
	if old == dp.Text {
		p.add(Step{Action: NoChange, Summary: "managed policy " + dp.Name, PolicyARN: dp.ARN, PolicyName: dp.Name})
		return
	}
	if len(ap.Versions) >= maxPolicyVersions {
		if v := oldestNonDefault(ap); v != "" {
			p.add(Step{Action: Delete, Call: "DeletePolicyVersion",
				Summary:   fmt.Sprintf("delete version %s of managed policy %s (five versions exist)", v, dp.Name),
				PolicyARN: dp.ARN, PolicyName: dp.Name, VersionID: v})
		}
	}
	p.add(Step{Action: Update, Call: "CreatePolicyVersion",
		Summary:   "update managed policy " + dp.Name + " (new default version)",
		PolicyARN: dp.ARN, PolicyName: dp.Name, Document: dp.Text, Diff: lineDiff(old, dp.Text)})
}

// oldestNonDefault returns the oldest version that is not the default.
func oldestNonDefault(ap *account.ManagedPolicy) string {
	for _, v := range ap.Versions {
		if v != ap.DefaultVersion {
			return v
		}
	}
	return ""
}

func (p *planner) group(g DesiredGroup) {
	if p.groups[strings.ToLower(g.Name)] == nil {
		p.add(Step{Action: Create, Call: "CreateGroup", Summary: "create group " + g.Name, Group: g.Name, Path: GroupPath})
		return
	}
	p.add(Step{Action: NoChange, Summary: "group " + g.Name, Group: g.Name})
}

// members returns the account's users in a group, in the account's order.
func (p *planner) members(group string) []string { return p.membersOf[group] }

func (p *planner) memberships(g DesiredGroup) {
	have := p.members(g.Name)
	haveSet := toSet(have)
	wantSet := toSet(g.Members)
	for _, u := range g.Members {
		if haveSet[u] {
			p.add(Step{Action: NoChange, Summary: "user " + u + " in group " + g.Name, Group: g.Name, User: u})
		} else {
			p.add(Step{Action: Create, Call: "AddUserToGroup", Summary: "add user " + u + " to group " + g.Name, Group: g.Name, User: u})
		}
	}
	for _, u := range have {
		if !wantSet[u] {
			p.add(Step{Action: Delete, Call: "RemoveUserFromGroup", Summary: "remove user " + u + " from group " + g.Name, Group: g.Name, User: u})
		}
	}
}

func toSet(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

func (p *planner) attachedOfGroup(name string) []string {
	if g := p.groups[strings.ToLower(name)]; g != nil {
		return g.Attached
	}
	return nil
}

func (p *planner) attachedOfRole(name string) []string {
	if r := p.roles[strings.ToLower(name)]; r != nil {
		return r.Attached
	}
	return nil
}

// attachments attaches the wanted managed policies to a group or role
// awsmfa manages and detaches the others.
func (p *planner) attachments(kind, name string, have, want []string) {
	verb := map[string]string{"group": "Group", "role": "Role", "user": "User"}[kind]
	for _, arn := range want {
		s := Step{PolicyARN: arn}
		s.setEntity(kind, name)
		if slices.Contains(have, arn) {
			s.Action, s.Summary = NoChange, "policy "+arn+" attached to "+kind+" "+name
		} else {
			s.Action, s.Call, s.Summary = Create, "Attach"+verb+"Policy", "attach policy "+arn+" to "+kind+" "+name
		}
		p.add(s)
	}
	for _, arn := range have {
		if !slices.Contains(want, arn) {
			s := Step{Action: Delete, Call: "Detach" + verb + "Policy", Summary: "detach policy " + arn + " from " + kind + " " + name, PolicyARN: arn}
			s.setEntity(kind, name)
			p.add(s)
		}
	}
}

func (s *Step) setEntity(kind, name string) {
	switch kind {
	case "group":
		s.Group = name
	case "role":
		s.Role = name
	case "user":
		s.User = name
	}
}

func (p *planner) role(r DesiredRole) {
	ar := p.roles[strings.ToLower(r.Name)]
	if ar == nil {
		p.add(Step{Action: Create, Call: "CreateRole", Summary: "create role " + r.Name, Role: r.Name, Path: "/",
			MaxSessionDuration: r.MaxSessionDuration, Tags: managedTags(), Document: r.TrustText})
		return
	}
	changed := false
	if old := docText(ar.Trust); old != r.TrustText {
		p.add(Step{Action: Update, Call: "UpdateAssumeRolePolicy", Summary: "update the trust policy of role " + r.Name,
			Role: r.Name, Document: r.TrustText, Diff: lineDiff(old, r.TrustText)})
		changed = true
	}
	if ar.MaxSessionDuration != r.MaxSessionDuration {
		p.add(Step{Action: Update, Call: "UpdateRole",
			Summary: fmt.Sprintf("update role %s: maximum session duration %d -> %d seconds", r.Name, ar.MaxSessionDuration, r.MaxSessionDuration),
			Role:    r.Name, MaxSessionDuration: r.MaxSessionDuration})
		changed = true
	}
	if !changed {
		p.add(Step{Action: NoChange, Summary: "role " + r.Name, Role: r.Name})
	}
}

// userAttachments attaches an assume-role policy to the role's trusted
// users and detaches it from users who are no longer trusted.
func (p *planner) userAttachments(dp DesiredPolicy) {
	for _, name := range dp.Users {
		u := p.acct.UserByName(name)
		have := []string(nil)
		if u != nil && slices.Contains(u.Attached, dp.ARN) {
			have = []string{dp.ARN}
		}
		p.attachments("user", name, have, []string{dp.ARN})
	}
	trusted := toSet(dp.Users)
	for _, u := range p.acct.Users {
		if slices.Contains(u.Attached, dp.ARN) && !trusted[u.Name] {
			p.attachments("user", u.Name, []string{dp.ARN}, nil)
		}
	}
}
