package audit

import (
	"slices"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil/cmdtest"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/lab"
)

// liveEnv runs the command on a lab through a profile awsmfa resolves,
// with the real live reader and a fake engine.
func liveEnv(t *testing.T) (*cmdtest.Env, *fakeEngine, func(args ...string) error) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	engine := &fakeEngine{}
	run := func(args ...string) error {
		cmd := NewCmdAudit(e.IO, func(o *Options) error {
			o.Factory = e.Factory
			o.Backend = DefaultBackend()
			o.Backend.Audit = engine.run
			return Run(o)
		})
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		return cmd.Execute()
	}
	return e, engine, run
}

// TestLiveProfile reads the lab's account with an MFA profile resolved by
// awsmfa (a role assumed with an MFA session, the code from the fake
// device): the IAM calls reach the lab's endpoint_url.
func TestLiveProfile(t *testing.T) {
	for _, profile := range []string{"role-with-mfa"} {
		t.Run(profile, func(t *testing.T) {
			e, engine, run := liveEnv(t)
			if err := run("--profile", profile); err != nil {
				t.Fatalf("%v\nstderr: %s", err, e.Err.String())
			}
			a := engine.acct
			if a == nil || len(a.Users) == 0 {
				t.Fatalf("account %+v", a)
			}
			var names []string
			for _, u := range a.Users {
				names = append(names, u.Name)
			}
			if !slices.Contains(names, "anika") {
				t.Errorf("users %v lack anika", names)
			}
			if want := "profile " + profile + " (live IAM)"; a.Source != want {
				t.Errorf("source %q, want %q", a.Source, want)
			}
			if !strings.Contains(e.Out.String(), "USERS x CREDENTIAL TYPES") {
				t.Errorf("output:\n%s", e.Out.String())
			}
			if e.Lab.Stat("iam:GetAccountAuthorizationDetails ok") == 0 {
				t.Errorf("the lab saw no GetAccountAuthorizationDetails: %v", e.Lab.Server.Stats())
			}
		})
	}
}

// TestLiveAccessDenied: a caller who may not read the account gets exit 2
// and IAM's refusal, naming the profile; nothing on standard output.
func TestLiveAccessDenied(t *testing.T) {
	e, engine, run := liveEnv(t)
	err := run("--profile", "anika-plain")
	if cmdutil.ExitCode(err) != 2 || err == nil {
		t.Fatalf("exit %d (%v)", cmdutil.ExitCode(err), err)
	}
	for _, want := range []string{"profile anika-plain (live IAM)", "GetAccountAuthorizationDetails", "AccessDenied"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if e.Out.String() != "" || engine.acct != nil {
		t.Errorf("output %q after a failed read", e.Out.String())
	}
}

// TestLiveEnvironmentKeys: with no --profile, access keys in the
// environment sign the read, and AWS_ENDPOINT_URL sends it to the lab.
func TestLiveEnvironmentKeys(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	key := e.Lab.Anika.AccessKeys[0]
	if err := e.Lab.Store.PutUserPolicy("anika", "ReadIAM", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:GenerateCredentialReport","sts:GetCallerIdentity"],"Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	e = cmdtest.OnLab(e.Lab, map[string]string{
		"AWS_ACCESS_KEY_ID": key.ID, "AWS_SECRET_ACCESS_KEY": key.Secret, "AWS_ENDPOINT_URL": e.Lab.URL,
	})
	engine := &fakeEngine{}
	cmd := NewCmdAudit(e.IO, func(o *Options) error {
		o.Factory = e.Factory
		o.Backend = DefaultBackend()
		o.Backend.Audit = engine.run
		return Run(o)
	})
	cmd.SetArgs([]string{"-o", "json"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v\nstderr: %s", err, e.Err.String())
	}
	if engine.acct == nil || engine.acct.Source != "access keys from the environment (live IAM)" || len(engine.acct.Users) == 0 {
		t.Fatalf("account %+v", engine.acct)
	}
	if strings.Contains(e.Out.String()+e.Err.String(), key.Secret) {
		t.Error("the secret key is in the output")
	}
}
