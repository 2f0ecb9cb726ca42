package export

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil/cmdtest"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/lab"
)

func run(e *cmdtest.Env, profile, format string, mod func(*Options)) error {
	o := &Options{IO: e.IO, Factory: e.Factory, Format: format, MinRemaining: broker.CLIMinRemaining}
	o.Flags.Profile = profile
	if mod != nil {
		mod(o)
	}
	return Run(o)
}

func TestFormats(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	if err := run(e, "role-with-mfa", FormatEnv, nil); err != nil {
		t.Fatal(err)
	}
	env := e.Out.String()
	for _, want := range []string{"export AWS_ACCESS_KEY_ID=ASIA", "export AWS_SECRET_ACCESS_KEY=", "export AWS_SESSION_TOKEN=", "export AWS_CREDENTIAL_EXPIRATION=", "export AWS_REGION=us-east-1\n", "export AWS_DEFAULT_REGION=us-east-1\n"} {
		if !strings.Contains(env, want) {
			t.Errorf("env output lacks %q:\n%s", want, env)
		}
	}
	// The shell reads it back unchanged.
	out, err := exec.Command("sh", "-c", env+`printf '%s|%s' "$AWS_ACCESS_KEY_ID" "$AWS_SESSION_TOKEN"`).Output()
	if err != nil {
		t.Fatal(err)
	}
	var c struct{ AccessKeyId, SessionToken string }
	e.Out.Reset()
	if err := run(e, "role-with-mfa", FormatJSON, nil); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(e.Out.String()), &c); err != nil {
		t.Fatal(err)
	}
	if string(out) != c.AccessKeyId+"|"+c.SessionToken {
		t.Fatalf("shell read %q", out)
	}
	e.Out.Reset()
	if err := run(e, "role-with-mfa", FormatINI, nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := awsconfig.Parse(awsconfig.File{Kind: awsconfig.CredentialsFile, Data: []byte(e.Out.String())})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := cfg.Resolve("role-with-mfa")
	if err != nil || ch.Base.AccessKeyID != c.AccessKeyId || string(ch.Base.SessionToken) != c.SessionToken {
		t.Fatalf("ini: %v", err)
	}
	if e.MFA.Calls() != 1 {
		t.Errorf("prompts %d", e.MFA.Calls())
	}
	// Static keys: no token, no expiry.
	e.Out.Reset()
	if err := run(e, "anika-plain", FormatEnv, nil); err != nil {
		t.Fatal(err)
	}
	if got := e.Out.String(); !strings.Contains(got, "unset AWS_SESSION_TOKEN") || strings.Contains(got, "EXPIRATION") {
		t.Fatalf("static: %s", got)
	}
	if err := run(e, "role-with-mfa", "yaml", nil); cmdutil.ExitCode(err) != 2 {
		t.Fatalf("bad format: %v", err)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"abc/+=": "abc/+=", "": "''", "a b": "'a b'", "it's": `'it'\''s'`, "$x": "'$x'"} {
		if got := shellQuote(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestCLICacheKey(t *testing.T) {
	// Keys computed by botocore (AssumeRoleCredentialFetcher._cache_key of
	// the AWS CLI v2 2.9.19) for the same arguments.
	cases := []struct {
		args map[string]any
		key  string
	}{
		{map[string]any{"RoleArn": "arn:aws:iam::123456789012:role/cli-role", "SerialNumber": "arn:aws:iam::123456789012:mfa/anika"}, "da69395067955fe54092b10f2af175098a228306"},
	}
	for _, c := range cases {
		if got := CLICacheKey(c.args); got != c.key {
			t.Errorf("%v: %s, want %s", c.args, got, c.key)
		}
	}
	if got := pyJSONDumps(map[string]any{"RoleArn": "a\"b\\c/d\u00e9\U0001F600\x01\x7f", "DurationSeconds": int64(3600), "ExternalId": "x"}); got != `{"DurationSeconds": 3600, "ExternalId": "x", "RoleArn": "a\"b\\c/d\u00e9\ud83d\ude00\u0001\u007f"}` {
		t.Errorf("pyJSONDumps: %s", got)
	}
}

// botocoreKey computes the AWS CLI's key with its own botocore.
func botocoreKey(t *testing.T, args map[string]any) string {
	t.Helper()
	const dir = "/usr/lib/python3/dist-packages/awscli"
	if _, err := os.Stat(filepath.Join(dir, "botocore", "credentials.py")); err != nil {
		t.Skip("the AWS CLI's botocore is not installed")
	}
	// The Python the Debian AWS CLI runs with (another python3 on PATH
	// may lack its dependencies).
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	in, _ := json.Marshal(args)
	script := `
import json, sys
sys.path.insert(0, "` + dir + `")
from botocore.credentials import AssumeRoleCredentialFetcher
args = json.loads(sys.stdin.read())
role = args.pop("RoleArn")
print(AssumeRoleCredentialFetcher(None, None, role, extra_args=args)._cache_key)
`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v %s", err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestCLICacheKeyMatchesBotocore(t *testing.T) {
	cases := []map[string]any{
		{"RoleArn": "arn:aws:iam::123456789012:role/cli-role"},
		{"RoleArn": "arn:aws:iam::123456789012:role/path/x", "SerialNumber": "GAHT12345678", "DurationSeconds": int64(900), "ExternalId": "ext/id:1", "RoleSessionName": "me@corp"},
		{"RoleArn": "arn:aws:iam::123456789012:role/é\"\\", "ExternalId": "\U0001F600\t\x7f"},
	}
	for _, args := range cases {
		want := botocoreKey(t, args)
		if got := CLICacheKey(args); got != want {
			t.Errorf("%v: %s, botocore %s", args, got, want)
		}
	}
}

func TestCLICacheArgs(t *testing.T) {
	text := `[profile r]
role_arn = arn:aws:iam::123456789012:role/r
mfa_serial = arn:aws:iam::123456789012:mfa/me
duration_seconds = 1_800
external_id = ext
role_session_name = sess
[profile bad-duration]
role_arn = arn:aws:iam::123456789012:role/r
duration_seconds = 1h
[profile keys]
aws_access_key_id = AKIA
aws_secret_access_key = s
`
	cfg, err := awsconfig.Parse(awsconfig.File{Kind: awsconfig.ConfigFile, Data: []byte(text)})
	if err != nil {
		t.Fatal(err)
	}
	args, err := CLICacheArgs(cfg.Profile("r"))
	if err != nil {
		t.Fatal(err)
	}
	if got := pyJSONDumps(args); got != `{"DurationSeconds": 1800, "ExternalId": "ext", "RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "sess", "SerialNumber": "arn:aws:iam::123456789012:mfa/me"}` {
		t.Errorf("%s", got)
	}
	args, _ = CLICacheArgs(cfg.Profile("bad-duration"))
	if _, ok := args["DurationSeconds"]; ok {
		t.Error("botocore drops a duration_seconds that int() refuses")
	}
	if _, err := CLICacheArgs(cfg.Profile("keys")); err == nil || !strings.Contains(err.Error(), "no role_arn") {
		t.Errorf("%v", err)
	}
	for in, want := range map[string]int64{" 900 ": 900, "+900": 900, "9_00": 900} {
		if n, err := pyInt(in); err != nil || n != want {
			t.Errorf("pyInt(%q) = %d, %v", in, n, err)
		}
	}
	for _, in := range []string{"9__00", "_900", "900_", "0x10", "1e3", ""} {
		if _, err := pyInt(in); err == nil {
			t.Errorf("pyInt(%q) accepted", in)
		}
	}
}

func TestWriteCLICacheAndTheRealAWSCLI(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	if err := run(e, "anika", FormatEnv, func(o *Options) { o.WriteCLICache = true }); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "no role_arn") {
		t.Fatalf("non-role profile: %v", err)
	}
	if err := run(e, "role-with-mfa", FormatEnv, func(o *Options) { o.WriteCLICache = true }); err != nil {
		t.Fatal(err)
	}
	if e.Out.String() != "" {
		t.Fatalf("printed credentials without --format: %q", e.Out.String())
	}
	path := filepath.Join(e.Lab.Dir, ".aws", "cli", "cache", "da69395067955fe54092b10f2af175098a228306.json")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("%v; stderr %s", err, e.Err.String())
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	if !strings.Contains(e.Err.String(), path) {
		t.Errorf("stderr does not name the file: %s", e.Err.String())
	}
	var entry struct {
		Credentials     map[string]string
		AssumedRoleUser map[string]string
	}
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &entry); err != nil {
		t.Fatal(err)
	}
	exp, err := time.Parse("2006-01-02T15:04:05UTC", entry.Credentials["Expiration"])
	if err != nil || exp.Sub(e.Lab.Clock.Now()) != time.Hour || !strings.HasPrefix(entry.Credentials["AccessKeyId"], "ASIA") ||
		entry.Credentials["SessionToken"] == "" || !strings.Contains(entry.AssumedRoleUser["Arn"], "assumed-role/cli-role/") {
		t.Fatalf("entry %s (%v)", entry.Credentials["Expiration"], err)
	}

	// The AWS CLI itself uses it: no AssumeRole, no prompt (stdin is
	// empty: a prompt would fail).
	aws := "/usr/bin/aws"
	if _, err := os.Stat(aws); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the AWS CLI is required under CI=true")
		}
		t.Skip("the AWS CLI is not installed")
	}
	ar := e.Lab.Stat("sts:AssumeRole")
	cmd := exec.Command(aws, "--endpoint-url", e.Lab.URL, "--profile", "role-with-mfa", "--output", "json", "sts", "get-caller-identity")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + e.Lab.Dir, "AWS_CONFIG_FILE=" + e.Lab.ConfigPath,
		"AWS_SHARED_CREDENTIALS_FILE=" + e.Lab.CredsPath, "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws: %v\n%s", err, out)
	}
	var id struct{ Arn string }
	if err := json.Unmarshal(out, &id); err != nil || id.Arn != entry.AssumedRoleUser["Arn"] {
		t.Fatalf("aws answered %s", out)
	}
	if e.Lab.Stat("sts:AssumeRole") != ar {
		t.Fatal("the AWS CLI called AssumeRole instead of using its cache")
	}
}

