package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/birth"
	"kansrijk/internal/municipality"
	"kansrijk/internal/store"
)

// Demo birth notifications (area births_ui): the three demo clinics notify
// births from January 2025 up to yesterday — a few a month at first, more
// in the last six months — and the local teams work them, all written
// through the store on a fake clock in the order they happen, with the
// daily escalation and retention job run for every day in between. So the
// demo shows every state as the real flow leaves it: new families, families
// reached (some with a home visit planned) or not reached, notifications
// escalated for want of contact, duplicates merged by a team lead and one
// pair still flagged, a referral started from a notification, notifications
// whose personal data are gone after the retention period, and families in
// Brussels in Opgroeien's queue: the demo teams cover all of Flanders, and
// no local team covers the Brussels municipalities.
//
// Clinic Zonnedal (the demo clinic account) sends single forms and serves
// mostly the Kempen, the demo team's area; Scheldeoever sends a CSV file a
// day through its software's link; Maasland serves Limburg. Names are made
// up from fictitious surnames; addresses are on fictitious streets.

// BirthsFrom is the first month of the demo's birth notifications.
var BirthsFrom = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

const (
	demoClinic     = "clinic-demo-zonnedal"
	demoClinicUser = "clinic@demo.kansrijk.test"
	demoLeadEmail  = "teamlead@demo.kansrijk.test"
	demoAdminEmail = "admin@demo.kansrijk.test"
)

// birthRegions are the arrondissements (first two digits of the NIS code)
// each clinic's families live in.
var birthRegions = map[string][]string{
	"clinic-demo-zonnedal":     {"13", "13", "13", "12"},
	"clinic-demo-scheldeoever": {"11", "11", "46"},
	"clinic-demo-maasland":     {"71", "72", "73"},
}

var (
	birthMothers   = []string{"Sara", "Noor", "Amira", "Yasmine", "Lotte", "Elif", "Olena", "Ioana", "Fatima", "Marie", "Emma", "Hanne", "Zeynep", "Agnieszka", "Samira", "Julie", "Lina", "Ayan", "Mebrat", "Sofia"}
	birthCoParents = []string{"Tom", "Youssef", "Mehmet", "Piotr", "Andrei", "Jonas", "Karim", "Pieter", "Dmytro", "Lucas", "Ahmed", "Wout"}
	birthSurnames  = []string{"Voorbeeldt", "Proefkens", "Oefenaere", "Testelinck", "Schijnaert", "Verzinckx", "Fictiefs", "Nepperbeek", "Bedachtsen", "Droomers", "Denkbeeld", "Papierens", "Ontwerpe", "Schetsaert", "Maquettens", "Demomans"}
	birthStreets   = []string{"Demostraat", "Voorbeeldlaan", "Proefplein", "Oefenweg", "Schetsstraat", "Ontwerpdreef"}
	// birthLanguages: Dutch most often, then the languages Kind en Gezin
	// most often meets.
	birthLanguages = []string{"nl", "nl", "nl", "nl", "nl", "nl", "nl", "nl", "nl", "nl", "nl", "nl", "fr", "fr", "en", "ar", "ar", "tr", "pl", "ro", "uk", "so", "ti"}
)

// demoContact is one planned contact with a family.
type demoContact struct {
	after     int // days after the notification came in
	channel   string
	reached   bool
	homeVisit bool
}

// demoBirth is the scripted life of one notification.
type demoBirth struct {
	clinic    string
	nis       string
	postcode  string
	mother    string
	coParent  string
	language  string
	early     bool
	born      time.Time
	created   time.Time // the day it came in
	hour      int
	contacts  []demoContact
	dupOf     *demoBirth // a second notification of dupOf's family
	mergeOn   int        // days after created the team lead merges it into dupOf; 0: left flagged
	referral  int        // days after created a referral is started; 0: none
	id        int64
	team      string
	seq       int
	phone     string
	email     string
	street    string
	number    int
	coPhone   string
	byBatch   bool
	nameLabel string // the mother's name as this clinic wrote it
}

