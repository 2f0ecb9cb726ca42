package backoff

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestRetry(t *testing.T) {
	errBusy, errHard := errors.New("busy"), errors.New("hard")
	for _, tc := range []struct {
		name       string
		policy     Policy
		results    []error // what try returns, in turn (then errBusy)
		retry      func(error) bool
		wantPauses string
		wantErr    error
	}{
		{"first try", Policy{First: time.Second, Limit: time.Minute}, []error{nil}, nil, "[]", nil},
		{"doubling until success", Policy{First: time.Second, Limit: time.Minute}, []error{errBusy, errBusy, errBusy, nil}, nil, "[1s 2s 4s]", nil},
		{"capped", Policy{First: time.Second, Max: 3 * time.Second, Limit: time.Minute}, []error{errBusy, errBusy, errBusy, nil}, nil, "[1s 2s 3s]", nil},
		{"limit", Policy{First: time.Second, Limit: 7 * time.Second}, nil, nil, "[1s 2s 4s]", errBusy},
		{"not retried", Policy{First: time.Second, Limit: time.Minute}, []error{errHard}, func(err error) bool { return err != errHard }, "[]", errHard},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pauses []time.Duration
			tc.policy.Sleep = func(_ context.Context, d time.Duration) error { pauses = append(pauses, d); return nil }
			n := 0
			waited, err := tc.policy.Retry(context.Background(), func() (bool, error) {
				err := errBusy
				if n < len(tc.results) {
					err = tc.results[n]
				}
				n++
				return tc.retry == nil || tc.retry(err), err
			})
			var sum time.Duration
			for _, p := range pauses {
				sum += p
			}
			if fmt.Sprint(pauses) != tc.wantPauses || err != tc.wantErr || waited != sum {
				t.Errorf("pauses %v, err %v, waited %v; want %s, %v", pauses, err, waited, tc.wantPauses, tc.wantErr)
			}
		})
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a cancelled context: %v", err)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("Sleep: %v", err)
	}
}
