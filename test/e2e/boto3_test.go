package e2e

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBoto3Story plays the seeds with boto3 (testdata/boto3_story.py):
// explicit endpoint_url clients, and the role-with-mfa profile through
// boto3's own assume-role provider with its MFA prompt answered.
func TestBoto3Story(t *testing.T) {
	py := python(t)
	if out, err := exec.Command(py, "-c", "import boto3").CombinedOutput(); err != nil {
		if isCI() {
			t.Fatalf("boto3 is required under CI=true: %v\n%s", err, out)
		}
		t.Skipf("boto3 not importable: %s", out)
	}
	e := startLab(t)
	script, err := filepath.Abs(filepath.Join("testdata", "boto3_story.py"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, script, e.fixture(t))
	// No AWS_* from the developer's environment, and a throwaway HOME.
	cmd.Env = cleanEnv(t)
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("boto3_story.py: %v\n%s\n%s", err, out, stderr)
	}
	type step struct {
		Step    string          `json:"step"`
		OK      bool            `json:"ok"`
		Code    string          `json:"code"`
		Status  int             `json:"status"`
		Message string          `json:"message"`
		Result  json.RawMessage `json:"result"`
	}
	steps := map[string]step{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		var s step
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		steps[s.Step] = s
	}
	bob, anika := e.user(t, "bob"), e.user(t, "anika")
	want := []struct {
		step, code string
		status     int
		msg        string
		result     string
	}{
		{"alice-keys-describe-regions", "", 0, "", `"regions": 17`},
		{"bob-keys-describe-regions", "UnauthorizedOperation", 403, "User: " + bob.ARN + " is not authorized to perform: ec2:DescribeRegions with an explicit deny", ""},
		{"bob-get-session-token-mfa", "", 0, "", `"ASIA"`},
		{"bob-session-describe-regions", "", 0, "", `"regions": 17`},
		{"bob-session-caller", "", 0, "", `"arn": "` + bob.ARN + `"`},
		{"bob-get-session-token-reused-code", "AccessDenied", 403, msgInvalidCode, ""},
		{"bob-get-session-token-wrong-code", "AccessDenied", 403, msgInvalidCode, ""},
		{"alice-presigned-get", "", 0, "", `{"status": 200, "hasArn": true, "signatureMismatch": false, "queryAuth": true}`},
		{"alice-presigned-default-post", "", 0, "", `{"status": 403, "hasArn": false, "signatureMismatch": true, "queryAuth": true}`},
		{"anika-assume-role-no-mfa", "AccessDenied", 403, "User: " + anika.ARN + " is not authorized to perform: sts:AssumeRole", ""},
		{"anika-role-with-mfa-profile", "", 0, "", `"users": ["admin", "alice", "anika", "bob"], "prompts": ["Enter MFA code for ` + anika.MFASerial + `: "]`},
	}
	for _, w := range want {
		s, ok := steps[w.step]
		switch {
		case !ok:
			t.Errorf("%s: missing from output:\n%s", w.step, out)
		case w.code == "" && (!s.OK || !strings.Contains(string(s.Result), w.result)):
			t.Errorf("%s: %+v, want success with %s", w.step, s, w.result)
		case w.code != "" && (s.OK || s.Code != w.code || s.Status != w.status || !strings.Contains(s.Message, w.msg)):
			t.Errorf("%s: %+v, want %s %d %q", w.step, s, w.code, w.status, w.msg)
		}
	}
	if r := e.lastRecord(t, "iam:ListUsers"); !strings.Contains(r.Principal, ":assumed-role/cli-role/") || r.Credential != "assume-role-mfa" {
		t.Errorf("ListUsers record %+v", r)
	}
	e.stillServing(t)
}
