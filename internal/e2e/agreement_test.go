package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/browsertest"
	"kansrijk/internal/demo"
)

// agreementDownload is what fetch() in the page tells about a file.
type agreementDownload struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Head   string `json:"head"`
	Size   int    `json:"size"`
}

// downloadAgreementFile fetches path with the page's session, as the link
// does, and tells its status, type and first bytes.
func downloadAgreementFile(b *browsertest.Browser, path string) agreementDownload {
	var d agreementDownload
	b.Eval(`fetch(`+js(path)+`).then(async r => { const buf = new Uint8Array(await r.arrayBuffer());
		return {status: r.status, type: r.headers.get("content-type") || "", head: String.fromCharCode(...buf.slice(0, 5)), size: buf.length}; })`, &d)
	return d
}

// brusselsToday is today's date in Brussels, as the server sees it.
func brusselsToday() time.Time {
	loc, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	y, m, d := time.Now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// kpi returns the data-count of a KPI element.
func kpi(t *testing.T, b *browsertest.Browser, sel string) int {
	t.Helper()
	n, err := strconv.Atoi(attr(b, sel, "data-count"))
	if err != nil {
		t.Fatalf("%s has no numeric data-count: %v", sel, err)
	}
	return n
}

// showReport picks a date in the report's filter form and presses the button.
func showReport(t *testing.T, b *browsertest.Browser, asOf string) {
	t.Helper()
	b.SetValue("#as_of", asOf)
	b.Click(`main form.filters button[type=submit]`)
	wantPath(t, b, "/reports/agreements?as_of="+asOf)
}

// openStep opens the form of a next step (a <details>) on the agreement page.
func openStep(b *browsertest.Browser, status string) {
	b.Click(`details:has(#on-` + status + `) summary`)
}

// submitStep presses the button of the form of a next step.
func submitStep(b *browsertest.Browser, status string) {
	b.Click(`details:has(#on-` + status + `) button[type=submit]`)
}

// openAllDetails opens every <details> of the page.
func openAllDetails(b *browsertest.Browser) {
	b.Eval(`document.querySelectorAll("details").forEach(d => d.open = true)`, nil)
}

// TestAgreementLifecycle: the demo admin takes a new agreement from
// "aangemeld" to "actief" only by clicking through the forms, sees the
// history, downloads the two generated documents, reads the report on
// 2023-03-08 and today, checks the mergers page, and the public register
// after logging out. Every page passes axe-core.
func TestAgreementLifecycle(t *testing.T) {
	t.Parallel()
	b := start(t)
	today := brusselsToday()
	iso := today.Format(time.DateOnly)
	dutch := today.Format("02-01-2006")

	// A municipality without any agreement yet, and the team that serves
	// it: from the public register (West Flanders: far from the other
	// tests, which work in Hulshout and Turnhout).
	b.Navigate(baseURL + "/register")
	var pick struct{ NIS, Name, Team string }
	b.Eval(`fetch("/api/v1/public/agreements").then(r => r.json()).then(d => {
		const free = d.municipalities.filter(m => m.status === "none" && m.team && m.nis !== "13016" && m.nis !== "13040");
		const m = free.find(m => m.province === "West-Vlaanderen") || free[0];
		return {NIS: m.nis, Name: m.name, Team: m.team}; })`, &pick)
	if pick.NIS == "" || pick.Team == "" {
		t.Fatalf("no municipality without an agreement in the demo data: %+v", pick)
	}
	t.Logf("new agreement for %s (%s), team %s", pick.Name, pick.NIS, pick.Team)

	login(t, b, adminEmail, demo.Password)
	wantPath(t, b, "/")

	// The report today, before: the counts to compare with afterwards.
	b.Click(`header nav a[href="/reports/agreements"]`)
	wantPath(t, b, "/reports/agreements")
	signedUpBefore, inForceBefore := kpi(t, b, "#signed-up"), kpi(t, b, "#in-force")

	// The list, and the form for a new agreement.
	b.Click(`header nav a[href="/agreements"]`)
	wantPath(t, b, "/agreements")
	wantText(t, b, "h1", "Samenwerkingsovereenkomsten")
	b.Page("agreements")
	b.Click(`main a.button[href="/agreements/new"]`)
	wantPath(t, b, "/agreements/new")
	if got, want := value(b, "#effective_on"), today.Format("02-01-2006"); got != want {
		t.Errorf("the new agreement form proposes %q as date, want today %s", got, want)
	}
	b.Page("agreement-new")
	b.SetValue("#pair", pick.Team+"|"+pick.NIS)
	b.Click("#st-interested")
	b.SetValue("#note", "Aanmelding via de e2e-test")
	b.Click(submit)
	if p := path(t, b); !strings.HasPrefix(p, "/agreements/") || !strings.HasSuffix(p, "?ok=agreement_created") {
		t.Fatalf("after creating: on %s", p)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(path(t, b), "/agreements/"), "?ok=agreement_created")
	wantText(t, b, "main .flash", "De overeenkomst is aangemaakt.")
	wantText(t, b, "h1", "Overeenkomst #"+id+" — "+pick.Name)
	wantText(t, b, "main .lead", "aangemeld")
	b.Page("agreement-interested")

	// A wrong transition (a stale or tampered form asking for "active"
	// now): a Dutch error, nothing recorded.
	openStep(b, "draft")
	b.Eval(`document.querySelector("details:has(#on-draft) input[name=status]").value = "active"`, nil)
	submitStep(b, "draft")
	if got := status(b); got != 409 {
		t.Errorf("a wrong transition: status %d, want 409", got)
	}
	wantText(t, b, ".error-summary", "Een overeenkomst met status 'aangemeld' kan niet 'actief' worden.")
	b.Page("agreement-wrong-transition")
	// A date before that of the previous step: refused as well.
	b.Navigate(baseURL + "/agreements/" + id)
	openStep(b, "draft")
	b.SetValue("#on-draft", today.AddDate(0, 0, -3).Format(time.DateOnly))
	submitStep(b, "draft")
	if got := status(b); got != 409 {
		t.Errorf("a step dated before the previous one: status %d, want 409", got)
	}
	wantText(t, b, ".error-summary", "De datum "+today.AddDate(0, 0, -3).Format("02-01-2006")+" ligt vóór die van de vorige stap ("+dutch+").")
	if got := value(b, "#on-draft"); got != today.AddDate(0, 0, -3).Format("02-01-2006") { // as typed, shown DD-MM-JJJJ
		t.Errorf("the form lost the date: %q", got)
	}
	b.Page("agreement-date-before-previous")
	var rows int
	b.Eval(`document.querySelectorAll("#history + table tbody tr").length`, &rows)
	if rows != 1 {
		t.Errorf("the history has %d steps after the refused ones, want 1", rows)
	}

	// Draft, approval by the council, signature, activation.
	b.Navigate(baseURL + "/agreements/" + id)
	openStep(b, "draft")
	b.SetValue("#on-draft", iso)
	submitStep(b, "draft")
	wantPath(t, b, "/agreements/"+id+"?ok=event_recorded")
	wantText(t, b, "main .flash", "De stap is vastgelegd.")
	wantText(t, b, "main .lead", "overeenkomst in opmaak")

	openStep(b, "approved")
	b.Page("agreement-approve-form")
	b.SetValue("#cdate", iso)
	b.SetValue("#cref", "RMW "+iso+" punt 12 (e2e)")
	submitStep(b, "approved")
	wantPath(t, b, "/agreements/"+id+"?ok=event_recorded")
	wantText(t, b, "main .lead", "goedgekeurd door de raad")

	openStep(b, "signed")
	for _, s := range []struct{ fn, name string }{
		{"administrator_general", "Anaïs Vercruyssen"}, {"council_chair", "Jérôme Dubois"}, {"general_director", "Zoë Van den Brœck"},
	} {
		b.SetValue("#sig-"+s.fn+"-name", s.name)
		b.SetValue("#sig-"+s.fn+"-on", iso)
	}
	b.Page("agreement-sign-form")
	submitStep(b, "signed")
	wantPath(t, b, "/agreements/"+id+"?ok=event_recorded")
	wantText(t, b, "main .lead", "ondertekend")

	openStep(b, "active")
	b.SetValue("#on-active", iso)
	submitStep(b, "active")
	wantPath(t, b, "/agreements/"+id+"?ok=event_recorded")
	wantText(t, b, "main .lead", "actief")
	wantText(t, b, "main .lead", dutch)

	// The history: five steps, in order, with their data.
	var steps []string
	b.Eval(`Array.from(document.querySelectorAll("#history + table tbody tr td:first-child .status")).map(s => s.textContent.trim())`, &steps)
	if got, want := strings.Join(steps, ", "), "aangemeld, overeenkomst in opmaak, goedgekeurd door de raad, ondertekend, actief"; got != want {
		t.Errorf("history: %s, want %s", got, want)
	}
	history := b.Text("#history + table")
	for _, want := range []string{"RMW " + iso + " punt 12 (e2e)", "Anaïs Vercruyssen", "Jérôme Dubois", "Zoë Van den Brœck",
		"Administrateur-generaal Opgroeien", "Aanmelding via de e2e-test", adminEmail} {
		if !strings.Contains(history, want) {
			t.Errorf("the history lacks %q", want)
		}
	}
	// Active: the next steps are suspend and end, nothing else.
	var next []string
	b.Eval(`Array.from(document.querySelectorAll("details.step form input[name=status]")).map(i => i.value)`, &next)
	if strings.Join(next, ",") != "suspended,ended" {
		t.Errorf("next steps of an active agreement: %v", next)
	}
	b.Page("agreement-active")
	// The forms behind the closed <details> pass axe-core too.
	openAllDetails(b)
	b.Page("agreement-active-forms")

	// The two generated documents.
	for _, doc := range []string{"samenwerkingsovereenkomst", "verwerkingsovereenkomst"} {
		href := "/agreements/" + id + "/pdf/" + doc + ".pdf"
		if !b.Exists(`main a[href="` + href + `"]`) {
			t.Errorf("the agreement page has no link to %s", href)
		}
		d := downloadAgreementFile(b, href)
		if d.Status != 200 || d.Type != "application/pdf" || d.Head != "%PDF-" || d.Size < 2000 {
			t.Errorf("%s: %+v", doc, d)
		}
	}

	// The report: nobody on 2023-03-08, the new one counted today.
	b.Click(`header nav a[href="/reports/agreements"]`)
	showReport(t, b, "2023-03-08")
	if n, m := kpi(t, b, "#signed-up"), kpi(t, b, "#in-force"); n != 0 || m != 0 {
		t.Errorf("report on 2023-03-08: %d signed up, %d in force, want 0 and 0", n, m)
	}
	wantText(t, b, "#signed-up", "08-03-2023")
	wantText(t, b, "#count-none", "300")
	var shapes int
	b.Eval(`document.querySelectorAll("figure.map svg path[data-nis]").length`, &shapes)
	if shapes != 300 {
		t.Errorf("the map on 2023-03-08 has %d municipalities, want 300", shapes)
	}
	b.Page("report-2023-03-08")
	showReport(t, b, iso)
	if n := kpi(t, b, "#signed-up"); n != signedUpBefore+1 {
		t.Errorf("report today: %d signed up, want %d + 1", n, signedUpBefore)
	}
	if n := kpi(t, b, "#in-force"); n != inForceBefore+1 {
		t.Errorf("report today: %d in force, want %d + 1", n, inForceBefore)
	}
	if got := attr(b, `figure.map svg path[data-nis="`+pick.NIS+`"]`, "data-status"); got != "active" {
		t.Errorf("the map shows %s as %q, want active", pick.NIS, got)
	}
	if got := attr(b, `main table.report-table a[href="/agreements/`+id+`"]`, "href"); got == "" {
		t.Errorf("the report table does not link %s to its agreement", pick.Name)
	}
	b.Eval(`document.querySelectorAll("figure.map svg path[data-nis]").length`, &shapes)
	if shapes != 285 {
		t.Errorf("the map today has %d municipalities, want 285", shapes)
	}
	b.Page("report-today")
	openAllDetails(b)
	b.CheckAxe("report-today-all-municipalities")
	// In English, and back to Dutch.
	b.Click(`header a[hreflang="en"]`)
	wantText(t, b, "h1", "Who signed up")
	wantText(t, b, "#in-force", "with an active cooperation agreement")
	b.Page("report-today-en")
	b.Click(`header a[hreflang="nl"]`)
	wantText(t, b, "h1", "Wie heeft zich aangemeld")

	// A date the report cannot show (typed in the URL): a Dutch error and
	// today's report, not a crash.
	b.Navigate(baseURL + "/reports/agreements?as_of=2018-06-01")
	if got := status(b); got != 400 {
		t.Errorf("report on 2018-06-01: status %d, want 400", got)
	}
	wantText(t, b, ".error-summary", "Kies een datum van 01-01-2019 tot")
	if got := attr(b, "#as_of", "aria-invalid"); got != "true" {
		t.Errorf("the date field is not marked invalid (aria-invalid=%q)", got)
	}
	b.Page("report-date-out-of-range")

	// The mergers of 2025, and the agreement of a merged municipality
	// that awaits a decision (Kortessem, into Hasselt).
	b.Click(`header nav a[href="/agreements"]`)
	b.Click(`main a[href="/mergers"]`)
	wantPath(t, b, "/mergers")
	wantText(t, b, "h1", "Fusies 2025")
	wantText(t, b, "main", "Hasselt")
	wantText(t, b, "main", "Kortessem")
	b.Page("mergers")
	b.Click(`main section:has(h2) a[href$="#merger"]`)
	wantText(t, b, "#merger", "Fusie van 1 januari 2025")
	wantText(t, b, "main dl.facts", "opgegaan in Hasselt (71072) op 01-01-2025")
	if got := value(b, "#carry-on"); got != "01-01-2025" {
		t.Errorf("the carry-over form proposes %q, want 01-01-2025", got)
	}
	b.Page("agreement-merged")

	// The public register, logged out.
	logout(t, b)
	b.Navigate(baseURL + "/register")
	wantPath(t, b, "/register")
	wantText(t, b, "h1", "Publiek register")
	var reg struct{ Status, Text string }
	b.Eval(`(() => { const tr = Array.from(document.querySelectorAll("main table tbody tr")).find(tr => tr.cells[0].textContent.trim() === `+js(pick.NIS)+`);
		return tr ? {Status: tr.dataset.status, Text: tr.innerText} : {Status: "", Text: ""}; })()`, &reg)
	if reg.Status != "active" || !strings.Contains(reg.Text, pick.Name) || !strings.Contains(reg.Text, "actief") || !strings.Contains(reg.Text, dutch) {
		t.Errorf("register row of %s: %+v", pick.NIS, reg)
	}
	for _, leak := range []string{"Vercruyssen", "Dubois", adminEmail} {
		if strings.Contains(b.Text("main"), leak) {
			t.Errorf("the public register shows %q", leak)
		}
	}
	if b.Exists(`header form[action="/logout"]`) {
		t.Error("the register shows a logged-in header")
	}
	b.Page("register")
	// The register on 2023-03-08: nobody.
	b.SetValue("#on", "2023-03-08")
	b.Click(`main form.filters button[type=submit]`)
	if n := kpi(t, b, "#register-signed-up"); n != 0 {
		t.Errorf("register on 2023-03-08: %d signed up", n)
	}
	b.Page("register-2023-03-08")
}
