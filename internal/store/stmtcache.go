package store

// Prepared statements for the hot read path (issue 14). The OCMW's inbox
// runs the same handful of SQL texts on every page (the token's actor, the
// agreements' versions, the page, its parents, the teams); on SQLite
// preparing them anew each time was about a third of the server's CPU per
// page. readStmts prepares each text once on the read pool; database/sql
// then keeps it prepared on every connection that runs it. PostgreSQL's
// driver already caches its prepared statements per connection, so there
// the texts go to the pool as they are.

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCacheMax bounds the texts kept: texts that vary with the data (an
// IN list as long as a page) would otherwise grow it without end. Past the
// bound a text is run unprepared, as before.
const stmtCacheMax = 256

// stmtCache is a queryer over a pool that prepares each text once.
type stmtCache struct {
	pool    *sql.DB
	prepare bool // false: pass through (PostgreSQL)
	mu      sync.Mutex
	closed  bool
	stmts   map[string]*sql.Stmt
}

func (c *stmtCache) stmt(ctx context.Context, query string) *sql.Stmt {
	if !c.prepare {
		return nil
	}
	c.mu.Lock()
	st, ok := c.stmts[query]
	full := len(c.stmts) >= stmtCacheMax
	c.mu.Unlock()
	if ok {
		return st
	}
	if full {
		return nil
	}
	// Prepared without holding the lock (it waits for a connection) and
	// without the request's context: the statement outlives the request.
	st, err := c.pool.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil // the query itself will report the error
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if kept, ok := c.stmts[query]; ok {
		_ = st.Close() // prepared meanwhile by another request
		return kept
	}
	if c.closed || len(c.stmts) >= stmtCacheMax {
		_ = st.Close() // closed or full meanwhile: run unprepared
		return nil
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = st
	return st
}

// lookup returns the statement kept for query, or nil: it never prepares.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	if c == nil || !c.prepare {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[query]
}

// QueryContext runs query prepared when it can.
func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.pool.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query prepared when it can.
func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.pool.QueryRowContext(ctx, query, args...)
}

// close closes the statements kept.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		_ = st.Close()
	}
	c.stmts = nil
	c.closed = true
}

// hot returns the read pool with its statements kept prepared, for the
// queries every page runs.
func (db *DB) hot() queryer {
	if db.readStmts == nil {
		return db.read
	}
	return db.readStmts
}

// CAST($n AS TEXT): the hot statements compare an indexed column with
// CAST($n AS TEXT) rather than with $n alone. SQLite (modernc's build has
// SQLITE_ENABLE_STAT4) asks the sqlite_stat4 samples, once ANALYZE or
// PRAGMA optimize wrote them, how many rows a bound value matches, and
// then marks the prepared statement expired on every new binding of that
// parameter: each run parsed and planned the statement again (14 % of
// the CPU of an inbox page, issue 14). Through a CAST the value is
// unknown to the planner, the plan (the same index either way) is made
// once, and the statement stays prepared. PostgreSQL plans the same.
