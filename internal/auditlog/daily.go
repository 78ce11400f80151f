package auditlog

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kansrijk/internal/store"
)

// VerifyJob is the name of the daily verification in job_runs.
const VerifyJob = "audit_verify"

// RunDailyVerify runs the verification of the whole log if no instance has
// run it today (Brussels time), stores its result, and on a failure queues
// an e-mail to every DPO. It reports whether this call ran it.
func (l *Log) RunDailyVerify(ctx context.Context) (bool, error) {
	now := l.db.Now()
	day := store.BrusselsDay(now)
	won, err := l.db.ClaimDailyJob(ctx, VerifyJob, day)
	if err != nil || !won {
		return false, err
	}
	rep, verr := l.Verify(ctx, nil)
	if ctx.Err() != nil {
		// Stopped (shutdown), not failed: leave the day to the next check.
		if err := l.db.ReleaseDailyJob(context.WithoutCancel(ctx), VerifyJob, day); err != nil {
			slog.Error("release the audit log verification", "error", err)
		}
		return true, ctx.Err()
	}
	if err := l.RecordVerification(ctx, rep, verr); err != nil {
		return true, err
	}
	result := fmt.Sprintf("%d events, %d checkpoints: ok", rep.Size, rep.Checkpoints)
	if verr != nil || !rep.OK() {
		msg := ""
		if verr != nil {
			msg = "the verification could not run: " + verr.Error()
		} else {
			msg = rep.Problem.Message
		}
		result = "FAILED: " + msg
		slog.Error("audit log verification failed", "problem", msg)
		body := "De dagelijkse controle van het toegangslogboek van Kansrijk is mislukt.\n" +
			"The daily verification of Kansrijk's access log failed.\n\n" + msg + "\n\n" +
			"Controleer met: kansrijk audit verify\n"
		if _, err := l.db.MailDPOs(context.WithoutCancel(ctx), "Kansrijk: controle van het toegangslogboek mislukt", body); err != nil {
			slog.Error("audit log verification: mail to the DPO", "error", err)
		}
	}
	if err := l.db.FinishDailyJob(context.WithoutCancel(ctx), VerifyJob, day, result); err != nil {
		return true, err
	}
	return true, verr
}

// RunDaily checks at once and then every interval (default an hour)
// whether today's verification is due, until ctx ends.
func (l *Log) RunDaily(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = time.Hour
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := l.RunDailyVerify(ctx); err != nil && ctx.Err() == nil {
			slog.Error("daily job", "job", VerifyJob, "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Collector exports the audit log's state to Prometheus, read from the
// database at each scrape (so every instance reports the same):
// kansrijk_audit_verify_ok (1 when the last verification passed, 0 when it
// failed; absent before the first), kansrijk_audit_verify_failures_total,
// kansrijk_audit_tree_size and kansrijk_audit_pending_events.
type Collector struct {
	db                          *store.DB
	ok, failures, size, pending *prometheus.Desc
}

// NewCollector returns the collector over db.
func NewCollector(db *store.DB) *Collector {
	return &Collector{db: db,
		ok:       prometheus.NewDesc("kansrijk_audit_verify_ok", "1 when the last verification of the audit log passed, 0 when it failed.", nil, nil),
		failures: prometheus.NewDesc("kansrijk_audit_verify_failures_total", "Verifications of the audit log that failed.", nil, nil),
		size:     prometheus.NewDesc("kansrijk_audit_tree_size", "Events in the audit log's Merkle tree.", nil, nil),
		pending:  prometheus.NewDesc("kansrijk_audit_pending_events", "Committed audit events not yet in the Merkle tree.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.ok
	ch <- c.failures
	ch <- c.size
	ch <- c.pending
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if v, err := c.db.LastAuditVerification(ctx); err == nil {
		ok := 0.0
		if v.OK {
			ok = 1
		}
		ch <- prometheus.MustNewConstMetric(c.ok, prometheus.GaugeValue, ok)
	}
	if n, err := c.db.AuditVerificationFailures(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(c.failures, prometheus.CounterValue, float64(n))
	}
	if n, err := c.db.AuditTreeSize(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(n))
	}
	if n, err := c.db.AuditPending(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(n))
	}
}
