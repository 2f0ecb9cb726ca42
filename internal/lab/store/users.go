package store

import (
	"database/sql"
	"errors"
	"time"
)

// User is an IAM user.
type User struct {
	Name    string
	ID      string
	Path    string
	ARN     string
	Created time.Time
}

// AccessKey is a long-term access key. UserName is empty for the root
// user's keys.
type AccessKey struct {
	ID       string
	Secret   string
	UserName string
	UserID   string
	Status   string // Active or Inactive
	Created  time.Time

	LastUsed        time.Time
	LastUsedService string
	LastUsedRegion  string
}

// Root reports whether the key belongs to the account's root user.
func (k *AccessKey) Root() bool { return k.UserID == "" }

// Access key statuses.
const (
	StatusActive   = "Active"
	StatusInactive = "Inactive"
)

// MaxAccessKeysPerUser is IAM's quota.
const MaxAccessKeysPerUser = 2

// ARN builds an IAM ARN of this account: arn:aws:iam::ACCOUNT:TYPE{path}{name}.
func (s *Store) ARN(typ, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + s.account + ":" + typ + path + name
}

// RootARN returns arn:aws:iam::ACCOUNT:root.
func (s *Store) RootARN() string { return "arn:aws:iam::" + s.account + ":root" }

func (s *Store) userFrom(id, name, path string, created int64) User {
	return User{Name: name, ID: id, Path: path, ARN: s.ARN("user", path, name), Created: time.Unix(created, 0).UTC()}
}

// CreateUser creates an IAM user with its tags (iam:CreateUser); with an
// invalid tag nothing is created.
func (s *Store) CreateUser(name, path string, tags ...Tag) (User, error) {
	id, path, created, err := userKind.create(s, name, path, TaggedUser, tags)
	if err != nil {
		return User{}, err
	}
	return s.userFrom(id, name, path, created), nil
}

// GetUser returns the user named name.
func (s *Store) GetUser(name string) (User, error) { return s.getUser("name", name) }

// GetUserByID returns the user with the unique id.
func (s *Store) GetUserByID(id string) (User, error) { return s.getUser("id", id) }

func (s *Store) getUser(column, value string) (User, error) {
	id, n, path, created, err := userKind.get(s.db, column, value)
	if err != nil {
		return User{}, err
	}
	return s.userFrom(id, n, path, created), nil
}

func userID(q queryRower, name string) (string, error) { return userKind.id(q, name) }

// ListUsers returns the users whose path starts with pathPrefix ("" or
// "/" for all), ordered by name.
func (s *Store) ListUsers(pathPrefix string) ([]User, error) {
	var out []User
	err := scanEntities(s.db, pathPrefix, `SELECT id, name, path, created FROM users ORDER BY name COLLATE BINARY`, nil, func(id, n, path string, created int64) {
		out = append(out, s.userFrom(id, n, path, created))
	})
	return out, err
}

// CreateAccessKey creates an access key for the user (iam:CreateAccessKey).
func (s *Store) CreateAccessKey(userName string) (AccessKey, error) {
	if err := checkName(userName, "userName", 128); err != nil {
		return AccessKey{}, err
	}
	now := s.Now()
	k := AccessKey{ID: NewAccessKeyID(PrefixAccessKey), Secret: NewSecretAccessKey(), Status: StatusActive, Created: now.Truncate(time.Second)}
	err := s.write(func(tx *sql.Tx) error {
		var name string
		if err := tx.QueryRow(`SELECT id, name FROM users WHERE name = ?`, userName).Scan(&k.UserID, &name); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errorf(CodeNoSuchEntity, "The user with name %s cannot be found.", userName)
			}
			return err
		}
		k.UserName = name
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM access_keys WHERE user_id = ?`, k.UserID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxAccessKeysPerUser {
			return errorf(CodeLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: %d", MaxAccessKeysPerUser)
		}
		_, err := tx.Exec(`INSERT INTO access_keys(id, user_id, secret, status, created) VALUES (?, ?, ?, ?, ?)`,
			k.ID, k.UserID, k.Secret, k.Status, now.Unix())
		return err
	})
	if err != nil {
		return AccessKey{}, err
	}
	s.changed()
	return k, nil
}

// CreateRootAccessKey creates an access key for the account's root user.
func (s *Store) CreateRootAccessKey() (AccessKey, error) {
	now := s.Now()
	k := AccessKey{ID: NewAccessKeyID(PrefixAccessKey), Secret: NewSecretAccessKey(), Status: StatusActive, Created: now.Truncate(time.Second)}
	err := s.write(func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM access_keys WHERE user_id IS NULL`).Scan(&n); err != nil {
			return err
		}
		if n >= MaxAccessKeysPerUser {
			return errorf(CodeLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: %d", MaxAccessKeysPerUser)
		}
		_, err := tx.Exec(`INSERT INTO access_keys(id, user_id, secret, status, created) VALUES (?, NULL, ?, ?, ?)`,
			k.ID, k.Secret, k.Status, now.Unix())
		return err
	})
	if err != nil {
		return AccessKey{}, err
	}
	s.changed()
	return k, nil
}

