package lint

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	cmd := NewCmdLint(ios, nil)
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return cmdutil.ExitCode(err), out.String(), errOut.String()
}

const boolDeny = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice","iam:EnableMFADevice","iam:GetUser","iam:ListMFADevices","iam:ListVirtualMFADevices","iam:ResyncMFADevice","sts:GetSessionToken"],"Resource":"*",
"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`

func TestLintBundledExamples(t *testing.T) {
	code, out, errOut := run(t, "")
	if code != cmdutil.ExitFindings {
		t.Fatalf("exit %d, want 1 (seed 000 is broken)\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "examples/seed-000-bool-deny.json:24:9: error mfa-deny-misses-long-term-keys") {
		t.Errorf("seed bug not reported at its line:\n%s", out)
	}
	if strings.Contains(out, "seed-004") || strings.Contains(out, "seed-002") {
		t.Errorf("finding on a correct seed policy:\n%s", out)
	}
	if !strings.Contains(errOut, "bundled seed policies") {
		t.Errorf("stderr does not say what was linted: %q", errOut)
	}
}

func TestLintStdinFormatsAndFailOn(t *testing.T) {
	code, out, _ := run(t, boolDeny, "--format", "json", "-")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	if len(doc.Findings) != 1 || doc.Findings[0]["rule"] != "mfa-deny-misses-long-term-keys" || doc.Findings[0]["file"] != "<stdin>" || doc.Findings[0]["line"] != float64(2) {
		t.Errorf("findings: %v", doc.Findings)
	}

	code, out, _ = run(t, boolDeny, "-o", "sarif", "-")
	if code != 1 || !strings.Contains(out, `"version": "2.1.0"`) || !strings.Contains(out, `"ruleId": "mfa-deny-misses-long-term-keys"`) {
		t.Errorf("sarif exit %d:\n%s", code, out)
	}

	if code, _, _ = run(t, boolDeny, "--fail-on", "none", "-"); code != 0 {
		t.Errorf("--fail-on none: exit %d", code)
	}
	if code, _, _ = run(t, boolDeny, "--disable", "mfa-deny-misses-long-term-keys", "-"); code != 0 {
		t.Errorf("--disable: exit %d", code)
	}
}

func TestLintCleanFileExitsZero(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ok.json")
	fixed := strings.Replace(boolDeny, `"Bool"`, `"BoolIfExists"`, 1)
	if err := os.WriteFile(p, []byte(fixed), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "", p)
	if code != 0 || out != "" || !strings.Contains(errOut, "no findings") {
		t.Errorf("exit %d stdout %q stderr %q", code, out, errOut)
	}
}

func TestLintUsageErrors(t *testing.T) {
	cases := [][]string{
		{"--format", "xml"},
		{"--fail-on", "fatal"},
		{"--disable", "no-such-rule"},
		{"--kind", "weird"},
		{filepath.Join(t.TempDir(), "missing.json")},
		{"-", "-"},
	}
	for _, args := range cases {
		code, _, _ := run(t, "{}", args...)
		if code != cmdutil.ExitError {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestLintInvalidJSONIsAFindingWithPosition(t *testing.T) {
	code, out, _ := run(t, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [,]\n}", "-")
	if code != 1 || !strings.Contains(out, "<stdin>:3:") || !strings.Contains(out, "invalid-policy") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// Input beyond a limit exits 2 with an error naming the input and the
// limit; nothing is linted.
func TestLintInputLimits(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(64<<20 + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cases := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"file over 64 MiB", "", []string{big}, big + ": input is larger than the 64 MiB limit for policy lint input"},
		{"deep nesting on stdin", strings.Repeat("[", 1_000_000), []string{"-"}, "<stdin>:1:257: nesting deeper than 256 levels, the limit for JSON input"},
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		cases = append(cases, struct {
			name  string
			stdin string
			args  []string
			want  string
		}{"/dev/zero", "", []string{"/dev/zero"}, "/dev/zero: input is larger than the 64 MiB limit for policy lint input"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ios, in, out, errOut := iostreams.Test()
			in.WriteString(c.stdin)
			cmd := NewCmdLint(ios, nil)
			cmd.SetArgs(c.args)
			cmd.SetOut(out)
			cmd.SetErr(errOut)
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			err := cmd.Execute()
			if code := cmdutil.ExitCode(err); code != cmdutil.ExitError || err.Error() != c.want {
				t.Errorf("exit %d, error %v; want 2 and %q", code, err, c.want)
			}
			if out.Len() != 0 {
				t.Errorf("stdout: %q", out.String())
			}
		})
	}
}
