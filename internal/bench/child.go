package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/server"
	"kansrijk/internal/store"
)

// ServeChild is the measured server of rss_mb in a process of its own
// (`kansrijk bench --child-server`): the real server (server.New, the same
// handler chain as `kansrijk serve`) over the database dsn, on a free
// port of 127.0.0.1 whose address it writes as one line to out. It serves
// until in ends (the harness closes it, or exits) or ctx is cancelled.
// As `kansrijk serve`, it sets the soft memory limit that lets the garbage
// of finished password checks go before the heap grows (unless GOMEMLIMIT
// is set); it starts no background jobs and no audit log sequencing: what
// is measured is the server answering requests.
func ServeChild(ctx context.Context, dsn string, in io.Reader, out io.Writer) error {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(store.PasswordChecks())*store.PasswordCheckMemory + 32<<20)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := server.New(db)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		_, _ = io.Copy(io.Discard, in)
		stop()
	}()
	if _, err := fmt.Fprintln(out, ln.Addr().String()); err != nil {
		ln.Close()
		return err
	}
	return srv.Serve(ctx, ln)
}

// child is a server started by Config.Child.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	base  string // its URL
}

// startChild starts the child server over the database and waits for its
// address.
func startChild(ctx context.Context, mk func(dsn string) *exec.Cmd, dsn string) (*child, error) {
	cmd := mk(dsn)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4096}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, stdin: stdin}
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case addr, ok := <-line:
		if ok && addr != "" {
			c.base = "http://" + addr
			return c, nil
		}
	case <-time.After(2 * time.Minute):
	case <-ctx.Done():
	}
	c.stop()
	return nil, fmt.Errorf("the child server gave no address: %s", strings.TrimSpace(stderr.String()))
}

// clearPeak resets the child's peak resident memory to what it holds now.
func (c *child) clearPeak() {
	_ = os.WriteFile("/proc/"+strconv.Itoa(c.cmd.Process.Pid)+"/clear_refs", []byte("5"), 0)
}

// peakRSSKB is the child's peak resident memory (VmHWM) so far.
func (c *child) peakRSSKB() (int, error) {
	return vmHWM("/proc/" + strconv.Itoa(c.cmd.Process.Pid) + "/status")
}

// stop closes the child's input (it shuts down) and waits for it, killing
// it after ten seconds.
func (c *child) stop() {
	c.stdin.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

func vmHWM(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		}
	}
	return 0, errors.New("no VmHWM in " + path)
}

// limitedWriter keeps the first n bytes written to it.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		_, _ = l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
