package setup

import (
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/policy"
)

func TestInit(t *testing.T) {
	a := emptyAccount()
	a.Groups = []*account.Group{{Name: "developers", Path: "/", Attached: []string{"arn:aws:iam::aws:policy/PowerUserAccess"},
		Inline: []account.InlinePolicy{{Name: "extra", Document: doc(t, adminPolicy, policy.KindIdentity)}}}}

	data, notes, err := Init(InitOptions{Users: []string{"alice", "bob"}, Role: "cli-role", LikeGroup: "developers",
		Policies: []string{"arn:aws:iam::aws:policy/PowerUserAccess"}}, a)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("init.yaml", data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if len(f.Groups) != 1 || f.Groups[0].Name != "mfa-required" || strings.Join(f.Groups[0].Users, ",") != "alice,bob" || !f.Groups[0].RequireMFA {
		t.Errorf("group: %+v", f.Groups)
	}
	if len(f.Roles) != 1 || strings.Join(f.Roles[0].ManagedPolicies, ",") != "arn:aws:iam::aws:policy/PowerUserAccess" || !f.Roles[0].RequireMFA || f.Roles[0].MaxSessionDuration != 43200 {
		t.Errorf("role: %+v", f.Roles)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "inline policy extra is not carried over") {
		t.Errorf("notes: %q", notes)
	}
	golden(t, "init.yaml", data)

	all, _, err := Init(InitOptions{Group: "g", AllUsers: true}, a)
	if err != nil {
		t.Fatal(err)
	}
	if f, err := Parse("all.yaml", all); err != nil || strings.Join(f.Groups[0].Users, ",") != "alice,bob,carol" || len(f.Roles) != 0 {
		t.Errorf("all users: %+v, %v", f, err)
	}

	for _, tc := range []struct {
		o    InitOptions
		want string
	}{
		{InitOptions{LikeGroup: "nope", Role: "r", Users: []string{"a"}}, "group nope does not exist"},
		{InitOptions{Policies: []string{"arn:aws:iam::aws:policy/X"}}, "need --role"},
		{InitOptions{Group: "bad name"}, "not a valid IAM name"},
		{InitOptions{Role: "r"}, "trustedUsers must name at least one user"},
	} {
		if _, _, err := Init(tc.o, a); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.o, err, tc.want)
		}
	}
	if _, _, err := Init(InitOptions{AllUsers: true}, nil); err == nil {
		t.Error("AllUsers without an account")
	}
}
