package api_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

const outcomeRoute = "/api/v1/reports/outcomes"

// outcomeReferral is one raw referral of the outcome API tests.
type outcomeReferral struct {
	team, nis string
	created   time.Time
	sent      bool
	reached   bool
}

// outcomeRaw writes random referrals (sent, some reached) and births, from January 2024 to
// February 2026, in the five municipalities of the two teams; it returns the referrals.
func outcomeRaw(t *testing.T, f *outrFixture, seed uint64) []outcomeReferral {
	t.Helper()
	raw := outrWritable(t, f.db)
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(seed, 13))
	teams := map[string]string{"13016": "team-noord", "12014": "team-noord", "13013": "team-noord", "11007": "team-zuid", "73040": "team-zuid"}
	nises := []string{"13016", "12014", "13013", "11007", "73040"}
	var out []outcomeReferral
	id := 0
	for _, nis := range nises {
		for m := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); m.Before(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
			n := 0
			switch rnd.IntN(3) {
			case 1:
				n = 1 + rnd.IntN(4)
			case 2:
				n = 1 + rnd.IntN(12)
			}
			for range n {
				id++
				r := outcomeReferral{team: teams[nis], nis: nis, created: m.Add(time.Duration(2+rnd.IntN(24*25)) * time.Hour), sent: rnd.IntN(4) > 0}
				r.reached = r.sent && rnd.IntN(2) == 0
				status, sent := "draft", any(nil)
				if r.sent {
					status, sent = "sent", r.created.Add(time.Hour).Format("2006-01-02T15:04:05.000000Z")
				}
				if _, err := raw.ExecContext(ctx, `INSERT INTO referrals (id, team_key, municipality_nis, recipient_key, status, receipt_code, created_by, created_at, sent_at, updated_at)
					VALUES ($1,$2,$3,$4,$5,$6,'test',$7,$8,$7)`, id, r.team, nis, "ocmw-"+nis, status, "KR-API-"+strconv.Itoa(id),
					r.created.Format("2006-01-02T15:04:05.000000Z"), sent); err != nil {
					t.Fatal(err)
				}
				if r.reached {
					if _, err := raw.ExecContext(ctx, `INSERT INTO referral_contact_attempts (referral_id, on_day, channel, reached, recorded_at, recorded_by)
						VALUES ($1,$2,'phone',$3,$4,'test')`, id, r.created.AddDate(0, 0, 3).Format(time.DateOnly), true, r.created.Format("2006-01-02T15:04:05.000000Z")); err != nil {
						t.Fatal(err)
					}
				}
				out = append(out, r)
			}
		}
	}
	return out
}

type outcomeRowJSON struct {
	Key    string         `json:"key"`
	Counts map[string]any `json:"counts"`
}

type outcomeJSON struct {
	From      string           `json:"from"`
	To        string           `json:"to"`
	Group     string           `json:"group"`
	Protected bool             `json:"protected"`
	Groups    []outcomeRowJSON `json:"groups"`
	Months    []outcomeRowJSON `json:"months"`
	Total     outcomeRowJSON   `json:"total"`
}

