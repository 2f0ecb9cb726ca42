//go:build !windows

package brokerutil

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// foregroundTTY reports whether this process has a controlling terminal and
// is in its foreground process group: only then may it prompt there (a
// background process reading the terminal is stopped by SIGTTIN).
func foregroundTTY() bool {
	f, err := os.OpenFile("/dev/tty", os.O_RDONLY|syscall.O_NOCTTY, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	pgrp, err := unix.IoctlGetInt(int(f.Fd()), unix.TIOCGPGRP)
	if err != nil {
		return false
	}
	return pgrp == unix.Getpgrp()
}
