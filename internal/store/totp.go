package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
)

// Second factor (issue 15): TOTP for local accounts, with recovery codes.
// A correct password of a user who has a second factor, or whose role
// requires one (DB.SecondFactorRoles), opens no session: it makes a
// pending sign-in (pending_logins, only the hash of its secret is kept)
// that lives account.PendingLoginLifetime and is completed by a code, or
// by the enrolment the role requires. Wrong codes are counted per user
// before they are checked, like passwords (ThrottlePolicy.PerPair in its
// Window), and a pending sign-in ends after maxPendingFailures of them. A
// TOTP code works once: the step of the last accepted code is kept and
// only a later step is accepted. The TOTP secret is shown only while the
// enrolment waits for its first code, never after; with a key
// (DB.SecondFactorKey) it is stored sealed.

// maxPendingFailures ends a pending sign-in after this many wrong codes.
const maxPendingFailures = 5

// CodeSecondFactorRequired answers Login (the password alone) for a user
// who needs a second step: only the web sign-in asks for it.
const CodeSecondFactorRequired = "second_factor_required"

func errPendingInvalid() error {
	return apperr.New(apperr.Unauthorized, "this sign-in has expired; sign in again").WithKey("totp.error.pending_invalid", nil)
}

func errCodeWrong() error {
	return apperr.FieldErr(apperr.Invalid, "code", "the code is not correct").WithKey("totp.error.code_wrong", nil)
}

func errNoSecondFactor() error {
	return apperr.New(apperr.Conflict, "no second factor is set up").WithKey("totp.error.not_enrolled", nil)
}

// secondFactorRequired reports whether role r must sign in with a second
// factor.
func (db *DB) secondFactorRequired(r account.Role) bool {
	return slices.Contains(db.SecondFactorRoles, r)
}

// SecondFactorEnrolled reports whether a user has a confirmed second factor.
func (db *DB) SecondFactorEnrolled(ctx context.Context, userID int64) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM second_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL`, userID).Scan(&n)
	return n > 0, err
}

// needsSecondStep tells whether a correct password of u opens a session
// (false), asks a code (true, false) or the enrolment (true, true).
func (db *DB) needsSecondStep(ctx context.Context, u account.User) (need, enrol bool, err error) {
	enrolled, err := db.SecondFactorEnrolled(ctx, u.ID)
	if err != nil || enrolled {
		return enrolled, false, err
	}
	if db.secondFactorRequired(u.Role) {
		return true, true, nil
	}
	return false, false, nil
}

func userActor(u account.User, addr, requestID string) account.Actor {
	a := actorOf(u, account.ChannelSession)
	a.RequestID, a.ClientAddr = requestID, addr
	return a
}

// startPendingLogin records a correct password of u that needs a second
// step: a pending sign-in when allowed, else second_factor_required.
func (db *DB) startPendingLogin(ctx context.Context, u account.User, att loginAttempt, enrol, allowed bool, addr, requestID string) (account.LoginStep, error) {
	var st account.LoginStep
	secret, hash := account.NewSecret(account.PendingLoginPrefix)
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := loginSucceeded(ctx, tx, att, db.throttlePolicy().Window); err != nil {
			return err
		}
		ev := audit.For(userActor(u, addr, requestID), audit.LoginSecondStep, "user", strconv.FormatInt(u.ID, 10))
		ev.Detail = "code"
		if enrol {
			ev.Detail = "enrol"
		}
		if !allowed {
			ev.Outcome, ev.Detail = audit.Denied, ev.Detail+"; this channel has no second step"
			return tx.Audit(ctx, ev)
		}
		st = account.LoginStep{Pending: secret, Enrol: enrol, Expires: tx.now.Add(account.PendingLoginLifetime)}
		if _, err := tx.ExecContext(ctx, `DELETE FROM pending_logins WHERE expires_at < $1`, ts(tx.now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO pending_logins (hash, user_id, enrol, created_at, expires_at) VALUES ($1,$2,$3,$4,$5)`,
			hash, u.ID, enrol, ts(tx.now), ts(st.Expires)); err != nil {
			return err
		}
		return tx.Audit(ctx, ev)
	})
	if err == nil && !allowed {
		err = apperr.New(CodeSecondFactorRequired, "this account signs in with a second factor, in the browser").WithKey("totp.error.required", nil)
	}
	return st, err
}

