package account

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func loadFixture(t testing.TB, name string) *Account {
	t.Helper()
	a, err := LoadAuthorizationDetails(name, readFixture(t, name))
	if err != nil {
		t.Fatalf("LoadAuthorizationDetails(%s): %v", name, err)
	}
	return a
}

// summary renders the model without the places documents were read from,
// so that one account read from differently shaped files compares equal.
func summary(a *Account) string {
	var b strings.Builder
	doc := func(d *Document) string {
		if d == nil {
			return "<nil>"
		}
		return string(policy.Format(d.Document))
	}
	date := func(t time.Time) string { return t.Format(time.RFC3339Nano) }
	fmt.Fprintf(&b, "account %s %s\n", a.Partition, a.ID)
	for _, u := range a.Users {
		fmt.Fprintf(&b, "user %s %s %s %s %s groups=%v attached=%v boundary=%s tags=%v\n", u.Name, u.ID, u.ARN, u.Path, date(u.CreateDate), u.Groups, u.Attached, u.Boundary, u.Tags)
		for _, p := range u.Inline {
			fmt.Fprintf(&b, "  inline %s %s\n", p.Name, doc(p.Document))
		}
	}
	for _, g := range a.Groups {
		fmt.Fprintf(&b, "group %s %s %s %s %s attached=%v\n", g.Name, g.ID, g.ARN, g.Path, date(g.CreateDate), g.Attached)
		for _, p := range g.Inline {
			fmt.Fprintf(&b, "  inline %s %s\n", p.Name, doc(p.Document))
		}
	}
	for _, r := range a.Roles {
		fmt.Fprintf(&b, "role %s %s %s %s %s attached=%v boundary=%s tags=%v last=%s %s\n  trust %s\n", r.Name, r.ID, r.ARN, r.Path, date(r.CreateDate),
			r.Attached, r.Boundary, r.Tags, date(r.LastUsed), r.LastUsedRegion, doc(r.Trust))
		for _, p := range r.Inline {
			fmt.Fprintf(&b, "  inline %s %s\n", p.Name, doc(p.Document))
		}
	}
	for _, p := range a.Policies {
		fmt.Fprintf(&b, "policy %s %s %s %s default=%s versions=%v attachments=%d %q %s %s\n  %s\n", p.Name, p.ID, p.ARN, p.Path, p.DefaultVersion,
			p.Versions, p.AttachmentCount, p.Description, date(p.CreateDate), date(p.UpdateDate), doc(p.Document))
	}
	return b.String()
}

// The lab's account read through every tool: the AWS CLI (documents as
// objects, dates 2026-12-07T17:41:26+00:00), boto3 results dumped with
// json.dumps(default=str) (2026-12-07 17:41:26+00:00, ResponseMetadata),
// the API's URL-encoded documents with 2026-12-07T17:41:26Z dates, the
// boto3 paginator's pages as a JSON list, and the AWS CLI's --max-items
// pages concatenated: one model.
func TestLoadAuthorizationDetailsEveryShapeOfTheLabAccount(t *testing.T) {
	want := summary(loadFixture(t, "lab-cli.json"))
	for _, name := range []string{"lab-boto3.json", "lab-urlencoded.json", "lab-pages.json", "lab-cli-max-items-concatenated.json"} {
		t.Run(name, func(t *testing.T) {
			if got := summary(loadFixture(t, name)); got != want {
				t.Errorf("%s differs from lab-cli.json:\n%s\nwant:\n%s", name, got, want)
			}
		})
	}
	if !strings.Contains(want, "user alice AIDA6FJUGWCOPVBHEX4XH arn:aws:iam::123456789012:user/alice / 2026-12-07T17:41:26Z groups=[mfa-bool]") {
		t.Errorf("summary:\n%s", want)
	}
}

