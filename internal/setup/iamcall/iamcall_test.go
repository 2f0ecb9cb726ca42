package iamcall

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/account/live"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/lab/scenario"
	"github.com/awsmfa/awsmfa/internal/lab/scenario/seed"
	"github.com/awsmfa/awsmfa/internal/lab/store"
	"github.com/awsmfa/awsmfa/internal/setup"
)

const example = `version: 1
groups:
  - name: mfa-required
    users: [alice, bob]
    requireMfa: true
    maxMfaAgeSeconds: 43200
roles:
  - name: cli-role
    requireMfa: true
    trustedUsers: [alice]
    managedPolicies: [arn:aws:iam::aws:policy/PowerUserAccess]
    maxSessionDuration: 43200
`

// startLab serves the before-setup scenario in process and returns an
// AWS configuration with admin's keys.
func startLab(t *testing.T) (aws.Config, *store.Store) {
	t.Helper()
	st, err := store.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sc, err := scenario.Load("before-setup")
	if err != nil {
		t.Fatal(err)
	}
	applied, err := seed.Apply(st, sc)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := lab.New(lab.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	admin, _ := applied.User("admin")
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), HTTPClient: &http.Client{Transport: tr},
		Credentials: credentials.NewStaticCredentialsProvider(admin.AccessKeys[0].ID, admin.AccessKeys[0].Secret, "")}, st
}

