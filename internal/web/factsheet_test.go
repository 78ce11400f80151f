package web_test

// Page tests of the factsheet and the deprivation index page, through the
// real server (server.New) over a small world on SQLite, with signed-in
// sessions per role. The PDF is read back with pdftotext.

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/api"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/httpx"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// fsNow is the day of the tests: the missed referrals are shown for the
// four quarters that have ended, January to December 2025.
var fsNow = time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)

type fsWorld struct {
	db    *store.DB
	srv   *server.Server
	users *storetest.Accounts // signed in by name on first use
}

func fsDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// newFsWorld: team-noord covers Hulshout 13016 and Herselt 13013; team-waas
// covers Beveren, Kruibeke and Zwijndrecht, from 2025 their merger
// Beveren-Kruibeke-Zwijndrecht 46030. Herselt was informed (newsletter)
// and contacted; Hulshout is drafting an agreement. Referrals could not be
// made in Herselt (6 in April 2025, 2 in May) and Hulshout (3 in February
// 2026). A fictitious index for 2023–2025.
func newFsWorld(t *testing.T) *fsWorld {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	at := func(day string) {
		d := fsDay(day).Add(10 * time.Hour)
		db.Now = func() time.Time { return d }
	}
	sys := account.System("test")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016", "13013"}, From: fsDay("2022-01-01")})
	must(err)
	_, err = db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-waas", Name: "Lokaal team Waasland", Municipalities: []string{"46003", "46013", "11056"}, From: fsDay("2022-01-01")})
	must(err)
	area := []string{"46030"}
	_, err = db.UpdateTeam(ctx, sys, "team-waas", org.TeamUpdate{Municipalities: &area, From: fsDay("2025-01-01")})
	must(err)

	at("2023-01-17")
	_, err = db.CreateCampaign(ctx, sys, outreach.NewCampaign{Kind: "newsletter", On: "2023-01-17", Partner: "VVSG", Subject: "Nieuwsbrief",
		Audience: "list", Municipalities: []string{"13013", "13016", "46003"}})
	must(err)
	at("2023-05-04")
	_, err = db.CreateContactMoment(ctx, sys, outreach.NewContactMoment{MunicipalityNIS: "13013", On: "2023-05-04", By: "team-noord", Channel: "phone",
		WithFunction: "general_director", Summary: "Kennismaking"})
	must(err)
	at("2025-09-15")
	ag, err := db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13016", Status: "interested", EffectiveOn: "2025-09-15"})
	must(err)
	at("2025-11-03")
	_, err = db.AddEvent(ctx, sys, ag.ID, agreement.NewEvent{Status: "draft", EffectiveOn: "2025-11-03"})
	must(err)

	values, err := deprivation.ParseCSV(strings.NewReader("# FICTIEF\nNIS;Jaar;Index;Geboorten;Kansarm\n"+
		"13013;2023;7,5;400;30\n13013;2024;8,0;;\n46003;2024;10,5;;\n46013;2024;7,3;;\n11056;2024;12,0;;\n46030;2025;10,1;;\n13016;2024;6,9;;\n"), db.Municipalities)
	if err != nil || !values.Accepted {
		t.Fatalf("index: %v %+v", err, values.Problems)
	}
	_, err = db.ImportDeprivation(ctx, sys, values.Values, "fictief — testgegevens")
	must(err)

	// The anonymous counts, as the referral flow leaves them.
	raw := fsWritable(t, db)
	for _, c := range []struct {
		nis, month string
		n          int
	}{{"13013", "2025-04", 6}, {"13013", "2025-05", 2}, {"13016", "2026-02", 3}} {
		if _, err := raw.ExecContext(ctx, `INSERT INTO missed_referrals (municipality_nis, month, team_key, count) VALUES ($1,$2,'team-noord',$3)`, c.nis, c.month, c.n); err != nil {
			t.Fatal(err)
		}
	}

	db.Now = func() time.Time { return fsNow }
	srv, err := server.New(db)
	must(err)
	w := &fsWorld{db: db, srv: srv, users: storetest.Users(t, db, "factsheet.test",
		storetest.U{Name: "admin", Role: "admin", Org: "opgroeien", FullName: "Test admin"},
		storetest.U{Name: "analyst", Role: "analyst", Org: "opgroeien", FullName: "Test analyst"},
		storetest.U{Name: "dpo", Role: "dpo", Org: "opgroeien", FullName: "Test dpo"},
		storetest.U{Name: "lead", Role: "team_lead", Org: "team-noord", FullName: "Test lead"},
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-waas", FullName: "Test worker"},
		storetest.U{Name: "ocmw", Role: "ocmw_worker", Org: "ocmw-13016", FullName: "Test ocmw"},
		storetest.U{Name: "ocmwadmin", Role: "ocmw_admin", Org: "ocmw-13016", FullName: "Test ocmwadmin"},
	)}
	// Every user exists (the factsheet names the team lead); each signs
	// in on first use.
	w.users.Create(t)
	return w
}

