package outreach

import (
	"strings"
	"testing"
	"time"

	"kansrijk/internal/apperr"
)

func TestSeriesDays(t *testing.T) {
	format := func(days []time.Time) string {
		var b []string
		for _, d := range days {
			b = append(b, d.Format(time.DateOnly))
		}
		return strings.Join(b, " ")
	}
	for _, c := range []struct{ from, to, want string }{
		{"2022-02-01", "2022-05-01", "2022-02-01 2022-03-01 2022-04-01 2022-05-01"},
		{"2022-02-04", "2022-04-17", "2022-02-04 2022-03-01 2022-04-01 2022-04-17"},
		{"2024-11-30", "2025-01-01", "2024-11-30 2024-12-01 2025-01-01"},
		{"2023-03-08", "2023-03-08", "2023-03-08"},
		{"2023-03-08", "2023-03-09", "2023-03-08 2023-03-09"},
		{"2023-03-09", "2023-03-08", ""},
	} {
		if got := format(SeriesDays(day(c.from), day(c.to))); got != c.want {
			t.Errorf("SeriesDays(%s, %s) = %q, want %q", c.from, c.to, got, c.want)
		}
	}
	// From the decree month to a day: one point per month and the day.
	if n := len(SeriesDays(SeriesStart, day("2026-03-02"))); n != 51 {
		t.Errorf("%d points from 2022-02 to 2026-03-02, want 51", n)
	}
}

func TestParseGrouping(t *testing.T) {
	for in, want := range map[string]Grouping{"": ByAll, "all": ByAll, " province ": ByProvince, "team": ByTeam} {
		if g, err := ParseGrouping("group", in); err != nil || g != want {
			t.Errorf("ParseGrouping(%q) = %q, %v", in, g, err)
		}
	}
	_, err := ParseGrouping("group", "provincie")
	if e, ok := apperr.As(err); !ok || e.Code != apperr.Invalid || e.Field != "group" || e.Key != "error.funnel.unknown_group" {
		t.Errorf("unknown grouping: %v", err)
	}
}

func TestSeriesGroup(t *testing.T) {
	g := NewSeriesGroup(ByTeam, "team-x", 2)
	g.Add(0, Informed)
	g.Add(1, Informed)
	g.Add(1, Active)
	if c := g.On(1); c[Informed] != 1 || c[Active] != 1 || c[NotInformed] != 0 || len(c) != len(Stages) || g.Totals[1] != 2 || g.Totals[0] != 1 {
		t.Errorf("On(1) = %v, totals %v", c, g.Totals)
	}
	s := Series{Groups: []SeriesGroup{*g}}
	if _, ok := s.Find(ByTeam, "team-x"); !ok {
		t.Error("Find team-x")
	}
	if _, ok := s.Find(ByProvince, "team-x"); ok {
		t.Error("Find with the wrong grouping")
	}
}
