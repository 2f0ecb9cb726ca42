package broker

import (
	"errors"
	"strings"
	"testing"

	"github.com/awsmfa/awsmfa/internal/broker/brokertest"
	"github.com/awsmfa/awsmfa/internal/credcache"
	"github.com/awsmfa/awsmfa/internal/lab"
)

func startLab(t *testing.T, lifetimes lab.Lifetimes) *brokertest.Lab {
	return brokertest.StartLab(t, lifetimes)
}

// newBroker returns a broker on the lab with an in-memory cache (or cache)
// and a fake MFA source.
func newBroker(l *brokertest.Lab, cache credcache.Cache) (*Broker, *brokertest.FakeMFA, *brokertest.SyncBuffer) {
	if cache == nil {
		cache = brokertest.NewMemCache()
	}
	f := l.MFA()
	stderr := &brokertest.SyncBuffer{}
	b := &Broker{Config: l.Config(), Cache: cache, MFA: f, Now: l.Clock.Now, Stderr: stderr, RetryMaxAttempts: 1}
	return b, f, stderr
}

// wantCode asserts err is a broker error with code whose message contains
// each of contains.
func wantCode(t *testing.T, err error, code ErrorCode, contains ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	t.Logf("error: %v", err)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not a broker *Error", err, err)
	}
	if e.Code != code {
		t.Fatalf("code %s, want %s: %v", e.Code, code, err)
	}
	for _, s := range contains {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q lacks %q", err.Error(), s)
		}
	}
}
