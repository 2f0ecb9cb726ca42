//go:build windows

package mfa

import (
	"io"
	"os"
	"sync"
)

// defaultTTY is the console input; the prompt goes to CONOUT$.
const defaultTTY = "CONIN$"

var interruptSignals = []os.Signal{os.Interrupt}

type ttyFile struct {
	in, outF *os.File
	fd       int
	out      io.Writer
	mu       sync.Mutex
	detached bool
}

// openTTY opens the console: input from path (CONIN$), prompt to CONOUT$.
func openTTY(path string) (*ttyFile, error) {
	in, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	out, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0)
	if err != nil {
		in.Close()
		return nil, err
	}
	return &ttyFile{in: in, outF: out, fd: int(in.Fd()), out: out}, nil
}

func (t *ttyFile) detach() {
	t.mu.Lock()
	t.detached = true
	t.mu.Unlock()
}

func (t *ttyFile) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.outF.Close()
	if t.detached {
		return nil
	}
	return t.in.Close()
}
