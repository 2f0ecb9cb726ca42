// Package export is `awsmfa export`: print a profile's credentials as shell
// variables, JSON or a credentials-file section, or put them in the AWS
// CLI's own cache.
package export

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// Formats.
const (
	FormatEnv  = "env"
	FormatJSON = "json"
	FormatINI  = "ini"
)

// Options are the command's inputs.
type Options struct {
	// Ctx is cancelled on SIGINT/SIGTERM (set from the root command); nil
	// means context.Background().
	Ctx           context.Context
	IO            *iostreams.IOStreams
	Factory       *brokerutil.Factory
	Flags         brokerutil.Flags
	Format        string
	FormatSet     bool
	WriteCLICache bool
	MinRemaining  time.Duration
}

// NewCmdExport returns the command; runF replaces Run in tests.
func NewCmdExport(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "export [--profile P] [--format env|json|ini] [--write-cli-cache]",
		Short: "Print a profile's credentials, or put them in the AWS CLI's cache",
		Long: `Print the profile's temporary credentials:

  env   export AWS_ACCESS_KEY_ID=... lines for a POSIX shell (eval "$(...)")
  json  the credential_process JSON (Version 1)
  ini   a credentials-file section named after the profile

--write-cli-cache writes them into the AWS CLI's own cache instead
(~/.aws/cli/cache/<SHA-1 of the AssumeRole arguments>.json, mode 0600), under
the key the AWS CLI computes for the profile, so that a plain
"aws --profile P ..." uses them without asking for a code until they have
less than 15 minutes left. P must be a role profile (role_arn). Nothing is
printed then unless --format is given too.`,
		Example: `  eval "$(awsmfa export --profile work)"
  awsmfa export --profile work --format json
  awsmfa export --profile role-with-mfa --write-cli-cache && aws --profile role-with-mfa s3 ls`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx = cmd.Context()
			o.FormatSet = cmd.Flags().Changed("format")
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	brokerutil.AddFlags(cmd, &o.Flags)
	cmd.Flags().StringVarP(&o.Format, "format", "f", FormatEnv, "output format: env, json or ini")
	cmd.Flags().BoolVar(&o.WriteCLICache, "write-cli-cache", false, "write the credentials into the AWS CLI's cache for the profile")
	cmd.Flags().DurationVar(&o.MinRemaining, "min-remaining", broker.CLIMinRemaining, "refresh credentials with less than this left")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{FormatEnv, FormatJSON, FormatINI}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Run exports the credentials.
func Run(o *Options) error {
	switch o.Format {
	case FormatEnv, FormatJSON, FormatINI:
	default:
		return cmdutil.UsageError("--format: %q is not one of env, json, ini", o.Format)
	}
	f := o.Factory
	cfg, ch, err := f.Resolve(o.Flags)
	if err != nil {
		return err
	}
	var cacheArgs map[string]any
	var cacheDir string
	if o.WriteCLICache {
		if cacheArgs, err = CLICacheArgs(cfg.Profile(ch.Profile)); err != nil {
			return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("--write-cli-cache: %w", err)}
		}
		if cacheDir, err = CLICacheDir(f.AWSEnv()); err != nil {
			return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("--write-cli-cache: %w", err)}
		}
	}
	b, err := f.Broker(cfg, ch, o.Flags, brokerutil.PromptInteractive)
	if err != nil {
		return err
	}
	c, err := b.GetChain(cmdutil.Context(o.Ctx), ch, broker.GetOptions{MinRemaining: o.MinRemaining})
	if err != nil {
		return err
	}
	if o.WriteCLICache {
		path, err := WriteCLICache(cacheDir, CLICacheKey(cacheArgs), c)
		if err != nil {
			return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("--write-cli-cache: %w", err)}
		}
		fmt.Fprintf(o.IO.ErrOut, "awsmfa: wrote %s: `aws --profile %s` uses these credentials until %s (15 minutes before they expire)\n",
			path, ch.Profile, c.Expiration.Add(-15*time.Minute).Local().Format("2006-01-02 15:04:05 MST"))
		if !o.FormatSet {
			return nil
		}
	}
	return write(o.IO.Out, o.Format, ch, c)
}

func write(w io.Writer, format string, ch *awsconfig.Chain, c *credcache.Credentials) error {
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(broker.NewProcessOutput(c))
	case FormatINI:
		var b strings.Builder
		fmt.Fprintf(&b, "[%s]\n", ch.Profile)
		if !c.Expiration.IsZero() {
			fmt.Fprintf(&b, "# expires %s\n", c.Expiration.UTC().Format(time.RFC3339))
		}
		fmt.Fprintf(&b, "aws_access_key_id = %s\naws_secret_access_key = %s\n", c.AccessKeyID, c.SecretAccessKey)
		if c.SessionToken != "" {
			fmt.Fprintf(&b, "aws_session_token = %s\n", c.SessionToken)
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	var b strings.Builder
	set := func(k, v string) { fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(v)) }
	set("AWS_ACCESS_KEY_ID", c.AccessKeyID)
	set("AWS_SECRET_ACCESS_KEY", c.SecretAccessKey)
	if c.SessionToken != "" {
		set("AWS_SESSION_TOKEN", c.SessionToken)
	} else {
		b.WriteString("unset AWS_SESSION_TOKEN\n")
	}
	if !c.Expiration.IsZero() {
		set("AWS_CREDENTIAL_EXPIRATION", c.Expiration.UTC().Format(time.RFC3339))
	}
	if ch.Region != "" {
		set("AWS_REGION", ch.Region)
		set("AWS_DEFAULT_REGION", ch.Region)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:/+=@,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
