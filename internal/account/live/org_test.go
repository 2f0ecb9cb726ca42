package live

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/awsmfa/awsmfa/internal/account"
)

// fakeOrg is an organization: root r-root > ou-prod > account 222222222222,
// management account 111111111111. FullAWSAccess is attached everywhere,
// DenyNoMFA at the OU, an RCP at the root.
type fakeOrg struct {
	management string
	parents    map[string]types.Parent
	attached   map[string][]string // target+type -> policy IDs
	denyAt     string              // operation answered AccessDeniedException
	notInUse   bool
	describes  map[string]int
}

const (
	fullAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	denyNoMFA  = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyNoMFA","Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`
	rcpOwn     = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abc"}}}]}`
)

var fakePolicies = map[string]struct{ name, content string }{
	"p-FullAWSAccess": {"FullAWSAccess", fullAccess},
	"p-deny":          {"DenyNoMFA", denyNoMFA},
	"p-rcp":           {"OwnOrgOnly", rcpOwn},
}

func newFakeOrg() *fakeOrg {
	return &fakeOrg{
		management: "111111111111",
		parents: map[string]types.Parent{
			"222222222222": {Id: aws.String("ou-prod"), Type: types.ParentTypeOrganizationalUnit},
			"ou-prod":      {Id: aws.String("r-root"), Type: types.ParentTypeRoot},
			"111111111111": {Id: aws.String("r-root"), Type: types.ParentTypeRoot},
		},
		attached: map[string][]string{
			"r-root SERVICE_CONTROL_POLICY":       {"p-FullAWSAccess"},
			"ou-prod SERVICE_CONTROL_POLICY":      {"p-FullAWSAccess", "p-deny"},
			"222222222222 SERVICE_CONTROL_POLICY": {"p-FullAWSAccess"},
			"r-root RESOURCE_CONTROL_POLICY":      {"p-rcp"},
		},
		describes: map[string]int{},
	}
}

func (f *fakeOrg) deny(op string) error {
	if f.denyAt == op {
		return &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "You don't have permissions to access this resource."}
	}
	return nil
}

func (f *fakeOrg) DescribeOrganization(context.Context, *organizations.DescribeOrganizationInput, ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error) {
	if f.notInUse {
		return nil, &types.AWSOrganizationsNotInUseException{Message: aws.String("Your account is not a member of an organization.")}
	}
	if err := f.deny("DescribeOrganization"); err != nil {
		return nil, err
	}
	return &organizations.DescribeOrganizationOutput{Organization: &types.Organization{Id: aws.String("o-abc"), MasterAccountId: aws.String(f.management)}}, nil
}

func (f *fakeOrg) ListParents(_ context.Context, in *organizations.ListParentsInput, _ ...func(*organizations.Options)) (*organizations.ListParentsOutput, error) {
	if err := f.deny("ListParents"); err != nil {
		return nil, err
	}
	p, ok := f.parents[*in.ChildId]
	if !ok {
		return nil, &types.ChildNotFoundException{Message: aws.String("no such child")}
	}
	return &organizations.ListParentsOutput{Parents: []types.Parent{p}}, nil
}

func (f *fakeOrg) ListRoots(context.Context, *organizations.ListRootsInput, ...func(*organizations.Options)) (*organizations.ListRootsOutput, error) {
	return &organizations.ListRootsOutput{Roots: []types.Root{{Id: aws.String("r-root"), Name: aws.String("Root")}}}, nil
}

func (f *fakeOrg) DescribeOrganizationalUnit(_ context.Context, in *organizations.DescribeOrganizationalUnitInput, _ ...func(*organizations.Options)) (*organizations.DescribeOrganizationalUnitOutput, error) {
	return &organizations.DescribeOrganizationalUnitOutput{OrganizationalUnit: &types.OrganizationalUnit{Id: in.OrganizationalUnitId, Name: aws.String("Prod")}}, nil
}

func (f *fakeOrg) DescribeAccount(_ context.Context, in *organizations.DescribeAccountInput, _ ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error) {
	if err := f.deny("DescribeAccount"); err != nil {
		return nil, err
	}
	return &organizations.DescribeAccountOutput{Account: &types.Account{Id: in.AccountId, Name: aws.String("workload")}}, nil
}

func (f *fakeOrg) ListPoliciesForTarget(_ context.Context, in *organizations.ListPoliciesForTargetInput, _ ...func(*organizations.Options)) (*organizations.ListPoliciesForTargetOutput, error) {
	if err := f.deny("ListPoliciesForTarget"); err != nil {
		return nil, err
	}
	var out []types.PolicySummary
	for _, id := range f.attached[*in.TargetId+" "+string(in.Filter)] {
		out = append(out, types.PolicySummary{Id: aws.String(id), Name: aws.String(fakePolicies[id].name), Type: in.Filter})
	}
	// One policy a page, to exercise the paginator.
	start := 0
	if in.NextToken != nil {
		start = len(*in.NextToken)
	}
	res := &organizations.ListPoliciesForTargetOutput{}
	if start < len(out) {
		res.Policies = out[start : start+1]
		if start+1 < len(out) {
			res.NextToken = aws.String(strings.Repeat("x", start+1))
		}
	}
	return res, nil
}

