package awsconfig

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

const sampleConfig = `[default]
region = us-east-1

[profile alice]
region = us-west-2
mfa_process = ykman oath accounts code -s aws

[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = alice
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-west-1

[profile readonly]
role_arn = arn:aws:iam::123456789012:role/ReadOnly
source_profile = alice
mfa_serial = arn:aws:iam::123456789012:mfa/alice
duration_seconds = 3600
external_id = partner-42
role_session_name = alice-ro

[profile deep]
role_arn = arn:aws:iam::210987654321:role/path/to/Deep
source_profile = admin
mfa_session_duration = 8h

[profile bob]
aws_access_key_id = AKIABOB
aws_secret_access_key = bobsecret
mfa_serial = arn:aws:iam::123456789012:mfa/bob

[profile bob-role]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = bob

[profile percall]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = alice
mfa_serial = arn:aws:iam::123456789012:mfa/alice
awsmfa_mode = per-role

[profile web]
role_arn = arn:aws:iam::123456789012:role/Admin
credential_source = Ec2InstanceMetadata
mfa_serial = GAHT12345678
`

const sampleCredentials = `[alice]
aws_access_key_id = AKIAALICE
aws_secret_access_key = alicesecret
`

func sample(t *testing.T, env map[string]string) *Config {
	t.Helper()
	c := mustParse(t, sampleConfig, sampleCredentials)
	c.Env = MapEnv(env, "linux")
	return c
}

