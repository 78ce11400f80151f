package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kansrijk/internal/audit"
	"kansrijk/internal/cli"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// syncBuffer is a bytes.Buffer safe for a server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// result is what a run of the command line produced.
type result struct {
	Code           int
	Stdout, Stderr string
}

// runCLI runs the command line with stdin and an empty environment.
func runCLI(tb testing.TB, stdin string, args ...string) result {
	tb.Helper()
	var out, errOut syncBuffer
	code := cli.Run(context.Background(), args, cli.Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(string) string { return "" },
	})
	return result{code, out.String(), errOut.String()}
}

// MustRun runs the command line and fails unless it exits 0.
func MustRun(tb testing.TB, stdin string, args ...string) result {
	tb.Helper()
	r := runCLI(tb, stdin, args...)
	if r.Code != 0 {
		tb.Fatalf("kansrijk %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.Code, r.Stdout, r.Stderr)
	}
	return r
}

func sqliteDSN(tb testing.TB) string {
	return "sqlite:" + filepath.Join(tb.TempDir(), "kansrijk.db")
}

var (
	idLine    = regexp.MustCompile(`^[1-9][0-9]*\n$`)
	tokenLine = regexp.MustCompile(`^krt_[A-Za-z0-9_-]{43}\n$`)
)

func TestMigrateTwice(t *testing.T) {
	dsn := sqliteDSN(t)
	first := MustRun(t, "", "migrate", "--db", dsn)
	second := MustRun(t, "", "migrate", "--db", dsn)
	if !strings.Contains(first.Stdout, "at migration") {
		t.Errorf("migrate printed %q", first.Stdout)
	}
	if first.Stdout != second.Stdout {
		t.Errorf("second migrate reports another state:\n%s\n%s", first.Stdout, second.Stdout)
	}
}

func TestDBFromEnvironment(t *testing.T) {
	dsn := sqliteDSN(t)
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), []string{"migrate"}, cli.Env{
		Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string {
			if k == "KANSRIJK_DB" {
				return dsn
			}
			return ""
		},
	})
	if code != 0 || !strings.Contains(out.String(), strings.TrimPrefix(dsn, "sqlite:")) {
		t.Errorf("migrate with $KANSRIJK_DB: exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}

func TestVersion(t *testing.T) {
	r := MustRun(t, "", "version")
	if !strings.HasPrefix(r.Stdout, "kansrijk ") || len(strings.TrimSpace(r.Stdout)) <= len("kansrijk") {
		t.Errorf("version printed %q", r.Stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	dsn := sqliteDSN(t)
	MustRun(t, "", "migrate", "--db", dsn)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"NoCommand", nil, 2, "no command"},
		{"UnknownCommand", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"UserWithoutCreate", []string{"user"}, 2, "user create"},
		{"TokenWithoutCreate", []string{"token", "list"}, 2, "token create"},
		{"MissingEmail", []string{"user", "create", "--db", dsn, "--role", "admin", "--org", "opgroeien"}, 2, "--email"},
		{"MissingRoleAndOrg", []string{"user", "create", "--db", dsn, "--email", "a@example.test"}, 2, "--role"},
		{"UnknownRole", []string{"user", "create", "--db", dsn, "--email", "a@example.test", "--role", "boss", "--org", "opgroeien"}, 2, `unknown role "boss"`},
		{"UnknownFlag", []string{"migrate", "--db", dsn, "--bogus"}, 2, "-bogus"},
		{"StrayArgument", []string{"migrate", "--db", dsn, "extra"}, 2, `unexpected argument "extra"`},
		{"TokenMissingEmail", []string{"token", "create", "--db", dsn}, 2, "--email"},
		{"BadAddr", []string{"serve", "--db", dsn, "--addr", "nonsense"}, 2, "--addr"},
		{"UnknownOrganisation", []string{"user", "create", "--db", dsn, "--email", "a@example.test", "--role", "ocmw_worker", "--org", "ocmw-99999"}, 1, "unknown_organisation"},
		{"RoleNotAllowed", []string{"user", "create", "--db", dsn, "--email", "a@example.test", "--role", "team_worker", "--org", "ocmw-13016"}, 1, "role_not_allowed_for_organisation"},
		{"TokenUnknownUser", []string{"token", "create", "--db", dsn, "--email", "ghost@example.test"}, 1, "ghost@example.test"},
		{"BadDSN", []string{"migrate", "--db", "mysql://u@h/db"}, 1, "unsupported database DSN"},
		{"EmptyPasswordOnStdin", []string{"user", "create", "--db", dsn, "--email", "a@example.test", "--role", "admin", "--org", "opgroeien", "--password-stdin"}, 1, "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			if r.Code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %q", r.Code, tt.wantCode, r.Stderr)
			}
			if !strings.Contains(r.Stderr, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, r.Stderr)
			}
			if tt.wantCode == 2 && !strings.Contains(r.Stderr, "Usage:") {
				t.Errorf("stderr lacks the usage:\n%s", r.Stderr)
			}
			if r.Stdout != "" {
				t.Errorf("stdout %q, want nothing", r.Stdout)
			}
		})
	}
	t.Run("NothingCreated", func(t *testing.T) {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if n, err := db.CountUsers(context.Background()); err != nil || n != 0 {
			t.Errorf("%d users after wrong uses, %v", n, err)
		}
	})
}

