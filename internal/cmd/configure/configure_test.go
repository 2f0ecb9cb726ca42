package configure

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil/cmdtest"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/lab"
)

const original = "# My AWS config.\r\n" +
	"[default]\r\n" +
	"region = us-east-1\r\n" +
	"\r\n" +
	"; the work account\r\n" +
	"[profile work]\r\n" +
	"region = us-west-2   # keep this comment\r\n" +
	"external_id = old-id\r\n" +
	"\r\n" +
	"[profile other]\r\n" +
	"s3 =\r\n" +
	"  max_concurrent_requests = 20\r\n" +
	"# trailing comment, no final newline"

func setup(t *testing.T) (*cmdtest.Env, string) {
	t.Helper()
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	if err := os.WriteFile(e.Lab.ConfigPath, []byte(original), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(e.Lab.ConfigPath, 0o640); err != nil {
		t.Fatal(err)
	}
	return e, e.Lab.ConfigPath
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestConfigureWithFlagsKeepsTheRestOfTheFile(t *testing.T) {
	e, path := setup(t)
	o := &Options{IO: e.IO, Factory: e.Factory, Profile: "work", Executable: "awsmfa",
		CLIProfile: "work-cli",
		Values: map[string]string{
			"role_arn":       "arn:aws:iam::123456789012:role/cli-role",
			"source_profile": "anika",
			"mfa_serial":     e.Lab.Anika.MFASerial,
			"region":         "eu-west-1",
			"external_id":    "",
			"endpoint_url":   "",
		}}
	// endpoint_url is not a configure setting: ignored.
	delete(o.Values, "endpoint_url")
	o.Values["mfa_process"] = "oathtool --totp -b SEED"
	if err := Run(o); err != nil {
		t.Fatalf("%v\n%s", err, e.Err.String())
	}
	got := read(t, path)
	want := "# My AWS config.\r\n" +
		"[default]\r\n" +
		"region = us-east-1\r\n" +
		"\r\n" +
		"; the work account\r\n" +
		"[profile work]\r\n" +
		"region = eu-west-1   # keep this comment\r\n" +
		"role_arn = arn:aws:iam::123456789012:role/cli-role\r\n" +
		"source_profile = anika\r\n" +
		"mfa_serial = " + e.Lab.Anika.MFASerial + "\r\n" +
		"mfa_process = oathtool --totp -b SEED\r\n" +
		"\r\n" +
		"[profile other]\r\n" +
		"s3 =\r\n" +
		"  max_concurrent_requests = 20\r\n" +
		"# trailing comment, no final newline\r\n" +
		"\r\n" +
		"[profile work-cli]\r\n" +
		"credential_process = awsmfa credential-process --profile work\r\n" +
		"region = eu-west-1"
	if got != want {
		t.Fatalf("file:\n%q\nwant:\n%q", got, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode changed to %v", fi.Mode())
	}
	out := e.Out.String()
	for _, w := range []string{
		"[profile work] in " + path,
		"  ~ region = eu-west-1 (was us-west-2)",
		"  + role_arn = arn:aws:iam::123456789012:role/cli-role",
		"  - external_id (was old-id)",
		"[profile work-cli]",
		"  + credential_process = awsmfa credential-process --profile work",
		"MFA: one code for " + e.Lab.Anika.MFASerial + " per 12h MFA session, shared by work",
		"aws --profile work-cli sts get-caller-identity",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("summary lacks %q:\n%s", w, out)
		}
	}
	// The profile works: anika's keys, the role, MFA from mfa_process.
	cfg, err := e.Factory.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	ch, err := cfg.Resolve("work")
	if err != nil {
		t.Fatal(err)
	}
	if ch.MFA.Process != "oathtool --totp -b SEED" || ch.Region != "eu-west-1" {
		t.Fatalf("%+v", ch.MFA)
	}
	// Same settings again: nothing changes.
	e.Out.Reset()
	o.CLIProfile = ""
	o.Values = map[string]string{"region": "eu-west-1"}
	if err := Run(o); err != nil {
		t.Fatal(err)
	}
	if read(t, path) != want || !strings.Contains(e.Out.String(), "nothing changed") {
		t.Fatalf("re-run changed the file or did not say so:\n%s", e.Out.String())
	}
}

func TestConfigureRefusesBadSettings(t *testing.T) {
	e, path := setup(t)
	cases := []struct {
		values map[string]string
		cli    string
		want   string
	}{
		{map[string]string{"mfa_serial": "arn:aws:iam::123456789012:user/anika"}, "", "mfa/anika"},
		{map[string]string{"role_arn": "arn:aws:iam::123456789012:user/x"}, "", "not an IAM role ARN"},
		{map[string]string{"mfa_session_duration": "48h"}, "", "15m to 36h"},
		{map[string]string{"awsmfa_mode": "sometimes"}, "", "not session or per-role"},
		// Resolves to nothing usable: a role without a source.
		{map[string]string{"role_arn": "arn:aws:iam::123456789012:role/x"}, "", "was not changed"},
		{map[string]string{"region": "eu-west-1"}, "work", "another valid profile name"},
		{map[string]string{"mfa_process": "a #b"}, "", "comment"},
	}
	for _, c := range cases {
		err := Run(&Options{IO: e.IO, Factory: e.Factory, Profile: "work", Values: c.values, CLIProfile: c.cli, Executable: "awsmfa"})
		if cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.values, err, c.want)
		}
		if read(t, path) != original {
			t.Fatalf("%v: the file changed", c.values)
		}
	}
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Profile: "bad name"}); cmdutil.ExitCode(err) != 2 {
		t.Errorf("bad profile name: %v", err)
	}
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Profile: "work", Values: map[string]string{}}); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "run in a terminal") {
		t.Errorf("no settings, no terminal: %v", err)
	}
}

