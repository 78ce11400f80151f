package auditlog_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"kansrijk/internal/audit"
	"kansrijk/internal/auditlog"
	"kansrijk/internal/store/storetest"
)

// The sequencer reads the queue past the highest id it appended, and the
// whole queue once that part cannot fill a batch: a backlog of several
// batches is appended whole, and so are events that commit below ids
// already appended (on PostgreSQL, a transaction that commits late),
// whether they arrive alone or with a backlog of several batches.
func TestSequenceBacklogAndLateEvents(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, d)
			ctx := context.Background()
			at := time.Now().UTC().Format(auditlog.TimeLayout)
			insertAt := func(id int64) {
				t.Helper()
				f.exec(t, fmt.Sprintf(`INSERT INTO audit_events (id, at, actor_role, actor_org, action, outcome, channel) VALUES (%d, '%s', 'ocmw_worker', 'ocmw-13016', 'referral.read', 'ok', 'session')`, id, at))
			}
			appendEvents := func(n int) {
				t.Helper()
				evs := make([]audit.Event, n)
				for i := range evs {
					evs[i] = event(i)
				}
				if err := f.db.AppendAuditEvents(ctx, evs...); err != nil {
					t.Fatal(err)
				}
			}
			sequence := func(want int) {
				t.Helper()
				n, err := f.log.Sequence(ctx)
				if err != nil || n != want {
					t.Fatalf("sequenced %d, %v; want %d", n, err, want)
				}
			}
			// A backlog of several batches past the cursor.
			appendEvents(2*auditlog.BatchSize + 345)
			sequence(2*auditlog.BatchSize + 345)
			// The cursor far ahead: an event with a high id.
			insertAt(50_000_000)
			sequence(1)
			// Late events below the cursor: one alone, then a backlog of
			// more than a batch (PostgreSQL's identity hands out low ids;
			// SQLite's are explicit here).
			insertAt(40_000_000)
			sequence(1)
			if d == "sqlite" {
				for i := range int64(auditlog.BatchSize + 7) {
					insertAt(30_000_000 + i)
				}
			} else {
				appendEvents(auditlog.BatchSize + 7)
			}
			sequence(auditlog.BatchSize + 7)
			var pending, leaves, events int
			if err := f.attacker.QueryRow(`SELECT (SELECT count(*) FROM audit_pending), (SELECT count(*) FROM audit_leaves), (SELECT count(*) FROM audit_events)`).Scan(&pending, &leaves, &events); err != nil {
				t.Fatal(err)
			}
			if pending != 0 || leaves != events {
				t.Fatalf("%d pending, %d leaves for %d events", pending, leaves, events)
			}
			if _, _, err := f.log.Sign(ctx); err != nil {
				t.Fatal(err)
			}
			if rep := f.verify(t); !rep.OK() {
				t.Fatalf("verify: %v", rep.Problem)
			}
		})
	}
}
