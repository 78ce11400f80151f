package store

import (
	"container/list"
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"kansrijk/internal/outcome"
)

// The cells of closed months are kept in memory (issue 14: a year's statistics at a million
// referrals took seconds, nearly all of it recounting months that had not changed).
//
// A month's cells change only when a row counted in that month changes. The triggers of
// migration 00033 bump the month's generation in outcome_month_changes on every insert,
// update and delete of a row the counts read (referrals, their contact attempts and consents,
// the refused sends in the audit log, the target of an agreement version, birth
// notifications) drafted before the current UTC month. A request reads the generations of
// its months first (one small query), takes the kept cells of each closed month whose
// generation is unchanged, and counts the rest in the database: the open months, the months
// that changed and those never seen. A month counted is kept with the generation read before
// counting, so a write that races the count makes the next request count it again. Every
// instance on one PostgreSQL database sees every other's writes through that table.
//
// What is kept does not depend on the caller: a month's cells are kept unfiltered for each of
// the two ways of counting (outcomeVariant), and the team, OCMW and municipality of the
// caller's scope and filters, all parts of a cell's key, are applied in Go.

// outcomeKeptMonths bounds the months kept per database handle, both variants together: two
// years of each. At a million referrals a year a month with its day lists takes about a
// megabyte.
const outcomeKeptMonths = 48

// outcomeVariant is what changes the counting itself, beyond a condition on a cell's key:
// whether births count and whether only the referrals sent do.
type outcomeVariant struct{ births, sentOnly bool }

type outcomeMonthKey struct {
	variant outcomeVariant
	month   string // "2006-01", Brussels time
}

type outcomeKeptMonth struct {
	key        outcomeMonthKey
	generation int64
	cells      []outcome.Cell
}

// outcomeCache holds the kept months of one database handle, least recently used first out.
// The zero value is ready for use.
type outcomeCache struct {
	mu      sync.Mutex
	entries map[outcomeMonthKey]*list.Element // of *outcomeKeptMonth
	lru     list.List                         // most recently used at the front
	// hits and counted are the months taken from memory and the months counted to be kept,
	// since the handle was opened (the tests read them).
	hits, counted int
}

// get returns the kept cells of a month if they were counted at generation gen.
func (c *outcomeCache) get(k outcomeMonthKey, gen int64) ([]outcome.Cell, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || e.Value.(*outcomeKeptMonth).generation != gen {
		return nil, false
	}
	c.lru.MoveToFront(e)
	c.hits++
	return e.Value.(*outcomeKeptMonth).cells, true
}

// put keeps the cells of a month counted at generation gen. The cells are not changed after.
func (c *outcomeCache) put(k outcomeMonthKey, gen int64, cells []outcome.Cell) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counted++
	if c.entries == nil {
		c.entries = map[outcomeMonthKey]*list.Element{}
	}
	if e, ok := c.entries[k]; ok {
		e.Value = &outcomeKeptMonth{key: k, generation: gen, cells: cells}
		c.lru.MoveToFront(e)
		return
	}
	c.entries[k] = c.lru.PushFront(&outcomeKeptMonth{key: k, generation: gen, cells: cells})
	for c.lru.Len() > outcomeKeptMonths {
		last := c.lru.Back()
		delete(c.entries, last.Value.(*outcomeKeptMonth).key)
		c.lru.Remove(last)
	}
}

func (c *outcomeCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries, c.hits, c.counted = nil, 0, 0
	c.lru.Init()
}

// outcomeMonth is one whole month of a period, Brussels time.
type outcomeMonth struct {
	label    string // "2006-01"
	from, to time.Time
}

// outcomeWholeMonths returns the whole months (Brussels time) that lie within the period of q.
func outcomeWholeMonths(q outcome.Query) []outcomeMonth {
	from := q.From.In(brussels)
	m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, brussels)
	if m.Before(q.From) {
		m = m.AddDate(0, 1, 0)
	}
	var months []outcomeMonth
	for next := m.AddDate(0, 1, 0); !next.After(q.To); m, next = next, next.AddDate(0, 1, 0) {
		months = append(months, outcomeMonth{label: m.Format("2006-01"), from: m, to: next})
	}
	return months
}

