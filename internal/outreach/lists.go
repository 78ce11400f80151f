package outreach

import (
	"context"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/page"
)

// Lists of issue 12: every outreach list a page at a time (keyset, see
// package page), searchable with q and sortable. The first sort key of
// each list is its default.
var (
	// ContactSorts: by municipality (NIS code), name, function, or newest
	// first (created, by id).
	ContactSorts = []string{"municipality", "name", "function", "created"}
	// MomentSorts: newest day first by default.
	MomentSorts = []string{"-on", "municipality", "channel", "created"}
	// TaskSorts: by due date by default; "open": the open tasks first, by
	// due date (the tasks page's default).
	TaskSorts = []string{"due", "title", "municipality", "status", "team", "created", "open"}
	// CampaignSorts: newest day first by default.
	CampaignSorts = []string{"-on", "subject", "partner", "kind", "created"}
)

// ContactQuery narrows the contacts list: one municipality (NIS) or all.
// q searches the name, e-mail address and function of the contact and
// the municipality's name.
type ContactQuery struct {
	NIS string
	// The contacts page's filters (issue 12): one function (the kind of
	// contact), the contacts a campaign reached (its touchpoints and
	// mailings), and the days (in Brussels, both included) the contact was
	// added.
	Function Function
	Campaign int64
	From, To *time.Time
}

// MomentQuery narrows the contact moments: one municipality, one channel.
// q searches the summary, the next step and the municipality's name.
type MomentQuery struct {
	NIS     string
	Channel Channel
}

// TaskQuery narrows the tasks: the filter of Tasks, and Overdue (open and
// due before today). q searches the title and the municipality's name.
type TaskQuery struct {
	TaskFilter
	Overdue bool
}

// CampaignQuery narrows the campaigns to one kind. q searches the
// subject, the partner and the campaign's audience parameter.
type CampaignQuery struct {
	Kind CampaignKind
}

// Lists is the paged form of the outreach lists, with the same rights as
// the lists of Store (and, for contacts, one audit event per page naming
// the contacts shown).
type Lists interface {
	ContactPage(ctx context.Context, a account.Actor, f ContactQuery, req page.Request) (page.Result[Contact], error)
	MomentPage(ctx context.Context, a account.Actor, f MomentQuery, req page.Request) (page.Result[ContactMoment], error)
	TaskPage(ctx context.Context, a account.Actor, f TaskQuery, req page.Request) (page.Result[Task], error)
	CampaignPage(ctx context.Context, a account.Actor, f CampaignQuery, req page.Request) (page.Result[Campaign], error)
	// TaskCounts counts the open and the overdue tasks the actor may see
	// (of one team, when team is not ""): the figures above the list.
	TaskCounts(ctx context.Context, a account.Actor, team string) (open, overdue int, err error)
}
