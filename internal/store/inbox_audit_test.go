package store_test

import (
	"context"
	"net/url"
	"testing"

	"kansrijk/internal/audit"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestInboxAuditedAsDocumented: the OCMW's inbox shows the parents' names
// (personal data), so every page is audited as the API text says: exactly
// one event referral.inbox, purpose follow_up, naming the referrals
// shown; an empty page too, naming none ("list of 0"), so that the log
// shows the OCMW looked.
func TestInboxAuditedAsDocumented(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		benchWorld(t, db)
		benchActiveAgreement(t, db, "team-noord", "13016")
		seedReferrals(t, db, 60)
		read := func(q url.Values) ([]int64, audit.Event) {
			t.Helper()
			before := len(homeEvents(t, db, "referral.inbox"))
			f, err := referral.ParseInboxFilter(q)
			if err != nil {
				t.Fatal(err)
			}
			req, err := page.Parse(q, referral.InboxSorts(f.Archive)...)
			if err != nil {
				t.Fatal(err)
			}
			res, err := db.InboxPage(ctx, ocmwWorker, f, req)
			if err != nil {
				t.Fatal(err)
			}
			evs := homeEvents(t, db, "referral.inbox")
			if len(evs) != before+1 {
				t.Fatalf("%v: %d events, want exactly one more than %d", q, len(evs), before)
			}
			shown := make([]int64, len(res.Items)) // in the page's order, as the event names them
			for i, it := range res.Items {
				shown[i] = it.ID
			}
			return shown, evs[0]
		}
		shown, ev := read(url.Values{"limit": {"5"}})
		if len(shown) != 5 || ev.ObjectID != audit.ListObjectID(shown) || ev.Purpose != audit.PurposeFollowUp || ev.Detail != "list of 5" || ev.ActorOrg != ocmwWorker.Org {
			t.Errorf("page of 5 %v: event %+v", shown, ev)
		}
		shown, ev = read(url.Values{"q": {"niemand-heet-zo"}})
		if len(shown) != 0 || ev.ObjectID != "" || ev.Detail != "list of 0" {
			t.Errorf("empty page %v: event %+v", shown, ev)
		}
	})
}
