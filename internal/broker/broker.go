package broker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/user"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/mfa"
)

// Credential kinds stored in credcache.Credentials.Kind.
const (
	KindSessionToken = credcache.KindSessionToken
	KindAssumeRole   = credcache.KindAssumeRole
	KindStatic       = credcache.KindStatic
	KindProcess      = "credential-process"
	KindSource       = "credential-source"
)

const (
	// SourceMargin is how long credentials used to call STS (an MFA
	// session, an intermediate role) must still be valid to be used: the
	// role credentials they yield do not end with them.
	SourceMargin = time.Minute
	// CLIMinRemaining is the margin for the AWS CLI and botocore: they
	// re-run a credential_process, and refresh container credentials,
	// whose credentials have less than 15 minutes left
	// (botocore credentials.py: _DEFAULT_ADVISORY_REFRESH_TIMEOUT = 15 * 60,
	// CachedCredentialFetcher.DEFAULT_EXPIRY_WINDOW_SECONDS = 60 * 15), so
	// they are handed credentials with more than that whenever a refresh
	// can give it.
	CLIMinRemaining = 15*time.Minute + time.Minute

	defaultRegion         = "us-east-1"
	defaultProcessTimeout = 5 * time.Minute
	// lockWait bounds the wait for another process's refresh, which may
	// include an MFA prompt.
	lockWait = 10 * time.Minute
)

// Broker gets credentials for profiles of Config, caching them in Cache and
// asking MFA for codes.
type Broker struct {
	Config *awsconfig.Config
	Cache  credcache.Cache
	MFA    mfa.Source
	// Now is the clock for cache decisions (default time.Now).
	Now func() time.Time
	// HTTPClient is used for STS (optional).
	HTTPClient *http.Client
	// Stderr receives progress messages (optional).
	Stderr io.Writer

	// RetryMaxAttempts is the number of attempts per STS call (default 3).
	RetryMaxAttempts int
	// Getenv reads the environment for the Environment credential source,
	// container and web-identity settings and the default role session
	// name (default Config.Env, else os.Getenv).
	Getenv func(string) string
	// Keys gives the secrets of keys in the awsmfa key store (chains
	// whose base is Stored); nil when the store is not used.
	Keys KeySource
	// ProcessTimeout bounds a base credential_process (default 5 min; it
	// may prompt).
	ProcessTimeout time.Duration

	mu       sync.Mutex
	keyLocks map[string]chan struct{}
	// cacheOff: the cache proved unusable (a directory that cannot be
	// created or written, a keychain that fails); the broker goes on
	// without it, having said so once.
	cacheOff bool
	// reported are the keys whose unusable entry was reported.
	reported map[string]bool
}

// GetOptions tune one Get.
type GetOptions struct {
	// MinRemaining is the validity the consumer needs: cached credentials
	// with less left are refreshed (CLIMinRemaining for the AWS CLI). When
	// a refresh cannot give that much (a role session shorter than
	// MinRemaining), the fresh credentials are returned anyway.
	MinRemaining time.Duration
	// ForceRefresh ignores the cached final credentials (an MFA session
	// still valid is reused to re-assume a role).
	ForceRefresh bool
	// NoPrompt fails with CodeMFANeeded instead of asking for a code.
	NoPrompt bool
}

func (b *Broker) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Broker) getenv(k string) string {
	switch {
	case b.Getenv != nil:
		return b.Getenv(k)
	case b.Config != nil && b.Config.Env.Getenv != nil:
		return b.Config.Env.Getenv(k)
	}
	return os.Getenv(k)
}

func (b *Broker) logf(format string, args ...any) {
	if b.Stderr != nil {
		fmt.Fprintf(b.Stderr, "awsmfa: "+format+"\n", args...)
	}
}

// Get returns credentials for profile ("" = the configuration's selected
// profile). Configuration errors are awsconfig's, unchanged; other failures
// are *Error.
func (b *Broker) Get(ctx context.Context, profile string, opt GetOptions) (*credcache.Credentials, error) {
	if b.Config == nil {
		return nil, errors.New("broker: no AWS configuration loaded")
	}
	ch, err := b.Config.Resolve(profile)
	if err != nil {
		return nil, err
	}
	return b.GetChain(ctx, ch, opt)
}

// GetChain is Get for a chain already resolved with Config.Resolve.
func (b *Broker) GetChain(ctx context.Context, ch *awsconfig.Chain, opt GetOptions) (*credcache.Credentials, error) {
	if err := CheckLoop(ch, b.getenv); err != nil {
		return nil, err
	}
	r := &run{b: b, ch: ch, keys: KeysFor(ch), opt: opt, started: b.now()}
	return r.creds(ctx, len(ch.Steps)-1, opt.MinRemaining, opt.ForceRefresh)
}

