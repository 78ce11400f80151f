package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestSecondFactorInBrowser: in Chromium, on both databases, an OCMW
// worker sets up a second factor (the test reads the secret shown on the
// page and computes the code as an app would), signs in with a wrong code
// (refused), with a code, and with a recovery code; an admin, whose role
// requires a second factor, is sent to the enrolment right after the
// password and has no session until it is confirmed; then the admin
// resets the worker's second factor. axe-core checks every new page.
func TestSecondFactorInBrowser(t *testing.T) {
	webtest.SkipShort(t)
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		users := storetest.Users(t, db, "ocmw.test",
			storetest.U{Name: "werker", Role: "ocmw_worker", Org: "ocmw-13016", FullName: "Wim Werker"},
			storetest.U{Name: "beheer", Role: "admin", Org: "opgroeien", FullName: "Bert Beheer"})
		users.Create(t)
		ts := webtest.Start(t, db, users)
		db.SecondFactorRoles = []account.Role{account.Admin, account.DPO}
		b := ts.Browser()
		path := func() string {
			u, err := url.Parse(b.URL())
			if err != nil {
				t.Fatal(err)
			}
			return u.Path
		}
		code := func(secret string, d time.Duration) string {
			c, err := account.TOTPCode(secret, time.Now().Add(d))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		readSecret := func() string {
			s := strings.ReplaceAll(b.Text("#totp-secret"), " ", "")
			if len(s) != 32 {
				t.Fatalf("secret on the page: %q", s)
			}
			return s
		}
		readCodes := func() []string {
			var codes []string
			b.Eval(`Array.from(document.querySelectorAll("#recovery-codes code")).map(c => c.textContent)`, &codes)
			if len(codes) != account.RecoveryCodeCount {
				t.Fatalf("recovery codes on the page: %q", codes)
			}
			return codes
		}
		worker := users.Email(t, "werker")

		// Enrolment of one's own.
		ts.SignInAs(b, "werker", "")
		b.Navigate(ts.URL + "/account/second-factor")
		b.Page("second-factor-none")
		b.Click(`main form[action="/account/second-factor/new"] button[type=submit]`)
		if !b.Exists("#totp-secret") || !b.Exists(".qr-code svg path") {
			t.Fatalf("no secret or QR code: %s", b.Text("main"))
		}
		b.Page("second-factor-enrol")
		secret := readSecret()
		var uri string
		b.Eval(`document.querySelector("#totp-uri").textContent`, &uri) // inside a closed <details>
		if !strings.HasPrefix(uri, "otpauth://totp/") || !strings.Contains(uri, "secret="+secret) {
			t.Errorf("otpauth URI %q", uri)
		}
		b.SetValue("#code", "000000")
		b.Click(`main form[action="/account/second-factor/confirm"] button[type=submit]`)
		if !strings.Contains(b.Text("main"), "De code klopt niet") {
			t.Fatalf("wrong code at enrolment: %s", b.Text("main"))
		}
		b.SetValue("#code", code(secret, 0))
		b.Click(`main form[action="/account/second-factor/confirm"] button[type=submit]`)
		recovery := readCodes()
		b.Page("second-factor-recovery-codes")
		b.Navigate(ts.URL + "/account/second-factor")
		if !strings.Contains(b.Text("#second-factor-status"), "ingesteld") || b.Exists("#totp-secret") {
			t.Fatalf("after enrolment: %s", b.Text("main"))
		}
		b.Page("second-factor-enrolled")
		ts.SignOut(b)

		// Sign-in: the password, then the code; a wrong one first.
		ts.LogIn(b, worker, storetest.Password, "/account/second-factor")
		if path() != "/login/tweede-factor" {
			t.Fatalf("after the password: %s", b.URL())
		}
		b.Page("second-factor-step")
		b.Navigate(ts.URL + "/account/second-factor")
		if path() != "/login" {
			t.Fatalf("a session before the second step: %s", b.URL())
		}
		b.Navigate(ts.URL + "/login/tweede-factor?next=%2Faccount%2Fsecond-factor")
		b.SetValue("#code", "000000")
		b.Click("main form button[type=submit]")
		if !strings.Contains(b.Text("main"), "De code klopt niet") {
			t.Fatalf("wrong code: %s", b.Text("main"))
		}
		b.Page("second-factor-step-wrong")
		// The enrolment's code is used; the app's next one is accepted.
		b.SetValue("#code", code(secret, 30*time.Second))
		b.Click("main form button[type=submit]")
		if path() != "/account/second-factor" {
			t.Fatalf("after the code: %s: %s", b.URL(), b.Text("main"))
		}
		ts.SignOut(b)

		// A recovery code, once.
		ts.LogIn(b, worker, storetest.Password, "")
		b.SetValue("#code", strings.ToUpper(recovery[3]))
		b.Click("main form button[type=submit]")
		if strings.HasPrefix(path(), "/login") {
			t.Fatalf("recovery code refused: %s", b.Text("main"))
		}
		b.Navigate(ts.URL + "/account/second-factor")
		if !strings.Contains(b.Text("main"), "Ongebruikte herstelcodes: 9") {
			t.Errorf("recovery codes left: %s", b.Text("main"))
		}
		ts.SignOut(b)
		ts.LogIn(b, worker, storetest.Password, "")
		b.SetValue("#code", recovery[3])
		b.Click("main form button[type=submit]")
		if !strings.Contains(b.Text("main"), "De code klopt niet") {
			t.Fatalf("a used recovery code: %s", b.Text("main"))
		}

		// The admin's role requires a second factor: enrolment before any session.
		admin := users.Email(t, "beheer")
		b2 := ts.Browser()
		ts.LogIn(b2, admin, storetest.Password, "/users")
		if u, _ := url.Parse(b2.URL()); u.Path != "/login/tweede-factor/instellen" {
			t.Fatalf("admin after the password: %s", b2.URL())
		}
		b2.Page("second-factor-required")
		adminSecret := strings.ReplaceAll(b2.Text("#totp-secret"), " ", "")
		b2.Navigate(ts.URL + "/users")
		if u, _ := url.Parse(b2.URL()); u.Path != "/login" {
			t.Fatalf("a session before the enrolment: %s", b2.URL())
		}
		b2.Navigate(ts.URL + "/login/tweede-factor/instellen?next=%2Fusers")
		if s := strings.ReplaceAll(b2.Text("#totp-secret"), " ", ""); s != adminSecret {
			t.Fatalf("the secret changed on reload: %q, %q", s, adminSecret)
		}
		b2.SetValue("#code", "111111")
		b2.Click("main form button[type=submit]")
		if !strings.Contains(b2.Text("main"), "De code klopt niet") {
			t.Fatalf("wrong code at the required enrolment: %s", b2.Text("main"))
		}
		b2.Page("second-factor-required-wrong")
		c, err := account.TOTPCode(adminSecret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		b2.SetValue("#code", c)
		b2.Click("main form button[type=submit]")
		if b2.Count("#recovery-codes li") != account.RecoveryCodeCount {
			t.Fatalf("no recovery codes after the required enrolment: %s", b2.Text("main"))
		}
		b2.Click("#continue")
		if u, _ := url.Parse(b2.URL()); u.Path != "/users" {
			t.Fatalf("admin after the enrolment: %s", b2.URL())
		}

		// The admin resets the worker's second factor.
		id := users.User(t, "werker").ID
		b2.Click(`#user-` + strconv.FormatInt(id, 10) + ` form[action$="/second-factor-reset"] button[type=submit]`)
		if !strings.Contains(b2.Text("main"), "De tweede factor is gewist") {
			t.Fatalf("after the reset: %s", b2.Text("main"))
		}
		if ok, err := db.SecondFactorEnrolled(t.Context(), id); err != nil || ok {
			t.Fatalf("worker still enrolled after the reset: %v", err)
		}
		ts.LogIn(b, worker, storetest.Password, "")
		if strings.HasPrefix(path(), "/login") {
			t.Fatalf("worker after the reset: %s", b.URL())
		}
	})
}
