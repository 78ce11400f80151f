package mailing_test

// Mailings through a real SMTP server, on both databases: the test send
// arrives at once with the merge fields filled; the send goes through
// the outbox and notify's deliverer, one message per contact.

import (
	"context"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/mailing"
	"kansrijk/internal/notify"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/smtptest"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var (
	system = account.System("test")
	sara   = account.Actor{UserID: 31, Email: "sara.janssens@opgroeien.test", Name: "Sara Janssens", Role: account.Admin, Org: "opgroeien", OrgKind: account.KindOpgroeien}
)

// smtpMailer is the adapter the server uses, for the test send.
type smtpMailer struct{ m notify.Mailer }

func (s smtpMailer) Send(ctx context.Context, m mailing.Message) error {
	return s.m.Send(ctx, notify.Message{To: m.To, ReplyTo: m.ReplyTo, Subject: m.Subject, Body: m.Body})
}

func mailConfig(addr string) notify.Config {
	return notify.Config{SMTPAddr: addr, SMTPTLS: notify.TLSNone, MailFrom: notify.DefaultMailFrom, BaseURL: "https://kansrijk.test"}
}

// setup: team-noord covers Hulshout (two contacts with e-mail) and
// Herselt (none); the service sends over the test's SMTP server.
func setup(t *testing.T, db *store.DB) (*mailing.Service, *smtptest.Server) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	if _, err := db.CreateTeam(ctx, system, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016", "13013"},
		From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []outreach.NewContact{
		{MunicipalityNIS: "13016", Function: "general_director", Name: "An Peeters", Email: "an.peeters@hulshout.test"},
		{MunicipalityNIS: "13016", Function: "poverty_officer", Name: "Bram Wouters", Email: "bram.wouters@hulshout.test"},
	} {
		if _, err := db.CreateContact(ctx, system, c); err != nil {
			t.Fatal(err)
		}
	}
	srv := smtptest.Start(t)
	return &mailing.Service{Store: db, Mailer: smtpMailer{&notify.SMTPMailer{Config: mailConfig(srv.Addr)}}, BaseURL: "https://kansrijk.test"}, srv
}

func request(t *testing.T, q string) mailing.Request {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	r, err := mailing.ParseForm(v)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func wantMerged(t *testing.T, what, text string, want ...string) {
	t.Helper()
	if strings.Contains(text, "{{") || strings.Contains(text, "}}") {
		t.Errorf("%s has an unmerged field:\n%s", what, text)
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

func TestTestSendArrives(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		svc, srv := setup(t, db)
		ctx := context.Background()
		req := request(t, "team=team-noord&template=informatie")

		p, err := svc.Preview(ctx, sara, req)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Messages) != 2 || len(p.Recipients.Recipients) != 2 || len(srv.Messages()) != 0 {
			t.Fatalf("preview: %d messages, %d recipients, %d mails sent", len(p.Messages), len(p.Recipients.Recipients), len(srv.Messages()))
		}
		if p.Skipped[0].Municipality != "Herselt" || p.Skipped[0].Reason != mailing.SkipNoEmail {
			t.Errorf("skipped %+v", p.Skipped)
		}
		wantMerged(t, "preview", p.Messages[1].Body, "Geachte Bram Wouters,", "beleidsmedewerker armoedebestrijding van Hulshout")

		m, err := svc.Test(ctx, sara, req)
		if err != nil {
			t.Fatal(err)
		}
		if m.To != sara.Email {
			t.Fatalf("test sent to %q", m.To)
		}
		got := srv.Messages()
		if len(got) != 1 || !slices.Equal(got[0].To, []string{sara.Email}) {
			t.Fatalf("%d messages: %+v", len(got), got)
		}
		msg := got[0]
		if !strings.HasPrefix(msg.Subject, mailing.TestSubjectPrefix) || !strings.Contains(msg.Subject, "Hulshout") {
			t.Errorf("subject %q", msg.Subject)
		}
		wantMerged(t, "test message", msg.Subject+"\n"+msg.Body, "Geachte An Peeters,", "algemeen directeur van Hulshout",
			"https://kansrijk.test/outreach/municipalities/13016/factsheet", "Lokaal team Noord", "Sara Janssens", "testbericht")
		if !strings.Contains(msg.Header.Get("Reply-To"), sara.Email) {
			t.Errorf("Reply-To %q", msg.Header.Get("Reply-To"))
		}

		// A broken field is reported before anything is sent.
		bad := req
		bad.Body = "Beste {{contact_naam}}, groeten van {{burgemeester}}"
		if _, err := svc.Test(ctx, sara, bad); !apperr.Is(err, mailing.CodeUnknownField) {
			t.Errorf("unknown field: %v", err)
		}
		// A refusing server: the test send says so.
		srv.Fail(true)
		if _, err := svc.Test(ctx, sara, req); !apperr.Is(err, mailing.CodeSendFailed) {
			t.Errorf("refused: %v", err)
		}
		if len(srv.Messages()) != 1 {
			t.Errorf("%d messages after the failures", len(srv.Messages()))
		}
	})
}

