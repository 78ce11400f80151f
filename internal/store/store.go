// Package store keeps Kansrijk's data in SQLite (embedded default) or
// PostgreSQL (production, several instances). One set of SQL serves both:
// placeholders are $1, $2 … (modernc.org/sqlite binds them by number),
// times travel as fixed-width UTC text and dates as 'YYYY-MM-DD', so that
// the few dialect differences stay in the migrations and in dialect.go.
//
// Every public method that writes opens one transaction and writes its
// audit event with the same transaction.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // driver "sqlite"

	"kansrijk/internal/account"
	"kansrijk/internal/address"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
)

// Dialect names the database backend.
type Dialect string

// The backends.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DefaultPath is where the embedded database lives unless told otherwise.
const DefaultPath = "kansrijk-data/kansrijk.db"

//go:embed migrations
var migrations embed.FS

// DB is an open database. It is safe for concurrent use.
type DB struct {
	dialect Dialect
	// read serves queries; write serves transactions that write. On
	// SQLite write is a single connection (SQLite has one writer; queueing
	// in Go beats SQLITE_BUSY) that begins IMMEDIATE transactions; on
	// PostgreSQL both are the same pool.
	read, write *sql.DB
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Municipalities is the embedded reference data.
	Municipalities *municipality.Registry
	// outcomes keeps the statistics' cells of closed months (outcome_kept.go).
	outcomes outcomeCache
	// Redacted is the DSN without secrets, for messages.
	Redacted string
	// Throttle is the login throttling policy; nil: DefaultThrottle.
	Throttle *ThrottlePolicy
	// SessionIdle ends a browser session after this long without a
	// request; zero: DefaultSessionIdle.
	SessionIdle time.Duration
	// BaseURL is the public address put in the links Kansrijk e-mails
	// (one-time password links); empty: http://localhost:8080.
	BaseURL string
	// Area totp: SecondFactorRoles are the roles that must sign in with a
	// second factor (totp.go); nil: none (serve sets it from
	// KANSRIJK_SECOND_FACTOR_ROLES, except with --demo).
	SecondFactorRoles []account.Role
	// SecondFactorKey seals the TOTP secrets in the database (32 bytes,
	// AES-256-GCM; totp.go); nil: they are stored as the app has them.
	SecondFactorKey []byte
	// Addresses checks a referred parent's address; nil: the postcode
	// must belong to the municipality of residence (address.Postcodes).
	// A client of the Flemish address register plugs in here.
	Addresses address.Checker
	// group commits read events, writer orders SQLite's write
	// transactions (groupcommit.go); tokenUse records when API tokens were
	// last used (tokenuse.go).
	group    groupCommit
	writer   writerGate
	tokenUse tokenUse
	// readStmts keeps the hot read path's statements prepared
	// (stmtcache.go); writeStmts those of group-committed writes on
	// SQLite's writer (writegroup.go).
	readStmts, writeStmts *stmtCache
	// auditSt is SQLite's one-row INSERT of an audit event, prepared
	// once on the writer (groupcommit.go insertEvents).
	auditSt atomic.Pointer[sql.Stmt]
	// seqCursor is the highest event id this process's sequencer has
	// appended (SequenceAudit): where the next batch looks first.
	seqCursor atomic.Int64
	// treeCache keeps the upper levels of the audit log's tree for
	// proofs (audittree.go).
	treeCache treeCache

	// writes group small write transactions (writegroup.go).
	writes writeGroup

	// unauditedBaseline drops the events of reads: set only by
	// OpenUnauditedBenchmarkBaseline (unaudited.go), the harness's
	// baseline of audit_overhead; never by Open.
	unauditedBaseline bool
	// ckpt checkpoints SQLite's write-ahead log off the writer
	// (checkpoint.go); nil on PostgreSQL.
	ckpt *checkpointer
}

