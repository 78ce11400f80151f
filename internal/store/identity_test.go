package store_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// sessionActor creates a user, signs it in and returns the session's actor.
func sessionActor(tb testing.TB, db *store.DB, email string, role account.Role, orgKey string) account.Actor {
	tb.Helper()
	MustCreateUser(tb, db, email, role, orgKey)
	s, err := db.Login(context.Background(), email, testPassword, "192.0.2.77", "rid")
	if err != nil {
		tb.Fatalf("login %s: %v", email, err)
	}
	return s.Actor
}

// staffMails returns the outbox e-mails to a user (subject and body).
func staffMails(tb testing.TB, db *store.DB, userID int64) []string {
	tb.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), `SELECT payload FROM outbox WHERE kind = $1 ORDER BY id`, store.OutboxStaffMail)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var payload string
		if err := rows.Scan(&payload); err != nil {
			tb.Fatal(err)
		}
		var p struct {
			UserID        int64 `json:"user_id"`
			Subject, Body string
		}
		if err := json.Unmarshal([]byte(payload), &p); err != nil {
			tb.Fatal(err)
		}
		if p.UserID == userID {
			out = append(out, p.Subject+"\n"+p.Body)
		}
	}
	return out
}

// TestTokenForOtherUser: through the UI and the API nobody gets a token
// for another user — not an admin, not an OCMW admin for its own OCMW
// (issue 10, defect 1).
func TestTokenForOtherUser(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		admin := MustActor(t, db, "admin@example.test", account.Admin, "opgroeien")
		ocmwAdmin := sessionActor(t, db, "beheer@ocmw.example.test", account.OCMWAdmin, "ocmw-11002")
		MustCreateUser(t, db, "worker@ocmw.example.test", account.OCMWWorker, "ocmw-11002")
		MustCreateUser(t, db, "lead@team.example.test", account.DPO, "opgroeien")
		for _, tc := range []struct {
			name  string
			actor account.Actor
			email string
		}{
			{"AdminByTokenForOCMWWorker", admin, "worker@ocmw.example.test"},
			{"AdminByTokenForColleague", admin, "lead@team.example.test"},
			{"OCMWAdminBySessionForOwnWorker", ocmwAdmin, "worker@ocmw.example.test"},
			{"OCMWAdminForUnknown", ocmwAdmin, "ghost@example.test"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := Counts(t, db)
				_, err := db.CreateToken(ctx, tc.actor, tc.email, "impersonate")
				WantCode(t, err, apperr.Forbidden)
				WantUnchanged(t, db, before)
			})
		}
		t.Run("OwnTokenStillWorks", func(t *testing.T) {
			for _, a := range []account.Actor{admin, ocmwAdmin} {
				for _, email := range []string{"", strings.ToUpper(a.Email)} {
					secret, err := db.CreateToken(ctx, a, email, "own")
					if err != nil {
						t.Fatalf("own token of %s: %v", a.Email, err)
					}
					got, err := db.ActorByToken(ctx, secret)
					if err != nil || got.UserID != a.UserID {
						t.Errorf("own token acts as %d (%v), want %d", got.UserID, err, a.UserID)
					}
				}
			}
		})
		t.Run("CommandLineForAnyUser", func(t *testing.T) {
			secret, err := db.CreateToken(ctx, account.System("cli"), "worker@ocmw.example.test", "operator")
			if err != nil {
				t.Fatalf("cli token: %v", err)
			}
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.TokenCreate, Channel: account.ChannelCLI})
			if err != nil || len(evs) != 1 {
				t.Fatalf("token.create events of channel cli: %+v, %v", evs, err)
			}
			if _, err := db.ActorByToken(ctx, secret); err != nil {
				t.Error(err)
			}
		})
	})
}

