package web

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/attendance"
	"kansrijk/internal/i18n"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/page"
)

func (ui *UI) showOutreachCampaigns(w http.ResponseWriter, r *http.Request, a account.Actor) {
	p := ui.page(r, "page.outreach_campaigns.title", nil)
	p.Form = url.Values{"on": {ui.today().Format(time.DateOnly)}}
	if isTeamRole(a) {
		p.Form.Set("audience", string(outreach.AudienceTeamArea))
	}
	ui.renderOutreachCampaigns(w, r, a, http.StatusOK, p)
}

// renderOutreachCampaigns lists the campaigns, newest first, with the
// form to record one. Admins address any audience; a local team its own
// area or a list of its municipalities (the store's rule).
func (ui *UI) renderOutreachCampaigns(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page) {
	ctx := r.Context()
	// The list a page of 50 at a time (issue 12), newest first unless
	// sorted otherwise, searchable by subject and partner.
	req, st := listRequest(r, p, outreach.CampaignSorts...)
	if status == http.StatusOK {
		status = st
	}
	kind := outreach.CampaignKind(r.URL.Query().Get("kind"))
	if !slices.Contains(outreach.CampaignKinds, kind) {
		kind = ""
	}
	res, stale, err := fetchList(req, func(req page.Request) (page.Result[outreach.Campaign], error) {
		return ui.Outreach.CampaignPage(ctx, a, outreach.CampaignQuery{Kind: kind}, req)
	})
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if stale {
		req.After = nil
		p.cursorReset(true)
	}
	list := res.Items
	today := ui.today()
	teams, err := ui.teamDirectory(ctx, today)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	choices := ui.Municipalities.On(today, municipality.Flanders)
	audiences := outreach.Audiences
	if isTeamRole(a) {
		area := teams.Area(a.Org)
		var own []municipality.Municipality
		for _, m := range choices {
			if slices.Contains(area, m.NIS) {
				own = append(own, m)
			}
		}
		choices = own
		audiences = []outreach.Audience{outreach.AudienceTeamArea, outreach.AudienceList}
	}
	p.Data = map[string]any{
		"List": list, "Nav": listNav(r, req, len(list), res.Next, res.Prev), "Kinds": outreach.CampaignKinds, "Audiences": audiences, "Provinces": outreach.Provinces,
		"Teams": teams.Teams, "TeamNames": teams, "IsAdmin": a.Role == account.Admin,
		"Groups": groups(ui.areaChoices(today, choices, p.Form["municipality"])), "Invalid": "campaign-new/" + p.Field,
	}
	ui.render(w, status, "outreach_campaigns", p)
}

func (ui *UI) createOutreachCampaign(w http.ResponseWriter, r *http.Request, a account.Actor) {
	f := r.PostForm
	iso, problems := formDates(f, "on")
	in := outreach.NewCampaign{Kind: f.Get("kind"), On: iso.Get("on"), Partner: f.Get("partner"), Subject: f.Get("subject"), Audience: f.Get("audience")}
	// The form shows every audience's parameter; only the chosen one counts.
	switch outreach.Audience(in.Audience) {
	case outreach.AudienceProvince:
		in.AudienceParam = f.Get("audience_province")
	case outreach.AudienceTeamArea:
		in.AudienceParam = f.Get("audience_team")
	case outreach.AudienceList:
		in.Municipalities = f["municipality"]
	}
	err := apperr.Join(problems)
	var c outreach.Campaign
	if err == nil {
		c, err = ui.Outreach.CreateCampaign(r.Context(), a, in)
	}
	if err != nil {
		p := ui.page(r, "page.outreach_campaigns.title", nil)
		p.formProblems(r, outreachFieldNames(p.Lang, err), outreachSpec(p.Lang, "campaign-new"))
		p.Form = f
		ui.renderOutreachCampaigns(w, r, a, statusOf(err), p)
		return
	}
	http.Redirect(w, r, "/outreach/campaigns/"+strconv.FormatInt(c.ID, 10)+"?ok=outreach_campaign_created", http.StatusSeeOther)
}

