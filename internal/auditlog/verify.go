package auditlog

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"kansrijk/internal/store"
)

// LateTolerance is how much older than a checkpoint an event may be that
// entered the tree after that checkpoint was signed. An event enters the
// tree when its transaction commits, within a second or so, and is dated
// at the transaction's start: only a long transaction or clock skew makes
// it older than a checkpoint that does not include it. An event dated much
// earlier was put into audit_events after the fact.
const LateTolerance = 10 * time.Minute

// Problem kinds reported by Verify.
const (
	ProblemSignature     = "checkpoint_signature" // a checkpoint's signature does not verify
	ProblemCheckpoint    = "checkpoint_mismatch"  // a checkpoint's columns, size or root do not match
	ProblemLeafMissing   = "leaf_missing"         // a leaf index is missing from audit_leaves
	ProblemEventMissing  = "event_missing"        // a leaf's event is gone from audit_events
	ProblemEventChanged  = "event_changed"        // an event differs from its leaf (edited or reordered)
	ProblemTreeChanged   = "tree_changed"         // a stored interior hash differs from the recomputed one
	ProblemEventInserted = "event_inserted"       // an event is not in the log, or was put in after the fact
)

// Problem is the first mismatch Verify found.
type Problem struct {
	Kind         string
	LeafIndex    int64 // -1 when not about a leaf
	EventID      int64 // 0 when not about an event
	CheckpointID int64 // 0 when not about a checkpoint
	Message      string
}

func (p *Problem) Error() string { return p.Message }

// Report is the result of Verify.
type Report struct {
	Size        int64 // leaves checked
	Checkpoints int   // checkpoints checked
	Problem     *Problem
}

// OK reports whether nothing was found.
func (r Report) OK() bool { return r.Problem == nil }

