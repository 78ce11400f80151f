package demo

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/birth"
	"kansrijk/internal/municipality"
	"kansrijk/internal/org"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
)

// The demo's outcome history (area demodata): so that the outcome
// dashboards, the under-referral view, the open statistics and the
// parliamentary packs have published quarters above the suppression
// threshold, the municipalities with a demo agreement get, from the day the
// agreement took force, birth notifications (half of the births their
// population gives, at about 65,000 a year across Flanders) and referrals
// by their local team, with varied outcomes. The teams differ in how often
// they refer relative to the births in deprived families: some clearly
// refer fewer families than the Flemish average (teamReferralRate).
//
// Only history whose personal data are gone by retention is written, in
// bulk (store.InsertDemoHistory): births notified more than seven months
// ago and referrals closed, withdrawn or refused long enough ago. Nothing is
// placed before the first agreement in force (1 December 2023), so the
// pack for 8 March 2023 still finds nobody signed up. Names are never
// needed: these rows hold no personal data.

// birthsPerInhabitant is Flanders' births a year per inhabitant
// (about 65,000 for 6.8 million), and birthShare the share the demo's
// clinics notify.
// HistoryFrom is the first month of the bulk history: the first demo
// agreement took force on 1 December 2023.
var HistoryFrom = demoDay("2023-12-01")

const (
	birthsPerInhabitant = 65000.0 / 6800000
	birthShare          = 1.0
	minReferrals        = 9
)

// outcomeCycle orders the lives of the referrals of a municipality
// (historyReferral: 0 refused, 1 withdrawn before sending, then by half:
// 2–5 not reachable, 6–7 declined, 8–9 moved away, 10–11 duplicate, 12–13
// withdrawn after sending, the rest rights opened).
var outcomeCycle = []int{20, 30, 4, 22, 36, 7, 25, 33, 28, 12, 21, 39, 34, 0, 26, 9, 31, 23, 37, 5,
	27, 35, 11, 24, 38, 2, 29, 13, 32, 6, 21, 1, 33, 8, 25, 36, 3, 30, 10, 39}

// teamReferralRate is how many families a team refers per birth in a
// deprived family; a team not listed refers at the Flemish habit, 0.9.
var teamReferralRate = map[string]float64{
	"team-demo-gent":      0.3,  // refers clearly fewer than expected
	"team-demo-hasselt":   0.35, // Genk
	"team-demo-kortrijk":  0.6,
	"team-demo-antwerpen": 1.1,
	"team-demo-leuven":    1.3,
}

// deprivedShare approximates the demo index's share of births in deprived
// families (outreach.go deprivationIndex): higher in the large cities.
func deprivedShare(m municipality.Municipality) float64 {
	level := map[string]float64{"Antwerpen": 15, "Vlaams-Brabant": 8, "West-Vlaanderen": 10.5, "Oost-Vlaanderen": 11.5, "Limburg": 12.5}[m.Province]
	if m.Population2020 > 70000 {
		level += 6
	}
	return math.Max(5, level) / 100
}

// historyMunicipalities are the demo agreements' municipalities and the
// merged municipalities their agreements were carried into.
func historyMunicipalities(reg *municipality.Registry) map[string]bool {
	set := map[string]bool{}
	for _, p := range scripted {
		set[p.nis] = true
	}
	for _, m := range reg.On(AreasFrom2025, municipality.Flanders) {
		for _, pre := range reg.Predecessors(m.NIS) {
			if set[pre.NIS] {
				set[m.NIS] = true
			}
		}
	}
	return set
}

// loadHistory writes the bulk history; it needs the teams, the agreements
// and the demo users.
func loadHistory(ctx context.Context, db *store.DB) error {
	y, mo, d := db.Now().UTC().Date()
	today := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	births, refs, err := historyScript(ctx, db, today)
	if err != nil {
		return err
	}
	return db.InsertDemoHistory(ctx, births, refs)
}

