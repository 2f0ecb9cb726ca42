package lab

import (
	"context"
	"crypto/tls"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsmfa/awsmfa/internal/eval"
	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// TestFillContext checks the request context of each kind of caller.
func TestFillContext(t *testing.T) {
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	issued := now.Add(-10 * time.Minute)
	mfaAt := now.Add(-5 * time.Minute)
	user := caller{kind: kindUser, account: "123456789012", arn: "arn:aws:iam::123456789012:user/alice", principalARN: "arn:aws:iam::123456789012:user/alice", userID: "AIDAX", userName: "alice"}
	role := caller{kind: kindRole, account: "123456789012", arn: "arn:aws:sts::123456789012:assumed-role/r/s", principalARN: "arn:aws:iam::123456789012:role/r", userID: "AROAX:s"}
	root := caller{kind: kindRoot, account: "123456789012", arn: "arn:aws:iam::123456789012:root", principalARN: "arn:aws:iam::123456789012:root", userID: "123456789012"}
	with := func(c caller, row string, sess *store.Session) *caller {
		c.row = credentialTypes[row]
		c.sess = sess
		return &c
	}
	common := map[string]string{
		"aws:currenttime": "2024-06-01T12:00:00Z", "aws:epochtime": "1717243200", "aws:securetransport": "false",
		"aws:sourceip": "127.0.0.1", "aws:principalaccount": "123456789012", "aws:viaawsservice": "false", "aws:requestedregion": "us-east-1",
	}
	tests := []struct {
		name string
		c    *caller
		want map[string]string
	}{
		{"long-term user", with(user, "long-term-keys", nil), map[string]string{
			"aws:principalarn": user.arn, "aws:userid": "AIDAX", "aws:username": "alice", "aws:principaltype": "User"}},
		{"root", with(root, "long-term-keys", nil), map[string]string{
			"aws:principalarn": root.arn, "aws:userid": "123456789012", "aws:principaltype": "Account"}},
		{"session without MFA", with(user, "session-token", &store.Session{Issued: issued}), map[string]string{
			"aws:principalarn": user.arn, "aws:userid": "AIDAX", "aws:username": "alice", "aws:principaltype": "User",
			"aws:multifactorauthpresent": "false", "aws:tokenissuetime": "2024-06-01T11:50:00Z"}},
		{"session with MFA", with(user, "session-token-mfa", &store.Session{Issued: issued, MFATime: mfaAt}), map[string]string{
			"aws:principalarn": user.arn, "aws:userid": "AIDAX", "aws:username": "alice", "aws:principaltype": "User",
			"aws:multifactorauthpresent": "true", "aws:multifactorauthage": "300", "aws:tokenissuetime": "2024-06-01T11:50:00Z"}},
		{"role session", with(role, "assume-role", &store.Session{Issued: issued}), map[string]string{
			"aws:principalarn": role.principalARN, "aws:userid": "AROAX:s", "aws:principaltype": "AssumedRole",
			"aws:multifactorauthpresent": "false", "aws:tokenissuetime": "2024-06-01T11:50:00Z"}},
		{"role session from AssumeRole with MFA", with(role, "assume-role-mfa", &store.Session{Issued: issued}), map[string]string{
			"aws:principalarn": role.principalARN, "aws:userid": "AROAX:s", "aws:principaltype": "AssumedRole",
			"aws:multifactorauthpresent": "false", "aws:tokenissuetime": "2024-06-01T11:50:00Z"}},
		{"role from an MFA session", with(role, "role-from-mfa-session", &store.Session{Issued: issued, MFATime: mfaAt}), map[string]string{
			"aws:principalarn": role.principalARN, "aws:userid": "AROAX:s", "aws:principaltype": "AssumedRole",
			"aws:multifactorauthpresent": "true", "aws:multifactorauthage": "300", "aws:tokenissuetime": "2024-06-01T11:50:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
			r.RemoteAddr = "127.0.0.1:40000"
			rq := &request{r: r, now: now, region: "us-east-1", caller: tt.c}
			var ctx eval.Context
			fillContext(&ctx, rq, tt.c.row.Keys, tt.c.mfaTime())
			got := map[string]string{}
			for _, k := range ctx.Keys() {
				v, _ := ctx.Lookup(k)
				got[k] = v[0]
			}
			want := map[string]string{}
			for k, v := range common {
				want[k] = v
			}
			for k, v := range tt.want {
				want[k] = v
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("context\n got %v\nwant %v", got, want)
			}
		})
	}
	// TLS makes aws:SecureTransport true.
	r, _ := http.NewRequest(http.MethodPost, "https://127.0.0.1/", nil)
	r.TLS = &tls.ConnectionState{}
	var ctx eval.Context
	fillContext(&ctx, &request{r: r, now: now, caller: with(user, "long-term-keys", nil)}, nil, time.Time{})
	if v, _ := ctx.Lookup("aws:SecureTransport"); v[0] != "true" {
		t.Fatal("aws:SecureTransport over TLS")
	}
}

// TestMFAAgeAndTrustAccountRoot: aws:MultiFactorAuthAge grows with the
// session; a trust policy naming the account root needs the caller's own
// identity policy to allow sts:AssumeRole; GetCallerIdentity is never
// denied.
func TestMFAAgeAndTrustAccountRoot(t *testing.T) {
	clk := &testClock{}
	_, url, a := newLab(t, Config{Now: clk.Now})
	st := a.st
	ctx := context.Background()
	if _, err := st.CreateUser("fresh", ""); err != nil {
		t.Fatal(err)
	}
	if err := st.PutUserPolicy("fresh", "RecentMFA", `{"Version":"2012-10-17","Statement":[
		{"Sid":"RecentMFAOnly","Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"120"}}},
		{"Sid":"DenyEverything","Effect":"Deny","Action":"*","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	k, _ := st.CreateAccessKey("fresh")
	fresh := creds{id: k.ID, secret: k.Secret}
	d, _ := st.CreateVirtualMFADevice("fresh", "")
	c1, c2 := store.EnableCodes(d.Seed, clk.Now())
	if err := st.EnableMFADevice("fresh", d.Serial, c1, c2); err != nil {
		t.Fatal(err)
	}
	if _, err := stsClient(url, fresh).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("GetCallerIdentity under a Deny *: %v", err)
	}
	out, err := stsClient(url, fresh).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(d.Serial), TokenCode: aws.String(code(d, clk.Now()))})
	if err != nil {
		t.Fatalf("GetSessionToken under a Deny *: %v", err)
	}
	sess := creds{*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken}
	_, err = iamClient(url, sess).ListUsers(ctx, &iam.ListUsersInput{})
	if apiCode(err) != "AccessDenied" {
		// The Deny * applies to everything, MFA or not.
		t.Fatalf("explicit deny: %v", err)
	}
	if err := st.PutUserPolicy("fresh", "RecentMFA", `{"Version":"2012-10-17","Statement":[
		{"Sid":"RecentMFAOnly","Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"120"}}}]}`); err != nil {
		t.Fatal(err)
	}
	if _, err := iamClient(url, sess).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("fresh MFA: %v", err)
	}
	clk.Advance(121 * time.Second)
	_, err = iamClient(url, sess).ListUsers(ctx, &iam.ListUsersInput{})
	if apiCode(err) != "AccessDenied" || apiMessage(err) != "User: arn:aws:iam::123456789012:user/fresh is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no identity-based policy allows the iam:ListUsers action" {
		t.Fatalf("MFA older than 120 s: %v", err)
	}
	// The role trusts the account root with MFA, but fresh's own policies
	// do not allow sts:AssumeRole.
	_, err = stsClient(url, sess).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(a.roleARN), RoleSessionName: aws.String("ff")})
	if apiCode(err) != "AccessDenied" {
		t.Fatalf("AssumeRole without an identity allow: %v", err)
	}
	if err := st.PutUserPolicy("fresh", "Assume", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+a.roleARN+`"}]}`); err != nil {
		t.Fatal(err)
	}
	if _, err := stsClient(url, sess).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(a.roleARN), RoleSessionName: aws.String("ff")}); err != nil {
		t.Fatalf("AssumeRole with an identity allow: %v", err)
	}
}
