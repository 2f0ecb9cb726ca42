package broker

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/mfa"
)

const (
	gstOK = "sts:GetSessionToken ok"
	arOK  = "sts:AssumeRole ok"
)

var ctx = context.Background()

func TestSessionModeCacheHitAndRoleRefresh(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	b, f, _ := newBroker(l, nil)

	c1, err := b.Get(ctx, "role-with-mfa", GetOptions{MinRemaining: CLIMinRemaining})
	if err != nil {
		t.Fatal(err)
	}
	if f.Calls() != 1 || l.Stat(gstOK) != 1 || l.Stat(arOK) != 1 {
		t.Fatalf("first Get: prompts %d, GetSessionToken %d, AssumeRole %d; want 1, 1, 1", f.Calls(), l.Stat(gstOK), l.Stat(arOK))
	}
	if c1.Kind != KindAssumeRole || !c1.MFA || c1.SessionToken == "" || !strings.Contains(c1.PrincipalARN, "assumed-role/cli-role/awsmfa-tester-") {
		t.Fatalf("unexpected credentials %v", c1)
	}
	if c1.AccountID != "123456789012" {
		t.Errorf("account %q", c1.AccountID)
	}
	if got := f.Requests()[0]; got.Serial != l.Anika.MFASerial || got.Profile != "anika" || !strings.Contains(got.Reason, "role-with-mfa") {
		t.Errorf("MFA request %+v", got)
	}

	// Cache hit: no prompt, no STS call.
	requests := l.Stat("requests")
	c2, err := b.Get(ctx, "role-with-mfa", GetOptions{MinRemaining: CLIMinRemaining})
	if err != nil {
		t.Fatal(err)
	}
	if c2.AccessKeyID != c1.AccessKeyID || f.Calls() != 1 || l.Stat("requests") != requests {
		t.Fatalf("second Get was not a pure cache hit: prompts %d, requests %d -> %d", f.Calls(), requests, l.Stat("requests"))
	}

	// A new broker (another process) on the same cache: a hit as well.
	b2 := &Broker{Config: l.Config(), Cache: b.Cache, Now: l.Clock.Now}
	if c3, err := b2.Get(ctx, "role-with-mfa", GetOptions{MinRemaining: CLIMinRemaining}); err != nil || c3.AccessKeyID != c1.AccessKeyID {
		t.Fatalf("hit from another broker without an MFA source: %v %v", c3, err)
	}

	// Less than the margin left: the role is re-assumed from the cached
	// MFA session, without a prompt.
	l.Clock.Advance(50 * time.Minute)
	c4, err := b.Get(ctx, "role-with-mfa", GetOptions{MinRemaining: CLIMinRemaining})
	if err != nil {
		t.Fatal(err)
	}
	if c4.AccessKeyID == c1.AccessKeyID || f.Calls() != 1 || l.Stat(gstOK) != 1 || l.Stat(arOK) != 2 {
		t.Fatalf("refresh: new key %v, prompts %d, GST %d, AR %d; want new, 1, 1, 2", c4.AccessKeyID != c1.AccessKeyID, f.Calls(), l.Stat(gstOK), l.Stat(arOK))
	}
	if rem := c4.Expiration.Sub(l.Clock.Now()); rem < 59*time.Minute {
		t.Errorf("refreshed credentials have only %s left", rem)
	}
	if c4.SourceKey == "" {
		t.Error("role credentials do not name their MFA session")
	}

	// Another role on the same keys and device: no new prompt.
	if _, err := b.Get(ctx, "second-role", GetOptions{MinRemaining: CLIMinRemaining}); err != nil {
		t.Fatal(err)
	}
	if f.Calls() != 1 || l.Stat(gstOK) != 1 || l.Stat(arOK) != 3 {
		t.Fatalf("second role: prompts %d, GST %d, AR %d; want 1, 1, 3", f.Calls(), l.Stat(gstOK), l.Stat(arOK))
	}

	// The MFA session itself expires: exactly one new prompt.
	l.Clock.Advance(12 * time.Hour)
	if _, err := b.Get(ctx, "role-with-mfa", GetOptions{MinRemaining: CLIMinRemaining}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, "second-role", GetOptions{MinRemaining: CLIMinRemaining}); err != nil {
		t.Fatal(err)
	}
	if f.Calls() != 2 || l.Stat(gstOK) != 2 {
		t.Fatalf("after the session expired: prompts %d, GST %d; want 2, 2", f.Calls(), l.Stat(gstOK))
	}
}

