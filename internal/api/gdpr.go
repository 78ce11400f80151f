package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/gdpr"
	"kansrijk/internal/httpx"
	"kansrijk/internal/i18n"
	"kansrijk/internal/page"
	"kansrijk/internal/paperwork"
)

// Area gdpr: requests of families under GDPR art. 15–21, for the DPO, and
// the record of processing activities (art. 30), for the DPO and admins.
// Who may do what and what a rectification or an objection does: package
// gdpr.

func (a *API) gdprStore() (gdpr.Store, error) {
	if a.GDPR == nil {
		return nil, apperr.New(apperr.NotFound, "requests of families are not available")
	}
	return a.GDPR, nil
}

// gdprCall is the caller and the store of a gdpr handler.
func (a *API) gdprCall(r *http.Request) (account.Actor, gdpr.Store, error) {
	c, err := caller(r)
	if err != nil {
		return c, nil, err
	}
	s, err := a.gdprStore()
	return c, s, err
}

func (a *API) listSubjectRequests(w http.ResponseWriter, r *http.Request) error {
	c, s, err := a.gdprCall(r)
	if err != nil {
		return err
	}
	open, err := boolParam(r, "open")
	if err != nil {
		return err
	}
	req, err := page.Parse(r.URL.Query(), gdpr.Sorts...)
	if err != nil {
		return err
	}
	res, err := s.SubjectRequestPage(r.Context(), c, gdpr.Filter{Open: open != nil && *open}, req)
	if err != nil {
		return err
	}
	writePage(w, "requests", res.Items, res.NextCursor(), nil)
	return nil
}

func (a *API) createSubjectRequest(w http.ResponseWriter, r *http.Request) error {
	c, s, err := a.gdprCall(r)
	if err != nil {
		return err
	}
	var in gdpr.NewRequest
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	req, err := s.CreateSubjectRequest(r.Context(), c, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, req)
	return nil
}

func (a *API) getSubjectRequest(w http.ResponseWriter, r *http.Request) error {
	c, s, err := a.gdprCall(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	req, err := s.SubjectRequest(r.Context(), c, id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, req)
	return nil
}

// SubjectExportName is the file name of an export.
func SubjectExportName(id int64, ext string) string {
	return fmt.Sprintf("verzoek-%d-export.%s", id, ext)
}

func (a *API) exportSubjectRequestJSON(w http.ResponseWriter, r *http.Request) error {
	c, s, err := a.gdprCall(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.SubjectRequestDossier(r.Context(), c, id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", "attachment; filename="+strconv.Quote(SubjectExportName(id, "json")))
	httpx.WriteJSON(w, http.StatusOK, d)
	return nil
}

// SubjectExportPDF renders a dossier in lang.
func SubjectExportPDF(d gdpr.Dossier, lang i18n.Lang) ([]byte, error) {
	return paperwork.SubjectExportPDF(d, langTag(lang), func(k string) string { return i18n.T(lang, k, nil) })
}

func langTag(l i18n.Lang) string {
	if l == i18n.EN {
		return "en"
	}
	return "nl-BE"
}

func (a *API) exportSubjectRequestPDF(w http.ResponseWriter, r *http.Request) error {
	c, s, err := a.gdprCall(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.SubjectRequestDossier(r.Context(), c, id)
	if err != nil {
		return err
	}
	pdf, err := SubjectExportPDF(d, i18n.Parse(r.URL.Query().Get("lang")))
	if err != nil {
		return err
	}
	writePDF(w, SubjectExportName(id, "pdf"), pdf)
	return nil
}

func writePDF(w http.ResponseWriter, name string, pdf []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", "inline; filename="+strconv.Quote(name))
	_, _ = w.Write(pdf)
}

// requestStep is one recorded step on a request (a rectification, an
// objection, the answer): decode the body, call the store, answer with
// the request as it now stands.
func requestStep[In any](status int, step func(s gdpr.Store, ctx context.Context, c account.Actor, id int64, in In) (gdpr.Request, error)) func(a *API, w http.ResponseWriter, r *http.Request) error {
	return func(a *API, w http.ResponseWriter, r *http.Request) error {
		c, s, err := a.gdprCall(r)
		if err != nil {
			return err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var in In
		if err := httpx.DecodeJSON(w, r, &in); err != nil {
			return err
		}
		req, err := step(s, r.Context(), c, id, in)
		if err != nil {
			return err
		}
		httpx.WriteJSON(w, status, req)
		return nil
	}
}

var (
	stepRectification = requestStep(http.StatusCreated, gdpr.Store.AddRectification)
	stepObjection     = requestStep(http.StatusCreated, gdpr.Store.AddObjection)
	stepAnswer        = requestStep(http.StatusOK, gdpr.Store.AnswerSubjectRequest)
)

func (a *API) addRectification(w http.ResponseWriter, r *http.Request) error {
	return stepRectification(a, w, r)
}
func (a *API) addObjection(w http.ResponseWriter, r *http.Request) error {
	return stepObjection(a, w, r)
}
func (a *API) answerSubjectRequest(w http.ResponseWriter, r *http.Request) error {
	return stepAnswer(a, w, r)
}

// ProcessingRecord builds the record of processing activities on the day
// (Brussels) of now, for a DPO or an admin.
func ProcessingRecord(r *http.Request, s gdpr.Store, cfg gdpr.Config, now time.Time) (gdpr.Record, error) {
	c, ok := httpx.Actor(r)
	if !ok {
		return gdpr.Record{}, apperr.New(apperr.Unauthorized, "authentication required")
	}
	on := Today(now)
	recipients, err := s.ProcessingRecordData(r.Context(), c, on)
	if err != nil {
		return gdpr.Record{}, err
	}
	return gdpr.BuildRecord(cfg, on, recipients), nil
}

// ProcessingRecordPDF renders the record in lang.
func ProcessingRecordPDF(rec gdpr.Record, generated time.Time, lang i18n.Lang) ([]byte, error) {
	return paperwork.ProcessingRecordPDF(rec, generated, langTag(lang), func(k string) string { return i18n.T(lang, k, nil) })
}

func (a *API) gdprConfig() gdpr.Config {
	if a.GDPRConfig != nil {
		return *a.GDPRConfig
	}
	return gdpr.DefaultConfig()
}

func (a *API) processingRecord(w http.ResponseWriter, r *http.Request) error {
	if _, err := caller(r); err != nil {
		return err
	}
	s, err := a.gdprStore()
	if err != nil {
		return err
	}
	rec, err := ProcessingRecord(r, s, a.gdprConfig(), a.Now())
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "pdf" {
		pdf, err := ProcessingRecordPDF(rec, a.Now(), i18n.Parse(r.URL.Query().Get("lang")))
		if err != nil {
			return err
		}
		writePDF(w, "verwerkingsregister-"+rec.On+".pdf", pdf)
		return nil
	}
	httpx.WriteJSON(w, http.StatusOK, rec)
	return nil
}
