package chart

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"kansrijk/internal/municipality"
)

// Area is one municipality on the map.
type Area struct {
	// NIS is the municipality's 5-digit NIS code, matched against the boundaries' nis property.
	NIS string
	// Name is the municipality's name, shown in the tooltip.
	Name string
	// Status is an agreement status, a key of StatusColors.
	Status string
	// Label is the human text of the status (e.g. Dutch "actief"), shown in the tooltip.
	Label string
}

// LegendItem is one entry of a legend.
type LegendItem struct {
	Status string // key of StatusColors; used for the colour when Color is empty
	Label  string // human text
	Color  string // swatch colour; empty means StatusColors[Status]
	Count  int    // shown after the label
}

// Map layout, in SVG user units. The map is fitted into the box (mapLeft, mapTop) –
// (mapRight, mapBottom); the legend and the source credit go below it.
const (
	mapWidth      = 800.0
	mapLeft       = 8.0
	mapRight      = mapWidth - 8
	mapTop        = 8.0
	mapBottom     = 318.0
	legendColumns = 5
	legendRowH    = 22.0
	simplifyPx    = 0.3 // drop a vertex closer than this to the previous kept one
	dpTol         = 0.2 // then drop vertices within this of the line (Douglas-Peucker)
)

// Credit is the source credit drawn in every map, followed by the period of the boundaries.
const Credit = "Gemeentegrenzen: Statbel, vereenvoudigd door Provincies in Cijfers"

// geoShape is a municipality's precomputed outline.
type geoShape struct {
	nis, name string
	d         string // path data in map user units
}

// geoLayer is the projected boundaries of one period.
type geoLayer struct {
	period string // "2019–2024" or "2025"
	shapes []geoShape
	byNIS  map[string]int
	points int // vertices kept, for tests and tuning
	dBytes int // total length of the path data
}

var (
	layerOnce [2]sync.Once
	layers    [2]*geoLayer
	layerErr  [2]error
)

// layerFor returns the projected boundaries in force in year, parsing and projecting the
// embedded GeoJSON once per period.
func layerFor(year int) (*geoLayer, error) {
	if year < 2019 {
		return nil, fmt.Errorf("chart: no municipal boundaries before 2019 (year %d)", year)
	}
	i, period := 0, "2019–2024"
	if year >= 2025 {
		i, period = 1, "2025"
	}
	layerOnce[i].Do(func() {
		layers[i], layerErr[i] = buildLayer(municipality.GeoJSON(year), period)
	})
	return layers[i], layerErr[i]
}

type lonLat = [2]float64

