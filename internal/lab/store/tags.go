package store

import (
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"
)

// Tag is an IAM tag: a key and a value
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html).
type Tag struct {
	Key   string
	Value string
}

// MaxTags is the most tags a Tags parameter may carry, and the most a
// resource may have
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
const MaxTags = 50

// Resource types that carry tags, as stored in the tags table.
const (
	TaggedUser      = "user"
	TaggedRole      = "role"
	TaggedPolicy    = "policy"
	TaggedMFADevice = "mfa"
)

// Tag keys and values: Key 1..128 characters of [\p{L}\p{Z}\p{N}_.:/=+\-@],
// Value 0..256 of the same.
var reTagText = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`) })

const (
	maxTagKey   = 128
	maxTagValue = 256
)

// CheckTags validates a Tags parameter as IAM does: at most 50 tags, each
// key 1 to 128 and each value 0 to 256 characters of letters, numbers,
// spaces and _.:/=+-@ (ValidationError), and no key twice, ignoring case
// (InvalidInput: IAM's tag keys are case-insensitive for uniqueness).
func CheckTags(tags []Tag) error {
	if len(tags) > MaxTags {
		return errorf(CodeValidationError, "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", MaxTags)
	}
	seen := make(map[string]bool, len(tags))
	for i, t := range tags {
		field := fmt.Sprintf("tags.%d.member.", i+1)
		if err := checkTagText(t.Key, field+"key", 1, maxTagKey, "+"); err != nil {
			return err
		}
		if err := checkTagText(t.Value, field+"value", 0, maxTagValue, "*"); err != nil {
			return err
		}
		k := strings.ToLower(t.Key)
		if seen[k] {
			return errorf(CodeInvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	return nil
}

func checkTagText(v, field string, min, max int, repeat string) error {
	switch n := utf8.RuneCountInString(v); {
	case n < min:
		return constraint(v, field, fmt.Sprintf("must have length greater than or equal to %d", min))
	case n > max:
		return constraint(v, field, fmt.Sprintf("must have length less than or equal to %d", max))
	}
	if !utf8.ValidString(v) || !reTagText().MatchString(v) {
		return constraint(v, field, `must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]`+repeat)
	}
	return nil
}

// insertTags stores the tags (checked with CheckTags) of a new resource in
// its creating transaction.
func insertTags(tx *sql.Tx, typ, id string, tags []Tag) error {
	for _, t := range tags {
		if _, err := tx.Exec(`INSERT INTO tags(resource_type, resource_id, key, value) VALUES (?, ?, ?, ?)`, typ, id, t.Key, t.Value); err != nil {
			return err
		}
	}
	return nil
}

// tagsOf returns the tags of a resource in the order they were given.
func (s *Store) tagsOf(typ, id string) ([]Tag, error) {
	rows, err := s.db.Query(`SELECT key, value FROM tags WHERE resource_type = ? AND resource_id = ? ORDER BY rowid`, typ, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Tag{}
	for rows.Next() {
		var t Tag
		if err := rows.Scan(&t.Key, &t.Value); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// UserTags returns the tags of the named user (iam:ListUserTags).
func (s *Store) UserTags(userName string) ([]Tag, error) {
	id, err := userID(s.db, userName)
	if err != nil {
		return nil, err
	}
	return s.tagsOf(TaggedUser, id)
}

// RoleTags returns the tags of the named role (iam:ListRoleTags).
func (s *Store) RoleTags(roleName string) ([]Tag, error) {
	id, err := roleID(s.db, roleName)
	if err != nil {
		return nil, err
	}
	return s.tagsOf(TaggedRole, id)
}

// PolicyTags returns the tags of a customer managed policy
// (iam:ListPolicyTags); AWS managed policies have none.
func (s *Store) PolicyTags(arn string) ([]Tag, error) {
	if _, err := s.GetPolicy(arn); err != nil {
		return nil, err
	}
	return s.tagsOf(TaggedPolicy, arn)
}

// MFADeviceTags returns the tags of a virtual MFA device
// (iam:ListMFADeviceTags).
func (s *Store) MFADeviceTags(serial string) ([]Tag, error) {
	var one int
	err := s.db.QueryRow(`SELECT 1 FROM mfa_devices WHERE serial = ?`, serial).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, noDevice(serial)
	}
	if err != nil {
		return nil, err
	}
	return s.tagsOf(TaggedMFADevice, serial)
}
