// Package agreement holds the local cooperation agreement
// (samenwerkingsovereenkomst) between a local team of Kind en Gezin and the
// OCMW of one municipality (CAW Brussel for a Brussels municipality): its
// lifecycle as immutable, dated events, the parameters the referral flow
// uses, and the gate every referral passes: "may team T refer to the OCMW
// of municipality M on date D?".
package agreement

import (
	"context"
	"slices"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
)

// Status is a step of the lifecycle.
type Status string

// The lifecycle. None is the state of a municipality without any event
// yet; it is never recorded.
const (
	None       Status = "none"
	Interested Status = "interested" // the local government signed up ("aangemeld")
	Draft      Status = "draft"
	Approved   Status = "approved" // OCMW council decision
	Signed     Status = "signed"
	Active     Status = "active"
	Suspended  Status = "suspended"
	Ended      Status = "ended"
	Withdrawn  Status = "withdrawn"
)

// Statuses lists the recorded statuses in lifecycle order.
var Statuses = []Status{Interested, Draft, Approved, Signed, Active, Suspended, Ended, Withdrawn}

// ReportStatuses lists the statuses a report counts, None included.
var ReportStatuses = []Status{Interested, Draft, Approved, Signed, Active, Suspended, Ended, Withdrawn, None}

// next holds the allowed transitions. "" is a new agreement.
var next = map[Status][]Status{
	"":         {Interested, Draft},
	Interested: {Draft, Withdrawn},
	Draft:      {Approved, Withdrawn},
	Approved:   {Signed, Withdrawn},
	Signed:     {Active, Ended},
	Active:     {Suspended, Ended},
	Suspended:  {Active, Ended},
	Ended:      nil,
	Withdrawn:  nil,
}

// Next returns the statuses that may follow s.
func Next(s Status) []Status { return slices.Clone(next[s]) }

// ParseStatus validates a recorded status.
func ParseStatus(s string) (Status, error) {
	st := Status(s)
	if slices.Contains(Statuses, st) {
		return st, nil
	}
	return "", apperr.FieldErr(apperr.Invalid, "status", "unknown status %q; use one of interested, draft, approved, signed, active, suspended, ended, withdrawn", s).
		WithKey("error.unknown_status", map[string]any{"Status": s})
}

// CheckTransition tells whether status to may follow from on the given
// effective date, after a previous step effective on prevOn (zero for a
// new agreement). It returns invalid_transition with the reason.
func CheckTransition(from, to Status, prevOn, on time.Time) error {
	if !slices.Contains(next[from], to) {
		if from == "" {
			return apperr.New(apperr.InvalidTransition, "a new agreement starts as interested or draft, not %s", to).
				WithKey("error.transition_start", map[string]any{"To": string(to)})
		}
		return apperr.New(apperr.InvalidTransition, "an agreement in status %s cannot become %s", from, to).
			WithKey("error.transition", map[string]any{"From": string(from), "To": string(to)})
	}
	return CheckDate(prevOn, on)
}

// CheckDate fails with invalid_transition when a step's effective date on
// lies before prevOn, that of the step before it.
func CheckDate(prevOn, on time.Time) error {
	if !prevOn.IsZero() && on.Before(prevOn) {
		return apperr.FieldErr(apperr.InvalidTransition, "effective_on", "the effective date %s is before that of the previous step (%s)",
			on.Format(time.DateOnly), prevOn.Format(time.DateOnly)).
			WithKey("error.transition_date", map[string]any{"Date": on.Format("02-01-2006"), "Prev": prevOn.Format("02-01-2006")})
	}
	return nil
}

// NeedsApproval reports whether a change of the parameters of an
// agreement in status s needs the approval of the OCMW side (its
// ocmw_admin) before it applies. From the OCMW council's decision
// (approved) on, the parameters are what the council approved and what
// the parties signed: the referral flow, the families' information text
// and the retention of their data follow them, also after the end (data
// of referrals sent under it are still kept). Before that (interested,
// draft) and after a withdrawal (never signed, nothing was ever sent) the
// local team's side changes them alone.
func (s Status) NeedsApproval() bool {
	switch s {
	case Approved, Signed, Active, Suspended, Ended:
		return true
	}
	return false
}