func TestSendThroughOutbox(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		svc, srv := setup(t, db)
		ctx := context.Background()
		req := request(t, "team=team-noord&template=opvolging&idempotency_key=form-0123456789")
		sent, err := svc.Send(ctx, sara, req)
		if err != nil {
			t.Fatal(err)
		}
		if sent.Repeated || sent.Mailing.Recipients != 2 || sent.Mailing.Pending != 2 || len(sent.Skipped) != 1 {
			t.Fatalf("sent %+v", sent)
		}
		if len(srv.Messages()) != 0 {
			t.Fatal("a message left before the deliverer ran")
		}

		d := notify.New(db, mailConfig(srv.Addr))
		d.Log = slog.New(slog.DiscardHandler)
		st, err := d.DeliverOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Delivered != 2 || st.Mails != 2 {
			t.Fatalf("stats %+v", st)
		}
		for _, c := range []struct{ to, name, function string }{
			{"an.peeters@hulshout.test", "An Peeters", "algemeen directeur"},
			{"bram.wouters@hulshout.test", "Bram Wouters", ""},
		} {
			got := srv.To(c.to)
			if len(got) != 1 {
				t.Fatalf("%d messages to %s", len(got), c.to)
			}
			wantMerged(t, "message to "+c.name, got[0].Subject+"\n"+got[0].Body, "Hulshout: gezinnen", "Geachte "+c.name+",",
				"Lokaal team Noord", "Sara Janssens", "https://kansrijk.test/outreach/municipalities/13016/factsheet")
			if !strings.Contains(got[0].Header.Get("Reply-To"), sara.Email) || len(got[0].To) != 1 {
				t.Errorf("envelope/headers %v %v", got[0].To, got[0].Header)
			}
		}
		list, err := svc.Mailings(ctx, sara)
		if err != nil || len(list) != 1 || list[0].Sent != 2 || list[0].Pending != 0 {
			t.Fatalf("mailings %+v %v", list, err)
		}
		c, err := db.Campaign(ctx, sara, sent.Mailing.CampaignID)
		if err != nil || c.Kind != outreach.Mailing || len(c.Touchpoints) != 1 || c.Touchpoints[0].Municipality != "Hulshout" || c.Touchpoints[0].ContactID == 0 {
			t.Fatalf("campaign %+v %v", c, err)
		}

		// The same form again: nothing new is queued or sent.
		again, err := svc.Send(ctx, sara, req)
		if err != nil || !again.Repeated || again.Mailing.ID != sent.Mailing.ID {
			t.Fatalf("repeat %+v %v", again, err)
		}
		if st, err := d.DeliverOnce(ctx); err != nil || st.Claimed != 0 || len(srv.Messages()) != 2 {
			t.Fatalf("after the repeat: %+v %v, %d messages", st, err, len(srv.Messages()))
		}
	})
}

func TestNoMailServer(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	svc, _ := setup(t, db)
	svc.Mailer = nil
	ctx := context.Background()
	req := request(t, "team=team-noord&template=informatie&idempotency_key=form-0123456789")
	if _, err := svc.Preview(ctx, sara, req); err != nil {
		t.Fatalf("a preview needs no mail server: %v", err)
	}
	if _, err := svc.Test(ctx, sara, req); !apperr.Is(err, mailing.CodeMailDisabled) {
		t.Errorf("test: %v", err)
	}
	if _, err := svc.Send(ctx, sara, req); !apperr.Is(err, mailing.CodeMailDisabled) {
		t.Errorf("send: %v", err)
	}
	worker := account.Actor{UserID: 5, Email: "w@noord.test", Role: account.TeamWorker, Org: "team-noord", OrgKind: account.KindTeam}
	if _, err := svc.Preview(ctx, worker, req); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("worker: %v", err)
	}
	if n, err := db.OutboxRows(ctx); err != nil || len(n) != 0 {
		t.Errorf("outbox %d %v", len(n), err)
	}
}
