// Package live reads an account's IAM configuration (internal/account)
// through the IAM API with any AWS configuration: the normal credential
// chain, an awsmfa profile, or the lab's endpoint.
//
// A read pages through GetAccountAuthorizationDetails, lists each user's
// MFA devices (ListMFADevices, a bounded number at a time), fetches the
// credential report (GenerateCredentialReport until it is complete, then
// GetCredentialReport), GetAccountSummary and, when the caller may read
// them, the account's place in its organization with the SCPs and RCPs
// attached at each level. What the caller may not read is left out with a
// Note on the account rather than failing the read; only the
// authorization details are required. Throttling is left to the SDK's
// standard retryer, with more attempts than its default and no retry
// quota.
package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/awserr"
)

// Options configure Read. The zero value reads everything with the
// defaults.
type Options struct {
	// Concurrency bounds the ListMFADevices calls in flight (default 8).
	Concurrency int
	// NoOrganizations skips the Organizations calls.
	NoOrganizations bool
	// PolicyTags reads the tags of the customer managed policies
	// (iam:ListPolicyTags, one call per policy), which the authorization
	// details leave out; a failure fails the read.
	PolicyTags bool
	// ReportWait bounds the wait for the credential report to be generated
	// (default 2 minutes); ReportPoll is the pause between two checks
	// (default 2 seconds). A report not ready in time is left out with a
	// note.
	ReportWait, ReportPoll time.Duration
	// MaxAttempts is the retryer's attempts per call when cfg sets neither
	// a Retryer nor RetryMaxAttempts (default 10: a large account's read
	// outlasts IAM's throttling).
	MaxAttempts int
	// Progress, when set, is called as the read advances, from one
	// goroutine at a time.
	Progress func(Progress)
	// Source names the read in the account's Source ("profile admin (live
	// IAM)"); default "live IAM".
	Source string
	// Stats, when set, receives the API calls made and the time taken,
	// also when Read fails.
	Stats *Stats
}

// Phases of a read, in order.
const (
	PhaseIdentity     = "identity"
	PhaseDetails      = "authorization details"
	PhasePolicyTags   = "policy tags"
	PhaseMFA          = "MFA devices"
	PhaseReport       = "credential report"
	PhaseSummary      = "account summary"
	PhaseOrganization = "organization"
	PhaseDone         = "done"
)

// Progress is where a read stands.
type Progress struct {
	Phase string
	// Pages are the pages of listings read so far.
	Pages int
	// Users are the users read so far; UsersMFA those whose MFA devices
	// have been listed.
	Users, UsersMFA int
	// Calls are the API requests sent so far, retries included.
	Calls int
}

// Stats are what a read cost.
type Stats struct {
	// Calls are the API requests sent, retries included; Operations the
	// same per "Service:Operation", sorted.
	Calls      int
	Operations []OperationCount
	Duration   time.Duration
}

// OperationCount is the number of requests of one operation.
type OperationCount struct {
	Operation string
	Calls     int
}

// Defaults.
const (
	DefaultConcurrency = 8
	DefaultReportWait  = 2 * time.Minute
	DefaultReportPoll  = 2 * time.Second
	DefaultMaxAttempts = 10
)

// reader is one read in progress.
type reader struct {
	opts  Options
	calls *callCounter
	cfg   aws.Config
	iam   *iam.Client
	sts   *sts.Client

	notes []string
	// reportWaits counts the pauses for the credential report.
	reportWaits int

	mu       sync.Mutex // serializes progress callbacks
	progress Progress
}

