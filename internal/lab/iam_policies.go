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
	Tags                          list[tagXML] `xml:",omitempty"`
}

// toPolicyXML describes a policy as CreatePolicy and GetPolicy answer it:
// with its Description and tags (the Policy type
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_Policy.html
// leaves the description out of ListPolicies only).
func toPolicyXML(p store.ManagedPolicy, tags []store.Tag) policyXML {
	return policyXML{PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion,
		AttachmentCount: p.AttachmentCount, IsAttachable: true, Description: p.Description,
		CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Updated), Tags: tagsXML(tags)}
}

type createPolicyResult struct {
	Policy policyXML
}

func (s *Server) createPolicy(rq *request) (any, error) {
	p := rq.params
	mp, err := s.st.CreatePolicy(p.get("PolicyName"), p.get("Path"), p.get("PolicyDocument"), p.get("Description"), rq.tags...)
	if err != nil {
		return nil, err
	}
	return createPolicyResult{Policy: toPolicyXML(mp, rq.tags)}, nil
}

type getPolicyResult struct {
	Policy policyXML
}

func (s *Server) getPolicy(rq *request) (any, error) {
	mp, err := s.st.GetPolicy(rq.params.get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	tags, err := s.st.PolicyTags(mp.ARN)
	if err != nil {
		return nil, err
	}
	return getPolicyResult{Policy: toPolicyXML(mp, tags)}, nil
}

type policyVersionXML struct {
	Document         string `xml:",omitempty"`
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string
}

type getPolicyVersionResult struct {
	PolicyVersion policyVersionXML
}

func (s *Server) getPolicyVersion(rq *request) (any, error) {
	v, err := s.st.GetPolicyVersion(rq.params.get("PolicyArn"), rq.params.get("VersionId"))
	if err != nil {
		return nil, err
	}
	return getPolicyVersionResult{PolicyVersion: policyVersionXML{Document: urlEncodePolicy(v.Document), VersionId: v.VersionID, IsDefaultVersion: v.IsDefault, CreateDate: isoTime(v.Created)}}, nil
}

func (s *Server) attachUserPolicy(rq *request) (any, error) {
	return nil, s.st.AttachUserPolicy(rq.params.get("UserName"), rq.params.get("PolicyArn"))
}

func (s *Server) attachGroupPolicy(rq *request) (any, error) {
	return nil, s.st.AttachGroupPolicy(rq.params.get("GroupName"), rq.params.get("PolicyArn"))
}

func (s *Server) attachRolePolicy(rq *request) (any, error) {
	return nil, s.st.AttachRolePolicy(rq.params.get("RoleName"), rq.params.get("PolicyArn"))
}

func (s *Server) putUserPolicy(rq *request) (any, error) {
	p := rq.params
	return nil, s.st.PutUserPolicy(p.get("UserName"), p.get("PolicyName"), p.get("PolicyDocument"))
}

func (s *Server) putGroupPolicy(rq *request) (any, error) {
	p := rq.params
	return nil, s.st.PutGroupPolicy(p.get("GroupName"), p.get("PolicyName"), p.get("PolicyDocument"))
}

func (s *Server) putRolePolicy(rq *request) (any, error) {
	p := rq.params
	return nil, s.st.PutRolePolicy(p.get("RoleName"), p.get("PolicyName"), p.get("PolicyDocument"))
}
