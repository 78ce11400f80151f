package e2e

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/browsertest"
	"kansrijk/internal/demo"
)

// chooseBytes puts a file of any bytes (UTF-16 too) into a file input, as a
// user picking it does.
func chooseBytes(t *testing.T, b *browsertest.Browser, sel, name string, content []byte) {
	t.Helper()
	b.Eval(`(() => {
		const bytes = Uint8Array.from(atob(`+js(base64.StdEncoding.EncodeToString(content))+`), c => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], `+js(name)+`, {type: "text/csv"}));
		const input = document.querySelector(`+js(sel)+`);
		input.files = dt.files;
		input.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, nil)
}

// waitFor waits until sel exists: the page an upload form shows after it
// sent the file with its progress (static/upload.js), which is no
// navigation of the browser.
func waitFor(t *testing.T, b *browsertest.Browser, sel string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if b.Exists(sel) {
			return
		}
	}
	t.Fatalf("%s did not appear (page %s)", sel, b.URL())
}

// TestAttendanceReportAndDeprivationPreview: an admin uploads a Teams
// attendance report as Teams writes it (with the upload's progress), sees
// every participant in the report, chooses the municipality of the
// ambiguous "Sint-Gillis" and imports the matched rows; then checks what a
// deprivation index file would replace and confirms it. axe-core checks
// every page.
func TestAttendanceReportAndDeprivationPreview(t *testing.T) {
	t.Parallel()
	teams, err := os.ReadFile(filepath.Join("..", "attendance", "testdata", "teams_nl_utf16le.csv"))
	if err != nil {
		t.Fatal(err)
	}
	b := start(t)
	login(t, b, "admin@demo.kansrijk.test", demo.Password)

	b.Navigate(baseURL + "/outreach/campaigns")
	b.SetValue("#campaign-kind", "webinar")
	b.SetValue("#campaign-on", brusselsToday().Format(time.DateOnly))
	b.SetValue("#campaign-subject", "E2E infosessie via Teams")
	b.SetValue("#campaign-audience", "province")
	b.SetValue("#campaign-province", "Oost-Vlaanderen")
	b.Click("#campaign-new button[type=submit]")
	if !strings.HasPrefix(path(t, b), "/outreach/campaigns/") {
		t.Fatalf("after recording the campaign: %s", path(t, b))
	}
	campaign, _, _ := strings.Cut(path(t, b), "?")
	wantText(t, b, "#attendance-limit", "5 MB")
	b.Page("attendance-upload")

	// With JavaScript the upload shows its progress and then the report.
	chooseBytes(t, b, "#attendance-file", "AttendanceReport.csv", teams)
	b.Click("#attendance-upload button[type=submit]")
	waitFor(t, b, "#attendance-report")
	var lines []string
	b.Eval(`[...document.querySelectorAll("#attendance-rows tbody tr")].map(tr => tr.dataset.line + ":" + tr.dataset.problem)`, &lines)
	if got := strings.Join(lines, " "); got != "11: 12:organizer 13: 14: 15: 16: 17:ambiguous 18:empty_row 19:conflict 20:" {
		t.Errorf("report rows %s", got)
	}
	wantText(t, b, "#attendance-not-imported", "Er is niets ingelezen")
	wantText(t, b, "#attendance-not-read", "3. Activiteiten in de vergadering")
	if strings.Contains(b.Text("#attendance-rows"), "Els Claes") {
		t.Error("the report shows a participant's name")
	}
	b.Page("attendance-report-ambiguous")

	// The choice for "Sint-Gillis", and the matched rows only.
	b.Click(`#choice-17-46020`)
	b.Click(`#choices-partial`)
	b.Submit("#attendance-choices")
	wantText(t, b, "#attendance-imported", "Ingelezen.")
	if got := attr(b, `#attendance-rows tr[data-line="17"]`, "data-nis"); got != "46020" {
		t.Errorf("line 17 matched to %q, want 46020 (Sint-Gillis-Waas)", got)
	}
	b.Page("attendance-report-imported")
	b.Navigate(baseURL + campaign)
	if !b.Exists(`#touchpoints tr[data-nis="46020"][data-attended="true"]`) || b.Exists(`#touchpoints tr[data-nis="21013"]`) {
		t.Error("the campaign's touchpoints after the import are wrong")
	}

	// The deprivation index: first what the file replaces, then Bevestigen.
	b.Navigate(baseURL + "/outreach/deprivation")
	wantText(t, b, "#file-limit", "8 MB")
	chooseBytes(t, b, "#file", "index.csv", []byte("NIS;Jaar;Index\n44021;2030;12,5\n46021;2030;14,1\n"))
	b.SetValue("#source", "fictief — e2e")
	b.Click("#deprivation-upload button[type=submit]")
	waitFor(t, b, "#deprivation-preview")
	wantText(t, b, "#deprivation-preview-years", "2030")
	b.Page("deprivation-preview")
	b.Submit("#deprivation-confirm")
	wantPath(t, b, "/outreach/deprivation?ok=deprivation_imported")
	wantText(t, b, "#deprivation-years", "fictief — e2e")
	b.Page("deprivation-imported")
}
