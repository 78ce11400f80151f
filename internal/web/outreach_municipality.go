package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
)

// spanRow is a stay in one stage, as the history table shows it.
type spanRow struct {
	Stage    outreach.Stage
	From, To time.Time // zero From: since before any fact; zero To: still there
	Days     int
}

// stageDays is the time spent in one stage.
type stageDays struct {
	Stage outreach.Stage
	Days  int
}

// momentRow is a contact moment with the names of who and with whom.
type momentRow struct {
	outreach.ContactMoment
	ByName      string
	ContactName string // "" when with a function, or the contact was removed
}

// taskRow is a task with its team's name and whether it is overdue.
type taskRow struct {
	outreach.Task
	TeamName string
	Overdue  bool
}

// taskTable is what the task table of a page needs: the page (language,
// CSRF), the rows, where the buttons return to, and whether to show the
// municipality.
type taskTable struct {
	Page             *Page
	Rows             []taskRow
	Back             string
	ID               string
	WithMunicipality bool
}

func init() {
	funcs["outreachTasks"] = func(p *Page, rows []taskRow, back string, withMunicipality bool) taskTable {
		return taskTable{Page: p, Rows: rows, Back: back, ID: "task-list", WithMunicipality: withMunicipality}
	}
}

// campaignReach is a campaign that reached the municipality, and how.
type campaignReach struct {
	Campaign   outreach.Campaign
	Touchpoint outreach.Touchpoint
}

// sortTasks puts open tasks first, by due date, then the closed ones,
// most recently closed first.
func sortTasks(list []outreach.Task, today time.Time, teams teamDirectory) []taskRow {
	out := make([]taskRow, len(list))
	for i, t := range list {
		out[i] = taskRow{Task: t, TeamName: teams.Name(t.Team), Overdue: t.Overdue(today)}
	}
	slices.SortStableFunc(out, func(x, y taskRow) int {
		xo, yo := x.Status == outreach.TaskOpen, y.Status == outreach.TaskOpen
		switch {
		case xo && !yo:
			return -1
		case !xo && yo:
			return 1
		case xo:
			return x.DueOn.Compare(y.DueOn)
		}
		var xc, yc time.Time
		if x.ClosedAt != nil {
			xc = *x.ClosedAt
		}
		if y.ClosedAt != nil {
			yc = *y.ClosedAt
		}
		return yc.Compare(xc)
	})
	return out
}

func outreachMunicipalityPath(nis string) string {
	return "/outreach/municipalities/" + url.PathEscape(nis)
}

func (ui *UI) showOutreachMunicipality(w http.ResponseWriter, r *http.Request, a account.Actor) {
	ui.renderOutreachMunicipality(w, r, a, http.StatusOK, ui.page(r, "page.outreach_municipality.title", nil), "")
}

// outreachMunicipalityFailed shows the municipality's page again with the
// error of the form failed and what was typed in it.
func (ui *UI) outreachMunicipalityFailed(w http.ResponseWriter, r *http.Request, a account.Actor, err error, failed string) {
	p := ui.page(r, "page.outreach_municipality.title", nil).formProblems(r, outreachFieldNames(p0Lang(r), err), outreachSpec(p0Lang(r), failed))
	p.Form = r.PostForm
	ui.renderOutreachMunicipality(w, r, a, statusOf(err), p, failed)
}

