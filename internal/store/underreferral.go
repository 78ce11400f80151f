package store

import (
	"context"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/underreferral"
)

var _ underreferral.IndexStore = (*DB)(nil)

// DeprivationValuesUpTo returns the deprivation index of the latest
// imported year not after year, every municipality of it, in NIS order;
// none when no such year was imported. Public figures: every role that
// may read the index.
func (db *DB) DeprivationValuesUpTo(ctx context.Context, a account.Actor, year int) (out []deprivation.Value, err error) {
	defer apperr.Wrap(&err, "store.DeprivationValuesUpTo(%d)", year)
	if !deprivation.CanRead(a) {
		return nil, deprivationForbidden()
	}
	rows, err := db.read.QueryContext(ctx, `SELECT municipality_nis, year, percent, births, deprived
		FROM deprivation_index
		WHERE year = (SELECT MAX(year) FROM deprivation_years WHERE year <= $1)
		ORDER BY municipality_nis`, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v deprivation.Value
		var births, deprived *int64
		if err := rows.Scan(&v.NIS, &v.Year, &v.Percent, &births, &deprived); err != nil {
			return nil, err
		}
		v.Births, v.Deprived = toIntPtr(births), toIntPtr(deprived)
		out = append(out, v)
	}
	return out, rows.Err()
}
