package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
)

// Identity (issue 10): one-time links to set a password, password
// changes and service accounts.

// CodePasswordLinkInvalid is the one answer to a one-time link that is
// unknown, used, expired or of an inactive user: nobody learns which.
const CodePasswordLinkInvalid = "password_link_invalid"

// CodeCurrentPasswordWrong answers a password change whose current
// password is wrong.
const CodeCurrentPasswordWrong = "current_password_wrong"

// maxLinkRequestsPerHour bounds the reset links a user can be sent by
// asking for them from the login page (more requests are accepted and
// audited, but send nothing).
const maxLinkRequestsPerHour = 3

// maxChangeFailures bounds the wrong current passwords of password
// changes per user within changeFailureWindow.
const maxChangeFailures = 5

// changeFailureWindow is the window of maxChangeFailures.
const changeFailureWindow = 15 * time.Minute

func invalidLink() error {
	return apperr.New(CodePasswordLinkInvalid, "this link is not valid (any more); ask for a new one").WithKey("identity.error.link_invalid", nil)
}

func (db *DB) baseURL() string {
	if db.BaseURL != "" {
		return strings.TrimRight(db.BaseURL, "/")
	}
	return "http://localhost:8080"
}

// enqueueStaffMail queues an e-mail to a Kansrijk user in the outbox
// within tx (delivered by package notify to the user's current address,
// skipped if the user is no longer active).
func enqueueStaffMail(ctx context.Context, tx *Tx, userID int64, orgKey, subject, body string) error {
	b, err := json.Marshal(map[string]any{"user_id": userID, "subject": subject, "body": body})
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (kind, org_key, payload, created_at, next_at, webhook_status) VALUES ($1,$2,$3,$4,$4,$5)`,
		OutboxStaffMail, orgKey, string(b), ts(tx.now), WebhookNone)
	return err
}

// newPasswordLink creates a one-time link for user within tx, ends the
// user's earlier unused links, audits it and e-mails it to the user. Only
// the hash of the secret is stored in password_links; the e-mail in the
// outbox carries the link until it is delivered.
func (db *DB) newPasswordLink(ctx context.Context, tx *Tx, a account.Actor, userID int64, orgKey, purpose string) (account.PasswordLink, error) {
	secret, hash := account.NewSecret(account.PasswordLinkPrefix)
	l := account.PasswordLink{UserID: userID, Purpose: purpose, Secret: secret, Path: account.PasswordLinkPath(secret),
		Expires: tx.now.Add(account.PasswordLinkLifetime)}
	if _, err := tx.ExecContext(ctx, `UPDATE password_links SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, ts(tx.now), userID); err != nil {
		return l, err
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO password_links (user_id, hash, purpose, created_at, expires_at) VALUES ($1,$2,$3,$4,$5) RETURNING id`,
		userID, hash, purpose, ts(tx.now), ts(l.Expires)).Scan(&l.ID); err != nil {
		return l, err
	}
	ev := audit.For(a, audit.PasswordLinkCreate, "user", strconv.FormatInt(userID, 10))
	ev.Detail = fmt.Sprintf("purpose=%s link=%d", purpose, l.ID)
	if err := tx.Audit(ctx, ev); err != nil {
		return l, err
	}
	subject, intro := "Kansrijk: kies uw wachtwoord", "Er is een account in Kansrijk voor u aangemaakt."
	if purpose == account.LinkReset {
		subject, intro = "Kansrijk: stel een nieuw wachtwoord in", "Er is gevraagd om het wachtwoord van uw account in Kansrijk opnieuw in te stellen."
	}
	body := fmt.Sprintf("%s\n\nKies uw wachtwoord via deze link (één keer te gebruiken, geldig tot %s UTC):\n%s%s\n\n"+
		"Vroeg u dit niet aan, negeer dan dit bericht: er verandert niets.\n", intro, l.Expires.Format("02-01-2006 15:04"), db.baseURL(), l.Path)
	return l, enqueueStaffMail(ctx, tx, userID, orgKey, subject, body)
}

// CreatePasswordReset creates a one-time reset link for a user the actor
// manages (admins everywhere, an OCMW admin at its own OCMW) and e-mails
// it; the link is returned once for hand-over. The current password stays
// valid until the link is used. A user the actor does not manage is
// not_found, as one that does not exist.
func (db *DB) CreatePasswordReset(ctx context.Context, a account.Actor, userID int64) (account.PasswordLink, error) {
	u, err := db.User(ctx, userID)
	if err != nil {
		return account.PasswordLink{}, err
	}
	if !canManageUsersOf(a, u.Org) {
		return account.PasswordLink{}, db.deny(ctx, a, audit.PasswordLinkCreate, "user", userID, noSuchUser())
	}
	if u.Service {
		return account.PasswordLink{}, apperr.New(apperr.Invalid, "a service account has no password").WithKey("identity.error.service_no_password", nil)
	}
	if !u.Active {
		return account.PasswordLink{}, apperr.New(apperr.Invalid, "user %s is not active", u.Email).WithKey("error.user_inactive", nil)
	}
	var l account.PasswordLink
	err = db.inTx(ctx, func(tx *Tx) error {
		l, err = db.newPasswordLink(ctx, tx, a, u.ID, u.Org, account.LinkReset)
		return err
	})
	return l, err
}

// RequestPasswordReset is the "forgot password" of the login page: when
// the e-mail belongs to an active person, a reset link is e-mailed to it
// (at most maxLinkRequestsPerHour an hour). The answer is the same whether
// or not the address exists; every request is audited.
func (db *DB) RequestPasswordReset(ctx context.Context, email, addr, requestID string) error {
	email = account.NormalizeEmail(email)
	if email == "" || len(email) > 320 {
		return nil
	}
	u, err := db.UserByEmail(ctx, email)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		ev := audit.Event{ActorEmail: email, Action: audit.PasswordLinkRequest, ObjectType: "user", Outcome: audit.Failed,
			RequestID: requestID, ClientAddr: addr, Channel: account.ChannelSession}
		if u.ID == 0 || !u.Active || u.Service {
			return tx.Audit(ctx, ev)
		}
		ev.ActorUserID, ev.ObjectID = u.ID, strconv.FormatInt(u.ID, 10)
		var recent int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM password_links WHERE user_id = $1 AND created_at > $2`,
			u.ID, ts(tx.now.Add(-time.Hour))).Scan(&recent); err != nil {
			return err
		}
		if recent >= maxLinkRequestsPerHour {
			ev.Outcome, ev.Detail = audit.Denied, "too many requests"
			return tx.Audit(ctx, ev)
		}
		ev.Outcome = audit.OK
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		a := actorOf(u, account.ChannelSession)
		a.RequestID, a.ClientAddr = requestID, addr
		_, err := db.newPasswordLink(ctx, tx, a, u.ID, u.Org, account.LinkReset)
		return err
	})
}

