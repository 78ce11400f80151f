package api

import (
	"net/http"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/httpx"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
)

// ocmwReferralJSON is exactly what an OCMW may see of a referral: the
// parents' name and contact details and administrative fields. Nothing of
// Kind en Gezin's assessment, consent records or the family's receipt.
type ocmwReferralJSON struct {
	ID                     int64                     `json:"id"`
	Status                 referral.Status           `json:"status"`
	Recipient              string                    `json:"recipient"`
	MunicipalityNIS        string                    `json:"municipality_nis"`
	AgreementID            int64                     `json:"agreement_id"`
	AgreementVersion       int                       `json:"agreement_version"`
	Version                int                       `json:"version"`
	Parents                []referral.Parent         `json:"parents"`
	SentAt                 *time.Time                `json:"sent_at"`
	ReceivedAt             *time.Time                `json:"received_at"`
	FirstContactAt         *time.Time                `json:"first_contact_at"`
	ClosedAt               *time.Time                `json:"closed_at"`
	WithdrawnAt            *time.Time                `json:"withdrawn_at"`
	DataDeletedAt          *time.Time                `json:"data_deleted_at"`
	FirstContactTargetDays int                       `json:"first_contact_target_days"`
	DaysSinceSent          int                       `json:"days_since_sent"`
	Overdue                bool                      `json:"overdue"`
	ContactAttempts        []referral.ContactAttempt `json:"contact_attempts"`
	Outcome                string                    `json:"outcome"`
	Rights                 []string                  `json:"rights"`
	SocialFileOpened       bool                      `json:"social_file_opened"`
}

// OCMWReferral converts a referral to the OCMW's view.
func OCMWReferral(r referral.Referral, now time.Time) ocmwReferralJSON {
	j := ocmwReferralJSON{ID: r.ID, Status: r.Status, Recipient: r.Recipient, MunicipalityNIS: r.MunicipalityNIS, AgreementID: r.AgreementID,
		AgreementVersion: r.AgreementVersion, Version: r.Version, Parents: r.Parents, SentAt: r.SentAt, ReceivedAt: r.ReceivedAt,
		FirstContactAt: r.FirstContactAt, ClosedAt: r.ClosedAt, WithdrawnAt: r.WithdrawnAt, DataDeletedAt: r.DataDeletedAt,
		FirstContactTargetDays: r.TargetDays, DaysSinceSent: r.DaysSinceSent(now), Overdue: r.Overdue(now),
		ContactAttempts: r.ContactAttempts, Outcome: r.Outcome, Rights: r.Rights, SocialFileOpened: r.SocialFile}
	if j.Parents == nil {
		j.Parents = []referral.Parent{}
	}
	if j.ContactAttempts == nil {
		j.ContactAttempts = []referral.ContactAttempt{}
	}
	if j.Rights == nil {
		j.Rights = []string{}
	}
	return j
}

// teamReferralJSON is the local team's view. Where the agreement does not
// provide status feedback, the OCMW's progress is not shown (status
// "sent"); the OCMW's contact attempts are never shown.
type teamReferralJSON struct {
	ID               int64              `json:"id"`
	Status           referral.Status    `json:"status"`
	Team             string             `json:"team"`
	Recipient        string             `json:"recipient"`
	MunicipalityNIS  string             `json:"municipality_nis"`
	AgreementID      int64              `json:"agreement_id,omitempty"`
	AgreementVersion int                `json:"agreement_version,omitempty"`
	Version          int                `json:"version"`
	Parents          []referral.Parent  `json:"parents,omitempty"`
	Criteria         []string           `json:"criteria,omitempty"`
	Needs            []string           `json:"needs,omitempty"`
	Consents         []referral.Consent `json:"consents,omitempty"`
	ReceiptCode      string             `json:"receipt_code"`
	Outcome          string             `json:"outcome,omitempty"`
	StatusFeedback   bool               `json:"status_feedback"`
	CreatedAt        time.Time          `json:"created_at"`
	SentAt           *time.Time         `json:"sent_at,omitempty"`
	WithdrawnAt      *time.Time         `json:"withdrawn_at,omitempty"`
	DataDeletedAt    *time.Time         `json:"data_deleted_at,omitempty"`
}

// TeamReferral converts a referral to the local team's view.
func TeamReferral(r referral.Referral) teamReferralJSON {
	j := teamReferralJSON{ID: r.ID, Status: r.Status, Team: r.Team, Recipient: r.Recipient, MunicipalityNIS: r.MunicipalityNIS,
		AgreementID: r.AgreementID, AgreementVersion: r.AgreementVersion, Version: r.Version, Parents: r.Parents, Criteria: r.Criteria,
		Needs: r.Needs, Consents: r.Consents, ReceiptCode: r.ReceiptCode, StatusFeedback: r.StatusFeedback, CreatedAt: r.CreatedAt,
		SentAt: r.SentAt, WithdrawnAt: r.WithdrawnAt, DataDeletedAt: r.DataDeletedAt}
	if r.Status == referral.Withdrawn || r.Status == referral.Cancelled || r.Status == referral.Draft || r.Status == referral.Sent {
		return j
	}
	if !r.StatusFeedback {
		j.Status = referral.Sent
		return j
	}
	if r.Status == referral.Closed {
		j.Outcome = r.Outcome // the category, not the rights
	}
	return j
}