type featureCollection struct {
	Features []struct {
		Properties struct {
			NIS  string `json:"nis"`
			Name string `json:"name_nl"`
		} `json:"properties"`
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

// buildLayer parses a GeoJSON FeatureCollection of (Multi)Polygons, projects it to the map box
// and precomputes every feature's path data.
func buildLayer(data []byte, period string) (*geoLayer, error) {
	if len(data) == 0 {
		return nil, errors.New("chart: no boundary data")
	}
	var fc featureCollection
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, fmt.Errorf("chart: boundaries: %w", err)
	}
	type feature struct {
		nis, name string
		polys     [][][]lonLat
	}
	feats := make([]feature, 0, len(fc.Features))
	minLon, minLat := math.Inf(1), math.Inf(1)
	maxLon, maxLat := math.Inf(-1), math.Inf(-1)
	for _, f := range fc.Features {
		var polys [][][]lonLat
		switch f.Geometry.Type {
		case "Polygon":
			var p [][]lonLat
			if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
				return nil, fmt.Errorf("chart: boundaries of %s: %w", f.Properties.NIS, err)
			}
			polys = [][][]lonLat{p}
		case "MultiPolygon":
			if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
				return nil, fmt.Errorf("chart: boundaries of %s: %w", f.Properties.NIS, err)
			}
		default:
			return nil, fmt.Errorf("chart: boundaries of %s: unsupported geometry %q", f.Properties.NIS, f.Geometry.Type)
		}
		if f.Properties.NIS == "" {
			return nil, errors.New("chart: boundary feature without nis")
		}
		for _, p := range polys {
			for _, r := range p {
				for _, c := range r {
					minLon, maxLon = math.Min(minLon, c[0]), math.Max(maxLon, c[0])
					minLat, maxLat = math.Min(minLat, c[1]), math.Max(maxLat, c[1])
				}
			}
		}
		feats = append(feats, feature{f.Properties.NIS, f.Properties.Name, polys})
	}
	if len(feats) == 0 || minLon > maxLon {
		return nil, errors.New("chart: boundaries without features")
	}

	// Equirectangular projection with true scale at the middle latitude (about 51.1°N for
	// Flanders): x grows to the east, y to the south (SVG's y axis points down), so the map is
	// not mirrored. Over Flanders' 0.8° of latitude this differs from Lambert 72 by well under
	// a pixel in shape.
	k := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	spanX, spanY := (maxLon-minLon)*k, maxLat-minLat
	scale := math.Min((mapRight-mapLeft)/spanX, (mapBottom-mapTop)/spanY)
	offX := mapLeft + ((mapRight-mapLeft)-spanX*scale)/2
	offY := mapTop + ((mapBottom-mapTop)-spanY*scale)/2
	// project returns the position in tenths of a user unit, so that path data can be
	// written as integers with one decimal.
	project := func(c lonLat) [2]int64 {
		x := offX + (c[0]-minLon)*k*scale
		y := offY + (maxLat-c[1])*scale
		return [2]int64{int64(math.Round(x * 10)), int64(math.Round(y * 10))}
	}

	l := &geoLayer{period: period, shapes: make([]geoShape, 0, len(feats)), byNIS: make(map[string]int, len(feats))}
	for _, f := range feats {
		if _, dup := l.byNIS[f.nis]; dup {
			return nil, fmt.Errorf("chart: two boundary features for NIS %s", f.nis)
		}
		// Project and simplify every ring; remember the largest so that it is kept even if
		// simplification would make it degenerate.
		var rings [][][2]int64
		var largest []lonLat
		largestArea := -1.0
		for _, p := range f.polys {
			for _, r := range p {
				if a := math.Abs(ringArea(r)); a > largestArea {
					largestArea, largest = a, r
				}
			}
		}
		for _, p := range f.polys {
			for _, r := range p {
				s := simplify(r, project, simplifyPx*10)
				if len(s) < 3 {
					if !sameRing(r, largest) {
						continue // a speck below a pixel, e.g. a tiny Baarle-Hertog enclave
					}
					s = simplify(r, project, 0) // keep the main ring, only deduplicated
				}
				rings = append(rings, s)
			}
		}
		var b []byte
		for _, r := range rings {
			b = appendRing(b, r)
			l.points += len(r)
		}
		l.dBytes += len(b)
		l.byNIS[f.nis] = len(l.shapes)
		l.shapes = append(l.shapes, geoShape{nis: f.nis, name: f.name, d: string(b)})
	}
	return l, nil
}

// sameRing reports whether a and b are the same slice.
func sameRing(a, b []lonLat) bool {
	return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0]
}

// ringArea is the signed planar area of a ring in degrees², for picking the largest ring.
func ringArea(r []lonLat) float64 {
	var a float64
	for i := range r {
		j := (i + 1) % len(r)
		a += r[i][0]*r[j][1] - r[j][0]*r[i][1]
	}
	return a / 2
}