// TestAuditChannel: every audit event records its channel and, for a
// token, the token's id.
func TestAuditChannel(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		tokenAdmin := MustActor(t, db, "admin@example.test", account.Admin, "opgroeien")
		sessAdmin := sessionActor(t, db, "admin2@example.test", account.Admin, "opgroeien")
		u := MustCreateUser(t, db, "someone@example.test", account.DPO, "opgroeien")
		for _, tc := range []struct {
			actor   account.Actor
			channel string
		}{
			{tokenAdmin, "token"}, {sessAdmin, "session"}, {account.System("cli"), "cli"},
			{account.System("retention"), "job"}, {account.System("births"), "job"}, {account.System("job"), "job"},
		} {
			if err := db.SetUserActive(ctx, tc.actor, u.ID, true); err != nil {
				t.Fatal(err)
			}
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.UserUpdate, Limit: 1})
			if err != nil || len(evs) != 1 {
				t.Fatalf("events: %v, %v", evs, err)
			}
			if evs[0].Channel != tc.channel || evs[0].TokenID != tc.actor.TokenID {
				t.Errorf("actor via %q: channel %q token %d, want %q token %d", tc.actor.Via, evs[0].Channel, evs[0].TokenID, tc.channel, tc.actor.TokenID)
			}
		}
		if tokenAdmin.TokenID == 0 {
			t.Error("ActorByToken sets no TokenID")
		}
		t.Run("LoginIsSession", func(t *testing.T) {
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.LoginOK})
			if err != nil || len(evs) == 0 || evs[0].Channel != "session" {
				t.Errorf("login events: %+v, %v", evs, err)
			}
			if _, err := db.Login(ctx, "admin2@example.test", "wrong-password-x", "192.0.2.78", ""); err == nil {
				t.Fatal("wrong password accepted")
			}
			evs, err = db.AuditEvents(ctx, audit.Filter{Action: audit.LoginFailed})
			if err != nil || len(evs) == 0 || evs[0].Channel != "session" {
				t.Errorf("login failure events: %+v, %v", evs, err)
			}
		})
		t.Run("StillAppendOnly", func(t *testing.T) {
			if _, err := db.SQL().ExecContext(ctx, `UPDATE audit_events SET channel = 'cli'`); err == nil {
				t.Error("audit events could be updated")
			}
			if _, err := db.SQL().ExecContext(ctx, `DELETE FROM audit_events`); err == nil {
				t.Error("audit events could be deleted")
			}
		})
	})
}

