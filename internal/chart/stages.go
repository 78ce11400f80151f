package chart

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// StageColors is the fill colour of each outreach stage (the values of outreach.Stage), in
// funnel order:
//
//   - not_informed: mid grey #8c8c8c, "nothing yet";
//   - the outreach stages are orange-brown, getting darker: informed #d95f02, in_conversation
//     #8c2d04;
//   - the agreement stages take the blue ramp of StatusColors (signed_up is its interested,
//     drafting its draft, approved, signed), then active its dark green and ended its dark grey.
//
// Orange against blue is the pair that every common colour vision deficiency tells apart,
// and neighbouring stages differ in lightness (CIE L* 58, 55, 33, 61, 48, 34, 21, 44, 33).
// Every colour has a contrast of at least 3:1 against white (WCAG 2.x non-text contrast: 3.0
// for signed_up up to 12.6 for signed), checked by the package tests; the charts separate
// neighbouring areas with white lines and give labels and numbers in the legend, so colour is
// never the only carrier of the information.
var StageColors = map[string]string{
	"not_informed":    "#8c8c8c",
	"informed":        "#d95f02",
	"in_conversation": "#8c2d04",
	"signed_up":       StatusColors["interested"],
	"drafting":        StatusColors["draft"],
	"approved":        StatusColors["approved"],
	"signed":          StatusColors["signed"],
	"active":          StatusColors["active"],
	"ended":           StatusColors["ended"],
}

// Layer is one series of a stacked chart: a key for data attributes (e.g. the stage code), a
// label and a colour.
type Layer struct {
	Key   string
	Label string
	Color string
}

// StackedArea layout, in SVG user units.
const (
	saWidth   = 800.0
	saHeight  = 330.0
	saLeft    = 48.0  // y axis
	saRight   = 556.0 // end of the plot; the legend is to its right
	saTop     = 30.0
	saBottom  = 292.0 // x axis
	saLegendX = 580.0
)

