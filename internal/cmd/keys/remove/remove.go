// Package remove is `awsmfa keys remove`: delete a profile's key from the
// key store.
package remove

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/cmd/brokerutil"
	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// Options are the command's inputs.
type Options struct {
	IO      *iostreams.IOStreams
	Factory *brokerutil.Factory
	Profile string
	Yes     bool
	Output  string
}

// NewCmdRemove returns the command; runF replaces Run in tests.
func NewCmdRemove(ios *iostreams.IOStreams, runF func(*Options) error) *cobra.Command {
	o := &Options{IO: ios, Factory: brokerutil.New(ios)}
	cmd := &cobra.Command{
		Use:   "remove PROFILE [--yes]",
		Short: "Delete a profile's access key from the key store",
		Long: `Delete the profile's key from the key store (the key stays valid in IAM:
delete it there with aws iam delete-access-key, or rotate instead). On a
terminal the command asks first; without one it needs --yes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Profile = args[0]
			if runF != nil {
				return runF(o)
			}
			return Run(o)
		},
	}
	cmd.Flags().BoolVarP(&o.Yes, "yes", "y", false, "do not ask for confirmation")
	cmdutil.AddOutputFlag(cmd, &o.Output)
	return cmd
}

// Run removes.
func Run(o *Options) error {
	if err := cmdutil.CheckOutput(o.Output); err != nil {
		return err
	}
	store, err := o.Factory.OpenKeyStore()
	if err != nil {
		return cmdutil.Failed(err)
	}
	id, ok, err := store.Lookup(o.Profile)
	if err != nil {
		return cmdutil.Failed(err)
	}
	if !ok {
		return cmdutil.Failed(fmt.Errorf("profile %s has no key in %s", o.Profile, store.Where()))
	}
	if !o.Yes {
		if err := cmdutil.Confirm(o.IO, fmt.Sprintf("Delete access key %s of profile %s from %s?", id, o.Profile, store.Where())); err != nil {
			return err
		}
	}
	if err := store.Delete(o.Profile); err != nil {
		return cmdutil.Failed(err)
	}
	if o.Output == cmdutil.OutputJSON {
		b, _ := json.Marshal(struct {
			Profile     string `json:"profile"`
			AccessKeyID string `json:"accessKeyId"`
			Removed     bool   `json:"removed"`
		}{o.Profile, id, true})
		fmt.Fprintln(o.IO.Out, string(b))
	}
	fmt.Fprintf(o.IO.ErrOut, "Deleted access key %s of profile %s from %s. The key is still valid in IAM.\n", id, o.Profile, store.Where())
	return nil
}
