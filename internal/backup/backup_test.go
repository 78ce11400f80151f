package backup_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/audit"
	"kansrijk/internal/auditlog"
	"kansrijk/internal/backup"
	"kansrijk/internal/birth"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var (
	sys        = account.System("backup-test")
	teamWorker = account.Actor{UserID: 11, Email: "worker@noord.test", Role: account.TeamWorker, Org: "team-noord", OrgKind: account.KindTeam}
	clinic     = account.Actor{UserID: 31, Email: "balie@zonnedal.test", Role: account.Clinic, Org: "clinic-zonnedal", OrgKind: account.KindClinic}
)

// needTools skips (or under CI=true fails) a PostgreSQL test without the
// client programs.
func needTools(t *testing.T, d store.Dialect) {
	t.Helper()
	if d != store.Postgres {
		return
	}
	for _, p := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(p); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is not on PATH (install postgresql-client of the server's version)", p)
			}
			t.Skipf("%s is not on PATH", p)
		}
	}
}

type world struct {
	dsn string
	db  *store.DB
	log *auditlog.Log
	key string
}

func newWorld(t *testing.T, d store.Dialect) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{dsn: storetest.DSN(t, d)}
	db, err := store.Open(ctx, w.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016"},
		From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateClinic(ctx, sys, org.NewClinic{Key: "clinic-zonnedal", Name: "Kraamkliniek Zonnedal"}); err != nil {
		t.Fatal(err)
	}
	skey, _, err := auditlog.GenerateKey(auditlog.DefaultOrigin)
	if err != nil {
		t.Fatal(err)
	}
	w.key = skey
	if w.log, err = auditlog.New(db, auditlog.Config{PrivateKey: skey}); err != nil {
		t.Fatal(err)
	}
	return w
}

// writer runs one kind of write in a loop until stop is closed.
// seed adds n audit events in batches, so that the copy takes a while.
func (w *world) seed(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	for done := 0; done < n; done += 1000 {
		evs := make([]audit.Event, 1000)
		for i := range evs {
			evs[i] = audit.Event{ActorUserID: 13, ActorEmail: "sw@hulshout.test", ActorRole: "ocmw_worker", ActorOrg: "ocmw-13016",
				Channel: "session", Action: "referral.read", ObjectType: "referral", ObjectID: fmt.Sprint(done + i),
				Purpose: "early contact", Outcome: audit.OK, RequestID: fmt.Sprintf("seed%d", done+i), ClientAddr: "192.0.2.7"}
		}
		if err := w.db.AppendAuditEvents(ctx, evs...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.log.Sequence(ctx); err != nil {
		t.Fatal(err)
	}
}

// maxDuration keeps the longest duration it was given.
type maxDuration struct{ ns atomic.Int64 }

func (m *maxDuration) add(d time.Duration) {
	for {
		old := m.ns.Load()
		if int64(d) <= old || m.ns.CompareAndSwap(old, int64(d)) {
			return
		}
	}
}

func (w *world) load(t *testing.T, stop <-chan struct{}, writes *atomic.Int64, slowest *maxDuration) *sync.WaitGroup {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	born := time.Now().AddDate(0, 0, -3).Format(time.DateOnly)
	kinds := []func(i int) error{
		func(i int) error { // referrals
			_, err := w.db.CreateReferral(ctx, teamWorker, referral.NewReferral{MunicipalityNIS: "13016", Parents: []referral.Parent{{
				Name: fmt.Sprintf("Fictieve Ouder %d", i), Street: "Teststraat", Number: "1", Postcode: "2235", Phone: "+32 470 00 00 00", Email: "ouder@example.org",
			}}, Criteria: []string{"income", "housing"}, Needs: []string{"income_support"}})
			return err
		},
		func(i int) error { // birth notifications
			_, err := w.db.CreateBirthNotification(ctx, clinic, birth.NewNotification{
				Mother: birth.Parent{Name: fmt.Sprintf("FICTIEVE Moeder %d", i), Street: "Kerkstraat", Number: "12", Postcode: "2235",
					MunicipalityNIS: "13016", Phone: "+32470000000", Email: "ouder@example.org", Language: "nl"},
				ChildBirthDate: born})
			return err
		},
		func(i int) error { // audit events, as the read of a referral writes them
			return w.db.AppendAuditEvents(ctx, audit.Event{ActorUserID: 13, ActorEmail: "sw@hulshout.test", ActorRole: "ocmw_worker",
				ActorOrg: "ocmw-13016", Channel: "session", Action: "referral.read", ObjectType: "referral", ObjectID: fmt.Sprint(i),
				Purpose: "early contact", Outcome: audit.OK, RequestID: fmt.Sprintf("req%d", i), ClientAddr: "192.0.2.7"})
		},
		func(int) error { // the server's sequencing and checkpoints
			if _, err := w.log.Sequence(ctx); err != nil {
				return err
			}
			_, _, err := w.log.Sign(ctx)
			time.Sleep(20 * time.Millisecond)
			return err
		},
	}
	for k, fn := range kinds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				began := time.Now()
				if err := fn(i); err != nil {
					t.Errorf("writer %d: %v", k, err)
					return
				}
				if k < 3 { // the sequencer sleeps on purpose
					slowest.add(time.Since(began))
				}
				writes.Add(1)
			}
		}()
	}
	return &wg
}

