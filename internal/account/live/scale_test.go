package live

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// scaleUsers is the size of the large account.
const scaleUsers = 5000

// seedUsers grows the default scenario to n users through the store (the
// lab's IAM API would take a request per entity): every user with an
// access key and in one of the scenario's groups, every tenth with a
// virtual MFA device, every hundredth with an inline policy.
func seedUsers(t testing.TB, l *testLab, n int) (withMFA int) {
	t.Helper()
	have, err := l.st.ListUsers("")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	groups := []string{"mfa-bool", "mfa-ifexists"}
	for i := len(have); i < n; i++ {
		name := fmt.Sprintf("user%04d", i)
		_, err := l.st.CreateUser(name, "/staff/")
		must(err)
		_, err = l.st.CreateAccessKey(name)
		must(err)
		must(l.st.AddUserToGroup(groups[i%2], name))
		if i%10 == 0 {
			withMFA++
			d, err := l.st.CreateVirtualMFADevice(name, "")
			must(err)
			c1, c2 := store.EnableCodes(d.Seed, l.st.Now())
			must(l.st.EnableMFADevice(name, d.Serial, c1, c2))
		}
		if i%100 == 0 {
			must(l.st.PutUserPolicy(name, "Own", allowDetails))
		}
	}
	return withMFA
}

// The live read of a lab account of 5,000 users, paged: the time and the
// API calls are logged (go test -run TestReadFiveThousandUsers -v).
func TestReadFiveThousandUsers(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 5,000 users")
	}
	l := startLab(t)
	seedStart := time.Now()
	seededMFA := seedUsers(t, l, scaleUsers)
	seeded := time.Since(seedStart)
	id, secret := l.keys(t, "admin")
	var st Stats
	var progress []Progress
	a, err := Read(context.Background(), l.config(id, secret), fastReport(Options{Stats: &st, Progress: func(p Progress) { progress = append(progress, p) }}))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Users) != scaleUsers || a.Report == nil || len(a.Report.Rows) != scaleUsers+1 || a.Summary["Users"] != scaleUsers {
		t.Fatalf("users %d, report rows %v, summary users %d", len(a.Users), a.Report != nil, a.Summary["Users"])
	}
	withMFA := 0
	for _, u := range a.Users {
		if !u.MFAKnown {
			t.Fatalf("%s: MFA unknown", u.Name)
		}
		if len(u.MFADevices) > 0 {
			withMFA++
		}
	}
	// The scenario's alice, bob and anika, and every tenth seeded user.
	if want := 3 + seededMFA; withMFA != want {
		t.Errorf("%d users with a device, want %d", withMFA, want)
	}
	// Items of the authorization details: users, 2 groups, 1 role, the 2
	// customer and 1 attached AWS managed policies, 1,000 a page.
	items := scaleUsers + 2 + 1 + 3
	pages := (items + maxPageItems - 1) / maxPageItems
	calls := map[string]int{}
	for _, oc := range st.Operations {
		calls[oc.Operation] = oc.Calls
	}
	if calls["IAM:GetAccountAuthorizationDetails"] != pages || calls["IAM:ListMFADevices"] != scaleUsers {
		t.Errorf("calls %v, want %d pages of details", calls, pages)
	}
	if last := progress[len(progress)-1]; last.UsersMFA != scaleUsers || last.Pages != pages+1 {
		t.Errorf("last progress %+v", last)
	}
	t.Logf("seeded %d users in %s; live read: %s, %d API calls (%v)", scaleUsers, seeded.Round(time.Millisecond), st.Duration.Round(time.Millisecond), st.Calls, st.Operations)
}

// BenchmarkReadFiveThousandUsers measures the live read of the 5,000-user
// lab account (seeded once): go test -run X -bench ReadFiveThousand
// -benchtime 3x ./internal/account/live/
func BenchmarkReadFiveThousandUsers(b *testing.B) {
	l := startLab(b)
	seedUsers(b, l, scaleUsers)
	id, secret := l.keys(b, "admin")
	cfg := l.config(id, secret)
	b.ResetTimer()
	var st Stats
	for i := 0; i < b.N; i++ {
		a, err := Read(context.Background(), cfg, fastReport(Options{Stats: &st}))
		if err != nil || len(a.Users) != scaleUsers {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.Calls), "calls/op")
}
