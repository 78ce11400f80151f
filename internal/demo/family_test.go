package demo_test

import (
	"testing"

	"kansrijk/internal/demo"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestFamilyCodesOpenTheView: the codes serve --demo prints open the
// family's view with the printed postcode, each with its own events.
func TestFamilyCodesOpenTheView(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if err := demo.Load(ctx, db); err != nil {
			t.Fatalf("Load: %v", err)
		}
		codes, err := demo.FamilyCodes(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != 4 {
			t.Fatalf("codes = %+v, want 4", codes)
		}
		seen := map[string]bool{}
		for _, c := range codes {
			l, err := db.AccessLog(ctx, referral.AccessLogQuery{Code: c.Code, Postcode: c.Postcode, ClientAddr: "192.0.2.80"})
			if err != nil {
				t.Errorf("%s %s (%s): %v", c.Code, c.Postcode, c.Status, err)
				continue
			}
			if l.Status.Status != c.Status || len(l.Events) < 2 || seen[c.Code] {
				t.Errorf("%s: status %s (want %s), %d events", c.Code, l.Status.Status, c.Status, len(l.Events))
			}
			seen[c.Code] = true
		}
	})
}
