package web

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/dates"
	"kansrijk/internal/i18n"
	"kansrijk/internal/municipality"
	"kansrijk/internal/page"
	"kansrijk/internal/paperwork"
)

func init() {
	// dmy shows a YYYY-MM-DD date string (as stored in event details and
	// reports) the Belgian way, dd-mm-yyyy; anything else as it is.
	funcs["dmy"] = func(s string) string {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return s
		}
		return d.Format("02-01-2006")
	}
}

// localStatuses translates the status codes in the arguments of an
// agreement error ("interested", "active") into the user's language, so
// that a Dutch message does not name English codes.
func localStatuses(lang i18n.Lang, err error) error {
	if ps := apperr.Problems(err); len(ps) > 1 {
		out := make([]*apperr.Error, len(ps))
		for i, p := range ps {
			out[i], _ = apperr.As(localStatuses(lang, p))
		}
		return apperr.List(out)
	}
	e, ok := apperr.As(err)
	if !ok || len(e.Args) == 0 {
		return err
	}
	c := *e
	c.Args = make(map[string]any, len(e.Args))
	for k, v := range e.Args {
		c.Args[k] = v
		if s, ok := v.(string); ok && (k == "From" || k == "To" || k == "Status") && i18n.Has(lang, "agreement.status."+s) {
			c.Args[k] = i18n.T(lang, "agreement.status."+s, nil)
		}
	}
	return &c
}

// lifecycleStep is one step of the lifecycle overview on the agreement page.
type lifecycleStep struct {
	Status        agreement.Status
	Done, Current bool
}

// lifecycle lists the way to an agreement in force, marking the steps
// taken and the current one; a suspended, ended or withdrawn agreement
// gets its status as a last step.
func lifecycle(current []agreement.Event, latest agreement.Status) []lifecycleStep {
	main := []agreement.Status{agreement.Interested, agreement.Draft, agreement.Approved, agreement.Signed, agreement.Active}
	done := map[agreement.Status]bool{}
	for _, e := range current {
		done[e.Status] = true
	}
	var out []lifecycleStep
	for _, s := range main {
		out = append(out, lifecycleStep{Status: s, Done: done[s], Current: s == latest})
	}
	if !slices.Contains(main, latest) && latest != "" {
		out = append(out, lifecycleStep{Status: latest, Done: true, Current: true})
	}
	return out
}

// showAgreements lists the agreements the actor may see, a page of 50 at
// a time (issue 12): searchable by team, OCMW and municipality, filtered
// by status and province (the filters in the URL), sortable.
func (ui *UI) showAgreements(w http.ResponseWriter, r *http.Request, a account.Actor) {
	q := r.URL.Query()
	p := ui.page(r, "page.agreements.title", nil)
	p.Form = q
	req, status := listRequest(r, p, agreement.Sorts...)
	f := agreement.Filter{Status: q.Get("status"), Province: q.Get("province"), Team: q.Get("team")}
	res, stale, err := fetchList(req, func(req page.Request) (page.Result[agreement.Agreement], error) {
		return ui.Agreements.AgreementPage(r.Context(), a, f, req)
	})
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if stale {
		req.After = nil
		p.cursorReset(true)
	}
	p.Data = map[string]any{
		"List": res.Items, "Nav": listNav(r, req, len(res.Items), res.Next, res.Prev),
		"Statuses": agreement.Statuses, "Provinces": provinces(ui.Municipalities, ui.today()),
		"CanCreate": a.Role == account.Admin || a.Role == account.TeamLead || a.Role == account.OCMWAdmin,
	}
	ui.render(w, status, "agreements", p)
}

func provinces(reg *municipality.Registry, on time.Time) []string {
	var out []string
	for _, m := range reg.On(on, municipality.Flanders) {
		if !slices.Contains(out, m.Province) {
			out = append(out, m.Province)
		}
	}
	slices.Sort(out)
	return out
}

// agreementChoice is a (team, municipality) pair the actor may start.
type agreementChoice struct {
	Value, Label string
}

