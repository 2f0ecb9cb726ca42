package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/awsquery"
	"github.com/awsmfa/awsmfa/internal/lab"
	"github.com/awsmfa/awsmfa/internal/lab/loadgen"
)

// TestLoadCorrectness drives 200 concurrent connections of signed
// requests at an in-process lab (bounded by count and time) and checks that
// every one is answered correctly: signature verification, caller lookup
// and policy evaluation under concurrency. Throughput and p99 are logged;
// scripts/bench-lab.sh measures them against moto_server.
func TestLoadCorrectness(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	e := startLab(t, func(c *lab.Config) { c.Logger = nil })
	ctx := context.Background()
	for _, c := range []struct {
		call awsquery.Call
		user string
		want int
	}{
		{awsquery.GetCallerIdentity, "bob", 200},
		{awsquery.ListUsers, "alice", 200},
		// Denied on every request by the BoolIfExists deny.
		{awsquery.DescribeRegions, "bob", 403},
	} {
		req, err := awsquery.Sign(ctx, e.URL, c.call, e.keys(t, c.user), "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		before := e.Server.Stats()[c.call.Service+":"+c.call.Action]
		res, err := loadgen.Run(ctx, loadgen.Config{Request: req, Concurrency: 200, MaxRequests: 20000, Duration: 10 * time.Second, Warmup: 1, ExpectStatus: c.want})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s as %s: %s", c.call.Action, c.user, res)
		if res.Failures != 0 || res.Requests == 0 {
			t.Errorf("%s: %d of %d requests failed; first: %s", c.call.Action, res.Failures, res.Requests, res.FirstFailure)
		}
		// The lab counted every request (warm-up included). When the time
		// bound ended the run first (a loaded machine), the requests in
		// flight then (at most one per connection) reached the lab but
		// were not counted as done.
		want, slack := res.Requests+200, 0
		if res.Requests < 20000 {
			slack = 200
		}
		if got := e.Server.Stats()[c.call.Service+":"+c.call.Action] - before; got < want || got > want+slack {
			t.Errorf("%s: lab counted %d calls, want %d (up to %d more when the time bound ended the run)", c.call.Action, got, want, slack)
		}
	}
	e.stillServing(t)
}
