package store_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// benchAgreementWorld is a 2022–2026 agreement history over all of
// Flanders: one team whose area is every municipality (300, then the 285
// from 2025); two in three municipalities sign up between March 2022 and
// 2025 and take up to five more steps (mostly towards active, one in six
// ending or withdrawing), one in five of those has its last step
// corrected, and the open agreements of merging municipalities are
// carried over on 2025-01-01. The same history every run.
func benchAgreementWorld(tb testing.TB, db *store.DB) {
	tb.Helper()
	ctx := context.Background()
	before, _ := flandersTeam(tb, db)
	rng := rand.New(rand.NewPCG(5, 17))
	for _, nis := range before {
		if rng.IntN(3) == 0 {
			continue
		}
		on := d("2022-03-01").AddDate(0, 0, rng.IntN(1000))
		if !db.Municipalities.ValidOn(nis, on) {
			continue
		}
		ag, err := db.CreateAgreement(ctx, admin, agreement.NewAgreement{Team: "team-v", MunicipalityNIS: nis, Status: "interested", On: on})
		if err != nil {
			tb.Fatalf("agreement %s: %v", nis, err)
		}
		status := agreement.Interested
		for k := rng.IntN(6); k > 0; k-- {
			nexts := agreement.Next(status)
			if len(nexts) == 0 {
				break
			}
			next := nexts[0] // mostly forward, towards active
			if rng.IntN(6) == 0 {
				next = nexts[len(nexts)-1]
			}
			on = on.AddDate(0, 0, 1+rng.IntN(60))
			if !db.Municipalities.ValidOn(nis, on) {
				break
			}
			if _, err := db.AddEvent(ctx, admin, ag.ID, step(next, on.Format(time.DateOnly))); err != nil {
				tb.Fatalf("event: %v", err)
			}
			status = next
		}
		if rng.IntN(5) == 0 {
			cur, err := db.Agreement(ctx, admin, ag.ID)
			if err != nil {
				tb.Fatal(err)
			}
			eff := effectiveSteps(cur)
			e := eff[len(eff)-1]
			if _, err := db.AddEvent(ctx, admin, ag.ID, agreement.NewEvent{Corrects: e.ID, EffectiveOn: e.EffectiveOn.AddDate(0, 0, 3).Format(time.DateOnly)}); err != nil &&
				apperr.Code(err) != apperr.InvalidTransition {
				tb.Fatalf("correction: %v", err)
			}
		}
		if m, _ := db.Municipalities.ByNIS(nis); m.ValidTo != nil && status.Open() {
			if _, err := db.CarryOver(ctx, admin, ag.ID, time.Time{}, ""); err != nil && apperr.Code(err) != apperr.Conflict {
				tb.Fatalf("carry over %s: %v", nis, err)
			}
		}
	}
}

// BenchmarkAgreementTimeline compares the timeline of the agreements
// report on 2026-03-02 (50 points: the end of every month from February
// 2022, and the day), counted from one load of the effective steps, with
// the naive way: one as-of report per point. The ratio is the timeline's
// speed-up.
func BenchmarkAgreementTimeline(b *testing.B) {
	for _, dialect := range storetest.Backends {
		b.Run(string(dialect), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, dialect)
			db.Now = func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }
			benchAgreementWorld(b, db)
			asOf := d("2026-03-02")
			var days []time.Time
			for m := d("2022-02-01"); !m.After(asOf); m = m.AddDate(0, 1, 0) {
				end := m.AddDate(0, 1, -1)
				if end.After(asOf) {
					end = asOf
				}
				days = append(days, end)
			}
			var timeline, naive benchRun
			b.Run("timeline", func(b *testing.B) {
				timed(b, &timeline, func(int) error {
					reps, err := db.AgreementTimeline(ctx, days)
					if err == nil && (len(reps) != 50 || reps[49].InForce == 0) {
						b.Fatalf("%d points, nothing in force: the setup built no history", len(reps))
					}
					return err
				})
				b.ReportMetric(timeline.nsPerOp()/1e6, "ms/op")
			})
			b.Run("report_per_point", func(b *testing.B) {
				timed(b, &naive, func(int) error {
					for _, day := range days {
						if _, err := db.AgreementReport(ctx, day, nil, "flanders"); err != nil {
							return err
						}
					}
					return nil
				})
				b.ReportMetric(naive.nsPerOp()/1e6, "ms/op")
			})
			reportRatio(b, &timeline, &naive, "timeline")
		})
	}
}