func TestLoadAuthorizationDetailsLabModel(t *testing.T) {
	a := loadFixture(t, "lab-cli.json")
	if a.ID != "123456789012" || a.Partition != "aws" || a.Source != "lab-cli.json" || len(a.Notes) != 0 {
		t.Fatalf("account %q %q source %q notes %q", a.ID, a.Partition, a.Source, a.Notes)
	}
	if len(a.Users) != 4 || len(a.Groups) != 2 || len(a.Roles) != 1 || len(a.Policies) != 3 {
		t.Fatalf("users %d groups %d roles %d policies %d", len(a.Users), len(a.Groups), len(a.Roles), len(a.Policies))
	}
	// Seed 000: alice's group holds the Bool deny.
	g := a.GroupByName("mfa-bool")
	if g == nil || len(g.Inline) != 1 || g.Inline[0].Name != "BlockMostAccessUnlessSignedInWithMFA" {
		t.Fatalf("mfa-bool: %+v", g)
	}
	d := g.Inline[0].Document
	if d.File != "lab-cli.json" || d.Path != "GroupDetailList[0].GroupPolicyList[0].PolicyDocument" || d.Line != 88 {
		t.Errorf("document place %s %s %d", d.File, d.Path, d.Line)
	}
	st := d.Statements[0]
	if st.Sid != "BlockMostAccessUnlessSignedInWithMFA" || st.Effect != policy.Deny || len(st.NotAction.Values) != 13 {
		t.Errorf("statement %+v", st)
	}
	// Positions inside documents are positions in the file.
	if st.Pos != (policy.Pos{Line: 91, Column: 29}) || st.Conditions[0].KeyPos != (policy.Pos{Line: 112, Column: 41}) {
		t.Errorf("statement at %v, condition key at %v", st.Pos, st.Conditions[0].KeyPos)
	}
	if !strings.HasPrefix(d.Text, "{\n") || !strings.HasSuffix(d.Text, "}") || !strings.Contains(d.Text, `"aws:ViaAWSService": "false"`) {
		t.Errorf("text %q", d.Text)
	}
	r := a.RoleByName("cli-role")
	if r == nil || r.Trust == nil || r.Trust.Path != "RoleDetailList[0].AssumeRolePolicyDocument" || r.Trust.Line != 154 || !r.LastUsed.IsZero() {
		t.Fatalf("cli-role %+v", r)
	}
	if c := r.Trust.Statements[0].Conditions[0]; c.Key != "aws:multifactorAuthPresent" || c.Values[0].Kind != policy.KindBool {
		t.Errorf("trust condition %+v", c)
	}
	p := a.PolicyByARN("arn:aws:iam::123456789012:policy/RequireMFA")
	if p == nil || p.DefaultVersion != "v1" || len(p.Versions) != 1 || p.AttachmentCount != 1 || p.AWSManaged() ||
		p.Document.Path != "Policies[2].PolicyVersionList[0].Document" || p.Description == "" {
		t.Fatalf("RequireMFA %+v", p)
	}
	if !a.PolicyByARN("arn:aws:iam::aws:policy/AdministratorAccess").AWSManaged() {
		t.Error("AdministratorAccess is AWS managed")
	}
}

// A URL-encoded document has the position of its string, for the document
// and everything in it.
func TestLoadAuthorizationDetailsURLEncodedPositions(t *testing.T) {
	a := loadFixture(t, "lab-urlencoded.json")
	d := a.UserByName("anika").Inline[0].Document
	at := policy.Pos{Line: 39, Column: 39}
	if d.Line != 39 || d.Pos != at || d.Statements[1].Pos != at || d.Statements[1].Action.ValuePos[2] != at {
		t.Errorf("line %d, positions %v %v %v", d.Line, d.Pos, d.Statements[1].Pos, d.Statements[1].Action.ValuePos)
	}
	if !strings.HasPrefix(d.Text, "{\n  \"Version\": \"2012-10-17\",") || strings.Contains(d.Text, "%") {
		t.Errorf("text not decoded: %q", d.Text)
	}
	if a.UserByName("anika").Inline[0].Document.Statements[1].Action.Values[0] != "sts:GetCallerIdentity" {
		t.Error("decoded actions")
	}
}

