package api_test

// openstats area: the open statistics over HTTP, on both databases: the answer's shape
// (documented schema and the published JSON Schema), CSV with BOM and ";", caching, bad
// parameters, the schema and DCAT documents, and the differencing attack over every window.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"kansrijk/internal/account"
	"kansrijk/internal/api"
	"kansrijk/internal/apperr"
	"kansrijk/internal/demo"
	"kansrijk/internal/opendata"
	"kansrijk/internal/outcome"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// fakeOutcomes serves hand-made cells and checks that the open statistics read them as an
// analyst of Opgroeien, for whole months.
type fakeOutcomes struct {
	t     *testing.T
	cells []outcome.Cell
	calls int
}

func (f *fakeOutcomes) OutcomeCells(_ context.Context, a account.Actor, q outcome.Query) ([]outcome.Cell, error) {
	f.calls++
	if a.Role != account.Analyst || a.Org != "opgroeien" {
		f.t.Errorf("outcome cells read as %s of %s", a.Role, a.Org)
		return nil, apperr.New(apperr.Forbidden, "not an analyst")
	}
	from, to := q.From.In(opendata.Brussels), q.To.In(opendata.Brussels)
	if from.Day() != 1 || from.Hour() != 0 || to.Day() != 1 || to.Hour() != 0 {
		f.t.Errorf("query %v..%v is not whole months in Brussels", q.From, q.To)
	}
	var out []outcome.Cell
	for _, c := range f.cells {
		if m := c.Month; m >= from.Format("2006-01") && m < to.Format("2006-01") {
			out = append(out, c)
		}
	}
	return out, nil
}

// openStatsCells: counts for five municipalities over 2024-01..2025-12, many small.
func openStatsCells(seed uint64) []outcome.Cell {
	rng := rand.New(rand.NewPCG(seed, 13))
	var cells []outcome.Cell
	for m := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); m.Year() < 2026; m = m.AddDate(0, 1, 0) {
		for _, nis := range []string{"13016", "12014", "13013", "11007", "73040"} {
			if rng.IntN(4) == 0 {
				continue
			}
			sent := rng.IntN(9)
			if rng.IntN(3) == 0 {
				sent += rng.IntN(30)
			}
			reached := rng.IntN(sent + 1)
			opened := rng.IntN(reached + 1)
			cells = append(cells, outcome.Cell{Month: m.Format("2006-01"), NIS: nis, Team: "team-noord", OCMW: "ocmw-" + nis,
				Counts: outcome.Counts{Drafted: sent, Sent: sent, Received: sent, Reached: reached,
					Outcomes: map[string]int{"rights_opened": opened, "declined": reached - opened, "not_reachable": sent - reached},
					Rights:   map[string]int{"leefloon": rng.IntN(opened + 1), "verhoogde_tegemoetkoming": rng.IntN(opened + 1)}}})
		}
	}
	return cells
}

const openStatsRoute = "/api/v1/public/statistics"

func TestOpenStatsAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db) // today 2026-03-02: the last published quarter is 2025-Q3
		fake := &fakeOutcomes{t: t, cells: openStatsCells(1)}
		f.srv.API.Outcomes = fake

		var st struct {
			From, To, Schema string
			Quarters         []opendata.Quarter
			ProtectedPer     string `json:"protected_per"`
			RoundedTo        int    `json:"rounded_to"`
			Rows             []json.RawMessage
		}
		r := f.call(t, "GET", openStatsRoute+"?from=2024-02&to=2025-12", openStatsRoute, "", nil, 200, &st)
		if st.From != "2024-01" || st.To != "2025-09" || len(st.Quarters) != 7 || st.ProtectedPer != "quarter" || st.RoundedTo != 5 {
			t.Errorf("window %s..%s, %d quarters", st.From, st.To, len(st.Quarters))
		}
		if !strings.HasSuffix(st.Schema, opendata.SchemaPath) {
			t.Errorf("schema %q", st.Schema)
		}
		// 5 municipalities + Flanders (plus any with an agreement in force) × (21 months + 7 quarters + 1 window).
		if len(st.Rows) < 6*29 || len(st.Rows)%29 != 0 {
			t.Errorf("%d rows", len(st.Rows))
		}
		// The published JSON Schema validates the answer.
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(opendata.SchemaJSON))
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("schema.json", doc); err != nil {
			t.Fatal(err)
		}
		schema, err := c.Compile("schema.json")
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("the answer does not validate against its JSON Schema: %v", err)
		}
		// Caching: an ETag, public for 10 minutes, 304 when the caller has it; the second
		// answer comes from memory.
		etag := r.Header.Get("ETag")
		if etag == "" || r.Header.Get("Cache-Control") != "public, max-age=600" {
			t.Errorf("ETag %q, Cache-Control %q", etag, r.Header.Get("Cache-Control"))
		}
		calls := fake.calls
		req := httptest.NewRequest("GET", openStatsRoute+"?from=2024-02&to=2025-12", nil)
		req.Header.Set("If-None-Match", etag)
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		if rec.Code != 304 || rec.Body.Len() != 0 {
			t.Errorf("If-None-Match: %d %q", rec.Code, rec.Body)
		}
		if fake.calls != calls {
			t.Errorf("the outcome cells were read again within the cache's lifetime")
		}
		// A signed-in caller gets the same.
		r2 := f.call(t, "GET", openStatsRoute+"?from=2024-01&to=2025-09", openStatsRoute, "ocmw", nil, 200, nil)
		if !bytes.Equal(r2.Body, r.Body) {
			t.Error("the same window answered differently")
		}

		// CSV: BOM, ";", the documented columns, one line per row.
		r = f.call(t, "GET", openStatsRoute+"?from=2024-01&to=2025-09&format=csv", openStatsRoute, "", nil, 200, nil)
		if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if !bytes.HasPrefix(r.Body, []byte("\xef\xbb\xbf")) {
			t.Fatal("CSV without BOM")
		}
		cr := csv.NewReader(bytes.NewReader(r.Body[3:]))
		cr.Comma = ';'
		lines, err := cr.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(lines[0], ","), strings.Join(opendata.Columns(), ","); got != want {
			t.Errorf("CSV header %s, want %s", got, want)
		}
		if len(lines) != len(st.Rows)+1 {
			t.Errorf("%d CSV lines for %d rows", len(lines), len(st.Rows))
		}
		for _, l := range lines[1:] {
			for _, cell := range l[8:] {
				var n int
				if _, err := fmt.Sscan(cell, &n); cell != "<5" && cell != "x" && (err != nil || n%5 != 0) {
					t.Fatalf("CSV count %q in %v", cell, l)
				}
			}
		}

		// XLSX: the same table as a workbook.
		r = f.call(t, "GET", openStatsRoute+"?from=2024-01&to=2025-09&format=xlsx", openStatsRoute, "", nil, 200, nil)
		if ct := r.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || !bytes.HasPrefix(r.Body, []byte("PK")) {
			t.Errorf("XLSX: Content-Type %q, %d bytes", ct, len(r.Body))
		}

		// Bad parameters: 400 with a stable code naming the parameter.
		for _, c := range []struct{ query, code, field string }{
			{"from=2024-13", "invalid_date", "from"},
			{"to=2024", "invalid_date", "to"},
			{"from=2025-06&to=2025-01", "invalid_date", "from"},
			{"from=2015-01&to=2025-09", "invalid_date", "from"}, // more than 60 months
			{"to=2021-06", "invalid_date", "to"},
			{"from=2025-10&to=2025-12", "invalid_date", "from"}, // not published yet
			{"format=pdf", "invalid", "format"},
			{"lang=en", "invalid", "lang"},
			{"from=2024-01&from=2024-04", "invalid", "from"},
		} {
			r := f.call(t, "GET", openStatsRoute+"?"+c.query, openStatsRoute, "", nil, 400, nil)
			var e struct {
				Error struct{ Code, Field string } `json:"error"`
			}
			if err := json.Unmarshal(r.Body, &e); err != nil || e.Error.Code != c.code || e.Error.Field != c.field {
				t.Errorf("%s: %s", c.query, r.Body)
			}
		}
		// Both months wrong: both named.
		r = f.call(t, "GET", openStatsRoute+"?from=x&to=y", openStatsRoute, "", nil, 400, nil)
		if !strings.Contains(string(r.Body), `"field":"from"`) || !strings.Contains(string(r.Body), `"field":"to"`) {
			t.Errorf("two bad months: %s", r.Body)
		}

		// The schema and the metadata.
		r = f.call(t, "GET", opendata.SchemaPath, opendata.SchemaPath, "", nil, 200, nil)
		if !bytes.Equal(r.Body, opendata.SchemaJSON) || r.Header.Get("Content-Type") != "application/schema+json" {
			t.Errorf("schema: %s", r.Header.Get("Content-Type"))
		}
		r = f.call(t, "GET", opendata.DCATPath, opendata.DCATPath, "", nil, 200, nil)
		if r.Header.Get("Content-Type") != "application/ld+json" {
			t.Errorf("DCAT Content-Type %q", r.Header.Get("Content-Type"))
		}
		for _, p := range opendata.CheckDCAT(r.Body, "http://localhost:8080") {
			t.Error(p)
		}
		if !strings.Contains(string(r.Body), `"2025-09-30"`) {
			t.Errorf("the temporal coverage does not end with the last published month: %s", r.Body)
		}
	})
}

