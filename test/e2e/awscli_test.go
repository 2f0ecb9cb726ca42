package e2e

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/lab/scenario"
)

// awsRunner runs the real AWS CLI v2 with a temporary HOME and the lab's
// config directory; never the user's ~/.aws.
type awsRunner struct {
	t   *testing.T
	env []string
	lab *labEnv
}

func newAWS(t *testing.T, e *labEnv) *awsRunner {
	t.Helper()
	requireTool(t, awsCLI)
	home := t.TempDir()
	return &awsRunner{t: t, lab: e, env: append(append([]string{}, noEgressEnv...),
		"PATH=/usr/bin:/bin",
		"HOME="+home,
		"LANG=C.UTF-8",
		"AWS_CONFIG_FILE="+filepath.Join(e.Dir, scenario.ConfigFile),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(e.Dir, scenario.CredentialsFile),
		"AWS_DATA_PATH="+filepath.Join(e.Dir, scenario.DataDir),
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_DEFAULT_OUTPUT=json",
	)}
}

type cliResult struct {
	stdout, stderr string
	exit           int
}

// errorCode extracts CODE from "An error occurred (CODE) when calling ...".
func (r cliResult) errorCode() string {
	m := regexp.MustCompile(`An error occurred \(([A-Za-z.]+)\) when calling the (\w+) operation`).FindStringSubmatch(r.stderr)
	if m == nil {
		return ""
	}
	return m[1]
}

func (r cliResult) operation() string {
	m := regexp.MustCompile(`when calling the (\w+) operation`).FindStringSubmatch(r.stderr)
	if m == nil {
		return ""
	}
	return m[1]
}

// with returns the runner reporting to t (a subtest).
func (a *awsRunner) with(t *testing.T) *awsRunner {
	c := *a
	c.t = t
	return &c
}

// run runs aws ARGS with extra environment variables (KEY=VALUE).
func (a *awsRunner) run(extraEnv []string, args ...string) cliResult {
	a.t.Helper()
	cmd := exec.Command(awsCLI, args...)
	cmd.Env = append(append([]string{}, a.env...), extraEnv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := cliResult{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.exit = ee.ExitCode()
	} else if err != nil {
		a.t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// ok runs aws with --endpoint-url and wants exit 0; it decodes the JSON
// output into v when v is not nil.
func (a *awsRunner) ok(extraEnv []string, v any, args ...string) cliResult {
	a.t.Helper()
	r := a.run(extraEnv, append([]string{"--endpoint-url", a.lab.URL}, args...)...)
	if r.exit != 0 {
		a.t.Fatalf("aws %s: exit %d\n%s%s", strings.Join(args, " "), r.exit, r.stdout, r.stderr)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
			a.t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, r.stdout)
		}
	}
	return r
}

// fails runs aws with --endpoint-url and wants a service error with code
// (exit 254), whose message contains msg.
func (a *awsRunner) fails(extraEnv []string, code, msg string, args ...string) cliResult {
	a.t.Helper()
	r := a.run(extraEnv, append([]string{"--endpoint-url", a.lab.URL}, args...)...)
	if r.exit != 254 || r.errorCode() != code || !strings.Contains(r.stderr, msg) {
		a.t.Fatalf("aws %s: exit %d, want 254 with %s %q\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.exit, code, msg, r.stdout, r.stderr)
	}
	return r
}

type cliCreds struct {
	Credentials struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}
}

func (c cliCreds) env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + c.Credentials.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + c.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + c.Credentials.SessionToken,
		"AWS_DEFAULT_REGION=us-east-1",
	}
}

func keyEnv(id, secret string) []string {
	return []string{"AWS_ACCESS_KEY_ID=" + id, "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_DEFAULT_REGION=us-east-1"}
}

const (
	msgInvalidCode = "MultiFactorAuthentication failed with invalid MFA one time pass code."
	msgBadSerial   = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
)

