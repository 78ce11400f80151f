package store_test

// BenchmarkAuditProofLarge measures inclusion proofs on a tree of ten
// million leaves without generating ten million audit events (which takes
// the harness about 40 minutes on PostgreSQL). It fills audit_tree
// directly, with the hashes the sequencer would store for synthetic leaves
// (a consistent tree: every proof is checked against its root), once per
// database, and then proves random leaves through the store's hash reader.
//
//	createdb -h 127.0.0.1 -U postgres kr_pgproof
//	KANSRIJK_BENCH_PROOF_DSN=postgres://postgres@127.0.0.1:5432/kr_pgproof?sslmode=disable \
//	  go test ./internal/store -run '^$' -bench AuditProofLarge -benchtime 200x -timeout 1h
//
// The database must be one of your own: the benchmark only adds to
// audit_tree, and refuses a tree that is not its own synthetic one.
// KANSRIJK_BENCH_PROOF_LEAVES sets the size (default 10,000,000); a
// SQLite path works too. The table is ~1.4 GB at 10M leaves on
// PostgreSQL, far more than a stock shared_buffers (128 MB), so random
// proofs read mostly uncached pages, as on a server whose log grew large.

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/mod/sumdb/tlog"

	"kansrijk/internal/store"
)

func BenchmarkAuditProofLarge(b *testing.B) {
	dsn := os.Getenv("KANSRIJK_BENCH_PROOF_DSN")
	if dsn == "" {
		b.Skip("set KANSRIJK_BENCH_PROOF_DSN to a database of your own")
	}
	n := int64(10_000_000)
	if s := os.Getenv("KANSRIJK_BENCH_PROOF_LEAVES"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 2 {
			b.Fatalf("KANSRIJK_BENCH_PROOF_LEAVES=%q", s)
		}
		n = v
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	root := mustSyntheticTree(b, ctx, db, dsn, n)
	// KANSRIJK_BENCH_PROOF_CACHE=off reads every hash from the database
	// (AuditHashReader, the proofs' reader before the cache); a number
	// bounds the cache to that many hashes.
	reader := db.AuditProofReader
	cache := os.Getenv("KANSRIJK_BENCH_PROOF_CACHE")
	switch cache {
	case "":
	case "off":
		reader = func(ctx context.Context, _ int64) tlog.HashReader { return db.AuditHashReader(ctx) }
	default:
		v, err := strconv.ParseInt(cache, 10, 64)
		if err != nil {
			b.Fatalf("KANSRIJK_BENCH_PROOF_CACHE=%q", cache)
		}
		store.SetAuditTreeCache(db, v)
	}
	var warm time.Duration
	if cache != "off" {
		// What serve's audit log runner does at start and after each
		// checkpoint.
		t := time.Now()
		if err := db.WarmAuditProofs(ctx, n); err != nil {
			b.Fatal(err)
		}
		warm = time.Since(t)
	}

	prove := func(i int64) time.Duration {
		t := time.Now()
		p, err := tlog.ProveRecord(n, i, reader(ctx, n))
		d := time.Since(t)
		if err != nil {
			b.Fatal(err)
		}
		if err := tlog.CheckRecord(p, n, root, i, syntheticLeaf(i)); err != nil {
			b.Fatalf("proof of leaf %d: %v", i, err)
		}
		return d
	}
	// The first proof is reported on its own (the first statement of a
	// connection, the first pages of the tree read).
	first := prove(rand.Int64N(n))
	if db.Dialect() == store.Postgres {
		// Let the counters of this and earlier connections settle (see
		// below).
		time.Sleep(2 * time.Second)
	}
	var ds []time.Duration
	blks0 := treeBlocks(b, ctx, db)
	for b.Loop() {
		ds = append(ds, prove(rand.Int64N(n)))
	}
	b.StopTimer()
	if db.Dialect() == store.Postgres {
		// Backends report their counters when idle, at most once a second.
		time.Sleep(2 * time.Second)
	}
	blks := treeBlocks(b, ctx, db)
	b.ReportMetric(float64(first.Microseconds())/1000, "first_ms")
	b.ReportMetric(float64(warm.Milliseconds()), "warm_ms")
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "median_ms")
	if db.Dialect() == store.Postgres {
		// Pages of audit_tree (heap and index) a proof found outside
		// shared_buffers, and those it found inside.
		b.ReportMetric(float64(blks.read-blks0.read)/float64(b.N), "blks_read/op")
		b.ReportMetric(float64(blks.hit-blks0.hit)/float64(b.N), "blks_hit/op")
	}
}

// syntheticLeaf is the record hash of leaf i of the synthetic tree.
func syntheticLeaf(i int64) tlog.Hash {
	return tlog.RecordHash([]byte("synthetic audit leaf " + strconv.FormatInt(i, 10)))
}

