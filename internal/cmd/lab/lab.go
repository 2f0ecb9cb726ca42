// Package lab is the `awsmfa lab` command group: a local STS/IAM endpoint
// that enforces IAM policies and checks MFA codes.
package lab

import (
	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// NewCmdLab returns `awsmfa lab`.
func NewCmdLab(ios *iostreams.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lab <command>",
		Short: "Run a local AWS STS/IAM endpoint that enforces policies and checks MFA codes",
		Long: `The lab is a local, AWS-compatible STS, IAM and EC2 (DescribeRegions) endpoint on
127.0.0.1. It verifies SigV4 signatures, checks MFA codes (RFC 6238, one step
of drift, no code accepted twice) and authorizes every call with awsmfa's IAM
policy evaluator against the caller's real request context, so the AWS CLI and
SDKs can try an MFA setup without an AWS account.`,
	}
	cmd.AddCommand(NewCmdServe(ios, nil))
	cmd.AddCommand(NewCmdTOTP(ios, nil))
	cmd.AddCommand(NewCmdInit(ios, nil))
	return cmd
}
