package e2e

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsmfa/awsmfa/internal/awsquery"
	"github.com/awsmfa/awsmfa/internal/lab/scenario"
)

// isolateSDKEnv removes the developer's AWS_* settings for the test.
func isolateSDKEnv(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_EC2", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", t.TempDir())
}

// loadProfile loads a profile of the lab's config directory the way an
// application does (config.LoadDefaultConfig); the endpoint comes from the
// profile's endpoint_url.
func loadProfile(t *testing.T, e *labEnv, profile string, opts ...func(*config.LoadOptions) error) aws.Config {
	t.Helper()
	base := []func(*config.LoadOptions) error{
		config.WithSharedConfigFiles([]string{filepath.Join(e.Dir, scenario.ConfigFile)}),
		config.WithSharedCredentialsFiles([]string{filepath.Join(e.Dir, scenario.CredentialsFile)}),
		config.WithSharedConfigProfile(profile),
		config.WithRetryMaxAttempts(1),
		config.WithHTTPClient(loopbackClient()),
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// TestGoSDKStory plays the seeds with the AWS SDK for Go v2: shared config
// profiles (endpoint_url), AWS_ENDPOINT_URL, and the role-with-mfa profile
// through the SDK's assume-role provider with an MFA token provider.
func TestGoSDKStory(t *testing.T) {
	isolateSDKEnv(t)
	e := startLab(t)
	ctx := context.Background()
	bob, anika := e.user(t, "bob"), e.user(t, "anika")

	// Seed 000 with alice's profile: the endpoint comes from endpoint_url.
	alice := loadProfile(t, e, "alice")
	if alice.BaseEndpoint == nil || *alice.BaseEndpoint != e.URL {
		t.Fatalf("profile endpoint_url not loaded: %v", alice.BaseEndpoint)
	}
	out, err := sts.NewFromConfig(alice).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(out.Arn) != e.user(t, "alice").ARN {
		t.Fatalf("alice GetCallerIdentity: %v %v", out, err)
	}
	aliceCreds, err := alice.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := ec2DescribeRegions(t, e.URL, aliceCreds); status != 200 {
		t.Errorf("alice DescribeRegions: %d %s", status, body)
	}

	// Seed 004 with bob's profile.
	bobCfg := loadProfile(t, e, "bob")
	bobCreds, _ := bobCfg.Credentials.Retrieve(ctx)
	if status, body := ec2DescribeRegions(t, e.URL, bobCreds); status != 403 || !strings.Contains(body, "<Code>UnauthorizedOperation</Code>") {
		t.Errorf("bob DescribeRegions with keys: %d %s", status, body)
	}
	_, err = iam.NewFromConfig(bobCfg).ListUsers(ctx, &iam.ListUsersInput{})
	if apiCode(err) != "AccessDenied" || httpStatus(err) != 403 {
		t.Errorf("bob ListUsers with keys: %v", err)
	}
	gst, err := sts.NewFromConfig(bobCfg).GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(bob.MFASerial), TokenCode: aws.String(e.code(t, "bob", 0)), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatalf("bob GetSessionToken with MFA: %v", err)
	}
	if d := time.Until(aws.ToTime(gst.Credentials.Expiration)); d < 14*time.Minute || d > 16*time.Minute {
		t.Errorf("900-second session expires in %v", d)
	}
	// The session through AWS_ENDPOINT_URL and static credentials.
	t.Setenv("AWS_ENDPOINT_URL", e.URL)
	sessCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"), config.WithRetryMaxAttempts(1), config.WithHTTPClient(loopbackClient()),
		config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			aws.ToString(gst.Credentials.AccessKeyId), aws.ToString(gst.Credentials.SecretAccessKey), aws.ToString(gst.Credentials.SessionToken))))
	if err != nil {
		t.Fatal(err)
	}
	if sessCfg.BaseEndpoint == nil || *sessCfg.BaseEndpoint != e.URL {
		t.Fatalf("AWS_ENDPOINT_URL not loaded: %v", sessCfg.BaseEndpoint)
	}
	users, err := iam.NewFromConfig(sessCfg).ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil || len(users.Users) != 4 {
		t.Errorf("ListUsers with the MFA session: %v %v", users, err)
	}
	sessCreds, _ := sessCfg.Credentials.Retrieve(ctx)
	if status, body := ec2DescribeRegions(t, e.URL, sessCreds); status != 200 {
		t.Errorf("DescribeRegions with the MFA session: %d %s", status, body)
	}
	if r := e.lastRecord(t, "ec2:DescribeRegions"); r.Credential != "session-token-mfa" || r.Decision != "allowed" {
		t.Errorf("record %+v", r)
	}
	t.Setenv("AWS_ENDPOINT_URL", "")

	// Seeds 002/003. The SDK's assume-role provider builds its STS client
	// before it applies the profile's endpoint_url; the config's
	// [services awsmfa-lab] section is what sends that AssumeRole to the lab.
	// role-without-mfa is refused at AssumeRole.
	noMFA := loadProfile(t, e, "role-without-mfa")
	_, err = sts.NewFromConfig(noMFA).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") || !strings.Contains(err.Error(), "sts:AssumeRole") {
		t.Errorf("role-without-mfa: %v", err)
	}
	// role-with-mfa: the SDK asks its token provider for the code. First
	// with the config's services section, then with the environment of the
	// config dir's env.sh (AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_STS).
	for _, envSh := range []bool{false, true} {
		if envSh {
			t.Setenv("AWS_ENDPOINT_URL", e.URL)
			t.Setenv("AWS_ENDPOINT_URL_STS", e.URL)
		}
		asked := 0
		code := e.code(t, "anika", 0)
		if envSh {
			code = e.code(t, "anika", 1) // the current one is used
		}
		withMFA := loadProfile(t, e, "role-with-mfa", config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
			o.TokenProvider = func() (string, error) {
				asked++
				return code, nil
			}
		}))
		id, err := sts.NewFromConfig(withMFA).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil || !strings.HasPrefix(aws.ToString(id.Arn), "arn:aws:sts::123456789012:assumed-role/cli-role/") || asked != 1 {
			t.Fatalf("role-with-mfa (env.sh %v): %v %v, token asked %d times", envSh, id, err, asked)
		}
		ar := e.lastRecord(t, "sts:AssumeRole")
		if ar.Decision != "allowed" || ar.Note != "MFA code accepted" || ar.Principal != anika.ARN {
			t.Errorf("AssumeRole record %+v", ar)
		}
		users, err := iam.NewFromConfig(withMFA).ListUsers(ctx, &iam.ListUsersInput{})
		if err != nil || len(users.Users) != 4 {
			t.Errorf("ListUsers as the role (env.sh %v): %v", envSh, err)
		}
	}
	if n := len(e.records("sts:AssumeRole")); n != 3 {
		t.Errorf("%d AssumeRole calls reached the lab, want 3", n)
	}
	e.stillServing(t)
}