func (b *demoBirth) notification() birth.NewNotification {
	in := birth.NewNotification{Mother: birth.Parent{Name: b.nameLabel, Street: b.street, Number: fmt.Sprint(b.number), Postcode: b.postcode,
		MunicipalityNIS: b.nis, Phone: b.phone, Email: b.email, Language: b.language},
		ChildBirthDate: b.born.Format(time.DateOnly), EarlyContactRequested: b.early}
	if b.coParent != "" {
		in.CoParent = &birth.Parent{Name: b.coParent, Phone: b.coPhone}
	}
	return in
}

// birthScript plans the demo notifications for the days up to today
// (exclusive): the random bulk (a fixed seed, so that every load is the
// same for the same day) and the scripted cases every demo must show.
func birthScript(reg *municipality.Registry, today time.Time) []*demoBirth {
	r := rand.New(rand.NewPCG(2026, 6))
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	yesterday := today.AddDate(0, 0, -1)
	var out []*demoBirth
	names := map[string]bool{}
	newName := func() (string, string) {
		for {
			first, last := pick(birthMothers), pick(birthSurnames)
			if n := first + " " + last; !names[n] || len(names) > 300 {
				names[n] = true
				return n, last
			}
		}
	}
	fill := func(b *demoBirth) {
		b.seq = len(out) + 1
		if b.mother == "" {
			b.mother, _ = newName()
		}
		b.nameLabel = b.mother
		first, last, _ := strings.Cut(b.mother, " ")
		b.street, b.number = pick(birthStreets), 1+r.IntN(180)
		b.phone = fmt.Sprintf("+32 470 %02d %02d %02d", b.seq/100%100, b.seq%100, r.IntN(100))
		if r.IntN(3) > 0 {
			b.email = strings.ToLower(first+"."+last) + "@demo.kansrijk.test"
		}
		if b.coParent == "" && r.IntN(5) < 3 {
			b.coParent = pick(birthCoParents) + " " + last
			b.coPhone = fmt.Sprintf("+32 471 %02d %02d %02d", b.seq/100%100, b.seq%100, r.IntN(100))
		}
		if b.postcode == "" {
			b.postcode = postcodeOn(reg, b.nis, b.born)
		}
		b.byBatch = b.clinic == "clinic-demo-scheldeoever"
		b.hour = 9 + r.IntN(7)
		out = append(out, b)
	}
	muniCache := map[string][]municipality.Municipality{}
	municipalityIn := func(prefix string, on time.Time) municipality.Municipality {
		key := prefix + on.Format("2006")
		if muniCache[key] == nil {
			for _, m := range reg.On(on, municipality.Flanders) {
				if strings.HasPrefix(m.NIS, prefix) {
					muniCache[key] = append(muniCache[key], m)
				}
			}
		}
		list := muniCache[key]
		return list[r.IntN(len(list))]
	}
	// plan gives a notification of age days its contacts: a recent one may
	// still wait; an older one was mostly reached within days, some late
	// (after an escalation), some never, and a few never contacted at all
	// (escalated).
	reachedChannels := []string{"phone", "phone", "phone", "maternity_ward", "maternity_ward", "home_visit", "child_health_clinic", "text_message"}
	triedChannels := []string{"phone", "phone", "text_message", "letter", "email"}
	plan := func(b *demoBirth) {
		age := int(yesterday.Sub(b.created).Hours() / 24)
		u := r.Float64()
		reached := func(after int) demoContact {
			return demoContact{after: after, channel: pick(reachedChannels), reached: true, homeVisit: r.IntN(2) == 0}
		}
		tried := func(after int) demoContact { return demoContact{after: after, channel: pick(triedChannels)} }
		switch {
		case age <= birth.ContactTargetDays:
			switch {
			case u < 0.45 || age < 1:
			case u < 0.75:
				b.contacts = []demoContact{reached(1 + r.IntN(min(age, 5)))}
			default:
				b.contacts = []demoContact{tried(1 + r.IntN(min(age, 5)))}
			}
		case u < 0.62:
			b.contacts = []demoContact{reached(1 + r.IntN(7))}
		case u < 0.74:
			first := 1 + r.IntN(4)
			b.contacts = []demoContact{tried(first), reached(first + 3 + r.IntN(6))}
		case u < 0.82 && age > 30:
			b.contacts = []demoContact{reached(birth.ContactTargetDays + 2 + r.IntN(14))}
		case u < 0.90:
			b.contacts = []demoContact{tried(2), tried(9)}
		}
	}

	thisMonth := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	recentFrom := thisMonth.AddDate(0, -5, 0)
	for m := BirthsFrom; !m.After(thisMonth); m = m.AddDate(0, 1, 0) {
		last := m.AddDate(0, 1, -1)
		if last.After(yesterday.AddDate(0, 0, -1)) {
			last = yesterday.AddDate(0, 0, -1)
		}
		if last.Before(m) {
			continue
		}
		for _, c := range Clinics {
			n := 1 + r.IntN(3)
			if !m.Before(recentFrom) {
				n = 5 + r.IntN(4)
			}
			for range n {
				born := m.AddDate(0, 0, r.IntN(last.Day()))
				created := born.AddDate(0, 0, 1+r.IntN(2))
				if created.After(yesterday) {
					created = yesterday
				}
				mu := municipalityIn(pick(birthRegions[c.Key]), born)
				b := &demoBirth{clinic: c.Key, nis: mu.NIS, language: pick(birthLanguages), early: r.IntN(7) == 0, born: born, created: created}
				plan(b)
				fill(b)
			}
		}
	}

	// The scripted cases, relative to today.
	ago := func(n int) time.Time { return today.AddDate(0, 0, -n) }
	add := func(b *demoBirth) *demoBirth {
		if b.born.IsZero() {
			b.born = b.created.AddDate(0, 0, -1)
		}
		fill(b)
		return b
	}
	// A family in Hulshout, reached with a home visit planned, for whom
	// the worker started a referral to the OCMW (a draft, awaiting consent).
	add(&demoBirth{clinic: demoClinic, nis: "13016", postcode: "2235", mother: "Hanne Voorbeeldt-Referral", language: "nl", early: true, created: ago(9),
		contacts: []demoContact{{after: 2, channel: "home_visit", reached: true, homeVisit: true}}, referral: 3})
	// Escalated: no contact at all in Turnhout; not reached twice in Geel.
	add(&demoBirth{clinic: demoClinic, nis: "13040", mother: "Olena Maquettens", language: "uk", created: ago(24)})
	add(&demoBirth{clinic: demoClinic, nis: "13008", mother: "Ayan Droomers", language: "so", created: ago(27),
		contacts: []demoContact{{after: 3, channel: "phone"}, {after: 10, channel: "letter"}}})
	// New, early contact asked, in Arabic, in Mol.
	add(&demoBirth{clinic: demoClinic, nis: "13025", mother: "Amira Schetsaert", language: "ar", early: true, created: ago(2)})
	// Brussels: no local team, Opgroeien's queue — one reached by
	// Opgroeien, one escalated to it, one new.
	add(&demoBirth{clinic: demoClinic, nis: "21004", postcode: "1000", mother: "Marie Papierens", language: "fr", created: ago(150),
		contacts: []demoContact{{after: 4, channel: "phone", reached: true}}})
	add(&demoBirth{clinic: "clinic-demo-scheldeoever", nis: "21015", postcode: "1030", mother: "Fatima Bedachtsen", language: "ar", created: ago(40)})
	add(&demoBirth{clinic: demoClinic, nis: "21001", postcode: "1070", mother: "Ioana Ontwerpe", language: "ro", early: true, created: ago(3)})
	// Duplicates: the same family notified twice, merged by the team lead;
	// the last pair, recent, still flagged for the demo team lead.
	for _, d := range []struct {
		clinic, nis, mother string
		created, merge      int
	}{
		{demoClinic, "13011", "Lotte Testelinck", 120, 2},
		{"clinic-demo-maasland", "71072", "Elif Oefenaere", 75, 3},
		{demoClinic, "13029", "Zeynep Fictiefs", 5, 0},
	} {
		kept := add(&demoBirth{clinic: d.clinic, nis: d.nis, mother: d.mother, language: "nl", created: ago(d.created),
			contacts: []demoContact{{after: 2, channel: "phone", reached: true}}})
		if d.created <= 5 {
			kept.contacts = nil
		}
		first, last, _ := strings.Cut(d.mother, " ")
		dup := add(&demoBirth{clinic: demoClinic, nis: d.nis, postcode: kept.postcode, mother: d.mother, language: kept.language, born: kept.born,
			created: kept.created.AddDate(0, 0, 1), dupOf: kept, mergeOn: d.merge})
		dup.nameLabel = strings.ToUpper(last) + ", " + first // the same name as the other clinic wrote it
		dup.early = true
	}
	return out
}

