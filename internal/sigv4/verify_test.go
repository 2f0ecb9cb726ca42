package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

var stsBody = []byte("Action=GetSessionToken&Version=2011-06-15&DurationSeconds=3600&SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice&TokenCode=123456")

var t0 = time.Date(2024, 2, 29, 23, 59, 30, 0, time.UTC)

// sdkSigned returns an STS POST signed by the AWS SDK for Go v2 at signTime.
func sdkSigned(t testing.TB, signTime time.Time, token string, edit func(*http.Request)) *http.Request {
	t.Helper()
	req, err := http.NewRequest("POST", "http://127.0.0.1:8123/", bytes.NewReader(stsBody))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if edit != nil {
		edit(req)
	}
	creds := aws.Credentials{AccessKeyID: rtAKID, SecretAccessKey: rtSecret, SessionToken: token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256Hex(stsBody), "sts", "us-east-1", signTime); err != nil {
		t.Fatal(err)
	}
	return req
}

// sdkPresigned returns a presigned GET GetCallerIdentity URL request.
func sdkPresigned(t testing.TB, signTime time.Time, expires string) *http.Request {
	t.Helper()
	u := "http://127.0.0.1:8123/?Action=GetCallerIdentity&Version=2011-06-15"
	if expires != "" {
		u += "&X-Amz-Expires=" + url.QueryEscape(expires)
	}
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: rtAKID, SecretAccessKey: rtSecret}
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, emptySHA256, "sts", "us-east-1", signTime)
	if err != nil {
		t.Fatal(err)
	}
	out, err := http.NewRequest("GET", signed, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %T %v", err, err)
	}
	if strings.Contains(e.Message, rtSecret) || strings.Contains(e.Message, rtToken) || strings.Contains(e.Error(), rtSecret) {
		t.Fatalf("message leaks a secret: %s", e.Message)
	}
	return e
}

func TestErrorString(t *testing.T) {
	e := &Error{Code: "SignatureDoesNotMatch", Message: "m", Status: 403}
	if e.Error() != "SignatureDoesNotMatch: m" {
		t.Fatal(e.Error())
	}
}

func TestValidSDKRequests(t *testing.T) {
	v := rtVerifier(t0)
	res, err := v.Verify(sdkSigned(t, t0, "", nil), stsBody)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"content-length", "content-type", "host", "x-amz-date"}
	if strings.Join(res.SignedHeaders, ",") != strings.Join(want, ",") {
		t.Errorf("signed headers %v", res.SignedHeaders)
	}
	if res.SessionToken != "" || res.Presigned {
		t.Errorf("result %+v", res)
	}
	res, err = v.Verify(sdkSigned(t, t0, rtToken, nil), stsBody)
	if err != nil || res.SessionToken != rtToken {
		t.Fatalf("with token: %v", err)
	}
	res, err = v.Verify(sdkPresigned(t, t0, "900"), nil)
	if err != nil || !res.Presigned {
		t.Fatalf("presigned: %v", err)
	}
}

func TestMissingAuthentication(t *testing.T) {
	req, _ := http.NewRequest("POST", "http://127.0.0.1/", bytes.NewReader(stsBody))
	req.Header.Set("X-Amz-Date", "20240229T235930Z")
	_, err := rtVerifier(t0).Verify(req, stsBody)
	e := asError(t, err)
	if e.Code != "MissingAuthenticationToken" || e.Status != 403 || e.Message != "Request is missing Authentication Token" {
		t.Fatalf("%+v", e)
	}
	_, err = rtVerifier(t0).Verify(nil, nil)
	if asError(t, err).Code != "MissingAuthenticationToken" {
		t.Fatal(err)
	}
}

func TestUnknownAccessKey(t *testing.T) {
	v := rtVerifier(t0)
	v.Secret = func(string) (string, error) { return "", ErrUnknownAccessKey }
	_, err := v.Verify(sdkSigned(t, t0, "", nil), stsBody)
	e := asError(t, err)
	if e.Code != "InvalidClientTokenId" || e.Status != 403 || e.Message != "The security token included in the request is invalid." {
		t.Fatalf("%+v", e)
	}
	// A wrapped sentinel is recognized too.
	v.Secret = func(string) (string, error) { return "", errors.Join(errors.New("lookup"), ErrUnknownAccessKey) }
	_, err = v.Verify(sdkSigned(t, t0, "", nil), stsBody)
	if asError(t, err).Code != "InvalidClientTokenId" {
		t.Fatal(err)
	}
}

