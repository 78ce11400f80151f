package demo

import (
	"context"
	"fmt"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
)

// Demo referrals: fictitious families of Hulshout (13016, the demo OCMW,
// with an agreement in force since 2025-01-01) in every state, written
// through the store as the demo team worker and the demo OCMW worker on a
// fake clock, so that their history, audit trail and clocks make sense.
// The open ones are recent (relative to the real day of loading), so that
// the inbox shows a realistic clock with one referral overdue; the closed
// ones are spread over 2025–2026. A few send attempts to municipalities
// without an agreement leave the anonymous missed-referral counts.

const (
	demoTeam      = "team-demo-turnhout"
	demoNIS       = "13016" // Hulshout
	demoPostcode  = "2235"
	demoTeamEmail = "teamworker@demo.kansrijk.test"
	demoOCMWEmail = "ocmw@demo.kansrijk.test"
)

// step is one thing that happens to a demo referral.
type step struct {
	after   int // days after the referral was created
	do      string
	channel string
	reached bool
	outcome string
	rights  []string
	social  bool
}

// demoReferral is the scripted life of one demo referral.
type demoReferral struct {
	family   string
	parents  int
	created  time.Time
	criteria []string
	needs    []string
	steps    []step
}

func demoDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// demoReferrals returns the scripted referrals; open ones are placed
// relative to today.
func demoReferrals(today time.Time) []demoReferral {
	ago := func(n int) time.Time { return today.AddDate(0, 0, -n) }
	consent := step{do: "consent"}
	send := step{do: "send"}
	read := func(after int) step { return step{after: after, do: "read"} }
	attempt := func(after int, ch string, reached bool) step {
		return step{after: after, do: "attempt", channel: ch, reached: reached}
	}
	closeWith := func(after int, outcome string, social bool, rights ...string) step {
		return step{after: after, do: "outcome", outcome: outcome, rights: rights, social: social}
	}
	return []demoReferral{
		// Closed, each outcome once, spread over 2025–2026.
		{family: "Een", parents: 2, created: demoDay("2025-02-10"), criteria: []string{"income", "employment", "housing"}, needs: []string{"income_support", "energy_water"},
			steps: []step{consent, send, read(2), attempt(3, "phone", false), attempt(5, "home_visit", true),
				closeWith(21, referral.OutcomeRightsOpened, true, "verhoogde_tegemoetkoming", "groeipakket_social", "social_tariff_energy")}},
		{family: "Twee", parents: 1, created: demoDay("2025-04-03"), criteria: []string{"income", "education", "stimulation"}, needs: []string{"childcare"},
			steps: []step{consent, send, read(1), attempt(2, "phone", true), closeWith(9, referral.OutcomeDeclined, false)}},
		{family: "Drie", parents: 1, created: demoDay("2025-06-16"), criteria: []string{"income", "housing", "health"}, needs: []string{"housing"},
			steps: []step{consent, send, read(4), attempt(5, "phone", false), attempt(12, "letter", false), attempt(20, "home_visit", false),
				closeWith(30, referral.OutcomeNotReachable, false)}},
		{family: "Vier", parents: 2, created: demoDay("2025-10-06"), criteria: []string{"income", "employment", "education"}, needs: []string{"debt"},
			steps: []step{consent, send, read(3), attempt(6, "letter", false), closeWith(15, referral.OutcomeMovedAway, false)}},
		{family: "Vijf", parents: 1, created: demoDay("2026-01-19"), criteria: []string{"income", "stimulation", "health"}, needs: []string{"health_insurance"},
			steps: []step{consent, send, read(1), closeWith(2, referral.OutcomeDuplicate, false)}},
		{family: "Zes", parents: 2, created: demoDay("2026-04-14"), criteria: []string{"income", "employment", "housing", "education"}, needs: []string{"income_support", "debt"},
			steps: []step{consent, send, read(2), attempt(4, "counter", true),
				closeWith(18, referral.OutcomeRightsOpened, false, "leefloon", "debt_mediation", "childcare_income_tariff")}},
		// Withdrawn after sending: the contact data are deleted; once after
		// the OCMW had opened a social file (the OCMW keeps them).
		{family: "Zeven", parents: 1, created: demoDay("2025-09-01"), criteria: []string{"income", "housing", "health"},
			steps: []step{consent, send, read(3), {after: 5, do: "withdraw"}}},
		{family: "Acht", parents: 1, created: demoDay("2026-03-02"), criteria: []string{"income", "employment", "stimulation"}, needs: []string{"family_allowance"},
			steps: []step{consent, send, read(1), attempt(2, "phone", true), closeWith(10, referral.OutcomeRightsOpened, true, "groeipakket_school"),
				{after: 40, do: "withdraw"}}},
		// Cancelled before sending: a refusal, and a withdrawal of consent.
		{family: "Negen", parents: 1, created: demoDay("2025-03-12"), criteria: []string{"income", "education", "housing"},
			steps: []step{{do: "refuse"}}},
		{family: "Tien", parents: 1, created: demoDay("2025-11-20"), criteria: []string{"income", "employment", "health"},
			steps: []step{consent, {after: 1, do: "withdraw"}}},
		// Open at the OCMW, recent.
		{family: "Elf", parents: 2, created: ago(24), criteria: []string{"income", "housing", "stimulation"}, needs: []string{"income_support"},
			steps: []step{consent, {after: 3, do: "send"}}}, // sent 21 days ago, never opened: overdue
		{family: "Twaalf", parents: 1, created: ago(3), criteria: []string{"income", "education", "employment"},
			steps: []step{consent, {after: 1, do: "send"}}}, // sent, not yet opened
		{family: "Dertien", parents: 1, created: ago(8), criteria: []string{"income", "health", "housing"}, needs: []string{"health_insurance"},
			steps: []step{consent, send, read(2)}}, // received
		{family: "Veertien", parents: 2, created: ago(12), criteria: []string{"income", "employment", "stimulation"},
			steps: []step{consent, send, read(1), attempt(3, "phone", false)}}, // contact attempted
		{family: "Vijftien", parents: 1, created: ago(15), criteria: []string{"income", "housing", "education"}, needs: []string{"energy_water", "debt"},
			steps: []step{consent, send, read(1), attempt(2, "phone", false), attempt(4, "home_visit", true)}}, // reached
		// Drafts at the local team.
		{family: "Zestien", parents: 1, created: ago(2), criteria: []string{"income", "employment", "housing"}, needs: []string{"childcare"}},
		{family: "Zeventien", parents: 2, created: ago(1), criteria: []string{"income", "education", "health"},
			steps: []step{consent}}, // consent recorded, ready to send
	}
}

