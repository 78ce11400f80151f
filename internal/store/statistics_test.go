package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestStatisticsAfterBulkImport: a clinic's batch leaves the planner's
// statistics of the notifications fresh at once, without waiting for
// autovacuum (issue 14: 16.8 s a queue page on PostgreSQL before ANALYZE):
// ANALYZE ran on PostgreSQL (pg_stat_user_tables.last_analyze),
// sqlite_stat1 holds the table on SQLite. The daily refresh of every
// table runs on both.
func TestStatisticsAfterBulkImport(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		db.Now = func() time.Time { return birthBenchNow }
		before := time.Now()
		rep, err := db.ImportBirthBatch(ctx, clinicZonnedal, birthBenchCSV(t, birthBenchRecords(0, 120)), false)
		if err != nil || rep.Created != 120 {
			t.Fatalf("import: created %d, %v", rep.Created, err)
		}
		analysed := func(table string) bool {
			t.Helper()
			if db.Dialect() == store.Postgres {
				var at sql.NullTime
				if err := db.SQL().QueryRowContext(ctx, `SELECT last_analyze FROM pg_stat_user_tables WHERE relname = $1`, table).Scan(&at); err != nil {
					t.Fatal(err)
				}
				return at.Valid && !at.Time.Before(before.Add(-time.Second))
			}
			return MustCount(t, db, `SELECT count(*) FROM sqlite_stat1 WHERE tbl = '`+table+`'`) > 0
		}
		for _, table := range []string{"birth_notifications", "birth_parents"} {
			if !analysed(table) {
				t.Errorf("%s: no fresh statistics after the batch", table)
			}
		}
		if err := db.RefreshStatistics(ctx); err != nil {
			t.Fatalf("daily refresh: %v", err)
		}
		if !analysed("referrals") && db.Dialect() == store.Postgres {
			t.Error("referrals: no statistics after the daily refresh")
		}
	})
}