// LoginStart checks e-mail and password as Login does; a user who needs
// a second step gets a pending sign-in (LoginStep.Pending) instead of a
// session.
func (db *DB) LoginStart(ctx context.Context, email, password, addr, requestID string) (account.LoginStep, error) {
	return db.login(ctx, email, password, addr, requestID, true)
}

// pendingLogin returns the live pending sign-in of a secret and its user
// (active, no service account), or pending_invalid.
func (db *DB) pendingLogin(ctx context.Context, secret string) (account.PendingLogin, account.User, error) {
	var p account.PendingLogin
	var exp timeCol
	if len(secret) > 100 {
		return p, account.User{}, errPendingInvalid()
	}
	err := db.read.QueryRowContext(ctx, `SELECT user_id, enrol, expires_at FROM pending_logins WHERE hash = $1 AND expires_at > $2 AND failures < $3`,
		account.HashSecret(secret), ts(db.Now()), maxPendingFailures).Scan(&p.UserID, &p.Enrol, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return p, account.User{}, errPendingInvalid()
	}
	if err != nil {
		return p, account.User{}, err
	}
	p.Expires = exp.T
	u, err := db.User(ctx, p.UserID)
	if err != nil {
		return p, u, err
	}
	if !u.Active || u.Service {
		return p, u, errPendingInvalid()
	}
	p.Email = u.Email
	return p, u, nil
}

// PendingLogin returns a live pending sign-in.
func (db *DB) PendingLogin(ctx context.Context, secret string) (account.PendingLogin, error) {
	p, _, err := db.pendingLogin(ctx, secret)
	return p, err
}

// countCodeAttempt counts a code attempt of a user before it is checked;
// over the limit it audits login.throttled and returns too_many_attempts.
func (db *DB) countCodeAttempt(ctx context.Context, a account.Actor) error {
	pol := db.throttlePolicy()
	key := throttleKey("second_factor", strconv.FormatInt(a.UserID, 10))
	var n int
	var start timeCol
	var now = db.Now()
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		now = tx.now
		n, start, err = bumpThrottle(ctx, tx, key, pol.Window)
		if err != nil || n <= pol.PerPair {
			return err
		}
		ev := audit.For(a, audit.LoginThrottle, "user", strconv.FormatInt(a.UserID, 10))
		ev.Outcome, ev.Detail = audit.Denied, "second factor"
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return err
	}
	if n > pol.PerPair {
		return throttled(start.T.Add(pol.Window).Sub(now))
	}
	return nil
}

// forgetCodeAttempts clears the user's count of code attempts after a
// correct code.
func forgetCodeAttempts(ctx context.Context, tx *Tx, userID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, throttleKey("second_factor", strconv.FormatInt(userID, 10)))
	return err
}

// useCode checks a TOTP code or a recovery code of the user's confirmed
// second factor within tx and uses it up: how is "totp" or "recovery",
// empty when the code is wrong (why says why, for the audit record).
func useCode(ctx context.Context, tx *Tx, userID int64, code string) (how, why string, err error) {
	if account.IsRecoveryCode(code) {
		res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND hash = $3 AND used_at IS NULL`,
			ts(tx.now), userID, account.HashRecoveryCode(code))
		if err != nil {
			return "", "", err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return "", "unknown or used recovery code", err
		}
		return "recovery", "", nil
	}
	var secret string
	var last int64
	err = tx.QueryRowContext(ctx, `SELECT secret, last_step FROM second_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL`, userID).Scan(&secret, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "no second factor", nil
	}
	if err != nil {
		return "", "", err
	}
	if secret, err = tx.db.openSecret(userID, secret); err != nil {
		return "", "", err
	}
	return acceptTOTP(ctx, tx, userID, secret, last, code)
}

// acceptTOTP accepts a code of secret once: its step must be later than
// the last accepted one (the update is conditional, so that two requests
// with one code cannot both pass).
func acceptTOTP(ctx context.Context, tx *Tx, userID int64, secret string, last int64, code string) (how, why string, err error) {
	step, ok := account.MatchTOTP(secret, code, tx.now)
	if !ok {
		return "", "wrong code", nil
	}
	if step <= last {
		return "", "code used before", nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE second_factors SET last_step = $1 WHERE user_id = $2 AND last_step < $1`, step, userID)
	if err != nil {
		return "", "", err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return "", "code used before", err
	}
	return "totp", "", nil
}

