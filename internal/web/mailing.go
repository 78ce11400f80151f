package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/mailing"
	"kansrijk/internal/outreach"
)

// The mailing page (/outreach/mailing?<target filter>): the recipients of
// the target list, a template, the editable subject and body, and three
// buttons on one form: preview (shown on the page), a test message to the
// user's own address, and the send itself.

// mailingView is the data of the mailing page.
type mailingView struct {
	Filter      outreach.TargetFilter
	TeamName    string // the filter's team by name
	FilterQuery string // the target list and functions as query parameters
	// TargetsHref links to the target list with the filter.
	TargetsHref string
	// Hidden carries the target list (filter and municipalities) in the
	// forms.
	Hidden     []hiddenField
	List       []string
	Functions  []functionOption
	Templates  []mailing.Template
	Fields     []string
	Template   string
	Subject    string
	Body       string
	Key        string
	Recipients mailing.Recipients
	Preview    *mailing.Preview
	// PreviewMessages are the preview's messages, numbered from 1.
	PreviewMessages []previewMessage
	TestSentTo      string
	Sent            *mailing.Mailing
	Repeated        bool
	Mailings        []mailing.Mailing
	MailEnabled     bool
}

// previewMessage is one message of a preview.
type previewMessage struct {
	N            int
	Municipality string
	Message      mailing.Message
}

// hiddenField is one hidden input.
type hiddenField struct{ Name, Value string }

// functionOption is a checkbox of the functions to mail.
type functionOption struct {
	Function outreach.Function
	Checked  bool
}

func newIdempotencyKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// mailingPage builds the page from the form values v (the query on GET,
// the posted form on POST) and the request parsed from them.
func (ui *UI) mailingPage(r *http.Request, a account.Actor, v url.Values, req mailing.Request) *mailingView {
	view := &mailingView{Filter: req.Filter, List: req.Municipalities, Templates: mailing.Templates,
		Fields: mailing.Fields, Template: req.Template, Subject: v.Get("subject"), Body: v.Get("body"), Key: req.IdempotencyKey,
		MailEnabled: ui.Mailing.MailEnabled()}
	if req.Filter.Team != "" {
		view.TeamName = req.Filter.Team
		if names, err := ui.teamNames(r.Context()); err == nil && names[req.Filter.Team] != "" {
			view.TeamName = names[req.Filter.Team]
		}
	}
	q := req.Filter.Query()
	for _, n := range req.Municipalities {
		q.Add("nis", n)
	}
	for _, name := range []string{"province", "team", "stage", "min_days_since_contact", "nis"} {
		for _, val := range q[name] {
			view.Hidden = append(view.Hidden, hiddenField{name, val})
		}
	}
	view.TargetsHref = "/outreach/targets"
	if tq := req.Filter.Query().Encode(); tq != "" {
		view.TargetsHref += "?" + tq
	}
	for _, f := range req.Functions {
		q.Add("function", string(f))
	}
	for _, f := range outreach.Functions {
		view.Functions = append(view.Functions, functionOption{f, slices.Contains(req.Functions, f)})
	}
	view.FilterQuery = q.Encode()
	if view.Key == "" {
		view.Key = newIdempotencyKey()
	}
	if view.Template == "" && view.Subject == "" && view.Body == "" {
		view.Template = mailing.Templates[0].ID
	}
	if t, ok := mailing.TemplateByID(view.Template); ok {
		if view.Subject == "" {
			view.Subject = t.Subject
		}
		if view.Body == "" {
			view.Body = t.Body
		}
	}
	return view
}

// mailingRequest parses the form values; on an error the request still
// holds what could be read.
func mailingRequest(v url.Values) (mailing.Request, error) {
	req, err := mailing.ParseForm(v)
	if err != nil {
		// Keep the texts so that the form shows them again.
		req.Subject, req.Body, req.Template, req.IdempotencyKey = v.Get("subject"), v.Get("body"), v.Get("template"), v.Get("idempotency_key")
	}
	return req, err
}

