package credcache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Kinds of cached credentials (Credentials.Kind).
const (
	KindSessionToken = "session-token"
	KindAssumeRole   = "assume-role"
	KindStatic       = "static"
)

// Backend names accepted by Options.Backend.
const (
	BackendAuto    = "auto"
	BackendKeyring = "keyring"
	BackendFile    = "file"
)

// PassphraseEnv names the environment variable that turns on encryption of
// the file backend's entries when Options.Passphrase is empty.
const PassphraseEnv = "AWSMFA_CACHE_PASSPHRASE"

// DefaultKeyringService is the service name used in the OS keychain.
const DefaultKeyringService = "awsmfa"

// Credentials are temporary (or static) AWS credentials with what awsmfa
// knows about them. Its String and GoString methods and its slog LogValue
// never show the secret parts, so printing one by mistake leaks nothing;
// the JSON encoding (used for storage only) does contain them.
type Credentials struct {
	AccessKeyID     string    `json:"AccessKeyId"`
	SecretAccessKey string    `json:"SecretAccessKey"`
	SessionToken    string    `json:"SessionToken,omitempty"`
	Expiration      time.Time `json:"Expiration,omitzero"`
	AccountID       string    `json:"AccountId,omitempty"`
	PrincipalARN    string    `json:"PrincipalArn,omitempty"`
	MFA             bool      `json:"MFA,omitempty"`
	MFAAuthTime     time.Time `json:"MFAAuthTime,omitzero"`
	Kind            string    `json:"Kind,omitempty"` // KindSessionToken | KindAssumeRole | KindStatic
	SourceKey       string    `json:"SourceKey,omitempty"`
	// Issued is when awsmfa obtained the credentials (zero when unknown,
	// e.g. in entries written before it was recorded). With Expiration it
	// gives their lifetime, which the broker uses to cap its refresh
	// margin for sessions shorter than that margin.
	Issued time.Time `json:"Issued,omitzero"`
}

// Lifetime is how long the credentials were valid when issued; 0 when
// unknown or when they do not expire.
func (c *Credentials) Lifetime() time.Duration {
	if c == nil || c.Issued.IsZero() || c.Expiration.IsZero() || !c.Expiration.After(c.Issued) {
		return 0
	}
	return c.Expiration.Sub(c.Issued)
}

// Remaining is the time left before the credentials expire at now (negative
// once expired). Credentials without an expiration (static keys) never
// expire: Remaining returns the largest duration.
func (c *Credentials) Remaining(now time.Time) time.Duration {
	if c == nil {
		return 0
	}
	if c.Expiration.IsZero() {
		return time.Duration(1<<63 - 1)
	}
	return c.Expiration.Sub(now)
}

// Expired reports whether fewer than margin remain at now.
func (c *Credentials) Expired(now time.Time, margin time.Duration) bool {
	return c == nil || c.Remaining(now) < margin
}

// String describes the credentials without their secrets.
func (c Credentials) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Credentials{AccessKeyID: %s, SecretAccessKey: %s, SessionToken: %s", c.AccessKeyID, redact(c.SecretAccessKey), redact(c.SessionToken))
	if !c.Expiration.IsZero() {
		fmt.Fprintf(&b, ", Expiration: %s", c.Expiration.UTC().Format(time.RFC3339))
	}
	if c.Kind != "" {
		fmt.Fprintf(&b, ", Kind: %s", c.Kind)
	}
	if c.PrincipalARN != "" {
		fmt.Fprintf(&b, ", PrincipalARN: %s", c.PrincipalARN)
	}
	if c.MFA {
		b.WriteString(", MFA: true")
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String (so %#v does not print secrets either).
func (c Credentials) GoString() string { return c.String() }

// LogValue keeps secrets out of log/slog output.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("access_key_id", c.AccessKeyID),
		slog.Time("expiration", c.Expiration),
		slog.String("kind", c.Kind),
		slog.String("principal_arn", c.PrincipalARN),
	)
}

func redact(s string) string {
	if s == "" {
		return `""`
	}
	return "<redacted>"
}

// Entry is one cached item, as returned by List.
type Entry struct {
	Key         string
	Credentials *Credentials
}

// Cache stores credentials under keys (profile keys, MFA session keys) and
// provides a cross-process lock per key.
type Cache interface {
	// Get returns the credentials stored under key; (nil, nil) when there
	// are none. An entry that exists but cannot be read with the
	// configured passphrase (wrong passphrase, or encrypted while no
	// passphrase is set) gives (nil, err) with errors.Is(err,
	// ErrUnreadable); a corrupted, truncated, oversized or foreign-version
	// entry gives (nil, err) with errors.Is(err, ErrCorrupt). Both errors
	// name the entry and say why, never its content: callers should say
	// so once and proceed as on a miss (the next Put replaces the entry).
	// Other errors mean the cache itself cannot be read.
	Get(key string) (*Credentials, error)
	// Put stores c under key, replacing any previous entry atomically.
	Put(key string, c *Credentials) error
	// Delete removes the entry; deleting a missing entry is not an error.
	Delete(key string) error
	// List returns every readable entry, sorted by key. Unreadable or
	// corrupted entries are skipped.
	List() ([]Entry, error)
	// Lock takes the exclusive cross-process lock of key, waiting until it
	// is free or ctx ends (then the error wraps ctx.Err()). The returned
	// function releases it; calling it more than once is harmless.
	Lock(ctx context.Context, key string) (unlock func(), err error)
}

// Options configure Open.
type Options struct {
	// Backend: "auto" (default; the OS keychain when one is usable, else
	// files), "keyring" (the OS keychain or an error) or "file".
	Backend string
	// Dir holds the file entries and, for every backend, the lock files.
	// Default: os.UserCacheDir()/awsmfa.
	Dir string
	// Passphrase encrypts the file backend's entries (scrypt +
	// NaCl secretbox). Empty: $AWSMFA_CACHE_PASSPHRASE; both empty: the
	// entries are plain JSON in 0600 files.
	Passphrase string
	// KeyringService is the service name in the OS keychain; default
	// "awsmfa".
	KeyringService string
}

// ErrUnreadable marks an existing entry that cannot be decrypted (see
// Cache.Get).
var ErrUnreadable = errors.New("cache entry cannot be read")

// ErrCorrupt marks an existing entry that is not a valid entry for its
// key (see Cache.Get).
var ErrCorrupt = errors.New("cache entry is not valid")

// DefaultDir returns os.UserCacheDir()/awsmfa.
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cannot locate the user cache directory for the credential cache: %w", err)
	}
	return filepath.Join(d, "awsmfa"), nil
}

// Open returns the cache described by o. It creates nothing on disk: the
// directory is created by the first Put or Lock, whose errors name it.
func Open(o Options) (Cache, error) {
	dir := o.Dir
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	pass := o.Passphrase
	if pass == "" {
		pass = os.Getenv(PassphraseEnv)
	}
	svc := o.KeyringService
	if svc == "" {
		svc = DefaultKeyringService
	}
	fc := newFileCache(dir, pass)
	switch o.Backend {
	case "", BackendAuto:
		kc, err := openKeyring(svc, fc.locks)
		if err != nil {
			return fc, nil
		}
		return kc, nil
	case BackendFile:
		return fc, nil
	case BackendKeyring:
		kc, err := openKeyring(svc, fc.locks)
		if err != nil {
			return nil, err
		}
		return kc, nil
	default:
		return nil, fmt.Errorf("unknown credential cache backend %q (want auto, keyring or file)", o.Backend)
	}
}
