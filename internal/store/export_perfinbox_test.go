package store

import "context"

// HotCount runs a count query through the read path's statement cache.
func HotCount(ctx context.Context, db *DB, query string, args ...any) (int, error) {
	var n int
	err := db.hot().QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// HotPrepared returns how many texts the statement cache keeps.
func HotPrepared(db *DB) int {
	db.readStmts.mu.Lock()
	defer db.readStmts.mu.Unlock()
	return len(db.readStmts.stmts)
}

// HotCacheMax is the bound of the statement cache.
const HotCacheMax = stmtCacheMax
