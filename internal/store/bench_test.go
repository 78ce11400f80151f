package store_test

// Benchmarks of the store on both databases (`make bench`). Following
// ROADMAP "Performance, measured", each figure that has a target is
// reported as a ratio against a baseline measured in the same run, on the
// same database: the "ratio" sub-benchmark of each dialect reports
// measured ops/s ÷ baseline ops/s (higher is better, 1 = as fast as the
// baseline). Setup stays outside the timed loops; nothing here runs under
// plain `go test` (no -bench).

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// benchRun is the outcome of one timed sub-benchmark, kept so that a
// sibling can compute a ratio from the same run.
type benchRun struct {
	n int
	d time.Duration
}

func (r benchRun) nsPerOp() float64 { return float64(r.d.Nanoseconds()) / float64(r.n) }

// timed runs fn b.N times (via b.Loop, so whatever comes before is not
// timed) and records the result in *out.
func timed(b *testing.B, out *benchRun, fn func(i int) error) {
	b.Helper()
	i := 0
	for b.Loop() {
		if err := fn(i); err != nil {
			b.Fatal(err)
		}
		i++
	}
	*out = benchRun{n: b.N, d: b.Elapsed()}
}

// reportRatio reports measured ops/s ÷ baseline ops/s, plus both ns/op,
// in a sub-benchmark of its own (its own ns/op is suppressed). It is
// skipped when a -bench filter left out either side.
func reportRatio(b *testing.B, measured, baseline *benchRun, measuredName string) {
	b.Run("ratio", func(b *testing.B) {
		if measured.n == 0 || baseline.n == 0 {
			b.Skip("needs both the measured and the baseline sub-benchmark in the same run")
		}
		for b.Loop() {
		}
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(measured.nsPerOp(), measuredName+"_ns/op")
		b.ReportMetric(baseline.nsPerOp(), "baseline_ns/op")
		b.ReportMetric(baseline.nsPerOp()/measured.nsPerOp(), "ratio")
	})
}

// benchWorld is world for a testing.TB: team-noord (Hulshout 13016,
// Heist-op-den-Berg 12014, Herselt 13013).
func benchWorld(tb testing.TB, db *store.DB) {
	tb.Helper()
	if _, err := db.CreateTeam(context.Background(), admin, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord",
		Municipalities: []string{"13016", "12014", "13013"}, From: d("2022-01-01")}); err != nil {
		tb.Fatal(err)
	}
}

// benchActiveAgreement is activeAgreement for a testing.TB.
func benchActiveAgreement(tb testing.TB, db *store.DB, team, nis string) {
	tb.Helper()
	ctx := context.Background()
	ag, err := db.CreateAgreement(ctx, admin, agreement.NewAgreement{Team: team, MunicipalityNIS: nis, Status: "draft", EffectiveOn: "2023-01-02"})
	if err != nil {
		tb.Fatal(err)
	}
	for _, s := range []agreement.NewEvent{step(agreement.Approved, "2023-02-01"), step(agreement.Signed, "2023-03-01"), step(agreement.Active, "2023-04-01")} {
		if _, err := db.AddEvent(ctx, admin, ag.ID, s); err != nil {
			tb.Fatal(err)
		}
	}
}

// createAndSend is the full referral cycle of a local team worker:
// create, record consent, send (through the agreement gate).
func createAndSend(ctx context.Context, db *store.DB) (referral.Referral, error) {
	r, err := db.CreateReferral(ctx, teamWorker, newFamily())
	if err != nil {
		return r, err
	}
	if _, err := db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Informed: allInformed, Method: "verbal"}); err != nil {
		return r, err
	}
	return db.Send(ctx, teamWorker, r.ID)
}

