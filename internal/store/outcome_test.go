package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/org"
	"kansrijk/internal/outcome"
	"kansrijk/internal/referral"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

// outRef is one raw referral row of the randomised outcome world.
type outRef struct {
	id                                              int64
	team, nis, ocmw, status, outcome                string
	rights                                          []string
	created, sent, received, closed, withdrawn, del *time.Time
	attempts                                        []outAttempt
	refusedConsent, sendRefused                     bool
	agreementID                                     int64
	target                                          int
}

type outAttempt struct {
	on      time.Time // a calendar day
	reached bool
}

type outBirth struct {
	team, nis, status string
	created           time.Time
	firstContact      *time.Time
}

var outBrussels = func() *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		panic(err)
	}
	return l
}()

// outDay is the calendar day of t in Brussels, as a count of days since the epoch.
func outDay(t time.Time) int {
	y, m, d := t.In(outBrussels).Date()
	return int(time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Unix() / 86400)
}

func outTS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// outcomeWorld builds two teams, three agreements, a clinic and a random set of referrals in
// every status and of birth notifications, over 2025; it returns the raw rows.
func outcomeWorld(t *testing.T, db *store.DB, seed uint64) ([]outRef, []outBirth) {
	t.Helper()
	ctx := context.Background()
	world(t, db)
	fixedClock(db, "2026-03-02")
	if _, err := db.CreateClinic(ctx, admin, org.NewClinic{Key: "clinic-zonnedal", Name: "Kraamkliniek Zonnedal"}); err != nil {
		t.Fatal(err)
	}
	agreements := map[string]int64{} // team/nis → id
	for _, tn := range [][2]string{{"team-noord", "13016"}, {"team-noord", "12014"}, {"team-zuid", "11007"}} {
		agreements[tn[0]+"/"+tn[1]] = activeAgreement(t, db, tn[0], tn[1]).ID
	}
	// Vary the targets: each agreement's version 1 gets its own number of days.
	targets := map[int64]int{}
	i := 0
	for _, id := range agreements {
		days := []int{3, 7, 14}[i]
		i++
		targets[id] = days
		mustExec(t, db, `UPDATE agreement_versions SET first_contact_days = $1 WHERE agreement_id = $2`, days, id)
	}
	areas := map[string][]string{"team-noord": {"13016", "12014", "13013"}, "team-zuid": {"11007", "73040", "11002"}}
	rng := rand.New(rand.NewPCG(seed, 13))
	t.Logf("seed %d", seed)
	base := time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC) // 1 January 2025, 00:00 in Brussels
	ptr := func(t time.Time) *time.Time { return &t }
	later := func(t time.Time, maxDays int) time.Time {
		return t.Add(time.Duration(rng.IntN(maxDays*24*60)+1) * time.Minute)
	}
	var refs []outRef
	for n := range 500 {
		team := []string{"team-noord", "team-zuid"}[rng.IntN(2)]
		nis := areas[team][rng.IntN(3)]
		// Around the turn of a month in Brussels time, often.
		created := base.Add(time.Duration(rng.IntN(365*24*60)) * time.Minute)
		if rng.IntN(4) == 0 {
			m := time.Date(2025, time.Month(1+rng.IntN(12)), 1, 0, 0, 0, 0, outBrussels)
			created = m.Add(time.Duration(rng.IntN(120)-60) * time.Minute)
			if created.Before(base) {
				created = base
			}
		}
		r := outRef{id: int64(n + 1), team: team, nis: nis, ocmw: "ocmw-" + nis, created: ptr(created), status: string(referral.Draft)}
		switch p := rng.IntN(10); {
		case p == 0: // still a draft, perhaps refused for want of an agreement
			r.sendRefused = rng.IntN(2) == 0
		case p == 1: // every parent refused
			r.status, r.refusedConsent, r.del = string(referral.Cancelled), true, ptr(later(created, 3))
		case p == 2: // withdrawn before sending (one parent may have refused)
			r.status, r.withdrawn = string(referral.Cancelled), ptr(later(created, 5))
			r.refusedConsent = rng.IntN(3) == 0
			r.del = ptr(*r.withdrawn)
		default:
			ag, ok := agreements[team+"/"+nis]
			if !ok {
				for _, id := range agreements {
					ag = id
					break
				}
			}
			r.agreementID, r.target = ag, targets[ag]
			r.sendRefused = rng.IntN(6) == 0 // refused once, sent later
			sent := later(created, 10)
			r.sent, r.status = ptr(sent), string(referral.Sent)
			if rng.IntN(5) > 0 {
				r.received, r.status = ptr(later(sent, 4)), string(referral.Received)
			}
			if r.received != nil && rng.IntN(4) > 0 {
				for range 1 + rng.IntN(3) {
					on := later(sent, 30)
					y, m, d := on.In(outBrussels).Date()
					r.attempts = append(r.attempts, outAttempt{on: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), reached: rng.IntN(3) == 0})
				}
				r.status = string(referral.ContactAttempted)
				for _, a := range r.attempts {
					if a.reached {
						r.status = string(referral.Reached)
					}
				}
			}
			if len(r.attempts) > 0 && rng.IntN(2) == 0 {
				r.closed, r.status = ptr(later(sent, 60)), string(referral.Closed)
				r.outcome = referral.Outcomes[rng.IntN(len(referral.Outcomes))]
				if r.outcome == referral.OutcomeRightsOpened {
					for _, right := range referral.Rights {
						if rng.IntN(3) == 0 {
							r.rights = append(r.rights, right)
						}
					}
					if len(r.rights) == 0 {
						r.rights = []string{referral.Rights[0]}
					}
				}
			}
			if rng.IntN(8) == 0 { // the family withdrew after sending
				r.withdrawn, r.status = ptr(later(sent, 90)), string(referral.Withdrawn)
				if rng.IntN(2) == 0 {
					r.del = ptr(*r.withdrawn)
				}
			}
			if r.del == nil && rng.IntN(10) == 0 { // end of retention
				r.del = ptr(later(sent, 200))
			}
		}
		refs = append(refs, r)
	}
	for _, r := range refs {
		rights, _ := json.Marshal(r.rights)
		if r.rights == nil {
			rights = []byte("[]")
		}
		var agID, agVersion any
		if r.agreementID != 0 {
			agID, agVersion = r.agreementID, 1
		}
		mustExec(t, db, `INSERT INTO referrals (id, team_key, municipality_nis, recipient_key, status, agreement_id, agreement_version, outcome, rights,
			receipt_code, created_by, created_at, sent_at, received_at, first_contact_at, closed_at, withdrawn_at, data_deleted_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'test',$11,$12,$13,$14,$15,$16,$17,$11)`,
			r.id, r.team, r.nis, r.ocmw, r.status, agID, agVersion, r.outcome, string(rights), "KR-OUT-"+strconv.FormatInt(r.id, 10),
			outTS(r.created), outTS(r.sent), outTS(r.received), outTS(r.received), outTS(r.closed), outTS(r.withdrawn), outTS(r.del))
		for _, a := range r.attempts {
			mustExec(t, db, `INSERT INTO referral_contact_attempts (referral_id, on_day, channel, reached, recorded_at, recorded_by)
				VALUES ($1,$2,'phone',$3,$4,'test')`, r.id, a.on.Format(time.DateOnly), a.reached, outTS(r.received))
		}
		consents := 0
		if r.refusedConsent {
			consents = 1
		}
		if r.sent != nil {
			consents = 2
		}
		for i := range consents {
			mustExec(t, db, `INSERT INTO referral_consents (referral_id, parent_idx, informed, method, refused, recorded_at, recorded_by)
				VALUES ($1,$2,'[]','verbal',$3,$4,'test')`, r.id, i, r.refusedConsent && i == 0 && r.sent == nil, outTS(r.created))
		}
		if r.sendRefused {
			mustExec(t, db, `INSERT INTO audit_events (at, action, object_type, object_id, outcome) VALUES ($1,'referral.send_refused','referral',$2,'denied')`,
				outTS(r.created), strconv.FormatInt(r.id, 10))
		}
		// A refusal of some other referral's kind must not count.
		if r.id%50 == 0 {
			mustExec(t, db, `INSERT INTO audit_events (at, action, object_type, object_id, outcome) VALUES ($1,'referral.send_refused','birth_notification',$2,'denied')`,
				outTS(r.created), strconv.FormatInt(r.id, 10))
		}
	}
	var births []outBirth
	for n := range 300 {
		b := outBirth{nis: []string{"13016", "12014", "13013", "11007", "73040", "11002", "21004"}[rng.IntN(7)], status: "new"}
		for team, area := range areas {
			if slices.Contains(area, b.nis) && rng.IntN(6) > 0 {
				b.team = team
			}
		}
		b.created = base.Add(time.Duration(rng.IntN(365*24*60)) * time.Minute)
		switch rng.IntN(5) {
		case 0:
			b.status = "merged"
		case 1, 2:
			b.status = "contacted"
			y, m, d := b.created.In(outBrussels).Date()
			on := time.Date(y, m, d+rng.IntN(25), 0, 0, 0, 0, time.UTC)
			b.firstContact = &on
		}
		births = append(births, b)
		var team, first any
		if b.team != "" {
			team = b.team
		}
		if b.firstContact != nil {
			first = b.firstContact.Format(time.DateOnly)
		}
		mustExec(t, db, `INSERT INTO birth_notifications (id, clinic_key, team_key, municipality_nis, child_birth_date, language, status,
			submitted_by, created_at, updated_at, first_contact_on) VALUES ($1,'clinic-zonnedal',$2,$3,$4,'nl',$5,'test',$6,$6,$7)`,
			n+1, team, b.nis, b.created.Format(time.DateOnly), b.status, outTS(&b.created), first)
	}
	return refs, births
}

