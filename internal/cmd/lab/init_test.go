package lab

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/lab/scenario"
	"github.com/awsmfa/awsmfa/internal/lab/store"
)

func runInitCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	cmd := NewCmdInit(ios, nil)
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(errOut)
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestInitWritesStateAndConfig(t *testing.T) {
	tmp := t.TempDir()
	dir, state := filepath.Join(tmp, "aws"), filepath.Join(tmp, "state", "lab.sqlite")
	out, _, err := runInitCmd(t, "--dir", dir, "--state", state, "--endpoint", "http://127.0.0.1:4999", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	// The state holds every secret key and MFA seed.
	for path, want := range map[string]os.FileMode{state: 0o600, filepath.Dir(state): 0o700} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v %v, want %04o", path, fi.Mode(), err, want)
		}
	}
	var res initResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Scenario != "default" || res.Account != "123456789012" || res.State != state || res.Dir != dir || res.Endpoint != "http://127.0.0.1:4999" ||
		len(res.Users) != 4 || len(res.Roles) != 1 || len(res.Files) != 8 {
		t.Fatalf("result %+v", res)
	}
	cmds := ""
	for _, c := range res.Commands {
		cmds += c.Command + "\n"
	}
	for _, want := range []string{
		"awsmfa lab serve --state " + state + " --addr 127.0.0.1:4999 &",
		"export AWS_CONFIG_FILE=" + filepath.Join(dir, "config") + " AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials") + " AWS_DATA_PATH=" + filepath.Join(dir, "data"),
		"aws --endpoint-url http://127.0.0.1:4999 --profile alice ec2 describe-regions",
		"--profile bob sts get-session-token --serial-number arn:aws:iam::123456789012:mfa/bob --token-code $(awsmfa lab totp --state " + state + " --serial arn:aws:iam::123456789012:mfa/bob)",
		"--profile role-with-mfa iam list-users",
	} {
		if !strings.Contains(cmds, want) {
			t.Errorf("commands lack %q:\n%s", want, cmds)
		}
	}
	// The credentials file holds the secrets that the state holds; stdout
	// holds none.
	creds, err := os.ReadFile(filepath.Join(dir, "credentials"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range res.Users {
		k, err := st.LookupAccessKey(u.AccessKeyID)
		if err != nil {
			t.Fatalf("user %s key %s not in the state: %v", u.Name, u.AccessKeyID, err)
		}
		if !strings.Contains(string(creds), k.Secret) || strings.Contains(out, k.Secret) {
			t.Errorf("user %s: secret in credentials %v, in stdout %v", u.Name, strings.Contains(string(creds), k.Secret), strings.Contains(out, k.Secret))
		}
	}
	m, err := scenario.ReadMFAFile(filepath.Join(dir, "lab-mfa.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Devices {
		dev, err := st.GetMFADevice(d.Serial)
		if err != nil || dev.Base32Seed() != d.Seed || dev.UserName != d.User {
			t.Errorf("device %s: %+v %v", d.Serial, dev.UserName, err)
		}
	}
	st.Close()

	// Again: refused, because the directory exists.
	if _, _, err := runInitCmd(t, "--dir", dir, "--state", state); cmdutil.ExitCode(err) != cmdutil.ExitError || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("second init: %v", err)
	}
	// Another directory, same state: refused, because the state holds an account.
	if _, _, err := runInitCmd(t, "--dir", filepath.Join(tmp, "aws2"), "--state", state); err == nil || !strings.Contains(err.Error(), "already holds an account") {
		t.Errorf("init over a seeded state: %v", err)
	}
	if _, err := os.Stat(filepath.Join(tmp, "aws2")); !os.IsNotExist(err) {
		t.Error("refused init still created the directory")
	}
	// --force replaces both, with new keys.
	out2, _, err := runInitCmd(t, "--dir", dir, "--state", state, "--force", "--scenario", "seed-000-bool", "-o", "json")
	if err != nil {
		t.Fatalf("forced init: %v", err)
	}
	var res2 initResult
	_ = json.Unmarshal([]byte(out2), &res2)
	if len(res2.Users) != 1 || res2.Users[0].Name != "alice" || res2.Users[0].AccessKeyID == res.Users[0].AccessKeyID {
		t.Errorf("forced init result %+v", res2.Users)
	}
	st, err = store.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	users, _ := st.ListUsers("/")
	st.Close()
	if len(users) != 1 {
		t.Errorf("state after --force has %d users, want 1", len(users))
	}
	if creds, _ := os.ReadFile(filepath.Join(dir, "credentials")); strings.Contains(string(creds), "[bob]") {
		t.Error("credentials still hold bob after --force with seed-000-bool")
	}
}

func TestInitRefusesForeignDirEvenWithForce(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "dotaws")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte("[default]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(tmp, "lab.sqlite")
	_, _, err := runInitCmd(t, "--dir", dir, "--state", state, "--force")
	if err == nil || !strings.Contains(err.Error(), "not written by awsmfa") {
		t.Fatalf("init over a foreign config: %v", err)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Error("refused init created the state")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "config")); string(b) != "[default]\nregion = eu-west-1\n" {
		t.Error("foreign config changed")
	}
}

func TestInitTextAndDefaults(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(tmp, "cfg"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(tmp, "state"))
	out, _, err := runInitCmd(t, "--scenario", "seed-002-role-mfa")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "cfg", "awsmfa", "lab")
	state := filepath.Join(tmp, "state", "awsmfa", "lab.sqlite")
	for _, want := range []string{
		`Seeded lab account 123456789012 with scenario "seed-002-role-mfa" in ` + state,
		"Role: arn:aws:iam::123456789012:role/cli-role (profiles: role-with-mfa, role-without-mfa)",
		filepath.Join(dir, "credentials"),
		"Try it (AWS CLI v2):",
		"awsmfa lab serve --state " + state + " &",
		`# prompts "Enter MFA code for arn:aws:iam::123456789012:mfa/anika:"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "config")); err != nil {
		t.Error(err)
	}
}

func TestInitUsageErrors(t *testing.T) {
	tmp := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--scenario", "nope"}, "unknown scenario"},
		{[]string{"--endpoint", "127.0.0.1:1"}, "--endpoint"},
		{[]string{"-o", "yaml"}, "--output"},
		{[]string{"extra"}, "unknown command"},
	} {
		_, _, err := runInitCmd(t, append(c.args, "--dir", filepath.Join(tmp, "d"), "--state", filepath.Join(tmp, "s"))...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("init %v: %v, want %q", c.args, err, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "s")); !os.IsNotExist(err) {
		t.Error("a usage error created the state")
	}
}

func TestInitList(t *testing.T) {
	out, _, err := runInitCmd(t, "--list")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range scenario.Names() {
		if !strings.Contains(out, n+" ") {
			t.Errorf("--list lacks %s:\n%s", n, out)
		}
	}
	out, _, err = runInitCmd(t, "--list", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var list []struct{ Name, Description string }
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != len(scenario.Names()) || list[0].Description == "" {
		t.Errorf("--list json %v:\n%s", err, out)
	}
}

func TestInitRegistered(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	cmd := NewCmdLab(ios)
	found, _, err := cmd.Find([]string{"init"})
	if err != nil || found.Name() != "init" {
		t.Errorf("lab init not registered: %v", err)
	}
}
