package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// forms2Agreements gives the births world two agreements of team-noord:
// Heist-op-den-Berg in draft (its next step: approved) and Hulshout
// approved (its next step: signed).
func forms2Agreements(t *testing.T, db *store.DB) (draft, approved agreement.Agreement) {
	t.Helper()
	ctx := context.Background()
	sys := account.Program(account.SourceTest, "")
	draft, err := db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "12014", Status: "draft", EffectiveOn: "2024-01-02"})
	if err != nil {
		t.Fatal(err)
	}
	approved, err = db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13016", Status: "draft", EffectiveOn: "2024-01-02"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddEvent(ctx, sys, approved.ID, agreement.NewEvent{Status: "approved", EffectiveOn: "2024-02-01", CouncilReference: "RMW/2024/1"}); err != nil {
		t.Fatal(err)
	}
	return draft, approved
}

// The step form and the version form of an agreement report every
// problem at once, linked, next to their fields, keeping what was typed.
func TestAgreementFormsReportEveryProblem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newBirthsWorld(t, db)
		draft, approved := forms2Agreements(t, db)
		admin := w.login("admin")
		long := strings.Repeat("x", 2001)

		// Approved: a date that is no date, a council date mistyped, no
		// reference, a note too long — four problems.
		r := admin.post(fmt.Sprintf("/agreements/%d/events", draft.ID), url.Values{"status": {"approved"},
			"effective_on": {"31/02/2024"}, "council_decision_on": {"morgen"}, "council_reference": {" "}, "note": {long}})
		wantStatus(t, "approved step", r, 400)
		wantFormErrors(t, "approved step", r, "on-approved", "cdate", "cref", "note-approved")
		wantIn(t, "approved step", r, `value="31/02/2024"`, `value="morgen"`, "„morgen” is geen datum")
		wantNotIn(t, "approved step", r, "Er ging iets mis")

		// Signed: one signature without a date, one mistyped, a name too
		// long; the dates typed the Belgian way are kept as typed.
		r = admin.post(fmt.Sprintf("/agreements/%d/events", approved.ID), url.Values{"status": {"signed"}, "effective_on": {"1/3/2024"},
			"sig_administrator_general_on": {""}, "sig_council_chair_on": {"32-01-2024"},
			"sig_general_director_on": {"2/3/2024"}, "sig_general_director_name": {strings.Repeat("n", 201)}})
		wantStatus(t, "signed step", r, 400)
		wantFormErrors(t, "signed step", r, "sig-administrator_general-on", "sig-council_chair-on", "sig-general_director-name")
		wantIn(t, "signed step", r, `value="01-03-2024"`, `value="32-01-2024"`, `value="02-03-2024"`,
			"Geef een geldige datum voor de handtekening van Administrateur-generaal Opgroeien.")
		wantNotIn(t, "signed step", r, "administrator_general.", "council_chair.")

		// The same step right, dates as people type them: recorded.
		r = admin.post(fmt.Sprintf("/agreements/%d/events", approved.ID), url.Values{"status": {"signed"}, "effective_on": {"3/3/2024"},
			"sig_administrator_general_on": {"1/3/2024"}, "sig_council_chair_on": {"01-03-2024"}, "sig_general_director_on": {"2024-03-02"}})
		if r.Status != 303 {
			t.Fatalf("signed step with typed dates: %d\n%s", r.Status, excerpt(r.Body))
		}

		// The correction of a step: no date, no note — both asked for.
		r = admin.post(fmt.Sprintf("/agreements/%d/events", draft.ID), url.Values{"corrects": {fmt.Sprint(draft.Events[0].ID)}, "effective_on": {""}, "note": {" "}})
		wantStatus(t, "correction", r, 400)
		wantFormErrors(t, "correction", r, "corr-on", "corr-note")

		// The version form: a number left empty, one out of range, the
		// information text emptied, a date and a URL that are none.
		r = admin.post(fmt.Sprintf("/agreements/%d/versions", draft.ID), url.Values{"retention_days": {""}, "first_contact_days": {"999"},
			"information_text": {" "}, "dpo_advice_on": {"gisteren"}, "publication_url": {"ftp://example.org/besluit"}})
		wantStatus(t, "version", r, 400)
		wantFormErrors(t, "version", r, "retention_days", "first_contact_days", "information_text", "dpo_advice_on", "publication_url")
		wantIn(t, "version", r, `value="999"`, `value="gisteren"`, `value="ftp://example.org/besluit"`)
		// Required fields are marked.
		for _, id := range []string{"retention_days", "first_contact_days", "information_text"} {
			i := strings.Index(r.Body, `<label for="`+id+`">`)
			if i < 0 || !strings.Contains(r.Body[i:i+300], "required-mark") {
				t.Errorf("version: %s is not marked required", id)
			}
		}
	})
}

// The subject-request form at /verzoeken reports every problem at once.
func TestSubjectRequestFormReportsEveryProblem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := formsWorld(t, db)
		dpo := w.login("dpo")
		r := dpo.post("/verzoeken", url.Values{"type": {"klacht"}, "received_on": {"31/02/2026"}, "name": {"Fictieve Ouder"}, "postcode": {"22"}})
		wantStatus(t, "subject request", r, 400)
		wantFormErrors(t, "subject request", r, "type", "received_on", "street", "number", "postcode")
		wantIn(t, "subject request", r, `value="31/02/2026"`, `value="Fictieve Ouder"`, `value="22"`)
		// A date as people type it is taken.
		r = dpo.post("/verzoeken", url.Values{"type": {"access"}, "received_on": {"2/3/2026"}, "name": {"Fictieve Ouder"},
			"street": {"Kerkstraat"}, "number": {"7"}, "postcode": {"2235"}})
		if r.Status != 303 {
			t.Fatalf("request with a typed date: %d\n%s", r.Status, excerpt(r.Body))
		}
		loc := r.Location
		r = dpo.get(loc)
		wantIn(t, "request", r, "02-03-2026")

		// A rectification without its object, of a parent 3, with a
		// postcode that is none: three problems, the choices kept.
		path := strings.SplitN(loc, "?", 2)[0]
		r = dpo.post(path+"/rectificaties", url.Values{"object": {""}, "parent": {"3"}, "field": {"postcode"}, "value": {"12"}, "note": {"per brief"}})
		wantStatus(t, "rectification", r, 400)
		wantFormErrors(t, "rectification", r, "object", "parent", "value")
		wantIn(t, "rectification", r, `value="12"`, `<option value="postcode" selected>`, ">per brief</textarea>")
	})
}
