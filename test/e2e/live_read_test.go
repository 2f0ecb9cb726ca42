package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"

	"github.com/awsmfa/awsmfa/internal/account/live"
)

// The live account reader (the input of awsmfa audit) through the normal
// credential chain: shared config profiles of the lab's config directory,
// endpoint_url included, as any application loads them.
func TestLiveReadThroughProfiles(t *testing.T) {
	isolateSDKEnv(t)
	e := startLab(t)
	ctx := context.Background()

	// The administrator reads everything IAM has; the lab's account is in
	// no organization.
	var st live.Stats
	a, err := live.Read(ctx, loadProfile(t, e, "admin"), live.Options{Stats: &st, Source: "profile admin"})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != "123456789012" || len(a.Users) != 4 || len(a.Roles) != 1 || a.Report == nil || a.Summary["Users"] != 4 || a.Org != nil {
		t.Fatalf("account %s: %d users, %d roles, report %v, summary %v, org %v", a.ID, len(a.Users), len(a.Roles), a.Report != nil, a.Summary, a.Org)
	}
	if strings.Join(a.Notes, "\n") != "the account is not in an organization: no SCPs or RCPs apply" {
		t.Fatalf("notes %q", a.Notes)
	}
	if got := len(e.records("")); got < st.Calls {
		t.Fatalf("the lab saw %d requests, the reader counted %d", got, st.Calls)
	}

	// anika's own keys may not read the account: the read fails, naming
	// the call.
	if _, err := live.Read(ctx, loadProfile(t, e, "anika"), live.Options{NoOrganizations: true}); err == nil || !strings.Contains(err.Error(), "iam:GetAccountAuthorizationDetails") {
		t.Fatalf("anika's keys: %v", err)
	}

	// Through the MFA-guarded role (the SDK's assume-role provider asks
	// for the code): LabPowerUser reads IAM (iam:Get*, iam:List*,
	// iam:GenerateCredentialReport) but not Organizations.
	asked := 0
	cfg := loadProfile(t, e, "role-with-mfa", config.WithAssumeRoleCredentialOptions(func(o *stscreds.AssumeRoleOptions) {
		o.TokenProvider = func() (string, error) {
			asked++
			return e.code(t, "anika", 0), nil
		}
	}))
	a, err = live.Read(ctx, cfg, live.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if asked != 1 || len(a.Users) != 4 || a.Report == nil || a.Summary == nil || !a.Users[0].MFAKnown {
		t.Fatalf("through the role: token asked %d times, %d users, report %v, summary %v", asked, len(a.Users), a.Report != nil, a.Summary != nil)
	}
	if len(a.Notes) != 1 || !strings.HasPrefix(a.Notes[0], "organization not read (AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/cli-role/") {
		t.Fatalf("notes %q", a.Notes)
	}
	e.stillServing(t)
}
