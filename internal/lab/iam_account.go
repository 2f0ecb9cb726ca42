package lab

import (
	"encoding/base64"
	"net/http"
	"sort"
	"time"

	"github.com/awsmfa/awsmfa/internal/lab/store"
)

func (s *Server) accountCreated() time.Time {
	if t := s.st.Created(); !t.IsZero() {
		return t
	}
	return s.now()
}

type inlinePolicyXML struct {
	PolicyName     string
	PolicyDocument string
}

type attachedPolicyXML struct {
	PolicyName string
	PolicyArn  string
}

type userDetailXML struct {
	Path                    string
	UserName                string
	UserId                  string
	Arn                     string
	CreateDate              string
	UserPolicyList          list[inlinePolicyXML]
	GroupList               list[string]
	AttachedManagedPolicies list[attachedPolicyXML]
	Tags                    list[tagXML] `xml:",omitempty"`
}

type groupDetailXML struct {
	Path                    string
	GroupName               string
	GroupId                 string
	Arn                     string
	CreateDate              string
	GroupPolicyList         list[inlinePolicyXML]
	AttachedManagedPolicies list[attachedPolicyXML]
}

type roleDetailXML struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	InstanceProfileList      list[string]
	RolePolicyList           list[inlinePolicyXML]
	AttachedManagedPolicies  list[attachedPolicyXML]
	RoleLastUsed             roleLastUsedXML
	Tags                     list[tagXML] `xml:",omitempty"`
}

type policyDetailXML struct {
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
	PolicyVersionList             list[policyVersionXML]
}

type getAccountAuthorizationDetailsResult struct {
	UserDetailList  list[userDetailXML]
	GroupDetailList list[groupDetailXML]
	RoleDetailList  list[roleDetailXML]
	Policies        list[policyDetailXML]
	pageInfo
}

func inlineXML(ps []store.InlinePolicy) list[inlinePolicyXML] {
	out := list[inlinePolicyXML]{}
	for _, p := range ps {
		out = append(out, inlinePolicyXML{PolicyName: p.Name, PolicyDocument: urlEncodePolicy(p.Document)})
	}
	return out
}

func attachedXML(ps []store.AttachedPolicy) list[attachedPolicyXML] {
	out := list[attachedPolicyXML]{}
	for _, p := range ps {
		out = append(out, attachedPolicyXML{PolicyName: p.Name, PolicyArn: p.ARN})
	}
	return out
}

// authItem is one entity of GetAccountAuthorizationDetails, in answer
// order: users, groups, roles, policies.
type authItem struct {
	key    string
	user   *store.User
	group  *store.Group
	role   *store.Role
	policy *store.ManagedPolicy
}

// authDetailsFilter reads GetAccountAuthorizationDetails' Filter list.
func authDetailsFilter(p params) (map[string]bool, error) {
	want := map[string]bool{}
	for _, f := range p.memberList("Filter") {
		switch f {
		case "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
			want[f] = true
		default:
			return nil, constraintError(f, "filter", "must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]")
		}
	}
	return want, nil
}

func authDetailsFilterParam(rq *request) error {
	_, err := authDetailsFilter(rq.params)
	return err
}

func (s *Server) getAccountAuthorizationDetails(rq *request) (any, error) {
	want, err := authDetailsFilter(rq.params)
	if err != nil {
		return nil, err
	}
	all := len(want) == 0
	var items []authItem
	if all || want["User"] {
		users, err := s.st.ListUsers("")
		if err != nil {
			return nil, err
		}
		for i := range users {
			items = append(items, authItem{key: "1" + users[i].Name, user: &users[i]})
		}
	}
	if all || want["Group"] {
		groups, err := s.st.ListGroups("")
		if err != nil {
			return nil, err
		}
		for i := range groups {
			items = append(items, authItem{key: "2" + groups[i].Name, group: &groups[i]})
		}
	}
	if all || want["Role"] {
		roles, err := s.st.ListRoles("")
		if err != nil {
			return nil, err
		}
		for i := range roles {
			items = append(items, authItem{key: "3" + roles[i].Name, role: &roles[i]})
		}
	}
	if all || want["LocalManagedPolicy"] || want["AWSManagedPolicy"] {
		// AWS managed policies are listed when something uses them.
		pols, err := s.st.ListPolicies(all || want["LocalManagedPolicy"], all || want["AWSManagedPolicy"], false)
		if err != nil {
			return nil, err
		}
		for i := range pols {
			if pols[i].AWSManaged && pols[i].AttachmentCount == 0 {
				continue
			}
			items = append(items, authItem{key: "4" + pols[i].Name + " " + pols[i].ARN, policy: &pols[i]})
		}
	}
	start, end, info, err := paginate(rq.params, len(items), func(i int) string { return items[i].key })
	if err != nil {
		return nil, err
	}
	out := getAccountAuthorizationDetailsResult{UserDetailList: list[userDetailXML]{}, GroupDetailList: list[groupDetailXML]{},
		RoleDetailList: list[roleDetailXML]{}, Policies: list[policyDetailXML]{}, pageInfo: info}
	for _, it := range items[start:end] {
		switch {
		case it.user != nil:
			d, err := s.userDetail(it.user)
			if err != nil {
				return nil, err
			}
			out.UserDetailList = append(out.UserDetailList, d)
		case it.group != nil:
			inline, err := s.st.ListGroupPolicies(it.group.Name)
			if err != nil {
				return nil, err
			}
			attached, err := s.st.ListAttachedGroupPolicies(it.group.Name)
			if err != nil {
				return nil, err
			}
			g := it.group
			out.GroupDetailList = append(out.GroupDetailList, groupDetailXML{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: g.ARN,
				CreateDate: isoTime(g.Created), GroupPolicyList: inlineXML(inline), AttachedManagedPolicies: attachedXML(attached)})
		case it.role != nil:
			inline, err := s.st.ListRolePolicies(it.role.Name)
			if err != nil {
				return nil, err
			}
			attached, err := s.st.ListAttachedRolePolicies(it.role.Name)
			if err != nil {
				return nil, err
			}
			r := it.role
			d := roleDetailXML{Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: r.ARN, CreateDate: isoTime(r.Created),
				AssumeRolePolicyDocument: urlEncodePolicy(r.TrustPolicy), InstanceProfileList: list[string]{},
				RolePolicyList: inlineXML(inline), AttachedManagedPolicies: attachedXML(attached)}
			if !r.LastUsed.IsZero() {
				d.RoleLastUsed = roleLastUsedXML{LastUsedDate: isoTime(r.LastUsed), Region: r.LastUsedRegion}
			}
			tags, err := s.st.RoleTags(r.Name)
			if err != nil {
				return nil, err
			}
			d.Tags = tagsXML(tags)
			out.RoleDetailList = append(out.RoleDetailList, d)
		case it.policy != nil:
			versions, err := s.st.ListPolicyVersions(it.policy.ARN)
			if err != nil {
				return nil, err
			}
			p := it.policy
			d := policyDetailXML{PolicyName: p.Name, PolicyId: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersion,
				AttachmentCount: p.AttachmentCount, IsAttachable: true, Description: p.Description,
				CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Updated), PolicyVersionList: list[policyVersionXML]{}}
			for _, v := range versions {
				d.PolicyVersionList = append(d.PolicyVersionList, policyVersionXML{Document: urlEncodePolicy(v.Document), VersionId: v.VersionID, IsDefaultVersion: v.IsDefault, CreateDate: isoTime(v.Created)})
			}
			out.Policies = append(out.Policies, d)
		}
	}
	return out, nil
}

