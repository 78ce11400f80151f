package cli_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/cli"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// runEnv runs the command line with the given environment.
func runEnv(tb testing.TB, env map[string]string, args ...string) result {
	tb.Helper()
	var out, errOut syncBuffer
	code := cli.Run(context.Background(), args, cli.Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return env[k] },
	})
	return result{code, out.String(), errOut.String()}
}

var vkeyLine = regexp.MustCompile(`^kansrijk/audit-log\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+\n$`)

// keygen writes a private key file and prints the verifier key; serve
// signs with it, sequencing everything and signing a checkpoint at
// shutdown; `audit verify` passes on the untouched log and fails, naming
// the leaf and the event, once an event is changed in the database.
func TestAuditKeygenServeVerify(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			keyFile := filepath.Join(t.TempDir(), "audit.key")
			kg := MustRun(t, "", "audit", "keygen", "--out", keyFile)
			if !vkeyLine.MatchString(kg.Stdout) {
				t.Fatalf("keygen printed %q", kg.Stdout)
			}
			vkey := strings.TrimSpace(kg.Stdout)
			if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("key file: %v, %v", st, err)
			}
			if r := runCLI(t, "", "audit", "keygen", "--out", keyFile); r.Code == 0 {
				t.Error("keygen overwrote an existing key file")
			}
			MustRun(t, "", "user", "create", "--db", dsn, "--email", "dpo@example.test", "--role", "dpo", "--org", "opgroeien")

			env := map[string]string{"KANSRIJK_AUDIT_KEY_FILE": keyFile}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ready := make(chan string, 1)
			done := make(chan int, 1)
			var out, errOut syncBuffer
			go func() {
				done <- cli.Run(ctx, []string{"serve", "--db", dsn, "--addr", "127.0.0.1:0"}, cli.Env{
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
			cancel()
			if code := <-done; code != 0 {
				t.Fatalf("serve exited %d: %s", code, errOut.String())
			}
			if !strings.Contains(out.String(), "Audit log verifier key: "+vkey) {
				t.Errorf("serve did not print the verifier key: %s", out.String())
			}
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			cp, err := db.LatestAuditCheckpoint(context.Background())
			if err != nil || cp.Size < 1 {
				t.Fatalf("no checkpoint after shutdown: %+v, %v", cp, err)
			}

			if r := runEnv(t, nil, "audit", "verify", "--db", dsn); r.Code != 2 {
				t.Errorf("verify without a key: exit %d, %s", r.Code, r.Stderr)
			}
			ok := runEnv(t, nil, "audit", "verify", "--db", dsn, "--key", vkey)
			if ok.Code != 0 || !strings.HasPrefix(ok.Stdout, "OK: ") {
				t.Fatalf("verify: exit %d\n%s%s", ok.Code, ok.Stdout, ok.Stderr)
			}
			if r := runEnv(t, env, "audit", "verify", "--db", dsn); r.Code != 0 {
				t.Errorf("verify with the key file: exit %d %s%s", r.Code, r.Stdout, r.Stderr)
			}

			// The attacker changes the first event directly.
			var raw *sql.DB
			if d == store.SQLite {
				raw, err = sql.Open("sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:"))
			} else {
				raw, err = sql.Open("pgx", dsn)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			stmts := []string{"DROP TRIGGER audit_events_no_update", "UPDATE audit_events SET purpose = 'tampered' WHERE id = (SELECT event_id FROM audit_leaves WHERE leaf_index = 0)"}
			if d == store.Postgres {
				stmts[0] = "ALTER TABLE audit_events DISABLE TRIGGER USER"
			}
			for _, s := range stmts {
				if _, err := raw.Exec(s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			bad := runEnv(t, nil, "audit", "verify", "--db", dsn, "--key", vkey)
			if bad.Code != 1 || !strings.Contains(bad.Stdout, "FAILED: leaf 0: event") || !strings.Contains(bad.Stdout, "leaf index: 0") ||
				!strings.Contains(bad.Stdout, "event id:") {
				t.Errorf("verify after tampering: exit %d\n%s%s", bad.Code, bad.Stdout, bad.Stderr)
			}
			v, err := db.LastAuditVerification(context.Background())
			if err != nil || v.OK {
				t.Errorf("the failed verification was not stored: %+v, %v", v, err)
			}
		})
	}
}
