package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var (
	leadNoord   = account.Actor{UserID: 21, Email: "lead@noord.test", Role: account.TeamLead, Org: "team-noord", OrgKind: account.KindTeam}
	workerZuid  = account.Actor{UserID: 22, Email: "worker@zuid.test", Role: account.TeamWorker, Org: "team-zuid", OrgKind: account.KindTeam}
	analyst     = account.Actor{UserID: 23, Email: "analist@opgroeien.test", Role: account.Analyst, Org: "opgroeien", OrgKind: account.KindOpgroeien}
	dpoCentral  = account.Actor{UserID: 24, Email: "dpo@opgroeien.test", Role: account.DPO, Org: "opgroeien", OrgKind: account.KindOpgroeien}
	dpoOCMW     = account.Actor{UserID: 25, Email: "dpo@hulshout.test", Role: account.DPO, Org: "ocmw-13016", OrgKind: account.KindOCMW}
	clinicUser  = account.Actor{UserID: 26, Email: "kraam@kliniek.test", Role: account.Clinic, Org: "clinic-test", OrgKind: account.KindClinic}
	ocmwAdminOR = account.Actor{UserID: 27, Email: "beheer@hulshout.test", Role: account.OCMWAdmin, Org: "ocmw-13016", OrgKind: account.KindOCMW}
)

// outreachTables are the tables whose row counts tell whether an outreach
// call changed anything.
var outreachTables = []string{"outreach_contacts", "outreach_campaigns", "outreach_touchpoints", "outreach_contact_moments", "outreach_tasks", "audit_events"}

func outreachCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range outreachTables {
		out[table] = MustCount(t, db, "SELECT count(*) FROM "+table)
	}
	return out
}

func wantSameCounts(t *testing.T, db *store.DB, before map[string]int) {
	t.Helper()
	if after := outreachCounts(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("rows changed: before %v, after %v", before, after)
	}
}

// fixedClock sets the store's clock.
func fixedClock(db *store.DB, s string) {
	now := d(s).Add(10 * time.Hour)
	db.Now = func() time.Time { return now }
}

func lastAudit(t *testing.T, db *store.DB, objectType string, id int64) audit.Event {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), audit.Filter{ObjectType: objectType, ObjectID: fmt.Sprint(id), Limit: 1})
	if err != nil || len(evs) == 0 {
		t.Fatalf("no audit event for %s %d: %v", objectType, id, err)
	}
	return evs[0]
}

