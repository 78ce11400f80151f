// Package gdpr holds what the data protection officer (role dpo) needs to
// answer families under the GDPR, and Kansrijk's record of processing
// activities (art. 30, processing.go).
//
// Requests of families (art. 15–21). A DPO registers each request (access,
// rectification, objection, erasure) with the day it came in; it is due one
// month later (art. 12(3)) and stays open until the DPO records the day it
// was answered. Registering looks the family up — by a receipt code, or by
// name and address (postcode, street and number, name; compared folded,
// internal/textnorm) — across referrals and birth notifications, and keeps
// what it found: the export (JSON, PDF) then gives everything held about
// those: parents, consents, contact attempts, outcomes, birth
// notifications, and the access history (their audit events).
//
// Scope. Opgroeien's DPO answers for Kansrijk as a whole: every referral
// and every birth notification. The DPO of an OCMW (or of CAW Brussel)
// answers for what its organisation holds: the referrals sent to it (never
// a draft, never a birth notification, never Kind en Gezin's assessment),
// and of their access history the events of its own organisation; it sees
// a family's receipt code only when it looked the family up by it. Requests
// belong to the DPO's organisation: another organisation's request is
// not_found.
//
// Rectification. Recorded on the request (which field of which object, by
// whom, when — never the old value). Where the data are Kansrijk's own
// (the parents' name, address, telephone or e-mail on a referral or a birth
// notification) it is applied at once, in the same transaction, and
// audited; a correction of anything else (what an OCMW keeps in its own
// social file, an outcome) is recorded with a note for the DPO to pass on.
//
// Objection (art. 21). Recorded on the request. A referral of the family
// that was not sent yet (draft) is withdrawn: cancelled, and its contact
// data and assessment deleted, as when the family withdraws its consent. A
// referral already sent stays as it is: the objection is on the request
// for the DPO to take up with the local team, which withdraws it (the
// OCMW then gets its withdrawal notice) unless compelling legitimate
// grounds are recorded.
//
// Erasure. Registered and tracked to its deadline; the deletion itself is
// the withdrawal or the retention job.
//
// Every registration, export, rectification and objection writes one
// audit event per receipt code found (subject_request.create, .export,
// .rectification, .objection), so that the family's own view shows it.
package gdpr

import (
	"context"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/birth"
	"kansrijk/internal/dates"
	"kansrijk/internal/referral"
	"kansrijk/internal/textnorm"
)

// Kind is what a family asks.
type Kind string

// The kinds of request.
const (
	Access        Kind = "access"        // art. 15
	Rectification Kind = "rectification" // art. 16
	Erasure       Kind = "erasure"       // art. 17
	Objection     Kind = "objection"     // art. 21
)

// Kinds lists every kind of request.
var Kinds = []Kind{Access, Rectification, Objection, Erasure}

// Audit actions of the area (contract of issue 11).
const (
	AuditCreate        = "subject_request.create"
	AuditExport        = "subject_request.export"
	AuditRectification = "subject_request.rectification"
	AuditObjection     = "subject_request.objection"
	AuditAnswer        = "subject_request.answer"
	AuditDenied        = "subject_request.access_denied"
	// Purpose of every event of the area.
	Purpose = audit.PurposeSubjectRequest
)

// Fields of a parent that a rectification applies to Kansrijk's own data.
var Fields = []string{"name", "street", "number", "box", "postcode", "phone", "email"}

// ObjectTypes a rectification may name.
var ObjectTypes = []string{"referral", "birth_notification"}

// DueOn is the day an answer is due: one month after the request came in
// (art. 12(3)), counted as Regulation 1182/71 counts months: the same day
// of the next month, or its last day when it has no such day (31 January
// → 28 February). The extension by two further months is the DPO's to note.
func DueOn(received time.Time) time.Time {
	y, m, d := received.Date()
	last := time.Date(y, m+2, 0, 0, 0, 0, 0, time.UTC).Day() // last day of the next month
	return time.Date(y, m+1, min(d, last), 0, 0, 0, 0, time.UTC)
}

// Lookup is how the family was looked up: a receipt code, or name and
// address.
type Lookup struct {
	ReceiptCode string `json:"receipt_code,omitempty"`
	Postcode    string `json:"postcode,omitempty"`
	Street      string `json:"street,omitempty"`
	Number      string `json:"number,omitempty"`
	Name        string `json:"name,omitempty"`
}

// ByCode reports whether the lookup is by receipt code.
func (l Lookup) ByCode() bool { return l.ReceiptCode != "" }

