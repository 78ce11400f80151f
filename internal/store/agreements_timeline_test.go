package store_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// timelineWorld records agreement histories for team-t, whose area holds
// the municipalities that merged on 2025-01-01 (then their successors
// 11002, 46030 and 71072) and 20 that did not merge. Fixed: Kortessem (73040) is active from
// 2023-11-01, with its draft step corrected and the correction corrected
// again, and is carried over to Hasselt (71072) on the merger day; the old
// Hasselt (71022) signs up in 2024 and is left open past the merger. Then,
// for every other municipality, at random: up to two agreements one after
// the other, with random steps, corrections of random steps (some
// corrected twice) and, for a merging municipality, a carry-over. Run
// with a clock on 2026-06-01.
func timelineWorld(tb testing.TB, db *store.DB, rng *rand.Rand) {
	tb.Helper()
	ctx := context.Background()
	reg := db.Municipalities
	merger := d("2025-01-01")
	successors := []string{"11002", "46030", "71072"}
	var before, stable []string
	for _, s := range successors {
		for _, p := range reg.Predecessors(s) {
			if !slices.Contains(before, p.NIS) && p.NIS != "11002" {
				before = append(before, p.NIS)
			}
		}
	}
	for _, m := range reg.On(d("2024-01-01"), municipality.Flanders) {
		if m.ValidTo == nil && !slices.Contains(successors, m.NIS) && len(stable) < 20 && (m.NIS[0] == '3' || m.NIS[0] == '4') {
			stable = append(stable, m.NIS)
		}
	}
	stable = append(stable, "11002")
	area := append(slices.Clone(before), stable...)
	if _, err := db.CreateTeam(ctx, admin, org.NewTeam{Key: "team-t", Name: "T", Municipalities: area, From: d("2022-01-01")}); err != nil {
		tb.Fatal(err)
	}
	area = append(slices.Clone(successors[1:]), stable...)
	if _, err := db.UpdateTeam(ctx, admin, "team-t", org.TeamUpdate{Municipalities: &area, From: merger}); err != nil {
		tb.Fatal(err)
	}

	add := func(id int64, ev agreement.NewEvent) {
		tb.Helper()
		if _, err := db.AddEvent(ctx, admin, id, ev); err != nil {
			tb.Fatalf("agreement %d, %+v: %v", id, ev, err)
		}
	}
	kortessem, err := db.CreateAgreement(ctx, admin, agreement.NewAgreement{Team: "team-t", MunicipalityNIS: "73040", Status: "draft", On: d("2023-05-02")})
	if err != nil {
		tb.Fatal(err)
	}
	add(kortessem.ID, step(agreement.Approved, "2023-09-01"))
	add(kortessem.ID, step(agreement.Signed, "2023-10-01"))
	add(kortessem.ID, step(agreement.Active, "2023-11-01"))
	for _, on := range []string{"2023-06-15", "2023-04-20"} {
		cur, err := db.Agreement(ctx, admin, kortessem.ID)
		if err != nil {
			tb.Fatal(err)
		}
		add(kortessem.ID, agreement.NewEvent{Corrects: effectiveSteps(cur)[0].ID, EffectiveOn: on, Note: "correctie"})
	}
	if _, err := db.CarryOver(ctx, admin, kortessem.ID, time.Time{}, ""); err != nil {
		tb.Fatalf("carry over Kortessem: %v", err)
	}
	if _, err := db.CreateAgreement(ctx, admin, agreement.NewAgreement{Team: "team-t", MunicipalityNIS: "71022", Status: "interested", On: d("2024-02-01")}); err != nil {
		tb.Fatal(err)
	}

	for _, nis := range append(append(slices.Clone(before), stable...), successors[1:]...) {
		if nis == "73040" || nis == "71022" || rng.IntN(4) == 0 {
			continue
		}
		on := d("2022-02-01").AddDate(0, 0, rng.IntN(1580))
		for n := 1 + rng.IntN(2); n > 0 && reg.ValidOn(nis, on); n-- {
			first := []string{"interested", "draft"}[rng.IntN(2)]
			ag, err := db.CreateAgreement(ctx, admin, agreement.NewAgreement{Team: "team-t", MunicipalityNIS: nis, Status: first, On: on})
			if apperr.Code(err) == apperr.Conflict {
				break // a carry-over opened one already
			}
			if err != nil {
				tb.Fatalf("agreement %s on %s: %v", nis, on.Format(time.DateOnly), err)
			}
			status := agreement.Status(first)
			for k := rng.IntN(7); k > 0; k-- {
				nexts := agreement.Next(status)
				if len(nexts) == 0 {
					break
				}
				next := nexts[rng.IntN(len(nexts))]
				on = on.AddDate(0, 0, rng.IntN(120))
				if !reg.ValidOn(nis, on) {
					break
				}
				add(ag.ID, step(next, on.Format(time.DateOnly)))
				status = next
			}
			for k := rng.IntN(4) - 1; k > 0; k-- { // a random step moved within its neighbours
				cur, err := db.Agreement(ctx, admin, ag.ID)
				if err != nil {
					tb.Fatal(err)
				}
				eff := effectiveSteps(cur)
				i := rng.IntN(len(eff))
				lo, hi := eff[i].EffectiveOn.AddDate(0, 0, -20), eff[i].EffectiveOn.AddDate(0, 0, 20)
				if i > 0 {
					lo = eff[i-1].EffectiveOn
				}
				if i+1 < len(eff) {
					hi = eff[i+1].EffectiveOn
				}
				fix := lo.AddDate(0, 0, rng.IntN(int(hi.Sub(lo).Hours()/24)+1))
				_, err = db.AddEvent(ctx, admin, ag.ID, agreement.NewEvent{Corrects: eff[i].ID, EffectiveOn: fix.Format(time.DateOnly), Note: "correctie"})
				if err != nil && apperr.Code(err) != apperr.InvalidTransition { // e.g. signed before its signatures
					tb.Fatalf("correction: %v", err)
				}
			}
			if m, _ := reg.ByNIS(nis); m.ValidTo != nil && status.Open() && rng.IntN(2) == 0 {
				if _, err := db.CarryOver(ctx, admin, ag.ID, time.Time{}, ""); err != nil && apperr.Code(err) != apperr.Conflict && apperr.Code(err) != apperr.InvalidTransition {
					tb.Fatalf("carry over: %v", err)
				}
				break
			}
			if status.Open() {
				break
			}
			on = on.AddDate(0, 0, 1+rng.IntN(200))
		}
	}
}

