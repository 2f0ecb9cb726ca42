// Package clear is `awsmfa clear`: forget cached credentials.
package clear

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/broker"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// Options are the command's inputs.
type Options struct {
	IO       *iostreams.IOStreams
	Factory  *brokerutil.Factory
	Profiles []string
	Output   string
}

// NewCmdClear returns the command; runF replaces Run in tests.
func NewCmdClear(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "clear [PROFILE...]",
		Short: "Forget cached credentials (all, or a profile's)",
		Long: `Remove credentials from awsmfa's cache, so that the next request gets new
ones (and asks for an MFA code).

Without PROFILE everything cached is removed. With PROFILE, its cached
credentials are removed, with the roles of its chain and its MFA session;
the credentials other profiles obtained from that MFA session go too (they
would outlive the "logout"). Credentials already handed out stay valid at
AWS until they expire. The AWS CLI's own cache (~/.aws/cli/cache) is not
touched.`,
		Example: `  awsmfa clear
  awsmfa clear work`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.CheckOutput(o.Output); err != nil {
				return err
			}
			o.Profiles = args
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	cmdutil.AddOutputFlag(cmd, &o.Output)
	return cmd
}

// Removed is one removed entry (-o json).
type Removed struct {
	Key         string `json:"key"`
	What        string `json:"what"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
}

// Run removes the entries.
func Run(o *Options) error {
	f := o.Factory
	cache, byKey, err := f.CachedCredentials()
	if err != nil {
		return err
	}
	what := map[string]string{}
	if len(o.Profiles) == 0 {
		for k, c := range byKey {
			what[k] = describe(c)
		}
	} else {
		cfg, err := f.LoadConfig()
		if err != nil {
			return err
		}
		for _, p := range o.Profiles {
			ch, err := cfg.Resolve(p)
			if err != nil {
				return err
			}
			keys := broker.KeysFor(ch)
			for i, k := range keys.Steps {
				what[k] = fmt.Sprintf("role %s of profile %q", ch.Steps[i].RoleARN, ch.Steps[i].Profile)
			}
			if keys.Session != "" {
				what[keys.Session] = fmt.Sprintf("MFA session of %s (keys of profile %q)", ch.MFA.Serial, ch.Base.Profile)
			}
		}
		// Credentials obtained from a removed entry.
		for changed := true; changed; {
			changed = false
			for k, c := range byKey {
				if _, ok := what[k]; !ok && c.SourceKey != "" {
					if _, gone := what[c.SourceKey]; gone {
						what[k] = describe(c) + " obtained from it"
						changed = true
					}
				}
			}
		}
	}
	var removed []Removed
	keys := make([]string, 0, len(what))
	for k := range what {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c, ok := byKey[k]
		if !ok {
			continue
		}
		if err := cache.Delete(k); err != nil {
			return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("cannot remove %s: %w", what[k], err)}
		}
		removed = append(removed, Removed{Key: k, What: what[k], AccessKeyID: c.AccessKeyID})
	}
	if o.Output == cmdutil.OutputJSON {
		if removed == nil {
			removed = []Removed{}
		}
		return cmdutil.WriteJSON(o.IO.Out, map[string]any{"removed": removed})
	}
	if len(removed) == 0 {
		scope := "awsmfa's cache is empty"
		if len(o.Profiles) > 0 {
			scope = "nothing is cached for " + strings.Join(quoteAll(o.Profiles), ", ")
		}
		fmt.Fprintln(o.IO.Out, scope)
		return nil
	}
	for _, r := range removed {
		fmt.Fprintf(o.IO.Out, "removed %s (%s)\n", r.What, r.AccessKeyID)
	}
	return nil
}

func describe(c *credcache.Credentials) string {
	switch c.Kind {
	case broker.KindSessionToken:
		return "an MFA session"
	case broker.KindAssumeRole:
		if c.PrincipalARN != "" {
			return "role credentials " + c.PrincipalARN
		}
		return "role credentials"
	}
	if c.Kind != "" {
		return c.Kind + " credentials"
	}
	return "credentials"
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}