func TestResolveChains(t *testing.T) {
	c := sample(t, nil)
	tests := []struct {
		profile  string
		chain    string
		mode     MFAMode
		serial   string
		steps    []AssumeRoleStep // compared on selected fields
		region   string
		duration time.Duration
		process  string
		needsMFA bool
	}{
		{profile: "admin", chain: "static[alice] -> AssumeRole(arn:aws:iam::123456789012:role/Admin)[admin]",
			mode: MFAModeSession, serial: "arn:aws:iam::123456789012:mfa/alice", region: "eu-west-1", duration: 12 * time.Hour,
			process: "ykman oath accounts code -s aws", needsMFA: true},
		{profile: "deep", chain: "static[alice] -> AssumeRole(arn:aws:iam::123456789012:role/Admin)[admin] -> AssumeRole(arn:aws:iam::210987654321:role/path/to/Deep)[deep]",
			mode: MFAModeSession, serial: "arn:aws:iam::123456789012:mfa/alice", duration: 8 * time.Hour,
			process: "ykman oath accounts code -s aws", needsMFA: true},
		{profile: "bob-role", chain: "static[bob] -> AssumeRole(arn:aws:iam::123456789012:role/Admin)[bob-role]",
			mode: MFAModeSession, serial: "arn:aws:iam::123456789012:mfa/bob", duration: 12 * time.Hour, needsMFA: true},
		{profile: "percall", chain: "static[alice] -> AssumeRole(arn:aws:iam::123456789012:role/Admin)[percall]",
			mode: MFAModePerRole, serial: "arn:aws:iam::123456789012:mfa/alice", duration: 12 * time.Hour,
			process: "ykman oath accounts code -s aws", needsMFA: true},
		{profile: "web", chain: "credential_source[web] -> AssumeRole(arn:aws:iam::123456789012:role/Admin)[web]",
			mode: MFAModePerRole, serial: "GAHT12345678", duration: 12 * time.Hour, needsMFA: true},
		{profile: "alice", chain: "static[alice]", mode: MFAModeSession, region: "us-west-2", duration: 12 * time.Hour,
			process: "ykman oath accounts code -s aws"},
		{profile: "", chain: "", region: "us-east-1"}, // default has no credentials
	}
	for _, tc := range tests {
		t.Run(tc.profile, func(t *testing.T) {
			ch, err := c.Resolve(tc.profile)
			if tc.chain == "" {
				var e *Error
				if !asError(err, &e) || e.Code != CodeNoCredentials || e.Profile != "default" || e.Line != 1 {
					t.Fatalf("got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ch.String() != tc.chain {
				t.Fatalf("chain %s", ch)
			}
			if ch.MFA.Mode != tc.mode || ch.MFA.Serial != tc.serial || ch.Region != tc.region ||
				ch.MFA.SessionDuration != tc.duration || ch.MFA.Process != tc.process || ch.NeedsMFA() != tc.needsMFA {
				t.Fatalf("got mode %s serial %q region %q duration %s process %q needs %v",
					ch.MFA.Mode, ch.MFA.Serial, ch.Region, ch.MFA.SessionDuration, ch.MFA.Process, ch.NeedsMFA())
			}
		})
	}
}

func TestResolveStepDetails(t *testing.T) {
	c := sample(t, nil)
	ch, err := c.Resolve("readonly")
	if err != nil {
		t.Fatal(err)
	}
	s := ch.Steps[0]
	want := AssumeRoleStep{Profile: "readonly", RoleARN: "arn:aws:iam::123456789012:role/ReadOnly",
		RoleARNAt: Location{"/h/.aws/config", 15}, ExternalID: "partner-42", RoleSessionName: "alice-ro",
		MFASerial: "arn:aws:iam::123456789012:mfa/alice", MFASerialAt: Location{"/h/.aws/config", 17},
		DurationSeconds: 3600, DurationAt: Location{"/h/.aws/config", 18}, SourceProfile: "alice", RoleChaining: true}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("step\n got %+v\nwant %+v", s, want)
	}
	if ch.Base.AccessKeyID != "AKIAALICE" || string(ch.Base.SecretAccessKey) != "alicesecret" || ch.Base.At != (Location{"/h/.aws/credentials", 2}) {
		t.Fatalf("base %+v", ch.Base)
	}
	if !reflect.DeepEqual(ch.Visited, []string{"readonly", "alice"}) {
		t.Fatalf("visited %v", ch.Visited)
	}
	// Secrets never print.
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(f, ch.Base); strings.Contains(out, "alicesecret") {
			t.Fatalf("%s leaks the secret: %s", f, out)
		}
	}
	if out := fmt.Sprintf("%+v", *ch); strings.Contains(out, "alicesecret") {
		t.Fatalf("chain print leaks the secret")
	}
	// Per-role mode from long-term keys: the first AssumeRole is not
	// role chaining, so a 12 hour duration is allowed.
	c2 := mustParse(t, "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = k\nmfa_serial = arn:aws:iam::123456789012:mfa/k\nduration_seconds = 43200\nawsmfa_mode = per-role\n[profile k]\naws_access_key_id = A\naws_secret_access_key = S\n", "")
	ch2, err := c2.Resolve("r")
	if err != nil {
		t.Fatal(err)
	}
	if ch2.Steps[0].RoleChaining || ch2.Steps[0].Duration() != 12*time.Hour {
		t.Fatalf("per-role step %+v duration %s", ch2.Steps[0], ch2.Steps[0].Duration())
	}
	// The same in session mode: capped at one hour, with a warning.
	c3 := mustParse(t, strings.Replace("[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = k\nmfa_serial = arn:aws:iam::123456789012:mfa/k\nduration_seconds = 43200\nawsmfa_mode = per-role\n[profile k]\naws_access_key_id = A\naws_secret_access_key = S\n", "per-role", "session", 1), "")
	ch3, err := c3.Resolve("r")
	if err != nil {
		t.Fatal(err)
	}
	if !ch3.Steps[0].RoleChaining || ch3.Steps[0].Duration() != time.Hour || len(ch3.Warnings) != 1 || !strings.Contains(ch3.Warnings[0], "capped at 3600") {
		t.Fatalf("session step %+v warnings %v", ch3.Steps[0], ch3.Warnings)
	}
}

