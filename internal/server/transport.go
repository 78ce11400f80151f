package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"kansrijk/internal/httpx"
)

// Area ops: the public address, trusted proxies, HSTS and graceful
// shutdown.

// SetTransport sets the public address and the trusted proxies
// (KANSRIJK_BASE_URL, KANSRIJK_TRUSTED_PROXIES). Until it is called the
// public address is http://localhost:8080 and no proxy is trusted.
func (s *Server) SetTransport(t *httpx.Transport) { s.transport.Store(t) }

// Shutdown configures how Serve stops (SetShutdown).
type Shutdown struct {
	// Drain: how long new requests are still served after the stop,
	// while /readyz answers 503, so that a load balancer moves away.
	// Only when something asked /readyz since start: without a load
	// balancer or orchestrator watching, a stop (Ctrl-C) is immediate.
	Drain time.Duration
	// Timeout bounds the wait for requests in flight once the listener
	// is closed; past it their connections are closed.
	Timeout time.Duration
}

// SetShutdown sets how Serve stops. Without it: no drain, 10 s for
// requests in flight.
func (s *Server) SetShutdown(d Shutdown) { s.shutdown = d }

// Draining reports whether the server is stopping (/readyz answers 503).
func (s *Server) Draining() bool { return s.draining.Load() }

// withTransport resolves the client address and the scheme of every
// request (httpx.Transport.Resolve), counts the requests in flight and
// sends HSTS when the public address is https.
func (s *Server) withTransport(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := s.transport.Load()
		if t.HTTPS() {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		next.ServeHTTP(w, t.Resolve(r))
	})
}

// Serve serves on ln until ctx is cancelled, then stops gracefully:
// /readyz answers 503 at once, new requests are served for the drain
// delay (without keep-alive, so that clients reconnect through the load
// balancer), then the listener closes and requests in flight finish
// within the timeout. Each step is logged.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	d := s.shutdown
	if d.Timeout <= 0 {
		d.Timeout = 10 * time.Second
	}
	s.draining.Store(true)
	switch {
	case d.Drain > 0 && !s.readyAsked.Load():
		slog.Info("shutdown: no drain, nothing asked /readyz since start")
	case d.Drain > 0:
		slog.Info("shutdown: draining, /readyz answers 503; new requests are still served", "drain", d.Drain)
		srv.SetKeepAlivesEnabled(false)
		select {
		case <-time.After(d.Drain):
		case err := <-errc:
			return err
		}
	}
	slog.Info("shutdown: listener closed, waiting for requests in flight", "in_flight", s.inFlight.Load(), "timeout", d.Timeout)
	sctx, cancel := context.WithTimeout(context.Background(), d.Timeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		slog.Warn("shutdown: requests still running after the timeout; their connections are closed", "in_flight", s.inFlight.Load(), "error", err)
		_ = srv.Close()
	} else {
		slog.Info("shutdown: requests finished")
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
