package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/org"
	"kansrijk/internal/store"
	"kansrijk/internal/store/storetest"
)

var admin = account.System("test")

func d(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// world creates two local teams: team-noord (Hulshout 13016, Heist-op-den-Berg
// 12014, Herselt 13013) and team-zuid (Borsbeek 11007 until 2024, then Antwerpen
// 11002; and Kortessem 73040 until 2024, then Hasselt 71072).
func world(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.CreateTeam(ctx, admin, org.NewTeam{Key: "team-noord", Name: "Lokaal team Noord", Municipalities: []string{"13016", "12014", "13013"}, From: d("2022-01-01")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateTeam(ctx, admin, org.NewTeam{Key: "team-zuid", Name: "Lokaal team Zuid", Municipalities: []string{"11007", "73040"}, From: d("2022-01-01")}); err != nil {
		t.Fatal(err)
	}
	area := []string{"11002", "71072"}
	if _, err := db.UpdateTeam(ctx, admin, "team-zuid", org.TeamUpdate{Municipalities: &area, From: d("2025-01-01")}); err != nil {
		t.Fatal(err)
	}
}

func mustCreate(t *testing.T, db *store.DB, a account.Actor, team, nis, status, on string) agreement.Agreement {
	t.Helper()
	ag, err := db.CreateAgreement(context.Background(), a, agreement.NewAgreement{Team: team, MunicipalityNIS: nis, Status: status, EffectiveOn: on})
	if err != nil {
		t.Fatalf("create agreement %s/%s: %v", team, nis, err)
	}
	return ag
}

func signatures(on string) []agreement.Signature {
	return []agreement.Signature{
		{Function: "administrator_general", Name: "A. Generaal", SignedOn: on},
		{Function: "council_chair", Name: "V. Oorzitter", SignedOn: on},
		{Function: "general_director", Name: "D. Irecteur", SignedOn: on},
	}
}

// step builds a valid NewEvent for a status on a date.
func step(status agreement.Status, on string) agreement.NewEvent {
	ev := agreement.NewEvent{Status: string(status), EffectiveOn: on}
	switch status {
	case agreement.Approved:
		ev.CouncilReference, ev.CouncilDecisionOn = "RMW/2023/17", on
	case agreement.Signed:
		ev.Signatures = signatures(on)
	case agreement.Ended:
		ev.Reason = "opgezegd"
	}
	return ev
}

func TestAgreementTransitions(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		// Every pair (from, to): allowed ones succeed, the rest fail with
		// invalid_transition and change nothing.
		paths := map[agreement.Status][]agreement.Status{
			agreement.Interested: {agreement.Interested},
			agreement.Draft:      {agreement.Draft},
			agreement.Approved:   {agreement.Draft, agreement.Approved},
			agreement.Signed:     {agreement.Draft, agreement.Approved, agreement.Signed},
			agreement.Active:     {agreement.Draft, agreement.Approved, agreement.Signed, agreement.Active},
			agreement.Suspended:  {agreement.Draft, agreement.Approved, agreement.Signed, agreement.Active, agreement.Suspended},
			agreement.Ended:      {agreement.Draft, agreement.Approved, agreement.Signed, agreement.Active, agreement.Ended},
			agreement.Withdrawn:  {agreement.Interested, agreement.Withdrawn},
		}
		for _, from := range agreement.Statuses {
			for _, to := range agreement.Statuses {
				t.Run(fmt.Sprintf("%s_to_%s", from, to), func(t *testing.T) {
					path := paths[from]
					ag := mustCreate(t, db, admin, "team-noord", "13016", string(path[0]), "2023-01-02")
					for i, s := range path[1:] {
						if _, err := db.AddEvent(ctx, admin, ag.ID, step(s, fmt.Sprintf("2023-02-%02d", i+1))); err != nil {
							t.Fatalf("path to %s: %v", from, err)
						}
					}
					before, _ := db.Agreement(ctx, admin, ag.ID)
					_, err := db.AddEvent(ctx, admin, ag.ID, step(to, "2023-06-01"))
					allowed := slices.Contains(agreement.Next(from), to)
					if allowed && err != nil {
						t.Fatalf("%s -> %s should be allowed: %v", from, to, err)
					}
					if !allowed {
						if apperr.Code(err) != apperr.InvalidTransition {
							t.Fatalf("%s -> %s: want invalid_transition, got %v", from, to, err)
						}
						after, _ := db.Agreement(ctx, admin, ag.ID)
						if len(after.Events) != len(before.Events) || after.Status != before.Status {
							t.Fatalf("a refused transition changed the agreement")
						}
					}
					// Close it so the next subtest can open a new one for the pair.
					closeAgreement(t, db, ag.ID)
				})
			}
		}
	})
}

func closeAgreement(t *testing.T, db *store.DB, id int64) {
	t.Helper()
	ctx := context.Background()
	ag, err := db.Agreement(ctx, admin, id)
	if err != nil {
		t.Fatal(err)
	}
	var last agreement.Status
	for _, e := range ag.Events {
		if e.CorrectedBy == 0 {
			last = e.Status
		}
	}
	if !last.Open() {
		return
	}
	target := agreement.Withdrawn
	if slices.Contains(agreement.Next(last), agreement.Ended) {
		target = agreement.Ended
	}
	if _, err := db.AddEvent(ctx, admin, id, step(target, "2023-12-31")); err != nil {
		t.Fatalf("close %d (%s): %v", id, last, err)
	}
}

func TestAgreementRules(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		ag := mustCreate(t, db, admin, "team-noord", "13016", "interested", "2023-03-01")
		if ag.Recipient != "ocmw-13016" || ag.Status != agreement.Interested || ag.Version == nil || ag.Version.RetentionDays != 90 {
			t.Fatalf("new agreement = %+v", ag)
		}
		tests := []struct {
			name string
			in   agreement.NewEvent
			code string
		}{
			{"date before previous step", step(agreement.Draft, "2023-02-28"), apperr.InvalidTransition},
			{"active before signed", step(agreement.Active, "2023-04-01"), apperr.InvalidTransition},
			{"unknown status", agreement.NewEvent{Status: "bogus"}, apperr.Invalid},
			{"bad date", agreement.NewEvent{Status: "draft", EffectiveOn: "2023-13-01"}, apperr.InvalidDate},
		}
		for _, tc := range tests {
			if _, err := db.AddEvent(ctx, admin, ag.ID, tc.in); apperr.Code(err) != tc.code {
				t.Errorf("%s: want %s, got %v", tc.name, tc.code, err)
			}
		}
		if _, err := db.AddEvent(ctx, admin, ag.ID, step(agreement.Draft, "2023-03-05")); err != nil {
			t.Fatal(err)
		}
		// approved needs a council reference; signed needs the three functions.
		if _, err := db.AddEvent(ctx, admin, ag.ID, agreement.NewEvent{Status: "approved", EffectiveOn: "2023-04-01"}); apperr.Code(err) != apperr.Invalid {
			t.Errorf("approved without reference: %v", err)
		}
		if _, err := db.AddEvent(ctx, admin, ag.ID, step(agreement.Approved, "2023-04-01")); err != nil {
			t.Fatal(err)
		}
		bad := step(agreement.Signed, "2023-05-01")
		bad.Signatures = bad.Signatures[:2]
		if _, err := db.AddEvent(ctx, admin, ag.ID, bad); apperr.Code(err) != apperr.Invalid {
			t.Errorf("signed with two signatures: %v", err)
		}
		// A second open agreement for the same pair is refused.
		if _, err := db.CreateAgreement(ctx, admin, agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: "13016"}); apperr.Code(err) != apperr.Conflict {
			t.Errorf("second open agreement: %v", err)
		}
		// Outside the team's area, unknown or not-yet-existing municipality.
		for _, nis := range []string{"11007", "99999", "71072"} {
			if _, err := db.CreateAgreement(ctx, admin, agreement.NewAgreement{Team: "team-noord", MunicipalityNIS: nis, EffectiveOn: "2023-03-01"}); err == nil {
				t.Errorf("agreement for %s outside the area was accepted", nis)
			}
		}
		// Correction: a new event replacing an earlier one; the old one stays.
		cur, _ := db.Agreement(ctx, admin, ag.ID)
		draftID := cur.Events[1].ID
		if _, err := db.AddEvent(ctx, admin, ag.ID, agreement.NewEvent{Corrects: draftID, EffectiveOn: "2023-03-10", Note: "datum verkeerd overgenomen"}); err != nil {
			t.Fatalf("correct: %v", err)
		}
		// A correction may not move a step past the next one.
		if _, err := db.AddEvent(ctx, admin, ag.ID, agreement.NewEvent{Corrects: cur.Events[2].ID, EffectiveOn: "2023-02-01", Note: "x"}); apperr.Code(err) != apperr.InvalidTransition {
			t.Errorf("correction before previous step: %v", err)
		}
		after, _ := db.Agreement(ctx, admin, ag.ID)
		if len(after.Events) != 4 || after.Events[1].CorrectedBy == 0 || after.Events[3].Corrects != draftID {
			t.Fatalf("events after correction: %+v", after.Events)
		}
		// Audit: every change left a record.
		evs, err := db.AuditEvents(ctx, auditFilter("agreement", ag.ID))
		if err != nil || len(evs) != 4 { // create, draft, approved, correction; refused attempts change nothing
			t.Fatalf("audit events = %d (%v), want 4", len(evs), err)
		}
	})
}

