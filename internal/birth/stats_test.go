package birth

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestBuildStatistics(t *testing.T) {
	clinics := []ClinicMonthCount{
		{Clinic: "clinic-zonnedal", Name: "Kraamkliniek Zonnedal", Month: "2025-01", Count: 20},
		{Clinic: "clinic-zonnedal", Name: "Kraamkliniek Zonnedal", Month: "2025-02", Count: 2},
		{Clinic: "clinic-maanhof", Name: "Kraamkliniek Maanhof", Month: "2025-01", Count: 30},
		{Clinic: "clinic-maanhof", Name: "Kraamkliniek Maanhof", Month: "2025-02", Count: 25},
		{Clinic: "clinic-maanhof", Name: "Kraamkliniek Maanhof", Month: "2024-12", Count: 9}, // outside the period
	}
	teams := []TeamCount{
		{Team: "team-noord", Name: "Lokaal team Noord", Month: "2025-01", Notifications: 40, Reached: 30},
		{Team: "team-zuid", Name: "Lokaal team Zuid", Month: "2025-02", Notifications: 20, Reached: 18}, // 2 not reached: hidden
		{Team: "", Name: "Opgroeien", Month: "2025-03", Notifications: 3, Reached: 0},
		{Team: "team-leeg", Name: "Lokaal team Leeg", Month: "2025-01"},
		{Team: "team-noord", Name: "Lokaal team Noord", Month: "2025-04", Notifications: 9, Reached: 9}, // outside the period,
	}
	st := BuildStatistics(date("2025-01-01"), date("2025-03-01"), clinics, teams)
	if st.From != "2025-01" || st.To != "2025-03" || len(st.Months) != 3 || st.TargetDays != 14 || st.RoundedTo != 5 || st.ProtectedPer != "quarter" {
		t.Fatalf("period %+v", st)
	}
	if len(st.Clinics) != 2 || st.Clinics[0].Clinic != "clinic-maanhof" {
		t.Fatalf("clinics %+v", st.Clinics)
	}
	var counts []any
	b, _ := json.Marshal(st.Clinics[1].Counts)
	if err := json.Unmarshal(b, &counts); err != nil || len(counts) != 3 || counts[1] != "<5" || counts[2] != float64(0) {
		t.Errorf("Zonnedal counts %s: February's 2 must show as <5", b)
	}
	if !st.Clinics[1].Counts[0].Suppressed && !st.Clinics[1].Total.Suppressed {
		t.Errorf("Zonnedal's 2 can be recovered from its total: %s", b)
	}
	if len(st.Teams) != 3 || st.Teams[0].Team != "team-noord" || st.Teams[2].Team != "" {
		t.Fatalf("teams %+v", st.Teams)
	}
	if st.Teams[0].Share == nil || *st.Teams[0].Share != 0.75 {
		t.Errorf("team-noord share %v", st.Teams[0].Share)
	}
	// Per team every count is rounded to 5, small ones included, and the
	// total and share come from the rounded counts: team-zuid's 18 and 2
	// show as 20 and 0, the queue's 0 and 3 as 0 and 5.
	if z := st.Teams[1]; z.Reached.String() != "20" || z.NotReached.String() != "0" || z.Notifications.String() != "20" || z.Share == nil || *z.Share != 1 {
		t.Errorf("team-zuid %+v", z)
	}
	if q := st.Teams[2]; q.NotReached.String() != "5" || q.Share == nil || *q.Share != 0 {
		t.Errorf("the queue %+v", q)
	}
	// One more family reached (19 of 21) changes nothing shown.
	teams[1].Notifications++
	teams[1].Reached++
	if again := BuildStatistics(date("2025-01-01"), date("2025-03-01"), clinics, teams); !reflect.DeepEqual(again.Teams, st.Teams) {
		t.Errorf("one more family reached shows: %+v", again.Teams[1])
	}
	// Every shown count is rounded to 5: Maanhof's 55 shows as 55, the
	// grand total 77 as 75, team-noord's 40 as 40.
	if st.Clinics[0].Total.String() != "55" || st.Total.String() != "75" || st.Teams[0].Notifications.String() != "40" {
		t.Errorf("rounding: Maanhof %s, total %s, team-noord %s", st.Clinics[0].Total, st.Total, st.Teams[0].Notifications)
	}
	// A window inside a quarter covers the whole quarter.
	empty := BuildStatistics(date("2025-02-01"), date("2025-02-01"), nil, nil)
	if len(empty.Clinics) != 0 || len(empty.MonthTotals) != 3 || len(empty.Teams) != 0 || empty.From != "2025-01" {
		t.Errorf("empty %+v", empty)
	}
}
