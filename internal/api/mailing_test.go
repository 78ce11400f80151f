package api_test

// Contract tests of the mailing routes through the real server on both
// backends, with a real SMTP server for the test send; answers and
// request bodies are checked against the OpenAPI document (outrFixture).

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"kansrijk/internal/account"

	"kansrijk/internal/notify"
	"kansrijk/internal/outreach"
	"kansrijk/internal/smtptest"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

type mailingPreviewJSON struct {
	Count          int `json:"count"`
	Municipalities int `json:"municipalities"`
	Recipients     []struct {
		Email    string `json:"email"`
		TeamName string `json:"team_name"`
	} `json:"recipients"`
	Skipped []struct {
		MunicipalityNIS string `json:"municipality_nis"`
		Reason          string `json:"reason"`
	} `json:"skipped"`
	Messages []struct {
		To      string `json:"to"`
		Subject string `json:"subject"`
		Body    string `json:"body"`
	} `json:"messages"`
}

type mailingSentJSON struct {
	Mailing struct {
		ID         int64 `json:"id"`
		CampaignID int64 `json:"campaign_id"`
		Recipients int   `json:"recipients"`
		Pending    int   `json:"pending"`
		Sent       int   `json:"sent"`
	} `json:"mailing"`
	Repeated bool `json:"repeated"`
}

