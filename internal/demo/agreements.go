package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/store"
)

// plan is the scripted history of one demo agreement: statuses with their
// effective dates, in order.
type plan struct {
	nis   string
	steps []planStep
	carry bool // carry over to the merged municipality on 2025-01-01
}

type planStep struct {
	status agreement.Status
	on     string
}

// scripted are hand-written histories that tell the story of the decree:
// nobody by March 2023, the first sign-ups after the proactive approach in
// 2023, the first agreements in force late 2023 and during 2024.
var scripted = []plan{
	{nis: "13016", steps: []planStep{{"interested", "2023-09-15"}, {"draft", "2024-02-01"}, {"approved", "2024-11-25"}, {"signed", "2024-12-10"}, {"active", "2025-01-01"}}}, // the demo OCMW
	{nis: "11040", steps: []planStep{{"interested", "2023-05-10"}, {"draft", "2023-07-03"}, {"approved", "2023-10-23"}, {"signed", "2023-11-20"}, {"active", "2023-12-01"}}},
	{nis: "11007", steps: []planStep{{"interested", "2023-06-01"}, {"draft", "2023-09-01"}, {"approved", "2024-01-22"}, {"signed", "2024-02-15"}, {"active", "2024-03-01"}}, carry: true},
	{nis: "44021", steps: []planStep{{"interested", "2023-04-20"}, {"draft", "2023-08-30"}, {"approved", "2024-03-18"}, {"signed", "2024-04-10"}, {"active", "2024-05-01"}}},
	{nis: "71016", steps: []planStep{{"interested", "2023-10-02"}, {"draft", "2024-01-15"}, {"approved", "2024-06-24"}, {"signed", "2024-07-08"}, {"active", "2024-09-01"}, {"suspended", "2025-06-01"}}},
	{nis: "24062", steps: []planStep{{"interested", "2023-11-13"}, {"draft", "2024-03-04"}, {"approved", "2024-09-16"}, {"signed", "2024-10-01"}, {"active", "2024-10-15"}}},
	{nis: "31005", steps: []planStep{{"interested", "2024-01-08"}, {"draft", "2024-05-06"}, {"approved", "2024-10-28"}, {"signed", "2024-11-18"}}},
	{nis: "12025", steps: []planStep{{"interested", "2023-06-19"}, {"withdrawn", "2023-12-04"}}},
	{nis: "73040", steps: []planStep{{"interested", "2024-04-15"}, {"draft", "2024-09-02"}}}, // Kortessem, merged into Hasselt: awaits a decision
	{nis: "34022", steps: []planStep{{"interested", "2023-09-25"}, {"draft", "2024-02-12"}, {"approved", "2024-05-27"}, {"signed", "2024-06-10"}, {"active", "2024-07-01"}, {"ended", "2025-09-30"}}},
}

// loadAgreements writes the demo agreements, each step recorded on (just
// after) its effective date, so that "as known on" reports make sense.
func loadAgreements(ctx context.Context, db *store.DB) error {
	realNow := db.Now
	defer func() { db.Now = realNow }()
	sys := account.Program(account.SourceDemo, "")
	done := map[string]bool{}
	run := func(p plan) error {
		first, err := time.Parse(time.DateOnly, p.steps[0].on)
		if err != nil {
			return err
		}
		team, err := db.TeamFor(ctx, p.nis, first)
		if err != nil || team == "" {
			return fmt.Errorf("no demo team for %s: %v", p.nis, err)
		}
		at := func(on string) {
			t, _ := time.Parse(time.DateOnly, on)
			db.Now = func() time.Time { return t.Add(10 * time.Hour) }
		}
		at(p.steps[0].on)
		ag, err := db.CreateAgreement(ctx, sys, agreement.NewAgreement{Team: team, MunicipalityNIS: p.nis, Status: string(p.steps[0].status), EffectiveOn: p.steps[0].on})
		if err != nil {
			return fmt.Errorf("demo agreement %s: %w", p.nis, err)
		}
		for _, s := range p.steps[1:] {
			at(s.on)
			if _, err := db.AddEvent(ctx, sys, ag.ID, demoStep(s.status, s.on)); err != nil {
				return fmt.Errorf("demo agreement %s step %s: %w", p.nis, s.status, err)
			}
		}
		if p.carry {
			at("2025-01-06")
			if _, err := db.CarryOver(ctx, sys, ag.ID, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), ""); err != nil {
				return fmt.Errorf("demo carry-over %s: %w", p.nis, err)
			}
		}
		done[p.nis] = true
		return nil
	}
	for _, p := range scripted {
		if err := run(p); err != nil {
			return err
		}
	}
	// Many more local governments only signed up, or are drafting: a
	// deterministic spread over 2023–2025.
	rng := rand.New(rand.NewPCG(2022, 870))
	candidates := db.Municipalities.On(time.Date(2023, 3, 8, 0, 0, 0, 0, time.UTC), "flanders")
	added := 0
	for _, i := range rng.Perm(len(candidates)) {
		m := candidates[i]
		if added == 34 {
			break
		}
		if done[m.NIS] || m.ValidTo != nil {
			continue
		}
		start := time.Date(2023, 4, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(900))
		steps := []planStep{{agreement.Interested, start.Format(time.DateOnly)}}
		if rng.IntN(3) == 0 {
			steps = append(steps, planStep{agreement.Draft, start.AddDate(0, 0, 30+rng.IntN(120)).Format(time.DateOnly)})
		}
		if err := run(plan{nis: m.NIS, steps: steps}); err != nil {
			return err
		}
		added++
	}
	return nil
}

func demoStep(status agreement.Status, on string) agreement.NewEvent {
	ev := agreement.NewEvent{Status: string(status), EffectiveOn: on}
	switch status {
	case agreement.Approved:
		ev.CouncilDecisionOn, ev.CouncilReference = on, "RMW "+on+" punt 7 (demo)"
	case agreement.Signed:
		ev.Signatures = []agreement.Signature{
			{Function: "administrator_general", Name: "Demo Administrateur-generaal", SignedOn: on},
			{Function: "council_chair", Name: "Demo Voorzitter RMW", SignedOn: on},
			{Function: "general_director", Name: "Demo Algemeen Directeur", SignedOn: on},
		}
	case agreement.Ended:
		ev.Reason = "Opgezegd door het lokaal bestuur (demo)"
	case agreement.Suspended:
		ev.Reason = "Tijdelijk geen maatschappelijk werker beschikbaar (demo)"
	case agreement.Withdrawn:
		ev.Reason = "Aanmelding ingetrokken na bespreking in het vast bureau (demo)"
	}
	return ev
}
