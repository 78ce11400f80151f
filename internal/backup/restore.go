package backup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"kansrijk/internal/auditlog"
	"kansrijk/internal/store"
)

// RestoreOptions tune Restore.
type RestoreOptions struct {
	// Force replaces a database that holds data, or that a server may
	// have open (SQLite).
	Force bool
	// Audit is the configuration of the audit log with which the result
	// is verified (its verifier key, or the signing key).
	Audit auditlog.Config
	// Progress is handed to the verification of the audit log.
	Progress func(done, total int64)
}

// Result is what a restore found in the restored database.
type Result struct {
	Manifest Manifest
	Audit    auditlog.Report
	Counts   map[string]int64
}

// ErrNotEmpty is wrapped by Restore's refusal to replace a database that
// holds data.
var ErrNotEmpty = errors.New("the database is not empty")

// ErrMismatch is wrapped by Restore's report of a restored database that
// differs from its manifest or whose audit log does not verify.
var ErrMismatch = errors.New("the restored database does not match the copy")

// Restore restores the copy from into the database dsn: it checks the
// checksum, refuses to replace a non-empty database without opt.Force,
// restores, then verifies the audit log of the result and compares its
// schema version, audit checkpoint and row counts with the manifest. The
// first difference is returned as an error wrapping ErrMismatch.
func Restore(ctx context.Context, from, dsn string, opt RestoreOptions) (Result, error) {
	m, err := Check(from)
	if err != nil {
		return Result{}, err
	}
	res := Result{Manifest: m}
	dialect, src, err := store.ParseDSN(dsn)
	if err != nil {
		return res, err
	}
	if dialect != m.Kind {
		return res, fmt.Errorf("%s is a copy of a %s database; %s is %s", from, m.Kind, redacted(dsn), dialect)
	}
	switch dialect {
	case store.SQLite:
		err = restoreSQLite(ctx, from, src, dsn, opt.Force)
	case store.Postgres:
		err = restorePostgres(ctx, from, src, opt.Force)
	}
	if err != nil {
		return res, err
	}
	return check(ctx, dsn, m, opt)
}

func redacted(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// holds describes what the data tables of q hold ("" when empty).
func holds(ctx context.Context, q queryer) (string, error) {
	var parts []string
	for _, t := range dataTables {
		var n int64
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			// A database without Kansrijk's tables holds no Kansrijk data.
			if strings.Contains(err.Error(), "no such table") || strings.Contains(err.Error(), "does not exist") {
				continue
			}
			return "", err
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ReplaceAll(t, "_", " ")))
		}
	}
	return strings.Join(parts, ", "), nil
}

func restoreSQLite(ctx context.Context, from, path, dsn string, force bool) error {
	if !force {
		for _, side := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(path + side); err == nil {
				return fmt.Errorf("%w: %s has a %s file: a server has it open (or did not close it cleanly); stop the server, or restore with --force", ErrNotEmpty, dsn, side)
			}
		}
		if st, err := os.Stat(path); err == nil && st.Size() > 0 {
			db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
			if err != nil {
				return err
			}
			what, err := holds(ctx, db)
			db.Close()
			if err != nil {
				return fmt.Errorf("look into %s: %w", dsn, err)
			}
			if what != "" {
				return fmt.Errorf("%w: %s holds %s; restore with --force to replace it", ErrNotEmpty, dsn, what)
			}
		}
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return err
		}
	}
	tmp := path + ".restoring"
	if err := copyFile(from, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("copy %s: %w", from, err)
	}
	// A WAL left beside the old database would be replayed into the new
	// one: remove it with the old database.
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(path + side); err != nil && !errors.Is(err, os.ErrNotExist) {
			os.Remove(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("put the restored database in place: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	_ = d.Sync() // not every file system syncs directories
	return nil
}

func restorePostgres(ctx context.Context, from, dsn string, force bool) error {
	pgRestore, err := exec.LookPath("pg_restore")
	if err != nil {
		return errors.New("pg_restore is not on PATH: install the PostgreSQL client programs of the server's version (Debian: postgresql-client), or run by hand: pg_restore --clean --if-exists --no-owner --dbname=DSN FILE (see the README, Backups)")
	}
	if !force {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return err
		}
		what, err := holds(ctx, db)
		db.Close()
		if err != nil {
			return fmt.Errorf("look into %s: %w", redacted(dsn), err)
		}
		if what != "" {
			return fmt.Errorf("%w: %s holds %s; restore with --force to replace it", ErrNotEmpty, redacted(dsn), what)
		}
	}
	cmd := pgCommand(ctx, pgRestore, dsn, "--clean", "--if-exists", "--no-owner", "--exit-on-error", "--single-transaction", from)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_restore: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// check verifies the restored database against its manifest.
func check(ctx context.Context, dsn string, m Manifest, opt RestoreOptions) (Result, error) {
	res := Result{Manifest: m}
	db, err := store.OpenNoMigrate(ctx, dsn)
	if err != nil {
		return res, err
	}
	defer db.Close()
	if db.Dialect() == store.SQLite {
		var ok string
		if err := db.SQL().QueryRowContext(ctx, "PRAGMA quick_check").Scan(&ok); err != nil || ok != "ok" {
			return res, fmt.Errorf("%w: SQLite's quick_check says %q (%v)", ErrMismatch, ok, err)
		}
	}
	var got Manifest
	if err := describe(ctx, db.SQL(), &got); err != nil {
		return res, err
	}
	res.Counts = got.Counts
	if got.SchemaVersion != m.SchemaVersion {
		return res, fmt.Errorf("%w: schema version %d, the manifest says %d", ErrMismatch, got.SchemaVersion, m.SchemaVersion)
	}
	switch {
	case (got.Audit == nil) != (m.Audit == nil):
		return res, fmt.Errorf("%w: audit checkpoint %v, the manifest says %v", ErrMismatch, got.Audit, m.Audit)
	case got.Audit != nil && (got.Audit.TreeSize != m.Audit.TreeSize || got.Audit.RootHash != m.Audit.RootHash):
		return res, fmt.Errorf("%w: latest audit checkpoint of size %d (root %s), the manifest says size %d (root %s)",
			ErrMismatch, got.Audit.TreeSize, got.Audit.RootHash, m.Audit.TreeSize, m.Audit.RootHash)
	}
	for _, t := range Tables {
		want, ok := m.Counts[t]
		if !ok {
			continue // a table counted by a later version
		}
		if got.Counts[t] != want {
			return res, fmt.Errorf("%w: table %s has %d rows, the manifest says %d", ErrMismatch, t, got.Counts[t], want)
		}
	}
	lg, err := auditlog.New(db, opt.Audit)
	if err != nil {
		return res, err
	}
	rep, err := lg.Verify(ctx, opt.Progress)
	res.Audit = rep
	if err != nil {
		return res, fmt.Errorf("verify the audit log: %w", err)
	}
	if p := rep.Problem; p != nil {
		return res, fmt.Errorf("%w: the audit log does not verify: %s", ErrMismatch, p.Message)
	}
	return res, nil
}
