package outreach

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"kansrijk/internal/agreement"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// naiveStage restates the rules in the simplest way, independent of the
// package's helpers: its own rank and mapping tables.
func naiveStage(f Facts, d time.Time) Stage {
	rank := map[agreement.Status]int{agreement.Active: 8, agreement.Suspended: 7, agreement.Signed: 6, agreement.Approved: 5,
		agreement.Draft: 4, agreement.Interested: 3, agreement.Ended: 2, agreement.Withdrawn: 1}
	toStage := map[agreement.Status]Stage{agreement.Interested: SignedUp, agreement.Draft: Drafting, agreement.Approved: Approved,
		agreement.Signed: Signed, agreement.Active: Active, agreement.Suspended: Signed, agreement.Ended: Ended}
	var best agreement.Status
	for _, h := range f.Agreements {
		if !h.Until.IsZero() && (d.Equal(h.Until) || d.After(h.Until)) {
			continue
		}
		var st agreement.Status
		for _, s := range h.Steps {
			if s.On.Before(d) || s.On.Equal(d) {
				st = s.Status
			}
		}
		if st != "" && rank[st] > rank[best] {
			best = st
		}
	}
	if s, ok := toStage[best]; ok {
		return s
	}
	for _, m := range f.ContactMoments {
		if !m.After(d) {
			return InConversation
		}
	}
	for _, t := range f.Touchpoints {
		if !t.After(d) {
			return Informed
		}
	}
	return NotInformed
}

var base = day("2021-06-01")

func randDay(rng *rand.Rand) time.Time { return base.AddDate(0, 0, rng.IntN(1800)) }

// randomFacts builds a random history: touchpoints, contact moments and up
// to three agreements following the lifecycle with non-decreasing dates,
// some of them ending at a merger day.
func randomFacts(rng *rand.Rand) Facts {
	var f Facts
	for n := rng.IntN(5); n > 0; n-- {
		f.Touchpoints = append(f.Touchpoints, randDay(rng))
	}
	for n := rng.IntN(4); n > 0; n-- {
		f.ContactMoments = append(f.ContactMoments, randDay(rng))
	}
	for n := rng.IntN(4); n > 0; n-- {
		h := AgreementHistory{ID: int64(n)}
		on := randDay(rng)
		st := []agreement.Status{agreement.Interested, agreement.Draft}[rng.IntN(2)]
		h.Steps = append(h.Steps, AgreementStep{On: on, Status: st})
		for k := rng.IntN(7); k > 0; k-- {
			nexts := agreement.Next(st)
			if len(nexts) == 0 {
				break
			}
			st = nexts[rng.IntN(len(nexts))]
			on = on.AddDate(0, 0, rng.IntN(120))
			h.Steps = append(h.Steps, AgreementStep{On: on, Status: st})
		}
		if rng.IntN(4) == 0 {
			h.Until = day("2025-01-01")
		}
		f.Agreements = append(f.Agreements, h)
	}
	return f
}

func TestStageProperty(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 11))
	t.Logf("seed %d", seed)
	for trial := 0; trial < 300; trial++ {
		f := randomFacts(rng)
		to := randDay(rng)
		spans := History(f, to)
		// The history is well-formed.
		if spans[0].Stage != NotInformed || !spans[0].From.IsZero() || !spans[len(spans)-1].To.IsZero() {
			t.Fatalf("trial %d: history %+v must start not_informed from zero and end open", trial, spans)
		}
		for i := 1; i < len(spans); i++ {
			if !spans[i-1].To.Equal(spans[i].From) || spans[i-1].Stage == spans[i].Stage || !spans[i].From.After(spans[i-1].From) || spans[i].From.After(to) {
				t.Fatalf("trial %d: spans %d and %d do not follow each other: %+v", trial, i-1, i, spans)
			}
		}
		// Every day agrees with the naive rules, and with the span holding it.
		j := 0
		for d := base.AddDate(0, 0, -10); !d.After(to); d = d.AddDate(0, 0, 1) {
			want := naiveStage(f, d)
			if got := StageOn(f, d); got != want {
				t.Fatalf("trial %d: StageOn(%s) = %s, naive %s; facts %+v", trial, d.Format(time.DateOnly), got, want, f)
			}
			for j+1 < len(spans) && !d.Before(spans[j+1].From) {
				j++
			}
			if spans[j].Stage != want {
				t.Fatalf("trial %d: on %s the history says %s, naive %s", trial, d.Format(time.DateOnly), spans[j].Stage, want)
			}
		}
		// Days per stage add up to the days since the decree.
		sum := 0
		for _, n := range DaysPerStage(spans, to) {
			sum += n
		}
		if want := max(0, int(to.Sub(Origin).Hours()/24)); sum != want {
			t.Fatalf("trial %d: days per stage sum to %d, want %d", trial, sum, want)
		}
		// Without agreements, more facts never lower the stage.
		if len(f.Agreements) == 0 {
			g := f.Union(Facts{Touchpoints: []time.Time{randDay(rng)}, ContactMoments: []time.Time{randDay(rng)}})
			d := randDay(rng)
			if StageOn(g, d).Order() < StageOn(f, d).Order() {
				t.Fatalf("trial %d: adding facts lowered the stage on %s", trial, d)
			}
		}
		// A predecessor's agreements stop counting on the merger day.
		merger := day("2025-01-01")
		if st, _ := AgreementStatus(f.Until(merger), merger.AddDate(0, 0, rng.IntN(300))); st != agreement.None {
			t.Fatalf("trial %d: an agreement counts after Until: %s", trial, st)
		}
	}
}

