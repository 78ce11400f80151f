package outcome

import (
	"slices"
	"sort"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/referral"
	"kansrijk/internal/suppress"
)

// The groupings of a report.
const (
	GroupMonth        = "month"
	GroupMunicipality = "municipality"
	GroupProvince     = "province"
	GroupTeam         = "team"
)

// Groupings lists the groupings in the order of the period control.
var Groupings = []string{GroupMonth, GroupMunicipality, GroupProvince, GroupTeam}

// SettleDays is how long after a quarter has ended its counts wait before they are published
// outside an organisation's own view: contacts and outcomes of a quarter's referrals keep
// coming in, and a published quarter should not change (see internal/suppress).
const SettleDays = 30

// CanRead reports whether a role sees the outcome dashboards: Opgroeien's admins and analysts,
// a team lead (its team) and an OCMW's workers and admins (its own referrals).
func CanRead(a account.Actor) bool {
	switch a.Role {
	case account.Admin, account.Analyst, account.TeamLead, account.OCMWWorker, account.OCMWAdmin:
		return true
	}
	return false
}

// Protected reports whether the actor's view lies outside its own organisation, so that every
// count goes through suppress publication: Opgroeien's admins and analysts see all teams and
// OCMWs. A team lead sees its own team's referrals and an OCMW its own, unsuppressed: these
// are the organisation's own cases, which it already sees one by one.
func Protected(a account.Actor) bool { return a.Role == account.Admin || a.Role == account.Analyst }

// Forbidden is the error for a role without the dashboards.
func Forbidden() error {
	return apperr.New(apperr.Forbidden, "the outcome dashboards are for Opgroeien, analysts, team leads and OCMWs").WithKey("error.forbidden", nil)
}

// The base measures of a report row, in column order; then one per outcome code
// (OutcomePrefix+code) and one per right (RightPrefix+code).
var baseMeasures = []string{"drafted", "consent_refused", "sent", "not_sent_no_agreement", "received", "contact_attempted",
	"reached", "not_reachable", "withdrawn", "deleted", "within_target", "past_target", "births", "births_contacted_14"}

// Prefixes of the measures per outcome code and per right.
const (
	OutcomePrefix = "outcome_"
	RightPrefix   = "right_"
)

// OutcomeCodes are the outcome codes counted: the OCMW's outcomes and the family's withdrawal.
var OutcomeCodes = append(slices.Clone(referral.Outcomes), referral.OutcomeWithdrawnFamily)

// Measures lists every measure of a report row, in column order.
func Measures() []string {
	out := slices.Clone(baseMeasures)
	for _, o := range OutcomeCodes {
		out = append(out, OutcomePrefix+o)
	}
	for _, r := range referral.Rights {
		out = append(out, RightPrefix+r)
	}
	return out
}

// Value is the count of measure m in c.
func Value(c Counts, m string) int {
	switch m {
	case "drafted":
		return c.Drafted
	case "consent_refused":
		return c.ConsentRefused
	case "sent":
		return c.Sent
	case "not_sent_no_agreement":
		return c.NotSentNoAgreement
	case "received":
		return c.Received
	case "contact_attempted":
		return c.ContactAttempted
	case "reached":
		return c.Reached
	case "not_reachable":
		return c.NotReachable
	case "withdrawn":
		return c.Withdrawn
	case "deleted":
		return c.Deleted
	case "within_target":
		return c.WithinTarget
	case "past_target":
		return c.PastTarget
	case "births":
		return c.Births
	case "births_contacted_14":
		return c.BirthsContacted14
	}
	if k, ok := cutPrefix(m, OutcomePrefix); ok {
		return c.Outcomes[k]
	}
	if k, ok := cutPrefix(m, RightPrefix); ok {
		return c.Rights[k]
	}
	return 0
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return s, false
}

// Row is one group of a report as it may be shown: every measure (suppressed and rounded in a
// protected report), the shares computed from the shown counts, and the medians and 90th
// percentiles of days, hidden (nil) when the count they describe is suppressed or below the
// threshold in a protected report.
type Row struct {
	Key                    string                   `json:"key"`
	Counts                 map[string]suppress.Cell `json:"counts"`
	ReachRate              *float64                 `json:"reach_rate"`
	WithinTargetShare      *float64                 `json:"within_target_share"`
	BirthsContacted14Share *float64                 `json:"births_contacted_14_share"`
	MedianDaysFirstContact *int                     `json:"median_days_to_first_contact"`
	P90DaysFirstContact    *int                     `json:"p90_days_to_first_contact"`
	MedianDaysOutcome      *int                     `json:"median_days_to_outcome"`
	P90DaysOutcome         *int                     `json:"p90_days_to_outcome"`
}

// Shown is the shown value of measure m and whether it is shown (not suppressed).
func (r Row) Shown(m string) (int, bool) {
	c := r.Counts[m]
	return c.Value, !c.Suppressed
}

// Report is the outcome dashboard of a period: one row per group, one per month (the trend)
// and the total.
type Report struct {
	From      string `json:"from"` // "2006-01", first month
	To        string `json:"to"`   // last month
	Group     string `json:"group"`
	Protected bool   `json:"protected"`
	Rows      []Row  `json:"groups"`
	Months    []Row  `json:"months"`
	Total     Row    `json:"total"`
}

