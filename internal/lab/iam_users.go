package lab

import (
	"errors"
	"strings"

	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// The handlers below run once the dispatcher has validated the parameters
// the operation's resource derivation reads and authorized the caller
// (operations.go).

type userXML struct {
	Path       string `xml:",omitempty"`
	UserName   string `xml:",omitempty"`
	UserId     string
	Arn        string
	CreateDate string
	// Tags: in CreateUser and GetUser answers; listings leave them out.
	Tags list[tagXML] `xml:",omitempty"`
}

func toUserXML(u store.User) userXML {
	return userXML{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: u.ARN, CreateDate: isoTime(u.Created)}
}

func msgNonUser() *apiError {
	return validationError("Must specify userName when calling with non-User credentials")
}

// targetUser resolves an optional UserName parameter: absent means the
// caller, who must then be an IAM user or the root user (root: "" and
// true).
func (s *Server) targetUser(rq *request) (name string, root bool, err error) {
	if rq.params.has("UserName") {
		name = rq.params.get("UserName")
		return name, false, store.ValidateName(name, "userName", 128)
	}
	switch rq.caller.kind {
	case kindUser:
		return rq.caller.userName, false, nil
	case kindRoot:
		return "", true, nil
	}
	return "", false, msgNonUser()
}

type createUserResult struct {
	User userXML
}

func (s *Server) createUser(rq *request) (any, error) {
	u, err := s.st.CreateUser(rq.params.get("UserName"), rq.params.get("Path"), rq.tags...)
	if err != nil {
		return nil, err
	}
	out := toUserXML(u)
	out.Tags = tagsXML(rq.tags)
	return createUserResult{User: out}, nil
}

type getUserResult struct {
	User userXML
}

func (s *Server) getUser(rq *request) (any, error) {
	name, root, err := s.targetUser(rq)
	if err != nil {
		return nil, err
	}
	if root {
		return getUserResult{User: userXML{UserId: s.st.AccountID(), Arn: s.st.RootARN(), CreateDate: isoTime(s.accountCreated())}}, nil
	}
	u, err := s.st.GetUser(name)
	if err != nil {
		return nil, err
	}
	tags, err := s.st.UserTags(name)
	if err != nil {
		return nil, err
	}
	out := toUserXML(u)
	out.Tags = tagsXML(tags)
	return getUserResult{User: out}, nil
}

type listUsersResult struct {
	Users list[userXML]
	pageInfo
}

func (s *Server) listUsers(rq *request) (any, error) {
	prefix := pathPrefix(rq)
	all, xs, err := s.allUsersXML()
	if err != nil {
		return nil, err
	}
	// The users under the prefix, by index into all (and xs).
	matched := make([]int, 0, len(all))
	for i, u := range all {
		if strings.HasPrefix(u.Path, prefix) {
			matched = append(matched, i)
		}
	}
	start, end, info, err := paginate(rq.params, len(matched), func(i int) string { return all[matched[i]].Name })
	if err != nil {
		return nil, err
	}
	out := listUsersResult{Users: make(list[userXML], 0, end-start), pageInfo: info}
	for _, i := range matched[start:end] {
		out.Users = append(out.Users, xs[i])
	}
	return out, nil
}

type accessKeyXML struct {
	UserName        string `xml:",omitempty"`
	AccessKeyId     string
	Status          string
	SecretAccessKey string
	CreateDate      string
}

type createAccessKeyResult struct {
	AccessKey accessKeyXML
}

func (s *Server) createAccessKey(rq *request) (any, error) {
	name, root, err := s.targetUser(rq)
	if err != nil {
		return nil, err
	}
	var k store.AccessKey
	if root {
		k, err = s.st.CreateRootAccessKey()
	} else {
		k, err = s.st.CreateAccessKey(name)
	}
	if err != nil {
		return nil, err
	}
	return createAccessKeyResult{AccessKey: accessKeyXML{UserName: k.UserName, AccessKeyId: k.ID, Status: k.Status, SecretAccessKey: k.Secret, CreateDate: isoTime(k.Created)}}, nil
}

func (s *Server) deleteAccessKey(rq *request) (any, error) {
	name, root, err := s.targetUser(rq)
	if err != nil {
		return nil, err
	}
	return nil, s.st.DeleteAccessKey(name, root, rq.params.get("AccessKeyId"))
}

func (s *Server) updateAccessKey(rq *request) (any, error) {
	name, root, err := s.targetUser(rq)
	if err != nil {
		return nil, err
	}
	return nil, s.st.UpdateAccessKey(name, root, rq.params.get("AccessKeyId"), rq.params.get("Status"))
}

// accessKeyLastUsedXML is IAM's AccessKeyLastUsed: LastUsedDate is
// omitted, ServiceName and Region are "N/A", for a key never used.
type accessKeyLastUsedXML struct {
	Region       string
	LastUsedDate string `xml:",omitempty"`
	ServiceName  string
}

type getAccessKeyLastUsedResult struct {
	AccessKeyLastUsed accessKeyLastUsedXML
	UserName          string `xml:",omitempty"`
}

// notApplicable is what IAM answers for a key never used.
const notApplicable = "N/A"

func (s *Server) getAccessKeyLastUsed(rq *request) (any, error) {
	owner, ok := rq.input.(*store.AccessKey)
	if !ok {
		return nil, errors.New("lab: GetAccessKeyLastUsed without its key")
	}
	// Read again: the key may have been used since it was authorized on.
	k, err := s.st.LookupAccessKey(owner.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, accessDenied("User: " + rq.caller.arn + " is not authorized to perform: " + rq.apiAction() + " on resource: access key " + owner.ID)
	}
	if err != nil {
		return nil, err
	}
	used := accessKeyLastUsedXML{Region: notApplicable, ServiceName: notApplicable}
	if !k.LastUsed.IsZero() {
		used = accessKeyLastUsedXML{Region: k.LastUsedRegion, LastUsedDate: isoTime(k.LastUsed), ServiceName: k.LastUsedService}
	}
	return getAccessKeyLastUsedResult{AccessKeyLastUsed: used, UserName: k.UserName}, nil
}

type accessKeyMetadataXML struct {
	UserName    string `xml:",omitempty"`
	AccessKeyId string
	Status      string
	CreateDate  string
}

type listAccessKeysResult struct {
	AccessKeyMetadata list[accessKeyMetadataXML]
	pageInfo
}

func (s *Server) listAccessKeys(rq *request) (any, error) {
	name, root, err := s.targetUser(rq)
	if err != nil {
		return nil, err
	}
	keys, err := s.st.ListAccessKeys(name, root)
	if err != nil {
		return nil, err
	}
	start, end, info, err := paginate(rq.params, len(keys), func(i int) string { return keys[i].Created.Format("20060102150405") + keys[i].ID })
	if err != nil {
		return nil, err
	}
	out := listAccessKeysResult{AccessKeyMetadata: list[accessKeyMetadataXML]{}, pageInfo: info}
	for _, k := range keys[start:end] {
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, accessKeyMetadataXML{UserName: k.UserName, AccessKeyId: k.ID, Status: k.Status, CreateDate: isoTime(k.Created)})
	}
	return out, nil
}

