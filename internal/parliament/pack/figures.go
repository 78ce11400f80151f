// Package pack gathers the figures of a parliamentary answer pack (see package parliament)
// from the agreements, the outreach and the referral outcomes, and renders them as the pack's
// PDF (in Dutch, with the map and the timeline drawn by fpdf itself), CSV and XLSX.
package pack

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/outcome"
	"kansrijk/internal/outreach"
	"kansrijk/internal/referral"
	"kansrijk/internal/suppress"
)

// Decree is the day of the decree that lets the local team refer families to the OCMW (4
// February 2022): the timeline and the default period of the families' figures start in its
// month.
var Decree = time.Date(2022, 2, 4, 0, 0, 0, 0, time.UTC)

// FirstDay is the first date a pack can be made for: the municipalities and their boundaries
// are known from 2019.
var FirstDay = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)

// Sources are where the figures come from. Outcomes may be nil: the pack then says that the
// families' figures are not available.
type Sources struct {
	Agreements interface {
		AgreementReport(ctx context.Context, asOf time.Time, knownAt *time.Time, region string) (agreement.Report, error)
		AgreementTimeline(ctx context.Context, days []time.Time) ([]agreement.Report, error)
	}
	Outreach interface {
		Campaigns(ctx context.Context, a account.Actor) ([]outreach.Campaign, error)
		Tasks(ctx context.Context, a account.Actor, f outreach.TaskFilter) ([]outreach.Task, error)
		OutreachReport(ctx context.Context, asOf time.Time) (outreach.Report, error)
	}
	Teams interface {
		Teams(ctx context.Context, on time.Time) ([]org.Team, error)
	}
	Outcomes       outcome.Store
	Municipalities *municipality.Registry
}

// Figures are everything a pack says, computed once and written as PDF, CSV and XLSX.
type Figures struct {
	AsOf time.Time
	// Period of the families' figures as asked (From..To, days) and as published (whole ended
	// quarters QFrom..QTo, first days of the first and last month; Published false when no
	// quarter of the period had ended on AsOf).
	From, To       time.Time
	QFrom, QTo     time.Time
	Published      bool
	Campaigns      []Campaign
	Informed       int // municipalities reached by a campaign by AsOf
	Total          int // Flemish municipalities on AsOf
	Stages         map[outreach.Stage]int
	Agreements     agreement.Report // Flemish, with a row per municipality
	Provinces      []ProvinceRow
	Timeline       []TimelinePoint
	Families       *Families // nil when no outcome store is wired
	NotSignedUp    []Approach
	TeamNames      map[string]string
	OpenTasks      int
	Contacted      int // not signed up, with at least one contact moment
	InConversation int // not signed up, in conversation (stage in_conversation)
}

// Campaign is one campaign up to the pack's date.
type Campaign struct {
	On      time.Time
	Kind    outreach.CampaignKind
	Partner string
	Subject string
	Reached int
}

// ProvinceRow is the agreement figures of one province.
type ProvinceRow struct {
	Province                 string
	Total, SignedUp, InForce int
}

// TimelinePoint is the number of local governments signed up and with an agreement in force
// at the end of a month (the last point is the pack's date).
type TimelinePoint struct {
	Day               time.Time
	SignedUp, InForce int
}

// Families are the published counts of families over the period, per province of residence
// and in total: referrals sent, families reached, referrals that opened rights, and per right
// opened.
type Families struct {
	Rows  []FamilyRow
	Total FamilyRow
}

// FamilyRow is one province (or the total).
type FamilyRow struct {
	Province     string
	Sent         suppress.Cell
	Reached      suppress.Cell
	RightsOpened suppress.Cell
	Rights       map[string]suppress.Cell
}

// Approach is a local government that had not signed up on the pack's date, and how its
// local team approaches it.
type Approach struct {
	NIS, Name, Province string
	Team                string // team key
	Stage               outreach.Stage
	Status              agreement.Status // none, withdrawn or ended
	LastContact         string           // YYYY-MM-DD or ""
	OpenTasks           int              // tasks open on the pack's date
	NextDue             string           // due date of the first of them, or ""
}

// Provinces are the provinces of the families' table, Flemish first, then Brussels.
var Provinces = append(slices.Clone(outreach.Provinces), municipality.BrusselsProvince)

// brussels is the users' time zone, in which the outcome months are cut.
var brussels = func() *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

// CheckDates validates a pack's date and optional period against today: asOf from 2019 to
// today; from and to (zero when not asked) within [Decree's year, asOf], from not after to.
// Every problem is reported at once.
func CheckDates(asOf, from, to, today time.Time) error {
	var out []*apperr.Error
	if asOf.Before(FirstDay) || asOf.After(today) {
		out = append(out, apperr.FieldErr(apperr.InvalidDate, "as_of", "as_of must be a date from %s to today", FirstDay.Format(time.DateOnly)).
			WithKey("parliament.error.as_of_range", map[string]any{"From": FirstDay.Format("02-01-2006"), "To": today.Format("02-01-2006")}))
	}
	if !from.IsZero() && !asOf.IsZero() && (from.Before(FirstDay) || from.After(asOf)) {
		out = append(out, apperr.FieldErr(apperr.InvalidDate, "from", "from must lie between %s and as_of", FirstDay.Format(time.DateOnly)).
			WithKey("parliament.error.from_range", nil))
	}
	if !to.IsZero() && (to.After(asOf) || (!from.IsZero() && to.Before(from))) {
		out = append(out, apperr.FieldErr(apperr.InvalidDate, "to", "to must lie between from and as_of").
			WithKey("parliament.error.to_range", nil))
	}
	return apperr.Join(out)
}

