package auditlog

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// frontier is the right edge of a tree of n leaves: the hashes of its
// complete subtrees, largest (leftmost) first. It appends leaves in
// O(log n) memory, which lets the sequencer append a batch and the
// verifier recompute a tree of millions of leaves without holding it.
type frontier struct {
	n     int64
	stack []tlog.Hash
}

// loadFrontier reads the frontier of a tree of size n from its stored
// hashes.
func loadFrontier(n int64, r tlog.HashReader) (*frontier, error) {
	f := &frontier{n: n}
	var idx []int64
	for level := 63; level >= 0; level-- {
		if n>>level&1 == 1 {
			idx = append(idx, tlog.StoredHashIndex(level, n>>level-1))
		}
	}
	if len(idx) == 0 {
		return f, nil
	}
	hs, err := r.ReadHashes(idx)
	if err != nil {
		return nil, fmt.Errorf("read the tree's right edge at size %d: %w", n, err)
	}
	f.stack = hs
	return f, nil
}

// append adds a leaf hash and returns the hashes the tree stores for it:
// those of tlog.StoredHashes, from tlog.StoredHashIndex(0, n) on.
func (f *frontier) append(leaf tlog.Hash) []tlog.Hash {
	return f.appendTo(nil, leaf)
}

// appendTo is append with the hashes appended to out.
func (f *frontier) appendTo(out []tlog.Hash, leaf tlog.Hash) []tlog.Hash {
	out = append(out, leaf)
	h := leaf
	for level := 0; f.n>>level&1 == 1; level++ {
		h = tlog.NodeHash(f.stack[len(f.stack)-1], h)
		f.stack = f.stack[:len(f.stack)-1]
		out = append(out, h)
	}
	f.stack = append(f.stack, h)
	f.n++
	return out
}

// root returns the tree hash (RFC 6962) of the f.n leaves.
func (f *frontier) root() tlog.Hash {
	if len(f.stack) == 0 {
		return tlog.Hash{} // tlog.TreeHash(0, …) is the zero hash too
	}
	r := f.stack[len(f.stack)-1]
	for i := len(f.stack) - 2; i >= 0; i-- {
		r = tlog.NodeHash(f.stack[i], r)
	}
	return r
}
