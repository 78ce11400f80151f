package web

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/dates"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/page"
	"kansrijk/internal/phone"
)

func (ui *UI) showOrganisations(w http.ResponseWriter, r *http.Request, a account.Actor) {
	kind := r.URL.Query().Get("kind")
	if kind == "" {
		kind = "team"
	}
	switch kind {
	case "team", "ocmw", "clinic", "other":
	default:
		kind = "team"
	}
	p := ui.page(r, "page.organisations.title", nil)
	// A page of 50 at a time (issue 12), by name, searchable by name and
	// key; the lists are short and read whole.
	req, status := listRequest(r, p, "name", "key")
	match := func(name, key string) bool {
		q := strings.ToLower(req.Q)
		return q == "" || strings.Contains(strings.ToLower(name), q) || strings.Contains(key, q)
	}
	sortKey := func(name, key string) string {
		if req.Sort == "key" {
			return key
		}
		return strings.ToLower(name) + "\x1f" + key
	}
	data := map[string]any{"Kind": kind, "CanManage": a.Can(account.ManageOrganisations)}
	today := ui.today()
	if kind == "team" {
		teams, err := ui.Orgs.Teams(r.Context(), today)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		covered := map[string]bool{}
		for _, t := range teams {
			for _, n := range t.Municipalities {
				covered[n] = true
			}
		}
		var uncovered []municipality.Municipality
		for _, m := range ui.Municipalities.On(today, municipality.Flanders) {
			if !covered[m.NIS] {
				uncovered = append(uncovered, m)
			}
		}
		data["Uncovered"] = uncovered
		teams = slices.DeleteFunc(teams, func(t org.Team) bool { return !match(t.Name, t.Key) })
		res := page.Slice(req, teams, func(t org.Team) (string, int64) { return sortKey(t.Name, t.Key), 0 })
		data["Teams"], data["Nav"] = res.Items, listNav(r, req, len(res.Items), res.Next, res.Prev)
	} else {
		f := org.Filter{Kind: kind, On: &today}
		if kind == "other" {
			f.Kind = ""
		}
		list, err := ui.Orgs.Organisations(r.Context(), f)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		list = slices.DeleteFunc(list, func(o org.Organisation) bool {
			return (kind == "other" && o.Kind != account.KindOpgroeien && o.Kind != account.KindCAW) || !match(o.Name, o.Key)
		})
		res := page.Slice(req, list, func(o org.Organisation) (string, int64) { return sortKey(o.Name, o.Key), 0 })
		data["Orgs"], data["Nav"] = res.Items, listNav(r, req, len(res.Items), res.Next, res.Prev)
	}
	p.Data = data
	ui.render(w, status, "organisations", p)
}

// muniName returns "Name (NIS)" lookups for the team pages.
type areaEntry struct {
	NIS, Name, Province string
	Checked             bool
}

// areaChoices lists the Flemish municipalities valid on a day, grouped by
// province, with those in selected checked.
func (ui *UI) areaChoices(on interface{ Format(string) string }, list []municipality.Municipality, selected []string) map[string][]areaEntry {
	sel := map[string]bool{}
	for _, s := range selected {
		sel[s] = true
	}
	out := map[string][]areaEntry{}
	for _, m := range list {
		out[m.Province] = append(out[m.Province], areaEntry{m.NIS, m.Name, m.Province, sel[m.NIS]})
	}
	return out
}

type provinceGroup struct {
	Province string
	Entries  []areaEntry
}

func groups(m map[string][]areaEntry) []provinceGroup {
	var out []provinceGroup
	for p, e := range m {
		out = append(out, provinceGroup{p, e})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Province < out[j].Province })
	return out
}

func (ui *UI) showTeam(w http.ResponseWriter, r *http.Request, a account.Actor) {
	on := ui.today()
	if s := r.URL.Query().Get("on"); s != "" {
		if d, err := municipality.ParseDate(s); err == nil {
			on = d
		}
	}
	t, err := ui.Orgs.Team(r.Context(), r.PathValue("key"), on)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	var area []municipality.Municipality
	for _, n := range t.Municipalities {
		if m, ok := ui.Municipalities.ByNIS(n); ok {
			area = append(area, m)
		}
	}
	sort.Slice(area, func(i, j int) bool { return strings.ToLower(area[i].Name) < strings.ToLower(area[j].Name) })
	ui.render(w, http.StatusOK, "team", ui.page(r, "page.team.title", map[string]any{
		"Team": t, "Area": area, "On": on, "CanManage": a.Can(account.ManageOrganisations)}))
}

