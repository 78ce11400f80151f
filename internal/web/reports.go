package web

import (
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/chart"
	"kansrijk/internal/dates"
	"kansrijk/internal/i18n"
	"kansrijk/internal/org"
)

// firstReportDay is the first day Kansrijk knows the municipalities of
// (the boundaries and names of 2019).
var firstReportDay = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)

// reportDate reads ?as_of= (default today); a bad date is an error, and
// so is a date before 2019 (no municipalities, no boundaries) or more
// than two years ahead (the timeline draws every month up to it).
func (ui *UI) reportDate(r *http.Request, name string) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return ui.today(), nil
	}
	d, _, err := dates.ParseField(name, s) // as people type it, or ISO
	if err != nil {
		return ui.today(), err
	}
	if last := ui.lastReportDay(); d.Before(firstReportDay) || d.After(last) {
		return ui.today(), apperr.FieldErr(apperr.InvalidDate, name, "pick a date from %s to %s", firstReportDay.Format(time.DateOnly), last.Format(time.DateOnly)).
			WithKey("error.report_date_range", map[string]any{"From": firstReportDay.Format("02-01-2006"), "To": last.Format("02-01-2006")})
	}
	return d, nil
}

// lastReportDay is the last day a report page, map or timeline shows.
func (ui *UI) lastReportDay() time.Time { return ui.today().AddDate(2, 0, 0) }

// textWithDate renders a translated text whose {Date} stays on one line
// (a date like 29-11-2026 would otherwise break at a hyphen).
func textWithDate(lang i18n.Lang, key string, args map[string]any, on time.Time) template.HTML {
	const mark = "KANSRIJKDATEMARK"
	a := map[string]any{"Date": mark}
	for k, v := range args {
		a[k] = v
	}
	s := template.HTMLEscapeString(i18n.T(lang, key, a))
	return template.HTML(strings.Replace(s, mark, `<span class="nowrap">`+on.Format("02-01-2006")+`</span>`, 1))
}

type provinceRow struct {
	Province string
	Counts   map[agreement.Status]int
	Total    int
	SignedUp int
	InForce  int
}

// statusLegend returns the legend items of the agreement statuses.
func statusLegend(lang i18n.Lang, counts map[agreement.Status]int) []chart.LegendItem {
	var out []chart.LegendItem
	for _, s := range agreement.ReportStatuses {
		key := "agreement.status." + string(s)
		if i18n.Has(lang, "agreement.status_short."+string(s)) {
			key = "agreement.status_short." + string(s) // the full label does not fit a legend column
		}
		out = append(out, chart.LegendItem{Status: string(s), Label: i18n.T(lang, key, nil), Color: chart.StatusColors[string(s)], Count: counts[s]})
	}
	return out
}

func (ui *UI) mapSVG(lang i18n.Lang, rep agreement.Report, asOf time.Time) ([]byte, error) {
	areas := make([]chart.Area, len(rep.Municipalities))
	for i, m := range rep.Municipalities {
		areas[i] = chart.Area{NIS: m.NIS, Name: m.Name, Status: string(m.Status), Label: i18n.T(lang, "agreement.status."+string(m.Status), nil)}
	}
	title := i18n.T(lang, "report.map.title", map[string]any{"Date": asOf.Format("02-01-2006")})
	desc := i18n.T(lang, "report.map.desc", map[string]any{"SignedUp": rep.SignedUp, "InForce": rep.InForce, "Total": rep.Total})
	return chart.Map(asOf.Year(), areas, statusLegend(lang, rep.Counts), title, desc)
}

func (ui *UI) showAgreementReport(w http.ResponseWriter, r *http.Request, a account.Actor) {
	p := ui.page(r, "page.report.title", nil)
	p.Form = r.URL.Query()
	status := http.StatusOK
	asOf, err := ui.reportDate(r, "as_of")
	if err != nil {
		p.withError(r, err)
		status = http.StatusBadRequest
	}
	rep, err := ui.Agreements.AgreementReport(r.Context(), asOf, nil, "flanders")
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	byProvince := map[string]*provinceRow{}
	for _, m := range rep.Municipalities {
		pr := byProvince[m.Province]
		if pr == nil {
			pr = &provinceRow{Province: m.Province, Counts: map[agreement.Status]int{}}
			byProvince[m.Province] = pr
		}
		pr.Counts[m.Status]++
		pr.Total++
		if m.Status.SignedUp() {
			pr.SignedUp++
		}
		if m.Status.InForce() {
			pr.InForce++
		}
	}
	var rows []provinceRow
	var bars []chart.Bar
	for _, pr := range byProvince {
		rows = append(rows, *pr)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Province < rows[j].Province })
	for _, pr := range rows {
		bars = append(bars, chart.Bar{Label: pr.Province, Values: []int{pr.InForce, pr.SignedUp - pr.InForce, pr.Total - pr.SignedUp}})
	}
	lang := p.Lang
	mapSVG, err := ui.mapSVG(lang, rep, asOf)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	barSVG := chart.Bars(bars, []chart.Series{
		{Label: i18n.T(lang, "report.in_force", nil), Color: chart.StatusColors["active"]},
		{Label: i18n.T(lang, "report.signed_up_not_in_force", nil), Color: chart.StatusColors["interested"]},
		{Label: i18n.T(lang, "report.not_signed_up", nil), Color: chart.StatusColors["none"]},
	}, i18n.T(lang, "report.bars.title", nil), i18n.T(lang, "report.bars.desc", map[string]any{"Date": asOf.Format("02-01-2006")}))
	timeline, err := ui.timelineSVG(r, lang, asOf)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	teams, err := ui.teamNames(r.Context())
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	// The list under the headline holds exactly the local governments the
	// headline counts (agreement.Status.SignedUp); those that withdrew or
	// ended follow in a list of their own.
	var listed, gone, all []reportRow
	for _, m := range rep.Municipalities {
		row := ui.reportRow(lang, a, m, teams)
		all = append(all, row)
		switch {
		case m.Status.SignedUp():
			listed = append(listed, row)
		case m.Status != agreement.None:
			gone = append(gone, row)
		}
	}
	p.Data = map[string]any{
		"Report": rep, "AsOf": asOf, "Provinces": rows, "Statuses": agreement.ReportStatuses, "Listed": listed, "Gone": gone, "All": all,
		"Map": template.HTML(mapSVG), "Bars": template.HTML(barSVG), "Timeline": template.HTML(timeline),
		"Legend":      statusLegend(lang, rep.Counts),
		"KPISignedUp": textWithDate(lang, "report.kpi.signed_up", map[string]any{"Total": rep.Total}, asOf),
		"MaxDate":     ui.lastReportDay(),
	}
	ui.render(w, status, "agreement_report", p)
}

