package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/httpx"
	"kansrijk/internal/org"
)

// Identity pages (issue 10): the one-time link to set one's password
// (/wachtwoord/{secret}), "forgot password" from the login page, changing
// one's own password, and the service accounts of one's organisation.
// Routes are registered in web.go.

// secretPage marks a page whose URL or body holds a secret: never cached,
// never sent on as a referrer.
func secretPage(w http.ResponseWriter) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
}

// showPasswordLink shows, once, the link an admin hands over.
func (ui *UI) showPasswordLink(w http.ResponseWriter, r *http.Request, status int, title string, u account.User, l account.PasswordLink) {
	secretPage(w)
	ui.render(w, status, "password_link", ui.page(r, title, map[string]any{"User": u, "Link": l}))
}

func (ui *UI) resetUserPassword(w http.ResponseWriter, r *http.Request, a account.Actor) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	l, err := ui.Accounts.CreatePasswordReset(r.Context(), a, id)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	u, err := ui.Accounts.User(r.Context(), id)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	ui.showPasswordLink(w, r, http.StatusOK, "identity.reset.title", u, l)
}

// parseAnonymousForm bounds and parses the body of a form that needs no
// session (the login page's neighbours).
func (ui *UI) parseAnonymousForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		ui.renderError(w, r, http.StatusRequestEntityTooLarge, "error.body_too_large")
		return false
	}
	return true
}

func (ui *UI) showSetPassword(w http.ResponseWriter, r *http.Request) {
	secretPage(w)
	p := ui.page(r, "identity.set.title", map[string]any{"Secret": r.PathValue("secret")})
	ui.render(w, http.StatusOK, "password_set", p)
}

func (ui *UI) setPassword(w http.ResponseWriter, r *http.Request) {
	secretPage(w)
	if !ui.parseAnonymousForm(w, r) {
		return
	}
	secret := r.PathValue("secret")
	pw := r.PostForm.Get("password")
	err := passwordProblems(r.PostForm, "password", "password_repeat")
	if err == nil {
		err = ui.Accounts.SetPasswordWithLink(r.Context(), secret, pw, httpx.ClientAddr(r), httpx.RequestID(r))
	}
	if err != nil {
		httpx.SetRetryAfter(w, err) // busy: every password check is taken
		p := ui.page(r, "identity.set.title", map[string]any{"Secret": secret}).formProblems(r, err, passwordSpec)
		ui.render(w, statusOf(err), "password_set", p)
		return
	}
	http.Redirect(w, r, "/login?ok=password_set", http.StatusSeeOther)
}

func (ui *UI) showForgotPassword(w http.ResponseWriter, r *http.Request) {
	p := ui.page(r, "identity.forgot.title", nil)
	ui.render(w, http.StatusOK, "password_forgot", p)
}

// requestPasswordReset answers the same whether or not the address has an
// account.
func (ui *UI) requestPasswordReset(w http.ResponseWriter, r *http.Request) {
	if !ui.parseAnonymousForm(w, r) {
		return
	}
	if strings.TrimSpace(r.PostForm.Get("email")) == "" {
		p := ui.page(r, "identity.forgot.title", nil).formProblems(r, required("email"), formSpec{"email": {Label: "field.email"}})
		ui.render(w, http.StatusBadRequest, "password_forgot", p)
		return
	}
	if err := ui.Accounts.RequestPasswordReset(r.Context(), r.PostForm.Get("email"), httpx.ClientAddr(r), httpx.RequestID(r)); err != nil {
		if e, ok := apperr.As(err); ok && e.Field != "" {
			p := ui.page(r, "identity.forgot.title", nil).formProblems(r, err, formSpec{e.Field: {Input: "email", Label: "field.email"}})
			p.Form = r.PostForm
			ui.render(w, statusOf(err), "password_forgot", p)
			return
		}
		ui.fail(w, r, err)
		return
	}
	p := ui.page(r, "identity.forgot.title", nil)
	p.Flash = "identity.forgot.sent"
	ui.render(w, http.StatusOK, "password_forgot", p)
}

func (ui *UI) showChangePassword(w http.ResponseWriter, r *http.Request, a account.Actor) {
	ui.render(w, http.StatusOK, "password_change", ui.page(r, "identity.change.title", nil))
}

