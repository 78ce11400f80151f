package store_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/birth"
	"kansrijk/internal/gdpr"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var (
	gdprDPOCentral = account.Actor{UserID: 31, Email: "dpo@opgroeien.test", Role: account.DPO, Org: "opgroeien", OrgKind: account.KindOpgroeien, Via: "session"}
	gdprDPOOCMW    = account.Actor{UserID: 32, Email: "dpo@hulshout.test", Role: account.DPO, Org: "ocmw-13016", OrgKind: account.KindOCMW, Via: "session"}
	gdprDPOOther   = account.Actor{UserID: 33, Email: "dpo@borsbeek.test", Role: account.DPO, Org: "ocmw-11007", OrgKind: account.KindOCMW, Via: "session"}
)

// gdprReferral creates, consents and sends a referral of family in.
func gdprReferral(t *testing.T, db *store.DB, in referral.NewReferral, send bool) referral.Referral {
	t.Helper()
	ctx := context.Background()
	r, err := db.CreateReferral(ctx, teamWorker, in)
	if err != nil {
		t.Fatal(err)
	}
	if !send {
		return r
	}
	if _, err := db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Informed: allInformed, Method: "verbal"}); err != nil {
		t.Fatal(err)
	}
	if r, err = db.Send(ctx, teamWorker, r.ID); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSubjectRequests(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		activeAgreement(t, db, "team-noord", "13016")
		sent := gdprReferral(t, db, newFamily(), true)
		// The OCMW reads it (an event of the OCMW in the access history).
		if _, err := db.Referral(ctx, ocmwWorker, sent.ID); err != nil {
			t.Fatal(err)
		}
		draft := gdprReferral(t, db, newFamily(), false)
		other := newFamily()
		other.Parents[0].Name = "Andere Ouder"
		stranger := gdprReferral(t, db, other, false)
		// A birth notification of the same mother, through a clinic.
		if _, err := db.CreateClinic(ctx, admin, org.NewClinic{Key: "clinic-zonnedal", Name: "Kraamkliniek Zonnedal"}); err != nil {
			t.Fatal(err)
		}
		clinic := account.Actor{UserID: 41, Email: "vroedvrouw@zonnedal.test", Role: account.Clinic, Org: "clinic-zonnedal", OrgKind: account.KindClinic}
		sub, err := db.CreateBirthNotification(ctx, clinic, birth.NewNotification{Mother: birth.Parent{Name: "FICTIEVE ouder", Street: "Teststraat",
			Number: "1", Postcode: "2235", MunicipalityNIS: "13016", Phone: "+32 470 00 00 01", Language: "nl"},
			ChildBirthDate: time.Now().AddDate(0, 0, -3).Format(time.DateOnly)})
		if err != nil {
			t.Fatal(err)
		}

		t.Run("OnlyDPO", func(t *testing.T) {
			for _, a := range []account.Actor{admin, teamWorker, ocmwWorker} {
				if _, err := db.CreateSubjectRequest(ctx, a, gdpr.NewRequest{Kind: gdpr.Access, Lookup: gdpr.Lookup{ReceiptCode: sent.ReceiptCode}}); apperr.Code(err) != apperr.Forbidden {
					t.Errorf("%s creates a request: %v", a.Role, err)
				}
				if _, err := db.SubjectRequests(ctx, a, gdpr.Filter{}); apperr.Code(err) != apperr.Forbidden {
					t.Errorf("%s lists requests: %v", a.Role, err)
				}
			}
		})

		t.Run("Validation", func(t *testing.T) {
			for _, in := range []gdpr.NewRequest{
				{Kind: "wish", Lookup: gdpr.Lookup{ReceiptCode: sent.ReceiptCode}},
				{Kind: gdpr.Access},
				{Kind: gdpr.Access, Lookup: gdpr.Lookup{Postcode: "2235", Name: "Fictieve Ouder"}},
				{Kind: gdpr.Access, Lookup: gdpr.Lookup{ReceiptCode: sent.ReceiptCode, Postcode: "2235"}},
				{Kind: gdpr.Access, ReceivedOn: "2999-01-01", Lookup: gdpr.Lookup{ReceiptCode: sent.ReceiptCode}},
			} {
				if _, err := db.CreateSubjectRequest(ctx, gdprDPOCentral, in); err == nil {
					t.Errorf("%+v accepted", in)
				}
			}
		})

		t.Run("ByCode", func(t *testing.T) {
			// Typed as a family reads it aloud: lower case, spaces.
			typed := "kr " + sent.ReceiptCode[3:7] + " " + sent.ReceiptCode[8:12] + " " + sent.ReceiptCode[13:]
			r, err := db.CreateSubjectRequest(ctx, gdprDPOCentral, gdpr.NewRequest{Kind: gdpr.Access, ReceivedOn: "2026-01-31", Lookup: gdpr.Lookup{ReceiptCode: typed}})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Found.Referrals, []int64{sent.ID}) || !slices.Equal(r.Found.ReceiptCodes, []string{sent.ReceiptCode}) || r.DueOn != "2026-02-28" || !r.Open || r.LookupBy != "receipt_code" {
				t.Fatalf("request = %+v", r)
			}
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: gdpr.AuditCreate, ReceiptCode: sent.ReceiptCode})
			if err != nil || len(evs) != 1 || evs[0].ObjectID != strconv.FormatInt(r.ID, 10) || evs[0].ActorRole != "dpo" {
				t.Fatalf("create events = %+v, %v", evs, err)
			}
		})

		t.Run("ByNameAndAddress", func(t *testing.T) {
			look := gdpr.Lookup{Postcode: "2235", Street: "TESTSTRAAT", Number: " 1", Name: "Ouder, Fictieve"}
			r, err := db.CreateSubjectRequest(ctx, gdprDPOCentral, gdpr.NewRequest{Kind: gdpr.Objection, Lookup: look})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Found.Referrals, []int64{sent.ID, draft.ID}) || !slices.Equal(r.Found.BirthNotifications, []int64{sub.ID}) || len(r.Found.ReceiptCodes) != 2 {
				t.Fatalf("central found = %+v (stranger %d)", r.Found, stranger.ID)
			}
			// The OCMW's DPO: only what was sent to the OCMW.
			ro, err := db.CreateSubjectRequest(ctx, gdprDPOOCMW, gdpr.NewRequest{Kind: gdpr.Access, Lookup: look})
			if err != nil {
				t.Fatal(err)
			}
			// ... and no receipt code: an OCMW never holds one.
			if !slices.Equal(ro.Found.Referrals, []int64{sent.ID}) || len(ro.Found.BirthNotifications) != 0 || len(ro.Found.ReceiptCodes) != 0 {
				t.Fatalf("OCMW found = %+v", ro.Found)
			}

			// Another OCMW's DPO: not found, audited as denied.
			if _, err := db.SubjectRequest(ctx, gdprDPOOther, ro.ID); apperr.Code(err) != apperr.NotFound {
				t.Fatalf("other DPO reads: %v", err)
			}
			if _, err := db.SubjectRequestDossier(ctx, gdprDPOOther, ro.ID); apperr.Code(err) != apperr.NotFound {
				t.Fatalf("other DPO exports: %v", err)
			}
			denied, _ := db.AuditEvents(ctx, audit.Filter{Action: gdpr.AuditDenied, ActorOrg: "ocmw-11007"})
			if len(denied) != 2 || denied[0].Outcome != audit.Denied {
				t.Fatalf("denied events = %+v", denied)
			}

			// Export by Opgroeien's DPO: everything, with the access history.
			d, err := db.SubjectRequestDossier(ctx, gdprDPOCentral, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Referrals) != 2 || d.Referrals[0].Parents[0].Name != "Fictieve Ouder" || len(d.Referrals[0].Criteria) != 2 || len(d.Referrals[0].Consents) != 1 ||
				len(d.BirthNotifications) != 1 || d.BirthNotifications[0].Mother == nil {
				t.Fatalf("dossier = %+v", d)
			}
			actions := map[string]bool{}
			for _, e := range d.AccessHistory {
				actions[e.Organisation+" "+e.Action] = true
			}
			for _, want := range []string{"team-noord referral.create", "ocmw-13016 referral.read", "opgroeien subject_request.create", "clinic-zonnedal birth.create"} {
				if !actions[want] {
					t.Errorf("access history lacks %q: %v", want, actions)
				}
			}
			for _, code := range r.Found.ReceiptCodes {
				if evs, _ := db.AuditEvents(ctx, audit.Filter{Action: gdpr.AuditExport, ReceiptCode: code}); len(evs) != 1 {
					t.Errorf("export events for %s = %d", code, len(evs))
				}
			}

			// Export by the OCMW's DPO: no assessment, no consents, no
			// receipt code, only its own organisation's events.
			do, err := db.SubjectRequestDossier(ctx, gdprDPOOCMW, ro.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(do.Referrals) != 1 || do.Referrals[0].Criteria != nil || do.Referrals[0].Consents != nil || do.Referrals[0].ReceiptCode != "" || len(do.BirthNotifications) != 0 {
				t.Fatalf("OCMW dossier = %+v", do)
			}
			for _, e := range do.AccessHistory {
				if e.Organisation != "ocmw-13016" || e.Code != "" {
					t.Errorf("OCMW dossier shows an event of %s", e.Organisation)
				}
			}
			if len(do.AccessHistory) == 0 {
				t.Error("OCMW dossier has no access history")
			}

			// Rectification: applied to the referral's parent, visible to the team.
			before := sent.Version
			r2, err := db.AddRectification(ctx, gdprDPOCentral, r.ID, gdpr.NewRectification{ObjectType: "referral", ObjectID: sent.ID, Parent: 0, Field: "phone", Value: "+32 470 11 22 33"})
			if err != nil {
				t.Fatal(err)
			}
			if len(r2.Actions) != 1 || !r2.Actions[0].Applied || r2.Actions[0].Field != "phone" {
				t.Fatalf("actions = %+v", r2.Actions)
			}
			got, err := db.Referral(ctx, teamWorker, sent.ID)
			if err != nil || got.Parents[0].Phone != "+32 470 11 22 33" || got.Version <= before {
				t.Fatalf("rectified referral = %+v, %v", got, err)
			}
			if evs, _ := db.AuditEvents(ctx, audit.Filter{Action: gdpr.AuditRectification, ReceiptCode: sent.ReceiptCode}); len(evs) != 1 {
				t.Errorf("rectification events = %+v", evs)
			}
			// A birth notification's mother: the name, folded for duplicates.
			if _, err := db.AddRectification(ctx, gdprDPOCentral, r.ID, gdpr.NewRectification{ObjectType: "birth_notification", ObjectID: sub.ID, Field: "name", Value: "Fictieve Ouder-Peeters"}); err != nil {
				t.Fatal(err)
			}
			// Not what the request found; a bad value; a note only.
			if _, err := db.AddRectification(ctx, gdprDPOCentral, r.ID, gdpr.NewRectification{ObjectType: "referral", ObjectID: stranger.ID, Field: "phone", Value: "+32 470 11 22 33"}); apperr.Code(err) != apperr.Invalid {
				t.Errorf("rectify a referral not found: %v", err)
			}
			if _, err := db.AddRectification(ctx, gdprDPOCentral, r.ID, gdpr.NewRectification{ObjectType: "referral", ObjectID: sent.ID, Field: "email", Value: "geen-adres"}); apperr.Code(err) != apperr.EmailInvalid {
				t.Errorf("rectify with a bad e-mail: %v", err)
			}
			r3, err := db.AddRectification(ctx, gdprDPOCentral, r.ID, gdpr.NewRectification{Note: "OCMW: huisnummer in het sociaal dossier"})
			if err != nil || len(r3.Actions) != 3 || r3.Actions[2].Applied {
				t.Fatalf("recorded rectification = %+v, %v", r3.Actions, err)
			}

			// Objection: the draft is withdrawn, the sent referral stays.
			r4, err := db.AddObjection(ctx, gdprDPOCentral, r.ID, gdpr.NewObjection{Note: "bezwaar per brief"})
			if err != nil {
				t.Fatal(err)
			}
			last := r4.Actions[len(r4.Actions)-1]
			if last.Kind != gdpr.Objection || !slices.Equal(last.Withdrawn, []int64{draft.ID}) {
				t.Fatalf("objection = %+v", last)
			}
			dr, err := db.Referral(ctx, teamWorker, draft.ID)
			if err != nil || dr.Status != referral.Cancelled || len(dr.Parents) != 0 || dr.DataDeletedAt == nil {
				t.Fatalf("draft after objection = %+v, %v", dr, err)
			}
			if s, _ := db.Referral(ctx, teamWorker, sent.ID); s.Status == referral.Cancelled || len(s.Parents) != 1 {
				t.Fatalf("sent referral after objection = %+v", s)
			}
			if evs, _ := db.AuditEvents(ctx, audit.Filter{Action: gdpr.AuditObjection}); len(evs) != 2 {
				t.Errorf("objection events = %d, want one per receipt code", len(evs))
			}

			// Answered: no longer open.
			if _, err := db.AnswerSubjectRequest(ctx, gdprDPOCentral, r.ID, gdpr.Answer{AnsweredOn: "2000-01-01"}); apperr.Code(err) != apperr.InvalidDate {
				t.Errorf("answered before it came in: %v", err)
			}
			ans, err := db.AnswerSubjectRequest(ctx, gdprDPOCentral, r.ID, gdpr.Answer{})
			if err != nil || ans.Open || ans.AnsweredOn == "" {
				t.Fatalf("answered = %+v, %v", ans, err)
			}
			open, err := db.SubjectRequests(ctx, gdprDPOCentral, gdpr.Filter{Open: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range open {
				if o.ID == r.ID {
					t.Error("an answered request is listed as open")
				}
			}
			all, _ := db.SubjectRequests(ctx, gdprDPOCentral, gdpr.Filter{})
			if len(all) != len(open)+1 || !all[0].Open {
				t.Errorf("all = %d, open = %d; open first", len(all), len(open))
			}
			// Each DPO sees its own organisation's requests.
			mine, _ := db.SubjectRequests(ctx, gdprDPOOCMW, gdpr.Filter{})
			if len(mine) != 1 || mine[0].ID != ro.ID {
				t.Errorf("OCMW DPO lists %+v", mine)
			}
		})
	})
}

