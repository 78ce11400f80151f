package outreach

import (
	"strings"
	"time"

	"kansrijk/internal/apperr"
)

// Grouping is how a stage series or a funnel splits the municipalities.
type Grouping string

// The groupings: all municipalities together, per province, or per team
// (the team whose service area holds the municipality on each day).
const (
	ByAll      Grouping = "all"
	ByProvince Grouping = "province"
	ByTeam     Grouping = "team"
)

// Groupings lists the groupings.
var Groupings = []Grouping{ByAll, ByProvince, ByTeam}

// ParseGrouping validates a grouping; "" is all.
func ParseGrouping(field, s string) (Grouping, error) {
	switch g := Grouping(strings.TrimSpace(s)); g {
	case "":
		return ByAll, nil
	case ByAll, ByProvince, ByTeam:
		return g, nil
	}
	return "", apperr.FieldErr(apperr.Invalid, field, "unknown group %q; use all, province or team", s).
		WithKey("error.funnel.unknown_group", map[string]any{"Group": s})
}

// SeriesStart is the first day of the default stage series: the first of
// the month of the decree of 4 February 2022.
var SeriesStart = time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC)

// MaxSeriesDays bounds the days of one series: twenty years of months.
const MaxSeriesDays = 20*12 + 1

// SeriesDays returns the days a series is evaluated on: from, the first
// of every later month up to to, and to itself (UTC midnights, no day
// twice). It is empty when to is before from.
func SeriesDays(from, to time.Time) []time.Time {
	from, to = midnight(from), midnight(to)
	if to.Before(from) {
		return nil
	}
	days := []time.Time{from}
	for d := time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, time.UTC); d.Before(to); d = d.AddDate(0, 1, 0) {
		days = append(days, d)
	}
	if to.After(from) {
		days = append(days, to)
	}
	return days
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Series is the number of Flemish municipalities in each stage on a row
// of days (SeriesDays), for all of them and, with a grouping, per group.
// Every day counts the municipalities that exist on it (300 before 2025,
// 285 from 2025-01-01), as the outreach report of that day does.
type Series struct {
	From  string   `json:"from"`
	To    string   `json:"to"`
	Group Grouping `json:"group"`
	// Days are the days of the points, YYYY-MM-DD, oldest first.
	Days []string `json:"days"`
	// Groups holds all municipalities first, then the provinces (in the
	// order of Provinces) or the teams (by key; "" for municipalities no
	// team covers), as the report's funnel does.
	Groups []SeriesGroup `json:"groups"`
}

// SeriesGroup is the stage series of one group: Counts[stage][i] is the
// number of its municipalities in that stage on Days[i], Totals[i] their
// number that day. A team's area changes over time, so its total may too.
type SeriesGroup struct {
	Group  Grouping        `json:"group"`
	Key    string          `json:"key"`
	Counts map[Stage][]int `json:"counts"`
	Totals []int           `json:"totals"`
}

// NewSeriesGroup returns an empty group for n days.
func NewSeriesGroup(g Grouping, key string, n int) *SeriesGroup {
	sg := &SeriesGroup{Group: g, Key: key, Counts: map[Stage][]int{}, Totals: make([]int, n)}
	for _, s := range Stages {
		sg.Counts[s] = make([]int, n)
	}
	return sg
}

// Add counts one municipality in stage s on day i.
func (g *SeriesGroup) Add(i int, s Stage) {
	g.Counts[s][i]++
	g.Totals[i]++
}

// On returns the counts per stage on day i.
func (g SeriesGroup) On(i int) map[Stage]int {
	out := make(map[Stage]int, len(Stages))
	for _, s := range Stages {
		if i < len(g.Counts[s]) {
			out[s] = g.Counts[s][i]
		}
	}
	return out
}

// Find returns the group with the given grouping and key.
func (s Series) Find(g Grouping, key string) (SeriesGroup, bool) {
	for _, x := range s.Groups {
		if x.Group == g && x.Key == key {
			return x, true
		}
	}
	return SeriesGroup{}, false
}
