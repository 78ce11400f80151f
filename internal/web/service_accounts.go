package web

import (
	"net/http"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/page"
)

// The service accounts page (GET /service-accounts, issue 12): the API
// service accounts and their tokens a page of 50 at a time, searchable by
// the account's name, its organisation and its tokens' labels, sortable
// by name, organisation or age, with the form that creates one below.
// Service accounts are few (one per system an organisation connects), so
// the page reads them whole, as the API's list does, and pages them with
// page.Slice: the same cursors as every other list.

// serviceAccountSorts are the sort keys of the page; the first is its
// default.
var serviceAccountSorts = []string{"organisation", "name", "created"}

// serviceAccountMatches reports whether the account matches the search q
// (lower-case): its name, its organisation's name or key, a token label.
func serviceAccountMatches(s account.ServiceAccount, q string) bool {
	if q == "" {
		return true
	}
	for _, v := range []string{s.Name, s.OrgName, s.Org} {
		if strings.Contains(strings.ToLower(v), q) {
			return true
		}
	}
	for _, t := range s.Tokens {
		if t.RevokedAt == nil && strings.Contains(strings.ToLower(t.Label), q) {
			return true
		}
	}
	return false
}

// serviceAccountKey is an account's value for the sort of req, and its id.
func serviceAccountKey(req page.Request) func(account.ServiceAccount) (string, int64) {
	return func(s account.ServiceAccount) (string, int64) {
		switch req.Sort {
		case "name":
			return strings.ToLower(s.Name), s.ID
		case "organisation":
			return strings.ToLower(s.OrgName) + "\x00" + strings.ToLower(s.Name), s.ID
		}
		return "", s.ID // created: by id, the order of creation
	}
}

func (ui *UI) renderServiceAccounts(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page) {
	req, st := listRequest(r, p, serviceAccountSorts...)
	if status == http.StatusOK {
		status = st
	}
	list, err := ui.Accounts.ServiceAccounts(r.Context(), a) // the store refuses other roles (and audits the refusal)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	q := strings.ToLower(req.Q)
	found := list[:0:0]
	for _, s := range list {
		if serviceAccountMatches(s, q) {
			found = append(found, s)
		}
	}
	res := page.Slice(req, found, serviceAccountKey(req))
	orgs, err := ui.serviceAccountOrgs(r, a)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	p.Data = map[string]any{"Accounts": res.Items, "Nav": listNav(r, req, len(res.Items), res.Next, res.Prev), "Orgs": orgs}
	ui.render(w, status, "service_accounts", p)
}
