package birth

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/page"
)

// Lists of birth notifications in pages (issue 12): the team's queue,
// Opgroeien's view and a clinic's submissions take a page.Request and
// answer one page with the cursors to the next and the previous one. A
// page costs the same at 1k and at 1M notifications: the rows are read
// along an index in the requested order, and the possible-duplicate flag
// is computed for the rows of the page only.

// QueueSorts are the sort keys of the team's queue and Opgroeien's view;
// the first is the default (newest first). "municipality" orders by the
// NIS code of the municipality of residence.
var QueueSorts = []string{"-created_at", "child_birth_date", "municipality"}

// ClinicSorts are the sort keys of a clinic's submissions; the first is
// the default (newest first).
var ClinicSorts = []string{"-created_at", "child_birth_date", "reference"}

// QueueItem is one line of a list of notifications: the summary, and the
// mother's name for the local team, which may see its families' names
// (the list page is audited, naming the ids shown). Opgroeien's view
// leaves the name out: admins see no personal data in lists.
type QueueItem struct {
	Summary
	MotherName string `json:"mother_name,omitempty"`
}

// Pages is what the paged lists need from storage, beside Store.
type Pages interface {
	// BirthQueue is one page of the caller's scope: a team its own (with the mother's name, and req.Q
	// searching the parents' names, the municipality or the number), an
	// admin all of them without names (req.Q: the municipality or the
	// number). One audit event per page, naming the ids shown. Callers
	// that need every notification walk the pages (Next).
	BirthQueue(ctx context.Context, a account.Actor, f Filter, req page.Request) (page.Result[QueueItem], error)
	// ClinicSubmissionPage is one page of the caller's clinic's own
	// submissions (status only); req.Q searches the clinic's reference
	// (or a date of birth). One audit event per page. Clinics only.
	ClinicSubmissionPage(ctx context.Context, a account.Actor, f Filter, req page.Request) (page.Result[Submission], error)
}

// MaxClinicReference is the longest clinic reference, in characters.
const MaxClinicReference = 50

// checkReference trims the clinic's reference and checks it: at most
// MaxClinicReference characters, printable (no control or format
// characters, no line breaks).
func (in *NewNotification) checkReference() *apperr.Error {
	in.ClinicReference = strings.TrimSpace(in.ClinicReference)
	r := in.ClinicReference
	if utf8.RuneCountInString(r) > MaxClinicReference {
		return problem(apperr.FieldTooLong, "clinic_reference", map[string]any{"Max": MaxClinicReference},
			"clinic_reference is longer than %d characters", MaxClinicReference)
	}
	if !utf8.ValidString(r) || strings.IndexFunc(r, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0 {
		return apperr.FieldErr(apperr.ReferenceInvalid, "clinic_reference",
			"clinic_reference may hold letters, digits, spaces and punctuation only (no control characters or line breaks)").
			WithKey("births.error.reference_invalid", nil)
	}
	return nil
}
