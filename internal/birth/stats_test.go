package birth

import (
	"encoding/json"
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
		{Team: "team-noord", Name: "Lokaal team Noord", Notifications: 40, Reached: 30},
		{Team: "team-zuid", Name: "Lokaal team Zuid", Notifications: 20, Reached: 18}, // 2 not reached: hidden
		{Team: "", Name: "Opgroeien", Notifications: 3, Reached: 0},
		{Team: "team-leeg", Name: "Lokaal team Leeg"},
	}
	st := BuildStatistics(date("2025-01-01"), date("2025-03-01"), clinics, teams)
	if st.From != "2025-01" || st.To != "2025-03" || len(st.Months) != 3 || st.TargetDays != 14 {
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
	if st.Teams[1].Share != nil || !st.Teams[1].NotReached.Suppressed {
		t.Errorf("team-zuid: 2 not reached must be hidden and the share with it: %+v", st.Teams[1])
	}
	if st.Teams[2].Share != nil {
		t.Errorf("the queue's 3 notifications: no share: %+v", st.Teams[2])
	}
	empty := BuildStatistics(date("2025-01-01"), date("2025-01-01"), nil, nil)
	if len(empty.Clinics) != 0 || len(empty.MonthTotals) != 1 || len(empty.Teams) != 0 {
		t.Errorf("empty %+v", empty)
	}
}
