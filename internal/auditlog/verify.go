package auditlog

import (
	"context"
	"crypto/sha256"
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

	// The leaves and the stored hashes, read in chunks by several
	// workers, each chunk's records encoded and hashed by its worker;
	// checked here in leaf order.
	f := &frontier{}
	next := int64(0)
	// increasing: the leaves' event ids so far are strictly increasing,
	// hence distinct (the unlogged events can then be counted).
	increasing, lastEvent := true, int64(0)
	var computed []tlog.Hash
	errStop := errors.New("stop")
	err = l.scanChunks(ctx, size, func(vc *verifyChunk) error {
		ch := &vc.c
		for j := range ch.Leaves {
			lr := &ch.Leaves[j]
			i := next
			if lr.Index != i {
				rep.Problem = &Problem{Kind: ProblemLeafMissing, LeafIndex: i,
					Message: fmt.Sprintf("leaf %d is missing from the log (the next leaf is %d)", i, lr.Index)}
				return errStop
			}
			if !lr.Found {
				rep.Problem = &Problem{Kind: ProblemEventMissing, LeafIndex: i, EventID: lr.EventID,
					Message: fmt.Sprintf("leaf %d: event %d is missing from audit_events (deleted, or the table truncated)", i, lr.EventID)}
				return errStop
			}
			if lr.EventID <= lastEvent && i > 0 {
				increasing = false
			}
			lastEvent = lr.EventID
			ev := &lr.Record.Event
			computed = f.appendTo(computed[:0], vc.leaves[j])
			first := tlog.StoredHashIndex(0, i)
			for k, h := range computed {
				x := first + int64(k) - ch.HashFrom
				switch {
				case x >= 0 && x < int64(len(ch.Hashes)) && ch.Hashes[x] == h:
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
		}
		return nil
	})
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
	// Every leaf's event exists; when the leaves' events are distinct, a
	// count tells whether any event is outside the log, and only then
	// are the events read against the leaves to name the first.
	if increasing {
		n, err := l.db.CountUnloggedAuditEvents(ctx, size)
		if err != nil {
			return rep, err
		}
		if n == 0 {
			return rep, nil
		}
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

// verifyChunk is a chunk of the log as a worker read it, with the leaf
// hashes of its events (the zero hash for a leaf whose event is gone).
type verifyChunk struct {
	c      store.AuditChunk
	leaves []tlog.Hash
}

// chunkLeaves is the number of leaves a worker reads and hashes at once.
var chunkLeaves int64 = 4096

// verifyWorkers is the number of chunk readers: one per CPU, at least two
// (on PostgreSQL a reader waits for the server while another hashes).
func verifyWorkers() int { return max(2, runtime.GOMAXPROCS(0)) }

// scanChunks reads the leaves below size in chunks, worker w reading
// chunks w, w+W, w+2W, … on a connection of its own and hashing their
// records, and calls fn with every chunk in leaf order on the caller's
// goroutine. It stops at fn's first error and returns it.
func (l *Log) scanChunks(parent context.Context, size int64, fn func(*verifyChunk) error) error {
	if size <= 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	chunk := chunkLeaves
	n := (size + chunk - 1) / chunk
	workers := int(min(int64(verifyWorkers()), n))
	if limit := l.db.ReadConns(); limit > 0 {
		// Each reader holds a connection until its last chunk is taken:
		// leave one to the rest of the process, and never wait for a
		// connection another reader holds.
		workers = max(1, min(workers, limit-1))
	}
	const inFlight = 3 // chunks per worker: one being read, ones waiting to be checked
	outs := make([]chan *verifyChunk, workers)
	frees := make([]chan *verifyChunk, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		out, free := make(chan *verifyChunk, inFlight), make(chan *verifyChunk, inFlight)
		for range inFlight {
			free <- &verifyChunk{}
		}
		outs[w], frees[w] = out, free
		wg.Go(func() {
			defer close(out)
			errs[w] = l.db.AuditChunkReader(ctx, func(read func(*store.AuditChunk, int64, int64) error) error {
				buf := make([]byte, 0, 512)
				for j := int64(w); j < n; j += int64(workers) {
					var vc *verifyChunk
					select {
					case vc = <-free:
					case <-ctx.Done():
						return ctx.Err()
					}
					from := j * chunk
					if err := read(&vc.c, from, min(size, from+chunk)); err != nil {
						return err
					}
					vc.leaves = vc.leaves[:0]
					for i := range vc.c.Leaves {
						var h tlog.Hash
						if lr := &vc.c.Leaves[i]; lr.Found {
							buf = appendRecord(append(buf[:0], 0), &lr.Record.Event, lr.Record.Salt)
							h = sha256.Sum256(buf) // tlog.RecordHash: SHA-256(0x00 || record)
						}
						vc.leaves = append(vc.leaves, h)
					}
					select {
					case out <- vc:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				return nil
			})
		})
	}
	var err error
	for j := int64(0); j < n && err == nil; j++ {
		w := j % int64(workers)
		select {
		case vc, ok := <-outs[w]:
			if !ok {
				err = errWorkerStopped
				break
			}
			err = fn(vc)
			frees[w] <- vc
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	if err != nil {
		cancel()
	}
	wg.Wait()
	if err != nil && !errors.Is(err, errWorkerStopped) && !errors.Is(err, context.Canceled) {
		return err // fn's error
	}
	for _, werr := range errs {
		if werr != nil && !errors.Is(werr, context.Canceled) {
			return werr
		}
	}
	if perr := parent.Err(); perr != nil {
		return perr
	}
	return err
}

var errWorkerStopped = errors.New("a chunk reader stopped early")

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
