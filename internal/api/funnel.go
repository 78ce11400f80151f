package api

import (
	"net/http"

	"kansrijk/internal/export"
	"kansrijk/internal/httpx"
	"kansrijk/internal/municipality"
	"kansrijk/internal/outreach"
)

// OutreachSeriesTable is the stage series as a table: one row per group
// and day, with the total and one column per stage.
func OutreachSeriesTable(s outreach.Series) export.Table {
	t := export.Table{Sheet: "Fasen " + s.From + " tot " + s.To, Header: []string{"group", "key", "day", "total"}}
	for _, st := range outreach.Stages {
		t.Header = append(t.Header, string(st))
	}
	for _, g := range s.Groups {
		for i, d := range s.Days {
			on, _ := municipality.ParseDate(d)
			row := []any{string(g.Group), g.Key, on, g.Totals[i]}
			for _, st := range outreach.Stages {
				row = append(row, g.Counts[st][i])
			}
			t.Rows = append(t.Rows, row)
		}
	}
	return t
}

// outreachSeries: the number of municipalities per stage on the first of
// every month from from (default February 2022) to to (default today) and
// on to, for all of Flanders and per province or team. Admins, analysts
// and the local teams: aggregates only.
func (a *API) outreachSeries(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	if !outreach.CanReadReports(c) {
		return outreach.Forbidden()
	}
	to, err := dateParam(r, "to", a.today())
	if err != nil {
		return err
	}
	from := outreach.SeriesStart
	if to.Before(from) {
		from = to
	}
	if from, err = dateParam(r, "from", from); err != nil {
		return err
	}
	group, err := outreach.ParseGrouping("group", r.URL.Query().Get("group"))
	if err != nil {
		return err
	}
	s, err := a.Outreach.OutreachSeries(r.Context(), from, to, group)
	if err != nil {
		return err
	}
	if done, err := a.writeTable(w, r, "fasen-"+s.From+"-"+s.To, OutreachSeriesTable(s)); done || err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, s)
	return nil
}
