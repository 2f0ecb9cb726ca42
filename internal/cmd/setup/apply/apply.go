// Package apply is `awsmfa setup apply`: make the plan's changes, after
// showing them and whose access they change, and a confirmation.
package apply

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmd/setup/setuputil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// Options are the command's inputs.
type Options struct {
	Ctx     context.Context
	IO      *iostreams.IOStreams
	Factory *brokerutil.Factory

	Profile string
	File    string
	Output  string
	Yes     bool
	Force   bool
}

// NewCmdApply returns the command; runF replaces Run in tests.
func NewCmdApply(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "apply -f FILE [--profile P] [--yes] [--force]",
		Short: "Apply a setup file to the account: groups that require MFA, roles assumed only with MFA",
		Long: `Plan as "setup plan" does, show the plan and whose access it changes, ask
for confirmation on the terminal (--yes skips it; without a terminal and
without --yes nothing is done), then make exactly the plan's changes in
order: policies, groups, memberships, attachments, roles, then the users'
assume-role policies. Managed policies are updated with a new default
version (the oldest other version is deleted first when five exist). What
awsmfa creates is tagged awsmfa:managed (groups, which IAM cannot tag, get
the path /awsmfa/); nothing else is touched.

A plan that would take away the access of the credentials running it (you
are in the group, sign with long-term keys and have no MFA device) is
refused unless --force: enroll a device first (awsmfa mfa enroll) and apply
with an MFA profile.

If a step fails, apply stops and says what was done and what was not;
running apply again finishes the work, since every plan starts from what
the account holds.

Exit status: 0 applied (or nothing to do), 1 not confirmed, 2 errors,
refusals and failed steps.`,
		Example: `  awsmfa setup apply -f setup.yaml --profile admin
  awsmfa setup apply -f setup.yaml --profile admin --yes --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	brokerutil.AddProfileFlag(cmd, &o.Profile)
	cmd.Flags().StringVarP(&o.File, "file", "f", "", "setup `FILE` (YAML or JSON; - for standard input)")
	cmdutil.AddOutputFlag(cmd, &o.Output)
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&o.Force, "force", false, "apply even a plan that locks out the credentials running it")
	return cmd
}

// Run applies.
func Run(o *Options) error {
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	if o.File == "-" && !o.Yes {
		return cmdutil.UsageError("-f -: the setup file is on standard input, so apply cannot ask: pass --yes")
	}
	f, err := setuputil.ReadFile(o.IO, o.File)
	if err != nil {
		return err
	}
	ctx := cmdutil.Context(o.Ctx)
	s, err := setuputil.Open(ctx, o.IO, o.Factory, o.Profile)
	if err != nil {
		return err
	}
	s.Notes(o.IO.ErrOut)
	p, err := s.Plan(f)
	if err != nil {
		return err
	}
	return setuputil.Execute(ctx, o.IO, s, p, setuputil.Settings{Output: o.Output, Yes: o.Yes, Force: o.Force, Verb: "apply", File: f.Name})
}
