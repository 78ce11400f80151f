package store

import (
	"context"
	"slices"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
)

// timelineEvent is one effective (not corrected) step of an agreement.
type timelineEvent struct {
	agreementID int64
	nis         string
	id          int64
	seq         int
	status      agreement.Status
	on          time.Time
}

// timelineState is the step of one agreement in force on the day replayed.
type timelineState struct {
	nis    string
	seq    int
	id     int64
	status agreement.Status
}

// AgreementTimeline returns, for every day given (in any order, each
// taken as its UTC calendar day), the counts of the Flemish report of that
// day: what AgreementReport(day, nil, "flanders") counts, with its AsOf,
// Region, Counts, SignedUp, InForce and Total, but no Municipalities. It
// loads the effective steps once (those not corrected, up to the last
// day) and replays them over the days in Go, instead of one report query
// per day. Public figures: no personal data.
func (db *DB) AgreementTimeline(ctx context.Context, days []time.Time) (out []agreement.Report, err error) {
	defer apperr.Wrap(&err, "store.AgreementTimeline")
	out = make([]agreement.Report, len(days))
	if len(days) == 0 {
		return out, nil
	}
	utc := make([]time.Time, len(days))
	for i, d := range days {
		y, m, dd := d.UTC().Date()
		utc[i] = time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	}
	order := make([]int, len(days))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return utc[i].Compare(utc[j]) })

	events, err := db.timelineEvents(ctx, utc[order[len(order)-1]])
	if err != nil {
		return nil, err
	}
	// The step of an agreement in force on a day is, as in
	// effectiveEventSQL, its latest (by seq, then id) effective step dated
	// on or before that day. The steps come by date, so walking the days in
	// increasing order only ever adds candidates.
	states := map[int64]*timelineState{}
	next := 0
	flanders := db.flandersOn()
	for _, i := range order {
		d := utc[i]
		for ; next < len(events) && !events[next].on.After(d); next++ {
			e := events[next]
			s := states[e.agreementID]
			if s == nil {
				s = &timelineState{nis: e.nis}
				states[e.agreementID] = s
			} else if e.seq < s.seq || (e.seq == s.seq && e.id < s.id) {
				continue
			}
			s.seq, s.id, s.status = e.seq, e.id, e.status
		}
		// Per municipality the most advanced agreement counts. Rank gives
		// every status its own value, so the tie-break of AgreementReport
		// (the earliest step, then the lowest id) picks an agreement, never
		// another status.
		best := make(map[string]agreement.Status, len(states))
		for _, s := range states {
			if b, ok := best[s.nis]; !ok || s.status.Rank() > b.Rank() {
				best[s.nis] = s.status
			}
		}
		r := agreement.Report{AsOf: day(d), Region: "flanders", Counts: make(map[agreement.Status]int, len(agreement.ReportStatuses))}
		for _, st := range agreement.ReportStatuses {
			r.Counts[st] = 0
		}
		for _, m := range flanders(d) {
			st, ok := best[m.NIS]
			if !ok {
				st = agreement.None
			}
			r.Counts[st]++
			if st.SignedUp() {
				r.SignedUp++
			}
			if st.InForce() {
				r.InForce++
			}
			r.Total++
		}
		out[i] = r
	}
	return out, nil
}

// timelineEvents loads, by effective date, every step effective on or
// before last that no correction replaced, with its agreement's
// municipality. Corrections count whatever their own date: a corrected
// step is gone on every day, as in effectiveEventSQL.
func (db *DB) timelineEvents(ctx context.Context, last time.Time) ([]timelineEvent, error) {
	out, err := queryList(ctx, db.read, func(row rowScanner) (timelineEvent, error) {
		var e timelineEvent
		var st string
		var on timeCol
		err := row.Scan(&e.agreementID, &e.nis, &e.id, &e.seq, &st, &on)
		e.status, e.on = agreement.Status(st), on.T
		return e, err
	}, `SELECT e.agreement_id, a.municipality_nis, e.id, e.seq, e.status, e.effective_on
		FROM agreement_events e JOIN agreements a ON a.id = e.agreement_id
		WHERE e.effective_on <= $1 AND NOT EXISTS (SELECT 1 FROM agreement_events c WHERE c.corrects_id = e.id)
		ORDER BY e.effective_on, e.id`, day(last))
	return nilIfEmpty(out), err
}
