// Command benchlab measures signed-request throughput and latency of local
// AWS-compatible endpoints (the awsmfa lab, moto_server) for the same calls
// in one run, with the Go load generator of internal/lab/loadgen or wrk.
//
//	go run ./internal/lab/loadgen/benchlab \
//	    --target lab=http://127.0.0.1:4581,profile=alice --credentials DIR/credentials \
//	    --target moto=http://127.0.0.1:5001 \
//	    --call GetCallerIdentity --call ListUsers --connections 200 --duration 10s --tool wrk
//
// Targets without a profile get moto's placeholder keys (moto accepts any).
// Only loopback targets are accepted. Secret keys never appear in the output.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/awsmfa/awsmfa/internal/awsquery"
	"github.com/awsmfa/awsmfa/internal/lab/loadgen"
)

type target struct {
	Name, URL, Profile string
	creds              aws.Credentials
}

type result struct {
	Target string         `json:"target"`
	Call   string         `json:"call"`
	Tool   string         `json:"tool"`
	Rate   float64        `json:"rate,omitempty"`
	Result loadgen.Result `json:"result"`
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "benchlab:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("benchlab", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var targets, calls multiFlag
	fs.Var(&targets, "target", "NAME=URL[,profile=PROFILE] (repeatable)")
	fs.Var(&calls, "call", "GetCallerIdentity, ListUsers or DescribeRegions (repeatable)")
	credsFile := fs.String("credentials", "", "AWS shared credentials file for targets with a profile")
	conns := fs.Int("connections", 200, "concurrent connections")
	duration := fs.Duration("duration", 10*time.Second, "measured time per target and call")
	maxReq := fs.Int("max-requests", 0, "stop after this many requests (0: duration only; go tool)")
	tool := fs.String("tool", "go", "load tool: go (internal/lab/loadgen) or wrk")
	threads := fs.Int("threads", 2, "wrk threads")
	rate := fs.Float64("rate", 0, "open-loop: requests per second in total, latency from the scheduled time (go tool only; 0: closed-loop, maximum throughput)")
	output := fs.String("output", "text", "text or json")
	settleMax := fs.Duration("settle", 30*time.Second, "after each run, wait up to this long for the target to answer one request within 50 ms")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(targets) == 0 || len(calls) == 0 {
		return errors.New("need at least one --target and one --call")
	}
	if *tool != "go" && *tool != "wrk" {
		return fmt.Errorf("--tool %q: go or wrk", *tool)
	}
	if *rate > 0 && *tool != "go" {
		return errors.New("--rate needs --tool go (wrk has no open-loop mode)")
	}
	var ts []target
	for _, spec := range targets {
		tg, err := parseTarget(spec, *credsFile)
		if err != nil {
			return err
		}
		ts = append(ts, tg)
	}
	var cs []awsquery.Call
	for _, c := range calls {
		call, ok := awsquery.CallByName(c)
		if !ok {
			return fmt.Errorf("unknown call %q", c)
		}
		cs = append(cs, call)
	}
	var results []result
	// One target at a time, so a server still busy with the backlog of
	// its own run (moto keeps answering queued requests after the load
	// stops) does not slow the next target down; and each run waits until
	// its target answers promptly again.
	for _, tg := range ts {
		for _, call := range cs {
			// Sign now: a signature stays valid for 15 minutes.
			req, err := awsquery.Sign(context.Background(), tg.URL, call, tg.creds, "us-east-1", time.Now())
			if err != nil {
				return err
			}
			var res loadgen.Result
			switch *tool {
			case "go":
				res, err = loadgen.Run(context.Background(), loadgen.Config{Request: req, Concurrency: *conns, Duration: *duration, MaxRequests: *maxReq, Warmup: 1, Rate: *rate})
			case "wrk":
				res, err = runWrk(req, *conns, *threads, *duration)
			}
			if err != nil {
				return fmt.Errorf("%s %s: %w", tg.Name, call.Action, err)
			}
			results = append(results, result{Target: tg.Name, Call: call.Service + ":" + call.Action, Tool: *tool, Rate: *rate, Result: res})
			fmt.Fprintf(stderr, "%s %s:%s: %s\n", tg.Name, call.Service, call.Action, res)
			if err := settle(req, *settleMax); err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", tg.Name, err)
			}
		}
	}
	// Table rows by call, then target.
	sort.SliceStable(results, func(i, j int) bool { return callIndex(cs, results[i].Call) < callIndex(cs, results[j].Call) })
	if *output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\tcall\ttool\tload\tconns\trequests\tfailed\treq/s\tp50 ms\tp99 ms\tmax ms\t")
	for _, r := range results {
		load := "max"
		if r.Rate > 0 {
			load = fmt.Sprintf("%.0f/s", r.Rate)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t\n", r.Target, r.Call, r.Tool, load, r.Result.Concurrency, r.Result.Requests, r.Result.Failures,
			r.Result.RPS, msf(r.Result.P50), msf(r.Result.P99), msf(r.Result.Max))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// Maximum throughput of the first target relative to each other one,
	// per call (closed-loop runs only: at a fixed rate both would show the
	// rate, unless one cannot keep up).
	for _, a := range results {
		for _, b := range results {
			if a.Call == b.Call && a.Rate == 0 && b.Rate == 0 && a.Target == ts[0].Name && b.Target != a.Target && b.Result.RPS > 0 {
				fmt.Fprintf(stdout, "%s %s/%s throughput: %.1fx\n", a.Call, a.Target, b.Target, a.Result.RPS/b.Result.RPS)
			}
		}
	}
	return nil
}

