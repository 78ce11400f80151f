package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// BenchmarkInboxPage measures one page of 50 of the referral lists at 1k
// and at 100k referrals of one team to one OCMW (one in ten open, the rest
// closed: the archive grows, the work does not), on both databases: the
// OCMW's inbox (open, new, overdue, archive, and the page after a
// cursor, by name) and the team's list (newest first, drafts, by sent,
// by name and the page after a cursor by name: the name sort reads the
// key kept on the referral, migration 00024). Each page includes its
// audit event. A keyset page should cost about the same at both sizes;
// the benchmark logs, per database and case, the time of a page at 100k
// over that at 1k, and of a page by name over one by date:
//
//	go test ./internal/store/ -run '^$' -bench BenchmarkInboxPage -benchtime 50x -v
func BenchmarkInboxPage(b *testing.B) {
	ocmw := account.Actor{UserID: 13, Email: "sw@hulshout.test", Role: account.OCMWWorker, Org: "ocmw-13016", OrgKind: account.KindOCMW}
	team := account.Actor{UserID: 11, Email: "worker@noord.test", Role: account.TeamWorker, Org: "team-noord", OrgKind: account.KindTeam}
	sizes := []int{1000, 100000}
	for _, dialect := range storetest.Backends {
		perPage := map[string]map[int]time.Duration{} // case → size → time per page
		var order []string
		for _, n := range sizes {
			db := storetest.Open(b, dialect)
			worldB(b, db)
			seedReferrals(b, db, n)
			ctx := context.Background()
			next, err := db.InboxPage(ctx, ocmw, referral.Filter{}, page.Request{Limit: 50, Sort: "sent"})
			if err != nil || len(next.Items) != 50 || next.Next == "" {
				b.Fatalf("first page: %d items, %v", len(next.Items), err)
			}
			after, err := page.Decode(next.Next)
			if err != nil {
				b.Fatal(err)
			}
			byName, err := db.ReferralPage(ctx, team, referral.Filter{}, page.Request{Limit: 50, Sort: "name"})
			if err != nil || byName.Next == "" {
				b.Fatalf("first page by name: %v", err)
			}
			afterName, err := page.Decode(byName.Next)
			if err != nil {
				b.Fatal(err)
			}
			cases := []struct {
				name string
				run  func() (page.Result[referral.ListItem], error)
			}{
				{"inbox", func() (page.Result[referral.ListItem], error) {
					return db.InboxPage(ctx, ocmw, referral.Filter{}, page.Request{Limit: 50, Sort: "sent"})
				}},
				{"inbox_next", func() (page.Result[referral.ListItem], error) {
					return db.InboxPage(ctx, ocmw, referral.Filter{}, page.Request{Limit: 50, Sort: "sent", After: &after})
				}},
				{"inbox_new", func() (page.Result[referral.ListItem], error) {
					return db.InboxPage(ctx, ocmw, referral.Filter{Status: referral.StatusNew}, page.Request{Limit: 50, Sort: "sent"})
				}},
				{"inbox_overdue", func() (page.Result[referral.ListItem], error) {
					return db.InboxPage(ctx, ocmw, referral.Filter{Overdue: true}, page.Request{Limit: 50, Sort: "sent"})
				}},
				{"inbox_archive", func() (page.Result[referral.ListItem], error) {
					return db.InboxPage(ctx, ocmw, referral.Filter{Archive: true}, page.Request{Limit: 50, Sort: "sent", Desc: true})
				}},
				{"team", func() (page.Result[referral.ListItem], error) {
					return db.ReferralPage(ctx, team, referral.Filter{}, page.Request{Limit: 50, Sort: "created", Desc: true})
				}},
				{"team_drafts", func() (page.Result[referral.ListItem], error) {
					return db.ReferralPage(ctx, team, referral.Filter{Status: "draft"}, page.Request{Limit: 50, Sort: "created", Desc: true})
				}},
				{"team_by_sent", func() (page.Result[referral.ListItem], error) {
					return db.ReferralPage(ctx, team, referral.Filter{}, page.Request{Limit: 50, Sort: "sent", Desc: true})
				}},
				{"team_by_name", func() (page.Result[referral.ListItem], error) {
					return db.ReferralPage(ctx, team, referral.Filter{}, page.Request{Limit: 50, Sort: "name"})
				}},
				{"team_by_name_next", func() (page.Result[referral.ListItem], error) {
					return db.ReferralPage(ctx, team, referral.Filter{}, page.Request{Limit: 50, Sort: "name", After: &afterName})
				}},
				{"team_by_name_desc", func() (page.Result[referral.ListItem], error) {
					return db.ReferralPage(ctx, team, referral.Filter{}, page.Request{Limit: 50, Sort: "name", Desc: true})
				}},
				{"inbox_by_name", func() (page.Result[referral.ListItem], error) {
					return db.InboxPage(ctx, ocmw, referral.Filter{}, page.Request{Limit: 50, Sort: "name"})
				}},
				{"inbox_archive_by_name", func() (page.Result[referral.ListItem], error) {
					return db.InboxPage(ctx, ocmw, referral.Filter{Archive: true}, page.Request{Limit: 50, Sort: "name"})
				}},
			}
			for _, c := range cases {
				if perPage[c.name] == nil {
					perPage[c.name] = map[int]time.Duration{}
					order = append(order, c.name)
				}
				b.Run(fmt.Sprintf("%s/%d/%s", dialect, n, c.name), func(b *testing.B) {
					for b.Loop() {
						res, err := c.run()
						if err != nil || len(res.Items) == 0 {
							b.Fatalf("%d items, %v", len(res.Items), err)
						}
					}
					if b.N > 0 {
						perPage[c.name][n] = b.Elapsed() / time.Duration(b.N)
					}
				})
			}
		}
		// The ratios: near 1 when a page costs the same at both sizes
		// (and a page by name what a page by date costs).
		small, large := sizes[0], sizes[len(sizes)-1]
		for _, name := range order {
			t := perPage[name]
			if t[small] > 0 && t[large] > 0 {
				b.Logf("%s %-22s %8v at %d, %8v at %d: ratio %.2f", dialect, name, t[small], small, t[large], large, float64(t[large])/float64(t[small]))
			}
		}
		for _, pair := range [][2]string{{"team_by_name", "team"}, {"inbox_by_name", "inbox"}, {"inbox_archive_by_name", "inbox_archive"}} {
			if x, y := perPage[pair[0]][large], perPage[pair[1]][large]; x > 0 && y > 0 {
				b.Logf("%s at %d: %s / %s = %.2f", dialect, large, pair[0], pair[1], float64(x)/float64(y))
			}
		}
	}
}

