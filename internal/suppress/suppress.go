// Package suppress is the one shared implementation of small-cell suppression: every count that
// leaves an organisation's own view goes through Table or List before it is shown, exported or
// served.
//
// # Primary suppression
//
// A count from 1 to threshold-1 (1–4 with DefaultThreshold) is suppressed and shown as "<5".
// A zero is shown as 0: a true zero says that nobody is in the cell, which identifies no one,
// and showing "<5" for it would make every empty month look like a small one. The price of that
// choice is that a reader knows every "<5" is at least 1; the audit below takes that into
// account. Only as a last resort, when nothing non-zero is left to hide in a row or column (four
// 1s whose total 4 is itself "<5" tell that each is 1), a zero there is shown as "<5" too, which
// is true of 0.
//
// # Complementary suppression
//
// A suppressed cell must not be recoverable from the totals shown next to it. Table and List
// therefore suppress further cells, each shown as "x" ("verborgen zodat een klein aantal niet
// kan worden afgeleid"), until none of these recovers a hidden value:
//
//   - subtraction in one row or column: a row or column whose total is shown never has exactly
//     one suppressed cell. When it would, the smallest non-zero shown cell of that row or column
//     is suppressed too, or the total when there is none (this also holds for the row of column
//     totals and the column of row totals against the grand total);
//   - combinations of rows and columns: no suppressed value follows from the system of all
//     shown totals (e.g. two 2×2 blocks of suppressed cells joined by one suppressed cell: the
//     sums of two rows minus two columns give that cell);
//   - bounds: a reader knows that "<5" is 1–4 and "x" is at least 5, and may combine that with
//     the totals ("<5" and "x" in a row of total 6 can only be 1 and 5). Bounds are propagated
//     through every row and column, and no suppressed value may end up pinned to one number.
//
// Complementary cells get their own symbol because "<5" on them would be false: a 40 is not
// "<5", and a row shown as "<5", "<5", 7 with total 19 is visibly impossible. Legend explains
// both symbols in Dutch.
//
// Complementary cells ("x") are never zeros: "x" on a zero would be a false statement. The
// bound propagation is a sound but incomplete check (a full audit needs linear programming over
// all totals at once, as τ-ARGUS does); the first two checks are exact. A table that is
// nothing but 1s summing below the threshold (a single row [1 1 1 1] with its total) cannot be
// protected without false statements; merge categories or periods before suppressing such data.
//
// A Cell keeps the true Value, also when suppressed, so that callers can sort or aggregate
// before display. Never show Value of a suppressed cell: use String or the JSON encoding.
//
// # Publication: fixed quarters, rounded to 5 (ByQuarter, ListByQuarter)
//
// Protecting each table a caller asks for is not enough when the caller chooses the window:
// the totals of two overlapping windows, each table protected on its own, subtract to a hidden
// cell (the 1 and the 2 of the demo came out of the grand totals of windows one month apart).
// Every count of families shown outside an organisation's own view is therefore published
// like this:
//
//  1. Fixed windows. Counts are protected per calendar quarter, and only for a quarter that
//     has ended (LastQuarter; with a settling time for counts that change after the fact,
//     such as families reached within 14 days). A window asked for is widened to whole
//     quarters and ends at the last ended quarter (Quarters). A quarter's table is built from
//     that quarter's counts alone, in an order that does not depend on the window, so it is
//     the same in every answer and never changes once published.
//  2. Suppression within the quarter, as above ("<5", "x"), with the bounds audit.
//  3. Rounding. Every count shown (cells and totals) is then rounded to a multiple of 5
//     (Round: 5–7 → 5, 8–12 → 10; 0 stays 0, a true zero identifies no one). Rounding a
//     protected table only removes information, so it cannot undo the protection, and any
//     two shown numbers differ by 0 or at least 5.
//  4. Totals over several quarters are sums of the quarters' published totals (Sum; "x" when
//     one of them is hidden, "<5" when it is the only non-zero one), never computed from the
//     true counts. So every number in every answer is a function of the published quarters:
//     subtracting any two windows, with any filter that selects rows, tells nothing the
//     quarters do not. The price: such a total may differ from the true total by up to 2 per
//     quarter, and the current quarter is not shown until it has ended.
//
// Parts that are only ever shown with totals and shares computed from them (a team's families
// reached within 14 days and not reached) are instead rounded one by one, small ones included
// (RoundAll: 1 and 2 become 0, 3 to 7 become 5), per quarter, with no "<5" and no
// complementary suppression: each part is then known only within ±2, independently of every
// other, so no combination of windows pins one down, and a share can be shown for every team.
//
// The tests attack this directly: every window of up to 24 months over random counts, every
// pair of numbers over nested sets of families (never 1–4 apart, the same set never shown two
// ways), and for every hidden cell another table of counts that agrees with everything shown
// (TestDifferencingAttack, TestHiddenCountsStayUncertain; the API's own test asks the server
// for every window on both databases). What the tests do not cover is a reader who also knows
// the order in which complementary cells are chosen and reasons about the choices the
// algorithm would have made for other data (the quarters are small tables, which limits that),
// nor two tables that split the same families differently (the birth statistics count them
// per clinic and per team; each table is protected and rounded, and combining them narrows a
// quarter's total but has not been audited as one system).
package suppress

