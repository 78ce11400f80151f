package cli_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/cli"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// kansrijk serve works when it connects as the role of
// docs/operations.md ("Database roles") once the owner has migrated: no
// DDL at start, and the command line's own writes work as that role too.
func TestServeAsRestrictedRole(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	MustRun(t, "", "migrate", "--db", dsn)
	app := storetest.RestrictedRole(t, dsn)
	MustRun(t, "", "migrate", "--db", app) // nothing pending: changes nothing, needs no DDL
	MustRun(t, "a-long-enough-password-2026\n", "user", "create", "--db", app,
		"--email", "rol@example.test", "--role", "analyst", "--org", "opgroeien", "--password-stdin")
	token := strings.TrimSpace(MustRun(t, "", "token", "create", "--db", app, "--email", "rol@example.test").Stdout)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var out, errOut syncBuffer
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--db", app, "--addr", "127.0.0.1:0"}, cli.Env{
			Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
			Getenv: func(string) string { return "" },
			Ready:  func(addr string) { ready <- addr },
		})
	}()
	var addr string
	select {
	case addr = <-ready:
	case code := <-done:
		t.Fatalf("serve as the restricted role exited %d before listening\nstdout: %s\nstderr: %s", code, out.String(), errOut.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start listening within 30s")
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, path := range []string{"/readyz", "/api/v1/me", "/api/v1/reports/agreements?as_of=2025-01-01"} {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s as the restricted role: %d", path, resp.StatusCode)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d\nstderr: %s", code, errOut.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20s of cancel")
	}
	if s := errOut.String(); strings.Contains(s, "permission denied") {
		t.Errorf("serve logged a permission error:\n%s", s)
	}
}
