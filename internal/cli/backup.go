package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"kansrijk/internal/auditlog"
	"kansrijk/internal/backup"
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
