package store

import (
	"database/sql"
	"strings"
)

// Deleting IAM entities. IAM refuses to delete an entity that still has
// something attached with DeleteConflict, naming what to remove first
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_remove.html#id_users_deleting_cli,
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html):
// the lab checks the same dependencies in one transaction, so a refused
// delete changes nothing.

// conflict is one dependency that blocks a delete: a query counting it
// (its one argument is the entity's id) and IAM's message.
type conflict struct {
	query   string
	message string
}

const (
	msgDetachPolicies = "Cannot delete entity, must detach all policies first."
	msgDeletePolicies = "Cannot delete entity, must delete policies first."
	msgRemoveUsers    = "Cannot delete entity, must remove users from group first."
)

func attachedConflict(entity string) conflict {
	return conflict{`SELECT 1 FROM attachments WHERE entity_type = '` + entity + `' AND entity_id = ?`, msgDetachPolicies}
}

func inlineConflict(entity string) conflict {
	return conflict{`SELECT 1 FROM inline_policies WHERE entity_type = '` + entity + `' AND entity_id = ?`, msgDeletePolicies}
}

var (
	userConflicts = []conflict{
		{`SELECT 1 FROM login_profiles WHERE user_id = ?`, "Cannot delete entity, must delete login profile first."},
		{`SELECT 1 FROM access_keys WHERE user_id = ?`, "Cannot delete entity, must delete access keys first."},
		{`SELECT 1 FROM mfa_devices WHERE user_id = ?`, "Cannot delete entity, must delete MFA device first."},
		inlineConflict(EntityUser),
		attachedConflict(EntityUser),
		// The same words as DeleteGroup's
		// (https://github.com/mozilla-services/userplex/issues/17).
		{`SELECT 1 FROM group_members WHERE user_id = ?`, msgRemoveUsers},
	}
	groupConflicts = []conflict{
		{`SELECT 1 FROM group_members WHERE group_id = ?`, msgRemoveUsers},
		inlineConflict(EntityGroup),
		attachedConflict(EntityGroup),
	}
	roleConflicts = []conflict{
		inlineConflict(EntityRole),
		attachedConflict(EntityRole),
	}
)

