//go:build windows

package exec

import (
	"errors"
	"os"
	"syscall"
)

const (
	replaceSupported = false
	defaultShell     = "cmd.exe"
	processGroups    = false
)

var relayedSignals = []os.Signal{os.Interrupt}

// shouldRelay: the console sends Ctrl-C to every process attached to it.
func shouldRelay(sig os.Signal, fromTerminal bool) bool { return !fromTerminal }

func replace(path string, argv, env []string) error {
	return errors.New("replacing the process is not supported on Windows")
}

func ownGroupAttr() *syscall.SysProcAttr { return nil }

func signalGroup(p *os.Process, sig os.Signal) { _ = p.Signal(sig) }
