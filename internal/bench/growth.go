package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"kansrijk/internal/store"
)

// fraction is the scale with a part of its rows (at least one of each).
func (sc Scale) fraction(part int) Scale {
	f := sc
	f.Referrals, f.Births, f.AuditEvents = max(1, sc.Referrals/part), max(1, sc.Births/part), max(1, sc.AuditEvents/part)
	return f
}

// cost is the time per item of one operation: wall-clock (the median of
// its runs) and CPU (the mean: this process's and, on PostgreSQL, the
// database's own backends').
type cost struct {
	name string
	per  time.Duration // wall-clock per item
	cpu  time.Duration // CPU per item
}

// cpuClock reads the CPU time spent so far by everything that serves a
// measured request: this process (every thread: the HTTP server, the
// store, SQLite running inside it, the garbage collector) and, on
// PostgreSQL, the server processes (backends) connected to the
// harness's database. Unlike the wall clock it does not move when other
// programs share the cores, so a cost per item measured at a hundredth
// of the data and at all of it, half an hour apart on a shared machine,
// compares what the data's size did, not what the machine's load did.
//
// A backend that exits takes its CPU time with it from /proc, and the
// pool closes and opens connections under load; so the clock keeps the
// last time it read of every backend (seen), and sample reads them often
// while a phase runs. Without that a phase during which backends exited
// measured less than nothing.
type cpuClock struct {
	dbName string        // PostgreSQL: the database whose backends count; "" on SQLite
	seen   *backendTimes // the last CPU time read of each backend, exited ones included
}

// backendTimes are the CPU times of backends by process id.
type backendTimes struct {
	mu sync.Mutex
	ns map[string]time.Duration
}

func (r *runner) cpuClock(ctx context.Context) cpuClock {
	c := cpuClock{seen: &backendTimes{ns: map[string]time.Duration{}}}
	if r.db.Dialect() == store.Postgres {
		_ = r.db.SQL().QueryRowContext(ctx, `SELECT current_database()`).Scan(&c.dbName)
		if c.dbName != "" && backendsCPU(c.dbName) == 0 {
			// The pool holds a connection now: no backend found means
			// no /proc or no process titles (update_process_title off).
			c.dbName, r.cpuNote = "", "; the database's backends were not found (no process titles?): CPU of this process only"
		}
	}
	return c
}

func (c cpuClock) now() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	t := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if c.dbName == "" {
		return t
	}
	if c.seen == nil {
		return t + backendsCPU(c.dbName)
	}
	c.seen.mu.Lock()
	defer c.seen.mu.Unlock()
	for pid, ns := range backendTimesOf(c.dbName) {
		c.seen.ns[pid] = max(c.seen.ns[pid], ns)
	}
	for _, ns := range c.seen.ns {
		t += ns
	}
	return t
}

// sample reads the backends' CPU every interval until stop is called, so
// that a backend that exits in between is counted up to its last reading.
func (c cpuClock) sample(every time.Duration) (stop func()) {
	if c.dbName == "" || c.seen == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				c.now()
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// backendsCPU is the CPU time of the PostgreSQL backends connected to
// database db, from their /proc/PID/schedstat (nanoseconds; /proc/PID/stat
// counts in 10 ms ticks, too coarse for a page). A backend's process
// title names its user and database: "postgres: … USER DB HOST(PORT) state".
// Backends of other databases (other programs sharing the server) are
// left out; the server's own helpers (WAL writer, checkpointer) too.
// Zero where /proc cannot be read.
func backendsCPU(db string) time.Duration {
	var total time.Duration
	for _, ns := range backendTimesOf(db) {
		total += ns
	}
	return total
}

// backendTimesOf is backendsCPU by process id.
func backendTimesOf(db string) map[string]time.Duration {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	times := map[string]time.Duration{}
	needle := []byte(" " + db + " ")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmd, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !bytes.HasPrefix(cmd, []byte("postgres: ")) || !bytes.Contains(cmd, needle) {
			continue
		}
		st, err := os.ReadFile("/proc/" + e.Name() + "/schedstat")
		if err != nil {
			continue
		}
		if f := strings.Fields(string(st)); len(f) > 0 {
			if ns, err := strconv.ParseInt(f[0], 10, 64); err == nil {
				times[e.Name()] = time.Duration(ns)
			}
		}
	}
	return times
}

