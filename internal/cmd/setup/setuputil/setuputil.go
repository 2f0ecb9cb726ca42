// Package setuputil is what the setup commands share: the live read of the
// account they plan against (internal/account/live, with the policies'
// tags), who is calling and with which credentials, the setup file, and the
// plan's safety check.
package setuputil

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/account/live"
	"github.com/awsmfa/awsmfa/internal/audit"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/setup"
	"github.com/awsmfa/awsmfa/internal/setup/iamcall"
)

// Session is an account read for planning, with the client that applies.
type Session struct {
	IAM *iam.Client
	// Source names the credentials ("profile admin").
	Source  string
	Account *account.Account
	Caller  Caller
}

// Caller is who runs the command.
type Caller struct {
	ARN string
	// User is the IAM user name when the caller is a user of the account
	// ("" for roles, federated users and the root user).
	User string
	// Cred is the credential type the caller signs with.
	Cred audit.Credential
}

// Open reads the account the profile's credentials belong to: everything
// the audit reads, plus the tags of the customer managed policies (by
// which setup knows its own). Progress goes to standard error on a
// terminal.
func Open(ctx context.Context, ios *iostreams.IOStreams, f *brokerutil.Factory, profile string) (*Session, error) {
	cfg, source, err := f.SDKConfig(ctx, profile, "iam", "sts", "organizations")
	if err != nil {
		return nil, Failed(err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, Failed(fmt.Errorf("who is calling (%s): %w", source, err))
	}
	prog := newProgress(ios)
	acct, err := live.Read(ctx, cfg, live.Options{PolicyTags: true, Source: source + " (live IAM)", Progress: prog.show})
	prog.done()
	if err != nil {
		return nil, Failed(fmt.Errorf("reading the account (%s): %w", source, err))
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, Failed(err)
	}
	return &Session{
		IAM: iam.NewFromConfig(cfg), Source: source, Account: acct,
		Caller: classify(aws.ToString(id.Arn), acct.ID, creds.SessionToken != ""),
	}, nil
}

// classify tells the caller's user name and credential type. Credentials
// without a session token are an access key. A user's credentials with a
// session token come from sts:GetSessionToken, and those reach the IAM API
// only when the session was obtained with MFA ("Cannot call any IAM API
// operations unless MFA authentication information is included in the
// request",
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html):
// the account was just read through IAM, so the session has MFA.
func classify(arn, accountID string, session bool) Caller {
	c := Caller{ARN: arn, Cred: audit.CredAccessKeys}
	if session {
		c.Cred = audit.CredSessionMFA
	}
	if _, acct, res, ok := account.SplitIAMARN(arn); ok && acct == accountID && strings.HasPrefix(res, "user/") {
		c.User = res[strings.LastIndexByte(res, '/')+1:]
	}
	return c
}

// maxFileSize bounds the setup file.
const maxFileSize = setup.MaxFileSize

// ReadFile reads and checks the setup file (- for standard input).
func ReadFile(ios *iostreams.IOStreams, name string) (*setup.File, error) {
	if name == "" {
		return nil, cmdutil.UsageError("name the setup file with -f FILE (awsmfa setup init writes a starter)")
	}
	data, display, err := cmdutil.ReadInputLimit(name, ios.In, maxFileSize, "setup file")
	if err != nil {
		return nil, Failed(err)
	}
	f, err := setup.Parse(display, data)
	if err != nil {
		return nil, Failed(err)
	}
	return f, nil
}

// Plan reads the desired state of the file in the session's account and
// plans it.
func (s *Session) Plan(f *setup.File) (*setup.Plan, error) {
	d, err := setup.Build(f, s.Account.ID, s.Account.Partition)
	if err != nil {
		return nil, Failed(err)
	}
	p, err := setup.MakePlan(d, s.Account)
	if err != nil {
		return nil, Failed(err)
	}
	return p, nil
}

// Safety audits the account before and after the plan.
func (s *Session) Safety(p *setup.Plan) (*setup.Safety, error) {
	sf, err := setup.CheckSafety(s.Account, p, s.Caller.User, s.Caller.Cred, audit.Options{})
	if err != nil {
		return nil, Failed(err)
	}
	return sf, nil
}

// StepCaller makes plan steps through the session's IAM client.
func (s *Session) StepCaller() setup.Caller { return &iamcall.Caller{IAM: s.IAM} }

// Notes prints what the read left out (on standard error).
func (s *Session) Notes(w io.Writer) {
	for _, n := range s.Account.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

// Failed makes err exit 2 (cmdutil.Failed).
func Failed(err error) error { return cmdutil.Failed(err) }
