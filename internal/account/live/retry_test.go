package live

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// throttler answers IAM's Throttling error to the first n requests of an
// action and passes the rest to the lab.
type throttler struct {
	mu    sync.Mutex
	left  map[string]int
	count map[string]int
}

func (th *throttler) handler(t *testing.T, lab string) http.Handler {
	u, err := url.Parse(lab)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		form, _ := url.ParseQuery(string(body))
		action := form.Get("Action")
		th.mu.Lock()
		th.count[action]++
		throttle := th.left[action] > 0
		if throttle {
			th.left[action]--
		}
		th.mu.Unlock()
		if throttle {
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>00000000-0000-4000-8000-000000000000</RequestId></ErrorResponse>`)
			return
		}
		proxy.ServeHTTP(w, r)
	})
}

// Throttled calls are retried by the SDK's retryer, and every attempt is
// counted.
func TestThrottledCallsAreRetriedAndCounted(t *testing.T) {
	l := startLab(t)
	th := &throttler{left: map[string]int{"GetAccountAuthorizationDetails": 5, "ListMFADevices": 3, "GetCredentialReport": 1}, count: map[string]int{}}
	front := httptest.NewServer(th.handler(t, l.url))
	defer front.Close()
	id, secret := l.keys(t, "admin")
	cfg := l.config(id, secret)
	cfg.BaseEndpoint = aws.String(front.URL)
	// The standard retryer without waiting between attempts, so the test
	// is quick; with the default one the read is the same, only slower.
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = DefaultMaxAttempts
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	}
	var st Stats
	a, err := Read(context.Background(), cfg, fastReport(Options{Stats: &st, NoOrganizations: true}))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Users) != 4 || a.Report == nil {
		t.Fatalf("users %d report %v", len(a.Users), a.Report)
	}
	got := map[string]int{}
	for _, oc := range st.Operations {
		got[strings.TrimPrefix(oc.Operation, "IAM:")] = oc.Calls
	}
	for _, op := range []string{"GetAccountAuthorizationDetails", "ListMFADevices", "GetCredentialReport"} {
		if got[op] != th.count[op] {
			t.Errorf("%s: counted %d calls, the server saw %d", op, got[op], th.count[op])
		}
	}
	if got["GetAccountAuthorizationDetails"] != 6 || got["ListMFADevices"] != 4+3 || got["GetCredentialReport"] != 2 {
		t.Errorf("calls %v", got)
	}
}

// Without a retryer of the caller's, a read retries up to
// DefaultMaxAttempts times (the SDK's default is 3).
func TestDefaultRetryAttempts(t *testing.T) {
	r := newReader(aws.Config{Region: "us-east-1"}, Options{})
	if n := r.iam.Options().Retryer.MaxAttempts(); n != DefaultMaxAttempts {
		t.Fatalf("attempts %d", n)
	}
	r = newReader(aws.Config{Region: "us-east-1", RetryMaxAttempts: 2}, Options{})
	if n := r.iam.Options().Retryer.MaxAttempts(); n != 2 {
		t.Fatalf("the config's attempts were replaced: %d", n)
	}
	r = newReader(aws.Config{Region: "us-east-1"}, Options{MaxAttempts: 4})
	if n := r.sts.Options().Retryer.MaxAttempts(); n != 4 {
		t.Fatalf("Options.MaxAttempts ignored: %d", n)
	}
}
