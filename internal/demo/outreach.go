package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/outreach"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
)

// The outreach history of the demo, 2022 to the day of loading, told
// through the store on a fake clock so that dates, audit records and the
// derived stages make sense, and consistent with the demo agreements:
//
//   - VVSG newsletters in spring 2022, autumn 2022 and January 2023 reach
//     the local governments subscribed to them; a joint VVSG–Opgroeien
//     webinar on 9 February 2023 has the registrations and attendance of a
//     few dozen; on 8 March 2023 nobody has signed up, but most are
//     informed;
//   - the local teams approach them proactively during 2023, follow up in
//     2024 and, after the mergers, in 2025 and 2026 those still not signed
//     up; every local government that signed up an agreement was informed
//     and contacted before; Opgroeien sends a mailing in March 2025;
//   - contact persons for about half the local governments (made-up names,
//     addresses under <gemeente>.demo.kansrijk.test), tasks done, open and
//     overdue, a dozen referrals the Turnhout team could not make for
//     want of an agreement (anonymous counts, last twelve months), one
//     more agreement that the outreach brought to council approval, and a
//     fictitious deprivation index for 2021–2024;
//   - a group of local governments nobody approached yet.
//
// Everything is deterministic except what is placed relative to the day
// of loading (recent contacts, open tasks, missed referrals).

// DeprivationSource labels the demo's deprivation index: made up.
const DeprivationSource = "fictief — demogegevens"

// The demo campaigns' days.
var (
	NewsletterSpring2022 = demoDay("2022-04-26")
	NewsletterAutumn2022 = demoDay("2022-10-18")
	NewsletterJan2023    = demoDay("2023-01-17")
	WebinarDay           = demoDay("2023-02-09")
	InfoSessionTurnhout  = demoDay("2023-10-10")
	MailingDay           = demoDay("2025-03-18")
)

// firstProactive is the first day of the local teams' proactive approach.
var firstProactive = demoDay("2023-01-09")

// outreachAgreement is one more agreement, brought about by the outreach
// after the 2025 mailing, up to the council's approval: Zoersel, which the
// decree's story names, unless the demo agreements gave it one already;
// then the first municipality of the arrondissement without one.
var outreachAgreement = plan{nis: "11055", steps: []planStep{{agreement.Interested, "2025-04-22"}, {agreement.Draft, "2025-09-15"}, {agreement.Approved, "2026-06-23"}}}

// freeMunicipality returns the first of the candidates (then of the
// municipalities whose code starts like the first candidate's) that has
// no agreement and existed unchanged from 2019 until today.
func freeMunicipality(ctx context.Context, db *store.DB, today time.Time, candidates ...string) (string, error) {
	for _, m := range db.Municipalities.On(today, municipality.Flanders) {
		if strings.HasPrefix(m.NIS, candidates[0][:2]) && !slices.Contains(candidates, m.NIS) {
			candidates = append(candidates, m.NIS)
		}
	}
	for _, nis := range candidates {
		m, ok := db.Municipalities.ByNIS(nis)
		if !ok || m.ValidTo != nil || len(db.Municipalities.Predecessors(nis)) > 0 {
			continue
		}
		list, err := db.Agreements(ctx, account.Program(account.SourceDemo, ""), agreement.Filter{NIS: nis})
		if err != nil {
			return "", err
		}
		if len(list) == 0 {
			return nis, nil
		}
	}
	return "", fmt.Errorf("no municipality without an agreement among %v", candidates)
}

// outreachLoader carries what the steps share.
type outreachLoader struct {
	ctx   context.Context
	db    *store.DB
	reg   *municipality.Registry
	rng   *rand.Rand
	today time.Time
	sys   account.Actor
	lead  account.Actor // the demo team lead (team-demo-turnhout)
	// signUp is the first agreement step of every code (own agreements;
	// for a code that still exists, also those carried into it).
	signUp map[string]time.Time
	// unreached are the local governments nobody approached.
	unreached map[string]bool
	// contacts are the contact ids per current municipality.
	contacts map[string][]outreach.Contact
	// moments are the days of the contact moments per code.
	moments map[string][]time.Time
	teams   map[string]string // code/day-era → team key
}

