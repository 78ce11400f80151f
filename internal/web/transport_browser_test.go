package web_test

import (
	"net/http"
	"strings"
	"testing"

	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestLoginTransportBrowser (area ops): a browser that reaches the login
// page over plain http on a host other than this machine sees why
// signing in cannot work, in an accessible alert, and stays signed out
// when it tries; on 127.0.0.1 the same server signs it in (its cookies
// are not Secure on an http public address, which Chromium keeps).
func TestLoginTransportBrowser(t *testing.T) {
	webtest.SkipShort(t)
	db := storetest.Open(t, store.SQLite)
	users := storetest.Users(t, db, "transport.test", storetest.U{Name: "analyst", Role: "analyst", Org: "opgroeien"})
	users.Create(t)
	s, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("PlainHTTPElsewhere", func(t *testing.T) {
		// As if the browser had typed http://kansrijk.intern:
		// the server sees that host.
		elsewhere := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Host = "kansrijk.intern"
			s.ServeHTTP(w, r)
		})
		srv := webtest.Serve(t, elsewhere, db, users)
		b := srv.Browser()
		b.Navigate(srv.URL + "/login")
		if !b.Exists(`#login-transport[role="alert"]`) {
			t.Fatalf("no alert on the login page:\n%s", b.Text("main"))
		}
		if got := b.Text("#login-transport"); !strings.Contains(got, "Aanmelden kan hier niet") || !strings.Contains(got, "niet versleuteld") {
			t.Errorf("alert text %q", got)
		}
		b.CheckAxe("login-transport")
		b.SetValue("#email", users.Email(t, "analyst"))
		b.SetValue("#password", storetest.Password)
		b.Click("main form button[type=submit]")
		if !strings.HasSuffix(b.URL(), "/login") || !b.Exists("#login-transport") {
			t.Errorf("after submitting: at %s, alert shown %t", b.URL(), b.Exists("#login-transport"))
		}
		b.Navigate(srv.URL + "/")
		if b.Exists("header form button[type=submit]") {
			t.Error("the browser is signed in over plain http")
		}
	})

	t.Run("Localhost", func(t *testing.T) {
		srv := webtest.Serve(t, s, db, users)
		b := srv.SignIn("analyst") // fails the test when it stays on /login
		if b.Exists("#login-transport") {
			t.Error("the alert shows after signing in on 127.0.0.1")
		}
	})
}
