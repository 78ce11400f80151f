package suppress

import (
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

func strs(cs []Cell) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

func grid(cs [][]Cell) [][]string {
	out := make([][]string, len(cs))
	for i, r := range cs {
		out[i] = strs(r)
	}
	return out
}

// sameJSON compares JSON documents by value (encoding/json writes "<" as \u003c).
func sameJSON(t *testing.T, got []byte, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(g) == fmt.Sprint(w)
}

func TestCellDisplay(t *testing.T) {
	tests := []struct {
		c          Cell
		str, jsonS string
	}{
		{Cell{Value: 0}, "0", "0"},
		{Cell{Value: 12}, "12", "12"},
		{Cell{Value: 3, Suppressed: true, Below: 5}, "<5", `"<5"`},
		{Cell{Value: 7, Suppressed: true, Below: 10}, "<10", `"<10"`},
		{Cell{Value: 40, Suppressed: true}, "x", `"x"`},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.str {
			t.Errorf("%+v.String() = %q, want %q", tt.c, got, tt.str)
		}
		b, err := json.Marshal(tt.c)
		if err != nil || !sameJSON(t, b, tt.jsonS) {
			t.Errorf("json(%+v) = %s, %v; want %s", tt.c, b, err, tt.jsonS)
		}
	}
	b, _ := json.Marshal(map[string][]Cell{"m": {{Value: 2, Suppressed: true, Below: 5}, {Value: 9}}})
	if !sameJSON(t, b, `{"m":["<5",9]}`) {
		t.Errorf("nested JSON = %s", b)
	}
	if !(Cell{Value: 9, Suppressed: true}).Complementary() || (Cell{Value: 2, Suppressed: true, Below: 5}).Complementary() || (Cell{Value: 9}).Complementary() {
		t.Error("Complementary() wrong")
	}
}

func TestList(t *testing.T) {
	tests := []struct {
		name      string
		counts    []int
		total     bool
		threshold int
		want      []string
		wantTotal string
	}{
		{"subtraction: the 2 in [2 10 7] of 19", []int{2, 10, 7}, true, 0, []string{"<5", "10", "x"}, "19"},
		{"no total: primary only", []int{2, 10, 7}, false, 0, []string{"<5", "10", "7"}, "0"},
		{"nothing small", []int{5, 10, 7}, true, 0, []string{"5", "10", "7"}, "22"},
		{"zeros stay zero and are never complements", []int{3, 0, 0, 20}, true, 0, []string{"<5", "0", "0", "x"}, "23"},
		{"only zeros besides: the total goes", []int{0, 3, 0}, true, 0, []string{"0", "<5", "0"}, "<5"},
		{"nothing else to hide: total", []int{1, 5}, true, 0, []string{"<5", "x"}, "x"},
		{"two ones in a total of 12 would be 1 and 1", []int{1, 1, 10}, true, 0, []string{"<5", "<5", "x"}, "12"},
		{"two fours in 18 would be 4 and 4", []int{4, 4, 10}, true, 0, []string{"<5", "<5", "x"}, "18"},
		{"two small ones that cannot be told apart", []int{1, 3, 10}, true, 0, []string{"<5", "<5", "10"}, "14"},
		{"four 1s of total 4: a zero is hidden", []int{1, 0, 1, 1, 1, 0}, true, 0, []string{"<5", "<5", "<5", "<5", "<5", "0"}, "<5"},
		{"all small", []int{1, 2, 3}, true, 0, []string{"<5", "<5", "<5"}, "6"},
		{"all zero", []int{0, 0}, true, 0, []string{"0", "0"}, "0"},
		{"empty", nil, true, 0, []string{}, "0"},
		{"threshold 10", []int{3, 7, 12, 30}, true, 10, []string{"<10", "<10", "12", "30"}, "52"},
		{"threshold 10, one small", []int{7, 12, 30}, true, 10, []string{"<10", "x", "30"}, "49"},
		{"threshold 3", []int{2, 3, 4}, true, 3, []string{"<3", "x", "4"}, "9"},
		{"threshold 1 suppresses nothing", []int{1, 2}, true, 1, []string{"1", "2"}, "3"},
		{"threshold 0 is the default", []int{4, 5}, false, 0, []string{"<5", "5"}, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, tot := List(tt.counts, tt.total, tt.threshold)
			if got := strs(cs); !slices.Equal(got, tt.want) {
				t.Errorf("cells = %q, want %q", got, tt.want)
			}
			if got := tot.String(); got != tt.wantTotal {
				t.Errorf("total = %q, want %q", got, tt.wantTotal)
			}
			for i, c := range cs {
				if c.Value != tt.counts[i] {
					t.Errorf("cell %d Value = %d, want %d", i, c.Value, tt.counts[i])
				}
			}
		})
	}
}

