package api

import (
	"context"
	"io"
	"math"
	"mime"
	"net/http"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/httpx"
	"kansrijk/internal/page"
)

type eventJSON struct {
	ID          int64            `json:"id"`
	Seq         int              `json:"seq"`
	Status      agreement.Status `json:"status"`
	EffectiveOn string           `json:"effective_on"`
	RecordedAt  string           `json:"recorded_at"`
	RecordedBy  string           `json:"recorded_by"`
	// RecordedBySource: what the program's work was, when RecordedBy is "system".
	RecordedBySource string                `json:"recorded_by_source,omitempty"`
	RecordedOrg      string                `json:"recorded_org"`
	Note             string                `json:"note,omitempty"`
	Corrects         int64                 `json:"corrects,omitempty"`
	CorrectedBy      int64                 `json:"corrected_by,omitempty"`
	Details          agreement.EventDetail `json:"details"`
}

func toEventJSON(e agreement.Event) eventJSON {
	return eventJSON{e.ID, e.Seq, e.Status, e.EffectiveOn.Format(time.DateOnly), e.RecordedAt.UTC().Format(time.RFC3339),
		e.RecordedBy, e.RecordedBySource, e.RecordedOrg, e.Note, e.Corrects, e.CorrectedBy, e.Details}
}

type agreementJSON struct {
	ID              int64                `json:"id"`
	Team            string               `json:"team"`
	TeamName        string               `json:"team_name"`
	Recipient       string               `json:"recipient"`
	RecipientName   string               `json:"recipient_name"`
	MunicipalityNIS string               `json:"municipality_nis"`
	Municipality    string               `json:"municipality"`
	Status          agreement.Status     `json:"status"`
	Since           *string              `json:"since"`
	PredecessorID   int64                `json:"predecessor_id,omitempty"`
	SuccessorID     int64                `json:"successor_id,omitempty"`
	CreatedAt       string               `json:"created_at"`
	Version         *agreement.Version   `json:"version,omitempty"`
	Proposed        *agreement.Version   `json:"proposed_version,omitempty"`
	Events          []eventJSON          `json:"events,omitempty"`
	Documents       []agreement.Document `json:"documents,omitempty"`
}

func toAgreementJSON(ag agreement.Agreement) agreementJSON {
	j := agreementJSON{ID: ag.ID, Team: ag.Team, TeamName: ag.TeamName, Recipient: ag.Recipient, RecipientName: ag.RecipientName,
		MunicipalityNIS: ag.MunicipalityNIS, Municipality: ag.Municipality, Status: ag.Status, PredecessorID: ag.Predecessor,
		SuccessorID: ag.Successor, CreatedAt: ag.CreatedAt.UTC().Format(time.RFC3339), Version: ag.Version, Proposed: ag.Proposed, Documents: ag.Documents}
	if !ag.StatusSince.IsZero() {
		s := ag.StatusSince.Format(time.DateOnly)
		j.Since = &s
	}
	for _, e := range ag.Events {
		j.Events = append(j.Events, toEventJSON(e))
	}
	return j
}

func (a *API) createAgreement(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var in agreement.NewAgreement
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	ag, err := a.Agreements.CreateAgreement(r.Context(), c, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toAgreementJSON(ag))
	return nil
}

func (a *API) listAgreements(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	req, err := page.Parse(q, agreement.Sorts...)
	if err != nil {
		return err
	}
	f := agreement.Filter{Status: q.Get("status"), Province: q.Get("province"), Team: q.Get("team"), NIS: q.Get("municipality")}
	if f.Status != "" && f.Status != string(agreement.None) {
		if _, err := agreement.ParseStatus(f.Status); err != nil {
			return err
		}
	}
	res, err := a.Agreements.AgreementPage(r.Context(), c, f, req)
	if err != nil {
		return err
	}
	writePage(w, "agreements", mapItems(res.Items, toAgreementJSON), res.NextCursor(), nil)
	return nil
}

func (a *API) getAgreement(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	ag, err := a.Agreements.Agreement(r.Context(), c, id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toAgreementJSON(ag))
	return nil
}

func (a *API) addAgreementEvent(w http.ResponseWriter, r *http.Request) error {
	var in agreement.NewEvent
	c, id, err := callerWithID(w, r, &in)
	if err != nil {
		return err
	}
	ev, err := a.Agreements.AddEvent(r.Context(), c, id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toEventJSON(ev))
	return nil
}

