package suppress

import (
	"fmt"
	"time"
)

// Base is the rounding base of every published count: a shown count is a multiple of Base.
const Base = 5

// Period is the fixed calendar window every published table is protected on.
const Period = "quarter"

// Round returns c as published: a shown count rounded to the nearest multiple of Base (5, 6
// and 7 become 5, 8 to 12 become 10, 0 stays 0; 1–4 are never shown). Value of the result is
// the rounded count, so nothing downstream can show the exact one; a suppressed cell is
// returned unchanged.
func Round(c Cell) Cell {
	if c.Suppressed || c.Value == 0 {
		return c
	}
	r := (c.Value + Base/2) / Base * Base
	if r < Base {
		r = Base
	}
	return Cell{Value: r}
}

// Sum adds published cells (already rounded) into a published total: the sum when every part
// is shown, "<5" when every part is 0 but one "<5", else "x". It uses only what is shown, so
// it reveals nothing the parts do not.
func Sum(parts []Cell) Cell {
	total, small, comp := 0, 0, 0
	for _, c := range parts {
		switch {
		case !c.Suppressed:
			total += c.Value
		case c.Below > 0:
			small++
		default:
			comp++
		}
	}
	switch {
	case small+comp == 0:
		return Cell{Value: total}
	case total == 0 && small == 1 && comp == 0:
		return Cell{Suppressed: true, Below: DefaultThreshold}
	default:
		return Cell{Suppressed: true}
	}
}

// quarterStart is the first day of the calendar quarter of t (UTC).
func quarterStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month()-(t.Month()-1)%3, 1, 0, 0, 0, 0, time.UTC)
}

// LastQuarter is the first day of the last month of the last calendar quarter that ended at
// least settle days before today: the latest month a report may show. Counts of a quarter are
// published only once the quarter is over (and, for counts that settle later, such as families
// reached within 14 days, once they have settled), so that a published quarter never changes.
func LastQuarter(today time.Time, settle int) time.Time {
	d := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -settle)
	// The quarter containing d has not ended by d; the one before it has.
	return quarterStart(d).AddDate(0, -1, 0)
}

// Quarters widens the months from..to (any day in them) to whole calendar quarters and ends
// the window at last (from LastQuarter). It returns the first days of the first and the last
// month, and false when no complete quarter is left in the window.
func Quarters(from, to, last time.Time) (qFrom, qTo time.Time, ok bool) {
	qFrom = quarterStart(from)
	qTo = quarterStart(to).AddDate(0, 2, 0)
	if l := time.Date(last.Year(), last.Month(), 1, 0, 0, 0, 0, time.UTC); qTo.After(l) {
		qTo = quarterStart(l).AddDate(0, 2, 0)
		if qTo.After(l) { // last is not the last month of a quarter
			qTo = quarterStart(l).AddDate(0, -1, 0)
		}
	}
	return qFrom, qTo, !qFrom.After(qTo)
}

// ByQuarter protects a table of counts whose columns are consecutive months (months[j] is
// the first day of column j's month) covering whole calendar quarters, with row totals,
// column totals and the grand total.
//
// Each quarter is protected on its own, exactly as it would be if it were asked for alone:
// its rows are the rows with a non-zero count in it (in the order given, which must not depend
// on the window), suppressed by Table and every shown count rounded by Round. Rows without a
// count in a quarter get zeros there. A total over several quarters is the Sum of the
// quarters' published totals. So every number in the result is a function of the published
// quarters, whatever the window: no two windows can be subtracted to learn more than the
// quarters tell. ByQuarter panics when the columns are not whole quarters.
func ByQuarter(counts [][]int, months []time.Time) (cells [][]Cell, rowTot []Cell, colTot []Cell, grand Cell) {
	n := len(months)
	if n%3 != 0 {
		panic(fmt.Sprintf("suppress: %d months are not whole quarters", n))
	}
	for j, m := range months {
		if j%3 == 0 && !m.Equal(quarterStart(m)) || j > 0 && !m.Equal(months[j-1].AddDate(0, 1, 0)) {
			panic(fmt.Sprintf("suppress: column %d (%s) does not continue whole quarters", j, m.Format("2006-01")))
		}
	}
	cells = make([][]Cell, len(counts))
	for i := range counts {
		if len(counts[i]) != n {
			panic(fmt.Sprintf("suppress: row %d has %d columns, want %d", i, len(counts[i]), n))
		}
		cells[i] = make([]Cell, n)
	}
	colTot = make([]Cell, n)
	quarterRowTot := make([][]Cell, len(counts))
	var grands []Cell
	for q := 0; q < n; q += 3 {
		var rows []int
		var table [][]int
		for i, r := range counts {
			part := r[q : q+3]
			if part[0]+part[1]+part[2] > 0 {
				rows = append(rows, i)
				table = append(table, append([]int(nil), part...))
			}
		}
		for i := range counts {
			quarterRowTot[i] = append(quarterRowTot[i], Cell{})
		}
		if len(table) == 0 {
			grands = append(grands, Cell{})
			continue
		}
		qc, qr, qcol, qg := Table(table, true, true, 0)
		for k, i := range rows {
			for j := range 3 {
				cells[i][q+j] = Round(qc[k][j])
			}
			quarterRowTot[i][q/3] = Round(qr[k])
		}
		for j := range 3 {
			colTot[q+j] = Round(qcol[j])
		}
		grands = append(grands, Round(qg))
	}
	rowTot = make([]Cell, len(counts))
	for i := range counts {
		rowTot[i] = Sum(quarterRowTot[i])
	}
	return cells, rowTot, colTot, Sum(grands)
}

// RoundAll rounds a count to the nearest multiple of Base, small ones included (1 and 2
// become 0, 3 to 7 become 5). It is for counts published without "<5": parts whose totals
// and shares are computed from the rounded parts only, so that each part is known only
// within ±2 (a shown 0 may be 0, 1 or 2) and nothing can be pinned down by combining them.
func RoundAll(v int) int {
	if v < 0 {
		panic(fmt.Sprintf("suppress: negative count %d", v))
	}
	return (v + Base/2) / Base * Base
}
