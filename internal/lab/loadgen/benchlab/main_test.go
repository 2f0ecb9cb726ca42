package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadProfile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "credentials")
	content := "# header\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s0\n\n[alice]\n" +
		"aws_access_key_id=AKIAALICE\n ; comment\naws_secret_access_key = s1 \naws_session_token = tok\n[bob]\naws_access_key_id = AKIABOB\n"
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := readProfile(p, "alice")
	if err != nil || c.AccessKeyID != "AKIAALICE" || c.SecretAccessKey != "s1" || c.SessionToken != "tok" {
		t.Errorf("alice: %+v %v", c, err)
	}
	if _, err := readProfile(p, "bob"); err == nil {
		t.Error("profile without a secret accepted")
	}
	if _, err := readProfile(p, "nobody"); err == nil {
		t.Error("missing profile accepted")
	}
	if _, err := readProfile(filepath.Join(t.TempDir(), "none"), "alice"); err == nil {
		t.Error("missing file accepted")
	}
}

func TestParseTarget(t *testing.T) {
	for _, c := range []struct {
		spec, creds string
		ok          bool
	}{
		{"moto=http://127.0.0.1:5000", "", true},
		{"lab=http://127.0.0.1:4580,profile=alice", "", false}, // needs --credentials
		{"lab=http://10.0.0.1:4580", "", false},
		{"=http://127.0.0.1:1", "", false},
		{"nourl", "", false},
		{"x=http://127.0.0.1:1,color=red", "", false},
	} {
		_, err := parseTarget(c.spec, c.creds)
		if (err == nil) != c.ok {
			t.Errorf("parseTarget(%q) = %v, want ok=%v", c.spec, err, c.ok)
		}
	}
}

func TestRunGoTool(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if !strings.Contains(r.Header.Get("Authorization"), "Credential=AKIAIOSFODNN7EXAMPLE/") || !bytes.Contains(b, []byte("Action=")) {
			w.WriteHeader(403)
			return
		}
		io.WriteString(w, "<ok/>")
	}))
	defer srv.Close()
	var out, errOut bytes.Buffer
	err := run([]string{"--target", "a=" + srv.URL, "--target", "b=" + srv.URL, "--call", "GetCallerIdentity", "--call", "listusers",
		"--connections", "4", "--duration", "200ms", "--max-requests", "100"}, &out, &errOut)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	for _, want := range []string{"sts:GetCallerIdentity", "iam:ListUsers", "a/b throughput"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	err = run([]string{"--target", "a=" + srv.URL, "--call", "DescribeRegions", "--connections", "2", "--max-requests", "20",
		"--duration", "1s", "--rate", "100", "--output", "json"}, &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	var res []result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res) != 1 || res[0].Result.Requests != 20 || res[0].Result.Failures != 0 || res[0].Rate != 100 {
		t.Errorf("json: %v %s", err, out.String())
	}
}

func TestRunUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--target", "a=http://127.0.0.1:1"},
		{"--target", "a=http://127.0.0.1:1", "--call", "Nope"},
		{"--target", "a=http://127.0.0.1:1", "--call", "ListUsers", "--tool", "ab"},
		{"--target", "a=http://127.0.0.1:1", "--call", "ListUsers", "--tool", "wrk", "--rate", "10"},
		{"--target", "a=http://192.0.2.1:1", "--call", "ListUsers"},
	} {
		if err := run(args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%v) succeeded", args)
		}
	}
}

func FuzzReadProfile(f *testing.F) {
	f.Add([]byte("[alice]\naws_access_key_id = A\naws_secret_access_key = B\n"), "alice")
	f.Add([]byte("[\n]=\n[alice\n=x"), "alice")
	f.Fuzz(func(t *testing.T, data []byte, profile string) {
		p := filepath.Join(t.TempDir(), "c")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := readProfile(p, profile)
		if err == nil && (c.AccessKeyID == "" || c.SecretAccessKey == "") {
			t.Errorf("accepted a profile without keys: %+v", c)
		}
	})
}
