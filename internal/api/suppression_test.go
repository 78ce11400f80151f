package api_test

// The differencing attack on the missed-referrals report: ask for every
// window the API accepts within 24 months, label every number shown with
// the set of (municipality, month) counts it covers, and look for two
// numbers over nested sets whose difference would give away a small
// count.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// shownNumber is one number (or "<5"/"x") a report showed, with the set of
// atoms (a municipality or clinic in a month) it counts.
type shownNumber struct {
	atoms map[string]bool
	value any // float64 from JSON, or a string
	where string
}

func (s shownNumber) key() string {
	keys := make([]string, 0, len(s.atoms))
	for a := range s.atoms {
		keys = append(keys, a)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// checkDifferencing fails when two numbers over nested sets of atoms
// differ by 1 to 4, or two numbers over the same set differ at all (a set
// shown once as "<5" and once as 3, or once as 0 and once as "<5").
func checkDifferencing(t *testing.T, shown []shownNumber) {
	t.Helper()
	seen := map[string]bool{}
	var distinct []shownNumber
	for _, s := range shown {
		k := s.key() + "=" + fmt.Sprint(s.value)
		if !seen[k] {
			seen[k] = true
			distinct = append(distinct, s)
		}
	}
	subset := func(a, b map[string]bool) bool {
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
			if !ok {
				continue
			}
			if !subset(a.atoms, b.atoms) && !subset(b.atoms, a.atoms) {
				continue
			}
			pairs++
			if d := av - bv; d != 0 && d >= -4 && d <= 4 {
				t.Fatalf("%v (%s) and %v (%s) cover nested sets and differ by %v: a hidden small count follows", av, a.where, bv, b.where, d)
			}
		}
	}
	t.Logf("%d numbers shown, %d distinct, %d nested pairs of shown numbers compared", len(shown), len(distinct), pairs)
	byKey := map[string]shownNumber{}
	for _, s := range distinct {
		k := s.key()
		if prev, ok := byKey[k]; ok {
			t.Fatalf("the same counts shown as %v (%s) and as %v (%s)", prev.value, prev.where, s.value, s.where)
		}
		byKey[k] = s
	}
}

// monthsBetween lists the months from..to (YYYY-MM).
func monthsBetween(from, to time.Time) []string {
	var out []string
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// TestMissedReferralsResistDifferencing: synthetic counts over 27 months;
// every window from..to of at most 24 months (up to the current month)
// is asked for, as JSON and as CSV.
func TestMissedReferralsResistDifferencing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db) // today 2026-03-02
		const rep = "/api/v1/reports/missed-referrals"
		raw := outrWritable(t, db)
		first := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		last := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		all := monthsBetween(first, last)
		nises := []string{"13016", "12014", "13013", "11007", "73040"}
		rnd := rand.New(rand.NewPCG(10, 6))
		for _, nis := range nises {
			for _, m := range all {
				n := 0
				switch rnd.IntN(3) {
				case 0: // none
				case 1:
					n = 1 + rnd.IntN(4)
				default:
					n = 1 + rnd.IntN(12)
				}
				if n == 0 {
					continue
				}
				if _, err := raw.ExecContext(context.Background(), `INSERT INTO missed_referrals (municipality_nis, month, team_key, count) VALUES ($1,$2,'team-noord',$3)`, nis, m, n); err != nil {
					t.Fatal(err)
				}
			}
		}
		var shown []shownNumber
		windows := 0
		for i, from := range all {
			for _, to := range all[i:] {
				ft, _ := time.Parse("2006-01", from)
				tt, _ := time.Parse("2006-01", to)
				if len(monthsBetween(ft, tt)) > 24 {
					continue
				}
				windows++
				var got struct {
					Months         []string `json:"months"`
					Municipalities []struct {
						NIS    string `json:"nis"`
						Counts []any  `json:"counts"`
						Total  any    `json:"total"`
					} `json:"municipalities"`
					MonthTotals []any `json:"month_totals"`
					Total       any   `json:"total"`
				}
				target := rep + "?from=" + from + "&to=" + to
				req := httptest.NewRequest("GET", target, nil)
				req.Header.Set("Authorization", "Bearer "+f.users.Token(t, "analyst"))
				rec := httptest.NewRecorder()
				f.srv.ServeHTTP(rec, req)
				if rec.Code == 400 && strings.Contains(rec.Body.String(), "invalid_date") {
					continue // no complete period in the window
				}
				if rec.Code != 200 {
					t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
					t.Fatal(err)
				}
				atoms := func(nis []string, months []string) map[string]bool {
					s := map[string]bool{}
					for _, n := range nis {
						for _, m := range months {
							s[n+"@"+m] = true
						}
					}
					return s
				}
				for _, m := range got.Municipalities {
					for j, c := range m.Counts {
						shown = append(shown, shownNumber{atoms([]string{m.NIS}, got.Months[j:j+1]), c, target + " " + m.NIS + " " + got.Months[j]})
					}
					shown = append(shown, shownNumber{atoms([]string{m.NIS}, got.Months), m.Total, target + " " + m.NIS + " total"})
				}
				for j, c := range got.MonthTotals {
					shown = append(shown, shownNumber{atoms(nises, got.Months[j:j+1]), c, target + " total " + got.Months[j]})
				}
				shown = append(shown, shownNumber{atoms(nises, got.Months), got.Total, target + " total"})
			}
		}
		t.Logf("%d windows asked for", windows)
		checkDifferencing(t, shown)
	})
}