import (
	"fmt"
	"math"
	"strconv"
)

// DefaultThreshold is the threshold used when a threshold ≤ 0 is passed: counts 1–4 are
// suppressed.
const DefaultThreshold = 5

// Complementary is how a cell suppressed only to protect another one is shown.
const Complementary = "x"

// Legend explains the symbols in Dutch, for under a table.
const Legend = `"<5": 1 tot 4, verborgen om personen te beschermen. "x": verborgen zodat een klein aantal niet kan worden afgeleid.`

// Cell is a count as it may be shown.
type Cell struct {
	// Value is the true count. Never display it when Suppressed is set.
	Value int
	// Suppressed is set when the value must not be shown.
	Suppressed bool
	// Below is, for a count suppressed because it is small (1 ≤ Value < threshold, or a zero
	// hidden as a last resort), the threshold: the cell shows "<5". It is 0 for a shown count
	// and for a complementary suppression, which shows "x".
	Below int
}

// Complementary reports whether the cell is suppressed only to protect another cell.
func (c Cell) Complementary() bool { return c.Suppressed && c.Below == 0 }

// String returns the cell as shown: the number, "<5" (with the threshold in force) for a small
// count, or "x" for a complementary suppression.
func (c Cell) String() string {
	switch {
	case !c.Suppressed:
		return strconv.Itoa(c.Value)
	case c.Below > 0:
		return "<" + strconv.Itoa(c.Below)
	default:
		return Complementary
	}
}

// MarshalJSON encodes a shown cell as a number and a suppressed one as the string "<5" or "x":
// the true value of a suppressed cell never appears.
func (c Cell) MarshalJSON() ([]byte, error) {
	if !c.Suppressed {
		return strconv.AppendInt(nil, int64(c.Value), 10), nil
	}
	return strconv.AppendQuote(nil, c.String()), nil
}

// entry is one value of the problem: a cell or a total.
type entry struct {
	value int
	supp  bool
	small bool // shown as "<t": a primary suppression or a hidden zero
	lines [2]int
}

// line is one additive relation: the parts sum to the total.
type line struct {
	parts []int
	total int
}

type problem struct {
	t       int
	entries []entry
	lines   []line
	given   map[int]bool // entries whose protection failed: nothing left to hide
}

func (p *problem) add(v int) int {
	if v < 0 {
		panic(fmt.Sprintf("suppress: negative count %d", v))
	}
	p.entries = append(p.entries, entry{value: v, lines: [2]int{-1, -1}})
	return len(p.entries) - 1
}

func (p *problem) addLine(parts []int, total int) {
	l := len(p.lines)
	p.lines = append(p.lines, line{parts: parts, total: total})
	for _, e := range append(parts[:len(parts):len(parts)], total) {
		ls := &p.entries[e].lines
		if ls[0] < 0 {
			ls[0] = l
		} else {
			ls[1] = l
		}
	}
}

func (p *problem) cell(e int) Cell {
	en := p.entries[e]
	c := Cell{Value: en.value, Suppressed: en.supp}
	if en.small {
		c.Below = p.t
	}
	return c
}

func normThreshold(t int) int {
	if t <= 0 {
		return DefaultThreshold
	}
	return t
}

