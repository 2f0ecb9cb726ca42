package policy

// Process-level tests of the input limits of `awsmfa policy lint` and
// `awsmfa policy simulate`: the real binary, fed hostile input (an endless
// device, an endless line through a pipe, a 10 MB line and string, a
// million levels of nesting), must exit 2 with an error naming the input
// and the limit, within seconds and with bounded memory (the child's peak
// resident set size, from its rusage).

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/testutil"
)

const (
	// processTimeout kills a child that has not finished: the limits must
	// answer within seconds even on a loaded machine.
	processTimeout = 20 * time.Second
	// maxRSS bounds the child's peak resident set size. The largest input
	// a command reads whole is 64 MiB (policy lint), so a few hundred MiB
	// is the most any of these inputs may cost.
	maxRSS = 400 << 20
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// awsmfa builds ./cmd/awsmfa once.
func awsmfa(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "awsmfa-limits-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "awsmfa")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		cmd := exec.Command(goTool, "build", "-o", binary, "./cmd/awsmfa")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0") // as released (make build, make dist)
		cmd.Dir = testutil.ModuleRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = errors.New(err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("building awsmfa: %v", buildErr)
	}
	return binary
}

type result struct {
	code    int
	stdout  string
	stderr  string
	elapsed time.Duration
	maxRSS  int64 // bytes
}

// runChild runs the binary with args and stdin, killing it after
// processTimeout.
func runChild(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	bin := awsmfa(t) // built before the clock starts: a cold build takes seconds
	ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = stdin
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errOut.String(), elapsed: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("awsmfa %s did not finish within %v", strings.Join(args, " "), processTimeout)
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	default:
		t.Fatalf("running awsmfa: %v", err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = int64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	return r
}

// endless is a reader that never ends: the same byte forever.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

func TestInputLimitsProcess(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	deepJSON := write("deep.json", bytes.Repeat([]byte("["), 1_000_000))
	deepYAML := write("deep.yaml", bytes.Repeat([]byte("["), 1_000_000))
	tenMB := strings.Repeat("x", 10<<20)
	longLine := write("long.jsonl", []byte(`{"request":{"action":"s3:GetObject","resource":"`+tenMB+`"}}`+"\n"))
	bigString := write("big-string.json", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`+tenMB+`"}]}`))
	bigSimulate := write("big.json", []byte(`{"request":{"action":"s3:GetObject","resource":"`+tenMB+`"}}`))

	cases := []struct {
		name  string
		stdin func() io.Reader
		args  []string
		code  int
		// stderr is the whole error message (exit 2), or a part of stdout
		// when code is not 2.
		want string
	}{
		{"lint /dev/zero", nil, []string{"policy", "lint", "/dev/zero"}, 2,
			"awsmfa: /dev/zero: input is larger than the 64 MiB limit for policy lint input\n"},
		{"simulate /dev/zero", nil, []string{"policy", "simulate", "/dev/zero"}, 2,
			"awsmfa: /dev/zero: input is larger than the 4 MiB limit for policy simulate input\n"},
		{"simulate --batch /dev/zero", nil, []string{"policy", "simulate", "--batch", "/dev/zero"}, 2,
			"awsmfa: /dev/zero:1: line is longer than 4 MiB, the limit for one --batch line\n"},
		{"lint: an endless stdin", func() io.Reader { return endless(' ') }, []string{"policy", "lint", "-"}, 2,
			"awsmfa: <stdin>: input is larger than the 64 MiB limit for policy lint input\n"},
		{"simulate: an endless stdin", func() io.Reader { return endless(' ') }, []string{"policy", "simulate"}, 2,
			"awsmfa: <stdin>: input is larger than the 4 MiB limit for policy simulate input\n"},
		{"simulate --batch: an endless line through a pipe", func() io.Reader { return endless('x') }, []string{"policy", "simulate", "--batch"}, 2,
			"awsmfa: <stdin>:1: line is longer than 4 MiB, the limit for one --batch line\n"},
		{"simulate --batch: a 10 MB line", nil, []string{"policy", "simulate", "--batch", longLine}, 2,
			"awsmfa: " + longLine + ":1: line is longer than 4 MiB, the limit for one --batch line\n"},
		{"simulate: a 10 MB string", nil, []string{"policy", "simulate", bigSimulate}, 2,
			"awsmfa: " + bigSimulate + ": input is larger than the 4 MiB limit for policy simulate input\n"},
		{"lint: a million levels of JSON", nil, []string{"policy", "lint", deepJSON}, 2,
			"awsmfa: " + deepJSON + ":1:257: nesting deeper than 256 levels, the limit for JSON input\n"},
		{"lint: a million levels of YAML", nil, []string{"policy", "lint", deepYAML}, 2,
			"awsmfa: " + deepYAML + ":1:1: nesting deeper than 256 levels, the limit for YAML input\n"},
		{"lint: a million levels on stdin", func() io.Reader { return bytes.NewReader(bytes.Repeat([]byte("["), 1_000_000)) }, []string{"policy", "lint", "-"}, 2,
			"awsmfa: <stdin>:1:257: nesting deeper than 256 levels, the limit for JSON input\n"},
		{"simulate: a million levels", nil, []string{"policy", "simulate", deepJSON}, 2,
			"awsmfa: " + deepJSON + ":1:257: nesting deeper than 256 levels, the limit for JSON input\n"},
		// Within the limits, a 10 MB string is linted: it is findings
		// (the policy is far over IAM's size quota), not a failure.
		{"lint: a 10 MB string", nil, []string{"policy", "lint", "--format", "json", bigString}, 1, `"rule": "policy-size-quota"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdin io.Reader
			if c.stdin != nil {
				stdin = c.stdin()
			}
			r := runChild(t, stdin, c.args...)
			t.Logf("exit %d in %v, peak RSS %d MiB", r.code, r.elapsed.Round(time.Millisecond), r.maxRSS>>20)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\nstderr: %.500s\nstdout: %.500s", r.code, c.code, r.stderr, r.stdout)
			}
			if c.code == 2 {
				if r.stderr != c.want {
					t.Errorf("stderr %q\nwant   %q", r.stderr, c.want)
				}
				if r.stdout != "" {
					t.Errorf("stdout: %.200q", r.stdout)
				}
			} else if !strings.Contains(r.stdout, c.want) {
				t.Errorf("stdout lacks %q: %.500s", c.want, r.stdout)
			}
			if r.maxRSS > maxRSS {
				t.Errorf("peak RSS %d MiB, more than %d MiB", r.maxRSS>>20, maxRSS>>20)
			}
		})
	}
}

// The answers to the lines before a line that is too long are written
// before the batch stops.
func TestBatchStopsAtTheLongLineProcess(t *testing.T) {
	good := `{"request":{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"*"},"identityPolicies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}]}`
	stdin := io.MultiReader(strings.NewReader(good+"\n\n"+good+"\n"), endless('x'))
	r := runChild(t, stdin, "policy", "simulate", "--batch")
	if r.code != 2 || r.stderr != "awsmfa: <stdin>:4: line is longer than 4 MiB, the limit for one --batch line\n" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if n := strings.Count(r.stdout, `{"decision":"allowed"`); n != 2 || strings.Count(r.stdout, "\n") != 2 {
		t.Errorf("answers:\n%s", r.stdout)
	}
}
