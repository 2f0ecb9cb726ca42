package setup

import (
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/policy"
)

func TestProjectConverges(t *testing.T) {
	d := desiredExample(t)
	empty := emptyAccount()
	plan, err := MakePlan(d, empty)
	if err != nil {
		t.Fatal(err)
	}
	after, err := Project(empty, plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(empty.Groups)+len(empty.Roles)+len(empty.Policies) != 0 || len(empty.Users[0].Groups) != 0 {
		t.Fatal("Project modified the account")
	}
	if err := after.Check(); err == nil || !strings.Contains(err.Error(), "PowerUserAccess is not in the account's policies") {
		t.Errorf("Check of the projection: %v (the AWS managed policy is not in the hand-built account)", err)
	}
	again, err := MakePlan(d, after)
	if err != nil {
		t.Fatal(err)
	}
	if again.Changes() {
		t.Errorf("plan after the projected apply:\n%s", again.Text())
	}
	if g := after.GroupByName("mfa-required"); g == nil || g.ARN != "arn:aws:iam::123456789012:group/awsmfa/mfa-required" {
		t.Errorf("projected group: %+v", g)
	}
	if u := after.UserByName("alice"); len(u.Groups) != 1 || len(u.Attached) != 1 {
		t.Errorf("projected alice: %+v", u)
	}

	gone, err := Project(after, Destroy(after))
	if err != nil {
		t.Fatal(err)
	}
	if len(gone.Groups)+len(gone.Roles)+len(gone.Policies) != 0 {
		t.Errorf("after destroy: %d groups, %d roles, %d policies", len(gone.Groups), len(gone.Roles), len(gone.Policies))
	}
	for _, u := range gone.Users {
		if len(u.Groups)+len(u.Attached) != 0 {
			t.Errorf("after destroy, user %s: %+v", u.Name, u)
		}
	}
}

func TestProjectPolicyVersions(t *testing.T) {
	d := desiredExample(t)
	a := appliedAccount(t, d)
	a.Policies[1].Versions = []string{"v2", "v3", "v4", "v5", "v6"}
	a.Policies[1].DefaultVersion = "v2"
	a.Policies[1].Document = doc(t, strings.Replace(d.Policies[1].Text, "cli-role", "old-role", 1), policy.KindIdentity)
	plan, err := MakePlan(d, a)
	if err != nil {
		t.Fatal(err)
	}
	after, err := Project(a, plan)
	if err != nil {
		t.Fatal(err)
	}
	mp := after.PolicyByARN(d.Policies[1].ARN)
	if strings.Join(mp.Versions, ",") != "v2,v4,v5,v6,v7" || mp.DefaultVersion != "v7" || !strings.Contains(mp.Document.Text, "cli-role") {
		t.Errorf("versions %v default %s", mp.Versions, mp.DefaultVersion)
	}
}

func TestProjectErrors(t *testing.T) {
	for _, s := range []Step{
		{Action: Create, Call: "AddUserToGroup", Group: "nope", User: "alice"},
		{Action: Create, Call: "AttachUserPolicy", User: "nobody"},
		{Action: Update, Call: "UpdateRole", Role: "nope"},
		{Action: Create, Call: "CreatePolicy", PolicyName: "x", Path: "/", Document: "{"},
		{Action: Create, Call: "Frobnicate"},
	} {
		if _, err := Project(emptyAccount(), &Plan{Steps: []Step{s}}); err == nil {
			t.Errorf("%s: no error", s.Call)
		}
	}
}