func TestBaseProfileReturnsMFASession(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	b, f, stderr := newBroker(l, nil)
	c, err := b.Get(ctx, "anika", GetOptions{MinRemaining: CLIMinRemaining})
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind != KindSessionToken || !c.MFA || c.Expiration.Sub(l.Clock.Now()) != 12*time.Hour || c.AccountID != "123456789012" {
		t.Fatalf("session %v, %s left", c, c.Expiration.Sub(l.Clock.Now()))
	}
	// The role profiles reuse it.
	if _, err := b.Get(ctx, "role-with-mfa", GetOptions{}); err != nil {
		t.Fatal(err)
	}
	if f.Calls() != 1 || l.Stat(gstOK) != 1 {
		t.Fatalf("prompts %d, GST %d", f.Calls(), l.Stat(gstOK))
	}
	if !strings.Contains(stderr.String(), "MFA session for "+l.Anika.MFASerial+" valid until") {
		t.Errorf("stderr: %q", stderr.String())
	}
	if strings.Contains(stderr.String(), c.SecretAccessKey) || strings.Contains(stderr.String(), c.SessionToken) {
		t.Error("stderr holds a secret")
	}
}

func TestMFASessionDuration(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	l.WriteConfig("\n[profile short]\nregion = us-east-1\nendpoint_url = " + l.URL + "\nrole_arn = arn:aws:iam::123456789012:role/cli-role\nsource_profile = anika\nmfa_session_duration = 90m\n")
	b, _, _ := newBroker(l, nil)
	c, err := b.Get(ctx, "short", GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := b.Cache.Get(c.SourceKey)
	if err != nil || sess == nil {
		t.Fatalf("session not cached: %v", err)
	}
	if got := sess.Expiration.Sub(l.Clock.Now()); got != 90*time.Minute {
		t.Fatalf("session lasts %s, want 90m", got)
	}
}

func TestRoleChainFromMFASession(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	b, f, _ := newBroker(l, nil)
	c, err := b.Get(ctx, "chained", GetOptions{MinRemaining: CLIMinRemaining})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.PrincipalARN, "assumed-role/chained-role/") || f.Calls() != 1 || l.Stat(arOK) != 2 {
		t.Fatalf("chain: %v prompts %d AR %d", c.PrincipalARN, f.Calls(), l.Stat(arOK))
	}
	// The intermediate role is cached too: its profile is a hit.
	ar := l.Stat(arOK)
	if _, err := b.Get(ctx, "open-mfa", GetOptions{MinRemaining: CLIMinRemaining}); err != nil {
		t.Fatal(err)
	}
	if l.Stat(arOK) != ar {
		t.Fatalf("open-mfa was not served from the chain's cached intermediate role")
	}
	// The final role expires: only it is re-assumed.
	l.Clock.Advance(46 * time.Minute)
	ar = l.Stat(arOK)
	if _, err := b.Get(ctx, "chained", GetOptions{MinRemaining: CLIMinRemaining}); err != nil {
		t.Fatal(err)
	}
	if l.Stat(arOK) != ar+1 {
		t.Fatalf("AssumeRole calls %d, want %d", l.Stat(arOK), ar+1)
	}
}

