// Package backoff retries a call with a doubling pause within a time
// limit, as waits for IAM's eventual consistency need.
package backoff

import (
	"context"
	"time"
)

// Policy says how to retry.
type Policy struct {
	// First is the first pause; each next one doubles, up to Max (no cap
	// when zero).
	First, Max time.Duration
	// Limit bounds the pauses' total: no pause starts that would end
	// past it.
	Limit time.Duration
	// Sleep waits between tries (Sleep below when nil; tests pass one
	// that does not wait).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Retry calls try until it succeeds or says not to retry, or the next
// pause would pass Limit. It returns try's last error (or the error that
// ended a pause, such as ctx's) and the time spent in pauses.
func (p Policy) Retry(ctx context.Context, try func() (retry bool, err error)) (time.Duration, error) {
	sleep := p.Sleep
	if sleep == nil {
		sleep = Sleep
	}
	pause, waited := p.First, time.Duration(0)
	for {
		retry, err := try()
		if err == nil || !retry || waited+pause > p.Limit {
			return waited, err
		}
		if err := sleep(ctx, pause); err != nil {
			return waited, err
		}
		waited += pause
		pause *= 2
		if p.Max > 0 {
			pause = min(pause, p.Max)
		}
	}
}

// Sleep waits d, or until ctx ends (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
