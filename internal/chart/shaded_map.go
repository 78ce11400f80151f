package chart

import (
	"fmt"
	"regexp"
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
	shapes := make([]mapArea, len(areas))
	for i, a := range areas {
		if !hexColor.MatchString(a.Color) {
			return nil, fmt.Errorf("chart: municipality %s has colour %q, want #rrggbb", a.NIS, a.Color)
		}
		shapes[i] = mapArea{NIS: a.NIS, Name: a.Name, Key: a.Class, Color: a.Color, Label: a.Label}
	}
	for _, it := range legend {
		if !hexColor.MatchString(it.Color) {
			return nil, fmt.Errorf("chart: legend item %q has colour %q, want #rrggbb", it.Label, it.Color)
		}
	}
	return drawMap(year, "data-class", shapes, legend, func(it LegendItem) string { return it.Color }, title, desc)
}
