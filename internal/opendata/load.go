package opendata

import (
	"context"
	"sync"
	"time"

	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/municipality"
	"kansrijk/internal/outcome"
	"kansrijk/internal/suppress"
)

// Brussels is the time zone of the outcome cells' months.
var Brussels = func() *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()

// LastMonth is the last month published on today: the last month of the last quarter that
// ended at least SettleDays ago.
func LastMonth(today time.Time) time.Time { return suppress.LastQuarter(today, SettleDays) }

// firstQuarter is the first day of the quarter of First.
func firstQuarter() time.Time {
	return time.Date(First.Year(), First.Month()-(First.Month()-1)%3, 1, 0, 0, 0, 0, time.UTC)
}

func parseMonth(field, s string, def time.Time) (time.Time, *apperr.Error) {
	if s == "" {
		return def, nil
	}
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 {
		return t, apperr.FieldErr(apperr.InvalidDate, field, "%s must be a month YYYY-MM, got %q", field, s)
	}
	return t, nil
}

// Window reads the from and to months (YYYY-MM; "" for the default: the last four published
// quarters) and widens them to whole published quarters. Every error is an
// apperr.InvalidDate naming "from" or "to" (both at once when both are not months).
func Window(fromS, toS string, today time.Time) (from, to time.Time, err error) {
	last := LastMonth(today)
	var ps []*apperr.Error
	to, e := parseMonth("to", toS, last)
	if e != nil {
		ps = append(ps, e)
	}
	from, e = parseMonth("from", fromS, to.AddDate(0, -11, 0))
	if e != nil {
		ps = append(ps, e)
	}
	if len(ps) > 0 {
		return from, to, apperr.Join(ps)
	}
	first := firstQuarter()
	switch {
	case from.After(to):
		return from, to, apperr.FieldErr(apperr.InvalidDate, "from", "from must not be after to")
	case to.Before(first):
		return from, to, apperr.FieldErr(apperr.InvalidDate, "to", "to must not be before %s", first.Format("2006-01"))
	case (to.Year()-from.Year())*12+int(to.Month())-int(from.Month())+1 > MaxMonths:
		return from, to, apperr.FieldErr(apperr.InvalidDate, "from", "at most %d months at once", MaxMonths)
	}
	if from.Before(first) {
		from = first
	}
	from, to, ok := suppress.Quarters(from, to, last)
	if !ok {
		return from, to, apperr.FieldErr(apperr.InvalidDate, "from",
			"counts are published per calendar quarter once it has ended and settled; the last one ends with %s", last.Format("2006-01"))
	}
	return from, to, nil
}

// Sources are the stores the statistics are read from. Outcomes nil: no referral counts
// (every count 0), the agreements only.
type Sources struct {
	Outcomes       outcome.Store
	Agreements     agreement.Store
	Municipalities *municipality.Registry
}

// Load reads and publishes the statistics of a window from Window, with no cache.
func Load(ctx context.Context, src Sources, from, to time.Time, schemaURL string) (Statistics, error) {
	var c *Cache
	return c.Load(ctx, src, from, to, time.Time{}, schemaURL)
}

// CacheTTL is how long a Cache keeps a published quarter.
const CacheTTL = 10 * time.Minute

// Cache keeps published quarters for CacheTTL, so that anonymous callers asking for windows
// again and again cost little: a window is assembled from its quarters, each read (the
// outcome cells of its three months, the register on the last day of each) and protected
// once. The zero Cache is ready; a nil *Cache keeps nothing. It is safe for concurrent use.
type Cache struct {
	mu       sync.Mutex
	quarters map[time.Time]cachedQuarter
}

type cachedQuarter struct {
	p  Published
	at time.Time
}

// Load reads and publishes the statistics of a window from Window: per quarter the outcome
// cells, read as Reader, and the agreements in force on the last day of each month (the
// public register), from the cache when they were read less than CacheTTL before now.
func (c *Cache) Load(ctx context.Context, src Sources, from, to, now time.Time, schemaURL string) (Statistics, error) {
	var qs []Published
	for q := from; q.Before(to); q = q.AddDate(0, 3, 0) {
		p, err := c.quarter(ctx, src, q, now)
		if err != nil {
			return Statistics{}, err
		}
		qs = append(qs, p)
	}
	var place func(string) (Place, bool)
	if reg := src.Municipalities; reg != nil {
		place = func(nis string) (Place, bool) {
			m, ok := reg.ByNIS(nis)
			return Place{Name: m.Name, Province: m.Province}, ok
		}
	}
	return Assemble(qs, place, schemaURL), nil
}

func (c *Cache) quarter(ctx context.Context, src Sources, start, now time.Time) (Published, error) {
	if c != nil {
		c.mu.Lock()
		e, ok := c.quarters[start]
		c.mu.Unlock()
		if ok && !now.Before(e.at) && now.Sub(e.at) < CacheTTL {
			return e.p, nil
		}
	}
	var cells []outcome.Cell
	if src.Outcomes != nil {
		q := outcome.Query{From: time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, Brussels),
			To: time.Date(start.Year(), start.Month()+3, 1, 0, 0, 0, 0, Brussels)}
		var err error
		if cells, err = src.Outcomes.OutcomeCells(ctx, Reader(), q); err != nil {
			return Published{}, err
		}
	}
	var inForce [3]map[string]bool
	for j := range 3 {
		end := time.Date(start.Year(), start.Month()+time.Month(j)+1, 0, 0, 0, 0, 0, time.UTC)
		rows, err := src.Agreements.PublicRegister(ctx, end)
		if err != nil {
			return Published{}, err
		}
		inForce[j] = map[string]bool{}
		for _, r := range rows {
			if r.Status.InForce() {
				inForce[j][r.NIS] = true
			}
		}
	}
	p := PublishQuarter(start, cells, inForce)
	if c != nil {
		c.mu.Lock()
		if c.quarters == nil {
			c.quarters = map[time.Time]cachedQuarter{}
		}
		c.quarters[start] = cachedQuarter{p, now}
		c.mu.Unlock()
	}
	return p, nil
}
