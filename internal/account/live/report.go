package live

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsmfa/awsmfa/internal/account"
)

// noReportNote is the account's note when the credential report could not
// be read.
const noReportNote = "no credential report (%s): every user is assumed to have active access keys and a console password"

// readReport asks IAM for a credential report until it is complete
// (GenerateCredentialReport answers STARTED, INPROGRESS, then COMPLETE;
// a report less than four hours old is reused), then reads it
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html).
// The wait is bounded by Options.ReportWait. When the caller may not
// generate one, a report generated earlier is still read if it may read
// that; when it may read none, or none is ready in time, Report stays nil
// with a note.
func (r *reader) readReport(ctx context.Context, a *account.Account) error {
	deadline := time.Now().Add(r.opts.ReportWait)
	canGenerate := true
	for {
		if canGenerate {
			out, err := r.iam.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
			switch {
			case accessDenied(err):
				canGenerate = false
			case err != nil:
				return fmt.Errorf("GenerateCredentialReport: %w", err)
			case out.State != types.ReportStateTypeComplete:
				if err := r.waitReport(ctx, deadline); err != nil {
					return r.reportMissing(a, err)
				}
				continue
			}
		}
		rep, err := r.getReport(ctx)
		switch code := apiCode(err); {
		case err == nil:
			a.Report = rep
			return nil
		case accessDenied(err):
			return r.reportMissing(a, errors.New("access denied to iam:GetCredentialReport"))
		case !canGenerate && (code == "ReportNotPresent" || code == "ReportExpired"):
			return r.reportMissing(a, errors.New("access denied to iam:GenerateCredentialReport and no current report"))
		case code == "ReportInProgress" || code == "ReportNotPresent" || code == "ReportExpired":
			if err := r.waitReport(ctx, deadline); err != nil {
				return r.reportMissing(a, err)
			}
		default:
			return err
		}
	}
}

// errReportTimeout: the report was not ready within Options.ReportWait.
var errReportTimeout = errors.New("not ready in time")

// waitReport pauses before the next check, or fails at the deadline.
func (r *reader) waitReport(ctx context.Context, deadline time.Time) error {
	wait := r.opts.ReportPoll
	if time.Now().Add(wait).After(deadline) {
		return fmt.Errorf("%w (waited %s)", errReportTimeout, r.opts.ReportWait)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// reportMissing records why there is no report; a cancelled read fails.
func (r *reader) reportMissing(a *account.Account, why error) error {
	if errors.Is(why, context.Canceled) || errors.Is(why, context.DeadlineExceeded) {
		return why
	}
	a.Report = nil
	r.notes = append(r.notes, fmt.Sprintf(noReportNote, why.Error()))
	return nil
}

// getReport reads and parses the current report.
func (r *reader) getReport(ctx context.Context) (*account.CredentialReport, error) {
	out, err := r.iam.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		return nil, err
	}
	if out.ReportFormat != "" && out.ReportFormat != types.ReportFormatTypeTextCsv {
		return nil, fmt.Errorf("GetCredentialReport: report format %q, not text/csv", out.ReportFormat)
	}
	rep, err := parseCredentialReport(out.Content)
	if err != nil {
		return nil, fmt.Errorf("GetCredentialReport: %w", err)
	}
	rep.Generated = aws.ToTime(out.GeneratedTime)
	return rep, nil
}

// maxReportRows bounds a report: IAM's default quota is 5,000 users, and
// the quota can be raised; a million rows is far beyond any account.
const maxReportRows = 1_000_000

// parseCredentialReport reads the report's CSV by its header's column
// names, so columns AWS may add later are ignored. Times the report gives
// as N/A, no_information or not_supported are zero.
func parseCredentialReport(content []byte) (*account.CredentialReport, error) {
	cr := csv.NewReader(bytes.NewReader(content))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("credential report: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, name := range []string{"user", "arn", "password_enabled", "mfa_active", "access_key_1_active", "access_key_2_active"} {
		if _, ok := col[name]; !ok {
			return nil, fmt.Errorf("credential report: no %s column", name)
		}
	}
	rep := &account.CredentialReport{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rep, nil
		}
		if err != nil {
			return nil, fmt.Errorf("credential report: %w", err)
		}
		if len(rep.Rows) >= maxReportRows {
			return nil, fmt.Errorf("credential report: more than %d rows", maxReportRows)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		row, err := reportRow(get)
		if err != nil {
			return nil, fmt.Errorf("credential report line %d: %w", line, err)
		}
		rep.Rows = append(rep.Rows, row)
	}
}

// reportRow converts one line.
func reportRow(get func(string) string) (account.CredentialRow, error) {
	var row account.CredentialRow
	var err error
	flag := func(name string) bool {
		if err != nil {
			return false
		}
		var v bool
		v, err = reportBool(get(name), name)
		return v
	}
	when := func(name string) time.Time {
		if err != nil {
			return time.Time{}
		}
		var t time.Time
		t, err = reportTime(get(name), name)
		return t
	}
	row.User, row.ARN = get("user"), get("arn")
	row.UserCreation = when("user_creation_time")
	row.PasswordEnabled = flag("password_enabled")
	row.PasswordLastUsed = when("password_last_used")
	row.PasswordLastChanged = when("password_last_changed")
	row.MFAActive = flag("mfa_active")
	for i, k := range []string{"access_key_1", "access_key_2"} {
		row.AccessKeys[i] = account.AccessKeyState{
			Active: flag(k + "_active"), LastRotated: when(k + "_last_rotated"), LastUsed: when(k + "_last_used_date"),
			LastUsedService: reportText(get(k + "_last_used_service")), LastUsedRegion: reportText(get(k + "_last_used_region")),
		}
	}
	row.Certs = [2]bool{flag("cert_1_active"), flag("cert_2_active")}
	return row, err
}

// reportBool reads true or false; not_supported (the root user's
// password_enabled) and an absent column are false.
func reportBool(v, name string) (bool, error) {
	switch v {
	case "true", "TRUE":
		return true, nil
	case "false", "FALSE", "not_supported", "":
		return false, nil
	}
	return false, fmt.Errorf("%s is %q, not true or false", name, truncate(v))
}

// reportTime reads an ISO 8601 time (2019-12-18T19:10:08+00:00); N/A,
// no_information, not_supported and an absent column are zero.
func reportTime(v, name string) (time.Time, error) {
	if reportText(v) == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is %q, not a time", name, truncate(v))
	}
	return t.UTC(), nil
}

// reportText is v, or "" for the report's placeholders.
func reportText(v string) string {
	switch v {
	case "N/A", "no_information", "not_supported":
		return ""
	}
	return v
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
