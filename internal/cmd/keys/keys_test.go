package keys

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil/cmdtest"
	"github.com/awsmfa/awsmfa/internal/cmd/keys/add"
	importcmd "github.com/awsmfa/awsmfa/internal/cmd/keys/import"
	"github.com/awsmfa/awsmfa/internal/cmd/keys/list"
	"github.com/awsmfa/awsmfa/internal/cmd/keys/remove"
	"github.com/awsmfa/awsmfa/internal/cmd/keys/rotate"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/lab"
)

func newEnv(t *testing.T, vars map[string]string) *cmdtest.Env {
	t.Helper()
	base := map[string]string{"AWSMFA_KEYS_BACKEND": "file", "AWSMFA_KEYS_DIR": filepath.Join(t.TempDir(), "keys"), "AWSMFA_KEYS_PASSPHRASE": "test passphrase"}
	for k, v := range vars {
		base[k] = v
	}
	return cmdtest.New(t, lab.Lifetimes{}, base)
}

func execute(t *testing.T, e *cmdtest.Env, args ...string) error {
	t.Helper()
	e.Out.Reset()
	e.Err.Reset()
	e.IO.In = strings.NewReader("")
	cmd := NewCmdKeys(e.IO)
	for _, c := range cmd.Commands() {
		c.Parent().RemoveCommand(c)
	}
	cmd.AddCommand(
		add.NewCmdAdd(e.IO, func(o *add.Options) error { o.Factory = e.Factory; return add.Run(o) }),
		importcmd.NewCmdImport(e.IO, func(o *importcmd.Options) error { o.Factory = e.Factory; return importcmd.Run(o) }),
		list.NewCmdList(e.IO, func(o *list.Options) error { o.Factory = e.Factory; return list.Run(o) }),
		rotate.NewCmdRotate(e.IO, func(o *rotate.Options) error { o.Factory = e.Factory; return rotate.Run(o) }),
		remove.NewCmdRemove(e.IO, func(o *remove.Options) error { o.Factory = e.Factory; return remove.Run(o) }),
	)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

// TestAddListRemove: add from the environment (checked with --verify
// against the lab), list without secrets, remove with --yes only.
func TestAddListRemove(t *testing.T) {
	e := newEnv(t, nil)
	admin, _ := e.Lab.Applied.User("admin")
	k := admin.AccessKeys[0]
	e = cmdtest.OnLab(e.Lab, map[string]string{"AWSMFA_KEYS_BACKEND": "file", "AWSMFA_KEYS_DIR": filepath.Join(t.TempDir(), "keys"),
		"AWSMFA_KEYS_PASSPHRASE": "test passphrase", "AWS_ACCESS_KEY_ID": k.ID, "AWS_SECRET_ACCESS_KEY": k.Secret})
	e.Lab.WriteConfig("\n[profile ops]\nregion = us-east-1\nendpoint_url = " + e.Lab.URL + "\n")

	if err := execute(t, e, "add", "ops", "--env", "--verify"); err != nil {
		t.Fatalf("add: %v\n%s", err, e.Err.String())
	}
	if out := e.Out.String(); !strings.Contains(out, "ops: access key "+k.ID+" stored in encrypted file") || !strings.Contains(out, "it works: arn:aws:iam::123456789012:user/admin") ||
		!strings.Contains(out, "credential_process added") || strings.Contains(out+e.Err.String(), k.Secret) {
		t.Errorf("add output:\n%s", out)
	}
	cfg, _ := os.ReadFile(e.Lab.ConfigPath)
	if !strings.Contains(string(cfg), "[profile ops]\nregion = us-east-1\nendpoint_url = "+e.Lab.URL+"\ncredential_process = awsmfa credential-process --profile ops\n") {
		t.Errorf("config:\n%s", cfg)
	}

	if err := execute(t, e, "list", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var keys []list.Key
	if err := json.Unmarshal([]byte(e.Out.String()), &keys); err != nil || len(keys) != 1 || keys[0].Profile != "ops" || keys[0].AccessKeyID != k.ID {
		t.Fatalf("list: %v %s", err, e.Out.String())
	}
	if err := execute(t, e, "list"); err != nil || !strings.Contains(e.Out.String(), "ops      "+k.ID[:8]+"…") {
		t.Errorf("list text: %v\n%s", err, e.Out.String())
	}

	err := execute(t, e, "remove", "ops")
	if cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "pass --yes") {
		t.Errorf("remove without a terminal: %v", err)
	}
	if err := execute(t, e, "remove", "ops", "--yes", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var removed struct {
		Profile, AccessKeyID string
		Removed              bool
	}
	if err := json.Unmarshal([]byte(e.Out.String()), &removed); err != nil || removed.Profile != "ops" || removed.AccessKeyID != k.ID || !removed.Removed {
		t.Errorf("remove JSON: %v %s", err, e.Out.String())
	}
	if err := execute(t, e, "remove", "ops", "--yes"); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "profile ops has no key") {
		t.Errorf("second remove: %v", err)
	}
}

// TestAddRefuses: bad shapes, missing variables, a temporary key, no
// terminal, and a key that does not work under --verify.
func TestAddRefuses(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"no terminal", nil, []string{"add", "p"}, "no terminal to ask on"},
		{"missing secret", map[string]string{"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE"}, []string{"add", "p", "--env"}, "must both be set"},
		{"session token", map[string]string{"AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "x"}, []string{"add", "p", "--env"}, "temporary credentials"},
		{"bad id", map[string]string{"AWS_ACCESS_KEY_ID": "nope", "AWS_SECRET_ACCESS_KEY": secret}, []string{"add", "p", "--env"}, `"nope" is not an access key ID`},
		{"bad secret", map[string]string{"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "short"}, []string{"add", "p", "--env"}, "not 40 characters"},
		{"bad profile", map[string]string{"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": secret}, []string{"add", "a b", "--env"}, "not a profile name"},
		{"verify fails", map[string]string{"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": secret}, []string{"add", "anika", "--env", "--verify"}, "--verify: the key does not work"},
	} {
		e := newEnv(t, tc.vars)
		err := execute(t, e, tc.args...)
		if cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), secret) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestImportAll: --all moves every profile with long-term keys in the
// files; a second --all finds none.
func TestImportAll(t *testing.T) {
	e := newEnv(t, nil)
	if err := execute(t, e, "import"); cmdutil.ExitCode(err) != 2 {
		t.Errorf("import without profiles: %v", err)
	}
	if err := execute(t, e, "import", "--all", "-o", "json"); err != nil {
		t.Fatalf("import --all: %v\n%s", err, e.Err.String())
	}
	var res []map[string]any
	if err := json.Unmarshal([]byte(e.Out.String()), &res); err != nil || len(res) == 0 {
		t.Fatalf("import --all JSON: %v %s", err, e.Out.String())
	}
	creds, _ := os.ReadFile(e.Lab.CredsPath)
	if strings.Contains(string(creds), "aws_secret_access_key") {
		t.Errorf("credentials file still holds keys:\n%s", creds)
	}
	if err := execute(t, e, "import", "--all"); err != nil || !strings.Contains(e.Err.String(), "No profile has long-term access keys") {
		t.Errorf("second import --all: %v %s", err, e.Err.String())
	}
}
