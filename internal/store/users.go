package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/org"
)

// Login throttling: see throttle.go.
const (
	// SessionLifetime is how long a session lasts after login.
	SessionLifetime = 10 * time.Hour
	// DefaultSessionIdle ends a session after this long without a
	// request (DB.SessionIdle overrides it).
	DefaultSessionIdle = 30 * time.Minute
)

func (db *DB) sessionIdle() time.Duration {
	if db.SessionIdle > 0 {
		return db.SessionIdle
	}
	return DefaultSessionIdle
}

const userColumns = `u.id, u.email, u.name, u.role, u.org_key, o.kind, o.name, u.active, u.created_at, u.service`

func scanUser(row rowScanner) (account.User, error) { return scanUserWith(row) }

// scanUserWith scans userColumns followed by extra columns.
func scanUserWith(row rowScanner, extra ...any) (account.User, error) {
	var u account.User
	var role, kind string
	var created timeCol
	err := row.Scan(append([]any{&u.ID, &u.Email, &u.Name, &role, &u.Org, &kind, &u.OrgName, &u.Active, &created, &u.Service}, extra...)...)
	u.Role, u.OrgKind, u.CreatedAt = account.Role(role), account.OrgKind(kind), created.T
	return u, err
}

// canManageUsersOf reports whether the actor may manage users of org:
// admins everywhere, an OCMW admin at its own OCMW.
func canManageUsersOf(a account.Actor, orgKey string) bool {
	return a.Role == account.Admin || (a.Role == account.OCMWAdmin && a.Org == orgKey)
}

// CreateUser creates a user. Admins create users anywhere; an OCMW admin
// only at its own OCMW and not as admin. Only the command line and the
// program itself may give the new user a password: an administrator
// working through the UI or the API never chooses another person's
// password (see InviteUser). Returns unknown_role, unknown_organisation,
// role_not_allowed_for_organisation, duplicate, forbidden or invalid, and
// changes nothing then.
func (db *DB) CreateUser(ctx context.Context, a account.Actor, in account.NewUser) (account.User, error) {
	u, _, err := db.createUser(ctx, a, in, false)
	return u, err
}

// InviteUser creates a user without a password and, in the same
// transaction, a one-time link (account.PasswordLinkLifetime) with which
// the user sets their own; the link is e-mailed to the user through the
// outbox and returned once, for hand-over by the creating admin.
func (db *DB) InviteUser(ctx context.Context, a account.Actor, in account.NewUser) (account.User, account.PasswordLink, error) {
	if in.Password != "" {
		return account.User{}, account.PasswordLink{}, adminChoosesPassword()
	}
	return db.createUser(ctx, a, in, true)
}

func adminChoosesPassword() error {
	return apperr.FieldErr(apperr.Forbidden, "password", "an administrator does not choose another user's password: the user gets a one-time link to set it").
		WithKey("identity.error.admin_password", nil)
}

// byPerson reports whether the actor is a person (or service account)
// working through the UI or the API, as opposed to the command line run on
// the server or the program itself.
func byPerson(a account.Actor) bool {
	ch := a.Channel()
	return a.UserID != 0 || ch == account.ChannelSession || ch == account.ChannelToken
}

// duplicateEmail is the one answer to an e-mail address already in use,
// wherever the account is: it names neither the organisation nor the role,
// so that an OCMW admin learns nothing about other organisations' accounts
// beyond what every sign-up form tells (the address is taken).
func duplicateEmail(email string) error {
	return apperr.FieldErr(apperr.Duplicate, "email", "the e-mail address %s cannot be used for a new account", email).
		WithKey("error.duplicate_email", map[string]any{"Email": email})
}

