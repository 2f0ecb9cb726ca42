package account

import (
	"fmt"
	"strings"
	"sync"
)

// index maps names to entities. It is built on the first lookup; add no
// users, groups, roles or policies to an Account after that.
type index struct {
	once     sync.Once
	users    map[string]*User
	groups   map[string]*Group
	roles    map[string]*Role
	policies map[string]*ManagedPolicy
}

func (a *Account) lookups() *index {
	a.idx.once.Do(func() {
		x := &a.idx
		x.users = make(map[string]*User, len(a.Users))
		for _, u := range a.Users {
			if _, dup := x.users[u.Name]; !dup {
				x.users[u.Name] = u
			}
		}
		x.groups = make(map[string]*Group, len(a.Groups))
		for _, g := range a.Groups {
			if _, dup := x.groups[g.Name]; !dup {
				x.groups[g.Name] = g
			}
		}
		x.roles = make(map[string]*Role, len(a.Roles))
		for _, r := range a.Roles {
			if _, dup := x.roles[r.Name]; !dup {
				x.roles[r.Name] = r
			}
		}
		x.policies = make(map[string]*ManagedPolicy, len(a.Policies))
		for _, p := range a.Policies {
			if _, dup := x.policies[p.ARN]; !dup {
				x.policies[p.ARN] = p
			}
		}
	})
	return &a.idx
}

// UserByName returns the user named name (IAM user names are unique in an
// account), or nil.
func (a *Account) UserByName(name string) *User { return a.lookups().users[name] }

// GroupByName returns the group named name, or nil.
func (a *Account) GroupByName(name string) *Group { return a.lookups().groups[name] }

// RoleByName returns the role named name, or nil.
func (a *Account) RoleByName(name string) *Role { return a.lookups().roles[name] }

// PolicyByARN returns the managed policy with the ARN, or nil.
func (a *Account) PolicyByARN(arn string) *ManagedPolicy { return a.lookups().policies[arn] }

// RoleByARN returns the role with the ARN, or nil. Role names are unique
// in an account whatever their path, so the name after the last '/'
// decides, and the whole ARN must match.
func (a *Account) RoleByARN(arn string) *Role {
	i := strings.LastIndexByte(arn, '/')
	if i < 0 {
		return nil
	}
	r := a.RoleByName(arn[i+1:])
	if r == nil || r.ARN != arn {
		return nil
	}
	return r
}

// Origin says how a policy applies to a principal.
type Origin int

const (
	// OriginInline: an inline policy of the user or role itself.
	OriginInline Origin = iota
	// OriginManaged: a managed policy attached to the user or role.
	OriginManaged
	// OriginGroupInline: an inline policy of one of the user's groups.
	OriginGroupInline
	// OriginGroupManaged: a managed policy attached to one of the user's
	// groups.
	OriginGroupManaged
)

func (o Origin) String() string {
	switch o {
	case OriginInline:
		return "inline"
	case OriginManaged:
		return "managed"
	case OriginGroupInline:
		return "group inline"
	case OriginGroupManaged:
		return "group managed"
	}
	return fmt.Sprintf("Origin(%d)", int(o))
}

// AppliedPolicy is one identity-based policy in force for a user or role.
type AppliedPolicy struct {
	// Ref names the policy for findings: a managed policy's ARN, or
	// "user/alice/InlineName", "group/admins/InlineName",
	// "role/cli-role/InlineName" for an inline policy.
	Ref    string
	Origin Origin
	// Group is the group the policy comes through (OriginGroup*), else "".
	Group string
	// Managed is the managed policy (OriginManaged, OriginGroupManaged),
	// else nil.
	Managed  *ManagedPolicy
	Document *Document
}

// InlineRef names an inline policy of a user, group or role for findings:
// InlineRef("user", "alice", "Inline") is "user/alice/Inline".
func InlineRef(entityType, entity, policy string) string {
	return entityType + "/" + entity + "/" + policy
}

// TrustRef names a role's trust policy for findings: "role/NAME/trust".
func (r *Role) TrustRef() string { return "role/" + r.Name + "/trust" }

