package demo_test

import (
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/demo"
	"kansrijk/internal/parliament/pack"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/underreferral"
)

// TestDemoHistory: the demo's bulk history makes the published figures say something — the
// under-referral view of 2025 compares the municipalities with an agreement (some teams
// refer clearly fewer families than expected), and the parliamentary pack of today shows its
// families totals, while the pack of 8 March 2023 still has nothing before the first
// agreement.
func TestDemoHistory(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) { testDemoHistory(t, storetest.Open(t, d)) })
	}
}

func testDemoHistory(t *testing.T, db *store.DB) {
	ctx := t.Context()
	start := time.Now()
	if err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo loaded in %v", time.Since(start).Round(time.Millisecond))
	y, m, d := db.Now().UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	admin := account.System("test")

	svc := &underreferral.Service{Outcomes: db, Agreements: db, Index: db, Municipalities: db.Municipalities}
	rep, err := svc.Report(ctx, admin, 2025, today)
	if err != nil {
		t.Fatal(err)
	}
	flags := map[string]int{}
	for _, r := range rep.Municipalities {
		flags[r.Flag]++
		if r.Agreement != underreferral.AgreementNone {
			t.Logf("%s %s team %s births %s sent %s ratio %v..%v %s", r.NIS, r.Name, r.Team, r.Births.String(), r.Sent.String(), ptr(r.Low), ptr(r.High), r.Flag)
		}
	}
	t.Logf("under-referral 2025: %v", flags)
	if flags[underreferral.FlagFarFewer]+flags[underreferral.FlagFewer] == 0 || flags[underreferral.FlagAsExpected]+flags[underreferral.FlagMore] < 2 {
		t.Errorf("under-referral 2025 tells no story: %v", flags)
	}

	src := pack.Sources{Agreements: db, Outreach: db, Teams: db, Outcomes: db, Municipalities: db.Municipalities}
	fg, err := pack.Gather(ctx, src, today, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	tot := fg.Families.Total
	t.Logf("pack today: sent %s reached %s rights opened %s", tot.Sent.String(), tot.Reached.String(), tot.RightsOpened.String())
	if tot.Sent.Suppressed || tot.Reached.Suppressed || tot.RightsOpened.Suppressed {
		t.Errorf("pack today hides its families totals: %+v", tot)
	}
	early, err := pack.Gather(ctx, src, time.Date(2023, 3, 8, 0, 0, 0, 0, time.UTC), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if e := early.Families; e != nil && (e.Total.Sent.Value > 0 || e.Total.Reached.Value > 0) {
		t.Errorf("pack of 8 March 2023 has families before the first agreement: %+v", e.Total)
	}
}

func ptr(f *float64) any {
	if f == nil {
		return "-"
	}
	return *f
}
