package store

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// Role is an IAM role.
type Role struct {
	Name               string
	ID                 string
	Path               string
	ARN                string
	TrustPolicy        string
	Description        string
	MaxSessionDuration int // seconds
	Created            time.Time
	LastUsed           time.Time
	LastUsedRegion     string
}

// Role session duration limits (iam:CreateRole MaxSessionDuration).
const (
	DefaultMaxSessionDuration = 3600
	MinMaxSessionDuration     = 3600
	MaxMaxSessionDuration     = 43200
)

const roleCols = `id, name, path, trust_policy, description, max_session, created, last_used, COALESCE(last_used_region, '')`

func (s *Store) scanRole(sc interface{ Scan(...any) error }) (Role, error) {
	var r Role
	var created int64
	var lastUsed sql.NullInt64
	if err := sc.Scan(&r.ID, &r.Name, &r.Path, &r.TrustPolicy, &r.Description, &r.MaxSessionDuration, &created, &lastUsed, &r.LastUsedRegion); err != nil {
		return Role{}, err
	}
	r.ARN = s.ARN("role", r.Path, r.Name)
	r.Created = time.Unix(created, 0).UTC()
	r.LastUsed = fromUnix(lastUsed)
	return r, nil
}

func roleID(q interface {
	QueryRow(string, ...any) *sql.Row
}, name string) (string, error) {
	var id string
	if err := q.QueryRow(`SELECT id FROM roles WHERE name = ?`, name).Scan(&id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", errorf(CodeNoSuchEntity, "The role with name %s cannot be found.", name)
		}
		return "", err
	}
	return id, nil
}

