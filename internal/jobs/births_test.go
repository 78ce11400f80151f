package jobs_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/birth"
	"kansrijk/internal/jobs"
	"kansrijk/internal/org"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestBirthsOncePerDay: the births job runs once per Brussels day across
// instances, escalates what nobody picked up and later deletes the
// parents' data, and records its result.
func TestBirthsOncePerDay(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		admin := account.System("test")
		teamNoord(t, db)
		if _, err := db.CreateClinic(ctx, admin, org.NewClinic{Key: "clinic-zonnedal", Name: "Kraamkliniek Zonnedal"}); err != nil {
			t.Fatal(err)
		}
		clinic := account.Actor{UserID: 1, Email: "balie@zonnedal.test", Role: account.Clinic, Org: "clinic-zonnedal", OrgKind: account.KindClinic}
		s, err := db.CreateBirthNotification(ctx, clinic, birth.NewNotification{Mother: birth.Parent{Name: "Fictieve Moeder", Street: "Teststraat",
			Number: "1", Postcode: "2235", MunicipalityNIS: "13016", Phone: "+32 470 00 00 00", Language: "nl"}, ChildBirthDate: "2025-03-08"})
		if err != nil {
			t.Fatal(err)
		}
		a := &jobs.Scheduler{DB: db, Log: slog.New(slog.DiscardHandler), BirthPolicy: birth.Policy{EscalateAfterDays: 7}}
		b := &jobs.Scheduler{DB: db, Log: slog.New(slog.DiscardHandler), BirthPolicy: birth.Policy{EscalateAfterDays: 7}}
		now = now.AddDate(0, 0, 8)
		if ran, err := a.RunBirthsDue(ctx); err != nil || !ran {
			t.Fatalf("first check: %v %v", ran, err)
		}
		if ran, err := b.RunBirthsDue(ctx); err != nil || ran {
			t.Fatalf("second instance, same day: %v %v", ran, err)
		}
		runs, err := db.JobRuns(ctx, jobs.Births)
		if err != nil || len(runs) != 1 || runs[0].Day != "2025-03-18" || runs[0].FinishedAt == nil ||
			!strings.HasPrefix(runs[0].Result, "escalated 1 birth notifications (after 7 days)") {
			t.Fatalf("runs = %+v %v", runs, err)
		}
		rows, err := db.OutboxRows(ctx)
		if err != nil || len(rows) != 1 || rows[0].Kind != store.KindBirthEscalated || rows[0].OrgKey != "team-noord" {
			t.Fatalf("outbox %+v %v", rows, err)
		}
		// Six months after the escalation the parents' data go.
		now = now.AddDate(0, 6, 1)
		if ran, err := b.RunBirthsDue(ctx); err != nil || !ran {
			t.Fatalf("months later: %v %v", ran, err)
		}
		runs, _ = db.JobRuns(ctx, jobs.Births)
		if len(runs) != 2 || !strings.Contains(runs[0].Result, "deleted the parents' data of 1 (after the first contact 0, after escalation 1; 6 months)") {
			t.Fatalf("runs = %+v", runs)
		}
		n, err := db.BirthNotification(ctx, account.Actor{Role: account.Admin, Org: "opgroeien", OrgKind: account.KindOpgroeien, Email: "admin@test"}, s.ID)
		if err != nil || n.Mother != nil || n.DataDeletedAt == nil {
			t.Fatalf("after retention %+v %v", n, err)
		}
	})
}

func TestBirthPolicyFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	p, err := jobs.BirthPolicyFromEnv(env(nil))
	if err != nil || p.EscalateAfterDays != 14 || p.RetentionMonths != 6 {
		t.Fatalf("defaults %+v %v", p, err)
	}
	p, err = jobs.BirthPolicyFromEnv(env(map[string]string{jobs.EnvBirthEscalateDays: "10", jobs.EnvBirthRetentionMonths: " 3 "}))
	if err != nil || p.EscalateAfterDays != 10 || p.RetentionMonths != 3 {
		t.Fatalf("set %+v %v", p, err)
	}
	for _, bad := range []string{"0", "-1", "twee", "1.5"} {
		if _, err := jobs.BirthPolicyFromEnv(env(map[string]string{jobs.EnvBirthRetentionMonths: bad})); err == nil || !strings.Contains(err.Error(), jobs.EnvBirthRetentionMonths) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestBirthsJobPurgesInterruptedImports: the rows an import staged and
// never moved in (the process crashed) are deleted by the births job once
// they are a day old, not before.
func TestBirthsJobPurgesInterruptedImports(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		teamNoord(t, db)
		if _, err := db.CreateClinic(ctx, account.System("test"), org.NewClinic{Key: "clinic-zonnedal", Name: "Kraamkliniek Zonnedal"}); err != nil {
			t.Fatal(err)
		}
		clinic := account.Actor{UserID: 1, Email: "balie@zonnedal.test", Role: account.Clinic, Org: "clinic-zonnedal", OrgKind: account.KindClinic}
		im, err := db.BeginBirthImport(ctx, clinic)
		if err != nil {
			t.Fatal(err)
		}
		const rows = 500 // one chunk: staged in its own transaction
		for i := range rows {
			in := &birth.NewNotification{Mother: birth.Parent{Name: fmt.Sprintf("Fictieve Moeder %d", i), Street: "Teststraat", Number: "1",
				Postcode: "2235", MunicipalityNIS: "13016", Phone: "+32470000000", Language: "nl"}, ChildBirthDate: "2025-03-08",
				BirthDate: time.Date(2025, 3, 8, 0, 0, 0, 0, time.UTC)}
			if err := im.Add(ctx, i+2, in, fmt.Sprintf("key-%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		staged := func() int {
			var n int
			if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM birth_import_rows`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := staged(); n != rows {
			t.Fatalf("staged %d rows, want %d", n, rows)
		}
		// The import is never committed nor aborted: a crash.
		s := &jobs.Scheduler{DB: db, Log: slog.New(slog.DiscardHandler)}
		now = now.Add(12 * time.Hour)
		if ran, err := s.RunBirthsDue(ctx); err != nil || !ran {
			t.Fatalf("same day: %v %v", ran, err)
		}
		if n := staged(); n != rows {
			t.Fatalf("after half a day: %d staged rows left, want %d", n, rows)
		}
		now = now.Add(24 * time.Hour)
		if ran, err := s.RunBirthsDue(ctx); err != nil || !ran {
			t.Fatalf("next day: %v %v", ran, err)
		}
		if n := staged(); n != 0 {
			t.Fatalf("after a day and a half: %d staged rows left", n)
		}
		runs, err := db.JobRuns(ctx, jobs.Births)
		if err != nil || len(runs) != 2 || !strings.Contains(runs[0].Result+" "+runs[1].Result, fmt.Sprintf("deleted %d staged rows of interrupted imports", rows)) {
			t.Fatalf("runs = %+v %v", runs, err)
		}
	})
}
