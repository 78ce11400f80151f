package web

import (
	"context"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/chart"
	"kansrijk/internal/i18n"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
)

// The outreach funnel report: where the local governments stand on the
// path to an agreement on any day, how they got there since the decree
// (a stage series from one load of the facts), and conversion and median
// days per stage, for all of Flanders, per province or per team.
// Aggregates only; admins, analysts and the local teams.

func init() {
	// canReadOutreach tells a template whether to link to the outreach
	// report (the agreements report links to it).
	funcs["canReadOutreach"] = func(a *account.Actor) bool { return a != nil && outreach.CanReadReports(*a) }
}

// funnelRow is one stage of a group's funnel table.
type funnelRow struct {
	Stage      outreach.Stage
	Label      string
	Color      string
	Reached    int
	Current    int
	Conversion string // "62 %", or "–"
	Completed  int
	Median     string // "45,5", or "–"
}

// funnelSeriesRow is one day of the text alternative of the stage chart.
type funnelSeriesRow struct {
	Day    time.Time
	Counts []int // in funnel order
	Total  int
}

// funnelGroup is one group on the page: its title, charts and tables.
type funnelGroup struct {
	ID        string // the HTML id of its section
	Title     string
	Group     outreach.Grouping
	Key       string
	Total     int
	Rows      []funnelRow
	Stages    template.HTML // the stacked area chart
	Funnel    template.HTML // the funnel chart
	Series    []funnelSeriesRow
	StagesURL string
	FunnelURL string
}

// stageLabel is the short label of a stage.
func stageLabel(lang i18n.Lang, s outreach.Stage) string {
	return i18n.T(lang, "funnel.stage."+string(s), nil)
}

// funnelPercent formats a share as a whole percentage; "–" without.
func funnelPercent(lang i18n.Lang, v *float64) string {
	if v == nil {
		return "–"
	}
	return i18n.T(lang, "funnel.percent", map[string]any{"N": strconv.Itoa(int(math.Round(*v * 100)))})
}

