package notify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kansrijk/internal/netguard"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// TestWebhookDialGuard: a webhook URL that reaches an internal address by
// the time of delivery (stored while it pointed elsewhere — DNS
// rebinding —, simulated here by storing a loopback URL under the
// development setting and switching the setting off) is refused by the
// dialer: no connection, no request, the notice stays to retry with the
// reason. With the development setting the same notice is delivered.
func TestWebhookDialGuard(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		useClock(db)
		_, addr := startSMTP(t)
		world(t, db)
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.WriteHeader(http.StatusNoContent)
		}))
		defer srv.Close()
		t.Setenv(netguard.InsecureEnv, "1")
		if _, err := db.SetWebhook(ctx, ocmwAdmin, "ocmw-13016", srv.URL+"/kansrijk"); err != nil {
			t.Fatal(err)
		}
		t.Setenv(netguard.InsecureEnv, "")
		sendReferral(t, db)
		d := deliverer(db, mailConfig(addr))

		if st := deliverOnce(t, d); st.Retried != 1 {
			t.Fatalf("round without the development setting: %+v", st)
		}
		row := outbox(t, db)[0]
		if row.DeliveredAt != nil || row.WebhookStatus != "" || !strings.Contains(row.LastError, "not allowed") {
			t.Fatalf("after a refused dial: %+v", row)
		}
		if n := calls.Load(); n != 0 {
			t.Fatalf("the receiver on 127.0.0.1 got %d requests", n)
		}

		t.Setenv(netguard.InsecureEnv, "1")
		advance(db, 31*time.Second)
		if st := deliverOnce(t, d); st.Delivered != 1 {
			t.Fatalf("round with the development setting: %+v", st)
		}
		if row := outbox(t, db)[0]; row.DeliveredAt == nil || row.WebhookStatus != store.WebhookDelivered || calls.Load() != 1 {
			t.Fatalf("with the development setting: %+v, %d calls", row, calls.Load())
		}
	})
}
