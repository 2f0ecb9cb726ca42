//go:build !windows

package exec

import (
	"fmt"
	"os"
	"syscall"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
)

const (
	replaceSupported = true
	defaultShell     = "/bin/sh"
)

// relayedSignals are caught while the command runs.
var relayedSignals = []os.Signal{syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2}

// shouldRelay: the terminal sends SIGINT and SIGQUIT to the whole
// foreground process group, the command included; relaying them would
// deliver them twice.
func shouldRelay(sig os.Signal, fromTerminal bool) bool {
	if fromTerminal && (sig == syscall.SIGINT || sig == syscall.SIGQUIT) {
		return false
	}
	return true
}

// replace runs the command in place of this process.
func replace(path string, argv, env []string) error {
	err := syscall.Exec(path, argv, env)
	return &cmdutil.ExitCodeError{Code: cmdutil.ExitError, Err: fmt.Errorf("cannot run %s: %w", argv[0], err)}
}
