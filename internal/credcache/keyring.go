package credcache

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/99designs/keyring"

	"github.com/awsmfa/awsmfa/internal/keychain"
)

// openKeyringFunc opens the OS keychain; tests replace it.
var openKeyringFunc = keychain.Open

// openKeyring opens the OS keychain and checks that it answers, so that
// "auto" falls back to files when, say, no Secret Service runs. The probe
// looks up one (absent) item rather than listing every key: listing costs
// one round trip per item of the collection on Secret Service, and Open is
// on the path of every credential_process cache hit.
func openKeyring(service string, locks *lockDir) (*keyringCache, error) {
	kr, err := openKeyringFunc(service)
	if err != nil {
		return nil, keychain.OpenError(err)
	}
	c := &keyringCache{kr: kr, locks: locks, prefix: service + ":"}
	if err := keychain.Probe(kr, c.prefix+"probe"); err != nil {
		return nil, err
	}
	return c, nil
}

// keyringCache stores entries as keychain items named prefix+key (the
// data is the entry's JSON, never encrypted by awsmfa: the keychain
// protects it). Locks live in the cache directory like the file backend's.
type keyringCache struct {
	kr     keyring.Keyring
	locks  *lockDir
	prefix string
}

func (c *keyringCache) Get(key string) (*Credentials, error) {
	if key == "" {
		return nil, errors.New("credential cache: empty key")
	}
	it, err := c.kr.Get(c.prefix + key)
	if err != nil {
		if errors.Is(err, keyring.ErrKeyNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("cannot read the credential cache entry %q from the OS keychain: %w", key, err)
	}
	creds, st, reason := decodeEntry(it.Data, key, "", nil)
	switch st {
	case entryOK:
		return creds, nil
	case entryLocked:
		return nil, &unreadableError{key: key, reason: reason}
	}
	return nil, &corruptError{what: fmt.Sprintf("%q in the OS keychain", key), reason: reason}
}

func (c *keyringCache) Put(key string, creds *Credentials) error {
	if key == "" {
		return errors.New("credential cache: empty key")
	}
	data, err := encodeEntry(key, creds, "", nil)
	if err != nil {
		return fmt.Errorf("credential cache: cannot encode the entry %q: %w", key, err)
	}
	err = c.kr.Set(keyring.Item{
		Key:         c.prefix + key,
		Data:        data,
		Label:       "awsmfa " + key,
		Description: "awsmfa temporary AWS credentials",
	})
	if err != nil {
		return fmt.Errorf("cannot store the credential cache entry %q in the OS keychain: %w", key, err)
	}
	return nil
}

func (c *keyringCache) Delete(key string) error {
	if key == "" {
		return errors.New("credential cache: empty key")
	}
	if err := c.kr.Remove(c.prefix + key); err != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
		return fmt.Errorf("cannot delete the credential cache entry %q from the OS keychain: %w", key, err)
	}
	return nil
}

func (c *keyringCache) List() ([]Entry, error) {
	keys, err := c.kr.Keys()
	if err != nil {
		return nil, fmt.Errorf("cannot list the OS keychain: %w", err)
	}
	var out []Entry
	for _, k := range keys {
		k, ok := strings.CutPrefix(k, c.prefix)
		if !ok || k == "" {
			continue // another application's item
		}
		creds, err := c.Get(k)
		if err != nil || creds == nil {
			continue
		}
		out = append(out, Entry{Key: k, Credentials: creds})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (c *keyringCache) Lock(ctx context.Context, key string) (func(), error) {
	return c.locks.lock(ctx, key)
}