// at sets the store's clock to a working hour of day.
func (l *outreachLoader) at(day time.Time, hour int) {
	t := time.Date(day.Year(), day.Month(), day.Day(), hour, 20, 0, 0, time.UTC)
	l.db.Now = func() time.Time { return t }
}

// loadOutreach writes the outreach history. It needs the teams, the
// agreements and the demo users.
func loadOutreach(ctx context.Context, db *store.DB) error {
	realNow := db.Now
	defer func() { db.Now = realNow }()
	y, m, d := realNow().UTC().Date()
	l := &outreachLoader{ctx: ctx, db: db, reg: db.Municipalities, rng: rand.New(rand.NewPCG(2023, 308)),
		today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), sys: account.Program(account.SourceDemo, ""),
		contacts: map[string][]outreach.Contact{}, moments: map[string][]time.Time{}, teams: map[string]string{}}
	var err error
	if l.lead, err = demoActor(ctx, db, demoLeadEmail); err != nil {
		return err
	}
	p := outreachAgreement
	if p.nis, err = freeMunicipality(ctx, db, l.today, p.nis); err != nil {
		return err
	}
	if err := runPlan(db, p, l.today); err != nil {
		return err
	}
	for _, step := range []struct {
		name string
		fn   func() error
	}{
		{"agreements", l.readAgreements},
		{"campaigns", l.campaigns},
		{"contacts", l.addContacts},
		{"contact moments", l.contactMoments},
		{"mailing", l.mailing},
		{"tasks", l.tasks},
		{"missed referrals", l.missedReferrals},
		{"deprivation index", l.deprivationIndex},
	} {
		if err := step.fn(); err != nil {
			return fmt.Errorf("demo outreach, %s: %w", step.name, err)
		}
	}
	return nil
}

// runPlan writes one scripted agreement up to today (steps after today are
// left out).
func runPlan(db *store.DB, p plan, today time.Time) error {
	ctx := context.Background()
	sys := account.Program(account.SourceDemo, "")
	var id int64
	for i, s := range p.steps {
		on := demoDay(s.on)
		if on.After(today) {
			break
		}
		t := on.Add(10 * time.Hour)
		db.Now = func() time.Time { return t }
		if i == 0 {
			team, err := db.TeamFor(ctx, p.nis, on)
			if err != nil || team == "" {
				return fmt.Errorf("no demo team for %s: %v", p.nis, err)
			}
			ag, err := db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: team, MunicipalityNIS: p.nis, Status: string(s.status), EffectiveOn: s.on})
			if err != nil {
				return fmt.Errorf("demo agreement %s: %w", p.nis, err)
			}
			id = ag.ID
			continue
		}
		if _, err := db.AddEvent(ctx, sys, id, demoStep(s.status, s.on)); err != nil {
			return fmt.Errorf("demo agreement %s step %s: %w", p.nis, s.status, err)
		}
	}
	return nil
}

// readAgreements finds when each local government first signed up, and
// chooses those nobody approached: today's municipalities that existed
// unchanged since 2019, without any agreement.
func (l *outreachLoader) readAgreements() error {
	l.signUp = map[string]time.Time{}
	for _, on := range []time.Time{demoDay("2024-12-31"), l.today} {
		facts, err := l.db.OutreachFacts(l.ctx, on)
		if err != nil {
			return err
		}
		for nis, f := range facts {
			for _, h := range f.Agreements {
				if len(h.Steps) == 0 {
					continue
				}
				if first, ok := l.signUp[nis]; !ok || h.Steps[0].On.Before(first) {
					l.signUp[nis] = h.Steps[0].On
				}
			}
		}
	}
	l.unreached = map[string]bool{}
	var pool []string
	for _, m := range l.reg.On(l.today, municipality.Flanders) {
		if _, ok := l.signUp[m.NIS]; ok || m.ValidFrom.After(demoDay("2019-01-01")) || len(l.reg.Predecessors(m.NIS)) > 0 || m.NIS == demoNIS {
			continue
		}
		pool = append(pool, m.NIS)
	}
	for _, i := range l.rng.Perm(len(pool))[:min(36, len(pool))] {
		l.unreached[pool[i]] = true
	}
	return nil
}