// cookie returns the Cookie header that signs who in.
func (w *fsWorld) cookie(t *testing.T, who string) string {
	return httpx.SessionCookie + "=" + w.users.Cookie(t, who)
}

// fsWritable returns a pool that may write behind the store's back (the
// store's read pool is read-only on SQLite).
func fsWritable(t *testing.T, db *store.DB) *sql.DB {
	t.Helper()
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

type fsResp struct {
	Code   int
	Header http.Header
	Body   string
}

// get fetches target as who ("" anonymous).
func (w *fsWorld) get(t *testing.T, target, who string) fsResp {
	t.Helper()
	return w.do(t, httptest.NewRequest("GET", target, nil), who)
}

func (w *fsWorld) do(t *testing.T, req *http.Request, who string) fsResp {
	t.Helper()
	if who != "" {
		req.Header.Set("Cookie", w.cookie(t, who))
	}
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, req)
	return fsResp{rec.Code, rec.Result().Header, rec.Body.String()}
}

// pageText is the page's text without tags, whitespace collapsed.
func pageText(html string) string {
	html = regexp.MustCompile(`(?s)<(script|style)\b.*?</(script|style)>`).ReplaceAllString(html, " ")
	s := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(html, " ")
	for from, to := range map[string]string{"&lt;": "<", "&gt;": ">", "&#39;": "'", "&quot;": `"`, "&amp;": "&", "&#34;": `"`} {
		s = strings.ReplaceAll(s, from, to)
	}
	return strings.Join(strings.Fields(s), " ")
}

