package bench_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"kansrijk/internal/bench"
	"kansrijk/internal/store/storetest"
)

// TestMain lets the test binary be the harness's child server: with
// BENCH_CHILD_DSN set it serves that database (bench.ServeChild) instead of
// running the tests.
func TestMain(m *testing.M) {
	if dsn := os.Getenv("BENCH_CHILD_DSN"); dsn != "" {
		if err := bench.ServeChild(context.Background(), dsn, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRSSOfChildServer: with a child command, rss_mb is the peak memory of
// the server alone, in its own process serving the generated database
// under the inbox load, on both databases.
func TestRSSOfChildServer(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			var started int
			cfg := bench.Config{DSN: storetest.DSN(t, d), Scale: bench.Scales["tiny"], Only: []string{"rss_mb"},
				Child: func(dsn string) *exec.Cmd {
					started++
					cmd := exec.Command(os.Args[0], "-test.run=^$")
					cmd.Env = append(os.Environ(), "BENCH_CHILD_DSN="+dsn)
					return cmd
				}}
			_, res, err := bench.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			f := res.Figures["rss_mb"]
			if f.NotMeasured != "" || f.Value <= 0 || f.Unit != "MB" || !strings.Contains(f.Note, "server alone") {
				t.Fatalf("rss_mb %+v", f)
			}
			if started != 1 {
				t.Errorf("%d child servers started, want 1", started)
			}
		})
	}
}
