package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/outreach"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestListsInBrowser (issue 12): in Chromium, an admin pages through 60
// users, searches them and sorts them by name; a team lead pages through
// 60 tasks, searches them, sorts them by title and keeps the filter in
// the URL. axe-core checks every page.
func TestListsInBrowser(t *testing.T) {
	webtest.SkipShort(t)
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	sys := account.System("test")
	webtest.Team(t, db, "team-noord", "Lokaal team Noord", "13016", "12014", "13013")
	users := storetest.Users(t, db, "lists.test",
		storetest.U{Name: "admin", Role: "admin", Org: "opgroeien", FullName: "Ada Admin"},
		storetest.U{Name: "lead", Role: "team_lead", Org: "team-noord", FullName: "Lien Lead"})
	users.Create(t)
	for i := range 60 {
		if _, err := db.CreateUser(ctx, sys, account.NewUser{Email: fmt.Sprintf("medewerker%02d@lists.test", i), Name: fmt.Sprintf("Medewerker %02d", 59-i), Role: "team_worker", Org: "team-noord"}); err != nil {
			t.Fatal(err)
		}
	}
	lead, err := db.UserByEmail(ctx, users.Email(t, "lead"))
	if err != nil {
		t.Fatal(err)
	}
	la := account.Actor{UserID: lead.ID, Email: lead.Email, Role: account.TeamLead, Org: "team-noord", OrgKind: account.KindTeam}
	nis := []string{"13016", "12014", "13013"}
	// Due dates from 30 days before today (in Brussels, as the store
	// counts overdue) on: 30 overdue.
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	y, m, dd := time.Now().In(brussels).Date()
	due := time.Date(y, m, dd-30, 0, 0, 0, 0, time.UTC)
	for i := range 60 {
		in := outreach.NewTask{MunicipalityNIS: nis[i%3], Title: fmt.Sprintf("Opvolging %02d", i), DueOn: due.AddDate(0, 0, i).Format(time.DateOnly)}
		if _, err := db.CreateTask(ctx, la, in); err != nil {
			t.Fatal(err)
		}
	}
	ts := webtest.Start(t, db, users)
	b := ts.Browser()
	rows := func(table string) int { return b.Count("#" + table + " tbody tr[id]") }

	// Users: 62 in all, 50 a page.
	ts.SignInAs(b, "admin", "")
	b.Navigate(ts.URL + "/users")
	b.Page("users-first")
	if n := rows("users"); n != 50 {
		t.Fatalf("first page: %d users, want 50", n)
	}
	if b.Exists(`.pager a[rel=prev]`) || !b.Exists(`.pager a[rel=next]`) {
		t.Fatal("the first page has no next link, or a previous one")
	}
	b.Click(`.pager a[rel=next]`)
	b.Page("users-second")
	if n := rows("users"); n != 12 {
		t.Fatalf("second page: %d users, want 12", n)
	}
	if b.Exists(`.pager a[rel=next]`) || !b.Exists(`.pager a[rel=prev]`) {
		t.Fatal("the last page has a next link, or no previous one")
	}
	b.Click(`.pager a[rel=prev]`)
	if n := rows("users"); n != 50 {
		t.Fatalf("back to the first page: %d users", n)
	}
	// Sort by name: "Ada Admin" first, then descending.
	b.Click(`th[aria-sort] a[href*="sort=name"]`)
	if !strings.Contains(b.URL(), "sort=name") || !strings.HasPrefix(b.Text("#users tbody tr:first-child td:nth-child(2)"), "Ada Admin") {
		t.Fatalf("sorted by name: %s first (%s)", b.Text("#users tbody tr:first-child"), b.URL())
	}
	b.Click(`th[aria-sort=ascending] a`)
	if !strings.Contains(b.URL(), "sort=-name") || b.Text("#users tbody tr:first-child td:nth-child(2)") != "Medewerker 59" {
		t.Fatalf("sorted by name, descending: %s first", b.Text("#users tbody tr:first-child"))
	}
	b.Page("users-sorted")
	// Search keeps the sort.
	b.SetValue("#list-q", "medewerker 0")
	b.Click(".list-search button[type=submit]")
	if n := rows("users"); n != 10 || !strings.Contains(b.URL(), "sort=-name") {
		t.Fatalf("search: %d users (%s), want 10 sorted by -name", n, b.URL())
	}
	b.Page("users-search")
	ts.SignOut(b)

	// Tasks of team-noord: 60, open first by due date; 30 overdue.
	ts.SignInAs(b, "lead", "")
	b.Navigate(ts.URL + "/outreach/tasks")
	b.Page("tasks-first")
	if n := rows("task-list"); n != 50 || !b.Exists(`.pager a[rel=next]`) {
		t.Fatalf("first page: %d tasks", n)
	}
	if first := b.Text("#task-list tbody tr:first-child td:first-child"); first != "Opvolging 00" {
		t.Fatalf("first task %q, want the earliest due", first)
	}
	b.Click(`.pager a[rel=next]`)
	if n := rows("task-list"); n != 10 {
		t.Fatalf("second page: %d tasks", n)
	}
	b.Page("tasks-second")
	b.Navigate(ts.URL + "/outreach/tasks?due=overdue")
	if n := rows("task-list"); n != 30 || !b.Exists("#due:checked") {
		t.Fatalf("overdue: %d tasks, want 30, the box ticked", n)
	}
	b.Click(`th[aria-sort] a[href*="sort=title"]`)
	b.Click(`th[aria-sort=ascending] a`)
	if !strings.Contains(b.URL(), "due=overdue") || b.Text("#task-list tbody tr:first-child td:first-child") != "Opvolging 29" {
		t.Fatalf("overdue by title, descending: %q first (%s)", b.Text("#task-list tbody tr:first-child td:first-child"), b.URL())
	}
	b.Page("tasks-overdue-sorted")
	b.SetValue("#list-q", "herselt")
	b.Click(".list-search button[type=submit]")
	if n := rows("task-list"); n != 10 || !strings.Contains(b.URL(), "due=overdue") {
		t.Fatalf("overdue tasks in Herselt: %d (%s), want 10", n, b.URL())
	}
	b.Page("tasks-search")
}
