package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/org"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

func orgNewTeam(key, name string, from time.Time, nis ...string) org.NewTeam {
	return org.NewTeam{Key: key, Name: name, Municipalities: nis, From: from}
}

func orgNewClinic(key, name string) org.NewClinic { return org.NewClinic{Key: key, Name: name} }

// MustTeam returns a team's service area on a day.
func MustTeam(tb testing.TB, db *store.DB, key, on string) org.Team {
	tb.Helper()
	tm, err := db.Team(context.Background(), key, MustDay(tb, on))
	if err != nil {
		tb.Fatalf("Team(%s, %s): %v", key, on, err)
	}
	return tm
}

func TestCreateTeam(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		admin := MustActor(t, db, "admin@example.test", account.Admin, "opgroeien")
		from := MustDay(t, "2023-01-01")

		t.Run("OK", func(t *testing.T) {
			tm, err := db.CreateTeam(ctx, admin, org.NewTeam{Key: " team-kempen ", Name: " Lokaal team Kempen ", Municipalities: []string{"13016", " 13001"}, From: from})
			if err != nil {
				t.Fatalf("CreateTeam: %v", err)
			}
			want := org.Team{Key: "team-kempen", Name: "Lokaal team Kempen", Municipalities: []string{"13001", "13016"}, ValidFrom: from, AreaFrom: from}
			if diff := cmp.Diff(want, tm); diff != "" {
				t.Errorf("created team (-want +got):\n%s", diff)
			}
			o, err := db.Organisation(ctx, "team-kempen")
			if err != nil || o.Kind != account.KindTeam {
				t.Errorf("Organisation(team-kempen) = %+v, %v", o, err)
			}
			evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.TeamCreate, ObjectID: "team-kempen"})
			if err != nil || len(evs) != 1 || evs[0].ActorUserID != admin.UserID {
				t.Errorf("team.create events: %+v, %v", evs, err)
			}
			teams, err := db.Teams(ctx, MustDay(t, "2023-03-08"))
			if err != nil || len(teams) != 1 || teams[0].Key != "team-kempen" {
				t.Errorf("Teams = %+v, %v", teams, err)
			}
			if key, err := db.TeamFor(ctx, "13016", MustDay(t, "2022-12-31")); err != nil || key != "" {
				t.Errorf("TeamFor before the area starts = %q, %v; want none", key, err)
			}
		})

		tests := []struct {
			name     string
			actor    account.Actor
			in       org.NewTeam
			wantCode string
		}{
			{"ErrKeyWithoutPrefix", admin, orgNewTeam("kempen-2", "Kempen 2", from, "13002"), apperr.Invalid},
			{"ErrKeyOtherPrefix", admin, orgNewTeam("clinic-kempen", "Kempen 2", from, "13002"), apperr.Invalid},
			{"ErrKeyUpperCase", admin, orgNewTeam("team-Kempen", "Kempen 2", from, "13002"), apperr.Invalid},
			{"ErrKeyEmptySlug", admin, orgNewTeam("team-", "Kempen 2", from, "13002"), apperr.Invalid},
			{"ErrKeySpace", admin, orgNewTeam("team-kempen noord", "Kempen 2", from, "13002"), apperr.Invalid},
			{"ErrEmptyName", admin, orgNewTeam("team-kempen-2", "  ", from, "13002"), apperr.Invalid},
			{"ErrEmptyArea", admin, orgNewTeam("team-kempen-2", "Kempen 2", from), apperr.Invalid},
			{"ErrUnknownNIS", admin, orgNewTeam("team-kempen-2", "Kempen 2", from, "99999"), apperr.Invalid},
			{"ErrBrusselsNIS", admin, orgNewTeam("team-kempen-2", "Kempen 2", from, "21004"), apperr.Invalid},
			{"ErrDuplicateNIS", admin, orgNewTeam("team-kempen-2", "Kempen 2", from, "13002", "13002"), apperr.Invalid},
			{"ErrMergedCodeBeforeMerger", admin, orgNewTeam("team-hasselt", "Hasselt", MustDay(t, "2023-01-01"), "71072"), apperr.Invalid},
			{"ErrEndedCodeAfterMerger", admin, orgNewTeam("team-hasselt", "Hasselt", MustDay(t, "2025-06-01"), "73040"), apperr.Invalid},
			{"ErrNoDate", admin, orgNewTeam("team-kempen-2", "Kempen 2", time.Time{}, "13002"), apperr.InvalidDate},
			{"ErrAreaTaken", admin, orgNewTeam("team-kempen-2", "Kempen 2", from, "13002", "13016"), apperr.Conflict},
			{"ErrAreaTakenLater", admin, orgNewTeam("team-kempen-2", "Kempen 2", MustDay(t, "2026-01-01"), "13001"), apperr.Conflict},
			{"ErrDuplicateKey", admin, orgNewTeam("team-kempen", "Kempen bis", from, "13002"), apperr.Duplicate},
			{"ErrForbiddenOCMWAdmin", account.Actor{UserID: admin.UserID, Role: account.OCMWAdmin, Org: "ocmw-13016", OrgKind: account.KindOCMW},
				orgNewTeam("team-kempen-2", "Kempen 2", from, "13002"), apperr.Forbidden},
			{"ErrForbiddenAnalyst", account.Actor{UserID: admin.UserID, Role: account.Analyst, Org: "opgroeien", OrgKind: account.KindOpgroeien},
				orgNewTeam("team-kempen-2", "Kempen 2", from, "13002"), apperr.Forbidden},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := Counts(t, db)
				_, err := db.CreateTeam(ctx, tt.actor, tt.in)
				WantCode(t, err, tt.wantCode)
				WantUnchanged(t, db, before)
			})
		}

		t.Run("ForbiddenForRealTeamLead", func(t *testing.T) {
			lead := MustActor(t, db, "lead@example.test", account.TeamLead, "team-kempen")
			before := Counts(t, db)
			_, err := db.CreateTeam(ctx, lead, orgNewTeam("team-kempen-3", "Kempen 3", from, "13002"))
			WantCode(t, err, apperr.Forbidden)
			WantUnchanged(t, db, before)
		})
	})
}

