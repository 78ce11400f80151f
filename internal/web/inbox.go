package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/api"
	"kansrijk/internal/apperr"
	"kansrijk/internal/referral"
)

// The OCMW's side: its inbox of open referrals (no names in the list),
// one referral with exactly what the OCMW may see (api.OCMWReferral: the
// parents' name and contact details, when it was sent, and its own
// follow-up), and the forms to record contact attempts and the outcome.
// Both forms carry the version read: a colleague's change in between is
// a conflict, never a silent overwrite.

type inboxRow struct {
	ID         int64
	Status     referral.Status
	SentAt     *time.Time
	Days       int
	TargetDays int
	Overdue    bool
	Contacted  bool
}

func (ui *UI) showInbox(w http.ResponseWriter, r *http.Request, a account.Actor) {
	// Other roles: the store refuses the inbox and audits the refusal.
	b := ui.referralBackend()
	list, err := b.Inbox(r.Context(), a)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	now := ui.Now()
	rows := make([]inboxRow, 0, len(list))
	overdue := 0
	for _, ref := range list {
		row := inboxRow{ID: ref.ID, Status: ref.Status, SentAt: ref.SentAt, Days: ref.DaysSinceSent(now), TargetDays: ref.TargetDays,
			Overdue: ref.Overdue(now), Contacted: ref.FirstContactAt != nil}
		if row.Overdue {
			overdue++
		}
		rows = append(rows, row)
	}
	ui.render(w, http.StatusOK, "inbox", ui.page(r, "page.inbox.title", map[string]any{
		"Rows": rows, "Overdue": overdue, "Org": ui.orgName(r.Context(), a.Org),
	}))
}

func (ui *UI) showInboxReferral(w http.ResponseWriter, r *http.Request, a account.Actor) {
	p := ui.page(r, "page.inbox_referral.title", nil)
	p.Form = url.Values{}
	ui.renderInboxReferral(w, r, a, http.StatusOK, p)
}

// renderInboxReferral reads the referral as the OCMW (the first read marks
// it received) and renders it with the error already on p, if any.
func (ui *UI) renderInboxReferral(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page) {
	if a.Role != account.OCMWWorker {
		ui.fail(w, r, ui.denyReferral(r, a))
		return
	}
	b := ui.referralBackend()
	ref, err := b.Referral(r.Context(), a, referralID(r))
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	v := api.OCMWReferral(ref, ui.Now())
	municipalities := map[string]string{}
	for _, p := range v.Parents {
		municipalities[p.MunicipalityNIS] = ui.municipalityName(p.MunicipalityNIS)
	}
	if p.Form.Get("on") == "" {
		p.Form.Set("on", ui.today().Format(time.DateOnly))
	}
	p.Data = map[string]any{
		"R": v, "Municipalities": municipalities, "Open": ref.Status.Open(),
		"Channels": referral.Channels, "Outcomes": referral.Outcomes, "Rights": referral.Rights,
		"Today": ui.today().Format(time.DateOnly),
	}
	ui.render(w, status, "inbox_referral", p)
}

// inboxFailed shows err on the referral's page. A conflict says that a
// colleague changed the referral meanwhile and shows its current state.
func (ui *UI) inboxFailed(w http.ResponseWriter, r *http.Request, a account.Actor, err error) {
	if apperr.Code(err) == apperr.NotFound {
		ui.fail(w, r, err)
		return
	}
	if apperr.Code(err) == apperr.Conflict {
		err = apperr.New(apperr.Conflict, "changed meanwhile").WithKey("error.referral_conflict", nil)
	}
	p := ui.page(r, "page.inbox_referral.title", nil)
	p.formProblems(r, localiseState(p, err), inboxSpec)
	p.Form = r.PostForm
	ui.renderInboxReferral(w, r, a, statusOf(err), p)
}

// inboxSpec are the inputs of the contact-attempt and outcome forms.
var inboxSpec = formSpec{
	"on": {Label: "field.date"}, "channel": {Label: "inbox.channel"}, "reached": {Label: "inbox.reached_legend"},
	"outcome": {Label: "inbox.outcome_legend"}, "rights": {Label: "inbox.rights_legend"},
}

func formVersion(f url.Values) int {
	v, _ := strconv.Atoi(strings.TrimSpace(f.Get("version")))
	return v
}

func (ui *UI) addContactAttempt(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if a.Role != account.OCMWWorker {
		ui.fail(w, r, ui.denyReferral(r, a))
		return
	}
	b := ui.referralBackend()
	var err error
	f := r.PostForm
	var ref referral.Referral
	// Every problem at once: the date as people type it, the channel,
	// whether the family was reached; then the store's rules.
	iso, problems := formDates(f, "on") // empty: today (the store's rule)
	if !slices.Contains(referral.Channels, f.Get("channel")) {
		problems = append(problems, apperr.FieldErr(apperr.Invalid, "channel", "choose a channel").WithKey("forms.error.channel", nil))
	}
	if r := f.Get("reached"); r != "yes" && r != "no" {
		problems = append(problems, apperr.FieldErr(apperr.Invalid, "reached", "say whether the family was reached").WithKey("error.reached_required", nil))
	}
	err = apperr.Join(problems)
	if err == nil {
		ref, err = b.AddContactAttempt(r.Context(), a, referralID(r), referral.NewContactAttempt{
			On: iso.Get("on"), Channel: f.Get("channel"), Reached: f.Get("reached") == "yes", Version: formVersion(f)})
	}
	if err != nil {
		ui.inboxFailed(w, r, a, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/inbox/%d?ok=contact_attempt_recorded", ref.ID), http.StatusSeeOther)
}

func (ui *UI) setReferralOutcome(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if a.Role != account.OCMWWorker {
		ui.fail(w, r, ui.denyReferral(r, a))
		return
	}
	b := ui.referralBackend()
	f := r.PostForm
	var ref referral.Referral
	var err error
	if f.Get("outcome") == "" {
		err = required("outcome")
	} else {
		ref, err = b.SetOutcome(r.Context(), a, referralID(r), referral.NewOutcome{
			Outcome: f.Get("outcome"), Rights: f["rights"], SocialFile: f.Get("social_file") == "on", Version: formVersion(f)})
	}
	if err != nil {
		ui.inboxFailed(w, r, a, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/inbox/%d?ok=outcome_recorded", ref.ID), http.StatusSeeOther)
}
