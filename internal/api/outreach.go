package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/apperr"
	"kansrijk/internal/attendance"
	"kansrijk/internal/export"
	"kansrijk/internal/httpx"
	"kansrijk/internal/municipality"
	"kansrijk/internal/outreach"
	"kansrijk/internal/page"
	"kansrijk/internal/suppress"
)

// ---- JSON shapes ----

type campaignJSON struct {
	ID            int64                 `json:"id"`
	Kind          outreach.CampaignKind `json:"kind"`
	On            string                `json:"on"`
	Partner       string                `json:"partner"`
	Subject       string                `json:"subject"`
	Audience      outreach.Audience     `json:"audience"`
	AudienceParam string                `json:"audience_param"`
	Reached       int                   `json:"reached"`
	CreatedAt     string                `json:"created_at"`
	CreatedBy     string                `json:"created_by"`
	CreatedOrg    string                `json:"created_org"`
	// CreatedBySource: what the program's work was, when CreatedBy is "system".
	CreatedBySource string           `json:"created_by_source,omitempty"`
	Touchpoints     []touchpointJSON `json:"touchpoints,omitempty"`
}

type touchpointJSON struct {
	MunicipalityNIS string `json:"municipality_nis"`
	Municipality    string `json:"municipality"`
	On              string `json:"on"`
	Source          string `json:"source"`
	Registered      bool   `json:"registered"`
	Attended        bool   `json:"attended"`
	ContactID       int64  `json:"contact_id,omitempty"`
}

func toCampaignJSON(c outreach.Campaign) campaignJSON {
	j := campaignJSON{ID: c.ID, Kind: c.Kind, On: c.On.Format(time.DateOnly), Partner: c.Partner, Subject: c.Subject, Audience: c.Audience,
		AudienceParam: c.AudienceParam, Reached: c.Reached, CreatedAt: c.CreatedAt.UTC().Format(time.RFC3339), CreatedBy: c.CreatedBy, CreatedOrg: c.CreatedOrg, CreatedBySource: c.CreatedBySource}
	if c.Touchpoints != nil {
		j.Touchpoints = make([]touchpointJSON, len(c.Touchpoints))
		for i, t := range c.Touchpoints {
			j.Touchpoints[i] = touchpointJSON{t.MunicipalityNIS, t.Municipality, t.On.Format(time.DateOnly), t.Source, t.Registered, t.Attended, t.ContactID}
		}
	}
	return j
}

type contactJSON struct {
	ID              int64             `json:"id"`
	MunicipalityNIS string            `json:"municipality_nis"`
	Municipality    string            `json:"municipality"`
	Function        outreach.Function `json:"function"`
	Name            string            `json:"name"`
	Email           string            `json:"email"`
	Phone           string            `json:"phone"`
	CreatedAt       string            `json:"created_at"`
	CreatedBy       string            `json:"created_by"`
	UpdatedAt       string            `json:"updated_at"`
	UpdatedBy       string            `json:"updated_by"`
	CreatedBySource string            `json:"created_by_source,omitempty"` // what the program's work was, when the author is "system"
	UpdatedBySource string            `json:"updated_by_source,omitempty"`
}

func toContactJSON(c outreach.Contact) contactJSON {
	return contactJSON{c.ID, c.MunicipalityNIS, c.Municipality, c.Function, c.Name, c.Email, c.Phone,
		c.CreatedAt.UTC().Format(time.RFC3339), c.CreatedBy, c.UpdatedAt.UTC().Format(time.RFC3339), c.UpdatedBy, c.CreatedBySource, c.UpdatedBySource}
}

type contactMomentJSON struct {
	ID              int64             `json:"id"`
	MunicipalityNIS string            `json:"municipality_nis"`
	Municipality    string            `json:"municipality"`
	On              string            `json:"on"`
	Channel         outreach.Channel  `json:"channel"`
	By              string            `json:"by"`
	ContactID       int64             `json:"contact_id,omitempty"`
	WithFunction    outreach.Function `json:"with_function,omitempty"`
	Summary         string            `json:"summary"`
	NextStep        string            `json:"next_step"`
	CreatedAt       string            `json:"created_at"`
	CreatedBy       string            `json:"created_by"`
	CreatedBySource string            `json:"created_by_source,omitempty"` // what the program's work was, when created_by is "system"
}

