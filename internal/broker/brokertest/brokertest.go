// Package brokertest holds test helpers for the broker, the credential
// server and the credential commands: an in-process lab seeded for them, an
// AWS config pointing at it, a settable clock, a fake MFA source giving the
// lab device's codes, and an in-memory credential cache.
package brokertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/lab/scenario"
	"github.com/awsmfa/awsmfa/internal/lab/scenario/seed"
	"github.com/awsmfa/awsmfa/internal/lab/store"
	"github.com/awsmfa/awsmfa/internal/mfa"
	"github.com/awsmfa/awsmfa/internal/testutil"
	"github.com/awsmfa/awsmfa/internal/totp"
)

// Clock is a settable test clock shared by the lab and the broker: a
// stopped clock (NewClock) that only Advance moves, or a running one
// (NewRunningClock) that follows real time plus what Advance added.
type Clock struct {
	mu      sync.Mutex
	t       time.Time
	running bool
	offset  time.Duration
}

// NewClock returns a stopped clock one minute ahead of real time (so the
// lab's MFA codes differ from those used when the scenario was seeded).
func NewClock() *Clock { return &Clock{t: time.Now().Add(time.Minute).Truncate(time.Second)} }

// NewRunningClock returns a clock one minute ahead of real time that runs,
// for tests with real clients that watch real time.
func NewRunningClock() *Clock { return &Clock{running: true, offset: time.Minute} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return time.Now().Add(c.offset)
	}
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	if c.running {
		c.offset += d
	} else {
		c.t = c.t.Add(d)
	}
	c.mu.Unlock()
}

// FakeMFA gives the lab device's code at the test clock's time and
// records the requests.
type FakeMFA struct {
	Seed  []byte
	Clock *Clock
	// Override, when set, answers instead.
	Override func(mfa.Request) (string, error)
	// Delay is waited before answering (a person typing).
	Delay time.Duration

	mu       sync.Mutex
	requests []mfa.Request
}

// Code implements mfa.Source.
func (f *FakeMFA) Code(ctx context.Context, req mfa.Request) (string, error) {
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.mu.Unlock()
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	if f.Override != nil {
		return f.Override(req)
	}
	return totp.Code(f.Seed, f.Clock.Now()), nil
}

// Calls is the number of codes asked for.
func (f *FakeMFA) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// Requests are the requests received.
func (f *FakeMFA) Requests() []mfa.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]mfa.Request(nil), f.requests...)
}

// MemCache is an in-memory credcache.Cache and credcache.FailureLog.
type MemCache struct {
	mu       sync.Mutex
	m        map[string]*credcache.Credentials
	locks    map[string]chan struct{}
	failures map[string]credcache.Failure
	// Puts counts Put calls.
	Puts int
}

// NewMemCache returns an empty cache.
func NewMemCache() *MemCache {
	return &MemCache{m: map[string]*credcache.Credentials{}, locks: map[string]chan struct{}{}, failures: map[string]credcache.Failure{}}
}

// RecordFailure implements credcache.FailureLog.
func (c *MemCache) RecordFailure(key string, f credcache.Failure) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures[key] = f
	return nil
}

// LastFailure implements credcache.FailureLog.
func (c *MemCache) LastFailure(key string) (*credcache.Failure, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.failures[key]
	if !ok {
		return nil, nil
	}
	return &f, nil
}

// ClearFailure implements credcache.FailureLog.
func (c *MemCache) ClearFailure(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.failures, key)
	return nil
}

// Get implements credcache.Cache.
func (c *MemCache) Get(key string) (*credcache.Credentials, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.m[key]
	if v == nil {
		return nil, nil
	}
	cp := *v
	return &cp, nil
}

// Put implements credcache.Cache.
func (c *MemCache) Put(key string, v *credcache.Credentials) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	cp := *v
	c.m[key] = &cp
	c.Puts++
	return nil
}

// Delete implements credcache.Cache.
func (c *MemCache) Delete(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, key)
	return nil
}

// List implements credcache.Cache.
func (c *MemCache) List() ([]credcache.Entry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []credcache.Entry
	for k, v := range c.m {
		cp := *v
		out = append(out, credcache.Entry{Key: k, Credentials: &cp})
	}
	return out, nil
}

