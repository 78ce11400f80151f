package web

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/api"
	"kansrijk/internal/apperr"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/i18n"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/paperwork"
	"kansrijk/internal/suppress"
)

// The factsheet per local government: a one-page document for its council
// (printable page and PDF) that says where it stands on the path to a
// cooperation agreement, how many referrals the local teams could not
// make there for want of one (anonymous, small counts suppressed exactly
// as in the missed-referrals report), Kind en Gezin's deprivation index as
// context, what the agreement involves, the steps to sign, and the local
// team to contact. Aggregates and public figures only: admins, analysts,
// team leads and team workers.

// factsheetMonths is the period of the missed referrals: the last four
// calendar quarters that have ended, as the missed-referrals report by
// default.
const factsheetMonths = 12

// factsheetYears is the number of most recent years of the index shown.
const factsheetYears = 6

// factsheetPage is what the factsheet template receives.
type factsheetPage struct {
	Sheet paperwork.Factsheet
	NIS   string
	Name  string
	// CanImport shows the link to the index import (admins).
	CanImport bool
}

// factsheetFor resolves the municipality of a factsheet: a Flemish local
// government that exists today. For a code that merged away it returns
// the successor, so that the caller can redirect.
func (ui *UI) factsheetFor(nis string, today time.Time) (m municipality.Municipality, moved bool, err error) {
	m, ok := ui.Municipalities.ByNIS(strings.TrimSpace(nis))
	if !ok || m.Region != municipality.Flanders {
		return m, false, apperr.New(apperr.NotFound, "no Flemish municipality %q", nis).WithKey("error.factsheet_unknown", map[string]any{"NIS": nis})
	}
	if ui.Municipalities.ValidOn(m.NIS, today) {
		return m, false, nil
	}
	if s, ok := ui.Municipalities.SuccessorOn(m.NIS, today); ok {
		return s, true, nil
	}
	return m, false, apperr.New(apperr.NotFound, "no Flemish municipality %q", nis).WithKey("error.factsheet_unknown", map[string]any{"NIS": nis})
}

// buildFactsheet gathers the facts on m today and writes the factsheet in
// lang.
func (ui *UI) buildFactsheet(ctx context.Context, a account.Actor, m municipality.Municipality, lang i18n.Lang) (paperwork.Factsheet, error) {
	if !outreach.CanReadReports(a) {
		return paperwork.Factsheet{}, outreach.Forbidden()
	}
	today := ui.today()
	rep, err := ui.Outreach.OutreachReport(ctx, today)
	if err != nil {
		return paperwork.Factsheet{}, err
	}
	var st outreach.MunicipalityStage
	for _, row := range rep.Municipalities {
		if row.NIS == m.NIS {
			st = row
		}
	}
	if st.NIS == "" {
		return paperwork.Factsheet{}, fmt.Errorf("factsheet: %s not in the outreach report of %s", m.NIS, today.Format(time.DateOnly))
	}
	// The last four calendar quarters that have ended, as the
	// missed-referrals report publishes them (suppress.ByQuarter).
	to := suppress.LastQuarter(today, 0)
	from, to, _ := suppress.Quarters(to.AddDate(0, 1-factsheetMonths, 0), to, to)
	counts, err := ui.Outreach.MissedReferralCounts(ctx, from.Format("2006-01"), to.Format("2006-01"))
	if err != nil {
		return paperwork.Factsheet{}, err
	}
	missed := api.BuildMissedReport(counts, from, to, ui.Municipalities)
	series, err := ui.Deprivation.DeprivationIndex(ctx, a, m.NIS)
	if err != nil {
		return paperwork.Factsheet{}, err
	}
	var team *org.Organisation
	var leads []org.Person
	if key, err := ui.Orgs.TeamFor(ctx, m.NIS, today); err != nil {
		return paperwork.Factsheet{}, err
	} else if key != "" {
		o, err := ui.Orgs.Organisation(ctx, key)
		if err != nil {
			return paperwork.Factsheet{}, err
		}
		team = &o
		if leads, err = ui.Orgs.TeamLeads(ctx, key); err != nil {
			return paperwork.Factsheet{}, err
		}
	}
	w := factsheetWriter{lang: lang, m: m, reg: ui.Municipalities, today: today}
	fs := paperwork.Factsheet{
		Title:       w.t("title", "Name", m.Name),
		Subtitle:    w.t("subtitle", "NIS", m.NIS, "Province", m.Province, "Date", fsDate(today)),
		Subject:     w.t("subject", "Name", m.Name),
		GeneratedOn: ui.Now().UTC().Truncate(time.Second),
		Footer:      w.t("footer", "Date", fsDate(today), "Name", m.Name),
	}
	if series.Fictitious() {
		fs.Marker = w.t("marker_fictitious")
	}
	fs.Sections = []paperwork.FactsheetSection{
		w.stage(st),
		w.missed(missed, st),
		w.context(series),
		w.agreement(),
		w.steps(st),
		w.contact(team, leads),
	}
	return fs, nil
}