func TestPerRoleMode(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	b, f, _ := newBroker(l, nil)
	c, err := b.Get(ctx, "per-role", GetOptions{MinRemaining: CLIMinRemaining})
	if err != nil {
		t.Fatal(err)
	}
	if f.Calls() != 1 || l.Stat(gstOK) != 0 || l.Stat(arOK) != 1 || !c.MFA || c.SourceKey != "" {
		t.Fatalf("per-role: prompts %d GST %d AR %d, %v", f.Calls(), l.Stat(gstOK), l.Stat(arOK), c)
	}
	if f.Requests()[0].Profile != "per-role" || f.Requests()[0].Serial != l.Anika.MFASerial {
		t.Errorf("request %+v", f.Requests()[0])
	}
	if _, err := b.Get(ctx, "per-role", GetOptions{MinRemaining: CLIMinRemaining}); err != nil || f.Calls() != 1 {
		t.Fatalf("hit: %v, prompts %d", err, f.Calls())
	}
	// Per-role: when the role expires, a new code is needed (as with the
	// AWS CLI).
	l.Clock.Advance(time.Hour)
	if _, err := b.Get(ctx, "per-role", GetOptions{MinRemaining: CLIMinRemaining}); err != nil {
		t.Fatal(err)
	}
	if f.Calls() != 2 {
		t.Fatalf("prompts %d, want 2", f.Calls())
	}
}

func TestPlainChainAndStatic(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	b, f, _ := newBroker(l, nil)
	c, err := b.Get(ctx, "plain-role", GetOptions{MinRemaining: CLIMinRemaining})
	if err != nil {
		t.Fatal(err)
	}
	if f.Calls() != 0 || c.MFA || c.Kind != KindAssumeRole {
		t.Fatalf("plain role: prompts %d %v", f.Calls(), c)
	}
	ar := l.Stat(arOK)
	if _, err := b.Get(ctx, "plain-role", GetOptions{MinRemaining: CLIMinRemaining}); err != nil || l.Stat(arOK) != ar {
		t.Fatalf("plain role not cached: %v", err)
	}
	// Static keys without MFA: returned as they are, nothing cached.
	s, err := b.Get(ctx, "anika-plain", GetOptions{MinRemaining: CLIMinRemaining})
	if err != nil {
		t.Fatal(err)
	}
	if s.AccessKeyID != l.Anika.AccessKeys[0].ID || !s.Expiration.IsZero() || s.Kind != KindStatic {
		t.Fatalf("static: %v", s)
	}
}

func TestMFAErrorsExplained(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})

	t.Run("wrong code", func(t *testing.T) {
		b, f, _ := newBroker(l, nil)
		f.Override = func(mfa.Request) (string, error) { return "000000", nil }
		_, err := b.Get(ctx, "role-with-mfa", GetOptions{})
		wantCode(t, err, CodeMFACodeRejected, "AWS refused the MFA code for "+l.Anika.MFASerial, "wrong or already used", "wait for the next code")
		if ErrorCodeOf(err) != CodeMFACodeRejected {
			t.Error("ErrorCodeOf")
		}
	})

	t.Run("reused code", func(t *testing.T) {
		l.Clock.Advance(time.Minute)
		b, _, _ := newBroker(l, nil)
		if _, err := b.Get(ctx, "anika", GetOptions{}); err != nil {
			t.Fatal(err)
		}
		// Same 30-second window: the same code again.
		_, err := b.Get(ctx, "anika", GetOptions{ForceRefresh: true})
		wantCode(t, err, CodeMFACodeRejected, "wrong or already used")
	})

	t.Run("unknown access key", func(t *testing.T) {
		b, _, _ := newBroker(l, nil)
		_, err := b.Get(ctx, "unknown-key", GetOptions{})
		wantCode(t, err, CodeUnknownKey, "AKIAIOSFODNN7EXAMPLE", `profile "unknown-key"`)
	})

	t.Run("no prompt", func(t *testing.T) {
		b, f, _ := newBroker(l, nil)
		_, err := b.Get(ctx, "role-with-mfa", GetOptions{NoPrompt: true})
		wantCode(t, err, CodeMFANeeded, "prompting is disabled")
		if f.Calls() != 0 {
			t.Error("prompted with NoPrompt")
		}
	})

	t.Run("no source", func(t *testing.T) {
		b, f, _ := newBroker(l, nil)
		f.Override = func(mfa.Request) (string, error) { return "", mfa.ErrNoSource }
		_, err := b.Get(ctx, "role-with-mfa", GetOptions{})
		wantCode(t, err, CodeMFASource, "mfa_process")
		if !errors.Is(err, mfa.ErrNoSource) {
			t.Error("ErrNoSource not wrapped")
		}
	})

	t.Run("invalid code from source", func(t *testing.T) {
		b, f, _ := newBroker(l, nil)
		f.Override = func(mfa.Request) (string, error) { return "12345", nil }
		gst := l.Stat("sts:GetSessionToken")
		_, err := b.Get(ctx, "role-with-mfa", GetOptions{})
		wantCode(t, err, CodeMFASource, "not usable")
		if l.Stat("sts:GetSessionToken") != gst {
			t.Error("STS was called with an invalid code")
		}
	})
}

