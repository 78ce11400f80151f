package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"kansrijk/internal/bench"
)

// benchCmd runs `kansrijk bench`: the measuring harness of issue 14
// (internal/bench) on an empty database.
func benchCmd(ctx context.Context, args []string, env Env) error {
	fs := flags("bench", env)
	dsn := dbFlag(fs, env)
	scale := fs.String("scale", "small", "data set: tiny, small or full")
	out := fs.String("out", "bench/results.json", "results file (the other databases' runs in it are kept)")
	only := fs.String("only", "", "figures to measure, separated by commas (default: all)")
	fresh := fs.Bool("fresh", false, "measure in a new empty database next to --db (PostgreSQL: a new database on its server; SQLite: a temporary file), dropped afterwards")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (pprof) of the measured figures to this file")
	blockProfile := fs.String("blockprofile", "", "write a blocking profile (pprof) of the measured figures to this file")
	skip := fs.Bool("skip-unreachable", false, "with --fresh: an unreachable PostgreSQL server skips the run instead of failing")
	if err := parse(fs, args); err != nil {
		return err
	}
	sc, ok := bench.Scales[*scale]
	if !ok {
		return &usageError{fmt.Sprintf("unknown --scale %q: use tiny, small or full", *scale), usage}
	}
	cfg := bench.Config{DSN: *dsn, Scale: sc, CPUProfile: *cpuProfile, BlockProfile: *blockProfile}
	if *fresh {
		d, drop, err := bench.Fresh(ctx, *dsn)
		if errors.Is(err, bench.ErrUnreachable) && *skip {
			fmt.Fprintf(env.Stdout, "kansrijk bench: skipped, %v\n", err)
			return nil
		}
		if err != nil {
			return err
		}
		defer drop()
		cfg.DSN = d
	}
	for _, n := range strings.Split(*only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			cfg.Only = append(cfg.Only, n)
		}
	}
	if isTerminal(env.Stderr) {
		cfg.Progress = env.Stderr
	}
	dialect, res, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	bench.PrintTable(env.Stdout, dialect, res)
	if err := bench.WriteResults(*out, dialect, res, len(cfg.Only) > 0); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nwritten to %s\n", *out)
	return nil
}
