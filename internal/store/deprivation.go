package store

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kansrijk/internal/account"
	"kansrijk/internal/apperr"
	"kansrijk/internal/audit"
	"kansrijk/internal/deprivation"
	"kansrijk/internal/municipality"
)

var _ deprivation.Store = (*DB)(nil)

const (
	auditDeprivationImport = "deprivation.import"
	objDeprivation         = "deprivation_index"
	// deprivationBatch is the number of rows per INSERT: a few statements
	// instead of one per row (PostgreSQL round trips).
	deprivationBatch = 200
)

func deprivationForbidden() error {
	return apperr.New(apperr.Forbidden, "your role may not do this").WithKey("error.forbidden", nil)
}

// ImportDeprivation stores the index values of a file that parsed without
// problems (deprivation.Result.Accepted): every year the values hold is
// replaced as a whole — the year's earlier values are deleted, also those
// of municipalities the new file lacks — in one transaction with its audit
// record. Values are checked again (a code valid on 31 December of its
// year, 0–100 %, no municipality twice in a year): one bad value stores
// nothing. Admins only.
func (db *DB) ImportDeprivation(ctx context.Context, a account.Actor, values []deprivation.Value, source string) (res deprivation.ImportResult, err error) {
	defer apperr.Wrap(&err, "store.ImportDeprivation")
	if a.Role != account.Admin {
		return res, deprivationForbidden()
	}
	source = strings.TrimSpace(source)
	if source == "" {
		source = deprivation.DefaultSource
	}
	if utf8.RuneCountInString(source) > deprivation.MaxSource {
		return res, apperr.FieldErr(apperr.Invalid, "source", "the source is longer than %d characters", deprivation.MaxSource).WithKey("error.too_long", nil)
	}
	if len(values) == 0 {
		return res, apperr.FieldErr(apperr.Invalid, "file", "the file holds no values").WithKey("error.deprivation_no_values", nil)
	}
	perYear := map[int]int{}
	seen := map[string]bool{}
	for i, v := range values {
		if err := db.checkDeprivationValue(v); err != nil {
			return res, apperr.FieldErr(apperr.Invalid, "file", "value %d: %s", i+1, err).
				WithKey("error.deprivation_value", map[string]any{"N": i + 1, "Message": err.Error()})
		}
		key := v.NIS + "/" + strconv.Itoa(v.Year)
		if seen[key] {
			return res, apperr.FieldErr(apperr.Invalid, "file", "municipality %s appears twice for %d", v.NIS, v.Year).
				WithKey("error.deprivation_duplicate", map[string]any{"NIS": v.NIS, "Year": v.Year})
		}
		seen[key] = true
		perYear[v.Year]++
	}
	years := make([]int, 0, len(perYear))
	for y := range perYear {
		years = append(years, y)
	}
	slices.Sort(years)

	err = db.inTx(ctx, func(tx *Tx) error {
		res = deprivation.ImportResult{Values: len(values)}
		replaced := 0
		for _, y := range years {
			r, err := tx.ExecContext(ctx, `DELETE FROM deprivation_index WHERE year = $1`, y)
			if err != nil {
				return err
			}
			n, _ := r.RowsAffected()
			replaced += int(n)
			if _, err := tx.ExecContext(ctx, `INSERT INTO deprivation_years (year, source, imported_at, imported_by) VALUES ($1,$2,$3,$4)
				ON CONFLICT (year) DO UPDATE SET source = excluded.source, imported_at = excluded.imported_at, imported_by = excluded.imported_by`,
				y, source, ts(tx.now), actorName(a)); err != nil {
				return err
			}
			res.Years = append(res.Years, deprivation.Year{Year: y, Municipalities: perYear[y], Source: source, ImportedAt: tx.now, Replaced: int(n)})
		}
		for start := 0; start < len(values); start += deprivationBatch {
			batch := values[start:min(start+deprivationBatch, len(values))]
			ph := make([]string, len(batch))
			args := make([]any, 0, 5*len(batch))
			for i, v := range batch {
				ph[i] = fmt.Sprintf("($%d,$%d,$%d,$%d,$%d)", 5*i+1, 5*i+2, 5*i+3, 5*i+4, 5*i+5)
				args = append(args, v.NIS, v.Year, v.Percent, intPtr(v.Births), intPtr(v.Deprived))
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO deprivation_index (municipality_nis, year, percent, births, deprived) VALUES `+
				strings.Join(ph, ","), args...); err != nil {
				return err
			}
		}
		ev := audit.For(a, auditDeprivationImport, objDeprivation, yearsText(years))
		ev.Detail = fmt.Sprintf("values=%d replaced=%d source=%q", len(values), replaced, source)
		return tx.Audit(ctx, ev)
	})
	if err != nil {
		return deprivation.ImportResult{}, err
	}
	db.afterBulkImport(ctx, statsDeprivationTables) // statistics.go
	return res, nil
}

// PreviewDeprivation says what ImportDeprivation would replace with these
// values, year by year, without changing anything: the rows of each year
// of the file now and after, and the municipalities added, removed and
// changed. It reads only the years the file holds. Admins only.
func (db *DB) PreviewDeprivation(ctx context.Context, a account.Actor, values []deprivation.Value) (p deprivation.Preview, err error) {
	defer apperr.Wrap(&err, "store.PreviewDeprivation")
	if a.Role != account.Admin {
		return p, deprivationForbidden()
	}
	yearSet := map[int]bool{}
	for _, v := range values {
		yearSet[v.Year] = true
	}
	years := make([]int, 0, len(yearSet))
	for y := range yearSet {
		years = append(years, y)
	}
	slices.Sort(years)
	var current []deprivation.Value
	sources := map[int]string{}
	if len(years) > 0 {
		args := make([]any, len(years))
		ph := make([]string, len(years))
		for i, y := range years {
			args[i], ph[i] = y, fmt.Sprintf("$%d", i+1)
		}
		in := strings.Join(ph, ",")
		rows, err := db.read.QueryContext(ctx, `SELECT municipality_nis, year, percent, births, deprived FROM deprivation_index WHERE year IN (`+in+`)`, args...)
		if err != nil {
			return p, err
		}
		defer rows.Close()
		for rows.Next() {
			var v deprivation.Value
			var births, deprived *int64
			if err := rows.Scan(&v.NIS, &v.Year, &v.Percent, &births, &deprived); err != nil {
				return p, err
			}
			v.Births, v.Deprived = toIntPtr(births), toIntPtr(deprived)
			current = append(current, v)
		}
		if err := rows.Err(); err != nil {
			return p, err
		}
		srows, err := db.read.QueryContext(ctx, `SELECT year, source FROM deprivation_years WHERE year IN (`+in+`)`, args...)
		if err != nil {
			return p, err
		}
		defer srows.Close()
		for srows.Next() {
			var y int
			var s string
			if err := srows.Scan(&y, &s); err != nil {
				return p, err
			}
			sources[y] = s
		}
		if err := srows.Err(); err != nil {
			return p, err
		}
	}
	name := func(nis string) string {
		if m, ok := db.Municipalities.ByNIS(nis); ok {
			return m.Name
		}
		return nis
	}
	p = deprivation.Diff(current, values, name)
	for i := range p.Years {
		p.Years[i].Source = sources[p.Years[i].Year]
	}
	return p, nil
}

// checkDeprivationValue checks one value as the parser does.
func (db *DB) checkDeprivationValue(v deprivation.Value) error {
	if v.Year < deprivation.MinYear || v.Year > deprivation.MaxYear {
		return fmt.Errorf("year %d outside %d–%d", v.Year, deprivation.MinYear, deprivation.MaxYear)
	}
	dec31 := time.Date(v.Year, 12, 31, 0, 0, 0, 0, time.UTC)
	if !db.Municipalities.ValidOn(v.NIS, dec31) {
		return fmt.Errorf("no municipality %q on 31 December %d", v.NIS, v.Year)
	}
	if math.IsNaN(v.Percent) || v.Percent < 0 || v.Percent > 100 {
		return fmt.Errorf("index %v outside 0–100", v.Percent)
	}
	for _, n := range []*int{v.Births, v.Deprived} {
		if n != nil && *n < 0 {
			return fmt.Errorf("negative count %d", *n)
		}
	}
	if v.Births != nil && v.Deprived != nil && *v.Deprived > *v.Births {
		return fmt.Errorf("more deprived children (%d) than births (%d)", *v.Deprived, *v.Births)
	}
	return nil
}

func intPtr(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// yearsText writes years as "2021-2024" when consecutive, else "2021,2023".
func yearsText(years []int) string {
	if len(years) > 1 && years[len(years)-1]-years[0] == len(years)-1 {
		return fmt.Sprintf("%d-%d", years[0], years[len(years)-1])
	}
	parts := make([]string, len(years))
	for i, y := range years {
		parts[i] = strconv.Itoa(y)
	}
	return strings.Join(parts, ",")
}

// DeprivationYears lists the imported years, newest first, with the
// number of municipalities, the source and when each was imported. Every
// signed-in role but clinic.
func (db *DB) DeprivationYears(ctx context.Context, a account.Actor) ([]deprivation.Year, error) {
	if !deprivation.CanRead(a) {
		return nil, deprivationForbidden()
	}
	return queryList(ctx, db.read, func(row rowScanner) (deprivation.Year, error) {
		var y deprivation.Year
		var at timeCol
		err := row.Scan(&y.Year, &y.Source, &at, &y.Municipalities)
		y.ImportedAt = at.T
		return y, err
	}, `SELECT y.year, y.source, y.imported_at, (SELECT count(*) FROM deprivation_index i WHERE i.year = y.year)
		FROM deprivation_years y ORDER BY y.year DESC`)
}

// DeprivationIndex returns the index of a municipality for every imported
// year. Around the 2025 mergers the series stays useful: a merged
// municipality (Beveren-Kruibeke-Zwijndrecht, or Antwerpen, which kept its
// code and took in Borsbeek) also shows, for the years before the merger,
// the figures of the municipalities that merged into it, each labelled by
// its own name; a municipality that merged away also shows its successor's
// figures for the years after. Nothing is added up: a rate of merged
// territories cannot be computed without the births. Every signed-in role
// but clinic.
func (db *DB) DeprivationIndex(ctx context.Context, a account.Actor, nis string) (s deprivation.Series, err error) {
	defer apperr.Wrap(&err, "store.DeprivationIndex(%s)", nis)
	if !deprivation.CanRead(a) {
		return s, deprivationForbidden()
	}
	nis = strings.TrimSpace(nis)
	m, ok := db.Municipalities.ByNIS(nis)
	if !ok {
		return s, apperr.New(apperr.NotFound, "no municipality with NIS code %q", nis).WithKey("error.unknown_municipality", map[string]any{"NIS": nis})
	}
	s = deprivation.Series{NIS: m.NIS, Name: m.Name, Figures: []deprivation.Figure{}}

	// Which code counts for which years: the municipality itself while it
	// exists, its predecessors (recursively) until their merger, its
	// successor after its own.
	type span struct {
		rel      deprivation.Relation
		name     string
		from, to int // years, inclusive
	}
	spans := map[string]span{}
	lastYear := func(x municipality.Municipality) int {
		if x.ValidTo == nil {
			return deprivation.MaxYear
		}
		return x.ValidTo.Year()
	}
	// The reference data starts in 2019: a municipality valid from then
	// counts for any earlier year a file might hold.
	selfFrom := m.ValidFrom.Year()
	if selfFrom <= 2019 {
		selfFrom = deprivation.MinYear
	}
	spans[m.NIS] = span{deprivation.Self, m.Name, selfFrom, lastYear(m)}
	var addPreds func(nis string)
	addPreds = func(nis string) {
		for _, p := range db.Municipalities.Predecessors(nis) {
			if _, dup := spans[p.NIS]; !dup {
				spans[p.NIS] = span{deprivation.Predecessor, p.Name, deprivation.MinYear, lastYear(p)}
				addPreds(p.NIS)
			}
		}
	}
	addPreds(m.NIS)
	if m.ValidTo != nil {
		if succ, ok := db.Municipalities.SuccessorOn(m.NIS, m.ValidTo.AddDate(0, 0, 1)); ok {
			spans[succ.NIS] = span{deprivation.Successor, succ.Name, m.ValidTo.Year() + 1, deprivation.MaxYear}
		}
	}
	codes := make([]string, 0, len(spans))
	for c := range spans {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var args []any
	rows, err := db.read.QueryContext(ctx, `SELECT i.municipality_nis, i.year, i.percent, i.births, i.deprived, y.source
		FROM deprivation_index i JOIN deprivation_years y ON y.year = i.year
		WHERE `+inList("i.municipality_nis", codes, &args)+` ORDER BY i.year, i.municipality_nis`, args...)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var f deprivation.Figure
		var births, deprived *int64
		if err := rows.Scan(&f.NIS, &f.Year, &f.Percent, &births, &deprived, &f.Source); err != nil {
			return s, err
		}
		sp := spans[f.NIS]
		if f.Year < sp.from || f.Year > sp.to {
			continue
		}
		f.Name, f.Relation = sp.name, sp.rel
		f.Births, f.Deprived = toIntPtr(births), toIntPtr(deprived)
		s.Figures = append(s.Figures, f)
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	sort.SliceStable(s.Figures, func(i, j int) bool {
		a, b := s.Figures[i], s.Figures[j]
		if a.Year != b.Year {
			return a.Year < b.Year
		}
		if (a.Relation == deprivation.Self) != (b.Relation == deprivation.Self) {
			return a.Relation == deprivation.Self
		}
		return a.Name < b.Name
	})
	return s, nil
}

func toIntPtr(p *int64) *int {
	if p == nil {
		return nil
	}
	n := int(*p)
	return &n
}
