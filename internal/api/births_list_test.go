package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/page"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// birthListBody is the n-th fictitious family of Hulshout (team-noord),
// with the clinic's reference KZ-00n.
func birthListBody(n int) string {
	b := strings.Replace(birthContract, `"An Peeters"`, fmt.Sprintf(`"Test Moeder %c"`, 'A'+n), 1)
	b = strings.Replace(b, `"Bram Peeters"`, fmt.Sprintf(`"Test Partner %c"`, 'A'+n), 1)
	b = strings.Replace(b, `"2025-03-01"`, fmt.Sprintf(`"2025-03-0%d"`, 1+n%5), 1)
	return strings.Replace(b, `"early_contact_requested": true`, fmt.Sprintf(`"early_contact_requested": true, "clinic_reference": "KZ-00%d"`, n), 1)
}

func birthListEvents(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), audit.Filter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// TestBirthListPages: the list in keyset pages on both databases — limit,
// cursor, next_cursor null at the end, one audit event per page, the
// team's search by name, the clinic's by its reference, and the errors.
func TestBirthListPages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newBirthFixture(t, db)
		const n = 5
		for i := range n {
			f.notify(t, "clinic/own", birthListBody(i))
		}
		const route = "/api/v1/birth-notifications"

		// The team walks its queue two at a time: every notification
		// once, next_cursor null on the last page, one event per page.
		before := birthListEvents(t, db, "birth.list")
		seen := map[float64]bool{}
		target, pages := route+"?status=new&limit=2", 0
		for {
			r := f.must(t, "GET", target, route, "team_worker/own", "", http.StatusOK)
			o := r.object(t)
			pages++
			items := o["birth_notifications"].([]any)
			if o["count"] != float64(len(items)) || len(items) > 2 {
				t.Fatalf("page %d: %s", pages, r)
			}
			for _, it := range items {
				m := it.(map[string]any)
				if seen[m["id"].(float64)] || !strings.HasPrefix(m["mother_name"].(string), "Test Moeder ") {
					t.Fatalf("page %d: %s", pages, r)
				}
				seen[m["id"].(float64)] = true
			}
			next, ok := o["next_cursor"].(string)
			if !ok {
				if o["next_cursor"] != nil {
					t.Fatalf("next_cursor %v", o["next_cursor"])
				}
				break
			}
			target = route + "?status=new&limit=2&cursor=" + url.QueryEscape(next)
		}
		if len(seen) != n || pages != 3 {
			t.Fatalf("walked %d pages, %d notifications", pages, len(seen))
		}
		if got := birthListEvents(t, db, "birth.list") - before; got != pages {
			t.Errorf("%d list events for %d pages", got, pages)
		}

		// The team searches by a parent's name.
		r := f.must(t, "GET", route+"?q=moeder+c", route, "team_worker/own", "", http.StatusOK)
		if o := r.object(t); o["count"] != float64(1) || o["birth_notifications"].([]any)[0].(map[string]any)["mother_name"] != "Test Moeder C" {
			t.Errorf("search by name: %s", r)
		}
		// Opgroeien does not search names (and sees none).
		r = f.must(t, "GET", route+"?q=moeder", route, "admin", "", http.StatusOK)
		if o := r.object(t); o["count"] != float64(0) || strings.Contains(string(r.Body), "Test Moeder") {
			t.Errorf("admin's search by name: %s", r)
		}
		r = f.must(t, "GET", route+"?q=hulshout&limit=500", route, "admin", "", http.StatusOK)
		if o := r.object(t); o["count"] != float64(n) || strings.Contains(string(r.Body), "Test Moeder") {
			t.Errorf("admin's search by municipality: %s", r)
		}

		// The clinic finds its submission by its reference, sorted by it,
		// and never reads the family's data back.
		r = f.must(t, "GET", route+"?q=kz-003", route, "clinic/own", "", http.StatusOK)
		o := r.object(t)
		if o["count"] != float64(1) || o["birth_notifications"].([]any)[0].(map[string]any)["clinic_reference"] != "KZ-003" || o["next_cursor"] != nil {
			t.Errorf("clinic's search by reference: %s", r)
		}
		if strings.Contains(string(r.Body), "Test Moeder") || strings.Contains(string(r.Body), "Kerkstraat") {
			t.Errorf("the clinic reads the family's data back: %s", r)
		}
		r = f.must(t, "GET", route+"?sort=-reference&limit=2", route, "clinic/own", "", http.StatusOK)
		items := r.object(t)["birth_notifications"].([]any)
		if len(items) != 2 || items[0].(map[string]any)["clinic_reference"] != "KZ-004" || items[1].(map[string]any)["clinic_reference"] != "KZ-003" {
			t.Errorf("clinic's list by reference, descending: %s", r)
		}
		r = f.must(t, "GET", route+"?q=03-03-2025", route, "clinic/own", "", http.StatusOK)
		if o := r.object(t); o["count"] != float64(1) || o["birth_notifications"].([]any)[0].(map[string]any)["child_birth_date"] != "2025-03-03" {
			t.Errorf("clinic's search by date of birth: %s", r)
		}
		// The other clinic finds nothing of it.
		r = f.must(t, "GET", route+"?q=kz", route, "clinic/other", "", http.StatusOK)
		if r.object(t)["count"] != float64(0) {
			t.Errorf("another clinic's search: %s", r)
		}

		// Bad pages: a stable code naming the parameter.
		for q, want := range map[string][2]string{
			"?limit=0":             {apperr.Invalid, "limit"},
			"?limit=501":           {apperr.Invalid, "limit"},
			"?limit=many":          {apperr.Invalid, "limit"},
			"?sort=name":           {apperr.Invalid, "sort"},
			"?cursor=not-a-cursor": {page.InvalidCursor, "cursor"},
			"?sort=child_birth_date&cursor=" + page.Encode(page.Cursor{Sort: "-created_at", Value: "x", ID: 1}): {page.InvalidCursor, "cursor"},
			"?q=" + strings.Repeat("x", 201): {apperr.Invalid, "q"},
		} {
			r := f.must(t, "GET", route+q, route, "team_worker/own", "", http.StatusBadRequest)
			if r.errCode() != want[0] || !strings.Contains(string(r.Body), `"field":"`+want[1]+`"`) {
				t.Errorf("%s: %s", q, r)
			}
		}
		r = f.must(t, "GET", route+"?sort=municipality", route, "clinic/own", "", http.StatusBadRequest)
		if r.errCode() != apperr.Invalid {
			t.Errorf("clinic sorting by municipality: %s", r)
		}

		// The reference: at most 50 printable characters.
		long := strings.Replace(birthListBody(7), `"KZ-007"`, `"`+strings.Repeat("R", 51)+`"`, 1)
		r = f.must(t, "POST", route, route, "clinic/own", long, http.StatusBadRequest)
		if r.errCode() != apperr.FieldTooLong || !strings.Contains(string(r.Body), `"field":"clinic_reference"`) {
			t.Errorf("reference too long: %s", r)
		}
		ctl := strings.Replace(birthListBody(8), `"KZ-008"`, `"KZ\n008"`, 1)
		r = f.must(t, "POST", route, route, "clinic/own", ctl, http.StatusBadRequest)
		if r.errCode() != apperr.ReferenceInvalid || !strings.Contains(string(r.Body), `"field":"clinic_reference"`) {
			t.Errorf("reference with a line break: %s", r)
		}
	})
}
