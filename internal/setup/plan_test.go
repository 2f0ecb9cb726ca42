package setup

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const acctID = "123456789012"

func desiredExample(t *testing.T) *Desired {
	t.Helper()
	f := exampleFile()
	f.Name = "setup.yaml"
	d, err := Build(f, acctID, "aws")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func doc(t testing.TB, text string, kind policy.Kind) *account.Document {
	t.Helper()
	pd, err := policy.ParseKind("test", []byte(text), kind)
	if err != nil {
		t.Fatalf("parse %s: %v", text, err)
	}
	return &account.Document{Document: pd, Text: text}
}

func user(name string) *account.User {
	return &account.User{Name: name, ARN: "arn:aws:iam::" + acctID + ":user/" + name, Path: "/"}
}

// emptyAccount has the file's users and nothing else.
func emptyAccount() *account.Account {
	return &account.Account{ID: acctID, Partition: "aws", Users: []*account.User{user("alice"), user("bob"), user("carol")}}
}

// appliedAccount is emptyAccount after the desired state was applied.
func appliedAccount(t *testing.T, d *Desired) *account.Account {
	t.Helper()
	a := emptyAccount()
	managed := []account.Tag{{Key: ManagedTag, Value: ManagedTagValue}}
	users := map[string]*account.User{}
	for _, u := range a.Users {
		users[u.Name] = u
	}
	for _, p := range d.Policies {
		a.Policies = append(a.Policies, &account.ManagedPolicy{Name: p.Name, ARN: p.ARN, Path: "/", DefaultVersion: "v1",
			Versions: []string{"v1"}, Tags: managed, Document: doc(t, p.Text, policy.KindIdentity)})
		for _, u := range p.Users {
			users[u].Attached = append(users[u].Attached, p.ARN)
		}
	}
	for _, g := range d.Groups {
		a.Groups = append(a.Groups, &account.Group{Name: g.Name, ARN: g.ARN, Path: GroupPath, Attached: g.Attached})
		for _, u := range g.Members {
			users[u].Groups = append(users[u].Groups, g.Name)
		}
	}
	for _, r := range d.Roles {
		a.Roles = append(a.Roles, &account.Role{Name: r.Name, ARN: r.ARN, Path: "/", Trust: doc(t, r.TrustText, policy.KindTrust),
			Attached: r.Attached, MaxSessionDuration: r.MaxSessionDuration, Tags: managed})
	}
	return a
}

// calls lists the plan's changes as "Call target" lines.
func calls(p *Plan) []string {
	var out []string
	for _, s := range p.Steps {
		if s.Action == NoChange {
			continue
		}
		target := strings.TrimSpace(strings.Join([]string{s.PolicyName, s.Group, s.Role, s.User, s.VersionID}, " "))
		out = append(out, s.Call+" "+strings.Join(strings.Fields(target), " "))
	}
	return out
}

func TestBuildDesired(t *testing.T) {
	d := desiredExample(t)
	if len(d.Policies) != 2 || d.Policies[0].Name != "awsmfa-require-mfa-max-age-43200" || d.Policies[1].Name != "awsmfa-assume-cli-role" {
		t.Fatalf("policies: %+v", d.Policies)
	}
	req := d.Policies[0].Text
	for _, want := range []string{`"BoolIfExists"`, `"aws:MultiFactorAuthPresent": "false"`, `"NumericGreaterThanIfExists"`, `"aws:MultiFactorAuthAge": "43200"`, `"iam:CreateVirtualMFADevice"`} {
		if !strings.Contains(req, want) {
			t.Errorf("require-MFA policy lacks %s:\n%s", want, req)
		}
	}
	if g := d.Groups[0]; g.ARN != "arn:aws:iam::123456789012:group/awsmfa/mfa-required" || len(g.Attached) != 1 || g.Attached[0] != d.Policies[0].ARN {
		t.Errorf("group: %+v", g)
	}
	r := d.Roles[0]
	for _, want := range []string{`"arn:aws:iam::123456789012:user/alice"`, `"Bool"`, `"aws:MultiFactorAuthPresent": "true"`} {
		if !strings.Contains(r.TrustText, want) {
			t.Errorf("trust policy lacks %s:\n%s", want, r.TrustText)
		}
	}
	if !strings.Contains(d.Policies[1].Text, `"Resource": "arn:aws:iam::123456789012:role/cli-role"`) || d.Policies[1].Users[0] != "alice" {
		t.Errorf("assume policy: %+v", d.Policies[1])
	}
	// Two groups with the same age share one policy; without MFA no policy.
	f := &File{Groups: []Group{{Name: "a", RequireMFA: true}, {Name: "b", RequireMFA: true}, {Name: "c"}}}
	d2, err := Build(f, acctID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(d2.Policies) != 1 || d2.Policies[0].Name != "awsmfa-require-mfa" || len(d2.Groups[2].Attached) != 0 {
		t.Errorf("shared policy: %+v / %+v", d2.Policies, d2.Groups)
	}
	if strings.Contains(d2.Policies[0].Text, "MultiFactorAuthAge") {
		t.Error("age condition without maxMfaAgeSeconds")
	}
	// A role without requireMfa admits its users without a condition.
	d3, err := Build(&File{Roles: []Role{{Name: "plain", TrustedUsers: []string{"bob"}, MaxSessionDuration: 3600}}}, acctID, "aws")
	if err != nil {
		t.Fatal(err)
	}
	if tr := d3.Roles[0].TrustText; strings.Contains(tr, "Condition") || !strings.Contains(tr, `"arn:aws:iam::123456789012:user/bob"`) {
		t.Errorf("trust without MFA:\n%s", tr)
	}
}

func TestPlan(t *testing.T) {
	d := desiredExample(t)
	reqARN := d.Policies[0].ARN
	assumeARN := d.Policies[1].ARN
	for _, tc := range []struct {
		name    string
		account func(t *testing.T) *account.Account
		want    []string
		wantErr string
	}{
		{name: "empty account: all creates", account: func(*testing.T) *account.Account { return emptyAccount() },
			want: []string{
				"CreatePolicy awsmfa-require-mfa-max-age-43200",
				"CreateGroup mfa-required",
				"AddUserToGroup mfa-required alice",
				"AddUserToGroup mfa-required bob",
				"AttachGroupPolicy mfa-required",
				"CreateRole cli-role",
				"AttachRolePolicy cli-role",
				"CreatePolicy awsmfa-assume-cli-role",
				"AttachUserPolicy alice",
			}},
		{name: "applied account: no change", account: func(t *testing.T) *account.Account { return appliedAccount(t, d) }},
		{name: "drifted policy document: new version", account: func(t *testing.T) *account.Account {
			a := appliedAccount(t, d)
			a.Policies[0].Document = doc(t, strings.Replace(d.Policies[0].Text, `"43200"`, `"86400"`, 1), policy.KindIdentity)
			return a
		}, want: []string{"CreatePolicyVersion awsmfa-require-mfa-max-age-43200"}},
		{name: "five versions: delete oldest non-default first", account: func(t *testing.T) *account.Account {
			a := appliedAccount(t, d)
			a.Policies[1].Versions = []string{"v2", "v3", "v4", "v5", "v6"}
			a.Policies[1].DefaultVersion = "v2"
			a.Policies[1].Document = doc(t, strings.Replace(d.Policies[1].Text, "cli-role", "old-role", 1), policy.KindIdentity)
			return a
		}, want: []string{"DeletePolicyVersion awsmfa-assume-cli-role v3", "CreatePolicyVersion awsmfa-assume-cli-role"}},
		{name: "drifted role: trust, duration, attachments, members", account: func(t *testing.T) *account.Account {
			a := appliedAccount(t, d)
			a.Roles[0].Trust = doc(t, strings.Replace(d.Roles[0].TrustText, `"true"`, `"false"`, 1), policy.KindTrust)
			a.Roles[0].MaxSessionDuration = 3600
			a.Roles[0].Attached = []string{"arn:aws:iam::aws:policy/AdministratorAccess"}
			a.Users[2].Groups = []string{"mfa-required"}
			a.Users[2].Attached = []string{assumeARN}
			return a
		}, want: []string{
			"RemoveUserFromGroup mfa-required carol",
			"UpdateAssumeRolePolicy cli-role",
			"UpdateRole cli-role",
			"AttachRolePolicy cli-role",
			"DetachRolePolicy cli-role",
			"DetachUserPolicy carol",
		}},
		{name: "managed resources no longer in the file are removed", account: func(t *testing.T) *account.Account {
			a := appliedAccount(t, d)
			old := &account.ManagedPolicy{Name: "awsmfa-assume-gone", ARN: "arn:aws:iam::123456789012:policy/awsmfa-assume-gone",
				DefaultVersion: "v2", Versions: []string{"v1", "v2"}, Tags: []account.Tag{{Key: ManagedTag, Value: "true"}},
				Document: doc(t, d.Policies[1].Text, policy.KindIdentity)}
			a.Policies = append(a.Policies, old)
			a.Users[1].Attached = []string{old.ARN}
			a.Roles = append(a.Roles, &account.Role{Name: "gone", Tags: old.Tags, Attached: []string{reqARN}})
			a.Groups = append(a.Groups, &account.Group{Name: "gone-group", Path: GroupPath},
				&account.Group{Name: "theirs", Path: "/", Attached: []string{old.ARN}})
			a.Users[1].Groups = append(a.Users[1].Groups, "gone-group")
			return a
		}, want: []string{
			"DetachUserPolicy bob",
			"DetachRolePolicy gone",
			"DeleteRole gone",
			"RemoveUserFromGroup gone-group bob",
			"DeleteGroup gone-group",
			"DetachGroupPolicy theirs",
			"DeletePolicyVersion awsmfa-assume-gone v1",
			"DeletePolicy awsmfa-assume-gone",
		}},
		{name: "unmanaged group of the same name", account: func(*testing.T) *account.Account {
			a := emptyAccount()
			a.Groups = []*account.Group{{Name: "MFA-Required", Path: "/"}}
			return a
		}, wantErr: "group MFA-Required (line 3) exists with path / and is not managed by awsmfa"},
		{name: "unmanaged role of the same name", account: func(*testing.T) *account.Account {
			a := emptyAccount()
			a.Roles = []*account.Role{{Name: "cli-role", Path: "/"}}
			return a
		}, wantErr: "role cli-role (line 8) exists and is not managed by awsmfa (no awsmfa:managed tag)"},
		{name: "unmanaged policy of the same name", account: func(*testing.T) *account.Account {
			a := emptyAccount()
			a.Policies = []*account.ManagedPolicy{{Name: "awsmfa-assume-cli-role", ARN: assumeARN}}
			return a
		}, wantErr: "managed policy " + assumeARN + " exists and is not managed by awsmfa"},
		{name: "unmanaged policy of the same name on another path", account: func(*testing.T) *account.Account {
			a := emptyAccount()
			a.Policies = []*account.ManagedPolicy{{Name: "awsmfa-require-mfa-max-age-43200", ARN: "arn:aws:iam::123456789012:policy/x/awsmfa-require-mfa-max-age-43200",
				Tags: []account.Tag{{Key: ManagedTag, Value: "true"}}}}
			return a
		}, wantErr: "managed policy arn:aws:iam::123456789012:policy/x/awsmfa-require-mfa-max-age-43200 exists and is not managed by awsmfa"},
		{name: "missing user", account: func(*testing.T) *account.Account {
			a := emptyAccount()
			a.Users = a.Users[:1]
			return a
		}, wantErr: "group mfa-required (line 3): user bob does not exist in account 123456789012"},
		{name: "missing trusted user", account: func(*testing.T) *account.Account {
			a := emptyAccount()
			a.Users = a.Users[1:]
			return a
		}, wantErr: "role cli-role: trusted user alice does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := MakePlan(d, tc.account(t))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := calls(p)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if p.Changes() != (len(tc.want) > 0) {
				t.Errorf("Changes() = %v", p.Changes())
			}
		})
	}
}

