// Package outreach holds Kansrijk's outreach to local governments: the
// contacts per municipality (professional contact data of officials:
// personal data too), the campaigns that inform them (newsletters, webinars,
// mailings, information sessions, visits) with the municipalities each one
// reached, the contact moments the local teams and Opgroeien log, the tasks
// of the proactive approach, and the stage of every local government on the
// path to an agreement, derived from those facts and from the agreement
// history, never typed by hand (stage.go).
package outreach

import (
	"context"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/attendance"
)

// Function is the role of a contact person at the local government.
type Function string

// The functions that matter for the agreement.
const (
	GeneralDirector   Function = "general_director"    // algemeen directeur
	CouncilChair      Function = "council_chair"       // voorzitter raad voor maatschappelijk welzijn
	HeadSocialService Function = "head_social_service" // diensthoofd sociale dienst
	PovertyOfficer    Function = "poverty_officer"     // beleidsmedewerker armoede
	OtherFunction     Function = "other"
)

// Functions lists the functions in display order.
var Functions = []Function{GeneralDirector, CouncilChair, HeadSocialService, PovertyOfficer, OtherFunction}

// ParseFunction validates a function.
func ParseFunction(field, s string) (Function, error) {
	f := Function(strings.TrimSpace(s))
	if slices.Contains(Functions, f) {
		return f, nil
	}
	return "", apperr.FieldErr(apperr.Invalid, field, "unknown function %q; use one of general_director, council_chair, head_social_service, poverty_officer, other", s).
		WithKey("error.unknown_function", map[string]any{"Function": s})
}

// CampaignKind is the kind of a campaign.
type CampaignKind string

// The campaign kinds.
const (
	Newsletter  CampaignKind = "newsletter"
	Webinar     CampaignKind = "webinar"
	Mailing     CampaignKind = "mailing"
	InfoSession CampaignKind = "info_session"
	Visit       CampaignKind = "visit"
)

// CampaignKinds lists the kinds.
var CampaignKinds = []CampaignKind{Newsletter, Webinar, Mailing, InfoSession, Visit}

// Audience is whom a campaign addresses.
type Audience string

// The audiences. The parameter of province is the province's Dutch name,
// of team_area a team key; list names its municipalities one by one.
const (
	AudienceAll         Audience = "all"
	AudienceNotSignedUp Audience = "not_signed_up" // no agreement signed up on the campaign's date (none, ended, withdrawn)
	AudienceProvince    Audience = "province"
	AudienceTeamArea    Audience = "team_area"
	AudienceList        Audience = "list"
)

// Audiences lists the audiences.
var Audiences = []Audience{AudienceAll, AudienceNotSignedUp, AudienceProvince, AudienceTeamArea, AudienceList}

// Provinces are the five Flemish provinces, as the municipality registry
// names them.
var Provinces = []string{"Antwerpen", "Vlaams-Brabant", "West-Vlaanderen", "Oost-Vlaanderen", "Limburg"}

// Channel is how a contact moment took place.
type Channel string

// The channels.
const (
	Phone   Channel = "phone"
	Email   Channel = "email"
	Meeting Channel = "meeting"
	VisitCh Channel = "visit"
	Event   Channel = "event"
	Letter  Channel = "letter"
)

// Channels lists the channels.
var Channels = []Channel{Phone, Email, Meeting, VisitCh, Event, Letter}

// TaskStatus is the state of a task.
type TaskStatus string

// The task statuses.
const (
	TaskOpen      TaskStatus = "open"
	TaskDone      TaskStatus = "done"
	TaskCancelled TaskStatus = "cancelled"
)

// TaskStatuses lists the statuses.
var TaskStatuses = []TaskStatus{TaskOpen, TaskDone, TaskCancelled}

// Touchpoint sources: how a municipality came to be reached by a campaign.
const (
	SourceAudience   = "audience"   // resolved from the campaign's audience on its date
	SourceList       = "list"       // named in the campaign's list
	SourceAttendance = "attendance" // registered for or attended (imported)
)

// Limits of text fields (characters).
const (
	MaxName    = 200
	MaxEmail   = 254
	MaxPhone   = 40
	MaxPartner = 100
	MaxSubject = 300
	MaxSummary = 4000
	MaxTitle   = 300
)