func (ui *UI) teamForm(w http.ResponseWriter, r *http.Request, status int, p *Page, t *org.Team, selected []string) {
	on := ui.today()
	if s := p.Form.Get("valid_from"); s != "" {
		if d, err := municipality.ParseDate(s); err == nil {
			on = d
		}
	}
	p.Data = map[string]any{"Team": t, "Groups": groups(ui.areaChoices(on, ui.Municipalities.On(on, municipality.Flanders), selected)), "On": on}
	ui.render(w, status, "team_form", p)
}

func (ui *UI) showTeamForm(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if err := a.Require(account.ManageOrganisations); err != nil {
		ui.fail(w, r, err)
		return
	}
	p := ui.page(r, "page.team_new.title", nil)
	p.Form = r.URL.Query()
	if p.Form.Get("valid_from") == "" {
		p.Form.Set("valid_from", dates.Format(ui.today()))
	}
	ui.teamForm(w, r, http.StatusOK, p, nil, nil)
}

func (ui *UI) createTeam(w http.ResponseWriter, r *http.Request, a account.Actor) {
	f, problems := teamFormProblems(r.PostForm, true)
	in := org.NewTeam{Key: "team-" + strings.TrimPrefix(strings.TrimSpace(f.Get("slug")), "team-"), Name: f.Get("name"), Municipalities: f["municipality"],
		Phone: f.Get("phone"), Email: f.Get("email")}
	if f.Get("slug") == "" {
		in.Key = "team-" + org.Slugify(in.Name)
	}
	in.From, _ = municipality.ParseDate(f.Get("valid_from"))
	var err error
	if len(problems) > 0 && a.Can(account.ManageOrganisations) {
		err = apperr.Join(problems)
	} else {
		_, err = ui.Orgs.CreateTeam(r.Context(), a, in) // refuses (and audits) whoever may not
	}
	if err != nil {
		if apperr.Is(err, apperr.Forbidden) {
			ui.fail(w, r, err)
			return
		}
		p := ui.page(r, "page.team_new.title", nil).formProblems(r, err, teamFormSpec)
		p.Form = r.PostForm
		ui.teamForm(w, r, statusOf(err), p, nil, in.Municipalities)
		return
	}
	http.Redirect(w, r, "/teams/"+in.Key+"?ok=team_created", http.StatusSeeOther)
}

// teamFormSpec maps the fields the store names to the team form's inputs.
var teamFormSpec = formSpec{
	"name": {Label: "field.name"}, "phone": {Label: "home.team.phone"}, "email": {Label: "home.team.email"},
	"key": {Input: "slug", Label: "field.key"}, "slug": {Label: "field.key"}, "valid_from": {Label: "field.valid_from"},
	"municipalities": {Input: "municipality", Label: "field.area"}, "municipality": {Label: "field.area"},
}

// teamFormProblems checks the team form as a whole, every problem at once
// (the store checks the same again): the name, the contact details, the
// date as people type it (withDate: creating, or changing the area) and
// the service area. It returns the form with the date in ISO.
func teamFormProblems(f url.Values, withDate bool) (url.Values, []*apperr.Error) {
	var problems []*apperr.Error
	if strings.TrimSpace(f.Get("name")) == "" {
		problems = append(problems, required("name"))
	}
	if _, err := org.ContactPhone(f.Get("phone")); err != nil {
		problems = append(problems, apperr.Problems(err)...)
	}
	if _, err := org.ContactEmail(f.Get("email")); err != nil {
		problems = append(problems, apperr.Problems(err)...)
	}
	if withDate {
		var dp []*apperr.Error
		f, dp = formDates(f, "valid_from")
		problems = append(problems, dp...)
		if len(dp) == 0 && strings.TrimSpace(f.Get("valid_from")) == "" {
			problems = append(problems, required("valid_from"))
		}
	}
	if len(f["municipality"]) == 0 {
		problems = append(problems, apperr.FieldErr(apperr.Invalid, "municipality", "a service area needs at least one municipality").
			WithKey("error.area_empty", nil))
	}
	return f, problems
}

