// Package keychain opens the OS keychain (macOS Keychain, Windows
// Credential Manager, Secret Service, KWallet) through
// github.com/99designs/keyring the same way for the credential cache
// (internal/credcache) and the key store (internal/keystore).
package keychain

import (
	"errors"
	"fmt"

	"github.com/99designs/keyring"
)

// Backends are the OS keychains used, in order. keyring's own file, pass
// and keyctl backends are not among them: each user of the keychain has
// its own fallback.
var Backends = []keyring.BackendType{
	keyring.KeychainBackend,
	keyring.WinCredBackend,
	keyring.SecretServiceBackend,
	keyring.KWalletBackend,
}

// secretServiceCollection is the Secret Service collection used: the
// user's login keyring, unlocked at login, so that storing an item never
// makes GNOME Keyring ask the user to create (and set a password for) a new
// keyring in the middle of a credential_process run.
const secretServiceCollection = "login"

// Open opens the OS keychain for service.
func Open(service string) (keyring.Keyring, error) {
	return keyring.Open(keyring.Config{
		ServiceName:                    service,
		AllowedBackends:                Backends,
		KeychainTrustApplication:       true,
		KeychainSynchronizable:         false,
		KeychainAccessibleWhenUnlocked: true,
		KWalletAppID:                   service,
		KWalletFolder:                  service,
		LibSecretCollectionName:        secretServiceCollection,
		WinCredPrefix:                  service,
	})
}

// Probe checks that an opened keychain answers by looking up one absent
// item (probeKey): cheaper than listing, which costs a round trip per item
// on Secret Service.
func Probe(kr keyring.Keyring, probeKey string) error {
	if _, err := kr.Get(probeKey); err != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
		return fmt.Errorf("the OS keychain does not answer: %w", err)
	}
	return nil
}

// OpenError wraps a failure to open any keychain.
func OpenError(err error) error {
	return fmt.Errorf("no usable OS keychain (tried macOS Keychain, Windows Credential Manager, Secret Service, KWallet): %w", err)
}
