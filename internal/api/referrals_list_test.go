package api_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	"kansrijk/internal/page"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// listPage is one answer of GET /api/v1/referrals or /api/v1/inbox.
type listPage struct {
	Count     int `json:"count"`
	Referrals []struct {
		ID          int64    `json:"id"`
		Status      string   `json:"status"`
		ParentNames []string `json:"parent_names"`
		ReferredBy  *struct {
			Name, Phone, Email string
		} `json:"referred_by"`
	} `json:"referrals"`
	NextCursor *string `json:"next_cursor"`
}

// walkList reads every page of a list (path with its query, without
// cursor) and returns the ids in order; no id may come twice, and the
// last page's next_cursor is null.
func (f *refFixture) walkList(t *testing.T, path, route, who string) ([]int64, []listPage) {
	t.Helper()
	var ids []int64
	var pages []listPage
	target := path
	for i := 0; ; i++ {
		r := f.must(t, "GET", target, route, who, "", 200)
		var p listPage
		if err := json.Unmarshal(r.Body, &p); err != nil {
			t.Fatal(err)
		}
		if p.Count != len(p.Referrals) {
			t.Fatalf("%s: count %d for %d items", target, p.Count, len(p.Referrals))
		}
		for _, x := range p.Referrals {
			if slices.Contains(ids, x.ID) {
				t.Fatalf("%s: referral %d twice", target, x.ID)
			}
			ids = append(ids, x.ID)
		}
		pages = append(pages, p)
		if p.NextCursor == nil {
			return ids, pages
		}
		if i > 100 {
			t.Fatal("no end")
		}
		u, _ := url.Parse(path)
		q := u.Query()
		q.Set("cursor", *p.NextCursor)
		u.RawQuery = q.Encode()
		target = u.String()
	}
}

func TestReferralListPages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newRefFixture(t, db)
		var sent, drafts []int64
		for i := 0; i < 7; i++ {
			sent = append(sent, f.sent(t))
		}
		for i := 0; i < 2; i++ {
			drafts = append(drafts, f.draft(t))
		}
		all := append(slices.Clone(sent), drafts...)

		// The team: every page of 3, newest first, then filters and search.
		ids, pages := f.walkList(t, "/api/v1/referrals?limit=3", "/api/v1/referrals", "team_worker/own")
		if len(pages) != 3 || !sameIDs(ids, all) || ids[0] != drafts[1] {
			t.Fatalf("team pages %d: %v, want %v newest first", len(pages), ids, all)
		}
		if n := pages[0].Referrals[0].ParentNames; len(n) != 1 || n[0] != refParentName {
			t.Errorf("parent names %v", n)
		}
		if ids, _ := f.walkList(t, "/api/v1/referrals?status=draft", "/api/v1/referrals", "team_worker/own"); !sameIDs(ids, drafts) {
			t.Errorf("drafts %v, want %v", ids, drafts)
		}
		if ids, _ := f.walkList(t, "/api/v1/referrals?status=sent&sort=sent&limit=2", "/api/v1/referrals", "team_worker/own"); !sameIDs(ids, sent) {
			t.Errorf("sent %v, want %v", ids, sent)
		}
		if ids, _ := f.walkList(t, "/api/v1/referrals?q=peeters&sort=-name", "/api/v1/referrals", "team_worker/own"); len(ids) != 9 {
			t.Errorf("q=peeters: %v", ids)
		}
		if ids, _ := f.walkList(t, "/api/v1/referrals?q=Niemand", "/api/v1/referrals", "team_worker/own"); len(ids) != 0 {
			t.Errorf("q=Niemand: %v", ids)
		}
		// The other team sees none of them.
		if ids, _ := f.walkList(t, "/api/v1/referrals", "/api/v1/referrals", "team_worker/other"); len(ids) != 0 {
			t.Errorf("team-zuid lists %v", ids)
		}

		// The OCMW: the open referrals, oldest first, with names and the team.
		ids, pages = f.walkList(t, "/api/v1/inbox?limit=5", "/api/v1/inbox", "ocmw_worker/own")
		if len(pages) != 2 || !slices.Equal(ids, sent) {
			t.Fatalf("inbox %v, want %v", ids, sent)
		}
		if it := pages[0].Referrals[0]; it.ReferredBy == nil || it.ReferredBy.Name != "Lokaal team Noord" || len(it.ParentNames) != 1 {
			t.Errorf("inbox item %+v", it)
		}
		for q, want := range map[string]int{"status=new": 7, "overdue=1": 0, "view=archive": 0, "q=an+pee": 7, "sort=-name&q=zzz": 0} {
			if ids, _ := f.walkList(t, "/api/v1/inbox?limit=4&"+q, "/api/v1/inbox", "ocmw_worker/own"); len(ids) != want {
				t.Errorf("inbox?%s: %d, want %d", q, len(ids), want)
			}
		}
		if ids, _ := f.walkList(t, "/api/v1/inbox", "/api/v1/inbox", "ocmw_worker/other"); len(ids) != 0 {
			t.Errorf("the OCMW of Antwerpen sees %v", ids)
		}

		// Bad requests: a stable code and the parameter.
		inboxCursor := *pages[0].NextCursor
		for _, c := range []struct{ target, code, field string }{
			{"/api/v1/referrals?limit=0", "invalid", "limit"},
			{"/api/v1/referrals?limit=501", "invalid", "limit"},
			{"/api/v1/inbox?limit=0", "invalid", "limit"},
			{"/api/v1/inbox?limit=501", "invalid", "limit"},
			{"/api/v1/referrals?sort=receipt_code", "invalid", "sort"},
			{"/api/v1/referrals?status=new", "invalid", "status"},
			{"/api/v1/inbox?status=draft", "invalid", "status"},
			{"/api/v1/inbox?view=all", "invalid", "view"},
			{"/api/v1/inbox?view=archive&overdue=1", "invalid", "view"},
			// The inbox's cursor (sort sent) on the team's list (sort -created),
			// on the inbox with another sort, and one that is no cursor at all.
			{"/api/v1/referrals?cursor=" + inboxCursor, page.InvalidCursor, "cursor"},
			{"/api/v1/inbox?sort=name&cursor=" + inboxCursor, page.InvalidCursor, "cursor"},
			{"/api/v1/inbox?cursor=bm90LWEtY3Vyc29y", page.InvalidCursor, "cursor"},
		} {
			who := "team_worker/own"
			route := "/api/v1/referrals"
			if u, _ := url.Parse(c.target); u.Path == "/api/v1/inbox" {
				who, route = "ocmw_worker/own", "/api/v1/inbox"
			}
			r := f.must(t, "GET", c.target, route, who, "", 400)
			var e struct {
				Error struct{ Code, Field string } `json:"error"`
			}
			if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Code != c.code || e.Error.Field != c.field {
				t.Errorf("%s: %s, want %s on %s", c.target, r, c.code, c.field)
			}
		}
	})
}

func sameIDs(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
