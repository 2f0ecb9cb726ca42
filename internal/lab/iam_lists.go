package lab

import (
	"regexp"
	"strings"
	"sync"

	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// The per-entity policy listings: ListAttached{User,Group,Role}Policies
// (managed policies, filtered by PathPrefix) and List{User,Group,Role}Policies
// (inline policy names), both paginated with Marker and MaxItems. A missing
// entity is NoSuchEntity.

// rePolicyPath is the API model's policyPathType.
var rePolicyPath = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^((/[A-Za-z0-9.,+@=_-]+)*)/$`) })

// policyPathPrefixParam validates ListAttached*Policies' PathPrefix.
func policyPathPrefixParam(rq *request) error {
	if !rq.params.has("PathPrefix") {
		return nil
	}
	p := rq.params.get("PathPrefix")
	if p == "" || len(p) > 512 || !rePolicyPath().MatchString(p) {
		return constraintError(p, "pathPrefix", `must satisfy regular expression pattern: ((/[A-Za-z0-9\.,\+@=_-]+)*)/`)
	}
	return nil
}

// policyPathOf returns the path of a managed policy's ARN
// (arn:aws:iam::ACCOUNT:policy/PATH/NAME -> /PATH/).
func policyPathOf(arn string) string {
	i := strings.Index(arn, ":policy/")
	if i < 0 {
		return "/"
	}
	rest := arn[i+len(":policy"):]
	return rest[:strings.LastIndexByte(rest, '/')+1]
}

type listAttachedPoliciesResult struct {
	AttachedPolicies list[attachedPolicyXML]
	pageInfo
}

// listAttached answers ListAttached*Policies with the entity's policies.
func listAttached(rq *request, attached []store.AttachedPolicy, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	prefix := rq.params.get("PathPrefix")
	kept := attached[:0]
	for _, a := range attached {
		if strings.HasPrefix(policyPathOf(a.ARN), prefix) {
			kept = append(kept, a)
		}
	}
	start, end, info, err := paginate(rq.params, len(kept), func(i int) string { return kept[i].Name + " " + kept[i].ARN })
	if err != nil {
		return nil, err
	}
	return listAttachedPoliciesResult{AttachedPolicies: attachedXML(kept[start:end]), pageInfo: info}, nil
}

func (s *Server) listAttachedUserPolicies(rq *request) (any, error) {
	ps, err := s.st.ListAttachedUserPolicies(rq.params.get("UserName"))
	return listAttached(rq, ps, err)
}

func (s *Server) listAttachedGroupPolicies(rq *request) (any, error) {
	ps, err := s.st.ListAttachedGroupPolicies(rq.params.get("GroupName"))
	return listAttached(rq, ps, err)
}

func (s *Server) listAttachedRolePolicies(rq *request) (any, error) {
	ps, err := s.st.ListAttachedRolePolicies(rq.params.get("RoleName"))
	return listAttached(rq, ps, err)
}

type listPolicyNamesResult struct {
	PolicyNames list[string]
	pageInfo
}

// listInlineNames answers List*Policies with the names of the entity's
// inline policies.
func listInlineNames(rq *request, inline []store.InlinePolicy, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	start, end, info, err := paginate(rq.params, len(inline), func(i int) string { return inline[i].Name })
	if err != nil {
		return nil, err
	}
	out := listPolicyNamesResult{PolicyNames: list[string]{}, pageInfo: info}
	for _, p := range inline[start:end] {
		out.PolicyNames = append(out.PolicyNames, p.Name)
	}
	return out, nil
}

func (s *Server) listUserPolicies(rq *request) (any, error) {
	ps, err := s.st.ListUserPolicies(rq.params.get("UserName"))
	return listInlineNames(rq, ps, err)
}

func (s *Server) listGroupPolicies(rq *request) (any, error) {
	ps, err := s.st.ListGroupPolicies(rq.params.get("GroupName"))
	return listInlineNames(rq, ps, err)
}

func (s *Server) listRolePolicies(rq *request) (any, error) {
	ps, err := s.st.ListRolePolicies(rq.params.get("RoleName"))
	return listInlineNames(rq, ps, err)
}
