package store_test

import (
	"context"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestAuditProofReaderGrowing proves leaves through the cache of the
// tree's upper levels while the tree grows across powers of two, with the
// cache bounded to 64 hashes so that its lowest level moves up as it
// grows: every proof must check against the root of a tree computed
// apart from the database, for the current size and for older ones.
func TestAuditProofReaderGrowing(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, d)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			const max = 64
			store.SetAuditTreeCache(db, max)
			var edge treeEdge
			roots := map[int64]tlog.Hash{}
			sizes := []int64{1, 2, 3, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 1023, 1024, 1025, 2048, 2049}
			for step, size := range sizes {
				appendSyntheticLeaves(t, ctx, d, dsn, &edge, size)
				roots[size] = edge.root()
				if step%2 == 0 {
					// Half the sizes are warmed as serve's runner does; the
					// others are brought up to date by the proofs alone.
					if err := db.WarmAuditProofs(ctx, size); err != nil {
						t.Fatal(err)
					}
					low, n := store.AuditTreeCached(db)
					if n > max || n == 0 || size>>low == 0 || (low > 0 && upperCount(size, low-1) <= max) {
						t.Errorf("size %d: cache holds %d hashes from level %d, want the most levels within %d", size, n, low, max)
					}
				}
				leaves := []int64{0, size - 1, size / 2, size / 3}
				for _, p := range []int64{31, 32, 63, 64, 127, 128, 255, 256, 511, 512, 1023, 1024} {
					if p < size {
						leaves = append(leaves, p)
					}
				}
				for _, i := range leaves {
					p, err := tlog.ProveRecord(size, i, db.AuditProofReader(ctx, size))
					if err != nil {
						t.Fatalf("size %d leaf %d: %v", size, i, err)
					}
					if err := tlog.CheckRecord(p, size, roots[size], i, syntheticLeaf(i)); err != nil {
						t.Errorf("size %d leaf %d: %v", size, i, err)
					}
				}
				// Proofs in an older tree after the cache moved on, and
				// consistency proofs from it.
				for _, old := range sizes[:step+1] {
					i := old - 1
					p, err := tlog.ProveRecord(old, i, db.AuditProofReader(ctx, old))
					if err != nil {
						t.Fatalf("size %d leaf %d: %v", old, i, err)
					}
					if err := tlog.CheckRecord(p, old, roots[old], i, syntheticLeaf(i)); err != nil {
						t.Errorf("old size %d leaf %d (tree at %d): %v", old, i, size, err)
					}
					tp, err := tlog.ProveTree(size, old, db.AuditProofReader(ctx, size))
					if err != nil {
						t.Fatalf("consistency %d → %d: %v", old, size, err)
					}
					if err := tlog.CheckTree(tp, size, roots[size], old, roots[old]); err != nil {
						t.Errorf("consistency %d → %d: %v", old, size, err)
					}
				}
			}
			// A second handle on the same database (another instance)
			// whose tree grew behind its back.
			other, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			store.SetAuditTreeCache(other, max)
			if err := other.WarmAuditProofs(ctx, edge.n); err != nil {
				t.Fatal(err)
			}
			appendSyntheticLeaves(t, ctx, d, dsn, &edge, edge.n+300)
			size := edge.n
			for _, i := range []int64{0, size - 1, size - 300, 2047} {
				p, err := tlog.ProveRecord(size, i, other.AuditProofReader(ctx, size))
				if err != nil {
					t.Fatal(err)
				}
				if err := tlog.CheckRecord(p, size, edge.root(), i, syntheticLeaf(i)); err != nil {
					t.Errorf("other instance, size %d leaf %d: %v", size, i, err)
				}
			}
		})
	}
}

// upperCount is the number of stored hashes of levels low and up in a
// tree of size leaves.
func upperCount(size int64, low int) int64 {
	var n int64
	for l := low; l < 64; l++ {
		n += size >> l
	}
	return n
}
