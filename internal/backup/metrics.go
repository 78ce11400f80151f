package backup

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kansrijk/internal/store"
)

// Collector exports the scheduled backups' state to Prometheus, read from
// job_runs at each scrape (so every instance reports the same):
// kansrijk_backup_last_success_timestamp_seconds (absent before the first
// success) and kansrijk_backup_failures_total.
type Collector struct {
	db                *store.DB
	success, failures *prometheus.Desc
}

// NewCollector returns the collector over db.
func NewCollector(db *store.DB) *Collector {
	return &Collector{db: db,
		success:  prometheus.NewDesc("kansrijk_backup_last_success_timestamp_seconds", "When the latest successful scheduled backup finished (Unix time).", nil, nil),
		failures: prometheus.NewDesc("kansrijk_backup_failures_total", "Scheduled backups that failed.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.success
	ch <- c.failures
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if t, err := c.db.LastBackupSuccess(ctx); err == nil && !t.IsZero() {
		ch <- prometheus.MustNewConstMetric(c.success, prometheus.GaugeValue, float64(t.Unix()))
	}
	if n, err := c.db.BackupFailures(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(c.failures, prometheus.CounterValue, float64(n))
	}
}
