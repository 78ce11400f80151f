package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/municipality"
)

// node is a generic XML element.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []node     `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n *node) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name && (a.Name.Space == "" || name == "lang") {
			return a.Value, true
		}
	}
	return "", false
}

func (n *node) get(name string) string { v, _ := n.attr(name); return v }

// walk calls f for n and every descendant.
func (n *node) walk(f func(*node)) {
	f(n)
	for i := range n.Children {
		n.Children[i].walk(f)
	}
}

// find returns the descendants (and n) with the given element name.
func (n *node) find(name string) []*node {
	var out []*node
	n.walk(func(m *node) {
		if m.XMLName.Local == name {
			out = append(out, m)
		}
	})
	return out
}

// allText returns the character data of n and its descendants.
func (n *node) allText() string {
	var b strings.Builder
	n.walk(func(m *node) { b.WriteString(m.Text) })
	return b.String()
}

// parseSVG checks that b is well-formed XML with an accessible <svg> root and returns it.
func parseSVG(t *testing.T, b []byte) *node {
	t.Helper()
	// Well-formed: the tokenizer reads to the end without error.
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("SVG is not well-formed XML: %v", err)
			}
			break
		}
	}
	var root node
	if err := xml.Unmarshal(b, &root); err != nil {
		t.Fatalf("parse SVG: %v", err)
	}
	if root.XMLName.Local != "svg" || root.XMLName.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("root element is %v, want svg in the SVG namespace", root.XMLName)
	}
	if root.get("role") != "img" {
		t.Errorf("root role = %q, want img", root.get("role"))
	}
	ids := strings.Fields(root.get("aria-labelledby"))
	if len(ids) != 2 || len(root.Children) < 2 {
		t.Fatalf("aria-labelledby = %q, want the ids of <title> and <desc>", root.get("aria-labelledby"))
	}
	if c := root.Children[0]; c.XMLName.Local != "title" || c.get("id") != ids[0] || strings.TrimSpace(c.Text) == "" {
		t.Errorf("first child is %s id=%q text %q, want a non-empty <title id=%q>", c.XMLName.Local, c.get("id"), c.Text, ids[0])
	}
	if c := root.Children[1]; c.XMLName.Local != "desc" || c.get("id") != ids[1] || strings.TrimSpace(c.Text) == "" {
		t.Errorf("second child is %s id=%q text %q, want a non-empty <desc id=%q>", c.XMLName.Local, c.get("id"), c.Text, ids[1])
	}
	// The Content-Security-Policy: no style attributes or elements, no scripts, no external
	// resources, no event handlers.
	root.walk(func(n *node) {
		switch n.XMLName.Local {
		case "style", "script", "image", "use", "foreignObject", "a":
			t.Errorf("forbidden element <%s>", n.XMLName.Local)
		}
		for _, a := range n.Attrs {
			if a.Name.Local == "style" || a.Name.Local == "href" || strings.HasPrefix(a.Name.Local, "on") {
				t.Errorf("forbidden attribute %s=%q on <%s>", a.Name.Local, a.Value, n.XMLName.Local)
			}
		}
	})
	return &root
}

var allStatuses = []string{"none", "interested", "draft", "approved", "signed", "active", "suspended", "ended", "withdrawn"}

// areasOn returns the Flemish municipalities on day with statuses spread over all statuses,
// and a legend with their counts.
func areasOn(day time.Time) ([]Area, []LegendItem) {
	ms := municipality.MustLoad().On(day, municipality.Flanders)
	areas := make([]Area, len(ms))
	counts := map[string]int{}
	for i, m := range ms {
		s := allStatuses[i%len(allStatuses)]
		if i%4 == 0 {
			s = "none"
		}
		counts[s]++
		areas[i] = Area{NIS: m.NIS, Name: m.Name, Status: s, Label: "label-" + s}
	}
	legend := make([]LegendItem, len(allStatuses))
	for i, s := range allStatuses {
		legend[i] = LegendItem{Status: s, Label: "label-" + s, Count: counts[s]}
	}
	return areas, legend
}

