//go:build !windows

package exec

import (
	"errors"
	"os"
	osexec "os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/awsmfa/awsmfa/internal/cmdutil"
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
