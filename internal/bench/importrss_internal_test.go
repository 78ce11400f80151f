package bench

import (
	"os/exec"
	"syscall"
	"testing"
)

// TestWatchRSSIsTheChilds: a child started while the harness holds much
// memory reports that memory as its rusage maxrss (os/exec's vfork shares
// the harness's address space until the exec); watchRSS reads the child's
// own peak.
func TestWatchRSSIsTheChilds(t *testing.T) {
	held := make([]byte, 128<<20)
	for i := 0; i < len(held); i += 4096 {
		held[i] = 1
	}
	cmd := exec.Command("sleep", "0.3")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	peak := watchRSS(cmd.Process.Pid)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	mem := peak()
	held[len(held)-1] = 1
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	t.Logf("watched: %+v kB; rusage maxrss %d kB", mem, ru.Maxrss)
	if mem.hwm <= 0 || mem.rss <= 0 || mem.hwm > 32<<10 {
		t.Errorf("watched peak %d kB (resident %d kB), want the child's own few MB", mem.hwm, mem.rss)
	}
	if ru.Maxrss < 128<<10 {
		t.Logf("this kernel does not count the parent's memory in the child's maxrss (%d kB)", ru.Maxrss)
	}
}