// LoginSecondFactor completes a pending sign-in with a TOTP code or a
// recovery code: a session, or code_wrong (field "code"), too_many_attempts,
// or pending_invalid once the pending sign-in has ended.
func (db *DB) LoginSecondFactor(ctx context.Context, pending, code, addr, requestID string) (account.Session, error) {
	var s account.Session
	p, u, err := db.pendingLogin(ctx, pending)
	if err != nil {
		return s, err
	}
	if p.Enrol {
		return s, errPendingInvalid()
	}
	a := userActor(u, addr, requestID)
	if err := db.countCodeAttempt(ctx, a); err != nil {
		return s, err
	}
	id := strconv.FormatInt(u.ID, 10)
	hash := account.HashSecret(pending)
	ok := false
	err = db.inTx(ctx, func(tx *Tx) error {
		how, why, err := useCode(ctx, tx, u.ID, code)
		if err != nil {
			return err
		}
		ev := audit.For(a, audit.LoginSecondFactor, "user", id)
		if how == "" {
			if _, err := tx.ExecContext(ctx, `UPDATE pending_logins SET failures = failures + 1 WHERE hash = $1`, hash); err != nil {
				return err
			}
			ev.Outcome, ev.Detail = audit.Failed, why
			return tx.Audit(ctx, ev)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM pending_logins WHERE hash = $1 AND expires_at > $2 AND failures < $3`, hash, ts(tx.now), maxPendingFailures)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return errPendingInvalid() // used by a parallel request: nothing of this one stays
		}
		ok = true
		ev.Detail = how
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		if how == "recovery" {
			left, err := recoveryLeft(ctx, tx, u.ID)
			if err != nil {
				return err
			}
			rev := audit.For(a, audit.LoginRecoveryCode, "user", id)
			rev.Detail = fmt.Sprintf("left=%d", left)
			if err := tx.Audit(ctx, rev); err != nil {
				return err
			}
		}
		if err := forgetCodeAttempts(ctx, tx, u.ID); err != nil {
			return err
		}
		s, err = openSession(ctx, tx, u, addr, requestID, "second_factor="+how)
		return err
	})
	if err != nil {
		return account.Session{}, err
	}
	if !ok {
		return s, errCodeWrong()
	}
	return s, nil
}

func recoveryLeft(ctx context.Context, tx *Tx, userID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	return n, err
}

// SecondFactorStatus is the actor's own second factor, with the pending
// enrolment (and its secret) while it waits for a first code.
func (db *DB) SecondFactorStatus(ctx context.Context, a account.Actor) (account.SecondFactorStatus, error) {
	var st account.SecondFactorStatus
	var err error
	if err = requireLocalPerson(a); err != nil {
		return st, err
	}
	st.Required = db.secondFactorRequired(a.Role)
	if st.NoPassword, err = db.hasNoPassword(ctx, a.UserID); err != nil || st.NoPassword {
		return st, err
	}
	var secret string
	var conf timeCol
	err = db.read.QueryRowContext(ctx, `SELECT secret, confirmed_at FROM second_factors WHERE user_id = $1`, a.UserID).Scan(&secret, &conf)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if !conf.Valid {
		if secret, err = db.openSecret(a.UserID, secret); err != nil {
			return st, err
		}
		st.Pending = &account.Enrolment{Email: a.Email, Secret: secret, URI: account.TOTPURI(a.Email, secret)}
		return st, nil
	}
	st.Enrolled, st.EnrolledAt = true, conf.Ptr()
	err = db.read.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, a.UserID).Scan(&st.RecoveryLeft)
	return st, err
}

// requireLocalPerson refuses service accounts and the program: only a
// person signed in with a password has a second factor.
func requireLocalPerson(a account.Actor) error {
	if a.UserID == 0 || a.Service || a.IsProgram() {
		return apperr.New(apperr.Forbidden, "only a person signed in with a password has a second factor").WithKey("error.forbidden", nil)
	}
	return nil
}

// hasNoPassword reports whether a user signs in without a password (single
// sign-on: the second factor is the identity provider's).
func (db *DB) hasNoPassword(ctx context.Context, userID int64) (bool, error) {
	var hash string
	err := db.read.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, userID).Scan(&hash)
	return hash == "", err
}

// BeginSecondFactor makes a new TOTP secret for the actor, waiting for a
// first code (ConfirmSecondFactor); an earlier unconfirmed one is
// replaced. With a confirmed second factor it is a conflict.
func (db *DB) BeginSecondFactor(ctx context.Context, a account.Actor) (account.Enrolment, error) {
	if err := requireLocalPerson(a); err != nil {
		return account.Enrolment{}, err
	}
	if none, err := db.hasNoPassword(ctx, a.UserID); err != nil {
		return account.Enrolment{}, err
	} else if none {
		return account.Enrolment{}, apperr.New(apperr.Forbidden, "an account without a password gets its second factor from its identity provider").WithKey("totp.error.no_password", nil)
	}
	var e account.Enrolment
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		e, err = beginEnrolment(ctx, tx, a.UserID, a.Email)
		return err
	})
	return e, err
}

func beginEnrolment(ctx context.Context, tx *Tx, userID int64, email string) (account.Enrolment, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM second_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL`, userID).Scan(&n); err != nil {
		return account.Enrolment{}, err
	}
	if n > 0 {
		return account.Enrolment{}, apperr.New(apperr.Conflict, "a second factor is set up already").WithKey("totp.error.enrolled", nil)
	}
	secret, uri, err := account.NewTOTPKey(email)
	if err != nil {
		return account.Enrolment{}, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM second_factors WHERE user_id = $1`, userID); err != nil {
		return account.Enrolment{}, err
	}
	sealed, err := tx.db.sealSecret(userID, secret)
	if err != nil {
		return account.Enrolment{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO second_factors (user_id, secret, created_at) VALUES ($1,$2,$3)`, userID, sealed, ts(tx.now)); err != nil {
		return account.Enrolment{}, err
	}
	return account.Enrolment{Email: email, Secret: secret, URI: uri}, nil
}

// confirmEnrolment confirms the user's pending enrolment with its first
// code within tx, makes the recovery codes and audits the enrolment.
func confirmEnrolment(ctx context.Context, tx *Tx, a account.Actor, code string) ([]string, error) {
	var secret string
	err := tx.QueryRowContext(ctx, `SELECT secret FROM second_factors WHERE user_id = $1 AND confirmed_at IS NULL`, a.UserID).Scan(&secret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Conflict, "no enrolment is waiting for a code").WithKey("totp.error.no_enrolment", nil)
	}
	if err != nil {
		return nil, err
	}
	if secret, err = tx.db.openSecret(a.UserID, secret); err != nil {
		return nil, err
	}
	how, _, err := acceptTOTP(ctx, tx, a.UserID, secret, 0, code)
	if err != nil {
		return nil, err
	}
	if how == "" {
		return nil, errCodeWrong()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE second_factors SET confirmed_at = $1 WHERE user_id = $2`, ts(tx.now), a.UserID); err != nil {
		return nil, err
	}
	codes, err := newRecoveryCodes(ctx, tx, a.UserID)
	if err != nil {
		return nil, err
	}
	return codes, tx.Audit(ctx, audit.For(a, audit.SecondFactorEnrol, "user", strconv.FormatInt(a.UserID, 10)))
}

// newRecoveryCodes replaces the user's recovery codes within tx; only
// their hashes are kept.
func newRecoveryCodes(ctx context.Context, tx *Tx, userID int64) ([]string, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return nil, err
	}
	codes := account.NewRecoveryCodes()
	for _, c := range codes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, hash, created_at) VALUES ($1,$2,$3)`,
			userID, account.HashRecoveryCode(c), ts(tx.now)); err != nil {
			return nil, err
		}
	}
	return codes, nil
}

