package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/policy"
)

// Input limits: what one file may hold (the loaders' own limits, so that
// reading stops one byte past them), and the deepest organization path.
const (
	maxAuthDetailsBytes = account.MaxAuthorizationDetailsBytes
	maxReportBytes      = account.MaxCredentialReportBytes
	maxSCPBytes         = account.MaxSCPFileBytes
	maxActionsBytes     = 4 << 20
	maxSCPFiles         = 7 // root, five levels of OUs, the account
)

// readAccount reads the account offline when --authorization-details is
// given, else live.
func (o *Options) readAccount(ctx context.Context, prog *progress) (*account.Account, error) {
	if o.AuthorizationDetails != "" {
		return o.readOffline()
	}
	return o.readLive(ctx, prog)
}

// readOffline loads --authorization-details and, when given, the
// credential report and the SCP files.
func (o *Options) readOffline() (*account.Account, error) {
	b := o.Backend
	if b.LoadAuthorizationDetails == nil {
		return nil, failed(fmt.Errorf("--authorization-details: reading authorization details is %w", errNotWired))
	}
	in, err := o.read(o.AuthorizationDetails, maxAuthDetailsBytes, "get-account-authorization-details output")
	if err != nil {
		return nil, err
	}
	acct, err := b.LoadAuthorizationDetails(in.Name, in.Data)
	if err != nil {
		return nil, failed(inputError(in.Name, err))
	}
	sources := []string{in.Name}
	if o.CredentialReport != "" {
		if b.ParseCredentialReport == nil {
			return nil, failed(fmt.Errorf("--credential-report: reading a credential report is %w", errNotWired))
		}
		in, err := o.read(o.CredentialReport, maxReportBytes, "credential report")
		if err != nil {
			return nil, err
		}
		if acct.Report, err = b.ParseCredentialReport(in.Name, in.Data); err != nil {
			return nil, failed(inputError(in.Name, err))
		}
		sources = append(sources, in.Name)
	}
	if len(o.SCPs) > 0 {
		org, err := o.readSCPs()
		if err != nil {
			return nil, err
		}
		acct.Org = org
		sources = append(sources, fmt.Sprintf("%d SCP file(s)", len(o.SCPs)))
	}
	acct.Source = strings.Join(sources, " + ")
	return acct, nil
}

func (o *Options) readSCPs() (*account.Organization, error) {
	if o.Backend.LoadSCPs == nil {
		return nil, failed(fmt.Errorf("--scp: reading SCP files is %w", errNotWired))
	}
	if len(o.SCPs) > maxSCPFiles {
		return nil, cmdutil.UsageError("--scp: %d files; an account is at most %d levels deep (root, 5 OUs, the account)", len(o.SCPs), maxSCPFiles)
	}
	files := make([]account.SCPFile, 0, len(o.SCPs))
	for _, name := range o.SCPs {
		in, err := o.read(name, maxSCPBytes, "service control policy")
		if err != nil {
			return nil, err
		}
		files = append(files, account.SCPFile{Name: in.Name, Data: in.Data})
	}
	org, err := o.Backend.LoadSCPs(files)
	if err != nil {
		return nil, failed(err)
	}
	return org, nil
}

// readActions reads --actions.
func (o *Options) readActions() ([]string, error) {
	if o.Backend.ParseActions == nil {
		return nil, failed(fmt.Errorf("--actions: reading an actions file is %w", errNotWired))
	}
	in, err := o.read(o.Actions, maxActionsBytes, "actions file")
	if err != nil {
		return nil, err
	}
	acts, err := o.Backend.ParseActions(in.Data, in.Name)
	if err != nil {
		return nil, failed(inputError(in.Name, err))
	}
	if len(acts) == 0 {
		return nil, failed(fmt.Errorf("%s: no actions", in.Name))
	}
	return acts, nil
}

// read reads a named file ("-": standard input) up to limit bytes.
func (o *Options) read(name string, limit int64, what string) (Input, error) {
	data, shown, err := cmdutil.ReadInputLimit(name, o.IO.In, limit, what)
	if err != nil {
		return Input{}, failed(err)
	}
	return Input{Name: shown, Data: data}, nil
}

// inputError makes sure an error about a file names it: loaders' errors
// (policy.ErrorList, positions) already do.
func inputError(name string, err error) error {
	var list policy.ErrorList
	if errors.As(err, &list) || strings.HasPrefix(err.Error(), name) {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// readLive reads the account through the IAM API.
func (o *Options) readLive(ctx context.Context, prog *progress) (*account.Account, error) {
	if o.Backend.ReadLive == nil {
		return nil, failed(fmt.Errorf("reading an account live is %w; use --authorization-details", errNotWired))
	}
	cfg, source, err := o.liveConfig(ctx)
	if err != nil {
		return nil, err
	}
	var stats LiveStats
	acct, err := o.Backend.ReadLive(ctx, cfg, LiveOptions{Source: source, Progress: prog.live, Stats: &stats})
	prog.liveDone(stats)
	if err != nil {
		return nil, failed(fmt.Errorf("reading the account (%s): %w", source, err))
	}
	return acct, nil
}

// liveConfig builds the SDK configuration for a live read with
// brokerutil's SDKConfig (a profile awsmfa resolves, environment keys, or
// the SDK's default chain), with the IAM, STS and Organizations endpoints
// the configuration names.
func (o *Options) liveConfig(ctx context.Context) (aws.Config, string, error) {
	c, source, err := o.Factory.SDKConfig(ctx, o.Profile, "iam", "sts", "organizations")
	if err != nil {
		return aws.Config{}, "", failed(err)
	}
	return c, source + " (live IAM)", nil
}
