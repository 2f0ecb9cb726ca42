package lab

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsmfa/awsmfa/internal/totp"
)

func TestIAMWithSDK(t *testing.T) {
	clk := &testClock{}
	_, endpoint, a := newLab(t, Config{Now: clk.Now})
	ctx := context.Background()
	admin := iamClient(endpoint, a.admin)
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// Users and pagination.
	u, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol"), Path: aws.String("/ops/")})
	check("CreateUser", err)
	if *u.User.Arn != "arn:aws:iam::123456789012:user/ops/carol" || !strings.HasPrefix(*u.User.UserId, "AIDA") {
		t.Fatalf("user %+v", u.User)
	}
	me, err := admin.GetUser(ctx, &iam.GetUserInput{})
	check("GetUser (caller)", err)
	if *me.User.UserName != "admin" {
		t.Fatalf("GetUser without a name returned %s", *me.User.UserName)
	}
	var names []string
	var marker *string
	pages := 0
	for {
		out, err := admin.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(2), Marker: marker})
		check("ListUsers", err)
		pages++
		for _, u := range out.Users {
			names = append(names, *u.UserName)
		}
		if !out.IsTruncated {
			if out.Marker != nil {
				t.Fatal("marker on the last page")
			}
			break
		}
		marker = out.Marker
	}
	if got := strings.Join(names, ","); got != "admin,alice,bob,carol" || pages != 2 {
		t.Fatalf("paged users %s in %d pages", got, pages)
	}
	ops, err := admin.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/ops/")})
	check("ListUsers PathPrefix", err)
	if len(ops.Users) != 1 {
		t.Fatalf("path prefix: %d users", len(ops.Users))
	}

	// Access keys.
	k, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")})
	check("CreateAccessKey", err)
	carol := creds{*k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey, ""}
	id, err := stsClient(endpoint, carol).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	check("new key works", err)
	if *id.Arn != "arn:aws:iam::123456789012:user/ops/carol" {
		t.Fatalf("caller %s", *id.Arn)
	}
	keys, err := admin.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("carol")})
	check("ListAccessKeys", err)
	if len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].AccessKeyId != carol.id || keys.AccessKeyMetadata[0].Status != types.StatusTypeActive {
		t.Fatalf("keys %+v", keys.AccessKeyMetadata)
	}
	_, err = admin.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String(carol.id)})
	check("DeleteAccessKey", err)
	_, err = stsClient(endpoint, carol).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if apiCode(err) != "InvalidClientTokenId" {
		t.Fatalf("deleted key: %v", err)
	}

	// Groups, managed and inline policies.
	_, err = admin.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")})
	check("CreateGroup", err)
	_, err = admin.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("carol")})
	check("AddUserToGroup", err)
	groups, err := admin.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("carol")})
	check("ListGroupsForUser", err)
	if len(groups.Groups) != 1 || *groups.Groups[0].GroupName != "readers" {
		t.Fatalf("groups %+v", groups.Groups)
	}
	doc := `{"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "iam:List*", "Resource": "*"}]}`
	p, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Read"), PolicyDocument: aws.String(doc), Description: aws.String("read")})
	check("CreatePolicy", err)
	if *p.Policy.Arn != "arn:aws:iam::123456789012:policy/Read" || *p.Policy.DefaultVersionId != "v1" || aws.ToString(p.Policy.Description) != "read" {
		t.Fatalf("policy %+v", p.Policy)
	}
	_, err = admin.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: p.Policy.Arn})
	check("AttachGroupPolicy", err)
	gp, err := admin.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: p.Policy.Arn})
	check("GetPolicy", err)
	if *gp.Policy.AttachmentCount != 1 || *gp.Policy.Description != "read" {
		t.Fatalf("GetPolicy %+v", gp.Policy)
	}
	v, err := admin.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: p.Policy.Arn, VersionId: aws.String("v1")})
	check("GetPolicyVersion", err)
	if strings.Contains(*v.PolicyVersion.Document, " ") || strings.Contains(*v.PolicyVersion.Document, "+") {
		t.Fatalf("document not URL-encoded as IAM does: %s", *v.PolicyVersion.Document)
	}
	if dec, err := url.PathUnescape(*v.PolicyVersion.Document); err != nil || dec != doc {
		t.Fatalf("document round trip: %q %v", dec, err)
	}
	_, err = admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(doc)})
	check("PutUserPolicy", err)
	_, err = admin.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")})
	check("AttachUserPolicy", err)
	_, err = admin.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("carol"), PolicyArn: aws.String("arn:aws:iam::123456789012:policy/Missing")})
	if apiCode(err) != "NoSuchEntity" {
		t.Fatalf("attach missing policy: %v", err)
	}

	// The new permissions take effect at once.
	k2, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("carol")})
	check("CreateAccessKey", err)
	carol = creds{*k2.AccessKey.AccessKeyId, *k2.AccessKey.SecretAccessKey, ""}
	_, err = iamClient(endpoint, carol).ListUsers(ctx, &iam.ListUsersInput{})
	check("carol ListUsers via group policy", err)
	_, err = iamClient(endpoint, carol).CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("x")})
	if apiCode(err) != "AccessDenied" {
		t.Fatalf("carol CreateGroup: %v", err)
	}

	// Roles.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/ops/carol"},"Action":"sts:AssumeRole"}]}`
	r, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ops"), AssumeRolePolicyDocument: aws.String(trust), MaxSessionDuration: aws.Int32(7200)})
	check("CreateRole", err)
	if !strings.HasPrefix(*r.Role.RoleId, "AROA") {
		t.Fatalf("role %+v", r.Role)
	}
	_, err = admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("ops"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
	check("PutRolePolicy", err)
	_, err = admin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ops"), PolicyArn: p.Policy.Arn})
	check("AttachRolePolicy", err)
	_, err = iamClient(endpoint, carol).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ops")})
	check("carol GetRole (IAMReadOnlyAccess)", err)
	ar, err := stsClient(endpoint, carol).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("cc"), DurationSeconds: aws.Int32(7200)})
	check("carol AssumeRole (trust names her, no MFA required)", err)
	_, err = stsClient(endpoint, a.bool).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("bb")})
	if apiCode(err) != "AccessDenied" {
		t.Fatalf("bob AssumeRole of a role not trusting him: %v", err)
	}
	_, err = admin.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("ops"), PolicyDocument: aws.String(strings.ReplaceAll(trust, "user/ops/carol", "user/bob"))})
	check("UpdateAssumeRolePolicy", err)
	_, err = stsClient(endpoint, a.bool).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: r.Role.Arn, RoleSessionName: aws.String("bb")})
	check("bob AssumeRole after the trust update", err)
	gr, err := admin.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ops")})
	check("GetRole", err)
	if *gr.Role.MaxSessionDuration != 7200 || gr.Role.RoleLastUsed == nil || gr.Role.RoleLastUsed.LastUsedDate == nil {
		t.Fatalf("GetRole %+v", gr.Role)
	}
	roleIAM := iamClient(endpoint, creds{*ar.Credentials.AccessKeyId, *ar.Credentials.SecretAccessKey, *ar.Credentials.SessionToken})
	_, err = roleIAM.ListUsers(ctx, &iam.ListUsersInput{})
	check("role session ListUsers", err)
	_, err = admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(strings.ReplaceAll(trust, "carol", "nobody"))})
	if apiCode(err) != "MalformedPolicyDocument" || !strings.Contains(apiMessage(err), "Invalid principal in policy") {
		t.Fatalf("trust naming an unknown user: %v", err)
	}

	// Virtual MFA devices.
	dev, err := admin.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("carol")})
	check("CreateVirtualMFADevice", err)
	seedText := string(dev.VirtualMFADevice.Base32StringSeed)
	seed, err := totp.DecodeSecret(seedText)
	if err != nil || len(seed) != 20 || seedText != strings.ToUpper(seedText) {
		t.Fatalf("Base32StringSeed %q: %v", seedText, err)
	}
	if !bytes.HasPrefix(dev.VirtualMFADevice.QRCodePNG, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatal("QRCodePNG is not a PNG")
	}
	serial := dev.VirtualMFADevice.SerialNumber
	c := totp.Counter(clk.Now())
	codeAt := func(n uint64) *string { return aws.String(totp.CodeAt(seed, n, 6, totp.SHA1)) }
	_, err = admin.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("carol"), SerialNumber: serial, AuthenticationCode1: codeAt(c), AuthenticationCode2: codeAt(c + 2)})
	if apiCode(err) != "InvalidAuthenticationCode" || apiMessage(err) != "Authentication code for device is not valid." {
		t.Fatalf("EnableMFADevice with codes not consecutive: %v", err)
	}
	_, err = admin.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("carol"), SerialNumber: serial, AuthenticationCode1: codeAt(c - 1), AuthenticationCode2: codeAt(c)})
	check("EnableMFADevice", err)
	list, err := admin.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("carol")})
	check("ListMFADevices", err)
	if len(list.MFADevices) != 1 || *list.MFADevices[0].SerialNumber != *serial {
		t.Fatalf("MFA devices %+v", list.MFADevices)
	}
	clk.Advance(60 * 1e9)
	c = totp.Counter(clk.Now())
	_, err = admin.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("carol"), SerialNumber: serial, AuthenticationCode1: codeAt(c), AuthenticationCode2: codeAt(c + 1)})
	check("ResyncMFADevice", err)
	virt, err := admin.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned})
	check("ListVirtualMFADevices", err)
	if len(virt.VirtualMFADevices) != 3 || virt.VirtualMFADevices[0].User == nil || virt.VirtualMFADevices[0].EnableDate == nil {
		t.Fatalf("virtual devices %+v", virt.VirtualMFADevices)
	}
	_, err = admin.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("carol"), SerialNumber: serial})
	check("DeactivateMFADevice", err)
	un, err := admin.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned})
	check("ListVirtualMFADevices unassigned", err)
	if len(un.VirtualMFADevices) != 1 || un.VirtualMFADevices[0].User != nil {
		t.Fatalf("unassigned %+v", un.VirtualMFADevices)
	}

	// Account authorization details and the credential report.
	gaad, err := admin.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{})
	check("GetAccountAuthorizationDetails", err)
	if len(gaad.UserDetailList) != 4 || len(gaad.GroupDetailList) != 3 || len(gaad.RoleDetailList) != 2 {
		t.Fatalf("details: %d users, %d groups, %d roles", len(gaad.UserDetailList), len(gaad.GroupDetailList), len(gaad.RoleDetailList))
	}
	var sawAdmin, sawRead bool
	for _, p := range gaad.Policies {
		sawAdmin = sawAdmin || *p.PolicyName == "AdministratorAccess"
		sawRead = sawRead || *p.PolicyName == "Read"
		if *p.PolicyName == "IAMUserChangePassword" {
			t.Fatal("unattached AWS managed policy listed")
		}
	}
	if !sawAdmin || !sawRead {
		t.Fatalf("policies listed: %d", len(gaad.Policies))
	}
	onlyUsers, err := admin.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeUser}, MaxItems: aws.Int32(3)})
	check("GetAccountAuthorizationDetails Filter=User", err)
	if len(onlyUsers.UserDetailList) != 3 || !onlyUsers.IsTruncated || len(onlyUsers.RoleDetailList) != 0 {
		t.Fatalf("filtered details %d users truncated=%v", len(onlyUsers.UserDetailList), onlyUsers.IsTruncated)
	}
	_, err = admin.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if apiCode(err) != "ReportNotPresent" {
		t.Fatalf("GetCredentialReport before generating: %v", err)
	}
	gen, err := admin.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
	check("GenerateCredentialReport", err)
	if gen.State != types.ReportStateTypeStarted {
		t.Fatalf("first state %s", gen.State)
	}
	gen, err = admin.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
	check("GenerateCredentialReport again", err)
	if gen.State != types.ReportStateTypeComplete {
		t.Fatalf("second state %s", gen.State)
	}
	rep, err := admin.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	check("GetCredentialReport", err)
	rows, err := csv.NewReader(bytes.NewReader(rep.Content)).ReadAll()
	if err != nil || len(rows) != 6 || rows[0][0] != "user" || len(rows[0]) != 22 || rows[1][0] != "<root_account>" {
		t.Fatalf("report rows %v %v", rows, err)
	}
}
