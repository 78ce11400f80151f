package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"kansrijk/internal/auditlog"
	"kansrijk/internal/server"
)

// Area ops: how `kansrijk serve` stops on SIGTERM or SIGINT.
//
//  1. /readyz answers 503 {"status":"draining"} at once; new requests are
//     still served for KANSRIJK_SHUTDOWN_DRAIN (default 5s), so that a
//     load balancer sees it and moves away (only when something asked
//     /readyz since start: Ctrl-C on a server nobody watches is immediate);
//  2. the listener closes; requests in flight finish within
//     KANSRIJK_SHUTDOWN_TIMEOUT (default 20s), then their connections are
//     closed;
//  3. the outbox deliverer, the daily jobs and a running scheduled backup
//     stop at a safe point (their transactions commit or roll back);
//  4. the access log sequences what is left and signs a final checkpoint;
//  5. the database is closed.
//
// Each step is logged. A second signal ends the process at once.

// Defaults of the shutdown settings.
const (
	DefaultShutdownDrain   = 5 * time.Second
	DefaultShutdownTimeout = 20 * time.Second
)

func shutdownFromEnv(getenv func(string) string) (server.Shutdown, error) {
	d := server.Shutdown{Drain: DefaultShutdownDrain, Timeout: DefaultShutdownTimeout}
	for _, s := range []struct {
		key     string
		to      *time.Duration
		lo, hi  time.Duration
		example string
	}{
		{"KANSRIJK_SHUTDOWN_DRAIN", &d.Drain, 0, 5 * time.Minute, "0s to 5m"},
		{"KANSRIJK_SHUTDOWN_TIMEOUT", &d.Timeout, time.Second, 10 * time.Minute, "1s to 10m"},
	} {
		v := getenv(s.key)
		if v == "" {
			continue
		}
		x, err := time.ParseDuration(v)
		if err != nil || x < s.lo || x > s.hi {
			return d, fmt.Errorf("%s: want a duration from %s, got %q", s.key, s.example, v)
		}
		*s.to = x
	}
	return d, nil
}

// logFinalCheckpoint logs the checkpoint the access log ends with.
func logFinalCheckpoint(lg *auditlog.Log) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := lg.Latest(ctx)
	if err != nil {
		slog.Error("shutdown: no final audit checkpoint", "error", err)
		return
	}
	slog.Info("shutdown: final audit checkpoint signed", "size", c.Size, "root", c.Root)
}
