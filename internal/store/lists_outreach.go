package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/outreach"
	"kansrijk/internal/page"
)

// The outreach lists a page at a time (issue 12): the same rights as
// Contacts, ContactMoments, Tasks and Campaigns.

var (
	contactSorts = sortCols{"municipality": "municipality_nis", "name": "LOWER(name)", "function": "function", "created": ""}
	momentSorts  = sortCols{"on": "on_day", "municipality": "municipality_nis", "channel": "channel", "created": ""}
	taskSorts    = sortCols{"due": "due_on", "title": "LOWER(title)", "municipality": "municipality_nis", "status": "status", "team": "team_key", "created": "",
		"open": "CASE WHEN status = 'open' THEN '0' ELSE '1' END || CAST(due_on AS TEXT)"}
	campaignSorts = sortCols{"on": "c.on_day", "subject": "LOWER(c.subject)", "partner": "LOWER(c.partner)", "kind": "c.kind", "created": ""}
)

// ContactPage is a page of Contacts: searchable by name, e-mail address,
// function and municipality name. Contacts are personal data: one audit
// event per page names the contacts shown, durable before the answer.
func (db *DB) ContactPage(ctx context.Context, a account.Actor, f outreach.ContactQuery, req page.Request) (page.Result[outreach.Contact], error) {
	l := listQuery{cols: contactColumns, from: "outreach_contacts", idCol: "id", sorts: contactSorts}
	scope, err := db.outreachScope(ctx, a, "municipality_nis", &l.args, true)
	if apperr.Is(err, apperr.Forbidden) {
		return page.Result[outreach.Contact]{}, db.denyAction(ctx, a, auditContactList, objContact, audit.PurposeOutreach, err)
	}
	if err != nil {
		return page.Result[outreach.Contact]{}, err
	}
	l.where = []string{"deleted_at IS NULL", scope}
	if nis := strings.TrimSpace(f.NIS); nis != "" {
		l.filter("municipality_nis = $%d", nis)
	}
	contactFilters(&l, f)
	l.search(req.Q, []string{"name", "email", "function"}, func(args *[]any) string {
		return inList("municipality_nis", db.nisMatching(req.Q), args)
	})
	res, err := queryPage(ctx, db.read, req, l, db.scanContact, func(c outreach.Contact) int64 { return c.ID })
	if err != nil {
		return res, err
	}
	ev := listEvent(a, auditContactList, objContact, audit.PurposeOutreach, idsOf(res.Items, func(c outreach.Contact) int64 { return c.ID }))
	if f.NIS != "" {
		ev.Detail += " of municipality " + f.NIS
	}
	if req.Q != "" {
		ev.Detail += " matching a search"
	}
	if f.Function != "" || f.Campaign != 0 || f.From != nil || f.To != nil {
		ev.Detail += " narrowed by function, campaign or days added"
	}
	if err := db.recordReads(ctx, ev); err != nil {
		return page.Result[outreach.Contact]{}, err
	}
	return res, nil
}

// contactFilters adds the contacts page's filters (issue 12): function,
// campaign (the contacts its touchpoints or mailings reached) and the days
// the contact was added, in Brussels.
func contactFilters(l *listQuery, f outreach.ContactQuery) {
	if f.Function != "" {
		l.filter("function = $%d", string(f.Function))
	}
	if f.Campaign != 0 {
		l.filter(`id IN (SELECT contact_id FROM outreach_touchpoints WHERE campaign_id = $%[1]d AND contact_id IS NOT NULL
			UNION SELECT mm.contact_id FROM outreach_mailing_messages mm JOIN outreach_mailings m ON m.id = mm.mailing_id WHERE m.campaign_id = $%[1]d)`, f.Campaign)
	}
	if f.From != nil {
		l.filter("created_at >= $%d", ts(time.Date(f.From.Year(), f.From.Month(), f.From.Day(), 0, 0, 0, 0, brussels)))
	}
	if f.To != nil {
		l.filter("created_at < $%d", ts(time.Date(f.To.Year(), f.To.Month(), f.To.Day()+1, 0, 0, 0, 0, brussels)))
	}
}