func TestSecretLookupFailure(t *testing.T) {
	v := rtVerifier(t0)
	boom := errors.New("database is locked")
	v.Secret = func(string) (string, error) { return "", boom }
	_, err := v.Verify(sdkSigned(t, t0, "", nil), stsBody)
	var e *Error
	if errors.As(err, &e) || !errors.Is(err, boom) {
		t.Fatalf("want the internal error, got %v", err)
	}
	v.Secret = nil
	if _, err := v.Verify(sdkSigned(t, t0, "", nil), stsBody); err == nil || errors.As(err, &e) {
		t.Fatalf("nil Secret: %v", err)
	}
}

func TestWrongSecret(t *testing.T) {
	v := rtVerifier(t0)
	v.Secret = func(string) (string, error) { return "another secret", nil }
	_, err := v.Verify(sdkSigned(t, t0, "", nil), stsBody)
	e := asError(t, err)
	if e.Code != "SignatureDoesNotMatch" || e.Status != 403 ||
		e.Message != "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details." {
		t.Fatalf("%+v", e)
	}
}

// authzCase builds a request with a hand-written Authorization header.
func authzRequest(authz string, hdr map[string]string) *http.Request {
	req, _ := http.NewRequest("POST", "http://127.0.0.1:8123/", bytes.NewReader(stsBody))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	req.Header.Set("Authorization", authz)
	return req
}

