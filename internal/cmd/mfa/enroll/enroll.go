// Package enroll is `awsmfa mfa enroll`: create a virtual MFA device,
// show it as a QR code, enable it with two codes and write mfa_serial
// into the profile.
package enroll

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

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
	IO         *iostreams.IOStreams
	Factory    *brokerutil.Factory
	Profile    string
	User       string
	DeviceName string
	QRPNG      string
	OtpauthOut string
	Output     string
}

// NewCmdEnroll returns the command; runF replaces Run in tests.
func NewCmdEnroll(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "enroll [--profile P] [--user U] [--device-name N]",
		Short: "Create and enable a virtual MFA device, and write mfa_serial into the profile",
		Long: `Create a virtual MFA device for the user (default: the caller), show it as a
QR code to scan with an authenticator app, read two consecutive codes (on a
terminal by asking, else one per line from standard input), enable the
device, and write its mfa_serial into the profile's section of the AWS config
file (every other byte of the file is kept).

The device is named after the user unless --device-name says otherwise
(self-service policies usually allow only arn:aws:iam::*:mfa/${aws:username}).
If anything fails before the device is enabled, the device is deleted again,
so that a retry can reuse the name.

--qr-png and --otpauth-out write the QR code and the otpauth:// URI (for
password managers) into new files of mode 0600; they hold the device's
secret, which is never written anywhere else. When --user names another user
(an administrator enrolling for someone), no profile is changed.`,
		Example: `  awsmfa mfa enroll --profile bob
  awsmfa mfa enroll --profile admin --user carol --qr-png carol-mfa.png`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return Run(cmd.Context(), o)
		},
	}
	brokerutil.AddProfileFlag(cmd, &o.Profile)
	cmd.Flags().StringVar(&o.User, "user", "", "IAM user to enroll (default: the caller)")
	cmd.Flags().StringVar(&o.DeviceName, "device-name", "", "virtual device name (default: the user name)")
	cmd.Flags().StringVar(&o.QRPNG, "qr-png", "", "also write the QR code as PNG into this new file (0600)")
	cmd.Flags().StringVar(&o.OtpauthOut, "otpauth-out", "", "also write the otpauth:// URI into this new file (0600)")
	cmdutil.AddOutputFlag(cmd, &o.Output)
	return cmd
}

// Result is what --output json prints.
type Result struct {
	User         string `json:"user"`
	SerialNumber string `json:"serialNumber"`
	// Profile is the profile that received mfa_serial ("" for none).
	Profile string `json:"profile,omitempty"`
}

// Run enrolls.
func Run(ctx context.Context, o *Options) error {
	ctx = cmdutil.Context(ctx)
	if err := o.check(); err != nil {
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
	name := o.DeviceName
	if name == "" {
		name = user
	}
	codes := &mfautil.CodeReader{IO: o.IO}
	v, err := mfadevice.Enroll(ctx, c.IAM, mfadevice.EnrollRequest{User: user, DeviceName: name, Present: o.present, Codes: codes.Codes})
	if err != nil {
		return mfautil.Failed(err)
	}
	res := Result{User: user, SerialNumber: v.Serial}
	if res.Profile, err = o.writeProfile(v.Serial); err != nil {
		return mfautil.Failed(fmt.Errorf("%s is enabled for %s, but the profile was not updated: %w", v.Serial, user, err))
	}
	return o.print(res)
}

func (o *Options) check() error {
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	if o.DeviceName != "" {
		if err := mfadevice.CheckName(o.DeviceName); err != nil {
			return cmdutil.UsageError("--device-name: %v", err)
		}
	}
	if o.Profile != "" && !awsconfig.IsIdentifier(o.Profile) {
		return cmdutil.UsageError("--profile %q is not a valid profile name", o.Profile)
	}
	// Checked before the device exists (and again when writing, which
	// never overwrites).
	for _, f := range []struct{ flag, path string }{{"--qr-png", o.QRPNG}, {"--otpauth-out", o.OtpauthOut}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Lstat(f.path); err == nil {
			return cmdutil.UsageError("%s: %s already exists; remove it or choose another file", f.flag, f.path)
		}
		if fi, err := os.Stat(filepath.Dir(f.path)); err != nil || !fi.IsDir() {
			return cmdutil.UsageError("%s: the folder of %s does not exist", f.flag, f.path)
		}
	}
	if o.QRPNG != "" && o.QRPNG == o.OtpauthOut {
		return cmdutil.UsageError("--qr-png and --otpauth-out name the same file")
	}
	return nil
}

// present shows the QR code on standard error (it is for the person at
// the terminal, not data) and writes the files asked for.
func (o *Options) present(v *mfadevice.Virtual) error {
	w := o.IO.ErrOut
	fmt.Fprintf(w, "Created %s. Scan this QR code with your authenticator app:\n\n", v.Serial)
	if err := v.WriteQR(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if o.QRPNG != "" {
		png, err := mfadevice.PNG(v.URI())
		if err != nil {
			return err
		}
		if err := mfadevice.WriteSecretFile(o.QRPNG, png); err != nil {
			return fmt.Errorf("--qr-png: %w", err)
		}
		fmt.Fprintf(w, "Wrote the QR code to %s (it holds the device's secret).\n", o.QRPNG)
	}
	if o.OtpauthOut != "" {
		if err := mfadevice.WriteSecretFile(o.OtpauthOut, []byte(v.URI()+"\n")); err != nil {
			return fmt.Errorf("--otpauth-out: %w", err)
		}
		fmt.Fprintf(w, "Wrote the otpauth:// URI to %s (it holds the device's secret).\n", o.OtpauthOut)
	}
	return nil
}

// writeProfile sets mfa_serial in the caller's profile: --profile, else
// $AWS_PROFILE or default when the files define it. Nothing is written
// for another user, or when the credentials came from elsewhere.
func (o *Options) writeProfile(serial string) (string, error) {
	if o.User != "" {
		fmt.Fprintf(o.IO.ErrOut, "--user given: no profile changed; the user's profile needs mfa_serial = %s\n", serial)
		return "", nil
	}
	f := o.Factory
	cfg, err := f.LoadConfig()
	if err != nil {
		return "", err
	}
	name := f.ProfileName(o.Profile)
	if o.Profile == "" && (f.Getenv("AWS_ACCESS_KEY_ID") != "" || cfg.Profile(name) == nil) {
		fmt.Fprintf(o.IO.ErrOut, "The credentials are not from a profile: none changed; set mfa_serial = %s in yours\n", serial)
		return "", nil
	}
	err = awsconfig.EditFile(cfg.ConfigPath, func(b []byte) ([]byte, error) {
		return awsconfig.SetProfile(b, name, []awsconfig.KeyValue{{Key: awsconfig.KeyMFASerial, Value: serial}})
	})
	if err != nil {
		return "", err
	}
	fmt.Fprintf(o.IO.ErrOut, "Enabled. Profile %s in %s now has mfa_serial = %s\n", name, cfg.ConfigPath, serial)
	return name, nil
}

func (o *Options) print(res Result) error {
	if o.Output == cmdutil.OutputJSON {
		return cmdutil.WriteJSON(o.IO.Out, res)
	}
	_, err := fmt.Fprintln(o.IO.Out, res.SerialNumber)
	return err
}