// Lock implements credcache.Cache (in-process only).
func (c *MemCache) Lock(ctx context.Context, key string) (func(), error) {
	c.mu.Lock()
	ch := c.locks[key]
	if ch == nil {
		ch = make(chan struct{}, 1)
		c.locks[key] = ch
	}
	c.mu.Unlock()
	select {
	case ch <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() { once.Do(func() { <-ch }) }, nil
}

// Lab is a running lab seeded with the default scenario, plus roles
// for the broker's cases, and an AWS config pointing at it.
type Lab struct {
	t       testing.TB
	Clock   *Clock
	Server  *lab.Server
	URL     string
	Store   *store.Store
	Applied *scenario.Applied
	// Anika is the scenario's user with access keys and an MFA device;
	// Seed is her device's secret.
	Anika scenario.AppliedUser
	Seed  []byte
	// Dir holds the config and credentials files (and is $HOME).
	Dir        string
	ConfigPath string
	CredsPath  string
}

const (
	trustAnikaMFA = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/anika"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`
	trustAnika    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/anika"},"Action":"sts:AssumeRole"}]}`
	// trustOpenRole lets the open role's sessions assume it (role chaining).
	trustOpenRole = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/open-role"},"Action":"sts:AssumeRole"}]}`
	allowAssume   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
)

// StartLab starts a lab on loopback with an in-memory store seeded with
// the default scenario, plus roles mfa-role-2 (trust: anika with MFA),
// open-role (trust: anika) and chained-role (trust: open-role), and writes
// the config files of WriteConfig. Issued credentials last at most
// lifetimes. The lab and Lab.Clock use a stopped clock (NewClock).
func StartLab(t testing.TB, lifetimes lab.Lifetimes) *Lab {
	t.Helper()
	return StartLabClock(t, lifetimes, NewClock())
}

// StartLabClock is StartLab with the given clock.
func StartLabClock(t testing.TB, lifetimes lab.Lifetimes, clk *Clock) *Lab {
	t.Helper()
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sc, err := scenario.Load(scenario.DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := seed.Apply(st, sc)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = st.CreateRole("mfa-role-2", "", trustAnikaMFA, "", 3600)
	must(err)
	_, err = st.CreateRole("open-role", "", trustAnika, "", 3600)
	must(err)
	_, err = st.CreateRole("chained-role", "", trustOpenRole, "", 3600)
	must(err)
	must(st.PutUserPolicy("anika", "AllowAssumeAll", allowAssume))
	must(st.PutRolePolicy("open-role", "AllowAssumeAll", allowAssume))
	srv, err := lab.New(lab.Config{Store: st, Now: clk.Now, MaxSkew: 1000 * time.Hour, Lifetimes: lifetimes})
	must(err)
	url, err := srv.Start()
	must(err)
	t.Cleanup(func() { srv.Close() })
	anika, ok := applied.User("anika")
	if !ok {
		t.Fatal("no anika")
	}
	secret, err := totp.DecodeSecret(anika.MFASeed)
	must(err)
	l := &Lab{t: t, Clock: clk, Server: srv, URL: url, Store: st, Applied: applied, Anika: anika, Seed: secret, Dir: t.TempDir()}
	l.WriteConfig("")
	return l
}

// WriteConfig writes the config and credentials files; extra is appended
// to the config. Profiles (all pointing at the lab with endpoint_url):
//
//	anika             anika's keys + mfa_serial: her MFA session
//	role-with-mfa     cli-role (trust requires MFA) from anika, mfa_serial
//	second-role       mfa-role-2 (trust requires MFA), same keys and device
//	open-mfa          open-role (no MFA condition) from anika (session mode)
//	chained           chained-role from open-mfa (role chaining)
//	per-role          cli-role with awsmfa_mode = per-role
//	anika-plain       anika's keys, no MFA
//	plain-role        open-role from anika-plain (no MFA anywhere)
//	role-without-mfa  cli-role from anika-plain (denied: the trust requires MFA)
//	dead              open-role at http://127.0.0.1:1 (nothing listens)
//	unknown-key       keys the lab does not know, mfa_serial
func (l *Lab) WriteConfig(extra string) {
	l.t.Helper()
	serial := l.Anika.MFASerial
	key := l.Anika.AccessKeys[0]
	acct := "arn:aws:iam::123456789012:role/"
	cfg := fmt.Sprintf(`[default]
region = us-east-1

[profile anika]
region = us-east-1
endpoint_url = %[1]s
mfa_serial = %[2]s

[profile role-with-mfa]
region = us-east-1
endpoint_url = %[1]s
role_arn = %[3]scli-role
source_profile = anika
mfa_serial = %[2]s

[profile second-role]
region = us-east-1
endpoint_url = %[1]s
role_arn = %[3]smfa-role-2
source_profile = anika
mfa_serial = %[2]s

[profile chained]
region = us-east-1
endpoint_url = %[1]s
role_arn = %[3]schained-role
source_profile = open-mfa

[profile open-mfa]
region = us-east-1
endpoint_url = %[1]s
role_arn = %[3]sopen-role
source_profile = anika

[profile per-role]
region = us-east-1
endpoint_url = %[1]s
role_arn = %[3]scli-role
source_profile = anika-plain
mfa_serial = %[2]s
awsmfa_mode = per-role

[profile anika-plain]
region = us-east-1
endpoint_url = %[1]s

[profile plain-role]
region = us-east-1
endpoint_url = %[1]s
role_arn = %[3]sopen-role
source_profile = anika-plain

[profile role-without-mfa]
region = us-east-1
endpoint_url = %[1]s
role_arn = %[3]scli-role
source_profile = anika-plain

[profile dead]
region = us-east-1
endpoint_url = http://127.0.0.1:1
role_arn = %[3]sopen-role
source_profile = anika-plain

[profile unknown-key]
region = us-east-1
endpoint_url = %[1]s
mfa_serial = %[2]s
`, l.URL, serial, acct) + extra
	creds := fmt.Sprintf(`[anika]
aws_access_key_id = %[1]s
aws_secret_access_key = %[2]s

[anika-plain]
aws_access_key_id = %[1]s
aws_secret_access_key = %[2]s

[unknown-key]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
`, key.ID, key.Secret)
	l.ConfigPath = filepath.Join(l.Dir, "config")
	l.CredsPath = filepath.Join(l.Dir, "credentials")
	if err := os.WriteFile(l.ConfigPath, []byte(cfg), 0o600); err != nil {
		l.t.Fatal(err)
	}
	if err := os.WriteFile(l.CredsPath, []byte(creds), 0o600); err != nil {
		l.t.Fatal(err)
	}
}

// Env is the environment that selects the lab's files.
func (l *Lab) Env() map[string]string {
	return map[string]string{
		"AWS_CONFIG_FILE":             l.ConfigPath,
		"AWS_SHARED_CREDENTIALS_FILE": l.CredsPath,
		"HOME":                        l.Dir,
		"USER":                        "tester",
	}
}

// AWSEnv is Env as an awsconfig.Env.
func (l *Lab) AWSEnv() awsconfig.Env { return awsconfig.MapEnv(l.Env(), "linux") }

// Config loads the lab's configuration.
func (l *Lab) Config() *awsconfig.Config {
	l.t.Helper()
	cfg, err := awsconfig.Load(l.AWSEnv())
	if err != nil {
		l.t.Fatal(err)
	}
	return cfg
}

// Stat returns the lab's counter for an action ("sts:GetSessionToken ok").
func (l *Lab) Stat(name string) int { return l.Server.Stats()[name] }

// MFA returns a fake MFA source for anika's device on the lab's clock.
func (l *Lab) MFA() *FakeMFA { return &FakeMFA{Seed: l.Seed, Clock: l.Clock} }

// Code is anika's current code on the lab's clock.
func (l *Lab) Code() string { return totp.Code(l.Seed, l.Clock.Now()) }

// SyncBuffer is a goroutine-safe bytes.Buffer (testutil.SyncBuffer).
type SyncBuffer = testutil.SyncBuffer
