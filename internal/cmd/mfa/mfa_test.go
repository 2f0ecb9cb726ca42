package mfa

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil/cmdtest"
	"github.com/awsmfa/awsmfa/internal/cmd/mfa/enroll"
	"github.com/awsmfa/awsmfa/internal/cmd/mfa/list"
	"github.com/awsmfa/awsmfa/internal/cmd/mfa/remove"
	"github.com/awsmfa/awsmfa/internal/cmd/mfa/resync"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/lab/store"
	"github.com/awsmfa/awsmfa/internal/policygen"
	"github.com/awsmfa/awsmfa/internal/totp"
)

// labWithUser is a lab (default scenario) with user gina in seed 004's
// group, profile gina holding her long-term keys, and profile admin with
// the administrator's.
func labWithUser(t *testing.T) *cmdtest.Env {
	t.Helper()
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	st := e.Lab.Store
	if _, err := st.CreateUser("gina", "/"); err != nil {
		t.Fatal(err)
	}
	if err := st.AddUserToGroup("mfa-ifexists", "gina"); err != nil {
		t.Fatal(err)
	}
	key, err := st.CreateAccessKey("gina")
	if err != nil {
		t.Fatal(err)
	}
	admin, _ := e.Lab.Applied.User("admin")
	akey := admin.AccessKeys[0]
	e.Lab.WriteConfig(fmt.Sprintf(`
[profile gina]
region = us-east-1
endpoint_url = %[1]s
aws_access_key_id = %[2]s
aws_secret_access_key = %[3]s

[profile admin]
region = us-east-1
endpoint_url = %[1]s
aws_access_key_id = %[4]s
aws_secret_access_key = %[5]s
`, e.Lab.URL, key.ID, key.Secret, akey.ID, akey.Secret))
	return e
}

