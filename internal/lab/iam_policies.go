package lab

import (
	"github.com/awsmfa/awsmfa/internal/lab/store"
)

type policyXML struct {
	PolicyName                    string
	PolicyId                      string
	Arn                           string
	Path                          string
	DefaultVersionId              string
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    string
	UpdateDate                    string
}

func toPolicyXML(p store.ManagedPolicy, withDescription bool) policyXML {
	out := policyXML{PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion,
		AttachmentCount: p.AttachmentCount, IsAttachable: true, CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Updated)}
	if withDescription {
		out.Description = p.Description
	}
	return out
}

type createPolicyResult struct {
	Policy policyXML
}

func (s *Server) createPolicy(rq *request) (any, error) {
	p := rq.params
	name := p.get("PolicyName")
	if err := store.ValidateName(name, "policyName", 128); err != nil {
		return nil, err
	}
	path, err := store.NormalizePath(p.get("Path"))
	if err != nil {
		return nil, err
	}
	if !p.has("PolicyDocument") {
		return nil, missingError("policyDocument")
	}
	if err := s.authorize(rq, s.st.ARN("policy", path, name)); err != nil {
		return nil, err
	}
	mp, err := s.st.CreatePolicy(name, path, p.get("PolicyDocument"), p.get("Description"))
	if err != nil {
		return nil, err
	}
	// IAM returns a policy's Description from GetPolicy, not from
	// CreatePolicy (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Policy.html).
	return createPolicyResult{Policy: toPolicyXML(mp, false)}, nil
}

type getPolicyResult struct {
	Policy policyXML
}

func policyARNParam(rq *request) (string, error) {
	arn := rq.params.get("PolicyArn")
	if !rq.params.has("PolicyArn") {
		return "", missingError("policyArn")
	}
	return arn, store.CheckPolicyARN(arn)
}

func (s *Server) getPolicy(rq *request) (any, error) {
	arn, err := policyARNParam(rq)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(rq, arn); err != nil {
		return nil, err
	}
	mp, err := s.st.GetPolicy(arn)
	if err != nil {
		return nil, err
	}
	return getPolicyResult{Policy: toPolicyXML(mp, true)}, nil
}

type policyVersionXML struct {
	Document         string
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string
}

type getPolicyVersionResult struct {
	PolicyVersion policyVersionXML
}

func (s *Server) getPolicyVersion(rq *request) (any, error) {
	arn, err := policyARNParam(rq)
	if err != nil {
		return nil, err
	}
	if !rq.params.has("VersionId") {
		return nil, missingError("versionId")
	}
	if err := s.authorize(rq, arn); err != nil {
		return nil, err
	}
	v, err := s.st.GetPolicyVersion(arn, rq.params.get("VersionId"))
	if err != nil {
		return nil, err
	}
	return getPolicyVersionResult{PolicyVersion: policyVersionXML{Document: urlEncodePolicy(v.Document), VersionId: v.VersionID, IsDefaultVersion: v.IsDefault, CreateDate: isoTime(v.Created)}}, nil
}

// entityARN returns the ARN of a user, group or role for authorization.
func (s *Server) entityARN(entity, name string) string {
	switch entity {
	case store.EntityGroup:
		return s.groupARN(name)
	case store.EntityRole:
		return s.roleARN(name)
	}
	return s.userARN(name)
}

func entityParam(entity string) string {
	switch entity {
	case store.EntityGroup:
		return "GroupName"
	case store.EntityRole:
		return "RoleName"
	}
	return "UserName"
}

func (s *Server) attachPolicy(rq *request, entity string, attach func(name, arn string) error) (any, error) {
	name := rq.params.get(entityParam(entity))
	if err := store.ValidateName(name, entity+"Name", 128); err != nil {
		return nil, err
	}
	arn, err := policyARNParam(rq)
	if err != nil {
		return nil, err
	}
	// iam:PolicyARN is the condition key of the Attach*Policy actions.
	rq.extra = append(rq.extra, [2]string{"iam:PolicyARN", arn})
	if err := s.authorize(rq, s.entityARN(entity, name)); err != nil {
		return nil, err
	}
	return nil, attach(name, arn)
}

func (s *Server) attachUserPolicy(rq *request) (any, error) {
	return s.attachPolicy(rq, store.EntityUser, s.st.AttachUserPolicy)
}

func (s *Server) attachGroupPolicy(rq *request) (any, error) {
	return s.attachPolicy(rq, store.EntityGroup, s.st.AttachGroupPolicy)
}

func (s *Server) attachRolePolicy(rq *request) (any, error) {
	return s.attachPolicy(rq, store.EntityRole, s.st.AttachRolePolicy)
}

func (s *Server) putPolicy(rq *request, entity string, put func(name, policyName, doc string) error) (any, error) {
	p := rq.params
	name := p.get(entityParam(entity))
	if err := store.ValidateName(name, entity+"Name", 128); err != nil {
		return nil, err
	}
	if err := store.ValidateName(p.get("PolicyName"), "policyName", 128); err != nil {
		return nil, err
	}
	if !p.has("PolicyDocument") {
		return nil, missingError("policyDocument")
	}
	if err := s.authorize(rq, s.entityARN(entity, name)); err != nil {
		return nil, err
	}
	return nil, put(name, p.get("PolicyName"), p.get("PolicyDocument"))
}

func (s *Server) putUserPolicy(rq *request) (any, error) {
	return s.putPolicy(rq, store.EntityUser, s.st.PutUserPolicy)
}

func (s *Server) putGroupPolicy(rq *request) (any, error) {
	return s.putPolicy(rq, store.EntityGroup, s.st.PutGroupPolicy)
}

func (s *Server) putRolePolicy(rq *request) (any, error) {
	return s.putPolicy(rq, store.EntityRole, s.st.PutRolePolicy)
}