func read(t *testing.T, cfg aws.Config) *account.Account {
	t.Helper()
	a, err := live.Read(context.Background(), cfg, live.Options{PolicyTags: true, NoOrganizations: true, ReportPoll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func plan(t *testing.T, a *account.Account) *setup.Plan {
	t.Helper()
	f, err := setup.Parse("setup.yaml", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	d, err := setup.Build(f, a.ID, a.Partition)
	if err != nil {
		t.Fatal(err)
	}
	p, err := setup.MakePlan(d, a)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// shape is what setup may change in an account, as text to compare.
func shape(a *account.Account) string {
	var lines []string
	for _, u := range a.Users {
		lines = append(lines, fmt.Sprintf("user %s groups=%v attached=%v", u.Name, u.Groups, u.Attached))
	}
	for _, g := range a.Groups {
		lines = append(lines, fmt.Sprintf("group %s %s attached=%v", g.Path, g.Name, g.Attached))
	}
	for _, r := range a.Roles {
		lines = append(lines, fmt.Sprintf("role %s attached=%v max=%d tags=%v trust=%s", r.Name, r.Attached, r.MaxSessionDuration, r.Tags, r.Trust.Text))
	}
	for _, p := range a.Policies {
		if !p.AWSManaged() {
			lines = append(lines, fmt.Sprintf("policy %s versions=%v default=%s tags=%v", p.ARN, p.Versions, p.DefaultVersion, p.Tags))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestApplyAndDestroyOnTheLab: the example's plan made through the IAM API
// on the lab leaves nothing to plan; a changed file updates the policy
// with a new default version and the role; destroy brings the account back
// to what it was.
func TestApplyAndDestroyOnTheLab(t *testing.T) {
	cfg, _ := startLab(t)
	ctx := context.Background()
	c := &Caller{IAM: iam.NewFromConfig(cfg)}
	before := read(t, cfg)

	p := plan(t, before)
	if res := setup.Apply(ctx, p, c, nil); res.Err != nil {
		t.Fatalf("apply:\n%s", res.Error())
	}
	after := read(t, cfg)
	if p2 := plan(t, after); p2.Changes() {
		t.Fatalf("second plan has changes:\n%s", p2.Text())
	}
	got := shape(after)
	for _, want := range []string{
		"group /awsmfa/ mfa-required attached=[arn:aws:iam::123456789012:policy/awsmfa-require-mfa-max-age-43200]",
		"user alice groups=[developers mfa-required] attached=[arn:aws:iam::123456789012:policy/awsmfa-assume-cli-role]",
		"user bob groups=[developers mfa-required] attached=[]",
		"role cli-role attached=[arn:aws:iam::aws:policy/PowerUserAccess] max=43200 tags=[{awsmfa:managed true}]",
		"policy arn:aws:iam::123456789012:policy/awsmfa-require-mfa-max-age-43200 versions=[v1] default=v1 tags=[{awsmfa:managed true}]",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("account lacks %q:\n%s", want, got)
		}
	}
	if r := after.RoleByName("cli-role"); r == nil || !strings.Contains(r.Trust.Text, `"aws:MultiFactorAuthPresent"`) {
		t.Errorf("cli-role trust: %+v", r)
	}

	// Policies and roles awsmfa created carry its description.
	out, err := c.IAM.(*iam.Client).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("cli-role")})
	if err != nil || aws.ToString(out.Role.Description) != Description {
		t.Errorf("cli-role description: %v %v", out, err)
	}

	destroy := setup.Destroy(after)
	if res := setup.Apply(ctx, destroy, c, nil); res.Err != nil {
		t.Fatalf("destroy:\n%s", res.Error())
	}
	if got, want := shape(read(t, cfg)), shape(before); got != want {
		t.Errorf("after destroy:\n%s\nbefore:\n%s", got, want)
	}
}

// TestPolicyVersionsRotate: with five versions of a managed policy, an
// update deletes the oldest non-default one first (IAM's LimitExceeded
// otherwise), and the new version becomes the default.
func TestPolicyVersionsRotate(t *testing.T) {
	cfg, st := startLab(t)
	ctx := context.Background()
	c := &Caller{IAM: iam.NewFromConfig(cfg)}
	if res := setup.Apply(ctx, plan(t, read(t, cfg)), c, nil); res.Err != nil {
		t.Fatalf("apply:\n%s", res.Error())
	}
	arn := "arn:aws:iam::123456789012:policy/awsmfa-require-mfa-max-age-43200"
	for i := 0; i < 4; i++ {
		doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"S%d","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, i)
		if _, err := st.CreatePolicyVersion(arn, doc, i == 3); err != nil {
			t.Fatal(err)
		}
	}
	a := read(t, cfg)
	p := plan(t, a)
	var calls []string
	for _, s := range p.Steps {
		if s.Action != setup.NoChange {
			calls = append(calls, s.Call+" "+s.VersionID)
		}
	}
	if !slices.Equal(calls, []string{"DeletePolicyVersion v1", "CreatePolicyVersion "}) {
		t.Fatalf("plan calls %q\n%s", calls, p.Text())
	}
	if res := setup.Apply(ctx, p, c, nil); res.Err != nil {
		t.Fatalf("apply:\n%s", res.Error())
	}
	a = read(t, cfg)
	mp := a.PolicyByARN(arn)
	if fmt.Sprint(mp.Versions) != "[v2 v3 v4 v5 v6]" || mp.DefaultVersion != "v6" {
		t.Errorf("versions %v default %s", mp.Versions, mp.DefaultVersion)
	}
	if plan(t, a).Changes() {
		t.Error("plan after the update has changes")
	}
}

// TestErrorsNameTheCode: a refused step's error is IAM's code and message.
func TestErrorsNameTheCode(t *testing.T) {
	cfg, _ := startLab(t)
	c := &Caller{IAM: iam.NewFromConfig(cfg)}
	err := c.Call(context.Background(), setup.Step{Call: "AddUserToGroup", Group: "no-such-group", User: "alice"})
	var e *Error
	if !errors.As(err, &e) || e.Code() != "NoSuchEntity" || !strings.HasPrefix(err.Error(), "NoSuchEntity: ") || !strings.Contains(err.Error(), "no-such-group") {
		t.Errorf("error %v", err)
	}
	if err := c.Call(context.Background(), setup.Step{Call: "Frobnicate"}); err == nil || !strings.Contains(err.Error(), `unknown call "Frobnicate"`) {
		t.Errorf("unknown call: %v", err)
	}
}

// fakeIAM answers NoSuchEntity to the first misses calls of
// AttachGroupPolicy, as IAM may right after the policy's creation.
type fakeIAM struct {
	API
	misses, calls int
}

func (f *fakeIAM) CreateGroup(context.Context, *iam.CreateGroupInput, ...func(*iam.Options)) (*iam.CreateGroupOutput, error) {
	return &iam.CreateGroupOutput{}, nil
}

func (f *fakeIAM) AttachGroupPolicy(context.Context, *iam.AttachGroupPolicyInput, ...func(*iam.Options)) (*iam.AttachGroupPolicyOutput, error) {
	f.calls++
	if f.calls <= f.misses {
		return nil, &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "The group with name g cannot be found."}
	}
	return &iam.AttachGroupPolicyOutput{}, nil
}

// TestPropagationRetries: NoSuchEntity on an entity this apply created is
// retried with growing pauses within Propagation; on anything else it is
// an error at once.
func TestPropagationRetries(t *testing.T) {
	for _, tc := range []struct {
		name        string
		create      bool
		misses      int
		wantCalls   int
		wantErr     bool
		wantSlept   time.Duration
		propagation time.Duration
	}{
		{"created, visible after two misses", true, 2, 3, false, 750 * time.Millisecond, 0},
		{"created, never visible", true, 100, 7, true, 250 * (1 + 2 + 4 + 8 + 16 + 32) * time.Millisecond, 0},
		{"created, short bound", true, 100, 2, true, 250 * time.Millisecond, 500 * time.Millisecond},
		{"not created here", false, 1, 1, true, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeIAM{misses: tc.misses}
			var slept time.Duration
			c := &Caller{IAM: f, Propagation: tc.propagation, Sleep: func(_ context.Context, d time.Duration) error { slept += d; return nil }}
			if tc.create {
				if err := c.Call(context.Background(), setup.Step{Call: "CreateGroup", Group: "g", Path: "/awsmfa/"}); err != nil {
					t.Fatal(err)
				}
			}
			err := c.Call(context.Background(), setup.Step{Call: "AttachGroupPolicy", Group: "g", PolicyARN: "arn:aws:iam::123456789012:policy/p"})
			if (err != nil) != tc.wantErr || f.calls != tc.wantCalls || slept != tc.wantSlept {
				t.Errorf("err %v, calls %d, slept %s; want err %v, calls %d, slept %s", err, f.calls, slept, tc.wantErr, tc.wantCalls, tc.wantSlept)
			}
		})
	}
}
