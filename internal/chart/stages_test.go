package chart

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

var stageKeys = []string{"not_informed", "informed", "in_conversation", "signed_up", "drafting", "approved", "signed", "active", "ended"}

func stageLayers() []Layer {
	var out []Layer
	for _, k := range stageKeys {
		out = append(out, Layer{Key: k, Label: "fase " + k, Color: StageColors[k]})
	}
	return out
}

func TestStageColors(t *testing.T) {
	if len(StageColors) != len(stageKeys) {
		t.Errorf("%d colours for %d stages", len(StageColors), len(stageKeys))
	}
	seen := map[string]string{}
	for _, s := range stageKeys {
		c := StageColors[s]
		if c == "" {
			t.Errorf("no colour for stage %s", s)
			continue
		}
		if o, dup := seen[c]; dup {
			t.Errorf("%s and %s share colour %s", s, o, c)
		}
		seen[c] = s
		if contrast := 1.05 / (luminance(t, c) + 0.05); contrast < 3 {
			t.Errorf("%s %s has contrast %.2f:1 against white, want ≥ 3:1", s, c, contrast)
		}
	}
	// Neighbours in the funnel differ in lightness, not only in hue.
	for i := 1; i < len(stageKeys); i++ {
		a, b := luminance(t, StageColors[stageKeys[i-1]]), luminance(t, StageColors[stageKeys[i]])
		if math.Abs(a-b) < 0.02 {
			t.Errorf("%s and %s are about as light (%.3f, %.3f)", stageKeys[i-1], stageKeys[i], a, b)
		}
	}
}

// layersOf returns the layer groups of a stacked area chart.
func layersOf(root *node) []*node {
	var out []*node
	for _, g := range root.find("g") {
		if g.get("class") == "layer" {
			out = append(out, g)
		}
	}
	return out
}

func TestStackedArea(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	// Points out of order; a missing value counts as 0; 300 municipalities, then 285.
	points := []Point{
		{Date: d("2023-02-01"), Values: []int{250, 48, 2}},
		{Date: d("2022-02-01"), Values: []int{300}},
		{Date: d("2025-01-01"), Values: []int{100, 120, 30, 10, 5, 3, 2, 14, 1}},
		{Date: d("2024-03-01"), Values: []int{150, 100, 40, 6, 2, 1, 0, 1, 0}},
		{Date: d("2025-03-02"), Values: []int{90, 118, 35, 12, 6, 4, 2, 17, 1}},
	}
	layers := stageLayers()
	b := StackedArea(points, layers, "Lokale besturen per fase", "Per maand sinds februari 2022")
	root := parseSVG(t, b)
	groups := layersOf(root)
	if len(groups) != len(stageKeys) {
		t.Fatalf("%d layers, want one per stage (%d)", len(groups), len(stageKeys))
	}
	sorted := []Point{points[1], points[0], points[3], points[2], points[4]}
	totals := make([]int, len(sorted))
	for i, g := range groups {
		if g.get("data-key") != stageKeys[i] {
			t.Errorf("layer %d is %q, want %q (bottom first)", i, g.get("data-key"), stageKeys[i])
		}
		paths := g.find("path")
		if len(paths) != 1 || paths[0].get("fill") != StageColors[stageKeys[i]] || !strings.HasSuffix(paths[0].get("d"), "Z") {
			t.Fatalf("layer %s: %d paths, fill %q", stageKeys[i], len(paths), paths[0].get("fill"))
		}
		// One point up, one back down per date: a closed band.
		if n := strings.Count(paths[0].get("d"), "L") + 1; n != 2*len(sorted) {
			t.Errorf("layer %s: %d vertices, want %d", stageKeys[i], n, 2*len(sorted))
		}
		vals := strings.Fields(g.get("data-values"))
		if len(vals) != len(sorted) {
			t.Fatalf("layer %s: data-values %q", stageKeys[i], g.get("data-values"))
		}
		for k, p := range sorted {
			want := 0
			if i < len(p.Values) {
				want = p.Values[i]
			}
			if vals[k] != strconv.Itoa(want) {
				t.Errorf("layer %s point %d: %s, want %d", stageKeys[i], k, vals[k], want)
			}
			totals[k] += want
		}
	}
	// The points carry their totals, which the top edge of the stack reaches.
	var cols []*node
	for _, r := range root.find("rect") {
		if r.get("class") == "point" {
			cols = append(cols, r)
		}
	}
	if len(cols) != len(sorted) {
		t.Fatalf("%d point columns, want %d", len(cols), len(sorted))
	}
	for k, c := range cols {
		if c.get("data-date") != sorted[k].Date.Format(time.DateOnly) || c.get("data-total") != strconv.Itoa(totals[k]) {
			t.Errorf("column %d: date %s total %s, want %s %d", k, c.get("data-date"), c.get("data-total"), sorted[k].Date.Format(time.DateOnly), totals[k])
		}
	}
	if totals[0] != 300 || totals[len(totals)-1] != 285 {
		t.Fatalf("totals %v", totals)
	}
	if tip := cols[len(cols)-1].find("title")[0].Text; !strings.HasPrefix(tip, "02-03-2025: fase ended 1, ") || !strings.Contains(tip, "fase not_informed 90") {
		t.Errorf("last column tooltip %q", tip)
	}
	// The top layer's upper edge at the last point is the total, on the y scale.
	top := groups[len(groups)-1].find("path")[0].get("d")
	nums := numbers(t, strings.NewReplacer("M", " ", "L", " ", "Z", " ").Replace(top))
	lastY := nums[2*(len(sorted)-1)+1] // the upper edge's last vertex
	if want := saBottom - 285.0/300.0*(saBottom-saTop); math.Abs(lastY-want) > 0.1 {
		t.Errorf("top edge at the last point y=%.1f, want %.1f (285 of a 300 scale)", lastY, want)
	}
	// The legend: top layer first, with the last values.
	text := root.allText()
	for _, want := range []string{"02-03-2025", "285", "fase informed", "118", "2023", "2024", "2025"} {
		if !strings.Contains(text, want) {
			t.Errorf("text %q missing", want)
		}
	}
	legend := root.find("g")
	var order []string
	for _, g := range legend {
		if g.get("class") == "legend" {
			for _, it := range g.find("g") {
				if s := it.get("data-series"); s != "" {
					order = append(order, s)
				}
			}
		}
	}
	if strings.Join(order, ",") != "8,7,6,5,4,3,2,1,0" {
		t.Errorf("legend order %v, want the top layer first", order)
	}

	// One point is a band; no points still gives a valid chart.
	one := parseSVG(t, StackedArea([]Point{{Date: d("2023-03-08"), Values: []int{280, 20}}}, layers, "Eén dag", "Op 08-03-2023"))
	if g := layersOf(one); len(g) != len(stageKeys) || strings.Count(g[1].find("path")[0].get("d"), "L") != 3 {
		t.Errorf("one point: %d layers", len(g))
	}
	parseSVG(t, StackedArea(nil, layers, "Leeg", "Geen gegevens"))
	if !strings.Contains(string(StackedArea(points, layers, "a", "b")), "chart-stages") {
		t.Error("no chart-stages class")
	}
	if first, second := StackedArea(points, layers, "a", "b"), StackedArea(points, layers, "a", "b"); string(first) != string(second) {
		t.Error("not deterministic")
	}
}

