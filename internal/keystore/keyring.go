package keystore

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/99designs/keyring"

	"github.com/awsmfa/awsmfa/internal/keychain"
)

// DefaultKeyringService is the service name of the keychain items.
const DefaultKeyringService = "awsmfa-keys"

// OpenOSKeyring opens the OS keychain for service (internal/keychain).
func OpenOSKeyring(service string) (keyring.Keyring, error) { return keychain.Open(service) }

// OpenPass opens the pass(1) password store (gpg-encrypted files,
// PASSWORD_STORE_DIR or ~/.password-store; dir overrides) through keyring's
// pass backend, running command ("pass" when empty). Items go under the
// folder service/.
func OpenPass(service, dir, command string) (keyring.Keyring, error) {
	return keyring.Open(keyring.Config{
		ServiceName:     service,
		AllowedBackends: []keyring.BackendType{keyring.PassBackend},
		PassDir:         dir,
		PassCmd:         command,
		PassPrefix:      service,
	})
}

// keyringStore keeps one keychain item per profile.
type keyringStore struct {
	kr     keyring.Keyring
	prefix string
	name   string
}

// itemData is an item's JSON.
type itemData struct {
	Version         int       `json:"version"`
	Profile         string    `json:"profile"`
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey"`
	Added           time.Time `json:"added"`
	Rotated         time.Time `json:"rotated,omitzero"`
	Rotation        *Rotation `json:"rotation,omitempty"`
}

func (s *keyringStore) Where() string { return s.name }

func (s *keyringStore) item(profile string) (*itemData, error) {
	it, err := s.kr.Get(s.prefix + profile)
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading profile %s from the OS keychain: %w", profile, err)
	}
	var d itemData
	if err := json.Unmarshal(it.Data, &d); err != nil || d.Version != fileVersion || d.Profile != profile ||
		!ValidAccessKeyID(d.AccessKeyID) || !ValidSecret(d.SecretAccessKey) {
		return nil, fmt.Errorf("%w: the OS keychain item %s%s is not an awsmfa key", ErrCorrupt, s.prefix, profile)
	}
	return &d, nil
}

func (s *keyringStore) Lookup(profile string) (string, bool, error) {
	d, err := s.item(profile)
	if err != nil || d == nil {
		return "", false, err
	}
	return d.AccessKeyID, true, nil
}

func (s *keyringStore) Get(profile string) (*Entry, error) {
	d, err := s.item(profile)
	if err != nil || d == nil {
		return nil, err
	}
	return &Entry{Profile: profile, AccessKeyID: d.AccessKeyID, SecretAccessKey: d.SecretAccessKey, Added: d.Added, Rotated: d.Rotated, Rotation: d.Rotation}, nil
}

func (s *keyringStore) Put(e *Entry) error {
	if err := checkEntry(e); err != nil {
		return err
	}
	data, err := json.Marshal(itemData{Version: fileVersion, Profile: e.Profile, AccessKeyID: e.AccessKeyID, SecretAccessKey: e.SecretAccessKey,
		Added: e.Added, Rotated: e.Rotated, Rotation: e.Rotation})
	if err != nil {
		return err
	}
	err = s.kr.Set(keyring.Item{Key: s.prefix + e.Profile, Data: data, Label: "awsmfa access key " + e.Profile,
		Description: "AWS long-term access key of profile " + e.Profile})
	if err != nil {
		return fmt.Errorf("storing profile %s in the OS keychain: %w", e.Profile, err)
	}
	return nil
}

func (s *keyringStore) Delete(profile string) error {
	if err := s.kr.Remove(s.prefix + profile); err != nil && !errors.Is(err, keyring.ErrKeyNotFound) {
		return fmt.Errorf("deleting profile %s from the OS keychain: %w", profile, err)
	}
	return nil
}

func (s *keyringStore) List() ([]Summary, error) {
	keys, err := s.kr.Keys()
	if err != nil {
		return nil, fmt.Errorf("listing the OS keychain: %w", err)
	}
	var out []Summary
	for _, k := range keys {
		p, ok := strings.CutPrefix(k, s.prefix)
		if !ok || p == "" {
			continue // another application's item
		}
		d, err := s.item(p)
		if err != nil {
			return nil, err
		}
		if d == nil {
			continue
		}
		out = append(out, Summary{Profile: p, AccessKeyID: d.AccessKeyID, Added: d.Added, Rotated: d.Rotated, Rotating: d.Rotation != nil})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Profile < out[j].Profile })
	return out, nil
}
