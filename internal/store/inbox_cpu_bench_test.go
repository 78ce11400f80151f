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
func BenchmarkInboxCPU(b *testing.B) {
	ocmw := account.Actor{UserID: 13, Email: "sw@hulshout.test", Role: account.OCMWWorker, Org: "ocmw-13016", OrgKind: account.KindOCMW}
	for _, dialect := range storetest.Backends {
		b.Run(string(dialect), func(b *testing.B) {
			db := storetest.Open(b, dialect)
			worldB(b, db)
			seedReferrals(b, db, 2000)
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