func TestMalformedAuthorization(t *testing.T) {
	const sig = "Signature=0000000000000000000000000000000000000000000000000000000000000000"
	date := map[string]string{"X-Amz-Date": "20240229T235930Z"}
	tests := []struct {
		name, authz string
		hdr         map[string]string
		code        string
		status      int
		msg         string
	}{
		{"algorithm only", "AWS4-HMAC-SHA256", date, "IncompleteSignature", 400,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256"},
		// As CloudFront answered a SigV2 header (https://github.com/aws/aws-sdk-ruby/issues/317).
		{"sigv2 header", "AWS AKIAI2HBJEUM7LRSTWOQ:qaNdqGsI6bq4Hi+9Gzovwyjbh0E=", map[string]string{"Date": "Thu, 29 Feb 2024 23:59:30 GMT"}, "IncompleteSignature", 400,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS AKIAI2HBJEUM7LRSTWOQ:qaNdqGsI6bq4Hi+9Gzovwyjbh0E="},
		{"missing equal sign", "AWS4-HMAC-SHA256 Credential= AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request", date, "IncompleteSignature", 400,
			"'AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential= AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request'."},
		{"bearer token", "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9", nil, "IncompleteSignature", 400,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9"},
		{"missing signature and date", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=host", nil, "IncompleteSignature", 400,
			"Authorization header requires 'Signature' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=host"},
		{"space in credential", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE /20240229/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, " + sig, date, "IncompleteSignature", 400,
			"'/20240229/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE /20240229/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, " + sig + "'."},
		{"unsupported algorithm", "AWS4-HMAC-SHA512 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, " + sig, date, "IncompleteSignature", 400,
			"Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"},
		{"four scope elements", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts, SignedHeaders=host;x-amz-date, " + sig, date, "IncompleteSignature", 400,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts'"},
		{"empty key id", "AWS4-HMAC-SHA256 Credential=/20240229/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, " + sig, date, "IncompleteSignature", 400,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '/20240229/us-east-1/sts/aws4_request'"},
		{"bad terminator", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_reques, SignedHeaders=host;x-amz-date, " + sig, date, "SignatureDoesNotMatch", 403,
			"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reques'. "},
		{"scope date", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240301/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, " + sig, date, "SignatureDoesNotMatch", 403,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240301' != '20240229', from '20240229T235930Z'."},
		{"empty region", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229//sts/aws4_request, SignedHeaders=host;x-amz-date, " + sig, date, "SignatureDoesNotMatch", 403,
			"Credential should be scoped to a valid region, not ''. "},
		{"host not signed", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=x-amz-date, " + sig, date, "IncompleteSignature", 400,
			"'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{"empty signed headers", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=, " + sig, date, "IncompleteSignature", 400,
			"'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{"date not signed", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=host, " + sig, date, "IncompleteSignature", 400,
			"'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."},
		{"Date header not signed", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=host, " + sig,
			map[string]string{"Date": "Thu, 29 Feb 2024 23:59:30 GMT"}, "IncompleteSignature", 400,
			"'Date' must be a 'SignedHeader' in the AWS Authorization."},
		{"double semicolon", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=host;;x-amz-date, " + sig, date, "IncompleteSignature", 400,
			"Invalid SignedHeaders 'host;;x-amz-date': header names must be lower case and separated by ';'."},
		{"upper-case signed header", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=Host;x-amz-date, " + sig, date, "IncompleteSignature", 400,
			"Invalid SignedHeaders 'Host;x-amz-date': header names must be lower case and separated by ';'."},
		{"extended date format", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, " + sig,
			map[string]string{"X-Amz-Date": "2024-02-29T23:59:30Z"}, "IncompleteSignature", 400,
			"Date must be in ISO-8601 'basic format'. Got '2024-02-29T23:59:30Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"bad signature", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, " + sig, date, "SignatureDoesNotMatch", 403,
			msgSignatureMismatch},
		{"signature not hex", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240229/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=zz", date, "SignatureDoesNotMatch", 403,
			msgSignatureMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rtVerifier(t0).Verify(authzRequest(tc.authz, tc.hdr), stsBody)
			e := asError(t, err)
			if e.Code != tc.code || e.Status != tc.status || e.Message != tc.msg {
				t.Fatalf("got %s %d %q\nwant %s %d %q", e.Code, e.Status, e.Message, tc.code, tc.status, tc.msg)
			}
		})
	}
}

func TestServicesRestriction(t *testing.T) {
	v := rtVerifier(t0)
	v.Services = []string{"iam", "ec2"}
	_, err := v.Verify(sdkSigned(t, t0, "", nil), stsBody)
	e := asError(t, err)
	if e.Code != "SignatureDoesNotMatch" || e.Message != "Credential should be scoped to correct service: 'iam'. " {
		t.Fatalf("%+v", e)
	}
	v.Services = []string{"iam", "sts"}
	if _, err := v.Verify(sdkSigned(t, t0, "", nil), stsBody); err != nil {
		t.Fatal(err)
	}
}

func TestBothAuthMechanisms(t *testing.T) {
	req := sdkPresigned(t, t0, "900")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
	_, err := rtVerifier(t0).Verify(req, nil)
	if e := asError(t, err); e.Code != "IncompleteSignature" || e.Status != 400 {
		t.Fatalf("%+v", e)
	}
}

func TestClockSkew(t *testing.T) {
	tests := []struct {
		name    string
		now     time.Time
		maxSkew time.Duration
		msg     string
	}{
		{"same time", t0, 0, ""},
		{"15 min later", t0.Add(15 * time.Minute), 0, ""},
		{"15 min earlier", t0.Add(-15 * time.Minute), 0, ""},
		{"sub-second later", t0.Add(15*time.Minute + 999*time.Millisecond), 0, ""},
		{"expired", t0.Add(15*time.Minute + time.Second), 0,
			"Signature expired: 20240229T235930Z is now earlier than 20240229T235931Z (20240301T001431Z - 15 min.)"},
		{"not yet current", t0.Add(-15*time.Minute - time.Second), 0,
			"Signature not yet current: 20240229T235930Z is still later than 20240229T235929Z (20240229T234429Z + 15 min.)"},
		{"5 min skew ok", t0.Add(5 * time.Minute), 5 * time.Minute, ""},
		{"5 min skew expired", t0.Add(10 * time.Minute), 5 * time.Minute,
			"Signature expired: 20240229T235930Z is now earlier than 20240301T000430Z (20240301T000930Z - 5 min.)"},
		{"days later", t0.Add(72 * time.Hour), 0,
			"Signature expired: 20240229T235930Z is now earlier than 20240303T234430Z (20240303T235930Z - 15 min.)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := rtVerifier(tc.now)
			v.MaxSkew = tc.maxSkew
			_, err := v.Verify(sdkSigned(t, t0, "", nil), stsBody)
			if tc.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e := asError(t, err)
			if e.Code != "SignatureDoesNotMatch" || e.Status != 403 || e.Message != tc.msg {
				t.Fatalf("got %s %d %q\nwant %q", e.Code, e.Status, e.Message, tc.msg)
			}
		})
	}
}

func TestDefaultClock(t *testing.T) {
	v := rtVerifier(time.Time{})
	v.Now = nil
	now := time.Now().UTC().Truncate(time.Second)
	if _, err := v.Verify(sdkSigned(t, now, "", nil), stsBody); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(sdkSigned(t, now.Add(-time.Hour), "", nil), stsBody); err == nil {
		t.Fatal("hour-old request verified with the default clock")
	}
}

func TestPresignedExpiry(t *testing.T) {
	tests := []struct {
		name, expires string
		now           time.Time
		code, msg     string
	}{
		{"within", "60", t0.Add(60 * time.Second), "", ""},
		{"expired", "60", t0.Add(61 * time.Second), "SignatureDoesNotMatch",
			"Signature expired: 20240229T235930Z is now earlier than 20240229T235931Z (20240301T000031Z - 1 min.)"},
		{"odd seconds", "90", t0.Add(91 * time.Second), "SignatureDoesNotMatch",
			"Signature expired: 20240229T235930Z is now earlier than 20240229T235931Z (20240301T000101Z - 90 sec.)"},
		{"a week", "604800", t0.Add(604800 * time.Second), "", ""},
		{"a week and a second", "604800", t0.Add(604801 * time.Second), "SignatureDoesNotMatch",
			"Signature expired: 20240229T235930Z is now earlier than 20240229T235931Z (20240307T235931Z - 10080 min.)"},
		{"future", "3600", t0.Add(-15*time.Minute - time.Second), "SignatureDoesNotMatch",
			"Signature not yet current: 20240229T235930Z is still later than 20240229T235929Z (20240229T234429Z + 15 min.)"},
		{"no expires uses skew", "", t0.Add(15 * time.Minute), "", ""},
		{"no expires expired", "", t0.Add(15*time.Minute + time.Second), "SignatureDoesNotMatch",
			"Signature expired: 20240229T235930Z is now earlier than 20240229T235931Z (20240301T001431Z - 15 min.)"},
		{"too long", "604801", t0, "IncompleteSignature", "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{"negative", "-1", t0, "IncompleteSignature", "X-Amz-Expires must be non-negative"},
		{"zero", "0", t0, "IncompleteSignature", "X-Amz-Expires must be a positive number of seconds"},
		{"not a number", "1h", t0, "IncompleteSignature", "X-Amz-Expires should be a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := rtVerifier(tc.now).Verify(sdkPresigned(t, t0, tc.expires), nil)
			if tc.code == "" {
				if err != nil || !res.Presigned {
					t.Fatalf("%v", err)
				}
				return
			}
			e := asError(t, err)
			if e.Code != tc.code || e.Message != tc.msg {
				t.Fatalf("got %s %q\nwant %s %q", e.Code, e.Message, tc.code, tc.msg)
			}
		})
	}
}

func TestPresignedMissingParams(t *testing.T) {
	full := sdkPresigned(t, t0, "900").URL.RawQuery
	for _, name := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		t.Run(name, func(t *testing.T) {
			var kept []string
			for _, p := range strings.Split(full, "&") {
				if !strings.HasPrefix(p, name+"=") {
					kept = append(kept, p)
				}
			}
			req, _ := http.NewRequest("GET", "http://127.0.0.1:8123/?"+strings.Join(kept, "&"), nil)
			_, err := rtVerifier(t0).Verify(req, nil)
			e := asError(t, err)
			if e.Code != "IncompleteSignature" || e.Message != "AWS query-string parameters must include '"+name+"'. Re-examine the query-string parameters." {
				t.Fatalf("%+v", e)
			}
		})
	}
	req, _ := http.NewRequest("GET", "http://127.0.0.1:8123/?"+strings.Replace(full, "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1), nil)
	_, err := rtVerifier(t0).Verify(req, nil)
	if e := asError(t, err); e.Code != "IncompleteSignature" || e.Message != "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'" {
		t.Fatalf("%+v", e)
	}
}

// independentSign signs a GET / request with a Date header using code that
// shares nothing with the package (the canonical request is written out).
func independentSign(dateHeader, amzDate string) string {
	creq := "GET\n/\n\ndate:" + dateHeader + "\nhost:example.amazonaws.com\n\ndate;host\n" + emptySHA256
	h := sha256.Sum256([]byte(creq))
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + amzDate[:8] + "/us-east-1/sts/aws4_request\n" + hex.EncodeToString(h[:])
	mac := func(k []byte, s string) []byte { m := hmac.New(sha256.New, k); m.Write([]byte(s)); return m.Sum(nil) }
	k := mac(mac(mac(mac([]byte("AWS4"+rtSecret), amzDate[:8]), "us-east-1"), "sts"), "aws4_request")
	return hex.EncodeToString(mac(k, sts))
}

func TestDateHeader(t *testing.T) {
	for _, tc := range []struct{ date, amz string }{
		{"Thu, 29 Feb 2024 23:59:30 GMT", "20240229T235930Z"},
		{"20240229T235930Z", "20240229T235930Z"},
	} {
		req, _ := http.NewRequest("GET", "http://example.amazonaws.com/", nil)
		req.Header.Set("Date", tc.date)
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+rtAKID+"/"+tc.amz[:8]+"/us-east-1/sts/aws4_request, SignedHeaders=date;host, Signature="+independentSign(tc.date, tc.amz))
		res, err := rtVerifier(t0).Verify(req, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.date, err)
		}
		if !res.SignedAt.Equal(t0) {
			t.Fatalf("SignedAt %v", res.SignedAt)
		}
		// X-Amz-Date takes precedence over Date: adding an unsigned one fails.
		req.Header.Set("X-Amz-Date", tc.amz)
		_, err = rtVerifier(t0).Verify(req, nil)
		if e := asError(t, err); e.Code != "IncompleteSignature" {
			t.Fatalf("%+v", e)
		}
	}
}

func TestContentSha256(t *testing.T) {
	withHash := func(h string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", h) }
	}
	sign := func(h string) *http.Request {
		req, err := http.NewRequest("POST", "http://127.0.0.1:8123/", bytes.NewReader(stsBody))
		if err != nil {
			t.Fatal(err)
		}
		withHash(h)(req)
		creds := aws.Credentials{AccessKeyID: rtAKID, SecretAccessKey: rtSecret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, h, "sts", "us-east-1", t0); err != nil {
			t.Fatal(err)
		}
		return req
	}
	v := rtVerifier(t0)
	if _, err := v.Verify(sign(sha256Hex(stsBody)), stsBody); err != nil {
		t.Fatalf("matching hash: %v", err)
	}
	if _, err := v.Verify(sign(strings.ToUpper(sha256Hex(stsBody))), stsBody); err != nil {
		t.Fatalf("upper-case hash: %v", err)
	}
	_, err := v.Verify(sign(sha256Hex(stsBody)), []byte("Action=DeleteUser"))
	if e := asError(t, err); e.Code != "SignatureDoesNotMatch" {
		t.Fatalf("%+v", e)
	}
	_, err = v.Verify(sign(emptySHA256), stsBody)
	if e := asError(t, err); e.Code != "SignatureDoesNotMatch" {
		t.Fatalf("%+v", e)
	}
	// UNSIGNED-PAYLOAD: refused by default, accepted (with any body) when allowed.
	_, err = v.Verify(sign(UnsignedPayload), stsBody)
	if e := asError(t, err); e.Code != "SignatureDoesNotMatch" {
		t.Fatalf("%+v", e)
	}
	v.AllowUnsignedPayload = true
	if _, err := v.Verify(sign(UnsignedPayload), []byte("anything")); err != nil {
		t.Fatalf("allowed unsigned payload: %v", err)
	}
}

func TestSessionTokenSources(t *testing.T) {
	// Header auth: the token header need not be signed (post-sts-header-after).
	req := sdkSigned(t, t0, "", nil)
	req.Header.Set("X-Amz-Security-Token", "added-after")
	res, err := rtVerifier(t0).Verify(req, stsBody)
	if err != nil || res.SessionToken != "added-after" {
		t.Fatalf("%v %+v", err, res)
	}
	// A signed token header cannot be changed.
	req = sdkSigned(t, t0, rtToken, nil)
	req.Header.Set("X-Amz-Security-Token", rtToken+"x")
	_, err = rtVerifier(t0).Verify(req, stsBody)
	if e := asError(t, err); e.Code != "SignatureDoesNotMatch" {
		t.Fatalf("%+v", e)
	}
}

func TestRequestTarget(t *testing.T) {
	tests := []struct {
		requestURI, url   string
		wantPath, wantQry string
	}{
		{"/a%20b/c?x=1&y", "", "/a%20b/c", "x=1&y"},
		{"http://example.com/p?q=1", "", "/p", "q=1"},
		{"http://example.com", "", "/", ""},
		{"http://example.com?q", "", "/", "q"},
		{"/?a#frag", "", "/", "a"},
		{"", "http://h/a%2Fb?z=%20", "/a%2Fb", "z=%20"},
		{"", "http://h", "/", ""},
		{"*", "http://h/x", "/x", ""},
	}
	for _, tc := range tests {
		r := &http.Request{RequestURI: tc.requestURI, Header: http.Header{}}
		if tc.url != "" {
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			r.URL = u
		}
		p, q := requestTarget(r)
		if p != tc.wantPath || q != tc.wantQry {
			t.Errorf("%q/%q: got %q %q", tc.requestURI, tc.url, p, q)
		}
	}
	// Opaque URLs (as the SDKs allow) keep the path after the authority.
	r := &http.Request{URL: &url.URL{Scheme: "http", Opaque: "//h/a%2Fb/c?x"}}
	if p, _ := requestTarget(r); p != "/a%2Fb/c" {
		t.Errorf("opaque: %q", p)
	}
}

func TestNormalizePath(t *testing.T) {
	for in, want := range map[string]string{
		"/":                        "/",
		"":                         "/",
		"//":                       "/",
		"/./":                      "/",
		"/example/..":              "/",
		"/example1/example2/../..": "/",
		"/./example":               "/example",
		"//example//":              "/example/",
		"/a/b/../c/./d/":           "/a/c/d/",
		"/a/b/..":                  "/a",
		"/../../a":                 "/a",
		"/a/%2E%2E/b":              "/a/%2E%2E/b",
		"/a/.../b":                 "/a/.../b",
		"relative/x":               "/relative/x",
	} {
		if got := normalizePath(in); got != want {
			t.Errorf("normalizePath(%q) = %q want %q", in, got, want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "",
		"b=2&a=1":             "a=1&b=2",
		"a=2&a=1&a=10":        "a=1&a=10&a=2",
		"Param1":              "Param1=",
		"a=b=c":               "a=b%3Dc",
		"a+b=c+d":             "a%2Bb=c%2Bd",
		"a%20b=%7e":           "a%20b=~",
		"x=%zz&y=%4":          "x=%25zz&y=%254",
		"&&a=1&":              "a=1",
		"Z=1&a=1&_=1&~=1&-=1": "-=1&Z=1&_=1&a=1&~=1",
		"%E1%88%B4=v":         "%E1%88%B4=v",
		"k=%2f%2F":            "k=%2F%2F",
	} {
		var b strings.Builder
		canonicalQuery(&b, in)
		if b.String() != want {
			t.Errorf("canonicalQuery(%q) = %q want %q", in, b.String(), want)
		}
	}
}