// changePassword changes the user's own password; every session ends, so
// the user signs in again with the new one.
func (ui *UI) changePassword(w http.ResponseWriter, r *http.Request, a account.Actor) {
	f := r.PostForm
	err := passwordProblems(f, "current_password", "password", "password_repeat")
	if err == nil {
		err = ui.Accounts.ChangePassword(r.Context(), a, f.Get("current_password"), f.Get("password"))
	}
	if err != nil {
		httpx.SetRetryAfter(w, err)
		p := ui.page(r, "identity.change.title", nil).formProblems(r, err, passwordSpec)
		ui.render(w, statusOf(err), "password_change", p)
		return
	}
	httpx.ClearSessionCookie(w, r)
	http.Redirect(w, r, "/login?ok=password_changed", http.StatusSeeOther)
}

// serviceAccountOrgs are the organisations the actor may create service
// accounts for.
func (ui *UI) serviceAccountOrgs(r *http.Request, a account.Actor) ([]org.Organisation, error) {
	if a.Role != account.Admin {
		o, err := ui.Orgs.Organisation(r.Context(), a.Org)
		return []org.Organisation{o}, err
	}
	today := ui.today()
	list, err := ui.Orgs.Organisations(r.Context(), org.Filter{On: &today})
	if err != nil {
		return nil, err
	}
	var out []org.Organisation
	for _, o := range list {
		if o.Kind == account.KindOpgroeien || o.Kind == account.KindTeam || o.Kind == account.KindClinic {
			out = append(out, o)
		}
	}
	return out, nil
}

func (ui *UI) showServiceAccounts(w http.ResponseWriter, r *http.Request, a account.Actor) {
	// The store refuses other roles (and audits the refusal).
	ui.renderServiceAccounts(w, r, a, http.StatusOK, ui.page(r, "identity.service.title", nil))
}

func (ui *UI) createServiceAccount(w http.ResponseWriter, r *http.Request, a account.Actor) {
	f := r.PostForm
	// The store checks every field at once (and refuses whoever may not).
	u, secret, err := ui.Accounts.CreateServiceAccount(r.Context(), a, account.NewServiceAccount{Name: f.Get("name"), Org: f.Get("org"), Label: f.Get("label")})
	if err != nil {
		if err := a.Require(account.ManageServiceAccounts); err != nil {
			ui.fail(w, r, err)
			return
		}
		p := ui.page(r, "identity.service.title", nil).formProblems(r, err, formSpec{
			"name": {Label: "identity.service.name"}, "org": {Label: "field.organisation"}, "organisation": {Input: "org", Label: "field.organisation"},
			"label": {Label: "identity.service.label"}})
		p.Form = f
		ui.renderServiceAccounts(w, r, a, statusOf(err), p)
		return
	}
	secretPage(w)
	ui.render(w, http.StatusCreated, "service_account_created", ui.page(r, "identity.service.created_title", map[string]any{"Account": u, "Token": secret}))
}

func (ui *UI) revokeServiceAccount(w http.ResponseWriter, r *http.Request, a account.Actor) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err := ui.Accounts.RevokeServiceAccount(r.Context(), a, id); err != nil {
		ui.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/service-accounts?ok=service_account_revoked", http.StatusSeeOther)
}

// passwordSpec are the inputs of the password forms.
var passwordSpec = formSpec{
	"current_password": {Label: "identity.password.current"},
	"password":         {Label: "identity.password.new"},
	"password_repeat":  {Label: "identity.password.repeat"},
}

// passwordProblems are the problems of a password form found before the
// password is checked: empty inputs, and a repetition that differs.
func passwordProblems(f url.Values, names ...string) error {
	var out []*apperr.Error
	for _, n := range names {
		if f.Get(n) == "" {
			out = append(out, required(n))
		}
	}
	if len(out) == 0 && f.Get("password") != f.Get("password_repeat") {
		out = append(out, errPasswordsDiffer())
	}
	return apperr.Join(out)
}

func errPasswordsDiffer() *apperr.Error {
	return apperr.FieldErr(apperr.Invalid, "password_repeat", "the two passwords differ").WithKey("identity.error.passwords_differ", nil)
}
