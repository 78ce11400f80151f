package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/gdpr"
	"kansrijk/internal/httpx"
	"kansrijk/internal/i18n"
	"kansrijk/internal/page"
	"kansrijk/internal/paperwork"
)

// Area gdpr: the DPO's pages for requests of families (/verzoeken) and
// the record of processing activities (/verwerkingsregister, DPO and
// admin). Who may do what: package gdpr; the store refuses everyone else.

func init() {
	// gdprRows passes a list of requests and the language to the rows
	// template of the requests page.
	funcs["gdprRows"] = func(lang i18n.Lang, rows []gdpr.Request) map[string]any {
		return map[string]any{"Lang": lang, "Rows": rows}
	}
}

func (ui *UI) registerGDPR(mux httpx.Mux) {
	mux.HandleFunc("GET /verzoeken", ui.signedIn(ui.showSubjectRequests))
	mux.HandleFunc("POST /verzoeken", ui.signedIn(ui.createSubjectRequest))
	mux.HandleFunc("GET /verzoeken/{id}", ui.signedIn(ui.showSubjectRequest))
	mux.HandleFunc("GET /verzoeken/{id}/export.json", ui.signedIn(ui.subjectExportJSON))
	mux.HandleFunc("GET /verzoeken/{id}/export.pdf", ui.signedIn(ui.subjectExportPDF))
	mux.HandleFunc("POST /verzoeken/{id}/rectificaties", ui.signedIn(ui.addRectification))
	mux.HandleFunc("POST /verzoeken/{id}/bezwaren", ui.signedIn(ui.addObjection))
	mux.HandleFunc("POST /verzoeken/{id}/beantwoord", ui.signedIn(ui.answerSubjectRequest))
	mux.HandleFunc("GET /verwerkingsregister", ui.signedIn(ui.showProcessingRecord))
	mux.HandleFunc("GET /verwerkingsregister.pdf", ui.signedIn(ui.processingRecordPDF))
}

// gdprNav adds the DPO's (and the admin's) entries to the navigation.
func gdprNav(a *account.Actor, items []NavItem) []NavItem {
	if a.Role == account.DPO {
		items = append(items, NavItem{"/verzoeken", "gdpr.nav.requests", false})
	}
	if a.Role == account.DPO || a.Role == account.Admin {
		items = append(items, NavItem{"/verwerkingsregister", "gdpr.nav.record", false})
	}
	return items
}

// gdprStore is the store of the area, or a not_found page when the UI
// was built without it.
func (ui *UI) gdprStore(w http.ResponseWriter, r *http.Request) (gdpr.Store, bool) {
	if ui.GDPR == nil {
		ui.notFound(w, r)
		return nil, false
	}
	return ui.GDPR, true
}

// requestsPage is what the subject_requests template receives.
type requestsPage struct {
	Open, Answered []gdpr.Request
	Central        bool
	Kinds          []gdpr.Kind
	Nav            ListNav // a page of 50 at a time (issue 12)
}

func (ui *UI) showSubjectRequests(w http.ResponseWriter, r *http.Request, a account.Actor) {
	ui.renderSubjectRequests(w, r, a, http.StatusOK, ui.page(r, "gdpr.page.requests", nil))
}

func (ui *UI) renderSubjectRequests(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page) {
	s, ok := ui.gdprStore(w, r)
	if !ok {
		return
	}
	// A page of 50 at a time, the open requests first by due date (one
	// audit event per page, naming the requests shown).
	req, st := listRequest(r, p, gdpr.Sorts...)
	if status == http.StatusOK {
		status = st
	}
	res, stale, err := fetchList(req, func(req page.Request) (page.Result[gdpr.Request], error) {
		return s.SubjectRequestPage(r.Context(), a, gdpr.Filter{}, req)
	})
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if stale {
		req.After = nil
		p.cursorReset(true)
	}
	d := requestsPage{Central: a.OrgKind == account.KindOpgroeien, Kinds: gdpr.Kinds, Nav: listNav(r, req, len(res.Items), res.Next, res.Prev)}
	for _, q := range res.Items {
		if q.Open {
			d.Open = append(d.Open, q)
		} else {
			d.Answered = append(d.Answered, q)
		}
	}
	p.Data = d
	ui.render(w, status, "subject_requests", p)
}

