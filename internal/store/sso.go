package store

// Area sso: single sign-on with OpenID Connect (issue 15). The protocol is
// internal/sso's; here a verified identity becomes a user and a session,
// and sign-ins without a role or organisation wait for an admin.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/sso"
)

// Audit actions of single sign-on (user.*: account management).
const (
	// ActionIdentityLink: an identity (issuer, subject) was linked to a
	// user, at its first sign-in.
	ActionIdentityLink = "user.identity_link"
	// ActionSSOPendingList: an admin read the pending sign-ins.
	ActionSSOPendingList = "user.sso_pending_list"
	// ActionSSOAssign: an admin gave a pending sign-in a role and an
	// organisation (the user.create event follows).
	ActionSSOAssign = "user.sso_assign"
)

var _ sso.Store = (*DB)(nil)

// SignIn matches a verified identity to a user and opens a session (see
// sso.Store). The role and organisation of the claims, when both are
// valid (a known, current organisation; a role allowed there), create the
// user or update it; otherwise an existing user keeps what it has and a
// new one waits as pending. Every outcome is audited: login.ok (detail
// "oidc") as for a password, login.failed with the code otherwise.
func (db *DB) SignIn(ctx context.Context, in sso.SignIn) (account.Session, error) {
	var s account.Session
	var refused *sso.Error
	var err error
	// Two first sign-ins of one person at once (two tabs, two instances)
	// race to make the user, the link or the pending row: the loser runs
	// again and finds what the winner made.
	for try := 0; try < 2; try++ {
		err = db.inTx(ctx, func(tx *Tx) error {
			refused = nil
			var err error
			s, refused, err = db.signIn(ctx, tx, in)
			return err
		})
		if !isUniqueViolation(err) {
			break
		}
	}
	if err != nil {
		return account.Session{}, err
	}
	if refused != nil {
		return account.Session{}, refused
	}
	return s, nil
}

