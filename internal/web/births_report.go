package web

import (
	"fmt"
	"html/template"
	"net/http"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/birth"
	"kansrijk/internal/chart"
	"kansrijk/internal/i18n"
	"kansrijk/internal/suppress"
)

// Opgroeien's figures on birth notifications (area births_ui): per clinic
// and month, and per team the share of families reached within the target
// — as birth.Statistics gives them, protected per calendar quarter (small
// counts suppressed, every shown count rounded to 5).

// birthStatsMaxMonths bounds the period of the statistics page.
const birthStatsMaxMonths = 36

// firstBirthMonth is the first month the statistics can show: the decree.
var firstBirthMonth = time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC)

// birthMonth reads ?name=YYYY-MM; empty gives def.
func birthMonth(r *http.Request, name string, def time.Time) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return def, apperr.FieldErr(apperr.Invalid, name, "give a month YYYY-MM").WithKey("births_ui.error.month", map[string]any{"Value": s})
	}
	return t, nil
}

func (ui *UI) showBirthStatistics(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if a.Role != account.Admin && a.Role != account.Analyst {
		ui.fail(w, r, forbidden())
		return
	}
	p := ui.page(r, "births_ui.page.report", nil)
	p.Form = r.URL.Query()
	status := http.StatusOK
	today := ui.today()
	thisMonth := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	// Published per calendar quarter once it has ended and settled: by
	// default the last four such quarters.
	last := suppress.LastQuarter(today, birth.StatisticsSettleDays)
	defFrom, defTo, _ := suppress.Quarters(last.AddDate(0, -11, 0), last, last)
	from, errFrom := birthMonth(r, "from", defFrom)
	to, errTo := birthMonth(r, "to", defTo)
	bad := errFrom
	if bad == nil {
		bad = errTo
	}
	months := (to.Year()-from.Year())*12 + int(to.Month()) - int(from.Month()) + 1
	if bad == nil && (from.Before(firstBirthMonth) || to.After(thisMonth) || months < 1 || months > birthStatsMaxMonths) {
		bad = apperr.FieldErr(apperr.Invalid, "from", "pick a period of 1 to %d months from %s to %s", birthStatsMaxMonths,
			firstBirthMonth.Format("2006-01"), thisMonth.Format("2006-01")).
			WithKey("births_ui.error.period", map[string]any{"N": birthStatsMaxMonths, "From": firstBirthMonth.Format("01-2006"), "To": thisMonth.Format("01-2006")})
	}
	if bad == nil {
		var ok bool
		if from, to, ok = suppress.Quarters(from, to, last); !ok {
			bad = apperr.FieldErr(apperr.InvalidDate, "from", "no quarter in the period has ended and settled").
				WithKey("suppression.error.no_quarter", map[string]any{"Last": monthText(last)})
		}
	}
	if bad != nil {
		p.withError(r, bad)
		status = http.StatusBadRequest
		from, to = defFrom, defTo
	}
	// The month fields show the period shown: whole quarters.
	p.Form.Set("from", from.Format("2006-01"))
	p.Form.Set("to", to.Format("2006-01"))
	st, err := ui.Births.BirthStatistics(r.Context(), a, from, to)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	lang := p.Lang
	for i := range st.Teams {
		if st.Teams[i].Team == "" {
			st.Teams[i].Name = i18n.T(lang, "births_ui.queue_opgroeien_short", nil)
		}
	}
	// The chart shows only the teams whose counts are all shown: a bar
	// would otherwise give away a suppressed count.
	var bars []chart.Bar
	hidden := 0
	for _, t := range st.Teams {
		if t.Share == nil {
			hidden++
			continue
		}
		bars = append(bars, chart.Bar{Label: t.Name, Values: []int{t.Reached.Value, t.NotReached.Value}})
	}
	var svg template.HTML
	if len(bars) > 0 {
		svg = template.HTML(chart.Bars(bars, []chart.Series{
			{Label: i18n.T(lang, "births_ui.report.reached_in_time", map[string]any{"Days": st.TargetDays}), Color: chart.StatusColors["active"]},
			{Label: i18n.T(lang, "births_ui.report.not_reached_in_time", nil), Color: chart.StatusColors["suspended"]},
		}, i18n.T(lang, "births_ui.report.chart_title", map[string]any{"Days": st.TargetDays}),
			i18n.T(lang, "births_ui.report.chart_desc", map[string]any{"From": monthText(from), "To": monthText(to)})))
	}
	p.Data = map[string]any{"S": st, "Chart": svg, "Hidden": hidden, "From": monthText(from), "To": monthText(to),
		"Max": thisMonth.Format("2006-01"), "Min": firstBirthMonth.Format("2006-01")}
	ui.render(w, status, "births_report", p)
}

// monthText shows a month as mm-yyyy (Belgian usage).
func monthText(t time.Time) string { return t.Format("01-2006") }

func init() {
	// monthLabel shows a YYYY-MM month as mm-yyyy.
	funcs["monthLabel"] = func(s string) string {
		if t, err := time.Parse("2006-01", s); err == nil {
			return monthText(t)
		}
		return s
	}
	// percent shows a share as a whole percentage.
	funcs["percent"] = func(f *float64) string {
		if f == nil {
			return ""
		}
		return fmt.Sprintf("%.0f %%", *f*100)
	}
}
