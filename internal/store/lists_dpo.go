package store

import (
	"context"

	"kansrijk/internal/account"
	"kansrijk/internal/breakglass"
	"kansrijk/internal/gdpr"
	"kansrijk/internal/page"
)

var (
	subjectRequestSorts = sortCols{
		// Open ones first by due date, then the answered ones by due date.
		"open":     "CASE WHEN answered_on IS NULL THEN '0' ELSE '1' END || CAST(due_on AS TEXT)",
		"due":      "due_on",
		"received": "received_on",
		"created":  "",
	}
	breakGlassSorts = sortCols{
		"open":    "CASE WHEN g.status = 'open' THEN '1' ELSE '0' END",
		"status":  "g.status",
		"created": "",
	}
)

// SubjectRequestPage is a page of SubjectRequests; one audit event per
// page names the requests shown.
func (db *DB) SubjectRequestPage(ctx context.Context, a account.Actor, f gdpr.Filter, req page.Request) (page.Result[gdpr.Request], error) {
	if err := gdpr.RequireDPO(a); err != nil {
		return page.Result[gdpr.Request]{}, err
	}
	l := listQuery{cols: subjectRequestColumns, from: "subject_requests", idCol: "id", sorts: subjectRequestSorts}
	l.filter("org_key = $%d", a.Org)
	if f.Open {
		l.where = append(l.where, "answered_on IS NULL")
	}
	res, err := queryPage(ctx, db.read, req, l, scanSubjectRequest(today(db.Now())), func(r gdpr.Request) int64 { return r.ID })
	if err != nil {
		return res, err
	}
	for i := range res.Items {
		res.Items[i] = viewFor(a, res.Items[i])
	}
	if err := db.recordList(ctx, a, auditSubjectList, "subject_request", gdpr.Purpose, idsOf(res.Items, func(r gdpr.Request) int64 { return r.ID })); err != nil {
		return page.Result[gdpr.Request]{}, err
	}
	return res, nil
}

// BreakGlassPage is a page of BreakGlassRequests; one audit event per
// page names the requests shown.
func (db *DB) BreakGlassPage(ctx context.Context, a account.Actor, req page.Request) (page.Result[breakglass.Request], error) {
	if err := requireGlassAdmin(a); err != nil {
		return page.Result[breakglass.Request]{}, err
	}
	l := listQuery{idCol: "g.id", sorts: breakGlassSorts, where: []string{"1=1"},
		cols: `g.id, g.referral_id, g.requested_by, u.email, g.reason, g.requested_at, g.status,
	COALESCE(g.decided_by, 0), COALESCE(d.email, ''), g.decided_at, g.note, g.expires_at`,
		from: `break_glass_requests g JOIN users u ON u.id = g.requested_by LEFT JOIN users d ON d.id = g.decided_by`}
	res, err := queryPage(ctx, db.read, req, l, scanBreakGlass, func(r breakglass.Request) int64 { return r.ID })
	if err != nil {
		return res, err
	}
	if err := db.recordList(ctx, a, auditBreakGlassList, "break_glass", purposeBreakGlass, idsOf(res.Items, func(r breakglass.Request) int64 { return r.ID })); err != nil {
		return page.Result[breakglass.Request]{}, err
	}
	return res, nil
}
