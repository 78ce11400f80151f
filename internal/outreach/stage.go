package outreach

import (
	"slices"
	"sort"
	"time"

	"kansrijk/internal/agreement"
)

// Stage is where a local government stands on the path to an agreement.
// It is derived from the facts (StageOn), never recorded.
type Stage string

// The stages, in funnel order.
//
// The rules (StageOn), for a municipality on a day D, over the facts dated
// on or before D:
//
//   - The agreement comes first. The municipality's agreement status on D
//     is the one the agreements report gives (the replayed history; with
//     several agreements the most advanced, agreement.Status.Rank):
//     interested → signed_up, draft → drafting, approved → approved,
//     signed → signed, active → active, ended → ended.
//   - active means in force (agreement.Status.InForce), the one definition
//     the agreements report counts too; a suspended agreement is signed but
//     not in force, so it counts as signed. The agreements report and the
//     funnel then give the same number of agreements in force on a day.
//   - withdrawn, or no agreement at all, falls back to the outreach stage:
//     in_conversation once any contact moment took place, else informed
//     once any campaign reached the municipality (a touchpoint: audience
//     of a newsletter, mailing, webinar, information session or visit, a
//     hand-picked list, a registration or attendance), else not_informed.
//   - A municipality formed by the 2025 mergers carries its predecessors'
//     facts (the union), except that a predecessor's agreement stops
//     counting on the merger day: the old OCMW ended then, and only an
//     agreement carried over to (or made with) the successor's OCMW counts
//     from that day. Municipalities that kept their code (Antwerpen)
//     simply add their predecessors' facts to their own.
const (
	NotInformed    Stage = "not_informed"
	Informed       Stage = "informed"
	InConversation Stage = "in_conversation"
	SignedUp       Stage = "signed_up"
	Drafting       Stage = "drafting"
	Approved       Stage = "approved"
	Signed         Stage = "signed"
	Active         Stage = "active"
	Ended          Stage = "ended"
)

// Stages lists the stages in funnel order.
var Stages = []Stage{NotInformed, Informed, InConversation, SignedUp, Drafting, Approved, Signed, Active, Ended}

// Order is the position of s in the funnel (-1 for an unknown stage).
func (s Stage) Order() int { return slices.Index(Stages, s) }

// Origin is the decree of 4 February 2022: the time a municipality spent
// not informed is counted from then.
var Origin = time.Date(2022, 2, 4, 0, 0, 0, 0, time.UTC)

// AgreementStep is one effective (not corrected) step of an agreement.
type AgreementStep struct {
	On     time.Time
	Status agreement.Status
}

// AgreementHistory is one agreement's steps in lifecycle order (by seq).
// From Until on (when set) it no longer counts for the municipality: a
// predecessor's agreement after the merger.
type AgreementHistory struct {
	ID    int64
	Steps []AgreementStep
	Until time.Time
}

// StatusOn returns the agreement's status on day (the latest step in
// lifecycle order effective by then) and since when, or false.
func (h AgreementHistory) StatusOn(day time.Time) (agreement.Status, time.Time, bool) {
	if !h.Until.IsZero() && !day.Before(h.Until) {
		return agreement.None, time.Time{}, false
	}
	best := -1
	for i, s := range h.Steps {
		if !s.On.After(day) {
			best = i
		}
	}
	if best < 0 {
		return agreement.None, time.Time{}, false
	}
	return h.Steps[best].Status, h.Steps[best].On, true
}

// Facts are what is known about one municipality: the days campaigns
// reached it, the days of contact moments, and its agreements.
type Facts struct {
	Touchpoints    []time.Time
	ContactMoments []time.Time
	Agreements     []AgreementHistory
}

// Union returns the facts of f and others together (a merged municipality
// and its predecessors).
func (f Facts) Union(others ...Facts) Facts {
	out := Facts{
		Touchpoints:    slices.Clone(f.Touchpoints),
		ContactMoments: slices.Clone(f.ContactMoments),
		Agreements:     slices.Clone(f.Agreements),
	}
	for _, o := range others {
		out.Touchpoints = append(out.Touchpoints, o.Touchpoints...)
		out.ContactMoments = append(out.ContactMoments, o.ContactMoments...)
		out.Agreements = append(out.Agreements, o.Agreements...)
	}
	return out
}

