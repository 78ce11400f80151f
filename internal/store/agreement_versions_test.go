package store_test

import (
	"context"
	"slices"
	"testing"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var (
	versionLead = account.Actor{UserID: 21, Email: "lead@noord.test", Role: account.TeamLead, Org: "team-noord", OrgKind: account.KindTeam}
	ocmwAdmin   = account.Actor{UserID: 22, Email: "admin@hulshout.test", Role: account.OCMWAdmin, Org: "ocmw-13016", OrgKind: account.KindOCMW}
	otherOCMWAd = account.Actor{UserID: 23, Email: "admin@borsbeek.test", Role: account.OCMWAdmin, Org: "ocmw-11007", OrgKind: account.KindOCMW}
)

func intp(n int) *int       { return &n }
func strp(s string) *string { return &s }
func boolp(b bool) *bool    { return &b }
func auditActions(t *testing.T, db *store.DB, id int64) []string {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), auditFilter("agreement", id))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		if e.Outcome == audit.Denied {
			out = append(out, e.Action+" denied")
		} else {
			out = append(out, e.Action)
		}
	}
	slices.Reverse(out) // oldest first
	return out
}

// A team lead alone changes a draft, but a change to an agreement in
// force is only a proposal until the OCMW's admin approves it; until then
// the gate, the referral flow and the register use the version in force.
func TestAgreementVersionApproval(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		ag := mustCreate(t, db, admin, "team-noord", "13016", "draft", "2023-01-02")
		v, err := db.UpdateVersion(ctx, versionLead, ag.ID, agreement.VersionUpdate{RetentionDays: intp(120)})
		if err != nil || v.State != agreement.VersionApplied || v.Version != 2 {
			t.Fatalf("draft change = %+v, %v; want applied version 2", v, err)
		}
		for _, s := range []agreement.NewEvent{step(agreement.Approved, "2023-02-01"), step(agreement.Signed, "2023-03-01"), step(agreement.Active, "2023-04-01")} {
			if _, err := db.AddEvent(ctx, admin, ag.ID, s); err != nil {
				t.Fatal(err)
			}
		}
		// The lead proposes ten years' retention, no status feedback and a new text.
		p, err := db.UpdateVersion(ctx, versionLead, ag.ID, agreement.VersionUpdate{RetentionDays: intp(3650), StatusFeedback: boolp(false), InformationText: strp("Nieuwe tekst")})
		if err != nil || p.State != agreement.VersionProposed || p.Version != 3 || p.BasedOn != 2 || p.RetentionDays != 3650 {
			t.Fatalf("proposal = %+v, %v", p, err)
		}
		inForce := func(want int) {
			t.Helper()
			got, err := db.Agreement(ctx, admin, ag.ID)
			if err != nil || got.Version.Version != want {
				t.Fatalf("version in force = %+v, %v; want %d", got.Version, err, want)
			}
			dec, err := db.Gate(ctx, "team-noord", "13016", d("2023-05-01"))
			if err != nil || !dec.Allowed || dec.Agreement.Version.Version != want {
				t.Fatalf("gate version = %+v, %v; want %d", dec, err, want)
			}
			reg, err := db.PublicRegister(ctx, d("2023-05-01"))
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(reg, func(r agreement.RegisterRow) bool { return r.NIS == "13016" })
			if reg[i].Version != want {
				t.Fatalf("register version = %d, want %d", reg[i].Version, want)
			}
		}
		inForce(2)
		if got, _ := db.Agreement(ctx, versionLead, ag.ID); got.Proposed == nil || got.Proposed.Version != 3 || got.Version.RetentionDays != 120 {
			t.Fatalf("agreement = version %+v, proposed %+v", got.Version, got.Proposed)
		}
		// A referral sent now goes under version 2.
		r, err := db.CreateReferral(ctx, teamWorker, newFamily())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Informed: allInformed, Method: "verbal"}); err != nil {
			t.Fatal(err)
		}
		sent, err := db.Send(ctx, teamWorker, r.ID)
		if err != nil || sent.AgreementVersion != 2 || sent.StatusFeedback != true {
			t.Fatalf("sent = version %d feedback %t, %v", sent.AgreementVersion, sent.StatusFeedback, err)
		}
		// Only the admin of this OCMW decides.
		worker := account.Actor{UserID: 24, Email: "sw@hulshout.test", Role: account.OCMWWorker, Org: "ocmw-13016", OrgKind: account.KindOCMW}
		for _, a := range []account.Actor{versionLead, admin, worker} {
			if _, err := db.ApproveVersion(ctx, a, ag.ID, 3, ""); apperr.Code(err) != apperr.Forbidden {
				t.Errorf("%s/%s approves: %v", a.Role, a.Org, err)
			}
		}
		if _, err := db.ApproveVersion(ctx, otherOCMWAd, ag.ID, 3, ""); apperr.Code(err) != apperr.NotFound {
			t.Errorf("another OCMW's admin approves: %v", err)
		}
		inForce(2)
		// Rejected: version 2 stays; a rejected version cannot be approved.
		rej, err := db.RejectVersion(ctx, ocmwAdmin, ag.ID, 3, "tien jaar is te lang")
		if err != nil || rej.State != agreement.VersionRejected || rej.DecidedBy != ocmwAdmin.Email || rej.DecisionNote != "tien jaar is te lang" {
			t.Fatalf("reject = %+v, %v", rej, err)
		}
		if _, err := db.ApproveVersion(ctx, ocmwAdmin, ag.ID, 3, ""); apperr.Code(err) != apperr.InvalidState {
			t.Errorf("approve a rejected version: %v", err)
		}
		inForce(2)
		// A new proposal replaces the one still waiting.
		if _, err := db.UpdateVersion(ctx, versionLead, ag.ID, agreement.VersionUpdate{RetentionDays: intp(180)}); err != nil {
			t.Fatal(err)
		}
		p5, err := db.UpdateVersion(ctx, admin, ag.ID, agreement.VersionUpdate{FirstContactDays: intp(10)})
		if err != nil || p5.Version != 5 || p5.RetentionDays != 180 || p5.FirstContactDays != 10 {
			t.Fatalf("second proposal = %+v, %v", p5, err)
		}
		if v4, _ := db.AgreementVersion(ctx, admin, ag.ID, 4); v4.State != agreement.VersionSuperseded {
			t.Errorf("version 4 = %s, want superseded", v4.State)
		}
		inForce(2)
		ok, err := db.ApproveVersion(ctx, ocmwAdmin, ag.ID, 5, "akkoord RMW 2023/44")
		if err != nil || ok.State != agreement.VersionApplied || ok.DecidedAt == nil {
			t.Fatalf("approve = %+v, %v", ok, err)
		}
		inForce(5)
		want := []string{"agreement.create", "agreement.version", "agreement.event", "agreement.event", "agreement.event",
			"agreement.version.propose", // then refused: three roles without the right, another OCMW
			"agreement.version.approve denied", "agreement.version.approve denied", "agreement.version.approve denied", "agreement.access_denied denied",
			"agreement.version.reject", "agreement.version.propose", "agreement.version.propose", "agreement.version.approve"}
		if got := auditActions(t, db, ag.ID); !slices.Equal(got, want) {
			t.Errorf("audit = %v\nwant    %v", got, want)
		}
	})
}

