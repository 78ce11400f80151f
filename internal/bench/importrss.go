package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"kansrijk/internal/birth"
)

// importRSS is import_rss_mb: the peak resident memory of `kansrijk
// import births` importing a file of the scale's births (small: 100,000
// rows; full: 1,000,000), measured in a child process — the program
// itself, run on the harness's database — so that neither the harness's
// server nor its data count.
//
// The peak is the child's own VmHWM, read from /proc/PID/status every
// rssPoll while it runs (with the split of its resident memory into
// anonymous, file-backed and shared pages at the largest sample), not
// its rusage maxrss: os/exec starts the child with vfork, which shares
// the harness's address space until the exec, and Linux keeps that
// address space's peak as the child's maxrss. After the figures before
// it the harness held 200–400 MB, and the child "peaked" at that.
func (r *runner) importRSS(ctx context.Context) (Figure, error) {
	exe, err := os.Executable()
	if err != nil {
		return Figure{}, err
	}
	if strings.HasSuffix(exe, ".test") || strings.Contains(filepath.Base(exe), ".test") {
		return Figure{NotMeasured: "the harness runs inside a test binary, not the kansrijk program: run `kansrijk bench`"}, nil
	}
	n := r.cfg.Scale.Births
	dir, err := os.MkdirTemp("", "kansrijk-import-rss-")
	if err != nil {
		return Figure{}, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "births.csv")
	size, err := r.writeBirthFile(file, n)
	if err != nil {
		return Figure{}, err
	}
	cmd := exec.CommandContext(ctx, exe, "import", "births", file, "--clinic", ClinicKey, "--db", r.cfg.DSN)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	t := time.Now()
	if err := cmd.Start(); err != nil {
		return Figure{}, err
	}
	peak := watchRSS(cmd.Process.Pid)
	err = cmd.Wait()
	took := time.Since(t)
	mem := peak()
	if err != nil {
		tail := out.String()
		if len(tail) > 400 {
			tail = tail[len(tail)-400:]
		}
		return Figure{}, fmt.Errorf("kansrijk import births: %v: %s", err, tail)
	}
	if !strings.Contains(out.String(), fmt.Sprintf("%d created", n)) {
		return Figure{}, fmt.Errorf("kansrijk import births did not create %d rows: %s", n, out.String())
	}
	if mem.hwm == 0 {
		return Figure{}, errors.New("no /proc/PID/status of the child was read")
	}
	maxrss := ""
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxrss = fmt.Sprintf("; its rusage maxrss, %.0f MB, counts the harness's own memory at the exec", float64(ru.Maxrss)/1024)
	}
	mb := float64(mem.hwm) / 1024
	return Figure{Value: mb, Unit: "MB", Met: met(mb, 250, false),
		Note: fmt.Sprintf("peak RSS (VmHWM, read every %v) of `kansrijk import births` in a child process: %d rows, %.1f MB file, %.1f s (%.0f rows/s); "+
			"at its largest sample %.0f MB resident: %.0f MB anonymous (Go heap, SQLite's page cache), %.0f MB file-backed (the program, the mapped database and WAL index), %.0f MB shared memory (the same on tmpfs)%s",
			rssPoll, n, float64(size)/(1<<20), took.Seconds(), float64(n)/took.Seconds(),
			float64(mem.rss)/1024, float64(mem.anon)/1024, float64(mem.file)/1024, float64(mem.shmem)/1024, maxrss)}, nil
}

// rssPoll is how often watchRSS reads the child's memory.
const rssPoll = 20 * time.Millisecond

// rssSample is what /proc/PID/status says of a process's resident
// memory, in kB: its peak (VmHWM), and now: in all (VmRSS), anonymous,
// file-backed and shared memory.
type rssSample struct{ hwm, rss, anon, file, shmem int }

// watchRSS reads /proc/pid/status every rssPoll until the process is
// gone; the function it returns stops the watch and gives the last peak
// read and the split of the largest sample.
func watchRSS(pid int) func() rssSample {
	path := "/proc/" + strconv.Itoa(pid) + "/status"
	var best rssSample
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(rssPoll)
		defer tick.Stop()
		for {
			s, err := readRSS(path)
			if err == nil {
				hwm := max(best.hwm, s.hwm)
				if s.rss > best.rss {
					best = s
				}
				best.hwm = hwm
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() rssSample {
		close(done)
		<-stopped
		return best
	}
}

// readRSS parses the memory lines of a /proc/PID/status.
func readRSS(path string) (rssSample, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return rssSample{}, err
	}
	var s rssSample
	fields := map[string]*int{"VmHWM:": &s.hwm, "VmRSS:": &s.rss, "RssAnon:": &s.anon, "RssFile:": &s.file, "RssShmem:": &s.shmem}
	for line := range strings.SplitSeq(string(b), "\n") {
		name, rest, ok := strings.Cut(line, "\t")
		if p := fields[name]; ok && p != nil {
			*p, _ = strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		}
	}
	if s.hwm == 0 {
		return s, errors.New("no VmHWM in " + path)
	}
	return s, nil
}

// writeBirthFile writes a batch file of n new rows (records) to path, a
// chunk at a time, and returns its size.
func (r *runner) writeBirthFile(path string, n int) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	header := make([]string, len(birth.Columns))
	for i, c := range birth.Columns {
		header[i] = c.Name
	}
	if err := w.Write(header); err != nil {
		return 0, err
	}
	for left := n; left > 0; {
		k := min(left, 10_000)
		if err := w.WriteAll(r.records(k)); err != nil {
			return 0, err
		}
		left -= k
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), f.Close()
}
