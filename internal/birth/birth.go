// Package birth holds birth notifications: a maternity clinic tells Kind en
// Gezin about a birth, and the notification goes to the local team whose
// service area holds the family's municipality of residence on the date of
// birth (the 2025 mergers count), or to a queue at Opgroeien where no team
// covers it. The team contacts the family (first contact), flags and
// merges duplicates, and may later start a referral to the OCMW — with the
// referral's own consent. Clinics see only the status of their own
// submissions.
//
// The data set lives in dataset.go; the CSV batch format in csv.go. Like
// referrals, the parents' details are kept apart from the administrative
// record and deleted at the end of retention; every read and write of them
// is audited in the same transaction.
package birth

import (
	"context"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/referral"
	"kansrijk/internal/suppress"
)

// Status is where a notification stands at Kind en Gezin.
type Status string

// The statuses.
const (
	// New: routed, no contact recorded yet.
	New Status = "new"
	// NotReached: a first contact was tried, the family not reached yet.
	NotReached Status = "not_reached"
	// Contacted: the family was reached.
	Contacted Status = "contacted"
	// Merged: closed as a duplicate of another notification.
	Merged Status = "merged"
)

// Statuses lists every status.
var Statuses = []Status{New, NotReached, Contacted, Merged}

// Open reports whether the team still has to reach the family.
func (s Status) Open() bool { return s == New || s == NotReached }

// ClinicStatus is all a clinic sees of its submission: picked up or not.
type ClinicStatus string

// The statuses a clinic sees.
const (
	ClinicNew      ClinicStatus = "new"
	ClinicPickedUp ClinicStatus = "picked_up"
)

// ForClinic reduces a status to what the clinic sees: new until the team
// recorded anything (a contact, or closing it as a duplicate), then
// picked_up. Nothing of the team's work shows.
func (s Status) ForClinic() ClinicStatus {
	if s == New {
		return ClinicNew
	}
	return ClinicPickedUp
}

// QueueOpgroeien is the queue of the notifications no local team covers.
const QueueOpgroeien = "opgroeien"

// QueueTeam is the queue of a notification routed to a local team.
const QueueTeam = "team"

// Parent is one parent's name, address, contact details and preferred
// language: the personal data of a notification.
type Parent struct {
	Name            string `json:"name"`
	Street          string `json:"street"`
	Number          string `json:"number"`
	Box             string `json:"box"`
	Postcode        string `json:"postcode"`
	MunicipalityNIS string `json:"municipality_nis"`
	Phone           string `json:"phone"`
	Email           string `json:"email"`
	Language        string `json:"language"`
}

// NewNotification is what a clinic submits. The clinic is the caller's
// organisation.
type NewNotification struct {
	Mother                Parent  `json:"mother"`
	CoParent              *Parent `json:"co_parent,omitempty"`
	ChildBirthDate        string  `json:"child_birth_date"`
	EarlyContactRequested bool    `json:"early_contact_requested"`
	// ClinicReference is the clinic's own reference for the notification
	// (its file number): how the clinic finds its submission back, never
	// by the family's data. Optional, at most 50 characters.
	ClinicReference string `json:"clinic_reference,omitempty"`

	// BirthDate is ChildBirthDate parsed by Validate.
	BirthDate time.Time `json:"-"`
}

// Summary is a notification without personal data: what the team's queue
// and Opgroeien's overview list, and what stays after retention.
type Summary struct {
	ID                    int64      `json:"id"`
	Status                Status     `json:"status"`
	Team                  string     `json:"team"`  // "" in the Opgroeien queue
	Queue                 string     `json:"queue"` // QueueTeam or QueueOpgroeien
	Clinic                string     `json:"clinic"`
	MunicipalityNIS       string     `json:"municipality_nis"`
	ChildBirthDate        string     `json:"child_birth_date"`
	Language              string     `json:"language"`
	EarlyContactRequested bool       `json:"early_contact_requested"`
	PossibleDuplicate     bool       `json:"possible_duplicate"`
	BatchID               int64      `json:"batch_id,omitempty"`
	MergedInto            int64      `json:"merged_into,omitempty"`
	ReferralID            int64      `json:"referral_id,omitempty"`
	Version               int        `json:"version"`
	CreatedAt             time.Time  `json:"created_at"`
	FirstContactOn        string     `json:"first_contact_on,omitempty"`
	ReachedOn             string     `json:"reached_on,omitempty"`
	EscalatedAt           *time.Time `json:"escalated_at,omitempty"`
	DataDeletedAt         *time.Time `json:"data_deleted_at,omitempty"`
}

