// Package accounttest builds synthetic accounts for tests and benchmarks:
// get-account-authorization-details output and a matching credential
// report for any number of users, shaped like the lab's seeded scenarios
// (seed 000's Bool deny, seed 004's BoolIfExists policy, roles whose trust
// does or does not require MFA). Only tests import it.
package accounttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// AccountID is the account of every synthetic file.
const AccountID = "123456789012"

// Options shape a synthetic account.
type Options struct {
	// Users is the number of IAM users (user-00001, ...).
	Users int
	// Roles is the number of roles; every other one's trust requires MFA.
	Roles int
	// TeamGroups is the number of team groups users are spread over.
	TeamGroups int
	// URLEncoded writes policy documents URL-encoded, as the IAM API
	// returns them, instead of as JSON objects as the AWS CLI prints them.
	URLEncoded bool
}

// Default is a 5,000-user account (IAM's quota of users per account).
var Default = Options{Users: 5000, Roles: 200, TeamGroups: 20}

var created = time.Date(2019, 12, 18, 19, 10, 8, 0, time.UTC)

type (
	inlinePolicy struct {
		PolicyName     string
		PolicyDocument any
	}
	attachedPolicy struct {
		PolicyName string
		PolicyArn  string
	}
	userDetail struct {
		Path                    string
		UserName                string
		UserId                  string
		Arn                     string
		CreateDate              string
		UserPolicyList          []inlinePolicy
		GroupList               []string
		AttachedManagedPolicies []attachedPolicy
	}
	groupDetail struct {
		Path                    string
		GroupName               string
		GroupId                 string
		Arn                     string
		CreateDate              string
		GroupPolicyList         []inlinePolicy
		AttachedManagedPolicies []attachedPolicy
	}
	roleDetail struct {
		Path                     string
		RoleName                 string
		RoleId                   string
		Arn                      string
		CreateDate               string
		AssumeRolePolicyDocument any
		InstanceProfileList      []any
		RolePolicyList           []inlinePolicy
		AttachedManagedPolicies  []attachedPolicy
		RoleLastUsed             map[string]string
	}
	policyVersion struct {
		Document         any
		VersionId        string
		IsDefaultVersion bool
		CreateDate       string
	}
	policyDetail struct {
		PolicyName        string
		PolicyId          string
		Arn               string
		Path              string
		DefaultVersionId  string
		AttachmentCount   int
		IsAttachable      bool
		CreateDate        string
		UpdateDate        string
		PolicyVersionList []policyVersion
	}
	details struct {
		UserDetailList  []userDetail
		GroupDetailList []groupDetail
		RoleDetailList  []roleDetail
		Policies        []policyDetail
	}
)

// The documents, as in the lab's seeds.
const (
	boolDeny = `{"Version": "2012-10-17", "Statement": [{"Sid": "BlockMostAccessUnlessSignedInWithMFA", "Effect": "Deny",
 "NotAction": ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice", "iam:ListVirtualMFADevices", "iam:EnableMFADevice",
  "iam:ResyncMFADevice", "iam:ListAccountAliases", "iam:ListUsers", "iam:ListSSHPublicKeys", "iam:ListAccessKeys",
  "iam:ListServiceSpecificCredentials", "iam:ListMFADevices", "iam:GetAccountSummary", "sts:GetSessionToken"],
 "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": "false"}}}]}`
	requireMFA = `{"Version": "2012-10-17", "Statement": [{"Sid": "DenyAllAboveExceptBelowOperationsIfNoMFACode", "Effect": "Deny",
 "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ListMFADevices",
  "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
 "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}]}`
	powerUser = `{"Version": "2012-10-17", "Statement": [
 {"Sid": "AllowReadAndDescribe", "Effect": "Allow", "Action": ["ec2:Describe*", "iam:Get*", "iam:List*", "sts:GetCallerIdentity"], "Resource": "*"},
 {"Sid": "AllowManageOwnVirtualMFADevice", "Effect": "Allow", "Action": ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"], "Resource": "arn:aws:iam::*:mfa/${aws:username}"},
 {"Sid": "AllowManageOwnUserMFA", "Effect": "Allow", "Action": ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:ResyncMFADevice"], "Resource": "arn:aws:iam::*:user/${aws:username}"}]}`
	adminAccess = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`
)

func teamDoc(i int) string {
	return fmt.Sprintf(`{"Version": "2012-10-17", "Statement": [{"Sid": "Team%02dData", "Effect": "Allow",
 "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "dynamodb:Query", "dynamodb:GetItem", "lambda:InvokeFunction"],
 "Resource": ["arn:aws:s3:::team-%02d-data", "arn:aws:s3:::team-%02d-data/*", "arn:aws:dynamodb:us-east-1:%s:table/team-%02d-*"]}]}`, i, i, i, AccountID, i)
}

func userDoc(name string) string {
	return fmt.Sprintf(`{"Version": "2012-10-17", "Statement": [{"Sid": "OwnBucket", "Effect": "Allow", "Action": "s3:*",
 "Resource": ["arn:aws:s3:::home-%s", "arn:aws:s3:::home-%s/*"]}]}`, name, name)
}

func trustDoc(mfa bool) string {
	cond := ""
	if mfa {
		cond = `, "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}`
	}
	return `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::` + AccountID + `:root"}, "Action": "sts:AssumeRole"` + cond + `}]}`
}

// doc returns a document for the output: a JSON object, or the text
// URL-encoded as IAM does (RFC 3986).
func (o Options) doc(text string) any {
	if o.URLEncoded {
		return strings.ReplaceAll(url.QueryEscape(text), "+", "%20")
	}
	return json.RawMessage(text)
}