// postcodeOn returns a postcode of the municipality on day.
func postcodeOn(reg *municipality.Registry, nis string, day time.Time) string {
	for _, m := range reg.On(day, "") {
		if m.NIS != nis {
			continue
		}
		for _, pc := range m.PostalCodes {
			for _, x := range reg.ByPostcode(pc, day) {
				if x.NIS == nis {
					return pc
				}
			}
		}
	}
	return ""
}

// demoEvent is one thing that happens, at a moment.
type demoEvent struct {
	at  time.Time
	seq int
	do  func(ctx context.Context) error
}

// loadBirths writes the demo birth notifications. It needs the demo users.
func loadBirths(ctx context.Context, db *store.DB) error {
	realNow := db.Now
	defer func() { db.Now = realNow }()
	y, m, d := realNow().UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	script := birthScript(db.Municipalities, today)

	users := map[string]account.Actor{}
	for _, email := range []string{demoClinicUser, demoTeamEmail, demoLeadEmail, demoAdminEmail} {
		a, err := demoActor(ctx, db, email)
		if err != nil {
			return err
		}
		users[email] = a
	}
	clinicActor := func(key string) account.Actor {
		if key == demoClinic {
			return users[demoClinicUser]
		}
		// The other clinics send through their software's link (an API
		// token of the clinic), not a person.
		return account.Actor{Role: account.Clinic, Org: key, OrgKind: account.KindClinic,
			Email: "koppeling." + strings.TrimPrefix(key, "clinic-demo-") + "@demo.kansrijk.test", Via: "token"}
	}
	// teamActor is who works a team's notifications: the demo users for
	// the demo team, a colleague elsewhere, Opgroeien for its queue.
	teamActor := func(team string, lead bool) account.Actor {
		switch {
		case team == "":
			return users[demoAdminEmail]
		case team == demoTeam && lead:
			return users[demoLeadEmail]
		case team == demoTeam:
			return users[demoTeamEmail]
		}
		role, who := account.TeamWorker, "gezinsondersteuner"
		if lead {
			role, who = account.TeamLead, "teamverantwoordelijke"
		}
		return account.Actor{Role: role, Org: team, OrgKind: account.KindTeam, Email: who + "." + strings.TrimPrefix(team, "team-demo-") + "@demo.kansrijk.test", Via: "demo"}
	}
	clock := func(day time.Time, hour, minute int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), hour, minute, 0, 0, time.UTC)
	}

	var events []demoEvent
	addEvent := func(at time.Time, do func(ctx context.Context) error) {
		events = append(events, demoEvent{at: at, seq: len(events), do: do})
	}
	// Single notifications, and one CSV file a day from Scheldeoever.
	batches := map[string][]*demoBirth{}
	for _, b := range script {
		if b.byBatch {
			k := b.created.Format(time.DateOnly)
			if batches[k] == nil {
				addEvent(clock(b.created, 8, 30), func(ctx context.Context) error { return importDemoBatch(ctx, db, clinicActor(b.clinic), batches[k]) })
			}
			batches[k] = append(batches[k], b)
		} else {
			addEvent(clock(b.created, b.hour, 0), func(ctx context.Context) error {
				s, err := db.CreateBirthNotification(ctx, clinicActor(b.clinic), b.notification())
				b.id, b.team = s.ID, s.Team
				return err
			})
		}
		for k, c := range b.contacts {
			addEvent(clock(b.created.AddDate(0, 0, c.after), 11+k%5, 20), func(ctx context.Context) error {
				_, err := db.RecordBirthContact(ctx, teamActor(b.team, false), b.id, birth.NewContact{
					On: b.created.AddDate(0, 0, c.after).Format(time.DateOnly), Channel: c.channel, Reached: c.reached, HomeVisitPlanned: c.homeVisit})
				return err
			})
		}
		if b.dupOf != nil && b.mergeOn > 0 {
			addEvent(clock(b.created.AddDate(0, 0, b.mergeOn), 14, 5), func(ctx context.Context) error {
				_, err := db.MergeBirthNotification(ctx, teamActor(b.team, true), b.id, birth.Merge{Into: b.dupOf.id})
				return err
			})
		}
		if b.referral > 0 {
			addEvent(clock(b.created.AddDate(0, 0, b.referral), 15, 40), func(ctx context.Context) error {
				_, err := db.StartReferralFromBirth(ctx, teamActor(b.team, false), b.id, birth.StartReferral{Criteria: []string{"income", "housing"}, Needs: []string{"income_support"}})
				return err
			})
		}
	}
	// The daily job: escalation and retention, every morning.
	policy := birth.Policy{}.WithDefaults()
	for day := BirthsFrom; day.Before(today); day = day.AddDate(0, 0, 1) {
		at := clock(day, 6, 0)
		addEvent(at, func(ctx context.Context) error {
			if _, err := db.EscalateBirthNotifications(ctx, at, policy, false); err != nil {
				return err
			}
			_, err := db.PurgeBirthNotifications(ctx, at, policy, false)
			return err
		})
	}
	slices.SortStableFunc(events, func(a, b demoEvent) int { return a.at.Compare(b.at) })
	for _, e := range events {
		at := e.at
		db.Now = func() time.Time { return at }
		if err := e.do(ctx); err != nil {
			return fmt.Errorf("demo birth notifications on %s: %w", at.Format(time.DateTime), err)
		}
	}
	return nil
}

