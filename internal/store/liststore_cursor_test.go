package store_test

import (
	"context"
	"testing"

	"kansrijk/internal/apperr"
	"kansrijk/internal/birth"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestStaleCursor: a cursor of the right sort whose value the sort column
// cannot hold (made by hand, or by an older list) is invalid_cursor, or
// an answer, never an internal error, on both databases.
func TestStaleCursor(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		activeAgreement(t, db, "team-noord", "13016")
		r, err := db.CreateReferral(ctx, teamWorker, listFamily(1, "13016", "2235"))
		if err != nil {
			t.Fatal(err)
		}
		sendReferral(t, db, teamWorker, r)
		mustNotify(t, db, clinicZonnedal, family("Fictieve Moeder", "2025-01-15"))
		bad := func(sort string) page.Request {
			return page.Request{Limit: 5, Sort: sort, After: &page.Cursor{Sort: sort, Value: "geen datum", ID: 1}}
		}
		for name, run := range map[string]func() error{
			"inbox by sent": func() error { _, err := db.InboxPage(ctx, ocmwWorker, referral.Filter{}, bad("sent")); return err },
			"team by created": func() error {
				_, err := db.ReferralPage(ctx, teamWorker, referral.Filter{}, bad("created"))
				return err
			},
			"queue by date of birth": func() error {
				_, err := db.BirthQueue(ctx, teamWorker, birth.Filter{}, bad("child_birth_date"))
				return err
			},
		} {
			err := run()
			t.Logf("%s: %v", name, err)
			if err != nil && apperr.Code(err) != page.InvalidCursor {
				t.Errorf("%s: %v (code %q)", name, err, apperr.Code(err))
			}
		}
	})
}
