package chart

import (
	"strconv"
)

// Bar is one row of a bar chart: a label and one value per series, stacked left to right.
type Bar struct {
	Label  string
	Values []int
}

// Bars layout, in SVG user units.
const (
	barsWidth = 800.0
	barsRight = 736.0 // the total is written to the right of each bar
	barsTop   = 44.0
	barRowH   = 30.0
	barH      = 18.0
)

// Bars draws a horizontal stacked bar chart: one row per item, top to bottom in the given
// order, with the label on the left, one segment per series (Values[i] in series[i]'s colour;
// missing values count as 0, values beyond the series are ignored) and the row total on the
// right. Each row is a <g data-bar="…"> with a <title> tooltip per segment ("Label: Series:
// value"); vertical gridlines with round counts run along the bottom axis, and the legend
// shows the series at the top. Each bar gets a thin dark outline so that light segments stay
// visible against the white background.
func Bars(items []Bar, series []Series, title, desc string) []byte {
	value := func(b Bar, s int) int {
		if s < len(b.Values) && b.Values[s] > 0 {
			return b.Values[s]
		}
		return 0
	}
	maxV := 0
	for _, b := range items {
		t := 0
		for s := range series {
			t += value(b, s)
		}
		maxV = max(maxV, t)
	}
	// Room for the row labels (right-aligned), between 60 and 300 units.
	labelW := 60.0
	for _, b := range items {
		labelW = max(labelW, min(300, textWidth(b.Label, 12)+10))
	}
	barsLeft := labelW + 10
	top, step := niceMax(maxV, 6)
	xOf := func(v int) float64 { return barsLeft + float64(v)/float64(top)*(barsRight-barsLeft) }
	plotBottom := barsTop + float64(len(items))*barRowH
	height := plotBottom + 34

	w := &svgWriter{}
	w.Grow(2048 + len(items)*(200+len(series)*160))
	w.open("bars", barsWidth, height, title, desc)

	// Legend.
	x := barsLeft
	for i, s := range series {
		w.WriteString(`<g data-series="` + strconv.Itoa(i) + `">`)
		w.swatch(x+.5, 12.5, 13, colorOr(s.Color, fallbackFill))
		w.label(x+19, 24, "", s.Label)
		w.WriteString(`</g>`)
		x += 19 + textWidth(s.Label, 12) + 24
	}

	// Gridlines and the count axis.
	w.WriteString(`<g class="x-axis" font-size="11" text-anchor="middle">`)
	for v := 0; v <= top; v += step {
		gx := xOf(v)
		w.line(gx, barsTop-4, gx, plotBottom, `stroke="`+gridColor+`" stroke-width="1"`)
		w.label(gx, plotBottom+16, "", strconv.Itoa(v))
	}
	w.line(barsLeft, plotBottom, barsRight, plotBottom, `stroke="`+axisColor+`" stroke-width="1"`)
	w.WriteString(`</g>`)

	// The bars.
	for r, b := range items {
		y := barsTop + float64(r)*barRowH + (barRowH-barH)/2
		w.WriteString(`<g class="bar" data-bar="`)
		w.text(b.Label)
		w.WriteString(`">`)
		w.label(labelW, y+barH/2+4, `text-anchor="end"`, b.Label)
		total := 0
		for s, se := range series {
			v := value(b, s)
			if v == 0 {
				continue
			}
			x0, x1 := xOf(total), xOf(total+v)
			total += v
			w.WriteString(`<rect data-series="` + strconv.Itoa(s) + `" data-value="` + strconv.Itoa(v) + `" x="`)
			w.num(x0)
			w.WriteString(`" y="`)
			w.num(y)
			w.WriteString(`" width="`)
			w.num(x1 - x0)
			w.WriteString(`" height="`)
			w.num(barH)
			w.WriteString(`" fill="`)
			w.text(colorOr(se.Color, fallbackFill))
			w.WriteString(`" stroke="#ffffff" stroke-width="1"><title>`)
			w.text(b.Label + ": " + se.Label + ": " + strconv.Itoa(v))
			w.WriteString(`</title></rect>`)
		}
		if total > 0 {
			w.WriteString(`<rect x="`)
			w.num(barsLeft)
			w.WriteString(`" y="`)
			w.num(y)
			w.WriteString(`" width="`)
			w.num(xOf(total) - barsLeft)
			w.WriteString(`" height="`)
			w.num(barH)
			w.WriteString(`" fill="none" stroke="` + outlineColor + `" stroke-width="1"/>`)
		}
		w.label(xOf(total)+6, y+barH/2+4, `font-weight="bold"`, strconv.Itoa(total))
		w.WriteString(`</g>`)
	}
	w.close()
	return w.Bytes()
}
