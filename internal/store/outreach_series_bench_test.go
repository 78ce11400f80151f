package store_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// benchOutreachWorld is a 2022–2026 outreach history over all of
// Flanders: one team whose area is every municipality (300, then the 285
// from 2025), a VVSG newsletter to all, a webinar and a mailing to a
// province each, 600 contact moments and 80 agreements with their steps.
// The same history every run.
func benchOutreachWorld(tb testing.TB, db *store.DB) {
	tb.Helper()
	ctx := context.Background()
	before, after := flandersTeam(tb, db)
	for _, c := range []outreach.NewCampaign{
		{Kind: "newsletter", On: "2023-01-20", Partner: "VVSG", Subject: "Decreet", Audience: "all"},
		{Kind: "webinar", On: "2023-02-14", Partner: "VVSG", Subject: "Webinar", Audience: "province", AudienceParam: "Limburg"},
		{Kind: "mailing", On: "2023-09-05", Subject: "Mailing", Audience: "province", AudienceParam: "West-Vlaanderen"},
	} {
		if _, err := db.CreateCampaign(ctx, admin, c); err != nil {
			tb.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(3, 11))
	validOn := func(day time.Time) []string {
		if day.Before(d("2025-01-01")) {
			return before
		}
		return after
	}
	for i := 0; i < 600; i++ {
		on := d("2023-03-01").AddDate(0, 0, rng.IntN(1000))
		list := validOn(on)
		if _, err := db.CreateContactMoment(ctx, admin, outreach.NewContactMoment{MunicipalityNIS: list[rng.IntN(len(list))],
			On: on.Format(time.DateOnly), Channel: "phone", Summary: "gesprek"}); err != nil {
			tb.Fatal(err)
		}
	}
	for i := 0; i < 80; i++ {
		on := d("2023-09-01").AddDate(0, 0, rng.IntN(800))
		list := validOn(on)
		nis := list[rng.IntN(len(list))]
		if open, _ := db.Agreements(ctx, admin, agreement.Filter{NIS: nis}); len(open) > 0 {
			continue
		}
		ag, err := db.CreateAgreement(ctx, admin, agreement.NewAgreement{Team: "team-v", MunicipalityNIS: nis, Status: "interested", On: on})
		if err != nil {
			tb.Fatalf("agreement %s: %v", nis, err)
		}
		status := agreement.Interested
		for k := rng.IntN(5); k > 0; k-- {
			nexts := agreement.Next(status)
			if len(nexts) == 0 {
				break
			}
			status = nexts[rng.IntN(len(nexts))]
			on = on.AddDate(0, 0, 1+rng.IntN(90))
			if !db.Municipalities.ValidOn(nis, on) {
				break
			}
			if _, err := db.AddEvent(ctx, admin, ag.ID, step(status, on.Format(time.DateOnly))); err != nil {
				tb.Fatalf("event: %v", err)
			}
		}
	}
}

// BenchmarkOutreachSeries compares the stage series per team over 50
// points (the first of every month from February 2022 to March 2026, and
// the day), computed from one load of the facts, with the naive way: one
// outreach report per point. The ratio is the series' speed-up.
func BenchmarkOutreachSeries(b *testing.B) {
	for _, dialect := range storetest.Backends {
		b.Run(string(dialect), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, dialect)
			db.Now = func() time.Time { return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) }
			benchOutreachWorld(b, db)
			from, to := outreach.SeriesStart, d("2026-03-02")
			days := outreach.SeriesDays(from, to)
			var series, naive benchRun
			b.Run("series", func(b *testing.B) {
				timed(b, &series, func(int) error {
					s, err := db.OutreachSeries(ctx, from, to, outreach.ByTeam)
					if err == nil && (len(s.Days) != len(days) || s.Groups[0].Counts[outreach.NotInformed][len(days)-1] == 285) {
						b.Fatalf("series of %d days, nobody reached: the setup built no history", len(s.Days))
					}
					return err
				})
				b.ReportMetric(series.nsPerOp()/1e6, "ms/op")
			})
			b.Run("report_per_point", func(b *testing.B) {
				timed(b, &naive, func(int) error {
					for _, day := range days {
						if _, err := db.OutreachReport(ctx, day); err != nil {
							return err
						}
					}
					return nil
				})
				b.ReportMetric(naive.nsPerOp()/1e6, "ms/op")
			})
			reportRatio(b, &series, &naive, "series")
		})
	}
}

// flandersTeam creates team-v, whose area is every Flemish municipality:
// the 300 until 2025, the 285 from 1 January 2025. It returns both lists.
func flandersTeam(tb testing.TB, db *store.DB) (before, after []string) {
	tb.Helper()
	ctx := context.Background()
	for _, m := range db.Municipalities.On(d("2024-01-01"), municipality.Flanders) {
		before = append(before, m.NIS)
	}
	for _, m := range db.Municipalities.On(d("2025-01-01"), municipality.Flanders) {
		after = append(after, m.NIS)
	}
	if _, err := db.CreateTeam(ctx, admin, org.NewTeam{Key: "team-v", Name: "Vlaanderen", Municipalities: before, From: d("2022-01-01")}); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.UpdateTeam(ctx, admin, "team-v", org.TeamUpdate{Municipalities: &after, From: d("2025-01-01")}); err != nil {
		tb.Fatal(err)
	}
	return before, after
}