func mustExec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if err := store.ExecForOutcomeTest(context.Background(), db, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// outExpected recomputes the cells from the raw rows, by the definitions of
// store.OutcomeCells, for the referrals and births that keep returns true.
func outExpected(refs []outRef, births []outBirth, keepRef func(outRef) bool, keepBirth func(outBirth) bool) map[string]*outcome.Cell {
	out := map[string]*outcome.Cell{}
	get := func(month, nis, team, ocmw string) *outcome.Cell {
		k := month + "|" + nis + "|" + team + "|" + ocmw
		if out[k] == nil {
			out[k] = &outcome.Cell{Month: month, NIS: nis, Team: team, OCMW: ocmw}
		}
		return out[k]
	}
	inc := func(m *map[string]int, k string) {
		if *m == nil {
			*m = map[string]int{}
		}
		(*m)[k]++
	}
	for _, r := range refs {
		if !keepRef(r) {
			continue
		}
		c := get(r.created.In(outBrussels).Format("2006-01"), r.nis, r.team, r.ocmw)
		c.Drafted++
		if r.status == "cancelled" && r.withdrawn == nil && r.refusedConsent {
			c.ConsentRefused++
		}
		if r.sendRefused && r.sent == nil {
			c.NotSentNoAgreement++
		}
		if r.withdrawn != nil {
			c.Withdrawn++
		}
		if r.del != nil {
			c.Deleted++
		}
		if r.sent == nil {
			continue
		}
		c.Sent++
		if r.received != nil || len(r.attempts) > 0 || r.closed != nil {
			c.Received++
		}
		if len(r.attempts) > 0 {
			c.ContactAttempted++
			first := r.attempts[0].on
			for _, a := range r.attempts {
				if a.on.Before(first) {
					first = a.on
				}
			}
			days := int(first.Unix()/86400) - outDay(*r.sent)
			c.DaysToFirstContact = append(c.DaysToFirstContact, days)
			if days <= r.target {
				c.WithinTarget++
			} else {
				c.PastTarget++
			}
		}
		for _, a := range r.attempts {
			if a.reached {
				c.Reached++
				break
			}
		}
		if r.outcome == "not_reachable" {
			c.NotReachable++
		}
		if r.outcome != "" {
			inc(&c.Outcomes, r.outcome)
		} else if r.status == "withdrawn" {
			inc(&c.Outcomes, "withdrawn")
		}
		for _, right := range r.rights {
			inc(&c.Rights, right)
		}
		if r.closed != nil {
			c.DaysToOutcome = append(c.DaysToOutcome, outDay(*r.closed)-outDay(*r.sent))
		}
	}
	for _, b := range births {
		if b.status == "merged" || !keepBirth(b) {
			continue
		}
		ocmw := "ocmw-" + b.nis
		if b.nis == "21004" {
			ocmw = org.CAWBrusselKey
		}
		c := get(b.created.In(outBrussels).Format("2006-01"), b.nis, b.team, ocmw)
		c.Births++
		if b.firstContact != nil && int(b.firstContact.Unix()/86400)-outDay(b.created) <= 14 {
			c.BirthsContacted14++
		}
	}
	return out
}

func compareCells(t *testing.T, name string, got []outcome.Cell, want map[string]*outcome.Cell) {
	t.Helper()
	seen := map[string]bool{}
	for _, g := range got {
		k := g.Month + "|" + g.NIS + "|" + g.Team + "|" + g.OCMW
		if seen[k] {
			t.Errorf("%s: cell %s twice", name, k)
		}
		seen[k] = true
		w := want[k]
		if w == nil {
			t.Errorf("%s: unexpected cell %s: %+v", name, k, g.Counts)
			continue
		}
		slices.Sort(g.DaysToFirstContact)
		slices.Sort(g.DaysToOutcome)
		slices.Sort(w.DaysToFirstContact)
		slices.Sort(w.DaysToOutcome)
		if !reflect.DeepEqual(g.Counts, w.Counts) {
			t.Errorf("%s: cell %s\n got %+v\nwant %+v", name, k, g.Counts, w.Counts)
		}
		if !slices.Equal(g.DaysToFirstContact, w.DaysToFirstContact) || !slices.Equal(g.DaysToOutcome, w.DaysToOutcome) {
			t.Errorf("%s: cell %s days\n got %v / %v\nwant %v / %v", name, k, g.DaysToFirstContact, g.DaysToOutcome, w.DaysToFirstContact, w.DaysToOutcome)
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("%s: missing cell %s: %+v", name, k, want[k].Counts)
		}
	}
}

// TestOutcomeCellsRecomputed: every count and every day list of every cell equals what a loop
// over the raw rows gives, for the whole year, a window of months, and each filter.
func TestOutcomeCellsRecomputed(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		refs, births := outcomeWorld(t, db, uint64(time.Now().UnixNano()))
		all := func(outRef) bool { return true }
		allB := func(outBirth) bool { return true }
		year := outcome.Query{From: time.Date(2025, 1, 1, 0, 0, 0, 0, outBrussels), To: time.Date(2026, 1, 1, 0, 0, 0, 0, outBrussels)}
		got, err := db.OutcomeCells(ctx, adminActor, year)
		if err != nil {
			t.Fatal(err)
		}
		compareCells(t, "year", got, outExpected(refs, births, all, allB))
		// The sums agree with the raw rows too (a dashboard's total).
		total := outcome.Sum(got)
		if total.Drafted != len(refs) {
			t.Errorf("drafted %d, want %d", total.Drafted, len(refs))
		}
		// March to May: by the month in Brussels time.
		spring := outcome.Query{From: time.Date(2025, 3, 1, 0, 0, 0, 0, outBrussels), To: time.Date(2025, 6, 1, 0, 0, 0, 0, outBrussels)}
		inSpring := func(c time.Time) bool { m := c.In(outBrussels).Month(); return m >= 3 && m <= 5 }
		got, err = db.OutcomeCells(ctx, analystActor, spring)
		if err != nil {
			t.Fatal(err)
		}
		compareCells(t, "spring", got, outExpected(refs, births, func(r outRef) bool { return inSpring(*r.created) }, func(b outBirth) bool { return inSpring(b.created) }))
		for _, f := range []outcome.Query{{NIS: "13016"}, {Team: "team-zuid"}, {OCMW: "ocmw-12014"}, {NIS: "11007", Team: "team-zuid", OCMW: "ocmw-11007"}} {
			q := f
			q.From, q.To = year.From, year.To
			got, err := db.OutcomeCells(ctx, adminActor, q)
			if err != nil {
				t.Fatal(err)
			}
			keepR := func(r outRef) bool {
				return (f.NIS == "" || r.nis == f.NIS) && (f.Team == "" || r.team == f.Team) && (f.OCMW == "" || r.ocmw == f.OCMW)
			}
			keepB := func(b outBirth) bool {
				return (f.NIS == "" || b.nis == f.NIS) && (f.Team == "" || b.team == f.Team) && (f.OCMW == "" || "ocmw-"+b.nis == f.OCMW)
			}
			compareCells(t, fmt.Sprintf("filter %+v", f), got, outExpected(refs, births, keepR, keepB))
		}
	})
}