// NormalizeCode writes a receipt code as printed ("kr-abcd efgh-jkmn" →
// "KR-ABCD-EFGH-JKMN").
func NormalizeCode(s string) string {
	s = strings.ToUpper(strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '.' }), ""))
	if len(s) == 14 && strings.HasPrefix(s, "KR") {
		return s[:2] + "-" + s[2:6] + "-" + s[6:10] + "-" + s[10:]
	}
	return s
}

// NameKey folds a name for comparison, word order ignored ("Peeters,
// Anaïs" and "anais peeters" are alike).
func NameKey(s string) string {
	w := textnorm.Words(s)
	slices.Sort(w)
	return strings.Join(w, " ")
}

// AddressKey folds a street or a house number for comparison: case,
// accents, spaces and punctuation ignored ("Sint-Jansstraat" and "sint
// jansstraat", "12A" and "12 a" are alike).
func AddressKey(s string) string { return strings.Join(textnorm.Words(s), "") }

var (
	postcodeRE = regexp.MustCompile(`^[1-9][0-9]{3}$`)
	phoneRE    = regexp.MustCompile(`^\+?[0-9 ./()-]{8,20}$`)
)

// NewRequest registers a request.
type NewRequest struct {
	Kind       Kind   `json:"type"`
	ReceivedOn string `json:"received_on"` // YYYY-MM-DD; empty: today
	Lookup
	Note string `json:"note,omitempty"`

	// Received is ReceivedOn parsed by Validate.
	Received time.Time `json:"-"`
}

// Validate checks a new request against today (a request cannot come in
// tomorrow): a known kind, a date as people type it (6/12/2026,
// 06-12-2026, 2026-12-06), and either a receipt code or all of postcode,
// street, number and name. It reports every problem at once (an
// apperr.List in the order of the form, each naming its field).
func (in *NewRequest) Validate(today time.Time) error {
	var ps []*apperr.Error
	add := func(e *apperr.Error) { ps = append(ps, e) }
	if !slices.Contains(Kinds, in.Kind) {
		add(apperr.FieldErr(apperr.Invalid, "type", "type must be access, rectification, objection or erasure").WithKey("gdpr.error.type", nil))
	}
	in.ReceivedOn = strings.TrimSpace(in.ReceivedOn)
	in.Received = today
	if d, ok, err := dates.Parse(in.ReceivedOn); err != nil {
		add(apperr.FieldErr(apperr.InvalidDate, "received_on", "received_on must be a date (YYYY-MM-DD or DD-MM-YYYY), got %q", in.ReceivedOn).
			WithKey("error.date_format", map[string]any{"Value": in.ReceivedOn}))
	} else if ok && d.After(today) {
		add(apperr.FieldErr(apperr.InvalidDate, "received_on", "received_on lies in the future").WithKey("gdpr.error.received_future", nil))
	} else if ok {
		in.Received = d
	}
	in.ReceivedOn = in.Received.Format(time.DateOnly)
	l := &in.Lookup
	for _, s := range []*string{&l.ReceiptCode, &l.Postcode, &l.Street, &l.Number, &l.Name, &in.Note} {
		*s = strings.TrimSpace(*s)
	}
	l.ReceiptCode = NormalizeCode(l.ReceiptCode)
	// The lookup's problems by field, reported in the order of the form.
	byField := map[string]*apperr.Error{}
	for _, f := range []struct {
		field, s string
		max      int
	}{{"receipt_code", l.ReceiptCode, 40}, {"name", l.Name, 200}, {"street", l.Street, 200}, {"number", l.Number, 20}, {"postcode", l.Postcode, 20}, {"note", in.Note, 2000}} {
		if len(f.s) > f.max {
			byField[f.field] = apperr.FieldErr(apperr.FieldTooLong, f.field, "%s is too long (at most %d characters)", f.field, f.max).WithKey("gdpr.error.too_long", nil)
		}
	}
	set := func(field string, e *apperr.Error) {
		if byField[field] == nil {
			byField[field] = e
		}
	}
	address := l.Postcode != "" || l.Street != "" || l.Number != "" || l.Name != ""
	switch {
	case l.ReceiptCode != "" && address:
		set("receipt_code", apperr.FieldErr(apperr.Invalid, "receipt_code", "look up by receipt code or by name and address, not both").WithKey("gdpr.error.lookup_both", nil))
	case l.ReceiptCode != "":
	case !address:
		set("receipt_code", apperr.FieldErr(apperr.Invalid, "receipt_code", "give a receipt code, or postcode, street, number and name").WithKey("gdpr.error.lookup", nil))
	default:
		// By name and address: each part that is missing or wrong.
		for _, f := range []struct {
			field string
			empty bool
		}{{"name", NameKey(l.Name) == ""}, {"street", AddressKey(l.Street) == ""}, {"number", AddressKey(l.Number) == ""}} {
			if f.empty {
				set(f.field, apperr.FieldErr(apperr.Invalid, f.field, "give postcode, street, number and name: %s is missing", f.field).WithKey("authors.gdpr.lookup_part", nil))
			}
		}
		if !postcodeRE.MatchString(l.Postcode) {
			set("postcode", apperr.FieldErr(apperr.PostcodeInvalid, "postcode", "postcode must be 4 digits").WithKey("gdpr.error.postcode", nil))
		}
	}
	for _, f := range []string{"receipt_code", "name", "street", "number", "postcode", "note"} {
		if e := byField[f]; e != nil {
			add(e)
		}
	}
	return apperr.Join(ps)
}

