package web_test

import (
	"strings"
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestPasswordPagesInBrowser: an OCMW admin creates a user in Chromium
// (no password field: the page shows the one-time link), the new user
// opens the link, is refused a common password, sets a good one, signs in
// and changes it; the used link no longer works. axe-core checks every
// page; screenshots go to the test artifacts.
func TestPasswordPagesInBrowser(t *testing.T) {
	webtest.SkipShort(t)
	db := storetest.Open(t, store.SQLite)
	users := storetest.Users(t, db, "ocmw.test", storetest.U{Name: "beheer", Role: "ocmw_admin", Org: "ocmw-13016", FullName: "Bea Beheer"})
	users.Create(t)
	ts := webtest.Start(t, db, users)
	b := ts.Browser()
	ts.SignInAs(b, "beheer", "")
	b.Navigate(ts.URL + "/users/new")
	if b.Exists("#password") {
		t.Fatal("the new-user form still asks the admin for a password")
	}
	b.Page("user-new")
	b.SetValue("#email", "nieuw@ocmw.test")
	b.SetValue("#name", "Nina Nieuw")
	b.Click("main form button[type=submit]")
	if !b.Exists("#password-link") {
		t.Fatalf("no link after creating the user: %s", b.Text("main"))
	}
	b.Page("user-created-link")
	link := b.Text("#password-link")
	if !strings.HasPrefix(link, "/wachtwoord/krp_") {
		t.Fatalf("link %q", link)
	}

	// Service accounts of the admin's own OCMW; the token is shown once.
	b.Navigate(ts.URL + "/service-accounts")
	b.Page("service-accounts")
	b.SetValue("#name", "Dossiersoftware")
	b.Click(`main form[method=post][action="/service-accounts"] button[type=submit]`) // the page's first form is the list's search
	if !b.Exists("#token") {
		t.Fatalf("no token shown: %s", b.Text("main"))
	}
	b.Page("service-account-created")
	var token string
	b.Eval(`document.querySelector("#token").value`, &token)
	if a, err := db.ActorByToken(t.Context(), token); err != nil || !a.Service || a.Org != "ocmw-13016" {
		t.Fatalf("token of the new service account: %+v, %v", a, err)
	}
	ts.SignOut(b)

	b.Navigate(ts.URL + link)
	b.Page("password-set")
	b.SetValue("#password", "qwertyuiop123")
	b.SetValue("#password_repeat", "qwertyuiop123")
	b.Click("main form button[type=submit]")
	if !strings.Contains(b.Text("main"), "veelgebruikte wachtwoorden") {
		t.Fatalf("common password not refused: %s", b.Text("main"))
	}
	b.Page("password-set-refused")
	b.SetValue("#password", "drie kleine katjes op de trap")
	b.SetValue("#password_repeat", "drie kleine katjes op de trap")
	b.Click("main form button[type=submit]")
	if !strings.Contains(b.URL(), "/login") || !strings.Contains(b.Text("main"), "Uw wachtwoord is ingesteld") {
		t.Fatalf("after setting the password at %s: %s", b.URL(), b.Text("main"))
	}
	b.Page("password-set-done")

	ts.LogIn(b, "nieuw@ocmw.test", "drie kleine katjes op de trap", "")
	b.Navigate(ts.URL + "/account/password")
	b.Page("password-change")
	b.SetValue("#current_password", "niet het huidige wachtwoord")
	b.SetValue("#password", "vier grote honden in de tuin")
	b.SetValue("#password_repeat", "vier grote honden in de tuin")
	b.Click("main form button[type=submit]")
	if !strings.Contains(b.Text("main"), "huidige wachtwoord klopt niet") {
		t.Fatalf("wrong current password not refused: %s", b.Text("main"))
	}
	b.Page("password-change-refused")
	b.SetValue("#current_password", "drie kleine katjes op de trap")
	b.SetValue("#password", "vier grote honden in de tuin")
	b.SetValue("#password_repeat", "vier grote honden in de tuin")
	b.Click("main form button[type=submit]")
	if !strings.Contains(b.URL(), "/login") || !strings.Contains(b.Text("main"), "Uw wachtwoord is gewijzigd") {
		t.Fatalf("after changing the password at %s: %s", b.URL(), b.Text("main"))
	}
	ts.LogIn(b, "nieuw@ocmw.test", "vier grote honden in de tuin", "")
	if strings.Contains(b.URL(), "/login") {
		t.Fatalf("sign-in with the changed password failed: %s", b.Text("main"))
	}
	ts.SignOut(b)

	// The used link answers like any invalid one.
	b.Navigate(ts.URL + link)
	b.SetValue("#password", "nog een ander wachtwoord hier")
	b.SetValue("#password_repeat", "nog een ander wachtwoord hier")
	b.Click("main form button[type=submit]")
	if !strings.Contains(b.Text("main"), "niet (meer) geldig") {
		t.Fatalf("used link accepted again: %s", b.Text("main"))
	}

	b.Navigate(ts.URL + "/wachtwoord-vergeten")
	b.Page("password-forgot")
	b.SetValue("#email", "niemand@ocmw.test")
	b.Click("main form button[type=submit]")
	if !strings.Contains(b.Text("main"), "Als dit e-mailadres bij een account hoort") {
		t.Fatalf("forgot: %s", b.Text("main"))
	}
	b.Page("password-forgot-sent")
}
