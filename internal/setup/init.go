package setup

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/awsmfa/awsmfa/internal/account"
)

// InitOptions shape a starter setup file (awsmfa setup init).
type InitOptions struct {
	// Group is the group that requires MFA ("mfa-required" when empty).
	Group string
	// Users are the group's members; with AllUsers, every user of the
	// account instead.
	Users    []string
	AllUsers bool
	// Role, when set, is a role its trusted users (the group's users)
	// assume only with MFA; Policies are its managed policies, or with
	// LikeGroup the managed policies that group has today (seed 003's role
	// "with identical permissions to the user's current permissions").
	Role      string
	Policies  []string
	LikeGroup string
}

// Init writes a starter setup file, checked by Parse. acct may be nil
// unless AllUsers or LikeGroup need it. notes say what could not be carried
// over (a group's inline policies).
func Init(o InitOptions, acct *account.Account) (data []byte, notes []string, err error) {
	if o.Group == "" {
		o.Group = "mfa-required"
	}
	users := o.Users
	if o.AllUsers {
		if acct == nil {
			return nil, nil, fmt.Errorf("--all-users needs the account")
		}
		users = nil
		for _, u := range acct.Users {
			users = append(users, u.Name)
		}
	}
	policies := o.Policies
	if o.LikeGroup != "" {
		if acct == nil {
			return nil, nil, fmt.Errorf("--like-group needs the account")
		}
		g := acct.GroupByName(o.LikeGroup)
		if g == nil {
			return nil, nil, fmt.Errorf("--like-group: group %s does not exist in account %s", o.LikeGroup, acct.ID)
		}
		policies = append(append([]string(nil), policies...), g.Attached...)
		for _, in := range g.Inline {
			notes = append(notes, fmt.Sprintf("group %s's inline policy %s is not carried over: make it a managed policy to give the role the same permissions", g.Name, in.Name))
		}
	}
	if o.Role == "" && len(policies) > 0 {
		return nil, nil, fmt.Errorf("--policy and --like-group need --role")
	}
	var b bytes.Buffer
	b.WriteString("# awsmfa setup file: awsmfa setup plan -f FILE shows what apply would change.\n")
	b.WriteString("version: 1\ngroups:\n")
	fmt.Fprintf(&b, "  - name: %s\n    users: %s\n    requireMfa: true\n", yamlString(o.Group), yamlList(users))
	b.WriteString("    # maxMfaAgeSeconds: 43200\n")
	if o.Role != "" {
		b.WriteString("roles:\n")
		fmt.Fprintf(&b, "  - name: %s\n    requireMfa: true\n    trustedUsers: %s\n    managedPolicies: %s\n    maxSessionDuration: %d\n",
			yamlString(o.Role), yamlList(users), yamlList(dedupe(policies)), MaxSessionDuration)
	}
	if _, err := Parse("setup init", b.Bytes()); err != nil {
		return nil, nil, err
	}
	return b.Bytes(), notes, nil
}

// yamlString double-quotes a value (IAM names and ARNs hold no control
// characters, and quoting keeps "123" a string).
func yamlString(s string) string { return strconv.Quote(s) }

func yamlList(values []string) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(yamlString(v))
	}
	b.WriteByte(']')
	return b.String()
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