// TestAWSCLIStory plays the seeds with the real AWS CLI v2.
func TestAWSCLIStory(t *testing.T) {
	e := startLab(t)
	a := newAWS(t, e)
	bob, anika := e.user(t, "bob"), e.user(t, "anika")

	// Seed 000: alice's long-term keys pass the Bool deny.
	var regions struct{ Regions []any }
	a.ok(nil, &regions, "--profile", "alice", "ec2", "describe-regions")
	if r := e.lastRecord(t, "ec2:DescribeRegions"); r.Decision != "allowed" || r.Credential != "long-term-keys" || !strings.Contains(r.Principal, "user/alice") {
		t.Errorf("alice describe-regions record %+v", r)
	}
	if len(regions.Regions) != 17 {
		t.Errorf("alice describe-regions: %d regions, want the 17 enabled by default", len(regions.Regions))
	}
	// Without --endpoint-url: the AWS_DATA_PATH rule set sends it to the lab.
	var ident struct{ Arn, Account, UserId string }
	r := a.run(nil, "--profile", "alice", "sts", "get-caller-identity")
	if r.exit != 0 || json.Unmarshal([]byte(r.stdout), &ident) != nil || ident.Arn != e.user(t, "alice").ARN || ident.Account != "123456789012" {
		t.Fatalf("get-caller-identity via AWS_DATA_PATH: exit %d %s %s", r.exit, r.stdout, r.stderr)
	}
	// A session without MFA carries aws:MultiFactorAuthPresent=false: the
	// Bool deny matches it.
	var aliceSess cliCreds
	a.ok(nil, &aliceSess, "--profile", "alice", "sts", "get-session-token")
	a.fails(aliceSess.env(), "UnauthorizedOperation", "with an explicit deny in an identity-based policy", "ec2", "describe-regions")
	if r := e.lastRecord(t, "ec2:DescribeRegions"); r.Decision != "explicitDeny" || r.Statement != "BlockMostAccessUnlessSignedInWithMFA" || r.Credential != "session-token" {
		t.Errorf("alice session record %+v", r)
	}

	// Seed 004: bob's keys are denied by BoolIfExists.
	a.fails(nil, "UnauthorizedOperation", "User: "+bob.ARN+" is not authorized to perform: ec2:DescribeRegions with an explicit deny in an identity-based policy",
		"--profile", "bob", "ec2", "describe-regions")
	if r := e.lastRecord(t, "ec2:DescribeRegions"); r.Decision != "explicitDeny" || r.Statement != "DenyAllAboveExceptBelowOperationsIfNoMFACode" {
		t.Errorf("bob keys record %+v", r)
	}
	// ...and IAM too, except what the NotAction list leaves out.
	a.fails(nil, "AccessDenied", "is not authorized to perform: iam:ListUsers", "--profile", "bob", "iam", "list-users")
	a.ok(nil, nil, "--profile", "bob", "iam", "list-mfa-devices")

	// aws sts get-session-token --serial-number --token-code.
	var bobSess cliCreds
	a.ok(nil, &bobSess, "--profile", "bob", "sts", "get-session-token", "--serial-number", bob.MFASerial, "--token-code", e.code(t, "bob", 0))
	if !strings.HasPrefix(bobSess.Credentials.AccessKeyID, "ASIA") || bobSess.Credentials.SessionToken == "" {
		t.Fatalf("session %+v", bobSess.Credentials.AccessKeyID)
	}
	exp, err := time.Parse(time.RFC3339, bobSess.Credentials.Expiration)
	if err != nil || exp.Sub(time.Now()) < 11*time.Hour || exp.Sub(time.Now()) > 12*time.Hour+time.Minute {
		t.Errorf("default GetSessionToken expiration %s, want ~12 h (43200 s)", bobSess.Credentials.Expiration)
	}
	a.ok(bobSess.env(), &regions, "ec2", "describe-regions")
	if r := e.lastRecord(t, "ec2:DescribeRegions"); r.Decision != "allowed" || r.Credential != "session-token-mfa" {
		t.Errorf("bob MFA session record %+v", r)
	}
	a.ok(bobSess.env(), &ident, "sts", "get-caller-identity")
	if ident.Arn != bob.ARN {
		t.Errorf("MFA session caller %s, want %s", ident.Arn, bob.ARN)
	}
	var users struct{ Users []struct{ UserName string } }
	a.ok(bobSess.env(), &users, "iam", "list-users")
	if len(users.Users) != 4 {
		t.Errorf("list-users with the MFA session: %+v", users)
	}

	// Seeds 002/003: the role profile without mfa_serial is refused at
	// AssumeRole, which the CLI sends to the lab through AWS_DATA_PATH.
	r = a.fails(nil, "AccessDenied", "User: "+anika.ARN+" is not authorized to perform: sts:AssumeRole on resource: "+e.Applied.Roles[0].ARN,
		"--profile", "role-without-mfa", "iam", "list-users")
	if r.operation() != "AssumeRole" {
		t.Errorf("role-without-mfa failed in %s, want AssumeRole", r.operation())
	}
	// The role profile with mfa_serial: the CLI's own prompt, answered on a
	// terminal.
	out := runWithPrompt(t, a, e.code(t, "anika", 0), "--endpoint-url", e.URL, "--profile", "role-with-mfa", "iam", "list-users")
	if !strings.Contains(out, "Enter MFA code for "+anika.MFASerial+":") {
		t.Errorf("no MFA prompt in:\n%s", out)
	}
	for _, name := range []string{`"alice"`, `"anika"`, `"bob"`} {
		if !strings.Contains(out, name) {
			t.Errorf("role-with-mfa list-users lacks %s:\n%s", name, out)
		}
	}
	ar := e.lastRecord(t, "sts:AssumeRole")
	if ar.Decision != "allowed" || ar.Policy != "trust policy of role/cli-role" || ar.Note != "MFA code accepted" {
		t.Errorf("AssumeRole record %+v", ar)
	}
	lu := e.lastRecord(t, "iam:ListUsers")
	if !strings.HasPrefix(lu.Principal, "arn:aws:sts::123456789012:assumed-role/cli-role/") || lu.Credential != "assume-role-mfa" {
		t.Errorf("ListUsers as the role: %+v", lu)
	}
	// The CLI caches the role session: no second prompt, no second AssumeRole.
	n := len(e.records("sts:AssumeRole"))
	a.ok(nil, &ident, "--profile", "role-with-mfa", "sts", "get-caller-identity")
	if len(e.records("sts:AssumeRole")) != n || !strings.Contains(ident.Arn, ":assumed-role/cli-role/") {
		t.Errorf("cached role session: %s, %d AssumeRole calls", ident.Arn, len(e.records("sts:AssumeRole"))-n)
	}
	e.stillServing(t)
}

