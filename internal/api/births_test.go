package api_test

// End-to-end tests of the birth-notification routes through the real
// server on both databases: the contract bodies, the access
// matrix of every route × every role × own/other organisation, the
// clinic's view against a golden key list, batches. Every family in here
// is fictitious.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"kansrijk/internal/api"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/httpx"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// birthAPINow: the clinics' clock, shortly after the contract's date of birth.
var birthAPINow = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

// The contract body, its placeholders filled with a fictitious
// family.
const (
	birthContract = `{"mother": {"name": "An Peeters", "street": "Kerkstraat", "number": "12", "box": "", "postcode": "2235", "municipality_nis": "13016", "phone": "+32470000000", "email": "an@example.org", "language": "nl"}, "co_parent": {"name": "Bram Peeters", "street": "Kerkstraat", "number": "12", "box": "", "postcode": "2235", "municipality_nis": "13016", "phone": "+32470000001", "email": "bram@example.org", "language": "nl"}, "child_birth_date": "2025-03-01", "early_contact_requested": true}`
	// A family of Antwerpen: team-zuid's.
	birthZuid = `{"mother": {"name": "Els Wouters", "street": "Meir", "number": "1", "postcode": "2000", "municipality_nis": "11002", "phone": "+32470000002", "language": "fr"}, "child_birth_date": "2025-03-02"}`
	// A family in Brussels: no local team, Opgroeien's queue.
	birthBrussel = `{"mother": {"name": "Sofie Janssens", "street": "Grote Markt", "number": "1", "postcode": "1000", "municipality_nis": "21004", "email": "sofie@example.org", "language": "nl"}, "child_birth_date": "2025-03-03"}`
	birthCSVBad  = "naam_moeder;straat_moeder;huisnummer_moeder;postcode_moeder;nis_gemeente_moeder;telefoon_moeder;taal_moeder;geboortedatum_kind;vroeg_contact_gevraagd\n" +
		"Lies Maes;Kerkstraat;3;2235;13016;0470 00 00 03;nl;01/03/2025;ja\n" +
		"Mia Claes;Kerkstraat;5;2000;13016;0470 00 00 04;nl;02/03/2025;nee\n"
)

// birthPII is the contract family's personal data: never in an answer to
// a clinic or to anyone outside the team.
var birthPII = []string{"An Peeters", "Kerkstraat", "+32470000000", "an@example.org", "Bram"}

func newBirthFixture(t *testing.T, db *store.DB) *refFixture {
	t.Helper()
	f := newRefFixture(t, db)
	db.Now = func() time.Time { return birthAPINow }
	return f
}

func birthPath(id int64, action string) string {
	p := "/api/v1/birth-notifications/" + strconv.FormatInt(id, 10)
	if action != "" {
		p += "/" + action
	}
	return p
}

// notify posts a body as a clinic and returns the new id.
func (f *refFixture) notify(t *testing.T, who, body string) int64 {
	t.Helper()
	r := f.must(t, "POST", "/api/v1/birth-notifications", "/api/v1/birth-notifications", who, body, http.StatusCreated)
	return int64(r.object(t)["id"].(float64))
}

// postCSV sends a CSV batch.
func (f *refFixture) postCSV(t *testing.T, target, who, csv string) refResp {
	t.Helper()
	req := httptest.NewRequest("POST", target, strings.NewReader(csv))
	req.Header.Set("Content-Type", "text/csv; charset=utf-8")
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+f.users[who].Token)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return refResp{rec.Code, rec.Result().Header, rec.Body.Bytes()}
}

func sortedKeys(m map[string]any) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkGoldenKeys compares the keys of a JSON object with a golden file.
func checkGoldenKeys(t *testing.T, name string, obj map[string]any) {
	t.Helper()
	got := strings.Join(sortedKeys(obj), "\n") + "\n"
	path := filepath.Join("testdata", name)
	if *refUpdate {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("keys of %s:\n%s\nwant (testdata/%s):\n%s", name, got, name, want)
	}
}

