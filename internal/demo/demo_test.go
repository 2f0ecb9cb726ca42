package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/lab/scenario"
	"github.com/awsmfa/awsmfa/internal/lab/scenario/seed"
	"github.com/awsmfa/awsmfa/internal/lab/store"
)

func TestRunPlaysTheStory(t *testing.T) {
	var labLog bytes.Buffer
	r, err := Run(context.Background(), Options{LabLog: &labLog})
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK || len(r.Steps) != 9 {
		var b bytes.Buffer
		_ = r.WriteText(&b)
		t.Fatalf("story did not play as expected:\n%s", b.String())
	}
	if !strings.HasPrefix(r.Endpoint, "http://127.0.0.1:") || r.Account != "123456789012" || r.Scenario != "default" {
		t.Errorf("report header %+v", r)
	}
	want := []struct {
		call, result, decision, policy, statement, errCode string
	}{
		{"ec2:DescribeRegions", Allowed, "allowed", "arn:aws:iam::123456789012:policy/LabPowerUser", "AllowReadAndDescribe", ""},
		{"sts:GetSessionToken", Allowed, "allowed", "", "", ""},
		{"ec2:DescribeRegions", Denied, "explicitDeny", "group/mfa-bool/BlockMostAccessUnlessSignedInWithMFA", "BlockMostAccessUnlessSignedInWithMFA", "UnauthorizedOperation"},
		{"ec2:DescribeRegions", Denied, "explicitDeny", "arn:aws:iam::123456789012:policy/RequireMFA", "DenyAllAboveExceptBelowOperationsIfNoMFACode", "UnauthorizedOperation"},
		{"sts:GetSessionToken", Allowed, "allowed", "", "", ""},
		{"ec2:DescribeRegions", Allowed, "allowed", "arn:aws:iam::123456789012:policy/LabPowerUser", "AllowReadAndDescribe", ""},
		{"sts:AssumeRole", Denied, "implicitDeny", "", "", "AccessDenied"},
		{"sts:AssumeRole", Allowed, "allowed", "trust policy of role/cli-role", "#0", ""},
		{"iam:ListUsers", Allowed, "allowed", "arn:aws:iam::123456789012:policy/LabPowerUser", "AllowReadAndDescribe", ""},
	}
	for i, w := range want {
		s := r.Steps[i]
		if s.N != i+1 || s.Call != w.call || s.Result != w.result || s.Decision != w.decision || s.Policy != w.policy ||
			s.Statement != w.statement || s.ErrorCode != w.errCode || !s.AsExpected || s.RequestID == "" || s.Why == "" {
			t.Errorf("step %d = %+v\nwant %+v", i+1, s, w)
		}
	}
	// The lab's explanation of step 1 names the skipped Bool deny.
	if !strings.Contains(r.Steps[0].Reason, "BlockMostAccessUnlessSignedInWithMFA") || !strings.Contains(r.Steps[0].Reason, "absent") {
		t.Errorf("step 1 reason: %s", r.Steps[0].Reason)
	}
	if r.Steps[4].Note != "MFA code accepted" || r.Steps[7].Note != "MFA code accepted" {
		t.Errorf("MFA notes: %q %q", r.Steps[4].Note, r.Steps[7].Note)
	}
	if !strings.Contains(r.Steps[8].Answer, "admin, alice, anika, bob") {
		t.Errorf("step 9 answer %q", r.Steps[8].Answer)
	}
	// One log line per call, and no secrets in it.
	if n := strings.Count(labLog.String(), "msg=request"); n != 9 {
		t.Errorf("lab logged %d requests, want 9:\n%s", n, labLog.String())
	}

	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"#  WHO", "DECIDED BY", "ALLOWED", "DENIED", "All 9 steps behaved as the seeds describe", "BoolIfExists",
		"managed policy RequireMFA, statement DenyAllAboveExceptBelowOperationsIfNoMFACode"} {
		if !strings.Contains(text.String(), w) {
			t.Errorf("text output lacks %q:\n%s", w, text.String())
		}
	}
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || !back.OK || len(back.Steps) != 9 || back.Steps[3].Statement != "DenyAllAboveExceptBelowOperationsIfNoMFACode" {
		t.Errorf("JSON round trip: %v %+v", err, back)
	}
	// No credentials in the output: only key prefixes.
	if regexp.MustCompile(`A[SK]IA[A-Z0-9]{16}`).MatchString(js.String()+text.String()) ||
		strings.Contains(strings.ToLower(js.String()), "secret") {
		t.Errorf("output holds credentials:\n%s", js.String())
	}
}