func toMomentJSON(m outreach.ContactMoment) contactMomentJSON {
	return contactMomentJSON{m.ID, m.MunicipalityNIS, m.Municipality, m.On.Format(time.DateOnly), m.Channel, m.By, m.ContactID, m.WithFunction,
		m.Summary, m.NextStep, m.CreatedAt.UTC().Format(time.RFC3339), m.CreatedBy, m.CreatedBySource}
}

type taskJSON struct {
	ID              int64               `json:"id"`
	MunicipalityNIS string              `json:"municipality_nis"`
	Municipality    string              `json:"municipality"`
	Team            string              `json:"team"`
	Title           string              `json:"title"`
	DueOn           string              `json:"due_on"`
	Status          outreach.TaskStatus `json:"status"`
	Overdue         bool                `json:"overdue"`
	CreatedAt       string              `json:"created_at"`
	CreatedBy       string              `json:"created_by"`
	UpdatedAt       string              `json:"updated_at"`
	UpdatedBy       string              `json:"updated_by"`
	ClosedAt        *string             `json:"closed_at"`
	CreatedBySource string              `json:"created_by_source,omitempty"` // what the program's work was, when the author is "system"
	UpdatedBySource string              `json:"updated_by_source,omitempty"`
}

func (a *API) toTaskJSON(t outreach.Task) taskJSON {
	j := taskJSON{t.ID, t.MunicipalityNIS, t.Municipality, t.Team, t.Title, t.DueOn.Format(time.DateOnly), t.Status, t.Overdue(a.today()),
		t.CreatedAt.UTC().Format(time.RFC3339), t.CreatedBy, t.UpdatedAt.UTC().Format(time.RFC3339), t.UpdatedBy, nil, t.CreatedBySource, t.UpdatedBySource}
	if t.ClosedAt != nil {
		s := t.ClosedAt.UTC().Format(time.RFC3339)
		j.ClosedAt = &s
	}
	return j
}

// ---- Contacts ----

func (a *API) listContacts(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	req, err := page.Parse(r.URL.Query(), outreach.ContactSorts...)
	if err != nil {
		return err
	}
	res, err := a.Outreach.ContactPage(r.Context(), c, outreach.ContactQuery{NIS: strings.TrimSpace(r.URL.Query().Get("municipality"))}, req)
	if err != nil {
		return err
	}
	writePage(w, "contacts", mapItems(res.Items, toContactJSON), res.NextCursor(), nil)
	return nil
}

func (a *API) createContact(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var in outreach.NewContact
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	x, err := a.Outreach.CreateContact(r.Context(), c, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toContactJSON(x))
	return nil
}

func (a *API) updateContact(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	var up outreach.ContactUpdate
	if err := httpx.DecodeJSON(w, r, &up); err != nil {
		return err
	}
	x, err := a.Outreach.UpdateContact(r.Context(), c, id, up)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toContactJSON(x))
	return nil
}

