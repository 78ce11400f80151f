package referral

import (
	"net/url"
	"slices"
	"strings"

	"kansrijk/internal/apperr"
)

// The lists of referrals (issue 12): the local team's list of its
// referrals and the OCMW's inbox, one page at a time (package page), with
// a search in the parents' names (both sides may see them: the team for
// its referrals, the OCMW for those it received) and the filters a
// worker needs.

// StatusNew is the inbox's filter for referrals the OCMW received and has
// not tried to contact yet (sent or received).
const StatusNew = "new"

// Filter selects the referrals of a list.
type Filter struct {
	// Status: for the team, the status as the team may see it (a
	// referral whose agreement gives no status feedback is "sent" until
	// it is withdrawn); for the OCMW, a status at the OCMW or StatusNew.
	Status string
	// Overdue (inbox): open, no contact attempt yet and past the
	// agreement's first-contact target.
	Overdue bool
	// Archive (inbox): the closed and withdrawn referrals instead of the
	// open ones.
	Archive bool
}

// ListItem is one row of a list: the referral's record (without the
// parents' contact details), the parents' names, and, in the inbox, the
// referring team and how to reach it (empty when the team gave none).
type ListItem struct {
	Referral
	ParentNames []string
	TeamName    string
	TeamPhone   string
	TeamEmail   string
}

// TeamSorts are the sort keys of the team's list; the first is the
// default (newest first).
var TeamSorts = []string{"-created", "sent", "name", "status"}

// InboxSorts are the sort keys of the inbox: the open referrals oldest
// sent first (the order of the work), the archive most recent first.
func InboxSorts(archive bool) []string {
	if archive {
		return []string{"-sent", "name", "status"}
	}
	return []string{"sent", "name", "status"}
}

// ArchiveStatuses are the statuses of the inbox's archive; the open ones
// are those of Status.Open.
var ArchiveStatuses = []Status{Closed, Withdrawn}

// OpenStatuses are the statuses the OCMW still works on.
var OpenStatuses = []Status{Sent, Received, ContactAttempted, Reached}

// ParseTeamFilter reads the team list's filter from a query: status, one
// of Statuses. An unknown status is an invalid field "status".
func ParseTeamFilter(q url.Values) (Filter, error) {
	var f Filter
	f.Status = strings.TrimSpace(q.Get("status"))
	if f.Status != "" && !slices.Contains(Statuses, Status(f.Status)) {
		return f, statusErr(f.Status, Statuses)
	}
	return f, nil
}

// ParseInboxFilter reads the inbox's filter from a query: status (a
// status at the OCMW, or "new"), overdue=1 and view=archive (or open, the
// default). A closed or withdrawn status selects the archive.
func ParseInboxFilter(q url.Values) (Filter, error) {
	var f Filter
	switch v := strings.TrimSpace(q.Get("view")); v {
	case "", "open":
	case "archive":
		f.Archive = true
	default:
		return f, apperr.FieldErr(apperr.Invalid, "view", "view must be open or archive, got %q", v).
			WithKey("referrals.error.view", map[string]any{"View": v})
	}
	switch v := strings.TrimSpace(q.Get("overdue")); v {
	case "", "0", "false":
	case "1", "true":
		f.Overdue = true
	default:
		return f, apperr.FieldErr(apperr.Invalid, "overdue", "overdue must be 1 or 0, got %q", v).
			WithKey("referrals.error.overdue", map[string]any{"Value": v})
	}
	f.Status = strings.TrimSpace(q.Get("status"))
	atOCMW := append(slices.Clone(OpenStatuses), ArchiveStatuses...)
	switch {
	case f.Status == "" || f.Status == StatusNew:
	case slices.Contains(ArchiveStatuses, Status(f.Status)):
		f.Archive = true
	case slices.Contains(OpenStatuses, Status(f.Status)):
		if f.Archive {
			return f, apperr.FieldErr(apperr.Invalid, "status", "status %q is not in the archive", f.Status).
				WithKey("referrals.error.status_view", map[string]any{"Status": f.Status})
		}
	default:
		return f, statusErr(f.Status, append([]Status{StatusNew}, atOCMW...))
	}
	if f.Archive && (f.Overdue || f.Status == StatusNew) {
		return f, apperr.FieldErr(apperr.Invalid, "view", "the archive holds closed referrals: neither new nor overdue").
			WithKey("referrals.error.archive_open", nil)
	}
	return f, nil
}

func statusErr(s string, valid []Status) error {
	names := make([]string, len(valid))
	for i, v := range valid {
		names[i] = string(v)
	}
	return apperr.FieldErr(apperr.Invalid, "status", "unknown status %q; use one of %s", s, strings.Join(names, ", ")).
		WithKey("referrals.error.status", map[string]any{"Status": s})
}
