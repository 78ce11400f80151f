package store_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kansrijk/internal/agreement"
	"kansrijk/internal/audit"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// retentionT0 is when the retention tests' referrals are made.
var retentionT0 = time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)

// draftReferral creates a draft with one consenting parent.
func draftReferral(t *testing.T, db *store.DB) referral.Referral {
	t.Helper()
	ctx := context.Background()
	r, err := db.CreateReferral(ctx, teamWorker, newFamily())
	if err != nil {
		t.Fatal(err)
	}
	if r, err = db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Informed: allInformed, Method: "verbal"}); err != nil {
		t.Fatal(err)
	}
	return r
}

// sentReferral creates a referral, records consent and sends it (an
// agreement must be in force).
func sentReferral(t *testing.T, db *store.DB) referral.Referral {
	t.Helper()
	r, err := db.Send(context.Background(), teamWorker, draftReferral(t, db).ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// closedReferral sends a referral and has the OCMW close it.
func closedReferral(t *testing.T, db *store.DB, in referral.NewOutcome) referral.Referral {
	t.Helper()
	ctx := context.Background()
	r := sentReferral(t, db)
	got, err := db.Referral(ctx, ocmwWorker, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	in.Version = got.Version
	if got, err = db.SetOutcome(ctx, ocmwWorker, r.ID, in); err != nil {
		t.Fatal(err)
	}
	return got
}

func purgedIDs(ps []store.Purge) []int64 {
	var out []int64
	for _, p := range ps {
		out = append(out, p.ReferralID)
	}
	return out
}

func parentsOf(t *testing.T, db *store.DB, id int64) int {
	t.Helper()
	return MustCount(t, db, "SELECT count(*) FROM referral_parents WHERE referral_id = $1", id)
}

// referralRow is the non-identifying record that must survive retention.
type referralRow struct {
	Status, Outcome, Rights string
	Agreement               int64
	DataDeleted             bool
}

func rowOf(t *testing.T, db *store.DB, id int64) referralRow {
	t.Helper()
	var r referralRow
	var deleted any
	if err := db.SQL().QueryRowContext(context.Background(), `SELECT status, outcome, rights, COALESCE(agreement_id,0), data_deleted_at
		FROM referrals WHERE id = $1`, id).Scan(&r.Status, &r.Outcome, &r.Rights, &r.Agreement, &deleted); err != nil {
		t.Fatalf("referral %d: %v", id, err)
	}
	r.DataDeleted = deleted != nil
	return r
}

func TestPurgeReferrals(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := UseFakeClock(db, retentionT0)
		world(t, db)
		ag := activeAgreement(t, db, "team-noord", "13016")
		sixty := 60
		// A change to an active agreement applies once the OCMW approves it.
		v, err := db.UpdateVersion(ctx, admin, ag.ID, agreement.VersionUpdate{RetentionDays: &sixty})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApproveVersion(ctx, ocmwAdmin, ag.ID, v.Version, ""); err != nil {
			t.Fatal(err)
		}

		closed := closedReferral(t, db, referral.NewOutcome{Outcome: referral.OutcomeDeclined})
		// Withdrawn after the OCMW opened a social file: the data stay
		// until the retention period ends, then go in Kansrijk too.
		social := closedReferral(t, db, referral.NewOutcome{Outcome: referral.OutcomeRightsOpened, Rights: []string{"leefloon"}, SocialFile: true})
		if w, err := db.Withdraw(ctx, teamWorker, social.ID); err != nil || w.Status != referral.Withdrawn || len(w.Parents) != 1 {
			t.Fatalf("withdraw with social file: %+v %v", w, err)
		}
		// Withdrawn without a social file: deleted at once, so skipped.
		gone := sentReferral(t, db)
		if _, err := db.Withdraw(ctx, teamWorker, gone.ID); err != nil {
			t.Fatal(err)
		}
		open := sentReferral(t, db) // still at the OCMW: never touched
		oldDraft := draftReferral(t, db)
		clock.Advance(2 * 24 * time.Hour)
		newDraft := draftReferral(t, db)

		// Day 31: the first draft is 31 days old, the second 29.
		clock.T = retentionT0.Add(31 * 24 * time.Hour)
		before := mustDump(t, db)
		dry, err := db.PurgeReferrals(ctx, db.Now(), true)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int64{oldDraft.ID}, purgedIDs(dry)); diff != "" {
			t.Fatalf("dry run at day 31 (-want +got):\n%s", diff)
		}
		p := dry[0]
		if p.Status != referral.Draft || p.Reason != store.ReasonUnsentDraft || p.RetentionDays != 30 || !p.Due.Equal(retentionT0.AddDate(0, 0, 30)) {
			t.Errorf("dry-run purge = %+v", p)
		}
		if diff := cmp.Diff(before, mustDump(t, db)); diff != "" {
			t.Fatalf("dry run changed the database (-before +after):\n%s", diff)
		}
		if parentsOf(t, db, oldDraft.ID) != 1 {
			t.Fatal("dry run deleted parents")
		}

		done, err := db.PurgeReferrals(ctx, db.Now(), false)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int64{oldDraft.ID}, purgedIDs(done)); diff != "" {
			t.Fatalf("purge at day 31 (-want +got):\n%s", diff)
		}
		if got := rowOf(t, db, oldDraft.ID); got.Status != string(referral.Cancelled) || !got.DataDeleted || parentsOf(t, db, oldDraft.ID) != 0 ||
			MustCount(t, db, "SELECT count(*) FROM referral_assessments WHERE referral_id = $1", oldDraft.ID) != 0 {
			t.Fatalf("old draft after purge: %+v", got)
		}
		if parentsOf(t, db, newDraft.ID) != 1 || rowOf(t, db, newDraft.ID).Status != string(referral.Draft) {
			t.Fatal("a draft of 29 days was touched")
		}

		// Day 59: the closed referral (60 days) is not due yet; the second draft is.
		clock.T = retentionT0.Add(59 * 24 * time.Hour)
		done, err = db.PurgeReferrals(ctx, db.Now(), false)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int64{newDraft.ID}, purgedIDs(done)); diff != "" {
			t.Fatalf("purge at day 59 (-want +got):\n%s", diff)
		}
		if parentsOf(t, db, closed.ID) != 1 || parentsOf(t, db, social.ID) != 1 {
			t.Fatal("closed or withdrawn referral purged before its retention ended")
		}

		// Day 60 and an hour: the current version's 60 days are over.
		clock.T = retentionT0.Add(60*24*time.Hour + time.Hour)
		done, err = db.PurgeReferrals(ctx, db.Now(), false)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int64{closed.ID, social.ID}, purgedIDs(done)); diff != "" {
			t.Fatalf("purge at day 60 (-want +got):\n%s", diff)
		}
		for _, p := range done {
			if p.RetentionDays != 60 || p.AgreementID != ag.ID {
				t.Errorf("purge %+v: want 60 days under agreement %d", p, ag.ID)
			}
		}
		if p := done[0]; p.Reason != store.ReasonClosed || p.Status != referral.Closed {
			t.Errorf("closed purge = %+v", p)
		}
		if p := done[1]; p.Reason != store.ReasonWithdrawn || p.Status != referral.Withdrawn {
			t.Errorf("withdrawn purge = %+v", p)
		}
		// The statistics survive; the parents are gone.
		if got, want := rowOf(t, db, closed.ID), (referralRow{Status: "closed", Outcome: "declined", Rights: "[]", Agreement: ag.ID, DataDeleted: true}); got != want {
			t.Errorf("closed row = %+v, want %+v", got, want)
		}
		if got, want := rowOf(t, db, social.ID), (referralRow{Status: "withdrawn", Outcome: "rights_opened", Rights: `["leefloon"]`, Agreement: ag.ID, DataDeleted: true}); got != want {
			t.Errorf("withdrawn row = %+v, want %+v", got, want)
		}
		for _, id := range []int64{closed.ID, social.ID} {
			if parentsOf(t, db, id) != 0 {
				t.Errorf("referral %d keeps its parents", id)
			}
		}
		if parentsOf(t, db, open.ID) != 1 {
			t.Error("an open referral lost its parents")
		}
		// Every deletion has its audit record.
		for _, id := range []int64{oldDraft.ID, newDraft.ID, closed.ID, social.ID} {
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: "referral.retention_delete", ObjectType: "referral", ObjectID: strconv.FormatInt(id, 10)})
			if err != nil || len(evs) != 1 {
				t.Fatalf("audit of referral %d: %+v %v", id, evs, err)
			}
			if e := evs[0]; e.Purpose != "retention" || e.AgreementID != rowOf(t, db, id).Agreement || e.Outcome != audit.OK {
				t.Errorf("audit event %+v", e)
			}
		}
		// Nothing left to do; a later run changes nothing.
		clock.Advance(365 * 24 * time.Hour)
		before = mustDump(t, db)
		if done, err := db.PurgeReferrals(ctx, db.Now(), false); err != nil || len(done) != 0 {
			t.Fatalf("second purge: %+v %v", done, err)
		}
		if diff := cmp.Diff(before, mustDump(t, db)); diff != "" {
			t.Errorf("a purge with nothing due changed the database:\n%s", diff)
		}
	})
}

