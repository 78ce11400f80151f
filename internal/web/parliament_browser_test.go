package web_test

import (
	"context"
	"strings"
	"testing"

	"kansrijk/internal/demo"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestParliamentPageInBrowser: the analyst makes the answer pack for 8 March 2023 with one
// click on /reports/parliament (the date as people type it), sees it in the list with its hash,
// checkpoint, author and downloads; a date that is no date is refused next to its field; the
// page is axe-clean and does not scroll sideways at 390 px; other roles are refused.
func TestParliamentPageInBrowser(t *testing.T) {
	webtest.SkipShort(t)
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	if err := demo.Load(ctx, db); err != nil {
		t.Fatal(err)
	}
	w := webtest.Start(t, db, nil)
	b := w.Browser()

	signIn := func(role string) {
		for _, acc := range demo.Accounts {
			if acc.Role == role {
				w.LogIn(b, acc.Email, demo.Password, "")
				return
			}
		}
		t.Fatalf("no demo account %s", role)
	}
	signIn("analyst")
	b.Navigate(w.URL + "/")
	if !b.Exists(`nav a[href="/reports/parliament"]`) {
		t.Error("the analyst's navigation lacks the answer packs")
	}
	b.Navigate(w.URL + "/reports/parliament")
	if !strings.Contains(b.Text("main"), "Er is nog geen antwoordpakket gemaakt.") {
		t.Errorf("empty list: %s", b.Text("main"))
	}
	b.Page("parliament-empty")

	// A date that is no date: refused next to the field, every problem in the summary.
	b.SetValue("#as_of", "31-02-2023")
	b.Click("main form button[type=submit]")
	if !b.Exists("#as_of-error") || !b.Exists("#form-errors") {
		t.Fatalf("bad date: %s", b.Text("main"))
	}
	b.Page("parliament-bad-date")

	b.SetValue("#as_of", "8/3/2023")
	b.Click("main form button[type=submit]")
	if u := b.URL(); !strings.Contains(u, "made=1") {
		t.Fatalf("after making: %s\n%s", u, b.Text("main"))
	}
	main := b.Text("main")
	for _, want := range []string{"Antwoordpakket 1 is gemaakt en bewaard.", "08-03-2023", "analyst@demo.kansrijk.test", "PDF", "CSV", "Excel (XLSX)"} {
		if !strings.Contains(main, want) {
			t.Errorf("the list lacks %q:\n%s", want, main)
		}
	}
	var hash string
	b.Eval(`document.querySelector("#pack-1 code.hash").textContent`, &hash)
	var stored string
	if err := db.SQL().QueryRowContext(ctx, `SELECT pdf_sha256 FROM parliament_packs WHERE id = 1`).Scan(&stored); err != nil || hash != stored {
		t.Errorf("hash shown %q, stored %q (%v)", hash, stored, err)
	}
	var hrefs []string
	b.Eval(`Array.from(document.querySelectorAll("#pack-1 a")).map(a => a.getAttribute("href"))`, &hrefs)
	if strings.Join(hrefs, " ") != "/api/v1/reports/parliament-packs/1/pdf /api/v1/reports/parliament-packs/1/csv /api/v1/reports/parliament-packs/1/xlsx" {
		t.Errorf("downloads %v", hrefs)
	}
	b.Page("parliament-made")

	// A phone: no sideways scrolling.
	b.Viewport(390, 844)
	b.Navigate(w.URL + "/reports/parliament")
	var wide bool
	b.Eval(`document.documentElement.scrollWidth > document.documentElement.clientWidth`, &wide)
	if wide {
		t.Error("the page scrolls sideways at 390 px")
	}
	b.Page("parliament-390")
	b.Viewport(1280, 900)
	w.SignOut(b)

	signIn("team_lead")
	b.Navigate(w.URL + "/reports/parliament")
	if b.Exists("main form") || b.Exists(`nav a[href="/reports/parliament"]`) {
		t.Error("a team lead reaches the answer packs")
	}
}