// simplify projects a ring to tenths of a user unit and drops every vertex closer than tol
// (in tenths) to the last kept one, as well as the closing vertex: path data closes the ring
// with "z". The first vertex is always kept; if the last kept vertex is within tol of the
// first, it is dropped too. With tol > 0 the result is then thinned with Douglas-Peucker at
// dpTol, which removes the vertices that lie (almost) on a straight line: at 0.2 unit this is
// invisible at the map's size and even at twice that size, and halves the output again.
// Neighbouring municipalities are simplified independently, so their shared border can differ
// by up to a few tenths of a unit; the 0.5-unit white outline covers that.
func simplify(r []lonLat, project func(lonLat) [2]int64, tol float64) [][2]int64 {
	out := make([][2]int64, 0, len(r))
	tol2 := int64(tol * tol)
	n := len(r)
	if n > 1 && r[0] == r[n-1] {
		n--
	}
	for i := 0; i < n; i++ {
		p := project(r[i])
		if len(out) > 0 {
			q := out[len(out)-1]
			dx, dy := p[0]-q[0], p[1]-q[1]
			if d2 := dx*dx + dy*dy; d2 == 0 || d2 < tol2 {
				continue
			}
		}
		out = append(out, p)
	}
	if tol > 0 && len(out) > 4 {
		out = douglasPeucker(out, dpTol*10)
	}
	for len(out) > 1 {
		q, f := out[len(out)-1], out[0]
		dx, dy := q[0]-f[0], q[1]-f[1]
		if d2 := dx*dx + dy*dy; d2 == 0 || d2 < tol2 {
			out = out[:len(out)-1]
			continue
		}
		break
	}
	return out
}

// appendRing appends a closed subpath: an absolute move, relative lines, close.
func appendRing(b []byte, r [][2]int64) []byte {
	b = append(b, 'M')
	b = appendTenths(b, r[0][0])
	b = append(b, ' ')
	b = appendTenths(b, r[0][1])
	b = append(b, 'l')
	for i := 1; i < len(r); i++ {
		dx, dy := r[i][0]-r[i-1][0], r[i][1]-r[i-1][1]
		if i > 1 && dx >= 0 {
			b = append(b, ' ')
		}
		b = appendTenths(b, dx)
		if dy >= 0 {
			b = append(b, ' ')
		}
		b = appendTenths(b, dy)
	}
	return append(b, 'z')
}

// isBrussels reports whether nis is a municipality of the Brussels-Capital Region (21xxx),
// for which there are no boundaries.
func isBrussels(nis string) bool {
	return len(nis) == 5 && strings.HasPrefix(nis, "21")
}

// Map draws the Flemish municipalities in force in year (boundaries of 2019–2024 for years
// before 2025, of 2025 from then on), one <path> per area with attributes data-nis and
// data-status, filled with StatusColors[Status], with a thin white outline and a <title>
// "Name: Label" as tooltip. The legend (swatch, label and count per item, five to a row) and
// the source credit are drawn below the map. The SVG is about 800 user units wide.
//
// Areas of Brussels municipalities (21xxx), which have no boundaries, are skipped. Map fails
// for a year before 2019, an area with an unknown status, a NIS code given twice, or any other
// area without boundaries (e.g. a 2023 code on a 2025 map).
func Map(year int, areas []Area, legend []LegendItem, title, desc string) ([]byte, error) {
	shapes := make([]mapArea, len(areas))
	for i, a := range areas {
		color, ok := StatusColors[a.Status]
		if !ok {
			return nil, fmt.Errorf("chart: municipality %s has unknown status %q", a.NIS, a.Status)
		}
		shapes[i] = mapArea{NIS: a.NIS, Name: a.Name, Key: a.Status, Color: color, Label: a.Label}
	}
	return drawMap(year, "data-status", shapes, legend, func(it LegendItem) string {
		return colorOr(it.Color, colorOr(StatusColors[it.Status], fallbackFill))
	}, title, desc)
}

// mapArea is one municipality as drawMap draws it: its key (a status or a
// class) becomes the attribute drawMap is given, its label the tooltip
// after the name (the key when empty).
type mapArea struct{ NIS, Name, Key, Color, Label string }

