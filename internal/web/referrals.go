package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/api"
	"kansrijk/internal/apperr"
	"kansrijk/internal/i18n"
	"kansrijk/internal/org"
	"kansrijk/internal/page"
	"kansrijk/internal/referral"
)

// The web side of referrals: the local team prepares a referral, records
// the parents' informed consent, hands the family its receipt and sends;
// the OCMW works its inbox (inbox.go); the family checks its receipt code
// (receipt.go). The rules of what each side may see are the API's
// (api.TeamReferral, api.OCMWReferral): the pages show no more.

// referralBackend is what the referral pages need: the referral flow and
// the agreement gate.
type referralBackend struct {
	referral.Store
	agreements agreement.Store
}

// Gate asks the agreement gate (see agreement.Store).
func (b referralBackend) Gate(ctx context.Context, team, nis string, on time.Time) (agreement.Decision, error) {
	return b.agreements.Gate(ctx, team, nis, on)
}

// referralBackend returns the referral pages' backend.
func (ui *UI) referralBackend() referralBackend {
	return referralBackend{ui.Referrals, ui.Agreements}
}

func init() {
	funcs["refStatusKey"] = func(s referral.Status) string { return "referral.status." + string(s) }
	// pfield is the field name the store reports for a parent's input.
	funcs["pfield"] = func(i int, name string) string { return fmt.Sprintf("parents[%d].%s", i, name) }
	// pget is the form value of a parent's input (p0_name, p1_email, …).
	funcs["pget"] = func(f url.Values, i int, name string) string { return f.Get(fmt.Sprintf("p%d_%s", i, name)) }
	// formHas reports whether a multi-valued form field holds v.
	funcs["formHas"] = func(f url.Values, name, v string) bool { return slices.Contains(f[name], v) }
	funcs["plus1"] = func(i int) int { return i + 1 }
	// when gives s when cond holds, else "" (an option of fld).
	funcs["when"] = func(cond bool, s string) string {
		if cond {
			return s
		}
		return ""
	}
	// dayText shows a YYYY-MM-DD day as dd-mm-yyyy, like date.
	funcs["dayText"] = func(s string) string {
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t.Format("02-01-2006")
		}
		return s
	}
}

func teamSide(a account.Actor) bool {
	return a.Role == account.TeamWorker || a.Role == account.TeamLead
}

func forbidden() error {
	return apperr.New(apperr.Forbidden, "not for this role").WithKey("error.forbidden", nil)
}

// denyReferral refuses a referral page of the other side (the team's
// pages to the OCMW, the inbox to the team, any to other roles): audited
// as denied by the store and answered not_found, exactly like a referral
// that does not exist.
func (ui *UI) denyReferral(r *http.Request, a account.Actor) error {
	return ui.Referrals.DenyReferral(r.Context(), a, referralID(r))
}

func referralID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id
}

// orgName returns the name of an organisation, or its key.
func (ui *UI) orgName(ctx context.Context, key string) string {
	if key == "" {
		return ""
	}
	if o, err := ui.Orgs.Organisation(ctx, key); err == nil && o.Name != "" {
		return o.Name
	}
	return key
}

func (ui *UI) municipalityName(nis string) string {
	if m, ok := ui.Municipalities.ByNIS(nis); ok {
		return m.Name
	}
	return nis
}

// gateView is the gate's answer for a team and municipality today, as the
// pages show it: before the worker asks the family for consent, and when
// sending fails.
type gateView struct {
	Allowed          bool
	Reason           string // translation key when not allowed
	Municipality     string
	Recipient        string // name of the OCMW (or CAW Brussel)
	OtherTeam        string // the colleague team, outside the team's area
	AgreementID      int64
	InformationText  string
	RetentionDays    int
	FirstContactDays int
	StatusFeedback   bool
}

func (ui *UI) gate(ctx context.Context, b referralBackend, team, nis string) (gateView, error) {
	g := gateView{Municipality: ui.municipalityName(nis)}
	if m, ok := ui.Municipalities.ByNIS(nis); ok {
		g.Recipient = ui.orgName(ctx, org.RecipientFor(m))
	}
	d, err := b.Gate(ctx, team, nis, ui.today())
	if err != nil {
		return g, err
	}
	if d.Allowed && d.Agreement != nil {
		g.Allowed, g.AgreementID = true, d.Agreement.ID
		if d.Agreement.RecipientName != "" {
			g.Recipient = d.Agreement.RecipientName
		}
		if v := d.Agreement.Version; v != nil {
			g.InformationText, g.RetentionDays, g.FirstContactDays, g.StatusFeedback = v.InformationText, v.RetentionDays, v.FirstContactDays, v.StatusFeedback
		}
		return g, nil
	}
	// The information items still speak of the usual terms.
	g.RetentionDays, g.FirstContactDays = agreement.DefaultRetentionDays, agreement.DefaultFirstContactDays
	g.Reason = "referral.gate." + d.Reason
	if d.Reason == agreement.ReasonOutsideArea {
		if other, err := ui.Orgs.TeamFor(ctx, nis, ui.today()); err == nil && other != "" {
			g.OtherTeam = ui.orgName(ctx, other)
		}
	}
	return g, nil
}