// TestOpenStatsAPIDifferencing asks the server, anonymously, for every window from..to of
// months 2024-01..2025-12 (widened to published quarters, up to 2025-Q3), labels every count
// shown with the (municipality, month) cells it covers and attacks them with
// checkDifferencing: the same cells never shown two ways, no two numbers over nested sets
// 1 to 4 apart.
func TestOpenStatsAPIDifferencing(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		f.srv.API.Outcomes = &fakeOutcomes{t: t, cells: openStatsCells(2)}
		all := monthsBetween(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC))
		nises := []string{"13016", "12014", "13013", "11007", "73040"}
		shown := map[string][]shownNumber{} // per measure
		windows := 0
		for i, from := range all {
			for _, to := range all[i:] {
				target := openStatsRoute + "?from=" + from + "&to=" + to
				req := httptest.NewRequest("GET", target, nil)
				rec := httptest.NewRecorder()
				f.srv.ServeHTTP(rec, req)
				if rec.Code == 400 && strings.Contains(rec.Body.String(), "invalid_date") {
					continue // nothing published in the window
				}
				if rec.Code != 200 {
					t.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
				}
				windows++
				var got struct {
					Rows []struct {
						PeriodType string         `json:"period_type"`
						Months     []string       `json:"months"`
						NIS        string         `json:"nis"`
						Sent       any            `json:"referrals_sent"`
						Reached    any            `json:"referrals_reached"`
						Outcomes   map[string]any `json:"outcomes"`
						Rights     map[string]any `json:"rights"`
					} `json:"rows"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
					t.Fatal(err)
				}
				for _, r := range got.Rows {
					nis := []string{r.NIS}
					if r.NIS == opendata.FlandersNIS {
						nis = nises
					}
					atoms := map[string]bool{}
					for _, n := range nis {
						for _, m := range r.Months {
							atoms[n+"@"+m] = true
						}
					}
					add := func(measure string, v any) {
						shown[measure] = append(shown[measure], shownNumber{atoms, v, target + " " + r.PeriodType + " " + r.NIS + " " + strings.Join(r.Months, ",")})
					}
					add("sent", r.Sent)
					add("reached", r.Reached)
					for k, v := range r.Outcomes {
						add("outcome "+k, v)
					}
					for k, v := range r.Rights {
						add("right "+k, v)
					}
				}
			}
		}
		if windows < 200 {
			t.Fatalf("only %d windows answered", windows)
		}
		t.Logf("%d windows answered", windows)
		for measure, s := range shown {
			t.Run(measure, func(t *testing.T) { checkDifferencing(t, s) })
		}
	})
}

// TestOpenStatsAPIDemo: on the demo data and the real outcome store, on both databases, the
// anonymous answer is what opendata publishes from the store's cells, and every published
// quarter since the decree can be asked for.
func TestOpenStatsAPIDemo(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		db.Now = time.Now
		if err := demo.Load(ctx, db); err != nil {
			t.Fatal(err)
		}
		srv, err := server.New(db)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		req := httptest.NewRequest("GET", openStatsRoute+"?from=2022-01&to=2026-12", nil)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		t.Logf("%s: the open statistics since 2022 in %v (%d bytes)", db.Dialect(), time.Since(start).Round(time.Millisecond), rec.Body.Len())
		today := api.Today(time.Now())
		from, to, err := opendata.Window("2022-01", "2026-12", today)
		if err != nil {
			t.Fatal(err)
		}
		st, err := opendata.Load(ctx, opendata.Sources{Outcomes: db, Agreements: db, Municipalities: db.Municipalities}, from, to,
			srv.Mailing.BaseURL+opendata.SchemaPath)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(st)
		if !bytes.Equal(rec.Body.Bytes(), want.Bytes()) {
			t.Errorf("the answer differs from what the store's cells publish")
		}
		sent := 0
		for _, r := range st.Rows {
			if r.PeriodType == opendata.PeriodMonth && r.NIS != opendata.FlandersNIS && (r.ReferralsSent.Suppressed || r.ReferralsSent.Value > 0) {
				sent++
			}
		}
		if sent == 0 {
			t.Error("the demo's referrals are not in the open statistics")
		}
	})
}