func TestOutreachContacts(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db, "2026-03-02")
		world(t, db)
		hulshout, err := db.CreateContact(ctx, leadNoord, outreach.NewContact{MunicipalityNIS: "13016", Function: "general_director",
			Name: " An Peeters ", Email: "An.Peeters@Hulshout.be", Phone: "015 22 40 11"})
		if err != nil {
			t.Fatal(err)
		}
		if hulshout.Name != "An Peeters" || hulshout.Email != "an.peeters@hulshout.be" || hulshout.Municipality != "Hulshout" || hulshout.CreatedBy != leadNoord.Email {
			t.Fatalf("created %+v", hulshout)
		}
		if ev := lastAudit(t, db, "outreach_contact", hulshout.ID); ev.Action != "outreach.contact.create" || strings.Contains(ev.Detail, "Peeters") {
			t.Fatalf("audit %+v (no personal data in the detail)", ev)
		}
		// Antwerpen, in team-zuid's area today (2026), and a contact of
		// Borsbeek would need Borsbeek to exist today: it merged.
		antwerpen, err := db.CreateContact(ctx, workerZuid, outreach.NewContact{MunicipalityNIS: "11002", Function: "poverty_officer", Name: "Bart Janssens", Phone: "+32 3 338 00 00"})
		if err != nil {
			t.Fatal(err)
		}
		before := outreachCounts(t, db)
		for _, tc := range []struct {
			name  string
			actor account.Actor
			in    outreach.NewContact
			code  string
		}{
			{"merged municipality", admin, outreach.NewContact{MunicipalityNIS: "11007", Function: "other", Name: "X", Email: "x@borsbeek.be"}, apperr.Invalid},
			{"Brussels", admin, outreach.NewContact{MunicipalityNIS: "21004", Function: "other", Name: "X", Email: "x@brussel.be"}, apperr.Invalid},
			{"outside the area", leadNoord, outreach.NewContact{MunicipalityNIS: "11002", Function: "other", Name: "X", Email: "x@antwerpen.be"}, apperr.Forbidden},
			{"unknown function", admin, outreach.NewContact{MunicipalityNIS: "13016", Function: "mayor", Name: "X", Email: "x@hulshout.be"}, apperr.Invalid},
			{"no channel", admin, outreach.NewContact{MunicipalityNIS: "13016", Function: "other", Name: "X"}, apperr.Invalid},
			{"analyst", analyst, outreach.NewContact{MunicipalityNIS: "13016", Function: "other", Name: "X", Email: "x@hulshout.be"}, apperr.Forbidden},
			{"dpo", dpoCentral, outreach.NewContact{MunicipalityNIS: "13016", Function: "other", Name: "X", Email: "x@hulshout.be"}, apperr.Forbidden},
			{"clinic", clinicUser, outreach.NewContact{MunicipalityNIS: "13016", Function: "other", Name: "X", Email: "x@hulshout.be"}, apperr.Forbidden},
			{"ocmw admin", ocmwAdminOR, outreach.NewContact{MunicipalityNIS: "13016", Function: "other", Name: "X", Email: "x@hulshout.be"}, apperr.Forbidden},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.CreateContact(ctx, tc.actor, tc.in)
				WantCode(t, err, tc.code)
				if tc.name == "outside the area" {
					// The refused attempt leaves its denied event, nothing else.
					before["audit_events"]++
				}
				wantSameCounts(t, db, before)
			})
		}

		// Scoping: each team sees its area (team-zuid also its
		// predecessors' history); Opgroeien's admin and DPO see all; the
		// rest is forbidden.
		ids := func(a account.Actor, nis string) []int64 {
			t.Helper()
			list, err := db.Contacts(ctx, a, nis)
			if err != nil {
				t.Fatalf("contacts as %s: %v", a.Role, err)
			}
			var out []int64
			for _, c := range list {
				out = append(out, c.ID)
			}
			return out
		}
		if got := ids(leadNoord, ""); !slices.Equal(got, []int64{hulshout.ID}) {
			t.Errorf("team-noord sees %v", got)
		}
		if got := ids(workerZuid, ""); !slices.Equal(got, []int64{antwerpen.ID}) {
			t.Errorf("team-zuid sees %v", got)
		}
		if got := ids(workerZuid, "13016"); len(got) != 0 {
			t.Errorf("team-zuid sees Hulshout's contacts: %v", got)
		}
		if got := ids(admin, ""); len(got) != 2 {
			t.Errorf("admin sees %v", got)
		}
		if got := ids(dpoCentral, "11002"); !slices.Equal(got, []int64{antwerpen.ID}) {
			t.Errorf("dpo sees %v", got)
		}
		// Every read of contacts leaves one audit record naming the
		// contacts shown, with the reader.
		evs, err := db.AuditEvents(ctx, audit.Filter{ObjectType: "outreach_contact", ObjectID: fmt.Sprint(antwerpen.ID), ActorUserID: dpoCentral.UserID, Limit: 1})
		if err != nil || len(evs) != 1 || evs[0].Action != "outreach.contact.read" || evs[0].ActorEmail != dpoCentral.Email ||
			evs[0].Detail != "list of 1 of municipality 11002" || evs[0].Purpose != audit.PurposeOutreach {
			t.Fatalf("read audit %+v %v", evs, err)
		}
		for _, a := range []account.Actor{analyst, clinicUser, dpoOCMW, ocmwAdminOR, ocmwWorker} {
			_, err := db.Contacts(ctx, a, "")
			WantCode(t, err, apperr.Forbidden)
		}

		// Update: only within scope; audited with the changed field names.
		if _, err := db.UpdateContact(ctx, workerZuid, hulshout.ID, outreach.ContactUpdate{Name: ptr("Y")}); apperr.Code(err) != apperr.NotFound {
			t.Fatalf("other team updates: %v", err)
		}
		up, err := db.UpdateContact(ctx, leadNoord, hulshout.ID, outreach.ContactUpdate{Phone: ptr("+32 15 22 40 12"), Function: ptr("council_chair")})
		if err != nil || up.Phone != "+32 15 22 40 12" || up.Function != outreach.CouncilChair || up.Name != "An Peeters" {
			t.Fatalf("update: %+v %v", up, err)
		}
		if ev := lastAudit(t, db, "outreach_contact", hulshout.ID); ev.Action != "outreach.contact.update" || !strings.Contains(ev.Detail, "changed=function,phone") {
			t.Fatalf("audit %+v", ev)
		}
		_, err = db.UpdateContact(ctx, leadNoord, hulshout.ID, outreach.ContactUpdate{Phone: ptr("+32 15 22 40 12")})
		WantCode(t, err, apperr.Invalid)
		_, err = db.UpdateContact(ctx, leadNoord, hulshout.ID, outreach.ContactUpdate{Email: ptr(""), Phone: ptr("")})
		WantCode(t, err, apperr.Invalid)

		// A contact moment with the contact, then the contact is removed:
		// its personal data are gone, the moment keeps the function.
		moment, err := db.CreateContactMoment(ctx, leadNoord, outreach.NewContactMoment{MunicipalityNIS: "13016", On: "2026-02-10", Channel: "phone", ContactID: hulshout.ID, Summary: "Uitleg over de overeenkomst"})
		if err != nil || moment.WithFunction != outreach.CouncilChair || moment.By != "team-noord" {
			t.Fatalf("moment: %+v %v", moment, err)
		}
		if err := db.DeleteContact(ctx, workerZuid, hulshout.ID); apperr.Code(err) != apperr.NotFound {
			t.Fatalf("other team deletes: %v", err)
		}
		if err := db.DeleteContact(ctx, leadNoord, hulshout.ID); err != nil {
			t.Fatal(err)
		}
		if n := MustCount(t, db, `SELECT count(*) FROM outreach_contacts WHERE id = $1 AND name = '' AND email = '' AND phone = '' AND deleted_at IS NOT NULL`, hulshout.ID); n != 1 {
			t.Fatal("personal data not erased")
		}
		if ev := lastAudit(t, db, "outreach_contact", hulshout.ID); ev.Action != "outreach.contact.delete" {
			t.Fatalf("audit %+v", ev)
		}
		if got := ids(admin, "13016"); len(got) != 0 {
			t.Errorf("deleted contact still listed: %v", got)
		}
		if err := db.DeleteContact(ctx, leadNoord, hulshout.ID); apperr.Code(err) != apperr.NotFound {
			t.Fatalf("second delete: %v", err)
		}
		if _, err := db.CreateContactMoment(ctx, leadNoord, outreach.NewContactMoment{MunicipalityNIS: "13016", Channel: "email", ContactID: hulshout.ID, Summary: "x"}); apperr.Code(err) != apperr.Invalid {
			t.Fatalf("moment with a removed contact: %v", err)
		}
		ms, _ := db.ContactMoments(ctx, admin, "13016")
		if len(ms) != 1 || ms[0].ContactID != hulshout.ID || ms[0].WithFunction != outreach.CouncilChair {
			t.Fatalf("moments after delete: %+v", ms)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestOutreachCampaigns(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db, "2026-03-02")
		world(t, db)
		all, err := db.CreateCampaign(ctx, admin, outreach.NewCampaign{Kind: "newsletter", On: "2023-02-01", Partner: "VVSG", Subject: "Het decreet van 4 februari 2022", Audience: "all"})
		if err != nil || all.Reached != 300 || len(all.Touchpoints) != 300 || all.Partner != "VVSG" {
			t.Fatalf("newsletter to all: reached %d (%d touchpoints): %v", all.Reached, len(all.Touchpoints), err)
		}
		after, err := db.CreateCampaign(ctx, admin, outreach.NewCampaign{Kind: "mailing", On: "2025-03-01", Subject: "Fusiegemeenten", Audience: "all"})
		if err != nil || after.Reached != 285 || after.Partner != "Opgroeien" {
			t.Fatalf("mailing after the mergers: %d %v", after.Reached, err)
		}
		// Not signed up: every municipality but Hulshout, which is.
		mustCreate(t, db, admin, "team-noord", "13016", "interested", "2023-03-01")
		ns, err := db.CreateCampaign(ctx, admin, outreach.NewCampaign{Kind: "webinar", On: "2023-04-01", Partner: "joint", Subject: "Webinar VVSG–Opgroeien", Audience: "not_signed_up"})
		if err != nil || ns.Reached != 299 || slices.ContainsFunc(ns.Touchpoints, func(tp outreach.Touchpoint) bool { return tp.MunicipalityNIS == "13016" }) {
			t.Fatalf("not signed up: %d %v", ns.Reached, err)
		}
		prov, err := db.CreateCampaign(ctx, admin, outreach.NewCampaign{Kind: "info_session", On: "2023-05-01", Subject: "Infosessie", Audience: "province", AudienceParam: "limburg"})
		if err != nil || prov.AudienceParam != "Limburg" || prov.Reached != 42 {
			t.Fatalf("province: %+v %v", prov.Reached, err)
		}
		area, err := db.CreateCampaign(ctx, leadNoord, outreach.NewCampaign{Kind: "visit", On: "2023-06-01", Subject: "Bezoek", Audience: "team_area"})
		if err != nil || area.AudienceParam != "team-noord" || area.Reached != 3 || area.CreatedOrg != "team-noord" {
			t.Fatalf("team area: %+v %v", area, err)
		}
		list, err := db.CreateCampaign(ctx, workerZuid, outreach.NewCampaign{Kind: "visit", On: "2024-06-01", Subject: "Bezoek", Audience: "list", Municipalities: []string{"11007", "73040", "11007"}})
		if err != nil || list.Reached != 2 {
			t.Fatalf("list: %+v %v", list, err)
		}
		if ev := lastAudit(t, db, "outreach_campaign", list.ID); ev.Action != "outreach.campaign.create" || !strings.Contains(ev.Detail, "reached=2") {
			t.Fatalf("audit %+v", ev)
		}
		before := outreachCounts(t, db)
		for _, tc := range []struct {
			name  string
			actor account.Actor
			in    outreach.NewCampaign
			code  string
		}{
			{"unknown kind", admin, outreach.NewCampaign{Kind: "tweet", Subject: "x", Audience: "all"}, apperr.Invalid},
			{"no subject", admin, outreach.NewCampaign{Kind: "newsletter", Audience: "all"}, apperr.Invalid},
			{"bad date", admin, outreach.NewCampaign{Kind: "newsletter", On: "2023-02-30", Subject: "x", Audience: "all"}, apperr.InvalidDate},
			{"unknown province", admin, outreach.NewCampaign{Kind: "newsletter", Subject: "x", Audience: "province", AudienceParam: "Henegouwen"}, apperr.Invalid},
			{"empty list", admin, outreach.NewCampaign{Kind: "mailing", Subject: "x", Audience: "list"}, apperr.Invalid},
			{"list with a merged municipality", admin, outreach.NewCampaign{Kind: "mailing", On: "2025-02-01", Subject: "x", Audience: "list", Municipalities: []string{"11056"}}, apperr.Invalid},
			{"municipalities without list", admin, outreach.NewCampaign{Kind: "mailing", Subject: "x", Audience: "all", Municipalities: []string{"13016"}}, apperr.Invalid},
			{"team to all", leadNoord, outreach.NewCampaign{Kind: "newsletter", Subject: "x", Audience: "all"}, apperr.Forbidden},
			{"team to another area", leadNoord, outreach.NewCampaign{Kind: "visit", Subject: "x", Audience: "team_area", AudienceParam: "team-zuid"}, apperr.Forbidden},
			{"team list outside", leadNoord, outreach.NewCampaign{Kind: "visit", Subject: "x", Audience: "list", Municipalities: []string{"11002"}}, apperr.Forbidden},
			{"analyst", analyst, outreach.NewCampaign{Kind: "newsletter", Subject: "x", Audience: "all"}, apperr.Forbidden},
			{"clinic", clinicUser, outreach.NewCampaign{Kind: "newsletter", Subject: "x", Audience: "all"}, apperr.Forbidden},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.CreateCampaign(ctx, tc.actor, tc.in)
				WantCode(t, err, tc.code)
				wantSameCounts(t, db, before)
			})
		}
		// A team sees every campaign, but only its area's touchpoints.
		got, err := db.Campaign(ctx, leadNoord, all.ID)
		if err != nil || got.Reached != 300 || len(got.Touchpoints) != 3 {
			t.Fatalf("team-noord's view of the newsletter: reached %d, %d touchpoints, %v", got.Reached, len(got.Touchpoints), err)
		}
		if list, err := db.Campaigns(ctx, leadNoord); err != nil || len(list) != 6 || list[0].ID != after.ID {
			t.Fatalf("campaigns: %d %v", len(list), err)
		}
		for _, a := range []account.Actor{analyst, dpoCentral, clinicUser, ocmwWorker} {
			_, err := db.Campaigns(ctx, a)
			WantCode(t, err, apperr.Forbidden)
		}

		// Attendance: all or nothing.
		contact, err := db.CreateContact(ctx, admin, outreach.NewContact{MunicipalityNIS: "13013", Function: "head_social_service", Name: "Els Wouters", Email: "els@herselt.be"})
		if err != nil {
			t.Fatal(err)
		}
		webinar, err := db.CreateCampaign(ctx, admin, outreach.NewCampaign{Kind: "webinar", On: "2025-02-10", Partner: "joint", Subject: "Webinar", Audience: "province", AudienceParam: "Antwerpen"})
		if err != nil {
			t.Fatal(err)
		}
		before = outreachCounts(t, db)
		for _, rows := range [][]outreach.AttendanceRow{
			{{MunicipalityNIS: "13016", Attended: true}, {MunicipalityNIS: "11056", Registered: true}}, // Zwijndrecht no longer exists
			{{MunicipalityNIS: "13016", Attended: true}, {MunicipalityNIS: "99999"}},
			{{MunicipalityNIS: "13013", ContactID: contact.ID}, {MunicipalityNIS: "13016", ContactID: contact.ID}}, // contact of another municipality
			{},
		} {
			_, err := db.RecordAttendance(ctx, admin, webinar.ID, rows)
			WantCode(t, err, apperr.Invalid)
			wantSameCounts(t, db, before)
		}
		_, err = db.RecordAttendance(ctx, leadNoord, webinar.ID, []outreach.AttendanceRow{{MunicipalityNIS: "13016", Attended: true}})
		WantCode(t, err, apperr.Forbidden) // not the team's campaign
		res, err := db.RecordAttendance(ctx, admin, webinar.ID, []outreach.AttendanceRow{
			{MunicipalityNIS: "13016", Registered: true}, {MunicipalityNIS: "13016", Attended: true},
			{MunicipalityNIS: "13013", Registered: true, ContactID: contact.ID}, {MunicipalityNIS: "46030", Attended: true},
		})
		if err != nil || res.Rows != 4 || res.Updated != 2 || res.Added != 1 {
			t.Fatalf("attendance: %+v %v", res, err)
		}
		w, _ := db.Campaign(ctx, admin, webinar.ID)
		for _, tp := range w.Touchpoints {
			switch tp.MunicipalityNIS {
			case "13016":
				if !tp.Registered || !tp.Attended || tp.Source != "audience" {
					t.Errorf("Hulshout %+v", tp)
				}
			case "13013":
				if !tp.Registered || tp.Attended || tp.ContactID != contact.ID {
					t.Errorf("Herselt %+v", tp)
				}
			case "46030":
				if !tp.Attended || !tp.Registered || tp.Source != "attendance" {
					t.Errorf("Beveren-Kruibeke-Zwijndrecht %+v", tp)
				}
			}
		}
		if ev := lastAudit(t, db, "outreach_campaign", webinar.ID); ev.Action != "outreach.campaign.attendance" {
			t.Fatalf("audit %+v", ev)
		}
		// A team records attendance of its own campaign, in its area.
		if _, err := db.RecordAttendance(ctx, leadNoord, area.ID, []outreach.AttendanceRow{{MunicipalityNIS: "12014", Attended: true}}); err != nil {
			t.Fatal(err)
		}
		_, err = db.RecordAttendance(ctx, leadNoord, area.ID, []outreach.AttendanceRow{{MunicipalityNIS: "11002", Attended: true}})
		WantCode(t, err, apperr.Forbidden)
	})
}

