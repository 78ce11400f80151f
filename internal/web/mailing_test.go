package web_test

// The mailing page through the real server (sessions, CSRF) over a real
// store of both backends, with a real SMTP server: the form, a preview on
// the page, a test message, a send that happens once.

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"kansrijk/internal/account"
	"kansrijk/internal/httpx"
	"kansrijk/internal/notify"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/server"
	"kansrijk/internal/smtptest"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

type site struct {
	t    *testing.T
	db   *store.DB
	srv  *server.Server
	smtp *smtptest.Server
	// users are created on first sign-in.
	users *storetest.Accounts
}

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	sys := account.System("test")
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016", "12014"},
		From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateTeam(ctx, sys, org.NewTeam{Key: "team-zuid", Name: "Lokaal team Zuid", Municipalities: []string{"11002"},
		From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []outreach.NewContact{
		{MunicipalityNIS: "13016", Function: "general_director", Name: "An Peeters", Email: "an.peeters@hulshout.test"},
		{MunicipalityNIS: "12014", Function: "council_chair", Name: "Carla Mertens", Phone: "015 25 05 00"},
		{MunicipalityNIS: "11002", Function: "general_director", Name: "Dirk Claes", Email: "dirk.claes@antwerpen.test"},
	} {
		if _, err := db.CreateContact(ctx, sys, c); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := server.New(db)
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, db: db, srv: srv, smtp: smtptest.Start(t), users: storetest.Users(t, db, "noord.test",
		storetest.U{Name: "lead", Role: "team_lead", Org: "team-noord", FullName: "Lea Lenaerts"},
		storetest.U{Name: "worker", Role: "team_worker", Org: "team-noord", FullName: "Wim"},
	)}
	srv.UseMail(s.config())
	return s
}

func (s *site) config() notify.Config {
	return notify.Config{SMTPAddr: s.smtp.Addr, SMTPTLS: notify.TLSNone, MailFrom: notify.DefaultMailFrom, BaseURL: "https://kansrijk.test"}
}

type page struct {
	Code   int
	Header http.Header
	Body   string
	Doc    *html.Node
}

func (s *site) do(method, target, session string, form url.Values) page {
	s.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	req.Host = "localhost" // plain http signs in on this machine only (httpx.LoginProblem)
	if session != "" {
		req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: session})
	}
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, req)
	p := page{Code: rec.Code, Header: rec.Result().Header, Body: rec.Body.String()}
	doc, err := html.Parse(strings.NewReader(p.Body))
	if err != nil {
		s.t.Fatal(err)
	}
	p.Doc = doc
	return p
}

// signIn signs the test user in through the login form and returns the
// session cookie's value.
func (s *site) signIn(name string) string {
	s.t.Helper()
	s.users.Create(s.t, name)
	email := s.users.Email(s.t, name)
	p := s.do("POST", "/login", "", url.Values{"email": {email}, "password": {storetest.Password}})
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == httpx.SessionCookie {
			return c.Value
		}
	}
	s.t.Fatalf("login of %s: %d", email, p.Code)
	return ""
}

// ---- a few selectors over the parsed page ----

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// find returns the elements of a tag ("" any) with attribute name=value
// (name "" any).
func find(root *html.Node, tag, name, value string) []*html.Node {
	var out []*html.Node
	walk(root, func(n *html.Node) {
		if n.Type != html.ElementNode || (tag != "" && n.Data != tag) {
			return
		}
		if v, ok := attr(n, name); name == "" || (ok && v == value) {
			out = append(out, n)
		}
	})
	return out
}

func byID(t *testing.T, root *html.Node, tag, id string) *html.Node {
	t.Helper()
	list := find(root, tag, "id", id)
	if len(list) != 1 {
		t.Fatalf("%d %s#%s on the page", len(list), tag, id)
	}
	return list[0]
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(x *html.Node) {
		if x.Type == html.TextNode {
			b.WriteString(x.Data)
		}
	})
	return b.String()
}

// formValues returns what a browser would submit: inputs (checkboxes only
// when checked), textareas, and the submit button pressed.
func formValues(form *html.Node, button string) url.Values {
	v := url.Values{}
	walk(form, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		name, ok := attr(n, "name")
		if !ok {
			return
		}
		switch n.Data {
		case "input":
			typ, _ := attr(n, "type")
			if _, checked := attr(n, "checked"); typ == "checkbox" && !checked {
				return
			}
			val, _ := attr(n, "value")
			v.Add(name, val)
		case "textarea":
			v.Add(name, text(n))
		case "button":
			if val, _ := attr(n, "value"); val == button {
				v.Add(name, val)
			}
		}
	})
	return v
}

