package auditlog_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"kansrijk/internal/audit"
	"kansrijk/internal/auditlog"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// fixture is a migrated database with an audit log over it and a second,
// raw connection: the attacker's, who changes the tables directly.
type fixture struct {
	dialect  store.Dialect
	dsn      string
	db       *store.DB
	log      *auditlog.Log
	attacker *sql.DB
}

func newFixture(t testing.TB, d store.Dialect) *fixture {
	t.Helper()
	dsn := storetest.DSN(t, d)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	skey, _, err := auditlog.GenerateKey(auditlog.DefaultOrigin)
	if err != nil {
		t.Fatal(err)
	}
	l, err := auditlog.New(db, auditlog.Config{PrivateKey: skey})
	if err != nil {
		t.Fatal(err)
	}
	var att *sql.DB
	if d == store.SQLite {
		att, err = sql.Open("sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:")+"?_pragma=busy_timeout(10000)")
	} else {
		att, err = sql.Open("pgx", dsn)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { att.Close() })
	return &fixture{dialect: d, dsn: dsn, db: db, log: l, attacker: att}
}

// event returns a synthetic read event number i.
func event(i int) audit.Event {
	return audit.Event{ActorUserID: int64(100 + i%7), ActorEmail: fmt.Sprintf("worker%d@ocmw.test", i%7), ActorRole: "ocmw_worker",
		ActorOrg: "ocmw-13016", Channel: "session", Action: "referral.read", ObjectType: "referral",
		ObjectID: fmt.Sprint(i), ReceiptCode: fmt.Sprintf("R-%04d", i), Purpose: "early contact", AgreementID: 4,
		Outcome: audit.OK, RequestID: fmt.Sprintf("req%d", i), ClientAddr: "192.0.2.7"}
}