// funnelDays formats a number of days with at most one decimal, with a
// decimal comma in Dutch; "–" without.
func funnelDays(lang i18n.Lang, v *float64) string {
	if v == nil {
		return "–"
	}
	s := strconv.FormatFloat(math.Round(*v*10)/10, 'f', -1, 64)
	if lang == i18n.NL {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// seriesFrom is the first day of the page's series: February 2022, the
// month of the decree, or asOf itself when that is earlier.
func seriesFrom(asOf time.Time) time.Time {
	if asOf.Before(outreach.SeriesStart) {
		return asOf
	}
	return outreach.SeriesStart
}

// stackOrder is the order of the stacked areas, bottom first: the most
// advanced stages grow from the axis, not_informed fills the top.
func stackOrder() []outreach.Stage {
	out := slices.Clone(outreach.Stages)
	slices.Reverse(out)
	return out
}

// groupTitle names a group in the reader's language.
func groupTitle(lang i18n.Lang, g outreach.Grouping, key string, teams map[string]string) string {
	switch {
	case g == outreach.ByAll:
		return i18n.T(lang, "funnel.group_title.all", nil)
	case g == outreach.ByProvince:
		return i18n.T(lang, "funnel.group_title.province", map[string]any{"Province": key})
	case key == "":
		return i18n.T(lang, "funnel.group_title.no_team", nil)
	}
	name := teams[key]
	if name == "" {
		name = key
	}
	return i18n.T(lang, "funnel.group_title.team", map[string]any{"Team": name})
}

// stagesSVG draws a group's municipalities per stage over the series' days.
func stagesSVG(lang i18n.Lang, s outreach.Series, g outreach.SeriesGroup, title string) []byte {
	order := stackOrder()
	layers := make([]chart.Layer, len(order))
	for i, st := range order {
		layers[i] = chart.Layer{Key: string(st), Label: stageLabel(lang, st), Color: chart.StageColors[string(st)]}
	}
	points := make([]chart.Point, len(s.Days))
	for i, d := range s.Days {
		day, _ := time.Parse(time.DateOnly, d)
		p := chart.Point{Date: day, Values: make([]int, len(order))}
		for k, st := range order {
			p.Values[k] = g.Counts[st][i]
		}
		points[i] = p
	}
	last := len(s.Days) - 1
	var parts []string
	for _, st := range outreach.Stages {
		if n := g.Counts[st][last]; n > 0 {
			parts = append(parts, strconv.Itoa(n)+" "+stageLabel(lang, st))
		}
	}
	from, _ := time.Parse(time.DateOnly, s.From)
	to, _ := time.Parse(time.DateOnly, s.To)
	desc := i18n.T(lang, "funnel.stages.desc", map[string]any{"From": from.Format("02-01-2006"), "Date": to.Format("02-01-2006"),
		"Total": g.Totals[last], "Counts": strings.Join(parts, ", ")})
	return chart.StackedArea(points, layers, i18n.T(lang, "funnel.stages.title", map[string]any{"Group": title}), desc)
}

// funnelRows turns a funnel into table rows.
func funnelRows(lang i18n.Lang, fg outreach.FunnelGroup) []funnelRow {
	out := make([]funnelRow, len(fg.Rows))
	for i, r := range fg.Rows {
		out[i] = funnelRow{Stage: r.Stage, Label: stageLabel(lang, r.Stage), Color: chart.StageColors[string(r.Stage)], Reached: r.Reached,
			Current: r.Current, Conversion: funnelPercent(lang, r.Conversion), Completed: r.Completed, Median: funnelDays(lang, r.MedianDays)}
	}
	return out
}

// funnelSVG draws a group's funnel on asOf.
func funnelSVG(lang i18n.Lang, rows []funnelRow, fg outreach.FunnelGroup, title string, asOf time.Time) []byte {
	cr := make([]chart.FunnelRow, len(rows))
	for i, r := range rows {
		cr[i] = chart.FunnelRow{Key: string(r.Stage), Label: r.Label, Color: r.Color, Reached: r.Reached, Current: r.Current}
		if r.Conversion != "–" {
			cr[i].Note = i18n.T(lang, "funnel.chart.conversion", map[string]any{"Pct": r.Conversion})
		}
	}
	informed := 0
	if len(fg.Rows) > 1 {
		informed = fg.Rows[1].Reached
	}
	desc := i18n.T(lang, "funnel.chart.desc", map[string]any{"Date": asOf.Format("02-01-2006"), "Total": fg.Total, "Informed": informed})
	return chart.Funnel(cr, chart.FunnelText{Reached: i18n.T(lang, "funnel.reached", nil), Current: i18n.T(lang, "funnel.current", nil)},
		i18n.T(lang, "funnel.chart.title", map[string]any{"Group": title, "Date": asOf.Format("02-01-2006")}), desc)
}

// teamNames maps team keys to names (every team that ever existed).
func (ui *UI) teamNames(ctx context.Context) (map[string]string, error) {
	list, err := ui.Orgs.Organisations(ctx, org.Filter{Kind: string(account.KindTeam)})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(list))
	for _, o := range list {
		out[o.Key] = o.Name
	}
	return out, nil
}

// funnelQuery reads as_of and group. A bad date gives the error, today and
// all; a bad group the error, the date asked and all.
func (ui *UI) funnelQuery(r *http.Request) (time.Time, outreach.Grouping, error) {
	asOf, err := ui.reportDate(r, "as_of")
	if err != nil {
		return asOf, outreach.ByAll, err
	}
	group, err := outreach.ParseGrouping("group", r.URL.Query().Get("group"))
	if err != nil {
		return asOf, outreach.ByAll, err
	}
	return asOf, group, nil
}

// showFunnel is the page /reports/outreach?as_of=…&group=…: the report of
// one day and the series since the decree month, in one call each.
func (ui *UI) showFunnel(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if !outreach.CanReadReports(a) {
		ui.fail(w, r, forbidden())
		return
	}
	p := ui.page(r, "page.funnel.title", nil)
	p.Form = r.URL.Query()
	status := http.StatusOK
	asOf, group, err := ui.funnelQuery(r)
	if err != nil {
		p.withError(r, err)
		status = http.StatusBadRequest
	}
	ctx := r.Context()
	rep, err := ui.Outreach.OutreachReport(ctx, asOf)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	series, err := ui.Outreach.OutreachSeries(ctx, seriesFrom(asOf), asOf, group)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	teams, err := ui.teamNames(ctx)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	lang := p.Lang
	var groups []funnelGroup
	for _, fg := range rep.Funnel {
		if outreach.Grouping(fg.Group) != outreach.ByAll && outreach.Grouping(fg.Group) != group {
			continue
		}
		sg, ok := series.Find(outreach.Grouping(fg.Group), fg.Key)
		if !ok {
			continue
		}
		g := funnelGroup{Group: outreach.Grouping(fg.Group), Key: fg.Key, Total: fg.Total, Rows: funnelRows(lang, fg)}
		g.Title = groupTitle(lang, g.Group, g.Key, teams)
		g.ID = "group-" + string(g.Group)
		if g.Key != "" || g.Group == outreach.ByTeam {
			g.ID += "-" + anchor(g.Key)
		}
		g.Stages = template.HTML(stagesSVG(lang, series, sg, g.Title))
		g.Funnel = template.HTML(funnelSVG(lang, g.Rows, fg, g.Title, asOf))
		for i, d := range series.Days {
			day, _ := time.Parse(time.DateOnly, d)
			row := funnelSeriesRow{Day: day, Total: sg.Totals[i]}
			for _, st := range outreach.Stages {
				row.Counts = append(row.Counts, sg.Counts[st][i])
			}
			g.Series = append(g.Series, row)
		}
		g.StagesURL = "/reports/outreach/stages.svg?" + funnelParams(asOf, g.Group, g.Key)
		g.FunnelURL = "/reports/outreach/funnel.svg?" + funnelParams(asOf, g.Group, g.Key)
		groups = append(groups, g)
	}
	// Signed up and in force are counted by the agreements report's own
	// definitions (agreement.Status.SignedUp, InForce) on the same
	// statuses, so both reports give the same numbers for a day.
	signedUp, inForce := 0, 0
	for _, m := range rep.Municipalities {
		if m.AgreementStatus.SignedUp() {
			signedUp++
		}
		if m.AgreementStatus.InForce() {
			inForce++
		}
	}
	var stages []string
	for _, st := range outreach.Stages {
		stages = append(stages, stageLabel(lang, st))
	}
	p.Data = map[string]any{
		"AsOf": asOf, "MaxDate": ui.lastReportDay(), "Group": group, "Groupings": outreach.Groupings, "Report": rep,
		"KPIInformed":       textWithDate(lang, "funnel.kpi.informed", map[string]any{"Total": rep.Total}, asOf),
		"InConversation":    rep.Counts[outreach.InConversation],
		"SignedUpOrFurther": signedUp,
		"Active":            inForce,
		"Groups":            groups,
		"StageLabels":       stages,
		"SeriesFrom":        series.From,
		"SeriesTo":          series.To,
	}
	ui.render(w, status, "funnel", p)
}

// funnelParams is the query string of a group's charts.
func funnelParams(asOf time.Time, g outreach.Grouping, key string) string {
	q := "as_of=" + asOf.Format(time.DateOnly)
	if g != outreach.ByAll {
		q += "&group=" + string(g) + "&key=" + url.QueryEscape(key)
	}
	return q
}

// anchor makes an HTML id part from a key ("Oost-Vlaanderen" → "oost-vlaanderen").
func anchor(key string) string {
	if key == "" {
		return "none"
	}
	var b strings.Builder
	for _, r := range strings.ToLower(key) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// funnelChartArgs checks the role and reads as_of, group and key of a
// chart route; false when it has answered (403 page, or 400 in plain text
// as the other chart routes do).
func (ui *UI) funnelChartArgs(w http.ResponseWriter, r *http.Request, a account.Actor) (time.Time, outreach.Grouping, string, bool) {
	if !outreach.CanReadReports(a) {
		ui.fail(w, r, forbidden())
		return time.Time{}, "", "", false
	}
	asOf, group, err := ui.funnelQuery(r)
	if err != nil {
		http.Error(w, "invalid as_of or group: use a date YYYY-MM-DD from 2019-01-01 to "+ui.lastReportDay().Format(time.DateOnly)+
			" and group all, province or team", http.StatusBadRequest)
		return asOf, group, "", false
	}
	key := strings.TrimSpace(r.URL.Query().Get("key"))
	if group == outreach.ByAll {
		key = ""
	}
	return asOf, group, key, true
}

func writeSVG(w http.ResponseWriter, svg []byte) {
	w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(svg)
}

// funnelStagesSVG serves a group's stage chart alone
// (/reports/outreach/stages.svg?as_of=…&group=…&key=…); an unknown key is
// not found.
func (ui *UI) funnelStagesSVG(w http.ResponseWriter, r *http.Request, a account.Actor) {
	asOf, group, key, ok := ui.funnelChartArgs(w, r, a)
	if !ok {
		return
	}
	ctx := r.Context()
	series, err := ui.Outreach.OutreachSeries(ctx, seriesFrom(asOf), asOf, group)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	sg, ok := series.Find(group, key)
	if !ok {
		ui.notFound(w, r)
		return
	}
	teams, err := ui.teamNames(ctx)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	lang := i18n.FromRequest(r)
	writeSVG(w, stagesSVG(lang, series, sg, groupTitle(lang, group, key, teams)))
}

// funnelFunnelSVG serves a group's funnel chart alone
// (/reports/outreach/funnel.svg?as_of=…&group=…&key=…); a group without
// municipalities on as_of is not found.
func (ui *UI) funnelFunnelSVG(w http.ResponseWriter, r *http.Request, a account.Actor) {
	asOf, group, key, ok := ui.funnelChartArgs(w, r, a)
	if !ok {
		return
	}
	ctx := r.Context()
	rep, err := ui.Outreach.OutreachReport(ctx, asOf)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(rep.Funnel, func(f outreach.FunnelGroup) bool { return outreach.Grouping(f.Group) == group && f.Key == key })
	if i < 0 {
		ui.notFound(w, r)
		return
	}
	teams, err := ui.teamNames(ctx)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	lang := i18n.FromRequest(r)
	fg := rep.Funnel[i]
	writeSVG(w, funnelSVG(lang, funnelRows(lang, fg), fg, groupTitle(lang, group, key, teams), asOf))
}