// outcomeCellsKept returns the cells of a period with both ends: the kept cells of its closed
// months, unchanged since they were counted, and the rest counted now (see the comment at the
// top of this file). The cells are the caller's to change.
func (db *DB) outcomeCellsKept(ctx context.Context, scope outcomeScope, q outcome.Query) ([]outcome.Cell, error) {
	months := outcomeWholeMonths(q)
	if len(months) == 0 {
		return db.countOutcomeCells(ctx, scope, q)
	}
	gens, openFrom, err := db.outcomeGenerations(ctx, months[0].label, months[len(months)-1].label)
	if err != nil {
		return nil, err
	}
	variant := outcomeVariant{births: scope.births, sentOnly: scope.sentOnly}
	// direct: parts counted for this request only (the open months, the ends of a period that
	// are not whole months), with its scope and filters; fill: closed months to count
	// unfiltered and keep.
	var direct, fill []outcome.Query
	add := func(parts []outcome.Query, from, to time.Time) []outcome.Query {
		if n := len(parts); n > 0 && parts[n-1].To.Equal(from) {
			parts[n-1].To = to
			return parts
		}
		return append(parts, outcome.Query{From: from, To: to})
	}
	var cells []outcome.Cell
	if q.From.Before(months[0].from) {
		direct = add(direct, q.From, months[0].from)
	}
	for _, m := range months {
		if m.label >= openFrom {
			direct = add(direct, m.from, m.to)
			continue
		}
		if kept, ok := db.outcomes.get(outcomeMonthKey{variant, m.label}, gens[m.label]); ok {
			cells = appendKept(cells, kept, scope, q)
			continue
		}
		fill = add(fill, m.from, m.to)
	}
	if last := months[len(months)-1].to; last.Before(q.To) {
		direct = add(direct, last, q.To)
	}

	found := make([][]outcome.Cell, len(direct)+len(fill))
	errs := make([]error, len(found))
	var wg sync.WaitGroup
	for i, part := range direct {
		part.NIS, part.Team, part.OCMW = q.NIS, q.Team, q.OCMW
		wg.Go(func() { found[i], errs[i] = db.countOutcomeCells(ctx, scope, part) })
	}
	for i, part := range fill {
		i += len(direct)
		wg.Go(func() {
			// Counted as any caller of the variant sees them, before the scope's team or
			// OCMW and the filters.
			all, err := db.countOutcomeCells(ctx, outcomeScope{births: scope.births, sentOnly: scope.sentOnly}, part)
			if err != nil {
				errs[i] = err
				return
			}
			byMonth := map[string][]outcome.Cell{}
			for _, c := range all {
				byMonth[c.Month] = append(byMonth[c.Month], c)
			}
			for _, m := range outcomeWholeMonths(part) {
				kept := slices.Clip(byMonth[m.label])
				db.outcomes.put(outcomeMonthKey{variant, m.label}, gens[m.label], kept)
				found[i] = appendKept(found[i], kept, scope, q)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, f := range found {
		cells = append(cells, f...)
	}
	return cells, nil
}

// appendKept appends to cells copies of the kept cells that the scope and the filters of q
// keep: each is a condition on a cell's key, as outcomeWhere makes it in SQL.
func appendKept(cells, kept []outcome.Cell, scope outcomeScope, q outcome.Query) []outcome.Cell {
	for _, c := range kept {
		if (q.NIS != "" && c.NIS != q.NIS) || (scope.team != "" && c.Team != scope.team) || (q.Team != "" && c.Team != q.Team) ||
			(scope.ocmw != "" && c.OCMW != scope.ocmw) || (q.OCMW != "" && c.OCMW != q.OCMW) {
			continue
		}
		// Copies: the kept cells are shared by every request.
		c.Outcomes, c.Rights = maps.Clone(c.Outcomes), maps.Clone(c.Rights)
		c.DaysToFirstContact, c.DaysToOutcome = slices.Clone(c.DaysToFirstContact), slices.Clone(c.DaysToOutcome)
		cells = append(cells, c)
	}
	return cells
}

// outcomeGenerations reads the generations of the months from first to last ("2006-01") in
// outcome_month_changes (0 for a month never changed) and the first month that may not be
// kept: that of (now - 1 day) by the database's clock, which decides in the triggers too.
// The day's margin covers a transaction that began before the turn of a month and commits
// after it (its trigger compares with its own start on PostgreSQL).
func (db *DB) outcomeGenerations(ctx context.Context, first, last string) (map[string]int64, string, error) {
	open := `strftime('%Y-%m', 'now', '-1 day')`
	if db.dialect == Postgres {
		open = `to_char((now() - interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM')`
	}
	rows, err := db.read.QueryContext(ctx, `SELECT '', 0, `+open+`
		UNION ALL SELECT month, generation, '' FROM outcome_month_changes WHERE month >= $1 AND month <= $2`, first, last)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	gens := map[string]int64{}
	var openFrom string
	for rows.Next() {
		var month, o string
		var gen int64
		if err := rows.Scan(&month, &gen, &o); err != nil {
			return nil, "", err
		}
		if month == "" {
			openFrom = o
			continue
		}
		gens[month] = gen
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	if openFrom == "" {
		return nil, "", errors.New("no clock from the database")
	}
	return gens, openFrom, nil
}