func (ui *UI) createSubjectRequest(w http.ResponseWriter, r *http.Request, a account.Actor) {
	s, ok := ui.gdprStore(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	iso, problems := formDates(f, "received_on")
	in := gdpr.NewRequest{Kind: gdpr.Kind(f.Get("type")), ReceivedOn: iso.Get("received_on"), Note: f.Get("note"),
		Lookup: gdpr.Lookup{ReceiptCode: f.Get("receipt_code"), Postcode: f.Get("postcode"), Street: f.Get("street"), Number: f.Get("number"), Name: f.Get("name")}}
	err := apperr.Join(problems)
	var req gdpr.Request
	if err == nil {
		req, err = s.CreateSubjectRequest(r.Context(), a, in)
	}
	if err != nil {
		if _, ok := apperr.As(err); !ok || apperr.Code(err) == apperr.Forbidden {
			ui.fail(w, r, err)
			return
		}
		p := ui.page(r, "gdpr.page.requests", nil).formProblems(r, err, formSpec{
			"type": {Label: "gdpr.field.type"}, "received_on": {Label: "gdpr.field.received_on"}, "receipt_code": {Label: "gdpr.field.receipt_code"},
			"lookup": {Input: "receipt_code", Label: "gdpr.field.receipt_code"}, "name": {Label: "gdpr.field.name"}, "postcode": {Label: "gdpr.field.postcode"},
			"note": {Label: "gdpr.field.note"}})
		p.Form = f
		ui.renderSubjectRequests(w, r, a, statusOf(err), p)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/verzoeken/%d?ok=gdpr_created", req.ID), http.StatusSeeOther)
}

// requestPage is what the subject_request template receives.
type requestPage struct {
	Request gdpr.Request
	Fields  []string
	// Objects are the referrals and birth notifications a rectification
	// may name: "referral:12".
	Objects []string
}

func pathInt(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "no such request").WithKey("error.not_found", nil)
	}
	return id, nil
}

func (ui *UI) showSubjectRequest(w http.ResponseWriter, r *http.Request, a account.Actor) {
	ui.renderSubjectRequest(w, r, a, http.StatusOK, ui.page(r, "gdpr.page.request", nil))
}

func (ui *UI) renderSubjectRequest(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page) {
	s, ok := ui.gdprStore(w, r)
	if !ok {
		return
	}
	id, err := pathInt(r)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	req, err := s.SubjectRequest(r.Context(), a, id)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	d := requestPage{Request: req, Fields: gdpr.Fields}
	for _, id := range req.Found.Referrals {
		d.Objects = append(d.Objects, "referral:"+strconv.FormatInt(id, 10))
	}
	for _, id := range req.Found.BirthNotifications {
		d.Objects = append(d.Objects, "birth_notification:"+strconv.FormatInt(id, 10))
	}
	p.Data = d
	ui.render(w, status, "subject_request", p)
}

func (ui *UI) subjectExportJSON(w http.ResponseWriter, r *http.Request, a account.Actor) {
	d, ok := ui.dossier(w, r, a)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", "attachment; filename="+strconv.Quote(fmt.Sprintf("verzoek-%d-export.json", d.Request.ID)))
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(d)
}

func (ui *UI) subjectExportPDF(w http.ResponseWriter, r *http.Request, a account.Actor) {
	d, ok := ui.dossier(w, r, a)
	if !ok {
		return
	}
	lang := i18n.FromRequest(r)
	pdf, err := paperwork.SubjectExportPDF(d, pdfLang(lang), func(k string) string { return i18n.T(lang, k, nil) })
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	servePDF(w, fmt.Sprintf("verzoek-%d-export.pdf", d.Request.ID), pdf)
}

func pdfLang(l i18n.Lang) string {
	if l == i18n.EN {
		return "en"
	}
	return "nl-BE"
}

func servePDF(w http.ResponseWriter, name string, pdf []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", "inline; filename="+strconv.Quote(name))
	_, _ = w.Write(pdf)
}

func (ui *UI) dossier(w http.ResponseWriter, r *http.Request, a account.Actor) (gdpr.Dossier, bool) {
	s, ok := ui.gdprStore(w, r)
	if !ok {
		return gdpr.Dossier{}, false
	}
	id, err := pathInt(r)
	if err != nil {
		ui.fail(w, r, err)
		return gdpr.Dossier{}, false
	}
	d, err := s.SubjectRequestDossier(r.Context(), a, id)
	if err != nil {
		ui.fail(w, r, err)
		return d, false
	}
	return d, true
}

// afterAction renders the request with the error of a refused form, or
// redirects (Post/Redirect/Get) with a flash.
// gdprSpecs are the inputs of the forms on a request's page, by form.
var gdprSpecs = map[string]formSpec{
	"rectify": {
		"object_type": {Input: "rectify/object", Label: "gdpr.field.object", ID: "object"}, "object_id": {Input: "rectify/object", Label: "gdpr.field.object", ID: "object"},
		"object": {Input: "rectify/object", Label: "gdpr.field.object", ID: "object"}, "parent": {Input: "rectify/parent", Label: "gdpr.field.parent", ID: "parent"},
		"field": {Input: "rectify/field", Label: "gdpr.field.field", ID: "field"}, "value": {Input: "rectify/value", Label: "gdpr.field.value", ID: "value"},
		"note": {Input: "rectify/note", Label: "gdpr.field.note", ID: "rectify-note"},
	},
	"objection": {"note": {Input: "objection/note", Label: "gdpr.field.note", ID: "objection-note"}},
	"answer":    {"answered_on": {Input: "answer/answered_on", Label: "gdpr.field.answered_on", ID: "answered_on"}},
}