func (db *DB) createUser(ctx context.Context, a account.Actor, in account.NewUser, withLink bool) (u account.User, link account.PasswordLink, err error) {
	if in.Password != "" && byPerson(a) {
		return u, link, adminChoosesPassword()
	}
	if err := in.Normalize(); err != nil {
		return u, link, err
	}
	role := account.Role(in.Role)
	if !canManageUsersOf(a, in.Org) || (a.Role == account.OCMWAdmin && role != account.OCMWWorker && role != account.OCMWAdmin) {
		return u, link, apperr.New(apperr.Forbidden, "you may not create users at %s", in.Org).WithKey("error.forbidden", nil)
	}
	o, err := db.Organisation(ctx, in.Org)
	if err != nil {
		return u, link, err
	}
	if o.ValidTo != nil && o.ValidTo.Before(today(db.Now())) {
		return u, link, apperr.FieldErr(apperr.UnknownOrg, "org", "organisation %s ended on %s", o.Key, day(*o.ValidTo)).
			WithKey("error.org_ended", map[string]any{"Org": o.Name, "Date": o.ValidTo.Format("02-01-2006")})
	}
	if !role.AllowedAt(o.Kind) {
		return u, link, apperr.FieldErr(apperr.WrongOrgForRole, "role", "role %s cannot belong to organisation %s (a %s)", role, o.Key, o.Kind).
			WithKey("error.role_not_allowed", map[string]any{"Role": string(role), "Org": o.Name})
	}
	hash := ""
	if in.Password != "" {
		if hash, err = account.HashPassword(in.Password); err != nil {
			return u, link, err
		}
	}
	var id int64
	conflict := false
	err = db.inTx(ctx, func(tx *Tx) error {
		// The address may be in use anywhere. The answer is the same
		// wherever the account is; the attempt is audited and, when the
		// account is in another organisation, its owner is told.
		var otherID int64
		var otherOrg string
		switch err := tx.QueryRowContext(ctx, `SELECT id, org_key FROM users WHERE email = $1`, in.Email).Scan(&otherID, &otherOrg); {
		case err == nil:
			conflict = true
			ev := audit.For(a, audit.UserCreateConflict, "user", strconv.FormatInt(otherID, 10))
			ev.Outcome = audit.Denied
			ev.Detail = fmt.Sprintf("role=%s org=%s", role, in.Org)
			if err := tx.Audit(ctx, ev); err != nil {
				return err
			}
			if otherOrg != in.Org && byPerson(a) {
				return enqueueStaffMail(ctx, tx, otherID, otherOrg, "Kansrijk: poging om een account aan te maken met uw e-mailadres",
					fmt.Sprintf("Iemand van %s probeerde in Kansrijk een nieuw account aan te maken met uw e-mailadres. Er is niets veranderd aan uw account.\n\n"+
						"Verwachtte u dit niet, meld het dan aan de beheerder van uw organisatie.\n", o.Name))
			}
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, role, org_key, password_hash, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$6) RETURNING id`, in.Email, in.Name, string(role), in.Org, hash, ts(tx.now)).Scan(&id)
		if isUniqueViolation(err) {
			return duplicateEmail(in.Email)
		}
		if err != nil {
			return err
		}
		ev := audit.For(a, audit.UserCreate, "user", strconv.FormatInt(id, 10))
		ev.Detail = fmt.Sprintf("role=%s org=%s", role, in.Org)
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
		if withLink {
			link, err = db.newPasswordLink(ctx, tx, a, id, in.Org, account.LinkSetup)
		}
		return err
	})
	if err == nil && conflict {
		err = duplicateEmail(in.Email)
	}
	if err != nil {
		return u, account.PasswordLink{}, err
	}
	u, err = db.User(ctx, id)
	return u, link, err
}

func noSuchUser() error {
	return apperr.New(apperr.NotFound, "no such user").WithKey("error.not_found", nil)
}

// User returns a user by id, or not_found.
func (db *DB) User(ctx context.Context, id int64) (account.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u JOIN organisations o ON o.key = u.org_key WHERE u.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, noSuchUser()
	}
	return u, err
}

// deny answers an action on an existing user or token outside the
// actor's reach with notFound, exactly as for one that does not exist,
// and audits the refused action as denied (in a transaction of its own,
// like denyAgreement).
func (db *DB) deny(ctx context.Context, a account.Actor, action, objectType string, id int64, notFound error) error {
	if err := db.inTx(ctx, func(tx *Tx) error {
		ev := audit.For(a, action, objectType, strconv.FormatInt(id, 10))
		ev.Outcome = audit.Denied
		return tx.Audit(ctx, ev)
	}); err != nil {
		return err
	}
	return notFound
}

// UserByEmail returns a user by e-mail, or not_found.
func (db *DB) UserByEmail(ctx context.Context, email string) (account.User, error) {
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u JOIN organisations o ON o.key = u.org_key WHERE u.email = $1`,
		account.NormalizeEmail(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.FieldErr(apperr.NotFound, "email", "no user with e-mail %s", account.NormalizeEmail(email)).WithKey("error.not_found", nil)
	}
	return u, err
}

// Users lists the users the actor may manage: all for an admin, its own
// organisation's for an OCMW admin; forbidden for other roles.
func (db *DB) Users(ctx context.Context, a account.Actor) ([]account.User, error) {
	if err := a.Require(account.ManageUsers); err != nil {
		return nil, db.denyAction(ctx, a, auditUserList, "user", audit.PurposeAccounts, err)
	}
	q, args := `SELECT `+userColumns+` FROM users u JOIN organisations o ON o.key = u.org_key`, []any{}
	if a.Role != account.Admin {
		q += ` WHERE u.org_key = $1`
		args = append(args, a.Org)
	}
	out, err := queryList(ctx, db.read, scanUser, q+` ORDER BY o.name, u.email`, args...)
	if err != nil {
		return nil, err
	}
	if err := db.recordList(ctx, a, auditUserList, "user", audit.PurposeAccounts, idsOf(out, func(u account.User) int64 { return u.ID })); err != nil {
		return nil, err
	}
	return nilIfEmpty(out), nil
}

// TeamLeads returns the active team leads of a local team, by name.
func (db *DB) TeamLeads(ctx context.Context, key string) ([]org.Person, error) {
	return queryList(ctx, db.read, func(r rowScanner) (org.Person, error) {
		var p org.Person
		err := r.Scan(&p.Name, &p.Email)
		return p, err
	}, `SELECT name, email FROM users WHERE org_key = $1 AND role = $2 AND active = $3 ORDER BY name, email`, key, string(account.TeamLead), true)
}

// SetUserActive activates or deactivates a user; deactivation ends its
// sessions and revokes its tokens.
func (db *DB) SetUserActive(ctx context.Context, a account.Actor, id int64, active bool) error {
	u, err := db.User(ctx, id)
	if err != nil {
		return err
	}
	if !canManageUsersOf(a, u.Org) {
		return db.deny(ctx, a, audit.UserUpdate, "user", id, noSuchUser())
	}
	if u.ID == a.UserID && !active {
		return apperr.New(apperr.Invalid, "you cannot deactivate yourself").WithKey("error.self_deactivate", nil)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET active = $1, updated_at = $2 WHERE id = $3`, active, ts(tx.now), id); err != nil {
			return err
		}
		if !active {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`, ts(tx.now), id); err != nil {
				return err
			}
		}
		ev := audit.For(a, audit.UserUpdate, "user", strconv.FormatInt(id, 10))
		ev.Detail = fmt.Sprintf("active=%t", active)
		return tx.Audit(ctx, ev)
	})
}

