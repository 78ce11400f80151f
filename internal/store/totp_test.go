package store_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

func mustCode(tb testing.TB, secret string, t time.Time) string {
	tb.Helper()
	c, err := account.TOTPCode(secret, t)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if apperr.Code(err) != code {
		tb.Fatalf("got %v (code %q), want code %q", err, apperr.Code(err), code)
	}
}

// TestSecondFactor: enrolment confirmed by a first code, the second step
// of a sign-in, a code that works once (also within its window), codes
// outside the window, recovery codes that work once, wrong codes
// throttled, the role that must enrol before any session, disabling and
// an admin's reset (audited, e-mailed), on both databases.
func TestSecondFactor(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		clock := UseFakeClock(db, time.Date(2026, 3, 3, 9, 0, 10, 0, time.UTC))
		const addr = "192.0.2.15"
		worker := sessionActor(t, db, "werker@ocmw.example.test", account.OCMWWorker, "ocmw-11002")
		admin := MustActor(t, db, "admin@example.test", account.Admin, "opgroeien")

		if _, err := db.ConfirmSecondFactor(ctx, worker, "123456"); apperr.Code(err) != apperr.Conflict {
			t.Fatalf("confirm without an enrolment: %v", err)
		}
		e, err := db.BeginSecondFactor(ctx, worker)
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Secret) != 32 || e.URI == "" {
			t.Fatalf("enrolment %+v", e)
		}
		st, err := db.SecondFactorStatus(ctx, worker)
		if err != nil || st.Enrolled || st.Pending == nil || st.Pending.Secret != e.Secret {
			t.Fatalf("status while pending: %+v, %v", st, err)
		}
		// An unconfirmed enrolment asks nothing at sign-in.
		if _, err := db.Login(ctx, worker.Email, testPassword, addr, "rid"); err != nil {
			t.Fatalf("sign-in with an unconfirmed enrolment: %v", err)
		}
		_, err = db.ConfirmSecondFactor(ctx, worker, "000000")
		wantCode(t, err, apperr.Invalid)
		enrolCode := mustCode(t, e.Secret, clock.T)
		recovery, err := db.ConfirmSecondFactor(ctx, worker, enrolCode)
		if err != nil || len(recovery) != account.RecoveryCodeCount {
			t.Fatalf("confirm: %v, %d codes", err, len(recovery))
		}
		if n := MustCount(t, db, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND hash = $2`, worker.UserID, account.HashRecoveryCode(recovery[0])); n != 1 {
			t.Fatalf("recovery code not stored as its hash: %d", n)
		}
		if n := MustCount(t, db, `SELECT count(*) FROM recovery_codes WHERE hash = $1`, recovery[0]); n != 0 {
			t.Fatal("a recovery code is stored in clear")
		}
		st, err = db.SecondFactorStatus(ctx, worker)
		if err != nil || !st.Enrolled || st.Pending != nil || st.RecoveryLeft != 10 || st.Required {
			t.Fatalf("status after enrolment: %+v, %v", st, err)
		}
		if _, err := db.BeginSecondFactor(ctx, worker); apperr.Code(err) != apperr.Conflict {
			t.Fatalf("a second enrolment: %v", err)
		}

		// The password alone opens no session any more.
		_, err = db.Login(ctx, worker.Email, testPassword, addr, "rid")
		wantCode(t, err, store.CodeSecondFactorRequired)
		step, err := db.LoginStart(ctx, worker.Email, testPassword, addr, "rid")
		if err != nil || step.Pending == "" || step.Enrol || step.Session.Secret != "" {
			t.Fatalf("LoginStart: %+v, %v", step, err)
		}
		if n := MustCount(t, db, `SELECT count(*) FROM pending_logins WHERE hash = $1`, step.Pending); n != 0 {
			t.Fatal("the pending sign-in's secret is stored in clear")
		}
		// The enrolment's code, in its own window: used once already.
		_, err = db.LoginSecondFactor(ctx, step.Pending, enrolCode, addr, "rid")
		wantCode(t, err, apperr.Invalid)
		// Two steps ahead: outside the window.
		_, err = db.LoginSecondFactor(ctx, step.Pending, mustCode(t, e.Secret, clock.T.Add(2*account.TOTPPeriod*time.Second)), addr, "rid")
		wantCode(t, err, apperr.Invalid)
		// The next step's code (a phone a little ahead) is accepted, once.
		next := mustCode(t, e.Secret, clock.T.Add(account.TOTPPeriod*time.Second))
		s, err := db.LoginSecondFactor(ctx, step.Pending, " "+next[:3]+" "+next[3:], addr, "rid")
		if err != nil || s.Actor.UserID != worker.UserID {
			t.Fatalf("second step: %+v, %v", s, err)
		}
		if _, err := db.SessionBySecret(ctx, s.Secret); err != nil {
			t.Fatalf("session after the second step: %v", err)
		}
		// The pending sign-in is used up; a new one refuses the code used.
		_, err = db.LoginSecondFactor(ctx, step.Pending, next, addr, "rid")
		wantCode(t, err, apperr.Unauthorized)
		clock.Advance(30 * time.Second)
		step, err = db.LoginStart(ctx, worker.Email, testPassword, addr, "rid")
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.LoginSecondFactor(ctx, step.Pending, next, addr, "rid")
		wantCode(t, err, apperr.Invalid)
		// A recovery code works once.
		if _, err := db.LoginSecondFactor(ctx, step.Pending, recovery[0], addr, "rid"); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		step, err = db.LoginStart(ctx, worker.Email, testPassword, addr, "rid")
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.LoginSecondFactor(ctx, step.Pending, recovery[0], addr, "rid")
		wantCode(t, err, apperr.Invalid)
		if n := MustCount(t, db, `SELECT count(*) FROM audit_events WHERE action = $1 AND actor_user_id = $2 AND detail = 'left=9'`, audit.LoginRecoveryCode, worker.UserID); n != 1 {
			t.Errorf("recovery code used: %d events", n)
		}
		if n := MustCount(t, db, `SELECT count(*) FROM audit_events WHERE action = $1 AND actor_user_id = $2 AND outcome = 'failed'`, audit.LoginSecondFactor, worker.UserID); n != 4 {
			t.Errorf("failed second factors: %d events, want 4", n)
		}
		if n := MustCount(t, db, `SELECT count(*) FROM audit_events WHERE action = $1 AND actor_user_id = $2`, audit.SecondFactorEnrol, worker.UserID); n != 1 {
			t.Errorf("enrolment: %d events", n)
		}

		// Wrong codes are counted per user, across pending sign-ins:
		// PerPair of them within the window, then too_many_attempts, the
		// right code too, until the window ends.
		pol := store.DefaultThrottle
		pol.PerPair = 3
		db.Throttle = &pol
		t.Cleanup(func() { db.Throttle = nil })
		clock.Advance(time.Minute)
		for range 2 { // one wrong code was counted above
			_, err = db.LoginSecondFactor(ctx, step.Pending, "000000", addr, "rid")
			wantCode(t, err, apperr.Invalid)
		}
		_, err = db.LoginSecondFactor(ctx, step.Pending, mustCode(t, e.Secret, clock.T), addr, "rid")
		wantCode(t, err, apperr.Throttled)
		if n := MustCount(t, db, `SELECT count(*) FROM audit_events WHERE action = $1 AND actor_user_id = $2 AND outcome = 'denied'`, audit.LoginThrottle, worker.UserID); n != 1 {
			t.Errorf("throttled second factor: %d events", n)
		}
		clock.Advance(pol.Window)
		db.Throttle = nil
		// The pending sign-in has expired meanwhile.
		_, err = db.LoginSecondFactor(ctx, step.Pending, mustCode(t, e.Secret, clock.T), addr, "rid")
		wantCode(t, err, apperr.Unauthorized)

		// New recovery codes, after a code; the old ones no longer work.
		_, err = db.RegenerateRecoveryCodes(ctx, worker, "000000")
		wantCode(t, err, apperr.Invalid)
		fresh, err := db.RegenerateRecoveryCodes(ctx, worker, recovery[1])
		if err != nil || len(fresh) != 10 {
			t.Fatalf("regenerate: %v", err)
		}
		if n := MustCount(t, db, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND hash = $2`, worker.UserID, account.HashRecoveryCode(recovery[2])); n != 0 {
			t.Error("an old recovery code survived")
		}

		// An admin resets it: audited, the sessions end, an e-mail goes out.
		lead := MustActor(t, db, "collega@ocmw.example.test", account.OCMWWorker, "ocmw-11002")
		wantCode(t, db.ResetSecondFactor(ctx, lead, worker.UserID), apperr.NotFound)
		if err := db.ResetSecondFactor(ctx, admin, worker.UserID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionBySecret(ctx, s.Secret); err == nil {
			t.Error("a session survived the reset")
		}
		if mails := staffMails(t, db, worker.UserID); len(mails) != 1 || !strings.Contains(mails[0], "tweede factor") {
			t.Errorf("mails after the reset: %q", mails)
		}
		for outcome, want := range map[string]int{audit.OK: 1, audit.Denied: 1} {
			if n := MustCount(t, db, `SELECT count(*) FROM audit_events WHERE action = $1 AND outcome = $2 AND object_id = $3`,
				audit.SecondFactorReset, outcome, strconv.FormatInt(worker.UserID, 10)); n != want {
				t.Errorf("reset %s: %d events, want %d", outcome, n, want)
			}
		}
		if _, err := db.Login(ctx, worker.Email, testPassword, addr, "rid"); err != nil {
			t.Fatalf("sign-in after the reset: %v", err)
		}

		// A role that requires a second factor enrols before any session,
		// and cannot disable it.
		db.SecondFactorRoles = []account.Role{account.Admin, account.DPO}
		t.Cleanup(func() { db.SecondFactorRoles = nil })
		dpo := MustCreateUser(t, db, "dpo@example.test", account.DPO, "opgroeien")
		step, err = db.LoginStart(ctx, dpo.Email, testPassword, addr, "rid")
		if err != nil || !step.Enrol || step.Pending == "" {
			t.Fatalf("required role: %+v, %v", step, err)
		}
		if _, err := db.LoginSecondFactor(ctx, step.Pending, "000000", addr, "rid"); apperr.Code(err) != apperr.Unauthorized {
			t.Fatalf("a code step for an enrolment: %v", err)
		}
		pe, err := db.PendingEnrolment(ctx, step.Pending)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := db.PendingEnrolment(ctx, step.Pending); err != nil || again.Secret != pe.Secret {
			t.Fatalf("the enrolment changed on reload: %v", err)
		}
		_, _, err = db.ConfirmPendingEnrolment(ctx, step.Pending, "000000", addr, "rid")
		wantCode(t, err, apperr.Invalid)
		s, codes, err := db.ConfirmPendingEnrolment(ctx, step.Pending, mustCode(t, pe.Secret, clock.T), addr, "rid")
		if err != nil || s.Actor.UserID != dpo.ID || len(codes) != 10 {
			t.Fatalf("enrolment at sign-in: %v", err)
		}
		dpoActor := s.Actor
		wantCode(t, db.DisableSecondFactor(ctx, dpoActor, codes[0]), apperr.Forbidden)
		if n := MustCount(t, db, `SELECT count(*) FROM audit_events WHERE action = $1 AND actor_user_id = $2 AND outcome = 'denied'`, audit.SecondFactorDisable, dpo.ID); n != 1 {
			t.Errorf("refused disable: %d events", n)
		}

		// Disabling one's own, after a code.
		e, err = db.BeginSecondFactor(ctx, worker)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ConfirmSecondFactor(ctx, worker, mustCode(t, e.Secret, clock.T)); err != nil {
			t.Fatal(err)
		}
		clock.Advance(30 * time.Second)
		if err := db.DisableSecondFactor(ctx, worker, mustCode(t, e.Secret, clock.T)); err != nil {
			t.Fatalf("disable: %v", err)
		}
		if ok, err := db.SecondFactorEnrolled(ctx, worker.UserID); err != nil || ok {
			t.Fatalf("still enrolled after disable: %v", err)
		}
		if n := MustCount(t, db, `SELECT count(*) FROM audit_events WHERE action = $1 AND actor_user_id = $2 AND outcome = 'ok'`, audit.SecondFactorDisable, worker.UserID); n != 1 {
			t.Errorf("disable: %d events", n)
		}
		// Without a password (single sign-on) the identity provider asks it.
		sso, err := db.CreateUser(ctx, account.System("test"), account.NewUser{Email: "sso@ocmw.example.test", Role: "ocmw_worker", Org: "ocmw-11002"})
		if err != nil {
			t.Fatal(err)
		}
		ssoActor := account.Actor{UserID: sso.ID, Email: sso.Email, Role: sso.Role, Org: sso.Org, Via: account.ChannelSession}
		if st, err := db.SecondFactorStatus(ctx, ssoActor); err != nil || !st.NoPassword {
			t.Errorf("status without a password: %+v, %v", st, err)
		}
		if _, err := db.BeginSecondFactor(ctx, ssoActor); apperr.Code(err) != apperr.Forbidden {
			t.Errorf("enrolment without a password: %v", err)
		}
		// A service account has no second factor.
		if _, err := db.BeginSecondFactor(ctx, account.Actor{UserID: 99, Email: "svc", Service: true}); apperr.Code(err) != apperr.Forbidden {
			t.Errorf("service account: %v", err)
		}
	})
}

