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
	// processGroups: the command can get a process group of its own.
	processGroups = true
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

// ownGroupAttr starts the command in a new process group (its pid).
func ownGroupAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// signalGroup sends sig to the process group p leads.
func signalGroup(p *os.Process, sig os.Signal) {
	if s, ok := sig.(syscall.Signal); ok {
		_ = syscall.Kill(-p.Pid, s)
		return
	}
	_ = p.Signal(sig)
}
