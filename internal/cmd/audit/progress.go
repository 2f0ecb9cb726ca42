package audit

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/awsmfa/awsmfa/internal/iostreams"
)

// progress shows, on standard error and only when it is a terminal, how
// a live read and the decisions advance, on one line rewritten in place.
// Otherwise it prints nothing.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	shown bool
	last  time.Time
	now   func() time.Time
}

// progressEvery limits how often the line is rewritten.
const progressEvery = 100 * time.Millisecond

func newProgress(ios *iostreams.IOStreams) *progress {
	p := &progress{now: time.Now}
	if ios.IsStderrTTY() {
		p.w = ios.ErrOut
	}
	return p
}

// show rewrites the line; force skips the rate limit (a phase change, the
// last update).
func (p *progress) show(force bool, format string, args ...any) {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if !force && p.shown && now.Sub(p.last) < progressEvery {
		return
	}
	p.last = now
	p.shown = true
	fmt.Fprintf(p.w, "\r\x1b[K"+format, args...)
}

// live reports a live read's progress.
func (p *progress) live(lp LiveProgress) {
	msg := fmt.Sprintf("reading the account: %s", lp.Phase)
	if lp.Pages > 0 {
		msg += fmt.Sprintf(", %d pages", lp.Pages)
	}
	if lp.Users > 0 {
		msg += fmt.Sprintf(", %d users", lp.Users)
	}
	if lp.UsersMFA > 0 {
		msg += fmt.Sprintf(" (%d with MFA devices listed)", lp.UsersMFA)
	}
	p.show(false, "%s, %d API calls", msg, lp.Calls)
}

// liveDone prints what the read cost, on its own line.
func (p *progress) liveDone(s LiveStats) {
	if s.Calls == 0 {
		return
	}
	p.show(true, "read the account with %d API calls in %s\n", s.Calls, s.Duration.Round(100*time.Millisecond))
	p.mu.Lock()
	p.shown = false
	p.mu.Unlock()
}

// decided reports the engine's progress.
func (p *progress) decided(done, total int) {
	p.show(done == total, "deciding: %d of %d users", done, total)
}

// done clears the line.
func (p *progress) done() {
	if p == nil || p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		io.WriteString(p.w, "\r\x1b[K")
		p.shown = false
	}
}