// old returns the Flemish municipalities of 2019–2024 that may be
// reached (not the unreached ones), sorted by code.
func (l *outreachLoader) old() []municipality.Municipality {
	var out []municipality.Municipality
	for _, m := range l.reg.On(demoDay("2023-03-08"), municipality.Flanders) {
		if !l.unreached[m.NIS] {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b municipality.Municipality) int { return strings.Compare(a.NIS, b.NIS) })
	return out
}

// current returns today's Flemish municipalities that may be reached.
func (l *outreachLoader) current() []municipality.Municipality {
	var out []municipality.Municipality
	for _, m := range l.reg.On(l.today, municipality.Flanders) {
		if !l.unreached[m.NIS] {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b municipality.Municipality) int { return strings.Compare(a.NIS, b.NIS) })
	return out
}

// signedUpBy reports whether nis had signed up by day.
func (l *outreachLoader) signedUpBy(nis string, day time.Time) bool {
	s, ok := l.signUp[nis]
	return ok && !s.After(day)
}

func (l *outreachLoader) campaigns() error {
	old := l.old()
	subscribers := func(share float64) []string {
		var out []string
		for _, m := range old {
			if l.rng.Float64() < share {
				out = append(out, m.NIS)
			}
		}
		return out
	}
	spring, autumn, january := subscribers(0.45), subscribers(0.5), subscribers(0.55)
	// Every local government that signed up later had read about it.
	for _, m := range old {
		if _, ok := l.signUp[m.NIS]; ok && !slices.Contains(spring, m.NIS) && !slices.Contains(january, m.NIS) && !slices.Contains(autumn, m.NIS) {
			autumn = append(autumn, m.NIS)
		}
	}
	for _, c := range []struct {
		on      time.Time
		subject string
		list    []string
	}{
		{NewsletterSpring2022, "VVSG-nieuwsbrief Welzijn: het decreet van 4 februari 2022 laat het lokaal team van Kind en Gezin gezinnen naar het OCMW doorverwijzen", spring},
		{NewsletterAutumn2022, "VVSG-nieuwsbrief Welzijn: het model van samenwerkingsovereenkomst lokaal team – OCMW is klaar", autumn},
		{NewsletterJan2023, "VVSG-nieuwsbrief Welzijn: schrijf in voor het webinar van 9 februari over onderbescherming en gegevensdeling", january},
	} {
		l.at(c.on, 9)
		if _, err := l.db.CreateCampaign(l.ctx, l.sys, outreach.NewCampaign{Kind: string(outreach.Newsletter), On: c.on.Format(time.DateOnly),
			Partner: "VVSG", Subject: c.subject, Audience: string(outreach.AudienceList), Municipalities: c.list}); err != nil {
			return err
		}
	}

	// The webinar: registrations from the January newsletter's readers,
	// and those who attended, imported the day after.
	var registered []string
	for _, i := range l.rng.Perm(len(january)) {
		if len(registered) == 42 {
			break
		}
		registered = append(registered, january[i])
	}
	slices.Sort(registered)
	l.at(WebinarDay, 16)
	web, err := l.db.CreateCampaign(l.ctx, l.sys, outreach.NewCampaign{Kind: string(outreach.Webinar), On: WebinarDay.Format(time.DateOnly),
		Partner: "VVSG en Opgroeien", Subject: "Webinar: samen onderbescherming voorkomen – gegevensdeling tussen het lokaal team van Kind en Gezin en het OCMW",
		Audience: string(outreach.AudienceList), Municipalities: registered})
	if err != nil {
		return err
	}
	rows := make([]outreach.AttendanceRow, len(registered))
	for i, nis := range registered {
		rows[i] = outreach.AttendanceRow{MunicipalityNIS: nis, Registered: true, Attended: i%4 != 3}
	}
	l.at(WebinarDay.AddDate(0, 0, 1), 10)
	if _, err := l.db.RecordAttendance(l.ctx, l.sys, web.ID, rows); err != nil {
		return err
	}

	// An information session of the Turnhout team for the local
	// governments of its area that came.
	var came []string
	for _, m := range old {
		if strings.HasPrefix(m.NIS, "13") && !l.signedUpBy(m.NIS, InfoSessionTurnhout) && l.rng.IntN(3) > 0 {
			came = append(came, m.NIS)
		}
	}
	l.at(InfoSessionTurnhout, 19)
	_, err = l.db.CreateCampaign(l.ctx, l.lead, outreach.NewCampaign{Kind: string(outreach.InfoSession), On: InfoSessionTurnhout.Format(time.DateOnly),
		Partner: "Opgroeien", Subject: "Infosessie voor de lokale besturen van de regio Turnhout: doorverwijzen naar het OCMW, hoe begin je eraan?",
		Audience: string(outreach.AudienceList), Municipalities: came})
	return err
}

