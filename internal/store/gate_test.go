package store_test

// The referral gate under concurrency: a send and the end of its
// agreement are strictly ordered, and no transaction waits for a second
// connection of the pool it holds one of.

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// consentedDrafts creates n drafts of team-noord for Hulshout, each with
// the consent of its parent.
func consentedDrafts(t *testing.T, db *store.DB, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	ids := make([]int64, n)
	for i := range ids {
		r, err := db.CreateReferral(ctx, teamWorker, newFamily())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Informed: allInformed, Method: "verbal"}); err != nil {
			t.Fatal(err)
		}
		ids[i] = r.ID
	}
	return ids
}

// auditID returns the id of the one audit event of action on object.
func auditID(t *testing.T, db *store.DB, action, objectType, objectID string) int64 {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), audit.Filter{Action: action, ObjectType: objectType, ObjectID: objectID})
	if err != nil || len(evs) != 1 {
		t.Fatalf("audit %s %s %s: %d events, %v", action, objectType, objectID, len(evs), err)
	}
	return evs[0].ID
}

// checkOrder checks, from the audit log (ids follow the order in which
// the rows were written, and both transactions write their audit event
// after taking the agreement's lock), that every referral sent was sent
// before the agreement's end and every one refused was refused after it.
func checkOrder(t *testing.T, db *store.DB, agreementID int64, sent, refused []int64) {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), audit.Filter{Action: "agreement.event", ObjectID: strconv.FormatInt(agreementID, 10)})
	if err != nil || len(evs) == 0 || !strings.Contains(evs[0].Detail, "status=ended") {
		t.Fatalf("end event: %+v %v", evs, err)
	}
	end := evs[0].ID
	for _, id := range sent {
		if s := auditID(t, db, "referral.send", "referral", strconv.FormatInt(id, 10)); s > end {
			t.Errorf("referral %d was sent (audit %d) after the agreement ended (audit %d)", id, s, end)
		}
	}
	for _, id := range refused {
		if s := auditID(t, db, "referral.send_refused", "referral", strconv.FormatInt(id, 10)); s < end {
			t.Errorf("referral %d was refused (audit %d) before the agreement ended (audit %d)", id, s, end)
		}
	}
}

// TestAgreementEndRacesSends: the end of an agreement recorded while 20
// sends are in flight. Every send either commits before the end or is
// refused after it: none is sent under an agreement that had ended by its
// commit, and none fails otherwise.
func TestAgreementEndRacesSends(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		ag := activeAgreement(t, db, "team-noord", "13016")
		ids := consentedDrafts(t, db, 20)
		var (
			wg            sync.WaitGroup
			mu            sync.Mutex
			sent, refused []int64
			start         = make(chan struct{})
		)
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := db.Send(ctx, teamWorker, id)
				mu.Lock()
				defer mu.Unlock()
				switch apperr.Code(err) {
				case store.CodeNoAgreementInForce:
					refused = append(refused, id)
				default:
					if err != nil {
						t.Errorf("send %d: %v", id, err)
						return
					}
					sent = append(sent, id)
				}
			}()
			if i == len(ids)/2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					if _, err := db.AddEvent(ctx, admin, ag.ID, step(agreement.Ended, time.Now().UTC().Format(time.DateOnly))); err != nil {
						t.Errorf("end: %v", err)
					}
				}()
			}
		}
		close(start)
		wg.Wait()
		if len(sent)+len(refused) != len(ids) {
			t.Fatalf("%d sent + %d refused, want %d", len(sent), len(refused), len(ids))
		}
		checkOrder(t, db, ag.ID, sent, refused)
		t.Logf("%d sent before the end, %d refused after it", len(sent), len(refused))
	})
}

// TestSendAndEndStrictlyOrdered forces the interleaving that used to let
// a send commit after the end of its agreement (PostgreSQL; SQLite's
// single writer cannot interleave): the send has passed the gate and waits
// (here on a lock on its referral row held by the test) while the end is
// recorded. The end must wait for the send's commit; before, it committed
// at once and the send committed after it, under an ended agreement.
func TestSendAndEndStrictlyOrdered(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	ctx := context.Background()
	world(t, db)
	ag := activeAgreement(t, db, "team-noord", "13016")
	id := consentedDrafts(t, db, 1)[0]

	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT id FROM referrals WHERE id = $1 FOR UPDATE`, id); err != nil {
		t.Fatal(err)
	}
	waiting := func(n int) bool { // n sessions wait for a lock (asked on another connection: a transaction sees a snapshot of the statistics)
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			var got int
			if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got >= n {
				return true
			}
			time.Sleep(20 * time.Millisecond)
		}
		return false
	}
	sendErr, endErr := make(chan error, 1), make(chan error, 1)
	go func() { _, err := db.Send(ctx, teamWorker, id); sendErr <- err }()
	if !waiting(1) {
		t.Fatal("the send does not wait for the referral row")
	}
	go func() {
		_, err := db.AddEvent(ctx, admin, ag.ID, step(agreement.Ended, time.Now().UTC().Format(time.DateOnly)))
		endErr <- err
	}()
	waiting(2) // with the lock, the end waits for the send; without, it commits
	time.Sleep(100 * time.Millisecond)
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		t.Fatal(err)
	}
	if err := <-sendErr; err != nil {
		t.Fatalf("send: %v", err)
	}
	if err := <-endErr; err != nil {
		t.Fatalf("end: %v", err)
	}
	checkOrder(t, db, ag.ID, []int64{id}, nil)
}

// TestOneConnectionPerTransaction runs a referral's whole life and the
// agreement steps on PostgreSQL with a pool of ONE connection: any path
// that asks the pool for a second connection while it holds a transaction
// would wait forever (here: until the deadline). (The whole store suite
// runs so with KANSRIJK_DB_MAX_CONNS=1 go test -run /postgres ./internal/store/.)
func TestOneConnectionPerTransaction(t *testing.T) {
	t.Setenv("KANSRIJK_DB_MAX_CONNS", "1")
	db := storetest.Open(t, store.Postgres)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	world(t, db)
	ag := activeAgreement(t, db, "team-noord", "13016")
	r, err := db.CreateReferral(ctx, teamWorker, newFamily())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Informed: allInformed, Method: "verbal"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Send(ctx, teamWorker, r.ID); err != nil {
		t.Fatalf("send with one connection: %v", err)
	}
	got, err := db.Referral(ctx, ocmwWorker, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err = db.AddContactAttempt(ctx, ocmwWorker, r.ID, referral.NewContactAttempt{Channel: "phone", Reached: true, Version: got.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Withdraw(ctx, teamWorker, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddEvent(ctx, admin, ag.ID, step(agreement.Ended, time.Now().UTC().Format(time.DateOnly))); err != nil {
		t.Fatal(err)
	}
	// A send refused by the gate (the agreement ended) counts the missed referral.
	r2 := consentedDrafts(t, db, 1)[0]
	if _, err := db.Send(ctx, teamWorker, r2); apperr.Code(err) != store.CodeNoAgreementInForce {
		t.Fatalf("send after the end: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the flow needed a second connection")
	}
}
