package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/lab/store"
	"github.com/awsmfa/awsmfa/internal/totp"
)

// enrollCodes is the standard input of `awsmfa mfa enroll`: once the
// command wrote its --otpauth-out file, the two codes the lab accepts now,
// computed from the secret in it, one per line.
type enrollCodes struct {
	path  string
	st    *store.Store
	seed  []byte
	lines *strings.Reader
}

func (c *enrollCodes) Read(p []byte) (int, error) {
	if c.lines == nil {
		b, err := waitForFile(c.path, 30*time.Second)
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

func waitForFile(path string, limit time.Duration) ([]byte, error) {
	deadline := time.Now().Add(limit)
	for {
		b, err := os.ReadFile(path)
		if err == nil && bytes.HasSuffix(b, []byte("\n")) {
			return b, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s not written within %s", path, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMFAEnrollSeed004User: a new user in seed 004's group (deny all but
// MFA self-service without MFA) with nothing but access keys enrolls a
// virtual device with the awsmfa binary, the codes computed from the
// otpauth secret it wrote; `aws iam list-mfa-devices` shows the device;
// the profile now holds mfa_serial and works through credential-process
// (an MFA session from the new device), and the AWS CLI's calls that
// seed 004 denies to the keys alone pass with those credentials.
func TestMFAEnrollSeed004User(t *testing.T) {
	requireTool(t, awsCLI)
	b := startBrokerLab(t, lab.Lifetimes{})
	st := b.Store
	if _, err := st.CreateUser("dana", "/"); err != nil {
		t.Fatal(err)
	}
	if err := st.AddUserToGroup("mfa-ifexists", "dana"); err != nil {
		t.Fatal(err)
	}
	key, err := st.CreateAccessKey("dana")
	if err != nil {
		t.Fatal(err)
	}
	appendFile(t, b.Config, fmt.Sprintf("\n[profile dana]\nregion = us-east-1\nendpoint_url = %s\nservices = awsmfa-lab\n", b.URL))
	appendFile(t, b.Creds, fmt.Sprintf("\n[dana]\naws_access_key_id = %s\naws_secret_access_key = %s\n", key.ID, key.Secret))
	b.mu.Lock()
	b.secrets[key.Secret] = true
	b.mu.Unlock()

	// The keys alone are denied (seed 004).
	if r := b.aws(nil, "--endpoint-url", b.URL, "--profile", "dana", "ec2", "describe-regions"); r.exit == 0 || !strings.Contains(r.stderr, "UnauthorizedOperation") {
		t.Fatalf("dana's keys: exit %d\n%s", r.exit, r.stderr)
	}

	uriFile := filepath.Join(t.TempDir(), "dana.otpauth")
	in := &enrollCodes{path: uriFile, st: st}
	r := b.runStdin(in, "mfa", "enroll", "--profile", "dana", "--otpauth-out", uriFile)
	serial := "arn:aws:iam::123456789012:mfa/dana"
	if r.exit != 0 || strings.TrimSpace(r.stdout) != serial {
		t.Fatalf("enroll: exit %d\nstdout: %s\nstderr: %s", r.exit, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "█") || strings.Contains(r.stderr, totp.EncodeSecret(in.seed)) {
		t.Errorf("stderr lacks the QR code or shows the secret:\n%s", r.stderr)
	}
	if fi, err := os.Stat(uriFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("otpauth file: %v %v", fi, err)
	}

	var devs struct {
		MFADevices []struct{ UserName, SerialNumber string }
	}
	b.awsOK(nil, &devs, "--endpoint-url", b.URL, "--profile", "dana", "iam", "list-mfa-devices")
	if len(devs.MFADevices) != 1 || devs.MFADevices[0].SerialNumber != serial || devs.MFADevices[0].UserName != "dana" {
		t.Fatalf("list-mfa-devices: %+v", devs)
	}
	cfg, _ := os.ReadFile(b.Config)
	if !strings.Contains(string(cfg), "[profile dana]\nregion = us-east-1\nendpoint_url = "+b.URL+"\nservices = awsmfa-lab\nmfa_serial = "+serial+"\n") {
		t.Fatalf("config:\n%s", cfg)
	}

	// The next code (the enrollment used the two before it).
	code := totp.CodeAt(in.seed, totp.Counter(st.Now()), totp.Digits, totp.SHA1)
	creds, cr := b.credentialProcess(b.env(), "dana", "--mfa-token", code)
	if cr.exit != 0 || creds.SessionToken == "" {
		t.Fatalf("credential-process: exit %d\n%s", cr.exit, cr.stderr)
	}
	env := []string{"AWS_ACCESS_KEY_ID=" + creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + creds.SecretAccessKey, "AWS_SESSION_TOKEN=" + creds.SessionToken}
	b.awsOK(env, nil, "--endpoint-url", b.URL, "ec2", "describe-regions", "--region", "us-east-1")
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// runStdin runs the awsmfa binary with stdin.
func (b *brokerLab) runStdin(stdin *enrollCodes, args ...string) cliResult {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), brokerCmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.Bin, args...)
	cmd.Env = b.env()
	cmd.Stdin = stdin
	cmd.WaitDelay = 5 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := cliResult{stdout: out.String(), stderr: errb.String()}
	b.keep(res, false)
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.exit = ee.ExitCode()
	case err != nil:
		b.t.Fatalf("awsmfa %s: %v\n%s", strings.Join(args, " "), err, res.stderr)
	}
	return res
}