// Synthetic names for the contact persons: common first names and
// surnames, combined at random. No real person is meant.
var (
	demoFirstNames = []string{"An", "Bram", "Charlotte", "Dirk", "Els", "Femke", "Geert", "Hanne", "Ine", "Jan", "Karen", "Lieven", "Marijke",
		"Nele", "Olivier", "Pieter", "Roos", "Sofie", "Tom", "Veerle", "Wim", "Yasmina", "Zeynep", "Jérôme", "Anaïs", "Gaëlle", "Noël", "Chloë"}
	demoLastNames = []string{"Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet", "Dubois",
		"Hermans", "Aerts", "Pauwels", "Verhoeven", "Van den Broeck", "De Clercq", "Lambrechts", "Vermeulen", "Van Damme", "El Amrani", "Yilmaz", "D'Hondt"}
	demoFunctions = []outreach.Function{outreach.GeneralDirector, outreach.HeadSocialService, outreach.PovertyOfficer, outreach.CouncilChair}
)

// demoEmail is a made-up address under the municipality's demo domain.
func demoEmail(first, last, municipality string) string {
	local := strings.ReplaceAll(org.Slugify(first)+"."+org.Slugify(last), "-", "")
	return local + "@" + org.Slugify(municipality) + ".demo.kansrijk.test"
}

// addContacts gives about half of today's local governments one to three
// contact persons, recorded when the team first had them (after the
// mergers for the new municipalities).
func (l *outreachLoader) addContacts() error {
	for i, m := range l.current() {
		if _, signed := l.signUp[m.NIS]; !signed && l.rng.Float64() > 0.5 {
			continue
		}
		on := demoDay("2023-03-01").AddDate(0, 0, l.rng.IntN(280))
		if m.ValidFrom.After(on) {
			on = m.ValidFrom.AddDate(0, 0, 10+l.rng.IntN(40))
		}
		n := 1 + l.rng.IntN(3)
		for k := range n {
			first := demoFirstNames[l.rng.IntN(len(demoFirstNames))]
			last := demoLastNames[l.rng.IntN(len(demoLastNames))]
			c := outreach.NewContact{MunicipalityNIS: m.NIS, Function: string(demoFunctions[k%len(demoFunctions)]),
				Name: first + " " + last, Email: demoEmail(first, last, m.Name)}
			if (i+k)%3 == 0 {
				c.Phone = fmt.Sprintf("+32 470 99 %02d %02d", i%100, k+10)
			}
			l.at(on.AddDate(0, 0, k), 11)
			created, err := l.db.CreateContact(l.ctx, l.sys, c)
			if err != nil {
				return fmt.Errorf("%s: %w", m.NIS, err)
			}
			l.contacts[m.NIS] = append(l.contacts[m.NIS], created)
		}
	}
	return nil
}