// factsheetWriter writes the sections in one language.
type factsheetWriter struct {
	lang  i18n.Lang
	m     municipality.Municipality
	reg   *municipality.Registry
	today time.Time
}

// t translates factsheet.<key> with name/value pairs.
func (w factsheetWriter) t(key string, kv ...any) string {
	args := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		args[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return i18n.T(w.lang, "factsheet."+key, args)
}

// fsDate writes a date the Belgian way, 08-03-2023.
func fsDate(t time.Time) string { return t.Format("02-01-2006") }

// fsDateString writes a YYYY-MM-DD date the Belgian way ("" stays "").
func fsDateString(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return fsDate(t)
}

func (w factsheetWriter) stage(st outreach.MunicipalityStage) paperwork.FactsheetSection {
	s := paperwork.FactsheetSection{ID: "stand", Heading: w.t("stage.heading")}
	label := w.t("stage." + string(st.Stage))
	if st.Since != "" {
		s.Paras = append(s.Paras, w.t("stage.now_since", "Stage", label, "Date", fsDateString(st.Since)))
	} else {
		s.Paras = append(s.Paras, w.t("stage.now", "Stage", label))
	}
	s.Paras = append(s.Paras, w.t("stage.explain."+string(st.Stage), "Name", w.m.Name, "Since", fsDateString(st.Since),
		"Contact", fsDateString(st.LastContact), "Touchpoint", fsDateString(st.LastTouchpoint)))
	if n := len(st.Predecessors); n > 0 {
		names := make([]string, n)
		for i, p := range st.Predecessors {
			names[i] = p
			if m, ok := w.reg.ByNIS(p); ok {
				names[i] = m.Name
			}
		}
		parts := names[0]
		if n > 1 {
			parts = strings.Join(names[:n-1], ", ") + w.t("and") + names[n-1]
		}
		key := "stage.merged_one"
		if n > 1 {
			key = "stage.merged_many"
		}
		s.Notes = append(s.Notes, w.t(key, "Name", w.m.Name, "Parts", parts))
	}
	return s
}

func (w factsheetWriter) missed(rep api.MissedReport, st outreach.MunicipalityStage) paperwork.FactsheetSection {
	s := paperwork.FactsheetSection{ID: "gemist", Heading: w.t("missed.heading", "Name", w.m.Name)}
	if st.AgreementStatus.InForce() {
		s.Heading = w.t("missed.heading_in_force")
	}
	first, _ := time.Parse("2006-01", rep.Months[0])
	last, _ := time.Parse("2006-01", rep.Months[len(rep.Months)-1])
	s.Paras = append(s.Paras, w.t("missed.intro", "Name", w.m.Name, "From", w.month(first)+" "+strconv.Itoa(first.Year()),
		"To", w.month(last)+" "+strconv.Itoa(last.Year())))
	cells := make([]suppress.Cell, len(rep.Months))
	total := suppress.Cell{}
	for _, r := range rep.Municipalities {
		if r.NIS == w.m.NIS {
			cells, total = r.Counts, r.Total
		}
	}
	head := [][]string{{w.t("missed.area")}, {""}}
	row := []string{w.m.Name}
	suppressed := total.Suppressed
	for i, mo := range rep.Months {
		t, _ := time.Parse("2006-01", mo)
		head[0] = append(head[0], w.month(t))
		head[1] = append(head[1], strconv.Itoa(t.Year()))
		row = append(row, cells[i].String())
		suppressed = suppressed || cells[i].Suppressed
	}
	head[0] = append(head[0], w.t("missed.total"))
	head[1] = append(head[1], "")
	row = append(row, total.String())
	s.Table = &paperwork.FactsheetTable{Caption: w.t("missed.caption", "Name", w.m.Name), Head: head, Rows: [][]string{row}}
	// Only a shown zero says "none": a hidden total may be a zero hidden
	// as a last resort.
	none := !total.Suppressed && total.Value == 0
	switch {
	case none && st.AgreementStatus.InForce():
		s.Paras = append(s.Paras, w.t("missed.none_in_force", "Name", w.m.Name))
	case none:
		s.Paras = append(s.Paras, w.t("missed.none", "Name", w.m.Name))
	}
	s.Notes = append(s.Notes, w.t("missed.anonymous"))
	if suppressed {
		s.Notes = append(s.Notes, w.t("missed.legend"))
	}
	s.Notes = append(s.Notes, i18n.T(w.lang, "suppression.rounded", nil))
	return s
}

// month is the short name of t's month.
func (w factsheetWriter) month(t time.Time) string {
	return w.t("month." + strconv.Itoa(int(t.Month())))
}

func (w factsheetWriter) context(series deprivation.Series) paperwork.FactsheetSection {
	s := paperwork.FactsheetSection{ID: "context", Heading: w.t("context.heading")}
	s.Paras = append(s.Paras, w.t("context.intro"))
	years := series.Years()
	if len(years) > factsheetYears {
		years = years[len(years)-factsheetYears:]
	}
	if len(years) == 0 {
		s.Paras = append(s.Paras, w.t("context.none", "Name", w.m.Name))
		return s
	}
	head := []string{w.t("context.area")}
	for _, y := range years {
		head = append(head, strconv.Itoa(y))
	}
	// One row per municipality the figures are for, the local government
	// itself first.
	type key struct {
		nis string
		rel deprivation.Relation
	}
	var order []key
	labels := map[key]string{}
	values := map[key]map[int]string{}
	sources := map[int]string{}
	for _, f := range series.Figures {
		if !slices.Contains(years, f.Year) {
			continue
		}
		k := key{f.NIS, f.Relation}
		if _, ok := values[k]; !ok {
			order = append(order, k)
			values[k] = map[int]string{}
			switch f.Relation {
			case deprivation.Predecessor:
				labels[k] = w.t("context.predecessor", "Name", f.Name)
			case deprivation.Successor:
				labels[k] = w.t("context.successor", "Name", f.Name)
			default:
				labels[k] = f.Name
			}
		}
		values[k][f.Year] = w.percent(f.Percent)
		sources[f.Year] = f.Source
	}
	slices.SortStableFunc(order, func(a, b key) int {
		if (a.rel == deprivation.Self) != (b.rel == deprivation.Self) {
			if a.rel == deprivation.Self {
				return -1
			}
			return 1
		}
		return strings.Compare(labels[a], labels[b])
	})
	t := &paperwork.FactsheetTable{Caption: w.t("context.caption"), Head: [][]string{head}}
	for _, k := range order {
		row := []string{labels[k]}
		for _, y := range years {
			v := values[k][y]
			if v == "" {
				v = "–"
			}
			row = append(row, v)
		}
		t.Rows = append(t.Rows, row)
	}
	s.Table = t
	// The source of every year shown, grouped.
	var groups []string
	for i := 0; i < len(years); {
		j := i
		for j+1 < len(years) && sources[years[j+1]] == sources[years[i]] && years[j+1] == years[j]+1 {
			j++
		}
		span := strconv.Itoa(years[i])
		if j > i {
			span += "–" + strconv.Itoa(years[j])
		}
		groups = append(groups, w.t("context.source_years", "Source", sources[years[i]], "Years", span))
		i = j + 1
	}
	s.Notes = append(s.Notes, w.t("context.source", "Sources", strings.Join(groups, "; ")))
	if len(order) > 1 {
		s.Notes = append(s.Notes, w.t("context.merger_note"))
	}
	return s
}

// percent writes an index value with one decimal, in the language's way.
func (w factsheetWriter) percent(x float64) string {
	s := strconv.FormatFloat(x, 'f', 1, 64)
	if w.lang == i18n.NL {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " %"
}

func (w factsheetWriter) agreement() paperwork.FactsheetSection {
	s := paperwork.FactsheetSection{ID: "overeenkomst", Heading: w.t("agreement.heading")}
	s.Paras = append(s.Paras, w.t("agreement.intro"))
	for _, k := range []string{"data", "consent", "in_force", "secrecy", "ocmw", "paperwork"} {
		s.Bullets = append(s.Bullets, w.t("agreement."+k, "Name", w.m.Name))
	}
	return s
}

// signSteps are the steps of the agreement's lifecycle up to its start,
// with the stage that marks each.
var signSteps = []struct {
	key   string
	stage outreach.Stage
}{
	{"sign_up", outreach.SignedUp},
	{"draft", outreach.Drafting},
	{"approval", outreach.Approved},
	{"signatures", outreach.Signed},
	{"active", outreach.Active},
}

func (w factsheetWriter) steps(st outreach.MunicipalityStage) paperwork.FactsheetSection {
	s := paperwork.FactsheetSection{ID: "stappen", Heading: w.t("steps.heading")}
	cur := -1
	for i, step := range signSteps {
		if st.Stage == step.stage {
			cur = i
		}
	}
	for i, step := range signSteps {
		fs := paperwork.FactsheetStep{Title: w.t("steps." + step.key + ".title"), Text: w.t("steps."+step.key+".text", "Name", w.m.Name), State: paperwork.StepTodo}
		switch {
		case cur >= 0 && i < cur:
			fs.State, fs.StateLabel = paperwork.StepDone, w.t("steps.state.done")
		case i == cur:
			fs.State, fs.StateLabel = paperwork.StepCurrent, w.t("steps.state.current", "Name", w.m.Name)
		case cur < 0 && i == 0 && st.Stage != outreach.Ended:
			fs.State, fs.StateLabel = paperwork.StepNext, w.t("steps.state.next")
		}
		s.Steps = append(s.Steps, fs)
	}
	if st.Stage == outreach.Ended {
		s.Notes = append(s.Notes, w.t("steps.ended", "Name", w.m.Name))
	}
	return s
}

func (w factsheetWriter) contact(team *org.Organisation, leads []org.Person) paperwork.FactsheetSection {
	s := paperwork.FactsheetSection{ID: "contact", Heading: w.t("contact.heading")}
	if team == nil {
		s.Paras = append(s.Paras, w.t("contact.no_team", "Name", w.m.Name))
		return s
	}
	s.Paras = append(s.Paras, w.t("contact.team", "Team", team.Name, "Name", w.m.Name))
	if team.InboxEmail != "" {
		s.Paras = append(s.Paras, w.t("contact.email", "Email", team.InboxEmail))
	}
	for _, p := range leads {
		s.Paras = append(s.Paras, w.t("contact.person", "Person", p.Name, "Email", p.Email))
	}
	s.Notes = append(s.Notes, w.t("contact.note"))
	return s
}

// showFactsheet is the printable factsheet page.
func (ui *UI) showFactsheet(w http.ResponseWriter, r *http.Request, a account.Actor) {
	m, moved, err := ui.factsheetFor(r.PathValue("nis"), ui.today())
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if moved {
		http.Redirect(w, r, "/outreach/municipalities/"+m.NIS+"/factsheet", http.StatusSeeOther)
		return
	}
	fs, err := ui.buildFactsheet(r.Context(), a, m, i18n.FromRequest(r))
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	p := ui.page(r, "page.factsheet.title", factsheetPage{Sheet: fs, NIS: m.NIS, Name: m.Name, CanImport: a.Role == account.Admin})
	ui.render(w, http.StatusOK, "factsheet", p)
}

// factsheetPDF is the factsheet as a one-page PDF, always in Dutch: it is
// written for the council.
func (ui *UI) factsheetPDF(w http.ResponseWriter, r *http.Request, a account.Actor) {
	m, moved, err := ui.factsheetFor(strings.TrimSuffix(r.PathValue("nis"), ".pdf"), ui.today())
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if moved {
		http.Redirect(w, r, "/outreach/municipalities/"+m.NIS+"/factsheet.pdf", http.StatusSeeOther)
		return
	}
	fs, err := ui.buildFactsheet(r.Context(), a, m, i18n.NL)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	pdf, err := paperwork.FactsheetPDF(fs)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	name := fmt.Sprintf("factsheet-%s-%s.pdf", org.Slugify(m.Name), ui.today().Format(time.DateOnly))
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(pdf)
}
