package bench

import (
	"context"
	"testing"
	"time"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestCPUClock: the clock of growth counts the CPU of work done inside
// the database engine — in this process on SQLite, in the server's
// backends of the harness's database on PostgreSQL — and not the
// backends of another database.
func TestCPUClock(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := &runner{db: db}
		clock := r.cpuClock(ctx)
		burn := `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 2000000) SELECT count(*) FROM s`
		if db.Dialect() == store.Postgres {
			if clock.dbName == "" {
				t.Fatal("no database name: the backends cannot be found")
			}
			burn = `SELECT count(*) FROM generate_series(1, 5000000) AS s(i) WHERE i % 7 = 3`
		}
		var rusage0 = cpuClock{}.now() // this process alone
		c0 := clock.now()
		var n int64
		if err := db.SQL().QueryRowContext(ctx, burn).Scan(&n); err != nil {
			t.Fatal(err)
		}
		spent, own := clock.now()-c0, cpuClock{}.now()-rusage0
		if spent < 20*time.Millisecond {
			t.Errorf("the clock counted %s for a query that runs for a while", spent)
		}
		if db.Dialect() == store.Postgres {
			// The query ran in the backend: the clock saw more than the process.
			if spent-own < 20*time.Millisecond {
				t.Errorf("backends counted %s (all %s, this process %s)", spent-own, spent, own)
			}
			if other := backendsCPU("kansrijk_no_such_database"); other != 0 {
				t.Errorf("backends of a database that does not exist: %s", other)
			}
		}
	})
}

// TestGrowthFigureUsesCPU: the figure is the worst growth of CPU per
// item; the wall clock's growth is only in the note.
func TestGrowthFigureUsesCPU(t *testing.T) {
	before := []cost{{name: "inbox page", per: time.Millisecond, cpu: time.Millisecond}, {name: "import row", per: 100 * time.Microsecond, cpu: 80 * time.Microsecond}}
	after := []cost{{name: "inbox page", per: 5 * time.Millisecond, cpu: 1100 * time.Microsecond}, {name: "import row", per: 100 * time.Microsecond, cpu: 100 * time.Microsecond}}
	f := growthFigure(Scale{Births: 10}, Scale{Births: 1000}, before, after, "")
	if f.Value < 1.249 || f.Value > 1.251 || f.Met == nil || !*f.Met {
		t.Errorf("growth %v met %v, want ×1.25 (import row's CPU), met", f.Value, f.Met)
	}
}

// TestCPUClockKeepsExitedBackends: a backend that exits during a phase
// (the pool closes connections under load) keeps the CPU the clock last
// read of it; the phase never measures less than its work.
func TestCPUClockKeepsExitedBackends(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() != store.Postgres {
			return // SQLite runs inside this process: no backends
		}
		ctx := context.Background()
		r := &runner{db: db}
		clock := r.cpuClock(ctx)
		conn, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var pid int
		if err := conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		c0 := clock.now()
		var n int64
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM generate_series(1, 5000000) AS s(i) WHERE i % 7 = 3`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		read := clock.now() - c0
		if _, err := db.SQL().ExecContext(ctx, `SELECT pg_terminate_backend($1::int, 5000)`, pid); err != nil {
			t.Fatal(err)
		}
		if after := clock.now() - c0; after < read || read < 20*time.Millisecond {
			t.Errorf("after the backend exited the clock counted %s, %s while it ran", after, read)
		}
	})
}
