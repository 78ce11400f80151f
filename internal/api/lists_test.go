package api_test

// Issue 12: every list of the API a page at a time. One table walks every
// list route with limit=1 from the first page to the last, on every
// backend: no item twice, every item once, next_cursor null at the end;
// limit 0 and 501 are refused (400 invalid), a cursor given with another
// sort is refused (400 invalid_cursor).

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

type listRoute struct {
	path    string // with its filters, without limit/cursor/sort
	who     string
	key     string // the items' key in the answer
	idKey   string // the item's identity ("id", "key", "nis")
	sorts   []string
	min     int // at least this many items in the fixture
	search  string
	matches int // items the search finds (with search)
}

func TestListsWalkEveryRoute(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		f.users = storetest.TokenUsers(t, db, "lists.test",
			storetest.U{Name: "admin", Role: "admin", Org: "opgroeien"},
			storetest.U{Name: "dpo", Role: "dpo", Org: "opgroeien"},
			storetest.U{Name: "lead", Role: "team_lead", Org: "team-noord"},
			storetest.U{Name: "ocmwadmin", Role: "ocmw_admin", Org: "ocmw-13016"},
		)
		for _, who := range f.users.Names() {
			f.users.Token(t, who) // every user exists before the users list is read
		}
		post := func(who, path string, body map[string]any) {
			t.Helper()
			f.call(t, "POST", path, path, who, body, 201, nil)
		}
		for _, c := range []map[string]any{
			{"municipality_nis": "13016", "function": "general_director", "name": "An Peeters", "email": "an@hulshout.be"},
			{"municipality_nis": "12014", "function": "council_chair", "name": "Bert Janssens", "email": "bert@heist.be"},
			{"municipality_nis": "13013", "function": "poverty_officer", "name": "Chris Wouters", "email": "chris@herselt.be"},
			{"municipality_nis": "13016", "function": "other", "name": "Dana Peeters", "email": "dana@hulshout.be"},
		} {
			post("lead", "/api/v1/outreach/contacts", c)
		}
		for i, nis := range []string{"13016", "12014", "13013"} {
			post("lead", "/api/v1/outreach/contact-moments", map[string]any{"municipality_nis": nis, "on": fmt.Sprintf("2026-02-0%d", i+1), "channel": "phone", "summary": fmt.Sprintf("Gesprek %d", i)})
			post("lead", "/api/v1/outreach/tasks", map[string]any{"municipality_nis": nis, "title": fmt.Sprintf("Taak %d", i), "due_on": fmt.Sprintf("2026-0%d-10", i+2)})
		}
		post("admin", "/api/v1/outreach/campaigns", map[string]any{"kind": "newsletter", "on": "2023-02-01", "partner": "VVSG", "subject": "Het decreet", "audience": "all"})
		post("admin", "/api/v1/outreach/campaigns", map[string]any{"kind": "webinar", "on": "2025-03-10", "partner": "joint", "subject": "Webinar", "audience": "team_area", "audience_param": "team-noord"})
		post("admin", "/api/v1/outreach/campaigns", map[string]any{"kind": "visit", "on": "2025-03-10", "subject": "Bezoek", "audience": "list", "municipalities": []string{"13013"}})
		for _, nis := range []string{"13016", "12014", "13013"} {
			post("admin", "/api/v1/agreements", map[string]any{"team": "team-noord", "municipality_nis": nis})
		}
		for _, label := range []string{"een", "twee"} {
			f.call(t, "POST", "/api/v1/tokens", "/api/v1/tokens", "admin", map[string]any{"label": label}, 201, nil)
		}
		for _, name := range []string{"Dossiersoftware", "Koppeling"} {
			f.call(t, "POST", "/api/v1/service-accounts", "/api/v1/service-accounts", "ocmwadmin", map[string]any{"name": name}, 201, nil)
		}

		routes := []listRoute{
			{path: "/api/v1/municipalities?on=2026-01-01&region=brussels", key: "municipalities", idKey: "nis", sorts: []string{"name", "nis"}, min: 19, search: "sint", matches: 6},
			{path: "/api/v1/organisations?kind=team", who: "admin", key: "organisations", idKey: "key", sorts: []string{"name", "key"}, min: 2, search: "noord", matches: 1},
			{path: "/api/v1/teams", who: "lead", key: "teams", idKey: "key", sorts: []string{"name", "key"}, min: 2, search: "zuid", matches: 1},
			{path: "/api/v1/users", who: "admin", key: "users", idKey: "id", sorts: []string{"organisation", "name", "email", "role", "created"}, min: 5, search: "lists.test", matches: 4},
			{path: "/api/v1/users?role=team_lead", who: "admin", key: "users", idKey: "id", sorts: []string{"-created"}, min: 1},
			{path: "/api/v1/tokens", who: "admin", key: "tokens", idKey: "id", sorts: []string{"created", "-created"}, min: 3},
			{path: "/api/v1/service-accounts", who: "ocmwadmin", key: "service_accounts", idKey: "id", sorts: []string{"name", "created"}, min: 2},
			{path: "/api/v1/agreements", who: "admin", key: "agreements", idKey: "id", sorts: []string{"id", "municipality", "team", "recipient", "status", "-status"}, min: 3, search: "hulshout", matches: 1},
			{path: "/api/v1/agreements?team=team-noord&province=Antwerpen", who: "lead", key: "agreements", idKey: "id", sorts: []string{"-id"}, min: 3},
			{path: "/api/v1/outreach/contacts", who: "lead", key: "contacts", idKey: "id", sorts: []string{"municipality", "name", "-name", "function", "created"}, min: 4, search: "peeters", matches: 2},
			{path: "/api/v1/outreach/contacts?municipality=13016", who: "admin", key: "contacts", idKey: "id", sorts: []string{"name"}, min: 2, search: "dana", matches: 1},
			{path: "/api/v1/outreach/contact-moments", who: "lead", key: "contact_moments", idKey: "id", sorts: []string{"-on", "on", "municipality", "channel", "created"}, min: 3, search: "heist", matches: 1},
			{path: "/api/v1/outreach/tasks", who: "lead", key: "tasks", idKey: "id", sorts: []string{"due", "-due", "title", "municipality", "status", "team", "created", "open"}, min: 3, search: "taak 1", matches: 1},
			{path: "/api/v1/outreach/tasks?due=overdue", who: "lead", key: "tasks", idKey: "id", sorts: []string{"due"}, min: 1},
			{path: "/api/v1/outreach/campaigns", who: "admin", key: "campaigns", idKey: "id", sorts: []string{"-on", "on", "subject", "partner", "kind", "created"}, min: 3, search: "vvsg", matches: 1},
			{path: "/api/v1/outreach/mailings", who: "admin", key: "mailings", idKey: "id", sorts: []string{"-created"}},
			{path: "/api/v1/subject-requests", who: "dpo", key: "requests", idKey: "id", sorts: []string{"open", "due", "received", "created"}},
			{path: "/api/v1/break-glass", who: "admin", key: "requests", idKey: "id", sorts: []string{"-open", "created", "status"}},
		}
		for _, rt := range routes {
			route, _, _ := strings.Cut(rt.path, "?")
			with := func(params ...string) string {
				u, _ := url.Parse(rt.path)
				q := u.Query()
				for i := 0; i+1 < len(params); i += 2 {
					q.Set(params[i], params[i+1])
				}
				u.RawQuery = q.Encode()
				return u.String()
			}
			type answer struct {
				Count int               `json:"count"`
				Next  *string           `json:"next_cursor"`
				Items []json.RawMessage `json:"-"`
			}
			get := func(target string, want int) (answer, outrResp) {
				t.Helper()
				var raw map[string]json.RawMessage
				r := f.call(t, "GET", target, route, rt.who, nil, want, &raw)
				var a answer
				if want != 200 {
					return a, r
				}
				if _, ok := raw["next_cursor"]; !ok {
					t.Fatalf("%s: no next_cursor in %s", target, r)
				}
				_ = json.Unmarshal(raw["count"], &a.Count)
				_ = json.Unmarshal(raw["next_cursor"], &a.Next)
				if err := json.Unmarshal(raw[rt.key], &a.Items); err != nil {
					t.Fatalf("%s: no %s: %s", target, rt.key, r)
				}
				if a.Count != len(a.Items) {
					t.Errorf("%s: count %d, %d items", target, a.Count, len(a.Items))
				}
				return a, r
			}
			idOf := func(item json.RawMessage) string {
				var m map[string]any
				_ = json.Unmarshal(item, &m)
				return fmt.Sprint(m[rt.idKey])
			}
			// The whole list in one page, for comparison.
			all, _ := get(with("limit", "500", "sort", rt.sorts[0]), 200)
			if len(all.Items) < rt.min || all.Next != nil {
				t.Fatalf("%s: %d items (next %v), want at least %d on one page", rt.path, len(all.Items), all.Next, rt.min)
			}
			for _, sort := range rt.sorts {
				t.Run(strings.TrimPrefix(rt.path, "/api/v1/")+" sort="+sort, func(t *testing.T) {
					seen := map[string]bool{}
					var order []string
					cursor := ""
					for pages := 0; ; pages++ {
						if pages > len(all.Items)+1 {
							t.Fatalf("more pages than items")
						}
						params := []string{"limit", "1", "sort", sort}
						if cursor != "" {
							params = append(params, "cursor", cursor)
						}
						a, _ := get(with(params...), 200)
						for _, it := range a.Items {
							id := idOf(it)
							if seen[id] {
								t.Fatalf("item %s twice", id)
							}
							seen[id] = true
							order = append(order, id)
						}
						if a.Next == nil {
							break
						}
						if len(a.Items) != 1 {
							t.Fatalf("a page of %d items with a next page", len(a.Items))
						}
						cursor = *a.Next
					}
					if len(seen) != len(all.Items) {
						t.Fatalf("walked %d items, the list has %d", len(seen), len(all.Items))
					}
					if sort == rt.sorts[0] {
						for i, it := range all.Items {
							if idOf(it) != order[i] {
								t.Fatalf("walked order %v differs from the one page's", order)
							}
						}
					}
				})
			}
			// Bad pages.
			outrCode(t, second(get(with("limit", "0"), 400)), "invalid")
			outrCode(t, second(get(with("limit", "501"), 400)), "invalid")
			outrCode(t, second(get(with("limit", "x"), 400)), "invalid")
			outrCode(t, second(get(with("sort", "nonsense"), 400)), "invalid")
			outrCode(t, second(get(with("cursor", "not-a-cursor"), 400)), "invalid_cursor")
			if len(all.Items) >= 2 {
				first, _ := get(with("limit", "1", "sort", rt.sorts[0]), 200)
				other := "-" + strings.TrimPrefix(rt.sorts[0], "-")
				if strings.HasPrefix(rt.sorts[0], "-") {
					other = strings.TrimPrefix(rt.sorts[0], "-")
				}
				outrCode(t, second(get(with("limit", "1", "sort", other, "cursor", *first.Next), 400)), "invalid_cursor")
			}
			if rt.search != "" {
				a, _ := get(with("limit", "500", "q", rt.search), 200)
				if len(a.Items) != rt.matches {
					t.Errorf("%s q=%s: %d items, want %d", rt.path, rt.search, len(a.Items), rt.matches)
				}
			}
		}
	})
}

func second[A, B any](_ A, b B) B { return b }
