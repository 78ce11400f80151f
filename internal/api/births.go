package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/birth"
	"kansrijk/internal/httpx"
	"kansrijk/internal/page"
)

// Birth notifications (area "births"): a maternity clinic notifies a birth
// one by one or in a CSV batch; the local team (or Opgroeien, for its
// queue) works on it; the clinic sees only whether it was picked up.

// createBirthNotification: a clinic's notification → 201 with what the
// clinic may see (id, team, queue, status).
func (a *API) createBirthNotification(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var in birth.NewNotification
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	s, err := a.Births.CreateBirthNotification(r.Context(), c, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, s)
	return nil
}

// boolParam parses an optional true/false query parameter.
func boolParam(r *http.Request, name string) (*bool, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, apperr.FieldErr(apperr.Invalid, name, "%s must be true or false", name)
	}
	return &b, nil
}

// birthFilter reads the list's filters (the page's parameters are
// page.Parse's).
func birthFilter(r *http.Request, clinic bool) (birth.Filter, error) {
	q := r.URL.Query()
	f := birth.Filter{MunicipalityNIS: q.Get("municipality_nis"), Language: q.Get("language"), Team: q.Get("team"), Queue: q.Get("queue")}
	if clinic {
		f.ClinicStatus = birth.ClinicStatus(q.Get("status"))
	} else {
		f.Status = birth.Status(q.Get("status"))
	}
	var err error
	if f.EarlyContact, err = boolParam(r, "early_contact_requested"); err != nil {
		return f, err
	}
	deleted, err := boolParam(r, "include_deleted")
	if err != nil {
		return f, err
	}
	f.IncludeDeleted = deleted != nil && *deleted
	for name, into := range map[string]**time.Time{"born_from": &f.BornFrom, "born_to": &f.BornTo} {
		if q.Has(name) {
			d, err := dateParam(r, name, time.Time{})
			if err != nil {
				return f, err
			}
			*into = &d
		}
	}
	return f, nil
}

// listBirthNotifications: one page of the caller's scope (limit, cursor,
// sort, q, filters; next_cursor null on the last page). A clinic gets its
// own submissions (status and its reference); a local team its families
// with the mother's name; an admin all, without personal data.
func (a *API) listBirthNotifications(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	clinic := c.Role == account.Clinic
	f, err := birthFilter(r, clinic)
	if err != nil {
		return err
	}
	sorts := birth.QueueSorts
	if clinic {
		sorts = birth.ClinicSorts
	}
	req, err := page.Parse(r.URL.Query(), sorts...)
	if err != nil {
		return err
	}
	if clinic {
		res, err := a.Births.ClinicSubmissionPage(r.Context(), c, f, req)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"count": len(res.Items), "view": "clinic", "birth_notifications": res.Items,
			"next_cursor": res.NextCursor()})
		return nil
	}
	res, err := a.Births.BirthQueue(r.Context(), c, f, req)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"count": len(res.Items), "view": "team", "birth_notifications": res.Items,
		"next_cursor": res.NextCursor()})
	return nil
}

// getBirthNotification: a clinic gets its own submission's status; the
// local team or an admin the whole notification (audited).
func (a *API) getBirthNotification(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	if c.Role == account.Clinic {
		s, err := a.Births.ClinicSubmission(r.Context(), c, id)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, http.StatusOK, s)
		return nil
	}
	n, err := a.Births.BirthNotification(r.Context(), c, id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, n)
	return nil
}

func (a *API) recordBirthContact(w http.ResponseWriter, r *http.Request) error {
	var in birth.NewContact
	c, id, err := callerWithID(w, r, &in)
	if err != nil {
		return err
	}
	n, err := a.Births.RecordBirthContact(r.Context(), c, id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, n)
	return nil
}

func (a *API) mergeBirthNotification(w http.ResponseWriter, r *http.Request) error {
	var in birth.Merge
	c, id, err := callerWithID(w, r, &in)
	if err != nil {
		return err
	}
	n, err := a.Births.MergeBirthNotification(r.Context(), c, id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, n)
	return nil
}

func (a *API) startReferralFromBirth(w http.ResponseWriter, r *http.Request) error {
	var in birth.StartReferral
	c, id, err := callerWithID(w, r, &in)
	if err != nil {
		return err
	}
	ref, err := a.Births.StartReferralFromBirth(r.Context(), c, id, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, TeamReferral(ref))
	return nil
}

// importBirthBatch: a CSV file of the caller's clinic (the body, Content-Type
// text/csv, text/plain or text/tab-separated-values) → the row report: 201
// when rows were created, 200 otherwise (nothing new, or rejected: accepted
// false). A file-level error's message is Dutch when Accept-Language
// prefers nl over en (batchLang), English otherwise; row problems and
// warnings are Dutch.
func (a *API) importBirthBatch(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || (mt != "text/csv" && mt != "text/plain" && mt != "text/tab-separated-values") {
		return apperr.FieldErr(apperr.Invalid, "Content-Type", "send the CSV file as the body with Content-Type: text/csv")
	}
	partial, err := boolParam(r, "accept_partial")
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, birth.MaxBatchBytes+1))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return localized(r, birth.TooLargeError().AppErr())
		}
		return err
	}
	rep, err := a.Births.ImportBirthBatch(r.Context(), c, body, partial != nil && *partial)
	if err != nil {
		return localized(r, err)
	}
	status := http.StatusOK
	if rep.Created > 0 {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, status, rep)
	return nil
}

// birthReport: Opgroeien's figures for the months from..to, widened to
// whole calendar quarters that have ended and settled (default the last
// four), protected per quarter. Admins and analysts.
func (a *API) birthReport(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	from, to, err := quarterWindow(r, a.today(), birth.StatisticsSettleDays, 60)
	if err != nil {
		return err
	}
	st, err := a.Births.BirthStatistics(r.Context(), c, from, to)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, st)
	return nil
}
