package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kansrijk/internal/audit"
	"kansrijk/internal/auditlog"
	"kansrijk/internal/birth"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
	"kansrijk/internal/server"
	"kansrijk/internal/store"
)

// Config is one run of the harness.
type Config struct {
	DSN   string
	Scale Scale
	// Only, when not empty, limits the run to these figures.
	Only []string
	// Progress, when set, receives a progress bar (a terminal).
	Progress io.Writer
	// CPUProfile and BlockProfile, when set, are the files the CPU and
	// the blocking profile of the measured figures are written to.
	CPUProfile, BlockProfile string
	// Child, when set, makes the command that runs the measured server of
	// rss_mb alone in a child process over the database it is given
	// (ServeChild); without it rss_mb is this process's, the load
	// generator counted with the server.
	Child func(dsn string) *exec.Cmd
}

// Clients of the loads, as in the table.
const (
	readClients  = 64
	writeClients = 16
)

type runner struct {
	cfg   Config
	db    *store.DB
	w     *World
	base  string // the server's URL
	hello string // the baseline handler's URL
	figs  map[string]Figure
	bar   *progressBar
	inbox *Load // the inbox alone at readClients, once measured
	next  atomic.Int64
	lg    *auditlog.Log
	// imported is the import's rows/s, once measured.
	imported float64
	// cpuNote says what growth's CPU clock could not count (growth.go).
	cpuNote string
}

// Run generates the data set into the (empty) database of cfg.DSN,
// measures the figures and returns them with the database's dialect.
func Run(ctx context.Context, cfg Config) (dialect string, d *Database, err error) {
	for _, n := range cfg.Only {
		if !slices.Contains(FigureNames, n) {
			return "", nil, fmt.Errorf("unknown figure %q (figures: %s)", n, strings.Join(FigureNames, ", "))
		}
	}
	db, err := store.Open(ctx, cfg.DSN)
	if err != nil {
		return "", nil, err
	}
	defer db.Close()
	r := &runner{cfg: cfg, db: db, figs: map[string]Figure{}, bar: &progressBar{w: cfg.Progress, total: 5 + len(FigureNames)}}
	r.next.Store(1 << 20)
	defer r.bar.end()
	d = &Database{Scale: cfg.Scale.Name, Date: time.Now().UTC(), Figures: r.figs}
	// growth: the costs per item at a hundredth of the data set, then at
	// all of it (the server is started first, so the same one serves both).
	wantGrowth := len(cfg.Only) == 0 || slices.Contains(cfg.Only, "growth")
	first := cfg.Scale
	if wantGrowth {
		first = cfg.Scale.fraction(100)
	}
	if r.w, err = Generate(ctx, db, first, r.bar.step); err != nil {
		return "", nil, fmt.Errorf("generate the data set (the database must be empty): %w", err)
	}

	srv, err := server.New(db)
	if err != nil {
		return "", nil, err
	}
	sctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	wg.Go(func() { _ = srv.Serve(sctx, ln) })
	r.base = "http://" + ln.Addr().String()
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: hello(), ReadHeaderTimeout: 10 * time.Second}
	wg.Go(func() { _ = hs.Serve(hl) })
	defer hs.Close()
	r.hello = "http://" + hl.Addr().String() + "/hello"
	stopProfiles, err := profiles(cfg.CPUProfile, cfg.BlockProfile)
	if err != nil {
		return "", nil, err
	}
	defer func() {
		if perr := stopProfiles(); perr != nil && err == nil {
			dialect, d, err = "", nil, perr
		}
	}()
	if wantGrowth {
		r.bar.step("costs per item at a hundredth")
		before, berr := r.costs(ctx)
		if err := r.w.Grow(ctx, db, cfg.Scale, r.bar.step); err != nil {
			return "", nil, fmt.Errorf("grow the data set: %w", err)
		}
		fig := Figure{Target: targets["growth"]}
		if berr != nil {
			fig.NotMeasured = berr.Error()
		} else if after, err := r.costs(ctx); err != nil {
			fig.NotMeasured = err.Error()
		} else {
			fig = growthFigure(first, cfg.Scale, before, after, r.cpuNote)
		}
		r.figs["growth"] = fig
	}
	d.Counts = r.w.Counts

	for _, f := range []struct {
		name string
		fn   func(context.Context) (Figure, error)
	}{
		{"api_ratio", r.apiRatio}, {"rss_mb", r.rss}, {"api_p99_ms", r.apiP99}, {"mixed_ratio", r.mixed},
		{"audit_overhead", r.auditOverhead}, {"import_ratio", r.importRatio}, {"import_same_tables_ratio", r.importSameTables},
		{"insert_ratio", r.insertRatio}, {"verify_ratio", r.verifyRatio}, {"proof_ms", r.proof}, {"report_ms", r.report},
		{"stats_ms", r.stats},          // and stats_cold_ms
		{"import_rss_mb", r.importRSS}, // Area import: the peak memory of `kansrijk import births` (importrss.go)
	} {
		if len(cfg.Only) > 0 && !slices.Contains(cfg.Only, f.name) && (alsoMeasured[f.name] == "" || !slices.Contains(cfg.Only, alsoMeasured[f.name])) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return "", nil, err
		}
		r.bar.step(f.name)
		fig, err := f.fn(ctx)
		if err != nil {
			fig = Figure{NotMeasured: err.Error()}
		}
		if fig.Target == "" {
			fig.Target = targets[f.name]
		}
		r.figs[f.name] = fig
	}
	return string(db.Dialect()), d, nil
}

