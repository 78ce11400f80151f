package store_test

// Store tests of birth notifications on both databases. Every family in
// here is fictitious.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/birth"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var (
	clinicZonnedal = account.Actor{UserID: 31, Email: "balie@zonnedal.test", Role: account.Clinic, Org: "clinic-zonnedal", OrgKind: account.KindClinic}
	clinicMaanhof  = account.Actor{UserID: 32, Email: "balie@maanhof.test", Role: account.Clinic, Org: "clinic-maanhof", OrgKind: account.KindClinic}
	birthLeadNoord = account.Actor{UserID: 33, Email: "lead@noord.test", Role: account.TeamLead, Org: "team-noord", OrgKind: account.KindTeam}
	birthLeadZuid  = account.Actor{UserID: 34, Email: "lead@zuid.test", Role: account.TeamLead, Org: "team-zuid", OrgKind: account.KindTeam}
	analystActor   = account.Actor{UserID: 35, Email: "analist@opgroeien.test", Role: account.Analyst, Org: "opgroeien", OrgKind: account.KindOpgroeien}
	adminActor     = account.Actor{UserID: 36, Email: "admin@opgroeien.test", Role: account.Admin, Org: "opgroeien", OrgKind: account.KindOpgroeien}
)

// birthNow is the fixture's clock: early 2025, so that births of December
// 2024 (before the mergers) and of January 2025 (after) are both recent.
var birthNow = time.Date(2025, 1, 20, 10, 0, 0, 0, time.UTC)