func execute(t *testing.T, e *cmdtest.Env, stdin string, args ...string) error {
	t.Helper()
	e.Out.Reset()
	e.Err.Reset()
	e.IO.In = strings.NewReader(stdin)
	cmd := NewCmdMFA(e.IO)
	// The subcommands are built with the real factory: replace it.
	for _, c := range cmd.Commands() {
		c.Parent().RemoveCommand(c)
	}
	cmd.AddCommand(
		enroll.NewCmdEnroll(e.IO, func(o *enroll.Options) error { o.Factory = e.Factory; return enroll.Run(nil, o) }),
		list.NewCmdList(e.IO, func(o *list.Options) error { o.Factory = e.Factory; return list.Run(nil, o) }),
		resync.NewCmdResync(e.IO, func(o *resync.Options) error { o.Factory = e.Factory; return resync.Run(nil, o) }),
		remove.NewCmdRemove(e.IO, func(o *remove.Options) error { o.Factory = e.Factory; return remove.Run(nil, o) }),
	)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

// TestLifecycle: enroll, list (with the profile that uses the device),
// resync, remove (refused without a terminal and --yes), list again.
func TestLifecycle(t *testing.T) {
	e := labWithUser(t)
	serial := "arn:aws:iam::123456789012:mfa/gina"
	uriFile := filepath.Join(t.TempDir(), "gina.otpauth")
	// The codes are computed once the command wrote the otpauth file.
	in := &lazyCodes{t: t, path: uriFile, st: e.Lab.Store}
	if err := executeReader(t, e, in, "enroll", "--profile", "gina", "--otpauth-out", uriFile); err != nil {
		t.Fatalf("enroll: %v\n%s", err, e.Err.String())
	}
	// Profile gina now has mfa_serial: the broker trades her keys and a
	// code of the new device (computed from its secret) for an MFA
	// session, which seed 004's policy lets through.
	e.MFA.Seed = in.seed
	if err := execute(t, e, "", "list", "--profile", "gina", "-o", "json"); err != nil {
		t.Fatalf("list: %v\n%s", err, e.Err.String())
	}
	var devs []list.Device
	if err := json.Unmarshal([]byte(e.Out.String()), &devs); err != nil {
		t.Fatal(err)
	}
	if len(devs) != 1 || devs[0].SerialNumber != serial || devs[0].User != "gina" || strings.Join(devs[0].Profiles, ",") != "gina" || devs[0].EnableDate.IsZero() {
		t.Errorf("devices %+v", devs)
	}
	if err := execute(t, e, "", "list", "--profile", "gina"); err != nil || !strings.Contains(e.Out.String(), "gina  "+serial) {
		t.Errorf("list text: %v\n%s", err, e.Out.String())
	}

	// Resync with two codes of a device running ahead: after those of
	// the lab's clock, which the MFA session used.
	c := totp.Counter(e.Lab.Clock.Now())
	c1, c2 := totp.CodeAt(in.seed, c+1, 6, totp.SHA1), totp.CodeAt(in.seed, c+2, 6, totp.SHA1)
	if err := execute(t, e, c1+"\n"+c2+"\n", "resync", "--profile", "gina"); err != nil {
		t.Fatalf("resync: %v\n%s", err, e.Err.String())
	}
	if err := execute(t, e, "", "resync", "--profile", "gina"); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "standard input ended") {
		t.Errorf("resync without codes: %v", err)
	}

	// Remove: refused without a terminal unless --yes; the administrator
	// removes it (gina's long-term keys may not deactivate under seed 004).
	err := execute(t, e, "", "remove", "--profile", "admin", "--user", "gina")
	if cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--yes") {
		t.Fatalf("remove without --yes: %v", err)
	}
	if err := execute(t, e, "", "remove", "--profile", "admin", "--user", "gina", "--yes"); err != nil {
		t.Fatalf("remove: %v\n%s", err, e.Err.String())
	}
	if !strings.Contains(e.Err.String(), "Profiles still naming it in mfa_serial: gina") {
		t.Errorf("stderr %q", e.Err.String())
	}
	if devs, _ := e.Lab.Store.ListMFADevices("gina"); len(devs) != 0 {
		t.Errorf("devices left: %+v", devs)
	}
	if vdevs, _ := e.Lab.Store.ListVirtualMFADevices(""); strings.Contains(fmt.Sprint(vdevs), serial) {
		t.Errorf("virtual device not deleted: %+v", vdevs)
	}
	if err := execute(t, e, "", "remove", "--profile", "admin", "--user", "gina", "--yes"); cmdutil.ExitCode(err) != 2 || !strings.Contains(err.Error(), "has no MFA device") {
		t.Errorf("second remove: %v", err)
	}
}

