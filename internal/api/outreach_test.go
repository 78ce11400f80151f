package api_test

// Contract tests of the outreach routes and the outreach and
// missed-referrals reports, through the real server (server.New over a
// fresh database of every backend) with bearer tokens. Every JSON answer
// is checked against the schema openapi.json documents for its route and
// status, and every JSON request body against the documented request
// schema.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/xuri/excelize/v2"

	"kansrijk/internal/account"
	"kansrijk/internal/api"
	"kansrijk/internal/audit"
	"kansrijk/internal/org"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var outrNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type outrFixture struct {
	db    *store.DB
	srv   *server.Server
	doc   *openapi3.T
	users *storetest.Accounts // created with a token on first use
}

type outrResp struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (r outrResp) String() string {
	if len(r.Body) > 800 {
		return fmt.Sprintf("%d %s…", r.Code, r.Body[:800])
	}
	return fmt.Sprintf("%d %s", r.Code, r.Body)
}

// newOutrFixture: team-noord (Hulshout 13016, Heist-op-den-Berg 12014,
// Herselt 13013) and team-zuid (Borsbeek 11007 and Kortessem 73040 until
// 2024, then Antwerpen 11002 and Hasselt 71072), a clinic, and a user with
// a token per role.
func newOutrFixture(t *testing.T, db *store.DB) *outrFixture {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return outrNow }
	sys := account.System("test")
	buildTeams(t, db)
	if _, err := db.CreateClinic(ctx, sys, org.NewClinic{Key: "clinic-zonnedal", Name: "Kraamkliniek Zonnedal"}); err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPIDocument)
	if err != nil {
		t.Fatal(err)
	}
	return &outrFixture{db: db, srv: srv, doc: doc, users: storetest.TokenUsers(t, db, "outreach.test",
		storetest.U{Name: "admin", Role: "admin", Org: "opgroeien"},
		storetest.U{Name: "analyst", Role: "analyst", Org: "opgroeien"},
		storetest.U{Name: "dpo", Role: "dpo", Org: "opgroeien"},
		storetest.U{Name: "lead", Role: "team_lead", Org: "team-noord"},
		storetest.U{Name: "workerzuid", Role: "team_worker", Org: "team-zuid"},
		storetest.U{Name: "ocmw", Role: "ocmw_worker", Org: "ocmw-13016"},
		storetest.U{Name: "clinic", Role: "clinic", Org: "clinic-zonnedal"},
	)}
}

// call sends a request as who ("" anonymous) to target, documented as
// route; in is JSON-encoded (and, when it should succeed, checked
// against the request schema) unless it is a []byte sent with contentType. It checks the status and,
// for JSON answers, the documented schema, and decodes into out.
func (f *outrFixture) call(t *testing.T, method, target, route, who string, in any, want int, out any, contentType ...string) outrResp {
	t.Helper()
	var body []byte
	ct := "application/json"
	switch v := in.(type) {
	case nil:
	case []byte:
		body = v
		ct = contentType[0]
	default:
		var err error
		if body, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
		if want < 300 { // a request meant to fail may break the schema
			f.checkRequest(t, method, route, body)
		}
	}
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", ct)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+f.users.Token(t, who))
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	r := outrResp{rec.Code, rec.Result().Header, rec.Body.Bytes()}
	if r.Code != want {
		t.Fatalf("%s %s as %q: got %s, want %d", method, target, who, r, want)
	}
	op := f.doc.Paths.Value(route)
	if op == nil || op.GetOperation(method) == nil {
		t.Fatalf("%s %s is not documented", method, route)
	}
	resp := op.GetOperation(method).Responses.Status(r.Code)
	if resp == nil || resp.Value == nil {
		t.Fatalf("%s %s: status %d is not documented", method, route, r.Code)
	}
	if r.Code == http.StatusNoContent || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		return r
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		t.Fatalf("%s %s: status %d has no JSON schema", method, route, r.Code)
	}
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("%s %s: not JSON: %v", method, target, err)
	}
	if err := mt.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.EnableFormatValidation(), openapi3.MultiErrors()); err != nil {
		t.Errorf("%s %s (%d): the answer does not match the documented schema: %v\n%s", method, target, r.Code, err, r)
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, target, err)
		}
	}
	return r
}

