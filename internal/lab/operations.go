package lab

import (
	"fmt"
	"net/http"
	"sync"
)

// operation is one API action of the lab: one entry of operationTable.
// Authorization is the dispatcher's, not the handler's: it derives the
// resource from the request, authorizes the caller on it, and only then
// runs the handler, so no handler can act (or write) for a caller who may
// not. Adding an action is adding one entry.
type operation struct {
	service string // SigV4 service name: sts, iam, ec2, organizations
	name    string // the API action, "CreateUser"
	// resource derives the ARN the action is authorized on from the
	// request parameters, validating those it reads (AWS answers a
	// ValidationError before an AccessDenied). It may read the store,
	// never write.
	resource resourceFunc
	// tagAction is authorized on the same resource too when the request
	// carries Tags: IAM requires iam:TagUser to create a user with tags
	// (a refusal names iam:TagRole for CreateRole,
	// https://github.com/openshift/installer/issues/1073).
	tagAction string
	// authorize replaces resource for an action AWS authorizes otherwise
	// (sts:AssumeRole: identity policies and the role's trust policy). It
	// must decide without writing.
	authorize func(*Server, *request) error
	// public actions need no permission and cannot be denied
	// (sts:GetCallerIdentity, sts:GetSessionToken).
	public bool
	// unsupported parameters are refused: the lab never ignores a
	// parameter that would change the answer.
	unsupported []string
	handler     func(*Server, *request) (any, error)
}

func (op *operation) action() string { return op.service + ":" + op.name }

