package web

// The pages of the outreach to local governments: the overview (who was
// informed, who not yet), the target list and its exports, a
// municipality's page (stage, history, contacts, contact moments, tasks,
// campaigns), the campaigns with the attendance import, and the tasks.
// The rights are the store's; these pages only hide what would be refused
// and degrade for analysts, who see aggregates and never contacts.

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/attendance"
	"kansrijk/internal/httpx"
	"kansrijk/internal/i18n"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
)

func init() {
	// outreachKey builds the catalogue key of an outreach code:
	// outreachKey "stage" "informed" is "outreach.stage.informed".
	funcs["outreachKey"] = func(group string, v any) string { return "outreach." + group + "." + fmt.Sprint(v) }
}

// registerOutreach adds the outreach pages.
func (ui *UI) registerOutreach(mux httpx.Mux) {
	mux.HandleFunc("GET /outreach", ui.signedIn(ui.showOutreach))
	mux.HandleFunc("GET /outreach/targets", ui.signedIn(ui.showOutreachTargets))
	mux.HandleFunc("GET /outreach/targets.csv", ui.signedIn(ui.outreachTargetsFile))
	mux.HandleFunc("GET /outreach/targets.xlsx", ui.signedIn(ui.outreachTargetsFile))
	mux.HandleFunc("GET /outreach/municipalities/{nis}", ui.signedIn(ui.showOutreachMunicipality))
	mux.HandleFunc("POST /outreach/municipalities/{nis}/contacts", ui.signedIn(ui.createOutreachContact))
	mux.HandleFunc("POST /outreach/municipalities/{nis}/contacts/{id}", ui.signedIn(ui.updateOutreachContact))
	mux.HandleFunc("POST /outreach/municipalities/{nis}/contacts/{id}/delete", ui.signedIn(ui.deleteOutreachContact))
	mux.HandleFunc("POST /outreach/municipalities/{nis}/moments", ui.signedIn(ui.createOutreachMoment))
	mux.HandleFunc("POST /outreach/municipalities/{nis}/tasks", ui.signedIn(ui.createOutreachTask))
	mux.HandleFunc("GET /outreach/campaigns", ui.signedIn(ui.showOutreachCampaigns))
	mux.HandleFunc("POST /outreach/campaigns", ui.signedIn(ui.createOutreachCampaign))
	mux.HandleFunc("GET /outreach/campaigns/{id}", ui.signedIn(ui.showOutreachCampaign))
	mux.HandleFunc("POST /outreach/campaigns/{id}/attendance", ui.signedInUpload(attendance.MaxBytes, ui.uploadOutreachAttendance))
	mux.HandleFunc("GET /outreach/tasks", ui.signedIn(ui.showOutreachTasks))
	mux.HandleFunc("POST /outreach/tasks/{id}", ui.signedIn(ui.updateOutreachTask))
}

// outreachNav reports whether the actor gets the outreach menu item: the
// roles that may read the outreach report.
func outreachNav(a *account.Actor) bool { return a != nil && outreach.CanReadReports(*a) }

// isTeamRole: a local team's lead or worker.
func isTeamRole(a account.Actor) bool {
	return a.Role == account.TeamLead || a.Role == account.TeamWorker
}

// outreachPersonal reports whether the actor may see and change the
// outreach data with personal data (contacts, contact moments) and the
// campaigns and tasks: admins, and local teams in their own area. The
// store enforces it; the pages use it to leave out what would be refused.
func outreachPersonal(a account.Actor) bool { return a.Role == account.Admin || isTeamRole(a) }

// withOutreachError puts err on the page like withError, and names the
// field it is about ("Naam: …") in the user's language, also where the
// message carries the field's code.
func (p *Page) withOutreachError(r *http.Request, err error) *Page {
	if e, ok := apperr.As(err); ok {
		if f, ok := e.Args["Field"].(string); ok {
			c := *e
			c.Args = map[string]any{}
			for k, v := range e.Args {
				c.Args[k] = v
			}
			c.Args["Field"] = fieldLabel(p.Lang, f)
			err = &c
		}
	}
	p.withError(r, err)
	if l := fieldLabel(p.Lang, p.Field); p.Field != "" && p.Error != "" && !strings.Contains(strings.ToLower(p.Error), strings.ToLower(l)) {
		p.Error = l + ": " + p.Error
	}
	return p
}

// fieldLabel is the label of an input field of the outreach forms, by
// the field's code in errors; the code itself when there is none.
func fieldLabel(lang i18n.Lang, field string) string {
	if i18n.Has(lang, "outreach.field."+field) {
		return i18n.T(lang, "outreach.field."+field, nil)
	}
	return field
}

// teamDirectory holds the local teams on a day, for names and choices.
type teamDirectory struct {
	Teams []org.Team
	names map[string]string
}

func (ui *UI) teamDirectory(ctx context.Context, on time.Time) (teamDirectory, error) {
	teams, err := ui.Orgs.Teams(ctx, on)
	if err != nil {
		return teamDirectory{}, err
	}
	slices.SortFunc(teams, func(x, y org.Team) int { return strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name)) })
	d := teamDirectory{Teams: teams, names: map[string]string{}}
	for _, t := range teams {
		d.names[t.Key] = t.Name
	}
	return d, nil
}

// Name returns the team's name, or its key when unknown ("" stays "").
func (d teamDirectory) Name(key string) string {
	if n, ok := d.names[key]; ok {
		return n
	}
	return key
}

// Has reports whether key is one of the teams.
func (d teamDirectory) Has(key string) bool { _, ok := d.names[key]; return ok }

// Area returns the municipalities of team key.
func (d teamDirectory) Area(key string) []string {
	for _, t := range d.Teams {
		if t.Key == key {
			return t.Municipalities
		}
	}
	return nil
}

// lastReached is the later of two YYYY-MM-DD days ("" when both are).
func lastReached(a, b string) string {
	if a > b {
		return a
	}
	return b
}
