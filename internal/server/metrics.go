package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kansrijk/internal/httpx"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kansrijk_http_requests_total", Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kansrijk_http_request_duration_seconds", Help: "HTTP request durations by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts and times requests per route pattern (never per raw
// path, which would hold ids) and logs each request without personal data.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		holder := &routeHolder{}
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, holder))
		next.ServeHTTP(sw, r)
		// A request its client abandoned (the connection closed, so the
		// request's context is cancelled) is no server error, whatever
		// the handler made of its cancelled queries, nor a success when
		// it answered nothing: 499, as nginx logs it, counted and logged
		// apart from the 5xx.
		if (sw.status == 0 || sw.status >= 500) && errors.Is(r.Context().Err(), context.Canceled) {
			sw.status = StatusClientClosedRequest
		}
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		route := holder.route
		if route == "" {
			route = "unmatched"
		}
		d := time.Since(start)
		m.requests.WithLabelValues(route, r.Method, strconv.Itoa(sw.status)).Inc()
		m.duration.WithLabelValues(route, r.Method).Observe(d.Seconds())
		level := slog.LevelDebug
		if sw.status == StatusClientClosedRequest {
			level = slog.LevelInfo
		} else if sw.status >= 500 {
			level = slog.LevelError
		} else if sw.status >= 400 {
			level = slog.LevelInfo
		}
		slog.Log(r.Context(), level, "request", "method", r.Method, "route", route, "status", sw.status,
			"duration_ms", d.Milliseconds(), "request_id", w.Header().Get("X-Request-ID"))
	})
}

// StatusClientClosedRequest is the status logged and counted for a
// request whose client went away before the answer (nginx's 499).
const StatusClientClosedRequest = 499

type routeKey struct{}

type routeHolder struct{ route string }

// recordRoute wraps the mux: the mux sets r.Pattern on the request it is
// given, which the outer middleware never sees (they hold earlier copies),
// so the pattern is handed out through a holder in the context.
func (m *metrics) recordRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if h, ok := r.Context().Value(routeKey{}).(*routeHolder); ok {
			h.route = r.Pattern
		}
	})
}

// MetricsAccess says who may read /metrics: a caller with the bearer
// Token (when set), or a caller from one of the Allow networks (nil: the
// loopback addresses only). Everyone else gets 404; a wrong token 403.
// The client address is the connection's: behind a reverse proxy, give the
// metrics scraper a token.
type MetricsAccess struct {
	Token string
	Allow []netip.Prefix
}

// loopback is the default of MetricsAccess.Allow.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// ParseMetricsAccess reads the settings KANSRIJK_METRICS_TOKEN (a bearer
// token, at least 16 characters) and KANSRIJK_METRICS_ALLOW (addresses or
// CIDR networks separated by commas or spaces; "none" allows no address;
// empty: loopback only).
func ParseMetricsAccess(token, allow string) (MetricsAccess, error) {
	a := MetricsAccess{Token: strings.TrimSpace(token)}
	if a.Token != "" && len(a.Token) < 16 {
		return a, fmt.Errorf("KANSRIJK_METRICS_TOKEN: use at least 16 characters")
	}
	fields := strings.FieldsFunc(allow, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	if len(fields) == 0 {
		return a, nil
	}
	a.Allow = []netip.Prefix{}
	for _, f := range fields {
		if f == "none" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			addr, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return a, fmt.Errorf("KANSRIJK_METRICS_ALLOW: %q is neither an address nor a CIDR network", f)
			}
			p = netip.PrefixFrom(addr, addr.BitLen())
		}
		a.Allow = append(a.Allow, p.Masked())
	}
	return a, nil
}

// allowed reports whether the request may read the metrics, and the
// status to refuse it with.
func (a MetricsAccess) allowed(r *http.Request) (bool, int) {
	if tok, ok := httpx.BearerToken(r); ok {
		if a.Token != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(a.Token)) == 1 {
			return true, 0
		}
		return false, http.StatusForbidden
	}
	allow := a.Allow
	if allow == nil {
		allow = loopback
	}
	if addr, err := netip.ParseAddr(httpx.ClientAddr(r)); err == nil {
		addr = addr.Unmap()
		for _, p := range allow {
			if p.Contains(addr) {
				return true, 0
			}
		}
	}
	return false, http.StatusNotFound
}

// SetMetricsAccess sets who may read /metrics (before serving).
func (s *Server) SetMetricsAccess(a MetricsAccess) { s.metricsAccess.Store(&a) }

// metricsGate serves the metrics to those MetricsAccess allows.
func (s *Server) metricsGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := MetricsAccess{}
		if p := s.metricsAccess.Load(); p != nil {
			a = *p
		}
		if ok, status := a.allowed(r); !ok {
			w.Header().Set("Cache-Control", "no-store")
			http.Error(w, http.StatusText(status), status)
			return
		}
		next.ServeHTTP(w, r)
	})
}
