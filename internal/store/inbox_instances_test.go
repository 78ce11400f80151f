package store_test

import (
	"context"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestInboxVersionAcrossInstances: two instances of Kansrijk on one
// database. The inbox reads the version in force of each referral's
// agreement with the page itself (issue 14: no cache of agreements), so a
// version approved through one instance shows in the other's next page at
// once, and a proposal not yet approved shows in neither.
func TestInboxVersionAcrossInstances(t *testing.T) {
	ocmw := account.Actor{UserID: 13, Email: "sw@hulshout.test", Role: account.OCMWWorker, Org: "ocmw-13016", OrgKind: account.KindOCMW}
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, d)
			one, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer one.Close()
			two, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer two.Close()
			worldB(t, one)
			seedReferrals(t, one, 200)
			ag, err := one.Agreements(ctx, admin, agreement.Filter{Team: "team-noord"})
			if err != nil || len(ag) != 1 {
				t.Fatalf("agreements: %v, %v", ag, err)
			}
			full, err := one.Agreement(ctx, admin, ag[0].ID)
			if err != nil || full.Version == nil {
				t.Fatalf("agreement: %+v, %v", full, err)
			}
			inForce := *full.Version
			check := func(when string, feedback bool, target int) {
				t.Helper()
				res, err := two.InboxPage(ctx, ocmw, referral.Filter{}, page.Request{Limit: 50, Sort: "sent"})
				if err != nil || len(res.Items) == 0 {
					t.Fatalf("%s: %d items, %v", when, len(res.Items), err)
				}
				for _, it := range res.Items {
					if it.StatusFeedback != feedback || it.TargetDays != target {
						t.Fatalf("%s: referral %d shows feedback %v, target %d; want %v, %d", when, it.ID, it.StatusFeedback, it.TargetDays, feedback, target)
					}
					if it.TeamName != "Lokaal team Noord" || len(it.ParentNames) != 1 || it.ParentNames[0] == "" || it.ReceiptCode != "" {
						t.Fatalf("%s: item %+v", when, it)
					}
				}
			}
			check("before", inForce.StatusFeedback, inForce.FirstContactDays)
			target := inForce.FirstContactDays + 3
			p, err := one.UpdateVersion(ctx, versionLead, ag[0].ID, agreement.VersionUpdate{StatusFeedback: boolp(!inForce.StatusFeedback), FirstContactDays: intp(target)})
			if err != nil || p.State != "proposed" {
				t.Fatalf("proposal: %+v, %v", p, err)
			}
			check("proposed", inForce.StatusFeedback, inForce.FirstContactDays)
			if _, err := one.ApproveVersion(ctx, ocmwAdmin, ag[0].ID, p.Version, ""); err != nil {
				t.Fatal(err)
			}
			check("approved through the other instance", !inForce.StatusFeedback, target)
		})
	}
}
