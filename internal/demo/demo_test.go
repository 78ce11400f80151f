package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/demo"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

func mustDay(tb testing.TB, s string) time.Time {
	tb.Helper()
	d, err := municipality.ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func counts(tb testing.TB, db *store.DB) map[string]int {
	tb.Helper()
	out := map[string]int{}
	for _, table := range []string{"organisations", "team_areas", "users", "api_tokens", "sessions", "audit_events"} {
		var n int
		if err := db.SQL().QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			tb.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func TestLoad(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if err := demo.Load(ctx, db); err != nil {
			t.Fatalf("Load: %v", err)
		}

		for _, on := range []string{"2023-03-08", "2024-12-31", "2025-01-01"} {
			t.Run("EveryMunicipalityOneTeam/"+on, func(t *testing.T) {
				day := mustDay(t, on)
				teams, err := db.Teams(ctx, day)
				if err != nil {
					t.Fatal(err)
				}
				coveredBy := map[string][]string{}
				for _, tm := range teams {
					for _, nis := range tm.Municipalities {
						coveredBy[nis] = append(coveredBy[nis], tm.Key)
					}
				}
				flemish := db.Municipalities.On(day, municipality.Flanders)
				for _, m := range flemish {
					if got := coveredBy[m.NIS]; len(got) != 1 {
						t.Errorf("%s %s is covered by %v on %s, want exactly one team", m.NIS, m.Name, got, on)
					}
					key, err := db.TeamFor(ctx, m.NIS, day)
					if err != nil || key == "" || (len(coveredBy[m.NIS]) == 1 && key != coveredBy[m.NIS][0]) {
						t.Errorf("TeamFor(%s, %s) = %q, %v; teams list %v", m.NIS, on, key, err, coveredBy[m.NIS])
					}
				}
				if len(coveredBy) != len(flemish) {
					t.Errorf("teams cover %d codes on %s, want the %d Flemish municipalities of that day", len(coveredBy), on, len(flemish))
				}
			})
		}

		t.Run("MergedMunicipalitiesMoveOn", func(t *testing.T) {
			before, _ := db.TeamFor(ctx, "73040", mustDay(t, "2024-12-31"))
			after, _ := db.TeamFor(ctx, "71072", mustDay(t, "2025-01-01"))
			if before == "" || after == "" {
				t.Errorf("Kortessem 73040 in %q on 2024-12-31, Hasselt 71072 in %q on 2025-01-01", before, after)
			}
			if gone, _ := db.TeamFor(ctx, "73040", mustDay(t, "2025-01-01")); gone != "" {
				t.Errorf("73040 still in %s after the merger", gone)
			}
		})

		t.Run("Clinics", func(t *testing.T) {
			list, err := db.Organisations(ctx, org.Filter{Kind: "clinic"})
			if err != nil || len(list) != len(demo.Clinics) {
				t.Errorf("clinics %+v, %v", list, err)
			}
		})

		t.Run("AccountsOnePerRole", func(t *testing.T) {
			var roles []account.Role
			for _, a := range demo.Accounts {
				roles = append(roles, account.Role(a.Role))
			}
			if diff := cmp.Diff(account.Roles, roles); diff != "" {
				t.Errorf("demo roles (-want +got):\n%s", diff)
			}
		})

		for _, a := range demo.Accounts {
			t.Run("Account/"+a.Role, func(t *testing.T) {
				o, err := db.Organisation(ctx, a.Org)
				if err != nil {
					t.Fatalf("organisation %s of %s: %v", a.Org, a.Email, err)
				}
				if !account.Role(a.Role).AllowedAt(o.Kind) {
					t.Errorf("%s is %s at %s, a %s", a.Email, a.Role, a.Org, o.Kind)
				}
				s, err := db.Login(ctx, a.Email, demo.Password, "192.0.2.50", "")
				if err != nil {
					t.Fatalf("login %s: %v", a.Email, err)
				}
				if s.Actor.Role != account.Role(a.Role) || s.Actor.Org != a.Org {
					t.Errorf("signed in as %s at %s, want %s at %s", s.Actor.Role, s.Actor.Org, a.Role, a.Org)
				}
			})
		}

		t.Run("SecondLoadRefused", func(t *testing.T) {
			before := counts(t, db)
			err := demo.Load(ctx, db)
			if apperr.Code(err) != apperr.Conflict {
				t.Fatalf("second Load: %v, want conflict", err)
			}
			if diff := cmp.Diff(before, counts(t, db)); diff != "" {
				t.Errorf("second Load changed rows (-before +after):\n%s", diff)
			}
		})
	})
}

func TestTeamsCoverFlanders(t *testing.T) {
	reg := municipality.MustLoad()
	teams := demo.Teams(reg)
	keys := map[string]bool{}
	for _, tm := range teams {
		if keys[tm.Create.Key] {
			t.Errorf("team key %s twice", tm.Create.Key)
		}
		keys[tm.Create.Key] = true
		if err := org.ValidKey(tm.Create.Key, "team-"); err != nil {
			t.Errorf("team key %s: %v", tm.Create.Key, err)
		}
	}
	for _, a := range demo.Accounts {
		if a.Role == "team_lead" || a.Role == "team_worker" {
			if !keys[a.Org] {
				t.Errorf("demo account %s belongs to %s, which is no demo team", a.Email, a.Org)
			}
		}
	}
}