// reader is the actor the figures are read with: the program's own, with Opgroeien's reach.
// The caller's right to make a pack is checked before (CanMake); the pack reads aggregates,
// stages and campaigns only, never a contact person or a family.
var reader = account.System("parliament")

// Gather computes the figures of a pack for asOf, with the families' figures over from..to
// (zero: from the decree's month to asOf).
func Gather(ctx context.Context, src Sources, asOf, from, to time.Time) (f Figures, err error) {
	defer apperr.Wrap(&err, "parliament.Gather")
	asOf = day(asOf)
	if from.IsZero() {
		from = time.Date(Decree.Year(), Decree.Month(), 1, 0, 0, 0, 0, time.UTC)
		if from.After(asOf) {
			from = asOf
		}
	}
	if to.IsZero() {
		to = asOf
	}
	f = Figures{AsOf: asOf, From: day(from), To: day(to)}

	// 1. How the local governments were informed.
	cs, err := src.Outreach.Campaigns(ctx, reader)
	if err != nil {
		return f, err
	}
	for _, c := range cs {
		if day(c.On).After(asOf) {
			continue
		}
		f.Campaigns = append(f.Campaigns, Campaign{On: day(c.On), Kind: c.Kind, Partner: c.Partner, Subject: c.Subject, Reached: c.Reached})
	}
	slices.SortStableFunc(f.Campaigns, func(a, b Campaign) int {
		return cmp.Or(a.On.Compare(b.On), strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Subject, b.Subject))
	})
	or, err := src.Outreach.OutreachReport(ctx, asOf)
	if err != nil {
		return f, err
	}
	f.Informed, f.Total, f.Stages = or.Informed, or.Total, or.Counts

	// 2 and 3. Who signed up, per province; agreements in force; the timeline.
	f.Agreements, err = src.Agreements.AgreementReport(ctx, asOf, nil, "flanders")
	if err != nil {
		return f, err
	}
	byProvince := map[string]*ProvinceRow{}
	for _, m := range f.Agreements.Municipalities {
		pr := byProvince[m.Province]
		if pr == nil {
			pr = &ProvinceRow{Province: m.Province}
			byProvince[m.Province] = pr
		}
		pr.Total++
		if m.Status.SignedUp() {
			pr.SignedUp++
		}
		if m.Status.InForce() {
			pr.InForce++
		}
	}
	for _, p := range outreach.Provinces {
		if pr := byProvince[p]; pr != nil {
			f.Provinces = append(f.Provinces, *pr)
		}
	}
	var days []time.Time
	for d := time.Date(Decree.Year(), Decree.Month(), 1, 0, 0, 0, 0, time.UTC); !d.After(asOf); d = d.AddDate(0, 1, 0) {
		end := d.AddDate(0, 1, -1)
		if end.After(asOf) {
			end = asOf
		}
		days = append(days, end)
	}
	if len(days) > 0 {
		reps, err := src.Agreements.AgreementTimeline(ctx, days)
		if err != nil {
			return f, err
		}
		for i, r := range reps {
			f.Timeline = append(f.Timeline, TimelinePoint{Day: days[i], SignedUp: r.SignedUp, InForce: r.InForce})
		}
	}

	// 4. Families referred, reached, rights opened.
	if src.Outcomes != nil {
		if err := f.families(ctx, src); err != nil {
			return f, err
		}
	}

	// 5. Who has not signed up, and how the local teams approach them.
	f.TeamNames = map[string]string{}
	if src.Teams != nil {
		teams, err := src.Teams.Teams(ctx, asOf)
		if err != nil {
			return f, err
		}
		for _, t := range teams {
			f.TeamNames[t.Key] = t.Name
		}
	}
	tasks, err := src.Outreach.Tasks(ctx, reader, outreach.TaskFilter{})
	if err != nil {
		return f, err
	}
	open := map[string][]outreach.Task{}
	end := asOf.AddDate(0, 0, 1)
	for _, t := range tasks {
		// Open on asOf: planned by then, and not closed by then.
		if !t.CreatedAt.Before(end) || (t.ClosedAt != nil && t.ClosedAt.Before(end)) {
			continue
		}
		open[t.MunicipalityNIS] = append(open[t.MunicipalityNIS], t)
	}
	stage := map[string]outreach.MunicipalityStage{}
	for _, m := range or.Municipalities {
		stage[m.NIS] = m
	}
	for _, m := range f.Agreements.Municipalities {
		if m.Status.SignedUp() {
			continue
		}
		s := stage[m.NIS]
		ap := Approach{NIS: m.NIS, Name: m.Name, Province: m.Province, Team: cmp.Or(s.Team, m.Team), Stage: s.Stage, Status: m.Status, LastContact: s.LastContact}
		if ts := open[m.NIS]; len(ts) > 0 {
			slices.SortFunc(ts, func(a, b outreach.Task) int { return cmp.Or(a.DueOn.Compare(b.DueOn), cmp.Compare(a.ID, b.ID)) })
			ap.OpenTasks, ap.NextDue = len(ts), day(ts[0].DueOn).Format(time.DateOnly)
			f.OpenTasks += len(ts)
		}
		if ap.LastContact != "" {
			f.Contacted++
		}
		if ap.Stage == outreach.InConversation {
			f.InConversation++
		}
		f.NotSignedUp = append(f.NotSignedUp, ap)
	}
	slices.SortStableFunc(f.NotSignedUp, func(a, b Approach) int {
		return cmp.Or(provinceIndex(a.Province)-provinceIndex(b.Province), strings.Compare(a.Name, b.Name), strings.Compare(a.NIS, b.NIS))
	})
	return f, nil
}

