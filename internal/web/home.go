package web

import (
	"net/http"

	"kansrijk/internal/account"
	"kansrijk/internal/home"
)

// The start page (GET /): each role's work as counts that lead to the
// filtered lists, and its next step (internal/home).

func init() {
	funcs["homePercent"] = home.Percent
}

// homeStore is the start pages' store: Deps.Home, else the organisations'
// store when it computes them too (the database does).
func (ui *UI) homeStore() home.Store {
	if ui.Home != nil {
		return ui.Home
	}
	if s, ok := ui.Orgs.(home.Store); ok {
		return s
	}
	return nil
}

// homePage is what templates/home.html receives.
type homePage struct {
	OrgName string
	Role    account.Role
	home.Summary
	// Steps: the next step of each agreement of the OCMW (OCMWAdmin).
	Steps []home.Step
	// The DPO's access log status (nil: none yet).
	Checkpoint   *CheckpointInfo
	Verification *VerificationInfo
	// Which links the role may follow: the outreach pages, the birth
	// notifications of Opgroeien's queue (admins; analysts see the count).
	Outreach, Births bool
	DueSoonDays      int
}

func (ui *UI) showHome(w http.ResponseWriter, r *http.Request, a account.Actor) {
	ctx := r.Context()
	o, err := ui.Orgs.Organisation(ctx, a.Org)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	d := homePage{OrgName: o.Name, Role: a.Role, Outreach: outreachNav(&a), Births: a.Role == account.Admin, DueSoonDays: home.DueSoonDays}
	if s := ui.homeStore(); s != nil {
		if d.Summary, err = s.Summary(ctx, a); err != nil {
			ui.fail(w, r, err)
			return
		}
	}
	if d.OCMWAdmin != nil {
		for _, ag := range d.OCMWAdmin.Agreements {
			d.Steps = append(d.Steps, ag.Next())
		}
	}
	if d.DPO != nil {
		d.Checkpoint, d.Verification = ui.auditLogStatus(ctx)
	}
	ui.render(w, http.StatusOK, "home", ui.page(r, "page.home.title", d))
}
