// Package serve is `awsmfa serve`: a container-credentials endpoint for a
// profile, for SDK clients started elsewhere.
package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/credserver"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// Options are the command's inputs.
type Options struct {
	// Ctx is cancelled on SIGINT/SIGTERM (set from the root command); nil
	// means context.Background().
	Ctx     context.Context
	IO      *iostreams.IOStreams
	Factory *brokerutil.Factory
	Flags   brokerutil.Flags
	Port    int
	Output  string
	// Verbose logs every request the server refuses.
	Verbose bool

	// Stop ends the server when closed (tests); SIGINT and SIGTERM always
	// do.
	Stop <-chan struct{}
}

// NewCmdServe returns the command; runF replaces Run in tests.
func NewCmdServe(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "serve --profile P",
		Short: "Serve a profile's credentials to SDKs on 127.0.0.1 until stopped",
		Long: `Start a container-credentials endpoint on 127.0.0.1 for the profile and
print the variables that point AWS SDKs and the AWS CLI at it:

  export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:PORT/
  export AWS_CONTAINER_AUTHORIZATION_TOKEN=...

Every request must carry that token; the endpoint answers only on loopback
and only to requests addressed to it (Host header). Credentials are
refreshed before they expire, role sessions from the cached MFA session;
when the MFA session ends, a new code is asked for through mfa_process, a
desktop dialog, or this terminal while serve runs in its foreground. Run
it in a terminal of its own, or configure mfa_process.

The first code (if one is needed) is asked for before the endpoint starts.
Each refresh is logged on standard error; --verbose also logs every
request the endpoint refuses. Stop with Ctrl-C (SIGINT) or SIGTERM.`,
		Example: `  awsmfa serve --profile work
  awsmfa serve --profile work --port 9911 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx = cmd.Context()
			if err := cmdutil.CheckOutput(o.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	brokerutil.AddFlags(cmd, &o.Flags)
	cmd.Flags().IntVar(&o.Port, "port", 0, "port on 127.0.0.1 (default: a free one)")
	cmd.Flags().BoolVar(&o.Verbose, "verbose", false, "log every request the endpoint refuses (wrong token or Host, a body, another path)")
	cmdutil.AddOutputFlag(cmd, &o.Output)
	return cmd
}

// Result is what -o json prints.
type Result struct {
	Profile string `json:"profile"`
	URL     string `json:"url"`
	Token   string `json:"token"`
}

// Run serves until stopped.
func Run(o *Options) error {
	if o.Port < 0 || o.Port > 65535 {
		return cmdutil.UsageError("--port %d: not a port number", o.Port)
	}
	f := o.Factory
	cfg, ch, err := f.Resolve(o.Flags)
	if err != nil {
		return err
	}
	b, err := f.Broker(cfg, ch, o.Flags, brokerutil.PromptServer)
	if err != nil {
		return err
	}
	// Ask for the first code now, while the user is watching.
	if _, err := b.GetChain(cmdutil.Context(o.Ctx), ch, broker.GetOptions{MinRemaining: broker.CLIMinRemaining}); err != nil {
		return err
	}
	srv, err := credserver.New(b, ch.Profile, credserver.Options{Port: o.Port, Log: o.IO.ErrOut, Verbose: o.Verbose})
	if err != nil {
		return err
	}
	url, token, err := srv.Start()
	if err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
	}
	defer srv.Close()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if o.Output == cmdutil.OutputJSON {
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(Result{Profile: ch.Profile, URL: url, Token: token}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(o.IO.Out, "export AWS_CONTAINER_CREDENTIALS_FULL_URI=%s\nexport AWS_CONTAINER_AUTHORIZATION_TOKEN=%s\nunset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE\n", url, token)
	}
	fmt.Fprintf(o.IO.ErrOut, "awsmfa: serving credentials of profile %q at %s; stop with Ctrl-C\n", ch.Profile, url)
	select {
	case <-sigs:
	case <-o.Stop:
	}
	fmt.Fprintln(o.IO.ErrOut, "awsmfa: stopped")
	return nil
}