func provinceIndex(p string) int {
	if i := slices.Index(Provinces, p); i >= 0 {
		return i
	}
	return len(Provinces)
}

// families reads the outcome cells of the published quarters and protects them: one table of
// provinces × months per measure, by suppress.ByQuarter, so that every count is the one every
// other publication of the same quarters shows.
func (f *Figures) families(ctx context.Context, src Sources) error {
	last := suppress.LastQuarter(f.AsOf, 0)
	qFrom, qTo, ok := suppress.Quarters(f.From, f.To, last)
	f.QFrom, f.QTo, f.Published = qFrom, qTo, ok
	fam := &Families{}
	f.Families = fam
	if !ok {
		return nil
	}
	var months []time.Time
	for m := qFrom; !m.After(qTo); m = m.AddDate(0, 1, 0) {
		months = append(months, m)
	}
	col := map[string]int{}
	for j, m := range months {
		col[m.Format("2006-01")] = j
	}
	q := outcome.Query{
		From: time.Date(qFrom.Year(), qFrom.Month(), 1, 0, 0, 0, 0, brussels),
		To:   time.Date(qTo.Year(), qTo.Month()+1, 1, 0, 0, 0, 0, brussels),
	}
	cells, err := src.Outcomes.OutcomeCells(ctx, reader, q)
	if err != nil {
		return err
	}
	measures := append([]string{"sent", "reached", "rights_opened"}, referral.Rights...)
	counts := make(map[string][][]int, len(measures))
	for _, m := range measures {
		t := make([][]int, len(Provinces)+1) // the last row: province unknown
		for i := range t {
			t[i] = make([]int, len(months))
		}
		counts[m] = t
	}
	for _, c := range cells {
		j, ok := col[c.Month]
		if !ok {
			continue
		}
		i := len(Provinces)
		if src.Municipalities != nil {
			if mu, ok := src.Municipalities.ByNIS(c.NIS); ok {
				i = provinceIndex(mu.Province)
			}
		}
		counts["sent"][i][j] += c.Sent
		counts["reached"][i][j] += c.Reached
		counts["rights_opened"][i][j] += c.Outcomes[referral.OutcomeRightsOpened]
		for _, r := range referral.Rights {
			counts[r][i][j] += c.Rights[r]
		}
	}
	rows := make([]FamilyRow, len(Provinces)+1)
	for i := range rows {
		rows[i] = FamilyRow{Province: "onbekend", Rights: map[string]suppress.Cell{}}
		if i < len(Provinces) {
			rows[i].Province = Provinces[i]
		}
	}
	fam.Total = FamilyRow{Province: "Totaal", Rights: map[string]suppress.Cell{}}
	for _, m := range measures {
		_, rowTot, _, grand := suppress.ByQuarter(counts[m], months)
		for i := range rows {
			rows[i].set(m, rowTot[i])
		}
		fam.Total.set(m, grand)
	}
	for i, r := range rows {
		// The row of an unknown province only when it has something to say.
		if i == len(Provinces) && r.Sent.Value == 0 && !r.Sent.Suppressed && r.Reached.Value == 0 && !r.Reached.Suppressed {
			continue
		}
		fam.Rows = append(fam.Rows, r)
	}
	return nil
}

func (r *FamilyRow) set(measure string, c suppress.Cell) {
	switch measure {
	case "sent":
		r.Sent = c
	case "reached":
		r.Reached = c
	case "rights_opened":
		r.RightsOpened = c
	default:
		r.Rights[measure] = c
	}
}

// day is t's calendar day as UTC midnight.
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// quarterName is "1e kwartaal 2023" for the quarter of t.
func quarterName(t time.Time) string {
	return fmt.Sprintf("%de kwartaal %d", (int(t.Month())-1)/3+1, t.Year())
}
