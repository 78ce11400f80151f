package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestClientClosedRequestIs499: a request its client abandons mid-way is
// counted as 499, not as a 500, even when the handler answers its
// cancelled query with an internal error; a real 500 still counts as one.
func TestClientClosedRequestIs499(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := newMetrics(reg)
	started := make(chan struct{}, 1)
	done := make(chan struct{}, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-r.Context().Done() // a query cancelled with the request
		http.Error(w, "internal error", http.StatusInternalServerError)
		done <- struct{}{}
	})
	mux.HandleFunc("GET /broken", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "internal error", http.StatusInternalServerError)
	})
	srv := httptest.NewServer(m.instrument(m.recordRoute(mux)))
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/slow", nil)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-started
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("the client's request: %v, want cancelled", err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler never saw the client go")
	}
	resp, err := http.Get(srv.URL + "/broken")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The instrument middleware counts after the handler returns.
	deadline := time.Now().Add(10 * time.Second)
	for testutil.ToFloat64(m.requests.WithLabelValues("GET /slow", "GET", "499")) != 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("GET /slow", "GET", "499")); got != 1 {
		t.Errorf("abandoned requests counted as 499: %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("GET /slow", "GET", "500")); got != 0 {
		t.Errorf("abandoned requests counted as 500: %v, want 0", got)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("GET /broken", "GET", "500")); got != 1 {
		t.Errorf("a real server error counted as 500: %v, want 1", got)
	}
}
