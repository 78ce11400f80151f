package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kansrijk/internal/bench"
	"kansrijk/internal/cli"
	"kansrijk/internal/store/storetest"
)

// TestBenchTiny runs `kansrijk bench --scale tiny` end to end on each
// database: data set, server, every figure measured or said not measured
// with a reason, the table printed and bench/results.json written. No
// figure's value is asserted (the machine is shared).
func TestBenchTiny(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results.json")
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := cli.Run(context.Background(), []string{"bench", "--db", storetest.DSN(t, d), "--scale", "tiny", "--out", out},
				cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
			if code != 0 {
				t.Fatalf("exit %d: %s %s", code, stdout.String(), stderr.String())
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var res bench.Results
			if err := json.Unmarshal(b, &res); err != nil {
				t.Fatal(err)
			}
			run := res.Databases[string(d)]
			if run == nil || run.Scale != "tiny" || res.Machine.Cores == 0 {
				t.Fatalf("results: %s", b)
			}
			for _, name := range bench.FigureNames {
				f, ok := run.Figures[name]
				switch {
				case !ok:
					t.Errorf("%s missing from the results", name)
				case f.NotMeasured == "" && (f.Unit == "" || f.Met == nil):
					t.Errorf("%s measured without unit or verdict: %+v", name, f)
				case f.NotMeasured != "" && f.Value != 0:
					t.Errorf("%s not measured but with a value: %+v", name, f)
				}
				if !strings.Contains(stdout.String(), name) {
					t.Errorf("%s not in the printed table", name)
				}
			}
			// The figures that reuse what exists are measured.
			for _, name := range []string{"api_ratio", "api_p99_ms", "mixed_ratio", "audit_overhead", "import_ratio", "insert_ratio", "verify_ratio", "proof_ms", "report_ms", "stats_ms", "rss_mb"} {
				if f := run.Figures[name]; f.NotMeasured != "" {
					t.Errorf("%s not measured: %s", name, f.NotMeasured)
				}
			}
		})
	}
	// --only limits the run; an unknown figure is refused.
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"bench", "--db", filepath.Join(t.TempDir(), "k.db"), "--scale", "tiny", "--only", "api_ratio,nope", "--out", out},
		cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
	if code == 0 || !strings.Contains(stderr.String(), `unknown figure "nope"`) {
		t.Errorf("--only nope: exit %d, %s", code, stderr.String())
	}
}
