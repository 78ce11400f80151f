package store

import "context"

// ExecForOutcomeTest runs a statement on the write pool: the outcome tests insert raw rows in
// every status, with timestamps no clock-driven flow could produce in a test's time.
func ExecForOutcomeTest(ctx context.Context, db *DB, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, query, args...)
	return err
}