// Table suppresses a table of counts (rows of equal length, no negative count: Table panics
// otherwise) and returns the cells, the row totals (nil unless rowTotals), the column totals
// (nil unless colTotals) and the grand total, all protected together. The grand total is
// protected even when neither kind of total is asked for, so it may always be shown. A
// threshold ≤ 0 means DefaultThreshold; a threshold of 1 suppresses nothing.
func Table(counts [][]int, rowTotals, colTotals bool, threshold int) (cells [][]Cell, rowTot []Cell, colTot []Cell, grand Cell) {
	p := &problem{t: normThreshold(threshold)}
	m := len(counts)
	n := 0
	if m > 0 {
		n = len(counts[0])
	}
	cellIdx := make([][]int, m)
	rowSum := make([]int, m)
	colSum := make([]int, n)
	for i, r := range counts {
		if len(r) != n {
			panic(fmt.Sprintf("suppress: row %d has %d columns, row 0 has %d", i, len(r), n))
		}
		cellIdx[i] = make([]int, n)
		for j, v := range r {
			cellIdx[i][j] = p.add(v)
			rowSum[i] += v
			colSum[j] += v
		}
	}
	total := 0
	for _, v := range rowSum {
		total += v
	}
	var rIdx, cIdx []int
	if rowTotals {
		rIdx = make([]int, m)
		for i := range m {
			rIdx[i] = p.add(rowSum[i])
		}
	}
	if colTotals {
		cIdx = make([]int, n)
		for j := range n {
			cIdx[j] = p.add(colSum[j])
		}
	}
	g := p.add(total)

	if rowTotals {
		for i := range m {
			p.addLine(cellIdx[i], rIdx[i])
		}
	}
	if colTotals {
		for j := range n {
			col := make([]int, m)
			for i := range m {
				col[i] = cellIdx[i][j]
			}
			p.addLine(col, cIdx[j])
		}
	}
	if rowTotals {
		p.addLine(rIdx, g)
	}
	if colTotals {
		p.addLine(cIdx, g)
	}
	if !rowTotals && !colTotals {
		all := make([]int, 0, m*n)
		for i := range m {
			all = append(all, cellIdx[i]...)
		}
		p.addLine(all, g)
	}

	p.solve()

	cells = make([][]Cell, m)
	for i := range m {
		cells[i] = make([]Cell, n)
		for j := range n {
			cells[i][j] = p.cell(cellIdx[i][j])
		}
	}
	if rowTotals {
		rowTot = make([]Cell, m)
		for i, e := range rIdx {
			rowTot[i] = p.cell(e)
		}
	}
	if colTotals {
		colTot = make([]Cell, n)
		for j, e := range cIdx {
			colTot[j] = p.cell(e)
		}
	}
	return cells, rowTot, colTot, p.cell(g)
}

// List suppresses a single list of counts with an optional total (the zero Cell when total is
// false, and then only primary suppression applies). A threshold ≤ 0 means DefaultThreshold.
// List panics on a negative count.
func List(counts []int, total bool, threshold int) ([]Cell, Cell) {
	p := &problem{t: normThreshold(threshold)}
	idx := make([]int, len(counts))
	sum := 0
	for i, v := range counts {
		idx[i] = p.add(v)
		sum += v
	}
	t := -1
	if total {
		t = p.add(sum)
		p.addLine(idx, t)
	}
	p.solve()
	out := make([]Cell, len(counts))
	for i, e := range idx {
		out[i] = p.cell(e)
	}
	if t < 0 {
		return out, Cell{}
	}
	return out, p.cell(t)
}

// solve applies primary suppression, then complementary suppression until every check passes.
// Every round suppresses one more entry or stops, so it ends.
func (p *problem) solve() {
	for i := range p.entries {
		e := &p.entries[i]
		if e.value >= 1 && e.value < p.t {
			e.supp, e.small = true, true
		}
	}
	for {
		if p.lineRule() {
			continue
		}
		if e, ok := p.bridge(); ok {
			if !p.protectBridge(e) {
				p.giveUp(e)
			}
			continue
		}
		if e, l, ok := p.pinned(); ok {
			if !p.protectPinned(e, l) {
				p.giveUp(e)
			}
			continue
		}
		return
	}
}

// giveUp stops trying to protect entry e, rather than hiding values that do not help.
func (p *problem) giveUp(e int) {
	if p.given == nil {
		p.given = map[int]bool{}
	}
	p.given[e] = true
}

// smallest returns the shown non-zero entry with the smallest value among es (first on ties).
func (p *problem) smallest(es []int) (int, bool) {
	best := -1
	for _, e := range es {
		en := p.entries[e]
		if en.supp || en.value == 0 {
			continue
		}
		if best < 0 || en.value < p.entries[best].value {
			best = e
		}
	}
	return best, best >= 0
}

// zero returns the first shown zero among es.
func (p *problem) zero(es []int) (int, bool) {
	for _, e := range es {
		if en := p.entries[e]; !en.supp && en.value == 0 {
			return e, true
		}
	}
	return 0, false
}

// hideZero shows the zero entry e as "<t", which is true of 0: the last resort when no
// non-zero value is left to hide.
func (p *problem) hideZero(e int) { p.entries[e].supp, p.entries[e].small = true, true }

