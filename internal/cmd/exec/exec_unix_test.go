//go:build !windows

package exec

import (
	"errors"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
	"github.com/awsmfa/awsmfa/internal/testutil"
)

func TestExecRelaysSignals(t *testing.T) {
	x := newFixture(t, nil)
	x.o.Flags.Profile = "anika-plain"
	x.o.Server = true
	x.o.Command = []string{"sh", "-c", `trap 'echo got-term; exit 42' TERM; echo ready; while :; do sleep 0.05; done`}
	x.o.OnStart = func(p *os.Process) {
		go func() {
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(x.out.String(), "ready") && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
		}()
	}
	err := Run(x.o)
	if cmdutil.ExitCode(err) != 42 || !strings.Contains(x.out.String(), "got-term") {
		t.Fatalf("exit %v, output %q", err, x.out.String())
	}
}

func TestReplace(t *testing.T) {
	cmd := osexec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "AWSMFA_EXEC_TEST_HELPER=replace")
	out, err := cmd.CombinedOutput()
	var ee *osexec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 9 || strings.TrimSpace(string(out)) != "replaced p" {
		t.Fatalf("%v %q", err, out)
	}
}

// TestExecServerSignalsTheCommandsGroup: outside a terminal's foreground,
// SIGTERM to awsmfa reaches every process the command started (a
// script's background job), not only the command; in the foreground of a
// terminal the command stays in awsmfa's process group.
func TestExecServerSignalsTheCommandsGroup(t *testing.T) {
	x := newFixture(t, nil)
	x.o.Flags.Profile = "anika-plain"
	x.o.Server = true
	x.o.InForeground = func() bool { return false }
	pidFile := filepath.Join(t.TempDir(), "pid")
	// sh waits for its job; SIGTERM to sh alone would leave the sleep.
	x.o.Command = []string{"sh", "-c", `sleep 300 & echo $! > ` + pidFile + `; echo ready; wait`}
	var child *os.Process
	x.o.OnStart = func(p *os.Process) {
		child = p
		go func() {
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(x.out.String(), "ready") && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
		}()
	}
	err := Run(x.o)
	if code := cmdutil.ExitCode(err); code != 128+int(syscall.SIGTERM) {
		t.Fatalf("exit %d (%v), want %d", code, err, 128+int(syscall.SIGTERM))
	}
	if pgid, _ := syscall.Getpgid(child.Pid); pgid == syscall.Getpgrp() {
		t.Error("the command shared awsmfa's process group")
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	testutil.WaitProcessGone(t, pid, "started by the command, after SIGTERM")
}