func TestOutreachMomentsAndTasks(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db, "2026-03-02")
		world(t, db)
		// Kortessem (73040) merged into Hasselt (71072); team-zuid covers
		// Hasselt today and may log Kortessem's past.
		m, err := db.CreateContactMoment(ctx, workerZuid, outreach.NewContactMoment{MunicipalityNIS: "73040", On: "2024-05-02", Channel: "meeting", WithFunction: "general_director", Summary: "Kennismaking", NextStep: "Ontwerp sturen"})
		if err != nil || m.By != "team-zuid" || m.WithFunction != outreach.GeneralDirector || m.On != d("2024-05-02") {
			t.Fatalf("moment: %+v %v", m, err)
		}
		if ev := lastAudit(t, db, "outreach_contact_moment", m.ID); ev.Action != "outreach.contact_moment.create" {
			t.Fatalf("audit %+v", ev)
		}
		byAdmin, err := db.CreateContactMoment(ctx, admin, outreach.NewContactMoment{MunicipalityNIS: "13016", On: "2026-03-02", Channel: "event", Summary: "Op de VVSG-dag"})
		if err != nil || byAdmin.By != "opgroeien" {
			t.Fatalf("admin moment: %+v %v", byAdmin, err)
		}
		if _, err := db.CreateContactMoment(ctx, admin, outreach.NewContactMoment{MunicipalityNIS: "13016", Channel: "phone", By: "team-noord", Summary: "Namens het team"}); err != nil {
			t.Fatal(err)
		}
		before := outreachCounts(t, db)
		for _, tc := range []struct {
			name  string
			actor account.Actor
			in    outreach.NewContactMoment
			code  string
		}{
			{"future", admin, outreach.NewContactMoment{MunicipalityNIS: "13016", On: "2026-03-03", Channel: "phone", Summary: "x"}, apperr.InvalidDate},
			{"merged on that day", admin, outreach.NewContactMoment{MunicipalityNIS: "73040", On: "2025-05-02", Channel: "phone", Summary: "x"}, apperr.Invalid},
			{"unknown channel", admin, outreach.NewContactMoment{MunicipalityNIS: "13016", Channel: "pigeon", Summary: "x"}, apperr.Invalid},
			{"no summary", admin, outreach.NewContactMoment{MunicipalityNIS: "13016", Channel: "phone"}, apperr.Invalid},
			{"unknown by", admin, outreach.NewContactMoment{MunicipalityNIS: "13016", Channel: "phone", By: "ocmw-13016", Summary: "x"}, apperr.UnknownOrg},
			{"team for another", leadNoord, outreach.NewContactMoment{MunicipalityNIS: "13016", Channel: "phone", By: "team-zuid", Summary: "x"}, apperr.Forbidden},
			{"outside the area", leadNoord, outreach.NewContactMoment{MunicipalityNIS: "11002", Channel: "phone", Summary: "x"}, apperr.Forbidden},
			{"analyst", analyst, outreach.NewContactMoment{MunicipalityNIS: "13016", Channel: "phone", Summary: "x"}, apperr.Forbidden},
			{"clinic", clinicUser, outreach.NewContactMoment{MunicipalityNIS: "13016", Channel: "phone", Summary: "x"}, apperr.Forbidden},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.CreateContactMoment(ctx, tc.actor, tc.in)
				WantCode(t, err, tc.code)
				wantSameCounts(t, db, before)
			})
		}
		if list, err := db.ContactMoments(ctx, workerZuid, ""); err != nil || len(list) != 1 || list[0].ID != m.ID {
			t.Fatalf("team-zuid's moments: %+v %v", list, err)
		}
		if list, err := db.ContactMoments(ctx, leadNoord, "13016"); err != nil || len(list) != 2 || list[1].ID != byAdmin.ID {
			t.Fatalf("team-noord's moments: %+v %v", list, err)
		}
		if list, err := db.ContactMoments(ctx, dpoCentral, ""); err != nil || len(list) != 3 {
			t.Fatalf("dpo's moments: %d %v", len(list), err)
		}
		_, err = db.ContactMoments(ctx, analyst, "")
		WantCode(t, err, apperr.Forbidden)

		// Tasks.
		t1, err := db.CreateTask(ctx, leadNoord, outreach.NewTask{MunicipalityNIS: "13016", Title: "Bel de algemeen directeur", DueOn: "2026-03-01"})
		if err != nil || t1.Team != "team-noord" || t1.Status != outreach.TaskOpen || !t1.Overdue(d("2026-03-02")) {
			t.Fatalf("task: %+v %v", t1, err)
		}
		t2, err := db.CreateTask(ctx, admin, outreach.NewTask{MunicipalityNIS: "71072", Title: "Bezoek plannen", DueOn: "2026-03-05"})
		if err != nil || t2.Team != "team-zuid" {
			t.Fatalf("admin task (default team): %+v %v", t2, err)
		}
		t3, err := db.CreateTask(ctx, leadNoord, outreach.NewTask{MunicipalityNIS: "13013", Title: "Ontwerp opvolgen", DueOn: "2026-04-15"})
		if err != nil {
			t.Fatal(err)
		}
		if ev := lastAudit(t, db, "outreach_task", t3.ID); ev.Action != "outreach.task.create" {
			t.Fatalf("audit %+v", ev)
		}
		before = outreachCounts(t, db)
		for _, tc := range []struct {
			name  string
			actor account.Actor
			in    outreach.NewTask
			code  string
		}{
			{"no due date", leadNoord, outreach.NewTask{MunicipalityNIS: "13016", Title: "x"}, apperr.InvalidDate},
			{"no title", leadNoord, outreach.NewTask{MunicipalityNIS: "13016", DueOn: "2026-04-01"}, apperr.Invalid},
			{"for another team", leadNoord, outreach.NewTask{MunicipalityNIS: "13016", Team: "team-zuid", Title: "x", DueOn: "2026-04-01"}, apperr.Forbidden},
			{"outside the area", leadNoord, outreach.NewTask{MunicipalityNIS: "11002", Title: "x", DueOn: "2026-04-01"}, apperr.Invalid},
			{"team does not cover it", admin, outreach.NewTask{MunicipalityNIS: "11002", Team: "team-noord", Title: "x", DueOn: "2026-04-01"}, apperr.Invalid},
			{"merged", admin, outreach.NewTask{MunicipalityNIS: "73040", Title: "x", DueOn: "2026-04-01"}, apperr.Invalid},
			{"analyst", analyst, outreach.NewTask{MunicipalityNIS: "13016", Title: "x", DueOn: "2026-04-01"}, apperr.Forbidden},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.CreateTask(ctx, tc.actor, tc.in)
				WantCode(t, err, tc.code)
				wantSameCounts(t, db, before)
			})
		}
		taskIDs := func(list []outreach.Task, err error) []int64 {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, x := range list {
				out = append(out, x.ID)
			}
			return out
		}
		if got := taskIDs(db.Tasks(ctx, leadNoord, outreach.TaskFilter{})); !slices.Equal(got, []int64{t1.ID, t3.ID}) {
			t.Errorf("team-noord's tasks %v", got)
		}
		if got := taskIDs(db.Tasks(ctx, admin, outreach.TaskFilter{Status: outreach.TaskOpen, DueBefore: ptr(d("2026-03-02"))})); !slices.Equal(got, []int64{t1.ID}) {
			t.Errorf("overdue %v", got)
		}
		if got := taskIDs(db.OverdueTasks(ctx, d("2026-03-02"))); !slices.Equal(got, []int64{t1.ID}) {
			t.Errorf("OverdueTasks %v", got)
		}
		if got := taskIDs(db.DueTasks(ctx, d("2026-03-02"), d("2026-03-09"))); !slices.Equal(got, []int64{t2.ID}) {
			t.Errorf("DueTasks %v", got)
		}
		_, err = db.Tasks(ctx, dpoCentral, outreach.TaskFilter{})
		WantCode(t, err, apperr.Forbidden)

		done, err := db.UpdateTask(ctx, leadNoord, t1.ID, outreach.TaskUpdate{Status: ptr("done")})
		if err != nil || done.Status != outreach.TaskDone || done.ClosedAt == nil || done.Overdue(d("2026-03-02")) {
			t.Fatalf("done: %+v %v", done, err)
		}
		if ev := lastAudit(t, db, "outreach_task", t1.ID); ev.Action != "outreach.task.update" || ev.Detail != "status=done" {
			t.Fatalf("audit %+v", ev)
		}
		reopened, err := db.UpdateTask(ctx, leadNoord, t1.ID, outreach.TaskUpdate{Status: ptr("open"), DueOn: ptr("2026-03-20")})
		if err != nil || reopened.ClosedAt != nil || reopened.DueOn != d("2026-03-20") {
			t.Fatalf("reopened: %+v %v", reopened, err)
		}
		_, err = db.UpdateTask(ctx, workerZuid, t1.ID, outreach.TaskUpdate{Status: ptr("done")})
		WantCode(t, err, apperr.NotFound)
		_, err = db.UpdateTask(ctx, leadNoord, t1.ID, outreach.TaskUpdate{Team: ptr("team-zuid")})
		WantCode(t, err, apperr.Forbidden)
		_, err = db.UpdateTask(ctx, leadNoord, t1.ID, outreach.TaskUpdate{Status: ptr("later")})
		WantCode(t, err, apperr.Invalid)
		_, err = db.UpdateTask(ctx, leadNoord, t1.ID, outreach.TaskUpdate{Title: ptr(reopened.Title)})
		WantCode(t, err, apperr.Invalid)
	})
}

