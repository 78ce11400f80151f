package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/audit"
	"kansrijk/internal/httpx"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// send makes a request as one of users (signed in on first use); a POST
// carries the session's CSRF token. Redirects are not followed.
func send(t *testing.T, w *familyWorld, users *storetest.Accounts, who, method, path string, form url.Values) familyResp {
	t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("csrf", users.Session(t, who).CSRF)
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, w.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: users.Cookie(t, who)})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return familyResp{res.StatusCode, string(b), res.Header}
}

// TestTeamContactForm: Opgroeien's admin sets a team's phone and e-mail in
// the team form; a bad number is refused next to its field with what was
// typed kept; the team page and the family's receipt (every language)
// then give them.
func TestTeamContactForm(t *testing.T) {
	w := newFamilyWorld(t, storetest.Open(t, store.SQLite))
	admins := storetest.Users(t, w.db, "opgroeien.test", storetest.U{Name: "admin", Role: "admin", Org: "opgroeien", FullName: "Beheerder"})
	admins.Create(t)
	receipt := "/referrals/" + strconv.FormatInt(w.a.ID, 10) + "/receipt"
	if r := w.do(t, "GET", receipt, nil, "worker"); r.Status != 200 || strings.Contains(r.Body, "receipt-team-contact") {
		t.Fatalf("receipt without contact details: %d, contact block shown: %v", r.Status, strings.Contains(r.Body, "receipt-team-contact"))
	}

	r := send(t, w, admins, "admin", "GET", "/teams/team-noord/edit", nil)
	if r.Status != 200 || !strings.Contains(r.Body, `id="phone"`) || !strings.Contains(r.Body, `id="email"`) {
		t.Fatalf("edit form: %d", r.Status)
	}
	form := func(phone, email string) url.Values {
		return url.Values{"name": {"Lokaal team Noord"}, "phone": {phone}, "email": {email}, "municipality": {"13016"}, "valid_from": {"2026-03-11"}}
	}
	r = send(t, w, admins, "admin", "POST", "/teams/team-noord", form("09 12", "team-noord@kansrijk.example"))
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Dit telefoonnummer klopt niet") ||
		!strings.Contains(r.Body, `id="phone-error"`) || !strings.Contains(r.Body, `value="09 12"`) || !strings.Contains(r.Body, `value="team-noord@kansrijk.example"`) {
		t.Fatalf("bad phone: %d %s", r.Status, r.Body)
	}
	r = send(t, w, admins, "admin", "POST", "/teams/team-noord", form("014 12 34 56", "geen adres"))
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "Dit e-mailadres klopt niet") || !strings.Contains(r.Body, `id="email-error"`) {
		t.Fatalf("bad e-mail: %d", r.Status)
	}
	// Every problem at once, each linked from the summary and next to its
	// field, the date as people type it; what was typed comes back.
	r = send(t, w, admins, "admin", "POST", "/teams/team-noord", url.Values{"name": {" "}, "phone": {"09 12"}, "email": {"geen adres"},
		"valid_from": {"31/02/2026"}})
	for _, want := range []string{`class="error-summary"`, `href="#name"`, `href="#phone"`, `href="#email"`, `href="#valid_from"`, `href="#municipality"`,
		`id="name-error"`, `id="phone-error"`, `id="email-error"`, `id="valid_from-error"`, `id="municipality-error"`, `value="31/02/2026"`, "DD-MM-JJJJ"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("team form with five problems: %q missing (%d)", want, r.Status)
		}
	}
	if r.Status != http.StatusBadRequest {
		t.Errorf("team form with five problems: %d", r.Status)
	}
	r = send(t, w, admins, "admin", "POST", "/teams", url.Values{"name": {"Team Zuid"}, "slug": {"zuid"}, "municipality": {"13040"}, "valid_from": {"6/12/2026"}})
	if r.Status != http.StatusSeeOther {
		t.Errorf("a new team with a date as people type it: %d %s", r.Status, r.Body)
	}
	if tm, _ := w.db.Team(context.Background(), "team-noord", w.db.Now()); tm.Phone != "" || tm.Email != "" {
		t.Fatalf("a refused form changed the team: %+v", tm)
	}
	r = send(t, w, admins, "admin", "POST", "/teams/team-noord", form("014 12 34 56", "Team-Noord@Kansrijk.Example"))
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/teams/team-noord?ok=team_updated" {
		t.Fatalf("save: %d %s", r.Status, r.Header.Get("Location"))
	}
	r = w.do(t, "GET", "/teams/team-noord", nil, "worker")
	if !strings.Contains(r.Body, `href="tel:&#43;3214123456"`) || !strings.Contains(r.Body, "mailto:team-noord@kansrijk.example") {
		t.Errorf("team page without the contact details: %s", r.Body)
	}
	for lang, intro := range map[string]string{"nl": "Zo bereikt u Lokaal team Noord:", "en": "How to reach Lokaal team Noord:", "fr": "Pour joindre Lokaal team Noord :",
		"ar": "للتواصل مع Lokaal team Noord:", "tr": "Lokaal team Noord ile iletişim:", "pl": "Kontakt z Lokaal team Noord:", "ro": "Cum contactați Lokaal team Noord:"} {
		r := w.do(t, "GET", receipt+"?lang="+lang, nil, "worker")
		if r.Status != 200 || !strings.Contains(r.Body, intro) || !strings.Contains(r.Body, ">014 12 34 56</a>") || !strings.Contains(r.Body, ">team-noord@kansrijk.example</a>") {
			t.Errorf("receipt in %s without the team's contact details (%d)", lang, r.Status)
		}
	}
	if r := w.do(t, "GET", receipt+".pdf?lang=nl", nil, "worker"); r.Status != 200 || !strings.HasPrefix(r.Body, "%PDF-") {
		t.Errorf("receipt PDF: %d", r.Status)
	}
}