// alsoMeasured names the second figure a figure's function measures and
// sets in r.figs itself.
var alsoMeasured = map[string]string{"stats_ms": "stats_cold_ms"}

var targets = map[string]string{"api_ratio": "≥ 0.25", "api_p99_ms": "≤ 25 ms", "mixed_ratio": "≥ 0.8", "audit_overhead": "≥ 0.7",
	"import_ratio": "≥ 0.3", "import_same_tables_ratio": "≥ 0.8", "insert_ratio": "≥ 0.2", "verify_ratio": "≥ 0.5", "proof_ms": "≤ 1 ms",
	"report_ms": "≤ 50 ms", "stats_ms": "≤ 1000 ms", "stats_cold_ms": "≤ 1000 ms", "growth": "≤ ×1.5", "rss_mb": "≤ 200 MB",
	"import_rss_mb": "≤ 250 MB"} // Area import

// ratio is a throughput figure against its baseline.
func ratio(value, base float64, unit string, target float64, note string) Figure {
	f := Figure{Value: value, Unit: unit, Baseline: base, BaseUnit: unit, Note: note}
	if base > 0 {
		f.Ratio = value / base
		f.Met = met(f.Ratio, target, true)
	}
	return f
}

func checked(l Load, what string) error {
	if l.Requests == 0 || l.Success < 0.99 {
		return fmt.Errorf("%s: %d requests, %.1f%% answered 2xx (codes %v)", what, l.Requests, 100*l.Success, l.Codes)
	}
	return nil
}

func (r *runner) inboxURL() string { return r.base + "/api/v1/inbox?limit=50" }

// inboxAlone is the inbox at readClients, measured once.
func (r *runner) inboxAlone() (Load, error) {
	if r.inbox == nil {
		clearPeakRSS()
		l := attack(get(r.inboxURL(), r.w.OCMWToken), readClients, 0, r.cfg.Scale.Phase)
		if err := checked(l, "inbox"); err != nil {
			return l, err
		}
		r.inbox = &l
	}
	return *r.inbox, nil
}

