// Package destroy is `awsmfa setup destroy`: remove everything awsmfa
// setup created, and nothing else.
package destroy

import (
	"context"

	"github.com/spf13/cobra"

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

	Profile string
	Output  string
	Yes     bool
	Force   bool
}

// NewCmdDestroy returns the command; runF replaces Run in tests.
func NewCmdDestroy(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "destroy [--profile P] [--yes]",
		Short: "Remove what awsmfa setup created: its policies, groups and roles",
		Long: `Plan the removal of everything awsmfa setup manages in the account
(policies and roles tagged awsmfa:managed, groups with the path /awsmfa/),
in the reverse of apply's order: the users' assume-role policies, the roles,
the group memberships and the groups, then the policies with their older
versions. awsmfa's policies are also detached from whatever else they were
attached to, which IAM requires before deleting them; nothing else is
touched. Shows the plan and whose access changes (removing a group that
requires MFA opens access again), asks on the terminal (--yes skips it),
then removes.

Exit status: 0 removed (or nothing to remove), 1 not confirmed, 2 errors
and failed steps (run destroy again to finish).`,
		Example: `  awsmfa setup destroy --profile admin`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	brokerutil.AddProfileFlag(cmd, &o.Profile)
	cmdutil.AddOutputFlag(cmd, &o.Output)
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().BoolVar(&o.Force, "force", false, "destroy even when it locks out the credentials running it")
	return cmd
}

// Run destroys.
func Run(o *Options) error {
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	ctx := cmdutil.Context(o.Ctx)
	s, err := setuputil.Open(ctx, o.IO, o.Factory, o.Profile)
	if err != nil {
		return err
	}
	s.Notes(o.IO.ErrOut)
	return setuputil.Execute(ctx, o.IO, s, setup.Destroy(s.Account), setuputil.Settings{Output: o.Output, Yes: o.Yes, Force: o.Force, Verb: "destroy"})
}
