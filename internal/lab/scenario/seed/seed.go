// Package seed applies a lab scenario (internal/lab/scenario) to a lab
// store. It is a package of its own so that the scenario package, whose
// parser is fuzzed, does not link the SQLite driver.
package seed

import (
	"fmt"

	"github.com/awsmfa/awsmfa/internal/lab/scenario"
	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// Apply creates the scenario's entities in st through the store's IAM
// operations (the same validation the lab's IAM API applies): customer
// managed policies, groups, users with their access keys and enabled
// virtual MFA devices, then roles (a trust policy may name the users).
// The state must not already hold any of the entities.
func Apply(st *store.Store, s *scenario.Scenario) (*scenario.Applied, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if st.AccountID() != s.Account {
		return nil, fmt.Errorf("scenario %s is for account %s, the lab state is account %s", s.Name, s.Account, st.AccountID())
	}
	a := &scenario.Applied{Scenario: s.Name, Account: s.Account, Region: s.Region}
	arns := map[string]string{}
	for _, p := range s.Policies {
		mp, err := st.CreatePolicy(p.Name, p.Path, p.Document, p.Description)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", p.Name, err)
		}
		arns[p.Name] = mp.ARN
	}
	policyARN := func(name string) string {
		if arn, ok := arns[name]; ok {
			return arn
		}
		return name // an AWS managed policy ARN
	}
	for _, g := range s.Groups {
		if _, err := st.CreateGroup(g.Name, g.Path); err != nil {
			return nil, fmt.Errorf("group %s: %w", g.Name, err)
		}
		for _, p := range g.InlinePolicies {
			if err := st.PutGroupPolicy(g.Name, p.Name, p.Document); err != nil {
				return nil, fmt.Errorf("group %s inline policy %s: %w", g.Name, p.Name, err)
			}
		}
		for _, p := range g.ManagedPolicies {
			if err := st.AttachGroupPolicy(g.Name, policyARN(p)); err != nil {
				return nil, fmt.Errorf("group %s policy %s: %w", g.Name, p, err)
			}
		}
	}
	for _, u := range s.Users {
		user, err := st.CreateUser(u.Name, u.Path)
		if err != nil {
			return nil, fmt.Errorf("user %s: %w", u.Name, err)
		}
		au := scenario.AppliedUser{Name: user.Name, ARN: user.ARN, UserID: user.ID}
		for _, g := range u.Groups {
			if err := st.AddUserToGroup(g, u.Name); err != nil {
				return nil, fmt.Errorf("user %s group %s: %w", u.Name, g, err)
			}
		}
		for _, p := range u.InlinePolicies {
			if err := st.PutUserPolicy(u.Name, p.Name, p.Document); err != nil {
				return nil, fmt.Errorf("user %s inline policy %s: %w", u.Name, p.Name, err)
			}
		}
		for _, p := range u.ManagedPolicies {
			if err := st.AttachUserPolicy(u.Name, policyARN(p)); err != nil {
				return nil, fmt.Errorf("user %s policy %s: %w", u.Name, p, err)
			}
		}
		for i := 0; i < u.AccessKeys; i++ {
			k, err := st.CreateAccessKey(u.Name)
			if err != nil {
				return nil, fmt.Errorf("user %s access key: %w", u.Name, err)
			}
			au.AccessKeys = append(au.AccessKeys, scenario.AccessKey{ID: k.ID, Secret: k.Secret})
		}
		if u.MFADevice {
			// The device is named after the user and enabled the way
			// iam:EnableMFADevice does it, with the codes of the two steps
			// before now, which leaves the current code usable.
			d, err := st.CreateVirtualMFADevice(u.Name, "/")
			if err != nil {
				return nil, fmt.Errorf("user %s MFA device: %w", u.Name, err)
			}
			c1, c2 := store.EnableCodes(d.Seed, st.Now())
			if err := st.EnableMFADevice(u.Name, d.Serial, c1, c2); err != nil {
				return nil, fmt.Errorf("user %s enable MFA device: %w", u.Name, err)
			}
			au.MFASerial, au.MFASeed = d.Serial, d.Base32Seed()
		}
		a.Users = append(a.Users, au)
	}
	for _, r := range s.Roles {
		role, err := st.CreateRole(r.Name, r.Path, r.TrustPolicy, r.Description, r.MaxSessionDuration)
		if err != nil {
			return nil, fmt.Errorf("role %s: %w", r.Name, err)
		}
		for _, p := range r.InlinePolicies {
			if err := st.PutRolePolicy(r.Name, p.Name, p.Document); err != nil {
				return nil, fmt.Errorf("role %s inline policy %s: %w", r.Name, p.Name, err)
			}
		}
		for _, p := range r.ManagedPolicies {
			if err := st.AttachRolePolicy(r.Name, policyARN(p)); err != nil {
				return nil, fmt.Errorf("role %s policy %s: %w", r.Name, p, err)
			}
		}
		a.Roles = append(a.Roles, scenario.AppliedRole{Name: role.Name, ARN: role.ARN, Profiles: r.Profiles})
	}
	return a, nil
}