// birthWorld builds world's two teams, two clinics and two teams around
// the merger of De Pinte (44012) and Nazareth (44048) into
// Nazareth-De Pinte (44086): team-leie covers De Pinte until 2024 and Gent
// from 2025, team-schelde Nazareth until 2024 and Nazareth-De Pinte from
// 2025.
func birthWorld(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return birthNow }
	world(t, db)
	for key, name := range map[string]string{"clinic-zonnedal": "Kraamkliniek Zonnedal", "clinic-maanhof": "Kraamkliniek Maanhof"} {
		if _, err := db.CreateClinic(ctx, admin, org.NewClinic{Key: key, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	teams := []struct {
		key, name string
		before    []string
		after     []string
	}{
		{"team-leie", "Lokaal team Leie", []string{"44012"}, []string{"44021"}},
		{"team-schelde", "Lokaal team Schelde", []string{"44048"}, []string{"44086"}},
	}
	for _, tm := range teams {
		if _, err := db.CreateTeam(ctx, admin, org.NewTeam{Key: tm.key, Name: tm.name, Municipalities: tm.before, From: d("2022-01-01")}); err != nil {
			t.Fatal(err)
		}
		after := tm.after
		if _, err := db.UpdateTeam(ctx, admin, tm.key, org.TeamUpdate{Municipalities: &after, From: d("2025-01-01")}); err != nil {
			t.Fatal(err)
		}
	}
}

// family returns a valid notification of a fictitious mother in Hulshout
// (team-noord).
func family(name, born string) birth.NewNotification {
	return birth.NewNotification{
		Mother: birth.Parent{Name: name, Street: "Kerkstraat", Number: "12", Postcode: "2235", MunicipalityNIS: "13016",
			Phone: "+32470000000", Email: "ouder@example.org", Language: "nl"},
		ChildBirthDate: born,
	}
}

func mustNotify(t *testing.T, db *store.DB, a account.Actor, in birth.NewNotification) birth.Submission {
	t.Helper()
	s, err := db.CreateBirthNotification(context.Background(), a, in)
	if err != nil {
		t.Fatalf("notify %s: %v", in.Mother.Name, err)
	}
	return s
}

func birthEvents(t *testing.T, db *store.DB, id int64, action string) []audit.Event {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), audit.Filter{Action: action, ObjectType: "birth_notification", ObjectID: strconv.FormatInt(id, 10), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// birthCounts are the row counts of every table a birth notification
// writes to.
func birthCounts(t *testing.T, db *store.DB) string {
	t.Helper()
	var parts []string
	for _, table := range []string{"birth_batches", "birth_notifications", "birth_parents", "birth_contacts", "outbox", "referrals"} {
		parts = append(parts, fmt.Sprintf("%s=%d", table, MustCount(t, db, "SELECT count(*) FROM "+table)))
	}
	// Audit events other than refusals (a refused attempt is audited).
	parts = append(parts, fmt.Sprintf("audit_events=%d", MustCount(t, db, "SELECT count(*) FROM audit_events WHERE outcome <> 'denied'")))
	return strings.Join(parts, " ")
}

// deniedEvents are the denied audit events of an action.
func deniedEvents(t *testing.T, db *store.DB, action string) []audit.Event {
	t.Helper()
	evs, err := db.AuditEvents(context.Background(), audit.Filter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Event
	for _, e := range evs {
		if e.Outcome == audit.Denied {
			out = append(out, e)
		}
	}
	return out
}

// TestBirthRouting: a notification goes to the team whose service area
// held the municipality of residence on the date of birth — before and
// after the 2025 mergers — or visibly to Opgroeien's queue.
func TestBirthRouting(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		birthWorld(t, db)
		tests := []struct {
			name, nis, postcode, born, team string
		}{
			{"Hulshout", "13016", "2235", "2025-01-10", "team-noord"},
			{"De Pinte in 2024: the old code's team on that day", "44012", "9840", "2024-12-20", "team-leie"},
			{"Nazareth in 2024", "44048", "9810", "2024-12-31", "team-schelde"},
			{"Nazareth-De Pinte in 2025: the successor's team", "44086", "9840", "2025-01-01", "team-schelde"},
			{"Nazareth-De Pinte in 2025, Nazareth's postcode", "44086", "9810", "2025-01-15", "team-schelde"},
			{"Gent in 2025: team-leie's new area", "44021", "9000", "2025-01-02", "team-leie"},
			{"Gent in 2024: nobody's", "44021", "9000", "2024-12-30", ""},
			{"Kortessem in 2024", "73040", "3720", "2024-12-15", "team-zuid"},
			{"Hasselt after the merger with Kortessem", "71072", "3720", "2025-01-03", "team-zuid"},
			{"Hasselt before the merger: nobody's", "71022", "3500", "2024-12-15", ""},
			{"Borsbeek in 2024", "11007", "2150", "2024-11-30", "team-zuid"},
			{"Antwerpen (with Borsbeek) in 2025", "11002", "2150", "2025-01-19", "team-zuid"},
			{"Brussels", "21004", "1000", "2025-01-05", ""},
		}
		for i, tc := range tests {
			in := family(fmt.Sprintf("Ouder %d", i), tc.born)
			in.Mother.MunicipalityNIS, in.Mother.Postcode = tc.nis, tc.postcode
			s := mustNotify(t, db, clinicZonnedal, in)
			wantQueue := birth.QueueTeam
			if tc.team == "" {
				wantQueue = birth.QueueOpgroeien
			}
			if s.Team != tc.team || s.Queue != wantQueue || s.Status != birth.ClinicNew {
				t.Errorf("%s: team %q queue %q status %s, want %q %q new", tc.name, s.Team, s.Queue, s.Status, tc.team, wantQueue)
			}
			if team, err := db.RouteBirth(context.Background(), tc.nis, d(tc.born)); err != nil || team != tc.team {
				t.Errorf("%s: RouteBirth = %q %v", tc.name, team, err)
			}
		}
		// A municipality that did not exist on the date of birth is refused.
		for _, c := range [][3]string{{"44012", "9840", "2025-01-05"}, {"44086", "9840", "2024-12-20"}} {
			in := family("Ouder fout", c[2])
			in.Mother.MunicipalityNIS, in.Mother.Postcode = c[0], c[1]
			_, err := db.CreateBirthNotification(context.Background(), clinicZonnedal, in)
			WantCode(t, err, apperr.MunicipalityNotValid)
		}
		// The queue is visible to Opgroeien.
		q, err := allBirths(context.Background(), db, adminActor, birth.Filter{Queue: birth.QueueOpgroeien}, "")
		if err != nil || len(q) != 3 {
			t.Fatalf("Opgroeien queue: %d %v", len(q), err)
		}
		for _, s := range q {
			if s.Team != "" || s.Queue != birth.QueueOpgroeien {
				t.Errorf("queue item %+v", s)
			}
		}
	})
}

// TestBirthCreate: a clinic's notification is stored with its audit
// record; invalid input and other roles write nothing.
func TestBirthCreate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		in := family("An Peeters", "2025-01-15")
		in.EarlyContactRequested = true
		in.CoParent = &birth.Parent{Name: "Bram Peeters", Phone: "0470 11 22 33"}
		s := mustNotify(t, db, clinicZonnedal, in)
		if s.ID == 0 || s.Team != "team-noord" || s.ChildBirthDate != "2025-01-15" || s.BatchID != nil || !s.SubmittedAt.Equal(birthNow) {
			t.Fatalf("submission %+v", s)
		}
		evs := birthEvents(t, db, s.ID, "birth.create")
		if len(evs) != 1 || evs[0].Purpose != "birth_notification" || evs[0].ActorOrg != "clinic-zonnedal" || strings.Contains(evs[0].Detail, "Peeters") {
			t.Fatalf("audit %+v", evs)
		}
		if n := MustCount(t, db, `SELECT count(*) FROM birth_parents WHERE notification_id = $1`, s.ID); n != 2 {
			t.Fatalf("%d parents", n)
		}
		// The co-parent got the mother's address and language.
		n, err := db.BirthNotification(ctx, birthLeadNoord, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n.CoParent == nil || n.CoParent.Street != "Kerkstraat" || n.CoParent.Language != "nl" || !n.EarlyContactRequested || n.Language != "nl" {
			t.Fatalf("notification %+v co-parent %+v", n, n.CoParent)
		}
		before := birthCounts(t, db)
		denied := len(deniedEvents(t, db, "birth.create"))
		bad := family("", "2025-01-15")
		_, err = db.CreateBirthNotification(ctx, clinicZonnedal, bad)
		WantCode(t, err, apperr.NameRequired)
		refused := []account.Actor{birthLeadNoord, adminActor, analystActor, ocmwWorker}
		for _, a := range refused {
			_, err = db.CreateBirthNotification(ctx, a, family("An Peeters", "2025-01-15"))
			WantCode(t, err, apperr.Forbidden)
		}
		// Nothing written but one denied event per refused attempt.
		if after := birthCounts(t, db); after != before {
			t.Errorf("refused notifications wrote: %s → %s", before, after)
		}
		if n := len(deniedEvents(t, db, "birth.create")); n != denied+len(refused) {
			t.Errorf("%d denied birth.create events, want %d", n, denied+len(refused))
		}
	})
}

