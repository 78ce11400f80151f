package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/birth"
	"kansrijk/internal/org"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// The birth notification pages over a real store, on both databases: a
// clinic notifies (form and CSV file), the local team works its queue,
// Opgroeien sees its own queue and the figures. Each user signs in through
// the login form, and every POST carries the session's CSRF token.

// birthsNow is the fixed clock of the tests.
var birthsNow = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)

type birthsWorld struct {
	t     *testing.T
	now   *time.Time // the clock, birthsNow at first
	db    *store.DB
	srv   *httptest.Server
	users *storetest.Accounts // created on first sign-in
}

// newBirthsWorld builds two local teams (team-noord: Hulshout 13016 and
// Heist-op-den-Berg 12014; team-zuid: Antwerpen 11002), a clinic, and one
// user per role involved.
func newBirthsWorld(t *testing.T, db *store.DB) *birthsWorld {
	t.Helper()
	ctx := context.Background()
	now := birthsNow
	db.Now = func() time.Time { return now }
	sys := account.System("test")
	from := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tm := range []org.NewTeam{
		{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016", "12014"}, From: from},
		{Key: "team-zuid", Name: "Lokaal team Zuid", Municipalities: []string{"11002"}, From: from},
	} {
		if _, err := db.CreateTeam(ctx, sys, tm); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []org.NewClinic{{Key: "clinic-zonnig", Name: "Kraamkliniek Zonnig"}, {Key: "clinic-ander", Name: "Kraamkliniek Ander"}} {
		if _, err := db.CreateClinic(ctx, sys, c); err != nil {
			t.Fatal(err)
		}
	}
	s, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &birthsWorld{t: t, now: &now, db: db, srv: srv, users: storetest.Users(t, db, "example.org",
		storetest.U{Name: "clinic", Role: "clinic", Org: "clinic-zonnig", FullName: "Vroedvrouw Test"},
		storetest.U{Name: "clinic2", Role: "clinic", Org: "clinic-ander", FullName: "Vroedvrouw Ander"},
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-noord", FullName: "Werker Noord"},
		storetest.U{Name: "lead", Role: "team_lead", Org: "team-noord", FullName: "Lead Noord"},
		storetest.U{Name: "zuid", Role: "team_worker", Org: "team-zuid", FullName: "Werker Zuid"},
		storetest.U{Name: "admin", Role: "admin", Org: "opgroeien", FullName: "Beheerder"},
		storetest.U{Name: "analyst", Role: "analyst", Org: "opgroeien", FullName: "Analist"},
	)}
}

// browser is one signed-in user: the session cookie and the CSRF token
// of the last page read.
type browser struct {
	w      *birthsWorld
	cookie *http.Cookie
	csrf   string
}

type response struct {
	Status   int
	Body     string
	Location string
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login signs the test user in through the login form.
func (w *birthsWorld) login(name string) *browser {
	w.t.Helper()
	w.users.Create(w.t, name)
	email := w.users.Email(w.t, name)
	b := &browser{w: w}
	r := b.do(http.MethodPost, "/login", "application/x-www-form-urlencoded", strings.NewReader(url.Values{"email": {email}, "password": {storetest.Password}}.Encode()))
	if r.Status != http.StatusSeeOther {
		w.t.Fatalf("login %s: status %d", email, r.Status)
	}
	return b
}

func (b *browser) do(method, path, contentType string, body io.Reader) response {
	b.w.t.Helper()
	req, err := http.NewRequest(method, b.w.srv.URL+path, body)
	if err != nil {
		b.w.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if b.cookie != nil {
		req.AddCookie(b.cookie)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		b.w.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.Name == "kansrijk_session" {
			b.cookie = c
		}
	}
	out := response{Status: res.StatusCode, Body: string(data), Location: res.Header.Get("Location")}
	if m := csrfRE.FindStringSubmatch(out.Body); m != nil {
		b.csrf = m[1]
	}
	// No page shows a key of the catalogue instead of its text.
	for _, raw := range []string{"births_ui.", "birth.status.", "birth.channel.", "birth.row_status.", "birth.clinic_status.", "error.birth."} {
		if strings.Contains(out.Body, raw) {
			b.w.t.Errorf("%s %s shows the untranslated key %q", method, path, raw)
		}
	}
	return out
}

func (b *browser) get(path string) response {
	b.w.t.Helper()
	return b.do(http.MethodGet, path, "", nil)
}

func (b *browser) post(path string, form url.Values) response {
	b.w.t.Helper()
	if b.csrf == "" {
		b.get("/")
	}
	form.Set("csrf", b.csrf)
	return b.do(http.MethodPost, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

// upload sends a CSV file through the upload form.
func (b *browser) upload(csv string, partial bool) response {
	b.w.t.Helper()
	b.get("/births/upload")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf", b.csrf)
	if partial {
		_ = mw.WriteField("accept_partial", "on")
	}
	fw, _ := mw.CreateFormFile("file", "geboortes.csv")
	_, _ = io.WriteString(fw, csv)
	_ = mw.Close()
	return b.do(http.MethodPost, "/births/upload", mw.FormDataContentType(), &buf)
}

func wantStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.Status != want {
		t.Errorf("%s: status %d, want %d\n%s", what, r.Status, want, excerpt(r.Body))
	}
}

func wantIn(t *testing.T, what string, r response, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(r.Body, s) {
			t.Errorf("%s: page lacks %q\n%s", what, s, excerpt(r.Body))
		}
	}
}

func wantNotIn(t *testing.T, what string, r response, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(r.Body, s) {
			t.Errorf("%s: page shows %q", what, s)
		}
	}
}

// excerpt is the main content of a page, for failure messages.
func excerpt(body string) string {
	if i := strings.Index(body, `<main id="main">`); i >= 0 {
		body = body[i:]
	}
	if len(body) > 3000 {
		body = body[:3000] + "…"
	}
	return body
}

var idRE = regexp.MustCompile(`^/births/(\d+)\?ok=`)

func createdID(t *testing.T, r response) string {
	t.Helper()
	m := idRE.FindStringSubmatch(r.Location)
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("status %d, location %q, want a redirect to the new notification\n%s", r.Status, r.Location, excerpt(r.Body))
	}
	return m[1]
}

// notification is a valid form of a family in Hulshout (team-noord).
func notification(mother, born string) url.Values {
	return url.Values{
		"mother.name": {mother}, "mother.street": {"Kerkstraat"}, "mother.number": {"7"}, "mother.postcode": {"2235"},
		"mother.phone": {"+32 470 11 22 33"}, "mother.language": {"nl"}, "child_birth_date": {born},
	}
}

func TestBirthPages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newBirthsWorld(t, db)
		clinic := w.login("clinic")

		// The form: every problem at once, in Dutch, naming the field.
		r := clinic.get("/births/new")
		wantStatus(t, "form", r, 200)
		wantIn(t, "form", r, `id="birth-form"`, `name="mother.name"`, `name="co_parent.name"`, `name="early_contact_requested"`)
		bad := notification("Test Moeder Fout", "2026-04-01")
		bad.Del("mother.phone")
		bad.Set("mother.postcode", "99")
		r = clinic.post("/births", bad)
		wantStatus(t, "form with errors", r, 400)
		wantIn(t, "form with errors", r, "Het formulier bevat 4 fout(en)",
			`<a href="#mother-postcode">Moeder — Postcode</a>: Geef een Belgische postcode van vier cijfers.`,
			`<a href="#mother-phone">Moeder — Telefoon</a>: Geef minstens een telefoonnummer of een e-mailadres van de moeder.`,
			`<a href="#child-birth-date">Geboortedatum kind</a>: De geboortedatum 2026-04-01 ligt in de toekomst.`,
			`id="mother-phone" name="mother.phone" type="tel" maxlength="20" autocomplete="off"
    value="" aria-invalid="true"`, `value="Test Moeder Fout"`)
		if n, _ := allSubmissions(db, w.users.Actor(t, "clinic")); len(n) != 0 {
			t.Errorf("a form with errors stored %d notifications", len(n))
		}

		// A good one: the municipality follows from the postcode; the
		// clinic sees the status only.
		id := createdID(t, clinic.post("/births", notification("Test Moeder Een", "2026-03-01")))
		r = clinic.get("/births/" + id + "?ok=birth_submitted")
		wantStatus(t, "submission", r, 200)
		wantIn(t, "submission", r, "De geboortemelding is verstuurd naar Kind en Gezin.", "Nog niet opgepakt", "Lokaal team Noord", "01-03-2026")
		wantNotIn(t, "submission", r, "Test Moeder Een", "Kerkstraat")
		r = clinic.get("/births")
		wantIn(t, "clinic list", r, `id="submission-`+id+`" data-status="new"`, "Meldingen van uw kraamkliniek op deze pagina: 1")
		wantNotIn(t, "clinic list", r, "Test Moeder Een")

		// Another clinic neither lists nor opens it.
		other := w.login("clinic2")
		wantNotIn(t, "other clinic's list", other.get("/births"), `id="submission-`+id+`"`)
		wantStatus(t, "other clinic opens it", other.get("/births/"+id), 404)

		// The team worker of Hulshout sees it in the queue, with the
		// mother's name (the team may see its families' names; the page
		// is audited); filters and sorting keep it or leave it out.
		worker := w.login("worker")
		r = worker.get("/births")
		wantStatus(t, "queue", r, 200)
		wantIn(t, "queue", r, `id="birth-`+id+`" data-status="new"`, "Hulshout", "Kraamkliniek Zonnig", `aria-sort="descending"`, "Test Moeder Een")
		for q, in := range map[string]bool{
			"?language=nl": true, "?language=fr": false, "?early=yes": false, "?early=no": true, "?municipality=13016": true,
			"?municipality=12014": false, "?born_from=2026-03-01&born_to=2026-03-01": true, "?born_from=2026-03-02": false,
			"?status=new": true, "?status=contacted": false, "?sort=municipality": true, "?sort=-child_birth_date": true,
		} {
			r := worker.get("/births" + q)
			wantStatus(t, q, r, 200)
			if got := strings.Contains(r.Body, `id="birth-`+id+`"`); got != in {
				t.Errorf("queue%s lists the notification: %v, want %v", q, got, in)
			}
		}
		r = worker.get("/births?born_from=gisteren")
		wantStatus(t, "bad date filter", r, 400)
		wantIn(t, "bad date filter", r, "„gisteren” is geen datum. Schrijf DD-MM-JJJJ", `id="birth-`+id+`"`)
		// Another team neither lists nor opens it.
		zuid := w.login("zuid")
		wantNotIn(t, "other team's queue", zuid.get("/births"), `id="birth-`+id+`"`)
		r = zuid.get("/births/" + id)
		wantStatus(t, "other team opens it", r, 404)
		wantNotIn(t, "other team opens it", r, "Test Moeder Een")

		// The detail: the parents' details, the contact form; no merge
		// (no duplicate), a referral can be started.
		r = worker.get("/births/" + id)
		wantStatus(t, "detail", r, 200)
		wantIn(t, "detail", r, "Test Moeder Een", "Kerkstraat 7, 2235 Hulshout", "32470112233", `id="birth-contact"`, `id="birth-referral"`)
		wantNotIn(t, "detail", r, `id="birth-merge"`)

		// Contact without saying whether the family was reached: a Dutch
		// error, the choice kept.
		r = worker.post("/births/"+id+"/contacts", url.Values{"on": {"2026-03-09"}, "channel": {"phone"}, "version": {"1"}})
		wantStatus(t, "contact without reached", r, 400)
		wantIn(t, "contact without reached", r, "Zeg of het gezin bereikt werd.", `id="ch-phone" name="channel" value="phone" required checked`)
		r = worker.post("/births/"+id+"/contacts", url.Values{"on": {"2026-03-09"}, "channel": {"phone"}, "reached": {"yes"}, "home_visit_planned": {"on"}, "version": {"1"}})
		if r.Status != http.StatusSeeOther || r.Location != "/births/"+id+"?ok=birth_contact_recorded" {
			t.Fatalf("record contact: %d %q\n%s", r.Status, r.Location, excerpt(r.Body))
		}
		r = worker.get(r.Location)
		wantIn(t, "after contact", r, "Het contact is vastgelegd.", `id="birth-status">Bereikt`, "09-03-2026", "Telefoon")
		wantNotIn(t, "after contact", r, `id="birth-contact"`)
		// A second form of the old version is refused: the family was reached.
		r = worker.post("/births/"+id+"/contacts", url.Values{"on": {"2026-03-09"}, "channel": {"letter"}, "reached": {"no"}, "version": {"1"}})
		wantStatus(t, "stale contact", r, 409)
		wantIn(t, "stale contact", r, "Iemand anders wijzigde dit tegelijk")

		// The clinic sees "picked up", nothing of the contact.
		r = clinic.get("/births/" + id)
		wantIn(t, "submission after contact", r, `id="submission-status">Opgepakt`)
		wantNotIn(t, "submission after contact", r, "Telefoon", "Bereikt", "huisbezoek", "09-03-2026")

		// Duplicates: the same mother and date of birth twice. The worker
		// sees the flag; the lead merges.
		d1 := createdID(t, clinic.post("/births", notification("Test Moeder Twee", "2026-03-05")))
		twice := notification("twee, test moeder", "2026-03-05")
		twice.Set("early_contact_requested", "on")
		d2 := createdID(t, other.post("/births", twice))
		r = worker.get("/births")
		wantIn(t, "queue with duplicates", r, "mogelijke dubbel")
		r = worker.get("/births/" + d2)
		wantIn(t, "duplicate, worker", r, `id="duplicates"`, `href="/births/`+d1+`"`, "Een teamverantwoordelijke kan dubbele meldingen samenvoegen.")
		wantNotIn(t, "duplicate, worker", r, `id="birth-merge"`)
		if r := worker.post("/births/"+d2+"/merge", url.Values{"into": {d1}, "confirm_merge": {"on"}}); r.Status != 403 {
			t.Errorf("a worker merges: status %d, want 403", r.Status)
		}
		lead := w.login("lead")
		r = lead.get("/births/" + d2)
		wantIn(t, "duplicate, lead", r, `id="birth-merge"`, `id="into-`+d1+`"`)
		r = lead.post("/births/"+d2+"/merge", url.Values{"into": {d1}})
		wantStatus(t, "merge without confirmation", r, 400)
		wantIn(t, "merge without confirmation", r, "Bevestig dat het om hetzelfde gezin gaat.")
		r = lead.post("/births/"+d2+"/merge", url.Values{"into": {d1}, "confirm_merge": {"on"}})
		if r.Status != http.StatusSeeOther || r.Location != "/births/"+d1+"?ok=birth_merged" {
			t.Fatalf("merge: %d %q\n%s", r.Status, r.Location, excerpt(r.Body))
		}
		r = lead.get(r.Location)
		wantIn(t, "kept", r, "De dubbele melding is samengevoegd", "Test Moeder Twee")
		wantNotIn(t, "kept", r, `id="duplicates"`)
		r = lead.get("/births/" + d2)
		wantIn(t, "merged", r, `id="merged-into"`, "Samengevoegd (dubbel)", "De persoonsgegevens van deze melding zijn gewist.")
		wantNotIn(t, "merged", r, "twee, test moeder", `id="birth-contact"`, `id="birth-referral"`)

		// A referral from the notification: the referral's own page, with
		// its consent still to come.
		r = worker.post("/births/"+d1+"/referral", url.Values{"criteria": {"income", "housing"}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/referrals/") || !strings.HasSuffix(r.Location, "?ok=referral_from_birth") {
			t.Fatalf("start referral: %d %q\n%s", r.Status, r.Location, excerpt(r.Body))
		}
		r = worker.get(r.Location)
		wantStatus(t, "referral", r, 200)
		wantIn(t, "referral", r, "Er wordt niets gedeeld voor de ouders toestemming geven.", "Test Moeder Twee")
		r = worker.get("/births/" + d1)
		wantIn(t, "after referral", r, `href="/referrals/`)
		wantNotIn(t, "after referral", r, `id="birth-referral"`)

		// Roles: a team worker notifies nothing, sees no figures.
		for _, p := range []string{"/births/new", "/births/upload", "/reports/births"} {
			wantStatus(t, "team worker on "+p, worker.get(p), 403)
		}
		wantStatus(t, "clinic on the figures", clinic.get("/reports/births"), 403)
		ocmwless := w.login("analyst")
		wantStatus(t, "analyst on /births", ocmwless.get("/births"), 403)
		wantStatus(t, "analyst on the figures", ocmwless.get("/reports/births"), 200)
		wantStatus(t, "unknown notification", worker.get("/births/999999"), 404)
		// The escalation e-mail's link leads to the queue.
		if r := worker.get("/birth-notifications"); r.Status != http.StatusMovedPermanently || r.Location != "/births" {
			t.Errorf("the e-mail's link: %d %q, want a redirect to /births", r.Status, r.Location)
		}
	})
}