// Cached returns the chain's final credentials from the cache when they
// have at least need left (see Usable), without any lock, prompt or STS
// call; nil when they are not cached, not enough, unreadable, or the
// chain's credentials are not cacheable. Problems are not reported here:
// GetChain reports them.
func (b *Broker) Cached(ch *awsconfig.Chain, need time.Duration) *credcache.Credentials {
	key := KeysFor(ch).Final()
	if key == "" || b.Cache == nil {
		return nil
	}
	c, err := b.Cache.Get(key)
	if err != nil || !Usable(c, b.now(), need) {
		return nil
	}
	return c
}

// run is one Get.
type run struct {
	b    *Broker
	ch   *awsconfig.Chain
	keys Keys
	opt  GetOptions
	// started is when the Get began: a failure another process recorded
	// after it is shared with this run (see sharedFailure).
	started time.Time
}

// creds returns the credentials after step i (-1: the base, or the MFA
// session in session mode) with at least need left.
func (r *run) creds(ctx context.Context, i int, need time.Duration, force bool) (*credcache.Credentials, error) {
	if i < 0 {
		if r.keys.Session == "" {
			return r.base(ctx)
		}
		return r.cached(ctx, r.keys.Session, need, force, r.getSessionToken)
	}
	return r.cached(ctx, r.keys.Steps[i], need, force, func(ctx context.Context) (*credcache.Credentials, error) {
		src, err := r.creds(ctx, i-1, SourceMargin, false)
		if err != nil {
			return nil, err
		}
		return r.assumeRole(ctx, i, src)
	})
}

// cached returns the entry key when usable, else computes it under the
// key's lock: the entry is read again once the lock is held, one that
// another process refreshed meanwhile is used as is, and a failure that
// process recorded while this run waited is returned as this run's own
// (sharedFailure). A failure of compute is recorded for the runs waiting
// behind this one (recordFailure) before the lock is released.
func (r *run) cached(ctx context.Context, key string, need time.Duration, force bool, compute func(context.Context) (*credcache.Credentials, error)) (*credcache.Credentials, error) {
	b := r.b
	before := r.lookup(key)
	if !force && Usable(before, b.now(), need) {
		return before, nil
	}
	unlock, err := r.lock(ctx, key)
	if err != nil {
		return nil, err
	}
	defer unlock()
	after := r.lookup(key)
	switch {
	case after == nil:
	case !force && Usable(after, b.now(), need):
		return after, nil
	case changed(before, after) && Usable(after, b.now(), min(need, SourceMargin)):
		// Refreshed by another process while we waited: as fresh as a
		// refresh would make it.
		return after, nil
	}
	if err := r.sharedFailure(key); err != nil {
		return nil, err
	}
	c, err := compute(ctx)
	if err != nil {
		r.recordFailure(ctx, key, err)
		return nil, err
	}
	if c.Issued.IsZero() {
		c.Issued = b.now().UTC()
	}
	r.store(key, c)
	return c, nil
}

func changed(before, after *credcache.Credentials) bool {
	if after == nil {
		return false
	}
	return before == nil || before.AccessKeyID != after.AccessKeyID || !before.Expiration.Equal(after.Expiration)
}

// MarginFraction caps the refresh margin of short sessions: credentials
// whose whole lifetime is shorter than twice the margin a consumer asks
// for are used until half of their lifetime is left (a 15-minute role
// session is served from the cache for 7.5 minutes) instead of being
// refreshed on every call.
const MarginFraction = 2

// Margin is the validity credentials of the given lifetime must have left
// to be used by a consumer that needs need: need, capped at
// lifetime/MarginFraction when the lifetime is known.
func Margin(need, lifetime time.Duration) time.Duration {
	if lifetime > 0 && need > lifetime/MarginFraction {
		return lifetime / MarginFraction
	}
	return need
}

// Usable reports whether c has at least Margin(need, its lifetime) left at
// now; credentials without an expiration always are.
func Usable(c *credcache.Credentials, now time.Time, need time.Duration) bool {
	if c == nil || c.AccessKeyID == "" {
		return false
	}
	if c.Expiration.IsZero() {
		return true
	}
	rem := c.Expiration.Sub(now)
	return rem > 0 && rem >= Margin(need, c.Lifetime())
}