func (r *runner) apiRatio(context.Context) (Figure, error) {
	h := attack(get(r.hello, ""), readClients, 0, r.cfg.Scale.Phase)
	if err := checked(h, "hello"); err != nil {
		return Figure{}, err
	}
	in, err := r.inboxAlone()
	if err != nil {
		return Figure{}, err
	}
	return ratio(in.Throughput, h.Throughput, "req/s", 0.25, fmt.Sprintf("audited inbox page of 50, %d clients, p99 %.1f ms", readClients, ms(in.P99))), nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rss is the server's peak resident memory under the inbox load: of the
// server alone in a child process when the configuration can start one,
// else of this process (the in-process server and the load generator).
func (r *runner) rss(ctx context.Context) (Figure, error) {
	if r.cfg.Child == nil {
		if _, err := r.inboxAlone(); err != nil {
			return Figure{}, err
		}
		kb, err := vmHWM("/proc/self/status")
		if err != nil {
			return Figure{}, err
		}
		v := float64(kb) / 1024
		return Figure{Value: v, Unit: "MB", Met: met(v, 200, false),
			Note: "peak RSS (VmHWM) of the process during the inbox load: the in-process server and the load generator together"}, nil
	}
	c, err := startChild(ctx, r.cfg.Child, r.cfg.DSN)
	if err != nil {
		return Figure{}, err
	}
	defer c.stop()
	c.clearPeak()
	l := attack(get(c.base+"/api/v1/inbox?limit=50", r.w.OCMWToken), readClients, 0, r.cfg.Scale.Phase)
	if err := checked(l, "inbox of the child server"); err != nil {
		return Figure{}, err
	}
	kb, err := c.peakRSSKB()
	if err != nil {
		return Figure{}, err
	}
	v := float64(kb) / 1024
	return Figure{Value: v, Unit: "MB", Met: met(v, 200, false),
		Note: fmt.Sprintf("peak RSS (VmHWM, reset just before) of the server alone, a child process serving the generated database, during the inbox load (%d clients, %.0f req/s)",
			readClients, l.Throughput)}, nil
}

func clearPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func (r *runner) apiP99(context.Context) (Figure, error) {
	in, err := r.inboxAlone()
	if err != nil {
		return Figure{}, err
	}
	rate := max(1, in.Throughput/2)
	l := attack(get(r.inboxURL(), r.w.OCMWToken), readClients, rate, r.cfg.Scale.Phase)
	if err := checked(l, "inbox at half rate"); err != nil {
		return Figure{}, err
	}
	v := ms(l.P99)
	return Figure{Value: v, Unit: "ms", Met: met(v, 25, false), Note: fmt.Sprintf("open loop at %.0f req/s (half the maximum)", rate)}, nil
}

// mixed is the inbox while the clinic imports batches without pause.
func (r *runner) mixed(ctx context.Context) (Figure, error) {
	alone, err := r.inboxAlone()
	if err != nil {
		return Figure{}, err
	}
	ictx, stop := context.WithCancel(ctx)
	var batches atomic.Int64
	var ierr error
	var wg sync.WaitGroup
	wg.Go(func() {
		for ictx.Err() == nil {
			if _, err := r.db.ImportBirthBatch(ictx, r.w.Clinic, r.batchCSV(r.cfg.Scale.BatchRows), false); err != nil {
				if ictx.Err() == nil {
					ierr = err
				}
				return
			}
			batches.Add(1)
		}
	})
	l := attack(get(r.inboxURL(), r.w.OCMWToken), readClients, 0, r.cfg.Scale.Phase)
	stop()
	wg.Wait()
	if ierr != nil {
		return Figure{}, fmt.Errorf("the imports: %w", ierr)
	}
	if err := checked(l, "inbox during imports"); err != nil {
		return Figure{}, err
	}
	return ratio(l.Throughput, alone.Throughput, "req/s", 0.8,
		fmt.Sprintf("%d batches of %d rows imported meanwhile; p99 %.1f ms", batches.Load(), r.cfg.Scale.BatchRows, ms(l.P99))), nil
}

// auditOverhead is the issue's "audited ÷ unaudited throughput of the
// same read": store.InboxPage on the harness's handle (each page writes
// its event) against the very same call on a second handle of the same
// database opened with store.OpenUnauditedBenchmarkBaseline (same query,
// same scan, same page, no event), writeClients goroutines each, twice
// alternated (audited, unaudited, audited, unaudited) so that a change of
// the machine's load weighs on both sides alike. The note also gives the
// former baseline (the page's two queries written by hand: 5 columns, no
// joins), measured in the same run, for the history in BENCHMARKS.md.
func (r *runner) auditOverhead(ctx context.Context) (Figure, error) {
	req, err := page.Parse(url.Values{"limit": {"50"}}, referral.InboxSorts(false)...)
	if err != nil {
		return Figure{}, err
	}
	plain, err := store.OpenUnauditedBenchmarkBaseline(ctx, r.cfg.DSN)
	if err != nil {
		return Figure{}, err
	}
	defer plain.Close()
	inbox := func(db *store.DB) func() error {
		return func() error {
			res, err := db.InboxPage(ctx, r.w.OCMW, referral.Filter{}, req)
			if err == nil && len(res.Items) == 0 {
				err = fmt.Errorf("empty inbox page")
			}
			return err
		}
	}
	var audited, unaudited float64
	for range 2 {
		a, err := closedLoop(ctx, writeClients, r.cfg.Scale.Phase, inbox(r.db))
		if err != nil {
			return Figure{}, err
		}
		u, err := closedLoop(ctx, writeClients, r.cfg.Scale.Phase, inbox(plain))
		if err != nil {
			return Figure{}, err
		}
		audited, unaudited = audited+a/2, unaudited+u/2
	}
	former, err := closedLoop(ctx, writeClients, r.cfg.Scale.Phase, r.formerAuditBaseline(ctx))
	if err != nil {
		return Figure{}, err
	}
	return ratio(audited, unaudited, "pages/s", 0.7, fmt.Sprintf(
		"store.InboxPage (one event a page) ÷ the same InboxPage on an unaudited handle (no event), %d goroutines, alternated twice; "+
			"against the former baseline (the page's two queries by hand, %.0f pages/s) the ratio would be %.3f",
		writeClients, former, audited/former)), nil
}

// formerAuditBaseline is audit_overhead's baseline until 7 December
// 2026: the inbox's referrals (5 columns, by id, no joins) and their
// parents in two queries written by hand on the read pool. Kept only to
// show in the figure's note how much of the old ratio was the page's own
// cost.
func (r *runner) formerAuditBaseline(ctx context.Context) func() error {
	ph := "?"
	sqlDB := r.db.SQL()
	if r.db.Dialect() == store.Postgres {
		ph = "$1"
	}
	return func() error {
		rows, err := sqlDB.QueryContext(ctx, `SELECT id, status, sent_at, agreement_id, team_key FROM referrals WHERE recipient_key = `+ph+
			` AND status IN ('sent', 'received', 'in_progress') ORDER BY id LIMIT 51`, InboxOCMW)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id int64
			var status, team string
			var sent, agr any
			if err := rows.Scan(&id, &status, &sent, &agr, &team); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, strconv.FormatInt(id, 10))
		}
		rows.Close()
		if len(ids) == 0 {
			return nil
		}
		prows, err := sqlDB.QueryContext(ctx, `SELECT referral_id, name FROM referral_parents WHERE referral_id IN (`+strings.Join(ids, ",")+`) ORDER BY referral_id, idx`)
		if err != nil {
			return err
		}
		for prows.Next() {
		}
		prows.Close()
		return prows.Err()
	}
}

