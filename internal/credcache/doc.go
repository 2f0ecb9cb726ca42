// Package credcache stores awsmfa's temporary credentials between runs
// and provides the cross-process lock that makes N processes started at
// once cost one MFA prompt and one STS call.
//
// # Backends
//
// Open(Options{Backend: "auto"}) uses the OS keychain through
// github.com/99designs/keyring when one answers (macOS Keychain, Windows
// Credential Manager, Secret Service or KWallet over a running D-Bus
// session), else the file backend; "keyring" insists on the keychain,
// "file" uses files only. keyring's own file/pass/keyctl backends are not
// used. Items are named "awsmfa:KEY" (Options.KeyringService + ":"); the
// item data is the entry JSON below. Whether the keychain answers is probed
// by looking up one absent item (cheap: Open is on every cache hit's path).
// On macOS the Keychain needs a cgo build (keyring's keychain backend is
// darwin && cgo); a CGO_ENABLED=0 build uses files. On Linux, Secret
// Service items go to the "login" collection (the keyring unlocked at
// login) so that the first Put does not make GNOME Keyring ask the user to
// create a new keyring; other applications' items there are ignored.
//
// Importing keyring on Linux runs D-Bus code at package initialization,
// which, with no session bus, would start a dbus-daemon through
// dbus-launch in every awsmfa process; the internal dbusguard package
// prevents that (see its documentation) and a test checks it.
//
// The file backend keeps one JSON file per key in Options.Dir (default
// os.UserCacheDir()/awsmfa, created 0700 by the first Put or Lock; Open
// itself creates nothing): Dir/NAME.json, mode 0600, where NAME is the key
// itself when it is lower-case letters, digits, '.', '_' and '-' (the keys
// of awsconfig.Chain.MFASessionKey are), else a sanitized form plus a hash
// (so distinct keys never share a file, even on case-insensitive file
// systems). Each write goes to a temporary file in Dir that is flushed
// (fsync) and renamed over the entry, and Dir is synced: a crash at any
// moment leaves the old entry or the new one. A stray ".NAME.json.tmp-*"
// file may remain after a crash; it is never read.
//
// # Format
//
//	{"version": 1, "key": KEY, "credentials": {"AccessKeyId": ..., "SecretAccessKey": ...,
//	 "SessionToken": ..., "Expiration": RFC 3339, "AccountId", "PrincipalArn", "MFA",
//	 "MFAAuthTime", "Kind", "SourceKey", "Issued": RFC 3339}}
//
// An entry is read up to 1 MiB (reading stops one byte past it). A file
// that is larger, empty, does not parse, is truncated, has another version,
// holds another key or lacks the access key or secret is not used: Get
// returns an error matching ErrCorrupt that names the file and says which
// of these it is (never showing its content), and the next Put replaces
// it. Callers report it once and go on as on a miss.
//
// # Encryption (opt-in)
//
// With Options.Passphrase or $AWSMFA_CACHE_PASSPHRASE, the file backend
// seals each entry with NaCl secretbox (XSalsa20-Poly1305) under a key
// derived from the passphrase by scrypt (N=32768, r=8, p=1, a random
// 16-byte salt per write): {"version": 1, "key": KEY, "sealed": {"kdf":
// "scrypt", "n", "r", "p", "salt", "nonce", "box"}} (the sealing is
// internal/sealbox's; entries naming other parameters are not used, and
// never make awsmfa run scrypt with them). Deriving the key costs
// about 50-100 ms and 32 MiB per entry read or written (remembered for the
// life of the process), which is the price of the option on every cache
// hit. An entry that the passphrase does not open (wrong passphrase, or
// none set) makes Get return an error matching ErrUnreadable, naming the
// key and saying "wrong AWSMFA_CACHE_PASSPHRASE?"; callers should warn and
// continue as on a miss: the next Put overwrites the entry. Plain entries
// are still read when a passphrase is set (they are rewritten encrypted at
// the next Put). The keychain backend never uses the passphrase.
//
// # Locks
//
// Lock(ctx, key) takes an exclusive lock on Dir/locks/NAME.lock (for every
// backend): flock(2) on Unix, LockFileEx on Windows (github.com/gofrs/flock),
// retried every 20 ms while another process holds it, until ctx ends.
// Waiters inside one process queue without polling. The lock is released
// by the returned function or when the process exits (even by kill -9).
//
// # Failure records
//
// The caches Open returns also implement FailureLog: the process holding a
// key's lock can record why its attempt failed (the error's code and
// words, when and by which process; no secret) in
// Dir/locks/NAME.failed before it releases the lock, and the processes
// that were waiting read it once they hold the lock. The broker decides
// which failures are shared and with whom.
//
// # Secrets
//
// Credentials' String, GoString and LogValue hide the secret access key
// and the session token; no error of this package contains them (or any
// byte of an entry's content).
package credcache