func (ui *UI) afterAction(w http.ResponseWriter, r *http.Request, a account.Actor, id int64, flash string, err error) {
	if err != nil {
		if _, ok := apperr.As(err); !ok || apperr.Code(err) == apperr.Forbidden || apperr.Code(err) == apperr.NotFound {
			ui.fail(w, r, err)
			return
		}
		form := map[string]string{"gdpr_rectified": "rectify", "gdpr_objected": "objection", "gdpr_answered": "answer"}[flash]
		p := ui.page(r, "gdpr.page.request", nil).formProblems(r, err, gdprSpecs[form])
		p.Form = r.PostForm
		ui.renderSubjectRequest(w, r, a, statusOf(err), p)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/verzoeken/%d?ok=%s", id, flash), http.StatusSeeOther)
}

func (ui *UI) addRectification(w http.ResponseWriter, r *http.Request, a account.Actor) {
	s, ok := ui.gdprStore(w, r)
	if !ok {
		return
	}
	id, err := pathInt(r)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	f := r.PostForm
	in := gdpr.NewRectification{Field: f.Get("field"), Value: f.Get("value"), Note: f.Get("note")}
	if typ, obj, ok := strings.Cut(f.Get("object"), ":"); ok {
		in.ObjectType = typ
		in.ObjectID, _ = strconv.ParseInt(obj, 10, 64)
	}
	if p := f.Get("parent"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			n = -1
		}
		in.Parent = n - 1 // the form counts parents from 1
	}
	_, err = s.AddRectification(r.Context(), a, id, in)
	ui.afterAction(w, r, a, id, "gdpr_rectified", err)
}

func (ui *UI) addObjection(w http.ResponseWriter, r *http.Request, a account.Actor) {
	s, ok := ui.gdprStore(w, r)
	if !ok {
		return
	}
	id, err := pathInt(r)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	_, err = s.AddObjection(r.Context(), a, id, gdpr.NewObjection{Note: r.PostForm.Get("note")})
	ui.afterAction(w, r, a, id, "gdpr_objected", err)
}

func (ui *UI) answerSubjectRequest(w http.ResponseWriter, r *http.Request, a account.Actor) {
	s, ok := ui.gdprStore(w, r)
	if !ok {
		return
	}
	id, err := pathInt(r)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	iso, problems := formDates(r.PostForm, "answered_on")
	if err = apperr.Join(problems); err == nil {
		_, err = s.AnswerSubjectRequest(r.Context(), a, id, gdpr.Answer{AnsweredOn: iso.Get("answered_on")})
	}
	ui.afterAction(w, r, a, id, "gdpr_answered", err)
}

func (ui *UI) gdprConfig() gdpr.Config {
	if ui.GDPRConfig != nil {
		return *ui.GDPRConfig
	}
	return gdpr.DefaultConfig()
}

func (ui *UI) processingRecord(w http.ResponseWriter, r *http.Request, a account.Actor) (gdpr.Record, bool) {
	s, ok := ui.gdprStore(w, r)
	if !ok {
		return gdpr.Record{}, false
	}
	on := ui.today()
	recipients, err := s.ProcessingRecordData(r.Context(), a, on)
	if err != nil {
		ui.fail(w, r, err)
		return gdpr.Record{}, false
	}
	return gdpr.BuildRecord(ui.gdprConfig(), on, recipients), true
}

func (ui *UI) showProcessingRecord(w http.ResponseWriter, r *http.Request, a account.Actor) {
	rec, ok := ui.processingRecord(w, r, a)
	if !ok {
		return
	}
	ui.render(w, http.StatusOK, "processing_record", ui.page(r, "gdpr.page.record", rec))
}

func (ui *UI) processingRecordPDF(w http.ResponseWriter, r *http.Request, a account.Actor) {
	rec, ok := ui.processingRecord(w, r, a)
	if !ok {
		return
	}
	lang := i18n.FromRequest(r)
	pdf, err := paperwork.ProcessingRecordPDF(rec, ui.Now(), pdfLang(lang), func(k string) string { return i18n.T(lang, k, nil) })
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	servePDF(w, "verwerkingsregister-"+rec.On+".pdf", pdf)
}