func TestFactsheetPage(t *testing.T) {
	w := newFsWorld(t)
	const page = "/outreach/municipalities/13013/factsheet"

	t.Run("Access", func(t *testing.T) {
		for _, who := range []string{"admin", "analyst", "lead", "worker"} {
			if r := w.get(t, page, who); r.Code != http.StatusOK {
				t.Errorf("%s: %d, want 200", who, r.Code)
			}
		}
		for _, who := range []string{"dpo", "ocmw", "ocmwadmin"} {
			if r := w.get(t, page, who); r.Code != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", who, r.Code)
			}
			if r := w.get(t, page+".pdf", who); r.Code != http.StatusForbidden || strings.HasPrefix(r.Header.Get("Content-Type"), "application/pdf") {
				t.Errorf("%s PDF: %d %s, want 403", who, r.Code, r.Header.Get("Content-Type"))
			}
		}
		if r := w.get(t, page, ""); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("anonymous: %d %s, want the login page", r.Code, r.Header.Get("Location"))
		}
		if r := w.get(t, "/outreach/municipalities/99999/factsheet", "admin"); r.Code != http.StatusNotFound || !strings.Contains(r.Body, "Er is geen Vlaamse gemeente met NIS-code 99999") {
			t.Errorf("unknown code: %d", r.Code)
		}
		if r := w.get(t, "/outreach/municipalities/21004/factsheet", "admin"); r.Code != http.StatusNotFound {
			t.Errorf("a Brussels municipality: %d, want 404", r.Code)
		}
		// A code that merged away leads to its successor.
		if r := w.get(t, "/outreach/municipalities/46003/factsheet.pdf", "analyst"); r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/outreach/municipalities/46030/factsheet.pdf" {
			t.Errorf("Beveren 46003: %d → %s", r.Code, r.Header.Get("Location"))
		}
	})

	t.Run("Content", func(t *testing.T) {
		r := w.get(t, page, "lead")
		body := pageText(r.Body)
		for _, want := range []string{
			"Herselt: samenwerken met Kind en Gezin tegen onderbescherming", "toestand op 10-03-2026",
			"Fase: in gesprek, sinds 04-05-2023.", "laatste contact op 04-05-2023",
			"Wat Herselt mist zonder overeenkomst", "van jan 2025 tot en met dec 2025", "afgerond op een veelvoud van 5",
			"Let op: de cijfers over kansarmoede op deze fiche zijn fictief (demogegevens).",
			"Kansarmoede-index per jaar", "Gemeente 2023 2024 Herselt 7,5 % 8,0 %", "Bron: fictief — testgegevens (2023–2024).",
			"alleen de naam en de contactgegevens", "vrijwillig en uitdrukkelijk", "4 februari 2022",
			"Aanmelden (eerste stap)", "Goedkeuring door de raad", "Ondertekening", "Van kracht",
			"Uw aanspreekpunt is Lokaal team Noord, het lokaal team van Kind en Gezin voor Herselt.",
			"Contactpersoon: Test lead, teamverantwoordelijke — lead@factsheet.test",
		} {
			if !strings.Contains(strings.ToLower(body), strings.ToLower(want)) {
				t.Errorf("the factsheet lacks %q:\n%s", want, body)
			}
		}
		for _, want := range []string{`<article class="factsheet"`, `href="/outreach/municipalities/13013/factsheet.pdf"`, `<link rel="stylesheet" href="/static/factsheet.css">`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
		if strings.Contains(r.Body, `href="/outreach/deprivation"`) {
			t.Error("a team lead is offered the index import")
		}
		if !strings.Contains(w.get(t, page, "admin").Body, `href="/outreach/deprivation"`) {
			t.Error("an admin is not offered the index import")
		}
	})

	t.Run("MissedReferralsSuppressedAsInTheReport", func(t *testing.T) {
		row := fsMissedRow(t, w, "13013")
		// 6 and 2 in two months: the 2 is "<5", and since the total
		// would give it away by subtraction, more is hidden.
		if !strings.Contains(row, "<5") || !strings.Contains(row, "x") || strings.Contains(row, " 2 ") || strings.Contains(row, " 8") {
			t.Fatalf("the row %q shows what suppression should hide", row)
		}
		body := pageText(w.get(t, page, "analyst").Body)
		if !strings.Contains(body, row) {
			t.Errorf("the page does not show the report's row %q:\n%s", row, body)
		}
		if !strings.Contains(body, `"<5": 1 tot 4, verborgen om personen te beschermen.`) {
			t.Error("no legend under suppressed counts")
		}
	})

	t.Run("Drafting", func(t *testing.T) {
		body := pageText(w.get(t, "/outreach/municipalities/13016/factsheet", "analyst").Body)
		for _, want := range []string{"Fase: overeenkomst in opmaak, sinds 03-11-2025.", "Aanmelden (afgerond)", "Ontwerp van overeenkomst (hier staat Hulshout nu)"} {
			if !strings.Contains(body, want) {
				t.Errorf("Hulshout lacks %q:\n%s", want, body)
			}
		}
	})

	t.Run("MergedMunicipality", func(t *testing.T) {
		r := w.get(t, "/outreach/municipalities/46030/factsheet", "worker")
		body := pageText(r.Body)
		for _, want := range []string{"Beveren-Kruibeke-Zwijndrecht", "Beveren (vóór de fusie) 10,5 %", "Kruibeke (vóór de fusie) 7,3 %", "Zwijndrecht (vóór de fusie) 12,0 %",
			"ontstond op 1 januari 2025 uit de fusie van Beveren, Kruibeke en Zwijndrecht", "Fase: geïnformeerd", "Lokaal team Waasland"} {
			if !strings.Contains(body, want) {
				t.Errorf("Beveren-Kruibeke-Zwijndrecht lacks %q:\n%s", want, body)
			}
		}
	})

	t.Run("English", func(t *testing.T) {
		req := httptest.NewRequest("GET", page, nil)
		req.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
		req.Header.Set("Cookie", req.Header.Get("Cookie")+"; "+w.cookie(t, "analyst"))
		body := pageText(w.do(t, req, "").Body)
		if !strings.Contains(body, "What Herselt misses without an agreement") || !strings.Contains(body, "7.5 %") {
			t.Errorf("the English page:\n%s", body)
		}
	})

	t.Run("PDF", func(t *testing.T) {
		r := w.get(t, page+".pdf", "worker")
		if r.Code != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "factsheet-herselt-2026-03-10.pdf") {
			t.Fatalf("PDF: %d %v", r.Code, r.Header)
		}
		flat, pages := fsPDFText(t, []byte(r.Body))
		if pages != 1 {
			t.Errorf("the factsheet has %d pages, want one", pages)
		}
		for _, want := range []string{
			"Herselt: samenwerken met Kind en Gezin tegen onderbescherming", "raad voor maatschappelijk welzijn", "geïnformeerd",
			"fictief (demogegevens)", "Bron: fictief — testgegevens (2023–2024).", "7,5 %",
			"Uw aanspreekpunt is Lokaal team Noord", "geen persoonsgegevens",
		} {
			if !strings.Contains(flat, want) {
				t.Errorf("the PDF lacks %q:\n%s", want, flat)
			}
		}
		// The same counts as the page, in the same order: the PDF shows
		// the months in two header rows, the counts in one.
		row := fsMissedRow(t, w, "13013")
		if !strings.Contains(flat, row) {
			t.Errorf("the PDF lacks the counts row %q:\n%s", row, flat)
		}
		// An English session still gets the Dutch PDF.
		req := httptest.NewRequest("GET", page+".pdf", nil)
		req.Header.Set("Cookie", "lang=en; "+w.cookie(t, "analyst"))
		en, _ := fsPDFText(t, []byte(w.do(t, req, "").Body))
		if !strings.Contains(en, "Wat Herselt mist zonder overeenkomst") {
			t.Errorf("the PDF for an English user is not Dutch:\n%s", en)
		}
		merged, _ := fsPDFText(t, []byte(w.get(t, "/outreach/municipalities/46030/factsheet.pdf", "lead").Body))
		if !strings.Contains(merged, "Kruibeke (vóór de fusie)") {
			t.Errorf("the merged municipality's PDF:\n%s", merged)
		}
	})
}