func TestLoadAuthorizationDetailsAWSDocExample(t *testing.T) {
	a := loadFixture(t, "aws-doc-example.json")
	if len(a.Users) != 3 || len(a.Groups) != 2 || len(a.Roles) != 3 || len(a.Policies) != 6 {
		t.Fatalf("users %d groups %d roles %d policies %d", len(a.Users), len(a.Groups), len(a.Roles), len(a.Policies))
	}
	c := a.UserByName("Charlie")
	if c.Path != "/engineering/" || c.ARN != "arn:aws:iam::123456789012:user/engineering/Charlie" ||
		c.Boundary != "arn:aws:iam::123456789012:policy/DevBoundary" ||
		fmt.Sprint(c.Tags) != "[{cost-center 1234} {owner }]" || fmt.Sprint(c.Groups) != "[Dev]" ||
		fmt.Sprint(c.Attached) != "[arn:aws:iam::123456789012:policy/RequireMFA arn:aws:iam::aws:policy/PowerUserAccess]" {
		t.Errorf("Charlie %+v", c)
	}
	if !c.CreateDate.Equal(time.Date(2013, 10, 14, 18, 33, 56, 0, time.UTC)) {
		t.Errorf("CreateDate %v", c.CreateDate)
	}
	// The instance profile's copy of the role is not a role.
	ec2 := a.RoleByName("EC2role")
	if ec2.Trust.Path != "RoleDetailList[0].AssumeRolePolicyDocument" ||
		!ec2.LastUsed.Equal(time.Date(2019, 11, 13, 17, 30, 0, 482e6, time.UTC)) || ec2.LastUsedRegion != "us-east-1" {
		t.Errorf("EC2role %+v", ec2)
	}
	admin := a.RoleByName("AdminRole")
	if admin.Boundary == "" || len(admin.Inline) != 1 || !admin.Inline[0].Document.StatementSingle || admin.ServiceLinked() {
		t.Errorf("AdminRole %+v", admin)
	}
	if !a.RoleByName("AWSServiceRoleForSupport").ServiceLinked() {
		t.Error("AWSServiceRoleForSupport is service-linked")
	}
	// The default version is in force; versions are listed oldest first;
	// a non-default version is not even checked (v1's empty Statement).
	p := a.PolicyByARN("arn:aws:iam::123456789012:policy/RequireMFA")
	if p.DefaultVersion != "v3" || fmt.Sprint(p.Versions) != "[v1 v2 v3]" ||
		p.Document.Path != "Policies[0].PolicyVersionList[0].Document" ||
		p.Document.Statements[0].Conditions[0].Operator != "BoolIfExists" ||
		!p.UpdateDate.Equal(time.Date(2020, 2, 3, 9, 15, 42, 123e6, time.UTC)) {
		t.Errorf("RequireMFA %+v", p)
	}
}

func TestLoadAuthorizationDetailsPagePaths(t *testing.T) {
	a := loadFixture(t, "lab-pages.json")
	if p := a.RoleByName("cli-role").Trust.Path; p != "[2].RoleDetailList[0].AssumeRolePolicyDocument" {
		t.Errorf("trust path %q", p)
	}
	a = loadFixture(t, "lab-cli-max-items-concatenated.json")
	if p := a.UserByName("anika").Inline[0].Document.Path; p != "[1].UserDetailList[0].UserPolicyList[0].PolicyDocument" {
		t.Errorf("second page path %q", p)
	}
	if l := a.UserByName("anika").Inline[0].Document.Line; l != 280 {
		t.Errorf("second page line %d", l)
	}
}

// A byte order mark and CRLF line ends change nothing but columns of the
// first line.
func TestLoadAuthorizationDetailsBOMAndCRLF(t *testing.T) {
	data := readFixture(t, "lab-cli.json")
	crlf := append([]byte{0xEF, 0xBB, 0xBF}, bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))...)
	a, err := LoadAuthorizationDetails("crlf.json", crlf)
	if err != nil {
		t.Fatal(err)
	}
	if summary(a) != summary(loadFixture(t, "lab-cli.json")) {
		t.Error("CRLF file reads differently")
	}
	d := a.GroupByName("mfa-bool").Inline[0].Document
	if d.Line != 88 || d.Statements[0].Conditions[0].KeyPos != (policy.Pos{Line: 112, Column: 41}) || !strings.Contains(d.Text, "\r\n") {
		t.Errorf("line %d, key at %v", d.Line, d.Statements[0].Conditions[0].KeyPos)
	}
}

