package lab

import (
	"strconv"
	"strings"

	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// The IAM writes that change or remove what exists: policy versions,
// detaching and deleting, tagging and UpdateRole. Their errors are the
// store's: EntityAlreadyExists, NoSuchEntity, LimitExceeded (five policy
// versions) and DeleteConflict.

type createPolicyVersionResult struct {
	PolicyVersion policyVersionXML
}

func (s *Server) createPolicyVersion(rq *request) (any, error) {
	setDefault, err := boolParam(rq, "SetAsDefault", "setAsDefault")
	if err != nil {
		return nil, err
	}
	v, err := s.st.CreatePolicyVersion(rq.params.get("PolicyArn"), rq.params.get("PolicyDocument"), setDefault)
	if err != nil {
		return nil, err
	}
	// CreatePolicyVersion answers without the document
	// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicyVersion.html).
	return createPolicyVersionResult{PolicyVersion: policyVersionXML{VersionId: v.VersionID, IsDefaultVersion: v.IsDefault, CreateDate: isoTime(v.Created)}}, nil
}

// setAsDefaultParam validates CreatePolicyVersion's SetAsDefault.
func setAsDefaultParam(rq *request) error {
	_, err := boolParam(rq, "SetAsDefault", "setAsDefault")
	return err
}

func (s *Server) deletePolicyVersion(rq *request) (any, error) {
	return nil, s.st.DeletePolicyVersion(rq.params.get("PolicyArn"), rq.params.get("VersionId"))
}

func (s *Server) setDefaultPolicyVersion(rq *request) (any, error) {
	return nil, s.st.SetDefaultPolicyVersion(rq.params.get("PolicyArn"), rq.params.get("VersionId"))
}

type listPolicyVersionsResult struct {
	Versions list[policyVersionXML]
	pageInfo
}

// listPolicyVersions answers the versions newest first, without their
// documents, as IAM does.
func (s *Server) listPolicyVersions(rq *request) (any, error) {
	arn := rq.params.get("PolicyArn")
	if _, err := s.st.GetPolicy(arn); err != nil {
		return nil, err
	}
	vs, err := s.st.ListPolicyVersions(arn)
	if err != nil {
		return nil, err
	}
	start, end, info, err := paginate(rq.params, len(vs), func(i int) string { return strconv.Itoa(100000 + i) })
	if err != nil {
		return nil, err
	}
	out := listPolicyVersionsResult{Versions: list[policyVersionXML]{}, pageInfo: info}
	for _, v := range vs[start:end] {
		out.Versions = append(out.Versions, policyVersionXML{VersionId: v.VersionID, IsDefaultVersion: v.IsDefault, CreateDate: isoTime(v.Created)})
	}
	return out, nil
}

func (s *Server) detachUserPolicy(rq *request) (any, error) {
	return nil, s.st.DetachUserPolicy(rq.params.get("UserName"), rq.params.get("PolicyArn"))
}

func (s *Server) detachGroupPolicy(rq *request) (any, error) {
	return nil, s.st.DetachGroupPolicy(rq.params.get("GroupName"), rq.params.get("PolicyArn"))
}

func (s *Server) detachRolePolicy(rq *request) (any, error) {
	return nil, s.st.DetachRolePolicy(rq.params.get("RoleName"), rq.params.get("PolicyArn"))
}

func (s *Server) removeUserFromGroup(rq *request) (any, error) {
	return nil, s.st.RemoveUserFromGroup(rq.params.get("GroupName"), rq.params.get("UserName"))
}

func (s *Server) deleteUser(rq *request) (any, error) {
	return nil, s.st.DeleteUser(rq.params.get("UserName"))
}

func (s *Server) deleteGroup(rq *request) (any, error) {
	return nil, s.st.DeleteGroup(rq.params.get("GroupName"))
}

func (s *Server) deleteRole(rq *request) (any, error) {
	return nil, s.st.DeleteRole(rq.params.get("RoleName"))
}

func (s *Server) deletePolicy(rq *request) (any, error) {
	return nil, s.st.DeletePolicy(rq.params.get("PolicyArn"))
}

func (s *Server) deleteVirtualMFADevice(rq *request) (any, error) {
	return nil, s.st.DeleteVirtualMFADevice(rq.params.get("SerialNumber"))
}

// deleteInline answers Delete{User,Group,Role}Policy.
func deleteInline(entity string) func(*Server, *request) (any, error) {
	return func(s *Server, rq *request) (any, error) {
		return nil, s.st.DeleteInlinePolicy(entity, rq.params.get(entityParam(entity)), rq.params.get("PolicyName"))
	}
}

type getUserPolicyResult struct {
	UserName       string
	PolicyName     string
	PolicyDocument string
}

type getGroupPolicyResult struct {
	GroupName      string
	PolicyName     string
	PolicyDocument string
}

type getRolePolicyResult struct {
	RoleName       string
	PolicyName     string
	PolicyDocument string
}

// getInline answers Get{User,Group,Role}Policy with the URL-encoded
// document.
func getInline(entity string) func(*Server, *request) (any, error) {
	return func(s *Server, rq *request) (any, error) {
		name, p, err := s.st.GetInlinePolicy(entity, rq.params.get(entityParam(entity)), rq.params.get("PolicyName"))
		if err != nil {
			return nil, err
		}
		doc := urlEncodePolicy(p.Document)
		switch entity {
		case entityGroup:
			return getGroupPolicyResult{GroupName: name, PolicyName: p.Name, PolicyDocument: doc}, nil
		case entityRole:
			return getRolePolicyResult{RoleName: name, PolicyName: p.Name, PolicyDocument: doc}, nil
		}
		return getUserPolicyResult{UserName: name, PolicyName: p.Name, PolicyDocument: doc}, nil
	}
}

// tagKeysParam reads UntagX's TagKeys.member.N.
func tagKeysParam(rq *request) ([]string, error) {
	keys := rq.params.memberList("TagKeys")
	if len(keys) == 0 {
		return nil, missingError("tagKeys")
	}
	return keys, nil
}

// checkTagKeys reads an Untag* request's TagKeys before authorization:
// policies see them as aws:TagKeys
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html).
func checkTagKeys(rq *request) error {
	keys, err := tagKeysParam(rq)
	rq.untagKeys = keys
	return err
}

