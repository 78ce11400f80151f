package store_test

// Benchmarks of group commit (make bench, or go test -run '^$' -bench
// 'AuditedReads|RecordReads|TokenAuth' ./internal/store): audited reads (an OCMW worker opening a
// referral: the read plus its audit event) and token authentication, by
// 16 concurrent clients, with and without a clinic's batch imports
// running alongside, on both databases. Each is measured on the path
// before this change (baseline: one write transaction per read, an UPDATE
// of the token's last use at every request) and on the current one, in the
// same run; the "ratio" sub-benchmarks report current ÷ baseline.

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// benchClients is the number of concurrent clients of the read benchmarks.
const benchClients = 16

// loadRun is the outcome of one concurrent sub-benchmark.
type loadRun struct {
	n        int
	d        time.Duration
	p50, p99 time.Duration
}

func (r loadRun) perSecond() float64 { return float64(r.n) / r.d.Seconds() }

// concurrently runs op b.N times from benchClients goroutines and records
// throughput and latency percentiles in *out.
func concurrently(b *testing.B, out *loadRun, op func() error) {
	b.Helper()
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(max(1, benchClients/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			if err := op(); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(math.Ceil(p*float64(len(lat))))-1)]
	}
	*out = loadRun{n: b.N, d: b.Elapsed(), p50: pct(0.50), p99: pct(0.99)}
	b.ReportMetric(out.perSecond(), "ops/s")
	b.ReportMetric(float64(out.p50.Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(out.p99.Microseconds())/1000, "p99_ms")
}

// importLoad runs a clinic's batch imports of rows rows each, one after
// the other, until stop is called; it returns the rows imported.
func importLoad(b *testing.B, db *store.DB, next *int, rows int) (stop func() int) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var imported int
	files := make(chan []byte, 2)
	wg.Go(func() { // files are made outside the importer's loop
		defer close(files)
		for ctx.Err() == nil {
			f := birthBenchCSV(b, birthBenchRecords(*next, rows))
			*next += rows
			select {
			case files <- f:
			case <-ctx.Done():
				return
			}
		}
	})
	wg.Go(func() {
		for f := range files {
			if ctx.Err() != nil {
				return
			}
			rep, err := db.ImportBirthBatch(context.Background(), clinicZonnedal, f, false)
			if err != nil {
				b.Error(err)
				return
			}
			imported += rep.Created
		}
	})
	return func() int {
		cancel()
		wg.Wait()
		return imported
	}
}

// readWorld is a database with a team, an agreement in force, a clinic
// and referrals received by ocmw-13016, whose ids it returns.
func readWorld(b *testing.B, dialect store.Dialect) (*store.DB, []int64) {
	b.Helper()
	ctx := context.Background()
	db := storetest.Open(b, dialect)
	db.Now = func() time.Time { return birthBenchNow }
	benchWorld(b, db)
	benchActiveAgreement(b, db, "team-noord", "13016")
	if _, err := db.CreateClinic(ctx, admin, org.NewClinic{Key: clinicZonnedal.Org, Name: "Kraamkliniek Zonnedal"}); err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for range 50 {
		r, err := db.CreateReferral(ctx, teamWorker, newFamily())
		if err == nil {
			_, err = db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Informed: allInformed, Method: "verbal"})
		}
		if err == nil {
			_, err = db.Send(ctx, teamWorker, r.ID)
		}
		if err == nil {
			_, err = db.Referral(ctx, ocmwWorker, r.ID) // received
		}
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	return db, ids
}

// reportLoadRatio reports, in a sub-benchmark of its own, measured ÷
// baseline for throughput (higher is better) and baseline ÷ measured for
// p99 (higher is better).
func reportLoadRatio(b *testing.B, name string, measured, baseline *loadRun) {
	b.Run(name, func(b *testing.B) {
		if measured.n == 0 || baseline.n == 0 {
			b.Skip("needs both sides in the same run")
		}
		for b.Loop() {
		}
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(measured.perSecond()/baseline.perSecond(), "ops/s_ratio")
		b.ReportMetric(float64(baseline.p99)/float64(measured.p99), "p99_ratio")
		b.Logf("%s: %.0f vs %.0f ops/s, p99 %v vs %v", name, measured.perSecond(), baseline.perSecond(), measured.p99, baseline.p99)
	})
}

