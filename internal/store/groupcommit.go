package store

// Group commit of read events. Every audited read writes its event before
// it answers; one transaction per read makes the single SQLite writer (and
// PostgreSQL's commit round trips) the bottleneck as soon as anything else
// writes — during a clinic's batch import the OCMW inbox fell tenfold. So
// a read queues its events and then either waits for another read's
// transaction to write them, or writes a batch itself: it takes the writer
// and, once it has it, writes its own events and every other read's that
// queued meanwhile in one transaction, and answers each of those reads
// when that transaction has committed (or with its error).
//
// There is no committer goroutine to hand over to: alone, a read writes
// its own event as before, without delay or extra scheduling; while
// another transaction (a batch import) holds the writer, the reads that
// arrive meanwhile are written together as soon as it is free.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kansrijk/internal/audit"
)

const (
	// groupMaxEvents caps the events of one transaction.
	groupMaxEvents = 1024
	// groupTimeout bounds one batch's transaction. It does not depend on
	// any waiter's context: one request giving up must not fail the
	// others' events.
	groupTimeout = 30 * time.Second
)

// errDBClosed answers reads audited after Close.
var errDBClosed = errors.New("store: database closed: the read's audit event cannot be written")

// Request states: a waiter that gives up before a batch took its request
// withdraws it (nothing written); once taken, it is written with the batch
// whatever the waiter does.
const (
	reqQueued int32 = iota
	reqTaken
	reqWithdrawn
)

type commitReq struct {
	evs   []audit.Event
	state atomic.Int32
	done  chan error // buffered: answered once, by the batch that took it
}

// groupCommit queues the events of reads and writes them in batches.
type groupCommit struct {
	mu     sync.Mutex
	closed bool
	queue  []*commitReq
	// active counts the reads under way, which Close waits for.
	active sync.WaitGroup
	// workers is how many batches may be written at once: 1 on SQLite
	// (one writer), 4 on PostgreSQL, where transactions run side by
	// side. Zero: the dialect's default.
	workers int
	once    sync.Once
	slots   chan struct{} // one per batch being written
	// started counts the batches begun, taken the requests put in a
	// batch; batches and events what was committed (tests, benchmarks).
	started, taken, batches, events atomic.Int64
}

