package opendata

import (
	"kansrijk/internal/export"
	"kansrijk/internal/suppress"
)

// Columns are the CSV columns, in order: the fixed ones, then outcome_<code> per outcome and
// right_<code> per right. Every row of the JSON answer is one line.
func Columns() []string {
	cols := []string{"period_type", "period", "quarter", "months", "nis", "name", "province", "agreements_in_force", "referrals_sent", "referrals_reached"}
	for _, o := range Outcomes() {
		cols = append(cols, "outcome_"+o)
	}
	for _, r := range Rights() {
		cols = append(cols, "right_"+r)
	}
	return cols
}

// Table is the answer as one table (CSV, XLSX): a shown count as a number, a suppressed one
// as "<5" or "x", the months of a row joined by a space.
func Table(st Statistics) export.Table {
	t := export.Table{Sheet: "Open statistieken " + st.From + " " + st.To, Header: Columns()}
	cell := func(c suppress.Cell) any {
		if c.Suppressed {
			return c.String()
		}
		return c.Value
	}
	for _, r := range st.Rows {
		months := ""
		for i, m := range r.Months {
			if i > 0 {
				months += " "
			}
			months += m
		}
		line := []any{r.PeriodType, r.Period, r.Quarter, months, r.NIS, r.Name, r.Province, r.AgreementsInForce, cell(r.ReferralsSent), cell(r.ReferralsReached)}
		for _, o := range Outcomes() {
			line = append(line, cell(r.Outcomes[o]))
		}
		for _, k := range Rights() {
			line = append(line, cell(r.Rights[k]))
		}
		t.Rows = append(t.Rows, line)
	}
	return t
}
