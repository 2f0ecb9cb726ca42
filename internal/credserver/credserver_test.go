package credserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/broker/brokertest"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/mfa"
)

type env struct {
	l     *brokertest.Lab
	b     *broker.Broker
	mfa   *brokertest.FakeMFA
	srv   *Server
	url   string
	token string
	log   *brokertest.SyncBuffer
}

func start(t *testing.T, lifetimes lab.Lifetimes, profile string, opt Options) *env {
	t.Helper()
	l := brokertest.StartLab(t, lifetimes)
	f := l.MFA()
	b := &broker.Broker{Config: l.Config(), Cache: brokertest.NewMemCache(), MFA: f, Now: l.Clock.Now, RetryMaxAttempts: 1}
	log := &brokertest.SyncBuffer{}
	opt.Log = log
	if opt.PollInterval == 0 {
		opt.PollInterval = -1
	}
	s, err := New(b, profile, opt)
	if err != nil {
		t.Fatal(err)
	}
	url, token, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &env{l: l, b: b, mfa: f, srv: s, url: url, token: token, log: log}
}

func (e *env) get(t *testing.T, mod func(*http.Request)) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", e.token)
	if mod != nil {
		mod(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func decode(t *testing.T, body []byte) Response {
	t.Helper()
	var r Response
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	return r
}

func TestServesCredentialsToTheGoSDK(t *testing.T) {
	e := start(t, lab.Lifetimes{}, "role-with-mfa", Options{})
	if !strings.HasPrefix(e.url, "http://127.0.0.1:") || len(e.token) != 64 {
		t.Fatalf("url %s token length %d", e.url, len(e.token))
	}
	status, body := e.get(t, nil)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	r := decode(t, body)
	if !strings.HasPrefix(r.AccessKeyID, "ASIA") || r.SecretAccessKey == "" || r.Token == "" || r.AccountID != "123456789012" {
		t.Fatalf("response %+v", r)
	}
	exp, err := time.Parse(time.RFC3339, r.Expiration)
	if err != nil || exp.Sub(e.l.Clock.Now()) != time.Hour {
		t.Fatalf("expiration %q %v", r.Expiration, err)
	}
	// The AWS SDK for Go's own container-credentials client.
	p := endpointcreds.New(e.url, func(o *endpointcreds.Options) { o.AuthorizationToken = e.token })
	v, err := p.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v.AccessKeyID != r.AccessKeyID || !v.CanExpire || !v.Expires.Equal(exp) || v.AccountID != "123456789012" {
		t.Fatalf("SDK got %+v", v)
	}
	if e.mfa.Calls() != 1 || e.l.Stat("sts:AssumeRole ok") != 1 {
		t.Fatalf("prompts %d AR %d", e.mfa.Calls(), e.l.Stat("sts:AssumeRole ok"))
	}
	if strings.Contains(e.log.String(), r.SecretAccessKey) || strings.Contains(e.log.String(), r.Token) || strings.Contains(e.log.String(), e.token) {
		t.Error("the log holds a secret")
	}
}

func TestRequestChecks(t *testing.T) {
	e := start(t, lab.Lifetimes{}, "role-with-mfa", Options{})
	port := e.url[len("http://127.0.0.1:") : len(e.url)-1]
	cases := []struct {
		name   string
		mod    func(*http.Request)
		status int
		code   string
	}{
		{"no token", func(r *http.Request) { r.Header.Del("Authorization") }, 401, "MissingToken"},
		{"wrong token", func(r *http.Request) { r.Header.Set("Authorization", strings.Repeat("0", 64)) }, 403, "InvalidToken"},
		{"token prefix", func(r *http.Request) { r.Header.Set("Authorization", e.token[:63]) }, 403, "InvalidToken"},
		{"bearer token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+e.token) }, 403, "InvalidToken"},
		{"foreign host", func(r *http.Request) { r.Host = "evil.example:" + port }, 403, "InvalidHost"},
		{"other port", func(r *http.Request) { r.Host = "127.0.0.1:1" }, 403, "InvalidHost"},
		{"no port", func(r *http.Request) { r.Host = "127.0.0.1" }, 403, "InvalidHost"},
		{"localhost", func(r *http.Request) { r.Host = "LocalHost:" + port }, 200, ""},
		{"post", func(r *http.Request) { r.Method = http.MethodPost }, 405, "MethodNotAllowed"},
		{"path", func(r *http.Request) { r.URL.Path = "/other" }, 404, "NotFound"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := e.get(t, c.mod)
			if status != c.status {
				t.Fatalf("status %d, want %d: %s", status, c.status, body)
			}
			if c.code != "" {
				var er ErrorResponse
				if err := json.Unmarshal(body, &er); err != nil || er.Code != c.code || er.Message == "" {
					t.Fatalf("body %s, want code %s", body, c.code)
				}
				if strings.Contains(string(body), e.token) {
					t.Fatal("the error echoes the token")
				}
			}
		})
	}
	if strings.Contains(e.log.String(), "InvalidToken") {
		t.Errorf("refusals are logged without Verbose: %q", e.log.String())
	}
	if e.l.Stat("sts:AssumeRole") != 1 {
		t.Errorf("refused requests reached STS: %d", e.l.Stat("sts:AssumeRole"))
	}
}

// TestVerboseLogsRefusals: with Verbose every refused request is logged
// (never the token).
func TestVerboseLogsRefusals(t *testing.T) {
	e := start(t, lab.Lifetimes{}, "role-with-mfa", Options{Verbose: true})
	if status, _ := e.get(t, func(r *http.Request) { r.Header.Set("Authorization", "wrong") }); status != 403 {
		t.Fatalf("status %d", status)
	}
	if log := e.log.String(); !strings.Contains(log, "403 InvalidToken") || strings.Contains(log, e.token) {
		t.Errorf("log %q", log)
	}
}

// TestRequestBodyRefused: the endpoint reads no request body. One that
// announces 10 MB (sent or not, with Content-Length or chunked) is
// answered 413 at once, unread, and the connection closed; the server
// goes on answering.
func TestRequestBodyRefused(t *testing.T) {
	e := start(t, lab.Lifetimes{}, "role-with-mfa", Options{})
	host := strings.TrimSuffix(strings.TrimPrefix(e.url, "http://"), "/")
	for _, c := range []struct{ name, header string }{
		{"content-length", "Content-Length: 10485760\r\n"},
		{"chunked", "Transfer-Encoding: chunked\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.DialTimeout("tcp", host, 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\n%s\r\n", host, e.token, c.header)
			go func() {
				// The body, sent until the server closes the connection.
				chunk := bytes.Repeat([]byte("a"), 64<<10)
				for i := 0; i < 160; i++ {
					if _, err := conn.Write(chunk); err != nil {
						return
					}
				}
			}()
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "BodyNotAllowed") || !resp.Close {
				t.Fatalf("status %d close %v: %s", resp.StatusCode, resp.Close, body)
			}
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
	if status, body := e.get(t, nil); status != 200 {
		t.Fatalf("after the refusals: %d %s", status, body)
	}
	if e.mfa.Calls() != 1 {
		t.Errorf("codes %d", e.mfa.Calls())
	}
}

func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	e := start(t, lab.Lifetimes{}, "role-with-mfa", Options{})
	e.mfa.Delay = 300 * time.Millisecond
	const n = 25
	keys := make([]string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			status, body := e.get(t, nil)
			if status == 200 {
				keys[i] = decode(t, body).AccessKeyID
			}
		}(i)
	}
	wg.Wait()
	for i, k := range keys {
		if k == "" || k != keys[0] {
			t.Fatalf("caller %d got %q, caller 0 %q", i, k, keys[0])
		}
	}
	if e.mfa.Calls() != 1 || e.l.Stat("sts:GetSessionToken ok") != 1 || e.l.Stat("sts:AssumeRole ok") != 1 {
		t.Fatalf("prompts %d GST %d AR %d; want 1 each", e.mfa.Calls(), e.l.Stat("sts:GetSessionToken ok"), e.l.Stat("sts:AssumeRole ok"))
	}
}