func (a *API) referralView(c account.Actor, r referral.Referral) any {
	if c.Role == account.OCMWWorker || c.Role == account.Admin {
		// An admin reads a referral only with a break-glass grant: what
		// the OCMW sees, not Kind en Gezin's assessment.
		return OCMWReferral(r, a.Now())
	}
	return TeamReferral(r)
}

func (a *API) createReferral(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var in referral.NewReferral
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	ref, err := a.Referrals.CreateReferral(r.Context(), c, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, TeamReferral(ref))
	return nil
}

// teamListItemJSON is a row of the team's list: the team's view of the
// referral (without contact details) and the parents' names.
type teamListItemJSON struct {
	teamReferralJSON
	ParentNames []string `json:"parent_names"`
}

// listReferrals answers one page of the team's referrals: limit, cursor,
// q (the parents' names), status (as the team sees it) and sort
// (referral.TeamSorts). Filtering, search and paging are the store's, in
// SQL; the page is audited there (referral.list, one event per page).
func (a *API) listReferrals(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f, err := referral.ParseTeamFilter(q)
	if err != nil {
		return err
	}
	req, err := page.Parse(q, referral.TeamSorts...)
	if err != nil {
		return err
	}
	res, err := a.Referrals.ReferralPage(r.Context(), c, f, req)
	if err != nil {
		return err
	}
	out := make([]teamListItemJSON, len(res.Items))
	for i, it := range res.Items {
		out[i] = teamListItemJSON{TeamReferral(it.Referral), it.ParentNames}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"count": len(out), "referrals": out, "next_cursor": res.NextCursor()})
	return nil
}

func (a *API) getReferral(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	ref, err := a.Referrals.Referral(r.Context(), c, id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, a.referralView(c, ref))
	return nil
}

func (a *API) addConsent(w http.ResponseWriter, r *http.Request) error {
	var in referral.NewConsent
	c, id, err := callerWithID(w, r, &in)
	if err != nil {
		return err
	}
	ref, err := a.Referrals.AddConsent(r.Context(), c, id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, TeamReferral(ref))
	return nil
}

func (a *API) sendReferral(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	ref, err := a.Referrals.Send(r.Context(), c, id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, TeamReferral(ref))
	return nil
}

func (a *API) withdrawReferral(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	ref, err := a.Referrals.Withdraw(r.Context(), c, id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, TeamReferral(ref))
	return nil
}

type inboxItemJSON struct {
	ID                     int64           `json:"id"`
	Status                 referral.Status `json:"status"`
	SentAt                 *time.Time      `json:"sent_at"`
	ReceivedAt             *time.Time      `json:"received_at"`
	DaysSinceSent          int             `json:"days_since_sent"`
	FirstContactTargetDays int             `json:"first_contact_target_days"`
	Overdue                bool            `json:"overdue"`
	Version                int             `json:"version"`
	ParentNames            []string        `json:"parent_names"`
	ReferredBy             referredByJSON  `json:"referred_by"`
	Outcome                string          `json:"outcome"`
	ClosedAt               *time.Time      `json:"closed_at"`
	WithdrawnAt            *time.Time      `json:"withdrawn_at"`
}

// referredByJSON is the local team that referred, as the OCMW reaches it:
// its name, phone and e-mail ("" when the team gave none).
type referredByJSON struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// inbox answers one page of the referrals the caller's OCMW received:
// limit, cursor, q (the parents' names), status (or "new"), overdue=1,
// view=archive and sort (referral.InboxSorts). Audited in the store
// (referral.inbox, one event per page naming the referrals shown).
func (a *API) inbox(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f, err := referral.ParseInboxFilter(q)
	if err != nil {
		return err
	}
	req, err := page.Parse(q, referral.InboxSorts(f.Archive)...)
	if err != nil {
		return err
	}
	res, err := a.Referrals.InboxPage(r.Context(), c, f, req)
	if err != nil {
		return err
	}
	now := a.Now()
	out := make([]inboxItemJSON, len(res.Items))
	for i, it := range res.Items {
		ref := it.Referral
		out[i] = inboxItemJSON{ref.ID, ref.Status, ref.SentAt, ref.ReceivedAt, ref.DaysSinceSent(now), ref.TargetDays, ref.Overdue(now), ref.Version,
			it.ParentNames, referredByJSON{it.TeamName, it.TeamPhone, it.TeamEmail}, ref.Outcome, ref.ClosedAt, ref.WithdrawnAt}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"count": len(out), "referrals": out, "next_cursor": res.NextCursor()})
	return nil
}

func (a *API) addContactAttempt(w http.ResponseWriter, r *http.Request) error {
	var in referral.NewContactAttempt
	c, id, err := callerWithID(w, r, &in)
	if err != nil {
		return err
	}
	ref, err := a.Referrals.AddContactAttempt(r.Context(), c, id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, OCMWReferral(ref, a.Now()))
	return nil
}

func (a *API) setOutcome(w http.ResponseWriter, r *http.Request) error {
	var in referral.NewOutcome
	c, id, err := callerWithID(w, r, &in)
	if err != nil {
		return err
	}
	ref, err := a.Referrals.SetOutcome(r.Context(), c, id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, OCMWReferral(ref, a.Now()))
	return nil
}