func TestMailingPage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		lead := s.signIn("lead")
		const target = "/outreach/mailing?team=team-noord&stage=not_informed"

		p := s.do("GET", target, lead, nil)
		if p.Code != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", target, p.Code, p.Body)
		}
		form := byID(t, p.Doc, "form", "mailing")
		if m, _ := attr(form, "method"); m != "post" {
			t.Errorf("form#mailing method %q", m)
		}
		v := formValues(form, "preview")
		if v.Get("csrf") == "" || len(v.Get("idempotency_key")) < 16 || v.Get("team") != "team-noord" || v.Get("stage") != "not_informed" ||
			!strings.Contains(v.Get("subject"), "{{gemeente}}") || !strings.Contains(v.Get("body"), "{{contact_naam}}") || v.Get("action") != "preview" {
			t.Fatalf("form values %v", v)
		}
		recipients := text(byID(t, p.Doc, "table", "mailing-recipients"))
		if !strings.Contains(recipients, "An Peeters") || !strings.Contains(recipients, "an.peeters@hulshout.test") || strings.Contains(recipients, "Dirk Claes") {
			t.Errorf("recipients: %s", recipients)
		}
		if sk := text(byID(t, p.Doc, "details", "mailing-skipped")); !strings.Contains(sk, "Heist-op-den-Berg") || !strings.Contains(sk, "geen contactpersoon met een e-mailadres") {
			t.Errorf("skipped: %s", sk)
		}
		var buttons []string
		for _, b := range find(form, "button", "name", "action") {
			buttons = append(buttons, strings.TrimSpace(text(b)))
		}
		if strings.Join(buttons, "|") != "Voorbeeld|Testmail naar mezelf|Versturen (1 bericht)" {
			t.Errorf("buttons %q", buttons)
		}
		if len(find(p.Doc, "", "id", "mailing-preview")) != 0 {
			t.Error("a preview before asking")
		}

		t.Run("Preview", func(t *testing.T) {
			p := s.do("POST", "/outreach/mailing", lead, v)
			if p.Code != http.StatusOK {
				t.Fatalf("preview: %d\n%s", p.Code, p.Body)
			}
			pv := text(byID(t, p.Doc, "section", "mailing-preview"))
			if !strings.Contains(pv, "Geachte An Peeters,") || !strings.Contains(pv, "https://kansrijk.test/outreach/municipalities/13016/factsheet") ||
				!strings.Contains(pv, "Lea Lenaerts") || strings.Contains(pv, "{{") {
				t.Errorf("preview: %s", pv)
			}
			// The form keeps the same key, so that a send after the preview is this form's send.
			if again := formValues(byID(t, p.Doc, "form", "mailing"), "send"); again.Get("idempotency_key") != v.Get("idempotency_key") {
				t.Error("the preview changed the form's key")
			}
			if len(s.smtp.Messages()) != 0 {
				t.Error("a preview sent mail")
			}
		})
		t.Run("BrokenField", func(t *testing.T) {
			bad := formValues(form, "preview")
			bad.Set("body", bad.Get("body")+"\n{{burgemeester}}")
			p := s.do("POST", "/outreach/mailing", lead, bad)
			if p.Code != http.StatusBadRequest {
				t.Fatalf("status %d", p.Code)
			}
			if !strings.Contains(p.Body, "Onbekend samenvoegveld {{burgemeester}} in de tekst") {
				t.Errorf("no Dutch error naming the field:\n%s", p.Body)
			}
			if inv, _ := attr(byID(t, p.Doc, "textarea", "body"), "aria-invalid"); inv != "true" {
				t.Error("the body is not marked invalid")
			}
			if body := text(byID(t, p.Doc, "textarea", "body")); !strings.Contains(body, "{{burgemeester}}") {
				t.Error("the user's text was lost")
			}
		})
		t.Run("NoCSRF", func(t *testing.T) {
			forged := formValues(form, "send")
			forged.Del("csrf")
			if p := s.do("POST", "/outreach/mailing", lead, forged); p.Code != http.StatusForbidden {
				t.Fatalf("without CSRF: %d", p.Code)
			}
		})
		t.Run("TestSend", func(t *testing.T) {
			p := s.do("POST", "/outreach/mailing", lead, formValues(form, "test"))
			if p.Code != http.StatusOK || !strings.Contains(p.Body, "Testmail verstuurd naar lead@noord.test") {
				t.Fatalf("test: %d\n%s", p.Code, p.Body)
			}
			msgs := s.smtp.To("lead@noord.test")
			if len(msgs) != 1 || len(s.smtp.Messages()) != 1 || !strings.Contains(msgs[0].Body, "Geachte An Peeters,") {
				t.Fatalf("%d messages", len(s.smtp.Messages()))
			}
		})
		t.Run("SendOnce", func(t *testing.T) {
			send := formValues(form, "send")
			p := s.do("POST", "/outreach/mailing", lead, send)
			if p.Code != http.StatusSeeOther {
				t.Fatalf("send: %d\n%s", p.Code, p.Body)
			}
			loc := p.Header.Get("Location")
			if !strings.HasPrefix(loc, "/outreach/mailing?") || !strings.Contains(loc, "ok=mailing_sent") || !strings.Contains(loc, "team=team-noord") {
				t.Fatalf("redirect to %q", loc)
			}
			outbox := func() int {
				rows, err := db.OutboxRows(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				return len(rows)
			}
			if n := outbox(); n != 1 {
				t.Fatalf("%d outbox rows", n)
			}
			after := s.do("GET", loc, lead, nil)
			if !strings.Contains(after.Body, "is verstuurd en als campagne vastgelegd. Berichten in de wachtrij: 1, voor gemeenten: 1.") {
				t.Errorf("no notice after the send:\n%s", after.Body)
			}
			if h := text(byID(t, after.Doc, "table", "mailing-history")); !strings.Contains(h, "{{gemeente}}") || !strings.Contains(h, "lead@noord.test") {
				t.Errorf("history: %s", h)
			}
			if v := formValues(byID(t, after.Doc, "form", "mailing"), "send"); v.Get("idempotency_key") == send.Get("idempotency_key") {
				t.Error("the page after a send reuses the sent form's key")
			}
			// The same form posted again sends nothing more.
			p = s.do("POST", "/outreach/mailing", lead, send)
			if p.Code != http.StatusSeeOther || !strings.Contains(p.Header.Get("Location"), "ok=mailing_repeated") || outbox() != 1 {
				t.Fatalf("repeat: %d %s, %d outbox rows", p.Code, p.Header.Get("Location"), outbox())
			}
			// And the deliverer sends the one message.
			d := notify.New(db, s.config())
			d.Log = slog.New(slog.DiscardHandler)
			if st, err := d.DeliverOnce(context.Background()); err != nil || st.Mails != 1 || len(s.smtp.To("an.peeters@hulshout.test")) != 1 {
				t.Fatalf("deliver %+v %v", st, err)
			}
		})
		t.Run("TemplateChoice", func(t *testing.T) {
			p := s.do("GET", target+"&template=uitnodiging", lead, nil)
			v := formValues(byID(t, p.Doc, "form", "mailing"), "preview")
			if v.Get("template") != "uitnodiging" || !strings.HasPrefix(v.Get("subject"), "Uitnodiging") {
				t.Errorf("template %q subject %q", v.Get("template"), v.Get("subject"))
			}
			if opts := find(byID(t, p.Doc, "form", "mailing-template"), "option", "", ""); len(opts) != 3 {
				t.Errorf("%d templates to choose", len(opts))
			}
		})
		t.Run("Forbidden", func(t *testing.T) {
			worker := s.signIn("worker")
			if p := s.do("GET", target, worker, nil); p.Code != http.StatusForbidden {
				t.Errorf("worker: %d", p.Code)
			}
			if p := s.do("GET", target, "", nil); p.Code != http.StatusSeeOther {
				t.Errorf("anonymous: %d", p.Code)
			}
			if p := s.do("GET", "/outreach/mailing?nis=11002", lead, nil); p.Code != http.StatusForbidden || !strings.Contains(p.Body, "Antwerpen") {
				t.Errorf("another team's municipality: %d", p.Code)
			}
		})
	})
}
