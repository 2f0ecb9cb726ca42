package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/audit"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// fakeEngine stands in for the engine in the command's tests: it turns
// the account it is given into a report (one row per user, a finding per
// rule in want) and records what it was asked.
type fakeEngine struct {
	acct     *account.Account
	opts     AuditOptions
	findings []audit.Finding
	err      error
}

func (e *fakeEngine) run(acct *account.Account, opts AuditOptions) (*audit.Report, error) {
	e.acct, e.opts = acct, opts
	if e.err != nil {
		return nil, e.err
	}
	rep := &audit.Report{Account: acct.ID, Source: acct.Source, Notes: acct.Notes,
		Credentials: []audit.Credential{audit.CredAccessKeys, audit.CredSessionMFA}, Findings: e.findings}
	for _, u := range acct.Users {
		rep.Users = append(rep.Users, audit.UserResult{ARN: u.ARN, Name: u.Name,
			Creds: map[audit.Credential]audit.Verdict{audit.CredAccessKeys: audit.MFARequired, audit.CredSessionMFA: audit.ActsWithoutMFA}})
	}
	if opts.Progress != nil {
		opts.Progress(len(rep.Users), len(rep.Users))
	}
	return rep, nil
}

// testEnv runs the command with the real offline loaders and a fake
// engine.
type testEnv struct {
	t       *testing.T
	dir     string
	engine  *fakeEngine
	backend Backend
	ios     *iostreams.IOStreams
	in      *bytes.Buffer
	out     *bytes.Buffer
	errOut  *bytes.Buffer
}

func newEnv(t *testing.T) *testEnv {
	e := &testEnv{t: t, dir: t.TempDir(), engine: &fakeEngine{}}
	e.ios, e.in, e.out, e.errOut = iostreams.Test()
	e.backend = DefaultBackend()
	e.backend.Audit = e.engine.run
	e.backend.ParseActions = func(data []byte, file string) ([]string, error) {
		var out []string
		for _, l := range strings.Fields(string(data)) {
			if !strings.Contains(l, ":") {
				return nil, errors.New(file + ":1: not an action")
			}
			out = append(out, l)
		}
		return out, nil
	}
	return e
}

