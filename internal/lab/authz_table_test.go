package lab

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// fileLab is a seeded lab on a state file, used through its handler on a
// fixed clock, with a second read-only connection to dump the state.
type fileLab struct {
	t      *testing.T
	srv    *Server
	st     *store.Store
	a      *account
	now    time.Time
	dump   *sql.DB
	nobody creds // a user without any policy
	// nobodyDev is an MFA device enabled for nobody; spare is unassigned.
	nobodyDev, spare store.MFADevice
	aliceKey         string
}

func newFileLab(t *testing.T) *fileLab {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lab.sqlite")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	// Seeded five minutes ago: the MFA codes used to enable devices are
	// not the current ones.
	st.SetClock(func() time.Time { return now.Add(-5 * time.Minute) })
	l := &fileLab{t: t, st: st, now: now, a: seed(t, st)}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = st.CreateUser("nobody", "")
	must(err)
	k, err := st.CreateAccessKey("nobody")
	must(err)
	l.nobody = creds{id: k.ID, secret: k.Secret}
	l.nobodyDev, err = st.CreateVirtualMFADevice("nobody", "")
	must(err)
	c1, c2 := store.EnableCodes(l.nobodyDev.Seed, st.Now())
	must(st.EnableMFADevice("nobody", l.nobodyDev.Serial, c1, c2))
	l.spare, err = st.CreateVirtualMFADevice("spare", "")
	must(err)
	_, err = st.CreatePolicy("Existing", "", allowListUsers, "an existing policy", store.Tag{Key: "team", Value: "blue"})
	must(err)
	_, err = st.CreateLoginProfile("alice", testPassword, false)
	must(err)
	l.fixturesForChanges()
	keys, err := st.ListAccessKeys("alice", false)
	must(err)
	l.aliceKey = keys[0].ID
	// New sets the store's clock to the lab's.
	l.srv, err = New(Config{Store: st, Now: func() time.Time { return now }})
	must(err)
	l.dump, err = sql.Open("sqlite", "file:"+path+"?mode=ro")
	must(err)
	t.Cleanup(func() {
		l.dump.Close()
		st.Close()
	})
	return l
}

// fixturesForChanges adds what the change and delete operations act on:
// entities with nothing attached (deletable), a second version of
// Existing, an unused policy, an inline user policy and attachments of
// Existing to a group and a role.
func (l *fileLab) fixturesForChanges() {
	l.t.Helper()
	st := l.st
	must := func(err error) {
		l.t.Helper()
		if err != nil {
			l.t.Fatal(err)
		}
	}
	_, err := st.CreateUser("bare", "")
	must(err)
	_, err = st.CreateGroup("empty-group", "")
	must(err)
	_, err = st.CreateRole("bare-role", "", simpleTrust, "", 3600)
	must(err)
	_, err = st.CreatePolicy("Unused", "", allowListUsers, "")
	must(err)
	_, err = st.CreatePolicyVersion(existingPolicyARN, allowListUsers, false)
	must(err)
	must(st.PutUserPolicy("alice", "Own", allowListUsers))
	must(st.AttachGroupPolicy("bool-group", existingPolicyARN))
	must(st.AttachRolePolicy("mfa-role", existingPolicyARN))
}

const (
	existingPolicyARN = "arn:aws:iam::123456789012:policy/Existing"
	simpleTrust       = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
)

// testPassword meets IAM's default password policy.
const testPassword = "Lab-console-pw1"

