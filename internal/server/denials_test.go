package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"kansrijk/internal/account"
	"kansrijk/internal/audit"
)

type fakeDenied struct {
	evs []audit.Event
	err error
}

func (f *fakeDenied) RecordAccessDenied(ctx context.Context, ev audit.Event) error {
	f.evs = append(f.evs, ev)
	return f.err
}

// TestAuditRefusalsMiddleware: one access.denied event for a signed-in
// caller's 403 the store did not audit; none when the store wrote its own
// denied event, for a 404 or a 200, or for an anonymous caller; a failed
// write is counted and the refusal stands.
func TestAuditRefusalsMiddleware(t *testing.T) {
	actor := account.Actor{UserID: 7, Email: "w@example.test", Role: account.Role("team_worker"), Org: "team-noord", Via: account.ChannelSession, RequestID: "rid", ClientAddr: "192.0.2.1"}
	cases := []struct {
		name     string
		anon     bool
		status   int
		noted    bool
		err      error
		want     int
		failures float64
	}{
		{name: "refused", status: 403, want: 1},
		{name: "refused, the store audited it", status: 403, noted: true},
		{name: "not found", status: 404},
		{name: "allowed", status: 200},
		{name: "anonymous", anon: true, status: 403},
		{name: "the event cannot be written", status: 403, err: errors.New("disk full"), want: 1, failures: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &fakeDenied{err: c.err}
			failures := prometheus.NewCounter(prometheus.CounterOpts{Name: "f"})
			mux := http.NewServeMux()
			mux.HandleFunc("POST /api/v1/users", func(w http.ResponseWriter, r *http.Request) {
				if c.noted {
					audit.NoteDenied(r.Context())
				}
				w.WriteHeader(c.status)
			})
			h := auditRefusals(rec, failures, mux)
			req := httptest.NewRequest("POST", "/api/v1/users", nil)
			if !c.anon {
				req = req.WithContext(account.NewContext(req.Context(), actor))
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d", w.Code, c.status)
			}
			if len(rec.evs) != c.want {
				t.Fatalf("%d events, want %d", len(rec.evs), c.want)
			}
			var m dto.Metric
			if err := failures.Write(&m); err != nil {
				t.Fatal(err)
			}
			if got := m.GetCounter().GetValue(); got != c.failures {
				t.Errorf("failures %v, want %v", got, c.failures)
			}
			if c.want == 0 {
				return
			}
			e := rec.evs[0]
			if e.Action != audit.AccessDenied || e.ObjectType != "route" || e.ObjectID != "POST /api/v1/users" || e.Outcome != audit.Denied ||
				e.Purpose != audit.PurposeSecurity || e.ActorUserID != 7 || e.Channel != "session" || e.RequestID != "rid" || e.ClientAddr != "192.0.2.1" {
				t.Errorf("event %+v", e)
			}
		})
	}
}