// CanRead reports whether the actor may open an agreement between team
// and recipient (the organisation that receives the referrals): admins,
// analysts and Opgroeien's DPO every agreement; a local team's lead and
// workers their team's; an OCMW's (or CAW's) workers, admin and DPO those
// it receives. It is the rule of the store's scope, for pages that decide
// whether to link to an agreement.
func CanRead(a account.Actor, team, recipient string) bool {
	switch {
	case a.Role == account.Admin || a.Role == account.Analyst || (a.Role == account.DPO && a.OrgKind == account.KindOpgroeien):
		return true
	case a.Role == account.TeamLead || a.Role == account.TeamWorker:
		return team != "" && a.Org == team
	case a.Role == account.OCMWWorker || a.Role == account.OCMWAdmin || a.Role == account.DPO:
		return recipient != "" && a.Org == recipient
	}
	return false
}

// InForce reports whether an agreement in status s allows referrals.
func (s Status) InForce() bool { return s == Active }

// SignedUp reports whether a local government in status s counts as
// signed up (aangemeld) and not (yet) ended or withdrawn.
func (s Status) SignedUp() bool {
	switch s {
	case Interested, Draft, Approved, Signed, Active, Suspended:
		return true
	}
	return false
}

// Open reports whether the agreement still runs (not ended or withdrawn).
func (s Status) Open() bool { return s != Ended && s != Withdrawn && s != None }

// Rank orders statuses for "the most advanced agreement of a
// municipality": active first, then suspended, signed, …, none last.
func (s Status) Rank() int {
	switch s {
	case Active:
		return 8
	case Suspended:
		return 7
	case Signed:
		return 6
	case Approved:
		return 5
	case Draft:
		return 4
	case Interested:
		return 3
	case Ended:
		return 2
	case Withdrawn:
		return 1
	}
	return 0
}

// Signature is one signatory of the agreement, by function.
type Signature struct {
	Function string `json:"function"` // administrator_general, council_chair, general_director
	Name     string `json:"name,omitempty"`
	SignedOn string `json:"signed_on"` // YYYY-MM-DD
}

// SignatoryFunctions are the functions that must sign.
var SignatoryFunctions = []string{"administrator_general", "council_chair", "general_director"}

// Event is one immutable step in an agreement's life. A correction is a
// new event that names the event it corrects (same status); the corrected
// event stays in the history but no longer counts.
type Event struct {
	ID          int64     `json:"id"`
	AgreementID int64     `json:"agreement_id"`
	Seq         int       `json:"seq"`
	Status      Status    `json:"status"`
	EffectiveOn time.Time `json:"-"`
	RecordedAt  time.Time `json:"recorded_at"`
	RecordedBy  string    `json:"recorded_by"` // e-mail of the user, or "system"
	// RecordedBySource says, when RecordedBy is "system", what the
	// program's work was: "demo", "job:retention", "cli:import".
	RecordedBySource string      `json:"recorded_by_source,omitempty"`
	RecordedOrg      string      `json:"recorded_org"`
	Note             string      `json:"note,omitempty"`
	Corrects         int64       `json:"corrects,omitempty"`
	CorrectedBy      int64       `json:"corrected_by,omitempty"`
	Details          EventDetail `json:"details"`
}

// EventDetail holds the data of particular steps.
type EventDetail struct {
	CouncilDecisionOn string      `json:"council_decision_on,omitempty"` // approved
	CouncilReference  string      `json:"council_reference,omitempty"`   // approved
	Signatures        []Signature `json:"signatures,omitempty"`          // signed
	Reason            string      `json:"reason,omitempty"`              // ended, withdrawn, suspended
}

