// Package status is `awsmfa status`: the profiles, the MFA sessions they
// share, and what is cached for them.
package status

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
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
	IO      *iostreams.IOStreams
	Factory *brokerutil.Factory
	Profile string
	Output  string
}

// NewCmdStatus returns the command; runF replaces Run in tests.
func NewCmdStatus(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "status [--profile P]",
		Short: "Show profiles, MFA sessions and how long their cached credentials last",
		Long: `List the profiles of the AWS config files: how each gets its credentials
(static keys, an MFA session, a role assumed with the MFA session or with
MFA per role, ...), whether awsmfa has credentials cached for it and for how
long; then the MFA sessions (one per access key and MFA device) with the
profiles that share them. Profiles that do not resolve are listed with the
reason. Nothing is requested from AWS.`,
		Example: `  awsmfa status
  awsmfa status --profile work -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutput(o.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	brokerutil.AddProfileFlag(cmd, &o.Profile)
	cmdutil.AddOutputFlag(cmd, &o.Output)
	return cmd
}

// Report is the JSON output.
type Report struct {
	ConfigFile      string       `json:"configFile"`
	CredentialsFile string       `json:"credentialsFile"`
	Profiles        []Profile    `json:"profiles"`
	MFASessions     []MFASession `json:"mfaSessions"`
	// OtherCacheEntries counts cached entries no profile uses any more.
	OtherCacheEntries int `json:"otherCacheEntries"`
}

// Profile is one profile's status.
type Profile struct {
	Name  string `json:"name"`
	Kind  string `json:"kind,omitempty"`
	Chain string `json:"chain,omitempty"`
	// Mode is the MFA mode when the profile uses MFA.
	Mode      string  `json:"mfaMode,omitempty"`
	MFASerial string  `json:"mfaSerial,omitempty"`
	Cached    *Cached `json:"cached,omitempty"`
	Error     string  `json:"error,omitempty"`
}

// Cached describes cached credentials (never their secrets).
type Cached struct {
	AccessKeyID  string    `json:"accessKeyId"`
	Expiration   time.Time `json:"expiration,omitzero"`
	Remaining    string    `json:"remaining"`
	Seconds      int64     `json:"remainingSeconds"`
	Expired      bool      `json:"expired"`
	PrincipalARN string    `json:"principalArn,omitempty"`
	MFA          bool      `json:"mfa"`
}

// MFASession is an MFA session shared by profiles.
type MFASession struct {
	Serial      string   `json:"serial"`
	BaseProfile string   `json:"baseProfile"`
	Profiles    []string `json:"profiles"`
	Cached      *Cached  `json:"cached,omitempty"`
}

// Run prints the status.
func Run(o *Options) error {
	f := o.Factory
	cfg, err := f.LoadConfig()
	if err != nil {
		return err
	}
	f.WarnConfig(cfg)
	_, byKey, err := f.CachedCredentials()
	if err != nil {
		return err
	}
	now := f.Clock()
	rep := Report{ConfigFile: cfg.ConfigPath, CredentialsFile: cfg.CredentialsPath, Profiles: []Profile{}, MFASessions: []MFASession{}}
	used := map[string]bool{}
	names := cfg.ProfileNames()
	if o.Profile != "" {
		names = []string{o.Profile}
	}
	for _, name := range names {
		p := Profile{Name: name}
		ch, err := cfg.Resolve(name)
		var ce *awsconfig.Error
		if errors.As(err, &ce) && ce.Code == awsconfig.CodeNoCredentials && ce.Profile == name {
			// A profile with settings only (region, output...).
			p.Kind = "no credentials"
			rep.Profiles = append(rep.Profiles, p)
			continue
		}
		if err != nil {
			p.Error = err.Error()
			rep.Profiles = append(rep.Profiles, p)
			if o.Profile != "" {
				return err
			}
			continue
		}
		keys := broker.KeysFor(ch)
		for _, k := range append(append([]string{}, keys.Steps...), keys.Session) {
			used[k] = true
		}
		p.Kind, p.Chain = kind(ch), ch.String()
		if ch.NeedsMFA() {
			p.Mode = string(ch.MFA.Mode)
			p.MFASerial = ch.MFA.Serial
			if ch.MFA.Mode == awsconfig.MFAModePerRole && ch.MFA.Serial == "" {
				for _, s := range ch.Steps {
					if s.MFASerial != "" {
						p.MFASerial = s.MFASerial
					}
				}
			}
		}
		if k := keys.Final(); k != "" {
			p.Cached = describe(byKey[k], now)
		}
		rep.Profiles = append(rep.Profiles, p)
	}
	for _, g := range cfg.MFAGroups() {
		if o.Profile != "" && !contains(g.Profiles, o.Profile) {
			continue
		}
		rep.MFASessions = append(rep.MFASessions, MFASession{Serial: g.Serial, BaseProfile: g.BaseProfile, Profiles: g.Profiles, Cached: describe(byKey[g.Key], now)})
	}
	for k := range byKey {
		if !used[k] {
			rep.OtherCacheEntries++
		}
	}
	if o.Profile != "" {
		rep.OtherCacheEntries = 0
	}
	if o.Output == cmdutil.OutputJSON {
		return cmdutil.WriteJSON(o.IO.Out, rep)
	}
	return writeText(o.IO.Out, &rep)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// kind says in words how the profile gets its credentials.
func kind(ch *awsconfig.Chain) string {
	session := ch.MFA.Mode == awsconfig.MFAModeSession && ch.MFA.Serial != ""
	switch {
	case len(ch.Steps) == 0 && session:
		return "MFA session"
	case len(ch.Steps) == 0:
		switch ch.Base.Kind {
		case awsconfig.BaseStatic:
			if ch.Base.SessionToken != "" {
				return "temporary keys"
			}
			return "access keys"
		case awsconfig.BaseCredentialProcess:
			return "credential_process"
		case awsconfig.BaseCredentialSource:
			return "credential_source " + ch.Base.CredentialSource
		case awsconfig.BaseWebIdentity:
			return "web identity role"
		case awsconfig.BaseSSO:
			return "IAM Identity Center (SSO)"
		}
		return string(ch.Base.Kind)
	case session:
		return "role via MFA session"
	case ch.NeedsMFA():
		return "role with MFA per role"
	}
	return "role"
}

func describe(c *credcache.Credentials, now time.Time) *Cached {
	if c == nil {
		return nil
	}
	d := &Cached{AccessKeyID: c.AccessKeyID, Expiration: c.Expiration, PrincipalARN: c.PrincipalARN, MFA: c.MFA}
	if c.Expiration.IsZero() {
		d.Remaining = "no expiry"
		return d
	}
	rem := c.Expiration.Sub(now)
	d.Seconds = int64(rem / time.Second)
	if rem <= 0 {
		d.Expired, d.Remaining, d.Seconds = true, "expired", 0
	} else {
		d.Remaining = broker.FormatDuration(rem)
	}
	return d
}

func cachedText(c *Cached) string {
	if c == nil {
		return "-"
	}
	if c.Expired {
		return "expired"
	}
	return c.Remaining + " left"
}

func writeText(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tCREDENTIALS\tCACHED\tMFA")
	var problems []Profile
	for _, p := range r.Profiles {
		if p.Error != "" {
			problems = append(problems, p)
			continue
		}
		mfa := "-"
		if p.MFASerial != "" {
			mfa = p.MFASerial
			if p.Mode == string(awsconfig.MFAModePerRole) {
				mfa += " (per role)"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, p.Kind, cachedText(p.Cached), mfa)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.MFASessions) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "MFA SESSION (DEVICE)\tKEYS OF\tCACHED\tSHARED BY")
		for _, s := range r.MFASessions {
			profiles := append([]string(nil), s.Profiles...)
			sort.Strings(profiles)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Serial, s.BaseProfile, cachedText(s.Cached), strings.Join(profiles, ", "))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Profiles that do not resolve:")
		for _, p := range problems {
			fmt.Fprintf(w, "  %s: %s\n", p.Name, strings.ReplaceAll(p.Error, "\n", "\n    "))
		}
	}
	if r.OtherCacheEntries > 0 {
		fmt.Fprintf(w, "\n%d cached entries belong to no current profile (changed or removed); `awsmfa clear` removes everything cached.\n", r.OtherCacheEntries)
	}
	return nil
}