func mailingContacts(t *testing.T, db *store.DB) {
	t.Helper()
	for _, c := range []outreach.NewContact{
		{MunicipalityNIS: "13016", Function: "general_director", Name: "An Peeters", Email: "an.peeters@hulshout.test"},
		{MunicipalityNIS: "12014", Function: "council_chair", Name: "Carla Mertens", Phone: "015 25 05 00"},
		{MunicipalityNIS: "11002", Function: "general_director", Name: "Dirk Claes", Email: "dirk.claes@antwerpen.test"},
	} {
		if _, err := db.CreateContact(context.Background(), account.System("test"), c); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMailingAPI(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		f := newOutrFixture(t, db)
		mailingContacts(t, db)
		smtp := smtptest.Start(t)
		cfg := notify.Config{SMTPAddr: smtp.Addr, SMTPTLS: notify.TLSNone, MailFrom: notify.DefaultMailFrom, BaseURL: "https://kansrijk.test"}
		const (
			templates = "/api/v1/outreach/mailings/templates"
			preview   = "/api/v1/outreach/mailings/preview"
			test      = "/api/v1/outreach/mailings/test"
			mailings  = "/api/v1/outreach/mailings"
		)
		noord := map[string]any{"filter": map[string]any{"team": "team-noord"}, "template": "informatie", "idempotency_key": "api-form-000001"}

		t.Run("MailOff", func(t *testing.T) {
			var p mailingPreviewJSON
			f.call(t, "POST", preview, preview, "lead", noord, 200, &p)
			outrCode(t, f.call(t, "POST", test, test, "lead", noord, 400, nil), "mail_disabled")
			outrCode(t, f.call(t, "POST", mailings, mailings, "lead", noord, 400, nil), "mail_disabled")
		})
		f.srv.UseMail(cfg)

		t.Run("Templates", func(t *testing.T) {
			var got struct {
				Templates []struct{ ID string } `json:"templates"`
				Fields    []string              `json:"fields"`
			}
			f.call(t, "GET", templates, templates, "lead", nil, 200, &got)
			if len(got.Templates) != 3 || len(got.Fields) != 7 {
				t.Fatalf("%+v", got)
			}
		})
		t.Run("Preview", func(t *testing.T) {
			var p mailingPreviewJSON
			f.call(t, "POST", preview, preview, "lead", noord, 200, &p)
			if p.Count != 1 || p.Municipalities != 1 || p.Recipients[0].Email != "an.peeters@hulshout.test" || p.Recipients[0].TeamName != "Lokaal team Noord" ||
				len(p.Skipped) != 2 || len(p.Messages) != 1 {
				t.Fatalf("preview %+v", p)
			}
			m := p.Messages[0]
			if m.To != "an.peeters@hulshout.test" || !strings.Contains(m.Subject, "Hulshout") || !strings.Contains(m.Body, "Geachte An Peeters,") ||
				!strings.Contains(m.Body, "https://kansrijk.test/outreach/municipalities/13016/factsheet") || strings.Contains(m.Body, "{{") {
				t.Errorf("message %+v", m)
			}
			if len(smtp.Messages()) != 0 {
				t.Error("a preview sent mail")
			}
			// The admin's list: several teams; a list with a filter.
			f.call(t, "POST", preview, preview, "admin", map[string]any{"municipalities": []string{"11002", "13016"}, "functions": []string{"general_director"}, "template": "uitnodiging"}, 200, &p)
			if p.Count != 2 {
				t.Errorf("admin's list: %+v", p)
			}
		})
		t.Run("Errors", func(t *testing.T) {
			bad := map[string]any{"filter": map[string]any{"team": "team-noord"}, "subject": "Voor {{gemeente}}", "body": "Beste {{contact_naam}},\n\n{{burgemeester}}"}
			r := f.call(t, "POST", preview, preview, "lead", bad, 400, nil)
			outrCode(t, r, "merge_field_unknown")
			if !strings.Contains(string(r.Body), "{{burgemeester}}") || !strings.Contains(string(r.Body), `"field":"body"`) {
				t.Errorf("the error does not name the field: %s", r)
			}
			bad["body"] = "Beste {{contact_naam}"
			outrCode(t, f.call(t, "POST", preview, preview, "lead", bad, 400, nil), "template_syntax")
			outrCode(t, f.call(t, "POST", preview, preview, "lead", map[string]any{"template": "nieuwjaar"}, 400, nil), "unknown_template")
			outrCode(t, f.call(t, "POST", preview, preview, "lead", map[string]any{"template": "informatie", "filter": map[string]any{"stages": []string{"signed"}}}, 400, nil), "no_recipients")
			outrCode(t, f.call(t, "POST", preview, preview, "lead", map[string]any{"template": "informatie", "filter": map[string]any{"stages": []string{"bijna"}}}, 400, nil), "invalid")
			outrCode(t, f.call(t, "POST", preview, preview, "lead", map[string]any{"template": "informatie", "functions": []string{"burgemeester"}}, 400, nil), "invalid")
			outrCode(t, f.call(t, "POST", mailings, mailings, "lead", map[string]any{"template": "informatie"}, 400, nil), "idempotency_key_invalid")
		})
		t.Run("Access", func(t *testing.T) {
			for _, who := range []string{"workerzuid", "analyst", "dpo", "ocmw", "clinic"} {
				f.call(t, "POST", preview, preview, who, noord, 403, nil)
				f.call(t, "GET", mailings, mailings, who, nil, 403, nil)
			}
			f.call(t, "POST", preview, preview, "", noord, 401, nil)
			outrCode(t, f.call(t, "POST", preview, preview, "lead", map[string]any{"municipalities": []string{"11002"}, "template": "informatie"}, 403, nil), "forbidden")
		})
		t.Run("TestSend", func(t *testing.T) {
			var got struct {
				SentTo  string                   `json:"sent_to"`
				Message struct{ Subject string } `json:"message"`
			}
			f.call(t, "POST", test, test, "lead", noord, 200, &got)
			msgs := smtp.To("lead@outreach.test")
			if got.SentTo != "lead@outreach.test" || len(msgs) != 1 || len(smtp.Messages()) != 1 {
				t.Fatalf("test send %+v, %d messages", got, len(smtp.Messages()))
			}
			if !strings.HasPrefix(msgs[0].Subject, "[TEST] ") || !strings.Contains(msgs[0].Body, "Geachte An Peeters,") || strings.Contains(msgs[0].Body, "{{") {
				t.Errorf("test message %q\n%s", msgs[0].Subject, msgs[0].Body)
			}
		})
		t.Run("Send", func(t *testing.T) {
			var sent mailingSentJSON
			f.call(t, "POST", mailings, mailings, "lead", noord, 201, &sent)
			if sent.Repeated || sent.Mailing.Recipients != 1 || sent.Mailing.Pending != 1 {
				t.Fatalf("sent %+v", sent)
			}
			f.audited(t, "outreach_mailing", sent.Mailing.ID, "outreach.mailing.send")
			var again mailingSentJSON
			f.call(t, "POST", mailings, mailings, "lead", noord, 200, &again)
			if !again.Repeated || again.Mailing.ID != sent.Mailing.ID {
				t.Fatalf("repeat %+v", again)
			}
			outrCode(t, f.call(t, "POST", mailings, mailings, "admin", noord, 400, nil), "idempotency_key_reused")

			d := notify.New(db, cfg)
			d.Log = slog.New(slog.DiscardHandler)
			if st, err := d.DeliverOnce(context.Background()); err != nil || st.Mails != 1 {
				t.Fatalf("deliver %+v %v", st, err)
			}
			if msgs := smtp.To("an.peeters@hulshout.test"); len(msgs) != 1 || !strings.Contains(msgs[0].Body, "Geachte An Peeters,") {
				t.Fatalf("%d messages to Hulshout", len(msgs))
			}
			var list struct {
				Count    int `json:"count"`
				Mailings []struct {
					ID   int64 `json:"id"`
					Sent int   `json:"sent"`
				} `json:"mailings"`
			}
			f.call(t, "GET", mailings, mailings, "lead", nil, 200, &list)
			if list.Count != 1 || list.Mailings[0].ID != sent.Mailing.ID || list.Mailings[0].Sent != 1 {
				t.Fatalf("list %+v", list)
			}
			var c struct {
				Kind        string `json:"kind"`
				Touchpoints []struct {
					MunicipalityNIS string `json:"municipality_nis"`
					ContactID       int64  `json:"contact_id"`
				} `json:"touchpoints"`
			}
			f.call(t, "GET", "/api/v1/outreach/campaigns/"+strconv.FormatInt(sent.Mailing.CampaignID, 10), "/api/v1/outreach/campaigns/{id}", "lead", nil, 200, &c)
			if c.Kind != "mailing" || len(c.Touchpoints) != 1 || c.Touchpoints[0].MunicipalityNIS != "13016" || c.Touchpoints[0].ContactID == 0 {
				t.Fatalf("campaign %+v", c)
			}
		})
	})
}
