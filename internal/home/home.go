// Package home is each role's start page: the work waiting for the
// caller, as counts that lead to the filtered lists, and the next step.
// A Summary holds exactly the section of the caller's role, scoped like
// the lists it links to (a team counts its own referrals, an OCMW its own
// inbox); the counts are numbers, never a family's data, except the OCMW
// worker's recent cases, which name the families and are audited as a
// list read.
package home

import (
	"context"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/birth"
	"kansrijk/internal/referral"
)

// Store computes a caller's start page.
type Store interface {
	// Summary returns the start page of a's role: the section of that
	// role, the others nil. Reading the OCMW worker's recent cases writes
	// one audit event (referral.inbox, purpose follow_up) naming them.
	Summary(ctx context.Context, a account.Actor) (Summary, error)
}

// RecentCases is how many cases an OCMW worker's start page names.
const RecentCases = 8

// RecentSubmissions is how many submissions a clinic's start page lists.
const RecentSubmissions = 8

// Summary is a start page; only the caller's section is set.
type Summary struct {
	Team      *Team
	OCMW      *OCMW
	OCMWAdmin *OCMWAdmin
	Clinic    *Clinic
	Central   *Central
	DPO       *DPO
}

// Team is the start page of a local team's worker or lead.
type Team struct {
	// Drafts are referrals waiting for the parents' consent (or sending).
	Drafts int
	// Sent counts the referrals that reached the OCMW per status as the
	// team sees it: without status feedback in the agreement, every
	// referral at the OCMW counts as sent.
	Sent []StatusCount
	// AtOCMW is the sum of Sent.
	AtOCMW int
	// NewBirths are the birth notifications in the team's queue that no
	// one contacted yet.
	NewBirths int
	// OverdueTasks are the team's open outreach tasks past their due day.
	OverdueTasks int
}

// StatusCount is the number of referrals in one status.
type StatusCount struct {
	Status referral.Status
	N      int
}

// OCMW is the start page of an OCMW's (or CAW Brussel's) social worker.
type OCMW struct {
	// New: open referrals without any contact attempt yet.
	New int
	// Overdue: open referrals past the agreement's first-contact target
	// without a first contact.
	Overdue int
	// Open: every referral still in the inbox.
	Open int
	// Recent are the latest cases worked on, by the family's name.
	Recent []Case
}

// Case is one referral on the OCMW worker's start page.
type Case struct {
	ID        int64
	Name      string // the parents' names, "A & B"
	Status    referral.Status
	UpdatedAt time.Time
}

// OCMWAdmin is the start page of an OCMW's administrator.
type OCMWAdmin struct {
	Agreements      []AgreementState
	Users           int // active people of the organisation
	ServiceAccounts int // active service accounts
}

// AgreementState is one agreement of the OCMW with a local team, as its
// administrator follows it.
type AgreementState struct {
	ID           int64
	Team         string
	TeamName     string
	TeamPhone    string
	TeamEmail    string
	Municipality string
	Status       agreement.Status
	Since        time.Time
	// Documents are the kinds of signed copies uploaded (cooperation,
	// processing, other).
	Documents []string
	// Proposed: a change of the parameters waits for the admin's decision.
	Proposed bool
}

// Step is what the OCMW's administrator does next for an agreement.
type Step struct {
	// Key is the translation key of the step (home.step.*), Who says who
	// acts: "ocmw" (the administrator), "team" (the local team) or "" (no
	// one: the agreement runs or ended).
	Key, Who string
	// Missing are translation keys of what is still missing.
	Missing []string
}

// The document kinds a signed agreement must have.
var requiredDocuments = []string{"cooperation", "processing"}

// Next returns the next step of the agreement and what is missing, from
// its status, its signed copies and any change waiting for approval.
func (s AgreementState) Next() Step {
	var missing []string
	if s.Status == agreement.Signed || s.Status == agreement.Active || s.Status == agreement.Suspended {
		for _, k := range requiredDocuments {
			if !contains(s.Documents, k) {
				missing = append(missing, "home.missing.document_"+k)
			}
		}
	}
	switch {
	case s.Proposed:
		return Step{Key: "home.step.decide_proposal", Who: "ocmw", Missing: missing}
	case s.Status == agreement.Interested:
		return Step{Key: "home.step.wait_draft", Who: "team", Missing: []string{"home.missing.draft"}}
	case s.Status == agreement.Draft:
		return Step{Key: "home.step.council", Who: "ocmw", Missing: []string{"home.missing.council_decision"}}
	case s.Status == agreement.Approved:
		return Step{Key: "home.step.sign", Who: "ocmw", Missing: []string{"home.missing.signatures"}}
	case len(missing) > 0:
		return Step{Key: "home.step.upload", Who: "ocmw", Missing: missing}
	case s.Status == agreement.Signed:
		return Step{Key: "home.step.wait_active", Who: "team"}
	case s.Status == agreement.Active:
		return Step{Key: "home.step.in_force"}
	case s.Status == agreement.Suspended:
		return Step{Key: "home.step.suspended", Who: "team"}
	}
	return Step{Key: "home.step.ended"}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Clinic is the start page of a maternity clinic.
type Clinic struct {
	New      int // submitted, not picked up by a team yet
	PickedUp int
	Recent   []Submission
}

// Submission is one notification as the clinic sees it on its start page:
// its own reference, when it was submitted and whether a team picked it
// up; never the family's data.
type Submission struct {
	ID          int64
	Reference   string // the clinic's own reference; "" when none was given
	SubmittedAt time.Time
	Status      birth.ClinicStatus
}

// Central is the start page of Opgroeien's admins and analysts.
type Central struct {
	// The figures of /reports/agreements today (Flanders).
	Municipalities, SignedUp, Signed, InForce int
	// QueueNew: new birth notifications that no local team covers
	// (Brussels, or no team's area): Opgroeien's own queue.
	QueueNew int
	// FailedJobs are the latest daily job runs that failed or never
	// finished.
	FailedJobs []JobRun
	// Backup is the latest scheduled backup (area backup); nil when none
	// ran.
	Backup *Backup
}

// JobRun is a daily job's run that went wrong.
type JobRun struct {
	Job       string
	Day       string // YYYY-MM-DD
	StartedAt time.Time
	// Result is the job's own summary (no personal data); "" for a run
	// that never finished.
	Result string
}

// DPO is the start page of a data protection officer.
type DPO struct {
	// Requests of families still to answer, due within DueSoonDays, and
	// past their due day.
	OpenRequests, DueSoon, Overdue int
}

// DueSoonDays: a family's request counts as due soon this many days ahead.
const DueSoonDays = 7

// Percent is n out of total as a whole percentage (0 when total is 0).
func Percent(n, total int) int {
	if total <= 0 {
		return 0
	}
	return n * 100 / total
}
