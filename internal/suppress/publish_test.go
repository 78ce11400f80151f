package suppress

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func month(s string) time.Time {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestRound(t *testing.T) {
	for v, want := range map[int]string{0: "0", 5: "5", 6: "5", 7: "5", 8: "10", 12: "10", 13: "15", 102: "100", 103: "105"} {
		if got := Round(Cell{Value: v}); got.String() != want || got.Value != got.Value/Base*Base {
			t.Errorf("Round(%d) = %v, want %s", v, got, want)
		}
	}
	for _, c := range []Cell{{Value: 3, Suppressed: true, Below: 5}, {Value: 9, Suppressed: true}} {
		if Round(c) != c {
			t.Errorf("Round(%+v) = %+v: a suppressed cell stays", c, Round(c))
		}
	}
}

func TestSum(t *testing.T) {
	small, x := Cell{Value: 2, Suppressed: true, Below: 5}, Cell{Value: 9, Suppressed: true}
	tests := []struct {
		parts []Cell
		want  string
	}{
		{nil, "0"},
		{[]Cell{{Value: 5}, {Value: 10}, {}}, "15"},
		{[]Cell{{}, small, {}}, "<5"},
		{[]Cell{small, small}, "x"},
		{[]Cell{{Value: 5}, small}, "x"},
		{[]Cell{x, {}}, "x"},
		{[]Cell{x, small}, "x"},
	}
	for _, tt := range tests {
		if got := Sum(tt.parts).String(); got != tt.want {
			t.Errorf("Sum(%v) = %s, want %s", strs(tt.parts), got, tt.want)
		}
	}
}

func TestQuarters(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for today, want := range map[string]string{"2026-03-02": "2025-12", "2026-04-01": "2026-03", "2026-12-31": "2026-09"} {
		if got := LastQuarter(day(today), 0).Format("2006-01"); got != want {
			t.Errorf("LastQuarter(%s) = %s, want %s", today, got, want)
		}
	}
	if got := LastQuarter(day("2026-04-15"), 15).Format("2006-01"); got != "2025-12" {
		t.Errorf("settling 15 days on 15 April: %s, want 2025-12", got)
	}
	if got := LastQuarter(day("2026-04-16"), 15).Format("2006-01"); got != "2026-03" {
		t.Errorf("settled on 16 April: %s, want 2026-03", got)
	}
	last := month("2025-12")
	tests := []struct {
		from, to, wantFrom, wantTo string
		ok                         bool
	}{
		{"2024-02", "2024-02", "2024-01", "2024-03", true},
		{"2024-03", "2024-04", "2024-01", "2024-06", true},
		{"2025-05", "2026-03", "2025-04", "2025-12", true},
		{"2026-01", "2026-02", "", "", false},
	}
	for _, tt := range tests {
		f, to, ok := Quarters(month(tt.from), month(tt.to), last)
		if ok != tt.ok || ok && (f.Format("2006-01") != tt.wantFrom || to.Format("2006-01") != tt.wantTo) {
			t.Errorf("Quarters(%s, %s) = %s, %s, %v", tt.from, tt.to, f.Format("2006-01"), to.Format("2006-01"), ok)
		}
	}
}

// A publisher is what a report shows for the months from..to of a table of
// counts (rows × months): every number with the set of (row, month) atoms
// it covers.
type published struct {
	atoms []bool // row*months + month
	shown string
	where string
}

type publisher func(counts [][]int, months []time.Time, from, to int) []published

// byQuarterReport is a report as the API builds it: the window widened to
// quarters, then ByQuarter, with a row total per row, a total per month
// and a grand total.
func byQuarterReport(counts [][]int, months []time.Time, from, to int) []published {
	from -= from % 3
	to += 2 - to%3
	sub := make([][]int, len(counts))
	for i, r := range counts {
		sub[i] = r[from : to+1]
	}
	cells, rowTot, colTot, grand := ByQuarter(sub, months[from:to+1])
	return layout(len(counts), len(months), from, to, cells, rowTot, colTot, grand)
}

// windowedReport is the report as it was: one Table over the months asked
// for.
func windowedReport(counts [][]int, months []time.Time, from, to int) []published {
	sub := make([][]int, len(counts))
	for i, r := range counts {
		sub[i] = r[from : to+1]
	}
	cells, rowTot, colTot, grand := Table(sub, true, true, 0)
	return layout(len(counts), len(months), from, to, cells, rowTot, colTot, grand)
}

func layout(rows, n, from, to int, cells [][]Cell, rowTot, colTot []Cell, grand Cell) []published {
	set := func(rs []int, j0, j1 int) []bool {
		a := make([]bool, rows*n)
		for _, i := range rs {
			for j := j0; j <= j1; j++ {
				a[i*n+j] = true
			}
		}
		return a
	}
	all := make([]int, rows)
	for i := range all {
		all[i] = i
	}
	w := fmt.Sprintf("window %d..%d", from, to)
	var out []published
	for i := range cells {
		for j, c := range cells[i] {
			out = append(out, published{set([]int{i}, from+j, from+j), c.String(), fmt.Sprintf("%s cell %d,%d", w, i, from+j)})
		}
		out = append(out, published{set([]int{i}, from, to), rowTot[i].String(), fmt.Sprintf("%s row %d", w, i)})
	}
	for j, c := range colTot {
		out = append(out, published{set(all, from+j, from+j), c.String(), fmt.Sprintf("%s month %d", w, from+j)})
	}
	return append(out, published{set(all, from, to), grand.String(), w + " total"})
}

// everyWindow publishes every window from..to within the months.
func everyWindow(pub publisher, counts [][]int, months []time.Time) []published {
	var out []published
	for from := range months {
		for to := from; to < len(months) && to-from < 24; to++ {
			out = append(out, pub(counts, months, from, to)...)
		}
	}
	return out
}

func atomKey(a []bool) string {
	var b strings.Builder
	for _, x := range a {
		if x {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

func subset(a, b []bool) bool {
	for i := range a {
		if a[i] && !b[i] {
			return false
		}
	}
	return true
}

// differencing returns what an attacker subtracting shown numbers learns:
// a pair of numbers over nested sets of atoms whose difference is 1 to 4,
// or one set shown as two different things.
func differencing(shown []published) (string, bool) {
	seen := map[string]bool{}
	bySet := map[string]published{}
	var distinct []published
	for _, s := range shown {
		k := atomKey(s.atoms)
		if prev, ok := bySet[k]; ok && prev.shown != s.shown {
			return fmt.Sprintf("%s (%s) and %s (%s) count the same families", prev.shown, prev.where, s.shown, s.where), true
		}
		bySet[k] = s
		if !seen[k+s.shown] {
			seen[k+s.shown] = true
			distinct = append(distinct, s)
		}
	}
	for i, a := range distinct {
		var av, bv int
		if _, err := fmt.Sscan(a.shown, &av); err != nil {
			continue
		}
		for _, b := range distinct[i+1:] {
			if _, err := fmt.Sscan(b.shown, &bv); err != nil {
				continue
			}
			if d := av - bv; d != 0 && d >= -4 && d <= 4 && (subset(a.atoms, b.atoms) || subset(b.atoms, a.atoms)) {
				return fmt.Sprintf("%d (%s) and %d (%s) cover nested sets: their difference %d is a hidden small count", av, a.where, bv, b.where, d), true
			}
		}
	}
	return "", false
}

func randomCounts(rnd *rand.Rand, rows, n int) [][]int {
	counts := make([][]int, rows)
	for i := range counts {
		counts[i] = make([]int, n)
		for j := range counts[i] {
			switch rnd.IntN(3) {
			case 0:
			case 1:
				counts[i][j] = 1 + rnd.IntN(4)
			default:
				counts[i][j] = 1 + rnd.IntN(15)
			}
		}
	}
	return counts
}

func monthsFrom(first string, n int) []time.Time {
	out := make([]time.Time, n)
	for j := range out {
		out[j] = month(first).AddDate(0, j, 0)
	}
	return out
}

// TestDifferencingAttack: every window of at most 24 months over 24
// months of random counts (every window the API accepts once the quarters
// have ended), every number shown: two numbers over nested sets never
// differ by 1 to 4, and a set of families is always shown the same way.
// The same attack recovers small counts from the report as it was (one
// table over the months asked for).
func TestDifferencingAttack(t *testing.T) {
	months := monthsFrom("2024-01", 24)
	broken := 0
	for seed := range uint64(20) {
		rnd := rand.New(rand.NewPCG(seed, 10))
		counts := randomCounts(rnd, 2+rnd.IntN(5), len(months))
		if msg, found := differencing(everyWindow(byQuarterReport, counts, months)); found {
			t.Fatalf("seed %d: %s\ncounts %v", seed, msg, counts)
		}
		if _, found := differencing(everyWindow(windowedReport, counts, months)); found {
			broken++
		}
	}
	t.Logf("the attack recovered small counts from %d of 20 tables protected per window, from none protected per quarter", broken)
	if broken < 15 {
		t.Errorf("the attack recovered small counts from only %d of 20 tables protected per window: the test is too weak", broken)
	}
	// The demo's case: a 1 and a 2 hidden next to larger counts.
	counts := [][]int{{1, 9, 0, 7, 8, 6}, {2, 6, 8, 0, 9, 12}}
	if msg, found := differencing(everyWindow(windowedReport, counts, months[:6])); !found {
		t.Error("the 1 and the 2 of the demo were not recovered from per-window tables")
	} else {
		t.Logf("per window: %s", msg)
	}
	if msg, found := differencing(everyWindow(byQuarterReport, counts, months[:6])); found {
		t.Error(msg)
	}
}

// constraint is what one shown number tells a reader: the counts of its
// atoms add up to lo..hi.
type constraint struct {
	atoms  []int
	lo, hi int
	where  string
}

// constraints are what every window shown tells a reader about the counts
// (rows × n months): a shown count v is v-2..v+2 (5 is 5..7, 0 is 0), or
// v-2k..v+2k when it adds up k quarters' rounded counts, "<5"
// is 1..4 (0..4 for the hidden zeros of the last resort), "x" at least 5
// within a quarter (a complementary suppression) and at least 1 over
// several.
func constraints(shown []published, counts [][]int, n int) []constraint {
	seen := map[string]bool{}
	var out []constraint
	for _, p := range shown {
		k := atomKey(p.atoms) + p.shown
		if seen[k] {
			continue
		}
		seen[k] = true
		c := constraint{where: p.where}
		truth := 0
		first, last := -1, -1
		for a, in := range p.atoms {
			if in {
				c.atoms = append(c.atoms, a)
				truth += counts[a/n][a%n]
				if first < 0 {
					first = a % n
				}
				last = max(last, a%n)
			}
		}
		switch p.shown {
		case "<5":
			c.lo, c.hi = min(1, truth), 4
		case "x":
			c.lo, c.hi = 1, 1<<30
			if first/3 == last/3 {
				c.lo = 5
			}
		default: // a sum of k quarters' rounded counts
			var v int
			fmt.Sscan(p.shown, &v)
			k := last/3 - first/3 + 1
			c.lo, c.hi = max(v-2*k, 0), v+2*k
			if v == 0 || v == 5 && k == 1 {
				c.lo = v
			}
		}
		out = append(out, c)
	}
	return out
}

func satisfies(counts [][]int, n int, cs []constraint) (string, bool) {
	for _, c := range cs {
		s := 0
		for _, a := range c.atoms {
			s += counts[a/n][a%n]
		}
		if s < c.lo || s > c.hi {
			return fmt.Sprintf("%s: %d not in %d..%d", c.where, s, c.lo, c.hi), false
		}
	}
	return "", true
}

// TestHiddenCountsStayUncertain: for every count hidden anywhere (a cell
// or a total shown as "<5" or "x"), there is another table of counts,
// differing in that count, that agrees with every number of every window
// shown: a reader who sees every window cannot tell which of the two is
// true.
func TestHiddenCountsStayUncertain(t *testing.T) {
	months := monthsFrom("2024-01", 24)
	for seed := range uint64(12) {
		rnd := rand.New(rand.NewPCG(seed, 11))
		rows := 2 + rnd.IntN(5)
		counts := randomCounts(rnd, rows, len(months))
		n := len(months)
		shown := everyWindow(byQuarterReport, counts, months)
		cs := constraints(shown, counts, n)
		if msg, ok := satisfies(counts, n, cs); !ok {
			t.Fatalf("seed %d: the true counts break what is shown: %s", seed, msg)
		}
		// Every hidden number of one quarter: cells, a municipality's
		// quarter total, a month's total, the quarter's total. (A hidden
		// total over several quarters is made of these.)
		hidden := map[string][]int{}
		for _, p := range shown {
			if p.shown != "<5" && p.shown != "x" {
				continue
			}
			var atoms []int
			for a, in := range p.atoms {
				if in {
					atoms = append(atoms, a)
				}
			}
			if atoms[0]%n/3 == atoms[len(atoms)-1]%n/3 {
				hidden[atomKey(p.atoms)] = atoms
			}
		}
		sum := func(c [][]int, atoms []int) int {
			s := 0
			for _, a := range atoms {
				s += c[a/n][a%n]
			}
			return s
		}
		cells := 0
		for _, atoms := range hidden {
			if len(atoms) == 1 {
				cells++
			}
			truth := sum(counts, atoms)
			try := func(moves ...[3]int) bool {
				alt := make([][]int, rows)
				for r := range counts {
					alt[r] = slices.Clone(counts[r])
				}
				for _, m := range moves {
					alt[m[0]][m[1]] += m[2]
					if alt[m[0]][m[1]] < 0 {
						return false
					}
				}
				if sum(alt, atoms) == truth {
					return false
				}
				_, ok := satisfies(alt, n, cs)
				return ok
			}
			found := false
		search:
			for _, anchor := range atoms {
				i, j := anchor/n, anchor%n
				q := j - j%3
				for _, d := range []int{1, -1, 2, -2, 3, -3} {
					if found = try([3]int{i, j, d}); found {
						break search
					}
					for j2 := q; j2 < q+3; j2++ {
						for i2 := range rows {
							switch {
							case j2 == j && i2 == i:
							case i2 == i:
								found = try([3]int{i, j, d}, [3]int{i, j2, -d})
							case j2 == j:
								found = try([3]int{i, j, d}, [3]int{i2, j, -d})
							default:
								found = try([3]int{i, j, d}, [3]int{i, j2, -d}, [3]int{i2, j, -d}, [3]int{i2, j2, d}) ||
									try([3]int{i, j, d}, [3]int{i, j2, -d}, [3]int{i2, j, -d})
							}
							if found {
								break search
							}
						}
					}
				}
			}
			if !found {
				t.Errorf("seed %d: the hidden count %d of %d cells (%v) is the only one consistent with every window\ncounts %v", seed, truth, len(atoms), atoms, counts)
			}
		}
		t.Logf("seed %d: %d rows, %d hidden numbers (%d cells), each consistent with another true value", seed, rows, len(hidden), cells)
	}
}