func TestConfigureWarnsAboutTheCredentialsFile(t *testing.T) {
	e, _ := setup(t)
	creds := read(t, e.Lab.CredsPath) + "\n[work]\nregion = ap-south-1\naws_access_key_id = " + e.Lab.Anika.AccessKeys[0].ID + "\naws_secret_access_key = " + e.Lab.Anika.AccessKeys[0].Secret + "\n"
	if err := os.WriteFile(e.Lab.CredsPath, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Profile: "work", Values: map[string]string{"region": "eu-west-1", "mfa_serial": e.Lab.Anika.MFASerial}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Err.String(), "also sets region for profile \"work\"") {
		t.Fatalf("stderr %q", e.Err.String())
	}
}

func TestConfigureQuestions(t *testing.T) {
	e, path := setup(t)
	defer func() {
		if !strings.Contains(read(t, path), "# trailing comment, no final newline") {
			t.Error("comments lost")
		}
	}()
	e.IO.SetStdinTTY(true)
	in := strings.NewReader("arn:aws:iam::123456789012:role/cli-role\n\nbad serial!\n" + e.Lab.Anika.MFASerial + "\n\n\n")
	e.IO.In = in
	o := &Options{IO: e.IO, Factory: e.Factory, Profile: "work", Values: map[string]string{}}
	if err := Run(o); err != nil {
		t.Fatalf("%v\nstderr %s", err, e.Err.String())
	}
	prompts := e.Err.String()
	for _, w := range []string{"Role to assume (role_arn), empty for none: ", "Profile with your access keys (source_profile) [anika]: ", "is neither an MFA device ARN", "Region [us-west-2]: "} {
		if !strings.Contains(prompts, w) {
			t.Errorf("prompts lack %q:\n%s", w, prompts)
		}
	}
	cfg, err := e.Factory.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Profile("work")
	if p.Value("role_arn") != "arn:aws:iam::123456789012:role/cli-role" || p.Value("source_profile") != "anika" || p.Value("mfa_serial") != e.Lab.Anika.MFASerial || p.Value("region") != "us-west-2" {
		t.Fatalf("%v", p.Map())
	}
	if _, ok := p.Get("mfa_process"); ok {
		t.Error("an empty answer set mfa_process")
	}
}

func TestConfiguredProfileGetsCredentials(t *testing.T) {
	e, _ := setup(t)
	err := Run(&Options{IO: e.IO, Factory: e.Factory, Profile: "work", Values: map[string]string{
		"role_arn": "arn:aws:iam::123456789012:role/cli-role", "source_profile": "anika", "mfa_serial": e.Lab.Anika.MFASerial, "external_id": "",
	}})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := e.Factory.LoadConfig()
	ch, err := cfg.Resolve("work")
	if err != nil {
		t.Fatal(err)
	}
	// anika's profile in the lab config has the endpoint; work needs it too.
	ch.STSEndpoint = e.Lab.URL
	b, err := e.Factory.Broker(cfg, ch, brokerutil.Flags{}, brokerutil.PromptInteractive)
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.GetChain(context.Background(), ch, broker.GetOptions{})
	if err != nil || !strings.Contains(c.PrincipalARN, "assumed-role/cli-role/") {
		t.Fatalf("%v %v", c, err)
	}
}