func TestMFASessionSharing(t *testing.T) {
	c := sample(t, nil)
	key := func(p string) string {
		ch, err := c.Resolve(p)
		if err != nil {
			t.Fatal(err)
		}
		k, ok := ch.MFASessionKey()
		if !ok {
			return ""
		}
		return k
	}
	admin, ro, deep, bob := key("admin"), key("readonly"), key("deep"), key("bob-role")
	if admin == "" || admin != ro || admin != deep {
		t.Fatalf("admin/readonly/deep should share one session: %q %q %q", admin, ro, deep)
	}
	if bob == "" || bob == admin {
		t.Fatalf("bob has other keys and device: %q vs %q", bob, admin)
	}
	if key("percall") != "" || key("web") != "" || key("alice") != "" {
		t.Fatal("per-role, credential_source and MFA-less chains have no MFA session")
	}
	if strings.Contains(admin, "AKIA") || len(admin) != 32 {
		t.Fatalf("key %q should be an opaque hex digest", admin)
	}
	// A different STS endpoint (the lab) is a different session.
	lab := sample(t, map[string]string{"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:4566"})
	ch, err := lab.Resolve("admin")
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := ch.MFASessionKey(); k == admin || k == "" {
		t.Fatalf("lab key %q must differ from %q", k, admin)
	}
	groups := c.MFAGroups()
	var got []string
	for _, g := range groups {
		got = append(got, fmt.Sprintf("%s:%s:%v", g.BaseProfile, g.Serial, g.Profiles))
	}
	want := []string{
		"alice:arn:aws:iam::123456789012:mfa/alice:[admin deep readonly]",
		"bob:arn:aws:iam::123456789012:mfa/bob:[bob bob-role]",
	}
	if len(got) != 2 || !(reflect.DeepEqual(got, want) || reflect.DeepEqual(got, []string{want[1], want[0]})) {
		t.Fatalf("groups %v", got)
	}
}

