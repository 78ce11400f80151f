package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/referral"
)

var _ referral.AccessLogStore = (*DB)(nil)

// The family's view: who accessed a family's data, selected by the
// receipt code on the audit events (audit_events.receipt_code) and opened
// with one of the parents' postcodes.

const (
	// auditAccessLogView is the family's own look-up (contract name).
	auditAccessLogView = "access_log.view"
	purposeFamilyView  = audit.PurposeFamilyView
	// channelAnonymous is the channel of a visitor without an account.
	channelAnonymous = "anonymous"
)

// familyThrottle limits attempts to open a family's view, counted in the
// login throttle table under their own keys: per client address and per
// receipt code, within one window. A successful look-up is taken back,
// so that a family looking at its own log is never refused; only failed
// attempts add up. With the code (12 characters) as the real secret, the
// postcode is a second factor against a code read or copied by someone
// else: 10 wrong postcodes an hour for one code.
var familyThrottle = struct {
	Window  time.Duration
	PerCode int
	PerAddr int
}{Window: time.Hour, PerCode: 10, PerAddr: 30}

func familyKeys(code, addr string) (codeKey, addrKey string) {
	return throttleKey("family-code", code), throttleKey("family-addr", throttleAddr(addr))
}

// AccessLog opens a family's access log: see referral.AccessLogStore.
// A wrong postcode and an unknown code do the same reads and the same
// audit write before answering not_found, so that the answer's time does
// not tell which (BenchmarkAccessLogLookups prints both).
func (db *DB) AccessLog(ctx context.Context, q referral.AccessLogQuery) (l referral.AccessLog, err error) {
	defer apperr.Wrap(&err, "store.AccessLog")
	code := referral.NormalizeReceiptCode(q.Code)
	postcode := strings.TrimSpace(q.Postcode)
	if code == "" || len(code) > 40 || len(postcode) > 10 {
		// No referral has this code: the same work follows, and fails.
		code, postcode = "-", ""
	}
	ev := audit.Event{Channel: channelAnonymous, Action: auditAccessLogView, ObjectType: "referral",
		Purpose: purposeFamilyView, Outcome: audit.Denied, RequestID: q.RequestID, ClientAddr: q.ClientAddr, Detail: q.Detail}

	codeKey, addrKey := familyKeys(code, q.ClientAddr)
	if err := db.countFamilyAttempt(ctx, codeKey, addrKey, ev); err != nil {
		return l, err
	}

	f, err := db.familyReferral(ctx, code)
	if err != nil {
		return l, err
	}
	// The events are read only for a code and postcode that match: a
	// wrong postcode and an unknown code cost the same reads.
	var events []audit.Event
	var names map[string]string
	ok := f.found && f.postcodeMatches(db, postcode)
	if ok {
		if events, err = db.AuditEvents(ctx, audit.Filter{ReceiptCode: code, Limit: 1000}); err != nil {
			return l, err
		}
		if names, err = db.orgNames(ctx, code); err != nil {
			return l, err
		}
		ok = len(events) > 0
	}
	if f.found {
		// The family sees attempts with a wrong postcode too.
		ev.ObjectID, ev.ReceiptCode = strconv.FormatInt(f.id, 10), code
	}
	if ok {
		ev.Outcome = audit.OK
	}
	if err := db.recordReads(ctx, ev); err != nil {
		return l, err
	}
	if !ok {
		return l, accessLogNotFound()
	}
	if err := db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE login_throttle SET attempts = attempts - 1 WHERE (key = $1 OR key = $2) AND attempts > 0`, codeKey, addrKey)
		return err
	}); err != nil {
		return l, err
	}

	l.Code, l.Status, l.DeletionDue = code, f.status, f.deletionDue()
	for i := len(events) - 1; i >= 0; i-- { // oldest first
		e := events[i]
		name := names[e.ActorOrg]
		if name == "" {
			name = e.ActorOrg
		}
		l.Events = append(l.Events, referral.AccessEvent{
			At: e.At, Organisation: name, Function: e.ActorRole, Action: e.Action, Purpose: e.Purpose,
			AgreementID: e.AgreementID, Outcome: e.Outcome, LeafIndex: e.LeafIndex,
		})
	}
	return l, nil
}

func accessLogNotFound() error {
	return apperr.New(apperr.NotFound, "no access log for this receipt code and postcode").WithKey("error.access_log_unknown", nil)
}

// countFamilyAttempt counts an attempt for the code and the address, and
// refuses it (too_many_attempts, audited in the same transaction) over
// either limit.
func (db *DB) countFamilyAttempt(ctx context.Context, codeKey, addrKey string, ev audit.Event) error {
	p := familyThrottle
	var refusedUntil, now time.Time
	err := db.inTx(ctx, func(tx *Tx) error {
		now = tx.now
		byCode, codeStart, err := bumpThrottle(ctx, tx, codeKey, p.Window)
		if err != nil {
			return err
		}
		byAddr, addrStart, err := bumpThrottle(ctx, tx, addrKey, p.Window)
		if err != nil {
			return err
		}
		if byCode > p.PerCode {
			refusedUntil = codeStart.T.Add(p.Window)
		}
		if byAddr > p.PerAddr && addrStart.T.Add(p.Window).After(refusedUntil) {
			refusedUntil = addrStart.T.Add(p.Window)
		}
		if refusedUntil.IsZero() {
			return nil
		}
		ev.Detail = strings.TrimPrefix(ev.Detail+"; throttled", "; ")
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return err
	}
	if !refusedUntil.IsZero() {
		return throttled(refusedUntil.Sub(now))
	}
	return nil
}

// familyRef is what the view needs of the referral behind a code.
type familyRef struct {
	found     bool
	id        int64
	status    referral.ReceiptStatus
	nis       string
	postcodes []string
	since     time.Time // what the retention period counts from
	draft     bool
}

// familyReferral reads the referral behind code; found is false when
// there is none (the same two queries run either way).
func (db *DB) familyReferral(ctx context.Context, code string) (f familyRef, err error) {
	var status, recipient string
	var agreementID int64
	var created, sent, closed, withdrawn, deleted timeCol
	err = db.read.QueryRowContext(ctx, `SELECT r.id, r.status, o.name, COALESCE(r.agreement_id,0), r.municipality_nis,
		r.created_at, r.sent_at, r.closed_at, r.withdrawn_at, r.data_deleted_at
		FROM referrals r JOIN organisations o ON o.key = r.recipient_key WHERE r.receipt_code = $1`, code).
		Scan(&f.id, &status, &recipient, &agreementID, &f.nis, &created, &sent, &closed, &withdrawn, &deleted)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		f.id = 0
	case err != nil:
		return f, err
	default:
		f.found = true
	}
	f.postcodes, err = queryList(ctx, db.read, scanValue[string], `SELECT postcode FROM referral_parents WHERE referral_id = $1 ORDER BY idx`, f.id)
	if err != nil {
		return f, err
	}
	// The retention period, also (to no avail) for an unknown code.
	v, err := currentVersion(ctx, db.read, agreementID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return f, err
	}
	if !f.found {
		return f, nil
	}
	f.status = referral.ReceiptStatus{Status: referral.Status(status), Recipient: recipient, SentAt: sent.Ptr(),
		WithdrawnAt: withdrawn.Ptr(), DataDeletedAt: deleted.Ptr(), RetentionDays: v.RetentionDays}
	switch referral.Status(status) {
	case referral.Draft:
		f.since, f.draft = created.T, true
	case referral.Closed:
		f.since = closed.T
	case referral.Withdrawn:
		f.since = withdrawn.T
	}
	return f, nil
}

// postcodeMatches reports whether postcode is one of the parents'. Once
// their data were deleted, the postcode can no longer be compared with
// theirs; then any postcode of the referral's municipality opens the
// view (the municipality is kept for the statistics anyway).
func (f familyRef) postcodeMatches(db *DB, postcode string) bool {
	if postcode == "" {
		return false
	}
	if len(f.postcodes) > 0 {
		return slices.Contains(f.postcodes, postcode)
	}
	if f.status.DataDeletedAt == nil || db.Municipalities == nil {
		return false
	}
	for _, m := range db.Municipalities.ByPostcode(postcode, *f.status.DataDeletedAt) {
		if m.NIS == f.nis {
			return true
		}
	}
	return false
}

// deletionDue is the day the contact data are deleted at the latest,
// as the retention job computes it; nil while it is not known yet.
func (f familyRef) deletionDue() *time.Time {
	if f.status.DataDeletedAt != nil {
		d := dateOf(*f.status.DataDeletedAt)
		return &d
	}
	if f.since.IsZero() {
		return nil
	}
	days := f.status.RetentionDays
	if f.draft {
		days = DraftRetentionDays
	} else if days <= 0 {
		days = agreement.DefaultRetentionDays
	}
	d := dateOf(f.since.AddDate(0, 0, days))
	return &d
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// orgNames returns the names of the organisations that acted on the
// code's events, in one query whatever their number.
func (db *DB) orgNames(ctx context.Context, code string) (map[string]string, error) {
	type pair struct{ key, name string }
	list, err := queryList(ctx, db.read, func(row rowScanner) (pair, error) {
		var p pair
		err := row.Scan(&p.key, &p.name)
		return p, err
	}, `SELECT key, name FROM organisations WHERE key IN (SELECT actor_org FROM audit_events WHERE receipt_code = $1 AND receipt_code <> '')`, code)
	out := map[string]string{}
	for _, p := range list {
		out[p.key] = p.name
	}
	return out, err
}

// ReceiptCode is a family's receipt code with the referral's status, for
// the demo's start-up message only (a new user tries the family's view).
type ReceiptCode struct {
	Code   string
	Status referral.Status
}

// ReceiptCodesOf returns, for the demo, the receipt code of the first
// referral of team in each of statuses (in that order; a status without
// one is left out). Not for production use: it is not audited, and lists
// codes that open a family's view.
func (db *DB) ReceiptCodesOf(ctx context.Context, team string, statuses ...referral.Status) ([]ReceiptCode, error) {
	var out []ReceiptCode
	for _, s := range statuses {
		var code string
		err := db.read.QueryRowContext(ctx, `SELECT receipt_code FROM referrals WHERE team_key = $1 AND status = $2 ORDER BY id LIMIT 1`, team, string(s)).Scan(&code)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ReceiptCode{Code: code, Status: s})
	}
	return out, nil
}