// fsMissedRow is the municipality's row of the missed-referrals report
// over the factsheet's four quarters, as shown ("Herselt 0 0 0 x <5 0 … x").
func fsMissedRow(t *testing.T, w *fsWorld, nis string) string {
	t.Helper()
	to := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	from := to.AddDate(0, -11, 0)
	counts, err := w.db.MissedReferralCounts(context.Background(), "2025-01", "2025-12")
	if err != nil {
		t.Fatal(err)
	}
	rep := api.BuildMissedReport(counts, from, to, w.db.Municipalities)
	for _, m := range rep.Municipalities {
		if m.NIS == nis {
			parts := []string{m.Name}
			for _, c := range m.Counts {
				parts = append(parts, c.String())
			}
			return strings.Join(append(parts, m.Total.String()), " ")
		}
	}
	t.Fatalf("%s is not in the report", nis)
	return ""
}

// fsPDFText extracts the text of a PDF with pdftotext and counts its pages
// with pdfinfo (poppler-utils).
func fsPDFText(t *testing.T, pdf []byte) (string, int) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is required in CI")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	in := filepath.Join(t.TempDir(), "f.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	info, err := exec.Command("pdfinfo", in).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	pages := 0
	if m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(string(info)); m != nil {
		for _, c := range m[1] {
			pages = pages*10 + int(c-'0')
		}
	}
	return strings.Join(strings.Fields(string(out)), " "), pages
}

// fsUpload posts a file to the deprivation page as who, with the page's
// CSRF token.
func (w *fsWorld) fsUpload(t *testing.T, who, name string, content []byte, source string) fsResp {
	t.Helper()
	page := w.get(t, "/outreach/deprivation", who)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no CSRF token on the page for %s", who)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", m[1])
	_ = mw.WriteField("source", source)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = io.Copy(fw, bytes.NewReader(content))
	mw.Close()
	req := httptest.NewRequest("POST", "/outreach/deprivation", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return w.do(t, req, who)
}