func TestResolveErrors(t *testing.T) {
	const creds = "[keys]\naws_access_key_id = AKIAK\naws_secret_access_key = s\n[profile base]\naws_access_key_id = B\n"
	tests := []struct {
		name    string
		config  string
		profile string
		code    ErrorCode
		line    int
		prof    string
		key     string
		msg     []string
	}{
		{"unknown profile with suggestions", "[profile develop]\nregion = x\n[profile devel]\nregion = y\n[profile prod]\nregion = z\n", "dev",
			CodeProfileNotFound, 0, "dev", "", []string{`profile not found`, `did you mean "devel" or "develop"?`}},
		{"profile written without prefix in config", "[dev]\nregion = x\n[profile prod]\nregion = y\n", "dev",
			CodeProfileNotFound, 0, "dev", "", []string{"/h/.aws/config:1: section [dev] ignored", "[profile dev]"}},
		{"source profile written with prefix in credentials", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = base\n", "r",
			CodeSourceProfileNotFound, 3, "r", "source_profile", []string{"/h/.aws/credentials:4: section [profile base] ignored", "without the \"profile\" prefix"}},
		{"prefix in wrong case", "[Profile dev]\nregion = x\n", "dev",
			CodeProfileNotFound, 0, "dev", "", []string{"/h/.aws/config:1: section [Profile dev] ignored: the prefix is case-sensitive, write [profile dev]"}},
		{"missing source profile", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = kyes\n", "r",
			CodeSourceProfileNotFound, 3, "r", "source_profile", []string{`could not find source profile "kyes"`, `did you mean "keys"?`}},
		{"role without source", "[profile r]\nregion = x\nrole_arn = arn:aws:iam::123456789012:role/R\n", "r",
			CodeNoSource, 3, "r", "role_arn", []string{"source_profile", "credential_source"}},
		{"both sources", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = keys\ncredential_source = Environment\n", "r",
			CodeBothSources, 4, "r", "credential_source", []string{"both source_profile (/h/.aws/config:3) and credential_source"}},
		{"cycle", "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::123456789012:role/B\nsource_profile = c\n[profile c]\nrole_arn = arn:aws:iam::123456789012:role/C\nsource_profile = b\n", "a",
			CodeCycle, 9, "c", "source_profile", []string{"b -> c -> b"}},
		{"self reference without keys", "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/A\nsource_profile = a\n", "a",
			CodeNoCredentials, 1, "a", "", []string{"did not contain credential information", "only when it has aws_access_key_id"}},
		{"partial keys in source", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = half\n[profile half]\naws_access_key_id = AKIA\n", "r",
			CodePartialCredentials, 5, "half", "aws_secret_access_key", []string{`source profile of "r"`, "missing aws_secret_access_key"}},
		{"malformed role ARN", "[profile r]\nrole_arn = arn:aws:iam::12345:role/R\nsource_profile = keys\n", "r",
			CodeRoleARN, 2, "r", "role_arn", []string{"not an IAM role ARN", "12 digits"}},
		{"role ARN is a user", "[profile r]\nrole_arn = arn:aws:iam::123456789012:user/bob\nsource_profile = keys\n", "r",
			CodeRoleARN, 2, "r", "role_arn", []string{"IAM user ARN"}},
		{"role ARN is a session", "[profile r]\nrole_arn = arn:aws:sts::123456789012:assumed-role/R/s\nsource_profile = keys\n", "r",
			CodeRoleARN, 2, "r", "role_arn", []string{"role session"}},
		{"mfa_serial is the user ARN", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = keys\nmfa_serial = arn:aws:iam::123456789012:user/alice\n", "r",
			CodeMFASerialIsUser, 4, "r", "mfa_serial", []string{"ARN of the IAM user", "probably mfa_serial = arn:aws:iam::123456789012:mfa/alice"}},
		{"mfa_serial user ARN with path, gov partition", "[profile r]\nrole_arn = arn:aws-us-gov:iam::123456789012:role/R\nsource_profile = keys\nmfa_serial = arn:aws-us-gov:iam::123456789012:user/ops/alice\n", "r",
			CodeMFASerialIsUser, 4, "r", "mfa_serial", []string{"arn:aws-us-gov:iam::123456789012:mfa/alice"}},
		{"mfa_serial on base profile is the user ARN", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = k2\n[profile k2]\naws_access_key_id = A\naws_secret_access_key = S\nmfa_serial = arn:aws:iam::123456789012:user/alice\n", "r",
			CodeMFASerialIsUser, 7, "k2", "mfa_serial", []string{"mfa/alice"}},
		{"mfa_serial malformed", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = keys\nmfa_serial = 1234\n", "r",
			CodeMFASerial, 4, "r", "mfa_serial", []string{"hardware token serial"}},
		{"mfa_serial role ARN", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = keys\nmfa_serial = arn:aws:iam::123456789012:role/R\n", "r",
			CodeMFASerial, 4, "r", "mfa_serial", []string{"IAM role ARN, not an MFA device"}},
		{"duration not a number", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = keys\nduration_seconds = 1h\n", "r",
			CodeDuration, 4, "r", "duration_seconds", []string{"not a whole number"}},
		{"duration too small", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = keys\nduration_seconds = 600\n", "r",
			CodeDuration, 4, "r", "duration_seconds", []string{"900"}},
		{"duration too large", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = keys\nduration_seconds = 43201\n", "r",
			CodeDuration, 4, "r", "duration_seconds", []string{"43200"}},
		{"duration over chaining limit", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = q\nduration_seconds = 7200\n[profile q]\nrole_arn = arn:aws:iam::123456789012:role/Q\nsource_profile = keys\n", "r",
			CodeDuration, 4, "r", "duration_seconds", []string{"1 hour session limit for roles assumed by role chaining", "role arn:aws:iam::123456789012:role/Q"}},
		{"duration over limit from instance role", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\ncredential_source = EcsContainer\nduration_seconds = 7200\n", "r",
			CodeDuration, 4, "r", "duration_seconds", []string{"role chaining"}},
		{"bad credential_source", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\ncredential_source = Ec2\n", "r",
			CodeCredentialSource, 3, "r", "credential_source", []string{"Ec2InstanceMetadata"}},
		{"bad mode", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = keys\nawsmfa_mode = cli\n", "r",
			CodeInvalidValue, 4, "r", "awsmfa_mode", []string{"per-role"}},
		{"bad session duration", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = keys\nmfa_session_duration = 48h\n", "r",
			CodeDuration, 4, "r", "mfa_session_duration", []string{"36h"}},
		{"bad session name", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = keys\nrole_session_name = a b\n", "r",
			CodeInvalidValue, 4, "r", "role_session_name", []string{"2 to 64"}},
		{"bad endpoint", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = keys\nendpoint_url = 127.0.0.1:4566\n", "r",
			CodeEndpoint, 4, "r", "endpoint_url", []string{"http"}},
		{"bad region", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = keys\nregion = US East\n", "r",
			CodeInvalidValue, 4, "r", "region", []string{"region name"}},
		{"web identity without role", "[profile w]\nweb_identity_token_file = /t\n", "w",
			CodeWebIdentity, 2, "w", "web_identity_token_file", []string{"role_arn"}},
		{"missing sso session", "[profile s]\nsso_session = corq\nsso_account_id = 1\nsso_role_name = r\n[sso-session corp]\nsso_region = x\nsso_start_url = https://x\n", "s",
			CodeSSO, 2, "s", "sso_session", []string{"`corq`", `did you mean "corp"?`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustParse(t, tc.config, creds)
			_, err := c.Resolve(tc.profile)
			var e *Error
			if !asError(err, &e) {
				t.Fatalf("want *Error, got %v", err)
			}
			if e.Code != tc.code || e.Line != tc.line || e.Profile != tc.prof || e.Key != tc.key {
				t.Fatalf("got code=%s line=%d profile=%q key=%q: %v", e.Code, e.Line, e.Profile, e.Key, err)
			}
			if tc.line > 0 && e.File != "/h/.aws/config" {
				t.Fatalf("file %q", e.File)
			}
			t.Log(err)
			for _, m := range tc.msg {
				if !strings.Contains(err.Error(), m) {
					t.Fatalf("message %q lacks %q", err, m)
				}
			}
		})
	}
}