// write puts a file in the test directory.
func (e *testEnv) write(name, content string) string {
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// run executes the command line and returns the exit code.
func (e *testEnv) run(args ...string) int {
	e.t.Helper()
	e.out.Reset()
	e.errOut.Reset()
	cmd := NewCmdAudit(e.ios, func(o *Options) error {
		o.Backend = e.backend
		return Run(o)
	})
	cmd.SetArgs(args)
	cmd.SetOut(e.out)
	cmd.SetErr(e.errOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	if err != nil {
		var ec *cmdutil.ExitCodeError
		if !errors.As(err, &ec) || ec.Err != nil {
			e.errOut.WriteString(err.Error())
		}
	}
	return cmdutil.ExitCode(err)
}

// authDetails is get-account-authorization-details output as the AWS CLI
// prints it: two users, one group, a managed policy.
const authDetails = `{
    "UserDetailList": [
        {
            "Path": "/",
            "UserName": "alice",
            "UserId": "AIDAEXAMPLEALICE0001",
            "Arn": "arn:aws:iam::123456789012:user/alice",
            "CreateDate": "2019-12-18T19:10:08Z",
            "GroupList": ["devs"],
            "AttachedManagedPolicies": [],
            "Tags": []
        },
        {
            "Path": "/",
            "UserName": "bob",
            "UserId": "AIDAEXAMPLEBOB000001",
            "Arn": "arn:aws:iam::123456789012:user/bob",
            "CreateDate": "2019-12-18 19:10:08+00:00",
            "GroupList": [],
            "AttachedManagedPolicies": [],
            "Tags": []
        }
    ],
    "GroupDetailList": [
        {
            "Path": "/",
            "GroupName": "devs",
            "GroupId": "AGPAEXAMPLEDEVS00001",
            "Arn": "arn:aws:iam::123456789012:group/devs",
            "CreateDate": "2019-12-18T19:10:08Z",
            "GroupPolicyList": [
                {
                    "PolicyName": "AllowAll",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
                },
                {
                    "PolicyName": "RequireMFA",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Sid": "Deny", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
                            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]
                    }
                }
            ],
            "AttachedManagedPolicies": []
        }
    ],
    "RoleDetailList": [],
    "Policies": []
}
`

const credReport = `user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::123456789012:root,2019-12-18T19:10:08+00:00,not_supported,2024-01-02T03:04:05+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,arn:aws:iam::123456789012:user/alice,2019-12-18T19:10:08+00:00,false,N/A,N/A,N/A,false,true,2019-12-18T19:10:08+00:00,2024-01-02T03:04:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
bob,arn:aws:iam::123456789012:user/bob,2019-12-18T19:10:08+00:00,true,2024-01-02T03:04:05+00:00,2019-12-18T19:10:08+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
`

const scpRoot = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

func TestOffline(t *testing.T) {
	e := newEnv(t)
	auth := e.write("auth.json", authDetails)
	report := e.write("report.csv", credReport)
	scp := e.write("root.json", scpRoot)
	actions := e.write("actions.txt", "s3:GetObject\nec2:RunInstances\n")
	if code := e.run("--authorization-details", auth, "--credential-report", report, "--scp", scp, "--actions", actions, "--stale-days", "30"); code != 0 {
		t.Fatalf("exit %d: %s", code, e.errOut)
	}
	a := e.engine.acct
	if a == nil || a.ID != "123456789012" || len(a.Users) != 2 {
		t.Fatalf("engine got account %+v", a)
	}
	if a.Report == nil || len(a.Report.Rows) != 3 {
		t.Errorf("credential report not passed: %+v", a.Report)
	}
	if a.Org == nil || len(a.Org.Levels) != 1 {
		t.Errorf("SCP levels not passed: %+v", a.Org)
	}
	if want := auth + " + " + report + " + 1 SCP file(s)"; a.Source != want {
		t.Errorf("source %q, want %q", a.Source, want)
	}
	if got := strings.Join(e.engine.opts.Actions, ","); got != "s3:GetObject,ec2:RunInstances" || e.engine.opts.StaleDays != 30 {
		t.Errorf("engine options %+v", e.engine.opts)
	}
	for _, want := range []string{"Account 123456789012", "USERS x CREDENTIAL TYPES: 2 users", "FINDINGS: none"} {
		if !strings.Contains(e.out.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, e.out)
		}
	}
	if e.errOut.Len() != 0 {
		t.Errorf("stderr not empty without a terminal: %q", e.errOut)
	}
}

func TestOfflineStdin(t *testing.T) {
	e := newEnv(t)
	e.in.WriteString(authDetails)
	if code := e.run("--authorization-details", "-", "-o", "json"); code != 0 {
		t.Fatalf("exit %d: %s", code, e.errOut)
	}
	var rep struct {
		Account string
		Users   []struct{ Name string }
	}
	if err := json.Unmarshal(e.out.Bytes(), &rep); err != nil || rep.Account != "123456789012" || len(rep.Users) != 2 {
		t.Fatalf("JSON %+v (%v):\n%s", rep, err, e.out)
	}
	if e.engine.acct.Source != "<stdin>" {
		t.Errorf("source %q", e.engine.acct.Source)
	}
}

func TestFormats(t *testing.T) {
	e := newEnv(t)
	auth := e.write("auth.json", authDetails)
	tests := []struct {
		args []string
		want string
	}{
		{nil, "USERS x CREDENTIAL TYPES"},
		{[]string{"--format", "text"}, "USERS x CREDENTIAL TYPES"},
		{[]string{"-o", "json"}, `"credentialTypes": [`},
		{[]string{"--output", "json", "--format", "json"}, `"credentialTypes": [`},
		{[]string{"--format", "json"}, `"credentialTypes": [`},
		{[]string{"--format", "sarif"}, `"version": "2.1.0"`},
		{[]string{"--format", "html"}, "<!DOCTYPE html>"},
		{[]string{"--all"}, "USERS x CREDENTIAL TYPES: 2 users\n"},
	}
	for _, tt := range tests {
		if code := e.run(append([]string{"--authorization-details", auth}, tt.args...)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, code, e.errOut)
		}
		if !strings.Contains(e.out.String(), tt.want) {
			t.Errorf("%v: output lacks %q:\n%s", tt.args, tt.want, e.out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	e := newEnv(t)
	auth := e.write("auth.json", authDetails)
	scp := e.write("scp.json", scpRoot)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--format", "xml"}, `--format: "xml" is not one of text, json, sarif, html`},
		{[]string{"-o", "sarif"}, `--output: "sarif" is not one of text, json`},
		{[]string{"-o", "json", "--format", "sarif"}, "--output json and --format sarif disagree"},
		{[]string{"--fail-on", "critical"}, `--fail-on: "critical"`},
		{[]string{"--stale-days", "0"}, "--stale-days: 0"},
		{[]string{"--stale-days", "99999"}, "--stale-days: 99999"},
		{[]string{"--profile", "x", "--authorization-details", auth}, "give one of them"},
		{[]string{"--credential-report", auth}, "--credential-report goes with --authorization-details"},
		{[]string{"--scp", scp}, "--scp goes with --authorization-details"},
		{[]string{"--authorization-details", "-", "--actions", "-"}, "standard input ('-') named more than once"},
		{[]string{"--authorization-details", auth, "--scp", strings.Repeat(scp+",", 7) + scp}, "--scp: 8 files"},
		{[]string{"extra"}, "unknown command"},
	}
	for _, tt := range tests {
		if code := e.run(tt.args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", tt.args, code)
		}
		if !strings.Contains(e.errOut.String(), tt.want) {
			t.Errorf("%v: stderr %q lacks %q", tt.args, e.errOut, tt.want)
		}
		if e.out.Len() != 0 {
			t.Errorf("%v: output on a usage error: %q", tt.args, e.out)
		}
		if e.engine.acct != nil {
			t.Fatalf("%v: the engine ran", tt.args)
		}
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	auth := e.write("auth.json", authDetails)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"missing file", []string{"--authorization-details", filepath.Join(e.dir, "nope.json")}, []string{"nope.json", "no such file"}},
		{"invalid details", []string{"--authorization-details", e.write("bad.json", "{\n  \"UserDetailList\": [1,\n")}, []string{"bad.json:"}},
		{"invalid report", []string{"--authorization-details", auth, "--credential-report", e.write("bad.csv", "nope\n")}, []string{"bad.csv"}},
		{"invalid SCP", []string{"--authorization-details", auth, "--scp", e.write("bad-scp.json", "[")}, []string{"bad-scp.json"}},
		{"SCP over its limit", []string{"--authorization-details", auth, "--scp", e.write("big.json", strings.Repeat(" ", account.MaxSCPFileBytes+1))}, []string{"big.json", "larger than the 1 MiB limit"}},
		{"invalid actions", []string{"--authorization-details", auth, "--actions", e.write("acts.txt", "nocolon\n")}, []string{"acts.txt:1: not an action"}},
		{"empty actions", []string{"--authorization-details", auth, "--actions", e.write("empty.txt", "\n")}, []string{"empty.txt: no actions"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.engine.acct = nil
			if code := e.run(tt.args...); code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", code, e.errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(e.errOut.String(), w) {
					t.Errorf("stderr %q lacks %q", e.errOut, w)
				}
			}
			if e.out.Len() != 0 {
				t.Errorf("output on bad input: %q", e.out)
			}
			if e.engine.acct != nil {
				t.Error("the engine ran")
			}
		})
	}
}