func (a *API) deleteContact(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	if err := a.Outreach.DeleteContact(r.Context(), c, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- Campaigns ----

func (a *API) listCampaigns(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	req, err := page.Parse(r.URL.Query(), outreach.CampaignSorts...)
	if err != nil {
		return err
	}
	kinds := make([]string, len(outreach.CampaignKinds))
	for i, k := range outreach.CampaignKinds {
		kinds[i] = string(k)
	}
	kind, err := filterParam(r, "kind", kinds...)
	if err != nil {
		return err
	}
	res, err := a.Outreach.CampaignPage(r.Context(), c, outreach.CampaignQuery{Kind: outreach.CampaignKind(kind)}, req)
	if err != nil {
		return err
	}
	writePage(w, "campaigns", mapItems(res.Items, toCampaignJSON), res.NextCursor(), nil)
	return nil
}

func (a *API) createCampaign(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var in outreach.NewCampaign
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	x, err := a.Outreach.CreateCampaign(r.Context(), c, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toCampaignJSON(x))
	return nil
}

func (a *API) getCampaign(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	x, err := a.Outreach.Campaign(r.Context(), c, id)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, toCampaignJSON(x))
	return nil
}

// attendanceRowJSON is one row of the import report: where it is in the
// file, what it said about the municipality, and what became of it. The
// people's names and e-mail addresses are not echoed.
type attendanceRowJSON struct {
	Line            int    `json:"line"`
	Text            string `json:"text"`
	MunicipalityNIS string `json:"municipality_nis"`
	Municipality    string `json:"municipality"`
	How             string `json:"how"`
	Problem         string `json:"problem"`
	Message         string `json:"message"`
	Registered      bool   `json:"registered"`
	Attended        bool   `json:"attended"`
	Imported        bool   `json:"imported"`
	// Candidates are the municipalities an ambiguous row may mean: send
	// the file again with choice=LINE:NIS to settle it.
	Candidates []attendanceCandidateJSON `json:"candidates"`
}

type attendanceCandidateJSON struct {
	NIS  string `json:"nis"`
	Name string `json:"name"`
}

// attendanceSectionJSON is a section of a meeting report that was not
// read (hosts, panelists, activities per session).
type attendanceSectionJSON struct {
	Title string `json:"title"`
	Line  int    `json:"line"`
	Rows  int    `json:"rows"`
}

type attendanceReportJSON struct {
	Imported   bool                       `json:"imported"`
	Result     *outreach.AttendanceResult `json:"result"`
	Encoding   string                     `json:"encoding"`
	Separator  string                     `json:"separator"`
	Date       string                     `json:"date"`
	Matched    int                        `json:"matched"`
	Unmatched  int                        `json:"unmatched"`
	Duplicates int                        `json:"duplicates"`
	Organizers int                        `json:"organizers"`
	Outside    int                        `json:"outside_flanders"`
	Ambiguous  int                        `json:"ambiguous"`
	NotRead    []attendanceSectionJSON    `json:"not_read"`
	Rows       []attendanceRowJSON        `json:"rows"`
}

// parseAttendanceChoices reads the choices for ambiguous rows:
// choice=LINE:NIS, repeated.
func parseAttendanceChoices(vals []string) (map[int]string, error) {
	out := map[int]string{}
	for _, v := range vals {
		l, nis, ok := strings.Cut(strings.TrimSpace(v), ":")
		n, err := strconv.Atoi(l)
		if !ok || err != nil || n < 1 || len(nis) != 5 {
			return nil, apperr.FieldErr(apperr.Invalid, "choice", "choice must be LINE:NIS, e.g. choice=17:46020, not %q", v)
		}
		out[n] = nis
	}
	return out, nil
}

// importAttendance takes a registrations or attendance export (CSV, as
// the body) of a campaign, matches every row to a municipality on the
// campaign's date, and records the matched rows in one transaction; with
// unmatched rows nothing is recorded unless accept_partial=true. The
// answer is the row-by-row report, with imported true or false.
func (a *API) importAttendance(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || (mt != "text/csv" && mt != "text/plain") {
		return apperr.FieldErr(apperr.Invalid, "Content-Type", "send the CSV file as the body with Content-Type: text/csv")
	}
	partial := false
	if s := r.URL.Query().Get("accept_partial"); s != "" {
		switch s {
		case "true", "1":
			partial = true
		case "false", "0":
		default:
			return apperr.FieldErr(apperr.Invalid, "accept_partial", "accept_partial must be true or false")
		}
	}
	choices, err := parseAttendanceChoices(r.URL.Query()["choice"])
	if err != nil {
		return err
	}
	camp, err := a.Outreach.Campaign(r.Context(), c, id)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, attendance.MaxBytes+1))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.New(apperr.TooLarge, "the file is larger than %d MB", attendance.MaxBytes>>20)
		}
		return err
	}
	table, err := attendance.Parse(bytes.NewReader(body))
	if err != nil {
		var pe *attendance.Error
		if errors.As(err, &pe) {
			if pe.Code == attendance.CodeTooLarge {
				return apperr.New(apperr.TooLarge, "the file is larger than %d MB", attendance.MaxBytes>>20)
			}
			msg := pe.Code + ": " + pe.Message
			if pe.Line > 0 {
				msg = fmt.Sprintf("%s (line %d): %s", pe.Code, pe.Line, pe.Message)
			}
			return apperr.FieldErr(apperr.Invalid, "file", "%s", msg)
		}
		return err
	}
	rep := attendance.MatchAll(table, a.Municipalities, camp.On)
	rep.ApplyChoices(choices)
	out := attendanceReportJSON{Encoding: rep.Encoding, Separator: rep.Separator, Date: rep.Date, Matched: rep.Matched,
		Unmatched: rep.Unmatched, Duplicates: rep.Duplicates, Organizers: rep.Organizers, Outside: rep.OutsideFlanders,
		Ambiguous: rep.Ambiguous, NotRead: []attendanceSectionJSON{}, Rows: make([]attendanceRowJSON, len(rep.Rows))}
	for _, s := range rep.NotRead {
		out.NotRead = append(out.NotRead, attendanceSectionJSON{s.Title, s.Line, s.Rows})
	}
	rows := outreach.AttendanceRows(rep.Rows)
	for i, m := range rep.Rows {
		out.Rows[i] = attendanceRowJSON{Line: m.Row.Line, Text: m.Text, MunicipalityNIS: m.NIS, Municipality: m.MunicipalityName, How: m.How,
			Problem: m.Problem, Message: m.Message, Registered: m.Row.Registered, Attended: m.Row.Attended, Candidates: []attendanceCandidateJSON{}}
		if m.Problem == attendance.ProblemAmbiguous {
			for _, c := range m.Candidates {
				out.Rows[i].Candidates = append(out.Rows[i].Candidates, attendanceCandidateJSON{c.NIS, c.Name})
			}
		}
	}
	if len(rows) > 0 && (rep.Accepted || partial) {
		res, err := a.Outreach.RecordAttendance(r.Context(), c, id, rows)
		if err != nil {
			return err
		}
		out.Imported, out.Result = true, &res
		for i := range out.Rows {
			out.Rows[i].Imported = out.Rows[i].Problem == "" && out.Rows[i].MunicipalityNIS != ""
		}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// ---- Contact moments ----

func (a *API) listContactMoments(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	req, err := page.Parse(r.URL.Query(), outreach.MomentSorts...)
	if err != nil {
		return err
	}
	channels := make([]string, len(outreach.Channels))
	for i, ch := range outreach.Channels {
		channels[i] = string(ch)
	}
	ch, err := filterParam(r, "channel", channels...)
	if err != nil {
		return err
	}
	res, err := a.Outreach.MomentPage(r.Context(), c, outreach.MomentQuery{NIS: strings.TrimSpace(r.URL.Query().Get("municipality")), Channel: outreach.Channel(ch)}, req)
	if err != nil {
		return err
	}
	writePage(w, "contact_moments", mapItems(res.Items, toMomentJSON), res.NextCursor(), nil)
	return nil
}

func (a *API) createContactMoment(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var in outreach.NewContactMoment
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	x, err := a.Outreach.CreateContactMoment(r.Context(), c, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, toMomentJSON(x))
	return nil
}

// ---- Tasks ----

func (a *API) listTasks(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	req, err := page.Parse(q, outreach.TaskSorts...)
	if err != nil {
		return err
	}
	f := outreach.TaskFilter{Team: q.Get("team"), NIS: q.Get("municipality")}
	if s := q.Get("status"); s != "" {
		f.Status = outreach.TaskStatus(s)
		if s != string(outreach.TaskOpen) && s != string(outreach.TaskDone) && s != string(outreach.TaskCancelled) {
			return apperr.FieldErr(apperr.Invalid, "status", "status must be open, done or cancelled")
		}
	}
	if q.Has("due_before") {
		d, err := dateParam(r, "due_before", time.Time{})
		if err != nil {
			return err
		}
		f.DueBefore = &d
	}
	due, err := filterParam(r, "due", "overdue")
	if err != nil {
		return err
	}
	res, err := a.Outreach.TaskPage(r.Context(), c, outreach.TaskQuery{TaskFilter: f, Overdue: due == "overdue"}, req)
	if err != nil {
		return err
	}
	writePage(w, "tasks", mapItems(res.Items, a.toTaskJSON), res.NextCursor(), nil)
	return nil
}

func (a *API) createTask(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	var in outreach.NewTask
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	x, err := a.Outreach.CreateTask(r.Context(), c, in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, a.toTaskJSON(x))
	return nil
}

func (a *API) updateTask(w http.ResponseWriter, r *http.Request) error {
	c, id, err := callerWithID(w, r, nil)
	if err != nil {
		return err
	}
	var up outreach.TaskUpdate
	if err := httpx.DecodeJSON(w, r, &up); err != nil {
		return err
	}
	x, err := a.Outreach.UpdateTask(r.Context(), c, id, up)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, a.toTaskJSON(x))
	return nil
}

