package store

import (
	"context"
	"database/sql"
)

// queryer runs queries on the read pool (*sql.DB) or inside a
// transaction (*Tx), so that a helper serves both.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// rowScanner is one result row: *sql.Row or the current row of *sql.Rows.
// The scanX functions take it so that one function reads a value from a
// single-row query and from every row of a list.
type rowScanner interface {
	Scan(dest ...any) error
}

// queryList runs query and returns scan applied to every row, in order:
// an empty, non-nil slice when there are no rows, and nil with the first
// error of the query, of a scan or of the iteration.
func queryList[T any](ctx context.Context, q queryer, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	return queryListCap(ctx, q, 0, scan, query, args...)
}

// queryListCap is queryList for a query of at most about n rows (a
// page): the list is allocated once, not grown row by row.
func queryListCap[T any](ctx context.Context, q queryer, n int, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]T, 0, n)
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// scanValue reads a row of one column, for queryList over one column.
func scanValue[T any](row rowScanner) (T, error) {
	var v T
	err := row.Scan(&v)
	return v, err
}

// nilIfEmpty returns nil for an empty list. The lists that answered nil
// for "no rows" before queryList keep doing so, so that their callers
// (nil checks, JSON null against []) see no change.
func nilIfEmpty[T any](list []T) []T {
	if len(list) == 0 {
		return nil
	}
	return list
}
