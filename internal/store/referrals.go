package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/address"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/referral"
)

var _ referral.Store = (*DB)(nil)

// Stable error codes of the referral flow.
const (
	CodeConsentMissing      = apperr.ConsentMissing
	CodeNoAgreementInForce  = apperr.NoAgreementInForce
	CodeOutsideTeamArea     = apperr.OutsideTeamArea
	CodeInvalidState        = apperr.InvalidState
	CodeConcurrentUpdate    = apperr.Conflict
	purposeReferral         = audit.PurposeReferral       // the local team prepares and sends
	purposeFollowUp         = audit.PurposeFollowUp       // the OCMW reaches out
	purposeStatusFeedback   = audit.PurposeStatusFeedback // the local team sees the status
	purposeWithdrawal       = audit.PurposeWithdrawal
	auditReferralCreate     = "referral.create"
	auditReferralRead       = "referral.read"
	auditReferralConsent    = "referral.consent"
	auditReferralSend       = "referral.send"
	auditReferralSendDenied = "referral.send_refused"
	auditReferralWithdraw   = "referral.withdraw"
	auditReferralAttempt    = "referral.contact_attempt"
	auditReferralOutcome    = "referral.outcome"
	auditReferralInbox      = "referral.inbox"
	auditReferralDenied     = "referral.access_denied"
)

// referralSide tells on which side of the referral the actor stands.
type referralSide int

const (
	sideNone referralSide = iota
	sideTeam
	sideOCMW
)

func sideOf(a account.Actor) referralSide {
	switch a.Role {
	case account.TeamWorker, account.TeamLead:
		return sideTeam
	case account.OCMWWorker:
		return sideOCMW
	}
	return sideNone
}

func notFoundReferral() error {
	return apperr.New(apperr.NotFound, "no such referral").WithKey("error.not_found", nil)
}

// newReceiptCode returns a code the family keeps: 12 characters from an
// alphabet without look-alikes, grouped for reading aloud.
func newReceiptCode() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "KR-" + string(b[0:4]) + "-" + string(b[4:8]) + "-" + string(b[8:12])
}

const referralColumns = `r.id, r.team_key, r.municipality_nis, r.recipient_key, r.status, COALESCE(r.agreement_id,0), COALESCE(r.agreement_version,0),
	r.outcome, r.rights, r.social_file, r.receipt_code, r.version, r.created_by, r.created_at, r.sent_at, r.received_at,
	r.first_contact_at, r.closed_at, r.withdrawn_at, r.data_deleted_at`

func scanReferral(row rowScanner) (referral.Referral, error) {
	var r referral.Referral
	var status, rights string
	var created, sent, received, first, closed, withdrawn, deleted timeCol
	err := row.Scan(&r.ID, &r.Team, &r.MunicipalityNIS, &r.Recipient, &status, &r.AgreementID, &r.AgreementVersion, &r.Outcome, &rights,
		&r.SocialFile, &r.ReceiptCode, &r.Version, &r.CreatedBy, &created, &sent, &received, &first, &closed, &withdrawn, &deleted)
	if err != nil {
		return r, err
	}
	r.Status, r.CreatedAt = referral.Status(status), created.T
	r.SentAt, r.ReceivedAt, r.FirstContactAt, r.ClosedAt, r.WithdrawnAt, r.DataDeletedAt = sent.Ptr(), received.Ptr(), first.Ptr(), closed.Ptr(), withdrawn.Ptr(), deleted.Ptr()
	if rights == "[]" {
		r.Rights = []string{} // what Unmarshal makes of it, without its cost (every row of a list)
	} else if err := json.Unmarshal([]byte(rights), &r.Rights); err != nil {
		return r, err
	}
	return r, nil
}

// loadReferral reads a referral inside tx for an actor, scoped: the team
// sees its own; the receiving OCMW's workers see it once sent. Anyone
// else gets not_found, and the denied attempt is audited (in its own
// transaction, since the caller's will roll back).
func (db *DB) loadReferral(ctx context.Context, tx *Tx, a account.Actor, id int64) (referral.Referral, error) {
	return db.loadReferralAs(ctx, tx, a, id, false)
}

