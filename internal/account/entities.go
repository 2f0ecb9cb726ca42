package account

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// Policy documents IAM stored were validated by IAM when they were
// written, under rules that changed over time (legacy parsing); only the
// grammar every kind shares is checked here (policy.KindUnknown), so an old
// but accepted document does not stop an audit.
const storedKind = policy.KindUnknown

// user reads one entry of UserDetailList.
func (l *loader) user(e *elem, n *policy.Node, path string) {
	u := &User{
		Name:       e.str(n, path, "UserName", true),
		ID:         e.str(n, path, "UserId", false),
		Path:       e.str(n, path, "Path", false),
		CreateDate: e.when(n, path, "CreateDate"),
	}
	u.ARN = l.entityARN(e, n, path, "user")
	u.Inline = l.inline(e, n, path, "UserPolicyList")
	for i, g := range e.items(n, path, "GroupList") {
		p := path + ".GroupList[" + strconv.Itoa(i) + "]"
		if g.Kind != policy.NodeString || g.Str == "" {
			l.problem(e.at(g, p), "must be a group name, not %s", nodeText(g))
			continue
		}
		u.Groups = append(u.Groups, g.Str)
		l.refs = append(l.refs, reference{group: true, name: g.Str, at: e.at(g, p)})
	}
	u.Attached = l.attached(e, n, path)
	u.Boundary = l.boundary(e, n, path)
	u.Tags = l.tags(e, n, path)
	if u.Name == "" {
		return
	}
	if l.firstListing(l.users, u.Name, e.at(n, path), "user %q") {
		l.acct.Users = append(l.acct.Users, u)
	}
}

// firstListing records where an entity (what: "user %q", "policy %s")
// is listed and reports whether this is its first listing; a second one is
// a problem naming both places.
func (l *loader) firstListing(seen map[string]at, key string, here at, what string) bool {
	if first, dup := seen[key]; dup {
		l.problem(here, what+" is listed twice (first at line %d, %s)", key, first.pos.Line, first.path)
		return false
	}
	seen[key] = here
	return true
}

// group reads one entry of GroupDetailList.
func (l *loader) group(e *elem, n *policy.Node, path string) {
	g := &Group{
		Name:       e.str(n, path, "GroupName", true),
		ID:         e.str(n, path, "GroupId", false),
		Path:       e.str(n, path, "Path", false),
		CreateDate: e.when(n, path, "CreateDate"),
	}
	g.ARN = l.entityARN(e, n, path, "group")
	g.Inline = l.inline(e, n, path, "GroupPolicyList")
	g.Attached = l.attached(e, n, path)
	if g.Name == "" {
		return
	}
	if l.firstListing(l.groups, g.Name, e.at(n, path), "group %q") {
		l.acct.Groups = append(l.acct.Groups, g)
	}
}

// role reads one entry of RoleDetailList.
func (l *loader) role(e *elem, n *policy.Node, path string) {
	r := &Role{
		Name:               e.str(n, path, "RoleName", true),
		ID:                 e.str(n, path, "RoleId", false),
		Path:               e.str(n, path, "Path", false),
		CreateDate:         e.when(n, path, "CreateDate"),
		Description:        e.str(n, path, "Description", false),
		MaxSessionDuration: e.num(n, path, "MaxSessionDuration"),
	}
	r.ARN = l.entityARN(e, n, path, "role")
	if t := e.get(n, "AssumeRolePolicyDocument"); t != nil {
		r.Trust = e.document(t, path+".AssumeRolePolicyDocument", storedKind)
	} else {
		l.problem(e.at(n, path), "missing AssumeRolePolicyDocument (every role has a trust policy)")
	}
	r.Inline = l.inline(e, n, path, "RolePolicyList")
	r.Attached = l.attached(e, n, path)
	r.Boundary = l.boundary(e, n, path)
	r.Tags = l.tags(e, n, path)
	if lu := e.typed(n, path, "RoleLastUsed", policy.NodeObject, "an object"); lu != nil {
		r.LastUsed = e.when(lu, path+".RoleLastUsed", "LastUsedDate")
		r.LastUsedRegion = e.str(lu, path+".RoleLastUsed", "Region", false)
	}
	if r.Name == "" {
		return
	}
	if l.firstListing(l.roles, r.Name, e.at(n, path), "role %q") {
		l.acct.Roles = append(l.acct.Roles, r)
	}
}

