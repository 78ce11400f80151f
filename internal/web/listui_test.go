package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/outreach"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// Issue 12's leftovers (listui): the service accounts page paged, the
// outreach contacts' own list, phones as people write them, and every
// problem at once in the admin forms.

// rowsOf counts the rows of a list page whose ids start with prefix.
func rowsOf(body, prefix string) int { return strings.Count(body, `<tr id="`+prefix) }

// linkOf returns the href of the pager's link rel (next, prev), unescaped.
func linkOf(body, rel string) string {
	i := strings.Index(body, `" rel="`+rel+`"`)
	if i < 0 {
		return ""
	}
	j := strings.LastIndex(body[:i], `href="`)
	return strings.ReplaceAll(body[j+len(`href="`):i], "&amp;", "&")
}

func TestListuiServiceAccountsPaged(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newBirthsWorld(t, db)
		admin := w.login("admin")
		ctx := context.Background()
		a := w.users.Actor(t, "admin")
		for i := range 53 {
			if _, _, err := db.CreateServiceAccount(ctx, a, account.NewServiceAccount{Name: fmt.Sprintf("Koppeling %02d", i), Org: "team-noord", Label: "sleutel"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := db.CreateServiceAccount(ctx, a, account.NewServiceAccount{Name: "Verlossingssysteem", Org: "clinic-zonnig", Label: "epd"}); err != nil {
			t.Fatal(err)
		}
		r := admin.get("/service-accounts")
		wantStatus(t, "first page", r, 200)
		if n := rowsOf(r.Body, "service-account-"); n != 50 {
			t.Fatalf("first page: %d rows, want 50", n)
		}
		wantIn(t, "first page", r, `aria-sort="ascending"`, `id="list-q"`, "Service-accounts op deze pagina: 50")
		next := linkOf(r.Body, "next")
		if next == "" || linkOf(r.Body, "prev") != "" {
			t.Fatalf("first page: next %q", next)
		}
		r = admin.get(next)
		if n := rowsOf(r.Body, "service-account-"); n != 4 {
			t.Fatalf("second page: %d rows, want 4", n)
		}
		if linkOf(r.Body, "next") != "" || linkOf(r.Body, "prev") == "" {
			t.Errorf("second page: the pager is wrong")
		}
		// Back to the first page from the second.
		if r = admin.get(linkOf(r.Body, "prev")); rowsOf(r.Body, "service-account-") != 50 {
			t.Errorf("previous page: %d rows", rowsOf(r.Body, "service-account-"))
		}
		// Search by name, organisation or a token's label.
		for q, want := range map[string]int{"verlossing": 1, "zonnig": 1, "epd": 1, "koppeling 1": 10} {
			r = admin.get("/service-accounts?q=" + url.QueryEscape(q))
			if n := rowsOf(r.Body, "service-account-"); n != want {
				t.Errorf("q=%s: %d rows, want %d", q, n, want)
			}
		}
		r = admin.get("/service-accounts?q=niets")
		wantIn(t, "nothing found", r, "Niets gevonden")
		// Sorted by name, descending: Verlossingssysteem, then Koppeling 52.
		r = admin.get("/service-accounts?sort=-name")
		if i, j := strings.Index(r.Body, "Verlossingssysteem"), strings.Index(r.Body, "Koppeling 52"); i < 0 || j < 0 || i > j {
			t.Errorf("sort=-name: order wrong (%d, %d)", i, j)
		}
		wantIn(t, "sort=-name", r, `aria-sort="descending"`)
		r = admin.get("/service-accounts?sort=kleur")
		wantStatus(t, "unknown sort", r, 400)
		// Others than administrators: refused.
		wantStatus(t, "worker", w.login("worker").get("/service-accounts"), 403)
	})
}

func TestListuiOutreachContacts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newBirthsWorld(t, db)
		ctx := context.Background()
		sys := account.System("test")
		var ids []int64
		for i := range 52 {
			fn := outreach.PovertyOfficer
			if i%2 == 1 {
				fn = outreach.GeneralDirector
			}
			c, err := db.CreateContact(ctx, sys, outreach.NewContact{MunicipalityNIS: "13016", Function: string(fn),
				Name: fmt.Sprintf("Contact%02d Peeters", i), Email: fmt.Sprintf("c%02d@hulshout.example", i), Phone: "+3215224011"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		if _, err := db.CreateContact(ctx, sys, outreach.NewContact{MunicipalityNIS: "11002", Function: "other",
			Name: "Zuidcontact Janssens", Email: "z@antwerpen.example", Phone: "+31201234567"}); err != nil {
			t.Fatal(err)
		}
		// A campaign reached contact 3 (its attendance import linked it).
		camp, err := db.CreateCampaign(ctx, sys, outreach.NewCampaign{Kind: "webinar", On: "2026-03-01", Subject: "Webinar armoede",
			Audience: "list", Municipalities: []string{"13016"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.RecordAttendance(ctx, sys, camp.ID, []outreach.AttendanceRow{{MunicipalityNIS: "13016", Registered: true, Attended: true, ContactID: ids[3]}}); err != nil {
			t.Fatal(err)
		}

		worker := w.login("worker")
		r := worker.get("/outreach/contacts")
		wantStatus(t, "contacts", r, 200)
		if n := rowsOf(r.Body, "contact-"); n != 50 {
			t.Fatalf("first page: %d rows, want 50\n%s", n, excerpt(r.Body))
		}
		wantNotIn(t, "another team's area", r, "Zuidcontact")
		// Phones as people write them, dialled in E.164.
		wantIn(t, "phone", r, `<a href="tel:&#43;3215224011">015 22 40 11</a>`, "Contactpersonen op deze pagina: 50", "10-03-2026")
		next := linkOf(r.Body, "next")
		if r = worker.get(next); rowsOf(r.Body, "contact-") != 2 {
			t.Errorf("second page: %d rows, want 2", rowsOf(r.Body, "contact-"))
		}
		for _, c := range []struct {
			query string
			want  int
		}{
			{"q=Contact07", 1},
			{"q=zuidcontact", 0},
			{"function=general_director", 26},
			{"function=general_director&q=Contact0", 5},
			{"municipality=13016&sort=-name", 50},
			{"campaign=" + fmt.Sprint(camp.ID), 1},
			{"from=11/3/2026", 0},
			{"from=10/3/2026&to=2026-03-10&function=poverty_officer", 26},
			{"to=09-03-2026", 0},
		} {
			r = worker.get("/outreach/contacts?" + c.query)
			wantStatus(t, c.query, r, 200)
			if n := rowsOf(r.Body, "contact-"); n != c.want {
				t.Errorf("%s: %d rows, want %d", c.query, n, c.want)
			}
		}
		// The filters stay in the URL: the next page and the sort links keep them.
		r = worker.get("/outreach/contacts?function=poverty_officer&from=10/3/2026")
		wantIn(t, "filters kept", r, `value="10-03-2026"`, `<option value="poverty_officer" selected>`,
			`name="function" value="poverty_officer"`, "sort=name")
		// Dates as people type them; what is no date, said next to the field.
		r = worker.get("/outreach/contacts?from=gisteren&to=1/1/2026&function=burgemeester")
		wantStatus(t, "wrong filters", r, 400)
		wantFormErrors(t, "wrong filters", r, "from", "function")
		wantIn(t, "wrong filters", r, `value="gisteren"`)
		r = worker.get("/outreach/contacts?from=10/3/2026&to=1/3/2026")
		wantFormErrors(t, "range", r, "to")
		// Another team sees its own area only; roles without outreach access are refused.
		r = w.login("zuid").get("/outreach/contacts")
		wantIn(t, "zuid", r, "Zuidcontact Janssens", `<a href="tel:&#43;31201234567">&#43;31 20 123 4567</a>`)
		wantNotIn(t, "zuid", r, "Contact07 Peeters")
		wantStatus(t, "analyst", w.login("analyst").get("/outreach/contacts"), 403)
		wantStatus(t, "clinic", w.login("clinic").get("/outreach/contacts"), 403)
		// Linked from the municipality page, the overview and the campaign.
		wantIn(t, "municipality page", worker.get("/outreach/municipalities/13016"), `href="/outreach/contacts?municipality=13016"`)
		wantIn(t, "overview", worker.get("/outreach"), `href="/outreach/contacts"`)
		wantIn(t, "campaign", worker.get(fmt.Sprintf("/outreach/campaigns/%d", camp.ID)), fmt.Sprintf(`href="/outreach/contacts?campaign=%d"`, camp.ID))
	})
}

func TestListuiPhonesAsPeopleWriteThem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newBirthsWorld(t, db)
		worker := w.login("worker")
		loc := worker.post("/referrals", goodReferral())
		m := referralIDRE.FindStringSubmatch(loc.Location)
		if m == nil {
			t.Fatalf("create referral: %d %s\n%s", loc.Status, loc.Location, excerpt(loc.Body))
		}
		r := worker.get("/referrals/" + m[1])
		wantIn(t, "referral", r, `<a href="tel:&#43;32470000000">0470 00 00 00</a>`)
		wantNotIn(t, "referral", r, ">&#43;32470000000<", ">+32470000000<")
		// The team's own number on its page.
		admin := w.login("admin")
		r = admin.post("/teams/team-noord", url.Values{"name": {"Lokaal team Noord"}, "phone": {"093301234"}, "email": {"noord@kansrijk.example"},
			"municipality": {"13016", "12014"}, "valid_from": {"11-03-2026"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("team contact: %d\n%s", r.Status, excerpt(r.Body))
		}
		wantIn(t, "team page", worker.get("/teams/team-noord"), `<a href="tel:&#43;3293301234">09 330 12 34</a>`)
		// The edit form offers the number as people write it too.
		wantIn(t, "team form", admin.get("/teams/team-noord/edit"), `value="09 330 12 34"`)
	})
}

func TestListuiAdminFormsShowEveryProblem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newBirthsWorld(t, db)
		admin := w.login("admin")
		long := strings.Repeat("x", 201)

		r := admin.post("/users", url.Values{"name": {long}, "role": {"koning"}, "org": {""}})
		wantStatus(t, "user", r, 400)
		wantFormErrors(t, "user", r, "email", "name", "role", "org")
		wantIn(t, "user", r, `value="`+long+`"`, "verplicht")

		r = admin.post("/clinics", url.Values{"name": {""}, "slug": {"Zonnig Twee!"}})
		wantStatus(t, "clinic", r, 400)
		wantFormErrors(t, "clinic", r, "name", "slug")
		wantIn(t, "clinic", r, `value="Zonnig Twee!"`)
		// No key typed: it is made from the name, so only the name is missing.
		r = admin.post("/clinics", url.Values{"name": {""}, "slug": {""}})
		wantFormErrors(t, "clinic without key", r, "name")
		wantNotIn(t, "clinic without key", r, `id="slug-error"`)

		r = admin.post("/service-accounts", url.Values{"name": {""}, "org": {"bestaat-niet"}, "label": {strings.Repeat("l", 101)}})
		wantStatus(t, "service account", r, 400)
		wantFormErrors(t, "service account", r, "name", "org", "label")
		// The list stays under the form's problems.
		wantIn(t, "service account", r, `id="service-accounts"`)

		// The API answers carry every problem in "errors".
		token := w.users.Token(t, "admin")
		for _, c := range []struct {
			path, body string
			fields     []string
		}{
			{"/api/v1/users", `{"email": "", "name": "` + long + `", "role": "koning", "organisation": ""}`, []string{"email", "name", "role", "organisation"}},
			{"/api/v1/clinics", `{"key": "Zonnig Twee!", "name": ""}`, []string{"name", "key"}},
			{"/api/v1/service-accounts", `{"name": "", "organisation": "bestaat-niet", "label": "` + strings.Repeat("l", 101) + `"}`, []string{"name", "label", "organisation"}},
		} {
			req, _ := http.NewRequest("POST", w.srv.URL+c.path, strings.NewReader(c.body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(res.Body)
			res.Body.Close()
			var body struct {
				Error struct {
					Errors []struct{ Code, Field string } `json:"errors"`
				} `json:"error"`
			}
			if err := json.Unmarshal(data, &body); err != nil || res.StatusCode != 400 {
				t.Errorf("%s: %d %s", c.path, res.StatusCode, data)
				continue
			}
			var got []string
			for _, e := range body.Error.Errors {
				got = append(got, e.Field)
			}
			if strings.Join(got, ",") != strings.Join(c.fields, ",") {
				t.Errorf("%s: problems of %v, want %v\n%s", c.path, got, c.fields, data)
			}
		}
	})
}
