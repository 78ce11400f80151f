package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"kansrijk/internal/auditlog"
	"kansrijk/internal/backup"
	"kansrijk/internal/jobs"
	"kansrijk/internal/store"
)

// backupCmd runs `kansrijk backup --out FILE`: a consistent online copy
// of the database (while the server runs) and its manifest FILE.json.
func backupCmd(ctx context.Context, args []string, env Env) error {
	fs := flags("backup", env)
	dsn := dbFlag(fs, env)
	out := fs.String("out", "", "file to write the copy to (its manifest goes to FILE.json)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return &usageError{"backup needs --out FILE", usage}
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	opt := backup.Options{Version: Version()}
	if isTerminal(env.Stderr) {
		opt.Progress = func(done, total int64) {
			if total > 0 {
				fmt.Fprintf(env.Stderr, "\rcopying: %.1f MB of about %.1f MB", float64(done)/1e6, float64(total)/1e6)
			} else {
				fmt.Fprintf(env.Stderr, "\rcopying: %.1f MB", float64(done)/1e6)
			}
		}
	}
	started := time.Now()
	m, err := backup.Backup(ctx, *dsn, *out, opt)
	if opt.Progress != nil {
		fmt.Fprintln(env.Stderr)
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(env.Stdout, "OK: %s database copied to %s (%d bytes, SHA-256 %s) in %s\n", m.Kind, *out, m.Bytes, m.SHA256, time.Since(started).Round(time.Millisecond))
	fmt.Fprintf(env.Stdout, "  manifest:       %s\n", backup.ManifestPath(*out))
	fmt.Fprintf(env.Stdout, "  schema version: %d\n", m.SchemaVersion)
	if m.Audit != nil {
		fmt.Fprintf(env.Stdout, "  audit log:      checkpoint of %d events, root %s\n", m.Audit.TreeSize, m.Audit.RootHash)
	} else {
		fmt.Fprintln(env.Stdout, "  audit log:      no checkpoint yet")
	}
	fmt.Fprintf(env.Stdout, "  rows:           %s\n", countsLine(m.Counts))
	return nil
}

func countsLine(c map[string]int64) string {
	var parts []string
	for _, t := range backup.Tables {
		if n, ok := c[t]; ok {
			parts = append(parts, fmt.Sprintf("%s %d", t, n))
		}
	}
	return strings.Join(parts, ", ")
}

// restoreCmd runs `kansrijk restore --from FILE --db DSN [--force]`.
func restoreCmd(ctx context.Context, args []string, env Env) error {
	fs := flags("restore", env)
	from := fs.String("from", "", "the copy made by kansrijk backup (its manifest FILE.json beside it)")
	dsn := fs.String("db", "", "the database to restore into")
	force := fs.Bool("force", false, "replace a database that holds data, or that a server has open")
	vkey := fs.String("key", "", "verifier key of the audit log (default: derived from KANSRIJK_AUDIT_KEY or KANSRIJK_AUDIT_KEY_FILE)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *dsn == "" {
		return &usageError{"restore needs --from FILE and --db DSN", usage}
	}
	cfg, err := auditVerifyConfig(env, *vkey)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	opt := backup.RestoreOptions{Force: *force, Audit: cfg}
	if isTerminal(env.Stderr) {
		opt.Progress = func(done, total int64) {
			fmt.Fprintf(env.Stderr, "\rverifying: %d of %d events", done, total)
			if done == total {
				fmt.Fprintln(env.Stderr)
			}
		}
	}
	res, err := backup.Restore(ctx, *from, *dsn, opt)
	if err != nil {
		if errors.Is(err, backup.ErrMismatch) {
			fmt.Fprintf(env.Stdout, "FAILED: %s\n", err)
		}
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(env.Stdout, "OK: %s restored into %s (copy of %s, schema version %d)\n", *from, *dsn, res.Manifest.CreatedAt.Format(time.RFC3339), res.Manifest.SchemaVersion)
	fmt.Fprintf(env.Stdout, "  audit log: %d events and %d checkpoints verified\n", res.Audit.Size, res.Audit.Checkpoints)
	fmt.Fprintf(env.Stdout, "  rows as in the manifest: %s\n", countsLine(res.Counts))
	return nil
}

// auditVerifyConfig is the audit log configuration `kansrijk audit verify`
// uses: the verifier key given, else the signing key of the environment.
func auditVerifyConfig(env Env, vkey string) (auditlog.Config, error) {
	cfg := auditlog.Config{Origin: auditOrigin(env), VerifierKey: vkey}
	if cfg.VerifierKey != "" {
		return cfg, nil
	}
	skey, err := auditlog.KeyFromEnv(env.Getenv)
	if err != nil {
		return cfg, err
	}
	if skey == "" {
		return cfg, &usageError{"restore verifies the audit log and needs its verifier key: --key VKEY, or KANSRIJK_AUDIT_KEY / KANSRIJK_AUDIT_KEY_FILE", usage}
	}
	cfg.PrivateKey = skey
	return cfg, nil
}

// backupFlags are serve's settings of the scheduled backups; their
// defaults come from KANSRIJK_BACKUP_DIR, KANSRIJK_BACKUP_INTERVAL and
// KANSRIJK_BACKUP_KEEP.
type backupFlags struct {
	dir, interval, keep *string
}

func addBackupFlags(fs *flag.FlagSet, env Env) backupFlags {
	return backupFlags{
		dir:      fs.String("backup-dir", env.Getenv("KANSRIJK_BACKUP_DIR"), "folder of the scheduled backups (none when empty)"),
		interval: fs.String("backup-interval", env.Getenv("KANSRIJK_BACKUP_INTERVAL"), "time between scheduled backups (default 24h)"),
		keep:     fs.String("backup-keep", env.Getenv("KANSRIJK_BACKUP_KEEP"), "how many scheduled backups to keep (default 7)"),
	}
}

// startBackups starts the scheduled backups of serve, when a folder is
// set; stop waits for a running backup to end.
func startBackups(ctx context.Context, db *store.DB, dsn string, f backupFlags) (stop func(), err error) {
	vals := map[string]string{"KANSRIJK_BACKUP_DIR": *f.dir, "KANSRIJK_BACKUP_INTERVAL": *f.interval, "KANSRIJK_BACKUP_KEEP": *f.keep}
	cfg, err := jobs.BackupConfigFromEnv(func(k string) string { return vals[k] })
	if err != nil {
		return nil, fmt.Errorf("scheduled backups (--backup-interval, --backup-keep): %w", err)
	}
	if cfg.Dir == "" {
		return func() {}, nil
	}
	cfg.DSN, cfg.Version = dsn, Version()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		(&jobs.Backups{DB: db, Config: cfg}).Run(ctx)
	}()
	slog.Info("scheduled backups", "dir", cfg.Dir, "interval", cfg.Interval, "keep", cfg.Keep)
	var once sync.Once
	return func() { once.Do(func() { cancel(); <-done }) }, nil
}
