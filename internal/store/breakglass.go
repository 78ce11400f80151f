package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/breakglass"
)

var _ breakglass.Store = (*DB)(nil)

// purposeBreakGlass is the purpose of every break-glass event.
const purposeBreakGlass = audit.PurposeBreakGlass

// requireGlassAdmin: only Opgroeien's admins (people, not service
// accounts) ask for and decide on break-glass access.
func requireGlassAdmin(a account.Actor) error {
	if a.Role != account.Admin || a.Service || a.UserID == 0 {
		return apperr.New(apperr.Forbidden, "only an admin may ask for or decide on break-glass access").WithKey("error.forbidden", nil)
	}
	return nil
}

func notFoundBreakGlass() error {
	return apperr.New(apperr.NotFound, "no such break-glass request").WithKey("error.not_found", nil)
}

// glassEvent is the audit event of a break-glass step about a referral,
// with the family's receipt code so that the family sees it.
func glassEvent(a account.Actor, action string, refID int64, receipt string, agreementID, requestID int64) audit.Event {
	ev := audit.For(a, action, "referral", strconv.FormatInt(refID, 10))
	ev.Purpose, ev.ReceiptCode, ev.AgreementID = purposeBreakGlass, receipt, agreementID
	ev.Detail = fmt.Sprintf(`{"break_glass_id":%d}`, requestID)
	return ev
}

// RequestBreakGlass: see breakglass.Store.
func (db *DB) RequestBreakGlass(ctx context.Context, a account.Actor, referralID int64, reason string) (r breakglass.Request, err error) {
	defer apperr.Wrap(&err, "store.RequestBreakGlass")
	if err := requireGlassAdmin(a); err != nil {
		return r, err
	}
	if reason, err = breakglass.Validate(reason); err != nil {
		return r, err
	}
	var id int64
	err = db.inTx(ctx, func(tx *Tx) error {
		var receipt string
		var agr int64
		err := tx.QueryRowContext(ctx, `SELECT receipt_code, COALESCE(agreement_id, 0) FROM referrals WHERE id = $1`, referralID).Scan(&receipt, &agr)
		if errors.Is(err, sql.ErrNoRows) {
			return notFoundReferral()
		}
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM break_glass_requests WHERE referral_id = $1 AND requested_by = $2
			AND (status = 'open' OR (status = 'approved' AND expires_at > $3))`, referralID, a.UserID, ts(tx.now)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "you have an open or active break-glass request for this referral already").
				WithKey("dpo.error.request_exists", nil)
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO break_glass_requests (referral_id, requested_by, reason, requested_at)
			VALUES ($1, $2, $3, $4) RETURNING id`, referralID, a.UserID, reason, ts(tx.now)).Scan(&id); err != nil {
			return err
		}
		return tx.Audit(ctx, glassEvent(a, audit.BreakGlassRequest, referralID, receipt, agr, id))
	})
	if err != nil {
		return r, err
	}
	return db.breakGlassRequest(ctx, db.read, id)
}