func (s *Server) tagUser(rq *request) (any, error) {
	return nil, s.st.TagUser(rq.params.get("UserName"), rq.tags)
}

func (s *Server) tagRole(rq *request) (any, error) {
	return nil, s.st.TagRole(rq.params.get("RoleName"), rq.tags)
}

func (s *Server) tagPolicy(rq *request) (any, error) {
	return nil, s.st.TagPolicy(rq.params.get("PolicyArn"), rq.tags)
}

func (s *Server) untagUser(rq *request) (any, error) {
	keys, err := tagKeysParam(rq)
	if err != nil {
		return nil, err
	}
	return nil, s.st.UntagUser(rq.params.get("UserName"), keys)
}

func (s *Server) untagRole(rq *request) (any, error) {
	keys, err := tagKeysParam(rq)
	if err != nil {
		return nil, err
	}
	return nil, s.st.UntagRole(rq.params.get("RoleName"), keys)
}

func (s *Server) untagPolicy(rq *request) (any, error) {
	keys, err := tagKeysParam(rq)
	if err != nil {
		return nil, err
	}
	return nil, s.st.UntagPolicy(rq.params.get("PolicyArn"), keys)
}

// requireTags refuses a Tag* request without tags: the dispatcher has read
// them into rq.tags (the action is its own tag action).
func requireTags(rq *request) error {
	if len(rq.tags) == 0 {
		return missingError("tags")
	}
	return nil
}

// updateRoleParams validates UpdateRole's optional parameters.
func updateRoleParams(rq *request) error {
	_, _, err := updateRoleFields(rq)
	return err
}

func updateRoleFields(rq *request) (description *string, maxSession *int, err error) {
	if rq.params.has("Description") {
		d := rq.params.get("Description")
		if len(d) > 1000 {
			return nil, nil, constraintError(truncate(d, 64), "description", "must have length less than or equal to 1000")
		}
		description = &d
	}
	if rq.params.has("MaxSessionDuration") {
		n, err := maxSessionDuration(rq.params)
		if err != nil {
			return nil, nil, err
		}
		maxSession = &n
	}
	return description, maxSession, nil
}

// updateRoleResult is UpdateRole's empty UpdateRoleResult element, which
// the SDKs expect
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateRole.html).
type updateRoleResult struct{}

func (s *Server) updateRole(rq *request) (any, error) {
	d, m, err := updateRoleFields(rq)
	if err != nil {
		return nil, err
	}
	if err := s.st.UpdateRole(rq.params.get("RoleName"), d, m); err != nil {
		return nil, err
	}
	return updateRoleResult{}, nil
}

type getGroupResult struct {
	Group groupXML
	Users list[userXML]
	pageInfo
}

// getGroup answers the group and a page of its members, by name.
func (s *Server) getGroup(rq *request) (any, error) {
	g, err := s.st.GetGroup(rq.params.get("GroupName"))
	if err != nil {
		return nil, err
	}
	users, err := s.st.ListGroupMembers(g.Name)
	if err != nil {
		return nil, err
	}
	start, end, info, err := paginate(rq.params, len(users), func(i int) string { return users[i].Name })
	if err != nil {
		return nil, err
	}
	out := getGroupResult{Group: toGroupXML(g), Users: list[userXML]{}, pageInfo: info}
	for _, u := range users[start:end] {
		out.Users = append(out.Users, toUserXML(u))
	}
	return out, nil
}

type listGroupsResult struct {
	Groups list[groupXML]
	pageInfo
}

func (s *Server) listGroups(rq *request) (any, error) {
	groups, err := s.st.ListGroups(pathPrefix(rq))
	if err != nil {
		return nil, err
	}
	start, end, info, err := paginate(rq.params, len(groups), func(i int) string { return groups[i].Name })
	if err != nil {
		return nil, err
	}
	out := listGroupsResult{Groups: list[groupXML]{}, pageInfo: info}
	for _, g := range groups[start:end] {
		out.Groups = append(out.Groups, toGroupXML(g))
	}
	return out, nil
}