// costs times, per item, what must not grow with the data: the inbox page
// (per page of 50), the team's queue of new notifications with its
// duplicate flags (per page of 50), the import (per row) and the birth
// statistics (per notification counted, over the API, as an admin).
func (r *runner) costs(ctx context.Context) ([]cost, error) {
	clock := r.cpuClock(ctx)
	const pages = 15
	page := func(url, token string) (cost, error) {
		var ds []time.Duration
		c0 := clock.now()
		for range pages {
			d, err := timedGet(ctx, url, token)
			if err != nil {
				return cost{}, err
			}
			ds = append(ds, d)
		}
		return cost{per: median(ds), cpu: (clock.now() - c0) / pages}, nil
	}
	inbox, err := page(r.inboxURL(), r.w.OCMWToken)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	inbox.name = "inbox page"
	queue, err := page(r.base+"/api/v1/birth-notifications?status=new&limit=50", r.w.TeamToken)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	queue.name = "queue page"
	n := r.cfg.Scale.BatchRows
	var ds []time.Duration
	var files [][]byte
	for range 3 {
		files = append(files, r.batchCSV(n)) // made before the clock starts
	}
	c0 := clock.now()
	for _, file := range files {
		t := time.Now()
		if _, err := r.db.ImportBirthBatch(ctx, r.w.Clinic, file, false); err != nil {
			return nil, fmt.Errorf("import: %w", err)
		}
		ds = append(ds, time.Since(t)/time.Duration(n))
	}
	imp := cost{name: "import row", per: median(ds), cpu: (clock.now() - c0) / time.Duration(len(files)*n)}
	stats, err := page(r.base+"/api/v1/reports/birth-notifications", r.w.AdminToken)
	if err != nil {
		return nil, fmt.Errorf("statistics: %w", err)
	}
	births := time.Duration(max(1, r.w.Counts["birth_notifications"]))
	stats = cost{name: "statistics per notification", per: stats.per / births, cpu: stats.cpu / births}
	return []cost{inbox, queue, imp, stats}, nil
}

func timedGet(ctx context.Context, url, token string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	t := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s answered %d", url, resp.StatusCode)
	}
	return time.Since(t), nil
}

// growthFigure is the largest growth of a cost per item from the small
// data set to the large one, in CPU per item (see cpuClock: the wall
// clock of two moments half an hour apart on a shared machine measures
// its load as much as the data); the wall-clock growth is in the note.
func growthFigure(small, large Scale, before, after []cost, note string) Figure {
	worst := 0.0
	var parts, walls []string
	for i, b := range before {
		a := after[i]
		g := float64(a.cpu) / float64(max(b.cpu, time.Nanosecond))
		worst = max(worst, g)
		parts = append(parts, fmt.Sprintf("%s ×%.2f (%s → %s)", b.name, g, b.cpu, a.cpu))
		walls = append(walls, fmt.Sprintf("%s ×%.2f (%s → %s)", b.name, float64(a.per)/float64(max(b.per, time.Nanosecond)), b.per, a.per))
	}
	slices.Sort(parts)
	slices.Sort(walls)
	return Figure{Value: worst, Unit: "×", Target: "≤ ×1.5", Met: met(worst, 1.5, false),
		Note: fmt.Sprintf("%d → %d referrals and notifications, CPU per item (this process and the database's backends): %s; wall clock (medians, moved by the machine's load): %s%s",
			small.Births, large.Births, strings.Join(parts, "; "), strings.Join(walls, "; "), note)}
}
