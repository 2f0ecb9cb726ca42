// Package keystore keeps long-term AWS access keys out of plain text: in
// the OS keychain (macOS Keychain, Windows Credential Manager, Secret
// Service, KWallet, through github.com/99designs/keyring), or in a file
// whose secrets are encrypted under a passphrase (internal/sealbox: scrypt
// and NaCl secretbox). It sits beside the credential cache
// (internal/credcache), which holds the temporary credentials made from
// these keys.
//
// An entry is a profile's access key: its ID (not a secret: it names the
// key in IAM, in logs and in CloudTrail, and the credential cache is keyed
// by it) and its secret, with the time it was added and last rotated, and
// a rotation in progress (awsmfa keys rotate records each step before the
// next, so a second rotate after a crash finishes the job). Lookup and List
// never read a secret, so resolving a profile or listing the store never
// asks for the passphrase; Get does.
//
// # File backend
//
// One file, Dir/keys.json (Dir default os.UserConfigDir()/awsmfa/keys,
// created 0700; the file 0600), replaced atomically (temporary file,
// fsync, rename, directory fsync) under an exclusive lock (Dir/keys.lock)
// for every change:
//
//	{"version": 1, "keys": {PROFILE: {"accessKeyId", "added", "rotated",
//	 "rotationStarted", "sealed": BOX}}}
//
// where BOX seals {"profile", "secretAccessKey", "rotation"} (the profile
// inside the box binds it to its entry: a box moved to another profile does
// not open). Every entry is sealed under the same passphrase: a Put into a
// store that has entries first opens one of them, so a mistyped passphrase
// is refused instead of creating a second one. The file is read up to
// 16 MiB.
//
// # Keyring backend
//
// One item per profile, service "awsmfa-keys", key "awsmfa-keys:PROFILE",
// whose data is the entry's JSON (the keychain protects it). Backend
// "pass" puts the same items in the pass(1) password store (gpg), under
// the folder awsmfa-keys/; "auto" never picks it (its gpg prompts would
// surprise a credential_process run), only an explicit
// AWSMFA_KEYS_BACKEND=pass does.
package keystore

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Entry is a profile's long-term access key.
type Entry struct {
	Profile         string
	AccessKeyID     string
	SecretAccessKey string
	Added           time.Time
	Rotated         time.Time
	// Rotation is a key rotation in progress; nil when none.
	Rotation *Rotation
}

// Rotation is the state of `awsmfa keys rotate` between its steps.
type Rotation struct {
	Started time.Time `json:"started"`
	// New is the key CreateAccessKey returned, recorded before it is used.
	NewAccessKeyID     string `json:"newAccessKeyId,omitempty"`
	NewSecretAccessKey string `json:"newSecretAccessKey,omitempty"`
	// Old is the replaced key, recorded when the new one became the
	// entry's key and until the old one is deleted (or deactivated).
	OldAccessKeyID string `json:"oldAccessKeyId,omitempty"`
}

// Summary is what List shows of an entry: no secret.
type Summary struct {
	Profile     string    `json:"profile"`
	AccessKeyID string    `json:"accessKeyId"`
	Added       time.Time `json:"added"`
	Rotated     time.Time `json:"rotated,omitzero"`
	// Rotating: a rotation was started and not finished.
	Rotating bool `json:"rotating,omitempty"`
}

// Store holds access keys by profile.
type Store interface {
	// Lookup returns the profile's access key ID without reading its
	// secret; ok is false when the store has no entry for it.
	Lookup(profile string) (accessKeyID string, ok bool, err error)
	// Get returns the profile's entry with its secret (nil, nil when
	// absent). The file backend needs the passphrase.
	Get(profile string) (*Entry, error)
	// Put adds or replaces the profile's entry.
	Put(e *Entry) error
	// Delete removes the profile's entry (no error when absent).
	Delete(profile string) error
	// List returns every entry's summary, by profile.
	List() ([]Summary, error)
	// Where names the store for messages ("encrypted file ~/.config/awsmfa/keys/keys.json").
	Where() string
}

// Backends.
const (
	BackendAuto    = "auto"
	BackendKeyring = "keyring"
	BackendFile    = "file"
	// BackendPass is the pass(1) password store: only when asked for.
	BackendPass = "pass"
)

// Environment variables the command layer reads.
const (
	EnvBackend    = "AWSMFA_KEYS_BACKEND"
	EnvDir        = "AWSMFA_KEYS_DIR"
	EnvPassphrase = "AWSMFA_KEYS_PASSPHRASE"
)

// ErrWrongPassphrase: the passphrase does not open the store's entries.
var ErrWrongPassphrase = errors.New("the passphrase does not open the key store")

// ErrNoPassphrase: the file backend needs a passphrase and none was given.
var ErrNoPassphrase = errors.New("the key store is encrypted: set " + EnvPassphrase + " or run on a terminal to be asked")

// ErrCorrupt marks a store file or item that is not a valid key store.
var ErrCorrupt = errors.New("the key store is not valid")

// checkEntry validates an entry before it is stored.
func checkEntry(e *Entry) error {
	switch {
	case e == nil:
		return errors.New("key store: nil entry")
	case e.Profile == "":
		return errors.New("key store: empty profile name")
	case len(e.Profile) > 256:
		return errors.New("key store: profile name longer than 256 bytes")
	case dotSegment(e.Profile):
		return fmt.Errorf("key store: profile name %q has a \".\" or \"..\" path segment", e.Profile)
	case !ValidAccessKeyID(e.AccessKeyID):
		return fmt.Errorf("key store: %q is not an access key ID", e.AccessKeyID)
	case !ValidSecret(e.SecretAccessKey):
		return errors.New("key store: the secret access key is not 40 characters of base64")
	}
	return nil
}

// ValidAccessKeyID reports whether s has the shape of an IAM access key ID:
// 16 to 128 upper-case letters and digits (IAM's limits), starting with a
// four-letter prefix such as AKIA (long-term) or ASIA (temporary).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_AccessKey.html
func ValidAccessKeyID(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// ValidSecret reports whether s has the shape of a secret access key: 40
// characters of the base64 alphabet.
func ValidSecret(s string) bool {
	if len(s) != 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// String shows the entry without its secrets (for logs and test failures).
func (e *Entry) String() string {
	if e == nil {
		return "<nil>"
	}
	return fmt.Sprintf("{Profile:%s AccessKeyID:%s SecretAccessKey:<redacted> Added:%s Rotated:%s Rotation:%v}",
		e.Profile, e.AccessKeyID, e.Added.Format(time.RFC3339), e.Rotated.Format(time.RFC3339), e.Rotation)
}

// String shows the rotation without the new key's secret.
func (r *Rotation) String() string {
	if r == nil {
		return "<nil>"
	}
	return fmt.Sprintf("{Started:%s NewAccessKeyID:%s NewSecretAccessKey:<redacted> OldAccessKeyID:%s}",
		r.Started.Format(time.RFC3339), r.NewAccessKeyID, r.OldAccessKeyID)
}

// dotSegment reports whether a profile name has a "." or ".." segment
// between slashes: the pass backend makes names into paths.
func dotSegment(name string) bool {
	for _, seg := range strings.Split(name, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}
