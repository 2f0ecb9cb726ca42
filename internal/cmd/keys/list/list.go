// Package list is `awsmfa keys list`: the profiles in the key store.
package list

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// Options are the command's inputs.
type Options struct {
	Ctx      context.Context
	IO       *iostreams.IOStreams
	Factory  *brokerutil.Factory
	LastUsed bool
	Output   string
}

// NewCmdList returns the command; runF replaces Run in tests.
func NewCmdList(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "list [--last-used]",
		Short: "List the profiles in the key store (no secrets)",
		Long: `List the profiles whose access keys are in the key store: the key ID's
first characters, when it was added, its age since it was added or last
rotated, and a rotation left unfinished. The passphrase is not needed.
--last-used asks IAM when each key was last used (iam:GetAccessKeyLastUsed,
with each profile's credentials: under a deny-unless-MFA policy, its MFA
session). A profile that also has keys in the files is flagged: those keys
win.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Ctx = cmd.Context()
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	cmd.Flags().BoolVar(&o.LastUsed, "last-used", false, "ask IAM when each key was last used")
	cmdutil.AddOutputFlag(cmd, &o.Output)
	return cmd
}

// Key is one row.
type Key struct {
	Profile     string    `json:"profile"`
	AccessKeyID string    `json:"accessKeyId"`
	Added       time.Time `json:"added"`
	Rotated     time.Time `json:"rotated,omitzero"`
	AgeDays     int       `json:"ageDays"`
	Rotating    bool      `json:"rotating,omitempty"`
	// InFiles names where the files also hold a key for the profile.
	InFiles string `json:"inFiles,omitempty"`
	// LastUsed, with --last-used.
	LastUsed        *time.Time `json:"lastUsed,omitempty"`
	LastUsedService string     `json:"lastUsedService,omitempty"`
	LastUsedError   string     `json:"lastUsedError,omitempty"`
}

// Run lists.
func Run(o *Options) error {
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	store, err := o.Factory.OpenKeyStore()
	if err != nil {
		return cmdutil.Failed(err)
	}
	sums, err := store.List()
	if err != nil {
		return cmdutil.Failed(err)
	}
	cfg, _ := awsconfig.Load(o.Factory.AWSEnv())
	now := o.Factory.Clock()
	keys := []Key{}
	for _, s := range sums {
		k := Key{Profile: s.Profile, AccessKeyID: s.AccessKeyID, Added: s.Added, Rotated: s.Rotated, Rotating: s.Rotating}
		since := s.Added
		if !s.Rotated.IsZero() {
			since = s.Rotated
		}
		k.AgeDays = int(now.Sub(since).Hours() / 24)
		if cfg != nil {
			if p := cfg.Profile(s.Profile); p != nil {
				if prop, ok := p.Lookup(awsconfig.KeyAccessKeyID); ok {
					k.InFiles = prop.Location.String()
				}
			}
		}
		if o.LastUsed {
			o.lastUsed(&k)
		}
		keys = append(keys, k)
	}
	if o.Output == cmdutil.OutputJSON {
		return cmdutil.WriteJSON(o.IO.Out, keys)
	}
	fmt.Fprintf(o.IO.ErrOut, "Key store: %s\n", store.Where())
	if len(keys) == 0 {
		fmt.Fprintln(o.IO.ErrOut, "No keys: awsmfa keys import PROFILE moves them from ~/.aws/credentials.")
		return nil
	}
	w := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	header := "PROFILE\tACCESS KEY\tADDED\tROTATED\tAGE"
	if o.LastUsed {
		header += "\tLAST USED"
	}
	fmt.Fprintln(w, header)
	for _, k := range keys {
		rotated := "-"
		if !k.Rotated.IsZero() {
			rotated = k.Rotated.Format("2006-01-02")
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%dd", k.Profile, prefix(k.AccessKeyID), k.Added.Format("2006-01-02"), rotated, k.AgeDays)
		if o.LastUsed {
			switch {
			case k.LastUsedError != "":
				line += "\t? (" + k.LastUsedError + ")"
			case k.LastUsed == nil:
				line += "\tnever"
			default:
				line += "\t" + k.LastUsed.Format("2006-01-02 15:04") + " " + k.LastUsedService
			}
		}
		fmt.Fprintln(w, line)
	}
	_ = w.Flush()
	for _, k := range keys {
		if k.Rotating {
			fmt.Fprintf(o.IO.ErrOut, "%s: a rotation was interrupted: run awsmfa keys rotate %s to finish it\n", k.Profile, k.Profile)
		}
		if k.InFiles != "" {
			fmt.Fprintf(o.IO.ErrOut, "%s: the files also hold an access key (%s), which wins: run awsmfa keys import %s\n", k.Profile, k.InFiles, k.Profile)
		}
	}
	return nil
}

// prefix shows the key ID's first eight characters: enough to tell keys
// apart in IAM's console and list-access-keys.
func prefix(id string) string {
	if len(id) <= 8 {
		return id
	}
	return id[:8] + "…"
}

func (o *Options) lastUsed(k *Key) {
	ctx := cmdutil.Context(o.Ctx)
	cfg, _, err := o.Factory.SDKConfig(ctx, k.Profile, "iam", "sts")
	if err != nil {
		k.LastUsedError = err.Error()
		return
	}
	out, err := iam.NewFromConfig(cfg).GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(k.AccessKeyID)})
	if err != nil {
		k.LastUsedError = err.Error()
		return
	}
	if lu := out.AccessKeyLastUsed; lu != nil && lu.LastUsedDate != nil {
		t := *lu.LastUsedDate
		k.LastUsed, k.LastUsedService = &t, aws.ToString(lu.ServiceName)
	}
}