// renderOutreachMunicipality shows where a municipality stands: its stage
// and history for everyone who reads the outreach report; its contacts,
// contact moments, tasks and campaigns for admins and the team whose area
// holds it. failed names the form whose input p.Form holds.
func (ui *UI) renderOutreachMunicipality(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page, failed string) {
	if !outreach.CanReadReports(a) {
		ui.fail(w, r, outreach.Forbidden())
		return
	}
	ctx := r.Context()
	nis, today := r.PathValue("nis"), ui.today()
	m, ok := ui.Municipalities.ByNIS(nis)
	if !ok || m.Region != municipality.Flanders {
		ui.notFound(w, r)
		return
	}
	if !ui.Municipalities.ValidOn(nis, today) {
		// A merged municipality's history lives on in its successor.
		if s, ok := ui.Municipalities.SuccessorOn(nis, today); ok && r.Method == http.MethodGet {
			http.Redirect(w, r, outreachMunicipalityPath(s.NIS), http.StatusSeeOther)
			return
		}
		ui.notFound(w, r)
		return
	}
	rep, err := ui.Outreach.OutreachReport(ctx, today)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(rep.Municipalities, func(x outreach.MunicipalityStage) bool { return x.NIS == nis })
	if i < 0 {
		ui.notFound(w, r)
		return
	}
	row := rep.Municipalities[i]
	if isTeamRole(a) && row.Team != a.Org {
		ui.fail(w, r, apperr.New(apperr.Forbidden, "%s is not in your team's service area", m.Name).WithKey("error.not_in_your_area", map[string]any{"Name": m.Name}))
		return
	}
	teams, err := ui.teamDirectory(ctx, today)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	d := map[string]any{
		"M": m, "Row": row, "TeamName": teams.Name(row.Team), "Today": today, "Personal": outreachPersonal(a),
		"IsAdmin": a.Role == account.Admin, "Teams": teams.Teams, "OwnTeam": teams.Name(a.Org),
		"Functions": outreach.Functions, "Channels": outreach.Channels, "Failed": failed, "Invalid": failed + "/" + p.Field,
	}
	if row.DaysSinceContact != nil {
		d["DaysSinceContact"] = *row.DaysSinceContact
	}
	var preds []municipality.Municipality
	for _, code := range row.Predecessors {
		if pm, ok := ui.Municipalities.ByNIS(code); ok {
			preds = append(preds, pm)
		}
	}
	d["Predecessors"] = preds
	var spans []spanRow
	for _, s := range row.Spans {
		spans = append(spans, spanRow{Stage: s.Stage, From: s.From, To: s.To, Days: s.Days(today)})
	}
	d["Spans"] = spans
	var days []stageDays
	for _, s := range outreach.Stages {
		if n := row.StageDays[s]; n > 0 {
			days = append(days, stageDays{s, n})
		}
	}
	d["StageDays"] = days

	values := map[string]url.Values{
		"moment-new": {"on": {today.Format(time.DateOnly)}},
		"task-new":   {"team": {row.Team}},
	}
	if outreachPersonal(a) {
		contacts, err := ui.Outreach.Contacts(ctx, a, nis)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		names := map[int64]string{}
		for _, c := range contacts {
			names[c.ID] = c.Name
			values["contact-"+strconv.FormatInt(c.ID, 10)] = url.Values{"function": {string(c.Function)}, "name": {c.Name}, "email": {c.Email}, "phone": {c.Phone}}
		}
		var moments []momentRow
		for _, code := range append([]string{nis}, row.Predecessors...) {
			list, err := ui.Outreach.ContactMoments(ctx, a, code)
			if err != nil {
				ui.fail(w, r, err)
				return
			}
			for _, x := range list {
				by := teams.Name(x.By)
				if x.By == org.OpgroeienKey {
					by = "Opgroeien"
				}
				moments = append(moments, momentRow{ContactMoment: x, ByName: by, ContactName: names[x.ContactID]})
			}
		}
		slices.SortStableFunc(moments, func(x, y momentRow) int { return y.On.Compare(x.On) })
		tasks, err := ui.Outreach.Tasks(ctx, a, outreach.TaskFilter{NIS: nis})
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		reached, err := ui.campaignsReaching(ctx, a, append([]string{nis}, row.Predecessors...))
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		d["Contacts"], d["Moments"], d["Tasks"], d["Campaigns"] = contacts, moments, sortTasks(tasks, today, teams), reached
	}
	if failed != "" {
		values[failed] = p.Form
	}
	d["Values"] = values
	p.Data = d
	ui.render(w, status, "outreach_municipality", p)
}

// campaignsReaching lists the campaigns that reached one of the codes
// (a municipality and its predecessors), newest first.
func (ui *UI) campaignsReaching(ctx context.Context, a account.Actor, codes []string) ([]campaignReach, error) {
	list, err := ui.Outreach.Campaigns(ctx, a)
	if err != nil {
		return nil, err
	}
	var out []campaignReach
	for _, c := range list {
		full, err := ui.Outreach.Campaign(ctx, a, c.ID)
		if err != nil {
			return nil, err
		}
		for _, tp := range full.Touchpoints {
			if slices.Contains(codes, tp.MunicipalityNIS) {
				out = append(out, campaignReach{Campaign: c, Touchpoint: tp})
			}
		}
	}
	return out, nil
}

