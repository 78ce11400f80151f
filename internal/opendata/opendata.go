// Package opendata publishes Kansrijk's open statistics: per municipality and month, the
// agreements in force, the referrals sent and reached and their outcomes by right, for anyone,
// without signing in, as JSON and CSV, with an exchange schema and DCAT-AP metadata.
//
// # What is counted
//
// The referral counts are sums of outcome cells (internal/outcome): a referral counts in the
// month it was drafted, with everything that later happened to it. "referrals_sent" counts the
// referrals sent to an OCMW, "referrals_reached" those whose family the OCMW reached,
// "outcomes" the referrals per recorded outcome and "rights" the referrals per right opened (a
// referral that opened two rights counts once under each). "agreements_in_force" is 1 when the
// municipality had a cooperation agreement in force on the last day of the period, else 0 (for
// Flanders: the number of such municipalities); that is public information already (the
// public register) and is not suppressed.
//
// # How the counts of families are protected
//
// Every count of families goes through internal/suppress, published per fixed calendar
// quarter (suppress.ByQuarter): each measure is one table of municipalities × the three
// months of one quarter, with the municipality's quarter total and the month totals for
// Flanders, protected on its own ("<5" for 1–4, "x" for a complementary suppression, audited
// for sums and bounds) and every shown number rounded to a multiple of 5. A quarter is
// published only when it ended at least SettleDays ago, so that its referrals have had time to
// be sent, reached and given an outcome. Totals over several quarters (the "window" rows) are
// sums of the published quarter totals (suppress.Sum), never computed from true counts. So
// the month cells are never published on their own: they are cells of their quarter's
// protected table, which is the same in every answer, whatever window is asked; subtracting
// any two answers gives nothing the quarters do not already show. The answer says so
// (protected_per, rounded_to and each row's quarter and months).
//
// What is not audited as one system: the different measures (sent, reached, an outcome, a
// right) count overlapping sets of the same families and each is protected on its own; the
// rounding to 5 of every shown number is what keeps their differences from pinning a small
// count. A quarter's counts can still change after publication when an OCMW records an
// outcome very late; SettleDays makes that rare.
//
// Public callers have no actor: the counts are read as Reader, an analyst of Opgroeien (the
// least role that sees the aggregates of all of Flanders and Brussels), and nothing personal
// is read.
package opendata

import (
	"sort"
	"strconv"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/outcome"
	"kansrijk/internal/referral"
	"kansrijk/internal/suppress"
)

// SettleDays is how long after its end a quarter is published.
const SettleDays = 92

// First is the first month that can be asked for: the month of the decree.
var First = time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC)

// MaxMonths bounds the window of one answer.
const MaxMonths = 60

// Reader is the actor the open statistics read the outcome cells as: an analyst of Opgroeien,
// who sees aggregates of all of Flanders and Brussels and no personal data.
func Reader() account.Actor {
	return account.Actor{Role: account.Analyst, Org: "opgroeien", OrgKind: account.KindOpgroeien, Email: "open-statistics", Via: "public"}
}

// Outcomes are the outcome codes published, in order: the OCMW's outcomes and the family's
// withdrawal.
func Outcomes() []string {
	return append(append([]string(nil), referral.Outcomes...), referral.OutcomeWithdrawnFamily)
}

// Rights are the right codes published, in order.
func Rights() []string { return append([]string(nil), referral.Rights...) }

// Period types of a row.
const (
	PeriodMonth   = "month"
	PeriodQuarter = "quarter"
	PeriodWindow  = "window"
)

// FlandersNIS is the NIS code of the rows that total all municipalities (the Flemish Region's
// code; Brussels municipalities, when there are any, are included in it).
const FlandersNIS = "02000"

// Row is one published row: one municipality (or Flanders) over one month, quarter or the
// whole window.
type Row struct {
	PeriodType string `json:"period_type"`
	Period     string `json:"period"`  // "2024-01", "2024-Q1" or "2024-01/2024-12"
	Quarter    string `json:"quarter"` // the quarter the counts are protected in; for a window row, ""
	// Months are the months the row covers.
	Months            []string                 `json:"months"`
	NIS               string                   `json:"nis"`
	Name              string                   `json:"name"`
	Province          string                   `json:"province"`
	AgreementsInForce int                      `json:"agreements_in_force"`
	ReferralsSent     suppress.Cell            `json:"referrals_sent"`
	ReferralsReached  suppress.Cell            `json:"referrals_reached"`
	Outcomes          map[string]suppress.Cell `json:"outcomes"`
	Rights            map[string]suppress.Cell `json:"rights"`
}