// StackedArea draws counts over time as stacked areas: layers[0] at the bottom, each layer
// on top of the ones before, so that the top edge is the total on each date. Between two
// points the values are joined by straight lines; a single point is drawn as a band across
// the chart. It has a y axis with round counts, an x axis with years (or months, for spans up
// to 18 months) and, to the right, a legend in stacking order (top layer first) with each
// layer's value on the last date. Every layer is a <g class="layer" data-key="…"
// data-values="…"> (the values in date order) with a <title> tooltip; with at most 120
// points, every point also gets an invisible column with a tooltip listing all values on
// that date and data-total. Points need not be sorted; a missing value counts as 0 and
// negative values as 0.
func StackedArea(points []Point, layers []Layer, title, desc string) []byte {
	pts := slices.Clone(points)
	slices.SortStableFunc(pts, func(a, b Point) int { return a.Date.Compare(b.Date) })
	value := func(p Point, s int) int {
		if s < len(p.Values) && p.Values[s] > 0 {
			return p.Values[s]
		}
		return 0
	}
	total := func(p Point) int {
		t := 0
		for s := range layers {
			t += value(p, s)
		}
		return t
	}

	w := &svgWriter{}
	w.Grow(4096 + len(pts)*len(layers)*40)
	w.open("stages", saWidth, saHeight, title, desc)

	maxV := 0
	for _, p := range pts {
		maxV = max(maxV, total(p))
	}
	top, step := niceMax(maxV, 5)
	yOf := func(v int) float64 { return saBottom - float64(v)/float64(top)*(saBottom-saTop) }
	var t0, t1 time.Time
	if len(pts) > 0 {
		t0, t1 = dayOf(pts[0].Date), dayOf(pts[len(pts)-1].Date)
	} else {
		t0 = dayOf(time.Now())
		t1 = t0
	}
	// The x positions of the points; one point becomes a band.
	drawn := pts
	if !t1.After(t0) {
		t0, t1 = t0.AddDate(0, 0, -15), t1.AddDate(0, 0, 15)
		if len(pts) == 1 {
			drawn = []Point{{Date: t0, Values: pts[0].Values}, {Date: t1, Values: pts[0].Values}}
		}
	}
	span := t1.Sub(t0).Hours()
	xOf := func(t time.Time) float64 {
		return saLeft + dayOf(t).Sub(t0).Hours()/span*(saRight-saLeft)
	}

	area := plotArea{left: saLeft, right: saRight, top: saTop, bottom: saBottom}
	w.yGrid(area, top, step, yOf)

	// The layers, bottom first; the gridlines stay visible above them.
	if len(drawn) > 0 {
		lower := make([]int, len(drawn))
		for i, l := range layers {
			color := escAttr(colorOr(l.Color, fallbackFill))
			w.WriteString(`<g class="layer" data-series="` + strconv.Itoa(i) + `" data-key="`)
			w.text(l.Key)
			w.WriteString(`" data-values="`)
			for k, p := range pts {
				if k > 0 {
					w.WriteByte(' ')
				}
				w.WriteString(strconv.Itoa(value(p, i)))
			}
			w.WriteString(`"><title>`)
			w.text(l.Label + ": " + strconv.Itoa(value(pts[len(pts)-1], i)))
			w.WriteString(`</title><path fill="` + color + `" stroke="#ffffff" stroke-width="1" stroke-linejoin="round" d="`)
			upper := make([]int, len(drawn))
			for k, p := range drawn {
				upper[k] = lower[k] + value(p, i)
				if k == 0 {
					w.WriteByte('M')
				} else {
					w.WriteByte('L')
				}
				w.num(xOf(p.Date))
				w.WriteByte(' ')
				w.num(yOf(upper[k]))
			}
			for k := len(drawn) - 1; k >= 0; k-- {
				w.WriteByte('L')
				w.num(xOf(drawn[k].Date))
				w.WriteByte(' ')
				w.num(yOf(lower[k]))
			}
			w.WriteString(`Z"/></g>`)
			lower = upper
		}
	}

	// Axes over the areas.
	w.timeAxis(area, t0, t1, xOf, false)

	// Invisible columns with the values of each point as a tooltip.
	if len(pts) > 0 && len(pts) <= maxMarker {
		w.WriteString(`<g class="points">`)
		for k, p := range pts {
			x0, x1 := saLeft, saRight
			if k > 0 {
				x0 = (xOf(pts[k-1].Date) + xOf(p.Date)) / 2
			}
			if k < len(pts)-1 {
				x1 = (xOf(p.Date) + xOf(pts[k+1].Date)) / 2
			}
			w.WriteString(`<rect class="point" data-date="` + p.Date.Format(time.DateOnly) + `" data-total="` + strconv.Itoa(total(p)) + `" x="`)
			w.num(x0)
			w.WriteString(`" y="`)
			w.num(saTop)
			w.WriteString(`" width="`)
			w.num(max(x1-x0, 1))
			w.WriteString(`" height="`)
			w.num(saBottom - saTop)
			w.WriteString(`" fill="#ffffff" fill-opacity="0"><title>`)
			var b strings.Builder
			b.WriteString(p.Date.Format("02-01-2006"))
			b.WriteString(": ")
			for s := len(layers) - 1; s >= 0; s-- {
				b.WriteString(layers[s].Label + " " + strconv.Itoa(value(p, s)))
				if s > 0 {
					b.WriteString(", ")
				}
			}
			w.text(b.String())
			w.WriteString(`</title></rect>`)
		}
		w.WriteString(`</g>`)
	}

	// Legend: top layer first, as stacked, with the last values.
	w.WriteString(`<g class="legend">`)
	y := saTop
	if len(pts) > 0 {
		last := pts[len(pts)-1]
		w.label(saLegendX, y+4, `font-size="11" fill="`+mutedText+`"`, last.Date.Format("02-01-2006"))
		w.label(saWidth-10, y+4, `font-size="11" fill="`+mutedText+`" text-anchor="end"`, strconv.Itoa(total(last)))
	}
	y += 14
	for s := len(layers) - 1; s >= 0; s-- {
		l := layers[s]
		w.WriteString(`<g data-series="` + strconv.Itoa(s) + `">`)
		w.swatch(saLegendX+.5, y+.5, 13, colorOr(l.Color, fallbackFill))
		w.label(saLegendX+19, y+11.5, "", l.Label)
		if len(pts) > 0 {
			w.label(saWidth-10, y+11.5, `text-anchor="end" font-weight="bold"`, strconv.Itoa(value(pts[len(pts)-1], s)))
		}
		w.WriteString(`</g>`)
		y += 24
	}
	w.WriteString(`</g>`)
	w.close()
	return w.Bytes()
}
