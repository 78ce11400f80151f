package cli_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kansrijk/internal/auditlog"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// Area ops: `kansrijk serve` stops gracefully on SIGTERM — tested on the
// built binary, with real signals, on both databases.

const opsEmail, opsPassword = "owner@ops.test", "ops-wachtwoord-2026"

var (
	opsBinOnce sync.Once
	opsBin     string
	opsBinErr  error
)

// kansrijkBinary builds the command once per test run.
func kansrijkBinary(t *testing.T) string {
	t.Helper()
	opsBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kansrijk-ops-bin-")
		if err != nil {
			opsBinErr = err
			return
		}
		opsBin = filepath.Join(dir, "kansrijk")
		out, err := exec.Command("go", "build", "-o", opsBin, "kansrijk/cmd/kansrijk").CombinedOutput()
		if err != nil {
			opsBinErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if opsBinErr != nil {
		t.Fatal(opsBinErr)
	}
	return opsBin
}

// opsDatabase makes a fresh database with one admin and an audit key
// file, and returns the DSN and the key file.
func opsDatabase(t *testing.T, bin string, d store.Dialect) (dsn, keyFile string) {
	t.Helper()
	dsn = storetest.DSN(t, d)
	skey, _, err := auditlog.GenerateKey(auditlog.DefaultOrigin)
	if err != nil {
		t.Fatal(err)
	}
	keyFile = filepath.Join(t.TempDir(), "audit.key")
	if err := os.WriteFile(keyFile, []byte(skey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// An analyst: admins and DPOs must sign in with a second factor under serve.
	create := exec.Command(bin, "user", "create", "--db", dsn, "--email", opsEmail, "--role", "analyst", "--org", "opgroeien", "--password-stdin")
	create.Env = opsEnv(keyFile)
	create.Stdin = strings.NewReader(opsPassword + "\n")
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("kansrijk user create: %v\n%s", err, out)
	}
	return dsn, keyFile
}

// opsEnv is the process environment without any KANSRIJK_ setting of
// the machine, plus the audit key and the given settings.
func opsEnv(keyFile string, kv ...string) []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "KANSRIJK_") {
			env = append(env, e)
		}
	}
	return append(append(env, "KANSRIJK_AUDIT_KEY_FILE="+keyFile), kv...)
}

// instance is a running `kansrijk serve`.
type instance struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	out  *syncBuffer // standard output and error
	done chan struct{}
	err  error // of Wait, once done is closed
}

var listeningLine = regexp.MustCompile(`listening on http://localhost:(\d+)`)

