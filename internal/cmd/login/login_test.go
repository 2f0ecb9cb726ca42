package login

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil/cmdtest"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/lab"
)

// federation is a fake AWS federation endpoint.
type federation struct {
	mu       sync.Mutex
	requests []url.Values
	status   int
}

func (f *federation) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.URL.Query())
	status := f.status
	f.mu.Unlock()
	if status != 0 {
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<html>bad credentials</html>"))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"SigninToken": "TOKEN+/="})
}

func setup(t *testing.T) (*cmdtest.Env, *federation, string) {
	t.Helper()
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	f := &federation{}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return e, f, srv.URL + "/federation"
}

func TestLoginURL(t *testing.T) {
	e, f, fed := setup(t)
	o := &Options{IO: e.IO, Factory: e.Factory, FederationURL: fed}
	o.Flags.Profile = "role-with-mfa"
	if err := Run(o); err != nil {
		t.Fatal(err)
	}
	if len(f.requests) != 1 {
		t.Fatalf("%d requests", len(f.requests))
	}
	q := f.requests[0]
	if q.Get("Action") != "getSigninToken" || q.Has("SessionDuration") {
		t.Fatalf("query %v", q)
	}
	var session map[string]string
	if err := json.Unmarshal([]byte(q.Get("Session")), &session); err != nil {
		t.Fatal(err)
	}
	if len(session) != 3 || !strings.HasPrefix(session["sessionId"], "ASIA") || session["sessionKey"] == "" || session["sessionToken"] == "" {
		t.Fatalf("session %v", session)
	}
	want := fed + "?Action=login&Issuer=awsmfa&Destination=" + url.QueryEscape("https://console.aws.amazon.com/console/home?region=us-east-1") + "&SigninToken=" + url.QueryEscape("TOKEN+/=") + "\n"
	if e.Out.String() != want {
		t.Fatalf("printed %q\nwant %q", e.Out.String(), want)
	}
	u, err := url.Parse(strings.TrimSpace(e.Out.String()))
	if err != nil || u.Query().Get("SigninToken") != "TOKEN+/=" || u.Query().Get("Destination") != "https://console.aws.amazon.com/console/home?region=us-east-1" {
		t.Fatalf("%v %v", u, err)
	}
}

func TestLoginDurationAndOpen(t *testing.T) {
	e, f, fed := setup(t)
	// Session mode: role chaining, no SessionDuration.
	o := &Options{IO: e.IO, Factory: e.Factory, FederationURL: fed, Duration: 2 * time.Hour}
	o.Flags.Profile = "role-with-mfa"
	if err := Run(o); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "role chaining") {
		t.Fatalf("%v", err)
	}
	// Per-role mode from long-term keys: SessionDuration is sent.
	var opened string
	o = &Options{IO: e.IO, Factory: e.Factory, FederationURL: fed, Duration: 2 * time.Hour, Open: true, Destination: "https://console.aws.amazon.com/s3/",
		Opener: func(u string) error { opened = u; return nil }}
	o.Flags.Profile = "per-role"
	if err := Run(o); err != nil {
		t.Fatal(err)
	}
	if got := f.requests[len(f.requests)-1].Get("SessionDuration"); got != "7200" {
		t.Fatalf("SessionDuration %q", got)
	}
	if !strings.Contains(opened, url.QueryEscape("https://console.aws.amazon.com/s3/")) || e.Out.String() != "" || !strings.Contains(e.Err.String(), "opened the AWS console") {
		t.Fatalf("opened %q, stdout %q", opened, e.Out.String())
	}
	// No browser: the URL is printed.
	o.Opener = func(string) error { return errors.New("no browser") }
	o.Flags.Profile = "plain-role"
	o.Duration = 0
	if err := Run(o); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.Out.String(), fed+"?Action=login") || !strings.Contains(e.Err.String(), "no browser") {
		t.Fatalf("stdout %q stderr %q", e.Out.String(), e.Err.String())
	}
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Duration: time.Minute}); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("%v", err)
	}
}

func TestLoginRefusals(t *testing.T) {
	e, f, fed := setup(t)
	o := &Options{IO: e.IO, Factory: e.Factory, FederationURL: fed}
	o.Flags.Profile = "anika"
	e.Lab.WriteConfig("\n[profile anika]\nmfa_serial = " + e.Lab.Anika.MFASerial + "\n")
	err := Run(o)
	if cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "no role_arn") || !strings.Contains(err.Error(), "GetSessionToken") {
		t.Fatalf("%v", err)
	}
	if len(f.requests) != 0 || e.MFA.Calls() != 0 {
		t.Fatal("asked for a code or called the endpoint for a profile that cannot sign in")
	}
	f.status = 400
	o.Flags.Profile = "plain-role"
	err = Run(o)
	if cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "HTTP 400") || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("%v", err)
	}
	o.FederationURL = "http://127.0.0.1:1/federation"
	if err := Run(o); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "cannot reach the federation endpoint") {
		t.Fatalf("%v", err)
	}
}

func TestPartitions(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::123456789012:role/r":        "https://signin.aws.amazon.com/federation",
		"arn:aws-us-gov:iam::123456789012:role/r": "https://signin.amazonaws-us-gov.com/federation",
		"arn:aws-cn:iam::123456789012:role/r":     "https://signin.amazonaws.cn/federation",
	} {
		if got := partitionOf(arn).federation; got != want {
			t.Errorf("%s: %s", arn, got)
		}
	}
}

// TestLoginProfileArgument: `awsmfa login PROFILE` is `--profile PROFILE`;
// both, naming different profiles, is a usage error.
func TestLoginProfileArgument(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	for _, c := range []struct {
		args    []string
		want    string
		wantErr string
	}{
		{[]string{"work"}, "work", ""},
		{[]string{"--profile", "work"}, "work", ""},
		{[]string{"-p", "work", "work"}, "work", ""},
		{[]string{"--profile", "other", "work"}, "", `profile "work" given twice`},
		{[]string{"a", "b"}, "", "accepts at most 1 arg"},
	} {
		var got *Options
		cmd := NewCmdLogin(e.IO, func(o *Options) error { got = o; return nil })
		cmd.SetArgs(c.args)
		cmd.SetOut(&strings.Builder{})
		cmd.SetErr(&strings.Builder{})
		err := cmd.Execute()
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%v: error %v, want %q", c.args, err, c.wantErr)
			}
			continue
		}
		if err != nil || got == nil || got.Flags.Profile != c.want {
			t.Errorf("%v: %v, profile %v", c.args, err, got)
		}
	}
}

// TestFederationAnswerLimit: an endless answer from the federation
// endpoint is an error naming the limit, within seconds.
func TestFederationAnswerLimit(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("a", 64<<10))
		for i := 0; i < 1000; i++ { // 64 MB, far past the limit
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	o := &Options{IO: e.IO, Factory: e.Factory, FederationURL: srv.URL}
	o.Flags.Profile = "role-with-mfa"
	start := time.Now()
	err := Run(o)
	if err == nil || !strings.Contains(err.Error(), "1 MiB limit") || cmdutil.ExitCode(err) != 2 {
		t.Fatalf("Run = %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s", took)
	}
}
