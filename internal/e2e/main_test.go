package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kansrijk/internal/browsertest"
	"kansrijk/internal/cli"
	"kansrijk/internal/smtptest"
)

// baseURL is the address of the server that start starts, such as
// http://127.0.0.1:41234.
var baseURL string

// server is the one `kansrijk serve --demo` that all tests of the package
// share. start starts it on first use; TestMain stops it.
var server struct {
	once      sync.Once
	err       error
	stop      context.CancelFunc
	done      chan int
	dir       string
	out, errs syncBuffer
	mail      *smtptest.Server
	stopMail  func() error
}

func TestMain(m *testing.M) {
	// The server logs every request; show only warnings and errors, unless
	// KANSRIJK_LOG_LEVEL asks for more.
	slog.SetDefault(cli.Logger(os.Stderr, func(k string) string {
		if v := os.Getenv(k); v != "" || k != "KANSRIJK_LOG_LEVEL" {
			return v
		}
		return "warn"
	}))
	code := m.Run()
	if err := stopServer(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// start starts the server if needed and a Chromium for the test. The tests
// take half a minute, so `go test -short` skips them, except on CI.
func start(t *testing.T) *browsertest.Browser {
	t.Helper()
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("browser end-to-end test: skipped with -short")
	}
	server.once.Do(func() { server.err = startServer() })
	if server.err != nil {
		t.Fatal(server.err)
	}
	return browsertest.New(t)
}

// startServer runs the real program as a user does: `kansrijk serve --demo`
// on an empty SQLite database, on a free port.
func startServer() error {
	dir, err := os.MkdirTemp("", "kansrijk-e2e-")
	if err != nil {
		return err
	}
	server.dir = dir
	ctx, cancel := context.WithCancel(context.Background())
	server.stop = cancel
	server.done = make(chan int, 1)
	ready := make(chan string, 1)
	// Mail goes over SMTP to a real server, whose messages the tests read.
	mailbox, stopMail, err := smtptest.Listen()
	if err != nil {
		return err
	}
	server.mail, server.stopMail = mailbox, stopMail
	env := map[string]string{"KANSRIJK_SMTP_ADDR": mailbox.Addr, "KANSRIJK_MAIL_FROM": "Kansrijk <no-reply@kansrijk.test>"}
	args := []string{"serve", "--demo", "--db", "sqlite:" + filepath.Join(dir, "kansrijk.db"), "--addr", "127.0.0.1:0"}
	go func() {
		server.done <- cli.Run(ctx, args, cli.Env{
			Stdin: strings.NewReader(""), Stdout: &server.out, Stderr: &server.errs,
			Getenv: func(k string) string { return env[k] },
			Ready:  func(addr string) { ready <- addr },
		})
	}()
	select {
	case addr := <-ready:
		baseURL = "http://" + addr
		if !strings.Contains(server.out.String(), "admin@demo.kansrijk.test") {
			return fmt.Errorf("kansrijk serve --demo did not print the demo accounts:\n%s", server.out.String())
		}
		return nil
	case code := <-server.done:
		server.done <- code
		return fmt.Errorf("kansrijk serve exited %d before listening\nstdout:\n%s\nstderr:\n%s", code, server.out.String(), server.errs.String())
	case <-time.After(60 * time.Second):
		return fmt.Errorf("kansrijk serve did not listen within 60s\nstdout:\n%s\nstderr:\n%s", server.out.String(), server.errs.String())
	}
}

// stopServer stops the server, as Ctrl-C does, and removes its database.
func stopServer() error {
	if server.stop == nil {
		return nil
	}
	defer os.RemoveAll(server.dir)
	if server.stopMail != nil {
		defer server.stopMail()
	}
	server.stop()
	select {
	case code := <-server.done:
		if code != 0 {
			return fmt.Errorf("kansrijk serve exited %d\nstderr:\n%s", code, server.errs.String())
		}
		return nil
	case <-time.After(20 * time.Second):
		return fmt.Errorf("kansrijk serve did not stop within 20s")
	}
}

// syncBuffer collects the output of the server.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
