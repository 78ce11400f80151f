package api_test

// End-to-end tests of the agreement routes through the real server
// (server.New over a fresh database of every backend), with bearer tokens
// for the API and a session cookie for the web routes (generated PDFs and
// the map). Every JSON answer is checked against the schema that
// openapi.json documents for its route and status.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"kansrijk/internal/i18n"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/xuri/excelize/v2"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/api"
	"kansrijk/internal/audit"
	"kansrijk/internal/chart"
	"kansrijk/internal/httpx"
	"kansrijk/internal/org"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// agrNow is the clock of the fixture: mid 2025, after the mergers.
var agrNow = time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)

// agrFixture is a server over a fresh database with two local teams and a
// user (with an API token) per role that matters here.
type agrFixture struct {
	db  *store.DB
	srv *server.Server
	doc *openapi3.T
	// users by name: admin, lead (team-noord), leadzuid (team-zuid),
	// ocmwadmin (ocmw-13016), clinic, analyst; each is created, given a
	// token or signed in on first use.
	users *storetest.Accounts
}

// newAgrFixture builds the world of the store tests: team-noord (Hulshout
// 13016, Heist-op-den-Berg 12014, Herselt 13013) and team-zuid (Borsbeek
// 11007 and Kortessem 73040 until 2024, then Antwerpen 11002 and Hasselt
// 71072).
func newAgrFixture(t *testing.T, db *store.DB) *agrFixture {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return agrNow }
	sys := account.System("test")
	buildTeams(t, db)
	if _, err := db.CreateClinic(ctx, sys, org.NewClinic{Key: "clinic-zonnedal", Name: "Kraamkliniek Zonnedal"}); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	return &agrFixture{db: db, srv: srv, doc: agrOpenAPI(t), users: storetest.Users(t, db, "example.test",
		storetest.U{Name: "admin", Role: "admin", Org: "opgroeien"},
		storetest.U{Name: "lead", Role: "team_lead", Org: "team-noord"},
		storetest.U{Name: "leadzuid", Role: "team_lead", Org: "team-zuid"},
		storetest.U{Name: "ocmwadmin", Role: "ocmw_admin", Org: "ocmw-13016"},
		storetest.U{Name: "clinic", Role: "clinic", Org: "clinic-zonnedal"},
		storetest.U{Name: "analyst", Role: "analyst", Org: "opgroeien"},
	)}
}

// agrOpenAPI loads the embedded OpenAPI document.
func agrOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPIDocument)
	if err != nil {
		t.Fatalf("load openapi.json: %v", err)
	}
	return doc
}

// agrResp is a recorded answer.
type agrResp struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (r agrResp) String() string {
	if len(r.Body) > 600 {
		return fmt.Sprintf("%d %s…", r.Code, r.Body[:600])
	}
	return fmt.Sprintf("%d %s", r.Code, r.Body)
}

// do sends a request through the server. who is a user name of the
// fixture ("" for none); body is JSON unless contentType says otherwise.
func (f *agrFixture) do(t *testing.T, method, target, who string, body []byte, contentType ...string) agrResp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+f.users.Token(t, who))
	}
	if body != nil {
		ct := "application/json"
		if len(contentType) > 0 {
			ct = contentType[0]
		}
		req.Header.Set("Content-Type", ct)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return agrResp{rec.Code, rec.Result().Header, rec.Body.Bytes()}
}

// web sends a GET with the session cookie of who, signed in on first use ("" for
// an anonymous visitor).
func (f *agrFixture) web(t *testing.T, target, who string) agrResp {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	if who != "" {
		req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: f.users.Cookie(t, who)})
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return agrResp{rec.Code, rec.Result().Header, rec.Body.Bytes()}
}

// call sends a JSON request, checks the status, checks the answer against
// the schema documented for (method, route, status) and decodes it into
// out (if not nil).
func (f *agrFixture) call(t *testing.T, method, target, route, who string, in any, want int, out any) agrResp {
	t.Helper()
	var body []byte
	if in != nil {
		var err error
		if s, ok := in.(string); ok {
			body = []byte(s)
		} else if body, err = json.Marshal(in); err != nil {
			t.Fatal(err)
		}
	}
	r := f.do(t, method, target, who, body)
	if r.Code != want {
		t.Fatalf("%s %s as %q: status %s, want %d", method, target, who, r, want)
	}
	f.checkSchema(t, method, route, r)
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, target, err)
		}
	}
	return r
}

// checkSchema checks a JSON answer against the documented schema.
func (f *agrFixture) checkSchema(t *testing.T, method, route string, r agrResp) {
	t.Helper()
	item := f.doc.Paths.Value(route)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("%s %s is not documented", method, route)
	}
	resp := item.GetOperation(method).Responses.Status(r.Code)
	if resp == nil || resp.Value == nil {
		t.Fatalf("%s %s: status %d is not documented", method, route, r.Code)
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		t.Fatalf("%s %s: status %d has no JSON schema", method, route, r.Code)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: Content-Type %q, want JSON", method, route, ct)
	}
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("%s %s: not JSON: %v", method, route, err)
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.EnableFormatValidation(), openapi3.MultiErrors()); err != nil {
		t.Errorf("%s %s (%d): the answer does not match the documented schema: %v\n%s", method, route, r.Code, err, r)
	}
}

// wantErr checks an error answer: status, code, and the Error schema.
func (f *agrFixture) wantErr(t *testing.T, r agrResp, method, route string, status int, code string) {
	t.Helper()
	if r.Code != status {
		t.Fatalf("%s %s: status %s, want %d %s", method, route, r, status, code)
	}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("%s %s: error %s, want code %s with a message", method, route, r.Body, code)
	}
	f.checkSchema(t, method, route, r)
}

// agrJSON is the agreement as the API gives it.
type agrJSON struct {
	ID              int64   `json:"id"`
	Team            string  `json:"team"`
	Recipient       string  `json:"recipient"`
	MunicipalityNIS string  `json:"municipality_nis"`
	Municipality    string  `json:"municipality"`
	Status          string  `json:"status"`
	Since           *string `json:"since"`
	PredecessorID   int64   `json:"predecessor_id"`
	SuccessorID     int64   `json:"successor_id"`
	Version         *struct {
		Version       int `json:"version"`
		RetentionDays int `json:"retention_days"`
	} `json:"version"`
	Events []struct {
		ID          int64  `json:"id"`
		Status      string `json:"status"`
		EffectiveOn string `json:"effective_on"`
		CorrectedBy int64  `json:"corrected_by"`
		Corrects    int64  `json:"corrects"`
	} `json:"events"`
	Documents []struct {
		ID     int64  `json:"id"`
		SHA256 string `json:"sha256"`
	} `json:"documents"`
}

func (f *agrFixture) agreement(t *testing.T, id int64, who string) agrJSON {
	t.Helper()
	var a agrJSON
	f.call(t, "GET", fmt.Sprintf("/api/v1/agreements/%d", id), "/api/v1/agreements/{id}", who, nil, 200, &a)
	return a
}