// DecideBreakGlass: see breakglass.Store. A refused self-approval is
// audited as denied.
func (db *DB) DecideBreakGlass(ctx context.Context, a account.Actor, id int64, approve bool, note string, ttl time.Duration) (r breakglass.Request, err error) {
	defer apperr.Wrap(&err, "store.DecideBreakGlass")
	if err := requireGlassAdmin(a); err != nil {
		return r, err
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > breakglass.MaxReason {
		return r, apperr.FieldErr(apperr.Invalid, "note", "the note is too long").WithKey("error.too_long", nil)
	}
	if ttl <= 0 {
		ttl = breakglass.DefaultTTL
	}
	action, status := audit.BreakGlassDeny, breakglass.Denied
	if approve {
		action, status = audit.BreakGlassApprove, breakglass.Approved
	}
	var self *audit.Event
	err = db.inTx(ctx, func(tx *Tx) error {
		cur, err := db.breakGlassRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		var receipt string
		var agr int64
		if err := tx.QueryRowContext(ctx, `SELECT receipt_code, COALESCE(agreement_id, 0) FROM referrals WHERE id = $1`, cur.ReferralID).Scan(&receipt, &agr); err != nil {
			return err
		}
		ev := glassEvent(a, action, cur.ReferralID, receipt, agr, id)
		if cur.RequestedBy == a.UserID {
			ev.Outcome = audit.Denied
			self = &ev
			return apperr.New(apperr.Forbidden, "a second admin must decide: you asked for this access yourself").
				WithKey("dpo.error.self_approval", nil)
		}
		var expires any
		if approve {
			expires = ts(tx.now.Add(ttl))
		}
		res, err := tx.ExecContext(ctx, `UPDATE break_glass_requests SET status = $1, decided_by = $2, decided_at = $3, note = $4, expires_at = $5
			WHERE id = $6 AND status = 'open'`, string(status), a.UserID, ts(tx.now), note, expires, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return apperr.New(apperr.Conflict, "this request has been decided already").WithKey("dpo.error.decided", nil)
		}
		return tx.Audit(ctx, ev)
	})
	if self != nil {
		// The refused self-approval, in a transaction of its own (the
		// refused one rolled back).
		if aerr := db.inTx(ctx, func(tx *Tx) error { return tx.Audit(ctx, *self) }); aerr != nil {
			return r, aerr
		}
	}
	if err != nil {
		return r, err
	}
	return db.breakGlassRequest(ctx, db.read, id)
}

// BreakGlassRequests: see breakglass.Store (the 200 most recent).
func (db *DB) BreakGlassRequests(ctx context.Context, a account.Actor) ([]breakglass.Request, error) {
	if err := requireGlassAdmin(a); err != nil {
		return nil, err
	}
	out, err := queryList(ctx, db.read, scanBreakGlass, breakGlassSelect+` ORDER BY CASE WHEN g.status = 'open' THEN 0 ELSE 1 END, g.id DESC LIMIT 200`)
	if err != nil {
		return nil, err
	}
	// The requests name referrals and reasons: one event per page.
	if err := db.recordList(ctx, a, auditBreakGlassList, "break_glass", purposeBreakGlass, idsOf(out, func(r breakglass.Request) int64 { return r.ID })); err != nil {
		return nil, err
	}
	return out, nil
}

const breakGlassSelect = `SELECT g.id, g.referral_id, g.requested_by, u.email, g.reason, g.requested_at, g.status,
	COALESCE(g.decided_by, 0), COALESCE(d.email, ''), g.decided_at, g.note, g.expires_at
	FROM break_glass_requests g JOIN users u ON u.id = g.requested_by LEFT JOIN users d ON d.id = g.decided_by`

func scanBreakGlass(row rowScanner) (breakglass.Request, error) {
	var r breakglass.Request
	var status string
	var at, decided, expires timeCol
	err := row.Scan(&r.ID, &r.ReferralID, &r.RequestedBy, &r.Requester, &r.Reason, &at, &status, &r.DecidedBy, &r.Decider, &decided, &r.Note, &expires)
	r.Status, r.RequestedAt, r.DecidedAt, r.ExpiresAt = breakglass.Status(status), at.T, decided.Ptr(), expires.Ptr()
	return r, err
}

func (db *DB) breakGlassRequest(ctx context.Context, q queryer, id int64) (breakglass.Request, error) {
	r, err := scanBreakGlass(q.QueryRowContext(ctx, breakGlassSelect+` WHERE g.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFoundBreakGlass()
	}
	return r, err
}

// breakGlassGranted reports whether the admin a holds an approved,
// unexpired break-glass grant for referral id at the transaction's time.
// Anyone else: false, without a query.
func breakGlassGranted(ctx context.Context, tx *Tx, a account.Actor, id int64) (bool, error) {
	if a.Role != account.Admin || a.UserID == 0 {
		return false, nil
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM break_glass_requests WHERE referral_id = $1 AND requested_by = $2
		AND status = 'approved' AND expires_at > $3`, id, a.UserID, ts(tx.now)).Scan(&n)
	return n > 0, err
}
