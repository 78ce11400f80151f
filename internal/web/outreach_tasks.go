package web

import (
	"net/http"
	"net/url"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/outreach"
	"kansrijk/internal/page"
)

// showOutreachTasks lists the tasks of the proactive approach: a local
// team's own, or (admins) all of them or one team's, a page of 50 at a
// time (issue 12), by due date unless sorted otherwise, searchable by
// title and municipality, filtered by status and by overdue
// (?due=overdue: open and due before today), the filters in the URL.
func (ui *UI) showOutreachTasks(w http.ResponseWriter, r *http.Request, a account.Actor) {
	q := r.URL.Query()
	p := ui.page(r, "page.outreach_tasks.title", nil)
	p.Form = q
	today := ui.today()
	teams, err := ui.teamDirectory(r.Context(), today)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	// Open tasks first (by due date), unless sorted otherwise.
	req, status := listRequest(r, p, append([]string{"open"}, outreach.TaskSorts...)...)
	f := outreach.TaskQuery{Overdue: q.Get("due") == "overdue"}
	if a.Role == account.Admin {
		if f.Team = q.Get("team"); f.Team != "" && !teams.Has(f.Team) {
			p.withOutreachError(r, apperr.FieldErr(apperr.UnknownOrg, "team", "unknown team").WithKey("error.unknown_org", map[string]any{"Org": f.Team}))
			status, f.Team = http.StatusBadRequest, ""
		}
	}
	// due=overdue: the open tasks past their due day (the start page's link).
	if d := q.Get("due"); d != "" && d != "overdue" {
		p.withOutreachError(r, apperr.FieldErr(apperr.Invalid, "due", "due must be overdue").WithKey("home.error.due", map[string]any{"Value": d}))
		status = http.StatusBadRequest
	}
	switch st := outreach.TaskStatus(q.Get("status")); st {
	case "", outreach.TaskOpen, outreach.TaskDone, outreach.TaskCancelled:
		f.Status = st
	default:
		p.withOutreachError(r, apperr.FieldErr(apperr.Invalid, "status", "unknown status").WithKey("error.unknown_task_status", map[string]any{"Status": string(st)}))
		status = http.StatusBadRequest
	}
	res, stale, err := fetchList(req, func(req page.Request) (page.Result[outreach.Task], error) {
		return ui.Outreach.TaskPage(r.Context(), a, f, req)
	})
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if stale {
		req.After = nil
		p.cursorReset(true)
	}
	open, overdue, err := ui.Outreach.TaskCounts(r.Context(), a, f.Team)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	rows := make([]taskRow, len(res.Items))
	for i, t := range res.Items {
		rows[i] = taskRow{Task: t, TeamName: teams.Name(t.Team), Overdue: t.Overdue(today)}
	}
	p.Data = map[string]any{"Rows": rows, "Open": open, "Overdue": overdue, "Teams": teams.Teams, "Team": f.Team,
		"Status": string(f.Status), "Due": q.Get("due"), "Nav": listNav(r, req, len(rows), res.Next, res.Prev),
		"IsAdmin": a.Role == account.Admin, "OwnTeam": teams.Name(a.Org), "Back": r.URL.RequestURI()}
	ui.render(w, status, "outreach_tasks", p)
}

// updateOutreachTask marks a task done or cancelled (or open again) and
// returns to the page the button was on.
func (ui *UI) updateOutreachTask(w http.ResponseWriter, r *http.Request, a account.Actor) {
	st := r.PostForm.Get("status")
	if _, err := ui.Outreach.UpdateTask(r.Context(), a, formID(r), outreach.TaskUpdate{Status: &st}); err != nil {
		ui.fail(w, r, err)
		return
	}
	back := r.PostForm.Get("back")
	if back == "" {
		back = "/outreach/tasks"
	}
	u, err := url.Parse(safeNext(back))
	if err != nil {
		u = &url.URL{Path: "/outreach/tasks"}
	}
	q := u.Query()
	q.Set("ok", "outreach_task_updated")
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}