func TestServiceAccounts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		admin := MustActor(t, db, "admin@example.test", account.Admin, "opgroeien")
		ocmwAdmin := sessionActor(t, db, "beheer@ocmw.example.test", account.OCMWAdmin, "ocmw-11002")
		otherOCMWAdmin := MustActor(t, db, "beheer@ander.example.test", account.OCMWAdmin, "ocmw-13016")

		u, secret, err := db.CreateServiceAccount(ctx, ocmwAdmin, account.NewServiceAccount{Name: "Dossiersoftware", Label: "productie"})
		if err != nil {
			t.Fatalf("CreateServiceAccount: %v", err)
		}
		if !u.Service || u.Org != "ocmw-11002" || u.Role != account.OCMWWorker || !strings.HasPrefix(secret, account.TokenPrefix) {
			t.Fatalf("service account %+v, token %q", u, secret)
		}

		t.Run("TokenActsAsServiceAccount", func(t *testing.T) {
			a, err := db.ActorByToken(ctx, secret)
			if err != nil {
				t.Fatal(err)
			}
			if !a.Service || a.UserID != u.ID || a.TokenID == 0 || a.Via != "token" {
				t.Fatalf("actor %+v", a)
			}
			// Its own actions carry the mark, the channel and the token id.
			if _, err := db.CreateToken(ctx, a, "", "second"); err != nil {
				t.Fatal(err)
			}
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.TokenCreate, ActorUserID: u.ID})
			if err != nil || len(evs) != 1 {
				t.Fatalf("events: %+v, %v", evs, err)
			}
			if e := evs[0]; !e.ActorService || e.Channel != "token" || e.TokenID != a.TokenID {
				t.Errorf("event %+v: want actor_service, channel token, token id %d", e, a.TokenID)
			}
		})
		t.Run("CannotSignInWithPassword", func(t *testing.T) {
			for _, pw := range []string{"", testPassword, secret} {
				_, err := db.Login(ctx, u.Email, pw, "192.0.2.90", "")
				WantCode(t, err, apperr.BadCredentials)
			}
			_, err := db.CreatePasswordReset(ctx, ocmwAdmin, u.ID)
			WantCode(t, err, apperr.Invalid)
			if err := db.RequestPasswordReset(ctx, u.Email, "192.0.2.90", ""); err != nil {
				t.Fatal(err)
			}
			if n := MustCount(t, db, `SELECT count(*) FROM password_links WHERE user_id = $1`, u.ID); n != 0 {
				t.Errorf("%d password links for a service account", n)
			}
		})
		t.Run("OpgroeienNeverForAnOCMW", func(t *testing.T) {
			before := Counts(t, db)
			_, _, err := db.CreateServiceAccount(ctx, admin, account.NewServiceAccount{Name: "x", Org: "ocmw-11002"})
			WantCode(t, err, apperr.Forbidden)
			_, _, err = db.CreateServiceAccount(ctx, otherOCMWAdmin, account.NewServiceAccount{Name: "x", Org: "ocmw-11002"})
			WantCode(t, err, apperr.Forbidden)
			WantUnchanged(t, db, before)
			worker := MustActor(t, db, "worker@ocmw.example.test", account.OCMWWorker, "ocmw-11002")
			before = Counts(t, db)
			_, _, err = db.CreateServiceAccount(ctx, worker, account.NewServiceAccount{Name: "x"})
			WantCode(t, err, apperr.Forbidden)
			WantUnchanged(t, db, before)
		})
		t.Run("OpgroeienForItself", func(t *testing.T) {
			sa, tok, err := db.CreateServiceAccount(ctx, admin, account.NewServiceAccount{Name: "Rapportering"})
			if err != nil || sa.Org != "opgroeien" || sa.Role != account.Analyst || tok == "" {
				t.Fatalf("%+v %v", sa, err)
			}
		})
		t.Run("ListScoped", func(t *testing.T) {
			list, err := db.ServiceAccounts(ctx, ocmwAdmin)
			if err != nil || len(list) != 1 || list[0].ID != u.ID || len(list[0].Tokens) != 2 {
				t.Fatalf("own list: %+v, %v", list, err)
			}
			list, err = db.ServiceAccounts(ctx, otherOCMWAdmin)
			if err != nil || len(list) != 0 {
				t.Errorf("other OCMW sees %+v, %v", list, err)
			}
			list, err = db.ServiceAccounts(ctx, admin)
			if err != nil || len(list) != 1 || list[0].Org != "opgroeien" {
				t.Errorf("Opgroeien sees %+v, %v", list, err)
			}
		})
		t.Run("Revoke", func(t *testing.T) {
			WantCode(t, db.RevokeServiceAccount(ctx, otherOCMWAdmin, u.ID), apperr.NotFound)
			WantCode(t, db.RevokeServiceAccount(ctx, admin, u.ID), apperr.NotFound)
			_, err := db.CreateServiceToken(ctx, otherOCMWAdmin, u.ID, "x")
			WantCode(t, err, apperr.NotFound)
			if err := db.RevokeServiceAccount(ctx, ocmwAdmin, u.ID); err != nil {
				t.Fatal(err)
			}
			_, err = db.ActorByToken(ctx, secret)
			WantCode(t, err, apperr.Unauthorized)
		})
	})
}

