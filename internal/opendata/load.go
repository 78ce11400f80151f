package opendata

import (
	"context"
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

// Load reads and publishes the statistics of a window from Window: the outcome cells, read as
// Reader, and the agreements in force on the last day of each month (the public register).
func Load(ctx context.Context, src Sources, from, to time.Time, schemaURL string) (Statistics, error) {
	in := Input{From: from, To: to, SchemaURL: schemaURL, InForce: map[string]map[string]bool{}}
	if src.Outcomes != nil {
		q := outcome.Query{From: time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, Brussels),
			To: time.Date(to.Year(), to.Month()+1, 1, 0, 0, 0, 0, Brussels)}
		cells, err := src.Outcomes.OutcomeCells(ctx, Reader(), q)
		if err != nil {
			return Statistics{}, err
		}
		in.Cells = cells
	}
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		end := time.Date(m.Year(), m.Month()+1, 0, 0, 0, 0, 0, time.UTC)
		rows, err := src.Agreements.PublicRegister(ctx, end)
		if err != nil {
			return Statistics{}, err
		}
		set := map[string]bool{}
		for _, r := range rows {
			if r.Status.InForce() {
				set[r.NIS] = true
			}
		}
		in.InForce[m.Format("2006-01")] = set
	}
	if reg := src.Municipalities; reg != nil {
		in.Place = func(nis string) (Place, bool) {
			m, ok := reg.ByNIS(nis)
			return Place{Name: m.Name, Province: m.Province}, ok
		}
	}
	return Build(in), nil
}
