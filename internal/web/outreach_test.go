package web

// Handler tests of the outreach pages over a real store (SQLite and
// PostgreSQL): every page for the roles that use it, the analyst who sees
// aggregates only, a team refused a municipality outside its area, the
// target filter and its downloads, the attendance import's report, and
// bad input answered with a Dutch error naming the field.

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/audit"
	"kansrijk/internal/httpx"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var outrNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// outrWorld is the UI over a fresh database: team-noord (Hulshout 13016,
// Heist-op-den-Berg 12014, Herselt 13013) and team-zuid (Borsbeek 11007
// and Kortessem 73040 until 2024, then Antwerpen 11002 and Hasselt
// 71072), a signed-in session per role, and some outreach history:
// Limburg informed by a newsletter in January 2023, Kortessem in
// conversation since May 2023, Hulshout since 20 February 2026 (a
// contact, An Peeters), Herselt signed up in September 2025.
type outrWorld struct {
	db      *store.DB
	h       http.Handler
	users   *storetest.Accounts
	contact outreach.Contact
}

func newOutrWorld(t *testing.T, db *store.DB) *outrWorld {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return outrNow }
	sys := account.System("test")
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016", "12014", "13013"}, From: day("2022-01-01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-zuid", Name: "Lokaal team Zuid", Municipalities: []string{"11007", "73040"}, From: day("2022-01-01")}); err != nil {
		t.Fatal(err)
	}
	area := []string{"11002", "71072"}
	if _, err := db.UpdateTeam(ctx, sys, "team-zuid", org.TeamUpdate{Municipalities: &area, From: day("2025-01-01")}); err != nil {
		t.Fatal(err)
	}
	ui, err := New(Deps{Accounts: db, Orgs: db, Agreements: db, Referrals: db, Outreach: db,
		Deprivation: db, Births: db, Municipalities: db.Municipalities, Now: db.Now})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	ui.Register(mux)
	w := &outrWorld{db: db, h: httpx.Authenticate(db, mux), users: storetest.Users(t, db, "outreach.test",
		storetest.U{Name: "admin", Role: "admin", Org: "opgroeien"},
		storetest.U{Name: "analyst", Role: "analyst", Org: "opgroeien"},
		storetest.U{Name: "lead", Role: "team_lead", Org: "team-noord"},
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-noord"},
		storetest.U{Name: "workerzuid", Role: "team_worker", Org: "team-zuid"},
		storetest.U{Name: "ocmw", Role: "ocmw_worker", Org: "ocmw-13016"},
	)}
	actor := func(name string) account.Actor { return w.users.Actor(t, name) }
	if _, err := db.CreateCampaign(ctx, actor("admin"), outreach.NewCampaign{Kind: "newsletter", On: "2023-01-20", Partner: "VVSG", Subject: "Het decreet", Audience: "province", AudienceParam: "Limburg"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateContactMoment(ctx, actor("workerzuid"), outreach.NewContactMoment{MunicipalityNIS: "73040", On: "2023-05-02", Channel: "meeting", Summary: "Kennismaking"}); err != nil {
		t.Fatal(err)
	}
	if w.contact, err = db.CreateContact(ctx, actor("lead"), outreach.NewContact{MunicipalityNIS: "13016", Function: "general_director", Name: "An Peeters", Email: "an@hulshout.be"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateContactMoment(ctx, actor("lead"), outreach.NewContactMoment{MunicipalityNIS: "13016", On: "2026-02-20", Channel: "phone", ContactID: w.contact.ID, Summary: "Eerste gesprek over het decreet"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13013", EffectiveOn: "2025-09-01"}); err != nil {
		t.Fatal(err)
	}
	return w
}

// do sends a request as who ("" anonymous).
func (w *outrWorld) do(t *testing.T, who string, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	if who != "" {
		req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: w.users.Cookie(t, who)})
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	return rec
}

// get fetches target as who and checks the status.
func (w *outrWorld) get(t *testing.T, who, target string, want int) string {
	t.Helper()
	rec := w.do(t, who, httptest.NewRequest("GET", target, nil))
	if rec.Code != want {
		t.Fatalf("GET %s as %s: %d, want %d\n%s", target, who, rec.Code, want, excerpt(rec.Body.String()))
	}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		noRawKeys(t, target, rec.Body.String())
	}
	return rec.Body.String()
}

// post sends a form as who, with the session's CSRF token.
func (w *outrWorld) post(t *testing.T, who, target string, form url.Values, want int) *httptest.ResponseRecorder {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", w.users.Session(t, who).CSRF)
	}
	req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := w.do(t, who, req)
	if rec.Code != want {
		t.Fatalf("POST %s as %s: %d, want %d\n%s", target, who, rec.Code, want, excerpt(rec.Body.String()))
	}
	if rec.Code < 300 || rec.Code >= 400 {
		noRawKeys(t, target, rec.Body.String())
	}
	return rec
}

// upload posts a file as who, as the attendance form does.
func (w *outrWorld) upload(t *testing.T, who, target string, content []byte, partial bool, want int) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", w.users.Session(t, who).CSRF)
	if partial {
		_ = mw.WriteField("accept_partial", "on")
	}
	fw, _ := mw.CreateFormFile("file", "deelnemers.csv")
	_, _ = fw.Write(content)
	_ = mw.Close()
	req := httptest.NewRequest("POST", target, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := w.do(t, who, req)
	if rec.Code != want {
		t.Fatalf("upload to %s as %s: %d, want %d\n%s", target, who, rec.Code, want, excerpt(rec.Body.String()))
	}
	noRawKeys(t, target, rec.Body.String())
	return rec.Body.String()
}

func excerpt(s string) string {
	if i := strings.Index(s, `<main id="main">`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 3000 {
		s = s[:3000] + "…"
	}
	return s
}

// rawKey is a catalogue key shown as such (a missing translation).
var rawKey = regexp.MustCompile(`^(?:outreach|page|error|field|flash|action|filter)\.[a-z_]+(?:\.[a-z_]+)*[.,:;)]*$`)

// noRawKeys fails when the text of a page shows a catalogue key.
func noRawKeys(t *testing.T, target, body string) {
	t.Helper()
	for _, text := range regexp.MustCompile(`>([^<]+)<`).FindAllStringSubmatch(body, -1) {
		for _, word := range strings.Fields(text[1]) {
			if rawKey.MatchString(word) {
				t.Errorf("%s shows the untranslated key %q", target, word)
			}
		}
	}
}

func has(t *testing.T, what, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("%s: missing %q", what, p)
		}
	}
}

