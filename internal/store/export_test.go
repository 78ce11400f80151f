package store

import "context"

// RowScanner and QueryList expose rowScanner and queryList (on the read
// pool) to the tests of package store_test.
type RowScanner = rowScanner

func QueryList[T any](ctx context.Context, db *DB, scan func(RowScanner) (T, error), query string, args ...any) ([]T, error) {
	return queryList(ctx, db.read, scan, query, args...)
}
