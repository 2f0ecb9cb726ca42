// Package demo is `awsmfa demo`.
package demo

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/demo"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// Options are the command's inputs.
type Options struct {
	IO     *iostreams.IOStreams
	Output string
	LabLog bool
}

// NewCmdDemo returns the command; runF replaces Run in tests.
func NewCmdDemo(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Play the MFA story against a local lab: why Bool lets access keys through and BoolIfExists does not",
		Long: `Start a local AWS-compatible lab (in memory, on a free 127.0.0.1 port; no AWS
account, no network) seeded with three users, and play the seeds' story with
real AWS SDK for Go v2 calls over HTTP:

  alice's group denies access with {"Bool": {"aws:MultiFactorAuthPresent": "false"}}:
    her long-term access keys get through (the key is absent from their requests),
    a session token without MFA is stopped;
  bob's group uses "BoolIfExists": his access keys are denied until he trades
    an MFA code for a session token;
  anika assumes cli-role, whose trust policy requires MFA: refused without a
    code, allowed with one.

Each step prints who called what with which credentials, the lab's answer and
the policy statement that decided it, then why.

Exit status: 0 when every step behaved as the story expects, 1 when one did
not, 2 when the lab could not run.`,
		Example: `  awsmfa demo
  awsmfa demo --output json
  awsmfa demo --lab-log     # also print the lab's per-request log to stderr`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutput(o.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return Run(cmd.Context(), o)
		},
	}
	cmdutil.AddOutputFlag(cmd, &o.Output)
	cmd.Flags().BoolVar(&o.LabLog, "lab-log", false, "print the lab's per-request log lines to stderr")
	return cmd
}

// Run plays the story and prints the report.
func Run(ctx context.Context, o *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var labLog io.Writer
	if o.LabLog {
		labLog = o.IO.ErrOut
	}
	report, err := demo.Run(ctx, demo.Options{LabLog: labLog})
	if err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("demo: %w", err)}
	}
	if o.Output == cmdutil.OutputJSON {
		err = report.WriteJSON(o.IO.Out)
	} else {
		err = report.WriteText(o.IO.Out)
	}
	if err != nil {
		return err
	}
	if !report.OK {
		return cmdutil.Findings()
	}
	return nil
}