// loadReferralAs is loadReferral; glass opens the referral to an admin
// holding an approved break-glass grant for it (Referral only).
func (db *DB) loadReferralAs(ctx context.Context, tx *Tx, a account.Actor, id int64, glass bool) (referral.Referral, error) {
	r, err := scanReferral(tx.QueryRowContext(ctx, `SELECT `+referralColumns+` FROM referrals r WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFoundReferral()
	}
	if err != nil {
		return r, err
	}
	side := sideOf(a)
	allowed := glass || (side == sideTeam && r.Team == a.Org) || (side == sideOCMW && r.Recipient == a.Org && r.Status.AtOCMW())
	if !allowed {
		return referral.Referral{}, &deniedError{id: id}
	}
	// Parents: personal data.
	r.Parents, err = queryList(ctx, tx, func(row rowScanner) (referral.Parent, error) {
		var p referral.Parent
		err := row.Scan(&p.Name, &p.Street, &p.Number, &p.Box, &p.Postcode, &p.MunicipalityNIS, &p.Phone, &p.Email)
		return p, err
	}, `SELECT name, street, number, box, postcode, municipality_nis, phone, email FROM referral_parents
		WHERE referral_id = $1 ORDER BY idx`, id)
	if err != nil {
		return r, err
	}
	if side == sideTeam {
		// Kind en Gezin's own assessment: loaded for the team only.
		var crit, needs string
		err := tx.QueryRowContext(ctx, `SELECT criteria, needs FROM referral_assessments WHERE referral_id = $1`, id).Scan(&crit, &needs)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return r, err
		}
		r.Criteria, r.Needs = []string{}, []string{}
		if crit != "" {
			_ = json.Unmarshal([]byte(crit), &r.Criteria)
			_ = json.Unmarshal([]byte(needs), &r.Needs)
		}
		if r.Consents, err = consents(ctx, tx, id); err != nil {
			return r, err
		}
	}
	if r.ContactAttempts, err = contactAttempts(ctx, tx, id); err != nil {
		return r, err
	}
	if r.AgreementID != 0 {
		v, err := currentVersion(ctx, tx, r.AgreementID)
		if err == nil {
			r.TargetDays, r.StatusFeedback = v.FirstContactDays, v.StatusFeedback
		}
	}
	return r, nil
}

// deniedError is an access to a referral outside the actor's scope. It
// reaches the caller as not_found; refTx audits it once the refused
// transaction is over (SQLite has one writer: not inside it).
type deniedError struct{ id int64 }

func (e *deniedError) Error() string { return "access to referral denied" }

// refTx runs fn in a write transaction; a denied access is audited in a
// transaction of its own and answered as not_found.
func (db *DB) refTx(ctx context.Context, a account.Actor, fn func(tx *Tx) error) error {
	err := db.inTx(ctx, fn)
	var d *deniedError
	if errors.As(err, &d) {
		return db.denyReferral(ctx, a, d.id)
	}
	return err
}

// refRead is refTx for a read: fn runs in a read-only transaction and its
// audit events are group-committed once it is over (inReadTx).
func (db *DB) refRead(ctx context.Context, a account.Actor, fn func(tx *Tx) error) error {
	err := db.inReadTx(ctx, fn)
	var d *deniedError
	if errors.As(err, &d) {
		return db.denyReferral(ctx, a, d.id)
	}
	return err
}

// DenyReferral audits a refused access to a referral that the caller's
// role may not reach through the route it used, and answers not_found.
func (db *DB) DenyReferral(ctx context.Context, a account.Actor, id int64) error {
	return db.denyReferral(ctx, a, id)
}

// denyReferral audits a denied access to a referral (through
// recordReads, outside the refused transaction) and answers not_found, like for a referral that does not exist.
func (db *DB) denyReferral(ctx context.Context, a account.Actor, id int64) error {
	ev := audit.For(a, auditReferralDenied, "referral", strconv.FormatInt(id, 10))
	ev.Outcome = audit.Denied
	if sideOf(a) == sideOCMW {
		ev.Purpose = purposeFollowUp
	}
	// The family's receipt code and the agreement, so that its own view
	// shows the refused attempt too (the caller never sees them).
	err := db.read.QueryRowContext(ctx, `SELECT receipt_code, COALESCE(agreement_id, 0) FROM referrals WHERE id = $1`, id).Scan(&ev.ReceiptCode, &ev.AgreementID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err := db.recordReads(ctx, ev); err != nil {
		return err
	}
	return notFoundReferral()
}

func consents(ctx context.Context, q queryer, id int64) ([]referral.Consent, error) {
	return queryList(ctx, q, func(row rowScanner) (referral.Consent, error) {
		var c referral.Consent
		var informed string
		var at timeCol
		if err := row.Scan(&c.Parent, &informed, &c.Method, &c.Refused, &at, &c.RecordedBy, &c.AgreementID, &c.AgreementVersion); err != nil {
			return c, err
		}
		c.RecordedAt = at.T
		err := json.Unmarshal([]byte(informed), &c.Informed)
		return c, err
	}, `SELECT parent_idx, informed, method, refused, recorded_at, recorded_by, COALESCE(agreement_id, 0), COALESCE(agreement_version, 0) FROM referral_consents
		WHERE referral_id = $1 ORDER BY id`, id)
}

func contactAttempts(ctx context.Context, q queryer, id int64) ([]referral.ContactAttempt, error) {
	return queryList(ctx, q, func(row rowScanner) (referral.ContactAttempt, error) {
		var c referral.ContactAttempt
		var on, at timeCol
		err := row.Scan(&c.ID, &on, &c.Channel, &c.Reached, &at, &c.RecordedBy)
		c.On, c.RecordedAt = day(on.T), at.T
		return c, err
	}, `SELECT id, on_day, channel, reached, recorded_at, recorded_by FROM referral_contact_attempts
		WHERE referral_id = $1 ORDER BY id`, id)
}

// auditAndReload writes the event of a change to a referral and reads the
// referral as it is now into r, in the change's transaction: the answer to
// a change is covered by the change's one event (no second read event).
func (db *DB) auditAndReload(ctx context.Context, tx *Tx, a account.Actor, id int64, ev audit.Event, r *referral.Referral) error {
	if err := tx.Audit(ctx, ev); err != nil {
		return err
	}
	var err error
	*r, err = db.loadReferral(ctx, tx, a, id)
	return err
}

func referralAudit(a account.Actor, action, purpose string, r referral.Referral) audit.Event {
	ev := audit.For(a, action, "referral", strconv.FormatInt(r.ID, 10))
	ev.Purpose, ev.AgreementID, ev.ReceiptCode = purpose, r.AgreementID, r.ReceiptCode
	return ev
}

// CreateReferral starts a referral (status draft) for a family the team
// supports. Team workers and leads; the municipality must be in the
// team's service area today, or the error names the colleague team.
func (db *DB) CreateReferral(ctx context.Context, a account.Actor, in referral.NewReferral) (r referral.Referral, err error) {
	defer apperr.Wrap(&err, "store.CreateReferral")
	if sideOf(a) != sideTeam {
		return r, db.denyAction(ctx, a, auditReferralCreate, "referral", purposeReferral,
			apperr.New(apperr.Forbidden, "only local team workers create referrals").WithKey("error.forbidden", nil))
	}
	in.MunicipalityNIS = strings.TrimSpace(in.MunicipalityNIS)
	// Every problem at once: the input's, the municipality's, and each
	// parent's address (the postcode belongs to the municipality of
	// residence; package address).
	problems := in.Problems()
	on := today(db.Now())
	m, ok := db.Municipalities.ByNIS(in.MunicipalityNIS)
	if !ok || !db.Municipalities.ValidOn(m.NIS, on) {
		problems = append([]*apperr.Error{apperr.FieldErr(apperr.Invalid, "municipality_nis", "unknown municipality %q on %s", in.MunicipalityNIS, day(on)).
			WithKey("error.unknown_municipality", map[string]any{"NIS": in.MunicipalityNIS})}, problems...)
	}
	for i, p := range in.Parents {
		if i > 1 {
			break
		}
		if !db.Municipalities.ValidOn(p.MunicipalityNIS, on) {
			if p.MunicipalityNIS != in.MunicipalityNIS || ok {
				problems = append(problems, apperr.FieldErr(apperr.Invalid, fmt.Sprintf("parents[%d].municipality_nis", i), "unknown municipality %q", p.MunicipalityNIS).
					WithKey("error.unknown_municipality", map[string]any{"NIS": p.MunicipalityNIS}))
			}
			continue
		}
		problems = append(problems, address.Prefix(fmt.Sprintf("parents[%d].", i), db.addressChecker().Check(ctx, address.Address{
			Street: p.Street, Number: p.Number, Box: p.Box, Postcode: p.Postcode, MunicipalityNIS: p.MunicipalityNIS, On: on}))...)
	}
	// In the order of the form: the municipality, each parent's fields, then the rest.
	slices.SortStableFunc(problems, func(a, b *apperr.Error) int { return referral.FieldRank(a.Field) - referral.FieldRank(b.Field) })
	if err := apperr.Join(problems); err != nil {
		return r, err
	}
	holds, err := db.areaHolds(ctx, db.read, a.Org, m.NIS, on)
	if err != nil {
		return r, err
	}
	if !holds {
		other, _ := db.TeamFor(ctx, m.NIS, on)
		name := other
		if o, err := db.Organisation(ctx, other); err == nil {
			name = o.Name
		}
		if other == "" {
			return r, apperr.FieldErr(CodeOutsideTeamArea, "municipality_nis", "%s is outside your team's area and no local team covers it", m.Name).
				WithKey("error.outside_area_none", map[string]any{"Name": m.Name})
		}
		return r, apperr.FieldErr(CodeOutsideTeamArea, "municipality_nis", "%s is outside your team's area: the referral goes through your colleagues of %s", m.Name, name).
			WithKey("error.outside_area", map[string]any{"Name": m.Name, "Team": name})
	}
	var id int64
	code := newReceiptCode()
	err = db.refTx(ctx, a, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO referrals (team_key, municipality_nis, recipient_key, status, receipt_code, created_by, created_at, updated_at)
			VALUES ($1,$2,$3,'draft',$4,$5,$6,$6) RETURNING id`, a.Org, m.NIS, RecipientFor(m), code, actorName(a), ts(tx.now)).Scan(&id)
		if err != nil {
			return err
		}
		for i, p := range in.Parents {
			if _, err := tx.ExecContext(ctx, `INSERT INTO referral_parents (referral_id, idx, name, street, number, box, postcode, municipality_nis, phone, email)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, id, i, p.Name, p.Street, p.Number, p.Box, p.Postcode, p.MunicipalityNIS, p.Phone, p.Email); err != nil {
				return err
			}
		}
		crit, _ := json.Marshal(in.Criteria)
		needs, _ := json.Marshal(in.Needs)
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_assessments (referral_id, criteria, needs) VALUES ($1,$2,$3)`, id, string(crit), string(needs)); err != nil {
			return err
		}
		if err := tx.Audit(ctx, referralAudit(a, auditReferralCreate, purposeReferral, referral.Referral{ID: id, ReceiptCode: code})); err != nil {
			return err
		}
		r, err = db.loadReferral(ctx, tx, a, id)
		return err
	})
	return r, err
}

