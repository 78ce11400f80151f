package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kansrijk/internal/birth"
	"kansrijk/internal/org"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// birthBenchRows is the number of rows of one benchmarked batch.
const birthBenchRows = 1000

// birthBenchNow is the store's clock in the batch benchmark: every
// generated date of birth lies in the 80 days before it.
var birthBenchNow = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

// birthBenchPlaces are the mothers' places of residence: the three
// municipalities of team-noord and Antwerpen (11002), which no team of
// the benchmark covers (Opgroeien's queue).
var birthBenchPlaces = []struct{ street, postcode, nis string }{
	{"Kerkstraat", "2235", "13016"},
	{"Stationsstraat", "2220", "12014"},
	{"Dorpsplein", "2230", "13013"},
	{"Lange Leemstraat", "2000", "11002"},
}

var (
	birthBenchFirst = []string{"An", "Els", "Sofie", "Lies", "Nora", "Fatima", "Ines", "Marie", "Yasmina", "Julie",
		"Lotte", "Hanne", "Amal", "Kato", "Eva", "Noor", "Aylin", "Zeynep", "Sara", "Lore"}
	birthBenchSyllables = []string{"ver", "ba", "ke", "lin", "do", "mar", "ten", "ho", "ge", "ru", "sel", "van", "pe", "ter", "wou", "mans"}
)

// birthBenchName is the fictitious mother of the n-th generated row:
// distinct for every n, so that no generated row is the same mother and
// date of birth as another (idempotency would skip it).
func birthBenchName(n int) string {
	first := birthBenchFirst[n%len(birthBenchFirst)]
	var last strings.Builder
	k := n / len(birthBenchFirst)
	for {
		last.WriteString(birthBenchSyllables[k%len(birthBenchSyllables)])
		k /= len(birthBenchSyllables)
		if k == 0 {
			break
		}
		k-- // bijective numbering: "ver" and "verver" are different names
	}
	s := last.String()
	return first + " " + strings.ToUpper(s[:1]) + s[1:]
}

// birthBenchRecords returns rows [from, from+n) of the generated data, in
// the order of birth.Columns: every column of the data set, a co-parent in
// every other row, a box and an early contact in some, both date formats.
func birthBenchRecords(from, n int) [][]string {
	out := make([][]string, 0, n)
	for r := from; r < from+n; r++ {
		p := birthBenchPlaces[r%len(birthBenchPlaces)]
		name := birthBenchName(r)
		born := birthBenchNow.AddDate(0, 0, -1-r%80)
		date := born.Format(time.DateOnly)
		if r%3 == 0 {
			date = born.Format("02/01/2006")
		}
		box, early := "", "nee"
		if r%7 == 0 {
			box = "B" + fmt.Sprint(1+r%4)
		}
		if r%5 == 0 {
			early = "ja"
		}
		rec := []string{name, p.street, fmt.Sprint(1 + r%180), box, p.postcode, p.nis,
			fmt.Sprintf("+32470%06d", r%1000000), fmt.Sprintf("moeder%d@example.org", r), birth.Languages[r%len(birth.Languages)],
			"", "", "", "", "", "", "", "", "", date, early}
		if r%2 == 0 {
			rec[9], rec[15] = "Bram "+strings.Fields(name)[1], fmt.Sprintf("+32480%06d", r%1000000)
		}
		out = append(out, rec)
	}
	return out
}