// TestBirthAccess: a clinic sees only its own submissions, status only; a
// team only its area's families; an admin everything; denied attempts are
// audited and answered like a missing record.
func TestBirthAccess(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		noord := mustNotify(t, db, clinicZonnedal, family("An Peeters", "2025-01-15"))
		zuidIn := family("Els Wouters", "2025-01-16")
		zuidIn.Mother.MunicipalityNIS, zuidIn.Mother.Postcode, zuidIn.Mother.Language = "11002", "2000", "fr"
		zuid := mustNotify(t, db, clinicMaanhof, zuidIn)

		// Clinics: their own, nothing else.
		own, err := allSubmissions(ctx, db, clinicZonnedal, birth.Filter{})
		if err != nil || len(own) != 1 || own[0].ID != noord.ID {
			t.Fatalf("zonnedal's list %+v %v", own, err)
		}
		if _, err := db.ClinicSubmission(ctx, clinicZonnedal, zuid.ID); apperr.Code(err) != apperr.NotFound {
			t.Fatalf("another clinic's submission: %v", err)
		}
		_, missing := db.ClinicSubmission(ctx, clinicZonnedal, 99999)
		_, denied := db.ClinicSubmission(ctx, clinicZonnedal, zuid.ID)
		if missing.Error() != denied.Error() {
			t.Errorf("denied %q differs from missing %q", denied, missing)
		}
		// A clinic never reads the personal data, not even of its own.
		for _, id := range []int64{noord.ID, zuid.ID} {
			if _, err := db.BirthNotification(ctx, clinicZonnedal, id); apperr.Code(err) != apperr.NotFound {
				t.Fatalf("clinic reads notification %d: %v", id, err)
			}
		}
		if evs := birthEvents(t, db, zuid.ID, "birth.access_denied"); len(evs) != 3 || evs[0].Outcome != audit.Denied || evs[0].ActorOrg != "clinic-zonnedal" {
			t.Fatalf("denied audit %+v", evs)
		}

		// Teams: their area's families only.
		list, err := allBirths(ctx, db, teamWorker, birth.Filter{}, "")
		if err != nil || len(list) != 1 || list[0].ID != noord.ID || list[0].Team != "team-noord" {
			t.Fatalf("team-noord's list %+v %v", list, err)
		}
		list, err = allBirths(ctx, db, birthLeadZuid, birth.Filter{}, "")
		if err != nil || len(list) != 1 || list[0].ID != zuid.ID {
			t.Fatalf("team-zuid's list %+v %v", list, err)
		}
		if _, err := db.BirthNotification(ctx, teamWorker, zuid.ID); apperr.Code(err) != apperr.NotFound {
			t.Fatalf("team-noord reads team-zuid's: %v", err)
		}
		if evs := birthEvents(t, db, zuid.ID, "birth.access_denied"); len(evs) != 4 || evs[0].ActorOrg != "team-noord" {
			t.Fatalf("denied audit %+v", evs)
		}
		n, err := db.BirthNotification(ctx, teamWorker, noord.ID)
		if err != nil || n.Mother == nil || n.Mother.Name != "An Peeters" {
			t.Fatalf("team reads its own: %+v %v", n, err)
		}
		reads := birthEvents(t, db, noord.ID, "birth.read")
		if len(reads) != 1 || reads[0].Purpose != "early_support" || reads[0].ActorEmail != teamWorker.Email {
			t.Fatalf("read audit %+v", reads)
		}

		// Admin: everything; analysts, OCMWs and DPOs nothing.
		all, err := allBirths(ctx, db, adminActor, birth.Filter{}, "")
		if err != nil || len(all) != 2 {
			t.Fatalf("admin's list %d %v", len(all), err)
		}
		if _, err := db.BirthNotification(ctx, adminActor, zuid.ID); err != nil {
			t.Fatalf("admin reads: %v", err)
		}
		for _, a := range []account.Actor{analystActor, ocmwWorker, clinicZonnedal} {
			if _, err := allBirths(ctx, db, a, birth.Filter{}, ""); apperr.Code(err) != apperr.Forbidden {
				t.Errorf("%s lists: %v", a.Role, err)
			}
			if _, err := db.BirthNotification(ctx, a, noord.ID); apperr.Code(err) != apperr.NotFound {
				t.Errorf("%s reads: %v", a.Role, err)
			}
		}
		if _, err := allSubmissions(ctx, db, birthLeadNoord, birth.Filter{}); apperr.Code(err) != apperr.Forbidden {
			t.Errorf("a team lists clinic submissions: %v", err)
		}
	})
}

// TestBirthQueueFilters: the team's queue filters on the date of birth,
// municipality, language, early contact and status, and sorts.
func TestBirthQueueFilters(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		mk := func(name, born, nis, pc, lang string, early bool) int64 {
			in := family(name, born)
			in.Mother.MunicipalityNIS, in.Mother.Postcode, in.Mother.Language, in.EarlyContactRequested = nis, pc, lang, early
			return mustNotify(t, db, clinicZonnedal, in).ID
		}
		a := mk("Ouder A", "2025-01-10", "13016", "2235", "nl", true)   // Hulshout
		b := mk("Ouder B", "2025-01-05", "12014", "2220", "fr", false)  // Heist-op-den-Berg
		c := mk("Ouder C", "2025-01-12", "13013", "2230", "ar", false)  // Herselt
		dd := mk("Ouder D", "2024-12-28", "13016", "2235", "nl", false) // Hulshout
		ids := func(list []birth.Summary) []int64 {
			var out []int64
			for _, s := range list {
				out = append(out, s.ID)
			}
			return out
		}
		yes, from, to := true, d("2025-01-01"), d("2025-01-10")
		tests := []struct {
			name string
			f    birth.Filter
			sort string
			want []int64
		}{
			{"newest first", birth.Filter{}, "", []int64{dd, c, b, a}},
			{"by date of birth", birth.Filter{}, "child_birth_date", []int64{dd, b, a, c}},
			{"by date of birth, descending", birth.Filter{}, "-child_birth_date", []int64{c, a, b, dd}},
			// The pages order by the NIS code, then the number.
			{"by municipality", birth.Filter{}, "municipality", []int64{b, c, a, dd}},
			{"municipality", birth.Filter{MunicipalityNIS: "13016"}, "created_at", []int64{a, dd}},
			{"language", birth.Filter{Language: "fr"}, "", []int64{b}},
			{"early contact", birth.Filter{EarlyContact: &yes}, "", []int64{a}},
			{"born between", birth.Filter{BornFrom: &from, BornTo: &to}, "created_at", []int64{a, b}},
			{"status", birth.Filter{Status: birth.New, Language: "ar"}, "", []int64{c}},
			{"status contacted", birth.Filter{Status: birth.Contacted}, "", nil},
		}
		for _, tc := range tests {
			list, err := allBirths(ctx, db, teamWorker, tc.f, tc.sort)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := ids(list); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
		_, err := allBirths(ctx, db, teamWorker, birth.Filter{}, "name")
		WantCode(t, err, apperr.Invalid)
		_, err = allBirths(ctx, db, teamWorker, birth.Filter{Status: "lost"}, "")
		WantCode(t, err, apperr.Invalid)
	})
}

