package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestHotStatementCache: the inbox's read path prepares each SQL text once
// on SQLite, keeps at most HotCacheMax texts and runs the others
// unprepared, with the same answers; PostgreSQL's driver caches its own,
// so nothing is kept there.
func TestHotStatementCache(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			ctx := context.Background()
			for i := range store.HotCacheMax + 20 {
				q := fmt.Sprintf("SELECT %d + count(*) FROM organisations WHERE key = $1", i)
				for range 2 {
					n, err := store.HotCount(ctx, db, q, "no-such-organisation")
					if err != nil {
						t.Fatalf("query %d: %v", i, err)
					}
					if n != i {
						t.Fatalf("query %d answered %d", i, n)
					}
				}
			}
			want := store.HotCacheMax
			if d == store.Postgres {
				want = 0
			}
			if got := store.HotPrepared(db); got != want {
				t.Errorf("%d texts kept, want %d", got, want)
			}
			if _, err := store.HotCount(ctx, db, "SELECT count(*) FROM no_such_table"); err == nil {
				t.Error("a query that cannot be prepared answered without error")
			}
		})
	}
}

// TestHotStatementCacheConcurrent: requests preparing the same texts at
// once all get their answers, and each text is kept once.
func TestHotStatementCacheConcurrent(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make(chan error, 16)
			for g := range 16 {
				wg.Go(func() {
					for i := range 4 {
						q := fmt.Sprintf("SELECT %d + count(*) FROM organisations WHERE key = $1", i)
						n, err := store.HotCount(ctx, db, q, "no-such-organisation")
						if err == nil && n != i {
							err = fmt.Errorf("goroutine %d, query %d answered %d", g, i, n)
						}
						if err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			want := 4
			if d == store.Postgres {
				want = 0
			}
			if got := store.HotPrepared(db); got != want {
				t.Errorf("%d texts kept, want %d", got, want)
			}
		})
	}
}
