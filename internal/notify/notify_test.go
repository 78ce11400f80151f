package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/netguard"
	"kansrijk/internal/notify"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

const inbox = "sociale.dienst@ocmw.test"

var ocmwAdmin = account.Actor{UserID: 21, Email: "beheer@ocmw.test", Role: account.OCMWAdmin, Org: "ocmw-13016", OrgKind: account.KindOCMW}

func mailConfig(addr string) notify.Config {
	return notify.Config{SMTPAddr: addr, SMTPTLS: notify.TLSNone, MailFrom: notify.DefaultMailFrom, BaseURL: "https://kansrijk.test"}
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

func deliverer(db *store.DB, cfg notify.Config) *notify.Deliverer {
	d := notify.New(db, cfg)
	d.Log = discardLog()
	return d
}

func deliverOnce(t *testing.T, d *notify.Deliverer) notify.Stats {
	t.Helper()
	st, err := d.DeliverOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func outbox(t *testing.T, db *store.DB) []store.OutboxRow {
	t.Helper()
	rows, err := db.OutboxRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestMailThroughSMTP sends notices through a real SMTP server: one
// message per round and OCMW, counting the referrals, with a link to the
// inbox and nothing about the family.
func TestMailThroughSMTP(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		useClock(db)
		box, addr := startSMTP(t)
		world(t, db)
		if err := db.SetInboxEmail(ctx, ocmwAdmin, "ocmw-13016", inbox); err != nil {
			t.Fatal(err)
		}
		d := deliverer(db, mailConfig(addr))

		// One referral: one message saying 1.
		r1 := sendReferral(t, db)
		st := deliverOnce(t, d)
		if st.Claimed != 1 || st.Delivered != 1 || st.Mails != 1 {
			t.Fatalf("stats = %+v", st)
		}
		msgs := box.Messages()
		if len(msgs) != 1 {
			t.Fatalf("%d messages, want 1", len(msgs))
		}
		if msgs[0].From != "no-reply@kansrijk.invalid" || !slices.Equal(msgs[0].To, []string{inbox}) {
			t.Fatalf("envelope %s → %v", msgs[0].From, msgs[0].To)
		}
		m := decode(t, msgs[0].Raw)
		if m.Subject != "1 nieuwe doorverwijzing in Kansrijk" {
			t.Errorf("subject %q", m.Subject)
		}
		for _, want := range []string{"1 nieuwe doorverwijzing ", "https://kansrijk.test/inbox", "Nummer: " + strconv.FormatInt(r1.ID, 10)} {
			if !strings.Contains(m.Body, want) {
				t.Errorf("body lacks %q:\n%s", want, m.Body)
			}
		}
		if m.Header.Get("To") != "<"+inbox+">" && m.Header.Get("To") != inbox {
			t.Errorf("To: %q", m.Header.Get("To"))
		}
		wantNoPersonalData(t, "message", m.All, m.Subject+"\n"+m.Body)
		if rows := outbox(t, db); rows[0].DeliveredAt == nil || rows[0].MailStatus != store.MailSent || rows[0].WebhookStatus != store.WebhookNone {
			t.Fatalf("outbox = %+v", rows[0])
		}
		// Nothing pending: nothing sent.
		if st := deliverOnce(t, d); st.Claimed != 0 || len(box.Messages()) != 1 {
			t.Fatalf("idle round: %+v, %d messages", st, len(box.Messages()))
		}

		// Two referrals: ONE message saying 2.
		r2, r3 := sendReferral(t, db), sendReferral(t, db)
		if st := deliverOnce(t, d); st.Delivered != 2 || st.Mails != 1 {
			t.Fatalf("stats = %+v", st)
		}
		if msgs = box.Messages(); len(msgs) != 2 {
			t.Fatalf("%d messages, want 2", len(msgs))
		}
		m = decode(t, msgs[1].Raw)
		if m.Subject != "2 nieuwe doorverwijzingen in Kansrijk" || !strings.Contains(m.Body, "2 nieuwe doorverwijzingen") ||
			!strings.Contains(m.Body, "https://kansrijk.test/inbox") ||
			!strings.Contains(m.Body, "Nummers: "+strconv.FormatInt(r2.ID, 10)+", "+strconv.FormatInt(r3.ID, 10)) {
			t.Errorf("second message: %q\n%s", m.Subject, m.Body)
		}
		wantNoPersonalData(t, "message", m.All, m.Subject+"\n"+m.Body)

		// A withdrawal: a withdrawal notice, also without personal data.
		if _, err := db.Withdraw(ctx, teamWorker, r2.ID); err != nil {
			t.Fatal(err)
		}
		deliverOnce(t, d)
		if msgs = box.Messages(); len(msgs) != 3 {
			t.Fatalf("%d messages, want 3", len(msgs))
		}
		m = decode(t, msgs[2].Raw)
		if m.Subject != "Toestemming ingetrokken voor 1 doorverwijzing in Kansrijk" || !strings.Contains(m.Body, "https://kansrijk.test/inbox") ||
			!strings.Contains(m.Body, "Nummer: "+strconv.FormatInt(r2.ID, 10)) {
			t.Errorf("withdrawal message: %q\n%s", m.Subject, m.Body)
		}
		wantNoPersonalData(t, "withdrawal message", m.All, m.Subject+"\n"+m.Body)

		// An SMTP failure: retried later, then sent once.
		box.Fail(true)
		sendReferral(t, db)
		if st := deliverOnce(t, d); st.Retried != 1 {
			t.Fatalf("failing SMTP: %+v", st)
		}
		rows := outbox(t, db)
		if last := rows[len(rows)-1]; last.DeliveredAt != nil || last.Attempts != 1 || last.LastError == "" || last.MailStatus != "" {
			t.Fatalf("after SMTP failure: %+v", last)
		}
		box.Fail(false)
		deliverOnce(t, d) // not due yet
		if len(box.Messages()) != 3 {
			t.Fatal("retried before the backoff")
		}
		advance(db, 31*time.Second)
		if st := deliverOnce(t, d); st.Delivered != 1 || len(box.Messages()) != 4 {
			t.Fatalf("retry: %+v, %d messages", st, len(box.Messages()))
		}
	})
}

// advance moves the fake clock of db.
func advance(db *store.DB, d time.Duration) {
	now := db.Now().Add(d)
	db.Now = func() time.Time { return now }
}

// TestMailSkippedAndDisabled: an OCMW without inbox address gets no mail
// (not an error); without an SMTP server nothing piles up.
func TestMailSkippedAndDisabled(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		useClock(db)
		box, addr := startSMTP(t)
		world(t, db)
		sendReferral(t, db)
		if st := deliverOnce(t, deliverer(db, mailConfig(addr))); st.Delivered != 1 || st.Mails != 0 {
			t.Fatalf("no inbox address: %+v", st)
		}
		if len(box.Messages()) != 0 {
			t.Fatal("mail without an inbox address")
		}
		if row := outbox(t, db)[0]; row.MailStatus != store.MailSkipped || row.LastError != "" || row.DeliveredAt == nil {
			t.Fatalf("skipped row = %+v", row)
		}

		if err := db.SetInboxEmail(context.Background(), ocmwAdmin, "ocmw-13016", inbox); err != nil {
			t.Fatal(err)
		}
		sendReferral(t, db)
		cfg := mailConfig("")
		if st := deliverOnce(t, deliverer(db, cfg)); st.Delivered != 1 {
			t.Fatalf("mail disabled: %+v", st)
		}
		if row := outbox(t, db)[1]; row.MailStatus != store.MailDisabled || row.LastError != "mail disabled" || row.DeliveredAt == nil {
			t.Fatalf("disabled row = %+v", row)
		}
	})
}

