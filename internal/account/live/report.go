package live

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/awserr"
	"github.com/awsmfa/awsmfa/internal/backoff"
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
		switch code := awserr.Code(err); {
		case err == nil:
			// The report's users against the account's: notes for those
			// created since it was generated, or deleted.
			return a.ApplyReport(rep)
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

// firstReportPoll is the first pause for a report being generated; the
// pause doubles up to Options.ReportPoll (a small account's report is
// often ready within a second).
const firstReportPoll = 200 * time.Millisecond

// waitReport pauses before the next check, or fails at the deadline.
func (r *reader) waitReport(ctx context.Context, deadline time.Time) error {
	wait := min(r.opts.ReportPoll, firstReportPoll<<min(r.reportWaits, 8))
	r.reportWaits++
	if time.Now().Add(wait).After(deadline) {
		return fmt.Errorf("%w (waited %s)", errReportTimeout, r.opts.ReportWait)
	}
	return backoff.Sleep(ctx, wait)
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
	// The offline loader's parser: a report reads the same live and from
	// a file.
	rep, err := account.ParseCredentialReport("GetCredentialReport", out.Content)
	if err != nil {
		return nil, err
	}
	rep.File = ""
	rep.Generated = aws.ToTime(out.GeneratedTime)
	return rep, nil
}
