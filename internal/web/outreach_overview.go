package web

import (
	"bytes"
	"html/template"
	"kansrijk/internal/mailing"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/api"
	"kansrijk/internal/apperr"
	"kansrijk/internal/chart"
	"kansrijk/internal/export"
	"kansrijk/internal/i18n"
	"kansrijk/internal/outreach"
)

// outreachRow is a municipality of the outreach report as the pages show
// it: with its team's name and the last day it was reached (by a
// campaign or a contact moment).
type outreachRow struct {
	outreach.MunicipalityStage
	TeamName    string
	LastReached string
}

// stageCount is the number of municipalities in one stage.
type stageCount struct {
	Stage outreach.Stage
	Count int
}

// stageBars draws the counts per stage as a horizontal bar chart.
func stageBars(lang i18n.Lang, counts []stageCount, total int, asOf time.Time) template.HTML {
	bars := make([]chart.Bar, len(counts))
	for i, c := range counts {
		bars[i] = chart.Bar{Label: i18n.T(lang, "outreach.stage."+string(c.Stage), nil), Values: []int{c.Count}}
	}
	svg := chart.Bars(bars, []chart.Series{{Label: i18n.T(lang, "outreach.overview.series", nil), Color: chart.StatusColors["draft"]}},
		i18n.T(lang, "outreach.overview.chart_title", nil),
		i18n.T(lang, "outreach.overview.chart_desc", map[string]any{"Date": asOf.Format("02-01-2006"), "Total": total}))
	return template.HTML(svg)
}

// showOutreach answers "which local governments were informed, and which
// were not approached yet?" on a day: counts per stage and the two lists,
// for the caller's team's area (local teams) or all of Flanders with a
// province and team filter (admins, analysts).
func (ui *UI) showOutreach(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if !outreach.CanReadReports(a) {
		ui.fail(w, r, outreach.Forbidden())
		return
	}
	q := r.URL.Query()
	p := ui.page(r, "page.outreach.title", nil)
	p.Form = q
	status := http.StatusOK
	bad := func(err error) {
		if p.Error == "" {
			p.withOutreachError(r, err)
			status = statusOf(err)
		}
	}
	asOf, err := ui.reportDate(r, "as_of")
	if err != nil {
		bad(err)
	}
	teams, err := ui.teamDirectory(r.Context(), asOf)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	province, team := "", ""
	if isTeamRole(a) {
		team = a.Org
	} else {
		province, team = strings.TrimSpace(q.Get("province")), strings.TrimSpace(q.Get("team"))
		if province != "" && !slices.Contains(outreach.Provinces, province) {
			bad(apperr.FieldErr(apperr.Invalid, "province", "unknown province").WithKey("error.unknown_province", map[string]any{"Province": province}))
			province = ""
		}
		if team != "" && !teams.Has(team) {
			bad(apperr.FieldErr(apperr.UnknownOrg, "team", "unknown team").WithKey("error.unknown_org", map[string]any{"Org": team}))
			team = ""
		}
	}
	rep, err := ui.Outreach.OutreachReport(r.Context(), asOf)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	counts := map[outreach.Stage]int{}
	var informed, notYet []outreachRow
	for _, m := range rep.Municipalities {
		if (province != "" && m.Province != province) || (team != "" && m.Team != team) {
			continue
		}
		counts[m.Stage]++
		row := outreachRow{MunicipalityStage: m, TeamName: teams.Name(m.Team), LastReached: lastReached(m.LastTouchpoint, m.LastContact)}
		if m.Stage == outreach.NotInformed {
			notYet = append(notYet, row)
		} else {
			informed = append(informed, row)
		}
	}
	stages := make([]stageCount, len(outreach.Stages))
	for i, s := range outreach.Stages {
		stages[i] = stageCount{s, counts[s]}
	}
	total := len(informed) + len(notYet)
	p.Data = map[string]any{
		"AsOf": asOf, "MaxDate": ui.lastReportDay(), "Province": province, "Team": team, "TeamName": teams.Name(team),
		"Teams": teams.Teams, "Provinces": outreach.Provinces, "OwnArea": isTeamRole(a),
		"Stages": stages, "Total": total, "Bars": stageBars(p.Lang, stages, total, asOf),
		"Informed": informed, "NotYet": notYet, "Personal": outreachPersonal(a),
		"TargetsHref": template.URL("/outreach/targets?" + targetsQuery(asOf, outreach.TargetFilter{Province: province, Team: team}).Encode()),
	}
	ui.render(w, status, "outreach", p)
}

// targetsQuery is the query of a target list (for links and downloads):
// the filter, the day and, when it selects all teams, an explicit empty
// team, so that a local team's default to its own area does not apply.
func targetsQuery(asOf time.Time, f outreach.TargetFilter) url.Values {
	q := f.Query()
	if f.Team == "" {
		q.Set("team", "")
	}
	q.Set("as_of", asOf.Format(time.DateOnly))
	return q
}