func (ui *UI) agreementChoices(r *http.Request, a account.Actor, on time.Time) ([]agreementChoice, error) {
	teams, err := ui.Orgs.Teams(r.Context(), on)
	if err != nil {
		return nil, err
	}
	var out []agreementChoice
	for _, t := range teams {
		if a.Role == account.TeamLead && t.Key != a.Org {
			continue
		}
		for _, nis := range t.Municipalities {
			if a.Role == account.OCMWAdmin && "ocmw-"+nis != a.Org {
				continue
			}
			m, _ := ui.Municipalities.ByNIS(nis)
			out = append(out, agreementChoice{t.Key + "|" + nis, m.Name + " — " + t.Name})
		}
	}
	slices.SortFunc(out, func(x, y agreementChoice) int {
		return strings.Compare(strings.ToLower(x.Label), strings.ToLower(y.Label))
	})
	return out, nil
}

func (ui *UI) agreementForm(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page) {
	choices, err := ui.agreementChoices(r, a, ui.today())
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	p.Data = map[string]any{"Choices": choices}
	ui.render(w, status, "agreement_form", p)
}

func (ui *UI) showAgreementForm(w http.ResponseWriter, r *http.Request, a account.Actor) {
	p := ui.page(r, "page.agreement_new.title", nil)
	p.Form = r.URL.Query()
	if p.Form.Get("effective_on") == "" {
		p.Form.Set("effective_on", ui.today().Format(time.DateOnly))
	}
	ui.agreementForm(w, r, a, http.StatusOK, p)
}

func (ui *UI) createAgreement(w http.ResponseWriter, r *http.Request, a account.Actor) {
	f := r.PostForm
	team, nis, _ := strings.Cut(f.Get("pair"), "|")
	iso, problems := formDates(f, "effective_on")
	if f.Get("effective_on") == "" {
		problems = append(problems, required("effective_on"))
	}
	if f.Get("pair") == "" {
		problems = append([]*apperr.Error{required("pair")}, problems...)
	}
	err := apperr.Join(problems)
	var ag agreement.Agreement
	if err == nil {
		ag, err = ui.Agreements.CreateAgreement(r.Context(), a, agreement.NewAgreement{
			Team: team, MunicipalityNIS: nis, Status: f.Get("status"), EffectiveOn: iso.Get("effective_on"), Note: f.Get("note"),
		})
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Code == apperr.Forbidden {
			ui.fail(w, r, err)
			return
		}
		p := ui.page(r, "page.agreement_new.title", nil)
		p.formProblems(r, localStatuses(p.Lang, err), agreementSpec)
		p.Form = f
		ui.agreementForm(w, r, a, statusOf(err), p)
		return
	}
	http.Redirect(w, r, "/agreements/"+strconv.FormatInt(ag.ID, 10)+"?ok=agreement_created", http.StatusSeeOther)
}

// agreementSpec maps the fields of a new agreement to the form's inputs.
var agreementSpec = formSpec{
	"pair": {Label: "field.municipality_team"}, "team": {Input: "pair", Label: "field.municipality_team"},
	"municipality_nis": {Input: "pair", Label: "field.municipality_team"}, "status": {Label: "field.first_step"},
	"effective_on": {Label: "field.effective_on"}, "note": {Label: "field.note"},
}

// agreementEventSpec maps the fields of an agreement's step to the inputs
// of the form that was sent: a correction's ("corr/…") or the step's
// ("ev/…", ids ending in the status).
func agreementEventSpec(f url.Values) formSpec {
	if f.Get("corrects") != "" {
		return formSpec{
			"corrects":     {Input: "corr/corrects", Label: "field.step_to_correct", ID: "corrects"},
			"effective_on": {Input: "corr/effective_on", Label: "field.correct_effective_on", ID: "corr-on"},
			"note":         {Input: "corr/note", Label: "field.note", ID: "corr-note"},
		}
	}
	st := f.Get("status")
	s := formSpec{
		"effective_on":        {Input: "ev/effective_on", Label: "field.effective_on", ID: "on-" + st},
		"status":              {Input: "ev/effective_on", Label: "field.effective_on", ID: "on-" + st},
		"council_decision_on": {Input: "ev/council_decision_on", Label: "field.council_decision_on", ID: "cdate"},
		"council_reference":   {Input: "ev/council_reference", Label: "field.council_reference", ID: "cref"},
		"reason":              {Input: "ev/reason", Label: "field.reason", ID: "reason-" + st},
		"note":                {Input: "ev/note", Label: "field.note", ID: "note-" + st},
		"signatures":          {Input: "ev/signatures", Label: "field.signed_on", ID: "signatures"},
	}
	for _, fn := range agreement.SignatoryFunctions {
		s["sig_"+fn+"_on"] = fieldSpec{Input: "ev/sig_" + fn + "_on", Label: "field.signed_on", ID: "sig-" + fn + "-on", Of: "function." + fn}
	}
	return s
}

