//go:build windows

package brokerutil

import (
	"os"

	"golang.org/x/term"
)

// foregroundTTY reports whether standard input is a console (Windows has
// no background process groups).
func foregroundTTY() bool { return term.IsTerminal(int(os.Stdin.Fd())) }
