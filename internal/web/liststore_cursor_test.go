package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kansrijk/internal/httpx"
	pg "kansrijk/internal/page"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// getAs reads path as who in language lang ("" for Dutch).
func getAs(t *testing.T, w *familyWorld, who, lang, path string) familyResp {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, w.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: w.users.Cookie(t, who)})
	if lang != "" {
		req.AddCookie(&http.Cookie{Name: "lang", Value: lang})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return familyResp{res.StatusCode, string(b), res.Header}
}

// TestBadCursorShowsFirstPage: the team's list and the OCMW's inbox,
// given a malformed cursor, a cursor for another sort or a stale one (past
// every row), show their first page with a notice (role="status", Dutch
// or English), keeping the search and the sort; a good cursor shows no
// notice.
func TestBadCursorShowsFirstPage(t *testing.T) {
	w := newFamilyWorld(t, storetest.Open(t, store.SQLite))
	const nl = "Deze link naar een pagina van de lijst werkt niet meer"
	const en = "This link to a page of the list no longer works"
	for _, list := range []struct {
		who, path, sort, other string
	}{{"worker", "/referrals", "name", "created"}, {"ocmw", "/inbox", "name", "sent"}} {
		cursors := map[string]string{
			"malformed":    "bm90LWEtY3Vyc29y!",
			"another sort": pg.Encode(pg.Cursor{Sort: list.other, Value: "2026-01-01", ID: 1}),
			"stale":        pg.Encode(pg.Cursor{Sort: list.sort, Value: "zzzz", ID: 1 << 40}),
		}
		for name, cursor := range cursors {
			q := url.Values{"q": {"fictieve"}, "sort": {list.sort}, "cursor": {cursor}}
			for lang, notice := range map[string]string{"": nl, "en": en} {
				r := getAs(t, w, list.who, lang, list.path+"?"+q.Encode())
				if r.Status != http.StatusOK {
					t.Fatalf("%s, %s cursor (%s): status %d", list.path, name, lang, r.Status)
				}
				if !strings.Contains(r.Body, `role="status">`+notice) {
					t.Errorf("%s, %s cursor (%s): no notice", list.path, name, lang)
				}
				// The first page, with the search and the sort kept.
				if !strings.Contains(r.Body, "Fictieve Ouder Alfa") || !strings.Contains(r.Body, "Fictieve Ouder Beta") {
					t.Errorf("%s, %s cursor (%s): not the first page", list.path, name, lang)
				}
				if !strings.Contains(r.Body, `value="fictieve"`) || !strings.Contains(r.Body, `aria-sort="ascending"`) {
					t.Errorf("%s, %s cursor (%s): search or sort lost", list.path, name, lang)
				}
			}
		}
		// A good cursor: the second page of one, no notice.
		first := getAs(t, w, list.who, "", list.path+"?sort="+list.sort+"&limit=1")
		if first.Status != http.StatusOK || strings.Contains(first.Body, nl) {
			t.Fatalf("%s first page: %d", list.path, first.Status)
		}
		i := strings.Index(first.Body, "cursor=")
		if i < 0 {
			t.Fatalf("%s: no link to the next page", list.path)
		}
		next := first.Body[i+len("cursor="):]
		next = next[:strings.IndexAny(next, `"&`)]
		r := getAs(t, w, list.who, "", list.path+"?sort="+list.sort+"&limit=1&cursor="+next)
		if r.Status != http.StatusOK || strings.Contains(r.Body, nl) || !strings.Contains(r.Body, "Fictieve Ouder Beta") {
			t.Errorf("%s second page: %d, notice %v", list.path, r.Status, strings.Contains(r.Body, nl))
		}
	}
	// The lists read through listRequest do the same: the users' list
	// for Opgroeien's admin.
	admins := storetest.Users(t, w.db, "opgroeien.test", storetest.U{Name: "admin", Role: "admin", Org: "opgroeien", FullName: "Beheerder"})
	admins.Create(t)
	for name, cursor := range map[string]string{
		"malformed": "bm90LWEtY3Vyc29y!",
		"stale":     pg.Encode(pg.Cursor{Sort: "name", Value: "zzzz", ID: 1 << 40}),
	} {
		r := send(t, w, admins, "admin", "GET", "/users?sort=name&q=werker&cursor="+url.QueryEscape(cursor), nil)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `role="status">`+nl) || !strings.Contains(r.Body, "Werker Noord") {
			t.Errorf("users, %s cursor: %d, notice %v", name, r.Status, strings.Contains(r.Body, nl))
		}
	}
}