type hookCall struct {
	Header http.Header
	Body   []byte
}

// TestWebhook posts to a receiver that fails once: retried with the same
// delivery id, delivered, signed with the secret, and carrying exactly
// referral_id, event and sent_at.
func TestWebhook(t *testing.T) {
	t.Setenv(netguard.InsecureEnv, "1") // the receiver listens on 127.0.0.1
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		useClock(db)
		box, addr := startSMTP(t)
		world(t, db)
		if err := db.SetInboxEmail(ctx, ocmwAdmin, "ocmw-13016", inbox); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var calls []hookCall
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			calls = append(calls, hookCall{r.Header.Clone(), b})
			n := len(calls)
			mu.Unlock()
			if r.Method != http.MethodPost {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			if n == 1 {
				http.Error(w, "boom", http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}))
		defer srv.Close()
		secret, err := db.SetWebhook(ctx, ocmwAdmin, "ocmw-13016", srv.URL+"/kansrijk")
		if err != nil {
			t.Fatal(err)
		}
		r := sendReferral(t, db)
		d := deliverer(db, mailConfig(addr))

		if st := deliverOnce(t, d); st.Retried != 1 || st.Mails != 1 {
			t.Fatalf("first round: %+v", st)
		}
		row := outbox(t, db)[0]
		if row.DeliveredAt != nil || row.Attempts != 1 || row.MailStatus != store.MailSent || row.WebhookStatus != "" || !strings.Contains(row.LastError, "500") {
			t.Fatalf("after 500: %+v", row)
		}
		advance(db, 31*time.Second)
		if st := deliverOnce(t, d); st.Delivered != 1 || st.Mails != 0 {
			t.Fatalf("second round: %+v", st)
		}
		if row := outbox(t, db)[0]; row.DeliveredAt == nil || row.WebhookStatus != store.WebhookDelivered {
			t.Fatalf("after 204: %+v", row)
		}
		if n := len(box.Messages()); n != 1 {
			t.Fatalf("the webhook retry resent the e-mail: %d messages", n)
		}

		mu.Lock()
		defer mu.Unlock()
		if len(calls) != 2 {
			t.Fatalf("%d webhook calls, want 2", len(calls))
		}
		for i, c := range calls {
			var body map[string]any
			if err := json.Unmarshal(c.Body, &body); err != nil {
				t.Fatalf("call %d: body %s: %v", i, c.Body, err)
			}
			keys := make([]string, 0, len(body))
			for k := range body {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, []string{"event", "referral_id", "sent_at"}) {
				t.Errorf("call %d: keys %v, want exactly event, referral_id, sent_at", i, keys)
			}
			if body["referral_id"] != float64(r.ID) || body["event"] != "referral.sent" {
				t.Errorf("call %d: body %s", i, c.Body)
			}
			if _, err := time.Parse(time.RFC3339, body["sent_at"].(string)); err != nil {
				t.Errorf("call %d: sent_at %v", i, body["sent_at"])
			}
			if c.Header.Get("X-Kansrijk-Event") != "referral.sent" || c.Header.Get("X-Kansrijk-Delivery") != strconv.FormatInt(row.ID, 10) ||
				c.Header.Get("Content-Type") != "application/json" {
				t.Errorf("call %d: headers %v", i, c.Header)
			}
			// The receiver's check: HMAC-SHA256 of the raw body with the secret.
			sig := c.Header.Get("X-Kansrijk-Signature")
			if !strings.HasPrefix(sig, "sha256=") || !notify.Verify(secret, c.Body, sig) {
				t.Errorf("call %d: signature %q does not verify", i, sig)
			}
			if notify.Verify("whsec_wrong", c.Body, sig) || notify.Verify(secret, append(c.Body, ' '), sig) {
				t.Errorf("call %d: signature verifies with a wrong secret or body", i)
			}
			wantNoPersonalData(t, "webhook body", string(c.Body), string(c.Body))
		}
	})
}

