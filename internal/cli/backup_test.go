package cli_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/backup"
	"kansrijk/internal/cli"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestBackupRestoreCommands: `kansrijk backup` writes a copy and its
// manifest; `kansrijk restore` puts it into a fresh database and verifies
// it, refuses a non-empty database without --force (naming it and what
// it holds, exit 1), and refuses a copy with one byte changed.
func TestBackupRestoreCommands(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) { backupRestoreCommands(t, d) })
	}
}

func backupRestoreCommands(t *testing.T, d store.Dialect) {
	if d == store.Postgres {
		for _, p := range []string{"pg_dump", "pg_restore"} {
			if _, err := exec.LookPath(p); err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatalf("%s is not on PATH (install postgresql-client)", p)
				}
				t.Skipf("%s is not on PATH", p)
			}
		}
	}
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "audit.key")
	MustRun(t, "", "audit", "keygen", "--out", keyFile)
	env := map[string]string{"KANSRIJK_AUDIT_KEY_FILE": keyFile}
	dsn := storetest.DSN(t, d)
	MustRun(t, "", "user", "create", "--db", dsn, "--email", "dpo@example.test", "--role", "dpo", "--org", "opgroeien")
	out := filepath.Join(dir, "copies", "k.backup")
	r := runEnv(t, env, "backup", "--db", dsn, "--out", out)
	if r.Code != 0 || !strings.Contains(r.Stdout, "OK: "+string(d)+" database copied") || !strings.Contains(r.Stdout, "users 1") {
		t.Fatalf("backup: %+v", r)
	}
	if _, err := backup.ReadManifest(out); err != nil {
		t.Fatal(err)
	}
	if r := runEnv(t, env, "backup", "--db", dsn); r.Code != 2 {
		t.Fatalf("backup without --out: %+v", r)
	}

	target := storetest.DSN(t, d)
	r = runEnv(t, env, "restore", "--from", out, "--db", target)
	if r.Code != 0 || !strings.Contains(r.Stdout, "OK:") || !strings.Contains(r.Stdout, "verified") {
		t.Fatalf("restore: %+v", r)
	}
	r = runEnv(t, env, "restore", "--from", out, "--db", target)
	if r.Code != 1 || !strings.Contains(r.Stderr, target) || !strings.Contains(r.Stderr, "1 users") || !strings.Contains(r.Stderr, "--force") {
		t.Fatalf("restore over a non-empty database: %+v", r)
	}
	if r := runEnv(t, env, "restore", "--from", out, "--db", target, "--force"); r.Code != 0 {
		t.Fatalf("restore --force: %+v", r)
	}
	if r := runEnv(t, nil, "restore", "--from", out, "--db", target, "--force"); r.Code != 2 || !strings.Contains(r.Stderr, "verifier key") {
		t.Fatalf("restore without a key: %+v", r)
	}

	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-100] ^= 0x80
	if err := os.WriteFile(out, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r = runEnv(t, env, "restore", "--from", out, "--db", storetest.DSN(t, d))
	if r.Code != 1 || !strings.Contains(r.Stderr, "does not match its manifest") {
		t.Fatalf("restore of a damaged copy: %+v", r)
	}
}

// TestServeScheduledBackups: serve with a backup folder (from the
// environment, the interval and the number kept from flags) makes a
// backup at start; a bad interval stops serve with the setting named.
func TestServeScheduledBackups(t *testing.T) {
	dsn := storetest.DSN(t, store.SQLite)
	dir := filepath.Join(t.TempDir(), "backups")
	env := map[string]string{"KANSRIJK_BACKUP_DIR": dir}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var out, errOut syncBuffer
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--db", dsn, "--addr", "127.0.0.1:0", "--backup-interval", "1h", "--backup-keep", "3"}, cli.Env{
			Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return env[k] }, Ready: func(addr string) { ready <- addr },
		})
	}()
	select {
	case <-ready:
	case code := <-done:
		t.Fatalf("serve exited %d\n%s\n%s", code, out.String(), errOut.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	deadline := time.Now().Add(30 * time.Second)
	var files []string
	for time.Now().Before(deadline) {
		if files, _ = filepath.Glob(filepath.Join(dir, "kansrijk-*.backup.json")); len(files) == 1 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d: %s", code, errOut.String())
	}
	if len(files) != 1 {
		t.Fatalf("no scheduled backup in %s", dir)
	}
	if _, err := backup.Check(strings.TrimSuffix(files[0], ".json")); err != nil {
		t.Fatal(err)
	}
	if r := runEnv(t, env, "serve", "--db", dsn, "--addr", "127.0.0.1:0", "--backup-interval", "5s"); r.Code != 1 || !strings.Contains(r.Stderr, "KANSRIJK_BACKUP_INTERVAL") {
		t.Fatalf("serve with a bad interval: %+v", r)
	}
}
