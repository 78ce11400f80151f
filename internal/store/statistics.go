package store

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Tables whose planner statistics a bulk import changes.
var (
	// Not audit_events: append-only and large, its statistics drift
	// slowly (the daily refresh keeps them), and ANALYZE of it would
	// cost every batch hundreds of milliseconds at millions of events.
	statsBirthTables       = []string{"birth_notifications", "birth_parents", "birth_batches"}
	statsDeprivationTables = []string{"deprivation_index", "deprivation_years"}
	statsAttendanceTables  = []string{"outreach_touchpoints"}
)

// statsRefresh lets one refresh of the statistics run at a time: a bulk
// import that ends while one runs skips its own (the daily refresh
// catches up). statsLast is when each set of tables was last refreshed
// after an import: imports back to back refresh at most once every
// statsEvery, so that a burst of batches pays for one ANALYZE, not one
// each, and the statistics are never older than that.
var (
	statsRefresh sync.Mutex
	statsLast    = map[string]time.Time{}
)

const statsEvery = time.Minute

// RefreshStatistics brings the query planner's statistics up to date, so
// that a plan never depends on when autovacuum last ran: ANALYZE of the
// tables (all of them when none are named) on PostgreSQL, PRAGMA optimize
// (bounded by analysis_limit) on SQLite. The daily job calls it without
// tables; bulk imports call it with the tables they filled.
func (db *DB) RefreshStatistics(ctx context.Context, tables ...string) error {
	statsRefresh.Lock()
	defer statsRefresh.Unlock()
	return db.refreshStatistics(ctx, tables)
}

func (db *DB) refreshStatistics(ctx context.Context, tables []string) error {
	if db.dialect == Postgres {
		q := `ANALYZE`
		if len(tables) > 0 {
			q += ` ` + strings.Join(tables, `, `)
		}
		_, err := db.write.ExecContext(ctx, q)
		return err
	}
	// SQLite: ANALYZE writes sqlite_stat1, so it takes the one writer.
	if err := db.writer.acquire(ctx, false); err != nil {
		return err
	}
	defer db.writer.release()
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// 0x10002: analyse every table that may need it, not only those this
	// connection queried; analysis_limit keeps it to milliseconds.
	if _, err := conn.ExecContext(ctx, `PRAGMA analysis_limit=1000`); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `PRAGMA optimize=0x10002`)
	return err
}

// afterBulkImport refreshes the statistics of tables a committed bulk
// import filled, unless it did so less than statsEvery ago. It never
// fails the import: the import is durable, and
// the daily refresh catches up on an error; it skips when another
// refresh is running.
func (db *DB) afterBulkImport(ctx context.Context, tables []string) {
	if !statsRefresh.TryLock() {
		return
	}
	defer statsRefresh.Unlock()
	key := db.Redacted + "|" + strings.Join(tables, ",")
	if last, ok := statsLast[key]; ok && time.Since(last) < statsEvery {
		return
	}
	statsLast[key] = time.Now()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := db.refreshStatistics(ctx, tables); err != nil {
		slog.Warn("refresh statistics after a bulk import", "tables", strings.Join(tables, ","), "error", err)
	}
}