// missedAttempts are referrals the demo team could not send for want of an
// agreement: municipalities of its area without one, in different months.
var missedAttempts = []struct {
	nis, postcode, on string
}{
	{"13040", "2300", "2025-05-14"}, // Turnhout
	{"13008", "2440", "2025-11-04"}, // Geel
	{"13040", "2300", "2026-03-23"}, // Turnhout
}

// loadReferrals writes the demo referrals. It needs the demo users.
func loadReferrals(ctx context.Context, db *store.DB) error {
	realNow := db.Now
	defer func() { db.Now = realNow }()
	y, m, d := realNow().UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)

	team, err := demoActor(ctx, db, demoTeamEmail)
	if err != nil {
		return err
	}
	ocmw, err := demoActor(ctx, db, demoOCMWEmail)
	if err != nil {
		return err
	}
	// at sets the clock to a working hour of the day.
	at := func(t time.Time, hour int) {
		t = time.Date(t.Year(), t.Month(), t.Day(), hour, 15, 0, 0, time.UTC)
		db.Now = func() time.Time { return t }
	}
	for i, dr := range demoReferrals(today) {
		if err := runDemoReferral(ctx, db, team, ocmw, dr, i, at); err != nil {
			return fmt.Errorf("demo referral %s: %w", dr.family, err)
		}
	}
	// Area outcome: a closed series per month for the outcome dashboards (outcome.go).
	for i, dr := range outcomeSeries(today) {
		if err := runDemoReferral(ctx, db, team, ocmw, dr, 20+i%70, at); err != nil {
			return fmt.Errorf("demo referral %s: %w", dr.family, err)
		}
	}
	for i, ma := range missedAttempts {
		on := demoDay(ma.on)
		at(on, 10)
		ref, err := db.CreateReferral(ctx, team, referral.NewReferral{MunicipalityNIS: ma.nis, Parents: []referral.Parent{{
			Name: fmt.Sprintf("Demo Ouder Zonder Overeenkomst %d", i+1), Street: "Demostraat", Number: fmt.Sprint(100 + i),
			Postcode: ma.postcode, Phone: fmt.Sprintf("+32 470 99 00 %02d", i+1)}}})
		if err != nil {
			return fmt.Errorf("demo missed referral %s: %w", ma.nis, err)
		}
		if _, err := db.AddConsent(ctx, team, ref.ID, referral.NewConsent{Parent: 0, Informed: referral.InformationItems, Method: "verbal"}); err != nil {
			return err
		}
		at(on, 11)
		if _, err := db.Send(ctx, team, ref.ID); apperr.Code(err) != store.CodeNoAgreementInForce {
			return fmt.Errorf("demo missed referral %s: send gave %v, want no_agreement_in_force", ma.nis, err)
		}
		// The worker tells the family, and the draft is withdrawn: no
		// personal data stay behind, only the anonymous count.
		at(on, 12)
		if _, err := db.Withdraw(ctx, team, ref.ID); err != nil {
			return err
		}
	}
	return nil
}