// reportRow is one municipality in the report's lists: the team by its
// name, and a link to the agreement only for a viewer who may open it.
type reportRow struct {
	agreement.MunicipalityState
	TeamName    string
	StatusLabel string
	Link        bool
}

func (ui *UI) reportRow(lang i18n.Lang, a account.Actor, m agreement.MunicipalityState, teams map[string]string) reportRow {
	row := reportRow{MunicipalityState: m, TeamName: teams[m.Team], StatusLabel: i18n.T(lang, "agreement.status."+string(m.Status), nil)}
	if row.TeamName == "" {
		row.TeamName = m.Team
	}
	if m.AgreementID != 0 {
		recipient := org.OCMWKey(m.NIS)
		if mu, ok := ui.Municipalities.ByNIS(m.NIS); ok {
			recipient = org.RecipientFor(mu)
		}
		row.Link = agreement.CanRead(a, m.Team, recipient)
	}
	return row
}

// timelineSVG draws sign-ups and agreements in force at the end of every
// month from the decree (February 2022) to asOf (the last point), all
// counted in one pass over the agreements' history.
func (ui *UI) timelineSVG(r *http.Request, lang i18n.Lang, asOf time.Time) ([]byte, error) {
	start := time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC)
	var days []time.Time
	for d := start; !d.After(asOf); d = d.AddDate(0, 1, 0) {
		end := d.AddDate(0, 1, -1)
		if end.After(asOf) {
			end = asOf
		}
		days = append(days, end)
	}
	reps, err := ui.Agreements.AgreementTimeline(r.Context(), days)
	if err != nil {
		return nil, err
	}
	points := make([]chart.Point, len(days))
	for i, rep := range reps {
		points[i] = chart.Point{Date: days[i], Values: []int{rep.SignedUp, rep.InForce}}
	}
	return chart.Timeline(points, []chart.Series{
		{Label: i18n.T(lang, "report.signed_up", nil), Color: chart.StatusColors["interested"]},
		{Label: i18n.T(lang, "report.in_force", nil), Color: chart.StatusColors["active"]},
	}, i18n.T(lang, "report.timeline.title", nil), i18n.T(lang, "report.timeline.desc", map[string]any{"Date": asOf.Format("02-01-2006")})), nil
}

// agreementMap serves the map alone: public, like the register (it holds
// only the status per municipality).
func (ui *UI) agreementMap(w http.ResponseWriter, r *http.Request) {
	asOf, err := ui.reportDate(r, "as_of")
	if err != nil {
		http.Error(w, "invalid as_of: use a date YYYY-MM-DD from 2019-01-01 to "+ui.lastReportDay().Format(time.DateOnly), http.StatusBadRequest)
		return
	}
	rep, err := ui.Agreements.AgreementReport(r.Context(), asOf, nil, "flanders")
	if err == nil {
		var svg []byte
		if svg, err = ui.mapSVG(i18n.FromRequest(r), rep, asOf); err == nil {
			w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache")
			_, _ = w.Write(svg)
			return
		}
	}
	ui.fail(w, r, err)
}

func (ui *UI) agreementTimeline(w http.ResponseWriter, r *http.Request) {
	asOf, err := ui.reportDate(r, "as_of")
	if err != nil {
		http.Error(w, "invalid as_of: use a date YYYY-MM-DD from 2019-01-01 to "+ui.lastReportDay().Format(time.DateOnly), http.StatusBadRequest)
		return
	}
	svg, err := ui.timelineSVG(r, i18n.FromRequest(r), asOf)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
	_, _ = w.Write(svg)
}

// showRegister is the public register: no login, no personal names.
func (ui *UI) showRegister(w http.ResponseWriter, r *http.Request) {
	p := ui.page(r, "page.register.title", nil)
	p.Form = r.URL.Query()
	status := http.StatusOK
	on, err := ui.reportDate(r, "on")
	if err != nil {
		p.withError(r, err)
		status = http.StatusBadRequest
	}
	rows, err := ui.Agreements.PublicRegister(r.Context(), on)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	counts := map[agreement.Status]int{}
	signedUp, inForce := 0, 0
	for _, x := range rows {
		counts[x.Status]++
		if x.Status.SignedUp() {
			signedUp++
		}
		if x.Status.InForce() {
			inForce++
		}
	}
	p.Data = map[string]any{"Rows": rows, "On": on, "SignedUp": signedUp, "InForce": inForce, "Total": len(rows), "Counts": counts, "Statuses": agreement.ReportStatuses,
		"KPISignedUp": textWithDate(p.Lang, "page.register.kpi_signed_up", map[string]any{"Total": len(rows)}, on), "MaxDate": ui.lastReportDay()}
	ui.render(w, status, "register", p)
}
