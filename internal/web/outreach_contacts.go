package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/dates"
	"kansrijk/internal/municipality"
	"kansrijk/internal/outreach"
)

// showOutreachContacts is the page of the contact persons at local
// governments (GET /outreach/contacts, issue 12): a page of 50 at a time,
// searchable by name, e-mail address, function and municipality, sortable,
// filtered by municipality, campaign (the contacts its touchpoints or
// mailings reached), function and the days they were added (typed as
// people type dates), every filter in the URL. The same rights and audit
// as the API's list (outreach.Lists.ContactPage): admins and Opgroeien's
// DPO all contacts, a local team those of its own area, one audit event
// per page naming the contacts shown; every other role 403 (audited).
func (ui *UI) showOutreachContacts(w http.ResponseWriter, r *http.Request, a account.Actor) {
	ctx := r.Context()
	q := r.URL.Query()
	p := ui.page(r, "listui.contacts.title", nil)
	p.Form = q
	req, status := listRequest(r, p, outreach.ContactSorts...)

	f := outreach.ContactQuery{NIS: strings.TrimSpace(q.Get("municipality"))}
	var problems []*apperr.Error
	if f.NIS != "" {
		if _, ok := ui.Municipalities.ByNIS(f.NIS); !ok {
			problems = append(problems, apperr.FieldErr(apperr.Invalid, "municipality", "unknown municipality %q", f.NIS).WithKey("listui.contacts.error.municipality", nil))
			f.NIS = ""
		}
	}
	if fn := outreach.Function(q.Get("function")); fn != "" {
		if slices.Contains(outreach.Functions, fn) {
			f.Function = fn
		} else {
			problems = append(problems, apperr.FieldErr(apperr.Invalid, "function", "unknown function %q", fn).WithKey("listui.contacts.error.function", nil))
		}
	}
	if c := strings.TrimSpace(q.Get("campaign")); c != "" {
		if id, err := strconv.ParseInt(c, 10, 64); err == nil && id > 0 {
			f.Campaign = id
		} else {
			problems = append(problems, apperr.FieldErr(apperr.Invalid, "campaign", "unknown campaign %q", c).WithKey("listui.contacts.error.campaign", nil))
		}
	}
	for _, d := range []struct {
		name string
		to   **time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		t, ok, err := dates.ParseField(d.name, q.Get(d.name))
		switch {
		case err != nil:
			problems = append(problems, apperr.Problems(err)...)
		case ok:
			*d.to = &t
		}
	}
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		problems = append(problems, apperr.FieldErr(apperr.Invalid, "to", "the end lies before the start").WithKey("listui.contacts.error.range", nil))
		f.To = nil
	}
	if len(problems) > 0 {
		p.formProblems(r, apperr.Join(problems), contactFilterSpec)
		status = http.StatusBadRequest
	}

	res, err := ui.Outreach.ContactPage(ctx, a, f, req) // refuses (and audits) who may not
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	// The choices of the filters: the municipalities the caller works on,
	// and (for those who may read them) the campaigns, newest first.
	today := ui.today()
	munis := ui.Municipalities.On(today, "")
	if isTeamRole(a) {
		teams, err := ui.teamDirectory(ctx, today)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		area := teams.Area(a.Org)
		munis = slices.DeleteFunc(slices.Clone(munis), func(m municipality.Municipality) bool { return !slices.Contains(area, m.NIS) })
	}
	slices.SortFunc(munis, func(x, y municipality.Municipality) int { return strings.Compare(x.Name, y.Name) })
	var campaigns []outreach.Campaign
	if outreachPersonal(a) {
		if campaigns, err = ui.Outreach.Campaigns(ctx, a); err != nil {
			ui.fail(w, r, err)
			return
		}
	}
	rows := make([]contactRow, len(res.Items))
	for i, c := range res.Items {
		rows[i] = contactRow{Contact: c, MunicipalityName: ui.municipalityName(c.MunicipalityNIS)}
	}
	p.Data = map[string]any{"Rows": rows, "Nav": listNav(r, req, len(rows), res.Next, res.Prev),
		"Municipalities": munis, "Campaigns": campaigns, "Functions": outreach.Functions, "Filter": f}
	ui.render(w, status, "outreach_contacts", p)
}

// contactRow is one contact of the page, with its municipality's name.
type contactRow struct {
	outreach.Contact
	MunicipalityName string
}

// contactFilterSpec are the inputs of the contacts page's filter form.
var contactFilterSpec = formSpec{
	"municipality": {Label: "field.municipality"},
	"function":     {Label: "outreach.field.function"},
	"campaign":     {Label: "listui.contacts.campaign"},
	"from":         {Label: "listui.contacts.from"},
	"to":           {Label: "listui.contacts.to"},
}