// TestBirthContact: the first contact, then the family reached; no more
// after that; concurrency; dates.
func TestBirthContact(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		s := mustNotify(t, db, clinicZonnedal, family("An Peeters", "2025-01-15"))
		n, err := db.RecordBirthContact(ctx, teamWorker, s.ID, birth.NewContact{On: "2025-01-17", Channel: "phone", Reached: false, Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		if n.Status != birth.NotReached || n.FirstContactOn != "2025-01-17" || n.ReachedOn != "" || n.Version != 2 || len(n.Contacts) != 1 {
			t.Fatalf("after a first attempt %+v", n)
		}
		// Someone read version 1: refused.
		_, err = db.RecordBirthContact(ctx, birthLeadNoord, s.ID, birth.NewContact{On: "2025-01-18", Channel: "phone", Reached: true, Version: 1})
		WantCode(t, err, apperr.Conflict)
		n, err = db.RecordBirthContact(ctx, birthLeadNoord, s.ID, birth.NewContact{On: "2025-01-18", Channel: "home_visit", Reached: true, HomeVisitPlanned: true, Version: 2})
		if err != nil {
			t.Fatal(err)
		}
		if n.Status != birth.Contacted || n.FirstContactOn != "2025-01-17" || n.ReachedOn != "2025-01-18" || len(n.Contacts) != 2 || !n.Contacts[1].HomeVisitPlanned {
			t.Fatalf("after reaching %+v", n)
		}
		_, err = db.RecordBirthContact(ctx, teamWorker, s.ID, birth.NewContact{Channel: "phone"})
		WantCode(t, err, apperr.InvalidState)
		if evs := birthEvents(t, db, s.ID, "birth.contact"); len(evs) != 2 || evs[0].Purpose != "early_support" || !strings.Contains(evs[0].Detail, "reached=true") {
			t.Fatalf("contact audit %+v", evs)
		}
		// The clinic sees picked_up, nothing more.
		sub, err := db.ClinicSubmission(ctx, clinicZonnedal, s.ID)
		if err != nil || sub.Status != birth.ClinicPickedUp {
			t.Fatalf("clinic's view %+v %v", sub, err)
		}

		other := mustNotify(t, db, clinicZonnedal, family("Els Wouters", "2025-01-15"))
		for _, tc := range []struct {
			in   birth.NewContact
			code string
		}{
			{birth.NewContact{On: "2025-01-14", Channel: "phone"}, apperr.InvalidDate},
			{birth.NewContact{On: "2025-01-21", Channel: "phone"}, apperr.InvalidDate},
			{birth.NewContact{On: "20-01-2025", Channel: "phone"}, apperr.InvalidDate},
			{birth.NewContact{Channel: "pigeon"}, apperr.Invalid},
		} {
			_, err := db.RecordBirthContact(ctx, teamWorker, other.ID, tc.in)
			WantCode(t, err, tc.code)
		}
		// Default day: today. Another team, a clinic: not found; an admin
		// may not work on a team's notification.
		if n, err := db.RecordBirthContact(ctx, teamWorker, other.ID, birth.NewContact{Channel: "maternity_ward", Reached: true}); err != nil || n.ReachedOn != "2025-01-20" {
			t.Fatalf("contact today: %+v %v", n, err)
		}
		third := mustNotify(t, db, clinicZonnedal, family("Sofie Janssens", "2025-01-15"))
		for _, a := range []account.Actor{birthLeadZuid, clinicZonnedal, ocmwWorker} {
			_, err := db.RecordBirthContact(ctx, a, third.ID, birth.NewContact{Channel: "phone"})
			WantCode(t, err, apperr.NotFound)
		}
		_, err = db.RecordBirthContact(ctx, adminActor, third.ID, birth.NewContact{Channel: "phone"})
		WantCode(t, err, apperr.Forbidden)
	})
}

