package lab

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsmfa/awsmfa/internal/lab/store"
	"github.com/awsmfa/awsmfa/internal/totp"
)

// Policies of the seeds' story.
const (
	// Seed 000: "Bool" false never matches long-term keys.
	denyBool = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AllowWork","Effect":"Allow","Action":["ec2:DescribeRegions","iam:ListUsers","iam:GetUser","sts:AssumeRole"],"Resource":"*"},
 {"Sid":"BlockMostAccessUnlessSignedInWithMFA","Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","iam:ListMFADevices","iam:ListVirtualMFADevices","iam:ResyncMFADevice","sts:GetSessionToken"],"Resource":"*",
  "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`
	// Seed 004: "BoolIfExists" also denies requests without the key.
	denyBoolIfExists = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AllowWork","Effect":"Allow","Action":["ec2:DescribeRegions","iam:ListUsers","iam:GetUser","sts:AssumeRole"],"Resource":"*"},
 {"Sid":"DenyAllExceptListedIfNoMFA","Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","iam:ListMFADevices","iam:ListVirtualMFADevices","iam:ResyncMFADevice","sts:GetSessionToken"],"Resource":"*",
  "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`
	// Seed 002/003: the role trusts the account but requires MFA.
	trustMFA = `{"Version":"2012-10-17","Statement":[{"Sid":"TrustAccountWithMFA","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`
	roleWork = `{"Version":"2012-10-17","Statement":[{"Sid":"RoleWork","Effect":"Allow","Action":["iam:ListUsers","ec2:DescribeRegions","sts:AssumeRole","iam:GetRole"],"Resource":"*"}]}`
)

// creds are access keys for SDK clients.
type creds struct{ id, secret, token string }

// account is a seeded lab account.
type account struct {
	st       *store.Store
	bool     creds // user "bob" in group "bool-group" (seed 000)
	ifExists creds // user "alice" in group "ifexists-group" (seed 004)
	root     creds
	admin    creds // user "admin" with AdministratorAccess
	alice    store.User
	device   store.MFADevice // alice's device
	bobDev   store.MFADevice
	roleARN  string
}

func seed(t testing.TB, st *store.Store) *account {
	t.Helper()
	a := &account{st: st}
	ok := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	key := func(user string) creds {
		t.Helper()
		k, err := st.CreateAccessKey(user)
		ok(err)
		return creds{id: k.ID, secret: k.Secret}
	}
	device := func(user string) store.MFADevice {
		t.Helper()
		d, err := st.CreateVirtualMFADevice(user, "")
		ok(err)
		c1, c2 := store.EnableCodes(d.Seed, st.Now())
		ok(st.EnableMFADevice(user, d.Serial, c1, c2))
		return d
	}
	var err error
	a.alice, err = st.CreateUser("alice", "")
	ok(err)
	_, err = st.CreateUser("bob", "")
	ok(err)
	_, err = st.CreateUser("admin", "")
	ok(err)
	_, err = st.CreateGroup("bool-group", "")
	ok(err)
	_, err = st.CreateGroup("ifexists-group", "")
	ok(err)
	ok(st.PutGroupPolicy("bool-group", "RequireMFA", denyBool))
	ok(st.PutGroupPolicy("ifexists-group", "RequireMFA", denyBoolIfExists))
	ok(st.AddUserToGroup("bool-group", "bob"))
	ok(st.AddUserToGroup("ifexists-group", "alice"))
	ok(st.AttachUserPolicy("admin", "arn:aws:iam::aws:policy/AdministratorAccess"))
	a.bool, a.ifExists, a.admin = key("bob"), key("alice"), key("admin")
	rk, err := st.CreateRootAccessKey()
	ok(err)
	a.root = creds{id: rk.ID, secret: rk.Secret}
	a.device = device("alice")
	a.bobDev = device("bob")
	r, err := st.CreateRole("mfa-role", "", trustMFA, "", 7200)
	ok(err)
	ok(st.PutRolePolicy("mfa-role", "Work", roleWork))
	a.roleARN = r.ARN
	return a
}

// newLab starts a server over loopback on an in-memory store.
func newLab(t testing.TB, cfg Config) (*Server, string, *account) {
	t.Helper()
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	a := seed(t, st)
	cfg.Store = st
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	return srv, url, a
}

func sdkConfig(url string, c creds) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(c.id, c.secret, c.token),
		BaseEndpoint:     aws.String(url),
		RetryMaxAttempts: 1,
	}
}

func stsClient(url string, c creds) *sts.Client { return sts.NewFromConfig(sdkConfig(url, c)) }
func iamClient(url string, c creds) *iam.Client { return iam.NewFromConfig(sdkConfig(url, c)) }

// apiCode returns the AWS error code of err ("" for nil).
func apiCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// code returns the device's TOTP code for time t.
func code(d store.MFADevice, t time.Time) string { return totp.Code(d.Seed, t) }

// signedRequest builds a request signed with SigV4 at signTime.
func signedRequest(t testing.TB, c creds, service, body string, signTime time.Time) *http.Request {
	return signedRequestTo(t, "http://127.0.0.1/", c, service, body, signTime)
}

func signedRequestTo(t testing.TB, url string, c creds, service, body string, signTime time.Time) *http.Request {
	return signedRequestHeaders(t, url, c, service, body, signTime, map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
}

// signedRequestHeaders builds a request with the headers, signed with
// SigV4 at signTime.
func signedRequestHeaders(t testing.TB, url string, c creds, service, body string, signTime time.Time, headers map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.RemoteAddr = "127.0.0.1:50000"
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256([]byte(body))
	signer := v4.NewSigner()
	err = signer.SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.id, SecretAccessKey: c.secret, SessionToken: c.token},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", signTime)
	if err != nil {
		t.Fatal(err)
	}
	// SignHTTP consumed nothing, but make the body re-readable.
	req.Body = io.NopCloser(strings.NewReader(body))
	return req
}

// do sends a request to the handler and returns status and body.
func do(h http.Handler, req *http.Request) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// testClock is real time plus an offset the test advances (within the
// 15-minute SigV4 skew, since SDK clients sign with real time).
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// nextStep moves the clock to the start of the next 30-second TOTP step,
// so a device's current code has not been used yet.
func (c *testClock) nextStep() {
	now := c.Now()
	c.Advance(time.Duration(30-now.Unix()%30)*time.Second + 100*time.Millisecond)
}

func newFuzzServer(t testing.TB) (*store.Store, *Server, *account) {
	t.Helper()
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	a := seed(t, st)
	srv, err := New(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return st, srv, a
}
