// Package underreferral shows where families are missed: per municipality and year, the
// referrals the local teams sent set against the births and Kind en Gezin's deprivation index
// (kansarmoede-index), so that Opgroeien sees where a team refers far fewer families than the
// index suggests. Aggregates only, never a score per family.
//
// # Method
//
// For a year, the counts are the outcome cells (internal/outcome) of the calendar quarters of
// that year that have ended: births notified and referrals sent, per municipality of residence.
// Every count is published as all counts of families are (internal/suppress): per calendar
// quarter, small counts suppressed ("<5", "x") and the rest rounded to 5; a year is the Sum of
// its published quarters. Everything else on
// the report — the reference rate, the expectation, the ratio and its interval — is computed
// from those published quarter figures only, never from the true counts, so the report tells
// nothing that the published quarters do not (no differencing between years, filters or
// teams).
//
// A quarter counts for the comparison when an agreement was in force in the municipality on
// the first day of each of its months and on its last day: without an agreement a team cannot
// send, and a municipality without any such quarter is shown as "no agreement" (the cause is
// different). For such a quarter:
//
//	deprived births  = births × the index's share (the index of the year, or the latest year
//	                   before it; after the 2025 mergers the predecessors' figures combined)
//	reference rate R = Σ referrals sent ÷ Σ deprived births, over all Flemish municipalities
//	                   with a quarter in force and an index (a quarter shown "<5" counts 2.5;
//	                   one shown "x" leaves its municipality out)
//	expected         = deprived births × R
//	ratio            = referrals sent ÷ expected
//
// The expectation is relative, not a target: over all municipalities the referrals equal the
// expectation by construction, and a ratio of 0.5 means half the referrals that the Flemish
// average rate would give for the municipality's births in deprived families.
//
// The interval is the exact (Garwood) 95 % interval for a Poisson count, right for 0, 1 or 2
// referrals as for 200, widened for what publication hides: the lower bound
// is taken at the smallest count the published quarters allow (a shown 5 is 5 to 7, 10 is 8
// to 12, "<5" is 0 to 4) and over the largest expectation, the upper bound at the largest
// count and the smallest expectation. A municipality is flagged "far fewer" only when even the
// upper bound is below Threshold (0.5), so that a small municipality with few births is not
// flagged on noise. A quarter shown as "x" leaves the count unknown: no ratio is shown then.
// The uncertainty of R itself, a ratio of two large Flemish totals, is left out.
package underreferral

import (
	"cmp"
	"math"
	"slices"
	"time"

	"kansrijk/internal/outcome"
	"kansrijk/internal/suppress"
)

// Threshold is the ratio below which the upper bound must lie for a municipality to be flagged
// as referring far fewer families than expected.
const Threshold = 0.5

// The flags of a row.
const (
	FlagFarFewer    = "far_fewer"    // the upper bound of the ratio is below Threshold
	FlagFewer       = "fewer"        // the upper bound is below 1
	FlagAsExpected  = "as_expected"  // the interval holds 1
	FlagMore        = "more"         // the lower bound is above 1
	FlagNoAgreement = "no_agreement" // no published quarter with an agreement in force
	FlagNoIndex     = "no_index"     // no deprivation index for the municipality
	FlagNotShown    = "not_shown"    // a count is hidden ("x"): no ratio can be given
	FlagNoBirths    = "no_births"    // no births in the quarters in force: nothing to expect
)

// Flags lists the flags in the order of the legend.
var Flags = []string{FlagFarFewer, FlagFewer, FlagAsExpected, FlagMore, FlagNoAgreement, FlagNoIndex, FlagNotShown, FlagNoBirths}

// Agreement states of a row over the published quarters of the year.
const (
	AgreementInForce = "in_force" // in force in every published quarter
	AgreementPartly  = "partly"   // in force in some of them
	AgreementNone    = "none"     // in none
)

// Index is the deprivation index used for a municipality.
type Index struct {
	// Year is the index year used: the report's year, or the latest one before it.
	Year int `json:"year"`
	// Percent is the share of births in deprived families, 0–100.
	Percent float64 `json:"percent"`
	// Births and Deprived are the denominator and numerator the index gives, when it gives them.
	Births   *int `json:"births,omitempty"`
	Deprived *int `json:"deprived,omitempty"`
	// Combined is true when the figure combines the municipalities that merged into this one.
	Combined bool `json:"combined,omitempty"`
}

