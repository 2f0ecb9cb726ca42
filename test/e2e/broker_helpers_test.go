package e2e

// Helpers of the credential broker's end-to-end tests (broker_*_test.go):
// the built awsmfa binary, an in-process lab whose state is a SQLite file
// (so that an mfa_process running `awsmfa lab totp --state` computes the
// lab device's current code), the AWS config directory `awsmfa lab init`
// writes, a temporary HOME and credential cache, and a check that no secret
// reaches any output.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/testutil"

	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/lab/scenario"
	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// brokerCmdTimeout bounds every command a broker test runs.
const brokerCmdTimeout = 90 * time.Second

// Lab counters (lab.Server.Stats).
const (
	statGST        = "sts:GetSessionToken ok"
	statAssumeRole = "sts:AssumeRole ok"
)

// brokerLab is a lab plus everything a user of awsmfa has: the binary on
// PATH, ~/.aws (AWS_CONFIG_FILE...), a HOME and a credential cache dir.
type brokerLab struct {
	t       *testing.T
	Bin     string // the awsmfa binary
	URL     string
	Server  *lab.Server
	Store   *store.Store
	Applied *scenario.Applied
	State   string // the lab's SQLite state file
	Dir     string // AWS config directory (config, credentials, data/)
	Config  string
	Creds   string
	Home    string
	Cache   string // AWSMFA_CACHE_DIR
	tmp     string
	log     *testutil.SyncBuffer

	mu      sync.Mutex
	recs    []lab.Record
	outputs []string        // every stderr, and stdout without credentials
	secrets map[string]bool // credentials seen on purpose (credential-process output)
	caches  []string        // cache dirs used, scanned for secrets at the end
}

// startBrokerLab starts a lab seeded with the default scenario, with its
// state in a file, and credentials lasting at most lifetimes.
func startBrokerLab(t *testing.T, lifetimes lab.Lifetimes) *brokerLab {
	t.Helper()
	return startBrokerLabScenario(t, lifetimes, scenario.DefaultName)
}

