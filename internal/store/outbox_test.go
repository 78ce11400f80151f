package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/netguard"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

func TestOutboxBackoff(t *testing.T) {
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, w := range want {
		if got := store.OutboxBackoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
	if got := store.OutboxBackoff(40); got != 6*time.Hour {
		t.Errorf("backoff(40) = %s, want the cap of 6h", got)
	}
}

func TestOutboxClaimAndRetry(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := UseFakeClock(db, retentionT0)
		world(t, db)
		activeAgreement(t, db, "team-noord", "13016")
		r := sentReferral(t, db)

		items, err := db.ClaimOutbox(ctx, 10, time.Minute)
		if err != nil || len(items) != 1 {
			t.Fatalf("claim = %+v, %v", items, err)
		}
		it := items[0]
		if it.Kind != "referral.sent" || it.Event != "referral.sent" || it.OrgKey != "ocmw-13016" || it.ReferralID != r.ID || it.Attempts != 0 {
			t.Fatalf("item = %+v", it)
		}
		// Leased: nobody else gets it, until the lease ends.
		if again, _ := db.ClaimOutbox(ctx, 10, time.Minute); len(again) != 0 {
			t.Fatalf("leased row claimed again: %+v", again)
		}
		clock.Advance(2 * time.Minute)
		if again, _ := db.ClaimOutbox(ctx, 10, time.Minute); len(again) != 1 {
			t.Fatalf("expired lease: %+v", again)
		}
		// A failure keeps the part that succeeded and waits 30 s.
		if gaveUp, err := db.FinishOutbox(ctx, it.ID, store.OutboxResult{MailStatus: store.MailSent, Err: errors.New("webhook answered 500")}); err != nil || gaveUp {
			t.Fatal(gaveUp, err)
		}
		rows, _ := db.OutboxRows(ctx)
		if row := rows[0]; row.Attempts != 1 || row.MailStatus != store.MailSent || row.WebhookStatus != "" || row.LastError != "webhook answered 500" ||
			!row.NextAt.Equal(clock.T.Add(30*time.Second)) || row.DeliveredAt != nil {
			t.Fatalf("after failure: %+v", row)
		}
		if again, _ := db.ClaimOutbox(ctx, 10, time.Minute); len(again) != 0 {
			t.Fatal("claimed before next_at")
		}
		clock.Advance(31 * time.Second)
		items, _ = db.ClaimOutbox(ctx, 10, time.Minute)
		if len(items) != 1 || items[0].MailStatus != store.MailSent || items[0].Attempts != 1 {
			t.Fatalf("retry claim = %+v", items)
		}
		if _, err := db.FinishOutbox(ctx, it.ID, store.OutboxResult{MailStatus: store.MailSent, WebhookStatus: store.WebhookNone}); err != nil {
			t.Fatal(err)
		}
		rows, _ = db.OutboxRows(ctx)
		if rows[0].DeliveredAt == nil || rows[0].LastError != "" {
			t.Fatalf("delivered row = %+v", rows[0])
		}
		clock.Advance(time.Hour)
		if again, _ := db.ClaimOutbox(ctx, 10, time.Minute); len(again) != 0 {
			t.Fatal("delivered row claimed")
		}

		// Give up after MaxOutboxAttempts.
		sentReferral(t, db)
		for i := 1; i <= store.MaxOutboxAttempts; i++ {
			clock.Advance(7 * time.Hour)
			items, _ := db.ClaimOutbox(ctx, 10, time.Minute)
			if len(items) != 1 {
				t.Fatalf("attempt %d: claimed %d", i, len(items))
			}
			gaveUp, err := db.FinishOutbox(ctx, items[0].ID, store.OutboxResult{Err: errors.New("smtp down")})
			if err != nil || gaveUp != (i == store.MaxOutboxAttempts) {
				t.Fatalf("attempt %d: gave up %v, %v", i, gaveUp, err)
			}
		}
		clock.Advance(7 * time.Hour)
		if again, _ := db.ClaimOutbox(ctx, 10, time.Minute); len(again) != 0 {
			t.Fatal("given-up row claimed")
		}
		rows, _ = db.OutboxRows(ctx)
		if last := rows[len(rows)-1]; last.FailedAt == nil || !strings.HasPrefix(last.LastError, "gave up after 12 attempts: smtp down") {
			t.Fatalf("given up row = %+v", last)
		}
	})
}

// TestOutboxConcurrentClaims: instances claiming at once never get the
// same row.
func TestOutboxConcurrentClaims(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		UseFakeClock(db, retentionT0)
		world(t, db)
		activeAgreement(t, db, "team-noord", "13016")
		const n = 12
		for i := 0; i < n; i++ {
			sentReferral(t, db)
		}
		handles := []*store.DB{db, db, db}
		if db.Dialect() == store.Postgres {
			for i := 1; i < len(handles); i++ {
				h, err := store.Open(ctx, db.Redacted)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { h.Close() })
				h.Now = db.Now
				handles[i] = h
			}
		}
		var mu sync.Mutex
		var got []int64
		var wg sync.WaitGroup
		for _, h := range handles {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					items, err := h.ClaimOutbox(ctx, 2, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					if len(items) == 0 {
						return
					}
					mu.Lock()
					for _, it := range items {
						got = append(got, it.ID)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		slices.Sort(got)
		if len(got) != n || len(slices.Compact(slices.Clone(got))) != n {
			t.Fatalf("claimed %v: want each of %d rows exactly once", got, n)
		}
	})
}