func (f *fakeOrg) DescribePolicy(_ context.Context, in *organizations.DescribePolicyInput, _ ...func(*organizations.Options)) (*organizations.DescribePolicyOutput, error) {
	f.describes[*in.PolicyId]++
	p := fakePolicies[*in.PolicyId]
	return &organizations.DescribePolicyOutput{Policy: &types.Policy{Content: aws.String(p.content),
		PolicySummary: &types.PolicySummary{Id: in.PolicyId, Name: aws.String(p.name), Arn: aws.String("arn:aws:organizations::111111111111:policy/o-abc/" + *in.PolicyId)}}}, nil
}

func newOrgReader(f *fakeOrg, acct string) (*orgReader, *int) {
	pages := new(int)
	return &orgReader{c: f, accountID: acct, page: func() { *pages++ }, cache: map[string]account.OrgPolicy{}}, pages
}

func TestOrganizationMemberAccount(t *testing.T) {
	f := newFakeOrg()
	o, pages := newOrgReader(f, "222222222222")
	org, err := o.read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if org.ManagementAccount || len(org.Levels) != 3 {
		t.Fatalf("%+v", org)
	}
	var got []string
	for _, l := range org.Levels {
		var scps, rcps []string
		for _, p := range l.SCPs {
			scps = append(scps, p.Name)
		}
		for _, p := range l.RCPs {
			rcps = append(rcps, p.Name)
		}
		got = append(got, l.ID+"/"+l.Name+" scp="+strings.Join(scps, "+")+" rcp="+strings.Join(rcps, "+"))
	}
	want := "r-root/Root scp=FullAWSAccess rcp=OwnOrgOnly | ou-prod/Prod scp=FullAWSAccess+DenyNoMFA rcp= | 222222222222/workload scp=FullAWSAccess rcp="
	if s := strings.Join(got, " | "); s != want {
		t.Fatalf("levels\n%s\nwant\n%s", s, want)
	}
	deny := org.Levels[1].SCPs[1]
	if deny.ID != "p-deny" || deny.ARN == "" || deny.Document == nil || deny.Document.Text != denyNoMFA || deny.Document.Path != "DescribePolicy p-deny" ||
		len(deny.Document.Statements) != 1 || deny.Document.Statements[0].Sid != "DenyNoMFA" {
		t.Fatalf("DenyNoMFA %+v", deny)
	}
	if rcp := org.Levels[0].RCPs[0]; rcp.Document == nil || rcp.Document.Statements[0].Principal == nil {
		t.Fatalf("RCP %+v", rcp)
	}
	// FullAWSAccess, attached three times, is described once.
	if f.describes["p-FullAWSAccess"] != 1 || f.describes["p-deny"] != 1 {
		t.Fatalf("DescribePolicy calls %v", f.describes)
	}
	if *pages < 10 {
		t.Fatalf("pages %d", *pages)
	}
}

func TestOrganizationManagementAccount(t *testing.T) {
	f := newFakeOrg()
	f.denyAt = "DescribeAccount"
	o, _ := newOrgReader(f, "111111111111")
	org, err := o.read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The account's name could not be read: its ID names it.
	if !org.ManagementAccount || len(org.Levels) != 2 || org.Levels[1].Name != "111111111111" {
		t.Fatalf("%+v", org)
	}
}

func TestOrganizationNotes(t *testing.T) {
	for _, c := range []struct {
		denyAt   string
		notInUse bool
		acct     string
		want     string
	}{
		{notInUse: true, acct: "222222222222", want: "the account is not in an organization: no SCPs or RCPs apply"},
		{denyAt: "DescribeOrganization", acct: "222222222222", want: "organization not read (AccessDeniedException: You don't have permissions to access this resource.): SCPs and RCPs, if any, are not considered"},
		{denyAt: "ListParents", acct: "222222222222", want: "organization not read (a member account of organization o-abc, AccessDeniedException: You don't have permissions to access this resource.): SCPs"},
		{denyAt: "ListPoliciesForTarget", acct: "111111111111", want: "organization not read (the management account of organization o-abc, AccessDeniedException"},
	} {
		f := newFakeOrg()
		f.denyAt, f.notInUse = c.denyAt, c.notInUse
		o, _ := newOrgReader(f, c.acct)
		org, err := o.read(context.Background())
		if err == nil || org != nil {
			t.Errorf("%s: %+v %v", c.want, org, err)
			continue
		}
		if note := o.note(err); !strings.HasPrefix(note, c.want) {
			t.Errorf("note %q, want %q", note, c.want)
		}
	}
	// A path that never reaches a root is cut.
	f := newFakeOrg()
	f.parents["ou-prod"] = types.Parent{Id: aws.String("ou-prod"), Type: types.ParentTypeOrganizationalUnit}
	o, _ := newOrgReader(f, "222222222222")
	if _, err := o.read(context.Background()); err == nil || !strings.Contains(err.Error(), "more than 8 levels") {
		t.Fatalf("loop: %v", err)
	}
}