// create starts an agreement through the API.
func (f *agrFixture) create(t *testing.T, who, team, nis, status, on string) agrJSON {
	t.Helper()
	var a agrJSON
	f.call(t, "POST", "/api/v1/agreements", "/api/v1/agreements", who,
		map[string]string{"team": team, "municipality_nis": nis, "status": status, "effective_on": on}, 201, &a)
	return a
}

// stepBody is a valid event body for a status on a day.
func stepBody(status, on string) map[string]any {
	b := map[string]any{"status": status, "effective_on": on}
	switch status {
	case "approved":
		b["council_decision_on"], b["council_reference"] = on, "RMW/"+on+"/7"
	case "signed":
		b["signatures"] = []map[string]string{
			{"function": "administrator_general", "name": "Anaïs Vercruyssen", "signed_on": on},
			{"function": "council_chair", "name": "Jérôme Dubois", "signed_on": on},
			{"function": "general_director", "name": "Zoë Van den Brœck", "signed_on": on},
		}
	case "ended":
		b["reason"] = "opgezegd"
	}
	return b
}

// step records one step through the API and expects 201.
func (f *agrFixture) step(t *testing.T, who string, id int64, status, on string) {
	t.Helper()
	f.call(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/events", id), "/api/v1/agreements/{id}/events", who, stepBody(status, on), 201, nil)
}

// walk records the steps in order, on the given days.
func (f *agrFixture) walk(t *testing.T, id int64, steps ...string) {
	t.Helper()
	for i := 0; i+1 < len(steps); i += 2 {
		f.step(t, "admin", id, steps[i], steps[i+1])
	}
}

func TestAgreementLifecycleAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newAgrFixture(t, db)
		const events, route = "/api/v1/agreements/%d/events", "/api/v1/agreements/{id}/events"

		// The team lead signs up its municipality: interested, 201.
		a := f.create(t, "lead", "team-noord", "13016", "", "2023-05-02")
		if a.Status != "interested" || a.Recipient != "ocmw-13016" || a.Municipality != "Hulshout" || a.Since == nil || *a.Since != "2023-05-02" ||
			a.Version == nil || a.Version.Version != 1 || a.Version.RetentionDays != 90 || len(a.Events) != 1 {
			t.Fatalf("new agreement = %+v", a)
		}
		target := fmt.Sprintf(events, a.ID)

		// Refused steps: 409 invalid_transition, and nothing changes.
		refuse := func(name string, body any, status int, code string) {
			t.Helper()
			before := f.agreement(t, a.ID, "admin")
			f.wantErr(t, f.do(t, "POST", target, "admin", mustJSON(t, body)), "POST", route, status, code)
			after := f.agreement(t, a.ID, "admin")
			if len(after.Events) != len(before.Events) || after.Status != before.Status || *after.Since != *before.Since {
				t.Errorf("%s: a refused step changed the agreement: %+v → %+v", name, before, after)
			}
		}
		refuse("active before signed", stepBody("active", "2023-06-01"), 409, "invalid_transition")
		refuse("signed before approved", stepBody("signed", "2023-06-01"), 409, "invalid_transition")
		refuse("date before the previous step", stepBody("draft", "2023-05-01"), 409, "invalid_transition")
		refuse("unknown status", map[string]any{"status": "bogus"}, 400, "invalid")
		refuse("unknown field", map[string]any{"status": "draft", "colour": "red"}, 400, "unknown_field")
		refuse("bad date", map[string]any{"status": "draft", "effective_on": "2023-02-30"}, 400, "invalid_date")

		// The whole way to active, every step 201.
		f.step(t, "lead", a.ID, "draft", "2023-06-01")
		refuse("approved without reference", map[string]any{"status": "approved", "effective_on": "2023-09-01"}, 400, "invalid")
		f.step(t, "ocmwadmin", a.ID, "approved", "2023-09-01")
		sigs := stepBody("signed", "2023-10-01")
		sigs["signatures"] = sigs["signatures"].([]map[string]string)[:2]
		refuse("two signatures", sigs, 400, "invalid")
		f.step(t, "ocmwadmin", a.ID, "signed", "2023-10-01")
		// The OCMW admin may not activate.
		f.wantErr(t, f.do(t, "POST", target, "ocmwadmin", mustJSON(t, stepBody("active", "2023-11-01"))), "POST", route, 403, "forbidden")
		f.step(t, "lead", a.ID, "active", "2023-11-01")
		refuse("draft after active", stepBody("draft", "2023-12-01"), 409, "invalid_transition")
		refuse("withdrawn after active", stepBody("withdrawn", "2023-12-01"), 409, "invalid_transition")

		got := f.agreement(t, a.ID, "lead")
		var statuses []string
		for _, e := range got.Events {
			statuses = append(statuses, e.Status+"@"+e.EffectiveOn)
		}
		if want := "interested@2023-05-02 draft@2023-06-01 approved@2023-09-01 signed@2023-10-01 active@2023-11-01"; strings.Join(statuses, " ") != want || got.Status != "active" || *got.Since != "2023-11-01" {
			t.Errorf("history %q (status %s since %s), want %q", strings.Join(statuses, " "), got.Status, *got.Since, want)
		}

		// A correction is a new event; the old one stays, marked.
		var ev struct {
			ID       int64 `json:"id"`
			Corrects int64 `json:"corrects"`
		}
		f.call(t, "POST", target, route, "admin", map[string]any{"corrects": got.Events[1].ID, "effective_on": "2023-06-05", "note": "datum verkeerd overgenomen"}, 201, &ev)
		got = f.agreement(t, a.ID, "admin")
		if len(got.Events) != 6 || got.Events[1].CorrectedBy != ev.ID || ev.Corrects != got.Events[1].ID {
			t.Errorf("after the correction: %+v", got.Events)
		}

		// A second open agreement for the pair: 409 conflict.
		f.wantErr(t, f.do(t, "POST", "/api/v1/agreements", "admin", mustJSON(t, map[string]string{"team": "team-noord", "municipality_nis": "13016"})),
			"POST", "/api/v1/agreements", 409, "conflict")
		// Outside the team's area, or an unknown municipality: 400.
		f.wantErr(t, f.do(t, "POST", "/api/v1/agreements", "admin", mustJSON(t, map[string]string{"team": "team-noord", "municipality_nis": "11002"})),
			"POST", "/api/v1/agreements", 400, "invalid")
		f.wantErr(t, f.do(t, "POST", "/api/v1/agreements", "admin", mustJSON(t, map[string]string{"team": "team-noord", "municipality_nis": "99999"})),
			"POST", "/api/v1/agreements", 400, "invalid")
		// active as a first step: invalid_transition.
		f.wantErr(t, f.do(t, "POST", "/api/v1/agreements", "admin", mustJSON(t, map[string]string{"team": "team-noord", "municipality_nis": "12014", "status": "active"})),
			"POST", "/api/v1/agreements", 409, "invalid_transition")

		// Parameters: a new version.
		var v struct {
			Version        int  `json:"version"`
			RetentionDays  int  `json:"retention_days"`
			StatusFeedback bool `json:"status_feedback"`
		}
		f.call(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/versions", a.ID), "/api/v1/agreements/{id}/versions", "lead",
			map[string]any{"retention_days": 60, "status_feedback": false, "protocol_reference": "PROT-2023-17", "dpo_advice_on": "2023-08-15",
				"publication_url": "https://www.hulshout.be/protocol"}, 202, &v)
		if v.Version != 2 || v.RetentionDays != 60 || v.StatusFeedback {
			t.Errorf("new version = %+v", v)
		}
		// The agreement is signed: the change applies once the OCMW approves it.
		f.call(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/versions/2/approve", a.ID), "/api/v1/agreements/{id}/versions/{v}/approve", "ocmwadmin",
			map[string]any{}, 200, nil)
		if got := f.agreement(t, a.ID, "lead"); got.Version.Version != 2 || got.Version.RetentionDays != 60 {
			t.Errorf("version in force after approval = %+v", got.Version)
		}
		f.wantErr(t, f.do(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/versions", a.ID), "admin", mustJSON(t, map[string]any{"retention_days": 0})),
			"POST", "/api/v1/agreements/{id}/versions", 400, "invalid")

		// Lists, with filters.
		b := f.create(t, "admin", "team-noord", "12014", "draft", "2024-02-01")
		var list struct {
			Count      int       `json:"count"`
			Agreements []agrJSON `json:"agreements"`
		}
		f.call(t, "GET", "/api/v1/agreements", "/api/v1/agreements", "admin", nil, 200, &list)
		if list.Count != 2 {
			t.Errorf("list: %d agreements, want 2", list.Count)
		}
		f.call(t, "GET", "/api/v1/agreements?status=active", "/api/v1/agreements", "admin", nil, 200, &list)
		if list.Count != 1 || list.Agreements[0].ID != a.ID {
			t.Errorf("status=active: %+v", list.Agreements)
		}
		f.call(t, "GET", "/api/v1/agreements?status=draft&province=Antwerpen", "/api/v1/agreements", "admin", nil, 200, &list)
		if list.Count != 1 || list.Agreements[0].ID != b.ID {
			t.Errorf("status=draft&province=Antwerpen: %+v", list.Agreements)
		}
		f.wantErr(t, f.do(t, "GET", "/api/v1/agreements?status=bogus", "admin", nil), "GET", "/api/v1/agreements", 400, "invalid")
		f.wantErr(t, f.do(t, "GET", "/api/v1/agreements", "", nil), "GET", "/api/v1/agreements", 401, "unauthorized")
		f.wantErr(t, f.do(t, "GET", "/api/v1/agreements/999999", "admin", nil), "GET", "/api/v1/agreements/{id}", 404, "not_found")
		f.wantErr(t, f.do(t, "GET", "/api/v1/agreements/abc", "admin", nil), "GET", "/api/v1/agreements/{id}", 404, "not_found")

		// Every change left an audit record, the refused ones none: the
		// start, four steps, the correction, the proposed version and its approval.
		if n := countAudit(t, db, a.ID); n != 8 {
			t.Errorf("audit records of agreement %d: %d, want 8", a.ID, n)
		}
	})
}

