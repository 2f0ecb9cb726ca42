// Package e2e runs real AWS clients (the AWS CLI v2, boto3, the AWS SDK for
// Go v2) against the awsmfa lab over loopback HTTP: the seeds' story and
// the error cases, each ending with the lab still serving.
//
// A client that is not installed skips its test, unless CI=true, where it
// fails: `make test` installs them (scripts/install-apt-deps.sh).
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsquery"
	"github.com/awsmfa/awsmfa/internal/testutil"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/lab/scenario"
	"github.com/awsmfa/awsmfa/internal/lab/scenario/seed"
	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// awsCLI is Debian's AWS CLI v2. The image also has a pip-installed v1
// `aws` earlier on PATH; always use this absolute path.
const awsCLI = "/usr/bin/aws"

// requireTool skips (or, under CI=true, fails) when a tool is missing.
func requireTool(t *testing.T, path string) string {
	t.Helper()
	p, err := exec.LookPath(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI=true: %v", path, err)
		}
		t.Skipf("%s not installed: %v", path, err)
	}
	return p
}

// labEnv is a running lab seeded with a scenario and its AWS config dir.
type labEnv struct {
	URL     string
	Applied *scenario.Applied
	Dir     string // AWS config directory (config, credentials, data/)
	Store   *store.Store
	Server  *lab.Server
	log     *testutil.SyncBuffer

	mu   sync.Mutex
	recs []lab.Record
}

type labOption func(*lab.Config)

// seededStore opens a lab state (in memory for path "", else that SQLite
// file), closed when the test ends, and seeds it with the default scenario:
// fresh MFA seeds and keys for every test.
func seededStore(t *testing.T, path string) (*store.Store, *scenario.Applied) {
	t.Helper()
	return seededStoreScenario(t, path, scenario.DefaultName)
}

// seededStoreScenario is seededStore with the named scenario.
func seededStoreScenario(t *testing.T, path, name string) (*store.Store, *scenario.Applied) {
	t.Helper()
	var st *store.Store
	var err error
	if path == "" {
		st, err = store.OpenMemory()
	} else {
		st, err = store.Open(path)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sc, err := scenario.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := seed.Apply(st, sc)
	if err != nil {
		t.Fatal(err)
	}
	return st, applied
}

// startLab starts an in-process lab with a fresh in-memory state seeded
// with the default scenario (fresh MFA seeds and keys for every test).
func startLab(t *testing.T, opts ...labOption) *labEnv {
	t.Helper()
	st, applied := seededStore(t, "")
	env := &labEnv{Applied: applied, Store: st, log: &testutil.SyncBuffer{}}
	cfg := lab.Config{Store: st, Addr: "127.0.0.1:0", Logger: env.log, LogJSON: true, Observer: func(r lab.Record) {
		env.mu.Lock()
		env.recs = append(env.recs, r)
		env.mu.Unlock()
	}}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := lab.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	env.URL, env.Server = url, srv
	env.Dir = filepath.Join(t.TempDir(), "aws")
	if _, err := scenario.WriteConfigDir(env.Dir, applied, scenario.WriteOptions{Endpoint: url}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		logs := env.log.String()
		if t.Failed() {
			t.Logf("lab log:\n%s", logs)
		}
		// The log never holds a secret or a session token.
		for _, u := range applied.Users {
			for _, k := range u.AccessKeys {
				if strings.Contains(logs, k.Secret) {
					t.Errorf("lab log holds the secret key of %s", u.Name)
				}
			}
		}
	})
	return env
}

func (e *labEnv) user(t *testing.T, name string) scenario.AppliedUser {
	t.Helper()
	u, ok := e.Applied.User(name)
	if !ok {
		t.Fatalf("no user %s", name)
	}
	return u
}

func (e *labEnv) keys(t *testing.T, name string) aws.Credentials {
	u := e.user(t, name)
	return aws.Credentials{AccessKeyID: u.AccessKeys[0].ID, SecretAccessKey: u.AccessKeys[0].Secret}
}

