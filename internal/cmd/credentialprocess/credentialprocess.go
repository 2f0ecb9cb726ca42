// Package credentialprocess is `awsmfa credential-process`: credentials in
// the credential_process format the AWS CLI and SDKs read.
package credentialprocess

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// Options are the command's inputs.
type Options struct {
	// Ctx is cancelled on SIGINT/SIGTERM (set from the root command); nil
	// means context.Background().
	Ctx          context.Context
	IO           *iostreams.IOStreams
	Factory      *brokerutil.Factory
	Flags        brokerutil.Flags
	MinRemaining time.Duration
	NoPrompt     bool
}

// NewCmdCredentialProcess returns the command; runF replaces Run in tests.
func NewCmdCredentialProcess(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "credential-process",
		Short: "Print a profile's credentials for credential_process (AWS CLI, SDKs)",
		Long: `Print temporary credentials for a profile as the JSON the AWS CLI and SDKs
expect from a credential_process (Version 1), so that in ~/.aws/config

  [profile work]
  credential_process = awsmfa credential-process --profile work-mfa

makes the AWS CLI, SAM, Terraform and every SDK use MFA-backed credentials
with one code per MFA session (default 12 hours) for all roles.

The profile named by --profile holds the real settings (access keys or a
source_profile, role_arn, mfa_serial, mfa_process...). Credentials are
served from awsmfa's cache when they have more than --min-remaining left
(default 16 minutes: the AWS CLI runs the process again when fewer than 15
remain); otherwise they are refreshed, asking for an MFA code only when the
MFA session itself has ended. The code is read from mfa_process, the
terminal (/dev/tty, so it works although the AWS CLI captures stdout) or a
desktop dialog.

Only the JSON goes to standard output; messages go to standard error.

The cache is the OS keychain when one is usable, else files in
$XDG_CACHE_HOME/awsmfa (0600); $AWSMFA_CACHE_DIR moves it,
$AWSMFA_CACHE_BACKEND (auto, keyring, file) chooses, and
$AWSMFA_CACHE_PASSPHRASE encrypts the files. One lock per profile makes
processes started together share one MFA prompt and one STS call.`,
		Example: `  awsmfa credential-process --profile work-mfa
  awsmfa credential-process --profile work-mfa --mfa-token 123456`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	addFlags(cmd.Flags(), o)
	return cmd
}

func addFlags(fs *pflag.FlagSet, o *Options) {
	brokerutil.AddFlagSet(fs, &o.Flags)
	fs.DurationVar(&o.MinRemaining, "min-remaining", broker.CLIMinRemaining, "refresh credentials with less than this left")
	fs.BoolVar(&o.NoPrompt, "no-prompt", false, "fail instead of asking for an MFA code")
}

// Fast parses the command line of a credential_process line (args after
// the program name: "credential-process" and its flags) without building
// awsmfa's command tree, which every AWS CLI call would otherwise pay
// for. It returns false for anything it does not take as is (another
// command, --help, an unknown flag, an argument), which then goes through
// the full command tree with its usual messages.
func Fast(ios *iostreams.IOStreams, args []string) (*Options, bool) {
	if len(args) == 0 || args[0] != "credential-process" {
		return nil, false
	}
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	fs := pflag.NewFlagSet("credential-process", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	addFlags(fs, o)
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return nil, false
	}
	return o, true
}

// Run prints the profile's credentials.
func Run(o *Options) error {
	f := o.Factory
	cfg, ch, err := f.ResolveQuietly(o.Flags)
	if err != nil {
		return err
	}
	if err := broker.CheckLoop(ch, f.Getenv); err != nil {
		return err
	}
	prompting := brokerutil.PromptInteractive
	if o.NoPrompt {
		prompting = brokerutil.PromptNever
	}
	b, err := f.Broker(cfg, ch, o.Flags, prompting)
	if err != nil {
		return err
	}
	// The hit path: configuration and one cache entry, nothing else.
	c := b.Cached(ch, o.MinRemaining)
	if c == nil {
		c, err = b.GetChain(cmdutil.Context(o.Ctx), ch, broker.GetOptions{MinRemaining: o.MinRemaining, NoPrompt: o.NoPrompt})
		if err != nil {
			return err
		}
	}
	// Compact: the AWS CLI and the SDKs parse it, nobody reads it.
	if err := json.NewEncoder(o.IO.Out).Encode(broker.NewProcessOutput(c)); err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
	}
	return nil
}
