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
	get  func(c outcome.Counts) int
	set  func(r *Row, v suppress.Cell)
	read func(r Row) suppress.Cell
}

func measures() []measure {
	ms := []measure{
		{func(c outcome.Counts) int { return c.Sent }, func(r *Row, v suppress.Cell) { r.ReferralsSent = v },
			func(r Row) suppress.Cell { return r.ReferralsSent }},
		{func(c outcome.Counts) int { return c.Reached }, func(r *Row, v suppress.Cell) { r.ReferralsReached = v },
			func(r Row) suppress.Cell { return r.ReferralsReached }},
	}
	for _, o := range Outcomes() {
		ms = append(ms, measure{func(c outcome.Counts) int { return c.Outcomes[o] }, func(r *Row, v suppress.Cell) { r.Outcomes[o] = v },
			func(r Row) suppress.Cell { return r.Outcomes[o] }})
	}
	for _, k := range Rights() {
		ms = append(ms, measure{func(c outcome.Counts) int { return c.Rights[k] }, func(r *Row, v suppress.Cell) { r.Rights[k] = v },
			func(r Row) suppress.Cell { return r.Rights[k] }})
	}
	return ms
}

// QuarterName is "2024-Q1" for any day of the first quarter of 2024.
func QuarterName(t time.Time) string {
	return strconv.Itoa(t.Year()) + "-Q" + strconv.Itoa((int(t.Month())-1)/3+1)
}

// Published is one quarter as published, the same in every window: per municipality (NIS
// code) and measure, its three month cells and its quarter total; for all municipalities
// together, the three month totals and the grand total; and the municipalities with an
// agreement in force on the last day of each month.
type Published struct {
	Start   time.Time
	Cells   map[string][][4]suppress.Cell
	All     [][4]suppress.Cell
	InForce [3]map[string]bool
}

// PublishQuarter protects one quarter (start is its first day): per measure, a table of the
// municipalities with a non-zero count in the quarter (by NIS code) × its three months,
// suppressed and rounded by suppress.ByQuarter. Cells of other months are ignored.
func PublishQuarter(start time.Time, cells []outcome.Cell, inForce [3]map[string]bool) Published {
	months := []time.Time{start, start.AddDate(0, 1, 0), start.AddDate(0, 2, 0)}
	col := map[string]int{}
	for j, m := range months {
		col[m.Format("2006-01")] = j
	}
	ms := measures()
	counts := map[string][][]int{} // nis → measure → month
	for _, c := range cells {
		j, ok := col[c.Month]
		if !ok {
			continue
		}
		for k, m := range ms {
			v := m.get(c.Counts)
			if v <= 0 {
				continue
			}
			if counts[c.NIS] == nil {
				counts[c.NIS] = make([][]int, len(ms))
				for k := range ms {
					counts[c.NIS][k] = make([]int, 3)
				}
			}
			counts[c.NIS][k][j] += v
		}
	}
	nisCodes := make([]string, 0, len(counts))
	for nis := range counts {
		nisCodes = append(nisCodes, nis)
	}
	// The order does not depend on anything but the quarter: ByQuarter needs that.
	sort.Strings(nisCodes)
	p := Published{Start: start, Cells: map[string][][4]suppress.Cell{}, All: make([][4]suppress.Cell, len(ms)), InForce: inForce}
	for _, nis := range nisCodes {
		p.Cells[nis] = make([][4]suppress.Cell, len(ms))
	}
	for k := range ms {
		table := make([][]int, len(nisCodes))
		for i, nis := range nisCodes {
			table[i] = counts[nis][k]
		}
		cells, rowTot, colTot, grand := suppress.ByQuarter(table, months)
		for i, nis := range nisCodes {
			p.Cells[nis][k] = [4]suppress.Cell{cells[i][0], cells[i][1], cells[i][2], rowTot[i]}
		}
		p.All[k] = [4]suppress.Cell{colTot[0], colTot[1], colTot[2], grand}
	}
	return p
}

// Build publishes the window of in (PublishQuarter per quarter, then Assemble).
func Build(in Input) Statistics {
	if n := (in.To.Year()-in.From.Year())*12 + int(in.To.Month()) - int(in.From.Month()) + 1; n <= 0 || n%3 != 0 || int(in.From.Month())%3 != 1 {
		panic("opendata: the window is not whole quarters")
	}
	var qs []Published
	for q := in.From; q.Before(in.To); q = q.AddDate(0, 3, 0) {
		var f [3]map[string]bool
		for j := range 3 {
			f[j] = in.InForce[q.AddDate(0, j, 0).Format("2006-01")]
		}
		qs = append(qs, PublishQuarter(q, in.Cells, f))
	}
	return Assemble(qs, in.Place, in.SchemaURL)
}

