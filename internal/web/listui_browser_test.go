package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/browsertest"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestListuiInBrowser (issue 12): in Chromium at 390 px (a phone), an
// admin pages through 55 service accounts, searches and sorts them; a
// team worker pages through 55 outreach contacts, searches them, filters
// them by function and by the day they were added (typed as people type
// a date), the filters kept in the URL. No page scrolls sideways, and
// axe-core checks every page.
func TestListuiInBrowser(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("browser test: skipped with -short")
	}
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	db.Now = time.Now // the browser drops a session cookie that expired by the real clock
	sys := account.System("test")
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016", "12014"}, From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	users := storetest.Users(t, db, "listui.test",
		storetest.U{Name: "admin", Role: "admin", Org: "opgroeien", FullName: "Ada Admin"},
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-noord", FullName: "Wout Werker"})
	users.Create(t)
	admin := users.Actor(t, "admin")
	for i := range 55 {
		if _, _, err := db.CreateServiceAccount(ctx, admin, account.NewServiceAccount{Name: fmt.Sprintf("Dossiersysteem %02d", i), Org: "team-noord", Label: "sleutel"}); err != nil {
			t.Fatal(err)
		}
	}
	nis := []string{"13016", "12014"}
	for i := range 55 {
		fn := outreach.PovertyOfficer
		if i%5 == 0 {
			fn = outreach.GeneralDirector
		}
		if _, err := db.CreateContact(ctx, sys, outreach.NewContact{MunicipalityNIS: nis[i%2], Function: string(fn),
			Name: fmt.Sprintf("Contactpersoon %02d Vermeulen", i), Email: fmt.Sprintf("contact%02d@gemeente.example", i), Phone: "+3215224011"}); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	b := browsertest.New(t)
	b.Viewport(390, 844)
	signIn := func(who string) {
		t.Helper()
		b.Navigate(ts.URL + "/login")
		b.SetValue("#email", users.Email(t, who))
		b.SetValue("#password", storetest.Password)
		b.Click("main form button[type=submit]")
	}
	rows := func(table string) int {
		var n int
		b.Eval(`document.querySelectorAll("#`+table+` tbody tr[id]").length`, &n)
		return n
	}
	// page checks the page (screenshot, axe-core) and that it does not
	// scroll sideways at 390 px.
	page := func(name string) {
		t.Helper()
		b.Page(name)
		var w struct {
			SW     int    `json:"sw"`
			IW     int    `json:"iw"`
			Widest string `json:"widest"`
		}
		b.Eval(listuiOverflowJS, &w)
		if w.SW > w.IW {
			t.Errorf("%s scrolls sideways at 390 px: %d px wide; widest element: %s", name, w.SW, w.Widest)
		}
	}

	// Service accounts: 55, 50 a page.
	signIn("admin")
	b.Navigate(ts.URL + "/service-accounts")
	page("service-accounts-first")
	if n := rows("service-accounts"); n != 50 || b.Exists(`.pager a[rel=prev]`) || !b.Exists(`.pager a[rel=next]`) {
		t.Fatalf("first page: %d service accounts, or the pager is wrong", n)
	}
	b.Click(`.pager a[rel=next]`)
	page("service-accounts-second")
	if n := rows("service-accounts"); n != 5 || b.Exists(`.pager a[rel=next]`) {
		t.Fatalf("second page: %d service accounts, want 5", n)
	}
	b.Click(`.pager a[rel=prev]`)
	if n := rows("service-accounts"); n != 50 {
		t.Fatalf("back to the first page: %d", n)
	}
	b.Click(`th[aria-sort] a[href*="sort=name"]`)
	b.Click(`th[aria-sort=ascending] a`)
	if !strings.Contains(b.URL(), "sort=-name") || b.Text("#service-accounts tbody tr:first-child td:first-child") != "Dossiersysteem 54" {
		t.Fatalf("by name, descending: %q first (%s)", b.Text("#service-accounts tbody tr:first-child td:first-child"), b.URL())
	}
	b.SetValue("#list-q", "dossiersysteem 1")
	b.Click(".list-search button[type=submit]")
	if n := rows("service-accounts"); n != 10 || !strings.Contains(b.URL(), "sort=-name") {
		t.Fatalf("search: %d service accounts (%s), want 10 sorted by -name", n, b.URL())
	}
	page("service-accounts-search")
	b.Click("header form button[type=submit]") // sign out

	// Outreach contacts of team-noord's area: 55, 50 a page.
	signIn("worker")
	b.Navigate(ts.URL + "/outreach")
	b.Click(`#outreach-links a[href="/outreach/contacts"]`)
	page("contacts-first")
	if n := rows("contact-list"); n != 50 || !b.Exists(`.pager a[rel=next]`) {
		t.Fatalf("first page: %d contacts", n)
	}
	if got := b.Text("#contact-list tbody tr:first-child"); !strings.Contains(got, "015 22 40 11") {
		t.Errorf("the phone is not shown as people write it: %q", got)
	}
	b.Click(`.pager a[rel=next]`)
	page("contacts-second")
	if n := rows("contact-list"); n != 5 {
		t.Fatalf("second page: %d contacts, want 5", n)
	}
	// Filter by function and from today, typed as d/m/yyyy.
	today := time.Now().In(brusselsLoc(t))
	b.Navigate(ts.URL + "/outreach/contacts")
	b.Eval(`document.querySelector("#function").value = "general_director"`, nil)
	b.SetValue("#from", fmt.Sprintf("%d/%d/%d", today.Day(), int(today.Month()), today.Year()))
	b.Click("#contacts-filter button[type=submit]")
	if n := rows("contact-list"); n != 11 || !strings.Contains(b.URL(), "function=general_director") {
		t.Fatalf("general directors added from today: %d (%s), want 11", n, b.URL())
	}
	if v := b.Text("#contact-list tbody tr:first-child td:nth-child(2)"); v != "Algemeen directeur" && !strings.Contains(strings.ToLower(v), "directeur") {
		t.Errorf("function column %q", v)
	}
	page("contacts-filtered")
	// Search and sort keep the filters.
	b.SetValue("#list-q", "vermeulen")
	b.Click(".list-search button[type=submit]")
	b.Click(`th[aria-sort] a[href*="sort=name"]`)
	b.Click(`th[aria-sort=ascending] a`)
	if n := rows("contact-list"); n != 11 || !strings.Contains(b.URL(), "function=general_director") || !strings.Contains(b.URL(), "q=vermeulen") {
		t.Fatalf("search and sort: %d (%s)", n, b.URL())
	}
	if first := b.Text("#contact-list tbody tr:first-child td:first-child"); first != "Contactpersoon 50 Vermeulen" {
		t.Errorf("by name, descending: %q first", first)
	}
	// A date that is no date: said next to the field, what was typed kept.
	b.Navigate(ts.URL + "/outreach/contacts?from=gisteren")
	page("contacts-wrong-date")
	if !b.Exists("#form-errors a[href='#from']") || !b.Exists("#from-error") || b.Text("#from-error") == "" {
		t.Fatal("a wrong date is not shown with the form pattern")
	}
}

// brusselsLoc is Europe/Brussels, the time zone of Kansrijk's days.
func brusselsLoc(t *testing.T) *time.Location {
	t.Helper()
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// listuiOverflowJS measures the page's width against the window's and
// names the element that sticks out furthest (not inside a box that
// scrolls or clips).
const listuiOverflowJS = `(() => {
  const iw = window.innerWidth, sw = document.documentElement.scrollWidth;
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  let widest = "", right = 0;
  if (sw > iw) {
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= right || clipped(el)) continue;
      right = r.right;
      widest = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (typeof el.className === "string" && el.className ? "." + el.className : "") + " (" + Math.round(r.width) + " px)";
    }
  }
  return {sw, iw, widest};
})()`