func TestStageRules(t *testing.T) {
	steps := func(pairs ...string) AgreementHistory {
		var h AgreementHistory
		for i := 0; i < len(pairs); i += 2 {
			h.Steps = append(h.Steps, AgreementStep{On: day(pairs[i]), Status: agreement.Status(pairs[i+1])})
		}
		return h
	}
	news := Facts{Touchpoints: []time.Time{day("2023-01-15")}}
	talk := news.Union(Facts{ContactMoments: []time.Time{day("2023-05-02")}})
	for _, tc := range []struct {
		name string
		f    Facts
		on   string
		want Stage
	}{
		{"nothing", Facts{}, "2024-01-01", NotInformed},
		{"before the newsletter", news, "2023-01-14", NotInformed},
		{"newsletter", news, "2023-01-15", Informed},
		{"contact moment", talk, "2023-05-02", InConversation},
		{"contact without campaign", Facts{ContactMoments: []time.Time{day("2023-05-02")}}, "2023-06-01", InConversation},
		{"interested", talk.Union(Facts{Agreements: []AgreementHistory{steps("2023-09-01", "interested")}}), "2023-09-01", SignedUp},
		{"draft", Facts{Agreements: []AgreementHistory{steps("2023-09-01", "interested", "2023-10-01", "draft")}}, "2023-10-01", Drafting},
		{"approved", Facts{Agreements: []AgreementHistory{steps("2023-09-01", "draft", "2023-10-01", "approved")}}, "2024-01-01", Approved},
		{"signed", Facts{Agreements: []AgreementHistory{steps("2023-09-01", "draft", "2023-10-01", "approved", "2023-11-01", "signed")}}, "2024-01-01", Signed},
		{"active", Facts{Agreements: []AgreementHistory{steps("2023-09-01", "draft", "2023-10-01", "approved", "2023-11-01", "signed", "2023-12-01", "active")}}, "2024-01-01", Active},
		{"suspended is signed, not in force", Facts{Agreements: []AgreementHistory{steps("2023-09-01", "draft", "2023-10-01", "approved", "2023-11-01", "signed", "2023-12-01", "active", "2024-02-01", "suspended")}}, "2024-03-01", Signed},
		{"ended", Facts{Agreements: []AgreementHistory{steps("2023-09-01", "draft", "2023-10-01", "approved", "2023-11-01", "signed", "2023-12-01", "active", "2024-02-01", "ended")}}, "2024-03-01", Ended},
		{"withdrawn falls back", talk.Union(Facts{Agreements: []AgreementHistory{steps("2023-09-01", "interested", "2023-10-01", "withdrawn")}}), "2023-10-01", InConversation},
		{"withdrawn without outreach", Facts{Agreements: []AgreementHistory{steps("2023-09-01", "interested", "2023-10-01", "withdrawn")}}, "2023-10-01", NotInformed},
		{"a new sign-up after an end", Facts{Agreements: []AgreementHistory{
			steps("2023-09-01", "draft", "2023-10-01", "approved", "2023-11-01", "signed", "2024-01-01", "ended"), steps("2024-06-01", "interested")}}, "2024-07-01", SignedUp},
		{"predecessor's agreement until the merger", talk.Union(Facts{Agreements: []AgreementHistory{steps("2023-09-01", "interested")}}.Until(day("2025-01-01"))), "2024-12-31", SignedUp},
		{"predecessor's agreement after the merger", talk.Union(Facts{Agreements: []AgreementHistory{steps("2023-09-01", "interested")}}.Until(day("2025-01-01"))), "2025-01-01", InConversation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := StageOn(tc.f, day(tc.on)); got != tc.want {
				t.Errorf("StageOn(%s) = %s, want %s", tc.on, got, tc.want)
			}
		})
	}
}