// teamOn returns the team covering nis on day.
func (l *outreachLoader) teamOn(nis string, day time.Time) (string, error) {
	key := nis + "/" + day.Format("2006")
	if day.Before(AreasFrom2025) {
		key += "-old"
	}
	if t, ok := l.teams[key]; ok {
		return t, nil
	}
	t, err := l.db.TeamFor(l.ctx, nis, day)
	if err != nil {
		return "", err
	}
	if t == "" {
		return "", fmt.Errorf("no team covers %s on %s", nis, day.Format(time.DateOnly))
	}
	l.teams[key] = t
	return t, nil
}

// actorFor is who logs for a team: the demo team lead for its own team,
// else the system on behalf of the team.
func (l *outreachLoader) actorFor(team string) account.Actor {
	if team == l.lead.Org {
		return l.lead
	}
	return l.sys
}

// A contact moment's text: what was said and the next step.
type momentText struct{ summary, next string }

var (
	firstContacts = []momentText{
		{"Kennismaking met de algemeen directeur: het decreet van 4 februari 2022 en het model van samenwerkingsovereenkomst toegelicht.", "Bespreking op het vast bureau afwachten."},
		{"Telefonisch contact met het diensthoofd sociale dienst: interesse, maar eerst intern afstemmen.", "Over vier weken opnieuw bellen."},
		{"Overleg met de beleidsmedewerker armoede over de doorverwijzing van gezinnen naar het OCMW.", "Infonota bezorgen voor het vast bureau."},
		{"Bezoek aan het OCMW: werkwijze van het lokaal team en de toestemming van de ouders toegelicht.", "Modelovereenkomst en verwerkingsovereenkomst doorsturen."},
		{"E-mail met de presentatie van het webinar en het model van overeenkomst.", "Reactie afwachten."},
	}
	beforeSignUp = []momentText{
		{"Gesprek met de voorzitter van de raad voor maatschappelijk welzijn: het lokaal bestuur wil zich aanmelden.", "Aanmelding vastleggen en het ontwerp van overeenkomst opstarten."},
		{"Vragen van de sociale dienst over beroepsgeheim en bewaartermijn beantwoord; het vast bureau is akkoord om te starten.", "Aanmelding bevestigen."},
	}
	followUps = []momentText{
		{"Opvolggesprek: het vast bureau wil eerst zien hoe de samenwerking elders loopt.", "Ervaringen van buurgemeenten delen."},
		{"Herinnering per e-mail met de cijfers over gemiste doorverwijzingen.", "Opnieuw bellen na de zomer."},
		{"Nieuwe algemeen directeur: de samenwerking opnieuw voorgesteld.", "Afspraak met de sociale dienst maken."},
		{"Infomoment voor het team van de sociale dienst gegeven.", "Voorstel tot samenwerking op de raad agenderen."},
	}
	afterMerger = []momentText{
		{"Gesprek na de fusie: de nieuwe raad voor maatschappelijk welzijn neemt de vraag mee.", "Agenderen op de raad."},
		{"Telefonisch opgevolgd na de mailing van Opgroeien: interesse voor een infomoment.", "Infomoment plannen."},
		{"Bezoek aan de sociale dienst: vragen over de verwerkingsovereenkomst beantwoord.", "Antwoorden schriftelijk bevestigen."},
		{"Factsheet met de gemiste doorverwijzingen besproken met de algemeen directeur.", "Factsheet bezorgen aan de raad."},
	}
	momentChannels = []outreach.Channel{outreach.Phone, outreach.Email, outreach.Meeting, outreach.VisitCh}
)

// moment logs a contact moment with nis on day by the team covering it.
func (l *outreachLoader) moment(nis string, day time.Time, text momentText) error {
	if day.After(l.today) || !l.reg.ValidOn(nis, day) {
		return nil
	}
	team, err := l.teamOn(nis, day)
	if err != nil {
		return err
	}
	in := outreach.NewContactMoment{MunicipalityNIS: nis, On: day.Format(time.DateOnly), By: team,
		Channel: string(momentChannels[l.rng.IntN(len(momentChannels))]), Summary: text.summary, NextStep: text.next}
	var withContact []outreach.Contact
	for _, c := range l.contacts[nis] {
		if !c.CreatedAt.After(day.Add(23 * time.Hour)) {
			withContact = append(withContact, c)
		}
	}
	if len(withContact) > 0 {
		in.ContactID = withContact[l.rng.IntN(len(withContact))].ID
	} else {
		in.WithFunction = string(demoFunctions[l.rng.IntN(len(demoFunctions))])
	}
	l.at(day, 10+l.rng.IntN(6))
	if _, err := l.db.CreateContactMoment(l.ctx, l.actorFor(team), in); err != nil {
		return fmt.Errorf("%s on %s: %w", nis, day.Format(time.DateOnly), err)
	}
	l.moments[nis] = append(l.moments[nis], day)
	return nil
}

