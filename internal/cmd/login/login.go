// Package login is `awsmfa login`: a console sign-in URL for a role
// profile, through the AWS federation endpoint.
package login

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// Options are the command's inputs.
type Options struct {
	// Ctx is cancelled on SIGINT/SIGTERM (set from the root command); nil
	// means context.Background().
	Ctx         context.Context
	IO          *iostreams.IOStreams
	Factory     *brokerutil.Factory
	Flags       brokerutil.Flags
	Open        bool
	Destination string
	// FederationURL replaces the partition's federation endpoint (tests).
	FederationURL string
	// Duration is the console session's length (SessionDuration), 0 for
	// AWS's default; refused for role-chained sessions.
	Duration time.Duration
	// Opener opens a URL in a browser (default xdg-open / open / rundll32).
	Opener func(url string) error
}

// NewCmdLogin returns the command; runF replaces Run in tests.
func NewCmdLogin(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "login [PROFILE | --profile P] [--open]",
		Short: "Print (or open) an AWS console sign-in URL for a role profile",
		Long: `Get the role profile's credentials (with an MFA code when needed) and
exchange them at the AWS federation endpoint for a console sign-in URL,
valid for 15 minutes; print it, or open it in the browser with --open.

The federation endpoint accepts only role credentials (AssumeRole) and
federated-user credentials (GetFederationToken): a profile whose
credentials are an MFA session (GetSessionToken) or access keys cannot sign
in to the console this way (the sign-in page answers "Only federation
tokens or assume role tokens may be used for federated login"); sign in
with the IAM user's password and MFA device instead, or use a role
profile. GetFederationToken is not a way out: it needs the long-term keys
and its sessions carry no MFA.
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html,
https://github.com/99designs/aws-vault/issues/1191)

--duration sets the console session's length (15m to 12h). AWS refuses it
for a role assumed with temporary credentials (role chaining), which is how
awsmfa's session mode assumes roles; the console session then lasts as long
as the role credentials.

The lab (awsmfa lab) has no federation endpoint; --federation-url points
at another one (tests).`,
		Example: `  awsmfa login work --open
  awsmfa login -p work --destination https://console.aws.amazon.com/s3/`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx = cmd.Context()
			if len(args) == 1 {
				if o.Flags.Profile != "" && o.Flags.Profile != args[0] {
					return cmdutil.UsageError("profile %q given twice, as an argument and as --profile %q: give one", args[0], o.Flags.Profile)
				}
				o.Flags.Profile = args[0]
			}
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	brokerutil.AddFlags(cmd, &o.Flags)
	cmd.Flags().BoolVar(&o.Open, "open", false, "open the URL in the browser instead of printing it")
	cmd.Flags().StringVar(&o.Destination, "destination", "", "console page to land on (default: the console home in the profile's region)")
	cmd.Flags().DurationVar(&o.Duration, "duration", 0, "console session length, 15m to 12h (not for role-chained sessions)")
	cmd.Flags().StringVar(&o.FederationURL, "federation-url", "", "federation endpoint (default: the partition's, e.g. https://signin.aws.amazon.com/federation)")
	_ = cmd.Flags().MarkHidden("federation-url")
	return cmd
}

// Endpoints of a partition.
type partitionURLs struct{ federation, console string }

func partitionOf(arn string) partitionURLs {
	parts := strings.SplitN(arn, ":", 3)
	p := ""
	if len(parts) >= 2 {
		p = parts[1]
	}
	switch p {
	case "aws-us-gov":
		return partitionURLs{"https://signin.amazonaws-us-gov.com/federation", "https://console.amazonaws-us-gov.com/"}
	case "aws-cn":
		return partitionURLs{"https://signin.amazonaws.cn/federation", "https://console.amazonaws.cn/"}
	}
	return partitionURLs{"https://signin.aws.amazon.com/federation", "https://console.aws.amazon.com/"}
}