// Contact is a contact person at a local government. Name, e-mail and
// phone are personal data: visible to Opgroeien's admins and DPO and to
// the local team whose area holds the municipality today.
type Contact struct {
	ID              int64     `json:"id"`
	MunicipalityNIS string    `json:"municipality_nis"`
	Municipality    string    `json:"municipality"`
	Function        Function  `json:"function"`
	Name            string    `json:"name"`
	Email           string    `json:"email"`
	Phone           string    `json:"phone"`
	CreatedAt       time.Time `json:"created_at"`
	CreatedBy       string    `json:"created_by"`
	UpdatedAt       time.Time `json:"updated_at"`
	UpdatedBy       string    `json:"updated_by"`
	// CreatedBySource and UpdatedBySource: what the program's work was,
	// when the author is "system".
	CreatedBySource string `json:"created_by_source,omitempty"`
	UpdatedBySource string `json:"updated_by_source,omitempty"`
}

// NewContact is the input to add a contact.
type NewContact struct {
	MunicipalityNIS string `json:"municipality_nis"`
	Function        string `json:"function"`
	Name            string `json:"name"`
	Email           string `json:"email"`
	Phone           string `json:"phone"`
}

// ContactUpdate changes a contact; nil fields keep their value.
type ContactUpdate struct {
	Function *string `json:"function"`
	Name     *string `json:"name"`
	Email    *string `json:"email"`
	Phone    *string `json:"phone"`
}

// CheckContact validates and normalises the personal fields of a contact:
// a name, and at least one of a professional e-mail or a phone number.
func CheckContact(name, email, phone *string) error {
	*name, *email, *phone = strings.TrimSpace(*name), strings.ToLower(strings.TrimSpace(*email)), strings.TrimSpace(*phone)
	// Every problem at once (an apperr.List), in the form's order.
	var out []*apperr.Error
	add := func(err error) {
		if e, ok := apperr.As(err); ok {
			out = append(out, e)
		}
	}
	if *name == "" {
		add(apperr.FieldErr(apperr.Invalid, "name", "the contact's name is required").WithKey("error.name_required", nil))
	} else {
		add(checkLen("name", *name, MaxName))
	}
	if *email != "" {
		if err := checkLen("email", *email, MaxEmail); err != nil {
			add(err)
		} else if a, err := mail.ParseAddress(*email); err != nil || a.Address != *email || !strings.Contains(*email, "@") {
			add(apperr.FieldErr(apperr.Invalid, "email", "invalid e-mail address").WithKey("error.invalid_email", nil))
		}
	}
	if *phone != "" {
		add(checkPhone(*phone))
	}
	if *email == "" && *phone == "" {
		add(apperr.FieldErr(apperr.Invalid, "email", "give a professional e-mail address or a phone number").WithKey("error.contact_channel_required", nil))
	}
	return apperr.Join(out)
}

func checkPhone(phone string) error {
	if err := checkLen("phone", phone, MaxPhone); err != nil {
		return err
	}
	digits := 0
	for _, r := range phone {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+ ./()-", r):
		default:
			return apperr.FieldErr(apperr.Invalid, "phone", "a phone number holds digits, spaces and + . / ( ) - only").WithKey("error.invalid_phone", nil)
		}
	}
	if digits < 6 {
		return apperr.FieldErr(apperr.Invalid, "phone", "the phone number is too short").WithKey("error.invalid_phone", nil)
	}
	return nil
}

// CheckText trims s and fails when it is longer than max characters or,
// when required, empty.
func CheckText(field string, s *string, max int, required bool) error {
	*s = strings.TrimSpace(*s)
	if required && *s == "" {
		return apperr.FieldErr(apperr.Invalid, field, "%s is required", field).WithKey("error.field_required", map[string]any{"Field": field})
	}
	return checkLen(field, *s, max)
}

func checkLen(field, s string, max int) error {
	if utf8.RuneCountInString(s) > max {
		return apperr.FieldErr(apperr.Invalid, field, "%s is longer than %d characters", field, max).WithKey("error.too_long", nil)
	}
	return nil
}

