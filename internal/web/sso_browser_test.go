package web_test

import (
	"net/url"
	"strings"
	"testing"

	"kansrijk/internal/sso"
	"kansrijk/internal/sso/ssotest"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestSSOInBrowser: the whole round trip in Chromium against a real
// OpenID provider. A person whose organisation is unknown signs in with
// the button on the login page, the provider's form and back: the
// pending page (Dutch, no session). An admin sees the sign-in on the
// users page and assigns a role and organisation; the person signs in
// again and lands on the page asked for. A forged callback shows the
// failure page. axe-core checks every new page.
func TestSSOInBrowser(t *testing.T) {
	webtest.SkipShort(t)
	db := storetest.Open(t, store.SQLite)
	w := newSSOWorld(t, db)
	world := webtest.Listening(t, w.url, db, w.users)
	w.prov.AddUser(ssotest.User{ID: "sub-greet", Username: "greet", Password: "provider-password", Email: "greet@nieuw-ocmw.test", EmailVerified: true,
		GivenName: "Greet", FamilyName: "Goossens", Claims: map[string]any{"kansrijk_org": "ocmw-onbekend"}})

	providerSignIn := func(b interface {
		SetValue(string, string)
		Click(string)
	}) {
		b.SetValue("#username", "greet")
		b.SetValue("#password", "provider-password")
		b.Click("button[type=submit]")
	}

	b := world.Browser()
	b.Navigate(w.url + "/login?next=" + url.QueryEscape("/organisations"))
	if !b.Exists("#sso-start") {
		t.Fatal("the login page offers no single sign-on")
	}
	b.Page("sso-login")
	b.Click("#sso-start")
	if u, _ := url.Parse(b.URL()); !strings.HasPrefix(b.URL(), w.prov.URL) || u.Path != ssotest.LoginPath {
		t.Fatalf("the button led to %s, not the provider's login", b.URL())
	}
	providerSignIn(b)
	if got := b.Text("#sso-code"); got != sso.CodePending {
		t.Fatalf("pending page: code %q at %s: %s", got, b.URL(), b.Text("main"))
	}
	if !strings.Contains(b.Text("main"), "wacht op toewijzing") {
		t.Errorf("pending page: %s", b.Text("main"))
	}
	b.Page("sso-pending")

	admin := world.SignIn("beheerder")
	admin.Navigate(w.url + "/users")
	if !admin.Exists("#sso-pending") {
		t.Fatal("the users page shows no pending sign-in")
	}
	admin.Page("users-sso-pending")
	admin.SetValue("#sso-pending form select[name=role]", "ocmw_worker")
	admin.SetValue("#sso-pending form select[name=organisation]", "ocmw-13016")
	admin.Click("#sso-pending form button[type=submit]")
	if admin.Exists("#sso-pending") || !strings.Contains(admin.URL(), "ok=sso_assigned") {
		t.Fatalf("after assigning: %s", admin.URL())
	}

	b.Navigate(w.url + "/login?next=" + url.QueryEscape("/organisations"))
	b.Click("#sso-start")
	providerSignIn(b)
	if u, _ := url.Parse(b.URL()); u.Path != "/organisations" {
		t.Fatalf("after the assignment the sign-in ended at %s: %s", b.URL(), b.Text("main"))
	}

	// A forged callback in another browser: the failure page.
	other := world.Browser()
	other.Navigate(w.url + sso.CallbackPath + "?code=forged&state=forged")
	if got := other.Text("#sso-code"); got != sso.CodeState {
		t.Errorf("forged callback: code %q", got)
	}
	other.Page("sso-failed")
}
