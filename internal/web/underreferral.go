package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/chart"
	"kansrijk/internal/i18n"
	"kansrijk/internal/underreferral"
)

// Area underreferral: where families are missed. Per municipality of a
// year, the referrals sent set against the births and the deprivation
// index, as a map and a ranked table, with the method on the page.
// Opgroeien's admins and analysts; aggregates only, published per quarter.

// underReferralNav adds the page to the navigation of Opgroeien's admins and analysts.
func underReferralNav(a *account.Actor, items []NavItem) []NavItem {
	if a != nil && underreferral.CanRead(*a) {
		items = append(items, NavItem{"/reports/under-referral", "underreferral.nav", false})
	}
	return items
}

// underReferralBand is a class of the map: a band of the ratio, or why a
// municipality has none.
type underReferralBand struct {
	Class, Color string
}

// The map's classes, in legend order. The far-fewer class is the flag
// (even the upper bound below the threshold), the others bands of the
// ratio; a diverging orange–purple scale, which people with the common
// colour vision deficiencies tell apart, with greys for "no ratio".
var underReferralBands = []underReferralBand{
	{"far_fewer", "#b35806"},
	{"low", "#f1a340"},
	{"mid", "#d8daeb"},
	{"high", "#542788"},
	{"no_agreement", "#8c8c8c"},
	{"unknown", "#e5e5e5"},
}

// underReferralBandOf is the map class of a row.
func underReferralBandOf(r underreferral.Row) string {
	switch r.Flag {
	case underreferral.FlagFarFewer:
		return "far_fewer"
	case underreferral.FlagNoAgreement:
		return "no_agreement"
	}
	v := r.Ratio
	if v == nil && r.Low != nil && r.High != nil {
		m := (*r.Low + *r.High) / 2
		v = &m
	}
	switch {
	case v == nil:
		return "unknown"
	case *v < 0.8:
		return "low"
	case *v < 1.25:
		return "mid"
	default:
		return "high"
	}
}

// underReferralTop is the number of rows the ranking shows unless all are asked for.
const underReferralTop = 50

// underReferralRow is a row of the table as shown.
type underReferralRow struct {
	Rank                          int
	NIS, Name, Province, TeamName string
	Agreement, Births, Index      string
	Deprived, Sent, Expected      string
	Ratio, Interval, Flag         string
	FlagCode, Band                string
	Partly                        bool // an agreement in force in some of the quarters only
}

// underReferralSortCol is a sortable column header.
type underReferralSortCol struct {
	Key, Label, URL, State string
}

