package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestPasswordHashBusy: the one-time link page (open to anyone) and a
// password change hash or check passwords (argon2id, 64 MiB each) only in
// the slots of password checks, like a login: over the cap they are
// refused as busy instead of growing the process without bound.
func TestPasswordHashBusy(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		store.SetPasswordChecks(1)
		wait := store.PasswordCheckWait
		store.PasswordCheckWait = time.Millisecond
		t.Cleanup(func() { store.SetPasswordChecks(0); store.PasswordCheckWait = wait })
		u := MustCreateUser(t, db, "hasher@example.test", account.Analyst, "opgroeien")
		a := account.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Org: u.Org, OrgKind: u.OrgKind, Via: account.ChannelSession}
		calls := map[string]func() error{
			"SetPasswordWithLink": func() error {
				return db.SetPasswordWithLink(context.Background(), account.PasswordLinkPrefix+"bestaatniet", "een-nieuw-lang-wachtwoord-2026", "192.0.2.9", "")
			},
			"ChangePassword": func() error {
				return db.ChangePassword(context.Background(), a, "fout-wachtwoord-123", "een-nieuw-lang-wachtwoord-2026")
			},
		}
		for name, call := range calls {
			const parallel = 12
			var wg sync.WaitGroup
			errs := make([]error, parallel)
			for i := range parallel {
				wg.Go(func() { errs[i] = call() })
			}
			wg.Wait()
			busy := 0
			for _, err := range errs {
				if e, ok := apperr.As(err); ok && e.Key == "error.login_busy" {
					busy++
				}
			}
			if busy == 0 {
				t.Errorf("%s: %d parallel calls with one slot for password checks, none refused as busy: %v", name, parallel, errs)
			}
		}
	})
}