func (f *outrFixture) checkRequest(t *testing.T, method, route string, body []byte) {
	t.Helper()
	item := f.doc.Paths.Value(route)
	if item == nil || item.GetOperation(method) == nil || item.GetOperation(method).RequestBody == nil {
		t.Fatalf("%s %s documents no request body", method, route)
	}
	mt := item.GetOperation(method).RequestBody.Value.Content.Get("application/json")
	var v any
	_ = json.Unmarshal(body, &v)
	if err := mt.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.EnableFormatValidation(), openapi3.MultiErrors()); err != nil {
		t.Errorf("%s %s: the request %s does not match the documented schema: %v", method, route, body, err)
	}
}

func outrCode(t *testing.T, r outrResp, code string) {
	t.Helper()
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Code != code {
		t.Fatalf("error code %q, want %s: %s", e.Error.Code, code, r)
	}
}

func (f *outrFixture) audited(t *testing.T, objectType string, id int64, action string) {
	t.Helper()
	evs, err := f.db.AuditEvents(context.Background(), audit.Filter{ObjectType: objectType, ObjectID: fmt.Sprint(id), Limit: 1})
	if err != nil || len(evs) == 0 || evs[0].Action != action {
		t.Fatalf("audit of %s %d: %+v %v, want %s", objectType, id, evs, err, action)
	}
}

func TestOutreachContactsAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		const list, one = "/api/v1/outreach/contacts", "/api/v1/outreach/contacts/{id}"
		var c struct {
			ID    int64  `json:"id"`
			Name  string `json:"name"`
			Email string `json:"email"`
			Phone string `json:"phone"`
		}
		f.call(t, "POST", list, list, "lead", map[string]any{"municipality_nis": "13016", "function": "general_director", "name": "An Peeters", "email": "an@hulshout.be"}, 201, &c)
		f.audited(t, "outreach_contact", c.ID, "outreach.contact.create")
		var zuid struct{ ID int64 }
		f.call(t, "POST", list, list, "workerzuid", map[string]any{"municipality_nis": "71072", "function": "poverty_officer", "name": "Bart Claes", "phone": "011 23 90 00"}, 201, &zuid)

		var got struct {
			Count    int `json:"count"`
			Contacts []struct {
				ID              int64  `json:"id"`
				MunicipalityNIS string `json:"municipality_nis"`
			} `json:"contacts"`
		}
		f.call(t, "GET", list, list, "lead", nil, 200, &got)
		if got.Count != 1 || got.Contacts[0].ID != c.ID {
			t.Fatalf("team-noord sees %+v", got)
		}
		f.call(t, "GET", list+"?municipality=71072", list, "admin", nil, 200, &got)
		if got.Count != 1 || got.Contacts[0].ID != zuid.ID {
			t.Fatalf("admin, Hasselt: %+v", got)
		}
		f.call(t, "GET", list, list, "dpo", nil, 200, &got)
		if got.Count != 2 {
			t.Fatalf("dpo sees %d", got.Count)
		}
		for _, who := range []string{"analyst", "clinic", "ocmw"} {
			outrCode(t, f.call(t, "GET", list, list, who, nil, 403, nil), "forbidden")
		}
		f.call(t, "GET", list, list, "", nil, 401, nil)
		outrCode(t, f.call(t, "POST", list, list, "lead", map[string]any{"municipality_nis": "11002", "function": "other", "name": "X", "email": "x@antwerpen.be"}, 403, nil), "forbidden")
		outrCode(t, f.call(t, "POST", list, list, "lead", map[string]any{"municipality_nis": "13016", "function": "mayor", "name": "X", "email": "x@hulshout.be"}, 400, nil), "invalid")
		outrCode(t, f.call(t, "POST", list, list, "lead", []byte(`{"municipality_nis": "13016", "nickname": "x"}`), 400, nil, "application/json"), "unknown_field")

		path := fmt.Sprintf("/api/v1/outreach/contacts/%d", c.ID)
		f.call(t, "PATCH", path, one, "lead", map[string]any{"phone": "+32 15 22 40 11"}, 200, &c)
		if c.Phone != "+32 15 22 40 11" || c.Email != "an@hulshout.be" {
			t.Fatalf("patched %+v", c)
		}
		f.audited(t, "outreach_contact", c.ID, "outreach.contact.update")
		outrCode(t, f.call(t, "PATCH", path, one, "workerzuid", map[string]any{"name": "Y"}, 404, nil), "not_found")
		outrCode(t, f.call(t, "DELETE", path, one, "analyst", nil, 403, nil), "forbidden")
		f.call(t, "DELETE", path, one, "lead", nil, 204, nil)
		f.audited(t, "outreach_contact", c.ID, "outreach.contact.delete")
		outrCode(t, f.call(t, "DELETE", path, one, "lead", nil, 404, nil), "not_found")
		f.call(t, "GET", list+"?municipality=13016", list, "admin", nil, 200, &got)
		if got.Count != 0 {
			t.Fatalf("removed contact still listed: %+v", got)
		}
	})
}

func TestOutreachCampaignsAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		const list, one, att = "/api/v1/outreach/campaigns", "/api/v1/outreach/campaigns/{id}", "/api/v1/outreach/campaigns/{id}/attendance"
		type campaign struct {
			ID          int64  `json:"id"`
			Reached     int    `json:"reached"`
			On          string `json:"on"`
			Touchpoints []struct {
				MunicipalityNIS string `json:"municipality_nis"`
				Registered      bool   `json:"registered"`
				Attended        bool   `json:"attended"`
				ContactID       int64  `json:"contact_id"`
			} `json:"touchpoints"`
		}
		var news campaign
		f.call(t, "POST", list, list, "admin", map[string]any{"kind": "newsletter", "on": "2023-02-01", "partner": "VVSG", "subject": "Het decreet", "audience": "all"}, 201, &news)
		if news.Reached != 300 || news.On != "2023-02-01" {
			t.Fatalf("newsletter %d %s", news.Reached, news.On)
		}
		f.audited(t, "outreach_campaign", news.ID, "outreach.campaign.create")
		var web campaign
		f.call(t, "POST", list, list, "admin", map[string]any{"kind": "webinar", "on": "2025-03-10", "partner": "joint", "subject": "Webinar VVSG–Opgroeien", "audience": "team_area", "audience_param": "team-noord"}, 201, &web)
		if web.Reached != 3 {
			t.Fatalf("webinar reached %d", web.Reached)
		}
		var visit campaign
		f.call(t, "POST", list, list, "lead", map[string]any{"kind": "visit", "on": "2025-04-01", "subject": "Bezoek", "audience": "list", "municipalities": []string{"13013"}}, 201, &visit)
		outrCode(t, f.call(t, "POST", list, list, "lead", map[string]any{"kind": "newsletter", "subject": "x", "audience": "all"}, 403, nil), "forbidden")
		outrCode(t, f.call(t, "POST", list, list, "admin", map[string]any{"kind": "newsletter", "subject": "x", "audience": "province", "audience_param": "Henegouwen"}, 400, nil), "invalid")
		outrCode(t, f.call(t, "POST", list, list, "analyst", map[string]any{"kind": "newsletter", "subject": "x", "audience": "all"}, 403, nil), "forbidden")

		var all struct {
			Count     int        `json:"count"`
			Campaigns []campaign `json:"campaigns"`
		}
		f.call(t, "GET", list, list, "workerzuid", nil, 200, &all)
		if all.Count != 3 || all.Campaigns[0].ID != visit.ID || all.Campaigns[0].Touchpoints != nil {
			t.Fatalf("campaigns %+v", all)
		}
		outrCode(t, f.call(t, "GET", list, list, "clinic", nil, 403, nil), "forbidden")
		var mine campaign
		f.call(t, "GET", fmt.Sprintf("/api/v1/outreach/campaigns/%d", news.ID), one, "lead", nil, 200, &mine)
		if mine.Reached != 300 || len(mine.Touchpoints) != 3 {
			t.Fatalf("team-noord's view: reached %d, %d touchpoints", mine.Reached, len(mine.Touchpoints))
		}
		outrCode(t, f.call(t, "GET", "/api/v1/outreach/campaigns/999", one, "admin", nil, 404, nil), "not_found")

		// A contact whose e-mail the import recognises.
		var herselt struct{ ID int64 }
		f.call(t, "POST", "/api/v1/outreach/contacts", "/api/v1/outreach/contacts", "admin",
			map[string]any{"municipality_nis": "13013", "function": "head_social_service", "name": "Els Wouters", "email": "els.wouters@herselt.be"}, 201, &herselt)

		attPath := fmt.Sprintf("/api/v1/outreach/campaigns/%d/attendance", web.ID)
		good := "\uFEFFNaam;E-mail;Gemeente;Aanwezig\r\nEls Wouters;els.wouters@herselt.be;Herselt;ja\r\nAn Peeters;an@hulshout.be;Hulshout;nee\r\nJan Smet;jan@bkz.be;Zwijndrecht;ja\r\n"
		bad := "Naam,E-mail,Gemeente,Aanwezig\nEls Wouters,els@herselt.be,Herselt,ja\nPiet,piet@x.be,Atlantis,ja\n"
		type report struct {
			Imported bool `json:"imported"`
			Result   *struct {
				Added, Updated, Rows int
			} `json:"result"`
			Matched   int `json:"matched"`
			Unmatched int `json:"unmatched"`
			Rows      []struct {
				Line            int    `json:"line"`
				MunicipalityNIS string `json:"municipality_nis"`
				Problem         string `json:"problem"`
				Imported        bool   `json:"imported"`
			} `json:"rows"`
		}
		// An unknown municipality: nothing is imported, the report says why.
		var rep report
		f.call(t, "POST", attPath, att, "admin", []byte(bad), 200, &rep, "text/csv")
		if rep.Imported || rep.Result != nil || rep.Matched != 1 || rep.Unmatched != 1 || rep.Rows[1].Problem != "unknown_municipality" || rep.Rows[0].Imported {
			t.Fatalf("rejected import: %+v", rep)
		}
		if n := outrCount(t, db, `SELECT count(*) FROM outreach_touchpoints WHERE campaign_id = $1 AND (registered OR attended)`, web.ID); n != 0 {
			t.Fatalf("a rejected import recorded %d rows", n)
		}
		// Partially accepted on request.
		f.call(t, "POST", attPath+"?accept_partial=true", att, "admin", []byte(bad), 200, &rep, "text/csv")
		if !rep.Imported || rep.Result.Updated != 1 || !rep.Rows[0].Imported || rep.Rows[1].Imported {
			t.Fatalf("partial import: %+v", rep)
		}
		// A clean file: Zwijndrecht in 2025 is Beveren-Kruibeke-Zwijndrecht.
		f.call(t, "POST", attPath, att, "admin", []byte(good), 200, &rep, "text/csv")
		if !rep.Imported || rep.Result.Rows != 3 || rep.Result.Added != 1 || rep.Result.Updated != 2 {
			t.Fatalf("import: %+v", rep)
		}
		f.audited(t, "outreach_campaign", web.ID, "outreach.campaign.attendance")
		var w campaign
		f.call(t, "GET", fmt.Sprintf("/api/v1/outreach/campaigns/%d", web.ID), one, "admin", nil, 200, &w)
		seen := map[string]bool{}
		for _, tp := range w.Touchpoints {
			seen[tp.MunicipalityNIS] = true
			switch tp.MunicipalityNIS {
			case "13013":
				if !tp.Attended || tp.ContactID != herselt.ID {
					t.Errorf("Herselt %+v", tp)
				}
			case "13016":
				if !tp.Registered || tp.Attended {
					t.Errorf("Hulshout %+v", tp)
				}
			case "46030":
				if !tp.Attended {
					t.Errorf("Beveren-Kruibeke-Zwijndrecht %+v", tp)
				}
			}
		}
		if !seen["46030"] || len(w.Touchpoints) != 4 {
			t.Fatalf("touchpoints %+v", w.Touchpoints)
		}
		outrCode(t, f.call(t, "POST", attPath, att, "admin", []byte(good), 400, nil, "application/json"), "invalid")
		outrCode(t, f.call(t, "POST", attPath, att, "admin", []byte("PK\x03\x04\x00\x00binary"), 400, nil, "text/csv"), "invalid")
		outrCode(t, f.call(t, "POST", attPath, att, "lead", []byte(good), 403, nil, "text/csv"), "forbidden") // not the team's campaign
		outrCode(t, f.call(t, "POST", attPath, att, "analyst", []byte(good), 403, nil, "text/csv"), "forbidden")
		outrCode(t, f.call(t, "POST", "/api/v1/outreach/campaigns/999/attendance", att, "admin", []byte(good), 404, nil, "text/csv"), "not_found")
	})
}

