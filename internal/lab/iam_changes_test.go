package lab

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// The IAM changes `awsmfa setup` and `awsmfa mfa` make, through the Go
// SDK's IAM client, with IAM's errors.

// wantErr fails unless err is the API error code with a message containing
// msg.
func wantErr(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	if apiCode(err) != code || !strings.Contains(apiMessage(err), msg) {
		t.Errorf("%s: got %s %q, want %s %q", what, apiCode(err), apiMessage(err), code, msg)
	}
}

func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

const denyListUsers = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}`

func TestPolicyVersionsWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	p, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Versioned"), PolicyDocument: aws.String(allowListUsers)})
	noErr(t, "CreatePolicy", err)
	arn := p.Policy.Arn
	// v2..v5: the fifth version is the last one allowed.
	for i := 2; i <= 5; i++ {
		out, err := admin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(allowListUsers), SetAsDefault: i == 3})
		noErr(t, "CreatePolicyVersion", err)
		if got := aws.ToString(out.PolicyVersion.VersionId); got != "v"+string(rune('0'+i)) || out.PolicyVersion.IsDefaultVersion != (i == 3) {
			t.Fatalf("version %d: %s default %v", i, got, out.PolicyVersion.IsDefaultVersion)
		}
	}
	_, err = admin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(allowListUsers)})
	wantErr(t, "a sixth version", err, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")

	list, err := admin.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: arn})
	noErr(t, "ListPolicyVersions", err)
	var ids []string
	for _, v := range list.Versions {
		id := aws.ToString(v.VersionId)
		if v.IsDefaultVersion {
			id += "*"
		}
		if v.Document != nil {
			t.Errorf("ListPolicyVersions returned the document of %s", id)
		}
		ids = append(ids, id)
	}
	if got := strings.Join(ids, " "); got != "v5 v4 v3* v2 v1" {
		t.Fatalf("versions %s", got)
	}

	_, err = admin.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v3")})
	wantErr(t, "deleting the default version", err, "DeleteConflict", "Cannot delete the default version of a policy.")
	_, err = admin.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v9")})
	wantErr(t, "deleting a missing version", err, "NoSuchEntity", "version v9 does not exist")
	_, err = admin.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v7")})
	wantErr(t, "default to a missing version", err, "NoSuchEntity", "version v7 does not exist")
	_, err = admin.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")})
	noErr(t, "DeletePolicyVersion v1", err)
	// The deleted number is not reused: the next version is v6.
	out, err := admin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(denyListUsers)})
	noErr(t, "CreatePolicyVersion after a delete", err)
	if aws.ToString(out.PolicyVersion.VersionId) != "v6" {
		t.Fatalf("next version %s", aws.ToString(out.PolicyVersion.VersionId))
	}

	// The default version is the one that decides: v6 denies ListUsers.
	_, err = a.st.CreateUser("carol", "")
	noErr(t, "CreateUser", err)
	k, err := a.st.CreateAccessKey("carol")
	noErr(t, "CreateAccessKey", err)
	noErr(t, "AttachUserPolicy", a.st.AttachUserPolicy("carol", aws.ToString(arn)))
	carol := iamClient(endpoint, creds{id: k.ID, secret: k.Secret})
	_, err = carol.ListUsers(ctx, &iam.ListUsersInput{})
	noErr(t, "ListUsers under v3", err)
	_, err = admin.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v6")})
	noErr(t, "SetDefaultPolicyVersion", err)
	_, err = carol.ListUsers(ctx, &iam.ListUsersInput{})
	wantErr(t, "ListUsers under v6", err, "AccessDenied", "iam:ListUsers")
	got, err := admin.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
	noErr(t, "GetPolicy", err)
	if aws.ToString(got.Policy.DefaultVersionId) != "v6" {
		t.Fatalf("DefaultVersionId %s", aws.ToString(got.Policy.DefaultVersionId))
	}

	// AWS managed policies are not the account's to change: even an
	// administrator is refused, and the store refuses too.
	awsManaged := "arn:aws:iam::aws:policy/AdministratorAccess"
	_, err = admin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(awsManaged), PolicyDocument: aws.String(allowListUsers)})
	wantErr(t, "a version of an AWS managed policy", err, "AccessDenied", "iam:CreatePolicyVersion")
	_, err = a.st.CreatePolicyVersion(awsManaged, allowListUsers, true)
	if store.ErrorCode(err) != store.CodeUnmodifiableEntity {
		t.Errorf("store: a version of an AWS managed policy: %v", err)
	}
	_, err = admin.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/Nope")})
	wantErr(t, "versions of a missing policy", err, "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/Nope was not found.")
}

func TestDeletePolicyConflictsWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	p, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Doomed"), PolicyDocument: aws.String(allowListUsers)})
	noErr(t, "CreatePolicy", err)
	arn := p.Policy.Arn
	_, err = admin.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("bool-group"), PolicyArn: arn})
	noErr(t, "AttachGroupPolicy", err)
	_, err = admin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(allowListUsers)})
	noErr(t, "CreatePolicyVersion", err)

	_, err = admin.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
	wantErr(t, "deleting an attached policy", err, "DeleteConflict", "Cannot delete a policy attached to entities.")
	_, err = admin.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("bool-group"), PolicyArn: arn})
	noErr(t, "DetachGroupPolicy", err)
	_, err = admin.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("bool-group"), PolicyArn: arn})
	wantErr(t, "detaching again", err, "NoSuchEntity", "Policy "+aws.ToString(arn)+" was not found.")
	_, err = admin.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("no-group"), PolicyArn: arn})
	wantErr(t, "detaching from a missing group", err, "NoSuchEntity", "The group with name no-group cannot be found.")
	_, err = admin.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
	wantErr(t, "deleting a policy with two versions", err, "DeleteConflict",
		"This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	_, err = admin.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v2")})
	noErr(t, "DeletePolicyVersion", err)
	_, err = admin.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
	noErr(t, "DeletePolicy", err)
	_, err = admin.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
	wantErr(t, "GetPolicy after DeletePolicy", err, "NoSuchEntity", "was not found")
}

// TestDeleteUserConflictsWithSDK removes a user's dependencies one at a
// time: each DeleteUser before the last names the next one.
func TestDeleteUserConflictsWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	st := a.st
	_, err := st.CreateUser("temp", "", store.Tag{Key: "team", Value: "blue"})
	noErr(t, "CreateUser", err)
	_, err = st.CreateLoginProfile("temp", testPassword, false)
	noErr(t, "CreateLoginProfile", err)
	key, err := st.CreateAccessKey("temp")
	noErr(t, "CreateAccessKey", err)
	dev, err := st.CreateVirtualMFADevice("temp", "")
	noErr(t, "CreateVirtualMFADevice", err)
	c1, c2 := store.EnableCodes(dev.Seed, st.Now())
	noErr(t, "EnableMFADevice", st.EnableMFADevice("temp", dev.Serial, c1, c2))
	noErr(t, "PutUserPolicy", st.PutUserPolicy("temp", "Own", allowListUsers))
	noErr(t, "AttachUserPolicy", st.AttachUserPolicy("temp", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"))
	noErr(t, "AddUserToGroup", st.AddUserToGroup("bool-group", "temp"))

	user := aws.String("temp")
	steps := []struct {
		conflict string
		remove   func() error
	}{
		{"must delete login profile first", func() error {
			_, err := admin.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: user})
			return err
		}},
		{"must delete access keys first", func() error {
			_, err := admin.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: user, AccessKeyId: aws.String(key.ID)})
			return err
		}},
		{"must delete MFA device first", func() error {
			_, err := admin.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(dev.Serial)})
			wantErr(t, "deleting an assigned device", err, "DeleteConflict", "MFA device is still in use")
			if _, err := admin.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: user, SerialNumber: aws.String(dev.Serial)}); err != nil {
				return err
			}
			_, err = admin.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(dev.Serial)})
			return err
		}},
		{"Cannot delete entity, must delete policies first.", func() error {
			_, err := admin.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: user, PolicyName: aws.String("own")})
			return err
		}},
		{"Cannot delete entity, must detach all policies first.", func() error {
			_, err := admin.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: user, PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")})
			return err
		}},
		{"Cannot delete entity, must remove users from group first.", func() error {
			_, err := admin.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("bool-group"), UserName: user})
			return err
		}},
	}
	for _, s := range steps {
		_, err := admin.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user})
		wantErr(t, "DeleteUser", err, "DeleteConflict", s.conflict)
		noErr(t, "removing what "+s.conflict+" names", s.remove())
	}
	_, err = admin.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user})
	noErr(t, "DeleteUser", err)
	_, err = admin.GetUser(ctx, &iam.GetUserInput{UserName: user})
	wantErr(t, "GetUser after DeleteUser", err, "NoSuchEntity", "The user with name temp cannot be found.")
	_, err = admin.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user})
	wantErr(t, "DeleteUser again", err, "NoSuchEntity", "The user with name temp cannot be found.")
	// A new user of the same name starts without the old one's tags.
	_, err = admin.CreateUser(ctx, &iam.CreateUserInput{UserName: user})
	noErr(t, "CreateUser again", err)
	tags, err := admin.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: user})
	if err != nil || len(tags.Tags) != 0 {
		t.Fatalf("tags of the new temp: %v %v", tags, err)
	}
}

func TestDeleteGroupAndRoleConflictsWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	group := aws.String("bool-group")
	_, err := admin.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: group})
	wantErr(t, "DeleteGroup with members", err, "DeleteConflict", "Cannot delete entity, must remove users from group first.")
	_, err = admin.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: group, UserName: aws.String("bob")})
	noErr(t, "RemoveUserFromGroup", err)
	_, err = admin.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: group, UserName: aws.String("bob")})
	noErr(t, "RemoveUserFromGroup of a user who is not a member", err)
	_, err = admin.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: group, UserName: aws.String("ghost")})
	wantErr(t, "RemoveUserFromGroup of a missing user", err, "NoSuchEntity", "The user with name ghost cannot be found.")
	_, err = admin.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: group})
	wantErr(t, "DeleteGroup with an inline policy", err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	gp, err := admin.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: group, PolicyName: aws.String("requiremfa")})
	noErr(t, "GetGroupPolicy", err)
	if aws.ToString(gp.PolicyName) != "RequireMFA" || aws.ToString(gp.GroupName) != "bool-group" {
		t.Fatalf("GetGroupPolicy %s %s", aws.ToString(gp.GroupName), aws.ToString(gp.PolicyName))
	}
	if doc, err := url.QueryUnescape(aws.ToString(gp.PolicyDocument)); err != nil || doc != denyBool {
		t.Fatalf("GetGroupPolicy document %q %v", doc, err)
	}
	_, err = admin.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: group, PolicyName: aws.String("RequireMFA")})
	noErr(t, "DeleteGroupPolicy", err)
	_, err = admin.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: group, PolicyName: aws.String("RequireMFA")})
	wantErr(t, "DeleteGroupPolicy again", err, "NoSuchEntity", "The group policy with name RequireMFA cannot be found.")
	_, err = admin.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: group, PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")})
	noErr(t, "AttachGroupPolicy", err)
	_, err = admin.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: group})
	wantErr(t, "DeleteGroup with a managed policy", err, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	_, err = admin.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: group, PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")})
	noErr(t, "DetachGroupPolicy", err)
	_, err = admin.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: group})
	noErr(t, "DeleteGroup", err)
	_, err = admin.GetGroup(ctx, &iam.GetGroupInput{GroupName: group})
	wantErr(t, "GetGroup after DeleteGroup", err, "NoSuchEntity", "The group with name bool-group cannot be found.")

	role := aws.String("mfa-role")
	_, err = admin.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: role})
	wantErr(t, "DeleteRole with an inline policy", err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	_, err = admin.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: role, PolicyName: aws.String("Missing")})
	wantErr(t, "GetRolePolicy of a missing policy", err, "NoSuchEntity", "The role policy with name Missing cannot be found.")
	_, err = admin.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: aws.String("Work")})
	noErr(t, "DeleteRolePolicy", err)
	_, err = admin.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: role})
	noErr(t, "DeleteRole", err)
	_, err = admin.GetRole(ctx, &iam.GetRoleInput{RoleName: role})
	wantErr(t, "GetRole after DeleteRole", err, "NoSuchEntity", "The role with name mfa-role cannot be found.")
}

func TestGroupsPoliciesAndInlineReadsWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	g, err := admin.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("ifexists-group")})
	noErr(t, "GetGroup", err)
	if aws.ToString(g.Group.GroupName) != "ifexists-group" || len(g.Users) != 1 || aws.ToString(g.Users[0].UserName) != "alice" || g.IsTruncated {
		t.Fatalf("GetGroup: %+v", g)
	}
	_, err = a.st.CreateGroup("team-a", "/teams/")
	noErr(t, "CreateGroup", err)
	groups, err := admin.ListGroups(ctx, &iam.ListGroupsInput{})
	noErr(t, "ListGroups", err)
	if names := groupNames(groups.Groups); names != "bool-group ifexists-group team-a" {
		t.Fatalf("ListGroups: %s", names)
	}
	groups, err = admin.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String("/teams/")})
	noErr(t, "ListGroups /teams/", err)
	if names := groupNames(groups.Groups); names != "team-a" {
		t.Fatalf("ListGroups /teams/: %s", names)
	}
	// Pages of one.
	var paged []string
	pager := iam.NewListGroupsPaginator(admin, &iam.ListGroupsInput{MaxItems: aws.Int32(1)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		noErr(t, "ListGroups page", err)
		paged = append(paged, groupNames(page.Groups))
	}
	if strings.Join(paged, " ") != "bool-group ifexists-group team-a" {
		t.Fatalf("paged ListGroups: %v", paged)
	}

	_, err = a.st.CreatePolicy("Local1", "/mine/", allowListUsers, "a description")
	noErr(t, "CreatePolicy", err)
	_, err = a.st.CreatePolicy("Local2", "", allowListUsers, "")
	noErr(t, "CreatePolicy", err)
	noErr(t, "AttachUserPolicy", a.st.AttachUserPolicy("bob", "arn:aws:iam::123456789012:policy/Local2"))
	for _, c := range []struct {
		in   iam.ListPoliciesInput
		want string
	}{
		{iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}, "Local1 Local2"},
		{iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal, OnlyAttached: true}, "Local2"},
		{iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, OnlyAttached: true}, "AdministratorAccess"},
		{iam.ListPoliciesInput{PathPrefix: aws.String("/mine/")}, "Local1"},
	} {
		out, err := admin.ListPolicies(ctx, &c.in)
		noErr(t, "ListPolicies", err)
		var names []string
		for _, p := range out.Policies {
			names = append(names, aws.ToString(p.PolicyName))
			if p.Description != nil {
				t.Errorf("ListPolicies returned the description of %s", aws.ToString(p.PolicyName))
			}
		}
		if got := strings.Join(names, " "); got != c.want {
			t.Errorf("ListPolicies %+v: %s, want %s", c.in, got, c.want)
		}
	}
	_, err = admin.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: "Everything"})
	wantErr(t, "ListPolicies with a bad scope", err, "ValidationError", "scope")

	noErr(t, "PutUserPolicy", a.st.PutUserPolicy("alice", "Own", allowListUsers))
	up, err := admin.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("Own")})
	noErr(t, "GetUserPolicy", err)
	if doc, _ := url.QueryUnescape(aws.ToString(up.PolicyDocument)); doc != allowListUsers || aws.ToString(up.UserName) != "alice" {
		t.Fatalf("GetUserPolicy: %s %q", aws.ToString(up.UserName), doc)
	}
	_, err = admin.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("Other")})
	wantErr(t, "GetUserPolicy of a missing policy", err, "NoSuchEntity", "The user policy with name Other cannot be found.")
	_, err = admin.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("ghost"), PolicyName: aws.String("Own")})
	wantErr(t, "GetUserPolicy of a missing user", err, "NoSuchEntity", "The user with name ghost cannot be found.")
}

func groupNames(gs []types.Group) string {
	var names []string
	for _, g := range gs {
		names = append(names, aws.ToString(g.GroupName))
	}
	return strings.Join(names, " ")
}

func TestTaggingAndUpdateRoleWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	tags := []types.Tag{{Key: aws.String("awsmfa:managed"), Value: aws.String("true")}, {Key: aws.String("team"), Value: aws.String("blue")}}
	_, err := admin.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: tags})
	noErr(t, "TagUser", err)
	// A key the user has, in another case, takes the new value.
	_, err = admin.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: []types.Tag{{Key: aws.String("TEAM"), Value: aws.String("red")}}})
	noErr(t, "TagUser again", err)
	got, err := admin.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice")})
	noErr(t, "ListUserTags", err)
	if s := tagString(got.Tags); s != "awsmfa:managed=true;team=red;" {
		t.Fatalf("user tags %s", s)
	}
	_, err = admin.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("alice"), TagKeys: []string{"team", "absent"}})
	noErr(t, "UntagUser", err)
	got, err = admin.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice")})
	noErr(t, "ListUserTags", err)
	if s := tagString(got.Tags); s != "awsmfa:managed=true;" {
		t.Fatalf("user tags after UntagUser %s", s)
	}
	_, err = admin.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("ghost"), Tags: tags})
	wantErr(t, "TagUser of a missing user", err, "NoSuchEntity", "The user with name ghost cannot be found.")

	_, err = admin.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("mfa-role"), Tags: tags})
	noErr(t, "TagRole", err)
	_, err = admin.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("mfa-role"), TagKeys: []string{"team"}})
	noErr(t, "UntagRole", err)
	rt, err := admin.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("mfa-role")})
	noErr(t, "ListRoleTags", err)
	if s := tagString(rt.Tags); s != "awsmfa:managed=true;" {
		t.Fatalf("role tags %s", s)
	}

	p, err := a.st.CreatePolicy("Tagged", "", allowListUsers, "")
	noErr(t, "CreatePolicy", err)
	_, err = admin.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(p.ARN), Tags: tags})
	noErr(t, "TagPolicy", err)
	_, err = admin.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: aws.String(p.ARN), TagKeys: []string{"awsmfa:managed"}})
	noErr(t, "UntagPolicy", err)
	pt, err := admin.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(p.ARN)})
	noErr(t, "ListPolicyTags", err)
	if s := tagString(pt.Tags); s != "team=blue;" {
		t.Fatalf("policy tags %s", s)
	}
	// No more than 50 tags on one resource.
	many := make([]types.Tag, 50)
	for i := range many {
		many[i] = types.Tag{Key: aws.String("k" + string(rune('A'+i%26)) + string(rune('a'+i/26))), Value: aws.String("")}
	}
	_, err = admin.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(p.ARN), Tags: many})
	wantErr(t, "a 51st tag", err, "LimitExceeded", "Cannot exceed quota for TagsPerPolicy: 50")
	pt, err = admin.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: aws.String(p.ARN)})
	if err != nil || len(pt.Tags) != 1 {
		t.Fatalf("a refused TagPolicy changed the tags: %v %v", pt, err)
	}

	_, err = admin.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("mfa-role"), Description: aws.String("CLI role"), MaxSessionDuration: aws.Int32(43200)})
	noErr(t, "UpdateRole", err)
	r, err := admin.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("mfa-role")})
	noErr(t, "GetRole", err)
	if aws.ToString(r.Role.Description) != "CLI role" || aws.ToInt32(r.Role.MaxSessionDuration) != 43200 {
		t.Fatalf("after UpdateRole: %q %d", aws.ToString(r.Role.Description), aws.ToInt32(r.Role.MaxSessionDuration))
	}
	// Leaving MaxSessionDuration out keeps it.
	_, err = admin.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("mfa-role"), Description: aws.String("")})
	noErr(t, "UpdateRole description only", err)
	r, err = admin.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("mfa-role")})
	noErr(t, "GetRole", err)
	if r.Role.Description != nil || aws.ToInt32(r.Role.MaxSessionDuration) != 43200 {
		t.Fatalf("after UpdateRole of the description: %q %d", aws.ToString(r.Role.Description), aws.ToInt32(r.Role.MaxSessionDuration))
	}
	_, err = admin.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("mfa-role"), MaxSessionDuration: aws.Int32(50000)})
	wantErr(t, "UpdateRole beyond 12 hours", err, "ValidationError", "less than or equal to 43200")
	_, err = admin.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("ghost")})
	wantErr(t, "UpdateRole of a missing role", err, "NoSuchEntity", "The role with name ghost cannot be found.")
}

// Untag* requests expose the keys they remove as aws:TagKeys, so a policy
// can protect a tag such as awsmfa:managed.
func TestUntagKeysAreConditionKeys(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	_, err := a.st.CreateUser("tagger", "")
	noErr(t, "CreateUser", err)
	k, err := a.st.CreateAccessKey("tagger")
	noErr(t, "CreateAccessKey", err)
	noErr(t, "PutUserPolicy", a.st.PutUserPolicy("tagger", "Untag", `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":"iam:UntagUser","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}]}`))
	noErr(t, "TagUser", a.st.TagUser("alice", []store.Tag{{Key: "team", Value: "blue"}, {Key: "awsmfa:managed", Value: "true"}}))
	tagger := iamClient(endpoint, creds{id: k.ID, secret: k.Secret})
	_, err = tagger.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("alice"), TagKeys: []string{"team", "awsmfa:managed"}})
	wantErr(t, "removing a key the policy does not allow", err, "AccessDenied", "iam:UntagUser")
	_, err = tagger.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("alice"), TagKeys: []string{"team"}})
	noErr(t, "UntagUser team", err)
	tags, err := a.st.UserTags("alice")
	if err != nil || len(tags) != 1 || tags[0].Key != "awsmfa:managed" {
		t.Fatalf("alice's tags %v %v", tags, err)
	}
}

func TestListEntitiesForPolicyWithSDK(t *testing.T) {
	_, endpoint, a := newLab(t, Config{})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	p, err := a.st.CreatePolicy("Shared", "", allowListUsers, "")
	noErr(t, "CreatePolicy", err)
	noErr(t, "attach to bob", a.st.AttachUserPolicy("bob", p.ARN))
	noErr(t, "attach to alice", a.st.AttachUserPolicy("alice", p.ARN))
	noErr(t, "attach to bool-group", a.st.AttachGroupPolicy("bool-group", p.ARN))
	noErr(t, "attach to mfa-role", a.st.AttachRolePolicy("mfa-role", p.ARN))
	names := func(out *iam.ListEntitiesForPolicyOutput) string {
		var s []string
		for _, g := range out.PolicyGroups {
			s = append(s, "group:"+aws.ToString(g.GroupName))
		}
		for _, u := range out.PolicyUsers {
			s = append(s, "user:"+aws.ToString(u.UserName))
		}
		for _, r := range out.PolicyRoles {
			s = append(s, "role:"+aws.ToString(r.RoleName))
		}
		return strings.Join(s, " ")
	}
	for _, c := range []struct {
		filter types.EntityType
		want   string
	}{
		{"", "group:bool-group user:alice user:bob role:mfa-role"},
		{types.EntityTypeUser, "user:alice user:bob"},
		{types.EntityTypeRole, "role:mfa-role"},
		{types.EntityTypeLocalManagedPolicy, ""},
	} {
		out, err := admin.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(p.ARN), EntityFilter: c.filter})
		noErr(t, "ListEntitiesForPolicy", err)
		if got := names(out); got != c.want {
			t.Errorf("filter %q: %s, want %s", c.filter, got, c.want)
		}
	}
	var pages []string
	pager := iam.NewListEntitiesForPolicyPaginator(admin, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(p.ARN), MaxItems: aws.Int32(3)})
	for pager.HasMorePages() {
		out, err := pager.NextPage(ctx)
		noErr(t, "ListEntitiesForPolicy page", err)
		pages = append(pages, names(out))
	}
	if got := strings.Join(pages, " | "); got != "group:bool-group user:alice role:mfa-role | user:bob" {
		t.Fatalf("pages %s", got)
	}
	_, err = admin.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::123456789012:policy/Nope")})
	wantErr(t, "a missing policy", err, "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/Nope was not found.")
}