// deleteEntity deletes the entity whose id idOf finds, unless a conflict
// holds, then runs cleanup (sessions the entity issued).
func (s *Store) deleteEntity(table string, idOf func(queryRower) (string, error), conflicts []conflict, cleanup ...string) error {
	err := s.write(func(tx *sql.Tx) error {
		id, err := idOf(tx)
		if err != nil {
			return err
		}
		for _, c := range conflicts {
			if exists(tx, c.query, id) {
				return errorf(CodeDeleteConflict, "%s", c.message)
			}
		}
		for _, q := range cleanup {
			if _, err := tx.Exec(q, id); err != nil {
				return err
			}
		}
		_, err = tx.Exec(`DELETE FROM `+table+` WHERE id = ?`, id)
		return err
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// DeleteUser deletes a user without login profile, access keys, MFA
// device, policies or group memberships (iam:DeleteUser). Its tags go
// with it.
func (s *Store) DeleteUser(name string) error {
	if err := checkName(name, "userName", 128); err != nil {
		return err
	}
	return s.deleteEntity("users", func(q queryRower) (string, error) { return userID(q, name) }, userConflicts,
		`DELETE FROM sessions WHERE kind = 'user' AND principal_id = ?`)
}

// DeleteGroup deletes a group without members or policies
// (iam:DeleteGroup).
func (s *Store) DeleteGroup(name string) error {
	if err := checkName(name, "groupName", 128); err != nil {
		return err
	}
	return s.deleteEntity("groups", func(q queryRower) (string, error) { return groupID(q, name) }, groupConflicts)
}

// DeleteRole deletes a role without policies (iam:DeleteRole); the
// sessions it issued stop working.
func (s *Store) DeleteRole(name string) error {
	if err := checkName(name, "roleName", 64); err != nil {
		return err
	}
	return s.deleteEntity("roles", func(q queryRower) (string, error) { return roleID(q, name) }, roleConflicts,
		`DELETE FROM sessions WHERE kind = 'role' AND principal_id = ?`)
}

// DeletePolicy deletes a customer managed policy that is attached to
// nothing and has only its default version (iam:DeletePolicy).
func (s *Store) DeletePolicy(arn string) error {
	if err := CheckPolicyARN(arn); err != nil {
		return err
	}
	err := s.write(func(tx *sql.Tx) error {
		if err := customerPolicy(tx, arn); err != nil {
			return err
		}
		if exists(tx, `SELECT 1 FROM attachments WHERE policy_arn = ?`, arn) {
			return errorf(CodeDeleteConflict, "Cannot delete a policy attached to entities.")
		}
		if exists(tx, `SELECT 1 FROM policy_versions v JOIN policies p ON p.arn = v.policy_arn WHERE p.arn = ? AND v.version_id <> p.default_version`, arn) {
			return errorf(CodeDeleteConflict, "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		_, err := tx.Exec(`DELETE FROM policies WHERE arn = ?`, arn)
		return err
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// DetachUserPolicy detaches a managed policy from a user.
func (s *Store) DetachUserPolicy(userName, policyARN string) error {
	return s.detach(EntityUser, userName, policyARN)
}

// DetachGroupPolicy detaches a managed policy from a group.
func (s *Store) DetachGroupPolicy(groupName, policyARN string) error {
	return s.detach(EntityGroup, groupName, policyARN)
}

// DetachRolePolicy detaches a managed policy from a role.
func (s *Store) DetachRolePolicy(roleName, policyARN string) error {
	return s.detach(EntityRole, roleName, policyARN)
}

// detach removes an attachment; a policy that is not attached is
// NoSuchEntity.
func (s *Store) detach(entity, name, arn string) error {
	if err := checkName(name, entityField(entity), 128); err != nil {
		return err
	}
	if err := CheckPolicyARN(arn); err != nil {
		return err
	}
	err := s.write(func(tx *sql.Tx) error {
		id, err := entityID(tx, entity, name)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`DELETE FROM attachments WHERE entity_type = ? AND entity_id = ? AND policy_arn = ?`, entity, id, arn)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errorf(CodeNoSuchEntity, "Policy %s was not found.", arn)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// RemoveUserFromGroup removes a user from a group
// (iam:RemoveUserFromGroup). Removing a user who is not a member changes
// nothing and is no error, as AWS answers it
// (https://github.com/cloud-custodian/cloud-custodian/pull/4730).
func (s *Store) RemoveUserFromGroup(groupName, userName string) error {
	if err := checkName(groupName, "groupName", 128); err != nil {
		return err
	}
	if err := checkName(userName, "userName", 128); err != nil {
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
		_, err = tx.Exec(`DELETE FROM group_members WHERE group_id = ? AND user_id = ?`, gid, uid)
		return err
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// inlineNotFound is IAM's answer for a missing inline policy:
// "The user policy with name P cannot be found."
func inlineNotFound(entity, policyName string) error {
	return errorf(CodeNoSuchEntity, "The %s policy with name %s cannot be found.", entity, policyName)
}

// GetInlinePolicy returns an inline policy of a user, group or role
// (iam:GetUserPolicy, GetGroupPolicy, GetRolePolicy), with the entity's
// name as stored.
func (s *Store) GetInlinePolicy(entity, name, policyName string) (entityName string, p InlinePolicy, err error) {
	if err := checkName(name, entityField(entity), 128); err != nil {
		return "", InlinePolicy{}, err
	}
	if err := checkName(policyName, "policyName", 128); err != nil {
		return "", InlinePolicy{}, err
	}
	id, err := entityID(s.db, entity, name)
	if err != nil {
		return "", InlinePolicy{}, err
	}
	ps, err := s.inlineByID(entity, id)
	if err != nil {
		return "", InlinePolicy{}, err
	}
	for _, p := range ps {
		if strings.EqualFold(p.Name, policyName) {
			return name, p, nil
		}
	}
	return "", InlinePolicy{}, inlineNotFound(entity, policyName)
}

// DeleteInlinePolicy deletes an inline policy of a user, group or role
// (iam:DeleteUserPolicy, DeleteGroupPolicy, DeleteRolePolicy).
func (s *Store) DeleteInlinePolicy(entity, name, policyName string) error {
	if err := checkName(name, entityField(entity), 128); err != nil {
		return err
	}
	if err := checkName(policyName, "policyName", 128); err != nil {
		return err
	}
	err := s.write(func(tx *sql.Tx) error {
		id, err := entityID(tx, entity, name)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`DELETE FROM inline_policies WHERE entity_type = ? AND entity_id = ? AND name = ?`, entity, id, policyName)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return inlineNotFound(entity, policyName)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// DeleteVirtualMFADevice deletes a virtual MFA device that is assigned to
// no user (iam:DeleteVirtualMFADevice): an assigned one must be
// deactivated first.
func (s *Store) DeleteVirtualMFADevice(serial string) error {
	if err := CheckSerialNumber(serial, "serialNumber"); err != nil {
		return err
	}
	err := s.write(func(tx *sql.Tx) error {
		d, err := getMFATx(tx, serial)
		if err != nil {
			return err
		}
		if d.Assigned() {
			// DeleteConflict per the API reference
			// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteVirtualMFADevice.html);
			// it does not quote the message.
			return errorf(CodeDeleteConflict, "MFA device is still in use.")
		}
		_, err = tx.Exec(`DELETE FROM mfa_devices WHERE serial = ?`, serial)
		return err
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// PolicyEntity is a user, group or role a managed policy is attached to.
type PolicyEntity struct {
	Type string // EntityUser, EntityGroup, EntityRole
	Name string
	ID   string
	Path string
}

// ListEntitiesForPolicy returns what a managed policy is attached to,
// groups, then roles, then users, each by name (iam:ListEntitiesForPolicy).
func (s *Store) ListEntitiesForPolicy(arn string) ([]PolicyEntity, error) {
	if _, err := s.GetPolicy(arn); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(`SELECT 'group', g.name, g.id, g.path FROM attachments a JOIN groups g ON a.entity_type = 'group' AND g.id = a.entity_id WHERE a.policy_arn = ?
		UNION ALL SELECT 'user', u.name, u.id, u.path FROM attachments a JOIN users u ON a.entity_type = 'user' AND u.id = a.entity_id WHERE a.policy_arn = ?
		UNION ALL SELECT 'role', r.name, r.id, r.path FROM attachments a JOIN roles r ON a.entity_type = 'role' AND r.id = a.entity_id WHERE a.policy_arn = ?
		ORDER BY 1, 2 COLLATE BINARY`, arn, arn, arn)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PolicyEntity
	for rows.Next() {
		var e PolicyEntity
		if err := rows.Scan(&e.Type, &e.Name, &e.ID, &e.Path); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