func TestAgreementScope(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		ag := mustCreate(t, db, admin, "team-noord", "13016", "interested", "2023-03-01")
		other := mustCreate(t, db, admin, "team-zuid", "11007", "interested", "2023-03-01")
		lead := account.Actor{UserID: 1, Email: "lead@x.test", Role: account.TeamLead, Org: "team-noord", OrgKind: account.KindTeam}
		ocmw := account.Actor{UserID: 2, Email: "o@x.test", Role: account.OCMWAdmin, Org: "ocmw-13016", OrgKind: account.KindOCMW}
		worker := account.Actor{UserID: 3, Email: "w@x.test", Role: account.OCMWWorker, Org: "ocmw-11007", OrgKind: account.KindOCMW}
		clinic := account.Actor{UserID: 4, Email: "c@x.test", Role: account.Clinic, Org: "clinic-x", OrgKind: account.KindClinic}
		if _, err := db.Agreement(ctx, lead, other.ID); apperr.Code(err) != apperr.NotFound {
			t.Errorf("team lead sees another team's agreement: %v", err)
		}
		if list, _ := db.Agreements(ctx, lead, agreement.Filter{}); len(list) != 1 || list[0].ID != ag.ID {
			t.Errorf("team lead list = %v", list)
		}
		if _, err := db.Agreement(ctx, worker, ag.ID); apperr.Code(err) != apperr.NotFound {
			t.Errorf("OCMW worker sees another OCMW's agreement: %v", err)
		}
		if _, err := db.Agreements(ctx, clinic, agreement.Filter{}); apperr.Code(err) != apperr.Forbidden {
			t.Errorf("clinic lists agreements: %v", err)
		}
		// The OCMW admin records approval and signature, but not activation.
		if _, err := db.AddEvent(ctx, lead, ag.ID, step(agreement.Draft, "2023-03-02")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddEvent(ctx, ocmw, ag.ID, step(agreement.Approved, "2023-04-01")); err != nil {
			t.Fatalf("OCMW admin approves: %v", err)
		}
		if _, err := db.AddEvent(ctx, ocmw, ag.ID, step(agreement.Signed, "2023-05-01")); err != nil {
			t.Fatalf("OCMW admin signs: %v", err)
		}
		if _, err := db.AddEvent(ctx, ocmw, ag.ID, step(agreement.Active, "2023-05-02")); apperr.Code(err) != apperr.Forbidden {
			t.Errorf("OCMW admin activates: %v", err)
		}
		if _, err := db.AddEvent(ctx, lead, other.ID, step(agreement.Draft, "2023-05-02")); apperr.Code(err) != apperr.NotFound {
			t.Errorf("team lead changes another team's agreement: %v", err)
		}
	})
}