func countAudit(t *testing.T, db *store.DB, id int64) int {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), audit.Filter{ObjectType: "agreement", ObjectID: strconv.FormatInt(id, 10)})
	if err != nil {
		t.Fatalf("audit events: %v", err)
	}
	return len(evs)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reportJSON is the report as the API gives it.
type reportJSON struct {
	AsOf           string         `json:"as_of"`
	Region         string         `json:"region"`
	Counts         map[string]int `json:"counts"`
	SignedUp       int            `json:"signed_up"`
	InForce        int            `json:"in_force"`
	Total          int            `json:"total"`
	Municipalities []struct {
		NIS         string `json:"nis"`
		Name        string `json:"name"`
		Province    string `json:"province"`
		Status      string `json:"status"`
		Since       string `json:"since"`
		Team        string `json:"team"`
		AgreementID int64  `json:"agreement_id"`
	} `json:"municipalities"`
}

// rows gives the report as the table of the CSV and the XLSX.
func (r reportJSON) rows() [][]string {
	out := [][]string{{"nis", "name", "province", "status", "since", "team", "agreement_id"}}
	for _, m := range r.Municipalities {
		id := ""
		if m.AgreementID != 0 {
			id = strconv.FormatInt(m.AgreementID, 10)
		}
		out = append(out, []string{m.NIS, m.Name, m.Province, m.Status, m.Since, m.Team, id})
	}
	return out
}

// history builds agreements with a known history through the API.
func (f *agrFixture) history(t *testing.T) (hulshout, borsbeek, herselt int64) {
	t.Helper()
	a := f.create(t, "admin", "team-noord", "13016", "interested", "2023-05-02")
	f.walk(t, a.ID, "draft", "2023-06-01", "approved", "2023-09-01", "signed", "2023-10-01", "active", "2023-11-01")
	b := f.create(t, "admin", "team-zuid", "11007", "draft", "2023-04-01")
	f.walk(t, b.ID, "approved", "2023-05-15", "signed", "2023-06-01", "active", "2023-07-01")
	c := f.create(t, "admin", "team-noord", "13013", "interested", "2024-03-01")
	f.walk(t, c.ID, "withdrawn", "2024-04-01")
	return a.ID, b.ID, c.ID
}

func TestAgreementReportAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newAgrFixture(t, db)
		hulshout, borsbeek, herselt := f.history(t)
		const route = "/api/v1/reports/agreements"
		report := func(query string) reportJSON {
			t.Helper()
			var r reportJSON
			f.call(t, "GET", route+"?"+query, route, "clinic", nil, 200, &r) // any signed-in user
			sum := 0
			for _, n := range r.Counts {
				sum += n
			}
			if len(r.Counts) != 9 || sum != r.Total || r.Total != len(r.Municipalities) {
				t.Errorf("%s: counts %v sum to %d, total %d, %d municipalities", query, r.Counts, sum, r.Total, len(r.Municipalities))
			}
			return r
		}

		// Before the first event: every municipality is none.
		r := report("as_of=2023-03-08")
		if r.AsOf != "2023-03-08" || r.Region != "flanders" || r.Total != 300 || r.Counts["none"] != 300 || r.SignedUp != 0 || r.InForce != 0 {
			t.Errorf("2023-03-08: as_of %s region %s total %d counts %v signed up %d in force %d", r.AsOf, r.Region, r.Total, r.Counts, r.SignedUp, r.InForce)
		}
		for _, m := range r.Municipalities {
			if m.Status != "none" || m.Since != "" || m.AgreementID != 0 {
				t.Fatalf("2023-03-08: %+v, want none", m)
			}
		}

		// Mid 2024: Hulshout and Borsbeek active, Herselt withdrawn.
		r = report("as_of=2024-06-01")
		want := map[string]struct {
			status, since string
			id            int64
		}{"13016": {"active", "2023-11-01", hulshout}, "11007": {"active", "2023-07-01", borsbeek}, "13013": {"withdrawn", "2024-04-01", herselt}}
		for _, m := range r.Municipalities {
			w, ok := want[m.NIS]
			if !ok {
				w.status = "none"
			}
			if m.Status != w.status || m.Since != w.since || m.AgreementID != w.id {
				t.Errorf("2024-06-01: %s is %s since %q (#%d), want %s since %q (#%d)", m.NIS, m.Status, m.Since, m.AgreementID, w.status, w.since, w.id)
			}
		}
		if r.SignedUp != 2 || r.InForce != 2 || r.Counts["active"] != 2 || r.Counts["withdrawn"] != 1 || r.Counts["none"] != 297 {
			t.Errorf("2024-06-01: signed up %d, in force %d, counts %v", r.SignedUp, r.InForce, r.Counts)
		}
		// During the lifecycle: on 2023-09-15 Hulshout is approved.
		if m := findMun(report("as_of=2023-09-15"), "13016"); m.Status != "approved" || m.Since != "2023-09-01" || m.Team != "team-noord" {
			t.Errorf("Hulshout on 2023-09-15: %+v", m)
		}
		// known_at: what had been recorded by the end of 2025-01-01 —
		// nothing, since the fixture's clock records everything on 2025-06-02.
		if r := report("as_of=2024-06-01&known_at=2025-01-01"); r.SignedUp != 0 {
			t.Errorf("known_at before anything was recorded: signed up %d", r.SignedUp)
		}
		// After the mergers: 285 municipalities, Borsbeek is gone.
		r = report("as_of=2025-01-01")
		if r.Total != 285 || findMun(r, "11007").NIS != "" {
			t.Errorf("2025-01-01: total %d; Borsbeek %+v", r.Total, findMun(r, "11007"))
		}
		if r := report("as_of=2024-06-01&region=brussels"); r.Total != 19 || r.Region != "brussels" {
			t.Errorf("Brussels: total %d region %s", r.Total, r.Region)
		}
		if r := report("as_of=2024-06-01&region=all"); r.Total != 319 {
			t.Errorf("all: total %d", r.Total)
		}

		// CSV and XLSX hold the same table as the JSON, row by row.
		for _, asOf := range []string{"2023-03-08", "2024-06-01", "2025-01-01"} {
			t.Run(asOf, func(t *testing.T) {
				r := report("as_of=" + asOf)
				wantRows := localized(t, db, i18n.NL, r.rows())

				c := f.do(t, "GET", route+"?as_of="+asOf+"&format=csv", "admin", nil)
				if c.Code != 200 || !strings.HasPrefix(c.Header.Get("Content-Type"), "text/csv") {
					t.Fatalf("CSV: %d %s", c.Code, c.Header.Get("Content-Type"))
				}
				if cd := c.Header.Get("Content-Disposition"); !strings.Contains(cd, "overeenkomsten-"+asOf+".csv") {
					t.Errorf("CSV Content-Disposition %q", cd)
				}
				csvRows := readCSV(t, c.Body)
				compareRows(t, "CSV", wantRows, csvRows)

				x := f.do(t, "GET", route+"?as_of="+asOf+"&format=xlsx", "admin", nil)
				if x.Code != 200 || x.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
					t.Fatalf("XLSX: %d %s", x.Code, x.Header.Get("Content-Type"))
				}
				compareRows(t, "XLSX", wantRows, readXLSX(t, x.Body))

				// lang=en: English headers and words.
				e := f.do(t, "GET", route+"?as_of="+asOf+"&format=csv&lang=en", "admin", nil)
				compareRows(t, "CSV lang=en", localized(t, db, i18n.EN, r.rows()), readCSV(t, e.Body))
			})
		}

		// Errors: bad date, region, format; no login.
		f.wantErr(t, f.do(t, "GET", route+"?as_of=2023-02-30", "admin", nil), "GET", route, 400, "invalid_date")
		f.wantErr(t, f.do(t, "GET", route+"?known_at=yesterday", "admin", nil), "GET", route, 400, "invalid_date")
		f.wantErr(t, f.do(t, "GET", route+"?region=wallonia", "admin", nil), "GET", route, 400, "invalid")
		f.wantErr(t, f.do(t, "GET", route+"?format=pdf", "admin", nil), "GET", route, 400, "invalid")
		f.wantErr(t, f.do(t, "GET", route+"?format=csv&lang=fr", "admin", nil), "GET", route, 400, "invalid")
		f.wantErr(t, f.do(t, "GET", route, "", nil), "GET", route, 401, "unauthorized")
	})
}

func findMun(r reportJSON, nis string) (m struct {
	NIS         string `json:"nis"`
	Name        string `json:"name"`
	Province    string `json:"province"`
	Status      string `json:"status"`
	Since       string `json:"since"`
	Team        string `json:"team"`
	AgreementID int64  `json:"agreement_id"`
}) {
	for _, x := range r.Municipalities {
		if x.NIS == nis {
			return x
		}
	}
	return m
}

// readCSV checks the UTF-8 byte order mark and reads the rest as CSV with
// ';' as separator.
func readCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	bom := []byte("\uFEFF")
	if !bytes.HasPrefix(body, bom) {
		t.Fatalf("the CSV does not start with the UTF-8 BOM: % x", body[:min(8, len(body))])
	}
	rd := csv.NewReader(bytes.NewReader(body[len(bom):]))
	rd.Comma = ';'
	rows, err := rd.ReadAll()
	if err != nil {
		t.Fatalf("read CSV: %v", err)
	}
	return rows
}

// readXLSX opens the workbook and returns the rows of its only sheet, each
// padded to the width of the header.
func readXLSX(t *testing.T, body []byte) [][]string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("open XLSX: %v", err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) != 1 {
		t.Fatalf("XLSX sheets %v, want one", sheets)
	}
	rows, err := x.GetRows(sheets[0])
	if err != nil {
		t.Fatalf("XLSX rows: %v", err)
	}
	if len(rows) > 0 {
		for i := range rows {
			for len(rows[i]) < len(rows[0]) {
				rows[i] = append(rows[i], "")
			}
		}
	}
	return rows
}

func compareRows(t *testing.T, what string, want, got [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d (header + one per municipality)", what, len(got), len(want))
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("%s row %d = %q, JSON says %q", what, i, got[i], want[i])
		}
	}
}

func TestPublicRegisterAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newAgrFixture(t, db)
		hulshout, _, _ := f.history(t)
		f.call(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/versions", hulshout), "/api/v1/agreements/{id}/versions", "admin",
			map[string]any{"protocol_reference": "PROT-2023-17", "publication_url": "https://www.hulshout.be/protocol"}, 202, nil)
		f.call(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/versions/2/approve", hulshout), "/api/v1/agreements/{id}/versions/{v}/approve", "ocmwadmin",
			map[string]any{}, 200, nil)
		const route = "/api/v1/public/agreements"

		// No login needed.
		var reg struct {
			On             string `json:"on"`
			Count          int    `json:"count"`
			Municipalities []struct {
				NIS, Name, Status, SignedUpOn, ApprovedOn, SignedOn, ActiveFrom, EndedOn, ProtocolReference, PublicationURL string
				Version                                                                                                     int
			} `json:"municipalities"`
		}
		r := f.call(t, "GET", route+"?on=2024-06-01", route, "", nil, 200, &reg)
		if reg.On != "2024-06-01" || reg.Count != 300+19 || len(reg.Municipalities) != reg.Count {
			t.Errorf("register on 2024-06-01: on %s, count %d (%d rows)", reg.On, reg.Count, len(reg.Municipalities))
		}
		var raw struct {
			Municipalities []map[string]any `json:"municipalities"`
		}
		_ = json.Unmarshal(r.Body, &raw)
		for _, m := range raw.Municipalities {
			if m["nis"] == "13016" {
				want := map[string]any{"status": "active", "signed_up_on": "2023-05-02", "approved_on": "2023-09-01", "signed_on": "2023-10-01",
					"active_from": "2023-11-01", "version": float64(2), "protocol_reference": "PROT-2023-17", "publication_url": "https://www.hulshout.be/protocol"}
				for k, v := range want {
					if m[k] != v {
						t.Errorf("register Hulshout %s = %v, want %v", k, m[k], v)
					}
				}
			}
		}
		// No personal names: neither the signatories nor who recorded what.
		for _, leak := range []string{"Vercruyssen", "Dubois", "Brœck", "@example.test", "RMW/"} {
			if bytes.Contains(r.Body, []byte(leak)) {
				t.Errorf("the public register holds %q", leak)
			}
		}
		// Before any event: all none.
		f.call(t, "GET", route+"?on=2023-03-08", route, "", nil, 200, &raw)
		for _, m := range raw.Municipalities {
			if m["status"] != "none" {
				t.Fatalf("register on 2023-03-08: %v", m)
			}
		}
		// CSV (BOM, ';') and XLSX without login, the same number of rows.
		c := f.do(t, "GET", route+"?on=2024-06-01&format=csv&lang=codes", "", nil)
		if c.Code != 200 {
			t.Fatalf("register CSV: %s", c)
		}
		rows := readCSV(t, c.Body)
		if len(rows) != reg.Count+1 || rows[0][0] != "nis" {
			t.Errorf("register CSV: %d rows, header %v", len(rows), rows[0])
		}
		x := f.do(t, "GET", route+"?on=2024-06-01&format=xlsx&lang=codes", "", nil)
		if x.Code != 200 {
			t.Fatalf("register XLSX: %s", x)
		}
		compareRows(t, "register XLSX", rows, readXLSX(t, x.Body))
		f.wantErr(t, f.do(t, "GET", route+"?on=2024-13-01", "", nil), "GET", route, 400, "invalid_date")
		// A wrong token is refused, also here.
		req := httptest.NewRequest("GET", route, nil)
		req.Header.Set("Authorization", "Bearer krt_bogus")
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		f.wantErr(t, agrResp{rec.Code, rec.Result().Header, rec.Body.Bytes()}, "GET", route, 401, "unauthorized")
	})
}

func TestAgreementDocumentsAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newAgrFixture(t, db)
		a := f.create(t, "admin", "team-noord", "13016", "draft", "2023-06-01")
		f.walk(t, a.ID, "approved", "2023-09-01", "signed", "2023-10-01")
		const route = "/api/v1/agreements/{id}/documents"
		upload := fmt.Sprintf("/api/v1/agreements/%d/documents", a.ID)

		// The signed copy: the generated PDF stands in for a scan.
		pdf := f.web(t, fmt.Sprintf("/agreements/%d/pdf/samenwerkingsovereenkomst.pdf", a.ID), "admin").Body
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("generated document is not a PDF: %q", pdf[:min(20, len(pdf))])
		}
		// The client's file name is never kept: not in the answer, not in
		// the Content-Disposition of the download.
		// A line break in the name (a header injection) is refused before
		// anything is read; any other hostile name is simply not kept.
		if r := f.do(t, "POST", upload+"?kind=cooperation&filename="+url.QueryEscape("../../x.pdf\"\r\nX-Evil: 1"), "ocmwadmin", pdf, "application/pdf"); r.Code != 400 || !strings.Contains(string(r.Body), `"invalid_text"`) {
			t.Fatalf("upload with CR LF in the name: %s", r)
		}
		r := f.do(t, "POST", upload+"?kind=cooperation&filename="+url.QueryEscape("../../x.pdf\"; X-Evil: 1"), "ocmwadmin", pdf, "application/pdf")
		if r.Code != 201 {
			t.Fatalf("upload: %s", r)
		}
		f.checkSchema(t, "POST", route, r)
		var doc struct {
			ID       int64  `json:"id"`
			Kind     string `json:"kind"`
			Filename string `json:"filename"`
			Size     int    `json:"size"`
			SHA256   string `json:"sha256"`
		}
		_ = json.Unmarshal(r.Body, &doc)
		sum := sha256.Sum256(pdf)
		if doc.SHA256 != hex.EncodeToString(sum[:]) || doc.Size != len(pdf) || doc.Kind != "cooperation" || doc.Filename != fmt.Sprintf("agreement-%d-%d.pdf", a.ID, doc.ID) {
			t.Errorf("uploaded %+v; sha256 of the bytes %x, size %d", doc, sum, len(pdf))
		}

		// Download: the same bytes.
		d := f.do(t, "GET", fmt.Sprintf("/api/v1/agreements/%d/documents/%d", a.ID, doc.ID), "lead", nil)
		if d.Code != 200 || d.Header.Get("Content-Type") != "application/pdf" || !bytes.Equal(d.Body, pdf) || d.Header.Get("X-Content-SHA256") != doc.SHA256 {
			t.Errorf("download: %d %s, %d bytes (want %d), sha256 header %q", d.Code, d.Header.Get("Content-Type"), len(d.Body), len(pdf), d.Header.Get("X-Content-SHA256"))
		}
		if _, params, err := mime.ParseMediaType(d.Header.Get("Content-Disposition")); err != nil || params["filename"] != fmt.Sprintf("agreement-%d-%d.pdf", a.ID, doc.ID) {
			t.Errorf("download Content-Disposition %q: %v", d.Header.Get("Content-Disposition"), err)
		}
		if d.Header.Get("X-Evil") != "" || strings.Contains(d.Header.Get("Content-Disposition"), "..") {
			t.Errorf("the client's file name reached the headers: %v", d.Header)
		}
		var stored string
		if err := db.SQL().QueryRow(`SELECT filename FROM agreement_documents WHERE id = $1`, doc.ID).Scan(&stored); err != nil || stored != fmt.Sprintf("agreement-%d-%d.pdf", a.ID, doc.ID) {
			t.Errorf("stored file name %q, %v", stored, err)
		}
		if got := f.agreement(t, a.ID, "admin"); len(got.Documents) != 1 || got.Documents[0].SHA256 != doc.SHA256 {
			t.Errorf("agreement documents: %+v", got.Documents)
		}
		f.wantErr(t, f.do(t, "GET", fmt.Sprintf("/api/v1/agreements/%d/documents/999", a.ID), "admin", nil), "GET", "/api/v1/agreements/{id}/documents/{doc}", 404, "not_found")
		f.wantErr(t, f.do(t, "GET", fmt.Sprintf("/api/v1/agreements/%d/documents/%d", a.ID, doc.ID), "leadzuid", nil), "GET", "/api/v1/agreements/{id}/documents/{doc}", 404, "not_found")

		// Refused: not a PDF, a PDF header over a body that does not parse,
		// wrong Content-Type, wrong kind, empty, too large, no right.
		f.wantErr(t, f.do(t, "POST", upload+"?kind=cooperation", "admin", []byte("Dit is geen PDF, maar een tekst."), "application/pdf"), "POST", route, 400, "invalid")
		garbage := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("rommel "), 500)...)
		f.wantErr(t, f.do(t, "POST", upload+"?kind=cooperation", "admin", garbage, "application/pdf"), "POST", route, 400, "invalid_pdf")
		f.wantErr(t, f.do(t, "POST", upload+"?kind=cooperation", "admin", pdf, "application/octet-stream"), "POST", route, 400, "invalid")
		f.wantErr(t, f.do(t, "POST", upload+"?kind=contract", "admin", pdf, "application/pdf"), "POST", route, 400, "invalid")
		f.wantErr(t, f.do(t, "POST", upload+"?kind=cooperation", "admin", []byte{}, "application/pdf"), "POST", route, 400, "invalid")
		big := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0"), agreement.MaxDocumentSize)...)
		f.wantErr(t, f.do(t, "POST", upload+"?kind=cooperation", "admin", big, "application/pdf"), "POST", route, 413, "body_too_large")
		huge := append(big, bytes.Repeat([]byte("0"), 1<<20)...)
		f.wantErr(t, f.do(t, "POST", upload+"?kind=cooperation", "admin", huge, "application/pdf"), "POST", route, 413, "body_too_large")
		f.wantErr(t, f.do(t, "POST", upload+"?kind=cooperation", "clinic", pdf, "application/pdf"), "POST", route, 403, "forbidden")
		f.wantErr(t, f.do(t, "POST", upload+"?kind=cooperation", "leadzuid", pdf, "application/pdf"), "POST", route, 404, "not_found")
		// Exactly the limit is accepted (a real PDF, padded after its end).
		limit := append(append([]byte{}, pdf...), bytes.Repeat([]byte("\n"), agreement.MaxDocumentSize-len(pdf))...)
		if r := f.do(t, "POST", upload+"?kind=other", "admin", limit, "application/pdf"); r.Code != 201 {
			t.Errorf("a PDF of exactly %d bytes: %s", agreement.MaxDocumentSize, r)
		}
		if got := f.agreement(t, a.ID, "admin"); len(got.Documents) != 2 {
			t.Errorf("%d documents after the refused uploads, want 2", len(got.Documents))
		}
	})
}

// pdfToText extracts the text of a PDF with pdftotext and collapses the
// whitespace.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is required in CI")
		}
		t.Skip("pdftotext not installed")
	}
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestGeneratedAgreementPDFs(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newAgrFixture(t, db)
		a := f.create(t, "admin", "team-noord", "13016", "draft", "2023-06-01")
		f.walk(t, a.ID, "approved", "2023-09-01", "signed", "2023-10-01")
		for _, name := range []string{"samenwerkingsovereenkomst", "verwerkingsovereenkomst"} {
			t.Run(name, func(t *testing.T) {
				target := fmt.Sprintf("/agreements/%d/pdf/%s.pdf", a.ID, name)
				r := f.web(t, target, "lead")
				if r.Code != 200 || r.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
					t.Fatalf("%s: %d %s", target, r.Code, r.Header.Get("Content-Type"))
				}
				text := pdfToText(t, r.Body)
				for _, want := range []string{
					// Both parties and the municipality.
					"Lokaal team Noord", "OCMW Hulshout", "Hulshout", "13016",
					// The four data items, nothing else.
					"naam", "adres", "telefoonnummer", "e-mailadres",
					// Accents and Dutch quotes come out right.
					"„Lokaal team Noord”",
				} {
					if !strings.Contains(text, want) {
						t.Errorf("%s lacks %q", name, want)
					}
				}
				if name == "samenwerkingsovereenkomst" {
					for _, want := range []string{"decreet van 9 februari 2018", "decreet van 4 februari 2022", "Vóór elke doorgifte", "beëindiging",
						"Anaïs Vercruyssen", "Jérôme Dubois", "Zoë Van den Brœck", "90 dagen"} {
						if !strings.Contains(text, want) {
							t.Errorf("%s lacks %q", name, want)
						}
					}
				} else if !strings.Contains(text, "geïnformeerd") || !strings.Contains(text, "één") {
					t.Errorf("%s lacks its accented words (geïnformeerd, één)", name)
				}
			})
		}
		// Without a session: to the login page; another team's lead: 404.
		if r := f.web(t, fmt.Sprintf("/agreements/%d/pdf/samenwerkingsovereenkomst.pdf", a.ID), ""); r.Code != http.StatusSeeOther {
			t.Errorf("anonymous PDF: %d", r.Code)
		}
		if r := f.web(t, fmt.Sprintf("/agreements/%d/pdf/samenwerkingsovereenkomst.pdf", a.ID), "leadzuid"); r.Code != 404 {
			t.Errorf("another team's PDF: %d, want 404", r.Code)
		}
		if r := f.web(t, fmt.Sprintf("/agreements/%d/pdf/iets-anders.pdf", a.ID), "admin"); r.Code != 404 {
			t.Errorf("unknown document: %d, want 404", r.Code)
		}
	})
}

// mapPath is one municipality of the map.
type mapPath struct{ NIS, Status, Fill string }

