package lab

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/lab"
)

// TOTPOptions are the inputs of `awsmfa lab totp`.
type TOTPOptions struct {
	IO     *iostreams.IOStreams
	Serial string
	State  string
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// NewCmdTOTP returns `awsmfa lab totp`; runF replaces RunTOTP in tests.
func NewCmdTOTP(ios *iostreams.IOStreams, runF func(*TOTPOptions) error) *cobra.Command {
	o := &TOTPOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "totp --serial ARN",
		Short: "Print the current code of a lab virtual MFA device",
		Long: `Print the current six-digit code of a lab virtual MFA device (RFC 6238:
HMAC-SHA1, 30-second steps), for scripts and tests. It agrees with
"oathtool --totp -b SEED" for the device's Base32StringSeed. --serial takes the
device's serial number (its ARN) or its name. Printing a code does not use it.`,
		Example: `  awsmfa lab totp --serial arn:aws:iam::123456789012:mfa/alice
  aws sts get-session-token --serial-number "$SERIAL" --token-code "$(awsmfa lab totp --serial "$SERIAL")"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(o)
			}
			return RunTOTP(o)
		},
	}
	cmd.Flags().StringVar(&o.Serial, "serial", "", "serial number (ARN) or name of the virtual MFA device")
	cmd.Flags().StringVar(&o.State, "state", "", "state file (default $XDG_STATE_HOME/awsmfa/lab.sqlite)")
	return cmd
}

// RunTOTP prints the device's current code.
func RunTOTP(o *TOTPOptions) error {
	if o.Serial == "" {
		return cmdutil.UsageError("--serial is required")
	}
	path := o.State
	if path == "" {
		p, err := lab.DefaultStatePath()
		if err != nil {
			return cmdutil.UsageError("%v", err)
		}
		path = p
	}
	// Opening would create a missing file: check first.
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("no lab state at %s (create one with awsmfa lab init, or pass --state)", path)}
		}
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
	}
	st, err := openStore(o.IO, path)
	if err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
	}
	defer st.Close()
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	d, err := st.FindMFADevice(o.Serial)
	if err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
	}
	code, err := st.CurrentCode(d.Serial, now())
	if err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
	}
	fmt.Fprintln(o.IO.Out, code)
	return nil
}