func TestDeprivationPage(t *testing.T) {
	w := newFsWorld(t)
	count := func() int {
		var n int
		if err := w.db.SQL().QueryRow("SELECT count(*) FROM deprivation_index").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("Access", func(t *testing.T) {
		for _, who := range []string{"analyst", "lead", "worker", "dpo", "ocmw"} {
			r := w.get(t, "/outreach/deprivation", who)
			if r.Code != http.StatusOK {
				t.Fatalf("%s: %d", who, r.Code)
			}
			if strings.Contains(r.Body, `id="deprivation-upload"`) {
				t.Errorf("%s is offered the upload", who)
			}
		}
		r := w.get(t, "/outreach/deprivation", "admin")
		if !strings.Contains(r.Body, `<form method="post" action="/outreach/deprivation" enctype="multipart/form-data" class="card narrow" id="deprivation-upload"`) ||
			!strings.Contains(r.Body, `value="Kind en Gezin (Opgroeien), kansarmoede-index"`) {
			t.Error("the admin's page lacks the upload form")
		}
		body := pageText(r.Body)
		for _, want := range []string{"Ingevoerde jaren", "2025 1 fictief — testgegevens", "2024 5 fictief — testgegevens", "2023 1 fictief — testgegevens"} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q:\n%s", want, body)
			}
		}
		// A worker who posts anyway is refused.
		before := count()
		r = w.fsUpload(t, "lead", "index.csv", []byte("NIS;Jaar;Index\n13013;2022;5,0\n"), "")
		if r.Code != http.StatusForbidden || count() != before {
			t.Errorf("a team lead's upload: %d, %d values (was %d)", r.Code, count(), before)
		}
	})

	t.Run("Lookup", func(t *testing.T) {
		body := pageText(w.get(t, "/outreach/deprivation?nis=46030", "ocmw").Body)
		for _, want := range []string{"Kansarmoede-index van Beveren-Kruibeke-Zwijndrecht (46030)",
			"2024 Beveren (46003) – opgegaan in deze gemeente 10,5 %", "2025 Beveren-Kruibeke-Zwijndrecht (46030) 10,1 %", "Factsheet van Beveren-Kruibeke-Zwijndrecht"} {
			if !strings.Contains(body, want) {
				t.Errorf("the lookup lacks %q:\n%s", want, body)
			}
		}
		if r := w.get(t, "/outreach/deprivation?nis=99999", "analyst"); r.Code != http.StatusNotFound || !strings.Contains(r.Body, `aria-invalid="true"`) {
			t.Errorf("an unknown code: %d", r.Code)
		}
	})

	t.Run("RefusedFileShowsTheRowReport", func(t *testing.T) {
		before := count()
		bad := []byte("NIS;Gemeente;Jaar;Kansarmoede-index\n13016;Hulshout;2022;6,5\n99999;Nergensdorp;2022;10\n46003;Beveren;2025;10,4\n")
		r := w.fsUpload(t, "admin", "fouten.csv", bad, "")
		if r.Code != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", r.Code)
		}
		body := pageText(r.Body)
		for _, want := range []string{"Het bestand heeft 2 probleem/problemen: er is niets ingevoerd.", "Het bestand is niet ingevoerd",
			"Het bestand fouten.csv heeft 2 probleem/problemen.", "3 NIS er is geen gemeente met NIS-code 99999 municipality_unknown",
			"4 NIS gemeente 46003 (Beveren) bestond niet op 31-12-2025: gebruik 46030 (Beveren-Kruibeke-Zwijndrecht) municipality_not_valid"} {
			if !strings.Contains(body, want) {
				t.Errorf("the report lacks %q:\n%s", want, body)
			}
		}
		if count() != before {
			t.Fatal("a refused file stored values")
		}
		r = w.fsUpload(t, "admin", "kapot.xlsx", []byte("PK\x03\x04 geen werkmap"), "")
		if r.Code != http.StatusBadRequest || !strings.Contains(pageText(r.Body), "Dit bestand kan niet gelezen worden") {
			t.Errorf("an unreadable workbook: %d", r.Code)
		}
	})

	t.Run("Import", func(t *testing.T) {
		before := count()
		r := w.fsUpload(t, "admin", "index.csv", []byte("NIS;Jaar;Index\n13013;2023;7,7\n12014;2023;9,1\n"), "Kind en Gezin, kansarmoede-index 2023 (test)")
		if r.Code != http.StatusOK || !strings.Contains(r.Body, `id="deprivation-preview"`) || count() != before {
			t.Fatalf("the first step must show what the file replaces and store nothing: %d\n%s", r.Code, pageText(r.Body))
		}
		r = w.confirmDeprivation(t, "admin", r.Body, nil)
		if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/outreach/deprivation?ok=deprivation_imported" {
			t.Fatalf("import: %d %s\n%s", r.Code, r.Header.Get("Location"), pageText(r.Body))
		}
		body := pageText(w.get(t, "/outreach/deprivation?ok=deprivation_imported", "admin").Body)
		if !strings.Contains(body, "De kansarmoede-index is ingevoerd.") || !strings.Contains(body, "2023 2 Kind en Gezin, kansarmoede-index 2023 (test)") {
			t.Errorf("after the import:\n%s", body)
		}
		// The factsheet now shows the new 2023 figure with its source.
		fs := pageText(w.get(t, "/outreach/municipalities/13013/factsheet", "analyst").Body)
		if !strings.Contains(fs, "Herselt 7,7 % 8,0 %") || !strings.Contains(fs, "Kind en Gezin, kansarmoede-index 2023 (test) (2023); fictief — testgegevens (2024)") {
			t.Errorf("the factsheet after the import:\n%s", fs)
		}
	})
}
