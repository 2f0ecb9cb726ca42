package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsmfa/awsmfa/internal/awsquery"
	"github.com/awsmfa/awsmfa/internal/lab"
)

// TestBrokerAWSCLI is the seeds' story told with awsmfa and the real AWS
// CLI v2: bob's long-term keys are denied by the BoolIfExists policy, and
// the same calls succeed through his MFA session served by awsmfa, via
// credential_process, `awsmfa exec` (environment keys) and
// `awsmfa exec --server` (container credentials endpoint); the
// role-with-mfa profile (cli-role, whose trust policy requires MFA) works
// the same three ways. One code per device for everything.
func TestBrokerAWSCLI(t *testing.T) {
	requireTool(t, awsCLI)
	b := startBrokerLab(t, lab.Lifetimes{})
	bobCount, anikaCount := b.seedProfiles()
	bob := b.user("bob")

	// Seed 004: bob's long-term keys are denied.
	r := b.aws(nil, "--profile", "bob", "ec2", "describe-regions")
	if r.exit != 254 || r.errorCode() != "UnauthorizedOperation" {
		t.Fatalf("bob's keys: exit %d, want UnauthorizedOperation\n%s", r.exit, r.stderr)
	}
	if rec := b.lastRecord("ec2:DescribeRegions"); rec.Credential != "long-term-keys" || rec.Decision != "explicitDeny" {
		t.Errorf("bob's keys: record %+v", rec)
	}

	// credential_process = awsmfa credential-process --profile bob: the
	// same calls are allowed, signed with an MFA session.
	var regions struct{ Regions []any }
	b.awsOK(nil, &regions, "--profile", "bob-mfa", "ec2", "describe-regions")
	if rec := b.lastRecord("ec2:DescribeRegions"); rec.Credential != "session-token-mfa" || rec.Decision != "allowed" || !strings.Contains(rec.Principal, "user/bob") {
		t.Errorf("bob-mfa describe-regions: record %+v", rec)
	}
	var users struct{ Users []struct{ UserName string } }
	b.awsOK(nil, &users, "--profile", "bob-mfa", "iam", "list-users")
	if len(users.Users) != 4 {
		t.Errorf("bob-mfa list-users: %+v", users)
	}
	var ident struct{ Arn, Account string }
	b.awsOK(nil, &ident, "--profile", "bob-mfa", "sts", "get-caller-identity")
	if ident.Arn != bob.ARN || ident.Account != "123456789012" {
		t.Errorf("bob-mfa caller %+v", ident)
	}
	if got := bobCount.lines(); len(got) != 1 || !strings.Contains(got[0], " "+bob.MFASerial+" bob") {
		t.Errorf("bob's mfa_process ran %d times (%q), want once with AWSMFA_MFA_SERIAL and AWSMFA_MFA_PROFILE", len(got), got)
	}
	if n := b.stat(statGST); n != 1 {
		t.Errorf("GetSessionToken served %d times, want 1", n)
	}

	// The role profile: cli-role assumed from anika's MFA session.
	roleARN := "arn:aws:sts::123456789012:assumed-role/cli-role/"
	b.awsOK(nil, &ident, "--profile", "role-mfa", "sts", "get-caller-identity")
	if !strings.HasPrefix(ident.Arn, roleARN+"awsmfa-tester-") {
		t.Errorf("role-mfa caller %s, want %sawsmfa-tester-...", ident.Arn, roleARN)
	}
	b.awsOK(nil, &users, "--profile", "role-mfa", "iam", "list-users")
	if rec := b.lastRecord("iam:ListUsers"); rec.Decision != "allowed" || !strings.Contains(rec.Principal, "assumed-role/cli-role") {
		t.Errorf("role-mfa list-users: record %+v", rec)
	}
	if rec := b.lastRecord("sts:AssumeRole"); rec.Credential != "session-token-mfa" || !strings.Contains(rec.Principal, "user/anika") {
		t.Errorf("AssumeRole was not made with anika's MFA session: %+v", rec)
	}
	gst, assume := b.stat(statGST), b.stat(statAssumeRole)
	if gst != 2 || assume != 1 || anikaCount.count() != 1 {
		t.Errorf("after role-mfa: GetSessionToken %d (want 2), AssumeRole %d (want 1), anika's codes %d (want 1)", gst, assume, anikaCount.count())
	}

	// awsmfa exec: credentials in the environment.
	r = b.awsmfa(nil, "exec", "--profile", "bob", "--", awsCLI, "ec2", "describe-regions")
	if r.exit != 0 || json.Unmarshal([]byte(r.stdout), &regions) != nil {
		t.Fatalf("exec --profile bob -- aws ec2 describe-regions: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	if rec := b.lastRecord("ec2:DescribeRegions"); rec.Credential != "session-token-mfa" || rec.Decision != "allowed" {
		t.Errorf("exec bob describe-regions: record %+v", rec)
	}
	r = b.awsmfa(nil, "exec", "--profile", "role-with-mfa", "--", awsCLI, "sts", "get-caller-identity")
	if r.exit != 0 || json.Unmarshal([]byte(r.stdout), &ident) != nil || !strings.HasPrefix(ident.Arn, roleARN) {
		t.Fatalf("exec --profile role-with-mfa -- aws sts get-caller-identity: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	// The command's exit status is awsmfa's.
	r = b.awsmfa(nil, "exec", "--profile", "bob", "--", awsCLI, "iam", "get-user", "--user-name", "nobody")
	if r.exit != 254 || r.errorCode() != "NoSuchEntity" {
		t.Errorf("exec of a failing aws command: exit %d, want 254 (NoSuchEntity)\n%s", r.exit, r.stderr)
	}

	// awsmfa exec --server: the AWS CLI reads the container endpoint.
	r = b.awsmfa(nil, "exec", "--server", "--profile", "bob", "--", awsCLI, "ec2", "describe-regions")
	if r.exit != 0 || json.Unmarshal([]byte(r.stdout), &regions) != nil {
		t.Fatalf("exec --server --profile bob -- aws ec2 describe-regions: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	if rec := b.lastRecord("ec2:DescribeRegions"); rec.Credential != "session-token-mfa" || rec.Decision != "allowed" {
		t.Errorf("exec --server bob describe-regions: record %+v", rec)
	}
	r = b.awsmfa(nil, "exec", "--server", "--profile", "role-with-mfa", "--", awsCLI, "iam", "list-users")
	if r.exit != 0 || json.Unmarshal([]byte(r.stdout), &users) != nil || len(users.Users) != 4 {
		t.Fatalf("exec --server --profile role-with-mfa -- aws iam list-users: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	if rec := b.lastRecord("iam:ListUsers"); !strings.Contains(rec.Principal, "assumed-role/cli-role") {
		t.Errorf("exec --server role list-users: record %+v", rec)
	}
	// The AWS CLI really used the container endpoint: a server that is
	// gone (wrong token) fails the command.
	r = b.awsmfa(nil, "exec", "--server", "--profile", "bob", "--", "/bin/sh", "-c",
		`AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong exec `+awsCLI+` sts get-caller-identity`)
	if r.exit == 0 || !strings.Contains(r.stderr, "InvalidToken") && !strings.Contains(r.stderr, "credentials") {
		t.Errorf("aws with a wrong container token: exit %d\n%s", r.exit, r.stderr)
	}

	// export --write-cli-cache: the AWS CLI's own role-with-mfa profile
	// (role_arn, source_profile, mfa_serial) finds the role credentials in
	// its cache and does not prompt (standard input is closed).
	if r := b.awsmfa(nil, "export", "--profile", "role-with-mfa", "--write-cli-cache"); r.exit != 0 {
		t.Fatalf("export --write-cli-cache: exit %d\n%s", r.exit, r.stderr)
	}
	cached, _ := filepath.Glob(filepath.Join(b.Home, ".aws", "cli", "cache", "*.json"))
	if len(cached) != 1 {
		t.Errorf("AWS CLI cache files: %v", cached)
	} else if fi, err := os.Stat(cached[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("AWS CLI cache file mode: %v %v", fi.Mode(), err)
	}
	b.awsOK(nil, &ident, "--profile", "role-with-mfa", "sts", "get-caller-identity")
	if !strings.HasPrefix(ident.Arn, roleARN) {
		t.Errorf("aws --profile role-with-mfa after --write-cli-cache: caller %s", ident.Arn)
	}

	// Still one code per device, one MFA session each, and the role
	// assumed once: every later use was a cache hit.
	if bobCount.count() != 1 || anikaCount.count() != 1 || b.stat(statGST) != 2 || b.stat(statAssumeRole) != 1 {
		t.Errorf("codes asked: bob %d, anika %d (want 1 each); GetSessionToken %d (want 2); AssumeRole %d (want 1)",
			bobCount.count(), anikaCount.count(), b.stat(statGST), b.stat(statAssumeRole))
	}
}

// boto3Result is the output of broker_boto3.py calls.
type boto3Result struct {
	Steps map[string]struct {
		OK      bool            `json:"ok"`
		Result  json.RawMessage `json:"result"`
		Code    string          `json:"code"`
		Message string          `json:"message"`
	} `json:"steps"`
	Method          string `json:"method"`
	AccessKeyPrefix string `json:"accessKeyPrefix"`
}

func parseBoto3(t *testing.T, r cliResult, what string) boto3Result {
	t.Helper()
	var out boto3Result
	if r.exit != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil {
		t.Fatalf("%s: exit %d\n%s%s", what, r.exit, r.stdout, r.stderr)
	}
	return out
}

// wantBoto3 checks one boto3 round: each step allowed or refused with code.
func wantBoto3(t *testing.T, what string, got boto3Result, method, caller string, want map[string]string) {
	t.Helper()
	if got.Method != method || got.AccessKeyPrefix != "ASIA" {
		t.Errorf("%s: credentials from %q (%s...), want %q (ASIA...)", what, got.Method, got.AccessKeyPrefix, method)
	}
	for step, code := range want {
		s, ok := got.Steps[step]
		switch {
		case !ok:
			t.Errorf("%s: no step %s", what, step)
		case code == "" && !s.OK:
			t.Errorf("%s: %s failed: %s %s", what, step, s.Code, s.Message)
		case code != "" && s.Code != code:
			t.Errorf("%s: %s: got ok=%v %s, want %s", what, step, s.OK, s.Code, code)
		}
	}
	if s := got.Steps["sts:GetCallerIdentity"]; !strings.Contains(string(s.Result), caller) {
		t.Errorf("%s: caller %s, want %s", what, s.Result, caller)
	}
}

// TestBrokerBoto3 is the seeds' story with boto3: credential_process
// profiles, `awsmfa exec` and `awsmfa exec --server`.
func TestBrokerBoto3(t *testing.T) {
	py := python(t)
	b := startBrokerLab(t, lab.Lifetimes{})
	bobCount, anikaCount := b.seedProfiles()
	bob := b.user("bob")
	pyScript := script(t, "broker_boto3.py")
	env := b.env()
	roleCaller := "assumed-role/cli-role/awsmfa-tester-"
	allowed := map[string]string{"sts:GetCallerIdentity": "", "iam:ListUsers": "", "ec2:DescribeRegions": ""}

	// credential_process profiles, read by botocore from the config file.
	got := parseBoto3(t, b.run(env, false, py, pyScript, "calls", b.URL, "bob-mfa"), "boto3 profile bob-mfa")
	wantBoto3(t, "boto3 profile bob-mfa", got, "custom-process", bob.ARN, allowed)
	got = parseBoto3(t, b.run(env, false, py, pyScript, "calls", b.URL, "role-mfa"), "boto3 profile role-mfa")
	wantBoto3(t, "boto3 profile role-mfa", got, "custom-process", roleCaller, map[string]string{"sts:GetCallerIdentity": "", "iam:ListUsers": ""})

	// awsmfa exec: environment keys.
	got = parseBoto3(t, b.awsmfa(nil, "exec", "--profile", "bob", "--", py, pyScript, "calls", b.URL), "exec bob -- boto3")
	wantBoto3(t, "exec bob -- boto3", got, "env", bob.ARN, allowed)
	got = parseBoto3(t, b.awsmfa(nil, "exec", "--profile", "role-with-mfa", "--", py, pyScript, "calls", b.URL), "exec role-with-mfa -- boto3")
	wantBoto3(t, "exec role-with-mfa -- boto3", got, "env", roleCaller, map[string]string{"sts:GetCallerIdentity": ""})

	// awsmfa exec --server: the container credentials provider.
	got = parseBoto3(t, b.awsmfa(nil, "exec", "--server", "--profile", "bob", "--", py, pyScript, "calls", b.URL), "exec --server bob -- boto3")
	wantBoto3(t, "exec --server bob -- boto3", got, "container-role", bob.ARN, allowed)
	got = parseBoto3(t, b.awsmfa(nil, "exec", "--server", "--profile", "role-with-mfa", "--", py, pyScript, "calls", b.URL), "exec --server role-with-mfa -- boto3")
	wantBoto3(t, "exec --server role-with-mfa -- boto3", got, "container-role", roleCaller, map[string]string{"sts:GetCallerIdentity": "", "iam:ListUsers": ""})

	// Without awsmfa, bob's keys are denied (the contrast).
	got = parseBoto3(t, b.run(env, false, py, pyScript, "calls", b.URL, "bob"), "boto3 profile bob")
	if s := got.Steps["ec2:DescribeRegions"]; s.OK || s.Code != "UnauthorizedOperation" {
		t.Errorf("boto3 with bob's keys: DescribeRegions %+v, want UnauthorizedOperation", s)
	}

	if bobCount.count() != 1 || anikaCount.count() != 1 || b.stat(statGST) != 2 {
		t.Errorf("codes asked: bob %d, anika %d (want 1 each); GetSessionToken %d (want 2)", bobCount.count(), anikaCount.count(), b.stat(statGST))
	}
}

// Variables that make the test binary a Go SDK client run by awsmfa exec
// (TestBrokerGoSDKChild).
const (
	envChildMode     = "AWSMFA_E2E_GO_CHILD"
	envChildEndpoint = "AWSMFA_E2E_ENDPOINT"
	childResultTag   = "AWSMFA_E2E_RESULT "
)

// goChildResult is what TestBrokerGoSDKChild prints.
type goChildResult struct {
	Source       string   `json:"source"`
	Caller       string   `json:"caller"`
	Users        int      `json:"users"`
	EC2Status    int      `json:"ec2Status"`
	Calls        int      `json:"calls"`
	Failures     []string `json:"failures"`
	DistinctKeys int      `json:"distinctKeys"`
	Error        string   `json:"error"`
}

// TestBrokerGoSDKChild is not a test of its own: it is the Go SDK client
// that TestBrokerGoSDK and TestBrokerLongRunningJob run as a child process
// through `awsmfa exec` (this test binary re-executed with
// AWSMFA_E2E_GO_CHILD set). It loads the default configuration, as an
// application does, so the credentials come from the environment or the
// container endpoint awsmfa set, and prints one result line.
func TestBrokerGoSDKChild(t *testing.T) {
	mode := os.Getenv(envChildMode)
	if mode == "" {
		t.Skip("run by TestBrokerGoSDK and TestBrokerLongRunningJob through awsmfa exec")
	}
	res := goChildRun(mode, os.Getenv(envChildEndpoint))
	line, _ := json.Marshal(res)
	fmt.Printf("\n%s%s\n", childResultTag, line)
}

func goChildRun(mode, endpoint string) (res goChildResult) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRetryMaxAttempts(1), config.WithHTTPClient(loopbackClient()),
		config.WithBaseEndpoint(endpoint))
	if err != nil {
		res.Error = "LoadDefaultConfig: " + err.Error()
		return res
	}
	client := sts.NewFromConfig(cfg)
	switch {
	case mode == "calls":
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			res.Error = "GetCallerIdentity: " + err.Error()
			return res
		}
		res.Caller = aws.ToString(out.Arn)
		if u, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{}); err == nil {
			res.Users = len(u.Users)
		} else {
			res.Failures = append(res.Failures, "ListUsers: "+err.Error())
		}
		creds, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			res.Error = "Retrieve: " + err.Error()
			return res
		}
		res.Source = creds.Source
		status, _ := ec2DescribeRegionsRaw(endpoint, creds)
		res.EC2Status = status
	case strings.HasPrefix(mode, "loop:"):
		d, err := time.ParseDuration(strings.TrimPrefix(mode, "loop:"))
		if err != nil {
			res.Error = err.Error()
			return res
		}
		keys := map[string]bool{}
		for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			res.Calls++
			out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				if len(res.Failures) < 10 {
					res.Failures = append(res.Failures, err.Error())
				}
				continue
			}
			res.Caller = aws.ToString(out.Arn)
			if c, err := cfg.Credentials.Retrieve(ctx); err == nil {
				keys[c.AccessKeyID] = true
				res.Source = c.Source
			}
		}
		res.DistinctKeys = len(keys)
	default:
		res.Error = "unknown mode " + mode
	}
	return res
}

