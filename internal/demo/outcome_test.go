package demo_test

import (
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/demo"
	"kansrijk/internal/outcome"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestDemoOutcomes: the demo gives the outcome dashboards something to show — referrals in
// every month of 2025 with every outcome, rights, contact times, and published counts that are
// not all hidden.
func TestDemoOutcomes(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := t.Context()
	if err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	brussels, _ := time.LoadLocation("Europe/Brussels")
	q := outcome.Query{From: time.Date(2025, 1, 1, 0, 0, 0, 0, brussels), To: time.Date(2026, 1, 1, 0, 0, 0, 0, brussels)}
	admin := account.System("test")
	cells, err := db.OutcomeCells(ctx, admin, q)
	if err != nil {
		t.Fatal(err)
	}
	total := outcome.Sum(cells)
	t.Logf("2025: %+v", total.Counts)
	if total.Sent < 60 || total.Reached < 30 || total.ConsentRefused == 0 || total.NotSentNoAgreement == 0 || total.Births == 0 || total.PastTarget == 0 {
		t.Errorf("too little to show: %+v", total.Counts)
	}
	for _, o := range outcome.OutcomeCodes {
		if total.Outcomes[o] == 0 {
			t.Errorf("no referral with outcome %s", o)
		}
	}
	if len(total.Rights) < 4 || len(total.DaysToFirstContact) < 30 {
		t.Errorf("rights %v, %d first contacts", total.Rights, len(total.DaysToFirstContact))
	}
	months := outcome.Months(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC))
	if got := len(outcome.GroupBy(cells, outcome.ByMonth)); got != 12 {
		t.Errorf("referrals in %d months of 2025", got)
	}
	rep := outcome.Build(cells, months, outcome.GroupMonth, outcome.ByMonth, true)
	shown := 0
	for _, m := range rep.Months {
		if c := m.Counts["sent"]; !c.Suppressed && c.Value > 0 {
			shown++
		}
	}
	if shown < 6 || rep.Total.MedianDaysFirstContact == nil {
		t.Errorf("published: %d months with a count of sent referrals shown, median %v", shown, rep.Total.MedianDaysFirstContact)
	}
}
