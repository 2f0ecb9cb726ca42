package store

import (
	"database/sql"
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
	id, path, created, err := groupKind.create(s, name, path, "", nil)
	if err != nil {
		return Group{}, err
	}
	return s.groupFrom(id, name, path, created), nil
}

// GetGroup returns the group named name.
func (s *Store) GetGroup(name string) (Group, error) {
	id, n, path, created, err := groupKind.get(s.db, "name", name)
	if err != nil {
		return Group{}, err
	}
	return s.groupFrom(id, n, path, created), nil
}

func groupID(q queryRower, name string) (string, error) { return groupKind.id(q, name) }

// ListGroups returns the groups whose path starts with pathPrefix.
func (s *Store) ListGroups(pathPrefix string) ([]Group, error) {
	return s.queryGroups(pathPrefix, `SELECT id, name, path, created FROM groups ORDER BY name COLLATE BINARY`)
}

func (s *Store) queryGroups(pathPrefix, q string, args ...any) ([]Group, error) {
	var out []Group
	err := scanEntities(s.db, pathPrefix, q, args, func(id, n, path string, created int64) {
		out = append(out, s.groupFrom(id, n, path, created))
	})
	return out, err
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
