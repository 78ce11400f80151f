// Package reliability holds the harnesses that probe a running Kansrijk from
// outside, as a process: the crash harness (SIGKILL at random moments,
// then check that every acknowledged write survived, that no batch is half
// in and that nothing was stored twice) and the soak harness (a realistic
// mix of clients for minutes, with latency and memory figures).
//
// The harnesses are Go tests that take their size from the environment,
// so that `go test ./...` runs a short version and `make crash` and
// `make soak` the long ones:
//
//	KANSRIJK_CRASH_KILLS      kills per database (default 20)
//	KANSRIJK_SOAK_CLIENTS     concurrent clients (default 50)
//	KANSRIJK_SOAK_DURATION    duration per database (default 20s)
//
// Both run on SQLite (a temporary file) and PostgreSQL (a fresh database
// on the server of KANSRIJK_TEST_POSTGRES); under CI=true a missing
// PostgreSQL fails. Figures go to test-artifacts/reliability/*.json.
package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// envInt reads a positive integer from the environment, def when unset.
func envInt(t testing.TB, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		t.Fatalf("%s must be a positive number, got %q", name, s)
	}
	return n
}

// envDuration reads a duration from the environment, def when unset.
func envDuration(t testing.TB, name string, def time.Duration) time.Duration {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		t.Fatalf("%s must be a duration such as 20s or 10m, got %q", name, s)
	}
	return d
}

// builtDir holds the binary once built (removed by TestMain).
var builtDir string

// binary builds the kansrijk command once per test process.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "kansrijk-reliability-")
	if err != nil {
		return "", err
	}
	builtDir = dir
	bin := filepath.Join(dir, "kansrijk")
	cmd := exec.Command("go", "build", "-o", bin, "kansrijk/cmd/kansrijk")
	cmd.Dir = moduleRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// moduleRoot is the directory of go.mod above the working directory.
var moduleRoot = sync.OnceValue(func() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return wd
		}
		dir = parent
	}
})

// artifactsDir is where the harnesses write their figures.
func artifactsDir() string {
	if d := os.Getenv("KANSRIJK_TEST_ARTIFACTS"); d != "" {
		return filepath.Join(d, "reliability")
	}
	return filepath.Join(moduleRoot(), "test-artifacts", "reliability")
}

// writeFigures writes v as indented JSON to test-artifacts/reliability/name.
func writeFigures(t testing.TB, name string, v any) {
	t.Helper()
	dir := artifactsDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts: %v", err)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatalf("figures: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), append(b, '\n'), 0o644); err != nil {
		t.Fatalf("figures: %v", err)
	}
	t.Logf("figures written to %s", filepath.Join(dir, name))
}

// machine describes where a run took place, for the figures.
func machine() map[string]any {
	m := map[string]any{"goos": runtime.GOOS, "goarch": runtime.GOARCH, "cpus": runtime.NumCPU(), "go": runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				m["cpu"] = strings.TrimSpace(l[strings.Index(l, ":")+1:])
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if l, _, ok := strings.Cut(string(b), "\n"); ok {
			m["memory"] = strings.Join(strings.Fields(l)[1:], " ")
		}
	}
	return m
}

// forEachDatabase runs fn as a subtest on a fresh, empty database of every
// backend; storetest makes a missing PostgreSQL fail under CI=true.
func forEachDatabase(t *testing.T, fn func(t *testing.T, d store.Dialect, dsn string)) {
	for _, d := range storetest.Backends {
		t.Run(string(d), func(t *testing.T) { fn(t, d, storetest.DSN(t, d)) })
	}
}

// Server is one kansrijk serve process on 127.0.0.1.
type Server struct {
	Bin, DSN, Addr string
	Log            string // file receiving the process's output
	cmd            *exec.Cmd
	done           chan struct{}
}

// newServer prepares a server on a free port of 127.0.0.1.
func newServer(t testing.TB, dsn string) *Server {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &Server{Bin: bin, DSN: dsn, Addr: addr, Log: filepath.Join(t.TempDir(), "serve.log")}
	t.Cleanup(s.Kill)
	return s
}

// URL is the server's base address.
func (s *Server) URL() string { return "http://" + s.Addr }