// Quarter names one published quarter and its months.
type Quarter struct {
	Quarter string   `json:"quarter"`
	Months  []string `json:"months"`
}

// Statistics is the answer of the open statistics for one window.
type Statistics struct {
	From         string    `json:"from"`
	To           string    `json:"to"`
	Quarters     []Quarter `json:"quarters"`
	ProtectedPer string    `json:"protected_per"`
	RoundedTo    int       `json:"rounded_to"`
	SettleDays   int       `json:"settle_days"`
	Legend       string    `json:"legend"`
	Method       string    `json:"method"`
	Schema       string    `json:"schema"`
	Rows         []Row     `json:"rows"`
}

// Method is the short statement of the method in every answer.
const Method = "Counts of families are published per calendar quarter once it has ended (and settled): " +
	"each quarter's table of municipalities by month is protected on its own (\"<5\": 1 to 4; \"x\": hidden so that a small count cannot be derived) " +
	"and every shown number is rounded to a multiple of 5. Month cells are cells of their quarter's table; " +
	"quarter rows are that table's totals; window rows are sums of published quarter rows. Agreements in force are not suppressed."

// Place is a municipality's name and province.
type Place struct{ Name, Province string }

// Input is what Build publishes.
type Input struct {
	// From and To are the first and the last month, whole quarters (from suppress.Quarters).
	From, To time.Time
	// Cells are the outcome cells of the window.
	Cells []outcome.Cell
	// InForce holds, per month ("2006-01"), the NIS codes of the municipalities with an
	// agreement in force on the month's last day (or today, for the current month).
	InForce map[string]map[string]bool
	// Place names a municipality; nil or a false result: the NIS code as its name.
	Place func(nis string) (Place, bool)
	// SchemaURL is put in the answer's schema field.
	SchemaURL string
}

// measure is one published count of families.
type measure struct {
	get func(c outcome.Counts) int
	set func(r *Row, v suppress.Cell)
}

func measures() []measure {
	ms := []measure{
		{func(c outcome.Counts) int { return c.Sent }, func(r *Row, v suppress.Cell) { r.ReferralsSent = v }},
		{func(c outcome.Counts) int { return c.Reached }, func(r *Row, v suppress.Cell) { r.ReferralsReached = v }},
	}
	for _, o := range Outcomes() {
		ms = append(ms, measure{func(c outcome.Counts) int { return c.Outcomes[o] }, func(r *Row, v suppress.Cell) { r.Outcomes[o] = v }})
	}
	for _, k := range Rights() {
		ms = append(ms, measure{func(c outcome.Counts) int { return c.Rights[k] }, func(r *Row, v suppress.Cell) { r.Rights[k] = v }})
	}
	return ms
}

// QuarterName is "2024-Q1" for any day of the first quarter of 2024.
func QuarterName(t time.Time) string {
	return strconv.Itoa(t.Year()) + "-Q" + strconv.Itoa((int(t.Month())-1)/3+1)
}