func TestFailOn(t *testing.T) {
	e := newEnv(t)
	auth := e.write("auth.json", authDetails)
	warning := audit.Finding{Rule: audit.RuleNoMFADevice, Severity: audit.SeverityWarning, Principal: "arn:aws:iam::123456789012:user/bob", Message: "m", Fix: "f"}
	info := audit.Finding{Rule: audit.RuleStaleAccessKey, Severity: audit.SeverityInfo, Principal: "arn:aws:iam::123456789012:user/alice", Message: "m", Fix: "f"}
	tests := []struct {
		findings []audit.Finding
		failOn   string
		code     int
	}{
		{nil, "", 0},
		{nil, "info", 0},
		{[]audit.Finding{warning}, "", 1},
		{[]audit.Finding{warning}, "warning", 1},
		{[]audit.Finding{warning}, "info", 1},
		{[]audit.Finding{warning}, "error", 0},
		{[]audit.Finding{warning}, "none", 0},
		{[]audit.Finding{info}, "", 0},
		{[]audit.Finding{info}, "info", 1},
	}
	for _, tt := range tests {
		e.engine.findings = tt.findings
		args := []string{"--authorization-details", auth}
		if tt.failOn != "" {
			args = append(args, "--fail-on", tt.failOn)
		}
		if code := e.run(args...); code != tt.code {
			t.Errorf("%d finding(s), --fail-on %q: exit %d, want %d (%s)", len(tt.findings), tt.failOn, code, tt.code, e.errOut)
		}
		if e.out.Len() == 0 {
			t.Errorf("--fail-on %q: no report printed", tt.failOn)
		}
	}
}

