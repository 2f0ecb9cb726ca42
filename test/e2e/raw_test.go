package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awsmfa/awsmfa/internal/awsquery"
)

var rawClient = &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 10 * time.Second}

func doRaw(t *testing.T, req awsquery.Request) (int, string) {
	t.Helper()
	hr, err := http.NewRequest(req.Method, req.URL, bytes.NewReader(req.Body))
	if err != nil {
		t.Fatal(err)
	}
	hr.Header = req.Header.Clone()
	resp, err := rawClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestRawProtocolErrors sends requests no SDK would send: skewed signing
// times (the SDK's SigV4 signer with another clock), unknown actions,
// malformed bodies. Each gets AWS's error, and the lab keeps serving.
func TestRawProtocolErrors(t *testing.T) {
	e := startLab(t)
	ctx := context.Background()
	alice := e.keys(t, "alice")
	sign := func(call awsquery.Call, at time.Time) awsquery.Request {
		req, err := awsquery.Sign(ctx, e.URL, call, alice, "us-east-1", at)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	withBody := func(req awsquery.Request, body string) awsquery.Request {
		req.Body = []byte(body)
		return req
	}
	signedBody := func(body string) awsquery.Request {
		// Sign exactly this body.
		r := sign(awsquery.GetCallerIdentity, time.Now())
		hr, _ := http.NewRequest("POST", r.URL, strings.NewReader(body))
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		out, err := signRaw(ctx, hr, []byte(body), alice)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	cases := []struct {
		name       string
		req        awsquery.Request
		status     int
		code, text string
	}{
		{"signed 20 minutes ago", sign(awsquery.GetCallerIdentity, time.Now().Add(-20*time.Minute)), 403, "SignatureDoesNotMatch", "Signature expired"},
		{"signed 20 minutes ahead", sign(awsquery.GetCallerIdentity, time.Now().Add(20*time.Minute)), 403, "SignatureDoesNotMatch", "Signature not yet current"},
		{"unknown STS action", sign(awsquery.Call{Service: "sts", Action: "Frobnicate", Version: "2011-06-15"}, time.Now()), 400, "InvalidAction", "Frobnicate"},
		{"unknown IAM action", sign(awsquery.Call{Service: "iam", Action: "Frobnicate", Version: "2010-05-08"}, time.Now()), 400, "InvalidAction", "Frobnicate"},
		{"body changed after signing", withBody(sign(awsquery.GetCallerIdentity, time.Now()), "Action=GetCallerIdentity&Version=2011-06-15&x=1"), 403, "SignatureDoesNotMatch", ""},
		{"malformed percent-encoding", signedBody("Action=GetCallerIdentity&Version=2011-06-15&Bad=%ZZ"), 400, "", ""},
		{"no action", signedBody("Version=2011-06-15"), 400, "", ""},
		{"unsigned", awsquery.Request{Method: "POST", URL: e.URL + "/", Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			Body: []byte("Action=GetCallerIdentity&Version=2011-06-15")}, 403, "MissingAuthenticationToken", ""},
		{"garbage authorization header", awsquery.Request{Method: "POST", URL: e.URL + "/", Header: http.Header{
			"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {"AWS4-HMAC-SHA256 garbage"}},
			Body: []byte("Action=GetCallerIdentity&Version=2011-06-15")}, 400, "IncompleteSignature", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := doRaw(t, c.req)
			if status != c.status || (c.code != "" && !strings.Contains(body, "<Code>"+c.code+"</Code>")) || !strings.Contains(body, c.text) {
				t.Errorf("status %d, body %s; want %d %s %q", status, body, c.status, c.code, c.text)
			}
			if status >= 500 {
				t.Errorf("server error for a client mistake: %d %s", status, body)
			}
			if !strings.Contains(body, "<RequestId>") && !strings.Contains(body, "<RequestID>") {
				t.Errorf("error without a request id: %s", body)
			}
			e.stillServing(t)
		})
	}
	// A huge body is refused without exhausting the server.
	big := awsquery.Request{Method: "POST", URL: e.URL + "/", Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body: bytes.Repeat([]byte("A"), 16<<20)}
	if status, _ := doRaw(t, big); status < 400 || status >= 500 {
		t.Errorf("16 MiB body: status %d", status)
	}
	e.stillServing(t)
	// GET with query parameters works (awsQuery allows it).
	q := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
	hr, _ := http.NewRequest("GET", e.URL+"/?"+q.Encode(), nil)
	get, err := signRaw(ctx, hr, nil, alice)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := doRaw(t, get); status != 200 || !strings.Contains(body, "<GetCallerIdentityResult>") {
		t.Errorf("signed GET: %d %s", status, body)
	}
}

func signRaw(ctx context.Context, req *http.Request, body []byte, creds aws.Credentials) (awsquery.Request, error) {
	return awsquery.SignRequest(ctx, req, body, creds, "sts", "us-east-1", time.Now())
}
