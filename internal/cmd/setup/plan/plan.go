// Package plan is `awsmfa setup plan`: what apply would change in the
// account, or the same setup as Terraform or CloudFormation code.
package plan

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmd/setup/setuputil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/setup"
)

// Options are the command's inputs.
type Options struct {
	Ctx     context.Context
	IO      *iostreams.IOStreams
	Factory *brokerutil.Factory

	Profile          string
	File             string
	Output           string
	DetailedExitcode bool
	Format           string
	AccountID        string
	Partition        string
}

// Exit statuses with --detailed-exitcode, as terraform plan's.
const (
	detailedNoChanges = 0
	detailedError     = 1
	detailedChanges   = 2
)

// NewCmdPlan returns the command; runF replaces Run in tests.
func NewCmdPlan(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "plan -f FILE [--profile P] [--detailed-exitcode] [--format terraform|cloudformation]",
		Short: "Show what setup apply would change in the account",
		Long: `Read the account live through the IAM API (the audit's read, plus the tags of
the customer managed policies), compute what the setup file asks for, and
print the steps that would bring the account there, as terraform does:
+ create, ~ update (with the diff of the policy document), - delete, and the
counts of unchanged resources. Then whose access changes, audited before
and after the plan, and who has no MFA device yet.

Nothing awsmfa did not create is ever touched: policies and roles carry the
tag awsmfa:managed, groups the path /awsmfa/; a name taken by anything else
stops the plan.

--format terraform|cloudformation prints the same setup as infrastructure
code instead, without reading the account (only sts:GetCallerIdentity for
the account ID, or none with --account-id).

Exit status: 0 when the plan was made, 2 for errors. With
--detailed-exitcode, terraform's convention: 0 no changes, 2 changes,
1 errors.`,
		Example: `  awsmfa setup plan -f setup.yaml --profile admin
  awsmfa setup plan -f setup.yaml --profile admin --output json
  awsmfa setup plan -f setup.yaml --detailed-exitcode --profile admin || echo "changes or error: $?"
  awsmfa setup plan -f setup.yaml --format terraform --account-id 123456789012 > mfa.tf`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{cmdutil.AnnotationDetailedExitcode: "true"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	f := cmd.Flags()
	brokerutil.AddProfileFlag(cmd, &o.Profile)
	f.StringVarP(&o.File, "file", "f", "", "setup `FILE` (YAML or JSON; - for standard input)")
	cmdutil.AddOutputFlag(cmd, &o.Output)
	f.BoolVar(&o.DetailedExitcode, "detailed-exitcode", false, "exit 0 for no changes, 2 for changes, 1 for errors")
	f.StringVar(&o.Format, "format", "", "print the setup as infrastructure code: terraform or cloudformation")
	f.StringVar(&o.AccountID, "account-id", "", "with --format: the account ID, without asking STS")
	f.StringVar(&o.Partition, "partition", "aws", "with --format and --account-id: the partition (aws, aws-cn, aws-us-gov)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{setup.FormatTerraform, setup.FormatCloudFormation}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// Run plans.
func Run(o *Options) error {
	err := run(o)
	if !o.DetailedExitcode {
		return err
	}
	return detailed(err)
}

// detailed maps the plan's result onto terraform's -detailed-exitcode:
// the changes' status stays 2, every error becomes 1.
func detailed(err error) error {
	if err == nil {
		return nil
	}
	if ec, ok := err.(*cmdutil.ExitCodeError); ok && ec.Code == detailedChanges && ec.Err == nil {
		return err
	}
	return &cmdutil.ExitCodeError{Code: detailedError, Err: unwrapExit(err)}
}

func unwrapExit(err error) error {
	if ec, ok := err.(*cmdutil.ExitCodeError); ok && ec.Err != nil {
		return ec.Err
	}
	return err
}

func run(o *Options) error {
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	if o.Format != "" && o.Format != setup.FormatTerraform && o.Format != setup.FormatCloudFormation {
		return cmdutil.UsageError("--format: %q is not one of terraform, cloudformation", o.Format)
	}
	if o.AccountID != "" && o.Format == "" {
		return cmdutil.UsageError("--account-id goes with --format (a plan reads the account)")
	}
	if o.AccountID != "" && !account.IsAccountID(o.AccountID) {
		return cmdutil.UsageError("--account-id: %q is not a 12-digit account ID", o.AccountID)
	}
	f, err := setuputil.ReadFile(o.IO, o.File)
	if err != nil {
		return err
	}
	ctx := cmdutil.Context(o.Ctx)
	if o.Format != "" {
		return o.export(ctx, f)
	}
	s, err := setuputil.Open(ctx, o.IO, o.Factory, o.Profile)
	if err != nil {
		return err
	}
	s.Notes(o.IO.ErrOut)
	p, err := s.Plan(f)
	if err != nil {
		return err
	}
	safety, err := s.Safety(p)
	if err != nil {
		return err
	}
	if o.Output == cmdutil.OutputJSON {
		out, err := p.JSONWithSafety(safety)
		if err != nil {
			return setuputil.Failed(err)
		}
		_, _ = o.IO.Out.Write(out)
	} else {
		fmt.Fprintf(o.IO.Out, "Account %s (%s), setup file %s.\n\n", s.Account.ID, s.Source, f.Name)
		_, _ = o.IO.Out.Write(p.Text())
		if p.Changes() {
			fmt.Fprintln(o.IO.Out)
			_, _ = o.IO.Out.Write(safety.Text())
		}
	}
	if o.DetailedExitcode && p.Changes() {
		return &cmdutil.ExitCodeError{Code: detailedChanges}
	}
	return nil
}

// export prints the setup as Terraform or CloudFormation.
func (o *Options) export(ctx context.Context, f *setup.File) error {
	id, partition := o.AccountID, o.Partition
	if id == "" {
		cfg, source, err := o.Factory.SDKConfig(ctx, o.Profile, "sts")
		if err != nil {
			return setuputil.Failed(err)
		}
		out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return setuputil.Failed(fmt.Errorf("the account ID (%s): %w (or pass --account-id)", source, err))
		}
		id = aws.ToString(out.Account)
		if p := arnPartition(aws.ToString(out.Arn)); p != "" {
			partition = p
		}
	}
	d, err := setup.Build(f, id, partition)
	if err != nil {
		return setuputil.Failed(err)
	}
	code, err := setup.Export(d, o.Format)
	if err != nil {
		return setuputil.Failed(err)
	}
	_, _ = o.IO.Out.Write(code)
	return nil
}

func arnPartition(arn string) string {
	if parts := strings.SplitN(arn, ":", 3); len(parts) == 3 && parts[0] == "arn" {
		return parts[1]
	}
	return ""
}