// BenchmarkReferralRead compares the OCMW worker's audited read of a
// referral (read and audit record in one write transaction) with a plain
// SELECT of the same parents' row through the read pool, without audit.
func BenchmarkReferralRead(b *testing.B) {
	for _, dialect := range storetest.Backends {
		b.Run(string(dialect), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, dialect)
			benchWorld(b, db)
			benchActiveAgreement(b, db, "team-noord", "13016")
			const n = 200
			ids := make([]int64, n)
			for i := range ids {
				r, err := createAndSend(ctx, db)
				if err != nil {
					b.Fatal(err)
				}
				// The first read marks it received; read each once so that
				// every timed read is the same steady-state read.
				if _, err := db.Referral(ctx, ocmwWorker, r.ID); err != nil {
					b.Fatal(err)
				}
				ids[i] = r.ID
			}
			var audited, baseline benchRun
			b.Run("audited", func(b *testing.B) {
				timed(b, &audited, func(i int) error {
					r, err := db.Referral(ctx, ocmwWorker, ids[i%n])
					if err == nil && len(r.Parents) != 1 {
						b.Fatalf("referral %d has %d parents", r.ID, len(r.Parents))
					}
					return err
				})
			})
			b.Run("baseline", func(b *testing.B) {
				timed(b, &baseline, func(i int) error {
					var p referral.Parent
					return db.SQL().QueryRowContext(ctx, `SELECT name, street, number, box, postcode, municipality_nis, phone, email
						FROM referral_parents WHERE referral_id = $1 ORDER BY idx`, ids[i%n]).
						Scan(&p.Name, &p.Street, &p.Number, &p.Box, &p.Postcode, &p.MunicipalityNIS, &p.Phone, &p.Email)
				})
			})
			reportRatio(b, &audited, &baseline, "audited")
		})
	}
}

// BenchmarkAgreementReport compares the as-of report (a replay of the
// event history of ~60 agreements) with one `SELECT count(*)` round trip.
func BenchmarkAgreementReport(b *testing.B) {
	for _, dialect := range storetest.Backends {
		b.Run(string(dialect), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, dialect)
			var area []string
			for _, m := range db.Municipalities.On(d("2023-01-01"), "flanders") {
				if m.ValidTo == nil && len(area) < 60 {
					area = append(area, m.NIS)
				}
			}
			if _, err := db.CreateTeam(ctx, admin, org.NewTeam{Key: "team-p", Name: "P", Municipalities: area, From: d("2022-01-01")}); err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 7)) // the same histories every run
			for _, nis := range area {
				day := d("2022-03-01").AddDate(0, 0, rng.IntN(400))
				first := []string{"interested", "draft"}[rng.IntN(2)]
				ag, err := db.CreateAgreement(ctx, admin, agreement.NewAgreement{Team: "team-p", MunicipalityNIS: nis, Status: first, On: day})
				if err != nil {
					b.Fatalf("agreement %s: %v", nis, err)
				}
				status := agreement.Status(first)
				for k := 1 + rng.IntN(6); k > 0; k-- {
					nexts := agreement.Next(status)
					if len(nexts) == 0 {
						break
					}
					status = nexts[rng.IntN(len(nexts))]
					day = day.AddDate(0, 0, 1+rng.IntN(90))
					if _, err := db.AddEvent(ctx, admin, ag.ID, step(status, day.Format(time.DateOnly))); err != nil {
						b.Fatalf("event: %v", err)
					}
				}
				if rng.IntN(3) == 0 { // a correction of the first step's date
					cur, err := db.Agreement(ctx, admin, ag.ID)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := db.AddEvent(ctx, admin, ag.ID, agreement.NewEvent{Corrects: cur.Events[0].ID,
						EffectiveOn: cur.Events[0].EffectiveOn.Format(time.DateOnly), Note: "correctie"}); err != nil {
						b.Fatalf("correction: %v", err)
					}
				}
			}
			asOf := d("2024-06-01")
			var report, baseline benchRun
			b.Run("report", func(b *testing.B) {
				timed(b, &report, func(int) error {
					r, err := db.AgreementReport(ctx, asOf, nil, "")
					if err == nil && r.SignedUp == 0 {
						b.Fatal("report without any signed-up municipality: the setup built no histories")
					}
					return err
				})
				b.ReportMetric(report.nsPerOp()/1e6, "ms/op")
			})
			b.Run("baseline", func(b *testing.B) {
				timed(b, &baseline, func(int) error {
					var n int
					return db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM agreement_events`).Scan(&n)
				})
				b.ReportMetric(baseline.nsPerOp()/1e6, "ms/op")
			})
			reportRatio(b, &report, &baseline, "report")
		})
	}
}

// BenchmarkCreateAndSendReferral measures the whole cycle of a local team
// worker per op: create, consent, send through the agreement gate.
func BenchmarkCreateAndSendReferral(b *testing.B) {
	for _, dialect := range storetest.Backends {
		b.Run(string(dialect), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, dialect)
			benchWorld(b, db)
			benchActiveAgreement(b, db, "team-noord", "13016")
			for b.Loop() {
				r, err := createAndSend(ctx, db)
				if err != nil {
					b.Fatal(err)
				}
				if r.Status != referral.Sent {
					b.Fatalf("status after send = %s", r.Status)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}
