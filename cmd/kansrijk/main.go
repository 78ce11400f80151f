// Command kansrijk runs Kansrijk: the server, migrations, demo data and
// account administration. See the README and `kansrijk help`.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"kansrijk/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal serve stops gracefully; a second one ends
	// the process at once (the default action, restored by stop).
	go func() { <-ctx.Done(); stop() }()
	slog.SetDefault(cli.Logger(os.Stderr, os.Getenv))
	os.Exit(cli.Run(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
}
