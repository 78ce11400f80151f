// Package server assembles Kansrijk's HTTP server: the JSON API, the web
// UI, health and metrics endpoints, and the middleware around them
// (authentication, request ids, logging, metrics, panics, security headers,
// cross-origin protection).
package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"kansrijk/internal/api"
	"kansrijk/internal/auditlog"
	"kansrijk/internal/backup"
	"kansrijk/internal/httpx"
	"kansrijk/internal/mailing"
	"kansrijk/internal/notify"
	"kansrijk/internal/store"
	"kansrijk/internal/web"
)

// Server is the HTTP side of Kansrijk.
type Server struct {
	DB      *store.DB
	API     *api.API
	Web     *web.UI
	Mailing *mailing.Service // outreach mailings (configure with UseMail)
	handler http.Handler
	routes  []string
	// metricsAccess: who may read /metrics (SetMetricsAccess).
	metricsAccess atomic.Pointer[MetricsAccess]
	// Area ops: public address and proxies, shutdown (transport.go).
	transport atomic.Pointer[httpx.Transport]
	shutdown  Shutdown
	draining  atomic.Bool
	// readyAsked: /readyz was asked since start (a load balancer watches).
	readyAsked atomic.Bool
	inFlight   atomic.Int64
}

// New builds the server over an open database.
func New(db *store.DB) (*Server, error) {
	s := &Server{DB: db}
	s.transport.Store(&httpx.Transport{BaseURL: &url.URL{Scheme: "http", Host: "localhost:8080"}})
	// mailing: e-mail off until UseMail configures it.
	s.Mailing = &mailing.Service{Store: db, BaseURL: notify.DefaultBaseURL}
	s.API = &api.API{Accounts: db, Orgs: db, Agreements: db, Referrals: db, Outreach: db, Municipalities: db.Municipalities, Now: db.Now,
		Mailing: s.Mailing, Births: db, Deprivation: db, Audit: db, BreakGlass: db, GDPR: db}
	ui, err := web.New(web.Deps{Accounts: db, Orgs: db, Agreements: db, Referrals: db, Outreach: db, Municipalities: db.Municipalities, Now: db.Now,
		Mailing: s.Mailing, Deprivation: db, Births: db, Audit: db, BreakGlass: db, GDPR: db})
	if err != nil {
		return nil, err
	}
	s.Web = ui
	// Area outcome: the outcome cells behind the dashboards.
	s.API.Outcomes, s.Web.Outcomes = db, db
	// parliament: the parliamentary answer packs (parliament.go).
	s.API.Parliament = newParliament(db, s.API.Outcomes)
	s.Web.Parliament = s.API.Parliament
	// DPO area: flag thresholds and the break-glass time (dpo.go).
	flags, ttl, err := dpoConfigFromEnv()
	if err != nil {
		return nil, err
	}
	s.API.Flags, s.API.BreakGlassTTL, s.Web.Flags, s.Web.BreakGlassTTL = &flags, ttl, &flags, ttl
	// The access log's proofs: read-only until serve gives the log with
	// its key (UseAuditLog).
	if lg, err := auditlog.New(db, auditlog.Config{}); err == nil {
		s.UseAuditLog(lg)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db.SQL(), string(db.Dialect())))
	reg.MustRegister(auditlog.NewCollector(db)) // kansrijk_audit_verify_ok and the like
	reg.MustRegister(backup.NewCollector(db))   // area backup: kansrijk_backup_last_success_timestamp_seconds, failures
	m := newMetrics(reg)

	mux := httpx.NewRoutes()
	s.API.Register(mux)
	s.Web.Register(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		s.readyAsked.Store(true) // someone watches: a stop drains (transport.go)
		if s.draining.Load() {   // stopping: the load balancer moves away
			httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			slog.Warn("readiness check failed", "error", err)
			httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
			return
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready", "database": string(db.Dialect())})
	})
	mux.Handle("GET /metrics", s.metricsGate(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))

	request, upload, err := requestDeadlinesFromEnv()
	if err != nil {
		return nil, err
	}
	s.routes = mux.Patterns()
	routed := m.recordRoute(mux.ServeMux)
	// Every refused request of a signed-in caller leaves one denied event
	// (denials.go).
	deniedFailures := prometheus.NewCounter(prometheus.CounterOpts{Name: "kansrijk_audit_denied_write_failures_total",
		Help: "Refused requests whose access.denied audit event could not be written."})
	reg.MustRegister(deniedFailures)
	authed := httpx.Authenticate(db, auditRefusals(db, deniedFailures, routed))
	// /metrics has its own bearer token, which is no API token: it skips
	// Authenticate (which refuses unknown bearer tokens).
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			routed.ServeHTTP(w, r)
			return
		}
		authed.ServeHTTP(w, r)
	})
	h = withDeadline(request, upload, h) // around authentication: it queries the database too
	h = refuseControlCharacters(h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = securityHeaders(h)
	h = m.instrument(h)
	h = s.withTransport(h) // client address, scheme, HSTS (transport.go)
	h = recoverPanics(h)
	s.handler = h
	return s, nil
}

// Routes lists every registered pattern ("METHOD /path" or a bare path),
// in registration order: the API's, the web UI's and the server's own.
func (s *Server) Routes() []string { return slices.Clone(s.routes) }

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}

func recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				slog.Error("panic", "value", v, slog.Group("request", "method", r.Method, "path", r.URL.Path))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
