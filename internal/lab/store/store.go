// Package store keeps the state of an awsmfa lab account in SQLite
// (modernc.org/sqlite, pure Go): users, access keys, groups, managed and
// inline policies, roles, virtual MFA devices and issued sessions.
//
// The schema is created by versioned migrations recorded in the
// schema_migrations table. Every function that changes IAM entities
// validates its input as IAM does and reports problems as *Error values
// carrying IAM's error code, so the lab's IAM handlers and code that seeds an
// account directly share one path.
//
// A Store is safe for concurrent use. Writes are serialized inside the
// process; a file database uses WAL journaling and a busy timeout so another
// process (awsmfa lab totp) can read it while a server runs.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DefaultAccountID is the account a new state belongs to.
const DefaultAccountID = "123456789012"

// Store is an open lab state.
type Store struct {
	db      *sql.DB
	account string
	path    string

	// wmu serializes writers within the process.
	wmu sync.Mutex
	// gen counts changes to IAM entities (not sessions or MFA counters), so
	// callers can cache what they derive from them.
	gen atomic.Uint64

	clock atomic.Pointer[func() time.Time]

	// warnings describe permissions Open tightened.
	warnings []string
}

// Open opens (creating when missing) the state file at path and applies
// pending migrations. The file and SQLite's files beside it are made 0600
// (missing directories 0700) whatever the umask; an existing file that
// others could read is tightened, and Warnings says so.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: empty state file path")
	}
	warnings, err := prepareStateFile(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	// WAL lets readers in other processes run while this one writes; the
	// busy timeout makes them wait instead of failing.
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	s, err := open(dsn, path)
	if err != nil {
		return nil, err
	}
	// SQLite gives -wal and -shm the database file's mode; check that it
	// did (the migrations above have created them).
	more, err := tightenSidecars(path)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	s.warnings = append(warnings, more...)
	return s, nil
}

// Warnings returns what Open changed that the user should know: files of
// the state whose permissions it restricted.
func (s *Store) Warnings() []string { return s.warnings }

// OpenMemory opens an empty in-memory state (awsmfa lab serve --ephemeral).
func OpenMemory() (*Store, error) {
	return open("file::memory:?_pragma=foreign_keys(1)&_txlock=immediate", "")
}

func open(dsn, path string) (*Store, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	// One connection: an in-memory database exists per connection, and a
	// single writer connection never sees SQLITE_BUSY from itself.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	s := &Store{db: db, path: path}
	if err := s.migrate(context.Background()); err != nil {
		db.Close()
		if path != "" {
			return nil, fmt.Errorf("store: %s: %w", path, err)
		}
		return nil, fmt.Errorf("store: %w", err)
	}
	acct, err := s.meta("account_id")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	s.account = acct
	s.gen.Store(1)
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Path returns the state file path ("" for an in-memory state).
func (s *Store) Path() string { return s.path }

// AccountID returns the account's 12-digit id.
func (s *Store) AccountID() string { return s.account }

// Generation changes whenever users, keys, groups, policies, roles or MFA
// device assignments change. Sessions and MFA counters do not change it.
func (s *Store) Generation() uint64 { return s.gen.Load() }

// SetClock replaces the clock used for creation dates and MFA codes
// (default time.Now); nil restores time.Now.
func (s *Store) SetClock(now func() time.Time) {
	if now == nil {
		s.clock.Store(nil)
		return
	}
	s.clock.Store(&now)
}

// Now returns the store's current time, truncated to seconds as IAM
// reports dates.
func (s *Store) Now() time.Time {
	if f := s.clock.Load(); f != nil {
		return (*f)().UTC()
	}
	return time.Now().UTC()
}

func (s *Store) changed() { s.gen.Add(1) }

// write runs fn in a transaction, serialized with other writers.
func (s *Store) write(fn func(tx *sql.Tx) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.db.Begin()
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

func (s *Store) meta(key string) (string, error) {
	var v string
	err := s.db.QueryRow(`SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	return v, err
}

// fromUnix converts a stored time back.
func fromUnix(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0).UTC()
}

// Created returns when the state (and so the account) was created.
func (s *Store) Created() time.Time {
	v, err := s.meta("created")
	if err != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}
	}
	return t
}
