package account

import (
	"testing"

	"github.com/awsmfa/awsmfa/internal/account/accounttest"
)

// The synthetic 5,000-user account loads into the model the audit needs,
// with its credential report. Not timed: BenchmarkLoadAuthorizationDetails
// measures.
func TestSyntheticAccount(t *testing.T) {
	for _, urlEncoded := range []bool{false, true} {
		o := accounttest.Default
		o.URLEncoded = urlEncoded
		a, err := LoadAuthorizationDetails("synthetic.json", accounttest.AuthorizationDetails(o))
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != accounttest.AccountID || len(a.Users) != o.Users || len(a.Roles) != o.Roles || len(a.Groups) != o.TeamGroups+2 || len(a.Policies) != o.TeamGroups+3 {
			t.Fatalf("users %d roles %d groups %d policies %d", len(a.Users), len(a.Roles), len(a.Groups), len(a.Policies))
		}
		if err := a.Check(); err != nil {
			t.Fatal(err)
		}
		r, err := ParseCredentialReport("synthetic.csv", accounttest.CredentialReport(o))
		if err != nil {
			t.Fatal(err)
		}
		if err := a.ApplyReport(r); err != nil || len(a.Notes) != 0 {
			t.Fatalf("ApplyReport: %v, notes %q", err, a.Notes)
		}
		u := a.UserByName(accounttest.UserName(0))
		if got := refs(a.UserPolicies(u)); got != "inline user/user-00001/OwnBucket; managed arn:aws:iam::aws:policy/AdministratorAccess; "+
			"group inline group/mfa-bool/BlockMostAccessUnlessSignedInWithMFA via mfa-bool; group managed arn:aws:iam::123456789012:policy/LabPowerUser via mfa-bool; "+
			"group managed arn:aws:iam::123456789012:policy/team-00-data via team-00" {
			t.Errorf("user-00001: %s", got)
		}
		if row := r.Row(u.Name); row == nil || !row.PasswordEnabled || !row.MFAActive || !row.AccessKeys[0].Active {
			t.Errorf("report row %+v", row)
		}
	}
}

// BenchmarkLoadAuthorizationDetails loads a 5,000-user account (IAM's
// quota), as the AWS CLI prints it and URL-encoded as the API returns it:
//
//	go test ./internal/account -run '^$' -bench LoadAuthorizationDetails -benchmem
func BenchmarkLoadAuthorizationDetails(b *testing.B) {
	for _, tt := range []struct {
		name       string
		urlEncoded bool
	}{{"cli-5000-users", false}, {"urlencoded-5000-users", true}} {
		o := accounttest.Default
		o.URLEncoded = tt.urlEncoded
		data := accounttest.AuthorizationDetails(o)
		b.Run(tt.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := LoadAuthorizationDetails("synthetic.json", data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseCredentialReport reads the 5,000-user account's report.
func BenchmarkParseCredentialReport(b *testing.B) {
	data := accounttest.CredentialReport(accounttest.Default)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCredentialReport("synthetic.csv", data); err != nil {
			b.Fatal(err)
		}
	}
}