// --- the team's list ---

type referralRow struct {
	View         any // api.TeamReferral: the status as the team may see it
	Status       referral.Status
	Names        []string // the parents' names; none once the data were deleted
	Municipality string
	Recipient    string
}

// showReferrals is the team's list, one page of 50 at a time: search in
// the parents' names, a status filter (as the team sees it), sortable
// columns, everything in the URL. The store audits the page (one event
// naming the referrals shown) and refuses other roles.
func (ui *UI) showReferrals(w http.ResponseWriter, r *http.Request, a account.Actor) {
	b := ui.referralBackend()
	q := r.URL.Query()
	f, err := referral.ParseTeamFilter(q)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	req, badCursor, err := parseList(q, referral.TeamSorts...)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	res, stale, err := fetchList(req, func(req page.Request) (page.Result[referral.ListItem], error) {
		return b.ReferralPage(r.Context(), a, f, req)
	})
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if stale {
		req.After = nil
	}
	names := map[string]string{}
	rows := make([]referralRow, 0, len(res.Items))
	for _, it := range res.Items {
		ref := it.Referral
		if _, ok := names[ref.Recipient]; !ok {
			names[ref.Recipient] = ui.orgName(r.Context(), ref.Recipient)
		}
		v := api.TeamReferral(ref)
		rows = append(rows, referralRow{View: v, Status: v.Status, Names: it.ParentNames, Municipality: ui.municipalityName(ref.MunicipalityNIS), Recipient: names[ref.Recipient]})
	}
	p := ui.page(r, "page.referrals.title", map[string]any{"Rows": rows, "Statuses": referral.Statuses, "Status": f.Status,
		"Nav": listNav(r, req, len(rows), res.Next, res.Prev)})
	p.Form = q
	p.cursorReset(badCursor || stale)
	ui.render(w, http.StatusOK, "referrals", p)
}

// --- a new referral: postcode, municipality, then the form ---

var postcodeRE = regexp.MustCompile(`^[1-9][0-9]{3}$`)

type municipalityChoice struct {
	NIS, Name, Province string
	InArea              bool
	OtherTeam           string
}

func (ui *UI) showReferralForm(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if !teamSide(a) {
		ui.fail(w, r, forbidden())
		return
	}
	p := ui.page(r, "page.referral_new.title", nil)
	p.Form = r.URL.Query()
	ui.referralForm(w, r, a, http.StatusOK, p)
}