// TestBirthDuplicates: the same parent and date of birth from two
// submissions are flagged, and a team lead merges them.
func TestBirthDuplicates(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		first := mustNotify(t, db, clinicZonnedal, family("An Peeters", "2025-01-15"))
		dupIn := family("PEETERS, Ân", "2025-01-15")
		dupIn.EarlyContactRequested = true
		dupIn.CoParent = &birth.Parent{Name: "Bram Peeters", Phone: "0470 11 22 33"}
		dup := mustNotify(t, db, clinicMaanhof, dupIn)
		unrelated := mustNotify(t, db, clinicZonnedal, family("An Peeters", "2025-01-14")) // another day
		list, err := allBirths(ctx, db, teamWorker, birth.Filter{}, "created_at")
		if err != nil || len(list) != 3 {
			t.Fatal(list, err)
		}
		if !list[0].PossibleDuplicate || !list[1].PossibleDuplicate || list[2].PossibleDuplicate {
			t.Fatalf("flags %v %v %v", list[0].PossibleDuplicate, list[1].PossibleDuplicate, list[2].PossibleDuplicate)
		}
		n, err := db.BirthNotification(ctx, teamWorker, dup.ID)
		if err != nil || !slices.Equal(n.PossibleDuplicates, []int64{first.ID}) {
			t.Fatalf("duplicates of %d: %v %v", dup.ID, n.PossibleDuplicates, err)
		}
		// Workers do not merge; a lead merges only possible duplicates.
		_, err = db.MergeBirthNotification(ctx, teamWorker, dup.ID, birth.Merge{Into: first.ID})
		WantCode(t, err, apperr.Forbidden)
		_, err = db.MergeBirthNotification(ctx, birthLeadNoord, dup.ID, birth.Merge{Into: unrelated.ID})
		WantCode(t, err, apperr.NotDuplicate)
		_, err = db.MergeBirthNotification(ctx, birthLeadNoord, dup.ID, birth.Merge{Into: dup.ID})
		WantCode(t, err, apperr.Invalid)
		_, err = db.MergeBirthNotification(ctx, birthLeadZuid, dup.ID, birth.Merge{Into: first.ID})
		WantCode(t, err, apperr.NotFound)
		_, err = db.MergeBirthNotification(ctx, birthLeadNoord, dup.ID, birth.Merge{Into: first.ID, Version: 7})
		WantCode(t, err, apperr.Conflict)

		kept, err := db.MergeBirthNotification(ctx, birthLeadNoord, dup.ID, birth.Merge{Into: first.ID, Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		if kept.ID != first.ID || kept.CoParent == nil || kept.CoParent.Name != "Bram Peeters" || !kept.EarlyContactRequested ||
			kept.PossibleDuplicate || len(kept.PossibleDuplicates) != 0 {
			t.Fatalf("kept %+v", kept)
		}
		gone, err := db.BirthNotification(ctx, birthLeadNoord, dup.ID)
		if err != nil || gone.Status != birth.Merged || gone.MergedInto != first.ID || gone.Mother != nil || gone.DataDeletedAt == nil || gone.ChildBirthDate != "2025-01-01" {
			t.Fatalf("merged %+v %v", gone, err)
		}
		if n := MustCount(t, db, `SELECT count(*) FROM birth_parents WHERE notification_id = $1`, dup.ID); n != 0 {
			t.Fatalf("the duplicate keeps %d parents", n)
		}
		if evs := birthEvents(t, db, dup.ID, "birth.merge"); len(evs) != 1 || evs[0].Purpose != "duplicate_merge" || evs[0].ActorRole != "team_lead" {
			t.Fatalf("merge audit %+v", evs)
		}
		if evs := birthEvents(t, db, first.ID, "birth.merge_into"); len(evs) != 1 {
			t.Fatalf("merge_into audit %+v", evs)
		}
		_, err = db.MergeBirthNotification(ctx, birthLeadNoord, dup.ID, birth.Merge{Into: first.ID})
		WantCode(t, err, apperr.InvalidState)
		// The clinic of the duplicate sees it picked up.
		if s, err := db.ClinicSubmission(ctx, clinicMaanhof, dup.ID); err != nil || s.Status != birth.ClinicPickedUp {
			t.Fatalf("clinic's view %+v %v", s, err)
		}
		// Deleted ones leave the queue unless asked for.
		list, _ = allBirths(ctx, db, teamWorker, birth.Filter{}, "")
		all, _ := allBirths(ctx, db, teamWorker, birth.Filter{IncludeDeleted: true}, "")
		if len(list) != 2 || len(all) != 3 {
			t.Fatalf("lists %d %d", len(list), len(all))
		}
	})
}

func readBatch(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "birth", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBirthBatch: idempotency, partial acceptance only on request, and the
// row report.
func TestBirthBatch(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		db.Now = func() time.Time { return time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC) }
		good := readBatch(t, "FICTIEF_nl_bom_puntkomma.csv")
		rep, err := db.ImportBirthBatch(ctx, clinicZonnedal, good, false)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Accepted || rep.Created != 3 || rep.Existing != 0 || rep.Rejected != 0 || rep.BatchID == 0 || rep.AlreadyReceived || len(rep.SHA256) != 64 {
			t.Fatalf("first import %+v", rep)
		}
		if rep.Rows[0].Team != "team-noord" || rep.Rows[2].Team != "team-zuid" || rep.Rows[0].ID == 0 {
			t.Fatalf("rows %+v", rep.Rows)
		}
		if evs := birthEvents(t, db, rep.Rows[0].ID, "birth.create"); len(evs) != 1 || !strings.Contains(evs[0].Detail, "batch=") {
			t.Fatalf("audit %+v", evs)
		}
		subs, _ := allSubmissions(ctx, db, clinicZonnedal, birth.Filter{})
		if len(subs) != 3 || subs[0].BatchID == nil || *subs[0].BatchID != rep.BatchID {
			t.Fatalf("submissions %+v", subs)
		}
		// The same file again: nothing new.
		before := birthCounts(t, db)
		again, err := db.ImportBirthBatch(ctx, clinicZonnedal, good, false)
		if err != nil {
			t.Fatal(err)
		}
		if !again.AlreadyReceived || again.Created != 0 || again.Existing != 3 || again.BatchID != rep.BatchID || again.Rows[1].ID != rep.Rows[1].ID {
			t.Fatalf("second import %+v", again)
		}
		if n := MustCount(t, db, `SELECT count(*) FROM birth_notifications`); n != 3 {
			t.Fatalf("%d notifications after the same file twice", n)
		}
		_ = before
		// The same rows in another file (another separator): existing.
		other, err := db.ImportBirthBatch(ctx, clinicZonnedal, []byte(strings.ReplaceAll(strings.TrimPrefix(string(good), "\ufeff"), ";", ",")), false)
		if err != nil {
			t.Fatal(err)
		}
		if other.AlreadyReceived || other.Created != 0 || other.Existing != 3 || other.BatchID == rep.BatchID {
			t.Fatalf("same rows, other file %+v", other)
		}
		// Another clinic with the same rows: its own notifications (flagged as duplicates).
		theirs, err := db.ImportBirthBatch(ctx, clinicMaanhof, good, false)
		if err != nil || theirs.Created != 3 {
			t.Fatalf("other clinic %+v %v", theirs, err)
		}

		// A file with errors: rejected whole, nothing written.
		// (Its good row with a mother not notified before.)
		bad := []byte(strings.Replace(string(readBatch(t, "FICTIEF_fouten.csv")), "An Peeters", "Lies Maes", 1))
		before = birthCounts(t, db)
		rej, err := db.ImportBirthBatch(ctx, clinicZonnedal, bad, false)
		if err != nil {
			t.Fatal(err)
		}
		if rej.Accepted || rej.Created != 0 || rej.Rejected != 2 || rej.BatchID != 0 || len(rej.Problems) != 2 {
			t.Fatalf("rejected %+v", rej)
		}
		if got := []string{rej.Rows[0].Status, rej.Rows[1].Status, rej.Rows[2].Status}; strings.Join(got, " ") != "not_imported rejected rejected" {
			t.Fatalf("row statuses %v", got)
		}
		if after := birthCounts(t, db); after != before {
			t.Fatalf("a rejected batch wrote: %s → %s", before, after)
		}
		// Asked for: the good rows go in, and the report says which.
		part, err := db.ImportBirthBatch(ctx, clinicZonnedal, bad, true)
		if err != nil {
			t.Fatal(err)
		}
		if !part.Accepted || !part.AcceptPartial || part.Created != 1 || part.Rejected != 2 || part.Rows[0].Status != birth.RowCreated || part.Rows[0].ID == 0 ||
			part.Rows[1].Status != birth.RowRejected || part.Rows[1].ID != 0 {
			t.Fatalf("partial %+v", part)
		}
		if evs, _ := db.AuditEvents(ctx, audit.Filter{Action: "birth.batch", ObjectID: strconv.FormatInt(part.BatchID, 10)}); len(evs) != 1 || !strings.Contains(evs[0].Detail, "partial=true") {
			t.Fatalf("batch audit %+v", evs)
		}
		// A file that is no batch: its code, nothing written; a batch of
		// a team lead: refused, one denied event, nothing else written.
		before = birthCounts(t, db)
		denied := len(deniedEvents(t, db, "birth.batch"))
		_, err = db.ImportBirthBatch(ctx, clinicZonnedal, readBatch(t, "FICTIEF_rijksregisternummer.csv"), true)
		WantCode(t, err, apperr.UnknownColumn)
		_, err = db.ImportBirthBatch(ctx, birthLeadNoord, good, true)
		WantCode(t, err, apperr.Forbidden)
		if after := birthCounts(t, db); after != before {
			t.Fatalf("a refused file wrote: %s → %s", before, after)
		}
		if n := len(deniedEvents(t, db, "birth.batch")); n != denied+1 {
			t.Errorf("%d denied birth.batch events, want %d", n, denied+1)
		}
	})
}