func TestGate(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		world(t, db)
		ag := mustCreate(t, db, admin, "team-noord", "13016", "draft", "2023-03-01")
		for _, s := range []struct {
			st agreement.Status
			on string
		}{{agreement.Approved, "2023-09-01"}, {agreement.Signed, "2023-10-01"}, {agreement.Active, "2023-11-01"}, {agreement.Suspended, "2024-03-01"}, {agreement.Active, "2024-04-01"}, {agreement.Ended, "2024-12-31"}} {
			if _, err := db.AddEvent(ctx, admin, ag.ID, step(s.st, s.on)); err != nil {
				t.Fatal(err)
			}
		}
		zuid := mustCreate(t, db, admin, "team-zuid", "11007", "draft", "2023-03-01")
		for _, s := range []agreement.NewEvent{step(agreement.Approved, "2023-04-01"), step(agreement.Signed, "2023-05-01"), step(agreement.Active, "2023-06-01")} {
			if _, err := db.AddEvent(ctx, admin, zuid.ID, s); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			team, nis, on string
			allowed       bool
			reason        string
		}{
			{"team-noord", "13016", "2023-10-31", false, agreement.ReasonNotActive},
			{"team-noord", "13016", "2023-11-01", true, ""},
			{"team-noord", "13016", "2024-03-15", false, agreement.ReasonNotActive},
			{"team-noord", "13016", "2024-04-01", true, ""},
			{"team-noord", "13016", "2024-12-31", false, agreement.ReasonNotActive},
			{"team-noord", "12014", "2024-01-01", false, agreement.ReasonNoAgreement},
			{"team-zuid", "13016", "2024-01-01", false, agreement.ReasonOutsideArea},
			{"team-noord", "99999", "2024-01-01", false, agreement.ReasonUnknownMunicipality},
			{"team-zuid", "11007", "2024-06-01", true, ""},
			{"team-zuid", "11007", "2025-01-01", false, agreement.ReasonMunicipalityInvalid},
			{"team-zuid", "11002", "2025-01-01", false, agreement.ReasonNoAgreement},
			{"team-zuid", "71072", "2024-06-01", false, agreement.ReasonMunicipalityInvalid},
		}
		for _, c := range cases {
			dec, err := db.Gate(ctx, c.team, c.nis, d(c.on))
			if err != nil {
				t.Fatal(err)
			}
			if dec.Allowed != c.allowed || dec.Reason != c.reason {
				t.Errorf("Gate(%s, %s, %s) = %v %q (%s), want %v %q", c.team, c.nis, c.on, dec.Allowed, dec.Reason, dec.Message, c.allowed, c.reason)
			}
			if dec.Allowed && (dec.Agreement == nil || dec.Agreement.Version == nil) {
				t.Errorf("allowed without the agreement")
			}
		}
		// Carry the Borsbeek agreement over to Antwerpen: the gate opens for 11002.
		carried, err := db.CarryOver(ctx, admin, zuid.ID, time.Time{}, "")
		if err != nil {
			t.Fatalf("carry over: %v", err)
		}
		if carried.MunicipalityNIS != "11002" || carried.Predecessor != zuid.ID || carried.Recipient != "ocmw-11002" {
			t.Fatalf("carried = %+v", carried)
		}
		dec, _ := db.Gate(ctx, "team-zuid", "11002", d("2025-01-01"))
		if !dec.Allowed || dec.Agreement.ID != carried.ID {
			t.Errorf("gate after carry-over: %+v", dec)
		}
		old, _ := db.Agreement(ctx, admin, zuid.ID)
		if old.Successor != carried.ID {
			t.Errorf("old agreement not linked to successor")
		}
		// Reports before the merger still show Borsbeek, active.
		rep, _ := db.AgreementReport(ctx, d("2024-06-01"), nil, "")
		if st := stateOf(rep, "11007"); st.Status != agreement.Active || st.Name != "Borsbeek" {
			t.Errorf("Borsbeek on 2024-06-01 = %+v", st)
		}
		rep, _ = db.AgreementReport(ctx, d("2025-02-01"), nil, "")
		if st := stateOf(rep, "11002"); st.Status != agreement.Active {
			t.Errorf("Antwerpen on 2025-02-01 = %+v", st)
		}
	})
}

