package store

import (
	"context"

	"kansrijk/internal/account"
	"kansrijk/internal/outcome"
)

// ExecForOutcomeTest runs a statement on the write pool: the outcome tests insert raw rows in
// every status, with timestamps no clock-driven flow could produce in a test's time.
func ExecForOutcomeTest(ctx context.Context, db *DB, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, query, args...)
	return err
}

// OutcomeSQLForTest returns the two statements (with their arguments) that count the cells of q
// for a, for a look at their plans.
func OutcomeSQLForTest(ctx context.Context, db *DB, a account.Actor, q outcome.Query) (referrals string, rargs []any, births string, bargs []any, err error) {
	scope, err := outcomeScopeOf(a)
	if err != nil {
		return "", nil, "", nil, err
	}
	month, err := db.outcomeMonthSQL(ctx, q)
	if err != nil {
		return "", nil, "", nil, err
	}
	referrals, rargs = db.outcomeReferralsSQL(scope, q, month)
	births, bargs = db.outcomeBirthsSQL(scope, q, month)
	return referrals, rargs, births, bargs, nil
}

// OutcomeKeptForTest returns the months of statistics taken from memory and the months counted
// to be kept since the handle was opened or last forgot them.
func OutcomeKeptForTest(db *DB) (hits, counted int) {
	db.outcomes.mu.Lock()
	defer db.outcomes.mu.Unlock()
	return db.outcomes.hits, db.outcomes.counted
}

// ForgetOutcomeCellsForTest drops the kept months of statistics, as a fresh start does.
func ForgetOutcomeCellsForTest(db *DB) { db.outcomes.reset() }

// OutcomeMonthChangesForTest reads outcome_month_changes: the generation of every month bumped.
func OutcomeMonthChangesForTest(ctx context.Context, db *DB) (map[string]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT month, generation FROM outcome_month_changes`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var m string
		var g int64
		if err := rows.Scan(&m, &g); err != nil {
			return nil, err
		}
		out[m] = g
	}
	return out, rows.Err()
}
