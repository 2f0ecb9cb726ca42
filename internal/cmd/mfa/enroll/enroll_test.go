package enroll

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil/cmdtest"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/lab/store"
	"github.com/awsmfa/awsmfa/internal/totp"
)

// seed004User adds user name to the default scenario's seed 004 group
// (deny all but MFA self-service without MFA) with one access key, and a
// profile of the same name holding only those long-term keys. It returns
// the key's secret (which no output may contain).
func seed004User(t *testing.T, e *cmdtest.Env, name string) string {
	t.Helper()
	st := e.Lab.Store
	if _, err := st.CreateUser(name, "/"); err != nil {
		t.Fatal(err)
	}
	if err := st.AddUserToGroup("mfa-ifexists", name); err != nil {
		t.Fatal(err)
	}
	key, err := st.CreateAccessKey(name)
	if err != nil {
		t.Fatal(err)
	}
	e.Lab.WriteConfig(fmt.Sprintf("\n# %[1]s's long-term keys\n[profile %[1]s]\nregion = us-east-1\nendpoint_url = %[2]s\naws_access_key_id = %[3]s\naws_secret_access_key = %[4]s\n",
		name, e.Lab.URL, key.ID, key.Secret))
	return key.Secret
}

// codesFromFile answers the two codes the lab accepts now, computed from
// the otpauth URI the command wrote, when the command first reads.
type codesFromFile struct {
	t     *testing.T
	path  string
	st    *store.Store
	lines *strings.Reader
}

func (c *codesFromFile) Read(p []byte) (int, error) {
	if c.lines == nil {
		b, err := os.ReadFile(c.path)
		if err != nil {
			c.t.Errorf("the otpauth file is not there when the codes are read: %v", err)
			return 0, err
		}
		u, err := url.Parse(strings.TrimSpace(string(b)))
		if err != nil {
			c.t.Fatal(err)
		}
		seed, err := totp.DecodeSecret(u.Query().Get("secret"))
		if err != nil {
			c.t.Fatal(err)
		}
		now := c.st.Now()
		c1, c2 := store.EnableCodes(seed, now)
		c.lines = strings.NewReader(c1 + "\n" + c2 + "\n")
	}
	return c.lines.Read(p)
}

func run(e *cmdtest.Env, args ...string) error {
	cmd := NewCmdEnroll(e.IO, func(o *Options) error {
		o.Factory = e.Factory
		return Run(nil, o)
	})
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.Execute()
}

// TestEnrollSeed004User: a new user under seed 004's policy, with only
// long-term keys, enrolls through the policy's self-service exceptions;
// the lab lists the device, and the profile gets mfa_serial with the rest
// of the file kept.
func TestEnrollSeed004User(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	keySecret := seed004User(t, e, "dana")
	dir := t.TempDir()
	uriFile, pngFile := filepath.Join(dir, "dana.otpauth"), filepath.Join(dir, "dana.png")
	e.IO.In = &codesFromFile{t: t, path: uriFile, st: e.Lab.Store}
	before, _ := os.ReadFile(e.Lab.ConfigPath)
	if err := run(e, "--profile", "dana", "--otpauth-out", uriFile, "--qr-png", pngFile, "-o", "json"); err != nil {
		t.Fatalf("%v\nstderr: %s", err, e.Err.String())
	}
	var res Result
	if err := json.Unmarshal([]byte(e.Out.String()), &res); err != nil {
		t.Fatalf("%v: %s", err, e.Out.String())
	}
	serial := "arn:aws:iam::123456789012:mfa/dana"
	if res != (Result{User: "dana", SerialNumber: serial, Profile: "dana"}) {
		t.Errorf("result %+v", res)
	}
	devs, err := e.Lab.Store.ListMFADevices("dana")
	if err != nil || len(devs) != 1 || devs[0].Serial != serial {
		t.Fatalf("the lab's devices of dana: %+v, %v", devs, err)
	}
	after, _ := os.ReadFile(e.Lab.ConfigPath)
	want := strings.Replace(string(before), "aws_secret_access_key = "+keySecret+"\n", "aws_secret_access_key = "+keySecret+"\nmfa_serial = "+serial+"\n", 1)
	if string(after) != want {
		t.Errorf("config file:\n%s\nwant:\n%s", after, want)
	}
	for _, f := range []string{uriFile, pngFile} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, fi, err)
		}
	}
	uri, _ := os.ReadFile(uriFile)
	secret := strings.SplitN(strings.SplitN(string(uri), "secret=", 2)[1], "&", 2)[0]
	out := e.Out.String() + e.Err.String()
	if strings.Contains(out, secret) || strings.Contains(out, keySecret) {
		t.Error("a secret is in the output")
	}
	if !strings.Contains(e.Err.String(), "█") {
		t.Errorf("no QR code on stderr:\n%s", e.Err.String())
	}
}