func TestRefreshesAcrossSessionsAndAsksForANewCodeWhenTheMFASessionEnds(t *testing.T) {
	e := start(t, lab.Lifetimes{}, "role-with-mfa", Options{})
	_, body := e.get(t, nil)
	first := decode(t, body)
	// Hours of work: roles re-assumed from the MFA session, no new code.
	seen := map[string]bool{first.AccessKeyID: true}
	for h := 0; h < 11; h++ {
		e.l.Clock.Advance(50 * time.Minute)
		status, body := e.get(t, nil)
		if status != 200 {
			t.Fatalf("hour %d: %d %s", h, status, body)
		}
		r := decode(t, body)
		exp, _ := time.Parse(time.RFC3339, r.Expiration)
		if exp.Sub(e.l.Clock.Now()) < broker.CLIMinRemaining {
			t.Fatalf("hour %d: served credentials with %s left", h, exp.Sub(e.l.Clock.Now()))
		}
		seen[r.AccessKeyID] = true
	}
	if e.mfa.Calls() != 1 || len(seen) != 12 {
		t.Fatalf("prompts %d, distinct credentials %d", e.mfa.Calls(), len(seen))
	}
	// The 12-hour MFA session ends: one new code, callers wait for it.
	e.l.Clock.Advance(3 * time.Hour)
	e.mfa.Delay = 200 * time.Millisecond
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status, body := e.get(t, nil); status != 200 {
				t.Errorf("%d %s", status, body)
			}
		}()
	}
	wg.Wait()
	if e.mfa.Calls() != 2 || e.l.Stat("sts:GetSessionToken ok") != 2 {
		t.Fatalf("prompts %d GST %d; want 2, 2", e.mfa.Calls(), e.l.Stat("sts:GetSessionToken ok"))
	}
}

