package reliability

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"kansrijk/internal/api"
	"kansrijk/internal/store"
)

// TestCrash drives whole referral flows, birth batch imports and agreement
// steps through the API of a kansrijk serve process, kills it with SIGKILL
// at a random moment, and checks on the database (with the process gone):
// every write acknowledged with a 2xx before the kill is there, no batch
// is half in, nothing is stored twice; then it restarts the process on the
// same database, first retries what was not acknowledged (the same batch
// file, the next step of a flow after reading its state), and goes on.
// KANSRIJK_CRASH_KILLS kills per database (default 20; `make crash` 200).
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("crash harness: not in -short")
	}
	kills := envInt(t, "KANSRIJK_CRASH_KILLS", 20)
	forEachDatabase(t, func(t *testing.T, d store.Dialect, dsn string) {
		began := time.Now()
		tokens := loadDemo(t, dsn, teamWorker, teamLead, clinicUser)
		t.Logf("build and demo data: %s", time.Since(began).Round(time.Millisecond))
		srv := newServer(t, dsn)
		h := &crashRun{base: baseline(t, dsn), t: t, dsn: dsn, srv: srv, tokens: tokens, led: newLedger(), rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7)),
			born: time.Now().AddDate(0, 0, -3)}
		start := time.Now()
		for cycle := 1; cycle <= kills; cycle++ {
			h.cycle(cycle)
			if t.Failed() {
				break
			}
			if cycle%25 == 0 {
				t.Logf("%d kills, %s", cycle, time.Since(start).Round(time.Second))
			}
		}
		// A last start: retry what the last kill interrupted, then verify
		// after a clean stop.
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		h.resume(context.Background(), kills+1)
		srv.Stop()
		h.verify(kills + 1)
		fig := h.figures(d, kills, time.Since(start))
		writeFigures(t, fmt.Sprintf("crash-%s.json", d), fig)
		t.Logf("crash %s: %d kills, acknowledged %v, interrupted %d, violations %d", d, kills, fig.Acknowledged, fig.Interrupted, len(fig.Violations))
	})
}

// ledger is what the clients know: what was acknowledged, and what was
// sent without an answer.
type ledger struct {
	mu         sync.Mutex
	refs       map[int64]*refState // acknowledged creations
	refOrder   []int64
	batches    map[string]*batchState // by the file's SHA-256
	batchOrder []string
	agreements map[int64]bool // acknowledged creations
	events     map[int64]bool // acknowledged steps
	current    map[string]*agrState
	acked      map[string]int // acknowledged writes per kind
	attempted  map[string]int
	retried    map[string]int
	unexpected []string // answers that were neither 2xx nor expected, before the kill
	interrupt  int      // requests without an answer because of the kill
}

type refState struct {
	consented, sent, busy bool
}

type batchState struct {
	file  []byte
	rows  int
	acked bool
	cycle int // the cycle that sent it first
}

type agrState struct {
	id     int64
	status string
}

func newLedger() *ledger {
	return &ledger{refs: map[int64]*refState{}, batches: map[string]*batchState{}, agreements: map[int64]bool{}, events: map[int64]bool{},
		current: map[string]*agrState{}, acked: map[string]int{}, attempted: map[string]int{}, retried: map[string]int{}}
}

// ids are the highest ids of the demo data: what the harness checks
// beyond the ledger (audit records, for instance) starts above them.
type ids struct{ referral, agreement int64 }

// baseline reads the highest ids after the demo data were loaded.
func baseline(t *testing.T, dsn string) ids {
	db, err := openRaw(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b ids
	if err := db.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM referrals`).Scan(&b.referral); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM agreements`).Scan(&b.agreement); err != nil {
		t.Fatal(err)
	}
	return b
}

// crashRun is one database's run.
type crashRun struct {
	t      *testing.T
	dsn    string
	srv    *Server
	tokens map[string]string
	led    *ledger
	rng    *rand.Rand
	born   time.Time

	base       ids // the highest ids of the demo data
	restarts   []time.Duration
	violations []string
	killAt     time.Time
	mu         sync.Mutex // guards killAt
}

