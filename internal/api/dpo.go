package api

import (
	"net/http"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/breakglass"
	"kansrijk/internal/export"
	"kansrijk/internal/httpx"
	"kansrijk/internal/page"
)

// The data protection officer's console and break-glass access (issue 11,
// i18n area dpo). Routes: registerDPO.

// registerDPO adds the console's and break-glass routes.
func (a *API) registerDPO(mux httpx.Mux) {
	a.handle(mux, "GET", "/api/v1/audit/events", a.auditEvents)
	a.handle(mux, "GET", "/api/v1/audit/flags", a.auditFlags)
	a.handle(mux, "POST", "/api/v1/referrals/{id}/break-glass", a.requestBreakGlass)
	a.handle(mux, "GET", "/api/v1/break-glass", a.listBreakGlass)
	a.handle(mux, "POST", "/api/v1/break-glass/{id}/approve", a.approveBreakGlass)
	a.handle(mux, "POST", "/api/v1/break-glass/{id}/deny", a.denyBreakGlass)
}

// AuditEventJSON is an audit event as the console shows it: everything
// but the family's receipt code (see store.SearchAuditEvents).
type AuditEventJSON struct {
	ID           int64     `json:"id"`
	At           time.Time `json:"at"`
	ActorUserID  int64     `json:"actor_user_id,omitempty"`
	ActorEmail   string    `json:"actor_email,omitempty"`
	ActorRole    string    `json:"actor_role,omitempty"`
	ActorOrg     string    `json:"actor_org,omitempty"`
	ActorService bool      `json:"actor_service"`
	Channel      string    `json:"channel"`
	TokenID      int64     `json:"token_id,omitempty"`
	Action       string    `json:"action"`
	ObjectType   string    `json:"object_type,omitempty"`
	ObjectID     string    `json:"object_id,omitempty"`
	Purpose      string    `json:"purpose,omitempty"`
	AgreementID  int64     `json:"agreement_id,omitempty"`
	Outcome      string    `json:"outcome"`
	RequestID    string    `json:"request_id,omitempty"`
	ClientAddr   string    `json:"client_addr,omitempty"`
	Detail       string    `json:"detail,omitempty"`
	LeafIndex    *int64    `json:"leaf_index"`
}

func auditEventJSON(e audit.Event) AuditEventJSON {
	return AuditEventJSON{ID: e.ID, At: e.At, ActorUserID: e.ActorUserID, ActorEmail: e.ActorEmail, ActorRole: e.ActorRole,
		ActorOrg: e.ActorOrg, ActorService: e.ActorService, Channel: e.Channel, TokenID: e.TokenID, Action: e.Action,
		ObjectType: e.ObjectType, ObjectID: e.ObjectID, Purpose: e.Purpose, AgreementID: e.AgreementID, Outcome: e.Outcome,
		RequestID: e.RequestID, ClientAddr: e.ClientAddr, Detail: e.Detail, LeafIndex: e.LeafIndex}
}

// AuditTable is the export of audit events (CSV and XLSX, API and page):
// times in Brussels.
func AuditTable(evs []audit.Event) export.Table {
	t := export.Table{Sheet: "Toegangslog", Header: []string{"id", "at", "actor_user_id", "actor_email", "actor_role", "actor_org",
		"actor_service", "channel", "token_id", "action", "object_type", "object_id", "purpose", "agreement_id", "outcome",
		"request_id", "client_addr", "detail", "leaf_index"}}
	opt := func(v int64) any {
		if v == 0 {
			return nil
		}
		return v
	}
	for _, e := range evs {
		var leaf any
		if e.LeafIndex != nil {
			leaf = *e.LeafIndex
		}
		t.Rows = append(t.Rows, []any{e.ID, e.At.In(Brussels).Format("2006-01-02 15:04:05"), opt(e.ActorUserID), e.ActorEmail, e.ActorRole,
			e.ActorOrg, e.ActorService, e.Channel, opt(e.TokenID), e.Action, e.ObjectType, e.ObjectID, e.Purpose, opt(e.AgreementID),
			e.Outcome, e.RequestID, e.ClientAddr, e.Detail, leaf})
	}
	return t
}

