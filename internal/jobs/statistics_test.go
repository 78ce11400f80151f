package jobs_test

import (
	"context"
	"log/slog"
	"testing"

	"kansrijk/internal/jobs"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestStatisticsOncePerDay: the daily refresh of the planner's statistics
// runs once a day across instances, and leaves statistics behind
// (PostgreSQL: last_analyze of every table; SQLite: sqlite_stat1).
func TestStatisticsOncePerDay(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := &jobs.Scheduler{DB: db, Log: slog.New(slog.DiscardHandler)}
		b := &jobs.Scheduler{DB: db, Log: slog.New(slog.DiscardHandler)}
		if ran, err := a.RunStatisticsDue(ctx); err != nil || !ran {
			t.Fatalf("first instance: ran %t, %v", ran, err)
		}
		if ran, err := b.RunStatisticsDue(ctx); err != nil || ran {
			t.Fatalf("second instance the same day: ran %t, %v", ran, err)
		}
		q := `SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'referrals' AND last_analyze IS NOT NULL`
		if db.Dialect() == store.SQLite {
			q = `SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'`
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, q).Scan(&n); err != nil || n != 1 {
			t.Errorf("no statistics after the daily refresh: %d, %v", n, err)
		}
	})
}
