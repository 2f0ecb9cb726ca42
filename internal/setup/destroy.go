package setup

import (
	"slices"
	"strings"

	"github.com/awsmfa/awsmfa/internal/account"
)

// Destroy plans the removal of everything awsmfa manages in the account
// (policies and roles tagged awsmfa:managed, groups with path /awsmfa/), in
// the reverse of the order MakePlan creates them: detachments and
// memberships first, then roles, groups, and last the policies with their
// non-default versions (DeletePolicy needs those gone). Nothing else is
// touched except the detachment of an awsmfa policy from whatever it is
// attached to, without which IAM refuses to delete it (DeleteConflict).
func Destroy(acct *account.Account) *Plan {
	p := newPlanner(acct)
	p.teardown(nil)
	return &Plan{Steps: p.steps}
}

// orphans are the managed resources of the account the desired state does
// not hold (all of them when d is nil).
type orphans struct {
	policies []*account.ManagedPolicy
	groups   []*account.Group
	roles    []*account.Role
	// policy ARNs, lower-cased group and role names, for membership tests.
	policySet, groupSet, roleSet map[string]bool
}

func findOrphans(acct *account.Account, d *Desired) *orphans {
	want := map[string]bool{}
	if d != nil {
		for _, p := range d.Policies {
			want["policy:"+p.ARN] = true
		}
		for _, g := range d.Groups {
			want["group:"+strings.ToLower(g.Name)] = true
		}
		for _, r := range d.Roles {
			want["role:"+strings.ToLower(r.Name)] = true
		}
	}
	o := &orphans{policySet: map[string]bool{}, groupSet: map[string]bool{}, roleSet: map[string]bool{}}
	for _, p := range acct.Policies {
		if PolicyManaged(p) && !want["policy:"+p.ARN] {
			o.policies = append(o.policies, p)
			o.policySet[p.ARN] = true
		}
	}
	for _, g := range acct.Groups {
		if GroupManaged(g) && !want["group:"+strings.ToLower(g.Name)] {
			o.groups = append(o.groups, g)
			o.groupSet[strings.ToLower(g.Name)] = true
		}
	}
	for _, r := range acct.Roles {
		if RoleManaged(r) && !want["role:"+strings.ToLower(r.Name)] {
			o.roles = append(o.roles, r)
			o.roleSet[strings.ToLower(r.Name)] = true
		}
	}
	return o
}

// teardown removes the managed resources d does not hold.
func (p *planner) teardown(d *Desired) {
	o := findOrphans(p.acct, d)
	for _, u := range p.acct.Users {
		for _, arn := range u.Attached {
			if o.policySet[arn] {
				p.attachments("user", u.Name, []string{arn}, nil)
			}
		}
	}
	for _, r := range o.roles {
		p.attachments("role", r.Name, r.Attached, nil)
		for _, in := range r.Inline {
			p.add(Step{Action: Delete, Call: "DeleteRolePolicy", Summary: "delete inline policy " + in.Name + " of role " + r.Name, Role: r.Name, PolicyName: in.Name})
		}
		p.add(Step{Action: Delete, Call: "DeleteRole", Summary: "delete role " + r.Name, Role: r.Name})
	}
	for _, g := range o.groups {
		for _, u := range p.members(g.Name) {
			p.add(Step{Action: Delete, Call: "RemoveUserFromGroup", Summary: "remove user " + u + " from group " + g.Name, Group: g.Name, User: u})
		}
		p.attachments("group", g.Name, g.Attached, nil)
		for _, in := range g.Inline {
			p.add(Step{Action: Delete, Call: "DeleteGroupPolicy", Summary: "delete inline policy " + in.Name + " of group " + g.Name, Group: g.Name, PolicyName: in.Name})
		}
		p.add(Step{Action: Delete, Call: "DeleteGroup", Summary: "delete group " + g.Name, Group: g.Name})
	}
	for _, mp := range o.policies {
		p.detachFromUnmanaged(mp.ARN)
		for _, v := range mp.Versions {
			if v != mp.DefaultVersion {
				p.add(Step{Action: Delete, Call: "DeletePolicyVersion", Summary: "delete version " + v + " of managed policy " + mp.Name,
					PolicyARN: mp.ARN, PolicyName: mp.Name, VersionID: v})
			}
		}
		p.add(Step{Action: Delete, Call: "DeletePolicy", Summary: "delete managed policy " + mp.Name, PolicyARN: mp.ARN, PolicyName: mp.Name})
	}
}

// detachFromUnmanaged detaches an orphan policy from the groups and roles
// awsmfa does not manage (managed ones detach it in their own steps).
func (p *planner) detachFromUnmanaged(arn string) {
	for _, g := range p.acct.Groups {
		if !GroupManaged(g) && slices.Contains(g.Attached, arn) {
			p.attachments("group", g.Name, []string{arn}, nil)
		}
	}
	for _, r := range p.acct.Roles {
		if !RoleManaged(r) && slices.Contains(r.Attached, arn) {
			p.attachments("role", r.Name, []string{arn}, nil)
		}
	}
}