// attendanceRowView is one row of an attendance import's report: where
// it is in the file, what it said, and what became of it. People's
// names and e-mail addresses are not shown.
type attendanceRowView struct {
	Line                        int
	Text                        string
	NIS, Municipality           string
	How, Problem, Message       string
	HowKey, ProblemKey          string // translation keys of How and Problem
	Registered, Attended, Saved bool
	// Candidates are the municipalities an ambiguous row may mean: the
	// user chooses one and the file is read again.
	Candidates []attendance.Candidate
}

// attendanceView is the report of an attendance import.
type attendanceView struct {
	Filename                       string
	Imported, Partial              bool
	Result                         outreach.AttendanceResult
	Encoding, Separator            string
	Matched, Unmatched, Duplicates int
	Organizers, OutsideFlanders    int
	Ambiguous                      int
	NotRead                        []attendance.Section
	Rows                           []attendanceRowView
	// Content is the file (base64), carried by the form of choices so
	// that the server keeps nothing between the steps; Chosen are the
	// choices made before (line → NIS).
	Content string
	Chosen  map[int]string
}

// attendanceKey is the translation key of a How or Problem code: the
// outreach catalogue's, else this area's for the codes added later.
func attendanceKey(kind, code string) string {
	if k := "outreach." + kind + "." + code; i18n.Has(i18n.NL, k) {
		return k
	}
	return "attendance." + kind + "." + code
}

// attendanceChoices reads the choices of ambiguous rows from a form:
// fields "choice-<line>" holding a NIS code.
func attendanceChoices(f url.Values) map[int]string {
	out := map[int]string{}
	for k, v := range f {
		if line, ok := strings.CutPrefix(k, "choice-"); ok && len(v) > 0 && v[0] != "" {
			if n, err := strconv.Atoi(line); err == nil && n > 0 {
				out[n] = strings.TrimSpace(v[0])
			}
		}
	}
	return out
}

func (ui *UI) showOutreachCampaign(w http.ResponseWriter, r *http.Request, a account.Actor) {
	ui.renderOutreachCampaign(w, r, a, http.StatusOK, ui.page(r, "page.outreach_campaign.title", nil), nil)
}

// renderOutreachCampaign shows a campaign, the municipalities it reached
// that the caller may see, and the attendance upload; rep is the report
// of an import just done (nil otherwise).
func (ui *UI) renderOutreachCampaign(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page, rep *attendanceView) {
	c, err := ui.Outreach.Campaign(r.Context(), a, formID(r))
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	teams, err := ui.teamDirectory(r.Context(), ui.today())
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	registered, attended := 0, 0
	for _, tp := range c.Touchpoints {
		if tp.Registered {
			registered++
		}
		if tp.Attended {
			attended++
		}
	}
	by := teams.Name(c.CreatedOrg)
	if c.CreatedOrg == org.OpgroeienKey {
		by = "Opgroeien"
	}
	param := c.AudienceParam
	if c.Audience == outreach.AudienceTeamArea {
		param = teams.Name(param)
	}
	if p.Form == nil {
		p.Form = url.Values{}
	}
	p.Data = map[string]any{
		"C": c, "By": by, "Param": param, "Registered": registered, "Attended": attended, "Report": rep,
		"CanUpload":   a.Role == account.Admin || (isTeamRole(a) && c.CreatedOrg == a.Org),
		"MaxUploadMB": attendance.MaxBytes >> 20, "MaxUploadBytes": attendance.MaxBytes,
	}
	ui.render(w, status, "outreach_campaign", p)
}