// csvFile is a batch in Dutch with a BOM and ";": row 3 has a bad
// postcode; row 4 is a family in Brussels, which no team covers.
const csvFile = "\ufeffmoeder_naam;moeder_straat;moeder_huisnummer;moeder_postcode;moeder_nis;moeder_telefoon;moeder_taal;geboortedatum;vroeg_contact\r\n" +
	"Batch Moeder Een;Dorpsstraat;1;2235;13016;+32 470 00 00 01;nl;01/03/2026;ja\r\n" +
	"Batch Moeder Twee;Dorpsstraat;2;22;13016;+32 470 00 00 02;fr;2026-03-02;nee\r\n" +
	"Batch Moeder Drie;Wetstraat;3;1000;21004;+32 470 00 00 03;ar;2026-03-03;\r\n"

func TestBirthUpload(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newBirthsWorld(t, db)
		clinic := w.login("clinic")
		r := clinic.get("/births/upload")
		wantStatus(t, "upload form", r, 200)
		wantIn(t, "upload form", r, `id="births-upload"`, `enctype="multipart/form-data"`, `name="accept_partial"`, "moeder_naam", "mother_name")

		// One bad row: the report names row and column, nothing is stored.
		r = clinic.upload(csvFile, false)
		wantStatus(t, "file with a bad row", r, 400)
		wantIn(t, "file with a bad row", r, "Er is niets ingelezen.", "1 van de 3 rijen bevatten fouten.",
			`<tr data-row="3" data-code="postcode_invalid"><td>3</td><td><code>moeder_postcode</code></td><td lang="nl">Geef een Belgische postcode van vier cijfers.</td></tr>`,
			`id="batch-row-2" data-status="not_imported"`, `id="batch-row-3" data-status="rejected"`)
		wantNotIn(t, "file with a bad row", r, `id="stored-rows"`)
		if n, _ := allSubmissions(db, w.users.Actor(t, "clinic")); len(n) != 0 {
			t.Errorf("a rejected file stored %d notifications", len(n))
		}

		// The good rows only, on request: which went in, and where.
		r = clinic.upload(csvFile, true)
		wantStatus(t, "partial", r, 200)
		wantIn(t, "partial", r, "2 nieuw, 0 al eerder gemeld, 1 geweigerd", `<strong>Ingelezen rijen:</strong> 2, 4`,
			`id="batch-row-2" data-status="created"`, `id="batch-row-3" data-status="rejected"`, `id="batch-row-4" data-status="created"`,
			"Lokaal team Noord", "Wachtrij Opgroeien (geen lokaal team)")
		// The same file again creates nothing new.
		r = clinic.upload(csvFile, true)
		wantIn(t, "again", r, "Dit bestand was al ontvangen")
		if n, _ := allSubmissions(db, w.users.Actor(t, "clinic")); len(n) != 2 {
			t.Errorf("after the same file twice: %d notifications, want 2", len(n))
		}
		// A file with a national register number is refused as a whole.
		r = clinic.upload("moeder_naam;rijksregisternummer\r\nX;85.07.30-033.28\r\n", true)
		wantStatus(t, "unknown column", r, 400)
		wantIn(t, "unknown column", r, "De kolom &#39;rijksregisternummer&#39; hoort niet bij een geboortemelding")
		r = clinic.get("/births/template.csv")
		if r.Status != 200 || !strings.HasPrefix(r.Body, "\ufeffmoeder_naam;moeder_straat;") {
			t.Errorf("template: %d %q", r.Status, r.Body)
		}
		if b, err := birth.ParseBatch([]byte(r.Body + "A;B;1;;2235;13016;;;nl;;;;;;;;;;2026-03-01;ja\r\n")); err != nil || len(b.Rows) != 1 {
			t.Errorf("the template's headers are not read back: %v", err)
		}

		// Opgroeien: the Brussels family in its own queue; it records the
		// contact there. The figures render.
		admin := w.login("admin")
		r = admin.get("/births?team=opgroeien")
		wantStatus(t, "opgroeien queue", r, 200)
		wantIn(t, "opgroeien queue", r, "Wachtrij Opgroeien (1 open)", "<td>Brussel</td>", `id="opgroeien-queue"`)
		wantNotIn(t, "opgroeien queue", r, "<td>Hulshout</td>")
		m := regexp.MustCompile(`id="birth-(\d+)"`).FindStringSubmatch(r.Body)
		if m == nil {
			t.Fatal("no notification in the Opgroeien queue")
		}
		r = admin.get("/births/" + m[1])
		wantIn(t, "opgroeien notification", r, "Batch Moeder Drie", "Arabisch", `id="birth-contact"`)
		wantNotIn(t, "opgroeien notification", r, `id="birth-referral"`)
		r = admin.post("/births/"+m[1]+"/contacts", url.Values{"on": {"2026-03-10"}, "channel": {"letter"}, "reached": {"no"}})
		wantStatus(t, "admin contact", r, 303)
		r = admin.get("/births")
		wantIn(t, "all", r, "Lokaal team Noord", "Niet bereikt")
		// The figures of a quarter are published once it has ended and
		// settled: not yet on 10 March, and on 20 April (signed in anew).
		wantStatus(t, "figures of the current quarter", admin.get("/reports/births?from=2026-01&to=2026-03"), 400)
		*w.now = time.Date(2026, 4, 20, 10, 0, 0, 0, time.UTC)
		admin = w.login("admin")
		r = admin.get("/reports/births?from=2026-01&to=2026-03")
		wantStatus(t, "figures", r, 200)
		wantIn(t, "figures", r, `id="clinic-months"`, "Kraamkliniek Zonnig", "01-2026", "03-2026", "&lt;5", `id="team-shares"`)
		wantStatus(t, "figures, bad month", admin.get("/reports/births?from=maart"), 400)
		wantStatus(t, "figures, too long", admin.get("/reports/births?from=2022-02&to=2026-03"), 400)
		// The admin's other views; a team's notification is read-only for it.
		r = admin.get("/births?team=team-noord&sort=child_birth_date&deleted=1")
		wantStatus(t, "admin filter", r, 200)
		if id := regexp.MustCompile(`id="birth-(\d+)"`).FindStringSubmatch(r.Body); id != nil {
			wantNotIn(t, "team notification for admin", admin.get("/births/"+id[1]), `id="birth-contact"`, `id="birth-referral"`)
		} else {
			t.Error("admin sees nothing of team-noord")
		}
	})
}
