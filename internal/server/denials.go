package server

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"kansrijk/internal/account"
	"kansrijk/internal/audit"
)

// deniedRecorder writes the generic event of a refused request
// (*store.DB).
type deniedRecorder interface {
	RecordAccessDenied(ctx context.Context, ev audit.Event) error
}

// auditRefusals audits every request of a signed-in caller that the
// handler refuses with 403 and for which the store wrote no denied event
// of its own (a role refusal before any object was reached: actor.Require
// failing in a handler, a team outside its area): exactly one event
// audit.AccessDenied, object type "route", object id the route pattern,
// purpose security, outcome denied. The store's own denied events (a
// referral of another organisation, answered 404) are richer and stay the
// only one. It runs inside authentication (the actor is in the context)
// and around the mux (which sets the route pattern on the request it is
// given). Anonymous refusals (401, and the 403 of a request without a
// caller) are not audited: there is nobody to name. If the event cannot be
// written, the answer is a refusal anyway: the error is logged and counted
// (failures).
func auditRefusals(rec deniedRecorder, failures prometheus.Counter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, signedIn := account.FromContext(r.Context())
		if !signedIn {
			next.ServeHTTP(w, r)
			return
		}
		ctx, denials := audit.WithDenials(r.Context())
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status != http.StatusForbidden || denials.Recorded() {
			return
		}
		route := r.Pattern
		if route == "" {
			route = r.Method + " " + r.URL.Path
		}
		ev := audit.For(a, audit.AccessDenied, "route", route)
		ev.Outcome, ev.Purpose = audit.Denied, audit.PurposeSecurity
		// The request's own context may be over (the caller gone): the
		// refusal is audited all the same.
		if err := rec.RecordAccessDenied(context.WithoutCancel(ctx), ev); err != nil {
			failures.Inc()
			slog.Error("audit a refused request", "error", err, "route", route, "request_id", a.RequestID)
		}
	})
}