func TestTable(t *testing.T) {
	tests := []struct {
		name           string
		counts         [][]int
		rowT, colT     bool
		threshold      int
		want           [][]string
		wantRow        []string
		wantCol        []string
		wantGrand      string
		extraComplemen int // -1: don't check
	}{
		{
			name: "subtraction in a row", counts: [][]int{{2, 10, 7}}, rowT: true,
			want: [][]string{{"<5", "10", "x"}}, wantRow: []string{"19"}, wantGrand: "19",
		},
		{
			name: "rows and columns: a 2×2 block", counts: [][]int{{2, 6, 7}, {8, 9, 10}}, rowT: true, colT: true,
			want:    [][]string{{"<5", "x", "7"}, {"x", "x", "10"}},
			wantRow: []string{"15", "27"}, wantCol: []string{"10", "15", "17"}, wantGrand: "42",
		},
		{
			name: "column totals only", counts: [][]int{{2, 6}, {8, 9}}, colT: true,
			want:    [][]string{{"<5", "6"}, {"x", "9"}},
			wantCol: []string{"10", "15"}, wantGrand: "25",
		},
		{
			name: "zeros", counts: [][]int{{0, 0}, {0, 3}}, rowT: true, colT: true,
			want:    [][]string{{"0", "0"}, {"0", "<5"}},
			wantRow: []string{"0", "<5"}, wantCol: []string{"0", "<5"}, wantGrand: "<5",
		},
		{
			name: "all small", counts: [][]int{{1, 2}, {3, 4}}, rowT: true, colT: true,
			want:    [][]string{{"<5", "<5"}, {"<5", "<5"}},
			wantRow: []string{"<5", "x"}, wantCol: []string{"<5", "x"}, wantGrand: "10",
		},
		{
			name: "grand total only", counts: [][]int{{2, 10}, {20, 30}},
			want: [][]string{{"<5", "x"}, {"20", "30"}}, wantGrand: "62",
		},
		{
			name: "one small row total against the grand total", counts: [][]int{{3, 0}, {20, 30}}, rowT: true,
			want:    [][]string{{"<5", "0"}, {"x", "30"}},
			wantRow: []string{"<5", "x"}, wantGrand: "53",
		},
		{
			name: "threshold 10", counts: [][]int{{9, 10}, {20, 30}}, rowT: true, colT: true, threshold: 10,
			want:    [][]string{{"<10", "x"}, {"x", "x"}},
			wantRow: []string{"19", "50"}, wantCol: []string{"29", "40"}, wantGrand: "69",
		},
		{
			name: "empty", counts: nil, rowT: true, colT: true,
			want: [][]string{}, wantRow: []string{}, wantCol: []string{}, wantGrand: "0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cells, rt, ct, g := Table(tt.counts, tt.rowT, tt.colT, tt.threshold)
			if got := grid(cells); !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("cells = %q, want %q", got, tt.want)
			}
			if tt.rowT != (rt != nil) || tt.colT != (ct != nil) {
				t.Fatalf("totals present: rows %v cols %v", rt != nil, ct != nil)
			}
			if got := strs(rt); tt.rowT && !slices.Equal(got, tt.wantRow) {
				t.Errorf("row totals = %q, want %q", got, tt.wantRow)
			}
			if got := strs(ct); tt.colT && !slices.Equal(got, tt.wantCol) {
				t.Errorf("column totals = %q, want %q", got, tt.wantCol)
			}
			if g.String() != tt.wantGrand {
				t.Errorf("grand = %q, want %q", g, tt.wantGrand)
			}
			checkTable(t, tt.counts, tt.rowT, tt.colT, normThreshold(tt.threshold), cells, rt, ct, g)
		})
	}
}

