// Package backup makes consistent online copies of Kansrijk's database and
// restores them.
//
// SQLite: `VACUUM INTO` copies the database in one read transaction. In
// WAL mode a reader never blocks writers, so the server keeps writing
// while the copy is made, and the copy is the database as it stood when
// the read began. (The online backup API of the driver restarts whenever
// another connection writes, so under steady writes it may never finish.)
//
// PostgreSQL: `pg_dump --format=custom`, run by this package when pg_dump
// is on PATH. The row counts and the audit checkpoint of the manifest are
// read in a repeatable-read transaction whose snapshot pg_dump is given
// (--snapshot), so that they describe exactly what the dump holds.
//
// Next to every copy FILE lies its manifest FILE.json: the copy's SHA-256,
// the database kind, the schema version, the latest audit checkpoint it
// contains, the row counts of the main tables, the time and the version of
// Kansrijk. Restore checks the checksum first, refuses to replace a
// database that holds data (or that a server has open) unless forced, and
// afterwards verifies the audit log of the result and compares its counts
// with the manifest.
package backup

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"kansrijk/internal/store"
)

// Tables are the main tables whose rows the manifest counts, in the order
// they are compared after a restore.
var Tables = []string{
	"organisations", "users", "agreements", "referrals", "referral_parents",
	"birth_notifications", "birth_parents", "audit_events", "audit_leaves",
	"audit_checkpoints", "outbox",
}

// dataTables are the tables whose rows make a database "not empty": what
// a fresh, migrated database does not hold yet (it does hold the reference
// organisations).
var dataTables = []string{"users", "referrals", "birth_notifications", "audit_events"}

// Checkpoint is the latest audit checkpoint a copy contains.
type Checkpoint struct {
	TreeSize int64     `json:"tree_size"`
	RootHash string    `json:"root_hash"`
	Time     time.Time `json:"time"`
}

// Manifest describes a copy; it is written as FILE.json.
type Manifest struct {
	File          string           `json:"file"`
	Bytes         int64            `json:"bytes"`
	SHA256        string           `json:"sha256"`
	Kind          store.Dialect    `json:"database_kind"`
	SchemaVersion int64            `json:"schema_version"`
	Audit         *Checkpoint      `json:"audit_checkpoint"`
	Counts        map[string]int64 `json:"row_counts"`
	CreatedAt     time.Time        `json:"created_at"`
	Version       string           `json:"kansrijk_version"`
}

// ManifestPath is where the manifest of the copy file lies.
func ManifestPath(file string) string { return file + ".json" }

// Options tune Backup.
type Options struct {
	// Version is the Kansrijk version written in the manifest.
	Version string
	// Progress, when set, is called about twice a second with the bytes
	// written so far and the expected total (an estimate; 0 if unknown).
	Progress func(done, total int64)
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Backup copies the database dsn to out and writes out.json. The copy is
// written to a temporary file beside out and renamed when complete, so
// out is never a half-written copy.
func Backup(ctx context.Context, dsn, out string, opt Options) (Manifest, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	dialect, src, err := store.ParseDSN(dsn)
	if err != nil {
		return Manifest{}, err
	}
	if out == "" {
		return Manifest{}, errors.New("no output file given")
	}
	if dir := filepath.Dir(out); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return Manifest{}, fmt.Errorf("create the backup folder: %w", err)
		}
	}
	tmp := out + ".partial"
	_ = os.Remove(tmp)
	defer os.Remove(tmp)
	m := Manifest{Kind: dialect, Version: opt.Version, CreatedAt: opt.Now().UTC().Truncate(time.Second)}
	switch dialect {
	case store.SQLite:
		err = backupSQLite(ctx, src, tmp, &m, opt)
	case store.Postgres:
		err = backupPostgres(ctx, src, tmp, &m, opt)
	}
	if err != nil {
		return Manifest{}, err
	}
	sum, n, err := checksum(tmp)
	if err != nil {
		return Manifest{}, err
	}
	m.SHA256, m.Bytes, m.File = sum, n, filepath.Base(out)
	if err := os.Rename(tmp, out); err != nil {
		return Manifest{}, fmt.Errorf("put the copy in place: %w", err)
	}
	if err := writeManifest(out, m); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

func backupSQLite(ctx context.Context, src, tmp string, m *Manifest, opt Options) error {
	st, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("the SQLite database %s: %w", src, err)
	}
	db, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	stop := watchSize(tmp, st.Size(), opt.Progress)
	_, err = db.ExecContext(ctx, "VACUUM INTO $1", tmp)
	stop()
	if err != nil {
		return fmt.Errorf("copy the SQLite database (VACUUM INTO): %w", err)
	}
	// The facts of the manifest come from the copy itself.
	cp, err := sql.Open("sqlite", "file:"+tmp+"?mode=ro")
	if err != nil {
		return err
	}
	defer cp.Close()
	return describe(ctx, cp, m)
}

