package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/i18n"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// The family's pages over a real store, on both databases: two families
// of Hulshout referred to its OCMW; each sees, with its receipt code and
// postcode, its own accesses and nobody else's, in each of the seven
// languages families speak.

var familyNow = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)

type familyWorld struct {
	db    *store.DB
	srv   *httptest.Server
	users *storetest.Accounts
	a, b  referral.Referral // the two families: postcodes 2235 and 2230
}

func familyStep(status agreement.Status, on string) agreement.NewEvent {
	ev := agreement.NewEvent{Status: string(status), EffectiveOn: on}
	switch status {
	case agreement.Approved:
		ev.CouncilReference, ev.CouncilDecisionOn = "RMW/2023/17", on
	case agreement.Signed:
		ev.Signatures = []agreement.Signature{
			{Function: "administrator_general", Name: "A. Generaal", SignedOn: on},
			{Function: "council_chair", Name: "V. Oorzitter", SignedOn: on},
			{Function: "general_director", Name: "D. Irecteur", SignedOn: on},
		}
	}
	return ev
}

func newFamilyWorld(t *testing.T, db *store.DB) *familyWorld {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return familyNow }
	sys := account.System("test")
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016"},
		From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	ag, err := db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13016", Status: "draft", EffectiveOn: "2023-01-02"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []agreement.NewEvent{familyStep(agreement.Approved, "2023-02-01"), familyStep(agreement.Signed, "2023-03-01"), familyStep(agreement.Active, "2023-04-01")} {
		if _, err := db.AddEvent(ctx, sys, ag.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	w := &familyWorld{db: db, users: storetest.Users(t, db, "example.org",
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-noord", FullName: "Werker Noord"},
		storetest.U{Name: "ocmw", Role: "ocmw_worker", Org: "ocmw-13016", FullName: "Sociaal Werker Hulshout"},
	)}
	w.users.Create(t)
	worker, ocmw := w.users.Actor(t, "worker"), w.users.Actor(t, "ocmw")
	family := func(name, postcode string) referral.Referral {
		r, err := db.CreateReferral(ctx, worker, referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{{
			Name: name, Street: "Teststraat", Number: "1", Postcode: postcode, MunicipalityNIS: parentNIS(postcode), Phone: "+32 470 00 00 00", Email: "ouder@example.org",
		}}, Criteria: []string{"income", "housing"}, Needs: []string{"income_support"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddConsent(ctx, worker, r.ID, referral.NewConsent{Parent: 0, Method: "verbal",
			Informed: []string{"data", "recipient", "purpose", "processing", "expectations"}}); err != nil {
			t.Fatal(err)
		}
		if r, err = db.Send(ctx, worker, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Referral(ctx, ocmw, r.ID); err != nil {
			t.Fatal(err)
		}
		return r
	}
	w.a = family("Fictieve Ouder Alfa", "2235")
	w.b = family("Fictieve Ouder Beta", "2230")
	s, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	w.srv = httptest.NewServer(s)
	t.Cleanup(w.srv.Close)
	return w
}

type familyResp struct {
	Status int
	Body   string
	Header http.Header
}

// do sends a request, anonymous or with who's session cookie.
func (w *familyWorld) do(t *testing.T, method, path string, form url.Values, who string) familyResp {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, w.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if who != "" {
		req.AddCookie(&http.Cookie{Name: "kansrijk_session", Value: w.users.Cookie(t, who)})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return familyResp{res.StatusCode, string(b), res.Header}
}

var (
	htmlTagRE    = regexp.MustCompile(`<html lang="([^"]+)" dir="([^"]+)">`)
	articleTagRE = regexp.MustCompile(`<article class="receipt"[^>]* lang="([^"]+)" dir="([^"]+)">`)
	rowRE        = regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`)
)

// missingKeys records the keys looked up in a language that lacks them.
type missingKeys struct {
	mu   sync.Mutex
	keys map[i18n.Lang][]string
}

func recordMissing(t *testing.T) *missingKeys {
	m := &missingKeys{keys: map[i18n.Lang][]string{}}
	stop := i18n.RecordMissing(func(l i18n.Lang, k string) {
		m.mu.Lock()
		defer m.mu.Unlock()
		if !slices.Contains(m.keys[l], k) {
			m.keys[l] = append(m.keys[l], k)
		}
	})
	t.Cleanup(stop)
	return m
}

func (m *missingKeys) take(l i18n.Lang) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := m.keys[l]
	delete(m.keys, l)
	return k
}

// TestFamilyPagesInEveryLanguage renders every family page in each of the
// seven languages: the form, the status by code alone, the family's view,
// the not-found answer, and the receipt the team prints. Each has the
// right lang and dir, and no key it uses is missing in that language.
func TestFamilyPagesInEveryLanguage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newFamilyWorld(t, db)
		missing := recordMissing(t)
		for _, l := range i18n.PublicLangs {
			wantLang, wantDir := i18n.HTMLLang(l), i18n.Dir(l)
			check := func(what string, r familyResp, status int, re *regexp.Regexp) {
				t.Helper()
				if r.Status != status {
					t.Errorf("%s %s: status %d, want %d", l, what, r.Status, status)
				}
				m := re.FindStringSubmatch(r.Body)
				if m == nil || m[1] != wantLang || m[2] != wantDir {
					t.Errorf("%s %s: lang/dir %v, want %s/%s", l, what, m, wantLang, wantDir)
				}
				if keys := missing.take(l); len(keys) > 0 {
					t.Errorf("%s %s: keys missing in %s: %v", l, what, l, keys)
				}
				if re == htmlTagRE && (strings.Contains(r.Body, "Fictieve Ouder") || strings.Contains(r.Body, "ouder@example.org")) {
					t.Errorf("%s %s: a public page shows personal data", l, what)
				}
			}
			q := "?lang=" + string(l)
			check("form", w.do(t, "GET", "/ontvangstbewijs"+q, nil, ""), 200, htmlTagRE)
			check("status", w.do(t, "POST", "/ontvangstbewijs"+q, url.Values{"code": {w.a.ReceiptCode}}, ""), 200, htmlTagRE)
			view := w.do(t, "POST", "/ontvangstbewijs"+q, url.Values{"code": {w.a.ReceiptCode}, "postcode": {"2235"}}, "")
			check("view", view, 200, htmlTagRE)
			if !strings.Contains(view.Body, `id="access-log"`) || !strings.Contains(view.Body, "OCMW") {
				t.Errorf("%s view: no access log with the OCMW", l)
			}
			check("not found", w.do(t, "POST", "/ontvangstbewijs"+q, url.Values{"code": {w.a.ReceiptCode}, "postcode": {"2230"}}, ""), 404, htmlTagRE)
			check("receipt", w.do(t, "GET", "/referrals/"+strconv.FormatInt(w.a.ID, 10)+"/receipt"+q, nil, "worker"), 200, articleTagRE)
			// The PDF in every language but Arabic (no shaping in the PDF: the page is printed instead).
			pdf := w.do(t, "GET", "/referrals/"+strconv.FormatInt(w.a.ID, 10)+"/receipt.pdf"+q, nil, "worker")
			switch {
			case l == i18n.AR && pdf.Status != 400:
				t.Errorf("Arabic receipt PDF: status %d, want 400", pdf.Status)
			case l != i18n.AR && (pdf.Status != 200 || !strings.HasPrefix(pdf.Body, "%PDF-")):
				t.Errorf("%s receipt PDF: status %d", l, pdf.Status)
			}
			missing.take(i18n.NL) // the worker's own pages are Dutch
		}
		// The lang cookie set by /lang/{lang} works too; staff pages stay Dutch.
		r := w.do(t, "GET", "/ontvangstbewijs", nil, "")
		if !strings.Contains(r.Body, `<html lang="nl-BE" dir="ltr">`) {
			t.Errorf("default language: %s", htmlTagRE.FindString(r.Body))
		}
	})
}

// TestFamilyViewShowsOnlyItsOwnEvents: family A's view lists A's
// accesses (organisation and function, Brussels time, purpose, agreement,
// "not sealed yet" while no audit log is wired), never B's; B's likewise;
// a wrong postcode is the same 404 as an unknown code.
func TestFamilyViewShowsOnlyItsOwnEvents(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newFamilyWorld(t, db)
		ctx := context.Background()
		// B is read twice more by the OCMW.
		for range 2 {
			if _, err := db.Referral(ctx, w.users.Actor(t, "ocmw"), w.b.ID); err != nil {
				t.Fatal(err)
			}
		}
		rows := func(code, postcode string) []string {
			r := w.do(t, "POST", "/ontvangstbewijs", url.Values{"code": {code}, "postcode": {postcode}}, "")
			if r.Status != 200 {
				t.Fatalf("view %s: status %d", code, r.Status)
			}
			m := rowRE.FindStringSubmatch(r.Body)
			if m == nil {
				t.Fatalf("view %s: no table", code)
			}
			if strings.Contains(r.Body, "Werker Noord") || strings.Contains(r.Body, "@example.org") || strings.Contains(r.Body, "Sociaal Werker") {
				t.Errorf("view %s shows a worker's name or e-mail", code)
			}
			return strings.Split(m[1], "</tr>")
		}
		countOf := func(rows []string, texts ...string) (n int) {
			for _, r := range rows {
				all := true
				for _, text := range texts {
					all = all && strings.Contains(r, text)
				}
				if all {
					n++
				}
			}
			return n
		}
		a, b := rows(w.a.ReceiptCode, "2235"), rows(w.b.ReceiptCode, "2230")
		if got := countOf(a, "OCMW Hulshout", "Gegevens bekeken"); got != 1 {
			t.Errorf("A's view: %d OCMW reads, want 1", got)
		}
		if got := countOf(b, "OCMW Hulshout", "Gegevens bekeken"); got != 3 {
			t.Errorf("B's view: %d OCMW reads, want 3", got)
		}
		for _, want := range []string{"OCMW Hulshout", "Maatschappelijk werker OCMW", "Gegevens verstuurd", "Lokaal team Noord",
			"Doorverwijzing naar het OCMW", "10-03-2026 11:00", "nog niet verzegeld"} {
			if countOf(a, want) == 0 {
				t.Errorf("A's view lacks %q", want)
			}
		}
		// The second look shows the first.
		if again := rows(w.a.ReceiptCode, "2235"); countOf(again, "Deze pagina geopend") != 1 {
			t.Errorf("the earlier look-up is not shown")
		}
		// Wrong postcode, unknown code: one answer.
		wrong := w.do(t, "POST", "/ontvangstbewijs", url.Values{"code": {w.a.ReceiptCode}, "postcode": {"2230"}}, "")
		unknown := w.do(t, "POST", "/ontvangstbewijs", url.Values{"code": {"KR-AAAA-BBBB-CCCC"}, "postcode": {"2230"}}, "")
		errOf := func(r familyResp) string {
			return regexp.MustCompile(`(?s)<div class="error-summary".*?</div>`).FindString(r.Body)
		}
		if wrong.Status != 404 || unknown.Status != 404 || errOf(wrong) == "" || errOf(wrong) != errOf(unknown) {
			t.Errorf("wrong postcode %d %q, unknown code %d %q", wrong.Status, errOf(wrong), unknown.Status, errOf(unknown))
		}
		// The old status page, by code alone, still works.
		if r := w.do(t, "POST", "/ontvangstbewijs", url.Values{"code": {w.a.ReceiptCode}}, ""); r.Status != 200 || !strings.Contains(r.Body, "Verstuurd op") || strings.Contains(r.Body, `id="access-log"`) {
			t.Errorf("status by code alone: %d", r.Status)
		}
		// No proof of another family's line, nor while nothing is sealed.
		if r := w.do(t, "POST", "/ontvangstbewijs/bewijs", url.Values{"code": {w.a.ReceiptCode}, "postcode": {"2235"}, "leaf": {"0"}}, ""); r.Status != 404 {
			t.Errorf("proof bundle without an audit log: %d", r.Status)
		}
	})
}

// parentNIS is where a parent with the postcode lives: 2230 is Herselt's,
// 2235 Hulshout's (a postcode must belong to the parent's municipality).
func parentNIS(postcode string) string {
	if postcode == "2230" {
		return "13013"
	}
	return "13016"
}
