// Package keys is `awsmfa keys`: long-term access keys kept in the OS
// keychain or an encrypted file instead of ~/.aws/credentials.
package keys

import (
	"github.com/spf13/cobra"

	"github.com/awsmfa/awsmfa/internal/cmd/keys/add"
	importcmd "github.com/awsmfa/awsmfa/internal/cmd/keys/import"
	"github.com/awsmfa/awsmfa/internal/cmd/keys/list"
	"github.com/awsmfa/awsmfa/internal/cmd/keys/remove"
	"github.com/awsmfa/awsmfa/internal/cmd/keys/rotate"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// NewCmdKeys returns the command group.
func NewCmdKeys(ios *iostreams.IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys <command>",
		Short: "Keep long-term access keys out of plain text: add, import, list, rotate, remove",
		Long: `Keep each profile's long-term access key in the OS keychain (macOS
Keychain, Windows Credential Manager, Secret Service, KWallet) or, where
there is none, in a file encrypted under a passphrase (scrypt and
XSalsa20-Poly1305; $AWSMFA_KEYS_PASSPHRASE, else asked on the terminal),
instead of ~/.aws/credentials.

A profile whose keys are in the store needs nothing in ~/.aws/credentials:
every awsmfa command that resolves profiles uses the stored keys, and the
AWS CLI gets MFA credentials through the profile's credential_process
(which import and add write). When the files also hold keys for a
profile, those win (the AWS CLI, which reads only the files, uses them
too) and awsmfa keys list says so.

Environment: AWSMFA_KEYS_BACKEND (auto, keyring, pass or file), AWSMFA_KEYS_DIR
(the file backend's directory, default ~/.config/awsmfa/keys),
AWSMFA_KEYS_PASSPHRASE.`,
	}
	cmd.AddCommand(add.NewCmdAdd(ios, nil))
	cmd.AddCommand(importcmd.NewCmdImport(ios, nil))
	cmd.AddCommand(list.NewCmdList(ios, nil))
	cmd.AddCommand(rotate.NewCmdRotate(ios, nil))
	cmd.AddCommand(remove.NewCmdRemove(ios, nil))
	return cmd
}