func backupPostgres(ctx context.Context, dsn, tmp string, m *Manifest, opt Options) error {
	pgDump, err := exec.LookPath("pg_dump")
	if err != nil {
		return errors.New("pg_dump is not on PATH: install the PostgreSQL client programs of the server's version (Debian: postgresql-client), or run by hand: pg_dump --format=custom --file=FILE DSN (see the README, Backups)")
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // read only
	// The transaction idles while pg_dump works on its snapshot.
	if _, err := tx.ExecContext(ctx, "SET LOCAL idle_in_transaction_session_timeout = 0"); err != nil {
		return err
	}
	var snapshot string
	if err := tx.QueryRowContext(ctx, "SELECT pg_export_snapshot()").Scan(&snapshot); err != nil {
		return fmt.Errorf("export a snapshot: %w", err)
	}
	if err := describe(ctx, tx, m); err != nil {
		return err
	}
	var size int64
	_ = tx.QueryRowContext(ctx, "SELECT pg_database_size(current_database())").Scan(&size)
	stop := watchSize(tmp, size/3, opt.Progress) // a custom dump is compressed
	cmd := pgCommand(ctx, pgDump, dsn, "--format=custom", "--snapshot="+snapshot, "--file="+tmp)
	outp, err := cmd.CombinedOutput()
	stop()
	if err != nil {
		return fmt.Errorf("pg_dump: %w: %s", err, strings.TrimSpace(string(outp)))
	}
	return tx.Commit()
}

// queryer is a database or a transaction.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// describe fills the schema version, the audit checkpoint and the row
// counts of m from q.
func describe(ctx context.Context, q queryer, m *Manifest) error {
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, "SELECT max(version_id) FROM goose_db_version WHERE is_applied").Scan(&v); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	m.SchemaVersion = v.Int64
	cp, err := latestCheckpoint(ctx, q)
	if err != nil {
		return err
	}
	m.Audit = cp
	m.Counts, err = counts(ctx, q)
	return err
}

func latestCheckpoint(ctx context.Context, q queryer) (*Checkpoint, error) {
	var c Checkpoint
	var at any
	err := q.QueryRowContext(ctx, "SELECT size, root, at FROM audit_checkpoints ORDER BY size DESC, id DESC LIMIT 1").Scan(&c.TreeSize, &c.RootHash, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest audit checkpoint: %w", err)
	}
	switch t := at.(type) {
	case time.Time:
		c.Time = t.UTC()
	case string:
		c.Time, _ = time.Parse(time.RFC3339Nano, t)
	case []byte:
		c.Time, _ = time.Parse(time.RFC3339Nano, string(t))
	}
	return &c, nil
}

func counts(ctx context.Context, q queryer) (map[string]int64, error) {
	out := make(map[string]int64, len(Tables))
	for _, t := range Tables {
		var n int64
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

// checksum returns the SHA-256 (hex) and the size of a file.
func checksum(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("checksum of %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func writeManifest(out string, m Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := ManifestPath(out) + ".partial"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o640); err != nil {
		return fmt.Errorf("write the manifest: %w", err)
	}
	return os.Rename(tmp, ManifestPath(out))
}

// ReadManifest reads the manifest of the copy file.
func ReadManifest(file string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(ManifestPath(file))
	if err != nil {
		return m, fmt.Errorf("the manifest of %s: %w", file, err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("the manifest %s: %w", ManifestPath(file), err)
	}
	return m, nil
}

// Check reads the manifest of file and checks the file's checksum
// against it.
func Check(file string) (Manifest, error) {
	m, err := ReadManifest(file)
	if err != nil {
		return m, err
	}
	sum, n, err := checksum(file)
	if err != nil {
		return m, err
	}
	if sum != m.SHA256 || n != m.Bytes {
		return m, fmt.Errorf("%s does not match its manifest: SHA-256 %s (%d bytes), the manifest says %s (%d bytes); the copy is damaged", file, sum, n, m.SHA256, m.Bytes)
	}
	return m, nil
}

// watchSize reports the size of path to progress twice a second until
// stop is called.
func watchSize(path string, total int64, progress func(done, total int64)) (stop func()) {
	if progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if st, err := os.Stat(path); err == nil {
					progress(st.Size(), total)
				}
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}

// pgCommand runs a PostgreSQL client program on dsn without putting the
// password on its command line (where other users of the machine could
// read it): the password travels in PGPASSWORD.
func pgCommand(ctx context.Context, program, dsn string, args ...string) *exec.Cmd {
	env := os.Environ()
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
			dsn = u.String()
		}
	}
	cmd := exec.CommandContext(ctx, program, append([]string{"--dbname=" + dsn}, args...)...)
	cmd.Env = env
	return cmd
}