func TestPasswordLinks(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		clock := UseFakeClock(db, time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC))
		admin := sessionActor(t, db, "admin@example.test", account.Admin, "opgroeien")
		newPassword := "een-eigen-wachtwoord-42"

		t.Run("AdminDoesNotChoosePassword", func(t *testing.T) {
			before := Counts(t, db)
			_, err := db.CreateUser(ctx, admin, account.NewUser{Email: "x@example.test", Role: "dpo", Org: "opgroeien", Password: newPassword})
			WantCode(t, err, apperr.Forbidden)
			_, _, err = db.InviteUser(ctx, admin, account.NewUser{Email: "x@example.test", Role: "dpo", Org: "opgroeien", Password: newPassword})
			WantCode(t, err, apperr.Forbidden)
			WantUnchanged(t, db, before)
		})

		u, link, err := db.InviteUser(ctx, admin, account.NewUser{Email: "nieuw@example.test", Name: "Nieuw", Role: "dpo", Org: "opgroeien"})
		if err != nil {
			t.Fatalf("InviteUser: %v", err)
		}
		if link.UserID != u.ID || link.Path != "/wachtwoord/"+link.Secret || !link.Expires.Equal(clock.T.Add(72*time.Hour)) {
			t.Fatalf("link %+v", link)
		}
		t.Run("MailedOnlyHashStored", func(t *testing.T) {
			mails := staffMails(t, db, u.ID)
			if len(mails) != 1 || !strings.Contains(mails[0], link.Path) {
				t.Fatalf("mails to the new user: %q", mails)
			}
			if n := MustCount(t, db, `SELECT count(*) FROM password_links WHERE hash = $1`, account.HashSecret(link.Secret)); n != 1 {
				t.Errorf("no hashed link row")
			}
			if n := MustCount(t, db, `SELECT count(*) FROM password_links WHERE hash = $1`, link.Secret); n != 0 {
				t.Errorf("the secret itself is stored")
			}
		})
		t.Run("NoPasswordYet", func(t *testing.T) {
			_, err := db.Login(ctx, "nieuw@example.test", "", "192.0.2.91", "")
			WantCode(t, err, apperr.BadCredentials)
		})

		var invalidMsg string
		t.Run("WrongSecret", func(t *testing.T) {
			for _, s := range []string{"", "krp_", "krp_bogus", link.Secret + "x", strings.TrimPrefix(link.Secret, "krp_"), account.HashSecret(link.Secret)} {
				err := db.SetPasswordWithLink(ctx, s, newPassword, "192.0.2.91", "")
				WantCode(t, err, store.CodePasswordLinkInvalid)
				invalidMsg = err.Error()
			}
		})
		t.Run("CommonPasswordRefusedLinkKept", func(t *testing.T) {
			WantCode(t, db.SetPasswordWithLink(ctx, link.Secret, "qwertyuiop123", "", ""), account.CodePasswordCommon)
			WantCode(t, db.SetPasswordWithLink(ctx, link.Secret, "short", "", ""), account.CodePasswordTooShort)
		})
		t.Run("WorksOnce", func(t *testing.T) {
			if err := db.SetPasswordWithLink(ctx, link.Secret, newPassword, "192.0.2.91", "rid-1"); err != nil {
				t.Fatalf("SetPasswordWithLink: %v", err)
			}
			if _, err := db.Login(ctx, "nieuw@example.test", newPassword, "192.0.2.91", ""); err != nil {
				t.Fatalf("login with the new password: %v", err)
			}
			err := db.SetPasswordWithLink(ctx, link.Secret, "nog-een-ander-wachtwoord", "192.0.2.91", "")
			WantCode(t, err, store.CodePasswordLinkInvalid)
			if err.Error() != invalidMsg {
				t.Errorf("used link answers %q, a wrong one %q", err, invalidMsg)
			}
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.PasswordSet})
			if err != nil || len(evs) != 1 || evs[0].ActorUserID != u.ID || evs[0].RequestID != "rid-1" {
				t.Errorf("password.set events %+v, %v", evs, err)
			}
		})
		t.Run("Expires", func(t *testing.T) {
			l, err := db.CreatePasswordReset(ctx, admin, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(staffMails(t, db, u.ID), "\n"), l.Path) {
				t.Error("reset link not mailed")
			}
			clock.Advance(72*time.Hour + time.Second)
			err = db.SetPasswordWithLink(ctx, l.Secret, "nog-een-ander-wachtwoord", "", "")
			WantCode(t, err, store.CodePasswordLinkInvalid)
			if err.Error() != invalidMsg {
				t.Errorf("expired link answers %q, a wrong one %q", err, invalidMsg)
			}
			if _, err := db.Login(ctx, "nieuw@example.test", newPassword, "192.0.2.91", ""); err != nil {
				t.Errorf("a reset changed the password before the link was used: %v", err)
			}
		})
		t.Run("NewLinkEndsOld", func(t *testing.T) {
			l1, err := db.CreatePasswordReset(ctx, admin, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			l2, err := db.CreatePasswordReset(ctx, admin, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			WantCode(t, db.SetPasswordWithLink(ctx, l1.Secret, "nog-een-ander-wachtwoord", "", ""), store.CodePasswordLinkInvalid)
			if err := db.SetPasswordWithLink(ctx, l2.Secret, "nog-een-ander-wachtwoord", "", ""); err != nil {
				t.Error(err)
			}
		})
		t.Run("ResetOnlyForManagedUsers", func(t *testing.T) {
			ocmwAdmin := MustActor(t, db, "beheer@ocmw.example.test", account.OCMWAdmin, "ocmw-11002")
			_, err := db.CreatePasswordReset(ctx, ocmwAdmin, u.ID)
			WantCode(t, err, apperr.NotFound)
			_, err = db.CreatePasswordReset(ctx, ocmwAdmin, 999999)
			WantCode(t, err, apperr.NotFound)
		})
		t.Run("SelfServiceRevealsNothing", func(t *testing.T) {
			before := MustCount(t, db, `SELECT count(*) FROM password_links`)
			if err := db.RequestPasswordReset(ctx, "ghost@example.test", "192.0.2.92", ""); err != nil {
				t.Errorf("unknown e-mail: %v", err)
			}
			if n := MustCount(t, db, `SELECT count(*) FROM password_links`); n != before {
				t.Error("a link for an unknown address")
			}
			for i := 0; i < 5; i++ {
				if err := db.RequestPasswordReset(ctx, "Nieuw@example.test", "192.0.2.92", ""); err != nil {
					t.Errorf("known e-mail: %v", err)
				}
			}
			recent := MustCount(t, db, `SELECT count(*) FROM password_links WHERE user_id = $1 AND created_at > $2`, u.ID, clock.T.Add(-time.Hour).Format("2006-01-02T15:04:05.000000Z"))
			if recent < 1 || recent > 3 {
				t.Errorf("%d reset links in the last hour, want 1 to 3", recent)
			}
			if got := AuditActions(t, db, audit.Filter{Action: audit.PasswordLinkRequest}); len(got) != 6 {
				t.Errorf("%d password_link.request events, want 6", len(got))
			}
		})
	})
}

