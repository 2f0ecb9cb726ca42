package setup

import (
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/audit"
	"github.com/awsmfa/awsmfa/internal/policy"
)

const adminPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`

// adminsAccount: alice (no MFA device) and bob (a virtual device) may do
// everything with any credential; carol has nothing.
func adminsAccount(t *testing.T) *account.Account {
	a := emptyAccount()
	for _, u := range a.Users[:2] {
		u.Inline = []account.InlinePolicy{{Name: "admin", Document: doc(t, adminPolicy, policy.KindIdentity)}}
		u.MFAKnown = true
	}
	a.Users[1].MFADevices = []account.MFADevice{{Serial: "arn:aws:iam::123456789012:mfa/bob", Type: account.MFAVirtual}}
	return a
}

func TestCheckSafety(t *testing.T) {
	f := &File{Name: "s.yaml", Groups: []Group{{Name: "mfa-required", Users: []string{"alice", "bob"}, RequireMFA: true, Line: 3}}}
	d, err := Build(f, acctID, "aws")
	if err != nil {
		t.Fatal(err)
	}
	a := adminsAccount(t)
	plan, err := MakePlan(d, a)
	if err != nil {
		t.Fatal(err)
	}
	opts := audit.Options{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Workers: 1}
	for _, tc := range []struct {
		caller      string
		cred        audit.Credential
		wantLockout string
	}{
		{"alice", audit.CredAccessKeys, "you have no MFA device: enroll one first"},
		{"bob", audit.CredAccessKeys, "apply with an MFA session instead"},
		{"bob", audit.CredSessionMFA, ""},
		{"carol", audit.CredAccessKeys, ""},
		{"", audit.CredAccessKeys, ""},
	} {
		s, err := CheckSafety(a, plan, tc.caller, tc.cred, opts)
		if err != nil {
			t.Fatal(err)
		}
		if (s.Lockout == "") != (tc.wantLockout == "") || !strings.Contains(s.Lockout, tc.wantLockout) {
			t.Errorf("caller %s/%s: lockout %q, want %q", tc.caller, tc.cred, s.Lockout, tc.wantLockout)
		}
		if strings.Join(s.NoDevice, ",") != "alice" {
			t.Errorf("no device: %v", s.NoDevice)
		}
		var keys []string
		for _, im := range s.Impacts {
			if im.Credential == audit.CredAccessKeys {
				keys = append(keys, im.User+":"+string(im.Before)+"->"+string(im.After))
			}
		}
		if got := strings.Join(keys, " "); got != "alice:acts-without-mfa->mfa-required bob:acts-without-mfa->mfa-required" {
			t.Errorf("impacts on long-term keys: %s", got)
		}
	}
	if s, err := CheckSafety(a, &Plan{}, "alice", audit.CredAccessKeys, opts); err != nil || len(s.Impacts) != 0 || s.Lockout != "" {
		t.Errorf("empty plan: %+v, %v", s, err)
	}
}
