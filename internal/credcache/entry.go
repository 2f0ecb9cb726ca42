package credcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/awsmfa/awsmfa/internal/sealbox"
)

// entryVersion is the version of the stored format. Entries with another
// version are foreign: they read as absent and the next Put replaces them.
const entryVersion = 1

// maxEntrySize is the largest entry read.
const maxEntrySize = 1 << 20

// envelope is the stored form of an entry (a file's content, or a keyring
// item's data).
type envelope struct {
	Version     int          `json:"version"`
	Key         string       `json:"key"`
	Credentials *Credentials `json:"credentials,omitempty"`
	Sealed      *sealed      `json:"sealed,omitempty"`
}

// sealed holds an encrypted payload (internal/sealbox: NaCl secretbox
// under a key derived from the passphrase and a random salt by scrypt with
// fixed parameters; boxes naming other parameters are foreign). The
// payload is the JSON of a plaintext envelope (whose key must equal the
// outer key).
type sealed = sealbox.Box

// decodeStatus says what decodeEntry found.
type decodeStatus int

const (
	entryOK      decodeStatus = iota
	entryInvalid              // corrupted, truncated, foreign version, other key: treat as absent
	entryLocked               // well-formed but cannot be decrypted with the passphrase we have
)

// keyDeriver derives the keys of sealed entries, remembering them per
// (passphrase, salt) so that reading an entry twice costs one scrypt run.
type keyDeriver = sealbox.Deriver

// encodeEntry returns the stored form of c under key, encrypted when
// passphrase is not empty.
func encodeEntry(key string, c *Credentials, passphrase string, kd *keyDeriver) ([]byte, error) {
	if c == nil {
		return nil, errors.New("credcache: nil credentials")
	}
	plain := envelope{Version: entryVersion, Key: key, Credentials: c}
	if passphrase == "" {
		return json.MarshalIndent(plain, "", "  ")
	}
	payload, err := json.Marshal(plain)
	if err != nil {
		return nil, err
	}
	s, err := kd.Seal(passphrase, payload)
	clear(payload)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(envelope{Version: entryVersion, Key: key, Sealed: s}, "", "  ")
}

// Reasons an entry is invalid (decodeEntry). They describe the entry's
// shape, never its content.
const (
	reasonTooLarge     = "it is larger than the 1 MiB limit of a cache entry"
	reasonEmpty        = "it is empty"
	reasonNotJSON      = "it is not a JSON cache entry (truncated, or not written by awsmfa)"
	reasonTrailing     = "it has data after the entry"
	reasonVersion      = "it was written by another version of awsmfa (entry version %d, this one reads %d)"
	reasonOtherKey     = "it holds the entry of another key"
	reasonSealedParams = "its encryption parameters are not those awsmfa uses"
	reasonSealedInner  = "its decrypted content is not a valid entry"
	reasonNoKeys       = "it has no access key or secret key"
	reasonBoth         = "it is both encrypted and plain"
)

// decodeEntry parses a stored entry expected to hold key. It never panics:
// anything malformed is entryInvalid, an entry that needs a passphrase we
// do not have (or a different one) is entryLocked, each with a reason that
// names no byte of the content.
func decodeEntry(data []byte, key, passphrase string, kd *keyDeriver) (*Credentials, decodeStatus, string) {
	if len(data) > maxEntrySize {
		return nil, entryInvalid, reasonTooLarge
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, entryInvalid, reasonEmpty
	}
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&env); err != nil {
		return nil, entryInvalid, reasonNotJSON
	}
	if dec.More() {
		return nil, entryInvalid, reasonTrailing
	}
	if env.Version == 0 {
		return nil, entryInvalid, reasonNotJSON
	}
	if env.Version != entryVersion {
		return nil, entryInvalid, fmt.Sprintf(reasonVersion, env.Version, entryVersion)
	}
	if env.Key != key {
		return nil, entryInvalid, reasonOtherKey
	}
	switch {
	case env.Sealed != nil && env.Credentials == nil:
		return openSealed(env.Sealed, key, passphrase, kd)
	case env.Sealed == nil && validCredentials(env.Credentials):
		return env.Credentials, entryOK, ""
	case env.Sealed != nil:
		return nil, entryInvalid, reasonBoth
	}
	return nil, entryInvalid, reasonNoKeys
}

// openSealed decrypts a sealed entry's payload.
func openSealed(s *sealed, key, passphrase string, kd *keyDeriver) (*Credentials, decodeStatus, string) {
	payload, err := kd.Open(passphrase, s)
	switch {
	case err == nil:
	case errors.Is(err, sealbox.ErrNoPassphrase):
		return nil, entryLocked, "it is encrypted and " + PassphraseEnv + " is not set"
	case errors.Is(err, sealbox.ErrWrongPassphrase):
		return nil, entryLocked, "it cannot be decrypted: wrong " + PassphraseEnv + "?"
	default: // sealbox.ErrParams, or a key derivation failure
		return nil, entryInvalid, reasonSealedParams
	}
	defer clear(payload)
	var inner envelope
	if err := json.Unmarshal(payload, &inner); err != nil || inner.Version != entryVersion || inner.Key != key || inner.Sealed != nil {
		return nil, entryInvalid, reasonSealedInner
	}
	if !validCredentials(inner.Credentials) {
		return nil, entryInvalid, reasonNoKeys
	}
	return inner.Credentials, entryOK, ""
}

func validCredentials(c *Credentials) bool {
	return c != nil && c.AccessKeyID != "" && c.SecretAccessKey != ""
}

// unreadableError is the error of Get for an entryLocked entry. It names
// the key and the reason, never any content of the entry.
type unreadableError struct {
	key, reason string
}

func (e *unreadableError) Error() string {
	return fmt.Sprintf("credential cache entry %q cannot be used: %s (awsmfa will get new credentials and overwrite it)", e.key, e.reason)
}

func (e *unreadableError) Unwrap() error { return ErrUnreadable }

// corruptError is the error of Get for an entryInvalid entry: what names
// the entry (its file, or its key in the OS keychain), reason says what is
// wrong with it, never showing its content.
type corruptError struct {
	what, reason string
}

func (e *corruptError) Error() string {
	return fmt.Sprintf("credential cache entry %s is not usable: %s (awsmfa will get new credentials and replace it)", e.what, e.reason)
}

func (e *corruptError) Unwrap() error { return ErrCorrupt }

// fileName maps a key to a file name (without extension) that is safe on
// every OS and file system, and distinct for distinct keys even on
// case-insensitive file systems: keys of lower-case letters, digits, '.',
// '_' and '-' (not starting with '.', at most 100 bytes, not a Windows
// device name) are used as they are; any other key becomes its sanitized
// form followed by '~' and a hash of the key ('~' never occurs in the first
// kind, so the two kinds cannot collide).
func fileName(key string) string {
	if safeName(key) {
		return key
	}
	var b strings.Builder
	for i := 0; i < len(key) && b.Len() < 40; i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
			b.WriteByte(c)
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte('_')
		}
	}
	h := sha256.Sum256([]byte(key))
	return b.String() + "~" + hex.EncodeToString(h[:12])
}

func safeName(key string) bool {
	if key == "" || len(key) > 100 || key[0] == '.' || key[len(key)-1] == '.' {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	base, _, _ := strings.Cut(key, ".")
	switch base {
	case "con", "prn", "aux", "nul", "conin$", "conout$":
		return false
	}
	if len(base) == 4 && (strings.HasPrefix(base, "com") || strings.HasPrefix(base, "lpt")) && base[3] >= '0' && base[3] <= '9' {
		return false
	}
	return true
}
