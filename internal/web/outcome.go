package web

import (
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/api"
	"kansrijk/internal/chart"
	"kansrijk/internal/i18n"
	"kansrijk/internal/municipality"
	"kansrijk/internal/outcome"
	"kansrijk/internal/suppress"
)

// The outcome dashboards (area outcome): what became of the referrals and birth notifications
// of a period, per month, municipality, province or team, with a trend, stacked outcome bars,
// the referral funnel and three maps. Admins and analysts see published counts (suppressed and
// rounded per quarter), a team lead its own team and an OCMW its own referrals, exact.

// outcomeNav adds the dashboards to the navigation of the roles that see them.
func outcomeNav(a *account.Actor, items []NavItem) []NavItem {
	if outcome.CanRead(*a) {
		items = append(items, NavItem{"/reports/outcomes", "outcome.nav", false})
	}
	return items
}

// outcomeCol is one column of the group table.
type outcomeCol struct{ Key, Label string }

// outcomeLine is one row of a table: its label and its cells as shown.
type outcomeLine struct {
	Key, Label string
	Cells      []string
}

// outcomeMap is one choropleth map with its table alternative.
type outcomeMap struct {
	ID, Heading, Caption string
	SVG                  template.HTML
	Rows                 []outcomeLine // municipality, value
	Legend               []chart.LegendItem
}

// outcomeClasses are the fill classes of a map, lightest first; they borrow the single-hue blue
// ramp of chart.StatusColors (its keys), which keeps the map's contrast and colour-blind checks.
var outcomeClasses = []string{"interested", "draft", "approved", "signed"}

func outcomeShown(c suppress.Cell) string { return c.String() }

func outcomePct(lang i18n.Lang, v *float64) string {
	if v == nil {
		return "–"
	}
	return i18n.T(lang, "outcome.percent", map[string]any{"N": strconv.Itoa(int(math.Round(*v * 100)))})
}

func outcomeDays(v *int) string {
	if v == nil {
		return "–"
	}
	return strconv.Itoa(*v)
}

// outcomeMainCols are the columns of the main table.
var outcomeMainCols = []string{"drafted", "consent_refused", "sent", "not_sent_no_agreement", "received", "contact_attempted", "reached",
	"not_reachable", "withdrawn", "deleted"}

