// Package exec is `awsmfa exec`: run a command with a profile's
// credentials in its environment, or with a credentials server that keeps
// them fresh.
package exec

import (
	"context"
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/credserver"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// EnvMarker is set in the command's environment to the profile; exec
// refuses to run when it is already set (nesting would mix credentials).
const EnvMarker = "AWSMFA_PROFILE"

// Options are the command's inputs.
type Options struct {
	// Ctx is cancelled on SIGINT/SIGTERM (set from the root command); nil
	// means context.Background().
	Ctx     context.Context
	IO      *iostreams.IOStreams
	Factory *brokerutil.Factory
	Flags   brokerutil.Flags
	Server  bool
	Command []string
	// MinRemaining is the validity the command's credentials must have
	// (without --server they cannot be refreshed).
	MinRemaining time.Duration

	// Environ is the environment passed on (default os.Environ).
	Environ func() []string
	// Replace runs the command in place of awsmfa (execve) when there is
	// no server, so the command is the process: its exit status and
	// signals need no relaying. Set by the cobra command on Unix.
	Replace bool
	// OnStart, when set, is called with the child once it runs (tests).
	OnStart func(*os.Process)
	// Verbose logs every request the credentials server refuses.
	Verbose bool
	// InForeground reports whether awsmfa is in the foreground of its
	// terminal (default brokerutil.ForegroundTTY). Under --server the
	// command then shares awsmfa's process group, so that the terminal,
	// Ctrl-C and job control work as for any command; otherwise it gets
	// a process group of its own, to which every relayed signal is sent.
	InForeground func() bool
}

// NewCmdExec returns the command; runF replaces Run in tests.
func NewCmdExec(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "exec [--profile P] [--server] [-- COMMAND [ARG...]]",
		Short: "Run a command with a profile's MFA-backed credentials",
		Long: `Run COMMAND (default: $SHELL) with the profile's temporary credentials.

Without --server the credentials are in the environment: AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION,
plus AWS_REGION and AWS_DEFAULT_REGION when the profile has a region. They
cannot be refreshed: they last as long as the role session (at most one
hour for a role assumed with an MFA session).

With --server awsmfa starts a credentials endpoint on 127.0.0.1 and gives
the command AWS_CONTAINER_CREDENTIALS_FULL_URI and
AWS_CONTAINER_AUTHORIZATION_TOKEN instead: every AWS SDK and the AWS CLI
then fetch fresh credentials whenever theirs near expiry, so a job may run
for many hours. When the MFA session ends, a new code is asked for through
mfa_process or a desktop dialog (never the terminal the command uses).

AWS_PROFILE, AWS_DEFAULT_PROFILE, other credential and container variables
are removed; the config files stay (for regions and other settings).
AWSMFA_PROFILE is set to the profile, and exec refuses to run inside
another awsmfa exec.

The exit status is the command's (128+N when it is killed by signal N).
Without --server on Unix, awsmfa replaces itself with the command. With
--server, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 are
forwarded to the command's whole process group (the command and every
process it started, so a script's children do not outlive it): when
awsmfa does not run in the foreground of a terminal (CI, systemd, a
script, timeout(1)), the command gets a process group of its own and
each signal goes to that group. In the foreground of a terminal the
command stays in awsmfa's process group, which the terminal's Ctrl-C
and Ctrl-\ already reach, so that job control and reading the terminal
work as usual; other signals go to the command.

The credentials server logs each refresh; --verbose also logs every
request it refuses (wrong token or Host, a body, another path).`,
		Example: `  awsmfa exec --profile work -- aws s3 ls
  awsmfa exec --profile work --server -- terraform apply
  awsmfa exec -p work`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx = cmd.Context()
			o.Command = args
			o.Replace = replaceSupported
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	cmd.Flags().SetInterspersed(false)
	brokerutil.AddFlags(cmd, &o.Flags)
	cmd.Flags().BoolVar(&o.Server, "server", false, "serve refreshed credentials to the command on 127.0.0.1 instead of environment keys")
	cmd.Flags().DurationVar(&o.MinRemaining, "min-remaining", broker.CLIMinRemaining, "validity the credentials must have when the command starts")
	cmd.Flags().BoolVar(&o.Verbose, "verbose", false, "with --server, log every request the credentials server refuses")
	return cmd
}

// Run runs the command.
func Run(o *Options) error {
	f := o.Factory
	if p := f.Getenv(EnvMarker); p != "" {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf(
			"already inside `awsmfa exec` for profile %q (%s is set): exit that shell first; nesting would mix two profiles' credentials", p, EnvMarker)}
	}
	argv := o.Command
	if len(argv) == 0 {
		sh := f.Getenv("SHELL")
		if sh == "" {
			sh = defaultShell
		}
		argv = []string{sh}
	}
	path, err := osexec.LookPath(argv[0])
	if err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("cannot run %s: %w", argv[0], err)}
	}
	cfg, ch, err := f.Resolve(o.Flags)
	if err != nil {
		return err
	}
	var childRunning atomic.Bool
	if o.Server && f.Foreground == nil {
		// The terminal may be used for a code until the command runs;
		// then it is the command's.
		f.Foreground = func() bool { return !childRunning.Load() && brokerutil.ForegroundTTY() }
	}
	prompting := brokerutil.PromptInteractive
	if o.Server {
		prompting = brokerutil.PromptServer
	}
	b, err := f.Broker(cfg, ch, o.Flags, prompting)
	if err != nil {
		return err
	}
	creds, err := b.GetChain(cmdutil.Context(o.Ctx), ch, broker.GetOptions{MinRemaining: o.MinRemaining})
	if err != nil {
		return err
	}
	environ := os.Environ
	if o.Environ != nil {
		environ = o.Environ
	}
	env := ChildEnv(environ(), ch, creds, "", "")
	if !o.Server {
		if o.Replace {
			return replace(path, argv, env)
		}
		return run(o, path, argv, env, nil)
	}
	srv, err := credserver.New(b, ch.Profile, credserver.Options{Log: o.IO.ErrOut, Verbose: o.Verbose})
	if err != nil {
		return err
	}
	url, token, err := srv.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	if warn := defaultProfileWarning(cfg); warn != "" {
		fmt.Fprintln(o.IO.ErrOut, "awsmfa: warning:", warn)
	}
	env = ChildEnv(environ(), ch, nil, url, token)
	return run(o, path, argv, env, &childRunning)
}

