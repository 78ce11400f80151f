package store_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/outreach"
	"kansrijk/internal/page"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// BenchmarkTaskPage (issue 12): a page of 50 of the tasks list costs the
// same at 1k and at 100k rows (keyset over the indexes of migration
// 00019): the first page, a page deep in the list (after a cursor), and a
// search.
//
//	go test ./internal/store/ -run '^$' -bench BenchmarkTaskPage -benchtime 200x
func BenchmarkTaskPage(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		for _, n := range []int{1_000, 100_000} {
			b.Run(fmt.Sprintf("%s/%d", d, n), func(b *testing.B) {
				ctx := context.Background()
				db := storetest.Open(b, d)
				fixedClock(db, "2026-03-02")
				worldB(b, db)
				raw := rawWriter(b, db)
				nis := []string{"13016", "12014", "13013"}
				now := "2026-03-01T10:00:00Z"
				for from := 0; from < n; from += 500 {
					var vals []string
					var args []any
					for i := from; i < from+500 && i < n; i++ {
						k := len(args)
						vals = append(vals, fmt.Sprintf("($%d, 'team-noord', $%d, $%d, $%d, $%d, 'bench', $%d, 'bench')", k+1, k+2, k+3, k+4, k+5, k+6))
						status := "open"
						if i%4 == 0 {
							status = "done"
						}
						args = append(args, nis[i%3], fmt.Sprintf("Opvolging %06d", (i*7919)%n),
							time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%900).Format(time.DateOnly), status, now, now)
					}
					if _, err := raw.ExecContext(ctx, `INSERT INTO outreach_tasks (municipality_nis, team_key, title, due_on, status, created_at, created_by, updated_at, updated_by)
						VALUES `+strings.Join(vals, ","), args...); err != nil {
						b.Fatal(err)
					}
				}
				if d == store.Postgres {
					if _, err := raw.ExecContext(ctx, `ANALYZE outreach_tasks`); err != nil {
						b.Fatal(err)
					}
				}
				get := func(q url.Values) page.Result[outreach.Task] {
					req, err := page.Parse(q, outreach.TaskSorts...)
					if err != nil {
						b.Fatal(err)
					}
					res, err := db.TaskPage(ctx, leadNoord, outreach.TaskQuery{}, req)
					if err != nil {
						b.Fatal(err)
					}
					return res
				}
				// Cursors in the middle of the list, by title and by due date.
				mid := page.Encode(page.Cursor{Sort: "title", Value: fmt.Sprintf("opvolging %06d", n/2), ID: 0})
				midDue := page.Encode(page.Cursor{Sort: "due", Value: "2026-01-01", ID: 0})
				for _, tc := range []struct {
					name string
					q    url.Values
				}{
					{"first", url.Values{}},
					{"deep-due", url.Values{"cursor": {midDue}}},
					{"deep-title", url.Values{"sort": {"title"}, "cursor": {mid}}},
					{"search", url.Values{"q": {"opvolging 0001"}}},
				} {
					b.Run(tc.name, func(b *testing.B) {
						for b.Loop() {
							if res := get(tc.q); len(res.Items) == 0 {
								b.Fatal("empty page")
							}
						}
					})
				}
			})
		}
	}
}
