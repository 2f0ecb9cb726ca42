package store

import (
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"errors"
	"time"
)

// Session kinds: whose temporary credentials these are.
const (
	SessionUser = "user" // sts:GetSessionToken by an IAM user
	SessionRoot = "root" // sts:GetSessionToken by the root user
	SessionRole = "role" // sts:AssumeRole
)

// Session is a set of temporary credentials issued by the lab's STS. The
// session token is not stored, only its SHA-256.
type Session struct {
	AccessKeyID string
	Secret      string
	TokenHash   [32]byte
	Kind        string
	// PrincipalID is the user's unique id, the account id (root) or the
	// role's unique id.
	PrincipalID string
	// SessionName is the role session name.
	SessionName string
	// Credential names the internal/credctx row describing the session's
	// request context (session-token, session-token-mfa, assume-role, ...).
	Credential string
	Issued     time.Time
	Expires    time.Time
	// MFATime is when MFA was verified for the context the session
	// carries; zero when aws:MultiFactorAuthAge is absent.
	MFATime time.Time
	// SessionPolicy is the inline session policy passed to AssumeRole.
	SessionPolicy string
	// Chained marks a role session created with role-session credentials.
	Chained        bool
	SourceKey      string
	SourceIdentity string
}

// HashToken returns the digest the store keeps for a session token.
func HashToken(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// TokenMatches compares a presented token with the session's, in constant
// time.
func (s *Session) TokenMatches(token string) bool {
	h := HashToken(token)
	return subtle.ConstantTimeCompare(h[:], s.TokenHash[:]) == 1
}

// Expired reports whether the session has expired at t.
func (s *Session) Expired(t time.Time) bool { return !t.Before(s.Expires) }

// PutSession records issued temporary credentials.
func (s *Store) PutSession(sess Session) error {
	var mfa any
	if !sess.MFATime.IsZero() {
		mfa = sess.MFATime.Unix()
	}
	chained := 0
	if sess.Chained {
		chained = 1
	}
	return s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO sessions(access_key_id, secret, token_hash, kind, principal_id, session_name, credential, issued, expires, mfa_time, session_policy, chained, source_key, source_identity)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sess.AccessKeyID, sess.Secret, sess.TokenHash[:], sess.Kind, sess.PrincipalID, sess.SessionName, sess.Credential,
			sess.Issued.Unix(), sess.Expires.Unix(), mfa, sess.SessionPolicy, chained, sess.SourceKey, sess.SourceIdentity)
		return err
	})
}

// GetSession returns the session of a temporary access key id, or
// ErrNotFound.
func (s *Store) GetSession(accessKeyID string) (Session, error) {
	var sess Session
	var hash []byte
	var issued, expires int64
	var mfa sql.NullInt64
	var chained int
	err := s.db.QueryRow(`SELECT access_key_id, secret, token_hash, kind, principal_id, session_name, credential, issued, expires, mfa_time, session_policy, chained, source_key, source_identity
		FROM sessions WHERE access_key_id = ?`, accessKeyID).
		Scan(&sess.AccessKeyID, &sess.Secret, &hash, &sess.Kind, &sess.PrincipalID, &sess.SessionName, &sess.Credential,
			&issued, &expires, &mfa, &sess.SessionPolicy, &chained, &sess.SourceKey, &sess.SourceIdentity)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, err
	}
	copy(sess.TokenHash[:], hash)
	sess.Issued = time.Unix(issued, 0).UTC()
	sess.Expires = time.Unix(expires, 0).UTC()
	sess.MFATime = fromUnix(mfa)
	sess.Chained = chained != 0
	return sess, nil
}

// DeleteExpiredSessions removes sessions that expired before t and
// returns how many.
func (s *Store) DeleteExpiredSessions(t time.Time) (int, error) {
	var n int64
	err := s.write(func(tx *sql.Tx) error {
		res, err := tx.Exec(`DELETE FROM sessions WHERE expires < ?`, t.Unix())
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}