// operationTable lists every action the lab answers.
var operationTable = []operation{
	{service: serviceSTS, name: "GetCallerIdentity", public: true, handler: (*Server).getCallerIdentity},
	{service: serviceSTS, name: "GetSessionToken", public: true, handler: (*Server).getSessionToken},
	{service: serviceSTS, name: "AssumeRole", authorize: (*Server).authorizeAssumeRole, handler: (*Server).assumeRole,
		unsupported: []string{"Tags", "TransitiveTagKeys", "ProvidedContexts"}},

	{service: serviceIAM, name: "CreateUser", resource: newEntity("user", "UserName", "userName", 64), tagAction: "iam:TagUser", handler: (*Server).createUser,
		unsupported: []string{"PermissionsBoundary"}},
	{service: serviceIAM, name: "GetUser", resource: targetUserResource, handler: (*Server).getUser},
	{service: serviceIAM, name: "ListUsers", resource: pathPrefixResource("user"), handler: (*Server).listUsers},
	{service: serviceIAM, name: "ListUserTags", resource: existing(entityUser), handler: (*Server).listUserTags},
	{service: serviceIAM, name: "CreateAccessKey", resource: targetUserResource, handler: (*Server).createAccessKey},
	{service: serviceIAM, name: "DeleteAccessKey", resource: checked(targetUserResource, required("AccessKeyId", "accessKeyId")), handler: (*Server).deleteAccessKey},
	{service: serviceIAM, name: "ListAccessKeys", resource: targetUserResource, handler: (*Server).listAccessKeys},
	{service: serviceIAM, name: "UpdateAccessKey", resource: checked(targetUserResource, accessKeyIDParam, accessKeyStatusParam), handler: (*Server).updateAccessKey},
	{service: serviceIAM, name: "GetAccessKeyLastUsed", resource: accessKeyOwnerResource, handler: (*Server).getAccessKeyLastUsed},
	{service: serviceIAM, name: "CreateGroup", resource: newEntity("group", "GroupName", "groupName", 128), handler: (*Server).createGroup},
	{service: serviceIAM, name: "AddUserToGroup", resource: checked(existing(entityGroup), name("UserName", "userName", 64)), handler: (*Server).addUserToGroup},
	{service: serviceIAM, name: "ListGroupsForUser", resource: existing(entityUser), handler: (*Server).listGroupsForUser},
	{service: serviceIAM, name: "CreatePolicy", resource: newEntity("policy", "PolicyName", "policyName", 128, required("PolicyDocument", "policyDocument")),
		tagAction: "iam:TagPolicy", handler: (*Server).createPolicy},
	{service: serviceIAM, name: "GetPolicy", resource: policyResource, handler: (*Server).getPolicy},
	{service: serviceIAM, name: "GetPolicyVersion", resource: checked(policyResource, required("VersionId", "versionId")), handler: (*Server).getPolicyVersion},
	{service: serviceIAM, name: "ListPolicyTags", resource: policyResource, handler: (*Server).listPolicyTags},
	{service: serviceIAM, name: "AttachUserPolicy", resource: attachResource(entityUser), handler: (*Server).attachUserPolicy},
	{service: serviceIAM, name: "AttachGroupPolicy", resource: attachResource(entityGroup), handler: (*Server).attachGroupPolicy},
	{service: serviceIAM, name: "AttachRolePolicy", resource: attachResource(entityRole), handler: (*Server).attachRolePolicy},
	{service: serviceIAM, name: "PutUserPolicy", resource: putResource(entityUser), handler: (*Server).putUserPolicy},
	{service: serviceIAM, name: "PutGroupPolicy", resource: putResource(entityGroup), handler: (*Server).putGroupPolicy},
	{service: serviceIAM, name: "PutRolePolicy", resource: putResource(entityRole), handler: (*Server).putRolePolicy},
	{service: serviceIAM, name: "CreateRole", resource: newEntity("role", "RoleName", "roleName", 64, required("AssumeRolePolicyDocument", "assumeRolePolicyDocument"), maxSessionDurationParam),
		tagAction: "iam:TagRole", handler: (*Server).createRole, unsupported: []string{"PermissionsBoundary"}},
	{service: serviceIAM, name: "ListRoles", resource: pathPrefixResource("role"), handler: (*Server).listRoles},
	{service: serviceIAM, name: "GetRole", resource: existing(entityRole), handler: (*Server).getRole},
	{service: serviceIAM, name: "ListRoleTags", resource: existing(entityRole), handler: (*Server).listRoleTags},
	{service: serviceIAM, name: "UpdateAssumeRolePolicy", resource: checked(existing(entityRole), required("PolicyDocument", "policyDocument")), handler: (*Server).updateAssumeRolePolicy},
	{service: serviceIAM, name: "CreateVirtualMFADevice", resource: newEntity("mfa", "VirtualMFADeviceName", "virtualMFADeviceName", 226),
		tagAction: "iam:TagMFADevice", handler: (*Server).createVirtualMFADevice},
	{service: serviceIAM, name: "EnableMFADevice", resource: mfaDeviceUserResource, handler: (*Server).enableMFADevice},
	{service: serviceIAM, name: "ResyncMFADevice", resource: mfaDeviceUserResource, handler: (*Server).resyncMFADevice},
	{service: serviceIAM, name: "DeactivateMFADevice", resource: mfaDeviceUserResource, handler: (*Server).deactivateMFADevice},
	{service: serviceIAM, name: "ListMFADevices", resource: targetUserResource, handler: (*Server).listMFADevices},
	{service: serviceIAM, name: "ListMFADeviceTags", resource: serialResource, handler: (*Server).listMFADeviceTags},
	{service: serviceIAM, name: "ListVirtualMFADevices", resource: checked(anyResource, assignmentStatusParam), handler: (*Server).listVirtualMFADevices},
	{service: serviceIAM, name: "GetAccountAuthorizationDetails", resource: checked(anyResource, authDetailsFilterParam), handler: (*Server).getAccountAuthorizationDetails},
	{service: serviceIAM, name: "GenerateCredentialReport", resource: anyResource, handler: (*Server).generateCredentialReport},
	{service: serviceIAM, name: "GetCredentialReport", resource: anyResource, handler: (*Server).getCredentialReport},
	{service: serviceIAM, name: "GetAccountSummary", resource: anyResource, handler: (*Server).getAccountSummary},
	{service: serviceIAM, name: "CreateLoginProfile", resource: checked(loginUserResource, passwordParam, passwordResetParam), handler: (*Server).createLoginProfile},
	{service: serviceIAM, name: "GetLoginProfile", resource: loginUserResource, handler: (*Server).getLoginProfile},
	{service: serviceIAM, name: "DeleteLoginProfile", resource: loginUserResource, handler: (*Server).deleteLoginProfile},
	{service: serviceIAM, name: "ListAttachedUserPolicies", resource: checked(existing(entityUser), policyPathPrefixParam), handler: (*Server).listAttachedUserPolicies},
	{service: serviceIAM, name: "ListAttachedGroupPolicies", resource: checked(existing(entityGroup), policyPathPrefixParam), handler: (*Server).listAttachedGroupPolicies},
	{service: serviceIAM, name: "ListAttachedRolePolicies", resource: checked(existing(entityRole), policyPathPrefixParam), handler: (*Server).listAttachedRolePolicies},
	{service: serviceIAM, name: "ListUserPolicies", resource: existing(entityUser), handler: (*Server).listUserPolicies},
	{service: serviceIAM, name: "ListGroupPolicies", resource: existing(entityGroup), handler: (*Server).listGroupPolicies},
	{service: serviceIAM, name: "ListRolePolicies", resource: existing(entityRole), handler: (*Server).listRolePolicies},

	// Changes and deletions (issue 9).
	{service: serviceIAM, name: "CreatePolicyVersion", resource: checked(policyResource, required("PolicyDocument", "policyDocument"), setAsDefaultParam), handler: (*Server).createPolicyVersion},
	{service: serviceIAM, name: "DeletePolicyVersion", resource: checked(policyResource, required("VersionId", "versionId")), handler: (*Server).deletePolicyVersion},
	{service: serviceIAM, name: "SetDefaultPolicyVersion", resource: checked(policyResource, required("VersionId", "versionId")), handler: (*Server).setDefaultPolicyVersion},
	{service: serviceIAM, name: "ListPolicyVersions", resource: policyResource, handler: (*Server).listPolicyVersions},
	{service: serviceIAM, name: "DetachUserPolicy", resource: attachResource(entityUser), handler: (*Server).detachUserPolicy},
	{service: serviceIAM, name: "DetachGroupPolicy", resource: attachResource(entityGroup), handler: (*Server).detachGroupPolicy},
	{service: serviceIAM, name: "DetachRolePolicy", resource: attachResource(entityRole), handler: (*Server).detachRolePolicy},
	{service: serviceIAM, name: "RemoveUserFromGroup", resource: checked(existing(entityGroup), name("UserName", "userName", 128)), handler: (*Server).removeUserFromGroup},
	{service: serviceIAM, name: "DeleteUser", resource: existing(entityUser), handler: (*Server).deleteUser},
	{service: serviceIAM, name: "DeleteGroup", resource: existing(entityGroup), handler: (*Server).deleteGroup},
	{service: serviceIAM, name: "DeleteRole", resource: existing(entityRole), handler: (*Server).deleteRole},
	{service: serviceIAM, name: "DeletePolicy", resource: policyResource, handler: (*Server).deletePolicy},
	{service: serviceIAM, name: "DeleteUserPolicy", resource: inlineResource(entityUser), handler: deleteInline(entityUser)},
	{service: serviceIAM, name: "DeleteGroupPolicy", resource: inlineResource(entityGroup), handler: deleteInline(entityGroup)},
	{service: serviceIAM, name: "DeleteRolePolicy", resource: inlineResource(entityRole), handler: deleteInline(entityRole)},
	{service: serviceIAM, name: "GetUserPolicy", resource: inlineResource(entityUser), handler: getInline(entityUser)},
	{service: serviceIAM, name: "GetGroupPolicy", resource: inlineResource(entityGroup), handler: getInline(entityGroup)},
	{service: serviceIAM, name: "GetRolePolicy", resource: inlineResource(entityRole), handler: getInline(entityRole)},
	{service: serviceIAM, name: "DeleteVirtualMFADevice", resource: serialResource, handler: (*Server).deleteVirtualMFADevice},
	{service: serviceIAM, name: "GetGroup", resource: existing(entityGroup), handler: (*Server).getGroup},
	{service: serviceIAM, name: "ListGroups", resource: pathPrefixResource("group"), handler: (*Server).listGroups},
	{service: serviceIAM, name: "ListPolicies", resource: checked(anyResource, listPoliciesParams), handler: (*Server).listPolicies,
		unsupported: []string{"PolicyUsageFilter"}},
	{service: serviceIAM, name: "TagUser", resource: checked(existing(entityUser), requireTags), tagAction: "iam:TagUser", handler: (*Server).tagUser},
	{service: serviceIAM, name: "TagRole", resource: checked(existing(entityRole), requireTags), tagAction: "iam:TagRole", handler: (*Server).tagRole},
	{service: serviceIAM, name: "TagPolicy", resource: checked(policyResource, requireTags), tagAction: "iam:TagPolicy", handler: (*Server).tagPolicy},
	{service: serviceIAM, name: "UntagUser", resource: checked(existing(entityUser), checkTagKeys), handler: (*Server).untagUser},
	{service: serviceIAM, name: "UntagRole", resource: checked(existing(entityRole), checkTagKeys), handler: (*Server).untagRole},
	{service: serviceIAM, name: "UntagPolicy", resource: checked(policyResource, checkTagKeys), handler: (*Server).untagPolicy},
	{service: serviceIAM, name: "ListEntitiesForPolicy", resource: checked(policyResource, entityFilterParam, policyPathPrefixParam), handler: (*Server).listEntitiesForPolicy,
		unsupported: []string{"PolicyUsageFilter"}},
	{service: serviceIAM, name: "UpdateRole", resource: checked(existing(entityRole), updateRoleParams), handler: (*Server).updateRole},

	// Organizations: the lab's account is in no organization.
	{service: serviceOrganizations, name: "DescribeOrganization", resource: anyResource, handler: (*Server).describeOrganization},

	// EC2 authorizes DescribeRegions on "*" (no resource type).
	{service: serviceEC2, name: "DescribeRegions", resource: checked(anyResource, describeRegionsParams), handler: (*Server).describeRegions},
}

