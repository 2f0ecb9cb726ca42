package account

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/awsmfa/awsmfa/internal/policy"
)

// MaxCredentialReportBytes is the largest credential report file
// ParseCredentialReport reads. A report has one line of about 300 bytes per
// user and IAM allows 5,000 users per account
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
// about 1.5 MB, or 2 MB as the base64 Content of get-credential-report.
const MaxCredentialReportBytes = 16 << 20

// The credential report's columns
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html#id_credentials_understanding_the_report_format).
const (
	colUser                 = "user"
	colARN                  = "arn"
	colUserCreation         = "user_creation_time"
	colPasswordEnabled      = "password_enabled"
	colPasswordLastUsed     = "password_last_used"
	colPasswordLastChanged  = "password_last_changed"
	colPasswordNextRotation = "password_next_rotation"
	colMFAActive            = "mfa_active"
)

// requiredColumns are the columns without which the report cannot say
// which credentials a user has. Every other column is optional (older
// reports lack the last-used columns) and unknown columns are ignored.
var requiredColumns = []string{colUser, colARN, colPasswordEnabled, colMFAActive, "access_key_1_active", "access_key_2_active"}

// reportIndex maps user names to rows, built once.
type reportIndex struct {
	once   sync.Once
	byUser map[string]int
}

// Row returns the row of the named user ("<root_account>" for the root
// user), or nil.
func (r *CredentialReport) Row(user string) *CredentialRow {
	r.idx.once.Do(func() {
		r.idx.byUser = make(map[string]int, len(r.Rows))
		for i := range r.Rows {
			if _, dup := r.idx.byUser[r.Rows[i].User]; !dup {
				r.idx.byUser[r.Rows[i].User] = i
			}
		}
	})
	i, ok := r.idx.byUser[user]
	if !ok {
		return nil
	}
	return &r.Rows[i]
}

// RootRow returns the root user's row, or nil.
func (r *CredentialReport) RootRow() *CredentialRow { return r.Row(rootUser) }

const rootUser = "<root_account>"

// ParseCredentialReport reads IAM's credential report: the CSV file (as the
// console downloads it, or as `aws iam get-credential-report --query
// Content --output text | base64 -d` writes it), or the JSON output of `aws
// iam get-credential-report` ({"Content": BASE64, "ReportFormat":
// "text/csv", "GeneratedTime": ...}). Columns are found by their header
// name, in any order; N/A, no_information and not_supported read as no
// date (and as false where a column is true or false: the root user's
// password_enabled is not_supported). Errors are a policy.ErrorList
// naming the file, line and column (for the JSON form: the position of
// Content, and the line of the decoded CSV in the message).
func ParseCredentialReport(file string, data []byte) (rep *CredentialReport, err error) {
	defer func() {
		if r := recover(); r != nil {
			rep = nil
			err = policy.ErrorList{{File: file, Msg: fmt.Sprintf("internal error reading the credential report: %v", r)}}
		}
	}()
	if len(data) > MaxCredentialReportBytes {
		return nil, policy.ErrorList{{File: file, Limit: true, Msg: fmt.Sprintf(
			"file is %d bytes, more than the %d MiB limit for a credential report", len(data), MaxCredentialReportBytes>>20)}}
	}
	body := bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return parseReportJSON(file, data)
	}
	rep, perr := parseReportCSV(file, body)
	if perr != nil {
		return nil, policy.ErrorList{perr.at(file, policy.Pos{})}
	}
	rep.File = file
	return rep, nil
}

// parseReportJSON reads the JSON output of get-credential-report.
func parseReportJSON(file string, data []byte) (*CredentialReport, error) {
	root, err := policy.ParseJSON(file, data)
	if err != nil {
		return nil, err
	}
	fail := func(p policy.Pos, format string, args ...any) error {
		return policy.ErrorList{{File: file, Pos: p, Msg: fmt.Sprintf(format, args...)}}
	}
	if root.Kind != policy.NodeObject {
		return nil, fail(root.Pos, "expected a JSON object (the output of aws iam get-credential-report), not %s", article(root.Kind))
	}
	var content, format, generated *policy.Node
	for i := range root.Members {
		m := &root.Members[i]
		switch m.Key {
		case "Content":
			content = m.Value
		case "ReportFormat":
			format = m.Value
		case "GeneratedTime":
			generated = m.Value
		}
	}
	if content == nil || content.Kind != policy.NodeString {
		if content == nil {
			return nil, fail(root.Pos, "missing Content: expected the output of aws iam get-credential-report")
		}
		return nil, fail(content.Pos, "Content must be a string (the base64 CSV report), not %s", article(content.Kind))
	}
	if format != nil && (format.Kind != policy.NodeString || format.Str != "text/csv") {
		return nil, fail(format.Pos, "ReportFormat is %s: only \"text/csv\" reports can be read", truncateForMessage(nodeText(format)))
	}
	csvData, err := reportContent(content.Str)
	if err != nil {
		return nil, fail(content.Pos, "Content: %v", err)
	}
	rep, perr := parseReportCSV(file, csvData)
	if perr != nil {
		return nil, policy.ErrorList{perr.at(file, content.Pos)}
	}
	rep.File = file
	if generated != nil && generated.Kind != policy.NodeNull {
		t, ok := time.Time{}, false
		switch generated.Kind {
		case policy.NodeString:
			t, ok = parseTime(generated.Str)
		case policy.NodeNumber:
			t, ok = parseEpoch(generated.Str)
		}
		if !ok {
			return nil, fail(generated.Pos, "GeneratedTime %s is not a date and time", truncateForMessage(nodeText(generated)))
		}
		rep.Generated = t
	}
	return rep, nil
}

