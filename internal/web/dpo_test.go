package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/httpx"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/web"
	"kansrijk/internal/webtest"
)

// dpoWorld: team-noord with an agreement in force for Hulshout, one sent
// referral, two admins, Opgroeien's DPO and a team worker.
type dpoWorld struct {
	db       *store.DB
	srv      *server.Server
	users    *storetest.Accounts
	referral int64
}

func newDPOWorld(t *testing.T) *dpoWorld {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	db.Now = time.Now // the browser drops a session cookie that expired by the real clock
	sys := account.System("test")
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016"}, From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	ag, err := db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13016", Status: "draft", EffectiveOn: "2023-10-02"})
	if err != nil {
		t.Fatal(err)
	}
	sig := func(f string) agreement.Signature {
		return agreement.Signature{Function: f, Name: "N. " + f, SignedOn: "2024-03-01"}
	}
	for _, ev := range []agreement.NewEvent{
		{Status: "approved", EffectiveOn: "2024-02-01", CouncilReference: "RMW/2024/3", CouncilDecisionOn: "2024-02-01"},
		{Status: "signed", EffectiveOn: "2024-03-01", Signatures: []agreement.Signature{sig("administrator_general"), sig("council_chair"), sig("general_director")}},
		{Status: "active", EffectiveOn: "2024-04-01"},
	} {
		if _, err := db.AddEvent(ctx, sys, ag.ID, ev); err != nil {
			t.Fatal(err)
		}
	}
	users := storetest.Users(t, db, "dpo.test",
		storetest.U{Name: "asker", Role: "admin", Org: "opgroeien", FullName: "Anna Aanvraag"},
		storetest.U{Name: "approver", Role: "admin", Org: "opgroeien", FullName: "Bart Beslist"},
		storetest.U{Name: "dpo", Role: "dpo", Org: "opgroeien", FullName: "Dora Toezicht"},
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-noord"})
	worker := users.Actor(t, "worker")
	ref, err := db.CreateReferral(ctx, worker, referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{{
		Name: "Fictieve Ouder", Street: "Teststraat", Number: "1", Postcode: "2235", MunicipalityNIS: "13016", Phone: "+32 470 00 00 00"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddConsent(ctx, worker, ref.ID, referral.NewConsent{Parent: 0, Informed: []string{"data", "recipient", "purpose", "processing", "expectations"}, Method: "verbal"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Send(ctx, worker, ref.ID); err != nil {
		t.Fatal(err)
	}
	// Two reads (a change's answer is no read of its own): the console
	// pages them one at a time.
	for range 2 {
		if _, err := db.Referral(ctx, worker, ref.ID); err != nil {
			t.Fatal(err)
		}
	}
	s, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	return &dpoWorld{db: db, srv: s, users: users, referral: ref.ID}
}

func (w *dpoWorld) get(t *testing.T, target, who string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: w.users.Cookie(t, who)})
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// fakeLog is an audit log with a checkpoint and a failed verification.
type fakeLog struct{ none bool }

func (f fakeLog) LatestCheckpoint(context.Context) (web.CheckpointInfo, error) {
	if f.none {
		return web.CheckpointInfo{}, apperr.New(apperr.NotFound, "no checkpoint")
	}
	return web.CheckpointInfo{Size: 4242, Root: "q83vEjRWeJA=", Time: time.Date(2026, 12, 6, 22, 0, 0, 0, time.UTC)}, nil
}

func (f fakeLog) LastVerification(context.Context) (web.VerificationInfo, error) {
	return web.VerificationInfo{At: time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC), OK: false, Size: 4200, Message: "event 17 does not match"}, nil
}

// TestAuditPage: the console for the DPO only, the checkpoint panel with
// and without a log, the filters kept in the links, exports.
func TestAuditPage(t *testing.T) {
	w := newDPOWorld(t)
	for _, who := range []string{"asker", "worker"} {
		if code, _ := w.get(t, "/audit", who); code != http.StatusForbidden {
			t.Errorf("/audit as %s: %d, want 403", who, code)
		}
	}
	code, body := w.get(t, "/audit", "dpo")
	if code != http.StatusOK || !strings.Contains(body, "Nog geen checkpoint.") || !strings.Contains(body, `href="/audit"`) {
		t.Fatalf("/audit without a log: %d\n%s", code, body)
	}
	w.srv.Web.AuditLog = fakeLog{}
	_, body = w.get(t, "/audit?action=referral.send&limit=1", "dpo")
	for _, want := range []string{"4242", "q83vEjRWeJA=", "AFWIJKING — event 17 does not match", "referral.send",
		`href="/audit/export.csv?action=referral.send&amp;limit=1"`} {
		if !strings.Contains(body, want) {
			t.Errorf("/audit with a log lacks %q", want)
		}
	}
	// Organisations by name, not by key; the program's own work in words.
	if _, body = w.get(t, "/audit?action=referral.send", "dpo"); !strings.Contains(body, ">Lokaal team Noord</span>") ||
		strings.Contains(body, ">team-noord<") {
		t.Errorf("/audit does not name the team of the sending worker:\n%s", body)
	}
	if _, body = w.get(t, "/audit", "dpo"); strings.Contains(body, "<td>system") {
		t.Errorf("/audit shows the program as \"system\":\n%s", body)
	}
	w.srv.Web.AuditLog = fakeLog{none: true}
	if _, body = w.get(t, "/audit", "dpo"); !strings.Contains(body, "Nog geen checkpoint.") {
		t.Error("a not_found checkpoint is not shown as none")
	}
	// Paging: one event a page, the next link carries the filters and the cursor.
	_, body = w.get(t, "/audit?action=referral.read&limit=1", "dpo")
	i := strings.Index(body, `rel="next"`)
	if i < 0 || !strings.Contains(body[:i], "/audit?action=referral.read&amp;cursor=") {
		t.Errorf("no next link with the filters:\n%s", body)
	}
	if code, body = w.get(t, "/audit/export.csv?action=referral.send", "dpo"); code != 200 || !strings.HasPrefix(body, "\uFEFFid;at;") || !strings.Contains(body, "referral.send") {
		t.Errorf("csv export: %d %q", code, body)
	}
	if code, _ = w.get(t, "/audit?from=gisteren", "dpo"); code != http.StatusBadRequest {
		t.Errorf("bad date: %d, want 400", code)
	}
}

// TestAuditPageOneEvent: one view of the console page is one audit.search
// event: the first page's search and its flags look together (the detail
// counts both), a later page the search alone; a bad query, which
// searches nothing, records the flags look alone.
func TestAuditPageOneEvent(t *testing.T) {
	w := newDPOWorld(t)
	searches := func() []audit.Event {
		t.Helper()
		evs, err := w.db.AuditEvents(context.Background(), audit.Filter{Action: audit.Search, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	for _, c := range []struct {
		target string
		code   int
		flags  bool
	}{
		{"/audit", 200, true},
		{"/audit?action=referral.read&limit=1", 200, true},
		{"/audit?action=referral.read&limit=1&cursor=" + audit.Cursor(1<<40), 200, false},
		{"/audit?from=gisteren", 400, true},
	} {
		before := len(searches())
		if code, _ := w.get(t, c.target, "dpo"); code != c.code {
			t.Errorf("%s: %d, want %d", c.target, code, c.code)
		}
		evs := searches()
		if len(evs) != before+1 {
			t.Errorf("%s: %d audit.search events, want 1", c.target, len(evs)-before)
			continue
		}
		if e := evs[0]; e.ActorRole != "dpo" || e.Outcome != audit.OK || strings.Contains(e.Detail, `"flags"`) != c.flags {
			t.Errorf("%s: event %s %s detail %s (flags counted: want %t)", c.target, e.ActorRole, e.Outcome, e.Detail, c.flags)
		}
	}
}

// TestBreakGlassInBrowser: in headless Chromium an admin asks for
// break-glass access with a reason; a second admin approves; the first
// reads the referral; the DPO finds the read in the console. axe-core
// checks every page.
func TestBreakGlassInBrowser(t *testing.T) {
	webtest.SkipShort(t)
	w := newDPOWorld(t)
	w.users.Create(t, "asker", "approver", "dpo")
	srv := webtest.Serve(t, w.srv, w.db, w.users)
	login := srv.SignIn

	asker := login("asker")
	asker.Navigate(srv.URL + "/break-glass")
	asker.Page("break-glass-empty")
	asker.SetValue("#referral", fmt.Sprint(w.referral))
	asker.SetValue("#reason", "kort")
	asker.Click("form[action='/break-glass'] button[type=submit]")
	// The browser refuses the short reason itself (minlength) or the server does.
	asker.Eval(`document.querySelector("#reason").removeAttribute("minlength")`, nil)
	asker.Click("form[action='/break-glass'] button[type=submit]")
	if !asker.Exists(".error-summary") {
		t.Fatalf("a short reason is not refused: %s", asker.Text("main"))
	}
	asker.Page("break-glass-error")
	asker.SetValue("#reason", "Het gezin belt in nood; het OCMW is vandaag onbereikbaar.")
	asker.Click("form[action='/break-glass'] button[type=submit]")
	asker.Page("break-glass-requested")
	if got := asker.Text("main"); !strings.Contains(got, "Uw eigen aanvraag") {
		t.Fatalf("the requester's page: %q", got)
	}
	if asker.Exists("form[action$='/approve']") {
		t.Fatal("the requester can approve the own request")
	}

	approver := login("approver")
	approver.Navigate(srv.URL + "/break-glass")
	approver.Page("break-glass-to-decide")
	approver.SetValue("input[name=note]", "Akkoord voor vandaag.")
	approver.Click("form[action$='/approve'] button[type=submit]")
	approver.Page("break-glass-approved")
	if got := approver.Text("main"); !strings.Contains(got, "Goedgekeurd") {
		t.Fatalf("after approval: %q", got)
	}

	asker.Navigate(srv.URL + "/break-glass")
	link := fmt.Sprintf("a[href='/break-glass/referrals/%d']", w.referral)
	if !asker.Exists(link) {
		t.Fatalf("no link to the opened referral: %s", asker.Text("main"))
	}
	asker.Click(link)
	asker.Page("break-glass-referral")
	if got := asker.Text("main"); !strings.Contains(got, "Fictieve Ouder") {
		t.Fatalf("the referral page lacks the parent: %q", got)
	}

	dpo := login("dpo")
	dpo.Navigate(srv.URL + "/audit")
	dpo.Page("audit")
	dpo.SetValue("#f-action", "referral.read_break_glass")
	dpo.Click("#audit-filter button[type=submit]")
	dpo.Page("audit-filtered")
	if !strings.Contains(dpo.URL(), "action=referral.read_break_glass") {
		t.Errorf("the filter is not in the URL: %s", dpo.URL())
	}
	if got := dpo.Text("#events-caption"); !strings.HasPrefix(got, "1 ") {
		t.Errorf("break-glass reads found: %q", got)
	}
	dpo.Navigate(srv.URL + "/audit?limit=1")
	dpo.Click("a[rel=next]")
	dpo.Page("audit-page-2")
}
