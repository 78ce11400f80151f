package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/birth"
	"kansrijk/internal/gdpr"
	"kansrijk/internal/referral"
)

// Requests of families under the GDPR (area gdpr): who may do what, and
// what a rectification or an objection does, is documented on package gdpr.

var _ gdpr.Store = (*DB)(nil)

func notFoundSubjectRequest() error {
	return apperr.New(apperr.NotFound, "no such request").WithKey("error.not_found", nil)
}

// srDenied is an access to another organisation's request: answered as
// not_found, audited after the refused transaction.
type srDenied struct{ id int64 }

func (e *srDenied) Error() string { return "access to subject request denied" }

// srTx runs fn in a write transaction; a denied access is audited in a
// transaction of its own and answered as not_found.
func (db *DB) srTx(ctx context.Context, a account.Actor, fn func(tx *Tx) error) error {
	err := db.inTx(ctx, fn)
	var d *srDenied
	if errors.As(err, &d) {
		return db.denySubjectRequest(ctx, a, d.id)
	}
	return err
}

func (db *DB) denySubjectRequest(ctx context.Context, a account.Actor, id int64) error {
	ev := audit.For(a, gdpr.AuditDenied, "subject_request", strconv.FormatInt(id, 10))
	ev.Outcome, ev.Purpose = audit.Denied, gdpr.Purpose
	if err := db.inTx(ctx, func(tx *Tx) error { return tx.Audit(ctx, ev) }); err != nil {
		return err
	}
	return notFoundSubjectRequest()
}

// centralDPO reports whether the DPO answers for Kansrijk as a whole
// (Opgroeien's) rather than for one OCMW.
func centralDPO(a account.Actor) bool { return a.OrgKind == account.KindOpgroeien }

// viewFor is a request as the actor may see it: an OCMW never holds a
// family's receipt code, so its DPO sees the codes found only when it
// looked the family up by the code it was given. The audit events still
// carry them (the family's view selects on them).
func viewFor(a account.Actor, r gdpr.Request) gdpr.Request {
	if !centralDPO(a) && r.LookupBy != "receipt_code" {
		r.Found.ReceiptCodes = []string{}
	}
	return r
}

// requestEvents are the audit events of an action on a request: one per
// receipt code found (the family's view selects on it), or one without a
// code when none was found.
func requestEvents(a account.Actor, action string, r gdpr.Request, detail string) []audit.Event {
	base := audit.For(a, action, "subject_request", strconv.FormatInt(r.ID, 10))
	base.Purpose, base.Detail = gdpr.Purpose, detail
	if len(r.Found.ReceiptCodes) == 0 {
		return []audit.Event{base}
	}
	out := make([]audit.Event, 0, len(r.Found.ReceiptCodes))
	for _, c := range r.Found.ReceiptCodes {
		ev := base
		ev.ReceiptCode = c
		out = append(out, ev)
	}
	return out
}