// TestOutcomeCellsScope: a team sees only its own team's cells, an OCMW only the referrals sent
// to it (no drafts, no births), others nothing.
func TestOutcomeCellsScope(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		refs, births := outcomeWorld(t, db, 7)
		year := outcome.Query{From: time.Date(2025, 1, 1, 0, 0, 0, 0, outBrussels), To: time.Date(2026, 1, 1, 0, 0, 0, 0, outBrussels)}
		zuidLead := account.Actor{UserID: 51, Email: "lead@zuid.test", Role: account.TeamLead, Org: "team-zuid", OrgKind: account.KindTeam}
		for _, a := range []account.Actor{teamWorker, zuidLead} {
			got, err := db.OutcomeCells(ctx, a, year)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range got {
				if c.Team != a.Org {
					t.Errorf("%s sees a cell of %q", a.Org, c.Team)
				}
			}
			compareCells(t, a.Org, got, outExpected(refs, births, func(r outRef) bool { return r.team == a.Org }, func(b outBirth) bool { return b.team == a.Org }))
			// Asking for another team's cells gives nothing.
			other, err := db.OutcomeCells(ctx, a, outcome.Query{From: year.From, To: year.To, Team: "team-elders"})
			if err != nil || len(other) != 0 {
				t.Errorf("%s asking for another team: %d cells, %v", a.Org, len(other), err)
			}
		}
		hulshoutAdmin := account.Actor{UserID: 52, Email: "beheer@hulshout.test", Role: account.OCMWAdmin, Org: "ocmw-13016", OrgKind: account.KindOCMW}
		for _, a := range []account.Actor{ocmwWorker, otherOCMW, hulshoutAdmin} {
			got, err := db.OutcomeCells(ctx, a, year)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range got {
				if c.OCMW != a.Org || c.Births != 0 {
					t.Errorf("%s sees a cell of %q with %d births", a.Org, c.OCMW, c.Births)
				}
				if c.Drafted != c.Sent || c.ConsentRefused != 0 || c.NotSentNoAgreement != 0 {
					t.Errorf("%s sees referrals never sent to it: %+v", a.Org, c.Counts)
				}
			}
			compareCells(t, a.Org, got, outExpected(refs, births, func(r outRef) bool { return r.ocmw == a.Org && r.sent != nil }, func(outBirth) bool { return false }))
			other, err := db.OutcomeCells(ctx, a, outcome.Query{From: year.From, To: year.To, OCMW: "ocmw-12014"})
			if err != nil || len(other) != 0 {
				t.Errorf("%s asking for another OCMW: %d cells, %v", a.Org, len(other), err)
			}
		}
		for _, a := range []account.Actor{clinicZonnedal, dpoCentral, dpoOCMW} {
			if _, err := db.OutcomeCells(ctx, a, year); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s: %v, want forbidden", a.Role, err)
			}
		}
	})
}

