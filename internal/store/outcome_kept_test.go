package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/outcome"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var outYear2025 = outcome.Query{From: time.Date(2025, 1, 1, 0, 0, 0, 0, outBrussels), To: time.Date(2026, 1, 1, 0, 0, 0, 0, outBrussels)}

// outKeptCheck compares, for every actor and filter, the cells OutcomeCells returns for q with
// those the row-by-row reference counts now.
func outKeptCheck(t *testing.T, db *store.DB, name string, q outcome.Query) {
	t.Helper()
	ctx := context.Background()
	for _, a := range []account.Actor{adminActor, teamWorker, ocmwWorker} {
		for _, f := range []outcome.Query{{}, {NIS: "13016"}, {Team: "team-zuid"}} {
			fq := f
			fq.From, fq.To = q.From, q.To
			got, err := db.OutcomeCells(ctx, a, fq)
			if err != nil {
				t.Fatal(err)
			}
			want, err := store.OutcomeCellsRowByRow(ctx, db, a, fq)
			if err != nil {
				t.Fatal(err)
			}
			wantCells := map[string]*outcome.Cell{}
			for i := range want {
				wantCells[want[i].Month+"|"+want[i].NIS+"|"+want[i].Team+"|"+want[i].OCMW] = &want[i]
			}
			compareCells(t, fmt.Sprintf("%s: %s %+v", name, a.Role, f), got, wantCells)
		}
	}
}

func outReference(t *testing.T, db *store.DB, a account.Actor, q outcome.Query) []outcome.Cell {
	t.Helper()
	cells, err := store.OutcomeCellsRowByRow(context.Background(), db, a, q)
	if err != nil {
		t.Fatal(err)
	}
	return cells
}