// code returns the user's MFA code at now + offset steps of 30 s.
func (e *labEnv) code(t *testing.T, name string, offsetSteps int) string {
	t.Helper()
	c, err := e.user(t, name).Code(time.Now().Add(time.Duration(offsetSteps) * 30 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// records returns the lab's records of the action so far.
func (e *labEnv) records(action string) []lab.Record {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []lab.Record
	for _, r := range e.recs {
		if action == "" || r.Action == action {
			out = append(out, r)
		}
	}
	return out
}

// lastRecord returns the last record of the action.
func (e *labEnv) lastRecord(t *testing.T, action string) lab.Record {
	t.Helper()
	rs := e.records(action)
	if len(rs) == 0 {
		t.Fatalf("the lab logged no %s", action)
	}
	return rs[len(rs)-1]
}

// stillServing checks that the lab answers a signed GetCallerIdentity.
func (e *labEnv) stillServing(t *testing.T) {
	t.Helper()
	req, err := awsquery.Sign(context.Background(), e.URL, awsquery.GetCallerIdentity, e.keys(t, "alice"), "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	status, body := doRaw(t, req)
	if status != 200 || !strings.Contains(body, "<Arn>"+e.user(t, "alice").ARN+"</Arn>") {
		t.Fatalf("lab no longer serving: %d %s", status, body)
	}
}

// fixture writes the JSON the python clients read: endpoint, config dir,
// keys and MFA seeds (mode 0600 in the test's temp dir).
func (e *labEnv) fixture(t *testing.T) string {
	t.Helper()
	type user struct {
		Name            string `json:"name"`
		ARN             string `json:"arn"`
		AccessKeyID     string `json:"accessKeyId"`
		SecretAccessKey string `json:"secretAccessKey"`
		MFASerial       string `json:"mfaSerial"`
		MFASeed         string `json:"mfaSeed"`
	}
	fx := struct {
		Endpoint  string `json:"endpoint"`
		ConfigDir string `json:"configDir"`
		RoleARN   string `json:"roleArn"`
		Users     []user `json:"users"`
	}{Endpoint: e.URL, ConfigDir: e.Dir}
	if r, ok := e.Applied.Role("cli-role"); ok {
		fx.RoleARN = r.ARN
	}
	for _, u := range e.Applied.Users {
		fx.Users = append(fx.Users, user{u.Name, u.ARN, u.AccessKeys[0].ID, u.AccessKeys[0].Secret, u.MFASerial, u.MFASeed})
	}
	data, err := json.Marshal(fx)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "fixture.json")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func isCI() bool { return os.Getenv("CI") == "true" }

// cleanEnv is the test process's environment without any AWS_* variable,
// with a throwaway HOME: clients never see the developer's ~/.aws.
func cleanEnv(t *testing.T) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "HOME=") || strings.HasPrefix(kv, "BOTO_") ||
			strings.HasPrefix(strings.ToUpper(kv), "HTTP_PROXY=") || strings.HasPrefix(strings.ToUpper(kv), "HTTPS_PROXY=") || strings.HasPrefix(strings.ToUpper(kv), "NO_PROXY=") {
			continue
		}
		env = append(env, kv)
	}
	for _, kv := range noEgressEnv {
		env = append(env, kv)
	}
	return append(env, "HOME="+t.TempDir(), "PYTHONDONTWRITEBYTECODE=1")
}

// python returns a real interpreter (not a pyenv shim, which needs the
// developer's HOME) that can import boto3: python3 on PATH first, then
// Debian's /usr/bin/python3 (python3-boto3, installed by make test).
func python(t *testing.T) string {
	t.Helper()
	var tried []string
	for _, cand := range []string{"python3", "/usr/bin/python3"} {
		p, err := exec.LookPath(cand)
		if err != nil {
			tried = append(tried, cand+": not found")
			continue
		}
		out, err := exec.Command(p, "-c", "import boto3, sys; print(sys.executable)").Output()
		if err != nil {
			tried = append(tried, p+": cannot import boto3")
			continue
		}
		return strings.TrimSpace(string(out))
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("a python3 with boto3 is required under CI=true (%s)", strings.Join(tried, "; "))
	}
	t.Skipf("no python3 with boto3 (%s)", strings.Join(tried, "; "))
	return ""
}

// loopbackDial refuses connections to anything but loopback addresses, so
// a client misrouted to AWS fails fast instead of sending lab keys out.
func loopbackDial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("e2e: refusing to connect to %s: only the loopback lab may be reached", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// noEgressEnv points subprocess clients' HTTPS requests (real AWS
// endpoints) at a closed local port, so a misrouted client fails instead of
// sending lab keys to AWS. The lab is plain http and needs no proxy (botocore
// picks the proxy when it creates a client, before an AWS_DATA_PATH rule set
// names the lab, so NO_PROXY alone would not exempt it).
var noEgressEnv = []string{"HTTPS_PROXY=http://127.0.0.1:9", "https_proxy=http://127.0.0.1:9", "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost"}
