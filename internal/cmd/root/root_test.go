package root

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
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
		// terraform's -detailed-exitcode: 2 means changes, so every error is 1,
		// even a command line that cannot be parsed; without the flag, 2.
		{args: []string{"setup", "plan", "--bogus", "--detailed-exitcode"}, code: 1, stderr: "unknown flag: --bogus"},
		{args: []string{"setup", "plan", "--detailed-exitcode", "extra"}, code: 1, stderr: `unknown command "extra"`},
		{args: []string{"setup", "plan", "--detailed-exitcode"}, code: 1, stderr: "name the setup file with -f FILE"},
		{args: []string{"setup", "plan", "--bogus"}, code: 2, stderr: "unknown flag: --bogus"},
		// credential-process: its fast path leaves anything unusual to
		// the command tree, which answers as for every command.
		{args: []string{"credential-process", "--help"}, code: 0, stdout: "credential_process"},
		{args: []string{"credential-process", "--bogus"}, code: 2, stderr: "unknown flag: --bogus"},
		{args: []string{"credential-process", "--profile", "p", "extra"}, code: 2, stderr: `unknown command "extra"`},
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

// The broker's commands are wired in and keep the exit-code contract: an
// unknown profile is an input error (2) named on stderr, nothing on stdout.
func TestBrokerCommandsWired(t *testing.T) {
	dir := t.TempDir()
	cfg := dir + "/config"
	if err := os.WriteFile(cfg, []byte("[profile dev]\nregion = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWSMFA_CACHE_DIR", dir+"/cache")
	t.Setenv("AWS_PROFILE", "")
	for _, args := range [][]string{
		{"credential-process", "--profile", "deve"},
		{"export", "--profile", "deve"},
		{"exec", "--profile", "deve", "--", "true"},
	} {
		ios, _, out, errOut := iostreams.Test()
		if code := Main(ios, args); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, errOut.String())
		}
		if out.Len() != 0 || !strings.Contains(errOut.String(), `"deve"`) || !strings.Contains(errOut.String(), "dev") {
			t.Errorf("%v: stdout %q stderr %q", args, out.String(), errOut.String())
		}
	}
	ios, _, out, _ := iostreams.Test()
	if code := Main(ios, []string{"status"}); code != 0 || !strings.Contains(out.String(), "dev") {
		t.Errorf("status: exit %d:\n%s", code, out.String())
	}
}

func TestInterruptedRewritesCancellation(t *testing.T) {
	live := context.Background()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	quiet := &cmdutil.ExitCodeError{Code: 130}
	stsErr := fmt.Errorf("GetSessionToken: %w", context.Canceled)
	other := errors.New("profile p: no such profile")
	cases := []struct {
		name     string
		ctx      context.Context
		err      error
		wantCode int
		wantMsg  string
	}{
		{"not interrupted: kept", live, stsErr, 2, "GetSessionToken"},
		{"interrupted call", done, stsErr, 2, "interrupted"},
		{"child's exit status kept", done, quiet, 130, ""},
		{"unrelated error kept", done, other, 2, "no such profile"},
	}
	for _, c := range cases {
		got := interrupted(c.ctx, c.err)
		if code := cmdutil.ExitCode(got); code != c.wantCode {
			t.Errorf("%s: exit %d, want %d", c.name, code, c.wantCode)
		}
		if c.wantMsg != "" && !strings.Contains(got.Error(), c.wantMsg) {
			t.Errorf("%s: %q lacks %q", c.name, got, c.wantMsg)
		}
		if c.wantMsg == "" && got != c.err {
			t.Errorf("%s: error replaced: %v", c.name, got)
		}
	}
}
