package api

import (
	"net/http"

	"kansrijk/internal/export"
	"kansrijk/internal/httpx"
	"kansrijk/internal/municipality"
	"kansrijk/internal/outreach"
)

// OutreachTargetsTable is a target list as a table (the same for the
// API's CSV and XLSX and the page's downloads): one row per municipality
// on the list, in the report's order.
func OutreachTargetsTable(asOf string, rows []outreach.MunicipalityStage) export.Table {
	t := export.Table{Sheet: "Doelgroep " + asOf, Header: []string{"nis", "name", "province", "team", "stage", "since",
		"agreement_status", "last_contact", "days_since_contact", "last_touchpoint"}}
	date := func(s string) any {
		if s == "" {
			return nil
		}
		d, _ := municipality.ParseDate(s)
		return d
	}
	for _, m := range rows {
		var days any
		if m.DaysSinceContact != nil {
			days = *m.DaysSinceContact
		}
		t.Rows = append(t.Rows, []any{m.NIS, m.Name, m.Province, m.Team, string(m.Stage), date(m.Since), string(m.AgreementStatus),
			date(m.LastContact), days, date(m.LastTouchpoint)})
	}
	return t
}

// targetFilterJSON is a target filter in JSON: the list's answer says
// which filter it applied, and a mailing names its recipients by one.
type targetFilterJSON struct {
	Province            string           `json:"province"`
	Team                string           `json:"team"`
	Stages              []outreach.Stage `json:"stages"`
	MinDaysSinceContact int              `json:"min_days_since_contact"`
}

type targetListJSON struct {
	AsOf           string                       `json:"as_of"`
	Filter         targetFilterJSON             `json:"filter"`
	Count          int                          `json:"count"`
	Municipalities []outreach.MunicipalityStage `json:"municipalities"`
}

// outreachTargets: the "not yet signed up" target list on as_of, filtered
// by province, team, stage and days since the last contact moment (the
// outreach report's rows that match). Aggregates, no personal data: the
// roles of the outreach report.
func (a *API) outreachTargets(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	if !outreach.CanReadReports(c) {
		return outreach.Forbidden()
	}
	asOf, err := dateParam(r, "as_of", a.today())
	if err != nil {
		return err
	}
	f, err := outreach.ParseTargetFilter(r.URL.Query())
	if err != nil {
		return err
	}
	rep, err := a.Outreach.OutreachReport(r.Context(), asOf)
	if err != nil {
		return err
	}
	rows := outreach.Targets(rep, f)
	if done, err := a.writeTable(w, r, "doelgroep-"+rep.AsOf, OutreachTargetsTable(rep.AsOf, rows)); done || err != nil {
		return err
	}
	stages := f.Stages
	if len(stages) == 0 {
		stages = outreach.NotSignedUp
	}
	if rows == nil {
		rows = []outreach.MunicipalityStage{}
	}
	httpx.WriteJSON(w, http.StatusOK, targetListJSON{AsOf: rep.AsOf, Count: len(rows), Municipalities: rows,
		Filter: targetFilterJSON{Province: f.Province, Team: f.Team, Stages: stages, MinDaysSinceContact: f.MinDaysSinceContact}})
	return nil
}
