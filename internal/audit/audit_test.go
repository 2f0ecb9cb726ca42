package audit

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/policy"
)

func runScenario(t *testing.T, name string, edit func(*account.Account)) *Report {
	t.Helper()
	acct := scenarioAccount(t, name)
	if edit != nil {
		edit(acct)
	}
	rep, err := Run(acct, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// Seed 000: alice's long-term keys walk through the group's Bool deny; the
// deciding statement is that Deny, which did not apply.
func TestSeed000AliceKeysActWithoutMFA(t *testing.T) {
	rep := runScenario(t, "seed-000-bool", nil)
	alice := "arn:aws:iam::123456789012:user/alice"
	u := userResult(t, rep, "alice")
	want := map[Credential]Verdict{CredAccessKeys: ActsWithoutMFA, CredSessionNoMFA: MFARequired, CredSessionMFA: MFARequired, CredConsolePassword: NotApplicable}
	if !reflect.DeepEqual(u.Creds, want) {
		t.Errorf("alice's verdicts %v, want %v", u.Creds, want)
	}
	fs := findings(rep, RuleKeysActWithoutMFA, alice)
	if len(fs) != 1 {
		t.Fatalf("keys-act-without-mfa findings about alice: %d\n%s", len(fs), dumpFindings(rep))
	}
	f := fs[0]
	d := f.Deciding
	if d == nil || d.Policy != "group/mfa-bool/BlockMostAccessUnlessSignedInWithMFA" || d.Statement != "BlockMostAccessUnlessSignedInWithMFA" {
		t.Errorf("deciding statement %+v, want the group's Bool deny", d)
	}
	for _, s := range []string{"did not apply", "Bool", "aws:MultiFactorAuthPresent is absent"} {
		if !strings.Contains(f.Message, s) {
			t.Errorf("message %q lacks %q", f.Message, s)
		}
	}
	if !slices.Contains(f.Actions, "ec2:DescribeInstances") || slices.Contains(f.Actions, "iam:ListUsers") {
		t.Errorf("actions %v: want ec2:DescribeInstances, and no self-service action", f.Actions)
	}
	if len(findings(rep, RuleMFAPolicyBool, "arn:aws:iam::123456789012:group/mfa-bool")) != 1 {
		t.Errorf("no mfa-policy-bool finding on the group:\n%s", dumpFindings(rep))
	}
}

// Seed 004: bob's BoolIfExists deny holds: nothing about bob.
func TestSeed004BobNoFinding(t *testing.T) {
	rep := runScenario(t, "seed-004-boolifexists", nil)
	for _, f := range rep.Findings {
		if f.Principal == "arn:aws:iam::123456789012:user/bob" || slices.Contains(f.Users, "arn:aws:iam::123456789012:user/bob") {
			t.Errorf("finding about bob: %+v", f)
		}
	}
	u := userResult(t, rep, "bob")
	if u.Creds[CredAccessKeys] != MFARequired || u.Creds[CredSessionNoMFA] != MFARequired || u.Creds[CredSessionMFA] != MFARequired {
		t.Errorf("bob's verdicts %v", u.Creds)
	}
}

// Seeds 002/003: cli-role's trust requires MFA, so no finding; a role
// whose trust admits anika without MFA is one.
func TestSeed002RoleTrust(t *testing.T) {
	rep := runScenario(t, "seed-002-role-mfa", nil)
	if fs := findings(rep, RuleRoleTrustWithoutMFA, ""); len(fs) != 0 {
		t.Errorf("role-trust-without-mfa with cli-role's MFA trust:\n%s", dumpFindings(rep))
	}
	u := userResult(t, rep, "anika")
	if u.Creds[CredAccessKeys] != MFARequired || u.Creds[CredSessionMFA] != MFARequired {
		t.Errorf("anika's verdicts %v: she reaches cli-role only with MFA", u.Creds)
	}

	open := `{"Version": "2012-10-17", "Statement": [{"Sid": "TrustAnika", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/anika"}, "Action": "sts:AssumeRole"}]}`
	rep = runScenario(t, "seed-002-role-mfa", func(a *account.Account) {
		d, err := policy.ParseKind("open-role.json", []byte(open), policy.KindTrust)
		if err != nil {
			t.Fatal(err)
		}
		a.Roles = append(a.Roles, &account.Role{Name: "open-role", Path: "/", ARN: "arn:aws:iam::123456789012:role/open-role", Trust: &account.Document{Document: d, Text: open, File: "open-role.json", Line: 1}})
	})
	fs := findings(rep, RuleRoleTrustWithoutMFA, "arn:aws:iam::123456789012:role/open-role")
	if len(fs) != 1 {
		t.Fatalf("role-trust-without-mfa on open-role: %d\n%s", len(fs), dumpFindings(rep))
	}
	if d := fs[0].Deciding; d == nil || d.Policy != "role/open-role/trust" || d.Statement != "TrustAnika" || d.File != "open-role.json" || d.Line != 1 {
		t.Errorf("deciding %+v", fs[0].Deciding)
	}
	if len(findings(rep, RuleRoleTrustWithoutMFA, "arn:aws:iam::123456789012:role/cli-role")) != 0 {
		t.Error("cli-role flagged")
	}
	u = userResult(t, rep, "anika")
	if u.Creds[CredAccessKeys] != ActsWithoutMFA {
		t.Errorf("anika's keys %s: she can assume open-role without MFA", u.Creds[CredAccessKeys])
	}
	kf := findings(rep, RuleKeysActWithoutMFA, "arn:aws:iam::123456789012:user/anika")
	if len(kf) == 0 || !slices.Equal(kf[0].Actions, []string{"sts:AssumeRole"}) || !strings.Contains(kf[0].Message, "open-role") {
		t.Errorf("anika's keys finding %+v", kf)
	}
}

// The whole lab account: one finding per problem the seeds teach, and the
// administrator without MFA.
func TestDefaultScenario(t *testing.T) {
	rep := runScenario(t, "default", nil)
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.Rule+" "+f.Principal[strings.LastIndexByte(f.Principal, ':')+1:]+" "+string(f.Credential))
	}
	want := []string{
		"keys-act-without-mfa user/admin long-term-keys",
		"keys-act-without-mfa user/admin session-token-no-mfa",
		"keys-act-without-mfa user/alice long-term-keys",
		"mfa-policy-bool group/mfa-bool ",
		"no-mfa-device user/admin ",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep.Stats.Users != 4 || rep.Stats.Credentials != 4 || rep.Stats.Actions < 200 || rep.Stats.Decisions == 0 {
		t.Errorf("stats %+v", rep.Stats)
	}
}

// Without a credential report every user is assumed to have keys and a
// password, and the report says so.
func TestNoCredentialReport(t *testing.T) {
	b := newAccount(t)
	u := b.user("lee", userSpec{inline: map[string]string{"all": docAllowAll, "mfa": docIfExists}})
	u.MFAKnown = false
	b.user("mia", userSpec{inline: map[string]string{"s3": docAllowS3}})
	b.acct.Report = nil
	rep := b.run(Options{})
	if !slices.Contains(rep.Notes, NoReportNote) {
		t.Errorf("notes %q", rep.Notes)
	}
	lee := userResult(t, rep, "lee")
	if !lee.Assumed || lee.Creds[CredAccessKeys] != MFARequired || lee.Creds[CredConsolePassword] != MFARequired {
		t.Errorf("lee %+v", lee)
	}
	mia := userResult(t, rep, "mia")
	if !mia.Assumed || mia.Creds[CredAccessKeys] != ActsWithoutMFA || mia.Creds[CredSessionMFA] != NotApplicable {
		// mia's devices are known (none), so no MFA session.
		t.Errorf("mia %+v", mia)
	}
	fs := findings(rep, RuleKeysActWithoutMFA, userARN("mia"))
	if len(fs) == 0 || !strings.Contains(fs[0].Message, "assumed") {
		t.Errorf("mia's finding %+v", fs)
	}
	if lee.MFA != MFAUnknown || mia.MFA != MFADevicesListed {
		t.Errorf("MFA: lee %q (want unknown), mia %q (want listed)", lee.MFA, mia.MFA)
	}
}

// A user without any policy has no access; the columns follow
// Options.Credentials.
func TestVerdictsAndColumns(t *testing.T) {
	b := newAccount(t)
	b.user("nobody", userSpec{keys: true, password: true})
	b.user("s3user", userSpec{keys: true, devices: mfaTOTP, inline: map[string]string{"s3": docAllowS3}})
	rep := b.run(Options{Credentials: []Credential{CredSessionMFA, CredAccessKeys}})
	if !slices.Equal(rep.Credentials, []Credential{CredSessionMFA, CredAccessKeys}) {
		t.Errorf("columns %v", rep.Credentials)
	}
	nb := userResult(t, rep, "nobody")
	if len(nb.Creds) != 2 || nb.Creds[CredAccessKeys] != NoAccess || nb.Creds[CredSessionMFA] != NotApplicable {
		t.Errorf("nobody %v", nb.Creds)
	}
	s3 := userResult(t, rep, "s3user")
	if s3.Creds[CredAccessKeys] != ActsWithoutMFA || s3.Creds[CredSessionMFA] != MFARequired || !slices.Equal(s3.MFADevices, []string{"arn:aws:iam::111122223333:mfa/s3user"}) {
		t.Errorf("s3user %+v", s3)
	}
	for _, f := range rep.Findings {
		if f.Credential == CredConsolePassword || f.Credential == CredSessionNoMFA {
			t.Errorf("finding for a column not asked for: %+v", f)
		}
	}
}

func TestOptionsErrors(t *testing.T) {
	acct := newAccount(t).acct
	for _, o := range []Options{
		{StaleDays: -1},
		{Credentials: []Credential{"password"}},
		{Credentials: []Credential{CredAccessKeys, CredAccessKeys}},
	} {
		if _, err := Run(acct, o); err == nil {
			t.Errorf("Run(%+v) accepted", o)
		}
	}
	if _, err := Run(nil, Options{}); err == nil {
		t.Error("Run(nil) accepted")
	}
	huge := make([]string, maxActionSet+1)
	for i := range huge {
		huge[i] = fmt.Sprintf("svc:Action%d", i)
	}
	if _, err := Run(acct, Options{Actions: huge}); err == nil || !strings.Contains(err.Error(), "distinct actions") {
		t.Errorf("huge action set: %v", err)
	}
}

// Policy variables make decisions per user: users sharing a document get
// their own answers where it depends on who they are.
func TestPerUserDecisions(t *testing.T) {
	home := `{"Version": "2012-10-17", "Statement": [
  {"Sid": "OwnHome", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home-${aws:username}/*"},
  {"Sid": "NotBob", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home-bob/*"},
  {"Sid": "TeamTag", "Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ops"}}}]}`
	b := newAccount(t)
	b.group("staff", map[string]string{"home": home})
	b.user("alice", userSpec{keys: true, devices: mfaTOTP, groups: []string{"staff"}})
	b.user("bob", userSpec{keys: true, devices: mfaTOTP, groups: []string{"staff"}, tags: []account.Tag{{Key: "team", Value: "ops"}}})
	b.user("carl", userSpec{keys: true, devices: mfaTOTP, groups: []string{"staff"}})
	rep := b.run(Options{Credentials: []Credential{CredAccessKeys}})
	acts := func(name string) []string {
		fs := findings(rep, RuleKeysActWithoutMFA, userARN(name))
		if len(fs) == 0 {
			return nil
		}
		return fs[0].Actions
	}
	if got := acts("alice"); !slices.Equal(got, []string{"s3:GetObject"}) {
		t.Errorf("alice %v", got)
	}
	if got := acts("bob"); !slices.Equal(got, []string{"ec2:RunInstances"}) {
		t.Errorf("bob %v", got)
	}
	if got := acts("carl"); !slices.Equal(got, []string{"s3:GetObject"}) {
		t.Errorf("carl %v", got)
	}
}

// The shared and per-class decisions equal deciding every user, credential
// type, action and resource on its own with the full policy set.
func TestSharedDecisionsMatchReference(t *testing.T) {
	acct := largeAccount(t, 120)
	// Half the users get their own inline policy on top of their groups'.
	for i, u := range acct.Users {
		if len(u.Inline) == 0 && i%2 == 0 {
			u.Inline = []account.InlinePolicy{{Name: "own", Document: mustDoc(t, u.Name, fmt.Sprintf(largeUserInline, i, u.Name), policy.KindIdentity)}}
		}
	}
	for _, workers := range []int{1, 2} {
		a, err := newAuditor(acct, Options{Now: testNow, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.prepare(); err != nil {
			t.Fatal(err)
		}
		a.decideAll()
		checked := 0
		for _, us := range a.users {
			p := us.prof
			for c := range numCreds {
				var ctx eval.Context
				fillContext(&ctx, us.u, a.acct.ID, a.rows[c], "", a.now)
				got := us.bits(c)
				var cands []string
				for bit, ai := range a.bulk {
					want := false
					if c.possible(a.lower[ai]) {
						cands = p.candidatesFor(us.u, a.acct.ID, a.lower[ai], cands)
						for _, r := range cands {
							req := eval.Request{Principal: us.u.ARN, Action: a.actions[ai], Resource: r, Context: &ctx}
							if eval.Decide(&p.set, &req) == eval.Allowed {
								want = true
								break
							}
						}
					}
					if has := got[bit/64]&(1<<uint(bit%64)) != 0; has != want {
						t.Fatalf("workers %d: %s %s %s: shared %v, reference %v", workers, us.u.Name, credNames[c], a.actions[ai], has, want)
					}
					checked++
				}
				var roles []int
				for ri, role := range a.roles {
					set := a.assumeSet(p, role)
					req := eval.Request{Principal: us.u.ARN, Action: "sts:AssumeRole", Resource: role.r.ARN, Context: &ctx}
					if eval.Decide(&set, &req) == eval.Allowed {
						roles = append(roles, ri)
					}
				}
				got2 := slices.Sorted(slices.Values(us.assume[c]))
				if !slices.Equal(got2, roles) {
					t.Fatalf("workers %d: %s %s: roles %v, reference %v", workers, us.u.Name, credNames[c], got2, roles)
				}
			}
		}
		if checked < 120*4*200 {
			t.Fatalf("checked only %d decisions", checked)
		}
	}
}

// Runs with one and two workers give the same report.
func TestDeterministic(t *testing.T) {
	acct := largeAccount(t, 400)
	r1, err := Run(acct, Options{Now: testNow, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Run(acct, Options{Now: testNow, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	r1.Stats.Decisions, r2.Stats.Decisions = 0, 0
	if !reflect.DeepEqual(r1, r2) {
		t.Error("reports differ between 1 and 2 workers")
	}
	rules := map[string]int{}
	for _, f := range r1.Findings {
		rules[f.Rule]++
	}
	for _, r := range []string{RuleKeysActWithoutMFA, RuleConsoleWithoutMFA, RuleNoMFADevice, RuleRoleTrustWithoutMFA, RuleMFAPolicyBool, RuleStaleAccessKey} {
		if rules[r] == 0 {
			t.Errorf("no %s finding in the large account (%v)", r, rules)
		}
	}
}

// Progress is called with the users decided, ending at the total.
func TestProgress(t *testing.T) {
	acct := largeAccount(t, 250)
	var calls [][2]int
	_, err := Run(acct, Options{Now: testNow, Progress: func(d, total int) { calls = append(calls, [2]int{d, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 2 || calls[len(calls)-1] != [2]int{250, 250} {
		t.Fatalf("progress calls %v", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] || calls[i][0] > 250 {
			t.Fatalf("progress not monotonic: %v", calls)
		}
	}
}

// A policy the evaluator cannot compile is an error naming it.
func TestCompileError(t *testing.T) {
	b := newAccount(t)
	u := b.user("olga", userSpec{keys: true, inline: map[string]string{"odd": docAllowAll}})
	// A model built by hand (the parser refuses such a document).
	u.Inline[0].Document.Statements[0].Effect = "Maybe"
	_, err := Run(b.acct, Options{Now: testNow})
	if err == nil || !strings.Contains(err.Error(), "user/olga/odd") {
		t.Fatalf("error %v", err)
	}
}

// Missing groups and managed policies are noted, not fatal.
func TestMissingReferencesNoted(t *testing.T) {
	b := newAccount(t)
	b.user("pat", userSpec{keys: true, groups: []string{"ghosts"}, managed: []string{"arn:aws:iam::111122223333:policy/Gone"}})
	rep := b.run(Options{})
	joined := strings.Join(rep.Notes, "\n")
	if !strings.Contains(joined, "group ghosts of user pat") || !strings.Contains(joined, "policy/Gone") {
		t.Errorf("notes %q", rep.Notes)
	}
}

// A user with more than 64 policies (eleven groups of inline policies) is
// decided on its full set.
func TestManyPolicies(t *testing.T) {
	b := newAccount(t)
	var groups []string
	for g := 0; g < 10; g++ {
		inline := map[string]string{}
		for i := 0; i < 7; i++ {
			inline[fmt.Sprintf("p%d", i)] = fmt.Sprintf(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:111122223333:q%d-%d"}]}`, g, i)
		}
		name := fmt.Sprintf("g%d", g)
		b.group(name, inline)
		groups = append(groups, name)
	}
	// The 71st document.
	b.group("last", map[string]string{"s3": docAllowS3})
	groups = append(groups, "last")
	b.user("many", userSpec{keys: true, devices: mfaTOTP, groups: groups})
	rep := b.run(Options{Credentials: []Credential{CredAccessKeys}, Sample: 100})
	fs := findings(rep, RuleKeysActWithoutMFA, userARN("many"))
	if len(fs) != 1 || !slices.Contains(fs[0].Actions, "s3:GetObject") || !slices.Contains(fs[0].Actions, "sqs:SendMessage") {
		t.Fatalf("findings %+v", fs)
	}
}
