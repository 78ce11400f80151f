package store_test

import (
	"context"
	"testing"

	"kansrijk/internal/agreement"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// BenchmarkAccessLogLookups prints the time of a family's look-up when
// it succeeds and when it fails for each reason: the three failures do
// the same queries and the same audit write, so their times should not
// tell a wrong postcode from an unknown code.
func BenchmarkAccessLogLookups(b *testing.B) {
	restore := store.SetFamilyThrottle(1<<30, 1<<30)
	defer restore()
	for _, dialect := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			db := storetest.Open(b, dialect)
			ctx := context.Background()
			worldB(b, db)
			a := sentFamily(b, db, "Fictieve Ouder", "2235")
			for _, c := range []struct {
				name string
				q    referral.AccessLogQuery
			}{
				{"ok", referral.AccessLogQuery{Code: a.ReceiptCode, Postcode: "2235"}},
				{"wrong_postcode", referral.AccessLogQuery{Code: a.ReceiptCode, Postcode: "2230"}},
				{"unknown_code", referral.AccessLogQuery{Code: "KR-AAAA-BBBB-CCCC", Postcode: "2235"}},
			} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						_, _ = db.AccessLog(ctx, c.q)
					}
				})
			}
		})
	}
}

// worldB is world and activeAgreement for a benchmark: team-noord
// (Hulshout 13016) with an agreement in force.
func worldB(tb testing.TB, db *store.DB) {
	tb.Helper()
	ctx := context.Background()
	if _, err := db.CreateTeam(ctx, admin, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016"}, From: d("2022-01-01")}); err != nil {
		tb.Fatal(err)
	}
	ag, err := db.CreateAgreement(ctx, admin, agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13016", Status: "draft", EffectiveOn: "2023-01-02"})
	if err != nil {
		tb.Fatal(err)
	}
	for _, s := range []agreement.NewEvent{step(agreement.Approved, "2023-02-01"), step(agreement.Signed, "2023-03-01"), step(agreement.Active, "2023-04-01")} {
		if _, err := db.AddEvent(ctx, admin, ag.ID, s); err != nil {
			tb.Fatal(err)
		}
	}
}
