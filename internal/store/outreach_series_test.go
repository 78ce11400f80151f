package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// randomOutreachWorld records random campaigns, contact moments and
// agreements (with corrections, and across the 2025 mergers with and
// without carry-over) for nMoments contact moments and nAgreements
// agreement attempts, over two teams whose areas change on the merger
// day. It returns the codes it used.
func randomOutreachWorld(tb testing.TB, db *store.DB, rng *rand.Rand, nCampaigns, nMoments, nAgreements int) {
	tb.Helper()
	ctx := context.Background()
	reg := db.Municipalities
	merger := d("2025-01-01")
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
		if m.ValidTo == nil && m.NIS != "11002" && (m.NIS[0] == '7' || m.NIS[0] == '3') && len(stay) < 16 {
			stay = append(stay, m.NIS)
		}
	}
	// team-p covers the merging municipalities and half of the others;
	// team-q the other half until 2025, when it takes over two of team-p's.
	half := len(stay) / 2
	if _, err := db.CreateTeam(ctx, admin, org.NewTeam{Key: "team-p", Name: "P", Municipalities: append(slices.Clone(before2025), stay[:half]...), From: d("2022-01-01")}); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.CreateTeam(ctx, admin, org.NewTeam{Key: "team-q", Name: "Q", Municipalities: slices.Clone(stay[half:]), From: d("2022-01-01")}); err != nil {
		tb.Fatal(err)
	}
	areaP := append(slices.Clone(successors), stay[2:half]...)
	if _, err := db.UpdateTeam(ctx, admin, "team-p", org.TeamUpdate{Municipalities: &areaP, From: merger}); err != nil {
		tb.Fatal(err)
	}
	areaQ := append(slices.Clone(stay[:2]), stay[half:]...)
	if _, err := db.UpdateTeam(ctx, admin, "team-q", org.TeamUpdate{Municipalities: &areaQ, From: merger}); err != nil {
		tb.Fatal(err)
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
	for i := 0; i < nCampaigns; i++ {
		on := randDay()
		in := outreach.NewCampaign{Kind: string(outreach.CampaignKinds[rng.IntN(5)]), On: on.Format(time.DateOnly), Subject: fmt.Sprint("campagne ", i), Audience: "list"}
		switch rng.IntN(8) {
		case 0:
			in.Audience, in.AudienceParam = "province", "Limburg"
		case 1:
			in.Audience, in.AudienceParam = "province", "West-Vlaanderen"
		default:
			for n := 1 + rng.IntN(4); n > 0; n-- {
				in.Municipalities = append(in.Municipalities, pick(validOn(on)))
			}
		}
		if _, err := db.CreateCampaign(ctx, admin, in); err != nil {
			tb.Fatalf("campaign %+v: %v", in, err)
		}
	}
	for i := 0; i < nMoments; i++ {
		on := randDay()
		in := outreach.NewContactMoment{MunicipalityNIS: pick(validOn(on)), On: on.Format(time.DateOnly), Channel: "phone", Summary: "gesprek"}
		if _, err := db.CreateContactMoment(ctx, admin, in); err != nil {
			tb.Fatalf("moment %+v: %v", in, err)
		}
	}
	for i := 0; i < nAgreements; i++ {
		on := randDay()
		nis := pick(validOn(on))
		team := "team-p"
		if slices.Contains(stay[half:], nis) || (!on.Before(merger) && slices.Contains(stay[:2], nis)) {
			team = "team-q"
		}
		randomAgreement(tb, db, rng, team, nis, on)
	}
}

