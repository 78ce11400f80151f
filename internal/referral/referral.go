// Package referral is the heart of Kansrijk: a worker of a local team of
// Kind en Gezin refers a family, with the parents' informed, voluntary and
// explicit consent and under an agreement in force, to the OCMW of the
// family's place of residence (CAW Brussel in Brussels). Only the parents'
// name and contact details pass; Kind en Gezin's own assessment (the
// deprivation criteria and the needs it noted) never leaves Kind en Gezin.
package referral

import (
	"context"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/page"
)

// Status is where a referral stands.
type Status string

// The statuses. Draft and cancelled live only at the local team; the
// others are visible to the receiving OCMW.
const (
	Draft            Status = "draft"
	Cancelled        Status = "cancelled"
	Sent             Status = "sent"
	Received         Status = "received"
	ContactAttempted Status = "contact_attempted"
	Reached          Status = "reached"
	Closed           Status = "closed"
	Withdrawn        Status = "withdrawn"
)

// Statuses lists every status.
var Statuses = []Status{Draft, Cancelled, Sent, Received, ContactAttempted, Reached, Closed, Withdrawn}

// AtOCMW reports whether the referral has reached the OCMW.
func (s Status) AtOCMW() bool {
	return s == Sent || s == Received || s == ContactAttempted || s == Reached || s == Closed || s == Withdrawn
}

// Open reports whether the OCMW still works on it.
func (s Status) Open() bool {
	return s == Sent || s == Received || s == ContactAttempted || s == Reached
}

// Criteria are Kind en Gezin's six deprivation criteria.
var Criteria = []string{"income", "education", "employment", "stimulation", "housing", "health"}

// Needs the OCMW might meet (Kind en Gezin's own note).
var Needs = []string{"income_support", "health_insurance", "family_allowance", "energy_water", "housing", "debt", "childcare", "other"}

// InformationItems are the five things parents are told before consent.
var InformationItems = []string{"data", "recipient", "purpose", "processing", "expectations"}

// ConsentMethods: how consent was given.
var ConsentMethods = []string{"verbal", "signed"}

// Channels of a contact attempt.
var Channels = []string{"phone", "letter", "email", "home_visit", "counter"}

// Outcomes of a referral at the OCMW.
const (
	OutcomeRightsOpened    = "rights_opened"
	OutcomeDeclined        = "declined"
	OutcomeNotReachable    = "not_reachable"
	OutcomeMovedAway       = "moved_away"
	OutcomeDuplicate       = "duplicate"
	OutcomeWithdrawnFamily = "withdrawn" // set by a withdrawal, not by the OCMW
)

// Outcomes lists the outcomes the OCMW records.
var Outcomes = []string{OutcomeRightsOpened, OutcomeDeclined, OutcomeNotReachable, OutcomeMovedAway, OutcomeDuplicate}

// Rights a contact can open (for OutcomeRightsOpened).
var Rights = []string{"leefloon", "ocmw_supplementary_aid", "verhoogde_tegemoetkoming", "groeipakket_social", "groeipakket_school",
	"groeipakket_care", "social_tariff_energy", "social_tariff_water", "social_tariff_telecom", "debt_mediation", "childcare_income_tariff", "other"}

// Parent is one parent's name and contact details: everything that may
// pass to the OCMW, and nothing else.
type Parent struct {
	Name            string `json:"name"`
	Street          string `json:"street"`
	Number          string `json:"number"`
	Box             string `json:"box"`
	Postcode        string `json:"postcode"`
	MunicipalityNIS string `json:"municipality_nis"`
	Phone           string `json:"phone"`
	Email           string `json:"email"`
}

// Consent is what was recorded for one parent.
type Consent struct {
	Parent     int       `json:"parent"`
	Informed   []string  `json:"informed"`
	Method     string    `json:"method,omitempty"`
	Refused    bool      `json:"refused"`
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by"`
	// The agreement and its version in force when consent was recorded:
	// its information text is the one the parent was given (the receipt
	// shows it). Zero when no agreement was in force.
	AgreementID      int64 `json:"agreement_id,omitempty"`
	AgreementVersion int   `json:"agreement_version,omitempty"`
}

