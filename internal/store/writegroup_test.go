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

// TestBirthCreateFailureInGroup: a create that fails in the database (a
// clinic that does not exist) among others queued with it fails alone and
// leaves nothing; the others are stored with their parents and their one
// create event, whose detail names the queue and the team as a batch
// row's does. On PostgreSQL each create is one statement: the failing one
// leaves no notification, parent or event either.
func TestBirthCreateFailureInGroup(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		grouped := db.Dialect() == store.SQLite
		release := func() {}
		if grouped {
			release = store.HoldWriteGroup(db)
		}
		ghost := clinicZonnedal
		ghost.Org = "clinic-bestaat-niet"
		const n = 6
		subs := make([]birth.Submission, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				in := family(fmt.Sprintf("Moeder Faal%02d", i), "2025-01-15")
				if i%2 == 1 {
					in.Mother.MunicipalityNIS, in.Mother.Postcode = "21004", "1000" // Brussels: Opgroeien's queue
					in.CoParent = &birth.Parent{Name: fmt.Sprintf("Partner Faal%02d", i)}
				}
				a := clinicZonnedal
				if i == 2 {
					a = ghost
				}
				subs[i], errs[i] = db.CreateBirthNotification(ctx, a, in)
			})
		}
		if grouped && !store.WaitWritesQueued(db, n) {
			release()
			t.Fatalf("only %d creates queued", store.WriteGroupQueued(db))
		}
		release()
		wg.Wait()
		for i, s := range subs {
			if i == 2 {
				if errs[i] == nil {
					t.Errorf("the create of an unknown clinic succeeded: %+v", s)
				}
				continue
			}
			if errs[i] != nil {
				t.Fatalf("create %d: %v", i, errs[i])
			}
			team, queue, parents := "team-noord", birth.QueueTeam, 1
			if i%2 == 1 {
				team, queue, parents = "", birth.QueueOpgroeien, 2
			}
			if s.Team != team || s.Queue != queue {
				t.Errorf("create %d: team %q queue %q, want %q %q", i, s.Team, s.Queue, team, queue)
			}
			want := "queue=" + queue
			if team != "" {
				want += " team=" + team
			}
			if evs := birthEvents(t, db, s.ID, "birth.create"); len(evs) != 1 || evs[0].Detail != want || evs[0].ActorOrg != clinicZonnedal.Org {
				t.Errorf("create %d: events %+v, want one with detail %q", i, evs, want)
			}
			if got := MustCount(t, db, `SELECT count(*) FROM birth_parents WHERE notification_id = $1`, s.ID); got != parents {
				t.Errorf("create %d: %d parents, want %d", i, got, parents)
			}
		}
		if got := MustCount(t, db, `SELECT count(*) FROM birth_notifications WHERE clinic_key = $1`, ghost.Org); got != 0 {
			t.Errorf("the failed create left %d notifications", got)
		}
		if got := MustCount(t, db, `SELECT count(*) FROM birth_notifications`); got != n-1 {
			t.Errorf("%d notifications stored, want %d", got, n-1)
		}
		if got := MustCount(t, db, `SELECT count(*) FROM birth_parents p JOIN birth_notifications b ON b.id = p.notification_id`); got != MustCount(t, db, `SELECT count(*) FROM birth_parents`) {
			t.Error("a parent without its notification")
		}
		if got := MustCount(t, db, `SELECT count(*) FROM audit_events WHERE action = 'birth.create'`); got != n-1 {
			t.Errorf("%d create events, want %d", got, n-1)
		}
	})
}
