// Package storetest opens real databases for tests: a fresh SQLite file
// per test, and a fresh PostgreSQL database per test (created on the
// server named by KANSRIJK_TEST_POSTGRES and dropped afterwards). Under
// CI=true an unreachable PostgreSQL fails the test instead of skipping it.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"kansrijk/internal/store"
)

// DefaultPostgres is used when KANSRIJK_TEST_POSTGRES is not set.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Backends lists the dialects every store test runs on.
var Backends = []store.Dialect{store.SQLite, store.Postgres}

// ForEach runs fn as a subtest on a fresh, migrated database of every
// backend ("sqlite", "postgres").
func ForEach(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Backends {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated database of the dialect, closed (and for
// PostgreSQL dropped) when the test ends.
func Open(tb testing.TB, d store.Dialect) *store.DB {
	tb.Helper()
	dsn := DSN(tb, d)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", d, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// DSN creates a fresh, empty database of the dialect and returns its DSN.
func DSN(tb testing.TB, d store.Dialect) string {
	tb.Helper()
	if d == store.SQLite {
		// Not tb.TempDir(): its name carries the test's, and a second subtest
		// of the same name ("sqlite#01") would put a '#' in the DSN, which
		// cuts the path there and reuses another test's file.
		dir, err := os.MkdirTemp("", "kansrijk-test-")
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { os.RemoveAll(dir) })
		return "sqlite:" + filepath.Join(dir, "kansrijk.db")
	}
	base := os.Getenv("KANSRIJK_TEST_POSTGRES")
	if base == "" {
		base = DefaultPostgres
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL at %s is required on CI: %v", redact(base), err)
		}
		tb.Skipf("PostgreSQL not reachable at %s (set KANSRIJK_TEST_POSTGRES): %v", redact(base), err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "kansrijk_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("drop test database %s: %v", name, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse KANSRIJK_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func redact(dsn string) string {
	if i := strings.Index(dsn, "@"); i > 0 {
		if j := strings.Index(dsn, "://"); j > 0 && j < i {
			return dsn[:j+3] + "…" + dsn[i:]
		}
	}
	return dsn
}
