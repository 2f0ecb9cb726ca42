package keystore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/sealbox"
)

const (
	fileVersion  = 1
	storeFile    = "keys.json"
	lockFile     = "keys.lock"
	maxStoreSize = 16 << 20
)

// fileStore is the encrypted file backend.
type fileStore struct {
	dir        string
	passphrase func(newStore bool) (string, error)
	deriver    sealbox.Deriver

	mu   sync.Mutex
	pass string // once asked
}

// storeDoc is the file's JSON.
type storeDoc struct {
	Version int                   `json:"version"`
	Keys    map[string]*fileEntry `json:"keys"`
}

type fileEntry struct {
	AccessKeyID     string       `json:"accessKeyId"`
	Added           time.Time    `json:"added"`
	Rotated         time.Time    `json:"rotated,omitzero"`
	RotationStarted time.Time    `json:"rotationStarted,omitzero"`
	Sealed          *sealbox.Box `json:"sealed"`
}

// sealedPayload is what a box holds.
type sealedPayload struct {
	Profile         string    `json:"profile"`
	SecretAccessKey string    `json:"secretAccessKey"`
	Rotation        *Rotation `json:"rotation,omitempty"`
}

func (s *fileStore) path() string { return filepath.Join(s.dir, storeFile) }

func (s *fileStore) Where() string { return "encrypted file " + s.path() }