// ContactAttempt is one attempt of the OCMW to reach the family.
type ContactAttempt struct {
	ID         int64     `json:"id"`
	On         string    `json:"on"`
	Channel    string    `json:"channel"`
	Reached    bool      `json:"reached"`
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by"`
}

// Referral is the whole referral as the local team sees it. The OCMW sees
// only OCMWView.
type Referral struct {
	ID               int64            `json:"id"`
	Status           Status           `json:"status"`
	Team             string           `json:"team"`
	MunicipalityNIS  string           `json:"municipality_nis"`
	Recipient        string           `json:"recipient"`
	AgreementID      int64            `json:"agreement_id,omitempty"`
	AgreementVersion int              `json:"agreement_version,omitempty"`
	Parents          []Parent         `json:"parents"`
	Criteria         []string         `json:"criteria"`
	Needs            []string         `json:"needs"`
	Consents         []Consent        `json:"consents"`
	ContactAttempts  []ContactAttempt `json:"contact_attempts,omitempty"`
	Outcome          string           `json:"outcome,omitempty"`
	Rights           []string         `json:"rights,omitempty"`
	SocialFile       bool             `json:"social_file_opened"`
	ReceiptCode      string           `json:"receipt_code,omitempty"`
	Version          int              `json:"version"`
	CreatedBy        string           `json:"created_by"`
	CreatedAt        time.Time        `json:"created_at"`
	SentAt           *time.Time       `json:"sent_at,omitempty"`
	ReceivedAt       *time.Time       `json:"received_at,omitempty"`
	FirstContactAt   *time.Time       `json:"first_contact_at,omitempty"`
	ClosedAt         *time.Time       `json:"closed_at,omitempty"`
	WithdrawnAt      *time.Time       `json:"withdrawn_at,omitempty"`
	DataDeletedAt    *time.Time       `json:"data_deleted_at,omitempty"`
	TargetDays       int              `json:"first_contact_target_days,omitempty"`
	StatusFeedback   bool             `json:"status_feedback"`
}

// NewReferral is the input of a team worker.
type NewReferral struct {
	MunicipalityNIS string   `json:"municipality_nis"`
	Parents         []Parent `json:"parents"`
	Criteria        []string `json:"criteria"`
	Needs           []string `json:"needs"`
}

// NewConsent records consent (or refusal) of one parent.
type NewConsent struct {
	Parent   int      `json:"parent"`
	Informed []string `json:"informed"`
	Method   string   `json:"method"`
	Refused  bool     `json:"refused"`
}

// NewContactAttempt is an OCMW's attempt to reach the family.
type NewContactAttempt struct {
	On      string `json:"on"`
	Channel string `json:"channel"`
	Reached bool   `json:"reached"`
	Version int    `json:"version"` // optimistic concurrency: the version read
}

// NewOutcome closes a referral at the OCMW.
type NewOutcome struct {
	Outcome    string   `json:"outcome"`
	Rights     []string `json:"rights"`
	SocialFile bool     `json:"social_file_opened"`
	Version    int      `json:"version"`
}

