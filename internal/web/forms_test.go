package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// The form pattern on every form (forms.go): a form sent empty or wrong
// shows ALL its problems at once in a summary above it, each a link to
// its field; each message next to its field (the input described by it
// and aria-invalid); and what was typed comes back.

// wantFormErrors checks the pattern for the inputs ids: each linked from
// the summary, an element with that id, and its message next to it.
func wantFormErrors(t *testing.T, what string, r response, ids ...string) {
	t.Helper()
	if !strings.Contains(r.Body, `class="error-summary" id="form-errors"`) {
		t.Errorf("%s: no error summary\n%s", what, excerpt(r.Body))
		return
	}
	summary := r.Body[strings.Index(r.Body, `id="form-errors"`):]
	summary = summary[:strings.Index(summary, "</div>")]
	for _, id := range ids {
		if !strings.Contains(summary, `<a href="#`+id+`">`) {
			t.Errorf("%s: the summary does not link to #%s\n%s", what, id, summary)
		}
		if !strings.Contains(r.Body, `id="`+id+`"`) {
			t.Errorf("%s: no element with id %q", what, id)
		}
		if !strings.Contains(r.Body, `id="`+id+`-error"`) {
			t.Errorf("%s: no message next to #%s", what, id)
		}
		if m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(r.Body); m != "" && !strings.Contains(m, id+"-error") {
			t.Errorf("%s: #%s is not described by its message: %s", what, id, m)
		}
	}
	if n := strings.Count(summary, "<li>"); n < len(ids) {
		t.Errorf("%s: %d problems in the summary, want at least %d", what, n, len(ids))
	}
}

func TestReferralFormShowsEveryProblem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newBirthsWorld(t, db)
		worker := w.login("worker")
		// Step 1: a postcode that is no postcode.
		r := worker.get("/referrals/new?postcode=12")
		wantStatus(t, "postcode step", r, 400)
		wantFormErrors(t, "postcode step", r, "postcode")
		wantIn(t, "postcode step", r, `value="12"`)

		// The form: no name, a postcode of Gent for Hulshout, a wrong
		// e-mail address, parent 2 with a street only.
		r = worker.post("/referrals", url.Values{
			"postcode": {"2235"}, "municipality_nis": {"13016"},
			"p0_name": {""}, "p0_street": {"Kerkstraat"}, "p0_number": {"7"}, "p0_postcode": {"9000"}, "p0_email": {"geen-adres"},
			"p1_street": {"Dorp"},
			"criteria":  {"income"},
		})
		wantStatus(t, "form", r, 400)
		wantFormErrors(t, "form", r, "p0-name", "p0-postcode", "p0-email", "p1-name", "p1-number", "p1-phone")
		wantIn(t, "form", r, "9000 hoort bij Gent, niet bij Hulshout.", `value="Kerkstraat"`, `value="geen-adres"`, `value="Dorp"`,
			`<a href="#p0-postcode">Ouder 1 — Postcode</a>`)
		wantNotIn(t, "form", r, "Er ging iets mis")
	})
}

// formsWorld is the births world with an agreement in force for Hulshout
// (team-noord → OCMW Hulshout) and its OCMW worker, so that referrals can
// be sent.
func formsWorld(t *testing.T, db *store.DB) *birthsWorld {
	t.Helper()
	w := newBirthsWorld(t, db)
	ctx := context.Background()
	sys := account.System("test")
	ag, err := db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13016", Status: "draft", EffectiveOn: "2023-01-02"})
	if err != nil {
		t.Fatal(err)
	}
	sigs := []agreement.Signature{{Function: "administrator_general", Name: "A. Generaal", SignedOn: "2023-03-01"},
		{Function: "council_chair", Name: "V. Oorzitter", SignedOn: "2023-03-01"}, {Function: "general_director", Name: "D. Irecteur", SignedOn: "2023-03-01"}}
	for _, ev := range []agreement.NewEvent{
		{Status: string(agreement.Approved), EffectiveOn: "2023-02-01", CouncilReference: "RMW/2023/17", CouncilDecisionOn: "2023-02-01"},
		{Status: string(agreement.Signed), EffectiveOn: "2023-03-01", Signatures: sigs},
		{Status: string(agreement.Active), EffectiveOn: "2023-04-01"},
	} {
		if _, err := db.AddEvent(ctx, sys, ag.ID, ev); err != nil {
			t.Fatal(err)
		}
	}
	w.users = storetest.Users(t, db, "example.org",
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-noord", FullName: "Werker Noord"},
		storetest.U{Name: "admin", Role: "admin", Org: "opgroeien", FullName: "Beheerder"},
		storetest.U{Name: "ocmw", Role: "ocmw_worker", Org: "ocmw-13016", FullName: "Sociaal Werker Hulshout"},
		storetest.U{Name: "dpo", Role: "dpo", Org: "opgroeien", FullName: "Dora Toezicht"},
	)
	return w
}