// TestPurgeDefaultRetention: a closed referral whose agreement has no
// version (or none at all) keeps its data 90 days.
func TestPurgeDefaultRetention(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := UseFakeClock(db, retentionT0)
		world(t, db)
		activeAgreement(t, db, "team-noord", "13016")
		r := closedReferral(t, db, referral.NewOutcome{Outcome: referral.OutcomeNotReachable})
		if _, err := WritableSQL(t, db).ExecContext(ctx, `UPDATE referrals SET agreement_id = NULL WHERE id = $1`, r.ID); err != nil {
			t.Fatal(err)
		}
		clock.T = retentionT0.AddDate(0, 0, 90).Add(-time.Minute)
		if ps, err := db.PurgeReferrals(ctx, db.Now(), true); err != nil || len(ps) != 0 {
			t.Fatalf("before 90 days: %+v %v", ps, err)
		}
		clock.T = retentionT0.AddDate(0, 0, 90)
		ps, err := db.PurgeReferrals(ctx, db.Now(), false)
		if err != nil || len(ps) != 1 || ps[0].RetentionDays != 90 || ps[0].AgreementID != 0 {
			t.Fatalf("after 90 days: %+v %v", ps, err)
		}
	})
}

// TestClaimDailyJob: several instances claim the same job and day at
// once; exactly one wins.
func TestClaimDailyJob(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := UseFakeClock(db, retentionT0)
		// Instances: separate handles on the same database (PostgreSQL); on
		// SQLite one handle, whose single writer every instance shares.
		handles := []*store.DB{db, db, db, db}
		if db.Dialect() == store.Postgres {
			for i := 1; i < len(handles); i++ {
				h, err := store.Open(ctx, db.Redacted)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { h.Close() })
				h.Now = clock.Now
				handles[i] = h
			}
		}
		day := store.BrusselsDay(retentionT0)
		for round := 0; round < 5; round++ {
			job := fmt.Sprintf("test-job-%d", round)
			var wg sync.WaitGroup
			wins := make([]bool, len(handles))
			errs := make([]error, len(handles))
			start := make(chan struct{})
			for i, h := range handles {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					wins[i], errs[i] = h.ClaimDailyJob(ctx, job, day)
				}()
			}
			close(start)
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if n := len(slices.DeleteFunc(slices.Clone(wins), func(w bool) bool { return !w })); n != 1 {
				t.Fatalf("round %d: %d winners, want exactly 1: %v", round, n, wins)
			}
		}
		// The next day is a new run; the same day again is not.
		if won, err := db.ClaimDailyJob(ctx, "test-job-0", day.AddDate(0, 0, 1)); err != nil || !won {
			t.Fatalf("next day: %v %v", won, err)
		}
		if won, err := db.ClaimDailyJob(ctx, "test-job-0", day); err != nil || won {
			t.Fatalf("same day again: %v %v", won, err)
		}
		if err := db.FinishDailyJob(ctx, "test-job-0", day, "done: 0 referrals"); err != nil {
			t.Fatal(err)
		}
		runs, err := db.JobRuns(ctx, "test-job-0")
		if err != nil || len(runs) != 2 || runs[1].Day != "2025-03-03" || runs[1].FinishedAt == nil || runs[1].Result != "done: 0 referrals" {
			t.Fatalf("runs = %+v %v", runs, err)
		}
		// A run that never finished is taken over after three hours, once.
		if won, _ := db.ClaimDailyJob(ctx, "test-job-1", day); won {
			t.Fatal("fresh unfinished run taken over")
		}
		clock.Advance(4 * time.Hour)
		if won, err := db.ClaimDailyJob(ctx, "test-job-1", day); err != nil || !won {
			t.Fatalf("stale run not taken over: %v %v", won, err)
		}
		if won, _ := db.ClaimDailyJob(ctx, "test-job-1", day); won {
			t.Fatal("stale run taken over twice")
		}
		// A finished run is never taken over; a released one is claimed again.
		clock.Advance(4 * time.Hour)
		if won, _ := db.ClaimDailyJob(ctx, "test-job-0", day); won {
			t.Fatal("finished run claimed again")
		}
		if err := db.ReleaseDailyJob(ctx, "test-job-2", day); err != nil {
			t.Fatal(err)
		}
		if won, err := db.ClaimDailyJob(ctx, "test-job-2", day); err != nil || !won {
			t.Fatalf("released run: %v %v", won, err)
		}
	})
}
