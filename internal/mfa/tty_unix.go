//go:build !windows

package mfa

import (
	"io"
	"os"
	"sync"
	"syscall"
)

const defaultTTY = "/dev/tty"

var interruptSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// ttyFile is an open terminal: fd for term, out for the prompt.
type ttyFile struct {
	f        *os.File
	fd       int
	out      io.Writer
	mu       sync.Mutex
	detached bool
}

// openTTY opens the terminal for reading and writing, without making it
// the controlling terminal. Opening /dev/tty fails (ENXIO) in a process
// without a controlling terminal.
func openTTY(path string) (*ttyFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	return &ttyFile{f: f, fd: int(f.Fd()), out: f}, nil
}

// detach leaves the file open for a read still in progress (closing a
// descriptor another goroutine reads is unsafe: it could be reused).
func (t *ttyFile) detach() {
	t.mu.Lock()
	t.detached = true
	t.mu.Unlock()
}

func (t *ttyFile) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.detached {
		return nil
	}
	return t.f.Close()
}
