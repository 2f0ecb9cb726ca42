package store

import (
	"database/sql"
	"strings"
)

// Tagging existing users, roles and customer managed policies
// (iam:TagUser/UntagUser, TagRole/UntagRole, TagPolicy/UntagPolicy,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagUser.html):
// a tag whose key the resource has (ignoring case) gets the new value; a
// resource holds at most 50 tags.

// TagUser adds or updates tags of a user.
func (s *Store) TagUser(userName string, tags []Tag) error {
	return s.tagResource(TaggedUser, func(q queryRower) (string, error) { return userID(q, userName) }, tags)
}

// TagRole adds or updates tags of a role.
func (s *Store) TagRole(roleName string, tags []Tag) error {
	return s.tagResource(TaggedRole, func(q queryRower) (string, error) { return roleID(q, roleName) }, tags)
}

// TagPolicy adds or updates tags of a customer managed policy.
func (s *Store) TagPolicy(arn string, tags []Tag) error {
	if err := CheckPolicyARN(arn); err != nil {
		return err
	}
	return s.tagResource(TaggedPolicy, policyKey(arn), tags)
}

// UntagUser removes tags of a user by key; absent keys are ignored.
func (s *Store) UntagUser(userName string, keys []string) error {
	return s.untagResource(TaggedUser, func(q queryRower) (string, error) { return userID(q, userName) }, keys)
}

// UntagRole removes tags of a role by key.
func (s *Store) UntagRole(roleName string, keys []string) error {
	return s.untagResource(TaggedRole, func(q queryRower) (string, error) { return roleID(q, roleName) }, keys)
}

// UntagPolicy removes tags of a customer managed policy by key.
func (s *Store) UntagPolicy(arn string, keys []string) error {
	if err := CheckPolicyARN(arn); err != nil {
		return err
	}
	return s.untagResource(TaggedPolicy, policyKey(arn), keys)
}

// policyKey finds a customer managed policy: its tags are keyed by ARN.
func policyKey(arn string) func(queryRower) (string, error) {
	return func(q queryRower) (string, error) {
		var aws int
		if err := q.QueryRow(`SELECT aws_managed FROM policies WHERE arn = ?`, arn).Scan(&aws); err != nil {
			if err == sql.ErrNoRows {
				return "", errorf(CodeNoSuchEntity, "Policy %s was not found.", arn)
			}
			return "", err
		}
		if aws != 0 {
			return "", errorf(CodeUnmodifiableEntity, "Policy %s is an AWS managed policy and cannot be changed.", arn)
		}
		return arn, nil
	}
}

var tagQuota = map[string]string{TaggedUser: "TagsPerUser", TaggedRole: "TagsPerRole", TaggedPolicy: "TagsPerPolicy"}

func (s *Store) tagResource(typ string, idOf func(queryRower) (string, error), tags []Tag) error {
	if len(tags) == 0 {
		return missing("tags")
	}
	if err := CheckTags(tags); err != nil {
		return err
	}
	err := s.write(func(tx *sql.Tx) error {
		id, err := idOf(tx)
		if err != nil {
			return err
		}
		for _, t := range tags {
			if _, err := tx.Exec(`INSERT INTO tags(resource_type, resource_id, key, value) VALUES (?, ?, ?, ?)
				ON CONFLICT(resource_type, resource_id, key) DO UPDATE SET value = excluded.value`, typ, id, t.Key, t.Value); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM tags WHERE resource_type = ? AND resource_id = ?`, typ, id).Scan(&n); err != nil {
			return err
		}
		if n > MaxTags {
			// IAM's quota wording, "Cannot exceed quota for NAME: N".
			return errorf(CodeLimitExceeded, "Cannot exceed quota for %s: %d", tagQuota[typ], MaxTags)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

func (s *Store) untagResource(typ string, idOf func(queryRower) (string, error), keys []string) error {
	if len(keys) == 0 {
		return missing("tagKeys")
	}
	if len(keys) > MaxTags {
		return constraint(strings.Join(keys[:2], ","), "tagKeys", "must have length less than or equal to 50")
	}
	for _, k := range keys {
		if err := checkTagText(k, "tagKeys.member.key", 1, maxTagKey, "+"); err != nil {
			return err
		}
	}
	err := s.write(func(tx *sql.Tx) error {
		id, err := idOf(tx)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := tx.Exec(`DELETE FROM tags WHERE resource_type = ? AND resource_id = ? AND key = ?`, typ, id, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// UpdateRole changes a role's description and maximum session duration
// (iam:UpdateRole); a nil field is left as it is.
func (s *Store) UpdateRole(roleName string, description *string, maxSession *int) error {
	if err := checkName(roleName, "roleName", 64); err != nil {
		return err
	}
	if description != nil && len(*description) > 1000 {
		return constraint(*description, "description", "must have length less than or equal to 1000")
	}
	if maxSession != nil && (*maxSession < MinMaxSessionDuration || *maxSession > MaxMaxSessionDuration) {
		return constraint("", "maxSessionDuration", "must be between 3600 and 43200")
	}
	err := s.write(func(tx *sql.Tx) error {
		id, err := roleID(tx, roleName)
		if err != nil {
			return err
		}
		if description != nil {
			if _, err := tx.Exec(`UPDATE roles SET description = ? WHERE id = ?`, *description, id); err != nil {
				return err
			}
		}
		if maxSession != nil {
			if _, err := tx.Exec(`UPDATE roles SET max_session = ? WHERE id = ?`, *maxSession, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}
