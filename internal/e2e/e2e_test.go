package e2e

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/browsertest"
	"kansrijk/internal/demo"
)

const adminEmail = "admin@demo.kansrijk.test"

// submit is the submit button of the form in the main content (the header
// holds the logout form, whose button is a submit button too).
const submit = "main form button[type=submit]"

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// evalString evaluates a JavaScript expression that gives a string.
func evalString(b *browsertest.Browser, expr string) string {
	var s string
	b.Eval(expr, &s)
	return s
}

// value returns the value property of the element that matches sel.
func value(b *browsertest.Browser, sel string) string {
	return evalString(b, `document.querySelector(`+js(sel)+`).value`)
}

// attr returns an attribute of the element that matches sel, or "".
func attr(b *browsertest.Browser, sel, name string) string {
	return evalString(b, `document.querySelector(`+js(sel)+`).getAttribute(`+js(name)+`) ?? ""`)
}

// status returns the HTTP status of the current document.
func status(b *browsertest.Browser) int {
	var n int
	b.Eval(`performance.getEntriesByType("navigation")[0].responseStatus`, &n)
	return n
}

// path returns the path and query of the current page.
func path(t *testing.T, b *browsertest.Browser) string {
	t.Helper()
	u, err := url.Parse(b.URL())
	if err != nil {
		t.Fatalf("parse URL: %v", err)
	}
	return u.RequestURI()
}

// navHrefs returns the links of the main navigation.
func navHrefs(b *browsertest.Browser) []string {
	var hrefs []string
	b.Eval(`Array.from(document.querySelectorAll("header nav a")).map(a => a.getAttribute("href"))`, &hrefs)
	return hrefs
}

// wantText fails the test unless the visible text of sel contains want.
func wantText(t *testing.T, b *browsertest.Browser, sel, want string) {
	t.Helper()
	if got := b.Text(sel); !strings.Contains(got, want) {
		t.Errorf("text of %s = %q, want it to contain %q (page %s)", sel, got, want, b.URL())
	}
}

// wantPath fails the test unless the browser is on the path p (with
// its query, if p has one).
func wantPath(t *testing.T, b *browsertest.Browser, p string) {
	t.Helper()
	got := path(t, b)
	if !strings.Contains(p, "?") {
		got, _, _ = strings.Cut(got, "?")
	}
	if got != p {
		t.Errorf("on %s, want %s", got, p)
	}
}

// login signs in through the login form, as a user does.
func login(t *testing.T, b *browsertest.Browser, email, password string) {
	t.Helper()
	if !strings.HasPrefix(path(t, b), "/login") {
		b.Navigate(baseURL + "/login")
	}
	b.SetValue("#email", email)
	b.SetValue("#password", password)
	b.Click(submit)
}

// logout signs out with the button in the header.
func logout(t *testing.T, b *browsertest.Browser) {
	t.Helper()
	b.Click(`header form[action="/logout"] button`)
	wantPath(t, b, "/login?ok=logged_out")
	wantText(t, b, "main .flash", "U bent afgemeld.")
	if b.Exists(`header form[action="/logout"]`) {
		t.Error("the logout button is still shown after logging out")
	}
}

// showMunicipalities picks a date and region in the filter form and presses
// the button, and returns the count the page shows.
func showMunicipalities(t *testing.T, b *browsertest.Browser, on, region string) string {
	t.Helper()
	b.SetValue("#on", on)
	b.SetValue("#region", region)
	b.Click(submit)
	u, err := url.Parse(b.URL())
	if err != nil {
		t.Fatalf("parse URL: %v", err)
	}
	if q := u.Query(); u.Path != "/municipalities" || q.Get("on") != on || q.Get("region") != region {
		t.Errorf("the form went to %s, want on=%s&region=%s", b.URL(), on, region)
	}
	// The field shows the date back as people read it: DD-MM-JJJJ.
	if d, err := time.Parse(time.DateOnly, on); err == nil && value(b, "#on") != d.Format("02-01-2006") {
		t.Errorf("date field after submit = %q, want %q", value(b, "#on"), d.Format("02-01-2006"))
	}
	return attr(b, "#municipality-count", "data-count")
}

