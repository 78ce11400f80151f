package chart

import (
	"cmp"
	"slices"
	"strconv"
	"time"
)

// Point is one moment of a timeline: the value of every series on Date (Values[i] belongs to
// series i; a missing value counts as 0).
type Point struct {
	Date   time.Time
	Values []int
}

// Series is one line of a timeline or one segment colour of the bars.
type Series struct {
	Label string
	Color string
}

// Timeline layout, in SVG user units.
const (
	tlWidth   = 800.0
	tlHeight  = 300.0
	tlLeft    = 56.0  // y axis
	tlRight   = 756.0 // end of the plot; the last values are written to its right
	tlTop     = 44.0
	tlBottom  = 262.0 // x axis
	maxMarker = 120   // points per series up to which every point gets a marker with a tooltip
)

// dashes distinguish the series without relying on colour.
var dashes = []string{"", "7 4", "2 3", "10 3 2 3"}

// Timeline draws a step chart of counts over time: each series holds its value from a point's
// date until the next point. It has a y axis with round counts and horizontal gridlines, an x
// axis with the years (or months, for spans up to 18 months), and a legend at the top. The
// series are told apart by colour and by dash pattern; each point gets a marker with a tooltip
// ("dd-mm-yyyy: Label: value") when there are at most 120 points, and the last value of each
// series is written at the end of its line. Points need not be sorted.
func Timeline(points []Point, series []Series, title, desc string) []byte {
	pts := slices.Clone(points)
	slices.SortStableFunc(pts, func(a, b Point) int { return a.Date.Compare(b.Date) })
	value := func(p Point, s int) int {
		if s < len(p.Values) {
			return p.Values[s]
		}
		return 0
	}

	w := &svgWriter{}
	w.Grow(2048 + len(pts)*len(series)*110)
	w.open("timeline", tlWidth, tlHeight, title, desc)

	// Legend: a short line in the series' colour and dash, then the label.
	x := tlLeft
	for i, s := range series {
		w.WriteString(`<g data-series="` + strconv.Itoa(i) + `">`)
		w.line(x, 19, x+26, 19, `stroke="`+escAttr(colorOr(s.Color, fallbackFill))+`" stroke-width="3"`+dashAttr(i))
		w.label(x+32, 23, "", s.Label)
		w.WriteString(`</g>`)
		x += 32 + textWidth(s.Label, 12) + 24
	}

	// Scales.
	maxV := 0
	for _, p := range pts {
		for s := range series {
			maxV = max(maxV, value(p, s))
		}
	}
	top, step := niceMax(maxV, 5)
	yOf := func(v int) float64 { return tlBottom - float64(v)/float64(top)*(tlBottom-tlTop) }
	var t0, t1 time.Time
	if len(pts) > 0 {
		t0, t1 = dayOf(pts[0].Date), dayOf(pts[len(pts)-1].Date)
	} else {
		t0 = dayOf(time.Now())
		t1 = t0
	}
	if !t1.After(t0) {
		t0, t1 = t0.AddDate(0, 0, -15), t1.AddDate(0, 0, 15)
	}
	span := t1.Sub(t0).Hours()
	xOf := func(t time.Time) float64 {
		return tlLeft + dayOf(t).Sub(t0).Hours()/span*(tlRight-tlLeft)
	}

	area := plotArea{left: tlLeft, right: tlRight, top: tlTop, bottom: tlBottom}
	w.yGrid(area, top, step, yOf)
	w.timeAxis(area, t0, t1, xOf, true)

	// The series.
	for i, s := range series {
		color := escAttr(colorOr(s.Color, fallbackFill))
		w.WriteString(`<g class="series" data-series="` + strconv.Itoa(i) + `" data-points="` + strconv.Itoa(len(pts)) + `">`)
		if len(pts) > 0 {
			w.WriteString(`<path fill="none" stroke="` + color + `" stroke-width="2.5" stroke-linejoin="round"` + dashAttr(i) + ` d="M`)
			w.num(xOf(pts[0].Date))
			w.WriteByte(' ')
			w.num(yOf(value(pts[0], i)))
			for _, p := range pts[1:] {
				w.WriteString(`H`)
				w.num(xOf(p.Date))
				w.WriteString(`V`)
				w.num(yOf(value(p, i)))
			}
			w.WriteString(`"/>`)
			if len(pts) <= maxMarker {
				for _, p := range pts {
					w.WriteString(`<circle cx="`)
					w.num(xOf(p.Date))
					w.WriteString(`" cy="`)
					w.num(yOf(value(p, i)))
					w.WriteString(`" r="3" fill="` + color + `" stroke="#ffffff" stroke-width="1"><title>`)
					w.text(p.Date.Format("02-01-2006") + ": " + s.Label + ": " + strconv.Itoa(value(p, i)))
					w.WriteString(`</title></circle>`)
				}
			}
		}
		w.WriteString(`</g>`)
	}

	// The last value of every series, at the end of its line, pushed apart so that close
	// values do not overlap.
	if len(pts) > 0 && len(series) > 0 {
		last := pts[len(pts)-1]
		type endLabel struct {
			i int
			y float64
		}
		ends := make([]endLabel, len(series))
		for i := range series {
			ends[i] = endLabel{i, yOf(value(last, i)) + 4}
		}
		slices.SortStableFunc(ends, func(a, b endLabel) int { return cmp.Compare(b.y, a.y) })
		for k := 1; k < len(ends); k++ {
			if ends[k].y > ends[k-1].y-12 {
				ends[k].y = ends[k-1].y - 12
			}
		}
		w.WriteString(`<g class="last-values" font-size="11" font-weight="bold">`)
		for _, e := range ends {
			w.label(xOf(last.Date)+6, e.y, `fill="`+textColor+`"`, strconv.Itoa(value(last, e.i)))
		}
		w.WriteString(`</g>`)
	}
	w.close()
	return w.Bytes()
}