// MomentPage is a page of ContactMoments: searchable by summary, next
// step, team and municipality name.
func (db *DB) MomentPage(ctx context.Context, a account.Actor, f outreach.MomentQuery, req page.Request) (page.Result[outreach.ContactMoment], error) {
	l := listQuery{cols: momentColumns, from: "outreach_contact_moments", idCol: "id", sorts: momentSorts}
	scope, err := db.outreachScope(ctx, a, "municipality_nis", &l.args, true)
	if err != nil {
		return page.Result[outreach.ContactMoment]{}, err
	}
	l.where = []string{scope}
	if nis := strings.TrimSpace(f.NIS); nis != "" {
		l.filter("municipality_nis = $%d", nis)
	}
	if f.Channel != "" {
		l.filter("channel = $%d", string(f.Channel))
	}
	l.search(req.Q, []string{"summary", "next_step", "by_org"}, func(args *[]any) string {
		return inList("municipality_nis", db.nisMatching(req.Q), args)
	})
	return queryPage(ctx, db.read, req, l, db.scanMoment, func(m outreach.ContactMoment) int64 { return m.ID })
}

// TaskPage is a page of Tasks (admins all, a team its own): searchable by
// title and municipality name; Overdue keeps the open tasks due before
// today (in Brussels).
func (db *DB) TaskPage(ctx context.Context, a account.Actor, f outreach.TaskQuery, req page.Request) (page.Result[outreach.Task], error) {
	l := listQuery{cols: taskColumns, from: "outreach_tasks", idCol: "id", sorts: taskSorts}
	scope, err := taskScope(a, &l.args)
	if err != nil {
		return page.Result[outreach.Task]{}, err
	}
	l.where = []string{scope}
	if f.Status != "" {
		l.filter("status = $%d", string(f.Status))
	}
	if f.DueBefore != nil {
		l.filter("due_on < $%d", day(*f.DueBefore))
	}
	if f.Team != "" {
		l.filter("team_key = $%d", f.Team)
	}
	if f.NIS != "" {
		l.filter("municipality_nis = $%d", f.NIS)
	}
	if f.Overdue {
		l.filter("status = $%d", string(outreach.TaskOpen))
		l.filter("due_on < $%d", day(today(db.Now())))
	}
	l.search(req.Q, []string{"title"}, func(args *[]any) string {
		return inList("municipality_nis", db.nisMatching(req.Q), args)
	})
	return queryPage(ctx, db.read, req, l, db.scanTask, func(t outreach.Task) int64 { return t.ID })
}

// CampaignPage is a page of Campaigns: searchable by subject, partner and
// the audience's parameter.
func (db *DB) CampaignPage(ctx context.Context, a account.Actor, f outreach.CampaignQuery, req page.Request) (page.Result[outreach.Campaign], error) {
	if err := campaignAccess(a); err != nil {
		return page.Result[outreach.Campaign]{}, err
	}
	l := listQuery{cols: campaignColumns, from: "outreach_campaigns c", idCol: "c.id", sorts: campaignSorts, where: []string{"1=1"}}
	if f.Kind != "" {
		l.filter("c.kind = $%d", string(f.Kind))
	}
	l.search(req.Q, []string{"c.subject", "c.partner", "c.audience_param"}, nil)
	return queryPage(ctx, db.read, req, l, scanCampaign, func(c outreach.Campaign) int64 { return c.ID })
}

// TaskCounts: see outreach.Lists.
func (db *DB) TaskCounts(ctx context.Context, a account.Actor, team string) (open, overdue int, err error) {
	var args []any
	scope, err := taskScope(a, &args)
	if err != nil {
		return 0, 0, err
	}
	if team != "" {
		args = append(args, team)
		scope += fmt.Sprintf(" AND team_key = $%d", len(args))
	}
	args = append(args, string(outreach.TaskOpen), day(today(db.Now())))
	n := len(args)
	err = db.read.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_on < $%d THEN 1 ELSE 0 END), 0)
		FROM outreach_tasks WHERE status = $%d AND `, n, n-1)+scope, args...).Scan(&open, &overdue)
	return open, overdue, err
}