// FuzzPyJSONDumps: the output is JSON that decodes to the input, with
// only ASCII printable characters, keys sorted.
func FuzzPyJSONDumps(f *testing.F) {
	f.Add("arn:aws:iam::123456789012:role/r", "é\"\\\x00\U0001F600", int64(3600))
	f.Add("", "\x7f\u2028", int64(-1))
	f.Fuzz(func(t *testing.T, role, ext string, dur int64) {
		if !utf8.ValidString(role) || !utf8.ValidString(ext) {
			return // Python strings are Unicode text
		}
		in := map[string]any{"RoleArn": role, "ExternalId": ext, "DurationSeconds": dur}
		s := pyJSONDumps(in)
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] > 0x7e {
				t.Fatalf("non-ASCII or control byte in %q", s)
			}
		}
		var out map[string]any
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if err := dec.Decode(&out); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if out["RoleArn"] != role || out["ExternalId"] != ext || out["DurationSeconds"].(json.Number).String() != strconv.FormatInt(dur, 10) {
			t.Fatalf("%q decodes to %v", s, out)
		}
		if strings.Index(s, `"DurationSeconds"`) > strings.Index(s, `"ExternalId"`) || strings.Index(s, `"ExternalId"`) > strings.Index(s, `"RoleArn"`) {
			t.Fatalf("keys not sorted: %s", s)
		}
	})
}
