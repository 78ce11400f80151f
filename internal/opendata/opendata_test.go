package opendata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"kansrijk/internal/outcome"
	"kansrijk/internal/suppress"
)

func month(s string) time.Time {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		panic(err)
	}
	return t
}

func cell(m, nis string, sent, reached int, outcomes, rights map[string]int) outcome.Cell {
	return outcome.Cell{Month: m, NIS: nis, Team: "t", OCMW: "o", Counts: outcome.Counts{Sent: sent, Drafted: sent, Received: sent, Reached: reached,
		Outcomes: outcomes, Rights: rights}}
}

func rowOf(t *testing.T, st Statistics, typ, period, nis string) Row {
	t.Helper()
	for _, r := range st.Rows {
		if r.PeriodType == typ && r.Period == period && r.NIS == nis {
			return r
		}
	}
	t.Fatalf("no %s row %s for %s", typ, period, nis)
	return Row{}
}

func TestOpenStatsBuildShape(t *testing.T) {
	cells := []outcome.Cell{
		cell("2024-01", "11002", 20, 12, map[string]int{"rights_opened": 9, "declined": 3}, map[string]int{"leefloon": 6, "groeipakket_social": 8}),
		cell("2024-02", "11002", 23, 20, map[string]int{"rights_opened": 17}, map[string]int{"leefloon": 11}),
		cell("2024-03", "11002", 31, 25, nil, nil),
		cell("2024-01", "44021", 2, 1, map[string]int{"declined": 1}, nil), // small: hidden
		cell("2024-02", "44021", 40, 33, nil, nil),
		cell("2024-03", "44021", 18, 15, nil, nil),
		cell("2024-05", "11002", 11, 9, nil, nil),
		cell("2023-12", "11002", 99, 99, nil, nil), // outside the window
	}
	in := Input{From: month("2024-01"), To: month("2024-06"), Cells: cells,
		InForce: map[string]map[string]bool{"2024-03": {"11002": true}, "2024-06": {"11002": true, "71066": true}},
		Place: func(nis string) (Place, bool) {
			return map[string]Place{"11002": {"Antwerpen", "Antwerpen"}, "44021": {"Gent", "Oost-Vlaanderen"}}[nis], nis != "71066"
		}}
	st := Build(in)
	if st.From != "2024-01" || st.To != "2024-06" || st.ProtectedPer != "quarter" || st.RoundedTo != 5 || len(st.Quarters) != 2 {
		t.Fatalf("header: %+v", st)
	}
	if got := st.Quarters[1]; got.Quarter != "2024-Q2" || strings.Join(got.Months, ",") != "2024-04,2024-05,2024-06" {
		t.Errorf("quarter 2: %+v", got)
	}
	// 3 municipalities (one only for its agreement) + Flanders: 6 months, 2 quarters, 1 window each.
	if want := 4 * (6 + 2 + 1); len(st.Rows) != want {
		t.Fatalf("%d rows, want %d", len(st.Rows), want)
	}
	r := rowOf(t, st, PeriodMonth, "2024-01", "11002")
	// 20 is shown or hidden to protect Ghent's 2 of the same month ("x"), never as itself.
	if r.Name != "Antwerpen" || r.Quarter != "2024-Q1" || (r.ReferralsSent.String() != "20" && r.ReferralsSent.String() != "x") || r.Rights["leefloon"].String() != "5" {
		t.Errorf("month row: %+v sent %s", r, r.ReferralsSent)
	}
	if r := rowOf(t, st, PeriodMonth, "2024-02", "11002"); r.ReferralsSent.String() != "25" {
		t.Errorf("23 shown as %s, want 25", r.ReferralsSent)
	}
	if r := rowOf(t, st, PeriodMonth, "2024-01", "44021"); r.ReferralsSent.String() != "<5" || r.Outcomes["declined"].String() != "<5" {
		t.Errorf("small counts shown: sent %s declined %s", r.ReferralsSent, r.Outcomes["declined"])
	}
	// Every shown count is a multiple of 5.
	for _, r := range st.Rows {
		for name, c := range r.counts() {
			if !c.Suppressed && c.Value%5 != 0 {
				t.Errorf("%s %s %s %s = %d: not rounded", r.PeriodType, r.Period, r.NIS, name, c.Value)
			}
		}
	}
	// Agreements in force: on the last day of the period.
	if r := rowOf(t, st, PeriodQuarter, "2024-Q1", "11002"); r.AgreementsInForce != 1 {
		t.Errorf("Q1 in force %d", r.AgreementsInForce)
	}
	if r := rowOf(t, st, PeriodMonth, "2024-02", "11002"); r.AgreementsInForce != 0 {
		t.Errorf("February in force %d", r.AgreementsInForce)
	}
	if r := rowOf(t, st, PeriodWindow, "2024-01/2024-06", FlandersNIS); r.AgreementsInForce != 2 || r.Name != "Vlaanderen" {
		t.Errorf("Flanders window: %+v", r)
	}
	if r := rowOf(t, st, PeriodWindow, "2024-01/2024-06", "71066"); r.Name != "71066" || r.ReferralsSent.String() != "0" {
		t.Errorf("unknown municipality: %+v", r)
	}
	// The window total is the sum of the published quarters.
	q1, q2, w := rowOf(t, st, PeriodQuarter, "2024-Q1", "11002"), rowOf(t, st, PeriodQuarter, "2024-Q2", "11002"), rowOf(t, st, PeriodWindow, "2024-01/2024-06", "11002")
	if w.ReferralsSent != suppress.Sum([]suppress.Cell{q1.ReferralsSent, q2.ReferralsSent}) {
		t.Errorf("window %s != %s + %s", w.ReferralsSent, q1.ReferralsSent, q2.ReferralsSent)
	}
}