// submit queues evs and returns once they are durable, or with the
// error of the transaction that was to write them, or when ctx ends.
func (g *groupCommit) submit(ctx context.Context, db *DB, evs []audit.Event) error {
	req := &commitReq{evs: evs, done: make(chan error, 1)}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return errDBClosed
	}
	g.once.Do(func() {
		n := g.workers
		if n <= 0 {
			n = 1
			if db.dialect == Postgres {
				n = 4
			}
		}
		g.slots = make(chan struct{}, n)
	})
	g.queue = append(g.queue, req)
	g.active.Add(1)
	g.mu.Unlock()
	defer g.active.Done()
	for {
		select {
		case err := <-req.done:
			return err
		default:
		}
		if ctx.Err() != nil {
			// Not yet taken: withdrawn, nothing is written. Taken: its
			// events are written with the others'. Either way the read
			// fails, as its caller has gone.
			req.state.CompareAndSwap(reqQueued, reqWithdrawn)
			return ctx.Err()
		}
		select {
		case err := <-req.done:
			return err
		case <-ctx.Done():
		case g.slots <- struct{}{}:
			if req.state.Load() == reqQueued {
				g.commit(ctx, db)
				<-g.slots
				continue
			}
			<-g.slots
			// Taken meanwhile by another read's batch: wait for it.
			select {
			case err := <-req.done:
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

// commit takes the writer (giving up if waiter ends first, having taken
// nothing), then writes the events of every queued request, up to
// groupMaxEvents, in one transaction and answers each of those requests
// with the outcome: all durable, or all failed. Forming the batch only
// once the writer is ours is what lets it grow while another transaction
// holds the writer.
func (g *groupCommit) commit(waiter context.Context, db *DB) {
	g.started.Add(1)
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	const waiting, formed, abandoned = 0, 1, 2
	var phase atomic.Int32
	stop := context.AfterFunc(waiter, func() {
		if phase.CompareAndSwap(waiting, abandoned) {
			cancel()
		}
	})
	defer stop()
	var batch []*commitReq
	write := func(ctx context.Context, exec execer, now time.Time) error {
		if !phase.CompareAndSwap(waiting, formed) {
			return context.Canceled
		}
		batch = g.collect()
		if len(batch) == 0 {
			return nil // another batch took them all
		}
		var evs []audit.Event
		for _, r := range batch {
			evs = append(evs, r.evs...)
		}
		if err := db.insertEvents(ctx, exec, now, evs); err != nil {
			return err
		}
		g.events.Add(int64(len(evs)))
		return nil
	}
	var err error
	if db.dialect == Postgres {
		// One statement, committed on its own: one round trip for the
		// batch instead of three (BEGIN, INSERT, COMMIT). A statement
		// outside a transaction is atomic and, synchronous_commit being
		// on, durable when it returns.
		err = write(ctx, db.write, db.Now().UTC())
	} else if _, err = db.auditStmt(ctx); err == nil {
		// Prepared (once) before the writer is taken: it needs the
		// writer connection itself.
		err = db.inWriteTx(ctx, true, func(tx *Tx) error { return write(ctx, tx, tx.now) })
	}
	if phase.Load() == abandoned {
		return // nothing taken: the others write their own
	}
	if phase.CompareAndSwap(waiting, formed) {
		// No transaction could begin: the waiting reads fail with it.
		batch = g.collect()
	}
	if err == nil {
		if len(batch) > 0 {
			g.batches.Add(1)
		}
	} else {
		err = fmt.Errorf("write audit events of %d reads: %w", len(batch), err)
	}
	for _, r := range batch {
		r.done <- err
	}
}

// collect takes the queued requests, skipping withdrawn ones, up to
// groupMaxEvents events.
func (g *groupCommit) collect() []*commitReq {
	g.mu.Lock()
	defer g.mu.Unlock()
	var batch []*commitReq
	n, i := 0, 0
	for ; i < len(g.queue) && n < groupMaxEvents; i++ {
		r := g.queue[i]
		if r.state.CompareAndSwap(reqQueued, reqTaken) {
			batch = append(batch, r)
			n += len(r.evs)
		}
	}
	g.queue = append(g.queue[:0:0], g.queue[i:]...)
	g.taken.Add(int64(len(batch)))
	return batch
}

// close refuses new reads and returns once those under way are answered
// (their events written, or failed).
func (g *groupCommit) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.active.Wait()
}

// execer runs a statement: a transaction, or (PostgreSQL) the pool.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// insertEvents writes events, each at its own time (now where it has
// none). On PostgreSQL in one multi-row INSERT (groupMaxEvents rows of
// auditWidth values stay far below its 65,535 parameters): one round
// trip. On SQLite, in-process, a multi-row INSERT's text differs with
// its number of rows and is parsed anew each time, which cost more than
// the rows (issue 14's profile): the one-row INSERT is prepared once on
// the writer connection and run per event.
func (db *DB) insertEvents(ctx context.Context, exec execer, now time.Time, evs []audit.Event) error {
	if tx, ok := exec.(*Tx); ok && db.dialect == SQLite {
		st, err := db.auditStmt(ctx)
		if err != nil {
			return err
		}
		txst := tx.StmtContext(ctx, st)
		defer txst.Close()
		for _, ev := range evs {
			at := ev.At
			if at.IsZero() {
				at = now
			}
			if _, err := txst.ExecContext(ctx, auditArgs(at, ev)...); err != nil {
				return err
			}
		}
		return nil
	}
	var q strings.Builder
	q.Grow(len(auditInsert) + len(evs)*(auditWidth*6+2))
	q.WriteString(auditInsert)
	args := make([]any, 0, len(evs)*auditWidth)
	for i, ev := range evs {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		for j := range auditWidth {
			if j > 0 {
				q.WriteByte(',')
			}
			q.WriteByte('$')
			q.WriteString(strconv.Itoa(i*auditWidth + j + 1))
		}
		q.WriteByte(')')
		at := ev.At
		if at.IsZero() {
			at = now
		}
		args = append(args, auditArgs(at, ev)...)
	}
	_, err := exec.ExecContext(ctx, q.String(), args...)
	return err
}

// auditStmt is the one-row INSERT of an audit event, prepared once on
// SQLite's writer connection: never while holding the writer (a
// transaction), which it would wait for.
func (db *DB) auditStmt(ctx context.Context) (*sql.Stmt, error) {
	db.auditOnce.Do(func() {
		var b strings.Builder
		b.WriteString(auditInsert + "(")
		for j := range auditWidth {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString("$" + strconv.Itoa(j+1))
		}
		b.WriteByte(')')
		db.auditSt, db.auditErr = db.write.PrepareContext(ctx, b.String())
	})
	return db.auditSt, db.auditErr
}

// writerGate orders the write transactions of SQLite's one writer
// connection: first come, first served, except that a group commit of read
// events goes before every waiting write transaction. A run of long
// transactions (a clinic's batch import) then delays a read by at most the
// one transaction under way. (database/sql hands a freed connection to a
// random waiter.) PostgreSQL needs no gate: its transactions run side by
// side.
type writerGate struct {
	mu     sync.Mutex
	busy   bool
	urgent []chan struct{}
	normal []chan struct{}
}

// acquire waits for the writer; urgent goes before the others.
func (g *writerGate) acquire(ctx context.Context, urgent bool) error {
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	if urgent {
		g.urgent = append(g.urgent, ch)
	} else {
		g.normal = append(g.normal, ch)
	}
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		queued := remove(&g.urgent, ch) || remove(&g.normal, ch)
		g.mu.Unlock()
		if !queued {
			// Handed over meanwhile: pass it on.
			g.release()
		}
		return ctx.Err()
	}
}

// release hands the writer to the next waiter.
func (g *writerGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, q := range []*[]chan struct{}{&g.urgent, &g.normal} {
		if len(*q) > 0 {
			ch := (*q)[0]
			*q = (*q)[1:]
			close(ch)
			return
		}
	}
	g.busy = false
}

func remove(q *[]chan struct{}, ch chan struct{}) bool {
	for i, c := range *q {
		if c == ch {
			*q = append((*q)[:i], (*q)[i+1:]...)
			return true
		}
	}
	return false
}