// append writes n events, sequences them and signs a checkpoint.
func (f *fixture) append(t *testing.T, n int) auditlog.Checkpoint {
	t.Helper()
	ctx := context.Background()
	evs := make([]audit.Event, n)
	for i := range evs {
		evs[i] = event(i)
	}
	if err := f.db.AppendAuditEvents(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.Sequence(ctx); err != nil {
		t.Fatal(err)
	}
	c, made, err := f.log.Sign(ctx)
	if err != nil || !made {
		t.Fatalf("sign: %v, made %v", err, made)
	}
	return c
}

func (f *fixture) exec(t *testing.T, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := f.attacker.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// dropGuards removes the append-only guards as an attacker with the
// database owner's rights would.
func (f *fixture) dropGuards(t *testing.T) {
	t.Helper()
	if f.dialect == store.Postgres {
		for _, tbl := range []string{"audit_events", "audit_leaves", "audit_tree", "audit_checkpoints"} {
			f.exec(t, "ALTER TABLE "+tbl+" DISABLE TRIGGER USER")
		}
		return
	}
	for _, tr := range []string{"audit_events_no_update", "audit_events_no_delete", "audit_leaves_no_update", "audit_leaves_no_delete",
		"audit_tree_no_update", "audit_tree_no_delete", "audit_checkpoints_no_update", "audit_checkpoints_no_delete"} {
		f.exec(t, "DROP TRIGGER "+tr)
	}
}

func (f *fixture) eventAt(t *testing.T, leaf int64) int64 {
	t.Helper()
	var id int64
	if err := f.attacker.QueryRow(`SELECT event_id FROM audit_leaves WHERE leaf_index = $1`, leaf).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) verify(t *testing.T) auditlog.Report {
	t.Helper()
	rep, err := f.log.Verify(context.Background(), nil)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep
}

// The canonical record is the contract's: field order, time layout, the
// private commitment as salted SHA-256.
func TestRecordFormat(t *testing.T) {
	ev := event(3)
	ev.ID = 123
	ev.At = time.Date(2026, 12, 6, 23, 38, 30, 123456000, time.UTC)
	got := string(auditlog.Record(ev, []byte("0123456789abcdef")))
	want := `{"v":1,"id":123,"at":"2026-12-06T23:38:30.123456Z","actor_role":"ocmw_worker","actor_org":"ocmw-13016",` +
		`"actor_service":false,"channel":"session","action":"referral.read","object_type":"referral","object_id":"3",` +
		`"receipt_code":"R-0003","purpose":"early contact","agreement_id":4,"outcome":"ok","private":"` +
		auditlog.Private(ev, []byte("0123456789abcdef")) + `"}`
	if got != want {
		t.Errorf("record\n got %s\nwant %s", got, want)
	}
	if strings.Contains(got, "worker3") || strings.Contains(got, "192.0.2.7") {
		t.Error("the record shows private fields")
	}
	if auditlog.Private(ev, []byte("0123456789abcdef")) == auditlog.Private(ev, []byte("fedcba9876543210")) {
		t.Error("the commitment does not depend on the salt")
	}
	ev2 := ev
	ev2.ActorEmail = "other@ocmw.test"
	if auditlog.Private(ev, nil) == auditlog.Private(ev2, nil) {
		t.Error("the commitment does not depend on the e-mail address")
	}
}

// Sequenced events get leaf indexes; checkpoints are signed notes in the
// contract's format; proofs check against them with tlog alone; the
// bundle holds the record whose hash is the leaf.
func TestSequenceCheckpointProofs(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, d)
			ctx := context.Background()
			c1 := f.append(t, 13)
			c2 := f.append(t, 21)
			if c1.Size != 13 || c2.Size != 34 {
				t.Fatalf("checkpoint sizes %d, %d; want 13, 34", c1.Size, c2.Size)
			}
			if _, made, _ := f.log.Sign(ctx); made {
				t.Error("a checkpoint was signed although the tree did not grow")
			}
			latest, err := f.log.Latest(ctx)
			if err != nil || latest.Size != 34 || latest.Root != c2.Root {
				t.Fatalf("latest %+v, %v", latest, err)
			}
			// The note verifies with the public key alone.
			v, err := note.NewVerifier(f.log.PublicKey())
			if err != nil {
				t.Fatal(err)
			}
			n, err := note.Open([]byte(latest.Note), note.VerifierList(v))
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(n.Text, "\n")
			if lines[0] != auditlog.DefaultOrigin || lines[1] != "34" || lines[2] != base64.StdEncoding.EncodeToString(c2.Root[:]) || !strings.HasPrefix(lines[3], "time ") {
				t.Errorf("checkpoint body %q", n.Text)
			}
			// Leaf indexes on the events.
			evs, err := f.db.AuditEvents(ctx, audit.Filter{Action: "referral.read", Limit: 1000})
			if err != nil || len(evs) != 34 {
				t.Fatalf("%d events, %v", len(evs), err)
			}
			seen := map[int64]bool{}
			for _, e := range evs {
				if e.LeafIndex == nil {
					t.Fatalf("event %d has no leaf index", e.ID)
				}
				seen[*e.LeafIndex] = true
			}
			if len(seen) != 34 {
				t.Errorf("%d distinct leaf indexes, want 34", len(seen))
			}
			// Inclusion proofs of every leaf against both checkpoints.
			for _, c := range []auditlog.Checkpoint{c1, c2} {
				for i := int64(0); i < c.Size; i++ {
					p, err := f.log.InclusionProof(ctx, i, c.Size)
					if err != nil {
						t.Fatal(err)
					}
					var bundle auditlog.Bundle
					b, err := f.log.Bundle(ctx, i)
					if err != nil {
						t.Fatal(err)
					}
					if err := json.Unmarshal(b, &bundle); err != nil {
						t.Fatal(err)
					}
					leaf := tlog.RecordHash([]byte(bundle.Record))
					if err := tlog.CheckRecord(p, c.Size, c.Root, i, leaf); err != nil {
						t.Fatalf("inclusion of %d in %d: %v", i, c.Size, err)
					}
					if bundle.Format != auditlog.BundleFormat || bundle.Checkpoint != latest.Note || bundle.LeafIndex != i {
						t.Fatalf("bundle %+v", bundle)
					}
				}
			}
			// A wrong leaf does not check.
			p, _ := f.log.InclusionProof(ctx, 3, 34)
			if tlog.CheckRecord(p, 34, c2.Root, 3, tlog.RecordHash([]byte("forged"))) == nil {
				t.Error("a forged record passed the inclusion check")
			}
			// Consistency between the two checkpoints.
			tp, err := f.log.ConsistencyProof(ctx, 13, 34)
			if err != nil {
				t.Fatal(err)
			}
			if err := tlog.CheckTree(tp, 34, c2.Root, 13, c1.Root); err != nil {
				t.Errorf("consistency 13 → 34: %v", err)
			}
			// Outside the signed tree: invalid_input naming the parameter.
			for _, q := range []struct {
				index, size int64
				field       string
			}{{0, 35, "size"}, {0, 0, "size"}, {34, 34, "index"}, {-1, 3, "index"}} {
				if _, err := f.log.InclusionProof(ctx, q.index, q.size); err == nil || !strings.Contains(err.Error(), "invalid_input") || !strings.Contains(err.Error(), q.field) {
					t.Errorf("inclusion %d/%d: %v", q.index, q.size, err)
				}
			}
			if _, err := f.log.ConsistencyProof(ctx, 0, 3); err == nil || !strings.Contains(err.Error(), "old") {
				t.Errorf("consistency 0/3: %v", err)
			}
			if _, err := f.log.Bundle(ctx, 34); err == nil || !strings.Contains(err.Error(), "not_found") {
				t.Errorf("bundle of an unsigned leaf: %v", err)
			}
			if rep := f.verify(t); !rep.OK() || rep.Size != 34 || rep.Checkpoints != 2 {
				t.Errorf("verify of an untouched log: %+v %v", rep, rep.Problem)
			}
		})
	}
}

