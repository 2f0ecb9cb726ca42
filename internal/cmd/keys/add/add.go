// Package add is `awsmfa keys add`: put a profile's long-term access key
// into the key store.
package add

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/keyops"
	"github.com/awsmfa/awsmfa/internal/keystore"
	"github.com/awsmfa/awsmfa/internal/mfa"
)

// Options are the command's inputs.
type Options struct {
	Ctx     context.Context
	IO      *iostreams.IOStreams
	Factory *brokerutil.Factory
	Profile string
	Env     bool
	Verify  bool
	Output  string
	// ReadSecret reads the secret access key hidden (default: the
	// terminal).
	ReadSecret func(prompt string) (string, error)
}

// NewCmdAdd returns the command; runF replaces Run in tests.
func NewCmdAdd(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "add PROFILE [--env] [--verify]",
		Short: "Store a profile's access key (asked on the terminal, or from the environment)",
		Long: `Ask for the access key ID and, hidden, the secret access key on the terminal
(or take AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY with --env: never as
arguments), check their shape (--verify also calls sts:GetCallerIdentity
with them), and store them for PROFILE. The profile gets credential_process
in the config file when it has no other way to get credentials, so that the
AWS CLI uses it through awsmfa.`,
		Example: `  awsmfa keys add bob
  AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... awsmfa keys add bob --env --verify`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx, o.Profile = cmd.Context(), args[0]
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	cmd.Flags().BoolVar(&o.Env, "env", false, "take the key from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	cmd.Flags().BoolVar(&o.Verify, "verify", false, "check the key with sts:GetCallerIdentity before storing it")
	cmdutil.AddOutputFlag(cmd, &o.Output)
	return cmd
}

// Result is the JSON output.
type Result struct {
	Profile           string `json:"profile"`
	AccessKeyID       string `json:"accessKeyId"`
	Arn               string `json:"arn,omitempty"`
	Store             string `json:"store"`
	CredentialProcess bool   `json:"credentialProcess"`
}

// Run adds.
func Run(o *Options) error {
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	if !awsconfig.IsIdentifier(o.Profile) {
		return cmdutil.UsageError("%q is not a profile name the config files can hold", o.Profile)
	}
	id, secret, err := o.readKey()
	if err != nil {
		return err
	}
	if !keystore.ValidAccessKeyID(id) {
		return cmdutil.UsageError("%q is not an access key ID (16 to 128 upper-case letters and digits, such as AKIA...)", id)
	}
	if !keystore.ValidSecret(secret) {
		return cmdutil.UsageError("the secret access key is not 40 characters of base64 (A-Z, a-z, 0-9, + and /)")
	}
	ctx := cmdutil.Context(o.Ctx)
	res := Result{Profile: o.Profile, AccessKeyID: id}
	if o.Verify {
		if res.Arn, err = o.verify(ctx, id, secret); err != nil {
			return cmdutil.Failed(fmt.Errorf("--verify: the key does not work: %w", err))
		}
	}
	store, err := o.Factory.OpenKeyStore()
	if err != nil {
		return cmdutil.Failed(err)
	}
	if old, err := store.Get(o.Profile); err != nil {
		return cmdutil.Failed(err)
	} else if old != nil && old.Rotation != nil {
		return cmdutil.Failed(fmt.Errorf("profile %s: a rotation of its stored key %s is unfinished: run awsmfa keys rotate %s to finish it first", o.Profile, old.AccessKeyID, o.Profile))
	}
	if err := store.Put(&keystore.Entry{Profile: o.Profile, AccessKeyID: id, SecretAccessKey: secret, Added: o.Factory.Clock().UTC()}); err != nil {
		return cmdutil.Failed(err)
	}
	res.Store = store.Where()
	im := &keyops.Importer{Store: store, Env: o.Factory.AWSEnv()}
	if res.CredentialProcess, err = im.EnsureCLI(o.Profile); err != nil {
		return cmdutil.Failed(fmt.Errorf("the key is stored, but the config file could not be updated: %w", err))
	}
	o.warnFileKeys()
	if o.Output == cmdutil.OutputJSON {
		return cmdutil.WriteJSON(o.IO.Out, res)
	}
	fmt.Fprintf(o.IO.Out, "%s: access key %s stored in %s", o.Profile, id, res.Store)
	if res.Arn != "" {
		fmt.Fprintf(o.IO.Out, " (it works: %s)", res.Arn)
	}
	fmt.Fprintln(o.IO.Out)
	if res.CredentialProcess {
		fmt.Fprintf(o.IO.Out, "%s: credential_process added for the AWS CLI\n", o.Profile)
	}
	return nil
}

// readKey takes the key from the environment or the terminal.
func (o *Options) readKey() (string, string, error) {
	if o.Env {
		id, secret := o.Factory.Getenv("AWS_ACCESS_KEY_ID"), o.Factory.Getenv("AWS_SECRET_ACCESS_KEY")
		if id == "" || secret == "" {
			return "", "", cmdutil.UsageError("--env: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set")
		}
		if o.Factory.Getenv("AWS_SESSION_TOKEN") != "" {
			return "", "", cmdutil.UsageError("--env: AWS_SESSION_TOKEN is set: these are temporary credentials, not a long-term key")
		}
		return id, secret, nil
	}
	if !o.IO.IsStdinTTY() {
		return "", "", cmdutil.UsageError("no terminal to ask on: pass the key in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY with --env")
	}
	fmt.Fprint(o.IO.ErrOut, "Access key ID: ")
	line, err := bufio.NewReaderSize(o.IO.In, 256).ReadString('\n')
	if err != nil && line == "" {
		return "", "", cmdutil.Failed(fmt.Errorf("reading the access key ID: %w", err))
	}
	read := o.ReadSecret
	if read == nil {
		read = func(p string) (string, error) { return mfa.PromptHidden(cmdutil.Context(o.Ctx), "", p) }
	}
	secret, err := read("Secret access key: ")
	if err != nil {
		if errors.Is(err, mfa.ErrNoTerminal) {
			return "", "", cmdutil.UsageError("no terminal to ask on: use --env")
		}
		return "", "", cmdutil.Failed(err)
	}
	return strings.TrimSpace(line), strings.TrimSpace(secret), nil
}

// verify calls GetCallerIdentity with the key, at the profile's STS
// endpoint.
func (o *Options) verify(ctx context.Context, id, secret string) (string, error) {
	cfg, err := o.Factory.LoadConfig()
	if err != nil {
		return "", err
	}
	c, err := o.Factory.StaticConfig(cfg, o.Profile, credentials.NewStaticCredentialsProvider(id, secret, ""), "sts")
	if err != nil {
		return "", err
	}
	out, err := sts.NewFromConfig(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Arn), nil
}

// warnFileKeys says when the files hold keys for the profile too.
func (o *Options) warnFileKeys() {
	cfg, err := awsconfig.Load(o.Factory.AWSEnv())
	if err != nil {
		return
	}
	if p := cfg.Profile(o.Profile); p != nil {
		if prop, ok := p.Lookup(awsconfig.KeyAccessKeyID); ok {
			fmt.Fprintf(o.IO.ErrOut, "awsmfa: warning: profile %s also has an access key in %s: keys in the files win (the AWS CLI reads only them); run awsmfa keys import %s to move it\n", o.Profile, prop.Location, o.Profile)
		}
	}
}