// ParseDSN tells the backend of a DSN and returns the driver's data
// source: a file path or sqlite:PATH selects SQLite; postgres:// or
// postgresql:// selects PostgreSQL.
func ParseDSN(dsn string) (Dialect, string, error) {
	switch {
	case dsn == "":
		return "", "", errors.New("empty database DSN")
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return Postgres, dsn, nil
	case strings.HasPrefix(dsn, "sqlite:"):
		return SQLite, strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "//"), nil
	case strings.Contains(dsn, "://"):
		return "", "", fmt.Errorf("unsupported database DSN scheme in %q: use a file path, sqlite:PATH or postgres://", redact(dsn))
	default:
		return SQLite, dsn, nil
	}
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Open opens the database named by dsn and applies pending migrations.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := OpenNoMigrate(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenNoMigrate opens the database without migrating it.
func OpenNoMigrate(ctx context.Context, dsn string) (*DB, error) {
	dialect, src, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	reg, err := municipality.Load()
	if err != nil {
		return nil, fmt.Errorf("load municipalities: %w", err)
	}
	db := &DB{dialect: dialect, Now: time.Now, Municipalities: reg, Redacted: redact(dsn)}
	switch dialect {
	case SQLite:
		if src == "" || strings.Contains(src, ":memory:") || strings.Contains(src, "mode=memory") {
			// The read and write pools would each get their own private
			// database: refuse rather than lose every write.
			return nil, errors.New("in-memory SQLite is not supported: give a file path")
		}
		if dir := filepath.Dir(src); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("create database folder: %w", err)
			}
		}
		// busy_timeout first, so that switching to WAL waits for other
		// processes instead of failing; foreign keys are off by default in
		// SQLite; synchronous=NORMAL is durable in WAL mode except on power
		// loss of the last transactions, the usual trade-off.
		pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		base := "file:" + src + "?" + pragmas
		// wal_autocheckpoint(0): the writer never checkpoints at a
		// commit; db.ckpt does, on a connection of its own (checkpoint.go).
		if db.write, err = sql.Open("sqlite", base+"&_txlock=immediate&_pragma=temp_store(2)&_pragma=cache_size(-32768)&_pragma=wal_autocheckpoint(0)"); err != nil {
			return nil, err
		}
		db.write.SetMaxOpenConns(1)
		db.write.SetConnMaxIdleTime(0)
		if db.read, err = sql.Open("sqlite", base+"&_pragma=query_only(1)&_pragma=mmap_size(268435456)"); err != nil {
			return nil, err
		}
		// mmap_size on the read pool: every commit (an audited read's
		// event) makes each reader drop its page cache; mapped, a page is
		// read again without a pread each. Measured on the inbox page
		// (BenchmarkInboxCPU, alternated): about 5 % less CPU per page.
		db.read.SetMaxOpenConns(8)
		// Keep them all: database/sql keeps two idle by default, so under
		// load connections were closed and reopened, each parsing the whole
		// schema again and losing its prepared statements (issue 14).
		db.read.SetMaxIdleConns(8)
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		db.ckpt, err = startCheckpointer(pctx, base+"&_pragma=cache_size(-256)")
		cancel()
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s database %s: %w", dialect, db.Redacted, err)
		}
	case Postgres:
		lim, err := limitsFromEnv(os.Getenv)
		if err != nil {
			return nil, err
		}
		if src, err = lim.apply(src); err != nil {
			return nil, err
		}
		if db.write, err = sql.Open("pgx", src); err != nil {
			return nil, err
		}
		db.write.SetMaxOpenConns(lim.maxConns)
		// Keep every connection the pool opened (until five minutes
		// idle): with fewer kept, 16 clients whose requests hold a
		// connection for a short part of their time returned more
		// than were kept, and the pool closed them and opened new
		// ones, each a new backend (fork, catalogue caches, every
		// statement prepared again): a third of a single create's CPU
		// (BENCHMARKS.md, issue 14).
		db.write.SetMaxIdleConns(lim.maxConns)
		db.write.SetConnMaxIdleTime(5 * time.Minute)
		db.read = db.write
	}
	db.readStmts = &stmtCache{pool: db.read, prepare: dialect == SQLite}
	db.writeStmts = &stmtCache{pool: db.write, prepare: dialect == SQLite}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.write.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database %s: %w", dialect, db.Redacted, err)
	}
	return db, nil
}

// Dialect returns the backend of db.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the underlying pool used for reads (for metrics and tests).
func (db *DB) SQL() *sql.DB { return db.read }

// Close closes the database, after committing the read events already
// handed over and the pending records of token use.
func (db *DB) Close() error {
	db.group.close()
	db.tokenUse.wait()
	if db.readStmts != nil {
		db.readStmts.close()
	}
	ckptErr := db.ckpt.close()
	if db.writeStmts != nil {
		db.writeStmts.close()
	}
	if st := db.auditSt.Load(); st != nil {
		_ = st.Close()
	}
	err := ckptErr
	if db.write != nil {
		err = errors.Join(err, db.write.Close())
	}
	if db.read != nil && db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Migrate applies the embedded migrations of the dialect, then brings the
// reference organisations (Opgroeien, CAW Brussel, one OCMW per Flemish
// municipality) up to date. Running it twice changes nothing.
func (db *DB) Migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return err
	}
	var opts []goose.ProviderOption
	gd := goose.DialectSQLite3
	if db.dialect == Postgres {
		gd = goose.DialectPostgres
		// Several instances may start at once: one migrates, the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, db.write, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range res {
		slog.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return db.syncReferenceOrganisations(ctx)
}

// MigrationVersion returns the newest applied migration version.
func (db *DB) MigrationVersion(ctx context.Context) (int64, error) {
	var v sql.NullInt64
	err := db.read.QueryRowContext(ctx, "SELECT max(version_id) FROM goose_db_version WHERE is_applied").Scan(&v)
	return v.Int64, err
}

// The store implements the storage interfaces of the domain packages.
var (
	_ account.Store = (*DB)(nil)
	_ org.Store     = (*DB)(nil)
)
