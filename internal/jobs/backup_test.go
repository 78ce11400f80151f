package jobs_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/backup"
	"kansrijk/internal/jobs"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestScheduledBackups: one backup per slot across two instances,
// rotation keeps the newest N copies, the last result is stored; a
// failed backup is recorded, counted and e-mailed to the admins.
func TestScheduledBackups(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() == store.Postgres {
			if _, err := exec.LookPath("pg_dump"); err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatal("pg_dump is not on PATH (install postgresql-client)")
				}
				t.Skip("pg_dump is not on PATH")
			}
		}
		ctx := context.Background()
		dsn := db.Redacted // the test databases have no password
		storetest.Users(t, db, "example.test", storetest.U{Name: "admin", Role: "admin", Org: "opgroeien", TokenOnly: true}).Create(t, "admin")
		dir := filepath.Join(t.TempDir(), "backups")
		clock := time.Date(2026, 3, 2, 9, 59, 0, 0, time.UTC)
		now := func() time.Time { return clock }
		cfg := jobs.BackupConfig{Dir: dir, Interval: time.Hour, Keep: 2, DSN: dsn, Version: "test"}
		a := &jobs.Backups{DB: db, Config: cfg, Now: now}
		b := &jobs.Backups{DB: db, Config: cfg, Now: now}
		for i := range 4 {
			ranA, err := a.RunDue(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ranB, err := b.RunDue(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if ranA == ranB || !ranA {
				t.Fatalf("slot %d: instance a ran %v, b ran %v; want exactly a", i, ranA, ranB)
			}
			clock = clock.Add(time.Hour)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "kansrijk-*.backup"))
		manifests, _ := filepath.Glob(filepath.Join(dir, "kansrijk-*.backup.json"))
		if len(files) != 2 || len(manifests) != 2 {
			t.Fatalf("after 4 backups keeping 2: %v %v", files, manifests)
		}
		if !strings.Contains(files[1], "20260302T125900Z") {
			t.Fatalf("the newest copy is missing: %v", files)
		}
		for _, f := range files {
			if _, err := backup.Check(f); err != nil {
				t.Fatal(err)
			}
		}
		last, err := db.LastBackup(ctx)
		if err != nil || last == nil || !last.OK || last.Job != "backup@12:00" || !strings.Contains(last.Result, "1 old copies removed") {
			t.Fatalf("last backup = %+v, %v", last, err)
		}
		if s, err := db.LastBackupSuccess(ctx); err != nil || s.IsZero() {
			t.Fatalf("last success = %v, %v", s, err)
		}

		// A failure: the folder cannot be made (a file is in the way).
		blocker := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(blocker, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		a.Config.Dir = filepath.Join(blocker, "backups")
		if ran, err := a.RunDue(ctx); !ran || err == nil {
			t.Fatalf("failing backup: ran %v, err %v", ran, err)
		}
		last, err = db.LastBackup(ctx)
		if err != nil || last == nil || last.OK || !strings.HasPrefix(last.Result, "FAILED: ") || last.LastSuccess == nil {
			t.Fatalf("last backup after a failure = %+v, %v", last, err)
		}
		if n, err := db.BackupFailures(ctx); err != nil || n != 1 {
			t.Fatalf("failures = %d, %v", n, err)
		}
		var mails int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE payload LIKE '%back-up mislukt%'`).Scan(&mails); err != nil {
			t.Fatal(err)
		}
		if mails != 1 {
			t.Fatalf("alert e-mails to the admins: %d, want 1", mails)
		}
	})
}

func TestBackupConfigFromEnv(t *testing.T) {
	env := map[string]string{"KANSRIJK_BACKUP_DIR": "/srv/backups", "KANSRIJK_BACKUP_INTERVAL": "6h", "KANSRIJK_BACKUP_KEEP": "28"}
	c, err := jobs.BackupConfigFromEnv(func(k string) string { return env[k] })
	if err != nil || c.Dir != "/srv/backups" || c.Interval != 6*time.Hour || c.Keep != 28 {
		t.Fatalf("config = %+v, %v", c, err)
	}
	for k, v := range map[string]string{"KANSRIJK_BACKUP_INTERVAL": "10s", "KANSRIJK_BACKUP_KEEP": "0"} {
		if _, err := jobs.BackupConfigFromEnv(func(key string) string {
			if key == k {
				return v
			}
			return ""
		}); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}
