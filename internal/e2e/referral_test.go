package e2e

import (
	"strings"
	"testing"

	"kansrijk/internal/browsertest"
	"kansrijk/internal/demo"
)

// kgOnlyTexts are the Dutch labels of Kind en Gezin's own assessment (the
// six criteria and the needs): they must never appear on an OCMW page.
var kgOnlyTexts = []string{
	"Alleen voor Kind en Gezin", "Kansarmoedecriteria", "Noden waarop",
	"Beschikbaar maandinkomen", "Opleiding van de ouders", "Arbeidssituatie van de ouders", "Stimulatieniveau van het kind",
	"Huisvesting", "Gezondheid van kind of ouders",
	"Inkomensondersteuning", "Ziekteverzekering en zorgkosten", "Gezinsbijslag en toeslagen", "Energie- en waterfacturen",
	"Woonvragen", "Schulden", "Opvang voor de kinderen", "Andere ondersteuningsvraag",
}

// fetched is what fetch() in the page tells about a download.
type fetched struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Head   string `json:"head"`
	Size   int    `json:"size"`
}

// fetchFile downloads path with the page's session, as a link does.
func fetchFile(b *browsertest.Browser, path string) fetched {
	var f fetched
	b.Eval(`fetch(`+js(path)+`).then(async r => { const buf = new Uint8Array(await r.arrayBuffer());
		return {status: r.status, type: r.headers.get("content-type") || "", head: String.fromCharCode(...buf.slice(0, 5)), size: buf.length}; })`, &f)
	return f
}

// referralID returns the id in a path /referrals/{id} or /inbox/{id}.
func referralID(t *testing.T, b *browsertest.Browser) string {
	t.Helper()
	p := path(t, b)
	p, _, _ = strings.Cut(p, "?")
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) < 2 {
		t.Fatalf("no referral id in %s", p)
	}
	return parts[1]
}