func TestHistoryAndFunnel(t *testing.T) {
	asOf := day("2024-06-01")
	f := Facts{
		Touchpoints:    []time.Time{day("2023-01-15"), day("2023-03-01")},
		ContactMoments: []time.Time{day("2023-05-01")},
		Agreements: []AgreementHistory{{Steps: []AgreementStep{
			{On: day("2023-09-01"), Status: agreement.Interested}, {On: day("2023-10-01"), Status: agreement.Draft}}}},
	}
	spans := History(f, asOf)
	want := []Span{{NotInformed, time.Time{}, day("2023-01-15")}, {Informed, day("2023-01-15"), day("2023-05-01")},
		{InConversation, day("2023-05-01"), day("2023-09-01")}, {SignedUp, day("2023-09-01"), day("2023-10-01")}, {Drafting, day("2023-10-01"), time.Time{}}}
	if fmt.Sprint(spans) != fmt.Sprint(want) {
		t.Fatalf("history\n got %v\nwant %v", spans, want)
	}
	days := DaysPerStage(spans, asOf)
	if days[Informed] != 106 || days[SignedUp] != 30 || days[Drafting] != 244 {
		t.Errorf("days per stage %v", days)
	}
	other := History(Facts{Touchpoints: []time.Time{day("2023-01-15")}}, asOf)
	never := History(Facts{}, asOf)
	g := Funnel("all", "", [][]Span{spans, other, never}, asOf)
	if g.Total != 3 || g.Rows[0].Reached != 3 || g.Rows[1].Reached != 2 || g.Rows[2].Reached != 1 || g.Rows[4].Reached != 1 || g.Rows[5].Reached != 0 {
		t.Fatalf("funnel %+v", g.Rows)
	}
	if c := g.Rows[1].Conversion; c == nil || *c != 0.5 {
		t.Errorf("conversion informed → in_conversation = %v, want 0.5", c)
	}
	if g.Rows[5].Conversion != nil || g.Rows[7].Conversion != nil {
		t.Errorf("conversion of an unreached stage and of active must be null")
	}
	if m := g.Rows[1].MedianDays; m == nil || *m != 106 || g.Rows[1].Completed != 1 || g.Rows[1].Current != 1 {
		t.Errorf("informed: median %v completed %d current %d", m, g.Rows[1].Completed, g.Rows[1].Current)
	}
	sum := 0
	for _, r := range g.Rows {
		sum += r.Current
	}
	if sum != 3 {
		t.Errorf("current sums to %d", sum)
	}
}

func TestCheckContact(t *testing.T) {
	for _, tc := range []struct {
		name, email, phone string
		ok                 bool
	}{
		{"An Peeters", "an.peeters@hulshout.be", "", true},
		{"An Peeters", "", "+32 15 22 40 11", true},
		{"An Peeters", "AN@Hulshout.be ", "015/22.40.11", true},
		{"", "an@hulshout.be", "", false},
		{"An", "", "", false},
		{"An", "not-an-email", "", false},
		{"An", "", "call me", false},
		{"An", "", "123", false},
	} {
		n, e, p := tc.name, tc.email, tc.phone
		err := CheckContact(&n, &e, &p)
		if (err == nil) != tc.ok {
			t.Errorf("CheckContact(%q, %q, %q) = %v, want ok %v", tc.name, tc.email, tc.phone, err, tc.ok)
		}
		if err == nil && e != "" && e != "an.peeters@hulshout.be" && e != "an@hulshout.be" {
			t.Errorf("e-mail not normalised: %q", e)
		}
	}
}