// Read reads the account the configuration's credentials belong to.
func Read(ctx context.Context, cfg aws.Config, opts Options) (*account.Account, error) {
	start := time.Now()
	r := newReader(cfg, opts)
	a, err := r.read(ctx)
	if opts.Stats != nil {
		*opts.Stats = Stats{Calls: r.calls.total(), Operations: r.calls.snapshot(), Duration: time.Since(start)}
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}

func newReader(cfg aws.Config, opts Options) *reader {
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.ReportWait <= 0 {
		opts.ReportWait = DefaultReportWait
	}
	if opts.ReportPoll <= 0 {
		opts.ReportPoll = DefaultReportPoll
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.Source == "" {
		opts.Source = "live IAM"
	}
	r := &reader{opts: opts, calls: newCallCounter()}
	r.cfg = withCounting(cfg, r.calls)
	if r.cfg.Retryer == nil && r.cfg.RetryMaxAttempts == 0 {
		// The standard retryer (exponential backoff with jitter, throttling
		// errors retried) with more attempts, and without its client-side
		// retry quota: thousands of calls under sustained throttling would
		// drain it and fail the read with "retry quota exceeded", where
		// waiting is what the read needs
		// (https://docs.aws.amazon.com/sdk-for-go/v2/developer-guide/configure-retries-timeouts.html).
		attempts := opts.MaxAttempts
		r.cfg.Retryer = func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = attempts
				o.RateLimiter = ratelimit.None
			})
		}
	}
	r.iam = iam.NewFromConfig(r.cfg)
	r.sts = sts.NewFromConfig(r.cfg)
	return r
}

// read runs the phases in order.
func (r *reader) read(ctx context.Context) (*account.Account, error) {
	a := &account.Account{Source: r.opts.Source}
	r.report(PhaseIdentity)
	if err := r.readIdentity(ctx, a); err != nil {
		return nil, err
	}
	r.report(PhaseDetails)
	if err := r.readDetails(ctx, a); err != nil {
		return nil, fmt.Errorf("reading the account's IAM configuration: %w", err)
	}
	if err := r.optional(r.readRoleSessions(ctx, a), "roles' maximum session durations and descriptions (iam:ListRoles)"); err != nil {
		return nil, err
	}
	fillIdentityFromARNs(a)
	if r.opts.PolicyTags {
		r.report(PhasePolicyTags)
		if err := r.readPolicyTags(ctx, a); err != nil {
			return nil, err
		}
	}
	r.report(PhaseMFA)
	if err := r.readMFA(ctx, a); err != nil {
		return nil, err
	}
	r.report(PhaseReport)
	if err := r.readReport(ctx, a); err != nil {
		return nil, err
	}
	r.report(PhaseSummary)
	if err := r.readSummary(ctx, a); err != nil {
		return nil, err
	}
	if !r.opts.NoOrganizations {
		r.report(PhaseOrganization)
		if err := r.readOrganization(ctx, a); err != nil {
			return nil, err
		}
	}
	a.Notes = append(a.Notes, r.notes...)
	r.report(PhaseDone)
	return a, nil
}

// report calls the progress callback.
func (r *reader) report(phase string) { r.advance(phase, nil) }

// advance updates the progress with f (under the lock, so goroutines may
// call it) and calls the progress callback.
func (r *reader) advance(phase string, f func(*Progress)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f != nil {
		f(&r.progress)
	}
	if phase != "" {
		r.progress.Phase = phase
	}
	if r.opts.Progress == nil {
		return
	}
	r.progress.Calls = r.calls.total()
	r.opts.Progress(r.progress)
}

// optional turns an AccessDenied into a note that what names was not
// read; other errors are returned.
func (r *reader) optional(err error, what string) error {
	if err == nil {
		return nil
	}
	if accessDenied(err) {
		r.notes = append(r.notes, "not read: "+what+": access denied")
		return nil
	}
	return fmt.Errorf("reading %s: %w", what, err)
}

// accessDenied reports whether err is an API error refusing the caller
// (IAM and STS: AccessDenied; Organizations: AccessDeniedException).
func accessDenied(err error) bool {
	switch awserr.Code(err) {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
		return true
	}
	return false
}

func asAPIError(err error) (smithy.APIError, bool) {
	var ae smithy.APIError
	ok := errors.As(err, &ae)
	return ae, ok
}
