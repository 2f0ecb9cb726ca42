package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/audit"
)

// Backend is what the command calls to read an account and decide: the
// offline loaders (internal/account), the live reader
// (internal/account/live) and the engine (internal/audit). DefaultBackend
// (wiring.go) connects them; tests substitute their own.
type Backend struct {
	// LoadAuthorizationDetails parses the output of
	// `aws iam get-account-authorization-details`.
	LoadAuthorizationDetails func(file string, data []byte) (*account.Account, error)
	// ParseCredentialReport parses a credential report: the CSV, or the
	// JSON of `aws iam get-credential-report`.
	ParseCredentialReport func(file string, data []byte) (*account.CredentialReport, error)
	// LoadSCPs reads SCP files, one per OU level, root first, into the
	// account's organization levels.
	LoadSCPs func(files []account.SCPFile) (*account.Organization, error)
	// ReadLive reads the account the configuration's credentials belong
	// to through the IAM API.
	ReadLive func(ctx context.Context, cfg aws.Config, opts LiveOptions) (*account.Account, error)
	// ParseActions reads an --actions file.
	ParseActions func(data []byte, file string) ([]string, error)
	// Audit decides.
	Audit func(acct *account.Account, opts AuditOptions) (*audit.Report, error)
}

// Input is a file read for a loader.
type Input struct {
	Name string
	Data []byte
}

// LiveOptions are the command's wishes for a live read.
type LiveOptions struct {
	// Source names the read in the report ("profile admin (live IAM)").
	Source string
	// Progress, when set, is told how the read advances.
	Progress func(LiveProgress)
	// Stats, when set, receives the API calls made and the time taken.
	Stats *LiveStats
}

// LiveProgress is where a live read stands.
type LiveProgress struct {
	Phase                  string
	Pages, Users, UsersMFA int
	Calls                  int
}

// LiveStats are what a live read cost.
type LiveStats struct {
	Calls    int
	Duration time.Duration
}

// AuditOptions are the engine's inputs the command sets.
type AuditOptions struct {
	// Actions replace the built-in action set (--actions); nil keeps it.
	Actions   []string
	StaleDays int
	// Progress, when set, is told how many users are decided.
	Progress func(decided, total int)
}

// errNotWired is returned for a part of the backend that is not connected
// in this build.
var errNotWired = errors.New("not available in this build")

func (b Backend) audit(acct *account.Account, opts AuditOptions) (*audit.Report, error) {
	if b.Audit == nil {
		return nil, fmt.Errorf("the audit engine is %w", errNotWired)
	}
	return b.Audit(acct, opts)
}
