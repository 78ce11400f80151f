package store_test

import (
	"context"
	"testing"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/suppress"
	"kansrijk/internal/underreferral"
)

// TestUnderReferralIndexYear: the values of the latest index year not
// after the year asked for, on both databases.
func TestUnderReferralIndexYear(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db, "2026-03-02")
		if _, err := db.DeprivationValuesUpTo(ctx, clinicUser, 2025); apperr.Code(err) != apperr.Forbidden {
			t.Errorf("clinic: %v, want forbidden", err)
		}
		if vs, err := db.DeprivationValuesUpTo(ctx, analyst, 2025); err != nil || len(vs) != 0 {
			t.Fatalf("empty index: %v %v", vs, err)
		}
		if _, err := db.ImportDeprivation(ctx, admin, deprParse(t, deprFile), ""); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			year, want, n int
		}{{2022, 0, 0}, {2023, 2023, 6}, {2024, 2024, 5}, {2025, 2025, 3}, {2030, 2025, 3}} {
			vs, err := db.DeprivationValuesUpTo(ctx, analyst, tt.year)
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != tt.n {
				t.Errorf("%d: %d values, want %d", tt.year, len(vs), tt.n)
			}
			for i, v := range vs {
				if v.Year != tt.want || i > 0 && vs[i-1].NIS >= v.NIS {
					t.Errorf("%d: value %+v (want year %d, NIS order)", tt.year, v, tt.want)
				}
			}
		}
		vs, _ := db.DeprivationValuesUpTo(ctx, analyst, 2023)
		for _, v := range vs {
			if v.NIS == "11056" && (v.Births == nil || *v.Births != 900 || *v.Deprived != 112 || v.Percent != 12.4) {
				t.Errorf("Zwijndrecht 2023: %+v", v)
			}
		}
	})
}

// TestUnderReferralOnStore: the under-referral report over the real
// outcome cells, agreements and index on both databases: each shown
// yearly count is within the rounding of the count recomputed from the
// raw rows (a referral by the month it was drafted, a 2024 code counted
// for the municipality it merged into), and the agreements in force are
// the store's.
func TestUnderReferralOnStore(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		refs, births := outcomeWorld(t, db, 5) // today 2026-03-02
		var values []deprivation.Value
		for i, nis := range []string{"13016", "12014", "13013", "11007", "11002", "73040", "71022"} {
			b, d := 400+50*i, 40+9*i
			values = append(values, deprivation.Value{NIS: nis, Year: 2024, Percent: float64(1000*d/b) / 10, Births: &b, Deprived: &d})
		}
		if _, err := db.ImportDeprivation(ctx, admin, values, "fictief — testgegevens"); err != nil {
			t.Fatal(err)
		}
		svc := underreferral.Service{Outcomes: db, Agreements: db, Index: db, Municipalities: db.Municipalities}
		today := db.Now()
		if _, err := svc.Report(ctx, leadNoord, 2025, today); apperr.Code(err) != apperr.Forbidden {
			t.Errorf("team lead: %v, want forbidden", err)
		}
		rep, err := svc.Report(ctx, analyst, 2025, today)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Municipalities) != 285 || rep.Quarters != 4 {
			t.Fatalf("%d municipalities, %d quarters", len(rep.Municipalities), rep.Quarters)
		}
		lastDay := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
		now := func(nis string) string {
			m, _ := db.Municipalities.SuccessorOn(nis, lastDay)
			return m.NIS
		}
		sent, born := map[string]int{}, map[string]int{}
		for _, r := range refs {
			if r.sent != nil {
				sent[now(r.nis)]++
			}
		}
		for _, b := range births {
			if b.status != "merged" {
				born[now(b.nis)]++
			}
		}
		shown := 0
		for _, m := range rep.Municipalities {
			for _, c := range []struct {
				what  string
				cell  suppress.Cell
				truth int
			}{{"sent", m.Sent, sent[m.NIS]}, {"births", m.Births, born[m.NIS]}} {
				if c.cell.Suppressed {
					continue
				}
				shown++
				if d := c.cell.Value - c.truth; d < -8 || d > 8 {
					t.Errorf("%s %s: shown %d, recomputed %d", m.NIS, c.what, c.cell.Value, c.truth)
				}
			}
			switch m.NIS {
			case "13016", "12014":
				if m.Agreement != underreferral.AgreementInForce || m.Index == nil || m.Flag == underreferral.FlagNoAgreement {
					t.Errorf("%s: %+v", m.NIS, m)
				}
			case "13013":
				if m.Flag != underreferral.FlagNoAgreement {
					t.Errorf("13013 has no agreement: %+v", m)
				}
			case "71072":
				if m.Index == nil || !m.Index.Combined {
					t.Errorf("Hasselt's index combines Kortessem's: %+v", m.Index)
				}
			}
		}
		if shown < 285 {
			t.Errorf("only %d counts shown", shown)
		}
		if rep.ReferenceRate == nil {
			t.Error("no reference rate")
		}
	})
}