// SetPasswordWithLink sets the password of the link's user and uses the
// link up: it works once, before it expires, for an active person. Every
// other case answers password_link_invalid alike. The password is checked
// against the policy first (a refused password leaves the link usable) and
// hashed before the link is looked at, so the time taken does not tell a
// valid link from an invalid one. The user's sessions end.
func (db *DB) SetPasswordWithLink(ctx context.Context, secret, password, addr, requestID string) error {
	if err := account.ValidatePassword(password); err != nil {
		return err
	}
	hash, err := hashPasswordBounded(ctx, password)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(secret, account.PasswordLinkPrefix) || len(secret) > 100 {
		return invalidLink()
	}
	valid := false
	err = db.inTx(ctx, func(tx *Tx) error {
		var linkID, userID int64
		err := tx.QueryRowContext(ctx, `UPDATE password_links SET used_at = $1 WHERE hash = $2 AND used_at IS NULL AND expires_at > $1
			RETURNING id, user_id`, ts(tx.now), account.HashSecret(secret)).Scan(&linkID, &userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u JOIN organisations o ON o.key = u.org_key WHERE u.id = $1`, userID))
		if err != nil {
			return err
		}
		if !u.Active || u.Service {
			return nil // the link stays used up
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, ts(tx.now), u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID); err != nil {
			return err
		}
		a := actorOf(u, account.ChannelSession)
		a.RequestID, a.ClientAddr = requestID, addr
		ev := audit.For(a, audit.PasswordSet, "user", strconv.FormatInt(u.ID, 10))
		ev.Detail = fmt.Sprintf("link=%d", linkID)
		valid = true
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return err
	}
	if !valid {
		return invalidLink()
	}
	return nil
}

// hashPasswordBounded hashes a password in one of the slots of password
// checks (acquirePasswordCheck): each argon2id hash takes 64 MiB, and the
// link page is open to anyone, so that hashes, like logins, never run
// more at once than the cap (busy: too_many_requests).
func hashPasswordBounded(ctx context.Context, password string) (string, error) {
	release, err := acquirePasswordCheck(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return account.HashPassword(password)
}

// ChangePassword changes the actor's own password; the current one is
// required. Every session of the user ends (the UI signs in again). A
// wrong current password is audited and answered current_password_wrong.
func (db *DB) ChangePassword(ctx context.Context, a account.Actor, current, password string) error {
	if a.UserID == 0 || a.Service {
		return apperr.New(apperr.Forbidden, "this account has no password").WithKey("error.forbidden", nil)
	}
	var old string
	if err := db.read.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1 AND active`, a.UserID).Scan(&old); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.Unauthorized, "not signed in").WithKey("error.unauthorized", nil)
		}
		return err
	}
	// A stolen session must not guess the current password at leisure:
	// every attempt is counted atomically before the check (as a login's
	// is), and given back when the current password was right; more than
	// maxChangeFailures within changeFailureWindow are refused, however
	// many arrive in parallel.
	var until, now time.Time
	key := throttleKey("password_change", strconv.FormatInt(a.UserID, 10))
	if err := db.inTx(ctx, func(tx *Tx) error {
		now = tx.now
		n, start, err := bumpThrottle(ctx, tx, key, changeFailureWindow)
		if n > maxChangeFailures {
			until = start.T.Add(changeFailureWindow)
		}
		return err
	}); err != nil {
		return err
	}
	if !until.IsZero() {
		return throttled(until.Sub(now))
	}
	release, err := acquirePasswordCheck(ctx)
	if err != nil {
		return err
	}
	ok := account.CheckPassword(old, current)
	release()
	if ok {
		if err := db.inTx(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE login_throttle SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0`, key)
			return err
		}); err != nil {
			return err
		}
	}
	if !ok {
		err := db.inTx(ctx, func(tx *Tx) error {
			ev := audit.For(a, audit.PasswordChange, "user", strconv.FormatInt(a.UserID, 10))
			ev.Outcome, ev.Detail = audit.Failed, "current password wrong"
			return tx.Audit(ctx, ev)
		})
		if err != nil {
			return err
		}
		return apperr.FieldErr(CodeCurrentPasswordWrong, "current_password", "the current password is wrong").WithKey("identity.error.current_password_wrong", nil)
	}
	if err := account.ValidatePassword(password); err != nil {
		return err
	}
	if current == password {
		return apperr.FieldErr(apperr.Invalid, "password", "the new password is the current one").WithKey("identity.error.password_same", nil)
	}
	hash, err := hashPasswordBounded(ctx, password)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, ts(tx.now), a.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, a.UserID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE password_links SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, ts(tx.now), a.UserID); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.For(a, audit.PasswordChange, "user", strconv.FormatInt(a.UserID, 10)))
	})
}

// mayAdministerServiceAccounts reports whether the actor administers the
// service accounts of organisation orgKey of kind k: an OCMW admin those
// of its own OCMW (or CAW); Opgroeien's admin those of Opgroeien, the
// local teams and the clinics (which have no admins of their own) — never
// an OCMW's.
func mayAdministerServiceAccounts(a account.Actor, orgKey string, k account.OrgKind) bool {
	switch a.Role {
	case account.OCMWAdmin:
		return a.Org == orgKey
	case account.Admin:
		return k == account.KindOpgroeien || k == account.KindTeam || k == account.KindClinic
	}
	return false
}

func noSuchServiceAccount() error {
	return apperr.New(apperr.NotFound, "no such service account").WithKey("error.not_found", nil)
}

// CreateServiceAccount creates a service account of an organisation the
// actor administers (see mayAdministerServiceAccounts; an empty
// organisation is the actor's own) and its first API token, whose secret
// is returned once. The account has the organisation's working role
// (account.ServiceAccountRole), a generated address and no password.
func (db *DB) CreateServiceAccount(ctx context.Context, a account.Actor, in account.NewServiceAccount) (account.User, string, error) {
	var u account.User
	if err := a.Require(account.ManageServiceAccounts); err != nil {
		return u, "", err
	}
	in.Name, in.Org, in.Label = strings.TrimSpace(in.Name), strings.TrimSpace(in.Org), strings.TrimSpace(in.Label)
	if in.Org == "" {
		in.Org = a.Org
	}
	// Every problem of the input at once (apperr.List); a refusal alone.
	var problems []*apperr.Error
	if in.Name == "" {
		problems = append(problems, apperr.FieldErr(apperr.Invalid, "name", "a service account needs a name that says which system it is").WithKey("error.name_required", nil))
	}
	if len(in.Name) > 200 {
		problems = append(problems, apperr.FieldErr(apperr.Invalid, "name", "name is too long").WithKey("error.too_long", nil))
	}
	if len(in.Label) > 100 {
		problems = append(problems, apperr.FieldErr(apperr.Invalid, "label", "label is too long").WithKey("error.too_long", nil))
	}
	o, err := db.Organisation(ctx, in.Org)
	var role account.Role
	switch {
	case err != nil && apperr.Problems(err) == nil:
		return u, "", err
	case err != nil:
		for _, e := range apperr.Problems(err) {
			c := *e
			c.Field = "organisation" // the input's name, as the other problems of the organisation
			problems = append(problems, &c)
		}
	case !mayAdministerServiceAccounts(a, o.Key, o.Kind):
		return u, "", apperr.FieldErr(apperr.Forbidden, "organisation", "you may not create service accounts for %s", o.Key).WithKey("error.forbidden", nil)
	case o.ValidTo != nil && o.ValidTo.Before(today(db.Now())):
		problems = append(problems, apperr.FieldErr(apperr.UnknownOrg, "organisation", "organisation %s ended on %s", o.Key, day(*o.ValidTo)).
			WithKey("error.org_ended", map[string]any{"Org": o.Name, "Date": o.ValidTo.Format("02-01-2006")}))
	default:
		var ok bool
		if role, ok = account.ServiceAccountRole(o.Kind); !ok {
			problems = append(problems, apperr.FieldErr(apperr.WrongOrgForRole, "organisation", "organisation %s cannot have service accounts", o.Key).WithKey("error.forbidden", nil))
		}
	}
	if err := apperr.Join(problems); err != nil {
		return u, "", err
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return u, "", err
	}
	email := "service-" + hex.EncodeToString(b) + "@" + strings.ToLower(o.Key) + ".service.invalid"
	label := in.Label
	if label == "" {
		label = in.Name
	}
	var id int64
	var secret string
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, role, org_key, password_hash, service, created_at, updated_at)
			VALUES ($1,$2,$3,$4,'',$5,$6,$6) RETURNING id`, email, in.Name, string(role), o.Key, true, ts(tx.now)).Scan(&id); err != nil {
			return err
		}
		ev := audit.For(a, audit.ServiceAccountCreate, "user", strconv.FormatInt(id, 10))
		ev.Detail = fmt.Sprintf("role=%s org=%s", role, o.Key)
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		secret, err = createToken(ctx, tx, a, id, label)
		return err
	})
	if err != nil {
		return u, "", err
	}
	u, err = db.User(ctx, id)
	return u, secret, err
}

