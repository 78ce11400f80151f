package store

import (
	"database/sql/driver"
	"strings"

	"modernc.org/sqlite"
)

// SQLite's built-in LOWER folds ASCII letters only, so a search for
// "özdemir" would miss "Özdemir" on the embedded database while PostgreSQL
// finds it. Lists search with LOWER(col) LIKE a pattern that Go lowered
// (page.Like), on both databases with one SQL text; this replaces LOWER on
// every SQLite connection of the process by Go's Unicode folding, before
// any database is opened (an application-defined function overrides the
// built-in of the same name and arity). Expression indexes on LOWER(…)
// (migration 00019) are built and read with the same function. Tools that
// open the file with SQLite's own LOWER see those indexes as stale for
// non-ASCII text: run REINDEX there before an integrity check.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case nil:
			return nil, nil
		case string:
			return strings.ToLower(v), nil
		case []byte:
			return strings.ToLower(string(v)), nil
		default:
			return v, nil // numbers: SQLite's LOWER gives their text; no letters to fold
		}
	})
}