// TestBirthBatchRejectedWritesNothing runs the fuzz seeds and mutations of
// the test files through the store: a batch with any rejected row writes
// nothing (without accept_partial), an accepted one exactly its rows.
func TestBirthBatchRejectedWritesNothing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		db.Now = func() time.Time { return time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC) }
		var inputs [][]byte
		for _, name := range []string{"FICTIEF_nl_bom_puntkomma.csv", "FICTIEF_en_komma.csv", "FICTIEF_fouten.csv", "FICTIEF_rijksregisternummer.csv"} {
			b := readBatch(t, name)
			inputs = append(inputs, b, b[:len(b)/2], b[:len(b)*3/4])
			inputs = append(inputs, []byte(strings.Replace(string(b), "2235", "2000", 1)), []byte(strings.Replace(string(b), "nl", "xx", 2)))
			inputs = append(inputs, []byte(strings.Replace(string(b), "\n", "\n\"", 2)))
		}
		for i, in := range inputs {
			before := MustCount(t, db, `SELECT count(*) FROM birth_notifications`)
			beforeAll := birthCounts(t, db)
			rep, err := db.ImportBirthBatch(ctx, clinicZonnedal, in, false)
			after := MustCount(t, db, `SELECT count(*) FROM birth_notifications`)
			switch {
			case err != nil || !rep.Accepted:
				if a := birthCounts(t, db); a != beforeAll {
					t.Errorf("input %d refused (%v) but wrote: %s → %s", i, err, beforeAll, a)
				}
			case rep.Rejected > 0:
				t.Errorf("input %d accepted with rejected rows", i)
			case after-before != rep.Created:
				t.Errorf("input %d: %d rows written, report says %d created", i, after-before, rep.Created)
			}
		}
	})
}