// TestOutreachReportMergers checks the carry-over of facts to the
// successor of a 2025 merger, and the counts on both sides of the date.
func TestOutreachReportMergers(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db, "2026-03-02")
		world(t, db)
		if _, err := db.CreateCampaign(ctx, admin, outreach.NewCampaign{Kind: "newsletter", On: "2023-01-20", Partner: "VVSG", Subject: "Decreet", Audience: "list", Municipalities: []string{"71022", "11007"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateContactMoment(ctx, workerZuid, outreach.NewContactMoment{MunicipalityNIS: "73040", On: "2023-05-02", Channel: "meeting", Summary: "Kennismaking"}); err != nil {
			t.Fatal(err)
		}
		ag := mustCreate(t, db, admin, "team-zuid", "11007", "interested", "2023-09-01")
		if _, err := db.AddEvent(ctx, admin, ag.ID, step(agreement.Draft, "2023-10-01")); err != nil {
			t.Fatal(err)
		}
		before, err := db.OutreachReport(ctx, d("2024-06-01"))
		if err != nil {
			t.Fatal(err)
		}
		if before.Total != 300 || before.Counts[outreach.NotInformed] != 297 || before.Informed != 3 {
			t.Fatalf("2024: total %d counts %v informed %d", before.Total, before.Counts, before.Informed)
		}
		row := func(r outreach.Report, nis string) outreach.MunicipalityStage {
			for _, m := range r.Municipalities {
				if m.NIS == nis {
					return m
				}
			}
			t.Fatalf("%s not in the report of %s", nis, r.AsOf)
			return outreach.MunicipalityStage{}
		}
		if m := row(before, "71022"); m.Stage != outreach.Informed || m.Since != "2023-01-20" || m.DaysSinceContact != nil {
			t.Errorf("Hasselt 2024: %+v", m)
		}
		if m := row(before, "73040"); m.Stage != outreach.InConversation || m.LastContact != "2023-05-02" || *m.DaysSinceContact != 396 || m.Team != "team-zuid" {
			t.Errorf("Kortessem 2024: %+v", m)
		}
		if m := row(before, "11007"); m.Stage != outreach.Drafting || m.Since != "2023-10-01" || m.AgreementStatus != agreement.Draft || m.StageDays[outreach.Informed] != 224 {
			t.Errorf("Borsbeek 2024: %+v", m)
		}
		if m := row(before, "11002"); m.Stage != outreach.NotInformed || m.Since != "" {
			t.Errorf("Antwerpen 2024: %+v", m)
		}
		after, err := db.OutreachReport(ctx, d("2025-02-01"))
		if err != nil {
			t.Fatal(err)
		}
		if after.Total != 285 {
			t.Fatalf("2025: total %d", after.Total)
		}
		// Hasselt 71072 carries Hasselt 71022's newsletter and Kortessem's
		// meeting; Antwerpen carries Borsbeek's history, but Borsbeek's
		// agreement ended with its OCMW: back to the outreach stage.
		if m := row(after, "71072"); m.Stage != outreach.InConversation || m.Since != "2023-05-02" || m.LastTouchpoint != "2023-01-20" || !slices.Equal(m.Predecessors, []string{"71022", "73040"}) {
			t.Errorf("Hasselt 2025: %+v", m)
		}
		if m := row(after, "11002"); m.Stage != outreach.Informed || m.Since != "2025-01-01" || m.AgreementStatus != agreement.None || m.StageDays[outreach.Drafting] != 458 {
			t.Errorf("Antwerpen 2025: %+v", m)
		}
		// Carried over, the agreement counts again from the merger day.
		if _, err := db.CarryOver(ctx, admin, ag.ID, time.Time{}, ""); err != nil {
			t.Fatal(err)
		}
		after, _ = db.OutreachReport(ctx, d("2025-02-01"))
		if m := row(after, "11002"); m.Stage != outreach.Drafting || m.Since != "2023-10-01" || m.AgreementStatus != agreement.Draft {
			t.Errorf("Antwerpen 2025 after the carry-over: %+v", m)
		}
		if g := after.Funnel[0]; g.Group != "all" || g.Total != 285 || g.Rows[0].Reached != 285 {
			t.Errorf("funnel %+v", g)
		}
	})
}

