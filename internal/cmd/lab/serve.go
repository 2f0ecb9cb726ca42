package lab

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/lab/store"
)

// AdminTokenEnv names the environment variable holding the bearer token
// of GET /_lab/stats; unset leaves the endpoint disabled.
const AdminTokenEnv = "AWSMFA_LAB_ADMIN_TOKEN"

// Log formats accepted by --log.
const (
	logText = "text"
	logJSON = "json"
	logNone = "none"
)

// ServeOptions are the inputs of `awsmfa lab serve`.
type ServeOptions struct {
	IO        *iostreams.IOStreams
	Addr      string
	State     string
	Ephemeral bool
	Log       string
	// AdminToken enables GET /_lab/stats (from AWSMFA_LAB_ADMIN_TOKEN).
	AdminToken string
	// Context ends the server; nil means until SIGINT or SIGTERM.
	Context context.Context
	// Ready, when set, is called with the endpoint URL once serving
	// (tests).
	Ready func(url string)
}

// NewCmdServe returns `awsmfa lab serve`; runF replaces RunServe in tests.
func NewCmdServe(ios *iostreams.IOStreams, runF func(*ServeOptions) error) *cobra.Command {
	o := &ServeOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the lab endpoint on 127.0.0.1",
		Long: `Serve the lab's STS, IAM and EC2 (DescribeRegions) endpoint on a loopback
address until interrupted (SIGINT or SIGTERM stop it gracefully).

The endpoint URL is printed to standard error ("endpoint: URL"); with
--addr 127.0.0.1:0 a free port is chosen and printed ("port: N"). Point the
AWS CLI at it with --endpoint-url URL or AWS_ENDPOINT_URL=URL.

The account lives in a SQLite state file (--state, default
$XDG_STATE_HOME/awsmfa/lab.sqlite) and survives restarts; --ephemeral keeps
it in memory. One line per request is logged to standard error (--log json
for JSON): action, principal, decision and the deciding statement. Secret
keys and session tokens are never logged.

With AWSMFA_LAB_ADMIN_TOKEN set, GET /_lab/stats with
"Authorization: Bearer TOKEN" answers the call counters as JSON.`,
		Example: `  awsmfa lab serve --ephemeral
  awsmfa lab serve --addr 127.0.0.1:0 --state ./lab.sqlite --log json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.AdminToken = os.Getenv(AdminTokenEnv)
			if runF != nil {
				return runF(o)
			}
			return RunServe(o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Addr, "addr", lab.DefaultAddr, "loopback address to listen on (port 0: pick a free port)")
	f.StringVar(&o.State, "state", "", "state file (default $XDG_STATE_HOME/awsmfa/lab.sqlite)")
	f.BoolVar(&o.Ephemeral, "ephemeral", false, "keep the account in memory only")
	f.StringVar(&o.Log, "log", logText, "request log format: text, json or none")
	_ = cmd.RegisterFlagCompletionFunc("log", cobra.FixedCompletions([]string{logText, logJSON, logNone}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// RunServe serves until the context ends or a signal arrives.
func RunServe(o *ServeOptions) error {
	if o.Log != logText && o.Log != logJSON && o.Log != logNone {
		return cmdutil.UsageError("--log: %q is not one of text, json, none", o.Log)
	}
	if o.Ephemeral && o.State != "" {
		return cmdutil.UsageError("--ephemeral and --state cannot be combined")
	}
	st, where, err := openState(o.IO, o.State, o.Ephemeral)
	if err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
	}
	defer st.Close()
	var logger io.Writer = o.IO.ErrOut
	if o.Log == logNone {
		logger = nil
	}
	srv, err := lab.New(lab.Config{Store: st, Addr: o.Addr, Logger: logger, LogJSON: o.Log == logJSON, AdminToken: o.AdminToken})
	if err != nil {
		return cmdutil.UsageError("%v", err)
	}
	url, err := srv.Start()
	if err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
	}
	fmt.Fprintf(o.IO.ErrOut, "endpoint: %s\n", url)
	if _, port, err := net.SplitHostPort(o.Addr); err == nil && port == "0" {
		_, chosen, _ := net.SplitHostPort(url[len("http://"):])
		fmt.Fprintf(o.IO.ErrOut, "port: %s\n", chosen)
	}
	fmt.Fprintf(o.IO.ErrOut, "state: %s\naccount: %s\n", where, st.AccountID())

	ctx := o.Context
	if ctx == nil {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	if o.Ready != nil {
		o.Ready(url)
	}
	<-ctx.Done()
	fmt.Fprintln(o.IO.ErrOut, "shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("lab: shutdown: %w", err)}
	}
	return nil
}

// openState opens the state file (creating its directory) or an in-memory
// state.
func openState(ios *iostreams.IOStreams, path string, ephemeral bool) (*store.Store, string, error) {
	if ephemeral {
		st, err := store.OpenMemory()
		return st, "in memory (--ephemeral)", err
	}
	if path == "" {
		p, err := lab.DefaultStatePath()
		if err != nil {
			return nil, "", err
		}
		path = p
	}
	st, err := openStore(ios, path)
	return st, path, err
}