func historyScript(ctx context.Context, db *store.DB, today time.Time) ([]store.DemoBirth, []store.DemoReferral, error) {
	reg := db.Municipalities
	r := rand.New(rand.NewPCG(2023, 1201))
	set := historyMunicipalities(reg)
	birthCut := today.AddDate(0, -7, 0)
	refCut := today.AddDate(0, -7, 0)
	clinics := []string{"clinic-demo-zonnedal", "clinic-demo-scheldeoever", "clinic-demo-maasland"}
	reachedChannels := []string{"phone", "phone", "maternity_ward", "home_visit", "child_health_clinic", "text_message"}
	ocmwChannels := []string{"phone", "phone", "letter", "home_visit", "counter", "email"}
	at := func(t time.Time, hour int) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), hour, 5+r.IntN(50), 0, 0, time.UTC)
	}
	var births []store.DemoBirth
	var refs []store.DemoReferral
	started := map[string]bool{}
	teams := map[string]string{}
	teamOn := func(nis string, day time.Time) (string, error) {
		key := nis + day.Format("2006")
		if day.Before(AreasFrom2025) {
			key = nis + "<2025"
		}
		if t, ok := teams[key]; ok {
			return t, nil
		}
		t, err := db.TeamFor(ctx, nis, day)
		teams[key] = t
		return t, err
	}
	carry := map[string]float64{} // fractions of births and referrals carried to the next month
	counter := map[string]int{}   // referrals per municipality, for the cycle of outcomes
	for month := HistoryFrom; month.Before(birthCut) || month.Before(refCut); month = month.AddDate(0, 1, 0) {
		last := month.AddDate(0, 1, -1)
		for _, m := range reg.On(month, municipality.Flanders) {
			if !set[m.NIS] {
				continue
			}
			team, err := teamOn(m.NIS, month)
			if err != nil {
				return nil, nil, err
			}
			if team == "" {
				continue
			}
			// In force the whole month: the team refers; from the month it
			// first took force on, the clinics' births count.
			whole := true
			var dec agreement.Decision
			for _, day := range []time.Time{month, last} {
				if dec, err = db.Gate(ctx, team, m.NIS, day); err != nil {
					return nil, nil, err
				}
				whole = whole && dec.Allowed
				if dec.Allowed {
					started[m.NIS] = true
				}
			}
			if !started[m.NIS] {
				continue
			}
			monthly := float64(m.Population2020)*birthsPerInhabitant*birthShare/12 + carry[m.NIS+"b"]
			nBirths := int(monthly)
			carry[m.NIS+"b"] = monthly - float64(nBirths)
			for range nBirths {
				week := month.AddDate(0, 0, r.IntN(last.Day()-6))
				// Births: notified a day or two after birth; most families
				// reached within the two weeks, some later, some never.
				born := week.AddDate(0, 0, r.IntN(7))
				created := at(born.AddDate(0, 0, 1+r.IntN(2)), 9+r.IntN(8))
				if !created.Before(birthCut) {
					continue
				}
				b := store.DemoBirth{Clinic: clinics[r.IntN(len(clinics))], Team: team, NIS: m.NIS, Language: birthLanguages[r.IntN(len(birthLanguages))],
					Born: born, Early: r.IntN(7) == 0, SubmittedBy: "Demo Vroedvrouw", Created: created, Version: 1}
				worker := "Demo Gezinsondersteuner"
				u := r.Float64()
				contact := func(after int, reached bool) {
					on := created.AddDate(0, 0, after)
					ch := reachedChannels[r.IntN(len(reachedChannels))]
					if !reached {
						ch = "phone"
					}
					b.Contacts = append(b.Contacts, store.DemoContact{On: on, Recorded: at(on, 10+r.IntN(7)), Channel: ch, Reached: reached, HomeVisit: reached && r.IntN(2) == 0, By: worker})
					b.Version++
				}
				switch {
				case u < 0.66:
					contact(1+r.IntN(9), true)
				case u < 0.78:
					first := 1 + r.IntN(4)
					contact(first, false)
					contact(first+3+r.IntN(6), true)
				case u < 0.88:
					contact(birth.ContactTargetDays+2+r.IntN(14), true)
				case u < 0.95:
					contact(2, false)
					contact(9, false)
				}
				b.Status = string(birth.NotReached)
				for _, c := range b.Contacts {
					if c.Reached {
						b.Status = string(birth.Contacted)
					}
				}
				if len(b.Contacts) == 0 || b.Contacts[0].On.After(created.AddDate(0, 0, birth.ContactTargetDays)) {
					b.Escalated = at(created.AddDate(0, 0, birth.ContactTargetDays+1), 2)
				}
				b.Updated = created
				if n := len(b.Contacts); n > 0 {
					b.Updated = b.Contacts[n-1].Recorded
				}
				b.DataDeleted = at(created.AddDate(0, birth.DefaultRetentionMonths, 1), 2)
				births = append(births, b)
			}
			if !whole || !month.Before(refCut) {
				continue
			}
			// Referrals: per birth in a deprived family, the team's rate;
			// at least minReferrals a month, so that a published month
			// shows its counts.
			rate, ok := teamReferralRate[team]
			if !ok {
				rate = 0.9
			}
			want := float64(m.Population2020)*birthsPerInhabitant/12*deprivedShare(m)*rate + carry[m.NIS+"r"]
			n := int(want)
			carry[m.NIS+"r"] = want - float64(n)
			for k := range max(n, minReferrals) {
				day := month.AddDate(0, 0, k*(last.Day()-3)/max(n, minReferrals))
				refs = append(refs, historyReferral(r, day, counter[m.NIS], team, m, dec.Agreement.ID, dec.Agreement.Version.Version, at, ocmwChannels))
				counter[m.NIS]++
			}
		}
	}
	return births, refs, nil
}