// counts names every count of families in a row.
func (r Row) counts() map[string]suppress.Cell {
	m := map[string]suppress.Cell{"referrals_sent": r.ReferralsSent, "referrals_reached": r.ReferralsReached}
	for k, v := range r.Outcomes {
		m["outcome_"+k] = v
	}
	for k, v := range r.Rights {
		m["right_"+k] = v
	}
	return m
}

// randomCells makes counts for n municipalities over the months from..to, many of them
// small, some municipalities with nothing in some quarters.
func randomCells(rng *rand.Rand, n int, from, to time.Time) []outcome.Cell {
	var cells []outcome.Cell
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		for i := range n {
			if rng.IntN(4) == 0 {
				continue
			}
			sent := rng.IntN(12)
			if rng.IntN(3) == 0 {
				sent = rng.IntN(40)
			}
			reached := rng.IntN(sent + 1)
			opened := rng.IntN(reached + 1)
			cells = append(cells, cell(m.Format("2006-01"), fmt.Sprintf("%05d", 11001+i), sent, reached,
				map[string]int{"rights_opened": opened, "declined": reached - opened, "not_reachable": sent - reached},
				map[string]int{"leefloon": rng.IntN(opened + 1), "groeipakket_social": rng.IntN(opened + 1)}))
		}
	}
	return cells
}

// atomsOf is the set of (municipality, month) a row counts.
func atomsOf(r Row, all []string) []string {
	var nis []string
	if r.NIS == FlandersNIS {
		nis = all
	} else {
		nis = []string{r.NIS}
	}
	var out []string
	for _, n := range nis {
		for _, m := range r.Months {
			out = append(out, n+"@"+m)
		}
	}
	return out
}

