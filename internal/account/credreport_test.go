package account

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"
)

func parseReportFixture(t *testing.T, name string) *CredentialReport {
	t.Helper()
	r, err := ParseCredentialReport(name, readFixture(t, name))
	if err != nil {
		t.Fatalf("ParseCredentialReport(%s): %v", name, err)
	}
	return r
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// rowsText renders rows without their lines, to compare reports read
// from different files.
func rowsText(rows []CredentialRow) string {
	var b strings.Builder
	for _, r := range rows {
		r.Line = 0
		fmt.Fprintf(&b, "%+v\n", r)
	}
	return b.String()
}

func TestParseCredentialReportAWSDocExample(t *testing.T) {
	r := parseReportFixture(t, "aws-doc-report.csv")
	if r.File != "aws-doc-report.csv" || !r.Generated.IsZero() || len(r.Rows) != 4 {
		t.Fatalf("report %+v", r)
	}
	root := r.RootRow()
	if root == nil || !root.Root() || root.Line != 2 || root.PasswordEnabled || !root.MFAActive ||
		!root.PasswordLastUsed.Equal(ts("2020-01-07T10:21:40Z")) || !root.PasswordLastChanged.IsZero() || root.AccessKeys[0].Active {
		t.Errorf("root %+v", root)
	}
	want := CredentialRow{
		User: "Alice", ARN: "arn:aws:iam::123456789012:user/Alice", Line: 3,
		UserCreation: ts("2013-10-14T18:32:24Z"), PasswordEnabled: true,
		PasswordLastUsed: ts("2020-01-06T16:03:11Z"), PasswordLastChanged: ts("2019-12-01T09:00:00Z"),
		PasswordNextRotation: ts("2020-02-29T09:00:00Z"),
		AccessKeys: [2]AccessKeyState{
			{Active: true, LastRotated: ts("2019-06-01T12:00:00Z"), LastUsed: ts("2020-01-07T08:15:00Z"), LastUsedService: "s3", LastUsedRegion: "us-east-1"},
			{Active: false, LastRotated: ts("2018-02-01T12:00:00Z"), LastUsed: ts("2018-03-01T12:00:00Z"), LastUsedService: "ec2", LastUsedRegion: "us-west-2"},
		},
	}
	if got := r.Row("Alice"); fmt.Sprintf("%+v", *got) != fmt.Sprintf("%+v", want) {
		t.Errorf("Alice\n got %+v\nwant %+v", *got, want)
	}
	bob := r.Row("Bob")
	if !bob.PasswordEnabled || !bob.PasswordLastUsed.IsZero() || !bob.MFAActive || bob.AccessKeys[0].Active || bob.AccessKeys[1].Active {
		t.Errorf("Bob (no_information, no keys) %+v", bob)
	}
	c := r.Row("Charlie")
	if c.PasswordEnabled || c.MFAActive || !c.AccessKeys[0].Active || !c.AccessKeys[0].LastUsed.IsZero() || c.AccessKeys[0].LastUsedRegion != "" ||
		!c.AccessKeys[1].Active || c.AccessKeys[1].LastUsedService != "iam" || c.Certs != [2]bool{true, false} || c.Line != 5 {
		t.Errorf("Charlie %+v", c)
	}
	if r.Row("Dave") != nil {
		t.Error("Dave is not in the report")
	}
}

// The JSON of aws iam get-credential-report holds the same CSV, base64,
// and says when it was generated.
func TestParseCredentialReportJSON(t *testing.T) {
	for _, tt := range []struct{ csv, json, generated string }{
		{"aws-doc-report.csv", "aws-doc-report.json", "2020-01-07T10:30:00Z"},
		{"lab-report.csv", "lab-report.json", "2026-12-07T17:41:32Z"},
	} {
		c := parseReportFixture(t, tt.csv)
		j := parseReportFixture(t, tt.json)
		if fmt.Sprintf("%+v", c.Rows) != fmt.Sprintf("%+v", j.Rows) {
			t.Errorf("%s and %s differ:\n%+v\n%+v", tt.csv, tt.json, c.Rows, j.Rows)
		}
		if !j.Generated.Equal(ts(tt.generated)) || j.File != tt.json {
			t.Errorf("%s: generated %v file %q", tt.json, j.Generated, j.File)
		}
	}
}

// The lab's report: the root user first, not_supported password, keys
// used or never used.
func TestParseCredentialReportLab(t *testing.T) {
	r := parseReportFixture(t, "lab-report.csv")
	if len(r.Rows) != 5 || !r.Rows[0].Root() || r.Rows[0].ARN != "arn:aws:iam::123456789012:root" {
		t.Fatalf("rows %+v", r.Rows)
	}
	admin := r.Row("admin")
	if admin.MFAActive || !admin.AccessKeys[0].Active || admin.AccessKeys[0].LastUsedService != "iam" || admin.AccessKeys[0].LastUsed.IsZero() {
		t.Errorf("admin %+v", admin)
	}
	alice := r.Row("alice")
	if !alice.MFAActive || !alice.AccessKeys[0].Active || !alice.AccessKeys[0].LastUsed.IsZero() || alice.PasswordEnabled {
		t.Errorf("alice %+v", alice)
	}
}

// Older reports lack the last-used columns; TRUE and FALSE in capitals (as
// the IAM User Guide writes them) read as true and false.
func TestParseCredentialReportOldColumns(t *testing.T) {
	r := parseReportFixture(t, "report-old-columns.csv")
	a := r.Row("Alice")
	if !a.PasswordEnabled || a.MFAActive || !a.AccessKeys[0].Active || !a.AccessKeys[0].LastUsed.IsZero() || !a.AccessKeys[0].LastRotated.Equal(ts("2014-10-15T16:35:00Z")) {
		t.Errorf("Alice %+v", a)
	}
}

// Columns are found by name: any order reads the same.
func TestParseCredentialReportColumnOrder(t *testing.T) {
	data := readFixture(t, "aws-doc-report.csv")
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Reverse the columns, and add one AWS may add some day.
	for i, rec := range recs {
		for l, r := 0, len(rec)-1; l < r; l, r = l+1, r-1 {
			rec[l], rec[r] = rec[r], rec[l]
		}
		extra := "x"
		if i == 0 {
			extra = "future_column"
		}
		recs[i] = append(rec, extra)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	r, err := ParseCredentialReport("reversed.csv", append([]byte{0xEF, 0xBB, 0xBF}, buf.Bytes()...))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rowsText(r.Rows), rowsText(parseReportFixture(t, "aws-doc-report.csv").Rows); got != want {
		t.Errorf("reversed columns:\n%s\nwant:\n%s", got, want)
	}
}

const reportHeader = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
	"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
	"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
	"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"

const okRow = "u,arn:aws:iam::111122223333:user/u,2019-12-18T19:10:08+00:00,false,N/A,N/A,N/A,false,true,2019-12-18T19:10:08+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestParseCredentialReportErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
		limit          bool
	}{
		{"empty", "", "r.csv: empty credential report: expected the header line user,arn,user_creation_time,password_enabled,...", false},
		{"not a report", "a,b,c\n1,2,3\n", `r.csv:1:1: the header has no "user" column: this is not an IAM credential report`, false},
		{"missing column", strings.Replace(reportHeader, ",mfa_active", "", 1), `r.csv:1:1: the header has no "mfa_active" column`, false},
		{"duplicate column", strings.TrimSuffix(reportHeader, "\n") + ",arn\n", `r.csv:1:459: column "arn" appears twice in the header`, false},
		{"field count", reportHeader + okRow + "v,arn:aws:iam::111122223333:user/v\n", "r.csv:3:1: invalid CSV: wrong number of fields", false},
		{"bare quote", reportHeader + `u"x` + okRow[1:], `r.csv:2:2: invalid CSV: bare " in non-quoted-field`, false},
		{"bad boolean", reportHeader + strings.Replace(okRow, ",false,true,", ",false,yes,", 1), `r.csv:2:86: access_key_1_active "yes" is not true or false`, false},
		{"bad date", reportHeader + strings.Replace(okRow, "2019-12-18T19:10:08+00:00,false", "18/12/2019,false", 1),
			`r.csv:2:36: user_creation_time "18/12/2019" is not a date and time`, false},
		{"empty user", reportHeader + okRow[1:], "r.csv:2:1: empty user name", false},
		{"bad arn", reportHeader + strings.Replace(okRow, "arn:aws:iam::111122223333:user/u", "user/u", 1), `r.csv:2:3: arn "user/u" is not an ARN`, false},
		{"duplicate user", reportHeader + okRow + okRow, `r.csv:3:1: user "u" is listed twice (first on line 2)`, false},
		{"JSON without Content", `{"ReportFormat": "text/csv"}`, "r.csv:1:1: missing Content", false},
		{"JSON Content not a string", `{"Content": 5}`, "r.csv:1:13: Content must be a string", false},
		{"JSON Content not base64", `{"Content": "!!!"}`, "r.csv:1:13: Content: not base64", false},
		{"JSON other format", `{"Content": "", "ReportFormat": "text/xml"}`, `r.csv:1:33: ReportFormat is "text/xml": only "text/csv" reports can be read`, false},
		{"JSON bad GeneratedTime", `{"Content": "` + b64(reportHeader+okRow) + `", "GeneratedTime": "soon"}`, `GeneratedTime "soon" is not a date and time`, false},
		{"JSON bad CSV", `{"Content": "` + b64(reportHeader+okRow+okRow) + `"}`, `r.csv:1:13: Content: line 3 of the report: user "u" is listed twice`, false},
		{"JSON empty CSV", `{"Content": ""}`, `r.csv:1:13: Content: empty credential report`, false},
		{"JSON invalid", `{"Content": }`, "r.csv:1:13: invalid JSON", false},
		{"JSON not an object", ` {"Content": "x"} []`, "r.csv:1:19: invalid JSON", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseCredentialReport("r.csv", []byte(tt.in))
			if err == nil {
				t.Fatalf("no error: %+v", r)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if policy.IsLimit(err) != tt.limit {
				t.Errorf("IsLimit = %v", !tt.limit)
			}
		})
	}
}

