// Package audit is `awsmfa audit`: who in an account can still act
// without MFA, with which credentials, and which statement decides it.
// The command is thin: it reads the account (live through the IAM API, or
// from the files administrators already have), runs the engine
// (internal/audit) and prints the report (internal/audit/render).
package audit

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/audit"
	"github.com/awsmfa/awsmfa/internal/audit/render"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmd/version"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// Options are the command's inputs.
type Options struct {
	// Ctx is cancelled on SIGINT/SIGTERM (set from the root command); nil
	// means context.Background().
	Ctx     context.Context
	IO      *iostreams.IOStreams
	Factory *brokerutil.Factory
	// Backend reads accounts and decides (the loaders, the live reader
	// and the engine; see wiring.go).
	Backend Backend

	Profile              string
	AuthorizationDetails string
	CredentialReport     string
	SCPs                 []string
	Actions              string
	StaleDays            int
	All                  bool
	Format               string
	FailOn               string
}

// Formats of --format (--output takes text and json).
var formats = []string{"text", "json", "sarif", "html"}

// --stale-days: the default (the engine's, 90 days)
// and a bound (a century).
const (
	defaultStaleDays = audit.DefaultStaleDays
	maxStaleDays     = 36500
)

// NewCmdAudit returns the command; runF replaces Run in tests.
func NewCmdAudit(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios), Backend: DefaultBackend()}
	var output string
	cmd := &cobra.Command{
		Use:   "audit [--profile P | --authorization-details FILE [--credential-report FILE] [--scp FILE...]]",
		Short: "Find who in an AWS account can act without MFA, with which credentials, and why",
		Long: `Decide, for every IAM user of an account and every credential type the user
can really use (long-term access keys, a console password without MFA, a
session token obtained without MFA, and one with MFA for comparison),
whether anything beyond MFA self-service is allowed without MFA, and which
statement of which policy decides it.

The account is read live through the IAM API with the normal credential
chain, or with --profile (any profile, including awsmfa's own MFA
profiles): GetAccountAuthorizationDetails, the credential report, the MFA
devices, the account summary and, when the caller may read them, the
organization's SCPs. Or offline, from files:

  --authorization-details FILE  aws iam get-account-authorization-details output
  --credential-report FILE      the credential report: the CSV, or the JSON of
                                aws iam get-credential-report (base64 Content)
  --scp FILE...                 SCPs, one file per OU level, root first

Without a credential report every user is assumed to have active access
keys and a console password, and the report says so.

Output: text for people (a summary per severity, the users x credential
types matrix with identical rows grouped, then the findings), --output json,
--format sarif (findings on the policy documents they come from) or
--format html (one self-contained page).

Exit status: 0 when no finding is at or above --fail-on, 1 otherwise, 2 for
usage errors, unreadable or invalid input and failed API calls.`,
		Example: `  awsmfa audit --profile admin
  aws iam get-account-authorization-details > auth.json
  aws iam get-credential-report --output json > report.json
  awsmfa audit --authorization-details auth.json --credential-report report.json
  awsmfa audit --profile admin --format html > audit.html
  awsmfa audit --authorization-details auth.json --format sarif > audit.sarif`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx = cmd.Context()
			if cmd.Flags().Changed("output") {
				if err := cmdutil.CheckOutput(output); err != nil {
					return err
				}
				if cmd.Flags().Changed("format") && output != o.Format {
					return cmdutil.UsageError("--output %s and --format %s disagree", output, o.Format)
				}
				o.Format = output
			}
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	f := cmd.Flags()
	brokerutil.AddProfileFlag(cmd, &o.Profile)
	f.StringVar(&o.AuthorizationDetails, "authorization-details", "", "read the account offline from this `FILE` (get-account-authorization-details output; - for standard input)")
	f.StringVar(&o.CredentialReport, "credential-report", "", "credential report `FILE` (CSV, or get-credential-report JSON) for --authorization-details")
	f.StringSliceVar(&o.SCPs, "scp", nil, "SCP `FILE`s for --authorization-details, one per OU level, root first (comma-separated or repeated)")
	f.StringVar(&o.Actions, "actions", "", "replace the built-in action set with this `FILE` (one service:Action per line)")
	f.IntVar(&o.StaleDays, "stale-days", defaultStaleDays, "report active access keys unused for more than this many days")
	f.BoolVar(&o.All, "all", false, "list every user in the matrix instead of grouping identical rows")
	cmdutil.AddOutputFlag(cmd, &output)
	f.StringVar(&o.Format, "format", "text", "output format: text, json, sarif or html")
	f.StringVar(&o.FailOn, "fail-on", "warning", "lowest severity that makes the exit status 1: error, warning, info or none")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"error", "warning", "info", "none"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Run reads the account, audits it and prints the report.
func Run(o *Options) error {
	failOn, err := o.check()
	if err != nil {
		return err
	}
	ctx := cmdutil.Context(o.Ctx)
	prog := newProgress(o.IO)
	defer prog.done()

	var actions []string
	if o.Actions != "" {
		if actions, err = o.readActions(); err != nil {
			return err
		}
	}
	acct, err := o.readAccount(ctx, prog)
	if err != nil {
		return err
	}
	rep, err := o.Backend.audit(acct, AuditOptions{Actions: actions, StaleDays: o.StaleDays, Progress: prog.decided})
	if err != nil {
		return failed(fmt.Errorf("audit: %w", err))
	}
	prog.done()

	// The whole report is rendered before anything is written: an error
	// leaves no partial output.
	var out bytes.Buffer
	if err := o.render(&out, rep); err != nil {
		return failed(err)
	}
	if _, err := o.IO.Out.Write(out.Bytes()); err != nil {
		return failed(fmt.Errorf("writing the report: %w", err))
	}
	if failOn > 0 && slices.ContainsFunc(rep.Findings, func(f audit.Finding) bool { return severityRank(f.Severity) >= failOn }) {
		return cmdutil.Findings()
	}
	return nil
}

// check validates the flags and returns the --fail-on rank (0: none).
func (o *Options) check() (int, error) {
	if !slices.Contains(formats, o.Format) {
		return 0, cmdutil.UsageError("--format: %q is not one of %s", o.Format, strings.Join(formats, ", "))
	}
	failOn := 0
	if o.FailOn != "none" {
		failOn = severityRank(audit.Severity(o.FailOn))
		if failOn == 0 {
			return 0, cmdutil.UsageError("--fail-on: %q is not one of error, warning, info, none", o.FailOn)
		}
	}
	if o.StaleDays < 1 || o.StaleDays > maxStaleDays {
		return 0, cmdutil.UsageError("--stale-days: %d is not a number of days from 1 to %d", o.StaleDays, maxStaleDays)
	}
	offline := o.AuthorizationDetails != ""
	switch {
	case offline && o.Profile != "":
		return 0, cmdutil.UsageError("--profile reads the account live and --authorization-details offline: give one of them")
	case !offline && o.CredentialReport != "":
		return 0, cmdutil.UsageError("--credential-report goes with --authorization-details (a live read fetches the credential report itself)")
	case !offline && len(o.SCPs) > 0:
		return 0, cmdutil.UsageError("--scp goes with --authorization-details (a live read fetches the SCPs when the caller may read them)")
	}
	stdin := 0
	for _, name := range append([]string{o.AuthorizationDetails, o.CredentialReport, o.Actions}, o.SCPs...) {
		if name == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return 0, cmdutil.UsageError("standard input ('-') named more than once")
	}
	return failOn, nil
}

// severityRank orders severities for --fail-on: info 1, warning 2, error 3;
// 0 for anything else.
func severityRank(s audit.Severity) int {
	switch s {
	case audit.SeverityInfo:
		return 1
	case audit.SeverityWarning:
		return 2
	case audit.SeverityError:
		return 3
	}
	return 0
}

func (o *Options) render(out *bytes.Buffer, rep *audit.Report) error {
	opts := render.Options{All: o.All, ToolVersion: version.String()}
	switch o.Format {
	case "json":
		return render.JSON(out, rep)
	case "sarif":
		return render.SARIF(out, rep, opts)
	case "html":
		return render.HTML(out, rep, opts)
	}
	return render.Text(out, rep, opts)
}

// failed makes err exit 2.
func failed(err error) error {
	return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
}