// Store is what the referral flow needs from storage. Every read and write
// of personal data writes an audit record in the same transaction; a
// caller outside the referral's team or receiving OCMW gets not_found.
type Store interface {
	CreateReferral(ctx context.Context, a account.Actor, in NewReferral) (Referral, error)
	Referral(ctx context.Context, a account.Actor, id int64) (Referral, error)
	AddConsent(ctx context.Context, a account.Actor, id int64, in NewConsent) (Referral, error)
	Send(ctx context.Context, a account.Actor, id int64) (Referral, error)
	Withdraw(ctx context.Context, a account.Actor, id int64) (Referral, error)
	// ReferralPage is one page of the team's referrals (team workers and
	// leads), with the parents' names; InboxPage one page of the
	// referrals the actor's OCMW received (OCMW workers), with the
	// parents' names and the referring team. Each page is audited as
	// one event naming the referrals shown. Other roles get forbidden.
	ReferralPage(ctx context.Context, a account.Actor, f Filter, req page.Request) (page.Result[ListItem], error)
	InboxPage(ctx context.Context, a account.Actor, f Filter, req page.Request) (page.Result[ListItem], error)
	AddContactAttempt(ctx context.Context, a account.Actor, id int64, in NewContactAttempt) (Referral, error)
	SetOutcome(ctx context.Context, a account.Actor, id int64, in NewOutcome) (Referral, error)
	// DenyReferral audits a refused access to the referral (a page of the
	// other side) and returns not_found, the answer for a missing one.
	DenyReferral(ctx context.Context, a account.Actor, id int64) error
	// ReceiptStatus looks a referral up by the family's receipt code
	// (no login: the code is the key; no personal data in the answer).
	ReceiptStatus(ctx context.Context, code string) (ReceiptStatus, error)
}

var (
	phoneRE    = regexp.MustCompile(`^\+?[0-9 ./()-]{8,20}$`)
	postcodeRE = regexp.MustCompile(`^[1-9][0-9]{3}$`)
)

// Validate checks the input of a new referral: one or two parents, each
// with a name, an address and at least one way to reach them; known
// criteria and needs. It returns every problem at once (an apperr.List,
// see Problems), nil when there is none.
func (in *NewReferral) Validate() error {
	return apperr.Join(in.Problems())
}

// Problems normalises the input and returns every problem, in field
// order: parents[i].name, .street, .number, .postcode, .phone, .email,
// then criteria and needs. The checks that need the municipality registry
// (the municipality of residence, the postcode belonging to it: package
// address) are the store's.
func (in *NewReferral) Problems() []*apperr.Error {
	var out []*apperr.Error
	if len(in.Parents) == 0 || len(in.Parents) > 2 {
		out = append(out, apperr.FieldErr(apperr.Invalid, "parents", "give one or two parents").WithKey("error.parents_count", nil))
	}
	for i := range in.Parents {
		if i > 1 {
			break
		}
		p := &in.Parents[i]
		trim := func(s *string) { *s = strings.TrimSpace(*s) }
		for _, s := range []*string{&p.Name, &p.Street, &p.Number, &p.Box, &p.Postcode, &p.MunicipalityNIS, &p.Phone, &p.Email} {
			trim(s)
		}
		field := func(f string) string { return "parents[" + string(rune('0'+i)) + "]." + f }
		add := func(f, msg, key string, args map[string]any) {
			out = append(out, apperr.FieldErr(apperr.Invalid, field(f), "%s", msg).WithKey(key, args))
		}
		tooLong := func(f, v string, max int) {
			if utf8.RuneCountInString(v) > max {
				out = append(out, apperr.FieldErr(apperr.FieldTooLong, field(f), "%s is longer than %d characters", field(f), max).
					WithKey("forms.error.too_long", map[string]any{"Max": max}))
			}
		}
		if p.Name == "" {
			add("name", "the parent's name is required", "error.parent_name", nil)
		}
		tooLong("name", p.Name, 200)
		switch {
		case p.Street == "" && p.Number == "":
			add("street", "street and number are required", "error.parent_address", nil)
		case p.Street == "":
			add("street", "the street is required", "forms.error.street_required", nil)
		case p.Number == "":
			add("number", "the house number is required", "forms.error.number_required", nil)
		}
		tooLong("street", p.Street, 200)
		tooLong("number", p.Number, 20)
		tooLong("box", p.Box, 20)
		if !postcodeRE.MatchString(p.Postcode) {
			add("postcode", "postcode must be 4 digits", "error.postcode", nil)
		}
		if p.Phone == "" && p.Email == "" {
			add("phone", "give at least a telephone number or an e-mail address", "error.parent_contact", nil)
		}
		if p.Phone != "" && !phoneRE.MatchString(p.Phone) {
			add("phone", "invalid telephone number", "error.phone", nil)
		}
		if p.Email != "" {
			if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email {
				add("email", "invalid e-mail address", "error.invalid_email", nil)
			}
		}
		if p.MunicipalityNIS == "" {
			p.MunicipalityNIS = in.MunicipalityNIS
		}
	}
	for _, c := range in.Criteria {
		if !slices.Contains(Criteria, c) {
			out = append(out, apperr.FieldErr(apperr.Invalid, "criteria", "unknown criterion %q", c).WithKey("error.unknown_code", map[string]any{"Code": c}))
			break
		}
	}
	for _, n := range in.Needs {
		if !slices.Contains(Needs, n) {
			out = append(out, apperr.FieldErr(apperr.Invalid, "needs", "unknown need %q", n).WithKey("error.unknown_code", map[string]any{"Code": n}))
			break
		}
	}
	in.Criteria, in.Needs = dedupe(in.Criteria), dedupe(in.Needs)
	return out
}