func callIndex(cs []awsquery.Call, name string) int {
	for i, c := range cs {
		if c.Service+":"+c.Action == name {
			return i
		}
	}
	return len(cs)
}

// settle waits until one request to the target is answered within 50 ms
// (or max passed), then a further half second.
func settle(req awsquery.Request, max time.Duration) error {
	deadline := time.Now().Add(max)
	for {
		res, err := loadgen.Run(context.Background(), loadgen.Config{Request: req, Concurrency: 1, MaxRequests: 1, ExpectStatus: -1})
		if err == nil && res.Requests == 1 && res.Max < 50*time.Millisecond {
			time.Sleep(500 * time.Millisecond)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("still slow after %v (last request %v)", max, res.Max)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func parseTarget(spec, credsFile string) (target, error) {
	name, rest, ok := strings.Cut(spec, "=")
	if !ok || name == "" {
		return target{}, fmt.Errorf("--target %q: want NAME=URL[,profile=P]", spec)
	}
	tg := target{Name: name}
	parts := strings.Split(rest, ",")
	tg.URL = parts[0]
	for _, p := range parts[1:] {
		if v, ok := strings.CutPrefix(p, "profile="); ok {
			tg.Profile = v
		} else {
			return target{}, fmt.Errorf("--target %q: unknown option %q", spec, p)
		}
	}
	if err := loadgen.CheckLoopback(tg.URL); err != nil {
		return target{}, err
	}
	if tg.Profile == "" {
		// moto_server accepts any credentials.
		tg.creds = aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
		return tg, nil
	}
	if credsFile == "" {
		return target{}, fmt.Errorf("--target %s names profile %s: --credentials is required", name, tg.Profile)
	}
	c, err := readProfile(credsFile, tg.Profile)
	if err != nil {
		return target{}, err
	}
	tg.creds = c
	return tg, nil
}

// readProfile reads one profile's keys from an AWS shared credentials file.
func readProfile(path, profile string) (aws.Credentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return aws.Credentials{}, err
	}
	defer f.Close()
	var c aws.Credentials
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		if section != profile {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			c.AccessKeyID = strings.TrimSpace(v)
		case "aws_secret_access_key":
			c.SecretAccessKey = strings.TrimSpace(v)
		case "aws_session_token":
			c.SessionToken = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return c, err
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return c, fmt.Errorf("%s: no keys for profile %s", path, profile)
	}
	return c, nil
}

var wrkSummary = regexp.MustCompile(`wrk_summary requests=(\d+) non200_or_errors=(\d+) p50_us=(\d+) p90_us=(\d+) p99_us=(\d+) max_us=(\d+) duration_us=(\d+)`)

// runWrk replays req with wrk and reads its summary line.
func runWrk(req awsquery.Request, conns, threads int, duration time.Duration) (loadgen.Result, error) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		return loadgen.Result{}, fmt.Errorf("wrk not installed: %w", err)
	}
	script, err := loadgen.WrkScript(req)
	if err != nil {
		return loadgen.Result{}, err
	}
	dir, err := os.MkdirTemp("", "benchlab-")
	if err != nil {
		return loadgen.Result{}, err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "replay.lua")
	if err := os.WriteFile(p, []byte(script), 0o600); err != nil {
		return loadgen.Result{}, err
	}
	if threads > conns {
		threads = conns
	}
	secs := int(duration.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	out, err := exec.Command(wrk, "-t"+strconv.Itoa(threads), "-c"+strconv.Itoa(conns), "-d"+strconv.Itoa(secs)+"s",
		"--timeout", "10s", "-s", p, strings.TrimSuffix(req.URL, "/")+"/").CombinedOutput()
	if err != nil {
		return loadgen.Result{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	m := wrkSummary.FindStringSubmatch(string(out))
	if m == nil {
		return loadgen.Result{}, fmt.Errorf("wrk: no summary in output:\n%s", out)
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(m[i], 10, 64); return v }
	us := func(i int) time.Duration { return time.Duration(n(i)) * time.Microsecond }
	res := loadgen.Result{Requests: int(n(1)), Failures: int(n(2)), Elapsed: us(7), P50: us(3), P90: us(4), P99: us(5), Max: us(6), Concurrency: conns}
	if res.Elapsed > 0 {
		res.RPS = float64(res.Requests) / res.Elapsed.Seconds()
	}
	return res, nil
}
