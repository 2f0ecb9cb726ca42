package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// ManagedPolicy is a customer managed or AWS managed policy.
type ManagedPolicy struct {
	Name            string
	ID              string
	Path            string
	ARN             string
	Description     string
	DefaultVersion  string
	AttachmentCount int
	AWSManaged      bool
	Created         time.Time
	Updated         time.Time
}

// PolicyVersion is one version of a managed policy.
type PolicyVersion struct {
	PolicyARN string
	VersionID string
	Document  string
	IsDefault bool
	Created   time.Time
}

// AttachedPolicy names a managed policy attached to a user, group or role.
type AttachedPolicy struct {
	Name string
	ARN  string
}

// InlinePolicy is an inline policy of a user, group or role.
type InlinePolicy struct {
	Name     string
	Document string
}

// NamedDocument is a policy document with the name the lab reports it by:
// a managed policy's ARN, or "user/NAME/POLICY" (group/..., role/...) for an
// inline policy.
type NamedDocument struct {
	Name     string
	Document string
}

// Entity types that policies attach to.
const (
	EntityUser  = "user"
	EntityGroup = "group"
	EntityRole  = "role"
)

// MaxManagedPoliciesPerEntity is IAM's default quota of managed policies
// attached to one user, group or role.
const MaxManagedPoliciesPerEntity = 10

func quotaName(entity string) string {
	switch entity {
	case EntityGroup:
		return "PoliciesPerGroup"
	case EntityRole:
		return "PoliciesPerRole"
	}
	return "PoliciesPerUser"
}

func entityField(entity string) string { return entity + "Name" }

func entityID(q interface {
	QueryRow(string, ...any) *sql.Row
}, entity, name string) (string, error) {
	switch entity {
	case EntityUser:
		return userID(q, name)
	case EntityGroup:
		return groupID(q, name)
	case EntityRole:
		return roleID(q, name)
	}
	return "", fmt.Errorf("store: unknown entity type %q", entity)
}