// Every kind of change made directly in the database is found and named.
func TestVerifyDetectsTampering(t *testing.T) {
	type tc struct {
		name   string
		attack func(t *testing.T, f *fixture) (leaf, event int64)
		kind   string
		// checkpoint: the problem names a checkpoint rather than a leaf.
		checkpoint bool
	}
	otherKey, _, _ := auditlog.GenerateKey(auditlog.DefaultOrigin)
	cases := []tc{
		{name: "edited event", kind: auditlog.ProblemEventChanged, attack: func(t *testing.T, f *fixture) (int64, int64) {
			id := f.eventAt(t, 7)
			f.dropGuards(t)
			f.exec(t, fmt.Sprintf("UPDATE audit_events SET purpose = 'nothing to see' WHERE id = %d", id))
			return 7, id
		}},
		{name: "edited private field", kind: auditlog.ProblemEventChanged, attack: func(t *testing.T, f *fixture) (int64, int64) {
			id := f.eventAt(t, 20)
			f.dropGuards(t)
			f.exec(t, fmt.Sprintf("UPDATE audit_events SET actor_email = 'someone.else@ocmw.test' WHERE id = %d", id))
			return 20, id
		}},
		{name: "deleted event", kind: auditlog.ProblemEventMissing, attack: func(t *testing.T, f *fixture) (int64, int64) {
			id := f.eventAt(t, 11)
			f.dropGuards(t)
			f.exec(t, fmt.Sprintf("DELETE FROM audit_events WHERE id = %d", id))
			return 11, id
		}},
		{name: "deleted event and its leaf", kind: auditlog.ProblemLeafMissing, attack: func(t *testing.T, f *fixture) (int64, int64) {
			id := f.eventAt(t, 11)
			f.dropGuards(t)
			f.exec(t, fmt.Sprintf("DELETE FROM audit_events WHERE id = %d", id), "DELETE FROM audit_leaves WHERE leaf_index = 11")
			return 11, 0
		}},
		{name: "inserted event dated in the past", kind: auditlog.ProblemEventInserted, attack: func(t *testing.T, f *fixture) (int64, int64) {
			// Inserting needs no guard removed: the row is queued and sequenced
			// like any other, but is dated before events already logged.
			old := time.Now().UTC().Add(-48 * time.Hour).Format(auditlog.TimeLayout)
			var id int64
			if err := f.attacker.QueryRow(`INSERT INTO audit_events (at, actor_role, actor_org, action, outcome, channel) VALUES ($1, 'ocmw_worker', 'ocmw-13016', 'referral.read', 'ok', 'session') RETURNING id`, old).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := f.log.Sequence(context.Background()); err != nil {
				t.Fatal(err)
			}
			return 34, id
		}},
		{name: "inserted event, queue bypassed", kind: auditlog.ProblemEventInserted, attack: func(t *testing.T, f *fixture) (int64, int64) {
			if f.dialect == store.Postgres {
				f.exec(t, "ALTER TABLE audit_events DISABLE TRIGGER audit_events_pending")
			} else {
				f.exec(t, "DROP TRIGGER audit_events_pending")
			}
			var id int64
			if err := f.attacker.QueryRow(`INSERT INTO audit_events (at, actor_role, actor_org, action, outcome, channel) VALUES ($1, 'ocmw_worker', 'ocmw-13016', 'referral.read', 'ok', 'session') RETURNING id`,
				time.Now().UTC().Format(auditlog.TimeLayout)).Scan(&id); err != nil {
				t.Fatal(err)
			}
			return -1, id
		}},
		{name: "reordered events", kind: auditlog.ProblemEventChanged, attack: func(t *testing.T, f *fixture) (int64, int64) {
			a, b := f.eventAt(t, 3), f.eventAt(t, 4)
			f.dropGuards(t)
			f.exec(t, "UPDATE audit_leaves SET event_id = -1 WHERE leaf_index = 3",
				fmt.Sprintf("UPDATE audit_leaves SET event_id = %d WHERE leaf_index = 4", a),
				fmt.Sprintf("UPDATE audit_leaves SET event_id = %d WHERE leaf_index = 3", b))
			return 3, b
		}},
		{name: "truncated events", kind: auditlog.ProblemEventMissing, attack: func(t *testing.T, f *fixture) (int64, int64) {
			id := f.eventAt(t, 0)
			f.dropGuards(t)
			if f.dialect == store.Postgres {
				f.exec(t, "TRUNCATE audit_events")
			} else {
				f.exec(t, "DELETE FROM audit_events")
			}
			return 0, id
		}},
		{name: "truncated log", kind: auditlog.ProblemCheckpoint, checkpoint: true, attack: func(t *testing.T, f *fixture) (int64, int64) {
			f.dropGuards(t)
			if f.dialect == store.Postgres {
				f.exec(t, "TRUNCATE audit_events, audit_leaves, audit_tree")
			} else {
				f.exec(t, "DELETE FROM audit_events", "DELETE FROM audit_leaves", "DELETE FROM audit_tree")
			}
			return -1, 0
		}},
		{name: "log rebuilt from edited events", kind: auditlog.ProblemCheckpoint, checkpoint: true, attack: func(t *testing.T, f *fixture) (int64, int64) {
			// The attacker edits an event and rebuilds leaves and hashes
			// consistently: only the signed checkpoints can tell.
			id := f.eventAt(t, 5)
			f.dropGuards(t)
			f.exec(t, fmt.Sprintf("UPDATE audit_events SET outcome = 'denied' WHERE id = %d", id),
				"DELETE FROM audit_leaves", "DELETE FROM audit_tree", "INSERT INTO audit_pending (event_id) SELECT id FROM audit_events")
			if _, err := f.log.Sequence(context.Background()); err != nil {
				t.Fatal(err)
			}
			return -1, 0
		}},
		{name: "checkpoint with a changed root", kind: auditlog.ProblemSignature, checkpoint: true, attack: func(t *testing.T, f *fixture) (int64, int64) {
			var id int64
			var n string
			if err := f.attacker.QueryRow(`SELECT id, note FROM audit_checkpoints ORDER BY id LIMIT 1`).Scan(&id, &n); err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitN(n, "\n", 4)
			var zero tlog.Hash
			lines[2] = base64.StdEncoding.EncodeToString(zero[:])
			f.dropGuards(t)
			if _, err := f.attacker.Exec(`UPDATE audit_checkpoints SET note = $1, root = $2 WHERE id = $3`, strings.Join(lines, "\n"), lines[2], id); err != nil {
				t.Fatal(err)
			}
			return -1, 0
		}},
		{name: "checkpoint columns changed", kind: auditlog.ProblemCheckpoint, checkpoint: true, attack: func(t *testing.T, f *fixture) (int64, int64) {
			f.dropGuards(t)
			f.exec(t, "UPDATE audit_checkpoints SET size = 5")
			return -1, 0
		}},
		{name: "changed interior tree hash", kind: auditlog.ProblemTreeChanged, attack: func(t *testing.T, f *fixture) (int64, int64) {
			// The level-1 node over leaves 10 and 11, stored with leaf 11.
			f.dropGuards(t)
			f.exec(t, fmt.Sprintf("UPDATE audit_tree SET hash = %s WHERE idx = %d", f.zeroHash(), tlog.StoredHashIndex(1, 5)))
			return 11, f.eventAt(t, 11)
		}},
		{name: "deleted interior tree hash", kind: auditlog.ProblemTreeChanged, attack: func(t *testing.T, f *fixture) (int64, int64) {
			// The level-2 node over leaves 12–15, stored with leaf 15.
			f.dropGuards(t)
			f.exec(t, fmt.Sprintf("DELETE FROM audit_tree WHERE idx = %d", tlog.StoredHashIndex(2, 3)))
			return 15, f.eventAt(t, 15)
		}},
		{name: "changed leaf hash", kind: auditlog.ProblemEventChanged, attack: func(t *testing.T, f *fixture) (int64, int64) {
			f.dropGuards(t)
			f.exec(t, fmt.Sprintf("UPDATE audit_tree SET hash = %s WHERE idx = %d", f.zeroHash(), tlog.StoredHashIndex(0, 29)))
			return 29, f.eventAt(t, 29)
		}},
		{name: "checkpoint re-signed with another key", kind: auditlog.ProblemSignature, checkpoint: true, attack: func(t *testing.T, f *fixture) (int64, int64) {
			var n string
			if err := f.attacker.QueryRow(`SELECT note FROM audit_checkpoints ORDER BY id DESC LIMIT 1`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			body, _, _ := strings.Cut(n, "\n\n")
			s, err := note.NewSigner(otherKey)
			if err != nil {
				t.Fatal(err)
			}
			forged, err := note.Sign(&note.Note{Text: body + "\n"}, s)
			if err != nil {
				t.Fatal(err)
			}
			f.dropGuards(t)
			if _, err := f.attacker.Exec(`UPDATE audit_checkpoints SET note = $1`, string(forged)); err != nil {
				t.Fatal(err)
			}
			return -1, 0
		}},
	}
	// Verify reads the log in chunks, several at once: in one chunk here
	// (34 leaves), and in chunks of 5 leaves.
	for _, d := range storetest.Backends {
		for _, chunk := range []int64{0, 5} {
			for _, c := range cases {
				name := string(d) + "/" + c.name
				if chunk > 0 {
					name = fmt.Sprintf("%s/chunks of %d", name, chunk)
				}
				t.Run(name, func(t *testing.T) {
					if chunk > 0 {
						defer auditlog.SetChunkLeaves(chunk)()
					}
					tamperCase(t, d, c.attack, c.kind, c.checkpoint)
				})
			}
		}
	}
}

// tamperCase builds a log of 34 leaves (checkpoints at 13 and 34),
// attacks it and checks that Verify reports the problem of kind.
func tamperCase(t *testing.T, d store.Dialect, attack func(t *testing.T, f *fixture) (leaf, event int64), kind string, checkpoint bool) {
	f := newFixture(t, d)
	f.append(t, 13)
	f.append(t, 21)
	if rep := f.verify(t); !rep.OK() {
		t.Fatalf("before the attack: %v", rep.Problem)
	}
	leaf, ev := attack(t, f)
	rep := f.verify(t)
	if rep.OK() {
		t.Fatal("the change went unnoticed")
	}
	p := rep.Problem
	t.Logf("found: %s", p.Message)
	if p.Kind != kind {
		t.Errorf("kind %s, want %s (%s)", p.Kind, kind, p.Message)
	}
	if checkpoint {
		if p.CheckpointID == 0 {
			t.Errorf("the problem names no checkpoint: %s", p.Message)
		}
		return
	}
	if p.LeafIndex != leaf || p.EventID != ev {
		t.Errorf("problem at leaf %d, event %d; want leaf %d, event %d (%s)", p.LeafIndex, p.EventID, leaf, ev, p.Message)
	}
}

// zeroHash is the SQL literal of 32 zero bytes.
func (f *fixture) zeroHash() string {
	if f.dialect == store.Postgres {
		return `'\x` + strings.Repeat("00", 32) + `'::bytea`
	}
	return "X'" + strings.Repeat("00", 32) + "'"
}

// Two instances (two store handles) on one PostgreSQL database append and
// sequence at the same time: one tree, every event exactly once, and it
// verifies.
func TestConcurrentInstancesOneTree(t *testing.T) {
	f := newFixture(t, store.Postgres)
	other, err := store.Open(context.Background(), f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	otherLog, err := auditlog.New(other, auditlog.Config{VerifierKey: f.log.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const writers, rounds, per = 4, 15, 7
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range writers {
		db, l := f.db, f.log
		if w%2 == 1 {
			db, l = other, otherLog
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				evs := make([]audit.Event, per)
				for i := range evs {
					evs[i] = event(w*1000 + r*per + i)
				}
				if err := db.AppendAuditEvents(ctx, evs...); err != nil {
					errs <- err
					return
				}
				if _, err := l.Sequence(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if _, err := f.log.Sequence(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.log.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	var leaves, distinct, maxLeaf int64
	if err := f.attacker.QueryRow(`SELECT count(*), count(DISTINCT event_id), max(leaf_index) FROM audit_leaves`).Scan(&leaves, &distinct, &maxLeaf); err != nil {
		t.Fatal(err)
	}
	want := int64(writers * rounds * per)
	if leaves != want || distinct != want || maxLeaf != want-1 {
		t.Errorf("%d leaves, %d events, last index %d; want %d, %d, %d", leaves, distinct, maxLeaf, want, want, want-1)
	}
	if rep := f.verify(t); !rep.OK() {
		t.Errorf("verify: %v", rep.Problem)
	}
}

// The daily job stores its result; on a tampered database it records a
// failure and queues a mail to each DPO.
func TestDailyVerifyAlerts(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, d)
			ctx := context.Background()
			f.exec(t, `INSERT INTO users (email, name, role, org_key, created_at, updated_at) VALUES ('dpo@opgroeien.test', 'DPO', 'dpo', 'opgroeien', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')`)
			f.append(t, 10)
			ran, err := f.log.RunDailyVerify(ctx)
			if err != nil || !ran {
				t.Fatalf("first run: %v, ran %v", err, ran)
			}
			v, err := f.log.LastVerification(ctx)
			if err != nil || !v.OK || v.Size != 10 {
				t.Fatalf("last verification %+v, %v", v, err)
			}
			if ran, _ := f.log.RunDailyVerify(ctx); ran {
				t.Error("the job ran twice on one day")
			}
			// Tamper, and run the next day's job.
			id := f.eventAt(t, 2)
			f.dropGuards(t)
			f.exec(t, fmt.Sprintf("UPDATE audit_events SET action = 'login.ok' WHERE id = %d", id))
			f.db.Now = func() time.Time { return time.Now().Add(24 * time.Hour) }
			if ran, err := f.log.RunDailyVerify(ctx); !ran || err != nil {
				t.Fatalf("second day: ran %v, %v", ran, err)
			}
			v, err = f.log.LastVerification(ctx)
			if err != nil || v.OK || !strings.Contains(v.Message, fmt.Sprintf("event %d", id)) {
				t.Errorf("last verification after tampering: %+v, %v", v, err)
			}
			// /metrics: the last verification failed, one failure in all.
			reg := prometheus.NewRegistry()
			reg.MustRegister(auditlog.NewCollector(f.db))
			got := map[string]float64{}
			mfs, err := reg.Gather()
			if err != nil {
				t.Fatal(err)
			}
			for _, mf := range mfs {
				m := mf.GetMetric()[0]
				got[mf.GetName()] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
			}
			if got["kansrijk_audit_verify_ok"] != 0 || got["kansrijk_audit_verify_failures_total"] != 1 || got["kansrijk_audit_tree_size"] != 10 {
				t.Errorf("metrics %v", got)
			}
			if _, ok := got["kansrijk_audit_verify_ok"]; !ok {
				t.Error("no kansrijk_audit_verify_ok")
			}
			rows, err := f.db.OutboxRows(ctx)
			if err != nil {
				t.Fatal(err)
			}
			mails := 0
			for _, r := range rows {
				if r.Kind == store.OutboxStaffMail && strings.Contains(r.Payload, "toegangslogboek") {
					mails++
				}
			}
			if mails != 1 {
				t.Errorf("%d mails to the DPO queued, want 1", mails)
			}
		})
	}
}

// Events dated in the past before the first checkpoint (the demo loads
// its history that way) verify; the same after a checkpoint do not.
func TestBackdatedEventsBeforeFirstCheckpoint(t *testing.T) {
	f := newFixture(t, store.SQLite)
	ctx := context.Background()
	real := f.db.Now
	f.db.Now = func() time.Time { return time.Date(2023, 9, 15, 10, 0, 0, 0, time.UTC) }
	if err := f.db.AppendAuditEvents(ctx, event(1), event(2)); err != nil {
		t.Fatal(err)
	}
	f.db.Now = real
	f.append(t, 3)
	if rep := f.verify(t); !rep.OK() {
		t.Fatalf("history loaded before the first checkpoint: %v", rep.Problem)
	}
	f.db.Now = func() time.Time { return time.Date(2023, 9, 15, 10, 0, 0, 0, time.UTC) }
	if err := f.db.AppendAuditEvents(ctx, event(9)); err != nil {
		t.Fatal(err)
	}
	f.db.Now = real
	if _, err := f.log.Sequence(ctx); err != nil {
		t.Fatal(err)
	}
	if rep := f.verify(t); rep.OK() || rep.Problem.Kind != auditlog.ProblemEventInserted || rep.Problem.LeafIndex != 5 {
		t.Errorf("a backdated event after a checkpoint: %+v", rep.Problem)
	}
}

// The server's PostgreSQL statement time limit does not cut a
// verification of a large log short (on a real log of millions it runs
// for minutes; here the limit is made tiny instead).
func TestVerifyBeyondStatementTimeout(t *testing.T) {
	f := newFixture(t, store.Postgres)
	ctx := context.Background()
	evs := make([]audit.Event, 30_000)
	for i := range evs {
		evs[i] = event(i)
	}
	if err := f.db.AppendAuditEvents(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.Sequence(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.log.Sign(ctx); err != nil {
		t.Fatal(err)
	}
	limited, err := store.OpenNoMigrate(ctx, f.dsn+"&statement_timeout=50")
	if err != nil {
		t.Fatal(err)
	}
	defer limited.Close()
	var timeout string
	if err := limited.SQL().QueryRowContext(ctx, "SHOW statement_timeout").Scan(&timeout); err != nil || timeout != "50ms" {
		t.Fatalf("statement_timeout %q, %v", timeout, err)
	}
	l, err := auditlog.New(limited, auditlog.Config{VerifierKey: f.log.PublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := l.Verify(ctx, nil)
	if err != nil || !rep.OK() || rep.Size != 30_000 {
		t.Errorf("verify under a 50 ms statement limit: %v, %+v", err, rep.Problem)
	}
}