// managedPolicy reads one entry of Policies.
func (l *loader) managedPolicy(e *elem, n *policy.Node, path string) {
	p := &ManagedPolicy{
		Name:            e.str(n, path, "PolicyName", true),
		ID:              e.str(n, path, "PolicyId", false),
		Path:            e.str(n, path, "Path", false),
		DefaultVersion:  e.str(n, path, "DefaultVersionId", false),
		AttachmentCount: e.num(n, path, "AttachmentCount"),
		Description:     e.str(n, path, "Description", false),
		CreateDate:      e.when(n, path, "CreateDate"),
		UpdateDate:      e.when(n, path, "UpdateDate"),
	}
	p.ARN = l.policyARN(e, n, path)
	p.Tags = l.tags(e, n, path)
	l.versions(e, n, path, p)
	if p.ARN == "" {
		return
	}
	if l.firstListing(l.policies, p.ARN, e.at(n, path), "policy %s") {
		l.acct.Policies = append(l.acct.Policies, p)
	}
}

// versions reads a managed policy's PolicyVersionList: the version IDs,
// oldest first, and the default version's document (the one in force).
func (l *loader) versions(e *elem, n *policy.Node, path string, p *ManagedPolicy) {
	type version struct {
		id      string
		created time.Time
	}
	var vs []version
	var def *policy.Node
	defPath, defID := "", ""
	objs, paths := e.objects(n, path, "PolicyVersionList")
	for i, v := range objs {
		id := e.str(v, paths[i], "VersionId", false)
		vs = append(vs, version{id, e.when(v, paths[i], "CreateDate")})
		if !e.flag(v, paths[i], "IsDefaultVersion") {
			continue
		}
		if def != nil {
			l.problem(e.at(v, paths[i]), "a second default version (the first is %s)", defPath)
			continue
		}
		def, defPath, defID = v, paths[i], id
	}
	if def == nil && p.DefaultVersion != "" {
		// Without IsDefaultVersion, DefaultVersionId names it.
		for i, v := range objs {
			if vs[i].id == p.DefaultVersion {
				def, defPath, defID = v, paths[i], vs[i].id
				break
			}
		}
	}
	if p.DefaultVersion == "" {
		p.DefaultVersion = defID
	}
	sort.SliceStable(vs, func(i, j int) bool {
		if !vs[i].created.Equal(vs[j].created) {
			return vs[i].created.Before(vs[j].created)
		}
		return versionNumber(vs[i].id) < versionNumber(vs[j].id)
	})
	for _, v := range vs {
		if v.id != "" {
			p.Versions = append(p.Versions, v.id)
		}
	}
	if def == nil {
		l.problem(e.at(n, path), "no default version in PolicyVersionList: the document in force is unknown "+
			"(get-account-authorization-details lists every version of a managed policy, the default one with \"IsDefaultVersion\": true)")
		return
	}
	doc := e.get(def, "Document")
	if doc == nil {
		l.problem(e.at(def, defPath), "missing Document")
		return
	}
	p.Document = e.document(doc, defPath+".Document", storedKind)
}

// versionNumber is N of a version ID "vN" (-1 when it is not one).
func versionNumber(id string) int {
	if len(id) < 2 || id[0] != 'v' {
		return -1
	}
	n, err := strconv.Atoi(id[1:])
	if err != nil {
		return -1
	}
	return n
}

// inline reads an entity's inline policies (UserPolicyList,
// GroupPolicyList, RolePolicyList).
func (l *loader) inline(e *elem, n *policy.Node, path, key string) []InlinePolicy {
	objs, paths := e.objects(n, path, key)
	var out []InlinePolicy
	for i, it := range objs {
		name := e.str(it, paths[i], "PolicyName", true)
		d := e.get(it, "PolicyDocument")
		if d == nil {
			l.problem(e.at(it, paths[i]), "missing PolicyDocument")
			continue
		}
		doc := e.document(d, paths[i]+".PolicyDocument", storedKind)
		if doc == nil || name == "" {
			continue
		}
		out = append(out, InlinePolicy{Name: name, Document: doc})
	}
	return out
}

// attached reads AttachedManagedPolicies: the policies' ARNs.
func (l *loader) attached(e *elem, n *policy.Node, path string) []string {
	objs, paths := e.objects(n, path, "AttachedManagedPolicies")
	var out []string
	for i, it := range objs {
		v := e.get(it, "PolicyArn")
		arn := e.str(it, paths[i], "PolicyArn", true)
		if v == nil || arn == "" {
			continue
		}
		a := e.at(v, paths[i]+".PolicyArn")
		if !l.checkPolicyARN(a, arn) {
			continue
		}
		out = append(out, arn)
		l.refs = append(l.refs, reference{name: arn, at: a})
	}
	return out
}

// boundary reads PermissionsBoundary: the boundary policy's ARN, or "".
func (l *loader) boundary(e *elem, n *policy.Node, path string) string {
	b := e.typed(n, path, "PermissionsBoundary", policy.NodeObject, "an object")
	if b == nil {
		return ""
	}
	bp := path + ".PermissionsBoundary"
	v := e.get(b, "PermissionsBoundaryArn")
	arn := e.str(b, bp, "PermissionsBoundaryArn", true)
	if v == nil || arn == "" {
		return ""
	}
	a := e.at(v, bp+".PermissionsBoundaryArn")
	if !l.checkPolicyARN(a, arn) {
		return ""
	}
	l.refs = append(l.refs, reference{name: arn, at: a})
	return arn
}

