// Package mfa is `awsmfa mfa`: enroll, list, resync and remove IAM MFA
// devices through the IAM API.
package mfa

import (
	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/cmd/mfa/enroll"
	"github.com/awsmfa/awsmfa/internal/cmd/mfa/list"
	"github.com/awsmfa/awsmfa/internal/cmd/mfa/remove"
	"github.com/awsmfa/awsmfa/internal/cmd/mfa/resync"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// NewCmdMFA returns the command group.
func NewCmdMFA(ios *iostreams.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mfa <command>",
		Short: "Enroll, list, resync and remove IAM MFA devices",
		Long: `Manage the IAM MFA devices of a user (default: the caller) through the IAM
API, with the credentials of a profile (--profile) resolved as the other
commands do. "mfa enroll" works with long-term keys alone under a policy
that denies everything but MFA self-service without MFA.`,
	}
	cmd.AddCommand(enroll.NewCmdEnroll(ios, nil))
	cmd.AddCommand(list.NewCmdList(ios, nil))
	cmd.AddCommand(resync.NewCmdResync(ios, nil))
	cmd.AddCommand(remove.NewCmdRemove(ios, nil))
	return cmd
}
