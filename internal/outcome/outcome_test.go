package outcome

import (
	"net/url"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
)

func TestPercentile(t *testing.T) {
	for _, c := range []struct {
		days []int
		p    float64
		want int
	}{
		{[]int{7}, 50, 7}, {[]int{5, 1, 3, 9}, 50, 3}, {[]int{5, 1, 3}, 50, 3}, {[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9},
		{[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 90, 10}, {[]int{4, 4, 4}, 90, 4},
	} {
		if got, ok := Percentile(c.days, c.p); !ok || got != c.want {
			t.Errorf("Percentile(%v, %v) = %d, want %d", c.days, c.p, got, c.want)
		}
	}
	if _, ok := Median(nil); ok {
		t.Error("a median of nothing")
	}
}

func cellOf(month, nis, team string, c Counts, first ...int) Cell {
	return Cell{Month: month, NIS: nis, Team: team, OCMW: "ocmw-" + nis, Counts: c, DaysToFirstContact: first}
}

// TestBuild: an own view shows exact sums; a published one only multiples of 5 or hidden
// counts, hides the medians of a hidden count, and shows the same months and total whatever
// the grouping.
func TestBuild(t *testing.T) {
	months := Months(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	cells := []Cell{
		cellOf("2025-01", "13016", "team-noord", Counts{Drafted: 12, Sent: 11, Reached: 7, ContactAttempted: 9, Outcomes: map[string]int{"declined": 2}}, 1, 2, 3, 4, 5, 6, 7, 8, 9),
		cellOf("2025-02", "13016", "team-noord", Counts{Drafted: 3, Sent: 2, Reached: 1, ContactAttempted: 1}, 4),
		cellOf("2025-02", "12014", "team-noord", Counts{Drafted: 20, Sent: 18, Reached: 14, ContactAttempted: 16}, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5),
		cellOf("2025-05", "11007", "team-zuid", Counts{Drafted: 9, Sent: 9, Reached: 2, ContactAttempted: 2, Births: 30, BirthsContacted14: 21}, 10, 12),
	}
	own := Build(cells, months, GroupTeam, ByTeam, false)
	if len(own.Rows) != 2 || own.Rows[0].Key != "team-noord" || own.Rows[0].Counts["sent"].Value != 31 || own.Total.Counts["drafted"].Value != 44 {
		t.Fatalf("own view: %+v", own)
	}
	if m := own.Rows[1].MedianDaysFirstContact; m == nil || *m != 10 {
		t.Errorf("own view: team-zuid's median %v, want 10 (shown in the own view however small)", m)
	}
	if r := own.Rows[0].ReachRate; r == nil || *r != 22.0/31 {
		t.Errorf("reach rate %v", r)
	}
	var published []Report
	for _, g := range Groupings {
		rep := Build(cells, months, g, KeyOf(g, func(string) string { return "Antwerpen" }), true)
		published = append(published, rep)
		for _, row := range append(append(rep.Rows, rep.Months...), rep.Total) {
			for m, c := range row.Counts {
				if !c.Suppressed && c.Value%5 != 0 {
					t.Errorf("%s: %s %s = %d, not rounded", g, row.Key, m, c.Value)
				}
			}
			if c := row.Counts["contact_attempted"]; c.Suppressed && row.MedianDaysFirstContact != nil {
				t.Errorf("%s: %s shows a median of a hidden count", g, row.Key)
			}
		}
	}
	for _, rep := range published[1:] {
		for j := range months {
			if rep.Months[j].Counts["sent"] != published[0].Months[j].Counts["sent"] {
				t.Errorf("%s: month %d differs from the grouping by month", rep.Group, j)
			}
		}
		if rep.Total.Counts["sent"] != published[0].Total.Counts["sent"] {
			t.Errorf("%s: total differs", rep.Group)
		}
	}
}

func TestParseRequest(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	lead := account.Actor{Role: account.TeamLead, Org: "team-noord"}
	analyst := account.Actor{Role: account.Analyst, Org: "opgroeien"}
	req, err := ParseRequest(url.Values{}, lead, now)
	if err != nil || req.To.Format("2006-01") != "2026-03" || req.From.Format("2006-01") != "2025-04" || req.Group != GroupMonth {
		t.Errorf("lead defaults: %+v %v", req, err)
	}
	req, err = ParseRequest(url.Values{}, analyst, now)
	if err != nil || req.To.Format("2006-01") != "2025-12" {
		t.Errorf("analyst defaults: %+v %v", req, err)
	}
	if months, ok := Window(Request{From: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}, analyst, now); !ok ||
		months[0].Format("2006-01") != "2025-01" || months[len(months)-1].Format("2006-01") != "2025-12" {
		t.Errorf("analyst window: %v", months)
	}
	_, err = ParseRequest(url.Values{"from": {"2025-13"}, "to": {"x"}, "group": {"week"}}, lead, now)
	list := apperr.Problems(err)
	if len(list) != 3 {
		t.Errorf("every problem at once: %v", err)
	}
	if _, err := ParseRequest(url.Values{"from": {"2025-06"}, "to": {"2025-01"}}, lead, now); !apperr.Is(err, apperr.InvalidDate) {
		t.Errorf("from after to: %v", err)
	}
	if CanRead(account.Actor{Role: account.TeamWorker}) || CanRead(account.Actor{Role: account.DPO}) || !CanRead(account.Actor{Role: account.OCMWAdmin}) {
		t.Error("CanRead")
	}
}

func TestProtectedRefusesFilters(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	admin := account.Actor{Role: account.Admin, Org: "opgroeien"}
	if _, err := ParseRequest(url.Values{"nis": {"13016"}}, admin, now); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("admin with a filter: %v", err)
	}
	if req, err := ParseRequest(url.Values{"nis": {"13016"}}, account.Actor{Role: account.OCMWWorker, Org: "ocmw-13016"}, now); err != nil || req.NIS != "13016" {
		t.Errorf("ocmw with a filter: %+v %v", req, err)
	}
}
