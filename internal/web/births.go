package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/birth"
	"kansrijk/internal/dates"
	"kansrijk/internal/i18n"
	"kansrijk/internal/municipality"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
)

// The web side of birth notifications (area births_ui): a maternity
// clinic notifies a birth with a form or a CSV file and sees whether each
// submission was picked up — nothing more; the local team works its queue
// of new families, records the first contact, merges duplicates and may
// start a referral to the OCMW; Opgroeien's admins see everything,
// including the queue of notifications no team covers, and the
// statistics (stats in births_report.go). Access is the store's: these
// pages only decide which page and which forms a role gets.

func init() {
	// birthStatusClass reuses the status colours of referrals.
	funcs["birthStatusClass"] = func(s birth.Status) string {
		switch s {
		case birth.New:
			return "refstatus-sent"
		case birth.NotReached:
			return "refstatus-draft"
		case birth.Contacted:
			return "refstatus-reached"
		}
		return "refstatus-closed"
	}
	funcs["birthLang"] = func(lang i18n.Lang, code string) string {
		if key := "births_ui.language." + code; i18n.Has(lang, key) {
			return i18n.T(lang, key, nil)
		}
		return code
	}
	// fieldID is the id of a form input of a field the store or Validate
	// names: "mother.phone" → "mother-phone".
	funcs["fieldID"] = birthFieldID
	// fieldArgs passes one input of the notification form to its
	// template.
	funcs["fieldArgs"] = func(p *Page, who, name, typ string, max int, label string) birthInput {
		return birthInput{Page: p, Who: who, Name: name, Type: typ, Max: max, Label: label}
	}
	funcs["fieldLabel"] = birthFieldLabel
	// moment shows a moment (or a pointer to one) in Brussels time.
	funcs["moment"] = func(v any) string {
		switch t := v.(type) {
		case time.Time:
			return funcs["datetime"].(func(time.Time) string)(t)
		case *time.Time:
			if t != nil {
				return funcs["datetime"].(func(time.Time) string)(*t)
			}
		}
		return ""
	}
	funcs["deref64"] = func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	funcs["fieldErr"] = func(errs []birthFieldError, field string) string {
		for _, e := range errs {
			if e.Field == field {
				return e.Message
			}
		}
		return ""
	}
}

func birthFieldID(field string) string {
	return strings.NewReplacer(".", "-", "_", "-").Replace(field)
}

// birthWorker: the roles that see notifications with personal data.
func birthWorker(a account.Actor) bool { return teamSide(a) || a.Role == account.Admin }

// birthAction starts a POST on one notification: the actor may act (allow)
// and the id is well formed; else it answers and returns false.
func (ui *UI) birthAction(w http.ResponseWriter, r *http.Request, a account.Actor, allow func(account.Actor) bool) (int64, bool) {
	id, err := birthID(r)
	if !allow(a) {
		if err == nil {
			// Audited as denied, as the API's refusal.
			err = ui.Births.DenyBirth(r.Context(), a, id)
		}
		ui.fail(w, r, forbiddenOr(err))
		return 0, false
	}
	if err != nil {
		ui.fail(w, r, err)
		return 0, false
	}
	return id, true
}

// forbiddenOr is err when it is not a refusal (the audit failed), else
// forbidden: a role's refusal answers 403 whatever the id.
func forbiddenOr(err error) error {
	if err == nil || apperr.Is(err, apperr.Forbidden) || apperr.Is(err, apperr.NotFound) {
		return forbidden()
	}
	return err
}

func birthID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "no such birth notification").WithKey("error.not_found", nil)
	}
	return id, nil
}

// orgNames looks organisation names up once per key.
type orgNames struct {
	ui    *UI
	ctx   context.Context
	cache map[string]string
}

func (ui *UI) orgNames(ctx context.Context) *orgNames {
	return &orgNames{ui: ui, ctx: ctx, cache: map[string]string{}}
}

func (o *orgNames) name(key string) string {
	if n, ok := o.cache[key]; ok {
		return n
	}
	n := o.ui.orgName(o.ctx, key)
	o.cache[key] = n
	return n
}

