package live

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// The GetAccountAuthorizationDetails part of a read: every user, group,
// role and managed policy (AWS managed ones only when attached, as the API
// lists them) with their inline and default-version documents, in pages of
// at most 1,000 items
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html).

const opDetails = "GetAccountAuthorizationDetails"

// maxPageItems is IAM's largest MaxItems.
const maxPageItems = 1000

// readDetails pages through GetAccountAuthorizationDetails into a.
func (r *reader) readDetails(ctx context.Context, a *account.Account) error {
	p := iam.NewGetAccountAuthorizationDetailsPaginator(r.iam, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(maxPageItems)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", opDetails, err)
		}
		if err := r.addPage(a, out); err != nil {
			return err
		}
		r.advance(PhaseDetails, func(p *Progress) { p.Pages++; p.Users = len(a.Users) })
	}
	return nil
}

// addPage converts one page.
func (r *reader) addPage(a *account.Account, out *iam.GetAccountAuthorizationDetailsOutput) error {
	for i := range out.UserDetailList {
		u, err := r.user(&out.UserDetailList[i])
		if err != nil {
			return err
		}
		a.Users = append(a.Users, u)
	}
	for i := range out.GroupDetailList {
		g, err := r.group(&out.GroupDetailList[i])
		if err != nil {
			return err
		}
		a.Groups = append(a.Groups, g)
	}
	for i := range out.RoleDetailList {
		role, err := r.role(&out.RoleDetailList[i])
		if err != nil {
			return err
		}
		a.Roles = append(a.Roles, role)
	}
	for i := range out.Policies {
		mp, err := r.managedPolicy(&out.Policies[i])
		if err != nil {
			return err
		}
		a.Policies = append(a.Policies, mp)
	}
	return nil
}

// doc parses a document IAM stored.
func (r *reader) doc(raw *string, where string) (*account.Document, error) {
	return document(raw, true, policy.KindUnknown, where)
}

