package web_test

import (
	"context"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/browsertest"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestGDPRBrowser walks Opgroeien's DPO through a family's request in
// headless Chromium — register it with the receipt code, a refused
// lookup, a rectification applied to the referral — and shows the record
// of processing activities; every page is checked with axe-core.
func TestGDPRBrowser(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("browser test: skipped with -short")
	}
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	sys := account.System("test")
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016"},
		From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	ag, err := db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13016", Status: "draft", EffectiveOn: "2023-01-02"})
	if err != nil {
		t.Fatal(err)
	}
	sigs := []agreement.Signature{{Function: "administrator_general", Name: "A. Generaal", SignedOn: "2023-03-01"},
		{Function: "council_chair", Name: "V. Oorzitter", SignedOn: "2023-03-01"}, {Function: "general_director", Name: "D. Irecteur", SignedOn: "2023-03-01"}}
	for _, ev := range []agreement.NewEvent{
		{Status: string(agreement.Approved), EffectiveOn: "2023-02-01", CouncilReference: "RMW/2023/17", CouncilDecisionOn: "2023-02-01"},
		{Status: string(agreement.Signed), EffectiveOn: "2023-03-01", Signatures: sigs},
		{Status: string(agreement.Active), EffectiveOn: "2023-04-01"},
	} {
		if _, err := db.AddEvent(ctx, sys, ag.ID, ev); err != nil {
			t.Fatal(err)
		}
	}
	users := storetest.Users(t, db, "gdpr.test",
		storetest.U{Name: "dpo", Role: "dpo", Org: "opgroeien"},
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-noord"})
	users.Create(t, "dpo")
	worker := users.Actor(t, "worker")
	ref, err := db.CreateReferral(ctx, worker, referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{{
		Name: "Zoë Verzoek", Street: "Dorpsstraat", Number: "4", Postcode: "2235", Phone: "+32 470 12 34 56"}}, Criteria: []string{"income"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddConsent(ctx, worker, ref.ID, referral.NewConsent{Informed: []string{"data", "recipient", "purpose", "processing", "expectations"}, Method: "verbal"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Send(ctx, worker, ref.ID); err != nil {
		t.Fatal(err)
	}

	s, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	b := browsertest.New(t)
	b.Navigate(srv.URL + "/login")
	b.SetValue("#email", "dpo@gdpr.test")
	b.SetValue("#password", storetest.Password)
	b.Click("main form button[type=submit]")

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
