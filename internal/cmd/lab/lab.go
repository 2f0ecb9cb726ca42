// Package lab is the `awsmfa lab` command group: a local STS/IAM endpoint
// that enforces IAM policies and checks MFA codes.
package lab

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/lab/store"
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

// openStore opens the state file at path and tells ErrOut what opening
// changed: the state is private (0600 files, 0700 new directories) and a
// file others could read is tightened, with a warning.
func openStore(ios *iostreams.IOStreams, path string) (*store.Store, error) {
	st, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	for _, w := range st.Warnings() {
		fmt.Fprintln(ios.ErrOut, "warning:", w)
	}
	return st, nil
}
