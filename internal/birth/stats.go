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

// TeamCount is, for one team ("" for the Opgroeien queue) and one month
// of arrival (YYYY-MM, Brussels time), the number of notifications that
// count for the contact target (not merged, and either reached or past the
// target), and how many of them were reached within ContactTargetDays.
type TeamCount struct {
	Team, Name, Month      string
	Notifications, Reached int
}

// StatisticsSettleDays is how long after a quarter has ended its figures
// are published: by then every notification of the quarter is either
// reached or past the target, so a published quarter does not change.
const StatisticsSettleDays = ContactTargetDays + 1

// BuildStatistics lays the counts out for the months from..to (first days
// of months, widened to whole calendar quarters; callers pass a window
// from suppress.Quarters so that only settled quarters are shown) and
// protects them per quarter: the clinic × month table with its totals
// together (suppress.ByQuarter: "<5", "x", every shown count rounded to
// 5), and per team the reached and not-reached counts of every quarter
// rounded to 5 on their own (1 and 2 become 0), the team's total and share
// computed from those rounded counts.
func BuildStatistics(from, to time.Time, clinics []ClinicMonthCount, teams []TeamCount) Statistics {
	from, to, _ = suppress.Quarters(from, to, to.AddDate(0, 3, 0))
	st := Statistics{From: from.Format("2006-01"), To: to.Format("2006-01"), Months: []string{}, Clinics: []ClinicRow{}, Teams: []TeamRow{},
		TargetDays: ContactTargetDays, Legend: suppress.Legend, RoundedTo: suppress.Base, ProtectedPer: suppress.Period}
	col := map[string]int{}
	var months []time.Time
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		col[m.Format("2006-01")] = len(st.Months)
		st.Months = append(st.Months, m.Format("2006-01"))
		months = append(months, m)
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
	table := make([][]int, len(st.Clinics))
	for i, c := range st.Clinics {
		table[i] = byClinic[c.Clinic]
	}
	cells, rowTot, colTot, grand := suppress.ByQuarter(table, months)
	for i := range st.Clinics {
		st.Clinics[i].Counts, st.Clinics[i].Total = cells[i], rowTot[i]
	}
	st.MonthTotals, st.Total = colTot, grand

	// Per team and quarter: reached and not reached.
	type teamKey struct{ team, name string }
	var keys []teamKey
	perQuarter := map[teamKey][][2]int{}
	nq := len(months) / 3
	for _, t := range teams {
		j, ok := col[t.Month]
		if !ok || t.Notifications <= 0 {
			continue
		}
		k := teamKey{t.Team, t.Name}
		if perQuarter[k] == nil {
			perQuarter[k] = make([][2]int, nq)
			keys = append(keys, k)
		}
		perQuarter[k][j/3][0] += t.Reached
		perQuarter[k][j/3][1] += t.Notifications - t.Reached
	}
	// The order does not depend on the window: the Opgroeien queue last.
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i].team == "") != (keys[j].team == "") {
			return keys[j].team == ""
		}
		if x, y := strings.ToLower(keys[i].name), strings.ToLower(keys[j].name); x != y {
			return x < y
		}
		return keys[i].team < keys[j].team
	})
	// Every team's reached and not-reached count of every quarter is
	// rounded on its own (suppress.RoundAll, no "<5"); the totals over the
	// window and the share are computed from those rounded parts only, so
	// each part stays uncertain by ±2 whatever windows are combined.
	for _, k := range keys {
		var reached, notReached int
		for _, q := range perQuarter[k] {
			reached += suppress.RoundAll(q[0])
			notReached += suppress.RoundAll(q[1])
		}
		tr := TeamRow{Team: k.team, Name: k.name, Reached: suppress.Cell{Value: reached}, NotReached: suppress.Cell{Value: notReached},
			Notifications: suppress.Cell{Value: reached + notReached}}
		if reached+notReached > 0 {
			share := math.Round(float64(reached)/float64(reached+notReached)*1000) / 1000
			tr.Share = &share
		}
		st.Teams = append(st.Teams, tr)
	}
	return st
}
