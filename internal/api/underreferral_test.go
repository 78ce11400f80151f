package api_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/outcome"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// urOutcomes is an outcome store with fixed cells (the real one is tested
// in internal/store): births and referrals sent per municipality and month.
type urOutcomes struct{ cells []outcome.Cell }

func (u urOutcomes) OutcomeCells(_ context.Context, a account.Actor, q outcome.Query) ([]outcome.Cell, error) {
	var out []outcome.Cell
	for _, c := range u.cells {
		m, _ := time.ParseInLocation("2006-01", c.Month, q.From.Location())
		if !m.Before(q.From) && m.Before(q.To) {
			out = append(out, c)
		}
	}
	return out, nil
}

// urAgreements puts an agreement in force in every municipality but the
// ones listed, on every day.
type urAgreements struct {
	agreement.Store
	without map[string]bool
}

func (u urAgreements) AgreementReport(ctx context.Context, asOf time.Time, knownAt *time.Time, region string) (agreement.Report, error) {
	r, err := u.Store.AgreementReport(ctx, asOf, knownAt, region)
	for i, m := range r.Municipalities {
		if !u.without[m.NIS] {
			r.Municipalities[i].Status = agreement.Active
		}
	}
	return r, err
}

// urMunicipalities are the municipalities of the test, valid 2024 and 2025.
var urMunicipalities = []string{"13016", "12014", "13013", "13040", "13008", "12021", "44021", "11002"}

func urFixture(t *testing.T, db *store.DB, seed uint64) *outrFixture {
	t.Helper()
	f := newOutrFixture(t, db) // today 2026-03-02
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(seed, 13))
	var values []deprivation.Value
	for _, nis := range urMunicipalities {
		b := 300 + rnd.IntN(2000)
		d := b * (5 + rnd.IntN(20)) / 100
		values = append(values, deprivation.Value{NIS: nis, Year: 2024, Percent: float64(1000*d/b) / 10, Births: &b, Deprived: &d})
	}
	if _, err := db.ImportDeprivation(ctx, account.System("test"), values, "fictief — testgegevens"); err != nil {
		// System may not import: fall back to an admin actor.
		if _, err := db.ImportDeprivation(ctx, account.Actor{Role: account.Admin, Org: "opgroeien", UserID: 1}, values, "fictief — testgegevens"); err != nil {
			t.Fatal(err)
		}
	}
	var cells []outcome.Cell
	for _, nis := range urMunicipalities {
		for m := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); m.Year() < 2026; m = m.AddDate(0, 1, 0) {
			c := outcome.Cell{Month: m.Format("2006-01"), NIS: nis, Team: "team-noord"}
			c.Births = rnd.IntN(40)
			switch rnd.IntN(3) {
			case 0:
			case 1:
				c.Sent = 1 + rnd.IntN(3)
			default:
				c.Sent = rnd.IntN(10)
			}
			if nis == "44021" {
				c.Births, c.Sent = 150+rnd.IntN(20), rnd.IntN(2) // Gent: many births, hardly any referral
			}
			cells = append(cells, c)
		}
	}
	f.srv.API.Outcomes = urOutcomes{cells}
	f.srv.API.Agreements = urAgreements{Store: db, without: map[string]bool{"13040": true}}
	return f
}

type urReport struct {
	Year           int      `json:"year"`
	From           string   `json:"from"`
	To             string   `json:"to"`
	ReferenceRate  *float64 `json:"reference_rate"`
	Flagged        int      `json:"flagged"`
	Municipalities []urRow  `json:"municipalities"`
	Teams          []urRow  `json:"teams"`
}

type urRow struct {
	NIS       string   `json:"nis"`
	Name      string   `json:"name"`
	Team      string   `json:"team"`
	Agreement string   `json:"agreement"`
	Births    any      `json:"births"`
	Sent      any      `json:"sent"`
	Ratio     *float64 `json:"ratio"`
	High      *float64 `json:"ratio_high"`
	Flag      string   `json:"flag"`
}