// bbox returns the bounding box of a path written by appendRing (absolute M, relative l).
func bbox(t *testing.T, d string) (minX, minY, maxX, maxY float64, n int) {
	t.Helper()
	minX, minY, maxX, maxY = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, sub := range strings.Split(strings.TrimSuffix(d, "z"), "z") {
		if !strings.HasPrefix(sub, "M") {
			t.Fatalf("subpath %.20q does not start with M", sub)
		}
		mv, rel, ok := strings.Cut(sub[1:], "l")
		if !ok {
			t.Fatalf("subpath %.20q has no l", sub)
		}
		abs := numbers(t, mv)
		x, y := abs[0], abs[1]
		upd := func() {
			minX, maxX = math.Min(minX, x), math.Max(maxX, x)
			minY, maxY = math.Min(minY, y), math.Max(maxY, y)
			n++
		}
		upd()
		rs := numbers(t, rel)
		if len(rs)%2 != 0 || len(rs) < 4 {
			t.Fatalf("subpath with %d relative numbers", len(rs))
		}
		for i := 0; i < len(rs); i += 2 {
			x, y = x+rs[i], y+rs[i+1]
			upd()
		}
	}
	return
}

// numbers splits path numbers separated by spaces or signs.
func numbers(t *testing.T, s string) []float64 {
	t.Helper()
	s = strings.ReplaceAll(s, "-", " -")
	var out []float64
	for _, f := range strings.Fields(s) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatalf("path number %q: %v", f, err)
		}
		out = append(out, v)
	}
	return out
}

func checkMap(t *testing.T, year int, day time.Time, want int) []byte {
	t.Helper()
	areas, legend := areasOn(day)
	if len(areas) != want {
		t.Fatalf("registry gives %d municipalities on %s, want %d", len(areas), day.Format(time.DateOnly), want)
	}
	b, err := Map(year, areas, legend, "Overeenkomsten op "+day.Format("02-01-2006"), "Kaart van Vlaanderen")
	if err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, b)
	byNIS := map[string]Area{}
	for _, a := range areas {
		byNIS[a.NIS] = a
	}
	vb := strings.Fields(root.get("viewBox"))
	if len(vb) != 4 {
		t.Fatalf("viewBox %q", root.get("viewBox"))
	}
	vbW, _ := strconv.ParseFloat(vb[2], 64)
	vbH, _ := strconv.ParseFloat(vb[3], 64)
	centre := map[string][2]float64{}
	seen := map[string]bool{}
	for _, p := range root.find("path") {
		nis, ok := p.attr("data-nis")
		if !ok {
			continue
		}
		if seen[nis] {
			t.Errorf("NIS %s drawn twice", nis)
		}
		seen[nis] = true
		a, ok := byNIS[nis]
		if !ok {
			t.Errorf("path for unknown NIS %s", nis)
			continue
		}
		if st := p.get("data-status"); st != a.Status {
			t.Errorf("%s: data-status %q, want %q", nis, st, a.Status)
		}
		if fill := p.get("fill"); fill != StatusColors[p.get("data-status")] || fill == "" {
			t.Errorf("%s: fill %q, want StatusColors[%q] = %q", nis, fill, p.get("data-status"), StatusColors[p.get("data-status")])
		}
		if len(p.Children) != 1 || p.Children[0].XMLName.Local != "title" || p.Children[0].Text != a.Name+": "+a.Label {
			t.Errorf("%s: want one <title> %q, got %+v", nis, a.Name+": "+a.Label, p.Children)
		}
		x0, y0, x1, y1, n := bbox(t, p.get("d"))
		if n < 3 || x1-x0 < 1 || y1-y0 < 1 {
			t.Errorf("%s (%s) is not visible: %d points, %.1f×%.1f", nis, a.Name, n, x1-x0, y1-y0)
		}
		if x0 < 0 || y0 < 0 || x1 > vbW || y1 > vbH {
			t.Errorf("%s: bbox %.1f,%.1f–%.1f,%.1f outside the viewBox", nis, x0, y0, x1, y1)
		}
		centre[nis] = [2]float64{(x0 + x1) / 2, (y0 + y1) / 2}
	}
	if len(seen) != want {
		t.Errorf("%d <path data-nis> elements, want %d", len(seen), want)
	}
	// Not mirrored: De Panne (west coast) left of Maasmechelen (east), Baarle-Hertog (north)
	// above Voeren (south).
	if c1, c2 := centre["38008"], centre["73107"]; !(c1[0] < 100 && c2[0] > 700) {
		t.Errorf("De Panne at x=%.0f, Maasmechelen at x=%.0f: want west left, east right", c1[0], c2[0])
	}
	if c1, c2 := centre["13002"], centre["73109"]; !(c1[1] < c2[1]-150) {
		t.Errorf("Baarle-Hertog at y=%.0f, Voeren at y=%.0f: want north above south", c1[1], c2[1])
	}
	// Legend: a swatch with the status colour and the label with the count.
	text := root.allText()
	for _, it := range legend {
		if want := fmt.Sprintf("%s (%d)", it.Label, it.Count); !strings.Contains(text, want) {
			t.Errorf("legend text %q missing", want)
		}
	}
	var swatches int
	for _, g := range root.find("g") {
		if _, ok := g.attr("data-count"); ok {
			swatches++
			if r := g.find("rect"); len(r) != 1 || r[0].get("fill") != StatusColors[g.get("data-status")] {
				t.Errorf("legend %s: swatch %+v", g.get("data-status"), r)
			}
		}
	}
	if swatches != len(legend) {
		t.Errorf("%d legend items, want %d", swatches, len(legend))
	}
	if !strings.Contains(text, Credit) {
		t.Errorf("credit %q missing", Credit)
	}
	return b
}

