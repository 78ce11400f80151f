package web

import (
	"net/http"

	"kansrijk/internal/httpx"
	"kansrijk/internal/i18n"
)

// Area ops: signing in needs a connection that keeps the password and
// the session cookie safe (httpx.LoginProblem). Where it cannot work, the
// login page says why (templates/partials/login_transport.html) instead
// of returning silently to the form.

// loginTransport is the translated reason why signing in cannot work on
// r, or "".
func loginTransport(r *http.Request) string {
	args := map[string]any{"URL": httpx.PublicURL(r)}
	switch httpx.LoginProblem(r) {
	case httpx.LoginNeedsHTTPS:
		return i18n.T(i18n.FromRequest(r), "ops.login.needs_https", args)
	case httpx.LoginPlainHTTP:
		return i18n.T(i18n.FromRequest(r), "ops.login.plain_http", args)
	}
	return ""
}

// refuseLoginTransport answers a sign-in that cannot work on this
// connection with the login page and its reason (403), before the
// password is checked; it reports whether it did.
func (ui *UI) refuseLoginTransport(w http.ResponseWriter, r *http.Request) bool {
	reason := loginTransport(r)
	if reason == "" {
		return false
	}
	p := ui.page(r, "page.login.title", nil)
	p.LoginTransport = reason
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	_ = r.ParseForm() // to show the e-mail address again; never the password
	p.Form = r.PostForm
	p.Form.Del("password")
	ui.render(w, http.StatusForbidden, "login", p)
	return true
}
