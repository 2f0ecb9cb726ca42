package lab

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// The reads an account audit makes, through the Go SDK's IAM client:
// GetAccountSummary, login profiles and the credential report's password
// columns, the per-entity policy listings and paginated authorization
// details.

func TestGetAccountSummaryWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	// One unassigned virtual device besides alice's and bob's.
	if _, err := a.st.CreateVirtualMFADevice("spare", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.st.CreatePolicy("Mine", "", allowListUsers, ""); err != nil {
		t.Fatal(err)
	}
	out, err := admin.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[types.SummaryKeyType]int32{
		types.SummaryKeyTypeUsers: 3, types.SummaryKeyTypeGroups: 2, types.SummaryKeyTypeRoles: 1, types.SummaryKeyTypePolicies: 1,
		types.SummaryKeyTypePolicyVersionsInUse: 1, types.SummaryKeyTypeMFADevices: 3, types.SummaryKeyTypeMFADevicesInUse: 2,
		types.SummaryKeyTypeAccountMFAEnabled: 0, types.SummaryKeyTypeAccountAccessKeysPresent: 1, types.SummaryKeyTypeAccountPasswordPresent: 1,
		types.SummaryKeyTypeUsersQuota: 5000, types.SummaryKeyTypeAccessKeysPerUserQuota: 2, types.SummaryKeyTypeAttachedPoliciesPerUserQuota: 10,
		types.SummaryKeyTypeUserPolicySizeQuota: 2048, types.SummaryKeyTypeGroupPolicySizeQuota: 5120, types.SummaryKeyTypeRolePolicySizeQuota: 10240,
		types.SummaryKeyTypeVersionsPerPolicyQuota: 5, types.SummaryKeyTypeAssumeRolePolicySizeQuota: 2048,
	}
	for k, v := range want {
		got, ok := out.SummaryMap[string(k)]
		if !ok || got != v {
			t.Errorf("SummaryMap[%s] = %d (present %v), want %d", k, got, ok, v)
		}
	}
	// Every key is one the API documents.
	valid := map[string]bool{}
	for _, k := range types.SummaryKeyType("").Values() {
		valid[string(k)] = true
	}
	for k := range out.SummaryMap {
		if !valid[k] {
			t.Errorf("SummaryMap key %s is not one of IAM's", k)
		}
	}
	// The root user's key is what AccountAccessKeysPresent counts.
	keys, err := a.st.ListAccessKeys("", true)
	if err != nil || len(keys) != 1 {
		t.Fatal(keys, err)
	}
	if err := a.st.DeleteAccessKey("", true, keys[0].ID); err != nil {
		t.Fatal(err)
	}
	out, err = admin.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil || out.SummaryMap["AccountAccessKeysPresent"] != 0 {
		t.Fatalf("after deleting the root key: %v %v", out.SummaryMap, err)
	}
}

func TestLoginProfilesWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	_, err := admin.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("alice")})
	if apiCode(err) != "NoSuchEntity" || apiMessage(err) != "Login Profile for User alice cannot be found." {
		t.Fatalf("GetLoginProfile without a password: %v", err)
	}
	created, err := admin.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String(testPassword), PasswordResetRequired: true})
	if err != nil {
		t.Fatal(err)
	}
	if *created.LoginProfile.UserName != "alice" || !created.LoginProfile.PasswordResetRequired || created.LoginProfile.CreateDate == nil {
		t.Fatalf("created %+v", created.LoginProfile)
	}
	got, err := admin.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("alice")})
	if err != nil || !got.LoginProfile.CreateDate.Equal(*created.LoginProfile.CreateDate) || !got.LoginProfile.PasswordResetRequired {
		t.Fatalf("GetLoginProfile %+v %v", got, err)
	}
	// Without UserName: the calling user's.
	if _, err := admin.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{Password: aws.String(testPassword)}); err != nil {
		t.Fatal(err)
	}
	mine, err := admin.GetLoginProfile(ctx, &iam.GetLoginProfileInput{})
	if err != nil || *mine.LoginProfile.UserName != "admin" || mine.LoginProfile.PasswordResetRequired {
		t.Fatalf("admin's own login profile: %+v %v", mine, err)
	}
	for _, c := range []struct {
		name      string
		in        *iam.CreateLoginProfileInput
		code, msg string
	}{
		{"twice", &iam.CreateLoginProfileInput{UserName: aws.String("alice"), Password: aws.String(testPassword)}, "EntityAlreadyExists", "Login Profile for user alice already exists."},
		{"no such user", &iam.CreateLoginProfileInput{UserName: aws.String("nobody"), Password: aws.String(testPassword)}, "NoSuchEntity", "The user with name nobody cannot be found."},
		{"short", &iam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("Ab1!")}, "PasswordPolicyViolation", "Password does not conform to the account password policy."},
		{"two kinds", &iam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("onlylowercase123")}, "PasswordPolicyViolation", ""},
		{"no password", &iam.CreateLoginProfileInput{UserName: aws.String("bob")}, "ValidationError", "Value null at 'password'"},
		{"too long", &iam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("Aa1" + strings.Repeat("x", 126))}, "ValidationError", "Member must have length less than or equal to 128"},
		{"control character", &iam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("Aa1-aaaa\x01")}, "ValidationError", "regular expression pattern"},
		{"user name too long", &iam.CreateLoginProfileInput{UserName: aws.String(strings.Repeat("u", 65)), Password: aws.String(testPassword)}, "ValidationError", "length less than or equal to 64"},
	} {
		_, err := admin.CreateLoginProfile(ctx, c.in)
		if apiCode(err) != c.code || !strings.Contains(apiMessage(err), c.msg) {
			t.Errorf("%s: %v", c.name, err)
		}
		if c.in.Password != nil && len(*c.in.Password) > 4 && strings.Contains(apiMessage(err), *c.in.Password) {
			t.Errorf("%s: the error repeats the password", c.name)
		}
	}
	if _, err := a.st.GetLoginProfile("bob"); store.ErrorCode(err) != store.CodeNoSuchEntity {
		t.Fatal("a refused password was kept")
	}

	// The credential report says who has a password.
	if _, err := admin.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}); err != nil {
		t.Fatal(err)
	}
	rep, err := admin.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(rep.Content)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	byUser := map[string][]string{}
	for _, r := range rows[1:] {
		byUser[r[0]] = r
	}
	changed := created.LoginProfile.CreateDate.UTC().Format("2006-01-02T15:04:05+00:00")
	if r := byUser["alice"]; strings.Join(r[3:7], ",") != "true,no_information,"+changed+",N/A" {
		t.Errorf("alice's password columns %v", r[3:7])
	}
	if r := byUser["bob"]; strings.Join(r[3:7], ",") != "false,N/A,N/A,N/A" {
		t.Errorf("bob's password columns %v", r[3:7])
	}
	if r := byUser["<root_account>"]; strings.Join(r[3:7], ",") != "not_supported,no_information,not_supported,not_supported" {
		t.Errorf("root's password columns %v", r[3:7])
	}
}

func TestPolicyListingsWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	for _, p := range []struct{ name, path string }{{"P1", ""}, {"P2", "/team/"}, {"P3", "/team/a/"}} {
		mp, err := a.st.CreatePolicy(p.name, p.path, allowListUsers, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, attach := range []func(string, string) error{
			func(_, arn string) error { return a.st.AttachUserPolicy("admin", arn) },
			func(_, arn string) error { return a.st.AttachGroupPolicy("bool-group", arn) },
			func(_, arn string) error { return a.st.AttachRolePolicy("mfa-role", arn) },
		} {
			if err := attach(p.name, mp.ARN); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, n := range []string{"B", "A", "C"} {
		if err := a.st.PutUserPolicy("admin", n, allowListUsers); err != nil {
			t.Fatal(err)
		}
		if err := a.st.PutRolePolicy("mfa-role", n, allowListUsers); err != nil {
			t.Fatal(err)
		}
	}
	one := aws.Int32(1)
	attachedUser := collect(t, iam.NewListAttachedUserPoliciesPaginator(admin, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("admin"), MaxItems: one}),
		func(o *iam.ListAttachedUserPoliciesOutput) []string { return attachedNames(o.AttachedPolicies) })
	if got := strings.Join(attachedUser, ","); got != "AdministratorAccess,P1,P2,P3" {
		t.Errorf("admin's managed policies %s", got)
	}
	team := collect(t, iam.NewListAttachedGroupPoliciesPaginator(admin, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("bool-group"), PathPrefix: aws.String("/team/"), MaxItems: one}),
		func(o *iam.ListAttachedGroupPoliciesOutput) []string { return attachedNames(o.AttachedPolicies) })
	if got := strings.Join(team, ","); got != "P2,P3" {
		t.Errorf("bool-group's /team/ policies %s", got)
	}
	role := collect(t, iam.NewListAttachedRolePoliciesPaginator(admin, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("mfa-role")}),
		func(o *iam.ListAttachedRolePoliciesOutput) []string { return attachedNames(o.AttachedPolicies) })
	if got := strings.Join(role, ","); got != "P1,P2,P3" {
		t.Errorf("mfa-role's managed policies %s", got)
	}
	inline := collect(t, iam.NewListUserPoliciesPaginator(admin, &iam.ListUserPoliciesInput{UserName: aws.String("admin"), MaxItems: aws.Int32(2)}),
		func(o *iam.ListUserPoliciesOutput) []string { return o.PolicyNames })
	if got := strings.Join(inline, ","); got != "A,B,C" {
		t.Errorf("admin's inline policies %s", got)
	}
	groupInline := collect(t, iam.NewListGroupPoliciesPaginator(admin, &iam.ListGroupPoliciesInput{GroupName: aws.String("ifexists-group")}),
		func(o *iam.ListGroupPoliciesOutput) []string { return o.PolicyNames })
	if got := strings.Join(groupInline, ","); got != "RequireMFA" {
		t.Errorf("ifexists-group's inline policies %s", got)
	}
	roleInline := collect(t, iam.NewListRolePoliciesPaginator(admin, &iam.ListRolePoliciesInput{RoleName: aws.String("mfa-role"), MaxItems: one}),
		func(o *iam.ListRolePoliciesOutput) []string { return o.PolicyNames })
	if got := strings.Join(roleInline, ","); got != "A,B,C,Work" {
		t.Errorf("mfa-role's inline policies %s", got)
	}
	// A missing entity, an invalid path prefix.
	_, err := admin.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("ghost")})
	if apiCode(err) != "NoSuchEntity" || apiMessage(err) != "The user with name ghost cannot be found." {
		t.Errorf("ListAttachedUserPolicies of a missing user: %v", err)
	}
	_, err = admin.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("ghost")})
	if apiCode(err) != "NoSuchEntity" {
		t.Errorf("ListRolePolicies of a missing role: %v", err)
	}
	_, err = admin.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("bool-group"), PathPrefix: aws.String("team")})
	if apiCode(err) != "ValidationError" || !strings.Contains(apiMessage(err), "pathPrefix") {
		t.Errorf("an invalid PathPrefix: %v", err)
	}
}

func TestAuthorizationDetailsPagesWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	admin := iamClient(endpoint, a.admin)
	var users, groups, roles, policies []string
	pages := 0
	p := iam.NewGetAccountAuthorizationDetailsPaginator(admin, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		n := len(out.UserDetailList) + len(out.GroupDetailList) + len(out.RoleDetailList) + len(out.Policies)
		if n > 2 || (n < 2 && out.IsTruncated) {
			t.Fatalf("page %d holds %d items, truncated %v", pages, n, out.IsTruncated)
		}
		for _, u := range out.UserDetailList {
			users = append(users, *u.UserName)
		}
		for _, g := range out.GroupDetailList {
			groups = append(groups, *g.GroupName)
		}
		for _, r := range out.RoleDetailList {
			roles = append(roles, *r.RoleName)
		}
		for _, pol := range out.Policies {
			policies = append(policies, *pol.PolicyName)
		}
	}
	got := strings.Join([]string{strings.Join(users, ","), strings.Join(groups, ","), strings.Join(roles, ","), strings.Join(policies, ",")}, " | ")
	if got != "admin,alice,bob | bool-group,ifexists-group | mfa-role | AdministratorAccess" || pages != 4 {
		t.Fatalf("%d pages: %s", pages, got)
	}
}

// collect reads every page of a paginator.
func collect[O any](t *testing.T, p interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*iam.Options)) (O, error)
}, names func(O) []string) []string {
	t.Helper()
	var out []string
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, names(page)...)
	}
	return out
}

func attachedNames(ps []types.AttachedPolicy) []string {
	var out []string
	for _, p := range ps {
		out = append(out, *p.PolicyName)
	}
	return out
}

func TestListRolesWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	if _, err := a.st.CreateRole("ops-role", "/ops/", trustMFA, "", 0); err != nil {
		t.Fatal(err)
	}
	admin := iamClient(endpoint, a.admin)
	var got []string
	p := iam.NewListRolesPaginator(admin, &iam.ListRolesInput{MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Roles {
			if r.Tags != nil || r.RoleLastUsed != nil {
				t.Errorf("ListRoles answered tags or last use for %s", *r.RoleName)
			}
			got = append(got, fmt.Sprint(*r.RoleName, " ", *r.Path, " ", *r.MaxSessionDuration))
		}
	}
	if s := strings.Join(got, ","); s != "mfa-role / 7200,ops-role /ops/ 3600" {
		t.Fatalf("roles %s", s)
	}
	ops, err := admin.ListRoles(context.Background(), &iam.ListRolesInput{PathPrefix: aws.String("/ops/")})
	if err != nil || len(ops.Roles) != 1 || *ops.Roles[0].RoleName != "ops-role" {
		t.Fatalf("PathPrefix /ops/: %+v %v", ops, err)
	}
}