// ConfirmSecondFactor confirms the actor's pending enrolment with a code
// of the app and returns the recovery codes, shown once. Wrong codes are
// counted like those of a sign-in.
func (db *DB) ConfirmSecondFactor(ctx context.Context, a account.Actor, code string) ([]string, error) {
	if err := requireLocalPerson(a); err != nil {
		return nil, err
	}
	if err := db.countCodeAttempt(ctx, a); err != nil {
		return nil, err
	}
	var codes []string
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if codes, err = confirmEnrolment(ctx, tx, a, code); err != nil {
			return err
		}
		return forgetCodeAttempts(ctx, tx, a.UserID)
	})
	return codes, err
}

// checkOwnCode checks a code of the actor's confirmed second factor (TOTP
// or recovery code, used up) within tx; a wrong code is audited as a
// failed second factor, in a transaction of its own.
func (db *DB) checkOwnCode(ctx context.Context, a account.Actor, action, code string, fn func(tx *Tx) error) error {
	if err := requireLocalPerson(a); err != nil {
		return err
	}
	if ok, err := db.SecondFactorEnrolled(ctx, a.UserID); err != nil {
		return err
	} else if !ok {
		return errNoSecondFactor()
	}
	if err := db.countCodeAttempt(ctx, a); err != nil {
		return err
	}
	var why string
	err := db.inTx(ctx, func(tx *Tx) error {
		how, w, err := useCode(ctx, tx, a.UserID, code)
		if err != nil {
			return err
		}
		if how == "" {
			why = w
			return errCodeWrong()
		}
		if err := forgetCodeAttempts(ctx, tx, a.UserID); err != nil {
			return err
		}
		return fn(tx)
	})
	if why != "" {
		if aerr := db.inTx(ctx, func(tx *Tx) error {
			ev := audit.For(a, action, "user", strconv.FormatInt(a.UserID, 10))
			ev.Outcome, ev.Detail = audit.Failed, why
			return tx.Audit(ctx, ev)
		}); aerr != nil {
			return aerr
		}
	}
	return err
}

