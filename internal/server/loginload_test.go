package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// kansrijkProcess is `kansrijk serve` running as a child process, built
// from ./cmd/kansrijk, on a fresh SQLite database with one user.
type kansrijkProcess struct {
	cmd     *exec.Cmd
	baseURL string
	email   string
}

func startKansrijk(t *testing.T, env ...string) *kansrijkProcess {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "kansrijk")
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build kansrijk: %v", err)
	}
	build := exec.Command(gobin, "build", "-o", bin, "kansrijk/cmd/kansrijk")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build kansrijk: %v\n%s", err, out)
	}
	db := "sqlite:" + filepath.Join(dir, "kansrijk.db")
	p := &kansrijkProcess{email: "owner@load.test"}
	create := exec.Command(bin, "user", "create", "--db", db, "--email", p.email, "--role", "analyst", "--org", "opgroeien", "--password-stdin")
	create.Stdin = strings.NewReader(testPassword + "\n")
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("kansrijk user create: %v\n%s", err, out)
	}
	p.cmd = exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0")
	p.cmd.Env = append(os.Environ(), "KANSRIJK_LOG_LEVEL=warn")
	p.cmd.Env = append(p.cmd.Env, env...)
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = os.Stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
			<-done
		}
	})
	listening := regexp.MustCompile(`listening on http://localhost:(\d+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case port := <-found:
		p.baseURL = "http://127.0.0.1:" + port
	case <-time.After(60 * time.Second):
		t.Fatal("kansrijk serve did not start listening within 60 s")
	}
	return p
}

// status reads a field in kB (VmRSS, VmHWM) of the process from /proc.
func (p *kansrijkProcess) status(t *testing.T, field string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("read /proc: %v", err)
	}
	m := regexp.MustCompile(`(?m)^` + field + `:\s+(\d+) kB$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no %s in /proc/%d/status", field, p.cmd.Process.Pid)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// clientFrom is an HTTP client whose connections come from the local
// address ip (any 127.0.0.x on Linux), which the server sees as the
// client address. It follows no redirects.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{
		Transport:     &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true},
		Timeout:       90 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// login posts the login form; it returns the status, Retry-After and
// whether a session cookie was set.
func (p *kansrijkProcess) login(c *http.Client, email, password string) (int, string, bool, error) {
	form := url.Values{"email": {email}, "password": {password}, "next": {"/"}}
	req, err := http.NewRequestWithContext(context.Background(), "POST", p.baseURL+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", false, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", false, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	signedIn := false
	for _, ck := range resp.Cookies() {
		signedIn = signedIn || (ck.Name == "kansrijk_session" && ck.Value != "")
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), signedIn, nil
}

// TestLoginLoad starts `kansrijk serve` as a process and sends 200
// parallel logins with wrong passwords for one e-mail, each from its own
// 127.0.0.x address: the server's peak resident memory (VmHWM) stays under
// 300 MB, as many as fit are checked and the rest are refused with 429
// and Retry-After; then the owner, from an address that has not failed,
// signs in.
func TestLoginLoad(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("builds and starts kansrijk serve: skipped with -short")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc and binds 127.0.0.x: Linux only")
	}
	p := startKansrijk(t)
	before := p.status(t, "VmHWM")

	const parallel = 200
	type result struct {
		code       int
		retryAfter string
		err        error
	}
	results := make([]result, parallel)
	var wg sync.WaitGroup
	startGun := make(chan struct{})
	for i := range parallel {
		wg.Go(func() {
			c := clientFrom(fmt.Sprintf("127.0.%d.%d", 1+i/250, 2+i%250))
			<-startGun
			code, ra, _, err := p.login(c, p.email, "wrong-password-"+strconv.Itoa(i))
			results[i] = result{code, ra, err}
		})
	}
	close(startGun)
	wg.Wait()
	hwm, rss := p.status(t, "VmHWM"), p.status(t, "VmRSS")
	counts := map[int]int{}
	for _, r := range results {
		if r.err != nil {
			t.Fatalf("login: %v", r.err)
		}
		counts[r.code]++
		if r.code == http.StatusTooManyRequests {
			if n, err := strconv.Atoi(r.retryAfter); err != nil || n < 1 {
				t.Errorf("429 with Retry-After %q", r.retryAfter)
			}
		}
	}
	t.Logf("%d parallel logins: statuses %v; server VmHWM %d MB (before %d MB), VmRSS after %d MB", parallel, counts, hwm/1024, before/1024, rss/1024)
	if hwm > 300*1024 {
		t.Errorf("the server peaked at %d MB resident, want under 300 MB", hwm/1024)
	}
	if counts[http.StatusUnauthorized] == 0 || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != parallel {
		t.Errorf("statuses %v: want 401 (checked) and 429 (busy) only", counts)
	}

	code, _, signedIn, err := p.login(clientFrom("127.0.0.1"), p.email, testPassword)
	if err != nil || code != http.StatusSeeOther || !signedIn {
		t.Errorf("the owner from 127.0.0.1 after %d wrong passwords from other addresses: %d, signed in %t, %v", parallel, code, signedIn, err)
	}
}
