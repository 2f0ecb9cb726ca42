// Package root assembles the awsmfa command tree.
package root

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/spf13/cobra"

	auditcmd "github.com/awsmfa/awsmfa/internal/cmd/audit"
	clearcmd "github.com/awsmfa/awsmfa/internal/cmd/clear"
	"github.com/awsmfa/awsmfa/internal/cmd/configure"
	"github.com/awsmfa/awsmfa/internal/cmd/credentialprocess"
	democmd "github.com/awsmfa/awsmfa/internal/cmd/demo"
	execcmd "github.com/awsmfa/awsmfa/internal/cmd/exec"
	"github.com/awsmfa/awsmfa/internal/cmd/export"
	keyscmd "github.com/awsmfa/awsmfa/internal/cmd/keys"
	labcmd "github.com/awsmfa/awsmfa/internal/cmd/lab"
	"github.com/awsmfa/awsmfa/internal/cmd/login"
	mfacmd "github.com/awsmfa/awsmfa/internal/cmd/mfa"
	"github.com/awsmfa/awsmfa/internal/cmd/policy"
	"github.com/awsmfa/awsmfa/internal/cmd/serve"
	setupcmd "github.com/awsmfa/awsmfa/internal/cmd/setup"
	"github.com/awsmfa/awsmfa/internal/cmd/status"
	"github.com/awsmfa/awsmfa/internal/cmd/version"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// NewCmdRoot returns the root command.
func NewCmdRoot(ios *iostreams.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "awsmfa <command>",
		Short: "Make multi-factor authentication work for the AWS CLI, end to end",
		Long: `awsmfa makes MFA work for the AWS CLI, for both people involved:

  administrators: evaluate, lint and generate IAM policies that really require
  MFA (a "Bool" aws:MultiFactorAuthPresent deny lets long-term access keys
  through; "BoolIfExists" does not);

  CLI users: get MFA-backed temporary credentials into the AWS CLI, SDKs and
  long-running jobs with one code a day.

Exit codes: 0 success, 1 a negative answer (lint findings, a denied request),
2 usage error, bad input or a failed operation.`,
		Version:       version.Long(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.SetIn(ios.In)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.SetVersionTemplate("awsmfa {{.Version}}\n")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath())}
	})
	cmd.AddCommand(policy.NewCmdPolicy(ios))
	cmd.AddCommand(auditcmd.NewCmdAudit(ios, nil))
	cmd.AddCommand(labcmd.NewCmdLab(ios))
	cmd.AddCommand(democmd.NewCmdDemo(ios, nil))
	cmd.AddCommand(credentialprocess.NewCmdCredentialProcess(ios, nil))
	cmd.AddCommand(execcmd.NewCmdExec(ios, nil))
	cmd.AddCommand(serve.NewCmdServe(ios, nil))
	cmd.AddCommand(export.NewCmdExport(ios, nil))
	cmd.AddCommand(status.NewCmdStatus(ios, nil))
	cmd.AddCommand(clearcmd.NewCmdClear(ios, nil))
	cmd.AddCommand(configure.NewCmdConfigure(ios, nil))
	cmd.AddCommand(login.NewCmdLogin(ios, nil))
	cmd.AddCommand(mfacmd.NewCmdMFA(ios))
	cmd.AddCommand(setupcmd.NewCmdSetup(ios))
	cmd.AddCommand(keyscmd.NewCmdKeys(ios))
	return cmd
}

// Main runs the command line and returns the process exit code. Errors that
// are not an ExitCodeError (cobra's unknown command or wrong argument count,
// failed I/O) exit 2.
//
// The command runs under one context, cancelled on the first SIGINT or
// SIGTERM: every STS, IAM and lab call made through it ends at once, and
// the command says it was interrupted. A second signal has its default
// effect (the process ends), so a command that ignores its context can
// still be stopped.
func Main(ios *iostreams.IOStreams, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	return run(ctx, ios, args)
}

// run executes the command tree under ctx; a credential_process line
// (credential-process with its usual flags) runs without building it.
func run(ctx context.Context, ios *iostreams.IOStreams, args []string) int {
	if o, ok := credentialprocess.Fast(ios, args); ok {
		o.Ctx = ctx
		return report(ctx, ios, credentialprocess.Run(o))
	}
	cmd := NewCmdRoot(ios)
	cmd.SetArgs(args)
	executed, err := cmd.ExecuteContextC(ctx)
	if err != nil {
		err = detailedExitcode(executed, args, interrupted(ctx, err))
	}
	return report(ctx, ios, err)
}

// report prints a command's error on standard error (unless it is only an
// exit status) and returns the exit code.
func report(ctx context.Context, ios *iostreams.IOStreams, err error) int {
	if err != nil {
		err = interrupted(ctx, err)
		var ec *cmdutil.ExitCodeError
		if !errors.As(err, &ec) || ec.Err != nil {
			fmt.Fprintln(ios.ErrOut, "awsmfa:", err)
		}
	}
	return cmdutil.ExitCode(err)
}

// detailedExitcode keeps terraform's --detailed-exitcode convention (0 no
// changes, 2 changes, 1 errors) for the errors a command never sees: a
// command line cobra cannot parse exits 1, not 2, when the command has the
// flag and it was given.
func detailedExitcode(executed *cobra.Command, args []string, err error) error {
	if executed == nil || executed.Annotations[cmdutil.AnnotationDetailedExitcode] == "" || !slices.ContainsFunc(args, isDetailedFlag) {
		return err
	}
	var ec *cmdutil.ExitCodeError
	if errors.As(err, &ec) && (ec.Code != cmdutil.ExitError || ec.Err == nil) {
		return err
	}
	return &cmdutil.ExitCodeError{Code: cmdutil.ExitFindings, Err: err}
}

func isDetailedFlag(arg string) bool {
	return arg == "--detailed-exitcode" || arg == "--detailed-exitcode=true"
}

// interrupted rewrites an error caused by the cancelled context into one
// that says so; a command's own answer (such as exec's child status) is kept.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	var ec *cmdutil.ExitCodeError
	if errors.As(err, &ec) && ec.Err == nil {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: errors.New("interrupted: the call in progress was cancelled; nothing was cached")}
	}
	return err
}
