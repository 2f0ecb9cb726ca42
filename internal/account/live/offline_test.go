package live

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/awsmfa/awsmfa/internal/account"
)

// The live read and the offline loader give the same model of the same
// account: the authorization details the SDK returned, written as JSON
// (URL-encoded documents, as the API returns them), loaded with
// account.LoadAuthorizationDetails, against live.Read.
func TestLiveAndOfflineAgree(t *testing.T) {
	l := startLab(t)
	// Something of everything: a tagged user in a path, a role used once.
	if _, err := l.st.CreateUser("tagged", "/ops/", storeTag("team", "blue")); err != nil {
		t.Fatal(err)
	}
	if err := l.st.AttachUserPolicy("tagged", "arn:aws:iam::aws:policy/AdministratorAccess"); err != nil {
		t.Fatal(err)
	}
	role, err := l.st.GetRole("cli-role")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.st.TouchRole(role.ID, l.st.Now().Add(-time.Hour), "eu-west-1"); err != nil {
		t.Fatal(err)
	}
	id, secret := l.keys(t, "admin")
	cfg := l.config(id, secret)
	live, err := Read(context.Background(), cfg, fastReport(Options{NoOrganizations: true}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := iam.NewFromConfig(cfg).GetAccountAuthorizationDetails(context.Background(), &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1000)})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	offline, err := account.LoadAuthorizationDetails("auth.json", data)
	if err != nil {
		t.Fatal(err)
	}
	got, want := comparable(live), comparable(offline)
	// 5 users, 2 groups, 1 role, 3 policies and the account.
	if len(want) != 12 || live.RoleByName("cli-role").LastUsedRegion != "eu-west-1" {
		t.Fatalf("offline model %v", want)
	}
	if !reflect.DeepEqual(got, want) {
		for k := range want {
			if !reflect.DeepEqual(got[k], want[k]) {
				t.Errorf("%s\nlive:    %s\noffline: %s", k, got[k], want[k])
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("%s only live: %s", k, got[k])
			}
		}
	}
}

// comparable flattens what both reads must agree on, by entity. What only
// the live read can know (MFA devices, the report, session durations and
// role descriptions from ListRoles) and where documents came from are
// left out.
func comparable(a *account.Account) map[string]string {
	out := map[string]string{"account": a.ID + " " + a.Partition}
	inline := func(ps []account.InlinePolicy) string {
		s := ""
		for _, p := range ps {
			s += p.Name + "=" + p.Document.Text + ";"
		}
		return s
	}
	for _, u := range a.Users {
		out["user "+u.Name] = fmt.Sprintf("%s %s %s %s groups=%v attached=%v boundary=%s tags=%v inline=%s",
			u.ID, u.ARN, u.Path, u.CreateDate.UTC(), u.Groups, u.Attached, u.Boundary, u.Tags, inline(u.Inline))
	}
	for _, g := range a.Groups {
		out["group "+g.Name] = fmt.Sprintf("%s %s %s %s attached=%v inline=%s", g.ID, g.ARN, g.Path, g.CreateDate.UTC(), g.Attached, inline(g.Inline))
	}
	for _, r := range a.Roles {
		out["role "+r.Name] = fmt.Sprintf("%s %s %s %s trust=%s attached=%v boundary=%s tags=%v last=%s %s inline=%s",
			r.ID, r.ARN, r.Path, r.CreateDate.UTC(), r.Trust.Text, r.Attached, r.Boundary, r.Tags, r.LastUsed.UTC(), r.LastUsedRegion, inline(r.Inline))
	}
	for _, p := range a.Policies {
		out["policy "+p.ARN] = fmt.Sprintf("%s %s %s default=%s versions=%v attachments=%d %q %s %s doc=%s",
			p.Name, p.ID, p.Path, p.DefaultVersion, p.Versions, p.AttachmentCount, p.Description, p.CreateDate.UTC(), p.UpdateDate.UTC(), p.Document.Text)
	}
	return out
}
