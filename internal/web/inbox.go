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
	"kansrijk/internal/org"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
)

// The OCMW's side: its inbox, one page of 50 at a time (the open
// referrals, new ones, those past the first-contact target, or the
// archive of closed and withdrawn ones), with the parents' names and the
// team that referred, searchable by name; one referral with exactly what
// the OCMW may see (api.OCMWReferral: the parents' name and contact
// details, when it was sent, and its own follow-up), and the forms to
// record contact attempts and the outcome. Closing a case (the outcome)
// asks for confirmation on a page of its own (GET /inbox/{id}/close),
// without JavaScript. Both forms carry the version read: a colleague's
// change in between is a conflict, never a silent overwrite.

func init() {
	// joinNames is the parents' names of a referral, "A & B".
	funcs["joinNames"] = func(ps []referral.Parent) string {
		names := make([]string, len(ps))
		for i, p := range ps {
			names[i] = p.Name
		}
		return strings.Join(names, " & ")
	}
}

type inboxRow struct {
	ID         int64
	Names      []string // the parents' names; none once the data were deleted
	Status     referral.Status
	SentAt     *time.Time
	ClosedAt   *time.Time // closed or withdrawn (archive)
	Outcome    string
	Days       int
	TargetDays int
	Overdue    bool
	Contacted  bool
	Team       string // the referring team's name, never its key
	TeamPhone  string
	TeamEmail  string
}

// inboxTab is one view of the inbox, a link with its filters.
type inboxTab struct {
	Key, Href, Label string
	Current          bool
}

func (ui *UI) showInbox(w http.ResponseWriter, r *http.Request, a account.Actor) {
	// Other roles: the store refuses the inbox and audits the refusal.
	b := ui.referralBackend()
	q := r.URL.Query()
	f, err := referral.ParseInboxFilter(q)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	req, badCursor, err := parseList(q, referral.InboxSorts(f.Archive)...)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	res, stale, err := fetchList(req, func(req page.Request) (page.Result[referral.ListItem], error) {
		return b.InboxPage(r.Context(), a, f, req)
	})
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if stale {
		req.After = nil
	}
	now := ui.Now()
	rows := make([]inboxRow, 0, len(res.Items))
	for _, it := range res.Items {
		ref := it.Referral
		row := inboxRow{ID: ref.ID, Names: it.ParentNames, Status: ref.Status, SentAt: ref.SentAt, ClosedAt: ref.ClosedAt, Outcome: ref.Outcome,
			Days: ref.DaysSinceSent(now), TargetDays: ref.TargetDays, Overdue: ref.Overdue(now), Contacted: ref.FirstContactAt != nil,
			Team: it.TeamName, TeamPhone: it.TeamPhone, TeamEmail: it.TeamEmail}
		if ref.Status == referral.Withdrawn {
			row.ClosedAt = ref.WithdrawnAt
		}
		rows = append(rows, row)
	}
	current := "open"
	switch {
	case f.Archive:
		current = "archive"
	case f.Overdue:
		current = "overdue"
	case f.Status == referral.StatusNew:
		current = "new"
	case f.Status != "":
		current = ""
	}
	tabs := []inboxTab{
		{Key: "open", Href: "/inbox", Label: "referrals.inbox.tab_open"},
		{Key: "new", Href: "/inbox?status=new", Label: "referrals.inbox.tab_new"},
		{Key: "overdue", Href: "/inbox?overdue=1", Label: "referrals.inbox.tab_overdue"},
		{Key: "archive", Href: "/inbox?view=archive", Label: "referrals.inbox.tab_archive"},
	}
	for i := range tabs {
		tabs[i].Current = tabs[i].Key == current
	}
	p := ui.page(r, "page.inbox.title", map[string]any{
		"Rows": rows, "Org": ui.orgName(r.Context(), a.Org), "Nav": listNav(r, req, len(rows), res.Next, res.Prev),
		"Archive": f.Archive, "Tabs": tabs, "Current": current, "Status": f.Status,
	})
	p.cursorReset(badCursor || stale)
	ui.render(w, http.StatusOK, "inbox", p)
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
	// The team that referred, by name, and how to reach it.
	team := org.Organisation{Name: ref.Team}
	if o, err := ui.Orgs.Organisation(r.Context(), ref.Team); err == nil {
		team = o
	}
	p.Data = map[string]any{
		"R": v, "Municipalities": municipalities, "Open": ref.Status.Open(), "Team": team,
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

// confirmCloseReferral is the step before closing a case: the outcome
// form asks here (GET, so that going back loses nothing) and the page
// shows the family, the chosen outcome and a "Ja, afsluiten" button
// that posts to /inbox/{id}/outcome. Reading the referral to show the
// family's name is a read of the referral, audited as such.
func (ui *UI) confirmCloseReferral(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if a.Role != account.OCMWWorker {
		ui.fail(w, r, ui.denyReferral(r, a))
		return
	}
	q := r.URL.Query()
	outcome := q.Get("outcome")
	var err error
	switch {
	case !slices.Contains(referral.Outcomes, outcome):
		err = apperr.FieldErr(apperr.Invalid, "outcome", "choose the outcome").WithKey("error.outcome", nil)
	case outcome == referral.OutcomeRightsOpened && len(q["rights"]) == 0:
		err = apperr.FieldErr(apperr.Invalid, "rights", "say which rights or support were opened").WithKey("error.rights_required", nil)
	}
	if err != nil {
		p := ui.page(r, "page.inbox_referral.title", nil)
		p.withError(r, err)
		p.Form = q
		ui.renderInboxReferral(w, r, a, statusOf(err), p)
		return
	}
	ref, err := ui.referralBackend().Referral(r.Context(), a, referralID(r))
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if !ref.Status.Open() {
		err = apperr.New(apperr.InvalidState, "this referral is %s", ref.Status).WithKey("error.referral_state", map[string]any{"Status": string(ref.Status)})
		p := ui.page(r, "page.inbox_referral.title", nil)
		p.withError(r, localiseState(p, err))
		p.Form = url.Values{}
		ui.renderInboxReferral(w, r, a, statusOf(err), p)
		return
	}
	v := api.OCMWReferral(ref, ui.Now())
	rights := []string{}
	if outcome == referral.OutcomeRightsOpened {
		for _, x := range q["rights"] {
			if slices.Contains(referral.Rights, x) && !slices.Contains(rights, x) {
				rights = append(rights, x)
			}
		}
	}
	ui.render(w, http.StatusOK, "inbox_close", ui.page(r, "referrals.close.title", map[string]any{
		"R": v, "Outcome": outcome, "Rights": rights, "SocialFile": q.Get("social_file") == "on", "Version": q.Get("version"),
	}))
}