// Until returns f with every agreement counting only before day (for a
// predecessor's facts carried into its successor).
func (f Facts) Until(day time.Time) Facts {
	out := f
	out.Agreements = make([]AgreementHistory, len(f.Agreements))
	for i, h := range f.Agreements {
		if h.Until.IsZero() || day.Before(h.Until) {
			h.Until = day
		}
		out.Agreements[i] = h
	}
	return out
}

// AgreementStatus returns the municipality's agreement status on day, as
// the agreements report gives it: the most advanced of its agreements
// (ties: the one in that status longest), and since when.
func AgreementStatus(f Facts, day time.Time) (agreement.Status, time.Time) {
	best, since := agreement.None, time.Time{}
	for _, h := range f.Agreements {
		st, on, ok := h.StatusOn(day)
		if !ok {
			continue
		}
		if best == agreement.None || st.Rank() > best.Rank() || (st.Rank() == best.Rank() && on.Before(since)) {
			best, since = st, on
		}
	}
	return best, since
}

// FromAgreement maps an agreement status to its stage; false for none and
// withdrawn (the outreach stage applies).
func FromAgreement(s agreement.Status) (Stage, bool) {
	switch s {
	case agreement.Interested:
		return SignedUp, true
	case agreement.Draft:
		return Drafting, true
	case agreement.Approved:
		return Approved, true
	case agreement.Signed, agreement.Suspended:
		return Signed, true
	case agreement.Active:
		return Active, true
	case agreement.Ended:
		return Ended, true
	}
	return "", false
}

// StageOn derives the stage of a municipality on day from its facts (see
// the rules at Stage). It is pure: the same facts give the same stage.
func StageOn(f Facts, day time.Time) Stage {
	st, _ := AgreementStatus(f, day)
	if s, ok := FromAgreement(st); ok {
		return s
	}
	for _, d := range f.ContactMoments {
		if !d.After(day) {
			return InConversation
		}
	}
	for _, d := range f.Touchpoints {
		if !d.After(day) {
			return Informed
		}
	}
	return NotInformed
}

// LastOnOrBefore returns the latest of days on or before day, or false.
func LastOnOrBefore(days []time.Time, day time.Time) (time.Time, bool) {
	var last time.Time
	ok := false
	for _, d := range days {
		if !d.After(day) && (!ok || d.After(last)) {
			last, ok = d, true
		}
	}
	return last, ok
}

// Span is a stay in one stage: from From (zero: since before any fact)
// until To (exclusive; zero: still there).
type Span struct {
	Stage Stage
	From  time.Time
	To    time.Time
}

