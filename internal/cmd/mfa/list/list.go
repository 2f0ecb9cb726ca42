// Package list is `awsmfa mfa list`: a user's MFA devices and the
// profiles whose mfa_serial names them.
package list

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

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
	Output  string
}

// NewCmdList returns the command; runF replaces Run in tests.
func NewCmdList(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "list [--profile P] [--user U]",
		Short: "List a user's MFA devices and the profiles that use them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return Run(cmd.Context(), o)
		},
	}
	brokerutil.AddProfileFlag(cmd, &o.Profile)
	cmd.Flags().StringVar(&o.User, "user", "", "IAM user (default: the caller)")
	cmdutil.AddOutputFlag(cmd, &o.Output)
	return cmd
}

// Device is one line of the output.
type Device struct {
	User         string    `json:"user"`
	SerialNumber string    `json:"serialNumber"`
	EnableDate   time.Time `json:"enableDate"`
	// Profiles are the profiles of the config files whose mfa_serial is
	// the device.
	Profiles []string `json:"profiles"`
}

// Run lists.
func Run(ctx context.Context, o *Options) error {
	ctx = cmdutil.Context(ctx)
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	c, err := mfautil.NewClients(ctx, o.Factory, o.Profile)
	if err != nil {
		return err
	}
	user, err := c.User(ctx, o.User)
	if err != nil {
		return err
	}
	devs, err := mfadevice.List(ctx, c.IAM, user)
	if err != nil {
		return mfautil.Failed(err)
	}
	cfg, err := o.Factory.LoadConfig()
	if err != nil {
		return mfautil.Failed(err)
	}
	out := make([]Device, 0, len(devs))
	for _, d := range devs {
		out = append(out, Device{User: d.User, SerialNumber: d.Serial, EnableDate: d.Enabled.UTC(), Profiles: profilesUsing(cfg, d.Serial)})
	}
	return o.print(user, out)
}

// profilesUsing are the profiles whose own mfa_serial is serial.
func profilesUsing(cfg *awsconfig.Config, serial string) []string {
	names := []string{}
	for _, name := range cfg.ProfileNames() {
		if v, ok := cfg.Profile(name).Get(awsconfig.KeyMFASerial); ok && v == serial {
			names = append(names, name)
		}
	}
	return names
}

func (o *Options) print(user string, devs []Device) error {
	if o.Output == cmdutil.OutputJSON {
		return cmdutil.WriteJSON(o.IO.Out, devs)
	}
	if len(devs) == 0 {
		fmt.Fprintf(o.IO.ErrOut, "User %s has no MFA device; enroll one with: awsmfa mfa enroll\n", user)
		return nil
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tSERIAL\tENABLED\tPROFILES")
	for _, d := range devs {
		profiles := strings.Join(d.Profiles, ",")
		if profiles == "" {
			profiles = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.User, d.SerialNumber, d.EnableDate.Format(time.RFC3339), profiles)
	}
	return tw.Flush()
}
