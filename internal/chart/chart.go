// Package chart draws the report charts of Kansrijk as server-side SVG: a map of the Flemish
// municipalities coloured by agreement status (Map), a step chart over time (Timeline) and a
// stacked horizontal bar chart (Bars).
//
// The output is meant both to be served alone (image/svg+xml) and to be inlined in an HTML page
// under the site's Content-Security-Policy (style-src 'self', script-src 'self'). Therefore:
//
//   - no JavaScript, no external resources (fonts, images, stylesheets) and no XML declaration;
//   - no style="…" attributes and no <style> elements: all styling is done with SVG
//     presentation attributes (fill, stroke, font-size, …), which CSP does not govern;
//   - every chart is accessible: the root <svg> has role="img" and aria-labelledby naming its
//     <title> and <desc> children. The element ids are derived from the kind of chart and a hash
//     of its title and description, so the output is deterministic and the map, the timeline
//     and the bars of one page do not share ids. Details such as "Name: status" are in <title>
//     children of the shapes (tooltips); a page should still offer the numbers as a table.
//
// The output is well-formed XML: all text is escaped.
package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"time"
)

// StatusColors is the fill colour of each agreement status (the values of agreement.Status).
//
// The palette is diverging around "nothing yet":
//
//   - none (no agreement, no sign-up): light grey #e5e5e5, deliberately quiet so that the
//     municipalities with an agreement stand out. It is the one colour below 3:1 against white;
//     legend swatches therefore always get a dark outline (#595959, 7:1), and on the map the
//     light grey areas read as "nothing" against the coloured ones.
//   - the way towards an agreement is a single-hue blue ramp that darkens step by step:
//     interested #4f9bd1, draft #2c74b8, approved #1f4f96, signed #12306b. Blue is seen by
//     people with red-green colour vision deficiency (the common kinds), and the steps differ
//     in lightness (CIE L* 61, 48, 34, 21), which every viewer, and greyscale print, can tell
//     apart.
//   - active (in force, the status that matters most) is a distinct dark green #1b7837.
//   - suspended is orange #d95f02 (blue and orange are the classic colour-blind-safe pair),
//     ended dark grey #4d4d4d and withdrawn mid grey #8c8c8c.
//
// Every colour except none has a contrast of at least 3:1 against white (WCAG 2.x non-text
// contrast: 3.0 for interested up to 12.6 for signed), checked by the package tests. Simulated
// protanopia, deuteranopia and tritanopia (Machado et al. 2009) keep every pair of colours at
// least ΔE*ab 11 apart; the closest pairs are neighbouring steps of the blue ramp, which differ
// in lightness. The map also carries the status in text (tooltips, data-status) and the legend
// gives labels and counts, so colour is never the only carrier of the information.
var StatusColors = map[string]string{
	"none":       "#e5e5e5",
	"interested": "#4f9bd1",
	"draft":      "#2c74b8",
	"approved":   "#1f4f96",
	"signed":     "#12306b",
	"active":     "#1b7837",
	"suspended":  "#d95f02",
	"ended":      "#4d4d4d",
	"withdrawn":  "#8c8c8c",
}

// Colours of text and lines shared by the charts (all at least 4.5:1 against white, except
// the gridlines, which are decoration).
const (
	textColor    = "#222222"
	mutedText    = "#555555"
	axisColor    = "#595959"
	gridColor    = "#d9d9d9"
	outlineColor = "#595959"
	fontFamily   = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
	fallbackFill = "#bdbdbd"
)

// svgWriter accumulates SVG markup.
type svgWriter struct {
	bytes.Buffer
}

// text writes s escaped for XML character data or attribute values.
func (w *svgWriter) text(s string) {
	_ = xml.EscapeText(w, []byte(s))
}

// num writes a coordinate with at most one decimal.
func (w *svgWriter) num(v float64) {
	w.WriteString(fmtNum(v))
}

// fmtNum formats v with at most one decimal, without a trailing ".0".
func fmtNum(v float64) string {
	t := int64(math.Round(v * 10))
	return string(appendTenths(nil, t))
}

// appendTenths appends t/10 in the shortest form: 12 → "1.2", -3 → "-.3", 30 → "3", 0 → "0".
func appendTenths(b []byte, t int64) []byte {
	if t < 0 {
		b = append(b, '-')
		t = -t
	}
	whole, frac := t/10, t%10
	if whole != 0 || frac == 0 {
		b = strconv.AppendInt(b, whole, 10)
	}
	if frac != 0 {
		b = append(b, '.', byte('0'+frac))
	}
	return b
}

// chartID returns a deterministic id prefix for a chart of the given kind.
func chartID(kind, title, desc string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(kind))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(title))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(desc))
	return fmt.Sprintf("%s-%08x", kind, h.Sum32())
}