// TestOutcomeAPIRoles: who may read the report, what each sees (a team lead its own team, an
// OCMW its own referrals, exact; admins and analysts published counts), and the downloads.
func TestOutcomeAPIRoles(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db) // today 2026-03-02
		refs := outcomeRaw(t, f, 4)
		exact := func(keep func(outcomeReferral) bool, from, to string) (sent, reached int) {
			for _, r := range refs {
				m := r.created.In(brusselsTZ(t)).Format("2006-01")
				if keep(r) && m >= from && m <= to {
					if r.sent {
						sent++
					}
					if r.reached {
						reached++
					}
				}
			}
			return
		}
		// The team lead of team-noord: its own team, exact, the months asked.
		var lead outcomeJSON
		f.call(t, "GET", outcomeRoute+"?from=2025-02&to=2025-08&group=team", outcomeRoute, "lead", nil, 200, &lead)
		if lead.Protected || lead.From != "2025-02" || lead.To != "2025-08" || len(lead.Groups) != 1 || lead.Groups[0].Key != "team-noord" {
			t.Fatalf("lead: %+v", lead)
		}
		sent, reached := exact(func(r outcomeReferral) bool { return r.team == "team-noord" }, "2025-02", "2025-08")
		if lead.Total.Counts["sent"] != float64(sent) || lead.Total.Counts["reached"] != float64(reached) {
			t.Errorf("lead: sent %v reached %v, want %d %d", lead.Total.Counts["sent"], lead.Total.Counts["reached"], sent, reached)
		}
		// The OCMW of Hulshout: its own referrals only, exact.
		var ocmw outcomeJSON
		f.call(t, "GET", outcomeRoute+"?from=2024-01&to=2026-02&group=municipality", outcomeRoute, "ocmw", nil, 200, &ocmw)
		if ocmw.Protected || len(ocmw.Groups) != 1 || ocmw.Groups[0].Key != "13016" {
			t.Fatalf("ocmw: %+v", ocmw)
		}
		sent, _ = exact(func(r outcomeReferral) bool { return r.nis == "13016" }, "2024-01", "2026-02")
		if ocmw.Total.Counts["sent"] != float64(sent) || ocmw.Total.Counts["births"] != float64(0) {
			t.Errorf("ocmw: sent %v births %v, want %d 0", ocmw.Total.Counts["sent"], ocmw.Total.Counts["births"], sent)
		}
		// Asking for another OCMW's or team's figures gives nothing.
		var none outcomeJSON
		f.call(t, "GET", outcomeRoute+"?from=2024-01&to=2026-02&ocmw=ocmw-11007", outcomeRoute, "ocmw", nil, 200, &none)
		if none.Total.Counts["drafted"] != float64(0) {
			t.Errorf("ocmw asking for another OCMW: %+v", none.Total)
		}
		// Admin and analyst: published quarters, multiples of 5 or hidden.
		for _, who := range []string{"admin", "analyst"} {
			var got outcomeJSON
			f.call(t, "GET", outcomeRoute+"?from=2025-02&to=2025-08&group=province", outcomeRoute, who, nil, 200, &got)
			if !got.Protected || got.From != "2025-01" || got.To != "2025-09" {
				t.Fatalf("%s: window %s..%s protected %v, want 2025-01..2025-09 protected", who, got.From, got.To, got.Protected)
			}
			for _, row := range append(append(got.Groups, got.Months...), got.Total) {
				for m, v := range row.Counts {
					switch x := v.(type) {
					case float64:
						if int(x)%5 != 0 {
							t.Errorf("%s: %s %s = %v, not rounded", who, row.Key, m, x)
						}
					case string:
						if x != "<5" && x != "x" {
							t.Errorf("%s: %s %s = %q", who, row.Key, m, x)
						}
					}
				}
			}
			// The current quarter is not published: the window ends with the last quarter that
			// ended 30 days ago (December 2025 on 2 March 2026).
			f.call(t, "GET", outcomeRoute+"?from=2026-01&to=2026-02", outcomeRoute, who, nil, 400, nil)
		}
		// A filter in a protected view would publish another table over the same families.
		f.call(t, "GET", outcomeRoute+"?nis=13016", outcomeRoute, "admin", nil, 400, nil)
		if ocmw.Total.Counts["drafted"] != ocmw.Total.Counts["sent"] {
			t.Errorf("ocmw sees referrals never sent to it: %v drafted, %v sent", ocmw.Total.Counts["drafted"], ocmw.Total.Counts["sent"])
		}
		for _, who := range []string{"dpo", "clinic", "workerzuid"} {
			f.call(t, "GET", outcomeRoute, outcomeRoute, who, nil, 403, nil)
		}
		f.call(t, "GET", outcomeRoute, outcomeRoute, "", nil, 401, nil)
		f.call(t, "GET", outcomeRoute+"?from=2025-13&group=week", outcomeRoute, "lead", nil, 400, nil)
		// Downloads: Dutch headers by default, English with lang=en.
		r := f.call(t, "GET", outcomeRoute+"?from=2025-01&to=2025-06&format=csv", outcomeRoute, "lead", nil, 200, nil)
		rows := outrCSV(t, r.Body)
		if rows[0][3] != "Opgemaakt" || rows[len(rows)-1][0] != "Totaal" {
			t.Errorf("csv: %q … %q", rows[0], rows[len(rows)-1])
		}
		r = f.call(t, "GET", outcomeRoute+"?from=2025-01&to=2025-06&format=csv&lang=en", outcomeRoute, "lead", nil, 200, nil)
		if rows := outrCSV(t, r.Body); rows[0][3] != "Drafted" || len(rows) != 8 {
			t.Errorf("csv en: %q, %d rows", rows[0], len(rows))
		}
		r = f.call(t, "GET", outcomeRoute+"?format=xlsx", outcomeRoute, "analyst", nil, 200, nil)
		if !strings.HasPrefix(string(r.Body), "PK") {
			t.Error("xlsx is not a zip file")
		}
	})
}