func stateOf(r agreement.Report, nis string) agreement.MunicipalityState {
	for _, m := range r.Municipalities {
		if m.NIS == nis {
			return m
		}
	}
	return agreement.MunicipalityState{}
}

// TestAgreementReportProperty builds random histories (with corrections
// and with events recorded at various times) and checks the as-of report
// against a brute-force replay of every event.
func TestAgreementReportProperty(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		seed := uint64(time.Now().UnixNano())
		rng := rand.New(rand.NewPCG(seed, 7))
		t.Logf("seed %d", seed)
		clock := d("2022-03-01")
		db.Now = func() time.Time { return clock }
		// A team covering 40 municipalities of province Antwerpen.
		var area []string
		for _, m := range db.Municipalities.On(d("2023-01-01"), "flanders") {
			if m.NIS[0] == '1' && m.ValidTo == nil && len(area) < 40 {
				area = append(area, m.NIS)
			}
		}
		if _, err := db.CreateTeam(ctx, admin, org.NewTeam{Key: "team-p", Name: "P", Municipalities: area, From: d("2022-01-01")}); err != nil {
			t.Fatal(err)
		}
		for i, nis := range area {
			if rng.IntN(4) == 0 {
				continue // some never sign up
			}
			day := d("2022-03-01").AddDate(0, 0, rng.IntN(400))
			first := []string{"interested", "draft"}[rng.IntN(2)]
			ag, err := db.CreateAgreement(ctx, admin, agreement.NewAgreement{Team: "team-p", MunicipalityNIS: nis, Status: first, On: day})
			if err != nil {
				t.Fatalf("agreement %d: %v", i, err)
			}
			status := agreement.Status(first)
			for n := rng.IntN(7); n > 0; n-- {
				nexts := agreement.Next(status)
				if len(nexts) == 0 {
					break
				}
				status = nexts[rng.IntN(len(nexts))]
				day = day.AddDate(0, 0, rng.IntN(90))
				clock = clock.Add(time.Duration(rng.IntN(72)) * time.Hour)
				if _, err := db.AddEvent(ctx, admin, ag.ID, step(status, day.Format(time.DateOnly))); err != nil {
					t.Fatalf("event: %v", err)
				}
			}
			if rng.IntN(3) == 0 { // correct the first step's date
				cur, _ := db.Agreement(ctx, admin, ag.ID)
				e := cur.Events[0]
				next := e.EffectiveOn.AddDate(0, 0, 30)
				if len(cur.Events) > 1 {
					next = cur.Events[1].EffectiveOn
				}
				on := e.EffectiveOn.AddDate(0, 0, rng.IntN(int(next.Sub(e.EffectiveOn).Hours()/24)+1))
				clock = clock.Add(48 * time.Hour)
				if _, err := db.AddEvent(ctx, admin, ag.ID, agreement.NewEvent{Corrects: e.ID, EffectiveOn: on.Format(time.DateOnly), Note: "correctie"}); err != nil {
					t.Fatalf("correction: %v", err)
				}
			}
			clock = clock.Add(time.Duration(rng.IntN(240)) * time.Hour)
		}
		all, err := db.Agreements(ctx, admin, agreement.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var events []agreement.Event
		nisOf := map[int64]string{}
		for _, a := range all {
			full, _ := db.Agreement(ctx, admin, a.ID)
			events = append(events, full.Events...)
			nisOf[a.ID] = a.MunicipalityNIS
		}
		for trial := 0; trial < 40; trial++ {
			asOf := d("2022-01-15").AddDate(0, 0, rng.IntN(1100))
			var knownAt *time.Time
			if rng.IntN(2) == 0 {
				k := d("2022-03-01").AddDate(0, 0, rng.IntN(400))
				knownAt = &k
			}
			rep, err := db.AgreementReport(ctx, asOf, knownAt, "")
			if err != nil {
				t.Fatal(err)
			}
			want := bruteForce(events, nisOf, asOf, knownAt)
			for _, m := range rep.Municipalities {
				if w, ok := want[m.NIS]; ok != (m.Status != agreement.None) || (ok && w != m.Status) {
					t.Fatalf("as of %s (known %v): %s is %s, brute force says %q", asOf.Format(time.DateOnly), knownAt, m.NIS, m.Status, w)
				}
			}
			sum := 0
			for _, n := range rep.Counts {
				sum += n
			}
			if sum != rep.Total || rep.Total != len(db.Municipalities.On(asOf, "flanders")) {
				t.Fatalf("counts %v sum to %d, total %d", rep.Counts, sum, rep.Total)
			}
		}
	})
}