// closedLoop runs fn in n goroutines for d and returns calls per second.
func closedLoop(ctx context.Context, n int, d time.Duration, fn func() error) (float64, error) {
	var calls atomic.Int64
	var first error
	var once sync.Once
	end := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for time.Now().Before(end) && ctx.Err() == nil {
				if err := fn(); err != nil {
					once.Do(func() { first = err })
					return
				}
				calls.Add(1)
			}
		})
	}
	wg.Wait()
	if first != nil {
		return 0, first
	}
	return float64(calls.Load()) / time.Since(start).Seconds(), nil
}

// records returns n new rows of a birth batch, in the order of
// birth.Columns: fictitious mothers born in the last 80 days, a co-parent
// in every other row.
func (r *runner) records(n int) [][]string {
	from := int(r.next.Add(int64(n))) - n
	now := time.Now().UTC()
	out := make([][]string, 0, n)
	for i := from; i < from+n; i++ {
		p := places[i%len(places)]
		nm := name(i)
		date := now.AddDate(0, 0, -1-i%80).Format(time.DateOnly)
		early := "nee"
		if i%5 == 0 {
			early = "ja"
		}
		rec := []string{nm, p.street, strconv.Itoa(1 + i%180), "", p.postcode, p.nis,
			fmt.Sprintf("+32470%06d", i%1000000), fmt.Sprintf("moeder%d@example.org", i), birth.Languages[i%len(birth.Languages)],
			"", "", "", "", "", "", "", "", "", date, early}
		if i%2 == 0 {
			rec[9], rec[15] = "Bram "+strings.Fields(nm)[1], fmt.Sprintf("+32480%06d", i%1000000)
		}
		out = append(out, rec)
	}
	return out
}