// seedReferrals writes n referrals of team-noord to the OCMW of Hulshout
// behind the store's back, in batches: one in ten open (sent, half of
// them long ago: overdue), one in twenty a draft, the rest closed; each
// with one fictitious parent.
func seedReferrals(tb testing.TB, db *store.DB, n int) {
	tb.Helper()
	ctx := context.Background()
	raw := rawWriter(tb, db)
	var agreementID int64
	if err := raw.QueryRowContext(ctx, `SELECT id FROM agreements WHERE team_key = 'team-noord'`).Scan(&agreementID); err != nil {
		tb.Fatal(err)
	}
	start := time.Now().UTC().AddDate(-3, 0, 0)
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }
	const batch = 500
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for from := 0; from < n; from += batch {
		var refs, parents []string
		var rargs, pargs []any
		for i := from; i < min(from+batch, n); i++ {
			id := int64(1000000 + i)
			created := start.Add(time.Duration(i) * 15 * time.Minute)
			status, outcome := "closed", "declined"
			var sent, closed any = ts(created.Add(time.Hour)), ts(created.Add(48 * time.Hour))
			switch {
			case i%20 == 7:
				status, outcome, sent, closed = "draft", "", nil, nil
			case i%10 == 3:
				status, outcome, closed = "sent", "", nil
				if i%20 == 3 {
					sent = ts(time.Now().UTC().Add(-time.Hour)) // recent: not yet overdue
				}
			}
			agr := any(agreementID)
			if sent == nil {
				agr = nil
			}
			k := len(rargs)
			refs = append(refs, fmt.Sprintf("($%d,'team-noord','13016','ocmw-13016',$%d,$%d,1,$%d,$%d,'bench',$%d,$%d,$%d,$%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+6))
			rargs = append(rargs, id, status, agr, outcome, fmt.Sprintf("KR-BENCH-%07d", i), ts(created), sent, closed)
			k = len(pargs)
			parents = append(parents, fmt.Sprintf("($%d,0,$%d,'Teststraat','1','2235','13016')", k+1, k+2))
			pargs = append(pargs, id, birthBenchName(i))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO referrals (id, team_key, municipality_nis, recipient_key, status, agreement_id, agreement_version,
			outcome, receipt_code, created_by, created_at, sent_at, closed_at, updated_at) VALUES `+strings.Join(refs, ","), rargs...); err != nil {
			tb.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO referral_parents (referral_id, idx, name, street, number, postcode, municipality_nis) VALUES `+
			strings.Join(parents, ","), pargs...); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	if db.Dialect() == store.Postgres {
		for _, t := range []string{"referrals", "referral_parents"} {
			if _, err := raw.ExecContext(ctx, `ANALYZE `+t); err != nil {
				tb.Fatal(err)
			}
		}
	} else if _, err := raw.ExecContext(ctx, `ANALYZE`); err != nil {
		tb.Fatal(err)
	}
}
