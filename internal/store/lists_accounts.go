package store

import (
	"context"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/audit"
	"kansrijk/internal/page"
)

var (
	userSorts      = sortCols{"organisation": "o.name", "name": "LOWER(u.name)", "email": "u.email", "role": "u.role", "created": ""}
	agreementSorts = sortCols{"id": "", "municipality": "a.municipality_nis", "team": "t.name", "recipient": "r.name",
		"status": "COALESCE((SELECT e.status FROM agreement_events e WHERE e.id = " + effectiveEventSQL + "), 'none')"}
)

// UserPage is a page of Users (admins all, an OCMW admin its own
// organisation's), searchable by name and e-mail address, filtered by
// role, organisation and active. One audit event per page names the
// users shown.
func (db *DB) UserPage(ctx context.Context, a account.Actor, f account.UserQuery, req page.Request) (page.Result[account.User], error) {
	if err := a.Require(account.ManageUsers); err != nil {
		return page.Result[account.User]{}, db.denyAction(ctx, a, auditUserList, "user", audit.PurposeAccounts, err)
	}
	l := listQuery{cols: userColumns, from: "users u JOIN organisations o ON o.key = u.org_key", idCol: "u.id", sorts: userSorts, where: []string{"1=1"}}
	if a.Role != account.Admin {
		l.filter("u.org_key = $%d", a.Org)
	}
	if f.Role != "" {
		l.filter("u.role = $%d", string(f.Role))
	}
	if f.Org != "" {
		l.filter("u.org_key = $%d", f.Org)
	}
	if f.Active != nil {
		l.filter("u.active = $%d", *f.Active)
	}
	l.search(req.Q, []string{"u.name", "u.email"}, nil)
	res, err := queryPage(ctx, db.read, req, l, scanUser, func(u account.User) int64 { return u.ID })
	if err != nil {
		return res, err
	}
	if err := db.recordList(ctx, a, auditUserList, "user", audit.PurposeAccounts, idsOf(res.Items, func(u account.User) int64 { return u.ID })); err != nil {
		return page.Result[account.User]{}, err
	}
	return res, nil
}

// AgreementPage is a page of Agreements, with the same rights and
// filters, all in SQL: the status today is the effective event's, the
// province the municipalities of the province. q searches the team's and
// the recipient's name and the municipality's name.
func (db *DB) AgreementPage(ctx context.Context, a account.Actor, f agreement.Filter, req page.Request) (page.Result[agreement.Agreement], error) {
	l := listQuery{cols: agreementColumns, idCol: "a.id", sorts: agreementSorts,
		from: "agreements a JOIN organisations t ON t.key = a.team_key JOIN organisations r ON r.key = a.recipient_key"}
	l.args = []any{day(today(db.Now())), farFuture}
	scope, sargs, err := agreementScope(a, len(l.args)+1)
	if err != nil {
		return page.Result[agreement.Agreement]{}, err
	}
	l.args = append(l.args, sargs...)
	l.where = []string{scope}
	if f.Team != "" {
		l.filter("a.team_key = $%d", f.Team)
	}
	if f.NIS != "" {
		l.filter("a.municipality_nis = $%d", f.NIS)
	}
	if f.Status != "" {
		l.filter(agreementSorts["status"]+" = $%d", f.Status)
	}
	if f.Province != "" {
		var nis []string
		for _, m := range db.Municipalities.All() {
			if m.Province != "" && strings.EqualFold(m.Province, f.Province) {
				nis = append(nis, m.NIS)
			}
		}
		l.where = append(l.where, inList("a.municipality_nis", nis, &l.args))
	}
	l.search(req.Q, []string{"t.name", "r.name"}, func(args *[]any) string {
		return inList("a.municipality_nis", db.nisMatching(req.Q), args)
	})
	return queryPage(ctx, db.read, req, l, db.scanAgreement, func(ag agreement.Agreement) int64 { return ag.ID })
}
