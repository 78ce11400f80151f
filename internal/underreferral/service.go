package underreferral

import (
	"context"
	"slices"
	"time"

	"kansrijk/internal/account"
	"kansrijk/internal/agreement"
	"kansrijk/internal/apperr"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/municipality"
	"kansrijk/internal/outcome"
	"kansrijk/internal/suppress"
)

// FirstYear is the first year a report can be asked for: the year after the decree of
// February 2022 (referrals start then).
const FirstYear = 2022

// SettleDays is how long after a quarter ends its counts are published: a referral counts in
// the month it was drafted, and one drafted at the end of a quarter is usually sent within
// days.
const SettleDays = 31

// IndexStore reads the deprivation index of a year.
type IndexStore interface {
	// DeprivationValuesUpTo returns the values of the latest index year not after year (none
	// when there is no such year). Every role that may read the index may call it.
	DeprivationValuesUpTo(ctx context.Context, a account.Actor, year int) ([]deprivation.Value, error)
}

// AgreementReporter gives the state of every municipality on a day (agreement.Store).
type AgreementReporter interface {
	AgreementReport(ctx context.Context, asOf time.Time, knownAt *time.Time, region string) (agreement.Report, error)
}

// Service computes reports from the stores.
type Service struct {
	Outcomes       outcome.Store
	Agreements     AgreementReporter
	Index          IndexStore
	Municipalities *municipality.Registry
}

// CanRead reports whether the actor may see the report: Opgroeien's admins and analysts.
func CanRead(a account.Actor) bool {
	return a.Role == account.Admin || a.Role == account.Analyst
}

// Forbidden is the error for the other roles.
func Forbidden() error {
	return apperr.New(apperr.Forbidden, "only Opgroeien's admins and analysts may see the under-referral report").WithKey("error.forbidden", nil)
}

// Years returns the years a report can be asked for on today, the last one (the default)
// the year of the last published quarter.
func Years(today time.Time) []int {
	last := suppress.LastQuarter(today, SettleDays).Year()
	var out []int
	for y := FirstYear; y <= last; y++ {
		out = append(out, y)
	}
	return out
}

// PublishedMonths returns the first days of the months of year whose quarter has been
// published on today; none for a year without a published quarter.
func PublishedMonths(year int, today time.Time) []time.Time {
	last := suppress.LastQuarter(today, SettleDays)
	var out []time.Time
	for m := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC); m.Year() == year && !m.After(last); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	return out[:len(out)/3*3]
}

// Report computes the report of year for the actor (admins and analysts) on today. A year
// before FirstYear or without a published quarter is invalid (field "year").
func (s *Service) Report(ctx context.Context, a account.Actor, year int, today time.Time) (rep Report, err error) {
	defer apperr.Wrap(&err, "underreferral.Report(%d)", year)
	if !CanRead(a) {
		return rep, Forbidden()
	}
	years := Years(today)
	if !slices.Contains(years, year) {
		last := FirstYear
		if len(years) > 0 {
			last = years[len(years)-1]
		}
		return rep, apperr.FieldErr(apperr.Invalid, "year", "give a year from %d to %d (a quarter is published once it has ended)", FirstYear, last).
			WithKey("underreferral.error.year", map[string]any{"From": FirstYear, "To": last})
	}
	months := PublishedMonths(year, today)
	first, end := months[0], months[len(months)-1].AddDate(0, 1, 0)
	lastDay := end.AddDate(0, 0, -1)

	// The municipalities of the year's last published day, and the team serving each.
	byNIS := map[string]agreement.MunicipalityState{}
	end0, err := s.Agreements.AgreementReport(ctx, lastDay, nil, "flanders")
	if err != nil {
		return rep, err
	}
	for _, m := range end0.Municipalities {
		byNIS[m.NIS] = m
	}
	// Whether an agreement is in force, on the days that decide a quarter.
	inForce := map[time.Time]map[string]bool{}
	for q := 0; q < len(months); q += 3 {
		for _, d := range QuarterDays(months[q]) {
			if _, done := inForce[d]; done {
				continue
			}
			r, err := s.Agreements.AgreementReport(ctx, d, nil, "flanders")
			if err != nil {
				return rep, err
			}
			on := map[string]bool{}
			for _, m := range r.Municipalities {
				on[m.NIS] = m.Status.InForce()
			}
			inForce[d] = on
		}
	}

	values, err := s.Index.DeprivationValuesUpTo(ctx, a, year)
	if err != nil {
		return rep, err
	}
	ms := s.Municipalities.On(lastDay, municipality.Flanders)
	codes := make([]string, len(ms))
	for i, m := range ms {
		codes[i] = m.NIS
	}
	slices.Sort(codes)
	idx := Indexes(s.Municipalities, year, codes, values)
	areas := make([]Area, 0, len(ms))
	for _, nis := range codes {
		m, _ := s.Municipalities.ByNIS(nis)
		areas = append(areas, Area{NIS: nis, Name: m.Name, Province: m.Province, Team: byNIS[nis].Team, Index: idx[nis]})
	}

	loc := brussels()
	cells, err := s.Outcomes.OutcomeCells(ctx, a, outcome.Query{
		From: time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, loc),
		To:   time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, loc),
	})
	if err != nil {
		return rep, err
	}
	// A cell of a municipality that no longer exists on the last day (a 2024 code in a 2025
	// cell) counts for the municipality it merged into.
	for i := range cells {
		if _, ok := byNIS[cells[i].NIS]; !ok {
			if m, ok := s.Municipalities.SuccessorOn(cells[i].NIS, lastDay); ok {
				cells[i].NIS = m.NIS
			}
		}
	}
	return Build(Input{Year: year, Months: months, Areas: areas, Cells: cells,
		InForce: func(nis string, day time.Time) bool { return inForce[day][nis] }}), nil
}

func brussels() *time.Location {
	l, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		return time.UTC
	}
	return l
}