// TestBirthContract: the contract on both databases.
func TestBirthContract(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newBirthFixture(t, db)
		r := f.must(t, "POST", "/api/v1/birth-notifications", "/api/v1/birth-notifications", "clinic/own", birthContract, http.StatusCreated)
		obj := r.object(t)
		if obj["id"] == nil || obj["team"] != "team-noord" || obj["status"] != "new" || obj["queue"] != "team" || obj["child_birth_date"] != "2025-03-01" {
			t.Fatalf("201 %s", r)
		}
		checkGoldenKeys(t, "birth_submission_keys.golden", obj)
		checkNoBirthPII(t, "the clinic's 201", r)
		id := int64(obj["id"].(float64))

		// Unknown fields: 400 unknown_field naming the field, at the top and in a parent.
		for field, body := range map[string]string{
			"national_register_number": strings.Replace(birthContract, `"child_birth_date"`, `"national_register_number": "85.07.30-033.28", "child_birth_date"`, 1),
			"rijksregisternummer":      strings.Replace(birthContract, `"language": "nl"}`, `"language": "nl", "rijksregisternummer": "85.07.30-033.28"}`, 1),
			"pregnancy_weeks":          strings.Replace(birthContract, `"early_contact_requested": true`, `"early_contact_requested": true, "pregnancy_weeks": 38`, 1),
		} {
			r := f.must(t, "POST", "/api/v1/birth-notifications", "/api/v1/birth-notifications", "clinic/own", body, http.StatusBadRequest)
			var e httpx.ErrorBody
			if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Code != apperr.UnknownField || e.Error.Field != field {
				t.Errorf("unknown field %s: %s", field, r)
			}
		}
		// A rule of the data set: its own code and the field.
		bad := strings.Replace(birthContract, `"postcode": "2235"`, `"postcode": "2000"`, 1)
		r = f.must(t, "POST", "/api/v1/birth-notifications", "/api/v1/birth-notifications", "clinic/own", bad, http.StatusBadRequest)
		if r.errCode() != apperr.PostcodeMismatch || !strings.Contains(string(r.Body), `"field":"mother.postcode"`) {
			t.Errorf("postcode of another municipality: %s", r)
		}
		if n := MustCountAPI(t, db, `SELECT count(*) FROM birth_notifications`); n != 1 {
			t.Fatalf("%d notifications after refused bodies", n)
		}

		// GET ?status=new: the clinic's own, status only.
		f.notify(t, "clinic/other", birthZuid)
		r = f.must(t, "GET", "/api/v1/birth-notifications?status=new", "/api/v1/birth-notifications", "clinic/own", "", http.StatusOK)
		list := r.object(t)
		items := list["birth_notifications"].([]any)
		if list["view"] != "clinic" || list["count"] != float64(1) || len(items) != 1 {
			t.Fatalf("clinic's list %s", r)
		}
		checkGoldenKeys(t, "birth_submission_keys.golden", items[0].(map[string]any))
		checkNoBirthPII(t, "the clinic's list", r)
		if r := f.must(t, "GET", "/api/v1/birth-notifications?status=picked_up", "/api/v1/birth-notifications", "clinic/own", "", http.StatusOK); r.object(t)["count"] != float64(0) {
			t.Errorf("picked_up %s", r)
		}
		// The team: its families, with the mother's name only (the team
		// may see its families' names; the page is audited).
		r = f.must(t, "GET", "/api/v1/birth-notifications?status=new", "/api/v1/birth-notifications", "team_worker/own", "", http.StatusOK)
		list = r.object(t)
		items = list["birth_notifications"].([]any)
		if list["view"] != "team" || len(items) != 1 || items[0].(map[string]any)["id"] != float64(id) || items[0].(map[string]any)["early_contact_requested"] != true ||
			items[0].(map[string]any)["mother_name"] != "An Peeters" || list["next_cursor"] != nil {
			t.Fatalf("team's list %s", r)
		}
		for _, s := range birthPII {
			if s != "An Peeters" && strings.Contains(string(r.Body), s) {
				t.Errorf("the team's list holds the family's %q: %s", s, r)
			}
		}
		// Opgroeien's view: no personal data at all.
		r = f.must(t, "GET", "/api/v1/birth-notifications?status=new", "/api/v1/birth-notifications", "admin", "", http.StatusOK)
		checkNoBirthPII(t, "the admin's list", r)
		// Opening one shows the parents, audited.
		r = f.must(t, "GET", birthPath(id, ""), "/api/v1/birth-notifications/{id}", "team_worker/own", "", http.StatusOK)
		if m := r.object(t)["mother"].(map[string]any); m["name"] != "An Peeters" || r.object(t)["co_parent"].(map[string]any)["name"] != "Bram Peeters" {
			t.Fatalf("team's read %s", r)
		}
		if evs := birthAPIEvents(t, db, id, "birth.read"); len(evs) != 1 {
			t.Fatalf("read audit %d", len(evs))
		}

		// First contact, then the clinic sees picked_up.
		body := `{"on": "2025-03-05", "channel": "phone", "reached": true, "home_visit_planned": true, "version": 1}`
		r = f.must(t, "POST", birthPath(id, "contacts"), "/api/v1/birth-notifications/{id}/contacts", "team_worker/own", body, http.StatusCreated)
		if o := r.object(t); o["status"] != "contacted" || o["first_contact_on"] != "2025-03-05" {
			t.Fatalf("contact %s", r)
		}
		r = f.must(t, "POST", birthPath(id, "contacts"), "/api/v1/birth-notifications/{id}/contacts", "team_worker/own", body, http.StatusConflict)
		if r.errCode() != apperr.Conflict {
			t.Errorf("stale version %s", r)
		}
		r = f.must(t, "GET", birthPath(id, ""), "/api/v1/birth-notifications/{id}", "clinic/own", "", http.StatusOK)
		if o := r.object(t); o["status"] != "picked_up" {
			t.Fatalf("clinic's view %s", r)
		}
		checkGoldenKeys(t, "birth_submission_keys.golden", r.object(t))
		checkNoBirthPII(t, "the clinic's read", r)

		// The Opgroeien queue, visibly.
		r = f.must(t, "POST", "/api/v1/birth-notifications", "/api/v1/birth-notifications", "clinic/own", birthBrussel, http.StatusCreated)
		if o := r.object(t); o["team"] != "" || o["queue"] != "opgroeien" {
			t.Fatalf("Brussels %s", r)
		}
		r = f.must(t, "GET", "/api/v1/birth-notifications?queue=opgroeien", "/api/v1/birth-notifications", "admin", "", http.StatusOK)
		if r.object(t)["count"] != float64(1) {
			t.Fatalf("queue %s", r)
		}

		// A referral from the notification: a draft, with the parents.
		r = f.must(t, "POST", birthPath(id, "referral"), "/api/v1/birth-notifications/{id}/referral", "team_worker/own", `{"criteria": ["income"]}`, http.StatusCreated)
		if o := r.object(t); o["status"] != "draft" || len(o["parents"].([]any)) != 2 {
			t.Fatalf("referral %s", r)
		}

		// The report: the first quarter has ended and settled by the API's
		// clock (June); the store's clock moves there too.
		f.db.Now = func() time.Time { return refNow }
		r = f.must(t, "GET", "/api/v1/reports/birth-notifications?from=2025-01&to=2025-03", "/api/v1/reports/birth-notifications", "analyst", "", http.StatusOK)
		if o := r.object(t); len(o["months"].([]any)) != 3 || o["total"] != "<5" { // three notifications: a small count
			t.Fatalf("report %s", r)
		}
		f.must(t, "GET", "/api/v1/reports/birth-notifications?from=2025-04&to=2025-03", "/api/v1/reports/birth-notifications", "analyst", "", http.StatusBadRequest)
	})
}