// TestOutcomeCellsKeptAfterWrites: once the months of 2025 are kept, a write of each kind to
// a referral or birth notification of one of them (through every table the counts read)
// shows in the next result exactly as the row-by-row reference counts it, and only the
// months it touched are counted again. Without the trigger of a table, its write leaves the
// kept month as it was and the comparison fails.
func TestOutcomeCellsKeptAfterWrites(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		refs, _ := outcomeWorld(t, db, uint64(time.Now().UnixNano()))
		// Probes, drafted in 2025 before the months are kept: a referral cancelled without a
		// refusal yet, a draft whose send is not refused yet, a draft to delete.
		probe := func(id int, status, created string) {
			mustExec(t, db, `INSERT INTO referrals (id, team_key, municipality_nis, recipient_key, status, receipt_code, created_by, created_at, updated_at)
				VALUES ($1,'team-noord','13016','ocmw-13016',$2,$3,'test',$4,$4)`, id, status, "KR-PROBE-"+strconv.Itoa(id), created)
		}
		probe(9001, "cancelled", "2025-04-10T10:00:00.000000Z")
		probe(9002, "draft", "2025-06-10T10:00:00.000000Z")
		probe(9003, "draft", "2025-07-31T22:30:00.000000Z") // August in Brussels
		var sentNoAttempt, withOneAttempt, open, notDeleted outRef
		for _, r := range refs {
			switch {
			case r.sent != nil && r.received != nil && len(r.attempts) == 0 && r.withdrawn == nil && sentNoAttempt.id == 0:
				sentNoAttempt = r
			case r.sent != nil && len(r.attempts) == 1 && r.closed == nil && r.withdrawn == nil && withOneAttempt.id == 0:
				withOneAttempt = r
			case r.sent != nil && r.closed == nil && r.withdrawn == nil && len(r.attempts) > 1 && open.id == 0:
				open = r
			case r.del == nil && r.withdrawn == nil && notDeleted.id == 0:
				notDeleted = r
			}
		}
		for _, r := range []outRef{sentNoAttempt, withOneAttempt, open, notDeleted} {
			if r.id == 0 {
				t.Fatal("the world has no referral for one of the writes")
			}
		}
		outKeptCheck(t, db, "kept", outYear2025)
		hits, counted := store.OutcomeKeptForTest(db)
		if counted != 24 { // 12 months × both ways of counting
			t.Fatalf("%d months counted to keep, want 24", counted)
		}
		// Kept: asking again counts nothing.
		outKeptCheck(t, db, "again", outYear2025)
		if h, c := store.OutcomeKeptForTest(db); c != counted || h <= hits {
			t.Fatalf("asking again: %d months counted (was %d), %d hits (was %d)", c, counted, h, hits)
		}

		agreementID := withOneAttempt.agreementID
		attemptDay := withOneAttempt.sent.AddDate(0, 0, 40).Format(time.DateOnly)
		writes := []struct {
			name  string
			query string
			args  []any
			most  int // the months counted again at most, both ways of counting: 4 unless said
		}{
			{"new attempt", `INSERT INTO referral_contact_attempts (referral_id, on_day, channel, reached, recorded_at, recorded_by)
				VALUES ($1,$2,'phone',true,'2026-12-01T10:00:00.000000Z','test')`, []any{sentNoAttempt.id, attemptDay}, 0},
			{"attempt changed", `UPDATE referral_contact_attempts SET on_day = $2 WHERE referral_id = $1`, []any{withOneAttempt.id, attemptDay}, 0},
			{"consent refused", `INSERT INTO referral_consents (referral_id, parent_idx, informed, method, refused, recorded_at, recorded_by)
				VALUES (9001,0,'[]','verbal',true,'2026-12-01T10:00:00.000000Z','test')`, nil, 0},
			{"outcome recorded", `UPDATE referrals SET status = 'closed', outcome = 'rights_opened', rights = '["leefloon"]', closed_at = $2 WHERE id = $1`,
				[]any{open.id, "2026-01-15T10:00:00.000000Z"}, 0},
			{"withdrawn", `UPDATE referrals SET status = 'withdrawn', withdrawn_at = $2 WHERE id = $1`, []any{sentNoAttempt.id, "2026-01-20T10:00:00.000000Z"}, 0},
			{"contact data deleted", `UPDATE referrals SET data_deleted_at = $2 WHERE id = $1`, []any{notDeleted.id, "2026-02-01T10:00:00.000000Z"}, 0},
			{"send refused", `INSERT INTO audit_events (at, action, object_type, object_id, outcome) VALUES ('2026-12-01T10:00:00.000000Z','referral.send_refused','referral','9002','denied')`, nil, 0},
			{"attempt deleted", `DELETE FROM referral_contact_attempts WHERE referral_id = $1`, []any{withOneAttempt.id}, 0},
			{"target of a version", `UPDATE agreement_versions SET first_contact_days = first_contact_days + 9 WHERE agreement_id = $1`, []any{agreementID}, 26},
			{"referral deleted", `DELETE FROM referrals WHERE id = 9003`, nil, 0},
			{"birth merged", `UPDATE birth_notifications SET status = 'merged' WHERE id = (SELECT MIN(id) FROM birth_notifications WHERE status <> 'merged')`, nil, 0},
			{"birth contacted", `UPDATE birth_notifications SET first_contact_on = child_birth_date, status = 'contacted'
				WHERE id = (SELECT MIN(id) FROM birth_notifications WHERE first_contact_on IS NULL AND status <> 'merged')`, nil, 0},
			{"birth deleted", `DELETE FROM birth_notifications WHERE id = (SELECT MAX(id) FROM birth_notifications WHERE status <> 'merged')`, nil, 0},
		}
		for _, w := range writes {
			before := outReference(t, db, adminActor, outYear2025)
			_, countedBefore := store.OutcomeKeptForTest(db)
			mustExec(t, db, w.query, w.args...)
			if reflect.DeepEqual(before, outReference(t, db, adminActor, outYear2025)) {
				t.Fatalf("%s: the write changes no cell; the test proves nothing", w.name)
			}
			outKeptCheck(t, db, w.name, outYear2025)
			// Only the months of the row were counted again (one or two, per way of counting).
			most := w.most
			if most == 0 {
				most = 4
			}
			if _, c := store.OutcomeKeptForTest(db); c == countedBefore || c > countedBefore+most {
				t.Errorf("%s: %d months counted again", w.name, c-countedBefore)
			}
		}

		// A notification of March 2025 imported through the clinics' batch path.
		before := outReference(t, db, adminActor, outYear2025)
		db.Now = func() time.Time { return birthBenchNow }
		if db.Dialect() == store.Postgres { // the world's rows were inserted with their ids
			mustExec(t, db, `SELECT setval(pg_get_serial_sequence('birth_notifications', 'id'), (SELECT MAX(id) FROM birth_notifications))`)
		}
		rep, err := db.ImportBirthBatch(ctx, clinicZonnedal, birthBenchCSV(t, birthBenchRecords(0, 3)), false)
		if err != nil || rep.Created != 3 {
			t.Fatalf("import %+v %v", rep.Problems, err)
		}
		if reflect.DeepEqual(before, outReference(t, db, adminActor, outYear2025)) {
			t.Fatal("the import changes no cell")
		}
		outKeptCheck(t, db, "import", outYear2025)
	})
}