// Start starts the process and waits until /readyz answers 200.
func (s *Server) Start() error {
	f, err := os.OpenFile(s.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(f, "--- start %s\n", time.Now().UTC().Format(time.RFC3339Nano))
	cmd := exec.Command(s.Bin, "serve", "--db", s.DSN, "--addr", s.Addr)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), "KANSRIJK_LOG_LEVEL=warn", "KANSRIJK_SMTP_ADDR=")
	if err := cmd.Start(); err != nil {
		f.Close()
		return err
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func() { cmd.Wait(); f.Close(); close(s.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("kansrijk serve exited at start: %s", s.tail())
		default:
		}
		resp, err := http.Get(s.URL() + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Kill()
	return fmt.Errorf("kansrijk serve not ready after 60s: %s", s.tail())
}

// Kill sends SIGKILL and waits for the process to be gone.
func (s *Server) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	s.cmd = nil
}

// Stop ends the process cleanly (SIGTERM) and waits for it.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.Kill()
	}
	s.cmd = nil
}

// RSS returns the resident memory of the process in KiB (VmRSS).
func (s *Server) RSS() (int64, error) {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0, fmt.Errorf("not running")
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			fs := strings.Fields(rest)
			if len(fs) > 0 {
				return strconv.ParseInt(fs[0], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("no VmRSS")
}

// tail returns the end of the process's log.
func (s *Server) tail() string {
	b, _ := os.ReadFile(s.Log)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// cli runs a kansrijk subcommand on the database and returns its stdout.
func cli(t testing.TB, dsn string, stdin string, args ...string) string {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "KANSRIJK_DB="+dsn, "KANSRIJK_LOG_LEVEL=warn")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("kansrijk %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// Demo accounts the harnesses act as (internal/demo): a team of Turnhout
// with an agreement in force with the OCMW of Hulshout (13016).
const (
	demoTeam      = "team-demo-turnhout"
	demoNIS       = "13016"
	demoPostcode  = "2235"
	teamWorker    = "teamworker@demo.kansrijk.test"
	teamLead      = "teamlead@demo.kansrijk.test"
	ocmwWorker    = "ocmw@demo.kansrijk.test"
	clinicUser    = "clinic@demo.kansrijk.test"
	adminUser     = "admin@demo.kansrijk.test"
	analystUser   = "analyst@demo.kansrijk.test"
	demoClinicKey = "clinic-demo-zonnedal"
)

// loadDemo loads the demo data through the command line and returns a
// token per account.
func loadDemo(t testing.TB, dsn string, emails ...string) map[string]string {
	t.Helper()
	cli(t, dsn, "", "demo", "--db", dsn)
	tokens := map[string]string{}
	for _, e := range emails {
		tokens[e] = strings.TrimSpace(cli(t, dsn, "", "token", "create", "--db", dsn, "--email", e, "--label", "reliability"))
	}
	return tokens
}

// client calls the API with a bearer token.
type client struct {
	base, token string
	http        *http.Client
}

func newClient(base, token string, timeout time.Duration) *client {
	tr := &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second}
	return &client{base: base, token: token, http: &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request; body is JSON unless ctype says otherwise.
func (c *client) do(ctx context.Context, method, path, ctype string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		if ctype == "" {
			ctype = "application/json"
		}
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, b, err
	}
	return resp.StatusCode, b, nil
}

// jsonBody marshals v (never fails for the harness's own values).
func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// referralBody is a new referral of a fictitious family in Hulshout.
func referralBody(name string) []byte {
	return jsonBody(map[string]any{
		"municipality_nis": demoNIS,
		"parents": []map[string]string{{"name": name, "street": "Fictieve Kerkstraat", "number": "12", "postcode": demoPostcode,
			"municipality_nis": demoNIS, "phone": "+32470000000", "email": "fictief@example.org"}},
		"criteria": []string{"income"}, "needs": []string{"income_support"},
	})
}

// consentBody records the first parent's spoken consent after the five items.
var consentBody = []byte(`{"parent": 0, "informed": ["data", "recipient", "purpose", "processing", "expectations"], "method": "verbal"}`)

// letters writes n as width letters (a–z): names are matched without
// digits or punctuation, so the harness's names differ in letters.
func letters(n, width int) string {
	b := make([]byte, width)
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('a' + n%26)
		n /= 26
	}
	return string(b)
}

// batchCSV is a clinic's CSV file of n fictitious births in Hulshout, its
// rows named after tag (letters) so that every file is different.
func batchCSV(tag string, n int, born time.Time) []byte {
	var b bytes.Buffer
	b.WriteString("mother_name,mother_street,mother_number,mother_postcode,mother_municipality_nis,mother_phone,mother_language,child_birth_date,early_contact_requested\n")
	for i := range n {
		fmt.Fprintf(&b, "Fictief %s%s,Fictieve Dorpsstraat,%d,%s,%s,+3247%07d,nl,%s,no\n", tag, letters(i, 2), i+1, demoPostcode, demoNIS, i, born.Format(time.DateOnly))
	}
	return b.Bytes()
}