func outrCount(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOutreachMomentsAndTasksAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		const moments, tasks, task = "/api/v1/outreach/contact-moments", "/api/v1/outreach/tasks", "/api/v1/outreach/tasks/{id}"
		var m struct {
			ID int64  `json:"id"`
			By string `json:"by"`
			On string `json:"on"`
		}
		f.call(t, "POST", moments, moments, "workerzuid", map[string]any{"municipality_nis": "73040", "on": "2024-05-02", "channel": "meeting", "with_function": "general_director", "summary": "Kennismaking", "next_step": "Ontwerp sturen"}, 201, &m)
		if m.By != "team-zuid" || m.On != "2024-05-02" {
			t.Fatalf("moment %+v", m)
		}
		f.audited(t, "outreach_contact_moment", m.ID, "outreach.contact_moment.create")
		f.call(t, "POST", moments, moments, "admin", map[string]any{"municipality_nis": "13016", "channel": "event", "summary": "VVSG-dag"}, 201, &m)
		if m.By != "opgroeien" || m.On != "2026-03-02" {
			t.Fatalf("admin moment %+v", m)
		}
		outrCode(t, f.call(t, "POST", moments, moments, "lead", map[string]any{"municipality_nis": "11002", "channel": "phone", "summary": "x"}, 403, nil), "forbidden")
		outrCode(t, f.call(t, "POST", moments, moments, "admin", map[string]any{"municipality_nis": "13016", "on": "2030-01-01", "channel": "phone", "summary": "x"}, 400, nil), "invalid_date")
		var ml struct {
			Count int `json:"count"`
		}
		f.call(t, "GET", moments+"?municipality=73040", moments, "workerzuid", nil, 200, &ml)
		if ml.Count != 1 {
			t.Fatalf("team-zuid sees %d moments of Kortessem", ml.Count)
		}
		f.call(t, "GET", moments, moments, "lead", nil, 200, &ml)
		if ml.Count != 1 {
			t.Fatalf("team-noord sees %d", ml.Count)
		}
		outrCode(t, f.call(t, "GET", moments, moments, "analyst", nil, 403, nil), "forbidden")

		var t1, t2 struct {
			ID       int64   `json:"id"`
			Team     string  `json:"team"`
			Status   string  `json:"status"`
			Overdue  bool    `json:"overdue"`
			ClosedAt *string `json:"closed_at"`
		}
		f.call(t, "POST", tasks, tasks, "lead", map[string]any{"municipality_nis": "13016", "title": "Bel de algemeen directeur", "due_on": "2026-02-20"}, 201, &t1)
		if t1.Team != "team-noord" || !t1.Overdue || t1.Status != "open" || t1.ClosedAt != nil {
			t.Fatalf("task %+v", t1)
		}
		f.audited(t, "outreach_task", t1.ID, "outreach.task.create")
		f.call(t, "POST", tasks, tasks, "admin", map[string]any{"municipality_nis": "71072", "title": "Bezoek", "due_on": "2026-04-01"}, 201, &t2)
		if t2.Team != "team-zuid" || t2.Overdue {
			t.Fatalf("admin task %+v", t2)
		}
		outrCode(t, f.call(t, "POST", tasks, tasks, "lead", map[string]any{"municipality_nis": "13016", "title": "x"}, 400, nil), "invalid_date")
		var tl struct {
			Count int `json:"count"`
			Tasks []struct {
				ID int64 `json:"id"`
			} `json:"tasks"`
		}
		f.call(t, "GET", tasks+"?status=open&due_before=2026-03-02", tasks, "admin", nil, 200, &tl)
		if tl.Count != 1 || tl.Tasks[0].ID != t1.ID {
			t.Fatalf("overdue %+v", tl)
		}
		f.call(t, "GET", tasks, tasks, "workerzuid", nil, 200, &tl)
		if tl.Count != 1 || tl.Tasks[0].ID != t2.ID {
			t.Fatalf("team-zuid's tasks %+v", tl)
		}
		outrCode(t, f.call(t, "GET", tasks+"?status=later", tasks, "admin", nil, 400, nil), "invalid")
		outrCode(t, f.call(t, "GET", tasks+"?due_before=tomorrow", tasks, "admin", nil, 400, nil), "invalid_date")
		outrCode(t, f.call(t, "GET", tasks, tasks, "dpo", nil, 403, nil), "forbidden")
		path := fmt.Sprintf("/api/v1/outreach/tasks/%d", t1.ID)
		f.call(t, "PATCH", path, task, "lead", map[string]any{"status": "done"}, 200, &t1)
		if t1.Status != "done" || t1.Overdue || t1.ClosedAt == nil {
			t.Fatalf("done %+v", t1)
		}
		f.audited(t, "outreach_task", t1.ID, "outreach.task.update")
		outrCode(t, f.call(t, "PATCH", path, task, "workerzuid", map[string]any{"status": "open"}, 404, nil), "not_found")
		outrCode(t, f.call(t, "PATCH", path, task, "lead", map[string]any{"team": "team-zuid"}, 403, nil), "forbidden")
	})
}

func TestOutreachReportAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		const rep = "/api/v1/reports/outreach"
		f.call(t, "POST", "/api/v1/outreach/campaigns", "/api/v1/outreach/campaigns", "admin",
			map[string]any{"kind": "newsletter", "on": "2023-01-20", "partner": "VVSG", "subject": "Decreet", "audience": "province", "audience_param": "Limburg"}, 201, nil)
		f.call(t, "POST", "/api/v1/outreach/contact-moments", "/api/v1/outreach/contact-moments", "workerzuid",
			map[string]any{"municipality_nis": "73040", "on": "2023-05-02", "channel": "meeting", "summary": "Kennismaking"}, 201, nil)
		type row struct {
			NIS              string         `json:"nis"`
			Stage            string         `json:"stage"`
			Since            string         `json:"since"`
			DaysSinceContact *int           `json:"days_since_contact"`
			StageDays        map[string]int `json:"stage_days"`
		}
		var got struct {
			AsOf           string         `json:"as_of"`
			Total          int            `json:"total"`
			Informed       int            `json:"informed"`
			Counts         map[string]int `json:"counts"`
			Municipalities []row          `json:"municipalities"`
			Funnel         []struct {
				Group string `json:"group"`
				Key   string `json:"key"`
				Total int    `json:"total"`
			} `json:"funnel"`
		}
		find := func(nis string) row {
			for _, m := range got.Municipalities {
				if m.NIS == nis {
					return m
				}
			}
			t.Fatalf("%s not in the report", nis)
			return row{}
		}
		f.call(t, "GET", rep+"?as_of=2024-06-01", rep, "analyst", nil, 200, &got)
		if got.Total != 300 || got.Informed != 42 || got.Counts["in_conversation"] != 1 || got.Counts["informed"] != 41 {
			t.Fatalf("2024: total %d informed %d counts %v", got.Total, got.Informed, got.Counts)
		}
		if m := find("73040"); m.Stage != "in_conversation" || m.Since != "2023-05-02" || m.DaysSinceContact == nil || *m.DaysSinceContact != 396 {
			t.Fatalf("Kortessem %+v", m)
		}
		f.call(t, "GET", rep+"?as_of=2025-06-01", rep, "lead", nil, 200, &got)
		if got.Total != 285 {
			t.Fatalf("2025: total %d", got.Total)
		}
		if m := find("71072"); m.Stage != "in_conversation" || m.Since != "2023-05-02" {
			t.Fatalf("Hasselt 2025 carries Kortessem's history: %+v", m)
		}
		if len(got.Funnel) < 7 || got.Funnel[0].Group != "all" || got.Funnel[0].Total != 285 {
			t.Fatalf("funnel %+v", got.Funnel)
		}
		for _, who := range []string{"clinic", "ocmw", "dpo"} {
			outrCode(t, f.call(t, "GET", rep, rep, who, nil, 403, nil), "forbidden")
		}
		f.call(t, "GET", rep, rep, "", nil, 401, nil)
		outrCode(t, f.call(t, "GET", rep+"?as_of=2025-02-30", rep, "admin", nil, 400, nil), "invalid_date")
		outrCode(t, f.call(t, "GET", rep+"?format=pdf", rep, "admin", nil, 400, nil), "invalid")

		// CSV and XLSX hold the same table as the JSON.
		r := f.call(t, "GET", rep+"?as_of=2025-06-01&format=csv&lang=codes", rep, "admin", nil, 200, nil)
		rows := outrCSV(t, r.Body)
		if len(rows) != 286 || rows[0][0] != "nis" || rows[0][4] != "stage" {
			t.Fatalf("CSV: %d rows, header %v", len(rows), rows[0])
		}
		byNIS := map[string][]string{}
		for _, x := range rows[1:] {
			byNIS[x[0]] = x
		}
		if x := byNIS["71072"]; x[4] != "in_conversation" || x[1] != "Hasselt" || x[8] != fmt.Sprint(*find("71072").DaysSinceContact) {
			t.Fatalf("CSV row %v", x)
		}
		r = f.call(t, "GET", rep+"?as_of=2025-06-01&format=xlsx&lang=codes", rep, "admin", nil, 200, nil)
		xrows := outrXLSX(t, r.Body)
		if len(xrows) != 286 || xrows[0][4] != "stage" {
			t.Fatalf("XLSX: %d rows", len(xrows))
		}
		for _, x := range xrows[1:] {
			if c := byNIS[x[0]]; c == nil || c[4] != x[4] || c[3] != x[3] {
				t.Fatalf("XLSX row %v, CSV row %v", x, c)
			}
		}
	})
}

func TestMissedReferralsAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		const rep = "/api/v1/reports/missed-referrals"
		raw := outrWritable(t, db)
		for _, x := range []struct {
			nis, month, team string
			n                int
		}{
			{"13016", "2024-01", "team-noord", 3}, {"13016", "2024-02", "team-noord", 7},
			{"12014", "2024-01", "team-noord", 6}, {"12014", "2024-02", "team-noord", 8},
			{"11007", "2024-02", "team-zuid", 20}, {"11007", "2024-02", "team-noord", 10}, // two teams: summed, 30
			{"13013", "2023-12", "team-noord", 9}, // outside the range
		} {
			if _, err := raw.ExecContext(context.Background(), `INSERT INTO missed_referrals (municipality_nis, month, team_key, count) VALUES ($1,$2,$3,$4)`, x.nis, x.month, x.team, x.n); err != nil {
				t.Fatal(err)
			}
		}
		var got struct {
			Months         []string `json:"months"`
			Municipalities []struct {
				NIS    string `json:"nis"`
				Name   string `json:"name"`
				Counts []any  `json:"counts"`
				Total  any    `json:"total"`
			} `json:"municipalities"`
			MonthTotals []any  `json:"month_totals"`
			Total       any    `json:"total"`
			Legend      string `json:"legend"`
		}
		f.call(t, "GET", rep+"?from=2024-01&to=2024-03", rep, "analyst", nil, 200, &got)
		if fmt.Sprint(got.Months) != "[2024-01 2024-02 2024-03]" || len(got.Municipalities) != 3 || got.Legend == "" {
			t.Fatalf("report %+v", got)
		}
		// Borsbeek, Heist-op-den-Berg, Hulshout by name.
		if got.Municipalities[0].NIS != "11007" || got.Municipalities[2].NIS != "13016" {
			t.Fatalf("order %+v", got.Municipalities)
		}
		hulshout := got.Municipalities[2]
		if hulshout.Counts[0] != "<5" || hulshout.Counts[2] != float64(0) {
			t.Fatalf("Hulshout %+v: 3 must show as <5, 0 as 0", hulshout)
		}
		if got.Municipalities[0].Counts[1] != float64(30) {
			t.Fatalf("Borsbeek's two teams must add up: %+v", got.Municipalities[0])
		}
		// Nothing suppressed may be recovered by subtraction: a row or
		// column with a shown total never has exactly one hidden cell.
		hidden := func(v any) bool { _, s := v.(string); return s }
		for _, m := range got.Municipalities {
			n := 0
			for _, c := range m.Counts {
				if hidden(c) {
					n++
				}
			}
			if n == 1 && !hidden(m.Total) {
				t.Fatalf("%s: one hidden cell next to a shown total %+v", m.Name, m)
			}
		}
		for j := range got.Months {
			n := 0
			for _, m := range got.Municipalities {
				if hidden(m.Counts[j]) {
					n++
				}
			}
			if n == 1 && !hidden(got.MonthTotals[j]) {
				t.Fatalf("month %s: one hidden cell next to a shown total", got.Months[j])
			}
		}
		r := f.call(t, "GET", rep+"?from=2024-01&to=2024-03&format=csv", rep, "admin", nil, 200, nil)
		rows := outrCSV(t, r.Body)
		if len(rows) != 5 || rows[0][3] != "2024-01" || rows[3][3] != "<5" || rows[4][1] != "Totaal" {
			t.Fatalf("CSV %v", rows)
		}
		if strings.Contains(string(r.Body), ";3;") {
			t.Fatalf("a small count leaked into the CSV: %s", r.Body)
		}
		f.call(t, "GET", rep+"?from=2024-01&to=2024-03&format=xlsx", rep, "lead", nil, 200, nil)
		outrCode(t, f.call(t, "GET", rep+"?from=2024-03&to=2024-01", rep, "admin", nil, 400, nil), "invalid_date")
		outrCode(t, f.call(t, "GET", rep+"?from=2024-1", rep, "admin", nil, 400, nil), "invalid_date")
		outrCode(t, f.call(t, "GET", rep+"?from=2015-01&to=2024-01", rep, "admin", nil, 400, nil), "invalid_date")
		outrCode(t, f.call(t, "GET", rep, rep, "clinic", nil, 403, nil), "forbidden")
		f.call(t, "GET", rep, rep, "", nil, 401, nil)
		var empty struct {
			Months      []string `json:"months"`
			MonthTotals []any    `json:"month_totals"`
		}
		f.call(t, "GET", rep, rep, "admin", nil, 200, &empty)
		// Today is 2026-03-02: the last four quarters that have ended.
		if len(empty.Months) != 12 || len(empty.MonthTotals) != 12 || empty.Months[0] != "2025-01" || empty.Months[11] != "2025-12" {
			t.Fatalf("default range %+v", empty)
		}
		// Whole quarters, rounded to 5: January (3+6) shows as 10, February
		// (7+8+30) as 45; the window asked for is widened to the quarter.
		var q struct {
			From, To       string
			Municipalities []struct {
				NIS    string `json:"nis"`
				Counts []any  `json:"counts"`
			} `json:"municipalities"`
			MonthTotals  []any  `json:"month_totals"`
			RoundedTo    int    `json:"rounded_to"`
			ProtectedPer string `json:"protected_per"`
		}
		f.call(t, "GET", rep+"?from=2024-02&to=2024-02", rep, "analyst", nil, 200, &q)
		if q.From != "2024-01" || q.To != "2024-03" || q.RoundedTo != 5 || q.ProtectedPer != "quarter" ||
			q.Municipalities[0].Counts[1] != float64(30) || q.MonthTotals[0] != float64(10) || q.MonthTotals[1] != float64(45) {
			t.Fatalf("quarter %+v", q)
		}
		// The current quarter has not ended: nothing to show yet.
		outrCode(t, f.call(t, "GET", rep+"?from=2026-01&to=2026-03", rep, "admin", nil, 400, nil), "invalid_date")
	})
}

// outrWritable returns a pool that may write behind the store's back.
func outrWritable(t *testing.T, db *store.DB) *sql.DB {
	t.Helper()
	if db.Dialect() == store.Postgres {
		return db.SQL()
	}
	_, path, err := store.ParseDSN(db.Redacted)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func outrCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	bom := []byte("\uFEFF")
	if !bytes.HasPrefix(body, bom) {
		t.Fatalf("no BOM: %q", body[:min(10, len(body))])
	}
	rd := csv.NewReader(bytes.NewReader(body[len(bom):]))
	rd.Comma = ';'
	rows, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func outrXLSX(t *testing.T, body []byte) [][]string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(x.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		for len(rows[i]) < len(rows[0]) {
			rows[i] = append(rows[i], "")
		}
	}
	return rows
}