// Campaign is one outreach action towards local governments.
type Campaign struct {
	ID            int64        `json:"id"`
	Kind          CampaignKind `json:"kind"`
	On            time.Time    `json:"-"`
	Partner       string       `json:"partner"`
	Subject       string       `json:"subject"`
	Audience      Audience     `json:"audience"`
	AudienceParam string       `json:"audience_param"`
	CreatedAt     time.Time    `json:"created_at"`
	CreatedBy     string       `json:"created_by"`
	CreatedOrg    string       `json:"created_org"`
	// CreatedBySource is what the program's work was, when CreatedBy is
	// "system" ("demo", "job:…", "cli:…").
	CreatedBySource string `json:"created_by_source,omitempty"`
	// Reached counts the municipalities reached (all touchpoints, also
	// those outside the caller's area).
	Reached int `json:"reached"`
	// Touchpoints are the municipalities reached that the caller may see.
	Touchpoints []Touchpoint `json:"touchpoints,omitempty"`
}

// Touchpoint is one municipality reached by a campaign.
type Touchpoint struct {
	MunicipalityNIS string    `json:"municipality_nis"`
	Municipality    string    `json:"municipality"`
	On              time.Time `json:"-"`
	Source          string    `json:"source"`
	Registered      bool      `json:"registered"`
	Attended        bool      `json:"attended"`
	ContactID       int64     `json:"contact_id,omitempty"`
}

// NewCampaign is the input to record a campaign. Municipalities is the
// list of an audience "list" (and only then); for the other audiences the
// municipalities reached are resolved from the audience on the campaign's
// date.
type NewCampaign struct {
	Kind           string   `json:"kind"`
	On             string   `json:"on"`
	Partner        string   `json:"partner"`
	Subject        string   `json:"subject"`
	Audience       string   `json:"audience"`
	AudienceParam  string   `json:"audience_param"`
	Municipalities []string `json:"municipalities"`
}

// AttendanceRow is one municipality's registration or attendance of a
// campaign (a webinar, an information session), as matched by the import.
type AttendanceRow struct {
	MunicipalityNIS string `json:"municipality_nis"`
	Registered      bool   `json:"registered"`
	Attended        bool   `json:"attended"`
	ContactID       int64  `json:"contact_id,omitempty"`
	// Email, when ContactID is not given, links the row to the contact of
	// the municipality with that professional e-mail address, if any.
	Email string `json:"email,omitempty"`
}

// AttendanceRows are the rows to record from an attendance file's
// matches: every row matched to a municipality without a problem, with the
// registrant's e-mail address to link a known contact.
func AttendanceRows(matches []attendance.Match) []AttendanceRow {
	var rows []AttendanceRow
	for _, m := range matches {
		if m.Problem == "" && m.NIS != "" {
			rows = append(rows, AttendanceRow{MunicipalityNIS: m.NIS, Registered: m.Row.Registered, Attended: m.Row.Attended, Email: m.Row.Email})
		}
	}
	return rows
}

// AttendanceResult tells what an import changed.
type AttendanceResult struct {
	CampaignID int64 `json:"campaign_id"`
	Rows       int   `json:"rows"`    // rows given
	Added      int   `json:"added"`   // municipalities newly reached
	Updated    int   `json:"updated"` // municipalities already reached, now marked registered/attended
}

// ContactMoment is one contact between a local team (or Opgroeien) and a
// local government.
type ContactMoment struct {
	ID              int64     `json:"id"`
	MunicipalityNIS string    `json:"municipality_nis"`
	Municipality    string    `json:"municipality"`
	On              time.Time `json:"-"`
	Channel         Channel   `json:"channel"`
	By              string    `json:"by"` // a team key, or opgroeien
	ContactID       int64     `json:"contact_id,omitempty"`
	WithFunction    Function  `json:"with_function,omitempty"`
	Summary         string    `json:"summary"`
	NextStep        string    `json:"next_step"`
	CreatedAt       time.Time `json:"created_at"`
	CreatedBy       string    `json:"created_by"`
	CreatedBySource string    `json:"created_by_source,omitempty"` // what the program's work was, when CreatedBy is "system"
}

// NewContactMoment is the input to log a contact moment. With whom: a
// contact (ContactID) or a function.
type NewContactMoment struct {
	MunicipalityNIS string `json:"municipality_nis"`
	On              string `json:"on"`
	Channel         string `json:"channel"`
	By              string `json:"by"`
	ContactID       int64  `json:"contact_id"`
	WithFunction    string `json:"with_function"`
	Summary         string `json:"summary"`
	NextStep        string `json:"next_step"`
}

