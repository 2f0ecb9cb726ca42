package lab

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/testutil"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// describeRegions calls ec2:DescribeRegions over HTTP (the SDK's EC2
// module is not a dependency; the request is signed the same way).
func describeRegions(t *testing.T, url string, c creds) (int, string) {
	t.Helper()
	body := "Action=DescribeRegions&Version=2016-11-15"
	req := signedRequestTo(t, url+"/", c, "ec2", body, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}

func TestSeedStory(t *testing.T) {
	clk := &testClock{}
	var log testutil.SyncBuffer
	srv, url, a := newLab(t, Config{Now: clk.Now, Logger: &log})
	ctx := context.Background()
	const acct = "123456789012"

	// Seed 000: the Bool deny does not stop long-term keys.
	if st, body := describeRegions(t, url, a.bool); st != 200 || !strings.Contains(body, "<regionName>us-east-1</regionName>") {
		t.Fatalf("Bool policy, long-term keys, DescribeRegions: %d %s", st, body)
	}
	if _, err := iamClient(url, a.bool).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("Bool policy, long-term keys, ListUsers: %v", err)
	}

	// Seed 004: BoolIfExists denies them.
	st, body := describeRegions(t, url, a.ifExists)
	if st != 403 || !strings.Contains(body, "<Code>UnauthorizedOperation</Code>") ||
		!strings.Contains(body, "User: arn:aws:iam::"+acct+":user/alice is not authorized to perform: ec2:DescribeRegions with an explicit deny in an identity-based policy") {
		t.Fatalf("BoolIfExists, DescribeRegions: %d %s", st, body)
	}
	_, err := iamClient(url, a.ifExists).ListUsers(ctx, &iam.ListUsersInput{})
	wantMsg := "User: arn:aws:iam::" + acct + ":user/alice is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::" + acct + ":user/ with an explicit deny in an identity-based policy"
	if apiCode(err) != "AccessDenied" || apiMessage(err) != wantMsg {
		t.Fatalf("BoolIfExists, ListUsers: %v", err)
	}

	// GetSessionToken with the MFA code, then the same calls succeed.
	clk.nextStep()
	out, err := stsClient(url, a.ifExists).GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber: aws.String(a.device.Serial), TokenCode: aws.String(code(a.device, clk.Now())), DurationSeconds: aws.Int32(3600)})
	if err != nil {
		t.Fatalf("GetSessionToken with MFA: %v", err)
	}
	c := out.Credentials
	if !strings.HasPrefix(*c.AccessKeyId, "ASIA") || len(*c.SecretAccessKey) != 40 || *c.SessionToken == "" {
		t.Fatalf("credentials %s", *c.AccessKeyId)
	}
	if d := c.Expiration.Sub(clk.Now()); d < 3590*time.Second || d > 3601*time.Second {
		t.Fatalf("expiration in %v, want 1h", d)
	}
	mfaSession := creds{*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken}
	if _, err := iamClient(url, mfaSession).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("MFA session ListUsers: %v", err)
	}
	if st, body := describeRegions(t, url, mfaSession); st != 200 {
		t.Fatalf("MFA session DescribeRegions: %d %s", st, body)
	}
	id, err := stsClient(url, mfaSession).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != "arn:aws:iam::"+acct+":user/alice" || *id.UserId != a.alice.ID || *id.Account != acct {
		t.Fatalf("GetCallerIdentity: %+v %v", id, err)
	}

	// The role whose trust policy requires MFA.
	role := &sts.AssumeRoleInput{RoleArn: aws.String(a.roleARN), RoleSessionName: aws.String("work")}
	_, err = stsClient(url, a.bool).AssumeRole(ctx, role)
	if apiCode(err) != "AccessDenied" || apiMessage(err) != "User: arn:aws:iam::"+acct+":user/bob is not authorized to perform: sts:AssumeRole on resource: "+a.roleARN {
		t.Fatalf("AssumeRole without MFA: %v", err)
	}
	withMFA := *role
	withMFA.SerialNumber = aws.String(a.bobDev.Serial)
	withMFA.TokenCode = aws.String(code(a.bobDev, clk.Now()))
	ar, err := stsClient(url, a.bool).AssumeRole(ctx, &withMFA)
	if err != nil {
		t.Fatalf("AssumeRole with MFA: %v", err)
	}
	if *ar.AssumedRoleUser.Arn != "arn:aws:sts::"+acct+":assumed-role/mfa-role/work" || !strings.HasSuffix(*ar.AssumedRoleUser.AssumedRoleId, ":work") {
		t.Fatalf("assumed role user %+v", ar.AssumedRoleUser)
	}
	roleCreds := creds{*ar.Credentials.AccessKeyId, *ar.Credentials.SecretAccessKey, *ar.Credentials.SessionToken}
	id, err = stsClient(url, roleCreds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != "arn:aws:sts::"+acct+":assumed-role/mfa-role/work" {
		t.Fatalf("role GetCallerIdentity: %+v %v", id, err)
	}
	if _, err := iamClient(url, roleCreds).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("role ListUsers: %v", err)
	}
	// Role chaining from the MFA session keeps MFA; from the role session
	// it is capped at one hour.
	chain := &sts.AssumeRoleInput{RoleArn: aws.String(a.roleARN), RoleSessionName: aws.String("chain"), DurationSeconds: aws.Int32(7200)}
	_, err = stsClient(url, roleCreds).AssumeRole(ctx, chain)
	if apiCode(err) != "AccessDenied" {
		// The role session carries MFA "false" (assume-role-mfa), so the
		// trust policy's Bool true does not match.
		t.Fatalf("chained AssumeRole from an assume-role-mfa session: %v", err)
	}
	_, err = stsClient(url, mfaSession).AssumeRole(ctx, chain)
	if err != nil {
		t.Fatalf("AssumeRole from the MFA session: %v", err)
	}

	stats := srv.Stats()
	if stats["sts:GetSessionToken ok"] != 1 || stats["sts:AssumeRole"] != 4 || stats["sts:AssumeRole ok"] != 2 {
		t.Fatalf("stats %v", stats)
	}
	logged := log.String()
	for _, secret := range []string{a.bool.secret, a.ifExists.secret, mfaSession.secret, mfaSession.token, roleCreds.secret, roleCreds.token} {
		if strings.Contains(logged, secret) {
			t.Fatal("a secret or session token appears in the log")
		}
	}
	if !strings.Contains(logged, "statement=DenyAllExceptListedIfNoMFA") || !strings.Contains(logged, "policy=group/ifexists-group/RequireMFA") {
		t.Fatalf("log does not name the deciding statement:\n%s", logged)
	}
}