// uploadOutreachAttendance imports a webinar's registrations or
// attendance (a CSV export, or a meeting report of Teams, Zoom or Webex)
// the way the API's importAttendance does: parse, match every row to a
// municipality on the campaign's date, apply the user's choices for
// ambiguous rows, and record the matched rows in one transaction, only
// when no row is unmatched (or the user accepts the matched rows only). A
// rejected file or an unaccepted report writes nothing. The answer is the
// row-by-row report; with ambiguous rows it is a form that asks which
// municipality is meant and sends the file again (it is not kept on the
// server). Sending the same file again changes nothing more, so the page
// is shown directly rather than after a redirect.
func (ui *UI) uploadOutreachAttendance(w http.ResponseWriter, r *http.Request, a account.Actor, up upload) {
	ctx := r.Context()
	p := ui.page(r, "page.outreach_campaign.title", nil)
	p.Form = r.PostForm
	fail := func(err error) {
		p.withOutreachError(r, err)
		ui.renderOutreachCampaign(w, r, a, statusOf(err), p, nil)
	}
	camp, err := ui.Outreach.Campaign(ctx, a, formID(r))
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	partial := r.PostForm.Get("accept_partial") == "on"
	mb := attendance.MaxBytes >> 20
	switch {
	case up.TooLarge:
		fail(apperr.FieldErr(apperr.TooLarge, "file", "the file is larger than %d MB", mb).WithKey("attendance.error.too_large", map[string]any{"MB": mb}))
		return
	case !up.Sent:
		fail(apperr.FieldErr(apperr.Invalid, "file", "no file").WithKey("error.file_empty", nil))
		return
	}
	table, err := attendance.Parse(bytes.NewReader(up.Data))
	if err != nil {
		var pe *attendance.Error
		if !errors.As(err, &pe) {
			ui.fail(w, r, err)
			return
		}
		code, key, args := apperr.Invalid, "error.attendance_file", map[string]any{"Message": pe.Message}
		if pe.Code == attendance.CodeTooLarge {
			code = apperr.TooLarge
		}
		if pe.Line > 0 {
			key, args["Line"] = "error.attendance_file_line", pe.Line
		}
		fail(apperr.FieldErr(code, "file", "%s: %s", pe.Code, pe.Message).WithKey(key, args))
		return
	}
	rep := attendance.MatchAll(table, ui.Municipalities, camp.On)
	chosen := attendanceChoices(r.PostForm)
	rep.ApplyChoices(chosen)
	view := &attendanceView{Filename: up.Name, Partial: partial, Encoding: rep.Encoding, Separator: rep.Separator,
		Matched: rep.Matched, Unmatched: rep.Unmatched, Duplicates: rep.Duplicates, Organizers: rep.Organizers,
		OutsideFlanders: rep.OutsideFlanders, Ambiguous: rep.Ambiguous, NotRead: rep.NotRead,
		Rows: make([]attendanceRowView, len(rep.Rows)), Chosen: map[int]string{}}
	if view.Separator == "\t" {
		view.Separator = "tab"
	}
	rows := outreach.AttendanceRows(rep.Rows)
	for i, m := range rep.Rows {
		view.Rows[i] = attendanceRowView{Line: m.Row.Line, Text: m.Text, NIS: m.NIS, Municipality: m.MunicipalityName, How: m.How,
			Problem: m.Problem, Message: m.Message, Registered: m.Row.Registered, Attended: m.Row.Attended,
			HowKey: attendanceKey("how", m.How), ProblemKey: attendanceKey("problem", m.Problem)}
		if m.Problem == attendance.ProblemAmbiguous {
			view.Rows[i].Candidates = m.Candidates
		}
		if m.How == attendance.HowChosen {
			view.Chosen[m.Row.Line] = m.NIS
		}
	}
	status := http.StatusOK
	if len(rows) > 0 && (rep.Accepted || partial) {
		res, err := ui.Outreach.RecordAttendance(ctx, a, camp.ID, rows)
		if err != nil {
			p.withOutreachError(r, err)
			status = statusOf(err)
		} else {
			view.Imported, view.Result = true, res
			for i := range view.Rows {
				view.Rows[i].Saved = view.Rows[i].Problem == "" && view.Rows[i].NIS != ""
			}
		}
	}
	if !view.Imported && view.Ambiguous > 0 {
		view.Content = base64.StdEncoding.EncodeToString(up.Data)
	}
	ui.renderOutreachCampaign(w, r, a, status, p, view)
}
