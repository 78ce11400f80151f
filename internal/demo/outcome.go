package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"kansrijk/internal/referral"
)

// Outcome variety (area outcome): so that the outcome dashboards show trends, outcome bars and
// medians, a series of fictitious Hulshout families is referred every month from January 2025
// until two months ago, each with a scripted, closed life: most reached and rights opened,
// others declined, not reachable, moved away, duplicates, withdrawn, refused. The lives are
// drawn from a fixed seed per month, so that every demo load tells the same story; none stays
// open, so the inbox and its clock show only the hand-written recent referrals.

// outcomeSeries returns the generated referrals for the months before today minus two months.
func outcomeSeries(today time.Time) []demoReferral {
	consent := step{do: "consent"}
	send := step{do: "send"}
	var out []demoReferral
	last := today.AddDate(0, -2, 0)
	n := 0
	for m := demoDay("2025-01-01"); !m.After(last); m = m.AddDate(0, 1, 0) {
		rng := rand.New(rand.NewPCG(uint64(m.Year()), uint64(m.Month())))
		count := 5 + rng.IntN(7)
		// Some months the OCMW is slower to make the first contact.
		slow := 1 + rng.IntN(4)
		for k := range count {
			created := m.AddDate(0, 0, 1+k*27/count)
			if created.AddDate(0, 0, 60).After(today) {
				break
			}
			n++
			read := step{after: 1 + rng.IntN(2), do: "read"}
			first := read.after + rng.IntN(5*slow)
			attempt := func(after int, ch string, reached bool) step {
				return step{after: after, do: "attempt", channel: ch, reached: reached}
			}
			closeWith := func(after int, outcome string, rights ...string) step {
				return step{after: after, do: "outcome", outcome: outcome, rights: rights}
			}
			var steps []step
			switch p := rng.IntN(20); {
			case p == 0:
				steps = []step{{do: "refuse"}}
			case p == 1:
				steps = []step{consent, {after: 2, do: "withdraw"}}
			case p <= 3:
				steps = []step{consent, send, read, attempt(first, "phone", false), attempt(first+5, "letter", false),
					closeWith(first+20, referral.OutcomeNotReachable)}
			case p == 4:
				steps = []step{consent, send, read, attempt(first, "phone", true), closeWith(first+7, referral.OutcomeDeclined)}
			case p == 5:
				steps = []step{consent, send, read, attempt(first, "letter", false), closeWith(first+12, referral.OutcomeMovedAway)}
			case p == 6:
				steps = []step{consent, send, read, closeWith(read.after+1, referral.OutcomeDuplicate)}
			case p == 7:
				steps = []step{consent, send, read, attempt(first, "phone", true), {after: first + 4, do: "withdraw"}}
			default:
				var rights []string
				for _, r := range rng.Perm(len(referral.Rights))[:1+rng.IntN(3)] {
					rights = append(rights, referral.Rights[r])
				}
				ch := []string{"phone", "home_visit", "counter"}[rng.IntN(3)]
				steps = []step{consent, send, read, attempt(first, ch, true), closeWith(first+5+rng.IntN(30), referral.OutcomeRightsOpened, rights...)}
			}
			out = append(out, demoReferral{family: fmt.Sprintf("Reeks %d", n), parents: 1, created: created,
				criteria: []string{"income", "housing", "employment"}, steps: steps})
		}
	}
	return out
}