func (ui *UI) showTeamEdit(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if err := a.Require(account.ManageOrganisations); err != nil {
		ui.fail(w, r, err)
		return
	}
	t, err := ui.Orgs.Team(r.Context(), r.PathValue("key"), ui.today())
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	p := ui.page(r, "page.team_edit.title", nil)
	p.Form = map[string][]string{"name": {t.Name}, "phone": {phone.Display(t.Phone)}, "email": {t.Email}, "valid_from": {dates.Format(ui.today().AddDate(0, 0, 1))}}
	ui.teamForm(w, r, http.StatusOK, p, &t, t.Municipalities)
}

func (ui *UI) updateTeam(w http.ResponseWriter, r *http.Request, a account.Actor) {
	key := r.PathValue("key")
	t, err := ui.Orgs.Team(r.Context(), key, ui.today())
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	area := r.PostForm["municipality"]
	changed := !sameSet(area, t.Municipalities)
	f, problems := teamFormProblems(r.PostForm, changed)
	name, phone, email := f.Get("name"), f.Get("phone"), f.Get("email")
	up := org.TeamUpdate{Name: &name, Phone: &phone, Email: &email}
	if changed {
		up.Municipalities = &area
		up.From, _ = municipality.ParseDate(f.Get("valid_from"))
	}
	if len(problems) > 0 && a.Can(account.ManageOrganisations) {
		err = apperr.Join(problems)
	} else {
		_, err = ui.Orgs.UpdateTeam(r.Context(), a, key, up) // refuses (and audits) whoever may not
	}
	if err != nil {
		if apperr.Is(err, apperr.Forbidden) {
			ui.fail(w, r, err)
			return
		}
		p := ui.page(r, "page.team_edit.title", nil).formProblems(r, err, teamFormSpec)
		p.Form = r.PostForm
		ui.teamForm(w, r, statusOf(err), p, &t, area)
		return
	}
	http.Redirect(w, r, "/teams/"+key+"?ok=team_updated", http.StatusSeeOther)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}

func (ui *UI) showClinicForm(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if err := a.Require(account.ManageOrganisations); err != nil {
		ui.fail(w, r, err)
		return
	}
	p := ui.page(r, "page.clinic_new.title", nil)
	p.Form = r.URL.Query()
	ui.render(w, http.StatusOK, "clinic_form", p)
}

func (ui *UI) createClinic(w http.ResponseWriter, r *http.Request, a account.Actor) {
	f := r.PostForm
	in := org.NewClinic{Name: f.Get("name"), Key: "clinic-" + strings.TrimPrefix(strings.TrimSpace(f.Get("slug")), "clinic-")}
	if strings.TrimSpace(f.Get("slug")) == "" {
		in.Key = "clinic-" + org.Slugify(in.Name)
	}
	var err error
	if a.Require(account.ManageOrganisations) == nil {
		err = clinicFormProblems(in, strings.TrimSpace(f.Get("slug")) != "")
	}
	if err == nil {
		_, err = ui.Orgs.CreateClinic(r.Context(), a, in) // refuses (and audits) whoever may not
	}
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Code == apperr.Forbidden {
			ui.fail(w, r, err)
			return
		}
		p := ui.page(r, "page.clinic_new.title", nil).formProblems(r, err, formSpec{
			"name": {Label: "field.name"}, "key": {Input: "slug", Label: "field.key"}, "slug": {Label: "field.key"}})
		p.Form = f
		ui.render(w, statusOf(err), "clinic_form", p)
		return
	}
	http.Redirect(w, r, "/organisations?kind=clinic&ok=clinic_created", http.StatusSeeOther)
}

// clinicFormProblems are every problem of the new clinic's form: an empty
// name said as a required field, and the key's problem only when a key was
// typed (else it is made from the name, and wrong only because the name
// is missing).
func clinicFormProblems(in org.NewClinic, typedKey bool) error {
	var problems []*apperr.Error
	for _, e := range apperr.Problems(in.Validate()) {
		switch {
		case e.Field == "name" && strings.TrimSpace(in.Name) == "":
			problems = append(problems, required("name"))
		case e.Field == "key" && !typedKey && strings.TrimSpace(in.Name) == "":
		default:
			problems = append(problems, e)
		}
	}
	return apperr.Join(problems)
}