func TestHelp(t *testing.T) {
	r := MustRun(t, "", "help")
	if !strings.Contains(r.Stdout, "kansrijk user create") {
		t.Errorf("help: %q", r.Stdout)
	}
}

// TestUserTokenServe is the end-to-end flow of the issue on both databases:
// migrate, create a user and a token, serve on :0, call /api/v1/me with
// the token, shut down on cancel.
func TestUserTokenServe(t *testing.T) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			MustRun(t, "", "migrate", "--db", dsn)
			MustRun(t, "", "migrate", "--db", dsn)

			created := MustRun(t, "correct-horse-battery\n", "user", "create", "--db", dsn,
				"--email", "Script@Example.test", "--role", "ocmw_admin", "--org", "ocmw-13016", "--name", "Script Beheerder", "--password-stdin")
			if !idLine.MatchString(created.Stdout) {
				t.Fatalf("user create printed %q, want only an id", created.Stdout)
			}
			id, _ := strconv.ParseInt(strings.TrimSpace(created.Stdout), 10, 64)

			t.Run("PasswordFromStdinWorks", func(t *testing.T) {
				db, err := store.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				s, err := db.Login(context.Background(), "script@example.test", "correct-horse-battery", "127.0.0.1", "")
				if err != nil || s.Actor.UserID != id {
					t.Errorf("login with the password from stdin: %+v, %v", s.Actor, err)
				}
			})

			t.Run("WithoutPassword", func(t *testing.T) {
				r := MustRun(t, "", "user", "create", "--db", dsn, "--email", "nopw@example.test", "--role", "analyst", "--org", "opgroeien")
				if !idLine.MatchString(r.Stdout) {
					t.Errorf("user create printed %q", r.Stdout)
				}
			})

			t.Run("DuplicateEmail", func(t *testing.T) {
				r := runCLI(t, "", "user", "create", "--db", dsn, "--email", "SCRIPT@example.test", "--role", "analyst", "--org", "opgroeien")
				if r.Code == 0 || !strings.Contains(r.Stderr, "duplicate") || r.Stdout != "" {
					t.Errorf("duplicate e-mail: exit %d, stdout %q, stderr %q", r.Code, r.Stdout, r.Stderr)
				}
			})

			tok := MustRun(t, "", "token", "create", "--db", dsn, "--email", "script@example.test", "--label", "test")
			if !tokenLine.MatchString(tok.Stdout) {
				t.Fatalf("token create printed %q, want only the token", tok.Stdout)
			}
			token := strings.TrimSpace(tok.Stdout)

			t.Run("AuditedAsCLI", func(t *testing.T) {
				db, err := store.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				for _, action := range []string{audit.UserCreate, audit.TokenCreate} {
					evs, err := db.AuditEvents(context.Background(), audit.Filter{Action: action})
					if err != nil || len(evs) == 0 {
						t.Fatalf("%s events: %v, %v", action, evs, err)
					}
					for _, e := range evs {
						if e.Channel != "cli" || e.TokenID != 0 {
							t.Errorf("%s event %d: channel %q token %d, want cli", action, e.ID, e.Channel, e.TokenID)
						}
					}
				}
			})

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ready := make(chan string, 1)
			done := make(chan int, 1)
			var out, errOut syncBuffer
			go func() {
				done <- cli.Run(ctx, []string{"serve", "--db", dsn, "--addr", "127.0.0.1:0"}, cli.Env{
					Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
					Getenv: func(string) string { return "" },
					Ready:  func(addr string) { ready <- addr },
				})
			}()
			var addr string
			select {
			case addr = <-ready:
			case code := <-done:
				t.Fatalf("serve exited %d before listening\nstdout: %s\nstderr: %s", code, out.String(), errOut.String())
			case <-time.After(30 * time.Second):
				t.Fatal("serve did not start listening within 30s")
			}

			client := &http.Client{Timeout: 10 * time.Second}
			get := func(t *testing.T, path, token string) (int, map[string]any) {
				t.Helper()
				req, err := http.NewRequest("GET", "http://"+addr+path, nil)
				if err != nil {
					t.Fatal(err)
				}
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("GET %s: %v", path, err)
				}
				defer resp.Body.Close()
				var body map[string]any
				if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
					t.Fatalf("GET %s: body is not JSON: %v", path, err)
				}
				return resp.StatusCode, body
			}

			t.Run("Me", func(t *testing.T) {
				code, body := get(t, "/api/v1/me", token)
				if code != http.StatusOK {
					t.Fatalf("/api/v1/me: %d %v", code, body)
				}
				want := map[string]any{"id": float64(id), "email": "script@example.test", "name": "Script Beheerder",
					"role": "ocmw_admin", "organisation": "ocmw-13016", "organisation_kind": "ocmw"}
				if diff := cmp.Diff(want, body); diff != "" {
					t.Errorf("/api/v1/me (-want +got):\n%s", diff)
				}
			})
			t.Run("MeWithoutToken", func(t *testing.T) {
				if code, _ := get(t, "/api/v1/me", ""); code != http.StatusUnauthorized {
					t.Errorf("/api/v1/me without a token: %d", code)
				}
				if code, _ := get(t, "/api/v1/me", token+"x"); code != http.StatusUnauthorized {
					t.Errorf("/api/v1/me with a wrong token: %d", code)
				}
			})
			t.Run("Readyz", func(t *testing.T) {
				if code, body := get(t, "/readyz", ""); code != http.StatusOK || body["database"] != string(d) {
					t.Errorf("/readyz: %d %v", code, body)
				}
			})

			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("serve exited %d after cancel, want 0\nstderr: %s", code, errOut.String())
				}
			case <-time.After(20 * time.Second):
				t.Fatal("serve did not stop within 20s of cancel")
			}
			if !strings.Contains(out.String(), "listening on http://localhost:") {
				t.Errorf("serve printed %q", out.String())
			}
			if strings.Contains(out.String()+errOut.String(), token) {
				t.Error("serve printed the token")
			}
		})
	}
}

func TestDemoCommand(t *testing.T) {
	dsn := sqliteDSN(t)
	r := MustRun(t, "", "demo", "--db", dsn)
	if !strings.Contains(r.Stdout, "admin@demo.kansrijk.test") {
		t.Errorf("demo printed %q", r.Stdout)
	}
	again := runCLI(t, "", "demo", "--db", dsn)
	if again.Code == 0 || !strings.Contains(again.Stderr, "not empty") {
		t.Errorf("second demo: exit %d, stderr %q", again.Code, again.Stderr)
	}
}
