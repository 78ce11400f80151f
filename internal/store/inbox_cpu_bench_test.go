package store_test

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// BenchmarkInboxCPU is the OCMW's default inbox page of 50 (with its
// audit event) read by 16 goroutines at 2,000 referrals, on both
// databases, reporting this process's CPU per page (user + system, from
// getrusage) besides the wall time: on a shared machine the CPU per page
// is the figure that stays put when the wall time does not. PostgreSQL's
// own CPU (its backends) is not counted.
//
//	go test ./internal/store -run '^$' -bench BenchmarkInboxCPU -benchtime 2000x
func BenchmarkInboxCPU(b *testing.B) { benchmarkInboxCPU(b, false) }

// BenchmarkInboxCPUUnaudited is BenchmarkInboxCPU on a handle of
// store.OpenUnauditedBenchmarkBaseline: the same page without its event
// (the baseline of the harness's audit_overhead). The difference between
// the two is what the event costs a page, the readers' work after each
// commit included.
//
//	go test ./internal/store -run '^$' -bench 'BenchmarkInboxCPU' -benchtime 2000x
func BenchmarkInboxCPUUnaudited(b *testing.B) { benchmarkInboxCPU(b, true) }

func benchmarkInboxCPU(b *testing.B, unaudited bool) {
	ocmw := account.Actor{UserID: 13, Email: "sw@hulshout.test", Role: account.OCMWWorker, Org: "ocmw-13016", OrgKind: account.KindOCMW}
	for _, dialect := range storetest.Backends {
		b.Run(string(dialect), func(b *testing.B) {
			dsn := storetest.DSN(b, dialect)
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			worldB(b, db)
			seedReferrals(b, db, 2000)
			if unaudited {
				plain, err := store.OpenUnauditedBenchmarkBaseline(context.Background(), dsn)
				if err != nil {
					b.Fatal(err)
				}
				defer plain.Close()
				db = plain
			}
			ctx := context.Background()
			read := func() error {
				res, err := db.InboxPage(ctx, ocmw, referral.Filter{}, page.Request{Limit: 50, Sort: "sent"})
				if err == nil && len(res.Items) != 50 {
					b.Fatalf("%d items", len(res.Items))
				}
				return err
			}
			if err := read(); err != nil {
				b.Fatal(err)
			}
			b.SetParallelism(benchPar())
			cpu0 := processCPU()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := read(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu_µs/page")
		})
	}
}

// processCPU is the CPU time this process has used (user + system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchPar() int {
	if v := os.Getenv("PAR"); v != "" {
		n, _ := strconv.Atoi(v)
		return n
	}
	return 8
}