func TestSerialNotAssociated(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	key := l.Anika.AccessKeys[0]
	l.WriteConfig("\n[profile bad-serial]\nregion = us-east-1\nendpoint_url = " + l.URL +
		"\nmfa_serial = arn:aws:iam::123456789012:mfa/nobody\naws_access_key_id = " + key.ID + "\naws_secret_access_key = " + key.Secret + "\n")
	b, _, _ := newBroker(l, nil)
	_, err := b.Get(ctx, "bad-serial", GetOptions{})
	wantCode(t, err, CodeMFASerial, "arn:aws:iam::123456789012:mfa/nobody", "not associated with the user", "mfa_serial of profile \"bad-serial\"")
}

func TestAssumeRoleDeniedHints(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	b, _, _ := newBroker(l, nil)
	_, err := b.Get(ctx, "role-without-mfa", GetOptions{})
	wantCode(t, err, CodeAccessDenied, "arn:aws:iam::123456789012:role/cli-role", "user/anika", "set mfa_serial in profile \"role-without-mfa\"", l.ConfigPath)
}

func TestUnreachableSTS(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	b, _, _ := newBroker(l, nil)
	start := time.Now()
	_, err := b.Get(ctx, "dead", GetOptions{})
	wantCode(t, err, CodeUnreachable, "cannot reach STS at http://127.0.0.1:1", "connection refused", "endpoint_url")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestConfigErrorsPassThrough(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	b, _, _ := newBroker(l, nil)
	_, err := b.Get(ctx, "nosuch", GetOptions{})
	var ce *awsconfig.Error
	if !errors.As(err, &ce) || ce.Code != awsconfig.CodeProfileNotFound || !strings.Contains(err.Error(), l.ConfigPath) {
		t.Fatalf("unknown profile: %v", err)
	}
	l.WriteConfig("\n[profile cyc-a]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = cyc-b\n[profile cyc-b]\nrole_arn = arn:aws:iam::123456789012:role/y\nsource_profile = cyc-a\n")
	b, _, _ = newBroker(l, nil)
	_, err = b.Get(ctx, "cyc-a", GetOptions{})
	if !errors.As(err, &ce) || ce.Code != awsconfig.CodeCycle {
		t.Fatalf("cycle: %v", err)
	}
	if (&Broker{}).Cached(&awsconfig.Chain{}, 0) != nil {
		t.Error("Cached without cache")
	}
	if _, err := (&Broker{}).Get(ctx, "x", GetOptions{}); err == nil {
		t.Error("Get without config")
	}
}

func TestConcurrentGetsOnePromptOneCall(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	dir := t.TempDir()
	const n = 30
	var prompts sync.WaitGroup
	var mu sync.Mutex
	total := 0
	errs := make(chan error, n)
	prompts.Add(n)
	for i := 0; i < n; i++ {
		// One broker and one cache per goroutine, as separate processes
		// would have: only the cache's file locks coordinate them.
		go func() {
			defer prompts.Done()
			cache, err := credcache.Open(credcache.Options{Backend: credcache.BackendFile, Dir: dir})
			if err != nil {
				errs <- err
				return
			}
			b, f, _ := newBroker(l, cache)
			f.Delay = 50 * time.Millisecond
			_, err = b.Get(ctx, "role-with-mfa", GetOptions{MinRemaining: CLIMinRemaining})
			mu.Lock()
			total += f.Calls()
			mu.Unlock()
			errs <- err
		}()
	}
	prompts.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if total != 1 || l.Stat(gstOK) != 1 || l.Stat(arOK) != 1 {
		t.Fatalf("%d goroutines: prompts %d, GetSessionToken %d, AssumeRole %d; want 1, 1, 1", n, total, l.Stat(gstOK), l.Stat(arOK))
	}
}

func TestShortLivedRolesAreNotRefreshedOnEveryCall(t *testing.T) {
	// The lab issues 5-minute roles; the consumer asks for 16 minutes.
	l := startLab(t, lab.Lifetimes{AssumeRole: 5 * time.Minute})
	b, _, _ := newBroker(l, nil)
	c1, err := b.Get(ctx, "role-with-mfa", GetOptions{MinRemaining: CLIMinRemaining})
	if err != nil {
		t.Fatal(err)
	}
	if got := c1.Expiration.Sub(l.Clock.Now()); got != 5*time.Minute {
		t.Fatalf("lab lifetime %s", got)
	}
	c2, err := b.Get(ctx, "role-with-mfa", GetOptions{MinRemaining: CLIMinRemaining})
	if err != nil || c2.AccessKeyID != c1.AccessKeyID || l.Stat(arOK) != 1 {
		t.Fatalf("fresh 5-minute credentials were refreshed again (AR %d): %v", l.Stat(arOK), err)
	}
	l.Clock.Advance(2 * time.Minute)
	if c, err := b.Get(ctx, "role-with-mfa", GetOptions{MinRemaining: CLIMinRemaining}); err != nil || c.AccessKeyID != c1.AccessKeyID {
		t.Fatalf("credentials with 3 of 5 minutes left were refreshed (AR %d): %v", l.Stat(arOK), err)
	}
	l.Clock.Advance(time.Minute)
	c3, err := b.Get(ctx, "role-with-mfa", GetOptions{MinRemaining: CLIMinRemaining})
	if err != nil || c3.AccessKeyID == c1.AccessKeyID || l.Stat(arOK) != 2 {
		t.Fatalf("credentials with 2 of 5 minutes left were not refreshed (AR %d): %v", l.Stat(arOK), err)
	}
}

func TestForceRefreshKeepsSession(t *testing.T) {
	l := startLab(t, lab.Lifetimes{})
	b, f, _ := newBroker(l, nil)
	c1, err := b.Get(ctx, "role-with-mfa", GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := b.Get(ctx, "role-with-mfa", GetOptions{ForceRefresh: true})
	if err != nil {
		t.Fatal(err)
	}
	if c1.AccessKeyID == c2.AccessKeyID || f.Calls() != 1 || l.Stat(arOK) != 2 {
		t.Fatalf("force: same key %v prompts %d AR %d", c1.AccessKeyID == c2.AccessKeyID, f.Calls(), l.Stat(arOK))
	}
	if b.Cached(mustResolve(t, b, "role-with-mfa"), CLIMinRemaining).AccessKeyID != c2.AccessKeyID {
		t.Error("Cached does not return the refreshed credentials")
	}
}

func mustResolve(t *testing.T, b *Broker, p string) *awsconfig.Chain {
	t.Helper()
	ch, err := b.Config.Resolve(p)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func TestDefaultSessionName(t *testing.T) {
	now := time.Unix(1700000000, 0)
	cases := []struct{ user, want string }{
		{"alice", "awsmfa-alice-1700000000"},
		{"", "awsmfa-1700000000"},
		{"jöe doe", "awsmfa-jedoe-1700000000"},
		{strings.Repeat("x", 100), "awsmfa-" + strings.Repeat("x", 64-len("awsmfa--1700000000")) + "-1700000000"},
	}
	for _, c := range cases {
		got := DefaultSessionName(c.user, now)
		if got != c.want || len(got) > 64 {
			t.Errorf("%q: %q, want %q", c.user, got, c.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		12 * time.Hour: "12h", 90 * time.Minute: "1h30m", 45 * time.Minute: "45m", 30 * time.Second: "30s",
		-5 * time.Minute: "-5m", 59*time.Minute + 59*time.Second + 600*time.Millisecond: "1h",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("%s: %q, want %q", d, got, want)
		}
	}
}
