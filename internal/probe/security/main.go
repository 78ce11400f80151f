// Command security attacks a running Kansrijk with sqlmap, the way an
// outsider holding a valid token would, and fails unless sqlmap reports no
// injectable point. `make security` runs it in full, CI runs -short.
//
// For each database (a fresh SQLite file, a fresh PostgreSQL database) it
// builds the binary, starts `kansrijk serve --demo` on 127.0.0.1 (a free
// port), makes tokens with `kansrijk token create` for the roles asked
// for, reads the route list from the served /api/v1/openapi.json, and runs
// sqlmap on every path and query parameter of every GET route and on every
// string of the JSON body of every POST/PUT/PATCH route (and their path
// ids), with real ids of the demo data where a list route shows them.
// First it checks itself: sqlmap must find the hole in a deliberately
// vulnerable handler, or the run fails (a broken sqlmap is not a pass).
//
//	go run ./internal/probe/security -db sqlite -db postgres -roles admin,team_worker,ocmw_worker
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"crypto/rand"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"kansrijk/internal/probe"
)

const mark = "*"

type config struct {
	dbs      []string
	pgAdmin  string
	roles    []string
	writes   bool
	level    int
	risk     int
	timeSec  int
	parallel int
	perRun   time.Duration
	total    time.Duration
	workDir  string
	selfTest bool
	sqlmap   string
	list     bool
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

func main() {
	var cfg config
	var dbs multi
	short := flag.Bool("short", false, "CI run: SQLite, the admin role, GET routes only, level 1")
	flag.Var(&dbs, "db", "database to run on: sqlite or postgres (repeatable; default both)")
	flag.StringVar(&cfg.pgAdmin, "pg", envOr("KANSRIJK_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL DSN allowed to create databases")
	roles := flag.String("roles", "admin,team_worker,ocmw_worker", "demo roles to attack as (comma-separated)")
	flag.BoolVar(&cfg.writes, "writes", true, "also attack the JSON bodies of POST/PUT/PATCH routes")
	flag.IntVar(&cfg.level, "level", 2, "sqlmap --level (1-5)")
	flag.IntVar(&cfg.risk, "risk", 1, "sqlmap --risk (1-3)")
	flag.IntVar(&cfg.timeSec, "time-sec", 1, "sqlmap --time-sec for time-based payloads")
	flag.IntVar(&cfg.parallel, "parallel", 2, "sqlmap processes at once")
	flag.DurationVar(&cfg.perRun, "per-target", 3*time.Minute, "time limit of one sqlmap run")
	flag.DurationVar(&cfg.total, "timeout", 60*time.Minute, "time limit of the whole run")
	flag.StringVar(&cfg.workDir, "out", "", "directory for sqlmap's output and logs (default a temporary one)")
	flag.BoolVar(&cfg.selfTest, "self-test", true, "first check that sqlmap finds a planted injection")
	flag.StringVar(&cfg.sqlmap, "sqlmap", "sqlmap", "sqlmap executable")
	flag.BoolVar(&cfg.list, "list", false, "print the targets and stop (no sqlmap run, no self-test)")
	flag.Parse()
	cfg.dbs = dbs
	cfg.roles = splitList(*roles)
	if *short {
		if len(cfg.dbs) == 0 {
			cfg.dbs = []string{"sqlite"}
		}
		if !flagSet("roles") {
			cfg.roles = []string{"admin"}
		}
		if !flagSet("writes") {
			cfg.writes = false
		}
		if !flagSet("level") {
			cfg.level = 1
		}
		if !flagSet("timeout") {
			cfg.total = 5 * time.Minute
		}
		if !flagSet("per-target") {
			cfg.perRun = time.Minute
		}
	}
	if len(cfg.dbs) == 0 {
		cfg.dbs = []string{"sqlite", "postgres"}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, cfg.total)
	defer cancel()
	ok, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "security:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// target is one sqlmap run: a route as one role.
type target struct {
	db, role string
	route    probe.Route
	url      string // absolute, with "*" markers
	body     string // JSON with "*" markers, or ""
	token    string
	points   int
}

// result is what came of a target.
type result struct {
	target
	verdict  probe.Verdict
	err      error
	duration time.Duration
	logFile  string
}

func run(ctx context.Context, cfg config) (bool, error) {
	start := time.Now()
	if _, err := exec.LookPath(cfg.sqlmap); err != nil {
		return false, fmt.Errorf("sqlmap not found (Debian package sqlmap): %w", err)
	}
	if cfg.workDir == "" {
		d, err := os.MkdirTemp("", "kansrijk-security-")
		if err != nil {
			return false, err
		}
		cfg.workDir = d
	} else if err := os.MkdirAll(cfg.workDir, 0o755); err != nil {
		return false, err
	}
	fmt.Printf("security: sqlmap level %d risk %d, roles %s, databases %s, writes %v; logs in %s\n",
		cfg.level, cfg.risk, strings.Join(cfg.roles, ","), strings.Join(cfg.dbs, ","), cfg.writes, cfg.workDir)
	if cfg.selfTest && !cfg.list {
		if err := selfTest(ctx, cfg); err != nil {
			return false, fmt.Errorf("self-test: %w", err)
		}
		fmt.Println("self-test: sqlmap found the planted injection; the harness can see one")
	}
	bin := filepath.Join(cfg.workDir, "kansrijk")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/kansrijk")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return false, fmt.Errorf("build: %w", err)
	}
	var all []result
	for _, db := range cfg.dbs {
		rs, err := runDB(ctx, cfg, bin, db)
		all = append(all, rs...)
		if err != nil {
			summary(all, time.Since(start))
			return false, fmt.Errorf("%s: %w", db, err)
		}
	}
	return summary(all, time.Since(start)), nil
}

// runDB starts a server on a fresh database of the kind and attacks it.
func runDB(ctx context.Context, cfg config, bin, kind string) ([]result, error) {
	dsn, dbms, cleanup, err := freshDB(ctx, cfg, kind)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	srv, err := startServer(ctx, bin, dsn, filepath.Join(cfg.workDir, kind+"-server.log"))
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	fmt.Printf("%s: server on %s, %d demo accounts\n", kind, srv.base, len(srv.accounts))

	doc, err := get(ctx, srv.base+"/api/v1/openapi.json", "")
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	routes, err := probe.Routes(doc)
	if err != nil {
		return nil, err
	}
	var targets []target
	skipped := 0
	for _, role := range cfg.roles {
		email, ok := srv.accounts[role]
		if !ok {
			return nil, fmt.Errorf("no demo account with role %q", role)
		}
		tok, err := command(ctx, bin, "token", "create", "--db", dsn, "--email", email, "--label", "security-probe")
		if err != nil {
			return nil, fmt.Errorf("token for %s: %w", role, err)
		}
		tok = strings.TrimSpace(tok)
		ids := discoverIDs(ctx, srv.base, tok, routes)
		// The document's examples name other teams and municipalities: use
		// the role's own, so requests get past the scope checks and the
		// injected value reaches the query.
		own := ownValues(ctx, srv.base, tok)
		for _, r := range routes {
			t := target{db: kind, role: role, route: r, token: tok}
			switch {
			case r.Method == "GET":
				t.url = srv.base + own.Replace(r.URL(ids[r.Path], mark))
			case cfg.writes && r.JSON && r.Method != "DELETE":
				t.url = srv.base + own.Replace(r.URL(ids[r.Path], mark))
				t.body = own.Replace(probe.MarkJSON(r.Body, mark))
			default:
				continue
			}
			if t.points = probe.CountMarks(t.url, t.body, mark); t.points == 0 {
				skipped++
				continue
			}
			targets = append(targets, t)
		}
	}
	fmt.Printf("%s: %d routes in the document, %d targets (%d routes without parameters skipped)\n", kind, len(routes), len(targets), skipped)
	if cfg.list {
		for _, t := range targets {
			fmt.Printf("%s %s %s %s %s\n", t.db, t.role, t.route.Method, t.url, t.body)
		}
		return nil, nil
	}
	return attack(ctx, cfg, dbms, targets), nil
}

// discoverIDs finds, for each route with path parameters, values of the
// demo data the role can see: the first id (or key) a GET of the parent
// collection lists, else one found inside the parent object.
func discoverIDs(ctx context.Context, base, token string, routes []probe.Route) map[string]map[string]string {
	out := map[string]map[string]string{}
	cache := map[string]any{}
	fetch := func(path string) any {
		if v, ok := cache[path]; ok {
			return v
		}
		var v any
		if b, err := get(ctx, base+path, token); err == nil {
			_ = json.Unmarshal(b, &v)
		}
		cache[path] = v
		return v
	}
	for _, r := range routes {
		vals := map[string]string{}
		path := r.Path
		for _, p := range r.PathParams() {
			i := strings.Index(path, "{"+p.Name+"}")
			collection := strings.TrimSuffix(path[:i], "/")
			key := p.Name
			if key != "key" {
				key = "id"
			}
			v := firstValue(fetch(collection), key, "")
			if v == "" {
				parent := collection[:strings.LastIndex(collection, "/")]
				v = firstValue(fetch(parent), key, vals[lastParam(parent)])
			}
			if v == "" {
				v = p.Sample
			}
			vals[p.Name] = v
			path = strings.Replace(path, "{"+p.Name+"}", url.PathEscape(v), 1)
		}
		out[r.Path] = vals
	}
	return out
}

// ownValues maps the document's example team keys and NIS codes to the
// role's own team and a municipality of its area (its OCMW's for an OCMW
// role).
func ownValues(ctx context.Context, base, token string) *strings.Replacer {
	var me struct {
		Organisation string `json:"organisation"`
	}
	if b, err := get(ctx, base+"/api/v1/me", token); err == nil {
		_ = json.Unmarshal(b, &me)
	}
	nis, team := "", ""
	switch {
	case strings.HasPrefix(me.Organisation, "ocmw-"):
		nis = strings.TrimPrefix(me.Organisation, "ocmw-")
	case strings.HasPrefix(me.Organisation, "team-"):
		team = me.Organisation
		var t struct {
			Municipalities []string `json:"municipalities"`
		}
		if b, err := get(ctx, base+"/api/v1/teams/"+team, token); err == nil && json.Unmarshal(b, &t) == nil && len(t.Municipalities) > 0 {
			nis = t.Municipalities[0]
			for _, m := range t.Municipalities {
				if m == "13016" { // the demo's municipality with an agreement in force
					nis = m
				}
			}
		}
	}
	var pairs []string
	if nis != "" {
		for _, ex := range []string{"11002", "46030", "13016"} {
			pairs = append(pairs, ex, nis)
		}
	}
	if team != "" {
		for _, ex := range []string{"team-zuiderkempen", "team-noord"} {
			pairs = append(pairs, ex, team)
		}
	}
	return strings.NewReplacer(pairs...)
}

func lastParam(path string) string {
	ms := regexp.MustCompile(`\{([^{}]+)\}`).FindAllStringSubmatch(path, -1)
	if len(ms) == 0 {
		return ""
	}
	return ms[len(ms)-1][1]
}

// firstValue returns the first value under key inside an array of objects
// in v (depth first), skipping the value not (the parent's own id).
func firstValue(v any, key, not string) string {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if o, ok := e.(map[string]any); ok {
				if s := scalarString(o[key]); s != "" && s != not {
					return s
				}
			}
			if s := firstValue(e, key, not); s != "" {
				return s
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if s := firstValue(x[k], key, not); s != "" {
				return s
			}
		}
	}
	return ""
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return fmt.Sprintf("%.0f", x)
	}
	return ""
}

