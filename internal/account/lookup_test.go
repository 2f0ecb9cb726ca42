package account

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func refs(ps []AppliedPolicy) string {
	var parts []string
	for _, p := range ps {
		s := p.Origin.String() + " " + p.Ref
		if p.Group != "" {
			s += " via " + p.Group
		}
		if (p.Managed != nil) != (p.Origin == OriginManaged || p.Origin == OriginGroupManaged) || p.Document == nil {
			s += " (inconsistent)"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func TestUserPolicies(t *testing.T) {
	a := loadFixture(t, "aws-doc-example.json")
	tests := []struct{ user, want string }{
		{"Alice", "group managed arn:aws:iam::aws:policy/AdministratorAccess via Admins"},
		{"Bob", "inline user/Bob/DenyBillingAndIAMPolicy; group managed arn:aws:iam::aws:policy/AdministratorAccess via Admins"},
		// PowerUserAccess is attached to Charlie and to his group: listed
		// once, where it is first met.
		{"Charlie", "managed arn:aws:iam::123456789012:policy/RequireMFA; managed arn:aws:iam::aws:policy/PowerUserAccess; group inline group/Dev/DenyBilling via Dev"},
	}
	for _, tt := range tests {
		if got := refs(a.UserPolicies(a.UserByName(tt.user))); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.user, got, tt.want)
		}
	}
	lab := loadFixture(t, "lab-cli.json")
	if got := refs(lab.UserPolicies(lab.UserByName("alice"))); got != "group inline group/mfa-bool/BlockMostAccessUnlessSignedInWithMFA via mfa-bool; "+
		"group managed arn:aws:iam::123456789012:policy/LabPowerUser via mfa-bool" {
		t.Errorf("alice: %s", got)
	}
	// The document is the one the policy holds, with its place.
	p := lab.UserPolicies(lab.UserByName("alice"))[0]
	if p.Document != lab.GroupByName("mfa-bool").Inline[0].Document || p.Document.Path != "GroupDetailList[0].GroupPolicyList[0].PolicyDocument" {
		t.Errorf("document %+v", p.Document)
	}
}

func TestRolePolicies(t *testing.T) {
	a := loadFixture(t, "aws-doc-example.json")
	if got := refs(a.RolePolicies(a.RoleByName("AdminRole"))); got != "inline role/AdminRole/AdminInline" {
		t.Errorf("AdminRole: %s", got)
	}
	if got := refs(a.RolePolicies(a.RoleByName("EC2role"))); got != "managed arn:aws:iam::aws:policy/AmazonS3FullAccess; managed arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess" {
		t.Errorf("EC2role: %s", got)
	}
	if r := a.RoleByName("EC2role"); r.TrustRef() != "role/EC2role/trust" {
		t.Errorf("TrustRef %q", r.TrustRef())
	}
	if InlineRef("group", "admins", "X") != "group/admins/X" {
		t.Error("InlineRef")
	}
}

func TestLookups(t *testing.T) {
	a := loadFixture(t, "aws-doc-example.json")
	if a.UserByName("Alice") == nil || a.UserByName("alice") != nil || a.GroupByName("Dev") == nil || a.GroupByName("Nope") != nil ||
		a.RoleByName("EC2role") == nil || a.PolicyByARN("arn:aws:iam::aws:policy/PowerUserAccess") == nil || a.PolicyByARN("PowerUserAccess") != nil {
		t.Error("lookups")
	}
	if r := a.RoleByARN("arn:aws:iam::123456789012:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport"); r == nil || r.Name != "AWSServiceRoleForSupport" {
		t.Errorf("RoleByARN with a path: %v", r)
	}
	if a.RoleByARN("arn:aws:iam::123456789012:role/other/EC2role") != nil || a.RoleByARN("EC2role") != nil {
		t.Error("RoleByARN matches the whole ARN")
	}
	// Concurrent first use builds the index once (go test -race).
	b := loadFixture(t, "aws-doc-example.json")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if b.UserByName("Bob") == nil || len(b.UserPolicies(b.UserByName("Charlie"))) != 3 {
				t.Error("concurrent lookups")
			}
		}()
	}
	wg.Wait()
}

func TestCheck(t *testing.T) {
	for _, f := range []string{"aws-doc-example.json", "lab-cli.json"} {
		if err := loadFixture(t, f).Check(); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	a := &Account{ID: "111122223333",
		Users:    []*User{{Name: "u", Groups: []string{"g"}, Attached: []string{"arn:aws:iam::aws:policy/X"}, Boundary: "arn:aws:iam::111122223333:policy/B"}},
		Groups:   []*Group{{Name: "h", Attached: []string{"arn:aws:iam::111122223333:policy/B"}}},
		Roles:    []*Role{{Name: "r"}},
		Policies: []*ManagedPolicy{{ARN: "arn:aws:iam::111122223333:policy/B"}},
	}
	err := a.Check()
	want := "account 111122223333 is incomplete:\n" +
		"  user u: group g is not in the account's groups\n" +
		"  user u: managed policy arn:aws:iam::aws:policy/X is not in the account's policies\n" +
		"  user u (permissions boundary): managed policy arn:aws:iam::111122223333:policy/B has no document\n" +
		"  group h: managed policy arn:aws:iam::111122223333:policy/B has no document\n" +
		"  role r: no trust policy"
	if err == nil || err.Error() != want {
		t.Errorf("Check:\n%v\nwant:\n%s", err, want)
	}
	// Missing pieces are skipped, never dereferenced.
	if got := a.UserPolicies(a.Users[0]); len(got) != 0 {
		t.Errorf("UserPolicies of an incomplete account: %v", got)
	}
	if fmt.Sprint(Origin(9)) != "Origin(9)" {
		t.Error("Origin.String")
	}
}
