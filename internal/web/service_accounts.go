package web

import (
	"net/http"

	"kansrijk/internal/account"
)

// The service accounts page (GET /service-accounts, issue 12): the API
// service accounts and their tokens a page of 50 at a time, searchable by
// the account's name, its organisation and its tokens' labels, sortable
// by organisation, name or age (account.ServiceAccountSorts), with the
// form that creates one below. One audit event per page names the
// accounts shown (the store's ServiceAccountPage).

func (ui *UI) renderServiceAccounts(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page) {
	req, st := listRequest(r, p, account.ServiceAccountSorts...)
	if status == http.StatusOK {
		status = st
	}
	res, err := ui.Accounts.ServiceAccountPage(r.Context(), a, req) // the store refuses other roles (and audits the refusal)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	orgs, err := ui.serviceAccountOrgs(r, a)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	p.Data = map[string]any{"Accounts": res.Items, "Nav": listNav(r, req, len(res.Items), res.Next, res.Prev), "Orgs": orgs}
	ui.render(w, status, "service_accounts", p)
}