// TestOutreachSeriesProperty checks, on random histories, that every point
// of the series (all municipalities, per province, per team) equals what
// the outreach report of that day counts.
func TestOutreachSeriesProperty(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed := uint64(time.Now().UnixNano())
		rng := rand.New(rand.NewPCG(seed, 7))
		t.Logf("seed %d", seed)
		fixedClock(db, "2026-06-01")
		randomOutreachWorld(t, db, rng, 14, 30, 18)

		from := d("2022-01-01").AddDate(0, 0, rng.IntN(400))
		to := d("2026-06-01")
		reports := map[string]outreach.Report{}
		var series []outreach.Series
		for _, g := range outreach.Groupings {
			s, err := db.OutreachSeries(ctx, from, to, g)
			if err != nil {
				t.Fatal(err)
			}
			series = append(series, s)
		}
		days := outreach.SeriesDays(from, to)
		if s := series[0]; s.From != from.Format(time.DateOnly) || s.To != "2026-06-01" || len(s.Days) != len(days) ||
			s.Days[0] != s.From || s.Days[len(s.Days)-1] != s.To || !slices.Contains(s.Days, "2025-01-01") {
			t.Fatalf("days %v (from %s)", s.Days, from.Format(time.DateOnly))
		}
		reached := 0
		for i, dayStr := range series[0].Days {
			rep, err := db.OutreachReport(ctx, d(dayStr))
			if err != nil {
				t.Fatal(err)
			}
			reports[dayStr] = rep
			want := map[outreach.Grouping]map[string]map[outreach.Stage]int{
				outreach.ByAll: {"": rep.Counts}, outreach.ByProvince: {}, outreach.ByTeam: {},
			}
			for _, m := range rep.Municipalities {
				for g, key := range map[outreach.Grouping]string{outreach.ByProvince: m.Province, outreach.ByTeam: m.Team} {
					if want[g][key] == nil {
						want[g][key] = map[outreach.Stage]int{}
					}
					want[g][key][m.Stage]++
				}
			}
			reached += rep.Informed
			for _, s := range series {
				for _, sg := range s.Groups {
					w := want[sg.Group][sg.Key]
					total := 0
					for _, st := range outreach.Stages {
						if got := sg.Counts[st][i]; got != w[st] {
							t.Fatalf("%s group %s %q on %s: %s = %d, the report counts %d", s.Group, sg.Group, sg.Key, dayStr, st, got, w[st])
						}
						total += w[st]
					}
					if sg.Totals[i] != total {
						t.Fatalf("%s group %s %q on %s: total %d, want %d", s.Group, sg.Group, sg.Key, dayStr, sg.Totals[i], total)
					}
				}
				// Every group of the report is in the series.
				if s.Group != outreach.ByAll {
					for key := range want[s.Group] {
						if _, ok := s.Find(s.Group, key); !ok {
							t.Fatalf("%s series lacks %q on %s", s.Group, key, dayStr)
						}
					}
				}
			}
			if series[0].Groups[0].Totals[i] != rep.Total {
				t.Fatalf("on %s: total %d, want %d", dayStr, series[0].Groups[0].Totals[i], rep.Total)
			}
		}
		if reached == 0 {
			t.Fatal("no municipality was ever reached: the comparison proves nothing")
		}
		if g := series[1]; len(g.Groups) != 1+len(outreach.Provinces) || g.Groups[1].Key != "Antwerpen" {
			t.Errorf("province groups %d, first %q", len(g.Groups), g.Groups[1].Key)
		}
		if g := series[2]; len(g.Groups) != 4 || g.Groups[1].Key != "" || g.Groups[2].Key != "team-p" || g.Groups[3].Key != "team-q" {
			t.Errorf("team groups %+v", g.Groups)
		}
	})
}

