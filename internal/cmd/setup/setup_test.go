package setup

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil/cmdtest"
	"github.com/awsmfa/awsmfa/internal/cmd/setup/apply"
	"github.com/awsmfa/awsmfa/internal/cmd/setup/destroy"
	initcmd "github.com/awsmfa/awsmfa/internal/cmd/setup/init"
	"github.com/awsmfa/awsmfa/internal/cmd/setup/plan"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/lab"
)

// The default lab scenario already has an unmanaged cli-role (seed 002),
// so the tests' role is deploy-role.
const setupFile = `version: 1
groups:
  - name: mfa-required
    users: [alice, bob]
    requireMfa: true
    maxMfaAgeSeconds: 43200
roles:
  - name: deploy-role
    requireMfa: true
    trustedUsers: [alice]
    managedPolicies: [arn:aws:iam::aws:policy/PowerUserAccess]
    maxSessionDuration: 43200
`

// newEnv is a lab (default scenario) with profile admin holding the
// administrator's long-term keys, and the setup file written.
func newEnv(t *testing.T, file string) (*cmdtest.Env, string) {
	t.Helper()
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	// Connections the reads dialled and never used are closed before the
	// lab, whose graceful shutdown would wait five seconds for them.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	e.Factory.HTTPClient = &http.Client{Transport: tr}
	admin, _ := e.Lab.Applied.User("admin")
	k := admin.AccessKeys[0]
	e.Lab.WriteConfig(fmt.Sprintf("\n[profile admin]\nregion = us-east-1\nendpoint_url = %s\naws_access_key_id = %s\naws_secret_access_key = %s\n", e.Lab.URL, k.ID, k.Secret))
	path := filepath.Join(t.TempDir(), "setup.yaml")
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	return e, path
}