// prefixedSpec maps fields to inputs "<form>/<field>" whose id is the
// field's name (a form on a page with several).
func prefixedSpec(form string, fields ...string) formSpec {
	s := formSpec{}
	for _, f := range fields {
		s[f] = fieldSpec{Input: form + "/" + f, Label: "field." + f, ID: f}
	}
	return s
}

func agreementID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id
}

// agreementFailed shows err on the agreement's page, keeping the form —
// unless the agreement is not the caller's (or does not exist): then the
// not_found page, without reading the agreement again (its refusal is
// audited once, by the change that was refused).
func (ui *UI) agreementFailed(w http.ResponseWriter, r *http.Request, a account.Actor, err error, p *Page) {
	if apperr.Code(err) == apperr.NotFound && !isFieldErr(err) {
		ui.fail(w, r, err)
		return
	}
	ui.renderAgreement(w, r, a, statusOf(err), p)
}

func (ui *UI) renderAgreement(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page) {
	ag, err := ui.Agreements.Agreement(r.Context(), a, agreementID(r))
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	m, _ := ui.Municipalities.ByNIS(ag.MunicipalityNIS)
	latest := agreement.Status("")
	var current []agreement.Event
	for _, e := range ag.Events {
		if e.CorrectedBy == 0 {
			current = append(current, e)
		}
	}
	slices.SortStableFunc(current, func(x, y agreement.Event) int { return x.Seq - y.Seq })
	if n := len(current); n > 0 {
		latest = current[n-1].Status
	}
	var next []agreement.Status
	for _, s := range agreement.Next(latest) {
		if canRecord(a, ag, s) {
			next = append(next, s)
		}
	}
	p.Data = map[string]any{
		"A": ag, "Municipality": m, "Next": next, "Latest": latest, "Current": current, "Lifecycle": lifecycle(current, latest),
		"CanEditVersion": a.Role == account.Admin || (a.Role == account.TeamLead && a.Org == ag.Team),
		// The form starts from the proposal still waiting, if any (a new
		// proposal replaces it).
		"Edit":          typedVersion(editVersion(ag), p.Form),
		"NeedsApproval": latest.NeedsApproval(),
		"CanDecide":     a.Role == account.OCMWAdmin && a.Org == ag.Recipient && ag.Proposed != nil,
		"Changes":       versionChanges(ag),
		"CanUpload":     a.Role == account.Admin || (a.Role == account.TeamLead && a.Org == ag.Team) || (a.Role == account.OCMWAdmin && a.Org == ag.Recipient),
		"CanCarryOver":  a.Role == account.Admin && m.ValidTo != nil && m.SuccessorNIS != "" && latest.Open() && ag.Successor == 0,
		"Functions":     agreement.SignatoryFunctions,
		"CanCorrect":    len(next) > 0 || a.Role == account.Admin,
		"DocumentKinds": []string{"cooperation", "processing", "other"},
		"MaxUploadMB":   agreement.MaxDocumentSize >> 20,
		"SuccessorNIS":  successorLabel(ui.Municipalities, m),
		"MergedOn":      mergedOn(m),
		"Today":         ui.today(),
	}
	ui.render(w, status, "agreement", p)
}

func editVersion(ag agreement.Agreement) *agreement.Version {
	if ag.Proposed != nil {
		return ag.Proposed
	}
	return ag.Version
}

// typedVersion is the version form as it was sent when it failed (f holds
// its inputs), so that nothing typed is lost; else v.
func typedVersion(v *agreement.Version, f url.Values) *agreement.Version {
	if v == nil || f == nil || !f.Has("retention_days") {
		return v
	}
	c := *v
	c.RetentionDays, _ = strconv.Atoi(strings.TrimSpace(f.Get("retention_days")))
	c.FirstContactDays, _ = strconv.Atoi(strings.TrimSpace(f.Get("first_contact_days")))
	c.StatusFeedback = f.Get("status_feedback") == "on"
	c.InformationText, c.ProtocolReference, c.DPOAdviceOn, c.PublicationURL = f.Get("information_text"), f.Get("protocol_reference"), f.Get("dpo_advice_on"), f.Get("publication_url")
	return &c
}

// versionChange is one parameter a proposal changes: its label key and
// the value in force and proposed.
type versionChange struct {
	Label, InForce, Proposed string
	Multiline                bool
	Keys                     bool // the values are translation keys (yes, no)
}