// RegenerateRecoveryCodes replaces the actor's recovery codes, after a
// code of the second factor; the new ones are shown once.
func (db *DB) RegenerateRecoveryCodes(ctx context.Context, a account.Actor, code string) ([]string, error) {
	var codes []string
	err := db.checkOwnCode(ctx, a, audit.SecondFactorRecovery, code, func(tx *Tx) error {
		var err error
		if codes, err = newRecoveryCodes(ctx, tx, a.UserID); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.For(a, audit.SecondFactorRecovery, "user", strconv.FormatInt(a.UserID, 10)))
	})
	return codes, err
}

// DisableSecondFactor removes the actor's second factor, after a code of
// it; refused (forbidden, audited) while the actor's role requires one.
func (db *DB) DisableSecondFactor(ctx context.Context, a account.Actor, code string) error {
	if err := requireLocalPerson(a); err != nil {
		return err
	}
	if db.secondFactorRequired(a.Role) {
		refusal := apperr.New(apperr.Forbidden, "your role requires a second factor").WithKey("totp.error.role_requires", nil)
		return db.denyAction(ctx, a, audit.SecondFactorDisable, "user", audit.PurposeSecurity, refusal)
	}
	return db.checkOwnCode(ctx, a, audit.SecondFactorDisable, code, func(tx *Tx) error {
		if err := removeSecondFactor(ctx, tx, a.UserID); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.For(a, audit.SecondFactorDisable, "user", strconv.FormatInt(a.UserID, 10)))
	})
}

