package credcache

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Child-process modes of the test binary (see TestMain).
const (
	childEnv     = "CREDCACHE_TEST_CHILD"
	childDirEnv  = "CREDCACHE_TEST_DIR"
	childIterEnv = "CREDCACHE_TEST_ITER"
)

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "contend":
		os.Exit(childContend())
	case "hold":
		os.Exit(childHold())
	case "env":
		// Report the D-Bus variable as seen after package initialization.
		v, ok := os.LookupEnv("DBUS_SESSION_BUS_ADDRESS")
		fmt.Printf("%q %v\n", v, ok)
		os.Exit(0)
	default:
		os.Exit(3)
	}
}

// criticalSection runs inside the lock: it creates a marker with O_EXCL
// (failing if another holder is inside), sleeps a little and removes it.
// Overlaps are recorded in dir/overlap; completions appended to dir/log.
func criticalSection(dir, who string) error {
	marker := filepath.Join(dir, "inside")
	f, err := os.OpenFile(marker, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		ov, _ := os.OpenFile(filepath.Join(dir, "overlap"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		fmt.Fprintf(ov, "%s found the marker: %v\n", who, err)
		ov.Close()
		return err
	}
	f.Close()
	time.Sleep(2 * time.Millisecond)
	if err := os.Remove(marker); err != nil {
		return err
	}
	lg, err := os.OpenFile(filepath.Join(dir, "log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer lg.Close()
	_, err = fmt.Fprintln(lg, who)
	return err
}

func childContend() int {
	dir := os.Getenv(childDirEnv)
	n, _ := strconv.Atoi(os.Getenv(childIterEnv))
	c, err := Open(Options{Backend: BackendFile, Dir: filepath.Join(dir, "cache")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Two goroutines per process: in-process and cross-process contention.
	var wg sync.WaitGroup
	var failed atomic.Bool
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				unlock, err := c.Lock(ctx, "shared-key")
				if err != nil {
					cancel()
					fmt.Fprintln(os.Stderr, err)
					failed.Store(true)
					return
				}
				if criticalSection(dir, fmt.Sprintf("pid%d-g%d-%d", os.Getpid(), g, i)) != nil {
					failed.Store(true)
				}
				unlock()
				cancel()
			}
		}()
	}
	wg.Wait()
	if failed.Load() {
		return 1
	}
	return 0
}

// childHold takes the lock, prints "locked", and holds it until its stdin
// closes.
func childHold() int {
	dir := os.Getenv(childDirEnv)
	c, _ := Open(Options{Backend: BackendFile, Dir: dir})
	unlock, err := c.Lock(context.Background(), "held")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("locked")
	buf := make([]byte, 1)
	os.Stdin.Read(buf)
	unlock()
	return 0
}

func childCmd(t *testing.T, mode string, env ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{childEnv + "=" + mode}, env...)...)
	return cmd
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

func TestLockGoroutines(t *testing.T) {
	dir := t.TempDir()
	const workers, iters = 16, 10
	var inside, maxInside atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each worker opens its own Cache, as separate commands would.
			c := openFile(t, dir, "")
			for i := 0; i < iters; i++ {
				ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
				unlock, err := c.Lock(ctx, "k")
				cancel()
				if err != nil {
					errs <- err
					return
				}
				n := inside.Add(1)
				for {
					m := maxInside.Load()
					if n <= m || maxInside.CompareAndSwap(m, n) {
						break
					}
				}
				if err := criticalSection(dir, fmt.Sprintf("w%d-%d", w, i)); err != nil {
					errs <- err
				}
				inside.Add(-1)
				unlock()
				unlock() // harmless
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if m := maxInside.Load(); m != 1 {
		t.Errorf("max goroutines inside the critical section = %d, want 1", m)
	}
	if n := countLines(t, filepath.Join(dir, "log")); n != workers*iters {
		t.Errorf("%d critical sections completed, want %d", n, workers*iters)
	}
}

func TestLockProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	const procs, iters = 8, 10
	var cmds []*exec.Cmd
	outs := make([]*strings.Builder, procs)
	for p := 0; p < procs; p++ {
		cmd := childCmd(t, "contend", childDirEnv+"="+dir, childIterEnv+"="+strconv.Itoa(iters))
		outs[p] = &strings.Builder{}
		cmd.Stderr = outs[p]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for p, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("child %d: %v: %s", p, err, outs[p])
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "overlap")); err == nil {
		t.Errorf("critical sections overlapped:\n%s", b)
	}
	if n := countLines(t, filepath.Join(dir, "log")); n != procs*2*iters {
		t.Errorf("%d critical sections completed, want %d", n, procs*2*iters)
	}
}

func TestLockWaitsForOtherProcessAndHonoursContext(t *testing.T) {
	dir := t.TempDir()
	cmd := childCmd(t, "hold", childDirEnv+"="+dir)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := stdout.Read(buf); err != nil || string(buf[:6]) != "locked" {
		t.Fatalf("child did not lock: %q %v", buf, err)
	}
	c := openFile(t, dir, "")

	// Another key is free.
	unlock, err := c.Lock(t.Context(), "other")
	if err != nil {
		t.Fatal(err)
	}
	unlock()

	// The held key times out with the context's error.
	ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
	start := time.Now()
	u, err := c.Lock(ctx, "held")
	cancel()
	if err == nil {
		u()
		stdin.Close()
		cmd.Wait()
		t.Fatal("Lock succeeded while another process held the lock")
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), `"held"`) {
		t.Errorf("Lock = %v, want a deadline error naming the key", err)
	}
	if d := time.Since(start); d < 140*time.Millisecond || d > 2*time.Second {
		t.Errorf("Lock gave up after %v", d)
	}

	// Once the child releases it, the lock comes quickly.
	done := make(chan error, 1)
	var waited time.Duration
	go func() {
		s := time.Now()
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		unlock, err := c.Lock(ctx, "held")
		waited = time.Since(s)
		if err == nil {
			unlock()
		}
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	released := time.Now()
	stdin.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if lag := time.Since(released); lag > time.Second {
		t.Errorf("lock obtained %v after release", lag)
	}
	if waited < 90*time.Millisecond {
		t.Errorf("Lock returned after %v while the child held it", waited)
	}
	cmd.Wait()

	// A canceled context: immediate error, also while queued in-process.
	unlock, err = c.Lock(t.Context(), "q")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel = context.WithCancel(t.Context())
	cancel()
	if _, err := c.Lock(ctx, "q"); !errors.Is(err, context.Canceled) {
		t.Errorf("queued Lock with canceled ctx = %v", err)
	}
	unlock()
	if u, err := c.Lock(t.Context(), "q"); err != nil {
		t.Errorf("Lock after a canceled waiter: %v", err)
	} else {
		u()
	}
	if _, err := c.Lock(t.Context(), ""); err == nil {
		t.Error("empty key should fail")
	}
}

// TestDBusGuard: initializing the package (keyring included) must not run
// dbus-launch when no session bus exists, and must leave the environment
// as it was.
func TestDBusGuard(t *testing.T) {
	if _, err := os.Stat("/run/user/" + strconv.Itoa(os.Getuid()) + "/bus"); err == nil {
		t.Skip("a session bus exists")
	}
	if testing.Short() {
		t.Skip("spawns processes")
	}
	for _, tt := range []struct {
		name, env, want string
	}{
		{"unset", "", `"" false`},
		{"autolaunch", "DBUS_SESSION_BUS_ADDRESS=autolaunch:", `"autolaunch:" true`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bin := t.TempDir()
			calls := filepath.Join(bin, "calls")
			script := "#!/bin/sh\necho called >> " + calls + "\nexit 1\n"
			if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := childCmd(t, "env", "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			var env []string
			for _, e := range cmd.Env {
				if !strings.HasPrefix(e, "DBUS_SESSION_BUS_ADDRESS=") {
					env = append(env, e)
				}
			}
			if tt.env != "" {
				env = append(env, tt.env)
			}
			cmd.Env = env
			out, err := cmd.Output()
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(string(out)); got != tt.want {
				t.Errorf("environment after init: %s, want %s", got, tt.want)
			}
			if b, err := os.ReadFile(calls); err == nil {
				t.Errorf("dbus-launch was run %d times at init", strings.Count(string(b), "\n"))
			}
		})
	}
}
