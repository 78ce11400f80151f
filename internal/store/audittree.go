package store

// The upper levels of the audit log's tree, kept in memory for proofs.
//
// A proof of one leaf in a tree of ten million reads about 30 stored
// hashes: a sibling at each of the ~24 levels and the tree's right edge.
// The siblings of the upper levels lie far apart in audit_tree (stored
// hashes are numbered in the order they were appended), so on PostgreSQL,
// once the table (1.4 GB at 10M leaves) outgrows shared_buffers, each one
// costs an index page and a heap page read from outside it
// (BENCHMARKS.md, "inclusion proofs at 10M events on PostgreSQL").
//
// A stored hash is the hash of a complete subtree: it is written once and
// never changes, so a copy in memory can never be stale, on any number
// of instances. The cache holds every stored hash of the levels from low
// up, for a tree of the size a proof asks about; low is the lowest level
// whose hashes, with those above it, fit in maxHashes. A proof then reads
// only its lowest levels from the database, which lie close together (the
// subtree of 2^low leaves around the leaf), in one query that also brings
// the cache up to the tree's size when it grew.

import (
	"context"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"kansrijk/internal/apperr"
)

// defaultTreeCacheHashes bounds the cache: 65,536 hashes, 2 MiB. At 10M
// leaves it holds the levels from 9 up (39,000 hashes); each tenfold
// growth of the log moves the lowest cached level up by about three.
const defaultTreeCacheHashes = 1 << 16

// treeCache holds the stored hashes of levels low and up, each level's
// from k = 0 on without gaps.
type treeCache struct {
	mu        sync.RWMutex
	maxHashes int64 // 0: defaultTreeCacheHashes
	filled    bool  // low is set
	low       int
	levels    [64][]tlog.Hash // levels[l][k] is tlog.StoredHashIndex(l, k)
}

// lowLevel is the lowest level cached for a tree of size leaves: the
// hashes of all levels from it up number at most max.
func lowLevel(size, max int64) int {
	var total int64
	for l := 63; l >= 0; l-- {
		total += size >> l
		if total > max {
			return l + 1
		}
	}
	return 0
}

// inlineTopUp is the most upper hashes a proof reads to bring the cache
// up to its tree's size, in its own query: the growth of a few minutes. A
// larger gap (the first proof, or a tree that grew by millions) is left to
// WarmAuditProofs, and the proof reads its own hashes meanwhile.
const inlineTopUp = 256

// AuditProofReader reads the stored hashes of the audit log's tree of size
// leaves for proofs in it: the upper levels from memory (see treeCache),
// the others from the database in one query, which also adds to the
// cache the upper hashes the tree gained since, when they are few.
func (db *DB) AuditProofReader(ctx context.Context, size int64) tlog.HashReader {
	return &proofReader{db: hashReader{ctx: ctx, q: db.read, d: db.dialect}, c: &db.treeCache, size: size}
}

// WarmAuditProofs loads into memory the upper levels of the audit log's
// tree of size leaves that the cache lacks: all of them the first time
// (about 39,000 hashes at ten million leaves, each a random page of
// audit_tree: seconds when none is cached), the new ones afterwards.
// `kansrijk serve` calls it from the audit log's runner, so that no
// request waits for it.
func (db *DB) WarmAuditProofs(ctx context.Context, size int64) (err error) {
	defer apperr.Wrap(&err, "store.WarmAuditProofs")
	c := &db.treeCache
	low, top := c.plan(size, -1)
	if len(top) == 0 {
		return nil
	}
	hs, err := hashReader{ctx: ctx, q: db.read, d: db.dialect}.ReadHashes(top)
	if err != nil {
		return err
	}
	c.add(low, top, hs)
	return nil
}

type proofReader struct {
	db   hashReader
	c    *treeCache
	size int64
}

func (r *proofReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	c := r.c
	out := make([]tlog.Hash, len(indexes))
	low, top := c.plan(r.size, inlineTopUp)
	var fetch []int64 // from the database: what the cache lacks
	var missing []int // positions in out of hashes to fetch
	c.mu.RLock()
	for i, x := range indexes {
		l, k := tlog.SplitStoredHashIndex(x)
		if c.filled && l >= c.low && k < int64(len(c.levels[l])) {
			out[i] = c.levels[l][k]
			continue
		}
		missing = append(missing, i)
		fetch = append(fetch, x)
	}
	c.mu.RUnlock()
	if len(fetch) == 0 {
		return out, nil
	}
	// A proof that reads the database anyway brings the cache up to date
	// in the same query.
	lead := len(fetch)
	fetch = append(fetch, top...)
	hs, err := r.db.ReadHashes(fetch)
	if err != nil {
		return nil, err
	}
	for j, i := range missing {
		out[i] = hs[j]
	}
	if len(top) > 0 {
		c.add(low, fetch[lead:], hs[lead:])
	}
	return out, nil
}

// plan returns the lowest level to cache for a tree of size leaves and
// the indexes of the hashes of that tree the cache lacks, level by level;
// none when they are more than limit (limit < 0: no limit).
func (c *treeCache) plan(size int64, limit int) (low int, top []int64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	max := c.maxHashes
	if max == 0 {
		max = defaultTreeCacheHashes
	}
	low = lowLevel(size, max)
	if c.filled && c.low > low {
		// A tree older and smaller than one the cache has served: keep
		// the levels of the larger one.
		low = c.low
	}
	for l := low; l < 64 && size>>l > 0; l++ {
		have := int64(0)
		if c.filled && l >= c.low {
			have = int64(len(c.levels[l]))
		}
		for k := have; k < size>>l; k++ {
			if limit >= 0 && len(top) >= limit {
				return low, nil
			}
			top = append(top, tlog.StoredHashIndex(l, k))
		}
	}
	return low, top
}

// add stores the hashes at indexes (levels low and up, each level's in k
// order) that extend the cache without a gap, and drops the levels below
// low.
func (c *treeCache) add(low int, indexes []int64, hs []tlog.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.filled && low < c.low {
		// Another proof already moved the cache up: a smaller tree's
		// levels would break the bound.
		return
	}
	for l := 0; l < low; l++ {
		c.levels[l] = nil
	}
	c.low, c.filled = low, true
	for j, x := range indexes {
		l, k := tlog.SplitStoredHashIndex(x)
		if k == int64(len(c.levels[l])) {
			c.levels[l] = append(c.levels[l], hs[j])
		}
	}
}