// bruteForce replays every event: per agreement, the events recorded by
// knownAt, minus those corrected by then, effective by asOf; the one
// latest in the lifecycle wins; per municipality the most advanced.
func bruteForce(events []agreement.Event, nisOf map[int64]string, asOf time.Time, knownAt *time.Time) map[string]agreement.Status {
	limit := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if knownAt != nil {
		limit = knownAt.AddDate(0, 0, 1)
	}
	visible := func(e agreement.Event) bool { return e.RecordedAt.Before(limit) }
	corrected := map[int64]bool{}
	for _, e := range events {
		if e.Corrects != 0 && visible(e) {
			corrected[e.Corrects] = true
		}
	}
	best := map[int64]agreement.Event{}
	for _, e := range events {
		if !visible(e) || corrected[e.ID] || e.EffectiveOn.After(asOf) {
			continue
		}
		if b, ok := best[e.AgreementID]; !ok || e.Seq > b.Seq || (e.Seq == b.Seq && e.ID > b.ID) {
			best[e.AgreementID] = e
		}
	}
	out := map[string]agreement.Status{}
	for id, e := range best {
		nis := nisOf[id]
		if cur, ok := out[nis]; !ok || e.Status.Rank() > cur.Rank() {
			out[nis] = e.Status
		}
	}
	return out
}

func auditFilter(objectType string, id int64) audit.Filter {
	return audit.Filter{ObjectType: objectType, ObjectID: fmt.Sprint(id)}
}
