// Package rotate is `awsmfa keys rotate`: replace a stored profile's
// access key with a new one.
package rotate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/account"
	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/keyops"
)

// Options are the command's inputs.
type Options struct {
	Ctx     context.Context
	IO      *iostreams.IOStreams
	Factory *brokerutil.Factory
	Profile string
	KeepOld bool
	// Abort ends an unfinished rotation instead of finishing it.
	Abort  bool
	Output string
	// Propagation bounds the wait for the new key to work (default 2
	// minutes).
	Propagation time.Duration
}

// NewCmdRotate returns the command; runF replaces Run in tests.
func NewCmdRotate(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "rotate PROFILE [--keep-old | --abort]",
		Short: "Replace a stored profile's access key with a new one",
		Long: `Create a new access key for the profile's IAM user (iam:CreateAccessKey,
with the profile's credentials: under a deny-unless-MFA policy such as
seed 004's, its MFA session, so you may be asked for a code), wait until
IAM accepts it (sts:GetCallerIdentity, retried: IAM is eventually
consistent), store it, then delete the old key (--keep-old deactivates it
instead). Every step is recorded in the key store before the next: if the
command is interrupted, running it again finishes the rotation. A user
who already has two keys (IAM's limit) gets the command that deletes the
unused one. The profile's cached MFA session moves to the new key.

--abort ends an unfinished rotation that cannot go on (its new key was
deleted in IAM by someone else, or the user may no longer create keys)
instead of finishing it: a key the rotation created and that is not yet
the profile's is deleted, and the profile keeps its key; if the rotation
had already switched to the new key, the old one is not touched (the
command that deletes it is printed).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Ctx, o.Profile = cmd.Context(), args[0]
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	cmd.Flags().BoolVar(&o.KeepOld, "keep-old", false, "deactivate the old key instead of deleting it")
	cmd.Flags().BoolVar(&o.Abort, "abort", false, "end an unfinished rotation without finishing it")
	cmd.MarkFlagsMutuallyExclusive("keep-old", "abort")
	cmdutil.AddOutputFlag(cmd, &o.Output)
	return cmd
}

// Run rotates.
func Run(o *Options) error {
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	ctx := cmdutil.Context(o.Ctx)
	store, err := o.Factory.OpenKeyStore()
	if err != nil {
		return cmdutil.Failed(err)
	}
	if _, ok, err := store.Lookup(o.Profile); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("profile %s has no key in %s: import it first (awsmfa keys import %s)", o.Profile, store.Where(), o.Profile)
		}
		return cmdutil.Failed(err)
	}
	cfg, source, err := o.Factory.SDKConfig(ctx, o.Profile, "iam", "sts")
	if err != nil {
		return cmdutil.Failed(err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return cmdutil.Failed(fmt.Errorf("who is calling (%s): %w", source, err))
	}
	user, err := userName(aws.ToString(id.Arn))
	if err != nil {
		return cmdutil.Failed(err)
	}
	files, err := o.Factory.LoadConfig()
	if err != nil {
		return cmdutil.Failed(err)
	}
	works := func(ctx context.Context, keyID, secret string) error {
		c, err := o.Factory.StaticConfig(files, o.Profile, credentials.NewStaticCredentialsProvider(keyID, secret, ""), "sts")
		if err != nil {
			return err
		}
		c.RetryMaxAttempts = 1
		_, err = sts.NewFromConfig(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return err
	}
	r := &keyops.Rotator{Store: store, IAM: iam.NewFromConfig(cfg), User: user, Works: works, KeepOld: o.KeepOld,
		Propagation: o.Propagation, Now: o.Factory.Clock, Log: o.IO.ErrOut,
		Switched: func(oldID, newID string) { o.carrySession(files, oldID, newID) }}
	if o.Abort {
		return o.abort(ctx, r)
	}
	res, err := r.Rotate(ctx, o.Profile)
	if err != nil {
		return cmdutil.Failed(err)
	}
	if o.Output == cmdutil.OutputJSON {
		return cmdutil.WriteJSON(o.IO.Out, res)
	}
	fmt.Fprintf(o.IO.Out, "%s: access key %s replaced by %s (old key %s)\n", o.Profile, res.OldAccessKeyID, res.NewAccessKeyID, res.OldKey)
	return nil
}

// abort ends the profile's unfinished rotation.
func (o *Options) abort(ctx context.Context, r *keyops.Rotator) error {
	res, err := r.Abort(ctx, o.Profile)
	if err != nil {
		return cmdutil.Failed(err)
	}
	if o.Output == cmdutil.OutputJSON {
		return cmdutil.WriteJSON(o.IO.Out, res)
	}
	msg := fmt.Sprintf("%s: rotation aborted, access key %s", o.Profile, res.AccessKeyID)
	if len(res.Deleted) > 0 {
		msg += fmt.Sprintf(" (deleted the rotation's key %s)", strings.Join(res.Deleted, ", "))
	}
	if res.Left != "" {
		msg += fmt.Sprintf(" (old key %s not touched)", res.Left)
	}
	fmt.Fprintln(o.IO.Out, msg)
	return nil
}

// sessionKey is the cache key of the profile's MFA session when its
// access key is id ("" when the profile has no MFA session).
func (o *Options) sessionKey(cfg *awsconfig.Config, id string) string {
	ch, err := cfg.Resolve(o.Profile)
	if err != nil || ch.Base.Kind != awsconfig.BaseStatic {
		return ""
	}
	ch.Base.AccessKeyID = id
	k, _ := ch.MFASessionKey()
	return k
}

// carrySession moves the cached MFA session from the old key's cache key
// to the new one's: a GetSessionToken session belongs to the user and
// stays valid until it expires when the key that asked for it is deleted,
// and the MFA code it took may not be used twice, so the next call need
// not wait for a new code.
func (o *Options) carrySession(cfg *awsconfig.Config, oldID, newID string) {
	oldKey, newKey := o.sessionKey(cfg, oldID), o.sessionKey(cfg, newID)
	cache, err := o.Factory.OpenCache()
	if oldKey == "" || newKey == "" || err != nil {
		return
	}
	if have, _ := cache.Get(newKey); have != nil {
		return
	}
	c, err := cache.Get(oldKey)
	if err != nil || c == nil {
		return
	}
	if cache.Put(newKey, c) == nil {
		_ = cache.Delete(oldKey)
	}
}

// userName is the IAM user of a caller ARN; rotation needs a user's
// own credentials (a role has no access keys).
func userName(arn string) (string, error) {
	if _, _, res, ok := account.SplitIAMARN(arn); ok && strings.HasPrefix(res, "user/") {
		return res[strings.LastIndexByte(res, '/')+1:], nil
	}
	return "", fmt.Errorf("the profile's credentials belong to %s, not to an IAM user: only a user's own access keys can be rotated", arn)
}