func (a *API) updateAgreementVersion(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	var up agreement.VersionUpdate
	if err := httpx.DecodeJSON(w, r, &up); err != nil {
		return err
	}
	v, err := a.Agreements.UpdateVersion(r.Context(), c, id, up)
	if err != nil {
		return err
	}
	// A change to an agreement the OCMW council approved is only proposed:
	// accepted, not in force until the OCMW's admin approves it.
	status := http.StatusCreated
	if v.State == agreement.VersionProposed {
		status = http.StatusAccepted
	}
	httpx.WriteJSON(w, status, v)
	return nil
}

// versionDecision is the body of approve and reject.
type versionDecision struct {
	Note string `json:"note"`
}

func (a *API) approveAgreementVersion(w http.ResponseWriter, r *http.Request) error {
	return a.decideAgreementVersion(w, r, a.Agreements.ApproveVersion)
}

func (a *API) rejectAgreementVersion(w http.ResponseWriter, r *http.Request) error {
	return a.decideAgreementVersion(w, r, a.Agreements.RejectVersion)
}

func (a *API) decideAgreementVersion(w http.ResponseWriter, r *http.Request,
	decide func(context.Context, account.Actor, int64, int, string) (agreement.Version, error)) error {
	var in versionDecision
	c, id, err := callerWithID(w, r, &in)
	if err != nil {
		return err
	}
	n, err := pathID(r, "v")
	if err != nil || n > math.MaxInt32 {
		return apperr.New(apperr.NotFound, "no such version")
	}
	v, err := decide(r.Context(), c, id, int(n), in.Note)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, v)
	return nil
}

func (a *API) getAgreementVersion(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	n, err := pathID(r, "v")
	if err != nil || n > math.MaxInt32 {
		return apperr.New(apperr.NotFound, "no such version")
	}
	v, err := a.Agreements.AgreementVersion(r.Context(), c, id, int(n))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, v)
	return nil
}

// uploadAgreementDocument takes the PDF as the raw request body
// (Content-Type: application/pdf) with ?kind= and ?filename=.
func (a *API) uploadAgreementDocument(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || ct != "application/pdf" {
		return apperr.FieldErr(apperr.Invalid, "Content-Type", "send the PDF as the body with Content-Type: application/pdf")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, agreement.MaxDocumentSize+1))
	if err != nil {
		return apperr.New(apperr.TooLarge, "the file is larger than %d MB", agreement.MaxDocumentSize>>20)
	}
	q := r.URL.Query()
	doc, err := a.Agreements.AddDocument(r.Context(), c, id, q.Get("kind"), q.Get("filename"), body)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, doc)
	return nil
}

func (a *API) downloadAgreementDocument(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	docID, err := pathID(r, "doc")
	if err != nil {
		return err
	}
	doc, content, err := a.Agreements.DocumentContent(r.Context(), c, id, docID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": doc.Filename}))
	w.Header().Set("X-Content-SHA256", doc.SHA256)
	_, err = w.Write(content)
	return err
}

func (a *API) carryOverAgreement(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	var in struct {
		EffectiveOn string `json:"effective_on"`
		Note        string `json:"note"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	var on time.Time
	if in.EffectiveOn != "" {
		if on, err = parseDay("effective_on", in.EffectiveOn); err != nil {
			return err
		}
	}
	ag, err := a.Agreements.CarryOver(r.Context(), c, id, on, in.Note)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toAgreementJSON(ag))
	return nil
}

// gate answers "may team T refer to the OCMW of municipality M on date D?".
func (a *API) gate(w http.ResponseWriter, r *http.Request) error {
	if _, err := caller(r); err != nil {
		return err
	}
	q := r.URL.Query()
	on, err := dateParam(r, "on", a.today())
	if err != nil {
		return err
	}
	if q.Get("team") == "" || q.Get("municipality") == "" {
		return apperr.New(apperr.Invalid, "team and municipality are required")
	}
	d, err := a.Agreements.Gate(r.Context(), q.Get("team"), q.Get("municipality"), on)
	if err != nil {
		return err
	}
	out := map[string]any{"allowed": d.Allowed, "on": on.Format(time.DateOnly), "team": q.Get("team"), "municipality_nis": q.Get("municipality")}
	if d.Agreement != nil {
		out["agreement_id"] = d.Agreement.ID
		out["agreement_version"] = d.Agreement.Version.Version
	}
	if !d.Allowed {
		out["reason"], out["message"] = d.Reason, d.Message
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
