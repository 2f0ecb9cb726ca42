package lab

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// apiErrorOf decodes the code and message of an awsQuery or EC2 error
// answer.
func apiErrorOf(t *testing.T, body string) (code, message string) {
	t.Helper()
	var e struct {
		Code    string `xml:"Error>Code"`
		Message string `xml:"Error>Message"`
		EC2     struct {
			Code    string `xml:"Error>Code"`
			Message string `xml:"Error>Message"`
		} `xml:"Errors"`
	}
	if err := xml.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("not an error answer: %v\n%s", err, body)
	}
	if e.EC2.Code != "" {
		return e.EC2.Code, e.EC2.Message
	}
	return e.Code, e.Message
}

func sdkTags(kv ...string) []types.Tag {
	var out []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func tagString(tags []types.Tag) string {
	var b strings.Builder
	for _, t := range tags {
		fmt.Fprintf(&b, "%s=%s;", aws.ToString(t.Key), aws.ToString(t.Value))
	}
	return b.String()
}

// Tags given at creation are stored and returned where IAM returns them,
// with the Go SDK parsing every answer.
func TestTagsWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	tags := sdkTags("team", "blue", "cost center", "41200")
	const want = "team=blue;cost center=41200;"

	u, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol"), Tags: tags})
	check("CreateUser", err)
	if got := tagString(u.User.Tags); got != want {
		t.Errorf("CreateUser tags %q", got)
	}
	gu, err := admin.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("carol")})
	check("GetUser", err)
	if got := tagString(gu.User.Tags); got != want {
		t.Errorf("GetUser tags %q", got)
	}
	lu, err := admin.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("carol")})
	check("ListUserTags", err)
	if got := tagString(lu.Tags); got != want || lu.IsTruncated {
		t.Errorf("ListUserTags %q truncated %v", got, lu.IsTruncated)
	}
	page, err := admin.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("carol"), MaxItems: aws.Int32(1)})
	check("ListUserTags page 1", err)
	page2, err := admin.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("carol"), Marker: page.Marker})
	check("ListUserTags page 2", err)
	if tagString(page.Tags)+tagString(page2.Tags) != want || !page.IsTruncated || page2.IsTruncated {
		t.Errorf("ListUserTags pages %q %q", tagString(page.Tags), tagString(page2.Tags))
	}
	// Listings leave tags out, as IAM's do.
	users, err := admin.ListUsers(ctx, &iam.ListUsersInput{})
	check("ListUsers", err)
	for _, x := range users.Users {
		if len(x.Tags) != 0 {
			t.Errorf("ListUsers returned tags for %s", aws.ToString(x.UserName))
		}
	}
	details, err := admin.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeUser, types.EntityTypeRole}})
	check("GetAccountAuthorizationDetails", err)
	for _, d := range details.UserDetailList {
		if aws.ToString(d.UserName) == "carol" && tagString(d.Tags) != want {
			t.Errorf("UserDetail tags %q", tagString(d.Tags))
		}
	}

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	r, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ops"), AssumeRolePolicyDocument: aws.String(trust), Tags: tags})
	check("CreateRole", err)
	if got := tagString(r.Role.Tags); got != want {
		t.Errorf("CreateRole tags %q", got)
	}
	gr, err := admin.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ops")})
	check("GetRole", err)
	if got := tagString(gr.Role.Tags); got != want {
		t.Errorf("GetRole tags %q", got)
	}
	lr, err := admin.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("ops")})
	check("ListRoleTags", err)
	if got := tagString(lr.Tags); got != want {
		t.Errorf("ListRoleTags %q", got)
	}

	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}`
	p, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Read"), PolicyDocument: aws.String(doc), Description: aws.String("lists things"), Tags: tags})
	check("CreatePolicy", err)
	if aws.ToString(p.Policy.Description) != "lists things" || tagString(p.Policy.Tags) != want {
		t.Errorf("CreatePolicy description %q tags %q", aws.ToString(p.Policy.Description), tagString(p.Policy.Tags))
	}
	gp, err := admin.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: p.Policy.Arn})
	check("GetPolicy", err)
	if aws.ToString(gp.Policy.Description) != "lists things" || tagString(gp.Policy.Tags) != want {
		t.Errorf("GetPolicy description %q tags %q", aws.ToString(gp.Policy.Description), tagString(gp.Policy.Tags))
	}
	lp, err := admin.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: p.Policy.Arn})
	check("ListPolicyTags", err)
	if got := tagString(lp.Tags); got != want {
		t.Errorf("ListPolicyTags %q", got)
	}

	d, err := admin.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("carol"), Tags: tags})
	check("CreateVirtualMFADevice", err)
	if got := tagString(d.VirtualMFADevice.Tags); got != want {
		t.Errorf("CreateVirtualMFADevice tags %q", got)
	}
	ld, err := admin.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: d.VirtualMFADevice.SerialNumber})
	check("ListMFADeviceTags", err)
	if got := tagString(ld.Tags); got != want {
		t.Errorf("ListMFADeviceTags %q", got)
	}

	// Without tags: no Tags element, empty lists.
	_, err = admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dave")})
	check("CreateUser dave", err)
	ld2, err := admin.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("dave")})
	check("ListUserTags dave", err)
	if len(ld2.Tags) != 0 {
		t.Errorf("dave has tags %q", tagString(ld2.Tags))
	}
	if _, err := admin.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("nobody")}); apiCode(err) != "NoSuchEntity" {
		t.Errorf("ListUserTags of a missing user: %v", err)
	}
}

// Bad Tags parameters are refused whole: nothing is created and nothing
// is dropped.
func TestTagsParameterValidation(t *testing.T) {
	h := newHandlerLab(t, Config{})
	many := url.Values{}
	for i := 1; i <= 51; i++ {
		many.Set(fmt.Sprintf("Tags.member.%d.Key", i), fmt.Sprint("k", i))
		many.Set(fmt.Sprintf("Tags.member.%d.Value", i), "v")
	}
	for _, c := range []struct {
		name string
		tags url.Values
		code string
		msg  string
	}{
		{"duplicate keys", url.Values{"Tags.member.1.Key": {"Team"}, "Tags.member.1.Value": {"a"}, "Tags.member.2.Key": {"team"}, "Tags.member.2.Value": {"b"}},
			"InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"51 tags", many, "ValidationError", "Member must have length less than or equal to 50"},
		{"a far member number", url.Values{"Tags.member.99999999999.Key": {"k"}}, "ValidationError", "Member must have length less than or equal to 50"},
		{"long key", url.Values{"Tags.member.1.Key": {strings.Repeat("k", 129)}, "Tags.member.1.Value": {""}}, "ValidationError", "at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"long value", url.Values{"Tags.member.1.Key": {"k"}, "Tags.member.1.Value": {strings.Repeat("v", 257)}}, "ValidationError", "at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"missing value", url.Values{"Tags.member.1.Key": {"k"}}, "ValidationError", "Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null"},
		{"a gap", url.Values{"Tags.member.1.Key": {"a"}, "Tags.member.1.Value": {""}, "Tags.member.3.Key": {"c"}, "Tags.member.3.Value": {""}},
			"ValidationError", "Value null at 'tags.2.member.key'"},
		{"member zero", url.Values{"Tags.member.0.Key": {"a"}}, "ValidationError", "tags are Tags.member.N.Key and Tags.member.N.Value, N from 1"},
		{"an unknown field", url.Values{"Tags.member.1.Key": {"a"}, "Tags.member.1.Value": {""}, "Tags.member.1.Kind": {"x"}}, "ValidationError", `Invalid tag parameter "Tags.member.1.Kind"`},
		{"a number in two spellings", url.Values{"Tags.member.1.Key": {"a"}, "Tags.member.1.Value": {""}, "Tags.member.01.Key": {"b"}}, "ValidationError", `Invalid tag parameter "Tags.member.01.Key"`},
		{"bad character", url.Values{"Tags.member.1.Key": {"a<b"}, "Tags.member.1.Value": {""}}, "ValidationError", "must satisfy regular expression pattern"},
	} {
		form := url.Values{"Action": {"CreateUser"}, "Version": {versionIAM}, "UserName": {"tagged"}}
		for k, v := range c.tags {
			form[k] = v
		}
		st, body := h.call(h.a.admin, "iam", form.Encode())
		if code, msg := apiErrorOf(t, body); st != 400 || code != c.code || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: %d %s", c.name, st, body)
		}
	}
	if _, err := h.a.st.GetUser("tagged"); err == nil {
		t.Fatal("a user was created despite bad tags")
	}
}
