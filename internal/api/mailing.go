package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/httpx"
	"kansrijk/internal/mailing"
	"kansrijk/internal/outreach"
	"kansrijk/internal/page"
)

// Outreach mailings: templates, preview, test send, send, list. The
// routes are registered in Register (area mailing).

// mailingRequestJSON is the body of preview, test and send.
type mailingRequestJSON struct {
	Filter         *targetFilterJSON `json:"filter"`
	Municipalities []string          `json:"municipalities"`
	Functions      []string          `json:"functions"`
	Template       string            `json:"template"`
	Subject        string            `json:"subject"`
	Body           string            `json:"body"`
	IdempotencyKey string            `json:"idempotency_key"`
}

// request checks the body with the same rules as the web form.
func (in mailingRequestJSON) request() (mailing.Request, error) {
	q := url.Values{}
	if f := in.Filter; f != nil {
		q.Set("province", f.Province)
		q.Set("team", f.Team)
		for _, st := range f.Stages {
			q.Add("stage", string(st))
		}
		if f.MinDaysSinceContact != 0 {
			q.Set("min_days_since_contact", strconv.Itoa(f.MinDaysSinceContact))
		}
	}
	filter, err := outreach.ParseTargetFilter(q)
	if err != nil {
		return mailing.Request{}, err
	}
	r := mailing.Request{Filter: filter, Municipalities: in.Municipalities, Template: in.Template, Subject: in.Subject, Body: in.Body,
		IdempotencyKey: in.IdempotencyKey}
	for _, f := range in.Functions {
		r.Functions = append(r.Functions, outreach.Function(f))
	}
	return r, r.Normalize()
}

type mailingJSON struct {
	ID             int64  `json:"id"`
	CampaignID     int64  `json:"campaign_id"`
	On             string `json:"on"`
	Template       string `json:"template"`
	Subject        string `json:"subject"`
	Municipalities int    `json:"municipalities"`
	Recipients     int    `json:"recipients"`
	Sent           int    `json:"sent"`
	Pending        int    `json:"pending"`
	Failed         int    `json:"failed"`
	NotSent        int    `json:"not_sent"`
	CreatedAt      string `json:"created_at"`
	CreatedBy      string `json:"created_by"`
	CreatedOrg     string `json:"created_org"`
}

func toMailingJSON(m mailing.Mailing) mailingJSON {
	return mailingJSON{m.ID, m.CampaignID, m.On.Format(time.DateOnly), m.Template, m.Subject, m.Municipalities, m.Recipients,
		m.Sent, m.Pending, m.Failed, m.NotSent, m.CreatedAt.UTC().Format(time.RFC3339), m.CreatedBy, m.CreatedOrg}
}

// mailingService returns the mailing service, or not_found when the
// server has none.
func (a *API) mailingService() (*mailing.Service, error) {
	if a.Mailing == nil {
		return nil, apperr.New(apperr.NotFound, "mailings are not available on this server")
	}
	return a.Mailing, nil
}

// decodeMailing reads the caller, the service and the request body.
func (a *API) decodeMailing(w http.ResponseWriter, r *http.Request) (*mailing.Service, mailing.Request, error) {
	c, err := caller(r)
	if err != nil {
		return nil, mailing.Request{}, err
	}
	s, err := a.mailingService()
	if err != nil {
		return nil, mailing.Request{}, err
	}
	if !mailing.Allowed(c) {
		return nil, mailing.Request{}, mailing.Forbidden()
	}
	var in mailingRequestJSON
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return nil, mailing.Request{}, err
	}
	req, err := in.request()
	return s, req, err
}

func (a *API) mailingTemplates(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	if !mailing.Allowed(c) {
		return mailing.Forbidden()
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"templates": mailing.Templates, "fields": mailing.Fields})
	return nil
}

func (a *API) previewMailing(w http.ResponseWriter, r *http.Request) error {
	s, req, err := a.decodeMailing(w, r)
	if err != nil {
		return err
	}
	c, _ := caller(r)
	p, err := s.Preview(r.Context(), c, req)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"recipients": p.Recipients.Recipients, "skipped": p.Skipped,
		"municipalities": p.Municipalities, "count": len(p.Recipients.Recipients), "messages": p.Messages})
	return nil
}

func (a *API) testMailing(w http.ResponseWriter, r *http.Request) error {
	s, req, err := a.decodeMailing(w, r)
	if err != nil {
		return err
	}
	c, _ := caller(r)
	m, err := s.Test(r.Context(), c, req)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"sent_to": m.To, "message": m})
	return nil
}

func (a *API) sendMailing(w http.ResponseWriter, r *http.Request) error {
	s, req, err := a.decodeMailing(w, r)
	if err != nil {
		return err
	}
	c, _ := caller(r)
	sent, err := s.Send(r.Context(), c, req)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if sent.Repeated {
		status = http.StatusOK
	}
	httpx.WriteJSON(w, status, map[string]any{"mailing": toMailingJSON(sent.Mailing), "skipped": sent.Skipped, "repeated": sent.Repeated})
	return nil
}

func (a *API) listMailings(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	s, err := a.mailingService()
	if err != nil {
		return err
	}
	req, err := page.Parse(r.URL.Query(), "-created")
	if err != nil {
		return err
	}
	list, err := s.Mailings(r.Context(), c)
	if err != nil {
		return err
	}
	res := page.Slice(req, list, func(m mailing.Mailing) (string, int64) { return "", m.ID })
	writePage(w, "mailings", mapItems(res.Items, toMailingJSON), res.NextCursor(), nil)
	return nil
}
