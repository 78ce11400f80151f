package web

// Area sso: single sign-on with OpenID Connect (issue 15). The protocol is
// internal/sso's, users and sessions the store's (sso.Store); here are the
// two routes of the sign-in, the pages of its failures and the pending
// sign-ins on the users page.

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"kansrijk/internal/account"
	"kansrijk/internal/httpx"
	"kansrijk/internal/sso"
)

// ssoStore is the store's side of single sign-on: the accounts store when
// it implements it (the database does).
func (ui *UI) ssoStore() (sso.Store, bool) {
	s, ok := ui.Accounts.(sso.Store)
	return s, ok
}

// ssoStart sends the person to the provider, with the sign-in's state,
// nonce and PKCE verifier in a short-lived signed cookie.
func (ui *UI) ssoStart(w http.ResponseWriter, r *http.Request) {
	if _, ok := ui.ssoStore(); ui.SSO == nil || !ok {
		ui.notFound(w, r)
		return
	}
	next := safeNext(r.URL.Query().Get("next"))
	if _, ok := httpx.Actor(r); ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	authURL, cookie, err := ui.SSO.Start(r.Context(), next)
	if err != nil {
		ui.ssoFail(w, r, err, false)
		return
	}
	httpx.SetCookie(w, r, &http.Cookie{Name: sso.StateCookie, Value: cookie, Path: "/auth/oidc/", MaxAge: int(sso.StateLifetime.Seconds())})
	http.Redirect(w, r, authURL, http.StatusSeeOther)
}

// ssoCallback verifies the provider's answer and starts the session of
// a password login (same cookie, same audit event), or shows why not.
func (ui *UI) ssoCallback(w http.ResponseWriter, r *http.Request) {
	store, ok := ui.ssoStore()
	if ui.SSO == nil || !ok {
		ui.notFound(w, r)
		return
	}
	// The state cookie serves once, whatever the outcome.
	httpx.SetCookie(w, r, &http.Cookie{Name: sso.StateCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1})
	var state string
	if c, err := r.Cookie(sso.StateCookie); err == nil {
		state = c.Value
	}
	id, next, err := ui.SSO.Finish(r.Context(), state, r.URL.Query())
	if err != nil {
		ui.ssoFail(w, r, err, false)
		return
	}
	s, err := store.SignIn(r.Context(), sso.SignIn{Identity: id, ClientAddr: httpx.ClientAddr(r), RequestID: httpx.RequestID(r)})
	if err != nil {
		ui.ssoFail(w, r, err, true)
		return
	}
	httpx.SetSessionCookie(w, r, s.Secret, s.Expires)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

// ssoStatus is the answer's status per code: never a 500.
func ssoStatus(code string) int {
	switch code {
	case sso.CodeProviderUnreachable, sso.CodeTokenRefused:
		return http.StatusBadGateway
	case sso.CodeState, sso.CodeProviderError:
		return http.StatusBadRequest
	case sso.CodePending, sso.CodeDeactivated, sso.CodeNotAllowed, sso.CodeEmailUnverified, sso.CodeNoEmail:
		return http.StatusForbidden
	}
	return http.StatusUnauthorized
}

// ssoFail shows the Dutch page of a failed sign-in with its code, logs
// the code and audits it (unless the store did already).
func (ui *UI) ssoFail(w http.ResponseWriter, r *http.Request, err error, audited bool) {
	var e *sso.Error
	if !errors.As(err, &e) {
		ui.fail(w, r, err)
		return
	}
	slog.Info("sso sign-in refused", "code", e.Code, "error", err, "request_id", httpx.RequestID(r))
	if !audited {
		if store, ok := ui.ssoStore(); ok {
			if aerr := store.FailSignIn(r.Context(), e.Code, e.Detail, httpx.ClientAddr(r), httpx.RequestID(r)); aerr != nil {
				slog.Error("audit sso sign-in", "error", aerr)
			}
		}
	}
	p := ui.page(r, "sso.failed.title", map[string]any{"Code": e.Code, "Key": "sso.error." + e.Code, "Pending": e.Code == sso.CodePending})
	if e.Code == sso.CodePending {
		p.Title = "sso.pending.title"
	}
	ui.render(w, ssoStatus(e.Code), "sso", p)
}

// ssoUsersData adds the pending sign-ins to the users page of an admin.
func (ui *UI) ssoUsersData(r *http.Request, a account.Actor, p *Page) {
	store, ok := ui.ssoStore()
	d, isMap := p.Data.(map[string]any)
	if !ok || !isMap || a.Role != account.Admin {
		return
	}
	list, err := store.PendingSignIns(r.Context(), a)
	if err != nil {
		slog.Error("pending sign-ins", "error", err)
		return
	}
	d["SSOPending"] = list
}

// ssoAssign gives a pending sign-in a role and an organisation: the user
// is made and linked; the person's next sign-in works.
func (ui *UI) ssoAssign(w http.ResponseWriter, r *http.Request, a account.Actor) {
	store, ok := ui.ssoStore()
	if !ok {
		ui.notFound(w, r)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		ui.notFound(w, r)
		return
	}
	if _, err := store.AssignPending(r.Context(), a, id, r.PostForm.Get("role"), r.PostForm.Get("organisation")); err != nil {
		ui.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/users?ok=sso_assigned", http.StatusSeeOther)
}