func TestResolveReportsAllProblems(t *testing.T) {
	c := mustParse(t, "[profile r]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = k\nmfa_serial = arn:aws:iam::123456789012:user/me\nduration_seconds = 5\n[profile k]\naws_access_key_id = A\naws_secret_access_key = S\n", "")
	_, err := c.Resolve("r")
	var codes []ErrorCode
	for _, e := range unjoin(err) {
		var ce *Error
		if errors.As(e, &ce) {
			codes = append(codes, ce.Code)
		}
	}
	want := []ErrorCode{CodeRoleARN, CodeMFASerialIsUser, CodeDuration}
	if !reflect.DeepEqual(codes, want) {
		t.Fatalf("codes %v, want %v (%v)", codes, want, err)
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestModeFallbacks(t *testing.T) {
	tests := []struct {
		name, config string
		mode         MFAMode
		note         string
	}{
		{"credential_process base", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = p\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n[profile p]\ncredential_process = get-creds\n",
			MFAModePerRole, "credential_process"},
		{"session token base", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = p\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n[profile p]\naws_access_key_id = A\naws_secret_access_key = S\naws_session_token = T\n",
			MFAModePerRole, "aws_session_token"},
		{"no mfa at all", "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = p\n[profile p]\ncredential_process = get-creds\n",
			MFAModeSession, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := mustParse(t, tc.config, "").Resolve("r")
			if err != nil {
				t.Fatal(err)
			}
			if ch.MFA.Mode != tc.mode || !strings.Contains(ch.MFA.ModeNote, tc.note) {
				t.Fatalf("mode %s note %q", ch.MFA.Mode, ch.MFA.ModeNote)
			}
			if tc.note != "" && !ch.NeedsMFA() {
				t.Fatal("per-role with mfa_serial needs MFA")
			}
			if _, ok := ch.MFASessionKey(); ok {
				t.Fatal("no MFA session possible")
			}
		})
	}
}

func TestRegionAndEndpointPrecedence(t *testing.T) {
	const cfg = `[profile p]
aws_access_key_id = A
aws_secret_access_key = S
region = eu-central-1
endpoint_url = http://global.example:1
services = lab

[profile plain]
aws_access_key_id = A
aws_secret_access_key = S

[profile ignoring]
aws_access_key_id = A
aws_secret_access_key = S
endpoint_url = http://global.example:1
ignore_configured_endpoint_urls = true

[services lab]
sts =
  endpoint_url = http://127.0.0.1:4566
`
	tests := []struct {
		profile  string
		env      map[string]string
		region   string
		endpoint string
		from     string
	}{
		{"p", nil, "eu-central-1", "http://127.0.0.1:4566", "[services lab] sts.endpoint_url (/h/.aws/config:20)"},
		{"p", map[string]string{"AWS_DEFAULT_REGION": "us-east-2"}, "us-east-2", "http://127.0.0.1:4566", ""},
		{"p", map[string]string{"AWS_DEFAULT_REGION": "us-east-2", "AWS_REGION": "ap-south-1"}, "ap-south-1", "http://127.0.0.1:4566", ""},
		{"p", map[string]string{"AWS_ENDPOINT_URL": "http://env-global:2"}, "eu-central-1", "http://env-global:2", "AWS_ENDPOINT_URL"},
		{"p", map[string]string{"AWS_ENDPOINT_URL": "http://env-global:2", "AWS_ENDPOINT_URL_STS": "http://env-sts:3"}, "eu-central-1", "http://env-sts:3", "AWS_ENDPOINT_URL_STS"},
		{"p", map[string]string{"AWS_ENDPOINT_URL_STS": "http://env-sts:3", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, "eu-central-1", "", ""},
		{"plain", nil, "", "", ""},
		{"ignoring", nil, "", "", ""},
		{"ignoring", map[string]string{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "false"}, "", "http://global.example:1", `endpoint_url of profile "ignoring" (/h/.aws/config:15)`},
	}
	for i, tc := range tests {
		c := mustParse(t, cfg, "")
		c.Env = MapEnv(tc.env, "linux")
		ch, err := c.Resolve(tc.profile)
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if ch.Region != tc.region || ch.STSEndpoint != tc.endpoint || (tc.from != "" && ch.STSEndpointFrom != tc.from) {
			t.Errorf("%d: region %q endpoint %q from %q", i, ch.Region, ch.STSEndpoint, ch.STSEndpointFrom)
		}
	}
	// Other services use their own entries, and the global one otherwise.
	c := mustParse(t, cfg, "")
	if ep, err := c.EndpointURL("p", "iam"); err != nil || ep.URL != "http://global.example:1" {
		t.Fatalf("iam: %+v %v", ep, err)
	}
	c.Env = MapEnv(map[string]string{"AWS_ENDPOINT_URL_IAM": "http://iam:9"}, "linux")
	if ep, err := c.EndpointURL("p", "iam"); err != nil || ep.URL != "http://iam:9" {
		t.Fatalf("iam env: %+v %v", ep, err)
	}
	c.Env = MapEnv(map[string]string{"AWS_ENDPOINT_URL_STS": "not a url"}, "linux")
	if _, err := c.EndpointURL("p", "sts"); err == nil || !strings.Contains(err.Error(), "AWS_ENDPOINT_URL_STS") {
		t.Fatalf("bad env endpoint: %v", err)
	}
}

func TestValidators(t *testing.T) {
	good := []string{
		"arn:aws:iam::123456789012:mfa/alice",
		"arn:aws-cn:iam::123456789012:mfa/path/to/dev.ice@x",
		"GAHT12345678",
		"123456789",
	}
	for _, s := range good {
		if err := ValidateMFASerial(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	bad := []string{"", "12345678", "arn:aws:iam::123456789012:mfa/", "arn:aws:iam::123:mfa/x", "has space 123", strings.Repeat("a", 257), "arn:aws:iam::123456789012:user/alice"}
	for _, s := range bad {
		if err := ValidateMFASerial(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	for _, s := range []string{"arn:aws:iam::123456789012:role/R", "arn:aws:iam::123456789012:role/service-role/a/b/R+=,.@-_"} {
		if err := ValidateRoleARN(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"arn:aws:iam::123456789012:role/", "arn:aws:iam::123456789012:role/" + strings.Repeat("r", 65), "arn:aws:iam:us-east-1:123456789012:role/R", "arn:foo", "role/R"} {
		if err := ValidateRoleARN(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	durations := map[string]time.Duration{"12h": 12 * time.Hour, "900": 15 * time.Minute, "129600": 36 * time.Hour, "1h30m": 90 * time.Minute}
	for s, want := range durations {
		if d, err := ParseMFASessionDuration(s); err != nil || d != want {
			t.Errorf("%q: %v %v", s, d, err)
		}
	}
	for _, s := range []string{"899", "37h", "-1h", "1.5", "12 h", "", "99999999999999999999", "900500ms"} {
		if _, err := ParseMFASessionDuration(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	for _, s := range []string{"900", "43200", "3600"} {
		if _, err := ParseDurationSeconds(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"899", "43201", "1h", "", " 900"} {
		if _, err := ParseDurationSeconds(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestCloseNames(t *testing.T) {
	names := []string{"prod", "production", "dev", "Dev-admin", "staging", "stage", "x"}
	tests := map[string][]string{
		"prd":    {"prod"},
		"Prod":   {"prod", "production"},
		"stagin": {"staging", "stage"},
		"zzz":    nil,
	}
	for want, exp := range tests {
		if got := closeNames(want, names, 3); !reflect.DeepEqual(got, exp) {
			t.Errorf("%q: got %v, want %v", want, got, exp)
		}
	}
}