func formID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id
}

func (ui *UI) createOutreachContact(w http.ResponseWriter, r *http.Request, a account.Actor) {
	f, nis := r.PostForm, r.PathValue("nis")
	_, err := ui.Outreach.CreateContact(r.Context(), a, outreach.NewContact{MunicipalityNIS: nis, Function: f.Get("function"),
		Name: f.Get("name"), Email: f.Get("email"), Phone: f.Get("phone")})
	if err != nil {
		ui.outreachMunicipalityFailed(w, r, a, err, "contact-new")
		return
	}
	http.Redirect(w, r, outreachMunicipalityPath(nis)+"?ok=outreach_contact_added#contacts", http.StatusSeeOther)
}

func (ui *UI) updateOutreachContact(w http.ResponseWriter, r *http.Request, a account.Actor) {
	f := r.PostForm
	fn, name, email, phone := f.Get("function"), f.Get("name"), f.Get("email"), f.Get("phone")
	c, err := ui.Outreach.UpdateContact(r.Context(), a, formID(r), outreach.ContactUpdate{Function: &fn, Name: &name, Email: &email, Phone: &phone})
	if err != nil {
		ui.outreachMunicipalityFailed(w, r, a, err, "contact-"+strconv.FormatInt(formID(r), 10))
		return
	}
	http.Redirect(w, r, outreachMunicipalityPath(c.MunicipalityNIS)+"?ok=outreach_contact_saved#contacts", http.StatusSeeOther)
}

func (ui *UI) deleteOutreachContact(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if err := ui.Outreach.DeleteContact(r.Context(), a, formID(r)); err != nil {
		ui.outreachMunicipalityFailed(w, r, a, err, "contact-"+strconv.FormatInt(formID(r), 10))
		return
	}
	http.Redirect(w, r, outreachMunicipalityPath(r.PathValue("nis"))+"?ok=outreach_contact_deleted#contacts", http.StatusSeeOther)
}

func (ui *UI) createOutreachMoment(w http.ResponseWriter, r *http.Request, a account.Actor) {
	f, nis := r.PostForm, r.PathValue("nis")
	iso, problems := formDates(f, "on")
	in := outreach.NewContactMoment{MunicipalityNIS: nis, On: iso.Get("on"), Channel: f.Get("channel"), By: f.Get("by"),
		Summary: f.Get("summary"), NextStep: f.Get("next_step")}
	err := apperr.Join(problems)
	if with := f.Get("with"); err != nil {
	} else if strings.HasPrefix(with, "contact-") {
		if in.ContactID, err = strconv.ParseInt(strings.TrimPrefix(with, "contact-"), 10, 64); err != nil {
			err = apperr.FieldErr(apperr.Invalid, "with", "invalid contact").WithKey("error.invalid", nil)
		}
	} else {
		in.WithFunction = with
	}
	if err == nil {
		_, err = ui.Outreach.CreateContactMoment(r.Context(), a, in)
	}
	if err != nil {
		ui.outreachMunicipalityFailed(w, r, a, err, "moment-new")
		return
	}
	http.Redirect(w, r, outreachMunicipalityPath(nis)+"?ok=outreach_moment_logged#moments", http.StatusSeeOther)
}

func (ui *UI) createOutreachTask(w http.ResponseWriter, r *http.Request, a account.Actor) {
	f, nis := r.PostForm, r.PathValue("nis")
	iso, problems := formDates(f, "due_on")
	if strings.TrimSpace(f.Get("due_on")) == "" {
		problems = append(problems, required("due_on"))
	}
	err := apperr.Join(problems)
	if err == nil {
		_, err = ui.Outreach.CreateTask(r.Context(), a, outreach.NewTask{MunicipalityNIS: nis, Team: f.Get("team"), Title: f.Get("title"), DueOn: iso.Get("due_on")})
	}
	if err != nil {
		ui.outreachMunicipalityFailed(w, r, a, err, "task-new")
		return
	}
	http.Redirect(w, r, outreachMunicipalityPath(nis)+"?ok=outreach_task_planned#tasks", http.StatusSeeOther)
}
