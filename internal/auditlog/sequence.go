package auditlog

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"kansrijk/internal/apperr"
	"kansrijk/internal/store"
)

// BatchSize is the number of events the sequencer appends in one
// transaction.
const BatchSize = 1000

// Sequence appends every pending event (committed, not yet in the tree)
// to the tree, in batches, and returns how many it appended. It runs after
// the events' transactions, never in them: how events are committed does
// not matter to it.
func (l *Log) Sequence(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := l.db.SequenceAudit(ctx, BatchSize, hashBatch)
		total += n
		if err != nil || n < BatchSize {
			return total, err
		}
	}
}

// hashBatch computes the stored hashes of records appended at size.
func hashBatch(size int64, recs []store.AuditRecord, r tlog.HashReader) ([]tlog.Hash, error) {
	f, err := loadFrontier(size, r)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, 0, 2*len(recs)+1)
	for _, rec := range recs {
		out = append(out, f.append(LeafHash(rec.Event, rec.Salt))...)
	}
	return out, nil
}

// ErrNoKey is returned when a checkpoint must be signed without a key.
var ErrNoKey = errors.New("the audit log has no signing key")

// Sign signs and stores a checkpoint of the current tree if it grew since
// the latest checkpoint (or none exists and the tree is not empty). It
// reports whether it stored one.
func (l *Log) Sign(ctx context.Context) (Checkpoint, bool, error) {
	if l.signer == nil {
		return Checkpoint{}, false, ErrNoKey
	}
	size, err := l.db.AuditTreeSize(ctx)
	if err != nil {
		return Checkpoint{}, false, err
	}
	last, err := l.db.LatestAuditCheckpoint(ctx)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Checkpoint{}, false, err
	}
	if size == 0 || (err == nil && last.Size >= size) {
		return Checkpoint{}, false, nil
	}
	root, err := tlog.TreeHash(size, l.db.AuditProofReader(ctx, size))
	if err != nil {
		return Checkpoint{}, false, err
	}
	now := l.now().UTC().Truncate(time.Second)
	msg, err := note.Sign(&note.Note{Text: checkpointBody(l.origin, size, root, now)}, l.signer)
	if err != nil {
		return Checkpoint{}, false, err
	}
	if err := l.db.AddAuditCheckpoint(ctx, store.AuditCheckpoint{Size: size, Root: base64.StdEncoding.EncodeToString(root[:]), At: now, Note: string(msg)}); err != nil {
		return Checkpoint{}, false, err
	}
	return Checkpoint{Origin: l.origin, Size: size, Root: root, Time: now, Note: string(msg)}, true, nil
}

// Runner runs the log's background work in `kansrijk serve`: sequencing
// every SequenceEvery, a signed checkpoint every CheckpointEvery when the
// tree grew, and a last sequence and checkpoint at shutdown.
type Runner struct {
	Log             *Log
	SequenceEvery   time.Duration // default 1 s
	CheckpointEvery time.Duration // default 1 min
}

// Start starts the runner; stop ends it, sequencing and signing one last
// time, and waits.
func (r *Runner) Start(ctx context.Context) (stop func()) {
	seqEvery, cpEvery := r.SequenceEvery, r.CheckpointEvery
	if seqEvery <= 0 {
		seqEvery = time.Second
	}
	if cpEvery <= 0 {
		cpEvery = time.Minute
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		seq := time.NewTicker(seqEvery)
		defer seq.Stop()
		cp := time.NewTicker(cpEvery)
		defer cp.Stop()
		// The first proofs after a start should not wait for the first
		// checkpoint's warm-up.
		r.warm(ctx)
		for {
			select {
			case <-ctx.Done():
				return
			case <-seq.C:
				if _, err := r.Log.Sequence(ctx); err != nil && ctx.Err() == nil {
					slog.Error("audit log: sequencing", "error", err)
				}
			case <-cp.C:
				r.checkpoint(ctx)
				r.warm(ctx)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			// At shutdown: whatever was committed goes into the tree and
			// under a signed checkpoint.
			sctx, done := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer done()
			if _, err := r.Log.Sequence(sctx); err != nil {
				slog.Error("audit log: sequencing at shutdown", "error", err)
			}
			r.checkpoint(sctx)
		})
	}
}

func (r *Runner) checkpoint(ctx context.Context) {
	if _, err := r.Log.Sequence(ctx); err != nil && ctx.Err() == nil {
		slog.Error("audit log: sequencing", "error", err)
	}
	c, made, err := r.Log.Sign(ctx)
	if err != nil {
		if ctx.Err() == nil {
			slog.Error("audit log: signing a checkpoint", "error", err)
		}
		return
	}
	if made {
		slog.Debug("audit log checkpoint", "size", c.Size)
	}
}

// warm keeps the proofs' cache of the tree's upper levels up to the
// latest checkpoint, here rather than in a request (not at shutdown: no
// proof follows).
func (r *Runner) warm(ctx context.Context) {
	if err := r.Log.WarmProofs(ctx); err != nil && ctx.Err() == nil {
		slog.Error("audit log: loading the tree's upper levels for proofs", "error", err)
	}
}