// inForeground reports whether awsmfa runs in the foreground of its
// terminal.
func (o *Options) inForeground() bool {
	if o.InForeground != nil {
		return o.InForeground()
	}
	return brokerutil.ForegroundTTY()
}

// ChildEnv is environ with the conflicting AWS variables removed and the
// credentials (or, with url, the server's endpoint and token), region and
// EnvMarker set.
func ChildEnv(environ []string, ch *awsconfig.Chain, c *credcache.Credentials, url, token string) []string {
	drop := map[string]bool{}
	for _, k := range removedVars {
		drop[k] = true
	}
	out := make([]string, 0, len(environ)+8)
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			out = append(out, kv)
		}
	}
	if url != "" {
		out = append(out, "AWS_CONTAINER_CREDENTIALS_FULL_URI="+url, "AWS_CONTAINER_AUTHORIZATION_TOKEN="+token)
	} else if c != nil {
		out = append(out, "AWS_ACCESS_KEY_ID="+c.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey)
		if c.SessionToken != "" {
			out = append(out, "AWS_SESSION_TOKEN="+c.SessionToken)
		}
		if !c.Expiration.IsZero() {
			out = append(out, "AWS_CREDENTIAL_EXPIRATION="+c.Expiration.UTC().Format(time.RFC3339))
		}
	}
	if ch.Region != "" {
		out = append(out, "AWS_REGION="+ch.Region, "AWS_DEFAULT_REGION="+ch.Region)
	}
	return append(out, EnvMarker+"="+ch.Profile)
}

// removedVars name other credentials, which would compete with ours, and
// the passphrases of awsmfa's key store and cache, which would let the
// command read the long-term keys it was meant not to get.
var removedVars = []string{
	"AWSMFA_KEYS_PASSPHRASE", "AWSMFA_CACHE_PASSPHRASE",
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID",
	"AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
	"AWS_REGION", "AWS_DEFAULT_REGION", EnvMarker,
}

// defaultProfileWarning: the SDKs look at the default profile before the
// container endpoint, so credentials there would win over the server's.
func defaultProfileWarning(cfg *awsconfig.Config) string {
	if cfg.Profile("default") == nil {
		return ""
	}
	ch, err := cfg.ResolveChain("default")
	if err != nil {
		return ""
	}
	return fmt.Sprintf("the default profile has credentials (%s at %s); the AWS SDKs use them before the credentials server, so the command may not get the profile's credentials", ch.Base.Kind, ch.Base.At)
}

// run starts the command, relays signals and returns its exit status.
// Under --server (running != nil) the command gets a process group of its
// own, and every relayed signal goes to that group, unless awsmfa is in
// the foreground of its terminal (see Options.InForeground).
func run(o *Options, path string, argv, env []string, running *atomic.Bool) error {
	cmd := osexec.Command(path, argv[1:]...)
	cmd.Args = argv
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = o.IO.In, o.IO.Out, o.IO.ErrOut
	fromTerminal := o.IO.IsStdinTTY()
	ownGroup := false
	if running != nil {
		fromTerminal = o.inForeground()
		ownGroup = !fromTerminal && processGroups
		if ownGroup {
			cmd.SysProcAttr = ownGroupAttr()
		}
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, relayedSignals...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("cannot run %s: %w", argv[0], err)}
	}
	if running != nil {
		running.Store(true)
	}
	if o.OnStart != nil {
		o.OnStart(cmd.Process)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for {
		select {
		case sig := <-sigs:
			switch {
			case ownGroup:
				signalGroup(cmd.Process, sig)
			case shouldRelay(sig, fromTerminal):
				_ = cmd.Process.Signal(sig)
			}
		case err := <-done:
			return exitStatus(err)
		}
	}
}

// exitStatus maps the command's end to awsmfa's exit status.
func exitStatus(err error) error {
	if err == nil {
		return nil
	}
	var ee *osexec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &cmdutil.ExitCodeError{Code: 128 + int(ws.Signal())}
		}
		return &cmdutil.ExitCodeError{Code: ee.ExitCode()}
	}
	return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: err}
}