func hasNot(t *testing.T, what, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(body, p) {
			t.Errorf("%s: must not show %q", what, p)
		}
	}
}

// section returns the element with the given id, up to its closing tag
// (elements of the same kind are not nested in these pages).
func section(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no element #%s\n%s", id, excerpt(body))
	}
	start := strings.LastIndex(body[:i], "<")
	tag := strings.Fields(body[start+1 : i])[0]
	end := strings.Index(body[i:], "</"+tag+">")
	if end < 0 {
		t.Fatalf("#%s is not closed", id)
	}
	return body[start : i+end]
}

// nisList returns the data-nis values of the rows of a table, in order.
var dataNIS = regexp.MustCompile(`<tr data-nis="(\d+)"`)

func nisList(table string) []string {
	var out []string
	for _, m := range dataNIS.FindAllStringSubmatch(table, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestOutreachNav(t *testing.T) {
	for _, c := range []struct {
		role account.Role
		want bool
	}{{account.Admin, true}, {account.TeamLead, true}, {account.TeamWorker, true}, {account.Analyst, true},
		{account.OCMWWorker, false}, {account.OCMWAdmin, false}, {account.Clinic, false}, {account.DPO, false}} {
		items := nav(&account.Actor{Role: c.role}, "/outreach/targets")
		i := slices.IndexFunc(items, func(n NavItem) bool { return n.Href == "/outreach" })
		if (i >= 0) != c.want {
			t.Errorf("%s: outreach in the menu %v, want %v", c.role, i >= 0, c.want)
		}
		if i >= 0 && !items[i].Current {
			t.Errorf("%s: the outreach item is not marked current on a page under /outreach", c.role)
		}
	}
	if slices.ContainsFunc(nav(nil, "/"), func(n NavItem) bool { return n.Href == "/outreach" }) {
		t.Error("anonymous visitors get the outreach item")
	}
}

func TestOutreachOverviewPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newOutrWorld(t, db)
		// A team lead: its own area in one click.
		body := w.get(t, "lead", "/outreach", 200)
		has(t, "lead overview", body, `<h2 id="informed">Geïnformeerd <span class="count">(2)</span></h2>`,
			`<h2 id="not-approached">Nog niet benaderd <span class="count">(1)</span></h2>`, `href="/outreach/tasks"`, `href="/outreach/campaigns"`,
			`<figure class="chart" tabindex="0"><svg`)
		if got := nisList(section(t, body, "informed-list")); !slices.Equal(got, []string{"13013", "13016"}) {
			t.Errorf("informed for team-noord: %v", got)
		}
		has(t, "informed list", section(t, body, "informed-list"), "20-02-2026", "in gesprek", "aangemeld")
		if got := nisList(section(t, body, "not-approached-list")); !slices.Equal(got, []string{"12014"}) {
			t.Errorf("not approached for team-noord: %v", got)
		}
		has(t, "stage counts", section(t, body, "stage-counts"), `<tr data-stage="in_conversation"><th scope="row">in gesprek</th><td class="num">1</td>`)
		hasNot(t, "lead overview", body, `id="province"`, "Hasselt")

		// Admins: all of Flanders, with a province and team filter.
		body = w.get(t, "admin", "/outreach?province=Limburg", 200)
		informed := nisList(section(t, body, "informed-list"))
		if len(informed) < 35 || !slices.Contains(informed, "71072") {
			t.Errorf("Limburg informed: %v", informed)
		}
		has(t, "Limburg", body, `id="not-approached-none"`, `<option selected>Limburg</option>`)
		body = w.get(t, "admin", "/outreach?team=team-noord", 200)
		if got := nisList(section(t, body, "not-approached-list")); !slices.Equal(got, []string{"12014"}) {
			t.Errorf("admin, team-noord, not approached: %v", got)
		}
		// Before any campaign nobody was informed.
		body = w.get(t, "admin", "/outreach?as_of=2022-06-01", 200)
		has(t, "June 2022", body, `id="informed-none"`, `<span class="count">(300)</span>`)

		// Analysts: the same aggregates, no links to personal data.
		body = w.get(t, "analyst", "/outreach", 200)
		has(t, "analyst overview", body, `id="informed-list"`, `href="/outreach/targets?`)
		hasNot(t, "analyst overview", body, `href="/outreach/tasks"`, `href="/outreach/campaigns"`)

		body = w.get(t, "admin", "/outreach?as_of=2026-02-30", 400)
		has(t, "bad date", body, "„2026-02-30” is geen datum. Schrijf DD-MM-JJJJ", `id="as_of" name="as_of" inputmode="numeric" maxlength="10" autocomplete="off" aria-describedby="as_of-hint" value="02-03-2026" aria-invalid="true"`)
		body = w.get(t, "admin", "/outreach?province=Brabant", 400)
		has(t, "bad province", body, "Onbekende provincie: Brabant.")

		w.get(t, "ocmw", "/outreach", 403)
		if rec := w.do(t, "", httptest.NewRequest("GET", "/outreach", nil)); rec.Code != 303 || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
			t.Errorf("anonymous: %d %s", rec.Code, rec.Header().Get("Location"))
		}
	})
}

func TestOutreachTargetsPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newOutrWorld(t, db)
		// A team lead gets its own area; Herselt signed up and is off the list.
		body := w.get(t, "lead", "/outreach/targets", 200)
		targets := section(t, body, "targets")
		if got := nisList(targets); !slices.Equal(got, []string{"12014", "13016"}) {
			t.Fatalf("team-noord targets: %v", got)
		}
		has(t, "targets", targets, "Heist-op-den-Berg", "Antwerpen", "Lokaal team Noord", "niet geïnformeerd", "in gesprek", "20-02-2026", `<td class="num">10</td>`, "nooit")
		has(t, "targets page", body, `<option value="team-noord" selected>`, `id="stage-not_informed" name="stage" value="not_informed" checked`,
			`id="stage-signed_up" name="stage" value="signed_up">`,
			`href="/outreach/targets.csv?as_of=2026-03-02&amp;team=team-noord"`,
			`href="/outreach/mailing?`)

		// Hulshout's last contact is 10 days old.
		body = w.get(t, "lead", "/outreach/targets?team=team-noord&min_days_since_contact=30", 200)
		if got := nisList(section(t, body, "targets")); !slices.Equal(got, []string{"12014"}) {
			t.Errorf("30 days without contact: %v", got)
		}
		body = w.get(t, "lead", "/outreach/targets?team=team-noord&stage=signed_up&stage=in_conversation", 200)
		if got := nisList(section(t, body, "targets")); !slices.Equal(got, []string{"13013", "13016"}) {
			t.Errorf("signed up or in conversation: %v", got)
		}
		// All teams (an explicit empty team): Limburg, informed.
		body = w.get(t, "lead", "/outreach/targets?team=&province=Limburg&stage=informed", 200)
		limburg := nisList(section(t, body, "targets"))
		if len(limburg) < 35 || slices.Contains(limburg, "71072") {
			t.Errorf("Limburg informed (Hasselt is in conversation): %v", limburg)
		}
		body = w.get(t, "analyst", "/outreach/targets?stage=sleeping", 400)
		has(t, "bad stage", body, "Onbekende fase: sleeping.")
		hasNot(t, "analyst targets", body, `id="targets-mailing"`)
		body = w.get(t, "admin", "/outreach/targets?min_days_since_contact=veel", 400)
		has(t, "bad days", body, "Geef een geheel aantal dagen, 0 of meer.", `aria-invalid="true"`)
		w.get(t, "ocmw", "/outreach/targets", 403)

		// The downloads hold the list of the page.
		rec := w.do(t, "lead", httptest.NewRequest("GET", "/outreach/targets.csv", nil))
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(rec.Header().Get("Content-Disposition"), "doelgroep-2026-03-02.csv") {
			t.Fatalf("CSV: %d %v", rec.Code, rec.Header())
		}
		raw := rec.Body.Bytes()
		if !bytes.HasPrefix(raw, []byte("\uFEFF")) {
			t.Fatal("CSV without BOM")
		}
		rd := csv.NewReader(bytes.NewReader(raw[3:]))
		rd.Comma = ';'
		rows, err := rd.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// Dutch headers, codes in words, the team by name (looks).
		if len(rows) != 3 || rows[0][0] != "NIS-code" || rows[0][4] != "Fase" || rows[1][0] != "12014" || rows[1][4] != "niet geïnformeerd" ||
			rows[2][0] != "13016" || rows[2][1] != "Hulshout" || rows[2][3] != "Lokaal team Noord" || rows[2][4] != "in gesprek" || rows[2][8] != "10" {
			t.Fatalf("CSV rows %v", rows)
		}
		rec = w.do(t, "analyst", httptest.NewRequest("GET", "/outreach/targets.xlsx?team=&province=Limburg&stage=informed", nil))
		if rec.Code != 200 {
			t.Fatalf("XLSX: %d", rec.Code)
		}
		x, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		xrows, err := x.GetRows(x.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(xrows) != len(limburg)+1 || xrows[0][1] != "Naam" || xrows[1][0] != limburg[0] || xrows[1][4] != "geïnformeerd" {
			t.Fatalf("XLSX: %d rows, first %v", len(xrows), xrows[:2])
		}
		rec = w.do(t, "admin", httptest.NewRequest("GET", "/outreach/targets.csv?stage=nope", nil))
		if rec.Code != 400 {
			t.Errorf("CSV with a bad filter: %d", rec.Code)
		}
	})
}

func TestOutreachMunicipalityPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newOutrWorld(t, db)
		const page = "/outreach/municipalities/13016"
		body := w.get(t, "lead", page, 200)
		has(t, "Hulshout", body, `<p class="lead" id="stage" data-stage="in_conversation"><strong>in gesprek</strong> sinds <span class="nowrap">20-02-2026</span>`,
			"An Peeters", "an@hulshout.be", "Eerste gesprek over het decreet", `id="contact-new"`, `id="moment-new"`, `id="task-new"`,
			`href="/outreach/municipalities/13016/factsheet"`, `id="stage-history"`, `<label for="contact-name">Naam</label>`,
			`<label for="moment-summary">Samenvatting</label>`, `<label for="task-title">Taak</label>`, `<option value="contact-`)
		has(t, "history", section(t, body, "stage-history"), `<tr data-stage="not_informed">`, `<tr data-stage="in_conversation">`, "tot nu")

		// Analysts: stage and history, never the contacts.
		body = w.get(t, "analyst", page, 200)
		has(t, "analyst", body, `id="no-personal-data"`, `data-stage="in_conversation"`, `id="stage-history"`)
		hasNot(t, "analyst", body, "An Peeters", "an@hulshout.be", "Eerste gesprek", `id="contact-new"`, `id="moment-new"`)

		// Another team's worker is refused.
		body = w.get(t, "workerzuid", page, 403)
		has(t, "team-zuid", body, "Hulshout ligt niet in het werkgebied van uw team.")
		hasNot(t, "team-zuid", body, "An Peeters")
		w.get(t, "workerzuid", "/outreach/municipalities/71072", 200)
		w.get(t, "ocmw", page, 403)
		w.get(t, "admin", "/outreach/municipalities/99999", 404)
		// A merged municipality leads to its successor.
		if rec := w.do(t, "admin", httptest.NewRequest("GET", "/outreach/municipalities/73040", nil)); rec.Code != 303 || rec.Header().Get("Location") != "/outreach/municipalities/71072" {
			t.Errorf("Kortessem: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		body = w.get(t, "admin", "/outreach/municipalities/71072", 200)
		has(t, "Hasselt", body, "Kennismaking", "Kortessem (73040)", "Het decreet")

		// A contact without a name: a Dutch error at the field, nothing stored.
		rec := w.post(t, "lead", page+"/contacts", url.Values{"function": {"poverty_officer"}, "name": {"  "}, "email": {"els@hulshout.be"}}, 400)
		has(t, "no name", rec.Body.String(), `<a href="#contact-new">Naar het formulier met de fout</a>`, "Geef een naam (hoogstens 200 tekens).", `id="contact-name" name="name" maxlength="200" autocomplete="off" value="  " aria-invalid="true"`,
			`value="els@hulshout.be"`)
		rec = w.post(t, "lead", page+"/contacts", url.Values{"function": {"poverty_officer"}, "name": {"Els Maes"}}, 400)
		has(t, "no channel", rec.Body.String(), "Geef een professioneel e-mailadres of een telefoonnummer.", `id="contact-email" name="email" type="email" maxlength="254" autocomplete="off" aria-describedby="contact-channel-hint" value="" aria-invalid="true"`)
		rec = w.post(t, "lead", page+"/contacts", url.Values{"function": {"poverty_officer"}, "name": {"Els Maes"}, "phone": {"12"}}, 400)
		has(t, "bad phone", rec.Body.String(), "Geef een geldig telefoonnummer", `id="contact-phone" name="phone" type="tel" maxlength="40" autocomplete="off" value="12" aria-invalid="true"`)
		if list, _ := db.Contacts(context.Background(), account.System("test"), "13016"); len(list) != 1 {
			t.Fatalf("a refused contact was stored: %+v", list)
		}
		// Add, change and remove a contact (Post/Redirect/Get).
		rec = w.post(t, "lead", page+"/contacts", url.Values{"function": {"poverty_officer"}, "name": {"Els Maes"}, "email": {"Els.Maes@Hulshout.be"}}, 303)
		if loc := rec.Header().Get("Location"); loc != page+"?ok=outreach_contact_added#contacts" {
			t.Fatalf("after adding: %s", loc)
		}
		body = w.get(t, "lead", page+"?ok=outreach_contact_added", 200)
		has(t, "added", body, "De contactpersoon is toegevoegd.", "Els Maes", "els.maes@hulshout.be", "Beleidsmedewerker armoede")
		list, _ := db.Contacts(context.Background(), account.System("test"), "13016")
		els := list[len(list)-1]
		one := fmt.Sprintf("%s/contacts/%d", page, els.ID)
		rec = w.post(t, "worker", one, url.Values{"function": {"poverty_officer"}, "name": {"Els Maes"}, "email": {"els.maes@hulshout.be"}, "phone": {"015 22 40 11"}}, 303)
		if loc := rec.Header().Get("Location"); loc != page+"?ok=outreach_contact_saved#contacts" {
			t.Fatalf("after saving: %s", loc)
		}
		has(t, "changed", w.get(t, "lead", page, 200), "015 22 40 11")
		rec = w.post(t, "lead", one, url.Values{"function": {"poverty_officer"}, "name": {"Els Maes"}, "email": {"els.maes@hulshout.be"}, "phone": {"015 22 40 11"}}, 400)
		has(t, "unchanged", rec.Body.String(), "Er is niets te wijzigen.", `<details open>`)
		w.post(t, "workerzuid", one, url.Values{"function": {"other"}, "name": {"X"}, "email": {"x@hulshout.be"}}, 403)
		w.post(t, "lead", one+"/delete", nil, 303)
		body = w.get(t, "lead", page, 200)
		hasNot(t, "removed", body, "Els Maes", "015 22 40 11")
		evs, err := db.AuditEvents(context.Background(), audit.Filter{ObjectType: "outreach_contact", ObjectID: strconv.FormatInt(els.ID, 10)})
		// Created, changed, team-zuid's refused change (denied), removed.
		denied := 0
		for _, ev := range evs {
			if ev.Outcome == audit.Denied {
				denied++
			}
		}
		if err != nil || len(evs) != 4 || denied != 1 {
			t.Errorf("audit of the contact: %d records (%d denied), %v", len(evs), denied, err)
		}
		// Without the CSRF token nothing happens.
		w.post(t, "lead", page+"/contacts", url.Values{"csrf": {"forged"}, "function": {"other"}, "name": {"Jan"}, "email": {"jan@hulshout.be"}}, 403)
		// Another team may not add contacts here.
		rec = w.post(t, "workerzuid", page+"/contacts", url.Values{"function": {"other"}, "name": {"Jan"}, "email": {"jan@hulshout.be"}}, 403)
		has(t, "zuid adds", rec.Body.String(), "Hulshout ligt niet in het werkgebied van uw team.")

		// Log a contact moment.
		rec = w.post(t, "worker", page+"/moments", url.Values{"on": {"2026-02-27"}, "channel": {"meeting"}, "with": {"head_social_service"}, "summary": {""}}, 400)
		has(t, "no summary", rec.Body.String(), "Vul &#39;Samenvatting&#39; in.", `aria-invalid="true" aria-describedby="moment-summary-error">`, `<option value="head_social_service" selected>`)
		rec = w.post(t, "worker", page+"/moments", url.Values{"on": {"2026-03-05"}, "channel": {"meeting"}, "summary": {"Later"}}, 400)
		has(t, "future", rec.Body.String(), "Een contactmoment kan niet in de toekomst liggen.")
		rec = w.post(t, "worker", page+"/moments", url.Values{"on": {"2026-02-27"}, "channel": {"meeting"}, "with": {fmt.Sprintf("contact-%d", w.contact.ID)},
			"summary": {"Overleg met de algemeen directeur"}, "next_step": {"Voorstel aan de raad"}}, 303)
		if loc := rec.Header().Get("Location"); loc != page+"?ok=outreach_moment_logged#moments" {
			t.Fatalf("after logging: %s", loc)
		}
		moments := section(t, w.get(t, "lead", page, 200), "moment-list")
		has(t, "moments", moments, "27-02-2026", "Overleg", "Lokaal team Noord", "An Peeters", "Voorstel aan de raad")
		if i, j := strings.Index(moments, "27-02-2026"), strings.Index(moments, "20-02-2026"); i < 0 || j < i {
			t.Error("contact moments are not newest first")
		}

		// Plan a task and mark it done.
		rec = w.post(t, "lead", page+"/tasks", url.Values{"title": {"Raadsvoorstel opvolgen"}}, 400)
		has(t, "no due date", rec.Body.String(), `<a href="#task-due">Uiterlijk op</a>: Vul dit veld in.`, `value="Raadsvoorstel opvolgen"`)
		w.post(t, "lead", page+"/tasks", url.Values{"title": {"Raadsvoorstel opvolgen"}, "due_on": {"2026-03-20"}}, 303)
		tasks, _ := db.Tasks(context.Background(), account.System("test"), outreach.TaskFilter{NIS: "13016"})
		if len(tasks) != 1 || tasks[0].Team != "team-noord" {
			t.Fatalf("tasks %+v", tasks)
		}
		has(t, "task", section(t, w.get(t, "lead", page, 200), "task-list"), "Raadsvoorstel opvolgen", "20-03-2026", `id="task-done-`)
		rec = w.post(t, "lead", fmt.Sprintf("/outreach/tasks/%d", tasks[0].ID), url.Values{"status": {"done"}, "back": {page + "#tasks"}}, 303)
		if loc := rec.Header().Get("Location"); loc != page+"?ok=outreach_task_updated#tasks" {
			t.Fatalf("after done: %s", loc)
		}
		has(t, "done", section(t, w.get(t, "lead", page, 200), "task-list"), `data-status="done"`, "afgerond", `id="task-reopen-`)
	})
}

