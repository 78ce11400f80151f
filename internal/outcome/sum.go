package outcome

import (
	"slices"
	"sort"
)

// Add adds the counts of o to c.
func (c *Counts) Add(o Counts) {
	c.Drafted += o.Drafted
	c.ConsentRefused += o.ConsentRefused
	c.Sent += o.Sent
	c.NotSentNoAgreement += o.NotSentNoAgreement
	c.Received += o.Received
	c.ContactAttempted += o.ContactAttempted
	c.Reached += o.Reached
	c.NotReachable += o.NotReachable
	c.Withdrawn += o.Withdrawn
	c.Deleted += o.Deleted
	c.Births += o.Births
	c.BirthsContacted14 += o.BirthsContacted14
	c.WithinTarget += o.WithinTarget
	c.PastTarget += o.PastTarget
	c.Outcomes = addMap(c.Outcomes, o.Outcomes)
	c.Rights = addMap(c.Rights, o.Rights)
}

func addMap(dst, src map[string]int) map[string]int {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = map[string]int{}
	}
	for k, v := range src {
		dst[k] += v
	}
	return dst
}

// ReachRate is the share of sent referrals whose family was reached (0 when none was sent).
func (c Counts) ReachRate() float64 {
	if c.Sent == 0 {
		return 0
	}
	return float64(c.Reached) / float64(c.Sent)
}

// WithinTargetRate is the share of first contacts that came within the agreement's target.
func (c Counts) WithinTargetRate() float64 {
	if n := c.WithinTarget + c.PastTarget; n > 0 {
		return float64(c.WithinTarget) / float64(n)
	}
	return 0
}

// Contacted14Rate is the share of birth notifications whose family was contacted within 14 days.
func (c Counts) Contacted14Rate() float64 {
	if c.Births == 0 {
		return 0
	}
	return float64(c.BirthsContacted14) / float64(c.Births)
}

// Total is a sum of cells: their counts and every entry of their day lists.
type Total struct {
	Counts
	DaysToFirstContact []int
	DaysToOutcome      []int
}

// Add adds one cell to t.
func (t *Total) Add(c Cell) {
	t.Counts.Add(c.Counts)
	t.DaysToFirstContact = append(t.DaysToFirstContact, c.DaysToFirstContact...)
	t.DaysToOutcome = append(t.DaysToOutcome, c.DaysToOutcome...)
}

// Sum adds up cells.
func Sum(cells []Cell) Total {
	var t Total
	for _, c := range cells {
		t.Add(c)
	}
	return t
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of days by the nearest-rank method, and
// false when days is empty. Median is Percentile(days, 50).
func Percentile(days []int, p float64) (int, bool) {
	if len(days) == 0 {
		return 0, false
	}
	s := slices.Clone(days)
	slices.Sort(s)
	// nearest rank: the smallest value with at least p% of the values at or below it
	rank := int(float64(len(s))*p/100 + 0.999999999)
	rank = max(1, min(rank, len(s)))
	return s[rank-1], true
}

// Median is the median of days by the nearest-rank method (the lower middle for an even count).
func Median(days []int) (int, bool) { return Percentile(days, 50) }

// P90 is the 90th percentile of days by the nearest-rank method.
func P90(days []int) (int, bool) { return Percentile(days, 90) }

// Group is the sum of the cells that share a key.
type Group struct {
	Key string
	Total
}

// GroupBy sums cells per key (cells whose key is "" form a group of their own) and returns the
// groups ordered by key.
func GroupBy(cells []Cell, key func(Cell) string) []Group {
	idx := map[string]int{}
	var out []Group
	for _, c := range cells {
		k := key(c)
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Group{Key: k})
		}
		out[i].Add(c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// ByMonth, ByMunicipality, ByTeam and ByOCMW are the keys of GroupBy for the usual groupings;
// by province, see municipality.Registry (the province of a cell's NIS code).
func ByMonth(c Cell) string        { return c.Month }
func ByMunicipality(c Cell) string { return c.NIS }
func ByTeam(c Cell) string         { return c.Team }
func ByOCMW(c Cell) string         { return c.OCMW }

// ByProvince returns the key of GroupBy that groups cells by the province of their municipality
// (reg is a *municipality.Registry or anything with its ByNIS); unknown codes group under "".
func ByProvince(byNIS func(nis string) (province string, ok bool)) func(Cell) string {
	return func(c Cell) string {
		p, _ := byNIS(c.NIS)
		return p
	}
}

// SortCells orders cells by month, municipality, team and OCMW.
func SortCells(cells []Cell) {
	sort.Slice(cells, func(i, j int) bool {
		a, b := cells[i], cells[j]
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		if a.NIS != b.NIS {
			return a.NIS < b.NIS
		}
		if a.Team != b.Team {
			return a.Team < b.Team
		}
		return a.OCMW < b.OCMW
	})
}