// TestBirthEscalationAndRetention: a notification nobody picked up is
// escalated once (a flag, an outbox notice without personal data); the
// parents' data go six months after the first contact or the escalation;
// every step audited.
func TestBirthEscalationAndRetention(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		now := birthNow
		db.Now = func() time.Time { return now }
		idle := mustNotify(t, db, clinicZonnedal, family("An Peeters", "2025-01-15"))
		picked := mustNotify(t, db, clinicZonnedal, family("Els Wouters", "2025-01-15"))
		queueIn := family("Sofie Janssens", "2025-01-15")
		queueIn.Mother.MunicipalityNIS, queueIn.Mother.Postcode = "21004", "1000"
		queued := mustNotify(t, db, clinicZonnedal, queueIn)
		if _, err := db.RecordBirthContact(ctx, teamWorker, picked.ID, birth.NewContact{On: "2025-01-22", Channel: "phone", Reached: true}); err == nil {
			t.Fatal("a contact in the future was accepted")
		}
		now = now.AddDate(0, 0, 3) // 23 January
		if _, err := db.RecordBirthContact(ctx, teamWorker, picked.ID, birth.NewContact{On: "2025-01-22", Channel: "phone", Reached: true}); err != nil {
			t.Fatal(err)
		}
		policy := birth.Policy{} // defaults: 14 days, 6 months
		now = birthNow.AddDate(0, 0, 13)
		if esc, err := db.EscalateBirthNotifications(ctx, now, policy, false); err != nil || len(esc) != 0 {
			t.Fatalf("after 13 days: %+v %v", esc, err)
		}
		now = birthNow.AddDate(0, 0, 15)
		dry, err := db.EscalateBirthNotifications(ctx, now, policy, true)
		if err != nil || len(dry) != 2 || MustCount(t, db, `SELECT count(*) FROM outbox`) != 0 {
			t.Fatalf("dry run %+v %v", dry, err)
		}
		esc, err := db.EscalateBirthNotifications(ctx, now, policy, false)
		if err != nil || len(esc) != 2 || esc[0].ID != idle.ID || esc[0].Team != "team-noord" || esc[1].ID != queued.ID || esc[1].Team != "" {
			t.Fatalf("escalated %+v %v", esc, err)
		}
		rows, err := db.OutboxRows(ctx)
		if err != nil || len(rows) != 2 {
			t.Fatalf("outbox %+v %v", rows, err)
		}
		for i, want := range []string{"team-noord", "opgroeien"} {
			if rows[i].Kind != store.KindBirthEscalated || rows[i].OrgKey != want || strings.Contains(rows[i].Payload, "Peeters") || strings.Contains(rows[i].Payload, "Janssens") {
				t.Errorf("outbox row %+v", rows[i])
			}
		}
		if again, _ := db.EscalateBirthNotifications(ctx, now, policy, false); len(again) != 0 {
			t.Fatalf("escalated twice: %+v", again)
		}
		list, _ := allBirths(ctx, db, birthLeadNoord, birth.Filter{}, "created_at")
		if list[0].EscalatedAt == nil || list[1].EscalatedAt != nil {
			t.Fatalf("flags %+v", list)
		}
		if evs := birthEvents(t, db, idle.ID, "birth.escalate"); len(evs) != 1 || evs[0].ActorEmail != "system" {
			t.Fatalf("escalation audit %+v", evs)
		}

		// Retention: six months after the first contact (22 January) and
		// after the escalation (4 February).
		now = time.Date(2025, 7, 21, 12, 0, 0, 0, time.UTC)
		if p, err := db.PurgeBirthNotifications(ctx, now, policy, false); err != nil || len(p) != 0 {
			t.Fatalf("before six months: %+v %v", p, err)
		}
		now = time.Date(2025, 7, 22, 12, 0, 0, 0, time.UTC)
		before := birthCounts(t, db)
		dryP, err := db.PurgeBirthNotifications(ctx, now, policy, true)
		if err != nil || len(dryP) != 1 || dryP[0].ID != picked.ID || dryP[0].Reason != store.BirthReasonContacted || birthCounts(t, db) != before {
			t.Fatalf("dry run %+v %v", dryP, err)
		}
		p, err := db.PurgeBirthNotifications(ctx, now, policy, false)
		if err != nil || len(p) != 1 || p[0].ID != picked.ID {
			t.Fatalf("purged %+v %v", p, err)
		}
		now = time.Date(2025, 8, 5, 12, 0, 0, 0, time.UTC)
		p, err = db.PurgeBirthNotifications(ctx, now, policy, false)
		if err != nil || len(p) != 2 || p[0].Reason != store.BirthReasonEscalated {
			t.Fatalf("purged %+v %v", p, err)
		}
		if n := MustCount(t, db, `SELECT count(*) FROM birth_parents`); n != 0 {
			t.Fatalf("%d parents left", n)
		}
		for _, id := range []int64{idle.ID, picked.ID, queued.ID} {
			evs := birthEvents(t, db, id, "birth.retention_delete")
			if len(evs) != 1 || evs[0].Purpose != "retention" {
				t.Errorf("retention audit of %d: %+v", id, evs)
			}
		}
		n, err := db.BirthNotification(ctx, adminActor, picked.ID)
		if err != nil || n.Mother != nil || n.ChildBirthDate != "2025-01-01" || n.DataDeletedAt == nil || n.Status != birth.Contacted {
			t.Fatalf("after retention %+v %v", n, err)
		}
		if p, _ := db.PurgeBirthNotifications(ctx, now, policy, false); len(p) != 0 {
			t.Fatalf("purged twice: %+v", p)
		}
		// Nothing left to work on.
		_, err = db.RecordBirthContact(ctx, teamWorker, idle.ID, birth.NewContact{Channel: "phone"})
		WantCode(t, err, apperr.InvalidState)

		// A shorter policy.
		now = time.Date(2025, 8, 10, 12, 0, 0, 0, time.UTC)
		short := mustNotify(t, db, clinicZonnedal, family("Lies Maes", "2025-08-01"))
		now = now.AddDate(0, 0, 3)
		if esc, _ := db.EscalateBirthNotifications(ctx, now, birth.Policy{EscalateAfterDays: 2, RetentionMonths: 1}, false); len(esc) != 1 || esc[0].ID != short.ID {
			t.Fatalf("short escalation %+v", esc)
		}
		now = now.AddDate(0, 1, 0)
		if p, _ := db.PurgeBirthNotifications(ctx, now, birth.Policy{RetentionMonths: 1}, false); len(p) != 1 {
			t.Fatalf("short retention %+v", p)
		}
	})
}