func (db *DB) signIn(ctx context.Context, tx *Tx, in sso.SignIn) (account.Session, *sso.Error, error) {
	var s account.Session
	ev := audit.Event{ActorEmail: in.Email, Action: audit.LoginFailed, Outcome: audit.Denied, RequestID: in.RequestID, ClientAddr: in.ClientAddr,
		ObjectType: "user", Channel: account.ChannelSession, Purpose: audit.PurposeOf(audit.LoginFailed)}
	refuse := func(code string, u account.User) (account.Session, *sso.Error, error) {
		if u.ID != 0 {
			ev.ActorUserID, ev.ObjectID = u.ID, strconv.FormatInt(u.ID, 10)
		}
		ev.Detail = "oidc " + code
		return s, sso.Fail(code, "", nil), tx.Audit(ctx, ev)
	}
	u, linked, err := userByIdentity(ctx, tx, in.Issuer, in.Subject)
	if err != nil {
		return s, nil, err
	}
	found := linked
	if !found && in.Email != "" {
		switch u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u JOIN organisations o ON o.key = u.org_key WHERE u.email = $1`, in.Email)); {
		case err == nil:
			if !in.EmailVerified {
				return refuse(sso.CodeEmailUnverified, u)
			}
			found = true
		case !errors.Is(err, sql.ErrNoRows):
			return s, nil, err
		}
	}
	role, orgKey, claimsOK, err := db.claimedRoleOrg(ctx, tx, in.Identity)
	if err != nil {
		return s, nil, err
	}
	switch {
	case !found && in.Email == "":
		return refuse(sso.CodeNoEmail, u)
	case !found && !claimsOK:
		if err := upsertPending(ctx, tx, in.Identity); err != nil {
			return s, nil, err
		}
		return refuse(sso.CodePending, u)
	case !found:
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, role, org_key, password_hash, created_at, updated_at)
			VALUES ($1,$2,$3,$4,'',$5,$5) RETURNING id`, in.Email, in.Name, string(role), orgKey, ts(tx.now)).Scan(&id)
		if err != nil {
			return s, nil, err
		}
		if u, err = userTx(ctx, tx, id); err != nil {
			return s, nil, err
		}
		// The person made their own account by signing in: the event's
		// actor is the new user, its detail says so.
		ev := audit.For(actorOf(u, account.ChannelSession), audit.UserCreate, "user", strconv.FormatInt(id, 10))
		ev.RequestID, ev.ClientAddr = in.RequestID, in.ClientAddr
		ev.Detail = fmt.Sprintf("role=%s org=%s from oidc claims", role, orgKey)
		if err := tx.Audit(ctx, ev); err != nil {
			return s, nil, err
		}
	case u.Service:
		return refuse(sso.CodeNotAllowed, u)
	case !u.Active:
		return refuse(sso.CodeDeactivated, u)
	case claimsOK && (role != u.Role || orgKey != u.Org):
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = $1, org_key = $2, updated_at = $3 WHERE id = $4`, string(role), orgKey, ts(tx.now), u.ID); err != nil {
			return s, nil, err
		}
		ev := audit.For(actorOf(u, account.ChannelSession), audit.UserUpdate, "user", strconv.FormatInt(u.ID, 10))
		ev.RequestID, ev.ClientAddr = in.RequestID, in.ClientAddr
		ev.Detail = fmt.Sprintf("role=%s org=%s from oidc claims (was role=%s org=%s)", role, orgKey, u.Role, u.Org)
		if err := tx.Audit(ctx, ev); err != nil {
			return s, nil, err
		}
		if u, err = userTx(ctx, tx, u.ID); err != nil {
			return s, nil, err
		}
	}
	if linked {
		if _, err := tx.ExecContext(ctx, `UPDATE user_identities SET last_login_at = $1 WHERE issuer = $2 AND subject = $3`, ts(tx.now), in.Issuer, in.Subject); err != nil {
			return s, nil, err
		}
	} else if err := linkIdentity(ctx, tx, actorOf(u, account.ChannelSession), u.ID, in); err != nil {
		return s, nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sso_pending WHERE issuer = $1 AND subject = $2`, in.Issuer, in.Subject); err != nil {
		return s, nil, err
	}
	// The session of a password login (Login), with the same event.
	secret, hash := account.NewSecret("krs_")
	csrf, _ := account.NewSecret("")
	s = account.Session{Secret: secret, CSRF: csrf, Expires: tx.now.UTC().Add(SessionLifetime), Actor: actorOf(u, account.ChannelSession)}
	s.Actor.RequestID, s.Actor.ClientAddr = in.RequestID, in.ClientAddr
	if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, csrf, created_at, expires_at, last_seen_at) VALUES ($1,$2,$3,$4,$5,$4)`,
		hash, u.ID, csrf, ts(tx.now), ts(s.Expires)); err != nil {
		return s, nil, err
	}
	ok := audit.For(s.Actor, audit.LoginOK, "user", strconv.FormatInt(u.ID, 10))
	ok.Detail = "oidc"
	return s, nil, tx.Audit(ctx, ok)
}

func userByIdentity(ctx context.Context, tx *Tx, issuer, subject string) (account.User, bool, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM user_identities i JOIN users u ON u.id = i.user_id
		JOIN organisations o ON o.key = u.org_key WHERE i.issuer = $1 AND i.subject = $2`, issuer, subject))
	if errors.Is(err, sql.ErrNoRows) {
		return u, false, nil
	}
	return u, err == nil, err
}

func userTx(ctx context.Context, tx *Tx, id int64) (account.User, error) {
	return scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u JOIN organisations o ON o.key = u.org_key WHERE u.id = $1`, id))
}

func linkIdentity(ctx context.Context, tx *Tx, a account.Actor, userID int64, in sso.SignIn) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO user_identities (issuer, subject, user_id, created_at, last_login_at) VALUES ($1,$2,$3,$4,$4)`,
		in.Issuer, in.Subject, userID, ts(tx.now)); err != nil {
		return err
	}
	ev := audit.For(a, ActionIdentityLink, "user", strconv.FormatInt(userID, 10))
	ev.RequestID, ev.ClientAddr = in.RequestID, in.ClientAddr
	ev.Detail = "issuer=" + in.Issuer
	return tx.Audit(ctx, ev)
}

