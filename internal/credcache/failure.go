package credcache

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Failure is a failed attempt to get a key's credentials, recorded by the
// process that held the key's lock so that the processes waiting for that
// lock fail the same way instead of each asking for an MFA code and
// calling STS again. It holds the error as the broker explains it (which
// never contains secrets) and who failed when: no code, key or token.
type Failure struct {
	// At is when the attempt failed.
	At time.Time `json:"at"`
	// PID is the process that made the attempt.
	PID     int    `json:"pid"`
	Code    string `json:"code"`
	Op      string `json:"op,omitempty"`
	Profile string `json:"profile,omitempty"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// FailureLog is implemented by the caches Open returns: one Failure per
// key, kept next to the key's lock file (Dir/locks/NAME.failed, 0600).
// Callers record and read failures while holding the key's lock.
type FailureLog interface {
	// RecordFailure replaces the key's failure.
	RecordFailure(key string, f Failure) error
	// LastFailure returns the key's failure; (nil, nil) when there is none
	// or the record is unusable (it is advisory).
	LastFailure(key string) (*Failure, error)
	// ClearFailure removes the key's failure; a missing one is not an
	// error.
	ClearFailure(key string) error
}

// failureVersion is the version of the failure record's format.
const failureVersion = 1

// maxFailureSize bounds a failure record read back (messages are short).
const maxFailureSize = 64 << 10

type failureRecord struct {
	Version int     `json:"version"`
	Key     string  `json:"key"`
	Failure Failure `json:"failure"`
}

func (l *lockDir) failurePath(key string) string {
	return filepath.Join(l.dir, fileName(key)+".failed")
}

func (l *lockDir) recordFailure(key string, f Failure) error {
	if key == "" {
		return errors.New("credential cache: empty key")
	}
	data, err := json.Marshal(failureRecord{Version: failureVersion, Key: key, Failure: f})
	if err != nil {
		return err
	}
	if err := ensureDir(l.dir); err != nil {
		return err
	}
	return writeAtomic(l.dir, fileName(key)+".failed", data)
}

func (l *lockDir) lastFailure(key string) (*Failure, error) {
	if key == "" {
		return nil, errors.New("credential cache: empty key")
	}
	f, err := os.Open(l.failurePath(key))
	if err != nil {
		if absent(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("cannot read the failure record of %q: %w", key, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFailureSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the failure record of %q: %w", key, err)
	}
	var rec failureRecord
	if len(data) > maxFailureSize || json.Unmarshal(data, &rec) != nil ||
		rec.Version != failureVersion || rec.Key != key || rec.Failure.At.IsZero() || rec.Failure.Message == "" {
		return nil, nil
	}
	return &rec.Failure, nil
}

func (l *lockDir) clearFailure(key string) error {
	if key == "" {
		return errors.New("credential cache: empty key")
	}
	if err := os.Remove(l.failurePath(key)); err != nil && !errors.Is(err, fs.ErrNotExist) && !absent(err) {
		return fmt.Errorf("cannot remove the failure record of %q: %w", key, err)
	}
	return nil
}

// RecordFailure implements FailureLog.
func (c *fileCache) RecordFailure(key string, f Failure) error { return c.locks.recordFailure(key, f) }

// LastFailure implements FailureLog.
func (c *fileCache) LastFailure(key string) (*Failure, error) { return c.locks.lastFailure(key) }

// ClearFailure implements FailureLog.
func (c *fileCache) ClearFailure(key string) error { return c.locks.clearFailure(key) }

// RecordFailure implements FailureLog.
func (c *keyringCache) RecordFailure(key string, f Failure) error {
	return c.locks.recordFailure(key, f)
}

// LastFailure implements FailureLog.
func (c *keyringCache) LastFailure(key string) (*Failure, error) { return c.locks.lastFailure(key) }

// ClearFailure implements FailureLog.
func (c *keyringCache) ClearFailure(key string) error { return c.locks.clearFailure(key) }