// mustSyntheticTree makes sure audit_tree holds the synthetic tree of n
// leaves (filling it if it is empty) and returns its root hash.
func mustSyntheticTree(tb testing.TB, ctx context.Context, db *store.DB, dsn string, n int64) tlog.Hash {
	tb.Helper()
	want := tlog.StoredHashCount(n)
	var have int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_tree`).Scan(&have); err != nil {
		tb.Fatal(err)
	}
	if have == 0 {
		start := time.Now()
		appendSyntheticLeaves(tb, ctx, db.Dialect(), dsn, &treeEdge{}, n)
		tb.Logf("filled audit_tree with %d hashes (%d leaves) in %s", want, n, time.Since(start).Round(time.Second))
		have = want
	}
	if have != want {
		tb.Fatalf("audit_tree holds %d hashes, the synthetic tree of %d leaves %d: use an empty database", have, n, want)
	}
	// The stored leaf hashes must be the synthetic ones, or the proofs
	// would check against a tree of someone else's.
	hs, err := db.AuditHashReader(ctx).ReadHashes([]int64{tlog.StoredHashIndex(0, 0), tlog.StoredHashIndex(0, n-1)})
	if err != nil {
		tb.Fatal(err)
	}
	if hs[0] != syntheticLeaf(0) || hs[1] != syntheticLeaf(n-1) {
		tb.Fatal("audit_tree is not the synthetic tree: use an empty database")
	}
	root, err := tlog.TreeHash(n, db.AuditHashReader(ctx))
	if err != nil {
		tb.Fatal(err)
	}
	return root
}

// appendSyntheticLeaves writes into audit_tree the stored hashes of the
// synthetic leaves from f.n up to n, computed as the sequencer computes
// them (f is the tree's right edge), in bulk: COPY on PostgreSQL, one
// transaction of prepared inserts on SQLite.
func appendSyntheticLeaves(tb testing.TB, ctx context.Context, d store.Dialect, dsn string, f *treeEdge, n int64) {
	tb.Helper()
	idx := tlog.StoredHashIndex(0, f.n)
	var buf []tlog.Hash
	// next returns the stored hashes of the next leaf, in index order.
	next := func() []tlog.Hash {
		buf = f.append(buf[:0], syntheticLeaf(f.n))
		return buf
	}
	switch d {
	case store.Postgres:
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			tb.Fatal(err)
		}
		defer conn.Close(ctx)
		var pending []tlog.Hash
		src := pgx.CopyFromFunc(func() ([]any, error) {
			for len(pending) == 0 {
				if f.n == n {
					return nil, nil
				}
				pending = next()
			}
			h := pending[0]
			pending = pending[1:]
			idx++
			return []any{idx - 1, h[:]}, nil
		})
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"audit_tree"}, []string{"idx", "hash"}, src); err != nil {
			tb.Fatal(err)
		}
		// What autovacuum would do after the inserts, done now so that
		// every run starts from the same state.
		if _, err := conn.Exec(ctx, `VACUUM ANALYZE audit_tree`); err != nil {
			tb.Fatal(err)
		}
	case store.SQLite:
		_, path, _ := store.ParseDSN(dsn)
		sdb, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			tb.Fatal(err)
		}
		defer sdb.Close()
		tx, err := sdb.BeginTx(ctx, nil)
		if err != nil {
			tb.Fatal(err)
		}
		defer tx.Rollback()
		st, err := tx.PrepareContext(ctx, `INSERT INTO audit_tree (idx, hash) VALUES (?, ?)`)
		if err != nil {
			tb.Fatal(err)
		}
		for f.n < n {
			for _, h := range next() {
				if _, err := st.ExecContext(ctx, idx, h[:]); err != nil {
					tb.Fatal(err)
				}
				idx++
			}
		}
		if err := tx.Commit(); err != nil {
			tb.Fatal(err)
		}
	default:
		tb.Fatalf("dialect %q", d)
	}
}

// treeEdge is the right edge of a tree being built leaf by leaf (the
// hashes of its complete subtrees, leftmost first).
type treeEdge struct {
	n     int64
	stack []tlog.Hash
}

// append appends to out the hashes tlog stores for the next leaf.
func (f *treeEdge) append(out []tlog.Hash, leaf tlog.Hash) []tlog.Hash {
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

type blocks struct{ read, hit int64 }

// treeBlocks reads PostgreSQL's counters of audit_tree's pages read from
// outside shared_buffers and found in it (heap and indexes).
func treeBlocks(tb testing.TB, ctx context.Context, db *store.DB) blocks {
	tb.Helper()
	var bl blocks
	if db.Dialect() != store.Postgres {
		return bl
	}
	// The statistics collector's snapshot is per transaction; outside one
	// each query sees the current counters.
	err := db.SQL().QueryRowContext(ctx, `SELECT COALESCE(heap_blks_read,0)+COALESCE(idx_blks_read,0), COALESCE(heap_blks_hit,0)+COALESCE(idx_blks_hit,0)
		FROM pg_statio_user_tables WHERE relname = 'audit_tree'`).Scan(&bl.read, &bl.hit)
	if err != nil {
		tb.Fatal(err)
	}
	return bl
}

// root returns the tree hash of the f.n leaves.
func (f *treeEdge) root() tlog.Hash {
	if len(f.stack) == 0 {
		return tlog.Hash{}
	}
	r := f.stack[len(f.stack)-1]
	for i := len(f.stack) - 2; i >= 0; i-- {
		r = tlog.NodeHash(f.stack[i], r)
	}
	return r
}
