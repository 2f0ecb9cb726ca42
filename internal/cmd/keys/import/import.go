// Package importcmd is `awsmfa keys import`: move long-term access keys
// from ~/.aws/credentials (or config) into the key store.
package importcmd

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/awsconfig"
	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
	"github.com/awsmfa/awsmfa/internal/keyops"
)

// Options are the command's inputs.
type Options struct {
	IO       *iostreams.IOStreams
	Factory  *brokerutil.Factory
	Profiles []string
	All      bool
	Output   string
}

// NewCmdImport returns the command; runF replaces Run in tests.
func NewCmdImport(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "import [PROFILE...|--all]",
		Short: "Move access keys from ~/.aws/credentials into the key store",
		Long: `For each profile: store its access key (aws_access_key_id and
aws_secret_access_key) in the key store and read it back; add
credential_process = awsmfa credential-process --profile PROFILE to the
profile in the config file (unless it has a role, a credential_process or
another source), so that the AWS CLI keeps working; then remove the key
from the credentials file (and the config file), keeping every other byte.
The file is changed only after the store holds the key, so a crash at any
point leaves the key in at least one place; running import again finishes.
--all imports every profile with long-term keys in the files.`,
		Example: `  awsmfa keys import bob
  awsmfa keys import --all`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Profiles = args
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	cmd.Flags().BoolVar(&o.All, "all", false, "import every profile with long-term keys in the files")
	cmdutil.AddOutputFlag(cmd, &o.Output)
	return cmd
}

// Run imports.
func Run(o *Options) error {
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	if o.All == (len(o.Profiles) > 0) {
		return cmdutil.UsageError("name the profiles to import, or --all")
	}
	store, err := o.Factory.OpenKeyStore()
	if err != nil {
		return cmdutil.Failed(err)
	}
	im := &keyops.Importer{Store: store, Env: o.Factory.AWSEnv(), Now: o.Factory.Clock}
	profiles := o.Profiles
	if o.All {
		cfg, err := awsconfig.Load(o.Factory.AWSEnv())
		if err != nil {
			return cmdutil.Failed(err)
		}
		if profiles = keyops.Candidates(cfg); len(profiles) == 0 {
			fmt.Fprintln(o.IO.ErrOut, "No profile has long-term access keys in the files.")
			return nil
		}
	}
	results := []*keyops.ImportResult{}
	var errs []string
	for _, p := range profiles {
		res, err := im.Import(p)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		results = append(results, res)
		if o.Output != cmdutil.OutputJSON {
			fmt.Fprintln(o.IO.Out, describe(res, store.Where()))
		}
	}
	if o.Output == cmdutil.OutputJSON {
		b, _ := json.MarshalIndent(results, "", "  ")
		fmt.Fprintln(o.IO.Out, string(b))
	}
	if len(errs) > 0 {
		return cmdutil.Failed(fmt.Errorf("%s", strings.Join(errs, "\n")))
	}
	return nil
}

func describe(r *keyops.ImportResult, where string) string {
	var parts []string
	if r.Stored {
		parts = append(parts, "stored in "+where)
	} else {
		parts = append(parts, "already in "+where)
	}
	if len(r.RemovedFrom) > 0 {
		parts = append(parts, "removed from "+strings.Join(r.RemovedFrom, " and "))
	}
	if r.CredentialProcess {
		parts = append(parts, "credential_process added for the AWS CLI")
	}
	return fmt.Sprintf("%s: access key %s %s", r.Profile, r.AccessKeyID, strings.Join(parts, "; "))
}