// adminProfile writes profile "admin" with the default scenario's
// administrator's keys (AdministratorAccess, no MFA policy).
func adminProfile(t *testing.T, e *cmdtest.Env, extra string) {
	t.Helper()
	admin, ok := e.Lab.Applied.User("admin")
	if !ok || len(admin.AccessKeys) == 0 {
		t.Fatal("no admin keys in the scenario")
	}
	key := admin.AccessKeys[0]
	e.Lab.WriteConfig(fmt.Sprintf("\n[profile admin]\nregion = us-east-1\nendpoint_url = %s\naws_access_key_id = %s\naws_secret_access_key = %s\n", e.Lab.URL, key.ID, key.Secret) + extra)
}

// TestEnrollBadCodes: wrong codes end the enrollment with IAM's error and
// the unassigned device is deleted so that a retry can reuse the name.
// Under seed 004's policy without MFA, iam:DeleteVirtualMFADevice is
// denied (as in AWS's example policy): the error then names the device
// left behind and the command that deletes it.
func TestEnrollBadCodes(t *testing.T) {
	for _, tc := range []struct {
		name, user string
		args       []string
		leftBehind bool
	}{
		{name: "administrator for another user", user: "frank", args: []string{"--profile", "admin", "--user", "frank"}},
		{name: "seed 004 user with long-term keys", user: "erin", args: []string{"--profile", "erin"}, leftBehind: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := cmdtest.New(t, lab.Lifetimes{}, nil)
			seed004User(t, e, tc.user)
			cfg, _ := os.ReadFile(e.Lab.ConfigPath)
			adminProfile(t, e, string(cfg[strings.Index(string(cfg), "\n# "+tc.user):]))
			e.IO.In = strings.NewReader("000000\n111111\n")
			err := run(e, tc.args...)
			if cmdutil.ExitCode(err) != 2 || !strings.Contains(fmt.Sprint(err), "InvalidAuthenticationCode") {
				t.Fatalf("exit %d: %v", cmdutil.ExitCode(err), err)
			}
			if e.Out.String() != "" {
				t.Errorf("stdout %q", e.Out.String())
			}
			serial := "arn:aws:iam::123456789012:mfa/" + tc.user
			if got := strings.Contains(err.Error(), "left behind"); got != tc.leftBehind {
				t.Errorf("left behind %v: %v", got, err)
			}
			if tc.leftBehind && !strings.Contains(err.Error(), "aws iam delete-virtual-mfa-device --serial-number "+serial) {
				t.Errorf("error %v lacks the command that deletes the device", err)
			}
			devs, err := e.Lab.Store.ListVirtualMFADevices("")
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, d := range devs {
				found = found || d.Serial == serial
			}
			if found != tc.leftBehind {
				t.Errorf("device %s present: %v", serial, found)
			}
			// The retry: the name is free again, or taken with a hint.
			e.IO.In = strings.NewReader("000000\n111111\n")
			err = run(e, tc.args...)
			if want := map[bool]string{false: "InvalidAuthenticationCode", true: "EntityAlreadyExists"}[tc.leftBehind]; !strings.Contains(fmt.Sprint(err), want) {
				t.Errorf("retry: %v, want %s", err, want)
			}
			if tc.leftBehind && !strings.Contains(err.Error(), "--assignment-status Unassigned") {
				t.Errorf("retry error lacks the hint: %v", err)
			}
		})
	}
}

// TestEnrollUsageErrors: bad flags are refused before any device exists.
func TestEnrollUsageErrors(t *testing.T) {
	e := cmdtest.New(t, lab.Lifetimes{}, nil)
	seed004User(t, e, "hana")
	existing := filepath.Join(t.TempDir(), "taken")
	if err := os.WriteFile(existing, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--otpauth-out", existing}, "--otpauth-out: " + existing + " already exists"},
		{[]string{"--qr-png", existing}, "--qr-png: " + existing + " already exists"},
		{[]string{"--qr-png", filepath.Join(existing, "x", "y.png")}, "the folder of"},
		{[]string{"--qr-png", "same", "--otpauth-out", "same"}, "name the same file"},
		{[]string{"--device-name", "a b"}, "--device-name"},
		{[]string{"--user", "a/b"}, "--user"},
		{[]string{"-o", "yaml"}, "--output"},
	} {
		err := run(e, append([]string{"--profile", "hana"}, tc.args...)...)
		if cmdutil.ExitCode(err) != 2 || !strings.Contains(fmt.Sprint(err), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
	if vdevs, _ := e.Lab.Store.ListVirtualMFADevices(""); strings.Contains(fmt.Sprint(vdevs), "mfa/hana") {
		t.Errorf("a device was created: %+v", vdevs)
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep" {
		t.Errorf("the existing file changed: %q", b)
	}
}