// Epoch seconds (the JSON form of the query API) and the
// GetAccountAuthorizationDetailsResponse wrapper.
func TestLoadAuthorizationDetailsQueryJSON(t *testing.T) {
	in := `{"GetAccountAuthorizationDetailsResponse": {"GetAccountAuthorizationDetailsResult": {
  "UserDetailList": [{"UserName": "u", "Arn": "arn:aws-cn:iam::111122223333:user/u", "CreateDate": 1.576696208E9,
    "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": "%0A%20%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D"}]}],
  "GroupDetailList": [], "RoleDetailList": [], "Policies": [], "IsTruncated": false},
 "ResponseMetadata": {"RequestId": "r"}}}`
	a, err := LoadAuthorizationDetails("q.json", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	u := a.Users[0]
	if a.ID != "111122223333" || a.Partition != "aws-cn" || !u.CreateDate.Equal(time.Unix(1576696208, 0)) ||
		u.Inline[0].Document.Statements[0].Action.Values[0] != "s3:*" ||
		u.Inline[0].Document.Path != "GetAccountAuthorizationDetailsResponse.GetAccountAuthorizationDetailsResult.UserDetailList[0].UserPolicyList[0].PolicyDocument" {
		t.Errorf("%+v %+v", a, u)
	}
}

// A document written as a JSON string (not URL-encoded) keeps exact
// positions.
func TestLoadAuthorizationDetailsJSONStringDocument(t *testing.T) {
	in := "{\"UserDetailList\": [{\"UserName\": \"u\", \"Arn\": \"arn:aws:iam::111122223333:user/u\",\n" +
		"  \"UserPolicyList\": [{\"PolicyName\": \"p\", \"PolicyDocument\": \"{\\\"Statement\\\": {\\\"Effect\\\": \\\"Allow\\\", \\\"Action\\\": \\\"s3:*\\\", \\\"Resource\\\": \\\"*\\\"}}\"}]}]}"
	a, err := LoadAuthorizationDetails("s.json", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	d := a.Users[0].Inline[0].Document
	if d.Line != 2 || d.Text != `{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}` {
		t.Errorf("line %d text %q", d.Line, d.Text)
	}
	col := strings.Index(strings.Split(in, "\n")[1], `\"Effect\"`) + 1
	if d.Statements[0].EffectPos != (policy.Pos{Line: 2, Column: col}) {
		t.Errorf("Effect at %v, want 2:%d", d.Statements[0].EffectPos, col)
	}
}

func TestLoadAuthorizationDetailsEmptyAccount(t *testing.T) {
	a, err := LoadAuthorizationDetails("e.json", []byte(`{"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "" || a.Partition != "aws" || len(a.Notes) != 1 || !strings.Contains(a.Notes[0], "account ID is unknown") {
		t.Errorf("%+v", a)
	}
}

const (
	okUser   = `{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u"}`
	okPolicy = `{"PolicyName": "P", "Arn": "arn:aws:iam::111122223333:policy/P", "DefaultVersionId": "v1",
 "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}}]}`
)

func TestLoadAuthorizationDetailsErrors(t *testing.T) {
	deep := `{"UserDetailList": [` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `]}`
	tooMany := `{"UserDetailList": [` + strings.TrimSuffix(strings.Repeat(`{"Arn": "arn:aws:iam::111122223333:user/u"},`, 30), ",") + `]}`
	tests := []struct {
		name, in string
		want     []string // substrings of the error
		limit    bool
	}{
		{"empty", "", []string{"f.json:1:1: empty file"}, false},
		{"white space", " \n ", []string{"f.json:2:2: empty file"}, false},
		{"XML", `<GetAccountAuthorizationDetailsResponse/>`, []string{"f.json:1:1: expected a JSON object", "found '<'"}, false},
		{"scalar", `42`, []string{"f.json:1:1: expected a JSON object"}, false},
		{"empty list", `[ ]`, []string{"f.json:1:3: empty list"}, false},
		{"list of non-objects", `[1]`, []string{"f.json:1:2: expected a page object"}, false},
		{"no lists", `{"Users": []}`, []string{"f.json:1:1: no UserDetailList", "not the output of aws iam get-account-authorization-details"}, false},
		{"empty object", `{}`, []string{"no UserDetailList"}, false},
		{"trailing garbage", `{"UserDetailList": []} x`, []string{"f.json:1:24: invalid JSON: unexpected 'x' after the top-level object"}, false},
		{"trailing comma in list", `{"UserDetailList": [` + okUser + `,]}`, []string{"f.json:1:82: invalid JSON: expected a value, found ']'"}, false},
		{"trailing comma in page", `{"UserDetailList": [],}`, []string{"f.json:1:23: invalid JSON: expected an object key"}, false},
		{"missing colon", `{"UserDetailList" []}`, []string{"f.json:1:19: invalid JSON: expected ':'"}, false},
		{"unterminated", `{"UserDetailList": [{"UserName": "u`, []string{"f.json:1:34: invalid JSON: unterminated string"}, false},
		{"unterminated object", `{"UserDetailList": [{"UserName": "u"`, []string{"f.json:1:21: invalid JSON: unterminated object"}, false},
		{"bad JSON inside an entity", "{\"UserDetailList\": [\n  {\"UserName\": \"u\", \"Arn\": tru}]}", []string{"f.json:2:28: invalid JSON: invalid literal"}, false},
		{"duplicate key", `{"UserDetailList": [], "UserDetailList": []}`, []string{`f.json:1:24: duplicate key "UserDetailList" (first at 1:2)`}, false},
		{"list not a list", `{"UserDetailList": {}}`, []string{"f.json:1:20: UserDetailList: must be a list, not an object"}, false},
		{"entity not an object", `{"UserDetailList": ["u"]}`, []string{"f.json:1:21: UserDetailList[0]: must be an object, not a string"}, false},
		{"missing user name", `{"UserDetailList": [{"Arn": "arn:aws:iam::111122223333:user/u"}]}`, []string{"f.json:1:21: UserDetailList[0]: missing UserName"}, false},
		{"user name not a string", `{"UserDetailList": [{"UserName": 7, "Arn": "arn:aws:iam::111122223333:user/u"}]}`, []string{"f.json:1:34: UserDetailList[0].UserName: must be a string, not a number"}, false},
		{"empty user name", `{"UserDetailList": [{"UserName": "", "Arn": "arn:aws:iam::111122223333:user/u"}]}`, []string{"UserDetailList[0].UserName: must not be empty"}, false},
		{"missing ARN", `{"UserDetailList": [{"UserName": "u"}]}`, []string{"UserDetailList[0]: missing Arn"}, false},
		{"bad ARN", `{"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111122223333:role/u"}]}`, []string{"f.json:1:46: UserDetailList[0].Arn: arn:aws:iam::111122223333:role/u is not the ARN of an IAM user"}, false},
		{"short account", `{"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::1111:user/u"}]}`, []string{"is not the ARN of an IAM user"}, false},
		{"mixed accounts", `{"UserDetailList": [` + okUser + `, {"UserName": "v", "Arn": "arn:aws:iam::444455556666:user/v"}]}`,
			[]string{"UserDetailList[1].Arn: the file mixes accounts: aws:444455556666 here, aws:111122223333 at line 1 (UserDetailList[0].Arn)"}, false},
		{"duplicate user", `{"UserDetailList": [` + okUser + ",\n" + okUser + `]}`, []string{`f.json:2:1: UserDetailList[1]: user "u" is listed twice (first at line 1, UserDetailList[0])`}, false},
		{"bad date", `{"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u", "CreateDate": "yesterday"}]}`,
			[]string{`UserDetailList[0].CreateDate: "yesterday" is not a date and time`}, false},
		{"bad epoch", `{"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u", "CreateDate": -5}]}`,
			[]string{`UserDetailList[0].CreateDate: -5 is not a date and time`}, false},
		{"group not listed", `{"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u", "GroupList": ["g"]}]}`,
			[]string{`f.json:1:96: UserDetailList[0].GroupList[0]: group "g" is not in GroupDetailList`, "--filter"}, false},
		{"group name not a string", `{"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u", "GroupList": [1]}]}`,
			[]string{`UserDetailList[0].GroupList[0]: must be a group name, not 1`}, false},
		{"policy not listed", `{"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u", "AttachedManagedPolicies": [{"PolicyName": "X", "PolicyArn": "arn:aws:iam::aws:policy/X"}]}]}`,
			[]string{`UserDetailList[0].AttachedManagedPolicies[0].PolicyArn: managed policy arn:aws:iam::aws:policy/X is not in Policies`}, false},
		{"attached not a policy ARN", `{"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u", "AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::aws:role/X"}]}]}`,
			[]string{`is not the ARN of a managed policy`}, false},
		{"boundary not listed", `{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r", "AssumeRolePolicyDocument": {"Statement": []},
 "PermissionsBoundary": {"PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/B"}}]}`,
			[]string{`RoleDetailList[0].AssumeRolePolicyDocument: Statement must not be an empty list`}, false},
		{"boundary not listed (valid trust)", `{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r",
 "AssumeRolePolicyDocument": {"Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}},
 "PermissionsBoundary": {"PermissionsBoundaryArn": "arn:aws:iam::111122223333:policy/B"}}]}`,
			[]string{`f.json:3:52: RoleDetailList[0].PermissionsBoundary.PermissionsBoundaryArn: managed policy arn:aws:iam::111122223333:policy/B is not in Policies`}, false},
		{"role without trust", `{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r"}]}`,
			[]string{`RoleDetailList[0]: missing AssumeRolePolicyDocument`}, false},
		{"document null", `{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::111122223333:role/r", "AssumeRolePolicyDocument": 5}]}`,
			[]string{`RoleDetailList[0].AssumeRolePolicyDocument: must be a policy document (a JSON object, or a string holding one), not a number`}, false},
		{"invalid document", "{\"UserDetailList\": [{\"UserName\": \"u\", \"Arn\": \"arn:aws:iam::111122223333:user/u\",\n \"UserPolicyList\": [{\"PolicyName\": \"p\", \"PolicyDocument\": {\"Statement\": \"x\"}}]}]}",
			[]string{`f.json:2:73: UserDetailList[0].UserPolicyList[0].PolicyDocument: Statement must be an object or a list of objects, not a string`}, false},
		{"URL-encoded document not JSON", `{"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u", "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": "%7B%22Statement"}]}]}`,
			[]string{`f.json:1:139: UserDetailList[0].UserPolicyList[0].PolicyDocument: policy document is not valid JSON: invalid JSON`}, false},
		{"inline without document", `{"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u", "UserPolicyList": [{"PolicyName": "p"}]}]}`,
			[]string{`UserDetailList[0].UserPolicyList[0]: missing PolicyDocument`}, false},
		{"no default version", `{"Policies": [{"PolicyName": "P", "Arn": "arn:aws:iam::111122223333:policy/P", "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": false, "Document": {}}]}]}`,
			[]string{`Policies[0]: no default version in PolicyVersionList`}, false},
		{"two default versions", `{"Policies": [{"PolicyName": "P", "Arn": "arn:aws:iam::111122223333:policy/P", "PolicyVersionList": [
 {"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}},
 {"VersionId": "v2", "IsDefaultVersion": true, "Document": {}}]}]}`,
			[]string{`f.json:3:2: Policies[0].PolicyVersionList[1]: a second default version (the first is Policies[0].PolicyVersionList[0])`}, false},
		{"duplicate policy", `{"Policies": [` + okPolicy + `, ` + okPolicy + `]}`, []string{`Policies[1]: policy arn:aws:iam::111122223333:policy/P is listed twice`}, false},
		{"attachment count", `{"Policies": [{"PolicyName": "P", "Arn": "arn:aws:iam::111122223333:policy/P", "AttachmentCount": 1.5}]}`,
			[]string{`Policies[0].AttachmentCount: must be a whole number from 0, not 1.5`}, false},
		{"truncated (--no-paginate)", `{"UserDetailList": [], "IsTruncated": true, "Marker": "m"}`,
			[]string{"f.json:1:39: IsTruncated: the file holds one page of a longer answer", "--max-items"}, false},
		{"truncated (--max-items)", `{"UserDetailList": [], "NextToken": "t"}`, []string{"f.json:1:37: NextToken: the file holds one page"}, false},
		{"last page truncated", `{"UserDetailList": []} {"UserDetailList": [], "NextToken": "t"}`, []string{"f.json:1:60: [1].NextToken: the file holds one page"}, false},
		{"too deep", deep, []string{"f.json:1:", "deeper than"}, true},
		{"too many errors", tooMany, []string{"UserDetailList[19]: missing UserName", "stopped after 20 errors"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := LoadAuthorizationDetails("f.json", []byte(tt.in))
			if err == nil {
				t.Fatalf("no error; account %+v", a)
			}
			if a != nil {
				t.Error("an account with an error")
			}
			var list policy.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not a policy.ErrorList", err)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if policy.IsLimit(err) != tt.limit {
				t.Errorf("IsLimit = %v", !tt.limit)
			}
			if len(list) > maxLoadErrors+1 {
				t.Errorf("%d errors", len(list))
			}
		})
	}
}

func TestLoadAuthorizationDetailsTruncatedFixtures(t *testing.T) {
	for _, tt := range []struct{ file, want string }{
		{"lab-cli-max-items-first-page.json", "lab-cli-max-items-first-page.json:267:18: NextToken: the file holds one page of a longer answer"},
		{"lab-cli-no-paginate-truncated.json", "lab-cli-no-paginate-truncated.json:34:20: IsTruncated: the file holds one page of a longer answer"},
	} {
		_, err := LoadAuthorizationDetails(tt.file, readFixture(t, tt.file))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: %v", tt.file, err)
		}
	}
}

func TestLoadAuthorizationDetailsSizeLimit(t *testing.T) {
	_, err := loadLimited("big.json", []byte("{"), 0)
	if err == nil || !policy.IsLimit(err) || !strings.Contains(err.Error(), "big.json: file is 1 bytes, more than the 0 MiB limit") {
		t.Errorf("error %v", err)
	}
}

// One entity holding many string documents: each is parsed on its own,
// so the work stays linear (a quadratic reader would scan the entity once
// per document: 40,000 times 4 MB).
func TestLoadAuthorizationDetailsManyStringDocuments(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"UserDetailList": [{"UserName": "u", "Arn": "arn:aws:iam::111122223333:user/u", "UserPolicyList": [`)
	const n = 40000
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"PolicyName": "p%d", "PolicyDocument": "%%7B%%22Statement%%22%%3A%%7B%%22Effect%%22%%3A%%22Allow%%22%%2C%%22Action%%22%%3A%%22s3%%3A%%2A%%22%%2C%%22Resource%%22%%3A%%22%%2A%%22%%7D%%7D"}`, i)
	}
	b.WriteString(`]}]}`)
	a, err := LoadAuthorizationDetails("many.json", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	last := a.Users[0].Inline[n-1].Document
	if len(a.Users[0].Inline) != n || last.Line != n || last.Statements[0].Pos != (policy.Pos{Line: n, Column: 44}) {
		t.Errorf("%d policies, last at line %d, statement at %v", len(a.Users[0].Inline), last.Line, last.Statements[0].Pos)
	}
}
