package store_test

import (
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// FakeClock makes db.Now return a time the test moves.
type FakeClock struct{ T time.Time }

func (c *FakeClock) Now() time.Time          { return c.T }
func (c *FakeClock) Advance(d time.Duration) { c.T = c.T.Add(d) }
func UseFakeClock(db *store.DB, t time.Time) *FakeClock {
	c := &FakeClock{T: t}
	db.Now = c.Now
	return c
}

func TestCreateUser(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		sys := account.System("test")

		t.Run("OK", func(t *testing.T) {
			u, err := db.CreateUser(ctx, sys, account.NewUser{
				Email: "  Ann.Peeters@Example.TEST ", Name: " Ann Peeters ", Role: "ocmw_worker", Org: "ocmw-11002", Password: testPassword,
			})
			if err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			want := account.User{ID: u.ID, Email: "ann.peeters@example.test", Name: "Ann Peeters", Role: account.OCMWWorker,
				Org: "ocmw-11002", OrgKind: account.KindOCMW, OrgName: "OCMW Antwerpen", Active: true}
			got := u
			got.CreatedAt = time.Time{}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("created user (-want +got):\n%s", diff)
			}
			if u.ID == 0 || u.CreatedAt.IsZero() {
				t.Errorf("id %d, created_at %v: want both set", u.ID, u.CreatedAt)
			}
			byEmail, err := db.UserByEmail(ctx, "ANN.PEETERS@example.test")
			if err != nil || byEmail.ID != u.ID {
				t.Errorf("UserByEmail = %d, %v; want %d", byEmail.ID, err, u.ID)
			}
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.UserCreate, ObjectID: strconv.FormatInt(u.ID, 10)})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Fatalf("%d user.create events for user %d, want 1", len(evs), u.ID)
			}
			if e := evs[0]; e.ObjectType != "user" || e.Outcome != audit.OK || e.ActorEmail != "system" || !strings.Contains(e.Detail, "ocmw_worker") {
				t.Errorf("audit event %+v", e)
			}
			var hash string
			if err := db.SQL().QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, u.ID).Scan(&hash); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, testPassword) || !account.CheckPassword(hash, testPassword) {
				t.Errorf("stored password hash %q is not an argon2id hash of the password", hash)
			}
		})

		t.Run("WithoutPasswordCannotLogIn", func(t *testing.T) {
			if _, err := db.CreateUser(ctx, sys, account.NewUser{Email: "nopw@example.test", Role: "analyst", Org: "opgroeien"}); err != nil {
				t.Fatal(err)
			}
			_, err := db.Login(ctx, "nopw@example.test", "", "192.0.2.9", "")
			WantCode(t, err, apperr.BadCredentials)
		})

		MustCreateUser(t, db, "taken@example.test", account.Analyst, "opgroeien")
		tests := []struct {
			name     string
			in       account.NewUser
			wantCode string
		}{
			{"ErrUnknownRole", account.NewUser{Email: "x1@example.test", Role: "superuser", Org: "opgroeien"}, apperr.UnknownRole},
			{"ErrEmptyRole", account.NewUser{Email: "x2@example.test", Role: "", Org: "opgroeien"}, apperr.UnknownRole},
			{"ErrUnknownOrganisation", account.NewUser{Email: "x3@example.test", Role: "ocmw_worker", Org: "ocmw-99999"}, apperr.UnknownOrg},
			{"ErrBrusselsHasNoOCMW", account.NewUser{Email: "x4@example.test", Role: "ocmw_worker", Org: "ocmw-21004"}, apperr.UnknownOrg},
			{"ErrEmptyOrganisation", account.NewUser{Email: "x5@example.test", Role: "ocmw_worker", Org: " "}, apperr.UnknownOrg},
			{"ErrTeamWorkerAtOCMW", account.NewUser{Email: "x6@example.test", Role: "team_worker", Org: "ocmw-13016"}, apperr.WrongOrgForRole},
			{"ErrAdminAtOCMW", account.NewUser{Email: "x7@example.test", Role: "admin", Org: "ocmw-13016"}, apperr.WrongOrgForRole},
			{"ErrOCMWWorkerAtOpgroeien", account.NewUser{Email: "x8@example.test", Role: "ocmw_worker", Org: "opgroeien"}, apperr.WrongOrgForRole},
			{"ErrClinicAtCAW", account.NewUser{Email: "x9@example.test", Role: "clinic", Org: "caw-brussel"}, apperr.WrongOrgForRole},
			{"ErrDuplicateEmail", account.NewUser{Email: "taken@example.test", Role: "analyst", Org: "opgroeien"}, apperr.Duplicate},
			{"ErrDuplicateEmailOtherCase", account.NewUser{Email: " Taken@EXAMPLE.test", Role: "dpo", Org: "opgroeien"}, apperr.Duplicate},
			{"ErrInvalidEmail", account.NewUser{Email: "not-an-email", Role: "analyst", Org: "opgroeien"}, apperr.Invalid},
			{"ErrShortPassword", account.NewUser{Email: "x10@example.test", Role: "analyst", Org: "opgroeien", Password: "short"}, account.CodePasswordTooShort},
			{"ErrCommonPassword", account.NewUser{Email: "x11@example.test", Role: "analyst", Org: "opgroeien", Password: "1qaz2wsx3edc4rfv"}, account.CodePasswordCommon},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := Counts(t, db)
				_, err := db.CreateUser(ctx, sys, tt.in)
				WantCode(t, err, tt.wantCode)
				if tt.wantCode == apperr.Duplicate {
					// Only the refused attempt is recorded (see TestOCMWAdminLearnsNothing).
					before["audit_events"]++
				}
				WantUnchanged(t, db, before)
			})
		}
	})
}

