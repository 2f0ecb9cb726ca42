package live

import (
	"context"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/middleware"
)

// callCounter counts the HTTP requests the reader sends, per operation:
// its middleware sits after the retry middleware, so every attempt counts,
// retries of throttled calls included.
type callCounter struct {
	mu  sync.Mutex
	ops map[string]int
}

func newCallCounter() *callCounter { return &callCounter{ops: map[string]int{}} }

// apiOption adds the counting middleware to a client's stack.
func (c *callCounter) apiOption(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("awsmfaCountCalls",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			c.add(middleware.GetServiceID(ctx) + ":" + middleware.GetOperationName(ctx))
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

func (c *callCounter) add(op string) {
	c.mu.Lock()
	c.ops[op]++
	c.mu.Unlock()
}

// total is the number of requests sent so far.
func (c *callCounter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.ops {
		n += v
	}
	return n
}

// snapshot returns the counts per operation, sorted by name.
func (c *callCounter) snapshot() []OperationCount {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]OperationCount, 0, len(c.ops))
	for k, v := range c.ops {
		out = append(out, OperationCount{Operation: k, Calls: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Operation < out[j].Operation })
	return out
}

// withCounting returns cfg with the counter on every client made from it.
func withCounting(cfg aws.Config, c *callCounter) aws.Config {
	cfg.APIOptions = append(append([]func(*middleware.Stack) error(nil), cfg.APIOptions...), c.apiOption)
	return cfg
}