func TestChangePassword(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		a := sessionActor(t, db, "sara@example.test", account.DPO, "opgroeien")
		next := "een-heel-nieuw-wachtwoord"
		WantCode(t, db.ChangePassword(ctx, a, "wrong-current-password", next), store.CodeCurrentPasswordWrong)
		WantCode(t, db.ChangePassword(ctx, a, testPassword, "password1234"), account.CodePasswordCommon)
		WantCode(t, db.ChangePassword(ctx, a, testPassword, strings.Repeat("ä", 257)), account.CodePasswordTooLong)
		if err := db.ChangePassword(ctx, a, testPassword, strings.Repeat("ä", 256)); err != nil {
			t.Errorf("256 characters refused: %v", err)
		}
		if err := db.ChangePassword(ctx, a, strings.Repeat("ä", 256), next); err != nil {
			t.Fatalf("ChangePassword: %v", err)
		}
		if _, err := db.Login(ctx, a.Email, testPassword, "192.0.2.93", ""); err == nil {
			t.Error("old password still works")
		}
		if _, err := db.Login(ctx, a.Email, next, "192.0.2.93", ""); err != nil {
			t.Errorf("new password: %v", err)
		}
		evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.PasswordChange, ObjectID: strconv.FormatInt(a.UserID, 10)})
		if err != nil || len(evs) != 3 || evs[0].Outcome != audit.OK || evs[2].Outcome != audit.Failed {
			t.Errorf("password.change events: %+v, %v", evs, err)
		}
		t.Run("GuessingThrottled", func(t *testing.T) {
			for i := 0; i < 4; i++ {
				WantCode(t, db.ChangePassword(ctx, a, "guess-number-"+strconv.Itoa(i), "nog-een-ander-wachtwoord"), store.CodeCurrentPasswordWrong)
			}
			// The fifth failure in the window (one above) closes it, even for the right one.
			WantCode(t, db.ChangePassword(ctx, a, next, "nog-een-ander-wachtwoord"), apperr.Throttled)
		})
	})
}