// agreementNIS are municipalities of the demo team without an agreement:
// the agreement clients walk them through the lifecycle, again and again.
var agreementNIS = []string{"13001", "13002"}

// cycle: start, retry, write for a random while, kill, verify.
func (h *crashRun) cycle(n int) {
	t := h.t
	began := time.Now()
	if err := h.srv.Start(); err != nil {
		t.Fatalf("cycle %d: %v", n, err)
	}
	h.restarts = append(h.restarts, time.Since(began))
	ctx, cancel := context.WithCancel(context.Background())
	h.mu.Lock()
	h.killAt = time.Time{}
	h.mu.Unlock()
	var wg sync.WaitGroup
	// The retries of the batch files the last kill left without an
	// answer run beside the fresh work (were they first, a backlog longer
	// than the time to the next kill would never drain and starve the
	// other clients); the kill may come in the middle of either.
	wg.Go(func() { h.resume(ctx, n) })
	for w := range 3 {
		wg.Go(func() { h.referralWorker(ctx, n, w) })
	}
	wg.Go(func() { h.batchWorker(ctx, n) })
	for _, nis := range agreementNIS {
		wg.Go(func() { h.agreementWorker(ctx, nis) })
	}
	wait := time.Duration(100+h.rng.IntN(1400)) * time.Millisecond
	time.Sleep(wait)
	h.mu.Lock()
	h.killAt = time.Now()
	h.mu.Unlock()
	h.srv.Kill()
	cancel()
	wg.Wait()
	h.verify(n)
}

// killed tells whether the kill has happened.
func (h *crashRun) killed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.killAt.IsZero()
}

// attempt counts a write that reached the server (the ledger is locked).
func (h *crashRun) attempt(method, kind string) {
	if method != http.MethodGet {
		h.led.attempted[kind]++
	}
}

