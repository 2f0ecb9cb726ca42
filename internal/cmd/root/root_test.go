package root

import (
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/iostreams"
)

func TestMainExitCodesAndStreams(t *testing.T) {
	cases := []struct {
		args       []string
		code       int
		stdout     string
		stderr     string
		stdinInput string
	}{
		{args: []string{"--version"}, code: 0, stdout: "awsmfa "},
		{args: []string{"nonsense"}, code: 2, stderr: `unknown command "nonsense"`},
		{args: []string{"policy", "lint", "--bogus"}, code: 2, stderr: "unknown flag: --bogus"},
		{args: []string{"policy", "generate"}, code: 2, stderr: "accepts 1 arg"},
		{args: []string{"policy", "generate", "deny-without-mfa"}, code: 0, stdout: `"BoolIfExists"`},
		{args: []string{"policy", "generate", "nope"}, code: 2, stderr: `unknown template "nope"`},
		{args: []string{"policy", "lint"}, code: 1, stdout: "mfa-deny-misses-long-term-keys", stderr: "bundled seed policies"},
		{args: []string{"policy", "lint", "-"}, code: 0, stdinInput: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`},
		{args: []string{"completion", "bash"}, code: 0, stdout: "bash completion"},
	}
	for _, c := range cases {
		ios, in, out, errOut := iostreams.Test()
		in.WriteString(c.stdinInput)
		code := Main(ios, c.args)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, c.code, errOut.String())
		}
		if c.stdout != "" && !strings.Contains(out.String(), c.stdout) {
			t.Errorf("%v: stdout lacks %q:\n%s", c.args, c.stdout, out.String())
		}
		if c.stderr != "" && !strings.Contains(errOut.String(), c.stderr) {
			t.Errorf("%v: stderr lacks %q:\n%s", c.args, c.stderr, errOut.String())
		}
		if c.code == 2 && out.Len() > 0 {
			t.Errorf("%v: usage error wrote to stdout: %q", c.args, out.String())
		}
	}
}
