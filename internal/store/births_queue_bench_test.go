package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"kansrijk/internal/birth"
	"kansrijk/internal/org"
	"kansrijk/internal/page"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// fillBirths writes n synthetic notifications straight into the tables
// (one INSERT … SELECT each, no audit): nine in ten of team-noord, the
// rest in Opgroeien's queue; one in ten new, the others contacted; one
// minute apart; a mother each, with a possible duplicate every hundred.
// Fictitious names only. PostgreSQL is analysed afterwards, as the bulk
// paths should (issue 14).
func fillBirths(tb testing.TB, db *store.DB, n int) {
	tb.Helper()
	ctx := context.Background()
	raw := rawWriter(tb, db)
	exec := raw.ExecContext
	if db.Dialect() == store.Postgres {
		// One connection without the store's statement timeout.
		conn, err := raw.Conn(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SET statement_timeout = 0`); err != nil {
			tb.Fatal(err)
		}
		exec = conn.ExecContext
	}
	var stmts []string
	if db.Dialect() == store.Postgres {
		stmts = []string{
			fmt.Sprintf(`INSERT INTO birth_notifications (clinic_key, team_key, municipality_nis, child_birth_date, language, early_contact, status,
				submitted_by, created_at, updated_at, clinic_reference)
				SELECT 'clinic-zonnedal', CASE WHEN i %% 10 = 9 THEN NULL ELSE 'team-noord' END, CASE WHEN i %% 10 = 9 THEN '21004' ELSE '13016' END,
				DATE '2024-01-01' + (i / 200), 'nl', i %% 5 = 0, CASE WHEN i %% 10 = 3 THEN 'new' ELSE 'contacted' END, 'bench',
				TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 minute', TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 minute',
				'ZD-' || i FROM generate_series(1, %d) AS s(i)`, n),
			`INSERT INTO birth_parents (notification_id, idx, name, street, number, postcode, municipality_nis, language, duplicate_key)
				SELECT id, 0, 'Test Moeder ' || id, 'Kerkstraat', '1', '2235', municipality_nis, 'nl',
				'k' || CASE WHEN id % 100 = 0 THEN id - 1 ELSE id END FROM birth_notifications`,
			`ANALYZE birth_notifications`, `ANALYZE birth_parents`,
		}
	} else {
		stmts = []string{
			fmt.Sprintf(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %d)
				INSERT INTO birth_notifications (clinic_key, team_key, municipality_nis, child_birth_date, language, early_contact, status,
				submitted_by, created_at, updated_at, clinic_reference)
				SELECT 'clinic-zonnedal', CASE WHEN i %% 10 = 9 THEN NULL ELSE 'team-noord' END, CASE WHEN i %% 10 = 9 THEN '21004' ELSE '13016' END,
				date('2024-01-01', '+' || (i / 200) || ' days'), 'nl', i %% 5 = 0, CASE WHEN i %% 10 = 3 THEN 'new' ELSE 'contacted' END, 'bench',
				strftime('%%Y-%%m-%%dT%%H:%%M:%%f', '2024-01-01', '+' || i || ' minutes') || '000Z',
				strftime('%%Y-%%m-%%dT%%H:%%M:%%f', '2024-01-01', '+' || i || ' minutes') || '000Z',
				'ZD-' || i FROM s`, n),
			`INSERT INTO birth_parents (notification_id, idx, name, street, number, postcode, municipality_nis, language, duplicate_key)
				SELECT id, 0, 'Test Moeder ' || id, 'Kerkstraat', '1', '2235', municipality_nis, 'nl',
				'k' || CASE WHEN id % 100 = 0 THEN id - 1 ELSE id END FROM birth_notifications`,
		}
	}
	for _, s := range stmts {
		if _, err := exec(ctx, s); err != nil {
			tb.Fatalf("fill %d notifications: %v", n, err)
		}
	}
}

// BenchmarkBirthQueuePage measures one page of 50 of the team's queue
// (BirthQueue: the page along its index, the duplicate flags of its rows,
// the mother's names, the page's audit event) at 1k and 100k
// notifications on both databases: the first page of the new ones
// (?status=new&limit=50, issue 14: 4.4 / 41 / 552 ms at 1k / 10k / 100k
// before), a page deep in it (a cursor halfway), the first page of all
// statuses, and a clinic's page of its submissions. Target: the same
// cost per page at every size (growth ≤ ×1.5 from 1k to 100k).
//
//	go test ./internal/store/ -run '^$' -bench BirthQueuePage -benchtime 200x
func BenchmarkBirthQueuePage(b *testing.B) {
	for _, dialect := range storetest.Backends {
		for _, n := range []int{1_000, 100_000} {
			b.Run(fmt.Sprintf("%s/%dk", dialect, n/1000), func(b *testing.B) {
				ctx := context.Background()
				db := storetest.Open(b, dialect)
				benchWorld(b, db)
				if _, err := db.CreateClinic(ctx, admin, org.NewClinic{Key: clinicZonnedal.Org, Name: "Kraamkliniek Zonnedal"}); err != nil {
					b.Fatal(err)
				}
				fillBirths(b, db, n)
				queue := func(f birth.Filter, req page.Request) func(int) error {
					return func(int) error {
						res, err := db.BirthQueue(ctx, teamWorker, f, req)
						if err == nil && len(res.Items) != req.Limit {
							err = fmt.Errorf("a page of %d", len(res.Items))
						}
						return err
					}
				}
				newOnly := birth.Filter{Status: birth.New}
				first := page.Request{Limit: 50, Sort: "created_at", Desc: true}
				// A cursor halfway down the new ones.
				deep := first
				for range n / 10 / 2 / 50 {
					res, err := db.BirthQueue(ctx, teamWorker, newOnly, deep)
					if err != nil || res.Next == "" {
						b.Fatalf("walk: %v", err)
					}
					c, _ := page.Decode(res.Next)
					deep.After = &c
				}
				for _, c := range []struct {
					name string
					fn   func(int) error
				}{
					{"new_first", queue(newOnly, first)},
					{"new_deep", queue(newOnly, deep)},
					{"all_first", queue(birth.Filter{}, first)},
					{"by_birth_date", queue(newOnly, page.Request{Limit: 50, Sort: "child_birth_date"})},
					{"clinic", func(int) error {
						res, err := db.ClinicSubmissionPage(ctx, clinicZonnedal, birth.Filter{}, first)
						if err == nil && len(res.Items) != 50 {
							err = fmt.Errorf("a page of %d", len(res.Items))
						}
						return err
					}},
				} {
					b.Run(c.name, func(b *testing.B) {
						for i := range 3 { // warm the caches and the plans
							if err := c.fn(i); err != nil {
								b.Fatal(err)
							}
						}
						// The median of the pages: the machine is shared, and
						// the page's audit event waits for a commit whose
						// time depends on the others' load.
						var took []time.Duration
						for b.Loop() {
							t0 := time.Now()
							if err := c.fn(0); err != nil {
								b.Fatal(err)
							}
							took = append(took, time.Since(t0))
						}
						slices.Sort(took)
						median := float64(took[len(took)/2].Nanoseconds()) / 1e6
						b.ReportMetric(median, "ms/page(median)")
						b.Logf("%s %s at %d notifications: median %.2f ms a page of 50 (%d pages)", dialect, c.name, n, median, len(took))
					})
				}
			})
		}
	}
}