// TestAdminPages signs in as the demo admin, visits the pages of the UI in
// Dutch and in English, checks each one with axe-core, and signs out.
func TestAdminPages(t *testing.T) {
	t.Parallel()
	b := start(t)

	// An anonymous visit of the home page goes to the login form, and the
	// login comes back to the home page.
	b.Navigate(baseURL + "/")
	wantPath(t, b, "/login")
	b.Page("login")
	login(t, b, adminEmail, demo.Password)
	wantPath(t, b, "/")
	wantText(t, b, "h1", "Start")
	wantText(t, b, "header .who", "Demo Beheerder")
	wantText(t, b, "main", "Opgroeien")
	b.Page("home")

	// Municipalities, through the date field and the button.
	b.Click(`header nav a[href="/municipalities"]`)
	wantPath(t, b, "/municipalities")
	if got := attr(b, `header nav a[href="/municipalities"]`, "aria-current"); got != "page" {
		t.Errorf("the navigation does not mark the municipalities page as current (aria-current=%q)", got)
	}
	if n := showMunicipalities(t, b, "2023-03-08", "flanders"); n != "300" {
		t.Errorf("Flemish municipalities on 2023-03-08: %s, want 300", n)
	}
	wantText(t, b, "#municipality-count", "300")
	wantText(t, b, "#municipality-count", "08-03-2023")
	b.Page("municipalities-2023-03-08")
	if n := showMunicipalities(t, b, "2025-01-01", "flanders"); n != "285" {
		t.Errorf("Flemish municipalities on 2025-01-01: %s, want 285", n)
	}
	wantText(t, b, "#municipality-count", "285")
	b.Page("municipalities-2025-01-01")
	if n := showMunicipalities(t, b, "2025-01-01", "brussels"); n != "19" {
		t.Errorf("Brussels municipalities on 2025-01-01: %s, want 19", n)
	}
	if got := value(b, "#region"); got != "brussels" {
		t.Errorf("region after submit = %q, want brussels", got)
	}
	b.Page("municipalities-brussels")
	// A malformed date (typed in the URL) gives a Dutch error, not a crash.
	b.Navigate(baseURL + "/municipalities?on=2023-02-30&region=brussels")
	if got := status(b); got != 400 {
		t.Errorf("municipalities with a bad date: status %d, want 400", got)
	}
	wantText(t, b, ".error-summary", "„2023-02-30” is geen datum. Schrijf DD-MM-JJJJ")
	b.Page("municipalities-bad-date")

	// Organisations, every kind.
	b.Click(`header nav a[href="/organisations"]`)
	wantPath(t, b, "/organisations")
	wantText(t, b, "main table caption", "lokale teams Kind en Gezin")
	b.Page("organisations-team")
	for _, kind := range []string{"ocmw", "clinic", "other"} {
		b.Click(`main nav.tabs a[href="/organisations?kind=` + kind + `"]`)
		wantPath(t, b, "/organisations?kind="+kind)
		if got := attr(b, `main nav.tabs a[href="/organisations?kind=`+kind+`"]`, "aria-current"); got != "page" {
			t.Errorf("tab %s is not marked current", kind)
		}
		b.Page("organisations-" + kind)
	}
	wantText(t, b, "main table", "CAW Brussel")

	// 404 while signed in.
	b.Navigate(baseURL + "/bestaat-niet")
	if got := status(b); got != 404 {
		t.Errorf("unknown page: status %d, want 404", got)
	}
	wantText(t, b, "main .error-message", "Deze pagina bestaat niet.")
	if b.Exists(".error-summary") {
		t.Error("the error page repeats its message in an error summary")
	}
	b.Page("not-found")

	// English, through the language switch, and back.
	b.Navigate(baseURL + "/municipalities")
	b.Click(`header a[hreflang="en"]`)
	wantPath(t, b, "/municipalities")
	if got := attr(b, "html", "lang"); got != "en" {
		t.Errorf("html lang after switching to English: %q", got)
	}
	wantText(t, b, "h1", "Municipalities")
	b.Page("municipalities-en")
	b.Click(`header nav a[href="/"]`)
	wantText(t, b, "h1", "Home")
	b.Page("home-en")
	b.Click(`header nav a[href="/organisations"]`)
	wantText(t, b, "h1", "Organisations")
	b.Page("organisations-en")
	b.Click(`header nav a[href="/users"]`)
	wantText(t, b, "h1", "Users")
	b.Page("users-en")
	b.Click(`main a.button[href="/users/new"]`)
	wantText(t, b, "main form", "E-mail")
	b.Page("user-new-en")
	b.Navigate(baseURL + "/bestaat-niet")
	wantText(t, b, "main .error-message", "This page does not exist.")
	b.Page("not-found-en")
	b.Click(`header a[hreflang="nl"]`)
	if got := attr(b, "html", "lang"); got != "nl-BE" {
		t.Errorf("html lang after switching back to Dutch: %q", got)
	}

	// Log out; the login page, the public municipalities page and a 404 as
	// an anonymous visitor.
	logout(t, b)
	b.Page("logged-out")
	b.Navigate(baseURL + "/users")
	wantPath(t, b, "/login")
	b.Navigate(baseURL + "/municipalities?on=2023-03-08&region=brussels")
	if got := attr(b, "#municipality-count", "data-count"); got != "19" {
		t.Errorf("anonymous Brussels municipalities on 2023-03-08: %s, want 19", got)
	}
	b.Page("municipalities-anonymous")
	b.Navigate(baseURL + "/bestaat-niet")
	if got := status(b); got != 404 {
		t.Errorf("unknown page, signed out: status %d, want 404", got)
	}
	b.Page("not-found-anonymous")
}

