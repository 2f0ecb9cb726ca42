package brokerutil

import (
	"context"
	"errors"
	"fmt"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/keystore"
	"github.com/awsmfa/awsmfa/internal/mfa"
)

// OpenKeyStore opens the key store of long-term access keys
// ($AWSMFA_KEYS_BACKEND auto|keyring|file, $AWSMFA_KEYS_DIR), once per
// factory. The file backend's passphrase is $AWSMFA_KEYS_PASSPHRASE, else
// asked on the terminal when a secret is first needed.
func (f *Factory) OpenKeyStore() (keystore.Store, error) {
	if f.Keys != nil {
		return f.Keys, nil
	}
	backend := f.Getenv(keystore.EnvBackend)
	if backend == "" {
		backend = keystore.BackendAuto
	}
	s, err := keystore.Open(keystore.Options{Backend: backend, Dir: f.Getenv(keystore.EnvDir), Passphrase: f.keysPassphrase, OpenKeyring: f.OpenKeyring})
	if err != nil {
		return nil, fmt.Errorf("$%s=%q: %w", keystore.EnvBackend, backend, err)
	}
	f.Keys = s
	return s, nil
}

// minPassphrase is the shortest passphrase a new key store takes.
const minPassphrase = 8

// keysPassphrase is $AWSMFA_KEYS_PASSPHRASE, else asked on the terminal
// (twice for a new store).
func (f *Factory) keysPassphrase(newStore bool) (string, error) {
	if p := f.Getenv(keystore.EnvPassphrase); p != "" {
		if newStore && len(p) < minPassphrase {
			return "", fmt.Errorf("$%s: a new key store's passphrase must have at least %d characters", keystore.EnvPassphrase, minPassphrase)
		}
		return p, nil
	}
	if f.PromptPassphrase != nil {
		return f.PromptPassphrase(newStore)
	}
	ctx := context.Background()
	if !newStore {
		p, err := mfa.PromptHidden(ctx, "", "Key store passphrase: ")
		return p, noTerminal(err)
	}
	p, err := mfa.PromptHidden(ctx, "", "New key store passphrase (it encrypts your access keys): ")
	if err != nil {
		return "", noTerminal(err)
	}
	if len(p) < minPassphrase {
		return "", fmt.Errorf("the key store passphrase must have at least %d characters", minPassphrase)
	}
	again, err := mfa.PromptHidden(ctx, "", "Repeat the passphrase: ")
	if err != nil {
		return "", noTerminal(err)
	}
	if again != p {
		return "", errors.New("the two passphrases differ: nothing was stored")
	}
	return p, nil
}

func noTerminal(err error) error {
	if errors.Is(err, mfa.ErrNoTerminal) {
		return keystore.ErrNoPassphrase
	}
	return err
}

// withKeyStore lets cfg resolve profiles whose keys are in the key store:
// the store is opened only when a profile without keys in the files is
// resolved.
func (f *Factory) withKeyStore(cfg *awsconfig.Config) {
	cfg.StoredKeys = func(profile string) (string, bool, error) {
		s, err := f.OpenKeyStore()
		if err != nil {
			return "", false, err
		}
		return s.Lookup(profile)
	}
}

// keySource gives the broker the secrets of stored keys.
type keySource struct{ f *Factory }

func (k keySource) Secret(_ context.Context, profile, accessKeyID string) (string, error) {
	s, err := k.f.OpenKeyStore()
	if err != nil {
		return "", err
	}
	e, err := s.Get(profile)
	if err != nil {
		return "", err
	}
	if e == nil || e.AccessKeyID != accessKeyID {
		return "", fmt.Errorf("the key store no longer holds access key %s for profile %s", accessKeyID, profile)
	}
	return e.SecretAccessKey, nil
}