// CreateToken creates an API token for the user with the given e-mail and
// returns its secret, which is shown once and stored only as a hash.
// Through the UI and the API everybody creates tokens only for themselves
// (email empty or their own; else forbidden, before any lookup, so that
// nobody can probe which addresses have accounts): an administrator never
// gets a credential that acts as another person. Machine clients get
// service accounts (CreateServiceAccount). The command line, run by the
// operator on the server, creates tokens for any active user.
func (db *DB) CreateToken(ctx context.Context, a account.Actor, email, label string) (secret string, err error) {
	email = account.NormalizeEmail(email)
	if email == "" {
		email = a.Email
	}
	if byPerson(a) && email != account.NormalizeEmail(a.Email) {
		return "", apperr.FieldErr(apperr.Forbidden, "email", "you may create tokens only for yourself").WithKey("identity.error.token_for_other", nil)
	}
	u, err := db.UserByEmail(ctx, email)
	if err != nil {
		return "", err
	}
	if !u.Active {
		return "", apperr.New(apperr.Invalid, "user %s is not active", u.Email).WithKey("error.user_inactive", nil)
	}
	label = strings.TrimSpace(label)
	if len(label) > 100 {
		return "", apperr.FieldErr(apperr.Invalid, "label", "label is too long").WithKey("error.too_long", nil)
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		secret, err = createToken(ctx, tx, a, u.ID, label)
		return err
	})
	return secret, err
}

