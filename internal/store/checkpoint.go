package store

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"
)

// SQLite's checkpoints, off the writer (issue 14, mixed_ratio).
//
// In WAL mode SQLite copies the log back into the database file in a
// checkpoint, by default at the commit that takes the log past 1,000
// pages, on the committing connection: that commit returns only after the
// copy and its two fsyncs (the log before, the database file after), and
// on our one writer connection everything else waits for it. A clinic's
// batch of 1,000 births writes thousands of pages (a dozen indexes of
// notifications, their parents, the audit events), so nearly every move
// and many group commits of read events paid for a checkpoint: the
// audited reads waited behind it.
//
// The writer therefore runs with wal_autocheckpoint=0, and a connection of
// its own checkpoints (PASSIVE: it copies what no reader still needs and
// never waits, nor makes anyone wait; the writer and the readers go on
// meanwhile) when a write transaction committed, at most every
// checkpointEvery, and at least every checkpointIdle while the log is not
// empty. Durability does not change: a commit is in the log when it
// returns, as before; the checkpoint only moves it into the file. The
// last connection to close checkpoints the rest, as before.

const (
	checkpointEvery = 50 * time.Millisecond
	checkpointIdle  = time.Second
)

// checkpointer runs PASSIVE checkpoints of one SQLite database.
type checkpointer struct {
	conn *sql.DB
	kick chan struct{}
	stop chan struct{}
	done sync.WaitGroup
	once sync.Once
	err  error
}

// startCheckpointer opens the checkpointing connection on dsn and starts
// its loop.
func startCheckpointer(ctx context.Context, dsn string) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxIdleTime(0)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	c := &checkpointer{conn: conn, kick: make(chan struct{}, 1), stop: make(chan struct{})}
	c.done.Add(1)
	go c.loop()
	return c, nil
}

// committed tells the checkpointer that a write transaction committed.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer c.done.Done()
	idle := time.NewTimer(checkpointIdle)
	defer idle.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		case <-idle.C:
		}
		c.checkpoint()
		idle.Reset(checkpointIdle)
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

// checkpoint runs one PASSIVE checkpoint. A failure is logged, not
// fatal: the log only grows until the next one succeeds.
func (c *checkpointer) checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var busy, logFrames, done int
	if err := c.conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &done); err != nil {
		slog.Warn("sqlite checkpoint", "error", err)
	}
}

// close stops the loop and closes the connection; a second call does
// nothing.
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	c.once.Do(func() {
		close(c.stop)
		c.done.Wait()
		c.err = c.conn.Close()
	})
	return c.err
}
