package account

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/account/accounttest"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// checkErrors fails unless err is a policy.ErrorList whose every entry
// names file and none is an internal error (a recovered panic).
func checkErrors(t *testing.T, file string, err error) {
	t.Helper()
	var list policy.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error %T %v is not a non-empty policy.ErrorList", err, err)
	}
	for _, e := range list {
		if e.File != file || e.Msg == "" || strings.Contains(e.Msg, "internal error") {
			t.Fatalf("bad error %q (file %q)", e.Error(), e.File)
		}
	}
}

// validJSONValues reports whether data is one or more JSON values (the
// shapes LoadAuthorizationDetails accepts).
func validJSONValues(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})))
	n := 0
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return n > 0
		}
		if err != nil {
			return false
		}
		n++
	}
}

func FuzzLoadAuthorizationDetails(f *testing.F) {
	for _, name := range []string{"lab-cli.json", "lab-boto3.json", "lab-urlencoded.json", "lab-pages.json", "aws-doc-example.json",
		"lab-cli-max-items-concatenated.json", "lab-cli-no-paginate-truncated.json"} {
		f.Add(readFixture(f, name))
	}
	f.Add(accounttest.AuthorizationDetails(accounttest.Options{Users: 3, Roles: 2, TeamGroups: 1, URLEncoded: true}))
	f.Add([]byte(`{"UserDetailList": [` + okUser + `], "Policies": [` + okPolicy + `]}`))
	f.Add([]byte(`[{"UserDetailList": []}, {"RoleDetailList": [], "NextToken": "x"}]`))
	f.Add([]byte(`{"GetAccountAuthorizationDetailsResponse": {"GetAccountAuthorizationDetailsResult": {"Policies": []}}}`))
	f.Add([]byte("\xEF\xBB\xBF{\"UserDetailList\": [\r\n]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := LoadAuthorizationDetails("f.json", data)
		if err != nil {
			checkErrors(t, "f.json", err)
			return
		}
		if !validJSONValues(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		check := func(d *Document) {
			if d == nil || d.Document == nil || d.File != "f.json" || d.Path == "" || d.Line < 1 {
				t.Fatalf("document %+v", d)
			}
		}
		for _, u := range a.Users {
			if u.Name == "" || a.UserByName(u.Name) != u {
				t.Fatalf("user %+v", u)
			}
			for _, p := range u.Inline {
				check(p.Document)
			}
			a.UserPolicies(u)
		}
		for _, r := range a.Roles {
			check(r.Trust)
			a.RolePolicies(r)
		}
		for _, p := range a.Policies {
			check(p.Document)
		}
		if err := a.Check(); err != nil {
			t.Fatalf("a loaded account fails Check: %v", err)
		}
	})
}

func FuzzParseCredentialReport(f *testing.F) {
	for _, name := range []string{"lab-report.csv", "lab-report.json", "aws-doc-report.csv", "aws-doc-report.json", "report-old-columns.csv"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(reportHeader + okRow))
	f.Add([]byte(`{"Content": "` + b64(reportHeader+okRow) + `", "GeneratedTime": 1576696208}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseCredentialReport("r.csv", data)
		if err != nil {
			checkErrors(t, "r.csv", err)
			return
		}
		for i := range r.Rows {
			row := &r.Rows[i]
			if row.User == "" || !strings.HasPrefix(row.ARN, "arn:") || row.Line < 2 || r.Row(row.User) != row {
				t.Fatalf("row %+v", row)
			}
		}
	})
}

func FuzzParseSCPLevel(f *testing.F) {
	for _, name := range []string{"scp-full-aws-access.json", "scp-describe-policy.json", "scp-level-list.json", "scp-tag-policy.json"} {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lvl, err := ParseSCPLevel("s.json", data)
		if err != nil {
			checkErrors(t, "s.json", err)
			return
		}
		if len(lvl.SCPs)+len(lvl.RCPs) == 0 {
			t.Fatal("a level without policies")
		}
		for _, p := range append(lvl.SCPs, lvl.RCPs...) {
			if p.Document == nil || p.Document.Document == nil || p.Document.File != "s.json" || p.Document.Line < 1 || p.Name == "" {
				t.Fatalf("policy %+v", p)
			}
		}
	})
}

// FuzzParseTime: whatever parseTime accepts, it accepts again as written
// by time.RFC3339Nano, meaning the same instant.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2019-12-18T19:10:08Z", "2019-12-18T19:10:08.123Z", "2019-12-18 19:10:08+00:00",
		"2019-12-18 19:10:08.123456+00:00", "2019-12-18T19:10:08.000+0000", "2019-12-18T19:10:08", "2019-12-18T21:10:08+02:00", "N/A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, ok := parseTime(s)
		if !ok {
			return
		}
		if tm.Location() != time.UTC {
			t.Fatalf("%q: not UTC", s)
		}
		back, ok := parseTime(tm.Format(time.RFC3339Nano))
		if !ok || !back.Equal(tm) {
			t.Fatalf("%q: %v does not read back (%v)", s, tm, back)
		}
	})
}