// TestBirthSession: a clinic may also use its browser session.
func TestBirthSession(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newBirthFixture(t, db)
	balie := storetest.Users(t, db, "zonnedal.test", storetest.U{Name: "balie", Role: "clinic", Org: "clinic-zonnedal"})
	sess := balie.Session(t, "balie")
	post := func(csrf string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/api/v1/birth-notifications", strings.NewReader(birthContract))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: sess.Secret})
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		return rec
	}
	// A session cookie alone does not reach the API (a cross-site form
	// could send it); with the session's CSRF token in the header it does.
	if rec := post(""); rec.Code != http.StatusUnauthorized {
		t.Fatalf("session without CSRF header: %d %s", rec.Code, rec.Body)
	}
	if rec := post("wrong-" + sess.CSRF); rec.Code != http.StatusUnauthorized {
		t.Fatalf("session with a wrong CSRF header: %d %s", rec.Code, rec.Body)
	}
	if rec := post(sess.CSRF); rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"team":"team-noord"`) {
		t.Fatalf("with a session and its CSRF header: %d %s", rec.Code, rec.Body)
	}
}

// TestBirthBatchAPI: the row report, partial acceptance only on request,
// idempotency.
func TestBirthBatchAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newBirthFixture(t, db)
		const route = "/api/v1/birth-notifications/batches"
		r := f.postCSV(t, route, "clinic/own", birthCSVBad)
		if r.Code != http.StatusOK {
			t.Fatalf("a file with a bad row: %s", r)
		}
		f.checkSchema(t, "POST", route, r)
		var rep struct {
			Accepted bool `json:"accepted"`
			Created  int  `json:"created"`
			Existing int  `json:"existing"`
			Rows     []struct {
				Row    int    `json:"row"`
				Status string `json:"status"`
				ID     int64  `json:"id"`
			} `json:"rows"`
			Problems []struct {
				Row                   int
				Column, Code, Message string
			} `json:"problems"`
		}
		decode := func(r refResp) {
			t.Helper()
			rep.Rows, rep.Problems = nil, nil
			if err := json.Unmarshal(r.Body, &rep); err != nil {
				t.Fatal(err)
			}
		}
		decode(r)
		if rep.Accepted || rep.Created != 0 || len(rep.Problems) != 1 || rep.Problems[0].Row != 3 || rep.Problems[0].Column != "postcode_moeder" ||
			rep.Problems[0].Code != apperr.PostcodeMismatch || !strings.Contains(rep.Problems[0].Message, "hoort niet bij Hulshout") ||
			rep.Rows[0].Status != "not_imported" || rep.Rows[1].Status != "rejected" {
			t.Fatalf("report %s", r)
		}
		if n := MustCountAPI(t, db, `SELECT count(*) FROM birth_notifications`); n != 0 {
			t.Fatalf("a rejected file stored %d", n)
		}
		r = f.postCSV(t, route+"?accept_partial=true", "clinic/own", birthCSVBad)
		if r.Code != http.StatusCreated {
			t.Fatalf("partial: %s", r)
		}
		f.checkSchema(t, "POST", route, r)
		decode(r)
		if !rep.Accepted || rep.Created != 1 || rep.Rows[0].Status != "created" || rep.Rows[0].ID == 0 || rep.Rows[1].Status != "rejected" {
			t.Fatalf("partial report %s", r)
		}
		r = f.postCSV(t, route+"?accept_partial=true", "clinic/own", birthCSVBad)
		decode(r)
		if r.Code != http.StatusOK || rep.Created != 0 || rep.Existing != 1 || !strings.Contains(string(r.Body), `"already_received":true`) {
			t.Fatalf("the same file again: %s", r)
		}
		if n := MustCountAPI(t, db, `SELECT count(*) FROM birth_notifications`); n != 1 {
			t.Fatalf("%d notifications after the same file twice", n)
		}
		// Refused files.
		r = f.postCSV(t, route, "clinic/own", "naam_moeder;rijksregisternummer\nAn;85.07.30-033.28\n")
		if r.Code != http.StatusBadRequest || r.errCode() != apperr.UnknownColumn || !strings.Contains(string(r.Body), `"field":"rijksregisternummer"`) {
			t.Fatalf("unknown column %s", r)
		}
		f.checkSchema(t, "POST", route, r)
		r = f.do(t, "POST", route, "clinic/own", `{"mother": {}}`)
		if r.Code != http.StatusBadRequest || !strings.Contains(string(r.Body), "text/csv") {
			t.Fatalf("JSON to the batch route %s", r)
		}
		if r = f.postCSV(t, route+"?accept_partial=maybe", "clinic/own", birthCSVBad); r.Code != http.StatusBadRequest {
			t.Fatalf("accept_partial=maybe %s", r)
		}
	})
}

// birthEndpoint is one route of the access matrix.
type birthEndpoint struct {
	method, route, body string
	// state prepares a notification of team-noord by clinic/own (specific
	// routes only).
	state func(f *refFixture, t *testing.T) int64
	csv   bool
	// allowed gives the status per user; everything else is 404 for a
	// specific notification, 403 for the lists, creation and report.
	allowed map[string]int
}

func (f *refFixture) noordBirth(t *testing.T) int64 { return f.notify(t, "clinic/own", birthContract) }

// duplicatePair notifies the contract family twice (two clinics) and
// returns the second.
func (f *refFixture) duplicatePair(t *testing.T) int64 {
	t.Helper()
	f.notify(t, "clinic/own", birthContract)
	return f.notify(t, "clinic/other", strings.Replace(birthContract, `"An Peeters"`, `"PEETERS, An"`, 1))
}

var birthMatrix = []birthEndpoint{
	{method: "POST", route: "/api/v1/birth-notifications", body: birthContract, allowed: map[string]int{"clinic/own": 201, "clinic/other": 201}},
	{method: "GET", route: "/api/v1/birth-notifications", allowed: map[string]int{
		"clinic/own": 200, "clinic/other": 200, "team_lead/own": 200, "team_lead/other": 200, "team_worker/own": 200, "team_worker/other": 200, "admin": 200}},
	{method: "POST", route: "/api/v1/birth-notifications/batches", csv: true, allowed: map[string]int{"clinic/own": 201, "clinic/other": 201}},
	{method: "GET", route: "/api/v1/birth-notifications/{id}", state: (*refFixture).noordBirth, allowed: map[string]int{
		"clinic/own": 200, "team_lead/own": 200, "team_worker/own": 200, "admin": 200}},
	{method: "POST", route: "/api/v1/birth-notifications/{id}/contacts", state: (*refFixture).noordBirth, body: `{"channel": "phone", "reached": false}`,
		allowed: map[string]int{"team_lead/own": 201, "team_worker/own": 201, "admin": 403}},
	{method: "POST", route: "/api/v1/birth-notifications/{id}/merge", state: (*refFixture).duplicatePair, body: `{"into": 0}`,
		allowed: map[string]int{"team_lead/own": 200, "team_worker/own": 403, "admin": 403}},
	{method: "POST", route: "/api/v1/birth-notifications/{id}/referral", state: (*refFixture).noordBirth, body: `{}`,
		allowed: map[string]int{"team_lead/own": 201, "team_worker/own": 201, "admin": 403}},
	{method: "GET", route: "/api/v1/reports/birth-notifications", allowed: map[string]int{"admin": 200, "analyst": 200}},
}

// TestBirthAccessMatrix: every route × every role, own and other
// organisation, on both databases. A clinic sees only its own
// submissions, a team only its area's families; everyone else gets 404
// for a notification (identical to a missing one, audited) and 403 for
// the lists.
func TestBirthAccessMatrix(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newBirthFixture(t, db)
		// Each side has one of its own: the lists must hold only those.
		noord := f.notify(t, "clinic/own", birthContract)
		zuid := f.notify(t, "clinic/other", birthZuid)
		for who, want := range map[string][]int64{"clinic/own": {noord}, "clinic/other": {zuid}, "team_worker/own": {noord}, "team_lead/other": {zuid}, "admin": {zuid, noord}} {
			r := f.must(t, "GET", "/api/v1/birth-notifications", "/api/v1/birth-notifications", who, "", http.StatusOK)
			var got []int64
			for _, it := range r.object(t)["birth_notifications"].([]any) {
				got = append(got, int64(it.(map[string]any)["id"].(float64)))
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s lists %v, want %v", who, got, want)
			}
		}
		missing := f.do(t, "GET", birthPath(999999, ""), "team_worker/other", "")

		csvN := 0
		for _, ep := range birthMatrix {
			for _, u := range refUsers {
				if u.Label == "ocmw_worker/own2" {
					continue
				}
				var id int64
				target := ep.route
				if ep.state != nil {
					id = ep.state(f, t)
					target = strings.Replace(ep.route, "{id}", strconv.FormatInt(id, 10), 1)
				}
				body := ep.body
				if ep.route == "/api/v1/birth-notifications/{id}/merge" {
					body = `{"into": ` + strconv.FormatInt(id-1, 10) + `}`
				}
				want, ok := ep.allowed[u.Label]
				if !ok {
					want = http.StatusForbidden
					if ep.state != nil {
						want = http.StatusNotFound
					}
				}
				var r refResp
				if ep.csv {
					csvN++
					r = f.postCSV(t, target, u.Label, strings.Replace(birthCSVBad, "Mia Claes;Kerkstraat;5;2000", "Mia Claes;Kerkstraat;5;2235", 1)+
						"Nora Peeters "+strconv.Itoa(csvN)+";Kerkstraat;7;2235;13016;0470 00 00 05;nl;03/03/2025;nee\n")
				} else {
					r = f.do(t, ep.method, target, u.Label, body)
				}
				if r.Code != want {
					t.Errorf("%s %s as %s: %s, want %d", ep.method, ep.route, u.Label, r, want)
					continue
				}
				if r.Code >= 400 {
					f.checkSchema(t, ep.method, ep.route, r)
					checkNoBirthPII(t, ep.method+" "+ep.route+" as "+u.Label, r)
				}
				if r.Code == http.StatusNotFound {
					var a, b httpx.ErrorBody
					_ = json.Unmarshal(r.Body, &a)
					_ = json.Unmarshal(missing.Body, &b)
					if a.Error != b.Error {
						t.Errorf("%s %s as %s: %s differs from a missing notification's %s", ep.method, ep.route, u.Label, r, missing)
					}
					if evs := birthAPIEvents(t, db, id, "birth.access_denied"); len(evs) == 0 || evs[0].ActorRole != u.Role {
						t.Errorf("%s %s as %s: denied attempt not audited: %+v", ep.method, ep.route, u.Label, evs)
					}
				}
				if u.Role == "clinic" && r.Code < 300 && ep.method == "GET" {
					checkNoBirthPII(t, ep.method+" "+ep.route+" as "+u.Label, r)
				}
			}
			// Anonymous: 401.
			target := strings.Replace(ep.route, "{id}", strconv.FormatInt(noord, 10), 1)
			if r := f.do(t, ep.method, target, "", ep.body); r.Code != http.StatusUnauthorized {
				t.Errorf("%s %s anonymous: %s", ep.method, ep.route, r)
			}
		}
	})
}

// TestBirthErrorCodesDocumented: every stable code of birth notifications
// is in the fragment's BirthErrorCode.
func TestBirthErrorCodesDocumented(t *testing.T) {
	f := &refFixture{}
	var err error
	f.doc, err = loadDoc()
	if err != nil {
		t.Fatal(err)
	}
	s := f.doc.Components.Schemas["BirthErrorCode"].Value
	for _, c := range []string{apperr.NameRequired, apperr.FieldTooLong, apperr.AddressRequired, apperr.PostcodeInvalid, apperr.PostcodeMismatch,
		apperr.MunicipalityRequired, apperr.MunicipalityUnknown, apperr.MunicipalityNotValid, apperr.ContactRequired, apperr.PhoneInvalid,
		apperr.EmailInvalid, apperr.LanguageRequired, apperr.LanguageUnsupported, apperr.BirthDateRequired, apperr.BirthDateInvalid,
		apperr.BirthDateFuture, apperr.BirthDateTooOld, apperr.BooleanInvalid, apperr.DuplicateRow, apperr.ColumnCount, apperr.UnknownColumn,
		apperr.MissingColumn, apperr.DuplicateColumn, apperr.EmptyFile, apperr.EncodingInvalid, apperr.CSVMalformed, apperr.TooManyRows,
		apperr.NotDuplicate, apperr.UnknownField} {
		if !slices.Contains(s.Enum, any(c)) || !strings.Contains(s.Description, "`"+c+"`") {
			t.Errorf("code %s is not documented in BirthErrorCode", c)
		}
		if httpx.Status(c) != http.StatusBadRequest {
			t.Errorf("code %s maps to %d", c, httpx.Status(c))
		}
	}
}

func checkNoBirthPII(t *testing.T, what string, r refResp) {
	t.Helper()
	for _, s := range birthPII {
		if strings.Contains(string(r.Body), s) {
			t.Errorf("%s: the answer holds the family's %q: %s", what, s, r)
		}
	}
}

// MustCountAPI runs a count query.
func MustCountAPI(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// birthAPIEvents lists the audit events of one notification with an action, newest first.
func birthAPIEvents(t *testing.T, db *store.DB, id int64, action string) []audit.Event {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), audit.Filter{Action: action, ObjectType: "birth_notification", ObjectID: strconv.FormatInt(id, 10), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func loadDoc() (*openapi3.T, error) { return openapi3.NewLoader().LoadFromData(api.OpenAPIDocument) }
