package web_test

// The outcome dashboards through the real server: who may read them, what each role sees
// (published counts for admins and analysts, a team lead's and an OCMW's own exact), the Dutch
// error on a bad month, and the maps with the municipalities of the window's year.

import (
	"context"
	"database/sql"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// outcomeWritable is a connection that may write the test database directly.
func outcomeWritable(t *testing.T, db *store.DB) *sql.DB {
	t.Helper()
	if db.Dialect() == store.Postgres {
		return db.SQL()
	}
	_, path, err := store.ParseDSN(db.Redacted)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// outcomeData writes referrals and births of team-noord (Hulshout, Heist-op-den-Berg) and
// team-zuid (Borsbeek) from January 2024 to February 2026: per municipality and month a few
// referrals, sent, half of them reached three days later and closed with rights opened; and
// births.
func outcomeData(t *testing.T, db *store.DB) {
	t.Helper()
	raw := outcomeWritable(t, db)
	ctx := context.Background()
	teams := map[string]string{"13016": "team-noord", "12014": "team-noord", "11007": "team-zuid"}
	id := 0
	const layout = "2006-01-02T15:04:05.000000Z"
	for _, nis := range []string{"13016", "12014", "11007"} {
		for m := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC); m.Before(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
			for k := range 3 + int(m.Month())%5 {
				id++
				created := m.AddDate(0, 0, k)
				if _, err := raw.ExecContext(ctx, `INSERT INTO referrals (id, team_key, municipality_nis, recipient_key, status, outcome, rights, receipt_code, created_by,
					created_at, sent_at, received_at, first_contact_at, closed_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'test',$9,$9,$9,$10,$11,$9)`,
					id, teams[nis], nis, "ocmw-"+nis, map[bool]string{true: "closed", false: "sent"}[k%2 == 0], map[bool]string{true: "rights_opened", false: ""}[k%2 == 0],
					map[bool]string{true: `["leefloon"]`, false: "[]"}[k%2 == 0], "KR-WEB-"+strconv.Itoa(id), created.Format(layout),
					map[bool]any{true: created.AddDate(0, 0, 3).Format(layout), false: nil}[k%2 == 0],
					map[bool]any{true: created.AddDate(0, 0, 20).Format(layout), false: nil}[k%2 == 0]); err != nil {
					t.Fatal(err)
				}
				if k%2 == 0 {
					if _, err := raw.ExecContext(ctx, `INSERT INTO referral_contact_attempts (referral_id, on_day, channel, reached, recorded_at, recorded_by)
						VALUES ($1,$2,'phone',$3,$4,'test')`, id, created.AddDate(0, 0, 3).Format(time.DateOnly), true, created.Format(layout)); err != nil {
						t.Fatal(err)
					}
				}
			}
			for k := range 20 {
				id++
				created := m.AddDate(0, 0, k)
				if _, err := raw.ExecContext(ctx, `INSERT INTO birth_notifications (id, clinic_key, team_key, municipality_nis, child_birth_date, language, status,
					submitted_by, created_at, updated_at, first_contact_on) VALUES ($1,'clinic-zonnedal',$2,$3,$4,'nl','contacted','test',$5,$5,$6)`,
					id, teams[nis], nis, created.Format(time.DateOnly), created.Format(layout), created.AddDate(0, 0, k%20).Format(time.DateOnly)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

var outcomeMapPath = regexp.MustCompile(`<path data-nis="`)

// outcomeSection returns the HTML of the section with id.
func outcomeSection(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `<section id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no section %s", id)
	}
	s := body[i:]
	if j := strings.Index(s, "</section>"); j >= 0 {
		s = s[:j]
	}
	return s
}

func TestOutcomePages(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newFunnelFixture(t, db) // today 2 March 2026
		outcomeData(t, db)
		for _, who := range []string{"dpo", "clinic", "worker"} {
			if r := f.get(t, "/reports/outcomes", who); r.Code != 403 {
				t.Errorf("%s: %d", who, r.Code)
			}
		}
		if r := f.get(t, "/reports/outcomes", ""); r.Code != 303 {
			t.Errorf("anonymous: %d", r.Code)
		}
		// The team lead: its own team, exact; the maps of 2024 have 300 municipalities, those
		// of 2025 have 285.
		for _, c := range []struct {
			window string
			shapes int
		}{{"from=2024-01&to=2024-12", 300}, {"from=2025-01&to=2025-06", 285}} {
			r := f.get(t, "/reports/outcomes?group=municipality&"+c.window, "lead")
			if r.Code != 200 {
				t.Fatalf("lead %s: %d %s", c.window, r.Code, r.Body)
			}
			for _, id := range []string{"map-per-births", "map-missed", "map-first-contact"} {
				if n := len(outcomeMapPath.FindAllString(outcomeSection(t, r.Body, id), -1)); n != c.shapes {
					t.Errorf("%s %s: %d shapes, want %d", c.window, id, n, c.shapes)
				}
			}
			groups := outcomeSection(t, r.Body, "groups")
			if !strings.Contains(groups, `data-key="13016"`) || strings.Contains(groups, `data-key="11007"`) {
				t.Errorf("lead %s: the municipalities of another team, or not its own", c.window)
			}
			if strings.Contains(r.Body, `<td class="num">&lt;5</td>`) || strings.Contains(r.Body, `<td class="num">x</td>`) {
				t.Errorf("lead %s: its own view is suppressed", c.window)
			}
		}
		// Hulshout's OCMW: its own referrals, no births.
		r := f.get(t, "/reports/outcomes?from=2025-01&to=2025-03&group=month", "ocmw")
		if r.Code != 200 || !strings.Contains(r.Body, `data-key="2025-02"`) {
			t.Fatalf("ocmw: %d", r.Code)
		}
		// 2025-01..03 in Hulshout: 4, 5 and 6 referrals.
		if !strings.Contains(r.Body, `<strong>15</strong> `) {
			t.Errorf("ocmw: the sent KPI is not 15")
		}
		// The analyst: published quarters, the window widened and marked.
		r = f.get(t, "/reports/outcomes?from=2025-02&to=2025-04&group=team", "analyst")
		if r.Code != 200 || !strings.Contains(r.Body, `data-from="2025-01" data-to="2025-06"`) {
			t.Fatalf("analyst: %d", r.Code)
		}
		if !strings.Contains(r.Body, "verruimd tot hele kwartalen") {
			t.Error("analyst: the widened window is not said")
		}
		for _, v := range regexp.MustCompile(`<td class="num">(\d+)</td>`).FindAllStringSubmatch(outcomeSection(t, r.Body, "trend"), -1) {
			if n, _ := strconv.Atoi(v[1]); n%5 != 0 {
				t.Errorf("analyst: %d shown unrounded in the trend table", n)
			}
		}
		// English, and a bad month in Dutch next to its field.
		if r := f.get(t, "/reports/outcomes", "admin", "en"); r.Code != 200 || !strings.Contains(r.Body, "Outcomes of the referrals") {
			t.Errorf("admin en: %d", r.Code)
		}
		r = f.get(t, "/reports/outcomes?from=2025-13", "lead")
		if r.Code != 400 || !strings.Contains(r.Body, "Geef een maand als JJJJ-MM") || !strings.Contains(r.Body, `id="from" name="from" inputmode="numeric" maxlength="7" autocomplete="off" aria-describedby="from-hint" value="2025-13" aria-invalid="true"`) {
			t.Errorf("bad month: %d", r.Code)
		}
	})
}