// versionChanges lists the parameters the proposal changes.
func versionChanges(ag agreement.Agreement) []versionChange {
	if ag.Proposed == nil || ag.Version == nil {
		return nil
	}
	cur, p := ag.Version, ag.Proposed
	var out []versionChange
	add := func(label, a, b string, multi bool) {
		if a != b {
			out = append(out, versionChange{Label: label, InForce: a, Proposed: b, Multiline: multi})
		}
	}
	yesNo := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	add("field.retention_days", strconv.Itoa(cur.RetentionDays), strconv.Itoa(p.RetentionDays), false)
	add("field.first_contact_days", strconv.Itoa(cur.FirstContactDays), strconv.Itoa(p.FirstContactDays), false)
	if cur.StatusFeedback != p.StatusFeedback {
		out = append(out, versionChange{Label: "field.status_feedback", InForce: yesNo(cur.StatusFeedback), Proposed: yesNo(p.StatusFeedback), Keys: true})
	}
	add("field.information_text", cur.InformationText, p.InformationText, true)
	add("field.protocol_reference", cur.ProtocolReference, p.ProtocolReference, false)
	add("field.dpo_advice_on", cur.DPOAdviceOn, p.DPOAdviceOn, false)
	add("field.publication_url", cur.PublicationURL, p.PublicationURL, false)
	return out
}

// successorLabel names the municipality m merged into, "Hasselt (71072)";
// "" when it did not merge.
func successorLabel(reg *municipality.Registry, m municipality.Municipality) string {
	if m.SuccessorNIS == "" {
		return ""
	}
	if s, ok := reg.ByNIS(m.SuccessorNIS); ok {
		return s.Name + " (" + s.NIS + ")"
	}
	return m.SuccessorNIS
}

// mergedOn is the first day of the merged municipality (the day after the
// last day of m), or the zero time.
func mergedOn(m municipality.Municipality) time.Time {
	if m.ValidTo == nil {
		return time.Time{}
	}
	return m.ValidTo.AddDate(0, 0, 1)
}

// canRecord mirrors the store's rule, to show only the buttons that work.
func canRecord(a account.Actor, ag agreement.Agreement, s agreement.Status) bool {
	switch a.Role {
	case account.Admin:
		return true
	case account.TeamLead:
		return a.Org == ag.Team
	case account.OCMWAdmin:
		return a.Org == ag.Recipient && (s == agreement.Approved || s == agreement.Signed || s == agreement.Withdrawn || s == agreement.Interested)
	}
	return false
}

func (ui *UI) showAgreement(w http.ResponseWriter, r *http.Request, a account.Actor) {
	p := ui.page(r, "page.agreement.title", nil)
	p.Form = url.Values{}
	ui.renderAgreement(w, r, a, http.StatusOK, p)
}

func (ui *UI) addAgreementEvent(w http.ResponseWriter, r *http.Request, a account.Actor) {
	f := r.PostForm
	// Dates as people type them; the domain takes ISO.
	dateFields := []string{"effective_on", "council_decision_on"}
	for _, fn := range agreement.SignatoryFunctions {
		dateFields = append(dateFields, "sig_"+fn+"_on")
	}
	iso, problems := formDates(f, dateFields...)
	in := agreement.NewEvent{Status: f.Get("status"), EffectiveOn: iso.Get("effective_on"), Note: f.Get("note"),
		CouncilDecisionOn: iso.Get("council_decision_on"), CouncilReference: f.Get("council_reference"), Reason: f.Get("reason")}
	if c := f.Get("corrects"); c != "" {
		in.Corrects, _ = strconv.ParseInt(c, 10, 64)
	}
	if in.Status == string(agreement.Signed) {
		for _, fn := range agreement.SignatoryFunctions {
			in.Signatures = append(in.Signatures, agreement.Signature{Function: fn, Name: f.Get("sig_" + fn + "_name"), SignedOn: iso.Get("sig_" + fn + "_on")})
		}
	}
	err := apperr.Join(problems)
	if err == nil {
		_, err = ui.Agreements.AddEvent(r.Context(), a, agreementID(r), in)
	}
	if err != nil {
		p := ui.page(r, "page.agreement.title", nil)
		p.formProblems(r, localStatuses(p.Lang, err), agreementEventSpec(f))
		p.Form = f
		ui.agreementFailed(w, r, a, err, p)
		return
	}
	http.Redirect(w, r, "/agreements/"+r.PathValue("id")+"?ok=event_recorded", http.StatusSeeOther)
}