// TestBackupUnderWriteLoad takes a backup while goroutines write
// referrals, birth notifications and audit events, restores it into a
// fresh database, verifies the audit log and compares the counts with the
// manifest; then checks the refusals: a non-empty database without
// --force, and a copy with one byte changed.
func TestBackupUnderWriteLoad(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			needTools(t, d)
			ctx := context.Background()
			w := newWorld(t, d)
			w.seed(t, 30_000)
			stop := make(chan struct{})
			var writes atomic.Int64
			var slowest maxDuration
			wg := w.load(t, stop, &writes, &slowest)
			// Let some data pile up, then copy while the writers go on.
			for writes.Load() < 200 {
				time.Sleep(10 * time.Millisecond)
			}
			out := filepath.Join(t.TempDir(), "kansrijk.backup")
			var progressed atomic.Int64
			before := writes.Load()
			slowest.ns.Store(0)
			started := time.Now()
			m, err := backup.Backup(ctx, w.dsn, out, backup.Options{Version: "test", Progress: func(done, total int64) { progressed.Add(1) }})
			took := time.Since(started)
			during := writes.Load() - before
			slowestWrite := time.Duration(slowest.ns.Load())
			// Keep writing a little after the copy: the copy must not see it.
			time.Sleep(100 * time.Millisecond)
			close(stop)
			wg.Wait()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: backup of %d bytes in %v, %d writes during the copy (slowest %v), %d in all; progress calls %d",
				d, m.Bytes, took, during, slowestWrite, writes.Load(), progressed.Load())
			if during == 0 {
				t.Error("no write went through while the backup ran: writers were blocked")
			}
			if slowestWrite > 5*time.Second {
				t.Errorf("a write waited %v during the backup", slowestWrite)
			}
			if m.Kind != d || m.SchemaVersion == 0 || m.Audit == nil || m.Audit.TreeSize == 0 || m.Counts["referrals"] == 0 ||
				m.Counts["birth_notifications"] == 0 || m.Counts["audit_events"] == 0 || m.Version != "test" {
				t.Fatalf("manifest = %+v", m)
			}
			// The live database went on; the copy is a snapshot.
			var live int64
			if err := w.db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM audit_events").Scan(&live); err != nil {
				t.Fatal(err)
			}
			if live <= m.Counts["audit_events"] {
				t.Errorf("live audit events %d, in the copy %d: expected writes after the copy", live, m.Counts["audit_events"])
			}

			// Restore into a fresh database: verified and equal to the manifest.
			target := storetest.DSN(t, d)
			opt := backup.RestoreOptions{Audit: auditlog.Config{PrivateKey: w.key}}
			res, err := backup.Restore(ctx, out, target, opt)
			if err != nil {
				t.Fatalf("restore: %v", err)
			}
			if !res.Audit.OK() || res.Audit.Size == 0 {
				t.Fatalf("audit verification of the restored database: %+v", res.Audit)
			}
			for _, tb := range backup.Tables {
				if res.Counts[tb] != m.Counts[tb] {
					t.Errorf("restored %s: %d rows, manifest %d", tb, res.Counts[tb], m.Counts[tb])
				}
			}
			// The restored database opens and migrates like any other.
			rdb, err := store.Open(ctx, target)
			if err != nil {
				t.Fatal(err)
			}
			rdb.Close()

			// Not over a non-empty database without --force.
			_, err = backup.Restore(ctx, out, target, opt)
			if !errors.Is(err, backup.ErrNotEmpty) || !strings.Contains(err.Error(), "referrals") || !strings.Contains(err.Error(), "--force") {
				t.Fatalf("restore over a non-empty database: %v", err)
			}
			t.Logf("refusal: %v", err)
			opt.Force = true
			if _, err := backup.Restore(ctx, out, target, opt); err != nil {
				t.Fatalf("restore with --force: %v", err)
			}

			// A wrong verifier key: the audit log does not verify, exit 1.
			other, _, _ := auditlog.GenerateKey(auditlog.DefaultOrigin)
			if _, err := backup.Restore(ctx, out, target, backup.RestoreOptions{Force: true, Audit: auditlog.Config{PrivateKey: other}}); !errors.Is(err, backup.ErrMismatch) {
				t.Fatalf("restore verified with another key: %v", err)
			}

			// One byte changed: refused by the checksum, before anything.
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0x01
			bad := filepath.Join(t.TempDir(), "bad.backup")
			if err := os.WriteFile(bad, b, 0o600); err != nil {
				t.Fatal(err)
			}
			mb, _ := os.ReadFile(backup.ManifestPath(out))
			if err := os.WriteFile(backup.ManifestPath(bad), mb, 0o600); err != nil {
				t.Fatal(err)
			}
			fresh := storetest.DSN(t, d)
			if _, err := backup.Restore(ctx, bad, fresh, opt); err == nil || !strings.Contains(err.Error(), "does not match its manifest") {
				t.Fatalf("restore of a damaged copy: %v", err)
			}
		})
	}
}

// TestRestoreRefusesAnOpenSQLiteDatabase: a database a server has open is
// not replaced without --force.
func TestRestoreRefusesAnOpenSQLiteDatabase(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, store.SQLite)
	out := filepath.Join(t.TempDir(), "k.backup")
	if _, err := backup.Backup(ctx, w.dsn, out, backup.Options{}); err != nil {
		t.Fatal(err)
	}
	target := storetest.DSN(t, store.SQLite)
	open, err := store.Open(ctx, target) // a running server
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	_, err = backup.Restore(ctx, out, target, backup.RestoreOptions{Audit: auditlog.Config{PrivateKey: w.key}})
	if !errors.Is(err, backup.ErrNotEmpty) || !strings.Contains(err.Error(), "open") {
		t.Fatalf("restore over an open database: %v", err)
	}
}