func (l *outreachLoader) pick(list []momentText) momentText { return list[l.rng.IntN(len(list))] }

// between returns a day from a to b (inclusive), or a when b is before a.
func (l *outreachLoader) between(a, b time.Time) time.Time {
	days := int(b.Sub(a).Hours() / 24)
	if days <= 0 {
		return a
	}
	return a.AddDate(0, 0, l.rng.IntN(days+1))
}

func (l *outreachLoader) contactMoments() error {
	y2023, y2024 := demoDay("2023-12-15"), demoDay("2024-12-13")
	for _, m := range l.old() {
		s, signed := l.signUp[m.NIS]
		switch {
		case signed && s.Before(AreasFrom2025.AddDate(1, 0, 0)):
			// Proactive contacts before the sign-up.
			first := l.between(maxDay(firstProactive, s.AddDate(0, 0, -110)), s.AddDate(0, 0, -40))
			if err := l.moment(m.NIS, first, l.pick(firstContacts)); err != nil {
				return err
			}
			if err := l.moment(m.NIS, l.between(first.AddDate(0, 0, 7), s.AddDate(0, 0, -5)), l.pick(beforeSignUp)); err != nil {
				return err
			}
		case l.rng.Float64() < 0.6:
			// The proactive approach of 2023, and a follow-up in 2024
			// for some of those that did not sign up.
			first := l.between(firstProactive, y2023)
			if signed && !s.After(first) {
				continue
			}
			if err := l.moment(m.NIS, first, l.pick(firstContacts)); err != nil {
				return err
			}
			if l.rng.Float64() < 0.45 {
				if err := l.moment(m.NIS, l.between(demoDay("2024-01-15"), y2024), l.pick(followUps)); err != nil {
					return err
				}
			}
		}
	}
	// After the mergers: follow-ups with those still not signed up, some
	// recent, some months ago.
	for _, m := range l.current() {
		if l.signedUpBy(m.NIS, l.today) || l.rng.Float64() > 0.45 {
			continue
		}
		last := l.today.AddDate(0, 0, -3)
		first := maxDay(demoDay("2025-01-15"), l.today.AddDate(-1, -6, 0))
		if err := l.moment(m.NIS, l.between(first, last), l.pick(afterMerger)); err != nil {
			return err
		}
		if l.rng.IntN(3) == 0 {
			if err := l.moment(m.NIS, l.between(last.AddDate(0, 0, -60), last), l.pick(afterMerger)); err != nil {
				return err
			}
		}
	}
	return nil
}