// Two 2×2 blocks of small cells joined by one small cell: every row and column has 0, 2 or 3
// suppressed cells, yet rows 0+1 minus columns 0+1 give cell (1,2). The audit must break it.
func TestTableJoinedBlocks(t *testing.T) {
	counts := [][]int{
		{1, 2, 50, 60},
		{3, 4, 1, 70},
		{80, 90, 2, 3},
		{55, 65, 4, 1},
	}
	cells, rt, ct, g := Table(counts, true, true, 0)
	checkTable(t, counts, true, true, DefaultThreshold, cells, rt, ct, g)
	n := 0
	for _, r := range cells {
		for _, c := range r {
			if c.Complementary() {
				n++
			}
		}
	}
	for _, c := range slices.Concat(rt, ct, []Cell{g}) {
		if c.Complementary() {
			n++
		}
	}
	if n == 0 {
		t.Errorf("no complementary suppression; cells %q", grid(cells))
	}
}

func TestPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"negative": func() { List([]int{1, -1}, true, 0) },
		"ragged":   func() { Table([][]int{{1, 2}, {3}}, true, true, 0) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// tableLines lists the additive relations of a displayed table, as (parts, total) pairs of
// cells: independent of the implementation's own bookkeeping.
func tableLines(cells [][]Cell, rt, ct []Cell, g Cell, rowT, colT bool) (lines [][]Cell, totals []Cell) {
	m := len(cells)
	n := 0
	if m > 0 {
		n = len(cells[0])
	}
	if rowT {
		for i := range m {
			lines, totals = append(lines, cells[i]), append(totals, rt[i])
		}
		lines, totals = append(lines, rt), append(totals, g)
	}
	if colT {
		for j := range n {
			col := make([]Cell, m)
			for i := range m {
				col[i] = cells[i][j]
			}
			lines, totals = append(lines, col), append(totals, ct[j])
		}
		lines, totals = append(lines, ct), append(totals, g)
	}
	if !rowT && !colT {
		var all []Cell
		for _, r := range cells {
			all = append(all, r...)
		}
		lines, totals = append(lines, all), append(totals, g)
	}
	return lines, totals
}

// checkTable asserts the properties every suppressed table has.
func checkTable(t *testing.T, counts [][]int, rowT, colT bool, thr int, cells [][]Cell, rt, ct []Cell, g Cell) {
	t.Helper()
	all := []Cell{g}
	for i, r := range cells {
		for j, c := range r {
			if c.Value != counts[i][j] {
				t.Fatalf("cell (%d,%d) Value %d, want %d", i, j, c.Value, counts[i][j])
			}
		}
		all = append(all, r...)
	}
	all = append(append(all, rt...), ct...)
	for _, c := range all {
		small := c.Value >= 1 && c.Value < thr
		if !c.Suppressed && small {
			t.Fatalf("shown value %d below threshold %d", c.Value, thr)
		}
		hiddenZero := c.Value == 0 && c.Suppressed
		if (small || hiddenZero) != (c.Below > 0) || (c.Below > 0 && c.Below != thr) {
			t.Fatalf("cell %+v: Below wrong for threshold %d", c, thr)
		}
		if c.Complementary() && c.Value == 0 {
			t.Fatalf("a zero was suppressed")
		}
	}
	lines, totals := tableLines(cells, rt, ct, g, rowT, colT)
	for k, l := range lines {
		sum := 0
		n := 0
		for _, c := range l {
			sum += c.Value
			if c.Suppressed {
				n++
			}
		}
		if sum != totals[k].Value {
			t.Fatalf("line %d sums to %d, total %d", k, sum, totals[k].Value)
		}
		if n == 1 && !totals[k].Suppressed {
			t.Fatalf("line %d %q with shown total %s has exactly one suppressed cell", k, strs(l), totals[k])
		}
	}
	if d := determined(cells, rt, ct, g, rowT, colT); d >= 0 {
		t.Fatalf("suppressed entry %d follows from the totals; cells %q row %q col %q grand %s", d, grid(cells), strs(rt), strs(ct), g)
	}
}

// determined returns the index (in the order: cells row by row, row totals, column totals,
// grand) of a suppressed entry whose value the linear system of shown totals fixes, or -1.
// It uses exact rational Gaussian elimination.
func determined(cells [][]Cell, rt, ct []Cell, g Cell, rowT, colT bool) int {
	var ptrs []*Cell
	for i := range cells {
		for j := range cells[i] {
			ptrs = append(ptrs, &cells[i][j])
		}
	}
	for i := range rt {
		ptrs = append(ptrs, &rt[i])
	}
	for i := range ct {
		ptrs = append(ptrs, &ct[i])
	}
	ptrs = append(ptrs, &g)
	unk := map[*Cell]int{}
	var order []int
	for k, p := range ptrs {
		if p.Suppressed {
			unk[p] = len(order)
			order = append(order, k)
		}
	}
	nu := len(order)
	if nu == 0 {
		return -1
	}
	// Lines again, but with pointers so that unknowns can be identified.
	var rows [][]*big.Rat
	addLine := func(parts []*Cell, total *Cell) {
		r := make([]*big.Rat, nu)
		for i := range r {
			r[i] = new(big.Rat)
		}
		for _, p := range parts {
			if k, ok := unk[p]; ok {
				r[k].Add(r[k], big.NewRat(1, 1))
			}
		}
		if k, ok := unk[total]; ok {
			r[k].Sub(r[k], big.NewRat(1, 1))
		}
		rows = append(rows, r)
	}
	m := len(cells)
	n := 0
	if m > 0 {
		n = len(cells[0])
	}
	at := func(i, j int) *Cell { return ptrs[i*n+j] }
	if rowT {
		var rts []*Cell
		for i := range m {
			var parts []*Cell
			for j := range n {
				parts = append(parts, at(i, j))
			}
			addLine(parts, ptrs[m*n+i])
			rts = append(rts, ptrs[m*n+i])
		}
		addLine(rts, ptrs[len(ptrs)-1])
	}
	if colT {
		off := m * n
		if rowT {
			off += m
		}
		var cts []*Cell
		for j := range n {
			var parts []*Cell
			for i := range m {
				parts = append(parts, at(i, j))
			}
			addLine(parts, ptrs[off+j])
			cts = append(cts, ptrs[off+j])
		}
		addLine(cts, ptrs[len(ptrs)-1])
	}
	if !rowT && !colT {
		addLine(ptrs[:m*n], ptrs[len(ptrs)-1])
	}
	// Reduced row echelon form.
	pivotOf := make([]int, nu) // column → pivot row, -1 if free
	for i := range pivotOf {
		pivotOf[i] = -1
	}
	r := 0
	for c := 0; c < nu && r < len(rows); c++ {
		p := -1
		for i := r; i < len(rows); i++ {
			if rows[i][c].Sign() != 0 {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		rows[r], rows[p] = rows[p], rows[r]
		inv := new(big.Rat).Inv(rows[r][c])
		for k := range nu {
			rows[r][k].Mul(rows[r][k], inv)
		}
		for i := range rows {
			if i == r || rows[i][c].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Set(rows[i][c])
			for k := range nu {
				rows[i][k].Sub(rows[i][k], new(big.Rat).Mul(f, rows[r][k]))
			}
		}
		pivotOf[c] = r
		r++
	}
	for c := range nu {
		pr := pivotOf[c]
		if pr < 0 {
			continue
		}
		free := true
		for k := range nu {
			if k != c && pivotOf[k] < 0 && rows[pr][k].Sign() != 0 {
				free = false
				break
			}
		}
		if free {
			return order[c]
		}
	}
	return -1
}

// bruteForce enumerates every table of non-negative integers that agrees with what is shown
// and reports a suppressed cell or total that has the same value in all of them. A reader
// knows that a shown value is that value, "x" is at least t, and "<t" is 1..t-1, or 0..t-1 in a
// row or column where a zero is hidden. A pinned entry all of whose rows and columns are
// suppressed entirely is only logged: nothing is left to hide. It gives up (ok=false) on large
// search spaces.
func bruteForce(t *testing.T, cells [][]Cell, rt, ct []Cell, g Cell, rowT, colT bool, thr int) (desc string, ok bool) {
	m := len(cells)
	n := len(cells[0])
	// Flat entries: cells row by row, row totals, column totals, grand.
	var es []Cell
	for _, r := range cells {
		es = append(es, r...)
	}
	rOff := len(es)
	es = append(es, rt...)
	cOff := len(es)
	es = append(es, ct...)
	gi := len(es)
	es = append(es, g)
	type line struct{ members []int } // parts and total
	var lines []line
	if rowT {
		var tots []int
		for i := range m {
			var l line
			for j := range n {
				l.members = append(l.members, i*n+j)
			}
			lines = append(lines, line{append(l.members, rOff+i)})
			tots = append(tots, rOff+i)
		}
		lines = append(lines, line{append(tots, gi)})
	}
	if colT {
		var tots []int
		for j := range n {
			var l line
			for i := range m {
				l.members = append(l.members, i*n+j)
			}
			lines = append(lines, line{append(l.members, cOff+j)})
			tots = append(tots, cOff+j)
		}
		lines = append(lines, line{append(tots, gi)})
	}
	if !rowT && !colT {
		var l line
		for k := range m * n {
			l.members = append(l.members, k)
		}
		lines = append(lines, line{append(l.members, gi)})
	}
	linesOf := make([][]int, len(es))
	for li, l := range lines {
		for _, k := range l.members {
			linesOf[k] = append(linesOf[k], li)
		}
	}
	lo, hi := make([]int, len(es)), make([]int, len(es))
	cap := g.Value + thr + 6
	for k, c := range es {
		switch {
		case !c.Suppressed:
			lo[k], hi[k] = c.Value, c.Value
		case c.Complementary():
			lo[k], hi[k] = thr, cap
		default:
			lo[k], hi[k] = 1, thr-1
			for _, li := range linesOf[k] {
				for _, o := range lines[li].members {
					if es[o].Suppressed && es[o].Value == 0 {
						lo[k] = 0
					}
				}
			}
		}
	}
	var us []int
	space := 1.0
	for k := range m * n {
		if es[k].Suppressed {
			us = append(us, k)
			space *= float64(hi[k] - lo[k] + 1)
		}
	}
	if space > 3e5 {
		return "", false
	}
	x := make([]int, len(es))
	seen := make([]map[int]bool, len(es))
	for k := range seen {
		seen[k] = map[int]bool{}
		x[k] = es[k].Value
	}
	var rec func(u int)
	rec = func(u int) {
		if u < len(us) {
			for v := lo[us[u]]; v <= hi[us[u]]; v++ {
				x[us[u]] = v
				rec(u + 1)
			}
			return
		}
		for k := m * n; k < len(es); k++ {
			x[k] = 0
		}
		for i := range m {
			for j := range n {
				v := x[i*n+j]
				if rowT {
					x[rOff+i] += v
				}
				if colT {
					x[cOff+j] += v
				}
				x[gi] += v
			}
		}
		for k := m * n; k < len(es); k++ {
			if x[k] < lo[k] || x[k] > hi[k] {
				return
			}
		}
		for k := range es {
			seen[k][x[k]] = true
		}
	}
	rec(0)
	for k, c := range es {
		if !c.Suppressed || len(seen[k]) >= 2 {
			continue
		}
		d := fmt.Sprintf("entry %d (value %d, possible %v)", k, c.Value, seen[k])
		exhausted := true
		for _, li := range linesOf[k] {
			for _, o := range lines[li].members {
				if !es[o].Suppressed {
					exhausted = false
				}
			}
		}
		if !exhausted {
			return d, true
		}
		t.Logf("nothing left to hide: %s; shown %q %q %q %s", d, grid(cells), strs(rt), strs(ct), g)
	}
	return "", true
}

// TestTableProperties runs the invariants on random tables: no shown value in 1..t-1; in every
// row or column whose total is shown, never exactly one suppressed cell; no suppressed value
// determined by the shown totals; and, for small tables, no suppressed value pinned by
// exhaustive search over all tables consistent with what is shown.
func TestTableProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 2023))
	iters := 4000
	if testing.Short() {
		iters = 500
	}
	brute := 0
	for it := range iters {
		m, n := 1+rng.IntN(5), 1+rng.IntN(5)
		if it%3 == 0 {
			m, n = 1+rng.IntN(3), 1+rng.IntN(3)
		}
		counts := make([][]int, m)
		for i := range counts {
			counts[i] = make([]int, n)
			for j := range counts[i] {
				switch rng.IntN(4) {
				case 0:
					counts[i][j] = 0
				case 1:
					counts[i][j] = 1 + rng.IntN(4)
				case 2:
					counts[i][j] = 5 + rng.IntN(6)
				default:
					counts[i][j] = rng.IntN(40)
				}
			}
		}
		rowT, colT := rng.IntN(3) > 0, rng.IntN(3) > 0
		thr := []int{0, 0, 0, 3, 10}[rng.IntN(5)]
		cells, rt, ct, g := Table(counts, rowT, colT, thr)
		name := fmt.Sprintf("it %d %v rows %v cols %v thr %d", it, counts, rowT, colT, thr)
		t.Run("", func(t *testing.T) {
			checkTable(t, counts, rowT, colT, normThreshold(thr), cells, rt, ct, g)
		})
		if t.Failed() {
			t.Fatal(name)
		}
		if m*n <= 6 {
			if d, ok := bruteForce(t, cells, rt, ct, g, rowT, colT, normThreshold(thr)); ok {
				brute++
				if d != "" {
					t.Fatalf("%s: %s is pinned; shown %q %q %q %s", name, d, grid(cells), strs(rt), strs(ct), g)
				}
			}
		}
	}
	if brute < iters/10 {
		t.Errorf("exhaustive check ran on only %d tables", brute)
	}
}