// ---- Reports ----

// OutreachReportTable is the outreach report as a table (the same for
// CSV, XLSX and a page's download).
func OutreachReportTable(rep outreach.Report) export.Table {
	t := export.Table{Sheet: "Benadering " + rep.AsOf, Header: []string{"nis", "name", "province", "team", "stage", "since", "agreement_status",
		"last_contact", "days_since_contact", "last_touchpoint"}}
	for _, s := range outreach.Stages {
		t.Header = append(t.Header, "days_"+string(s))
	}
	date := func(s string) any {
		if s == "" {
			return nil
		}
		d, _ := municipality.ParseDate(s)
		return d
	}
	for _, m := range rep.Municipalities {
		var days any
		if m.DaysSinceContact != nil {
			days = *m.DaysSinceContact
		}
		row := []any{m.NIS, m.Name, m.Province, m.Team, string(m.Stage), date(m.Since), string(m.AgreementStatus),
			date(m.LastContact), days, date(m.LastTouchpoint)}
		for _, s := range outreach.Stages {
			row = append(row, m.StageDays[s])
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// outreachReport: the stage of every Flemish municipality on as_of,
// derived from campaigns, contact moments and the agreement history, with
// the counts and the funnel. Admins, analysts and the local teams: no
// personal data.
func (a *API) outreachReport(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	if !outreach.CanReadReports(c) {
		return outreach.Forbidden()
	}
	asOf, err := dateParam(r, "as_of", a.today())
	if err != nil {
		return err
	}
	rep, err := a.Outreach.OutreachReport(r.Context(), asOf)
	if err != nil {
		return err
	}
	if done, err := a.writeTable(w, r, "benadering-"+rep.AsOf, OutreachReportTable(rep)); done || err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
	return nil
}

// MissedRow is one municipality of the missed-referrals report.
type MissedRow struct {
	NIS      string          `json:"nis"`
	Name     string          `json:"name"`
	Province string          `json:"province"`
	Counts   []suppress.Cell `json:"counts"`
	Total    suppress.Cell   `json:"total"`
}

// MissedReport is the anonymous count of referrals the local teams could
// not make for want of an agreement in force, per municipality and month,
// protected per calendar quarter (see suppress.ByQuarter): small counts
// shown as "<5", every shown count rounded to a multiple of 5.
type MissedReport struct {
	From           string          `json:"from"`
	To             string          `json:"to"`
	Months         []string        `json:"months"`
	Municipalities []MissedRow     `json:"municipalities"`
	MonthTotals    []suppress.Cell `json:"month_totals"`
	Total          suppress.Cell   `json:"total"`
	Legend         string          `json:"legend"`
	// RoundedTo is the base every shown count is rounded to.
	RoundedTo int `json:"rounded_to"`
	// ProtectedPer is the calendar period the counts are protected on:
	// the window always covers whole, ended quarters.
	ProtectedPer string `json:"protected_per"`
}

// maxMissedMonths bounds the width of the missed-referrals table.
const maxMissedMonths = 60

func monthParam(r *http.Request, name string, def time.Time) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 {
		return t, apperr.FieldErr(apperr.InvalidDate, name, "%s must be a month YYYY-MM, got %q", name, s)
	}
	return t, nil
}

// quarterWindow reads from and to (months) and widens them to whole
// calendar quarters that have ended at least settle days before today: a
// window of arbitrary months would let two overlapping windows be
// subtracted. By default the last four ended quarters.
func quarterWindow(r *http.Request, today time.Time, settle, maxMonths int) (from, to time.Time, err error) {
	last := suppress.LastQuarter(today, settle)
	to, err = monthParam(r, "to", last)
	if err != nil {
		return from, to, err
	}
	from, err = monthParam(r, "from", to.AddDate(0, -11, 0))
	if err != nil {
		return from, to, err
	}
	if from.After(to) {
		return from, to, apperr.FieldErr(apperr.InvalidDate, "from", "from must not be after to")
	}
	if n := (to.Year()-from.Year())*12 + int(to.Month()) - int(from.Month()) + 1; n > maxMonths {
		return from, to, apperr.FieldErr(apperr.InvalidDate, "from", "at most %d months at once", maxMonths)
	}
	from, to, ok := suppress.Quarters(from, to, last)
	if !ok {
		return from, to, apperr.FieldErr(apperr.InvalidDate, "from",
			"counts are published per calendar quarter once it has ended; the last one ends with %s", last.Format("2006-01"))
	}
	return from, to, nil
}

// BuildMissedReport aggregates the counts per municipality and month
// (over the teams) for the months from..to, widened to whole calendar
// quarters (callers pass a window from suppress.Quarters, so that only
// ended quarters are shown), and protects them with suppress.ByQuarter.
func BuildMissedReport(counts []outreach.MissedCount, from, to time.Time, reg *municipality.Registry) MissedReport {
	from, to, _ = suppress.Quarters(from, to, to.AddDate(0, 3, 0))
	rep := MissedReport{From: from.Format("2006-01"), To: to.Format("2006-01"), Legend: suppress.Legend, Municipalities: []MissedRow{},
		RoundedTo: suppress.Base, ProtectedPer: suppress.Period}
	col := map[string]int{}
	var months []time.Time
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		col[m.Format("2006-01")] = len(rep.Months)
		rep.Months = append(rep.Months, m.Format("2006-01"))
		months = append(months, m)
	}
	byNIS := map[string][]int{}
	for _, c := range counts {
		j, ok := col[c.Month]
		if !ok || c.Count <= 0 {
			continue
		}
		if byNIS[c.MunicipalityNIS] == nil {
			byNIS[c.MunicipalityNIS] = make([]int, len(rep.Months))
		}
		byNIS[c.MunicipalityNIS][j] += c.Count
	}
	for nis := range byNIS {
		row := MissedRow{NIS: nis, Name: nis}
		if m, ok := reg.ByNIS(nis); ok {
			row.Name, row.Province = m.Name, m.Province
		}
		rep.Municipalities = append(rep.Municipalities, row)
	}
	// The order does not depend on the window: ByQuarter needs that.
	sort.Slice(rep.Municipalities, func(i, j int) bool {
		a, b := rep.Municipalities[i], rep.Municipalities[j]
		if x, y := strings.ToLower(a.Name), strings.ToLower(b.Name); x != y {
			return x < y
		}
		return a.NIS < b.NIS
	})
	table := make([][]int, len(rep.Municipalities))
	for i, m := range rep.Municipalities {
		table[i] = byNIS[m.NIS]
	}
	cells, rowTot, colTot, grand := suppress.ByQuarter(table, months)
	for i := range rep.Municipalities {
		rep.Municipalities[i].Counts, rep.Municipalities[i].Total = cells[i], rowTot[i]
	}
	rep.MonthTotals, rep.Total = colTot, grand
	return rep
}

// MissedReportTable is the missed-referrals report as a table: shown
// counts as numbers, suppressed ones as "<5" or "x", a last row of totals.
func MissedReportTable(rep MissedReport) export.Table {
	t := export.Table{Sheet: "Gemiste aanmeldingen", Header: append(append([]string{"nis", "name", "province"}, rep.Months...), "total")}
	cell := func(c suppress.Cell) any {
		if c.Suppressed {
			return c.String()
		}
		return c.Value
	}
	for _, m := range rep.Municipalities {
		row := []any{m.NIS, m.Name, m.Province}
		for _, c := range m.Counts {
			row = append(row, cell(c))
		}
		t.Rows = append(t.Rows, append(row, cell(m.Total)))
	}
	row := []any{"", "Totaal", ""}
	for _, c := range rep.MonthTotals {
		row = append(row, cell(c))
	}
	t.Rows = append(t.Rows, append(row, cell(rep.Total)))
	return t
}

// missedReferrals: the anonymous counts of referrals the local teams could
// not make for want of an agreement, per municipality and month, small
// counts suppressed. Admins, analysts and the local teams.
func (a *API) missedReferrals(w http.ResponseWriter, r *http.Request) error {
	c, err := caller(r)
	if err != nil {
		return err
	}
	if !outreach.CanReadReports(c) {
		return outreach.Forbidden()
	}
	from, to, err := quarterWindow(r, a.today(), 0, maxMissedMonths)
	if err != nil {
		return err
	}
	counts, err := a.Outreach.MissedReferralCounts(r.Context(), from.Format("2006-01"), to.Format("2006-01"))
	if err != nil {
		return err
	}
	rep := BuildMissedReport(counts, from, to, a.Municipalities)
	if done, err := a.writeTable(w, r, "gemiste-aanmeldingen-"+rep.From+"-"+rep.To, MissedReportTable(rep)); done || err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rep)
	return nil
}
