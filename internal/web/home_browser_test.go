package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/browsertest"
	"kansrijk/internal/demo"
	"kansrijk/internal/httpx"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestStartPagesInBrowser signs in as every demo account in Chromium and
// checks its start page: the role's own work (axe-clean, a screenshot per
// role), and every link of its counts, cases and next steps opens a page
// the role may see (200).
func TestStartPagesInBrowser(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("browser test: skipped with -short")
	}
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	db.Now = time.Now // the browser drops a session cookie that expired by the real clock
	if err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	b := browsertest.New(t)

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
		b.Navigate(ts.URL + "/login")
		b.SetValue("#email", acc.Email)
		b.SetValue("#password", demo.Password)
		b.Click("main form button[type=submit]")
		if u := b.URL(); strings.Contains(u, "/login") {
			t.Fatalf("%s: sign-in failed: %s", acc.Role, b.Text("main"))
		}
		b.Navigate(ts.URL + "/")
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
			req, _ := http.NewRequest("GET", ts.URL+href, nil)
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
		b.Click("header form button[type=submit]") // sign out
	}
}
