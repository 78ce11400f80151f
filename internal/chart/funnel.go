package chart

import "strconv"

// FunnelRow is one stage of a funnel chart: how many ever reached it (this stage or a later
// one) and how many are in it now, and an optional note written after the numbers (e.g. the
// conversion to the next stage, formatted by the caller in the reader's language).
type FunnelRow struct {
	Key     string
	Label   string
	Color   string
	Reached int
	Current int
	Note    string
}

// FunnelText holds the legend labels of a funnel chart, in the reader's language.
type FunnelText struct {
	Reached string // e.g. "ooit bereikt"
	Current string // e.g. "nu in deze fase"
}

// Funnel layout, in SVG user units.
const (
	fnWidth    = 800.0
	fnTop      = 44.0
	fnRowH     = 34.0
	fnReachedH = 15.0
	fnCurrentH = 7.0
	fnBarsEnd  = 470.0 // end of the longest bar; the numbers follow
	fnNumbersX = 480.0
	fnNoteX    = 562.0
)

// Funnel draws a funnel chart: one row per stage, top to bottom in the given order, with the
// label on the left, a thick bar for the number that reached the stage and under it a thin
// bar for the number in it now (both in the stage's colour, on one scale: the largest
// number reached), then "reached / now" and the note. Each row is a <g class="stage"
// data-key="…" data-reached="…" data-current="…"> with a <title> tooltip; the legend at the
// top explains the two bars. A zero gives no bar, only its number.
func Funnel(rows []FunnelRow, text FunnelText, title, desc string) []byte {
	maxV := 1
	labelW := 60.0
	for _, r := range rows {
		maxV = max(maxV, r.Reached, r.Current)
		labelW = max(labelW, min(240, textWidth(r.Label, 12)+10))
	}
	left := labelW + 10
	xOf := func(v int) float64 { return left + float64(max(v, 0))/float64(maxV)*(fnBarsEnd-left) }
	height := fnTop + float64(len(rows))*fnRowH + 12

	w := &svgWriter{}
	w.Grow(2048 + len(rows)*600)
	w.open("funnel", fnWidth, height, title, desc)

	// Legend: a thick and a thin sample bar.
	x := left
	w.WriteString(`<g class="legend">`)
	w.WriteString(`<rect x="`)
	w.num(x)
	w.WriteString(`" y="12" width="26" height="`)
	w.num(fnReachedH)
	w.WriteString(`" fill="` + axisColor + `"/>`)
	w.label(x+32, 24, "", text.Reached)
	x += 32 + textWidth(text.Reached, 12) + 24
	w.WriteString(`<rect x="`)
	w.num(x)
	w.WriteString(`" y="16" width="26" height="`)
	w.num(fnCurrentH)
	w.WriteString(`" fill="` + axisColor + `"/>`)
	w.label(x+32, 24, "", text.Current)
	w.WriteString(`</g>`)

	for i, r := range rows {
		y := fnTop + float64(i)*fnRowH
		color := escAttr(colorOr(r.Color, fallbackFill))
		w.WriteString(`<g class="stage" data-key="`)
		w.text(r.Key)
		w.WriteString(`" data-reached="` + strconv.Itoa(r.Reached) + `" data-current="` + strconv.Itoa(r.Current) + `"><title>`)
		tip := r.Label + ": " + text.Reached + " " + strconv.Itoa(r.Reached) + ", " + text.Current + " " + strconv.Itoa(r.Current)
		if r.Note != "" {
			tip += ", " + r.Note
		}
		w.text(tip)
		w.WriteString(`</title>`)
		w.label(labelW, y+fnReachedH-3, `text-anchor="end"`, r.Label)
		if r.Reached > 0 {
			w.WriteString(`<rect class="reached" x="`)
			w.num(left)
			w.WriteString(`" y="`)
			w.num(y)
			w.WriteString(`" width="`)
			w.num(xOf(r.Reached) - left)
			w.WriteString(`" height="`)
			w.num(fnReachedH)
			w.WriteString(`" fill="` + color + `"/>`)
		}
		if r.Current > 0 {
			w.WriteString(`<rect class="current" x="`)
			w.num(left)
			w.WriteString(`" y="`)
			w.num(y + fnReachedH + 2)
			w.WriteString(`" width="`)
			w.num(xOf(r.Current) - left)
			w.WriteString(`" height="`)
			w.num(fnCurrentH)
			w.WriteString(`" fill="` + color + `"/>`)
		}
		w.line(left, y-2, left, y+fnReachedH+fnCurrentH+4, `stroke="`+axisColor+`" stroke-width="1"`)
		w.WriteString(`<text x="`)
		w.num(fnNumbersX)
		w.WriteString(`" y="`)
		w.num(y + fnReachedH - 3)
		w.WriteString(`"><tspan font-weight="bold">` + strconv.Itoa(r.Reached) + `</tspan><tspan dx="5" fill="` + mutedText + `">/ ` + strconv.Itoa(r.Current) + `</tspan></text>`)
		if r.Note != "" {
			w.label(fnNoteX, y+fnReachedH-3, `fill="`+mutedText+`"`, r.Note)
		}
		w.WriteString(`</g>`)
	}
	w.close()
	return w.Bytes()
}