// A family's consent keeps the version whose information text it was
// given: a version approved later changes neither the consent nor the
// text that version holds.
func TestConsentKeepsAgreementVersion(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		ag := activeAgreement(t, db, "team-noord", "13016")
		r, err := db.CreateReferral(ctx, teamWorker, newFamily())
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Informed: allInformed, Method: "signed"})
		if err != nil {
			t.Fatal(err)
		}
		c := got.Consents[0]
		if c.AgreementID != ag.ID || c.AgreementVersion != 1 {
			t.Fatalf("consent = %+v, want agreement %d version 1", c, ag.ID)
		}
		if _, err := db.UpdateVersion(ctx, admin, ag.ID, agreement.VersionUpdate{InformationText: strp("Een latere tekst"), RetentionDays: intp(3650)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApproveVersion(ctx, ocmwAdmin, ag.ID, 2, ""); err != nil {
			t.Fatal(err)
		}
		again, err := db.Referral(ctx, teamWorker, r.ID)
		if err != nil || again.Consents[0].AgreementVersion != 1 {
			t.Fatalf("consent after approval = %+v, %v", again.Consents, err)
		}
		v, err := db.AgreementVersion(ctx, teamWorker, ag.ID, 1)
		if err != nil || v.InformationText != store.DefaultInformationText("Lokaal team Noord", "Hulshout") || v.RetentionDays != 90 {
			t.Fatalf("version 1 = %+v, %v", v, err)
		}
		if _, err := db.AgreementVersion(ctx, otherWorker, ag.ID, 1); apperr.Code(err) != apperr.NotFound {
			t.Errorf("another team reads the version: %v", err)
		}
	})
}