// TestListProperties: lists are tables of one row with a row total.
func TestListProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for range 2000 {
		counts := make([]int, rng.IntN(8))
		for i := range counts {
			counts[i] = []int{0, 1 + rng.IntN(4), 5 + rng.IntN(30)}[rng.IntN(3)]
		}
		cs, tot := List(counts, true, 0)
		cells := [][]Cell{cs}
		if len(counts) == 0 {
			continue
		}
		// As a table with the total shown as both row total and grand total.
		n := 0
		for _, c := range cs {
			if c.Suppressed {
				n++
			}
			if !c.Suppressed && c.Value >= 1 && c.Value < 5 {
				t.Fatalf("%v: shown small value", counts)
			}
		}
		if n == 1 && !tot.Suppressed {
			t.Fatalf("%v: one suppressed cell, total shown: %q %s", counts, strs(cs), tot)
		}
		if d := determined(cells, nil, nil, tot, false, false); d >= 0 {
			t.Fatalf("%v: entry %d determined: %q %s", counts, d, strs(cs), tot)
		}
		if len(counts) <= 5 {
			if d, ok := bruteForce(t, cells, nil, nil, tot, false, false, 5); ok && d != "" {
				t.Fatalf("%v: %s pinned: %q %s", counts, d, strs(cs), tot)
			}
		}
	}
}

// A large sparse table (municipalities × months) stays fast.
func BenchmarkTable300x12(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	counts := make([][]int, 300)
	for i := range counts {
		counts[i] = make([]int, 12)
		for j := range counts[i] {
			counts[i][j] = []int{0, 0, 0, 1, 2, 3, 6, 12}[rng.IntN(8)]
		}
	}
	for b.Loop() {
		Table(counts, true, true, 0)
	}
}
