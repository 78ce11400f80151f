package store_test

// The differencing attack on the birth statistics: 24 months of synthetic
// notifications, every window of months asked for, every number shown
// labelled with the notifications it counts.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/birth"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

func TestBirthStatisticsResistDifferencing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		var now time.Time
		db.Now = func() time.Time { return now }
		first := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
		rnd := rand.New(rand.NewPCG(10, 6))
		type note struct {
			clinic, month, team string
			inTime              bool
		}
		notes := map[int64]*note{}
		for m := range 24 {
			month := first.AddDate(0, m, 0)
			for c, clinic := range []string{"clinic-zonnedal", "clinic-maanhof"} {
				a := clinicZonnedal
				if c == 1 {
					a = clinicMaanhof
				}
				n := rnd.IntN(4)
				if rnd.IntN(3) == 0 {
					n += 4 + rnd.IntN(6)
				}
				for i := range n {
					day := month.AddDate(0, 0, rnd.IntN(28))
					now = day.Add(10 * time.Hour)
					in := family(fmt.Sprintf("Ouder %s %d %d", month.Format("0601"), c, i), day.AddDate(0, 0, -1).Format(time.DateOnly))
					s := mustNotify(t, db, a, in)
					notes[s.ID] = &note{clinic: clinic, month: month.Format("2006-01")}
					if rnd.IntN(3) > 0 {
						on := now.AddDate(0, 0, rnd.IntN(25))
						now = on.Add(time.Hour)
						if _, err := db.RecordBirthContact(ctx, teamWorker, s.ID, birth.NewContact{On: on.Format(time.DateOnly), Channel: "phone", Reached: true}); err != nil {
							t.Fatal(err)
						}
						notes[s.ID].inTime = !on.After(day.AddDate(0, 0, birth.ContactTargetDays))
					}
				}
			}
		}
		// The team each notification went to.
		rows, err := db.SQL().QueryContext(ctx, `SELECT id, COALESCE(team_key,'') FROM birth_notifications`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var team string
			if err := rows.Scan(&id, &team); err != nil {
				t.Fatal(err)
			}
			notes[id].team = team
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		now = time.Date(2025, 3, 20, 10, 0, 0, 0, time.UTC) // every quarter settled
		var shown []statNumber
		windows := 0
		for i := range 24 {
			for j := i; j < 24; j++ {
				from, to := first.AddDate(0, i, 0), first.AddDate(0, j, 0)
				st, err := db.BirthStatistics(ctx, analystActor, from, to)
				if err != nil {
					t.Fatal(err)
				}
				windows++
				b, _ := json.Marshal(st)
				var got struct {
					Months  []string `json:"months"`
					Clinics []struct {
						Clinic string `json:"clinic"`
						Counts []any  `json:"counts"`
						Total  any    `json:"total"`
					} `json:"clinics"`
					MonthTotals []any `json:"month_totals"`
					Total       any   `json:"total"`
					Teams       []struct {
						Team          string `json:"team"`
						Notifications any    `json:"notifications"`
						Reached       any    `json:"reached_in_time"`
						NotReached    any    `json:"not_reached_in_time"`
					} `json:"teams"`
				}
				if err := json.Unmarshal(b, &got); err != nil {
					t.Fatal(err)
				}
				in := map[string]bool{}
				for _, m := range got.Months {
					in[m] = true
				}
				ids := func(keep func(n *note) bool) map[int64]bool {
					s := map[int64]bool{}
					for id, n := range notes {
						if in[n.month] && keep(n) {
							s[id] = true
						}
					}
					return s
				}
				w := fmt.Sprintf("%s..%s", from.Format("2006-01"), to.Format("2006-01"))
				for _, c := range got.Clinics {
					for k, v := range c.Counts {
						month := got.Months[k]
						shown = append(shown, statNumber{ids(func(n *note) bool { return n.clinic == c.Clinic && n.month == month }), v, w + " " + c.Clinic + " " + month, false})
					}
					shown = append(shown, statNumber{ids(func(n *note) bool { return n.clinic == c.Clinic }), c.Total, w + " " + c.Clinic, false})
				}
				for k, v := range got.MonthTotals {
					month := got.Months[k]
					shown = append(shown, statNumber{ids(func(n *note) bool { return n.month == month }), v, w + " total " + month, false})
				}
				shown = append(shown, statNumber{ids(func(*note) bool { return true }), got.Total, w + " total", false})
				for _, tm := range got.Teams {
					shown = append(shown, statNumber{ids(func(n *note) bool { return n.team == tm.Team }), tm.Notifications, w + " team " + tm.Team, true},
						statNumber{ids(func(n *note) bool { return n.team == tm.Team && n.inTime }), tm.Reached, w + " team " + tm.Team + " in time", true},
						statNumber{ids(func(n *note) bool { return n.team == tm.Team && !n.inTime }), tm.NotReached, w + " team " + tm.Team + " not in time", true})
				}
			}
		}
		t.Logf("%d windows asked for", windows)
		checkStatDifferencing(t, shown)
	})
}

// statNumber is one number shown, with the notifications it counts.
type statNumber struct {
	ids   map[int64]bool
	value any
	where string
	team  bool // of the team table, rounded part by part
}

func (s statNumber) key() string {
	keys := make([]string, 0, len(s.ids))
	for id := range s.ids {
		keys = append(keys, fmt.Sprint(id))
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// checkStatDifferencing fails when two numbers shown over nested sets of
// notifications differ by 1 to 4, or one set is shown two ways.
func checkStatDifferencing(t *testing.T, shown []statNumber) {
	t.Helper()
	seen := map[string]bool{}
	var distinct []statNumber
	for _, s := range shown {
		if k := s.key() + "=" + fmt.Sprint(s.value); !seen[k] {
			seen[k] = true
			distinct = append(distinct, s)
		}
	}
	subset := func(a, b map[int64]bool) bool {
		if len(a) > len(b) {
			return false
		}
		for x := range a {
			if !b[x] {
				return false
			}
		}
		return true
	}
	pairs := 0
	for i, a := range distinct {
		av, ok := a.value.(float64)
		if !ok {
			continue
		}
		for _, b := range distinct[i+1:] {
			bv, ok := b.value.(float64)
			if !ok || !subset(a.ids, b.ids) && !subset(b.ids, a.ids) {
				continue
			}
			pairs++
			if d := av - bv; d != 0 && d >= -4 && d <= 4 {
				t.Fatalf("%v (%s) and %v (%s) count nested sets of families and differ by %v", av, a.where, bv, b.where, d)
			}
		}
	}
	// Within one table, a set of families is always shown the same way.
	// (The clinic table and the team table split the same families
	// differently and round differently, so a team's total may differ by
	// 5 from a clinic total over the same families.)
	byKey := map[string]statNumber{}
	for _, s := range distinct {
		k := fmt.Sprint(s.team) + s.key()
		if prev, ok := byKey[k]; ok {
			t.Fatalf("the same families shown as %v (%s) and as %v (%s)", prev.value, prev.where, s.value, s.where)
		}
		byKey[k] = s
	}
	t.Logf("%d numbers shown, %d distinct, %d nested pairs compared", len(shown), len(distinct), pairs)
}