// showOutcomes is the page /reports/outcomes?from=YYYY-MM&to=YYYY-MM&group=….
func (ui *UI) showOutcomes(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if !outcome.CanRead(a) || ui.Outcomes == nil {
		ui.fail(w, r, outcome.Forbidden())
		return
	}
	p := ui.page(r, "outcome.title", nil)
	p.Form = r.URL.Query()
	lang := p.Lang
	status := http.StatusOK
	now := ui.Now()
	req, err := outcome.ParseRequest(r.URL.Query(), a, now)
	if err != nil {
		p.withError(r, err)
		status = http.StatusBadRequest
	}
	ctx := r.Context()
	rep, cells, months, err := outcome.Dashboard(ctx, ui.Outcomes, a, req, now, api.ProvinceOf(ui.Municipalities))
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	teams, err := ui.teamNames(ctx)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	groupName := func(key string) string {
		if key == "" && rep.Group == outcome.GroupTeam {
			return i18n.T(lang, "outcome.no_team", nil)
		}
		return api.OutcomeGroupName(lang, rep.Group, key, teams, ui.Municipalities)
	}
	// The main table.
	var cols []outcomeCol
	for _, m := range outcomeMainCols {
		cols = append(cols, outcomeCol{m, api.OutcomeColumnLabel(lang, m)})
	}
	for _, m := range []string{"reach_rate", "median_days_to_first_contact", "p90_days_to_first_contact", "within_target_share",
		"median_days_to_outcome", "p90_days_to_outcome", "births", "births_contacted_14_share"} {
		cols = append(cols, outcomeCol{m, api.OutcomeColumnLabel(lang, m)})
	}
	line := func(key, label string, row outcome.Row) outcomeLine {
		l := outcomeLine{Key: key, Label: label}
		for _, m := range outcomeMainCols {
			l.Cells = append(l.Cells, outcomeShown(row.Counts[m]))
		}
		l.Cells = append(l.Cells, outcomePct(lang, row.ReachRate), outcomeDays(row.MedianDaysFirstContact), outcomeDays(row.P90DaysFirstContact),
			outcomePct(lang, row.WithinTargetShare), outcomeDays(row.MedianDaysOutcome), outcomeDays(row.P90DaysOutcome),
			outcomeShown(row.Counts["births"]), outcomePct(lang, row.BirthsContacted14Share))
		return l
	}
	var lines []outcomeLine
	for _, row := range rep.Rows {
		lines = append(lines, line(row.Key, groupName(row.Key), row))
	}
	total := line("total", i18n.T(lang, "outcome.total", nil), rep.Total)
	// Outcomes per group: a table and stacked bars.
	var outCols []outcomeCol
	var series []chart.Series
	palette := []string{"#1b7837", "#d95f02", "#8c8c8c", "#2c74b8", "#12306b", "#4d4d4d"}
	for i, o := range outcome.OutcomeCodes {
		outCols = append(outCols, outcomeCol{o, i18n.T(lang, "referral.outcome."+o, nil)})
		series = append(series, chart.Series{Label: i18n.T(lang, "referral.outcome."+o, nil), Color: palette[i%len(palette)]})
	}
	var outLines []outcomeLine
	var bars []chart.Bar
	for _, row := range append(slices.Clone(rep.Rows), rep.Total) {
		key, label := row.Key, groupName(row.Key)
		l := outcomeLine{Key: key, Label: label}
		b := chart.Bar{Label: label}
		for _, o := range outcome.OutcomeCodes {
			c := row.Counts[outcome.OutcomePrefix+o]
			l.Cells = append(l.Cells, outcomeShown(c))
			if c.Suppressed {
				b.Values = append(b.Values, 0)
			} else {
				b.Values = append(b.Values, c.Value)
			}
		}
		outLines = append(outLines, l)
		bars = append(bars, b)
	}
	outLines[len(outLines)-1].Label, bars[len(bars)-1].Label = total.Label, total.Label
	outTitle := i18n.T(lang, "outcome.bars.title", map[string]any{"From": monthLabel(rep.From), "To": monthLabel(rep.To)})
	barsSVG := chart.Bars(bars, series, outTitle, i18n.T(lang, "outcome.bars.desc", nil))
	// Rights opened, in all.
	var rights []outcomeLine
	for _, rt := range referralRights() {
		c := rep.Total.Counts[outcome.RightPrefix+rt]
		if !c.Suppressed && c.Value == 0 {
			continue
		}
		rights = append(rights, outcomeLine{Key: rt, Label: i18n.T(lang, "referral.right."+rt, nil), Cells: []string{outcomeShown(c)}})
	}
	// The trend: sent and reached per month.
	var points []chart.Point
	var trend []outcomeLine
	for _, m := range rep.Months {
		d, _ := time.Parse("2006-01", m.Key)
		sent, reached := m.Counts["sent"], m.Counts["reached"]
		points = append(points, chart.Point{Date: d, Values: []int{shownOr0(sent), shownOr0(reached)}})
		trend = append(trend, outcomeLine{Key: m.Key, Label: monthLabel(m.Key), Cells: []string{outcomeShown(m.Counts["drafted"]), outcomeShown(sent), outcomeShown(reached)}})
	}
	trendSVG := chart.Timeline(points, []chart.Series{{Label: api.OutcomeColumnLabel(lang, "sent"), Color: "#2c74b8"}, {Label: api.OutcomeColumnLabel(lang, "reached"), Color: "#1b7837"}},
		i18n.T(lang, "outcome.trend.title", map[string]any{"From": monthLabel(rep.From), "To": monthLabel(rep.To)}),
		i18n.T(lang, "outcome.trend.desc", map[string]any{"Sent": outcomeShown(rep.Total.Counts["sent"]), "Reached": outcomeShown(rep.Total.Counts["reached"])}))
	// The funnel of all referrals of the period.
	stages := []string{"drafted", "sent", "received", "contact_attempted", "reached", outcome.OutcomePrefix + "rights_opened"}
	var frows []chart.FunnelRow
	for i, st := range stages {
		v := shownOr0(rep.Total.Counts[st])
		next := 0
		if i+1 < len(stages) {
			next = shownOr0(rep.Total.Counts[stages[i+1]])
		}
		frows = append(frows, chart.FunnelRow{Key: st, Label: api.OutcomeColumnLabel(lang, st), Color: palette[(i+3)%len(palette)], Reached: v, Current: max(0, v-next)})
	}
	funnelSVG := chart.Funnel(frows, chart.FunnelText{Reached: i18n.T(lang, "outcome.funnel.reached", nil), Current: i18n.T(lang, "outcome.funnel.stopped", nil)},
		i18n.T(lang, "outcome.funnel.title", map[string]any{"From": monthLabel(rep.From), "To": monthLabel(rep.To)}),
		i18n.T(lang, "outcome.funnel.desc", map[string]any{"Drafted": outcomeShown(rep.Total.Counts["drafted"]), "Reached": outcomeShown(rep.Total.Counts["reached"])}))
	// The maps: per municipality of the last month's year (codes of earlier years follow their
	// successor), from the same cells.
	var maps []outcomeMap
	if len(months) > 0 {
		year := months[len(months)-1].Year()
		maps, err = ui.outcomeMaps(lang, cells, months, year, outcome.Protected(a))
		if err != nil {
			ui.fail(w, r, err)
			return
		}
	}
	q := url.Values{"from": {rep.From}, "to": {rep.To}, "group": {rep.Group}}
	for _, k := range []string{"nis", "team", "ocmw"} {
		if v := r.URL.Query().Get(k); v != "" {
			q.Set(k, v)
		}
	}
	p.Data = map[string]any{
		"Report": rep, "Req": req, "Groupings": outcome.Groupings, "Protected": outcome.Protected(a),
		"FromValue": monthValue(p.Form, "from", req.From), "ToValue": monthValue(p.Form, "to", req.To),
		"GroupLabel": i18n.T(lang, "outcome.group."+rep.Group, nil), "GroupPhrase": lowerFirst(i18n.T(lang, "outcome.group."+rep.Group, nil)), "Cols": cols, "Lines": lines, "Total": total,
		"OutCols": outCols, "OutLines": outLines, "Bars": template.HTML(barsSVG), "Rights": rights,
		"Trend": template.HTML(trendSVG), "TrendLines": trend, "Funnel": template.HTML(funnelSVG), "FunnelRows": frows,
		"Maps": maps, "Query": q.Encode(), "Legend": suppress.Legend, "FromLabel": monthLabel(rep.From), "ToLabel": monthLabel(rep.To),
		"Widened": outcome.Protected(a) && (rep.From != req.From.Format("2006-01") || rep.To != req.To.Format("2006-01")),
	}
	ui.render(w, status, "outcome", p)
}

