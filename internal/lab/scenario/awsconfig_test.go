package scenario

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/totp"
)

func testApplied(t *testing.T) *Applied {
	t.Helper()
	secret, err := totp.GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	return &Applied{
		Scenario: "test", Account: DefaultAccount, Region: DefaultRegion,
		Users: []AppliedUser{
			{Name: "alice", ARN: "arn:aws:iam::123456789012:user/alice", UserID: "AIDAEXAMPLEALICE0001",
				AccessKeys: []AccessKey{{ID: "AKIAEXAMPLEALICE0001", Secret: strings.Repeat("a", 40)}}},
			{Name: "anika", ARN: "arn:aws:iam::123456789012:user/anika", UserID: "AIDAEXAMPLEANIKA0001",
				AccessKeys: []AccessKey{{ID: "AKIAEXAMPLEANIKA0001", Secret: strings.Repeat("b", 40)}, {ID: "AKIAEXAMPLEANIKA0002", Secret: strings.Repeat("c", 40)}},
				MFASerial:  "arn:aws:iam::123456789012:mfa/anika", MFASeed: totp.EncodeSecret(secret)},
			{Name: "nokeys", ARN: "arn:aws:iam::123456789012:user/nokeys", UserID: "AIDAEXAMPLENOKEYS001"},
		},
		Roles: []AppliedRole{{Name: "cli-role", ARN: "arn:aws:iam::123456789012:role/cli-role", Profiles: []RoleProfile{
			{Name: "role-with-mfa", SourceUser: "anika", MFA: true},
			{Name: "role-without-mfa", SourceUser: "anika"},
		}}},
	}
}

func TestWriteConfigDir(t *testing.T) {
	a := testApplied(t)
	dir := filepath.Join(t.TempDir(), "aws")
	written, err := WriteConfigDir(dir, a, WriteOptions{Endpoint: "http://127.0.0.1:4599/", State: "/tmp/lab.db"})
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 8 {
		t.Errorf("wrote %d files: %v", len(written), written)
	}
	for _, p := range written {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", p, st.Mode().Perm())
		}
	}
	cfg := readFile(t, filepath.Join(dir, ConfigFile))
	creds := readFile(t, filepath.Join(dir, CredentialsFile))
	for _, want := range []string{
		header,
		"[profile alice]\nregion = us-east-1\noutput = json\nendpoint_url = http://127.0.0.1:4599\nservices = awsmfa-lab\n",
		"[profile role-with-mfa]\nregion = us-east-1\noutput = json\nendpoint_url = http://127.0.0.1:4599\nservices = awsmfa-lab\nrole_arn = arn:aws:iam::123456789012:role/cli-role\nsource_profile = anika\nmfa_serial = arn:aws:iam::123456789012:mfa/anika\n",
		"[profile role-without-mfa]\nregion = us-east-1\noutput = json\nendpoint_url = http://127.0.0.1:4599\nservices = awsmfa-lab\nrole_arn = arn:aws:iam::123456789012:role/cli-role\nsource_profile = anika\n",
		"# Lab state: /tmp/lab.db",
		"[services awsmfa-lab]\nsts =\n  endpoint_url = http://127.0.0.1:4599\niam =\n  endpoint_url = http://127.0.0.1:4599\nec2 =\n  endpoint_url = http://127.0.0.1:4599\n",
	} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config lacks %q:\n%s", want, cfg)
		}
	}
	if strings.Contains(cfg, "nokeys") && strings.Contains(cfg, "[profile nokeys]") {
		t.Error("config has a profile for a user without keys")
	}
	if strings.Contains(cfg, strings.Repeat("a", 40)) {
		t.Error("config holds a secret")
	}
	for _, want := range []string{
		"[alice]\naws_access_key_id = AKIAEXAMPLEALICE0001\naws_secret_access_key = " + strings.Repeat("a", 40) + "\n",
		"[anika-key2]\naws_access_key_id = AKIAEXAMPLEANIKA0002\n",
	} {
		if !strings.Contains(creds, want) {
			t.Errorf("credentials lack %q:\n%s", want, creds)
		}
	}
	if got := readFile(t, filepath.Join(dir, EndpointFile)); got != "http://127.0.0.1:4599\n" {
		t.Errorf("endpoint file = %q", got)
	}
	env := readFile(t, filepath.Join(dir, EnvFile))
	for _, want := range []string{"export AWS_CONFIG_FILE=" + filepath.Join(dir, "config"), "export AWS_DATA_PATH=" + filepath.Join(dir, "data"), "export AWS_ENDPOINT_URL=http://127.0.0.1:4599",
		"export AWS_ENDPOINT_URL_STS=http://127.0.0.1:4599\nexport AWS_ENDPOINT_URL_IAM=http://127.0.0.1:4599\nexport AWS_ENDPOINT_URL_EC2=http://127.0.0.1:4599\n"} {
		if !strings.Contains(env, want) {
			t.Errorf("env.sh lacks %q:\n%s", want, env)
		}
	}
	m, err := ReadMFAFile(filepath.Join(dir, MFAFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Devices) != 1 || m.Devices[0].User != "anika" || m.Devices[0].Serial != "arn:aws:iam::123456789012:mfa/anika" ||
		m.Devices[0].Seed != a.Users[1].MFASeed || !strings.HasPrefix(m.Devices[0].OTPAuth, "otpauth://totp/") || m.Endpoint != "http://127.0.0.1:4599" {
		t.Errorf("lab-mfa.json = %+v", m)
	}
	for _, svc := range RuleSetServices() {
		var rs map[string]any
		if err := json.Unmarshal([]byte(readFile(t, filepath.Join(dir, DataDir, svc, "endpoint-rule-set-1.json"))), &rs); err != nil {
			t.Errorf("%s rule set: %v", svc, err)
		}
	}
}

