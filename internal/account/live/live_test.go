package live

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/awsmfa/awsmfa/internal/account"
)

// The default scenario read by the administrator: everything the lab
// holds, as the store has it.
func TestReadDefaultScenario(t *testing.T) {
	l := startLab(t)
	id, secret := l.keys(t, "admin")
	var st Stats
	var seen []Progress
	a, err := Read(context.Background(), l.config(id, secret), fastReport(Options{Stats: &st, Source: "lab", Progress: func(p Progress) { seen = append(seen, p) }}))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "123456789012" || a.Partition != "aws" || a.Source != "lab" {
		t.Fatalf("account %q partition %q source %q", a.ID, a.Partition, a.Source)
	}
	checkUsersAgainstStore(t, l, a)
	checkGroupsRolesPolicies(t, l, a)

	// MFA devices: alice, bob and anika have a virtual device, admin none.
	for _, u := range a.Users {
		if !u.MFAKnown {
			t.Errorf("%s: MFA devices unknown", u.Name)
		}
		devs, err := l.st.ListMFADevices(u.Name)
		if err != nil {
			t.Fatal(err)
		}
		if len(u.MFADevices) != len(devs) {
			t.Errorf("%s: %d devices, the lab has %d", u.Name, len(u.MFADevices), len(devs))
			continue
		}
		for i, d := range u.MFADevices {
			if d.Serial != devs[i].Serial || d.Type != account.MFAVirtual || !d.EnableDate.Equal(devs[i].EnableDate) {
				t.Errorf("%s: device %+v, lab %+v", u.Name, d, devs[i])
			}
		}
	}

	// The credential report: root first, then every user.
	if a.Report == nil || a.Report.Generated.IsZero() || len(a.Report.Rows) != 1+len(a.Users) || !a.Report.Rows[0].Root() {
		t.Fatalf("report %+v", a.Report)
	}
	for _, row := range a.Report.Rows[1:] {
		wantMFA := row.User != "admin"
		if !row.AccessKeys[0].Active || row.AccessKeys[1].Active || row.MFAActive != wantMFA || row.PasswordEnabled || row.UserCreation.IsZero() {
			t.Errorf("report row %+v", row)
		}
	}
	// The summary.
	if a.Summary["Users"] != 4 || a.Summary["Groups"] != 2 || a.Summary["Roles"] != 1 || a.Summary["MFADevicesInUse"] != 3 || a.Summary["AccountMFAEnabled"] != 0 {
		t.Errorf("summary %v", a.Summary)
	}
	// The lab answers Organizations as an account outside any organization.
	if a.Org != nil {
		t.Errorf("organization %+v", a.Org)
	}
	if len(a.Notes) != 1 || a.Notes[0] != "the account is not in an organization: no SCPs or RCPs apply" {
		t.Errorf("notes %q", a.Notes)
	}

	// Calls: one identity, one page of details, one of roles, one
	// ListMFADevices per user, Generate until complete (the lab's first
	// answer is STARTED), Get, the summary and DescribeOrganization.
	want := map[string]int{
		"STS:GetCallerIdentity": 1, "IAM:GetAccountAuthorizationDetails": 1, "IAM:ListRoles": 1, "IAM:ListMFADevices": 4,
		"IAM:GenerateCredentialReport": 2, "IAM:GetCredentialReport": 1, "IAM:GetAccountSummary": 1, "Organizations:DescribeOrganization": 1,
	}
	total := 0
	for _, oc := range st.Operations {
		if want[oc.Operation] != oc.Calls {
			t.Errorf("%s: %d calls, want %d", oc.Operation, oc.Calls, want[oc.Operation])
		}
		total += oc.Calls
	}
	if len(st.Operations) != len(want) || st.Calls != total || st.Duration <= 0 {
		t.Errorf("stats %+v", st)
	}
	// Progress: phases in order, ending with every user's devices read.
	last := seen[len(seen)-1]
	if last.Phase != PhaseDone || last.UsersMFA != 4 || last.Users != 4 || last.Pages != 2 || last.Calls != st.Calls {
		t.Errorf("last progress %+v", last)
	}
	order := []string{PhaseIdentity, PhaseDetails, PhaseMFA, PhaseReport, PhaseSummary, PhaseOrganization, PhaseDone}
	at := 0
	for _, p := range seen {
		for at < len(order) && order[at] != p.Phase {
			at++
		}
		if at == len(order) {
			t.Fatalf("progress phase %q out of order in %+v", p.Phase, seen)
		}
	}
}