// reportContent decodes Content: base64 (as the AWS CLI and the API give
// it), or the CSV text itself (as some tools save boto3's decoded bytes;
// a comma never occurs in base64).
func reportContent(s string) ([]byte, error) {
	if strings.Contains(s, ",") {
		return []byte(s), nil
	}
	clean := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	out, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		return nil, fmt.Errorf("not base64 (%v)", err)
	}
	return out, nil
}

// reportError is a problem in the CSV, at a line and column of it.
type reportError struct {
	line, col int
	msg       string
}

// at places the error in file: in the CSV file itself (content zero), or
// at content, the JSON string that held the CSV.
func (e *reportError) at(file string, content policy.Pos) *policy.Error {
	if content.IsValid() {
		where := ""
		if e.line > 0 {
			where = fmt.Sprintf("line %d of the report: ", e.line)
		}
		return &policy.Error{File: file, Pos: content, Msg: "Content: " + where + e.msg}
	}
	return &policy.Error{File: file, Pos: policy.Pos{Line: e.line, Column: e.col}, Msg: e.msg}
}

// reportReader reads the rows of a credential report CSV.
type reportReader struct {
	r      *csv.Reader
	cols   map[string]int
	header []string
	rec    []string
}

func parseReportCSV(file string, data []byte) (*CredentialReport, *reportError) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &reportError{msg: "empty credential report: expected the header line " + strings.Join(reportHeaderHint, ",") + ",..."}
	}
	rr := &reportReader{r: csv.NewReader(bytes.NewReader(data))}
	rr.r.ReuseRecord = true
	if err := rr.readHeader(); err != nil {
		return nil, err
	}
	rep := &CredentialReport{}
	seen := map[string]int{}
	for {
		rec, err := rr.r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		rr.rec = rec
		row, perr := rr.row()
		if perr != nil {
			return nil, perr
		}
		if first, dup := seen[row.User]; dup {
			line, col := rr.r.FieldPos(rr.cols[colUser])
			return nil, &reportError{line: line, col: col, msg: fmt.Sprintf("user %q is listed twice (first on line %d)", row.User, first)}
		}
		seen[row.User] = row.Line
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}

var reportHeaderHint = []string{colUser, colARN, colUserCreation, colPasswordEnabled}

// csvError converts an encoding/csv error.
func csvError(err error) *reportError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg = "wrong number of fields: every line of the report has one per header column"
		}
		return &reportError{line: pe.Line, col: pe.Column, msg: "invalid CSV: " + msg}
	}
	return &reportError{msg: "invalid CSV: " + err.Error()}
}

// readHeader reads the header line and finds the columns.
func (rr *reportReader) readHeader() *reportError {
	rec, err := rr.r.Read()
	if err != nil {
		return csvError(err)
	}
	rr.header = append([]string(nil), rec...)
	rr.cols = make(map[string]int, len(rec))
	for i, name := range rr.header {
		name = strings.TrimSpace(name)
		if _, dup := rr.cols[name]; dup {
			line, col := rr.r.FieldPos(i)
			return &reportError{line: line, col: col, msg: fmt.Sprintf("column %q appears twice in the header", name)}
		}
		rr.cols[name] = i
	}
	for _, c := range requiredColumns {
		if _, ok := rr.cols[c]; !ok {
			return &reportError{line: 1, col: 1, msg: fmt.Sprintf("the header has no %q column: this is not an IAM credential report (its header starts %s,...)",
				c, strings.Join(reportHeaderHint, ","))}
		}
	}
	return nil
}

// field returns the value of a column, and whether the report has it.
func (rr *reportReader) field(col string) (string, int, bool) {
	i, ok := rr.cols[col]
	if !ok {
		return "", -1, false
	}
	return strings.TrimSpace(rr.rec[i]), i, true
}

func (rr *reportReader) errorAt(i int, format string, args ...any) *reportError {
	line, col := rr.r.FieldPos(i)
	return &reportError{line: line, col: col, msg: fmt.Sprintf(format, args...)}
}

// notApplicable reports whether a value is one of the report's words for
// "nothing here".
func notApplicable(v string) bool {
	return v == "" || v == "N/A" || v == "no_information" || v == "not_supported"
}

