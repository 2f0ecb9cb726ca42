package live

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/awserr"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// The Organizations part of a read: whether the account is the
// organization's management account (SCPs and RCPs do not apply to it),
// its path from the root through its OUs, and the SCPs and RCPs attached
// at each level with their documents. Member accounts may usually only
// describe the organization (ListParents and ListPoliciesForTarget are for
// the management account and delegated administrators,
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListPoliciesForTarget.html);
// whatever cannot be read leaves Org nil with a note saying why.

// maxOrgDepth bounds the walk up from the account: OUs nest at most five
// deep under the root
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
const maxOrgDepth = 8

// errNotInOrg: the account is not in an organization.
var errNotInOrg = errors.New("not in an organization")

// readOrganization sets a.Org, or leaves it nil with a note.
func (r *reader) readOrganization(ctx context.Context, a *account.Account) error {
	if a.ID == "" {
		r.notes = append(r.notes, "organization not read: the account ID is unknown")
		return nil
	}
	o := &orgReader{c: organizations.NewFromConfig(r.cfg), accountID: a.ID, cache: map[string]account.OrgPolicy{},
		page: func() { r.advance(PhaseOrganization, func(p *Progress) { p.Pages++ }) }}
	org, err := o.read(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.notes = append(r.notes, o.note(err))
		return nil
	}
	a.Org = org
	return nil
}

// note explains why there is no organization information. Any failure of
// these optional calls is a note, not a failed read.
func (o *orgReader) note(err error) string {
	if errors.Is(err, errNotInOrg) {
		return "the account is not in an organization: no SCPs or RCPs apply"
	}
	which := ""
	switch {
	case o.orgID == "":
	case o.management:
		which = "the management account of organization " + o.orgID + ", "
	default:
		which = "a member account of organization " + o.orgID + ", "
	}
	return "organization not read (" + which + shortError(err) + "): SCPs and RCPs, if any, are not considered"
}

// orgClient is the part of the Organizations API a read uses.
type orgClient interface {
	DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	ListParents(context.Context, *organizations.ListParentsInput, ...func(*organizations.Options)) (*organizations.ListParentsOutput, error)
	ListRoots(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error)
	DescribeOrganizationalUnit(context.Context, *organizations.DescribeOrganizationalUnitInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationalUnitOutput, error)
	DescribeAccount(context.Context, *organizations.DescribeAccountInput, ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error)
	ListPoliciesForTarget(context.Context, *organizations.ListPoliciesForTargetInput, ...func(*organizations.Options)) (*organizations.ListPoliciesForTargetOutput, error)
	DescribePolicy(context.Context, *organizations.DescribePolicyInput, ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error)
}

// orgReader reads one account's organization.
type orgReader struct {
	c         orgClient
	accountID string
	// page is called after each call that answered.
	page func()
	// cache holds the policies read, by ID: one policy is often attached
	// at several levels (FullAWSAccess everywhere).
	cache map[string]account.OrgPolicy
	// What DescribeOrganization said, for the note when the rest fails.
	orgID      string
	management bool
}

// read reads the organization, the path to the account and the policies
// at each level.
func (o *orgReader) read(ctx context.Context) (*account.Organization, error) {
	desc, err := o.c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		if awserr.Code(err) == "AWSOrganizationsNotInUseException" {
			return nil, errNotInOrg
		}
		return nil, fmt.Errorf("DescribeOrganization: %w", err)
	}
	o.page()
	org := &account.Organization{}
	if desc.Organization != nil {
		o.orgID = aws.ToString(desc.Organization.Id)
		o.management = aws.ToString(desc.Organization.MasterAccountId) == o.accountID
		org.ManagementAccount = o.management
	}
	path, err := o.path(ctx)
	if err != nil {
		return nil, err
	}
	for _, lvl := range path {
		lvl.Name = o.levelName(ctx, lvl.ID)
		if lvl.SCPs, err = o.levelPolicies(ctx, lvl.ID, types.PolicyTypeServiceControlPolicy); err != nil {
			return nil, err
		}
		if lvl.RCPs, err = o.levelPolicies(ctx, lvl.ID, types.PolicyTypeResourceControlPolicy); err != nil {
			return nil, err
		}
		org.Levels = append(org.Levels, *lvl)
	}
	return org, nil
}

