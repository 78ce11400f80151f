package store

import (
	"context"
	"sort"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
	"kansrijk/internal/outreach"
)

// flandersOn returns a function that gives the Flemish municipalities on
// a day, as Registry.On does, for days in increasing order: the list
// changes only on the days a municipality began or ended (the 2025
// mergers), so it is sorted anew only then.
func (db *DB) flandersOn() func(day time.Time) []municipality.Municipality {
	var bounds []time.Time
	for _, m := range db.Municipalities.All() {
		if m.Region != municipality.Flanders {
			continue
		}
		bounds = append(bounds, m.ValidFrom)
		if m.ValidTo != nil {
			bounds = append(bounds, m.ValidTo.AddDate(0, 0, 1))
		}
	}
	var list []municipality.Municipality
	var listDay time.Time
	return func(d time.Time) []municipality.Municipality {
		stale := list == nil || d.Before(listDay)
		for _, b := range bounds {
			if stale {
				break
			}
			stale = listDay.Before(b) && !d.Before(b)
		}
		if stale {
			list, listDay = db.Municipalities.On(d, municipality.Flanders), d
		}
		return list
	}
}

// teamAreaSpan is one row of a team's service area history.
type teamAreaSpan struct {
	team     string
	from, to time.Time // to is the last day; zero while in force
}

// teamAreaHistory loads every service area row once, by municipality, in
// the order teamAreasOn picks from (team key), so that teamOn gives the
// same team as teamAreasOn for any day.
func (db *DB) teamAreaHistory(ctx context.Context) (map[string][]teamAreaSpan, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT municipality_nis, team_key, valid_from, valid_to FROM team_areas ORDER BY team_key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]teamAreaSpan{}
	for rows.Next() {
		var nis, team string
		var from, to timeCol
		if err := rows.Scan(&nis, &team, &from, &to); err != nil {
			return nil, err
		}
		out[nis] = append(out[nis], teamAreaSpan{team: team, from: from.T, to: to.T})
	}
	return out, rows.Err()
}

// teamOn returns the team whose area holds the municipality on day ("" for
// none): the first by team key, as teamAreasOn.
func teamOn(spans []teamAreaSpan, day time.Time) string {
	for _, s := range spans {
		if !s.from.After(day) && (s.to.IsZero() || !s.to.Before(day)) {
			return s.team
		}
	}
	return ""
}

// OutreachSeries counts the Flemish municipalities per stage on every day
// of outreach.SeriesDays(from, to): from, the first of each later month,
// and to. It loads the facts once (up to to) and derives each
// municipality's stage on each day with the pure outreach.StageOn over the
// facts it carried that day (its predecessors' only once they had merged
// into it), so that every point equals the counts of OutreachReport on
// that day. With group province or team it also counts per province, or
// per team by the service areas of each day. Aggregates: no personal
// data. Dates from 2019-01-01 to two years ahead, at most
// outreach.MaxSeriesDays points.
func (db *DB) OutreachSeries(ctx context.Context, from, to time.Time, group outreach.Grouping) (s outreach.Series, err error) {
	defer apperr.Wrap(&err, "store.OutreachSeries")
	from, to = today(from), today(to)
	if group == "" {
		group = outreach.ByAll
	}
	if _, err := outreach.ParseGrouping("group", string(group)); err != nil {
		return s, err
	}
	last := today(db.Now()).AddDate(2, 0, 0)
	for _, c := range []struct {
		field string
		day   time.Time
	}{{"from", from}, {"to", to}} {
		if c.day.Before(outreachFirstDay) || c.day.After(last) {
			return s, apperr.FieldErr(apperr.InvalidDate, c.field, "%s must lie between %s and %s", c.field, day(outreachFirstDay), day(last)).
				WithKey("error.funnel.series_range", map[string]any{"From": outreachFirstDay.Format("02-01-2006"), "To": last.Format("02-01-2006")})
		}
	}
	if to.Before(from) {
		return s, apperr.FieldErr(apperr.InvalidDate, "to", "to (%s) lies before from (%s)", day(to), day(from)).
			WithKey("error.funnel.series_order", nil)
	}
	days := outreach.SeriesDays(from, to)
	if len(days) > outreach.MaxSeriesDays {
		return s, apperr.FieldErr(apperr.Invalid, "from", "at most %d points (twenty years of months): pick a later from or an earlier to", outreach.MaxSeriesDays).
			WithKey("error.funnel.series_too_long", map[string]any{"N": outreach.MaxSeriesDays})
	}
	raw, err := db.outreachFacts(ctx, to)
	if err != nil {
		return s, err
	}
	var areas map[string][]teamAreaSpan
	if group == outreach.ByTeam {
		if areas, err = db.teamAreaHistory(ctx); err != nil {
			return s, err
		}
	}

	s = outreach.Series{From: day(from), To: day(to), Group: group, Days: make([]string, len(days))}
	all := outreach.NewSeriesGroup(outreach.ByAll, "", len(days))
	groups := map[string]*outreach.SeriesGroup{}
	groupOf := func(key string) *outreach.SeriesGroup {
		g := groups[key]
		if g == nil {
			g = outreach.NewSeriesGroup(group, key, len(days))
			groups[key] = g
		}
		return g
	}
	if group == outreach.ByProvince {
		for _, p := range outreach.Provinces {
			groupOf(p)
		}
	}
	flanders := db.flandersOn()
	for i, d := range days {
		s.Days[i] = day(d)
		for _, m := range flanders(d) {
			f, _ := db.factsWithPredecessors(raw, m.NIS, d)
			st := outreach.StageOn(f, d)
			all.Add(i, st)
			switch group {
			case outreach.ByProvince:
				groupOf(m.Province).Add(i, st)
			case outreach.ByTeam:
				groupOf(teamOn(areas[m.NIS], d)).Add(i, st)
			}
		}
	}
	s.Groups = append(s.Groups, *all)
	switch group {
	case outreach.ByProvince:
		for _, p := range outreach.Provinces {
			s.Groups = append(s.Groups, *groups[p])
		}
	case outreach.ByTeam:
		keys := make([]string, 0, len(groups))
		for k := range groups {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s.Groups = append(s.Groups, *groups[k])
		}
	}
	return s, nil
}
