package broker

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/mfa"
)

// This file is the broker's use of the credential cache, and what it does
// when the cache fails:
//
//   - An entry that cannot be used (it does not decrypt with the
//     passphrase, or it is damaged, oversized, of another version) is
//     reported once per key and process, saying that it will be replaced,
//     and then treated as absent.
//   - A cache that cannot be used at all (its directory cannot be created
//     or written, the keychain fails) is reported once, and the broker goes
//     on without it: no cross-process lock, nothing read or stored. Every
//     run then gets new credentials (and may need a new MFA code), but
//     nothing fails because of the cache. A nil Cache is the same, without
//     the warning.
//   - A failed attempt (see shareable) is recorded under the key's lock,
//     and the runs that began before it failed and waited for that lock
//     fail with the same error instead of each asking for a code and
//     calling STS again (see sharedFailure).

// cacheDisabled reports whether the broker works without its cache.
func (b *Broker) cacheDisabled() bool {
	if b.Cache == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cacheOff
}

// degrade turns the cache off after err, saying so the first time.
func (b *Broker) degrade(err error) {
	b.mu.Lock()
	first := !b.cacheOff
	b.cacheOff = true
	b.mu.Unlock()
	if first {
		b.logf("warning: the credential cache cannot be used (%v); going on without it: nothing is cached, so the next run needs new credentials (and may ask for an MFA code again)", err)
	}
}

// reportOnce reports a problem with key's entry the first time it is seen.
func (b *Broker) reportOnce(key, profile string, err error) {
	b.mu.Lock()
	if b.reported == nil {
		b.reported = map[string]bool{}
	}
	seen := b.reported[key]
	b.reported[key] = true
	b.mu.Unlock()
	if !seen {
		b.logf("warning: profile %q: %v", profile, err)
	}
}

// lookup reads key's entry; nil when absent or unusable (reported once),
// or when the cache is off.
func (r *run) lookup(key string) *credcache.Credentials {
	b := r.b
	if b.cacheDisabled() {
		return nil
	}
	c, err := b.Cache.Get(key)
	switch {
	case err == nil:
		return c
	case errors.Is(err, credcache.ErrUnreadable) || errors.Is(err, credcache.ErrCorrupt):
		b.reportOnce(key, r.ch.Profile, err)
	default:
		b.degrade(err)
	}
	return nil
}

// store caches c under key and forgets any failure recorded for it.
func (r *run) store(key string, c *credcache.Credentials) {
	b := r.b
	if b.cacheDisabled() {
		return
	}
	if err := b.Cache.Put(key, c); err != nil {
		b.degrade(err)
		return
	}
	if fl, ok := b.Cache.(credcache.FailureLog); ok {
		_ = fl.ClearFailure(key)
	}
}

// shareable reports whether err, the failure of an attempt made under a
// key's lock, is one the runs waiting for that lock would meet as well:
// STS's answer (a wrong or reused code, a refusal, an unreachable
// endpoint) or mfa_process failing. Failures of this run only are not:
// cancellation (Ctrl-C, a deadline of this run), no way to prompt, a
// refused --mfa-token or a prompt the user cancelled, prompting turned
// off.
func shareable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return false
	}
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	if strings.HasPrefix(e.Op, "sts:") {
		return true
	}
	var pe *mfa.ProcessError
	return errors.As(err, &pe)
}

// recordFailure records a shareable failure of the attempt for key, with
// the error's code and words (which never hold secrets), this process and
// the time. Called with key's lock held.
func (r *run) recordFailure(ctx context.Context, key string, err error) {
	b := r.b
	fl, ok := b.Cache.(credcache.FailureLog)
	if !ok || b.cacheDisabled() || !shareable(ctx, err) {
		return
	}
	var e *Error
	errors.As(err, &e)
	// One failure, one time: the keys of a chain nearer its end record
	// the failure of the MFA session (or of a shared failure) with the
	// time it happened, so that it applies to the same runs at every key.
	if e.failedAt.IsZero() {
		e.failedAt = b.now().UTC()
	}
	pid := e.failedPID
	if pid == 0 {
		pid = os.Getpid()
		e.failedPID = pid
	}
	_ = fl.RecordFailure(key, credcache.Failure{At: e.failedAt, PID: pid, Code: string(e.Code), Op: e.Op,
		Profile: e.Profile, Message: e.Msg, Hint: e.Hint})
}

// sharedFailure returns the failure recorded for key when it happened
// after this run began: the run was waiting for the failed attempt (or
// about to), which would have been its own too. A run that begins after a
// failure (the user fixed the code, or waited for the next one) tries
// again. Called with key's lock held.
func (r *run) sharedFailure(key string) error {
	b := r.b
	fl, ok := b.Cache.(credcache.FailureLog)
	if !ok || b.cacheDisabled() {
		return nil
	}
	f, err := fl.LastFailure(key)
	if err != nil || f == nil || !f.At.After(r.started) {
		return nil
	}
	b.logf("not asking again: awsmfa process %d failed at %s while this one waited for it", f.PID, f.At.Local().Format("15:04:05"))
	return &Error{Code: ErrorCode(f.Code), Profile: f.Profile, Op: f.Op, Msg: f.Message, Hint: f.Hint, Err: ErrSharedFailure,
		failedAt: f.At, failedPID: f.PID}
}

// ErrSharedFailure is wrapped by the errors of runs that did not try
// themselves because the attempt they waited for failed.
var ErrSharedFailure = errors.New("the attempt this run waited for failed")