// TestEngineError: a failed audit exits 2 and prints no partial report.
func TestEngineError(t *testing.T) {
	e := newEnv(t)
	e.engine.err = errors.New("decision budget exhausted")
	if code := e.run("--authorization-details", e.write("auth.json", authDetails)); code != 2 {
		t.Fatalf("exit %d", code)
	}
	if e.out.Len() != 0 || !strings.Contains(e.errOut.String(), "audit: decision budget exhausted") {
		t.Errorf("stdout %q, stderr %q", e.out, e.errOut)
	}
}

// TestNotWired: a backend without the engine says so and prints nothing it
// did not decide.
func TestNotWired(t *testing.T) {
	e := newEnv(t)
	e.backend = Backend{LoadAuthorizationDetails: account.LoadAuthorizationDetails}
	auth := e.write("auth.json", authDetails)
	tests := map[string][]string{
		"the audit engine is not available in this build":         {"--authorization-details", auth},
		"--actions: reading an actions file is not available":     {"--authorization-details", auth, "--actions", auth},
		"--credential-report: reading a credential report is not": {"--authorization-details", auth, "--credential-report", auth},
		"reading an account live is not available in this build":  {},
		"--scp: reading SCP files is not available in this build": {"--authorization-details", auth, "--scp", auth},
	}
	for want, args := range tests {
		if code := e.run(args...); code != 2 || !strings.Contains(e.errOut.String(), want) || e.out.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and %q", args, code, e.out, e.errOut, want)
		}
	}
}

func TestProgressOnlyOnTerminal(t *testing.T) {
	e := newEnv(t)
	auth := e.write("auth.json", authDetails)
	e.ios.SetStderrTTY(true)
	if code := e.run("--authorization-details", auth); code != 0 {
		t.Fatalf("exit %d: %s", code, e.errOut)
	}
	if !strings.Contains(e.errOut.String(), "\r\x1b[Kdeciding: 2 of 2 users") || !strings.HasSuffix(e.errOut.String(), "\r\x1b[K") {
		t.Errorf("terminal progress %q", e.errOut)
	}
	if strings.Contains(e.out.String(), "deciding") {
		t.Error("progress on standard output")
	}
	e.ios.SetStderrTTY(false)
	if code := e.run("--authorization-details", auth); code != 0 || e.errOut.Len() != 0 {
		t.Errorf("exit %d, stderr without a terminal %q", code, e.errOut)
	}
}

// TestOfflineEngine runs the whole command, engine included, on seed
// 000's mistake: alice's group allows everything and denies without MFA
// with Bool, which does not apply to her access keys.
func TestOfflineEngine(t *testing.T) {
	e := newEnv(t)
	e.backend = DefaultBackend()
	auth := e.write("auth.json", authDetails)
	report := e.write("report.csv", credReport)
	if code := e.run("--authorization-details", auth, "--credential-report", report, "-o", "json"); code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, e.errOut)
	}
	var rep audit.Report
	if err := json.Unmarshal(e.out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	var keys, boolPolicy *audit.Finding
	for i, f := range rep.Findings {
		switch {
		case f.Rule == audit.RuleKeysActWithoutMFA && f.Principal == "arn:aws:iam::123456789012:user/alice" && f.Credential == audit.CredAccessKeys:
			keys = &rep.Findings[i]
		case f.Rule == audit.RuleMFAPolicyBool:
			boolPolicy = &rep.Findings[i]
		}
	}
	if keys == nil || keys.Deciding == nil || boolPolicy == nil {
		t.Fatalf("findings %+v", rep.Findings)
	}
	if keys.Deciding.File != auth || keys.Deciding.Line == 0 {
		t.Errorf("deciding statement not located in %s: %+v", auth, keys.Deciding)
	}
	for _, u := range rep.Users {
		if u.Name == "alice" && u.Creds[audit.CredAccessKeys] != audit.ActsWithoutMFA {
			t.Errorf("alice's keys: %s", u.Creds[audit.CredAccessKeys])
		}
	}
	// The same account as SARIF: the finding sits on auth.json.
	if code := e.run("--authorization-details", auth, "--credential-report", report, "--format", "sarif", "--fail-on", "none"); code != 0 {
		t.Fatalf("exit %d: %s", code, e.errOut)
	}
	// (The temporary directory is outside the working directory: an
	// absolute file URI.)
	if !strings.Contains(e.out.String(), `"uri": "file://`+filepath.ToSlash(auth)+`"`) {
		t.Errorf("SARIF does not locate findings on %s:\n%s", auth, e.out)
	}
}