func TestDueOn(t *testing.T) {
	for in, want := range map[string]string{"2026-01-31": "2026-02-28", "2024-01-30": "2024-02-29", "2026-03-15": "2026-04-15", "2026-12-31": "2027-01-31"} {
		d, _ := time.Parse(time.DateOnly, in)
		if got := gdpr.DueOn(d).Format(time.DateOnly); got != want {
			t.Errorf("DueOn(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestProcessingRecordRecipients(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		on := time.Now().UTC()
		if _, err := db.ProcessingRecordData(ctx, teamWorker, on); apperr.Code(err) != apperr.Forbidden {
			t.Fatalf("team worker reads the record: %v", err)
		}
		before, err := db.ProcessingRecordData(ctx, gdprDPOCentral, on)
		if err != nil || len(before) != 0 {
			t.Fatalf("before = %+v, %v", before, err)
		}
		ag := activeAgreement(t, db, "team-noord", "13016")
		// A draft agreement is no recipient.
		mustCreate(t, db, admin, "team-zuid", "11002", "draft", "2025-02-01")
		days := 120
		if _, err := db.UpdateVersion(ctx, admin, ag.ID, agreement.VersionUpdate{RetentionDays: &days}); err != nil {
			t.Fatal(err)
		}
		got, err := db.ProcessingRecordData(ctx, admin, on)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].AgreementID != ag.ID || got[0].Organisation != "ocmw-13016" || got[0].MunicipalityNIS != "13016" || got[0].OrganisationName == "" {
			t.Fatalf("recipients = %+v", got)
		}
		// The retention of the version in force (a change of an active
		// agreement is only proposed until the OCMW approves it).
		v, err := db.Agreement(ctx, admin, ag.ID)
		if err != nil || got[0].RetentionDays != v.Version.RetentionDays || got[0].Version != v.Version.Version {
			t.Fatalf("recipient %+v, agreement version %+v, %v", got[0], v.Version, err)
		}
	})
}
