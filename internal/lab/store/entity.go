package store

import (
	"database/sql"
	"errors"
	"strings"
)

// entityKind describes the IAM entities stored as (id, name, path, created)
// rows: users and groups. Table names are constants, never user input.
type entityKind struct {
	table  string // SQL table
	noun   string // in messages: "user", "group"
	param  string // API parameter: "userName"
	prefix string // unique-id prefix: AIDA, AGPA
	max    int    // longest name IAM accepts
}

var (
	userKind  = entityKind{table: "users", noun: "user", param: "userName", prefix: PrefixUser, max: 64}
	groupKind = entityKind{table: "groups", noun: "group", param: "groupName", prefix: PrefixGroup, max: 128}
)

type queryRower interface {
	QueryRow(string, ...any) *sql.Row
}

// create inserts a new entity after IAM's name and path checks, with its
// tags (tagged names the tags' resource type; "" for none), and returns its
// id, normalized path and creation time (Unix seconds).
func (k entityKind) create(s *Store, name, path, tagged string, tags []Tag) (id, normPathOut string, created int64, err error) {
	if err := checkName(name, k.param, k.max); err != nil {
		return "", "", 0, err
	}
	path, err = normPath(path)
	if err != nil {
		return "", "", 0, err
	}
	if err := CheckTags(tags); err != nil {
		return "", "", 0, err
	}
	id, created = newEntityID(k.prefix), s.Now().Unix()
	err = s.write(func(tx *sql.Tx) error {
		if exists(tx, `SELECT 1 FROM `+k.table+` WHERE name = ?`, name) {
			return errorf(CodeEntityAlreadyExists, "%s with name %s already exists.", strings.ToUpper(k.noun[:1])+k.noun[1:], name)
		}
		if _, err := tx.Exec(`INSERT INTO `+k.table+`(id, name, path, created) VALUES (?, ?, ?, ?)`, id, name, path, created); err != nil {
			return err
		}
		return insertTags(tx, tagged, id, tags)
	})
	if err != nil {
		return "", "", 0, err
	}
	s.changed()
	return id, path, created, nil
}

func (k entityKind) notFound(name string) error {
	return errorf(CodeNoSuchEntity, "The %s with name %s cannot be found.", k.noun, name)
}

// get reads one row (id, name, path, created) selected by column = value.
func (k entityKind) get(q queryRower, column, value string) (id, name, path string, created int64, err error) {
	err = q.QueryRow(`SELECT id, name, path, created FROM `+k.table+` WHERE `+column+` = ?`, value).Scan(&id, &name, &path, &created)
	if errors.Is(err, sql.ErrNoRows) {
		err = k.notFound(value)
	}
	return
}

// id returns the unique id of the entity named name.
func (k entityKind) id(q queryRower, name string) (string, error) {
	var id string
	if err := q.QueryRow(`SELECT id FROM `+k.table+` WHERE name = ?`, name).Scan(&id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", k.notFound(name)
		}
		return "", err
	}
	return id, nil
}

// scanEntities runs q (selecting id, name, path, created) and calls add for
// each row whose path starts with pathPrefix.
func scanEntities(db *sql.DB, pathPrefix, q string, args []any, add func(id, name, path string, created int64)) error {
	rows, err := db.Query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, n, path string
		var created int64
		if err := rows.Scan(&id, &n, &path, &created); err != nil {
			return err
		}
		if pathPrefix != "" && !strings.HasPrefix(path, pathPrefix) {
			continue
		}
		add(id, n, path, created)
	}
	return rows.Err()
}

func exists(tx *sql.Tx, query string, args ...any) bool {
	var one int
	return tx.QueryRow(query, args...).Scan(&one) == nil
}