// TestMatchTOTP: the RFC 6238 test vector (SHA1, 8 digits there; the
// last 6 here), the window of one step either side, input as typed.
func TestMatchTOTP(t *testing.T) {
	// RFC 6238 appendix B: the ASCII secret "12345678901234567890".
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	at := time.Unix(59, 0)
	code, err := account.TOTPCode(secret, at)
	if err != nil || code != "287082" { // 94287082
		t.Fatalf("code at 59 s: %q, %v", code, err)
	}
	if step, ok := account.MatchTOTP(secret, "287 082", at); !ok || step != 1 {
		t.Errorf("typed with a space: %d %v", step, ok)
	}
	if _, ok := account.MatchTOTP(secret, "287082", at.Add(61*time.Second)); ok {
		t.Error("a code two steps old is accepted")
	}
	if step, ok := account.MatchTOTP(secret, "287082", at.Add(30*time.Second)); !ok || step != 1 {
		t.Errorf("a code one step old: %d %v", step, ok)
	}
	if _, ok := account.MatchTOTP(secret, "28708", at); ok {
		t.Error("five digits accepted")
	}
	codes := account.NewRecoveryCodes()
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 19 || !account.IsRecoveryCode(c) || seen[c] {
			t.Errorf("recovery code %q", c)
		}
		seen[c] = true
	}
	if account.HashRecoveryCode(codes[0]) != account.HashRecoveryCode(" "+strings.ToUpper(codes[0])+" ") {
		t.Error("a recovery code typed in capitals does not match")
	}
}

