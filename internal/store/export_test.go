package store

import (
	"context"

	"golang.org/x/mod/sumdb/tlog"
)

// RowScanner and QueryList expose rowScanner and queryList (on the read
// pool) to the tests of package store_test.
type RowScanner = rowScanner

func QueryList[T any](ctx context.Context, db *DB, scan func(RowScanner) (T, error), query string, args ...any) ([]T, error) {
	return queryList(ctx, db.read, scan, query, args...)
}

// SetAuditTreeCache bounds db's cache of the audit tree's upper levels
// to max hashes (0: the default) and empties it.
func SetAuditTreeCache(db *DB, max int64) {
	db.treeCache.mu.Lock()
	defer db.treeCache.mu.Unlock()
	db.treeCache.maxHashes = max
	db.treeCache.filled, db.treeCache.low = false, 0
	db.treeCache.levels = [64][]tlog.Hash{}
}

// AuditTreeCached reports the lowest level db's cache of the audit tree
// holds and how many hashes it holds.
func AuditTreeCached(db *DB) (low int, hashes int) {
	db.treeCache.mu.RLock()
	defer db.treeCache.mu.RUnlock()
	for _, l := range db.treeCache.levels {
		hashes += len(l)
	}
	return db.treeCache.low, hashes
}
