package web_test

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/browsertest"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/httpx"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/outcome"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// urCells is an outcome store with fixed cells (the real one is tested in
// internal/store).
type urCells []outcome.Cell

func (u urCells) OutcomeCells(_ context.Context, _ account.Actor, q outcome.Query) ([]outcome.Cell, error) {
	var out []outcome.Cell
	for _, c := range u {
		m, _ := time.ParseInLocation("2006-01", c.Month, q.From.Location())
		if !m.Before(q.From) && m.Before(q.To) {
			out = append(out, c)
		}
	}
	return out, nil
}

// urInForce puts an agreement in force in every municipality whose NIS
// code does not end in 3 or 7.
type urInForce struct{ agreement.Store }

func (u urInForce) AgreementReport(ctx context.Context, asOf time.Time, knownAt *time.Time, region string) (agreement.Report, error) {
	r, err := u.Store.AgreementReport(ctx, asOf, knownAt, region)
	for i, m := range r.Municipalities {
		if !strings.HasSuffix(m.NIS, "3") && !strings.HasSuffix(m.NIS, "7") {
			r.Municipalities[i].Status = agreement.Active
		}
	}
	return r, err
}

// urServer is a server over a database with a fictitious index for 2024
// and births and referrals for 2024–2026 in every Flemish municipality:
// about one referral per five deprived births, far fewer in a few.
func urServer(t *testing.T, db *store.DB) *server.Server {
	t.Helper()
	ctx := context.Background()
	reg := municipality.MustLoad()
	rnd := rand.New(rand.NewPCG(7, 13))
	sys := account.System("test")
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016", "12014", "13013"}, From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	var values []deprivation.Value
	share := map[string]float64{}
	for _, m := range reg.On(time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), municipality.Flanders) {
		b := max(40, m.Population2020/90)
		p := 4 + rnd.Float64()*18
		d := int(float64(b) * p / 100)
		values = append(values, deprivation.Value{NIS: m.NIS, Year: 2024, Percent: float64(int(1000*float64(d)/float64(b))) / 10, Births: &b, Deprived: &d})
		share[m.NIS] = p / 100
	}
	admin := account.Actor{Role: account.Admin, Org: "opgroeien", UserID: 1}
	if _, err := db.ImportDeprivation(ctx, admin, values, "fictief — testgegevens"); err != nil {
		t.Fatal(err)
	}
	var cells urCells
	for _, y := range []int{2024, 2025, 2026} {
		for _, m := range reg.On(time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC), municipality.Flanders) {
			perMonth := float64(max(3, m.Population2020/1100))
			p := share[m.NIS]
			if p == 0 {
				p = 0.12
			}
			rate := 0.2
			if strings.HasSuffix(m.NIS, "1") {
				rate = 0.03 // these teams miss families
			}
			for mo := 1; mo <= 12; mo++ {
				c := outcome.Cell{Month: time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, time.UTC).Format("2006-01"), NIS: m.NIS}
				c.Births = int(perMonth*(0.8+0.4*rnd.Float64()) + 0.5)
				c.Sent = poisson(rnd, float64(c.Births)*p*rate)
				cells = append(cells, c)
			}
		}
	}
	s, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	s.Web.Outcomes = cells
	s.Web.Agreements = urInForce{db}
	s.API.Outcomes = cells
	s.API.Agreements = urInForce{db}
	return s
}

func poisson(rnd *rand.Rand, mu float64) int {
	n, p, l := 0, 1.0, math.Exp(-mu)
	for ; ; n++ {
		p *= rnd.Float64()
		if p < l {
			return n
		}
	}
}