func TestPasswordLogin(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		clock := UseFakeClock(db, time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
		u := MustCreateUser(t, db, "lotte@example.test", account.OCMWWorker, "ocmw-11002")

		t.Run("OK", func(t *testing.T) {
			s, err := db.Login(ctx, " LOTTE@example.test", testPassword, "192.0.2.10", "req-ok")
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			if !strings.HasPrefix(s.Secret, "krs_") || s.CSRF == "" {
				t.Errorf("session secret %q, csrf %q", s.Secret, s.CSRF)
			}
			if want := clock.T.Add(store.SessionLifetime); !s.Expires.Equal(want) {
				t.Errorf("expires %v, want %v", s.Expires, want)
			}
			if s.Actor.UserID != u.ID || s.Actor.Role != account.OCMWWorker || s.Actor.Org != "ocmw-11002" || s.Actor.Via != "session" {
				t.Errorf("actor %+v", s.Actor)
			}
			got, err := db.SessionBySecret(ctx, s.Secret)
			if err != nil {
				t.Fatalf("SessionBySecret: %v", err)
			}
			if got.Actor.UserID != u.ID || got.CSRF != s.CSRF {
				t.Errorf("session %+v, want user %d csrf %q", got, u.ID, s.CSRF)
			}
			if n := MustCount(t, db, `SELECT count(*) FROM sessions WHERE hash = $1`, s.Secret); n != 0 {
				t.Error("the session secret is stored in clear")
			}
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.LoginOK})
			if err != nil || len(evs) != 1 {
				t.Fatalf("login.ok events %v, %v; want 1", evs, err)
			}
			if e := evs[0]; e.ActorUserID != u.ID || e.ClientAddr != "192.0.2.10" || e.RequestID != "req-ok" || e.Outcome != audit.OK {
				t.Errorf("login.ok event %+v", e)
			}
		})

		t.Run("ErrWrongPassword", func(t *testing.T) {
			before := MustCount(t, db, `SELECT count(*) FROM sessions`)
			_, err := db.Login(ctx, "lotte@example.test", "wrong-password-1", "192.0.2.11", "req-bad")
			WantCode(t, err, apperr.BadCredentials)
			if after := MustCount(t, db, `SELECT count(*) FROM sessions`); after != before {
				t.Errorf("sessions %d → %d after a failed login", before, after)
			}
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.LoginFailed})
			if err != nil || len(evs) != 1 {
				t.Fatalf("login.failed events %v, %v; want 1", evs, err)
			}
			if e := evs[0]; e.ActorUserID != u.ID || e.Outcome != audit.Failed || e.ClientAddr != "192.0.2.11" {
				t.Errorf("login.failed event %+v", e)
			}
		})

		t.Run("ErrUnknownEmail", func(t *testing.T) {
			_, err := db.Login(ctx, "ghost@example.test", testPassword, "192.0.2.12", "")
			WantCode(t, err, apperr.BadCredentials)
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.LoginFailed, Limit: 1})
			if err != nil || len(evs) != 1 || evs[0].ActorEmail != "ghost@example.test" || evs[0].ActorUserID != 0 {
				t.Errorf("login.failed event for unknown user: %+v, %v", evs, err)
			}
		})

		t.Run("SuccessClearsFailures", func(t *testing.T) {
			if _, err := db.Login(ctx, "lotte@example.test", testPassword, "192.0.2.11", ""); err != nil {
				t.Fatal(err)
			}
			if pair, _, _, err := db.LoginAttempts(ctx, "lotte@example.test", "192.0.2.11"); err != nil || pair != 0 {
				t.Errorf("%d attempts of the address left after a successful login (%v)", pair, err)
			}
		})
	})
}