// effectiveSteps returns the steps of an agreement that no correction
// replaced, by seq.
func effectiveSteps(ag agreement.Agreement) []agreement.Event {
	var out []agreement.Event
	for _, e := range ag.Events {
		if e.CorrectedBy == 0 {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b agreement.Event) int { return a.Seq - b.Seq })
	return out
}

// TestAgreementTimelineProperty checks, on random histories with
// corrections and carry-overs, that every point of the timeline counts
// what the Flemish report of that day counts: the month ends the report
// page draws, the days around the merger and random days, unsorted and
// with a duplicate.
func TestAgreementTimelineProperty(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed := uint64(time.Now().UnixNano())
		rng := rand.New(rand.NewPCG(seed, 13))
		t.Logf("seed %d", seed)
		fixedClock(db, "2026-06-01")
		timelineWorld(t, db, rng)

		var days []time.Time
		for m := d("2022-02-01"); m.Before(d("2026-07-01")); m = m.AddDate(0, 1, 0) {
			days = append(days, m.AddDate(0, 1, -1))
		}
		days = append(days, d("2019-06-01"), d("2022-01-31"), d("2024-12-31"), d("2025-01-01"), d("2026-06-01"), d("2027-12-31"))
		for range 12 {
			days = append(days, d("2022-01-01").AddDate(0, 0, rng.IntN(1700)))
		}
		rng.Shuffle(len(days), func(i, j int) { days[i], days[j] = days[j], days[i] })
		days = append(days, days[3])

		got, err := db.AgreementTimeline(ctx, days)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(days) {
			t.Fatalf("%d points for %d days", len(got), len(days))
		}
		inForce, ended := 0, 0
		for i, day := range days {
			want, err := db.AgreementReport(ctx, day, nil, "flanders")
			if err != nil {
				t.Fatal(err)
			}
			g := got[i]
			if g.AsOf != want.AsOf || g.Region != want.Region || g.KnownAt != "" || g.Total != want.Total ||
				g.SignedUp != want.SignedUp || g.InForce != want.InForce || len(g.Municipalities) != 0 {
				t.Fatalf("on %s: timeline %s/%s total %d, signed up %d, in force %d, %d rows; report %s/%s total %d, signed up %d, in force %d",
					day.Format(time.DateOnly), g.AsOf, g.Region, g.Total, g.SignedUp, g.InForce, len(g.Municipalities),
					want.AsOf, want.Region, want.Total, want.SignedUp, want.InForce)
			}
			for _, st := range agreement.ReportStatuses {
				if n, ok := g.Counts[st]; !ok || n != want.Counts[st] {
					t.Fatalf("on %s: %s = %d (present %v), the report counts %d", day.Format(time.DateOnly), st, n, ok, want.Counts[st])
				}
			}
			if len(g.Counts) != len(want.Counts) {
				t.Fatalf("on %s: counts %v, the report's %v", day.Format(time.DateOnly), g.Counts, want.Counts)
			}
			inForce += g.InForce
			ended += g.Counts[agreement.Ended] + g.Counts[agreement.Withdrawn]
		}
		if inForce == 0 || ended == 0 {
			t.Fatalf("in force %d, ended or withdrawn %d over all points: the history is too thin to test anything", inForce, ended)
		}
		// The fixed part: Kortessem in force until the merger, then Hasselt.
		for _, c := range []struct {
			day, nis string
			want     agreement.Status
		}{{"2023-04-19", "73040", agreement.None}, {"2023-04-20", "73040", agreement.Draft}, {"2024-12-31", "73040", agreement.Active},
			{"2024-12-31", "71022", agreement.Interested}, {"2025-01-01", "71072", agreement.Active}} {
			rep, err := db.AgreementReport(ctx, d(c.day), nil, "flanders")
			if err != nil {
				t.Fatal(err)
			}
			if st := stateOf(rep, c.nis); st.Status != c.want {
				t.Errorf("%s on %s = %+v, want %s", c.nis, c.day, st, c.want)
			}
		}
	})
}

func TestAgreementTimelineEmpty(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		got, err := db.AgreementTimeline(context.Background(), nil)
		if err != nil || len(got) != 0 {
			t.Fatalf("no days: %v, %v", got, err)
		}
		got, err = db.AgreementTimeline(context.Background(), []time.Time{d("2024-06-30"), d("2025-06-30")})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Total != 300 || got[1].Total != 285 || got[0].Counts[agreement.None] != 300 || got[1].SignedUp != 0 {
			t.Fatalf("no agreements: %+v", got)
		}
	})
}