// execute runs `awsmfa setup ARGS` with the test factory; stdin, when a
// terminal, answers the confirmation.
func execute(t *testing.T, e *cmdtest.Env, stdin string, tty bool, args ...string) error {
	t.Helper()
	e.Out.Reset()
	e.Err.Reset()
	e.IO.In = strings.NewReader(stdin)
	e.IO.SetStdinTTY(tty)
	cmd := NewCmdSetup(e.IO)
	for _, c := range cmd.Commands() {
		c.Parent().RemoveCommand(c)
	}
	cmd.AddCommand(
		plan.NewCmdPlan(e.IO, func(o *plan.Options) error { o.Factory = e.Factory; return plan.Run(o) }),
		apply.NewCmdApply(e.IO, func(o *apply.Options) error { o.Factory = e.Factory; return apply.Run(o) }),
		destroy.NewCmdDestroy(e.IO, func(o *destroy.Options) error { o.Factory = e.Factory; return destroy.Run(o) }),
		initcmd.NewCmdInit(e.IO, func(o *initcmd.Options) error { o.Factory = e.Factory; return initcmd.Run(o) }),
	)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

// state is what setup may change in the lab, as text to compare.
func state(t *testing.T, e *cmdtest.Env) string {
	t.Helper()
	st := e.Lab.Store
	var lines []string
	groups, err := st.ListGroups("")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		lines = append(lines, "group "+g.Path+g.Name)
	}
	roles, err := st.ListRoles("")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles {
		lines = append(lines, fmt.Sprintf("role %s %d", r.Name, r.MaxSessionDuration))
	}
	policies, err := st.ListPolicies(true, false, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range policies {
		lines = append(lines, "policy "+p.ARN)
	}
	for _, u := range []string{"alice", "bob", "anika", "admin"} {
		gs, err := st.ListGroupsForUser(u)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gs {
			lines = append(lines, "member "+u+" "+g.Name)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestPlanApplyDestroy: plan shows the changes (--detailed-exitcode 2,
// JSON with the safety report), apply refuses without a terminal or
// --yes, is not confirmed by "n", applies on "yes"; then plan has no
// changes (exit 0) and destroy restores the account.
func TestPlanApplyDestroy(t *testing.T) {
	e, file := newEnv(t, setupFile)
	before := state(t, e)

	err := execute(t, e, "", false, "plan", "-f", file, "--profile", "admin", "--detailed-exitcode")
	if cmdutil.ExitCode(err) != 2 {
		t.Fatalf("plan --detailed-exitcode: %v\n%s", err, e.Err.String())
	}
	out := e.Out.String()
	for _, want := range []string{
		"Account 123456789012 (profile admin), setup file " + file + ".\n",
		"  + create group mfa-required (CreateGroup)\n",
		"Plan: 9 to add, 0 to change, 0 to destroy, 0 unchanged.\n",
		// alice's keys pass seed 000's Bool deny today; bob is under seed
		// 004's policy already.
		"  USER   CREDENTIALS     BEFORE -> AFTER\n  alice  long-term-keys  acts-without-mfa -> mfa-required\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	if err := execute(t, e, "", false, "plan", "-f", file, "--profile", "admin"); err != nil {
		t.Errorf("plan without --detailed-exitcode: %v", err)
	}
	if err := execute(t, e, "", false, "plan", "-f", file, "--profile", "admin", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var pj struct {
		Steps   []struct{ Action, Call string }
		Summary struct{ Add int }
		Safety  struct {
			Impacts  []struct{ User, Credential, Before, After string }
			NoDevice []string
		}
	}
	if err := json.Unmarshal([]byte(e.Out.String()), &pj); err != nil {
		t.Fatalf("plan JSON: %v\n%s", err, e.Out.String())
	}
	if len(pj.Steps) != 9 || pj.Summary.Add != 9 || len(pj.Safety.Impacts) == 0 || pj.Safety.Impacts[0].User != "alice" {
		t.Errorf("plan JSON: %+v", pj)
	}

	err = execute(t, e, "", false, "apply", "-f", file, "--profile", "admin")
	if cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "pass --yes") {
		t.Errorf("apply without a terminal: %v", err)
	}
	err = execute(t, e, "n\n", true, "apply", "-f", file, "--profile", "admin")
	if cmdutil.ExitCode(err) != 1 || !strings.Contains(e.Err.String(), "Apply 9 to add, 0 to change, 0 to destroy in account 123456789012? [y/N]") {
		t.Errorf("apply answered n: %v\n%s", err, e.Err.String())
	}
	if got := state(t, e); got != before {
		t.Fatalf("refused applies changed the account:\n%s", got)
	}

	if err := execute(t, e, "yes\n", true, "apply", "-f", file, "--profile", "admin"); err != nil {
		t.Fatalf("apply: %v\n%s", err, e.Err.String())
	}
	if !strings.Contains(e.Out.String(), "Apply complete: 9 added, 0 changed, 0 destroyed.\n") || !strings.Contains(e.Err.String(), "[9/9] attach policy arn:aws:iam::123456789012:policy/awsmfa-assume-deploy-role to user alice (AttachUserPolicy)\n") {
		t.Errorf("apply output:\n%s\n%s", e.Out.String(), e.Err.String())
	}
	applied := state(t, e)
	for _, want := range []string{"group /awsmfa/mfa-required", "member alice mfa-required", "member bob mfa-required", "role deploy-role 43200",
		"policy arn:aws:iam::123456789012:policy/awsmfa-require-mfa-max-age-43200", "policy arn:aws:iam::123456789012:policy/awsmfa-assume-deploy-role"} {
		if !strings.Contains(applied+"\n", want+"\n") {
			t.Errorf("after apply, lacks %q:\n%s", want, applied)
		}
	}

	if err := execute(t, e, "", false, "plan", "-f", file, "--profile", "admin", "--detailed-exitcode"); err != nil {
		t.Errorf("second plan: %v", err)
	}
	if !strings.Contains(e.Out.String(), "No changes. The account matches the setup file (9 unchanged).") {
		t.Errorf("second plan:\n%s", e.Out.String())
	}
	if err := execute(t, e, "", false, "apply", "-f", file, "--profile", "admin"); err != nil {
		t.Errorf("apply with nothing to do needs no confirmation: %v", err)
	}

	if err := execute(t, e, "", false, "destroy", "--profile", "admin", "--yes", "-o", "json"); err != nil {
		t.Fatalf("destroy: %v\n%s", err, e.Err.String())
	}
	var dj struct {
		Applied struct {
			Done    []struct{ Call string }
			NotDone []struct{ Call string }
		}
	}
	if err := json.Unmarshal([]byte(e.Out.String()), &dj); err != nil || len(dj.Applied.Done) != 9 || len(dj.Applied.NotDone) != 0 {
		t.Errorf("destroy JSON: %v %+v\n%s", err, dj, e.Out.String())
	}
	if got := state(t, e); got != before {
		t.Errorf("after destroy:\n%s\nbefore:\n%s", got, before)
	}
}

// TestLockout: a plan putting the caller, who signs with long-term keys
// and has no MFA device, in a group that requires MFA is refused unless
// --force; a caller with an MFA session is not locked out.
func TestLockout(t *testing.T) {
	e, file := newEnv(t, "version: 1\ngroups:\n  - name: everyone\n    users: [admin, anika]\n    requireMfa: true\n")
	before := state(t, e)
	err := execute(t, e, "", false, "apply", "-f", file, "--profile", "admin", "--yes")
	if cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "refusing to apply: this plan takes the access of your own long-term-keys credentials as user admin") ||
		!strings.Contains(err.Error(), "you have no MFA device: enroll one first") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("lockout: %v", err)
	}
	if got := state(t, e); got != before {
		t.Fatalf("refused apply changed the account:\n%s", got)
	}
	if !strings.Contains(e.Out.String(), "Lockout: this plan takes the access") {
		t.Errorf("plan output lacks the lockout:\n%s", e.Out.String())
	}

	// anika's profile has mfa_serial: an MFA session, never locked out
	// (she may read the account for this).
	if err := e.Lab.Store.AttachUserPolicy("anika", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"); err != nil {
		t.Fatal(err)
	}
	if err := execute(t, e, "", false, "plan", "-f", file, "--profile", "anika", "-o", "json"); err != nil {
		t.Fatalf("plan as anika: %v\n%s", err, e.Err.String())
	}
	if strings.Contains(e.Out.String(), `"lockout"`) {
		t.Errorf("anika's MFA session reported as locked out:\n%s", e.Out.String())
	}

	if err := execute(t, e, "", false, "apply", "-f", file, "--profile", "admin", "--yes", "--force"); err != nil {
		t.Fatalf("apply --force: %v\n%s", err, e.Err.String())
	}
	if !strings.Contains(state(t, e), "member admin everyone") {
		t.Error("--force did not apply")
	}
}

// TestBadInput: the setup file's errors name file and line; flags are
// checked; an unmanaged resource of a desired name stops the plan.
func TestBadInput(t *testing.T) {
	e, file := newEnv(t, "version: 1\ngroups:\n  - name: g\n    users: [alice]\n    requireMFA: true\n")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"plan", "-f", file, "--profile", "admin"}, file + ":5"},
		{[]string{"plan", "--profile", "admin"}, "name the setup file with -f FILE"},
		{[]string{"plan", "-f", file + ".missing"}, "setup.yaml.missing"},
		{[]string{"plan", "-f", file, "--format", "pulumi"}, `--format: "pulumi" is not one of terraform, cloudformation`},
		{[]string{"plan", "-f", file, "--format", "terraform", "--account-id", "12345"}, `"12345" is not a 12-digit account ID`},
		{[]string{"apply", "-f", "-"}, "pass --yes"},
	} {
		err := execute(t, e, "", false, tc.args...)
		if cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want exit 2 with %q", tc.args, err, tc.want)
		}
	}
	// --detailed-exitcode: errors exit 1.
	err := execute(t, e, "", false, "plan", "-f", file, "--detailed-exitcode")
	if cmdutil.ExitCode(err) != 1 || !strings.Contains(err.Error(), file+":5") {
		t.Errorf("--detailed-exitcode error: %v", err)
	}

	// cli-role exists in the lab and is not awsmfa's.
	clash := filepath.Join(t.TempDir(), "clash.yaml")
	if err := os.WriteFile(clash, []byte("version: 1\nroles:\n  - name: cli-role\n    trustedUsers: [alice]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = execute(t, e, "", false, "plan", "-f", clash, "--profile", "admin")
	if cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "role cli-role (line 3) exists and is not managed by awsmfa") {
		t.Errorf("clash: %v", err)
	}
}