// TestCLIProfileCarriesTheRegion: the profile --cli-profile writes gets
// the region of the configured profile's chain (the AWS CLI reads the
// region of the profile it is given, not of those credential_process
// uses), unless --region says otherwise or it has one already; without
// any region, configure says so.
func TestCLIProfileCarriesTheRegion(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	path := e.Lab.ConfigPath
	values := map[string]string{"role_arn": "arn:aws:iam::123456789012:role/cli-role", "source_profile": "anika", "mfa_serial": e.Lab.Anika.MFASerial}
	// The new profile has no region of its own: anika's (source) is used.
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Profile: "admin", Values: values, Executable: "awsmfa", CLIProfile: "admin-cli"}); err != nil {
		t.Fatalf("%v\n%s", err, e.Err.String())
	}
	cfg, err := e.Factory.LoadConfig()
	if err != nil {
		t.Fatal(err)
	}
	want := cfg.Profile("anika").Value("region")
	if want == "" {
		t.Fatal("the lab's anika profile has no region")
	}
	if got := cfg.Profile("admin-cli").Map(); got["region"] != want || got["credential_process"] != "awsmfa credential-process --profile admin" {
		t.Fatalf("admin-cli = %v, want region %s", got, want)
	}
	if !strings.Contains(e.Out.String(), "+ region = "+want) {
		t.Errorf("summary does not show the region:\n%s", e.Out.String())
	}
	// work has its own region (us-west-2); --region wins over both.
	if err := os.WriteFile(path, []byte(read(t, path)+"\n[profile work]\nregion = us-west-2\n[profile other]\nrole_arn = arn:aws:iam::123456789012:role/cli-role\nsource_profile = anika\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Profile: "work", Values: values, Executable: "awsmfa", CLIProfile: "work-cli"}); err != nil {
		t.Fatal(err)
	}
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Profile: "other", Values: map[string]string{"region": "eu-central-1"}, Executable: "awsmfa", CLIProfile: "other-cli"}); err != nil {
		t.Fatal(err)
	}
	cfg, _ = e.Factory.LoadConfig()
	if r := cfg.Profile("work-cli").Value("region"); r != "us-west-2" {
		t.Errorf("work-cli region %q, want work's us-west-2", r)
	}
	if r := cfg.Profile("other-cli").Value("region"); r != "eu-central-1" {
		t.Errorf("other-cli region %q, want --region's", r)
	}
}

// TestCLIProfileWithoutAnyRegion: no region anywhere is a warning.
func TestCLIProfileWithoutAnyRegion(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	key := e.Lab.Anika.AccessKeys[0]
	if err := os.WriteFile(e.Lab.ConfigPath, []byte("[profile keys]\naws_access_key_id = "+key.ID+"\naws_secret_access_key = "+key.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Profile: "keys", Values: map[string]string{"mfa_serial": e.Lab.Anika.MFASerial}, Executable: "awsmfa", CLIProfile: "keys-cli"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Err.String(), `profile "keys-cli" has no region`) {
		t.Errorf("stderr %q", e.Err.String())
	}
}

// TestConfigureWarnsAboutShortSessions: duration_seconds (or an MFA
// session) shorter than the AWS CLI's margin is accepted with a warning.
func TestConfigureWarnsAboutShortSessions(t *testing.T) {
	e, _ := setup(t)
	values := map[string]string{"role_arn": "arn:aws:iam::123456789012:role/cli-role", "source_profile": "anika", "mfa_serial": e.Lab.Anika.MFASerial,
		"duration_seconds": "900", "awsmfa_mode": "per-role"}
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Profile: "short", Values: values}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Err.String(), `duration_seconds 900 of profile "short" gives credentials of 15m, less than the 16m`) || !strings.Contains(e.Err.String(), "until 7m30s are left") {
		t.Errorf("stderr %q", e.Err.String())
	}
	e.Err.Reset()
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Profile: "short", Values: map[string]string{"duration_seconds": "3600"}}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.Err.String(), "less than the 16m") {
		t.Errorf("warned for an hour: %q", e.Err.String())
	}
}

// TestConfigureWarnsAboutDuplicates: a section written twice (merged by
// the SDKs, refused by the AWS CLI) is reported.
func TestConfigureWarnsAboutDuplicates(t *testing.T) {
	e, path := setup(t)
	if err := os.WriteFile(path, []byte(original+"\n[profile work]\noutput = json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	values := map[string]string{"role_arn": "arn:aws:iam::123456789012:role/cli-role", "source_profile": "anika", "mfa_serial": e.Lab.Anika.MFASerial}
	if err := Run(&Options{IO: e.IO, Factory: e.Factory, Profile: "work", Values: values}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Err.String(), "section [profile work] is written again here") || !strings.Contains(e.Err.String(), "AWS CLI refuses the whole file") {
		t.Errorf("stderr %q", e.Err.String())
	}
}

// TestEndlessAnswer: an endless line on standard input is an error, not
// an endless read.
func TestEndlessAnswer(t *testing.T) {
	e, _ := setup(t)
	e.IO.SetStdinTTY(true)
	e.IO.In = io.LimitReader(zeros{}, 10<<20)
	err := Run(&Options{IO: e.IO, Factory: e.Factory, Profile: "work", Values: map[string]string{}})
	if err == nil || !strings.Contains(err.Error(), "4096-byte limit") || cmdutil.ExitCode(err) != 2 {
		t.Fatalf("Run = %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}
