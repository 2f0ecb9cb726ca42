package setuputil

import (
	"fmt"
	"io"
	"sync"

	"github.com/awsmfa/awsmfa/internal/account/live"
	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// progress shows the live read's phase on standard error when it is a
// terminal, on one line rewritten in place; otherwise nothing.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	phase string
}

func newProgress(ios *iostreams.IOStreams) *progress {
	p := &progress{}
	if ios.IsStderrTTY() {
		p.w = ios.ErrOut
	}
	return p
}

func (p *progress) show(lp live.Progress) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if lp.Phase == p.phase {
		return
	}
	p.phase = lp.Phase
	fmt.Fprintf(p.w, "\r\x1b[Kreading the account: %s, %d API calls", lp.Phase, lp.Calls)
}

func (p *progress) done() {
	if p.w != nil && p.phase != "" {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