func referralRights() []string {
	var out []string
	for _, m := range outcome.Measures() {
		if k, ok := strings.CutPrefix(m, outcome.RightPrefix); ok {
			out = append(out, k)
		}
	}
	return out
}

func shownOr0(c suppress.Cell) int {
	if c.Suppressed {
		return 0
	}
	return c.Value
}

// lowerFirst lowers the first letter of a label used inside a sentence ("Per maand" → "per maand").
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// monthLabel shows a month YYYY-MM as MM-JJJJ.
func monthLabel(m string) string {
	if len(m) == 7 {
		return m[5:] + "-" + m[:4]
	}
	return m
}

// monthValue is what a month field shows: what was typed, or the month used.
func monthValue(form url.Values, field string, def time.Time) string {
	if v := strings.TrimSpace(form.Get(field)); v != "" {
		return v
	}
	return def.Format("2006-01")
}

// outcomeMaps draws the three maps of the municipalities of year: referrals sent per 1,000
// births, referrals not sent for lack of an agreement, and the median days to first contact.
func (ui *UI) outcomeMaps(lang i18n.Lang, cells []outcome.Cell, months []time.Time, year int, protect bool) ([]outcomeMap, error) {
	on := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	moved := make([]outcome.Cell, len(cells))
	for i, c := range cells {
		if s, ok := ui.Municipalities.SuccessorOn(c.NIS, on); ok {
			c.NIS = s.NIS
		}
		moved[i] = c
	}
	rep := outcome.Build(moved, months, outcome.GroupMunicipality, outcome.ByMunicipality, protect)
	byNIS := map[string]outcome.Row{}
	for _, r := range rep.Rows {
		byNIS[r.Key] = r
	}
	munis := ui.Municipalities.On(on, municipality.Flanders)
	type metric struct {
		id, key string
		value   func(outcome.Row) (float64, bool)
		format  func(float64) string
	}
	metrics := []metric{
		{"per-births", "outcome.map.per_births", func(r outcome.Row) (float64, bool) {
			s, ok1 := r.Shown("sent")
			b, ok2 := r.Shown("births")
			if !ok1 || !ok2 || b == 0 {
				return 0, false
			}
			return float64(s) * 1000 / float64(b), true
		}, func(v float64) string { return formatDecimal(lang, v) }},
		{"missed", "outcome.map.missed", func(r outcome.Row) (float64, bool) {
			v, ok := r.Shown("not_sent_no_agreement")
			return float64(v), ok && r.Counts != nil
		}, func(v float64) string { return strconv.Itoa(int(v)) }},
		{"first-contact", "outcome.map.first_contact", func(r outcome.Row) (float64, bool) {
			if r.MedianDaysFirstContact == nil {
				return 0, false
			}
			return float64(*r.MedianDaysFirstContact), true
		}, func(v float64) string { return strconv.Itoa(int(v)) }},
	}
	var out []outcomeMap
	for _, mt := range metrics {
		var vals []float64
		for _, m := range munis {
			if r, ok := byNIS[m.NIS]; ok {
				if v, ok := mt.value(r); ok {
					vals = append(vals, v)
				}
			}
		}
		breaks := quantileBreaks(vals, len(outcomeClasses))
		counts := make([]int, len(outcomeClasses)+1)
		var areas []chart.Area
		om := outcomeMap{ID: "map-" + mt.id, Heading: i18n.T(lang, mt.key+".heading", nil), Caption: i18n.T(lang, mt.key+".caption", nil)}
		for _, m := range munis {
			a := chart.Area{NIS: m.NIS, Name: m.Name, Status: "none", Label: i18n.T(lang, "outcome.map.no_data", nil)}
			shown := "–"
			if r, ok := byNIS[m.NIS]; ok {
				if v, ok := mt.value(r); ok {
					k := classOf(v, breaks)
					a.Status, a.Label = outcomeClasses[k], mt.format(v)
					counts[k+1]++
					shown = mt.format(v)
				} else if c, ok := r.Counts[mainCountOf(mt.id)]; ok && c.Suppressed {
					a.Label = c.String()
					shown = c.String()
					counts[0]++
				} else {
					counts[0]++
				}
				om.Rows = append(om.Rows, outcomeLine{Key: m.NIS, Label: m.Name, Cells: []string{shown}})
			} else {
				counts[0]++
			}
			areas = append(areas, a)
		}
		legend := []chart.LegendItem{{Status: "none", Label: i18n.T(lang, "outcome.map.no_data", nil), Count: counts[0]}}
		for k, cl := range outcomeClasses {
			label := "–"
			if lo, hi, ok := classRange(k, breaks, vals); ok {
				label = mt.format(lo) + "–" + mt.format(hi)
			}
			legend = append(legend, chart.LegendItem{Status: cl, Label: label, Count: counts[k+1]})
		}
		om.Legend = legend
		title := i18n.T(lang, mt.key+".title", map[string]any{"From": monthLabel(months[0].Format("2006-01")), "To": monthLabel(months[len(months)-1].Format("2006-01"))})
		desc := i18n.T(lang, mt.key+".desc", map[string]any{"N": len(vals), "Total": len(munis)})
		svg, err := chart.Map(year, areas, legend, title, desc)
		if err != nil {
			return nil, err
		}
		om.SVG = template.HTML(svg)
		out = append(out, om)
	}
	return out, nil
}

// mainCountOf is the count whose suppression hides a map's value.
func mainCountOf(id string) string {
	switch id {
	case "missed":
		return "not_sent_no_agreement"
	case "first-contact":
		return "contact_attempted"
	}
	return "sent"
}

// quantileBreaks returns up to n-1 upper bounds splitting vals into n classes of about equal size.
func quantileBreaks(vals []float64, n int) []float64 {
	s := slices.Clone(vals)
	slices.Sort(s)
	var out []float64
	for k := 1; k < n && len(s) > 0; k++ {
		out = append(out, s[min(len(s)-1, len(s)*k/n)])
	}
	return out
}

// classOf is the class of v: the first break it lies below, else the last class.
func classOf(v float64, breaks []float64) int {
	for k, b := range breaks {
		if v < b {
			return k
		}
	}
	return len(breaks)
}

// classRange is the smallest and largest value of class k.
func classRange(k int, breaks []float64, vals []float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if classOf(v, breaks) == k {
			lo, hi, ok = min(lo, v), max(hi, v), true
		}
	}
	return lo, hi, ok
}

// formatDecimal formats v with one decimal, with a decimal comma in Dutch.
func formatDecimal(lang i18n.Lang, v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64)
	if lang == i18n.NL {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