// read loads the store file; a missing file is an empty store.
func (s *fileStore) read() (*storeDoc, error) {
	f, err := os.Open(s.path())
	if errors.Is(err, fs.ErrNotExist) {
		return &storeDoc{Version: fileVersion, Keys: map[string]*fileEntry{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the key store: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStoreSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading the key store %s: %w", s.path(), err)
	}
	if len(data) > maxStoreSize {
		return nil, fmt.Errorf("%w: %s is larger than 16 MiB", ErrCorrupt, s.path())
	}
	var doc storeDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil || dec.More() {
		return nil, fmt.Errorf("%w: %s is not a key store file (truncated, or not written by awsmfa)", ErrCorrupt, s.path())
	}
	if doc.Version != fileVersion {
		return nil, fmt.Errorf("%w: %s has version %d; this awsmfa reads version %d", ErrCorrupt, s.path(), doc.Version, fileVersion)
	}
	if doc.Keys == nil {
		doc.Keys = map[string]*fileEntry{}
	}
	for p, e := range doc.Keys {
		if e == nil || !ValidAccessKeyID(e.AccessKeyID) || e.Sealed == nil {
			return nil, fmt.Errorf("%w: %s: the entry of profile %q is incomplete", ErrCorrupt, s.path(), p)
		}
	}
	return &doc, nil
}

func (s *fileStore) Lookup(profile string) (string, bool, error) {
	doc, err := s.read()
	if err != nil {
		return "", false, err
	}
	e := doc.Keys[profile]
	if e == nil {
		return "", false, nil
	}
	return e.AccessKeyID, true, nil
}

// getPassphrase asks once per store.
func (s *fileStore) getPassphrase(newStore bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pass != "" {
		return s.pass, nil
	}
	if s.passphrase == nil {
		return "", ErrNoPassphrase
	}
	p, err := s.passphrase(newStore)
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", ErrNoPassphrase
	}
	s.pass = p
	return p, nil
}

// open decrypts an entry's box.
func (s *fileStore) open(profile string, e *fileEntry) (*sealedPayload, error) {
	pass, err := s.getPassphrase(false)
	if err != nil {
		return nil, err
	}
	plain, err := s.deriver.Open(pass, e.Sealed)
	switch {
	case errors.Is(err, sealbox.ErrWrongPassphrase):
		s.forget()
		return nil, ErrWrongPassphrase
	case err != nil:
		return nil, fmt.Errorf("%w: %s: the entry of profile %q: %v", ErrCorrupt, s.path(), profile, err)
	}
	defer clear(plain)
	var p sealedPayload
	if err := json.Unmarshal(plain, &p); err != nil || p.Profile != profile || !ValidSecret(p.SecretAccessKey) {
		return nil, fmt.Errorf("%w: %s: the entry of profile %q does not hold its key", ErrCorrupt, s.path(), profile)
	}
	return &p, nil
}

// forget drops a passphrase that did not open the store, so that a
// retry asks again.
func (s *fileStore) forget() {
	s.mu.Lock()
	s.pass = ""
	s.mu.Unlock()
}

func (s *fileStore) Get(profile string) (*Entry, error) {
	doc, err := s.read()
	if err != nil {
		return nil, err
	}
	e := doc.Keys[profile]
	if e == nil {
		return nil, nil
	}
	p, err := s.open(profile, e)
	if err != nil {
		return nil, err
	}
	return &Entry{Profile: profile, AccessKeyID: e.AccessKeyID, SecretAccessKey: p.SecretAccessKey,
		Added: e.Added, Rotated: e.Rotated, Rotation: p.Rotation}, nil
}

func (s *fileStore) Put(e *Entry) error {
	if err := checkEntry(e); err != nil {
		return err
	}
	return s.update(func(doc *storeDoc) error {
		pass, err := s.checkedPassphrase(doc)
		if err != nil {
			return err
		}
		payload, err := json.Marshal(sealedPayload{Profile: e.Profile, SecretAccessKey: e.SecretAccessKey, Rotation: e.Rotation})
		if err != nil {
			return err
		}
		box, err := s.deriver.Seal(pass, payload)
		clear(payload)
		if err != nil {
			return err
		}
		fe := &fileEntry{AccessKeyID: e.AccessKeyID, Added: e.Added, Rotated: e.Rotated, Sealed: box}
		if e.Rotation != nil {
			fe.RotationStarted = e.Rotation.Started
		}
		doc.Keys[e.Profile] = fe
		return nil
	})
}

// checkedPassphrase is the passphrase, checked against an entry of the
// store when it has one (so that every entry shares one passphrase).
func (s *fileStore) checkedPassphrase(doc *storeDoc) (string, error) {
	names := make([]string, 0, len(doc.Keys))
	for p := range doc.Keys {
		names = append(names, p)
	}
	sort.Strings(names)
	pass, err := s.getPassphrase(len(names) == 0)
	if err != nil {
		return "", err
	}
	if len(names) > 0 {
		if _, err := s.open(names[0], doc.Keys[names[0]]); err != nil {
			return "", err
		}
	}
	return pass, nil
}

func (s *fileStore) Delete(profile string) error {
	return s.update(func(doc *storeDoc) error {
		delete(doc.Keys, profile)
		return nil
	})
}

func (s *fileStore) List() ([]Summary, error) {
	doc, err := s.read()
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(doc.Keys))
	for p, e := range doc.Keys {
		out = append(out, Summary{Profile: p, AccessKeyID: e.AccessKeyID, Added: e.Added, Rotated: e.Rotated, Rotating: !e.RotationStarted.IsZero()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Profile < out[j].Profile })
	return out, nil
}

// update reads, changes and writes the store under its lock. The
// directory is created 0700 (and an existing one tightened to 0700); the
// file is written 0600 through a temporary file renamed over it.
func (s *fileStore) update(change func(*storeDoc) error) error {
	if err := ensurePrivateDir(s.dir); err != nil {
		return err
	}
	lk := flock.New(filepath.Join(s.dir, lockFile))
	if err := lk.Lock(); err != nil {
		return fmt.Errorf("locking the key store %s: %w", s.dir, err)
	}
	defer func() { _ = lk.Unlock() }()
	doc, err := s.read()
	if err != nil {
		return err
	}
	if err := change(doc); err != nil {
		return err
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if err := awsconfig.WriteFileAtomic(s.path(), append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("writing the key store: %w", err)
	}
	return os.Chmod(s.path(), 0o600)
}

// ensurePrivateDir creates dir 0700, or makes an existing one 0700.
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the key store directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("making the key store directory %s private: %w", dir, err)
		}
	}
	return nil
}
