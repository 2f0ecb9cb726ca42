package awsconfig

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustParse(t *testing.T, config, credentials string) *Config {
	t.Helper()
	c, err := Parse(File{Kind: ConfigFile, Path: "/h/.aws/config", Data: []byte(config)},
		File{Kind: CredentialsFile, Path: "/h/.aws/credentials", Data: []byte(credentials)})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return c
}

func TestParseErrorsAreLocated(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		msg        string
	}{
		{"property before section", "# c\n\nregion = x\n", 3, "Expected a profile definition"},
		{"unterminated header", "[default]\nregion = x\n[profile a\n", 3, "must end with ']'"},
		{"header comment hides bracket", "[profile a # x]\n", 1, "must end with ']'"},
		{"no equals", "[default]\n\nregion us-east-1\n", 3, "'='"},
		{"empty key", "[default]\n = v\n", 2, "continuation"}, // leading space: a continuation with nothing to continue
		{"empty key no indent", "[default]\n= v\n", 2, "did not have a name"},
		{"continuation after header", "[default]\n  more\n", 2, "found continuation"},
		{"indented comment is a continuation", "[default]\n  # comment\n", 2, "found continuation"},
		{"bad sub-property", "[default]\ns3 =\n  max_concurrent_requests 10\n", 3, "sub-property"},
		{"sub-property without name", "[default]\ns3 =\n  = 10\n", 3, "Sub-property did not have a name"},
		{"crlf line numbers", "[default]\r\nregion = x\r\n\r\nbad\r\n", 4, "'='"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(File{Kind: ConfigFile, Path: "/h/.aws/config", Data: []byte(tc.text)})
			var e *Error
			if !asError(err, &e) {
				t.Fatalf("want *Error, got %v", err)
			}
			if e.Code != CodeParse || e.File != "/h/.aws/config" || e.Line != tc.line || !strings.Contains(e.Msg, tc.msg) {
				t.Fatalf("got %+v (%v); want line %d containing %q", e, err, tc.line, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), "/h/.aws/config:") {
				t.Fatalf("message %q does not start with the file", err)
			}
		})
	}
}