// goodReferral is the form of a family in Hulshout.
func goodReferral() url.Values {
	return url.Values{"postcode": {"2235"}, "municipality_nis": {"13016"}, "p0_name": {"Fictieve Ouder"}, "p0_street": {"Kerkstraat"},
		"p0_number": {"7"}, "p0_postcode": {"2235"}, "p0_phone": {"+32 470 00 00 00"}, "criteria": {"income"}}
}

var referralIDRE = regexp.MustCompile(`^/referrals/(\d+)\?ok=`)

func TestFormsShowEveryProblem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := formsWorld(t, db)

		// Anonymous: login, forgotten password, a password link.
		anon := &browser{w: w}
		r := anon.post("/login", url.Values{"email": {"iemand@example.org"}})
		wantStatus(t, "login empty password", r, 400)
		wantFormErrors(t, "login empty password", r, "password")
		wantIn(t, "login empty password", r, `value="iemand@example.org"`)
		r = anon.post("/login", url.Values{})
		wantFormErrors(t, "login empty", r, "email", "password")
		r = anon.post("/login", url.Values{"email": {"iemand@example.org"}, "password": {"fout-wachtwoord-123"}})
		wantStatus(t, "login wrong", r, 401)
		wantFormErrors(t, "login wrong", r, "email")
		wantNotIn(t, "login wrong", r, "fout-wachtwoord-123")
		r = anon.post("/wachtwoord-vergeten", url.Values{})
		wantStatus(t, "forgot empty", r, 400)
		wantFormErrors(t, "forgot empty", r, "email")
		r = anon.post("/wachtwoord/onbekend", url.Values{})
		wantFormErrors(t, "set password empty", r, "password", "password_repeat")

		// Signed in: change the password.
		worker := w.login("worker")
		r = worker.post("/account/password", url.Values{})
		wantStatus(t, "change password empty", r, 400)
		wantFormErrors(t, "change password empty", r, "current_password", "password", "password_repeat")
		r = worker.post("/account/password", url.Values{"current_password": {"x"}, "password": {"een-lang-wachtwoord-1"}, "password_repeat": {"een-ander-wachtwoord"}})
		wantFormErrors(t, "change password differ", r, "password_repeat")

		// The admin's forms: a user, a clinic, a service account, an agreement.
		admin := w.login("admin")
		r = admin.post("/users", url.Values{"name": {"Nieuwe Collega"}, "role": {"team_worker"}, "org": {"team-noord"}})
		wantStatus(t, "user without e-mail", r, 400)
		wantFormErrors(t, "user without e-mail", r, "email")
		wantIn(t, "user without e-mail", r, `value="Nieuwe Collega"`, `<option value="team-noord" selected>`)
		r = admin.post("/clinics", url.Values{"slug": {"zonnig-2"}})
		wantFormErrors(t, "clinic without name", r, "name")
		wantIn(t, "clinic without name", r, `value="zonnig-2"`)
		r = admin.post("/service-accounts", url.Values{"org": {"team-noord"}, "label": {"koppeling"}})
		wantFormErrors(t, "service account without name", r, "name")
		wantIn(t, "service account without name", r, `value="koppeling"`)
		r = admin.post("/agreements", url.Values{"status": {"draft"}, "effective_on": {"31/02/2026"}, "note": {"Een notitie"}})
		wantStatus(t, "agreement", r, 400)
		wantFormErrors(t, "agreement", r, "pair", "effective_on")
		wantIn(t, "agreement", r, `value="31/02/2026"`, "Een notitie", "is geen datum. Schrijf DD-MM-JJJJ")

		// The consent step: nothing ticked.
		loc := worker.post("/referrals", goodReferral())
		m := referralIDRE.FindStringSubmatch(loc.Location)
		if m == nil {
			t.Fatalf("create referral: %d %s\n%s", loc.Status, loc.Location, excerpt(loc.Body))
		}
		r = worker.post("/referrals/"+m[1]+"/consents", url.Values{"parent": {"0"}, "informed": {"data"}})
		wantStatus(t, "consent", r, 400)
		wantFormErrors(t, "consent", r, "c0-informed", "c0-method", "c0-voluntary")
		r = worker.post("/referrals/"+m[1]+"/consents", url.Values{"parent": {"0"}, "refused": {"1"}})
		wantFormErrors(t, "refusal unconfirmed", r, "r0-confirm")
		r = worker.post("/referrals/"+m[1]+"/consents", url.Values{"parent": {"0"}, "method": {"verbal"}, "voluntary": {"on"},
			"informed": {"data", "recipient", "purpose", "processing", "expectations"}})
		wantStatus(t, "consent", r, 303)
		wantStatus(t, "send", worker.post("/referrals/"+m[1]+"/send", url.Values{}), 303)

		// The OCMW: a contact attempt and the outcome, sent empty, then a
		// date as people type it.
		ocmw := w.login("ocmw")
		r = ocmw.get("/inbox/" + m[1])
		wantStatus(t, "inbox referral", r, 200)
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(r.Body)[1]
		r = ocmw.post("/inbox/"+m[1]+"/contact-attempts", url.Values{"version": {version}, "on": {""}})
		wantStatus(t, "attempt empty", r, 400)
		wantFormErrors(t, "attempt empty", r, "channel", "reached")
		r = ocmw.post("/inbox/"+m[1]+"/contact-attempts", url.Values{"version": {version}, "on": {"gisteren"}, "channel": {"phone"}})
		wantFormErrors(t, "attempt wrong date", r, "on", "reached")
		wantIn(t, "attempt wrong date", r, `value="gisteren"`, `id="ch-phone" name="channel" value="phone" required checked`)
		r = ocmw.post("/inbox/"+m[1]+"/outcome", url.Values{"version": {version}})
		wantFormErrors(t, "outcome empty", r, "outcome")
		r = ocmw.post("/inbox/"+m[1]+"/contact-attempts", url.Values{"version": {version}, "on": {"10/3/2026"}, "channel": {"phone"}, "reached": {"yes"}})
		wantStatus(t, "attempt", r, 303)
		r = ocmw.get("/inbox/" + m[1])
		wantIn(t, "attempt recorded", r, "<td>10-03-2026</td>")
	})
}