// A lab whose seed-000 policy was already fixed (BoolIfExists) does not
// tell the story: step 1 is denied, and the report says so.
func TestPlayDetectsUnexpected(t *testing.T) {
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sc, err := scenario.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	for gi, g := range sc.Groups {
		for pi, p := range g.InlinePolicies {
			sc.Groups[gi].InlinePolicies[pi].Document = strings.Replace(p.Document, `"Bool": {`, `"BoolIfExists": {`, 1)
		}
	}
	applied, err := seed.Apply(st, sc)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	srv, err := lab.New(lab.Config{Store: st, Observer: rec.observe})
	if err != nil {
		t.Fatal(err)
	}
	endpoint, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	r, err := Play(context.Background(), endpoint, applied, rec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK {
		t.Fatal("report OK with a fixed policy")
	}
	s := r.Steps[0]
	if s.AsExpected || s.Result != Denied || s.Statement != "BlockMostAccessUnlessSignedInWithMFA" {
		t.Errorf("step 1 = %+v", s)
	}
	for _, s := range r.Steps[1:] {
		if !s.AsExpected {
			t.Errorf("step %d unexpected: %+v", s.N, s)
		}
	}
	var text bytes.Buffer
	_ = r.WriteText(&text)
	if !strings.Contains(text.String(), "DENIED (expected allowed)") || !strings.Contains(text.String(), "1 of 9 steps did not behave") {
		t.Errorf("text:\n%s", text.String())
	}
}

// Steps that need credentials from a failed step are reported, not run.
func TestPlayWithoutLab(t *testing.T) {
	st, _ := store.OpenMemory()
	defer st.Close()
	sc, _ := scenario.Load("default")
	applied, err := seed.Apply(st, sc)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing listens on port 1.
	r, err := Play(context.Background(), "http://127.0.0.1:1", applied, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.OK {
		t.Fatal("OK without a lab")
	}
	for _, s := range r.Steps {
		if s.Result != Failed || s.AsExpected {
			t.Errorf("step %d = %+v", s.N, s)
		}
	}
	if !strings.Contains(r.Steps[2].Message, "skipped") {
		t.Errorf("step 3 message %q", r.Steps[2].Message)
	}
	// A scenario without the story's users is an error.
	if _, err := Play(context.Background(), "http://127.0.0.1:1", &scenario.Applied{Scenario: "x"}, nil, nil); err == nil {
		t.Error("Play with an empty scenario succeeded")
	}
}

func TestDecidedBy(t *testing.T) {
	for _, c := range []struct {
		s    Step
		want string
	}{
		{Step{Policy: "arn:aws:iam::123456789012:policy/P", Statement: "S"}, "managed policy P, statement S"},
		{Step{Policy: "arn:aws:iam::123456789012:policy/path/P", Statement: "S"}, "managed policy path/P, statement S"},
		{Step{Policy: "group/g/p", Statement: "#1"}, "group/g/p, statement #1"},
		{Step{Policy: "group/g/Sid1", Statement: "Sid1"}, "group/g/Sid1"},
		{Step{Policy: "session policy"}, "session policy"},
		{Step{Decision: "allowed", Note: "MFA code accepted"}, "no permission needed; MFA code accepted"},
		{Step{Decision: "allowed"}, "no permission needed"},
		{Step{Decision: "implicitDeny"}, "no statement allows it (implicit deny)"},
		{Step{Note: "invalid MFA code"}, "invalid MFA code"},
		{Step{}, "-"},
	} {
		if got := c.s.DecidedBy(); got != c.want {
			t.Errorf("DecidedBy(%+v) = %q, want %q", c.s, got, c.want)
		}
	}
}

func TestWrap(t *testing.T) {
	var b strings.Builder
	wrap(&b, "aaa bbb ccc ddd", "> ", 9)
	if got := b.String(); got != "> aaa bbb\n  ccc ddd\n" {
		t.Errorf("wrap = %q", got)
	}
	b.Reset()
	wrap(&b, "   ", "> ", 9)
	if b.String() != "" {
		t.Errorf("wrap of blank = %q", b.String())
	}
}
