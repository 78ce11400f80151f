package store_test

import (
	"context"
	"database/sql"
	"testing"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestPoolKeepsItsConnections: a connection given back to the pool stays
// open, however many were in use at once. Closing those beyond a smaller
// idle limit made a burst of short requests open new ones all the time
// (on PostgreSQL a new backend each, its statements prepared again).
func TestPoolKeepsItsConnections(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		pool := db.SQL()
		n := pool.Stats().MaxOpenConnections
		if n < 2 {
			t.Fatalf("a pool of %d connections", n)
		}
		conns := make([]*sql.Conn, 0, n)
		for range n {
			c, err := pool.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.PingContext(ctx); err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			c.Close()
		}
		if s := pool.Stats(); s.Idle != n || s.MaxIdleClosed != 0 {
			t.Errorf("%d connections given back: %d kept, %d closed", n, s.Idle, s.MaxIdleClosed)
		}
	})
}
