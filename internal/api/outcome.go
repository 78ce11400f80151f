package api

import (
	"net/http"
	"strconv"

	"kansrijk/internal/export"
	"kansrijk/internal/httpx"
	"kansrijk/internal/i18n"
	"kansrijk/internal/municipality"
	"kansrijk/internal/outcome"
)

// outcomes is GET /api/v1/reports/outcomes: what became of the referrals and birth
// notifications of a period, per month, municipality, province or team (outcome.Dashboard).
// Admins and analysts get published counts (per quarter, suppressed, rounded); a team lead
// its own team's and an OCMW its own referrals, exact. Other roles 403. Aggregates only: no
// audit event.
func (a *API) outcomes(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	if !outcome.CanRead(c) {
		return outcome.Forbidden()
	}
	req, err := outcome.ParseRequest(r.URL.Query(), c, a.Now())
	if err != nil {
		return err
	}
	rep, _, _, err := outcome.Dashboard(r.Context(), a.Outcomes, c, req, a.Now(), ProvinceOf(a.Municipalities))
	if err != nil {
		return err
	}
	switch f := r.URL.Query().Get("format"); f {
	case "csv", "xlsx":
		lang, err := ExportLang(r)
		if err != nil {
			return err
		}
		names, err := orgNames(r.Context(), a.Orgs)
		if err != nil {
			return err
		}
		t := OutcomeTable(rep, lang, names, a.Municipalities)
		name := "uitkomsten-" + rep.From + "-" + rep.To
		if f == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			return export.WriteCSV(w, t)
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
		return export.WriteXLSX(w, t)
	case "", "json":
	default:
		_, err := a.writeTable(w, r, "", export.Table{}) // the one message for a bad format
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
	return nil
}

// ProvinceOf maps a NIS code to its province ("" when unknown).
func ProvinceOf(reg *municipality.Registry) func(string) string {
	return func(nis string) string {
		if m, ok := reg.ByNIS(nis); ok {
			return m.Province
		}
		return ""
	}
}

// OutcomeColumns are the columns of the outcome table after the group and key: every measure,
// then the shares and the days.
var outcomeDerived = []string{"reach_rate", "within_target_share", "births_contacted_14_share",
	"median_days_to_first_contact", "p90_days_to_first_contact", "median_days_to_outcome", "p90_days_to_outcome"}

// OutcomeColumnLabel is the header of an outcome column in lang (the key itself for codes).
func OutcomeColumnLabel(lang i18n.Lang, key string) string {
	if lang == Codes {
		return key
	}
	if k, ok := cut(key, outcome.OutcomePrefix); ok {
		return i18n.T(lang, "outcome.col.outcome", map[string]any{"Outcome": i18n.T(lang, "referral.outcome."+k, nil)})
	}
	if k, ok := cut(key, outcome.RightPrefix); ok {
		return i18n.T(lang, "outcome.col.right", map[string]any{"Right": i18n.T(lang, "referral.right."+k, nil)})
	}
	return i18n.T(lang, "outcome.col."+key, nil)
}

func cut(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}

// OutcomeGroupName names a group's key in lang: a municipality and a team by name, a month as
// MM-JJJJ, the total and the missing team in words.
func OutcomeGroupName(lang i18n.Lang, group, key string, names map[string]string, reg *municipality.Registry) string {
	switch group {
	case outcome.GroupMunicipality:
		if m, ok := reg.ByNIS(key); ok {
			return m.Name
		}
	case outcome.GroupTeam:
		if key == "" {
			return i18n.T(lang, "outcome.no_team", nil)
		}
		if n := names[key]; n != "" {
			return n
		}
	case outcome.GroupMonth:
		if len(key) == 7 {
			return key[5:] + "-" + key[:4]
		}
	case outcome.GroupProvince:
		if key == "" {
			return i18n.T(lang, "outcome.no_province", nil)
		}
	}
	return key
}

// OutcomeTable is a report as a table: one row per group and one for the total, with every
// measure as shown (a suppressed count as "<5" or "x"), the shares in percent and the days.
func OutcomeTable(rep outcome.Report, lang i18n.Lang, names map[string]string, reg *municipality.Registry) export.Table {
	cols := append([]string{"group", "key", "name"}, outcome.Measures()...)
	cols = append(cols, outcomeDerived...)
	t := export.Table{Sheet: "Uitkomsten " + rep.From + " tot " + rep.To}
	if lang == i18n.EN {
		t.Sheet = "Outcomes " + rep.From + " to " + rep.To
	}
	for _, c := range cols {
		t.Header = append(t.Header, OutcomeColumnLabel(lang, c))
	}
	row := func(group string, r outcome.Row, name string) []any {
		out := []any{group, r.Key, name}
		if lang != Codes {
			out[0] = i18n.T(lang, "outcome.group."+group, nil)
		}
		for _, m := range outcome.Measures() {
			c := r.Counts[m]
			if c.Suppressed {
				out = append(out, c.String())
			} else {
				out = append(out, c.Value)
			}
		}
		for _, v := range []*float64{r.ReachRate, r.WithinTargetShare, r.BirthsContacted14Share} {
			if v == nil {
				out = append(out, "")
			} else {
				out = append(out, strconv.FormatFloat(*v*100, 'f', 1, 64))
			}
		}
		for _, v := range []*int{r.MedianDaysFirstContact, r.P90DaysFirstContact, r.MedianDaysOutcome, r.P90DaysOutcome} {
			if v == nil {
				out = append(out, "")
			} else {
				out = append(out, *v)
			}
		}
		return out
	}
	for _, r := range rep.Rows {
		t.Rows = append(t.Rows, row(rep.Group, r, OutcomeGroupName(lang, rep.Group, r.Key, names, reg)))
	}
	t.Rows = append(t.Rows, row("total", rep.Total, i18n.T(lang, "outcome.total", nil)))
	return t
}