func TestSessions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		clock := UseFakeClock(db, time.Date(2024, 11, 5, 8, 30, 0, 0, time.UTC))
		MustCreateUser(t, db, "sara@example.test", account.DPO, "opgroeien")

		t.Run("Expiry", func(t *testing.T) {
			// The absolute lifetime, with an idle timeout that never strikes.
			db.SessionIdle = 2 * store.SessionLifetime
			defer func() { db.SessionIdle = 0 }()
			start := clock.T
			s, err := db.Login(ctx, "sara@example.test", testPassword, "192.0.2.30", "")
			if err != nil {
				t.Fatal(err)
			}
			clock.T = start.Add(store.SessionLifetime - time.Minute)
			if _, err := db.SessionBySecret(ctx, s.Secret); err != nil {
				t.Fatalf("session a minute before expiry: %v", err)
			}
			clock.T = start.Add(store.SessionLifetime + time.Second)
			_, err = db.SessionBySecret(ctx, s.Secret)
			WantCode(t, err, apperr.Unauthorized)
		})

		t.Run("ErrUnknownSecret", func(t *testing.T) {
			_, err := db.SessionBySecret(ctx, "krs_bogus")
			WantCode(t, err, apperr.Unauthorized)
		})

		t.Run("Logout", func(t *testing.T) {
			s, err := db.Login(ctx, "sara@example.test", testPassword, "192.0.2.30", "")
			if err != nil {
				t.Fatal(err)
			}
			other, err := db.Login(ctx, "sara@example.test", testPassword, "192.0.2.31", "")
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Logout(ctx, s.Actor, s.Secret); err != nil {
				t.Fatalf("Logout: %v", err)
			}
			_, err = db.SessionBySecret(ctx, s.Secret)
			WantCode(t, err, apperr.Unauthorized)
			if _, err := db.SessionBySecret(ctx, other.Secret); err != nil {
				t.Errorf("logout ended another session too: %v", err)
			}
			if got := AuditActions(t, db, audit.Filter{Action: audit.Logout}); len(got) != 1 {
				t.Errorf("logout events: %v, want 1", got)
			}
		})
	})
}