func TestWriteConfigDirRefusesOverwrite(t *testing.T) {
	a := testApplied(t)
	dir := t.TempDir()
	opts := WriteOptions{Endpoint: "http://127.0.0.1:4599"}
	if _, err := WriteConfigDir(dir, a, opts); err != nil {
		t.Fatalf("empty existing dir: %v", err)
	}
	if _, err := WriteConfigDir(dir, a, opts); !errors.Is(err, ErrExists) {
		t.Fatalf("second write without force: %v, want ErrExists", err)
	}
	opts.Force = true
	a.Users[0].AccessKeys[0].ID = "AKIAEXAMPLEALICE0009"
	if _, err := WriteConfigDir(dir, a, opts); err != nil {
		t.Fatalf("forced rewrite: %v", err)
	}
	if !strings.Contains(readFile(t, filepath.Join(dir, CredentialsFile)), "AKIAEXAMPLEALICE0009") {
		t.Error("forced rewrite did not replace credentials")
	}

	// A directory that looks like a real ~/.aws is never replaced.
	real := t.TempDir()
	if err := os.WriteFile(filepath.Join(real, "credentials"), []byte("[default]\naws_access_key_id = AKIAREAL\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteConfigDir(real, a, opts); err == nil || !strings.Contains(err.Error(), "not written by awsmfa") {
		t.Fatalf("forced write over a foreign credentials file: %v", err)
	}
	if got := readFile(t, filepath.Join(real, "credentials")); !strings.Contains(got, "AKIAREAL") {
		t.Error("foreign credentials file changed")
	}
	// Leftover temp files must not remain after a write.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

func TestValidateEndpoint(t *testing.T) {
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:4599", true},
		{"http://127.0.0.1:4599/", true},
		{"https://lab.example:443", true},
		{"127.0.0.1:4599", false},
		{"ftp://127.0.0.1", false},
		{"http://", false},
		{"http://u:p@127.0.0.1:1", false},
		{"http://127.0.0.1:1/path", false},
		{"http://127.0.0.1:1/?q=1", false},
		{"http://127.0.0.1:1/#f", false},
	} {
		if err := ValidateEndpoint(c.url); (err == nil) != c.ok {
			t.Errorf("ValidateEndpoint(%q) = %v, want ok=%v", c.url, err, c.ok)
		}
	}
	if _, err := RuleSet("s3", "http://127.0.0.1:1"); err == nil {
		t.Error("RuleSet(s3) succeeded")
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/a":     "/tmp/a",
		"/tmp/a b":   "'/tmp/a b'",
		"it's":       `'it'\''s'`,
		"":           "''",
		"$HOME/x":    "'$HOME/x'",
		"http://x:1": "http://x:1",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestAppliedUserCode(t *testing.T) {
	a := testApplied(t)
	u, _ := a.User("anika")
	now := time.Unix(1_700_000_000, 0)
	code, err := u.Code(now)
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := totp.DecodeSecret(u.MFASeed)
	if code != totp.Code(secret, now) || len(code) != 6 {
		t.Errorf("Code = %s", code)
	}
	if _, err := a.Users[0].Code(now); err == nil {
		t.Error("Code of a user without a device succeeded")
	}
}

// awsCLI is the Debian AWS CLI v2 (a pip-installed v1 may be earlier on
// PATH; only v2 reads endpoint rule sets from AWS_DATA_PATH like this).
const awsCLI = "/usr/bin/aws"

func requireTool(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI=true: %v", path, err)
		}
		t.Skipf("%s not installed", path)
	}
}

// TestRuleSetsWithRealCLI checks that the AWS CLI v2, given AWS_DATA_PATH
// and no --endpoint-url, sends sts, iam and ec2 calls, and the AssumeRole of
// an mfa_serial-less role profile, to the endpoint in the rule sets. A fake
// server stands in for the lab: this test is about endpoint resolution.
func TestRuleSetsWithRealCLI(t *testing.T) {
	requireTool(t, awsCLI)
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		action := form.Get("Action")
		scope := ""
		if auth := r.Header.Get("Authorization"); strings.Contains(auth, "Credential=") {
			parts := strings.Split(strings.SplitN(strings.SplitN(auth, "Credential=", 2)[1], ",", 2)[0], "/")
			if len(parts) >= 4 {
				scope = parts[0] + "/" + parts[3]
			}
		}
		mu.Lock()
		seen = append(seen, action+" "+scope)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		switch action {
		case "GetCallerIdentity":
			io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/cli-role/s</Arn><UserId>AROAEXAMPLE:s</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
		case "AssumeRole":
			exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
			io.WriteString(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAEXAMPLEROLE0001</AccessKeyId><SecretAccessKey>`+strings.Repeat("r", 40)+`</SecretAccessKey><SessionToken>tok</SessionToken><Expiration>`+exp+`</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/cli-role/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>2</RequestId></ResponseMetadata></AssumeRoleResponse>`)
		case "ListUsers":
			io.WriteString(w, `<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users/><IsTruncated>false</IsTruncated></ListUsersResult><ResponseMetadata><RequestId>3</RequestId></ResponseMetadata></ListUsersResponse>`)
		case "DescribeRegions":
			io.WriteString(w, `<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>4</requestId><regionInfo/></DescribeRegionsResponse>`)
		default:
			w.WriteHeader(400)
		}
	}))
	defer srv.Close()

	dir := filepath.Join(t.TempDir(), "aws")
	if _, err := WriteConfigDir(dir, testApplied(t), WriteOptions{Endpoint: srv.URL}); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	env := []string{
		"PATH=/usr/bin:/bin", "HOME=" + home, "LANG=C.UTF-8",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, ConfigFile),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, CredentialsFile),
		"AWS_DATA_PATH=" + filepath.Join(dir, DataDir),
		"AWS_PAGER=",
	}
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(awsCLI, args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("--profile", "alice", "sts", "get-caller-identity")
	run("--profile", "alice", "iam", "list-users")
	run("--profile", "alice", "ec2", "describe-regions")
	run("--profile", "role-without-mfa", "sts", "get-caller-identity")
	mu.Lock()
	defer mu.Unlock()
	want := []string{
		"GetCallerIdentity AKIAEXAMPLEALICE0001/sts",
		"ListUsers AKIAEXAMPLEALICE0001/iam",
		"DescribeRegions AKIAEXAMPLEALICE0001/ec2",
		"AssumeRole AKIAEXAMPLEANIKA0001/sts",
		"GetCallerIdentity ASIAEXAMPLEROLE0001/sts",
	}
	if strings.Join(seen, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests reaching the endpoint:\n%s\nwant:\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMFAFileReadable(t *testing.T) {
	dir := t.TempDir()
	if _, err := WriteConfigDir(dir, testApplied(t), WriteOptions{Endpoint: "http://127.0.0.1:1", State: "/s/lab.sqlite"}); err != nil {
		t.Fatal(err)
	}
	data := readFile(t, filepath.Join(dir, MFAFile))
	if strings.Contains(data, `\u0026`) || !strings.Contains(data, "&issuer=awsmfa-lab") {
		t.Errorf("lab-mfa.json:\n%s", data)
	}
	if cfg := readFile(t, filepath.Join(dir, ConfigFile)); !strings.Contains(cfg, "awsmfa lab totp --state /s/lab.sqlite --serial arn:aws:iam::123456789012:mfa/anika") {
		t.Errorf("config lacks the totp command:\n%s", cfg)
	}
}
