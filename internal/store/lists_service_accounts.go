package store

import (
	"context"
	"fmt"

	"kansrijk/internal/account"
	"kansrijk/internal/audit"
	"kansrijk/internal/page"
)

var serviceAccountSorts = sortCols{"organisation": "LOWER(o.name)", "name": "LOWER(u.name)", "created": ""}

// ServiceAccountPage is a page of service accounts with their tokens
// (never their secrets), with the rights of ServiceAccounts: admins those
// of Opgroeien, the local teams and the clinics, an OCMW admin its own
// OCMW's. q searches the account's name, its organisation's name and key
// and the labels of its live tokens. One audit event per page names the
// accounts shown; a refusal is audited as ServiceAccounts' is.
func (db *DB) ServiceAccountPage(ctx context.Context, a account.Actor, req page.Request) (page.Result[account.ServiceAccount], error) {
	var none page.Result[account.ServiceAccount]
	if err := a.Require(account.ManageServiceAccounts); err != nil {
		return none, db.denyAction(ctx, a, auditServiceList, "user", audit.PurposeAccounts, err)
	}
	l := listQuery{cols: userColumns, from: "users u JOIN organisations o ON o.key = u.org_key", idCol: "u.id", sorts: serviceAccountSorts,
		where: []string{"u.service"}}
	if a.Role == account.OCMWAdmin {
		l.filter("u.org_key = $%d", a.Org)
	} else {
		l.where = append(l.where, inList("o.kind", []string{string(account.KindOpgroeien), string(account.KindTeam), string(account.KindClinic)}, &l.args))
	}
	l.search(req.Q, []string{"u.name", "o.name", "o.key"}, func(args *[]any) string {
		return fmt.Sprintf(`EXISTS (SELECT 1 FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL AND LOWER(t.label) LIKE $%d ESCAPE '\')`, len(*args))
	})
	res, err := queryPage(ctx, db.read, req, l, scanUser, func(u account.User) int64 { return u.ID })
	if err != nil {
		return none, err
	}
	out := page.Result[account.ServiceAccount]{Items: make([]account.ServiceAccount, 0, len(res.Items)), Next: res.Next, Prev: res.Prev}
	for _, u := range res.Items {
		toks, err := db.Tokens(ctx, a, u.ID)
		if err != nil {
			return none, err
		}
		if toks == nil {
			toks = []account.Token{}
		}
		out.Items = append(out.Items, account.ServiceAccount{User: u, Tokens: toks})
	}
	if err := db.recordList(ctx, a, auditServiceList, "user", audit.PurposeAccounts, idsOf(res.Items, func(u account.User) int64 { return u.ID })); err != nil {
		return none, err
	}
	return out, nil
}