func maxDay(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// mailing records Opgroeien's mailing of March 2025 to the contact persons
// of the local governments not signed up then.
func (l *outreachLoader) mailing() error {
	if MailingDay.After(l.today) {
		return nil
	}
	rep, err := l.db.OutreachReport(l.ctx, MailingDay)
	if err != nil {
		return err
	}
	var list []string
	for _, row := range rep.Municipalities {
		if len(l.contacts[row.NIS]) > 0 && row.Stage.Order() < outreach.SignedUp.Order() {
			list = append(list, row.NIS)
		}
	}
	l.at(MailingDay, 8)
	_, err = l.db.CreateCampaign(l.ctx, l.sys, outreach.NewCampaign{Kind: string(outreach.Mailing), On: MailingDay.Format(time.DateOnly),
		Partner: "Opgroeien", Subject: "Wat uw OCMW mist zonder samenwerkingsovereenkomst – uitnodiging voor een gesprek met het lokaal team",
		Audience: string(outreach.AudienceList), Municipalities: list})
	return err
}

// task plans a task for the team covering nis, created on created and due
// on due; closed (done or cancelled) on closedOn unless status is open.
func (l *outreachLoader) task(nis, title string, created, due time.Time, status outreach.TaskStatus, closedOn time.Time) error {
	if created.After(l.today) || !l.reg.ValidOn(nis, created) {
		return nil
	}
	team, err := l.teamOn(nis, created)
	if err != nil {
		return err
	}
	l.at(created, 9)
	t, err := l.db.CreateTask(l.ctx, l.actorFor(team), outreach.NewTask{MunicipalityNIS: nis, Title: title, DueOn: due.Format(time.DateOnly)})
	if err != nil {
		return fmt.Errorf("%s: %w", nis, err)
	}
	if status == outreach.TaskOpen || closedOn.After(l.today) {
		return nil
	}
	l.at(closedOn, 16)
	st := string(status)
	_, err = l.db.UpdateTask(l.ctx, l.actorFor(team), t.ID, outreach.TaskUpdate{Status: &st})
	return err
}

func (l *outreachLoader) tasks() error {
	name := func(nis string) string { m, _ := l.reg.ByNIS(nis); return m.Name }
	// Done: the first contact of 2023 was planned as a task; a few were
	// cancelled (the local government asked to wait).
	n := 0
	for _, m := range l.old() {
		days := l.moments[m.NIS]
		if len(days) == 0 || days[0].After(demoDay("2023-12-31")) || l.rng.IntN(2) == 0 {
			continue
		}
		n++
		status, closed := outreach.TaskDone, days[0]
		title := "Eerste contact opnemen met " + name(m.NIS) + " over de samenwerkingsovereenkomst"
		if n%12 == 0 {
			status, closed, title = outreach.TaskCancelled, days[0].AddDate(0, 0, -3), "Infomoment plannen met "+name(m.NIS)
		}
		if err := l.task(m.NIS, title, days[0].AddDate(0, 0, -21-l.rng.IntN(20)), days[0].AddDate(0, 0, 7), status, closed); err != nil {
			return err
		}
	}
	// Open, around today: follow-ups of those not signed up, some overdue;
	// and a first contact for a few nobody approached yet.
	titles := []string{"Opvolgen na de mailing: gesprek met de algemeen directeur", "Factsheet bezorgen aan de raad voor maatschappelijk welzijn",
		"Infomoment voorstellen aan de sociale dienst", "Ontwerp van overeenkomst bespreken"}
	open := 0
	for _, m := range l.current() {
		if l.signedUpBy(m.NIS, l.today) || len(l.moments[m.NIS]) == 0 || (l.rng.IntN(4) > 0 && !strings.HasPrefix(m.NIS, "13")) {
			continue
		}
		created := maxDay(demoDay("2025-01-13"), l.today.AddDate(0, 0, -45+l.rng.IntN(35)))
		due := l.today.AddDate(0, 0, -25+l.rng.IntN(70))
		if err := l.task(m.NIS, titles[open%len(titles)], created, due, outreach.TaskOpen, time.Time{}); err != nil {
			return err
		}
		open++
	}
	k := 0
	for _, m := range l.reg.On(l.today, municipality.Flanders) {
		if !l.unreached[m.NIS] || k == 6 {
			continue
		}
		k++
		created := maxDay(demoDay("2025-01-13"), l.today.AddDate(0, 0, -10))
		if err := l.task(m.NIS, "Eerste contact opnemen met "+m.Name, created, l.today.AddDate(0, 0, 20+k), outreach.TaskOpen, time.Time{}); err != nil {
			return err
		}
	}
	return nil
}

// missed are the referrals the Turnhout team could not make in the last
// twelve months, per municipality: months ago → number. Kept small: each
// leaves a withdrawn draft in the team's list.
var missed = []struct {
	nis    string
	months map[int]int
}{
	{"13040", map[int]int{1: 6, 3: 2, 5: 1}}, // Turnhout
	{"13008", map[int]int{2: 1}},             // Geel
	{"13025", map[int]int{4: 1}},             // Mol
	{"13011", map[int]int{7: 1}},             // Herentals
}

// missedReferrals lets the demo team worker try to send referrals to
// municipalities without an agreement in force: nothing is sent, the
// draft is withdrawn, only the anonymous count stays.
func (l *outreachLoader) missedReferrals() error {
	worker, err := demoActor(l.ctx, l.db, demoTeamEmail)
	if err != nil {
		return err
	}
	month := time.Date(l.today.Year(), l.today.Month(), 1, 0, 0, 0, 0, time.UTC)
	n := 0
	for _, mi := range missed {
		m, _ := l.reg.ByNIS(mi.nis)
		ago := make([]int, 0, len(mi.months))
		for k := range mi.months {
			ago = append(ago, k)
		}
		slices.Sort(ago)
		for _, k := range ago {
			for i := range mi.months[k] {
				day := month.AddDate(0, -k, 2+(5*i+l.rng.IntN(4))%24)
				if !day.Before(l.today) || day.Before(AreasFrom2025.AddDate(0, 0, 7)) {
					continue
				}
				dec, err := l.db.Gate(l.ctx, demoTeam, mi.nis, day)
				if err != nil {
					return err
				}
				if dec.Allowed {
					continue
				}
				n++
				l.at(day, 9)
				ref, err := l.db.CreateReferral(l.ctx, worker, referral.NewReferral{MunicipalityNIS: mi.nis, Parents: []referral.Parent{{
					Name: fmt.Sprintf("Demo Ouder Gemist %d", n), Street: "Demostraat", Number: fmt.Sprint(200 + n),
					Postcode: m.PostalCodes[0], Phone: fmt.Sprintf("+32 470 98 %02d %02d", n/100, n%100)}}})
				if err != nil {
					return fmt.Errorf("%s: %w", mi.nis, err)
				}
				if _, err := l.db.AddConsent(l.ctx, worker, ref.ID, referral.NewConsent{Parent: 0, Informed: referral.InformationItems, Method: "verbal"}); err != nil {
					return err
				}
				l.at(day, 10)
				if _, err := l.db.Send(l.ctx, worker, ref.ID); apperr.Code(err) != store.CodeNoAgreementInForce {
					return fmt.Errorf("%s: send gave %v, want no_agreement_in_force", mi.nis, err)
				}
				l.at(day, 11)
				if _, err := l.db.Withdraw(l.ctx, worker, ref.ID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// deprivationIndex imports a made-up index for 2021–2024, labelled as
// fictitious: a level per province, higher in the large cities, and a
// small drift per year. Births are a share of the population; the index
// is the share of those born in a "deprived" family.
func (l *outreachLoader) deprivationIndex() error {
	level := map[string]float64{"Antwerpen": 15, "Vlaams-Brabant": 8, "West-Vlaanderen": 10.5, "Oost-Vlaanderen": 11.5, "Limburg": 12.5}
	rng := rand.New(rand.NewPCG(4, 2022))
	var values []deprivation.Value
	for _, m := range l.reg.On(demoDay("2024-12-31"), municipality.Flanders) {
		base := level[m.Province] + rng.NormFloat64()*3
		if m.Population2020 > 70000 {
			base += 6
		}
		base = math.Max(2.5, math.Min(34, base))
		births := max(30, int(float64(m.Population2020)*0.031))
		for y := 2021; y <= 2024; y++ {
			pct := base + float64(y-2021)*(-0.25+rng.Float64()*0.4)
			deprived := int(math.Round(float64(births) * pct / 100))
			b, d := births+rng.IntN(births/20+1), deprived
			values = append(values, deprivation.Value{NIS: m.NIS, Year: y, Percent: math.Round(1000*float64(d)/float64(b)) / 10, Births: &b, Deprived: &d})
		}
	}
	l.at(demoDay("2025-02-03"), 14)
	_, err := l.db.ImportDeprivation(l.ctx, l.sys, values, DeprivationSource)
	return err
}
