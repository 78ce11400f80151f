package web

// openstats area: the public page of the open statistics (issue 13).

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kansrijk/internal/chart"
	"kansrijk/internal/i18n"
	"kansrijk/internal/opendata"
	"kansrijk/internal/suppress"
)

// openStatsQuarter is one option of the period form.
type openStatsQuarter struct {
	Label    string // "2024 K1" / "2024 Q1"
	From, To string // its first and last month, YYYY-MM
}

// openStatsWindow reads the page's period; a bad one is shown as an error above the form and
// the default window is shown.
func (ui *UI) openStatsWindow(r *http.Request) (from, to time.Time, err error) {
	today := ui.today()
	q := r.URL.Query()
	from, to, err = opendata.Window(q.Get("from"), q.Get("to"), today)
	if err != nil {
		from, to, _ = opendata.Window("", "", today)
	}
	return from, to, err
}

func (ui *UI) openStatsLoad(r *http.Request, from, to time.Time) (opendata.Statistics, error) {
	return ui.openStats.Load(r.Context(), opendata.Sources{Outcomes: ui.Outcomes, Agreements: ui.Agreements, Municipalities: ui.Municipalities},
		from, to, ui.Now(), opendata.SchemaPath)
}

// quarterLabel is "2024 K1" in Dutch, "2024 Q1" in English.
func quarterLabel(lang i18n.Lang, q string) string {
	if lang == i18n.NL {
		return strings.Replace(q, "-Q", " K", 1)
	}
	return strings.Replace(q, "-", " ", 1)
}

// openStatsChart is the bar chart of referrals sent and reached per quarter for Flanders.
func openStatsChart(lang i18n.Lang, st opendata.Statistics) []byte {
	var bars []chart.Bar
	var lines []string
	shown := func(c suppress.Cell) int {
		if c.Suppressed {
			return 0
		}
		return c.Value
	}
	for _, r := range st.Rows {
		if r.PeriodType != opendata.PeriodQuarter || r.NIS != opendata.FlandersNIS {
			continue
		}
		sent, reached := shown(r.ReferralsSent), shown(r.ReferralsReached)
		rest := max(sent-reached, 0)
		bars = append(bars, chart.Bar{Label: quarterLabel(lang, r.Period), Values: []int{reached, rest}})
		lines = append(lines, i18n.T(lang, "openstats.chart.line", map[string]any{"Quarter": quarterLabel(lang, r.Period),
			"Sent": r.ReferralsSent.String(), "Reached": r.ReferralsReached.String()}))
	}
	series := []chart.Series{{Label: i18n.T(lang, "openstats.chart.reached", nil), Color: "#1f6f43"},
		{Label: i18n.T(lang, "openstats.chart.not_reached", nil), Color: "#f2c14e"}}
	title := i18n.T(lang, "openstats.chart.title", map[string]any{"From": quarterLabel(lang, opendata.QuarterName(mustMonth(st.From))),
		"To": quarterLabel(lang, opendata.QuarterName(mustMonth(st.To)))})
	return chart.Bars(bars, series, title, strings.Join(lines, " "))
}

func mustMonth(s string) time.Time {
	t, _ := time.Parse("2006-01", s)
	return t
}

// showStatistics is the public page of the open statistics: no sign-in.
func (ui *UI) showStatistics(w http.ResponseWriter, r *http.Request) {
	p := ui.page(r, "openstats.title", nil)
	p.Form = r.URL.Query()
	status := http.StatusOK
	from, to, err := ui.openStatsWindow(r)
	if err != nil {
		p.withError(r, err)
		status = http.StatusBadRequest
	}
	st, err := ui.openStatsLoad(r, from, to)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	// The quarters one may choose: from the first published one to the last.
	var quarters []openStatsQuarter
	last := opendata.LastMonth(ui.today())
	for q := time.Date(opendata.First.Year(), 1, 1, 0, 0, 0, 0, time.UTC); !q.After(last); q = q.AddDate(0, 3, 0) {
		quarters = append(quarters, openStatsQuarter{Label: quarterLabel(p.Lang, opendata.QuarterName(q)), From: q.Format("2006-01"),
			To: q.AddDate(0, 2, 0).Format("2006-01")})
	}
	type labelled struct {
		Label string
		opendata.Row
	}
	var flanders []labelled
	var municipalities []opendata.Row
	for _, r := range st.Rows {
		switch {
		case r.PeriodType == opendata.PeriodQuarter && r.NIS == opendata.FlandersNIS:
			flanders = append(flanders, labelled{quarterLabel(p.Lang, r.Period), r})
		case r.PeriodType == opendata.PeriodWindow:
			municipalities = append(municipalities, r)
		}
	}
	window := url.Values{"from": {st.From}, "to": {st.To}}.Encode()
	p.Data = map[string]any{
		"St": st, "Quarters": quarters, "Flanders": flanders, "Municipalities": municipalities,
		"FromLabel": quarterLabel(p.Lang, opendata.QuarterName(mustMonth(st.From))),
		"ToLabel":   quarterLabel(p.Lang, opendata.QuarterName(mustMonth(st.To))),
		"Chart":     template.HTML(openStatsChart(p.Lang, st)),
		"Query":     window, "SettleDays": opendata.SettleDays, "Legend": suppress.Legend,
		"JSON": opendata.StatisticsPath + "?" + window, "CSV": opendata.StatisticsPath + "?" + window + "&format=csv",
		"Schema": opendata.SchemaPath, "DCAT": opendata.DCATPath, "ChartURL": "/statistieken/chart.svg?" + window,
		"Outcomes": opendata.Outcomes(), "Rights": opendata.Rights(),
	}
	ui.render(w, status, "statistics", p)
}

// statisticsChart serves the page's chart alone (/statistieken/chart.svg?from=…&to=…).
func (ui *UI) statisticsChart(w http.ResponseWriter, r *http.Request) {
	from, to, err := ui.openStatsWindow(r)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	st, err := ui.openStatsLoad(r, from, to)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=600")
	_, _ = w.Write(openStatsChart(i18n.FromRequest(r), st))
}
