package seed

import (
	"slices"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/lab/scenario"
	"github.com/awsmfa/awsmfa/internal/lab/store"
	"github.com/awsmfa/awsmfa/internal/totp"
)

func TestApplyEveryScenario(t *testing.T) {
	for _, name := range scenario.Names() {
		t.Run(name, func(t *testing.T) {
			st, err := store.OpenMemory()
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			s, err := scenario.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			a, err := Apply(st, s)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Users) != len(s.Users) || len(a.Roles) != len(s.Roles) {
				t.Fatalf("applied %d users %d roles, want %d %d", len(a.Users), len(a.Roles), len(s.Users), len(s.Roles))
			}
			for _, u := range s.Users {
				au, ok := a.User(u.Name)
				if !ok {
					t.Fatalf("user %s not applied", u.Name)
				}
				if au.ARN != s.UserARN(u.Name) || !strings.HasPrefix(au.UserID, "AIDA") {
					t.Errorf("user %s: arn %s id %s", u.Name, au.ARN, au.UserID)
				}
				if len(au.AccessKeys) != u.AccessKeys {
					t.Errorf("user %s: %d keys", u.Name, len(au.AccessKeys))
				}
				for _, k := range au.AccessKeys {
					stored, err := st.LookupAccessKey(k.ID)
					if err != nil || stored.Secret != k.Secret || stored.UserName != u.Name || !strings.HasPrefix(k.ID, "AKIA") || len(k.Secret) != 40 {
						t.Errorf("user %s key %s: stored %+v err %v", u.Name, k.ID, stored.UserName, err)
					}
				}
				groups, err := st.ListGroupsForUser(u.Name)
				if err != nil {
					t.Fatal(err)
				}
				var gn []string
				for _, g := range groups {
					gn = append(gn, g.Name)
				}
				slices.Sort(gn)
				want := slices.Clone(u.Groups)
				slices.Sort(want)
				if !slices.Equal(gn, want) {
					t.Errorf("user %s groups %v, want %v", u.Name, gn, want)
				}
				if !u.MFADevice {
					continue
				}
				devs, err := st.ListMFADevices(u.Name)
				if err != nil || len(devs) != 1 || devs[0].Serial != s.MFASerial(u.Name) || devs[0].Serial != au.MFASerial {
					t.Fatalf("user %s devices %+v err %v", u.Name, devs, err)
				}
				// The current code is still usable once after seeding,
				// and then refused.
				seed, err := totp.DecodeSecret(au.MFASeed)
				if err != nil {
					t.Fatal(err)
				}
				now := st.Now()
				code := totp.Code(seed, now)
				if err := st.VerifyMFACode(au.UserID, au.MFASerial, code, now); err != nil {
					t.Errorf("user %s: current code refused after seeding: %v", u.Name, err)
				}
				if err := st.VerifyMFACode(au.UserID, au.MFASerial, code, now); err == nil {
					t.Errorf("user %s: code accepted twice", u.Name)
				}
			}
			for _, r := range s.Roles {
				role, err := st.GetRole(r.Name)
				if err != nil {
					t.Fatal(err)
				}
				want := r.MaxSessionDuration
				if want == 0 {
					want = 3600
				}
				if role.MaxSessionDuration != want || role.ARN != s.RoleARN(r.Name) {
					t.Errorf("role %s: %+v", r.Name, role)
				}
			}
			// Applying twice collides with the existing entities.
			if _, err := Apply(st, s); err == nil || store.ErrorCode(err) != store.CodeEntityAlreadyExists {
				t.Errorf("second Apply: %v, want EntityAlreadyExists", err)
			}
		})
	}
}

func TestApplyDefaultPolicies(t *testing.T) {
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, _ := scenario.Load("default")
	if _, err := Apply(st, s); err != nil {
		t.Fatal(err)
	}
	// bob: LabPowerUser + RequireMFA via the group; alice: the group's
	// inline Bool deny + LabPowerUser; anika: her inline policy.
	for user, wantNames := range map[string][]string{
		"alice": {"BlockMostAccessUnlessSignedInWithMFA", "LabPowerUser"},
		"bob":   {"LabPowerUser", "RequireMFA"},
		"anika": {"AllowAssumeCliRole"},
	} {
		docs, err := st.UserIdentityPolicies(user)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, d := range docs {
			names = append(names, d.Name)
		}
		slices.Sort(names)
		for _, w := range wantNames {
			if !slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, w) }) {
				t.Errorf("%s policies %v lack %s", user, names, w)
			}
		}
	}
	roleDocs, err := st.RoleIdentityPolicies("cli-role")
	if err != nil || len(roleDocs) != 1 {
		t.Errorf("cli-role policies %v err %v", roleDocs, err)
	}
}

func TestApplyWrongAccount(t *testing.T) {
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, _ := scenario.Load("seed-000-bool")
	s.Account = "111122223333"
	if _, err := Apply(st, s); err == nil || !strings.Contains(err.Error(), "account") {
		t.Fatalf("Apply to another account: %v", err)
	}
}