func (p *problem) suppressComp(e int) { p.entries[e].supp = true }

// lineRule suppresses, in every line whose total is shown and that has exactly one suppressed
// part, the smallest non-zero shown part, or the total when there is none. It reports whether
// it changed anything.
func (p *problem) lineRule() bool {
	changed := false
	for again := true; again; {
		again = false
		for _, l := range p.lines {
			if p.entries[l.total].supp {
				continue
			}
			n := 0
			for _, e := range l.parts {
				if p.entries[e].supp {
					n++
				}
			}
			if n != 1 {
				continue
			}
			if e, ok := p.smallest(l.parts); ok {
				p.suppressComp(e)
			} else {
				p.suppressComp(l.total)
			}
			again, changed = true, true
		}
	}
	return changed
}

// ends returns the graph endpoints of entry e: its lines, or the ground node for a missing one.
func (p *problem) ends(e int) (int, int) {
	g := len(p.lines)
	u, v := p.entries[e].lines[0], p.entries[e].lines[1]
	if u < 0 {
		u = g
	}
	if v < 0 {
		v = g
	}
	return u, v
}

// The relations form a graph: a node per line plus a ground node, an edge per entry between
// the lines it belongs to (the ground for a missing one). With the lines' signs chosen so that
// every entry has opposite signs in its two lines, the relations are the node equations of this
// graph, and a suppressed value is determined by them exactly when its edge is a bridge of the
// graph of suppressed entries (it lies on no cycle).

// bridge returns a suppressed entry whose value follows from the shown totals.
func (p *problem) bridge() (int, bool) {
	nn := len(p.lines) + 1
	type half struct{ to, e int }
	adj := make([][]half, nn)
	for i, en := range p.entries {
		if !en.supp {
			continue
		}
		u, v := p.ends(i)
		if u == v {
			continue // a loop lies on a cycle: never determined
		}
		adj[u] = append(adj[u], half{v, i})
		adj[v] = append(adj[v], half{u, i})
	}
	disc := make([]int, nn)
	low := make([]int, nn)
	for i := range disc {
		disc[i] = -1
	}
	timer := 0
	type frame struct{ node, via, next int }
	for s := range nn {
		if disc[s] >= 0 {
			continue
		}
		disc[s], low[s] = timer, timer
		timer++
		stack := []frame{{s, -1, 0}}
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.next < len(adj[f.node]) {
				h := adj[f.node][f.next]
				f.next++
				if h.e == f.via {
					continue
				}
				if disc[h.to] < 0 {
					disc[h.to], low[h.to] = timer, timer
					timer++
					stack = append(stack, frame{h.to, h.e, 0})
				} else {
					low[f.node] = min(low[f.node], disc[h.to])
				}
				continue
			}
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				parent := stack[len(stack)-1].node
				low[parent] = min(low[parent], low[f.node])
				if low[f.node] > disc[parent] && !p.given[f.via] {
					return f.via, true
				}
			}
		}
	}
	return 0, false
}

// side returns the nodes reachable from start over suppressed entries other than skip.
func (p *problem) side(start, skip int) []bool {
	nn := len(p.lines) + 1
	adj := make([][]int, nn)
	for i, en := range p.entries {
		if !en.supp || i == skip {
			continue
		}
		u, v := p.ends(i)
		adj[u] = append(adj[u], v)
		adj[v] = append(adj[v], u)
	}
	seen := make([]bool, nn)
	seen[start] = true
	queue := []int{start}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for _, y := range adj[x] {
			if !seen[y] {
				seen[y] = true
				queue = append(queue, y)
			}
		}
	}
	return seen
}

// protectBridge suppresses one more entry so that the bridge b moves onto a cycle or its side
// grows: the smallest shown non-zero entry joining both sides, else the smallest one leaving the
// side without the ground node (the relations of that side equate b to a sum of such entries,
// so one of them is non-zero unless b is a hidden zero), else a zero joining or leaving.
func (p *problem) protectBridge(b int) bool {
	u, v := p.ends(b)
	a, bs := p.side(u, b), p.side(v, b)
	var join, leave []int
	ground := len(p.lines)
	s := a
	if a[ground] {
		s = bs
	}
	for i, en := range p.entries {
		if en.supp {
			continue
		}
		x, y := p.ends(i)
		if (a[x] && bs[y]) || (bs[x] && a[y]) {
			join = append(join, i)
		}
		if s[x] != s[y] {
			leave = append(leave, i)
		}
	}
	for _, es := range [][]int{join, leave} {
		if e, ok := p.smallest(es); ok {
			p.suppressComp(e)
			return true
		}
	}
	for _, es := range [][]int{join, leave} {
		if e, ok := p.zero(es); ok {
			p.hideZero(e)
			return true
		}
	}
	return false
}