// TestAdminForms does the work of the demo admin through the forms: a new
// maternity clinic, a team renamed, a team refused for a municipality that
// is taken, a user refused for a bad e-mail and then created.
func TestAdminForms(t *testing.T) {
	t.Parallel()
	b := start(t)
	login(t, b, adminEmail, demo.Password)
	wantPath(t, b, "/")
	b.Click(`header nav a[href="/organisations"]`)

	// A new maternity clinic.
	b.Click(`main nav.tabs a[href="/organisations?kind=clinic"]`)
	b.Click(`main a.button[href="/clinics/new"]`)
	wantPath(t, b, "/clinics/new")
	b.Page("clinic-new")
	b.SetValue("#name", "E2E Kraamkliniek Testdal")
	b.Click(submit)
	wantPath(t, b, "/organisations?kind=clinic&ok=clinic_created")
	wantText(t, b, "main .flash", "De kraamkliniek is aangemaakt.")
	wantText(t, b, "main table", "E2E Kraamkliniek Testdal")
	wantText(t, b, "main table", "clinic-e2e-kraamkliniek-testdal")
	b.Page("clinic-created")
	// The same clinic again: a Dutch error, and the form keeps the input.
	b.Click(`main a.button[href="/clinics/new"]`)
	b.SetValue("#name", "E2E Kraamkliniek Testdal")
	b.Click(submit)
	wantPath(t, b, "/clinics")
	wantText(t, b, ".error-summary", "Er bestaat al een organisatie met sleutel clinic-e2e-kraamkliniek-testdal.")
	if got := value(b, "#name"); got != "E2E Kraamkliniek Testdal" {
		t.Errorf("clinic form after the error: name = %q", got)
	}
	b.Page("clinic-duplicate")

	// A team page, its edit form, and a new name.
	b.Click(`header nav a[href="/organisations"]`)
	b.Click(`main table a[href="/teams/team-demo-turnhout"]`)
	wantPath(t, b, "/teams/team-demo-turnhout")
	wantText(t, b, "main", "Turnhout")
	b.Page("team")
	b.Click(`main a.button[href="/teams/team-demo-turnhout/edit"]`)
	wantPath(t, b, "/teams/team-demo-turnhout/edit")
	oldName := value(b, "#name")
	b.Page("team-edit")
	b.SetValue("#name", oldName+" (E2E)")
	b.Click(submit)
	wantPath(t, b, "/teams/team-demo-turnhout?ok=team_updated")
	wantText(t, b, "main .flash", "Het lokale team is gewijzigd.")
	wantText(t, b, "h1", oldName+" (E2E)")
	b.Page("team-updated")

	// A new team on a municipality that a demo team already serves: a Dutch
	// error, and the form keeps what was typed and ticked.
	b.Click(`header nav a[href="/organisations"]`)
	b.Click(`main a.button[href="/teams/new"]`)
	wantPath(t, b, "/teams/new")
	b.Page("team-new")
	b.SetValue("#name", "E2E Team Kempen")
	b.Click(`details:has(#m-13040) summary`) // Turnhout, province Antwerpen
	b.Click(`#m-13040`)
	b.Click(submit)
	wantPath(t, b, "/teams")
	if got := status(b); got < 400 {
		t.Errorf("team on a covered municipality: status %d, want an error", got)
	}
	wantText(t, b, ".error-summary", "De gemeente Turnhout (13040) hoort al bij het werkgebied van")
	if got := value(b, "#name"); got != "E2E Team Kempen" {
		t.Errorf("team form after the error: name = %q", got)
	}
	var checked bool
	b.Eval(`document.querySelector("#m-13040").checked`, &checked)
	if !checked {
		t.Error("team form after the error: Turnhout is no longer ticked")
	}
	b.Page("team-new-area-taken")

	// Users: a bad e-mail address, then a good one.
	b.Click(`header nav a[href="/users"]`)
	wantPath(t, b, "/users")
	b.Page("users")
	b.Click(`main a.button[href="/users/new"]`)
	wantPath(t, b, "/users/new")
	b.Page("user-new")
	// Valid for the browser's type=email check, not for the server.
	b.SetValue("#email", "jan..peeters@voorbeeld.be")
	b.SetValue("#name", "Jan Peeters")
	b.SetValue("#role", "team_worker")
	b.SetValue("#org", "team-demo-turnhout")
	if b.Exists("#password") {
		t.Error("the admin is asked for the new user's password")
	}
	b.Click(submit)
	wantPath(t, b, "/users")
	wantText(t, b, ".error-summary", "Geef een geldig e-mailadres.")
	if got := attr(b, "#email", "aria-invalid"); got != "true" {
		t.Errorf("the e-mail field is not marked invalid (aria-invalid=%q)", got)
	}
	if got, got2 := value(b, "#email"), value(b, "#role"); got != "jan..peeters@voorbeeld.be" || got2 != "team_worker" {
		t.Errorf("user form after the error: e-mail %q, role %q", got, got2)
	}
	b.Page("user-new-bad-email")
	b.SetValue("#email", "jan.peeters@voorbeeld.be")
	b.Click(submit)
	// No password chosen by the admin: a one-time link, shown once.
	wantPath(t, b, "/users")
	link := b.Text("#password-link")
	if !strings.HasPrefix(link, "/wachtwoord/") {
		t.Fatalf("no one-time link after creating the user: %s", b.Text("main"))
	}
	b.Page("user-created")
	b.Navigate(baseURL + "/users")
	wantText(t, b, "main table", "jan.peeters@voorbeeld.be")
	wantText(t, b, "main table", "Jan Peeters")

	logout(t, b)

	// The new user sets a password through the link.
	b.Navigate(baseURL + link)
	b.SetValue("#password", "een-lang-wachtwoord-2026")
	b.SetValue("#password_repeat", "een-lang-wachtwoord-2026")
	b.Click(submit)
	wantPath(t, b, "/login")

	// The new user can sign in.
	login(t, b, "jan.peeters@voorbeeld.be", "een-lang-wachtwoord-2026")
	wantPath(t, b, "/")
	wantText(t, b, "header .who", "Jan Peeters")
	logout(t, b)
}