func removeSecondFactor(ctx context.Context, tx *Tx, userID int64) error {
	for _, q := range []string{`DELETE FROM second_factors WHERE user_id = $1`, `DELETE FROM recovery_codes WHERE user_id = $1`,
		`DELETE FROM pending_logins WHERE user_id = $1`} {
		if _, err := tx.ExecContext(ctx, q, userID); err != nil {
			return err
		}
	}
	return nil
}

// ResetSecondFactor removes the second factor of a user the actor
// manages (admins everywhere, an OCMW admin at its own OCMW; anyone else
// gets the not_found of a missing user, audited as denied). The user's
// sessions end and an e-mail tells the user; a user whose role requires
// a second factor enrols again at the next sign-in. A user without one
// is left as is (audited too, detail "none set up").
func (db *DB) ResetSecondFactor(ctx context.Context, a account.Actor, userID int64) error {
	u, err := db.User(ctx, userID)
	if err != nil {
		return err
	}
	if !canManageUsersOf(a, u.Org) || !a.Can(account.ManageUsers) {
		return db.deny(ctx, a, audit.SecondFactorReset, "user", userID, noSuchUser())
	}
	return db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM second_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL`, userID).Scan(&n); err != nil {
			return err
		}
		if err := removeSecondFactor(ctx, tx, userID); err != nil { // an unconfirmed enrolment too
			return err
		}
		ev := audit.For(a, audit.SecondFactorReset, "user", strconv.FormatInt(userID, 10))
		if n == 0 {
			ev.Detail = "none set up"
			return tx.Audit(ctx, ev)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
			return err
		}
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		body := "De tweede factor van uw account in Kansrijk is door een beheerder gewist. U bent overal afgemeld.\n\n" +
			"Stel bij uw volgende aanmelding een nieuwe tweede factor in via " + db.baseURL() + "/account/second-factor" +
			" (voor beheerders en functionarissen voor gegevensbescherming gebeurt dat meteen na uw wachtwoord).\n\n" +
			"Vroeg u dit niet aan? Neem dan contact op met uw beheerder.\n"
		return enqueueStaffMail(ctx, tx, u.ID, u.Org, "Kansrijk: uw tweede factor is gewist", body)
	})
}

// PendingEnrolment returns the enrolment of a pending sign-in whose user
// must enrol (made on first use, the same on reload).
func (db *DB) PendingEnrolment(ctx context.Context, pending string) (account.Enrolment, error) {
	p, u, err := db.pendingLogin(ctx, pending)
	if err != nil {
		return account.Enrolment{}, err
	}
	if !p.Enrol {
		return account.Enrolment{}, errPendingInvalid()
	}
	var secret string
	err = db.read.QueryRowContext(ctx, `SELECT secret FROM second_factors WHERE user_id = $1 AND confirmed_at IS NULL`, u.ID).Scan(&secret)
	if err == nil {
		if secret, err = db.openSecret(u.ID, secret); err != nil {
			return account.Enrolment{}, err
		}
		return account.Enrolment{Email: u.Email, Secret: secret, URI: account.TOTPURI(u.Email, secret)}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return account.Enrolment{}, err
	}
	var e account.Enrolment
	err = db.inTx(ctx, func(tx *Tx) error {
		var err error
		e, err = beginEnrolment(ctx, tx, u.ID, u.Email)
		return err
	})
	return e, err
}

// ConfirmPendingEnrolment confirms the enrolment of a pending sign-in
// with a first code: the session opens and the recovery codes are
// returned, shown once.
func (db *DB) ConfirmPendingEnrolment(ctx context.Context, pending, code, addr, requestID string) (account.Session, []string, error) {
	var s account.Session
	p, u, err := db.pendingLogin(ctx, pending)
	if err != nil {
		return s, nil, err
	}
	if !p.Enrol {
		return s, nil, errPendingInvalid()
	}
	a := userActor(u, addr, requestID)
	if err := db.countCodeAttempt(ctx, a); err != nil {
		return s, nil, err
	}
	hash := account.HashSecret(pending)
	var codes []string
	err = db.inTx(ctx, func(tx *Tx) error {
		var err error
		if codes, err = confirmEnrolment(ctx, tx, a, code); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM pending_logins WHERE hash = $1 AND expires_at > $2`, hash, ts(tx.now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return errPendingInvalid() // used by a parallel request: nothing of this one stays
		}
		if err := forgetCodeAttempts(ctx, tx, u.ID); err != nil {
			return err
		}
		s, err = openSession(ctx, tx, u, addr, requestID, "second_factor=enrolled")
		return err
	})
	if apperr.Code(err) == apperr.Invalid {
		if aerr := db.inTx(ctx, func(tx *Tx) error {
			_, _ = tx.ExecContext(ctx, `UPDATE pending_logins SET failures = failures + 1 WHERE hash = $1`, hash)
			ev := audit.For(a, audit.LoginSecondFactor, "user", strconv.FormatInt(u.ID, 10))
			ev.Outcome, ev.Detail = audit.Failed, "wrong code at enrolment"
			return tx.Audit(ctx, ev)
		}); aerr != nil {
			return account.Session{}, nil, aerr
		}
	}
	if err != nil {
		return account.Session{}, nil, err
	}
	return s, codes, nil
}