func TestParseRules(t *testing.T) {
	tests := []struct {
		name, config, creds string
		want                map[string]map[string]string
	}{
		{"prefix is case-sensitive", "[Profile a]\nx = 1\n[profile b]\ny = 2\n", "", map[string]map[string]string{"b": {"y": "2"}}},
		{"names are case-sensitive", "[profile Dev]\nx = 1\n[profile dev]\nx = 2\n", "", map[string]map[string]string{"Dev": {"x": "1"}, "dev": {"x": "2"}}},
		{"keys are case-insensitive", "[default]\nRegion = a\nREGION = b\n", "", map[string]map[string]string{"default": {"region": "b"}}},
		{"credentials file wins per key", "[profile a]\nregion = r\naws_access_key_id = CFG\n", "[a]\naws_access_key_id = CRED\n",
			map[string]map[string]string{"a": {"region": "r", "aws_access_key_id": "CRED"}}},
		{"credentials profile without config", "", "[only]\nk = v\n", map[string]map[string]string{"only": {"k": "v"}}},
		{"inline comments", "[default] ; c\na = 1 # c\nb = 2;not\nc = x\t;c\n", "", map[string]map[string]string{"default": {"a": "1", "b": "2;not", "c": "x"}}},
		{"continuations keep comment signs", "[default]\na = 1\n  2 # c\n\t3\n", "", map[string]map[string]string{"default": {"a": "1\n2 # c\n3"}}},
		{"sub-properties raw", "[default]\ns3 =\n  max_concurrent_requests = 10\n  addressing_style = path\nregion = x\n", "",
			map[string]map[string]string{"default": {"s3": "\nmax_concurrent_requests = 10\naddressing_style = path", "region": "x"}}},
		{"unicode whitespace before comment", "[default]\na = b\u00a0#c\n", "", map[string]map[string]string{"default": {"a": "b\u00a0"}}},
		{"lone CR is not a line break", "[default]\na = b\rc\n", "", map[string]map[string]string{"default": {"a": "b\rc"}}},
		{"final CR stripped", "[default]\na = b\r", "", map[string]map[string]string{"default": {"a": "b"}}},
		{"empty brackets ignored", "[profile a]\n[]\nx = 1\n", "[]\ny = 2\n", map[string]map[string]string{"a": {}}},
		{"other prefixes ignored", "[plugins x]\ncli = y\n[default]\n", "", map[string]map[string]string{"default": {}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustParse(t, tc.config, tc.creds)
			if got := sectionsOf(c.profiles); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestPropertyLocations(t *testing.T) {
	c := mustParse(t, "# top\n[profile a]\nregion = r\n\n[profile b]\nx = 1\n[profile a]\nrole_arn = arn\n", "[a]\naws_access_key_id = K\n")
	a := c.Profile("a")
	for key, want := range map[string]Location{
		"region":            {"/h/.aws/config", 3},
		"role_arn":          {"/h/.aws/config", 8},
		"aws_access_key_id": {"/h/.aws/credentials", 2},
	} {
		p, ok := a.Lookup(key)
		if !ok || p.Location != want {
			t.Errorf("%s at %v, want %v", key, p.Location, want)
		}
	}
	wantLocs := []Location{{"/h/.aws/config", 2}, {"/h/.aws/config", 7}, {"/h/.aws/credentials", 1}}
	if !reflect.DeepEqual(a.Locations, wantLocs) {
		t.Errorf("section locations %v, want %v", a.Locations, wantLocs)
	}
	if got := a.String(); strings.Contains(got, "K") && !strings.Contains(got, "aws_access_key_id") {
		t.Errorf("String leaks values: %s", got)
	}
}

func TestWarnings(t *testing.T) {
	c := mustParse(t, "[profile ok]\nin valid = 1\n[profile bad name]\n[stray]\n[default]\na = 1\n[profile default]\nb = 2\n", "[profile x]\n")
	var msgs []string
	for _, w := range c.Warnings {
		msgs = append(msgs, w.String())
	}
	joined := strings.Join(msgs, "\n")
	for _, want := range []string{
		"/h/.aws/config:2: key \"in valid\" ignored",
		"/h/.aws/config:3: section [profile bad name] ignored",
		"/h/.aws/config:4: section [stray] ignored",
		"/h/.aws/config:5: section [default] ignored because the file also has [profile default]",
		"/h/.aws/credentials:1: section [profile x] ignored",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("missing warning %q in:\n%s", want, joined)
		}
	}
	if got := c.Profile("default").Map(); !reflect.DeepEqual(got, map[string]string{"b": "2"}) {
		t.Errorf("default = %v", got)
	}
}

func TestServicesAndSSOSessions(t *testing.T) {
	c := mustParse(t, `[profile lab]
services = labsvc
sso_session = corp
[services labsvc]
sts =
  endpoint_url = http://127.0.0.1:4566/?a=b=c
iam =
  endpoint_url = http://127.0.0.1:4567
[sso-session corp]
sso_region = eu-west-1
`, "")
	sts := c.Service("labsvc", "STS")
	if p := sts["endpoint_url"]; p.Value != "http://127.0.0.1:4566/?a=b=c" || p.Line != 6 {
		t.Fatalf("sts endpoint %+v", p)
	}
	if c.Service("labsvc", "iam")["endpoint_url"].Value != "http://127.0.0.1:4567" {
		t.Fatal("iam endpoint")
	}
	if got := c.SSOSession("corp").Value("sso_region"); got != "eu-west-1" {
		t.Fatalf("sso region %q", got)
	}
	if !reflect.DeepEqual(c.ServicesNames(), []string{"labsvc"}) || !reflect.DeepEqual(c.SSOSessionNames(), []string{"corp"}) {
		t.Fatal("names")
	}
	if got := c.Profile("lab").SubProperties("nothing"); len(got) != 0 {
		t.Fatal(got)
	}
}

func TestSubPropertiesOfProfile(t *testing.T) {
	c := mustParse(t, "[default]\ns3 =\n  max_concurrent_requests = 10\n  addressing_style = path\n", "")
	want := map[string]string{"max_concurrent_requests": "10", "addressing_style": "path"}
	if got := c.Profile("default").SubProperties("S3"); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}

func TestInvalidUTF8(t *testing.T) {
	_, err := Parse(File{Kind: ConfigFile, Path: "cfg", Data: []byte("[default]\na = \xff\n")})
	var e *Error
	if !asError(err, &e) || e.Code != CodeParse || e.File != "cfg" {
		t.Fatalf("got %v", err)
	}
}

func TestLoadReadErrors(t *testing.T) {
	env := MapEnv(map[string]string{"HOME": "/h", "AWS_PROFILE": "dev"}, "linux")
	files := map[string]string{"/h/.aws/config": "[profile dev]\nregion = r\n"}
	env.ReadFile = func(p string) ([]byte, error) {
		if d, ok := files[p]; ok {
			return []byte(d), nil
		}
		if p == "/h/.aws/credentials" {
			return nil, errPermission
		}
		return nil, nil
	}
	if _, err := Load(env); err == nil || !strings.Contains(err.Error(), "/h/.aws/credentials: cannot read the credentials file") {
		t.Fatalf("got %v", err)
	}
	files["/h/.aws/credentials"] = "[dev]\naws_access_key_id = A\n"
	c, err := Load(env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Selected != "dev" || c.Profile("dev").Value("region") != "r" || c.Profile("dev").Value("aws_access_key_id") != "A" {
		t.Fatalf("loaded %v", c.Profile("dev").Map())
	}
	// A config file that does not parse names its line.
	files["/h/.aws/config"] = "[profile dev]\nregion\n"
	if _, err := Load(env); err == nil || !strings.HasPrefix(err.Error(), "/h/.aws/config:2: ") {
		t.Fatalf("got %v", err)
	}
}

func TestHomeExpansion(t *testing.T) {
	tests := []struct {
		env      map[string]string
		platform string
		config   string
	}{
		{map[string]string{"HOME": "/home/u/"}, "linux", "/home/u/.aws/config"},
		{map[string]string{"HOME": "/home/u", "AWS_CONFIG_FILE": "~/x/./cfg"}, "linux", "/home/u/x/cfg"},
		{map[string]string{"HOME": "/home/u", "AWS_CONFIG_FILE": "~user/cfg"}, "linux", "~user/cfg"},
		{map[string]string{"HOME": "/home/u", "AWS_CONFIG_FILE": "relative/cfg"}, "linux", "relative/cfg"},
		{map[string]string{}, "linux", "~/.aws/config"},
		{map[string]string{"USERPROFILE": `C:\Users\u`}, "linux", "~/.aws/config"},
		{map[string]string{"USERPROFILE": `C:\Users\u`, "AWS_CONFIG_FILE": `~\cfg`}, "windows", `C:\Users\u\cfg`},
	}
	for _, tc := range tests {
		got, _ := FilePaths(MapEnv(tc.env, tc.platform))
		if got != tc.config {
			t.Errorf("%v on %s: got %q, want %q", tc.env, tc.platform, got, tc.config)
		}
	}
}

// TestDuplicateWarnings: a section or a key written twice in one file is
// merged as the SDKs do (the conformance suite) and warned about as one
// the AWS CLI refuses; the same profile in the config and the credentials
// file, or [default] with [profile default], is not a duplicate.
func TestDuplicateWarnings(t *testing.T) {
	c := mustParse(t, "[profile x]\nregion = us-east-1\n[profile y]\na = 1\nA = 2\n[profile x]\noutput = json\n[default]\nb = 1\n[profile default]\nc = 1\n[sso-session s]\nsso_region = eu-west-1\n[sso-session s]\n",
		"[x]\naws_access_key_id = AKIAEXAMPLE\n[z]\n[z]\n")
	if got := c.Profile("x").Map(); !reflect.DeepEqual(got, map[string]string{"region": "us-east-1", "output": "json", "aws_access_key_id": "AKIAEXAMPLE"}) {
		t.Errorf("x = %v, want the sections merged", got)
	}
	if got := c.Profile("y").Value("a"); got != "2" {
		t.Errorf("y.a = %q, want the last value", got)
	}
	var msgs []string
	for _, w := range c.CLIRejects() {
		msgs = append(msgs, w.String())
	}
	want := []string{
		`/h/.aws/config:5: key "a" is set again in [profile y] (first at line 4)`,
		`/h/.aws/config:6: section [profile x] is written again here (first at line 1)`,
		`/h/.aws/config:14: section [sso-session s] is written again here (first at line 12)`,
		`/h/.aws/credentials:4: section [z] is written again here (first at line 3)`,
	}
	if len(msgs) != len(want) {
		t.Fatalf("warnings:\n%s", strings.Join(msgs, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(msgs[i], w) || !strings.Contains(msgs[i], "the AWS CLI refuses the whole file") {
			t.Errorf("warning %d = %q, want %q...", i, msgs[i], w)
		}
	}
}

// TestFileSizeLimit: a config or credentials file larger than the limit
// (/dev/zero, an endless line, 10 MB past the limit) is an error naming
// the file and the limit, within a bounded time and memory; a file just
// under the limit is read.
func TestFileSizeLimit(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, append([]byte("[default]\nregion = "), bytes.Repeat([]byte("a"), MaxFileSize+10<<20)...), 0o600); err != nil {
		t.Fatal(err)
	}
	under := filepath.Join(dir, "under")
	if err := os.WriteFile(under, append([]byte("[default]\n# "), bytes.Repeat([]byte("a"), MaxFileSize-20)...), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{"one endless line": big}
	if _, err := os.Stat("/dev/zero"); err == nil {
		cases["/dev/zero"] = "/dev/zero"
	}
	for name, path := range cases {
		for _, which := range []string{EnvConfigFile, EnvCredentialsFile} {
			t.Run(name+" "+which, func(t *testing.T) {
				env := OSEnv()
				vars := map[string]string{EnvConfigFile: filepath.Join(dir, "none"), EnvCredentialsFile: filepath.Join(dir, "none"), which: path}
				env.Getenv = func(k string) string { return vars[k] }
				start := time.Now()
				_, err := Load(env)
				var ce *Error
				if !errors.As(err, &ce) || ce.Code != CodeTooLarge || !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), "16 MiB limit") {
					t.Fatalf("Load = %v", err)
				}
				if took := time.Since(start); took > 5*time.Second {
					t.Errorf("took %s", took)
				}
			})
		}
	}
	env := OSEnv()
	env.Getenv = func(k string) string {
		return map[string]string{EnvConfigFile: under, EnvCredentialsFile: filepath.Join(dir, "none")}[k]
	}
	if c, err := Load(env); err != nil || c.Profile("default") == nil {
		t.Fatalf("a file under the limit: %v", err)
	}
	if err := EditFile(big, func(b []byte) ([]byte, error) { return b, nil }); err == nil || !strings.Contains(err.Error(), "16 MiB limit") {
		t.Errorf("EditFile of a file over the limit: %v", err)
	}
	if _, err := Parse(File{Kind: ConfigFile, Path: "mem", Data: make([]byte, MaxFileSize+1)}); err == nil || !strings.Contains(err.Error(), "mem: ") {
		t.Errorf("Parse of a text over the limit: %v", err)
	}
}