// Area is one municipality of the report.
type Area struct {
	NIS      string
	Name     string
	Province string
	Team     string // the local team serving it at the end of the period ("" none)
	Index    *Index // nil: no index
}

// Input is what a report is computed from.
type Input struct {
	Year int
	// Months are the first days of the published months of Year: whole calendar quarters that
	// have ended (suppress.LastQuarter), at least one.
	Months []time.Time
	// Areas are the municipalities of the year, in an order that does not depend on the
	// request (NIS order): the rows of the quarter tables.
	Areas []Area
	// Cells are the outcome cells of the months; cells of other municipalities are ignored.
	Cells []outcome.Cell
	// InForce reports whether an agreement was in force in the municipality on the day.
	InForce func(nis string, day time.Time) bool
}

// Row is one municipality, or one team (Team rows have no NIS).
type Row struct {
	NIS      string `json:"nis,omitempty"`
	Name     string `json:"name"` // a team row: the team's key (its name in the API)
	Province string `json:"province,omitempty"`
	Team     string `json:"team"`
	// Agreement is AgreementInForce, AgreementPartly or AgreementNone; QuartersInForce counts
	// the published quarters in force.
	Agreement       string `json:"agreement"`
	QuartersInForce int    `json:"quarters_in_force"`
	// Births and Sent are the year's published counts (all published quarters).
	Births suppress.Cell `json:"births"`
	Sent   suppress.Cell `json:"sent"`
	// Index is the deprivation index used; nil without one (and on team rows).
	Index *Index `json:"index,omitempty"`
	// DeprivedBirths is the births of the quarters in force times the index's share (a quarter
	// shown "<5" counts 2.5 births).
	DeprivedBirths *float64 `json:"deprived_births,omitempty"`
	// Expected, Ratio, Low and High are nil when they cannot be given (see Flag).
	Expected *float64 `json:"expected,omitempty"`
	Ratio    *float64 `json:"ratio,omitempty"`
	Low      *float64 `json:"ratio_low,omitempty"`
	High     *float64 `json:"ratio_high,omitempty"`
	Flag     string   `json:"flag"`
}

// Report is the under-referral report of one year.
type Report struct {
	Year int `json:"year"`
	// From and To are the first and last published month ("2006-01"); Quarters counts them.
	From     string `json:"from"`
	To       string `json:"to"`
	Quarters int    `json:"quarters"`
	// ReferenceRate is the Flemish referrals sent per deprived birth in the quarters in force;
	// nil when there is nothing to compute it from.
	ReferenceRate *float64 `json:"reference_rate"`
	Threshold     float64  `json:"threshold"`
	Confidence    float64  `json:"confidence"`
	// Municipalities are ranked by the upper bound of the ratio, lowest first: the surest
	// shortfall relative to the expectation first (a small municipality with a low ratio but a
	// wide interval does not outrank a large one that certainly refers too few).
	Municipalities []Row `json:"municipalities"`
	// Teams sum their municipalities' published figures.
	Teams []Row `json:"teams"`
	// Flagged counts the municipalities flagged FlagFarFewer.
	Flagged int `json:"flagged"`
}

// PoissonLow and PoissonHigh are the bounds of the exact (Garwood) 95 % interval for the mean
// of a Poisson count o: the means for which observing at least o, respectively at most o, has
// a probability of 2.5 %.
func PoissonLow(o int) float64 {
	if o <= 0 {
		return 0
	}
	// P(X ≥ o; μ) = 0.025, i.e. P(X ≤ o-1; μ) = 0.975.
	return solveMean(o-1, 0.975)
}

// PoissonHigh is the upper bound of the exact interval (see PoissonLow): P(X ≤ o; μ) = 0.025.
func PoissonHigh(o int) float64 {
	return solveMean(max(o, 0), 0.025)
}

