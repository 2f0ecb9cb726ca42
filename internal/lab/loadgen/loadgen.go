// Package loadgen drives signed AWS query-protocol requests at a local
// endpoint (the awsmfa lab or moto_server) and measures throughput and
// latency percentiles. It is bounded by a request count and a duration and
// only talks to loopback addresses.
//
// A SigV4 signature stays valid for 15 minutes and AWS keeps no replay
// cache for header-signed requests, so one signed request can be replayed:
// the server still verifies the signature and evaluates the policies on each
// copy, which is the work being measured.
package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsquery"
)

// Config bounds a run.
type Config struct {
	Request     awsquery.Request
	Concurrency int           // concurrent connections (workers)
	MaxRequests int           // stop after this many requests (0: no count bound)
	Duration    time.Duration // stop after this long (0: no time bound)
	// Warmup requests per worker, not measured (opens the connections).
	Warmup int
	// ExpectStatus is the status every response must have (default 200);
	// others count as failures. -1 accepts any status.
	ExpectStatus int
	// Rate, when positive, makes the run open-loop: requests are scheduled
	// at this many per second in total, whatever the server's pace, and
	// each latency is measured from the request's scheduled time, so time
	// spent waiting for a free connection counts (no coordinated
	// omission). Zero is closed-loop: every connection sends its next
	// request as soon as the previous one is answered (maximum throughput,
	// where latency is mostly queueing: mean = Concurrency / throughput).
	Rate float64
}

// Result summarizes a run.
type Result struct {
	Requests    int           `json:"requests"`
	Failures    int           `json:"failures"`
	Elapsed     time.Duration `json:"elapsedNs"`
	RPS         float64       `json:"requestsPerSecond"`
	P50         time.Duration `json:"p50Ns"`
	P90         time.Duration `json:"p90Ns"`
	P99         time.Duration `json:"p99Ns"`
	Max         time.Duration `json:"maxNs"`
	Concurrency int           `json:"concurrency"`
	// FirstFailure describes the first unexpected response or error.
	FirstFailure string `json:"firstFailure,omitempty"`
}

func (r Result) String() string {
	return fmt.Sprintf("%d requests (%d failed) in %.2fs = %.0f req/s, p50 %s p90 %s p99 %s max %s at %d connections",
		r.Requests, r.Failures, r.Elapsed.Seconds(), r.RPS, ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max), r.Concurrency)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// CheckLoopback refuses URLs whose host is not a loopback address.
func CheckLoopback(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("loadgen only targets loopback addresses, not %q", host)
	}
	return nil
}

