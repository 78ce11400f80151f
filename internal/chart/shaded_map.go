package chart

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Shade is one municipality on a shaded map: a class of a measure (a ratio band, a flag)
// rather than an agreement status.
type Shade struct {
	// NIS is the municipality's 5-digit NIS code, matched against the boundaries.
	NIS string
	// Name is shown in the tooltip; empty: the boundaries' name.
	Name string
	// Class is the area's class, written as data-class (e.g. "far_fewer").
	Class string
	// Color is the fill, "#rrggbb".
	Color string
	// Label is the tooltip text after the name (e.g. "0,42 (0,18–0,81)").
	Label string
}

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// ShadedMap draws the Flemish municipalities in force in year, as Map does, each filled with
// its Shade's colour, with data-nis and data-class attributes and a <title> "Name: Label" as
// tooltip; the legend items use their Color (Status is written as data-class). Brussels codes
// are skipped; ShadedMap fails for a year before 2019, a colour that is not #rrggbb, a NIS
// code given twice, or any other area without boundaries.
func ShadedMap(year int, areas []Shade, legend []LegendItem, title, desc string) ([]byte, error) {
	l, err := layerFor(year)
	if err != nil {
		return nil, err
	}
	byShape := make([]int, len(l.shapes))
	var missing []string
	for i, a := range areas {
		if !hexColor.MatchString(a.Color) {
			return nil, fmt.Errorf("chart: municipality %s has colour %q, want #rrggbb", a.NIS, a.Color)
		}
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
	for _, it := range legend {
		if !hexColor.MatchString(it.Color) {
			return nil, fmt.Errorf("chart: legend item %q has colour %q, want #rrggbb", it.Label, it.Color)
		}
	}

	rows := (len(legend) + legendColumns - 1) / legendColumns
	legendTop := mapBottom + 14
	height := legendTop + float64(rows)*legendRowH + 22

	w := &svgWriter{}
	w.Grow(l.dBytes + 160*len(areas) + 200*len(legend) + 1024)
	w.open("map", mapWidth, height, title, desc)
	w.WriteString(`<g stroke="#ffffff" stroke-width=".5" stroke-linejoin="round" fill-rule="evenodd">`)
	for s, ai := range byShape {
		if ai == 0 {
			continue
		}
		a, sh := &areas[ai-1], &l.shapes[s]
		w.WriteString(`<path data-nis="`)
		w.text(sh.nis)
		w.WriteString(`" data-class="`)
		w.text(a.Class)
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
			label = a.Class
		}
		w.text(name + ": " + label)
		w.WriteString(`</title></path>`)
	}
	w.WriteString(`</g>`)
	if len(legend) > 0 {
		colW := (mapRight - mapLeft) / legendColumns
		w.WriteString(`<g class="legend">`)
		for i, it := range legend {
			x := mapLeft + float64(i%legendColumns)*colW
			y := legendTop + float64(i/legendColumns)*legendRowH
			w.WriteString(`<g data-class="`)
			w.text(it.Status)
			w.WriteString(`" data-count="` + strconv.Itoa(it.Count) + `">`)
			w.swatch(x+.5, y+.5, 13, it.Color)
			w.label(x+19, y+11.5, "", it.Label+" ("+strconv.Itoa(it.Count)+")")
			w.WriteString(`</g>`)
		}
		w.WriteString(`</g>`)
	}
	w.label(mapRight, height-7, `font-size="9" text-anchor="end" fill="`+mutedText+`"`, Credit+"; toestand "+l.period)
	w.close()
	return w.Bytes(), nil
}
