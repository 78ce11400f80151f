package web

import (
	"net/http"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/httpx"
)

// safeNext is the target of a redirect taken from the request (next=,
// back=): a path on this server, else "/" (httpx.LocalPath).
func safeNext(next string) string { return httpx.LocalPath(next) }

func (ui *UI) showLogin(w http.ResponseWriter, r *http.Request) {
	if _, ok := httpx.Actor(r); ok {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	p := ui.page(r, "page.login.title", nil)
	p.Form = r.URL.Query()
	p.LoginTransport = loginTransport(r) // area ops: why signing in cannot work here
	ui.render(w, http.StatusOK, "login", p)
}

func (ui *UI) login(w http.ResponseWriter, r *http.Request) {
	if ui.refuseLoginTransport(w, r) { // area ops: no sign-in over plain http (transport.go)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		ui.renderError(w, r, http.StatusRequestEntityTooLarge, "error.body_too_large")
		return
	}
	// Both fields are required; wrong credentials stay one message (on
	// the e-mail address: which of the two was wrong is not told).
	var problems []*apperr.Error
	for _, n := range []string{"email", "password"} {
		if strings.TrimSpace(r.PostForm.Get(n)) == "" {
			problems = append(problems, required(n))
		}
	}
	err := apperr.Join(problems)
	var s account.Session
	if err == nil {
		s, err = ui.Accounts.Login(r.Context(), r.PostForm.Get("email"), r.PostForm.Get("password"), httpx.ClientAddr(r), httpx.RequestID(r))
		if e, ok := apperr.As(err); ok && e.Field == "" {
			err = &apperr.Error{Code: e.Code, Message: e.Message, Field: "email", Key: e.Key, Args: e.Args}
		}
	}
	if err != nil {
		p := ui.page(r, "page.login.title", nil).formProblems(r, err, formSpec{"email": {Label: "field.email"}, "password": {Label: "field.password"}})
		p.Form = r.PostForm
		p.Form.Del("password")
		httpx.SetRetryAfter(w, err)
		ui.render(w, statusOf(err), "login", p)
		return
	}
	httpx.SetSessionCookie(w, r, s.Secret, s.Expires)
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

func (ui *UI) logout(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if c, err := r.Cookie(httpx.SessionCookie); err == nil {
		if err := ui.Accounts.Logout(r.Context(), a, c.Value); err != nil {
			ui.fail(w, r, err)
			return
		}
	}
	httpx.ClearSessionCookie(w, r)
	http.Redirect(w, r, "/login?ok=logged_out", http.StatusSeeOther)
}
