package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"kansrijk/internal/auditlog"
	"kansrijk/internal/store"
)

// audit runs `kansrijk audit keygen|verify`.
func audit(ctx context.Context, args []string, env Env) error {
	if len(args) >= 1 {
		switch args[0] {
		case "keygen":
			return auditKeygen(args[1:], env)
		case "verify":
			return auditVerify(ctx, args[1:], env)
		}
	}
	return &usageError{"use: kansrijk audit keygen --out FILE or kansrijk audit verify …", usage}
}

func auditOrigin(env Env) string {
	if o := env.Getenv("KANSRIJK_AUDIT_ORIGIN"); o != "" {
		return o
	}
	return auditlog.DefaultOrigin
}

// auditKeygen writes a new signing key to a file only its owner may read
// (never over an existing file) and prints the verifier key.
func auditKeygen(args []string, env Env) error {
	fs := flags("audit keygen", env)
	out := fs.String("out", "", "file to write the private signing key to (0600)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return &usageError{"audit keygen needs --out FILE", usage}
	}
	skey, vkey, err := auditlog.GenerateKey(auditOrigin(env))
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write the key: %w", err)
	}
	if _, err := fmt.Fprintln(f, skey); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "signing key written to %s; set KANSRIJK_AUDIT_KEY_FILE=%s for kansrijk serve. The verifier key:\n", *out, *out)
	fmt.Fprintln(env.Stdout, vkey)
	return nil
}

// errVerifyFailed makes the exit code 1 after the report is printed.
var errVerifyFailed = errors.New("the audit log does not verify")