func (ui *UI) updateAgreementVersion(w http.ResponseWriter, r *http.Request, a account.Actor) {
	f := r.PostForm
	var up agreement.VersionUpdate
	atoi := func(name string) (*int, error) {
		s := strings.TrimSpace(f.Get(name))
		n, err := strconv.Atoi(s)
		if err != nil {
			return nil, apperr.FieldErr(apperr.Invalid, name, "not a number").WithKey("error.not_a_number", map[string]any{"Value": s})
		}
		return &n, nil
	}
	var err error
	if up.RetentionDays, err = atoi("retention_days"); err == nil {
		up.FirstContactDays, err = atoi("first_contact_days")
	}
	if err == nil {
		fb := f.Get("status_feedback") == "on"
		iso, problems := formDates(f, "dpo_advice_on")
		err = apperr.Join(problems)
		text, proto, dpo, pub := f.Get("information_text"), f.Get("protocol_reference"), iso.Get("dpo_advice_on"), f.Get("publication_url")
		up.StatusFeedback, up.InformationText, up.ProtocolReference, up.DPOAdviceOn, up.PublicationURL = &fb, &text, &proto, &dpo, &pub
		var v agreement.Version
		if err != nil {
		} else if v, err = ui.Agreements.UpdateVersion(r.Context(), a, agreementID(r), up); err == nil && v.State == agreement.VersionProposed {
			http.Redirect(w, r, "/agreements/"+r.PathValue("id")+"?ok=version_proposed#proposal", http.StatusSeeOther)
			return
		}
	}
	if err != nil {
		p := ui.page(r, "page.agreement.title", nil).formProblems(r, err, prefixedSpec("version", "retention_days", "first_contact_days",
			"information_text", "protocol_reference", "dpo_advice_on", "publication_url"))
		p.Form = f
		ui.agreementFailed(w, r, a, err, p)
		return
	}
	http.Redirect(w, r, "/agreements/"+r.PathValue("id")+"?ok=version_saved#parameters", http.StatusSeeOther)
}

// decideAgreementVersion approves or rejects a proposed version: the
// OCMW's admin, after ticking the confirmation.
func (ui *UI) decideAgreementVersion(w http.ResponseWriter, r *http.Request, a account.Actor) {
	f := r.PostForm
	n, err := strconv.Atoi(r.PathValue("v"))
	if err != nil || n <= 0 {
		ui.fail(w, r, apperr.New(apperr.NotFound, "no such version").WithKey("error.not_found", nil))
		return
	}
	approve := strings.HasSuffix(r.URL.Path, "/approve")
	if f.Get("confirm") != "on" {
		err = apperr.FieldErr(apperr.Invalid, "confirm", "confirm the decision").WithKey("error.version_confirm", nil)
	} else if approve {
		_, err = ui.Agreements.ApproveVersion(r.Context(), a, agreementID(r), n, f.Get("note"))
	} else {
		_, err = ui.Agreements.RejectVersion(r.Context(), a, agreementID(r), n, f.Get("note"))
	}
	if err != nil {
		p := ui.page(r, "page.agreement.title", nil).withError(r, err)
		p.Form = f
		ui.agreementFailed(w, r, a, err, p)
		return
	}
	ok := "version_approved#parameters"
	if !approve {
		ok = "version_rejected#parameters"
	}
	http.Redirect(w, r, "/agreements/"+r.PathValue("id")+"?ok="+ok, http.StatusSeeOther)
}

func (ui *UI) uploadAgreementDocument(w http.ResponseWriter, r *http.Request, a account.Actor) {
	file, hdr, err := r.FormFile("file")
	var content []byte
	if err == nil {
		defer file.Close()
		content, err = io.ReadAll(io.LimitReader(file, agreement.MaxDocumentSize+1))
	}
	if err != nil {
		err = apperr.FieldErr(apperr.Invalid, "file", "no file").WithKey("error.file_empty", nil)
	} else {
		_, err = ui.Agreements.AddDocument(r.Context(), a, agreementID(r), r.FormValue("kind"), hdr.Filename, content)
	}
	if err != nil {
		p := ui.page(r, "page.agreement.title", nil).formProblems(r, err, formSpec{
			"file": {Input: "doc/file", Label: "field.signed_copy", ID: "file"}, "kind": {Input: "doc/kind", Label: "field.kind", ID: "kind"}})
		p.Form = r.PostForm
		ui.agreementFailed(w, r, a, err, p)
		return
	}
	http.Redirect(w, r, "/agreements/"+r.PathValue("id")+"?ok=document_uploaded#documents", http.StatusSeeOther)
}