// referralForm renders the step the form values reach: the postcode, the
// choice of the municipality of residence, or the parents' details.
func (ui *UI) referralForm(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page) {
	b := ui.referralBackend()
	ctx := r.Context()
	postcode := strings.TrimSpace(p.Form.Get("postcode"))
	nis := strings.TrimSpace(p.Form.Get("municipality_nis"))
	data := map[string]any{"Step": "postcode", "Postcode": postcode, "Parents": []int{0, 1},
		"Criteria": referral.Criteria, "Needs": referral.Needs}
	p.Data = data
	setErr := func(err error) {
		if p.Error == "" && len(p.Errors) == 0 {
			p.formProblems(r, err, referralSpec)
			status = statusOf(err)
		}
	}
	if postcode == "" {
		if p.Form.Has("postcode") {
			setErr(apperr.FieldErr(apperr.Invalid, "postcode", "give a postcode").WithKey("error.postcode", nil))
		}
		ui.render(w, status, "referral_new", p)
		return
	}
	if !postcodeRE.MatchString(postcode) {
		setErr(apperr.FieldErr(apperr.Invalid, "postcode", "postcode must be 4 digits").WithKey("error.postcode", nil))
		ui.render(w, status, "referral_new", p)
		return
	}
	today := ui.today()
	var choices []municipalityChoice
	var chosen *municipalityChoice
	for _, m := range ui.Municipalities.ByPostcode(postcode, today) {
		c := municipalityChoice{NIS: m.NIS, Name: m.Name, Province: m.Province}
		team, err := ui.Orgs.TeamFor(ctx, m.NIS, today)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		c.InArea = team == a.Org
		if !c.InArea && team != "" {
			c.OtherTeam = ui.orgName(ctx, team)
		}
		choices = append(choices, c)
	}
	for i := range choices {
		if choices[i].NIS == nis {
			chosen = &choices[i]
		}
	}
	data["Choices"] = choices
	if len(choices) == 0 {
		setErr(apperr.FieldErr(apperr.Invalid, "postcode", "no municipality with postcode %s", postcode).
			WithKey("error.postcode_unknown", map[string]any{"Postcode": postcode}))
		ui.render(w, status, "referral_new", p)
		return
	}
	data["Step"] = "choose"
	if chosen == nil {
		if nis != "" {
			setErr(apperr.FieldErr(apperr.Invalid, "municipality_nis", "choose a municipality").WithKey("error.choose_municipality", nil))
		} else if len(choices) == 1 {
			p.Form.Set("municipality_nis", choices[0].NIS)
		}
		ui.render(w, status, "referral_new", p)
		return
	}
	if !chosen.InArea {
		if chosen.OtherTeam != "" {
			setErr(apperr.FieldErr(apperr.OutsideTeamArea, "municipality_nis", "outside the team's area").
				WithKey("error.outside_area", map[string]any{"Name": chosen.Name, "Team": chosen.OtherTeam}))
		} else {
			setErr(apperr.FieldErr(apperr.OutsideTeamArea, "municipality_nis", "outside the team's area").
				WithKey("error.outside_area_none", map[string]any{"Name": chosen.Name}))
		}
		ui.render(w, status, "referral_new", p)
		return
	}
	g, err := ui.gate(ctx, b, a.Org, chosen.NIS)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	data["Step"], data["Chosen"], data["Gate"] = "form", chosen, g
	ui.render(w, status, "referral_new", p)
}

// referralSpec maps the fields the referral's validation names to the
// inputs of the new-referral form.
var referralSpec = func() formSpec {
	s := formSpec{
		"postcode":         {Input: "postcode", Label: "field.postcode"},
		"municipality_nis": {Input: "municipality_nis", Label: "field.municipality"},
		"parents":          {Input: "p0_name", Label: "field.name"},
		"criteria":         {Input: "criteria", Label: "referral.criteria"},
		"needs":            {Input: "needs", Label: "referral.needs"},
	}
	for i := range 2 {
		for _, f := range []struct{ name, label string }{{"name", "field.name"}, {"street", "field.street"}, {"number", "field.house_number"},
			{"box", "field.box"}, {"postcode", "field.postcode"}, {"phone", "field.phone"}, {"email", "field.email"}, {"municipality_nis", "field.municipality"}} {
			in := fmt.Sprintf("p%d_%s", i, f.name)
			id := strings.ReplaceAll(in, "_", "-") // the form's ids: p0-name
			if f.name == "municipality_nis" {
				in, id = "municipality_nis", "municipality_nis"
			}
			s[fmt.Sprintf("parents[%d].%s", i, f.name)] = fieldSpec{Input: in, Label: f.label, Of: "referral.parent_n", N: i + 1, ID: id}
		}
	}
	return s
}()

// parentsFromForm reads parent 1 and, when anything of it was filled in,
// parent 2.
func parentsFromForm(f url.Values) []referral.Parent {
	var out []referral.Parent
	for i := range 2 {
		get := func(name string) string { return strings.TrimSpace(f.Get(fmt.Sprintf("p%d_%s", i, name))) }
		p := referral.Parent{Name: get("name"), Street: get("street"), Number: get("number"), Box: get("box"),
			Postcode: get("postcode"), Phone: get("phone"), Email: get("email")}
		if i > 0 && p.Name == "" && p.Street == "" && p.Number == "" && p.Box == "" && p.Phone == "" && p.Email == "" {
			continue
		}
		out = append(out, p)
	}
	return out
}

