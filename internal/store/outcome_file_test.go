package store_test

import (
	"context"
	"net/url"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"kansrijk/internal/outcome"
	"kansrijk/internal/store"
)

// TestOutcomeCellsOnFile times a year's cells (the admin's default window, as GET
// /api/v1/reports/outcomes reads it) counted in SQL and row by row, alternated, on a database
// kept from a harness run: KANSRIJK_OUTCOME_DSN (e.g. sqlite:kept.db), KANSRIJK_OUTCOME_ROUNDS
// (3 by default). Without the DSN it is skipped. It also checks that both give the same cells.
func TestOutcomeCellsOnFile(t *testing.T) {
	dsn := os.Getenv("KANSRIJK_OUTCOME_DSN")
	if dsn == "" {
		t.Skip("KANSRIJK_OUTCOME_DSN not set: no kept database to time")
	}
	rounds := 3
	if s := os.Getenv("KANSRIJK_OUTCOME_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		rounds = n
	}
	ctx := context.Background()
	db, err := store.OpenNoMigrate(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	req, err := outcome.ParseRequest(url.Values{}, adminActor, now)
	if err != nil {
		t.Fatal(err)
	}
	months, ok := outcome.Window(req, adminActor, now)
	if !ok {
		t.Fatal("no window")
	}
	last := months[len(months)-1]
	q := outcome.Query{From: time.Date(months[0].Year(), months[0].Month(), 1, 0, 0, 0, 0, outBrussels),
		To: time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, outBrussels).AddDate(0, 1, 0)}
	if os.Getenv("KANSRIJK_OUTCOME_SQL") != "" {
		r, ra, b, ba, err := store.OutcomeSQLForTest(ctx, db, adminActor, q)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("referrals %v:\n%s;\nbirths %v:\n%s;", ra, r, ba, b)
	}
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	ways := []struct {
		name string
		read func() ([]outcome.Cell, error)
	}{
		{"row by row", func() ([]outcome.Cell, error) { return store.OutcomeCellsRowByRow(ctx, db, adminActor, q) }},
		{"in SQL", func() ([]outcome.Cell, error) { return db.OutcomeCells(ctx, adminActor, q) }},
	}
	var cells [2][]outcome.Cell
	for round := range rounds {
		for i, w := range ways {
			c0, t0 := cpu(), time.Now()
			got, err := w.read()
			if err != nil {
				t.Fatal(err)
			}
			wall, used := time.Since(t0), cpu()-c0
			total := outcome.Sum(got)
			rows := total.Drafted + total.Births
			t.Logf("round %d %-10s %d cells, %d referrals + %d births: %7.1f ms wall, %7.1f ms CPU, %5.2f µs CPU a row",
				round+1, w.name, len(got), total.Drafted, total.Births, float64(wall.Microseconds())/1000,
				float64(used.Microseconds())/1000, float64(used.Nanoseconds())/1000/float64(max(rows, 1)))
			cells[i] = got
		}
	}
	want := map[string]*outcome.Cell{}
	for i := range cells[0] {
		w := cells[0][i]
		want[w.Month+"|"+w.NIS+"|"+w.Team+"|"+w.OCMW] = &w
	}
	compareCells(t, "kept database", cells[1], want)
}