// importDemoBatch sends a day's notifications of a clinic as one CSV file
// (in Dutch, ";" as separator, as Excel in Belgium writes it).
func importDemoBatch(ctx context.Context, db *store.DB, a account.Actor, rows []*demoBirth) error {
	var b strings.Builder
	b.WriteString("\ufeffmoeder_naam;moeder_straat;moeder_huisnummer;moeder_postcode;moeder_nis;moeder_telefoon;moeder_email;moeder_taal;meeouder_naam;meeouder_telefoon;geboortedatum;vroeg_contact\r\n")
	for _, r := range rows {
		in := r.notification()
		co, coPhone := "", ""
		if in.CoParent != nil {
			co, coPhone = in.CoParent.Name, in.CoParent.Phone
		}
		early := "nee"
		if r.early {
			early = "ja"
		}
		fmt.Fprintf(&b, "%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s;%s\r\n", in.Mother.Name, in.Mother.Street, in.Mother.Number, in.Mother.Postcode,
			in.Mother.MunicipalityNIS, in.Mother.Phone, in.Mother.Email, in.Mother.Language, co, coPhone, r.born.Format("02/01/2006"), early)
	}
	rep, err := db.ImportBirthBatch(ctx, a, []byte(b.String()), false)
	if err != nil {
		return err
	}
	if !rep.Accepted || rep.Created != len(rows) {
		return fmt.Errorf("demo batch of %s: %d of %d rows created, problems %+v", a.Org, rep.Created, len(rows), rep.Problems)
	}
	for i, row := range rep.Rows {
		rows[i].id, rows[i].team = row.ID, row.Team
	}
	return nil
}