// ec2DescribeRegionsRaw is ec2DescribeRegions without a *testing.T.
func ec2DescribeRegionsRaw(endpoint string, creds aws.Credentials) (int, error) {
	req, err := awsquery.Sign(context.Background(), endpoint, awsquery.DescribeRegions, creds, "us-east-1", time.Now())
	if err != nil {
		return 0, err
	}
	hr, err := http.NewRequest(req.Method, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		return 0, err
	}
	hr.Header = req.Header.Clone()
	resp, err := rawClient.Do(hr)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// goChild runs this test binary as the Go SDK client under
// `awsmfa ARGS... --` and returns its result.
func (b *brokerLab) goChild(mode string, args ...string) goChildResult {
	b.t.Helper()
	self, err := os.Executable()
	if err != nil {
		b.t.Fatal(err)
	}
	argv := append(append([]string{}, args...), "--", self, "-test.run=^TestBrokerGoSDKChild$", "-test.count=1")
	r := b.awsmfa([]string{envChildMode + "=" + mode, envChildEndpoint + "=" + b.URL}, argv...)
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), childResultTag); ok {
			var res goChildResult
			if err := json.Unmarshal([]byte(line), &res); err != nil {
				b.t.Fatalf("child result %q: %v", line, err)
			}
			if r.exit != 0 {
				b.t.Errorf("awsmfa %s: exit %d\n%s", strings.Join(args, " "), r.exit, r.stderr)
			}
			return res
		}
	}
	b.t.Fatalf("awsmfa %s -- (Go SDK child): exit %d, no result\n%s%s", strings.Join(args, " "), r.exit, r.stdout, r.stderr)
	return goChildResult{}
}

