package store_test

import (
	"context"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var (
	teamWorker  = account.Actor{UserID: 11, Email: "worker@noord.test", Role: account.TeamWorker, Org: "team-noord", OrgKind: account.KindTeam}
	otherWorker = account.Actor{UserID: 12, Email: "worker@zuid.test", Role: account.TeamWorker, Org: "team-zuid", OrgKind: account.KindTeam}
	ocmwWorker  = account.Actor{UserID: 13, Email: "sw@hulshout.test", Role: account.OCMWWorker, Org: "ocmw-13016", OrgKind: account.KindOCMW}
	otherOCMW   = account.Actor{UserID: 14, Email: "sw@borsbeek.test", Role: account.OCMWWorker, Org: "ocmw-11007", OrgKind: account.KindOCMW}
)

func activeAgreement(t *testing.T, db *store.DB, team, nis string) agreement.Agreement {
	t.Helper()
	ctx := context.Background()
	ag := mustCreate(t, db, admin, team, nis, "draft", "2023-01-02")
	for _, s := range []agreement.NewEvent{step(agreement.Approved, "2023-02-01"), step(agreement.Signed, "2023-03-01"), step(agreement.Active, "2023-04-01")} {
		if _, err := db.AddEvent(ctx, admin, ag.ID, s); err != nil {
			t.Fatal(err)
		}
	}
	return ag
}

func newFamily() referral.NewReferral {
	return referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{{
		Name: "Fictieve Ouder", Street: "Teststraat", Number: "1", Postcode: "2235", Phone: "+32 470 00 00 00", Email: "ouder@example.org",
	}}, Criteria: []string{"income", "housing"}, Needs: []string{"income_support"}}
}

var allInformed = []string{"data", "recipient", "purpose", "processing", "expectations"}

func TestReferralFlow(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		r, err := db.CreateReferral(ctx, teamWorker, newFamily())
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != referral.Draft || len(r.Criteria) != 2 || r.Recipient != "ocmw-13016" || r.ReceiptCode == "" {
			t.Fatalf("created = %+v", r)
		}
		// No consent: not sent.
		if _, err := db.Send(ctx, teamWorker, r.ID); apperr.Code(err) != store.CodeConsentMissing {
			t.Fatalf("send without consent: %v", err)
		}
		// Incomplete information: refused.
		if _, err := db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Informed: allInformed[:4], Method: "verbal"}); apperr.Code(err) != apperr.Invalid {
			t.Fatalf("consent with four items: %v", err)
		}
		if _, err := db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Informed: allInformed, Method: "verbal"}); err != nil {
			t.Fatal(err)
		}
		// No agreement: not sent, counted once as missed.
		for i := 0; i < 2; i++ {
			if _, err := db.Send(ctx, teamWorker, r.ID); apperr.Code(err) != store.CodeNoAgreementInForce {
				t.Fatalf("send without agreement: %v", err)
			}
		}
		missed, _ := db.MissedReferrals(ctx, "2000-01", "2999-12")
		if len(missed) != 1 || missed[0].Count != 1 || missed[0].MunicipalityNIS != "13016" {
			t.Fatalf("missed = %+v", missed)
		}
		activeAgreement(t, db, "team-noord", "13016")
		sent, err := db.Send(ctx, teamWorker, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sent.Status != referral.Sent || sent.AgreementID == 0 || sent.SentAt == nil {
			t.Fatalf("sent = %+v", sent)
		}
		// Another team and another OCMW: not found, and audited as denied.
		for _, a := range []account.Actor{otherWorker, otherOCMW, admin} {
			if _, err := db.Referral(ctx, a, r.ID); apperr.Code(err) != apperr.NotFound {
				t.Errorf("%s/%s reads the referral: %v", a.Role, a.Org, err)
			}
		}
		// The right OCMW: inbox, then reading it marks it received; no assessment.
		inbox, err := db.Inbox(ctx, ocmwWorker)
		if err != nil || len(inbox) != 1 || inbox[0].ReceiptCode != "" {
			t.Fatalf("inbox = %+v, %v", inbox, err)
		}
		got, err := db.Referral(ctx, ocmwWorker, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != referral.Received || got.Criteria != nil || got.Needs != nil || got.Consents != nil || got.Parents[0].Name != "Fictieve Ouder" {
			t.Fatalf("OCMW view = %+v", got)
		}
		// Optimistic concurrency: a stale version is refused.
		if _, err := db.AddContactAttempt(ctx, ocmwWorker, r.ID, referral.NewContactAttempt{Channel: "phone", Version: got.Version - 1}); apperr.Code(err) != store.CodeConcurrentUpdate {
			t.Fatalf("stale version: %v", err)
		}
		got, err = db.AddContactAttempt(ctx, ocmwWorker, r.ID, referral.NewContactAttempt{Channel: "phone", Reached: true, Version: got.Version})
		if err != nil || got.Status != referral.Reached || got.FirstContactAt == nil {
			t.Fatalf("attempt: %+v %v", got, err)
		}
		if _, err := db.SetOutcome(ctx, ocmwWorker, r.ID, referral.NewOutcome{Outcome: "rights_opened", Version: got.Version}); apperr.Code(err) != apperr.Invalid {
			t.Fatalf("rights opened without rights: %v", err)
		}
		got, err = db.SetOutcome(ctx, ocmwWorker, r.ID, referral.NewOutcome{Outcome: "rights_opened", Rights: []string{"verhoogde_tegemoetkoming", "groeipakket_social"}, Version: got.Version})
		if err != nil || got.Status != referral.Closed {
			t.Fatalf("outcome: %+v %v", got, err)
		}
		// Withdrawal after closing without a social file deletes the contact data.
		w, err := db.Withdraw(ctx, teamWorker, r.ID)
		if err != nil || w.Status != referral.Withdrawn || len(w.Parents) != 0 || w.DataDeletedAt == nil {
			t.Fatalf("withdraw: %+v %v", w, err)
		}
		rs, err := db.ReceiptStatus(ctx, r.ReceiptCode)
		if err != nil || rs.DataDeletedAt == nil || rs.Status != referral.Withdrawn {
			t.Fatalf("receipt = %+v %v", rs, err)
		}
	})
}

func TestReferralRefusalAndOutsideArea(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		r, err := db.CreateReferral(ctx, teamWorker, newFamily())
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Refused: true})
		if err != nil || got.Status != referral.Cancelled || len(got.Parents) != 0 || got.DataDeletedAt == nil {
			t.Fatalf("refusal: %+v %v", got, err)
		}
		in := newFamily()
		in.MunicipalityNIS, in.Parents[0].MunicipalityNIS, in.Parents[0].Postcode = "71072", "71072", "3500"
		if _, err := db.CreateReferral(ctx, teamWorker, in); apperr.Code(err) != store.CodeOutsideTeamArea {
			t.Fatalf("outside area: %v", err)
		}
		bad := newFamily()
		bad.Parents[0].Phone, bad.Parents[0].Email = "", ""
		if _, err := db.CreateReferral(ctx, teamWorker, bad); apperr.Code(err) != apperr.Invalid {
			t.Fatalf("no contact: %v", err)
		}
		if _, err := db.CreateReferral(ctx, ocmwWorker, newFamily()); apperr.Code(err) != apperr.Forbidden {
			t.Fatalf("OCMW creates: %v", err)
		}
	})
}
