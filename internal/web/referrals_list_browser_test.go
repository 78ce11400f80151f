package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"kansrijk/internal/browsertest"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestReferralListsBrowser works the two referral lists in headless
// Chromium: a team worker pages through 60 referrals, searches a name,
// sorts by name and filters drafts; an OCMW worker pages through its
// inbox (names, the team that referred and its phone), searches, sorts,
// opens the views of the home page's links, closes a case through the
// confirmation page and finds it in the archive. Every page is checked
// with axe-core.
func TestReferralListsBrowser(t *testing.T) {
	webtest.SkipShort(t)
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	webtest.Team(t, db, "team-noord", "Lokaal team Noord", "13016")
	if _, err := fsWritable(t, db).ExecContext(ctx, `UPDATE organisations SET contact_phone = '+32 15 00 00 00' WHERE key = 'team-noord'`); err != nil {
		t.Fatal(err)
	}
	webtest.ActiveAgreement(t, db, "team-noord", "13016", webtest.Steps{Draft: "2023-10-02", Approved: "2024-02-01", Signed: "2024-03-01", Active: "2024-04-01"})
	users := storetest.Users(t, db, "lists.test",
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-noord"},
		storetest.U{Name: "ocmw", Role: "ocmw_worker", Org: "ocmw-13016"})
	users.Create(t, "worker", "ocmw")
	worker := users.Actor(t, "worker")
	// 60 fictitious families: 55 sent, 5 drafts.
	for n := 0; n < 60; n++ {
		in := referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{{
			Name: fmt.Sprintf("Lijstouder%02d Verbeke", n), Street: "Teststraat", Number: fmt.Sprint(n + 1), Postcode: "2235", Phone: "+32 470 00 00 00",
		}}, Criteria: []string{"income"}, Needs: []string{"income_support"}}
		if n%12 == 5 {
			if _, err := db.CreateReferral(ctx, worker, in); err != nil {
				t.Fatal(err)
			}
			continue
		}
		webtest.Sent(t, db, worker, in)
	}
	srv := webtest.Start(t, db, users)
	rows := func(b *browsertest.Browser) int { return b.Count("main tbody tr[id^=row-]") }

	// The team worker.
	b := srv.SignIn("worker")
	b.Navigate(srv.URL + "/referrals")
	b.Page("referrals-list")
	if n := rows(b); n != 50 {
		t.Fatalf("first page: %d rows", n)
	}
	if got := b.Text("main tbody tr:first-child td:first-child"); got != "Lijstouder59 Verbeke" {
		t.Errorf("newest first: %q", got)
	}
	b.Click(`nav.pager a[rel=next]`)
	b.Page("referrals-list-2")
	if n := rows(b); n != 10 {
		t.Errorf("second page: %d rows", n)
	}
	b.Click(`nav.pager a[rel=prev]`)
	if n := rows(b); n != 50 {
		t.Errorf("back to the first page: %d rows", n)
	}
	b.SetValue("#list-q", "lijstouder07")
	b.Click("form.list-search button[type=submit]")
	b.Page("referrals-search")
	if n := rows(b); n != 1 || !strings.Contains(b.Text("main tbody"), "Lijstouder07 Verbeke") {
		t.Errorf("search: %d rows: %s", n, b.Text("main tbody"))
	}
	b.Navigate(srv.URL + "/referrals")
	b.Click(`th a[href*="sort=name"]`)
	b.Page("referrals-by-name")
	if !strings.Contains(b.URL(), "sort=name") || b.Text("main tbody tr:first-child td:first-child") != "Lijstouder00 Verbeke" {
		t.Errorf("by name: %s first %q", b.URL(), b.Text("main tbody tr:first-child td:first-child"))
	}
	if got := b.Text(`th[aria-sort=ascending]`); !strings.Contains(got, "Gezin") {
		t.Errorf("sorted column %q", got)
	}
	b.Navigate(srv.URL + "/referrals?status=draft")
	b.Page("referrals-drafts")
	if n := rows(b); n != 5 {
		t.Errorf("drafts: %d rows", n)
	}
	b.Navigate(srv.URL + "/referrals?status=sent")
	if n := rows(b); n != 50 || !b.Exists(`nav.pager a[rel=next]`) {
		t.Errorf("sent: %d rows", n)
	}

	// The OCMW worker.
	o := srv.SignIn("ocmw")
	o.Navigate(srv.URL + "/inbox")
	o.Page("inbox")
	if n := rows(o); n != 50 {
		t.Fatalf("inbox: %d rows", n)
	}
	if got := o.Text("main tbody tr:first-child"); !strings.Contains(got, "Lijstouder00 Verbeke") || !strings.Contains(got, "Lokaal team Noord") ||
		!strings.Contains(got, "015 00 00 00") || strings.Contains(got, "team-noord") || !strings.Contains(got, "verstuurd") {
		t.Errorf("inbox row %q", got)
	}
	o.Click(`nav.pager a[rel=next]`)
	if n := rows(o); n != 5 {
		t.Errorf("inbox page 2: %d rows", n)
	}
	o.Navigate(srv.URL + "/inbox")
	o.SetValue("#list-q", "Lijstouder1")
	o.Click("form.list-search button[type=submit]")
	if n := rows(o); n != 9 { // 10 to 19, but 17 is a draft
		t.Errorf("inbox search: %d rows", n)
	}
	o.Click(`th a[href*="sort=name"]`)
	o.Click(`th a[href*="sort=-name"]`)
	o.Page("inbox-by-name-desc")
	if got := o.Text("main tbody tr:first-child td:first-child"); got != "Lijstouder19 Verbeke" || !strings.Contains(o.URL(), "q=Lijstouder1") {
		t.Errorf("inbox by name, descending, search kept: %q at %s", got, o.URL())
	}
	for path, want := range map[string]int{"/inbox?status=new": 50, "/inbox?overdue=1": 0, "/inbox?view=archive": 0} {
		o.Navigate(srv.URL + path)
		o.Page("inbox " + path)
		if n := rows(o); n != want {
			t.Errorf("%s: %d rows, want %d", path, n, want)
		}
	}
	// Close a case, through the confirmation.
	o.Navigate(srv.URL + "/inbox")
	o.Click("main tbody tr:first-child td:first-child a")
	o.Click("#out-declined")
	o.Click("#outcome-form button[type=submit]")
	o.Page("inbox-close-confirm")
	if !strings.Contains(o.URL(), "/close?") || !strings.Contains(o.Text("main"), "Lijstouder00 Verbeke") {
		t.Fatalf("confirmation at %s: %s", o.URL(), o.Text("main"))
	}
	o.Click("#confirm-close")
	if !strings.Contains(o.URL(), "ok=outcome_recorded") {
		t.Fatalf("after confirming: %s", o.URL())
	}
	o.Navigate(srv.URL + "/inbox?view=archive")
	o.Page("inbox-archive")
	if n := rows(o); n != 1 || !strings.Contains(o.Text("main tbody"), "afgesloten") {
		t.Errorf("archive: %d rows: %s", n, o.Text("main tbody"))
	}
	if !o.Exists(`nav.tabs a[href="/inbox?view=archive"][aria-current=page]`) {
		t.Error("the archive tab is not the current one")
	}
}