// listPoliciesParams validates ListPolicies' Scope (All, AWS, Local),
// OnlyAttached and PathPrefix
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPolicies.html).
func listPoliciesParams(rq *request) error {
	_, _, _, err := listPoliciesFilter(rq)
	return err
}

func listPoliciesFilter(rq *request) (local, aws, onlyAttached bool, err error) {
	switch scope := rq.params.get("Scope"); scope {
	case "", "All":
		local, aws = true, true
	case "AWS":
		aws = true
	case "Local":
		local = true
	default:
		return false, false, false, constraintError(scope, "scope", "must satisfy enum value set: [All, AWS, Local]")
	}
	if onlyAttached, err = boolParam(rq, "OnlyAttached", "onlyAttached"); err != nil {
		return false, false, false, err
	}
	return local, aws, onlyAttached, policyPathPrefixParam(rq)
}

type listPoliciesResult struct {
	Policies list[policyXML]
	pageInfo
}

// listPolicies answers the managed policies by name, without their
// descriptions and tags, as IAM's ListPolicies does.
func (s *Server) listPolicies(rq *request) (any, error) {
	local, aws, onlyAttached, err := listPoliciesFilter(rq)
	if err != nil {
		return nil, err
	}
	all, err := s.st.ListPolicies(local, aws, onlyAttached)
	if err != nil {
		return nil, err
	}
	prefix := rq.params.get("PathPrefix")
	var kept []store.ManagedPolicy
	for _, p := range all {
		if strings.HasPrefix(p.Path, prefix) {
			kept = append(kept, p)
		}
	}
	start, end, info, err := paginate(rq.params, len(kept), func(i int) string { return kept[i].Name + " " + kept[i].ARN })
	if err != nil {
		return nil, err
	}
	out := listPoliciesResult{Policies: list[policyXML]{}, pageInfo: info}
	for _, p := range kept[start:end] {
		x := toPolicyXML(p, nil)
		x.Description = ""
		out.Policies = append(out.Policies, x)
	}
	return out, nil
}

type policyGroupXML struct {
	GroupName string
	GroupId   string
}

type policyUserXML struct {
	UserName string
	UserId   string
}

type policyRoleXML struct {
	RoleName string
	RoleId   string
}

type listEntitiesForPolicyResult struct {
	PolicyGroups list[policyGroupXML]
	PolicyUsers  list[policyUserXML]
	PolicyRoles  list[policyRoleXML]
	pageInfo
}

// entityFilterParam validates ListEntitiesForPolicy's EntityFilter.
func entityFilterParam(rq *request) error {
	_, err := entityFilter(rq)
	return err
}

// entityFilter is the entity type EntityFilter keeps ("" for all; the
// policy filters keep none: a managed policy is not attached to policies).
func entityFilter(rq *request) (string, error) {
	switch f := rq.params.get("EntityFilter"); f {
	case "":
		return "", nil
	case "User":
		return entityUser, nil
	case "Group":
		return entityGroup, nil
	case "Role":
		return entityRole, nil
	case "LocalManagedPolicy", "AWSManagedPolicy":
		return "none", nil
	default:
		return "", constraintError(f, "entityFilter", "must satisfy enum value set: [User, Role, LocalManagedPolicy, Group, AWSManagedPolicy]")
	}
}

// listEntitiesForPolicy answers the groups, users and roles a managed
// policy is attached to
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListEntitiesForPolicy.html).
func (s *Server) listEntitiesForPolicy(rq *request) (any, error) {
	filter, err := entityFilter(rq)
	if err != nil {
		return nil, err
	}
	all, err := s.st.ListEntitiesForPolicy(rq.params.get("PolicyArn"))
	if err != nil {
		return nil, err
	}
	prefix := rq.params.get("PathPrefix")
	var kept []store.PolicyEntity
	for _, e := range all {
		if (filter == "" || filter == e.Type) && strings.HasPrefix(e.Path, prefix) {
			kept = append(kept, e)
		}
	}
	start, end, info, err := paginate(rq.params, len(kept), func(i int) string { return kept[i].Type + " " + kept[i].Name })
	if err != nil {
		return nil, err
	}
	out := listEntitiesForPolicyResult{PolicyGroups: list[policyGroupXML]{}, PolicyUsers: list[policyUserXML]{}, PolicyRoles: list[policyRoleXML]{}, pageInfo: info}
	for _, e := range kept[start:end] {
		switch e.Type {
		case entityGroup:
			out.PolicyGroups = append(out.PolicyGroups, policyGroupXML{GroupName: e.Name, GroupId: e.ID})
		case entityUser:
			out.PolicyUsers = append(out.PolicyUsers, policyUserXML{UserName: e.Name, UserId: e.ID})
		default:
			out.PolicyRoles = append(out.PolicyRoles, policyRoleXML{RoleName: e.Name, RoleId: e.ID})
		}
	}
	return out, nil
}