// time reads a date column.
func (rr *reportReader) time(col string, dst *time.Time) *reportError {
	v, i, ok := rr.field(col)
	if !ok || notApplicable(v) {
		return nil
	}
	t, good := parseTime(v)
	if !good {
		return rr.errorAt(i, "%s %s is not a date and time (expected ISO 8601 such as 2019-12-18T19:10:08+00:00, or N/A)", col, truncateForMessage(fmt.Sprintf("%q", v)))
	}
	*dst = t
	return nil
}

// flag reads a true/false column.
func (rr *reportReader) flag(col string, dst *bool) *reportError {
	v, i, ok := rr.field(col)
	if !ok {
		return nil
	}
	switch {
	case strings.EqualFold(v, "true"):
		*dst = true
	case strings.EqualFold(v, "false"), notApplicable(v):
		*dst = false
	default:
		return rr.errorAt(i, "%s %s is not true or false", col, truncateForMessage(fmt.Sprintf("%q", v)))
	}
	return nil
}

// text reads a free-text column (N/A reads as "").
func (rr *reportReader) text(col string) string {
	v, _, _ := rr.field(col)
	if notApplicable(v) {
		return ""
	}
	return v
}

// row reads the current record.
func (rr *reportReader) row() (CredentialRow, *reportError) {
	line, _ := rr.r.FieldPos(0)
	row := CredentialRow{Line: line}
	var i int
	row.User, i, _ = rr.field(colUser)
	if row.User == "" {
		return row, rr.errorAt(i, "empty user name")
	}
	row.ARN, i, _ = rr.field(colARN)
	if !strings.HasPrefix(row.ARN, "arn:") {
		return row, rr.errorAt(i, "arn %s is not an ARN", truncateForMessage(fmt.Sprintf("%q", row.ARN)))
	}
	checks := []*reportError{
		rr.time(colUserCreation, &row.UserCreation),
		rr.flag(colPasswordEnabled, &row.PasswordEnabled),
		rr.time(colPasswordLastUsed, &row.PasswordLastUsed),
		rr.time(colPasswordLastChanged, &row.PasswordLastChanged),
		rr.time(colPasswordNextRotation, &row.PasswordNextRotation),
		rr.flag(colMFAActive, &row.MFAActive),
	}
	for k := range row.AccessKeys {
		p := fmt.Sprintf("access_key_%d_", k+1)
		ak := &row.AccessKeys[k]
		checks = append(checks,
			rr.flag(p+"active", &ak.Active),
			rr.time(p+"last_rotated", &ak.LastRotated),
			rr.time(p+"last_used_date", &ak.LastUsed))
		ak.LastUsedRegion = rr.text(p + "last_used_region")
		ak.LastUsedService = rr.text(p + "last_used_service")
	}
	for k := range row.Certs {
		checks = append(checks, rr.flag(fmt.Sprintf("cert_%d_active", k+1), &row.Certs[k]))
	}
	for _, e := range checks {
		if e != nil {
			return row, e
		}
	}
	return row, nil
}

// ApplyReport attaches a credential report to the account. It fails when
// the report is of another account. Users the report does not list
// (created after it was generated) and rows of users the account no longer
// has are named in a.Notes.
func (a *Account) ApplyReport(r *CredentialReport) error {
	if r == nil {
		return errors.New("no credential report")
	}
	for i := range r.Rows {
		row := &r.Rows[i]
		parts := strings.SplitN(row.ARN, ":", 6)
		if len(parts) == 6 && a.ID != "" && parts[4] != a.ID {
			return fmt.Errorf("%s:%d: the credential report is of account %s, not %s (the account read from %s)",
				r.File, row.Line, parts[4], a.ID, a.Source)
		}
	}
	a.Report = r
	var missing []string
	for _, u := range a.Users {
		if r.Row(u.Name) == nil {
			missing = append(missing, u.Name)
		}
	}
	if len(missing) > 0 {
		a.Notes = append(a.Notes, fmt.Sprintf("%d user(s) are not in the credential report (created after it was generated?): %s; "+
			"their access keys and password are assumed", len(missing), sampleNames(missing)))
	}
	var gone []string
	for i := range r.Rows {
		if u := r.Rows[i].User; u != rootUser && a.UserByName(u) == nil {
			gone = append(gone, u)
		}
	}
	if len(gone) > 0 {
		a.Notes = append(a.Notes, fmt.Sprintf("the credential report lists %d user(s) the account does not have (deleted since?): %s",
			len(gone), sampleNames(gone)))
	}
	return nil
}

// sampleNames lists names for a note, at most ten of them.
func sampleNames(names []string) string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	if len(sorted) > 10 {
		return strings.Join(sorted[:10], ", ") + fmt.Sprintf(" and %d more", len(sorted)-10)
	}
	return strings.Join(sorted, ", ")
}
