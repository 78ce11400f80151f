package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"kansrijk/internal/demo"
	"kansrijk/internal/httpx"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestStartPagesInBrowser signs in as every demo account in Chromium and
// checks its start page: the role's own work (axe-clean, a screenshot per
// role), and every link of its counts, cases and next steps opens a page
// the role may see (200).
func TestStartPagesInBrowser(t *testing.T) {
	webtest.SkipShort(t)
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	if err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	w := webtest.Start(t, db, nil)
	b := w.Browser()

	// What each role's start page must show (Dutch).
	want := map[string][]string{
		"team_worker": {"Nieuwe doorverwijzing", "concepten wachten op toestemming", "nieuwe geboortemeldingen", "Verstuurde doorverwijzingen"},
		"team_lead":   {"Nieuwe doorverwijzing", "taken toeleiding lokale besturen over de vervaldatum"},
		"ocmw_worker": {"nieuwe doorverwijzingen, nog zonder contactpoging", "voorbij de termijn", "Recente dossiers", "Demo Ouder", "Archief"},
		"ocmw_admin":  {"Uw samenwerkingsovereenkomsten", "Volgende stap:", "actieve gebruikers"},
		"clinic":      {"Geboorte melden", "Bestand opladen", "Recente meldingen"},
		"admin":       {"Vlaamse gemeenten aangemeld", "Wachtrij van Opgroeien", "Mislukte dagelijkse taken"},
		"analyst":     {"Vlaamse gemeenten aangemeld", "Cijfers geboortemeldingen"},
		"dpo":         {"Vragen van gezinnen", "Toegangslogboek", "Verwerkingsregister"},
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, acc := range demo.Accounts {
		w.LogIn(b, acc.Email, demo.Password, "") // fails the test if the sign-in fails
		b.Navigate(w.URL + "/")
		b.Page("home-" + acc.Role)
		main := b.Text("main")
		for _, w := range want[acc.Role] {
			if !strings.Contains(main, w) {
				t.Errorf("%s: the start page lacks %q:\n%s", acc.Role, w, main)
			}
		}
		if strings.Contains(main, "team-demo-") {
			t.Errorf("%s: a team key on the start page", acc.Role)
		}
		var links []string
		b.Eval(`Array.from(document.querySelectorAll("main a")).map(a => a.getAttribute("href")).filter(h => h.startsWith("/") && !h.startsWith("/lang/"))`, &links)
		s, err := db.Login(ctx, acc.Email, demo.Password, storetest.LoginAddr, "test")
		if err != nil {
			t.Fatal(err)
		}
		for _, href := range links {
			req, _ := http.NewRequest("GET", w.URL+href, nil)
			req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: s.Secret})
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s: the start page links to %s, which answers %d", acc.Role, href, res.StatusCode)
			}
		}
		switch acc.Role {
		case "admin":
			// The team form: a bad phone number is refused next to its
			// field; the team page then shows what was saved.
			b.Navigate(w.URL + "/teams/team-demo-turnhout/edit")
			b.SetValue("#phone", "09 12")
			b.Click("main form button[type=submit]")
			if !b.Exists("#phone-error") || !strings.Contains(b.Text("#phone-error"), "telefoonnummer klopt niet") {
				t.Errorf("bad phone number: %s", b.Text("main"))
			}
			b.Page("team-form-bad-phone")
			b.SetValue("#phone", "014 12 34 56")
			b.Click("main form button[type=submit]")
			if !strings.Contains(b.Text("main"), "014 12 34 56") || !strings.Contains(b.Text("main"), "turnhout@teams.kansrijk.example") {
				t.Errorf("team page after saving: %s", b.Text("main"))
			}
			b.Page("team-contact")
		case "team_worker":
			// The family's receipt gives the team's phone and e-mail.
			var id int64
			if err := db.SQL().QueryRowContext(ctx, `SELECT r.id FROM referrals r WHERE r.team_key = 'team-demo-turnhout' AND r.status = 'sent'
				AND EXISTS (SELECT 1 FROM referral_consents c WHERE c.referral_id = r.id) ORDER BY r.id LIMIT 1`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			b.Navigate(w.URL + "/referrals/" + strconv.FormatInt(id, 10) + "/receipt")
			if txt := b.Text("main"); !strings.Contains(txt, "Zo bereikt u Demoteam regio Turnhout") || !strings.Contains(txt, "turnhout@teams.kansrijk.example") {
				t.Errorf("receipt without the team's contact details: %s", txt)
			}
			b.Page("receipt-team-contact")
		}
		w.SignOut(b)
	}
}
