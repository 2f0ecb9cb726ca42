package lab

import (
	"strconv"

	"github.com/awsmfa/awsmfa/internal/lab/store"
)

type roleLastUsedXML struct {
	LastUsedDate string `xml:",omitempty"`
	Region       string `xml:",omitempty"`
}

type roleXML struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	Description              string `xml:",omitempty"`
	MaxSessionDuration       int
	RoleLastUsed             *roleLastUsedXML `xml:",omitempty"`
	// Tags: in CreateRole and GetRole answers.
	Tags list[tagXML] `xml:",omitempty"`
}

func toRoleXML(r store.Role, lastUsed bool) roleXML {
	out := roleXML{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: r.ARN, CreateDate: isoTime(r.Created),
		AssumeRolePolicyDocument: urlEncodePolicy(r.TrustPolicy), Description: r.Description, MaxSessionDuration: r.MaxSessionDuration}
	if lastUsed {
		out.RoleLastUsed = &roleLastUsedXML{}
		if !r.LastUsed.IsZero() {
			out.RoleLastUsed.LastUsedDate = isoTime(r.LastUsed)
			out.RoleLastUsed.Region = r.LastUsedRegion
		}
	}
	return out
}

type createRoleResult struct {
	Role roleXML
}

// maxSessionDurationParam validates CreateRole's MaxSessionDuration.
func maxSessionDurationParam(rq *request) error {
	_, err := maxSessionDuration(rq.params)
	return err
}

// maxSessionDuration reads MaxSessionDuration (0: absent, the default).
func maxSessionDuration(p params) (int, error) {
	v, ok := p["MaxSessionDuration"]
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, constraintError(v, "maxSessionDuration", "must be an integer")
	}
	if n < store.MinMaxSessionDuration {
		return 0, constraintError(v, "maxSessionDuration", "must have value greater than or equal to 3600")
	}
	if n > store.MaxMaxSessionDuration {
		return 0, constraintError(v, "maxSessionDuration", "must have value less than or equal to 43200")
	}
	return n, nil
}

func (s *Server) createRole(rq *request) (any, error) {
	p := rq.params
	maxSession, err := maxSessionDuration(p)
	if err != nil {
		return nil, err
	}
	r, err := s.st.CreateRole(p.get("RoleName"), p.get("Path"), p.get("AssumeRolePolicyDocument"), p.get("Description"), maxSession, rq.tags...)
	if err != nil {
		return nil, err
	}
	out := toRoleXML(r, false)
	out.Tags = tagsXML(rq.tags)
	return createRoleResult{Role: out}, nil
}

type getRoleResult struct {
	Role roleXML
}

func (s *Server) getRole(rq *request) (any, error) {
	name := rq.params.get("RoleName")
	r, err := s.st.GetRole(name)
	if err != nil {
		return nil, err
	}
	tags, err := s.st.RoleTags(name)
	if err != nil {
		return nil, err
	}
	out := toRoleXML(r, true)
	out.Tags = tagsXML(tags)
	return getRoleResult{Role: out}, nil
}

func (s *Server) updateAssumeRolePolicy(rq *request) (any, error) {
	return nil, s.st.UpdateAssumeRolePolicy(rq.params.get("RoleName"), rq.params.get("PolicyDocument"))
}

type listRolesResult struct {
	Roles list[roleXML]
	pageInfo
}

// listRoles answers the roles under PathPrefix, by name, without tags or
// last use, as IAM's ListRoles does
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html).
func (s *Server) listRoles(rq *request) (any, error) {
	roles, err := s.st.ListRoles(pathPrefix(rq))
	if err != nil {
		return nil, err
	}
	start, end, info, err := paginate(rq.params, len(roles), func(i int) string { return roles[i].Name })
	if err != nil {
		return nil, err
	}
	out := listRolesResult{Roles: list[roleXML]{}, pageInfo: info}
	for _, r := range roles[start:end] {
		out.Roles = append(out.Roles, toRoleXML(r, false))
	}
	return out, nil
}
