package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

func TestQueryList(t *testing.T) {
	// Three rows of two columns, without a table, on both dialects.
	const numbers = `SELECT n, w FROM (SELECT 1 AS n, 'one' AS w UNION ALL SELECT 2, 'two' UNION ALL SELECT 3, 'three') t
		WHERE n >= $1 ORDER BY n`
	scanNumber := func(row store.RowScanner) (string, error) {
		var n int
		var w string
		err := row.Scan(&n, &w)
		return fmt.Sprintf("%d=%s", n, w), err
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t.Run("OK", func(t *testing.T) {
			got, err := store.QueryList(ctx, db, scanNumber, numbers, 2)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"2=two", "3=three"}, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
		t.Run("NoRowsIsEmptyNotNil", func(t *testing.T) {
			got, err := store.QueryList(ctx, db, scanNumber, numbers, 4)
			if err != nil || got == nil || len(got) != 0 {
				t.Errorf("got %#v, %v; want an empty, non-nil slice", got, err)
			}
		})
		t.Run("ErrQuery", func(t *testing.T) {
			got, err := store.QueryList(ctx, db, scanNumber, `SELECT n FROM no_such_table WHERE n >= $1`, 1)
			if err == nil || got != nil {
				t.Errorf("got %#v, %v; want nil and an error", got, err)
			}
		})
		t.Run("ErrScan", func(t *testing.T) {
			errBad := errors.New("bad row")
			calls := 0
			got, err := store.QueryList(ctx, db, func(row store.RowScanner) (string, error) {
				calls++
				s, err := scanNumber(row)
				if err == nil && s == "2=two" {
					err = errBad
				}
				return s, err
			}, numbers, 1)
			if !errors.Is(err, errBad) || got != nil {
				t.Errorf("got %#v, %v; want nil and the scan's error", got, err)
			}
			if calls != 2 {
				t.Errorf("scan called %d times, want 2 (stop at the first error)", calls)
			}
		})
		t.Run("ErrColumnType", func(t *testing.T) {
			// The driver's own scan error: a word does not fit an int.
			got, err := store.QueryList(ctx, db, func(row store.RowScanner) (int, error) {
				var w int
				err := row.Scan(new(int), &w)
				return w, err
			}, numbers, 1)
			if err == nil || got != nil {
				t.Errorf("got %#v, %v; want nil and an error", got, err)
			}
		})
	})
}