// createToken inserts a token for user within tx and audits it.
func createToken(ctx context.Context, tx *Tx, a account.Actor, userID int64, label string) (string, error) {
	secret, hash := account.NewSecret(account.TokenPrefix)
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, label, hash, created_at) VALUES ($1,$2,$3,$4) RETURNING id`,
		userID, label, hash, ts(tx.now)).Scan(&id); err != nil {
		return "", err
	}
	ev := audit.For(a, audit.TokenCreate, "token", strconv.FormatInt(id, 10))
	ev.Detail = fmt.Sprintf("user=%d", userID)
	return secret, tx.Audit(ctx, ev)
}

// Tokens lists a user's tokens (own, or as one who manages the user).
func (db *DB) Tokens(ctx context.Context, a account.Actor, userID int64) ([]account.Token, error) {
	u, err := db.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.ID != a.UserID && !canManageUsersOf(a, u.Org) {
		return nil, apperr.New(apperr.NotFound, "no such user").WithKey("error.not_found", nil)
	}
	out, err := queryList(ctx, db.read, func(row rowScanner) (account.Token, error) {
		var t account.Token
		var c, l, r timeCol
		err := row.Scan(&t.ID, &t.UserID, &t.Label, &c, &l, &r)
		t.CreatedAt, t.LastUsedAt, t.RevokedAt = c.T, l.Ptr(), r.Ptr()
		return t, err
	}, `SELECT id, user_id, label, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id`, userID)
	return nilIfEmpty(out), err
}

// RevokeToken revokes a token; its owner or someone who manages the owner.
func (db *DB) RevokeToken(ctx context.Context, a account.Actor, id int64) error {
	var userID int64
	err := db.read.QueryRowContext(ctx, `SELECT user_id FROM api_tokens WHERE id = $1`, id).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "no such token").WithKey("error.not_found", nil)
	}
	if err != nil {
		return err
	}
	u, err := db.User(ctx, userID)
	if err != nil {
		return err
	}
	if u.ID != a.UserID && !canManageUsersOf(a, u.Org) {
		return db.deny(ctx, a, audit.TokenRevoke, "token", id, apperr.New(apperr.NotFound, "no such token").WithKey("error.not_found", nil))
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, ts(tx.now), id); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.For(a, audit.TokenRevoke, "token", strconv.FormatInt(id, 10)))
	})
}

func actorOf(u account.User, via string) account.Actor {
	return account.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Org: u.Org, OrgKind: u.OrgKind, Via: via, Service: u.Service}
}

// ActorByToken authenticates an API token. Unknown, revoked or inactive
// tokens give unauthorized.
func (db *DB) ActorByToken(ctx context.Context, secret string) (account.Actor, error) {
	var tokenID int64
	// CAST: the statement stays prepared (stmtcache.go).
	u, err := scanUserWith(db.hot().QueryRowContext(ctx, `SELECT `+userColumns+`, t.id FROM api_tokens t JOIN users u ON u.id = t.user_id
		JOIN organisations o ON o.key = u.org_key WHERE t.hash = CAST($1 AS TEXT) AND t.revoked_at IS NULL AND u.active`, account.HashSecret(secret)), &tokenID)
	if errors.Is(err, sql.ErrNoRows) {
		return account.Actor{}, apperr.New(apperr.Unauthorized, "invalid or revoked token").WithKey("error.unauthorized", nil)
	}
	if err != nil {
		return account.Actor{}, err
	}
	// Record the use, at most once a minute per token, in the background:
	// it must neither wait for the writer nor refuse the request.
	db.tokenUse.record(db, tokenID, db.Now())
	a := actorOf(u, account.ChannelToken)
	a.TokenID = tokenID
	return a, nil
}

// Login checks e-mail and password and opens a session. Every attempt is
// audited. Attempts are counted before the password is checked and
// throttled as throttle.go describes (too_many_attempts, with the seconds
// to wait in the error's Args "RetryAfter"); when too many passwords are
// being checked at once the attempt is refused as busy, uncounted.
func (db *DB) Login(ctx context.Context, email, password, addr, requestID string) (s account.Session, err error) {
	email = account.NormalizeEmail(email)
	now := db.Now().UTC()
	pol := db.throttlePolicy()
	ev := audit.Event{ActorEmail: email, Action: audit.LoginFailed, Outcome: audit.Failed, RequestID: requestID, ClientAddr: addr, ObjectType: "user",
		Channel: account.ChannelSession}
	att, err := db.countLoginAttempt(ctx, email, addr, ev)
	if err != nil {
		return s, err
	}
	if err := waitSoftDelay(ctx, att.delay); err != nil {
		return s, err
	}
	release, err := acquirePasswordCheck(ctx)
	if err != nil {
		if uerr := db.uncountLoginAttempt(context.WithoutCancel(ctx), att); uerr != nil {
			slog.Warn("uncount login attempt", "error", uerr)
		}
		return s, err
	}
	var hash string
	u, err := scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u JOIN organisations o ON o.key = u.org_key WHERE u.email = $1`, email))
	if err == nil {
		err = db.read.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, u.ID).Scan(&hash)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return s, err
	}
	ok := false
	if hash != "" && u.Active && !u.Service {
		ok = account.CheckPassword(hash, password)
	} else {
		account.BurnTime(password)
	}
	release()
	if !ok {
		if u.ID != 0 {
			ev.ActorUserID, ev.ObjectID = u.ID, strconv.FormatInt(u.ID, 10)
		}
		err := db.inTx(ctx, func(tx *Tx) error {
			if err := loginFailed(ctx, tx, att, pol.Window); err != nil {
				return err
			}
			return tx.Audit(ctx, ev)
		})
		if err != nil {
			return s, err
		}
		return s, apperr.New(apperr.BadCredentials, "wrong e-mail or password").WithKey("error.bad_credentials", nil)
	}
	secret, hashS := account.NewSecret("krs_")
	csrf, _ := account.NewSecret("")
	s = account.Session{Secret: secret, CSRF: csrf, Expires: now.Add(SessionLifetime), Actor: actorOf(u, "session")}
	s.Actor.RequestID, s.Actor.ClientAddr = requestID, addr
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, csrf, created_at, expires_at, last_seen_at) VALUES ($1,$2,$3,$4,$5,$4)`,
			hashS, u.ID, csrf, ts(tx.now), ts(s.Expires)); err != nil {
			return err
		}
		if err := loginSucceeded(ctx, tx, att, pol.Window); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, ts(tx.now)); err != nil {
			return err
		}
		ev := audit.For(s.Actor, audit.LoginOK, "user", strconv.FormatInt(u.ID, 10))
		return tx.Audit(ctx, ev)
	})
	return s, err
}

// SessionBySecret returns the live session for a cookie value: not past
// its absolute lifetime (SessionLifetime) and used within the idle
// timeout (DB.SessionIdle). Each use moves the idle deadline on (written
// at most once a minute, outside any request transaction).
func (db *DB) SessionBySecret(ctx context.Context, secret string) (account.Session, error) {
	var s account.Session
	var exp, seen timeCol
	now := db.Now().UTC()
	hash := account.HashSecret(secret)
	row := db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, s.csrf, s.expires_at, COALESCE(s.last_seen_at, s.created_at) FROM sessions s JOIN users u ON u.id = s.user_id
		JOIN organisations o ON o.key = u.org_key WHERE s.hash = $1 AND s.expires_at > $2 AND COALESCE(s.last_seen_at, s.created_at) > $3 AND u.active AND NOT u.service`,
		hash, ts(now), ts(now.Add(-db.sessionIdle())))
	u, err := scanUserWith(row, &s.CSRF, &exp, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return s, apperr.New(apperr.Unauthorized, "not signed in").WithKey("error.unauthorized", nil)
	}
	if err != nil {
		return s, err
	}
	if seen.T.Before(now.Add(-time.Minute)) {
		if _, err := db.write.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE hash = $2`, ts(now), hash); err != nil {
			slog.Warn("record session use", "error", err)
		}
	}
	s.Actor, s.Expires = actorOf(u, account.ChannelSession), exp.T
	return s, nil
}

// Logout ends a session.
func (db *DB) Logout(ctx context.Context, a account.Actor, secret string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE hash = $1`, account.HashSecret(secret)); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.For(a, audit.Logout, "user", strconv.FormatInt(a.UserID, 10)))
	})
}

// CountUsers returns the number of users (to tell an empty database).
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}