// TestBirthStartReferral: a referral draft with the parents' details,
// through the referral flow (its area rule, its audit, its consent).
func TestBirthStartReferral(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		in := family("An Peeters", "2025-01-15")
		in.CoParent = &birth.Parent{Name: "Bram Peeters", Phone: "0470 11 22 33"}
		s := mustNotify(t, db, clinicZonnedal, in)
		for _, a := range []account.Actor{clinicZonnedal, birthLeadZuid, ocmwWorker} {
			_, err := db.StartReferralFromBirth(ctx, a, s.ID, birth.StartReferral{})
			WantCode(t, err, apperr.NotFound)
		}
		_, err := db.StartReferralFromBirth(ctx, adminActor, s.ID, birth.StartReferral{})
		WantCode(t, err, apperr.Forbidden)
		_, err = db.StartReferralFromBirth(ctx, teamWorker, s.ID, birth.StartReferral{Criteria: []string{"nonsense"}})
		WantCode(t, err, apperr.Invalid)
		r, err := db.StartReferralFromBirth(ctx, teamWorker, s.ID, birth.StartReferral{Criteria: []string{"income"}, Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != referral.Draft || r.Team != "team-noord" || r.MunicipalityNIS != "13016" || len(r.Parents) != 2 ||
			r.Parents[0].Name != "An Peeters" || r.Parents[1].Street != "Kerkstraat" || !slices.Equal(r.Criteria, []string{"income"}) {
			t.Fatalf("referral %+v", r)
		}
		// Its own consent still rules.
		_, err = db.Send(ctx, teamWorker, r.ID)
		WantCode(t, err, apperr.ConsentMissing)
		if evs, _ := db.AuditEvents(ctx, audit.Filter{Action: "referral.create", ObjectID: strconv.FormatInt(r.ID, 10)}); len(evs) != 1 {
			t.Fatalf("the referral's own audit %+v", evs)
		}
		evs := birthEvents(t, db, s.ID, "birth.referral_start")
		if len(evs) != 1 || evs[0].Purpose != "referral" || !strings.Contains(evs[0].Detail, strconv.FormatInt(r.ID, 10)) {
			t.Fatalf("audit %+v", evs)
		}
		n, _ := db.BirthNotification(ctx, teamWorker, s.ID)
		if n.ReferralID != r.ID {
			t.Fatalf("notification %+v", n.Summary)
		}
		_, err = db.StartReferralFromBirth(ctx, teamWorker, s.ID, birth.StartReferral{})
		WantCode(t, err, apperr.InvalidState)

		// A 2024 birth in Kortessem: the referral goes to Hasselt, its
		// municipality today.
		k := family("Lies Maes", "2024-12-15")
		k.Mother.MunicipalityNIS, k.Mother.Postcode = "73040", "3720"
		ks := mustNotify(t, db, clinicZonnedal, k)
		r, err = db.StartReferralFromBirth(ctx, birthLeadZuid, ks.ID, birth.StartReferral{})
		if err != nil {
			t.Fatal(err)
		}
		if r.MunicipalityNIS != "71072" || r.Parents[0].MunicipalityNIS != "71072" || r.Recipient != "ocmw-71072" || len(r.Parents) != 1 {
			t.Fatalf("referral from Kortessem %+v", r)
		}
	})
}

// TestBirthStatistics: per clinic and month, and per team the share
// reached within 14 days, small counts suppressed; Opgroeien only.
func TestBirthStatistics(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		now := time.Date(2025, 1, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		var noord []int64
		for i := range 12 {
			s := mustNotify(t, db, clinicZonnedal, family(fmt.Sprintf("Ouder %d", i), "2025-01-01"))
			noord = append(noord, s.ID)
		}
		for i := range 6 {
			in := family(fmt.Sprintf("Moeder %d", i), "2025-01-01")
			in.Mother.MunicipalityNIS, in.Mother.Postcode = "11002", "2000"
			mustNotify(t, db, clinicMaanhof, in)
		}
		now = time.Date(2025, 2, 3, 9, 0, 0, 0, time.UTC)
		for i := range 2 {
			mustNotify(t, db, clinicMaanhof, family(fmt.Sprintf("Februari %d", i), "2025-02-01"))
		}
		// Six of team-noord's January families reached in time, five late,
		// one never.
		for i, id := range noord[:11] {
			on := "2025-01-10"
			if i >= 6 {
				on = "2025-01-20"
			}
			if _, err := db.RecordBirthContact(ctx, teamWorker, id, birth.NewContact{On: on, Channel: "phone", Reached: true}); err != nil {
				t.Fatal(err)
			}
		}
		// The first quarter is published once it has ended and settled (14
		// days for the contact target): not yet on 3 February.
		_, err := db.BirthStatistics(ctx, analystActor, d("2025-01-01"), d("2025-02-01"))
		WantCode(t, err, apperr.InvalidDate)
		now = time.Date(2025, 4, 16, 9, 0, 0, 0, time.UTC)
		st, err := db.BirthStatistics(ctx, analystActor, d("2025-01-01"), d("2025-02-01"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(st)
		var got struct {
			Months  []string `json:"months"`
			Clinics []struct {
				Clinic string `json:"clinic"`
				Counts []any  `json:"counts"`
			} `json:"clinics"`
			Teams []struct {
				Team          string   `json:"team"`
				Notifications any      `json:"notifications"`
				Reached       any      `json:"reached_in_time"`
				Share         *float64 `json:"share"`
			} `json:"teams"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Months) != 3 || len(got.Clinics) != 2 || got.Clinics[0].Clinic != "clinic-maanhof" {
			t.Fatalf("statistics %s", b)
		}
		// Maanhof's 2 of February are hidden, and so is what would give
		// them away; the grand total shows.
		if got.Clinics[0].Counts[1] != "<5" || got.Clinics[1].Counts[1] != float64(0) || st.Total.Suppressed || st.Total.Value != 20 {
			t.Errorf("clinic counts %s", b)
		}
		if st.Clinics[0].Total.String() == "8" && st.MonthTotals[1].String() == "2" {
			t.Errorf("the small count can be recovered: %s", b)
		}
		// team-noord: 14 counted (the 2 of February past the 14 days too),
		// 6 in time, shown rounded to 5 as 15 and 5, the share from the
		// rounded counts; team-zuid none of its 6.
		if len(got.Teams) != 2 || got.Teams[0].Team != "team-noord" || got.Teams[0].Notifications != float64(15) || got.Teams[0].Reached != float64(5) ||
			got.Teams[0].Share == nil || *got.Teams[0].Share != 0.333 {
			t.Errorf("teams %s", b)
		}
		if got.Teams[1].Team != "team-zuid" || got.Teams[1].Share == nil || *got.Teams[1].Share != 0 {
			t.Errorf("team-zuid %s", b)
		}
		for _, a := range []account.Actor{birthLeadNoord, clinicZonnedal, ocmwWorker} {
			_, err := db.BirthStatistics(ctx, a, d("2025-01-01"), d("2025-02-01"))
			WantCode(t, err, apperr.Forbidden)
		}
	})
}