// Contact is one recorded contact (attempt) with the family.
type Contact struct {
	ID               int64     `json:"id"`
	On               string    `json:"on"`
	Channel          string    `json:"channel"`
	Reached          bool      `json:"reached"`
	HomeVisitPlanned bool      `json:"home_visit_planned"`
	RecordedAt       time.Time `json:"recorded_at"`
	RecordedBy       string    `json:"recorded_by"`
}

// Notification is the whole notification as the team (or Opgroeien) sees
// it when it opens one: the summary, the parents and the contacts.
type Notification struct {
	Summary
	Mother             *Parent   `json:"mother,omitempty"` // nil once deleted
	CoParent           *Parent   `json:"co_parent,omitempty"`
	Contacts           []Contact `json:"contacts"`
	PossibleDuplicates []int64   `json:"possible_duplicates"`
}

// Submission is what a clinic sees of its own notification: no personal
// data, nothing of the team's work, only whether it was picked up.
type Submission struct {
	ID             int64        `json:"id"`
	Status         ClinicStatus `json:"status"`
	Team           string       `json:"team"`
	Queue          string       `json:"queue"`
	ChildBirthDate string       `json:"child_birth_date"`
	BatchID        *int64       `json:"batch_id"`
	SubmittedAt    time.Time    `json:"submitted_at"`
	// ClinicReference is the clinic's own reference ("" when it gave
	// none): how it finds the submission back.
	ClinicReference string `json:"clinic_reference"`
}

// Filter selects notifications in the caller's scope (a page.Request
// sorts and limits).
type Filter struct {
	Status          Status
	ClinicStatus    ClinicStatus // clinics: new or picked_up
	Team            string       // admins: one team
	Queue           string       // admins: QueueOpgroeien for the Opgroeien queue only
	MunicipalityNIS string
	Language        string
	EarlyContact    *bool
	BornFrom        *time.Time
	BornTo          *time.Time
	// IncludeDeleted also lists notifications whose personal data are gone.
	IncludeDeleted bool
}

// NewContact records a (first) contact with the family.
type NewContact struct {
	On               string `json:"on"` // YYYY-MM-DD; default today
	Channel          string `json:"channel"`
	Reached          bool   `json:"reached"`
	HomeVisitPlanned bool   `json:"home_visit_planned"`
	Version          int    `json:"version"` // optimistic concurrency: the version read (0: no check)
}

// Merge closes a notification as a duplicate of another one.
type Merge struct {
	Into    int64 `json:"into"`
	Version int   `json:"version"`
}

// StartReferral starts a referral draft from a notification. Kind en
// Gezin's own assessment may be given; consent is recorded on the referral.
type StartReferral struct {
	Criteria []string `json:"criteria"`
	Needs    []string `json:"needs"`
	Version  int      `json:"version"`
}

