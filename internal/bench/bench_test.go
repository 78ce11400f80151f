package bench_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kansrijk/internal/bench"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestGenerate: the generator writes the scale's rows, table by table, on
// both databases, with working tokens for the callers.
func TestGenerate(t *testing.T) {
	sc := bench.Scale{Name: "test", Teams: 3, Municipalities: 7, Referrals: 130, Births: 90, AuditEvents: 250}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var steps int
		w, err := bench.Generate(ctx, db, sc, func(string) { steps++ })
		if err != nil {
			t.Fatal(err)
		}
		if steps == 0 {
			t.Error("no progress reported")
		}
		if w.Teams != 3 || w.Agreements != 7 || w.InboxTeam == "" {
			t.Errorf("%d teams, %d agreements, inbox team %q", w.Teams, w.Agreements, w.InboxTeam)
		}
		for table, want := range map[string]int{"referrals": 130, "referral_parents": 130, "birth_notifications": 90, "birth_parents": 90, "agreements": 7} {
			if got := w.Counts[table]; got != want {
				t.Errorf("%s: %d rows, want %d", table, got, want)
			}
		}
		// The store's own writes (teams, agreements, accounts) are audited too.
		if got := w.Counts["audit_events"]; got < 250 {
			t.Errorf("audit_events: %d rows, want at least 250", got)
		}
		// Growing to a larger scale adds only the missing rows.
		more := sc
		more.Referrals, more.Births, more.AuditEvents = 520, 300, 400
		if err := w.Grow(ctx, db, more, nil); err != nil {
			t.Fatal(err)
		}
		for table, want := range map[string]int{"referrals": 520, "referral_parents": 520, "birth_notifications": 300, "birth_parents": 300} {
			if got := w.Counts[table]; got != want {
				t.Errorf("grown: %s: %d rows, want %d", table, got, want)
			}
		}
		for _, tok := range []string{w.OCMWToken, w.ClinicToken, w.AdminToken, w.TeamToken} {
			if _, err := db.ActorByToken(ctx, tok); err != nil {
				t.Errorf("token: %v", err)
			}
		}
	})
}

// TestResultsFile: bench/results.json holds the machine and one object
// per database, figure name → value, unit, baseline, ratio, target, met;
// a second database's run keeps the first's.
func TestResultsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench", "results.json")
	yes := true
	d := &bench.Database{Scale: "tiny", Date: time.Now().UTC(), Counts: map[string]int{"referrals": 1}, Figures: map[string]bench.Figure{
		"api_ratio": {Value: 100, Unit: "req/s", Baseline: 200, BaseUnit: "req/s", Ratio: 0.5, Target: "≥ 0.25", Met: &yes},
		"growth":    {NotMeasured: "not built", Target: "≤ ×1.5"},
	}}
	if err := bench.WriteResults(path, "sqlite", d, false); err != nil {
		t.Fatal(err)
	}
	if err := bench.WriteResults(path, "postgres", d, false); err != nil {
		t.Fatal(err)
	}
	// A partial run (--only growth) keeps the other figures of the scale.
	part := &bench.Database{Scale: "tiny", Date: time.Now().UTC(), Figures: map[string]bench.Figure{"growth": {Value: 1.2, Unit: "×", Target: "≤ ×1.5", Met: &yes}}}
	if err := bench.WriteResults(path, "postgres", part, true); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Machine   map[string]any
		Databases map[string]struct {
			Scale   string
			Date    string
			Figures map[string]map[string]any
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"cores", "go", "os"} {
		if got.Machine[k] == nil {
			t.Errorf("machine.%s missing: %s", k, b)
		}
	}
	if g := got.Databases["postgres"].Figures["growth"]; g["value"] != 1.2 {
		t.Errorf("the partial run's growth: %v", g)
	}
	for _, db := range []string{"sqlite", "postgres"} {
		r, ok := got.Databases[db]
		if !ok || r.Scale != "tiny" || r.Date == "" {
			t.Fatalf("databases.%s: %+v", db, r)
		}
		f := r.Figures["api_ratio"]
		for _, k := range []string{"value", "unit", "baseline", "ratio", "target", "met"} {
			if _, ok := f[k]; !ok {
				t.Errorf("%s api_ratio.%s missing: %v", db, k, f)
			}
		}
		if g := r.Figures["growth"]; db == "sqlite" && (g["not_measured"] != "not built" || g["met"] != nil) {
			t.Errorf("%s growth: %v, want not measured and met null", db, g)
		}
	}
}
