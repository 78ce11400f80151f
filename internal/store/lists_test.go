package store_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/audit"
	"kansrijk/internal/outreach"
	"kansrijk/internal/page"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// walk reads a whole list page by page forwards, then back from the last
// page with the previous-page cursors, and checks that both directions
// see every item once, in the same order.
func walk[T any](t *testing.T, sort string, limit int, get func(req page.Request) (page.Result[T], error), id func(T) int64) []T {
	t.Helper()
	parse := func(cursor string) page.Request {
		q := url.Values{"limit": {fmt.Sprint(limit)}, "sort": {sort}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		req, err := page.Parse(q, sort)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	var fwd []T
	var last page.Result[T]
	seen := map[int64]bool{}
	for cursor := ""; ; {
		res, err := get(parse(cursor))
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range res.Items {
			if seen[id(x)] {
				t.Fatalf("sort %s: item %d twice", sort, id(x))
			}
			seen[id(x)] = true
		}
		fwd = append(fwd, res.Items...)
		last = res
		if res.Next == "" {
			break
		}
		if len(res.Items) != limit {
			t.Fatalf("sort %s: a page of %d with a next page", sort, len(res.Items))
		}
		cursor = res.Next
	}
	// Back from the last page.
	back := slices.Clone(last.Items)
	for cursor := last.Prev; cursor != ""; {
		res, err := get(parse(cursor))
		if err != nil {
			t.Fatal(err)
		}
		back = append(slices.Clone(res.Items), back...)
		cursor = res.Prev
	}
	if len(back) != len(fwd) {
		t.Fatalf("sort %s: %d items forwards, %d backwards", sort, len(fwd), len(back))
	}
	for i := range fwd {
		if id(fwd[i]) != id(back[i]) {
			t.Fatalf("sort %s: item %d differs forwards (%d) and backwards (%d)", sort, i, id(fwd[i]), id(back[i]))
		}
	}
	return fwd
}

func TestListPagesTasks(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db, "2026-03-02")
		world(t, db)
		nis := []string{"13016", "12014", "13013"}
		const n = 130
		for i := range n {
			// Few distinct due dates: the id breaks the many ties.
			in := outreach.NewTask{MunicipalityNIS: nis[i%3], Title: fmt.Sprintf("Taak %03d", (i*37)%n), DueOn: fmt.Sprintf("2026-0%d-1%d", 2+i%3, i%5)}
			if _, err := db.CreateTask(ctx, leadNoord, in); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.CreateTask(ctx, workerZuid, outreach.NewTask{MunicipalityNIS: "11002", Title: "Taak van zuid", DueOn: "2026-03-10"}); err != nil {
			t.Fatal(err)
		}
		all, err := db.Tasks(ctx, leadNoord, outreach.TaskFilter{})
		if err != nil || len(all) != n {
			t.Fatalf("%d tasks, %v", len(all), err)
		}
		less := map[string]func(a, b outreach.Task) int{
			"due": func(a, b outreach.Task) int { return a.DueOn.Compare(b.DueOn) },
			"title": func(a, b outreach.Task) int {
				return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
			},
			"municipality": func(a, b outreach.Task) int {
				return strings.Compare(a.MunicipalityNIS, b.MunicipalityNIS)
			},
			"created": func(a, b outreach.Task) int { return 0 },
		}
		for _, sort := range []string{"due", "-due", "title", "-title", "municipality", "created", "-created"} {
			got := walk(t, sort, 7, func(req page.Request) (page.Result[outreach.Task], error) {
				return db.TaskPage(ctx, leadNoord, outreach.TaskQuery{}, req)
			}, func(x outreach.Task) int64 { return x.ID })
			if len(got) != n {
				t.Fatalf("sort %s: %d tasks, want %d (the team's own)", sort, len(got), n)
			}
			cmp := less[strings.TrimPrefix(sort, "-")]
			for i := 1; i < len(got); i++ {
				a, b := got[i-1], got[i]
				if strings.HasPrefix(sort, "-") {
					a, b = b, a
				}
				c := cmp(a, b)
				if c > 0 || (c == 0 && a.ID > b.ID) {
					t.Fatalf("sort %s: %q (%d) before %q (%d)", sort, got[i-1].Title, got[i-1].ID, got[i].Title, got[i].ID)
				}
			}
		}

		search := func(q string, f outreach.TaskQuery) []outreach.Task {
			t.Helper()
			req, err := page.Parse(url.Values{"q": {q}, "limit": {"500"}}, outreach.TaskSorts...)
			if err != nil {
				t.Fatal(err)
			}
			res, err := db.TaskPage(ctx, leadNoord, f, req)
			if err != nil {
				t.Fatal(err)
			}
			return res.Items
		}
		if got := search("TAAK 00", outreach.TaskQuery{}); len(got) != 10 {
			t.Errorf("q=TAAK 00: %d tasks, want 10 (Taak 000–009, any case)", len(got))
		}
		if got := search("herselt", outreach.TaskQuery{}); len(got) != 43 {
			t.Errorf("q=herselt (the municipality's name): %d tasks, want 43", len(got))
		}
		if got := search("%", outreach.TaskQuery{}); len(got) != 0 {
			t.Errorf("q=%%: %d tasks, want none (LIKE's wildcards are escaped)", len(got))
		}
		if got := search("zuid", outreach.TaskQuery{}); len(got) != 0 {
			t.Errorf("q=zuid: team-noord finds %d of team-zuid's tasks", len(got))
		}
		overdue := 0
		for _, x := range all {
			if x.Overdue(d("2026-03-02")) {
				overdue++
			}
		}
		if got := search("", outreach.TaskQuery{Overdue: true}); len(got) != overdue || overdue == 0 {
			t.Errorf("overdue: %d tasks, want %d", len(got), overdue)
		}
		open, late, err := db.TaskCounts(ctx, leadNoord, "")
		if err != nil || open != n || late != overdue {
			t.Errorf("counts: %d open, %d overdue, %v; want %d, %d", open, late, err, n, overdue)
		}
	})
}