// Build makes the report of cells over months (the first days of consecutive months; the cells'
// months must lie among them), grouped by keyOf. A protected report publishes every count as
// internal/suppress prescribes: months must then be whole calendar quarters; per measure, the
// table of groups × months (for the grouping by month: municipalities × months) is protected
// per quarter by suppress.ByQuarter, and the rows, months and total shown are its published
// totals; the months and the total always come from the table of municipalities × months, so
// that they are the same in every grouping. An unprotected report shows the exact sums.
func Build(cells []Cell, months []time.Time, group string, keyOf func(Cell) string, protect bool) Report {
	rep := Report{Group: group, Protected: protect}
	if len(months) > 0 {
		rep.From, rep.To = months[0].Format("2006-01"), months[len(months)-1].Format("2006-01")
	}
	col := map[string]int{}
	for j, m := range months {
		col[m.Format("2006-01")] = j
	}
	// The exact sums: per group, per month, in all.
	groups := GroupBy(cells, keyOf)
	perMonth := make([]Total, len(months))
	for _, c := range cells {
		if j, ok := col[c.Month]; ok {
			perMonth[j].Add(c)
		}
	}
	total := Sum(cells)
	if group == GroupMonth {
		groups = nil
		for j, m := range months {
			groups = append(groups, Group{Key: m.Format("2006-01"), Total: perMonth[j]})
		}
	}
	rep.Rows = make([]Row, len(groups))
	rep.Months = make([]Row, len(months))
	for i, g := range groups {
		rep.Rows[i] = Row{Key: g.Key, Counts: map[string]suppress.Cell{}}
	}
	for j, m := range months {
		rep.Months[j] = Row{Key: m.Format("2006-01"), Counts: map[string]suppress.Cell{}}
	}
	rep.Total = Row{Counts: map[string]suppress.Cell{}}
	// A protected report: per measure, the table of municipalities × months gives the months
	// and the total (whatever the grouping, so that they are the same numbers in every
	// grouping), and the table of groups × months the rows of another grouping.
	base := newTable(cells, ByMunicipality, months, col)
	var byGroup *table
	if group != GroupMonth {
		byGroup = newTable(cells, keyOf, months, col)
	}
	for _, m := range Measures() {
		if !protect {
			for i, g := range groups {
				rep.Rows[i].Counts[m] = suppress.Cell{Value: Value(g.Counts, m)}
			}
			for j := range months {
				rep.Months[j].Counts[m] = suppress.Cell{Value: Value(perMonth[j].Counts, m)}
			}
			rep.Total.Counts[m] = suppress.Cell{Value: Value(total.Counts, m)}
			continue
		}
		_, _, colTot, grand := suppress.ByQuarter(base.counts(cells, m), months)
		for j := range months {
			rep.Months[j].Counts[m] = colTot[j]
		}
		rep.Total.Counts[m] = grand
		if byGroup == nil {
			for i := range groups {
				rep.Rows[i].Counts[m] = colTot[i]
			}
			continue
		}
		_, rowTot, _, _ := suppress.ByQuarter(byGroup.counts(cells, m), months)
		for i, g := range groups {
			rep.Rows[i].Counts[m] = rowTot[byGroup.idx[g.Key]]
		}
	}
	for i, g := range groups {
		finish(&rep.Rows[i], g.Total, protect)
	}
	for j := range months {
		finish(&rep.Months[j], perMonth[j], protect)
	}
	finish(&rep.Total, total, protect)
	return rep
}

// table is the rows × months layout of a protected table: rows are the keys present in the
// cells, sorted (an order that does not depend on the window).
type table struct {
	key    func(Cell) string
	idx    map[string]int
	n      int
	col    map[string]int
	months int
}

func newTable(cells []Cell, key func(Cell) string, months []time.Time, col map[string]int) *table {
	t := &table{key: key, idx: map[string]int{}, col: col, months: len(months)}
	var keys []string
	for _, c := range cells {
		if _, ok := t.idx[key(c)]; !ok {
			t.idx[key(c)] = 0
			keys = append(keys, key(c))
		}
	}
	sort.Strings(keys)
	for i, k := range keys {
		t.idx[k] = i
	}
	t.n = len(keys)
	return t
}

// counts is the table of measure m.
func (t *table) counts(cells []Cell, m string) [][]int {
	out := make([][]int, t.n)
	for i := range out {
		out[i] = make([]int, t.months)
	}
	for _, c := range cells {
		if j, ok := t.col[c.Month]; ok {
			out[t.idx[t.key(c)]][j] += Value(c.Counts, m)
		}
	}
	return out
}

// finish adds the shares and the days of a row.
func finish(r *Row, t Total, protect bool) {
	share := func(num, den string) *float64 {
		n, okN := r.Shown(num)
		d, okD := r.Shown(den)
		if !okN || !okD || d == 0 {
			return nil
		}
		v := float64(n) / float64(d)
		return &v
	}
	r.ReachRate = share("reached", "sent")
	r.BirthsContacted14Share = share("births_contacted_14", "births")
	if w, okW := r.Shown("within_target"); okW {
		if p, okP := r.Shown("past_target"); okP && w+p > 0 {
			v := float64(w) / float64(w+p)
			r.WithinTargetShare = &v
		}
	}
	days := func(list []int, base string, p float64) *int {
		if protect {
			if _, ok := r.Shown(base); !ok || len(list) < suppress.DefaultThreshold {
				return nil
			}
		}
		v, ok := Percentile(list, p)
		if !ok {
			return nil
		}
		return &v
	}
	r.MedianDaysFirstContact = days(t.DaysToFirstContact, "contact_attempted", 50)
	r.P90DaysFirstContact = days(t.DaysToFirstContact, "contact_attempted", 90)
	r.MedianDaysOutcome = days(t.DaysToOutcome, "sent", 50)
	r.P90DaysOutcome = days(t.DaysToOutcome, "sent", 90)
}

// Months lists the first days (UTC) of the months from..to, both included.
func Months(from, to time.Time) []time.Time {
	var out []time.Time
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(to); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	return out
}