// birthsLink sends the API's name of the queue, /birth-notifications, to
// the page /births.
func (ui *UI) birthsLink(w http.ResponseWriter, r *http.Request) {
	target := "/births"
	if q := r.URL.RawQuery; q != "" {
		target += "?" + q
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}

// --- the list: a clinic's submissions, a team's queue, Opgroeien's view ---

func (ui *UI) showBirths(w http.ResponseWriter, r *http.Request, a account.Actor) {
	switch {
	case a.Role == account.Clinic:
		ui.showClinicSubmissions(w, r, a)
	case birthWorker(a):
		ui.showBirthQueue(w, r, a)
	default:
		// The store refuses the list and audits the refusal.
		_, err := ui.Births.BirthQueue(r.Context(), a, birth.Filter{}, page.Request{Limit: page.DefaultLimit})
		if err == nil {
			err = forbidden()
		}
		ui.fail(w, r, err)
	}
}

type submissionRow struct {
	birth.Submission
	Routed string // the team's name, or "" for Opgroeien's queue
}

// listPage reads the page asked for (limit, cursor, q, sort): a cursor
// the list cannot use gives the first page and reset (parseList); another
// bad parameter is shown as the error and the first page with the default
// sort is listed instead.
func listPage(q url.Values, sorts []string) (req page.Request, reset bool, err error) {
	req, reset, err = parseList(q, sorts...)
	if err != nil {
		req, _ = page.Parse(url.Values{}, sorts...)
	}
	return req, reset, err
}

func (ui *UI) showClinicSubmissions(w http.ResponseWriter, r *http.Request, a account.Actor) {
	q := r.URL.Query()
	p := ui.page(r, "births_ui.page.clinic_list", nil)
	p.Form = q
	status := http.StatusOK
	bad := func(err error) {
		if status == http.StatusOK {
			p.withError(r, err)
			status = http.StatusBadRequest
		}
	}
	f := birth.Filter{}
	switch s := birth.ClinicStatus(q.Get("status")); s {
	case "", birth.ClinicNew, birth.ClinicPickedUp:
		f.ClinicStatus = s
	default:
		bad(apperr.FieldErr(apperr.Invalid, "status", "unknown status").WithKey("error.unknown_status", map[string]any{"Status": string(s)}))
	}
	req, badCursor, err := listPage(q, birth.ClinicSorts)
	if err != nil {
		bad(err)
	}
	res, stale, err := fetchList(req, func(req page.Request) (page.Result[birth.Submission], error) {
		return ui.Births.ClinicSubmissionPage(r.Context(), a, f, req)
	})
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if stale {
		req.After = nil
	}
	p.cursorReset(badCursor || stale)
	names := ui.orgNames(r.Context())
	rows := make([]submissionRow, len(res.Items))
	for i, s := range res.Items {
		rows[i] = submissionRow{Submission: s}
		if s.Team != "" {
			rows[i].Routed = names.name(s.Team)
		}
	}
	p.Data = map[string]any{"Rows": rows, "Statuses": []birth.ClinicStatus{birth.ClinicNew, birth.ClinicPickedUp},
		"Nav": listNav(r, req, len(rows), res.Next, res.Prev)}
	ui.render(w, status, "births_clinic", p)
}

// birthRow is one line of the team's queue.
type birthRow struct {
	birth.QueueItem
	Municipality string
	TeamName     string
	ClinicName   string
	// Late: still without any contact after the target period.
	Late bool
}

type option struct{ Value, Label string }

// birthFilter reads the queue's filters from the query. A bad value is
// left out of the filter and returned as the error to show.
func (ui *UI) birthFilter(q url.Values, a account.Actor) (birth.Filter, error) {
	var f birth.Filter
	var bad error
	keep := func(err error) {
		if bad == nil {
			bad = err
		}
	}
	if s := birth.Status(q.Get("status")); s != "" {
		if slices.Contains(birth.Statuses, s) {
			f.Status = s
		} else {
			keep(apperr.FieldErr(apperr.Invalid, "status", "unknown status").WithKey("error.unknown_status", map[string]any{"Status": string(s)}))
		}
	}
	if nis := q.Get("municipality"); nis != "" {
		if _, ok := ui.Municipalities.ByNIS(nis); ok {
			f.MunicipalityNIS = nis
		} else {
			keep(apperr.FieldErr(apperr.Invalid, "municipality", "unknown municipality").WithKey("births_ui.error.unknown_municipality", map[string]any{"Value": nis}))
		}
	}
	if l := q.Get("language"); l != "" {
		if slices.Contains(birth.Languages, l) {
			f.Language = l
		} else {
			keep(apperr.FieldErr(apperr.Invalid, "language", "unknown language").WithKey("births_ui.error.unknown_language", map[string]any{"Value": l}))
		}
	}
	switch q.Get("early") {
	case "":
	case "yes":
		f.EarlyContact = new(true)
	case "no":
		f.EarlyContact = new(false)
	default:
		keep(apperr.FieldErr(apperr.Invalid, "early", "yes or no").WithKey("births_ui.error.yes_no", map[string]any{"Value": q.Get("early")}))
	}
	for _, d := range []struct {
		name string
		into **time.Time
	}{{"born_from", &f.BornFrom}, {"born_to", &f.BornTo}} {
		t, ok, err := dates.ParseField(d.name, q.Get(d.name))
		if err != nil {
			keep(err)
			continue
		}
		if ok {
			*d.into = &t
		}
	}
	if a.Role == account.Admin {
		switch t := q.Get("team"); {
		case t == "":
		case t == birth.QueueOpgroeien:
			f.Queue = birth.QueueOpgroeien
		case strings.HasPrefix(t, "team-"):
			f.Team = t
		default:
			keep(apperr.FieldErr(apperr.Invalid, "team", "unknown team").WithKey("births_ui.error.unknown_team", map[string]any{"Value": t}))
		}
	}
	f.IncludeDeleted = q.Get("deleted") == "1"
	return f, bad
}

// showBirthQueue is the team's queue (with its families' names, searched
// by q) and Opgroeien's view (team=opgroeien: its own queue; no names),
// one page of 50 at a time.
func (ui *UI) showBirthQueue(w http.ResponseWriter, r *http.Request, a account.Actor) {
	ctx := r.Context()
	q := r.URL.Query()
	p := ui.page(r, "births_ui.page.queue", nil)
	p.Form = q
	status := http.StatusOK
	f, bad := ui.birthFilter(q, a)
	req, badCursor, perr := listPage(q, birth.QueueSorts)
	if bad == nil {
		bad = perr
	}
	if bad != nil {
		p.withError(r, bad)
		status = http.StatusBadRequest
	}
	res, stale, err := fetchList(req, func(req page.Request) (page.Result[birth.QueueItem], error) {
		return ui.Births.BirthQueue(ctx, a, f, req)
	})
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if stale {
		req.After = nil
	}
	p.cursorReset(badCursor || stale)
	today := ui.today()
	names := ui.orgNames(ctx)
	rows := make([]birthRow, len(res.Items))
	for i, s := range res.Items {
		rows[i] = birthRow{QueueItem: s, Municipality: ui.municipalityName(s.MunicipalityNIS), ClinicName: names.name(s.Clinic)}
		if s.Team != "" {
			rows[i].TeamName = names.name(s.Team)
		}
		rows[i].Late = s.Status == birth.New && s.DataDeletedAt == nil &&
			!today.Before(dateOf(s.CreatedAt).AddDate(0, 0, birth.ContactTargetDays+1))
	}

	// The municipalities to filter on: the team's area today (and any
	// older code of its queue), everywhere Kind en Gezin works for
	// Opgroeien.
	var munis []municipality.Municipality
	if teamSide(a) {
		t, err := ui.Orgs.Team(ctx, a.Org, today)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		for _, nis := range t.Municipalities {
			if m, ok := ui.Municipalities.ByNIS(nis); ok {
				munis = append(munis, m)
			}
		}
	} else {
		munis = ui.Municipalities.On(today, "")
	}
	seen := map[string]bool{}
	var muniOpts []option
	for _, m := range munis {
		seen[m.NIS] = true
		muniOpts = append(muniOpts, option{m.NIS, m.Name})
	}
	extra := []string{f.MunicipalityNIS}
	for _, s := range res.Items {
		extra = append(extra, s.MunicipalityNIS)
	}
	for _, nis := range extra {
		if nis != "" && !seen[nis] {
			seen[nis] = true
			muniOpts = append(muniOpts, option{nis, ui.municipalityName(nis) + " (" + nis + ")"})
		}
	}
	slices.SortFunc(muniOpts, func(x, y option) int { return strings.Compare(strings.ToLower(x.Label), strings.ToLower(y.Label)) })

	filtered := false
	for k := range q {
		if k != "sort" && k != "cursor" && k != "q" {
			filtered = true
		}
	}
	data := map[string]any{
		"Rows": rows, "Statuses": birth.Statuses, "Languages": birth.Languages, "Municipalities": muniOpts,
		"Admin": a.Role == account.Admin, "TargetDays": birth.ContactTargetDays, "Filtered": filtered,
		"Nav": listNav(r, req, len(rows), res.Next, res.Prev), "Names": teamSide(a),
		"SortOptions": []string{"created_at", "child_birth_date", "-child_birth_date", "municipality", "-municipality"},
	}
	if a.Role == account.Admin {
		teams, err := ui.Orgs.Teams(ctx, today)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		var teamOpts []option
		for _, t := range teams {
			teamOpts = append(teamOpts, option{t.Key, t.Name})
		}
		data["Teams"] = teamOpts
		// How many wait in Opgroeien's own queue, whatever the filter (a
		// count: the page's one audit event is its list's).
		open, err := ui.Births.OpenInOpgroeienQueue(ctx, a)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		data["QueueOpen"], data["QueueOnly"] = open, f.Queue == birth.QueueOpgroeien
	} else {
		data["TeamName"] = names.name(a.Org)
	}
	p.Data = data
	ui.render(w, status, "births", p)
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.In(brussels).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// --- a clinic notifies one birth ---

// birthInput is one input of the notification form.
type birthInput struct {
	Page                   *Page
	Who, Name, Type, Label string
	Max                    int
}

// birthFieldError is one problem of the form, for the list above it and
// the message next to the input.
type birthFieldError struct {
	Field, Label, Message string
}

// birthFieldLabel names a field of the data set in the user's language:
// "Moeder — Telefoon".
func birthFieldLabel(lang i18n.Lang, field string) string {
	if field == "clinic_reference" {
		return i18n.T(lang, "births.field.clinic_reference", nil)
	}
	who, name, ok := strings.Cut(field, ".")
	if !ok {
		return i18n.T(lang, "births_ui.field."+field, nil)
	}
	return i18n.T(lang, "births_ui."+who, nil) + " — " + i18n.T(lang, "births_ui.field."+name, nil)
}

// notificationFromForm reads the form into a notification. The
// municipality, when not chosen, follows from a postcode that belongs to
// one municipality only.
func (ui *UI) notificationFromForm(f url.Values) birth.NewNotification {
	parent := func(prefix string) birth.Parent {
		get := func(name string) string { return strings.TrimSpace(f.Get(prefix + "." + name)) }
		return birth.Parent{Name: get("name"), Street: get("street"), Number: get("number"), Box: get("box"), Postcode: get("postcode"),
			MunicipalityNIS: get("municipality_nis"), Phone: get("phone"), Email: get("email"), Language: get("language")}
	}
	in := birth.NewNotification{Mother: parent("mother"), ChildBirthDate: strings.TrimSpace(f.Get("child_birth_date")),
		EarlyContactRequested: f.Get("early_contact_requested") == "on", ClinicReference: strings.TrimSpace(f.Get("clinic_reference"))}
	if c := parent("co_parent"); c != (birth.Parent{}) {
		in.CoParent = &c
	}
	on := ui.today()
	if d, err := municipality.ParseDate(in.ChildBirthDate); err == nil {
		on = d
	}
	for _, p := range []*birth.Parent{&in.Mother, in.CoParent} {
		if p == nil || p.MunicipalityNIS != "" || p.Postcode == "" {
			continue
		}
		if ms := ui.Municipalities.ByPostcode(p.Postcode, on); len(ms) == 1 {
			p.MunicipalityNIS = ms[0].NIS
		}
	}
	return in
}

func (ui *UI) birthFormData(errs []birthFieldError) map[string]any {
	var muniOpts []option
	for _, m := range ui.Municipalities.On(ui.today(), "") {
		muniOpts = append(muniOpts, option{m.NIS, m.Name + " (" + m.NIS + ")"})
	}
	return map[string]any{"Municipalities": muniOpts, "Languages": birth.Languages, "Errors": errs,
		"Today": ui.today().Format(time.DateOnly), "MaxMonths": birth.MaxBirthAgeMonths, "MaxReference": birth.MaxClinicReference, "Parents": []string{"mother", "co_parent"}}
}

func (ui *UI) showBirthForm(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if a.Role != account.Clinic {
		ui.fail(w, r, forbidden())
		return
	}
	p := ui.page(r, "births_ui.page.new", ui.birthFormData(nil))
	p.Form = url.Values{"mother.language": {"nl"}}
	ui.render(w, http.StatusOK, "birth_new", p)
}

// fieldErrors turns problems into the form's list, in Dutch (or English),
// each with the label of its field.
func fieldErrors(p *Page, problems []*apperr.Error) []birthFieldError {
	var out []birthFieldError
	for _, e := range problems {
		msg := i18n.T(p.Lang, e.Key, e.Args)
		if e.Key == "" || msg == e.Key {
			msg = e.Message
		}
		if e.Code == apperr.MunicipalityRequired {
			msg = i18n.T(p.Lang, "births_ui.error.choose_municipality", nil)
		}
		out = append(out, birthFieldError{Field: e.Field, Label: birthFieldLabel(p.Lang, e.Field), Message: msg})
	}
	return out
}

func (ui *UI) createBirth(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if a.Role != account.Clinic {
		// The store refuses and audits the refused attempt.
		_, err := ui.Births.CreateBirthNotification(r.Context(), a, birth.NewNotification{})
		if err == nil {
			err = forbidden()
		}
		ui.fail(w, r, err)
		return
	}
	in := ui.notificationFromForm(r.PostForm)
	// Every problem at once, with the same rules as the store and the API.
	check := in
	if in.CoParent != nil {
		c := *in.CoParent
		check.CoParent = &c
	}
	problems := check.Validate(ui.Municipalities, ui.today())
	var err error
	var sub birth.Submission
	if len(problems) == 0 {
		sub, err = ui.Births.CreateBirthNotification(r.Context(), a, in)
		if e, ok := apperr.As(err); ok && e.Field != "" {
			problems, err = []*apperr.Error{e}, nil
		}
	}
	if len(problems) > 0 || err != nil {
		p := ui.page(r, "births_ui.page.new", nil)
		status := http.StatusBadRequest
		var errs []birthFieldError
		if err != nil {
			p.withError(r, err)
			status = statusOf(err)
		} else {
			errs = fieldErrors(p, problems)
			p.Error = i18n.T(p.Lang, "births_ui.form_errors", map[string]any{"N": len(errs)})
			p.Field = problems[0].Field
		}
		p.Data = ui.birthFormData(errs)
		p.Form = r.PostForm
		ui.render(w, status, "birth_new", p)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/births/%d?ok=birth_submitted", sub.ID), http.StatusSeeOther)
}

// --- a clinic sends a CSV file ---

// birthColumn describes a column of the CSV file on the upload page.
type birthColumn struct {
	Name, Dutch, Field string
	Required           bool
}

func birthColumns() []birthColumn {
	all := birth.AllColumns()
	out := make([]birthColumn, len(all))
	for i, c := range all {
		out[i] = birthColumn{Name: c.Name, Dutch: c.Dutch, Field: c.Field, Required: slices.Contains(birth.RequiredColumns, c.Name)}
	}
	return out
}

func (ui *UI) uploadPage(r *http.Request, rep *birth.BatchReport) *Page {
	return ui.page(r, "births_ui.page.upload", map[string]any{"Columns": birthColumns(), "Report": rep, "MaxRows": birth.MaxBatchRows,
		"MaxMB": birth.MaxBatchBytes >> 20, "MaxBytes": birth.MaxBatchBytes})
}

func (ui *UI) showBirthUpload(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if a.Role != account.Clinic {
		ui.fail(w, r, forbidden())
		return
	}
	p := ui.uploadPage(r, nil)
	p.Form = url.Values{}
	ui.render(w, http.StatusOK, "births_upload", p)
}

// uploadedRows is the report as the page shows it: the rows with the team
// each went to, and the lines that went in.
type uploadedRow struct {
	birth.RowResult
	Routed string
}

// uploadBirths reads the form part by part (signedInUpload): a file over
// the limit shows the form again with the limits, as any other error does.
func (ui *UI) uploadBirths(w http.ResponseWriter, r *http.Request, a account.Actor, up upload) {
	if a.Role != account.Clinic {
		ui.fail(w, r, forbidden())
		return
	}
	partial := r.PostForm.Get("accept_partial") == "on"
	fail := func(err error) {
		p := ui.uploadPage(r, nil).withError(r, err)
		p.Form = r.PostForm
		ui.render(w, statusOf(err), "births_upload", p)
	}
	switch {
	case up.TooLarge:
		fail(birth.TooLargeError().AppErr())
		return
	case !up.Sent:
		fail(apperr.FieldErr(apperr.Invalid, "file", "choose a file").WithKey("births_ui.error.no_file", nil))
		return
	}
	rep, err := ui.Births.ImportBirthBatch(r.Context(), a, up.Data, partial)
	if err != nil {
		fail(err)
		return
	}
	names := ui.orgNames(r.Context())
	var rows []uploadedRow
	var in []int
	for _, row := range rep.Rows {
		u := uploadedRow{RowResult: row}
		if row.Team != "" {
			u.Routed = names.name(row.Team)
		}
		if row.Status == birth.RowCreated {
			in = append(in, row.Row)
		}
		rows = append(rows, u)
	}
	p := ui.uploadPage(r, &rep)
	p.Form = r.PostForm
	p.Data.(map[string]any)["Rows"] = rows
	p.Data.(map[string]any)["Stored"] = in
	status := http.StatusOK
	if !rep.Accepted {
		// Nothing went in: the file comes back, as a form with errors does.
		status = http.StatusBadRequest
	}
	ui.render(w, status, "births_upload", p)
}

// birthTemplate serves an empty CSV file with the Dutch headers, as Excel
// in Belgium reads it (BOM, ";").
func (ui *UI) birthTemplate(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if a.Role != account.Clinic {
		ui.fail(w, r, forbidden())
		return
	}
	var b strings.Builder
	b.WriteString("\ufeff")
	for i, c := range birth.AllColumns() {
		if i > 0 {
			b.WriteString(";")
		}
		b.WriteString(c.Dutch)
	}
	b.WriteString("\r\n")
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="geboortemeldingen-sjabloon.csv"`)
	_, _ = io.WriteString(w, b.String())
}

// --- one notification ---

func (ui *UI) showBirth(w http.ResponseWriter, r *http.Request, a account.Actor) {
	p := ui.page(r, "births_ui.page.notification", nil)
	p.Form = url.Values{}
	ui.renderBirth(w, r, a, http.StatusOK, p)
}

// renderBirth renders a notification's page for the actor: a clinic's
// submission (status only), or the whole notification for its team and
// Opgroeien, with the error already on p, if any.
func (ui *UI) renderBirth(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page) {
	ctx := r.Context()
	id, err := birthID(r)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	names := ui.orgNames(ctx)
	if a.Role == account.Clinic {
		s, err := ui.Births.ClinicSubmission(ctx, a, id)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		routed := ""
		if s.Team != "" {
			routed = names.name(s.Team)
		}
		p.Title = "births_ui.page.submission"
		p.Data = map[string]any{"S": s, "Routed": routed}
		ui.render(w, status, "birth_submission", p)
		return
	}
	if !birthWorker(a) {
		// Audited as denied, as the API's refusal.
		ui.fail(w, r, forbiddenOr(ui.Births.DenyBirth(ctx, a, id)))
		return
	}
	n, err := ui.Births.BirthNotification(ctx, a, id)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	// What the actor may do: the store decides again, the page only leaves
	// out the forms that would be refused.
	works := (teamSide(a) && n.Team == a.Org) || (a.Role == account.Admin && n.Team == "")
	live := n.Status != birth.Merged && n.DataDeletedAt == nil && n.Mother != nil
	data := map[string]any{
		"N": n, "Municipality": ui.municipalityName(n.MunicipalityNIS), "Clinic": names.name(n.Clinic),
		"Team":       names.name(n.Team),
		"CanContact": works && live && n.Status.Open(),
		"CanMerge":   works && live && a.Role != account.TeamWorker && len(n.PossibleDuplicates) > 0,
		"CanRefer":   teamSide(a) && n.Team == a.Org && live && n.ReferralID == 0,
		"Channels":   birth.ContactChannels, "Today": ui.today().Format(time.DateOnly),
		"Criteria": referral.Criteria, "Needs": referral.Needs, "TargetDays": birth.ContactTargetDays,
		"Late": n.Status == birth.New && live && !ui.today().Before(dateOf(n.CreatedAt).AddDate(0, 0, birth.ContactTargetDays+1)),
	}
	parents := []birthParentView{}
	for i, par := range []*birth.Parent{n.Mother, n.CoParent} {
		if par != nil {
			parents = append(parents, birthParentView{Parent: *par, Role: []string{"mother", "co_parent"}[i], Municipality: ui.municipalityName(par.MunicipalityNIS)})
		}
	}
	data["Parents"] = parents
	if n.Team == "" {
		data["Team"] = ""
	}
	p.Data = data
	ui.render(w, status, "birth", p)
}

type birthParentView struct {
	birth.Parent
	Role         string // mother, co_parent
	Municipality string
}

// birthFailed shows err on the notification's page, keeping the form.
func (ui *UI) birthFailed(w http.ResponseWriter, r *http.Request, a account.Actor, err error) {
	if apperr.Code(err) == apperr.NotFound && !isFieldErr(err) {
		ui.fail(w, r, err)
		return
	}
	p := ui.page(r, "births_ui.page.notification", nil)
	p.withError(r, localiseBirthState(p, err))
	p.Form = r.PostForm
	ui.renderBirth(w, r, a, statusOf(err), p)
}

func isFieldErr(err error) bool {
	e, ok := apperr.As(err)
	return ok && e.Field != ""
}

// localiseBirthState names the status in the user's language in a
// not_open error, instead of its code.
func localiseBirthState(p *Page, err error) error {
	e, ok := apperr.As(err)
	if !ok || e.Key != "error.birth.not_open" {
		return err
	}
	s, _ := e.Args["Status"].(string)
	c := *e
	c.Args = map[string]any{"Status": i18n.T(p.Lang, "birth.status."+s, nil)}
	return &c
}

func (ui *UI) recordBirthContact(w http.ResponseWriter, r *http.Request, a account.Actor) {
	id, ok := ui.birthAction(w, r, a, birthWorker)
	if !ok {
		return
	}
	f := r.PostForm
	in := birth.NewContact{On: strings.TrimSpace(f.Get("on")), Channel: f.Get("channel"), HomeVisitPlanned: f.Get("home_visit_planned") == "on",
		Version: formVersion(f)}
	switch f.Get("reached") {
	case "yes":
		in.Reached = true
	case "no":
	default:
		ui.birthFailed(w, r, a, apperr.FieldErr(apperr.Invalid, "reached", "say whether the family was reached").WithKey("births_ui.error.reached", nil))
		return
	}
	if in.Channel == "" {
		ui.birthFailed(w, r, a, apperr.FieldErr(apperr.Invalid, "channel", "choose a channel").WithKey("error.birth.channel", nil))
		return
	}
	if _, err := ui.Births.RecordBirthContact(r.Context(), a, id, in); err != nil {
		ui.birthFailed(w, r, a, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/births/%d?ok=birth_contact_recorded", id), http.StatusSeeOther)
}

func (ui *UI) mergeBirth(w http.ResponseWriter, r *http.Request, a account.Actor) {
	id, ok := ui.birthAction(w, r, a, birthWorker)
	if !ok {
		return
	}
	f := r.PostForm
	into, perr := strconv.ParseInt(f.Get("into"), 10, 64)
	var err error
	switch {
	case perr != nil || into <= 0:
		err = apperr.FieldErr(apperr.Invalid, "into", "choose the notification to keep").WithKey("births_ui.error.merge_into", nil)
	case f.Get("confirm_merge") != "on":
		err = apperr.FieldErr(apperr.Invalid, "confirm_merge", "confirm the merge").WithKey("births_ui.error.confirm_merge", nil)
	}
	var kept birth.Notification
	if err == nil {
		kept, err = ui.Births.MergeBirthNotification(r.Context(), a, id, birth.Merge{Into: into, Version: formVersion(f)})
	}
	if err != nil {
		ui.birthFailed(w, r, a, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/births/%d?ok=birth_merged", kept.ID), http.StatusSeeOther)
}

func (ui *UI) startBirthReferral(w http.ResponseWriter, r *http.Request, a account.Actor) {
	id, ok := ui.birthAction(w, r, a, teamSide)
	if !ok {
		return
	}
	f := r.PostForm
	ref, err := ui.Births.StartReferralFromBirth(r.Context(), a, id, birth.StartReferral{Criteria: f["criteria"], Needs: f["needs"], Version: formVersion(f)})
	if err != nil {
		ui.birthFailed(w, r, a, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/referrals/%d?ok=referral_from_birth", ref.ID), http.StatusSeeOther)
}
