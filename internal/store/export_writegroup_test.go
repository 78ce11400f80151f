package store

import (
	"context"
	"time"
)

// GroupExec runs the statement in a group-committed write transaction
// (inGroupTx); fail makes the function fail after the statement ran.
func GroupExec(ctx context.Context, db *DB, query string, fail error, args ...any) error {
	return db.inGroupTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return err
		}
		return fail
	})
}

// HoldWriteGroup takes every slot of the write group, so that the
// writes queued meanwhile form one batch once release is called.
func HoldWriteGroup(db *DB) (release func()) {
	g := db.writes.init(db)
	for range cap(g.slots) {
		g.slots <- struct{}{}
	}
	return func() {
		for range cap(g.slots) {
			<-g.slots
		}
	}
}

// WriteGroupQueued is the number of writes waiting for a batch.
func WriteGroupQueued(db *DB) int {
	db.writes.mu.Lock()
	defer db.writes.mu.Unlock()
	return len(db.writes.queue)
}

// WriteGroupStats are the write group's counters: batches run, writes run
// in them, writes run again alone after a failed batch.
func WriteGroupStats(db *DB) (batches, writes, retried int64) {
	return db.writes.batches.Load(), db.writes.writes.Load(), db.writes.retried.Load()
}

// waitUntil polls cond for at most a few seconds.
func waitUntil(cond func() bool) bool {
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}

// WaitWritesQueued waits until n writes are queued.
func WaitWritesQueued(db *DB, n int) bool {
	return waitUntil(func() bool { return WriteGroupQueued(db) >= n })
}