// TestOutreachSeries checks a small known history and the errors.
func TestOutreachSeries(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fixedClock(db, "2026-03-02")
		world(t, db)
		if _, err := db.CreateCampaign(ctx, admin, outreach.NewCampaign{Kind: "newsletter", On: "2023-01-20", Partner: "VVSG", Subject: "Decreet", Audience: "list", Municipalities: []string{"71022", "11007", "13016"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateContactMoment(ctx, workerZuid, outreach.NewContactMoment{MunicipalityNIS: "73040", On: "2023-05-02", Channel: "meeting", Summary: "Kennismaking"}); err != nil {
			t.Fatal(err)
		}
		ag := mustCreate(t, db, admin, "team-zuid", "11007", "interested", "2023-09-01")
		if _, err := db.AddEvent(ctx, admin, ag.ID, step(agreement.Draft, "2023-10-01")); err != nil {
			t.Fatal(err)
		}
		s, err := db.OutreachSeries(ctx, d("2022-12-15"), d("2025-02-10"), outreach.ByTeam)
		if err != nil {
			t.Fatal(err)
		}
		if s.Days[0] != "2022-12-15" || s.Days[1] != "2023-01-01" || s.Days[len(s.Days)-1] != "2025-02-10" || len(s.Days) != 28 {
			t.Fatalf("days %v", s.Days)
		}
		at := func(g outreach.SeriesGroup, dayStr string) map[outreach.Stage]int {
			i := slices.Index(s.Days, dayStr)
			if i < 0 {
				t.Fatalf("no point on %s", dayStr)
			}
			return g.On(i)
		}
		all := s.Groups[0]
		if c := at(all, "2023-02-01"); c[outreach.Informed] != 3 || c[outreach.NotInformed] != 297 {
			t.Errorf("2023-02: %v", c)
		}
		if c := at(all, "2023-11-01"); c[outreach.Informed] != 2 || c[outreach.InConversation] != 1 || c[outreach.Drafting] != 1 || all.Totals[slices.Index(s.Days, "2023-11-01")] != 300 {
			t.Errorf("2023-11: %v", c)
		}
		// From 2025 Antwerpen carries Borsbeek's facts, but not its
		// agreement (not carried over); Hasselt carries Kortessem's moment.
		if c := at(all, "2025-02-10"); c[outreach.Informed] != 2 || c[outreach.InConversation] != 1 || c[outreach.Drafting] != 0 || all.Totals[len(s.Days)-1] != 285 {
			t.Errorf("2025-02-10: %v", c)
		}
		zuid, ok := s.Find(outreach.ByTeam, "team-zuid")
		if !ok {
			t.Fatalf("no team-zuid in %+v", s.Groups)
		}
		if c := at(zuid, "2023-11-01"); c[outreach.Drafting] != 1 || c[outreach.InConversation] != 1 || zuid.Totals[slices.Index(s.Days, "2023-11-01")] != 2 {
			t.Errorf("team-zuid 2023-11: %v", c)
		}
		if c := at(zuid, "2025-02-10"); c[outreach.Informed] != 1 || c[outreach.InConversation] != 1 {
			t.Errorf("team-zuid 2025: %v", c)
		}

		// One day: a single point.
		one, err := db.OutreachSeries(ctx, d("2023-03-08"), d("2023-03-08"), "")
		if err != nil || len(one.Days) != 1 || one.Group != outreach.ByAll || len(one.Groups) != 1 || one.Groups[0].Totals[0] != 300 {
			t.Fatalf("one day: %+v %v", one, err)
		}
		for _, tc := range []struct {
			name     string
			from, to string
			group    outreach.Grouping
			code     string
		}{
			{"unknown group", "2023-01-01", "2024-01-01", "gemeente", apperr.Invalid},
			{"to before from", "2024-01-01", "2023-01-01", outreach.ByAll, apperr.InvalidDate},
			{"before 2019", "2018-12-31", "2023-01-01", outreach.ByAll, apperr.InvalidDate},
			{"too far ahead", "2023-01-01", "2028-03-03", outreach.ByAll, apperr.InvalidDate},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.OutreachSeries(ctx, d(tc.from), d(tc.to), tc.group)
				WantCode(t, err, tc.code)
			})
		}
		// Twenty years of months is the most; later the dates allow more.
		fixedClock(db, "2045-01-01")
		_, err = db.OutreachSeries(ctx, d("2019-01-01"), d("2040-02-01"), outreach.ByAll)
		WantCode(t, err, apperr.Invalid)
		if _, err := db.OutreachSeries(ctx, d("2019-01-01"), d("2039-01-01"), outreach.ByAll); err != nil {
			t.Errorf("twenty years: %v", err)
		}
	})
}
