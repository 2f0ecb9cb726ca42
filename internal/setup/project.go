package setup

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// Project returns a copy of the account as it would be after the plan's
// steps, for the safety check that simulates every affected user's access
// before apply (the account itself is not modified). The copy's documents
// are parsed from the steps' text, located as "setup plan".
func Project(acct *account.Account, p *Plan) (*account.Account, error) {
	out := copyAccount(acct)
	for i, s := range p.Steps {
		if s.Action == NoChange {
			continue
		}
		if err := project(out, s); err != nil {
			return nil, fmt.Errorf("step %d (%s): %w", i+1, s.Summary, err)
		}
	}
	return out, nil
}

// copyAccount copies the entities and the slices a plan changes; documents,
// the credential report and the organization are shared (read-only).
func copyAccount(a *account.Account) *account.Account {
	out := &account.Account{ID: a.ID, Partition: a.Partition, Report: a.Report, Summary: a.Summary, Org: a.Org,
		Source: a.Source, Notes: slices.Clone(a.Notes)}
	for _, u := range a.Users {
		c := *u
		c.Groups, c.Attached, c.Inline = slices.Clone(u.Groups), slices.Clone(u.Attached), slices.Clone(u.Inline)
		out.Users = append(out.Users, &c)
	}
	for _, g := range a.Groups {
		c := *g
		c.Attached, c.Inline = slices.Clone(g.Attached), slices.Clone(g.Inline)
		out.Groups = append(out.Groups, &c)
	}
	for _, r := range a.Roles {
		c := *r
		c.Attached, c.Inline, c.Tags = slices.Clone(r.Attached), slices.Clone(r.Inline), slices.Clone(r.Tags)
		out.Roles = append(out.Roles, &c)
	}
	for _, mp := range a.Policies {
		c := *mp
		c.Versions, c.Tags = slices.Clone(mp.Versions), slices.Clone(mp.Tags)
		out.Policies = append(out.Policies, &c)
	}
	return out
}

func parseDoc(text string, kind policy.Kind) (*account.Document, error) {
	d, err := policy.ParseKind("setup plan", []byte(text), kind)
	if err != nil {
		return nil, err
	}
	return &account.Document{Document: d, Text: text, File: "setup plan"}, nil
}

