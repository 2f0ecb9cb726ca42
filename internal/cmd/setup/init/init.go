// Package initcmd is `awsmfa setup init`: write a starter setup file from
// flags or from the account's users and groups.
package initcmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/awsconfig"
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

	Profile   string
	File      string
	Force     bool
	Group     string
	Users     []string
	AllUsers  bool
	Role      string
	Policies  []string
	LikeGroup string
}

// NewCmdInit returns the command; runF replaces Run in tests.
func NewCmdInit(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "init [-f FILE] [--group G] [--users U,... | --all-users] [--role R [--policy ARN]... [--like-group G]]",
		Short: "Write a starter setup file",
		Long: `Write a setup file: a group that requires MFA (default "mfa-required") with
the users named, or with --all-users every user of the account; with --role,
a role those users may assume only with MFA, with the managed policies of
--policy, or with --like-group G the managed policies group G has today
(seed 003's "role with identical permissions to the user's current
permissions"). --all-users and --like-group read the account (--profile).

The file goes to standard output, or to -f FILE (created new with mode 0600;
an existing file is kept unless --force). Check it with setup plan.`,
		Example: `  awsmfa setup init --users alice,bob --role cli-role --policy arn:aws:iam::aws:policy/PowerUserAccess -f setup.yaml
  awsmfa setup init --profile admin --all-users --role cli-role --like-group developers -f setup.yaml`,
		Args: cobra.NoArgs,
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
	f.StringVarP(&o.File, "file", "f", "", "write the setup file to `FILE` instead of standard output")
	f.BoolVar(&o.Force, "force", false, "replace an existing FILE")
	f.StringVar(&o.Group, "group", "", `the group that requires MFA (default "mfa-required")`)
	f.StringSliceVar(&o.Users, "users", nil, "the group's users (comma-separated or repeated)")
	f.BoolVar(&o.AllUsers, "all-users", false, "every user of the account (reads the account)")
	f.StringVar(&o.Role, "role", "", "a role the users assume only with MFA")
	f.StringSliceVar(&o.Policies, "policy", nil, "managed policy `ARN` for the role (repeatable)")
	f.StringVar(&o.LikeGroup, "like-group", "", "give the role the managed policies this group has (reads the account)")
	cmd.MarkFlagsMutuallyExclusive("users", "all-users")
	return cmd
}

// Run writes the file.
func Run(o *Options) error {
	var acct *account.Account
	if o.AllUsers || o.LikeGroup != "" {
		ctx := cmdutil.Context(o.Ctx)
		s, err := setuputil.Open(ctx, o.IO, o.Factory, o.Profile)
		if err != nil {
			return err
		}
		acct = s.Account
	}
	data, notes, err := setup.Init(setup.InitOptions{Group: o.Group, Users: o.Users, AllUsers: o.AllUsers,
		Role: o.Role, Policies: o.Policies, LikeGroup: o.LikeGroup}, acct)
	if err != nil {
		return cmdutil.UsageError("%v", err)
	}
	for _, n := range notes {
		fmt.Fprintf(o.IO.ErrOut, "note: %s\n", n)
	}
	if o.File == "" || o.File == "-" {
		_, _ = o.IO.Out.Write(data)
		return nil
	}
	if err := writeNew(o.File, data, o.Force); err != nil {
		return setuputil.Failed(err)
	}
	fmt.Fprintf(o.IO.ErrOut, "Wrote %s. Next: awsmfa setup plan -f %s\n", o.File, o.File)
	return nil
}

// writeNew writes data to a new file (0600), or over an existing one with
// force, through a temporary file renamed into place.
func writeNew(path string, data []byte, force bool) error {
	if _, err := os.Lstat(path); err == nil && !force {
		return fmt.Errorf("%s exists: pass --force to replace it", path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return awsconfig.WriteFileAtomic(path, data, 0o600)
}