// Run prints or opens the sign-in URL.
func Run(o *Options) error {
	if o.Duration != 0 && (o.Duration < 15*time.Minute || o.Duration > 12*time.Hour) {
		return cmdutil.UsageError("--duration %s: the console session lasts 15m to 12h", o.Duration)
	}
	f := o.Factory
	cfg, ch, err := f.Resolve(o.Flags)
	if err != nil {
		return err
	}
	roleARN := ""
	switch {
	case len(ch.Steps) > 0:
		roleARN = ch.Steps[len(ch.Steps)-1].RoleARN
	case ch.Base.Kind == awsconfig.BaseWebIdentity:
		roleARN = ch.Base.RoleARN
	default:
		what := "access keys"
		if ch.MFA.Serial != "" && ch.MFA.Mode == awsconfig.MFAModeSession {
			what = "an MFA session (GetSessionToken)"
		}
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf(
			"profile %q has no role_arn: its credentials would be %s, and the AWS console federation endpoint accepts only role (AssumeRole) or federated-user (GetFederationToken) credentials; use a role profile, or sign in to the console with the IAM user's password and MFA device", ch.Profile, what)}
	}
	if o.Duration != 0 && (len(ch.Steps) > 0 && ch.Steps[len(ch.Steps)-1].RoleChaining) {
		return cmdutil.UsageError("--duration: the role of profile %q is assumed with temporary credentials (role chaining: %s), and AWS refuses a console session duration for such sessions; leave --duration out (the console session then lasts as long as the role credentials)", ch.Profile, chainReason(ch))
	}
	b, err := f.Broker(cfg, ch, o.Flags, brokerutil.PromptInteractive)
	if err != nil {
		return err
	}
	c, err := b.GetChain(cmdutil.Context(o.Ctx), ch, broker.GetOptions{MinRemaining: broker.CLIMinRemaining})
	if err != nil {
		return err
	}
	urls := partitionOf(roleARN)
	fed := urls.federation
	if o.FederationURL != "" {
		fed = o.FederationURL
	}
	dest := o.Destination
	if dest == "" {
		dest = urls.console
		if ch.Region != "" {
			dest = urls.console + "console/home?region=" + url.QueryEscape(ch.Region)
		}
	}
	client := f.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	token, err := SigninToken(cmdutil.Context(o.Ctx), client, fed, c, o.Duration)
	if err != nil {
		return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("profile %q: %w", ch.Profile, err)}
	}
	login := LoginURL(fed, dest, token)
	if o.Open {
		open := o.Opener
		if open == nil {
			open = openBrowser
		}
		err := open(login)
		if err == nil {
			fmt.Fprintf(o.IO.ErrOut, "awsmfa: opened the AWS console for profile %q (role %s) in the browser\n", ch.Profile, roleARN)
			return nil
		}
		fmt.Fprintf(o.IO.ErrOut, "awsmfa: could not open a browser (%v); open this URL within 15 minutes:\n", err)
	}
	fmt.Fprintln(o.IO.Out, login)
	return nil
}

func chainReason(ch *awsconfig.Chain) string {
	if len(ch.Steps) > 1 {
		return "it is assumed with another role's credentials"
	}
	if ch.MFA.Mode == awsconfig.MFAModeSession && ch.MFA.Serial != "" {
		return "it is assumed with the MFA session"
	}
	return "its source credentials are temporary"
}

// MaxFederationAnswer is the most read of the federation endpoint's answer
// (reading stops one byte past it).
const MaxFederationAnswer = 1 << 20

// SigninToken exchanges credentials for a sign-in token at the federation
// endpoint: GET fed?Action=getSigninToken&Session={"sessionId",
// "sessionKey","sessionToken"}[&SessionDuration=N].
func SigninToken(ctx context.Context, client *http.Client, fed string, c *credcache.Credentials, d time.Duration) (string, error) {
	if c.SessionToken == "" {
		return "", fmt.Errorf("the federation endpoint needs temporary credentials (with a session token)")
	}
	session, err := json.Marshal(map[string]string{"sessionId": c.AccessKeyID, "sessionKey": c.SecretAccessKey, "sessionToken": c.SessionToken})
	if err != nil {
		return "", err
	}
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	if d > 0 {
		q.Set("SessionDuration", strconv.Itoa(int(d/time.Second)))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fed+"?"+q.Encode(), nil)
	if err != nil {
		return "", fmt.Errorf("federation endpoint %q: %w", fed, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("cannot reach the federation endpoint %s: %v", fed, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxFederationAnswer+1))
	if err != nil {
		return "", fmt.Errorf("reading the answer of the federation endpoint %s: %v", fed, err)
	}
	if len(body) > MaxFederationAnswer {
		return "", fmt.Errorf("the federation endpoint %s answered more than the 1 MiB limit of its answer (a sign-in token is a few kilobytes)", fed)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("the federation endpoint %s refused the credentials: HTTP %d %s", fed, resp.StatusCode, snippet(body))
	}
	var out struct{ SigninToken string }
	if err := json.Unmarshal(body, &out); err != nil || out.SigninToken == "" {
		return "", fmt.Errorf("the federation endpoint %s answered without a SigninToken: %s", fed, snippet(body))
	}
	return out.SigninToken, nil
}

// snippet is the start of a response body for a message.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return strings.ReplaceAll(s, "\n", " ")
}

// LoginURL is the console sign-in URL.
func LoginURL(fed, destination, token string) string {
	return fed + "?Action=login&Issuer=awsmfa&Destination=" + url.QueryEscape(destination) + "&SigninToken=" + url.QueryEscape(token)
}

func openBrowser(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	return cmd.Run()
}