// TestUnderReferralPage: the page as an analyst sees it (the map with its
// 285 or 300 shapes, the ranked table, the method in both languages), and
// a team lead refused.
func TestUnderReferralPage(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	db.Now = time.Now // the session cookie must outlive the real clock
	users := storetest.Users(t, db, "underreferral.test",
		storetest.U{Name: "analyst", Role: "analyst", Org: "opgroeien"},
		storetest.U{Name: "lead", Role: "team_lead", Org: "team-noord"})
	s := urServer(t, db)
	get := func(who, path string) (int, string) {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: users.Cookie(t, who)})
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, _ := get("lead", "/reports/under-referral"); code != http.StatusForbidden {
		t.Errorf("team lead: %d, want 403", code)
	}
	for _, tt := range []struct {
		year   string
		shapes int
	}{{"2024", 300}, {"2025", 285}} {
		code, body := get("analyst", "/reports/under-referral?year="+tt.year)
		if code != 200 {
			t.Fatalf("%s: %d", tt.year, code)
		}
		if n := strings.Count(body, "<path data-nis="); n != tt.shapes {
			t.Errorf("%s: the map has %d shapes, want %d", tt.year, n, tt.shapes)
		}
		for _, want := range []string{"Methode", "veel minder dan verwacht", `data-flag="far_fewer"`, "format=csv", "Lokaal team Noord", "Toon alle"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the page lacks %q", tt.year, want)
			}
		}
	}
	if _, body := get("analyst", "/reports/under-referral?year=2025&all=1&sort=nis"); strings.Count(body, "<tr data-nis=") != 285 {
		t.Errorf("all rows: %d, want 285", strings.Count(body, "<tr data-nis="))
	}
	// In English: the method too.
	req := httptest.NewRequest("GET", "/reports/under-referral?year=2025", nil)
	req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: users.Cookie(t, "analyst")})
	req.AddCookie(&http.Cookie{Name: "lang", Value: "en"})
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	for _, want := range []string{"Method", "far fewer than expected", "exact 95 % interval", `href="/reports/under-referral"`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("the English page lacks %q", want)
		}
	}
	if code, body := get("analyst", "/reports/under-referral?year=1999"); code != http.StatusBadRequest || !strings.Contains(body, "Kies een jaar van 2022") {
		t.Errorf("a bad year: %d", code)
	}
}

// TestUnderReferralBrowser shows the page in headless Chromium: the year
// form without JavaScript, sorting, axe-core, and no sideways scrolling at
// 390 px (screenshots in test-artifacts/).
func TestUnderReferralBrowser(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("browser test: skipped with -short")
	}
	db := storetest.Open(t, store.SQLite)
	db.Now = time.Now
	users := storetest.Users(t, db, "underreferral.test", storetest.U{Name: "analyst", Role: "analyst", Org: "opgroeien"})
	users.Create(t, "analyst")
	srv := httptest.NewServer(urServer(t, db))
	t.Cleanup(srv.Close)
	b := browsertest.New(t)
	b.Navigate(srv.URL + "/login")
	b.SetValue("#email", "analyst@underreferral.test")
	b.SetValue("#password", storetest.Password)
	b.Click("main form button[type=submit]")

	b.Navigate(srv.URL + "/reports/under-referral")
	b.Page("under-referral")
	b.SetValue("#year", "2024")
	b.Click("main form.filters button[type=submit]")
	if !strings.Contains(b.URL(), "year=2024") {
		t.Fatalf("the form led to %s", b.URL())
	}
	var shapes int
	b.Eval(`document.querySelectorAll("#under-referral-map svg path[data-nis]").length`, &shapes)
	if shapes != 300 {
		t.Errorf("2024 map: %d shapes", shapes)
	}
	b.Click(`nav.sort-links a[href*="sort=name"]`)
	var rows int
	b.Eval(`document.querySelectorAll("#under-referral-table tbody tr").length`, &rows)
	if rows != 50 {
		t.Errorf("%d rows before show all, want the first 50", rows)
	}
	if first := b.Text("#under-referral-table tbody tr th"); !strings.HasPrefix(first, "Aalst") {
		t.Errorf("sorted by name, the first row is %q", first)
	}
	b.Page("under-referral-2024-by-name")

	b.Viewport(390, 844)
	b.Navigate(srv.URL + "/reports/under-referral?year=2025")
	var o struct{ IW, SW int }
	b.Eval(`({IW: window.innerWidth, SW: document.documentElement.scrollWidth})`, &o)
	if o.SW > o.IW {
		t.Errorf("the page scrolls sideways at 390 px: %d px wide", o.SW)
	}
	b.Page("under-referral-390px")
}