func TestPlanRolePolicies(t *testing.T) {
	for _, tc := range []struct {
		arn, wantErr string
	}{
		{"arn:aws:iam::aws:policy/ReadOnlyAccess", ""},
		{"arn:aws:iam::123456789012:policy/ours", ""},
		{"arn:aws:iam::123456789012:policy/missing", "managed policy arn:aws:iam::123456789012:policy/missing does not exist"},
		{"arn:aws:iam::999999999999:policy/theirs", "belongs to another account"},
	} {
		f := &File{Name: "s.yaml", Roles: []Role{{Name: "r", TrustedUsers: []string{"alice"}, ManagedPolicies: []string{tc.arn}, MaxSessionDuration: 3600, Line: 2}}}
		d, err := Build(f, acctID, "aws")
		if err != nil {
			t.Fatal(err)
		}
		a := emptyAccount()
		a.Policies = []*account.ManagedPolicy{{Name: "ours", ARN: "arn:aws:iam::123456789012:policy/ours"}}
		_, err = MakePlan(d, a)
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s: error %v, want %q", tc.arn, err, tc.wantErr)
		}
	}
}

func TestPlanUpdateDiff(t *testing.T) {
	d := desiredExample(t)
	a := appliedAccount(t, d)
	a.Policies[0].Document = doc(t, strings.Replace(d.Policies[0].Text, `"43200"`, `"86400"`, 1), policy.KindIdentity)
	p, err := MakePlan(d, a)
	if err != nil {
		t.Fatal(err)
	}
	var diff []string
	for _, s := range p.Steps {
		if s.Call == "CreatePolicyVersion" {
			diff = s.Diff
		}
	}
	var changed []string
	for _, l := range diff {
		if !strings.HasPrefix(l, "  ") {
			changed = append(changed, l[:2]+strings.TrimSpace(l[2:]))
		}
	}
	want := []string{`- "aws:MultiFactorAuthAge": "86400"`, `+ "aws:MultiFactorAuthAge": "43200"`}
	if strings.Join(changed, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff changes:\n%s\nwant:\n%s", strings.Join(changed, "\n"), strings.Join(want, "\n"))
	}
}

