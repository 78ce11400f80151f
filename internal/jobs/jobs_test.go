package jobs_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/jobs"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestRetentionOncePerDay: the scheduler of two instances runs the
// retention job once per Brussels day and records its result.
func TestRetentionOncePerDay(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// 23:30 UTC on 2 March is 00:30 on 3 March in Brussels.
		now := time.Date(2025, 3, 2, 23, 30, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		teamNoord(t, db)
		worker := account.Actor{UserID: 1, Role: account.TeamWorker, Org: "team-noord", OrgKind: account.KindTeam}
		r, err := db.CreateReferral(ctx, worker, referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{{
			Name: "Fictieve Ouder", Street: "Teststraat", Number: "1", Postcode: "2235", Phone: "+32 470 00 00 00"}}})
		if err != nil {
			t.Fatal(err)
		}
		now = now.AddDate(0, 0, 31)
		a := &jobs.Scheduler{DB: db, Log: slog.New(slog.DiscardHandler)}
		b := &jobs.Scheduler{DB: db, Log: slog.New(slog.DiscardHandler)}
		if ran, err := a.RunDue(ctx); err != nil || !ran {
			t.Fatalf("first check: %v %v", ran, err)
		}
		if ran, err := b.RunDue(ctx); err != nil || ran {
			t.Fatalf("second instance, same day: %v %v", ran, err)
		}
		now = now.Add(20 * time.Minute) // 00:50 in Brussels: still the same day
		if ran, _ := a.RunDue(ctx); ran {
			t.Fatal("ran twice on one day")
		}
		runs, err := db.JobRuns(ctx, jobs.Retention)
		if err != nil || len(runs) != 1 || runs[0].Day != "2025-04-03" || runs[0].FinishedAt == nil ||
			!strings.HasPrefix(runs[0].Result, "deleted contact data of 1 referrals") {
			t.Fatalf("runs = %+v %v", runs, err)
		}
		var status string
		if err := db.SQL().QueryRowContext(ctx, `SELECT status FROM referrals WHERE id = $1`, r.ID).Scan(&status); err != nil || status != "cancelled" {
			t.Fatalf("draft status %q %v", status, err)
		}
		now = now.Add(24 * time.Hour)
		if ran, err := b.RunDue(ctx); err != nil || !ran {
			t.Fatalf("next day: %v %v", ran, err)
		}
	})
}

// TestSchedulerRunStops: Run checks at start and stops with its context.
func TestSchedulerRunStops(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- (&jobs.Scheduler{DB: db, Log: slog.New(slog.DiscardHandler)}).Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runs, _ := db.JobRuns(context.Background(), jobs.Retention)
		if len(runs) == 1 && runs[0].FinishedAt != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no retention run at start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// teamNoord creates the local team of Hulshout (13016) since 2022.
func teamNoord(t *testing.T, db *store.DB) {
	t.Helper()
	if _, err := db.CreateTeam(context.Background(), account.System("test"), org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord",
		Municipalities: []string{"13016"}, From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
}
