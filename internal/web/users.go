package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/org"
	"kansrijk/internal/page"
)

// showUsers lists the users the actor manages a page of 50 at a time
// (issue 12): searchable by name and e-mail address, filtered by role,
// organisation (admins) and active, sortable; one audit event per page.
func (ui *UI) showUsers(w http.ResponseWriter, r *http.Request, a account.Actor) {
	q := r.URL.Query()
	p := ui.page(r, "page.users.title", nil)
	p.Form = q
	req, status := listRequest(r, p, account.UserSorts...)
	var f account.UserQuery
	if role := account.Role(q.Get("role")); slices.Contains(account.Roles, role) {
		f.Role = role
	}
	if a.Role == account.Admin {
		f.Org = q.Get("organisation")
	}
	switch q.Get("active") {
	case "true", "false":
		v := q.Get("active") == "true"
		f.Active = &v
	}
	res, stale, err := fetchList(req, func(req page.Request) (page.Result[account.User], error) {
		return ui.Accounts.UserPage(r.Context(), a, f, req)
	})
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if stale {
		req.After = nil
		p.cursorReset(true)
	}
	var orgs []org.Organisation
	if a.Role == account.Admin {
		if orgs, err = ui.Orgs.Organisations(r.Context(), org.Filter{}); err != nil {
			ui.fail(w, r, err)
			return
		}
	}
	p.Data = map[string]any{"Users": res.Items, "Nav": listNav(r, req, len(res.Items), res.Next, res.Prev), "Roles": account.Roles,
		"Role": string(f.Role), "Orgs": orgs, "Org": f.Org, "Active": q.Get("active"), "IsAdmin": a.Role == account.Admin}
	ui.ssoUsersData(r, a, p) // area sso: the pending sign-ins
	ui.render(w, status, "users", p)
}

func (ui *UI) userForm(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page) {
	var orgs []org.Organisation
	if a.Role == account.Admin {
		today := ui.today()
		list, err := ui.Orgs.Organisations(r.Context(), org.Filter{On: &today})
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		orgs = list
	} else {
		o, err := ui.Orgs.Organisation(r.Context(), a.Org)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		orgs = []org.Organisation{o}
	}
	roles := account.Roles
	if a.Role == account.OCMWAdmin {
		roles = []account.Role{account.OCMWWorker, account.OCMWAdmin}
	}
	p.Data = map[string]any{"Orgs": orgs, "Roles": roles}
	ui.render(w, status, "user_form", p)
}

func (ui *UI) showUserForm(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if err := a.Require(account.ManageUsers); err != nil {
		ui.fail(w, r, err)
		return
	}
	p := ui.page(r, "page.user_new.title", nil)
	p.Form = r.URL.Query()
	ui.userForm(w, r, a, http.StatusOK, p)
}

func (ui *UI) createUser(w http.ResponseWriter, r *http.Request, a account.Actor) {
	f := r.PostForm
	// No password: the new user sets it through a one-time link, e-mailed
	// to them and shown here once for hand-over.
	in := account.NewUser{Email: f.Get("email"), Name: f.Get("name"), Role: f.Get("role"), Org: f.Get("org")}
	err := a.Require(account.ManageUsers) // who may not gets 403, whatever the input
	if err == nil {
		err = userFormProblems(in)
	}
	var u account.User
	var link account.PasswordLink
	if err == nil {
		u, link, err = ui.Accounts.InviteUser(r.Context(), a, in)
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Code == apperr.Forbidden {
			ui.fail(w, r, err)
			return
		}
		p := ui.page(r, "page.user_new.title", nil).formProblems(r, err, formSpec{
			"email": {Label: "field.email"}, "name": {Label: "field.name"}, "role": {Label: "field.role"},
			"org": {Label: "field.organisation"}, "organisation": {Input: "org", Label: "field.organisation"}})
		p.Form = f
		ui.userForm(w, r, a, statusOf(err), p)
		return
	}
	ui.showPasswordLink(w, r, http.StatusCreated, "identity.invite.title", u, link)
}

func (ui *UI) setUserActive(w http.ResponseWriter, r *http.Request, a account.Actor) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := ui.Accounts.SetUserActive(r.Context(), a, id, r.PostForm.Get("active") == "true"); err != nil {
		ui.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users?ok=user_updated", http.StatusSeeOther)
}

// userFormProblems are every problem of the new user's form found without
// the database (account.NewUser.Normalize), an empty e-mail address said
// as a required field; the store checks the rest (the organisation, the
// role there, a taken address).
func userFormProblems(in account.NewUser) error {
	var problems []*apperr.Error
	if strings.TrimSpace(in.Email) == "" {
		problems = append(problems, required("email"))
	}
	for _, e := range apperr.Problems(in.Normalize()) {
		if e.Field == "email" && len(problems) > 0 {
			continue
		}
		problems = append(problems, e)
	}
	return apperr.Join(problems)
}