func TestUpdateTeam(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		admin := MustActor(t, db, "admin@example.test", account.Admin, "opgroeien")
		if _, err := db.CreateTeam(ctx, admin, orgNewTeam("team-hasselt", "Team Hasselt", MustDay(t, "2022-01-01"), "71022", "73040")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateTeam(ctx, admin, orgNewTeam("team-gent", "Team Gent", MustDay(t, "2022-01-01"), "44021")); err != nil {
			t.Fatal(err)
		}
		newArea := []string{"71072", "71004"}
		up := org.TeamUpdate{Municipalities: &newArea, From: MustDay(t, "2025-01-01")}
		updated, err := db.UpdateTeam(ctx, admin, "team-hasselt", up)
		if err != nil {
			t.Fatalf("UpdateTeam: %v", err)
		}

		t.Run("ReturnsNewArea", func(t *testing.T) {
			if diff := cmp.Diff([]string{"71004", "71072"}, updated.Municipalities); diff != "" {
				t.Errorf("returned area (-want +got):\n%s", diff)
			}
		})

		t.Run("AreaOnDay", func(t *testing.T) {
			for _, tt := range []struct {
				on   string
				want []string
			}{
				{"2021-12-31", []string{}},
				{"2022-01-01", []string{"71022", "73040"}},
				{"2024-12-31", []string{"71022", "73040"}},
				{"2025-01-01", []string{"71004", "71072"}},
				{"2030-01-01", []string{"71004", "71072"}},
			} {
				tm := MustTeam(t, db, "team-hasselt", tt.on)
				if diff := cmp.Diff(tt.want, tm.Municipalities); diff != "" {
					t.Errorf("area on %s (-want +got):\n%s", tt.on, diff)
				}
			}
			if tm := MustTeam(t, db, "team-hasselt", "2025-01-01"); !tm.AreaFrom.Equal(MustDay(t, "2025-01-01")) {
				t.Errorf("area_from on 2025-01-01 = %v", tm.AreaFrom)
			}
		})

		t.Run("TeamFor", func(t *testing.T) {
			for _, tt := range []struct{ nis, on, want string }{
				{"71022", "2024-12-31", "team-hasselt"},
				{"73040", "2024-12-31", "team-hasselt"},
				{"71004", "2024-12-31", ""},
				{"71072", "2024-12-31", ""},
				{"71022", "2025-01-01", ""},
				{"71004", "2025-01-01", "team-hasselt"},
				{"71072", "2025-01-01", "team-hasselt"},
				{"44021", "2023-03-08", "team-gent"},
				{"44021", "2021-12-31", ""},
				{"11002", "2023-03-08", ""},
			} {
				got, err := db.TeamFor(ctx, tt.nis, MustDay(t, tt.on))
				if err != nil || got != tt.want {
					t.Errorf("TeamFor(%s, %s) = %q, %v; want %q", tt.nis, tt.on, got, err, tt.want)
				}
			}
		})

		t.Run("Audited", func(t *testing.T) {
			if got := AuditActions(t, db, audit.Filter{Action: audit.TeamUpdate, ObjectID: "team-hasselt"}); len(got) != 1 {
				t.Errorf("team.update events: %v", got)
			}
		})

		t.Run("Rename", func(t *testing.T) {
			name := " Team Gent-Centrum "
			if _, err := db.UpdateTeam(ctx, admin, "team-gent", org.TeamUpdate{Name: &name}); err != nil {
				t.Fatal(err)
			}
			if tm := MustTeam(t, db, "team-gent", "2023-03-08"); tm.Name != "Team Gent-Centrum" || len(tm.Municipalities) != 1 {
				t.Errorf("renamed team %+v", tm)
			}
		})

		area := func(nis ...string) *[]string { return &nis }
		empty := ""
		tests := []struct {
			name     string
			actor    account.Actor
			key      string
			up       org.TeamUpdate
			wantCode string
		}{
			{"ErrDateNotAfterCurrentArea", admin, "team-hasselt", org.TeamUpdate{Municipalities: area("71072"), From: MustDay(t, "2025-01-01")}, apperr.InvalidDate},
			{"ErrDateBeforeCurrentArea", admin, "team-hasselt", org.TeamUpdate{Municipalities: area("71022"), From: MustDay(t, "2024-06-01")}, apperr.InvalidDate},
			{"ErrNoDate", admin, "team-hasselt", org.TeamUpdate{Municipalities: area("71072")}, apperr.InvalidDate},
			{"ErrEndedCode", admin, "team-hasselt", org.TeamUpdate{Municipalities: area("71022"), From: MustDay(t, "2026-01-01")}, apperr.Invalid},
			{"ErrEmptyArea", admin, "team-hasselt", org.TeamUpdate{Municipalities: area(), From: MustDay(t, "2026-01-01")}, apperr.Invalid},
			{"ErrAreaTaken", admin, "team-hasselt", org.TeamUpdate{Municipalities: area("71072", "44021"), From: MustDay(t, "2026-01-01")}, apperr.Conflict},
			{"ErrEmptyName", admin, "team-hasselt", org.TeamUpdate{Name: &empty}, apperr.Invalid},
			{"ErrNothingToChange", admin, "team-hasselt", org.TeamUpdate{}, apperr.Invalid},
			{"ErrUnknownTeam", admin, "team-nowhere", org.TeamUpdate{Name: &empty}, apperr.NotFound},
			{"ErrOCMWIsNoTeam", admin, "ocmw-11002", org.TeamUpdate{Municipalities: area("11002"), From: MustDay(t, "2026-01-01")}, apperr.NotFound},
			{"ErrForbidden", account.Actor{UserID: admin.UserID, Role: account.TeamLead, Org: "team-hasselt", OrgKind: account.KindTeam},
				"team-hasselt", org.TeamUpdate{Municipalities: area("71072"), From: MustDay(t, "2026-01-01")}, apperr.Forbidden},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := Counts(t, db)
				_, err := db.UpdateTeam(ctx, tt.actor, tt.key, tt.up)
				WantCode(t, err, tt.wantCode)
				WantUnchanged(t, db, before)
			})
		}

		t.Run("FreedMunicipalityCanBeTaken", func(t *testing.T) {
			// team-gent gives up 44021 from 2026: another team may take it from
			// then on, not before.
			if _, err := db.UpdateTeam(ctx, admin, "team-gent", org.TeamUpdate{Municipalities: area("44083"), From: MustDay(t, "2026-01-01")}); err != nil {
				t.Fatal(err)
			}
			before := Counts(t, db)
			_, err := db.CreateTeam(ctx, admin, orgNewTeam("team-gent-2", "Team Gent 2", MustDay(t, "2025-06-01"), "44021"))
			WantCode(t, err, apperr.Conflict)
			WantUnchanged(t, db, before)
			if _, err := db.CreateTeam(ctx, admin, orgNewTeam("team-gent-2", "Team Gent 2", MustDay(t, "2026-01-01"), "44021")); err != nil {
				t.Fatalf("CreateTeam with a freed municipality: %v", err)
			}
			for _, tt := range []struct{ on, want string }{{"2025-12-31", "team-gent"}, {"2026-01-01", "team-gent-2"}} {
				if got, err := db.TeamFor(ctx, "44021", MustDay(t, tt.on)); err != nil || got != tt.want {
					t.Errorf("TeamFor(44021, %s) = %q, %v; want %q", tt.on, got, err, tt.want)
				}
			}
		})
	})
}