// TestBrokerGoSDK is the seeds' story with the AWS SDK for Go v2:
// credential_process profiles loaded by config.LoadDefaultConfig in this
// process, and child processes run by `awsmfa exec` and
// `awsmfa exec --server`.
func TestBrokerGoSDK(t *testing.T) {
	// Built before isolateSDKEnv moves HOME (and with it the Go build
	// cache).
	awsmfaBinary(t)
	isolateSDKEnv(t)
	b := startBrokerLab(t, lab.Lifetimes{})
	bobCount, anikaCount := b.seedProfiles()
	bob := b.user("bob")
	ctx := context.Background()

	// credential_process: the SDK runs `awsmfa credential-process` with
	// this process's environment.
	for _, kv := range b.env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	for _, c := range []struct{ profile, caller string }{
		{"bob-mfa", bob.ARN},
		{"role-mfa", "assumed-role/cli-role/awsmfa-tester-"},
	} {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(c.profile), config.WithRetryMaxAttempts(1),
			config.WithHTTPClient(loopbackClient()), config.WithBaseEndpoint(b.URL))
		if err != nil {
			t.Fatalf("%s: %v", c.profile, err)
		}
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil || !strings.Contains(aws.ToString(out.Arn), c.caller) {
			t.Fatalf("%s GetCallerIdentity: %v %v", c.profile, out, err)
		}
		creds, err := cfg.Credentials.Retrieve(ctx)
		if err != nil || creds.Source != "ProcessProvider" || !creds.CanExpire {
			t.Errorf("%s credentials: source %q, expiring %v, %v", c.profile, creds.Source, creds.CanExpire, err)
		}
		users, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
		if err != nil || len(users.Users) != 4 {
			t.Errorf("%s ListUsers: %v", c.profile, err)
		}
	}
	if status, body := ec2DescribeRegions(t, b.URL, goSDKCreds(t, ctx, b, "bob-mfa")); status != 200 {
		t.Errorf("bob-mfa DescribeRegions: %d %s", status, body)
	}
	if rec := b.lastRecord("ec2:DescribeRegions"); rec.Credential != "session-token-mfa" {
		t.Errorf("bob-mfa DescribeRegions record %+v", rec)
	}

	// awsmfa exec and exec --server, with the Go SDK in a child process.
	for _, c := range []struct {
		args           []string
		source, caller string
		ec2            int
	}{
		{[]string{"exec", "--profile", "bob"}, "EnvConfigCredentials", bob.ARN, 200},
		{[]string{"exec", "--profile", "role-with-mfa"}, "EnvConfigCredentials", "assumed-role/cli-role/", 0},
		{[]string{"exec", "--server", "--profile", "bob"}, "CredentialsEndpointProvider", bob.ARN, 200},
		{[]string{"exec", "--server", "--profile", "role-with-mfa"}, "CredentialsEndpointProvider", "assumed-role/cli-role/", 0},
	} {
		res := b.goChild("calls", c.args...)
		what := strings.Join(c.args, " ")
		if res.Error != "" || !strings.Contains(res.Caller, c.caller) || res.Source != c.source || res.Users != 4 || len(res.Failures) != 0 {
			t.Errorf("%s -- Go SDK: %+v, want caller %s from %s and 4 users", what, res, c.caller, c.source)
		}
		if c.ec2 != 0 && res.EC2Status != c.ec2 {
			t.Errorf("%s -- Go SDK: DescribeRegions %d, want %d", what, res.EC2Status, c.ec2)
		}
	}
	if bobCount.count() != 1 || anikaCount.count() != 1 || b.stat(statGST) != 2 {
		t.Errorf("codes asked: bob %d, anika %d (want 1 each); GetSessionToken %d (want 2)", bobCount.count(), anikaCount.count(), b.stat(statGST))
	}
}

// goSDKCreds retrieves a profile's credentials through the Go SDK.
func goSDKCreds(t *testing.T, ctx context.Context, b *brokerLab, profile string) aws.Credentials {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(profile), config.WithSharedConfigFiles([]string{b.Config}),
		config.WithSharedCredentialsFiles([]string{b.Creds}))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