// CreateRole creates a role with its tags (iam:CreateRole). maxSession 0
// means the default, one hour.
func (s *Store) CreateRole(name, path, trustPolicy, description string, maxSession int, tags ...Tag) (Role, error) {
	if err := checkName(name, "roleName", 64); err != nil {
		return Role{}, err
	}
	path, err := normPath(path)
	if err != nil {
		return Role{}, err
	}
	if len(description) > 1000 {
		return Role{}, constraint(description, "description", "must have length less than or equal to 1000")
	}
	if !reRoleDesc().MatchString(description) {
		return Role{}, constraint(description, "description", `must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`)
	}
	switch {
	case maxSession == 0:
		maxSession = DefaultMaxSessionDuration
	case maxSession < MinMaxSessionDuration:
		return Role{}, constraint(strconv.Itoa(maxSession), "maxSessionDuration", "must have value greater than or equal to 3600")
	case maxSession > MaxMaxSessionDuration:
		return Role{}, constraint(strconv.Itoa(maxSession), "maxSessionDuration", "must have value less than or equal to 43200")
	}
	if trustPolicy == "" {
		return Role{}, missing("assumeRolePolicyDocument")
	}
	if err := s.checkTrustPolicy(trustPolicy); err != nil {
		return Role{}, err
	}
	if err := CheckTags(tags); err != nil {
		return Role{}, err
	}
	now := s.Now()
	r := Role{Name: name, ID: newEntityID(PrefixRole), Path: path, ARN: s.ARN("role", path, name), TrustPolicy: trustPolicy,
		Description: description, MaxSessionDuration: maxSession, Created: now.Truncate(time.Second)}
	err = s.write(func(tx *sql.Tx) error {
		if exists(tx, `SELECT 1 FROM roles WHERE name = ?`, name) {
			return errorf(CodeEntityAlreadyExists, "Role with name %s already exists.", name)
		}
		if _, err := tx.Exec(`INSERT INTO roles(id, name, path, trust_policy, description, max_session, created) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.ID, name, path, trustPolicy, description, maxSession, now.Unix()); err != nil {
			return err
		}
		return insertTags(tx, TaggedRole, r.ID, tags)
	})
	if err != nil {
		return Role{}, err
	}
	s.changed()
	return r, nil
}

// checkTrustPolicy validates a role trust policy: its syntax, its size, and
// that the IAM users and roles of this account it names exist ("Invalid
// principal in policy").
func (s *Store) checkTrustPolicy(doc string) error {
	if policySize(doc) > maxTrustPolicy {
		return errorf(CodeLimitExceeded, "Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicy)
	}
	d, err := ParsePolicy(doc, policy.KindTrust)
	if err != nil {
		return err
	}
	prefix := "arn:aws:iam::" + s.account + ":"
	for _, st := range d.Statements {
		for _, pr := range []*policy.Principal{st.Principal, st.NotPrincipal} {
			if pr == nil {
				continue
			}
			for _, e := range pr.Entries {
				if e.Type != "AWS" {
					continue
				}
				for _, v := range e.Values.Values {
					if !strings.HasPrefix(v, prefix) || strings.ContainsAny(v, "*?") {
						continue
					}
					res := v[len(prefix):]
					var ok bool
					switch {
					case strings.HasPrefix(res, "user/"):
						ok = s.entityExistsByARN("users", "user", res)
					case strings.HasPrefix(res, "role/"):
						ok = s.entityExistsByARN("roles", "role", res)
					default:
						ok = true
					}
					if !ok {
						return errorf(CodeMalformedPolicyDocument, `Invalid principal in policy: "AWS":"%s"`, v)
					}
				}
			}
		}
	}
	return nil
}

// entityExistsByARN reports whether a user or role with the ARN resource
// part ("user/path/name") exists.
func (s *Store) entityExistsByARN(table, typ, res string) bool {
	rest := res[len(typ):] // "/path/name"
	i := strings.LastIndexByte(rest, '/')
	path, name := rest[:i+1], rest[i+1:]
	var p string
	if err := s.db.QueryRow(`SELECT path FROM `+table+` WHERE name = ?`, name).Scan(&p); err != nil {
		return false
	}
	return p == path
}

// GetRole returns the role named name.
func (s *Store) GetRole(name string) (Role, error) {
	r, err := s.scanRole(s.db.QueryRow(`SELECT `+roleCols+` FROM roles WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return Role{}, errorf(CodeNoSuchEntity, "The role with name %s cannot be found.", name)
	}
	return r, err
}

// GetRoleByID returns the role with the unique id.
func (s *Store) GetRoleByID(id string) (Role, error) {
	r, err := s.scanRole(s.db.QueryRow(`SELECT `+roleCols+` FROM roles WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Role{}, errorf(CodeNoSuchEntity, "The role with id %s cannot be found.", id)
	}
	return r, err
}

// GetRoleByARN returns the role an ARN names (path included).
func (s *Store) GetRoleByARN(arn string) (Role, error) {
	prefix := "arn:aws:iam::" + s.account + ":role/"
	if !strings.HasPrefix(arn, prefix) {
		return Role{}, errorf(CodeNoSuchEntity, "The role with ARN %s cannot be found.", arn)
	}
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	r, err := s.GetRole(name)
	if err != nil || r.ARN != arn {
		return Role{}, errorf(CodeNoSuchEntity, "The role with ARN %s cannot be found.", arn)
	}
	return r, nil
}

// ListRoles returns the roles whose path starts with pathPrefix.
func (s *Store) ListRoles(pathPrefix string) ([]Role, error) {
	rows, err := s.db.Query(`SELECT ` + roleCols + ` FROM roles ORDER BY name COLLATE BINARY`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Role
	for rows.Next() {
		r, err := s.scanRole(rows)
		if err != nil {
			return nil, err
		}
		if pathPrefix != "" && !strings.HasPrefix(r.Path, pathPrefix) {
			continue
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (s *Store) UpdateAssumeRolePolicy(roleName, document string) error {
	if err := checkName(roleName, "roleName", 64); err != nil {
		return err
	}
	if document == "" {
		return missing("policyDocument")
	}
	if _, err := roleID(s.db, roleName); err != nil {
		return err
	}
	if err := s.checkTrustPolicy(document); err != nil {
		return err
	}
	err := s.write(func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE roles SET trust_policy = ? WHERE name = ?`, document, roleName)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errorf(CodeNoSuchEntity, "The role with name %s cannot be found.", roleName)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.changed()
	return nil
}

// TouchRole records that a role was assumed (RoleLastUsed).
func (s *Store) TouchRole(id string, t time.Time, region string) error {
	return s.write(func(tx *sql.Tx) error {
		_, err := tx.Exec(`UPDATE roles SET last_used = ?, last_used_region = ? WHERE id = ?`, t.Unix(), region, id)
		return err
	})
}
