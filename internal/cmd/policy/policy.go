// Package policy is the `awsmfa policy` command group.
package policy

import (
	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/cmd/policy/generate"
	"github.com/awsmfa/awsmfa/internal/cmd/policy/lint"
	"github.com/awsmfa/awsmfa/internal/cmd/policy/simulate"

	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// NewCmdPolicy returns `awsmfa policy`.
func NewCmdPolicy(ios *iostreams.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy <command>",
		Short: "Evaluate, lint and generate IAM policies that require MFA",
	}
	cmd.AddCommand(lint.NewCmdLint(ios, nil))
	cmd.AddCommand(simulate.NewCmdSimulate(ios, nil))
	cmd.AddCommand(generate.NewCmdGenerate(ios, nil))
	return cmd
}
