package simulate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	cmd := NewCmdSimulate(ios, nil)
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return cmdutil.ExitCode(err), out.String(), errOut.String()
}

// The seed story: a Deny on "Bool" aws:MultiFactorAuthPresent plus an
// Allow-all. The deny sits on line 10 of this input.
const seedInput = `{
  "request": {
    "principal": "arn:aws:iam::123456789012:user/anika",
    "action": "s3:ListAllMyBuckets",
    "resource": "*"
  },
  "identityPolicies": [
    {"Version": "2012-10-17",
     "Statement": [
      {"Sid": "BlockMostAccessUnlessSignedInWithMFA", "Effect": "Deny",
       "NotAction": ["iam:ListMFADevices", "sts:GetSessionToken"], "Resource": "*",
       "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]},
    {"Version": "2012-10-17", "Statement": [{"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"}]}
  ]
}`

func TestSimulateLongTermKeysSlipPastBool(t *testing.T) {
	code, out, _ := run(t, seedInput, "--credential", "long-term-keys", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	var o struct {
		Decision          string
		MatchedStatements []struct{ Sid string }
		NearMisses        []struct {
			Sid        string
			Line       int
			Column     int
			Conditions []struct {
				Present, Matched bool
				Why              string
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatal(err)
	}
	if o.Decision != "allowed" || len(o.MatchedStatements) != 1 || o.MatchedStatements[0].Sid != "AllowAll" {
		t.Fatalf("got %+v", o)
	}
	if len(o.NearMisses) != 1 || o.NearMisses[0].Line != 10 || o.NearMisses[0].Column != 7 {
		t.Fatalf("near miss not located at the Deny in the input file (10:7): %+v", o.NearMisses)
	}
	c := o.NearMisses[0].Conditions[0]
	if c.Present || c.Matched || !strings.Contains(c.Why, "absent") {
		t.Errorf("condition trace: %+v", c)
	}
}

func TestSimulateSessionWithoutMFAIsDenied(t *testing.T) {
	code, out, _ := run(t, seedInput, "--credential", "session-token")
	if code != cmdutil.ExitFindings {
		t.Fatalf("exit %d, want 1 (denied)", code)
	}
	if !strings.HasPrefix(out, "explicitDeny\n") || !strings.Contains(out, `identityPolicies[0] statement "BlockMostAccessUnlessSignedInWithMFA" (Deny) at <stdin>:10:7`) {
		t.Errorf("text output:\n%s", out)
	}
}

func TestSimulateMatrix(t *testing.T) {
	code, out, _ := run(t, seedInput, "--matrix", "--credential", "long-term-keys", "--credential", "session-token", "--credential", "session-token-mfa")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("want header + 3 rows:\n%s", out)
	}
	want := []struct{ cred, decision, note string }{
		{"long-term-keys", "allowed", "aws:MultiFactorAuthPresent absent"},
		{"session-token", "explicitDeny", ""},
		{"session-token-mfa", "allowed", ""},
	}
	for i, w := range want {
		f := strings.Fields(lines[i+1])
		if f[0] != w.cred || f[2] != w.decision {
			t.Errorf("row %d: %q", i, lines[i+1])
		}
		if w.note != "" && !strings.Contains(lines[i+1], w.note) {
			t.Errorf("row %d lacks note %q: %q", i, w.note, lines[i+1])
		}
		if w.note == "" && strings.Contains(lines[i+1], "skipped") {
			t.Errorf("row %d has a note: %q", i, lines[i+1])
		}
	}

	code, out, _ = run(t, seedInput, "--matrix", "-o", "json", "--action", "s3:ListAllMyBuckets", "--action", "iam:ListMFADevices")
	var m struct {
		Rows []struct{ Credential, Action, Decision string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &m) != nil || len(m.Rows) < 2*9 {
		t.Fatalf("json matrix exit %d:\n%s", code, out)
	}
}

func TestSimulateBatch(t *testing.T) {
	line := strings.ReplaceAll(strings.ReplaceAll(seedInput, "\n", ""), "  ", "")
	input := line + "\n" + "{not json}\n" + line + "\n"
	p := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(p, []byte(input), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--batch"}, {"--batch", p}, {"--batch", "--jobs", "2"}, {"--batch", "--jobs", "3", p}} {
		stdin := input
		if args[len(args)-1] == p {
			stdin = ""
		}
		code, out, _ := run(t, stdin, args...)
		answers := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(answers) != 3 {
			t.Fatalf("%v: exit %d, %d answers:\n%s", args, code, len(answers), out)
		}
		if !strings.Contains(answers[0], `"decision":"allowed"`) || !strings.Contains(answers[1], `"error"`) || !strings.Contains(answers[1], `"line":2`) || answers[2] != answers[0] {
			t.Errorf("%v answers:\n%s", args, out)
		}
	}
}

func TestSimulateBadInput(t *testing.T) {
	cases := []struct {
		stdin string
		args  []string
		want  string
	}{
		{"{", nil, "<stdin>:1:2"},
		{"{\n \"request\": 5}", nil, `<stdin>:2:13: "request" must be an object`},
		{`{"request": {"action": "s3:GetObject"}, "identityPolicy": []}`, nil, `<stdin>:1:41: unknown field "identityPolicy"; did you mean "identityPolicies"?`},
		{`{"request": {"principal": "arn:aws:iam::123456789012:user/a"}}`, nil, "<stdin>:1:13: request.action is missing"},
		{`{"request": {"action": "s3:GetObject"}} {}`, nil, "<stdin>:1:41: invalid JSON: unexpected character '{' after the top-level value (one input per file; use --batch for JSON Lines)"},
		{`{"request": {"action": "s3:GetObject", "principal": "arn:aws:iam::123456789012:user/a", "resource": "*"}, "identityPolicies": [{"Statement": [{"Effect": "Allow"}]}]}`, nil, "identityPolicies[0]"},
		{seedInput, []string{"--credential", "nope"}, "unknown credential type"},
		{seedInput, []string{"--credential", "console", "--credential", "console-mfa"}, "use --matrix"},
		{seedInput, []string{"--batch", "--matrix"}, "--batch cannot be combined"},
		{seedInput, []string{"--jobs", "2"}, "--jobs needs --batch"},
		{seedInput, []string{"--batch", "--jobs", "0"}, "--jobs must be between 1 and 256"},
		{seedInput, []string{"--batch", "--jobs", "100000"}, "--jobs must be"},
		{seedInput, []string{"-o", "yaml"}, "--output"},
	}
	for _, c := range cases {
		code, _, errOut := run(t, c.stdin, c.args...)
		if code != cmdutil.ExitError || !strings.Contains(errOut, c.want) {
			t.Errorf("%q %v: exit %d, stderr %q; want 2 and %q", c.stdin, c.args, code, errOut, c.want)
		}
	}
}

func TestListCredentials(t *testing.T) {
	code, out, _ := run(t, "", "--list-credentials")
	if code != 0 || !strings.Contains(out, "long-term-keys") || !strings.Contains(out, "source: https://docs.aws.amazon.com/") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// The example: a misspelt permissionsBoundary used to be ignored,
// so a request its boundary denies came out allowed. Now the input is
// refused, naming the field and its right spelling, in both modes.
func TestSimulateMisspeltFieldIsAnError(t *testing.T) {
	line := `{"request": {"principal": "arn:aws:iam::123456789012:user/a", "action": "s3:GetObject", "resource": "*"},` +
		` "identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}],` +
		` "permissionBoundary": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}]}}`
	want := `unknown field "permissionBoundary"; did you mean "permissionsBoundary"?`
	code, out, errOut := run(t, line)
	if code != cmdutil.ExitError || out != "" || !strings.Contains(errOut, "<stdin>:1:224: "+want) {
		t.Errorf("single input: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	p := filepath.Join(t.TempDir(), "in.jsonl")
	if err := os.WriteFile(p, []byte("\n"+line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, "", "--batch", p)
	var answer struct {
		Decision, Error string
		Line            int
	}
	if err := json.Unmarshal([]byte(out), &answer); code != 0 || err != nil {
		t.Fatalf("batch: exit %d, %v: %q", code, err, out)
	}
	if answer.Decision != "" || answer.Line != 2 || answer.Error != p+":2:224: "+want {
		t.Errorf("batch answer %+v", answer)
	}
	// Spelt right, the boundary denies.
	code, out, _ = run(t, strings.Replace(line, "permissionBoundary", "permissionsBoundary", 1))
	if code != cmdutil.ExitFindings || !strings.HasPrefix(out, "implicitDeny") {
		t.Errorf("spelt right: exit %d\n%s", code, out)
	}
}

// Field names are case-sensitive; context keys are not, and two spellings
// of one key are an error.
func TestSimulateFieldCase(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"Request": {"action": "s3:GetObject"}}`, `<stdin>:1:2: unknown field "Request": field names are case-sensitive; did you mean "request"?`},
		{`{"request": {"Action": "s3:GetObject"}}`, `<stdin>:1:14: unknown field "Action" in "request": field names are case-sensitive; did you mean "action"?`},
		{`{"request": {"action": "s3:GetObject", "context": {"aws:sourceip": "1.2.3.4", "AWS:SourceIp": "1.2.3.4"}}}`, `<stdin>:1:79: context keys "AWS:SourceIp" and "aws:sourceip" name the same condition key (keys are case-insensitive)`},
	}
	for _, c := range cases {
		code, _, errOut := run(t, c.in)
		if code != cmdutil.ExitError || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want %q", c.in, code, errOut, c.want)
		}
	}
	// A context key in any case matches the policy's.
	in := `{"request": {"principal": "arn:aws:iam::123456789012:user/a", "action": "s3:GetObject", "resource": "*", "context": {"AWS:MULTIFACTORAUTHPRESENT": "true"}},` +
		` "identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}]}`
	if code, out, errOut := run(t, in); code != 0 {
		t.Errorf("context key case: exit %d\n%s%s", code, out, errOut)
	}
}

// Input beyond a limit exits 2 naming the input and the limit.
func TestSimulateInputLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, []byte(`{"request": {"action": "s3:GetObject", "resource": "`+strings.Repeat("x", 4<<20)+`"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	longLine := filepath.Join(dir, "long.jsonl")
	if err := os.WriteFile(longLine, []byte(seedLine()+"\n"+strings.Repeat("x", 4<<20+1)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, stdin string
		args        []string
		want        string
		answers     int
	}{
		{"file over 4 MiB", "", []string{big}, big + ": input is larger than the 4 MiB limit for policy simulate input", 0},
		{"stdin over 4 MiB", strings.Repeat(" ", 4<<20+1), nil, "<stdin>: input is larger than the 4 MiB limit for policy simulate input", 0},
		{"deep nesting", strings.Repeat("[", 1_000_000), nil, "<stdin>:1:257: nesting deeper than 256 levels, the limit for JSON input", 0},
		{"batch line over 4 MiB", "", []string{"--batch", longLine}, longLine + ":2: line is longer than 4 MiB, the limit for one --batch line", 1},
		{"batch deep nesting is one bad line", `{"request": {"action": "s3:GetObject"}, "resourcePolicy": ` + strings.Repeat("[", 1_000_000) + "\n", []string{"--batch"}, "", 1},
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		cases = append(cases,
			struct {
				name, stdin string
				args        []string
				want        string
				answers     int
			}{"/dev/zero", "", []string{"/dev/zero"}, "/dev/zero: input is larger than the 4 MiB limit for policy simulate input", 0},
			struct {
				name, stdin string
				args        []string
				want        string
				answers     int
			}{"/dev/zero --batch", "", []string{"--batch", "/dev/zero"}, "/dev/zero:1: line is longer than 4 MiB, the limit for one --batch line", 0})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := run(t, c.stdin, c.args...)
			if n := strings.Count(out, "\n"); n != c.answers {
				t.Errorf("%d answers, want %d: %.200q", n, c.answers, out)
			}
			if c.want == "" {
				if code != 0 || !strings.Contains(out, "nesting deeper than 256 levels, the limit for JSON input") {
					t.Errorf("exit %d, stdout %.300q", code, out)
				}
				return
			}
			if code != cmdutil.ExitError || errOut != c.want {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, c.want)
			}
		})
	}
}

func seedLine() string {
	return strings.ReplaceAll(strings.ReplaceAll(seedInput, "\n", ""), "  ", "")
}