func TestOutreachFormsShowEveryProblem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := formsWorld(t, db)
		admin := w.login("admin")
		page := "/outreach/municipalities/13016"
		r := admin.post(page+"/moments", url.Values{"on": {"32-13-2026"}, "channel": {"phone"}, "by": {"opgroeien"}, "next_step": {"Terugbellen"}})
		wantStatus(t, "moment", r, 400)
		wantFormErrors(t, "moment", r, "moment-on")
		wantIn(t, "moment", r, `value="32-13-2026"`, "Terugbellen")
		r = admin.post(page+"/moments", url.Values{"on": {"9/3/2026"}, "channel": {"phone"}, "by": {"opgroeien"}})
		wantFormErrors(t, "moment without summary", r, "moment-summary")
		wantIn(t, "moment without summary", r, `value="09-03-2026"`)
		r = admin.post(page+"/tasks", url.Values{"title": {"Bellen"}, "due_on": {"morgen"}})
		wantFormErrors(t, "task", r, "task-due")
		wantIn(t, "task", r, `value="Bellen"`, `value="morgen"`)
		r = admin.post(page+"/contacts", url.Values{"function": {"mayor"}, "email": {"geen-adres"}})
		wantStatus(t, "contact", r, 400)
		wantFormErrors(t, "contact", r, "contact-function", "contact-name", "contact-email")
		wantIn(t, "contact", r, `value="geen-adres"`)
		r = admin.post("/outreach/campaigns", url.Values{"kind": {"info_session"}, "on": {"1/2/3"}, "subject": {"Infosessie"}, "audience": {"all"}})
		wantStatus(t, "campaign", r, 400)
		wantFormErrors(t, "campaign", r, "campaign-on")
		wantIn(t, "campaign", r, `value="Infosessie"`)
	})
}