func (s *Server) userDetail(u *store.User) (userDetailXML, error) {
	inline, err := s.st.ListUserPolicies(u.Name)
	if err != nil {
		return userDetailXML{}, err
	}
	attached, err := s.st.ListAttachedUserPolicies(u.Name)
	if err != nil {
		return userDetailXML{}, err
	}
	groups, err := s.st.ListGroupsForUser(u.Name)
	if err != nil {
		return userDetailXML{}, err
	}
	tags, err := s.st.UserTags(u.Name)
	if err != nil {
		return userDetailXML{}, err
	}
	d := userDetailXML{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: u.ARN, CreateDate: isoTime(u.Created),
		UserPolicyList: inlineXML(inline), GroupList: list[string]{}, AttachedManagedPolicies: attachedXML(attached), Tags: tagsXML(tags)}
	for _, g := range groups {
		d.GroupList = append(d.GroupList, g.Name)
	}
	return d, nil
}

// Credential reports expire four hours after generation
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html).
const reportMaxAge = 4 * time.Hour

type generateCredentialReportResult struct {
	State       string
	Description string `xml:",omitempty"`
}

func (s *Server) generateCredentialReport(rq *request) (any, error) {
	_, generated, err := s.st.CredentialReport()
	if err == nil && rq.now.Sub(generated) < reportMaxAge {
		return generateCredentialReportResult{State: "COMPLETE"}, nil
	}
	if err != nil && store.ErrorCode(err) != store.CodeReportNotPresent {
		return nil, err
	}
	// The lab generates synchronously; the first answer still says
	// STARTED, as IAM's does.
	if _, err := s.st.GenerateCredentialReport(); err != nil {
		return nil, err
	}
	return generateCredentialReportResult{State: "STARTED", Description: "No report exists. Starting a new report generation task"}, nil
}

type getCredentialReportResult struct {
	Content       string
	ReportFormat  string
	GeneratedTime string
}

func (s *Server) getCredentialReport(rq *request) (any, error) {
	content, generated, err := s.st.CredentialReport()
	if err != nil {
		return nil, err
	}
	if rq.now.Sub(generated) >= reportMaxAge {
		return nil, errSender(http.StatusGone, "ReportExpired", "The credential report has expired. To generate a new report, call GenerateCredentialReport.")
	}
	return getCredentialReportResult{Content: base64.StdEncoding.EncodeToString(content), ReportFormat: "text/csv", GeneratedTime: isoTime(generated)}, nil
}

type summaryEntryXML struct {
	Key   string `xml:"key"`
	Value int    `xml:"value"`
}

type summaryMapXML struct {
	Entries []summaryEntryXML `xml:"entry"`
}

type getAccountSummaryResult struct {
	SummaryMap summaryMapXML
}

// getAccountSummary answers the SummaryMap as IAM writes a map in the
// query protocol: <entry><key>Users</key><value>3</value></entry>...
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountSummary.html).
func (s *Server) getAccountSummary(rq *request) (any, error) {
	m, err := s.st.AccountSummary()
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := getAccountSummaryResult{}
	for _, k := range keys {
		out.SummaryMap.Entries = append(out.SummaryMap.Entries, summaryEntryXML{Key: k, Value: m[k]})
	}
	return out, nil
}