func TestTokens(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		sys := account.System("test")
		u := MustCreateUser(t, db, "script@example.test", account.Admin, "opgroeien")

		secret, err := db.CreateToken(ctx, sys, "Script@Example.test", "nightly import")
		if err != nil {
			t.Fatalf("CreateToken: %v", err)
		}
		if !strings.HasPrefix(secret, account.TokenPrefix) || len(secret) < 40 {
			t.Fatalf("token %q: want krt_ and at least 40 characters", secret)
		}

		t.Run("OnlyHashStored", func(t *testing.T) {
			rows, err := db.SQL().QueryContext(ctx, `SELECT * FROM api_tokens`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			n := 0
			for rows.Next() {
				n++
				vals := make([]sql.NullString, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				foundHash := false
				for i, v := range vals {
					if strings.Contains(v.String, secret) || strings.Contains(v.String, strings.TrimPrefix(secret, account.TokenPrefix)) {
						t.Errorf("column %s holds the token secret", cols[i])
					}
					if cols[i] == "hash" && v.String == account.HashSecret(secret) {
						foundHash = true
					}
				}
				if !foundHash {
					t.Errorf("no column hash with the SHA-256 of the secret in %v", vals)
				}
			}
			if n != 1 {
				t.Errorf("%d token rows, want 1", n)
			}
		})

		t.Run("ActorByToken", func(t *testing.T) {
			a, err := db.ActorByToken(ctx, secret)
			if err != nil {
				t.Fatalf("ActorByToken: %v", err)
			}
			tokens, err := db.Tokens(ctx, sys, u.ID)
			if err != nil || len(tokens) != 1 {
				t.Fatalf("Tokens = %v, %v", tokens, err)
			}
			want := account.Actor{UserID: u.ID, Email: "script@example.test", Name: u.Name, Role: account.Admin, Org: "opgroeien", OrgKind: account.KindOpgroeien, Via: "token",
				TokenID: tokens[0].ID}
			if diff := cmp.Diff(want, a); diff != "" {
				t.Errorf("actor (-want +got):\n%s", diff)
			}
		})

		t.Run("ErrBogusToken", func(t *testing.T) {
			for _, bogus := range []string{"", "krt_", "krt_bogus", secret + "x", strings.TrimPrefix(secret, account.TokenPrefix), account.HashSecret(secret)} {
				_, err := db.ActorByToken(ctx, bogus)
				WantCode(t, err, apperr.Unauthorized)
			}
		})

		t.Run("Audited", func(t *testing.T) {
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.TokenCreate})
			if err != nil || len(evs) != 1 {
				t.Fatalf("token.create events: %v, %v", evs, err)
			}
			if strings.Contains(evs[0].Detail, secret) {
				t.Error("audit detail holds the token")
			}
		})

		t.Run("Revoke", func(t *testing.T) {
			tokens, err := db.Tokens(ctx, sys, u.ID)
			if err != nil || len(tokens) != 1 {
				t.Fatalf("Tokens = %v, %v; want one", tokens, err)
			}
			if tokens[0].Label != "nightly import" || tokens[0].RevokedAt != nil {
				t.Errorf("token %+v", tokens[0])
			}
			if err := db.RevokeToken(ctx, sys, tokens[0].ID); err != nil {
				t.Fatalf("RevokeToken: %v", err)
			}
			_, err = db.ActorByToken(ctx, secret)
			WantCode(t, err, apperr.Unauthorized)
			tokens, err = db.Tokens(ctx, sys, u.ID)
			if err != nil || len(tokens) != 1 || tokens[0].RevokedAt == nil {
				t.Errorf("after revoke Tokens = %+v, %v; want revoked_at set", tokens, err)
			}
			if got := AuditActions(t, db, audit.Filter{Action: audit.TokenRevoke}); len(got) != 1 {
				t.Errorf("token.revoke events: %v", got)
			}
		})

		t.Run("ErrRevokeUnknown", func(t *testing.T) {
			WantCode(t, db.RevokeToken(ctx, sys, 999999), apperr.NotFound)
		})

		t.Run("ErrForUnknownUser", func(t *testing.T) {
			before := Counts(t, db)
			_, err := db.CreateToken(ctx, sys, "ghost@example.test", "")
			WantCode(t, err, apperr.NotFound)
			WantUnchanged(t, db, before)
		})

		t.Run("OwnTokenButNotOthers", func(t *testing.T) {
			worker := MustActor(t, db, "worker@example.test", account.OCMWWorker, "ocmw-11002")
			if _, err := db.CreateToken(ctx, worker, "worker@example.test", "own"); err != nil {
				t.Errorf("own token: %v", err)
			}
			before := Counts(t, db)
			_, err := db.CreateToken(ctx, worker, "script@example.test", "steal")
			WantCode(t, err, apperr.Forbidden)
			WantUnchanged(t, db, before)
		})
	})
}