// TestOutcomeCellsFlow: the definitions hold for referrals made through the real flow — a
// refused consent, a send refused for want of an agreement, a referral sent, attempted and closed.
func TestOutcomeCellsFlow(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		fixedClock(db, "2026-03-02")
		activeAgreement(t, db, "team-noord", "13016")
		// Refused by the only parent: cancelled.
		r, err := db.CreateReferral(ctx, teamWorker, newFamily())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddConsent(ctx, teamWorker, r.ID, referral.NewConsent{Parent: 0, Refused: true}); err != nil {
			t.Fatal(err)
		}
		// Herselt (13013): no agreement; sending is refused twice, counted once.
		missed := homeReferral(t, db, teamWorker, "13013", "2230", "Fictieve Ouder", false)
		for range 2 {
			if _, err := db.Send(ctx, teamWorker, missed.ID); !apperr.Is(err, apperr.NoAgreementInForce) {
				t.Fatalf("send without agreement: %v", err)
			}
		}
		sent := homeReferral(t, db, teamWorker, "13016", "2235", "Fictieve Ouder", true)
		fixedClock(db, "2026-03-06")
		if _, err := db.AddContactAttempt(ctx, ocmwWorker, sent.ID, referral.NewContactAttempt{Channel: referral.Channels[0], Reached: true, On: "2026-03-05"}); err != nil {
			t.Fatal(err)
		}
		fixedClock(db, "2026-03-20")
		if _, err := db.SetOutcome(ctx, ocmwWorker, sent.ID, referral.NewOutcome{Outcome: referral.OutcomeRightsOpened, Rights: []string{"leefloon", "groeipakket_social"}}); err != nil {
			t.Fatal(err)
		}
		cells, err := db.OutcomeCells(ctx, adminActor, outcome.Query{From: time.Date(2026, 3, 1, 0, 0, 0, 0, outBrussels), To: time.Date(2026, 4, 1, 0, 0, 0, 0, outBrussels)})
		if err != nil {
			t.Fatal(err)
		}
		got := outcome.Sum(cells)
		want := outcome.Counts{Drafted: 3, ConsentRefused: 1, NotSentNoAgreement: 1, Sent: 1, Received: 1, ContactAttempted: 1, Reached: 1,
			Deleted: 1, WithinTarget: 1, Outcomes: map[string]int{"rights_opened": 1}, Rights: map[string]int{"leefloon": 1, "groeipakket_social": 1}}
		if !reflect.DeepEqual(got.Counts, want) {
			t.Errorf("got  %+v\nwant %+v", got.Counts, want)
		}
		if !slices.Equal(got.DaysToFirstContact, []int{3}) || !slices.Equal(got.DaysToOutcome, []int{18}) {
			t.Errorf("days %v / %v, want [3] / [18]", got.DaysToFirstContact, got.DaysToOutcome)
		}
		if m, _ := outcome.Median([]int{5, 1, 3, 9}); m != 3 {
			t.Errorf("median %d", m)
		}
		if p, _ := outcome.P90([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}); p != 9 {
			t.Errorf("p90 %d", p)
		}
	})
}

