package auditlog_test

// Benchmarks of the access log (figures in README.md, "Verifiable access
// log"). Run:
//
//	CI=true go test ./internal/auditlog -run '^$' -bench . -benchtime 2s
//	KANSRIJK_BENCH_10M=1 CI=true go test ./internal/auditlog -run '^$' -bench 'Log10M' -timeout 3h
//
// Synthetic events only; PostgreSQL from KANSRIJK_TEST_POSTGRES.

import (
	"context"
	"crypto/sha256"
	"math/rand/v2"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"kansrijk/internal/audit"
	"kansrijk/internal/auditlog"
	"kansrijk/internal/store/storetest"
)

// BenchmarkAppendConcurrent appends one event per operation from many
// goroutines (each a committed transaction, as a read of personal data
// writes its event) while the sequencer runs every 100 ms, as in serve.
// It reports appended events/s and the events still pending at the end.
func BenchmarkAppendConcurrent(b *testing.B) {
	for _, d := range storetest.Backends {
		for _, sequencing := range []bool{false, true} {
			name := string(d) + "/no-sequencer"
			if sequencing {
				name = string(d) + "/sequencer"
			}
			b.Run(name, func(b *testing.B) {
				f := newFixture(b, d)
				ctx := context.Background()
				stop := func() {}
				if sequencing {
					stop = (&auditlog.Runner{Log: f.log, SequenceEvery: 100 * time.Millisecond, CheckpointEvery: time.Second}).Start(ctx)
				}
				var seq atomic.Int64
				b.SetParallelism(8)
				b.ResetTimer()
				start := time.Now()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := f.db.AppendAuditEvents(ctx, event(int(seq.Add(1)))); err != nil {
							b.Error(err)
							return
						}
					}
				})
				elapsed := time.Since(start)
				b.StopTimer()
				pending, _ := f.db.AuditPending(ctx)
				stop()
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
				if sequencing {
					b.ReportMetric(float64(pending), "pending_at_end")
					if left, _ := f.db.AuditPending(ctx); left != 0 {
						b.Errorf("%d events not sequenced after stop", left)
					}
				}
			})
		}
	}
}

// BenchmarkLog100k is the quick one.
func BenchmarkLog100k(b *testing.B) { benchLog(b, 100_000) }

// BenchmarkLog1M builds a log of one million events per database and
// measures verify and proof generation on it.
func BenchmarkLog1M(b *testing.B) { benchLog(b, 1_000_000) }

// BenchmarkLog10M does the same at ten million events
// (KANSRIJK_BENCH_10M=1: building it takes long).
func BenchmarkLog10M(b *testing.B) {
	if os.Getenv("KANSRIJK_BENCH_10M") != "1" {
		b.Skip("set KANSRIJK_BENCH_10M=1 to build a log of ten million events")
	}
	benchLog(b, 10_000_000)
}

func benchLog(b *testing.B, n int) {
	for _, d := range storetest.Backends {
		b.Run(string(d), func(b *testing.B) {
			f := newFixture(b, d)
			ctx := context.Background()
			var built bool
			b.Run("build", func(b *testing.B) {
				if built {
					b.Skip("built")
				}
				built = true
				const chunk = 10_000
				start := time.Now()
				evs := make([]audit.Event, 0, chunk)
				for i := 0; i < n; i += chunk {
					evs = evs[:0]
					for j := i; j < min(n, i+chunk); j++ {
						evs = append(evs, event(j))
					}
					if err := f.db.AppendAuditEvents(ctx, evs...); err != nil {
						b.Fatal(err)
					}
				}
				appended := time.Since(start)
				start = time.Now()
				if _, err := f.log.Sequence(ctx); err != nil {
					b.Fatal(err)
				}
				sequenced := time.Since(start)
				if _, _, err := f.log.Sign(ctx); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(n)/appended.Seconds(), "appended_events/s")
				b.ReportMetric(float64(n)/sequenced.Seconds(), "sequenced_events/s")
			})
			if !built {
				b.Fatal("not built")
			}
			latest, err := f.log.Latest(ctx)
			if err != nil || latest.Size != int64(n) {
				b.Fatalf("latest %d, %v", latest.Size, err)
			}
			b.Run("verify", func(b *testing.B) {
				cpu0 := cpuTime()
				for b.Loop() {
					rep, err := f.log.Verify(ctx, nil)
					if err != nil || !rep.OK() {
						b.Fatalf("%v %v", err, rep.Problem)
					}
				}
				// CPU of the whole process per event verified: the work
				// done, whatever the machine's other load did to the clock.
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/(float64(n)*float64(b.N)), "cpu_µs/event")
				verified := float64(n) * float64(b.N) / b.Elapsed().Seconds()
				b.ReportMetric(verified, "events/s")
				// verify_ratio as kansrijk bench defines it: over raw
				// SHA-256 of as many canonical records of the same shape,
				// measured right after, in the same process.
				recs := make([][]byte, 1000)
				for i := range recs {
					recs[i] = auditlog.Record(event(i), []byte("0123456789abcdef"))
				}
				start := time.Now()
				var sink byte
				for i := range n {
					s := sha256.Sum256(recs[i%len(recs)])
					sink ^= s[0]
				}
				_ = sink
				b.ReportMetric(verified/(float64(n)/time.Since(start).Seconds()), "verify_ratio")
			})
			b.Run("inclusion", func(b *testing.B) {
				for b.Loop() {
					i := rand.Int64N(latest.Size)
					p, err := f.log.InclusionProof(ctx, i, latest.Size)
					if err != nil {
						b.Fatal(err)
					}
					leaf, err := f.log.LeafHash(ctx, i)
					if err != nil {
						b.Fatal(err)
					}
					if err := tlog.CheckRecord(p, latest.Size, latest.Root, i, leaf); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("consistency", func(b *testing.B) {
				for b.Loop() {
					old := 1 + rand.Int64N(latest.Size)
					if _, err := f.log.ConsistencyProof(ctx, old, latest.Size); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("bundle", func(b *testing.B) {
				for b.Loop() {
					if _, err := f.log.Bundle(ctx, rand.Int64N(latest.Size)); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
