// Package remove is `awsmfa mfa remove`: deactivate an MFA device and,
// for a virtual one, delete it.
package remove

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
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
	Yes     bool
}

// NewCmdRemove returns the command; runF replaces Run in tests.
func NewCmdRemove(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "remove [--profile P] [--user U] [--serial S] [--yes]",
		Short: "Deactivate an MFA device and delete it (virtual devices)",
		Long: `Deactivate the device (DeactivateMFADevice) and, for a virtual device, delete
it (DeleteVirtualMFADevice). The device is the user's only one unless
--serial names it. On a terminal the command asks first; without one it
needs --yes. Policies that require MFA usually allow deactivation only with
an MFA session: use a profile with mfa_serial.`,
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
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// Run removes.
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
	if !o.Yes {
		if err := mfautil.Confirm(o.IO, fmt.Sprintf("Remove MFA device %s of user %s?", serial, user)); err != nil {
			return err
		}
	}
	if err := mfadevice.Remove(ctx, c.IAM, user, serial); err != nil {
		return mfautil.Failed(err)
	}
	fmt.Fprintf(o.IO.ErrOut, "Removed %s from user %s.\n", serial, user)
	o.warnProfiles(serial)
	return nil
}

// warnProfiles names the profiles whose mfa_serial is the removed device.
func (o *Options) warnProfiles(serial string) {
	cfg, err := o.Factory.LoadConfig()
	if err != nil {
		return
	}
	var names []string
	for _, name := range cfg.ProfileNames() {
		if v, ok := cfg.Profile(name).Get(awsconfig.KeyMFASerial); ok && v == serial {
			names = append(names, name)
		}
	}
	if len(names) > 0 {
		fmt.Fprintf(o.IO.ErrOut, "Profiles still naming it in mfa_serial: %s\n", strings.Join(names, ", "))
	}
}