// TestOutreachReportProperty builds random histories of campaigns, contact
// moments and agreements (with corrections, and across the 2025 mergers,
// with and without carry-over) and checks the report at random dates
// against a recomputation with the pure function over the raw facts, read
// back through the store's other methods.
func TestOutreachReportProperty(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed := uint64(time.Now().UnixNano())
		rng := rand.New(rand.NewPCG(seed, 5))
		t.Logf("seed %d", seed)
		fixedClock(db, "2026-06-01")
		reg := db.Municipalities
		merger := d("2025-01-01")
		// A team covering the merged municipalities and some that stay.
		successors := []string{"11002", "46030", "71072"}
		var before2025 []string
		for _, s := range successors {
			for _, p := range reg.Predecessors(s) {
				before2025 = append(before2025, p.NIS)
			}
		}
		before2025 = append(before2025, "11002")
		var stay []string
		for _, m := range reg.On(d("2024-01-01"), municipality.Flanders) {
			if m.ValidTo == nil && m.NIS != "11002" && m.NIS[0] == '7' && len(stay) < 12 {
				stay = append(stay, m.NIS)
			}
		}
		if _, err := db.CreateTeam(ctx, admin, org.NewTeam{Key: "team-p", Name: "P", Municipalities: append(slices.Clone(before2025), stay...), From: d("2022-01-01")}); err != nil {
			t.Fatal(err)
		}
		area25 := append(slices.Clone(successors), stay...)
		if _, err := db.UpdateTeam(ctx, admin, "team-p", org.TeamUpdate{Municipalities: &area25, From: merger}); err != nil {
			t.Fatal(err)
		}
		validOn := func(day time.Time) []string {
			var out []string
			for _, n := range append(append(slices.Clone(before2025), stay...), successors...) {
				if reg.ValidOn(n, day) && !slices.Contains(out, n) {
					out = append(out, n)
				}
			}
			return out
		}
		randDay := func() time.Time { return d("2022-02-01").AddDate(0, 0, rng.IntN(1580)) }
		pick := func(list []string) string { return list[rng.IntN(len(list))] }
		// Campaigns to hand-picked lists, and a province now and then.
		for i := 0; i < 12; i++ {
			on := randDay()
			in := outreach.NewCampaign{Kind: string(outreach.CampaignKinds[rng.IntN(5)]), On: on.Format(time.DateOnly), Subject: fmt.Sprint("campagne ", i), Audience: "list"}
			if rng.IntN(6) == 0 {
				in.Audience, in.AudienceParam = "province", "Limburg"
			} else {
				for n := 1 + rng.IntN(4); n > 0; n-- {
					in.Municipalities = append(in.Municipalities, pick(validOn(on)))
				}
			}
			if _, err := db.CreateCampaign(ctx, admin, in); err != nil {
				t.Fatalf("campaign %+v: %v", in, err)
			}
		}
		for i := 0; i < 25; i++ {
			on := randDay()
			in := outreach.NewContactMoment{MunicipalityNIS: pick(validOn(on)), On: on.Format(time.DateOnly), Channel: "phone", Summary: "gesprek"}
			if _, err := db.CreateContactMoment(ctx, admin, in); err != nil {
				t.Fatalf("moment %+v: %v", in, err)
			}
		}
		// Agreements: before the merger on the old municipalities (carried
		// over or not), and on the successors and the others at any time.
		for i := 0; i < 14; i++ {
			on := randDay()
			nis := pick(validOn(on))
			randomAgreement(t, db, rng, "team-p", nis, on)
		}

		// The raw facts, read back through the store's other methods.
		raw := map[string]*outreach.Facts{}
		get := func(nis string) *outreach.Facts {
			if raw[nis] == nil {
				raw[nis] = &outreach.Facts{}
			}
			return raw[nis]
		}
		campaigns, err := db.Campaigns(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range campaigns {
			full, err := db.Campaign(ctx, admin, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, tp := range full.Touchpoints {
				get(tp.MunicipalityNIS).Touchpoints = append(get(tp.MunicipalityNIS).Touchpoints, tp.On)
			}
		}
		moments, err := db.ContactMoments(ctx, admin, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range moments {
			get(m.MunicipalityNIS).ContactMoments = append(get(m.MunicipalityNIS).ContactMoments, m.On)
		}
		ags, err := db.Agreements(ctx, admin, agreement.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range ags {
			full, _ := db.Agreement(ctx, admin, a.ID)
			h := outreach.AgreementHistory{ID: a.ID}
			evs := slices.Clone(full.Events)
			slices.SortStableFunc(evs, func(x, y agreement.Event) int { return x.Seq - y.Seq })
			for _, e := range evs {
				if e.CorrectedBy == 0 {
					h.Steps = append(h.Steps, outreach.AgreementStep{On: e.EffectiveOn, Status: e.Status})
				}
			}
			get(a.MunicipalityNIS).Agreements = append(get(a.MunicipalityNIS).Agreements, h)
		}
		// A municipality's facts on asOf: its own, and those of the
		// municipalities that had merged into it by then.
		var factsOf func(nis string, asOf time.Time) outreach.Facts
		factsOf = func(nis string, asOf time.Time) outreach.Facts {
			var f outreach.Facts
			if raw[nis] != nil {
				f = *raw[nis]
			}
			for _, p := range reg.Predecessors(nis) {
				if merged := p.ValidTo.AddDate(0, 0, 1); !asOf.Before(merged) {
					f = f.Union(factsOf(p.NIS, asOf).Until(merged))
				}
			}
			return f
		}

		dates := []time.Time{d("2024-12-31"), merger, d("2026-06-01")}
		for i := 0; i < 22; i++ {
			dates = append(dates, d("2022-01-01").AddDate(0, 0, rng.IntN(1650)))
		}
		for _, asOf := range dates {
			rep, err := db.OutreachReport(ctx, asOf)
			if err != nil {
				t.Fatal(err)
			}
			agr, err := db.AgreementReport(ctx, asOf, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			want := len(reg.On(asOf, municipality.Flanders))
			if rep.Total != want || len(rep.Municipalities) != want {
				t.Fatalf("as of %s: %d municipalities, want %d", asOf.Format(time.DateOnly), rep.Total, want)
			}
			counts := map[outreach.Stage]int{}
			for _, m := range rep.Municipalities {
				f := factsOf(m.NIS, asOf)
				wantStage := outreach.StageOn(f, asOf)
				spans := outreach.History(f, asOf)
				wantSince := ""
				if from := spans[len(spans)-1].From; !from.IsZero() {
					wantSince = from.Format(time.DateOnly)
				}
				wantDays := -1
				if last, ok := outreach.LastOnOrBefore(f.ContactMoments, asOf); ok {
					wantDays = int(asOf.Sub(last).Hours() / 24)
				}
				gotDays := -1
				if m.DaysSinceContact != nil {
					gotDays = *m.DaysSinceContact
				}
				if m.Stage != wantStage || m.Since != wantSince || gotDays != wantDays {
					t.Fatalf("as of %s, %s (%s): stage %s since %q days %d; recomputed %s since %q days %d",
						asOf.Format(time.DateOnly), m.NIS, m.Name, m.Stage, m.Since, gotDays, wantStage, wantSince, wantDays)
				}
				// The agreement side agrees with the agreements report.
				if st := stateOf(agr, m.NIS).Status; st != m.AgreementStatus {
					t.Fatalf("as of %s, %s: agreement status %s, the agreements report says %s", asOf.Format(time.DateOnly), m.NIS, m.AgreementStatus, st)
				}
				counts[m.Stage]++
			}
			for _, s := range outreach.Stages {
				if counts[s] != rep.Counts[s] {
					t.Fatalf("as of %s: counts %v, recounted %v", asOf.Format(time.DateOnly), rep.Counts, counts)
				}
			}
			if rep.Informed != want-counts[outreach.NotInformed] {
				t.Fatalf("informed %d", rep.Informed)
			}
			for _, g := range rep.Funnel {
				cur := 0
				for _, r := range g.Rows {
					cur += r.Current
				}
				if cur != g.Total || g.Rows[0].Reached != g.Total {
					t.Fatalf("funnel %s %s: %+v", g.Group, g.Key, g)
				}
			}
		}
	})
}

// randomAgreement gives nis a random agreement from on, for the randomised
// report and stage tests: signed up or drafted on on, then up to five
// steps at random intervals while the municipality exists, a correction of
// the first step's date one time in four, and for an open agreement of a
// municipality that merged a carry-over one time in two. It does nothing
// when nis already has an open agreement.
func randomAgreement(tb testing.TB, db *store.DB, rng *rand.Rand, team, nis string, on time.Time) {
	tb.Helper()
	ctx, reg := context.Background(), db.Municipalities
	open, _ := db.Agreements(ctx, admin, agreement.Filter{NIS: nis})
	if slices.ContainsFunc(open, func(a agreement.Agreement) bool { return a.Status.Open() }) {
		return
	}
	first := []string{"interested", "draft"}[rng.IntN(2)]
	ag, err := db.CreateAgreement(ctx, admin, agreement.NewAgreement{Team: team, MunicipalityNIS: nis, Status: first, On: on})
	if err != nil {
		tb.Fatalf("agreement %s on %s: %v", nis, on.Format(time.DateOnly), err)
	}
	status := agreement.Status(first)
	for n := rng.IntN(6); n > 0; n-- {
		nexts := agreement.Next(status)
		if len(nexts) == 0 {
			break
		}
		next := nexts[rng.IntN(len(nexts))]
		on = on.AddDate(0, 0, rng.IntN(120))
		if !reg.ValidOn(nis, on) {
			break
		}
		if _, err := db.AddEvent(ctx, admin, ag.ID, step(next, on.Format(time.DateOnly))); err != nil {
			tb.Fatalf("event: %v", err)
		}
		status = next
	}
	if rng.IntN(4) == 0 { // correct the first step's date
		cur, _ := db.Agreement(ctx, admin, ag.ID)
		e := cur.Events[0]
		if len(cur.Events) > 1 && cur.Events[1].EffectiveOn.After(e.EffectiveOn) {
			fix := e.EffectiveOn.AddDate(0, 0, rng.IntN(int(cur.Events[1].EffectiveOn.Sub(e.EffectiveOn).Hours()/24)+1))
			if _, err := db.AddEvent(ctx, admin, ag.ID, agreement.NewEvent{Corrects: e.ID, EffectiveOn: fix.Format(time.DateOnly)}); err != nil {
				tb.Fatalf("correction: %v", err)
			}
		}
	}
	if m, _ := reg.ByNIS(nis); m.ValidTo != nil && status.Open() && rng.IntN(2) == 0 {
		if _, err := db.CarryOver(ctx, admin, ag.ID, time.Time{}, ""); err != nil && apperr.Code(err) != apperr.Conflict && apperr.Code(err) != apperr.InvalidTransition {
			tb.Fatalf("carry over: %v", err)
		}
	}
}