func (r *reader) inline(list []types.PolicyDetail, where string) ([]account.InlinePolicy, error) {
	out := make([]account.InlinePolicy, 0, len(list))
	for i := range list {
		d, err := r.doc(list[i].PolicyDocument, where+"["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		out = append(out, account.InlinePolicy{Name: aws.ToString(list[i].PolicyName), Document: d})
	}
	return out, nil
}

func attachedARNs(list []types.AttachedPolicy) []string {
	out := make([]string, 0, len(list))
	for _, p := range list {
		out = append(out, aws.ToString(p.PolicyArn))
	}
	return out
}

func boundaryARN(b *types.AttachedPermissionsBoundary) string {
	if b == nil {
		return ""
	}
	return aws.ToString(b.PermissionsBoundaryArn)
}

func tags(list []types.Tag) []account.Tag {
	if len(list) == 0 {
		return nil
	}
	out := make([]account.Tag, 0, len(list))
	for _, t := range list {
		out = append(out, account.Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}

func (r *reader) user(d *types.UserDetail) (*account.User, error) {
	name := aws.ToString(d.UserName)
	inline, err := r.inline(d.UserPolicyList, opDetails+" UserDetailList["+name+"].UserPolicyList")
	if err != nil {
		return nil, err
	}
	return &account.User{
		Name: name, ID: aws.ToString(d.UserId), ARN: aws.ToString(d.Arn), Path: aws.ToString(d.Path),
		CreateDate: aws.ToTime(d.CreateDate), Groups: append([]string(nil), d.GroupList...),
		Inline: inline, Attached: attachedARNs(d.AttachedManagedPolicies), Boundary: boundaryARN(d.PermissionsBoundary),
		Tags: tags(d.Tags),
	}, nil
}

func (r *reader) group(d *types.GroupDetail) (*account.Group, error) {
	name := aws.ToString(d.GroupName)
	inline, err := r.inline(d.GroupPolicyList, opDetails+" GroupDetailList["+name+"].GroupPolicyList")
	if err != nil {
		return nil, err
	}
	return &account.Group{
		Name: name, ID: aws.ToString(d.GroupId), ARN: aws.ToString(d.Arn), Path: aws.ToString(d.Path),
		CreateDate: aws.ToTime(d.CreateDate), Inline: inline, Attached: attachedARNs(d.AttachedManagedPolicies),
	}, nil
}

func (r *reader) role(d *types.RoleDetail) (*account.Role, error) {
	name := aws.ToString(d.RoleName)
	where := opDetails + " RoleDetailList[" + name + "]"
	trust, err := r.doc(d.AssumeRolePolicyDocument, where+".AssumeRolePolicyDocument")
	if err != nil {
		return nil, err
	}
	inline, err := r.inline(d.RolePolicyList, where+".RolePolicyList")
	if err != nil {
		return nil, err
	}
	role := &account.Role{
		Name: name, ID: aws.ToString(d.RoleId), ARN: aws.ToString(d.Arn), Path: aws.ToString(d.Path),
		CreateDate: aws.ToTime(d.CreateDate), Trust: trust, Inline: inline,
		Attached: attachedARNs(d.AttachedManagedPolicies), Boundary: boundaryARN(d.PermissionsBoundary), Tags: tags(d.Tags),
	}
	if lu := d.RoleLastUsed; lu != nil {
		role.LastUsed, role.LastUsedRegion = aws.ToTime(lu.LastUsedDate), aws.ToString(lu.Region)
	}
	return role, nil
}

func (r *reader) managedPolicy(d *types.ManagedPolicyDetail) (*account.ManagedPolicy, error) {
	arn := aws.ToString(d.Arn)
	mp := &account.ManagedPolicy{
		Name: aws.ToString(d.PolicyName), ID: aws.ToString(d.PolicyId), ARN: arn, Path: aws.ToString(d.Path),
		DefaultVersion: aws.ToString(d.DefaultVersionId), AttachmentCount: int(aws.ToInt32(d.AttachmentCount)),
		Description: aws.ToString(d.Description), CreateDate: aws.ToTime(d.CreateDate), UpdateDate: aws.ToTime(d.UpdateDate),
	}
	versions := append([]types.PolicyVersion(nil), d.PolicyVersionList...)
	sort.SliceStable(versions, func(i, j int) bool { return olderVersion(&versions[i], &versions[j]) })
	for i := range versions {
		v := &versions[i]
		id := aws.ToString(v.VersionId)
		mp.Versions = append(mp.Versions, id)
		if v.IsDefaultVersion || (id == mp.DefaultVersion && mp.Document == nil) {
			doc, err := r.doc(v.Document, opDetails+" Policies["+arn+"].PolicyVersionList["+id+"]")
			if err != nil {
				return nil, err
			}
			mp.Document = doc
		}
	}
	if mp.Document == nil {
		return nil, fmt.Errorf("%s: managed policy %s: no document for its default version %s", opDetails, arn, mp.DefaultVersion)
	}
	return mp, nil
}

// olderVersion orders policy versions by creation, then by number (v2
// before v10).
func olderVersion(a, b *types.PolicyVersion) bool {
	ta, tb := aws.ToTime(a.CreateDate), aws.ToTime(b.CreateDate)
	if !ta.Equal(tb) {
		return ta.Before(tb)
	}
	return versionNumber(aws.ToString(a.VersionId)) < versionNumber(aws.ToString(b.VersionId))
}

func versionNumber(id string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "v"))
	if err != nil {
		return 0
	}
	return n
}

// readRoleSessions fills each role's MaxSessionDuration and Description,
// which the authorization details leave out, from ListRoles.
func (r *reader) readRoleSessions(ctx context.Context, a *account.Account) error {
	if len(a.Roles) == 0 {
		return nil
	}
	byARN := make(map[string]*account.Role, len(a.Roles))
	for _, role := range a.Roles {
		byARN[role.ARN] = role
	}
	p := iam.NewListRolesPaginator(r.iam, &iam.ListRolesInput{MaxItems: aws.Int32(maxPageItems)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, role := range out.Roles {
			if m := byARN[aws.ToString(role.Arn)]; m != nil {
				m.MaxSessionDuration = int(aws.ToInt32(role.MaxSessionDuration))
				m.Description = aws.ToString(role.Description)
			}
		}
		r.advance(PhaseDetails, func(p *Progress) { p.Pages++ })
	}
	return nil
}
