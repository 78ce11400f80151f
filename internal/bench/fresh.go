package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the pgx driver, as the store uses it

	"kansrijk/internal/store"
)

// ErrUnreachable is returned by Fresh when the PostgreSQL server does not
// answer.
var ErrUnreachable = errors.New("database server not reachable")

// Fresh makes an empty database next to the one dsn names and returns its
// DSN and how to drop it: on PostgreSQL a new database
// kansrijk_bench_<random> on the same server, on SQLite a new file in a
// temporary folder.
func Fresh(ctx context.Context, dsn string) (string, func(), error) {
	d, _, err := store.ParseDSN(dsn)
	if err != nil {
		return "", nil, err
	}
	if d == store.SQLite {
		dir, err := os.MkdirTemp("", "kansrijk-bench-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite:" + filepath.Join(dir, "bench.db"), func() { os.RemoveAll(dir) }, nil
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, err
	}
	if err := admin.PingContext(pctx); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "kansrijk_bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(pctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create the benchmark's database: %w", err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}
	return u.String(), drop, nil
}