func executeReader(t *testing.T, e *cmdtest.Env, in *lazyCodes, args ...string) error {
	t.Helper()
	e.Out.Reset()
	e.Err.Reset()
	cmd := enroll.NewCmdEnroll(e.IO, func(o *enroll.Options) error {
		o.Factory = e.Factory
		o.IO.In = in
		return enroll.Run(nil, o)
	})
	cmd.SetArgs(args[1:])
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

// lazyCodes answers the two codes the lab accepts, from the otpauth file
// the command wrote before reading them.
type lazyCodes struct {
	t     *testing.T
	path  string
	st    *store.Store
	seed  []byte
	lines *strings.Reader
}

func (c *lazyCodes) Read(p []byte) (int, error) {
	if c.lines == nil {
		b, err := os.ReadFile(c.path)
		if err != nil {
			return 0, err
		}
		u, err := url.Parse(strings.TrimSpace(string(b)))
		if err != nil {
			return 0, err
		}
		if c.seed, err = totp.DecodeSecret(u.Query().Get("secret")); err != nil {
			return 0, err
		}
		c1, c2 := store.EnableCodes(c.seed, c.st.Now())
		c.lines = strings.NewReader(c1 + "\n" + c2 + "\n")
	}
	return c.lines.Read(p)
}

// TestEnrollUnderGeneratedPolicy: a user whose only policy is awsmfa's
// generated self-manage-mfa policy (its allows plus the deny without
// MFA) enrolls with long-term keys alone: the generator's self-service
// exceptions are enough for enrollment.
func TestEnrollUnderGeneratedPolicy(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	st := e.Lab.Store
	doc, err := policygen.Generate(policygen.Options{Template: policygen.SelfManageMFA})
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser("ivan", "/"); err != nil {
		t.Fatal(err)
	}
	if err := st.PutUserPolicy("ivan", "SelfManageMFA", string(js)); err != nil {
		t.Fatal(err)
	}
	key, err := st.CreateAccessKey("ivan")
	if err != nil {
		t.Fatal(err)
	}
	e.Lab.WriteConfig(fmt.Sprintf("\n[profile ivan]\nregion = us-east-1\nendpoint_url = %s\naws_access_key_id = %s\naws_secret_access_key = %s\n", e.Lab.URL, key.ID, key.Secret))
	uriFile := filepath.Join(t.TempDir(), "ivan.otpauth")
	in := &lazyCodes{t: t, path: uriFile, st: st}
	if err := executeReader(t, e, in, "enroll", "--profile", "ivan", "--otpauth-out", uriFile); err != nil {
		t.Fatalf("enroll: %v\n%s", err, e.Err.String())
	}
	devs, err := st.ListMFADevices("ivan")
	if err != nil || len(devs) != 1 || devs[0].Serial != "arn:aws:iam::123456789012:mfa/ivan" {
		t.Fatalf("devices %+v, %v", devs, err)
	}
}

// TestTwoDevices: an administrator enrolls two devices for another user
// (no profile changes); list shows both with no profile; resync and
// remove then want --serial.
func TestTwoDevices(t *testing.T) {
	e := labWithUser(t)
	if _, err := e.Lab.Store.CreateUser("jo", "/"); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(e.Lab.ConfigPath)
	for _, name := range []string{"jo-phone", "jo-laptop"} {
		uriFile := filepath.Join(t.TempDir(), name)
		in := &lazyCodes{t: t, path: uriFile, st: e.Lab.Store}
		if err := executeReader(t, e, in, "enroll", "--profile", "admin", "--user", "jo", "--device-name", name, "--otpauth-out", uriFile); err != nil {
			t.Fatalf("enroll %s: %v\n%s", name, err, e.Err.String())
		}
	}
	if after, _ := os.ReadFile(e.Lab.ConfigPath); string(after) != string(before) {
		t.Errorf("the config changed:\n%s", after)
	}
	if err := execute(t, e, "", "list", "--profile", "admin", "--user", "jo"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"USER  SERIAL", "jo    arn:aws:iam::123456789012:mfa/jo-phone", "jo    arn:aws:iam::123456789012:mfa/jo-laptop"} {
		if !strings.Contains(e.Out.String(), want) {
			t.Errorf("list lacks %q:\n%s", want, e.Out.String())
		}
	}
	for _, verb := range []string{"resync", "remove"} {
		err := execute(t, e, "", verb, "--profile", "admin", "--user", "jo", "--yes")
		if verb == "resync" {
			err = execute(t, e, "", verb, "--profile", "admin", "--user", "jo")
		}
		if cmdutil.ExitCode(err) != 2 || !strings.Contains(fmt.Sprint(err), "user jo has 2 MFA devices") || !strings.Contains(err.Error(), "--serial") {
			t.Errorf("%s: %v", verb, err)
		}
	}
	if err := execute(t, e, "", "remove", "--profile", "admin", "--user", "jo", "--serial", "arn:aws:iam::123456789012:mfa/jo-phone", "--yes"); err != nil {
		t.Fatal(err)
	}
	if err := execute(t, e, "", "list", "--profile", "admin", "--user", "jo", "-o", "json"); err != nil {
		t.Fatal(err)
	}
	var devs []list.Device
	if err := json.Unmarshal([]byte(e.Out.String()), &devs); err != nil || len(devs) != 1 || devs[0].SerialNumber != "arn:aws:iam::123456789012:mfa/jo-laptop" || len(devs[0].Profiles) != 0 {
		t.Errorf("after remove: %+v %v", devs, err)
	}
}