// TestGoSDKSkewedSigner: requests signed by the SDK's SigV4 signer with a
// clock 16 minutes off are refused; 14 minutes off are accepted (the limit
// is 15 minutes).
func TestGoSDKSkewedSigner(t *testing.T) {
	e := startLab(t)
	ctx := context.Background()
	for _, c := range []struct {
		skew   time.Duration
		status int
		text   string
	}{
		{-16 * time.Minute, 403, "Signature expired"},
		{16 * time.Minute, 403, "Signature not yet current"},
		{-14 * time.Minute, 200, "<GetCallerIdentityResult>"},
		{14 * time.Minute, 200, "<GetCallerIdentityResult>"},
	} {
		req, err := awsquery.Sign(ctx, e.URL, awsquery.GetCallerIdentity, e.keys(t, "bob"), "us-east-1", time.Now().Add(c.skew))
		if err != nil {
			t.Fatal(err)
		}
		status, body := doRaw(t, req)
		if status != c.status || !strings.Contains(body, c.text) {
			t.Errorf("skew %v: %d %s", c.skew, status, body)
		}
	}
	e.stillServing(t)
}

// loopbackClient is the SDK's HTTP client restricted to loopback.
func loopbackClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.Proxy = nil
		tr.DialContext = loopbackDial
	})
}

// ec2DescribeRegions calls ec2:DescribeRegions signed by the SDK's signer
// (the SDK's EC2 client is a very large module for one call).
func ec2DescribeRegions(t *testing.T, endpoint string, creds aws.Credentials) (int, string) {
	t.Helper()
	req, err := awsquery.Sign(context.Background(), endpoint, awsquery.DescribeRegions, creds, "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return doRaw(t, req)
}
