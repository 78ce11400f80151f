package pack

import (
	"context"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/municipality"
	"kansrijk/internal/outcome"
	"kansrijk/internal/referral"
	"kansrijk/internal/suppress"
)

// fakeOutcomes serves fixed cells, within the query's months.
type fakeOutcomes struct {
	cells []outcome.Cell
	asked []outcome.Query
}

func (f *fakeOutcomes) OutcomeCells(_ context.Context, a account.Actor, q outcome.Query) ([]outcome.Cell, error) {
	f.asked = append(f.asked, q)
	var out []outcome.Cell
	for _, c := range f.cells {
		m, _ := time.ParseInLocation("2006-01", c.Month, brussels)
		if !m.Before(q.From) && m.Before(q.To) {
			out = append(out, c)
		}
	}
	return out, nil
}

func cell(month, nis string, sent, reached, opened int, rights map[string]int) outcome.Cell {
	return outcome.Cell{Month: month, NIS: nis, Counts: outcome.Counts{Sent: sent, Drafted: sent, Received: sent, Reached: reached,
		Outcomes: map[string]int{referral.OutcomeRightsOpened: opened}, Rights: rights}}
}

// TestFamiliesPublished: the families' figures of a pack are the published quarters only
// (ended by the pack's date), per province of residence, every shown count a multiple of 5
// and the small ones hidden, as internal/suppress publishes them everywhere.
func TestFamiliesPublished(t *testing.T) {
	reg, err := municipality.Load()
	if err != nil {
		t.Fatal(err)
	}
	fo := &fakeOutcomes{cells: []outcome.Cell{
		cell("2022-11", "44021", 20, 15, 11, map[string]int{"leefloon": 6, "verhoogde_tegemoetkoming": 9}), // Gent, Oost-Vlaanderen
		cell("2022-12", "44021", 18, 12, 6, map[string]int{"leefloon": 2}),
		cell("2022-10", "71016", 9, 6, 2, nil), // Genk, Limburg
		cell("2022-11", "71016", 1, 1, 1, map[string]int{"leefloon": 1}),
		cell("2023-04", "44021", 50, 40, 30, nil), // after the last ended quarter
	}}
	f := Figures{AsOf: time.Date(2023, 6, 15, 0, 0, 0, 0, time.UTC), From: time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 6, 15, 0, 0, 0, 0, time.UTC)}
	if err := f.families(context.Background(), Sources{Outcomes: fo, Municipalities: reg}); err != nil {
		t.Fatal(err)
	}
	if !f.Published || f.QFrom.Format("2006-01") != "2022-01" || f.QTo.Format("2006-01") != "2023-03" {
		t.Fatalf("period %v %v %v", f.Published, f.QFrom, f.QTo)
	}
	if q := fo.asked[0]; !q.To.Equal(time.Date(2023, 4, 1, 0, 0, 0, 0, brussels)) {
		t.Errorf("asked up to %v", q.To)
	}
	row := map[string]FamilyRow{}
	for _, r := range f.Families.Rows {
		row[r.Province] = r
		for _, c := range []suppress.Cell{r.Sent, r.Reached, r.RightsOpened} {
			if !c.Suppressed && c.Value%5 != 0 {
				t.Errorf("%s: %s is not rounded to 5", r.Province, c)
			}
		}
	}
	// Rights opened: Genk's 3 of the fourth quarter is "<5", so Gent's is hidden too ("x").
	if g := row["Oost-Vlaanderen"]; g.Sent.String() != "40" || g.Reached.String() != "25" || g.RightsOpened.String() != "x" {
		t.Errorf("Oost-Vlaanderen: %s %s %s", g.Sent, g.Reached, g.RightsOpened)
	}
	if l := row["Limburg"]; l.Sent.String() != "10" {
		t.Errorf("Limburg sent %s", l.Sent)
	}
	if a := row["Antwerpen"]; a.Sent.String() != "0" {
		t.Errorf("Antwerpen sent %s", a.Sent)
	}
	if tot := f.Families.Total; tot.Sent.String() != "50" {
		t.Errorf("total sent %s (10 + 40, the quarter after the date left out)", tot.Sent)
	}
	if r := f.Families.Total.Rights["leefloon"]; !r.Suppressed && (r.Value < 5 || r.Value%5 != 0) {
		t.Errorf("leefloon %v", r)
	}
	// The table says the same, as published.
	found := false
	for _, r := range Table(f).Rows {
		if r[0] == 4 && r[1] == "doorverwezen" && r[3] == "Oost-Vlaanderen" {
			found = r[7] == 40
		}
	}
	if !found {
		t.Error("the table lacks Oost-Vlaanderen's 40 referrals")
	}

	// Before any quarter of the period ended, nothing is published.
	f2 := Figures{AsOf: time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC), From: time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)}
	if err := f2.families(context.Background(), Sources{Outcomes: fo, Municipalities: reg}); err != nil {
		t.Fatal(err)
	}
	if f2.Published || f2.Families == nil || len(f2.Families.Rows) != 0 {
		t.Errorf("published before a quarter ended: %+v", f2.Families)
	}
}

// TestMapShapes: the pack's map has one shape per Flemish municipality of the date's
// boundaries (300 before 2025, 285 from 2025), each read back from chart.Map with its rings.
func TestMapShapes(t *testing.T) {
	reg, err := municipality.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		day  time.Time
		want int
	}{{time.Date(2023, 3, 8, 0, 0, 0, 0, time.UTC), 300}, {time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), 285}} {
		var ms []agreement.MunicipalityState
		for _, m := range reg.On(tc.day, municipality.Flanders) {
			ms = append(ms, agreement.MunicipalityState{NIS: m.NIS, Name: m.Name, Province: m.Province, Status: agreement.None})
		}
		ms[0].Status = agreement.Active
		svg, err := MapSVG(Figures{AsOf: tc.day, Agreements: agreement.Report{Municipalities: ms}})
		if err != nil {
			t.Fatal(err)
		}
		shapes, err := mapShapes(svg)
		if err != nil {
			t.Fatal(err)
		}
		if len(shapes) != tc.want {
			t.Errorf("%s: %d shapes, want %d", tc.day.Format(time.DateOnly), len(shapes), tc.want)
		}
		active := 0
		for _, s := range shapes {
			if len(s.rings) == 0 {
				t.Errorf("%s without rings", s.nis)
			}
			for _, r := range s.rings {
				for _, p := range r {
					if p[0] < 0 || p[0] > 800 || p[1] < 0 || p[1] > 330 {
						t.Fatalf("%s: point %v outside the map", s.nis, p)
					}
				}
			}
			if s.status == "active" {
				active++
				if s.fill != [3]int{0x1b, 0x78, 0x37} {
					t.Errorf("active fill %v", s.fill)
				}
			}
		}
		if active != 1 {
			t.Errorf("%d active shapes", active)
		}
	}
}

func TestParsePath(t *testing.T) {
	rings, err := parsePath("M10 20l5 0 0 5-5 0zM100.5 .5l1 1 1-1zM0 0L1 0V1H0z")
	if err != nil {
		t.Fatal(err)
	}
	if len(rings) != 3 || len(rings[0]) != 4 || rings[0][2] != [2]float64{15, 25} || rings[1][0] != [2]float64{100.5, 0.5} || rings[2][2] != [2]float64{1, 1} {
		t.Errorf("%v", rings)
	}
	if _, err := parsePath("M0 0C1 1 2 2 3 3"); err == nil || !strings.Contains(err.Error(), "unsupported") {
		t.Errorf("a curve: %v", err)
	}
}
