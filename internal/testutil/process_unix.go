//go:build unix

package testutil

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// WaitProcessGone waits up to 5 s until pid has ended: gone, or a zombie
// that its new parent has not reaped yet. Otherwise it kills pid and fails
// the test with "process PID, <what>, still runs".
func WaitProcessGone(t testing.TB, pid int, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil && syscall.Kill(pid, 0) != nil {
			return
		}
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && len(stat) > i+2 && (stat[i+2] == 'Z' || stat[i+2] == 'X') {
			return
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("process %d, %s, still runs", pid, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