func TestDestroy(t *testing.T) {
	d := desiredExample(t)
	a := appliedAccount(t, d)
	a.Groups = append(a.Groups, &account.Group{Name: "theirs", Path: "/", Attached: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}})
	a.Roles = append(a.Roles, &account.Role{Name: "their-role", Path: "/"})
	a.Policies[0].Versions = []string{"v1", "v2"}
	a.Policies[0].DefaultVersion = "v2"
	got := calls(Destroy(a))
	want := []string{
		"DetachUserPolicy alice",
		"DetachRolePolicy cli-role",
		"DeleteRole cli-role",
		"RemoveUserFromGroup mfa-required alice",
		"RemoveUserFromGroup mfa-required bob",
		"DetachGroupPolicy mfa-required",
		"DeleteGroup mfa-required",
		"DeletePolicyVersion awsmfa-require-mfa-max-age-43200 v1",
		"DeletePolicy awsmfa-require-mfa-max-age-43200",
		"DeletePolicy awsmfa-assume-cli-role",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("destroy:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if calls(Destroy(emptyAccount())) != nil {
		t.Error("destroy of an account without awsmfa resources is not empty")
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, got)
	}
}

func TestRenderGolden(t *testing.T) {
	d := desiredExample(t)
	drifted := appliedAccount(t, d)
	drifted.Policies[0].Document = doc(t, strings.Replace(d.Policies[0].Text, `"43200"`, `"86400"`, 1), policy.KindIdentity)
	drifted.Roles[0].MaxSessionDuration = 3600
	for _, tc := range []struct {
		name string
		acct *account.Account
	}{{"create", emptyAccount()}, {"nochange", appliedAccount(t, d)}, {"update", drifted}} {
		p, err := MakePlan(d, tc.acct)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "plan-"+tc.name+".txt", p.Text())
		js, err := p.JSON()
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "plan-"+tc.name+".json", js)
	}
	golden(t, "destroy.txt", Destroy(appliedAccount(t, d)).Text())
}

