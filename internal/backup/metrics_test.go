package backup_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kansrijk/internal/backup"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// gather returns the collector's metrics by name (absent: missing).
func gather(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			switch {
			case m.GetCounter() != nil:
				out[f.GetName()] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				out[f.GetName()] = m.GetGauge().GetValue()
			}
		}
	}
	return out
}

// TestBackupMetrics: the last success and the failures come from
// job_runs, the same on every instance.
func TestBackupMetrics(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := backup.NewCollector(db)
		got := gather(t, c)
		if _, ok := got["kansrijk_backup_last_success_timestamp_seconds"]; ok || got["kansrijk_backup_failures_total"] != 0 || len(got) != 1 {
			t.Fatalf("before any backup: %v", got)
		}
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return at }
		for job, result := range map[string]string{"backup@09:00": "OK: kansrijk-x.backup", "backup@10:00": "FAILED: disk full"} {
			if _, err := db.ClaimDailyJob(ctx, job, at); err != nil {
				t.Fatal(err)
			}
			if err := db.FinishDailyJob(ctx, job, at, result); err != nil {
				t.Fatal(err)
			}
		}
		got = gather(t, c)
		if got["kansrijk_backup_failures_total"] != 1 || got["kansrijk_backup_last_success_timestamp_seconds"] != float64(at.Unix()) {
			t.Fatalf("after a success and a failure: %v", got)
		}
	})
}