// attack runs sqlmap on every target, cfg.parallel at a time.
func attack(ctx context.Context, cfg config, dbms string, targets []target) []result {
	results := make([]result, len(targets))
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for w := 0; w < cfg.parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = sqlmap(ctx, cfg, dbms, i, targets[i])
				mu.Lock()
				done++
				r := results[i]
				state := "clean"
				switch {
				case len(r.verdict.Injectable) > 0:
					state = "INJECTABLE " + strings.Join(r.verdict.Injectable, "; ")
				case r.err != nil:
					state = "ERROR " + r.err.Error()
				case !r.verdict.Finished:
					state = "UNFINISHED (see " + r.logFile + ")"
				}
				fmt.Printf("[%d/%d] %-6s %-11s %-55s %d points %5.1fs %s\n", done, len(targets), r.db, r.role, r.route.String(), r.points, r.duration.Seconds(), state)
				mu.Unlock()
			}
		}()
	}
	for i := range targets {
		if ctx.Err() != nil {
			results[i] = result{target: targets[i], err: errors.New("not run: global time limit reached")}
			continue
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return results
}

// sqlmap runs one sqlmap process on a target.
func sqlmap(ctx context.Context, cfg config, dbms string, i int, t target) result {
	res := result{target: t}
	u, err := url.Parse(t.url)
	if err != nil || u.Hostname() != "127.0.0.1" {
		res.err = fmt.Errorf("refusing to attack %q: only 127.0.0.1", t.url)
		return res
	}
	dir := filepath.Join(cfg.workDir, fmt.Sprintf("%s-%s-%04d", t.db, t.role, i))
	args := []string{
		"-u", t.url,
		"--batch", "--flush-session", "--disable-coloring",
		"--level", fmt.Sprint(cfg.level), "--risk", fmt.Sprint(cfg.risk),
		"--time-sec", fmt.Sprint(cfg.timeSec), "--timeout", "15", "--retries", "0",
		"--output-dir", dir,
		// A role that may not see an object gets 404 (or 403 for a route
		// it may not call): keep testing, the answer is still compared.
		"--ignore-code", "401,403,404",
	}
	headers := "Authorization: Bearer " + t.token
	if t.body != "" {
		headers += "\nContent-Type: application/json"
		args = append(args, "--method", t.route.Method, "--data", t.body)
	}
	args = append(args, "--headers", headers)
	if dbms != "" {
		args = append(args, "--dbms", dbms)
	}
	rctx, cancel := context.WithTimeout(ctx, cfg.perRun)
	defer cancel()
	cmd := exec.CommandContext(rctx, cfg.sqlmap, args...)
	cmd.Stdin = nil
	cmd.Env = append(os.Environ(), "TERM=dumb")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	started := time.Now()
	out, runErr := cmd.CombinedOutput()
	res.duration = time.Since(started)
	res.logFile = dir + ".log"
	_ = os.WriteFile(res.logFile, out, 0o644)
	res.verdict = probe.ReadVerdict(string(out), dir)
	if rctx.Err() != nil {
		res.err = fmt.Errorf("time limit of %s reached", cfg.perRun)
	} else if runErr != nil && !res.verdict.Finished {
		res.err = fmt.Errorf("sqlmap: %v", runErr)
	}
	return res
}

// summary prints the figures and reports whether the run is clean.
func summary(rs []result, elapsed time.Duration) bool {
	type key struct{ db, role string }
	runs, points := map[key]int{}, map[key]int{}
	var bad []string
	var httpErrs []string
	total := 0
	for _, r := range rs {
		k := key{r.db, r.role}
		runs[k]++
		points[k] += r.points
		total += r.points
		switch {
		case len(r.verdict.Injectable) > 0:
			bad = append(bad, fmt.Sprintf("INJECTABLE %s %s %s: %s", r.db, r.role, r.route, strings.Join(r.verdict.Injectable, "; ")))
		case r.err != nil:
			bad = append(bad, fmt.Sprintf("NOT TESTED %s %s %s: %v", r.db, r.role, r.route, r.err))
		case !r.verdict.Finished:
			bad = append(bad, fmt.Sprintf("UNFINISHED %s %s %s: see %s", r.db, r.role, r.route, r.logFile))
		}
		if serverError.MatchString(r.verdict.HTTPErrors) {
			httpErrs = append(httpErrs, fmt.Sprintf("%s %s %s: %s", r.db, r.role, r.route, r.verdict.HTTPErrors))
		}
	}
	keys := make([]key, 0, len(runs))
	for k := range runs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].db+keys[i].role < keys[j].db+keys[j].role })
	fmt.Println("\n== sqlmap summary ==")
	fmt.Printf("%-9s %-12s %8s %18s\n", "database", "role", "routes", "parameters tried")
	for _, k := range keys {
		fmt.Printf("%-9s %-12s %8d %18d\n", k.db, k.role, runs[k], points[k])
	}
	injectable := 0
	for _, b := range bad {
		if strings.HasPrefix(b, "INJECTABLE") {
			injectable++
		}
	}
	fmt.Printf("total: %d route runs, %d parameters tried, %d injectable, %d not tested or unfinished, %s\n",
		len(rs), total, injectable, len(bad)-injectable, elapsed.Round(time.Second))
	for _, h := range httpErrs {
		fmt.Println("server errors seen:", h)
	}
	for _, b := range bad {
		fmt.Println(b)
	}
	if len(bad) == 0 {
		fmt.Println("PASS: no injectable parameter")
		return true
	}
	fmt.Println("FAIL")
	return false
}

