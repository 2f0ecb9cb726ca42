// Package resync is `awsmfa mfa resync`: resynchronize a drifted MFA
// device with two consecutive codes.
package resync

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmd/mfa/mfautil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/mfadevice"
)

// Options are the command's inputs.
type Options struct {
	IO      *iostreams.IOStreams
	Factory *brokerutil.Factory
	Profile string
	User    string
	Serial  string
}

// NewCmdResync returns the command; runF replaces Run in tests.
func NewCmdResync(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "resync [--profile P] [--user U] [--serial S]",
		Short: "Resynchronize an MFA device whose codes IAM no longer accepts",
		Long: `Read two consecutive codes (on a terminal by asking, else one per line from
standard input) and resynchronize the device with IAM (ResyncMFADevice). The
device is the user's only one unless --serial names it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return Run(cmd.Context(), o)
		},
	}
	brokerutil.AddProfileFlag(cmd, &o.Profile)
	cmd.Flags().StringVar(&o.User, "user", "", "IAM user (default: the caller)")
	cmd.Flags().StringVar(&o.Serial, "serial", "", "device serial number or ARN (default: the user's only device)")
	return cmd
}

// Run resynchronizes.
func Run(ctx context.Context, o *Options) error {
	ctx = cmdutil.Context(ctx)
	c, err := mfautil.NewClients(ctx, o.Factory, o.Profile)
	if err != nil {
		return err
	}
	user, err := c.User(ctx, o.User)
	if err != nil {
		return err
	}
	serial, err := c.Device(ctx, user, o.Serial)
	if err != nil {
		return err
	}
	codes := &mfautil.CodeReader{IO: o.IO}
	c1, c2, err := codes.Codes(ctx)
	if err != nil {
		return err
	}
	if err := mfadevice.Resync(ctx, c.IAM, user, serial, c1, c2); err != nil {
		return mfautil.Failed(err)
	}
	fmt.Fprintf(o.IO.ErrOut, "Resynchronized %s for user %s.\n", serial, user)
	return nil
}
