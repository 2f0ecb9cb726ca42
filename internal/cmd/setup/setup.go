// Package setup is `awsmfa setup`: apply the seeds' MFA setup to an
// account declaratively (groups that require MFA, roles assumed only with
// MFA), plan it, destroy it, and write a starter file.
package setup

import (
	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/cmd/setup/apply"
	"github.com/awsmfa/awsmfa/internal/cmd/setup/destroy"
	initcmd "github.com/awsmfa/awsmfa/internal/cmd/setup/init"
	"github.com/awsmfa/awsmfa/internal/cmd/setup/plan"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// NewCmdSetup returns the command group.
func NewCmdSetup(ios *iostreams.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "setup <command>",
		Short: "Require MFA in an account from a setup file: plan, apply, destroy, init",
		Long: `Apply the MFA setup of a declarative file to an account through the IAM API,
terraform-style: "setup plan" shows what would change and whose access,
"setup apply" makes it after confirmation, "setup destroy" removes what
awsmfa created, "setup init" writes a starter file.

  version: 1
  groups:
    - name: mfa-required
      users: [alice, bob]
      requireMfa: true          # awsmfa's deny-without-MFA policy (BoolIfExists)
      maxMfaAgeSeconds: 43200   # optional
  roles:
    - name: cli-role
      requireMfa: true          # the trust policy admits trustedUsers only with MFA
      trustedUsers: [alice]
      managedPolicies: [arn:aws:iam::aws:policy/PowerUserAccess]
      maxSessionDuration: 43200`,
	}
	cmd.AddCommand(plan.NewCmdPlan(ios, nil))
	cmd.AddCommand(apply.NewCmdApply(ios, nil))
	cmd.AddCommand(destroy.NewCmdDestroy(ios, nil))
	cmd.AddCommand(initcmd.NewCmdInit(ios, nil))
	return cmd
}