func id(prefix string, n int) string { return fmt.Sprintf("%s%017d", prefix, n) }

func arn(kind, name string) string { return "arn:aws:iam::" + AccountID + ":" + kind + "/" + name }

// UserName is the name of synthetic user i (0-based).
func UserName(i int) string { return fmt.Sprintf("user-%05d", i+1) }

// AuthorizationDetails returns get-account-authorization-details output
// for an account shaped by o, pretty-printed as the AWS CLI prints it.
func AuthorizationDetails(o Options) []byte {
	date := created.Format(time.RFC3339)
	managed := func(name, text string, attachments int, aws bool) policyDetail {
		a := arn("policy", name)
		if aws {
			a = "arn:aws:iam::aws:policy/" + name
		}
		return policyDetail{PolicyName: name, PolicyId: id("ANPA", len(name)), Arn: a, Path: "/", DefaultVersionId: "v1",
			AttachmentCount: attachments, IsAttachable: true, CreateDate: date, UpdateDate: date,
			PolicyVersionList: []policyVersion{{Document: o.doc(text), VersionId: "v1", IsDefaultVersion: true, CreateDate: date}}}
	}
	var d details
	d.Policies = append(d.Policies,
		managed("AdministratorAccess", adminAccess, 1, true),
		managed("LabPowerUser", powerUser, 2, false),
		managed("RequireMFA", requireMFA, 1, false))
	d.GroupDetailList = append(d.GroupDetailList,
		groupDetail{Path: "/", GroupName: "mfa-bool", GroupId: id("AGPA", 1), Arn: arn("group", "mfa-bool"), CreateDate: date,
			GroupPolicyList:         []inlinePolicy{{"BlockMostAccessUnlessSignedInWithMFA", o.doc(boolDeny)}},
			AttachedManagedPolicies: []attachedPolicy{{"LabPowerUser", arn("policy", "LabPowerUser")}}},
		groupDetail{Path: "/", GroupName: "mfa-ifexists", GroupId: id("AGPA", 2), Arn: arn("group", "mfa-ifexists"), CreateDate: date,
			GroupPolicyList: []inlinePolicy{},
			AttachedManagedPolicies: []attachedPolicy{{"LabPowerUser", arn("policy", "LabPowerUser")},
				{"RequireMFA", arn("policy", "RequireMFA")}}})
	for t := 0; t < o.TeamGroups; t++ {
		name := fmt.Sprintf("team-%02d", t)
		d.GroupDetailList = append(d.GroupDetailList, groupDetail{Path: "/teams/", GroupName: name, GroupId: id("AGPA", 100+t),
			Arn: arn("group", "teams/"+name), CreateDate: date, GroupPolicyList: []inlinePolicy{},
			AttachedManagedPolicies: []attachedPolicy{{name + "-data", arn("policy", name+"-data")}}})
		d.Policies = append(d.Policies, managed(name+"-data", teamDoc(t), 1, false))
	}
	for i := 0; i < o.Users; i++ {
		name := UserName(i)
		u := userDetail{Path: "/", UserName: name, UserId: id("AIDA", i), Arn: arn("user", name), CreateDate: date,
			UserPolicyList: []inlinePolicy{}, GroupList: []string{[]string{"mfa-bool", "mfa-ifexists"}[i%2]},
			AttachedManagedPolicies: []attachedPolicy{}}
		if o.TeamGroups > 0 {
			u.GroupList = append(u.GroupList, fmt.Sprintf("team-%02d", i%o.TeamGroups))
		}
		if i%10 == 0 {
			u.UserPolicyList = append(u.UserPolicyList, inlinePolicy{"OwnBucket", o.doc(userDoc(name))})
		}
		if i == 0 {
			u.AttachedManagedPolicies = append(u.AttachedManagedPolicies, attachedPolicy{"AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess"})
		}
		d.UserDetailList = append(d.UserDetailList, u)
	}
	for i := 0; i < o.Roles; i++ {
		name := fmt.Sprintf("role-%04d", i)
		d.RoleDetailList = append(d.RoleDetailList, roleDetail{Path: "/", RoleName: name, RoleId: id("AROA", i), Arn: arn("role", name),
			CreateDate: date, AssumeRolePolicyDocument: o.doc(trustDoc(i%2 == 0)), InstanceProfileList: []any{},
			RolePolicyList: []inlinePolicy{}, AttachedManagedPolicies: []attachedPolicy{{"LabPowerUser", arn("policy", "LabPowerUser")}},
			RoleLastUsed: map[string]string{}})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "    ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		panic(err) // only static, valid documents are encoded
	}
	return buf.Bytes()
}

// CredentialReport returns a credential report CSV for the account of o:
// the root user, then every user with an active access key; every third
// user also has a console password, every fourth an MFA device.
func CredentialReport(o Options) []byte {
	var b strings.Builder
	b.WriteString("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
		"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
		"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
		"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n")
	date := created.Format("2006-01-02T15:04:05+00:00")
	fmt.Fprintf(&b, "<root_account>,arn:aws:iam::%s:root,%s,not_supported,%s,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
		AccountID, date, date)
	for i := 0; i < o.Users; i++ {
		name := UserName(i)
		password, lastUsed := "false", "N/A"
		if i%3 == 0 {
			password, lastUsed = "true", date
		}
		mfa := "false"
		if i%4 == 0 {
			mfa = "true"
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,N/A,N/A,%s,true,%s,%s,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
			name, arn("user", name), date, password, lastUsed, mfa, date, date)
	}
	return []byte(b.String())
}