// TestRoles signs in with every demo role and checks that the navigation
// follows the role and that each home page passes axe-core.
func TestRoles(t *testing.T) {
	t.Parallel()
	b := start(t)
	for _, a := range demo.Accounts {
		login(t, b, a.Email, demo.Password)
		wantPath(t, b, "/")
		wantText(t, b, "header .who", a.Name)
		b.Page("home-" + a.Role)

		hrefs := navHrefs(b)
		for _, h := range []string{"/", "/municipalities", "/organisations"} {
			if !slices.Contains(hrefs, h) {
				t.Errorf("%s: navigation %v lacks %s", a.Role, hrefs, h)
			}
		}
		manager := a.Role == "admin" || a.Role == "ocmw_admin"
		if got := slices.Contains(hrefs, "/users"); got != manager {
			t.Errorf("%s: navigation has the users link: %v, want %v (navigation %v)", a.Role, got, manager, hrefs)
		}
		if got := strings.Contains(b.Text("header nav"), "Gebruikers"); got != manager {
			t.Errorf("%s: navigation shows \"Gebruikers\": %v, want %v", a.Role, got, manager)
		}
		if got := b.Exists(`main .cards a[href="/users"]`); got != manager {
			t.Errorf("%s: home page has the users card: %v, want %v", a.Role, got, manager)
		}
		if a.Role == "clinic" && slices.Contains(hrefs, "/agreements") {
			t.Errorf("clinic: navigation %v links to the agreements", hrefs)
		}

		switch a.Role {
		case "ocmw_admin":
			// An OCMW admin sees and creates only its own OCMW's users.
			b.Click(`header nav a[href="/users"]`)
			var emails []string
			b.Eval(`Array.from(document.querySelectorAll("main tbody tr td:first-child")).map(td => td.textContent.trim())`, &emails)
			slices.Sort(emails)
			if want := []string{"ocmw@demo.kansrijk.test", "ocmwadmin@demo.kansrijk.test"}; !slices.Equal(emails, want) {
				t.Errorf("ocmw_admin sees the users %v, want %v", emails, want)
			}
			b.Page("users-ocmw_admin")
			b.Click(`main a.button[href="/users/new"]`)
			var orgs []string
			b.Eval(`Array.from(document.querySelectorAll("#org option")).map(o => o.value)`, &orgs)
			if !slices.Equal(orgs, []string{"ocmw-13016"}) {
				t.Errorf("ocmw_admin may create users in %v, want only ocmw-13016", orgs)
			}
			b.Page("user-new-ocmw_admin")
		case "team_worker":
			// Pages for admins only answer with a Dutch error.
			for _, p := range []string{"/users", "/teams/new", "/clinics/new"} {
				b.Navigate(baseURL + p)
				if got := status(b); got != 403 {
					t.Errorf("team_worker on %s: status %d, want 403", p, got)
				}
				wantText(t, b, "main .error-message", "Uw rol laat dit niet toe.")
			}
			b.Page("forbidden")
			b.Navigate(baseURL + "/teams/team-demo-turnhout")
			if b.Exists(`main a[href$="/edit"]`) {
				t.Error("team_worker sees the edit button of a team")
			}
		}
		logout(t, b)
	}
}

