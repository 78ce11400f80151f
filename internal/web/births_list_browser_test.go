package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/birth"
	"kansrijk/internal/browsertest"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestBirthListsInBrowser: in Chromium, a team worker pages through its
// queue of new notifications (pages of 50, next and previous), sorts it
// and searches a mother by name; a clinic finds its submission by its own
// reference and opens it; Opgroeien's admin opens its own queue. axe-core
// finds no violation on any of the pages.
func TestBirthListsInBrowser(t *testing.T) {
	webtest.SkipShort(t)
	db := storetest.Open(t, store.SQLite)
	w := newBirthsWorld(t, db)
	site := webtest.Listening(t, w.srv.URL, db, w.users)
	ctx := context.Background()
	clinic := w.users.Actor(t, "clinic")
	today := time.Now().UTC()
	const n = 61
	for i := range n {
		in := birth.NewNotification{
			Mother: birth.Parent{Name: fmt.Sprintf("Test Moeder %02d", i), Street: "Kerkstraat", Number: "12", Postcode: "2235", MunicipalityNIS: "13016",
				Phone: "+32470000000", Language: "nl"},
			ChildBirthDate:  today.AddDate(0, 0, -1-i%20).Format(time.DateOnly),
			ClinicReference: fmt.Sprintf("ZON-%03d", i),
		}
		if _, err := db.CreateBirthNotification(ctx, clinic, in); err != nil {
			t.Fatal(err)
		}
	}
	brussels := birth.NewNotification{Mother: birth.Parent{Name: "Test Moeder Brussel", Street: "Grote Markt", Number: "1", Postcode: "1000",
		MunicipalityNIS: "21004", Email: "ouder@example.org", Language: "nl"}, ChildBirthDate: today.AddDate(0, 0, -2).Format(time.DateOnly), ClinicReference: "ZON-BXL"}
	if _, err := db.CreateBirthNotification(ctx, clinic, brussels); err != nil {
		t.Fatal(err)
	}
	rows := func(b *browsertest.Browser) int { return b.Count("#births-table tbody tr[id^=birth-]") }

	// The team worker: the home page's link to its new notifications.
	b := site.SignInNext("worker", "/births?status=new")
	if !strings.Contains(b.URL(), "/births?status=new") || rows(b) != 50 || !strings.Contains(b.Text("#births-table"), "Test Moeder 60") {
		t.Fatalf("the queue at %s: %d rows: %s", b.URL(), rows(b), b.Text("main"))
	}
	b.Page("births-queue-team")
	b.Click(`nav.pager a[rel=next]`)
	if rows(b) != n-50 || !strings.Contains(b.URL(), "status=new") || !strings.Contains(b.Text("#births-table"), "Test Moeder 00") {
		t.Fatalf("the second page at %s: %d rows", b.URL(), rows(b))
	}
	b.Page("births-queue-team-page2")
	b.Click(`nav.pager a[rel=prev]`)
	if rows(b) != 50 || !strings.Contains(b.Text("#births-table"), "Test Moeder 60") {
		t.Fatalf("back to the first page: %d rows", rows(b))
	}
	// Sorted by date of birth (a column header), then searched by name:
	// the filter and the sort stay in the URL.
	b.Click(`#births-table th a[href*="sort=child_birth_date"]`)
	if !strings.Contains(b.URL(), "sort=child_birth_date") || b.Text(`#births-table th[aria-sort=ascending]`) == "" {
		t.Fatalf("sorted at %s", b.URL())
	}
	b.SetValue("#list-q", "moeder 42")
	b.Submit("form.list-search")
	if rows(b) != 1 || !strings.Contains(b.Text("#births-table"), "Test Moeder 42") || !strings.Contains(b.URL(), "status=new") ||
		!strings.Contains(b.URL(), "sort=child_birth_date") {
		t.Fatalf("search at %s: %d rows: %s", b.URL(), rows(b), b.Text("#births-table"))
	}
	b.Page("births-queue-team-search")

	// The clinic finds its submission by its reference, never a name.
	c := site.SignInNext("clinic", "/births")
	if !strings.Contains(c.URL(), "/births") || !c.Exists("#submissions") {
		t.Fatalf("the clinic's list at %s: %s", c.URL(), c.Text("main"))
	}
	c.Page("births-clinic")
	c.SetValue("#list-q", "zon-042")
	c.Submit("form.list-search")
	subs := c.Count("#submissions tbody tr[id^=submission-]")
	if subs != 1 || !strings.Contains(c.Text("#submissions"), "ZON-042") || strings.Contains(c.HTML(), "Test Moeder") {
		t.Fatalf("the clinic's search: %d rows: %s", subs, c.Text("#submissions"))
	}
	c.Page("births-clinic-search")
	c.Click(`#submissions tbody a`)
	if c.Text("#submission-reference") != "ZON-042" || strings.Contains(c.HTML(), "Test Moeder") {
		t.Fatalf("the submission: %s", c.Text("main"))
	}
	c.Page("births-clinic-submission")
	// The form asks the reference.
	c.Navigate(site.URL + "/births/new")
	if !c.Exists("#clinic-reference") {
		t.Fatal("the form has no reference")
	}
	c.Page("births-new")

	// Opgroeien's admin: its own queue (the home page's link), no names.
	a := site.SignInNext("admin", "/births?team=opgroeien")
	if rows(a) != 1 || strings.Contains(a.HTML(), "Test Moeder") {
		t.Fatalf("Opgroeien's queue at %s: %d rows: %s", a.URL(), rows(a), a.Text("main"))
	}
	a.Page("births-queue-opgroeien")
}