// Assemble makes the answer of consecutive published quarters: rows per municipality and
// month, per municipality and quarter, per municipality for the window, and the same for all
// municipalities (NIS FlandersNIS), in that order of period types, municipalities by NIS code.
// A municipality with no published count and no agreement in force in the window has no
// rows; one without counts in a quarter shows zeros there (as ByQuarter does). Window totals
// are sums of the published quarter totals (suppress.Sum). place nil: the NIS code as name.
func Assemble(qs []Published, place func(nis string) (Place, bool), schemaURL string) Statistics {
	var months []time.Time
	for _, q := range qs {
		months = append(months, q.Start, q.Start.AddDate(0, 1, 0), q.Start.AddDate(0, 2, 0))
	}
	st := Statistics{From: months[0].Format("2006-01"), To: months[len(months)-1].Format("2006-01"), ProtectedPer: suppress.Period,
		RoundedTo: suppress.Base, SettleDays: SettleDays, Legend: suppress.Legend, Method: Method, Schema: schemaURL, Rows: []Row{}}
	seen := map[string]bool{}
	var nisCodes []string
	add := func(nis string) {
		if !seen[nis] {
			seen[nis] = true
			nisCodes = append(nisCodes, nis)
		}
	}
	for _, q := range qs {
		st.Quarters = append(st.Quarters, Quarter{QuarterName(q.Start), monthNames([]time.Time{q.Start, q.Start.AddDate(0, 1, 0), q.Start.AddDate(0, 2, 0)})})
		for nis := range q.Cells {
			add(nis)
		}
		for _, f := range q.InForce {
			for nis, ok := range f {
				if ok {
					add(nis)
				}
			}
		}
	}
	sort.Strings(nisCodes)
	placeOf := func(nis string) Place {
		if place != nil {
			if p, ok := place(nis); ok {
				return p
			}
		}
		return Place{Name: nis}
	}
	ms := measures()
	nm := len(nisCodes)
	window := st.From + "/" + st.To
	monthRows := make([][]Row, nm+1)
	quarterRows := make([][]Row, nm+1)
	windowRows := make([]Row, nm+1)
	for i := 0; i <= nm; i++ {
		nis, p := FlandersNIS, Place{Name: "Vlaanderen"}
		if i < nm {
			nis, p = nisCodes[i], placeOf(nisCodes[i])
		}
		inForce := func(f map[string]bool) int {
			if i < nm {
				if f[nis] {
					return 1
				}
				return 0
			}
			n := 0
			for _, ok := range f {
				if ok {
					n++
				}
			}
			return n
		}
		newRow := func(typ, period, quarter string, rm []time.Time) Row {
			return Row{PeriodType: typ, Period: period, Quarter: quarter, Months: monthNames(rm), NIS: nis, Name: p.Name, Province: p.Province,
				Outcomes: map[string]suppress.Cell{}, Rights: map[string]suppress.Cell{}}
		}
		windowRows[i] = newRow(PeriodWindow, window, "", months)
		for qi, q := range qs {
			name := QuarterName(q.Start)
			var pub [][4]suppress.Cell // nil: zeros
			if i < nm {
				pub = q.Cells[nis]
			} else {
				pub = q.All
			}
			qr := newRow(PeriodQuarter, name, name, months[3*qi:3*qi+3])
			qr.AgreementsInForce = inForce(q.InForce[2])
			for j := range 3 {
				mr := newRow(PeriodMonth, months[3*qi+j].Format("2006-01"), name, months[3*qi+j:3*qi+j+1])
				mr.AgreementsInForce = inForce(q.InForce[j])
				for k, m := range ms {
					var c suppress.Cell
					if pub != nil {
						c = pub[k][j]
					}
					m.set(&mr, c)
				}
				monthRows[i] = append(monthRows[i], mr)
			}
			for k, m := range ms {
				var c suppress.Cell
				if pub != nil {
					c = pub[k][3]
				}
				m.set(&qr, c)
			}
			quarterRows[i] = append(quarterRows[i], qr)
		}
		windowRows[i].AgreementsInForce = inForce(qs[len(qs)-1].InForce[2])
		for k, m := range ms {
			parts := make([]suppress.Cell, len(qs))
			for qi := range qs {
				parts[qi] = quarterRows[i][qi].get(k, ms)
			}
			m.set(&windowRows[i], suppress.Sum(parts))
		}
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

// get returns the row's count of measure k of ms.
func (r Row) get(k int, ms []measure) suppress.Cell {
	return ms[k].read(r)
}

func monthNames(ms []time.Time) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Format("2006-01")
	}
	return out
}