// TestWrongPassword checks that a wrong password keeps the user on the
// login page with a Dutch message and the e-mail still filled in.
func TestWrongPassword(t *testing.T) {
	t.Parallel()
	b := start(t)
	b.Navigate(baseURL + "/login")
	login(t, b, "analyst@demo.kansrijk.test", "niet-het-wachtwoord")
	wantPath(t, b, "/login")
	if got := status(b); got != 401 {
		t.Errorf("wrong password: status %d, want 401", got)
	}
	wantText(t, b, "main", "Onbekend e-mailadres of verkeerd wachtwoord.")
	if got := value(b, "#email"); got != "analyst@demo.kansrijk.test" {
		t.Errorf("e-mail after a failed login = %q", got)
	}
	if got := value(b, "#password"); got != "" {
		t.Error("the password came back in the form")
	}
	if got := attr(b, "#email", "aria-invalid"); got != "true" {
		t.Errorf("e-mail field aria-invalid = %q, want true", got)
	}
	if b.Exists(`header form[action="/logout"]`) {
		t.Error("a failed login shows the logout button")
	}
	b.Page("login-wrong-password")

	// An unknown e-mail gives the same message (no account enumeration).
	b.SetValue("#email", "niemand@demo.kansrijk.test")
	b.SetValue("#password", demo.Password)
	b.Click(submit)
	wantPath(t, b, "/login")
	wantText(t, b, "main", "Onbekend e-mailadres of verkeerd wachtwoord.")

	// The right password still works afterwards.
	b.SetValue("#email", "analyst@demo.kansrijk.test")
	b.SetValue("#password", demo.Password)
	b.Click(submit)
	wantPath(t, b, "/")
}
