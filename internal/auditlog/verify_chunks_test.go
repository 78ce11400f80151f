package auditlog_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"kansrijk/internal/auditlog"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// Leaves whose events are not in id order (on PostgreSQL an event whose
// transaction commits late is logged after higher ids) verify; an event
// put in behind the log's back is still found then, in one chunk and in
// many, and so it is when the leaves are in id order.
func TestVerifyUnloggedEventsLeavesOutOfOrder(t *testing.T) {
	for _, d := range storetest.Backends {
		for _, outOfOrder := range []bool{false, true} {
			for _, chunk := range []int64{0, 4} {
				t.Run(fmt.Sprintf("%s/out of order %v/chunk %d", d, outOfOrder, chunk), func(t *testing.T) {
					if chunk > 0 {
						defer auditlog.SetChunkLeaves(chunk)()
					}
					f := newFixture(t, d)
					ctx := context.Background()
					f.append(t, 13)
					insert := func(id int64) int64 {
						t.Helper()
						at := time.Now().UTC().Format(auditlog.TimeLayout)
						if id == 0 {
							if err := f.attacker.QueryRow(`INSERT INTO audit_events (at, actor_role, actor_org, action, outcome, channel) VALUES ($1, 'ocmw_worker', 'ocmw-13016', 'referral.read', 'ok', 'session') RETURNING id`, at).Scan(&id); err != nil {
								t.Fatal(err)
							}
							return id
						}
						f.exec(t, fmt.Sprintf(`INSERT INTO audit_events (id, at, actor_role, actor_org, action, outcome, channel) VALUES (%d, '%s', 'ocmw_worker', 'ocmw-13016', 'referral.read', 'ok', 'session')`, id, at))
						return id
					}
					// Two events sequenced one by one, the higher id first
					// when out of order.
					hi, lo := int64(1000), int64(500)
					if !outOfOrder {
						hi, lo = lo, hi
					}
					for _, id := range []int64{hi, lo} {
						insert(id)
						if _, err := f.log.Sequence(ctx); err != nil {
							t.Fatal(err)
						}
					}
					f.append(t, 3)
					if rep := f.verify(t); !rep.OK() {
						t.Fatalf("a valid log: %v", rep.Problem)
					}
					// Pending events (committed, not sequenced yet) are fine.
					insert(0)
					if rep := f.verify(t); !rep.OK() {
						t.Fatalf("a pending event: %v", rep.Problem)
					}
					if f.dialect == store.Postgres {
						f.exec(t, "ALTER TABLE audit_events DISABLE TRIGGER audit_events_pending")
					} else {
						f.exec(t, "DROP TRIGGER audit_events_pending")
					}
					id := insert(0)
					rep := f.verify(t)
					if rep.OK() || rep.Problem.Kind != auditlog.ProblemEventInserted || rep.Problem.EventID != id || rep.Problem.LeafIndex != -1 {
						t.Fatalf("an event behind the log's back (%d): %+v", id, rep.Problem)
					}
				})
			}
		}
	}
}

// A leaf pointed at the event of another leaf (the unique constraint
// dropped first) is found, whichever way the chunk is read.
func TestVerifyDuplicateEventAtTwoLeaves(t *testing.T) {
	for _, chunk := range []int64{0, 4} {
		t.Run(fmt.Sprintf("chunk %d", chunk), func(t *testing.T) {
			if chunk > 0 {
				defer auditlog.SetChunkLeaves(chunk)()
			}
			f := newFixture(t, store.Postgres)
			f.append(t, 13)
			f.append(t, 8)
			dup := f.eventAt(t, 5)
			f.dropGuards(t)
			f.exec(t, "ALTER TABLE audit_leaves DROP CONSTRAINT audit_leaves_event_id_key",
				fmt.Sprintf("UPDATE audit_leaves SET event_id = %d WHERE leaf_index = 6", dup))
			rep := f.verify(t)
			if rep.OK() || rep.Problem.Kind != auditlog.ProblemEventChanged || rep.Problem.LeafIndex != 6 || rep.Problem.EventID != dup {
				t.Fatalf("event %d at leaves 5 and 6: %+v", dup, rep.Problem)
			}
		})
	}
}

// A pool of one connection (KANSRIJK_DB_MAX_CONNS=1) still verifies: the
// readers never wait for a connection another reader holds.
func TestVerifyOneConnection(t *testing.T) {
	defer auditlog.SetChunkLeaves(4)()
	f := newFixture(t, store.Postgres)
	f.append(t, 30)
	t.Setenv("KANSRIJK_DB_MAX_CONNS", "1")
	ctx := context.Background()
	one, err := store.OpenNoMigrate(ctx, f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	if n := one.ReadConns(); n != 1 {
		t.Fatalf("read pool of %d connections, want 1", n)
	}
	l, err := auditlog.New(one, auditlog.Config{VerifierKey: f.log.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	vctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	rep, err := l.Verify(vctx, nil)
	if err != nil || !rep.OK() || rep.Size != 30 {
		t.Fatalf("verify on one connection: %v, %+v", err, rep.Problem)
	}
}