func TestMap2023Has300Municipalities(t *testing.T) {
	b := checkMap(t, 2023, time.Date(2023, 3, 8, 0, 0, 0, 0, time.UTC), 300)
	t.Logf("map of 300 municipalities: %d bytes", len(b))
	if len(b) > 400<<10 {
		t.Errorf("map is %d bytes, want < 400 KiB", len(b))
	}
	if !strings.Contains(string(b), "toestand 2019–2024") {
		t.Error("credit without the period 2019–2024")
	}
}

func TestMap2025Has285Municipalities(t *testing.T) {
	b := checkMap(t, 2025, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 285)
	t.Logf("map of 285 municipalities: %d bytes", len(b))
	if !strings.Contains(string(b), "toestand 2025") {
		t.Error("credit without the period 2025")
	}
}

func TestMapErrorsAndSkips(t *testing.T) {
	if _, err := Map(2018, nil, nil, "t", "d"); err == nil {
		t.Error("Map(2018) succeeded; there are no boundaries before 2019")
	}
	if _, err := Map(2023, []Area{{NIS: "11002", Name: "Antwerpen", Status: "bogus"}}, nil, "t", "d"); err == nil {
		t.Error("unknown status accepted")
	}
	if _, err := Map(2023, []Area{{NIS: "11002", Status: "none"}, {NIS: "11002", Status: "active"}}, nil, "t", "d"); err == nil {
		t.Error("duplicate NIS accepted")
	}
	// Borsbeek (11007) no longer exists in 2025: an error naming it.
	_, err := Map(2025, []Area{{NIS: "11002", Status: "none"}, {NIS: "11007", Status: "active"}}, nil, "t", "d")
	if err == nil || !strings.Contains(err.Error(), "11007") {
		t.Errorf("Borsbeek on the 2025 map: err = %v, want an error naming 11007", err)
	}
	// Brussels has no boundaries and is skipped silently; the name is escaped.
	b, err := Map(2024, []Area{{NIS: "21004", Name: "Brussel", Status: "active"}, {NIS: "11002", Name: `A&B <"x">`, Status: "signed", Label: "ondertekend"}},
		[]LegendItem{{Status: "signed", Label: "ondertekend & <zo>", Count: 1}}, `Kaart <&>`, `"beschrijving"`)
	if err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, b)
	var paths []*node
	for _, p := range root.find("path") {
		if _, ok := p.attr("data-nis"); ok {
			paths = append(paths, p)
		}
	}
	if len(paths) != 1 || paths[0].get("data-nis") != "11002" || paths[0].Children[0].Text != `A&B <"x">: ondertekend` {
		t.Errorf("want only Antwerpen with its escaped name, got %d paths", len(paths))
	}
	if root.Children[0].Text != "Kaart <&>" {
		t.Errorf("title %q", root.Children[0].Text)
	}
}