func startInstance(t *testing.T, bin, dsn, keyFile string) *instance {
	t.Helper()
	in := &instance{t: t, out: &syncBuffer{}, done: make(chan struct{})}
	in.cmd = exec.Command(bin, "serve", "--db", dsn, "--addr", "127.0.0.1:0")
	in.cmd.Env = opsEnv(keyFile, "KANSRIJK_SHUTDOWN_DRAIN=2s", "KANSRIJK_SHUTDOWN_TIMEOUT=30s", "KANSRIJK_LOG_LEVEL=info")
	in.cmd.Stdout, in.cmd.Stderr = in.out, in.out
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { in.err = in.cmd.Wait(); close(in.done) }()
	t.Cleanup(func() {
		select {
		case <-in.done:
		default:
			_ = in.cmd.Process.Kill()
			<-in.done
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for in.base == "" {
		if m := listeningLine.FindStringSubmatch(in.out.String()); m != nil {
			in.base = "http://127.0.0.1:" + m[1]
			break
		}
		select {
		case <-in.done:
			t.Fatalf("serve ended before listening: %v\n%s", in.err, in.out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen within 90 s:\n%s", in.out)
		}
	}
	return in
}

// client makes fresh connections for every request, as a load balancer's
// health checks and new visitors do.
var opsClient = &http.Client{
	Transport:     &http.Transport{DisableKeepAlives: true},
	Timeout:       60 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (in *instance) get(path, cookie string) (int, string, error) {
	req, _ := http.NewRequest("GET", in.base+path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Sec-Fetch-Site", "same-origin") // as the browser marks a typed address
	}
	resp, err := opsClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

func (in *instance) mustGet(path, cookie string, want int) string {
	in.t.Helper()
	code, body, err := in.get(path, cookie)
	if err != nil || code != want {
		in.t.Fatalf("GET %s%s: %d %v, want %d\n%.300s", in.base, path, code, err, want, body)
	}
	return body
}

// signIn signs in through the login form and returns "name=value" of
// the session cookie.
func (in *instance) signIn() string {
	in.t.Helper()
	form := url.Values{"email": {opsEmail}, "password": {opsPassword}}
	resp, err := opsClient.PostForm(in.base+"/login", form)
	if err != nil {
		in.t.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "kansrijk_session" && c.Value != "" {
			if c.Secure {
				in.t.Error("Secure session cookie on a plain http public address")
			}
			return c.Name + "=" + c.Value
		}
	}
	in.t.Fatalf("sign-in: %d, no session cookie", resp.StatusCode)
	return ""
}

// slowRequest starts a password-reset request whose body comes in two
// parts; finish sends the rest and returns the response's status.
func (in *instance) slowRequest() (finish func() (int, error)) {
	in.t.Helper()
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", in.base+"/wachtwoord-vergeten", pr)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	type answer struct {
		code int
		err  error
	}
	ch := make(chan answer, 1)
	go func() {
		resp, err := opsClient.Do(req)
		if err != nil {
			ch <- answer{0, err}
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		ch <- answer{resp.StatusCode, nil}
	}()
	if _, err := pw.Write([]byte("email=")); err != nil {
		in.t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // the handler is now reading the body
	return func() (int, error) {
		_, _ = pw.Write([]byte(url.QueryEscape(opsEmail)))
		pw.Close()
		a := <-ch
		return a.code, a.err
	}
}

// readiness returns the status code and the "status" of /readyz.
func (in *instance) readiness() (int, string) {
	code, body, err := in.get("/readyz", "")
	if err != nil {
		return 0, err.Error()
	}
	var v map[string]string
	_ = json.Unmarshal([]byte(body), &v)
	return code, v["status"]
}

// waitDraining waits until /readyz answers 503 draining.
func (in *instance) waitDraining() {
	in.t.Helper()
	for start := time.Now(); time.Since(start) < 2*time.Second; time.Sleep(20 * time.Millisecond) {
		if code, status := in.readiness(); code == 503 && status == "draining" {
			return
		}
	}
	code, status := in.readiness()
	in.t.Fatalf("/readyz after SIGTERM: %d %q, want 503 draining\n%s", code, status, in.out)
}

// waitListenerClosed waits until new connections are refused.
func (in *instance) waitListenerClosed() {
	in.t.Helper()
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(50 * time.Millisecond) {
		if _, _, err := in.get("/healthz", ""); err != nil {
			return
		}
	}
	in.t.Fatal("the listener is still open 10 s after SIGTERM")
}

// wait waits for the process to end and checks it exited 0 after
// logging every step of the shutdown.
func (in *instance) wait() {
	in.t.Helper()
	select {
	case <-in.done:
	case <-time.After(60 * time.Second):
		in.t.Fatalf("serve still runs 60 s after SIGTERM:\n%s", in.out)
	}
	if in.err != nil {
		in.t.Fatalf("serve exited with %v\n%s", in.err, in.out)
	}
	out := in.out.String()
	if testing.Verbose() {
		in.t.Logf("serve's output:\n%s", out)
	}
	last := -1
	for _, step := range []string{"shutdown: draining", "shutdown: listener closed", "shutdown: requests finished",
		"shutdown: stopping background jobs", "shutdown: background jobs stopped", "shutdown: final audit checkpoint signed",
		"shutdown: database closed", "Stopped."} {
		i := strings.Index(out, step)
		if i < 0 || i < last {
			in.t.Errorf("the log lacks %q (or has it out of order)\n%s", step, out)
		}
		last = i
	}
}

// checkFinalCheckpoint: every audit event is under the last signed
// checkpoint, and `kansrijk audit verify` passes.
func checkFinalCheckpoint(t *testing.T, dsn, keyFile string) {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	var events, size int64
	err = db.SQL().QueryRow("SELECT (SELECT count(*) FROM audit_events), (SELECT coalesce(max(size), 0) FROM audit_checkpoints)").Scan(&events, &size)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if events == 0 || size != events {
		t.Errorf("%d audit events, the last checkpoint covers %d", events, size)
	}
	r := runCLIEnv(t, map[string]string{"KANSRIJK_AUDIT_KEY_FILE": keyFile}, "audit", "verify", "--db", dsn)
	if r.Code != 0 || !strings.Contains(r.Stdout, "OK:") {
		t.Errorf("audit verify: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
}

// TestGracefulShutdown: SIGTERM with a request in flight. /readyz answers
// 503 draining at once while new requests are still served; after the
// drain the listener closes, the request in flight completes 200, the
// final checkpoint covers its audit event and verifies, and the process
// exits 0.
func TestGracefulShutdown(t *testing.T) {
	bin := kansrijkBinary(t)
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) {
			dsn, keyFile := opsDatabase(t, bin, d)
			in := startInstance(t, bin, dsn, keyFile)
			if code, status := in.readiness(); code != 200 || status != "ready" {
				t.Fatalf("/readyz: %d %q", code, status)
			}
			finish := in.slowRequest()
			if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			in.waitDraining()
			in.mustGet("/healthz", "", 200) // a new connection while draining
			cookie := in.signIn()           // a sign-in while draining works
			in.mustGet("/api/v1/me", cookie, 200)
			in.waitListenerClosed()
			select {
			case <-in.done:
				t.Fatalf("serve ended with a request in flight:\n%s", in.out)
			default:
			}
			if code, err := finish(); code != 200 || err != nil {
				t.Errorf("the request in flight: %d %v, want 200", code, err)
			}
			in.wait()
			checkFinalCheckpoint(t, dsn, keyFile)
		})
	}
}

// TestTwoInstancesOnePostgres: two instances on one PostgreSQL database
// share sessions and run each daily job once; one stops gracefully while
// the other keeps serving.
func TestTwoInstancesOnePostgres(t *testing.T) {
	bin := kansrijkBinary(t)
	dsn, keyFile := opsDatabase(t, bin, store.Postgres)
	a := startInstance(t, bin, dsn, keyFile)
	b := startInstance(t, bin, dsn, keyFile)
	for _, in := range []*instance{a, b} { // the load balancer watches both
		if code, status := in.readiness(); code != 200 || status != "ready" {
			t.Fatalf("%s /readyz: %d %q", in.base, code, status)
		}
	}

	// A session made on one instance is valid on the other.
	cookie := a.signIn()
	for _, in := range []*instance{a, b} {
		if body := in.mustGet("/api/v1/me", cookie, 200); !strings.Contains(body, opsEmail) {
			t.Errorf("%s /api/v1/me: %.200s", in.base, body)
		}
	}

	// Each daily job ran once today, by one of the two.
	daily := []string{"retention job finished", "births job finished", "statistics job finished"}
	deadline := time.Now().Add(60 * time.Second)
	for {
		all := true
		for _, line := range daily {
			all = all && strings.Count(a.out.String(), line)+strings.Count(b.out.String(), line) >= 1
		}
		if all || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // the other instance has checked too by now
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL().Query("SELECT job, count(*) FROM job_runs GROUP BY job")
	if err != nil {
		t.Fatal(err)
	}
	jobs := map[string]int{}
	for rows.Next() {
		var job string
		var n int
		if err := rows.Scan(&job, &n); err != nil {
			t.Fatal(err)
		}
		jobs[job] = n
	}
	rows.Close()
	db.Close()
	for _, job := range []string{"retention", "births", "statistics"} {
		if jobs[job] != 1 {
			t.Errorf("job_runs: %v, want %s once", jobs, job)
		}
	}
	for _, line := range daily {
		if n := strings.Count(a.out.String(), line) + strings.Count(b.out.String(), line); n != 1 {
			t.Errorf("%q logged %d times by the two instances, want once", line, n)
		}
	}

	// A stops gracefully; B keeps serving the same session throughout.
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	a.waitDraining()
	if code, status := b.readiness(); code != 200 || status != "ready" {
		t.Errorf("B while A drains: /readyz %d %q", code, status)
	}
	b.mustGet("/api/v1/me", cookie, 200)
	a.waitListenerClosed()
	a.wait()
	b.mustGet("/api/v1/me", cookie, 200)
	if code, status := b.readiness(); code != 200 || status != "ready" {
		t.Errorf("B after A stopped: /readyz %d %q", code, status)
	}
	cookieB := b.signIn()
	b.mustGet("/api/v1/me", cookieB, 200)

	// Then B stops too; the shared log ends under a checkpoint that
	// verifies.
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	b.wait()
	checkFinalCheckpoint(t, dsn, keyFile)
}

// TestOpsSettingsChecked: config check shows the shutdown and proxy
// settings and names a bad value; serve refuses to start with one.
func TestOpsSettingsChecked(t *testing.T) {
	env := map[string]string{"KANSRIJK_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1", "KANSRIJK_SHUTDOWN_DRAIN": "10s"}
	r := runCLIEnv(t, env, "config", "check")
	if r.Code != 0 {
		t.Fatalf("exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	for key, want := range map[string]string{
		"KANSRIJK_TRUSTED_PROXIES":  "10.0.0.0/8, 127.0.0.1 (environment)",
		"KANSRIJK_SHUTDOWN_DRAIN":   "10s (environment)",
		"KANSRIJK_SHUTDOWN_TIMEOUT": "- (default)",
	} {
		if got := effective(r.Stdout, key); got != want {
			t.Errorf("%s: %q, want %q", key, got, want)
		}
	}
	bad := map[string]string{"KANSRIJK_TRUSTED_PROXIES": "proxy.example.org", "KANSRIJK_SHUTDOWN_TIMEOUT": "0s"}
	r = runCLIEnv(t, bad, "config", "check")
	if r.Code != 1 || !strings.Contains(r.Stderr, "KANSRIJK_TRUSTED_PROXIES") || !strings.Contains(r.Stderr, "KANSRIJK_SHUTDOWN_TIMEOUT") {
		t.Errorf("bad values: exit %d\n%s", r.Code, r.Stderr)
	}
	for key, val := range map[string]string{"KANSRIJK_TRUSTED_PROXIES": "proxy.example.org", "KANSRIJK_SHUTDOWN_DRAIN": "forever"} {
		dsn := "sqlite:" + filepath.Join(t.TempDir(), "k.db")
		r = runCLIEnv(t, map[string]string{key: val}, "serve", "--db", dsn, "--addr", "127.0.0.1:0")
		if r.Code != 1 || !strings.Contains(r.Stderr, key) {
			t.Errorf("serve with %s=%s: exit %d, %q", key, val, r.Code, r.Stderr)
		}
	}
}