// bigSetup is a file of 200 groups of 25 users (requiring MFA with 4
// distinct ages) and 100 roles of 5 trusted users, over an account of
// 5,000 users; applied reports whether the account already holds it.
func bigSetup(b testing.TB, applied bool) (*Desired, *account.Account) {
	f := &File{Name: "big.yaml"}
	for i := range 200 {
		g := Group{Name: fmt.Sprintf("g%d", i), RequireMFA: true, MaxMFAAge: 3600 * (i % 4), Line: i + 1}
		for j := range 25 {
			g.Users = append(g.Users, fmt.Sprintf("u%d", (i*25+j)%5000))
		}
		f.Groups = append(f.Groups, g)
	}
	for i := range 100 {
		r := Role{Name: fmt.Sprintf("r%d", i), RequireMFA: true, MaxSessionDuration: 43200, ManagedPolicies: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}}
		for j := range 5 {
			r.TrustedUsers = append(r.TrustedUsers, fmt.Sprintf("u%d", i*5+j))
		}
		f.Roles = append(f.Roles, r)
	}
	d, err := Build(f, acctID, "aws")
	if err != nil {
		b.Fatal(err)
	}
	a := &account.Account{ID: acctID}
	for i := range 5000 {
		a.Users = append(a.Users, user(fmt.Sprintf("u%d", i)))
	}
	if applied {
		model := &modelCaller{t: b, a: a}
		full, err := MakePlan(d, &account.Account{ID: acctID, Users: a.Users})
		if err != nil {
			b.Fatal(err)
		}
		if res := Apply(context.Background(), full, model, nil); res.Err != nil {
			b.Fatal(res.Err)
		}
	}
	return d, a
}

func TestPlanAtScale(t *testing.T) {
	d, a := bigSetup(t, true)
	start := time.Now()
	p, err := MakePlan(d, a)
	if err != nil {
		t.Fatal(err)
	}
	if p.Changes() {
		t.Errorf("applied big setup still has changes:\n%s", p.Text())
	}
	t.Logf("plan of %d steps over 5,000 users: %v", len(p.Steps), time.Since(start))
}

func BenchmarkPlan5000Users(b *testing.B) {
	d, _ := bigSetup(b, false)
	users := make([]*account.User, 5000)
	for i := range users {
		users[i] = user(fmt.Sprintf("u%d", i))
	}
	for b.Loop() {
		if _, err := MakePlan(d, &account.Account{ID: acctID, Users: users}); err != nil {
			b.Fatal(err)
		}
	}
}