// sealedPrefix starts a TOTP secret sealed with DB.SecondFactorKey.
const sealedPrefix = "aesgcm:"

// SecondFactorKeySize is the size of DB.SecondFactorKey (AES-256).
const SecondFactorKeySize = 32

// sealSecret is what the database keeps of a user's TOTP secret: with
// DB.SecondFactorKey, the secret sealed with AES-256-GCM (a random nonce,
// the user's id as associated data, so that a sealed secret copied to
// another user's row does not open); without, the secret as the app has it.
func (db *DB) sealSecret(userID int64, secret string) (string, error) {
	if len(db.SecondFactorKey) == 0 {
		return secret, nil
	}
	aead, err := db.secondFactorAEAD()
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := aead.Seal(nonce, nonce, []byte(secret), secretAD(userID))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// openSecret is the TOTP secret of what sealSecret stored; a secret
// stored before a key was configured is read as it is.
func (db *DB) openSecret(userID int64, stored string) (string, error) {
	rest, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return stored, nil
	}
	if len(db.SecondFactorKey) == 0 {
		return "", errors.New("second factor: the secret is sealed and KANSRIJK_SECOND_FACTOR_KEY_FILE is not set")
	}
	aead, err := db.secondFactorAEAD()
	if err != nil {
		return "", err
	}
	b, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil || len(b) < aead.NonceSize() {
		return "", errors.New("second factor: a sealed secret is malformed")
	}
	plain, err := aead.Open(nil, b[:aead.NonceSize()], b[aead.NonceSize():], secretAD(userID))
	if err != nil {
		return "", errors.New("second factor: a sealed secret does not open with KANSRIJK_SECOND_FACTOR_KEY_FILE's key")
	}
	return string(plain), nil
}

func (db *DB) secondFactorAEAD() (cipher.AEAD, error) {
	if len(db.SecondFactorKey) != SecondFactorKeySize {
		return nil, fmt.Errorf("second factor: the key has %d bytes, want %d", len(db.SecondFactorKey), SecondFactorKeySize)
	}
	block, err := aes.NewCipher(db.SecondFactorKey)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// ParseSecondFactorKey reads the key of KANSRIJK_SECOND_FACTOR_KEY_FILE:
// 32 random bytes in standard base64 (`openssl rand -base64 32`).
func ParseSecondFactorKey(b []byte) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != SecondFactorKeySize {
		return nil, fmt.Errorf("want %d random bytes in base64 (openssl rand -base64 32)", SecondFactorKeySize)
	}
	return key, nil
}

func secretAD(userID int64) []byte {
	return []byte("kansrijk second factor user " + strconv.FormatInt(userID, 10))
}

// DB is the store of the second factor.
var _ account.SecondFactors = (*DB)(nil)
