package store_test

import (
	"context"
	"testing"

	"kansrijk/internal/apperr"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
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