// TestExport: --format prints infrastructure code for the account, with
// --account-id without any call.
func TestExport(t *testing.T) {
	e, file := newEnv(t, setupFile)
	if err := execute(t, e, "", false, "plan", "-f", file, "--format", "terraform", "--account-id", "210987654321"); err != nil {
		t.Fatal(err)
	}
	if out := e.Out.String(); !strings.Contains(out, `resource "aws_iam_group" "group_mfa_required"`) || !strings.Contains(out, "arn:aws:iam::210987654321:user/alice") {
		t.Errorf("terraform:\n%s", out)
	}
	if err := execute(t, e, "", false, "plan", "-f", file, "--format", "cloudformation", "--profile", "admin"); err != nil {
		t.Fatal(err)
	}
	if out := e.Out.String(); !strings.Contains(out, "AWS::IAM::Role") || !strings.Contains(out, "arn:aws:iam::123456789012:user/alice") {
		t.Errorf("cloudformation:\n%s", out)
	}
}

// TestInit: a starter file from flags, and from the account with
// --like-group; -f writes a new 0600 file and keeps an existing one.
func TestInit(t *testing.T) {
	e, _ := newEnv(t, setupFile)
	if err := execute(t, e, "", false, "init", "--users", "alice,bob", "--role", "r", "--policy", "arn:aws:iam::aws:policy/PowerUserAccess"); err != nil {
		t.Fatal(err)
	}
	if out := e.Out.String(); !strings.Contains(out, `users: ["alice", "bob"]`) || !strings.Contains(out, `managedPolicies: ["arn:aws:iam::aws:policy/PowerUserAccess"]`) {
		t.Errorf("init:\n%s", out)
	}
	if err := execute(t, e, "", false, "init", "--profile", "admin", "--all-users", "--role", "r", "--like-group", "mfa-ifexists"); err != nil {
		t.Fatalf("init --like-group: %v\n%s", err, e.Err.String())
	}
	if out := e.Out.String(); !strings.Contains(out, `"admin", "alice", "anika", "bob"`) || !strings.Contains(out, "arn:aws:iam::123456789012:policy/") {
		t.Errorf("init --all-users --like-group:\n%s", out)
	}
	path := filepath.Join(t.TempDir(), "new.yaml")
	if err := execute(t, e, "", false, "init", "--users", "alice", "-f", path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("written file: %v %v", fi, err)
	}
	if err := execute(t, e, "", false, "init", "--users", "bob", "-f", path); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--force") {
		t.Errorf("existing file: %v", err)
	}
	if err := execute(t, e, "", false, "init", "--users", "bob", "-f", path, "--force"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), `users: ["bob"]`) {
		t.Errorf("--force did not replace:\n%s", b)
	}
	if err := execute(t, e, "", false, "init", "--policy", "arn:aws:iam::aws:policy/PowerUserAccess"); cmdutil.ExitCode(err) != 2 {
		t.Errorf("--policy without --role: %v", err)
	}
}