// auditEvents: GET /api/v1/audit/events — the DPO's search, one keyset
// page, or with format=csv|xlsx the whole filtered set. Only a DPO.
func (a *API) auditEvents(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	q, err := audit.ParseQuery(r.URL.Query())
	if err != nil {
		return err
	}
	switch f := r.URL.Query().Get("format"); f {
	case "csv", "xlsx":
		evs, err := a.Audit.ExportAuditEvents(r.Context(), c, q, f)
		if err != nil {
			return err
		}
		_, err = a.writeTable(w, r, "toegangslog", AuditTable(evs))
		return err
	case "", "json":
	default:
		_, err := a.writeTable(w, r, "", export.Table{})
		return err
	}
	p, err := a.Audit.SearchAuditEvents(r.Context(), c, q)
	if err != nil {
		return err
	}
	out := make([]AuditEventJSON, len(p.Events))
	for i, e := range p.Events {
		out[i] = auditEventJSON(e)
	}
	var next *string
	if p.Next != "" {
		next = &p.Next
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"events": out, "next_cursor": next})
	return nil
}

// FlagRange reads the range of the flags: from and to (default the last
// seven days up to now), at most 92 days.
func FlagRange(v map[string][]string, now time.Time) (time.Time, time.Time, error) {
	get := func(k string) string {
		if x := v[k]; len(x) > 0 {
			return x[0]
		}
		return ""
	}
	from, err := audit.ParseTime("from", get("from"), false)
	if err != nil {
		return from, from, err
	}
	to, err := audit.ParseTime("to", get("to"), true)
	if err != nil {
		return from, to, err
	}
	if to.IsZero() {
		to = now.UTC()
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -7)
	}
	if !from.Before(to) {
		return from, to, apperr.FieldErr(apperr.Invalid, "to", "to must be after from")
	}
	if to.Sub(from) > 92*24*time.Hour {
		return from, to, apperr.FieldErr(apperr.Invalid, "from", "the range may span at most 92 days")
	}
	return from, to, nil
}

// auditFlags: GET /api/v1/audit/flags — unusual patterns in a range.
func (a *API) auditFlags(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	from, to, err := FlagRange(r.URL.Query(), a.Now())
	if err != nil {
		return err
	}
	flags, err := a.Audit.AuditFlags(r.Context(), c, from, to, a.flagConfig())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "flags": flags})
	return nil
}

func (a *API) flagConfig() audit.FlagConfig {
	if a.Flags != nil {
		return *a.Flags
	}
	return audit.DefaultFlagConfig()
}

type breakGlassIn struct {
	Reason string `json:"reason"`
}

type decisionIn struct {
	Note string `json:"note"`
}

// requestBreakGlass: POST /api/v1/referrals/{id}/break-glass — an admin
// asks for access to one referral, with a reason.
func (a *API) requestBreakGlass(w http.ResponseWriter, r *http.Request) error {
	var in breakGlassIn
	c, id, err := callerWithID(w, r, &in)
	if err != nil {
		return err
	}
	req, err := a.BreakGlass.RequestBreakGlass(r.Context(), c, id, in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, req)
	return nil
}

// listBreakGlass: GET /api/v1/break-glass — the requests, open first.
func (a *API) listBreakGlass(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	req, err := page.Parse(r.URL.Query(), breakglass.Sorts...)
	if err != nil {
		return err
	}
	res, err := a.BreakGlass.BreakGlassPage(r.Context(), c, req)
	if err != nil {
		return err
	}
	writePage(w, "requests", res.Items, res.NextCursor(), nil)
	return nil
}

func (a *API) approveBreakGlass(w http.ResponseWriter, r *http.Request) error {
	return a.decideBreakGlass(w, r, true)
}

func (a *API) denyBreakGlass(w http.ResponseWriter, r *http.Request) error {
	return a.decideBreakGlass(w, r, false)
}

// decideBreakGlass: a second admin approves or denies a request.
func (a *API) decideBreakGlass(w http.ResponseWriter, r *http.Request, approve bool) error {
	var in decisionIn
	c, id, err := callerWithID(w, r, &in)
	if err != nil {
		return err
	}
	req, err := a.BreakGlass.DecideBreakGlass(r.Context(), c, id, approve, in.Note, a.breakGlassTTL())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, req)
	return nil
}

func (a *API) breakGlassTTL() time.Duration {
	if a.BreakGlassTTL > 0 {
		return a.BreakGlassTTL
	}
	return breakglass.DefaultTTL
}