// TestReferralFlow walks a referral through the forms: a team worker
// creates it for a family in Hulshout, records consent, prints the receipt
// and sends it; the OCMW worker of Hulshout handles it; the OCMW worker of
// Turnhout cannot see it; the team sees the status; the family checks its
// receipt code.
func TestReferralFlow(t *testing.T) {
	t.Parallel()
	b := start(t)
	const (
		teamWorker = "teamworker@demo.kansrijk.test"
		ocmwWorker = "ocmw@demo.kansrijk.test"
		otherOCMW  = "ocmw2@demo.kansrijk.test"
		parent     = "E2E Ouder Peeters"
	)

	// The team worker: the list, then a new referral through the postcode.
	login(t, b, teamWorker, demo.Password)
	wantPath(t, b, "/")
	b.Click(`header nav a[href="/referrals"]`)
	wantPath(t, b, "/referrals")
	if got := attr(b, `header nav a[href="/referrals"]`, "aria-current"); got != "page" {
		t.Errorf("the navigation does not mark the referrals page as current (aria-current=%q)", got)
	}
	wantText(t, b, "header nav", "Doorverwijzingen")
	wantText(t, b, "main table caption", "Doorverwijzingen op deze pagina:")
	b.Page("referrals")

	b.Click(`main a.button[href="/referrals/new"]`)
	wantPath(t, b, "/referrals/new")
	b.Page("referral-new-postcode")
	b.SetValue("#postcode", "2235")
	b.Click(submit)
	wantPath(t, b, "/referrals/new?postcode=2235")
	wantText(t, b, "main fieldset", "Hulshout")
	var checked bool
	b.Eval(`document.querySelector("#m-13016").checked`, &checked)
	if !checked {
		t.Error("the only municipality of postcode 2235 is not preselected")
	}
	b.Page("referral-new-choose")
	b.Click(`#m-13016`)
	b.Click(submit)
	wantPath(t, b, "/referrals/new?postcode=2235&municipality_nis=13016")
	wantText(t, b, "#gate", "samenwerkingsovereenkomst van kracht met OCMW Hulshout")
	wantText(t, b, "main .kg-only legend", "Alleen voor Kind en Gezin")
	if got := value(b, "#p0-postcode"); got != "2235" {
		t.Errorf("parent's postcode = %q, want the chosen 2235", got)
	}
	b.Page("referral-new-form")

	// Without a way to reach the parent: a Dutch error, the input kept.
	b.SetValue("#p0-name", parent)
	b.SetValue("#p0-street", "Kerkstraat")
	b.SetValue("#p0-number", "12")
	b.Click("#crit-income")
	b.Click("#crit-housing")
	b.Click("#need-debt")
	b.Click(`main form.referral-form button[type=submit]`)
	wantPath(t, b, "/referrals")
	if got := status(b); got != 400 {
		t.Errorf("referral without phone or e-mail: status %d, want 400", got)
	}
	wantText(t, b, ".error-summary", "Geef minstens een telefoonnummer of een e-mailadres")
	if got := attr(b, "#p0-phone", "aria-invalid"); got != "true" {
		t.Errorf("the phone field is not marked invalid (aria-invalid=%q)", got)
	}
	if got := value(b, "#p0-name"); got != parent {
		t.Errorf("form after the error: name %q", got)
	}
	b.Eval(`document.querySelector("#crit-housing").checked`, &checked)
	if !checked {
		t.Error("form after the error: a criterion is no longer ticked")
	}
	b.Page("referral-new-error")
	b.SetValue("#p0-phone", "+32 470 12 34 56")
	b.SetValue("#p0-email", "e2e.ouder@example.org")
	b.Click(`main form.referral-form button[type=submit]`)
	id := referralID(t, b)
	wantPath(t, b, "/referrals/"+id+"?ok=referral_created")
	wantText(t, b, "main .flash", "De doorverwijzing is aangemaakt.")
	wantText(t, b, "main .lead", "ontwerp")
	wantText(t, b, "section.kg-only", "Beschikbaar maandinkomen")
	wantText(t, b, "section.kg-only", "Schulden")
	wantText(t, b, "#gate", "samenwerkingsovereenkomst van kracht")
	code := strings.TrimSpace(b.Text("main code.receipt-code"))
	if !strings.HasPrefix(code, "KR-") {
		t.Fatalf("receipt code %q", code)
	}
	b.Page("referral-draft")

	// Sending before consent names the parent.
	b.Click(`form[action="/referrals/` + id + `/send"] button`)
	wantPath(t, b, "/referrals/"+id+"/send")
	if got := status(b); got != 409 {
		t.Errorf("send without consent: status %d, want 409", got)
	}
	wantText(t, b, ".error-summary", "ouder 1 ("+parent+") gaf nog geen toestemming")
	b.Page("referral-send-no-consent")

	// Consent: the five information items, how, and that it was voluntary.
	for _, item := range []string{"data", "recipient", "purpose", "processing", "expectations"} {
		b.Click("#c0-" + item)
	}
	wantText(t, b, "#consent-0", "OCMW Hulshout")
	b.Click("#c0-m-verbal")
	b.Click("#c0-voluntary")
	b.Click(`#consent-0 button[type=submit]`)
	wantPath(t, b, "/referrals/"+id+"?ok=consent_recorded")
	wantText(t, b, "main .flash", "De toestemming is vastgelegd.")
	wantText(t, b, "#parents", "Ouders")
	wantText(t, b, "main .parent-card", "mondeling")
	b.Page("referral-consented")

	// The receipt: a printable page and the PDF in three languages.
	b.Click(`main a[href="/referrals/` + id + `/receipt"]`)
	wantPath(t, b, "/referrals/"+id+"/receipt")
	wantText(t, b, "#receipt-code", code)
	wantText(t, b, "article.receipt", parent)
	wantText(t, b, "article.receipt", "OCMW Hulshout")
	wantText(t, b, "article.receipt", "90 dagen")
	wantText(t, b, "article.receipt", "Hoe trekt u uw toestemming in?")
	wantText(t, b, "article.receipt", "/ontvangstbewijs")
	if strings.Contains(b.Text("article.receipt"), "Beschikbaar maandinkomen") {
		t.Error("the receipt shows Kind en Gezin's assessment")
	}
	// Printed, the page shows the receipt only: the print style sheet
	// hides the header, the navigation and the links back.
	var printHides []string
	b.Eval(`Array.from(document.styleSheets).flatMap(s => Array.from(s.cssRules))
		.filter(r => r.media && r.media.mediaText === "print")
		.flatMap(r => Array.from(r.cssRules)).filter(r => r.style && r.style.display === "none")
		.flatMap(r => r.selectorText.split(",").map(s => s.trim()))
		.filter(sel => document.querySelector(sel) !== null)`, &printHides)
	for _, want := range []string{"body:has(article.receipt) .top", ".no-print"} {
		found := false
		for _, s := range printHides {
			found = found || s == want
		}
		if !found {
			t.Errorf("print style sheet does not hide %q (hides %v)", want, printHides)
		}
	}
	b.Page("receipt")
	for _, lang := range []string{"nl", "fr", "en"} {
		f := fetchFile(b, "/referrals/"+id+"/receipt.pdf?lang="+lang)
		if f.Status != 200 || f.Type != "application/pdf" || f.Head != "%PDF-" || f.Size < 10000 {
			t.Errorf("receipt PDF (%s): %+v, want 200 application/pdf", lang, f)
		}
	}
	if f := fetchFile(b, "/referrals/"+id+"/receipt.pdf?lang=de"); f.Status != 400 {
		t.Errorf("receipt PDF in German: status %d, want 400", f.Status)
	}

	// Send.
	b.Navigate(baseURL + "/referrals/" + id)
	b.Click(`form[action="/referrals/` + id + `/send"] button`)
	wantPath(t, b, "/referrals/"+id+"?ok=referral_sent")
	wantText(t, b, "main .lead", "verstuurd")
	if b.Exists(`form[action="/referrals/` + id + `/send"]`) {
		t.Error("a sent referral still has the send button")
	}
	b.Page("referral-sent")

	// A family in Turnhout, whose OCMW has no agreement: the worker is
	// warned before asking for consent, and sending is refused with the
	// reason and the local government to talk to.
	b.Navigate(baseURL + "/referrals/new?postcode=2300&municipality_nis=13040")
	wantText(t, b, "#gate", "Vraag het gezin nog geen toestemming")
	wantText(t, b, "#gate", "lokaal bestuur van Turnhout")
	b.Page("referral-new-no-agreement")
	b.SetValue("#p0-name", "E2E Ouder Turnhout")
	b.SetValue("#p0-street", "Grote Markt")
	b.SetValue("#p0-number", "1")
	b.SetValue("#p0-email", "e2e.turnhout@example.org")
	b.Click(`main form.referral-form button[type=submit]`)
	other := referralID(t, b)
	wantText(t, b, "#gate", "Vraag het gezin nog geen toestemming")
	for _, item := range []string{"data", "recipient", "purpose", "processing", "expectations"} {
		b.Click("#c0-" + item)
	}
	b.Click("#c0-m-signed")
	b.Click("#c0-voluntary")
	b.Click(`#consent-0 button[type=submit]`)
	b.Click(`form[action="/referrals/` + other + `/send"] button`)
	if got := status(b); got != 409 {
		t.Errorf("send without agreement: status %d, want 409", got)
	}
	wantText(t, b, ".error-summary", "geen samenwerkingsovereenkomst van kracht met het OCMW van Turnhout")
	wantText(t, b, ".error-summary", "lokaal bestuur van Turnhout")
	b.Page("referral-send-no-agreement")
	// The family is told; the worker withdraws the draft.
	b.Click("#confirm-withdrawal")
	b.Click(`form[action="/referrals/` + other + `/withdraw"] button`)
	wantPath(t, b, "/referrals/"+other+"?ok=referral_withdrawn")
	wantText(t, b, "main .lead", "geannuleerd")
	if strings.Contains(b.Text("main"), "E2E Ouder Turnhout") {
		t.Error("the cancelled referral still shows the parent's name")
	}
	b.Page("referral-cancelled")
	logout(t, b)

	// The OCMW worker of Hulshout: the inbox, with the family's name and
	// the team that referred (each page audited as a read of names).
	login(t, b, ocmwWorker, demo.Password)
	b.Click(`header nav a[href="/inbox"]`)
	wantPath(t, b, "/inbox")
	if !b.Exists("#row-" + id) {
		t.Fatalf("referral %s is not in the inbox of OCMW Hulshout", id)
	}
	wantText(t, b, "#row-"+id, "verstuurd")
	wantText(t, b, "#row-"+id, "0 dagen sinds verzending / doel 14 dagen")
	wantText(t, b, "#row-"+id, parent)
	if main := b.Text("main"); strings.Contains(main, "Kerkstraat") || strings.Contains(main, "e2e.ouder@example.org") {
		t.Error("the inbox list shows the family's address or contact details")
	}
	if !b.Exists("main tr.overdue .late") {
		t.Error("no overdue referral flagged in the demo inbox")
	}
	b.Page("inbox")

	// One referral: the parents' name and contact details, and when it was
	// sent; nothing of Kind en Gezin's assessment, no receipt code.
	b.Click(`main a[href="/inbox/` + id + `"]`)
	wantPath(t, b, "/inbox/"+id)
	wantText(t, b, "main", parent)
	wantText(t, b, "main", "Kerkstraat 12, 2235 Hulshout")
	wantText(t, b, "main", "0470 12 34 56") // as people write it (stored as +32470123456)
	wantText(t, b, "main", "e2e.ouder@example.org")
	wantText(t, b, "main .lead", "ontvangen")
	html := b.HTML()
	for _, bad := range append([]string{code, "receipt", "criteria", "needs", "income_support"}, kgOnlyTexts...) {
		if strings.Contains(html, bad) {
			t.Errorf("the OCMW's referral page contains %q", bad)
		}
	}
	b.Page("inbox-referral")

	// A contact attempt.
	b.Click("#ch-phone")
	b.Click("#reached-no")
	b.Click(`#attempt-form button[type=submit]`)
	wantPath(t, b, "/inbox/"+id+"?ok=contact_attempt_recorded")
	wantText(t, b, "main .flash", "De contactpoging is vastgelegd.")
	wantText(t, b, "main table", "Telefoon")
	wantText(t, b, "main .lead", "contact geprobeerd")
	b.Page("inbox-attempt")

	// A colleague's change in between: the outcome form of an older
	// version is refused with a clear message and the current state.
	b.SetValue(`#outcome-form input[name="version"]`, "1")
	b.Click("#out-rights_opened")
	b.Click("#right-verhoogde_tegemoetkoming")
	b.Click(`#outcome-form button[type=submit]`)
	// Closing the case asks for confirmation first.
	wantText(t, b, "main h1", "Zaak afsluiten?")
	b.Click("#confirm-close")
	if got := status(b); got != 409 {
		t.Errorf("outcome on an old version: status %d, want 409", got)
	}
	wantText(t, b, ".error-summary", "Een collega heeft deze doorverwijzing intussen gewijzigd")
	wantText(t, b, "main .lead", "contact geprobeerd")
	b.Page("inbox-conflict")

	// The outcome.
	b.Click("#out-rights_opened")
	b.Eval(`document.querySelector("#right-verhoogde_tegemoetkoming").checked`, &checked)
	if !checked {
		b.Click("#right-verhoogde_tegemoetkoming")
	}
	b.Click("#right-groeipakket_social")
	b.Click(`#outcome-form button[type=submit]`)
	wantText(t, b, "main", "Groeipakket: sociale toeslag")
	b.Page("inbox-close-confirm")
	b.Click("#confirm-close")
	wantPath(t, b, "/inbox/"+id+"?ok=outcome_recorded")
	wantText(t, b, "main .lead", "afgesloten")
	wantText(t, b, "main", "Groeipakket: sociale toeslag")
	if b.Exists("#outcome-form") {
		t.Error("a closed referral still has the outcome form")
	}
	b.Page("inbox-closed")
	logout(t, b)

	// The OCMW worker of Turnhout sees nothing of Hulshout's referrals.
	login(t, b, otherOCMW, demo.Password)
	b.Click(`header nav a[href="/inbox"]`)
	wantPath(t, b, "/inbox")
	if b.Exists("#row-" + id) {
		t.Errorf("referral %s is in the inbox of OCMW Turnhout", id)
	}
	wantText(t, b, "main table", "Geen open doorverwijzingen.")
	b.Page("inbox-other-ocmw")
	b.Navigate(baseURL + "/inbox/" + id)
	if got := status(b); got != 404 {
		t.Errorf("other OCMW on /inbox/%s: status %d, want 404", id, got)
	}
	if strings.Contains(b.HTML(), parent) {
		t.Error("the other OCMW sees the parent's name")
	}
	wantText(t, b, "main .error-message", "Dit bestaat niet, of u hebt er geen toegang toe.")
	b.Page("inbox-other-ocmw-404")
	logout(t, b)

	// The team worker sees the status and the outcome category, never the
	// OCMW's contact attempts or the rights opened.
	login(t, b, teamWorker, demo.Password)
	b.Navigate(baseURL + "/referrals")
	wantText(t, b, "main table", "afgesloten — rechten of steun geopend")
	b.Page("referrals-after")
	b.Click(`main a[href="/referrals/` + id + `"]`)
	wantText(t, b, "main .lead", "afgesloten — rechten of steun geopend")
	if main := b.Text("main"); strings.Contains(main, "Contactpogingen") || strings.Contains(main, "Telefoon\n") ||
		strings.Contains(main, "Groeipakket: sociale toeslag") || strings.Contains(main, "Verhoogde tegemoetkoming") {
		t.Error("the team sees the OCMW's follow-up")
	}
	b.Page("referral-closed")
	logout(t, b)

	// The family checks its receipt code: dates, no personal data.
	b.Navigate(baseURL + "/ontvangstbewijs")
	b.Page("receipt-status-form")
	b.SetValue("#code", strings.ToLower(code))
	b.Click(submit)
	wantText(t, b, "#receipt-result", "Verstuurd op")
	wantText(t, b, "#receipt-result", "OCMW Hulshout")
	wantText(t, b, "#deleted-on", "nog niet gewist")
	if strings.Contains(b.HTML(), parent) || strings.Contains(b.HTML(), "Kerkstraat") {
		t.Error("the public receipt page shows personal data")
	}
	b.Page("receipt-status")
	b.SetValue("#code", "KR-AAAA-BBBB-CCCC")
	b.Click(submit)
	if got := status(b); got != 404 {
		t.Errorf("unknown receipt code: status %d, want 404", got)
	}
	wantText(t, b, ".error-summary", "Deze code kennen we niet.")
	b.Page("receipt-status-unknown")
}