// TestRunStopsWithContext: the loop delivers at start and ends with its
// context.
func TestRunStopsWithContext(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	useClock(db)
	box, addr := startSMTP(t)
	world(t, db)
	if err := db.SetInboxEmail(context.Background(), ocmwAdmin, "ocmw-13016", inbox); err != nil {
		t.Fatal(err)
	}
	sendReferral(t, db)
	d := deliverer(db, mailConfig(addr))
	d.Interval = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(box.Messages()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no message within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := notify.ConfigFromEnv(env(nil))
	if err != nil || c.MailEnabled() || c.SMTPTLS != "none" || c.MailFrom != notify.DefaultMailFrom || c.BaseURL != "http://localhost:8080" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = notify.ConfigFromEnv(env(map[string]string{"KANSRIJK_SMTP_ADDR": "smtp.test:587", "KANSRIJK_SMTP_USER": "u",
		"KANSRIJK_BASE_URL": "https://kansrijk.test/"}))
	if err != nil || !c.MailEnabled() || c.SMTPTLS != "starttls" || c.BaseURL != "https://kansrijk.test" {
		t.Fatalf("with user: %+v %v", c, err)
	}
	for _, bad := range []map[string]string{
		{"KANSRIJK_SMTP_TLS": "ssl"},
		{"KANSRIJK_SMTP_ADDR": "smtp.test"},
		{"KANSRIJK_MAIL_FROM": "not an address"},
		{"KANSRIJK_BASE_URL": "kansrijk.test"},
	} {
		if _, err := notify.ConfigFromEnv(env(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
