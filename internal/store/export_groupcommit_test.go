package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/audit"
	"kansrijk/internal/referral"
)

// RecordReads exposes recordReads to the tests of package store_test.
func RecordReads(ctx context.Context, db *DB, evs ...audit.Event) error {
	return db.recordReads(ctx, evs...)
}

// RecordReadsOneTx is the path before group commit, kept as the
// benchmarks' baseline: one write transaction per read's events.
func RecordReadsOneTx(ctx context.Context, db *DB, evs ...audit.Event) error {
	return db.inTx(ctx, func(tx *Tx) error {
		for _, ev := range evs {
			if err := tx.Audit(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReferralOneTx is Referral as it was before group commit (the benchmarks'
// baseline): read and audit event in one write transaction.
func ReferralOneTx(ctx context.Context, db *DB, a account.Actor, id int64) (r referral.Referral, err error) {
	err = db.refTx(ctx, a, func(tx *Tx) error {
		if r, err = db.loadReferral(ctx, tx, a, id); err != nil {
			return err
		}
		return tx.Audit(ctx, referralAudit(a, auditReferralRead, purposeFollowUp, r))
	})
	return r, err
}

// ActorByTokenEveryUse is ActorByToken as it was before (the benchmarks'
// baseline): an UPDATE of last_used_at on the writer at every use.
func ActorByTokenEveryUse(ctx context.Context, db *DB, secret string) (account.Actor, error) {
	now := db.Now()
	if _, err := db.write.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE hash = $2 AND (last_used_at IS NULL OR last_used_at < $3)`,
		ts(now), account.HashSecret(secret), ts(now.Add(-time.Minute))); err != nil {
		return account.Actor{}, err
	}
	return db.ActorByToken(ctx, secret)
}

// SetCommitWorkers sets how many batches may be written at once; before
// the first read.
func SetCommitWorkers(db *DB, n int) { db.group.workers = n }

// CommitStats returns the batches and events group-committed so far.
func CommitStats(db *DB) (batches, events int64) {
	return db.group.batches.Load(), db.group.events.Load()
}

// Queued returns how many requests wait in the queue.
func Queued(db *DB) int {
	db.group.mu.Lock()
	defer db.group.mu.Unlock()
	return len(db.group.queue)
}

// WaitQueued waits until exactly n requests wait in the queue.
func WaitQueued(tb testing.TB, db *DB, n int) {
	tb.Helper()
	waitFor(tb, fmt.Sprintf("%d requests queued", n), func() bool { return Queued(db) == n })
}

// CommitsStarted returns how many batches were begun so far.
func CommitsStarted(db *DB) int64 { return db.group.started.Load() }

// WaitBlocked waits until the n-th batch in all has begun and is blocked
// by HoldAuditWrites: on SQLite waiting for the writer (the batch is
// formed once it has it), on PostgreSQL at the INSERT, after forming the
// batch of the n-th request.
func WaitBlocked(tb testing.TB, db *DB, n int64) {
	tb.Helper()
	WaitStarted(tb, db, n)
	if db.dialect == Postgres {
		waitFor(tb, fmt.Sprintf("request %d in a batch", n), func() bool { return db.group.taken.Load() == n })
	}
}

// WaitStarted waits until n batches in all have begun.
func WaitStarted(tb testing.TB, db *DB, n int64) {
	tb.Helper()
	waitFor(tb, fmt.Sprintf("batch %d begun", n), func() bool { return db.group.started.Load() == n })
}

func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	for range 2000 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	tb.Fatalf("waited in vain for: %s", what)
}

// HoldAuditWrites keeps the audit_events table from being written until
// the returned function is called: on SQLite by holding the store's one
// writer connection in a transaction, on PostgreSQL by locking the table.
func HoldAuditWrites(tb testing.TB, db *DB) (release func()) {
	tb.Helper()
	tx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	if db.dialect == Postgres {
		if _, err := tx.Exec(`LOCK TABLE audit_events IN EXCLUSIVE MODE`); err != nil {
			tb.Fatal(err)
		}
	}
	var once sync.Once
	release = func() { once.Do(func() { _ = tx.Rollback() }) }
	tb.Cleanup(release)
	return release
}

// ExecWrite runs a statement on the store's writer (test set-up).
func ExecWrite(tb testing.TB, db *DB, query string) {
	tb.Helper()
	if _, err := db.write.Exec(query); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}

// TokenUseWrites waits for the background records of token use and
// returns how many were issued.
func TokenUseWrites(db *DB) int64 {
	db.tokenUse.wg.Wait()
	return db.tokenUse.writes.Load()
}

// ReferralReadPoolOneTx reads on the read pool like Referral, then writes
// the event in a write transaction of its own (no group commit).
func ReferralReadPoolOneTx(ctx context.Context, db *DB, a account.Actor, id int64) (r referral.Referral, err error) {
	t, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return r, err
	}
	tx := &Tx{Tx: t, db: db, now: db.Now().UTC()}
	r, err = db.loadReferral(ctx, tx, a, id)
	t.Rollback()
	if err != nil {
		return r, err
	}
	return r, RecordReadsOneTx(ctx, db, referralAudit(a, auditReferralRead, purposeFollowUp, r))
}

// HoldWriterFor runs a write transaction that holds the writer for d
// without using the CPU: a stand-in for a long import.
func HoldWriterFor(ctx context.Context, db *DB, d time.Duration) error {
	return db.inTx(ctx, func(tx *Tx) error {
		time.Sleep(d)
		return nil
	})
}
