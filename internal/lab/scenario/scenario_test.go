package scenario

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestNamesAndLoadAll(t *testing.T) {
	names := Names()
	for _, want := range []string{"default", "seed-000-bool", "seed-002-role-mfa", "seed-004-boolifexists"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() = %v, missing %s", names, want)
		}
	}
	for _, n := range names {
		s, err := Load(n)
		if err != nil {
			t.Errorf("Load(%s): %v", n, err)
			continue
		}
		if s.Name != n || s.Account != DefaultAccount || s.Region != DefaultRegion || s.Description == "" {
			t.Errorf("Load(%s) = name %q account %q region %q", n, s.Name, s.Account, s.Region)
		}
	}
}

func TestDefaultCombinesSeeds(t *testing.T) {
	s, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "default" {
		t.Fatalf("Load(\"\") = %s", s.Name)
	}
	var users, groups, roles, policies []string
	for _, u := range s.Users {
		users = append(users, u.Name)
		if u.AccessKeys != 1 || u.MFADevice == (u.Name == "admin") {
			t.Errorf("user %s: mfa %v keys %d, want one key and an MFA device for all but admin", u.Name, u.MFADevice, u.AccessKeys)
		}
	}
	if s.Users[len(s.Users)-1].Name != "admin" || s.Users[0].Name != "alice" {
		t.Errorf("included users must come first: %v", users)
	}
	if len(s.Try) != 7 {
		t.Errorf("try commands: %d, want the seeds' 6 and admin's", len(s.Try))
	}
	for _, g := range s.Groups {
		groups = append(groups, g.Name)
	}
	for _, r := range s.Roles {
		roles = append(roles, r.Name)
	}
	for _, p := range s.Policies {
		policies = append(policies, p.Name)
	}
	slices.Sort(users)
	slices.Sort(groups)
	slices.Sort(policies)
	if !slices.Equal(users, []string{"admin", "alice", "anika", "bob"}) {
		t.Errorf("users = %v", users)
	}
	if !slices.Equal(groups, []string{"mfa-bool", "mfa-ifexists"}) {
		t.Errorf("groups = %v", groups)
	}
	if !slices.Equal(roles, []string{"cli-role"}) {
		t.Errorf("roles = %v", roles)
	}
	// LabPowerUser is defined by all three seeds identically: merged once.
	if !slices.Equal(policies, []string{"LabPowerUser", "RequireMFA"}) {
		t.Errorf("policies = %v", policies)
	}
}

// The seed policies must be carried verbatim in what matters: the operator
// and the key.
func TestSeedPoliciesOperators(t *testing.T) {
	s, err := Load("default")
	if err != nil {
		t.Fatal(err)
	}
	var boolDeny, ifExists, trust string
	for _, g := range s.Groups {
		for _, p := range g.InlinePolicies {
			if g.Name == "mfa-bool" {
				boolDeny = p.Document
			}
		}
	}
	for _, p := range s.Policies {
		if p.Name == "RequireMFA" {
			ifExists = p.Document
		}
	}
	trust = s.Roles[0].TrustPolicy
	for _, c := range []struct {
		name, doc string
		want      []string
	}{
		{"seed 000", boolDeny, []string{`"Bool": {`, `"aws:MultiFactorAuthPresent": "false"`, `"aws:ViaAWSService": "false"`, `"Sid": "BlockMostAccessUnlessSignedInWithMFA"`}},
		{"seed 004", ifExists, []string{`"BoolIfExists": {`, `"Sid": "DenyAllAboveExceptBelowOperationsIfNoMFACode"`}},
		{"seed 002", trust, []string{`"Bool": { "aws:multifactorAuthPresent": true }`, `"arn:aws:iam::123456789012:user/anika"`}},
	} {
		for _, w := range c.want {
			if !strings.Contains(c.doc, w) {
				t.Errorf("%s policy lacks %s", c.name, w)
			}
		}
	}
}

func TestLoadErrors(t *testing.T) {
	for _, name := range []string{"nope", "../default", "Default", "scenarios/default"} {
		_, err := Load(name)
		if !errors.Is(err, ErrUnknown) {
			t.Errorf("Load(%q) = %v, want ErrUnknown", name, err)
		}
	}
}

func TestParseRejectsUnknownFields(t *testing.T) {
	_, err := Parse([]byte("name: x\nuserz: []\n"))
	if err == nil || !strings.Contains(err.Error(), "userz") {
		t.Fatalf("Parse with unknown field: %v", err)
	}
}

const allowDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
const trustDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`

func TestValidate(t *testing.T) {
	base := func() *Scenario {
		return &Scenario{
			Name: "t", Account: DefaultAccount, Region: DefaultRegion,
			Policies: []ManagedPolicy{{Name: "P", Document: allowDoc}},
			Groups:   []Group{{Name: "g", ManagedPolicies: []string{"P"}}},
			Users:    []User{{Name: "u", Groups: []string{"g"}, AccessKeys: 1, MFADevice: true}},
			Roles: []Role{{Name: "r", TrustPolicy: trustDoc, MaxSessionDuration: 3600,
				Profiles: []RoleProfile{{Name: "r-mfa", SourceUser: "u", MFA: true}}}},
		}
	}
	if err := base().Validate(); err != nil {
		t.Fatalf("valid scenario: %v", err)
	}
	cases := []struct {
		name   string
		mutate func(*Scenario)
		want   string
	}{
		{"bad account", func(s *Scenario) { s.Account = "12345" }, "account"},
		{"bad region", func(s *Scenario) { s.Region = "mars" }, "region"},
		{"bad user name", func(s *Scenario) { s.Users[0].Name = "a b" }, "user name"},
		{"long user name", func(s *Scenario) { s.Users[0].Name = strings.Repeat("a", 65) }, "user name"},
		{"bad path", func(s *Scenario) { s.Users[0].Path = "nopath" }, "path"},
		{"unknown group", func(s *Scenario) { s.Users[0].Groups = []string{"nope"} }, `group "nope"`},
		{"unknown managed", func(s *Scenario) { s.Groups[0].ManagedPolicies = []string{"Q"} }, `managed policy "Q"`},
		{"duplicate attach", func(s *Scenario) { s.Groups[0].ManagedPolicies = []string{"P", "P"} }, "attached twice"},
		{"duplicate user", func(s *Scenario) { s.Users = append(s.Users, s.Users[0]) }, "defined twice"},
		{"duplicate user ignoring case", func(s *Scenario) { u := s.Users[0]; u.Name = "U"; s.Users = append(s.Users, u) }, "defined twice"},
		{"three keys", func(s *Scenario) { s.Users[0].AccessKeys = 3 }, "access_keys"},
		{"bad policy json", func(s *Scenario) { s.Policies[0].Document = `{"Statement": [` }, "policy P"},
		{"principal in identity policy", func(s *Scenario) { s.Policies[0].Document = trustDoc }, "policy P"},
		{"trust without principal", func(s *Scenario) { s.Roles[0].TrustPolicy = allowDoc }, "trust policy"},
		{"bad inline", func(s *Scenario) {
			s.Users[0].InlinePolicies = []InlinePolicy{{Name: "i", Document: "[]"}}
		}, "inline policy i"},
		{"duplicate inline", func(s *Scenario) {
			s.Users[0].InlinePolicies = []InlinePolicy{{Name: "i", Document: allowDoc}, {Name: "i", Document: allowDoc}}
		}, "defined twice"},
		{"max session low", func(s *Scenario) { s.Roles[0].MaxSessionDuration = 900 }, "max_session_duration"},
		{"max session high", func(s *Scenario) { s.Roles[0].MaxSessionDuration = 43201 }, "max_session_duration"},
		{"profile unknown user", func(s *Scenario) { s.Roles[0].Profiles[0].SourceUser = "x" }, "source_user"},
		{"profile user without mfa", func(s *Scenario) { s.Users[0].MFADevice = false }, "no MFA device"},
		{"profile user without keys", func(s *Scenario) { s.Users[0].AccessKeys = 0 }, "no access keys"},
		{"profile clashes with user", func(s *Scenario) { s.Roles[0].Profiles[0].Name = "u" }, "defined twice"},
		{"profile default", func(s *Scenario) { s.Roles[0].Profiles[0].Name = "default" }, "not usable"},
		{"unresolved include", func(s *Scenario) { s.Include = []string{"x"} }, "include"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := base()
			c.mutate(s)
			err := s.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Validate() = %v, want error containing %q", err, c.want)
			}
		})
	}
}

func TestMergeConflicts(t *testing.T) {
	a := &Scenario{Account: DefaultAccount, Region: DefaultRegion, Policies: []ManagedPolicy{{Name: "P", Document: allowDoc}}}
	same := &Scenario{Account: DefaultAccount, Region: DefaultRegion, Policies: []ManagedPolicy{{Name: "P", Document: allowDoc}}}
	if err := a.merge(same); err != nil || len(a.Policies) != 1 {
		t.Fatalf("merge identical: %v, %d policies", err, len(a.Policies))
	}
	diff := &Scenario{Account: DefaultAccount, Region: DefaultRegion, Policies: []ManagedPolicy{{Name: "p", Document: trustDoc}}}
	if err := a.merge(diff); err == nil || !strings.Contains(err.Error(), "defined twice") {
		t.Fatalf("merge conflicting: %v", err)
	}
	other := &Scenario{Account: "210987654321", Region: DefaultRegion}
	if err := a.merge(other); err == nil {
		t.Fatal("merge of another account succeeded")
	}
	otherRegion := &Scenario{Account: DefaultAccount, Region: "eu-west-1"}
	if err := a.merge(otherRegion); err == nil {
		t.Fatal("merge of another region succeeded")
	}
}

func TestARNs(t *testing.T) {
	s := &Scenario{Account: "111122223333",
		Users:    []User{{Name: "u", Path: "/eng/"}},
		Roles:    []Role{{Name: "r", Path: "/svc/"}},
		Policies: []ManagedPolicy{{Name: "P"}}}
	for _, c := range []struct{ got, want string }{
		{s.UserARN("u"), "arn:aws:iam::111122223333:user/eng/u"},
		{s.UserARN("v"), "arn:aws:iam::111122223333:user/v"},
		{s.RoleARN("r"), "arn:aws:iam::111122223333:role/svc/r"},
		{s.PolicyARN("P"), "arn:aws:iam::111122223333:policy/P"},
		{s.PolicyARN("arn:aws:iam::aws:policy/ReadOnlyAccess"), "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		{s.MFASerial("u"), "arn:aws:iam::111122223333:mfa/u"},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range Names() {
		data, err := files.ReadFile("scenarios/" + n + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("name: x\nusers: [{name: a, access_keys: 9}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			return
		}
		_ = s.Validate()
		_, _ = s.JSON()
	})
}