// freshDB makes an empty database of the kind and returns its DSN, the
// sqlmap --dbms name and a cleanup.
func freshDB(ctx context.Context, cfg config, kind string) (dsn, dbms string, cleanup func(), err error) {
	switch kind {
	case "sqlite":
		dir, err := os.MkdirTemp("", "kansrijk-security-db-")
		if err != nil {
			return "", "", nil, err
		}
		return "sqlite:" + filepath.Join(dir, "kansrijk.db"), "SQLite", func() { os.RemoveAll(dir) }, nil
	case "postgres":
		admin, err := sql.Open("pgx", cfg.pgAdmin)
		if err != nil {
			return "", "", nil, err
		}
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := admin.PingContext(pctx); err != nil {
			admin.Close()
			return "", "", nil, fmt.Errorf("PostgreSQL not reachable: %w", err)
		}
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		name := "kansrijk_security_" + hex.EncodeToString(b)
		if _, err := admin.ExecContext(pctx, "CREATE DATABASE "+name); err != nil {
			admin.Close()
			return "", "", nil, err
		}
		u, err := url.Parse(cfg.pgAdmin)
		if err != nil {
			admin.Close()
			return "", "", nil, err
		}
		u.Path = "/" + name
		return u.String(), "PostgreSQL", func() {
			dctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, _ = admin.ExecContext(dctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			admin.Close()
		}, nil
	}
	return "", "", nil, fmt.Errorf("unknown database %q: want sqlite or postgres", kind)
}

// server is a running `kansrijk serve --demo`.
type server struct {
	cmd      *exec.Cmd
	base     string
	accounts map[string]string // role → first demo e-mail of that role
	done     chan struct{}
}

var (
	listenLine  = regexp.MustCompile(`listening on http://[^:\s]+:(\d+)`)
	serverError = regexp.MustCompile(`\b5\d\d \(`)
	accountLine = regexp.MustCompile(`^\s+([a-z_]+)\s+(\S+@\S+)\s+\S+\s*$`)
)

func startServer(ctx context.Context, bin, dsn, logPath string) (*server, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", "--demo", "--addr", "127.0.0.1:0", "--db", dsn)
	cmd.Env = append(os.Environ(), "KANSRIJK_SMTP_ADDR=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, accounts: map[string]string{}, done: make(chan struct{})}
	ready := make(chan struct{})
	go func() {
		defer close(s.done)
		defer logf.Close()
		sc := bufio.NewScanner(stdout)
		port := ""
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logf, line)
			if m := listenLine.FindStringSubmatch(line); m != nil && port == "" {
				port = m[1]
			}
			if m := accountLine.FindStringSubmatch(line); m != nil {
				if _, ok := s.accounts[m[1]]; !ok {
					s.accounts[m[1]] = m[2]
				}
			}
			if strings.HasPrefix(line, "Press Ctrl-C") && port != "" {
				s.base = "http://127.0.0.1:" + port
				close(ready)
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		_ = cmd.Wait()
	}()
	select {
	case <-ready:
	case <-s.done:
		return nil, fmt.Errorf("server stopped before listening; see %s", logPath)
	case <-time.After(3 * time.Minute):
		s.stop()
		return nil, fmt.Errorf("server did not start within 3 minutes; see %s", logPath)
	case <-ctx.Done():
		s.stop()
		return nil, ctx.Err()
	}
	for i := 0; i < 100; i++ {
		if _, err := get(ctx, s.base+"/readyz", ""); err == nil {
			return s, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("server not ready; see %s", logPath)
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// get fetches a URL on 127.0.0.1 with an optional bearer token; a non-2xx
// answer is an error.
func get(ctx context.Context, u, token string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return b, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return b, nil
}

// command runs the kansrijk binary and returns its standard output.
func command(ctx context.Context, bin string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%v: %s", err, stderr.String())
	}
	return string(out), nil
}

// selfTest runs sqlmap against a handler that pastes a query parameter
// into SQL, and fails unless sqlmap reports it as injectable.
func selfTest(ctx context.Context, cfg config) error {
	db, err := sql.Open("sqlite", filepath.Join(cfg.workDir, "self-test.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, name TEXT); INSERT OR IGNORE INTO item VALUES (1, 'een'), (2, 'twee')`); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Deliberately vulnerable: the harness must see this.
		var name string
		err := db.QueryRow("SELECT name FROM item WHERE id = " + r.URL.Query().Get("id")).Scan(&name)
		if err != nil {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		fmt.Fprintf(w, `{"name":%q}`, name)
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	t := target{db: "self-test", role: "none", url: "http://" + ln.Addr().String() + "/item?id=1" + mark, token: "x", points: 1,
		route: probe.Route{Method: "GET", Path: "/item"}}
	r := sqlmap(ctx, config{workDir: cfg.workDir, level: 1, risk: 1, timeSec: 1, perRun: 2 * time.Minute, sqlmap: cfg.sqlmap}, "SQLite", 9999, t)
	if len(r.verdict.Injectable) == 0 {
		return fmt.Errorf("sqlmap did not report the planted injection (err %v); see %s", r.err, r.logFile)
	}
	return nil
}