func (ui *UI) createReferral(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if !teamSide(a) {
		// The store refuses and audits the refused attempt.
		_, err := ui.Referrals.CreateReferral(r.Context(), a, referral.NewReferral{})
		if err == nil {
			err = forbidden()
		}
		ui.fail(w, r, err)
		return
	}
	b := ui.referralBackend()
	f := r.PostForm
	nis := strings.TrimSpace(f.Get("municipality_nis"))
	parents := parentsFromForm(f)
	for i := range parents {
		parents[i].MunicipalityNIS = nis
	}
	ref, err := b.CreateReferral(r.Context(), a, referral.NewReferral{MunicipalityNIS: nis, Parents: parents, Criteria: f["criteria"], Needs: f["needs"]})
	if err != nil {
		p := ui.page(r, "page.referral_new.title", nil).formProblems(r, err, referralSpec)
		p.Form = f
		ui.referralForm(w, r, a, statusOf(err), p)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/referrals/%d?ok=referral_created", ref.ID), http.StatusSeeOther)
}

// --- one referral, as the team sees it ---

// teamParent is a parent with its index in the referral (the store keeps
// the index when the other parent refused) and its consent.
type teamParent struct {
	referral.Parent
	Index        int
	Municipality string
	Consent      *referral.Consent // the consent given, if any
}

// parentsWithIndex pairs the remaining parents with their indexes: a
// refusal deletes that parent's details, the others keep theirs.
func parentsWithIndex(ref referral.Referral) []teamParent {
	refused := map[int]bool{}
	for _, c := range ref.Consents {
		if c.Refused {
			refused[c.Parent] = true
		}
	}
	n := len(ref.Parents) + len(refused)
	var out []teamParent
	k := 0
	for i := 0; i < n && k < len(ref.Parents); i++ {
		if refused[i] {
			continue
		}
		tp := teamParent{Parent: ref.Parents[k], Index: i}
		for j := range ref.Consents {
			if c := ref.Consents[j]; c.Parent == i && !c.Refused {
				tp.Consent = &ref.Consents[j]
			}
		}
		out = append(out, tp)
		k++
	}
	return out
}

// latestConsent is the last consent given (not refused), or nil.
func latestConsent(ref referral.Referral) *referral.Consent {
	var c *referral.Consent
	for i := range ref.Consents {
		if !ref.Consents[i].Refused {
			c = &ref.Consents[i]
		}
	}
	return c
}

func (ui *UI) showReferral(w http.ResponseWriter, r *http.Request, a account.Actor) {
	p := ui.page(r, "page.referral.title", nil)
	p.Form = url.Values{}
	ui.renderReferral(w, r, a, http.StatusOK, p)
}

// renderReferral loads the referral for the team and renders its page,
// with the error already on p, if any.
func (ui *UI) renderReferral(w http.ResponseWriter, r *http.Request, a account.Actor, status int, p *Page) {
	if a.Role == account.OCMWWorker {
		// The OCMW reads referrals in its inbox, never through the team's pages.
		ui.fail(w, r, ui.denyReferral(r, a))
		return
	}
	b := ui.referralBackend()
	ctx := r.Context()
	ref, err := b.Referral(ctx, a, referralID(r))
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	parents := parentsWithIndex(ref)
	var pending []teamParent
	for i := range parents {
		parents[i].Municipality = ui.municipalityName(parents[i].MunicipalityNIS)
		if parents[i].Consent == nil {
			pending = append(pending, parents[i])
		}
	}
	data := map[string]any{
		"R": ref, "View": api.TeamReferral(ref), "Parents": parents, "Pending": pending,
		"Municipality": ui.municipalityName(ref.MunicipalityNIS), "Recipient": ui.orgName(ctx, ref.Recipient),
		"Team": ui.orgName(ctx, ref.Team), "Items": referral.InformationItems, "Methods": referral.ConsentMethods,
		"HasConsent":  latestConsent(ref) != nil,
		"CanWithdraw": ref.Status == referral.Draft || (ref.Status.AtOCMW() && ref.Status != referral.Withdrawn),
		"Langs":       []string{"nl", "fr", "en"},
	}
	if ref.Status == referral.Draft {
		g, err := ui.gate(ctx, b, ref.Team, ref.MunicipalityNIS)
		if err != nil {
			ui.fail(w, r, err)
			return
		}
		if g.Recipient == "" {
			g.Recipient = data["Recipient"].(string)
		}
		data["Gate"] = g
	}
	p.Data = data
	ui.render(w, status, "referral", p)
}

// referralFailed shows err on the referral's page, keeping the form.
func (ui *UI) referralFailed(w http.ResponseWriter, r *http.Request, a account.Actor, err error) {
	if apperr.Code(err) == apperr.NotFound {
		ui.fail(w, r, err)
		return
	}
	p := ui.page(r, "page.referral.title", nil)
	p.withError(r, localiseState(p, err))
	p.Form = r.PostForm
	ui.renderReferral(w, r, a, statusOf(err), p)
}

// localiseState puts the translated status into an invalid_state error
// ("this referral is sent"), instead of the status code.
func localiseState(p *Page, err error) error {
	e, ok := apperr.As(err)
	if !ok || e.Key != "error.referral_state" {
		return err
	}
	s, _ := e.Args["Status"].(string)
	c := *e
	c.Args = map[string]any{"Status": i18n.T(p.Lang, "referral.status."+s, nil)}
	return &c
}

func (ui *UI) addReferralConsent(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if !teamSide(a) {
		ui.fail(w, r, ui.denyReferral(r, a))
		return
	}
	b := ui.referralBackend()
	var err error
	f := r.PostForm
	parent, perr := strconv.Atoi(f.Get("parent"))
	in := referral.NewConsent{Parent: parent, Informed: f["informed"], Method: f.Get("method"), Refused: f.Get("refused") == "1"}
	// Every problem of the form at once: the domain's (informed of every
	// item, a method) and the confirmation.
	var problems []*apperr.Error
	switch {
	case perr != nil:
		problems = append(problems, apperr.FieldErr(apperr.Invalid, "parent", "no parent").WithKey("error.no_parent", nil))
	case in.Refused && f.Get("confirm_refusal") != "on":
		problems = append(problems, apperr.FieldErr(apperr.Invalid, "confirm_refusal", "confirm the refusal").WithKey("error.confirm_refusal", nil))
	case !in.Refused:
		if e := in.Validate(2); e != nil {
			problems = append(problems, apperr.Problems(e)...)
		}
		if f.Get("voluntary") != "on" {
			problems = append(problems, apperr.FieldErr(apperr.Invalid, "voluntary", "consent must be voluntary and explicit").WithKey("error.consent_voluntary", nil))
		}
	}
	err = apperr.Join(problems)
	var ref referral.Referral
	if err == nil {
		ref, err = b.AddConsent(r.Context(), a, referralID(r), in)
	}
	if err != nil {
		if apperr.Code(err) == apperr.NotFound {
			ui.fail(w, r, err)
			return
		}
		p := ui.page(r, "page.referral.title", nil)
		p.formProblems(r, localiseState(p, err), formSpec{
			"informed":        {Input: fmt.Sprintf("c%d-informed", parent), Label: "referral.informed_legend"},
			"method":          {Input: fmt.Sprintf("c%d-method", parent), Label: "referral.method_legend"},
			"voluntary":       {Input: fmt.Sprintf("c%d-voluntary", parent), Label: "forms.consent_voluntary"},
			"confirm_refusal": {Input: fmt.Sprintf("r%d-confirm", parent), Label: "forms.confirm_refusal"},
		})
		p.Form = r.PostForm
		ui.renderReferral(w, r, a, statusOf(err), p)
		return
	}
	flash := "consent_recorded"
	switch {
	case ref.Status == referral.Cancelled:
		flash = "referral_cancelled"
	case in.Refused:
		flash = "refusal_recorded"
	}
	http.Redirect(w, r, fmt.Sprintf("/referrals/%d?ok=%s", ref.ID, flash), http.StatusSeeOther)
}

func (ui *UI) sendReferral(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if !teamSide(a) {
		ui.fail(w, r, ui.denyReferral(r, a))
		return
	}
	b := ui.referralBackend()
	ref, err := b.Send(r.Context(), a, referralID(r))
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Code == apperr.ConsentMissing {
			// Name the parent, not only the number.
			if n, ok := e.Args["N"].(int); ok {
				if cur, rerr := b.Referral(r.Context(), a, referralID(r)); rerr == nil {
					for _, tp := range parentsWithIndex(cur) {
						if tp.Index == n-1 {
							err = apperr.FieldErr(e.Code, e.Field, "%s", e.Message).WithKey("error.consent_missing_named", map[string]any{"N": n, "Name": tp.Name})
						}
					}
				}
			}
		}
		ui.referralFailed(w, r, a, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/referrals/%d?ok=referral_sent", ref.ID), http.StatusSeeOther)
}

func (ui *UI) withdrawReferral(w http.ResponseWriter, r *http.Request, a account.Actor) {
	if !teamSide(a) {
		ui.fail(w, r, ui.denyReferral(r, a))
		return
	}
	b := ui.referralBackend()
	if r.PostForm.Get("confirm_withdrawal") != "on" {
		ui.referralFailed(w, r, a, apperr.FieldErr(apperr.Invalid, "confirm_withdrawal", "confirm the withdrawal").WithKey("error.confirm_withdrawal", nil))
		return
	}
	ref, err := b.Withdraw(r.Context(), a, referralID(r))
	if err != nil {
		ui.referralFailed(w, r, a, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/referrals/%d?ok=referral_withdrawn", ref.ID), http.StatusSeeOther)
}
