package web_test

import (
	"net/url"
	"strings"
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestParliamentFormShowsEveryProblem: the pack's form reports every problem at once, each
// linked from the summary and next to its field, keeping what was typed; a good date (as
// people type it) makes the pack and shows it at the top of the list.
func TestParliamentFormShowsEveryProblem(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newBirthsWorld(t, db)
		analyst := w.login("analyst")
		r := analyst.get("/reports/parliament")
		wantStatus(t, "page", r, 200)
		wantIn(t, "page", r, "Er is nog geen antwoordpakket gemaakt.")

		r = analyst.post("/reports/parliament", url.Values{"as_of": {""}, "from": {"morgen"}, "to": {"31-02-2024"}})
		wantStatus(t, "empty date", r, 400)
		wantFormErrors(t, "empty date", r, "as_of", "from", "to")
		wantIn(t, "empty date", r, `value="morgen"`, `value="31-02-2024"`)

		r = analyst.post("/reports/parliament", url.Values{"as_of": {"01-01-2099"}})
		wantStatus(t, "future", r, 400)
		wantFormErrors(t, "future", r, "as_of")

		r = analyst.post("/reports/parliament", url.Values{"as_of": {"8/3/2023"}})
		wantStatus(t, "make", r, 303)
		if loc := r.Location; !strings.HasPrefix(loc, "/reports/parliament?made=1") {
			t.Fatalf("redirect to %q", loc)
		}
		r = analyst.get("/reports/parliament?made=1")
		wantIn(t, "list", r, "Antwoordpakket 1 is gemaakt en bewaard.", `<tr id="pack-1" class="highlight">`, "08-03-2023",
			`href="/api/v1/reports/parliament-packs/1/pdf"`)

		lead := w.login("lead")
		wantStatus(t, "team lead", lead.get("/reports/parliament"), 403)
		wantStatus(t, "team lead makes", lead.post("/reports/parliament", url.Values{"as_of": {"8/3/2023"}}), 403)
	})
}
