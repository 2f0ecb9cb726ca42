package lab

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/awsmfa/awsmfa/internal/lab/store"
	"github.com/awsmfa/awsmfa/internal/totp"
)

// handlerLab is a server used through its handler, on a controllable
// clock that requests are signed with.
type handlerLab struct {
	t   *testing.T
	srv *Server
	clk *testClock
	a   *account
}

func newHandlerLab(t *testing.T, cfg Config) *handlerLab {
	t.Helper()
	clk := &testClock{}
	cfg.Now = clk.Now
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	st.SetClock(clk.Now)
	a := seed(t, st)
	cfg.Store = st
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &handlerLab{t: t, srv: srv, clk: clk, a: a}
}

// call signs body for service with c at the lab's current time.
func (h *handlerLab) call(c creds, service, body string) (int, string) {
	return do(h.srv.Handler(), signedRequest(h.t, c, service, body, h.clk.Now()))
}

type credentialsResp struct {
	AccessKeyId     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

// session calls body (GetSessionToken or AssumeRole) and returns the
// credentials.
func (h *handlerLab) session(c creds, body string) (creds, time.Time) {
	h.t.Helper()
	st, resp := h.call(c, "sts", body)
	if st != 200 {
		h.t.Fatalf("%s: %d %s", body, st, resp)
	}
	var out struct {
		GST         credentialsResp `xml:"GetSessionTokenResult>Credentials"`
		AR          credentialsResp `xml:"AssumeRoleResult>Credentials"`
		Credentials credentialsResp
	}
	if err := xml.Unmarshal([]byte(resp), &out); err != nil {
		h.t.Fatal(err)
	}
	out.Credentials = out.GST
	if out.AR.AccessKeyId != "" {
		out.Credentials = out.AR
	}
	exp, err := time.Parse(time.RFC3339, out.Credentials.Expiration)
	if err != nil {
		h.t.Fatal(err)
	}
	return creds{out.Credentials.AccessKeyId, out.Credentials.SecretAccessKey, out.Credentials.SessionToken}, exp
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

func gst(kv ...string) string {
	return form(append([]string{"Action", "GetSessionToken", "Version", "2011-06-15"}, kv...)...)
}

const gci = "Action=GetCallerIdentity&Version=2011-06-15"

func TestErrors(t *testing.T) {
	h := newHandlerLab(t, Config{Lifetimes: Lifetimes{GetSessionToken: 600 * time.Second, AssumeRole: 300 * time.Second}})
	a := h.a
	h.clk.nextStep()
	now := h.clk.Now()
	c := totp.Counter(now)
	aliceCode := func(n uint64) string { return totp.CodeAt(a.device.Seed, n, 6, totp.SHA1) }

	plain, _ := h.session(a.ifExists, gst())
	mfaSess, mfaExp := h.session(a.ifExists, gst("SerialNumber", a.device.Serial, "TokenCode", aliceCode(c)))
	assume := func(name string, kv ...string) []string {
		return append([]string{"Action", "AssumeRole", "Version", "2011-06-15", "RoleArn", a.roleARN, "RoleSessionName", name}, kv...)
	}
	// Role sessions from the MFA session keep MFA context.
	chainSrc, _ := h.session(mfaSess, form(assume("chain-src")...))
	noEC2, _ := h.session(mfaSess, form(assume("limited", "Policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)...))
	roleSess, roleExp := h.session(a.bool, form("Action", "AssumeRole", "Version", "2011-06-15", "RoleArn", a.roleARN, "RoleSessionName", "s1",
		"SerialNumber", a.bobDev.Serial, "TokenCode", totp.Code(a.bobDev.Seed, now)))
	wrongSecret := a.admin
	wrongSecret.secret = strings.Repeat("x", 40)
	badToken := plain
	badToken.token = "AQoDYXdzEJr" + strings.Repeat("A", 100)
	withToken := a.admin
	withToken.token = plain.token
	iamListUsers := "Action=ListUsers&Version=2010-05-08"

	tests := []struct {
		name    string
		req     func() (int, string)
		status  int
		code    string
		message string
	}{
		{"ok", func() (int, string) { return h.call(a.admin, "sts", gci) }, 200, "", "<Arn>arn:aws:iam::123456789012:user/admin</Arn>"},
		{"unknown key", func() (int, string) { return h.call(creds{"AKIAUNKNOWNUNKNOWN00", wrongSecret.secret, ""}, "sts", gci) }, 403, "InvalidClientTokenId", "The security token included in the request is invalid."},
		{"wrong secret", func() (int, string) { return h.call(wrongSecret, "sts", gci) }, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match"},
		{"clock skew past", func() (int, string) {
			return do(h.srv.Handler(), signedRequest(t, a.admin, "sts", gci, h.clk.Now().Add(-16*time.Minute)))
		}, 403, "SignatureDoesNotMatch", "Signature expired: "},
		{"clock skew future", func() (int, string) {
			return do(h.srv.Handler(), signedRequest(t, a.admin, "sts", gci, h.clk.Now().Add(16*time.Minute)))
		}, 403, "SignatureDoesNotMatch", "Signature not yet current: "},
		{"within skew", func() (int, string) {
			return do(h.srv.Handler(), signedRequest(t, a.admin, "sts", gci, h.clk.Now().Add(-14*time.Minute)))
		}, 200, "", "GetCallerIdentityResult"},
		{"unsigned", func() (int, string) {
			r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(gci))
			return do(h.srv.Handler(), r)
		}, 403, "MissingAuthenticationToken", "Request is missing Authentication Token"},
		{"body changed after signing", func() (int, string) {
			r := signedRequest(t, a.admin, "sts", gci, h.clk.Now())
			r.Body = http.NoBody
			return do(h.srv.Handler(), r)
		}, 403, "SignatureDoesNotMatch", ""},
		{"unknown action", func() (int, string) { return h.call(a.admin, "sts", "Action=Frobnicate&Version=2011-06-15") }, 400, "InvalidAction", "Could not find operation Frobnicate for version 2011-06-15"},
		{"IAM action sent to STS", func() (int, string) { return h.call(a.admin, "sts", "Action=ListUsers&Version=2011-06-15") }, 400, "InvalidAction", "Could not find operation ListUsers"},
		{"no version", func() (int, string) { return h.call(a.admin, "sts", "Action=GetCallerIdentity") }, 400, "InvalidAction", "for version NO_VERSION_SPECIFIED"},
		{"no action", func() (int, string) { return h.call(a.admin, "sts", "Version=2011-06-15") }, 400, "MissingAction", "Missing Action"},
		{"malformed body", func() (int, string) { return h.call(a.admin, "sts", gci+"&Bad=%zz") }, 400, "MalformedQueryString", ""},
		{"GST duration too short", func() (int, string) { return h.call(a.admin, "sts", gst("DurationSeconds", "899")) }, 400, "ValidationError", "Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"GST duration too long", func() (int, string) { return h.call(a.admin, "sts", gst("DurationSeconds", "129601")) }, 400, "ValidationError", "less than or equal to 129600"},
		{"GST token code short", func() (int, string) {
			return h.call(a.ifExists, "sts", gst("SerialNumber", a.device.Serial, "TokenCode", "12345"))
		}, 400, "ValidationError", "Value '12345' at 'tokenCode' failed to satisfy constraint: Member must have length greater than or equal to 6"},
		{"GST token code letters", func() (int, string) {
			return h.call(a.ifExists, "sts", gst("SerialNumber", a.device.Serial, "TokenCode", "12345a"))
		}, 400, "ValidationError", `regular expression pattern: [\d]*`},
		{"GST wrong code", func() (int, string) {
			return h.call(a.ifExists, "sts", gst("SerialNumber", a.device.Serial, "TokenCode", aliceCode(c+9)))
		}, 403, "AccessDenied", msgMFAInvalidCode},
		{"GST reused code", func() (int, string) {
			return h.call(a.ifExists, "sts", gst("SerialNumber", a.device.Serial, "TokenCode", aliceCode(c)))
		}, 403, "AccessDenied", msgMFAInvalidCode},
		{"GST expired code", func() (int, string) {
			return h.call(a.ifExists, "sts", gst("SerialNumber", a.device.Serial, "TokenCode", aliceCode(c-3)))
		}, 403, "AccessDenied", msgMFAInvalidCode},
		{"GST unknown serial", func() (int, string) {
			return h.call(a.ifExists, "sts", gst("SerialNumber", "arn:aws:iam::123456789012:mfa/nobody", "TokenCode", "123456"))
		}, 403, "AccessDenied", msgMFABadSerial},
		{"GST someone else's device", func() (int, string) {
			return h.call(a.ifExists, "sts", gst("SerialNumber", a.bobDev.Serial, "TokenCode", totp.Code(a.bobDev.Seed, h.clk.Now())))
		}, 403, "AccessDenied", msgMFABadSerial},
		{"GST with session credentials", func() (int, string) { return h.call(mfaSess, "sts", gst()) }, 403, "AccessDenied", "Cannot call GetSessionToken with session credentials"},
		{"GST with role credentials", func() (int, string) { return h.call(roleSess, "sts", gst()) }, 403, "AccessDenied", "Cannot call GetSessionToken with session credentials"},
		{"IAM with non-MFA session", func() (int, string) { return h.call(plain, "iam", iamListUsers) }, 403, "InvalidClientTokenId", "The security token included in the request is invalid"},
		{"IAM with MFA session", func() (int, string) { return h.call(mfaSess, "iam", iamListUsers) }, 200, "", "<ListUsersResult>"},
		{"STS GetCallerIdentity with non-MFA session", func() (int, string) { return h.call(plain, "sts", gci) }, 200, "", "user/alice"},
		{"session token of another session", func() (int, string) { return h.call(badToken, "sts", gci) }, 403, "InvalidClientTokenId", "The security token included in the request is invalid."},
		{"session key without token", func() (int, string) { return h.call(creds{plain.id, plain.secret, ""}, "sts", gci) }, 403, "InvalidClientTokenId", ""},
		{"long-term key with a token", func() (int, string) { return h.call(withToken, "sts", gci) }, 403, "InvalidClientTokenId", ""},
		{"AssumeRole missing session name", func() (int, string) {
			return h.call(a.bool, "sts", form("Action", "AssumeRole", "Version", "2011-06-15", "RoleArn", a.roleARN))
		}, 400, "ValidationError", "Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"},
		{"AssumeRole bad session name", func() (int, string) {
			return h.call(a.bool, "sts", form("Action", "AssumeRole", "Version", "2011-06-15", "RoleArn", a.roleARN, "RoleSessionName", "a b"))
		}, 400, "ValidationError", `[\w+=,.@-]*`},
		{"AssumeRole by root", func() (int, string) {
			return h.call(a.root, "sts", form("Action", "AssumeRole", "Version", "2011-06-15", "RoleArn", a.roleARN, "RoleSessionName", "root"))
		}, 403, "AccessDenied", "Roles may not be assumed by root accounts."},
		{"AssumeRole unknown role", func() (int, string) {
			return h.call(a.bool, "sts", form("Action", "AssumeRole", "Version", "2011-06-15", "RoleArn", "arn:aws:iam::123456789012:role/none", "RoleSessionName", "x1"))
		}, 403, "AccessDenied", "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/none"},
		{"AssumeRole explicit identity deny", func() (int, string) {
			return h.call(a.ifExists, "sts", form("Action", "AssumeRole", "Version", "2011-06-15", "RoleArn", a.roleARN, "RoleSessionName", "x1"))
		}, 403, "AccessDenied", "on resource: " + a.roleARN + " with an explicit deny in an identity-based policy"},
		{"AssumeRole chaining over 1 hour", func() (int, string) {
			return h.call(chainSrc, "sts", form("Action", "AssumeRole", "Version", "2011-06-15", "RoleArn", a.roleARN, "RoleSessionName", "x2", "DurationSeconds", "3601"))
		}, 400, "ValidationError", msgChain},
		{"AssumeRole over MaxSessionDuration", func() (int, string) {
			return h.call(mfaSess, "sts", form("Action", "AssumeRole", "Version", "2011-06-15", "RoleArn", a.roleARN, "RoleSessionName", "x3", "DurationSeconds", "7201"))
		}, 400, "ValidationError", msgRoleMax},
		{"AssumeRole malformed session policy", func() (int, string) {
			return h.call(mfaSess, "sts", form("Action", "AssumeRole", "Version", "2011-06-15", "RoleArn", a.roleARN, "RoleSessionName", "x4", "Policy", "{"))
		}, 400, "MalformedPolicyDocument", ""},
		{"EC2 unknown key", func() (int, string) {
			return h.call(creds{"AKIAUNKNOWNUNKNOWN00", wrongSecret.secret, ""}, "ec2", "Action=DescribeRegions&Version=2016-11-15")
		}, 401, "AuthFailure", "AWS was not able to validate the provided access credentials"},
		{"EC2 denied", func() (int, string) { return h.call(a.ifExists, "ec2", "Action=DescribeRegions&Version=2016-11-15") }, 403, "UnauthorizedOperation", "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/alice is not authorized to perform: ec2:DescribeRegions with an explicit deny in an identity-based policy"},
		{"EC2 implicit deny", func() (int, string) {
			return h.call(noEC2, "ec2", "Action=DescribeRegions&Version=2016-11-15")
		}, 403, "UnauthorizedOperation", "because no session policy allows the ec2:DescribeRegions action"},
		{"IAM no such user", func() (int, string) {
			return h.call(a.admin, "iam", "Action=GetUser&Version=2010-05-08&UserName=nobody")
		}, 404, "NoSuchEntity", "The user with name nobody cannot be found."},
		{"IAM duplicate user", func() (int, string) {
			return h.call(a.admin, "iam", "Action=CreateUser&Version=2010-05-08&UserName=alice")
		}, 409, "EntityAlreadyExists", "User with name alice already exists."},
		{"IAM malformed policy", func() (int, string) {
			return h.call(a.admin, "iam", form("Action", "CreatePolicy", "Version", "2010-05-08", "PolicyName", "p", "PolicyDocument", `{"Statement":`))
		}, 400, "MalformedPolicyDocument", "Syntax errors in policy."},
		{"IAM implicit deny", func() (int, string) {
			return h.call(a.bool, "iam", "Action=CreateUser&Version=2010-05-08&UserName=eve")
		}, 403, "AccessDenied", "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/eve because no identity-based policy allows the iam:CreateUser action"},
		{"IAM GetUser as role without name", func() (int, string) { return h.call(roleSess, "iam", "Action=GetUser&Version=2010-05-08") }, 400, "ValidationError", "Must specify userName when calling with non-User credentials"},
		{"IAM bad MaxItems", func() (int, string) { return h.call(a.admin, "iam", iamListUsers+"&MaxItems=0") }, 400, "ValidationError", "at 'maxItems'"},
		{"IAM bad Marker", func() (int, string) { return h.call(a.admin, "iam", iamListUsers+"&Marker=%21%21") }, 400, "ValidationError", "Invalid Marker."},
		{"method", func() (int, string) {
			r, _ := http.NewRequest(http.MethodPut, "http://127.0.0.1/", strings.NewReader(gci))
			return do(h.srv.Handler(), r)
		}, 405, "MethodNotAllowed", ""},
		{"body too large", func() (int, string) {
			return h.call(a.admin, "sts", gci+"&Pad="+strings.Repeat("a", maxBody))
		}, 413, "RequestEntityTooLarge", "Request body must be no larger than 262144 bytes."},
		{"IAM body too large", func() (int, string) {
			return h.call(a.admin, "iam", iamListUsers+"&Pad="+strings.Repeat("a", maxBody))
		}, 413, "RequestEntityTooLarge", "Request body must be no larger than 262144 bytes."},
		{"EC2 body too large", func() (int, string) {
			return h.call(a.admin, "ec2", "Action=DescribeRegions&Version=2016-11-15&Pad="+strings.Repeat("a", maxBody))
		}, 413, "RequestEntityTooLarge", "<Response><Errors><Error><Code>RequestEntityTooLarge</Code>"},
		{"largest body", func() (int, string) {
			// The limit itself is accepted: the request reaches the
			// parameters (an unknown one).
			body := "Action=DescribeRegions&Version=2016-11-15&Pad="
			return h.call(a.admin, "ec2", body+strings.Repeat("a", maxBody-len(body)))
		}, 400, "UnknownParameter", "The parameter Pad is not recognized"},
		{"JSON body", func() (int, string) {
			body := `{"Action":"GetCallerIdentity"}`
			r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-amz-json-1.1")
			sum := sha256.Sum256([]byte(body))
			if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: a.admin.id, SecretAccessKey: a.admin.secret},
				r, hex.EncodeToString(sum[:]), "sts", "us-east-1", h.clk.Now()); err != nil {
				t.Fatal(err)
			}
			return do(h.srv.Handler(), r)
		}, 400, "MalformedQueryString", "application/x-www-form-urlencoded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := tt.req()
			if status != tt.status {
				t.Fatalf("status %d, want %d\n%s", status, tt.status, body)
			}
			if tt.code != "" && !strings.Contains(body, "<Code>"+tt.code+"</Code>") {
				t.Fatalf("want code %s:\n%s", tt.code, body)
			}
			if tt.message != "" && !strings.Contains(body, tt.message) && !strings.Contains(body, xmlText(tt.message)) {
				t.Fatalf("want message %q:\n%s", tt.message, body)
			}
			if tt.status != 200 && !strings.Contains(body, "RequestI") {
				t.Fatalf("error without request id:\n%s", body)
			}
		})
	}

	// Expired sessions: the test lifetimes are 600 s (GetSessionToken) and
	// 300 s (AssumeRole).
	if d := roleExp.Sub(h.clk.Now()); d < 200*time.Second || d > 300*time.Second {
		t.Fatalf("role session lifetime cap: expires in %v", d)
	}
	h.clk.Advance(roleExp.Sub(h.clk.Now()) + time.Second)
	if st, body := h.call(roleSess, "sts", gci); st != 400 || !strings.Contains(body, "<Code>ExpiredToken</Code>") || !strings.Contains(body, msgExpiredToken) {
		t.Fatalf("expired role session: %d %s", st, body)
	}
	if st, _ := h.call(mfaSess, "sts", gci); st != 200 {
		t.Fatal("GetSessionToken credentials expired early")
	}
	h.clk.Advance(mfaExp.Sub(h.clk.Now()) + time.Second)
	if st, body := h.call(mfaSess, "iam", iamListUsers); st != 400 || !strings.Contains(body, "ExpiredToken") {
		t.Fatalf("expired MFA session: %d %s", st, body)
	}
	if st, body := h.call(roleSess, "ec2", "Action=DescribeRegions&Version=2016-11-15"); st != 400 || !strings.Contains(body, "<Code>RequestExpired</Code>") {
		t.Fatalf("expired session on EC2: %d %s", st, body)
	}
	// The server keeps serving after every error above.
	if st, _ := h.call(a.admin, "sts", gci); st != 200 {
		t.Fatal("server stopped answering")
	}
}

func TestPresignedQueryAuth(t *testing.T) {
	h := newHandlerLab(t, Config{})
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/?"+gci, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(nil)
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: h.a.admin.id, SecretAccessKey: h.a.admin.secret},
		req, hex.EncodeToString(sum[:]), "sts", "us-east-1", h.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodGet, signed, nil)
	r.RemoteAddr = "127.0.0.1:1"
	if st, body := do(h.srv.Handler(), r); st != 200 || !strings.Contains(body, "user/admin") {
		t.Fatalf("presigned GetCallerIdentity: %d %s", st, body)
	}
}

func TestRootSessionDurationCapped(t *testing.T) {
	h := newHandlerLab(t, Config{})
	_, exp := h.session(h.a.root, gst("DurationSeconds", "129600"))
	if d := exp.Sub(h.clk.Now()); d > time.Hour || d < 59*time.Minute {
		t.Fatalf("root session lasts %v, want 1h", d)
	}
	_, exp = h.session(h.a.admin, gst())
	if d := exp.Sub(h.clk.Now()); d > 12*time.Hour || d < 12*time.Hour-time.Minute {
		t.Fatalf("default session lasts %v, want 12h", d)
	}
}