const accessKeyCols = `k.id, k.secret, k.status, k.created, k.last_used, COALESCE(k.last_used_service, ''), COALESCE(k.last_used_region, ''), COALESCE(u.id, ''), COALESCE(u.name, '')`

func scanAccessKey(sc interface{ Scan(...any) error }) (AccessKey, error) {
	var k AccessKey
	var created int64
	var lastUsed sql.NullInt64
	if err := sc.Scan(&k.ID, &k.Secret, &k.Status, &created, &lastUsed, &k.LastUsedService, &k.LastUsedRegion, &k.UserID, &k.UserName); err != nil {
		return AccessKey{}, err
	}
	k.Created = time.Unix(created, 0).UTC()
	k.LastUsed = fromUnix(lastUsed)
	return k, nil
}

// LookupAccessKey returns the long-term key with the id, or ErrNotFound.
func (s *Store) LookupAccessKey(id string) (AccessKey, error) {
	k, err := scanAccessKey(s.db.QueryRow(`SELECT `+accessKeyCols+` FROM access_keys k LEFT JOIN users u ON u.id = k.user_id WHERE k.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return AccessKey{}, ErrNotFound
	}
	return k, err
}

// ListAccessKeys returns the user's keys ("" and root: the root user's),
// oldest first.
func (s *Store) ListAccessKeys(userName string, root bool) ([]AccessKey, error) {
	var rows *sql.Rows
	var err error
	if root {
		rows, err = s.db.Query(`SELECT ` + accessKeyCols + ` FROM access_keys k LEFT JOIN users u ON u.id = k.user_id WHERE k.user_id IS NULL ORDER BY k.created, k.id`)
	} else {
		var id string
		if id, err = userID(s.db, userName); err != nil {
			return nil, err
		}
		rows, err = s.db.Query(`SELECT `+accessKeyCols+` FROM access_keys k LEFT JOIN users u ON u.id = k.user_id WHERE k.user_id = ? ORDER BY k.created, k.id`, id)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AccessKey
	for rows.Next() {
		k, err := scanAccessKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// DeleteAccessKey deletes a key of the user (root: of the root user).
func (s *Store) DeleteAccessKey(userName string, root bool, keyID string) error {
	if err := CheckAccessKeyID(keyID); err != nil {
		return err
	}
	return s.changeAccessKey(userName, root, keyID, `DELETE FROM access_keys WHERE id = ?`)
}

// changeAccessKey runs query, which ends in "WHERE id = ?", on the key
// keyID of the user (root: of the root user): the owner's condition is
// added; args are query's parameters before the key ID.
func (s *Store) changeAccessKey(userName string, root bool, keyID, query string, args ...any) error {
	err := s.write(func(tx *sql.Tx) error {
		q, qargs := query+` AND user_id IS NULL`, append(args[:len(args):len(args)], keyID)
		if !root {
			id, err := userID(tx, userName)
			if err != nil {
				return err
			}
			q, qargs = query+` AND user_id = ?`, append(qargs, id)
		}
		res, err := tx.Exec(q, qargs...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errorf(CodeNoSuchEntity, "The Access Key with id %s cannot be found.", keyID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// TouchAccessKey records the key's last use. It does not change the
// generation.
func (s *Store) TouchAccessKey(id string, t time.Time, service, region string) error {
	return s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE access_keys SET last_used = ?, last_used_service = ?, last_used_region = ? WHERE id = ?`, t.Unix(), service, region, id)
		return err
	})
}

// CheckAccessKeyID validates an AccessKeyId parameter (accessKeyIdType:
// 16 to 128 characters of [\w]+).
func CheckAccessKeyID(keyID string) error {
	if keyID == "" {
		return missing("accessKeyId")
	}
	if len(keyID) < 16 || len(keyID) > 128 || !reAccessKey().MatchString(keyID) {
		return constraint(keyID, "accessKeyId", `must satisfy regular expression pattern: [\w]+`)
	}
	return nil
}

// CheckAccessKeyStatus validates a Status parameter (statusType). IAM's
// model also lists Expired, which the lab does not implement: it refuses
// it rather than guess what IAM does with it.
func CheckAccessKeyStatus(status string) error {
	switch status {
	case StatusActive, StatusInactive:
		return nil
	case "":
		return missing("status")
	case "Expired":
		return errorf(CodeValidationError, "The awsmfa lab does not implement the access key status Expired; use Active or Inactive.")
	}
	return constraint(status, "status", "must satisfy enum value set: [Active, Expired, Inactive]")
}

// UpdateAccessKey sets the status of a key of the user (root: of the root
// user) to Active or Inactive (iam:UpdateAccessKey). An Inactive key no
// longer authenticates requests. It changes the generation, so cached
// keys are looked up again.
func (s *Store) UpdateAccessKey(userName string, root bool, keyID, status string) error {
	if err := CheckAccessKeyID(keyID); err != nil {
		return err
	}
	if err := CheckAccessKeyStatus(status); err != nil {
		return err
	}
	return s.changeAccessKey(userName, root, keyID, `UPDATE access_keys SET status = ? WHERE id = ?`, status)
}