func batchCSVOf(recs [][]string) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := make([]string, len(birth.Columns))
	for i, c := range birth.Columns {
		header[i] = c.Name
	}
	_ = w.Write(header)
	_ = w.WriteAll(recs)
	return buf.Bytes()
}

func (r *runner) batchCSV(n int) []byte { return batchCSVOf(r.records(n)) }

// importRatio: the clinic's batch import (parse, check, route, store with
// an audit event a row) in rows/s against the raw insert of rows as wide
// into one bare table: one prepared INSERT in one transaction on SQLite,
// COPY on PostgreSQL.
func (r *runner) importRatio(ctx context.Context) (Figure, error) {
	n := r.cfg.Scale.BatchRows
	var rows int
	var took time.Duration
	for took < r.cfg.Scale.Phase || rows == 0 {
		file := r.batchCSV(n)
		t := time.Now()
		rep, err := r.db.ImportBirthBatch(ctx, r.w.Clinic, file, false)
		took += time.Since(t)
		if err != nil {
			return Figure{}, err
		}
		if rep.Created != n {
			return Figure{}, fmt.Errorf("a batch created %d of %d rows (rejected %d)", rep.Created, n, rep.Rejected)
		}
		rows += n
	}
	imported := float64(rows) / took.Seconds()
	raw, closeRaw, err := RawWriter(r.db)
	if err != nil {
		return Figure{}, err
	}
	defer closeRaw()
	rawRate, err := rawInsert(ctx, r.db.Dialect(), raw, func() [][]string { return r.records(n) }, r.cfg.Scale.Phase)
	if err != nil {
		return Figure{}, fmt.Errorf("raw inserts: %w", err)
	}
	r.imported = imported
	return ratio(imported, rawRate, "rows/s", 0.3, fmt.Sprintf("batches of %d rows", n)), nil
}

// importSameTables compares the import with rawSameTables.
func (r *runner) importSameTables(ctx context.Context) (Figure, error) {
	if r.imported == 0 {
		if _, err := r.importRatio(ctx); err != nil {
			return Figure{}, err
		}
	}
	raw, closeRaw, err := RawWriter(r.db)
	if err != nil {
		return Figure{}, err
	}
	defer closeRaw()
	n := r.cfg.Scale.BatchRows
	rawRate, err := rawSameTables(ctx, r.db.Dialect(), raw, r.w.InboxTeam, func() [][]string { return r.records(n) }, r.cfg.Scale.Phase)
	if err != nil {
		return Figure{}, fmt.Errorf("raw inserts into the same tables: %w", err)
	}
	return ratio(r.imported, rawRate, "rows/s", 0.8, fmt.Sprintf("batches of %d rows; raw: a prepared INSERT per notification, parent and audit event, one transaction a batch", n)), nil
}

