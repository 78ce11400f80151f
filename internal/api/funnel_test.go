package api_test

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// seriesJSON is the answer of GET /api/v1/reports/outreach/series.
type seriesJSON struct {
	From   string   `json:"from"`
	To     string   `json:"to"`
	Group  string   `json:"group"`
	Days   []string `json:"days"`
	Groups []struct {
		Group  string           `json:"group"`
		Key    string           `json:"key"`
		Counts map[string][]int `json:"counts"`
		Totals []int            `json:"totals"`
	} `json:"groups"`
}

var funnelStages = []string{"not_informed", "informed", "in_conversation", "signed_up", "drafting", "approved", "signed", "active", "ended"}

func TestOutreachSeriesAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		const route = "/api/v1/reports/outreach/series"
		const rep = "/api/v1/reports/outreach"
		f.call(t, "POST", "/api/v1/outreach/campaigns", "/api/v1/outreach/campaigns", "admin",
			map[string]any{"kind": "newsletter", "on": "2023-01-20", "partner": "VVSG", "subject": "Decreet", "audience": "province", "audience_param": "Limburg"}, 201, nil)
		f.call(t, "POST", "/api/v1/outreach/contact-moments", "/api/v1/outreach/contact-moments", "workerzuid",
			map[string]any{"municipality_nis": "73040", "on": "2023-05-02", "channel": "meeting", "summary": "Kennismaking"}, 201, nil)
		f.call(t, "POST", "/api/v1/agreements", "/api/v1/agreements", "admin",
			map[string]any{"team": "team-noord", "municipality_nis": "13016", "status": "interested", "effective_on": "2023-10-02"}, 201, nil)

		// Defaults: from February 2022 to today (2026-03-02), all of Flanders.
		var s seriesJSON
		f.call(t, "GET", route, route, "analyst", nil, 200, &s)
		if s.From != "2022-02-01" || s.To != "2026-03-02" || s.Group != "all" || len(s.Days) != 51 || len(s.Groups) != 1 || s.Groups[0].Group != "all" {
			t.Fatalf("defaults: from %s to %s group %s, %d days, %d groups", s.From, s.To, s.Group, len(s.Days), len(s.Groups))
		}

		// Every point equals the report of its day, per province too.
		f.call(t, "GET", route+"?from=2022-12-15&to=2025-06-01&group=province", route, "lead", nil, 200, &s)
		if len(s.Days) != 31 || s.Days[0] != "2022-12-15" || s.Days[1] != "2023-01-01" || s.Days[30] != "2025-06-01" || len(s.Groups) != 6 {
			t.Fatalf("days %v, %d groups", s.Days, len(s.Groups))
		}
		for i, day := range s.Days {
			var r struct {
				Total          int            `json:"total"`
				Counts         map[string]int `json:"counts"`
				Municipalities []struct {
					Province string `json:"province"`
					Stage    string `json:"stage"`
				} `json:"municipalities"`
			}
			f.call(t, "GET", rep+"?as_of="+day, rep, "lead", nil, 200, &r)
			perProvince := map[string]map[string]int{}
			for _, m := range r.Municipalities {
				if perProvince[m.Province] == nil {
					perProvince[m.Province] = map[string]int{}
				}
				perProvince[m.Province][m.Stage]++
			}
			for _, g := range s.Groups {
				want := r.Counts
				if g.Group == "province" {
					want = perProvince[g.Key]
				}
				sum := 0
				for _, st := range funnelStages {
					if g.Counts[st][i] != want[st] {
						t.Fatalf("%s %q on %s: %s %d, the report says %d", g.Group, g.Key, day, st, g.Counts[st][i], want[st])
					}
					sum += want[st]
				}
				if g.Totals[i] != sum {
					t.Fatalf("%s %q on %s: total %d, want %d", g.Group, g.Key, day, g.Totals[i], sum)
				}
			}
			if s.Groups[0].Totals[i] != r.Total {
				t.Fatalf("on %s: total %d, report %d", day, s.Groups[0].Totals[i], r.Total)
			}
		}
		limburg := s.Groups[5]
		if limburg.Key != "Limburg" || limburg.Counts["informed"][1] != 0 || limburg.Counts["informed"][2] == 0 || limburg.Counts["in_conversation"][6] != 1 {
			t.Errorf("Limburg: %+v", limburg)
		}

		// Per team, by the areas of each day.
		f.call(t, "GET", route+"?from=2023-01-01&to=2025-02-01&group=team", route, "workerzuid", nil, 200, &s)
		var keys []string
		for _, g := range s.Groups[1:] {
			keys = append(keys, g.Key)
		}
		if !slices.Equal(keys, []string{"", "team-noord", "team-zuid"}) {
			t.Fatalf("team groups %q", keys)
		}
		zuid := s.Groups[3]
		if last := len(s.Days) - 1; zuid.Totals[0] != 2 || zuid.Totals[last] != 2 || zuid.Counts["in_conversation"][last] != 1 {
			t.Errorf("team-zuid %+v", zuid)
		}
		noord := s.Groups[2]
		if i := slices.Index(s.Days, "2023-11-01"); noord.Counts["signed_up"][i] != 1 || noord.Totals[i] != 3 {
			t.Errorf("team-noord in November 2023: %+v", noord)
		}

		// The same as CSV and XLSX: one row per group and day.
		r := f.call(t, "GET", route+"?from=2023-01-01&to=2025-02-01&group=team&format=csv&lang=codes", route, "admin", nil, 200, nil)
		rows := outrCSV(t, r.Body)
		if len(rows) != 1+len(s.Groups)*len(s.Days) || fmt.Sprint(rows[0][:5]) != "[group key day total not_informed]" || len(rows[0]) != 4+len(funnelStages) {
			t.Fatalf("CSV: %d rows, header %v", len(rows), rows[0])
		}
		for _, row := range rows[1:] {
			if row[0] != "team" || row[1] != "team-zuid" {
				continue
			}
			i := slices.Index(s.Days, row[2])
			if i < 0 || row[3] != strconv.Itoa(zuid.Totals[i]) || row[6] != strconv.Itoa(zuid.Counts["in_conversation"][i]) {
				t.Fatalf("CSV row %v, JSON day %d: %+v", row, i, zuid)
			}
		}
		r = f.call(t, "GET", route+"?from=2023-01-01&to=2025-02-01&group=team&format=xlsx&lang=codes", route, "admin", nil, 200, nil)
		if x := outrXLSX(t, r.Body); len(x) != len(rows) || fmt.Sprint(x[len(x)-1][3:]) != fmt.Sprint(rows[len(rows)-1][3:]) {
			t.Fatalf("XLSX: %d rows, last %v; CSV last %v", len(x), x[len(x)-1], rows[len(rows)-1])
		}

		// Before the decree month, from defaults to the day itself.
		f.call(t, "GET", route+"?to=2021-06-30", route, "admin", nil, 200, &s)
		if s.From != "2021-06-30" || len(s.Days) != 1 || s.Groups[0].Totals[0] != 300 {
			t.Fatalf("2021: %+v", s)
		}

		// Roles and bad input.
		for _, who := range []string{"clinic", "ocmw", "dpo"} {
			outrCode(t, f.call(t, "GET", route, route, who, nil, 403, nil), "forbidden")
		}
		f.call(t, "GET", route, route, "", nil, 401, nil)
		for q, code := range map[string]string{
			"from=2023-02-30":                   "invalid_date",
			"to=morgen":                         "invalid_date",
			"from=2024-01-01&to=2023-01-01":     "invalid_date",
			"from=2018-12-31":                   "invalid_date",
			"to=2030-01-01":                     "invalid_date",
			"group=gemeente":                    "invalid",
			"format=pdf":                        "invalid",
			"group=" + url.QueryEscape("team "): "",
		} {
			if code == "" {
				f.call(t, "GET", route+"?"+q, route, "admin", nil, 200, nil) // trimmed
				continue
			}
			outrCode(t, f.call(t, "GET", route+"?"+q, route, "admin", nil, 400, nil), code)
		}
	})
}
