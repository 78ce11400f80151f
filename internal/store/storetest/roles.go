package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// GrantsSQL returns the grants for the server's database role that
// docs/operations.md ("Database roles") documents, for the role named
// role instead of kansrijk_app: the tests run what the operator is told
// to run.
func GrantsSQL(tb testing.TB, role string) string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	doc, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "docs", "operations.md"))
	if err != nil {
		tb.Fatalf("read docs/operations.md: %v", err)
	}
	s := string(doc)
	i := strings.Index(s, "<!-- grants:")
	if i < 0 {
		tb.Fatal("docs/operations.md has no grants block")
	}
	s = s[i:]
	start := strings.Index(s, "```sql\n")
	end := strings.Index(s[start+7:], "```")
	if start < 0 || end < 0 {
		tb.Fatal("docs/operations.md: the grants block is not a sql code block")
	}
	return strings.ReplaceAll(s[start+7:start+7+end], "kansrijk_app", role)
}

// RestrictedRole creates, on the PostgreSQL server of the migrated
// database dsn, a login role that has only the grants of
// docs/operations.md, and returns a DSN of the same database as that
// role. The role is dropped when the test ends.
func RestrictedRole(tb testing.TB, dsn string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	owner, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	role := "kansrijk_app_" + hex.EncodeToString(b)
	if _, err := owner.ExecContext(ctx, "CREATE ROLE "+role+" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"); err != nil {
		owner.Close()
		tb.Fatalf("create role: %v", err)
	}
	if _, err := owner.ExecContext(ctx, GrantsSQL(tb, role)); err != nil {
		tb.Fatalf("grants of docs/operations.md: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		defer owner.Close()
		_, _ = owner.ExecContext(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role)
		if _, err := owner.ExecContext(ctx, "DROP OWNED BY "+role); err != nil {
			tb.Logf("drop owned by %s: %v", role, err)
		}
		if _, err := owner.ExecContext(ctx, "DROP ROLE "+role); err != nil {
			tb.Logf("drop role %s: %v", role, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	u.User = url.User(role)
	return u.String()
}