// Found is what a lookup found, in the scope of the DPO who made it.
type Found struct {
	ReceiptCodes       []string `json:"receipt_codes"`
	Referrals          []int64  `json:"referrals"`
	BirthNotifications []int64  `json:"birth_notifications"`
}

// Empty reports whether nothing was found.
func (f Found) Empty() bool { return len(f.Referrals) == 0 && len(f.BirthNotifications) == 0 }

// Request is a registered request, without the lookup's personal data
// (except how it was looked up, by_code or by_address).
type Request struct {
	ID         int64      `json:"id"`
	Org        string     `json:"organisation"`
	Kind       Kind       `json:"type"`
	ReceivedOn string     `json:"received_on"`
	DueOn      string     `json:"due_on"`
	AnsweredOn string     `json:"answered_on,omitempty"`
	Open       bool       `json:"open"`
	Overdue    bool       `json:"overdue"`
	LookupBy   string     `json:"lookup_by"` // receipt_code or name_address
	Postcode   string     `json:"postcode,omitempty"`
	Found      Found      `json:"found"`
	Note       string     `json:"note,omitempty"`
	Actions    []Action   `json:"actions"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  *time.Time `json:"updated_at,omitempty"`
}

// Action is a rectification or an objection recorded on a request.
type Action struct {
	ID         int64     `json:"id"`
	Kind       Kind      `json:"type"` // rectification or objection
	ObjectType string    `json:"object_type,omitempty"`
	ObjectID   int64     `json:"object_id,omitempty"`
	Parent     *int      `json:"parent,omitempty"`
	Field      string    `json:"field,omitempty"`
	Applied    bool      `json:"applied"`
	Withdrawn  []int64   `json:"withdrawn_referrals,omitempty"`
	Note       string    `json:"note,omitempty"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// NewRectification corrects one field of one parent on a referral or a
// birth notification the request found (applied), or, without an object,
// records a correction to pass on (Note required).
type NewRectification struct {
	ObjectType string `json:"object_type,omitempty"`
	ObjectID   int64  `json:"object_id,omitempty"`
	Parent     int    `json:"parent"`
	Field      string `json:"field,omitempty"`
	Value      string `json:"value,omitempty"`
	Note       string `json:"note,omitempty"`
}

// Validate checks a rectification without the database, reporting every
// problem at once (an apperr.List in the order of the form).
func (in *NewRectification) Validate() error {
	in.ObjectType, in.Field, in.Value, in.Note = strings.TrimSpace(in.ObjectType), strings.TrimSpace(in.Field), strings.TrimSpace(in.Value), strings.TrimSpace(in.Note)
	var ps []*apperr.Error
	add := func(e *apperr.Error) { ps = append(ps, e) }
	valueTooLong, noteTooLong := len(in.Value) > 200, len(in.Note) > 2000
	if in.ObjectType == "" && in.ObjectID == 0 && in.Field == "" {
		// A rectification done by hand: the note says what.
		switch {
		case noteTooLong:
			add(apperr.FieldErr(apperr.FieldTooLong, "note", "note is too long (at most 2000 characters)").WithKey("gdpr.error.too_long", nil))
		case in.Note == "":
			add(apperr.FieldErr(apperr.Invalid, "note", "say what is to be corrected").WithKey("gdpr.error.note_required", nil))
		}
		return apperr.Join(ps)
	}
	if !slices.Contains(ObjectTypes, in.ObjectType) || in.ObjectID <= 0 {
		add(apperr.FieldErr(apperr.Invalid, "object_type", "object_type must be referral or birth_notification, with its object_id").WithKey("gdpr.error.object", nil))
	}
	if in.Parent < 0 || in.Parent > 1 {
		add(apperr.FieldErr(apperr.Invalid, "parent", "parent must be 0 or 1").WithKey("gdpr.error.parent", nil))
	}
	known := slices.Contains(Fields, in.Field)
	if !known {
		add(apperr.FieldErr(apperr.Invalid, "field", "field must be one of %s", strings.Join(Fields, ", ")).WithKey("gdpr.error.field", nil))
	}
	switch {
	case valueTooLong:
		add(apperr.FieldErr(apperr.FieldTooLong, "value", "value is too long (at most 200 characters)").WithKey("gdpr.error.too_long", nil))
	case !known:
	case (in.Field == "name" || in.Field == "street" || in.Field == "number") && in.Value == "":
		add(apperr.FieldErr(apperr.Invalid, "value", "the corrected value is required").WithKey("gdpr.error.value", nil))
	case in.Field == "postcode" && !postcodeRE.MatchString(in.Value):
		add(apperr.FieldErr(apperr.PostcodeInvalid, "value", "postcode must be 4 digits").WithKey("gdpr.error.postcode", nil))
	case in.Field == "phone" && in.Value != "" && !phoneRE.MatchString(in.Value):
		add(apperr.FieldErr(apperr.PhoneInvalid, "value", "invalid telephone number").WithKey("gdpr.error.phone", nil))
	case in.Field == "email" && in.Value != "":
		if a, err := mail.ParseAddress(in.Value); err != nil || a.Address != in.Value {
			add(apperr.FieldErr(apperr.EmailInvalid, "value", "invalid e-mail address").WithKey("gdpr.error.email", nil))
		}
	}
	if noteTooLong {
		add(apperr.FieldErr(apperr.FieldTooLong, "note", "note is too long (at most 2000 characters)").WithKey("gdpr.error.too_long", nil))
	}
	return apperr.Join(ps)
}

// NewObjection records a family's objection.
type NewObjection struct {
	Note string `json:"note,omitempty"`
}

// Answer records the day a request was answered.
type Answer struct {
	AnsweredOn string `json:"answered_on"` // YYYY-MM-DD; empty: today
}

// Filter selects requests.
type Filter struct {
	Open bool // only those not answered yet
}

// AccessEvent is one line of a family's access history: who (organisation
// and function, never a worker's name or address), when, what, why.
type AccessEvent struct {
	At           time.Time `json:"at"`
	Action       string    `json:"action"`
	Organisation string    `json:"organisation"`
	Function     string    `json:"function"`
	Channel      string    `json:"channel"`
	ObjectType   string    `json:"object_type"`
	ObjectID     string    `json:"object_id"`
	Code         string    `json:"code,omitempty"` // the receipt code the event concerns
	Purpose      string    `json:"purpose,omitempty"`
	AgreementID  int64     `json:"agreement_id,omitempty"`
	Outcome      string    `json:"outcome"`
	LeafIndex    *int64    `json:"leaf_index,omitempty"`
}

// Dossier is everything held about a family, as the export gives it.
type Dossier struct {
	Request            Request              `json:"request"`
	GeneratedAt        time.Time            `json:"generated_at"`
	Referrals          []referral.Referral  `json:"referrals"`
	BirthNotifications []birth.Notification `json:"birth_notifications"`
	AccessHistory      []AccessEvent        `json:"access_history"`
}

// Store is what the area needs from storage. Every method is for a DPO
// (else forbidden); another organisation's request is not_found, and the
// attempt is audited as denied.
type Store interface {
	CreateSubjectRequest(ctx context.Context, a account.Actor, in NewRequest) (Request, error)
	SubjectRequests(ctx context.Context, a account.Actor, f Filter) ([]Request, error)
	SubjectRequest(ctx context.Context, a account.Actor, id int64) (Request, error)
	// SubjectRequestDossier reads everything found, audited as an export.
	SubjectRequestDossier(ctx context.Context, a account.Actor, id int64) (Dossier, error)
	AddRectification(ctx context.Context, a account.Actor, id int64, in NewRectification) (Request, error)
	AddObjection(ctx context.Context, a account.Actor, id int64, in NewObjection) (Request, error)
	AnswerSubjectRequest(ctx context.Context, a account.Actor, id int64, in Answer) (Request, error)
	ProcessingRecordData(ctx context.Context, a account.Actor, on time.Time) ([]Recipient, error)
	// Lists (issue 12): the paged list, lists.go.
	Lists
}

// RequireDPO refuses anyone but a DPO.
func RequireDPO(a account.Actor) error {
	if a.Role != account.DPO {
		return apperr.New(apperr.Forbidden, "only the data protection officer handles requests of families").WithKey("error.forbidden", nil)
	}
	return nil
}