// open writes the root element with its accessible name and description.
func (w *svgWriter) open(kind string, width, height float64, title, desc string) {
	id := chartID(kind, title, desc)
	w.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `)
	w.num(width)
	w.WriteByte(' ')
	w.num(height)
	w.WriteString(`" width="`)
	w.num(width)
	w.WriteString(`" height="`)
	w.num(height)
	w.WriteString(`" role="img" aria-labelledby="` + id + `-title ` + id + `-desc" class="chart chart-` + kind + `" font-family="` + fontFamily + `" font-size="12" fill="` + textColor + `">`)
	w.WriteString(`<title id="` + id + `-title">`)
	w.text(title)
	w.WriteString(`</title><desc id="` + id + `-desc">`)
	w.text(desc)
	w.WriteString(`</desc>`)
	// A white background, so that the chart reads the same on any page background.
	w.WriteString(`<rect width="100%" height="100%" fill="#ffffff"/>`)
}

// close ends the root element.
func (w *svgWriter) close() {
	w.WriteString(`</svg>`)
}

// swatch writes a legend square with a dark outline.
func (w *svgWriter) swatch(x, y, size float64, color string) {
	w.WriteString(`<rect x="`)
	w.num(x)
	w.WriteString(`" y="`)
	w.num(y)
	w.WriteString(`" width="`)
	w.num(size)
	w.WriteString(`" height="`)
	w.num(size)
	w.WriteString(`" fill="`)
	w.text(color)
	w.WriteString(`" stroke="` + outlineColor + `" stroke-width="1"/>`)
}

// label writes a text element at (x, y) with optional extra attributes (trusted markup).
func (w *svgWriter) label(x, y float64, attrs, s string) {
	w.WriteString(`<text x="`)
	w.num(x)
	w.WriteString(`" y="`)
	w.num(y)
	w.WriteByte('"')
	if attrs != "" {
		w.WriteByte(' ')
		w.WriteString(attrs)
	}
	w.WriteByte('>')
	w.text(s)
	w.WriteString(`</text>`)
}

// line writes a straight line.
func (w *svgWriter) line(x1, y1, x2, y2 float64, attrs string) {
	w.WriteString(`<line x1="`)
	w.num(x1)
	w.WriteString(`" y1="`)
	w.num(y1)
	w.WriteString(`" x2="`)
	w.num(x2)
	w.WriteString(`" y2="`)
	w.num(y2)
	w.WriteString(`" `)
	w.WriteString(attrs)
	w.WriteString(`/>`)
}

// niceMax returns a round upper bound ≥ max for an axis with about n ticks, and the tick step.
func niceMax(max, n int) (top, step int) {
	if max <= 0 {
		return 1, 1
	}
	raw := float64(max) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	var s float64
	switch f := raw / mag; {
	case f <= 1:
		s = 1
	case f <= 2:
		s = 2
	case f <= 2.5:
		s = 2.5
	case f <= 5:
		s = 5
	default:
		s = 10
	}
	step = int(math.Round(s * mag))
	if step < 1 {
		step = 1
	}
	top = (max + step - 1) / step * step
	return top, step
}

// colorOr returns c, or the fallback when c is empty.
func colorOr(c, fallback string) string {
	if c == "" {
		return fallback
	}
	return c
}

// textWidth estimates the rendered width of s at the given font size (sans-serif, average
// glyph about 0.58 em), for layout only.
func textWidth(s string, size float64) float64 {
	n := 0
	for range s {
		n++
	}
	return float64(n) * size * 0.58
}

// plotArea is the rectangle a chart plots in, in SVG units.
type plotArea struct{ left, right, top, bottom float64 }

// yGrid writes the horizontal gridlines and the y labels from 0 to top by
// step.
func (w *svgWriter) yGrid(a plotArea, top, step int, yOf func(int) float64) {
	w.WriteString(`<g class="y-axis" font-size="11" text-anchor="end">`)
	for v := 0; v <= top; v += step {
		y := yOf(v)
		if v > 0 {
			w.line(a.left, y, a.right, y, `stroke="`+gridColor+`" stroke-width="1"`)
		}
		w.label(a.left-6, y+4, "", strconv.Itoa(v))
	}
	w.WriteString(`</g>`)
}

// timeAxis writes the axis lines and the time ticks from t0 to t1, with
// labels; vGrid adds dashed vertical gridlines at the labelled ticks.
func (w *svgWriter) timeAxis(a plotArea, t0, t1 time.Time, xOf func(time.Time) float64, vGrid bool) {
	w.WriteString(`<g class="x-axis" font-size="11" text-anchor="middle">`)
	w.line(a.left, a.bottom, a.right, a.bottom, `stroke="`+axisColor+`" stroke-width="1"`)
	w.line(a.left, a.top, a.left, a.bottom, `stroke="`+axisColor+`" stroke-width="1"`)
	for _, tk := range timeTicks(t0, t1) {
		tx := xOf(tk.t)
		if tk.label != "" {
			w.line(tx, a.bottom, tx, a.bottom+6, `stroke="`+axisColor+`" stroke-width="1"`)
			if vGrid {
				w.line(tx, a.top, tx, a.bottom, `stroke="`+gridColor+`" stroke-width="1" stroke-dasharray="2 3"`)
			}
			w.label(tx, a.bottom+19, "", tk.label)
		} else {
			w.line(tx, a.bottom, tx, a.bottom+3, `stroke="`+axisColor+`" stroke-width="1"`)
		}
	}
	w.WriteString(`</g>`)
}