// checkUsersAgainstStore compares the users read with the lab's store.
func checkUsersAgainstStore(t *testing.T, l *testLab, a *account.Account) {
	t.Helper()
	users, err := l.st.ListUsers("")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Users) != len(users) {
		t.Fatalf("%d users, the lab has %d", len(a.Users), len(users))
	}
	for i, su := range users {
		u := a.Users[i]
		if u.Name != su.Name || u.ID != su.ID || u.ARN != su.ARN || u.Path != su.Path || !u.CreateDate.Equal(su.Created) {
			t.Errorf("user %+v, lab %+v", u, su)
		}
		inline, _ := l.st.ListUserPolicies(su.Name)
		if len(u.Inline) != len(inline) {
			t.Errorf("%s: %d inline policies, lab %d", u.Name, len(u.Inline), len(inline))
		}
		for j, p := range u.Inline {
			wantPath := "GetAccountAuthorizationDetails UserDetailList[" + u.Name + "].UserPolicyList[" + strconv.Itoa(j) + "]"
			if p.Name != inline[j].Name || p.Document.Text != inline[j].Document || p.Document.Path != wantPath || p.Document.File != "" || len(p.Document.Statements) == 0 {
				t.Errorf("%s inline %d: %+v", u.Name, j, p)
			}
		}
		attached, _ := l.st.ListAttachedUserPolicies(su.Name)
		if len(u.Attached) != len(attached) {
			t.Errorf("%s: attached %v, lab %v", u.Name, u.Attached, attached)
		}
		groups, _ := l.st.ListGroupsForUser(su.Name)
		if len(u.Groups) != len(groups) || (len(groups) > 0 && u.Groups[0] != groups[0].Name) {
			t.Errorf("%s: groups %v, lab %v", u.Name, u.Groups, groups)
		}
	}
}

func checkGroupsRolesPolicies(t *testing.T, l *testLab, a *account.Account) {
	t.Helper()
	if len(a.Groups) != 2 || a.Groups[0].Name != "mfa-bool" || len(a.Groups[0].Inline) != 1 || len(a.Groups[0].Attached) != 1 {
		t.Fatalf("groups %+v", a.Groups)
	}
	if len(a.Roles) != 1 {
		t.Fatalf("roles %+v", a.Roles)
	}
	role := a.Roles[0]
	sr, err := l.st.GetRole("cli-role")
	if err != nil {
		t.Fatal(err)
	}
	if role.Name != "cli-role" || role.Trust == nil || role.Trust.Text != sr.TrustPolicy || role.MaxSessionDuration != 3600 ||
		role.Trust.Path != "GetAccountAuthorizationDetails RoleDetailList[cli-role].AssumeRolePolicyDocument" ||
		len(role.Trust.Statements) != 1 || role.Trust.Statements[0].Principal == nil {
		t.Fatalf("role %+v trust %+v", role, role.Trust)
	}
	names := map[string]*account.ManagedPolicy{}
	for _, p := range a.Policies {
		names[p.Name] = p
	}
	admin := names["AdministratorAccess"]
	if admin == nil || !admin.AWSManaged() || admin.AttachmentCount != 1 || admin.Document == nil || admin.DefaultVersion == "" {
		t.Fatalf("AdministratorAccess %+v", admin)
	}
	power := names["LabPowerUser"]
	if power == nil || power.AWSManaged() || len(power.Versions) != 1 || power.Versions[0] != "v1" || power.DefaultVersion != "v1" {
		t.Fatalf("LabPowerUser %+v", power)
	}
	v, err := l.st.GetPolicyVersion(power.ARN, "v1")
	if err != nil {
		t.Fatal(err)
	}
	if power.Document.Text != v.Document || !json.Valid([]byte(power.Document.Text)) {
		t.Fatalf("LabPowerUser document %q, lab %q", power.Document.Text, v.Document)
	}
}

// The report IAM reuses for four hours does not list a user created since:
// the account says so, and ListRoles' descriptions are read.
func TestReadReportOlderThanAUser(t *testing.T) {
	l := startLab(t)
	if _, err := l.st.GenerateCredentialReport(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.st.CreateUser("late", ""); err != nil {
		t.Fatal(err)
	}
	id, secret := l.keys(t, "admin")
	a, err := Read(context.Background(), l.config(id, secret), fastReport(Options{NoOrganizations: true}))
	if err != nil {
		t.Fatal(err)
	}
	if a.Report == nil || a.Report.Row("late") != nil || a.Report.Row("alice") == nil || a.Report.Row("alice").Line < 2 || a.Report.File != "" {
		t.Fatalf("report %+v", a.Report)
	}
	if len(a.Notes) != 1 || a.Notes[0] != "1 user(s) are not in the credential report (created after it was generated?): late; their access keys and password are assumed" {
		t.Fatalf("notes %q", a.Notes)
	}
	if r := a.RoleByName("cli-role"); r == nil || r.Description != "Seed 002's role; the trust policy requires MFA." {
		t.Fatalf("role %+v", r)
	}
}
