package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"kansrijk/internal/birth"
)

// importRSS is import_rss_mb: the peak resident memory of `kansrijk
// import births` importing a file of the scale's births (small: 100,000
// rows; full: 1,000,000), measured in a child process — the program
// itself, run on the harness's database — from its rusage (maxrss), so
// that neither the harness's server nor its data count.
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
	err = cmd.Run()
	took := time.Since(t)
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
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return Figure{}, fmt.Errorf("no rusage of the child on %T", cmd.ProcessState.SysUsage())
	}
	mb := float64(ru.Maxrss) / 1024 // KB on Linux
	return Figure{Value: mb, Unit: "MB", Met: met(mb, 250, false),
		Note: fmt.Sprintf("peak RSS (rusage maxrss) of `kansrijk import births` in a child process: %d rows, %.1f MB file, %.1f s (%.0f rows/s)",
			n, float64(size)/(1<<20), took.Seconds(), float64(n)/took.Seconds())}, nil
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