func TestFunnel(t *testing.T) {
	rows := []FunnelRow{
		{Key: "not_informed", Label: "niet geïnformeerd", Color: StageColors["not_informed"], Reached: 300, Current: 120, Note: "→ 60 %"},
		{Key: "informed", Label: "geïnformeerd", Color: StageColors["informed"], Reached: 180, Current: 90, Note: "→ 50 %"},
		{Key: "in_conversation", Label: "in gesprek", Color: StageColors["in_conversation"], Reached: 90, Current: 60},
		{Key: "active", Label: "actief", Color: StageColors["active"], Reached: 0, Current: 0},
	}
	b := Funnel(rows, FunnelText{Reached: "ooit bereikt", Current: "nu in deze fase"}, "Trechter op 08-03-2025", "Van 300 lokale besturen …")
	root := parseSVG(t, b)
	var stages []*node
	for _, g := range root.find("g") {
		if g.get("class") == "stage" {
			stages = append(stages, g)
		}
	}
	if len(stages) != len(rows) {
		t.Fatalf("%d rows, want %d", len(stages), len(rows))
	}
	width := func(g *node, class string) float64 {
		for _, r := range g.find("rect") {
			if r.get("class") == class {
				v, _ := strconv.ParseFloat(r.get("width"), 64)
				return v
			}
		}
		return 0
	}
	full := width(stages[0], "reached")
	if full <= 0 {
		t.Fatal("no bar for the first stage")
	}
	for i, g := range stages {
		r := rows[i]
		if g.get("data-key") != r.Key || g.get("data-reached") != strconv.Itoa(r.Reached) || g.get("data-current") != strconv.Itoa(r.Current) {
			t.Errorf("row %d: %v", i, g.Attrs)
		}
		// On one scale: the largest reached is the full width.
		if got, want := width(g, "reached"), full*float64(r.Reached)/300; math.Abs(got-want) > 0.15 {
			t.Errorf("%s: reached bar %.1f, want %.1f", r.Key, got, want)
		}
		if got, want := width(g, "current"), full*float64(r.Current)/300; math.Abs(got-want) > 0.15 {
			t.Errorf("%s: current bar %.1f, want %.1f", r.Key, got, want)
		}
		for _, rc := range g.find("rect") {
			if rc.get("fill") != r.Color {
				t.Errorf("%s: fill %q", r.Key, rc.get("fill"))
			}
		}
		text := g.allText()
		for _, want := range []string{r.Label, strconv.Itoa(r.Reached), "/ " + strconv.Itoa(r.Current), r.Note} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: text %q missing in %q", r.Key, want, text)
			}
		}
	}
	if n := len(stages[3].find("rect")); n != 0 {
		t.Errorf("zero row has %d bars", n)
	}
	if !strings.Contains(root.allText(), "ooit bereikt") || !strings.Contains(root.allText(), "nu in deze fase") {
		t.Error("legend missing")
	}
	parseSVG(t, Funnel(nil, FunnelText{}, "Leeg", "Geen gegevens"))
}