// drawMap is the one map core behind Map and ShadedMap: the municipalities
// in force in year, one <path> per area with data-nis and attr=Key, a thin
// white outline and a <title> "Name: Label"; below it the legend (swatch,
// label and count, five to a row, attr=Status, filled with legendColor)
// and the source credit. Brussels codes are skipped; a NIS code given
// twice or any other area without boundaries is an error.
func drawMap(year int, attr string, areas []mapArea, legend []LegendItem, legendColor func(LegendItem) string, title, desc string) ([]byte, error) {
	l, err := layerFor(year)
	if err != nil {
		return nil, err
	}
	byShape := make([]int, len(l.shapes)) // shape index → area index + 1
	var missing []string
	for i, a := range areas {
		s, ok := l.byNIS[a.NIS]
		if !ok {
			if !isBrussels(a.NIS) {
				missing = append(missing, a.NIS)
			}
			continue
		}
		if byShape[s] != 0 {
			return nil, fmt.Errorf("chart: municipality %s is given twice", a.NIS)
		}
		byShape[s] = i + 1
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("chart: no %s boundaries for %d municipalities: %s", l.period, len(missing), strings.Join(missing, ", "))
	}

	rows := (len(legend) + legendColumns - 1) / legendColumns
	legendTop := mapBottom + 14
	height := legendTop + float64(rows)*legendRowH + 22

	w := &svgWriter{}
	w.Grow(l.dBytes + 160*len(areas) + 200*len(legend) + 1024)
	w.open("map", mapWidth, height, title, desc)

	// The municipalities. Stroke and line join are inherited from the group.
	w.WriteString(`<g stroke="#ffffff" stroke-width=".5" stroke-linejoin="round" fill-rule="evenodd">`)
	for s, ai := range byShape {
		if ai == 0 {
			continue
		}
		a, sh := &areas[ai-1], &l.shapes[s]
		w.WriteString(`<path data-nis="`)
		w.text(sh.nis)
		w.WriteString(`" ` + attr + `="`)
		w.text(a.Key)
		w.WriteString(`" fill="`)
		w.WriteString(a.Color)
		w.WriteString(`" d="`)
		w.WriteString(sh.d)
		w.WriteString(`"><title>`)
		name := a.Name
		if name == "" {
			name = sh.name
		}
		label := a.Label
		if label == "" {
			label = a.Key
		}
		w.text(name + ": " + label)
		w.WriteString(`</title></path>`)
	}
	w.WriteString(`</g>`)

	// The legend: five items to a row.
	if len(legend) > 0 {
		colW := (mapRight - mapLeft) / legendColumns
		w.WriteString(`<g class="legend">`)
		for i, it := range legend {
			x := mapLeft + float64(i%legendColumns)*colW
			y := legendTop + float64(i/legendColumns)*legendRowH
			w.WriteString(`<g ` + attr + `="`)
			w.text(it.Status)
			w.WriteString(`" data-count="` + strconv.Itoa(it.Count) + `">`)
			w.swatch(x+.5, y+.5, 13, legendColor(it))
			w.label(x+19, y+11.5, "", it.Label+" ("+strconv.Itoa(it.Count)+")")
			w.WriteString(`</g>`)
		}
		w.WriteString(`</g>`)
	}

	w.label(mapRight, height-7, `font-size="9" text-anchor="end" fill="`+mutedText+`"`, Credit+"; toestand "+l.period)
	w.close()
	return w.Bytes(), nil
}

// douglasPeucker simplifies an open polyline (the ring without its closing vertex), keeping
// the first and last vertices and every vertex farther than tol from the chord.
func douglasPeucker(pts [][2]int64, tol float64) [][2]int64 {
	keep := make([]bool, len(pts))
	keep[0], keep[len(pts)-1] = true, true
	var rec func(a, b int)
	rec = func(a, b int) {
		if b-a < 2 {
			return
		}
		ax, ay := float64(pts[a][0]), float64(pts[a][1])
		bx, by := float64(pts[b][0]), float64(pts[b][1])
		dx, dy := bx-ax, by-ay
		l := math.Hypot(dx, dy)
		best, bi := -1.0, -1
		for i := a + 1; i < b; i++ {
			px, py := float64(pts[i][0]), float64(pts[i][1])
			var d float64
			if l == 0 {
				d = math.Hypot(px-ax, py-ay)
			} else {
				d = math.Abs(dy*px-dx*py+bx*ay-by*ax) / l
			}
			if d > best {
				best, bi = d, i
			}
		}
		if best > tol {
			keep[bi] = true
			rec(a, bi)
			rec(bi, b)
		}
	}
	rec(0, len(pts)-1)
	out := pts[:0:0]
	for i, k := range keep {
		if k {
			out = append(out, pts[i])
		}
	}
	return out
}