// FieldRank orders the fields of a new referral as its form does:
// the municipality, then parent 1's and parent 2's name, street, number,
// box, postcode, municipality, phone and e-mail, then the rest.
func FieldRank(field string) int {
	if field == "municipality_nis" {
		return 0
	}
	if rest, ok := strings.CutPrefix(field, "parents["); ok && len(rest) > 2 && rest[1] == ']' {
		order := []string{"name", "street", "number", "box", "postcode", "municipality_nis", "phone", "email"}
		i := slices.Index(order, strings.TrimPrefix(rest[2:], "."))
		if i < 0 {
			i = len(order)
		}
		return 1 + int(rest[0]-'0')*100 + i
	}
	if field == "parents" {
		return 1
	}
	return 1000
}

// Validate checks a consent record and returns every problem at once
// (an apperr.List), nil when there is none.
func (in *NewConsent) Validate(parents int) error {
	var out []*apperr.Error
	if in.Parent < 0 || in.Parent >= parents {
		out = append(out, apperr.FieldErr(apperr.Invalid, "parent", "no parent %d", in.Parent).WithKey("error.no_parent", nil))
	}
	if in.Refused {
		return apperr.Join(out)
	}
	for _, it := range InformationItems {
		if !slices.Contains(in.Informed, it) {
			out = append(out, apperr.FieldErr(apperr.Invalid, "informed", "the parent must be informed of all five items; missing %q", it).
				WithKey("error.informed_missing", map[string]any{"Item": it}))
			break
		}
	}
	if !slices.Contains(ConsentMethods, in.Method) {
		out = append(out, apperr.FieldErr(apperr.Invalid, "method", "method must be verbal or signed").WithKey("error.consent_method", nil))
	}
	return apperr.Join(out)
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

// Overdue reports whether the first contact is late: sent, no contact
// attempt yet, and more than target days since sending.
func (r Referral) Overdue(now time.Time) bool {
	return r.SentAt != nil && r.FirstContactAt == nil && r.Status.Open() && r.TargetDays > 0 && now.Sub(*r.SentAt) > time.Duration(r.TargetDays)*24*time.Hour
}

// DaysSinceSent is the clock shown to the OCMW.
func (r Referral) DaysSinceSent(now time.Time) int {
	if r.SentAt == nil {
		return 0
	}
	return int(now.Sub(*r.SentAt).Hours() / 24)
}

// ReceiptStatus is what the family sees with its receipt code: no
// personal data, only what happened to them.
type ReceiptStatus struct {
	Status        Status     `json:"status"`
	Recipient     string     `json:"recipient"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
	WithdrawnAt   *time.Time `json:"withdrawn_at,omitempty"`
	DataDeletedAt *time.Time `json:"data_deleted_at,omitempty"`
	RetentionDays int        `json:"retention_days,omitempty"`
}