// TestOpenStatsDifferencingAttack asks for every window of whole quarters over two years
// (every from and to month a caller may send is widened to one of these) and attacks the
// answers: every number shown is labelled with the measure and the set of (municipality,
// month) counts it covers. It fails when the same set is ever shown two ways (so that two
// windows would tell more than one), when two numbers over nested sets of one measure differ
// by 1 to 4, and, per municipality, when subtracting the totals of any two windows pins the
// count of a part that is hidden in the quarters.
func TestOpenStatsDifferencingAttack(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 2026))
	from, to := month("2023-01"), month("2024-12")
	const n = 7
	cells := randomCells(rng, n, from, to)
	var all []string
	for i := range n {
		all = append(all, fmt.Sprintf("%05d", 11001+i))
	}
	type shown struct {
		atoms map[string]bool
		value string
		where string
	}
	byKey := map[string]shown{} // measure + atoms -> first shown
	var numbers = map[string][]shown{}
	windows := 0
	for a := from; !a.After(to); a = a.AddDate(0, 3, 0) {
		for b := a.AddDate(0, 2, 0); !b.After(to); b = b.AddDate(0, 3, 0) {
			windows++
			st := Build(Input{From: a, To: b, Cells: cells})
			windowTotals := map[string]map[string]suppress.Cell{} // nis -> measure -> window total
			quarterCells := map[string]map[string]map[string]suppress.Cell{}
			for _, r := range st.Rows {
				atoms := atomsOf(r, all)
				key := strings.Join(atoms, ",")
				for name, c := range r.counts() {
					k := name + "|" + key
					s := shown{map[string]bool{}, c.String(), fmt.Sprintf("%s..%s %s %s %s", st.From, st.To, r.PeriodType, r.Period, r.NIS)}
					for _, x := range atoms {
						s.atoms[x] = true
					}
					if prev, ok := byKey[k]; ok && prev.value != s.value {
						t.Fatalf("%s over %s shown as %s (%s) and as %s (%s)", name, key, prev.value, prev.where, s.value, s.where)
					} else if !ok {
						byKey[k] = s
						if !c.Suppressed {
							numbers[name] = append(numbers[name], s)
						}
					}
					switch r.PeriodType {
					case PeriodWindow:
						if windowTotals[r.NIS] == nil {
							windowTotals[r.NIS] = map[string]suppress.Cell{}
						}
						windowTotals[r.NIS][name] = c
					case PeriodQuarter:
						if quarterCells[r.NIS] == nil {
							quarterCells[r.NIS] = map[string]map[string]suppress.Cell{}
						}
						if quarterCells[r.NIS][name] == nil {
							quarterCells[r.NIS][name] = map[string]suppress.Cell{}
						}
						quarterCells[r.NIS][name][r.Period] = c
					}
				}
			}
			// A window total shown as a number covers only quarters shown as numbers, and
			// is their sum: subtracting windows gives only sums of shown quarters.
			for nis, ms := range windowTotals {
				for name, w := range ms {
					if w.Suppressed {
						continue
					}
					sum := 0
					for q, c := range quarterCells[nis][name] {
						if c.Suppressed {
							t.Fatalf("%s %s: window %s..%s shown as %d over hidden quarter %s", nis, name, st.From, st.To, w.Value, q)
						}
						sum += c.Value
					}
					if sum != w.Value {
						t.Fatalf("%s %s: window %s..%s shown as %d, its quarters sum to %d", nis, name, st.From, st.To, w.Value, sum)
					}
				}
			}
		}
	}
	if windows != 36 {
		t.Fatalf("%d windows, want 36", windows)
	}
	subset := func(a, b map[string]bool) bool {
		if len(a) >= len(b) {
			return false
		}
		for x := range a {
			if !b[x] {
				return false
			}
		}
		return true
	}
	pairs := 0
	for name, ss := range numbers {
		for _, x := range ss {
			for _, y := range ss {
				if !subset(x.atoms, y.atoms) {
					continue
				}
				pairs++
				var vx, vy int
				fmt.Sscan(x.value, &vx)
				fmt.Sscan(y.value, &vy)
				if d := vy - vx; d >= 1 && d <= 4 {
					t.Errorf("%s: %s (%s) and %s (%s) differ by %d", name, x.value, x.where, y.value, y.where, d)
				}
			}
		}
	}
	t.Logf("%d windows, %d distinct numbers, %d nested pairs checked", windows, len(byKey), pairs)
}

