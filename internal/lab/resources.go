package lab

import (
	"errors"

	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// resourceFunc derives the ARN an operation is authorized on from the
// request parameters, validating the parameters it reads. IAM resource
// ARNs follow the Service Authorization Reference
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html#awsidentityandaccessmanagementiam-resources-for-iam-policies).
type resourceFunc func(s *Server, rq *request) (string, error)

// paramCheck validates one more parameter before authorization.
type paramCheck func(rq *request) error

// checked runs the checks after rf.
func checked(rf resourceFunc, checks ...paramCheck) resourceFunc {
	return func(s *Server, rq *request) (string, error) {
		arn, err := rf(s, rq)
		if err != nil {
			return "", err
		}
		for _, c := range checks {
			if err := c(rq); err != nil {
				return "", err
			}
		}
		return arn, nil
	}
}

// required refuses a request without the parameter.
func required(param, field string) paramCheck {
	return func(rq *request) error {
		if !rq.params.has(param) {
			return missingError(field)
		}
		return nil
	}
}

// name validates an entity name parameter.
func name(param, field string, max int) paramCheck {
	return func(rq *request) error { return store.ValidateName(rq.params.get(param), field, max) }
}

// anyResource is "*", for actions without a resource type.
func anyResource(*Server, *request) (string, error) { return "*", nil }

// newEntity is the ARN of the entity a Create* action creates,
// arn:aws:iam::ACCOUNT:TYPE/PATH/NAME, from its name and Path parameters.
func newEntity(typ, nameParam, field string, max int, checks ...paramCheck) resourceFunc {
	return func(s *Server, rq *request) (string, error) {
		n := rq.params.get(nameParam)
		if err := store.ValidateName(n, field, max); err != nil {
			return "", err
		}
		path, err := store.NormalizePath(rq.params.get("Path"))
		if err != nil {
			return "", err
		}
		for _, c := range checks {
			if err := c(rq); err != nil {
				return "", err
			}
		}
		return s.st.ARN(typ, path, n), nil
	}
}

// Entity types of existing(): the store's names.
const (
	entityUser  = store.EntityUser
	entityGroup = store.EntityGroup
	entityRole  = store.EntityRole
)

// entityParam is the parameter naming an entity of the type.
func entityParam(entity string) string {
	switch entity {
	case entityGroup:
		return "GroupName"
	case entityRole:
		return "RoleName"
	}
	return "UserName"
}

// entityNameMax is the longest name of an existing entity IAM accepts
// (existingUserNameType and groupNameType 128, roleNameType 64).
func entityNameMax(entity string) int {
	if entity == entityRole {
		return 64
	}
	return 128
}

// entityName reads and validates the parameter naming an entity.
func entityName(rq *request, entity string) (string, error) {
	n := rq.params.get(entityParam(entity))
	return n, store.ValidateName(n, entity+"Name", entityNameMax(entity))
}

// existing is the ARN of the user, group or role the request names (with
// its real path when it exists).
func existing(entity string) resourceFunc {
	return func(s *Server, rq *request) (string, error) {
		n, err := entityName(rq, entity)
		if err != nil {
			return "", err
		}
		return s.entityARN(entity, n), nil
	}
}

// targetUserResource is the user of an optional UserName parameter: the
// named user, else the calling user, or the root user.
func targetUserResource(s *Server, rq *request) (string, error) {
	n, root, err := s.targetUser(rq)
	if err != nil {
		return "", err
	}
	if root {
		return s.st.RootARN(), nil
	}
	return s.userARN(n), nil
}

// accessKeyIDParam validates the AccessKeyId parameter.
func accessKeyIDParam(rq *request) error { return store.CheckAccessKeyID(rq.params.get("AccessKeyId")) }

// accessKeyStatusParam validates UpdateAccessKey's Status parameter.
func accessKeyStatusParam(rq *request) error {
	return store.CheckAccessKeyStatus(rq.params.get("Status"))
}

// accessKeyOwnerResource is the user owning the key of the AccessKeyId
// parameter (the root user for its keys), for GetAccessKeyLastUsed; the
// key is kept in rq.input for the handler. IAM answers a key it does not
// know (or a temporary one) with AccessDenied, never NoSuchEntity
// (aws-sdk-go-v2 service/iam v1.24.0: "Updates to GetAccessKeyLastUsed
// action to replace NoSuchEntity error with AccessDeniedException
// error"), so whether a key exists is not revealed.
func accessKeyOwnerResource(s *Server, rq *request) (string, error) {
	id := rq.params.get("AccessKeyId")
	if err := store.CheckAccessKeyID(id); err != nil {
		return "", err
	}
	k, err := s.st.LookupAccessKey(id)
	if errors.Is(err, store.ErrNotFound) {
		return "", accessDenied("User: " + rq.caller.arn + " is not authorized to perform: " + rq.apiAction() + " on resource: access key " + id)
	}
	if err != nil {
		return "", err
	}
	rq.input = &k
	if k.Root() {
		return s.st.RootARN(), nil
	}
	return s.userARN(k.UserName), nil
}

// pathPrefixResource is a List* action's resource: the entity type with
// the PathPrefix parameter ("/" by default) and no name.
func pathPrefixResource(typ string) resourceFunc {
	return func(s *Server, rq *request) (string, error) {
		return s.st.ARN(typ, pathPrefix(rq), ""), nil
	}
}

func pathPrefix(rq *request) string {
	if p := rq.params.get("PathPrefix"); p != "" {
		return p
	}
	return "/"
}

// policyResource is the managed policy of the PolicyArn parameter.
func policyResource(_ *Server, rq *request) (string, error) { return policyARNParam(rq) }

func policyARNParam(rq *request) (string, error) {
	if !rq.params.has("PolicyArn") {
		return "", missingError("policyArn")
	}
	arn := rq.params.get("PolicyArn")
	return arn, store.CheckPolicyARN(arn)
}

// attachResource is the entity of an Attach*Policy action; the policy's
// ARN is the action's iam:PolicyARN condition key.
func attachResource(entity string) resourceFunc {
	return func(s *Server, rq *request) (string, error) {
		n, err := entityName(rq, entity)
		if err != nil {
			return "", err
		}
		arn, err := policyARNParam(rq)
		if err != nil {
			return "", err
		}
		rq.extra = append(rq.extra, [2]string{"iam:PolicyARN", arn})
		return s.entityARN(entity, n), nil
	}
}

// putResource is the entity of a Put*Policy action.
func putResource(entity string) resourceFunc {
	return checked(existing(entity), name("PolicyName", "policyName", 128), required("PolicyDocument", "policyDocument"))
}

// inlineResource is the entity of a Get/Delete{User,Group,Role}Policy
// action, after checking PolicyName.
func inlineResource(entity string) resourceFunc {
	return checked(existing(entity), name("PolicyName", "policyName", 128))
}

// mfaDeviceUserResource is the user of Enable/Resync/DeactivateMFADevice,
// after checking SerialNumber.
func mfaDeviceUserResource(s *Server, rq *request) (string, error) {
	n, root, err := s.targetUser(rq)
	if err != nil {
		return "", err
	}
	if root {
		return "", validationError("The root user's MFA devices are not supported by the lab; specify userName")
	}
	if err := store.CheckSerialNumber(rq.params.get("SerialNumber"), "serialNumber"); err != nil {
		return "", err
	}
	return s.userARN(n), nil
}

// serialResource is the virtual MFA device of the SerialNumber parameter:
// its serial number is its ARN.
func serialResource(_ *Server, rq *request) (string, error) {
	serial := rq.params.get("SerialNumber")
	return serial, store.CheckSerialNumber(serial, "serialNumber")
}

// entityARN returns the ARN of a user, group or role for authorization.
func (s *Server) entityARN(entity, name string) string {
	switch entity {
	case entityGroup:
		return s.groupARN(name)
	case entityRole:
		return s.roleARN(name)
	}
	return s.userARN(name)
}

// userARN returns the ARN of the named user (its real path when it exists)
// for authorization.
func (s *Server) userARN(name string) string {
	if u, err := s.st.GetUser(name); err == nil {
		return u.ARN
	}
	return s.st.ARN("user", "/", name)
}

func (s *Server) groupARN(name string) string {
	if g, err := s.st.GetGroup(name); err == nil {
		return g.ARN
	}
	return s.st.ARN("group", "/", name)
}

func (s *Server) roleARN(name string) string {
	if r, err := s.st.GetRole(name); err == nil {
		return r.ARN
	}
	return s.st.ARN("role", "/", name)
}