func TestListPagesUsersAndContacts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db, "2026-03-02")
		world(t, db)
		names := []string{"Els Claes", "Bart Peeters", "an Janssens", "Ömer Yilmaz", "Chris Maes", "Dirk Wouters", "eva Peeters"}
		for i, name := range names {
			if _, err := db.CreateUser(ctx, admin, account.NewUser{Email: fmt.Sprintf("u%d@lists.test", i), Name: name, Role: "team_worker", Org: "team-noord"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, sort := range []string{"organisation", "name", "-name", "email", "role", "created"} {
			got := walk(t, sort, 2, func(req page.Request) (page.Result[account.User], error) {
				return db.UserPage(ctx, admin, account.UserQuery{}, req)
			}, func(u account.User) int64 { return u.ID })
			if len(got) < len(names) {
				t.Fatalf("sort %s: %d users", sort, len(got))
			}
		}
		req, _ := page.Parse(url.Values{"q": {"PEETERS"}, "sort": {"name"}}, account.UserSorts...)
		res, err := db.UserPage(ctx, admin, account.UserQuery{Org: "team-noord"}, req)
		if err != nil || len(res.Items) != 2 || res.Items[0].Name != "Bart Peeters" || res.Items[1].Name != "eva Peeters" {
			t.Fatalf("q=PEETERS by name: %+v %v", res.Items, err)
		}
		req, _ = page.Parse(url.Values{"q": {"u3@"}}, account.UserSorts...)
		if res, err = db.UserPage(ctx, admin, account.UserQuery{}, req); err != nil || len(res.Items) != 1 || res.Items[0].Name != "Ömer Yilmaz" {
			t.Fatalf("q=u3@: %+v %v", res.Items, err)
		}
		// One audit event per page, naming the users shown.
		if ev := lastListEvent(t, db, "user"); !strings.Contains(ev.ObjectID, fmt.Sprint(res.Items[0].ID)) {
			t.Errorf("the users page's event names %q, want user %d", ev.ObjectID, res.Items[0].ID)
		}

		for i, nis := range []string{"13016", "12014", "13013", "13016"} {
			if _, err := db.CreateContact(ctx, leadNoord, outreach.NewContact{MunicipalityNIS: nis, Function: "other", Name: names[i], Email: fmt.Sprintf("c%d@lists.test", i)}); err != nil {
				t.Fatal(err)
			}
		}
		req, _ = page.Parse(url.Values{"q": {"hulshout"}, "sort": {"name"}, "limit": {"1"}}, outreach.ContactSorts...)
		cres, err := db.ContactPage(ctx, leadNoord, outreach.ContactQuery{}, req)
		if err != nil || len(cres.Items) != 1 || cres.Items[0].Name != "Els Claes" || cres.Next == "" {
			t.Fatalf("contacts q=hulshout by name: %+v %v", cres, err)
		}
		ev := lastListEvent(t, db, "outreach_contact")
		if ev.ObjectID != fmt.Sprint(cres.Items[0].ID) || !strings.Contains(ev.Detail, "search") {
			t.Errorf("the contacts page's event %+v, want contact %d only", ev, cres.Items[0].ID)
		}
	})
}

// lastListEvent is the newest audit event on objects of a type.
func lastListEvent(t *testing.T, db *store.DB, objectType string) audit.Event {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), audit.Filter{ObjectType: objectType, Limit: 1})
	if err != nil || len(evs) == 0 {
		t.Fatalf("no audit event on %s: %v", objectType, err)
	}
	return evs[0]
}