// TestOutcomeCellsKeptOpenMonth: this month's rows never touch outcome_month_changes (the hot
// path of every new referral and notification), and they show at once: the open month is
// never kept.
func TestOutcomeCellsKeptOpenMonth(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		outcomeWorld(t, db, 11)
		now := time.Now().UTC()
		period := outcome.Query{From: time.Date(2025, 1, 1, 0, 0, 0, 0, outBrussels), To: time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, outBrussels)}
		outKeptCheck(t, db, "kept", period)
		changes, err := store.OutcomeMonthChangesForTest(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(now.Year(), now.Month(), 1, 3, 0, 0, 0, time.UTC)
		if at.After(now) {
			at = now
		}
		created := at.Format("2006-01-02T15:04:05.000000Z")
		mustExec(t, db, `INSERT INTO referrals (id, team_key, municipality_nis, recipient_key, status, receipt_code, created_by, created_at, sent_at, updated_at)
			VALUES (9100,'team-zuid','11007','ocmw-11007','sent','KR-NOW-1','test',$1,$1,$1)`, created)
		mustExec(t, db, `INSERT INTO referral_consents (referral_id, parent_idx, informed, method, refused, recorded_at, recorded_by)
			VALUES (9100,0,'[]','verbal',false,$1,'test')`, created)
		mustExec(t, db, `INSERT INTO referral_contact_attempts (referral_id, on_day, channel, reached, recorded_at, recorded_by)
			VALUES (9100,$1,'phone',true,$2,'test')`, at.Format(time.DateOnly), created)
		mustExec(t, db, `UPDATE referrals SET status = 'reached', received_at = $1 WHERE id = 9100`, created)
		mustExec(t, db, `INSERT INTO audit_events (at, action, object_type, object_id, outcome) VALUES ($1,'referral.send_refused','referral','9100','denied')`, created)
		mustExec(t, db, `INSERT INTO birth_notifications (id, clinic_key, team_key, municipality_nis, child_birth_date, language, status,
			submitted_by, created_at, updated_at) VALUES (9100,'clinic-zonnedal','team-zuid','11007',$1,'nl','new','test',$2,$2)`, at.Format(time.DateOnly), created)
		after, err := store.OutcomeMonthChangesForTest(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(changes, after) {
			t.Errorf("this month's writes bumped %v → %v", changes, after)
		}
		outKeptCheck(t, db, "this month", period)
	})
}

// TestOutcomeCellsKeptAcrossInstances: two instances on one database each keep their months;
// a write through either shows in the other's next result.
func TestOutcomeCellsKeptAcrossInstances(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, d)
			one, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer one.Close()
			two, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer two.Close()
			refs, _ := outcomeWorld(t, one, 5)
			outKeptCheck(t, one, "one", outYear2025)
			outKeptCheck(t, two, "two", outYear2025)
			var sent []outRef
			for _, r := range refs {
				if r.sent != nil && r.withdrawn == nil && r.del == nil {
					sent = append(sent, r)
				}
			}
			mustExec(t, one, `UPDATE referrals SET status = 'withdrawn', withdrawn_at = '2026-01-20T10:00:00.000000Z' WHERE id = $1`, sent[0].id)
			outKeptCheck(t, two, "two after a write through one", outYear2025)
			mustExec(t, two, `UPDATE referrals SET data_deleted_at = '2026-01-20T10:00:00.000000Z' WHERE id = $1`, sent[1].id)
			outKeptCheck(t, one, "one after a write through two", outYear2025)
			if _, c := store.OutcomeKeptForTest(two); c <= 24 {
				t.Errorf("two counted %d months: it did not count the changed month again", c)
			}
		})
	}
}
