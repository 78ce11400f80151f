package web_test

import (
	"strings"
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestFormsInBrowser: the main forms sent wrong in Chromium show every
// problem at once (the summary above, each message next to its field) and
// stay axe-clean with the errors shown; what was typed comes back.
func TestFormsInBrowser(t *testing.T) {
	webtest.SkipShort(t)
	db := storetest.Open(t, store.SQLite)
	w := formsWorld(t, db)
	site := webtest.Listening(t, w.srv.URL, db, w.users)
	w.users.Create(t, "worker", "admin")
	b := site.Browser()
	url := site.URL

	// The login: empty, then wrong credentials: one message, in the pattern.
	b.Navigate(url + "/login")
	b.Click("main form button[type=submit]")
	if !b.Exists("#form-errors a[href='#email']") || !b.Exists("#password-error") {
		t.Fatalf("empty login: %s", b.Text("main"))
	}
	b.Page("forms-login-errors")

	// A new referral: no name, a postcode of Gent for Hulshout, a wrong
	// e-mail address.
	site.SignInAs(b, "worker", "")
	b.Navigate(url + "/referrals/new?postcode=2235&municipality_nis=13016")
	b.SetValue("#p0-street", "Kerkstraat")
	b.SetValue("#p0-number", "7")
	b.SetValue("#p0-postcode", "9000")
	b.SetValue("#p0-email", "geen-adres")
	b.Click("main form.referral-form button[type=submit]")
	summary := b.Text("#form-errors")
	for _, want := range []string{"Ouder 1 — Naam", "9000 hoort bij Gent, niet bij Hulshout.", "Ouder 1 — E-mail"} {
		if !strings.Contains(summary, want) {
			t.Errorf("referral summary lacks %q: %s", want, summary)
		}
	}
	var typed string
	b.Eval(`document.querySelector("#p0-street").value`, &typed)
	if typed != "Kerkstraat" {
		t.Errorf("the street typed came back as %q", typed)
	}
	b.Page("forms-referral-errors")
	site.SignOut(b)

	// The admin: a new agreement with a date that is no date, a new user
	// without an e-mail address.
	site.SignInAs(b, "admin", "")
	b.Navigate(url + "/agreements/new")
	b.SetValue("#effective_on", "31/02/2026")
	b.Click("main form button[type=submit]")
	if !b.Exists("#form-errors a[href='#effective_on']") || !b.Exists("#effective_on-error") {
		t.Fatalf("agreement form: %s", b.Text("main"))
	}
	b.Page("forms-agreement-errors")
	b.Navigate(url + "/users/new")
	b.SetValue("#name", "Nieuwe Collega")
	b.Click("main form button[type=submit]")
	if !b.Exists("#form-errors a[href='#email']") {
		t.Fatalf("user form: %s", b.Text("main"))
	}
	b.Page("forms-user-errors")
	b.Navigate(url + "/outreach/municipalities/13016")
	b.SetValue("#moment-on", "6/12/2026")
	b.Click("#moment-new button[type=submit]")
	if !b.Exists("#form-errors a[href='#moment-summary']") {
		t.Fatalf("contact moment: %s", b.Text("main"))
	}
	b.Eval(`document.querySelector("#moment-on").value`, &typed)
	if typed != "06-12-2026" {
		t.Errorf("the date typed 6/12/2026 came back as %q, want 06-12-2026", typed)
	}
	b.Page("forms-outreach-errors")
}