// UserPolicies returns the identity-based policies in force for u, in the
// order IAM lists them: the user's inline policies, its attached managed
// policies, then for each of its groups the group's inline and attached
// managed policies. A managed policy attached more than once (to the user
// and a group, or to two groups) is listed once, where it is first met.
// Groups and managed policies the account does not hold are skipped
// (LoadAuthorizationDetails refuses such files; see Check). The permissions
// boundary is not among them: it is PolicyByARN(u.Boundary).
//
// The work is linear in the number of policies listed.
func (a *Account) UserPolicies(u *User) []AppliedPolicy {
	n := len(u.Inline) + len(u.Attached)
	groups := make([]*Group, 0, len(u.Groups))
	for _, name := range u.Groups {
		if g := a.GroupByName(name); g != nil {
			groups = append(groups, g)
			n += len(g.Inline) + len(g.Attached)
		}
	}
	out := make([]AppliedPolicy, 0, n)
	seen := make(map[string]bool, n)
	for _, p := range u.Inline {
		if p.Document == nil {
			continue
		}
		out = append(out, AppliedPolicy{Ref: InlineRef("user", u.Name, p.Name), Origin: OriginInline, Document: p.Document})
	}
	out = a.appendManaged(out, seen, u.Attached, OriginManaged, "")
	for _, g := range groups {
		for _, p := range g.Inline {
			if p.Document == nil {
				continue
			}
			out = append(out, AppliedPolicy{Ref: InlineRef("group", g.Name, p.Name), Origin: OriginGroupInline, Group: g.Name, Document: p.Document})
		}
		out = a.appendManaged(out, seen, g.Attached, OriginGroupManaged, g.Name)
	}
	return out
}

// RolePolicies returns the identity-based policies in force for a role's
// sessions: its inline policies, then its attached managed policies (the
// trust policy is r.Trust, the boundary PolicyByARN(r.Boundary)).
func (a *Account) RolePolicies(r *Role) []AppliedPolicy {
	out := make([]AppliedPolicy, 0, len(r.Inline)+len(r.Attached))
	for _, p := range r.Inline {
		if p.Document == nil {
			continue
		}
		out = append(out, AppliedPolicy{Ref: InlineRef("role", r.Name, p.Name), Origin: OriginInline, Document: p.Document})
	}
	return a.appendManaged(out, make(map[string]bool, len(r.Attached)), r.Attached, OriginManaged, "")
}

func (a *Account) appendManaged(out []AppliedPolicy, seen map[string]bool, arns []string, origin Origin, group string) []AppliedPolicy {
	for _, arn := range arns {
		if seen[arn] {
			continue
		}
		p := a.PolicyByARN(arn)
		if p == nil || p.Document == nil {
			continue
		}
		seen[arn] = true
		out = append(out, AppliedPolicy{Ref: arn, Origin: origin, Group: group, Managed: p, Document: p.Document})
	}
	return out
}

// Check reports what the model refers to but does not hold: a user's group
// that is not among the groups, an attached or boundary policy that is not
// among the policies or has no document, a role without a trust policy. A
// model read by LoadAuthorizationDetails passes; a reader that builds the
// model another way calls it before deciding anything.
func (a *Account) Check() error {
	var problems []string
	add := func(format string, args ...any) {
		if len(problems) < maxLoadErrors {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	policyOK := func(owner, arn string) {
		if p := a.PolicyByARN(arn); p == nil {
			add("%s: managed policy %s is not in the account's policies", owner, arn)
		} else if p.Document == nil {
			add("%s: managed policy %s has no document", owner, arn)
		}
	}
	for _, u := range a.Users {
		owner := "user " + u.Name
		for _, g := range u.Groups {
			if a.GroupByName(g) == nil {
				add("%s: group %s is not in the account's groups", owner, g)
			}
		}
		for _, arn := range u.Attached {
			policyOK(owner, arn)
		}
		if u.Boundary != "" {
			policyOK(owner+" (permissions boundary)", u.Boundary)
		}
	}
	for _, g := range a.Groups {
		for _, arn := range g.Attached {
			policyOK("group "+g.Name, arn)
		}
	}
	for _, r := range a.Roles {
		owner := "role " + r.Name
		if r.Trust == nil {
			add("%s: no trust policy", owner)
		}
		for _, arn := range r.Attached {
			policyOK(owner, arn)
		}
		if r.Boundary != "" {
			policyOK(owner+" (permissions boundary)", r.Boundary)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("account %s is incomplete:\n  %s", a.ID, strings.Join(problems, "\n  "))
}