// Agreement is the agreement between a local team and an OCMW for one
// municipality.
type Agreement struct {
	ID              int64      `json:"id"`
	Team            string     `json:"team"`
	TeamName        string     `json:"team_name"`
	Recipient       string     `json:"recipient"` // ocmw-<NIS> or caw-brussel
	RecipientName   string     `json:"recipient_name"`
	MunicipalityNIS string     `json:"municipality_nis"`
	Municipality    string     `json:"municipality"`
	Status          Status     `json:"status"` // current (today)
	StatusSince     time.Time  `json:"-"`
	Predecessor     int64      `json:"predecessor_id,omitempty"`
	Successor       int64      `json:"successor_id,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	Version         *Version   `json:"version,omitempty"`          // the version in force
	Proposed        *Version   `json:"proposed_version,omitempty"` // a change awaiting the OCMW's approval
	Events          []Event    `json:"events,omitempty"`
	Documents       []Document `json:"documents,omitempty"`
}

// Version holds the parameters of an agreement that the referral flow
// uses, and the legal paperwork references. Every change is a new version:
// applied at once before the OCMW council's decision, proposed after it
// (see Status.NeedsApproval) until the OCMW's admin approves (applied) or
// rejects it. The version in force is the newest applied one.
type Version struct {
	Version           int        `json:"version"`
	RetentionDays     int        `json:"retention_days"`
	StatusFeedback    bool       `json:"status_feedback"`
	FirstContactDays  int        `json:"first_contact_days"`
	InformationText   string     `json:"information_text"`
	ProtocolReference string     `json:"protocol_reference,omitempty"`
	DPOAdviceOn       string     `json:"dpo_advice_on,omitempty"`
	PublicationURL    string     `json:"publication_url,omitempty"`
	TemplateVersion   string     `json:"template_version"`
	CreatedAt         time.Time  `json:"created_at"`
	CreatedBy         string     `json:"created_by"`
	CreatedBySource   string     `json:"created_by_source,omitempty"` // what the program's work was, when CreatedBy is "system"
	State             string     `json:"state"`                       // applied, proposed, rejected, superseded
	BasedOn           int        `json:"based_on,omitempty"`          // a proposal: the version in force it changes
	DecidedAt         *time.Time `json:"decided_at,omitempty"`
	DecidedBy         string     `json:"decided_by,omitempty"`
	DecidedBySource   string     `json:"decided_by_source,omitempty"` // what the program's work was, when DecidedBy is "system"
	DecisionNote      string     `json:"decision_note,omitempty"`
}

// Version states.
const (
	VersionApplied    = "applied"    // in force (the newest) or in force before
	VersionProposed   = "proposed"   // waits for the OCMW's approval
	VersionRejected   = "rejected"   // refused by the OCMW
	VersionSuperseded = "superseded" // replaced by a newer proposal before a decision
)

// Defaults for a new agreement's parameters.
const (
	DefaultRetentionDays    = 90
	DefaultFirstContactDays = 14
)

// Document is an uploaded signed copy.
type Document struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"` // cooperation, processing, other
	Filename   string    `json:"filename"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	UploadedAt time.Time `json:"uploaded_at"`
	UploadedBy string    `json:"uploaded_by"`
}

// CodeInvalidPDF is the error code of an upload that starts like a PDF
// but does not parse as one (400).
const CodeInvalidPDF = "invalid_pdf"

// MaxDocumentSize is the largest signed copy accepted.
const MaxDocumentSize = 10 << 20

// NewAgreement is the input to start an agreement.
type NewAgreement struct {
	Team            string    `json:"team"`
	MunicipalityNIS string    `json:"municipality_nis"`
	Status          string    `json:"status"`       // interested (default) or draft
	EffectiveOn     string    `json:"effective_on"` // default today
	Note            string    `json:"note"`
	On              time.Time `json:"-"`
}

// NewEvent is the input to record a step.
type NewEvent struct {
	Status            string      `json:"status"`
	EffectiveOn       string      `json:"effective_on"`
	Note              string      `json:"note"`
	Corrects          int64       `json:"corrects"`
	CouncilDecisionOn string      `json:"council_decision_on"`
	CouncilReference  string      `json:"council_reference"`
	Signatures        []Signature `json:"signatures"`
	Reason            string      `json:"reason"`
	On                time.Time   `json:"-"`
}

// VersionUpdate changes parameters; nil fields keep their value.
type VersionUpdate struct {
	RetentionDays     *int    `json:"retention_days"`
	StatusFeedback    *bool   `json:"status_feedback"`
	FirstContactDays  *int    `json:"first_contact_days"`
	InformationText   *string `json:"information_text"`
	ProtocolReference *string `json:"protocol_reference"`
	DPOAdviceOn       *string `json:"dpo_advice_on"`
	PublicationURL    *string `json:"publication_url"`
}

// Filter selects agreements.
type Filter struct {
	Status   string
	Province string
	Team     string
	NIS      string
}

// Decision is the answer of the gate.
type Decision struct {
	Allowed   bool       `json:"allowed"`
	Agreement *Agreement `json:"agreement,omitempty"`
	// Reason is a stable code when not allowed: municipality_unknown,
	// municipality_not_valid, outside_team_area, no_agreement,
	// agreement_not_active.
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

// Gate reasons.
const (
	ReasonUnknownMunicipality = "municipality_unknown"
	ReasonMunicipalityInvalid = "municipality_not_valid"
	ReasonOutsideArea         = "outside_team_area"
	ReasonNoAgreement         = "no_agreement"
	ReasonNotActive           = "agreement_not_active"
)

// MunicipalityState is one row of the as-of report.
type MunicipalityState struct {
	NIS         string `json:"nis"`
	Name        string `json:"name"`
	Province    string `json:"province"`
	Status      Status `json:"status"`
	Since       string `json:"since"` // YYYY-MM-DD or ""
	Team        string `json:"team"`
	AgreementID int64  `json:"agreement_id,omitempty"`
}

// Report is the state of every municipality on a date.
type Report struct {
	AsOf           string              `json:"as_of"`
	KnownAt        string              `json:"known_at,omitempty"`
	Region         string              `json:"region"`
	Counts         map[Status]int      `json:"counts"`
	SignedUp       int                 `json:"signed_up"`
	InForce        int                 `json:"in_force"`
	Total          int                 `json:"total"`
	Municipalities []MunicipalityState `json:"municipalities"`
}

// Store is what the agreement package needs from storage. Methods enforce
// the actor's rights: admins everything; team leads their own team's
// agreements; OCMW admins see theirs and record approval and signature;
// team and OCMW workers, analysts and DPOs read within their scope.
type Store interface {
	CreateAgreement(ctx context.Context, a account.Actor, in NewAgreement) (Agreement, error)
	Agreement(ctx context.Context, a account.Actor, id int64) (Agreement, error)
	Agreements(ctx context.Context, a account.Actor, f Filter) ([]Agreement, error)
	AddEvent(ctx context.Context, a account.Actor, id int64, in NewEvent) (Event, error)
	UpdateVersion(ctx context.Context, a account.Actor, id int64, up VersionUpdate) (Version, error)
	ApproveVersion(ctx context.Context, a account.Actor, id int64, version int, note string) (Version, error)
	RejectVersion(ctx context.Context, a account.Actor, id int64, version int, note string) (Version, error)
	AgreementVersion(ctx context.Context, a account.Actor, id int64, version int) (Version, error)
	AddDocument(ctx context.Context, a account.Actor, id int64, kind, filename string, content []byte) (Document, error)
	DocumentContent(ctx context.Context, a account.Actor, id, docID int64) (Document, []byte, error)
	CarryOver(ctx context.Context, a account.Actor, id int64, on time.Time, note string) (Agreement, error)
	AgreementReport(ctx context.Context, asOf time.Time, knownAt *time.Time, region string) (Report, error)
	AgreementTimeline(ctx context.Context, days []time.Time) ([]Report, error) // the Flemish counts of AgreementReport per day, no rows
	Gate(ctx context.Context, team, nis string, on time.Time) (Decision, error)
	PublicRegister(ctx context.Context, on time.Time) ([]RegisterRow, error)
	// Lists (issue 12): the paged list, lists.go.
	Lists
}

// RegisterRow is one municipality in the public register: no personal
// names, only what anyone may check.
type RegisterRow struct {
	NIS               string `json:"nis"`
	Name              string `json:"name"`
	Province          string `json:"province"`
	Status            Status `json:"status"`
	Since             string `json:"since,omitempty"`
	SignedUpOn        string `json:"signed_up_on,omitempty"`
	ApprovedOn        string `json:"approved_on,omitempty"`
	SignedOn          string `json:"signed_on,omitempty"`
	ActiveFrom        string `json:"active_from,omitempty"`
	EndedOn           string `json:"ended_on,omitempty"`
	Team              string `json:"team,omitempty"`
	AgreementID       int64  `json:"agreement_id,omitempty"`
	Version           int    `json:"version,omitempty"`
	ProtocolReference string `json:"protocol_reference,omitempty"`
	PublicationURL    string `json:"publication_url,omitempty"`
}
