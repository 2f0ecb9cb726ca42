package store

import (
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// MaxPolicyVersions is the most versions a managed policy may keep
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html).
const MaxPolicyVersions = 5

// checkVersionID validates a VersionId parameter (policyVersionIdType).
func checkVersionID(versionID string) error {
	if versionID == "" {
		return missing("versionId")
	}
	if len(versionID) > 20 || !strings.HasPrefix(versionID, "v") {
		return constraint(versionID, "versionId", `must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
	}
	return nil
}

// customerPolicy checks, in tx, that arn names a customer managed policy
// the caller may change: AWS managed policies are not the account's.
func customerPolicy(tx *sql.Tx, arn string) error {
	var aws int
	err := tx.QueryRow(`SELECT aws_managed FROM policies WHERE arn = ?`, arn).Scan(&aws)
	if err == sql.ErrNoRows {
		return errorf(CodeNoSuchEntity, "Policy %s was not found.", arn)
	}
	if err != nil {
		return err
	}
	if aws != 0 {
		return errorf(CodeUnmodifiableEntity, "Policy %s is an AWS managed policy and cannot be changed.", arn)
	}
	return nil
}

func versionNotFound(arn, versionID string) error {
	return errorf(CodeNoSuchEntity, "Policy %s version %s does not exist or is not attachable.", arn, versionID)
}

// CreatePolicyVersion adds a version to a customer managed policy, its
// default when setDefault is set (iam:CreatePolicyVersion). A policy keeps
// at most five versions: the sixth is LimitExceeded.
func (s *Store) CreatePolicyVersion(arn, document string, setDefault bool) (PolicyVersion, error) {
	if err := CheckPolicyARN(arn); err != nil {
		return PolicyVersion{}, err
	}
	if document == "" {
		return PolicyVersion{}, missing("policyDocument")
	}
	if policySize(document) > maxManagedPolicy {
		return PolicyVersion{}, errorf(CodeLimitExceeded, "Cannot exceed quota for PolicySize: %d", maxManagedPolicy)
	}
	if _, err := ParsePolicy(document, policy.KindIdentity); err != nil {
		return PolicyVersion{}, err
	}
	now := s.Now()
	v := PolicyVersion{PolicyARN: arn, Document: document, IsDefault: setDefault, Created: now.Truncate(time.Second)}
	err := s.write(func(tx *sql.Tx) error {
		if err := customerPolicy(tx, arn); err != nil {
			return err
		}
		var n, next int
		if err := tx.QueryRow(`SELECT (SELECT COUNT(*) FROM policy_versions WHERE policy_arn = ?), next_version FROM policies WHERE arn = ?`, arn, arn).Scan(&n, &next); err != nil {
			return err
		}
		if n >= MaxPolicyVersions {
			return errorf(CodeLimitExceeded, "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", MaxPolicyVersions)
		}
		v.VersionID = "v" + strconv.Itoa(next)
		if _, err := tx.Exec(`INSERT INTO policy_versions(policy_arn, version_id, document, created) VALUES (?, ?, ?, ?)`, arn, v.VersionID, document, now.Unix()); err != nil {
			return err
		}
		q := `UPDATE policies SET next_version = next_version + 1, updated = ? WHERE arn = ?`
		if setDefault {
			q = `UPDATE policies SET next_version = next_version + 1, updated = ?, default_version = '` + v.VersionID + `' WHERE arn = ?`
		}
		_, err := tx.Exec(q, now.Unix(), arn)
		return err
	})
	if err != nil {
		return PolicyVersion{}, err
	}
	s.changed()
	return v, nil
}

// DeletePolicyVersion deletes a version that is not the policy's default
// (iam:DeletePolicyVersion).
func (s *Store) DeletePolicyVersion(arn, versionID string) error {
	if err := CheckPolicyARN(arn); err != nil {
		return err
	}
	if err := checkVersionID(versionID); err != nil {
		return err
	}
	err := s.write(func(tx *sql.Tx) error {
		if err := customerPolicy(tx, arn); err != nil {
			return err
		}
		if exists(tx, `SELECT 1 FROM policies WHERE arn = ? AND default_version = ?`, arn, versionID) {
			return errorf(CodeDeleteConflict, "Cannot delete the default version of a policy.")
		}
		res, err := tx.Exec(`DELETE FROM policy_versions WHERE policy_arn = ? AND version_id = ?`, arn, versionID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return versionNotFound(arn, versionID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// SetDefaultPolicyVersion makes a version the policy's default
// (iam:SetDefaultPolicyVersion).
func (s *Store) SetDefaultPolicyVersion(arn, versionID string) error {
	if err := CheckPolicyARN(arn); err != nil {
		return err
	}
	if err := checkVersionID(versionID); err != nil {
		return err
	}
	err := s.write(func(tx *sql.Tx) error {
		if err := customerPolicy(tx, arn); err != nil {
			return err
		}
		if !exists(tx, `SELECT 1 FROM policy_versions WHERE policy_arn = ? AND version_id = ?`, arn, versionID) {
			return versionNotFound(arn, versionID)
		}
		_, err := tx.Exec(`UPDATE policies SET default_version = ?, updated = ? WHERE arn = ?`, versionID, s.Now().Unix(), arn)
		return err
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}