// TestOutcomeCellsAsRowByRow: the cells counted by the database equal those of the row-by-row
// reference (outcome_reference_test.go) for every actor and filter, over the randomised world
// plus referrals and births stamped at 22:00–23:59 UTC around the changes of clock of 2025 and
// 2026, where the Brussels day is not the UTC day.
func TestOutcomeCellsAsRowByRow(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		refs, _ := outcomeWorld(t, db, uint64(time.Now().UnixNano()))
		var agreementID int64
		for _, r := range refs {
			if r.agreementID != 0 {
				agreementID = r.agreementID
				break
			}
		}
		id := 10000
		for _, change := range []string{"2025-03-30", "2025-10-26", "2026-03-29", "2026-10-25"} {
			d, err := time.Parse(time.DateOnly, change)
			if err != nil {
				t.Fatal(err)
			}
			for shift := -2; shift <= 1; shift++ {
				for _, hm := range []time.Duration{21*time.Hour + 59*time.Minute, 22 * time.Hour, 22*time.Hour + 30*time.Minute, 23*time.Hour + 15*time.Minute, 30 * time.Minute} {
					id++
					at := d.AddDate(0, 0, shift).Add(hm)
					sent, closed := at.Add(time.Duration(id%3)*time.Hour), at.AddDate(0, 0, id%9).Add(time.Duration(id%4)*time.Hour)
					outc, rights, status := "", "[]", string(referral.ContactAttempted)
					switch id % 3 {
					case 0:
						outc, rights, status = referral.OutcomeRightsOpened, `["leefloon","groeipakket_social"]`, string(referral.Closed)
					case 1:
						outc, status = referral.OutcomeNotReachable, string(referral.Closed)
					}
					var closedAt any
					if outc != "" {
						closedAt = outTS(&closed)
					}
					mustExec(t, db, `INSERT INTO referrals (id, team_key, municipality_nis, recipient_key, status, agreement_id, agreement_version, outcome, rights,
						receipt_code, created_by, created_at, sent_at, received_at, closed_at, updated_at)
						VALUES ($1,'team-noord','13016','ocmw-13016',$2,$3,1,$4,$5,$6,'test',$7,$8,$8,$9,$7)`,
						id, status, agreementID, outc, rights, "KR-DST-"+strconv.Itoa(id), outTS(&at), outTS(&sent), closedAt)
					// The attempt on the Brussels day of sending, or a few days after.
					y, m, dd := sent.In(outBrussels).Date()
					on := time.Date(y, m, dd+id%5, 0, 0, 0, 0, time.UTC)
					mustExec(t, db, `INSERT INTO referral_contact_attempts (referral_id, on_day, channel, reached, recorded_at, recorded_by)
						VALUES ($1,$2,'phone',$3,$4,'test')`, id, on.Format(time.DateOnly), id%2 == 0, outTS(&sent))
					// A birth notification at the same instant, in Opgroeien's queue every other time.
					var team any = "team-zuid"
					if id%2 == 0 {
						team = nil
					}
					y, m, dd = at.In(outBrussels).Date()
					first := time.Date(y, m, dd+13+id%3, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
					mustExec(t, db, `INSERT INTO birth_notifications (id, clinic_key, team_key, municipality_nis, child_birth_date, language, status,
						submitted_by, created_at, updated_at, first_contact_on) VALUES ($1,'clinic-zonnedal',$2,'11007',$3,'nl','contacted','test',$4,$4,$5)`,
						id, team, at.Format(time.DateOnly), outTS(&at), first)
				}
			}
		}
		years := []outcome.Query{
			{From: time.Date(2025, 1, 1, 0, 0, 0, 0, outBrussels), To: time.Date(2026, 1, 1, 0, 0, 0, 0, outBrussels)},
			{From: time.Date(2025, 3, 1, 0, 0, 0, 0, outBrussels), To: time.Date(2027, 1, 1, 0, 0, 0, 0, outBrussels)},
			{From: time.Date(2025, 10, 1, 0, 0, 0, 0, outBrussels), To: time.Date(2025, 11, 1, 0, 0, 0, 0, outBrussels)},
			{},
		}
		actors := []account.Actor{adminActor, analystActor, teamWorker, ocmwWorker, otherOCMW}
		filters := []outcome.Query{{}, {NIS: "13016"}, {Team: "team-zuid"}, {OCMW: "ocmw-12014"}, {OCMW: "ocmw-11007"}, {NIS: "11007", Team: "team-zuid", OCMW: "ocmw-11007"}}
		for _, y := range years {
			for _, a := range actors {
				for _, f := range filters {
					q := f
					q.From, q.To = y.From, y.To
					got, err := db.OutcomeCells(ctx, a, q)
					if err != nil {
						t.Fatal(err)
					}
					want, err := store.OutcomeCellsRowByRow(ctx, db, a, q)
					if err != nil {
						t.Fatal(err)
					}
					wantCells := map[string]*outcome.Cell{}
					for i := range want {
						w := want[i]
						wantCells[w.Month+"|"+w.NIS+"|"+w.Team+"|"+w.OCMW] = &w
					}
					compareCells(t, fmt.Sprintf("%s %+v", a.Role, q), got, wantCells)
				}
			}
		}
	})
}