// BenchmarkAuditedReads: an OCMW worker opens a referral (read on the
// read pool, event group-committed) against the path before (read and
// event in one write transaction each), idle and while a clinic imports
// batches of 200 birth notifications back to back.
func BenchmarkAuditedReads(b *testing.B) {
	for _, dialect := range storetest.Backends {
		b.Run(string(dialect), func(b *testing.B) {
			db, ids := readWorld(b, dialect)
			ctx := context.Background()
			next := 0
			var i atomic.Int64
			pick := func() int64 { return ids[int(i.Add(1))%len(ids)] }
			paths := map[string]func() error{
				"one_tx_per_read":  func() error { _, err := store.ReferralOneTx(ctx, db, ocmwWorker, pick()); return err },
				"group_commit":     func() error { _, err := db.Referral(ctx, ocmwWorker, pick()); return err },
				"read_pool_one_tx": func() error { _, err := store.ReferralReadPoolOneTx(ctx, db, ocmwWorker, pick()); return err },
			}
			runs := map[string]*loadRun{}
			for _, load := range []string{"idle", "import"} {
				for _, path := range []string{"one_tx_per_read", "read_pool_one_tx", "group_commit"} {
					run := &loadRun{}
					runs[path+"/"+load] = run
					b.Run(path+"/"+load, func(b *testing.B) {
						stop := func() int { return 0 }
						if load == "import" {
							stop = importLoad(b, db, &next, 200)
						}
						b0, e0 := store.CommitStats(db)
						concurrently(b, run, paths[path])
						rows := stop()
						if b1, e1 := store.CommitStats(db); path == "group_commit" && b1 > b0 {
							b.ReportMetric(float64(e1-e0)/float64(b1-b0), "events/tx")
						}
						if load == "import" {
							b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "import_rows/s")
						}
					})
				}
			}
			reportLoadRatio(b, "ratio/idle", runs["group_commit/idle"], runs["one_tx_per_read/idle"])
			reportLoadRatio(b, "ratio/import", runs["group_commit/import"], runs["one_tx_per_read/import"])
			reportLoadRatio(b, "ratio/read_pool_only_import", runs["read_pool_one_tx/import"], runs["one_tx_per_read/import"])
			reportLoadRatio(b, "ratio/import_vs_idle_before", runs["one_tx_per_read/import"], runs["one_tx_per_read/idle"])
			reportLoadRatio(b, "ratio/import_vs_idle_now", runs["group_commit/import"], runs["group_commit/idle"])
		})
	}
}

// BenchmarkTokenAuth: authentication by API token, writing its last use
// at every request (before) or at most once a minute in the background
// (now), idle and during batch imports.
func BenchmarkTokenAuth(b *testing.B) {
	for _, dialect := range storetest.Backends {
		b.Run(string(dialect), func(b *testing.B) {
			db, _ := readWorld(b, dialect)
			ctx := context.Background()
			MustCreateUser(b, db, "api@hulshout.test", account.OCMWWorker, "ocmw-13016")
			var secrets []string
			for k := range 8 {
				s, err := db.CreateToken(ctx, account.System("bench"), "api@hulshout.test", fmt.Sprint("bench", k))
				if err != nil {
					b.Fatal(err)
				}
				secrets = append(secrets, s)
			}
			// The clock stands still: the baseline's UPDATE then changes a
			// row once a minute at most, as before, but is issued on the
			// writer at every request.
			var calls atomic.Int64
			next := 0
			paths := map[string]func() error{
				"write_every_use": func() error {
					n := calls.Add(1)
					_, err := store.ActorByTokenEveryUse(ctx, db, secrets[n%int64(len(secrets))])
					return err
				},
				"once_a_minute": func() error {
					n := calls.Add(1)
					_, err := db.ActorByToken(ctx, secrets[n%int64(len(secrets))])
					return err
				},
			}
			runs := map[string]*loadRun{}
			for _, load := range []string{"idle", "import"} {
				for _, path := range []string{"write_every_use", "once_a_minute"} {
					run := &loadRun{}
					runs[path+"/"+load] = run
					b.Run(path+"/"+load, func(b *testing.B) {
						stop := func() int { return 0 }
						if load == "import" {
							stop = importLoad(b, db, &next, 200)
						}
						concurrently(b, run, paths[path])
						stop()
					})
				}
			}
			reportLoadRatio(b, "ratio/idle", runs["once_a_minute/idle"], runs["write_every_use/idle"])
			reportLoadRatio(b, "ratio/import", runs["once_a_minute/import"], runs["write_every_use/import"])
		})
	}
}

// writerHeld runs write transactions that hold the writer 20 ms each
// without using the CPU, back to back, until stop is called: the regime
// where the writer, not the CPU, is what reads wait for.
func writerHeld(db *store.DB) (stop func() int) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			_ = store.HoldWriterFor(ctx, db, 20*time.Millisecond)
		}
	}()
	return func() int {
		cancel()
		<-done
		return 0
	}
}

// BenchmarkRecordReads: writing one read event, by group commit against
// a write transaction of its own, idle, while the writer is held by
// CPU-free 20 ms transactions back to back, and during batch imports.
func BenchmarkRecordReads(b *testing.B) {
	for _, dialect := range storetest.Backends {
		b.Run(string(dialect), func(b *testing.B) {
			db, _ := readWorld(b, dialect)
			ctx := context.Background()
			next := 0
			paths := map[string]func() error{
				"one_tx_per_read": func() error { return store.RecordReadsOneTx(ctx, db, readEvent("bench.read", "1")) },
				"group_commit":    func() error { return store.RecordReads(ctx, db, readEvent("bench.read", "1")) },
			}
			runs := map[string]*loadRun{}
			for _, load := range []string{"idle", "writer_held", "import"} {
				for _, path := range []string{"one_tx_per_read", "group_commit"} {
					run := &loadRun{}
					runs[path+"/"+load] = run
					b.Run(path+"/"+load, func(b *testing.B) {
						stop := func() int { return 0 }
						switch load {
						case "writer_held":
							stop = writerHeld(db)
						case "import":
							stop = importLoad(b, db, &next, 200)
						}
						b0, e0 := store.CommitStats(db)
						concurrently(b, run, paths[path])
						rows := stop()
						if b1, e1 := store.CommitStats(db); path == "group_commit" && b1 > b0 {
							b.ReportMetric(float64(e1-e0)/float64(b1-b0), "events/tx")
						}
						if load == "import" {
							b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "import_rows/s")
						}
					})
				}
			}
			for _, load := range []string{"idle", "writer_held", "import"} {
				reportLoadRatio(b, "ratio/"+load, runs["group_commit/"+load], runs["one_tx_per_read/"+load])
			}
		})
	}
}