func TestAgreementFormsShowEveryProblem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := formsWorld(t, db)
		var id string
		if err := db.SQL().QueryRowContext(context.Background(), `SELECT CAST(id AS TEXT) FROM agreements ORDER BY id LIMIT 1`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		admin := w.login("admin")
		page := "/agreements/" + id
		r := admin.get(page)
		wantStatus(t, "agreement", r, 200)
		wantIn(t, "agreement", r, `id="on-ended"`, `value="10-03-2026"`)
		r = admin.post(page+"/events", url.Values{"status": {"ended"}, "effective_on": {"31-31-2026"}, "reason": {"Opgezegd"}})
		wantStatus(t, "end with a wrong date", r, 400)
		wantFormErrors(t, "end with a wrong date", r, "on-ended")
		wantIn(t, "end with a wrong date", r, `value="31-31-2026"`, `value="Opgezegd"`)
		r = admin.post(page+"/events", url.Values{"status": {"ended"}, "effective_on": {"1/3/2026"}})
		wantFormErrors(t, "end without a reason", r, "reason-ended")
		wantIn(t, "end without a reason", r, `value="01-03-2026"`)
		r = admin.post(page+"/versions", url.Values{"retention_days": {"90"}, "first_contact_days": {"10"}, "dpo_advice_on": {"gisteren"},
			"information_text": {"Tekst die blijft staan"}})
		wantStatus(t, "version", r, 400)
		wantFormErrors(t, "version", r, "dpo_advice_on")
		wantIn(t, "version", r, "Tekst die blijft staan", `value="gisteren"`)
	})
}

func TestMailingFormShowsEveryProblem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		lead := s.signIn("lead")
		p := s.do("GET", "/outreach/mailing?team=team-noord&stage=not_informed", lead, nil)
		v := formValues(byID(t, p.Doc, "form", "mailing"), "preview")
		v.Set("subject", "")
		v.Set("body", "")
		v.Set("template", "") // a template gives both
		p = s.do("POST", "/outreach/mailing", lead, v)
		r := response{Status: p.Code, Body: p.Body}
		wantStatus(t, "mailing", r, 400)
		wantFormErrors(t, "mailing", r, "subject", "body")
	})
}

func TestDPOFormsShowEveryProblem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := formsWorld(t, db)
		admin := w.login("admin")
		r := admin.post("/break-glass", url.Values{"referral": {"nr. 3"}})
		wantStatus(t, "break-glass", r, 400)
		wantFormErrors(t, "break-glass", r, "referral", "reason")
		wantIn(t, "break-glass", r, `value="nr. 3"`)

		dpo := w.login("dpo")
		r = dpo.post("/verzoeken", url.Values{"type": {"access"}, "received_on": {"12/13/2026"}, "name": {"Fictieve Ouder"}})
		wantStatus(t, "subject request", r, 400)
		wantFormErrors(t, "subject request", r, "received_on")
		wantIn(t, "subject request", r, `value="12/13/2026"`, `value="Fictieve Ouder"`)
		r = dpo.post("/verzoeken", url.Values{"type": {"access"}, "received_on": {"9/3/2026"}, "receipt_code": {"KR-AAAA-BBBB-CCCC"}})
		m := regexp.MustCompile(`^/verzoeken/(\d+)\?ok=`).FindStringSubmatch(r.Location)
		if m == nil {
			t.Fatalf("create request: %d %s\n%s", r.Status, r.Location, excerpt(r.Body))
		}
		r = dpo.post("/verzoeken/"+m[1]+"/beantwoord", url.Values{"answered_on": {"morgen"}})
		wantStatus(t, "answer", r, 400)
		wantFormErrors(t, "answer", r, "answered_on")
		wantIn(t, "answer", r, `value="morgen"`)
		r = dpo.get("/verzoeken/" + m[1])
		wantIn(t, "request", r, "09-03-2026")
	})
}