// call sends one write or read and sorts the outcome: ok is a 2xx; an
// answer that is neither 2xx nor in expected is recorded as unexpected;
// no answer because of the kill counts as interrupted, and a request
// sent after the kill (refused) as nothing.
func (h *crashRun) call(ctx context.Context, who, kind, method, path, ctype string, body []byte, expected ...int) (status int, resp []byte, ok bool) {
	c := newClient(h.srv.URL(), h.tokens[who], 30*time.Second)
	defer c.http.CloseIdleConnections()
	began := time.Now()
	status, resp, err := c.do(ctx, method, path, ctype, body)
	if err != nil {
		h.mu.Lock()
		killAt := h.killAt
		h.mu.Unlock()
		h.led.mu.Lock()
		switch {
		case !killAt.IsZero() && began.Before(killAt):
			h.led.interrupt++ // in flight when the process died
			h.attempt(method, kind)
		case !killAt.IsZero() || errors.Is(err, context.Canceled):
			// sent after the kill: refused, not lost
		default:
			h.led.unexpected = append(h.led.unexpected, fmt.Sprintf("%s %s: %v", method, path, err))
			h.attempt(method, kind)
		}
		h.led.mu.Unlock()
		return 0, nil, false
	}
	h.led.mu.Lock()
	h.attempt(method, kind)
	h.led.mu.Unlock()
	if status >= 200 && status < 300 {
		return status, resp, true
	}
	if !slices.Contains(expected, status) {
		h.led.mu.Lock()
		h.led.unexpected = append(h.led.unexpected, fmt.Sprintf("%s %s: %d %s", method, path, status, truncate(resp, 300)))
		h.led.mu.Unlock()
	}
	return status, resp, false
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// claimReferral returns an acknowledged referral whose flow is not done
// and no client works on, or 0.
func (l *ledger) claimReferral() (int64, refState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range l.refOrder {
		if r := l.refs[id]; !r.sent && !r.busy {
			r.busy = true
			return id, *r
		}
	}
	return 0, refState{}
}

// referralWorker creates referrals and takes each through consent and
// sending; unfinished flows of earlier cycles are taken up first, after
// reading their state (a careful client does not record a consent twice).
func (h *crashRun) referralWorker(ctx context.Context, cycle, w int) {
	for n := 0; ctx.Err() == nil; n++ {
		id, st := h.led.claimReferral()
		if id != 0 {
			h.finishReferral(ctx, id, st, true)
			continue
		}
		status, resp, ok := h.call(ctx, teamWorker, "referral.create", "POST", "/api/v1/referrals", "", referralBody(fmt.Sprintf("Fictief Gezin %d-%d-%d", cycle, w, n)))
		if !ok {
			if status == 0 {
				return
			}
			continue
		}
		var out struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(resp, &out); err != nil || out.ID == 0 {
			h.violation("referral create answered %d without an id: %s", status, truncate(resp, 200))
			continue
		}
		h.led.mu.Lock()
		h.led.refs[out.ID] = &refState{busy: true}
		h.led.refOrder = append(h.led.refOrder, out.ID)
		h.led.acked["referral.create"]++
		h.led.mu.Unlock()
		h.finishReferral(ctx, out.ID, refState{}, false)
	}
}

// finishReferral records consent and sends. resumed: the flow was cut by
// a kill, so its state is read first.
func (h *crashRun) finishReferral(ctx context.Context, id int64, st refState, resumed bool) {
	defer func() {
		h.led.mu.Lock()
		h.led.refs[id].busy = false
		h.led.mu.Unlock()
	}()
	path := fmt.Sprintf("/api/v1/referrals/%d", id)
	if resumed {
		_, resp, ok := h.call(ctx, teamWorker, "referral.read", "GET", path, "", nil)
		if !ok {
			return
		}
		var cur struct {
			Status   string            `json:"status"`
			Consents []json.RawMessage `json:"consents"`
		}
		_ = json.Unmarshal(resp, &cur)
		if len(cur.Consents) > 0 {
			st.consented = true
		}
		if cur.Status != "draft" {
			h.led.mu.Lock()
			h.led.refs[id].consented, h.led.refs[id].sent = true, true
			h.led.mu.Unlock()
			return
		}
	}
	if !st.consented {
		if resumed {
			h.led.mu.Lock()
			h.led.retried["referral.consent"]++
			h.led.mu.Unlock()
		}
		if _, _, ok := h.call(ctx, teamWorker, "referral.consent", "POST", path+"/consents", "", consentBody); !ok {
			return
		}
		h.led.mu.Lock()
		h.led.refs[id].consented = true
		h.led.acked["referral.consent"]++
		h.led.mu.Unlock()
	}
	if resumed {
		h.led.mu.Lock()
		h.led.retried["referral.send"]++
		h.led.mu.Unlock()
	}
	if _, _, ok := h.call(ctx, teamWorker, "referral.send", "POST", path+"/send", "", nil); !ok {
		return
	}
	h.led.mu.Lock()
	h.led.refs[id].sent = true
	h.led.acked["referral.send"]++
	h.led.mu.Unlock()
}

// batchReport is the part of the import report the harness checks.
type batchReport struct {
	BatchID         int64 `json:"batch_id"`
	Accepted        bool  `json:"accepted"`
	AlreadyReceived bool  `json:"already_received"`
	RowCount        int   `json:"row_count"`
	Created         int   `json:"created"`
	Existing        int   `json:"existing"`
	Rejected        int   `json:"rejected"`
}

// sendBatch posts a file and checks the report; true when acknowledged.
func (h *crashRun) sendBatch(ctx context.Context, sum string, b *batchState, retry bool) bool {
	status, resp, ok := h.call(ctx, clinicUser, "birth.batch", "POST", "/api/v1/birth-notifications/batches", "text/csv; charset=utf-8", b.file)
	if !ok {
		return false
	}
	var rep batchReport
	if err := json.Unmarshal(resp, &rep); err != nil {
		h.violation("batch report %d unreadable: %v", status, err)
		return false
	}
	switch {
	case !rep.Accepted || rep.Rejected > 0 || rep.RowCount != b.rows:
		h.violation("batch %s.. of %d rows: %d %s", sum[:12], b.rows, status, truncate(resp, 300))
	case status == http.StatusCreated && (rep.AlreadyReceived || rep.Created != b.rows):
		h.violation("batch %s.. of %d rows created %d (already_received %t)", sum[:12], b.rows, rep.Created, rep.AlreadyReceived)
	case status == http.StatusOK && (!rep.AlreadyReceived || rep.Existing != b.rows || rep.Created != 0):
		h.violation("batch %s.. of %d rows sent again: created %d existing %d already_received %t", sum[:12], b.rows, rep.Created, rep.Existing, rep.AlreadyReceived)
	case status == http.StatusOK && !retry:
		h.violation("a new batch %s.. answered already_received", sum[:12])
	}
	h.led.mu.Lock()
	b.acked = true
	h.led.acked["birth.batch"]++
	h.led.mu.Unlock()
	return true
}

// batchWorker sends new CSV files of 1–30 rows, one after the other.
func (h *crashRun) batchWorker(ctx context.Context, cycle int) {
	for n := 0; ctx.Err() == nil; n++ {
		rows := 1 + rand.IntN(30)
		file := batchCSV("Crash "+letters(cycle, 3)+letters(n, 3), rows, h.born)
		s := sha256.Sum256(file)
		sum := hex.EncodeToString(s[:])
		b := &batchState{file: file, rows: rows, cycle: cycle}
		h.led.mu.Lock()
		h.led.batches[sum] = b
		h.led.batchOrder = append(h.led.batchOrder, sum)
		h.led.mu.Unlock()
		if !h.sendBatch(ctx, sum, b, false) && (ctx.Err() != nil || h.killed()) {
			return
		}
	}
}

// agreementWorker walks an agreement of nis through its lifecycle:
// creation (interested), draft, approved, signed, active, ended, and again.
func (h *crashRun) agreementWorker(ctx context.Context, nis string) {
	// The server's today is Brussels' (past 23:00 UTC in winter it is
	// already tomorrow there): an effective date before the agreement's
	// own first step would be refused.
	today := api.Today(time.Now()).Format(time.DateOnly)
	next := map[string]map[string]any{
		"interested": {"status": "draft", "effective_on": today},
		"draft":      {"status": "approved", "effective_on": today, "council_decision_on": today, "council_reference": "RMW/fictief"},
		"approved": {"status": "signed", "effective_on": today, "signatures": []map[string]string{
			{"function": "administrator_general", "name": "Fictieve Administrateur", "signed_on": today},
			{"function": "council_chair", "name": "Fictieve Voorzitter", "signed_on": today},
			{"function": "general_director", "name": "Fictieve Directeur", "signed_on": today}}},
		"signed": {"status": "active", "effective_on": today},
		"active": {"status": "ended", "effective_on": today, "reason": "opgezegd"},
	}
	if !h.syncAgreement(ctx, nis) {
		return
	}
	for ctx.Err() == nil {
		h.led.mu.Lock()
		cur := h.led.current[nis]
		h.led.mu.Unlock()
		if cur == nil {
			status, resp, ok := h.call(ctx, teamLead, "agreement.create", "POST", "/api/v1/agreements", "", jsonBody(map[string]string{"team": demoTeam, "municipality_nis": nis}))
			if !ok {
				if status == 0 {
					return
				}
				continue
			}
			var a struct {
				ID     int64  `json:"id"`
				Status string `json:"status"`
			}
			_ = json.Unmarshal(resp, &a)
			h.led.mu.Lock()
			h.led.agreements[a.ID] = true
			h.led.current[nis] = &agrState{a.ID, a.Status}
			h.led.acked["agreement.create"]++
			h.led.mu.Unlock()
			continue
		}
		status, resp, ok := h.call(ctx, teamLead, "agreement.event", "POST", fmt.Sprintf("/api/v1/agreements/%d/events", cur.id), "", jsonBody(next[cur.status]))
		if !ok {
			if status == 0 {
				return
			}
			continue
		}
		var ev struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		_ = json.Unmarshal(resp, &ev)
		h.led.mu.Lock()
		h.led.events[ev.ID] = true
		h.led.acked["agreement.event"]++
		if ev.Status == "ended" {
			delete(h.led.current, nis)
		} else {
			h.led.current[nis] = &agrState{cur.id, ev.Status}
		}
		h.led.mu.Unlock()
	}
}

// resume retries, after a restart, what the kill left without an answer:
// every batch file not acknowledged is sent again (and one acknowledged
// file, which must create nothing). Referral flows and agreements are
// taken up by their clients, which read their state first.
func (h *crashRun) resume(ctx context.Context, cycle int) {
	h.led.mu.Lock()
	var todo []string
	for _, sum := range h.led.batchOrder {
		// Only earlier cycles' files: this cycle's are the batch client's.
		if b := h.led.batches[sum]; !b.acked && b.cycle < cycle {
			todo = append(todo, sum)
		}
	}
	if len(h.led.batchOrder) > 0 {
		todo = append(todo, h.led.batchOrder[rand.IntN(len(h.led.batchOrder))])
	}
	h.led.mu.Unlock()
	for _, sum := range todo {
		h.led.mu.Lock()
		h.led.retried["birth.batch"]++
		b := h.led.batches[sum]
		h.led.mu.Unlock()
		if !h.sendBatch(ctx, sum, b, true) {
			return
		}
	}
}

// syncAgreement reads where the agreement of nis stands (after a restart
// the last step may have been stored without an answer); false when the
// server did not answer. The list comes in pages: the newest first, so an
// open agreement is on the first page however many ended before it.
func (h *crashRun) syncAgreement(ctx context.Context, nis string) bool {
	_, resp, ok := h.call(ctx, teamLead, "agreement.read", "GET", "/api/v1/agreements?municipality="+nis+"&sort=-id&limit=500", "", nil)
	if !ok {
		return false
	}
	var list struct {
		Agreements []struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		} `json:"agreements"`
	}
	_ = json.Unmarshal(resp, &list)
	h.led.mu.Lock()
	delete(h.led.current, nis)
	open := 0
	for _, a := range list.Agreements {
		if a.Status != "ended" && a.Status != "withdrawn" {
			h.led.current[nis] = &agrState{a.ID, a.Status}
			open++
		}
	}
	h.led.mu.Unlock()
	if open > 1 {
		h.violation("%d open agreements for %s", open, nis)
	}
	return true
}

