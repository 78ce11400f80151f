package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
	"kansrijk/internal/webtest"
)

// TestGDPRBrowser walks Opgroeien's DPO through a family's request in
// headless Chromium — register it with the receipt code, a refused
// lookup, a rectification applied to the referral — and shows the record
// of processing activities; every page is checked with axe-core.
func TestGDPRBrowser(t *testing.T) {
	webtest.SkipShort(t)
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	webtest.Team(t, db, "team-noord", "Lokaal team Noord", "13016")
	webtest.ActiveAgreement(t, db, "team-noord", "13016", webtest.Steps{Draft: "2023-01-02", Approved: "2023-02-01", Signed: "2023-03-01", Active: "2023-04-01"})
	users := storetest.Users(t, db, "gdpr.test",
		storetest.U{Name: "dpo", Role: "dpo", Org: "opgroeien"},
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-noord"})
	users.Create(t, "dpo")
	worker := users.Actor(t, "worker")
	ref := webtest.Sent(t, db, worker, referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{{
		Name: "Zoë Verzoek", Street: "Dorpsstraat", Number: "4", Postcode: "2235", Phone: "+32 470 12 34 56"}}, Criteria: []string{"income"}})

	srv := webtest.Start(t, db, users)
	b := srv.SignIn("dpo")

	b.Navigate(srv.URL + "/verzoeken")
	if !b.Exists(`nav a[href="/verzoeken"]`) || !b.Exists(`nav a[href="/verwerkingsregister"]`) {
		t.Error("the DPO's menu lacks the requests or the record")
	}
	b.Page("gdpr-requests")

	// A lookup by name without the address is refused on the page.
	b.SetValue("#name", "Zoë Verzoek")
	b.Click("#new-request button[type=submit]")
	if got := b.Text(".error-summary"); !strings.Contains(got, "postcode") {
		t.Errorf("error summary %q", got)
	}
	b.Page("gdpr-requests-refused")

	// By the receipt code, as the family reads it out.
	b.Navigate(srv.URL + "/verzoeken")
	b.SetValue("#type", "rectification")
	b.SetValue("#receipt_code", strings.ToLower(strings.ReplaceAll(ref.ReceiptCode, "-", " ")))
	b.Click("#new-request button[type=submit]")
	if !strings.Contains(b.URL(), "ok=gdpr_created") {
		t.Fatalf("the form led to %s", b.URL())
	}
	if got := b.Text("#found"); !strings.Contains(got, "1 doorverwijzing") {
		t.Errorf("found %q", got)
	}
	b.Page("gdpr-request")

	// The rectification of the phone number, applied to the referral.
	b.SetValue("#object", "referral:"+strconv.FormatInt(ref.ID, 10))
	b.SetValue("#field", "phone")
	b.SetValue("#value", "+32 470 65 43 21")
	b.Click("#rectify button[type=submit]")
	if !strings.Contains(b.URL(), "ok=gdpr_rectified") {
		t.Fatalf("the rectification led to %s", b.URL())
	}
	if got := b.Text("#request-actions tbody"); !strings.Contains(got, "toegepast") {
		t.Errorf("actions %q", got)
	}
	b.Page("gdpr-request-rectified")
	got, err := db.Referral(ctx, worker, ref.ID)
	if err != nil || got.Parents[0].Phone != "+32 470 65 43 21" {
		t.Errorf("referral after rectification: %+v, %v", got.Parents, err)
	}

	b.Navigate(srv.URL + "/verwerkingsregister")
	if got := b.Text("#recipients"); !strings.Contains(got, "Hulshout") || !strings.Contains(got, "90") {
		t.Errorf("recipients %q", got)
	}
	b.Page("gdpr-record")
}