func TestDeactivateUser(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		admin := MustActor(t, db, "admin@example.test", account.Admin, "opgroeien")
		u := MustCreateUser(t, db, "leaver@example.test", account.OCMWWorker, "ocmw-13016")
		s, err := db.Login(ctx, "leaver@example.test", testPassword, "192.0.2.40", "")
		if err != nil {
			t.Fatal(err)
		}
		secret, err := db.CreateToken(ctx, account.System("cli"), "leaver@example.test", "")
		if err != nil {
			t.Fatal(err)
		}

		if err := db.SetUserActive(ctx, admin, u.ID, false); err != nil {
			t.Fatalf("SetUserActive(false): %v", err)
		}
		t.Run("SessionEnded", func(t *testing.T) {
			_, err := db.SessionBySecret(ctx, s.Secret)
			WantCode(t, err, apperr.Unauthorized)
		})
		t.Run("TokenRevoked", func(t *testing.T) {
			_, err := db.ActorByToken(ctx, secret)
			WantCode(t, err, apperr.Unauthorized)
			if n := MustCount(t, db, `SELECT count(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL`, u.ID); n != 0 {
				t.Errorf("%d tokens still unrevoked", n)
			}
		})
		t.Run("CannotLogIn", func(t *testing.T) {
			_, err := db.Login(ctx, "leaver@example.test", testPassword, "192.0.2.40", "")
			WantCode(t, err, apperr.BadCredentials)
		})
		t.Run("Audited", func(t *testing.T) {
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.UserUpdate, ObjectID: strconv.FormatInt(u.ID, 10)})
			if err != nil || len(evs) != 1 || evs[0].ActorUserID != admin.UserID || evs[0].Detail != "active=false" {
				t.Errorf("user.update events: %+v, %v", evs, err)
			}
		})
		t.Run("ReactivatedCanLogIn", func(t *testing.T) {
			if err := db.SetUserActive(ctx, admin, u.ID, true); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Login(ctx, "leaver@example.test", testPassword, "192.0.2.40", ""); err != nil {
				t.Errorf("login after reactivation: %v", err)
			}
			// The old token stays revoked.
			_, err := db.ActorByToken(ctx, secret)
			WantCode(t, err, apperr.Unauthorized)
		})
		t.Run("ErrSelf", func(t *testing.T) {
			WantCode(t, db.SetUserActive(ctx, admin, admin.UserID, false), apperr.Invalid)
		})
	})
}

