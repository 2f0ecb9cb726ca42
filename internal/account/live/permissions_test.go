package live

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/awserr"
)

const (
	allowDetails = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetAccountAuthorizationDetails","Resource":"*"}]}`
	allowReport  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetAccountAuthorizationDetails","iam:GetCredentialReport"],"Resource":"*"}]}`
)

// A caller who may read only the authorization details gets them, and a
// note for everything else.
func TestReadWithOnlyTheDetails(t *testing.T) {
	l := startLab(t)
	id, secret := l.newKeyUser(t, "auditor", allowDetails)
	a, err := Read(context.Background(), l.config(id, secret), fastReport(Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Users) != 5 || a.Report != nil || a.Summary != nil || a.Org != nil {
		t.Fatalf("users %d report %v summary %v org %v", len(a.Users), a.Report, a.Summary, a.Org)
	}
	for _, u := range a.Users {
		if u.MFAKnown || u.MFADevices != nil {
			t.Errorf("%s: MFA devices known without iam:ListMFADevices", u.Name)
		}
	}
	for _, r := range a.Roles {
		if r.MaxSessionDuration != 0 {
			t.Errorf("%s: session duration without iam:ListRoles", r.Name)
		}
	}
	notes := strings.Join(a.Notes, "\n")
	for _, want := range []string{
		"not read: roles' maximum session durations and descriptions (iam:ListRoles): access denied",
		"not read: the users' MFA devices (iam:ListMFADevices): access denied",
		"no credential report (access denied to iam:GetCredentialReport): every user is assumed to have active access keys and a console password",
		"not read: the account summary (iam:GetAccountSummary): access denied",
		"organization not read (AccessDeniedException: User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: organizations:DescribeOrganization on resource: * because no identity-based policy allows the organizations:DescribeOrganization action): SCPs and RCPs, if any, are not considered",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
}

// Without iam:GenerateCredentialReport, a report generated earlier is
// read; without one, there is none.
func TestReadReportWithoutGenerate(t *testing.T) {
	l := startLab(t)
	id, secret := l.newKeyUser(t, "reader", allowReport)
	a, err := Read(context.Background(), l.config(id, secret), fastReport(Options{NoOrganizations: true}))
	if err != nil {
		t.Fatal(err)
	}
	if a.Report != nil || !strings.Contains(strings.Join(a.Notes, "\n"), "no credential report (access denied to iam:GenerateCredentialReport and no current report)") {
		t.Fatalf("report %v notes %q", a.Report, a.Notes)
	}
	if _, err := l.st.GenerateCredentialReport(); err != nil {
		t.Fatal(err)
	}
	a, err = Read(context.Background(), l.config(id, secret), fastReport(Options{NoOrganizations: true}))
	if err != nil {
		t.Fatal(err)
	}
	if a.Report == nil || len(a.Report.Rows) != 6 {
		t.Fatalf("report %+v notes %q", a.Report, a.Notes)
	}
}

// A report that is not ready within ReportWait is left out with a note.
func TestReadReportWaitIsBounded(t *testing.T) {
	l := startLab(t)
	id, secret := l.keys(t, "admin")
	var st Stats
	a, err := Read(context.Background(), l.config(id, secret), Options{ReportWait: time.Millisecond, ReportPoll: time.Second, NoOrganizations: true, Stats: &st})
	if err != nil {
		t.Fatal(err)
	}
	if a.Report != nil || !strings.Contains(strings.Join(a.Notes, "\n"), "no credential report (not ready in time (waited 1ms))") {
		t.Fatalf("report %v notes %q", a.Report, a.Notes)
	}
	if st.Duration > 5*time.Second {
		t.Fatalf("took %s", st.Duration)
	}
}

// Without the authorization details there is nothing to audit: the read
// fails, naming the call.
func TestReadFailsWithoutTheDetails(t *testing.T) {
	l := startLab(t)
	id, secret := l.newKeyUser(t, "nobody", "")
	var st Stats
	_, err := Read(context.Background(), l.config(id, secret), Options{Stats: &st})
	if err == nil || !strings.Contains(err.Error(), "GetAccountAuthorizationDetails") || awserr.Code(err) != "AccessDenied" {
		t.Fatalf("err %v", err)
	}
	if st.Calls != 2 {
		t.Fatalf("stats after a failed read %+v", st)
	}
}

// A cancelled read stops and says so.
func TestReadCancelled(t *testing.T) {
	l := startLab(t)
	id, secret := l.keys(t, "admin")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Read(ctx, l.config(id, secret), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}