// Verify recomputes the tree from the events and checks everything the
// store holds about the log: every checkpoint's signature (with the
// configured verifier key), that its stored columns match its note, that
// its root equals the root recomputed at its size (which also proves all
// checkpoints consistent with each other and with the events), that every
// stored hash equals the recomputed one, that no leaf or leaf's event is
// missing, and that no event is outside the log or was put in after the
// fact. It stops at the first mismatch and describes it in the Report;
// an error is returned only when the check itself could not run.
// progress, when not nil, is called now and then with leaves done and
// the total.
func (l *Log) Verify(ctx context.Context, progress func(done, total int64)) (Report, error) {
	var rep Report
	if l.verifier == nil {
		return rep, errors.New("no verifier key: set KANSRIJK_AUDIT_KEY or KANSRIJK_AUDIT_KEY_FILE, or give the verifier key")
	}
	size, err := l.db.AuditTreeSize(ctx)
	if err != nil {
		return rep, err
	}
	rep.Size = size
	cps, err := l.db.AuditCheckpoints(ctx)
	if err != nil {
		return rep, err
	}
	rep.Checkpoints = len(cps)
	// Signatures and stored columns first: a checkpoint that does not
	// verify is worthless as a reference.
	bySize := map[int64][]checked{}
	var sizes []int64
	for _, sc := range cps {
		c, err := openCheckpoint([]byte(sc.Note), l.verifier)
		if err != nil {
			rep.Problem = &Problem{Kind: ProblemSignature, LeafIndex: -1, CheckpointID: sc.ID,
				Message: fmt.Sprintf("checkpoint %d (size %d): the signature does not verify with the verifier key %s: %v", sc.ID, sc.Size, l.vkey, err)}
			return rep, nil
		}
		root := base64.StdEncoding.EncodeToString(c.Root[:])
		switch {
		case c.Origin != l.origin:
			rep.Problem = &Problem{Kind: ProblemCheckpoint, LeafIndex: -1, CheckpointID: sc.ID,
				Message: fmt.Sprintf("checkpoint %d: origin %q, want %q", sc.ID, c.Origin, l.origin)}
		case c.Size != sc.Size || root != sc.Root:
			rep.Problem = &Problem{Kind: ProblemCheckpoint, LeafIndex: -1, CheckpointID: sc.ID,
				Message: fmt.Sprintf("checkpoint %d: the stored size/root (%d, %s) differ from its signed note (%d, %s)", sc.ID, sc.Size, sc.Root, c.Size, root)}
		case c.Size > size:
			rep.Problem = &Problem{Kind: ProblemCheckpoint, LeafIndex: -1, CheckpointID: sc.ID,
				Message: fmt.Sprintf("checkpoint %d signs %d leaves but the log has only %d: leaves were removed (or the audit tables truncated)", sc.ID, c.Size, size)}
		}
		if rep.Problem != nil {
			return rep, nil
		}
		if _, ok := bySize[c.Size]; !ok {
			sizes = append(sizes, c.Size)
		}
		bySize[c.Size] = append(bySize[c.Size], checked{id: sc.ID, root: c.Root, at: c.Time})
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	// signedBefore: the latest time of a checkpoint that leaf next is not
	// under (size ≤ next); next, the checkpoint of that time.
	var signedBefore time.Time
	var signedBeforeID int64
	sizeAt := 0
	advance := func(next int64) {
		for sizeAt < len(sizes) && sizes[sizeAt] <= next {
			for _, c := range bySize[sizes[sizeAt]] {
				if c.at.After(signedBefore) {
					signedBefore, signedBeforeID = c.at, c.id
				}
			}
			sizeAt++
		}
	}

	// The stored hashes, read alongside the leaves in index order.
	hashes := make(chan storedHash, 4096)
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	herr := make(chan error, 1)
	go func() {
		defer close(hashes)
		herr <- l.db.ScanAuditTree(hctx, tlog.StoredHashIndex(0, size), func(idx int64, h tlog.Hash) error {
			select {
			case hashes <- storedHash{idx, h}:
				return nil
			case <-hctx.Done():
				return hctx.Err()
			}
		})
	}()
	nextStored := func(want int64) (tlog.Hash, bool) {
		s, ok := <-hashes
		if !ok || s.idx != want {
			return tlog.Hash{}, false
		}
		return s.h, true
	}

	f := &frontier{}
	next := int64(0)
	errStop := errors.New("stop")
	err = l.scanLeafHashes(hctx, size, func(lr store.AuditLeafRow, leaf tlog.Hash) error {
		i := next
		if lr.Index != i {
			rep.Problem = &Problem{Kind: ProblemLeafMissing, LeafIndex: i,
				Message: fmt.Sprintf("leaf %d is missing from the log (the next leaf is %d)", i, lr.Index)}
			return errStop
		}
		if lr.Record == nil {
			rep.Problem = &Problem{Kind: ProblemEventMissing, LeafIndex: i, EventID: lr.EventID,
				Message: fmt.Sprintf("leaf %d: event %d is missing from audit_events (deleted, or the table truncated)", i, lr.EventID)}
			return errStop
		}
		ev := &lr.Record.Event
		computed := f.append(leaf)
		first := tlog.StoredHashIndex(0, i)
		for k, h := range computed {
			stored, ok := nextStored(first + int64(k))
			switch {
			case ok && stored == h:
				continue
			case k == 0:
				rep.Problem = &Problem{Kind: ProblemEventChanged, LeafIndex: i, EventID: ev.ID,
					Message: fmt.Sprintf("leaf %d: event %d does not match the record logged at this leaf (the event was changed, or leaves reordered)", i, ev.ID)}
			default:
				rep.Problem = &Problem{Kind: ProblemTreeChanged, LeafIndex: i, EventID: ev.ID,
					Message: fmt.Sprintf("leaf %d (event %d): the stored tree hash %d differs from the one recomputed from the events", i, ev.ID, first+int64(k))}
			}
			return errStop
		}
		advance(i)
		if !signedBefore.IsZero() && ev.At.Before(signedBefore.Add(-LateTolerance)) {
			rep.Problem = &Problem{Kind: ProblemEventInserted, LeafIndex: i, EventID: ev.ID,
				Message: fmt.Sprintf("leaf %d: event %d is dated %s, more than %s before checkpoint %d (%s) that does not include it: it was put into audit_events after the fact",
					i, ev.ID, ev.At.Format(time.RFC3339), LateTolerance, signedBeforeID, signedBefore.Format(time.RFC3339))}
			return errStop
		}
		next++
		for _, c := range bySize[next] {
			if c.root != f.root() {
				rep.Problem = &Problem{Kind: ProblemCheckpoint, LeafIndex: -1, CheckpointID: c.id,
					Message: fmt.Sprintf("checkpoint %d (size %d): its signed root differs from the root recomputed from the events: the log was rewritten before leaf %d", c.id, next, next)}
				return errStop
			}
		}
		if progress != nil && next%10000 == 0 {
			progress(next, size)
		}
		return nil
	})
	cancel()
	for range hashes { // let the reader finish
	}
	// Cancelled once every leaf is read, the tree's reader may see its
	// read-only transaction end (PostgreSQL) before it commits: not an
	// error of the check.
	if hr := <-herr; err == nil && hr != nil && !errors.Is(hr, context.Canceled) && (!errors.Is(hr, sql.ErrTxDone) || ctx.Err() != nil) {
		return rep, hr
	}
	if err != nil && !errors.Is(err, errStop) {
		return rep, err
	}
	if rep.Problem != nil {
		return rep, nil
	}
	if next != size {
		rep.Problem = &Problem{Kind: ProblemLeafMissing, LeafIndex: next, Message: fmt.Sprintf("leaf %d is missing from the log", next)}
		return rep, nil
	}
	if progress != nil {
		progress(size, size)
	}
	ids, err := l.db.UnloggedAuditEvents(ctx, 1)
	if err != nil {
		return rep, err
	}
	if len(ids) > 0 {
		rep.Problem = &Problem{Kind: ProblemEventInserted, LeafIndex: -1, EventID: ids[0],
			Message: fmt.Sprintf("event %d is in audit_events but neither in the log nor waiting for it: it was put in behind the application's back", ids[0])}
	}
	return rep, nil
}

type checked struct {
	id   int64
	root tlog.Hash
	at   time.Time
}

type storedHash struct {
	idx int64
	h   tlog.Hash
}

// leafBatch is a run of consecutive leaves read from the store, with the
// leaf hashes of their events once a worker has computed them.
type leafBatch struct {
	rows   []store.AuditLeafRow
	leaves []tlog.Hash
	done   chan struct{}
}

// leafBatchSize is the number of leaves a hashing worker takes at once.
const leafBatchSize = 512

// scanLeafHashes calls fn for every leaf below size in leaf order (as
// store.ScanAuditLeaves does) with the leaf hash of its event (the zero
// hash for a leaf whose event is gone). The store is read by one
// goroutine, the records are encoded and hashed in batches by one worker
// per CPU, and fn runs on the caller's goroutine, in order. It stops at
// fn's first error and returns it.
func (l *Log) scanLeafHashes(parent context.Context, size int64, fn func(store.AuditLeafRow, tlog.Hash) error) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	workers := max(1, runtime.GOMAXPROCS(0))
	todo := make(chan *leafBatch, workers*2)
	ordered := make(chan *leafBatch, workers*4)
	rerr := make(chan error, 1)
	go func() {
		defer close(todo)
		defer close(ordered)
		b := &leafBatch{done: make(chan struct{})}
		send := func() error {
			for _, ch := range []chan *leafBatch{ordered, todo} {
				select {
				case ch <- b:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			b = &leafBatch{done: make(chan struct{}), rows: make([]store.AuditLeafRow, 0, leafBatchSize)}
			return nil
		}
		err := l.db.ScanAuditLeaves(ctx, size, func(lr store.AuditLeafRow) error {
			b.rows = append(b.rows, lr)
			if len(b.rows) == leafBatchSize {
				return send()
			}
			return nil
		})
		if err == nil && len(b.rows) > 0 {
			err = send()
		}
		rerr <- err
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			buf := make([]byte, 0, 512)
			for b := range todo {
				b.leaves = make([]tlog.Hash, len(b.rows))
				for i := range b.rows {
					if r := b.rows[i].Record; r != nil {
						buf = appendRecord(buf[:0], r.Event, r.Salt)
						b.leaves[i] = tlog.RecordHash(buf)
					}
				}
				close(b.done)
			}
		})
	}
	var err error
consume:
	for b := range ordered {
		select {
		case <-b.done:
		case <-ctx.Done():
			break consume // the batch may never be hashed
		}
		for i := range b.rows {
			if err = fn(b.rows[i], b.leaves[i]); err != nil {
				break consume
			}
		}
	}
	cancel()
	for range ordered { // let the reader finish
	}
	wg.Wait()
	rdErr := <-rerr
	if err != nil {
		return err
	}
	if rdErr != nil && !errors.Is(rdErr, context.Canceled) {
		return rdErr
	}
	return parent.Err()
}

// VerifyAndRecord runs Verify and stores its result (the daily job does).
func (l *Log) VerifyAndRecord(ctx context.Context, progress func(done, total int64)) (Report, error) {
	rep, err := l.Verify(ctx, progress)
	if serr := l.RecordVerification(ctx, rep, err); serr != nil {
		return rep, errors.Join(err, serr)
	}
	return rep, err
}

// RecordVerification stores the result of a Verify (its report and error).
func (l *Log) RecordVerification(ctx context.Context, rep Report, verr error) error {
	v := store.AuditVerification{At: l.now().UTC(), OK: verr == nil && rep.OK(), Size: rep.Size}
	switch {
	case verr != nil:
		v.Message = "verification could not run: " + verr.Error()
	case rep.Problem != nil:
		v.Message = rep.Problem.Message
	default:
		v.Message = fmt.Sprintf("%d events and %d checkpoints verified", rep.Size, rep.Checkpoints)
	}
	return l.db.AddAuditVerification(context.WithoutCancel(ctx), v)
}