// operations indexes operationTable by service and action.
var operations = sync.OnceValue(func() map[string]map[string]*operation { return indexOperations(operationTable) })

func indexOperations(table []operation) map[string]map[string]*operation {
	out := map[string]map[string]*operation{}
	for i := range table {
		op := &table[i]
		kinds := 0
		for _, set := range []bool{op.public, op.authorize != nil, op.resource != nil} {
			if set {
				kinds++
			}
		}
		if kinds != 1 || op.handler == nil {
			panic(fmt.Sprintf("lab: operation %s needs a handler and exactly one of public, authorize, resource", op.action()))
		}
		if out[op.service] == nil {
			out[op.service] = map[string]*operation{}
		}
		if out[op.service][op.name] != nil {
			panic("lab: operation " + op.action() + " listed twice")
		}
		out[op.service][op.name] = op
	}
	return out
}

// authorizeOperation decides whether rq's caller may perform op, before
// its handler runs.
func (s *Server) authorizeOperation(rq *request, op *operation) error {
	if err := refuseUnsupported(rq, op); err != nil {
		return err
	}
	switch {
	case op.public:
		return nil
	case op.authorize != nil:
		if err := op.authorize(s, rq); err != nil {
			return err
		}
	default:
		if op.tagAction != "" {
			tags, err := tagsParam(rq.params)
			if err != nil {
				return err
			}
			rq.tags = tags
		}
		resource, err := op.resource(s, rq)
		if err != nil {
			return err
		}
		rq.resource = resource
		if err := s.authorize(rq, rq.apiAction(), resource); err != nil {
			return err
		}
		if len(rq.tags) > 0 {
			if err := s.authorize(rq, op.tagAction, resource); err != nil {
				return err
			}
		}
	}
	if !rq.authorized {
		return fmt.Errorf("lab: %s was not authorized", rq.apiAction())
	}
	return nil
}

// refuseUnsupported answers a parameter the lab does not implement with a
// clear error rather than ignoring it.
func refuseUnsupported(rq *request, op *operation) error {
	for _, name := range op.unsupported {
		if rq.params.hasAny(name) {
			return errSender(http.StatusBadRequest, "ValidationError",
				"The awsmfa lab does not implement the "+name+" parameter of "+op.name+"; it refuses the request rather than ignore it.")
		}
	}
	return nil
}