// Store is what birth notifications need from storage. Every read and
// write of a notification's personal data writes an audit record in the
// same transaction; a caller outside the notification's scope gets
// not_found, exactly as for one that does not exist, and the denied
// attempt is audited.
type Store interface {
	// Pages are the lists in pages (list.go).
	Pages
	// CreateBirthNotification routes and stores one notification of the
	// caller's clinic.
	CreateBirthNotification(ctx context.Context, a account.Actor, in NewNotification) (Submission, error)
	// ImportBirthBatch checks a CSV file of the caller's clinic row by row
	// and stores its rows in one transaction: all of them, or none when a
	// row has an error — unless acceptPartial, then the good ones. The
	// same file (or row) again creates nothing new.
	ImportBirthBatch(ctx context.Context, a account.Actor, file []byte, acceptPartial bool) (BatchReport, error)
	// OpenInOpgroeienQueue counts the open notifications in Opgroeien's
	// queue (admins; a number, not a list).
	OpenInOpgroeienQueue(ctx context.Context, a account.Actor) (int, error)
	// DenyBirth audits a refused access to notification id by a role
	// that may not reach it through the route used, and answers
	// forbidden.
	DenyBirth(ctx context.Context, a account.Actor, id int64) error
	// ClinicSubmission returns one of the clinic's own submissions.
	ClinicSubmission(ctx context.Context, a account.Actor, id int64) (Submission, error)
	// BirthNotification returns one notification with the parents' data
	// (audited).
	BirthNotification(ctx context.Context, a account.Actor, id int64) (Notification, error)
	// RecordBirthContact records a contact with the family.
	RecordBirthContact(ctx context.Context, a account.Actor, id int64, in NewContact) (Notification, error)
	// MergeBirthNotification closes id as a duplicate of in.Into (team leads).
	MergeBirthNotification(ctx context.Context, a account.Actor, id int64, in Merge) (Notification, error)
	// StartReferralFromBirth starts a referral draft with the parents'
	// details, through the referral flow's own creation.
	StartReferralFromBirth(ctx context.Context, a account.Actor, id int64, in StartReferral) (referral.Referral, error)
	// BirthStatistics are Opgroeien's figures (admins and analysts).
	BirthStatistics(ctx context.Context, a account.Actor, from, to time.Time) (Statistics, error)
}

// Policy holds the configurable periods of escalation and retention.
type Policy struct {
	// EscalateAfterDays: a notification without any contact this many
	// days after it came in is escalated to the team lead.
	EscalateAfterDays int
	// RetentionMonths: the parents' data are deleted this many months
	// after the first contact, or after the escalation when no contact
	// was ever recorded.
	RetentionMonths int
}

// Defaults of Policy.
const (
	DefaultEscalateAfterDays = 14
	DefaultRetentionMonths   = 6
)

// WithDefaults fills zero fields with the defaults.
func (p Policy) WithDefaults() Policy {
	if p.EscalateAfterDays <= 0 {
		p.EscalateAfterDays = DefaultEscalateAfterDays
	}
	if p.RetentionMonths <= 0 {
		p.RetentionMonths = DefaultRetentionMonths
	}
	return p
}

// ContactTargetDays is the period of the statistics: the share of families
// reached within this many days after the notification came in.
const ContactTargetDays = 14

// Statistics are Opgroeien's figures on birth notifications: per clinic and
// month, and per team the share of families reached within
// ContactTargetDays, protected per calendar quarter (small counts
// suppressed, every shown count rounded to 5).
type Statistics struct {
	From        string          `json:"from"`
	To          string          `json:"to"`
	Months      []string        `json:"months"`
	Clinics     []ClinicRow     `json:"clinics"`
	MonthTotals []suppress.Cell `json:"month_totals"`
	Total       suppress.Cell   `json:"total"`
	Teams       []TeamRow       `json:"teams"`
	TargetDays  int             `json:"target_days"`
	Legend      string          `json:"legend"`
	// RoundedTo is the base every shown count is rounded to.
	RoundedTo int `json:"rounded_to"`
	// ProtectedPer is the calendar period the counts are protected on:
	// the window always covers whole quarters that have ended and settled.
	ProtectedPer string `json:"protected_per"`
}

// ClinicRow is one clinic's notifications per month.
type ClinicRow struct {
	Clinic string          `json:"clinic"`
	Name   string          `json:"name"`
	Counts []suppress.Cell `json:"counts"`
	Total  suppress.Cell   `json:"total"`
}

// TeamRow is one team's (or the Opgroeien queue's) share of families
// reached in time. Share is nil when a count behind it is suppressed.
type TeamRow struct {
	Team          string        `json:"team"` // "" for the Opgroeien queue
	Name          string        `json:"name"`
	Notifications suppress.Cell `json:"notifications"`
	Reached       suppress.Cell `json:"reached_in_time"`
	NotReached    suppress.Cell `json:"not_reached_in_time"`
	Share         *float64      `json:"share"`
}
