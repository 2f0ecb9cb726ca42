package keystore

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/99designs/keyring"

	"github.com/awsmfa/awsmfa/internal/keychain"
)

// Options configure Open. With Backend "auto" (the default) an existing
// file store is used as it is; otherwise the OS keychain when one answers,
// else a new file store.
type Options struct {
	// Backend: "auto" (default: the OS keychain when one answers, else the
	// encrypted file), "keyring" or "file".
	Backend string
	// Dir is the file backend's directory (default DefaultDir()).
	Dir string
	// Passphrase is asked when the file backend first needs it; newStore
	// says the store has no entry yet (the caller may ask twice to
	// confirm). Nil: the file backend cannot read or write secrets.
	Passphrase func(newStore bool) (string, error)
	// KeyringService is the keychain service (default "awsmfa-keys").
	KeyringService string
	// OpenKeyring opens the keychain (default OpenOSKeyring); tests give a
	// keyring.NewArrayKeyring.
	OpenKeyring func(service string) (keyring.Keyring, error)
	// PassDir and PassCommand configure the "pass" backend (defaults:
	// $PASSWORD_STORE_DIR or ~/.password-store, and "pass").
	PassDir, PassCommand string
}

// DefaultDir is os.UserConfigDir()/awsmfa/keys: configuration, not cache
// (a cache may be wiped; these keys may exist nowhere else).
func DefaultDir() (string, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot locate the user configuration directory for the key store: %w", err)
	}
	return filepath.Join(d, "awsmfa", "keys"), nil
}

// Open returns the store o describes. It creates nothing: the file
// backend's directory is created by the first Put.
func Open(o Options) (Store, error) {
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
	svc := o.KeyringService
	if svc == "" {
		svc = DefaultKeyringService
	}
	openKR := o.OpenKeyring
	if openKR == nil {
		openKR = OpenOSKeyring
	}
	file := &fileStore{dir: dir, passphrase: o.Passphrase}
	switch o.Backend {
	case "", BackendAuto:
		// A store already kept in the file stays there, even once a
		// keychain answers (a desktop session after an SSH one): its keys
		// are in the file, not in the keychain.
		if _, err := os.Stat(file.path()); err == nil {
			return file, nil
		}
		if ks, err := openKeyringStore(openKR, svc); err == nil {
			return ks, nil
		}
		return file, nil
	case BackendFile:
		return file, nil
	case BackendKeyring:
		return openKeyringStore(openKR, svc)
	case BackendPass:
		s, err := openKeyringStore(func(svc string) (keyring.Keyring, error) { return OpenPass(svc, o.PassDir, o.PassCommand) }, svc)
		if err != nil {
			return nil, fmt.Errorf("the pass password store: %w", err)
		}
		s.name = "pass password store (folder " + svc + ")"
		return s, nil
	}
	return nil, fmt.Errorf("unknown key store backend %q (want auto, keyring, pass or file)", o.Backend)
}

// openKeyringStore opens the keychain and checks that it answers, by
// looking up one absent item.
func openKeyringStore(open func(string) (keyring.Keyring, error), svc string) (*keyringStore, error) {
	kr, err := open(svc)
	if err != nil {
		return nil, keychain.OpenError(err)
	}
	s := &keyringStore{kr: kr, prefix: svc + ":", name: "OS keychain (service " + svc + ")"}
	if err := keychain.Probe(kr, s.prefix+"probe"); err != nil {
		return nil, err
	}
	return s, nil
}
