package storetest_test

import (
	"context"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestUsers: users are created on first use only, the session cookie and
// the token authenticate as the declared user, and a token-only user has
// no password to sign in with.
func TestUsers(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		us := storetest.Users(t, db, "users.test",
			storetest.U{Name: "admin", Role: "admin", Org: "opgroeien"},
			storetest.U{Name: "analyst", Role: "analyst", Org: "opgroeien", FullName: "Ana Lyst", Email: "ana@elders.test"},
			storetest.U{Name: "api", Role: "analyst", Org: "opgroeien", TokenOnly: true},
		)
		if n, err := db.CountUsers(ctx); err != nil || n != 0 {
			t.Fatalf("declaring created %d users (%v)", n, err)
		}
		s, err := db.SessionBySecret(ctx, us.Cookie(t, "admin"))
		if err != nil || s.Actor.Email != "admin@users.test" || s.Actor.Role != account.Admin || s.CSRF != us.Session(t, "admin").CSRF {
			t.Fatalf("admin's session: %+v %v", s, err)
		}
		if a := us.Actor(t, "admin"); a.UserID != s.Actor.UserID || a.Via != "session" {
			t.Errorf("admin's actor %+v", a)
		}
		a, err := db.ActorByToken(ctx, us.Token(t, "analyst"))
		if err != nil || a.Email != "ana@elders.test" || a.Name != "Ana Lyst" || a.UserID != us.Actor(t, "analyst").UserID {
			t.Fatalf("analyst's token: %+v %v", a, err)
		}
		if first, again := us.Token(t, "analyst"), us.Token(t, "analyst"); first != again {
			t.Error("a second token for the same user")
		}
		if _, err := db.ActorByToken(ctx, us.Token(t, "api")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Login(ctx, "api@users.test", storetest.Password, storetest.LoginAddr, ""); err == nil {
			t.Error("a token-only user signed in with the shared password")
		}
		if n, err := db.CountUsers(ctx); err != nil || n != 3 {
			t.Fatalf("%d users after use (%v), want 3", n, err)
		}
	})
}