const allowListUsers = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`

// call signs an API call of service with c at the lab's time.
func (l *fileLab) call(c creds, service string, form url.Values) (int, string) {
	return do(l.srv.Handler(), signedRequest(l.t, c, service, form.Encode(), l.now))
}

// touch makes one call with each c, so that their keys' last use is
// recorded: the clock stands still, so no later call records it again.
func (l *fileLab) touch(cs ...creds) {
	l.t.Helper()
	for _, c := range cs {
		if st, body := l.call(c, serviceSTS, url.Values{"Action": {"GetCallerIdentity"}, "Version": {versionSTS}}); st != 200 {
			l.t.Fatalf("GetCallerIdentity: %d %s", st, body)
		}
	}
}

// digest hashes every row of every table of the state.
func (l *fileLab) digest() string {
	l.t.Helper()
	tables, err := l.dump.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		l.t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			l.t.Fatal(err)
		}
		names = append(names, n)
	}
	tables.Close()
	if len(names) < 10 {
		l.t.Fatalf("only tables %v", names)
	}
	h := sha256.New()
	for _, n := range names {
		rows, err := l.dump.Query(`SELECT * FROM "` + n + `"`)
		if err != nil {
			l.t.Fatal(err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				l.t.Fatal(err)
			}
			lines = append(lines, fmt.Sprintf("%#v", vals))
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(h, "%s %d\n%s\n", n, len(lines), strings.Join(lines, "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// deniedRequests holds, for every operation that needs a permission, a
// request that is valid in the fileLab account: whoever may not perform it
// must get AccessDenied with the state unchanged. A new operation without
// an entry here fails TestEveryOperationAuthorizesBeforeActing.
func deniedRequests(l *fileLab) map[string]url.Values {
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	admin := "arn:aws:iam::aws:policy/AdministratorAccess"
	existing := "arn:aws:iam::123456789012:policy/Existing"
	tags := url.Values{"Tags.member.1.Key": {"team"}, "Tags.member.1.Value": {"red"}}
	with := func(v url.Values, more url.Values) url.Values {
		for k, vs := range more {
			v[k] = vs
		}
		return v
	}
	code1, code2 := store.EnableCodes(l.spare.Seed, l.now)
	a1, a2 := store.EnableCodes(l.a.device.Seed, l.now)
	return map[string]url.Values{
		"sts:AssumeRole": {"RoleArn": {l.a.roleARN}, "RoleSessionName": {"s1"}, "SerialNumber": {l.nobodyDev.Serial},
			"TokenCode": {code(l.nobodyDev, l.now)}},

		"iam:CreateUser":             with(url.Values{"UserName": {"newuser"}}, tags),
		"iam:GetUser":                {"UserName": {"alice"}},
		"iam:ListUsers":              {},
		"iam:ListUserTags":           {"UserName": {"alice"}},
		"iam:CreateAccessKey":        {"UserName": {"alice"}},
		"iam:DeleteAccessKey":        {"UserName": {"alice"}, "AccessKeyId": {l.aliceKey}},
		"iam:ListAccessKeys":         {"UserName": {"alice"}},
		"iam:UpdateAccessKey":        {"UserName": {"alice"}, "AccessKeyId": {l.aliceKey}, "Status": {"Inactive"}},
		"iam:GetAccessKeyLastUsed":   {"AccessKeyId": {l.aliceKey}},
		"iam:CreateGroup":            {"GroupName": {"newgroup"}},
		"iam:AddUserToGroup":         {"GroupName": {"bool-group"}, "UserName": {"alice"}},
		"iam:ListGroupsForUser":      {"UserName": {"alice"}},
		"iam:CreatePolicy":           with(url.Values{"PolicyName": {"NewPolicy"}, "PolicyDocument": {allowListUsers}, "Description": {"d"}}, tags),
		"iam:GetPolicy":              {"PolicyArn": {existing}},
		"iam:GetPolicyVersion":       {"PolicyArn": {existing}, "VersionId": {"v1"}},
		"iam:ListPolicyTags":         {"PolicyArn": {existing}},
		"iam:AttachUserPolicy":       {"UserName": {"alice"}, "PolicyArn": {admin}},
		"iam:AttachGroupPolicy":      {"GroupName": {"bool-group"}, "PolicyArn": {admin}},
		"iam:AttachRolePolicy":       {"RoleName": {"mfa-role"}, "PolicyArn": {admin}},
		"iam:PutUserPolicy":          {"UserName": {"alice"}, "PolicyName": {"P"}, "PolicyDocument": {allowListUsers}},
		"iam:PutGroupPolicy":         {"GroupName": {"bool-group"}, "PolicyName": {"P"}, "PolicyDocument": {allowListUsers}},
		"iam:PutRolePolicy":          {"RoleName": {"mfa-role"}, "PolicyName": {"P"}, "PolicyDocument": {allowListUsers}},
		"iam:CreateRole":             with(url.Values{"RoleName": {"newrole"}, "AssumeRolePolicyDocument": {trust}}, tags),
		"iam:GetRole":                {"RoleName": {"mfa-role"}},
		"iam:ListRoleTags":           {"RoleName": {"mfa-role"}},
		"iam:UpdateAssumeRolePolicy": {"RoleName": {"mfa-role"}, "PolicyDocument": {trust}},
		"iam:CreateVirtualMFADevice": with(url.Values{"VirtualMFADeviceName": {"newdevice"}}, tags),
		"iam:EnableMFADevice": {"UserName": {"nobody"}, "SerialNumber": {l.spare.Serial},
			"AuthenticationCode1": {code1}, "AuthenticationCode2": {code2}},
		"iam:ResyncMFADevice": {"UserName": {"alice"}, "SerialNumber": {l.a.device.Serial},
			"AuthenticationCode1": {a1}, "AuthenticationCode2": {a2}},
		"iam:DeactivateMFADevice":            {"UserName": {"alice"}, "SerialNumber": {l.a.device.Serial}},
		"iam:ListMFADevices":                 {"UserName": {"alice"}},
		"iam:ListMFADeviceTags":              {"SerialNumber": {l.a.device.Serial}},
		"iam:ListVirtualMFADevices":          {},
		"iam:GetAccountAuthorizationDetails": {},
		"iam:GenerateCredentialReport":       {},
		"iam:GetCredentialReport":            {},
		"iam:GetAccountSummary":              {},
		"iam:ListRoles":                      {},
		"iam:CreateLoginProfile":             {"UserName": {"bob"}, "Password": {testPassword}, "PasswordResetRequired": {"true"}},
		"iam:GetLoginProfile":                {"UserName": {"alice"}},
		"iam:DeleteLoginProfile":             {"UserName": {"alice"}},
		"iam:ListAttachedUserPolicies":       {"UserName": {"admin"}},
		"iam:ListAttachedGroupPolicies":      {"GroupName": {"bool-group"}},
		"iam:ListAttachedRolePolicies":       {"RoleName": {"mfa-role"}},
		"iam:ListUserPolicies":               {"UserName": {"alice"}},
		"iam:ListGroupPolicies":              {"GroupName": {"bool-group"}},
		"iam:ListRolePolicies":               {"RoleName": {"mfa-role"}},

		"iam:CreatePolicyVersion":     {"PolicyArn": {existing}, "PolicyDocument": {allowListUsers}, "SetAsDefault": {"true"}},
		"iam:DeletePolicyVersion":     {"PolicyArn": {existing}, "VersionId": {"v2"}},
		"iam:SetDefaultPolicyVersion": {"PolicyArn": {existing}, "VersionId": {"v2"}},
		"iam:ListPolicyVersions":      {"PolicyArn": {existing}},
		"iam:DetachUserPolicy":        {"UserName": {"admin"}, "PolicyArn": {admin}},
		"iam:DetachGroupPolicy":       {"GroupName": {"bool-group"}, "PolicyArn": {existing}},
		"iam:DetachRolePolicy":        {"RoleName": {"mfa-role"}, "PolicyArn": {existing}},
		"iam:RemoveUserFromGroup":     {"GroupName": {"bool-group"}, "UserName": {"bob"}},
		"iam:DeleteUser":              {"UserName": {"bare"}},
		"iam:DeleteGroup":             {"GroupName": {"empty-group"}},
		"iam:DeleteRole":              {"RoleName": {"bare-role"}},
		"iam:DeletePolicy":            {"PolicyArn": {"arn:aws:iam::123456789012:policy/Unused"}},
		"iam:DeleteUserPolicy":        {"UserName": {"alice"}, "PolicyName": {"Own"}},
		"iam:DeleteGroupPolicy":       {"GroupName": {"bool-group"}, "PolicyName": {"RequireMFA"}},
		"iam:DeleteRolePolicy":        {"RoleName": {"mfa-role"}, "PolicyName": {"Work"}},
		"iam:GetUserPolicy":           {"UserName": {"alice"}, "PolicyName": {"Own"}},
		"iam:GetGroupPolicy":          {"GroupName": {"bool-group"}, "PolicyName": {"RequireMFA"}},
		"iam:GetRolePolicy":           {"RoleName": {"mfa-role"}, "PolicyName": {"Work"}},
		"iam:DeleteVirtualMFADevice":  {"SerialNumber": {l.spare.Serial}},
		"iam:GetGroup":                {"GroupName": {"bool-group"}},
		"iam:ListGroups":              {},
		"iam:ListPolicies":            {"Scope": {"Local"}, "OnlyAttached": {"true"}},
		"iam:TagUser":                 with(url.Values{"UserName": {"alice"}}, tags),
		"iam:TagRole":                 with(url.Values{"RoleName": {"mfa-role"}}, tags),
		"iam:TagPolicy":               with(url.Values{"PolicyArn": {existing}}, tags),
		"iam:UntagUser":               {"UserName": {"alice"}, "TagKeys.member.1": {"team"}},
		"iam:UntagRole":               {"RoleName": {"mfa-role"}, "TagKeys.member.1": {"team"}},
		"iam:UntagPolicy":             {"PolicyArn": {existing}, "TagKeys.member.1": {"team"}},
		"iam:ListEntitiesForPolicy":   {"PolicyArn": {existing}, "EntityFilter": {"Group"}},
		"iam:UpdateRole":              {"RoleName": {"mfa-role"}, "Description": {"updated"}, "MaxSessionDuration": {"7200"}},

		"ec2:DescribeRegions": {"AllRegions": {"true"}},

		"organizations:DescribeOrganization": {},
	}
}

// The operations that need no permission: sts:GetCallerIdentity answers
// everyone and sts:GetSessionToken is decided by the MFA code alone.
var publicOperations = map[string]bool{"sts:GetCallerIdentity": true, "sts:GetSessionToken": true}

// TestEveryOperationAuthorizesBeforeActing sends every registered
// operation, valid, from a user without permissions: each must be denied
// with the state left exactly as it was (the MFA code sent to AssumeRole
// not used, no access key's last use recorded).
func TestEveryOperationAuthorizesBeforeActing(t *testing.T) {
	l := newFileLab(t)
	l.touch(l.nobody)
	requests := deniedRequests(l)
	before := l.digest()
	seen := map[string]bool{}
	for i := range operationTable {
		op := &operationTable[i]
		name := op.action()
		if op.public {
			if !publicOperations[name] {
				t.Errorf("%s is public: only %v may be", name, publicOperations)
			}
			continue
		}
		form, ok := requests[name]
		if !ok {
			t.Errorf("%s: no request in deniedRequests; add a valid one", name)
			continue
		}
		seen[name] = true
		st, body := l.callOperation(l.nobody, op, form)
		wantCode, wantStatus := "<Code>AccessDenied</Code>", 403
		switch op.service {
		case serviceEC2:
			wantCode = "<Code>UnauthorizedOperation</Code>"
		case serviceOrganizations:
			wantCode, wantStatus = `"__type":"AccessDeniedException"`, 400
		}
		if st != wantStatus || !strings.Contains(body, wantCode) || !strings.Contains(body, "user/nobody is not authorized to perform: "+name) {
			t.Errorf("%s by a user without permissions: %d %s", name, st, body)
		}
		if after := l.digest(); after != before {
			t.Errorf("%s changed the state although it was denied", name)
			before = after
		}
	}
	for name := range requests {
		if !seen[name] {
			t.Errorf("deniedRequests has %s, which is not a registered operation", name)
		}
	}
	// The digest does see changes.
	if _, err := l.st.CreateUser("late", ""); err != nil {
		t.Fatal(err)
	}
	if l.digest() == before {
		t.Fatal("the state digest missed a new user")
	}
}

// callOperation sends op with the parameters in form: as a query-protocol
// form (Action and Version added), or for Organizations as a JSON-protocol
// request.
func (l *fileLab) callOperation(c creds, op *operation, form url.Values) (int, string) {
	if op.service == serviceOrganizations {
		obj := map[string]string{}
		for k := range form {
			obj[k] = form.Get(k)
		}
		body, err := json.Marshal(obj)
		if err != nil {
			l.t.Fatal(err)
		}
		req := signedRequestHeaders(l.t, "http://127.0.0.1/", c, op.service, string(body), l.now,
			map[string]string{"Content-Type": jsonContentType, "X-Amz-Target": orgTargetPrefix + op.name})
		return do(l.srv.Handler(), req)
	}
	form = cloneForm(form)
	form.Set("Action", op.name)
	form.Set("Version", apiVersion(op.service))
	return l.call(c, op.service, form)
}

func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// The same requests from the administrator succeed, so the denials above
// are the policies' doing, not bad requests.
func TestDeniedRequestsAreValid(t *testing.T) {
	for name := range deniedRequests(newFileLab(t)) {
		if name == "sts:AssumeRole" {
			// nobody's MFA code is not the administrator's; the role
			// stories test AssumeRole.
			continue
		}
		// A fresh account each: one call may undo another's target.
		l := newFileLab(t)
		service, action, _ := strings.Cut(name, ":")
		op := operations()[service][action]
		if op == nil {
			t.Errorf("%s is not an operation", name)
			continue
		}
		// The lab's account is in no organization: that is
		// Organizations' valid answer.
		if st, body := l.callOperation(l.a.admin, op, deniedRequests(l)[name]); st != 200 && !strings.Contains(body, "<Code>ReportNotPresent</Code>") &&
			!strings.Contains(body, `"__type":"AWSOrganizationsNotInUseException"`) {
			t.Errorf("%s by the administrator: %d %s", name, st, body)
		}
	}
}

func TestTagsNeedTheTagPermission(t *testing.T) {
	l := newFileLab(t)
	// "creator" may create users and tag them only with team=blue.
	if _, err := l.st.CreateUser("creator", ""); err != nil {
		t.Fatal(err)
	}
	k, err := l.st.CreateAccessKey("creator")
	if err != nil {
		t.Fatal(err)
	}
	creator := creds{id: k.ID, secret: k.Secret}
	l.touch(creator)
	if err := l.st.PutUserPolicy("creator", "Create", `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"iam:CreateUser","Resource":"*"},
 {"Effect":"Allow","Action":"iam:TagUser","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"blue"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}]}`); err != nil {
		t.Fatal(err)
	}
	create := func(user string, tags ...string) (int, string) {
		form := url.Values{"Action": {"CreateUser"}, "Version": {versionIAM}, "UserName": {user}}
		for i := 0; i+1 < len(tags); i += 2 {
			n := fmt.Sprint(i/2 + 1)
			form.Set("Tags.member."+n+".Key", tags[i])
			form.Set("Tags.member."+n+".Value", tags[i+1])
		}
		return l.call(creator, serviceIAM, form)
	}
	before := l.digest()
	for _, c := range []struct {
		tags []string
		why  string
	}{
		{[]string{"team", "red"}, "aws:RequestTag/team is not blue"},
		{[]string{"team", "blue", "cost", "1"}, "aws:TagKeys has a key other than team"},
	} {
		st, body := create("tagged", c.tags...)
		if st != 403 || !strings.Contains(body, "is not authorized to perform: iam:TagUser on resource: arn:aws:iam::123456789012:user/tagged") {
			t.Errorf("%s: %d %s", c.why, st, body)
		}
	}
	if l.digest() != before {
		t.Fatal("a refused CreateUser with tags created something")
	}
	if st, body := create("untagged"); st != 200 {
		t.Fatalf("CreateUser without tags needs no iam:TagUser: %d %s", st, body)
	}
	if st, body := create("blue", "team", "blue"); st != 200 || !strings.Contains(body, "<Key>team</Key>") {
		t.Fatalf("CreateUser with an allowed tag: %d %s", st, body)
	}
	if tags, err := l.st.UserTags("blue"); err != nil || len(tags) != 1 || tags[0] != (store.Tag{Key: "team", Value: "blue"}) {
		t.Fatalf("stored tags %v %v", tags, err)
	}
}