// dashAttr returns the stroke-dasharray attribute of series i ("" for a solid line).
func dashAttr(i int) string {
	d := dashes[i%len(dashes)]
	if d == "" {
		return ""
	}
	return ` stroke-dasharray="` + d + `"`
}

// escAttr escapes s for an attribute value.
func escAttr(s string) string {
	var w svgWriter
	w.text(s)
	return w.String()
}

// dayOf returns t's calendar day as UTC midnight.
func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

type timeTick struct {
	t     time.Time
	label string // "" for a minor tick
}

// timeTicks returns the ticks between t0 and t1 (UTC midnights): for spans over 18 months a
// labelled tick at every new year (every 2, 5, … years for long spans) and minor ticks at the
// quarters; for shorter spans labelled month ticks "mm/yyyy" every 1, 2, 3 or 6 months and
// minor ticks at the other months.
func timeTicks(t0, t1 time.Time) []timeTick {
	months := (t1.Year()-t0.Year())*12 + int(t1.Month()-t0.Month())
	var out []timeTick
	first := time.Date(t0.Year(), t0.Month(), 1, 0, 0, 0, 0, time.UTC)
	if first.Before(t0) {
		first = first.AddDate(0, 1, 0)
	}
	if months > 18 {
		years := months / 12
		every := 1
		for _, e := range []int{1, 2, 5, 10, 20, 50} {
			every = e
			if years/e <= 10 {
				break
			}
		}
		for m := first; !m.After(t1); m = m.AddDate(0, 1, 0) {
			switch {
			case m.Month() == time.January && m.Year()%every == 0:
				out = append(out, timeTick{m, strconv.Itoa(m.Year())})
			case every == 1 && (m.Month()-1)%3 == 0:
				out = append(out, timeTick{m, ""})
			}
		}
		return out
	}
	every := 1
	for _, e := range []int{1, 2, 3, 6} {
		every = e
		if months/e <= 9 {
			break
		}
	}
	for m := first; !m.After(t1); m = m.AddDate(0, 1, 0) {
		if (int(m.Month())-1)%every == 0 {
			out = append(out, timeTick{m, m.Format("01/2006")})
		} else {
			out = append(out, timeTick{m, ""})
		}
	}
	return out
}