// TestOpenStatsQuarterIndependent: a quarter's cells are the same whatever else is in the
// window, and equal to what suppress.ByQuarter publishes for that quarter alone.
func TestOpenStatsQuarterIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	cells := randomCells(rng, 5, month("2024-01"), month("2024-06"))
	one := Build(Input{From: month("2024-04"), To: month("2024-06"), Cells: cells})
	two := Build(Input{From: month("2024-01"), To: month("2024-06"), Cells: cells})
	index := func(st Statistics) map[string]string {
		m := map[string]string{}
		for _, r := range st.Rows {
			if r.PeriodType == PeriodWindow {
				continue
			}
			b, _ := json.Marshal(r)
			m[r.PeriodType+r.Period+r.NIS] = string(b)
		}
		return m
	}
	a, b := index(one), index(two)
	for k, v := range a {
		if b[k] != v {
			t.Errorf("%s differs:\n%s\n%s", k, v, b[k])
		}
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOpenStatsSchemaValidates: the answer validates against the published JSON Schema, and
// the schema names exactly the published outcome and right codes.
func TestOpenStatsSchemaValidates(t *testing.T) {
	s := compileSchema(t)
	rng := rand.New(rand.NewPCG(1, 2))
	st := Build(Input{From: month("2024-01"), To: month("2024-12"), Cells: randomCells(rng, 6, month("2024-01"), month("2024-12")),
		InForce: map[string]map[string]bool{"2024-12": {"11001": true}}, SchemaURL: SchemaPath})
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Fatalf("answer does not validate: %v", err)
	}
	// A wrong answer does not.
	bad := strings.Replace(string(b), `"referrals_sent":`, `"referrals_sent":3,"x":`, 1)
	v, _ = jsonschema.UnmarshalJSON(strings.NewReader(bad))
	if err := s.Validate(v); err == nil {
		t.Error("an answer with a count of 3 validates")
	}
	var schema struct {
		Defs struct {
			Row struct {
				Properties struct {
					Outcomes struct{ Required []string } `json:"outcomes"`
					Rights   struct{ Required []string } `json:"rights"`
				} `json:"properties"`
			} `json:"row"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(SchemaJSON, &schema); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(schema.Defs.Row.Properties.Outcomes.Required, ","), strings.Join(Outcomes(), ","); got != want {
		t.Errorf("schema outcomes %s, want %s", got, want)
	}
	if got, want := strings.Join(schema.Defs.Row.Properties.Rights.Required, ","), strings.Join(Rights(), ","); got != want {
		t.Errorf("schema rights %s, want %s", got, want)
	}
}

// TestOpenStatsDCAT: the metadata is JSON-LD whose every term is defined by its context, and
// it has the properties DCAT-AP requires and recommends for a dataset and its distributions.
func TestOpenStatsDCAT(t *testing.T) {
	b, err := json.Marshal(DCAT("https://kansrijk.test", month("2026-09")))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range CheckDCAT(b, "https://kansrijk.test") {
		t.Error(p)
	}
	// The check finds what is missing.
	var doc map[string]any
	_ = json.Unmarshal(b, &doc)
	delete(doc, "dct:license")
	doc["dct:title"] = []any{map[string]any{"@value": "x", "@language": "nl"}}
	doc["foo:bar"] = 1
	b, _ = json.Marshal(doc)
	if got := CheckDCAT(b, "https://kansrijk.test"); len(got) != 3 {
		t.Errorf("a document without licence, English title and with an unknown prefix: %q", got)
	}
}

// TestOpenStatsRowsOnlyWithCounts: a municipality whose cells count nothing published (a
// draft, births) and that has no agreement in force gets no rows.
func TestOpenStatsRowsOnlyWithCounts(t *testing.T) {
	cells := []outcome.Cell{{Month: "2024-01", NIS: "11001", Counts: outcome.Counts{Drafted: 3, Births: 12}},
		cell("2024-02", "11002", 6, 5, nil, nil)}
	st := Build(Input{From: month("2024-01"), To: month("2024-03"), Cells: cells})
	for _, r := range st.Rows {
		if r.NIS == "11001" {
			t.Fatalf("a row for a municipality with nothing published: %+v", r)
		}
	}
	if len(st.Rows) != 2*(3+1+1) {
		t.Errorf("%d rows", len(st.Rows))
	}
}