func TestUnsupportedParametersAreRefused(t *testing.T) {
	l := newFileLab(t)
	l.touch(l.a.admin)
	before := l.digest()
	for _, c := range []struct {
		service string
		form    url.Values
		param   string
	}{
		{serviceIAM, url.Values{"Action": {"CreateUser"}, "UserName": {"bounded"}, "PermissionsBoundary": {"arn:aws:iam::aws:policy/AdministratorAccess"}}, "PermissionsBoundary"},
		{serviceIAM, url.Values{"Action": {"CreateRole"}, "RoleName": {"bounded"}, "AssumeRolePolicyDocument": {"{}"}, "PermissionsBoundary": {"arn:aws:iam::aws:policy/AdministratorAccess"}}, "PermissionsBoundary"},
		{serviceSTS, url.Values{"Action": {"AssumeRole"}, "RoleArn": {l.a.roleARN}, "RoleSessionName": {"s"}, "Tags.member.1.Key": {"k"}, "Tags.member.1.Value": {"v"}}, "Tags"},
		{serviceSTS, url.Values{"Action": {"AssumeRole"}, "RoleArn": {l.a.roleARN}, "RoleSessionName": {"s"}, "TransitiveTagKeys.member.1": {"k"}}, "TransitiveTagKeys"},
	} {
		c.form.Set("Version", apiVersion(c.service))
		st, body := l.call(l.a.admin, c.service, c.form)
		if st != 400 || !strings.Contains(body, "<Code>ValidationError</Code>") || !strings.Contains(body, "does not implement the "+c.param+" parameter of "+c.form.Get("Action")) {
			t.Errorf("%s with %s: %d %s", c.form.Get("Action"), c.param, st, body)
		}
	}
	if l.digest() != before {
		t.Fatal("a refused request changed the state")
	}
}