type groupXML struct {
	Path       string
	GroupName  string
	GroupId    string
	Arn        string
	CreateDate string
}

func toGroupXML(g store.Group) groupXML {
	return groupXML{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: g.ARN, CreateDate: isoTime(g.Created)}
}

type createGroupResult struct {
	Group groupXML
}

func (s *Server) createGroup(rq *request) (any, error) {
	g, err := s.st.CreateGroup(rq.params.get("GroupName"), rq.params.get("Path"))
	if err != nil {
		return nil, err
	}
	return createGroupResult{Group: toGroupXML(g)}, nil
}

func (s *Server) addUserToGroup(rq *request) (any, error) {
	return nil, s.st.AddUserToGroup(rq.params.get("GroupName"), rq.params.get("UserName"))
}

type listGroupsForUserResult struct {
	Groups list[groupXML]
	pageInfo
}

func (s *Server) listGroupsForUser(rq *request) (any, error) {
	groups, err := s.st.ListGroupsForUser(rq.params.get("UserName"))
	if err != nil {
		return nil, err
	}
	start, end, info, err := paginate(rq.params, len(groups), func(i int) string { return groups[i].Name })
	if err != nil {
		return nil, err
	}
	out := listGroupsForUserResult{Groups: list[groupXML]{}, pageInfo: info}
	for _, g := range groups[start:end] {
		out.Groups = append(out.Groups, toGroupXML(g))
	}
	return out, nil
}