// tags reads Tags.
func (l *loader) tags(e *elem, n *policy.Node, path string) []Tag {
	objs, paths := e.objects(n, path, "Tags")
	var out []Tag
	for i, it := range objs {
		out = append(out, Tag{Key: e.str(it, paths[i], "Key", true), Value: e.str(it, paths[i], "Value", false)})
	}
	return out
}

// entityARN reads a user's, group's or role's Arn
// (arn:PARTITION:iam::ACCOUNT:TYPE/PATH/NAME) and records its account.
func (l *loader) entityARN(e *elem, n *policy.Node, path, typ string) string {
	v := e.get(n, "Arn")
	arn := e.str(n, path, "Arn", true)
	if v == nil || arn == "" {
		return ""
	}
	a := e.at(v, path+".Arn")
	partition, account, resource, ok := SplitIAMARN(arn)
	if !ok || !strings.HasPrefix(resource, typ+"/") || !IsAccountID(account) {
		l.problem(a, "%s is not the ARN of an IAM %s (arn:aws:iam::123456789012:%s/NAME)", truncateForMessage(arn), typ, typ)
		return ""
	}
	l.account(a, partition, account)
	return arn
}

// policyARN reads a managed policy's Arn: an AWS managed policy
// (arn:aws:iam::aws:policy/...) or a customer managed one of the account.
func (l *loader) policyARN(e *elem, n *policy.Node, path string) string {
	v := e.get(n, "Arn")
	arn := e.str(n, path, "Arn", true)
	if v == nil || arn == "" {
		return ""
	}
	a := e.at(v, path+".Arn")
	if !l.checkPolicyARN(a, arn) {
		return ""
	}
	if partition, account, _, _ := SplitIAMARN(arn); account != "aws" {
		l.account(a, partition, account)
	}
	return arn
}

// checkPolicyARN reports whether arn is a managed policy's ARN, and a
// problem when it is not.
func (l *loader) checkPolicyARN(a at, arn string) bool {
	_, account, resource, ok := SplitIAMARN(arn)
	if ok && strings.HasPrefix(resource, "policy/") && (account == "aws" || IsAccountID(account)) {
		return true
	}
	l.problem(a, "%s is not the ARN of a managed policy (arn:aws:iam::aws:policy/NAME or arn:aws:iam::123456789012:policy/NAME)", truncateForMessage(arn))
	return false
}

// account records the account and partition an ARN names; every entity of
// one file must be of one account.
func (l *loader) account(a at, partition, account string) {
	acct := l.acct
	if acct.ID == "" {
		acct.ID, acct.Partition, l.accountAt = account, partition, a
		return
	}
	if account != acct.ID || partition != acct.Partition {
		l.problem(a, "the file mixes accounts: %s:%s here, %s:%s at line %d (%s); give one account's output at a time",
			partition, account, acct.Partition, acct.ID, l.accountAt.pos.Line, l.accountAt.path)
	}
}

// SplitIAMARN splits arn:PARTITION:iam::ACCOUNT:RESOURCE (ok is false for
// anything else, STS ARNs included).
func SplitIAMARN(arn string) (partition, account, resource string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "iam" || parts[3] != "" || parts[4] == "" {
		return "", "", "", false
	}
	return parts[1], parts[4], parts[5], true
}

// IsAccountID reports whether s is a 12-digit account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// link checks what entities refer to once every page is read: each
// user's groups and each attached or boundary policy must be in the file.
func (l *loader) link() {
	for _, r := range l.refs {
		switch {
		case r.group:
			if _, ok := l.groups[r.name]; !ok {
				l.problem(r.at, "group %q is not in GroupDetailList: its policies are unknown "+
					"(was the file made with --filter? run aws iam get-account-authorization-details without it)", r.name)
			}
		default:
			if _, ok := l.policies[r.name]; !ok {
				l.problem(r.at, "managed policy %s is not in Policies: its document is unknown "+
					"(was the file made with --filter? run aws iam get-account-authorization-details without it)", r.name)
			}
		}
		if l.full() {
			return
		}
	}
}

// finish completes the model once it is known to be valid.
func (l *loader) finish() {
	if l.acct.Partition == "" {
		l.acct.Partition = "aws"
	}
	if l.acct.ID == "" {
		l.acct.Notes = append(l.acct.Notes, l.file+" lists no users, groups, roles or customer managed policies: the account ID is unknown")
	}
}
