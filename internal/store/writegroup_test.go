package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"kansrijk/internal/birth"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestWriteGroupBatchAndFailure: on SQLite, writes queued while the group
// is busy run in one transaction; when one of them fails, the transaction
// is rolled back and each runs again alone: the failing one answers its
// own error and leaves nothing, the others are all stored, once. On
// PostgreSQL each runs in its own transaction, with the same outcomes.
func TestWriteGroupBatchAndFailure(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		grouped := db.Dialect() == store.SQLite
		hold := func() func() {
			if !grouped {
				return func() {}
			}
			return store.HoldWriteGroup(db)
		}
		queued := func(n int) bool { return !grouped || store.WaitWritesQueued(db, n) }
		insert := `INSERT INTO job_runs (job, day, started_at, result) VALUES ($1, '2025-01-01', '2025-01-01T00:00:00Z', $2)`
		release := hold()
		b0, w0, _ := store.WriteGroupStats(db)
		const n = 10
		bad := errors.New("bad input")
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				var fail error
				if i == 4 {
					fail = bad
				}
				errs[i] = store.GroupExec(ctx, db, insert, fail, fmt.Sprintf("wg.%d", i), "x")
			})
		}
		if !queued(n) {
			release()
			t.Fatalf("only %d writes queued", store.WriteGroupQueued(db))
		}
		release()
		wg.Wait()
		for i, err := range errs {
			if i == 4 && !errors.Is(err, bad) || i != 4 && err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
		b1, w1, retried := store.WriteGroupStats(db)
		if grouped && (b1-b0 != 1 || w1-w0 != n || retried != n) {
			t.Errorf("%d batches of %d writes (%d run again), want 1 of %d, all again", b1-b0, w1-w0, retried, n)
		}
		if got := MustCount(t, db, `SELECT count(*) FROM job_runs WHERE job LIKE 'wg.%'`); got != n-1 {
			t.Errorf("%d rows stored, want %d", got, n-1)
		}
		if got := MustCount(t, db, `SELECT count(*) FROM job_runs WHERE job = 'wg.4'`); got != 0 {
			t.Errorf("the failed write left %d rows", got)
		}
		// A batch without failure: one transaction, nothing run again.
		release = hold()
		for i := range n {
			wg.Go(func() { errs[i] = store.GroupExec(ctx, db, insert, nil, fmt.Sprintf("wg.ok.%d", i), "y") })
		}
		if !queued(n) {
			release()
			t.Fatal("writes not queued")
		}
		release()
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		}
		b2, w2, retried2 := store.WriteGroupStats(db)
		if grouped && (b2-b1 != 1 || w2-w1 != n || retried2 != retried) {
			t.Errorf("%d batches of %d writes (%d run again), want 1 of %d", b2-b1, w2-w1, retried2-retried, n)
		}
		if !grouped {
			return
		}
		// A write whose caller gave up before a batch took it is not written.
		release = hold()
		cctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- store.GroupExec(cctx, db, insert, nil, "wg.gone", "z") }()
		queued(1)
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("abandoned write: %v", err)
		}
		release()
		if err := store.GroupExec(ctx, db, insert, nil, "wg.after", "z"); err != nil {
			t.Fatal(err)
		}
		if got := MustCount(t, db, `SELECT count(*) FROM job_runs WHERE job = 'wg.gone'`); got != 0 {
			t.Errorf("the abandoned write was stored")
		}
	})
}

// TestBirthCreateConcurrent: clinics posting at once are group-committed;
// every answer is what the store reads back, every notification has its
// parents and its one create event.
func TestBirthCreateConcurrent(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		const n = 24
		subs := make([]birth.Submission, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				in := family(fmt.Sprintf("Moeder Groep%02d", i), "2025-01-15")
				in.ClinicReference = fmt.Sprintf("ref-%d", i)
				if i%3 == 0 {
					in.Mother.MunicipalityNIS, in.Mother.Postcode = "44086", "9810" // Nazareth-De Pinte: team-schelde
				}
				subs[i], errs[i] = db.CreateBirthNotification(ctx, clinicZonnedal, in)
			})
		}
		wg.Wait()
		ids := map[int64]bool{}
		for i, s := range subs {
			if errs[i] != nil {
				t.Fatalf("notify %d: %v", i, errs[i])
			}
			ids[s.ID] = true
			read, err := db.ClinicSubmission(ctx, clinicZonnedal, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(read) != fmt.Sprint(s) || !read.SubmittedAt.Equal(s.SubmittedAt) {
				t.Errorf("answer %+v, stored %+v", s, read)
			}
			if len(birthEvents(t, db, s.ID, "birth.create")) != 1 {
				t.Errorf("notification %d: not one create event", s.ID)
			}
			if got := MustCount(t, db, `SELECT count(*) FROM birth_parents WHERE notification_id = $1`, s.ID); got != 1 {
				t.Errorf("notification %d: %d parents", s.ID, got)
			}
		}
		if len(ids) != n {
			t.Errorf("%d distinct ids for %d notifications", len(ids), n)
		}
	})
}