func TestMapParsesBoundariesOncePerPeriod(t *testing.T) {
	a, err := layerFor(2019)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := layerFor(2024)
	c, _ := layerFor(2025)
	d, _ := layerFor(2031)
	if a != b || c != d || a == c {
		t.Error("boundaries are not cached per period")
	}
	if len(a.shapes) != 300 || len(c.shapes) != 285 {
		t.Errorf("%d and %d shapes, want 300 and 285", len(a.shapes), len(c.shapes))
	}
	t.Logf("vertices kept: %d (2019–2024), %d (2025); path data %d and %d bytes", a.points, c.points, a.dBytes, c.dBytes)
}

func TestSameOutputForSameInput(t *testing.T) {
	areas, legend := areasOn(time.Date(2023, 3, 8, 0, 0, 0, 0, time.UTC))
	a, _ := Map(2023, areas, legend, "t", "d")
	b, _ := Map(2023, areas, legend, "t", "d")
	if !bytes.Equal(a, b) {
		t.Error("Map is not deterministic")
	}
}

// luminance is the WCAG relative luminance of a #rrggbb colour.
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	if len(hex) != 7 || hex[0] != '#' {
		t.Fatalf("colour %q is not #rrggbb", hex)
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatal(err)
		}
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

func TestStatusColors(t *testing.T) {
	for _, s := range agreement.ReportStatuses {
		if StatusColors[string(s)] == "" {
			t.Errorf("no colour for status %s", s)
		}
	}
	if len(StatusColors) != len(agreement.ReportStatuses) {
		t.Errorf("%d colours for %d statuses", len(StatusColors), len(agreement.ReportStatuses))
	}
	seen := map[string]string{}
	for s, c := range StatusColors {
		if o, dup := seen[c]; dup {
			t.Errorf("%s and %s share colour %s", s, o, c)
		}
		seen[c] = s
		contrast := 1.05 / (luminance(t, c) + 0.05)
		if s != "none" && contrast < 3 {
			t.Errorf("%s %s has contrast %.2f:1 against white, want ≥ 3:1", s, c, contrast)
		}
	}
	if c := 1.05 / (luminance(t, outlineColor) + 0.05); c < 3 {
		t.Errorf("swatch outline contrast %.2f:1", c)
	}
	// The lifecycle ramp gets darker step by step.
	prev := 2.0
	for _, s := range []string{"none", "interested", "draft", "approved", "signed"} {
		l := luminance(t, StatusColors[s])
		if l >= prev {
			t.Errorf("%s is not darker than the step before", s)
		}
		prev = l
	}
}

func TestTimeline(t *testing.T) {
	d := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	points := []Point{
		{Date: d("2023-03-31"), Values: []int{5, 1}},
		{Date: d("2022-02-28"), Values: []int{0, 0}},
		{Date: d("2022-12-31"), Values: []int{3}}, // missing value counts as 0
		{Date: d("2024-06-30"), Values: []int{41, 17}},
	}
	series := []Series{{Label: "Aangemeld", Color: StatusColors["interested"]}, {Label: "In werking", Color: StatusColors["active"]}}
	b := Timeline(points, series, "Aanmeldingen & overeenkomsten", "Per maand sinds februari 2022")
	root := parseSVG(t, b)
	var groups []*node
	for _, g := range root.find("g") {
		if g.get("class") == "series" {
			groups = append(groups, g)
		}
	}
	if len(groups) != 2 {
		t.Fatalf("%d series groups, want 2", len(groups))
	}
	for i, g := range groups {
		if g.get("data-points") != "4" {
			t.Errorf("series %d: data-points %q, want 4", i, g.get("data-points"))
		}
		paths, circles := g.find("path"), g.find("circle")
		if len(paths) != 1 || len(circles) != 4 {
			t.Errorf("series %d: %d paths and %d markers, want 1 and 4", i, len(paths), len(circles))
			continue
		}
		if paths[0].get("stroke") != series[i].Color {
			t.Errorf("series %d: stroke %q", i, paths[0].get("stroke"))
		}
		// One H and one V per point after the first; markers in date order.
		if n := strings.Count(paths[0].get("d"), "H"); n != 3 {
			t.Errorf("series %d: %d steps, want 3", i, n)
		}
		prevX := -1.0
		for _, c := range circles {
			x, _ := strconv.ParseFloat(c.get("cx"), 64)
			if x <= prevX {
				t.Errorf("series %d: markers not in date order", i)
			}
			prevX = x
		}
		if got := circles[1].find("title")[0].Text; got != "31-12-2022: "+series[i].Label+": "+[]string{"3", "0"}[i] {
			t.Errorf("series %d: marker title %q", i, got)
		}
	}
	text := root.allText()
	for _, want := range []string{"Aangemeld", "In werking", "2023", "2024", "41", "17"} {
		if !strings.Contains(text, want) {
			t.Errorf("text %q missing", want)
		}
	}
	// A short span gets month labels; no points still gives a valid chart.
	short := Timeline([]Point{{Date: d("2023-01-15"), Values: []int{1}}, {Date: d("2023-05-15"), Values: []int{2}}}, series[:1], "t", "d")
	if !strings.Contains(string(short), ">03/2023<") {
		t.Error("short span without month labels")
	}
	parseSVG(t, Timeline(nil, series, "Leeg", "Geen gegevens"))
}