// Run replays cfg.Request until MaxRequests or Duration is reached (or ctx
// ends). At least one bound must be set.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.MaxRequests <= 0 && cfg.Duration <= 0 {
		return Result{}, errors.New("loadgen: set MaxRequests or Duration")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	if cfg.ExpectStatus == 0 {
		cfg.ExpectStatus = http.StatusOK
	}
	if err := CheckLoopback(cfg.Request.URL); err != nil {
		return Result{}, err
	}
	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        cfg.Concurrency,
		MaxIdleConnsPerHost: cfg.Concurrency,
		MaxConnsPerHost:     cfg.Concurrency,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	var (
		issued   atomic.Int64
		failures atomic.Int64
		firstMu  sync.Once
		first    string
		wg       sync.WaitGroup
	)
	fail := func(msg string) {
		failures.Add(1)
		firstMu.Do(func() { first = msg })
	}
	// mctx bounds the measured phase; set before the workers are released.
	var mctx context.Context
	do := func(ctx context.Context, from time.Time) (time.Duration, bool) {
		req, err := http.NewRequestWithContext(ctx, cfg.Request.Method, cfg.Request.URL, bytes.NewReader(cfg.Request.Body))
		if err != nil {
			fail(err.Error())
			return 0, false
		}
		req.Header = cfg.Request.Header.Clone()
		req.ContentLength = int64(len(cfg.Request.Body))
		if from.IsZero() {
			from = time.Now()
		}
		resp, err := client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return 0, false
			}
			fail(err.Error())
			return time.Since(from), true
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		d := time.Since(from)
		if cfg.ExpectStatus > 0 && resp.StatusCode != cfg.ExpectStatus {
			fail(fmt.Sprintf("status %d: %.300s", resp.StatusCode, body))
		}
		return d, true
	}
	// sched carries the scheduled send times of an open-loop run.
	var sched chan time.Time
	if cfg.Rate > 0 {
		sched = make(chan time.Time, cfg.Concurrency)
	}
	// Warm up: open every connection before the clock starts.
	warm := make(chan struct{})
	var warmWG sync.WaitGroup
	lat := make([][]time.Duration, cfg.Concurrency)
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		warmWG.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < cfg.Warmup; i++ {
				do(ctx, time.Time{})
			}
			warmWG.Done()
			<-warm
			var mine []time.Duration
			if cfg.MaxRequests > 0 {
				mine = make([]time.Duration, 0, cfg.MaxRequests/cfg.Concurrency+1)
			}
			if sched != nil {
				for at := range sched {
					d, ok := do(mctx, at)
					if !ok {
						break
					}
					mine = append(mine, d)
				}
				lat[w] = mine
				return
			}
			for mctx.Err() == nil {
				if cfg.MaxRequests > 0 && issued.Add(1) > int64(cfg.MaxRequests) {
					break
				}
				d, ok := do(mctx, time.Time{})
				if !ok {
					break
				}
				mine = append(mine, d)
			}
			lat[w] = mine
		}(w)
	}
	warmWG.Wait()
	failures.Store(0)
	first = ""
	firstMu = sync.Once{}
	mctx = ctx
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		mctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	start := time.Now()
	if sched != nil {
		go schedule(mctx, sched, start, cfg.Rate, cfg.MaxRequests)
	}
	close(warm)
	wg.Wait()
	elapsed := time.Since(start)

	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	res := Result{Requests: len(all), Failures: int(failures.Load()), Elapsed: elapsed, Concurrency: cfg.Concurrency, FirstFailure: first}
	if elapsed > 0 {
		res.RPS = float64(len(all)) / elapsed.Seconds()
	}
	if len(all) > 0 {
		res.P50 = Percentile(all, 50)
		res.P90 = Percentile(all, 90)
		res.P99 = Percentile(all, 99)
		res.Max = all[len(all)-1]
	}
	return res, nil
}

// schedule sends the scheduled times of an open-loop run: start, then every
// 1/rate seconds, until ctx ends or max times were sent (max 0: no limit).
// When it falls behind it sends the missed times at once, keeping the rate.
func schedule(ctx context.Context, out chan<- time.Time, start time.Time, rate float64, max int) {
	defer close(out)
	interval := time.Duration(float64(time.Second) / rate)
	if interval <= 0 {
		interval = time.Nanosecond
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	next := start
	for i := 0; max <= 0 || i < max; i++ {
		if wait := time.Until(next); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
				return
			}
		}
		select {
		case out <- next:
		case <-ctx.Done():
			return
		}
		next = next.Add(interval)
	}
}

// Percentile returns the p-th percentile (nearest rank) of sorted.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted)) + 0.999999999)
	if rank < 1 {
		rank = 1
	}
	if rank > len(sorted) {
		rank = len(sorted)
	}
	return sorted[rank-1]
}

// WrkScript renders a wrk Lua script that replays req (method, path,
// headers, body) on every request.
func WrkScript(req awsquery.Request) (string, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("-- Generated by internal/lab/loadgen: replays one SigV4-signed request (valid 15 minutes).\n")
	fmt.Fprintf(&b, "wrk.method = %s\n", luaString(req.Method))
	path := u.RequestURI()
	fmt.Fprintf(&b, "wrk.path = %s\n", luaString(path))
	fmt.Fprintf(&b, "wrk.body = %s\n", luaString(string(req.Body)))
	keys := make([]string, 0, len(req.Header))
	for k := range req.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "wrk.headers[%s] = %s\n", luaString(k), luaString(strings.Join(req.Header[k], ",")))
	}
	// Report errors (wrk counts statuses >= 400 as errors) and percentiles
	// in one machine-readable line.
	b.WriteString(`done = function(summary, latency, requests)
  io.write(string.format("wrk_summary requests=%d non200_or_errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d duration_us=%d\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, summary.duration))
end
`)
	return b.String(), nil
}

func luaString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
