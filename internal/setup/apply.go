package setup

import (
	"context"
	"fmt"
	"strings"
)

// Caller makes one step's IAM call (the command implements it over the
// AWS SDK). It is given only steps that change something.
type Caller interface {
	Call(ctx context.Context, s Step) error
}

// Result says what Apply did: the steps made, the step that failed (nil
// when none did) and its error, and the steps not attempted.
type Result struct {
	Done    []Step
	Failed  *Step
	Err     error
	NotDone []Step
}

// Apply makes the plan's changes in order and stops at the first failure:
// the account is then part way, and a new plan from a fresh read of the
// account finishes the work (every step is planned from what the account
// holds, so what was done is not planned again). progress, when not nil,
// is told of each step before it is made.
func Apply(ctx context.Context, p *Plan, c Caller, progress func(i, n int, s Step)) *Result {
	var todo []Step
	for _, s := range p.Steps {
		if s.Action != NoChange {
			todo = append(todo, s)
		}
	}
	r := &Result{}
	for i, s := range todo {
		if err := ctx.Err(); err != nil {
			r.Err, r.NotDone = err, todo[i:]
			return r
		}
		if progress != nil {
			progress(i+1, len(todo), s)
		}
		if err := c.Call(ctx, s); err != nil {
			failed := s
			r.Failed, r.Err, r.NotDone = &failed, err, todo[i+1:]
			return r
		}
		r.Done = append(r.Done, s)
	}
	return r
}

// Error describes a failed or interrupted apply: what was done, what
// failed and why, what was not done, and how to finish. It is "" when
// every step was made.
func (r *Result) Error() string {
	if r.Err == nil {
		return ""
	}
	var b strings.Builder
	if r.Failed != nil {
		fmt.Fprintf(&b, "%s (%s) failed: %v\n", r.Failed.Summary, r.Failed.Call, r.Err)
	} else {
		fmt.Fprintf(&b, "stopped: %v\n", r.Err)
	}
	fmt.Fprintf(&b, "done (%d):\n", len(r.Done))
	for _, s := range r.Done {
		fmt.Fprintf(&b, "  %s %s\n", actionSymbol[s.Action], s.Summary)
	}
	fmt.Fprintf(&b, "not done (%d):\n", len(r.NotDone))
	for _, s := range r.NotDone {
		fmt.Fprintf(&b, "  %s %s\n", actionSymbol[s.Action], s.Summary)
	}
	b.WriteString("apply again to finish: the next plan starts from what the account holds now\n")
	return b.String()
}
