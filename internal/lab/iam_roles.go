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

func (s *Server) roleARN(name string) string {
	if r, err := s.st.GetRole(name); err == nil {
		return r.ARN
	}
	return s.st.ARN("role", "/", name)
}

type createRoleResult struct {
	Role roleXML
}

func (s *Server) createRole(rq *request) (any, error) {
	p := rq.params
	name := p.get("RoleName")
	if err := store.ValidateName(name, "roleName", 64); err != nil {
		return nil, err
	}
	path, err := store.NormalizePath(p.get("Path"))
	if err != nil {
		return nil, err
	}
	if !p.has("AssumeRolePolicyDocument") {
		return nil, missingError("assumeRolePolicyDocument")
	}
	maxSession := 0
	if v, ok := p["MaxSessionDuration"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, constraintError(v, "maxSessionDuration", "must be an integer")
		}
		if n < store.MinMaxSessionDuration {
			return nil, constraintError(v, "maxSessionDuration", "must have value greater than or equal to 3600")
		}
		maxSession = n
	}
	if err := s.authorize(rq, s.st.ARN("role", path, name)); err != nil {
		return nil, err
	}
	r, err := s.st.CreateRole(name, path, p.get("AssumeRolePolicyDocument"), p.get("Description"), maxSession)
	if err != nil {
		return nil, err
	}
	return createRoleResult{Role: toRoleXML(r, false)}, nil
}

type getRoleResult struct {
	Role roleXML
}

func (s *Server) getRole(rq *request) (any, error) {
	name := rq.params.get("RoleName")
	if err := store.ValidateName(name, "roleName", 64); err != nil {
		return nil, err
	}
	if err := s.authorize(rq, s.roleARN(name)); err != nil {
		return nil, err
	}
	r, err := s.st.GetRole(name)
	if err != nil {
		return nil, err
	}
	return getRoleResult{Role: toRoleXML(r, true)}, nil
}

func (s *Server) updateAssumeRolePolicy(rq *request) (any, error) {
	p := rq.params
	name := p.get("RoleName")
	if err := store.ValidateName(name, "roleName", 64); err != nil {
		return nil, err
	}
	if !p.has("PolicyDocument") {
		return nil, missingError("policyDocument")
	}
	if err := s.authorize(rq, s.roleARN(name)); err != nil {
		return nil, err
	}
	return nil, s.st.UpdateAssumeRolePolicy(name, p.get("PolicyDocument"))
}