func (h *crashRun) violation(format string, args ...any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	msg := fmt.Sprintf(format, args...)
	h.violations = append(h.violations, msg)
	h.t.Error(msg)
}

// verify checks the database with the process gone.
func (h *crashRun) verify(cycle int) {
	t := h.t
	ctx := context.Background()
	q, err := openRaw(h.dsn)
	if err != nil {
		t.Fatalf("cycle %d: open database: %v", cycle, err)
	}
	defer q.Close()
	l := h.led
	l.mu.Lock()
	defer l.mu.Unlock()

	// Referrals: every acknowledged creation, consent and sending.
	status := map[int64]string{}
	scanRows(t, q, `SELECT id, status FROM referrals`, func(r *sql.Rows) error {
		var id int64
		var s string
		err := r.Scan(&id, &s)
		status[id] = s
		return err
	})
	consents := map[int64]int{}
	scanRows(t, q, `SELECT referral_id, parent_idx, COUNT(*) FROM referral_consents GROUP BY referral_id, parent_idx`, func(r *sql.Rows) error {
		var id int64
		var idx, n int
		err := r.Scan(&id, &idx, &n)
		consents[id] += n
		return err
	})
	for _, id := range l.refOrder {
		st := l.refs[id]
		s, ok := status[id]
		switch {
		case !ok:
			h.violationLocked("cycle %d: acknowledged referral %d is gone", cycle, id)
		case st.consented && consents[id] == 0:
			h.violationLocked("cycle %d: acknowledged consent of referral %d is gone", cycle, id)
		case consents[id] > 1:
			h.violationLocked("cycle %d: referral %d has %d consent records for one parent", cycle, id, consents[id])
		case st.sent && s != "sent":
			h.violationLocked("cycle %d: acknowledged sending of referral %d: status %s", cycle, id, s)
		}
	}

	// Batches: all rows of a file or none, acknowledged ones all.
	perBatch := map[int64]int{}
	scanRows(t, q, `SELECT batch_id, COUNT(*) FROM birth_notifications WHERE batch_id IS NOT NULL GROUP BY batch_id`, func(r *sql.Rows) error {
		var id int64
		var n int
		err := r.Scan(&id, &n)
		perBatch[id] = n
		return err
	})
	held := map[string]int{}
	scanRows(t, q, `SELECT id, file_sha256 FROM birth_batches WHERE clinic_key = '`+demoClinicKey+`'`, func(r *sql.Rows) error {
		var id int64
		var sum string
		err := r.Scan(&id, &sum)
		held[sum] = perBatch[id]
		return err
	})
	for _, sum := range l.batchOrder {
		b := l.batches[sum]
		n, ok := held[sum]
		switch {
		case !ok && b.acked:
			h.violationLocked("cycle %d: acknowledged batch %s.. (%d rows) is gone", cycle, sum[:12], b.rows)
		case ok && n != b.rows:
			h.violationLocked("cycle %d: batch %s.. holds %d of its %d rows", cycle, sum[:12], n, b.rows)
		}
	}
	var dups int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT natural_key FROM birth_notifications WHERE natural_key IS NOT NULL
		GROUP BY natural_key HAVING COUNT(*) > 1) d`).Scan(&dups); err != nil {
		t.Fatalf("cycle %d: duplicates: %v", cycle, err)
	}
	if dups > 0 {
		h.violationLocked("cycle %d: %d birth notifications stored twice", cycle, dups)
	}
	var batchDups int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT file_sha256 FROM birth_batches GROUP BY clinic_key, file_sha256 HAVING COUNT(*) > 1) d`).Scan(&batchDups); err != nil {
		t.Fatalf("cycle %d: duplicate batches: %v", cycle, err)
	}
	if batchDups > 0 {
		h.violationLocked("cycle %d: %d batch files stored twice", cycle, batchDups)
	}

	// Agreements: acknowledged creations and steps; one open agreement
	// per municipality at most.
	agr := map[int64]bool{}
	scanRows(t, q, `SELECT id FROM agreements`, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		agr[id] = true
		return err
	})
	evs := map[int64]bool{}
	scanRows(t, q, `SELECT id FROM agreement_events`, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		evs[id] = true
		return err
	})
	for id := range l.agreements {
		if !agr[id] {
			h.violationLocked("cycle %d: acknowledged agreement %d is gone", cycle, id)
		}
	}
	for id := range l.events {
		if !evs[id] {
			h.violationLocked("cycle %d: acknowledged agreement event %d is gone", cycle, id)
		}
	}
	for _, nis := range agreementNIS {
		var open int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM agreements WHERE municipality_nis = $1 AND status NOT IN ('ended', 'withdrawn')`, nis).Scan(&open); err != nil {
			t.Fatalf("cycle %d: open agreements: %v", cycle, err)
		}
		if open > 1 {
			h.violationLocked("cycle %d: %d open agreements for %s", cycle, open, nis)
		}
	}
	h.verifyAudit(cycle, q)
	for _, u := range l.unexpected {
		h.violationLocked("cycle %d: unexpected answer before the kill: %s", cycle, u)
	}
	l.unexpected = nil
}

// verifyAudit checks that every write the harness made, acknowledged or
// not, has its audit record and no write has one without being there
// (they are written in the same transaction): one referral.create per
// referral, one referral.consent per consent record, one referral.send per
// sent referral, one agreement.create per agreement and one
// agreement.event per step after the first, at least one birth.batch per
// batch file.
func (h *crashRun) verifyAudit(cycle int, q *sql.DB) {
	t := h.t
	type key struct {
		id     string
		action string
	}
	audits := map[key]int{}
	scanRows(t, q, `SELECT object_id, action, COUNT(*) FROM audit_events WHERE outcome = 'ok' AND
		action IN ('referral.create', 'referral.consent', 'referral.send', 'agreement.create', 'agreement.event', 'birth.batch')
		GROUP BY object_id, action`, func(r *sql.Rows) error {
		var k key
		var n int
		err := r.Scan(&k.id, &k.action, &n)
		audits[k] = n
		return err
	})
	want := func(id int64, action string, n int, what string) {
		if got := audits[key{strconv.FormatInt(id, 10), action}]; got != n {
			h.violationLocked("cycle %d: %s %d: %d %s audit records, want %d", cycle, what, id, got, action, n)
		}
	}
	type refRow struct {
		id       int64
		status   string
		consents int
	}
	var refs []refRow
	scanRows(t, q, fmt.Sprintf(`SELECT r.id, r.status, (SELECT COUNT(*) FROM referral_consents c WHERE c.referral_id = r.id)
		FROM referrals r WHERE r.id > %d`, h.base.referral), func(r *sql.Rows) error {
		var x refRow
		err := r.Scan(&x.id, &x.status, &x.consents)
		refs = append(refs, x)
		return err
	})
	for _, r := range refs {
		want(r.id, "referral.create", 1, "referral")
		want(r.id, "referral.consent", r.consents, "referral")
		sent := 0
		if r.status == "sent" {
			sent = 1
		}
		want(r.id, "referral.send", sent, "referral")
	}
	type agrRow struct {
		id     int64
		events int
	}
	var agrs []agrRow
	scanRows(t, q, fmt.Sprintf(`SELECT a.id, (SELECT COUNT(*) FROM agreement_events e WHERE e.agreement_id = a.id)
		FROM agreements a WHERE a.id > %d`, h.base.agreement), func(r *sql.Rows) error {
		var x agrRow
		err := r.Scan(&x.id, &x.events)
		agrs = append(agrs, x)
		return err
	})
	for _, a := range agrs {
		want(a.id, "agreement.create", 1, "agreement")
		want(a.id, "agreement.event", a.events-1, "agreement")
	}
	unaudited := 0
	scanRows(t, q, `SELECT id FROM birth_batches`, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		if audits[key{strconv.FormatInt(id, 10), "birth.batch"}] == 0 {
			unaudited++
		}
		return err
	})
	if unaudited > 0 {
		h.violationLocked("cycle %d: %d batch files without an audit record", cycle, unaudited)
	}
}

// openRaw opens the database for the checks only, without the store's
// start-up work (it loads the municipal boundaries).
func openRaw(dsn string) (*sql.DB, error) {
	d, src, err := store.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if d == store.SQLite {
		return sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	}
	return sql.Open("pgx", src)
}

// violationLocked is violation for callers holding the ledger's lock.
func (h *crashRun) violationLocked(format string, args ...any) { h.violation(format, args...) }

func scanRows(t *testing.T, q *sql.DB, query string, each func(*sql.Rows) error) {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func (h *crashRun) figures(d store.Dialect, kills int, took time.Duration) CrashFigures {
	l := h.led
	l.mu.Lock()
	defer l.mu.Unlock()
	rows := 0
	for _, b := range l.batches {
		rows += b.rows
	}
	rs := slices.Clone(h.restarts)
	sort.Slice(rs, func(i, j int) bool { return rs[i] < rs[j] })
	f := CrashFigures{Harness: "crash", Database: string(d), FinishedAt: time.Now().UTC().Format(time.RFC3339), Machine: machine(), Kills: kills,
		Duration: took.Round(time.Second).String(), Attempted: l.attempted, Acknowledged: l.acked, Retried: l.retried, Interrupted: l.interrupt,
		Referrals: len(l.refOrder), Batches: len(l.batchOrder), BatchRows: rows, Violations: h.violations}
	if len(rs) > 0 {
		f.RestartP50, f.RestartMax = rs[len(rs)/2].Round(time.Millisecond).String(), rs[len(rs)-1].Round(time.Millisecond).String()
	}
	if f.Violations == nil {
		f.Violations = []string{}
	}
	return f
}