// birthBenchCSV is a batch file of the records, with the canonical header.
func birthBenchCSV(tb testing.TB, recs [][]string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := make([]string, len(birth.Columns))
	for i, c := range birth.Columns {
		header[i] = c.Name
	}
	_ = w.Write(header)
	_ = w.WriteAll(recs)
	if err := w.Error(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// rawWriter is a connection that writes to the store's database behind
// its back, configured as the store's own writer: on PostgreSQL the
// store's pool, on SQLite one more connection to the same file with the
// store's pragmas (WAL, synchronous=NORMAL, foreign keys).
func rawWriter(tb testing.TB, db *store.DB) *sql.DB {
	tb.Helper()
	if db.Dialect() == store.Postgres {
		return db.SQL()
	}
	_, path, err := store.ParseDSN(db.Redacted)
	if err != nil {
		tb.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path+
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		tb.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	tb.Cleanup(func() { raw.Close() })
	return raw
}

// BenchmarkBirthBatch measures a clinic's batch of 1,000 birth
// notifications, from the CSV file to the committed transaction
// (ImportBirthBatch: parse, check, route, idempotency, the notifications,
// the parents, an audit record per row and the batch with its record),
// against the raw insert of the same rows, as wide as the file's (one
// column per CSV column), with one prepared INSERT in one transaction.
// Every timed batch is a new file of new rows. ROADMAP target of the
// ratio (import rows/s ÷ raw rows/s): ≥ 0.5 on SQLite, ≥ 0.3 on
// PostgreSQL.
//
// The tables grow by 1,000 notifications each timed batch, and the
// import's indexes on hashed keys (natural key, duplicate key) get slower
// with them while the raw table only appends: compare figures taken with
// the same -benchtime.
func BenchmarkBirthBatch(b *testing.B) {
	for _, dialect := range storetest.Backends {
		b.Run(string(dialect), func(b *testing.B) {
			ctx := context.Background()
			db := birthBenchDB(b, dialect)
			next := 0 // the first row of the next batch: every batch is new
			batch := func() [][]string {
				recs := birthBenchRecords(next, birthBenchRows)
				next += birthBenchRows
				return recs
			}

			var imported, baseline benchRun
			b.Run("import", func(b *testing.B) {
				timed(b, &imported, func(int) error {
					b.StopTimer()
					file := birthBenchCSV(b, batch())
					b.StartTimer()
					rep, err := db.ImportBirthBatch(ctx, clinicZonnedal, file, false)
					if err == nil && (rep.Created != birthBenchRows || rep.Rejected != 0 || rep.AlreadyReceived) {
						b.Fatalf("batch created %d of %d rows, rejected %d, already received %t: %+v",
							rep.Created, birthBenchRows, rep.Rejected, rep.AlreadyReceived, rep.Problems[:min(3, len(rep.Problems))])
					}
					return err
				})
				b.ReportMetric(birthBenchRows/(imported.nsPerOp()/1e9), "rows/s")
			})

			raw := rawWriter(b, db)
			cols := make([]string, len(birth.Columns))
			marks := make([]string, len(birth.Columns))
			for i, c := range birth.Columns {
				cols[i], marks[i] = c.Name+" TEXT NOT NULL", fmt.Sprintf("$%d", i+1)
			}
			id := "id INTEGER PRIMARY KEY"
			if dialect == store.Postgres {
				id = "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
			}
			if _, err := raw.ExecContext(ctx, "CREATE TABLE bench_raw_births ("+id+", "+strings.Join(cols, ", ")+")"); err != nil {
				b.Fatal(err)
			}
			insert := "INSERT INTO bench_raw_births (" + strings.ReplaceAll(strings.Join(cols, ", "), " TEXT NOT NULL", "") +
				") VALUES (" + strings.Join(marks, ",") + ")"
			b.Run("baseline", func(b *testing.B) {
				timed(b, &baseline, func(int) error {
					b.StopTimer()
					recs := batch()
					b.StartTimer()
					tx, err := raw.BeginTx(ctx, nil)
					if err != nil {
						return err
					}
					defer tx.Rollback()
					stmt, err := tx.PrepareContext(ctx, insert)
					if err != nil {
						return err
					}
					defer stmt.Close()
					args := make([]any, len(birth.Columns))
					for _, rec := range recs {
						for i, v := range rec {
							args[i] = v
						}
						if _, err := stmt.ExecContext(ctx, args...); err != nil {
							return err
						}
					}
					return tx.Commit()
				})
				b.ReportMetric(birthBenchRows/(baseline.nsPerOp()/1e9), "rows/s")
			})
			reportRatio(b, &imported, &baseline, "import")
		})
	}
}

// TestBirthBatchAtScale checks the batch path on files larger than one
// statement of it, with the single-notification path as the oracle: every
// row routed as RouteBirth routes it (team-zuid takes Antwerpen only from
// 2025), stored with its parents, its audit record and the duplicate key
// CreateBirthNotification gives; rows sent again are found whichever
// chunk they fall in.
func TestBirthBatchAtScale(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		birthWorld(t, db)
		db.Now = func() time.Time { return birthBenchNow }
		const n = 117 // two full statements of 50 rows and part of one
		recs := birthBenchRecords(0, n)
		rep, err := db.ImportBirthBatch(ctx, clinicZonnedal, birthBenchCSV(t, recs), false)
		if err != nil || !rep.Accepted || rep.Created != n || rep.Existing != 0 || rep.Rejected != 0 {
			t.Fatalf("import %+v %v", rep.Problems, err)
		}
		seen, queues := map[int64]bool{}, map[string]int{}
		for i, row := range rep.Rows {
			rec := recs[i]
			born, err := time.Parse(time.DateOnly, rec[18])
			if err != nil {
				born, _ = time.Parse("02/01/2006", rec[18])
			}
			team, err := db.RouteBirth(ctx, rec[5], born)
			if err != nil {
				t.Fatal(err)
			}
			queue := birth.QueueTeam
			if team == "" {
				queue = birth.QueueOpgroeien
			}
			queues[team]++
			if row.Status != birth.RowCreated || row.ID == 0 || seen[row.ID] || row.Team != team || row.Queue != queue {
				t.Fatalf("row %d: %+v, want a new id, team %q", i, row, team)
			}
			seen[row.ID] = true
			got, err := db.BirthNotification(ctx, adminActor, row.ID)
			if err != nil {
				t.Fatal(err)
			}
			m := got.Mother
			if m == nil || m.Name != rec[0] || m.Street != rec[1] || m.Number != rec[2] || m.Box != rec[3] || m.MunicipalityNIS != rec[5] ||
				m.Phone != rec[6] || m.Email != rec[7] || m.Language != rec[8] || got.ChildBirthDate != born.Format(time.DateOnly) ||
				got.EarlyContactRequested != (rec[19] == "ja") || got.BatchID != rep.BatchID || got.Team != team || got.Clinic != clinicZonnedal.Org {
				t.Fatalf("row %d stored as %+v, mother %+v; from %q", i, got.Summary, m, rec)
			}
			if c := got.CoParent; (rec[9] == "") != (c == nil) || c != nil && (c.Name != rec[9] || c.Phone != rec[15] || c.Street != rec[1] || c.Language != rec[8]) {
				t.Fatalf("row %d co-parent %+v; from %q", i, c, rec)
			}
			want := "queue=" + queue
			if team != "" {
				want += " team=" + team
			}
			want += fmt.Sprintf(" batch=%d", rep.BatchID)
			if evs := birthEvents(t, db, row.ID, "birth.create"); len(evs) != 1 || evs[0].Detail != want || evs[0].ActorOrg != clinicZonnedal.Org ||
				evs[0].Purpose != "birth_notification" {
				t.Fatalf("row %d audit %+v, want detail %q", i, evs, want)
			}
		}
		if len(queues) != 3 || queues["team-noord"] == 0 || queues["team-zuid"] == 0 || queues[""] == 0 {
			t.Fatalf("the file did not test routing to two teams and Opgroeien: %v", queues)
		}
		// The single path's duplicate key: another clinic's notification of
		// the first mother is a possible duplicate of the batch row.
		first := recs[0]
		born, _ := time.Parse("02/01/2006", first[18]) // row 0 has the DD/MM/YYYY form
		other := mustNotify(t, db, clinicMaanhof, birth.NewNotification{Mother: birth.Parent{Name: first[0], Street: first[1], Number: first[2],
			Postcode: first[4], MunicipalityNIS: first[5], Phone: first[6], Language: first[8]}, ChildBirthDate: born.Format(time.DateOnly)})
		if got, err := db.BirthNotification(ctx, adminActor, rep.Rows[0].ID); err != nil || !slices.Contains(got.PossibleDuplicates, other.ID) {
			t.Fatalf("batch row's possible duplicates %v %v, want %d", got.PossibleDuplicates, err, other.ID)
		}

		// A larger file with the same rows first and new ones after: the
		// known rows come back with their ids (the lookup goes by chunks of
		// 500 keys), the rest is created; the same file again stores nothing.
		recs2 := append(birthBenchRecords(0, n), birthBenchRecords(n, 600-n)...)
		file2 := birthBenchCSV(t, recs2)
		before := MustCount(t, db, `SELECT count(*) FROM birth_notifications`)
		rep2, err := db.ImportBirthBatch(ctx, clinicZonnedal, file2, false)
		if err != nil || rep2.Created != 600-n || rep2.Existing != n || rep2.AlreadyReceived {
			t.Fatalf("second file: created %d existing %d %v", rep2.Created, rep2.Existing, err)
		}
		for i, row := range rep2.Rows {
			if i < n && (row.Status != birth.RowExisting || row.ID != rep.Rows[i].ID || row.Team != rep.Rows[i].Team) ||
				i >= n && (row.Status != birth.RowCreated || seen[row.ID]) {
				t.Fatalf("second file row %d: %+v", i, row)
			}
		}
		again, err := db.ImportBirthBatch(ctx, clinicZonnedal, file2, false)
		if err != nil || !again.AlreadyReceived || again.Created != 0 || again.Existing != 600 || again.Rows[599].ID != rep2.Rows[599].ID {
			t.Fatalf("the same file again: %+v %v", again.Rows[599], err)
		}
		if after := MustCount(t, db, `SELECT count(*) FROM birth_notifications`); after != before+600-n {
			t.Fatalf("%d notifications after, %d before", after, before)
		}
	})
}

// BenchmarkBirthCreate is the single POST of a birth notification at the
// store (CreateBirthNotification: check, route, the notification, its
// parent, its audit event, durable before it returns) from 16 goroutines,
// as insert_ratio's 16 clients, over tables that already hold 20,000
// notifications. It reports this process's CPU per create (getrusage;
// PostgreSQL's own backends are not counted) beside the wall time, and on
// SQLite the creates per group-committed transaction.
//
//	go test ./internal/store -run '^$' -bench BenchmarkBirthCreate -benchtime 3000x
func BenchmarkBirthCreate(b *testing.B) {
	for _, dialect := range storetest.Backends {
		b.Run(string(dialect), func(b *testing.B) {
			ctx := context.Background()
			db := birthBenchDB(b, dialect)
			const prefill = 20000
			for from := 0; from < prefill; from += birthBenchRows {
				if _, err := db.ImportBirthBatch(ctx, clinicZonnedal, birthBenchCSV(b, birthBenchRecords(from, birthBenchRows)), false); err != nil {
					b.Fatal(err)
				}
			}
			var next atomic.Int64
			next.Store(prefill)
			create := func() error {
				r := int(next.Add(1))
				rec := birthBenchRecords(r, 1)[0]
				born := birthBenchNow.AddDate(0, 0, -1-r%80)
				in := birth.NewNotification{Mother: birth.Parent{Name: rec[0], Street: rec[1], Number: rec[2], Box: rec[3], Postcode: rec[4],
					MunicipalityNIS: rec[5], Phone: rec[6], Email: rec[7], Language: rec[8]}, ChildBirthDate: born.Format(time.DateOnly)}
				s, err := db.CreateBirthNotification(ctx, clinicZonnedal, in)
				if err == nil && s.ID == 0 {
					b.Fatal("no id")
				}
				return err
			}
			b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
			b0, w0, _ := store.WriteGroupStats(db)
			cpu0 := processCPU()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := create(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu_µs/create")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
			if b1, w1, _ := store.WriteGroupStats(db); b1 > b0 {
				b.ReportMetric(float64(w1-w0)/float64(b1-b0), "creates/tx")
			}
		})
	}
}

// birthBenchDB is a new database of dialect with the benchmarks' world
// (benchWorld), the clinic Zonnedal and the clock at birthBenchNow.
func birthBenchDB(b *testing.B, dialect store.Dialect) *store.DB {
	b.Helper()
	db := storetest.Open(b, dialect)
	db.Now = func() time.Time { return birthBenchNow }
	benchWorld(b, db)
	if _, err := db.CreateClinic(context.Background(), admin, org.NewClinic{Key: clinicZonnedal.Org, Name: "Kraamkliniek Zonnedal"}); err != nil {
		b.Fatal(err)
	}
	return db
}