func demoActor(ctx context.Context, db *store.DB, email string) (account.Actor, error) {
	u, err := db.UserByEmail(ctx, email)
	if err != nil {
		return account.Actor{}, fmt.Errorf("demo user %s: %w", email, err)
	}
	return account.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, Org: u.Org, OrgKind: u.OrgKind, Via: "demo"}, nil
}

func runDemoReferral(ctx context.Context, db *store.DB, team, ocmw account.Actor, dr demoReferral, i int, at func(time.Time, int)) error {
	parents := []referral.Parent{{
		Name: "Demo Ouder " + dr.family, Street: "Demostraat", Number: fmt.Sprint(i + 1), Postcode: demoPostcode,
		Phone: fmt.Sprintf("+32 470 00 %02d %02d", i+1, 1), Email: fmt.Sprintf("ouder.%d@demo.kansrijk.test", i+1),
	}}
	if dr.parents == 2 {
		parents = append(parents, referral.Parent{
			Name: "Demo Partner " + dr.family, Street: "Demostraat", Number: fmt.Sprint(i + 1), Postcode: demoPostcode,
			Phone: fmt.Sprintf("+32 470 00 %02d %02d", i+1, 2),
		})
	}
	at(dr.created, 9)
	ref, err := db.CreateReferral(ctx, team, referral.NewReferral{MunicipalityNIS: demoNIS, Parents: parents, Criteria: dr.criteria, Needs: dr.needs})
	if err != nil {
		return err
	}
	id := ref.ID
	for k, s := range dr.steps {
		on := dr.created.AddDate(0, 0, s.after)
		at(on, 10+k%6)
		switch s.do {
		case "consent":
			method := "verbal"
			if i%3 == 0 {
				method = "signed"
			}
			for p := range dr.parents {
				if _, err = db.AddConsent(ctx, team, id, referral.NewConsent{Parent: p, Informed: referral.InformationItems, Method: method}); err != nil {
					return err
				}
			}
		case "refuse":
			_, err = db.AddConsent(ctx, team, id, referral.NewConsent{Parent: 0, Refused: true})
		case "send":
			_, err = db.Send(ctx, team, id)
		case "read":
			_, err = db.Referral(ctx, ocmw, id)
		case "attempt":
			var cur referral.Referral
			if cur, err = db.Referral(ctx, ocmw, id); err == nil {
				_, err = db.AddContactAttempt(ctx, ocmw, id, referral.NewContactAttempt{On: on.Format(time.DateOnly), Channel: s.channel, Reached: s.reached, Version: cur.Version})
			}
		case "outcome":
			var cur referral.Referral
			if cur, err = db.Referral(ctx, ocmw, id); err == nil {
				_, err = db.SetOutcome(ctx, ocmw, id, referral.NewOutcome{Outcome: s.outcome, Rights: s.rights, SocialFile: s.social, Version: cur.Version})
			}
		case "withdraw":
			_, err = db.Withdraw(ctx, team, id)
		default:
			err = fmt.Errorf("unknown demo step %q", s.do)
		}
		if err != nil {
			return fmt.Errorf("step %s: %w", s.do, err)
		}
	}
	return nil
}
