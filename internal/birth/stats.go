package birth

import (
	"math"
	"sort"
	"strings"
	"time"

	"kansrijk/internal/suppress"
)

// ClinicMonthCount is the number of notifications of one clinic that came
// in during one month (YYYY-MM, Brussels time).
type ClinicMonthCount struct {
	Clinic, Name, Month string
	Count               int
}

// TeamCount is, for one team ("" for the Opgroeien queue), the number of
// notifications that count for the contact target (not merged, and either
// reached or past the target), and how many of them were reached within
// ContactTargetDays.
type TeamCount struct {
	Team, Name             string
	Notifications, Reached int
}

// BuildStatistics lays the counts out for the months from..to (first days
// of months) and suppresses small counts: the clinic × month table with
// its totals together, and per team the reached and not-reached counts
// with their totals, so that a share is shown only when neither count
// behind it is hidden.
func BuildStatistics(from, to time.Time, clinics []ClinicMonthCount, teams []TeamCount) Statistics {
	st := Statistics{From: from.Format("2006-01"), To: to.Format("2006-01"), Months: []string{}, Clinics: []ClinicRow{}, Teams: []TeamRow{},
		TargetDays: ContactTargetDays, Legend: suppress.Legend}
	col := map[string]int{}
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		col[m.Format("2006-01")] = len(st.Months)
		st.Months = append(st.Months, m.Format("2006-01"))
	}
	byClinic := map[string][]int{}
	names := map[string]string{}
	for _, c := range clinics {
		j, ok := col[c.Month]
		if !ok || c.Count <= 0 {
			continue
		}
		if byClinic[c.Clinic] == nil {
			byClinic[c.Clinic] = make([]int, len(st.Months))
		}
		byClinic[c.Clinic][j] += c.Count
		names[c.Clinic] = c.Name
	}
	for key := range byClinic {
		st.Clinics = append(st.Clinics, ClinicRow{Clinic: key, Name: names[key]})
	}
	sort.Slice(st.Clinics, func(i, j int) bool {
		a, b := st.Clinics[i], st.Clinics[j]
		if x, y := strings.ToLower(a.Name), strings.ToLower(b.Name); x != y {
			return x < y
		}
		return a.Clinic < b.Clinic
	})
	if len(st.Clinics) == 0 {
		st.MonthTotals = make([]suppress.Cell, len(st.Months))
	} else {
		table := make([][]int, len(st.Clinics))
		for i, c := range st.Clinics {
			table[i] = byClinic[c.Clinic]
		}
		cells, rowTot, colTot, grand := suppress.Table(table, true, true, 0)
		for i := range st.Clinics {
			st.Clinics[i].Counts, st.Clinics[i].Total = cells[i], rowTot[i]
		}
		st.MonthTotals, st.Total = colTot, grand
	}

	var rows []TeamCount
	for _, t := range teams {
		if t.Notifications > 0 {
			rows = append(rows, t)
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if (rows[i].Team == "") != (rows[j].Team == "") {
			return rows[j].Team == "" // the Opgroeien queue last
		}
		return strings.ToLower(rows[i].Name) < strings.ToLower(rows[j].Name)
	})
	if len(rows) > 0 {
		table := make([][]int, len(rows))
		for i, t := range rows {
			table[i] = []int{t.Reached, t.Notifications - t.Reached}
		}
		cells, rowTot, _, _ := suppress.Table(table, true, false, 0)
		for i, t := range rows {
			tr := TeamRow{Team: t.Team, Name: t.Name, Reached: cells[i][0], NotReached: cells[i][1], Notifications: rowTot[i]}
			if !tr.Reached.Suppressed && !tr.NotReached.Suppressed && !tr.Notifications.Suppressed {
				share := math.Round(float64(t.Reached)/float64(t.Notifications)*1000) / 1000
				tr.Share = &share
			}
			st.Teams = append(st.Teams, tr)
		}
	}
	return st
}