func (ui *UI) showMailing(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if ui.Mailing == nil {
		ui.notFound(w, r)
		return
	}
	if !mailing.Allowed(a) {
		ui.fail(w, r, mailing.Forbidden())
		return
	}
	q := r.URL.Query()
	req, err := mailingRequest(q)
	view := ui.mailingPage(r, a, q, req)
	view.Key = newIdempotencyKey() // every page load is a new form
	status := http.StatusOK
	p := ui.page(r, "page.mailing.title", view)
	if err == nil {
		err = ui.loadMailingLists(r, a, req, view)
	}
	if err != nil {
		p.withError(r, err)
		status = statusOf(err)
	}
	if id, _ := strconv.ParseInt(q.Get("sent"), 10, 64); id > 0 {
		for i := range view.Mailings {
			if view.Mailings[i].ID == id {
				view.Sent = &view.Mailings[i]
			}
		}
		view.Repeated = q.Get("ok") == "mailing_repeated"
	}
	ui.render(w, status, "mailing", p)
}

// loadMailingLists fills the recipients and the mailings sent before.
func (ui *UI) loadMailingLists(r *http.Request, a account.Actor, req mailing.Request, view *mailingView) error {
	list, err := ui.Mailing.Mailings(r.Context(), a)
	if err != nil {
		return err
	}
	view.Mailings = list
	rs, err := ui.Mailing.Recipients(r.Context(), a, req)
	view.Recipients = rs
	return err
}

func (ui *UI) postMailing(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if ui.Mailing == nil {
		ui.notFound(w, r)
		return
	}
	if !mailing.Allowed(a) {
		ui.fail(w, r, mailing.Forbidden())
		return
	}
	req, err := mailingRequest(r.PostForm)
	view := ui.mailingPage(r, a, r.PostForm, req)
	p := ui.page(r, "page.mailing.title", view)
	fail := func(err error) {
		p.formProblems(r, err, formSpec{"subject": {Label: "mailing.subject"}, "body": {Label: "mailing.body"},
			"function": {Input: "functions", Label: "mailing.functions.legend"}, "functions": {Label: "mailing.functions.legend"}})
		ui.render(w, statusOf(err), "mailing", p)
	}
	// The subject and the text, unless a template gives them: both
	// problems at once.
	var problems []*apperr.Error
	for _, n := range []string{"subject", "body"} {
		if strings.TrimSpace(r.PostForm.Get(n)) == "" && strings.TrimSpace(r.PostForm.Get("template")) == "" {
			problems = append(problems, required(n))
		}
	}
	if len(problems) > 0 {
		err = apperr.Join(append(problems, apperr.Problems(err)...))
	}
	if err != nil {
		fail(err)
		return
	}
	if err := ui.loadMailingLists(r, a, req, view); err != nil {
		fail(err)
		return
	}
	ctx := r.Context()
	switch r.PostForm.Get("action") {
	case "preview":
		pv, err := ui.Mailing.Preview(ctx, a, req)
		if err != nil {
			fail(err)
			return
		}
		view.Preview = &pv
		for i, m := range pv.Messages {
			view.PreviewMessages = append(view.PreviewMessages, previewMessage{i + 1, pv.Recipients.Recipients[i].Municipality, m})
		}
	case "test":
		m, err := ui.Mailing.Test(ctx, a, req)
		if err != nil {
			fail(err)
			return
		}
		view.TestSentTo = m.To
	case "send":
		sent, err := ui.Mailing.Send(ctx, a, req)
		if err != nil {
			fail(err)
			return
		}
		q := req.Filter.Query()
		for _, n := range req.Municipalities {
			q.Add("nis", n)
		}
		for _, f := range req.Functions {
			q.Add("function", string(f))
		}
		q.Set("sent", strconv.FormatInt(sent.Mailing.ID, 10))
		q.Set("ok", "mailing_sent")
		if sent.Repeated {
			q.Set("ok", "mailing_repeated")
		}
		http.Redirect(w, r, "/outreach/mailing?"+q.Encode(), http.StatusSeeOther)
		return
	default:
		fail(apperr.FieldErr(apperr.Invalid, "action", "unknown action").WithKey("error.mailing.unknown_action", nil))
		return
	}
	ui.render(w, http.StatusOK, "mailing", p)
}