// runWithPrompt runs aws on a pseudo-terminal (test/e2e/testdata/pty_answer.py)
// and answers its "Enter MFA code for ARN:" prompt with code.
func runWithPrompt(t *testing.T, a *awsRunner, code string, args ...string) string {
	t.Helper()
	py := python(t)
	script, err := filepath.Abs(filepath.Join("testdata", "pty_answer.py"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, append([]string{script, awsCLI}, args...)...)
	cmd.Env = append(append([]string{}, a.env...), "PTY_ANSWER="+code, "PTY_TIMEOUT=60")
	// python3 may live outside /usr/bin (pyenv); it only needs its own path.
	cmd.Env = append(cmd.Env, "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws %s on a terminal: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.ReplaceAll(string(out), "\r", "")
}

// TestAWSCLIErrors: each error case gets AWS's code, and the lab keeps
// serving.
func TestAWSCLIErrors(t *testing.T) {
	e := startLab(t)
	a := newAWS(t, e)
	bob, alice := e.user(t, "bob"), e.user(t, "alice")
	gst := func(code string) []string {
		return []string{"--profile", "bob", "sts", "get-session-token", "--serial-number", bob.MFASerial, "--token-code", code}
	}
	cases := []struct {
		name string
		run  func(t *testing.T, a *awsRunner)
	}{
		{"wrong MFA code", func(t *testing.T, a *awsRunner) {
			c := e.code(t, "bob", 0)
			wrong := []byte(c)
			wrong[0] = '0' + (wrong[0]-'0'+5)%10
			a.fails(nil, "AccessDenied", msgInvalidCode, gst(string(wrong))...)
		}},
		{"expired MFA code", func(t *testing.T, a *awsRunner) {
			a.fails(nil, "AccessDenied", msgInvalidCode, gst(e.code(t, "bob", -4))...)
		}},
		{"reused MFA code", func(t *testing.T, a *awsRunner) {
			c := e.code(t, "bob", 1)
			a.ok(nil, nil, gst(c)...)
			a.fails(nil, "AccessDenied", msgInvalidCode, gst(c)...)
		}},
		{"MFA code not digits", func(t *testing.T, a *awsRunner) {
			a.fails(nil, "ValidationError", "failed to satisfy constraint", gst("12345a")...)
		}},
		{"someone else's MFA device", func(t *testing.T, a *awsRunner) {
			a.fails(nil, "AccessDenied", msgBadSerial,
				"--profile", "bob", "sts", "get-session-token", "--serial-number", alice.MFASerial, "--token-code", e.code(t, "alice", 0))
		}},
		{"DurationSeconds too long", func(t *testing.T, a *awsRunner) {
			a.fails(nil, "ValidationError", "129600", "--profile", "alice", "sts", "get-session-token", "--duration-seconds", "200000")
		}},
		{"AssumeRole longer than MaxSessionDuration", func(t *testing.T, a *awsRunner) {
			a.fails(nil, "ValidationError", "MaxSessionDuration", "--profile", "anika", "sts", "assume-role",
				"--role-arn", e.Applied.Roles[0].ARN, "--role-session-name", "too-long", "--duration-seconds", "7200",
				"--serial-number", e.user(t, "anika").MFASerial, "--token-code", e.code(t, "anika", 0))
		}},
		{"wrong secret key", func(t *testing.T, a *awsRunner) {
			a.fails(keyEnv(alice.AccessKeys[0].ID, strings.Repeat("x", 40)), "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided",
				"sts", "get-caller-identity")
		}},
		{"unknown access key", func(t *testing.T, a *awsRunner) {
			a.fails(keyEnv("AKIAZZZZZZZZZZZZZZZZ", strings.Repeat("x", 40)), "InvalidClientTokenId", "The security token included in the request is invalid",
				"sts", "get-caller-identity")
		}},
		{"forged session token", func(t *testing.T, a *awsRunner) {
			var s cliCreds
			a.ok(nil, &s, "--profile", "alice", "sts", "get-session-token", "--duration-seconds", "900")
			s.Credentials.SessionToken = strings.ToUpper(s.Credentials.SessionToken[:8]) + "x" + s.Credentials.SessionToken[9:]
			a.fails(s.env(), "InvalidClientTokenId", "The security token included in the request is invalid", "sts", "get-caller-identity")
		}},
		{"GetSessionToken with session credentials", func(t *testing.T, a *awsRunner) {
			var s cliCreds
			a.ok(nil, &s, "--profile", "alice", "sts", "get-session-token", "--duration-seconds", "900")
			a.fails(s.env(), "AccessDenied", "Cannot call GetSessionToken with session credentials", "sts", "get-session-token")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, a.with(t))
			e.stillServing(t)
		})
	}
	if st := e.Server.Stats(); st["requests"] == 0 || st["errors"] == 0 {
		t.Errorf("stats %v", st)
	}
}

// TestAWSCLIExpiredSession: credentials past their expiration get
// ExpiredToken (the lab caps lifetimes so the test does not wait 15 min).
func TestAWSCLIExpiredSession(t *testing.T) {
	// Long enough for one more AWS CLI run (2 s and more on a loaded
	// machine) before it expires.
	const lifetime = 8 * time.Second
	e := startLab(t, func(c *lab.Config) { c.Lifetimes = lab.Lifetimes{GetSessionToken: lifetime} })
	a := newAWS(t, e)
	var s cliCreds
	a.ok(nil, &s, "--profile", "bob", "sts", "get-session-token", "--serial-number", e.user(t, "bob").MFASerial, "--token-code", e.code(t, "bob", 0))
	a.ok(s.env(), nil, "ec2", "describe-regions")
	if exp, err := time.Parse(time.RFC3339, s.Credentials.Expiration); err == nil {
		time.Sleep(time.Until(exp) + time.Second)
	} else {
		time.Sleep(lifetime + time.Second)
	}
	a.fails(s.env(), "ExpiredToken", "The security token included in the request is expired", "sts", "get-caller-identity")
	a.fails(s.env(), "ExpiredToken", "The security token included in the request is expired", "iam", "list-users")
	// EC2 words it its own way, as AWS does.
	a.fails(s.env(), "RequestExpired", "Request has expired.", "ec2", "describe-regions")
	e.stillServing(t)
}

// TestAWSCLIClockSkew: a lab whose clock is 20 minutes ahead sees the CLI's
// signatures as expired (more than 15 minutes old).
func TestAWSCLIClockSkew(t *testing.T) {
	e := startLab(t, func(c *lab.Config) { c.Now = func() time.Time { return time.Now().Add(20 * time.Minute) } })
	a := newAWS(t, e)
	a.fails(nil, "SignatureDoesNotMatch", "Signature expired", "--profile", "alice", "sts", "get-caller-identity")
}