// CreatePolicy creates a customer managed policy with its tags
// (iam:CreatePolicy).
func (s *Store) CreatePolicy(name, path, document, description string, tags ...Tag) (ManagedPolicy, error) {
	if err := checkName(name, "policyName", 128); err != nil {
		return ManagedPolicy{}, err
	}
	path, err := normPath(path)
	if err != nil {
		return ManagedPolicy{}, err
	}
	if len(description) > 1000 {
		return ManagedPolicy{}, constraint(description, "description", "must have length less than or equal to 1000")
	}
	if document == "" {
		return ManagedPolicy{}, missing("policyDocument")
	}
	if policySize(document) > maxManagedPolicy {
		return ManagedPolicy{}, errorf(CodeLimitExceeded, "Cannot exceed quota for PolicySize: %d", maxManagedPolicy)
	}
	if _, err := ParsePolicy(document, policy.KindIdentity); err != nil {
		return ManagedPolicy{}, err
	}
	if err := CheckTags(tags); err != nil {
		return ManagedPolicy{}, err
	}
	now := s.Now()
	p := ManagedPolicy{Name: name, ID: newEntityID(PrefixPolicy), Path: path, ARN: s.ARN("policy", path, name),
		Description: description, DefaultVersion: "v1", Created: now.Truncate(time.Second), Updated: now.Truncate(time.Second)}
	err = s.write(func(tx *sql.Tx) error {
		if exists(tx, `SELECT 1 FROM policies WHERE name = ? AND aws_managed = 0`, name) {
			return errorf(CodeEntityAlreadyExists, "A policy called %s already exists. Duplicate names are not allowed.", name)
		}
		if _, err := tx.Exec(`INSERT INTO policies(arn, id, name, path, description, default_version, next_version, created, updated) VALUES (?, ?, ?, ?, ?, 'v1', 2, ?, ?)`,
			p.ARN, p.ID, name, path, description, now.Unix(), now.Unix()); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO policy_versions(policy_arn, version_id, document, created) VALUES (?, 'v1', ?, ?)`, p.ARN, document, now.Unix()); err != nil {
			return err
		}
		return insertTags(tx, TaggedPolicy, p.ARN, tags)
	})
	if err != nil {
		return ManagedPolicy{}, err
	}
	s.changed()
	return p, nil
}

const policyCols = `p.arn, p.id, p.name, p.path, p.description, p.default_version, p.created, p.updated, p.aws_managed,
	(SELECT COUNT(*) FROM attachments a WHERE a.policy_arn = p.arn)`

func scanPolicy(sc interface{ Scan(...any) error }) (ManagedPolicy, error) {
	var p ManagedPolicy
	var created, updated int64
	var aws int
	if err := sc.Scan(&p.ARN, &p.ID, &p.Name, &p.Path, &p.Description, &p.DefaultVersion, &created, &updated, &aws, &p.AttachmentCount); err != nil {
		return ManagedPolicy{}, err
	}
	p.AWSManaged = aws != 0
	p.Created = time.Unix(created, 0).UTC()
	p.Updated = time.Unix(updated, 0).UTC()
	return p, nil
}

// GetPolicy returns the managed policy with the ARN (iam:GetPolicy).
func (s *Store) GetPolicy(arn string) (ManagedPolicy, error) {
	if err := CheckPolicyARN(arn); err != nil {
		return ManagedPolicy{}, err
	}
	p, err := scanPolicy(s.db.QueryRow(`SELECT `+policyCols+` FROM policies p WHERE p.arn = ?`, arn))
	if errors.Is(err, sql.ErrNoRows) {
		return ManagedPolicy{}, errorf(CodeNoSuchEntity, "Policy %s was not found.", arn)
	}
	return p, err
}

// ListPolicies returns managed policies: customer managed ones (local),
// and AWS managed ones when aws is set (only those attached to something
// when onlyAttached is set), ordered by name.
func (s *Store) ListPolicies(local, aws, onlyAttached bool) ([]ManagedPolicy, error) {
	rows, err := s.db.Query(`SELECT ` + policyCols + ` FROM policies p ORDER BY p.name COLLATE BINARY, p.arn`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ManagedPolicy
	for rows.Next() {
		p, err := scanPolicy(rows)
		if err != nil {
			return nil, err
		}
		if (p.AWSManaged && !aws) || (!p.AWSManaged && !local) || (onlyAttached && p.AttachmentCount == 0) {
			continue
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// GetPolicyVersion returns a version of a managed policy
// (iam:GetPolicyVersion).
func (s *Store) GetPolicyVersion(arn, versionID string) (PolicyVersion, error) {
	if err := CheckPolicyARN(arn); err != nil {
		return PolicyVersion{}, err
	}
	if versionID == "" {
		return PolicyVersion{}, missing("versionId")
	}
	if len(versionID) > 20 || !strings.HasPrefix(versionID, "v") {
		return PolicyVersion{}, constraint(versionID, "versionId", `must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
	}
	var v PolicyVersion
	var created int64
	var def string
	err := s.db.QueryRow(`SELECT v.policy_arn, v.version_id, v.document, v.created, p.default_version FROM policy_versions v JOIN policies p ON p.arn = v.policy_arn WHERE v.policy_arn = ? AND v.version_id = ?`, arn, versionID).
		Scan(&v.PolicyARN, &v.VersionID, &v.Document, &created, &def)
	if errors.Is(err, sql.ErrNoRows) {
		if _, perr := s.GetPolicy(arn); perr != nil {
			return PolicyVersion{}, perr
		}
		return PolicyVersion{}, errorf(CodeNoSuchEntity, "Policy %s version %s does not exist or is not attachable.", arn, versionID)
	}
	if err != nil {
		return PolicyVersion{}, err
	}
	v.IsDefault = def == v.VersionID
	v.Created = time.Unix(created, 0).UTC()
	return v, nil
}

// ListPolicyVersions returns every version of a managed policy, newest
// first.
func (s *Store) ListPolicyVersions(arn string) ([]PolicyVersion, error) {
	rows, err := s.db.Query(`SELECT v.policy_arn, v.version_id, v.document, v.created, p.default_version FROM policy_versions v JOIN policies p ON p.arn = v.policy_arn WHERE v.policy_arn = ? ORDER BY v.created DESC, CAST(SUBSTR(v.version_id, 2) AS INTEGER) DESC`, arn)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PolicyVersion
	for rows.Next() {
		var v PolicyVersion
		var created int64
		var def string
		if err := rows.Scan(&v.PolicyARN, &v.VersionID, &v.Document, &created, &def); err != nil {
			return nil, err
		}
		v.IsDefault = def == v.VersionID
		v.Created = time.Unix(created, 0).UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// AttachUserPolicy attaches a managed policy to a user.
func (s *Store) AttachUserPolicy(userName, policyARN string) error {
	return s.attach(EntityUser, userName, policyARN)
}

// AttachGroupPolicy attaches a managed policy to a group.
func (s *Store) AttachGroupPolicy(groupName, policyARN string) error {
	return s.attach(EntityGroup, groupName, policyARN)
}

// AttachRolePolicy attaches a managed policy to a role.
func (s *Store) AttachRolePolicy(roleName, policyARN string) error {
	return s.attach(EntityRole, roleName, policyARN)
}

func (s *Store) attach(entity, name, arn string) error {
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
		if !exists(tx, `SELECT 1 FROM policies WHERE arn = ?`, arn) {
			return errorf(CodeNoSuchEntity, "Policy %s does not exist or is not attachable.", arn)
		}
		if exists(tx, `SELECT 1 FROM attachments WHERE entity_type = ? AND entity_id = ? AND policy_arn = ?`, entity, id, arn) {
			return nil
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM attachments WHERE entity_type = ? AND entity_id = ?`, entity, id).Scan(&n); err != nil {
			return err
		}
		if n >= MaxManagedPoliciesPerEntity {
			return errorf(CodeLimitExceeded, "Cannot exceed quota for %s: %d", quotaName(entity), MaxManagedPoliciesPerEntity)
		}
		_, err = tx.Exec(`INSERT INTO attachments(entity_type, entity_id, policy_arn, attached) VALUES (?, ?, ?, ?)`, entity, id, arn, s.Now().Unix())
		return err
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// ListAttachedUserPolicies returns the managed policies attached to a user.
func (s *Store) ListAttachedUserPolicies(userName string) ([]AttachedPolicy, error) {
	return s.listAttached(EntityUser, userName)
}

// ListAttachedGroupPolicies returns the managed policies attached to a
// group.
func (s *Store) ListAttachedGroupPolicies(groupName string) ([]AttachedPolicy, error) {
	return s.listAttached(EntityGroup, groupName)
}

// ListAttachedRolePolicies returns the managed policies attached to a role.
func (s *Store) ListAttachedRolePolicies(roleName string) ([]AttachedPolicy, error) {
	return s.listAttached(EntityRole, roleName)
}

func (s *Store) listAttached(entity, name string) ([]AttachedPolicy, error) {
	id, err := entityID(s.db, entity, name)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(`SELECT p.name, p.arn FROM attachments a JOIN policies p ON p.arn = a.policy_arn WHERE a.entity_type = ? AND a.entity_id = ? ORDER BY p.name COLLATE BINARY`, entity, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AttachedPolicy
	for rows.Next() {
		var a AttachedPolicy
		if err := rows.Scan(&a.Name, &a.ARN); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// PutUserPolicy adds or replaces a user's inline policy.
func (s *Store) PutUserPolicy(userName, policyName, document string) error {
	return s.putInline(EntityUser, userName, policyName, document)
}

// PutGroupPolicy adds or replaces a group's inline policy.
func (s *Store) PutGroupPolicy(groupName, policyName, document string) error {
	return s.putInline(EntityGroup, groupName, policyName, document)
}

// PutRolePolicy adds or replaces a role's inline policy.
func (s *Store) PutRolePolicy(roleName, policyName, document string) error {
	return s.putInline(EntityRole, roleName, policyName, document)
}

func inlineQuota(entity string) int {
	switch entity {
	case EntityGroup:
		return maxGroupInline
	case EntityRole:
		return maxRoleInline
	}
	return maxUserInline
}

func (s *Store) putInline(entity, name, policyName, document string) error {
	if err := checkName(name, entityField(entity), 128); err != nil {
		return err
	}
	if err := checkName(policyName, "policyName", 128); err != nil {
		return err
	}
	if document == "" {
		return missing("policyDocument")
	}
	if _, err := ParsePolicy(document, policy.KindIdentity); err != nil {
		return err
	}
	err := s.write(func(tx *sql.Tx) error {
		id, err := entityID(tx, entity, name)
		if err != nil {
			return err
		}
		// Aggregate size of the entity's inline policies after the change.
		total := policySize(document)
		rows, err := tx.Query(`SELECT name, document FROM inline_policies WHERE entity_type = ? AND entity_id = ?`, entity, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var n, d string
			if err := rows.Scan(&n, &d); err != nil {
				rows.Close()
				return err
			}
			if !strings.EqualFold(n, policyName) {
				total += policySize(d)
			}
		}
		rows.Close()
		if q := inlineQuota(entity); total > q {
			return errorf(CodeLimitExceeded, "Maximum policy size of %d bytes exceeded for %s %s", q, entity, name)
		}
		_, err = tx.Exec(`INSERT INTO inline_policies(entity_type, entity_id, name, document) VALUES (?, ?, ?, ?)
			ON CONFLICT(entity_type, entity_id, name) DO UPDATE SET document = excluded.document, name = excluded.name`, entity, id, policyName, document)
		return err
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// ListUserPolicies returns a user's inline policies, ordered by name.
func (s *Store) ListUserPolicies(userName string) ([]InlinePolicy, error) {
	return s.listInline(EntityUser, userName)
}

// ListGroupPolicies returns a group's inline policies.
func (s *Store) ListGroupPolicies(groupName string) ([]InlinePolicy, error) {
	return s.listInline(EntityGroup, groupName)
}

// ListRolePolicies returns a role's inline policies.
func (s *Store) ListRolePolicies(roleName string) ([]InlinePolicy, error) {
	return s.listInline(EntityRole, roleName)
}

func (s *Store) listInline(entity, name string) ([]InlinePolicy, error) {
	id, err := entityID(s.db, entity, name)
	if err != nil {
		return nil, err
	}
	return s.inlineByID(entity, id)
}

func (s *Store) inlineByID(entity, id string) ([]InlinePolicy, error) {
	rows, err := s.db.Query(`SELECT name, document FROM inline_policies WHERE entity_type = ? AND entity_id = ? ORDER BY name COLLATE BINARY`, entity, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []InlinePolicy
	for rows.Next() {
		var p InlinePolicy
		if err := rows.Scan(&p.Name, &p.Document); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// attachedDocs returns the default versions of the managed policies
// attached to an entity.
func (s *Store) attachedDocs(entity, id string) ([]NamedDocument, error) {
	rows, err := s.db.Query(`SELECT p.arn, v.document FROM attachments a JOIN policies p ON p.arn = a.policy_arn
		JOIN policy_versions v ON v.policy_arn = p.arn AND v.version_id = p.default_version
		WHERE a.entity_type = ? AND a.entity_id = ? ORDER BY p.name COLLATE BINARY`, entity, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []NamedDocument
	for rows.Next() {
		var d NamedDocument
		if err := rows.Scan(&d.Name, &d.Document); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (s *Store) entityDocs(entity, id, name string) ([]NamedDocument, error) {
	inline, err := s.inlineByID(entity, id)
	if err != nil {
		return nil, err
	}
	var out []NamedDocument
	for _, p := range inline {
		out = append(out, NamedDocument{Name: entity + "/" + name + "/" + p.Name, Document: p.Document})
	}
	attached, err := s.attachedDocs(entity, id)
	if err != nil {
		return nil, err
	}
	return append(out, attached...), nil
}

// UserIdentityPolicies returns every identity-based policy of a user: its
// inline and attached policies, then each group's (by group name).
func (s *Store) UserIdentityPolicies(userName string) ([]NamedDocument, error) {
	u, err := s.GetUser(userName)
	if err != nil {
		return nil, err
	}
	out, err := s.entityDocs(EntityUser, u.ID, u.Name)
	if err != nil {
		return nil, err
	}
	groups, err := s.ListGroupsForUser(u.Name)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		docs, err := s.entityDocs(EntityGroup, g.ID, g.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, docs...)
	}
	return out, nil
}

// RoleIdentityPolicies returns a role's inline and attached policies.
func (s *Store) RoleIdentityPolicies(roleName string) ([]NamedDocument, error) {
	r, err := s.GetRole(roleName)
	if err != nil {
		return nil, err
	}
	return s.entityDocs(EntityRole, r.ID, r.Name)
}