// startBrokerLabScenario is startBrokerLab with the named scenario.
func startBrokerLabScenario(t *testing.T, lifetimes lab.Lifetimes, name string) *brokerLab {
	t.Helper()
	bin := awsmfaBinary(t)
	tmp := t.TempDir()
	state := filepath.Join(tmp, "lab.sqlite")
	st, applied := seededStoreScenario(t, state, name)
	b := &brokerLab{t: t, Bin: bin, Store: st, Applied: applied, State: state, tmp: tmp, log: &testutil.SyncBuffer{}, secrets: map[string]bool{}}
	srv, err := lab.New(lab.Config{Store: st, Addr: "127.0.0.1:0", Logger: b.log, LogJSON: true, Lifetimes: lifetimes,
		Observer: func(r lab.Record) {
			b.mu.Lock()
			b.recs = append(b.recs, r)
			b.mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	b.URL, b.Server = url, srv
	b.Dir = filepath.Join(tmp, "aws")
	if _, err := scenario.WriteConfigDir(b.Dir, applied, scenario.WriteOptions{Endpoint: url, State: state}); err != nil {
		t.Fatal(err)
	}
	b.Config = filepath.Join(b.Dir, scenario.ConfigFile)
	b.Creds = filepath.Join(b.Dir, scenario.CredentialsFile)
	b.Home = filepath.Join(tmp, "home")
	b.Cache = filepath.Join(tmp, "cache")
	if err := os.MkdirAll(b.Home, 0o700); err != nil {
		t.Fatal(err)
	}
	b.caches = append(b.caches, b.Cache)
	t.Cleanup(b.checkNoSecrets)
	return b
}

// env is the environment of every command: PATH starts with the awsmfa
// binary's directory, HOME is temporary, the AWS files are the lab's, the
// cache is a file cache in a temporary directory (never a keyring), and
// HTTPS goes nowhere. extra (KEY=VALUE) override.
func (b *brokerLab) env(extra ...string) []string {
	env := append([]string{}, noEgressEnv...)
	env = append(env,
		"PATH="+filepath.Dir(b.Bin)+":/usr/bin:/bin",
		"HOME="+b.Home,
		"USER=tester",
		"LANG=C.UTF-8",
		"XDG_CACHE_HOME="+filepath.Join(b.Home, ".cache"),
		"XDG_STATE_HOME="+filepath.Join(b.Home, ".state"),
		"AWS_CONFIG_FILE="+b.Config,
		"AWS_SHARED_CREDENTIALS_FILE="+b.Creds,
		"AWS_DATA_PATH="+filepath.Join(b.Dir, scenario.DataDir),
		"AWS_PAGER=",
		"AWS_MAX_ATTEMPTS=1",
		"AWS_DEFAULT_OUTPUT=json",
		"AWSMFA_CACHE_DIR="+b.Cache,
		"AWSMFA_CACHE_BACKEND=file",
		"PYTHONDONTWRITEBYTECODE=1",
	)
	return mergeEnv(env, extra)
}

// mergeEnv returns base with the variables of extra replacing or added.
func mergeEnv(base, extra []string) []string {
	idx := map[string]int{}
	out := append([]string{}, base...)
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		idx[k] = i
	}
	for _, kv := range extra {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := idx[k]; ok {
			out[i] = kv
		} else {
			idx[k] = len(out)
			out = append(out, kv)
		}
	}
	return out
}

// user returns a scenario user.
func (b *brokerLab) user(name string) scenario.AppliedUser {
	b.t.Helper()
	u, ok := b.Applied.User(name)
	if !ok {
		b.t.Fatalf("no user %s", name)
	}
	return u
}

// code is the user's device code at now + offset.
func (b *brokerLab) code(name string, offset time.Duration) string {
	b.t.Helper()
	c, err := b.Store.CurrentCode(b.user(name).MFASerial, time.Now().Add(offset))
	if err != nil {
		b.t.Fatal(err)
	}
	return c
}

func (b *brokerLab) stat(name string) int { return b.Server.Stats()[name] }

// records returns the lab's records of action ("" = all).
func (b *brokerLab) records(action string) []lab.Record {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []lab.Record
	for _, r := range b.recs {
		if action == "" || r.Action == action {
			out = append(out, r)
		}
	}
	return out
}

// lastRecord is the last record of action.
func (b *brokerLab) lastRecord(action string) lab.Record {
	b.t.Helper()
	rs := b.records(action)
	if len(rs) == 0 {
		b.t.Fatalf("the lab logged no %s", action)
	}
	return rs[len(rs)-1]
}

// script is the absolute path of a testdata file.
func script(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// mfaCounter counts the invocations of an mfa_process.
type mfaCounter struct {
	t    *testing.T
	path string
}

func (b *brokerLab) newCounter(name string) *mfaCounter {
	return &mfaCounter{t: b.t, path: filepath.Join(b.tmp, "mfa-"+name+".count")}
}

// lines are the recorded invocations ("PID AWSMFA_MFA_SERIAL AWSMFA_MFA_PROFILE").
func (c *mfaCounter) lines() []string {
	data, err := os.ReadFile(c.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		c.t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

func (c *mfaCounter) count() int { return len(c.lines()) }

// mfaProcess is an mfa_process command line that counts its invocations in
// c and prints the output of codeCmd; delay (seconds, "" for none) is
// waited before.
func (b *brokerLab) mfaProcess(c *mfaCounter, delay, codeCmd string) string {
	cmd := "/bin/sh " + script(b.t, "broker_mfa_process.sh")
	if delay != "" {
		cmd += " -d " + delay
	}
	return cmd + " " + c.path + " " + codeCmd
}

// totpCmd prints the current code of the user's device.
func (b *brokerLab) totpCmd(user string) string {
	return "awsmfa lab totp --state " + b.State + " --serial " + b.user(user).MFASerial
}

// configure runs `awsmfa configure PROFILE ARGS...`, which must succeed.
func (b *brokerLab) configure(profile string, args ...string) cliResult {
	b.t.Helper()
	r := b.awsmfa(nil, append([]string{"configure", profile}, args...)...)
	if r.exit != 0 {
		b.t.Fatalf("awsmfa configure %s: exit %d\n%s%s", profile, r.exit, r.stdout, r.stderr)
	}
	return r
}

// seedProfiles configures the seeds' users for awsmfa, the way the README
// tells a user to: bob's access keys with his MFA device (profile bob,
// credential_process profile bob-mfa), and the role-with-mfa profile
// (anika's keys, cli-role, her device; credential_process profile
// role-mfa). It returns the counters of the two devices' mfa_process.
func (b *brokerLab) seedProfiles() (bob, anika *mfaCounter) {
	b.t.Helper()
	bob, anika = b.newCounter("bob"), b.newCounter("anika")
	b.configure("bob", "--mfa-serial", b.user("bob").MFASerial, "--mfa-process", b.mfaProcess(bob, "", b.totpCmd("bob")),
		"--region", "us-east-1", "--cli-profile", "bob-mfa")
	b.configure("role-with-mfa", "--mfa-process", b.mfaProcess(anika, "", b.totpCmd("anika")),
		"--region", "us-east-1", "--cli-profile", "role-mfa")
	return bob, anika
}

// run runs a command with env, bounded by brokerCmdTimeout. Its stderr is
// kept for the secrets check, and its stdout too unless credsOnStdout.
func (b *brokerLab) run(env []string, credsOnStdout bool, name string, args ...string) cliResult {
	b.t.Helper()
	res, err := b.runE(env, credsOnStdout, name, args...)
	if err != nil {
		b.t.Fatal(err)
	}
	return res
}

// runE is run for other goroutines than the test's: it returns the
// failure to run the command (or to end in time) instead of failing.
func (b *brokerLab) runE(env []string, credsOnStdout bool, name string, args ...string) (cliResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), brokerCmdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.WaitDelay = 5 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	res := cliResult{stdout: out.String(), stderr: errb.String()}
	b.keep(res, credsOnStdout)
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return res, fmt.Errorf("%s %s: no answer within %s\n%s", name, strings.Join(args, " "), brokerCmdTimeout, res.stderr)
	case errors.As(err, &ee):
		res.exit = ee.ExitCode()
	case err != nil:
		return res, fmt.Errorf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return res, nil
}

func (b *brokerLab) keep(res cliResult, credsOnStdout bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.outputs = append(b.outputs, res.stderr)
	if !credsOnStdout {
		b.outputs = append(b.outputs, res.stdout)
	}
}

// awsmfa runs the binary with the lab's environment plus extra.
func (b *brokerLab) awsmfa(extra []string, args ...string) cliResult {
	b.t.Helper()
	return b.run(b.env(extra...), false, b.Bin, args...)
}

// aws runs /usr/bin/aws with the lab's environment plus extra.
func (b *brokerLab) aws(extra []string, args ...string) cliResult {
	b.t.Helper()
	return b.run(b.env(extra...), false, awsCLI, args...)
}

// awsOK runs /usr/bin/aws, wants exit 0 and decodes stdout into v.
func (b *brokerLab) awsOK(extra []string, v any, args ...string) {
	b.t.Helper()
	r := b.aws(extra, args...)
	if r.exit != 0 {
		b.t.Fatalf("aws %s: exit %d\n%s%s", strings.Join(args, " "), r.exit, r.stdout, r.stderr)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
			b.t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, r.stdout)
		}
	}
}

// processOutput is what `awsmfa credential-process` prints.
type processOutput struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
	AccountID       string `json:"AccountId"`
}

// credentialProcess runs `awsmfa credential-process --profile P` and
// decodes its output; the credentials printed join the secrets that no
// other output may contain.
func (b *brokerLab) credentialProcess(env []string, profile string, args ...string) (processOutput, cliResult) {
	b.t.Helper()
	out, r, err := b.credentialProcessE(env, profile, args...)
	if err != nil {
		b.t.Fatal(err)
	}
	return out, r
}

// credentialProcessE is credentialProcess for other goroutines.
func (b *brokerLab) credentialProcessE(env []string, profile string, args ...string) (processOutput, cliResult, error) {
	r, err := b.runE(env, true, b.Bin, append([]string{"credential-process", "--profile", profile}, args...)...)
	var out processOutput
	if err != nil || r.exit != 0 {
		return out, r, err
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return out, r, fmt.Errorf("credential-process --profile %s: stdout is not Version 1 JSON: %v", profile, err)
	}
	b.mu.Lock()
	b.secrets[out.SecretAccessKey] = true
	b.secrets[out.SessionToken] = true
	b.mu.Unlock()
	return out, r, nil
}

// cacheEntry is a file of the credential cache.
type cacheEntry struct {
	Path        string
	Key         string
	Kind        string
	AccessKeyID string
}

// cacheEntries reads the entries of a cache directory; unreadable files
// are returned with an empty Kind.
func cacheEntries(t *testing.T, dir string) []cacheEntry {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []cacheEntry
	for _, f := range files {
		e := cacheEntry{Path: f}
		var env struct {
			Key         string
			Credentials struct {
				AccessKeyID string `json:"AccessKeyId"`
				Kind        string
			}
		}
		if data, err := os.ReadFile(f); err == nil && json.Unmarshal(data, &env) == nil {
			e.Key, e.Kind, e.AccessKeyID = env.Key, env.Credentials.Kind, env.Credentials.AccessKeyID
		}
		out = append(out, e)
	}
	return out
}

// cacheSecrets are the secret keys and tokens in a cache directory.
func cacheSecrets(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	var out []string
	for _, f := range files {
		var env struct {
			Credentials struct{ SecretAccessKey, SessionToken string }
		}
		if data, err := os.ReadFile(f); err == nil && json.Unmarshal(data, &env) == nil {
			out = append(out, env.Credentials.SecretAccessKey, env.Credentials.SessionToken)
		}
	}
	return out
}

// useCache records another cache directory for the secrets check.
func (b *brokerLab) useCache(dir string) string {
	b.mu.Lock()
	b.caches = append(b.caches, dir)
	b.mu.Unlock()
	return dir
}

// checkNoSecrets fails the test when an output (stderr, or stdout other
// than credential-process's) or the lab log holds a secret key or a
// session token.
func (b *brokerLab) checkNoSecrets() {
	t := b.t
	secrets := map[string]string{}
	for _, u := range b.Applied.Users {
		for _, k := range u.AccessKeys {
			secrets[k.Secret] = "the secret key of " + u.Name
		}
	}
	b.mu.Lock()
	for s := range b.secrets {
		secrets[s] = "a secret printed by credential-process"
	}
	caches := append([]string{}, b.caches...)
	outputs := append([]string{}, b.outputs...)
	b.mu.Unlock()
	for _, dir := range caches {
		for _, s := range cacheSecrets(dir) {
			secrets[s] = "a secret of the credential cache " + dir
		}
	}
	logs := b.log.String()
	for s, what := range secrets {
		if len(s) < 16 {
			continue
		}
		for _, o := range outputs {
			if strings.Contains(o, s) {
				t.Errorf("an output holds %s", what)
				break
			}
		}
		if strings.Contains(logs, s) {
			t.Errorf("the lab log holds %s", what)
		}
	}
	if t.Failed() {
		t.Logf("lab log (last 4000 bytes):\n%s", tail(logs, 4000))
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