// historyReferral scripts one past referral: created in the week, then
// consent, send, the OCMW's contact attempts and outcome; or a refusal, a
// withdrawal before or after sending.
func historyReferral(r *rand.Rand, week time.Time, k int, team string, m municipality.Municipality, agID int64, agVersion int,
	at func(time.Time, int) time.Time, channels []string) store.DemoReferral {
	const worker, ocmw = "Demo Gezinsondersteuner", "Demo Maatschappelijk Werker"
	created := at(week.AddDate(0, 0, r.IntN(5)), 9)
	ref := store.DemoReferral{Team: team, NIS: m.NIS, Recipient: org.RecipientFor(m), CreatedBy: worker, Created: created, Version: 1}
	parents := 1 + r.IntN(2)
	consent := func(on time.Time, refused bool) {
		for p := range parents {
			c := store.DemoConsent{Parent: p, Informed: referral.InformationItems, Method: "verbal", Recorded: on, By: worker}
			if refused {
				c = store.DemoConsent{Parent: p, Refused: true, Recorded: on, By: worker}
				parents = 1
			}
			ref.Consents = append(ref.Consents, c)
		}
	}
	// The outcomes follow a fixed cycle of 40 per municipality, the rare
	// ones spread out, so that every month has a plausible mix.
	p := outcomeCycle[k%len(outcomeCycle)]
	if p == 0 { // refused
		consent(created.Add(30*time.Minute), true)
		ref.Status, ref.Updated, ref.DataDeleted = string(referral.Cancelled), created.Add(30*time.Minute), created.Add(30*time.Minute)
		ref.AgreementID, ref.AgreementVersion, ref.Version = 0, 0, 2
		return ref
	}
	consent(created.Add(20*time.Minute), false)
	if p == 1 { // consent withdrawn before sending
		w := at(created.AddDate(0, 0, 1+r.IntN(3)), 11)
		ref.Status, ref.Withdrawn, ref.Updated, ref.DataDeleted, ref.Version = string(referral.Cancelled), w, w, w, 2
		ref.AgreementID, ref.AgreementVersion = 0, 0
		return ref
	}
	sent := created.Add(time.Hour)
	ref.Sent, ref.Version = sent, 2
	read := at(sent.AddDate(0, 0, 1+r.IntN(3)), 10)
	ref.Received, ref.Status, ref.Version = read, string(referral.Received), 3
	// Time to the first contact: mostly within the two weeks, some OCMWs slower.
	first := read.AddDate(0, 0, r.IntN(6))
	if r.IntN(5) == 0 {
		first = read.AddDate(0, 0, 10+r.IntN(20))
	}
	attempt := func(on time.Time, reached bool) {
		ch := channels[r.IntN(len(channels))]
		ref.Attempts = append(ref.Attempts, store.DemoContact{On: on, Recorded: at(on, 14), Channel: ch, Reached: reached, By: ocmw})
		if ref.FirstContact.IsZero() {
			ref.FirstContact = at(on, 14)
		}
		ref.Status = string(referral.ContactAttempted)
		if reached {
			ref.Status = string(referral.Reached)
		}
		ref.Version++
	}
	closeWith := func(after int, outcome string, rights ...string) {
		on := at(first.AddDate(0, 0, after), 15)
		ref.Status, ref.Outcome, ref.Rights, ref.Closed, ref.Updated = string(referral.Closed), outcome, rights, on, on
		ref.SocialFile = outcome == referral.OutcomeRightsOpened && r.IntN(3) == 0
		ref.DataDeleted = at(on.AddDate(0, 0, 90+1), 2)
		ref.Version += 2 // the outcome, then retention
	}
	switch q := p / 2; {
	case q <= 2:
		attempt(first, false)
		attempt(first.AddDate(0, 0, 6), false)
		closeWith(21, referral.OutcomeNotReachable)
	case q == 3:
		attempt(first, true)
		closeWith(6, referral.OutcomeDeclined)
	case q == 4:
		attempt(first, false)
		closeWith(12, referral.OutcomeMovedAway)
	case q == 5:
		closeWith(0, referral.OutcomeDuplicate)
	case q == 6: // withdrawn after sending
		attempt(first, true)
		w := at(first.AddDate(0, 0, 3+r.IntN(5)), 11)
		ref.Status, ref.Withdrawn, ref.Updated, ref.DataDeleted = string(referral.Withdrawn), w, w, w
		ref.Version++
	default:
		attempt(first, r.IntN(4) > 0)
		if ref.Status != string(referral.Reached) {
			attempt(first.AddDate(0, 0, 2+r.IntN(5)), true)
		}
		var rights []string
		for _, k := range r.Perm(len(referral.Rights))[:1+r.IntN(3)] {
			rights = append(rights, referral.Rights[k])
		}
		closeWith(5+r.IntN(30), referral.OutcomeRightsOpened, rights...)
	}
	return ref
}
