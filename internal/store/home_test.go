package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/birth"
	"kansrijk/internal/gdpr"
	"kansrijk/internal/home"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var (
	homeOCMWHeist = account.Actor{UserID: 41, Email: "sw@heist.test", Role: account.OCMWWorker, Org: "ocmw-12014", OrgKind: account.KindOCMW}
	homeOCMWAdmin = account.Actor{UserID: 42, Email: "beheer@hulshout.test", Role: account.OCMWAdmin, Org: "ocmw-13016", OrgKind: account.KindOCMW}
	homeZuidLead  = account.Actor{UserID: 43, Email: "lead@zuid.test", Role: account.TeamLead, Org: "team-zuid", OrgKind: account.KindTeam}
)

// homeReferral creates a referral of team a in municipality nis with the
// parents' consent, and sends it when send is set.
func homeReferral(t *testing.T, db *store.DB, a account.Actor, nis, postcode, name string, send bool) referral.Referral {
	t.Helper()
	ctx := context.Background()
	in := newFamily()
	in.MunicipalityNIS = nis
	in.Parents[0].Name, in.Parents[0].Postcode, in.Parents[0].MunicipalityNIS = name, postcode, nis
	r, err := db.CreateReferral(ctx, a, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddConsent(ctx, a, r.ID, referral.NewConsent{Parent: 0, Informed: allInformed, Method: "verbal"}); err != nil {
		t.Fatal(err)
	}
	if send {
		if r, err = db.Send(ctx, a, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func summary(t *testing.T, db *store.DB, a account.Actor) home.Summary {
	t.Helper()
	s, err := db.Summary(context.Background(), a)
	if err != nil {
		t.Fatalf("summary of %s/%s: %v", a.Role, a.Org, err)
	}
	return s
}

// TestHomeSummary: every role's start page counts exactly what its lists
// show — its own organisation's, never another's — and the OCMW worker's
// recent cases are audited as one list read naming them.
func TestHomeSummary(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db) // the clock stands at birthNow
		activeAgreement(t, db, "team-noord", "13016")
		// Heist-op-den-Berg: an agreement without status feedback.
		heist := mustCreate(t, db, admin, "team-noord", "12014", "draft", "2023-01-02")
		off := false
		if _, err := db.UpdateVersion(ctx, admin, heist.ID, agreement.VersionUpdate{StatusFeedback: &off}); err != nil {
			t.Fatal(err)
		}
		for _, s := range []agreement.NewEvent{step(agreement.Approved, "2023-02-01"), step(agreement.Signed, "2023-03-01"), step(agreement.Active, "2023-04-01")} {
			if _, err := db.AddEvent(ctx, admin, heist.ID, s); err != nil {
				t.Fatal(err)
			}
		}

		// team-noord: two drafts, one referral at each OCMW, both read there.
		homeReferral(t, db, teamWorker, "13016", "2235", "Fictieve Ouder Een", false)
		homeReferral(t, db, teamWorker, "13016", "2235", "Fictieve Ouder Twee", false)
		hul := homeReferral(t, db, teamWorker, "13016", "2235", "Fictieve Ouder Drie", true)
		hei := homeReferral(t, db, teamWorker, "12014", "2220", "Fictieve Ouder Vier", true)
		if _, err := db.Referral(ctx, ocmwWorker, hul.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Referral(ctx, homeOCMWHeist, hei.ID); err != nil {
			t.Fatal(err)
		}
		// team-zuid: one draft of its own.
		homeReferral(t, db, otherWorker, "11002", "2000", "Fictieve Ouder Zuid", false)

		// Births: two for team-noord, one in Brussels (Opgroeien's queue).
		mustNotify(t, db, clinicZonnedal, family("Fictieve Moeder Een", "2025-01-15"))
		mustNotify(t, db, clinicZonnedal, family("Fictieve Moeder Twee", "2025-01-16"))
		brussels := family("Fictieve Moeder Brussel", "2025-01-16")
		brussels.Mother.MunicipalityNIS, brussels.Mother.Postcode = "21004", "1000"
		mustNotify(t, db, clinicMaanhof, brussels)

		// Outreach tasks of team-noord: one overdue, one not yet due.
		for _, due := range []string{"2025-01-10", "2025-02-10"} {
			if _, err := db.CreateTask(ctx, leadNoord, outreach.NewTask{MunicipalityNIS: "13016", Title: "Bel de algemeen directeur", DueOn: due}); err != nil {
				t.Fatal(err)
			}
		}

		t.Run("Team", func(t *testing.T) {
			got := summary(t, db, teamWorker).Team
			if got == nil || got.Drafts != 2 || got.AtOCMW != 2 || got.NewBirths != 2 || got.OverdueTasks != 1 {
				t.Fatalf("team-noord = %+v", got)
			}
			// Hulshout gives feedback (received); Heist does not (sent).
			want := []home.StatusCount{{Status: referral.Sent, N: 1}, {Status: referral.Received, N: 1}}
			if len(got.Sent) != 2 || got.Sent[0] != want[0] || got.Sent[1] != want[1] {
				t.Errorf("per status %+v, want %+v", got.Sent, want)
			}
			zuid := summary(t, db, homeZuidLead).Team
			if zuid == nil || zuid.Drafts != 1 || zuid.AtOCMW != 0 || len(zuid.Sent) != 0 || zuid.NewBirths != 0 || zuid.OverdueTasks != 0 {
				t.Errorf("team-zuid counts another team's work: %+v", zuid)
			}
		})

		t.Run("OCMW", func(t *testing.T) {
			before := homeEvents(t, db, "referral.inbox")
			got := summary(t, db, ocmwWorker).OCMW
			if got == nil || got.Open != 1 || got.New != 1 || got.Overdue != 0 {
				t.Fatalf("OCMW Hulshout = %+v", got)
			}
			if len(got.Recent) != 1 || got.Recent[0].ID != hul.ID || got.Recent[0].Name != "Fictieve Ouder Drie" {
				t.Fatalf("recent cases %+v", got.Recent)
			}
			evs := homeEvents(t, db, "referral.inbox")
			if len(evs) != len(before)+1 {
				t.Fatalf("%d inbox events, want one more than %d", len(evs), len(before))
			}
			e := evs[0]
			if e.ActorOrg != "ocmw-13016" || e.Purpose != audit.PurposeFollowUp || e.ObjectID != strconv.FormatInt(hul.ID, 10) || !strings.HasPrefix(e.Detail, "list of 1") {
				t.Errorf("event %+v", e)
			}
			// An OCMW without referrals: nothing, an empty list read.
			if o := summary(t, db, otherOCMW).OCMW; o == nil || o.Open != 0 || len(o.Recent) != 0 {
				t.Errorf("OCMW Borsbeek = %+v", o)
			}
			if evs := homeEvents(t, db, "referral.inbox"); evs[0].ActorOrg != "ocmw-11007" || evs[0].ObjectID != "" {
				t.Errorf("the empty start page's event %+v", evs[0])
			}
			// Three weeks later, without a contact attempt: past the target.
			now := db.Now
			db.Now = func() time.Time { return birthNow.AddDate(0, 0, 21) }
			defer func() { db.Now = now }()
			if got := summary(t, db, ocmwWorker).OCMW; got.Overdue != 1 || got.New != 1 {
				t.Errorf("three weeks later: %+v", got)
			}
		})

		t.Run("OCMWAdmin", func(t *testing.T) {
			got := summary(t, db, homeOCMWAdmin).OCMWAdmin
			if got == nil || len(got.Agreements) != 1 {
				t.Fatalf("OCMW admin = %+v", got)
			}
			a := got.Agreements[0]
			if a.Team != "team-noord" || a.TeamName != "Lokaal team Noord" || a.Municipality != "Hulshout" || a.Status != agreement.Active {
				t.Errorf("agreement %+v", a)
			}
			if s := a.Next(); s.Key != "home.step.upload" || len(s.Missing) != 2 {
				t.Errorf("next step %+v: the signed copies are missing", s)
			}
		})

		t.Run("Clinic", func(t *testing.T) {
			got := summary(t, db, clinicZonnedal).Clinic
			if got == nil || got.New != 2 || got.PickedUp != 0 || len(got.Recent) != 2 {
				t.Fatalf("clinic Zonnedal = %+v", got)
			}
			for _, s := range got.Recent {
				if s.Status != birth.ClinicNew || s.SubmittedAt.IsZero() {
					t.Errorf("submission %+v", s)
				}
			}
			if m := summary(t, db, clinicMaanhof).Clinic; m == nil || m.New != 1 || len(m.Recent) != 1 {
				t.Errorf("clinic Maanhof = %+v", m)
			}
		})

		t.Run("Central", func(t *testing.T) {
			day := store.BrusselsDay(db.Now())
			for job, result := range map[string]string{"retention": "deleted contact data of 0 referrals", "audit_verify": "FAILED: the log does not verify"} {
				if won, err := db.ClaimDailyJob(ctx, job, day); err != nil || !won {
					t.Fatalf("claim %s: %v %v", job, won, err)
				}
				if err := db.FinishDailyJob(ctx, job, day, result); err != nil {
					t.Fatal(err)
				}
			}
			for _, a := range []account.Actor{adminActor, analystActor} {
				got := summary(t, db, a).Central
				if got == nil || got.QueueNew != 1 || got.InForce != 2 || got.SignedUp != 2 || got.Municipalities < 280 {
					t.Fatalf("%s: %+v", a.Role, got)
				}
				if len(got.FailedJobs) != 1 || got.FailedJobs[0].Job != "audit_verify" || !strings.HasPrefix(got.FailedJobs[0].Result, "FAILED") {
					t.Errorf("failed jobs %+v", got.FailedJobs)
				}
			}
		})

		t.Run("DPO", func(t *testing.T) {
			if _, err := db.CreateSubjectRequest(ctx, gdprDPOCentral, gdpr.NewRequest{Kind: gdpr.Access, Lookup: gdpr.Lookup{ReceiptCode: hul.ReceiptCode}}); err != nil {
				t.Fatal(err)
			}
			got := summary(t, db, gdprDPOCentral).DPO
			if got == nil || got.OpenRequests != 1 || got.Overdue != 0 || got.DueSoon != 0 {
				t.Fatalf("DPO = %+v", got)
			}
			ocmwDPO := account.Actor{UserID: 44, Email: "dpo@hulshout.test", Role: account.DPO, Org: "ocmw-13016", OrgKind: account.KindOCMW}
			if o := summary(t, db, ocmwDPO).DPO; o == nil || o.OpenRequests != 0 {
				t.Errorf("the OCMW's DPO counts Opgroeien's requests: %+v", o)
			}
		})
	})
}

func homeEvents(t *testing.T, db *store.DB, action string) []audit.Event {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), audit.Filter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// TestTeamContact: a team's phone and e-mail are checked, stored, changed
// and cleared; bad input is refused with its field and nothing changes.
func TestTeamContact(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tm, err := db.CreateTeam(ctx, admin, org.NewTeam{Key: "team-west", Name: "Lokaal team West", Municipalities: []string{"13016"}, From: d("2022-01-01"),
			Phone: " +32 9 123  45 67 ", Email: " Team-West@Kansrijk.Example "})
		if err != nil {
			t.Fatal(err)
		}
		if tm.Phone != "+32 9 123 45 67" || tm.Email != "team-west@kansrijk.example" {
			t.Fatalf("created %q %q", tm.Phone, tm.Email)
		}
		for _, up := range []struct {
			phone, email, field string
		}{{"123", "", "phone"}, {"+32 9 123 45 67 ext 5", "", "phone"}, {"", "team-west", "email"}, {"", "team west@kansrijk.example", "email"}} {
			p, e := up.phone, up.email
			_, err := db.UpdateTeam(ctx, admin, "team-west", org.TeamUpdate{Phone: &p, Email: &e})
			if ae, ok := apperr.As(err); !ok || ae.Code != apperr.Invalid || ae.Field != up.field {
				t.Errorf("%q %q: %v, want invalid on %s", up.phone, up.email, err, up.field)
			}
		}
		p, e := "014 12 34 56", ""
		if tm, err = db.UpdateTeam(ctx, admin, "team-west", org.TeamUpdate{Phone: &p, Email: &e}); err != nil {
			t.Fatal(err)
		}
		if tm.Phone != "014 12 34 56" || tm.Email != "" {
			t.Errorf("updated %q %q", tm.Phone, tm.Email)
		}
		// Only the phone: the name and area stay.
		if tm.Name != "Lokaal team West" || len(tm.Municipalities) != 1 {
			t.Errorf("team %+v", tm)
		}
		if _, err := db.UpdateTeam(ctx, teamWorker, "team-west", org.TeamUpdate{Phone: &p}); apperr.Code(err) != apperr.Forbidden {
			t.Errorf("a team worker sets the phone: %v", err)
		}
	})
}
