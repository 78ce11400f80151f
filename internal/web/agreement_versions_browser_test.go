package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestAgreementVersionBrowser: in headless Chromium, a team lead changes
// an active agreement — only a proposal, the page says so; the OCMW's
// admin sees what changes and approves it after ticking the confirmation;
// the receipt of a family that consented before keeps the information
// text it was given.
func TestAgreementVersionBrowser(t *testing.T) {
	webtest.SkipShort(t)
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	sys := account.System("test")
	webtest.Team(t, db, "team-noord", "Lokaal team Noord", "13016")
	ag := webtest.ActiveAgreement(t, db, "team-noord", "13016", webtest.Steps{Draft: "2023-10-02", Approved: "2024-02-01", Signed: "2024-03-01", Active: "2024-04-01"})
	users := storetest.Users(t, db, "versies.test",
		storetest.U{Name: "lead", Role: "team_lead", Org: "team-noord"},
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-noord"},
		storetest.U{Name: "ocmw", Role: "ocmw_admin", Org: "ocmw-13016"})
	users.Create(t, "lead", "worker", "ocmw")
	// A family consents under version 1.
	worker := users.Actor(t, "worker")
	ref := webtest.Consented(t, db, worker, referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{{
		Name: "Fictieve Ouder", Street: "Teststraat", Number: "1", Postcode: "2235", Phone: "+32 470 00 00 00"}}})
	srv := webtest.Start(t, db, users)
	page := fmt.Sprintf("%s/agreements/%d", srv.URL, ag.ID)
	login := srv.SignIn
	const newText = "Een nieuwe informatietekst, pas na goedkeuring."

	lead := login("lead")
	lead.Navigate(page)
	if !lead.Exists("#needs-approval") {
		t.Fatal("the team lead is not told that a change needs the OCMW's approval")
	}
	lead.SetValue("#retention_days", "3650")
	lead.SetValue("#information_text", newText)
	lead.Click("form[action$='/versions'] button[type=submit]")
	lead.Page("proposed")
	if got := lead.Text("#parameters"); !strings.Contains(got, "versie 1") {
		t.Errorf("parameters heading after the proposal: %q", got)
	}
	if got := lead.Text("#proposal"); !strings.Contains(got, "Wacht op de goedkeuring") || !strings.Contains(got, "3650") {
		t.Errorf("proposal section for the lead: %q", got)
	}
	if lead.Exists("#approve-version") {
		t.Error("the team lead gets the approve button")
	}

	ocmw := login("ocmw")
	ocmw.Navigate(page)
	ocmw.Page("to-decide")
	if got := ocmw.Text("#proposal table"); !strings.Contains(got, "3650") || !strings.Contains(got, "90") || !strings.Contains(got, newText) {
		t.Errorf("changes shown to the OCMW: %q", got)
	}
	ocmw.Click("#approve-version button[type=submit]") // not confirmed: the browser keeps the form
	if v, _ := db.Agreement(ctx, sys, ag.ID); v.Version.Version != 1 {
		t.Fatalf("approved without confirmation: version %d in force", v.Version.Version)
	}
	ocmw.SetValue("#approve-note", "RMW 2025/12")
	ocmw.Click("#approve-confirm")
	ocmw.Click("#approve-version button[type=submit]")
	ocmw.Page("approved")
	if got := ocmw.Text("#parameters"); !strings.Contains(got, "versie 2") {
		t.Errorf("parameters heading after approval: %q", got)
	}
	if ocmw.Exists("#proposal") {
		t.Error("the proposal is still shown after approval")
	}

	// The family's receipt keeps the text of version 1.
	w := login("worker")
	w.Navigate(fmt.Sprintf("%s/referrals/%d/receipt", srv.URL, ref.ID))
	w.Page("receipt")
	body := w.Text("article.receipt")
	if strings.Contains(body, newText) || !strings.Contains(body, "Met uw toestemming geeft Lokaal team Noord") || !strings.Contains(body, "90 dagen") {
		t.Errorf("the receipt does not keep the text the family was given:\n%s", body)
	}
}