func tagList(m map[string]string) []account.Tag {
	var out []account.Tag
	for k, v := range m {
		out = append(out, account.Tag{Key: k, Value: v})
	}
	slices.SortFunc(out, func(a, b account.Tag) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// finders over the copy (the account's lookup index is built once, so the
// copy is searched directly).
func findUser(a *account.Account, name string) *account.User {
	for _, u := range a.Users {
		if u.Name == name {
			return u
		}
	}
	return nil
}

func findGroup(a *account.Account, name string) *account.Group {
	for _, g := range a.Groups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

func findRole(a *account.Account, name string) *account.Role {
	for _, r := range a.Roles {
		if r.Name == name {
			return r
		}
	}
	return nil
}

func findPolicy(a *account.Account, arn string) *account.ManagedPolicy {
	for _, mp := range a.Policies {
		if mp.ARN == arn {
			return mp
		}
	}
	return nil
}

func without(list []string, s string) []string {
	return slices.DeleteFunc(list, func(x string) bool { return x == s })
}

func (pr *projector) arn(kind, pathName string) string {
	part := pr.a.Partition
	if part == "" {
		part = "aws"
	}
	return "arn:" + part + ":iam::" + pr.a.ID + ":" + kind + "/" + strings.TrimPrefix(pathName, "/")
}

type projector struct{ a *account.Account }

func project(a *account.Account, s Step) error {
	pr := &projector{a}
	switch s.Call {
	case "CreatePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "DeletePolicy":
		return pr.policyStep(s)
	case "CreateGroup", "DeleteGroup", "AddUserToGroup", "RemoveUserFromGroup", "AttachGroupPolicy", "DetachGroupPolicy", "DeleteGroupPolicy":
		return pr.groupStep(s)
	case "CreateRole", "UpdateAssumeRolePolicy", "UpdateRole", "AttachRolePolicy", "DetachRolePolicy", "DeleteRolePolicy", "DeleteRole":
		return pr.roleStep(s)
	case "AttachUserPolicy", "DetachUserPolicy":
		u := findUser(a, s.User)
		if u == nil {
			return fmt.Errorf("no user %s", s.User)
		}
		if s.Call == "AttachUserPolicy" {
			u.Attached = append(u.Attached, s.PolicyARN)
		} else {
			u.Attached = without(u.Attached, s.PolicyARN)
		}
		return nil
	}
	return fmt.Errorf("unknown call %q", s.Call)
}

func (pr *projector) policyStep(s Step) error {
	if s.Call == "CreatePolicy" {
		d, err := parseDoc(s.Document, policy.KindIdentity)
		if err != nil {
			return err
		}
		pr.a.Policies = append(pr.a.Policies, &account.ManagedPolicy{Name: s.PolicyName, ARN: pr.arn("policy", s.Path+s.PolicyName),
			Path: s.Path, DefaultVersion: "v1", Versions: []string{"v1"}, Document: d, Tags: tagList(s.Tags)})
		return nil
	}
	mp := findPolicy(pr.a, s.PolicyARN)
	if mp == nil {
		return fmt.Errorf("no managed policy %s", s.PolicyARN)
	}
	switch s.Call {
	case "CreatePolicyVersion":
		d, err := parseDoc(s.Document, policy.KindIdentity)
		if err != nil {
			return err
		}
		mp.Document, mp.DefaultVersion = d, nextVersion(mp.Versions)
		mp.Versions = append(mp.Versions, mp.DefaultVersion)
	case "DeletePolicyVersion":
		mp.Versions = without(mp.Versions, s.VersionID)
	case "DeletePolicy":
		pr.a.Policies = slices.DeleteFunc(pr.a.Policies, func(x *account.ManagedPolicy) bool { return x == mp })
	}
	return nil
}

// nextVersion is the ID IAM gives a new version: one more than the highest
// so far ("v1", "v2", ...).
func nextVersion(versions []string) string {
	highest := 0
	for _, v := range versions {
		if n, err := strconv.Atoi(strings.TrimPrefix(v, "v")); err == nil && n > highest {
			highest = n
		}
	}
	return "v" + strconv.Itoa(highest+1)
}

func (pr *projector) groupStep(s Step) error {
	if s.Call == "CreateGroup" {
		pr.a.Groups = append(pr.a.Groups, &account.Group{Name: s.Group, Path: s.Path, ARN: pr.arn("group", s.Path+s.Group)})
		return nil
	}
	g := findGroup(pr.a, s.Group)
	if g == nil {
		return fmt.Errorf("no group %s", s.Group)
	}
	switch s.Call {
	case "DeleteGroup":
		pr.a.Groups = slices.DeleteFunc(pr.a.Groups, func(x *account.Group) bool { return x == g })
	case "AddUserToGroup", "RemoveUserFromGroup":
		u := findUser(pr.a, s.User)
		if u == nil {
			return fmt.Errorf("no user %s", s.User)
		}
		if s.Call == "AddUserToGroup" {
			u.Groups = append(u.Groups, g.Name)
		} else {
			u.Groups = without(u.Groups, g.Name)
		}
	case "AttachGroupPolicy":
		g.Attached = append(g.Attached, s.PolicyARN)
	case "DetachGroupPolicy":
		g.Attached = without(g.Attached, s.PolicyARN)
	case "DeleteGroupPolicy":
		g.Inline = slices.DeleteFunc(g.Inline, func(p account.InlinePolicy) bool { return p.Name == s.PolicyName })
	}
	return nil
}

func (pr *projector) roleStep(s Step) error {
	if s.Call == "CreateRole" {
		trust, err := parseDoc(s.Document, policy.KindTrust)
		if err != nil {
			return err
		}
		pr.a.Roles = append(pr.a.Roles, &account.Role{Name: s.Role, Path: s.Path, ARN: pr.arn("role", s.Path+s.Role),
			Trust: trust, MaxSessionDuration: s.MaxSessionDuration, Tags: tagList(s.Tags)})
		return nil
	}
	r := findRole(pr.a, s.Role)
	if r == nil {
		return fmt.Errorf("no role %s", s.Role)
	}
	switch s.Call {
	case "UpdateAssumeRolePolicy":
		trust, err := parseDoc(s.Document, policy.KindTrust)
		if err != nil {
			return err
		}
		r.Trust = trust
	case "UpdateRole":
		r.MaxSessionDuration = s.MaxSessionDuration
	case "AttachRolePolicy":
		r.Attached = append(r.Attached, s.PolicyARN)
	case "DetachRolePolicy":
		r.Attached = without(r.Attached, s.PolicyARN)
	case "DeleteRolePolicy":
		r.Inline = slices.DeleteFunc(r.Inline, func(p account.InlinePolicy) bool { return p.Name == s.PolicyName })
	case "DeleteRole":
		pr.a.Roles = slices.DeleteFunc(pr.a.Roles, func(x *account.Role) bool { return x == r })
	}
	return nil
}
