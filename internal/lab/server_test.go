package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/awsmfa/awsmfa/internal/testutil"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsmfa/awsmfa/internal/lab/store"
)

func TestLoopbackOnly(t *testing.T) {
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:0", true},
		{"localhost:0", true},
		{"[::1]:0", true},
		{"0.0.0.0:0", false},
		{":0", false},
		{"192.168.1.1:80", false},
		{"example.com:80", false},
		{"127.0.0.1", false},
	}
	for _, tt := range tests {
		_, err := New(Config{Store: st, Addr: tt.addr})
		if (err == nil) != tt.ok {
			t.Errorf("New(Addr %q): err = %v, want ok=%v", tt.addr, err, tt.ok)
		}
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New without a store succeeded")
	}
	srv, err := New(Config{Store: st, Addr: "localhost:0"})
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0") {
		t.Fatalf("url %s", url)
	}
	if _, err := srv.Start(); err == nil {
		t.Fatal("second Start succeeded")
	}
}

// TestRestartKeepsAccount restarts a server on the same state file: keys,
// MFA devices and their used codes survive, and so do sessions.
func TestRestartKeepsAccount(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lab.sqlite")
	clk := &testClock{}
	ctx := context.Background()
	start := func() (*store.Store, *Server, string) {
		st, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		srv, err := New(Config{Store: st, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		url, err := srv.Start()
		if err != nil {
			t.Fatal(err)
		}
		return st, srv, url
	}
	st, srv, url := start()
	a := seed(t, st)
	clk.nextStep()
	code1 := code(a.device, clk.Now())
	out, err := stsClient(url, a.ifExists).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(a.device.Serial), TokenCode: aws.String(code1)})
	if err != nil {
		t.Fatal(err)
	}
	sess := creds{*out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken}
	if _, err := iamClient(url, a.admin).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dave")}); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	st.Close()

	st, srv, url = start()
	defer func() { srv.Close(); st.Close() }()
	id, err := stsClient(url, a.ifExists).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || !strings.HasSuffix(*id.Arn, ":user/alice") {
		t.Fatalf("long-term key after restart: %v", err)
	}
	if _, err := iamClient(url, sess).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("MFA session after restart: %v", err)
	}
	if _, err := iamClient(url, a.admin).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("dave")}); err != nil {
		t.Fatalf("user created before the restart: %v", err)
	}
	_, err = stsClient(url, a.ifExists).GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(a.device.Serial), TokenCode: aws.String(code1)})
	if apiCode(err) != "AccessDenied" {
		t.Fatalf("code reused across a restart: %v", err)
	}
}

func TestStatsEndpointAndLog(t *testing.T) {
	var log testutil.SyncBuffer
	var mu sync.Mutex
	var records []Record
	srv, url, a := newLab(t, Config{AdminToken: "s3cret-admin", Logger: &log, LogJSON: true, Observer: func(r Record) {
		mu.Lock()
		records = append(records, r)
		mu.Unlock()
	}})
	ctx := context.Background()
	if _, err := stsClient(url, a.bool).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	_, err := iamClient(url, a.ifExists).ListUsers(ctx, &iam.ListUsersInput{})
	if apiCode(err) != "AccessDenied" {
		t.Fatal(err)
	}
	get := func(token string) (int, map[string]int) {
		req, _ := http.NewRequest(http.MethodGet, url+"/_lab/stats", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		m := map[string]int{}
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	if st, _ := get(""); st != 401 {
		t.Fatalf("stats without token: %d", st)
	}
	if st, _ := get("wrong"); st != 401 {
		t.Fatalf("stats with a wrong token: %d", st)
	}
	st, m := get("s3cret-admin")
	if st != 200 || m["sts:GetCallerIdentity"] != 1 || m["sts:GetCallerIdentity ok"] != 1 || m["iam:ListUsers"] != 1 || m["denied"] != 1 || m["requests"] != 2 {
		t.Fatalf("stats %d %v", st, m)
	}
	if fmt.Sprint(srv.Stats()) != fmt.Sprint(m) {
		t.Fatalf("Stats() %v != endpoint %v", srv.Stats(), m)
	}

	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines:\n%s", len(lines), log.String())
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &line); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"action": "iam:ListUsers", "principal": "arn:aws:iam::123456789012:user/alice", "credential": "long-term-keys",
		"decision": "explicitDeny", "policy": "group/ifexists-group/RequireMFA", "statement": "DenyAllExceptListedIfNoMFA", "status": float64(403), "error": "AccessDenied"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("log %s = %v, want %v", k, line[k], v)
		}
	}
	for _, secret := range []string{a.bool.secret, a.ifExists.secret, "s3cret-admin"} {
		if strings.Contains(log.String(), secret) {
			t.Fatal("secret in the log")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(records) != 2 || records[1].Statement != "DenyAllExceptListedIfNoMFA" || records[1].Reason == "" {
		t.Fatalf("observer records %+v", records)
	}
}

// TestConcurrentClients runs clients in parallel, including MFA sessions
// and IAM writes that invalidate the caches.
func TestConcurrentClients(t *testing.T) {
	_, url, a := newLab(t, Config{})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				if _, err := stsClient(url, a.bool).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
					errs <- err
					return
				}
				if _, err := iamClient(url, a.bool).ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
					errs <- err
					return
				}
				if j == 5 {
					if _, err := iamClient(url, a.admin).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("u%d", i))}); err != nil {
						errs <- err
						return
					}
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	out, err := iamClient(url, a.admin).ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil || len(out.Users) != 11 {
		t.Fatalf("users after concurrent creates: %v", err)
	}
}
