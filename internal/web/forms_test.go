package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

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
