package underreferral

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"kansrijk/internal/deprivation"
	"kansrijk/internal/municipality"
	"kansrijk/internal/outcome"
	"kansrijk/internal/suppress"
)

func months(first string, n int) []time.Time {
	t, err := time.Parse("2006-01", first)
	if err != nil {
		panic(err)
	}
	out := make([]time.Time, n)
	for j := range out {
		out[j] = t.AddDate(0, j, 0)
	}
	return out
}

// cells spreads per-month births and referrals sent of one municipality over the months.
func cells(nis string, ms []time.Time, births, sent []int) []outcome.Cell {
	var out []outcome.Cell
	for j, m := range ms {
		c := outcome.Cell{Month: m.Format("2006-01"), NIS: nis, Team: "team-a"}
		c.Births, c.Sent = births[j%len(births)], sent[j%len(sent)]
		out = append(out, c)
	}
	return out
}

func near(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	if got == nil || math.Abs(*got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %v, want %v", what, deref(got), want)
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func TestPoissonInterval(t *testing.T) {
	// Exact (Garwood) 95 % bounds from the chi-square tables: χ²(0.025; 2o)/2, χ²(0.975; 2o+2)/2.
	for _, tt := range []struct {
		o      int
		lo, hi float64
	}{{0, 0, 3.6889}, {1, 0.0253, 5.5716}, {2, 0.2422, 7.2247}, {4, 1.0899, 10.2416}, {10, 4.7954, 18.3904}, {30, 20.2409, 42.8269}, {200, 173.2896, 229.7125}} {
		if lo := PoissonLow(tt.o); math.Abs(lo-tt.lo) > 1e-3*math.Max(tt.lo, 1) {
			t.Errorf("PoissonLow(%d) = %.4f, want %.4f", tt.o, lo, tt.lo)
		}
		if hi := PoissonHigh(tt.o); math.Abs(hi-tt.hi) > 1e-3*tt.hi {
			t.Errorf("PoissonHigh(%d) = %.4f, want %.4f", tt.o, hi, tt.hi)
		}
	}
}

// TestArithmetic follows one quarter through the method by hand.
func TestArithmetic(t *testing.T) {
	ms := months("2025-01", 3)
	in := Input{Year: 2025, Months: ms,
		Areas: []Area{
			{NIS: "10001", Name: "Aa", Team: "team-a", Index: &Index{Year: 2024, Percent: 10}},
			{NIS: "10002", Name: "Bee", Team: "team-a", Index: &Index{Year: 2024, Percent: 20}},
			{NIS: "10003", Name: "Cee", Team: "team-b", Index: &Index{Year: 2024, Percent: 15}},
			{NIS: "10004", Name: "Dee", Team: "team-b", Index: &Index{Year: 2024, Percent: 10}},
			{NIS: "10005", Name: "Ee", Team: "team-b"},
		},
		InForce: func(nis string, day time.Time) bool { return nis != "10003" },
	}
	in.Cells = append(in.Cells, cells("10001", ms, []int{100}, []int{10})...) // 300 births, 30 sent
	in.Cells = append(in.Cells, cells("10002", ms, []int{100}, []int{0})...)  // 300 births, none sent
	in.Cells = append(in.Cells, cells("10003", ms, []int{50}, []int{0})...)   // no agreement
	in.Cells = append(in.Cells, cells("10004", ms, []int{10}, []int{0})...)   // 30 births: too few to tell
	in.Cells = append(in.Cells, cells("10005", ms, []int{20}, []int{0})...)   // no index
	rep := Build(in)
	if rep.From != "2025-01" || rep.To != "2025-03" || rep.Quarters != 1 {
		t.Fatalf("period %s–%s, %d quarters", rep.From, rep.To, rep.Quarters)
	}
	// R = 30 sent ÷ (300×0.10 + 300×0.20 + 30×0.10) deprived births.
	R := 30.0 / 93
	near(t, "reference rate", rep.ReferenceRate, R)
	row := map[string]Row{}
	for _, r := range rep.Municipalities {
		row[r.NIS] = r
	}
	a := row["10001"]
	near(t, "Aa deprived", a.DeprivedBirths, 30)
	near(t, "Aa expected", a.Expected, 30*R)
	near(t, "Aa ratio", a.Ratio, 30/(30*R))
	// 30 shown is 28–32; 300 births shown is 298–302.
	near(t, "Aa low", a.Low, PoissonLow(28)/(0.1*302*R))
	near(t, "Aa high", a.High, PoissonHigh(32)/(0.1*298*R))
	if a.Flag != FlagMore || a.Agreement != AgreementInForce || a.Births.String() != "300" || a.Sent.String() != "30" {
		t.Errorf("Aa %+v", a)
	}
	b := row["10002"]
	near(t, "Bee ratio", b.Ratio, 0)
	near(t, "Bee high", b.High, PoissonHigh(0)/(0.2*298*R))
	if b.Flag != FlagFarFewer {
		t.Errorf("Bee flag %s, want far_fewer (high %v)", b.Flag, deref(b.High))
	}
	if c := row["10003"]; c.Flag != FlagNoAgreement || c.Agreement != AgreementNone || c.Expected != nil || c.Births.String() != "150" {
		t.Errorf("Cee %+v", c)
	}
	// Dee: expected below 1, nothing sent: the interval holds 1, not flagged.
	if d := row["10004"]; d.Flag != FlagAsExpected || *d.High < 1 {
		t.Errorf("Dee flag %s high %v: a small municipality is not flagged on noise", d.Flag, deref(d.High))
	}
	if e := row["10005"]; e.Flag != FlagNoIndex {
		t.Errorf("Ee flag %s", e.Flag)
	}
	if rep.Flagged != 1 || rep.Municipalities[0].NIS != "10002" {
		t.Errorf("flagged %d, first %s: the far-fewer municipality ranks first", rep.Flagged, rep.Municipalities[0].NIS)
	}
	// Teams sum their municipalities' published figures.
	var ta Row
	for _, tr := range rep.Teams {
		if tr.Team == "team-a" {
			ta = tr
		}
	}
	if ta.Births.String() != "600" || ta.Sent.String() != "30" {
		t.Errorf("team-a %+v", ta)
	}
	near(t, "team-a expected", ta.Expected, 90*R)
	near(t, "team-a ratio", ta.Ratio, 30/(90*R))
}

// TestSmallCounts: a quarter with 1–4 referrals is "<5"; the interval takes 0–4, the ratio is
// not shown; a big municipality with "<5" referrals is still flagged.
func TestSmallCounts(t *testing.T) {
	ms := months("2025-01", 3)
	in := Input{Year: 2025, Months: ms, InForce: func(string, time.Time) bool { return true },
		Areas: []Area{
			{NIS: "10001", Name: "Groot", Index: &Index{Percent: 20}},
			{NIS: "10002", Name: "Ander", Index: &Index{Percent: 10}},
			{NIS: "10003", Name: "Derde", Index: &Index{Percent: 10}},
		}}
	in.Cells = append(in.Cells, cells("10001", ms, []int{400}, []int{1, 0, 1})...) // 2 sent: "<5"
	in.Cells = append(in.Cells, cells("10002", ms, []int{400}, []int{40})...)
	in.Cells = append(in.Cells, cells("10003", ms, []int{400}, []int{40})...)
	rep := Build(in)
	var g Row
	for _, r := range rep.Municipalities {
		if r.NIS == "10001" {
			g = r
		}
	}
	if g.Sent.String() != "<5" || g.Ratio != nil {
		t.Fatalf("Groot sent %s ratio %v", g.Sent, deref(g.Ratio))
	}
	// The quarter list hides Groot's "<5" and, so that it cannot be recovered from the Flemish
	// total, one of the others' 120 as "x": R comes from Groot (2.5 for "<5") and the other.
	R := (2.5 + 120) / (0.2*1200 + 0.1*1200)
	near(t, "reference rate", rep.ReferenceRate, R)
	near(t, "Groot high", g.High, PoissonHigh(4)/(0.2*1198*R))
	if g.Flag != FlagFarFewer {
		t.Errorf("Groot flag %s", g.Flag)
	}
	// The JSON never holds a true small count.
	js, _ := json.Marshal(g)
	var m map[string]any
	_ = json.Unmarshal(js, &m)
	if m["sent"] != "<5" {
		t.Errorf("sent in JSON %v", m["sent"])
	}
}

func TestIndexes(t *testing.T) {
	reg := municipality.MustLoad()
	// 46030 Beveren-Kruibeke-Zwijndrecht from 46003 Beveren, 46013 Kruibeke, 11056 Zwijndrecht.
	preds := reg.Predecessors("46030")
	if len(preds) != 3 {
		t.Fatalf("predecessors of 46030: %d", len(preds))
	}
	ip := func(v int) *int { return &v }
	var vals []deprivation.Value
	births := []int{300, 200, 100}
	deprived := []int{30, 10, 5}
	for i, p := range preds {
		vals = append(vals, deprivation.Value{NIS: p.NIS, Year: 2024, Percent: 100 * float64(deprived[i]) / float64(births[i]), Births: ip(births[i]), Deprived: ip(deprived[i])})
	}
	vals = append(vals, deprivation.Value{NIS: "13016", Year: 2024, Percent: 7.5})
	got := Indexes(reg, 2025, []string{"46030", "13016", "44021"}, vals)
	if x := got["46030"]; x == nil || !x.Combined || x.Percent != 7.5 || *x.Births != 600 || *x.Deprived != 45 || x.Year != 2024 {
		t.Errorf("46030: %+v", x)
	}
	if x := got["13016"]; x == nil || x.Combined || x.Percent != 7.5 {
		t.Errorf("13016: %+v", x)
	}
	if x := got["44021"]; x != nil {
		t.Errorf("44021 has no figure: %+v", x)
	}
	// A part missing: no index.
	if x := Indexes(reg, 2025, []string{"46030"}, vals[1:])["46030"]; x != nil {
		t.Errorf("46030 with a part missing: %+v", x)
	}
}

// published is every count a report shows, with the set of (municipality, month) atoms it
// covers: a municipality's year, and a team's.
type published struct {
	atoms map[string]bool
	shown suppress.Cell
	where string
}

func shownCounts(rep Report, areas []Area, monthsIn []time.Time) []published {
	var out []published
	atom := func(nis string) map[string]bool {
		m := map[string]bool{}
		for _, mo := range monthsIn {
			m[nis+"/"+mo.Format("2006-01")] = true
		}
		return m
	}
	for _, r := range rep.Municipalities {
		out = append(out, published{atom(r.NIS), r.Sent, fmt.Sprintf("%d %s sent", rep.Year, r.NIS)})
	}
	for _, tr := range rep.Teams {
		all := map[string]bool{}
		for _, a := range areas {
			if a.Team == tr.Team {
				for k := range atom(a.NIS) {
					all[k] = true
				}
			}
		}
		out = append(out, published{all, tr.Sent, fmt.Sprintf("%d %s sent", rep.Year, tr.Team)})
	}
	return out
}

// TestDifferencingAttack: over random data, reports for every window a caller can ask for (a
// whole year, and the first quarters of a year still running) and the team rows: no two shown
// counts over nested sets of municipalities and months differ by 1 to 4, and changing a hidden
// small count within 1–4 changes nothing in any report.
func TestDifferencingAttack(t *testing.T) {
	rnd := rand.New(rand.NewPCG(13, 2025))
	same := 0
	for trial := range 40 {
		var areas []Area
		for i := range 6 + rnd.IntN(6) {
			areas = append(areas, Area{NIS: fmt.Sprintf("1%04d", i), Name: fmt.Sprint("M", i), Team: fmt.Sprint("team-", i%3), Index: &Index{Percent: 5 + 20*rnd.Float64()}})
		}
		ms := months("2025-01", 12)
		var cs []outcome.Cell
		for _, a := range areas {
			for _, m := range ms {
				c := outcome.Cell{Month: m.Format("2006-01"), NIS: a.NIS}
				c.Births = rnd.IntN(30)
				switch rnd.IntN(3) {
				case 0:
				case 1:
					c.Sent = 1 + rnd.IntN(2)
				default:
					c.Sent = rnd.IntN(12)
				}
				cs = append(cs, c)
			}
		}
		inForce := func(string, time.Time) bool { return true }
		run := func(cs []outcome.Cell, n int) Report {
			return Build(Input{Year: 2025, Months: ms[:n], Areas: areas, Cells: cs, InForce: inForce})
		}
		var shown []published
		for _, n := range []int{3, 6, 9, 12} {
			shown = append(shown, shownCounts(run(cs, n), areas, ms[:n])...)
		}
		for i, a := range shown {
			for _, b := range shown[i+1:] {
				if a.shown.Suppressed || b.shown.Suppressed {
					continue
				}
				if d := a.shown.Value - b.shown.Value; d != 0 && d >= -4 && d <= 4 && (sub(a.atoms, b.atoms) || sub(b.atoms, a.atoms)) {
					t.Fatalf("trial %d: %s (%d) and %s (%d) differ by %d", trial, a.where, a.shown.Value, b.where, b.shown.Value, d)
				}
			}
		}
		// A hidden small count: make it another small count. When the quarters publish the same
		// (the suppression pattern may depend on the counts, as internal/suppress says), the
		// report is the same: everything in it is computed from the published quarters.
		full := run(cs, 12)
		before, _ := json.Marshal(full)
		changed := append([]outcome.Cell(nil), cs...)
		done := map[string]bool{}
		for k, c := range changed {
			key := c.NIS + quarterOf(c.Month)
			q := sumQuarter(cs, c)
			if done[key] || q < 1 || q > 4 || c.Sent == 0 {
				continue
			}
			done[key] = true
			if c.Sent == 1 && q < 4 {
				changed[k].Sent = 2
			} else if c.Sent > 1 {
				changed[k].Sent--
			}
		}
		if !samePublished(areas, ms, cs, changed) {
			continue
		}
		same++
		after, _ := json.Marshal(run(changed, 12))
		if string(before) != string(after) {
			t.Fatalf("trial %d: a hidden small count changed the report\n%s\n%s", trial, before, after)
		}
	}
	if same < 10 {
		t.Errorf("only %d trials published the same quarters", same)
	}
}

// samePublished reports whether two sets of cells publish the same quarters.
func samePublished(areas []Area, ms []time.Time, a, b []outcome.Cell) bool {
	tables := func(cs []outcome.Cell) string {
		births := make([][]int, len(areas))
		sent := make([][]int, len(areas))
		for i, ar := range areas {
			births[i], sent[i] = make([]int, len(ms)), make([]int, len(ms))
			for _, c := range cs {
				if c.NIS != ar.NIS {
					continue
				}
				for j, m := range ms {
					if m.Format("2006-01") == c.Month {
						births[i][j] += c.Births
						sent[i][j] += c.Sent
					}
				}
			}
		}
		bq, sq := publish(births, sent, ms)
		return fmt.Sprint(bq, sq)
	}
	return tables(a) == tables(b)
}

func quarterOf(month string) string {
	m, _ := time.Parse("2006-01", month)
	return fmt.Sprintf("%d-Q%d", m.Year(), (int(m.Month())+2)/3)
}

// sumQuarter is the referrals sent of c's municipality in c's quarter.
func sumQuarter(cs []outcome.Cell, c outcome.Cell) int {
	m, _ := time.Parse("2006-01", c.Month)
	q := (int(m.Month()) - 1) / 3
	n := 0
	for _, x := range cs {
		xm, _ := time.Parse("2006-01", x.Month)
		if x.NIS == c.NIS && xm.Year() == m.Year() && (int(xm.Month())-1)/3 == q {
			n += x.Sent
		}
	}
	return n
}

func sub(a, b map[string]bool) bool {
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}