// Referral returns a referral for the actor, and audits the read of its
// personal data. The first read by the receiving OCMW marks it received.
// An admin with an approved, unexpired break-glass grant for it reads it
// too, audited as referral.read_break_glass.
func (db *DB) Referral(ctx context.Context, a account.Actor, id int64) (r referral.Referral, err error) {
	err = db.refRead(ctx, a, func(tx *Tx) error {
		glass, err := breakGlassGranted(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if r, err = db.loadReferralAs(ctx, tx, a, id, glass); err != nil {
			return err
		}
		if glass {
			return tx.Audit(ctx, referralAudit(a, audit.ReferralReadBreakGlass, purposeBreakGlass, r))
		}
		purpose := purposeReferral
		if sideOf(a) == sideOCMW {
			purpose = purposeFollowUp
			if r.Status == referral.Sent {
				if err := tx.Writable(); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE referrals SET status = 'received', received_at = $1, updated_at = $1 WHERE id = $2 AND status = 'sent'`,
					ts(tx.now), id); err != nil {
					return err
				}
				now := tx.now
				r.Status, r.ReceivedAt = referral.Received, &now
			}
		}
		return tx.Audit(ctx, referralAudit(a, auditReferralRead, purpose, r))
	})
	return r, err
}

// Referrals lists all of the team's referrals at once (status and dates,
// no contact details) for team workers and leads; no page reads them any
// more (ReferralPage does), the store's tests still check its scope. Where the agreement does not
// provide status feedback, a sent referral shows as sent.
func (db *DB) Referrals(ctx context.Context, a account.Actor, f referral.Filter) ([]referral.Referral, error) {
	if sideOf(a) != sideTeam {
		return nil, db.denyAction(ctx, a, auditReferralList, "referral", purposeStatusFeedback,
			apperr.New(apperr.Forbidden, "only the local team lists its referrals").WithKey("error.forbidden", nil))
	}
	args := []any{a.Org}
	q := `SELECT ` + referralColumns + ` FROM referrals r WHERE r.team_key = $1`
	if f.Status != "" {
		args = append(args, f.Status)
		q += ` AND r.status = $2`
	}
	out, err := queryList(ctx, db.read, scanReferral, q+` ORDER BY r.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].AgreementID != 0 {
			if v, err := currentVersion(ctx, db.read, out[i].AgreementID); err == nil {
				out[i].StatusFeedback, out[i].TargetDays = v.StatusFeedback, v.FirstContactDays
			}
		}
	}
	if err := db.recordList(ctx, a, auditReferralList, "referral", purposeStatusFeedback, idsOf(out, referralID)); err != nil {
		return nil, err
	}
	return nilIfEmpty(out), nil
}

func referralID(r referral.Referral) int64 { return r.ID }

// AddConsent records, for one parent, that the five information items
// were given and consent was given voluntarily and explicitly (how, when,
// by whom) — or that the parent refused, in which case that parent's
// contact data are deleted at once; when no parent remains, the referral
// is cancelled.
func (db *DB) AddConsent(ctx context.Context, a account.Actor, id int64, in referral.NewConsent) (r referral.Referral, err error) {
	if sideOf(a) != sideTeam {
		return r, db.denyReferral(ctx, a, id)
	}
	err = db.refTx(ctx, a, func(tx *Tx) error {
		cur, err := db.loadReferral(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if cur.Status != referral.Draft {
			return apperr.New(CodeInvalidState, "consent is recorded before sending; this referral is %s", cur.Status).
				WithKey("error.referral_state", map[string]any{"Status": string(cur.Status)})
		}
		idx, err := queryList(ctx, tx, scanValue[int], `SELECT idx FROM referral_parents WHERE referral_id = $1 ORDER BY idx`, id)
		if err != nil {
			return err
		}
		if in.Parent < 0 || in.Parent > 1 || !slices.Contains(idx, in.Parent) {
			return apperr.FieldErr(apperr.Invalid, "parent", "no parent %d in this referral", in.Parent).WithKey("error.no_parent", nil)
		}
		if err := in.Validate(2); err != nil {
			return err
		}
		informed, _ := json.Marshal(in.Informed)
		if in.Refused {
			informed, in.Method = []byte("[]"), ""
		}
		// The information text the parent was given is that of the
		// version in force today: keep which one, for the receipt.
		agID, agVersion, err := db.versionInForce(ctx, tx, cur.Team, cur.MunicipalityNIS, today(tx.now))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_consents (referral_id, parent_idx, informed, method, refused, recorded_at, recorded_by,
			agreement_id, agreement_version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`, id, in.Parent, string(informed), in.Method, in.Refused, ts(tx.now), actorName(a),
			nullInt(agID), nullInt(int64(agVersion))); err != nil {
			return err
		}
		ev := referralAudit(a, auditReferralConsent, purposeReferral, cur)
		ev.Detail = fmt.Sprintf("parent=%d refused=%t method=%s", in.Parent, in.Refused, in.Method)
		if in.Refused {
			if _, err := tx.ExecContext(ctx, `DELETE FROM referral_parents WHERE referral_id = $1 AND idx = $2`, id, in.Parent); err != nil {
				return err
			}
			if len(idx) == 1 {
				if _, err := tx.ExecContext(ctx, `UPDATE referrals SET status = 'cancelled', data_deleted_at = $1, updated_at = $1, version = version + 1 WHERE id = $2`,
					ts(tx.now), id); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM referral_assessments WHERE referral_id = $1`, id); err != nil {
					return err
				}
				ev.Detail += " cancelled; contact data deleted"
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE referrals SET updated_at = $1, version = version + 1 WHERE id = $2`, ts(tx.now), id); err != nil {
			return err
		}
		return db.auditAndReload(ctx, tx, a, id, ev, &r)
	})
	return r, err
}

// Send sends a draft to the OCMW after checking consent and, on the day
// of sending, the agreement gate. Without an agreement in force nothing is
// sent and an anonymous count is kept for the outreach (once per
// referral). It returns consent_missing or no_agreement_in_force (409).
func (db *DB) Send(ctx context.Context, a account.Actor, id int64) (r referral.Referral, err error) {
	if sideOf(a) != sideTeam {
		return r, db.denyReferral(ctx, a, id)
	}
	var refusal error
	err = db.refTx(ctx, a, func(tx *Tx) error {
		cur, err := db.loadReferral(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if cur.Status != referral.Draft {
			return apperr.New(CodeInvalidState, "only a draft can be sent; this referral is %s", cur.Status).
				WithKey("error.referral_state", map[string]any{"Status": string(cur.Status)})
		}
		// Every parent whose data would pass must have consented.
		consented := map[int]bool{}
		for _, c := range cur.Consents {
			consented[c.Parent] = !c.Refused
		}
		// A parent row that cannot be read fails the send: consent is
		// decided on every parent, never on those that happened to scan.
		idx, err := queryList(ctx, tx, scanValue[int], `SELECT idx FROM referral_parents WHERE referral_id = $1 ORDER BY idx`, id)
		if err != nil {
			return err
		}
		if len(idx) == 0 {
			return apperr.New(CodeConsentMissing, "no parent with consent").WithKey("error.consent_missing", nil)
		}
		for _, i := range idx {
			if !consented[i] {
				return apperr.FieldErr(CodeConsentMissing, "consents", "parent %d has not consented: record consent (or refusal) first", i+1).
					WithKey("error.consent_missing_parent", map[string]any{"N": i + 1})
			}
		}
		dec, err := db.gateTx(ctx, tx, cur.Team, cur.MunicipalityNIS, today(tx.now))
		if err != nil {
			return err
		}
		if !dec.Allowed {
			m, _ := db.Municipalities.ByNIS(cur.MunicipalityNIS)
			refusal = apperr.New(CodeNoAgreementInForce, "no cooperation agreement in force with the OCMW of %s (%s): talk to the local government of %s", m.Name, dec.Message, m.Name).
				WithKey("error.no_agreement_in_force", map[string]any{"Name": m.Name, "Reason": dec.Reason})
			return db.countMissed(ctx, tx, a, cur)
		}
		res, err := tx.ExecContext(ctx, `UPDATE referrals SET status = 'sent', sent_at = $1, updated_at = $1, agreement_id = $2, agreement_version = $3,
			version = version + 1 WHERE id = $4 AND status = 'draft'`, ts(tx.now), dec.Agreement.ID, dec.Agreement.Version.Version, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(CodeConcurrentUpdate, "the referral changed meanwhile; reload it").WithKey("error.concurrent", nil)
		}
		cur.AgreementID = dec.Agreement.ID
		if err := enqueue(ctx, tx, "referral.sent", cur.Recipient, map[string]any{"referral_id": id, "event": "referral.sent"}); err != nil {
			return err
		}
		return db.auditAndReload(ctx, tx, a, id, referralAudit(a, auditReferralSend, purposeReferral, cur), &r)
	})
	if err == nil && refusal != nil {
		return referral.Referral{}, refusal
	}
	return r, err
}

// countMissed keeps the anonymous count of a referral that could not be
// made, once per referral, and audits the refusal.
func (db *DB) countMissed(ctx context.Context, tx *Tx, a account.Actor, cur referral.Referral) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action = $1 AND object_type = 'referral' AND object_id = $2`,
		auditReferralSendDenied, strconv.FormatInt(cur.ID, 10)).Scan(&n); err != nil {
		return err
	}
	ev := referralAudit(a, auditReferralSendDenied, purposeReferral, cur)
	ev.Outcome = audit.Denied
	if n == 0 {
		month := today(tx.now).Format("2006-01")
		if _, err := tx.ExecContext(ctx, `INSERT INTO missed_referrals (municipality_nis, month, team_key, count) VALUES ($1,$2,$3,1)
			ON CONFLICT (municipality_nis, month, team_key) DO UPDATE SET count = missed_referrals.count + 1`, cur.MunicipalityNIS, month, cur.Team); err != nil {
			return err
		}
		ev.Detail = "counted as missed"
	}
	return tx.Audit(ctx, ev)
}

// enqueue writes a notice to the outbox in the caller's transaction; the
// deliverer sends it afterwards (e-mail without personal data, webhook
// with only the referral id and event type).
func enqueue(ctx context.Context, tx *Tx, kind, orgKey string, payload map[string]any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (kind, org_key, payload, created_at, next_at) VALUES ($1,$2,$3,$4,$4)`, kind, orgKey, string(b), ts(tx.now))
	return err
}

// deleteContactData removes the parents' details and Kind en Gezin's
// assessment, leaving the non-identifying record.
func deleteContactData(ctx context.Context, tx *Tx, id int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM referral_parents WHERE referral_id = $1`, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM referral_assessments WHERE referral_id = $1`, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE referrals SET data_deleted_at = $1 WHERE id = $2`, ts(tx.now), id)
	return err
}

// Withdraw records that the family withdrew its consent. Before sending,
// the referral is cancelled and its contact data deleted. After sending,
// the OCMW gets a withdrawal notice and, unless it has opened a social
// file, the contact data are deleted.
func (db *DB) Withdraw(ctx context.Context, a account.Actor, id int64) (r referral.Referral, err error) {
	if sideOf(a) != sideTeam {
		return r, db.denyReferral(ctx, a, id)
	}
	err = db.refTx(ctx, a, func(tx *Tx) error {
		cur, err := db.loadReferral(ctx, tx, a, id)
		if err != nil {
			return err
		}
		ev := referralAudit(a, auditReferralWithdraw, purposeWithdrawal, cur)
		switch {
		case cur.Status == referral.Draft:
			if _, err := tx.ExecContext(ctx, `UPDATE referrals SET status = 'cancelled', withdrawn_at = $1, updated_at = $1, version = version + 1 WHERE id = $2`,
				ts(tx.now), id); err != nil {
				return err
			}
			ev.Detail = "cancelled before sending; contact data deleted"
		case cur.Status.AtOCMW() && cur.Status != referral.Withdrawn:
			if _, err := tx.ExecContext(ctx, `UPDATE referrals SET status = 'withdrawn', withdrawn_at = $1, updated_at = $1, version = version + 1 WHERE id = $2`,
				ts(tx.now), id); err != nil {
				return err
			}
			if err := enqueue(ctx, tx, "referral.withdrawn", cur.Recipient, map[string]any{"referral_id": id, "event": "referral.withdrawn"}); err != nil {
				return err
			}
			ev.Detail = "withdrawn after sending; notice to the OCMW"
			if cur.SocialFile {
				ev.Detail += "; social file opened: the OCMW keeps the data under its own legal task"
				return db.auditAndReload(ctx, tx, a, id, ev, &r)
			}
			ev.Detail += "; contact data deleted"
		default:
			return apperr.New(CodeInvalidState, "this referral is %s: nothing to withdraw", cur.Status).
				WithKey("error.referral_state", map[string]any{"Status": string(cur.Status)})
		}
		if err := deleteContactData(ctx, tx, id); err != nil {
			return err
		}
		return db.auditAndReload(ctx, tx, a, id, ev, &r)
	})
	return r, err
}

// Inbox lists all referrals at the actor's OCMW that are still open, at
// once (the inbox page reads InboxPage; the store's tests check this scope),
// oldest first: ids, statuses and times, no contact details.
func (db *DB) Inbox(ctx context.Context, a account.Actor) ([]referral.Referral, error) {
	if sideOf(a) != sideOCMW {
		return nil, db.denyAction(ctx, a, auditReferralInbox, "referral", purposeFollowUp,
			apperr.New(apperr.Forbidden, "only OCMW workers have an inbox").WithKey("error.forbidden", nil))
	}
	out, err := queryList(ctx, db.read, scanReferral, `SELECT `+referralColumns+` FROM referrals r WHERE r.recipient_key = $1
		AND r.status IN ('sent','received','contact_attempted','reached') ORDER BY r.sent_at, r.id`, a.Org)
	if err != nil {
		return nil, err
	}
	versions := map[int64]agreement.Version{}
	for i := range out {
		id := out[i].AgreementID
		v, ok := versions[id]
		if !ok {
			v, _ = currentVersion(ctx, db.read, id)
			versions[id] = v
		}
		out[i].TargetDays, out[i].StatusFeedback = v.FirstContactDays, v.StatusFeedback
		out[i].ReceiptCode = "" // the family's code is not the OCMW's business
	}
	if err := db.recordList(ctx, a, auditReferralInbox, "referral", purposeFollowUp, idsOf(out, referralID)); err != nil {
		return nil, err
	}
	return out, nil
}

// updateAtOCMW runs fn on an open referral of the actor's OCMW, if the
// version the caller read is still current.
func (db *DB) updateAtOCMW(ctx context.Context, a account.Actor, id int64, version int, fn func(tx *Tx, cur referral.Referral) (audit.Event, error)) (referral.Referral, error) {
	if sideOf(a) != sideOCMW {
		return referral.Referral{}, db.denyReferral(ctx, a, id)
	}
	var r referral.Referral
	err := db.refTx(ctx, a, func(tx *Tx) error {
		cur, err := db.loadReferral(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !cur.Status.Open() {
			return apperr.New(CodeInvalidState, "this referral is %s", cur.Status).WithKey("error.referral_state", map[string]any{"Status": string(cur.Status)})
		}
		if version != 0 && version != cur.Version {
			return apperr.New(CodeConcurrentUpdate, "someone else changed this referral (version %d, you had %d); reload it", cur.Version, version).
				WithKey("error.concurrent", nil)
		}
		ev, err := fn(tx, cur)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE referrals SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3`, ts(tx.now), id, cur.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(CodeConcurrentUpdate, "someone else changed this referral; reload it").WithKey("error.concurrent", nil)
		}
		return db.auditAndReload(ctx, tx, a, id, ev, &r)
	})
	return r, err
}

// AddContactAttempt records an attempt to reach the family.
func (db *DB) AddContactAttempt(ctx context.Context, a account.Actor, id int64, in referral.NewContactAttempt) (referral.Referral, error) {
	if !slices.Contains(referral.Channels, in.Channel) {
		return referral.Referral{}, apperr.FieldErr(apperr.Invalid, "channel", "channel must be one of %s", strings.Join(referral.Channels, ", ")).
			WithKey("error.channel", nil)
	}
	on, err := parseDayField("on", in.On, today(db.Now()))
	if err != nil {
		return referral.Referral{}, err
	}
	if on.After(today(db.Now())) {
		return referral.Referral{}, apperr.FieldErr(apperr.InvalidDate, "on", "a contact attempt cannot lie in the future").WithKey("error.future_date", nil)
	}
	return db.updateAtOCMW(ctx, a, id, in.Version, func(tx *Tx, cur referral.Referral) (audit.Event, error) {
		if cur.SentAt != nil && on.Before(today(*cur.SentAt)) {
			return audit.Event{}, apperr.FieldErr(apperr.InvalidDate, "on", "a contact attempt cannot lie before the referral was sent").WithKey("error.before_sent", nil)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_contact_attempts (referral_id, on_day, channel, reached, recorded_at, recorded_by)
			VALUES ($1,$2,$3,$4,$5,$6)`, id, day(on), in.Channel, in.Reached, ts(tx.now), actorName(a)); err != nil {
			return audit.Event{}, err
		}
		status := referral.ContactAttempted
		if in.Reached || cur.Status == referral.Reached {
			status = referral.Reached
		}
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET status = $1, first_contact_at = COALESCE(first_contact_at, $2) WHERE id = $3`,
			string(status), ts(tx.now), id); err != nil {
			return audit.Event{}, err
		}
		ev := referralAudit(a, auditReferralAttempt, purposeFollowUp, cur)
		ev.Detail = fmt.Sprintf("channel=%s reached=%t", in.Channel, in.Reached)
		return ev, nil
	})
}

// SetOutcome closes a referral with its outcome (and, for rights opened,
// which rights).
func (db *DB) SetOutcome(ctx context.Context, a account.Actor, id int64, in referral.NewOutcome) (referral.Referral, error) {
	if !slices.Contains(referral.Outcomes, in.Outcome) {
		return referral.Referral{}, apperr.FieldErr(apperr.Invalid, "outcome", "outcome must be one of %s", strings.Join(referral.Outcomes, ", ")).
			WithKey("error.outcome", nil)
	}
	for _, r := range in.Rights {
		if !slices.Contains(referral.Rights, r) {
			return referral.Referral{}, apperr.FieldErr(apperr.Invalid, "rights", "unknown right %q", r).WithKey("error.unknown_code", map[string]any{"Code": r})
		}
	}
	if in.Outcome == referral.OutcomeRightsOpened && len(in.Rights) == 0 {
		return referral.Referral{}, apperr.FieldErr(apperr.Invalid, "rights", "say which rights or support were opened").WithKey("error.rights_required", nil)
	}
	if in.Outcome != referral.OutcomeRightsOpened {
		in.Rights = nil
	}
	return db.updateAtOCMW(ctx, a, id, in.Version, func(tx *Tx, cur referral.Referral) (audit.Event, error) {
		rights, _ := json.Marshal(dedupe(in.Rights))
		if _, err := tx.ExecContext(ctx, `UPDATE referrals SET status = 'closed', outcome = $1, rights = $2, social_file = $3, closed_at = $4 WHERE id = $5`,
			in.Outcome, string(rights), in.SocialFile, ts(tx.now), id); err != nil {
			return audit.Event{}, err
		}
		ev := referralAudit(a, auditReferralOutcome, purposeFollowUp, cur)
		ev.Detail = "outcome=" + in.Outcome
		return ev, nil
	})
}

func dedupe(list []string) []string {
	out := []string{}
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// MissedReferral is one anonymous count of referrals that could not be
// made for want of an agreement.
type MissedReferral struct {
	MunicipalityNIS string `json:"municipality_nis"`
	Month           string `json:"month"`
	Team            string `json:"team"`
	Count           int    `json:"count"`
}

// MissedReferrals lists the anonymous counts between two months
// (YYYY-MM, inclusive).
func (db *DB) MissedReferrals(ctx context.Context, from, to string) ([]MissedReferral, error) {
	out, err := queryList(ctx, db.read, func(row rowScanner) (MissedReferral, error) {
		var m MissedReferral
		err := row.Scan(&m.MunicipalityNIS, &m.Month, &m.Team, &m.Count)
		return m, err
	}, `SELECT municipality_nis, month, team_key, count FROM missed_referrals
		WHERE month >= $1 AND month <= $2 ORDER BY month, municipality_nis, team_key`, from, to)
	return nilIfEmpty(out), err
}

// ReceiptStatus looks a referral up by the family's receipt code.
func (db *DB) ReceiptStatus(ctx context.Context, code string) (referral.ReceiptStatus, error) {
	var s referral.ReceiptStatus
	var status, recipient string
	var agreementID int64
	var sent, withdrawn, deleted timeCol
	err := db.read.QueryRowContext(ctx, `SELECT r.status, o.name, COALESCE(r.agreement_id,0), r.sent_at, r.withdrawn_at, r.data_deleted_at
		FROM referrals r JOIN organisations o ON o.key = r.recipient_key WHERE r.receipt_code = $1`, strings.ToUpper(strings.TrimSpace(code))).
		Scan(&status, &recipient, &agreementID, &sent, &withdrawn, &deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return s, apperr.New(apperr.NotFound, "unknown receipt code").WithKey("error.receipt_unknown", nil)
	}
	if err != nil {
		return s, err
	}
	s.Status, s.Recipient, s.SentAt, s.WithdrawnAt, s.DataDeletedAt = referral.Status(status), recipient, sent.Ptr(), withdrawn.Ptr(), deleted.Ptr()
	if agreementID != 0 {
		if v, err := currentVersion(ctx, db.read, agreementID); err == nil {
			s.RetentionDays = v.RetentionDays
		}
	}
	return s, nil
}

// addressChecker is the check of a parent's address: Addresses, or the
// postcode-only check when none is set.
func (db *DB) addressChecker() address.Checker {
	if db.Addresses != nil {
		return db.Addresses
	}
	return address.Postcodes{Registry: db.Municipalities}
}
