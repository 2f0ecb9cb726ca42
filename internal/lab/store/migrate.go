package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migration is one schema change. Versions are applied in order, each in
// its own transaction, and recorded in schema_migrations; a migration once
// released is never edited, only followed by a new one.
type migration struct {
	version int
	name    string
	sql     string
	// after runs in the same transaction once sql has run.
	after func(tx *sql.Tx) error
}

var migrations = []migration{
	{version: 1, name: "initial schema", sql: `
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE users (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL COLLATE NOCASE UNIQUE,
	path         TEXT NOT NULL,
	created      INTEGER NOT NULL
);
CREATE TABLE access_keys (
	id                TEXT PRIMARY KEY,
	user_id           TEXT REFERENCES users(id) ON DELETE CASCADE, -- NULL: the root user
	secret            TEXT NOT NULL,
	status            TEXT NOT NULL,
	created           INTEGER NOT NULL,
	last_used         INTEGER,
	last_used_service TEXT,
	last_used_region  TEXT
);
CREATE INDEX access_keys_user ON access_keys(user_id);
CREATE TABLE groups (
	id      TEXT PRIMARY KEY,
	name    TEXT NOT NULL COLLATE NOCASE UNIQUE,
	path    TEXT NOT NULL,
	created INTEGER NOT NULL
);
CREATE TABLE group_members (
	group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
	user_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	added    INTEGER NOT NULL,
	PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id);
CREATE TABLE roles (
	id               TEXT PRIMARY KEY,
	name             TEXT NOT NULL COLLATE NOCASE UNIQUE,
	path             TEXT NOT NULL,
	trust_policy     TEXT NOT NULL,
	description      TEXT NOT NULL DEFAULT '',
	max_session      INTEGER NOT NULL,
	created          INTEGER NOT NULL,
	last_used        INTEGER,
	last_used_region TEXT
);
CREATE TABLE policies (
	arn             TEXT PRIMARY KEY,
	id              TEXT NOT NULL UNIQUE,
	name            TEXT NOT NULL,
	path            TEXT NOT NULL,
	description     TEXT NOT NULL DEFAULT '',
	default_version TEXT NOT NULL,
	next_version    INTEGER NOT NULL,
	created         INTEGER NOT NULL,
	updated         INTEGER NOT NULL,
	aws_managed     INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX policies_customer_name ON policies(name COLLATE NOCASE) WHERE aws_managed = 0;
CREATE TABLE policy_versions (
	policy_arn TEXT NOT NULL REFERENCES policies(arn) ON DELETE CASCADE,
	version_id TEXT NOT NULL,
	document   TEXT NOT NULL,
	created    INTEGER NOT NULL,
	PRIMARY KEY (policy_arn, version_id)
);
CREATE TABLE attachments (
	entity_type TEXT NOT NULL CHECK (entity_type IN ('user', 'group', 'role')),
	entity_id   TEXT NOT NULL,
	policy_arn  TEXT NOT NULL REFERENCES policies(arn),
	attached    INTEGER NOT NULL,
	PRIMARY KEY (entity_type, entity_id, policy_arn)
);
CREATE INDEX attachments_policy ON attachments(policy_arn);
CREATE TABLE inline_policies (
	entity_type TEXT NOT NULL CHECK (entity_type IN ('user', 'group', 'role')),
	entity_id   TEXT NOT NULL,
	name        TEXT NOT NULL COLLATE NOCASE,
	document    TEXT NOT NULL,
	PRIMARY KEY (entity_type, entity_id, name)
);
CREATE TABLE mfa_devices (
	serial       TEXT PRIMARY KEY,
	name         TEXT NOT NULL,
	path         TEXT NOT NULL,
	seed         TEXT NOT NULL, -- base32, as Base32StringSeed
	user_id      TEXT REFERENCES users(id) ON DELETE SET NULL,
	enabled      INTEGER,
	last_counter INTEGER,       -- highest TOTP counter accepted; a code is never accepted twice
	created      INTEGER NOT NULL
);
CREATE INDEX mfa_devices_user ON mfa_devices(user_id);
CREATE TABLE sessions (
	access_key_id  TEXT PRIMARY KEY,
	secret         TEXT NOT NULL,
	token_hash     BLOB NOT NULL, -- SHA-256 of the session token; the token itself is not kept
	kind           TEXT NOT NULL CHECK (kind IN ('user', 'root', 'role')),
	principal_id   TEXT NOT NULL, -- user id, account id or role id
	session_name   TEXT NOT NULL DEFAULT '',
	credential     TEXT NOT NULL, -- internal/credctx row name
	issued         INTEGER NOT NULL,
	expires        INTEGER NOT NULL,
	mfa_time       INTEGER,       -- when MFA was verified, if the session carries MFA
	session_policy TEXT NOT NULL DEFAULT '',
	chained        INTEGER NOT NULL DEFAULT 0,
	source_key     TEXT NOT NULL DEFAULT '',
	source_identity TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_expires ON sessions(expires);
CREATE TABLE credential_report (
	id        INTEGER PRIMARY KEY CHECK (id = 1),
	generated INTEGER NOT NULL,
	content   BLOB NOT NULL
);
`, after: func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO meta(key, value) VALUES ('account_id', ?), ('created', ?)`,
			DefaultAccountID, time.Now().UTC().Format(time.RFC3339))
		return err
	}},
	{version: 2, name: "AWS managed policies", after: insertAWSManagedPolicies(2)},
	{version: 3, name: "tags", sql: `
CREATE TABLE tags (
	resource_type TEXT NOT NULL CHECK (resource_type IN ('user', 'role', 'policy', 'mfa')),
	resource_id   TEXT NOT NULL, -- user or role id, policy ARN, MFA serial number
	key           TEXT NOT NULL COLLATE NOCASE,
	value         TEXT NOT NULL,
	PRIMARY KEY (resource_type, resource_id, key)
);
-- A deleted resource takes its tags along.
CREATE TRIGGER users_delete_tags AFTER DELETE ON users BEGIN
	DELETE FROM tags WHERE resource_type = 'user' AND resource_id = OLD.id;
END;
CREATE TRIGGER roles_delete_tags AFTER DELETE ON roles BEGIN
	DELETE FROM tags WHERE resource_type = 'role' AND resource_id = OLD.id;
END;
CREATE TRIGGER policies_delete_tags AFTER DELETE ON policies BEGIN
	DELETE FROM tags WHERE resource_type = 'policy' AND resource_id = OLD.arn;
END;
CREATE TRIGGER mfa_devices_delete_tags AFTER DELETE ON mfa_devices BEGIN
	DELETE FROM tags WHERE resource_type = 'mfa' AND resource_id = OLD.serial;
END;
`},
	{version: 4, name: "login profiles", sql: `
-- A user's console password (iam:CreateLoginProfile). The password itself
-- is not kept: the lab has no console to sign in to.
CREATE TABLE login_profiles (
	user_id        TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	created        INTEGER NOT NULL,
	reset_required INTEGER NOT NULL DEFAULT 0,
	last_used      INTEGER
);
`},
	{version: 5, name: "PowerUserAccess", after: insertAWSManagedPolicies(5)},
}

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

func (s *Store) migrate(ctx context.Context) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name    TEXT NOT NULL,
		applied TEXT NOT NULL
	)`); err != nil {
		return err
	}
	var current int
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	if current > SchemaVersion() {
		return fmt.Errorf("schema version %d is newer than this awsmfa understands (%d)", current, SchemaVersion())
	}
	for _, m := range migrations {
		if m.version <= current {
			continue
		}
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if m.sql != "" {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
			}
		}
		if m.after != nil {
			if err := m.after(tx); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied) VALUES (?, ?, ?)`,
			m.version, m.name, time.Now().UTC().Format(time.RFC3339)); err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// AppliedMigrations returns the versions recorded in schema_migrations.
func (s *Store) AppliedMigrations() ([]int, error) {
	rows, err := s.db.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
