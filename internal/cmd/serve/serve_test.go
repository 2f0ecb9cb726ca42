package serve

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil/cmdtest"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/lab"
)

func serve(t *testing.T, e *cmdtest.Env, profile, output string) (Result, chan error, chan struct{}) {
	t.Helper()
	stop := make(chan struct{})
	o := &Options{IO: e.IO, Factory: e.Factory, Output: output, Stop: stop}
	o.Flags.Profile = profile
	done := make(chan error, 1)
	go func() { done <- Run(o) }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(e.Err.String(), "serving credentials") {
		select {
		case err := <-done:
			t.Fatalf("ended: %v %s", err, e.Err.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("not serving")
		}
		time.Sleep(5 * time.Millisecond)
	}
	var r Result
	if output == cmdutil.OutputJSON {
		if err := json.Unmarshal([]byte(e.Out.String()), &r); err != nil {
			t.Fatal(err)
		}
	} else {
		for _, line := range strings.Split(e.Out.String(), "\n") {
			if v, ok := strings.CutPrefix(line, "export AWS_CONTAINER_CREDENTIALS_FULL_URI="); ok {
				r.URL = v
			}
			if v, ok := strings.CutPrefix(line, "export AWS_CONTAINER_AUTHORIZATION_TOKEN="); ok {
				r.Token = v
			}
		}
	}
	return r, done, stop
}

func fetch(t *testing.T, r Result) (int, map[string]string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.URL, nil)
	req.Header.Set("Authorization", r.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]string
	_ = json.Unmarshal(body, &m)
	return resp.StatusCode, m
}

func TestServeText(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	r, done, stop := serve(t, e, "role-with-mfa", cmdutil.OutputText)
	// The first code was asked for before serving.
	if e.MFA.Calls() != 1 || !strings.HasPrefix(r.URL, "http://127.0.0.1:") || len(r.Token) != 64 {
		t.Fatalf("prompts %d, %+v", e.MFA.Calls(), r)
	}
	if !strings.Contains(e.Out.String(), "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE") {
		t.Errorf("stdout %q", e.Out.String())
	}
	status, m := fetch(t, r)
	if status != 200 || !strings.HasPrefix(m["AccessKeyId"], "ASIA") || m["Token"] == "" {
		t.Fatalf("%d %v", status, m)
	}
	if e.Lab.Stat("sts:AssumeRole ok") != 1 {
		t.Errorf("AR %d: the primed credentials were not reused", e.Lab.Stat("sts:AssumeRole ok"))
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Err.String(), "stopped") {
		t.Error("no stop message")
	}
}

func TestServeJSONAndErrors(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	r, done, stop := serve(t, e, "plain-role", cmdutil.OutputJSON)
	if r.Profile != "plain-role" || r.URL == "" || r.Token == "" {
		t.Fatalf("%+v", r)
	}
	if status, _ := fetch(t, Result{URL: r.URL, Token: "wrong"}); status != 403 {
		t.Fatalf("wrong token: %d", status)
	}
	close(stop)
	<-done
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Port: 70000}, "--port"},
		{Options{}, "profile not found"},
		{Options{}, "set mfa_serial"},
	} {
		o := c.o
		o.IO, o.Factory = e.IO, e.Factory
		switch c.want {
		case "profile not found":
			o.Flags.Profile = "nosuch"
		case "set mfa_serial":
			o.Flags.Profile = "role-without-mfa"
		}
		if err := Run(&o); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v, want %q", err, c.want)
		}
	}
}
