package credentialprocess_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil/cmdtest"
	"github.com/awsmfa/awsmfa/internal/cmd/credentialprocess"
	"github.com/awsmfa/awsmfa/internal/cmd/root"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/lab"
)

type output struct {
	Version         int
	AccessKeyId     string
	SecretAccessKey string
	SessionToken    string
	Expiration      string
	AccountId       string
}

func parse(t *testing.T, s string) output {
	t.Helper()
	var o output
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		t.Fatalf("stdout %q: %v", s, err)
	}
	return o
}

func run(e *cmdtest.Env, profile string, mod func(*credentialprocess.Options)) error {
	o := &credentialprocess.Options{IO: e.IO, Factory: e.Factory, MinRemaining: broker.CLIMinRemaining}
	o.Flags.Profile = profile
	if mod != nil {
		mod(o)
	}
	return credentialprocess.Run(o)
}

func TestCredentialProcessOutputAndCacheHit(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	if err := run(e, "role-with-mfa", nil); err != nil {
		t.Fatal(err)
	}
	first := parse(t, e.Out.String())
	if first.Version != 1 || !strings.HasPrefix(first.AccessKeyId, "ASIA") || first.SecretAccessKey == "" || first.SessionToken == "" || first.AccountId != "123456789012" {
		t.Fatalf("%+v", first)
	}
	exp, err := time.Parse(time.RFC3339, first.Expiration)
	if err != nil || exp.Sub(e.Lab.Clock.Now()) != time.Hour {
		t.Fatalf("Expiration %q", first.Expiration)
	}
	if e.MFA.Calls() != 1 || len(e.MFAOptions) != 2 || e.MFAOptions[0].TTY == "" || !e.MFAOptions[0].Desktop {
		t.Fatalf("prompts %d, MFA options %+v", e.MFA.Calls(), e.MFAOptions)
	}
	// The hit: no prompt, no request to STS.
	requests := e.Lab.Stat("requests")
	e.Out.Reset()
	if err := run(e, "role-with-mfa", nil); err != nil {
		t.Fatal(err)
	}
	if got := parse(t, e.Out.String()); got.AccessKeyId != first.AccessKeyId || e.MFA.Calls() != 1 || e.Lab.Stat("requests") != requests {
		t.Fatalf("not a hit: %+v, prompts %d, requests %d -> %d", got, e.MFA.Calls(), requests, e.Lab.Stat("requests"))
	}
	// 45 minutes later, 15 are left: the AWS CLI would call again at
	// once, so they are refreshed (from the MFA session, no prompt).
	e.Lab.Clock.Advance(45 * time.Minute)
	e.Out.Reset()
	if err := run(e, "role-with-mfa", nil); err != nil {
		t.Fatal(err)
	}
	if got := parse(t, e.Out.String()); got.AccessKeyId == first.AccessKeyId || e.MFA.Calls() != 1 {
		t.Fatalf("not refreshed: %+v, prompts %d", got, e.MFA.Calls())
	}
	if strings.Contains(e.Err.String(), first.SecretAccessKey) {
		t.Error("a secret on stderr")
	}
}

func TestCredentialProcessErrors(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	cases := []struct {
		name    string
		profile string
		mod     func(*credentialprocess.Options)
		want    string
	}{
		{"no prompt", "role-with-mfa", func(o *credentialprocess.Options) { o.NoPrompt = true }, "prompting is disabled"},
		{"unknown profile", "nosuch", nil, "profile not found"},
		{"denied", "role-without-mfa", nil, "set mfa_serial"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.Out.Reset()
			err := run(e, c.profile, c.mod)
			if cmdutil.ExitCode(err) != cmdutil.ExitError || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%v", err)
			}
			if e.Out.String() != "" {
				t.Fatalf("stdout %q", e.Out.String())
			}
		})
	}
	loop := cmdtest.OnLab(e.Lab, map[string]string{broker.EnvProfileStack: "x,role-with-mfa"})
	if err := run(loop, "role-with-mfa", nil); broker.ErrorCodeOf(err) != broker.CodeLoop {
		t.Fatalf("loop: %v", err)
	}
}

// Through the real command line: flags, the process environment, the file
// cache, --mfa-token, streams and exit codes.
func TestCredentialProcessCommandLine(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	for k, v := range e.Lab.Env() {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_PROFILE", "")
	t.Setenv(brokerutil.EnvCacheDir, t.TempDir())
	t.Setenv(brokerutil.EnvCacheBackend, "file")
	t.Setenv(broker.EnvProfileStack, "")
	main := func(args ...string) (int, string, string) {
		ios, _, out, errOut := iostreams.Test()
		return root.Main(ios, args), out.String(), errOut.String()
	}
	code, out, errOut := main("credential-process", "--profile", "role-with-mfa", "--mfa-token", "12345")
	if code != 2 || out != "" || !strings.Contains(errOut, "--mfa-token") {
		t.Fatalf("bad token: %d %q %q", code, out, errOut)
	}
	// The lab's clock is a minute ahead of real time, the code too.
	code, out, errOut = main("credential-process", "--profile", "role-with-mfa", "--mfa-token", e.Lab.Code())
	if code != 0 || !strings.Contains(errOut, "MFA session for") {
		t.Fatalf("%d %q %q", code, out, errOut)
	}
	first := parse(t, out)
	code, out, errOut = main("credential-process", "--profile", "role-with-mfa", "--no-prompt")
	if code != 0 || errOut != "" || parse(t, out).AccessKeyId != first.AccessKeyId {
		t.Fatalf("from the file cache: %d %q %q", code, out, errOut)
	}
	code, out, errOut = main("credential-process", "--profile", "role-with-mfa", "extra")
	if code != 2 || out != "" || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("usage: %d %q %q", code, out, errOut)
	}
}

// TestFast: the fast path takes a credential_process line's forms and
// leaves the rest to the command tree.
func TestFast(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	for _, tc := range []struct {
		args    []string
		ok      bool
		profile string
		noPr    bool
		minRem  time.Duration
		token   string
	}{
		{[]string{"credential-process", "--profile", "work"}, true, "work", false, broker.CLIMinRemaining, ""},
		{[]string{"credential-process", "-p", "work", "--no-prompt"}, true, "work", true, broker.CLIMinRemaining, ""},
		{[]string{"credential-process", "--profile=work", "--min-remaining", "20m", "--mfa-token", "123456"}, true, "work", false, 20 * time.Minute, "123456"},
		{[]string{"credential-process"}, true, "", false, broker.CLIMinRemaining, ""},
		{[]string{"credential-process", "--help"}, false, "", false, 0, ""},
		{[]string{"credential-process", "--bogus"}, false, "", false, 0, ""},
		{[]string{"credential-process", "--profile", "work", "extra"}, false, "", false, 0, ""},
		{[]string{"credential-process", "--min-remaining", "soon"}, false, "", false, 0, ""},
		{[]string{"exec", "--profile", "work"}, false, "", false, 0, ""},
		{nil, false, "", false, 0, ""},
	} {
		o, ok := credentialprocess.Fast(ios, tc.args)
		if ok != tc.ok {
			t.Errorf("%q: ok %v, want %v", tc.args, ok, tc.ok)
			continue
		}
		if ok && (o.Flags.Profile != tc.profile || o.NoPrompt != tc.noPr || o.MinRemaining != tc.minRem || o.Flags.MFAToken != tc.token || o.Factory == nil) {
			t.Errorf("%q: options %+v", tc.args, o)
		}
	}
}
