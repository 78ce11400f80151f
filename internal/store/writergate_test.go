package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestWriterGate: the writer goes to an urgent waiter (a group commit)
// before the others, and to the others in the order they came; a waiter
// that gives up leaves the queue.
func TestWriterGate(t *testing.T) {
	var g writerGate
	ctx := context.Background()
	if err := g.acquire(ctx, false); err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 4)
	wait := func(name string, urgent bool) {
		go func() {
			if err := g.acquire(ctx, urgent); err != nil {
				order <- "error " + name
				return
			}
			order <- name
			g.release()
		}()
	}
	queued := func(n int) {
		for range 2000 {
			g.mu.Lock()
			q := len(g.urgent) + len(g.normal)
			g.mu.Unlock()
			if q == n {
				return
			}
			time.Sleep(time.Millisecond)
		}
		t.Fatalf("never %d waiting", n)
	}
	wait("import 1", false)
	queued(1)
	wait("import 2", false)
	queued(2)
	gone, giveUp := context.WithCancel(ctx)
	goneErr := make(chan error, 1)
	go func() { goneErr <- g.acquire(gone, false) }()
	queued(3)
	giveUp()
	if err := <-goneErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("given up: %v", err)
	}
	queued(2)
	wait("reads", true)
	queued(3)
	g.release()
	for _, want := range []string{"reads", "import 1", "import 2"} {
		if got := <-order; got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	// Free again: taken at once.
	if err := g.acquire(ctx, false); err != nil {
		t.Fatal(err)
	}
	g.release()
	if g.busy {
		t.Fatal("gate still busy")
	}
}