func (r *runner) insertRatio(ctx context.Context) (Figure, error) {
	// CPU per request as well as requests/s: on a shared machine the rate
	// follows the other programs' load, the CPU a create costs (this
	// process, load generator included, and the database's backends, see
	// cpuClock) far less.
	clock := r.cpuClock(ctx)
	defer clock.sample(50 * time.Millisecond)()
	c0 := clock.now()
	h := attack(posts(r.hello, "", r.birthJSON), writeClients, 0, r.cfg.Scale.Phase)
	if err := checked(h, "hello POST"); err != nil {
		return Figure{}, err
	}
	c1 := clock.now()
	l := attack(posts(r.base+"/api/v1/birth-notifications", r.w.ClinicToken, r.birthJSON), writeClients, 0, r.cfg.Scale.Phase)
	if err := checked(l, "birth notification POST"); err != nil {
		return Figure{}, err
	}
	c2 := clock.now()
	return ratio(l.Throughput, h.Throughput, "req/s", 0.2, fmt.Sprintf("%d clients, p99 %.1f ms; CPU per request %.0f µs (hello %.0f µs)%s",
		writeClients, ms(l.P99), perRequest(c2-c1, l.Requests), perRequest(c1-c0, h.Requests), r.cpuNote)), nil
}

// perRequest is the CPU time d spread over n requests, in microseconds.
func perRequest(d time.Duration, n uint64) float64 {
	if n == 0 {
		return 0
	}
	return float64(d.Microseconds()) / float64(n)
}

func (r *runner) birthJSON(int64) []byte {
	rec := r.records(1)[0]
	in := birth.NewNotification{Mother: birth.Parent{Name: rec[0], Street: rec[1], Number: rec[2], Postcode: rec[4], MunicipalityNIS: rec[5],
		Phone: rec[6], Email: rec[7], Language: rec[8]}, ChildBirthDate: rec[18]}
	b, _ := json.Marshal(in)
	return b
}

// verifyRatio sequences the generated events into the access log, signs
// a checkpoint, and times `audit verify` against SHA-256 of the events'
// canonical records (the same bytes the verification hashes).
func (r *runner) verifyRatio(ctx context.Context) (Figure, error) {
	lg, err := r.auditLog(ctx)
	if err != nil {
		return Figure{}, err
	}
	t := time.Now()
	rep, err := lg.Verify(ctx, nil)
	took := time.Since(t)
	if err != nil {
		return Figure{}, err
	}
	if !rep.OK() {
		return Figure{}, fmt.Errorf("the log does not verify: %s", rep.Problem.Message)
	}
	verified := float64(rep.Size) / took.Seconds()
	// The baseline: the leaf hash of records like the generated ones.
	recs := make([][]byte, 0, 1000)
	for i := range 1000 {
		ev := audit.Event{ID: int64(i + 1), At: time.Now().UTC(), ActorEmail: "ocmw@bench.example.org", ActorRole: "ocmw_worker", ActorOrg: InboxOCMW,
			Action: "referral.read", ObjectType: "referral", ObjectID: strconv.Itoa(1000000 + i), Purpose: "follow_up", Outcome: audit.OK}
		recs = append(recs, auditlog.Record(ev, []byte("0123456789abcdef")))
	}
	t = time.Now()
	var sink byte
	for i := range rep.Size {
		s := sha256.Sum256(recs[i%int64(len(recs))])
		sink ^= s[0]
	}
	_ = sink
	base := float64(rep.Size) / time.Since(t).Seconds()
	return ratio(verified, base, "events/s", 0.5, fmt.Sprintf("%d events", rep.Size)), nil
}

// auditLog is the access log over the generated events, sequenced and
// signed once per run.
func (r *runner) auditLog(ctx context.Context) (*auditlog.Log, error) {
	if r.lg != nil {
		return r.lg, nil
	}
	skey, _, err := auditlog.GenerateKey("bench.kansrijk.example")
	if err != nil {
		return nil, err
	}
	lg, err := auditlog.New(r.db, auditlog.Config{PrivateKey: skey})
	if err != nil {
		return nil, err
	}
	for {
		n, err := lg.Sequence(ctx)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			break
		}
	}
	if _, _, err := lg.Sign(ctx); err != nil {
		return nil, err
	}
	r.lg = lg
	return lg, nil
}

