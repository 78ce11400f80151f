package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/attendance"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestAttendanceMeetingReport uploads a Teams attendance report as Teams
// writes it (UTF-16LE, three sections, no organisation column) on both
// databases: every participant is in the report, the ambiguous
// "Sint-Gillis" is asked, a choice sends the file again, and accepting the
// matched rows only never stores a touchpoint for a row that was not
// matched.
func TestAttendanceMeetingReport(t *testing.T) {
	teams, err := os.ReadFile(filepath.Join("..", "attendance", "testdata", "teams_nl_utf16le.csv"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		w := newOutrWorld(t, db)
		rec := w.post(t, "admin", "/outreach/campaigns", url.Values{"kind": {"webinar"}, "on": {"2025-03-11"}, "partner": {"VVSG"},
			"subject": {"Infosessie Kansrijk"}, "audience": {"list"}, "municipality": {"46021"}}, 303)
		id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(rec.Header().Get("Location"), "/outreach/campaigns/"), "?ok=outreach_campaign_created"), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/outreach/campaigns/%d", id)
		reached := func() []string {
			c, err := db.Campaign(context.Background(), account.System("test"), id)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, tp := range c.Touchpoints {
				out = append(out, tp.MunicipalityNIS)
			}
			slices.Sort(out)
			return out
		}

		body := w.upload(t, "admin", page+"/attendance", teams, false, 200)
		has(t, "teams page", body, `id="attendance-limit"`, "hoogstens 5 MB", `src="/static/upload.js"`)
		report := section(t, body, "attendance-rows")
		for line := 11; line <= 20; line++ {
			has(t, "every participant", report, fmt.Sprintf(`data-line="%d"`, line))
		}
		has(t, "teams report", report,
			`data-line="11" data-nis="46021" data-problem=""`, "op de naam van de deelnemer",
			`data-line="12" data-nis="" data-problem="organizer"`, "Niet meegeteld: organisator",
			`data-line="14" data-nis="46030" data-problem=""`,
			`data-line="17" data-nis="" data-problem="ambiguous"`, `name="choice-17"`, `value="46020"`, `value="21013"`,
			`data-line="19" data-nis="" data-problem="conflict"`)
		hasNot(t, "no names or addresses", report, "Els Claes", "els.claes@", "Tegenspraak")
		has(t, "not read", body, `id="attendance-not-read"`, "3. Activiteiten in de vergadering")
		has(t, "asked", body, `id="attendance-choices"`, "Kies in de tabel per rij de juiste gemeente")
		if got := reached(); !slices.Equal(got, []string{"46021"}) {
			t.Fatalf("an unaccepted report changed the campaign: %v", got)
		}

		// The form of choices carries the file: a choice that is no
		// candidate settles nothing.
		choose := func(choice string, partial bool, want int) string {
			t.Helper()
			f := url.Values{"csrf": {w.users.Session(t, "admin").CSRF}, "filename": {"teams.csv"},
				"content": {base64.StdEncoding.EncodeToString(teams)}, "choice-17": {choice}}
			if partial {
				f.Set("accept_partial", "on")
			}
			return w.post(t, "admin", page+"/attendance", f, want).Body.String()
		}
		body = choose("44021", false, 200)
		has(t, "no candidate", section(t, body, "attendance-rows"), `data-line="17" data-nis="" data-problem="ambiguous"`)
		body = choose("46020", true, 200)
		has(t, "chosen and imported", body, `id="attendance-imported"`, `data-line="17" data-nis="46020" data-problem=""`, "door u gekozen")
		// Only matched rows: Sint-Niklaas, Lokeren, Beveren-Kruibeke-Zwijndrecht
		// (zwijndrecht.be), Gent, Pajottegem and Sint-Gillis-Waas. Not the
		// organiser, not the conflicting row's second municipality.
		if got := reached(); !slices.Equal(got, []string{"23106", "44021", "46020", "46021", "46029", "46030"}) {
			t.Fatalf("after the partial import: %v", got)
		}

		// A file over the limit keeps the form and says the limit.
		big := bytes.Repeat([]byte("Naam;Gemeente\r\nA;Gent\r\n"), attendance.MaxBytes/20)
		body = w.upload(t, "admin", page+"/attendance", big, true, 413)
		has(t, "too large", body, "groter dan 5 MB", `id="attendance-partial" name="accept_partial" checked`, `id="attendance-upload"`)
	})
}