func TestOutreachCampaignPages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newOutrWorld(t, db)
		body := w.get(t, "lead", "/outreach/campaigns", 200)
		has(t, "campaigns", body, `id="campaign-new"`, "Het decreet", "VVSG", `<option value="team_area" selected>`, `id="aud-m-13016"`, `<label for="campaign-subject">Onderwerp</label>`)
		hasNot(t, "lead's campaign form", body, `<option value="all"`, `id="aud-m-71072"`, `id="campaign-province"`)
		has(t, "admin's campaign form", w.get(t, "admin", "/outreach/campaigns", 200), `<option value="all"`, `id="aud-m-71072"`, `id="campaign-province"`)
		w.get(t, "analyst", "/outreach/campaigns", 403)

		rec := w.post(t, "lead", "/outreach/campaigns", url.Values{"kind": {"webinar"}, "on": {"2023-03-08"}, "partner": {"VVSG"}, "subject": {""}, "audience": {"list"}, "municipality": {"13016"}}, 400)
		has(t, "no subject", rec.Body.String(), "Vul &#39;Onderwerp&#39; in.", `id="aud-m-13016" name="municipality" value="13016" checked`)
		rec = w.post(t, "lead", "/outreach/campaigns", url.Values{"kind": {"webinar"}, "on": {"2023-03-08"}, "subject": {"Webinar"}, "audience": {"list"}}, 400)
		has(t, "empty list", rec.Body.String(), "Kies minstens één gemeente voor de eigen lijst.")
		rec = w.post(t, "lead", "/outreach/campaigns", url.Values{"kind": {"webinar"}, "on": {"2023-03-08"}, "partner": {"VVSG"},
			"subject": {"Webinar VVSG–Opgroeien"}, "audience": {"list"}, "municipality": {"13016", "12014"}, "audience_province": {"Limburg"}}, 303)
		loc := rec.Header().Get("Location")
		id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(loc, "/outreach/campaigns/"), "?ok=outreach_campaign_created"), 10, 64)
		if err != nil {
			t.Fatalf("after recording: %s", loc)
		}
		page := fmt.Sprintf("/outreach/campaigns/%d", id)
		body = w.get(t, "lead", page+"?ok=outreach_campaign_created", 200)
		has(t, "campaign", body, "De campagne is geregistreerd.", "Webinar VVSG–Opgroeien", "Eigen lijst van gemeenten", `id="attendance-upload"`, `enctype="multipart/form-data"`, `<label for="attendance-file">`)
		if got := nisList(section(t, body, "touchpoints")); !slices.Equal(got, []string{"12014", "13016"}) {
			t.Fatalf("reached %v", got)
		}
		hasNot(t, "team-zuid's view", w.get(t, "workerzuid", page, 200), `id="attendance-upload"`, "Hulshout")

		reached := func() []outreach.Touchpoint {
			c, err := db.Campaign(context.Background(), account.System("test"), id)
			if err != nil {
				t.Fatal(err)
			}
			return c.Touchpoints
		}
		before := reached()

		// A rejected file writes nothing.
		body = w.upload(t, "lead", page+"/attendance", []byte("PK\x03\x04\x14\x00\x06\x00binary workbook"), false, 400)
		has(t, "binary", body, "Bestand (CSV): Het bestand is geweigerd: Dit is een Excel-werkmap (.xlsx)", "Er is niets ingelezen.", `aria-invalid="true"`)
		hasNot(t, "binary", body, `id="attendance-report"`)
		body = w.upload(t, "lead", page+"/attendance", []byte("Naam;Gemeente;Aanwezig\r\n"), false, 400)
		has(t, "header only", body, "Het bestand bevat alleen kolomtitels en geen deelnemers.")
		// An unknown municipality: the report, and nothing imported.
		bad := []byte("\uFEFFNaam;E-mail;Gemeente;Aanwezig\r\nAn Peeters;an@hulshout.be;Hulshout;ja\r\nJan Smet;jan@example.org;Atlantis;nee\r\nAn Peeters;an@hulshout.be;Hulshout;ja\r\n")
		body = w.upload(t, "lead", page+"/attendance", bad, false, 200)
		report := section(t, body, "attendance-rows")
		has(t, "unmatched", body, `id="attendance-not-imported"`, "Er is niets ingelezen", "Herkend: 1; niet herkend: 1; dubbel: 1.", "UTF-8 BOM")
		has(t, "rows", report, `data-line="2" data-nis="13016" data-problem=""`, "Hulshout", "op naam", `data-line="3" data-nis="" data-problem="unknown_municipality"`,
			"Atlantis", "Niet herkend: onbekende gemeente", `data-problem="duplicate"`, "Dubbel")
		hasNot(t, "report", report, "an@hulshout.be", "Jan Smet")
		if after := reached(); !slices.Equal(after, before) {
			t.Fatalf("an unaccepted report changed the campaign: %+v", after)
		}
		// Accepting the matched rows only.
		body = w.upload(t, "lead", page+"/attendance", bad, true, 200)
		has(t, "partial", body, `id="attendance-imported"`, "Ingelezen. Rijen: 1; nieuw bereikte gemeenten: 0; bijgewerkte gemeenten: 1.")
		// A clean file: Herselt is added, Hulshout attended.
		good := []byte("Naam,E-mail,Gemeente,Aanwezig\nEls Maes,els@herselt.be,Gemeente Herselt,nee\nAn Peeters,an@hulshout.be,HULSHOUT,ja\n")
		body = w.upload(t, "lead", page+"/attendance", good, false, 200)
		has(t, "imported", body, "Ingelezen. Rijen: 2; nieuw bereikte gemeenten: 1; bijgewerkte gemeenten: 1.", `id="attended-count" data-count="1"`)
		byNIS := map[string]outreach.Touchpoint{}
		for _, tp := range reached() {
			byNIS[tp.MunicipalityNIS] = tp
		}
		if len(byNIS) != 3 || !byNIS["13016"].Attended || byNIS["13016"].ContactID != w.contact.ID || !byNIS["13013"].Registered || byNIS["13013"].Attended || byNIS["13013"].Source != outreach.SourceAttendance {
			t.Fatalf("after import: %+v", byNIS)
		}
		// Another team may not import into this campaign: nothing changes.
		before = reached()
		body = w.upload(t, "workerzuid", page+"/attendance", good, false, 403)
		has(t, "zuid imports", body, "Uw rol laat dit niet toe.")
		if after := reached(); !slices.Equal(after, before) {
			t.Fatal("a refused import changed the campaign")
		}
	})
}

func TestOutreachTasksPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newOutrWorld(t, db)
		ctx, sys := context.Background(), account.System("test")
		plan := func(nis, team, title, due string) outreach.Task {
			t.Helper()
			x, err := db.CreateTask(ctx, sys, outreach.NewTask{MunicipalityNIS: nis, Team: team, Title: title, DueOn: due})
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
		later := plan("12014", "team-noord", "Kennismaking Heist", "2026-04-01")
		done := plan("13013", "team-noord", "Ontwerp bespreken", "2026-01-10")
		overdue := plan("13016", "team-noord", "Raad contacteren", "2026-02-15")
		zuid := plan("71072", "team-zuid", "Bezoek Hasselt", "2026-03-10")
		st := "done"
		if _, err := db.UpdateTask(ctx, sys, done.ID, outreach.TaskUpdate{Status: &st}); err != nil {
			t.Fatal(err)
		}
		body := w.get(t, "worker", "/outreach/tasks", 200)
		list := section(t, body, "task-list")
		order := regexp.MustCompile(`<tr id="task-(\d+)"`).FindAllStringSubmatch(list, -1)
		var ids []string
		for _, m := range order {
			ids = append(ids, m[1])
		}
		want := []string{fmt.Sprint(overdue.ID), fmt.Sprint(later.ID), fmt.Sprint(done.ID)}
		if !slices.Equal(ids, want) {
			t.Fatalf("order %v, want %v (open by due date, then closed)", ids, want)
		}
		has(t, "tasks", body, `id="overdue-count" data-count="1"`, `id="open-count" data-count="2"`)
		if strings.Count(list, `<strong class="late">te laat</strong>`) != 1 || !strings.Contains(section(t, list, fmt.Sprintf("task-%d", overdue.ID)), "te laat") {
			t.Error("the overdue task is not marked in words (only once)")
		}
		hasNot(t, "team-noord's tasks", body, "Bezoek Hasselt", `id="tasks-filter"`)

		body = w.get(t, "admin", "/outreach/tasks?team=team-zuid", 200)
		has(t, "admin, team-zuid", section(t, body, "task-list"), "Bezoek Hasselt", `href="/outreach/municipalities/71072"`)
		hasNot(t, "admin, team-zuid", body, "Raad contacteren")
		has(t, "admin", w.get(t, "admin", "/outreach/tasks", 200), "Bezoek Hasselt", "Raad contacteren", `id="tasks-filter"`)
		w.get(t, "analyst", "/outreach/tasks", 403)

		rec := w.post(t, "worker", fmt.Sprintf("/outreach/tasks/%d", overdue.ID), url.Values{"status": {"cancelled"}, "back": {"/outreach/tasks?team="}}, 303)
		if loc := rec.Header().Get("Location"); loc != "/outreach/tasks?ok=outreach_task_updated&team=" {
			t.Errorf("after cancelling: %s", loc)
		}
		has(t, "cancelled", w.get(t, "worker", "/outreach/tasks?ok=outreach_task_updated", 200), "De taak is bijgewerkt.", `id="overdue-count" data-count="0"`, "geannuleerd")
		// Another team's task, and a redirect off the site, are refused.
		w.post(t, "worker", fmt.Sprintf("/outreach/tasks/%d", zuid.ID), url.Values{"status": {"done"}}, 404)
		rec = w.post(t, "worker", fmt.Sprintf("/outreach/tasks/%d", later.ID), url.Values{"status": {"done"}, "back": {"//evil.example/x"}}, 303)
		if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/?") && !strings.HasPrefix(loc, "/outreach") {
			t.Errorf("redirected off the site: %s", loc)
		}
	})
}