// targetsView is a target list with what its page needs.
type targetsView struct {
	AsOf   time.Time
	Filter outreach.TargetFilter
	Stages []outreach.Stage // the stages selected (the default when none were given)
	Rows   []outreachRow
	Teams  teamDirectory
}

// targets reads the filter from the query and computes the list. A bad
// date or filter gives the first error and the list of the defaults.
// A local team without a team in the query gets its own area.
func (ui *UI) targets(r *http.Request, a account.Actor) (targetsView, error) {
	var first error
	keep := func(err error) {
		if first == nil {
			first = err
		}
	}
	q := r.URL.Query()
	v := targetsView{}
	var err error
	if v.AsOf, err = ui.reportDate(r, "as_of"); err != nil {
		keep(err)
	}
	if v.Teams, err = ui.teamDirectory(r.Context(), v.AsOf); err != nil {
		return v, err
	}
	if v.Filter, err = outreach.ParseTargetFilter(q); err != nil {
		keep(err)
		v.Filter = outreach.TargetFilter{}
	}
	if !q.Has("team") && isTeamRole(a) {
		v.Filter.Team = a.Org
	}
	if v.Filter.Team != "" && !v.Teams.Has(v.Filter.Team) {
		keep(apperr.FieldErr(apperr.UnknownOrg, "team", "unknown team").WithKey("error.unknown_org", map[string]any{"Org": v.Filter.Team}))
		v.Filter.Team = ""
	}
	v.Stages = v.Filter.Stages
	if len(v.Stages) == 0 {
		v.Stages = outreach.NotSignedUp
	}
	rep, err := ui.Outreach.OutreachReport(r.Context(), v.AsOf)
	if err != nil {
		return v, err
	}
	for _, m := range outreach.Targets(rep, v.Filter) {
		v.Rows = append(v.Rows, outreachRow{MunicipalityStage: m, TeamName: v.Teams.Name(m.Team), LastReached: lastReached(m.LastTouchpoint, m.LastContact)})
	}
	return v, first
}

func (ui *UI) showOutreachTargets(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if !outreach.CanReadReports(a) {
		ui.fail(w, r, outreach.Forbidden())
		return
	}
	p := ui.page(r, "page.outreach_targets.title", nil)
	p.Form = r.URL.Query()
	v, err := ui.targets(r, a)
	status := http.StatusOK
	if err != nil {
		if _, ok := apperr.As(err); !ok {
			ui.fail(w, r, err)
			return
		}
		p.withOutreachError(r, err)
		status = statusOf(err)
	}
	mailingQ := v.Filter.Query()
	if v.Filter.Team == "" {
		mailingQ.Set("team", "")
	}
	query := targetsQuery(v.AsOf, v.Filter).Encode()
	checked := map[outreach.Stage]bool{}
	for _, s := range v.Stages {
		checked[s] = true
	}
	p.Data = map[string]any{
		"View": v, "MaxDate": ui.lastReportDay(), "Provinces": outreach.Provinces, "AllStages": outreach.Stages,
		"CSVHref": template.URL("/outreach/targets.csv?" + query), "XLSXHref": template.URL("/outreach/targets.xlsx?" + query),
		"MailingHref": template.URL("/outreach/mailing?" + mailingQ.Encode()), "Personal": outreachPersonal(a),
		"CanMail": mailing.Allowed(a), // the mailing page is for admins and team leads
		"Checked": checked,
	}
	ui.render(w, status, "outreach_targets", p)
}

// outreachTargetsFile serves the target list as CSV or XLSX (by the
// path's extension), the same table as the API's.
func (ui *UI) outreachTargetsFile(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if !outreach.CanReadReports(a) {
		ui.fail(w, r, outreach.Forbidden())
		return
	}
	v, err := ui.targets(r, a)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	asOf := v.AsOf.Format(time.DateOnly)
	rows := make([]outreach.MunicipalityStage, len(v.Rows))
	for i, x := range v.Rows {
		rows[i] = x.MunicipalityStage
	}
	lang, err := api.ExportLang(r)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	teams, err := ui.teamNames(r.Context())
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	t := api.Localize(api.OutreachTargetsTable(asOf, rows), lang, teams)
	name := "doelgroep-" + asOf
	write, ext, ctype := export.WriteCSV, ".csv", "text/csv; charset=utf-8"
	if strings.HasSuffix(r.URL.Path, ".xlsx") {
		write, ext, ctype = export.WriteXLSX, ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	var buf bytes.Buffer
	if err := write(&buf, t); err != nil {
		ui.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + ext}))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}