// serviceAccount returns a service account the actor administers, or
// not_found (also for one of another organisation: that refusal of action
// is audited as denied).
func (db *DB) serviceAccount(ctx context.Context, a account.Actor, id int64, action string) (account.User, error) {
	if err := a.Require(account.ManageServiceAccounts); err != nil {
		return account.User{}, err
	}
	u, err := db.User(ctx, id)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return account.User{}, err
	}
	if err != nil || !u.Service {
		return account.User{}, noSuchServiceAccount()
	}
	if !mayAdministerServiceAccounts(a, u.Org, u.OrgKind) {
		return account.User{}, db.deny(ctx, a, action, "user", id, noSuchServiceAccount())
	}
	return u, nil
}

// ServiceAccounts lists the service accounts the actor administers, with
// their tokens.
func (db *DB) ServiceAccounts(ctx context.Context, a account.Actor) ([]account.ServiceAccount, error) {
	if err := a.Require(account.ManageServiceAccounts); err != nil {
		return nil, db.denyAction(ctx, a, auditServiceList, "user", audit.PurposeAccounts, err)
	}
	q, args := `SELECT `+userColumns+` FROM users u JOIN organisations o ON o.key = u.org_key WHERE u.service`, []any{}
	if a.Role == account.OCMWAdmin {
		q += ` AND u.org_key = $1`
		args = append(args, a.Org)
	} else {
		q += ` AND o.kind IN ($1,$2,$3)`
		args = append(args, string(account.KindOpgroeien), string(account.KindTeam), string(account.KindClinic))
	}
	users, err := queryList(ctx, db.read, scanUser, q+` ORDER BY o.name, u.name, u.id`, args...)
	if err != nil {
		return nil, err
	}
	out := make([]account.ServiceAccount, 0, len(users))
	for _, u := range users {
		toks, err := db.Tokens(ctx, a, u.ID)
		if err != nil {
			return nil, err
		}
		if toks == nil {
			toks = []account.Token{}
		}
		out = append(out, account.ServiceAccount{User: u, Tokens: toks})
	}
	if err := db.recordList(ctx, a, auditServiceList, "user", audit.PurposeAccounts, idsOf(users, func(u account.User) int64 { return u.ID })); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateServiceToken adds an API token to a service account the actor
// administers (to rotate it) and returns the secret once.
func (db *DB) CreateServiceToken(ctx context.Context, a account.Actor, id int64, label string) (string, error) {
	u, err := db.serviceAccount(ctx, a, id, audit.TokenCreate)
	if err != nil {
		return "", err
	}
	if !u.Active {
		return "", apperr.New(apperr.Invalid, "the service account is revoked").WithKey("error.user_inactive", nil)
	}
	label = strings.TrimSpace(label)
	if len(label) > 100 {
		return "", apperr.FieldErr(apperr.Invalid, "label", "label is too long").WithKey("error.too_long", nil)
	}
	var secret string
	err = db.inTx(ctx, func(tx *Tx) error {
		secret, err = createToken(ctx, tx, a, u.ID, label)
		return err
	})
	return secret, err
}

// RevokeServiceAccount deactivates a service account the actor
// administers and revokes all its tokens.
func (db *DB) RevokeServiceAccount(ctx context.Context, a account.Actor, id int64) error {
	u, err := db.serviceAccount(ctx, a, id, audit.ServiceAccountRevoke)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET active = $1, updated_at = $2 WHERE id = $3`, false, ts(tx.now), u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`, ts(tx.now), u.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.For(a, audit.ServiceAccountRevoke, "user", strconv.FormatInt(u.ID, 10)))
	})
}