// lock takes the key's in-process lock, then the cache's cross-process
// lock. When the cache cannot lock at all (its directory cannot be
// created), the broker goes on without the cache (see degrade), holding
// the in-process lock only.
func (r *run) lock(ctx context.Context, key string) (func(), error) {
	b := r.b
	b.mu.Lock()
	if b.keyLocks == nil {
		b.keyLocks = map[string]chan struct{}{}
	}
	sem := b.keyLocks[key]
	if sem == nil {
		sem = make(chan struct{}, 1)
		b.keyLocks[key] = sem
	}
	b.mu.Unlock()
	lctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	select {
	case sem <- struct{}{}:
	case <-lctx.Done():
		return nil, r.lockError(lctx.Err())
	}
	if b.cacheDisabled() {
		return func() { <-sem }, nil
	}
	unlock, err := b.Cache.Lock(lctx, key)
	if err != nil {
		if lctx.Err() != nil {
			<-sem
			return nil, r.lockError(lctx.Err())
		}
		b.degrade(err)
		return func() { <-sem }, nil
	}
	return func() {
		unlock()
		<-sem
	}, nil
}

func (r *run) lockError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: CodeCache, Profile: r.ch.Profile, Err: err,
			Msg:  fmt.Sprintf("gave up after %s waiting for another awsmfa process refreshing the same credentials", lockWait),
			Hint: "is another awsmfa waiting for an MFA code in another terminal?"}
	}
	return &Error{Code: CodeCache, Profile: r.ch.Profile, Err: err, Msg: "cancelled while waiting for another awsmfa process refreshing the same credentials"}
}

// code asks the MFA source for a code for serial.
func (r *run) code(ctx context.Context, serial, profile, reason string) (string, error) {
	if r.opt.NoPrompt {
		return "", &Error{Code: CodeMFANeeded, Profile: r.ch.Profile, Op: "MFA code",
			Msg:  fmt.Sprintf("a new MFA code for %s is needed and prompting is disabled", serial),
			Hint: fmt.Sprintf("run `awsmfa exec --profile %s -- true` in a terminal to enter one", r.ch.Profile)}
	}
	if r.b.MFA == nil {
		return "", &Error{Code: CodeMFASource, Profile: r.ch.Profile, Op: "MFA code", Err: mfa.ErrNoSource,
			Msg: fmt.Sprintf("a new MFA code for %s is needed: %v", serial, mfa.ErrNoSource)}
	}
	code, err := r.b.MFA.Code(ctx, mfa.Request{Serial: serial, Profile: profile, Reason: reason})
	if err != nil {
		return "", &Error{Code: CodeMFASource, Profile: r.ch.Profile, Op: "MFA code", Err: err,
			Msg: fmt.Sprintf("could not get an MFA code for %s: %v", serial, err)}
	}
	code = strings.TrimSpace(code)
	if err := mfa.ValidateCode(code); err != nil {
		return "", &Error{Code: CodeMFASource, Profile: r.ch.Profile, Op: "MFA code", Err: err,
			Msg: fmt.Sprintf("the MFA code for %s is not usable: %v", serial, err)}
	}
	return code, nil
}

// sessionName is the RoleSessionName of step s.
func (r *run) sessionName(s *awsconfig.AssumeRoleStep) string {
	if s.RoleSessionName != "" {
		return s.RoleSessionName
	}
	name := r.b.getenv("USER")
	if name == "" {
		name = r.b.getenv("USERNAME")
	}
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
	}
	return DefaultSessionName(name, r.b.now())
}

// DefaultSessionName is "awsmfa-USER-UNIXTIME", with USER reduced to the
// characters STS allows in a role session name ([\w+=,.@-]) and the whole
// at most 64 characters.
func DefaultSessionName(user string, now time.Time) string {
	var b strings.Builder
	for _, c := range user {
		if c < 0x80 && (c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-' ||
			(c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			b.WriteRune(c)
		}
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	u := b.String()
	if max := 64 - len("awsmfa--") - len(ts); len(u) > max {
		u = u[:max]
	}
	if u == "" {
		return "awsmfa-" + ts
	}
	return "awsmfa-" + u + "-" + ts
}

// FormatDuration prints d compactly: "12h", "1h30m", "45m", "30s".
func FormatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + FormatDuration(-d)
	}
	d = d.Round(time.Second)
	if d < time.Minute {
		return strconv.Itoa(int(d/time.Second)) + "s"
	}
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return strconv.Itoa(m) + "m"
	case m == 0:
		return strconv.Itoa(h) + "h"
	}
	return strconv.Itoa(h) + "h" + strconv.Itoa(m) + "m"
}

// accountFromARN returns the account of an ARN, "" if none.
func accountFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && len(parts[4]) == 12 {
		return parts[4]
	}
	return ""
}