func TestUserScoping(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		admin := MustActor(t, db, "admin@example.test", account.Admin, "opgroeien")
		ocmwAdmin := MustActor(t, db, "beheer@ocmw-gent.test", account.OCMWAdmin, "ocmw-44021")
		MustCreateUser(t, db, "werker@ocmw-gent.test", account.OCMWWorker, "ocmw-44021")
		MustCreateUser(t, db, "werker@ocmw-antwerpen.test", account.OCMWWorker, "ocmw-11002")
		MustCreateUser(t, db, "werker@caw.test", account.OCMWWorker, "caw-brussel")

		emails := func(us []account.User) []string {
			var out []string
			for _, u := range us {
				out = append(out, u.Email)
			}
			return out
		}

		t.Run("AdminListsAll", func(t *testing.T) {
			us, err := db.Users(ctx, admin)
			if err != nil {
				t.Fatal(err)
			}
			if len(us) != 5 {
				t.Errorf("admin sees %v, want all 5 users", emails(us))
			}
		})

		t.Run("OCMWAdminListsOwnOCMW", func(t *testing.T) {
			us, err := db.Users(ctx, ocmwAdmin)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"beheer@ocmw-gent.test", "werker@ocmw-gent.test"}
			if diff := cmp.Diff(want, emails(us)); diff != "" {
				t.Errorf("OCMW admin sees (-want +got):\n%s", diff)
			}
		})

		t.Run("OCMWAdminCreatesWorkerAtOwnOCMW", func(t *testing.T) {
			u, err := db.CreateUser(ctx, ocmwAdmin, account.NewUser{Email: "nieuw@ocmw-gent.test", Role: "ocmw_worker", Org: "ocmw-44021"})
			if err != nil {
				t.Fatalf("CreateUser: %v", err)
			}
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.UserCreate, ObjectID: strconv.FormatInt(u.ID, 10)})
			if err != nil || len(evs) != 1 || evs[0].ActorUserID != ocmwAdmin.UserID || evs[0].ActorOrg != "ocmw-44021" {
				t.Errorf("audit of a user created by the OCMW admin: %+v, %v", evs, err)
			}
		})

		for _, tt := range []struct {
			name string
			in   account.NewUser
		}{
			{"ErrOCMWAdminAtOtherOCMW", account.NewUser{Email: "y1@example.test", Role: "ocmw_worker", Org: "ocmw-11002"}},
			{"ErrOCMWAdminCreatesAdmin", account.NewUser{Email: "y2@example.test", Role: "admin", Org: "opgroeien"}},
			{"ErrOCMWAdminCreatesAdminRoleAtOwn", account.NewUser{Email: "y3@example.test", Role: "admin", Org: "ocmw-44021"}},
			{"ErrOCMWAdminCreatesDPOAtOwn", account.NewUser{Email: "y4@example.test", Role: "dpo", Org: "ocmw-44021"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := Counts(t, db)
				_, err := db.CreateUser(ctx, ocmwAdmin, tt.in)
				WantCode(t, err, apperr.Forbidden)
				WantUnchanged(t, db, before)
			})
		}

		t.Run("ErrOCMWAdminDeactivatesOtherOCMWUser", func(t *testing.T) {
			other, err := db.UserByEmail(ctx, "werker@ocmw-antwerpen.test")
			if err != nil {
				t.Fatal(err)
			}
			before := Counts(t, db)
			err = db.SetUserActive(ctx, ocmwAdmin, other.ID, false)
			WantCode(t, err, apperr.NotFound)
			// Nothing changes but the refusal's audit event (denied).
			before["audit_events"]++
			WantUnchanged(t, db, before)
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.UserUpdate, ObjectID: strconv.FormatInt(other.ID, 10)})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 || evs[0].Outcome != audit.Denied || evs[0].ActorUserID != ocmwAdmin.UserID {
				t.Errorf("refused deactivation audited as %+v, want one denied user.update by the OCMW admin", evs)
			}
			if u, _ := db.User(ctx, other.ID); !u.Active {
				t.Error("user of another OCMW was deactivated")
			}
		})

		if _, err := db.CreateClinic(ctx, admin, orgNewClinic("clinic-scope", "Scope Kliniek")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateTeam(ctx, admin, orgNewTeam("team-scope", "Scope Team", MustDay(t, "2023-01-01"), "11001")); err != nil {
			t.Fatal(err)
		}
		others := []struct {
			role account.Role
			org  string
		}{
			{account.OCMWWorker, "ocmw-44021"},
			{account.TeamLead, "team-scope"},
			{account.TeamWorker, "team-scope"},
			{account.Clinic, "clinic-scope"},
			{account.DPO, "opgroeien"},
			{account.Analyst, "opgroeien"},
		}
		for _, o := range others {
			t.Run("ErrForbidden/"+string(o.role), func(t *testing.T) {
				a := MustActor(t, db, string(o.role)+"@scope.test", o.role, o.org)
				_, err := db.Users(ctx, a)
				WantCode(t, err, apperr.Forbidden)
				before := Counts(t, db)
				_, err = db.CreateUser(ctx, a, account.NewUser{Email: "z-" + string(o.role) + "@example.test", Role: string(o.role), Org: o.org})
				WantCode(t, err, apperr.Forbidden)
				WantUnchanged(t, db, before)
			})
		}
	})
}
