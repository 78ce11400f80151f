package chart

import (
	"strings"
	"testing"

	"kansrijk/internal/municipality"
)

// TestShadedMapShapes: one path per municipality of the year (300 before 2025, 285 from 2025),
// each with its class, colour and tooltip; Brussels skipped; bad input refused.
func TestShadedMapShapes(t *testing.T) {
	reg := municipality.MustLoad()
	for _, tt := range []struct {
		year int
		day  string
		want int
	}{{2024, "2024-12-31", 300}, {2025, "2025-12-31", 285}} {
		day, _ := municipality.ParseDate(tt.day)
		var areas []Shade
		for i, m := range reg.On(day, "") {
			c := "#b35806"
			if i%2 == 1 {
				c = "#d8daeb"
			}
			areas = append(areas, Shade{NIS: m.NIS, Name: m.Name, Class: "c" + c[1:], Color: c, Label: "1,00"})
		}
		svg, err := ShadedMap(tt.year, areas, []LegendItem{{Status: "cb35806", Label: "Veel minder", Color: "#b35806", Count: 3}}, "Titel", "Beschrijving")
		if err != nil {
			t.Fatal(err)
		}
		s := string(svg)
		if n := strings.Count(s, "<path "); n != tt.want {
			t.Errorf("%d: %d paths, want %d", tt.year, n, tt.want)
		}
		if !strings.Contains(s, `data-class="cb35806" fill="#b35806"`) || !strings.Contains(s, "Veel minder (3)") || !strings.Contains(s, ": 1,00</title>") {
			t.Errorf("%d: class, colour, legend or tooltip missing", tt.year)
		}
	}
	if _, err := ShadedMap(2025, []Shade{{NIS: "11002", Color: "red"}}, nil, "", ""); err == nil {
		t.Error("a colour that is not #rrggbb is refused")
	}
	if _, err := ShadedMap(2025, []Shade{{NIS: "46003", Color: "#000000"}}, nil, "", ""); err == nil {
		t.Error("a 2024 code on a 2025 map is refused")
	}
	if _, err := ShadedMap(2025, []Shade{{NIS: "11002", Color: "#000000"}, {NIS: "11002", Color: "#000000"}}, nil, "", ""); err == nil {
		t.Error("a code given twice is refused")
	}
}
