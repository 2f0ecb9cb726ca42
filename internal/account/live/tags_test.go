package live

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestReadPolicyTags: with PolicyTags, every customer managed policy gets
// its tags (ListPolicyTags, once per policy); without it none is read; a
// caller refused ListPolicyTags fails the read naming the policy.
func TestReadPolicyTags(t *testing.T) {
	l := startLab(t)
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`
	tagged, err := l.st.CreatePolicy("tagged", "/", doc, "", storeTag("awsmfa:managed", "true"), storeTag("team", "ops"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.st.CreatePolicy("plain", "/", doc, ""); err != nil {
		t.Fatal(err)
	}
	id, secret := l.keys(t, "admin")
	var st Stats
	a, err := Read(context.Background(), l.config(id, secret), fastReport(Options{PolicyTags: true, NoOrganizations: true, Stats: &st}))
	if err != nil {
		t.Fatal(err)
	}
	local := 0
	for _, p := range a.Policies {
		if p.AWSManaged() {
			if p.Tags != nil {
				t.Errorf("%s: AWS managed policy with tags %v", p.ARN, p.Tags)
			}
			continue
		}
		local++
		want := "[]"
		if p.ARN == tagged.ARN {
			want = "[{awsmfa:managed true} {team ops}]"
		}
		if got := fmt.Sprint(p.Tags); got != want {
			t.Errorf("%s: tags %s, want %s", p.Name, got, want)
		}
	}
	if calls := opCalls(st, "IAM:ListPolicyTags"); calls != local {
		t.Errorf("ListPolicyTags calls %d, want one per customer managed policy (%d)", calls, local)
	}

	a, err = Read(context.Background(), l.config(id, secret), fastReport(Options{NoOrganizations: true, Stats: &st}))
	if err != nil {
		t.Fatal(err)
	}
	if p := a.PolicyByARN(tagged.ARN); p == nil || p.Tags != nil || opCalls(st, "IAM:ListPolicyTags") != 0 {
		t.Errorf("without PolicyTags: %v, %d calls", p, opCalls(st, "IAM:ListPolicyTags"))
	}

	// A reader allowed everything but ListPolicyTags.
	rid, rsecret := l.newKeyUser(t, "reader", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:*","Resource":"*"},
		{"Effect":"Deny","Action":"iam:ListPolicyTags","Resource":"*"}]}`)
	_, err = Read(context.Background(), l.config(rid, rsecret), fastReport(Options{PolicyTags: true, NoOrganizations: true}))
	if err == nil || !strings.Contains(err.Error(), "ListPolicyTags arn:aws:iam::123456789012:policy/") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("refused ListPolicyTags: %v", err)
	}
}

func opCalls(st Stats, op string) int {
	for _, o := range st.Operations {
		if o.Operation == op {
			return o.Calls
		}
	}
	return 0
}