// changePoints are the days on which the stage may change.
func (f Facts) changePoints() []time.Time {
	var out []time.Time
	out = append(out, f.Touchpoints...)
	out = append(out, f.ContactMoments...)
	for _, h := range f.Agreements {
		for _, s := range h.Steps {
			out = append(out, s.On)
		}
		if !h.Until.IsZero() {
			out = append(out, h.Until)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
}

// History returns the stays of the municipality up to and including day
// to, oldest first. The first starts with the zero time (before any fact,
// every municipality is not_informed); the last is open (To zero).
func History(f Facts, to time.Time) []Span {
	spans := []Span{{Stage: NotInformed}}
	for _, d := range f.changePoints() {
		if d.After(to) {
			break
		}
		s := StageOn(f, d)
		if last := &spans[len(spans)-1]; s != last.Stage {
			last.To = d
			spans = append(spans, Span{Stage: s, From: d})
		}
	}
	return spans
}

// Days returns the whole days of a stay up to asOf; a stay from the zero
// time is counted from Origin.
func (s Span) Days(asOf time.Time) int {
	from, to := s.From, s.To
	if from.IsZero() || from.Before(Origin) {
		from = Origin
	}
	if to.IsZero() || to.After(asOf) {
		to = asOf
	}
	if !to.After(from) {
		return 0
	}
	return int(to.Sub(from).Hours()/24 + 0.5)
}

// DaysPerStage sums the days of every stay per stage up to asOf.
func DaysPerStage(spans []Span, asOf time.Time) map[Stage]int {
	out := map[Stage]int{}
	for _, s := range spans {
		if n := s.Days(asOf); n > 0 {
			out[s.Stage] += n
		}
	}
	return out
}

// FunnelRow is one stage of a funnel.
type FunnelRow struct {
	Stage Stage `json:"stage"`
	// Reached counts the municipalities that were at this stage or a later
	// one (in funnel order) at some time up to as_of: stages may be skipped.
	Reached int `json:"reached"`
	// Current counts those at this stage on as_of.
	Current int `json:"current"`
	// Conversion is the share of Reached that also reached the next stage
	// (null for active and ended, and when none reached this stage).
	Conversion *float64 `json:"conversion"`
	// Completed counts the stays in this stage that ended by as_of;
	// MedianDays is their median length (null without any).
	Completed  int      `json:"completed"`
	MedianDays *float64 `json:"median_days"`
}

// FunnelGroup is the funnel of a group of municipalities (all of them, a
// province, a team's area).
type FunnelGroup struct {
	Group string      `json:"group"` // all, province, team
	Key   string      `json:"key"`   // the province name or team key ("" for all, or no team)
	Total int         `json:"total"`
	Rows  []FunnelRow `json:"rows"`
}

// Funnel computes the funnel of the histories (one per municipality) on
// asOf.
func Funnel(group, key string, histories [][]Span, asOf time.Time) FunnelGroup {
	g := FunnelGroup{Group: group, Key: key, Total: len(histories)}
	reached := make([]int, len(Stages))
	current := make([]int, len(Stages))
	stays := make([][]int, len(Stages))
	for _, h := range histories {
		if len(h) == 0 {
			continue
		}
		maxOrder := 0
		for _, s := range h {
			o := s.Stage.Order()
			maxOrder = max(maxOrder, o)
			if !s.To.IsZero() && !s.To.After(asOf) {
				stays[o] = append(stays[o], s.Days(s.To))
			}
		}
		for o := 0; o <= maxOrder; o++ {
			reached[o]++
		}
		current[h[len(h)-1].Stage.Order()]++
	}
	for o, st := range Stages {
		row := FunnelRow{Stage: st, Reached: reached[o], Current: current[o], Completed: len(stays[o])}
		if st.Order() < Active.Order() && reached[o] > 0 {
			c := float64(reached[o+1]) / float64(reached[o])
			row.Conversion = &c
		}
		if m, ok := median(stays[o]); ok {
			row.MedianDays = &m
		}
		g.Rows = append(g.Rows, row)
	}
	return g
}

func median(xs []int) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2]), true
	}
	return float64(s[n/2-1]+s[n/2]) / 2, true
}

// MunicipalityStage is one row of the outreach report.
type MunicipalityStage struct {
	NIS      string `json:"nis"`
	Name     string `json:"name"`
	Province string `json:"province"`
	Team     string `json:"team"`
	Stage    Stage  `json:"stage"`
	// Since is the first day of the current stay (YYYY-MM-DD), "" when the
	// municipality was never reached.
	Since           string           `json:"since"`
	AgreementStatus agreement.Status `json:"agreement_status"`
	// LastContact is the day of the latest contact moment, "" without.
	LastContact      string `json:"last_contact"`
	DaysSinceContact *int   `json:"days_since_contact"`
	// LastTouchpoint is the latest day a campaign reached it, "" without.
	LastTouchpoint string `json:"last_touchpoint"`
	// StageDays are the days spent in each stage up to as_of (the
	// not_informed days counted from the decree of 4 February 2022).
	StageDays map[Stage]int `json:"stage_days"`
	// Spans are the stays behind StageDays, oldest first (History), for a
	// municipality's page; not part of the report's JSON.
	Spans []Span `json:"-"`
	// Predecessors lists the codes whose facts this municipality carries
	// (the 2025 mergers).
	Predecessors []string `json:"predecessors,omitempty"`
}

// Report is the outreach stage of every Flemish municipality on a day.
type Report struct {
	AsOf   string        `json:"as_of"`
	Counts map[Stage]int `json:"counts"`
	// Informed counts the municipalities reached at least once (every
	// stage but not_informed).
	Informed       int                 `json:"informed"`
	Total          int                 `json:"total"`
	Municipalities []MunicipalityStage `json:"municipalities"`
	// Funnel holds the funnel of all municipalities, then per province and
	// per team (by the areas on as_of).
	Funnel []FunnelGroup `json:"funnel"`
}
