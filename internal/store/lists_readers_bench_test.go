package store_test

import (
	"context"
	"math"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kansrijk/internal/page"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// listReaders is the number of concurrent readers of BenchmarkListReaders.
const listReaders = 50

// BenchmarkListReaders (issue 12; make bench, or go test -run '^$' -bench
// ListReaders ./internal/store): 50 team workers page through their
// team's referral list (pages of 50 with cursors, from the start again
// after the last page) while the team creates and sends referrals back to
// back. The audited page (one event a page, through the group commit) is
// measured against the same page read without its event, in the same
// run; "ratio" reports audited ÷ unaudited pages/s and unaudited ÷ audited
// p99 (above 1 is better). The correctness of the same load is asserted
// by TestListReadersSoak in internal/server.
func BenchmarkListReaders(b *testing.B) {
	for _, dialect := range storetest.Backends {
		b.Run(string(dialect), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, dialect)
			benchWorld(b, db)
			benchActiveAgreement(b, db, "team-noord", "13016")
			for range 300 {
				if _, err := createAndSend(ctx, db); err != nil {
					b.Fatal(err)
				}
			}
			reads := map[string]func(page.Request) (page.Result[referral.ListItem], error){
				"unaudited": func(req page.Request) (page.Result[referral.ListItem], error) {
					return store.ReferralPageUnaudited(ctx, db, teamWorker, req)
				},
				"audited": func(req page.Request) (page.Result[referral.ListItem], error) {
					return db.ReferralPage(ctx, teamWorker, referral.Filter{}, req)
				},
			}
			runs := map[string]*loadRun{}
			for _, path := range []string{"unaudited", "audited"} {
				run := &loadRun{}
				runs[path] = run
				b.Run(path, func(b *testing.B) {
					stop := sendLoad(b, db)
					pageReaders(b, run, func() func() error {
						cursor := ""
						return func() error {
							req, err := page.Parse(url.Values{"limit": {"50"}, "cursor": {cursor}}, referral.TeamSorts...)
							if err != nil {
								return err
							}
							res, err := reads[path](req)
							if err != nil {
								return err
							}
							cursor = res.Next // "" after the last page: the start again
							return nil
						}
					})
					b.ReportMetric(float64(stop()), "sent")
				})
			}
			reportLoadRatio(b, "ratio", runs["audited"], runs["unaudited"])
		})
	}
}

// sendLoad creates and sends referrals back to back until stop is called,
// which returns how many were sent.
func sendLoad(b *testing.B, db *store.DB) (stop func() int) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	sent := 0
	wg.Go(func() {
		for ctx.Err() == nil {
			if _, err := createAndSend(context.Background(), db); err != nil {
				b.Error(err)
				return
			}
			sent++
		}
	})
	return func() int {
		cancel()
		wg.Wait()
		return sent
	}
}

// pageReaders reads b.N pages from listReaders goroutines, each with a
// reader of its own from newReader, and records pages/s, p50 and p99 in
// *out.
func pageReaders(b *testing.B, out *loadRun, newReader func() func() error) {
	b.Helper()
	var left atomic.Int64
	left.Store(int64(b.N))
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	b.ResetTimer()
	for range listReaders {
		read := newReader()
		wg.Go(func() {
			var mine []time.Duration
			for left.Add(-1) >= 0 {
				t0 := time.Now()
				if err := read(); err != nil {
					b.Error(err)
					break
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	at := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(math.Ceil(p*float64(len(lat))))-1)]
	}
	*out = loadRun{n: b.N, d: b.Elapsed(), p50: at(0.50), p99: at(0.99)}
	b.ReportMetric(out.perSecond(), "pages/s")
	b.ReportMetric(float64(out.p50.Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(out.p99.Microseconds())/1000, "p99_ms")
}