func TestCreateClinic(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		admin := MustActor(t, db, "admin@example.test", account.Admin, "opgroeien")

		t.Run("OK", func(t *testing.T) {
			o, err := db.CreateClinic(ctx, admin, orgNewClinic("clinic-zonnedal", " Kraamkliniek Zonnedal "))
			if err != nil {
				t.Fatalf("CreateClinic: %v", err)
			}
			if o.Key != "clinic-zonnedal" || o.Kind != account.KindClinic || o.Name != "Kraamkliniek Zonnedal" {
				t.Errorf("clinic %+v", o)
			}
			if got := AuditActions(t, db, audit.Filter{Action: audit.ClinicCreate, ObjectID: "clinic-zonnedal"}); len(got) != 1 {
				t.Errorf("clinic.create events: %v", got)
			}
			list, err := db.Organisations(ctx, org.Filter{Kind: "clinic"})
			if err != nil || len(list) != 1 {
				t.Errorf("clinics: %+v, %v", list, err)
			}
			// A user of the clinic can now exist.
			MustCreateUser(t, db, "vroedvrouw@example.test", account.Clinic, "clinic-zonnedal")
		})

		for _, tt := range []struct {
			name     string
			actor    account.Actor
			in       org.NewClinic
			wantCode string
		}{
			{"ErrDuplicateKey", admin, orgNewClinic("clinic-zonnedal", "Andere naam"), apperr.Duplicate},
			{"ErrDuplicateOfOtherKind", admin, orgNewClinic("opgroeien", "Opgroeien"), apperr.Invalid},
			{"ErrBadKeyPrefix", admin, orgNewClinic("team-zonnedal", "Zonnedal"), apperr.Invalid},
			{"ErrBadKeyChars", admin, orgNewClinic("clinic-Zonne_dal", "Zonnedal"), apperr.Invalid},
			{"ErrEmptyName", admin, orgNewClinic("clinic-leeg", ""), apperr.Invalid},
			{"ErrForbidden", account.Actor{UserID: admin.UserID, Role: account.DPO, Org: "opgroeien", OrgKind: account.KindOpgroeien},
				orgNewClinic("clinic-dpo", "DPO kliniek"), apperr.Forbidden},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := Counts(t, db)
				_, err := db.CreateClinic(ctx, tt.actor, tt.in)
				WantCode(t, err, tt.wantCode)
				WantUnchanged(t, db, before)
			})
		}
	})
}

func TestSetInboxEmail(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		admin := MustActor(t, db, "admin@example.test", account.Admin, "opgroeien")
		ocmwAdmin := MustActor(t, db, "beheer@example.test", account.OCMWAdmin, "ocmw-13016")

		if err := db.SetInboxEmail(ctx, ocmwAdmin, "ocmw-13016", "sociale.dienst@hulshout.test"); err != nil {
			t.Fatalf("own OCMW: %v", err)
		}
		if o, _ := db.Organisation(ctx, "ocmw-13016"); o.InboxEmail != "sociale.dienst@hulshout.test" {
			t.Errorf("inbox %q", o.InboxEmail)
		}
		if got := AuditActions(t, db, audit.Filter{Action: audit.OrgUpdate, ObjectID: "ocmw-13016"}); len(got) != 1 {
			t.Errorf("organisation.update events: %v", got)
		}
		before := Counts(t, db)
		WantCode(t, db.SetInboxEmail(ctx, ocmwAdmin, "ocmw-11002", "x@example.test"), apperr.Forbidden)
		WantCode(t, db.SetInboxEmail(ctx, admin, "opgroeien", "x@example.test"), apperr.NotFound)
		WantUnchanged(t, db, before)
	})
}