// parseMap reads the <path data-nis> elements of the SVG.
func parseMap(t *testing.T, svg []byte) []mapPath {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var out []mapPath
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the map is not well-formed XML: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "path" {
			continue
		}
		var p mapPath
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "data-nis":
				p.NIS = a.Value
			case "data-status":
				p.Status = a.Value
			case "fill":
				p.Fill = a.Value
			}
		}
		if p.NIS != "" {
			out = append(out, p)
		}
	}
	return out
}

func TestAgreementMapSVG(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newAgrFixture(t, db)
		f.history(t)
		for _, c := range []struct {
			asOf string
			n    int
		}{{"2023-03-08", 300}, {"2024-06-01", 300}, {"2024-12-31", 300}, {"2025-01-01", 285}, {"2025-06-01", 285}} {
			t.Run(c.asOf, func(t *testing.T) {
				r := f.web(t, "/reports/agreements/map.svg?as_of="+c.asOf, "") // public, like the register
				if r.Code != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "image/svg+xml") {
					t.Fatalf("map: %d %s", r.Code, r.Header.Get("Content-Type"))
				}
				if n := bytes.Count(r.Body, []byte("<path data-nis")); n != c.n {
					t.Errorf("%d <path data-nis>, want %d", n, c.n)
				}
				var rep reportJSON
				f.call(t, "GET", "/api/v1/reports/agreements?as_of="+c.asOf, "/api/v1/reports/agreements", "admin", nil, 200, &rep)
				status := map[string]string{}
				for _, m := range rep.Municipalities {
					status[m.NIS] = m.Status
				}
				paths := parseMap(t, r.Body)
				seen := map[string]bool{}
				for _, p := range paths {
					if seen[p.NIS] {
						t.Errorf("%s drawn twice", p.NIS)
					}
					seen[p.NIS] = true
					if p.Fill != chart.StatusColors[p.Status] || p.Fill == "" {
						t.Errorf("%s (%s) is filled %s, want %s", p.NIS, p.Status, p.Fill, chart.StatusColors[p.Status])
					}
					if p.Status != status[p.NIS] {
						t.Errorf("%s is %s on the map, %q in the report", p.NIS, p.Status, status[p.NIS])
					}
				}
				if len(seen) != len(status) {
					t.Errorf("the map has %d municipalities, the report %d", len(seen), len(status))
				}
				if c.asOf == "2024-06-01" {
					for nis, want := range map[string]string{"13016": "active", "11007": "active", "13013": "withdrawn", "11002": "none"} {
						if got := statusOf(paths, nis); got != want {
							t.Errorf("map 2024-06-01: %s is %q, want %s", nis, got, want)
						}
					}
				}
			})
		}
		// Bad dates, dates before the municipalities of 2019 and dates far
		// ahead (the timeline would draw every month up to them): 400.
		for _, target := range []string{"/reports/agreements/map.svg?as_of=2024-02-30", "/reports/agreements/map.svg?as_of=2018-12-31",
			"/reports/agreements/timeline.svg?as_of=9999-12-31", "/reports/agreements/map.svg?as_of=9999-12-31"} {
			if r := f.web(t, target, ""); r.Code != 400 {
				t.Errorf("%s: %d, want 400", target, r.Code)
			}
		}
		for _, target := range []string{"/reports/agreements?as_of=2018-06-01", "/reports/agreements?as_of=2999-01-01"} {
			if r := f.web(t, target, "analyst"); r.Code != 400 || !bytes.Contains(r.Body, []byte("Kies een datum van 01-01-2019 tot")) {
				t.Errorf("%s: %d, want 400 with a Dutch message", target, r.Code)
			}
		}
		if r := f.web(t, "/register?on=2018-06-01", ""); r.Code != 400 {
			t.Errorf("register before 2019: %d, want 400", r.Code)
		}
		if r := f.web(t, "/reports/agreements/timeline.svg?as_of=2024-06-01", ""); r.Code != 200 || !bytes.Contains(r.Body, []byte(`role="img"`)) {
			t.Errorf("timeline: %d", r.Code)
		}
	})
}

func statusOf(paths []mapPath, nis string) string {
	for _, p := range paths {
		if p.NIS == nis {
			return p.Status
		}
	}
	return ""
}

func TestGateAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newAgrFixture(t, db)
		hulshout, _, _ := f.history(t)
		f.step(t, "admin", hulshout, "suspended", "2024-08-01")
		const route = "/api/v1/gate"
		type decision struct {
			Allowed          bool   `json:"allowed"`
			On               string `json:"on"`
			Team             string `json:"team"`
			Municipality     string `json:"municipality_nis"`
			AgreementID      int64  `json:"agreement_id"`
			AgreementVersion int    `json:"agreement_version"`
			Reason           string `json:"reason"`
			Message          string `json:"message"`
		}
		for _, c := range []struct {
			team, nis, on string
			allowed       bool
			reason        string
		}{
			{"team-noord", "13016", "2023-10-31", false, "agreement_not_active"},
			{"team-noord", "13016", "2023-11-01", true, ""},
			{"team-noord", "13016", "2024-08-01", false, "agreement_not_active"},
			{"team-noord", "12014", "2024-01-01", false, "no_agreement"},
			{"team-zuid", "13016", "2024-01-01", false, "outside_team_area"},
			{"team-noord", "99999", "2024-01-01", false, "municipality_unknown"},
			{"team-zuid", "11007", "2024-06-01", true, ""},
			{"team-zuid", "11007", "2025-01-01", false, "municipality_not_valid"},
			{"team-zuid", "11002", "2025-01-01", false, "no_agreement"},
		} {
			var d decision
			f.call(t, "GET", fmt.Sprintf("%s?team=%s&municipality=%s&on=%s", route, c.team, c.nis, c.on), route, "lead", nil, 200, &d)
			if d.Allowed != c.allowed || d.Reason != c.reason || d.On != c.on || d.Team != c.team || d.Municipality != c.nis {
				t.Errorf("gate %s %s %s = %+v, want allowed %v reason %q", c.team, c.nis, c.on, d, c.allowed, c.reason)
			}
			if d.Allowed != (d.AgreementID != 0 && d.AgreementVersion == 1) || d.Allowed == (d.Message != "") {
				t.Errorf("gate %s %s %s: %+v", c.team, c.nis, c.on, d)
			}
		}
		// Default: today (the fixture's 2025-06-02).
		var d decision
		f.call(t, "GET", route+"?team=team-noord&municipality=13016", route, "admin", nil, 200, &d)
		if d.On != "2025-06-02" || d.Allowed {
			t.Errorf("gate today: %+v", d)
		}
		f.wantErr(t, f.do(t, "GET", route+"?team=team-noord", "admin", nil), "GET", route, 400, "invalid")
		f.wantErr(t, f.do(t, "GET", route+"?team=team-noord&municipality=13016&on=2024-02-30", "admin", nil), "GET", route, 400, "invalid_date")
		f.wantErr(t, f.do(t, "GET", route+"?team=team-noord&municipality=13016", "", nil), "GET", route, 401, "unauthorized")
	})
}

func TestCarryOverAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newAgrFixture(t, db)
		hulshout, borsbeek, _ := f.history(t)
		const route = "/api/v1/agreements/{id}/carry-over"
		target := fmt.Sprintf("/api/v1/agreements/%d/carry-over", borsbeek)

		// Only admins; not for a municipality that did not merge.
		f.wantErr(t, f.do(t, "POST", target, "leadzuid", []byte(`{}`)), "POST", route, 403, "forbidden")
		f.wantErr(t, f.do(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/carry-over", hulshout), "admin", []byte(`{}`)), "POST", route, 400, "invalid")
		f.wantErr(t, f.do(t, "POST", target, "admin", []byte(`{"effective_on":"2025-13-01"}`)), "POST", route, 400, "invalid_date")

		var carried agrJSON
		f.call(t, "POST", target, route, "admin", map[string]string{}, 201, &carried)
		if carried.MunicipalityNIS != "11002" || carried.Municipality != "Antwerpen" || carried.Recipient != "ocmw-11002" || carried.Team != "team-zuid" ||
			carried.PredecessorID != borsbeek || carried.Status != "active" || carried.Since == nil || *carried.Since != "2025-01-01" {
			t.Errorf("carried = %+v", carried)
		}
		old := f.agreement(t, borsbeek, "admin")
		if old.SuccessorID != carried.ID || old.Status != "ended" || *old.Since != "2025-01-01" {
			t.Errorf("old agreement after carry-over: %+v", old)
		}
		// Again: the old one is closed now.
		f.wantErr(t, f.do(t, "POST", target, "admin", []byte(`{}`)), "POST", route, 409, "invalid_transition")

		// Reports before the merger show Borsbeek; after it Antwerpen.
		var rep reportJSON
		f.call(t, "GET", "/api/v1/reports/agreements?as_of=2024-12-31", "/api/v1/reports/agreements", "admin", nil, 200, &rep)
		if m := findMun(rep, "11007"); m.Status != "active" || m.Name != "Borsbeek" || m.AgreementID != borsbeek {
			t.Errorf("Borsbeek on 2024-12-31: %+v", m)
		}
		if m := findMun(rep, "11002"); m.Status != "none" {
			t.Errorf("Antwerpen on 2024-12-31: %+v", m)
		}
		f.call(t, "GET", "/api/v1/reports/agreements?as_of=2025-01-01", "/api/v1/reports/agreements", "admin", nil, 200, &rep)
		if m := findMun(rep, "11002"); m.Status != "active" || m.AgreementID != carried.ID {
			t.Errorf("Antwerpen on 2025-01-01: %+v", m)
		}
		// The gate follows.
		var d struct {
			Allowed     bool  `json:"allowed"`
			AgreementID int64 `json:"agreement_id"`
		}
		f.call(t, "GET", "/api/v1/gate?team=team-zuid&municipality=11002&on=2025-01-01", "/api/v1/gate", "admin", nil, 200, &d)
		if !d.Allowed || d.AgreementID != carried.ID {
			t.Errorf("gate for Antwerpen after the carry-over: %+v", d)
		}
	})
}

func TestAgreementScopeAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newAgrFixture(t, db)
		noord := f.create(t, "lead", "team-noord", "13016", "interested", "2023-05-02")
		zuid := f.create(t, "leadzuid", "team-zuid", "11002", "interested", "2025-02-01")
		one := "/api/v1/agreements/{id}"

		// The lead of another team: 404 on read, write and documents.
		f.wantErr(t, f.do(t, "GET", fmt.Sprintf("/api/v1/agreements/%d", noord.ID), "leadzuid", nil), "GET", one, 404, "not_found")
		f.wantErr(t, f.do(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/events", noord.ID), "leadzuid", mustJSON(t, stepBody("draft", "2023-06-01"))),
			"POST", "/api/v1/agreements/{id}/events", 404, "not_found")
		f.wantErr(t, f.do(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/versions", noord.ID), "leadzuid", []byte(`{"retention_days": 30}`)),
			"POST", "/api/v1/agreements/{id}/versions", 404, "not_found")
		// …nor start one for a team not its own.
		f.wantErr(t, f.do(t, "POST", "/api/v1/agreements", "leadzuid", mustJSON(t, map[string]string{"team": "team-noord", "municipality_nis": "12014"})),
			"POST", "/api/v1/agreements", 403, "forbidden")
		var list struct {
			Count      int       `json:"count"`
			Agreements []agrJSON `json:"agreements"`
		}
		f.call(t, "GET", "/api/v1/agreements", "/api/v1/agreements", "leadzuid", nil, 200, &list)
		if list.Count != 1 || list.Agreements[0].ID != zuid.ID {
			t.Errorf("team-zuid's lead lists %+v", list.Agreements)
		}
		// The OCMW admin sees its own only.
		f.call(t, "GET", "/api/v1/agreements", "/api/v1/agreements", "ocmwadmin", nil, 200, &list)
		if list.Count != 1 || list.Agreements[0].ID != noord.ID {
			t.Errorf("ocmw-13016's admin lists %+v", list.Agreements)
		}
		f.wantErr(t, f.do(t, "GET", fmt.Sprintf("/api/v1/agreements/%d", zuid.ID), "ocmwadmin", nil), "GET", one, 404, "not_found")
		// A clinic: 403 on everything about agreements, but the report is public figures.
		f.wantErr(t, f.do(t, "GET", "/api/v1/agreements", "clinic", nil), "GET", "/api/v1/agreements", 403, "forbidden")
		f.wantErr(t, f.do(t, "GET", fmt.Sprintf("/api/v1/agreements/%d", noord.ID), "clinic", nil), "GET", one, 403, "forbidden")
		f.wantErr(t, f.do(t, "POST", "/api/v1/agreements", "clinic", mustJSON(t, map[string]string{"team": "team-noord", "municipality_nis": "12014"})),
			"POST", "/api/v1/agreements", 403, "forbidden")
		f.wantErr(t, f.do(t, "POST", fmt.Sprintf("/api/v1/agreements/%d/events", noord.ID), "clinic", mustJSON(t, stepBody("draft", "2023-06-01"))),
			"POST", "/api/v1/agreements/{id}/events", 403, "forbidden")
		// Web pages follow the same rules.
		if r := f.web(t, fmt.Sprintf("/agreements/%d", noord.ID), "leadzuid"); r.Code != 404 {
			t.Errorf("web: another team's agreement: %d, want 404", r.Code)
		}
		if r := f.web(t, "/agreements", "clinic"); r.Code != 403 {
			t.Errorf("web: clinic on /agreements: %d, want 403", r.Code)
		}
		if r := f.web(t, fmt.Sprintf("/agreements/%d", noord.ID), "lead"); r.Code != 200 || !bytes.Contains(r.Body, []byte("Hulshout")) {
			t.Errorf("web: own agreement: %d", r.Code)
		}
	})
}
