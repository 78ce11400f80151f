package store

// Group commit of small writes (issue 14). A single birth notification
// is a handful of statements and one commit; with many clinics posting
// at once, the commits were the cost: on SQLite every create took the one
// writer for its own transaction (and wrote its pages to the WAL again),
// on PostgreSQL every create waited for its own flush of the WAL. So a
// small write queues its function and either waits for another request's
// transaction to run it, or takes a slot and runs, in one transaction,
// its own function and every other one queued meanwhile, each in order.
// Every request is answered only once the transaction that ran its
// function has committed: an acknowledged write is durable as before.
//
// If any function of a batch fails, the whole transaction is rolled back
// and every function of the batch runs again alone, in a transaction of
// its own, and answers with its own outcome: one request's bad input or
// abandoned context never fails another's write, nor does a write land
// half.
//
// As with the read events (groupcommit.go), there is no committer
// goroutine: alone, a request runs its own transaction at once.

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"

	"kansrijk/internal/audit"
)

// writeGroupMax caps the functions of one transaction.
const writeGroupMax = 64

type writeReq struct {
	fn     func(tx *Tx) error
	state  atomic.Int32 // reqQueued, reqTaken, reqWithdrawn
	done   chan error   // buffered: answered once
	denied bool         // the function wrote an event of outcome denied
}

// writeGroup queues small writes and runs them in shared transactions.
type writeGroup struct {
	mu    sync.Mutex
	queue []*writeReq
	once  sync.Once
	slots chan struct{} // one per batch under way
	// batches, writes and retried count what was run (tests).
	batches, writes, retried atomic.Int64
}

// inGroupTx runs fn in a write transaction, possibly shared with other
// requests' functions, and returns once that transaction has committed
// (nil) or with fn's error. fn must touch nothing but tx and its own
// variables, and may run twice (the second time alone, after the shared
// transaction was rolled back), so it must set its results anew each time.
func (db *DB) inGroupTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.dialect == Postgres {
		// PostgreSQL runs transactions side by side and shares one flush
		// of its log among the commits that arrive together: measured,
		// queueing them into one transaction was slower (their statements
		// then run one after the other).
		return db.inTx(ctx, fn)
	}
	g := db.writes.init(db)
	req := &writeReq{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, req)
	g.mu.Unlock()
	wait := func() error {
		select {
		case err := <-req.done:
			return db.answered(ctx, req, err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for {
		select {
		case err := <-req.done:
			return db.answered(ctx, req, err)
		default:
		}
		if ctx.Err() != nil {
			// Not taken yet: withdrawn, nothing is written. Taken: it
			// runs with the batch (its statements see the ended context
			// and fail, so it runs again alone and fails there).
			req.state.CompareAndSwap(reqQueued, reqWithdrawn)
			return ctx.Err()
		}
		select {
		case err := <-req.done:
			return db.answered(ctx, req, err)
		case <-ctx.Done():
		case g.slots <- struct{}{}:
			if req.state.Load() == reqQueued {
				g.run(db)
				<-g.slots
				continue
			}
			<-g.slots
			return wait()
		}
	}
}

// init sizes the slots on first use: one on SQLite (one writer), four on
// PostgreSQL (transactions side by side, as the read events').
func (g *writeGroup) init(db *DB) *writeGroup {
	g.once.Do(func() {
		n := 1
		if db.dialect == Postgres {
			n = 4
		}
		g.slots = make(chan struct{}, n)
	})
	return g
}

func (db *DB) answered(ctx context.Context, req *writeReq, err error) error {
	if err == nil && req.denied {
		audit.NoteDenied(ctx)
	}
	return err
}

// run takes the writer, then runs every queued function (up to
// writeGroupMax) in one transaction and answers them; if one fails, each
// runs again alone.
func (g *writeGroup) run(db *DB) {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	var batch []*writeReq
	var stmts *txStmts
	formed := false
	err := db.inWriteTx(ctx, false, func(tx *Tx) error {
		batch, formed = g.collect(), true
		// The functions of a batch run the same few texts: each is
		// prepared once for the batch, and kept prepared on the writer
		// for the batches after it (on SQLite, preparing a statement cost
		// about as much as running it).
		stmts = &txStmts{tx: tx.Tx, kept: db.writeStmts}
		defer stmts.close()
		for _, r := range batch {
			one := &Tx{Tx: tx.Tx, db: db, now: tx.now, stmts: stmts}
			if err := r.fn(one); err != nil {
				return err
			}
			r.denied = one.denied
		}
		return nil
	})
	if !formed {
		// No transaction could begin: the queued requests fail with it.
		batch = g.collect()
	}
	if stmts != nil {
		// Now that the writer is free: the texts first run in this batch
		// are prepared on it for the next ones.
		stmts.keep(ctx)
	}
	if len(batch) == 0 {
		return
	}
	g.batches.Add(1)
	g.writes.Add(int64(len(batch)))
	if err == nil || len(batch) == 1 {
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	g.retried.Add(int64(len(batch)))
	for _, r := range batch {
		var one *Tx
		err := db.inWriteTx(ctx, false, func(tx *Tx) error {
			one = tx
			return r.fn(tx)
		})
		r.denied = one != nil && one.denied
		r.done <- err
	}
}

// collect takes the queued requests, skipping withdrawn ones, up to
// writeGroupMax.
func (g *writeGroup) collect() []*writeReq {
	g.mu.Lock()
	defer g.mu.Unlock()
	var batch []*writeReq
	i := 0
	for ; i < len(g.queue) && len(batch) < writeGroupMax; i++ {
		if r := g.queue[i]; r.state.CompareAndSwap(reqQueued, reqTaken) {
			batch = append(batch, r)
		}
	}
	g.queue = append(g.queue[:0:0], g.queue[i:]...)
	return batch
}

// txStmts are the statements of one group-committed transaction, by
// text: those kept prepared on the writer (kept), bound to the
// transaction, and the others prepared in it, to be kept once it is over.
type txStmts struct {
	tx     *sql.Tx
	kept   *stmtCache
	m      map[string]*sql.Stmt
	missed []string
}

func (c *txStmts) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	var st *sql.Stmt
	if kept := c.kept.lookup(query); kept != nil {
		// Prepared on the writer's one connection, which the
		// transaction holds: bound to it without preparing again.
		st = c.tx.StmtContext(ctx, kept)
	} else {
		var err error
		if st, err = c.tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		c.missed = append(c.missed, query)
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st, nil
}

// keep prepares on the writer the texts that were not kept yet. It must
// not be called while holding the writer: preparing waits for its one
// connection.
func (c *txStmts) keep(ctx context.Context) {
	for _, q := range c.missed {
		c.kept.stmt(ctx, q)
	}
	c.missed = nil
}

func (c *txStmts) close() {
	for _, st := range c.m {
		_ = st.Close()
	}
}

// ExecContext runs query in the transaction, prepared once per batch in a
// group-committed one.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if tx.stmts == nil {
		return tx.Tx.ExecContext(ctx, query, args...)
	}
	st, err := tx.stmts.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs query in the transaction, prepared once per batch in
// a group-committed one.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if tx.stmts == nil {
		return tx.Tx.QueryContext(ctx, query, args...)
	}
	st, err := tx.stmts.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs query in the transaction, prepared once per batch
// in a group-committed one.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if tx.stmts == nil {
		return tx.Tx.QueryRowContext(ctx, query, args...)
	}
	st, err := tx.stmts.stmt(ctx, query)
	if err != nil {
		// An unprepared run reports the same error through its Row.
		return tx.Tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
