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