// auditVerify recomputes the log from the events and checks every
// checkpoint; it prints the first mismatch and fails on any.
func auditVerify(ctx context.Context, args []string, env Env) error {
	fs := flags("audit verify", env)
	dsn := dbFlag(fs, env)
	vkey := fs.String("key", "", "verifier key (default: derived from KANSRIJK_AUDIT_KEY or KANSRIJK_AUDIT_KEY_FILE)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg := auditlog.Config{Origin: auditOrigin(env), VerifierKey: *vkey}
	if cfg.VerifierKey == "" {
		skey, err := auditlog.KeyFromEnv(env.Getenv)
		if err != nil {
			return err
		}
		if skey == "" {
			return &usageError{"audit verify needs the verifier key: --key VKEY, or KANSRIJK_AUDIT_KEY / KANSRIJK_AUDIT_KEY_FILE", usage}
		}
		cfg.PrivateKey = skey
	}
	db, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	lg, err := auditlog.New(db, cfg)
	if err != nil {
		return err
	}
	// Progress on a terminal only, on standard error.
	var progress func(done, total int64)
	if isTerminal(env.Stderr) {
		last := time.Now()
		progress = func(done, total int64) {
			if time.Since(last) < 500*time.Millisecond && done != total {
				return
			}
			last = time.Now()
			fmt.Fprintf(env.Stderr, "\rverifying: %d of %d events (%d%%)", done, total, 100*done/max(total, 1))
			if done == total {
				fmt.Fprintln(env.Stderr)
			}
		}
	}
	rep, verr := lg.Verify(ctx, progress)
	if ctx.Err() == nil { // interrupted is not failed
		if serr := lg.RecordVerification(ctx, rep, verr); serr != nil {
			slog.Warn("the verification result could not be stored", "error", serr)
		}
	}
	if verr != nil {
		return verr
	}
	if p := rep.Problem; p != nil {
		fmt.Fprintf(env.Stdout, "FAILED: %s\n", p.Message)
		if p.LeafIndex >= 0 {
			fmt.Fprintf(env.Stdout, "  leaf index: %d\n", p.LeafIndex)
		}
		if p.EventID != 0 {
			fmt.Fprintf(env.Stdout, "  event id:   %d\n", p.EventID)
		}
		if p.CheckpointID != 0 {
			fmt.Fprintf(env.Stdout, "  checkpoint: %d\n", p.CheckpointID)
		}
		fmt.Fprintf(env.Stdout, "  problem:    %s\n", p.Kind)
		return errVerifyFailed
	}
	fmt.Fprintf(env.Stdout, "OK: %d events and %d checkpoints verified (verifier key %s)\n", rep.Size, rep.Checkpoints, lg.PublicKey())
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// startAuditLog sets up the access log of `kansrijk serve` and starts its
// background work: sequencing every second, a signed checkpoint every
// minute when the tree grew (and at shutdown, by stop), and the daily
// verification. The signing key comes from KANSRIJK_AUDIT_KEY or
// KANSRIJK_AUDIT_KEY_FILE. Without one:
//   - the demo keeps its own key in audit-demo.key beside its SQLite
//     database (made on first start), or an ephemeral one on PostgreSQL;
//   - otherwise an ephemeral key is made with a loud warning: checkpoints
//     signed with it cannot be verified after a restart, so production
//     must set a key (kansrijk audit keygen).
func startAuditLog(ctx context.Context, db *store.DB, env Env, dsn string, demo bool) (*auditlog.Log, func(), error) {
	skey, err := auditlog.KeyFromEnv(env.Getenv)
	if err != nil {
		return nil, nil, err
	}
	origin := auditOrigin(env)
	if skey == "" {
		if skey, err = fallbackAuditKey(db, env, dsn, origin, demo); err != nil {
			return nil, nil, err
		}
	}
	lg, err := auditlog.New(db, auditlog.Config{Origin: origin, PrivateKey: skey})
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(env.Stdout, "Audit log verifier key: %s\n", lg.PublicKey())
	ctx, cancel := context.WithCancel(ctx)
	// KANSRIJK_AUDIT_CHECKPOINT_INTERVAL (a Go duration, default 1m) is
	// how often a checkpoint is signed when the tree grew.
	every := time.Minute
	if v := env.Getenv("KANSRIJK_AUDIT_CHECKPOINT_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > time.Minute {
			cancel()
			return nil, nil, fmt.Errorf("KANSRIJK_AUDIT_CHECKPOINT_INTERVAL: want a duration from 1ms to 1m (a checkpoint at least every minute), got %q", v)
		}
		every = d
	}
	// Append what is pending and sign it first, so that the day's
	// verification (which may run right away) covers the log as it stands
	// at start, under a checkpoint.
	if _, err := lg.Sequence(ctx); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("sequence the audit log: %w", err)
	}
	if _, _, err := lg.Sign(ctx); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("sign the audit log: %w", err)
	}
	stopRunner := (&auditlog.Runner{Log: lg, CheckpointEvery: every}).Start(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		lg.RunDaily(ctx, time.Hour)
	}()
	var once sync.Once
	return lg, func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			stopRunner() // last sequence and checkpoint
		})
	}, nil
}

func fallbackAuditKey(db *store.DB, env Env, dsn, origin string, demo bool) (string, error) {
	if demo && db.Dialect() == store.SQLite {
		_, path, err := store.ParseDSN(dsn)
		if err != nil {
			return "", err
		}
		file := filepath.Join(filepath.Dir(path), "audit-demo.key")
		if b, err := os.ReadFile(file); err == nil {
			return strings.TrimSpace(string(b)), nil
		}
		skey, _, err := auditlog.GenerateKey(origin)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(file, []byte(skey+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("write the demo's audit key: %w", err)
		}
		fmt.Fprintf(env.Stdout, "Demo: the audit log's signing key is in %s (KANSRIJK_AUDIT_KEY_FILE=%s kansrijk audit verify).\n", file, file)
		return skey, nil
	}
	skey, _, err := auditlog.GenerateKey(origin)
	if err != nil {
		return "", err
	}
	if !demo {
		slog.Warn("no audit log signing key (KANSRIJK_AUDIT_KEY or KANSRIJK_AUDIT_KEY_FILE): signing checkpoints with a temporary key; they cannot be verified after a restart. Create one with: kansrijk audit keygen --out FILE")
		fmt.Fprintln(env.Stdout, "WARNING: no audit log signing key set; using a temporary key (see kansrijk audit keygen).")
	}
	return skey, nil
}