// claimedRoleOrg validates the claims' organisation and role: a known
// organisation that has not ended, a role allowed at its kind.
func (db *DB) claimedRoleOrg(ctx context.Context, tx *Tx, id sso.Identity) (account.Role, string, bool, error) {
	if id.Org == "" || id.Role == "" {
		return "", "", false, nil
	}
	var kind string
	var validTo sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT kind, CAST(valid_to AS TEXT) FROM organisations WHERE key = $1`, id.Org).Scan(&kind, &validTo)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	if validTo.Valid && validTo.String != "" && validTo.String[:min(10, len(validTo.String))] < day(today(tx.now)) {
		return "", "", false, nil
	}
	if !id.Role.AllowedAt(account.OrgKind(kind)) {
		return "", "", false, nil
	}
	return id.Role, id.Org, true, nil
}

func upsertPending(ctx context.Context, tx *Tx, id sso.Identity) error {
	res, err := tx.ExecContext(ctx, `UPDATE sso_pending SET email = $1, name = $2, claimed_org = $3, claimed_role = $4, last_seen = $5, attempts = attempts + 1
		WHERE issuer = $6 AND subject = $7`, id.Email, id.Name, clip(id.Org), clip(id.RoleClaim), ts(tx.now), id.Issuer, id.Subject)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sso_pending (issuer, subject, email, name, claimed_org, claimed_role, first_seen, last_seen)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$7)`, id.Issuer, id.Subject, id.Email, id.Name, clip(id.Org), clip(id.RoleClaim), ts(tx.now))
	return err
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200]
	}
	return s
}

// FailSignIn audits a sign-in refused before an identity was known.
func (db *DB) FailSignIn(ctx context.Context, code, detail, addr, requestID string) error {
	ev := audit.Event{Action: audit.LoginFailed, Outcome: audit.Failed, RequestID: requestID, ClientAddr: addr, ObjectType: "user",
		Channel: account.ChannelSession, Purpose: audit.PurposeOf(audit.LoginFailed), Detail: strings.TrimSpace("oidc " + code + " " + detail)}
	return db.inTx(ctx, func(tx *Tx) error { return tx.Audit(ctx, ev) })
}

func ssoAdminOnly(a account.Actor) error {
	if a.Role != account.Admin {
		return apperr.New(apperr.Forbidden, "only Opgroeien's admins handle pending sign-ins").WithKey("error.forbidden", nil)
	}
	return nil
}

// PendingSignIns lists the sign-ins waiting for a role and organisation,
// the latest first; one audit event names them.
func (db *DB) PendingSignIns(ctx context.Context, a account.Actor) ([]sso.Pending, error) {
	if err := ssoAdminOnly(a); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, issuer, subject, email, name, claimed_org, claimed_role, first_seen, last_seen, attempts
		FROM sso_pending ORDER BY last_seen DESC, id DESC LIMIT 200`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sso.Pending
	var ids []int64
	for rows.Next() {
		var p sso.Pending
		var first, last timeCol
		if err := rows.Scan(&p.ID, &p.Issuer, &p.Subject, &p.Email, &p.Name, &p.ClaimedOrg, &p.ClaimedRole, &first, &last, &p.Attempts); err != nil {
			return nil, err
		}
		p.FirstSeen, p.LastSeen = first.T, last.T
		out = append(out, p)
		ids = append(ids, p.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) > 0 {
		if err := db.recordReads(ctx, audit.For(a, ActionSSOPendingList, "sso_pending", audit.ListObjectID(ids))); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AssignPending makes the user of a pending sign-in with role at orgKey,
// links the identity and removes the pending row; the person's next
// sign-in opens a session. A pending sign-in whose address is in use
// meanwhile is a duplicate (nothing changes).
func (db *DB) AssignPending(ctx context.Context, a account.Actor, id int64, role, orgKey string) (account.User, error) {
	if err := ssoAdminOnly(a); err != nil {
		return account.User{}, err
	}
	var p sso.Pending
	err := db.read.QueryRowContext(ctx, `SELECT issuer, subject, email, name FROM sso_pending WHERE id = $1`, id).Scan(&p.Issuer, &p.Subject, &p.Email, &p.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return account.User{}, apperr.New(apperr.NotFound, "no such pending sign-in").WithKey("error.not_found", nil)
	}
	if err != nil {
		return account.User{}, err
	}
	// createUser checks role, organisation and address as for any new
	// user; the identity is linked right after, in a second transaction
	// that also removes the pending row.
	u, err := db.CreateUser(ctx, a, account.NewUser{Email: p.Email, Name: p.Name, Role: role, Org: orgKey})
	if err != nil {
		return account.User{}, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if err := linkIdentity(ctx, tx, a, u.ID, sso.SignIn{Identity: sso.Identity{Issuer: p.Issuer, Subject: p.Subject}, RequestID: a.RequestID, ClientAddr: a.ClientAddr}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sso_pending WHERE id = $1`, id); err != nil {
			return err
		}
		ev := audit.For(a, ActionSSOAssign, "user", strconv.FormatInt(u.ID, 10))
		ev.Detail = fmt.Sprintf("pending=%d role=%s org=%s", id, u.Role, u.Org)
		return tx.Audit(ctx, ev)
	})
	return u, err
}