func (tx *Tx) auditAll(ctx context.Context, evs []audit.Event) error {
	for _, ev := range evs {
		if err := tx.Audit(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

// findFamily looks a family up in the DPO's scope (see package gdpr).
func (db *DB) findFamily(ctx context.Context, q queryer, a account.Actor, l gdpr.Lookup) (gdpr.Found, error) {
	central := centralDPO(a)
	refs, births := map[int64]bool{}, map[int64]bool{}
	if l.ByCode() {
		ids, err := queryList(ctx, q, scanValue[int64], `SELECT id FROM referrals WHERE receipt_code = $1`, l.ReceiptCode)
		if err != nil {
			return gdpr.Found{}, err
		}
		for _, id := range ids {
			refs[id] = true
		}
	} else {
		name, street, number := gdpr.NameKey(l.Name), gdpr.AddressKey(l.Street), gdpr.AddressKey(l.Number)
		type hit struct {
			id                   int64
			name, street, number string
		}
		scan := func(row rowScanner) (hit, error) {
			var h hit
			err := row.Scan(&h.id, &h.name, &h.street, &h.number)
			return h, err
		}
		match := func(h hit) bool {
			return gdpr.NameKey(h.name) == name && gdpr.AddressKey(h.street) == street && gdpr.AddressKey(h.number) == number
		}
		hits, err := queryList(ctx, q, scan, `SELECT referral_id, name, street, number FROM referral_parents WHERE postcode = $1`, l.Postcode)
		if err != nil {
			return gdpr.Found{}, err
		}
		for _, h := range hits {
			if match(h) {
				refs[h.id] = true
			}
		}
		if central {
			hits, err := queryList(ctx, q, scan, `SELECT notification_id, name, street, number FROM birth_parents WHERE postcode = $1`, l.Postcode)
			if err != nil {
				return gdpr.Found{}, err
			}
			for _, h := range hits {
				if match(h) {
					births[h.id] = true
				}
			}
		}
	}
	if central {
		// A birth notification and the referral started from it are one family.
		for id := range births {
			var ref sql.NullInt64
			if err := q.QueryRowContext(ctx, `SELECT referral_id FROM birth_notifications WHERE id = $1`, id).Scan(&ref); err != nil {
				return gdpr.Found{}, err
			}
			if ref.Valid {
				refs[ref.Int64] = true
			}
		}
		for id := range refs {
			ids, err := queryList(ctx, q, scanValue[int64], `SELECT id FROM birth_notifications WHERE referral_id = $1`, id)
			if err != nil {
				return gdpr.Found{}, err
			}
			for _, b := range ids {
				births[b] = true
			}
		}
	}
	found := gdpr.Found{ReceiptCodes: []string{}, Referrals: []int64{}, BirthNotifications: []int64{}}
	for id := range refs {
		var code, recipient, status string
		if err := q.QueryRowContext(ctx, `SELECT receipt_code, recipient_key, status FROM referrals WHERE id = $1`, id).Scan(&code, &recipient, &status); err != nil {
			return found, err
		}
		if !central && (recipient != a.Org || !referral.Status(status).AtOCMW()) {
			continue
		}
		found.Referrals = append(found.Referrals, id)
		found.ReceiptCodes = append(found.ReceiptCodes, code)
	}
	for id := range births {
		found.BirthNotifications = append(found.BirthNotifications, id)
	}
	slices.Sort(found.Referrals)
	slices.Sort(found.ReceiptCodes)
	slices.Sort(found.BirthNotifications)
	return found, nil
}

const subjectRequestColumns = `id, org_key, kind, received_on, due_on, answered_on, lookup_code, lookup_postcode, receipt_codes, referral_ids, birth_ids,
	note, created_by, created_at, updated_at`

func scanSubjectRequest(today time.Time) func(row rowScanner) (gdpr.Request, error) {
	return func(row rowScanner) (gdpr.Request, error) {
		var r gdpr.Request
		var kind, code, codes, refs, births string
		var received, due, answered, created, updated timeCol
		err := row.Scan(&r.ID, &r.Org, &kind, &received, &due, &answered, &code, &r.Postcode, &codes, &refs, &births,
			&r.Note, &r.CreatedBy, &created, &updated)
		if err != nil {
			return r, err
		}
		r.Kind, r.ReceivedOn, r.DueOn, r.CreatedAt = gdpr.Kind(kind), day(received.T), day(due.T), created.T
		if updated.Valid && !updated.T.Equal(created.T) {
			r.UpdatedAt = updated.Ptr()
		}
		if answered.Valid {
			r.AnsweredOn = day(answered.T)
		}
		r.Open = !answered.Valid
		r.Overdue = r.Open && today.After(due.T)
		r.LookupBy = "name_address"
		if code != "" {
			r.LookupBy, r.Postcode = "receipt_code", ""
		}
		for _, p := range []struct {
			s string
			v any
		}{{codes, &r.Found.ReceiptCodes}, {refs, &r.Found.Referrals}, {births, &r.Found.BirthNotifications}} {
			if err := json.Unmarshal([]byte(p.s), p.v); err != nil {
				return r, err
			}
		}
		r.Actions = []gdpr.Action{}
		return r, nil
	}
}

// loadSubjectRequest reads a request of the actor's organisation, with its
// actions; another organisation's is an srDenied.
func (db *DB) loadSubjectRequest(ctx context.Context, q queryer, a account.Actor, id int64) (gdpr.Request, error) {
	r, err := scanSubjectRequest(today(db.Now()))(q.QueryRowContext(ctx, `SELECT `+subjectRequestColumns+` FROM subject_requests WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFoundSubjectRequest()
	}
	if err != nil {
		return r, err
	}
	if r.Org != a.Org {
		return gdpr.Request{}, &srDenied{id: id}
	}
	r.Actions, err = queryList(ctx, q, func(row rowScanner) (gdpr.Action, error) {
		var x gdpr.Action
		var kind, withdrawn string
		var obj, parent sql.NullInt64
		var at timeCol
		if err := row.Scan(&x.ID, &kind, &x.ObjectType, &obj, &parent, &x.Field, &x.Applied, &withdrawn, &x.Note, &x.RecordedBy, &at); err != nil {
			return x, err
		}
		x.Kind, x.ObjectID, x.RecordedAt = gdpr.Kind(kind), obj.Int64, at.T
		if parent.Valid {
			p := int(parent.Int64)
			x.Parent = &p
		}
		return x, json.Unmarshal([]byte(withdrawn), &x.Withdrawn)
	}, `SELECT id, kind, object_type, object_id, parent_idx, field, applied, withdrawn, note, recorded_by, recorded_at
		FROM subject_request_actions WHERE request_id = $1 ORDER BY id`, id)
	if r.Actions == nil {
		r.Actions = []gdpr.Action{}
	}
	return r, err
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// CreateSubjectRequest registers a family's request, looks the family up
// in the DPO's scope and keeps what it found. DPOs only (else forbidden).
// Audited as subject_request.create, once per receipt code found.
func (db *DB) CreateSubjectRequest(ctx context.Context, a account.Actor, in gdpr.NewRequest) (r gdpr.Request, err error) {
	defer apperr.Wrap(&err, "store.CreateSubjectRequest")
	if err := gdpr.RequireDPO(a); err != nil {
		return r, err
	}
	if err := in.Validate(today(db.Now())); err != nil {
		return r, err
	}
	var id int64
	err = db.srTx(ctx, a, func(tx *Tx) error {
		found, err := db.findFamily(ctx, tx, a, in.Lookup)
		if err != nil {
			return err
		}
		l := in.Lookup
		err = tx.QueryRowContext(ctx, `INSERT INTO subject_requests (org_key, kind, received_on, due_on, lookup_code, lookup_postcode, lookup_street,
			lookup_number, lookup_name, receipt_codes, referral_ids, birth_ids, note, created_by, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$15) RETURNING id`,
			a.Org, string(in.Kind), day(in.Received), day(gdpr.DueOn(in.Received)), l.ReceiptCode, l.Postcode, l.Street, l.Number, l.Name,
			jsonText(found.ReceiptCodes), jsonText(found.Referrals), jsonText(found.BirthNotifications), in.Note, actorName(a), ts(tx.now)).Scan(&id)
		if err != nil {
			return err
		}
		r = gdpr.Request{ID: id, Found: found}
		detail := fmt.Sprintf("%s request; found %d referral(s), %d birth notification(s)", in.Kind, len(found.Referrals), len(found.BirthNotifications))
		return tx.auditAll(ctx, requestEvents(a, gdpr.AuditCreate, r, detail))
	})
	if err != nil {
		return r, err
	}
	r, err = db.loadSubjectRequest(ctx, db.read, a, id)
	return viewFor(a, r), err
}

// SubjectRequests lists the requests of the DPO's organisation: open ones
// first, by due date, then the answered ones, newest first.
func (db *DB) SubjectRequests(ctx context.Context, a account.Actor, f gdpr.Filter) ([]gdpr.Request, error) {
	if err := gdpr.RequireDPO(a); err != nil {
		return nil, err
	}
	q := `SELECT ` + subjectRequestColumns + ` FROM subject_requests WHERE org_key = $1`
	if f.Open {
		q += ` AND answered_on IS NULL`
	}
	q += ` ORDER BY CASE WHEN answered_on IS NULL THEN 0 ELSE 1 END, CASE WHEN answered_on IS NULL THEN due_on END, received_on DESC, id DESC LIMIT 1000`
	out, err := queryList(ctx, db.read, scanSubjectRequest(today(db.Now())), q, a.Org)
	if out == nil {
		out = []gdpr.Request{}
	}
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i] = viewFor(a, out[i])
	}
	if err := db.recordList(ctx, a, auditSubjectList, "subject_request", gdpr.Purpose, idsOf(out, func(r gdpr.Request) int64 { return r.ID })); err != nil {
		return nil, err
	}
	return out, nil
}

// SubjectRequest returns one request of the DPO's organisation with its
// rectifications and objections (no personal data of the family beyond
// the receipt codes and the postcode it was looked up with).
func (db *DB) SubjectRequest(ctx context.Context, a account.Actor, id int64) (gdpr.Request, error) {
	r, err := db.subjectRequest(ctx, a, id)
	if err != nil {
		return viewFor(a, r), err
	}
	// The request names the family (receipt codes, postcode): its read is
	// audited, one event per receipt code found, as its other actions.
	if err := db.recordReads(ctx, requestEvents(a, auditSubjectRead, r, "")...); err != nil {
		return gdpr.Request{}, err
	}
	return viewFor(a, r), nil
}

func (db *DB) subjectRequest(ctx context.Context, a account.Actor, id int64) (r gdpr.Request, err error) {
	if err := gdpr.RequireDPO(a); err != nil {
		return r, err
	}
	r, err = db.loadSubjectRequest(ctx, db.read, a, id)
	var d *srDenied
	if errors.As(err, &d) {
		return r, db.denySubjectRequest(ctx, a, id)
	}
	return r, err
}

// SubjectRequestDossier reads everything held about the family the request
// found, in the DPO's scope, and audits it as subject_request.export (once
// per receipt code) before answering.
func (db *DB) SubjectRequestDossier(ctx context.Context, a account.Actor, id int64) (d gdpr.Dossier, err error) {
	defer apperr.Wrap(&err, "store.SubjectRequestDossier")
	r, err := db.subjectRequest(ctx, a, id)
	if err != nil {
		return d, err
	}
	central := centralDPO(a)
	d = gdpr.Dossier{Request: viewFor(a, r), GeneratedAt: db.Now().UTC(), Referrals: []referral.Referral{}, BirthNotifications: []birth.Notification{}}
	for _, rid := range r.Found.Referrals {
		ref, err := dossierReferral(ctx, db.read, rid, central)
		if err != nil {
			return d, err
		}
		d.Referrals = append(d.Referrals, ref)
	}
	if central {
		for _, bid := range r.Found.BirthNotifications {
			n, err := dossierBirth(ctx, db.read, bid)
			if err != nil {
				return d, err
			}
			d.BirthNotifications = append(d.BirthNotifications, n)
		}
	}
	if d.AccessHistory, err = db.accessHistory(ctx, a, r); err != nil {
		return d, err
	}
	detail := fmt.Sprintf("export of %d referral(s), %d birth notification(s), %d access event(s)", len(d.Referrals), len(d.BirthNotifications), len(d.AccessHistory))
	if err := db.recordReads(ctx, requestEvents(a, gdpr.AuditExport, r, detail)...); err != nil {
		return gdpr.Dossier{}, err
	}
	return d, nil
}

// dossierReferral reads a referral whole; Kind en Gezin's assessment and
// the consents only for Opgroeien's DPO (an OCMW never holds them).
func dossierReferral(ctx context.Context, q queryer, id int64, central bool) (referral.Referral, error) {
	r, err := scanReferral(q.QueryRowContext(ctx, `SELECT `+referralColumns+` FROM referrals r WHERE r.id = $1`, id))
	if err != nil {
		return r, err
	}
	r.Parents, err = queryList(ctx, q, func(row rowScanner) (referral.Parent, error) {
		var p referral.Parent
		err := row.Scan(&p.Name, &p.Street, &p.Number, &p.Box, &p.Postcode, &p.MunicipalityNIS, &p.Phone, &p.Email)
		return p, err
	}, `SELECT name, street, number, box, postcode, municipality_nis, phone, email FROM referral_parents WHERE referral_id = $1 ORDER BY idx`, id)
	if err != nil {
		return r, err
	}
	if r.Parents == nil {
		r.Parents = []referral.Parent{}
	}
	if central {
		var crit, needs string
		err := q.QueryRowContext(ctx, `SELECT criteria, needs FROM referral_assessments WHERE referral_id = $1`, id).Scan(&crit, &needs)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return r, err
		}
		r.Criteria, r.Needs = []string{}, []string{}
		if crit != "" {
			_ = json.Unmarshal([]byte(crit), &r.Criteria)
			_ = json.Unmarshal([]byte(needs), &r.Needs)
		}
		if r.Consents, err = consents(ctx, q, id); err != nil {
			return r, err
		}
	} else {
		// What the OCMW never receives is not in its DPO's answer either.
		r.ReceiptCode = ""
	}
	r.ContactAttempts, err = contactAttempts(ctx, q, id)
	return r, err
}

func dossierBirth(ctx context.Context, q queryer, id int64) (birth.Notification, error) {
	var n birth.Notification
	s, err := scanBirth(q.QueryRowContext(ctx, `SELECT `+birthColumns+` FROM birth_notifications n WHERE n.id = $1`, id))
	if err != nil {
		return n, err
	}
	n.Summary = s
	type idxParent struct {
		idx int
		p   birth.Parent
	}
	ps, err := queryList(ctx, q, func(row rowScanner) (idxParent, error) {
		var x idxParent
		err := row.Scan(&x.idx, &x.p.Name, &x.p.Street, &x.p.Number, &x.p.Box, &x.p.Postcode, &x.p.MunicipalityNIS, &x.p.Phone, &x.p.Email, &x.p.Language)
		return x, err
	}, `SELECT idx, name, street, number, box, postcode, municipality_nis, phone, email, language FROM birth_parents WHERE notification_id = $1 ORDER BY idx`, id)
	if err != nil {
		return n, err
	}
	for _, x := range ps {
		p := x.p
		if x.idx == 0 {
			n.Mother = &p
		} else {
			n.CoParent = &p
		}
	}
	n.PossibleDuplicates = []int64{}
	n.Contacts, err = birthContacts(ctx, q, id)
	if n.Contacts == nil {
		n.Contacts = []birth.Contact{}
	}
	return n, err
}

// accessHistory gathers the audit events about what the request found:
// those on its referrals and birth notifications and those carrying its
// receipt codes (up to 1000 of each), oldest first; an OCMW's DPO gets
// its own organisation's. Workers' names, addresses and request details
// are left out: organisation and function only.
func (db *DB) accessHistory(ctx context.Context, a account.Actor, r gdpr.Request) ([]gdpr.AccessEvent, error) {
	org := ""
	if !centralDPO(a) {
		org = a.Org
	}
	var filters []audit.Filter
	for _, id := range r.Found.Referrals {
		filters = append(filters, audit.Filter{ObjectType: "referral", ObjectID: strconv.FormatInt(id, 10)})
	}
	if centralDPO(a) {
		for _, id := range r.Found.BirthNotifications {
			filters = append(filters, audit.Filter{ObjectType: "birth_notification", ObjectID: strconv.FormatInt(id, 10)})
		}
	}
	for _, c := range r.Found.ReceiptCodes {
		filters = append(filters, audit.Filter{ReceiptCode: c})
	}
	seen := map[int64]audit.Event{}
	for _, f := range filters {
		f.ActorOrg, f.Limit = org, 1000
		evs, err := db.AuditEvents(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			seen[e.ID] = e
		}
	}
	ids := make([]int64, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]gdpr.AccessEvent, 0, len(ids))
	for _, id := range ids {
		e := seen[id]
		org, fn := e.ActorOrg, e.ActorRole
		if org == "" {
			org, fn = "kansrijk", e.Channel
		}
		code := e.ReceiptCode
		if len(viewFor(a, r).Found.ReceiptCodes) == 0 {
			code = "" // an OCMW's DPO that did not look up by the code
		}
		out = append(out, gdpr.AccessEvent{At: e.At, Action: e.Action, Organisation: org, Function: fn, Channel: e.Channel,
			ObjectType: e.ObjectType, ObjectID: e.ObjectID, Code: code, Purpose: e.Purpose, AgreementID: e.AgreementID,
			Outcome: e.Outcome, LeafIndex: e.LeafIndex})
	}
	return out, nil
}

// rectifiable maps gdpr.Fields to the columns of the parents' tables.
var rectifiable = map[string]string{"name": "name", "street": "street", "number": "number", "box": "box", "postcode": "postcode", "phone": "phone", "email": "email"}

// AddRectification records a rectification on the request and, where it
// names a field of a parent on a referral or birth notification the
// request found, applies it (audited as subject_request.rectification in
// the same transaction). A referral outside what the request found is
// invalid; one whose contact data were deleted cannot be corrected
// (invalid_state).
func (db *DB) AddRectification(ctx context.Context, a account.Actor, id int64, in gdpr.NewRectification) (r gdpr.Request, err error) {
	defer apperr.Wrap(&err, "store.AddRectification")
	if err := gdpr.RequireDPO(a); err != nil {
		return r, err
	}
	if err := in.Validate(); err != nil {
		return r, err
	}
	err = db.srTx(ctx, a, func(tx *Tx) error {
		cur, err := db.loadSubjectRequest(ctx, tx, a, id)
		if err != nil {
			return err
		}
		applied := in.Field != ""
		detail := "recorded: " + in.Note
		if applied {
			if err := applyRectification(ctx, tx, cur, in); err != nil {
				return err
			}
			detail = fmt.Sprintf("%s %d parent %d: %s corrected", in.ObjectType, in.ObjectID, in.Parent, in.Field)
		}
		var obj, parent any
		if applied {
			obj, parent = in.ObjectID, in.Parent
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO subject_request_actions (request_id, kind, object_type, object_id, parent_idx, field, applied, note, recorded_by, recorded_at)
			VALUES ($1,'rectification',$2,$3,$4,$5,$6,$7,$8,$9)`, id, in.ObjectType, obj, parent, in.Field, applied, in.Note, actorName(a), ts(tx.now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subject_requests SET updated_at = $1 WHERE id = $2`, ts(tx.now), id); err != nil {
			return err
		}
		return tx.auditAll(ctx, requestEvents(a, gdpr.AuditRectification, cur, detail))
	})
	if err != nil {
		return r, err
	}
	r, err = db.loadSubjectRequest(ctx, db.read, a, id)
	return viewFor(a, r), err
}

func applyRectification(ctx context.Context, tx *Tx, cur gdpr.Request, in gdpr.NewRectification) error {
	col := rectifiable[in.Field]
	notFound := apperr.FieldErr(apperr.Invalid, "object_id", "the request did not find %s %d", in.ObjectType, in.ObjectID).WithKey("gdpr.error.not_found_object", nil)
	var res sql.Result
	var err error
	switch in.ObjectType {
	case "referral":
		if !slices.Contains(cur.Found.Referrals, in.ObjectID) {
			return notFound
		}
		res, err = tx.ExecContext(ctx, `UPDATE referral_parents SET `+col+` = $1 WHERE referral_id = $2 AND idx = $3`, in.Value, in.ObjectID, in.Parent)
		if err == nil {
			_, err = tx.ExecContext(ctx, `UPDATE referrals SET version = version + 1, updated_at = $1 WHERE id = $2`, ts(tx.now), in.ObjectID)
		}
	case "birth_notification":
		if !slices.Contains(cur.Found.BirthNotifications, in.ObjectID) {
			return notFound
		}
		res, err = tx.ExecContext(ctx, `UPDATE birth_parents SET `+col+` = $1 WHERE notification_id = $2 AND idx = $3`, in.Value, in.ObjectID, in.Parent)
		if err == nil && in.Field == "name" {
			// The duplicate check compares the name: keep its key in step.
			var born timeCol
			if err = tx.QueryRowContext(ctx, `SELECT child_birth_date FROM birth_notifications WHERE id = $1`, in.ObjectID).Scan(&born); err == nil {
				_, err = tx.ExecContext(ctx, `UPDATE birth_parents SET duplicate_key = $1 WHERE notification_id = $2 AND idx = $3`,
					birth.DuplicateKey(in.Value, born.T), in.ObjectID, in.Parent)
			}
		}
		if err == nil {
			_, err = tx.ExecContext(ctx, `UPDATE birth_notifications SET version = version + 1, updated_at = $1 WHERE id = $2`, ts(tx.now), in.ObjectID)
		}
	}
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return apperr.New(apperr.InvalidState, "no such parent on %s %d (or its contact data were deleted)", in.ObjectType, in.ObjectID).
			WithKey("gdpr.error.no_parent", nil)
	}
	return nil
}

// AddObjection records a family's objection on the request and withdraws
// every referral it found that was not sent yet: cancelled, contact data
// and assessment deleted (as a withdrawal of consent before sending).
// Audited as subject_request.objection, in the same transaction.
func (db *DB) AddObjection(ctx context.Context, a account.Actor, id int64, in gdpr.NewObjection) (r gdpr.Request, err error) {
	defer apperr.Wrap(&err, "store.AddObjection")
	if err := gdpr.RequireDPO(a); err != nil {
		return r, err
	}
	in.Note = strings.TrimSpace(in.Note)
	if len(in.Note) > 2000 {
		return r, apperr.FieldErr(apperr.FieldTooLong, "note", "the note is too long").WithKey("gdpr.error.too_long", nil)
	}
	err = db.srTx(ctx, a, func(tx *Tx) error {
		cur, err := db.loadSubjectRequest(ctx, tx, a, id)
		if err != nil {
			return err
		}
		withdrawn := []int64{}
		for _, rid := range cur.Found.Referrals {
			res, err := tx.ExecContext(ctx, `UPDATE referrals SET status = 'cancelled', withdrawn_at = $1, updated_at = $1, version = version + 1
				WHERE id = $2 AND status = 'draft'`, ts(tx.now), rid)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				if err := deleteContactData(ctx, tx, rid); err != nil {
					return err
				}
				withdrawn = append(withdrawn, rid)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO subject_request_actions (request_id, kind, withdrawn, note, recorded_by, recorded_at)
			VALUES ($1,'objection',$2,$3,$4,$5)`, id, jsonText(withdrawn), in.Note, actorName(a), ts(tx.now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subject_requests SET updated_at = $1 WHERE id = $2`, ts(tx.now), id); err != nil {
			return err
		}
		detail := fmt.Sprintf("objection recorded; %d draft referral(s) withdrawn %v", len(withdrawn), withdrawn)
		return tx.auditAll(ctx, requestEvents(a, gdpr.AuditObjection, cur, detail))
	})
	if err != nil {
		return r, err
	}
	r, err = db.loadSubjectRequest(ctx, db.read, a, id)
	return viewFor(a, r), err
}

// AnswerSubjectRequest records the day the request was answered (today
// when empty; not before it came in, not in the future).
func (db *DB) AnswerSubjectRequest(ctx context.Context, a account.Actor, id int64, in gdpr.Answer) (r gdpr.Request, err error) {
	defer apperr.Wrap(&err, "store.AnswerSubjectRequest")
	if err := gdpr.RequireDPO(a); err != nil {
		return r, err
	}
	now := today(db.Now())
	on := now
	if s := strings.TrimSpace(in.AnsweredOn); s != "" {
		if on, err = time.Parse(time.DateOnly, s); err != nil || on.After(now) {
			return r, apperr.FieldErr(apperr.InvalidDate, "answered_on", "answered_on must be a date YYYY-MM-DD, not in the future").WithKey("gdpr.error.answered_on", nil)
		}
	}
	err = db.srTx(ctx, a, func(tx *Tx) error {
		cur, err := db.loadSubjectRequest(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if day(on) < cur.ReceivedOn {
			return apperr.FieldErr(apperr.InvalidDate, "answered_on", "answered_on lies before the request came in").WithKey("gdpr.error.answered_on", nil)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subject_requests SET answered_on = $1, updated_at = $2 WHERE id = $3`, day(on), ts(tx.now), id); err != nil {
			return err
		}
		return tx.auditAll(ctx, requestEvents(a, gdpr.AuditAnswer, cur, "answered on "+day(on)))
	})
	if err != nil {
		return r, err
	}
	r, err = db.loadSubjectRequest(ctx, db.read, a, id)
	return viewFor(a, r), err
}