// TestSecondFactorSealed: with a key, the TOTP secret is stored sealed
// (never in clear), works at sign-in, does not open for another user's
// row nor without the key; a secret stored before the key still works.
func TestSecondFactorSealed(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		clock := UseFakeClock(db, time.Date(2026, 3, 3, 9, 0, 10, 0, time.UTC))
		plain := sessionActor(t, db, "eerst@ocmw.example.test", account.OCMWWorker, "ocmw-11002")
		sealed := sessionActor(t, db, "later@ocmw.example.test", account.OCMWWorker, "ocmw-11002")
		enrol := func(a account.Actor) string {
			t.Helper()
			e, err := db.BeginSecondFactor(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.ConfirmSecondFactor(ctx, a, mustCode(t, e.Secret, clock.T)); err != nil {
				t.Fatal(err)
			}
			return e.Secret
		}
		plainSecret := enrol(plain)
		key, err := store.ParseSecondFactorKey([]byte("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n"))
		if err != nil {
			t.Fatal(err)
		}
		db.SecondFactorKey = key
		t.Cleanup(func() { db.SecondFactorKey = nil })
		sealedSecret := enrol(sealed)
		var stored string
		if err := db.SQL().QueryRowContext(ctx, `SELECT secret FROM second_factors WHERE user_id = $1`, sealed.UserID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(stored, "aesgcm:") || strings.Contains(stored, sealedSecret) {
			t.Fatalf("stored %q", stored)
		}
		clock.Advance(30 * time.Second)
		for _, c := range []struct {
			a      account.Actor
			secret string
		}{{plain, plainSecret}, {sealed, sealedSecret}} {
			step, err := db.LoginStart(ctx, c.a.Email, testPassword, "192.0.2.16", "rid")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.LoginSecondFactor(ctx, step.Pending, mustCode(t, c.secret, clock.T), "192.0.2.16", "rid"); err != nil {
				t.Fatalf("%s: %v", c.a.Email, err)
			}
		}
		// Moved to another user's row, the sealed secret does not open.
		mustExec(t, db, `UPDATE second_factors SET secret = $1, last_step = 0 WHERE user_id = $2`, stored, plain.UserID)
		clock.Advance(30 * time.Second)
		if _, err := db.RegenerateRecoveryCodes(ctx, plain, mustCode(t, sealedSecret, clock.T)); apperr.Code(err) != apperr.Internal {
			t.Errorf("a sealed secret in another user's row: %v", err)
		}
		db.SecondFactorKey = nil
		if _, err := db.RegenerateRecoveryCodes(ctx, sealed, mustCode(t, sealedSecret, clock.T)); apperr.Code(err) != apperr.Internal {
			t.Errorf("a sealed secret without the key: %v", err)
		}
		if _, err := store.ParseSecondFactorKey([]byte("dG9vIHNob3J0")); err == nil {
			t.Error("a short key accepted")
		}
	})
}