func TestWebhookSettings(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ocmwAdmin := account.Actor{UserID: 21, Email: "admin@hulshout.test", Role: account.OCMWAdmin, Org: "ocmw-13016", OrgKind: account.KindOCMW}
		secret, err := db.SetWebhook(ctx, ocmwAdmin, "ocmw-13016", "https://case.hulshout.test/kansrijk?token=abc")
		if err != nil || !strings.HasPrefix(secret, "whsec_") || len(secret) != len("whsec_")+64 {
			t.Fatalf("set webhook: %q %v", secret, err)
		}
		target, err := db.NotifyTarget(ctx, "ocmw-13016")
		if err != nil || target.WebhookURL != "https://case.hulshout.test/kansrijk?token=abc" || target.WebhookSecret != secret {
			t.Fatalf("target = %+v %v", target, err)
		}
		// A second PUT replaces URL and secret.
		// (A receiver on 127.0.0.1 only with the development setting.)
		t.Setenv(netguard.InsecureEnv, "1")
		secret2, err := db.SetWebhook(ctx, admin, "ocmw-13016", "http://127.0.0.1:9999/hook")
		if err != nil || secret2 == secret {
			t.Fatalf("replace: %q %v", secret2, err)
		}
		t.Setenv(netguard.InsecureEnv, "")
		if u, _ := db.WebhookURL(ctx, "ocmw-13016"); u != "http://127.0.0.1:9999/hook" {
			t.Fatalf("url = %q", u)
		}
		// Validation.
		for raw, code := range map[string]string{
			"":                                                store.CodeInvalidWebhookURL,
			"case.hulshout.test/hook":                         store.CodeInvalidWebhookURL,
			"ftp://case.hulshout.test/":                       store.CodeInvalidWebhookURL,
			"https://u:p@case.test/hook":                      store.CodeInvalidWebhookURL,
			"https://case.test/hook#x":                        store.CodeInvalidWebhookURL,
			"http://case.hulshout.test/":                      store.CodeInsecureWebhookURL,
			"http://10.0.0.1/hook":                            store.CodeInsecureWebhookURL,
			"http://localhost:8081/x":                         store.CodeInsecureWebhookURL,
			"https://10.0.0.1/hook":                           apperr.WebhookAddressNotAllowed,
			"https://localhost:8081/x":                        apperr.WebhookAddressNotAllowed,
			"https://" + strings.Repeat("a", 2000) + ".test/": store.CodeInvalidWebhookURL,
		} {
			_, err := db.SetWebhook(ctx, admin, "ocmw-13016", raw)
			WantCode(t, err, code)
		}
		if _, err := store.ValidateWebhookURL(ctx, "HTTPS://Case.Test/hook"); err != nil {
			t.Errorf("HTTPS://Case.Test/hook: %v", err)
		}
		t.Setenv(netguard.InsecureEnv, "1")
		for _, ok := range []string{"http://localhost:8081/x", "http://[::1]:8081/x", "https://127.0.0.1:8081/x"} {
			if _, err := store.ValidateWebhookURL(ctx, ok); err != nil {
				t.Errorf("%s with the development setting: %v", ok, err)
			}
		}
		t.Setenv(netguard.InsecureEnv, "")
		// Permissions: another OCMW's admin, a worker, a team: forbidden;
		// an organisation that is no OCMW: not found.
		other := account.Actor{UserID: 22, Role: account.OCMWAdmin, Org: "ocmw-11007", OrgKind: account.KindOCMW}
		for _, a := range []account.Actor{other, ocmwWorker, teamWorker} {
			_, err := db.SetWebhook(ctx, a, "ocmw-13016", "https://x.test/")
			WantCode(t, err, apperr.Forbidden)
			WantCode(t, db.DeleteWebhook(ctx, a, "ocmw-13016"), apperr.Forbidden)
		}
		_, err = db.SetWebhook(ctx, admin, "opgroeien", "https://x.test/")
		WantCode(t, err, apperr.NotFound)
		_, err = db.SetWebhook(ctx, admin, "ocmw-99999", "https://x.test/")
		WantCode(t, err, apperr.NotFound)

		if err := db.DeleteWebhook(ctx, ocmwAdmin, "ocmw-13016"); err != nil {
			t.Fatal(err)
		}
		if target, _ := db.NotifyTarget(ctx, "ocmw-13016"); target.WebhookURL != "" {
			t.Fatalf("after delete: %+v", target)
		}
		if err := db.DeleteWebhook(ctx, ocmwAdmin, "ocmw-13016"); err != nil {
			t.Fatalf("deleting nothing: %v", err)
		}
		// Audited: two sets and one delete, naming the host but no token.
		evs, err := db.AuditEvents(ctx, audit.Filter{Action: audit.OrgUpdate, ObjectID: "ocmw-13016"})
		if err != nil || len(evs) != 3 {
			t.Fatalf("audit = %+v %v", evs, err)
		}
		if evs[0].Detail != "webhook deleted" || !strings.Contains(evs[2].Detail, "case.hulshout.test") || strings.Contains(evs[2].Detail, "token") ||
			evs[2].ActorOrg != "ocmw-13016" {
			t.Errorf("audit details: %q / %q", evs[0].Detail, evs[2].Detail)
		}
	})
}