// Task is a step of the proactive approach assigned to a local team.
type Task struct {
	ID              int64      `json:"id"`
	MunicipalityNIS string     `json:"municipality_nis"`
	Municipality    string     `json:"municipality"`
	Team            string     `json:"team"`
	Title           string     `json:"title"`
	DueOn           time.Time  `json:"-"`
	Status          TaskStatus `json:"status"`
	CreatedAt       time.Time  `json:"created_at"`
	CreatedBy       string     `json:"created_by"`
	UpdatedAt       time.Time  `json:"updated_at"`
	UpdatedBy       string     `json:"updated_by"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	// CreatedBySource and UpdatedBySource: what the program's work was,
	// when the author is "system".
	CreatedBySource string `json:"created_by_source,omitempty"`
	UpdatedBySource string `json:"updated_by_source,omitempty"`
}

// Overdue reports whether the task is open past its due date on day.
func (t Task) Overdue(day time.Time) bool { return t.Status == TaskOpen && t.DueOn.Before(day) }

// NewTask is the input to plan a task. Team defaults to the caller's team.
type NewTask struct {
	MunicipalityNIS string `json:"municipality_nis"`
	Team            string `json:"team"`
	Title           string `json:"title"`
	DueOn           string `json:"due_on"`
}

// TaskUpdate changes a task; nil fields keep their value.
type TaskUpdate struct {
	Title  *string `json:"title"`
	DueOn  *string `json:"due_on"`
	Status *string `json:"status"`
	Team   *string `json:"team"`
}

// TaskFilter selects tasks. DueBefore (exclusive) selects tasks due
// before that day; with Status open that is the overdue list.
type TaskFilter struct {
	Status    TaskStatus
	DueBefore *time.Time
	Team      string
	NIS       string
}

// MissedCount is one anonymous count of referrals a local team could not
// make for want of an agreement in force (per municipality, month, team).
type MissedCount struct {
	MunicipalityNIS string `json:"municipality_nis"`
	Month           string `json:"month"` // YYYY-MM
	Team            string `json:"team"`
	Count           int    `json:"count"`
}

// Store is what the outreach package needs from storage. Every method
// enforces the actor's rights: admins everything; team leads and workers
// the municipalities in their team's area today; Opgroeien's DPO reads
// contacts and contact moments; analysts only the reports; others are
// forbidden. Every write is one transaction with its audit record.
type Store interface {
	Contacts(ctx context.Context, a account.Actor, nis string) ([]Contact, error)
	CreateContact(ctx context.Context, a account.Actor, in NewContact) (Contact, error)
	UpdateContact(ctx context.Context, a account.Actor, id int64, up ContactUpdate) (Contact, error)
	DeleteContact(ctx context.Context, a account.Actor, id int64) error

	Campaigns(ctx context.Context, a account.Actor) ([]Campaign, error)
	Campaign(ctx context.Context, a account.Actor, id int64) (Campaign, error)
	CreateCampaign(ctx context.Context, a account.Actor, in NewCampaign) (Campaign, error)
	RecordAttendance(ctx context.Context, a account.Actor, id int64, rows []AttendanceRow) (AttendanceResult, error)

	ContactMoments(ctx context.Context, a account.Actor, nis string) ([]ContactMoment, error)
	CreateContactMoment(ctx context.Context, a account.Actor, in NewContactMoment) (ContactMoment, error)

	Tasks(ctx context.Context, a account.Actor, f TaskFilter) ([]Task, error)
	CreateTask(ctx context.Context, a account.Actor, in NewTask) (Task, error)
	UpdateTask(ctx context.Context, a account.Actor, id int64, up TaskUpdate) (Task, error)

	OutreachReport(ctx context.Context, asOf time.Time) (Report, error)
	// funnel: the stage counts on a row of days, one load of the facts.
	OutreachSeries(ctx context.Context, from, to time.Time, group Grouping) (Series, error)
	MissedReferralCounts(ctx context.Context, from, to string) ([]MissedCount, error)
	// Lists (issue 12): the paged lists, lists.go.
	Lists
}

// CanReadReports reports whether the actor may read the outreach reports
// (aggregates, no personal data).
func CanReadReports(a account.Actor) bool {
	switch a.Role {
	case account.Admin, account.Analyst, account.TeamLead, account.TeamWorker:
		return true
	}
	return false
}

// Forbidden is the error for a role outside outreach.
func Forbidden() error {
	return apperr.New(apperr.Forbidden, "your role may not do this").WithKey("error.forbidden", nil)
}
