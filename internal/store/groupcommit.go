package store

// Group commit of read events. Every audited read writes its event before
// it answers; one transaction per read makes the single SQLite writer (and
// PostgreSQL's commit round trips) the bottleneck as soon as anything else
// writes — during a clinic's batch import the OCMW inbox fell tenfold. So
// reads hand their events to a committer that writes many requests'
// events in one transaction and answers each request once that
// transaction has committed, or with its error.
//
// Batching is natural: a committer takes the first waiting request, then
// whatever else is already waiting (up to groupMaxEvents), and writes them
// at once. An idle system commits each read alone, without delay; a busy
// one commits more per transaction exactly when transactions are scarce.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kansrijk/internal/audit"
)

const (
	// groupMaxEvents caps the events of one transaction.
	groupMaxEvents = 1024
	// groupChunk is the number of rows of one multi-row INSERT (18 values
	// each: well under the parameter limits of both databases).
	groupChunk = 128
	// groupQueue is how many requests may wait before senders block.
	groupQueue = 4096
	// groupTimeout bounds one batch's transaction. It does not depend on
	// any waiter's context: one request giving up must not fail the
	// others' events.
	groupTimeout = 30 * time.Second
)

// errDBClosed answers reads audited after Close.
var errDBClosed = errors.New("store: database closed: the read's audit event cannot be written")

// Request states: a waiter that gives up before a committer took its
// request withdraws it (nothing written); once taken, it is written with
// the batch whatever the waiter does.
const (
	reqQueued int32 = iota
	reqTaken
	reqWithdrawn
)

type commitReq struct {
	evs   []audit.Event
	state atomic.Int32
	done  chan error // buffered: the committer never blocks on a waiter
}

// groupCommit is the committer of a DB, started by the first read.
type groupCommit struct {
	// mu guards started and closed; senders hold it for reading while
	// they hand over a request, so that Close (which takes it for
	// writing) knows that nothing arrives after it.
	mu      sync.RWMutex
	started bool
	closed  bool
	// workers is the number of committers: 1 on SQLite (one writer),
	// more on PostgreSQL, where transactions run side by side. Zero: the
	// dialect's default.
	workers int
	reqs    chan *commitReq
	quit    chan struct{}
	wg      sync.WaitGroup
	// pulled counts the requests committers took from the queue, taken
	// those put in a batch; batches and events count what was committed
	// (tests, benchmarks).
	pulled, taken, batches, events atomic.Int64
}

// submit hands evs to the committer and waits until they are durable.
func (g *groupCommit) submit(ctx context.Context, db *DB, evs []audit.Event) error {
	req := &commitReq{evs: evs, done: make(chan error, 1)}
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return errDBClosed
	}
	if !g.started {
		g.mu.RUnlock()
		g.start(db)
		return g.submit(ctx, db, evs)
	}
	select {
	case g.reqs <- req:
		g.mu.RUnlock()
	case <-ctx.Done():
		g.mu.RUnlock()
		return ctx.Err()
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		// Not yet taken: withdrawn, nothing is written. Taken: its
		// events are written with the others'. Either way the read
		// fails, as its caller has gone.
		req.state.CompareAndSwap(reqQueued, reqWithdrawn)
		return ctx.Err()
	}
}

func (g *groupCommit) start(db *DB) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.started || g.closed {
		return
	}
	n := g.workers
	if n <= 0 {
		n = 1
		if db.dialect == Postgres {
			n = 4
		}
	}
	g.reqs = make(chan *commitReq, groupQueue)
	g.quit = make(chan struct{})
	g.started = true
	for range n {
		g.wg.Add(1)
		go g.run(db)
	}
}

// close stops taking requests, commits those already handed over, and
// returns when the committers have stopped.
func (g *groupCommit) close() {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	g.closed = true
	started := g.started
	g.mu.Unlock()
	if started {
		close(g.quit)
		g.wg.Wait()
	}
}

// run is one committer: it commits batches until close, then drains.
func (g *groupCommit) run(db *DB) {
	defer g.wg.Done()
	for {
		select {
		case first := <-g.reqs:
			g.pulled.Add(1)
			g.commit(db, first)
		case <-g.quit:
			// No sender is left (close waited for them): commit what
			// is queued and stop.
			for {
				select {
				case r := <-g.reqs:
					g.pulled.Add(1)
					g.commit(db, r)
				default:
					return
				}
			}
		}
	}
}

// commit waits for the writer on behalf of first, then writes first's
// events and those of every request that queued meanwhile (up to
// groupMaxEvents) in one transaction, and answers each request of the
// batch with the outcome: all durable, or all failed. Collecting only once
// the writer is ours is what makes batches grow while another transaction
// (a batch import) holds the writer.
func (g *groupCommit) commit(db *DB, first *commitReq) {
	ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
	defer cancel()
	var batch []*commitReq
	collected := false
	err := db.inWriteTx(ctx, true, func(tx *Tx) error {
		batch, collected = g.collect(first), true
		var evs []audit.Event
		for _, r := range batch {
			evs = append(evs, r.evs...)
		}
		if err := insertEvents(ctx, tx, evs); err != nil {
			return err
		}
		g.events.Add(int64(len(evs)))
		return nil
	})
	if !collected {
		// No transaction: first and those waiting with it fail.
		batch = g.collect(first)
	}
	if err == nil {
		g.batches.Add(1)
	} else {
		err = fmt.Errorf("write audit events of %d reads: %w", len(batch), err)
	}
	for _, r := range batch {
		r.done <- err
	}
}

// collect takes first, unless withdrawn, and whatever else is waiting, up
// to groupMaxEvents events.
func (g *groupCommit) collect(first *commitReq) []*commitReq {
	batch := make([]*commitReq, 0, 16)
	n := 0
	take := func(r *commitReq) {
		if r.state.CompareAndSwap(reqQueued, reqTaken) {
			g.taken.Add(1)
			batch = append(batch, r)
			n += len(r.evs)
		}
	}
	take(first)
	for n < groupMaxEvents {
		select {
		case r := <-g.reqs:
			g.pulled.Add(1)
			take(r)
		default:
			return batch
		}
	}
	return batch
}

// insertEvents writes events with multi-row INSERTs, each at its own time.
func insertEvents(ctx context.Context, tx *Tx, evs []audit.Event) error {
	for len(evs) > 0 {
		n := min(len(evs), groupChunk)
		var q strings.Builder
		q.WriteString(auditInsert)
		args := make([]any, 0, n*auditWidth)
		for i, ev := range evs[:n] {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteByte('(')
			for j := range auditWidth {
				if j > 0 {
					q.WriteByte(',')
				}
				fmt.Fprintf(&q, "$%d", i*auditWidth+j+1)
			}
			q.WriteByte(')')
			at := ev.At
			if at.IsZero() {
				at = tx.now
			}
			args = append(args, auditArgs(at, ev)...)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
		evs = evs[n:]
	}
	return nil
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
