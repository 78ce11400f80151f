package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/audit"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// readEvent is a synthetic read event with its own object id.
func readEvent(action, id string) audit.Event {
	ev := audit.For(ocmwWorker, action, "referral", id)
	ev.Purpose = "follow_up"
	return ev
}

// eventCount counts the events of an action (and object id, if given).
func eventCount(tb testing.TB, db *store.DB, action, id string) int {
	tb.Helper()
	if id == "" {
		return MustCount(tb, db, `SELECT count(*) FROM audit_events WHERE action = $1`, action)
	}
	return MustCount(tb, db, `SELECT count(*) FROM audit_events WHERE action = $1 AND object_id = $2`, action, id)
}

// TestGroupCommitConcurrent: N goroutines × M reads, each read's events
// durable when recordReads returns, and exactly N×M×2 events in the end,
// none lost or doubled, with fewer transactions than reads.
func TestGroupCommitConcurrent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		const n, m = 24, 20
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, n*m)
		for g := range n {
			wg.Go(func() {
				for i := range m {
					id := fmt.Sprintf("%d-%d", g, i)
					// Two events per read, as a read of two objects writes.
					if err := store.RecordReads(ctx, db, readEvent("test.read", id), readEvent("test.read", id+"b")); err != nil {
						errs <- err
						return
					}
					// Durable (and visible to the read pool) on return.
					var got int
					if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action = 'test.read' AND object_id IN ($1, $2)`,
						id, id+"b").Scan(&got); err != nil {
						errs <- err
						return
					}
					if got != 2 {
						errs <- fmt.Errorf("read %s returned with %d of its 2 events written", id, got)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if got := eventCount(t, db, "test.read", ""); got != n*m*2 {
			t.Fatalf("%d events, want %d", got, n*m*2)
		}
		if got := MustCount(t, db, `SELECT count(DISTINCT object_id) FROM audit_events WHERE action = 'test.read'`); got != n*m*2 {
			t.Fatalf("%d distinct events, want %d", got, n*m*2)
		}
		batches, events := store.CommitStats(db)
		if events != n*m*2 || batches > n*m {
			t.Fatalf("committed %d events in %d transactions, want %d in at most %d", events, batches, n*m*2, n*m)
		}
		t.Logf("%d reads in %d transactions", n*m, batches)
		// Each event keeps the time of its read, and the actor's fields.
		evs, err := db.AuditEvents(ctx, audit.Filter{Action: "test.read", ObjectID: "3-7", Limit: 5})
		if err != nil || len(evs) != 1 || evs[0].ActorOrg != ocmwWorker.Org || evs[0].Purpose != "follow_up" || evs[0].At.IsZero() {
			t.Fatalf("event = %+v %v", evs, err)
		}
	})
}

// poison makes the database refuse any audit event of action test.poison.
func poison(t *testing.T, db *store.DB) {
	t.Helper()
	if db.Dialect() == store.Postgres {
		store.ExecWrite(t, db, `CREATE FUNCTION test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN IF NEW.action = 'test.poison' THEN RAISE EXCEPTION 'poisoned event'; END IF; RETURN NEW; END $$`)
		store.ExecWrite(t, db, `CREATE TRIGGER test_poison BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION test_poison()`)
		return
	}
	store.ExecWrite(t, db, `CREATE TRIGGER test_poison BEFORE INSERT ON audit_events WHEN NEW.action = 'test.poison'
		BEGIN SELECT RAISE(ABORT, 'poisoned event'); END`)
}

// submit runs recordReads in a goroutine; its outcome arrives on the
// returned channel.
func submit(ctx context.Context, db *store.DB, evs ...audit.Event) <-chan error {
	out := make(chan error, 1)
	go func() { out <- store.RecordReads(ctx, db, evs...) }()
	return out
}

// TestGroupCommitFailedBatch: when the batch's transaction fails, every
// read in it fails and none of its events is written; the committer goes
// on.
func TestGroupCommitFailedBatch(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		store.SetCommitWorkers(db, 1)
		poison(t, db)
		release := store.HoldAuditWrites(t, db)
		// The committer takes the first request and waits for the writer
		// (on PostgreSQL it may already have taken it into a batch of its
		// own: the lock stops it only at the INSERT).
		first := submit(ctx, db, readEvent("test.read", "first"))
		store.WaitBlocked(t, db, 1)
		base := store.Queued(db) // SQLite: the first request, not in a batch yet
		batch := []<-chan error{submit(ctx, db, readEvent("test.poison", "bad"))}
		store.WaitQueued(t, db, base+1)
		for i := range 4 {
			batch = append(batch, submit(ctx, db, readEvent("test.read", fmt.Sprint("good", i))))
		}
		store.WaitQueued(t, db, base+len(batch))
		release()
		for i, c := range batch {
			if err := <-c; err == nil {
				t.Errorf("read %d of the failed batch succeeded", i)
			}
		}
		for i := range 4 {
			if got := eventCount(t, db, "test.read", fmt.Sprint("good", i)); got != 0 {
				t.Errorf("good%d of the failed batch written %d times", i, got)
			}
		}
		// The first read: alone in its batch (written) or with the others
		// (failed with them), never half.
		err := <-first
		if got := eventCount(t, db, "test.read", "first"); (err == nil) != (got == 1) || got > 1 {
			t.Fatalf("first read: %v, %d events", err, got)
		}
		// The committer goes on.
		if err := store.RecordReads(ctx, db, readEvent("test.read", "after")); err != nil {
			t.Fatal(err)
		}
		if got := eventCount(t, db, "test.read", "after"); got != 1 {
			t.Fatalf("after the failed batch: %d events", got)
		}
	})
}

// TestGroupCommitCancel: a read whose caller gives up while its request
// waits is withdrawn (nothing written) and answered at once; one that
// gives up while writing a batch is written at most once; neither loses
// or doubles the events of the others.
func TestGroupCommitCancel(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		store.SetCommitWorkers(db, 1)
		release := store.HoldAuditWrites(t, db)
		inFlightCtx, cancelInFlight := context.WithCancel(ctx)
		inFlight := submit(inFlightCtx, db, readEvent("test.read", "in-flight"))
		store.WaitBlocked(t, db, 1)
		base := store.Queued(db)
		queuedCtx, cancelQueued := context.WithCancel(ctx)
		queued := submit(queuedCtx, db, readEvent("test.read", "queued"))
		store.WaitQueued(t, db, base+1)
		others := []<-chan error{submit(ctx, db, readEvent("test.read", "other1")), submit(ctx, db, readEvent("test.read", "other2"))}
		store.WaitQueued(t, db, base+3)
		// Given up while the writer is still held: answered at once.
		cancelQueued()
		if err := <-queued; !errors.Is(err, context.Canceled) {
			t.Fatalf("queued read given up: %v", err)
		}
		// The read writing the batch gives up: on SQLite before the batch
		// is formed (nothing taken, another read writes the batch); on
		// PostgreSQL after (its batch is written, it may answer nil).
		cancelInFlight()
		release()
		inFlightErr := <-inFlight
		for _, c := range others {
			if err := <-c; err != nil {
				t.Fatal(err)
			}
		}
		if err := store.RecordReads(ctx, db, readEvent("test.read", "last")); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[string]int{"queued": 0, "other1": 1, "other2": 1, "last": 1} {
			if got := eventCount(t, db, "test.read", id); got != want {
				t.Errorf("%s: %d events, want %d", id, got, want)
			}
		}
		got := eventCount(t, db, "test.read", "in-flight")
		if got > 1 || inFlightErr == nil && got != 1 || inFlightErr != nil && !errors.Is(inFlightErr, context.Canceled) {
			t.Errorf("in-flight: %v, %d events", inFlightErr, got)
		}
	})
}

// TestGroupCommitClose: Close commits every read already handed over;
// reads after it fail; nothing is lost or written twice.
func TestGroupCommitClose(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, d)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			const n = 400
			var wg sync.WaitGroup
			var mu sync.Mutex
			ok := map[string]bool{}
			for i := range n {
				wg.Go(func() {
					id := fmt.Sprint(i)
					if err := store.RecordReads(ctx, db, readEvent("test.read", id)); err == nil {
						mu.Lock()
						ok[id] = true
						mu.Unlock()
					}
				})
				if i == n/2 {
					go db.Close()
				}
			}
			wg.Wait()
			db.Close()
			if err := store.RecordReads(ctx, db, readEvent("test.read", "late")); err == nil {
				t.Fatal("a read after Close succeeded")
			}
			db, err = store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			written, err := store.QueryList(ctx, db, func(row store.RowScanner) (string, error) {
				var id string
				return id, row.Scan(&id)
			}, `SELECT object_id FROM audit_events WHERE action = 'test.read'`)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, id := range written {
				if seen[id] || !ok[id] {
					t.Fatalf("event %s written twice or for a failed read", id)
				}
				seen[id] = true
			}
			if len(seen) != len(ok) {
				t.Fatalf("%d events written for %d successful reads", len(seen), len(ok))
			}
			t.Logf("%d of %d reads before Close", len(ok), n)
		})
	}
}

// TestReadsOnReadPool: an audited read no longer takes the writer: it
// answers while the writer is held by someone else, its event written as
// soon as the writer is free. A denied read still writes its denial.
// TestReadsOnReadPool: on SQLite an audited read reads on the read pool
// and then waits for its event only (on PostgreSQL the read and its event
// are one write transaction: inReadTx).
func TestReadsOnReadPool(t *testing.T) {
	func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		store.SetCommitWorkers(db, 1)
		world(t, db)
		activeAgreement(t, db, "team-noord", "13016")
		r := sentReferral(t, db)
		if _, err := db.Referral(ctx, ocmwWorker, r.ID); err != nil { // marks it received: a write
			t.Fatal(err)
		}
		before := eventCount(t, db, "referral.read", "")
		started := store.CommitsStarted(db)
		release := store.HoldAuditWrites(t, db)
		done := make(chan error, 2)
		go func() {
			_, err := db.Referral(ctx, ocmwWorker, r.ID)
			done <- err
		}()
		go func() {
			_, err := db.Referral(ctx, otherOCMW, r.ID)
			done <- err
		}()
		// Both reads have read and wait for their events only.
		store.WaitStarted(t, db, started+1)
		select {
		case err := <-done:
			t.Fatalf("a read answered before its event was written: %v", err)
		default:
		}
		release()
		errs := []error{<-done, <-done}
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("want one read and one denial: %v", errs)
		}
		if got := eventCount(t, db, "referral.read", ""); got != before+1 {
			t.Fatalf("%d read events, want %d", got, before+1)
		}
		if got := eventCount(t, db, "referral.access_denied", fmt.Sprint(r.ID)); got != 1 {
			t.Fatalf("%d denial events, want 1", got)
		}
	}(t, storetest.Open(t, store.SQLite))
}

// TestTokenUseOncePerMinute: authenticating by token writes its last use
// at most once a minute per token, in the background, and answers even
// while the writer is held.
func TestTokenUseOncePerMinute(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		MustCreateUser(t, db, "token@hulshout.test", account.OCMWWorker, "ocmw-13016")
		secret, err := db.CreateToken(ctx, account.System("test"), "token@hulshout.test", "test")
		if err != nil {
			t.Fatal(err)
		}
		lastUsed := func() string {
			var s string
			if err := db.SQL().QueryRowContext(ctx, `SELECT COALESCE(CAST(last_used_at AS TEXT), '') FROM api_tokens`).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		writes := store.TokenUseWrites(db)
		for range 50 {
			if _, err := db.ActorByToken(ctx, secret); err != nil {
				t.Fatal(err)
			}
		}
		if got := store.TokenUseWrites(db) - writes; got != 1 {
			t.Fatalf("%d writes of last use for 50 uses within a minute, want 1", got)
		}
		first := lastUsed()
		if first == "" {
			t.Fatal("last use not written")
		}
		// The writer held: authentication does not wait for it.
		release := store.HoldAuditWrites(t, db)
		now = now.Add(61 * time.Second)
		if _, err := db.ActorByToken(ctx, secret); err != nil {
			t.Fatal(err)
		}
		release()
		if got := store.TokenUseWrites(db) - writes; got != 2 {
			t.Fatalf("%d writes after a minute, want 2", got)
		}
		if lastUsed() == first {
			t.Fatal("last use not updated after a minute")
		}
		// A wrong secret is still refused.
		if _, err := db.ActorByToken(ctx, "nope"); err == nil {
			t.Fatal("wrong secret accepted")
		}
	})
}
