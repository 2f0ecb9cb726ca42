package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/keystore"
	"github.com/awsmfa/awsmfa/internal/lab"
)

const keysPassphrase = "e2e key store passphrase"

// keysEnv is the environment of the key store commands: an encrypted file
// store under HOME.
func (b *brokerLab) keysEnv() []string {
	return []string{"AWSMFA_KEYS_BACKEND=file", "AWSMFA_KEYS_PASSPHRASE=" + keysPassphrase}
}

// keyStore opens the same store as the commands.
func (b *brokerLab) keyStore(t *testing.T) keystore.Store {
	t.Helper()
	s, err := keystore.Open(keystore.Options{Backend: keystore.BackendFile, Dir: filepath.Join(b.Home, ".config", "awsmfa", "keys"),
		Passphrase: func(bool) (string, error) { return keysPassphrase, nil }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// filesHolding lists the files under the directories whose content holds s.
func filesHolding(t *testing.T, s string, dirs ...string) []string {
	t.Helper()
	var out []string
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if bytes.Contains(data, []byte(s)) {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// seedOwnKeys lets bob manage his own access keys (with MFA: seed 004's
// policy denies everything else without it), as AWS's example policy for
// self-service credential rotation does.
func (b *brokerLab) seedOwnKeys(t *testing.T) {
	t.Helper()
	const doc = `{"Version":"2012-10-17","Statement":[{"Sid":"ManageOwnAccessKeys","Effect":"Allow","Action":["iam:CreateAccessKey","iam:DeleteAccessKey","iam:ListAccessKeys","iam:UpdateAccessKey","iam:GetAccessKeyLastUsed"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`
	if err := b.Store.PutUserPolicy("bob", "ManageOwnAccessKeys", doc); err != nil {
		t.Fatal(err)
	}
}

// bobKeys are bob's access keys in the lab.
func (b *brokerLab) bobKeys(t *testing.T) []string {
	t.Helper()
	keys, err := b.Store.ListAccessKeys("bob", false)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.ID+":"+k.Status)
	}
	return ids
}

// TestKeysImportAndRotate: bob's long-term key moves from
// ~/.aws/credentials into the encrypted store; no file under HOME or the
// AWS config directory holds the secret any more; `aws --profile bob`
// goes through credential_process with one MFA code; rotate under seed
// 004's policy leaves exactly one key in the lab, a new one, and the
// profile keeps working.
func TestKeysImportAndRotate(t *testing.T) {
	requireTool(t, awsCLI)
	b := startBrokerLab(t, lab.Lifetimes{})
	bob := b.user("bob")
	secret := bob.AccessKeys[0].Secret
	codes := b.newCounter("bob")
	b.configure("bob", "--mfa-serial", bob.MFASerial, "--mfa-process", b.mfaProcess(codes, "", b.totpCmd("bob")))

	r := b.awsmfa(b.keysEnv(), "keys", "import", "bob")
	if r.exit != 0 || !strings.Contains(r.stdout, "bob: access key "+bob.AccessKeys[0].ID+" stored in encrypted file") {
		t.Fatalf("import: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	if files := filesHolding(t, secret, b.Home, b.Dir); len(files) != 0 {
		t.Fatalf("bob's secret is still in plain text in %v", files)
	}
	if e, err := b.keyStore(t).Get("bob"); err != nil || e == nil || e.SecretAccessKey != secret {
		t.Fatalf("the store does not hold bob's key: %v", err)
	}

	listUsers := []string{"--endpoint-url", b.URL, "--profile", "bob", "iam", "list-users", "--query", "Users[].UserName", "--output", "text"}
	for i := 0; i < 2; i++ {
		if r := b.aws(b.keysEnv(), listUsers...); r.exit != 0 || !strings.Contains(r.stdout, "alice") {
			t.Fatalf("aws --profile bob iam list-users: exit %d\n%s", r.exit, r.stderr)
		}
	}
	if n := codes.count(); n != 1 {
		t.Errorf("MFA codes asked: %d, want 1", n)
	}

	// Rotation needs key management, which seed 004 allows only with MFA.
	b.seedOwnKeys(t)
	r = b.awsmfa(b.keysEnv(), "keys", "rotate", "bob", "-o", "json")
	if r.exit != 0 {
		t.Fatalf("rotate: exit %d\n%s", r.exit, r.stderr)
	}
	keys := b.bobKeys(t)
	if len(keys) != 1 || strings.HasPrefix(keys[0], bob.AccessKeys[0].ID) || !strings.HasSuffix(keys[0], ":Active") {
		t.Fatalf("bob's keys after rotate: %v (old %s)", keys, bob.AccessKeys[0].ID)
	}
	e, err := b.keyStore(t).Get("bob")
	if err != nil || e == nil || !strings.HasPrefix(keys[0], e.AccessKeyID+":") || e.Rotation != nil {
		t.Fatalf("stored key after rotate: %v %v", e, err)
	}
	b.mu.Lock()
	b.secrets[e.SecretAccessKey] = true
	b.mu.Unlock()
	if r := b.aws(b.keysEnv(), listUsers...); r.exit != 0 {
		t.Fatalf("list-users after rotate: exit %d\n%s", r.exit, r.stderr)
	}
	// The MFA session moved to the new key: no second code.
	if n := codes.count(); n != 1 {
		t.Errorf("MFA codes asked after the rotation: %d, want 1", n)
	}
	// The key with the old one deleted must fail; the list shows the
	// rotation date.
	r = b.awsmfa(b.keysEnv(), "keys", "list")
	if r.exit != 0 || !strings.Contains(r.stdout, "bob ") || strings.Contains(r.stderr, "interrupted") {
		t.Errorf("keys list: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
}

// TestKeysImportKilled: `keys import` killed with SIGKILL at delays that
// cover its whole run leaves bob's key in the credentials file, in the
// store, or both, never in neither; a second import finishes.
func TestKeysImportKilled(t *testing.T) {
	b := startBrokerLab(t, lab.Lifetimes{})
	bob := b.user("bob")
	secret := bob.AccessKeys[0].Secret
	origConfig, _ := os.ReadFile(b.Config)
	origCreds, _ := os.ReadFile(b.Creds)
	storeDir := filepath.Join(b.Home, ".config", "awsmfa", "keys")
	states := map[string]int{}
	for d := 0 * time.Millisecond; d <= 300*time.Millisecond; d += 12 * time.Millisecond {
		if err := os.WriteFile(b.Config, origConfig, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(b.Creds, origCreds, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(storeDir); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(b.Bin, "keys", "import", "bob")
		cmd.Env = b.env(b.keysEnv()...)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(d)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()

		inFile := bytes.Contains(mustRead(t, b.Creds), []byte(secret))
		inStore := false
		if e, err := b.keyStore(t).Get("bob"); err == nil && e != nil && e.SecretAccessKey == secret {
			inStore = true
		}
		if !inFile && !inStore {
			t.Fatalf("killed after %s: bob's key is in neither the file nor the store", d)
		}
		states[fmt.Sprintf("file=%v store=%v", inFile, inStore)]++
		if r := b.awsmfa(b.keysEnv(), "keys", "import", "bob"); r.exit != 0 {
			t.Fatalf("import after a kill at %s: exit %d\n%s", d, r.exit, r.stderr)
		}
		if bytes.Contains(mustRead(t, b.Creds), []byte(secret)) || !strings.Contains(string(mustRead(t, b.Config)), "credential_process = awsmfa credential-process --profile bob") {
			t.Fatalf("import after a kill at %s did not finish", d)
		}
	}
	t.Logf("where bob's key was after each kill: %v", states)
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestKeysRotateKilled: rotate killed with SIGKILL right after IAM made
// each of its changes (CreateAccessKey, then DeleteAccessKey), before
// awsmfa heard back; rotate again leaves bob with exactly one key, the
// stored one, which works.
func TestKeysRotateKilled(t *testing.T) {
	b, proxy := startRotateThroughProxy(t)
	for k := 1; k <= 2; k++ {
		b.rotateKilledAt(t, proxy, k)
		r := b.awsmfa(b.keysEnv(), "keys", "rotate", "bob")
		if r.exit != 0 || !strings.Contains(r.stderr, "resuming the rotation") {
			t.Fatalf("rotate after a kill at change %d: exit %d\n%s", k, r.exit, r.stderr)
		}
		e, err := b.keyStore(t).Get("bob")
		if err != nil || e == nil || e.Rotation != nil {
			t.Fatalf("stored key: %v %v", e, err)
		}
		b.mu.Lock()
		b.secrets[e.SecretAccessKey] = true
		b.mu.Unlock()
		if keys := b.bobKeys(t); len(keys) != 1 || keys[0] != e.AccessKeyID+":Active" {
			t.Fatalf("after a kill at change %d and a second rotate: keys %v, stored %s", k, keys, e.AccessKeyID)
		}
		if r := b.run(b.env(b.keysEnv()...), true, b.Bin, "export", "--profile", "bob", "--format", "env"); r.exit != 0 {
			t.Fatalf("the profile after rotation: exit %d\n%s", r.exit, r.stderr)
		}
	}
}

// startRotateThroughProxy: bob's keys imported into the key store, his
// profile's endpoint a proxy that can kill awsmfa after an IAM change.
func startRotateThroughProxy(t *testing.T) (*brokerLab, *killProxy) {
	t.Helper()
	b := startBrokerLab(t, lab.Lifetimes{})
	bob := b.user("bob")
	b.seedOwnKeys(t)
	target, _ := url.Parse(b.URL)
	proxy := &killProxy{target: target}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	codes := b.newCounter("bob")
	b.configure("bob", "--mfa-serial", bob.MFASerial, "--mfa-process", b.mfaProcess(codes, "", b.totpCmd("bob")))
	if r := b.awsmfa(b.keysEnv(), "keys", "import", "bob"); r.exit != 0 {
		t.Fatalf("import: exit %d\n%s", r.exit, r.stderr)
	}
	cfg := strings.ReplaceAll(string(mustRead(t, b.Config)), "endpoint_url = "+b.URL, "endpoint_url = "+srv.URL)
	if err := os.WriteFile(b.Config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return b, proxy
}

// rotateKilledAt runs keys rotate bob, killed with SIGKILL right after
// IAM made its k-th change.
func (b *brokerLab) rotateKilledAt(t *testing.T, proxy *killProxy, k int) {
	t.Helper()
	proxy.mu.Lock()
	proxy.killAt, proxy.writes, proxy.killed, proxy.proc = k, nil, false, nil
	proxy.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), brokerCmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.Bin, "keys", "rotate", "bob")
	cmd.Env = b.env(b.keysEnv()...)
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	proxy.mu.Lock()
	proxy.proc = cmd.Process
	proxy.mu.Unlock()
	_ = cmd.Wait()
	b.keep(cliResult{stderr: errb.String()}, false)
	proxy.mu.Lock()
	killed, writes := proxy.killed, fmt.Sprint(proxy.writes)
	proxy.mu.Unlock()
	if !killed {
		t.Fatalf("rotate was not killed at IAM change %d (changes %s)\n%s", k, writes, errb.String())
	}
}

// TestKeysRotateAbort: a rotation killed right after IAM created the new
// key (its answer lost) is aborted: the key it created is deleted, bob
// keeps his one original key, which works; --abort and --keep-old do not
// go together; with nothing to abort, abort fails.
func TestKeysRotateAbort(t *testing.T) {
	b, proxy := startRotateThroughProxy(t)
	before, err := b.keyStore(t).Get("bob")
	if err != nil || before == nil {
		t.Fatalf("stored key: %v", err)
	}
	b.rotateKilledAt(t, proxy, 1)
	if keys := b.bobKeys(t); len(keys) != 2 {
		t.Fatalf("after the kill: keys %v, want the old and the new", keys)
	}
	if r := b.awsmfa(b.keysEnv(), "keys", "rotate", "bob", "--abort", "--keep-old"); r.exit != 2 || !strings.Contains(r.stderr, "abort") {
		t.Fatalf("--abort --keep-old: exit %d\n%s", r.exit, r.stderr)
	}
	r := b.awsmfa(b.keysEnv(), "keys", "rotate", "bob", "--abort", "-o", "json")
	if r.exit != 0 {
		t.Fatalf("abort: exit %d\n%s", r.exit, r.stderr)
	}
	var res struct {
		AccessKeyID string   `json:"accessKeyId"`
		Deleted     []string `json:"deleted"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.AccessKeyID != before.AccessKeyID || len(res.Deleted) != 1 || res.Deleted[0] == before.AccessKeyID {
		t.Fatalf("abort answered %v %q", err, r.stdout)
	}
	if keys := b.bobKeys(t); len(keys) != 1 || keys[0] != before.AccessKeyID+":Active" {
		t.Fatalf("after the abort: keys %v, want only %s", keys, before.AccessKeyID)
	}
	if e, err := b.keyStore(t).Get("bob"); err != nil || e == nil || e.Rotation != nil || e.AccessKeyID != before.AccessKeyID {
		t.Fatalf("stored key after the abort: %v %v", e, err)
	}
	if r := b.run(b.env(b.keysEnv()...), true, b.Bin, "export", "--profile", "bob", "--format", "env"); r.exit != 0 {
		t.Fatalf("the profile after the abort: exit %d\n%s", r.exit, r.stderr)
	}
	if r := b.awsmfa(b.keysEnv(), "keys", "rotate", "bob", "--abort"); r.exit != 2 || !strings.Contains(r.stderr, "no unfinished rotation") {
		t.Fatalf("a second abort: exit %d\n%s", r.exit, r.stderr)
	}
}