// proof is the median time of an inclusion proof of a random leaf.
func (r *runner) proof(ctx context.Context) (Figure, error) {
	lg, err := r.auditLog(ctx)
	if err != nil {
		return Figure{}, err
	}
	size, err := r.db.AuditTreeSize(ctx)
	if err != nil || size == 0 {
		return Figure{}, fmt.Errorf("tree size %d: %v", size, err)
	}
	// As the audit log's runner does in serve at start and after each
	// checkpoint: the proofs measured are those of a running server.
	warm := time.Now()
	if err := lg.WarmProofs(ctx); err != nil {
		return Figure{}, err
	}
	warmed := time.Since(warm)
	var ds []time.Duration
	for range 200 {
		t := time.Now()
		if _, err := lg.InclusionProof(ctx, rand.Int64N(size), size); err != nil {
			return Figure{}, err
		}
		ds = append(ds, time.Since(t))
	}
	v := ms(median(ds))
	return Figure{Value: v, Unit: "ms", Met: met(v, 1, false), Note: fmt.Sprintf("median of 200 proofs at %d events; the tree's upper levels loaded in %s first", size, warmed.Round(time.Millisecond))}, nil
}

func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// statsReps is how many times stats times the year's statistics.
const statsReps = 5

// stats is the median time of a year's referral statistics over the API
// (GET /api/v1/reports/outcomes: the twelve months up to the last
// published quarter, by month, birth notifications included), as an
// administrator; the second half of the report_ms. The server
// keeps the cells of closed months (store/outcome_kept.go), so the first
// request after its start, which counts them, is timed apart as
// stats_cold_ms, and stats_ms is the median of the 5 after it.
func (r *runner) stats(ctx context.Context) (Figure, error) {
	cold, err := timedGet(ctx, r.base+"/api/v1/reports/outcomes", r.w.AdminToken)
	if err != nil {
		return Figure{}, err
	}
	c := ms(cold)
	r.figs["stats_cold_ms"] = Figure{Value: c, Unit: "ms", Met: met(c, 1000, false), Target: targets["stats_cold_ms"],
		Note: fmt.Sprintf("the first GET /api/v1/reports/outcomes of the server, %d referrals and %d birth notifications in the database",
			r.w.Counts["referrals"], r.w.Counts["birth_notifications"])}
	var ds []time.Duration
	for range statsReps {
		d, err := timedGet(ctx, r.base+"/api/v1/reports/outcomes", r.w.AdminToken)
		if err != nil {
			return Figure{}, err
		}
		ds = append(ds, d)
	}
	v := ms(median(ds))
	return Figure{Value: v, Unit: "ms", Met: met(v, 1000, false),
		Note: fmt.Sprintf("median of %d GET /api/v1/reports/outcomes (a year by month) after the first, %d referrals and %d birth notifications in the database",
			statsReps, r.w.Counts["referrals"], r.w.Counts["birth_notifications"])}, nil
}

// report is the median time of the agreements report (as of today) over
// the API, as an administrator.
func (r *runner) report(ctx context.Context) (Figure, error) {
	var ds []time.Duration
	for range 20 {
		req, _ := http.NewRequestWithContext(ctx, "GET", r.base+"/api/v1/reports/agreements", nil)
		req.Header.Set("Authorization", "Bearer "+r.w.AdminToken)
		t := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return Figure{}, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return Figure{}, fmt.Errorf("the agreements report answered %d", resp.StatusCode)
		}
		ds = append(ds, time.Since(t))
	}
	v := ms(median(ds))
	return Figure{Value: v, Unit: "ms", Met: met(v, 50, false),
		Note: fmt.Sprintf("agreements as-of report, %d agreements; the year's referral statistics: stats_ms", r.w.Agreements)}, nil
}