func TestBars(t *testing.T) {
	items := []Bar{
		{Label: "Antwerpen", Values: []int{10, 5, 54}},
		{Label: "Limburg", Values: []int{0, 3, 39}},
		{Label: "Oost-Vlaanderen", Values: []int{7}},
		{Label: "Vlaams-Brabant", Values: []int{1, 1, 63}},
		{Label: "West-Vlaanderen", Values: []int{0, 0, 64}},
	}
	series := []Series{
		{Label: "In werking", Color: StatusColors["active"]},
		{Label: "Aangemeld", Color: StatusColors["interested"]},
		{Label: "Niet aangemeld", Color: StatusColors["none"]},
	}
	b := Bars(items, series, "Per provincie", "Gemeenten per provincie & status")
	root := parseSVG(t, b)
	var bars []*node
	for _, g := range root.find("g") {
		if _, ok := g.attr("data-bar"); ok {
			bars = append(bars, g)
		}
	}
	if len(bars) != len(items) {
		t.Fatalf("%d bars, want %d", len(bars), len(items))
	}
	for i, g := range bars {
		it := items[i]
		if g.get("data-bar") != it.Label {
			t.Errorf("bar %d is %q, want %q", i, g.get("data-bar"), it.Label)
		}
		total, segs := 0, 0
		for _, r := range g.find("rect") {
			v, ok := r.attr("data-value")
			if !ok {
				continue
			}
			s, _ := strconv.Atoi(r.get("data-series"))
			n, _ := strconv.Atoi(v)
			if n != it.Values[s] || r.get("fill") != series[s].Color {
				t.Errorf("%s series %d: value %d fill %q", it.Label, s, n, r.get("fill"))
			}
			total += n
			segs++
		}
		want, wantSegs := 0, 0
		for _, v := range it.Values {
			want += v
			if v > 0 {
				wantSegs++
			}
		}
		if total != want || segs != wantSegs {
			t.Errorf("%s: %d segments summing to %d, want %d summing to %d", it.Label, segs, total, wantSegs, want)
		}
		if !strings.Contains(g.allText(), strconv.Itoa(want)) {
			t.Errorf("%s: total %d not written", it.Label, want)
		}
	}
	parseSVG(t, Bars(nil, nil, "Leeg", "Geen gegevens"))
}

func BenchmarkMap(b *testing.B) {
	areas, legend := areasOn(time.Date(2023, 3, 8, 0, 0, 0, 0, time.UTC))
	if _, err := Map(2023, areas, legend, "t", "d"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var n int
	for b.Loop() {
		out, err := Map(2023, areas, legend, "Overeenkomsten op 08-03-2023", "Kaart")
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.ReportMetric(float64(n), "bytes/svg")
}

func TestMapConcurrent(t *testing.T) {
	a23, l23 := areasOn(time.Date(2023, 3, 8, 0, 0, 0, 0, time.UTC))
	a25, l25 := areasOn(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	want23, _ := Map(2023, a23, l23, "t", "d")
	want25, _ := Map(2025, a25, l25, "t", "d")
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			areas, legend, year, want := a23, l23, 2023, want23
			if i%2 == 1 {
				areas, legend, year, want = a25, l25, 2025, want25
			}
			got, err := Map(year, areas, legend, "t", "d")
			if err == nil && !bytes.Equal(got, want) {
				err = fmt.Errorf("concurrent Map(%d) differs", year)
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