// Build publishes the window of in: rows per municipality and month, per municipality and
// quarter, per municipality for the window, and the same for Flanders (NIS FlandersNIS), in
// that order of period types, municipalities by NIS code. Counts of families are protected as
// the package comment says; the rows of a municipality with no referral and no agreement in
// the window are left out.
func Build(in Input) Statistics {
	months := []time.Time{}
	col := map[string]int{}
	for m := in.From; !m.After(in.To); m = m.AddDate(0, 1, 0) {
		col[m.Format("2006-01")] = len(months)
		months = append(months, m)
	}
	if len(months)%3 != 0 {
		panic("opendata: the window is not whole quarters")
	}
	st := Statistics{From: in.From.Format("2006-01"), To: in.To.Format("2006-01"), ProtectedPer: suppress.Period, RoundedTo: suppress.Base,
		SettleDays: SettleDays, Legend: suppress.Legend, Method: Method, Schema: in.SchemaURL, Rows: []Row{}}
	for q := 0; q < len(months); q += 3 {
		st.Quarters = append(st.Quarters, Quarter{QuarterName(months[q]), monthNames(months[q : q+3])})
	}

	ms := measures()
	// counts[nis][measure][month]
	counts := map[string][][]int{}
	row := func(nis string) [][]int {
		if counts[nis] == nil {
			counts[nis] = make([][]int, len(ms))
			for k := range ms {
				counts[nis][k] = make([]int, len(months))
			}
		}
		return counts[nis]
	}
	for _, c := range in.Cells {
		j, ok := col[c.Month]
		if !ok {
			continue
		}
		for k, m := range ms {
			if v := m.get(c.Counts); v > 0 {
				row(c.NIS)[k][j] += v
			}
		}
	}
	for _, m := range months {
		for nis, ok := range in.InForce[m.Format("2006-01")] {
			if ok {
				row(nis)
			}
		}
	}
	nisCodes := make([]string, 0, len(counts))
	for nis := range counts {
		nisCodes = append(nisCodes, nis)
	}
	// The order does not depend on the window: ByQuarter needs that.
	sort.Strings(nisCodes)

	place := func(nis string) Place {
		if in.Place != nil {
			if p, ok := in.Place(nis); ok {
				return p
			}
		}
		return Place{Name: nis}
	}
	inForce := func(nis string, month time.Time) int {
		if in.InForce[month.Format("2006-01")][nis] {
			return 1
		}
		return 0
	}
	flandersInForce := func(month time.Time) int {
		n := 0
		for _, ok := range in.InForce[month.Format("2006-01")] {
			if ok {
				n++
			}
		}
		return n
	}
	newRow := func(typ, period, quarter string, ms []time.Time, nis string, p Place) Row {
		return Row{PeriodType: typ, Period: period, Quarter: quarter, Months: monthNames(ms), NIS: nis, Name: p.Name, Province: p.Province,
			Outcomes: map[string]suppress.Cell{}, Rights: map[string]suppress.Cell{}}
	}

	nm, nq := len(nisCodes), len(months)/3
	// The rows, built first and filled per measure.
	monthRows := make([][]Row, nm+1) // [municipality or Flanders (nm)][month]
	quarterRows := make([][]Row, nm+1)
	windowRows := make([]Row, nm+1)
	window := st.From + "/" + st.To
	for i := 0; i <= nm; i++ {
		nis, p := FlandersNIS, Place{Name: "Vlaanderen"}
		if i < nm {
			nis, p = nisCodes[i], place(nisCodes[i])
		}
		ifc := func(m time.Time) int {
			if i < nm {
				return inForce(nis, m)
			}
			return flandersInForce(m)
		}
		for j, m := range months {
			r := newRow(PeriodMonth, m.Format("2006-01"), QuarterName(m), months[j:j+1], nis, p)
			r.AgreementsInForce = ifc(m)
			monthRows[i] = append(monthRows[i], r)
		}
		for q := range nq {
			r := newRow(PeriodQuarter, QuarterName(months[3*q]), QuarterName(months[3*q]), months[3*q:3*q+3], nis, p)
			r.AgreementsInForce = ifc(months[3*q+2])
			quarterRows[i] = append(quarterRows[i], r)
		}
		windowRows[i] = newRow(PeriodWindow, window, "", months, nis, p)
		windowRows[i].AgreementsInForce = ifc(months[len(months)-1])
	}

	for k, m := range ms {
		table := make([][]int, nm)
		for i, nis := range nisCodes {
			table[i] = counts[nis][k]
		}
		quarterTot := make([][]suppress.Cell, nm)
		var grands []suppress.Cell
		for q := range nq {
			part := make([][]int, nm)
			for i := range table {
				part[i] = table[i][3*q : 3*q+3]
			}
			// One quarter at a time: exactly what ByQuarter publishes for it in any window.
			cells, rowTot, colTot, grand := suppress.ByQuarter(part, months[3*q:3*q+3])
			for i := range nm {
				for j := range 3 {
					m.set(&monthRows[i][3*q+j], cells[i][j])
				}
				m.set(&quarterRows[i][q], rowTot[i])
				quarterTot[i] = append(quarterTot[i], rowTot[i])
			}
			for j := range 3 {
				m.set(&monthRows[nm][3*q+j], colTot[j])
			}
			m.set(&quarterRows[nm][q], grand)
			grands = append(grands, grand)
		}
		for i := range nm {
			m.set(&windowRows[i], suppress.Sum(quarterTot[i]))
		}
		m.set(&windowRows[nm], suppress.Sum(grands))
	}

	for i := range nm {
		st.Rows = append(st.Rows, monthRows[i]...)
	}
	st.Rows = append(st.Rows, monthRows[nm]...)
	for i := range nm {
		st.Rows = append(st.Rows, quarterRows[i]...)
	}
	st.Rows = append(st.Rows, quarterRows[nm]...)
	st.Rows = append(st.Rows, windowRows...)
	return st
}

func monthNames(ms []time.Time) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Format("2006-01")
	}
	return out
}