func TestParseCredentialReportSizeLimit(t *testing.T) {
	big := bytes.Repeat([]byte("x"), MaxCredentialReportBytes+1)
	_, err := ParseCredentialReport("big.csv", big)
	if err == nil || !policy.IsLimit(err) || !strings.Contains(err.Error(), "more than the 16 MiB limit") {
		t.Errorf("error %v", err)
	}
}

// Content holding the CSV itself (boto3's decoded bytes saved as text).
func TestParseCredentialReportJSONWithPlainContent(t *testing.T) {
	in := fmt.Sprintf(`{"Content": %q, "GeneratedTime": "2019-12-18 19:10:08+00:00"}`, reportHeader+okRow)
	r, err := ParseCredentialReport("r.json", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 1 || !r.Rows[0].AccessKeys[0].Active || !r.Generated.Equal(ts("2019-12-18T19:10:08Z")) {
		t.Errorf("%+v", r)
	}
}

func TestApplyReport(t *testing.T) {
	a := loadFixture(t, "aws-doc-example.json")
	r := parseReportFixture(t, "aws-doc-report.csv")
	// One user the report does not know, one row of a user since deleted.
	r.Rows[2].User = "Robert"
	if err := a.ApplyReport(r); err != nil {
		t.Fatal(err)
	}
	if a.Report != r {
		t.Error("report not attached")
	}
	want := []string{
		"1 user(s) are not in the credential report (created after it was generated?): Bob; their access keys and password are assumed",
		"the credential report lists 1 user(s) the account does not have (deleted since?): Robert",
	}
	if fmt.Sprint(a.Notes) != fmt.Sprint(want) {
		t.Errorf("notes\n%q\nwant\n%q", a.Notes, want)
	}
	if a.Report.Row("Alice") == nil || a.Report.RootRow() == nil {
		t.Error("rows")
	}

	lab := loadFixture(t, "lab-cli.json")
	err := lab.ApplyReport(parseReportFixture(t, "report-old-columns.csv"))
	if err != nil {
		t.Fatalf("same account: %v", err)
	}
	other := parseReportFixture(t, "lab-report.csv")
	other.Rows[1].ARN = "arn:aws:iam::999999999999:user/admin"
	lab = loadFixture(t, "lab-cli.json")
	err = lab.ApplyReport(other)
	if err == nil || err.Error() != "lab-report.csv:3: the credential report is of account 999999999999, not 123456789012 (the account read from lab-cli.json)" {
		t.Errorf("error %v", err)
	}
	if lab.Report != nil {
		t.Error("report of another account attached")
	}
}

// sampleNames keeps notes short for thousands of users.
func TestSampleNames(t *testing.T) {
	var names []string
	for i := 12; i > 0; i-- {
		names = append(names, fmt.Sprintf("u%02d", i))
	}
	if got := sampleNames(names); got != "u01, u02, u03, u04, u05, u06, u07, u08, u09, u10 and 2 more" {
		t.Errorf("%q", got)
	}
}