// path walks ListParents from the account up to the root and returns the
// levels root first, the account last.
func (o *orgReader) path(ctx context.Context) ([]*account.OrgLevel, error) {
	path := []*account.OrgLevel{{ID: o.accountID}}
	child := o.accountID
	for depth := 0; ; depth++ {
		if depth >= maxOrgDepth {
			return nil, fmt.Errorf("ListParents: more than %d levels above account %s", maxOrgDepth, o.accountID)
		}
		out, err := o.c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(child)})
		if err != nil {
			return nil, fmt.Errorf("ListParents %s: %w", child, err)
		}
		o.page()
		if len(out.Parents) != 1 {
			return nil, fmt.Errorf("ListParents %s: %d parents, want 1", child, len(out.Parents))
		}
		parent := out.Parents[0]
		child = aws.ToString(parent.Id)
		path = append([]*account.OrgLevel{{ID: child}}, path...)
		if parent.Type == types.ParentTypeRoot {
			return path, nil
		}
	}
}

// levelName names a level for people: the root's name (usually "Root"),
// the OU's, the account's; its ID when the name cannot be read.
func (o *orgReader) levelName(ctx context.Context, id string) string {
	switch {
	case id == o.accountID:
		if out, err := o.c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)}); err == nil && out.Account != nil {
			o.page()
			return aws.ToString(out.Account.Name)
		}
	case strings.HasPrefix(id, "r-"):
		if out, err := o.c.ListRoots(ctx, &organizations.ListRootsInput{}); err == nil {
			o.page()
			for _, root := range out.Roots {
				if aws.ToString(root.Id) == id {
					return aws.ToString(root.Name)
				}
			}
		}
	default:
		if out, err := o.c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(id)}); err == nil && out.OrganizationalUnit != nil {
			o.page()
			return aws.ToString(out.OrganizationalUnit.Name)
		}
	}
	return id
}

// levelPolicies lists the policies of one type attached to a target with
// their documents.
func (o *orgReader) levelPolicies(ctx context.Context, target string, kind types.PolicyType) ([]account.OrgPolicy, error) {
	var out []account.OrgPolicy
	p := organizations.NewListPoliciesForTargetPaginator(o.c, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: kind})
	for p.HasMorePages() {
		res, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ListPoliciesForTarget %s %s: %w", target, kind, err)
		}
		o.page()
		for _, s := range res.Policies {
			id := aws.ToString(s.Id)
			op, ok := o.cache[id]
			if !ok {
				if op, err = o.describePolicy(ctx, id, kind); err != nil {
					return nil, err
				}
				o.cache[id] = op
			}
			out = append(out, op)
		}
	}
	return out, nil
}

// describePolicy reads one SCP or RCP with its document (plain JSON, not
// URL-encoded as IAM's are).
func (o *orgReader) describePolicy(ctx context.Context, id string, kind types.PolicyType) (account.OrgPolicy, error) {
	res, err := o.c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
	if err != nil {
		return account.OrgPolicy{}, fmt.Errorf("DescribePolicy %s: %w", id, err)
	}
	o.page()
	if res.Policy == nil || res.Policy.PolicySummary == nil {
		return account.OrgPolicy{}, fmt.Errorf("DescribePolicy %s: no policy in the answer", id)
	}
	pk := policy.KindSCP
	if kind == types.PolicyTypeResourceControlPolicy {
		pk = policy.KindRCP
	}
	doc, err := document(res.Policy.Content, false, pk, "DescribePolicy "+id)
	if err != nil {
		return account.OrgPolicy{}, err
	}
	s := res.Policy.PolicySummary
	return account.OrgPolicy{ID: id, Name: aws.ToString(s.Name), ARN: aws.ToString(s.Arn), Document: doc}, nil
}