// TestChangePasswordGuessRace: 20 parallel guesses of the current
// password through one stolen session reach the check at most
// maxChangeFailures (5) times; the rest are refused unchecked.
func TestChangePasswordGuessRace(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		a := sessionActor(t, db, "ruben@example.test", account.DPO, "opgroeien")
		var wg sync.WaitGroup
		var checked, refused atomic.Int32
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := db.ChangePassword(ctx, a, "guess-number-"+strconv.Itoa(i), "nog-een-ander-wachtwoord")
				switch apperr.Code(err) {
				case store.CodeCurrentPasswordWrong:
					checked.Add(1)
				case apperr.Throttled:
					refused.Add(1)
				default:
					t.Errorf("guess %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if checked.Load() > 5 || checked.Load()+refused.Load() != 20 {
			t.Errorf("%d guesses checked, %d refused; want at most 5 checked", checked.Load(), refused.Load())
		}
	})
}

func TestSessionIdleTimeout(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		clock := UseFakeClock(db, time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC))
		MustCreateUser(t, db, "sara@example.test", account.DPO, "opgroeien")
		login := func() account.Session {
			s, err := db.Login(ctx, "sara@example.test", testPassword, "192.0.2.94", "")
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		t.Run("IdleEnds", func(t *testing.T) {
			s := login()
			clock.Advance(store.DefaultSessionIdle + time.Second)
			_, err := db.SessionBySecret(ctx, s.Secret)
			WantCode(t, err, apperr.Unauthorized)
		})
		t.Run("ActivityKeepsAlive", func(t *testing.T) {
			s := login()
			for i := 0; i < 6; i++ { // two hours, a request every 20 minutes
				clock.Advance(20 * time.Minute)
				if _, err := db.SessionBySecret(ctx, s.Secret); err != nil {
					t.Fatalf("after %d×20 min with requests: %v", i+1, err)
				}
			}
		})
		t.Run("Configurable", func(t *testing.T) {
			db.SessionIdle = 5 * time.Minute
			defer func() { db.SessionIdle = 0 }()
			s := login()
			clock.Advance(4 * time.Minute)
			if _, err := db.SessionBySecret(ctx, s.Secret); err != nil {
				t.Fatal(err)
			}
			clock.Advance(5*time.Minute + time.Second)
			_, err := db.SessionBySecret(ctx, s.Secret)
			WantCode(t, err, apperr.Unauthorized)
		})
	})
}

// TestOCMWAdminLearnsNothing: an OCMW admin creating a user with an
// address in use in another organisation gets exactly the answer of an
// address in use in its own; the owner is told.
func TestOCMWAdminLearnsNothing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		ocmwAdmin := sessionActor(t, db, "beheer@ocmw.example.test", account.OCMWAdmin, "ocmw-11002")
		MustCreateUser(t, db, "collega@ocmw.example.test", account.OCMWWorker, "ocmw-11002")
		elsewhere := MustCreateUser(t, db, "iemand@elders.example.test", account.OCMWWorker, "ocmw-13016")
		MustCreateUser(t, db, "centraal@example.test", account.Admin, "opgroeien")

		answer := func(email string) (string, string) {
			before := MustCount(t, db, `SELECT count(*) FROM users`)
			_, _, err := db.InviteUser(ctx, ocmwAdmin, account.NewUser{Email: email, Role: "ocmw_worker", Org: "ocmw-11002"})
			if n := MustCount(t, db, `SELECT count(*) FROM users`); n != before {
				t.Errorf("%s: a user was created", email)
			}
			e, ok := apperr.As(err)
			if !ok {
				t.Fatalf("%s: %v", email, err)
			}
			b, _ := json.Marshal(e)
			return strings.ReplaceAll(e.Error(), email, "ADDR") + " " + e.Field + " " + e.Key, strings.ReplaceAll(string(b), email, "ADDR")
		}
		own, ownJSON := answer("collega@ocmw.example.test")
		for _, email := range []string{"iemand@elders.example.test", "centraal@example.test"} {
			got, gotJSON := answer(email)
			if got != own || gotJSON != ownJSON {
				t.Errorf("address of another organisation answers\n%s %s\nown organisation's:\n%s %s", got, gotJSON, own, ownJSON)
			}
		}
		if mails := staffMails(t, db, elsewhere.ID); len(mails) != 1 {
			t.Errorf("owner elsewhere told %d times, want once", len(mails))
		}
		evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.UserCreateConflict})
		if err != nil || len(evs) != 3 || evs[0].Outcome != audit.Denied {
			t.Errorf("conflict events %+v, %v", evs, err)
		}
	})
}
