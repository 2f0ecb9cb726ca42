package store

import (
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Group is an IAM group.
type Group struct {
	Name    string
	ID      string
	Path    string
	ARN     string
	Created time.Time
}

func (s *Store) groupFrom(id, name, path string, created int64) Group {
	return Group{Name: name, ID: id, Path: path, ARN: s.ARN("group", path, name), Created: time.Unix(created, 0).UTC()}
}

// CreateGroup creates a group (iam:CreateGroup).
func (s *Store) CreateGroup(name, path string) (Group, error) {
	if err := checkName(name, "groupName", 128); err != nil {
		return Group{}, err
	}
	path, err := normPath(path)
	if err != nil {
		return Group{}, err
	}
	now := s.Now()
	g := s.groupFrom(newEntityID(PrefixGroup), name, path, now.Unix())
	err = s.write(func(tx *sql.Tx) error {
		if exists(tx, `SELECT 1 FROM groups WHERE name = ?`, name) {
			return errorf(CodeEntityAlreadyExists, "Group with name %s already exists.", name)
		}
		_, err := tx.Exec(`INSERT INTO groups(id, name, path, created) VALUES (?, ?, ?, ?)`, g.ID, name, path, now.Unix())
		return err
	})
	if err != nil {
		return Group{}, err
	}
	s.changed()
	return g, nil
}

// GetGroup returns the group named name.
func (s *Store) GetGroup(name string) (Group, error) {
	var id, n, path string
	var created int64
	err := s.db.QueryRow(`SELECT id, name, path, created FROM groups WHERE name = ?`, name).Scan(&id, &n, &path, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Group{}, errorf(CodeNoSuchEntity, "The group with name %s cannot be found.", name)
	}
	if err != nil {
		return Group{}, err
	}
	return s.groupFrom(id, n, path, created), nil
}

func groupID(q interface {
	QueryRow(string, ...any) *sql.Row
}, name string) (string, error) {
	var id string
	if err := q.QueryRow(`SELECT id FROM groups WHERE name = ?`, name).Scan(&id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", errorf(CodeNoSuchEntity, "The group with name %s cannot be found.", name)
		}
		return "", err
	}
	return id, nil
}

// ListGroups returns the groups whose path starts with pathPrefix.
func (s *Store) ListGroups(pathPrefix string) ([]Group, error) {
	return s.queryGroups(pathPrefix, `SELECT id, name, path, created FROM groups ORDER BY name COLLATE BINARY`)
}

func (s *Store) queryGroups(pathPrefix, q string, args ...any) ([]Group, error) {
	rows, err := s.db.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var id, n, path string
		var created int64
		if err := rows.Scan(&id, &n, &path, &created); err != nil {
			return nil, err
		}
		if pathPrefix != "" && !strings.HasPrefix(path, pathPrefix) {
			continue
		}
		out = append(out, s.groupFrom(id, n, path, created))
	}
	return out, rows.Err()
}

// AddUserToGroup adds a user to a group (iam:AddUserToGroup); adding a
// member again changes nothing.
func (s *Store) AddUserToGroup(groupName, userName string) error {
	if err := checkName(groupName, "groupName", 128); err != nil {
		return err
	}
	if err := checkName(userName, "userName", 64); err != nil {
		return err
	}
	err := s.write(func(tx *sql.Tx) error {
		gid, err := groupID(tx, groupName)
		if err != nil {
			return err
		}
		uid, err := userID(tx, userName)
		if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT OR IGNORE INTO group_members(group_id, user_id, added) VALUES (?, ?, ?)`, gid, uid, s.Now().Unix())
		return err
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// ListGroupsForUser returns the user's groups, ordered by name.
func (s *Store) ListGroupsForUser(userName string) ([]Group, error) {
	uid, err := userID(s.db, userName)
	if err != nil {
		return nil, err
	}
	return s.queryGroups("", `SELECT g.id, g.name, g.path, g.created FROM groups g JOIN group_members m ON m.group_id = g.id WHERE m.user_id = ? ORDER BY g.name COLLATE BINARY`, uid)
}

// ListGroupMembers returns the group's users, ordered by name.
func (s *Store) ListGroupMembers(groupName string) ([]User, error) {
	gid, err := groupID(s.db, groupName)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(`SELECT u.id, u.name, u.path, u.created FROM users u JOIN group_members m ON m.user_id = u.id WHERE m.group_id = ? ORDER BY u.name COLLATE BINARY`, gid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var id, n, path string
		var created int64
		if err := rows.Scan(&id, &n, &path, &created); err != nil {
			return nil, err
		}
		out = append(out, s.userFrom(id, n, path, created))
	}
	return out, rows.Err()
}