// TestUnderReferralAPI: who may ask, the documented answer, the year
// parameter, and the exports.
func TestUnderReferralAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := urFixture(t, db, 1)
		const route = "/api/v1/reports/under-referral"
		for _, who := range []string{"lead", "workerzuid", "ocmw", "clinic", "dpo"} {
			f.call(t, "GET", route+"?year=2025", route, who, nil, 403, nil)
		}
		f.call(t, "GET", route, route, "", nil, 401, nil)
		var rep urReport
		f.call(t, "GET", route, route, "admin", nil, 200, &rep)
		if rep.Year != 2025 || rep.From != "2025-01" || rep.To != "2025-12" || rep.ReferenceRate == nil {
			t.Fatalf("default year: %+v", rep)
		}
		if len(rep.Municipalities) != 285 {
			t.Errorf("%d municipalities in 2025, want 285", len(rep.Municipalities))
		}
		byNIS := map[string]urRow{}
		for _, m := range rep.Municipalities {
			byNIS[m.NIS] = m
		}
		if g := byNIS["44021"]; g.Flag != "far_fewer" {
			t.Errorf("Gent: %+v, want far_fewer", g)
		}
		if rep.Municipalities[0].Flag != "far_fewer" {
			t.Errorf("first row %+v: the far-fewer municipalities rank first", rep.Municipalities[0])
		}
		if m := byNIS["13040"]; m.Flag != "no_agreement" || m.Agreement != "none" {
			t.Errorf("Turnhout without agreement: %+v", m)
		}
		if m := byNIS["13016"]; m.Team != "team-noord" || m.Agreement != "in_force" {
			t.Errorf("Hulshout: %+v", m)
		}
		for _, tr := range rep.Teams {
			if tr.Team == "team-noord" && tr.Name != "Lokaal team Noord" {
				t.Errorf("team row %+v: named", tr)
			}
		}
		var old urReport
		f.call(t, "GET", route+"?year=2024", route, "analyst", nil, 200, &old)
		if old.Year != 2024 || len(old.Municipalities) != 300 {
			t.Errorf("2024: year %d, %d municipalities, want 300", old.Year, len(old.Municipalities))
		}
		for _, bad := range []string{"2021", "2026", "twee", "20255"} {
			f.call(t, "GET", route+"?year="+bad, route, "admin", nil, 400, nil)
		}
		f.call(t, "GET", route+"?format=pdf", route, "admin", nil, 400, nil)

		// CSV: Dutch headers by default, English with lang=en, codes with lang=codes.
		for lang, want := range map[string]string{"": "Verstuurd", "en": "Sent", "codes": "sent"} {
			r := f.call(t, "GET", route+"?year=2025&format=csv&lang="+lang, route, "analyst", nil, 200, nil)
			rd := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.Body), "\ufeff")))
			rd.Comma = ';'
			rows, err := rd.ReadAll()
			if err != nil {
				t.Fatalf("csv %q: %v", lang, err)
			}
			if len(rows) != 286 || !strings.Contains(strings.Join(rows[0], "|"), want) {
				t.Errorf("csv lang=%q: %d rows, header %v", lang, len(rows), rows[0])
			}
			if lang == "" && !strings.Contains(string(r.Body), "Lokaal team Noord") {
				t.Error("the Dutch CSV names the teams")
			}
		}
		r := f.call(t, "GET", route+"?year=2025&format=xlsx", route, "analyst", nil, 200, nil)
		if !strings.HasPrefix(string(r.Body), "PK") {
			t.Error("xlsx is not a workbook")
		}
	})
}

// TestUnderReferralResistsDifferencing: the report for the same year
// asked on different days (one, two, three and four quarters published)
// and for two years, with the team rows: no two numbers over nested sets
// of (municipality, month) counts differ by 1 to 4, and no set is shown
// two ways.
func TestUnderReferralResistsDifferencing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := urFixture(t, db, 2)
		const route = "/api/v1/reports/under-referral"
		var shown []shownNumber
		atoms := func(nis []string, from, to string) map[string]bool {
			ft, _ := time.Parse("2006-01", from)
			tt, _ := time.Parse("2006-01", to)
			s := map[string]bool{}
			for _, n := range nis {
				for _, m := range monthsBetween(ft, tt) {
					s[n+"@"+m] = true
				}
			}
			return s
		}
		for _, today := range []string{"2024-05-15", "2024-08-15", "2024-11-15", "2025-02-15", "2025-05-15", "2025-08-15", "2025-11-15", "2026-03-02"} {
			day, _ := time.Parse(time.DateOnly, today)
			f.srv.API.Now = func() time.Time { return day.Add(10 * time.Hour) }
			for _, year := range []int{2024, 2025} {
				if year > day.Year() || year == day.Year() && day.Month() < 5 {
					continue
				}
				var rep urReport
				target := fmt.Sprintf("%s?year=%d", route, year)
				f.call(t, "GET", target, route, "analyst", nil, 200, &rep)
				members := map[string][]string{}
				for _, m := range rep.Municipalities {
					if !contains(urMunicipalities, m.NIS) {
						continue // no counts: zeros everywhere
					}
					members[m.Team] = append(members[m.Team], m.NIS)
					where := fmt.Sprintf("%s on %s, %s", target, today, m.NIS)
					shown = append(shown, shownNumber{atoms([]string{m.NIS}, rep.From, rep.To), m.Sent, where + " sent"})
					shown = append(shown, shownNumber{atoms([]string{"b" + m.NIS}, rep.From, rep.To), m.Births, where + " births"})
				}
				for _, tr := range rep.Teams {
					if len(members[tr.Team]) == 0 {
						continue
					}
					where := fmt.Sprintf("%s on %s, team %s", target, today, tr.Team)
					shown = append(shown, shownNumber{atoms(members[tr.Team], rep.From, rep.To), tr.Sent, where + " sent"})
					var bs []string
					for _, n := range members[tr.Team] {
						bs = append(bs, "b"+n)
					}
					shown = append(shown, shownNumber{atoms(bs, rep.From, rep.To), tr.Births, where + " births"})
				}
			}
		}
		checkDifferencing(t, shown)
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
