package audit

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/account/live"
)

// DefaultBackend connects the command to the offline loaders, the live
// reader and the engine.
func DefaultBackend() Backend {
	b := Backend{
		LoadAuthorizationDetails: account.LoadAuthorizationDetails,
		ParseCredentialReport:    account.ParseCredentialReport,
		LoadSCPs:                 account.LoadSCPs,
		ReadLive:                 readLive,
	}
	wireEngine(&b)
	return b
}

// readLive is live.Read with the command's options.
func readLive(ctx context.Context, cfg aws.Config, opts LiveOptions) (*account.Account, error) {
	lo := live.Options{Source: opts.Source}
	if opts.Progress != nil {
		lo.Progress = func(p live.Progress) {
			opts.Progress(LiveProgress{Phase: p.Phase, Pages: p.Pages, Users: p.Users, UsersMFA: p.UsersMFA, Calls: p.Calls})
		}
	}
	var stats live.Stats
	lo.Stats = &stats
	acct, err := live.Read(ctx, cfg, lo)
	if opts.Stats != nil {
		*opts.Stats = LiveStats{Calls: stats.Calls, Duration: stats.Duration}
	}
	return acct, err
}
