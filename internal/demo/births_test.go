package demo_test

import (
	"context"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/birth"
	"kansrijk/internal/demo"
	"kansrijk/internal/municipality"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

func demoUser(t *testing.T, db *store.DB, email string) account.Actor {
	t.Helper()
	u, err := db.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return account.Actor{UserID: u.ID, Email: u.Email, Role: u.Role, Org: u.Org, OrgKind: u.OrgKind, Via: "test"}
}

// The demo's birth notifications show every state the flow leaves, for
// the three clinics over several months.
func TestLoadBirths(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		if err := demo.Load(ctx, db); err != nil {
			t.Fatalf("Load: %v", err)
		}
		y, m, d := time.Now().UTC().Date()
		today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		admin := demoUser(t, db, "admin@demo.kansrijk.test")
		all, err := allBirths(ctx, db, admin, birth.Filter{IncludeDeleted: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) < 100 {
			t.Fatalf("%d demo notifications, want a few months' worth", len(all))
		}
		statuses := map[birth.Status]int{}
		clinicMonths := map[string]map[string]bool{}
		languages := map[string]bool{}
		var escalated, escalatedOpen, deleted, early, referrals, flagged, queue, queueOpen, batch int
		for _, s := range all {
			statuses[s.Status]++
			if clinicMonths[s.Clinic] == nil {
				clinicMonths[s.Clinic] = map[string]bool{}
			}
			clinicMonths[s.Clinic][s.CreatedAt.Format("2006-01")] = true
			languages[s.Language] = true
			born, err := time.Parse(time.DateOnly, s.ChildBirthDate)
			// Before 2025 only the bulk history (history.go), its personal data gone by retention.
			before := s.CreatedAt.Before(demo.BirthsFrom) && (s.DataDeletedAt == nil || s.CreatedAt.Before(demo.HistoryFrom))
			if err != nil || !born.Before(today) || before || !s.CreatedAt.Before(today) {
				t.Errorf("notification %d: born %s, came in %s: want 2025 up to yesterday, or the history since %s", s.ID, s.ChildBirthDate, s.CreatedAt,
					demo.HistoryFrom.Format(time.DateOnly))
			}
			if s.EscalatedAt != nil {
				escalated++
				if s.Status == birth.New && s.DataDeletedAt == nil {
					escalatedOpen++
				}
			}
			if s.DataDeletedAt != nil {
				deleted++
				if s.Status != birth.Merged && s.DataDeletedAt.After(today.AddDate(0, -birth.DefaultRetentionMonths, 0)) && s.EscalatedAt == nil &&
					s.FirstContactOn > today.AddDate(0, -birth.DefaultRetentionMonths, 0).Format(time.DateOnly) {
					t.Errorf("notification %d: data deleted %s, within the retention after its first contact %s", s.ID, s.DataDeletedAt, s.FirstContactOn)
				}
			}
			if s.EarlyContactRequested {
				early++
			}
			if s.ReferralID != 0 {
				referrals++
			}
			if s.PossibleDuplicate && s.Team == "team-demo-turnhout" {
				flagged++
			}
			if s.BatchID != 0 {
				batch++
				if s.Clinic != "clinic-demo-scheldeoever" {
					t.Errorf("notification %d of %s came in a batch", s.ID, s.Clinic)
				}
			}
			if s.Queue == birth.QueueOpgroeien {
				queue++
				if s.Status.Open() {
					queueOpen++
				}
				if m, ok := db.Municipalities.ByNIS(s.MunicipalityNIS); !ok || m.Region != municipality.Brussels {
					t.Errorf("notification %d in Opgroeien's queue lives in %s, which a demo team covers", s.ID, s.MunicipalityNIS)
				}
			}
		}
		for _, c := range []struct {
			what      string
			got, want int
		}{
			{"new", statuses[birth.New], 5}, {"not reached", statuses[birth.NotReached], 3}, {"reached", statuses[birth.Contacted], 50},
			{"merged duplicates", statuses[birth.Merged], 2}, {"escalated", escalated, 5}, {"escalated, still open", escalatedOpen, 1},
			{"personal data deleted after retention", deleted, 10}, {"early contact asked", early, 5}, {"referral started", referrals, 1},
			{"possible duplicate flagged in the demo team", flagged, 2}, {"in a CSV batch", batch, 10},
			{"in Opgroeien's queue", queue, 3}, {"open in Opgroeien's queue", queueOpen, 1}, {"languages", len(languages), 6},
		} {
			if c.got < c.want {
				t.Errorf("%s: %d, want at least %d", c.what, c.got, c.want)
			}
		}
		t.Logf("%d notifications: %v; escalated %d, deleted %d, early %d, Opgroeien %d, batch %d, languages %d",
			len(all), statuses, escalated, deleted, early, queue, batch, len(languages))
		for _, c := range demo.Clinics {
			if n := len(clinicMonths[c.Key]); n < 6 {
				t.Errorf("%s has notifications in %d months, want several", c.Key, n)
			}
		}
		var homeVisits int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM birth_contacts WHERE home_visit_planned`).Scan(&homeVisits); err != nil || homeVisits == 0 {
			t.Errorf("home visits planned: %d, %v", homeVisits, err)
		}

		// The demo accounts see their part: the clinic its own submissions,
		// the demo team a queue with new families.
		clinic := demoUser(t, db, "clinic@demo.kansrijk.test")
		subs, err := allSubmissions(ctx, db, clinic)
		own := 0
		for _, s := range all {
			if s.Clinic == clinic.Org {
				own++
			}
		}
		if err != nil || len(subs) != own || own == 0 {
			t.Errorf("the demo clinic sees %d submissions (%v), it sent %d", len(subs), err, own)
		}
		worker := demoUser(t, db, "teamworker@demo.kansrijk.test")
		open, err := allBirths(ctx, db, worker, birth.Filter{Status: birth.New})
		if err != nil || len(open) == 0 {
			t.Errorf("the demo team's queue of new families: %d, %v", len(open), err)
		}

		// The figures have something to show beyond "<5".
		st, err := db.BirthStatistics(ctx, admin, today.AddDate(0, -11, 0), today)
		if err != nil {
			t.Fatal(err)
		}
		shares := 0
		for _, tr := range st.Teams {
			if tr.Share != nil {
				shares++
			}
		}
		if len(st.Clinics) != len(demo.Clinics) || st.Total.Suppressed || shares == 0 {
			t.Errorf("statistics: %d clinics, total %v, %d teams with a share shown", len(st.Clinics), st.Total, shares)
		}
	})
}