// TestHomePages: the start page of each role of the family world shows its
// own work with links to the filtered lists; the OCMW worker's names its
// recent cases, audited as one list read.
func TestHomePages(t *testing.T) {
	w := newFamilyWorld(t, storetest.Open(t, store.SQLite))
	ctx := context.Background()
	up := "09 123 45 67"
	if _, err := w.db.UpdateTeam(ctx, account.System("test"), "team-noord", org.TeamUpdate{Phone: &up}); err != nil {
		t.Fatal(err)
	}
	r := w.do(t, "GET", "/", nil, "worker")
	for _, want := range []string{`href="/referrals/new"`, `href="/referrals?status=draft"`, `href="/births?status=new"`, `href="/outreach/tasks?due=overdue"`,
		`href="/referrals?status=received"`, "2 doorverwijzingen bij het OCMW"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("team worker's start page lacks %s", want)
		}
	}
	if strings.Contains(r.Body, "Fictieve Ouder") {
		t.Error("the team's start page names a family")
	}
	// The overdue tasks' link: only open tasks past their due day; a
	// filter it does not know is said in Dutch.
	for title, due := range map[string]string{"Bel de algemeen directeur": "2026-03-01", "Stuur de nieuwsbrief": "2026-04-01"} {
		if _, err := w.db.CreateTask(ctx, account.System("test"), outreach.NewTask{MunicipalityNIS: "13016", Team: "team-noord", Title: title, DueOn: due}); err != nil {
			t.Fatal(err)
		}
	}
	if r := w.do(t, "GET", "/outreach/tasks?due=overdue", nil, "worker"); r.Status != 200 ||
		!strings.Contains(r.Body, "Bel de algemeen directeur") || strings.Contains(r.Body, "Stuur de nieuwsbrief") {
		t.Errorf("overdue tasks: %d", r.Status)
	}
	if r := w.do(t, "GET", "/outreach/tasks?due=morgen", nil, "worker"); r.Status != 400 || !strings.Contains(r.Body, "Onbekende filter") {
		t.Errorf("unknown due filter: %d", r.Status)
	}
	before := inboxEvents(t, w)
	r = w.do(t, "GET", "/", nil, "ocmw")
	for _, want := range []string{`href="/inbox?status=new"`, `href="/inbox?overdue=1"`, `href="/inbox?view=archive"`, "Fictieve Ouder Alfa", "Fictieve Ouder Beta",
		`href="/inbox/` + strconv.FormatInt(w.a.ID, 10) + `"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("OCMW worker's start page lacks %s", want)
		}
	}
	if evs := inboxEvents(t, w); len(evs) != len(before)+1 || evs[0].ActorOrg != "ocmw-13016" || evs[0].Purpose != audit.PurposeFollowUp {
		t.Errorf("the recent cases were not audited as one list read: %d → %d events", len(before), len(evs))
	}
}

func inboxEvents(t *testing.T, w *familyWorld) []audit.Event {
	t.Helper()
	evs, err := w.db.AuditEvents(context.Background(), audit.Filter{Action: "referral.inbox", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}