func brusselsTZ(t *testing.T) *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestOutcomeResistsDifferencing: every window of at most 24 months the analyst may ask for,
// per grouping, labelled with the (municipality or team, month) counts each number covers; no
// two numbers over nested sets may give away a small count, and no set may be shown two ways.
// The months and the total are the same table in every grouping, so month and municipality
// are attacked together.
func TestOutcomeResistsDifferencing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		outcomeRaw(t, f, 11)
		nises := []string{"13016", "12014", "13013", "11007", "73040"}
		teamOf := map[string]string{"13016": "team-noord", "12014": "team-noord", "13013": "team-noord", "11007": "team-zuid", "73040": "team-zuid"}
		all := monthsBetween(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC))
		for _, groups := range [][]string{{"month", "municipality"}, {"team"}} {
			var shown []shownNumber
			for i, from := range all {
				for _, to := range all[i:] {
					for _, group := range groups {
						var got outcomeJSON
						target := fmt.Sprintf("%s?from=%s&to=%s&group=%s", outcomeRoute, from, to, group)
						f.call(t, "GET", target, outcomeRoute, "analyst", nil, 200, &got)
						for _, measure := range []string{"sent", "reached", "drafted"} {
							ft, _ := time.Parse("2006-01", got.From)
							tt, _ := time.Parse("2006-01", got.To)
							months := monthsBetween(ft, tt)
							atoms := func(keep func(nis string) bool, ms []string) map[string]bool {
								s := map[string]bool{}
								for _, n := range nises {
									if keep(n) {
										for _, m := range ms {
											s[measure+"/"+n+"@"+m] = true
										}
									}
								}
								return s
							}
							anyNIS := func(string) bool { return true }
							for _, row := range got.Groups {
								switch group {
								case "month":
									shown = append(shown, shownNumber{atoms(anyNIS, []string{row.Key}), row.Counts[measure], target + " " + row.Key})
								case "municipality":
									shown = append(shown, shownNumber{atoms(func(n string) bool { return n == row.Key }, months), row.Counts[measure], target + " " + row.Key})
								case "team":
									shown = append(shown, shownNumber{atoms(func(n string) bool { return teamOf[n] == row.Key }, months), row.Counts[measure], target + " " + row.Key})
								}
							}
							for _, row := range got.Months {
								shown = append(shown, shownNumber{atoms(anyNIS, []string{row.Key}), row.Counts[measure], target + " month " + row.Key})
							}
							shown = append(shown, shownNumber{atoms(anyNIS, months), got.Total.Counts[measure], target + " total"})
						}
					}
				}
			}
			t.Logf("groupings %v", groups)
			checkDifferencing(t, shown)
		}
	})
}
