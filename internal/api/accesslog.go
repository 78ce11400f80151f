package api

import (
	"errors"
	"net/http"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/httpx"
	"kansrijk/internal/referral"
)

// The family's view as JSON: POST /api/v1/public/access-log, no account;
// the receipt code and a parent's postcode are the key. Any wrong code or
// postcode, or a code without events, answers the same 404 not_found;
// too many attempts per client address or per code answer 429
// too_many_attempts with Retry-After.

// accessEventJSON is one access as the family sees it: the organisation
// and the function, never a worker.
type accessEventJSON struct {
	At           string `json:"at"` // RFC 3339, UTC
	Organisation string `json:"organisation"`
	Function     string `json:"function"`
	Action       string `json:"action"`
	Purpose      string `json:"purpose"`
	AgreementID  *int64 `json:"agreement_id"`
	LeafIndex    *int64 `json:"leaf_index"`
	Outcome      string `json:"outcome"`
}

type accessLogJSON struct {
	Events     []accessEventJSON `json:"events"`
	Checkpoint *audit.Checkpoint `json:"checkpoint"`
	// DeletionDue is the day the contact data are deleted at the latest,
	// null while it is not known (the OCMW is still working on it).
	DeletionDue *string         `json:"deletion_due"`
	DeletedOn   *string         `json:"deleted_on"`
	Status      referral.Status `json:"status"`
	Recipient   string          `json:"recipient"`
}

// dateJSON formats a date (or the Brussels day of a moment) as YYYY-MM-DD.
func dateJSON(t *time.Time, loc *time.Location) *string {
	if t == nil {
		return nil
	}
	s := t.In(loc).Format(time.DateOnly)
	return &s
}

func (a *API) familyAccessLog(w http.ResponseWriter, r *http.Request) error {
	s, ok := a.Referrals.(referral.AccessLogStore)
	if !ok {
		return errors.New("api: the referral store has no access log")
	}
	var in struct {
		ReceiptCode string `json:"receipt_code"`
		Postcode    string `json:"postcode"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	l, err := s.AccessLog(r.Context(), referral.AccessLogQuery{Code: in.ReceiptCode, Postcode: in.Postcode,
		ClientAddr: httpx.ClientAddr(r), RequestID: httpx.RequestID(r), Detail: "api"})
	if err != nil {
		return err
	}
	out := accessLogJSON{Events: []accessEventJSON{}, DeletionDue: dateJSON(l.DeletionDue, time.UTC), DeletedOn: dateJSON(l.Status.DataDeletedAt, Brussels),
		Status: l.Status.Status, Recipient: l.Status.Recipient}
	for _, e := range l.Events {
		j := accessEventJSON{At: e.At.UTC().Format(time.RFC3339), Organisation: e.Organisation, Function: e.Function,
			Action: e.Action, Purpose: e.Purpose, LeafIndex: e.LeafIndex, Outcome: e.Outcome}
		if e.AgreementID != 0 {
			id := e.AgreementID
			j.AgreementID = &id
		}
		out.Events = append(out.Events, j)
	}
	if a.AuditProofs != nil {
		c, err := a.AuditProofs.LatestCheckpoint(r.Context())
		switch {
		case err == nil:
			out.Checkpoint = &c
		case apperr.Code(err) != apperr.NotFound:
			return err
		}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