// solveMean finds μ with P(X ≤ k; μ) = p by bisection (the CDF falls as μ grows).
func solveMean(k int, p float64) float64 {
	lo, hi := 0.0, float64(k)+10*math.Sqrt(float64(k)+1)+10
	for range 200 {
		mid := (lo + hi) / 2
		if poissonCDF(k, mid) > p {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo < 1e-9*hi {
			break
		}
	}
	return (lo + hi) / 2
}

// poissonCDF is P(X ≤ k) for a Poisson variable of mean mu, summed in logarithms.
func poissonCDF(k int, mu float64) float64 {
	if mu == 0 {
		return 1
	}
	sum := 0.0
	for i := 0; i <= k; i++ {
		lg, _ := math.Lgamma(float64(i) + 1)
		sum += math.Exp(float64(i)*math.Log(mu) - mu - lg)
	}
	return math.Min(sum, 1)
}

// span is what the published parts of a sum tell about it: the sum of the shown values, and
// the smallest and largest true sums they allow. ok is false when a part is "x".
type span struct {
	shown, lo, hi float64
	mid           float64 // shown, with 2.5 for each "<5": the estimate used for R and the expectation
	exact         bool    // no part "<5": shown is the published sum
	ok            bool
}

func newSpan() span { return span{exact: true, ok: true} }

// add adds one published part (rounded by suppress.Round, or suppressed).
func (s *span) add(c suppress.Cell) {
	switch {
	case c.Complementary():
		s.ok = false
	case c.Suppressed: // "<5": 1–4, or a zero hidden as a last resort
		s.hi += 4
		s.mid += 2.5
		s.exact = false
	case c.Value > 0: // rounded: 5 is 5–7, 10 is 8–12
		v := float64(c.Value)
		s.shown += v
		s.mid += v
		s.lo += math.Max(v-2, suppress.Base)
		s.hi += v + 2
	}
}

// addScaled adds a part multiplied by f (births times the index's share).
func (s *span) addScaled(c suppress.Cell, f float64) {
	one := newSpan()
	one.add(c)
	s.shown += f * one.shown
	s.mid += f * one.mid
	s.lo += f * one.lo
	s.hi += f * one.hi
	s.exact = s.exact && one.exact
	s.ok = s.ok && one.ok
}

// group is the parts of one row: its quarters in force.
type group struct {
	sent, deprived span
	quarters       int
	noIndex        bool
}

// Build computes the report. It panics when the months are not whole quarters of the year.
func Build(in Input) Report {
	n := len(in.Months)
	rep := Report{Year: in.Year, Quarters: n / 3, Threshold: Threshold, Confidence: 0.95}
	if n > 0 {
		rep.From, rep.To = in.Months[0].Format("2006-01"), in.Months[n-1].Format("2006-01")
	}
	rowOf := make(map[string]int, len(in.Areas))
	for i, a := range in.Areas {
		rowOf[a.NIS] = i
	}
	monthOf := make(map[string]int, n)
	for j, m := range in.Months {
		monthOf[m.Format("2006-01")] = j
	}
	births := make([][]int, len(in.Areas))
	sent := make([][]int, len(in.Areas))
	for i := range in.Areas {
		births[i], sent[i] = make([]int, n), make([]int, n)
	}
	for _, c := range in.Cells {
		i, ok := rowOf[c.NIS]
		j, ok2 := monthOf[c.Month]
		if !ok || !ok2 {
			continue
		}
		births[i][j] += c.Births
		sent[i][j] += c.Sent
	}

	quarters := n / 3
	bq, sq := publish(births, sent, in.Months)

	// Per municipality: the published year and the parts of the quarters in force.
	rows := make([]Row, len(in.Areas))
	groups := make([]group, len(in.Areas))
	for i, a := range in.Areas {
		r := Row{NIS: a.NIS, Name: a.Name, Province: a.Province, Team: a.Team, Index: a.Index,
			Births: suppress.Sum(bq[i]), Sent: suppress.Sum(sq[i])}
		g := group{sent: newSpan(), deprived: newSpan(), noIndex: a.Index == nil}
		for q := range quarters {
			if !inForceQuarter(in.InForce, a.NIS, in.Months[3*q]) {
				continue
			}
			g.quarters++
			g.sent.add(sq[i][q])
			if a.Index != nil {
				g.deprived.addScaled(bq[i][q], a.Index.Percent/100)
			}
		}
		r.QuartersInForce = g.quarters
		switch g.quarters {
		case 0:
			r.Agreement = AgreementNone
		case quarters:
			r.Agreement = AgreementInForce
		default:
			r.Agreement = AgreementPartly
		}
		rows[i], groups[i] = r, g
	}

	// The reference rate, from the municipalities with a quarter in force, an index and no
	// count hidden as "x"; a "<5" counts as 2.5.
	var num, den float64
	for _, g := range groups {
		if g.quarters > 0 && !g.noIndex && g.sent.ok && g.deprived.ok {
			num += g.sent.mid
			den += g.deprived.mid
		}
	}
	if den > 0 {
		rep.ReferenceRate = ptr(num / den)
	}
	for i := range rows {
		estimate(&rows[i], groups[i], rep.ReferenceRate)
		if rows[i].Flag == FlagFarFewer {
			rep.Flagged++
		}
	}

	// Teams: the published parts of their municipalities, together.
	teamRow := map[string]int{}
	var teamGroups []group
	for i, a := range in.Areas {
		if a.Team == "" {
			continue
		}
		k, ok := teamRow[a.Team]
		if !ok {
			k = len(rep.Teams)
			teamRow[a.Team] = k
			rep.Teams = append(rep.Teams, Row{Name: a.Team, Team: a.Team})
			teamGroups = append(teamGroups, group{sent: newSpan(), deprived: newSpan()})
		}
		t, g := &rep.Teams[k], &teamGroups[k]
		t.Births = suppress.Sum([]suppress.Cell{t.Births, rows[i].Births})
		t.Sent = suppress.Sum([]suppress.Cell{t.Sent, rows[i].Sent})
		if groups[i].quarters == 0 || groups[i].noIndex {
			continue // no expectation without an agreement or an index
		}
		t.QuartersInForce = max(t.QuartersInForce, groups[i].quarters)
		g.quarters += groups[i].quarters
		merge(&g.sent, groups[i].sent)
		merge(&g.deprived, groups[i].deprived)
	}
	for k := range rep.Teams {
		t, g := &rep.Teams[k], teamGroups[k]
		t.Agreement = AgreementPartly
		if g.quarters == 0 {
			t.Agreement = AgreementNone
		}
		estimate(t, g, rep.ReferenceRate)
	}
	slices.SortStableFunc(rep.Teams, func(a, b Row) int { return Compare(a, b, SortHigh) })
	rep.Municipalities = rows
	Sort(rep.Municipalities, SortHigh)
	return rep
}

// publish protects each quarter on its own and returns the published quarter totals of births
// and referrals sent per municipality. A quarter is one list: a count per municipality (in the
// order given, which does not depend on the request) with the Flemish total, suppressed by
// suppress.List (small counts "<5", and "x" where a small one could be recovered from the
// total) and every shown count rounded by suppress.Round. The report shows no month, so the
// quarter totals are the finest figures published. A quarter is published the same in every
// answer, whatever the year or day asked; nothing after this step reads a true count.
func publish(births, sent [][]int, months []time.Time) (bq, sq [][]suppress.Cell) {
	bq = make([][]suppress.Cell, len(births))
	sq = make([][]suppress.Cell, len(sent))
	for q := 0; q+3 <= len(months); q += 3 {
		for _, t := range []struct {
			counts [][]int
			out    [][]suppress.Cell
		}{{births, bq}, {sent, sq}} {
			sums := make([]int, len(t.counts))
			for i, r := range t.counts {
				sums[i] = r[q] + r[q+1] + r[q+2]
			}
			cells, _ := suppress.List(sums, true, 0)
			for i, c := range cells {
				t.out[i] = append(t.out[i], suppress.Round(c))
			}
		}
	}
	return bq, sq
}

// inForceQuarter reports whether an agreement was in force on the first day of each month of
// the quarter starting at q and on its last day.
func inForceQuarter(inForce func(string, time.Time) bool, nis string, q time.Time) bool {
	if inForce == nil {
		return false
	}
	for k := range 3 {
		if !inForce(nis, q.AddDate(0, k, 0)) {
			return false
		}
	}
	return inForce(nis, q.AddDate(0, 3, -1))
}

// QuarterDays are the days on which a quarter starting at q must be in force (see
// inForceQuarter), for callers that look agreements up day by day.
func QuarterDays(q time.Time) []time.Time {
	return []time.Time{q, q.AddDate(0, 1, 0), q.AddDate(0, 2, 0), q.AddDate(0, 3, -1)}
}

func merge(s *span, o span) {
	s.shown += o.shown
	s.mid += o.mid
	s.lo += o.lo
	s.hi += o.hi
	s.exact = s.exact && o.exact
	s.ok = s.ok && o.ok
}

// estimate fills the expectation, the ratio, its interval and the flag of a row.
func estimate(r *Row, g group, rate *float64) {
	switch {
	case g.quarters == 0:
		r.Flag = FlagNoAgreement
		return
	case g.noIndex:
		r.Flag = FlagNoIndex
		return
	case !g.sent.ok || !g.deprived.ok || rate == nil:
		r.Flag = FlagNotShown
		return
	}
	r.DeprivedBirths = ptr(g.deprived.mid)
	R := *rate
	eLo, eHi := g.deprived.lo*R, g.deprived.hi*R
	if eHi <= 0 || R == 0 {
		r.Flag = FlagNoBirths
		return
	}
	r.Expected = ptr(g.deprived.mid * R)
	if g.sent.exact && *r.Expected > 0 {
		r.Ratio = ptr(g.sent.shown / *r.Expected)
	}
	r.Low = ptr(PoissonLow(int(math.Round(g.sent.lo))) / eHi)
	if eLo > 0 {
		r.High = ptr(PoissonHigh(int(math.Round(g.sent.hi))) / eLo)
	}
	switch {
	case r.High != nil && *r.High < Threshold:
		r.Flag = FlagFarFewer
	case r.High != nil && *r.High < 1:
		r.Flag = FlagFewer
	case *r.Low > 1:
		r.Flag = FlagMore
	default:
		r.Flag = FlagAsExpected
	}
}

func ptr(f float64) *float64 { return &f }

// The sort orders of the table.
const (
	SortHigh     = "high"     // lowest upper bound first: the surest shortfall first (default)
	SortRatio    = "ratio"    // lowest ratio first
	SortExpected = "expected" // most expected referrals first
	SortName     = "name"
	SortNIS      = "nis"
)

// Sorts lists the sort orders.
var Sorts = []string{SortHigh, SortRatio, SortExpected, SortName, SortNIS}

// Sort orders rows by one of Sorts; an unknown order is SortRatio (the point, or the middle of the interval).
func Sort(rows []Row, by string) {
	slices.SortStableFunc(rows, func(a, b Row) int { return Compare(a, b, by) })
}

// Compare orders two rows for Sort: rows without the value sort last, then by name and NIS.
func Compare(a, b Row, by string) int {
	key := func(r Row) *float64 {
		switch by {
		case SortHigh:
			if r.High == nil && r.Low != nil {
				return ptr(math.Inf(1))
			}
			return r.High
		case SortExpected:
			if r.Expected == nil {
				return nil
			}
			return ptr(-*r.Expected)
		case SortName, SortNIS:
			return ptr(0)
		}
		// ratio: the point when shown, else the middle of the interval
		if r.Ratio != nil {
			return r.Ratio
		}
		if r.Low != nil && r.High != nil {
			return ptr((*r.Low + *r.High) / 2)
		}
		return nil
	}
	ka, kb := key(a), key(b)
	switch {
	case ka == nil && kb != nil:
		return 1
	case ka != nil && kb == nil:
		return -1
	case ka != nil && kb != nil:
		if c := cmp.Compare(*ka, *kb); c != 0 {
			return c
		}
	}
	if ka == nil && kb == nil && a.Flag != b.Flag {
		return cmp.Compare(slices.Index(Flags, a.Flag), slices.Index(Flags, b.Flag))
	}
	if by == SortNIS {
		return cmp.Compare(a.NIS, b.NIS)
	}
	return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.NIS, b.NIS))
}
