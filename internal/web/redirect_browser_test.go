package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// redirectAttacks are next= values that once sent the browser elsewhere
// (a tab, CR or LF is dropped by the browser, a backslash read as "/"),
// with their percent-encoded and double-encoded forms.
var redirectAttacks = []string{
	"/\t/evil.example", "/\r/evil.example", "/\n/evil.example", "/\\evil.example", "\\\\evil.example",
	"/%09/evil.example", "/%0d/evil.example", "/%0a/evil.example", "/%5cevil.example",
	"/%2509/evil.example", "/%250a/evil.example", "/%255cevil.example",
	"//evil.example", "https://evil.example/", "/.//evil.example",
}

// TestLoginRedirectBrowser signs in through a real browser with each
// hostile next= and checks that the browser ends on the server's own
// origin; the same for the language switch and for the login page of a
// user who is signed in already.
func TestLoginRedirectBrowser(t *testing.T) {
	webtest.SkipShort(t)
	db := storetest.Open(t, store.SQLite)
	users := storetest.Users(t, db, "redirect.test", storetest.U{Name: "analyst", Role: "analyst", Org: "opgroeien"})
	users.Create(t)
	s, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", s)
	// A login form whose hidden next= the test fills in: the real login
	// page is skipped once the browser is signed in.
	mux.HandleFunc("GET /test/login-form", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="nl"><title>login</title><form method="post" action="/login">
<input id="email" name="email"><input id="password" name="password" type="password"><input id="next" name="next" type="hidden">
<button type="submit">go</button></form></html>`)
	})
	srv := webtest.Serve(t, mux, db, users)
	origin, _ := url.Parse(srv.URL)
	b := srv.Browser()
	onOrigin := func(t *testing.T, what string) {
		t.Helper()
		got := b.URL()
		u, err := url.Parse(got)
		if err != nil || u.Scheme != origin.Scheme || u.Host != origin.Host {
			t.Errorf("%s ended at %q, want a page of %s", what, got, srv.URL)
		}
	}

	// The attack as it came: a link to the real login page.
	srv.SignInAs(b, "analyst", "/\t/evil.example")
	onOrigin(t, "login from /login?next=/%09/evil.example")

	for _, next := range redirectAttacks {
		t.Run("Login/"+url.PathEscape(next), func(t *testing.T) {
			b.Navigate(srv.URL + "/test/login-form")
			b.SetValue("#email", users.Email(t, "analyst"))
			b.SetValue("#password", storetest.Password)
			b.Eval(`document.getElementById("next").value = `+jsQuote(next)+`, true`, nil)
			b.Click("form button[type=submit]")
			onOrigin(t, "login with next="+next)
		})
		t.Run("SignedIn/"+url.PathEscape(next), func(t *testing.T) {
			b.Navigate(srv.URL + "/login?next=" + url.QueryEscape(next))
			onOrigin(t, "/login (signed in) with next="+next)
		})
		t.Run("Language/"+url.PathEscape(next), func(t *testing.T) {
			b.Navigate(srv.URL + "/lang/en?next=" + url.QueryEscape(next))
			onOrigin(t, "/lang/en with next="+next)
		})
	}

	t.Run("LocalTargetKept", func(t *testing.T) {
		b.Navigate(srv.URL + "/lang/nl?next=" + url.QueryEscape("/register?x=1"))
		if got := b.URL(); got != srv.URL+"/register?x=1" {
			t.Errorf("the language switch led to %s, want %s/register?x=1", got, srv.URL)
		}
	})
}

func jsQuote(s string) string {
	q := "\""
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			q += "\\" + string(r)
		case r < 0x20:
			q += fmt.Sprintf("\\u%04x", r)
		default:
			q += string(r)
		}
	}
	return q + "\""
}