// ratioText shows a ratio with two decimals (a decimal comma in Dutch);
// "–" without.
func ratioText(lang i18n.Lang, f *float64, decimals int) string {
	if f == nil {
		return "–"
	}
	s := strconv.FormatFloat(*f, 'f', decimals, 64)
	if lang == i18n.NL {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func (ui *UI) showUnderReferral(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if !underreferral.CanRead(a) {
		ui.fail(w, r, forbidden())
		return
	}
	p := ui.page(r, "underreferral.page.title", nil)
	p.Form = r.URL.Query()
	lang := p.Lang
	status := http.StatusOK
	today := ui.today()
	years := underreferral.Years(today)
	if len(years) == 0 {
		years = []int{underreferral.FirstYear}
	}
	year := years[len(years)-1]
	if s := r.URL.Query().Get("year"); s != "" {
		y, err := strconv.Atoi(s)
		if err != nil || !slices.Contains(years, y) {
			p.withError(r, apperr.FieldErr(apperr.Invalid, "year", "give a year from %d to %d", years[0], year).
				WithKey("underreferral.error.year", map[string]any{"From": years[0], "To": year}))
			status = http.StatusBadRequest
		} else {
			year = y
		}
	}
	sortBy := r.URL.Query().Get("sort")
	if !slices.Contains(underreferral.Sorts, sortBy) {
		sortBy = underreferral.SortHigh
	}
	ix, ok := ui.Deprivation.(underreferral.IndexStore)
	if !ok || ui.Outcomes == nil {
		ui.fail(w, r, apperr.New(apperr.Internal, "the under-referral report is not configured"))
		return
	}
	svc := &underreferral.Service{Outcomes: ui.Outcomes, Agreements: ui.Agreements, Index: ix, Municipalities: ui.Municipalities}
	rep, err := svc.Report(r.Context(), a, year, today)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	teamNames := map[string]string{}
	if to, err := time.Parse("2006-01", rep.To); err == nil {
		if teams, err := ui.Orgs.Teams(r.Context(), to.AddDate(0, 1, -1)); err == nil {
			for _, t := range teams {
				teamNames[t.Key] = t.Name
			}
		}
	}
	teamName := func(key string) string {
		if key == "" {
			return "–"
		}
		if n := teamNames[key]; n != "" {
			return n
		}
		return key
	}

	// The map: every municipality in its class, with its ratio as tooltip.
	counts := map[string]int{}
	var shades []chart.Shade
	for _, m := range rep.Municipalities {
		band := underReferralBandOf(m)
		counts[band]++
		label := i18n.T(lang, "underreferral.flag."+m.Flag, nil)
		if m.Ratio != nil || m.High != nil {
			label = i18n.T(lang, "underreferral.map.tooltip", map[string]any{"Ratio": ratioText(lang, m.Ratio, 2),
				"Low": ratioText(lang, m.Low, 2), "High": ratioText(lang, m.High, 2), "Flag": label})
		}
		shades = append(shades, chart.Shade{NIS: m.NIS, Name: m.Name, Class: band, Color: bandColor(band), Label: label})
	}
	var legend []chart.LegendItem
	var descParts []string
	for _, b := range underReferralBands {
		l := i18n.T(lang, "underreferral.band."+b.Class, nil)
		legend = append(legend, chart.LegendItem{Status: b.Class, Label: l, Color: b.Color, Count: counts[b.Class]})
		descParts = append(descParts, l+": "+strconv.Itoa(counts[b.Class]))
	}
	title := i18n.T(lang, "underreferral.map.title", map[string]any{"Year": rep.Year})
	desc := i18n.T(lang, "underreferral.map.desc", map[string]any{"N": len(rep.Municipalities)}) + " " + strings.Join(descParts, "; ") + "."
	svg, err := chart.ShadedMap(rep.Year, shades, legend, title, desc)
	if err != nil {
		ui.fail(w, r, err)
		return
	}

	view := func(m underreferral.Row, rank int) underReferralRow {
		v := underReferralRow{Rank: rank, NIS: m.NIS, Name: m.Name, Province: m.Province, TeamName: teamName(m.Team),
			Agreement: i18n.T(lang, "underreferral.agreement."+m.Agreement, nil),
			Births:    m.Births.String(), Sent: m.Sent.String(), Index: "–",
			Deprived: ratioText(lang, m.DeprivedBirths, 1), Expected: ratioText(lang, m.Expected, 1),
			Ratio: ratioText(lang, m.Ratio, 2), Interval: "–",
			Flag: i18n.T(lang, "underreferral.flag."+m.Flag, nil), FlagCode: m.Flag, Band: underReferralBandOf(m)}
		if m.Agreement == underreferral.AgreementPartly && m.NIS != "" {
			v.Partly = true
			v.Agreement += " " + i18n.T(lang, "underreferral.quarters", map[string]any{"N": m.QuartersInForce, "Of": rep.Quarters})
		}
		if m.Index != nil {
			pct := m.Index.Percent
			v.Index = i18n.T(lang, "underreferral.index_value", map[string]any{"Percent": ratioText(lang, &pct, 1), "Year": m.Index.Year})
		}
		if m.Low != nil {
			v.Interval = ratioText(lang, m.Low, 2) + "–" + ratioText(lang, m.High, 2)
			if m.High == nil {
				v.Interval = "≥ " + ratioText(lang, m.Low, 2)
			}
		}
		return v
	}
	underreferral.Sort(rep.Municipalities, sortBy)
	// The first underReferralTop rows unless all are asked for: the ranking is about its top,
	// and the downloads hold every row.
	all := r.URL.Query().Get("all") == "1"
	shown := rep.Municipalities
	if !all && len(shown) > underReferralTop {
		shown = shown[:underReferralTop]
	}
	rows := make([]underReferralRow, len(shown))
	for i, m := range shown {
		rows[i] = view(m, i+1)
	}
	teams := make([]underReferralRow, len(rep.Teams))
	for i, t := range rep.Teams {
		teams[i] = view(t, i+1)
		teams[i].Name = teamName(t.Team)
	}
	var sortCols []underReferralSortCol
	for _, k := range underreferral.Sorts {
		q := url.Values{"year": {strconv.Itoa(rep.Year)}, "sort": {k}}
		if all {
			q.Set("all", "1")
		}
		c := underReferralSortCol{Key: k, Label: "underreferral.sort." + k, URL: "/reports/under-referral?" + q.Encode() + "#ranking"}
		if k == sortBy {
			c.State = "true"
		}
		sortCols = append(sortCols, c)
	}
	rate := "–"
	if rep.ReferenceRate != nil {
		rate = ratioText(lang, rep.ReferenceRate, 3)
	}
	from, _ := time.Parse("2006-01", rep.From)
	to, _ := time.Parse("2006-01", rep.To)
	p.Form.Set("year", strconv.Itoa(rep.Year))
	p.Data = map[string]any{"R": rep, "Years": years, "Map": template.HTML(svg), "MapTitle": title, "Rows": rows, "Teams": teams,
		"Sorts": sortCols, "Sort": sortBy, "Rate": rate, "From": monthText(from), "To": monthText(to),
		"Threshold": ratioText(lang, &rep.Threshold, 1), "Total": len(rep.Municipalities),
		"AllURL": "/reports/under-referral?" + url.Values{"year": {strconv.Itoa(rep.Year)}, "sort": {sortBy}, "all": {"1"}}.Encode() + "#ranking"}
	ui.render(w, status, "under_referral", p)
}

func bandColor(class string) string {
	for _, b := range underReferralBands {
		if b.Class == class {
			return b.Color
		}
	}
	return "#e5e5e5"
}
