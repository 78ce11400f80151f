package e2e

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"kansrijk/internal/browsertest"
	"kansrijk/internal/demo"
)

// chooseFile puts a file into the file input sel, as a user picking it
// does (the browser's DataTransfer; no file on disk).
func chooseFile(t *testing.T, b *browsertest.Browser, sel, name, content string) {
	t.Helper()
	var n int
	b.Eval(`(() => { const dt = new DataTransfer(); dt.items.add(new File([`+js(content)+`], `+js(name)+`, {type: "text/csv"}));
		const input = document.querySelector(`+js(sel)+`); input.files = dt.files; return input.files.length; })()`, &n)
	if n != 1 {
		t.Fatalf("no file in %s", sel)
	}
}

// submissionCount is the number in the caption of the clinic's list.
func submissionCount(t *testing.T, b *browsertest.Browser) int {
	t.Helper()
	caption := b.Text("#submissions caption")
	m := regexp.MustCompile(`(\d+)\s*$`).FindStringSubmatch(caption)
	if m == nil {
		t.Fatalf("caption %q has no count", caption)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestBirths: a maternity clinic uploads a CSV file with one
// bad row and reads the report (nothing stored), then sends it again
// accepting the good rows only; the demo team's worker finds the family
// in the queue and records the first contact; the clinic then sees
// "picked up" and nothing of the contact. Opgroeien's queue and figures,
// the form with its errors and a flagged duplicate are checked on the way.
func TestBirths(t *testing.T) {
	t.Parallel()
	b := start(t)
	const (
		clinic     = "clinic@demo.kansrijk.test"
		teamWorker = "teamworker@demo.kansrijk.test"
		teamLead   = "teamlead@demo.kansrijk.test"
		mother     = "E2E Moeder Hulshout"
	)
	born := brusselsToday().AddDate(0, 0, -2)
	csv := "\ufeffmoeder_naam;moeder_straat;moeder_huisnummer;moeder_postcode;moeder_nis;moeder_telefoon;moeder_taal;geboortedatum;vroeg_contact\r\n" +
		fmt.Sprintf("%s;Kerkstraat;12;2235;13016;+32 470 12 34 56;nl;%s;ja\r\n", mother, born.Format("02/01/2006")) +
		fmt.Sprintf("E2E Moeder Foute Postcode;Markt;1;22;13040;+32 470 12 34 57;fr;%s;nee\r\n", born.Format("2006-01-02")) +
		fmt.Sprintf("E2E Moeder Turnhout;Markt;3;2300;13040;+32 470 12 34 58;tr;%s;\r\n", born.Format("2006-01-02"))

	// The clinic: its list, the upload form.
	login(t, b, clinic, demo.Password)
	b.Click(`header nav a[href="/births"]`)
	wantPath(t, b, "/births")
	if got := attr(b, `header nav a[href="/births"]`, "aria-current"); got != "page" {
		t.Errorf("the navigation does not mark the births page as current (aria-current=%q)", got)
	}
	wantText(t, b, "h1", "Onze geboortemeldingen")
	before := submissionCount(t, b)
	if before == 0 {
		t.Error("the demo clinic has no submissions")
	}
	b.Page("births-clinic")
	b.Click(`main a.button[href="/births/upload"]`)
	wantPath(t, b, "/births/upload")
	b.Page("births-upload")

	// One bad row: the report names row, column and problem; nothing is stored.
	// The form is sent as without JavaScript (no progress box: upload.js
	// leaves the form alone), so that the answer's status can be read;
	// TestBirthUploadProgress sends it with JavaScript.
	withoutUploadScript(b)
	chooseFile(t, b, "#file", "geboortes.csv", csv)
	b.Click(`#births-upload button[type=submit]`)
	wantPath(t, b, "/births/upload")
	if got := status(b); got != 400 {
		t.Errorf("a file with a bad row: status %d, want 400", got)
	}
	wantText(t, b, "#report-summary", "Er is niets ingelezen.")
	wantText(t, b, "#report-summary", "1 van de 3 rijen bevatten fouten.")
	wantText(t, b, `#batch-problems tr[data-row="3"]`, "moeder_postcode")
	wantText(t, b, `#batch-problems tr[data-row="3"]`, "Geef een Belgische postcode van vier cijfers.")
	wantText(t, b, "#batch-row-2", "Niet ingelezen")
	wantText(t, b, "#batch-row-3", "Geweigerd")
	if b.Exists("#stored-rows") || b.Exists(`#batch-rows a[href^="/births/"]`) {
		t.Error("the report of a rejected file says rows went in")
	}
	b.Page("births-upload-rejected")
	b.Navigate(baseURL + "/births")
	if got := submissionCount(t, b); got != before {
		t.Errorf("after a rejected file the clinic has %d submissions, had %d", got, before)
	}

	// The good rows only, on request: which went in, and where to.
	b.Navigate(baseURL + "/births/upload")
	withoutUploadScript(b)
	chooseFile(t, b, "#file", "geboortes.csv", csv)
	b.Click("#accept-partial")
	b.Click(`#births-upload button[type=submit]`)
	if got := status(b); got != 200 {
		t.Errorf("partial acceptance: status %d, want 200", got)
	}
	wantText(t, b, "#report-summary", "2 nieuw, 0 al eerder gemeld, 1 geweigerd")
	wantText(t, b, "#stored-rows", "2, 4")
	wantText(t, b, "#batch-row-2", "Toegevoegd")
	wantText(t, b, "#batch-row-2", "Demoteam regio Turnhout")
	wantText(t, b, "#batch-row-3", "Geweigerd")
	if !b.Exists("#accept-partial:checked") {
		t.Error("the partial-acceptance box is not ticked after the upload")
	}
	href := attr(b, "#batch-row-2 a", "href")
	id := strings.TrimPrefix(href, "/births/")
	if _, err := strconv.Atoi(id); err != nil {
		t.Fatalf("row 2 links to %q, want /births/{id}", href)
	}
	b.Page("births-upload-partial")
	b.Click("#batch-row-2 a")
	wantPath(t, b, "/births/"+id)
	wantText(t, b, "#submission-status", "Nog niet opgepakt")
	if strings.Contains(b.Text("main"), mother) {
		t.Error("the clinic's page of a submission shows the mother's name")
	}
	b.Page("birth-submission-new")

	// The form: all errors at once, in Dutch, naming the field.
	b.Navigate(baseURL + "/births/new")
	b.Page("birth-new")
	b.SetValue("#mother-name", "E2E Moeder Formulier")
	b.SetValue("#mother-postcode", "2235")
	b.Click(`#birth-form button[type=submit]`)
	if got := status(b); got != 400 {
		t.Errorf("an incomplete form: status %d, want 400", got)
	}
	wantText(t, b, "#form-errors", "Moeder — Straat: Geef de straat en het huisnummer.")
	wantText(t, b, "#form-errors", "Moeder — Telefoon: Geef minstens een telefoonnummer of een e-mailadres van de moeder.")
	wantText(t, b, "#form-errors", "Geboortedatum kind: Geef de geboortedatum van het kind.")
	if got := attr(b, "#mother-phone", "aria-invalid"); got != "true" {
		t.Errorf("the phone field is not marked invalid (aria-invalid=%q)", got)
	}
	if got := value(b, "#mother-name"); got != "E2E Moeder Formulier" {
		t.Errorf("the name after the error: %q", got)
	}
	b.Page("birth-new-errors")
	logout(t, b)

	// The demo team's worker: the family is in the queue.
	login(t, b, teamWorker, demo.Password)
	b.Click(`header nav a[href="/births"]`)
	wantPath(t, b, "/births")
	wantText(t, b, "h1", "Geboortemeldingen")
	if !b.Exists("#birth-" + id) {
		t.Fatalf("notification %s is not in the queue of the demo team", id)
	}
	wantText(t, b, "#birth-"+id, "Hulshout")
	wantText(t, b, "#birth-"+id, "Nieuw")
	// The team may see its families' names (issue 12): the queue shows
	// the mother's name, and reading it is audited as a list read.
	wantText(t, b, "#birth-"+id, mother)
	b.Page("births-queue")
	// Filtered on the municipality and on early contact, sorted by date of birth.
	b.SetValue("#f-municipality", "13016")
	b.SetValue("#f-early", "yes")
	b.SetValue("#f-sort", "-child_birth_date")
	b.Click(`#births-filter button[type=submit]`)
	wantPath(t, b, "/births?status=&municipality=13016&language=&early=yes&born_from=&born_to=&sort=-child_birth_date")
	if !b.Exists("#birth-" + id) {
		t.Error("the family is not in the queue filtered on Hulshout and early contact")
	}
	var towns []string
	b.Eval(`Array.from(document.querySelectorAll("#births-table tbody tr td:nth-child(3)")).map(td => td.textContent.trim())`, &towns)
	for _, town := range towns {
		if town != "Hulshout" {
			t.Errorf("the queue filtered on Hulshout lists %q", town)
		}
	}
	b.Page("births-queue-filtered")
	b.Click(`#birth-` + id + ` a[href="/births/` + id + `"]`)
	wantPath(t, b, "/births/"+id)
	wantText(t, b, "main .parents", mother)
	wantText(t, b, "main .parents", "Kerkstraat 12, 2235 Hulshout")
	b.Page("birth-detail")

	// The first contact.
	if got := value(b, "#on"); got != brusselsToday().Format("2006-01-02") {
		t.Errorf("the contact date defaults to %q, want today", got)
	}
	b.Click("#ch-phone")
	b.Click("#reached-yes")
	b.Click("#home-visit-planned")
	b.Click(`#birth-contact button[type=submit]`)
	wantPath(t, b, "/births/"+id+"?ok=birth_contact_recorded")
	wantText(t, b, "main .flash", "Het contact is vastgelegd.")
	wantText(t, b, "#birth-status", "Bereikt")
	wantText(t, b, "#birth-contacts", "Telefoon")
	if b.Exists("#birth-contact") {
		t.Error("a reached family still has the contact form")
	}
	b.Page("birth-contacted")
	logout(t, b)

	// The team lead sees a flagged duplicate with the merge form.
	login(t, b, teamLead, demo.Password)
	b.Navigate(baseURL + "/births?status=new")
	dupHref := attr(b, `#births-table tr:has(.dup-flag) td:first-child a`, "href")
	if dupHref == "" {
		t.Fatal("no possible duplicate flagged in the demo team's queue")
	}
	b.Navigate(baseURL + dupHref)
	if !b.Exists("#birth-merge") {
		t.Error("the team lead has no merge form for a possible duplicate")
	}
	b.Page("birth-duplicate-lead")
	logout(t, b)

	// The clinic sees the status change, nothing of the team's work.
	login(t, b, clinic, demo.Password)
	b.Navigate(baseURL + "/births")
	wantText(t, b, "#submission-"+id, "Opgepakt")
	b.Navigate(baseURL + "/births/" + id)
	wantText(t, b, "#submission-status", "Opgepakt")
	for _, bad := range []string{mother, "Telefoon", "Bereikt", "huisbezoek", "Huisbezoek", "Kerkstraat"} {
		if strings.Contains(b.Text("main"), bad) {
			t.Errorf("the clinic's page shows %q", bad)
		}
	}
	b.Page("birth-submission-picked-up")
	logout(t, b)

	// Opgroeien: its own queue (Brussels), and the figures.
	login(t, b, adminEmail, demo.Password)
	b.Click(`header nav a[href="/births"]`)
	b.Page("births-admin")
	b.Click(`main nav.tabs a[href="/births?team=opgroeien"]`)
	wantText(t, b, "#opgroeien-queue", "Geen lokaal team dekt de woonplaats")
	var rows int
	b.Eval(`document.querySelectorAll("#births-table tbody tr[id]").length`, &rows)
	if rows == 0 {
		t.Error("Opgroeien's queue is empty in the demo")
	}
	b.Page("births-opgroeien")
	b.Click(`main nav.tabs a[href="/reports/births"]`)
	wantPath(t, b, "/reports/births")
	wantText(t, b, "#clinic-months", "Demo Kraamkliniek AZ Zonnedal")
	wantText(t, b, "#team-shares", "Demoteam regio Turnhout")
	if !b.Exists("#team-chart svg") {
		t.Error("no chart on the figures page")
	}
	b.Page("births-report")
	// The same in English.
	b.Click(`header a[hreflang="en"]`)
	wantText(t, b, "h1", "Birth notification figures")
	wantText(t, b, "#team-shares caption", "Families reached within 14 days")
	b.Page("births-report-en")
	b.Navigate(baseURL + "/births?team=opgroeien")
	wantText(t, b, "main nav.tabs", "Opgroeien queue")
	b.Page("births-opgroeien-en")
	b.Click(`header a[hreflang="nl"]`)
}