// pinned propagates what a reader knows ("<t" is 1..t-1, "x" is at least t) through the lines
// and returns a suppressed entry whose value it pins down, with the line that did it. A "<t" in
// a line with a hidden zero may be 0 too, as far as the reader can tell.
func (p *problem) pinned() (int, int, bool) {
	inf := math.Inf(1)
	lo := make([]float64, len(p.entries))
	hi := make([]float64, len(p.entries))
	by := make([]int, len(p.entries))
	zeroLine := make([]bool, len(p.lines))
	for li, l := range p.lines {
		for _, e := range l.parts {
			if en := p.entries[e]; en.supp && en.value == 0 {
				zeroLine[li] = true
			}
		}
	}
	for i, en := range p.entries {
		by[i] = -1
		switch {
		case !en.supp:
			lo[i], hi[i] = float64(en.value), float64(en.value)
		case en.small && (en.value == 0 || en.lines[0] >= 0 && zeroLine[en.lines[0]] || en.lines[1] >= 0 && zeroLine[en.lines[1]]):
			lo[i], hi[i] = 0, float64(p.t-1)
		case en.small:
			lo[i], hi[i] = 1, float64(p.t-1)
		default:
			lo[i], hi[i] = float64(p.t), inf
		}
	}
	type term struct {
		e    int
		sign float64
	}
	var terms []term
	// Bound propagation can creep by one unit per pass around a cycle; the number of passes is
	// capped, which keeps the check sound (anything it pins is pinned) and cheap.
	for pass := 0; pass < 64; pass++ {
		changed := false
		for li, l := range p.lines {
			// Σ sign·x = c over the suppressed entries of the line.
			terms = terms[:0]
			c := 0.0
			for _, e := range l.parts {
				if p.entries[e].supp {
					terms = append(terms, term{e, 1})
				} else {
					c -= float64(p.entries[e].value)
				}
			}
			if p.entries[l.total].supp {
				terms = append(terms, term{l.total, -1})
			} else {
				c += float64(p.entries[l.total].value)
			}
			if len(terms) == 0 {
				continue
			}
			sumLo, sumHi := 0.0, 0.0 // bounds of Σ sign·x
			infLo, infHi := 0, 0     // number of infinite contributions
			for _, t := range terms {
				a, b := lo[t.e], hi[t.e]
				if t.sign < 0 {
					a, b = -b, -a
				}
				if math.IsInf(a, 0) {
					infLo++
				} else {
					sumLo += a
				}
				if math.IsInf(b, 0) {
					infHi++
				} else {
					sumHi += b
				}
			}
			for _, t := range terms {
				a, b := lo[t.e], hi[t.e]
				if t.sign < 0 {
					a, b = -b, -a
				}
				// sign·x = c - Σ others
				othLo, othHi := math.Inf(-1), inf
				if n := infLo - boolInt(math.IsInf(a, 0)); n == 0 {
					othLo = sumLo - finite(a)
				}
				if n := infHi - boolInt(math.IsInf(b, 0)); n == 0 {
					othHi = sumHi - finite(b)
				}
				nlo, nhi := c-othHi, c-othLo // bounds of sign·x
				if t.sign < 0 {
					nlo, nhi = -nhi, -nlo
				}
				if nlo > lo[t.e] {
					lo[t.e], by[t.e], changed = nlo, li, true
				}
				if nhi < hi[t.e] {
					hi[t.e], by[t.e], changed = nhi, li, true
				}
				if by[t.e] >= 0 && lo[t.e] >= hi[t.e] && !p.given[t.e] {
					return t.e, by[t.e], true
				}
			}
		}
		if !changed {
			break
		}
	}
	return 0, 0, false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func finite(f float64) float64 {
	if math.IsInf(f, 0) {
		return 0
	}
	return f
}

// protectPinned suppresses one more entry of the line l that pinned e: its smallest non-zero
// part, else its total, else (e.g. four 1s with a total of 4) a zero part shown as "<t", so that
// the reader can no longer tell which of them is 0. It reports false when l has nothing left.
func (p *problem) protectPinned(e, l int) bool {
	if x, ok := p.smallest(p.lines[l].parts); ok {
		p.suppressComp(x)
		return true
	}
	if x, ok := p.smallest([]int{p.lines[l].total}); ok {
		p.suppressComp(x)
		return true
	}
	if x, ok := p.zero(p.lines[l].parts); ok {
		p.hideZero(x)
		return true
	}
	return false
}