func TestShortLivedCredentialsAndPolling(t *testing.T) {
	e := start(t, lab.Lifetimes{AssumeRole: 2 * time.Minute}, "role-with-mfa", Options{PollInterval: 20 * time.Millisecond})
	_, body := e.get(t, nil)
	first := decode(t, body)
	_, body = e.get(t, nil)
	if decode(t, body).AccessKeyID != first.AccessKeyID || e.l.Stat("sts:AssumeRole ok") != 1 {
		t.Fatal("2-minute credentials refreshed on every request")
	}
	// Past half their life, the poller refreshes them without a request.
	e.l.Clock.Advance(61 * time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for e.l.Stat("sts:AssumeRole ok") < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if e.l.Stat("sts:AssumeRole ok") != 2 {
		t.Fatal("the poller did not refresh")
	}
	_, body = e.get(t, nil)
	if decode(t, body).AccessKeyID == first.AccessKeyID {
		t.Fatal("stale credentials served")
	}
}

func TestErrorsAre500JSON(t *testing.T) {
	e := start(t, lab.Lifetimes{}, "role-with-mfa", Options{})
	e.mfa.Override = func(mfa.Request) (string, error) { return "", mfa.ErrNoSource }
	status, body := e.get(t, nil)
	if status != 500 {
		t.Fatalf("%d %s", status, body)
	}
	var er ErrorResponse
	if err := json.Unmarshal(body, &er); err != nil || er.Code != string(broker.CodeMFASource) || !strings.Contains(er.Message, "mfa_process") {
		t.Fatalf("body %s", body)
	}
	if !strings.Contains(e.log.String(), "500") || !strings.Contains(e.log.String(), "mfa_process") {
		t.Fatalf("log %q", e.log.String())
	}
	// Once a code can be had again, the next request succeeds.
	e.mfa.Override = nil
	if status, body := e.get(t, nil); status != 200 {
		t.Fatalf("%d %s", status, body)
	}
}

func TestStaticCredentialsGetANominalExpiration(t *testing.T) {
	e := start(t, lab.Lifetimes{}, "anika-plain", Options{})
	status, body := e.get(t, nil)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	r := decode(t, body)
	exp, err := time.Parse(time.RFC3339, r.Expiration)
	if err != nil || r.AccessKeyID != e.l.Anika.AccessKeys[0].ID || r.Token != "" || exp.Sub(e.l.Clock.Now()) != staticValidity {
		t.Fatalf("%+v %v", r, err)
	}
}

func TestCallerGivingUpDoesNotCancelTheRefresh(t *testing.T) {
	e := start(t, lab.Lifetimes{}, "role-with-mfa", Options{})
	e.mfa.Delay = 300 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := e.srv.Credentials(ctx); err == nil {
		t.Fatal("no timeout")
	}
	c, err := e.srv.Credentials(context.Background())
	if err != nil || c == nil {
		t.Fatal(err)
	}
	if e.mfa.Calls() != 1 {
		t.Fatalf("prompts %d", e.mfa.Calls())
	}
}

func TestNewAndStartErrors(t *testing.T) {
	if _, err := New(nil, "p", Options{}); err == nil {
		t.Error("nil broker accepted")
	}
	if _, err := New(&broker.Broker{}, "p", Options{Port: 70000}); err == nil {
		t.Error("bad port accepted")
	}
	s, err := New(&broker.Broker{}, "p", Options{PollInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Start(); err == nil {
		t.Error("started twice")
	}
	s2, _ := New(&broker.Broker{}, "p", Options{})
	if err := s2.Close(); err != nil {
		t.Errorf("close before start: %v", err)
	}
}

// A job that outlives several role sessions in real time, through the Go
// SDK's container-credentials provider and credentials cache (as
// config.LoadDefaultConfig sets them up: 5-minute expiry window).
func TestGoSDKJobOutlivesRoleSessions(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for seconds")
	}
	l := brokertest.StartLabClock(t, lab.Lifetimes{AssumeRole: 2 * time.Second}, brokertest.NewRunningClock())
	f := l.MFA()
	b := &broker.Broker{Config: l.Config(), Cache: brokertest.NewMemCache(), MFA: f, Now: l.Clock.Now, RetryMaxAttempts: 1}
	s, err := New(b, "role-with-mfa", Options{PollInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	url, token, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	provider := endpointcreds.New(url, func(o *endpointcreds.Options) { o.AuthorizationToken = token })
	creds := aws.NewCredentialsCache(provider, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 5 * time.Minute })
	client := sts.New(sts.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(l.URL), RetryMaxAttempts: 1})
	seen := map[string]bool{}
	deadline := time.Now().Add(5 * time.Second)
	calls := 0
	for time.Now().Before(deadline) {
		out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("call %d: %v", calls, err)
		}
		seen[aws.ToString(out.Arn)] = true
		v, _ := creds.Retrieve(context.Background())
		seen[v.AccessKeyID] = true
		calls++
		time.Sleep(50 * time.Millisecond)
	}
	roles := l.Stat("sts:AssumeRole ok")
	if f.Calls() != 1 || l.Stat("sts:GetSessionToken ok") != 1 || roles < 3 {
		t.Fatalf("%d calls: prompts %d, GST %d, role sessions %d", calls, f.Calls(), l.Stat("sts:GetSessionToken ok"), roles)
	}
	t.Logf("%d calls over %d role sessions, %d distinct keys and ARNs seen", calls, roles, len(seen))
	if l.Stat("sts:GetCallerIdentity ok") != calls {
		t.Fatalf("%d of %d calls succeeded", l.Stat("sts:GetCallerIdentity ok"), calls)
	}
}
