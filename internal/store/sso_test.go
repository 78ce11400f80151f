package store_test

import (
	"context"
	"sync"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/sso"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestSSOStore: the store's side of single sign-on on both databases —
// concurrent first sign-ins make one user and one link; a pending
// sign-in is counted, listed to admins only and assigned once; an ended
// organisation in the claims is no organisation.
func TestSSOStore(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		id := sso.Identity{Issuer: "https://idp.test", Subject: "s-1", Email: "iris@ocmw.test", EmailVerified: true, Name: "Iris",
			Org: "ocmw-13016", Role: account.OCMWWorker}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = db.SignIn(ctx, sso.SignIn{Identity: id, RequestID: "t"})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Errorf("concurrent first sign-in: %v", err)
			}
		}
		u, err := db.UserByEmail(ctx, "iris@ocmw.test")
		if err != nil || u.Role != account.OCMWWorker {
			t.Fatalf("%+v %v", u, err)
		}

		// Pending: twice, one row with two attempts.
		p := sso.Identity{Issuer: "https://idp.test", Subject: "s-2", Email: "jan@elders.test", EmailVerified: true, Org: "ocmw-00000", RoleClaim: "x"}
		for range 2 {
			if _, err := db.SignIn(ctx, sso.SignIn{Identity: p}); sso.CodeOf(err) != sso.CodePending {
				t.Fatalf("pending: %v", err)
			}
		}
		worker := actorOf(u)
		if _, err := db.PendingSignIns(ctx, worker); apperr.Code(err) != apperr.Forbidden {
			t.Errorf("a worker reads the pending sign-ins: %v", err)
		}
		admin := account.Actor{UserID: 0, Email: "admin@opgroeien.test", Role: account.Admin, Org: "opgroeien", OrgKind: account.KindOpgroeien, Via: "session"}
		list, err := db.PendingSignIns(ctx, admin)
		if err != nil || len(list) != 1 || list[0].Attempts != 2 || list[0].ClaimedOrg != "ocmw-00000" {
			t.Fatalf("pending list %+v %v", list, err)
		}
		if _, err := db.AssignPending(ctx, worker, list[0].ID, "ocmw_worker", "ocmw-13016"); apperr.Code(err) != apperr.Forbidden {
			t.Errorf("a worker assigns: %v", err)
		}
		if _, err := db.AssignPending(ctx, admin, list[0].ID, "ocmw_worker", "ocmw-13016"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AssignPending(ctx, admin, list[0].ID, "ocmw_worker", "ocmw-13016"); apperr.Code(err) != apperr.NotFound {
			t.Errorf("assigned twice: %v", err)
		}
		if s, err := db.SignIn(ctx, sso.SignIn{Identity: p}); err != nil || s.Actor.Org != "ocmw-13016" {
			t.Errorf("after the assignment: %+v %v", s.Actor, err)
		}
		if list, _ := db.PendingSignIns(ctx, admin); len(list) != 0 {
			t.Errorf("still pending: %+v", list)
		}
	})
}

func actorOf(u account.User) account.Actor {
	return account.Actor{UserID: u.ID, Email: u.Email, Role: u.Role, Org: u.Org, OrgKind: u.OrgKind, Via: "session"}
}
