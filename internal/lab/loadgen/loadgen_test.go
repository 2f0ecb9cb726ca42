package loadgen

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awsmfa/awsmfa/internal/awsquery"
)

var testCreds = aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}

func TestCheckLoopback(t *testing.T) {
	for u, ok := range map[string]bool{
		"http://127.0.0.1:80/": true, "http://[::1]:9/": true, "http://localhost:1": true, "http://127.1.2.3:5": true,
		"http://10.0.0.1:1": false, "https://sts.amazonaws.com": false, "http://0.0.0.0:1": false,
	} {
		if err := CheckLoopback(u); (err == nil) != ok {
			t.Errorf("CheckLoopback(%s) = %v", u, err)
		}
	}
	_, err := Run(context.Background(), Config{Request: awsquery.Request{Method: "POST", URL: "http://192.0.2.1/"}, MaxRequests: 1})
	if err == nil {
		t.Error("Run against a non-loopback address started")
	}
	_, err = Run(context.Background(), Config{Request: awsquery.Request{Method: "POST", URL: "http://127.0.0.1:1/"}})
	if err == nil {
		t.Error("Run without bounds started")
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	for p, want := range map[float64]time.Duration{50: 50, 90: 90, 99: 99, 100: 100, 0: 1} {
		if got := Percentile(d, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if Percentile(nil, 99) != 0 {
		t.Error("empty percentile")
	}
	if Percentile([]time.Duration{7}, 99) != 7 {
		t.Error("single percentile")
	}
}

func echoServer(t *testing.T, failEvery int64) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		i := n.Add(1)
		if r.Header.Get("Authorization") == "" || !strings.Contains(string(body), "Action=GetCallerIdentity") ||
			(failEvery > 0 && i%failEvery == 0) {
			http.Error(w, "<Error><Code>SignatureDoesNotMatch</Code></Error>", http.StatusForbidden)
			return
		}
		io.WriteString(w, "<ok/>")
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestRunCountBound(t *testing.T) {
	srv, n := echoServer(t, 0)
	req, err := awsquery.Sign(context.Background(), srv.URL, awsquery.GetCallerIdentity, testCreds, "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Config{Request: req, Concurrency: 8, MaxRequests: 500, Warmup: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 500 || res.Failures != 0 || res.RPS <= 0 || res.P99 <= 0 || res.P99 < res.P50 || res.Max < res.P99 {
		t.Errorf("result %+v", res)
	}
	if got := n.Load(); got != 500+8*2 {
		t.Errorf("server saw %d requests, want 516 (500 + 16 warm-up)", got)
	}
	if !strings.Contains(res.String(), "500 requests (0 failed)") {
		t.Errorf("String() = %s", res)
	}
}

func TestRunTimeBoundAndFailures(t *testing.T) {
	srv, _ := echoServer(t, 10)
	req, _ := awsquery.Sign(context.Background(), srv.URL, awsquery.GetCallerIdentity, testCreds, "us-east-1", time.Now())
	start := time.Now()
	res, err := Run(context.Background(), Config{Request: req, Concurrency: 4, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("time-bound run took %v", el)
	}
	if res.Requests == 0 || res.Failures == 0 || !strings.Contains(res.FirstFailure, "status 403") {
		t.Errorf("result %+v, want failures counted", res)
	}
}

func TestLuaString(t *testing.T) {
	for in, want := range map[string]string{
		`a"b\c`: `"a\"b\\c"`,
		"x\ny":  `"x\010y"`,
		"":      `""`,
	} {
		if got := luaString(in); got != want {
			t.Errorf("luaString(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestWrkScript runs the generated script with the real wrk for a moment.
func TestWrkScript(t *testing.T) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("wrk is required under CI=true")
		}
		t.Skip("wrk not installed")
	}
	srv, n := echoServer(t, 0)
	req, _ := awsquery.Sign(context.Background(), srv.URL, awsquery.GetCallerIdentity, testCreds, "us-east-1", time.Now())
	script, err := WrkScript(req)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "replay.lua")
	if err := os.WriteFile(p, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(wrk, "-t1", "-c2", "-d1s", "-s", p, srv.URL).CombinedOutput()
	if err != nil {
		t.Fatalf("wrk: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`wrk_summary requests=(\d+) non200_or_errors=(\d+)`).FindStringSubmatch(string(out))
	if m == nil || m[1] == "0" || m[2] != "0" || n.Load() == 0 {
		t.Fatalf("wrk output:\n%s", out)
	}
}

func TestRunOpenLoopRate(t *testing.T) {
	srv, n := echoServer(t, 0)
	req, _ := awsquery.Sign(context.Background(), srv.URL, awsquery.GetCallerIdentity, testCreds, "us-east-1", time.Now())
	res, err := Run(context.Background(), Config{Request: req, Concurrency: 4, Duration: time.Second, Rate: 200})
	if err != nil {
		t.Fatal(err)
	}
	// 200/s for one second: about 200 requests, never far more.
	if res.Requests < 150 || res.Requests > 205 || res.Failures != 0 {
		t.Errorf("open-loop run: %+v (server saw %d)", res, n.Load())
	}
	// MaxRequests bounds an open-loop run too.
	res, err = Run(context.Background(), Config{Request: req, Concurrency: 4, MaxRequests: 50, Rate: 1000})
	if err != nil || res.Requests != 50 {
		t.Errorf("open-loop with MaxRequests: %+v %v", res, err)
	}
}

// An open-loop run against a server slower than the rate measures the
// queueing delay (latency from the scheduled time), which a closed loop
// would hide.
func TestRunOpenLoopCountsQueueing(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		io.WriteString(w, "<ok/>")
	}))
	defer slow.Close()
	req, _ := awsquery.Sign(context.Background(), slow.URL, awsquery.GetCallerIdentity, testCreds, "us-east-1", time.Now())
	closed, err := Run(context.Background(), Config{Request: req, Concurrency: 1, MaxRequests: 20})
	if err != nil {
		t.Fatal(err)
	}
	open, err := Run(context.Background(), Config{Request: req, Concurrency: 1, MaxRequests: 20, Rate: 200})
	if err != nil {
		t.Fatal(err)
	}
	// Closed-loop latencies hold no queueing: the median is the server's
	// 20 ms (more on a loaded machine), well under the open loop's worst.
	if closed.P50 >= open.Max/2 {
		t.Errorf("closed-loop p50 %v is not well under the open-loop max %v", closed.P50, open.Max)
	}
	// 20 requests due within 100 ms, served one per 20 ms: the last waits
	// about 300 ms.
	if open.Max < 200*time.Millisecond {
		t.Errorf("open-loop max %v, want the queueing delay counted (>200ms)", open.Max)
	}
}

func TestRunAnyStatus(t *testing.T) {
	srv, _ := echoServer(t, 1) // every request answered 403
	req, _ := awsquery.Sign(context.Background(), srv.URL, awsquery.GetCallerIdentity, testCreds, "us-east-1", time.Now())
	res, err := Run(context.Background(), Config{Request: req, MaxRequests: 10, ExpectStatus: -1})
	if err != nil || res.Requests != 10 || res.Failures != 0 {
		t.Errorf("ExpectStatus -1: %+v %v", res, err)
	}
	res, _ = Run(context.Background(), Config{Request: req, MaxRequests: 10})
	if res.Failures != 10 {
		t.Errorf("default ExpectStatus 200 against 403s: %+v", res)
	}
}
