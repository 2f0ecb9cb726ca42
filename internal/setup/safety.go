package setup

import (
	"fmt"
	"sort"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/audit"
)

// Impact is a change of one user's access for one credential type, as the
// audit decides it before and after a plan.
type Impact struct {
	User       string           `json:"user"`
	Credential audit.Credential `json:"credential"`
	Before     audit.Verdict    `json:"before"`
	After      audit.Verdict    `json:"after"`
}

// Safety is what a plan does to people's access.
type Safety struct {
	// Impacts are the verdicts that change, by user then credential type.
	Impacts []Impact `json:"impacts"`
	// NoDevice are the users whose access comes to require MFA and who
	// have no MFA device yet: they keep only MFA self-service until they
	// enroll one (awsmfa mfa enroll).
	NoDevice []string `json:"noDevice"`
	// Lockout, when not "", says how the plan would cut off the caller
	// running it; apply refuses unless forced.
	Lockout string `json:"lockout,omitempty"`
}

// CheckSafety audits the account before and after the plan (Project) and
// reports whose access changes. caller is the user name of the principal
// that will apply the plan ("" for a role or the root user: not checked)
// and callerCred the credential type it signs with.
func CheckSafety(before *account.Account, p *Plan, caller string, callerCred audit.Credential, opts audit.Options) (*Safety, error) {
	after, err := Project(before, p)
	if err != nil {
		return nil, err
	}
	opts.Progress = nil
	was, err := audit.Run(before, opts)
	if err != nil {
		return nil, fmt.Errorf("auditing the account before the plan: %w", err)
	}
	will, err := audit.Run(after, opts)
	if err != nil {
		return nil, fmt.Errorf("auditing the account after the plan: %w", err)
	}
	s := &Safety{Impacts: []Impact{}, NoDevice: []string{}}
	prev := map[string]audit.UserResult{}
	for _, u := range was.Users {
		prev[u.Name] = u
	}
	for _, u := range will.Users {
		old, ok := prev[u.Name]
		if !ok {
			continue
		}
		s.Impacts = append(s.Impacts, impactsOf(old, u)...)
	}
	sort.SliceStable(s.Impacts, func(i, j int) bool { return s.Impacts[i].User < s.Impacts[j].User })
	s.NoDevice = withoutDevice(s.Impacts, will)
	s.Lockout = lockout(s, caller, callerCred)
	return s, nil
}

func impactsOf(old, now audit.UserResult) []Impact {
	var out []Impact
	for _, c := range audit.AllCredentials() {
		b, a := old.Creds[c], now.Creds[c]
		if b != a && b != "" && a != "" {
			out = append(out, Impact{User: now.Name, Credential: c, Before: b, After: a})
		}
	}
	return out
}

// withoutDevice lists the users who lose access without MFA and are known
// to have no MFA device.
func withoutDevice(impacts []Impact, after *audit.Report) []string {
	noDevice := map[string]bool{}
	for _, u := range after.Users {
		if u.MFA == audit.MFANone || (u.MFA == audit.MFADevicesListed && len(u.MFADevices) == 0) {
			noDevice[u.Name] = true
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, im := range impacts {
		if im.Before == audit.ActsWithoutMFA && im.After != audit.ActsWithoutMFA && noDevice[im.User] && !seen[im.User] {
			seen[im.User] = true
			out = append(out, im.User)
		}
	}
	return append([]string{}, out...)
}

// lockout tells whether the caller's own credentials lose their access:
// the rest of the apply would then fail part way, and the caller could
// not undo it with the same credentials.
func lockout(s *Safety, caller string, cred audit.Credential) string {
	if caller == "" {
		return ""
	}
	for _, im := range s.Impacts {
		if im.User != caller || im.Credential != cred || im.Before != audit.ActsWithoutMFA {
			continue
		}
		msg := fmt.Sprintf("this plan takes the access of your own %s credentials as user %s (%s -> %s)", cred, caller, im.Before, im.After)
		for _, u := range s.NoDevice {
			if u == caller {
				return msg + ", and you have no MFA device: enroll one first (awsmfa mfa enroll), then apply with an MFA session"
			}
		}
		return msg + ": apply with an MFA session instead (awsmfa exec)"
	}
	return ""
}