func (ui *UI) downloadAgreementDocument(w http.ResponseWriter, r *http.Request, a account.Actor) {
	docID, _ := strconv.ParseInt(r.PathValue("doc"), 10, 64)
	doc, content, err := ui.Agreements.DocumentContent(r.Context(), a, agreementID(r), docID)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": doc.Filename}))
	_, _ = w.Write(content)
}

// generatedDocument renders the cooperation or processing agreement of
// the agreement's current version as PDF.
func (ui *UI) generatedDocument(w http.ResponseWriter, r *http.Request, a account.Actor) {
	ag, err := ui.Agreements.Agreement(r.Context(), a, agreementID(r))
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	in := PaperworkInput(ag, ui.today())
	var pdf []byte
	name := strings.TrimSuffix(r.PathValue("doc"), ".pdf")
	switch name {
	case "samenwerkingsovereenkomst":
		pdf, err = paperwork.CooperationAgreement(in)
	case "verwerkingsovereenkomst":
		pdf, err = paperwork.ProcessingAgreement(in)
	default:
		ui.notFound(w, r)
		return
	}
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name + "-" + strconv.FormatInt(ag.ID, 10) + ".pdf"}))
	_, _ = w.Write(pdf)
}

// PaperworkInput fills the document templates from an agreement.
func PaperworkInput(ag agreement.Agreement, on time.Time) paperwork.Input {
	in := paperwork.Input{AgreementID: ag.ID, TeamName: ag.TeamName, RecipientName: ag.RecipientName,
		MunicipalityName: ag.Municipality, MunicipalityNIS: ag.MunicipalityNIS, GeneratedOn: on}
	if ag.Version != nil {
		in.Version = *ag.Version
	}
	for _, e := range ag.Events {
		if e.Status == agreement.Signed && e.CorrectedBy == 0 {
			in.Signatures = e.Details.Signatures
		}
	}
	return in
}

func (ui *UI) carryOver(w http.ResponseWriter, r *http.Request, a account.Actor) {
	var on time.Time
	var err error
	if t, ok, derr := dates.ParseField("effective_on", r.PostForm.Get("effective_on")); derr != nil {
		err = derr
	} else if ok {
		on = t
	}
	var ag agreement.Agreement
	if err == nil {
		ag, err = ui.Agreements.CarryOver(r.Context(), a, agreementID(r), on, r.PostForm.Get("note"))
	}
	if err != nil {
		p := ui.page(r, "page.agreement.title", nil)
		p.formProblems(r, localStatuses(p.Lang, err), formSpec{"effective_on": {Input: "carry/effective_on", Label: "field.effective_on", ID: "carry-on"}})
		p.Form = r.PostForm
		ui.agreementFailed(w, r, a, err, p)
		return
	}
	http.Redirect(w, r, "/agreements/"+strconv.FormatInt(ag.ID, 10)+"?ok=carried_over", http.StatusSeeOther)
}

// mergerRow is a municipality that merged, with its old OCMW's agreements.
type mergerRow struct {
	Successor  municipality.Municipality
	Parts      []municipality.Municipality
	Agreements []agreement.Agreement
}

func (ui *UI) showMergers(w http.ResponseWriter, r *http.Request, a account.Actor) {
	all, err := ui.Agreements.Agreements(r.Context(), a, agreement.Filter{})
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	after := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var rows []mergerRow
	for _, m := range ui.Municipalities.On(after, municipality.Flanders) {
		parts := ui.Municipalities.Predecessors(m.NIS)
		if len(parts) == 0 {
			continue
		}
		row := mergerRow{Successor: m, Parts: parts}
		for _, ag := range all {
			if slices.ContainsFunc(parts, func(p municipality.Municipality) bool { return p.NIS == ag.MunicipalityNIS }) || ag.MunicipalityNIS == m.NIS {
				row.Agreements = append(row.Agreements, ag)
			}
		}
		rows = append(rows, row)
	}
	ui.render(w, http.StatusOK, "mergers", ui.page(r, "page.mergers.title", map[string]any{"Rows": rows}))
}
